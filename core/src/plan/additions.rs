//! Operations a compliance strategy adds at plan time (e.g. `rescan`'s scan after the install),
//! checked and placed on the plan's backend.
//!
//! - Maintenance windows: a task in every window of the operation it follows, at a later
//!   priority. "Tasks that have the same priority value are scheduled in parallel"; a lower
//!   number runs first (RegisterTaskWithMaintenanceWindow, `Priority`), so the added task starts
//!   after the followed task has finished.
//! - Associations: State Manager has no ordering between associations, and "if you create a new
//!   association that is scheduled to run while an earlier association is still running, the
//!   earlier association times out" (sysman-state-about). So the followed association gets a
//!   `Duration` — "the number of hours the association can run before it is canceled", honoured
//!   with `ApplyOnlyAtCronInterval` (CreateAssociation) — and the added association is scheduled
//!   that many hours after it, compiled and checked run by run like any other schedule.
//! - Patch policies: nothing can be added (they run one scan and one install schedule, and record
//!   compliance for overridden runs themselves, aws-facts §2.3).

use serde::Serialize;

use crate::error::Error;
use crate::input::echo;
use crate::plan::compile::{CompileOptions, Compiled, NativeForm, compile};
use crate::plan::file::{OperationKind as PlanKind, SettingValue};
use crate::plan::model::Compliance;
use crate::plan::placement::BaselineUse;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;
use crate::strategy::{
    AddedOperation, OperationKind, Pair, PlanInfo, StrategyBackend, StrategyError, StrategyOperation,
};

/// The priority of the plan's own window tasks.
pub const TASK_PRIORITY: i32 = 1;
/// The priority of tasks a strategy adds (runs after [`TASK_PRIORITY`]).
pub const ADDED_TASK_PRIORITY: i32 = 2;
/// Association `Duration` accepts 1-24 hours (CreateAssociation).
const MAX_ASSOCIATION_DURATION_HOURS: u32 = 24;

/// Where an added operation runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
#[non_exhaustive]
pub enum AdditionPlacement {
    /// A task in each window of the followed operation.
    WindowTask {
        /// Its priority (after the followed task's).
        priority: i32,
    },
    /// An association of its own.
    Association {
        /// Its schedule.
        native: NativeForm,
        /// The `Duration` given to the followed association (hours); the added one starts then.
        after_hours: u32,
    },
}

/// One operation a strategy added, placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addition {
    /// Its name (unique in the plan).
    pub name: String,
    /// Scan or install.
    pub kind: PlanKind,
    /// The operation it follows.
    pub after: String,
    /// True when it runs with the followed operation's override.
    pub uses_override: bool,
    /// Where it runs.
    pub placement: AdditionPlacement,
}

/// What the plan's strategy adds, and what the user should know about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Additions {
    /// The strategy's name (empty when the plan has none).
    pub strategy: String,
    /// The operations added.
    pub operations: Vec<Addition>,
    /// Notes (e.g. "adds nothing on patch policies").
    pub notes: Vec<String>,
}

impl Additions {
    /// The addition named `name`.
    pub fn get(&self, name: &str) -> Option<&Addition> {
        self.operations.iter().find(|a| a.name == name)
    }

    /// The additions that follow `operation`.
    pub fn following<'a>(&'a self, operation: &'a str) -> impl Iterator<Item = &'a Addition> + 'a {
        self.operations.iter().filter(move |a| a.after == operation)
    }
}

/// The plan's own strategy: a built-in name or the component's path (`None` for `none`).
pub fn strategy_of(plan: &Plan) -> Option<String> {
    match &plan.compliance {
        Compliance::None => None,
        Compliance::Rescan => Some("rescan".into()),
        Compliance::PutComplianceItems => Some("put-compliance-items".into()),
        Compliance::Custom { path } => Some(path.display().to_string()),
    }
}

pub use super::model::DEFAULT_COMPLIANCE_TYPE;

