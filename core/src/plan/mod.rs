//! Plans: one declarative file for targets, baselines, per-operation approval and schedules.
//!
//! Layers: the file (serde types as written; its JSON Schema is [`schema_json`]) → the validated
//! [`Plan`] → schedules ([`CalendarRule`]s a person would say, [`compile`]d to each backend's
//! native form and verified over ten years) → [`Plan::explain`] (backend choice, baseline
//! [`Placement`], calendar of runs) → what a compliance strategy adds ([`Additions`]).
//!
//! ```
//! use ssmpatch::plan::{CompileOptions, Plan, Source};
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

pub(crate) mod additions;
mod calendar;
mod compile;
mod error;
mod explain;
pub(crate) mod file;
pub mod limits;
mod load;
mod model;
#[cfg(feature = "aws")]
pub(crate) use model::valid_region;
mod patch_policy;
mod placement;

#[cfg(feature = "strategies")]
pub use additions::strategy_additions;
pub use additions::{
    ADDED_TASK_PRIORITY, Addition, AdditionPlacement, Additions, DEFAULT_COMPLIANCE_TYPE, TASK_PRIORITY, in_plan,
    place, plan_info, strategy_of,
};
pub use calendar::{CalendarRule, MAX_SHIFT_DAYS, Nth, Recurrence, ScheduleSpec};
pub use compile::{
    CompileOptions, Compiled, DEFAULT_FALLBACK_WINDOWS, Difference, Intent, IntentKind, NativeForm, VERIFY_YEARS,
    compile,
};
pub use error::{PlanError, PlanErrors};
pub use explain::{Calendar, Choice, Explanation, OperationExplanation, OperationRuns, Rejection, Run};
pub use file::{OperationKind, PLAN_VERSION, RebootOption, UndeclaredOs, schema_json};
pub use load::{Format, Source, line_column};
pub use model::{
    Compliance, DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_ERRORS, DEFAULT_ONE_SHOT_RETENTION_DAYS, DEFAULT_OUTPUT_PREFIX,
    DEFAULT_OVERRIDE_PREFIX, DEFAULT_WINDOW_CUTOFF_HOURS, DEFAULT_WINDOW_DURATION_HOURS, MAX_ONE_SHOT_RETENTION_DAYS,
    Operation, Plan, RulesFrom, S3Location, Targets,
};
pub use patch_policy::{
    AWS_DEFAULT_BASELINES, BaselineSource, DEFAULT_ADMINISTRATION_ROLE, DEFAULT_ATTACH_NODE_POLICIES,
    DEFAULT_EXECUTION_ROLE, DEPLOYMENT_ROLE_POLICY, LEGACY_ADMINISTRATION_ROLE, LEGACY_EXECUTION_ROLE, OsBaseline,
    PatchPolicyExplanation, PatchPolicySettings, aws_default_baseline,
};
pub use placement::{BaselineUse, Placement};
