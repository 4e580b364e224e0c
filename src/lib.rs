//! sebc: a compiler and validator for Safe Exam Browser (SEB) exam configurations.
//!
//! The pipeline runs in one direction, one module per stage:
//! [`load`] (exam files and bases into values with source positions) →
//! [`validate`] (JSON Schema, settings catalog, semantic rules) →
//! [`merge`] (SEB defaults ← bases ← `seb` ← `proctoring`, with provenance) →
//! [`emit`] (canonical plist, output files).
//! [`proctoring`] plans rooms and signs tokens from the validated exam (its checks are validate's);
//! [`clients`] checks the merged settings against the SEB releases the exam targets.
//! Shared types and helpers ([`diagnostic`], [`catalog`], [`exam`], [`secret`], [`sandbox`],
//! [`timestamp`], [`address`]) serve the stages; no stage reaches back into an earlier one.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![forbid(unsafe_code)]
// `Diagnostic` is the error type of every stage; it is built once per problem, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod address;
pub mod catalog;
pub mod cli;
pub mod clients;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod exam;
pub mod import;
pub mod init;
pub mod load;
pub mod merge;
pub mod plist_json;
pub mod plist_lines;
pub mod pointer;
pub mod portability;
pub mod proctoring;
pub mod resolve;
pub mod roster;
pub mod sandbox;
pub mod schema;
pub mod secret;
pub mod source;
pub mod timestamp;
pub mod validate;
