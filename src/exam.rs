//! The exam file's typed model: section and key names exactly as in the design (SEB's and SEB Server's
//! own names). The JSON Schema `schemas/exam.schema.json` is generated from these types.

use crate::secret::SecretRef;
use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// An exam file (YAML, TOML or JSON).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "sebc exam file")]
pub struct ExamFile {
    /// Editors' schema reference; ignored by sebc.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The exam itself.
    pub exam: ExamInfo,
    /// Bases applied in order before this file's settings (later wins): `.seb`, `.plist`, or exam/template files,
    /// relative to this file; an encrypted `.seb` with its password.
    #[serde(default)]
    pub extends: Vec<ExtendsEntry>,
    /// SEB client settings by their SEB key.
    #[serde(default)]
    #[schemars(schema_with = "seb_settings_schema")]
    pub seb: IndexMap<String, serde_json::Value>,
    /// The SEB "Proctoring" tab: `jitsiMeet*`, `zoom*`, `proctoringAI*`, `screenProctoring*`, ...
    #[serde(default)]
    #[schemars(schema_with = "proctoring_tab_schema")]
    pub proctoring: IndexMap<String, serde_json::Value>,
    /// Exam-level live proctoring service (SEB Server `ProctoringServiceSettings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceSettings>,
    /// Screen proctoring (SEB Server `ScreenProctoringSettings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_proctoring: Option<ScreenProctoringSettings>,
    /// The SEB releases the exam must work on; sebc reports settings they refuse or ignore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<ClientsSection>,
    /// What to write.
    #[serde(default)]
    pub output: OutputOptions,
}

/// A template: an exam file without `exam`, used only through `extends`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateFile {
    #[serde(default)]
    pub extends: Vec<ExtendsEntry>,
    #[serde(default)]
    pub seb: IndexMap<String, serde_json::Value>,
    #[serde(default)]
    pub proctoring: IndexMap<String, serde_json::Value>,
    #[serde(default)]
    pub clients: Option<ClientsSection>,
}

/// One `extends` entry: a path, or an encrypted `.seb` base with what opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExtendsEntry {
    /// A base file, relative to this file.
    Path(String),
    /// An encrypted `.seb` base and its password (`pswd`) or admin password (`pwcc`). Unlike every
    /// other secret, these are resolved while loading, since the base cannot be read without them.
    Encrypted(EncryptedBase),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptedBase {
    /// The base file, relative to this file.
    pub path: String,
    /// The password it was saved with (`pswd`, "starting an exam").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
    /// The admin password of a file for configuring a client (`pwcc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<SecretRef>,
}

/// `clients:`: per platform the oldest release in use (`"3.5"`: 3.5 and every later release), a range
/// (`"3.2..3.5"`), `true` (the current release only) or `false` (not used). A platform left out means its
/// current release; `sebServer` left out means the exam is not served by SEB Server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientsSection {
    /// SEB for Windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "client_target_schema")]
    pub windows: Option<ClientTarget>,
    /// SEB for macOS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "client_target_schema")]
    pub macos: Option<ClientTarget>,
    /// SEB for iOS (iPadOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "client_target_schema")]
    pub ios: Option<ClientTarget>,
    /// SEB Server serving the exam (`"2.2"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "client_target_schema")]
    pub seb_server: Option<ClientTarget>,
}

/// One platform's target: a release (`"3.5"`), a range (`"3.2..3.5"`) or a boolean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClientTarget {
    Release(String),
    Used(bool),
}

fn client_target_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "oneOf": [
            { "type": "string", "pattern": r"^[0-9]+\.[0-9]+(\.\.[0-9]+\.[0-9]+)?$" },
            { "type": "boolean" }
        ]
    })
}

fn seb_settings_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "$ref": "seb-settings.schema.json" })
}

