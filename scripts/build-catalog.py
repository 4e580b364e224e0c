#!/usr/bin/env python3
"""Build sebc's settings catalog (schemas/seb-catalog.json) from the research data.

Inputs (read-only, outside the repository):
  ../shared/data/seb-settings.json      SEB Server's 319 settings (types, defaults, allowed values, tables)
  ../shared/spec/seb-file-format.md     Appendix A: client-only keys (macOS / Windows defaults)
  the clients' own key lists, from the bare git mirrors (see scripts/build-client-data.py), at the newest
  release tag and at the default branch:
    SafeExamBrowser/seb-win-refactoring  SebWindowsConfig/SEBSettings.cs (the Config Tool's `settingsDefault`
                                         and the per-table `...DataDefault` rows: keys, types, defaults) and
                                         ConfigurationData/Keys.cs with the references to its constants (what
                                         the client reads)
    SafeExamBrowser/seb-mac              Classes/ConfigFiles/SEBSettings.m (the default settings dictionary and
                                         the table/sub-dictionary defaults) and every key the code names
  LEGACY below: keys older clients (SEB 2.x) wrote that real files still carry and no current source names,
  each with the file it was seen in.

A key no current client reads (not read by Windows' Keys.cs references, not in macOS's defaults nor named in
its code, at the newest release or the default branch), or one macOS lists in removedSEBSettings, is
`deprecated` (sebc warns `outdated-setting` and does not write it by default).

The output is sebc's own format, committed to the repository; sebc embeds it at build time.
Run from the repository root:  python3 scripts/build-catalog.py [SHARED_DIR [WIN_MIRROR MAC_MIRROR]]
"""
import importlib.util
import json
import re
import sys
from pathlib import Path

shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
server = json.loads((shared / "data/seb-settings.json").read_text())
spec = (shared / "spec/seb-file-format.md").read_text()
print(f"read {shared / 'data/seb-settings.json'}: {len(server)} SEB Server settings")
print(f"read {shared / 'spec/seb-file-format.md'}: Appendix A, removedSEBSettings")

# The mirror helpers (git access, release tags, Keys.cs and SEBSettings.m parsers) are shared with the
# client-data script.
_spec = importlib.util.spec_from_file_location("client_data", Path(__file__).with_name("build-client-data.py"))
cd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cd)
WIN = Path(sys.argv[2]) if len(sys.argv) > 2 else cd.MIRRORS / "SafeExamBrowser+seb-win-refactoring/repo"
MAC = Path(sys.argv[3]) if len(sys.argv) > 3 else cd.MIRRORS / "SafeExamBrowser+seb-mac/repo"
WIN_TOOL = "SebWindowsConfig/SEBSettings.cs"

# Keys macOS lists in removedSEBSettings (spec §5.3): still read from files, deleted on re-save.
removed = re.search(r"\(`removedSEBSettings`\)[^:]*:\s*`([^`]+)`", spec, re.S)
REMOVED = {k.strip() for k in removed.group(1).replace("\n", " ").split(",")} if removed else set()

TYPES = {"bool": "boolean", "integer": "integer", "string": "string", "real": "real",
         "array": "array", "dict": "dict", "data": "data", "?": "any"}


def parse_default(text, typ):
    """Parse an Appendix A default cell; None when unknown or not stated."""
    text = text.strip()
    if text.startswith("—") or text.startswith("{…}"):
        return None
    if typ == "data":
        return "" if text == "(empty)" else None
    if text.startswith('"'):
        return text[1:text.index('"', 1)]
    if text == "[]":
        return []
    if text in ("true", "false"):
        return text == "true"
    m = re.match(r"^(-?\d+(?:\.\d+)?)", text)
    if m:
        num = float(m.group(1))
        return num if typ == "real" else int(num)
    return None


def column(c):
    out = {"key": c["name"], "type": c["plistType"], "default": c["default"]}
    if c.get("allowed") is not None:
        out["allowed"] = c["allowed"]
    if c.get("columns"):
        out["columns"] = [column(x) for x in c["columns"]]
    return out


