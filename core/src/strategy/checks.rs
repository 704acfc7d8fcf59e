//! The host's checks of what a strategy returns, and the conversion of a parsed run into what a
//! strategy reads — pure, whatever runs the strategy.

use super::error::StrategyError;
use super::limits::Limits;
use super::types::{
    Action, AddedOperation, OperationKind, Pair, PatchPackage, PlanInfo, PutCompliance, RunResult, StrategyRun,
};

/// Most operations a strategy may add at plan time.
pub const MAX_ADDED_OPERATIONS: usize = 100;

/// Most compliance items in one `PutCompliance` (PutComplianceItems accepts at most 10,000 items
/// per call, API reference).
pub const MAX_COMPLIANCE_ITEMS: usize = 10_000;

/// The host's checks of what `plan` returned (the strategy `name`): at most
/// [`MAX_ADDED_OPERATIONS`]. The names and places of the operations are checked where they are
/// placed on the plan.
pub fn validate_added_operations(name: &str, ops: &[AddedOperation]) -> Result<(), StrategyError> {
    if ops.len() > MAX_ADDED_OPERATIONS {
        return Err(StrategyError::TooMuchOutput {
            name: name.into(),
            what: format!("{} added operations", ops.len()),
        });
    }
    Ok(())
}

/// The host's checks of what `after_run` returned (the strategy `name`), in this order: at most
/// `limits.max_actions` actions ([`StrategyError::TooMuchOutput`]); then, action by action, at
/// most [`MAX_COMPLIANCE_ITEMS`] items per `PutCompliance` ([`StrategyError::TooMuchOutput`])
/// and a compliance type `Patch` or `Custom:<name>` ([`StrategyError::Failed`]). The first
/// failing check is returned.
pub fn validate_actions(name: &str, limits: &Limits, actions: &[Action]) -> Result<(), StrategyError> {
    if actions.len() > limits.max_actions {
        return Err(StrategyError::TooMuchOutput { name: name.into(), what: format!("{} actions", actions.len()) });
    }
    for a in actions {
        if let Action::PutCompliance(p) = a {
            if p.items.len() > MAX_COMPLIANCE_ITEMS {
                return Err(StrategyError::TooMuchOutput {
                    name: name.into(),
                    what: format!(
                        "{} compliance items for {} (PutComplianceItems takes 10,000)",
                        p.items.len(),
                        p.instance_id
                    ),
                });
            }
            if !(p.compliance_type == "Patch" || p.compliance_type.starts_with("Custom:")) {
                return Err(StrategyError::Failed {
                    name: name.into(),
                    message: format!("compliance type `{}` is neither `Patch` nor `Custom:<name>`", p.compliance_type),
                });
            }
            if let Some(problem) = put_compliance_problem(p) {
                return Err(StrategyError::Failed {
                    name: name.into(),
                    message: format!("PutComplianceItems for {}: {problem}", p.instance_id),
                });
            }
        }
    }
    Ok(())
}

/// What PutComplianceItems would reject in `p` (botocore's SSM model, PutComplianceItemsRequest),
/// so one bad item is reported with its strategy instead of failing the call at AWS.
fn put_compliance_problem(p: &PutCompliance) -> Option<String> {
    let t = &p.compliance_type;
    if !compliance_type_name_is_valid(t) {
        return Some(format!(
            "compliance type `{t}` is not a valid type name (`Patch` or `Custom:` and 2+ word characters)"
        ));
    }
    if p.instance_id.is_empty() || p.instance_id.len() > 100 {
        return Some("the resource id must be 1-100 characters".into());
    }
    if p.execution_id.len() > 100 {
        return Some("the execution id is longer than 100 characters".into());
    }
    if p.content_hash.len() > 256 {
        return Some("the item content hash is longer than 256 characters".into());
    }
    for i in &p.items {
        let problem = if !["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"]
            .contains(&i.severity.as_str())
        {
            Some(format!("severity `{}` is not CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNSPECIFIED", i.severity))
        } else if !["COMPLIANT", "NON_COMPLIANT"].contains(&i.status.as_str()) {
            Some(format!("status `{}` is not COMPLIANT or NON_COMPLIANT", i.status))
        } else if i.title.chars().count() > 500 {
            Some("the title is longer than 500 characters".into())
        } else if let Some(d) = i.details.iter().find(|d| d.key.is_empty() || d.key.chars().count() > 64) {
            Some(format!("detail key `{}` is not 1-64 characters", d.key))
        } else {
            i.details
                .iter()
                .find(|d| d.value.chars().count() > 4096)
                .map(|d| format!("detail `{}` is longer than 4,096 characters", d.key))
        };
        if let Some(problem) = problem {
            return Some(format!("item `{}`: {problem}", i.id));
        }
    }
    None
}

