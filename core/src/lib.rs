//! `ssmpatch` — schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! The crate is layered, bottom up:
//! - [`schedule`]: AWS schedule expressions (`cron`, `rate`, `at`) — parse, per-backend dialect
//!   checks, occurrences in IANA time zones, English descriptions.
//! - [`baseline`]: patch baselines and the `BaselineOverride` documents rendered from them, and
//!   their publishing to an object store.
//! - [`plan`]: the declarative plan — validated, explained (backend choice, compiled schedules,
//!   baseline placement) and with what a compliance strategy adds placed on its backend.
//! - [`run_output`]: reading what `AWS-RunPatchBaseline` printed on a node.
//! - [`strategy`]: the sandbox running compliance strategies (WebAssembly components).
//! - [`backends`]: maintenance windows, associations and patch policies — desired state, SDK
//!   calls, finished runs — behind the `Scheduler` trait, with the pure diff and the one apply.
//! - [`compliance`]: `refresh`, writing compliance after runs AWS does not record.
//! - [`session`]: the one entry point the CLI and Python call: open a plan against AWS, then
//!   diff, apply, destroy and refresh.

//!
//! Features: `aws` (default) builds [`backends`], [`compliance`], [`session`] and the SDK clients
//! ([`aws`]); `strategies` (default, implied by `aws`) builds the wasmtime host of [`strategy`].
//! With `default-features = false` the crate is the schedule engine, plans, baselines, the output
//! parser and the strategy data types, and depends on no async runtime, wasmtime or AWS SDK.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "aws")]
pub mod backends;
pub mod baseline;
#[cfg(feature = "aws")]
pub mod compliance;
pub mod error;
pub mod plan;
pub mod run_output;
pub mod schedule;
#[cfg(feature = "aws")]
pub mod session;
pub mod strategy;