fn proctoring_tab_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "$ref": "seb-settings.schema.json#/$defs/proctoringTab" })
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExamInfo {
    /// Identifier used for file names and room names.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"), length(max = 64))]
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Start time (RFC 3339); bounds token lifetimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub start: Option<String>,
    /// End time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub end: Option<String>,
    /// Expected number of participants, which sizes the collecting-room plan, or `{ roster: FILE }`:
    /// one identity (and token) per participant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "participants_schema")]
    pub participants: Option<Participants>,
    /// The configuration is imported into SEB Server as this exam's configuration (SEB Server then sends
    /// SEB its connection and the screen proctoring join instruction). Without it, screen proctoring needs
    /// `sebMode: 1` and `sebServerURL` in `seb`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub seb_server: bool,
}

fn participants_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "oneOf": [
            { "type": "integer", "minimum": 1, "maximum": 1000000 },
            {
                "type": "object",
                "properties": {
                    "roster": {
                        "description": "A CSV file (header `id,name`, optional `room`), relative to the exam file: each participant gets their own token.",
                        "type": "string",
                        "minLength": 1
                    }
                },
                "required": ["roster"],
                "additionalProperties": false
            }
        ]
    })
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProctoringServerType {
    JitsiMeet,
    Zoom,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProctoringFeature {
    TownHall,
    OneToOne,
    Broadcast,
    EnableChat,
}

/// SEB Server's `ProctoringServiceSettings`, same JSON names and defaults. The fields of SEB Server's GET
/// JSON that are not settings (`id`, the exam's id; `serviceInUse`, state: seb-server
/// `gbl/model/exam/ProctoringServiceSettings.java:72-113`) are accepted so that the JSON validates as it
/// is, ignored with a `server-field-ignored` warning, and never written.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceSettings {
    #[serde(default)]
    pub enable_proctoring: bool,
    /// `JITSI_MEET` or `ZOOM` (SEB Server's default is `ZOOM`).
    #[serde(default = "default_server_type")]
    pub server_type: ProctoringServerType,
    #[serde(default, rename = "serverURL", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "uri"))]
    pub server_url: Option<String>,
    /// Clients per collecting room; `<= 0` means unlimited.
    #[serde(default = "default_room_size")]
    pub collecting_room_size: i32,
    #[serde(default = "all_features")]
    pub enabled_features: Vec<ProctoringFeature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<SecretRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_secret: Option<SecretRef>,
    #[serde(default)]
    pub use_zoom_app_client_for_collecting_room: bool,
    /// sebc's addition: 8x8's Jitsi as a Service (RS256 tokens signed with the API key's private key)
    /// instead of a Jitsi server with `appKey`/`appSecret` (SEB Server cannot, seb-server #75).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jaas: Option<JaasSettings>,
    /// sebc's addition to SEB Server's settings: rooms given explicitly, in order (collecting rooms
    /// "Room 1", "Room 2", ..., the town hall and the one-to-one room). Jitsi room names are derived when
    /// not given; Zoom meetings come from here, from `sebc zoom provision` (`compile --meetings FILE`), or
    /// are still to be created (the room is planned without tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomSpec>,
    /// SEB Server's exam id in its GET JSON (ignored).
    #[serde(default, skip_serializing)]
    pub id: Option<i64>,
    /// Whether SEB Server has the service in use, in its GET JSON (ignored).
    #[serde(rename = "serviceInUse", default, skip_serializing)]
    pub service_in_use: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoomType {
    /// A collecting room (SEB Server's `roomType` `proctoring`).
    #[default]
    Proctoring,
    /// The town-hall room every client joins while it is open.
    Townhall,
    /// A one-to-one room, where a proctor takes one participant aside (`ONE_TO_ONE`; SEB Server's
    /// `ProctoringRoomType.BREAKOUT_ROOM`, `roomType` `breakout`: seb-server
    /// `gbl/model/session/ClientInstruction.java:39-42`).
    Breakout,
}

/// One room of the proctoring plan, given explicitly.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoomSpec {
    #[serde(rename = "type", default)]
    pub room_type: RoomType,
    /// Jitsi room name (`[a-z0-9][a-z0-9_-]*`, at most 64 characters); derived when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub name: Option<String>,
    /// Shown in the meeting; defaults to SEB Server's subjects ("Room 1", "Proctoring Room 1", "Townhall Room").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub subject: Option<String>,
    /// Zoom meeting number (digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub meeting_number: Option<u64>,
    /// Zoom join URL of the meeting (`zoomServerURL` for SEB).
    #[serde(rename = "joinURL", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "uri"))]
    pub join_url: Option<String>,
    /// Zoom's encrypted meeting password (the `pwd` of the join URL; `zoomMeetingKey` for SEB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_key: Option<String>,
}