/// PutComplianceItems' `ComplianceTypeName` (botocore's SSM model): 1-100 characters matching
/// `^([A-Za-z0-9_\-]\w+|Custom:[a-zA-Z0-9_\-]\w+)$`, where `\w` is a letter, digit or `_`.
fn compliance_type_name_is_valid(t: &str) -> bool {
    let word = |s: &str| {
        let mut c = s.chars();
        c.next().is_some_and(|f| f.is_ascii_alphanumeric() || f == '_' || f == '-')
            && s.chars().count() >= 2
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
    };
    t.len() <= 100 && (word(t) || t.strip_prefix("Custom:").is_some_and(word))
}

/// A compliance type ssmpatch writes: `Patch`, or `Custom:<name>` as PutComplianceItems accepts
/// it. The one rule for plans (`compliance-type`) and for what strategies return.
pub fn compliance_type_is_valid(t: &str) -> bool {
    (t == "Patch" || t.starts_with("Custom:")) && compliance_type_name_is_valid(t)
}

/// How to write a valid compliance type.
pub const COMPLIANCE_TYPE_HINT: &str = "use `Patch` or `Custom:<name>`, the name a letter, digit, `_` or `-` followed by \
     one or more letters, digits or `_` (PutComplianceItems' ComplianceTypeName), at most 100 characters in all";

/// SendCommand takes at most 50 instance ids (botocore: InstanceIdList max 50).
pub const MAX_SCAN_NODES_PER_COMMAND: usize = 50;

/// A strategy acts only on the runs it was given: compliance and scans for those nodes, and AWS's
/// own `Patch` type only when the plan chose it (`compliance-type = "Patch"`), because the next
/// normal scan owns that type (aws-facts §4).
pub fn validate_scope(
    name: &str,
    plan: &PlanInfo,
    runs: &[RunResult],
    actions: &[Action],
) -> Result<(), StrategyError> {
    let nodes: std::collections::BTreeSet<&str> = runs.iter().map(|r| r.instance_id.as_str()).collect();
    let fail = |message: String| Err(StrategyError::Failed { name: name.into(), message });
    for a in actions {
        match a {
            Action::PutCompliance(p) => {
                if !nodes.contains(p.instance_id.as_str()) {
                    return fail(format!(
                        "writes compliance for {}, which is not one of the runs it was given",
                        p.instance_id
                    ));
                }
                if p.compliance_type == "Patch" && plan.compliance_type != "Patch" {
                    return fail(format!(
                        "writes AWS's own `Patch` compliance type for {} but the plan's type is `{}` (set `compliance-type = \"Patch\"` to allow it)",
                        p.instance_id, plan.compliance_type
                    ));
                }
            }
            Action::StartScan(list) => {
                if list.is_empty() {
                    return fail("starts a scan on no node".into());
                }
                if let Some(n) = list.iter().find(|n| !nodes.contains(n.as_str())) {
                    return fail(format!("starts a scan on {n}, which is not one of the runs it was given"));
                }
            }
            Action::Message(_) => {}
        }
    }
    Ok(())
}

