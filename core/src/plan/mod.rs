//! Plans: one declarative file for targets, baselines, per-operation approval and schedules.
//!
//! Layers: [`file`] (serde types as written) → [`model`] (validated [`Plan`]) →
//! [`calendar`] + [`compile`] (schedules: rules a person would say → each backend's native
//! form, verified over ten years) → [`explain`] (backend choice, baseline [`placement`],
//! calendar of runs).
//!
//! ```
//! use ssmpatch::plan::{Plan, Source};
//! use ssmpatch::plan::compile::CompileOptions;
//!
//! let text = r#"
//! version = 1
//! name = "web-weekly"
//! time-zone = "Asia/Tokyo"
//! targets = { tags = { "Patch Group" = "web" } }
//!
//! [[baselines.AMAZON_LINUX_2023.approval-rules]]
//! approve-after-days = 7
//!
//! [operations.install]
//! kind = "install"
//! schedule = "every sunday at 02:00"
//! "#;
//! let plan = Plan::from_source(Source::new(Some("web.toml"), text))?;
//! let ex = plan.explain(&CompileOptions::from("2026-06-01T00:00:00Z".parse()?))?;
//! // 02:00 Sunday in Tokyo is Saturday 17:00 UTC: a patch policy runs it exactly.
//! assert_eq!(ex.backend.as_str(), "patch-policy");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod additions;
pub mod calendar;
pub mod compile;
mod error;
pub mod explain;
pub mod file;
mod load;
pub mod model;
pub mod placement;

pub use error::{PlanError, PlanErrors};
pub use explain::{Calendar, Choice, Explanation, Run};
pub use load::{Format, Source, line_column};
pub use model::{Operation, Plan};
