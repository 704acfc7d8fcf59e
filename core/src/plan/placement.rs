//! Baseline placement: which operation's approval rules become the targets' real baseline, and
//! which operations run with `BaselineOverride`.
//!
//! AWS records patch compliance only for runs *without* `BaselineOverride` (except through patch
//! policies; aws-facts §2.2). So by default the install operation's rules go into the real
//! baseline — a custom baseline per OS registered for the targets' patch group — and the install
//! runs without an override: its compliance is recorded natively. Only operations whose rules
//! differ (typically the preview scan) use an override; their results are what a compliance
//! strategy may write under a `Custom:` type.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::PlanError;
use super::file::OperationKind;
use super::model::{Compliance, Plan, RulesFrom};
use crate::baseline::{OverrideDocument, render_override};
use crate::schedule::Backend;

/// Which baseline an operation runs against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "use", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BaselineUse {
    /// The targets' own baseline (no `BaselineOverride`): AWS records compliance.
    Default {
        /// What that baseline is.
        baseline: String,
    },
    /// A `BaselineOverride` document.
    Override {
        /// SHA-256 of the document.
        sha256: String,
        /// Its S3 key.
        key: String,
        /// The `s3://` URL passed to AWS-RunPatchBaseline.
        url: String,
    },
}

impl BaselineUse {
    /// `default` or `override:<sha256>` (the calendar's `baseline` field).
    pub fn label(&self) -> String {
        match self {
            BaselineUse::Default { .. } => "default".to_string(),
            BaselineUse::Override { sha256, .. } => format!("override:{sha256}"),
        }
    }

    /// For people.
    pub fn describe(&self) -> String {
        match self {
            BaselineUse::Default { baseline } => format!("{baseline} (no BaselineOverride; AWS records compliance)"),
            BaselineUse::Override { url, .. } => format!("BaselineOverride {url} (AWS does not record compliance)"),
        }
    }
}

/// The placement decision and its consequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// `declared` or the operation whose rules the real baseline takes.
    pub rules_from: String,
    /// One line.
    pub summary: String,
    /// What it means for the compliance report.
    pub consequence: String,
    /// Each operation's baseline.
    pub operations: BTreeMap<String, BaselineUse>,
    /// The documents of operations that use an override.
    #[serde(skip)]
    pub documents: BTreeMap<String, OverrideDocument>,
}

impl Placement {
    /// The baseline `operation` runs against.
    pub fn use_of(&self, operation: &str) -> BaselineUse {
        self.operations
            .get(operation)
            .cloned()
            .unwrap_or(BaselineUse::Default { baseline: "the targets' baseline".into() })
    }