/// `e`, from the plan's own strategy, with the plan that names it: its name, and where its file
/// is known, the file and the line of `[compliance] strategy`.
pub fn in_plan(plan: &Plan, e: StrategyError) -> StrategyError {
    if matches!(e, StrategyError::InPlan { .. }) {
        return e;
    }
    let at = plan.source.as_ref().and_then(|s| {
        let file = s.file.clone()?;
        let located = s.locate(crate::plan::PlanError::at("compliance.strategy", ""), None);
        Some(match located.line {
            Some(line) => format!(" ({file}, line {line})"),
            None => format!(" ({file})"),
        })
    });
    StrategyError::InPlan { plan: format!("plan `{}`{}", plan.name, at.unwrap_or_default()), error: Box::new(e) }
}

/// What the plan's strategy adds on the chosen backend, placed: the strategy is loaded (a
/// relative component path was resolved against the plan file's directory when the plan was
/// read) and its `plan` called with the plan's settings, so a missing component, a file that is
/// not one, or settings its `plan` rejects fail here — in `validate`, `explain`, `plan` and
/// `apply` alike, before any window runs — naming the plan, the strategy and what it said. A
/// plan whose strategy is `none` adds nothing (and loads nothing).
#[cfg(feature = "strategies")]
pub fn strategy_additions(plan: &Plan, ex: &Explanation, opts: &CompileOptions) -> Result<Additions, Error> {
    let Some(name) = strategy_of(plan) else {
        return Ok(Additions::default());
    };
    let context = |e: StrategyError| Error::Strategy(in_plan(plan, e));
    let host = crate::strategy::default_host().map_err(context)?;
    let strategy = crate::strategy::load(host, &name).map_err(context)?.with_limits(plan.strategy_limits);
    let added = strategy.plan(&plan_info(plan, ex)).map_err(context)?;
    place(plan, ex, &name, added, opts).map_err(|e| match e {
        Error::Strategy(e) => context(e),
        other => other,
    })
}

/// The plan as a strategy sees it.
pub fn plan_info(plan: &Plan, ex: &Explanation) -> PlanInfo {
    let settings = plan
        .compliance_settings()
        .iter()
        .map(|(k, v)| Pair {
            key: k.clone(),
            value: match v {
                SettingValue::Bool(b) => b.to_string(),
                SettingValue::Int(i) => i.to_string(),
                SettingValue::Float(f) => f.to_string(),
                SettingValue::Text(t) => t.clone(),
            },
        })
        .collect();
    PlanInfo {
        name: plan.name.clone(),
        backend: match ex.backend {
            Backend::PatchPolicy => StrategyBackend::PatchPolicy,
            Backend::Association => StrategyBackend::Association,
            Backend::MaintenanceWindow => StrategyBackend::MaintenanceWindow,
        },
        operations: ex
            .operations
            .iter()
            .map(|o| StrategyOperation {
                name: o.name.clone(),
                kind: match o.kind {
                    PlanKind::Scan => OperationKind::Scan,
                    PlanKind::Install => OperationKind::Install,
                },
                uses_override: matches!(o.baseline, BaselineUse::Override { .. }),
            })
            .collect(),
        settings,
        compliance_type: plan.compliance_type().unwrap_or(DEFAULT_COMPLIANCE_TYPE).to_string(),
    }
}

