//! `ssmpatch` — schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! The crate is layered:
//! - [`schedule`]: AWS schedule expressions (`cron`, `rate`, `at`) — parse, per-backend dialect
//!   checks, occurrences in IANA time zones, English descriptions.
//! - [`baseline`]: `BaselineOverride` documents (the `GetPatchBaseline` shape AWS-RunPatchBaseline reads).
//! - [`compliance`]: reading what `AWS-RunPatchBaseline` printed.

pub mod aws;
pub mod baseline;
pub mod compliance;
pub mod error;
pub mod plan;
pub mod schedule;
pub mod scheduler;
pub mod strategy;