    /// Decide placement for `plan` on `backend`.
    pub fn decide(plan: &Plan, backend: Backend) -> Result<Placement, PlanError> {
        let baselines = &plan.file.baselines;
        let any_approval = plan.operations.iter().any(|o| o.approval.is_some());
        let real_name = |with: &str| match (backend, plan.targets.patch_group()) {
            (Backend::PatchPolicy, _) => format!("the patch policy's baselines{with}"),
            (_, Some(g)) if baselines.values().any(|b| !b.is_existing()) => {
                format!("custom baselines `ssmpatch-{}-<os>`{with}, registered for patch group `{g}`", plan.name)
            }
            (_, Some(g)) => format!("the baselines registered for patch group `{g}`"),
            (_, None) => "the default baselines of the account".to_string(),
        };
        let rules_from_name = match &plan.rules_from {
            RulesFrom::Declared => "declared".to_string(),
            RulesFrom::Operation(o) => o.clone(),
        };

        if !any_approval || backend == Backend::PatchPolicy {
            let baseline = real_name(if any_approval { " (with the operations' common approval rules)" } else { "" });
            let operations = plan
                .operations
                .iter()
                .map(|o| (o.name.clone(), BaselineUse::Default { baseline: baseline.clone() }))
                .collect();
            let consequence = if backend == Backend::PatchPolicy {
                "every operation runs through the patch policy, which records patch compliance for scans and installs"
            } else {
                "no operation uses BaselineOverride: AWS records patch compliance for every run"
            };
            return Ok(Placement {
                rules_from: rules_from_name,
                summary: format!("every operation runs against {baseline}"),
                consequence: consequence.to_string(),
                operations,
                documents: BTreeMap::new(),
            });
        }

        let real_approval = match &plan.rules_from {
            RulesFrom::Declared => None,
            RulesFrom::Operation(o) => plan.operation(o).and_then(|op| op.approval.clone()),
        };
        let real_doc = render_override(baselines, real_approval.as_ref());
        let real = real_name(&match &plan.rules_from {
            RulesFrom::Operation(o) if real_approval.is_some() => format!(" (with `{o}`'s approval rules)"),
            _ => String::new(),
        });
        let mut operations = BTreeMap::new();
        let mut documents = BTreeMap::new();
        let mut overridden: Vec<(&str, OperationKind)> = Vec::new();
        let mut native: Vec<&str> = Vec::new();
        for op in &plan.operations {
            let doc = render_override(baselines, op.approval.as_ref());
            if doc.bytes == real_doc.bytes {
                operations.insert(op.name.clone(), BaselineUse::Default { baseline: real.clone() });
                native.push(&op.name);
                continue;
            }
            let Some(s3) = &plan.s3 else {
                return Err(PlanError::at("s3", format!("operation `{}` needs a BaselineOverride file, which lives in S3", op.name))
                    .with_hint("add `[s3]` with `bucket = \"...\"` (the override is passed as an s3:// URL, which private buckets require)"));
            };
            let key = doc.key(&s3.override_prefix, &plan.name, &op.name);
            let url = format!("s3://{}/{key}", s3.bucket);
            operations.insert(op.name.clone(), BaselineUse::Override { sha256: doc.sha256.clone(), key, url });
            documents.insert(op.name.clone(), doc);
            overridden.push((&op.name, op.kind));
        }
        if backend != Backend::PatchPolicy
            && plan.targets.patch_group().is_none()
            && baselines.values().any(|b| !b.is_existing())
            && !native.is_empty()
        {
            return Err(PlanError::at(
                "targets",
                format!(
                    "operation `{}` runs against the targets' own baseline, which ssmpatch sets through a patch group, \
                     but the targets name none",
                    native[0]
                ),
            )
            .with_hint("target by the `Patch Group` tag (e.g. `tags = { \"Patch Group\" = \"web\" }`), or use `baseline-rules-from = \"declared\"` with an approval on every operation"));
        }

        let mut consequence = Vec::new();
        if !native.is_empty() {
            consequence.push(format!(
                "{} run{} against {real} without BaselineOverride: AWS records patch compliance natively.",
                list(&native),
                if native.len() == 1 { "s" } else { "" }
            ));
        }
        let installs: Vec<&str> =
            overridden.iter().filter(|(_, k)| *k == OperationKind::Install).map(|(n, _)| *n).collect();
        let scans: Vec<&str> = overridden.iter().filter(|(_, k)| *k == OperationKind::Scan).map(|(n, _)| *n).collect();
        if !scans.is_empty() {
            consequence.push(format!(
                "{} run{} with BaselineOverride: AWS records nothing from {} (results go to stdout only), so the \
                 compliance report keeps describing the real baseline; a strategy may write {} results under a \
                 `Custom:` compliance type.",
                list(&scans),
                if scans.len() == 1 { "s" } else { "" },
                if scans.len() == 1 { "it" } else { "them" },
                if scans.len() == 1 { "its" } else { "their" },
            ));
        }
        if !installs.is_empty() {
            consequence.push(format!(
                "{} install{} with BaselineOverride: AWS does not update patch compliance after {}, so the report \
                 goes stale {}.",
                list(&installs),
                if installs.len() == 1 { "s" } else { "" },
                if installs.len() == 1 { "it" } else { "them" },
                match plan.compliance {
                    Compliance::None => "(no compliance strategy is set)".to_string(),
                    ref c => format!("until the `{}` strategy refreshes it", c.name()),
                }
            ));
        }
        let custom_type =
            plan.compliance_type().unwrap_or(super::model::DEFAULT_COMPLIANCE_TYPE).starts_with("Custom:");
        let writes_output = matches!(plan.compliance, Compliance::PutComplianceItems | Compliance::Custom { .. });
        if !overridden.is_empty() && writes_output && custom_type {
            // Where a Custom: report is seen (README, "Which compliance type to write").
            consequence.push(
                "A `Custom:` compliance type appears in Systems Manager's Configuration Compliance only: AWS Config \
                 records patch compliance history as AWS::SSM::PatchCompliance, and its patch rule and Security Hub's \
                 patch control read the `Patch` type. Choose `rescan` (AWS records the scan) or compliance-type \
                 \"Patch\" if auditors read those."
                    .to_string(),
            );
        }
        let summary = match &plan.rules_from {
            RulesFrom::Operation(o) => format!("`{o}`'s approval rules live in the real baseline"),
            RulesFrom::Declared => {
                "the real baseline keeps the declared rules; operations with their own approval use BaselineOverride"
                    .to_string()
            }
        };
        Ok(Placement {
            rules_from: rules_from_name,
            summary,
            consequence: consequence.join("\n"),
            operations,
            documents,
        })
    }
}

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Plan {
    /// The BaselineOverride document `operation` uses (its approval over the inline baselines),
    /// whether or not the chosen placement passes it as an override.
    /// An operation the plan does not have is [`crate::error::Error::Input`]; a plan without
    /// inline rules is a located plan error.
    pub fn render_override(&self, operation: &str) -> Result<OverrideDocument, crate::error::Error> {
        let Some(op) = self.operation(operation) else {
            let names: Vec<&str> = self.operations.iter().map(|o| o.name.as_str()).collect();
            return Err(crate::error::Error::input(
                format!("the plan has no operation named `{}`", crate::input::echo(operation)),
                Some(format!("the plan's operations: {}", names.join(", "))),
            ));
        };
        if !self.file.baselines.values().any(|b| !b.is_existing()) {
            return Err(self.locate(
                PlanError::at("baselines", "the plan declares no inline baseline rules to render")
                    .with_hint("declare `[baselines.<OS>]` with `approval-rules`; existing baselines are read from AWS at apply time"),
            ).into());
        }
        Ok(render_override(&self.file.baselines, op.approval.as_ref()))
    }
}