fn default_server_type() -> ProctoringServerType {
    ProctoringServerType::Zoom
}
fn default_room_size() -> i32 {
    20
}
fn all_features() -> Vec<ProctoringFeature> {
    use ProctoringFeature::*;
    vec![TownHall, OneToOne, Broadcast, EnableChat]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CollectingStrategy {
    Exam,
    ApplySebGroups,
}

/// SEB Server's `ScreenProctoringSettings`, same JSON names (seb-server
/// `gbl/model/exam/ScreenProctoringSettings.java:46-86`); the GET JSON's `id`, `serviceInUse` and
/// `changeStrategyConfirm` are accepted and ignored, as in `service`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenProctoringSettings {
    #[serde(rename = "enableScreenProctoring", default)]
    pub enable_screen_proctoring: bool,
    /// SEB Server runs the bundled screen proctoring service and supplies its URL and credentials
    /// (ProctoringAdminServiceImpl.java:119-134): only the strategy and group name are needed.
    #[serde(default)]
    pub bundled: bool,
    #[serde(
        rename = "spsServiceURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "uri"))]
    pub sps_service_url: Option<String>,
    #[serde(rename = "spsAPIKey", default, skip_serializing_if = "Option::is_none")]
    pub sps_api_key: Option<String>,
    #[serde(
        rename = "spsAPISecret",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sps_api_secret: Option<SecretRef>,
    #[serde(
        rename = "spsAccountId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sps_account_id: Option<String>,
    #[serde(
        rename = "spsAccountPassword",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sps_account_password: Option<SecretRef>,
    #[serde(rename = "spsCollectingStrategy", default = "default_strategy")]
    pub collecting_strategy: CollectingStrategy,
    #[serde(
        rename = "spsCollectingGroupName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Mandatory, 3 to 255 characters (checked with SEB Server's codes).
    pub collecting_group_name: Option<String>,
    #[serde(rename = "spsCollectingGroupSize", default)]
    #[schemars(range(min = 0))]
    pub collecting_group_size: i32,
    #[serde(
        rename = "spsSEBGroupsSelection",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub seb_groups_selection: Option<String>,
    /// `changeStrategyConfirm` of SEB Server's GET JSON, a GUI confirmation (ignored).
    #[serde(rename = "changeStrategyConfirm", default, skip_serializing)]
    pub change_strategy_confirm: Option<bool>,
    /// SEB Server's exam id in its GET JSON (ignored).
    #[serde(default, skip_serializing)]
    pub id: Option<i64>,
    /// Whether SEB Server has the service in use, in its GET JSON (ignored).
    #[serde(rename = "serviceInUse", default, skip_serializing)]
    pub service_in_use: Option<bool>,
}

fn default_strategy() -> CollectingStrategy {
    CollectingStrategy::Exam
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// A `.seb` file (see `encryption`).
    #[default]
    Seb,
    /// A plain XML property list.
    Plist,
}