settings = []
for s in server:
    entry = {"key": s["name"], "type": s["plistType"], "origin": "seb-server", "tab": s["tab"],
             "default": s["default"], "emitDefault": s["name"] not in ("originatorVersion", "kioskMode")}
    if s["name"] == "kioskMode":
        # RADIO_SELECTION 0/1/2, exported as the booleans createNewDesktop/killExplorerShell.
        entry.update(type="integer", default=0, allowed=[0, 1, 2], expandsTo=s["allowed"])
    elif s["allowed"] is not None:
        entry["allowed"] = s["allowed"]
        if s["type"] == "COMBO_SELECTION":
            entry["allowedIsSuggestion"] = True
    if s["range"]:
        entry["range"] = s["range"]
    if s["columns"]:
        entry["columns"] = [column(c) for c in s["columns"]]
    if s["plistType"] == "array":
        entry["items"] = "string"
    settings.append(entry)


# ---------------------------------------------------------------- the clients' own key lists

def at(repo, rev, path):
    try:
        return cd.git(repo, "show", f"{rev}:{path}")
    except Exception:  # noqa: BLE001 - a file missing at a revision is simply not read there
        return None


def newest_release(repo):
    return f"refs/tags/{cd.release_tags(repo)[-1][2]}"


def short(repo, rev):
    return f"{rev.removeprefix('refs/tags/')} ({cd.git(repo, 'rev-parse', rev + '^{commit}').strip()[:8]})"


def cs_value(text, ints):
    """A C# default value -> (sebc type, default); (None, None) when it is not a literal."""
    v = text.strip()
    if v in ("true", "false"):
        return "boolean", v == "true"
    if re.fullmatch(r"-?\d+", v):
        return "integer", int(v)
    if re.fullmatch(r"-?\d+\.\d+", v):
        return "real", float(v)
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', v):
        return "string", v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if v.startswith("new ListObj"):
        return "array", []
    if v.startswith("new DictObj"):
        return "dict", None
    if v.startswith(("new Byte[", "new byte[")):
        return "data", ""
    if v in ints:
        return "integer", ints[v]
    return None, None


# Config Tool table defaults -> the catalog table they describe.
TOOL_TABLES = {"settingsDefault": None, "permittedProcessDataDefault": "permittedProcesses",
               "prohibitedProcessDataDefault": "prohibitedProcesses",
               "embeddedCertificateDataDefault": "embeddedCertificates", "proxiesDataDefault": "proxies"}


def windows_tool(repo, rev):
    """SebWindowsConfig/SEBSettings.cs -> (constant name -> key, {table or None: {key: (type, default, line)}})."""
    text = at(repo, rev, WIN_TOOL) or ""
    names = dict(re.findall(r'const\s+[Ss]tring\s+(\w+)\s*=\s*"([^"]*)"', text))
    ints = {k: int(v) for k, v in re.findall(r"const\s+int\s+(\w+)\s*=\s*(-?\d+)\s*;", text)}
    tables = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*SEBSettings\.(\w+)\.Add\(SEBSettings\.(\w+)\s*,\s*(.*)\);", line)
        if not m or m.group(1) not in TOOL_TABLES or m.group(2) not in names:
            continue
        typ, default = cs_value(m.group(3), ints)
        tables.setdefault(TOOL_TABLES[m.group(1)], {}).setdefault(names[m.group(2)], (typ, default, n))
    return names, tables


def windows_read(repo, rev):
    """The keys whose Keys.cs constant SafeExamBrowser.Configuration references at `rev`."""
    keys_cs = at(repo, rev, cd.WIN_KEYS)
    if keys_cs is None:
        return set()
    consts = cd.parse_keys_cs(keys_cs)
    out = cd.git(repo, "grep", "-h", "-o", "-E", r"Keys\.[A-Z][A-Za-z.]*[A-Za-z]", rev, "--", f"{cd.WIN_CONF}/*.cs")
    refs = {r.split(":", 1)[-1].removeprefix("Keys.") for r in out.split()}
    return {key for path, (key, _) in consts.items() if path in refs}


def objc_value(v):
    v = v.strip().rstrip(",").strip()
    if v in ("@YES", "@NO"):
        return "boolean", v == "@YES"
    if v.startswith('@"'):
        return "string", v[2:-1]
    m = re.fullmatch(r"@\(?(-?\d+)\)?", v)
    if m:
        return "integer", int(m.group(1))
    m = re.fullmatch(r"@\(?(-?\d+\.\d+)\)?", v)
    if m:
        return "real", float(m.group(1))
    if v.startswith("@["):
        return "array", []
    if "NSData" in v:
        return "data", ""
    if v.startswith("@("):
        return "integer", None
    return None, None


