//! `ssmpatch` — schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! One declarative plan ("scan with 14-day approval a week before, install with 21-day approval
//! on the last Sunday") becomes the resources of one of Patch Manager's three schedulers — a
//! Quick Setup patch policy, State Manager associations or maintenance windows — chosen by what
//! each can express, with `BaselineOverride` documents where the approval differs from the
//! baseline; and, after runs that AWS does not record in the compliance report, a sandboxed
//! strategy refreshes it.
//!
//! # The flow: load → explain → diff → apply → refresh
//!
//! [`Plan::load`] validates a plan file (errors name the file, line and column);
//! [`Plan::explain`] says, offline, which backend runs it and why, each schedule in that
//! backend's dialect and the baseline each operation uses; [`Session::open`] connects to AWS;
//! [`Session::diff`] reads what exists and [`Session::apply`] changes only what differs;
//! [`Session::refresh`] writes compliance after the plan's runs. The program below is
//! `core/examples/guide.rs`, which the tests run against the local AWS stand-in:
//!
//! ```no_run
#![cfg_attr(feature = "aws", doc = include_str!("../examples/guide.rs"))]
//! ```
//!
//! # Only the schedule engine
//!
//! With `default-features = false` the crate is the schedule engine, plans, baselines, the
//! output parser and the strategy data types — no async runtime, wasmtime or AWS SDK:
//!
//! ```
//! use ssmpatch::schedule::{Backend, Schedule, Timing};
//!
//! let s = Schedule::parse("cron(0 2 ? * 1L *)")?; // 02:00 on the last Sunday of the month
//! let after: jiff::Timestamp = "2026-06-01T00:00:00Z".parse()?;
//! let next = s.next_n(&Timing::utc(), after, 1)?;
//! assert_eq!(next[0].timestamp().to_string(), "2026-06-28T02:00:00Z");
//! assert!(s.check(Backend::MaintenanceWindow, &Timing::utc()).is_ok());
//! let tokyo = Timing::in_zone("Asia/Tokyo")?;
//! assert!(!s.check(Backend::Association, &tokyo).is_ok()); // associations run in UTC only
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/schedule-only/` in the repository is such a consumer.
//!
//! # Layers, bottom up
//!
//! - [`schedule`]: AWS schedule expressions (`cron`, `rate`, `at`) — parse, per-backend dialect
//!   checks, occurrences in IANA time zones, English descriptions.
//! - [`baseline`]: patch baselines and the `BaselineOverride` documents rendered from them, and
//!   their publishing to an object store.
//! - [`plan`]: the declarative plan — validated, explained (backend choice, compiled schedules,
//!   baseline placement) and with what a compliance strategy adds placed on its backend.
//! - [`run_output`]: reading what `AWS-RunPatchBaseline` printed on a node.
//! - [`strategy`]: compliance strategies — their data types, and (feature `strategies`) the
//!   sandbox running them as WebAssembly components.
//! - [`backends`] (feature `aws`): maintenance windows, associations and patch policies —
//!   desired state, SDK calls, finished runs — behind the `Scheduler` trait, with the pure diff
//!   and the one apply.
//! - [`compliance`] (feature `aws`): `refresh`, writing compliance after runs AWS does not record.
//! - [`session`] (feature `aws`): the one entry point the CLI and Python call.
//! - [`error`]: [`Error`], and [`Hint`]: what to do next, for every error.
//! - [`input`]: files read up to a limit, and values echoed in messages clipped and escaped.
//!
//! # Features
//!
//! - `aws` (default): [`backends`], [`compliance`], [`session`] and the SDK clients ([`aws`]).
//!   Implies `strategies`.
//! - `strategies` (default): the wasmtime host of [`strategy`], with the built-in strategies
//!   `put-compliance-items` and `rescan` embedded.
#![warn(missing_docs, unreachable_pub)]

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "aws")]
pub mod backends;
pub mod baseline;
#[cfg(feature = "aws")]
pub mod compliance;
pub mod error;
pub mod input;
#[cfg(feature = "aws")]
pub mod lease;
pub mod plan;
pub mod run_output;
pub mod schedule;
#[cfg(feature = "aws")]
pub mod session;
pub mod strategy;

pub use error::{Error, Hint};
pub use plan::{CompileOptions, Plan, Source};
pub use schedule::{Backend, Schedule, Timing};
#[cfg(feature = "aws")]
pub use session::{Session, SessionOptions};