/// A run result for strategies, from parsed output.
pub fn run_result(
    report: &crate::run_output::RunReport,
    operation: &str,
    execution_id: &str,
    execution_time: &str,
    raw_output: &str,
) -> RunResult {
    use crate::run_output::RunOperation;
    let s =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
    RunResult {
        instance_id: report.instance_id.clone().unwrap_or_default(),
        operation: operation.to_string(),
        kind: match report.operation {
            Some(RunOperation::Install) => OperationKind::Install,
            _ => OperationKind::Scan,
        },
        execution_id: execution_id.to_string(),
        execution_time: execution_time.to_string(),
        summary: report
            .summary
            .iter()
            .map(|(k, v)| Pair {
                key: k.clone(),
                value: v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
            })
            .collect(),
        non_compliant: report
            .non_compliant
            .iter()
            .map(|p| PatchPackage {
                id: s(p, "Id"),
                title: s(p, "Title"),
                state: s(p, "PatchState"),
                severity: s(p, "Severity"),
                classification: s(p, "Classification"),
                patch_severity: s(p, "PatchSeverity"),
                cve_ids: s(p, "CVEIds").split(',').filter(|x| !x.is_empty()).map(str::to_string).collect(),
                installed_time: s(p, "InstalledTime"),
            })
            .collect(),
        all_compliant: report.all_compliant,
        truncated: report.truncated,
        raw_output: raw_output.to_string(),
    }
}

/// The compliance type written when the plan names none: kept apart from AWS's own `Patch`
/// type, which the next normal scan rewrites (aws-facts §4).
pub const DEFAULT_COMPLIANCE_TYPE: &str = "Custom:ssmpatch";

/// The execution id a run made from a saved output gets unless one is given.
pub const DEFAULT_TEST_EXECUTION_ID: &str = "test-execution";

/// How one node's saved output becomes a [`StrategyRun`] (`ssmpatch strategy test --output-file`
/// and `ssmpatch output parse --as-run-input`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunInput {
    /// The plan operation the run belongs to (default: `install` or `scan`, as the output says).
    pub operation: Option<String>,
    /// The Run Command id (default [`DEFAULT_TEST_EXECUTION_ID`]).
    pub execution_id: String,
    /// When the run ended.
    pub time: jiff::Timestamp,
    /// The compliance type the plan writes.
    pub compliance_type: String,
    /// The strategy's settings.
    pub settings: Vec<Pair>,
}

impl RunInput {
    /// Defaults: the run ended at `time`, `Custom:ssmpatch`, no settings.
    pub fn new(time: jiff::Timestamp) -> RunInput {
        RunInput {
            operation: None,
            execution_id: DEFAULT_TEST_EXECUTION_ID.into(),
            time,
            compliance_type: DEFAULT_COMPLIANCE_TYPE.into(),
            settings: Vec::new(),
        }
    }
}

/// A one-run [`StrategyRun`] from one node's parsed output: a plan named `test` on maintenance
/// windows with one operation, the run's (with an override when the output shows one).
pub fn strategy_run(report: &crate::run_output::RunReport, raw_output: &str, input: &RunInput) -> StrategyRun {
    let kind = match report.operation {
        Some(crate::run_output::RunOperation::Install) => OperationKind::Install,
        _ => OperationKind::Scan,
    };
    let operation = input.operation.clone().unwrap_or_else(|| {
        match kind {
            OperationKind::Install => "install",
            OperationKind::Scan => "scan",
        }
        .into()
    });
    let run = run_result(report, &operation, &input.execution_id, &input.time.to_string(), raw_output);
    StrategyRun {
        plan: PlanInfo {
            name: "test".into(),
            backend: super::types::StrategyBackend::MaintenanceWindow,
            operations: vec![super::types::StrategyOperation {
                name: operation,
                kind,
                uses_override: report.details.baseline_override,
            }],
            settings: input.settings.clone(),
            compliance_type: input.compliance_type.clone(),
        },
        runs: vec![run],
    }
}