def mac_tables(text):
    """SEBSettings.m table and sub-dictionary defaults -> {table: {column: (type, default, line)}}."""
    _, tables = cd.parse_mac_defaults(text)
    lines = text.splitlines()
    out = {}
    for table, cols in tables.items():
        for col, n in cols.items():
            m = re.match(r'\s*@"\w+"\s*:\s*(.*)$', lines[n - 1])
            typ, default = objc_value(m.group(1)) if m else (None, None)
            out.setdefault(table, {})[col] = (typ, default, n)
    return out


def mac_named(repo, rev):
    """Every settings key seb-mac's code names at `rev` (`@"key"`, `@"org_safeexambrowser_SEB_key"`)."""
    out = cd.git(repo, "grep", "-h", "-o", "-E", r'"(org_safeexambrowser_SEB_)?[A-Za-z][A-Za-z0-9_]*"', rev,
                 "--", "*.m", "*.h", "*.swift")
    return {w.strip('"').removeprefix("org_safeexambrowser_SEB_") for w in out.split()}


win_rel, mac_rel = newest_release(WIN), newest_release(MAC)
win_where, mac_where = short(WIN, win_rel), short(MAC, mac_rel)
tool_names, tool = windows_tool(WIN, win_rel)
win_reads = windows_read(WIN, win_rel) | windows_read(WIN, "HEAD")
mac_text = at(MAC, mac_rel, cd.MAC_DEFAULTS) or ""
mac_root, _ = cd.parse_mac_defaults(mac_text)
mac_cols = mac_tables(mac_text)
mac_names = mac_named(MAC, mac_rel) | mac_named(MAC, "HEAD")
CURRENT = win_reads | set(mac_root) | mac_names
print(f"read {cd.WIN_REPO} {win_where}: {WIN_TOOL} {len(tool.get(None, {}))} settings, "
      f"{sum(len(c) for k, c in tool.items() if k)} table columns; {cd.WIN_KEYS} with HEAD: {len(win_reads)} keys read")
print(f"read {cd.MAC_REPO} {mac_where}: {cd.MAC_DEFAULTS} {len(mac_root)} settings, "
      f"{sum(len(c) for c in mac_cols.values())} table columns; with HEAD: {len(mac_names)} names in the code")