fn valid_operation_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// Check what a strategy added and place it on the plan's backend (pure).
pub fn place(
    plan: &Plan,
    ex: &Explanation,
    strategy: &str,
    added: Vec<AddedOperation>,
    opts: &CompileOptions,
) -> Result<Additions, Error> {
    let fail = |what: String| {
        Error::Strategy(StrategyError::Refused {
            name: strategy.to_string(),
            reason: format!("added an operation that {what}"),
        })
    };
    let mut out = Additions { strategy: strategy.to_string(), ..Additions::default() };
    if added.is_empty() {
        if ex.backend == Backend::PatchPolicy {
            out.notes.push(format!(
                "strategy `{strategy}` adds no operation on patch policies: they record compliance for runs with an \
                 override themselves"
            ));
        }
        return Ok(out);
    }
    if ex.backend == Backend::PatchPolicy {
        return Err(fail(format!(
            "cannot run on a patch policy (`{}`): a patch policy runs one scan and one install schedule",
            echo(&added[0].name)
        )));
    }
    for a in added {
        if !valid_operation_name(&a.name) {
            return Err(fail(format!("has an invalid name `{}` (1-64 letters, digits, `-`, `_`)", echo(&a.name))));
        }
        if plan.operation(&a.name).is_some() || out.get(&a.name).is_some() {
            return Err(fail(format!("is named `{}` like another operation of the plan", echo(&a.name))));
        }
        let Some((op, e)) = plan.operations.iter().zip(&ex.operations).find(|(o, _)| o.name == a.after) else {
            return Err(fail(format!(
                "`{}` follows `{}`, which the plan does not have",
                echo(&a.name),
                echo(&a.after)
            )));
        };
        if a.uses_override && !matches!(e.baseline, BaselineUse::Override { .. }) {
            return Err(fail(format!(
                "`{}` runs with the override of `{}`, which runs without one",
                echo(&a.name),
                echo(&a.after)
            )));
        }
        let kind = match a.kind {
            OperationKind::Scan => PlanKind::Scan,
            OperationKind::Install => PlanKind::Install,
        };
        let placement = match ex.backend {
            Backend::MaintenanceWindow => {
                // The added operation's name is its window task's name (super::limits::NAME_MIN).
                if a.name.len() < super::limits::NAME_MIN {
                    return Err(fail(format!(
                        "is named `{}`, and maintenance-window task names are {}-{} characters \
                         (RegisterTaskWithMaintenanceWindow Name)",
                        echo(&a.name),
                        super::limits::NAME_MIN,
                        super::limits::NAME_MAX
                    )));
                }
                let tasks = 2 + out.following(&a.after).count();
                if tasks > plan.quotas.tasks_per_window as usize {
                    return Err(fail(format!(
                        "would make {tasks} tasks in each window of `{}`, more than {}",
                        echo(&a.after),
                        super::limits::Quotas::describe("tasks-per-window", plan.quotas.tasks_per_window)
                    )));
                }
                AdditionPlacement::WindowTask { priority: ADDED_TASK_PRIORITY }
            }
            Backend::Association => {
                let len = super::limits::operation_name_len(&plan.name, &a.name);
                if len > super::limits::NAME_MAX {
                    return Err(fail(format!(
                        "is named `{}`: its association name `ssmpatch-<plan>-<name>` would be {len} characters, and \
                         AWS allows {} (CreateAssociation AssociationName)",
                        echo(&a.name),
                        super::limits::NAME_MAX
                    )));
                }
                let associations = plan.operations.len() + out.operations.len() + 1;
                if associations > plan.quotas.associations as usize {
                    return Err(fail(format!(
                        "would make the plan's associations {associations}, more than {}",
                        super::limits::Quotas::describe("associations", plan.quotas.associations)
                    )));
                }
                let hours = op.window.duration_hours.clamp(1, MAX_ASSOCIATION_DURATION_HOURS);
                let unplaceable = |why: String| {
                    fail(format!(
                        "cannot be ordered after `{}` on associations: {why} (choose the maintenance-window backend, \
                         where it runs as a later task in the same window)",
                        a.after
                    ))
                };
                let Some(time) = op.intent.time() else {
                    return Err(unplaceable(format!("`{}` does not run at one wall-clock time", a.after)));
                };
                let minutes = i32::from(time.hour()) * 60 + i32::from(time.minute()) + hours as i32 * 60;
                let at = jiff::civil::time((minutes % 1440 / 60) as i8, (minutes % 60) as i8, 0, 0);
                let Some(intent) = op.intent.shifted(minutes / 1440, Some(at)) else {
                    return Err(unplaceable(format!("`{}`'s schedule cannot be moved by hours", a.after)));
                };
                match compile(&intent, Backend::Association, opts) {
                    Compiled::Exact { native } => AdditionPlacement::Association { native, after_hours: hours },
                    Compiled::Fallback { .. } => {
                        return Err(unplaceable(format!("{hours} hours after it needs one-shot windows")));
                    }
                    Compiled::Inexpressible { reason, .. } => {
                        return Err(unplaceable(format!("{hours} hours after it: {reason}")));
                    }
                }
            }
            Backend::PatchPolicy => {
                return Err(fail(format!("cannot run on a patch policy (`{}`)", a.name)));
            }
        };
        out.operations.push(Addition { name: a.name, kind, after: a.after, uses_override: a.uses_override, placement });
    }
    Ok(out)
}