/// Encryption of a `.seb` output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Encryption {
    /// Unencrypted.
    #[default]
    None,
    /// Password for configuring a client (`pwcc`): the key is the admin password's hash.
    ConfiguringClient,
    /// Password for starting the exam (`pswd`).
    #[serde(untagged)]
    Password(PasswordEncryption),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordEncryption {
    pub password: SecretRef,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputOptions {
    #[serde(default)]
    pub format: OutputFormat,
    #[serde(default)]
    pub encryption: Encryption,
    /// Write only what the exam and its bases set, not every SEB default (as `compile --minimal`):
    /// `sebc import` sets it for a file that leaves settings out, so the Config Key stays the file's.
    #[serde(default, skip_serializing_if = "is_false")]
    pub minimal: bool,
}

/// `exam.participants`: a number, or a roster file with one identity per participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Participants {
    /// How many take the exam; sizes the collecting-room plan.
    Count(u32),
    /// A CSV file (header `id,name`, optional `room`), relative to the exam file: each participant gets
    /// their own token.
    Roster(RosterRef),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterRef {
    /// The CSV file, relative to the exam file.
    #[schemars(length(min = 1))]
    pub roster: String,
}

impl Participants {
    /// The number given, or None for a roster (whose rows count).
    pub fn count(&self) -> Option<u32> {
        match self {
            Participants::Count(n) => Some(*n),
            Participants::Roster(_) => None,
        }
    }
}

/// `service.jaas`: 8x8's Jitsi as a Service (JaaS docs, "The Jitsi JSON Web Token"): RS256 tokens with
/// header `kid`, `aud: jitsi`, `iss: chat`, `sub` the AppID, rooms under the AppID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JaasSettings {
    /// The AppID (`vpaas-magic-cookie-…`): the tenant, `sub` of every token, the prefix of every room.
    #[schemars(regex(pattern = r"^vpaas-magic-cookie-[A-Za-z0-9]+$"))]
    pub app_id: String,
    /// The API key's id (`kid`) as the JaaS console lists it, `<appId>/<key>`, or only the part after
    /// the slash.
    #[schemars(regex(pattern = r"^(vpaas-magic-cookie-[A-Za-z0-9]+/)?[A-Za-z0-9]+$"))]
    pub key_id: String,
    /// The API key's private key, PEM (PKCS#8 or PKCS#1): `{ file: PATH }` or `{ env: NAME }`.
    pub private_key: SecretRef,
    /// JaaS features the proctors' tokens enable; SEB's tokens enable none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proctor_features: Vec<JaasFeature>,
}

impl JaasSettings {
    /// The `kid` header: `<appId>/<key>`.
    pub fn kid(&self) -> String {
        if self.key_id.contains('/') {
            self.key_id.clone()
        } else {
            format!("{}/{}", self.app_id, self.key_id)
        }
    }
}

/// The `context.features` JaaS knows (JaaS docs, "The Jitsi JSON Web Token").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum JaasFeature {
    Livestreaming,
    Recording,
    Transcription,
    SipInboundCall,
    SipOutboundCall,
    InboundCall,
    OutboundCall,
    FileUpload,
    ListVisitors,
    SendGroupchat,
    CreatePolls,
}

impl JaasFeature {
    pub const ALL: [JaasFeature; 11] = [
        JaasFeature::Livestreaming,
        JaasFeature::Recording,
        JaasFeature::Transcription,
        JaasFeature::SipInboundCall,
        JaasFeature::SipOutboundCall,
        JaasFeature::InboundCall,
        JaasFeature::OutboundCall,
        JaasFeature::FileUpload,
        JaasFeature::ListVisitors,
        JaasFeature::SendGroupchat,
        JaasFeature::CreatePolls,
    ];

    /// The claim name in `context.features`.
    pub fn claim(self) -> &'static str {
        match self {
            JaasFeature::Livestreaming => "livestreaming",
            JaasFeature::Recording => "recording",
            JaasFeature::Transcription => "transcription",
            JaasFeature::SipInboundCall => "sip-inbound-call",
            JaasFeature::SipOutboundCall => "sip-outbound-call",
            JaasFeature::InboundCall => "inbound-call",
            JaasFeature::OutboundCall => "outbound-call",
            JaasFeature::FileUpload => "file-upload",
            JaasFeature::ListVisitors => "list-visitors",
            JaasFeature::SendGroupchat => "send-groupchat",
            JaasFeature::CreatePolls => "create-polls",
        }
    }
}