# Keys older clients wrote (SEB 2.x) that real files carry and no current client source names:
# key -> (type, where it was seen). Table columns as "table/column".
LEGACY_NOTE = "written by SEB 2.x clients; seen in {}"
LEGACY = {
    "outsideSebEnableChangeAPassword": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableEaseOfAccess": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableLockThisComputer": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableLogOff": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableShutDown": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableStartTaskManager": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableSwitchUser": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "outsideSebEnableVmWareClientShade": ("boolean", "seb-win-refactoring TestDictionary1-3 (SEB_OSX/iOS 2.1)"),
    "insideSebEnableEnableNetworkConnectionSelector": ("boolean", "Moodle's encrypted.seb (SEB Windows 2.3 "
                                                       "Config Tool), SEB Server importTest.seb"),
    "examSessionClearSessionCookies": ("boolean", "Moodle's unencrypted_mac_001.seb (SEB_OSX 2.1.4)"),
    "examConfigKeyContainedKeys": ("any", "seb-win-refactoring TestDictionary2-3, SEB Server importTest.seb"),
    "configKeyContainedKeys": ("any", "seb-win-refactoring TestDictionary3 (SEB_OSX 2.1.3)"),
    "allowWLAN": ("boolean", "seb-win-refactoring TestDictionary1-3 (the old spelling of allowWlan)"),
    "URLFilterBlacklist": ("array", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "URLFilterWhitelist": ("array", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "URLFilterRulesAsRegex": ("boolean", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "cryptoIdentity": ("integer", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "enableAltCtrl": ("boolean", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "enableAppFolderCheck": ("boolean", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "mobileAllowGuidedAccess": ("boolean", "seb-win-refactoring TestDictionary2-3 (SEB_iOS 2.1), SEB Server "
                                "importTest.seb; macOS removedSEBSettings"),
    "settingsPassword": ("string", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "permittedProcesses/autohide": ("boolean", "seb-win-refactoring TestDictionary1 (SEB_OSX 2.1.2)"),
    "embeddedCertificates/certificateDataWin": ("string", "seb-win-refactoring TestDictionary3; SEB Windows 2.x "
                                                "Config Tool"),
}
# SEB for macOS 2.1 wrote the `proxies` children with its user-defaults prefix.
for c in ("AutoConfigurationEnabled", "AutoConfigurationJavaScript", "AutoConfigurationURL", "AutoDiscoveryEnabled",
          "ExceptionsList", "ExcludeSimpleHostnames", "FTPPassive"):
    LEGACY[f"proxies/org_safeexambrowser_SEB_{c}"] = (None, "Moodle's unencrypted_mac_001.seb (SEB_OSX 2.1.4)")
for proto in ("HTTP", "HTTPS", "FTP", "SOCKS", "RTSP"):
    for c in ("Enable", "Password", "Port", "Proxy", "RequiresPassword", "Username"):
        LEGACY[f"proxies/org_safeexambrowser_SEB_{proto}{c}"] = (None, "Moodle's unencrypted_mac_001.seb "
                                                                       "(SEB_OSX 2.1.4)")

for s in settings:
    s["note"] = "SEB Server configuration attribute (seb-settings.json)"
known = {s["key"] for s in settings}
for line in spec.split("## Appendix A", 1)[1].splitlines():
    m = re.match(r"^\| `([^`]+)` \| ([^|]+) \| (.*) \| (.*) \|$", line.rstrip())
    if not m:
        continue
    key, typ, mac, win = m.groups()
    # A few rows name the Config Tool's constant (`KeyAudioMute`) instead of the key it stands for.
    key = tool_names.get(key, key) if key.startswith("Key") else key
    if key in known:
        continue
    known.add(key)
    typ = TYPES[typ.strip()]
    mac_d, win_d = parse_default(mac, typ), parse_default(win, typ)
    default = mac_d if mac_d is not None else win_d
    entry = {"key": key, "type": typ, "origin": "client", "tab": None, "default": default,
             # Emit a default only where both clients know the key (their built-in defaults may differ),
             # never for data (SEB generates salts itself).
             "emitDefault": mac_d is not None and win_d is not None and typ != "data" and key not in REMOVED,
             "platforms": [p for p, d in (("macos", mac), ("windows", win)) if not d.strip().startswith("—")],
             "note": "seb-file-format.md Appendix A (seb-mac SEBSettings.m, SebWindowsConfig SEBSettings.cs, Keys.cs)"}
    if mac_d is not None and win_d is not None and mac_d != win_d:
        entry["platformDefaults"] = {"macos": mac_d, "windows": win_d}
    if typ == "array":
        entry["items"] = "any"
    settings.append(entry)

# Root keys the clients' sources list that neither SEB Server nor Appendix A has.
for key, (typ, default, line) in sorted(tool.get(None, {}).items()):
    if key in known:
        continue
    known.add(key)
    typ = typ or "any"
    entry = {"key": key, "type": typ, "origin": "client", "tab": None, "default": default, "emitDefault": False,
             "platforms": ["windows"], "note": f"{cd.WIN_REPO} {WIN_TOOL}:{line} @ {win_where}"}
    if typ == "array":
        entry["items"] = "any"
    settings.append(entry)
for key, line in sorted(mac_root.items()):
    if key not in known:
        known.add(key)
        settings.append({"key": key, "type": "any", "origin": "client", "tab": None, "default": None,
                         "emitDefault": False, "platforms": ["macos"],
                         "note": f"{cd.MAC_REPO} {cd.MAC_DEFAULTS}:{line} @ {mac_where}"})
for key, (typ, seen) in sorted(LEGACY.items()):
    if "/" in key or key in known:
        continue
    known.add(key)
    entry = {"key": key, "type": typ, "origin": "client", "tab": None, "default": None, "emitDefault": False,
             "note": LEGACY_NOTE.format(seen)}
    if typ == "array":
        entry["items"] = "any"
    settings.append(entry)

# Tables: the columns the clients list (Config Tool row defaults, macOS table defaults) and the legacy ones.
# A client-only column is known (validated, typed) but not filled into rows the author writes: SEB Server
# does not know it, and the clients supply their own default.
by_key = {s["key"]: s for s in settings}
TABLE_TYPES = {"embeddedCertificates": "arrayOfDicts", "sebServerConfiguration": "dict"}
for table in sorted(set(mac_cols) | {t for t in tool if t}):
    s = by_key.get(table)
    if s is None or s["type"] not in ("arrayOfDicts", "dict") and table not in TABLE_TYPES:
        continue  # additionalResources: recursive rows of any shape, left as an array of anything
    if table in TABLE_TYPES and s["type"] != TABLE_TYPES[table]:
        s["type"] = TABLE_TYPES[table]
        s.pop("items", None)
    cols = s.setdefault("columns", [])
    have = {c["key"] for c in cols}
    win_t, mac_t = tool.get(table, {}), mac_cols.get(table, {})
    for col in sorted(set(win_t) | set(mac_t)):
        if col in have:
            continue
        w, m = win_t.get(col), mac_t.get(col)
        typ = (m or w)[0] or (w or m)[0] or "any"
        mac_d, win_d = (m[1] if m else None), (w[1] if w else None)
        c = {"key": col, "type": typ, "default": mac_d if mac_d is not None else win_d, "emitDefault": False,
             "platforms": [p for p, x in (("macos", m), ("windows", w)) if x],
             "note": "; ".join(([f"{cd.MAC_REPO} {cd.MAC_DEFAULTS}:{m[2]} @ {mac_where}"] if m else []) +
                               ([f"{cd.WIN_REPO} {WIN_TOOL}:{w[2]} @ {win_where}"] if w else []))}
        if typ == "array" and col != "ExceptionsList":
            c["type"] = "any"  # rows of another shape (macOS leaves them empty); ExceptionsList holds strings
        if mac_d is not None and win_d is not None and mac_d != win_d:
            c["platformDefaults"] = {"macos": mac_d, "windows": win_d}
        if c["type"] == "data":
            c["default"] = None
        cols.append(c)
        have.add(col)
for key, (typ, seen) in sorted(LEGACY.items()):
    if "/" not in key:
        continue
    table, col = key.split("/", 1)
    cols = by_key[table].setdefault("columns", [])
    if col in {c["key"] for c in cols}:
        continue
    if typ is None:  # a prefixed `proxies` child: the type of the child it stands for
        typ = next(c["type"] for c in cols if c["key"] == col.removeprefix("org_safeexambrowser_SEB_"))
    cols.append({"key": col, "type": typ, "default": None, "emitDefault": False, "deprecated": True,
                 "note": LEGACY_NOTE.format(seen)})

# Outdated: no current client reads the key (sebc's own keys and kioskMode, which stands for two keys, aside).
outdated = []
for s in settings:
    if s["origin"] == "sebc" or s.get("expandsTo"):
        continue
    if s["key"] in CURRENT and not (s["key"] in REMOVED and s["key"] not in win_reads):
        s.pop("deprecated", None)
        continue
    s["deprecated"] = True
    s["emitDefault"] = False
    outdated.append(s["key"])
print(f"outdated (no current client reads them, or macOS removes them and Windows does not read them): "
      f"{len(outdated)}: {', '.join(sorted(outdated, key=str.lower))}")

# Author-facing password settings: secret references, hashed into their SEB key.
for virtual, target in (("adminPassword", "hashedAdminPassword"), ("quitPassword", "hashedQuitPassword")):
    settings.append({"key": virtual, "type": "secret", "origin": "sebc", "tab": "general", "default": None,
                     "emitDefault": False, "hashedInto": target})

settings.sort(key=lambda s: (s["key"].lower(), [c.isupper() for c in s["key"]]))
catalog = {
    "description": "sebc settings catalog: every SEB setting with its plist type, default and allowed values. "
                   "Generated by scripts/build-catalog.py from SEB Server's configuration attributes "
                   "(seb-server ab20dca3), the client-only keys of SEB for macOS and Windows (spec Appendix A and "
                   f"the clients' sources: {cd.WIN_REPO} {win_where}, {cd.MAC_REPO} {mac_where}, each with its "
                   "default branch) and keys older clients wrote (`note` on each entry says where it comes from).",
    "settings": settings,
}
out = Path("schemas/seb-catalog.json")
out.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out}: {len(settings)} settings "
      f"({sum(s['origin'] == 'seb-server' for s in settings)} SEB Server, "
      f"{sum(s['origin'] == 'client' for s in settings)} client-only, "
      f"{sum(s['emitDefault'] for s in settings)} emitted by default)")
