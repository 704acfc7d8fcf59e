//! Explaining a plan offline: per-operation compiled forms on every backend, the backend choice
//! (and why earlier ones were rejected), baseline placement and its consequence for the
//! compliance report, and the calendar of upcoming runs.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::compile::{CompileOptions, Compiled, compile};
use super::error::PlanError;
use super::file::{BackendChoice, OperationKind};
use super::model::{Compliance, Plan};
use super::placement::{BaselineUse, Placement};
use crate::schedule::Backend;

/// Why a backend cannot run the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// The backend.
    pub backend: Backend,
    /// Every reason, one per problem.
    pub reasons: Vec<String>,
}

/// One operation, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationExplanation {
    /// Name.
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// The schedule as written.
    pub schedule: String,
    /// What it means, in words.
    pub description: String,
    /// The zone it speaks in.
    pub time_zone: String,
    /// The compiled form on the chosen backend.
    pub compiled: Compiled,
    /// Every backend's compiled form.
    pub backends: BTreeMap<&'static str, Compiled>,
    /// Which baseline the operation runs against.
    pub baseline: BaselineUse,
    /// What AWS runs for this operation when `apply` creates or updates its resource, or when a
    /// node becomes a target — outside the schedule above.
    pub at_apply: String,
}

/// What AWS runs, outside the schedule, when `apply` creates or updates the resource that runs
/// `kind` on `backend`, or when a node becomes a target.
fn at_apply(backend: Backend, kind: OperationKind, compiled: &Compiled) -> String {
    let what = kind.as_str();
    match (backend, compiled) {
        (Backend::MaintenanceWindow, _) => "nothing: a maintenance window runs only at its schedule".into(),
        (Backend::Association, Compiled::Exact { native }) if !native.apply_only_at_cron_interval => format!(
            "AWS runs this {what} on every targeted node when apply creates or updates the association, and on each \
             node that becomes a target: ApplyOnlyAtCronInterval is not supported for `{}`",
            native.expression
        ),
        (Backend::Association, _) => "nothing: the association runs only at its schedule (ApplyOnlyAtCronInterval), \
             also for nodes that become targets"
            .into(),
        (Backend::PatchPolicy, _) => format!(
            "nothing: Quick Setup waits for the first {what} interval, also for nodes that become targets \
             ({what} \"wait until first CRON interval\")"
        ),
    }
}

/// How a plan's backend was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Choice {
    /// The plan says `backend = "auto"`: the first backend that runs it exactly, in the order
    /// patch policy, association, maintenance window.
    Auto,
    /// The plan names its backend.
    Explicit,
}

impl Choice {
    /// `auto` or `explicit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Auto => "auto",
            Choice::Explicit => "explicit",
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plan, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Plan name.
    pub plan: String,
    /// The backend that runs it.
    pub backend: Backend,
    /// How the backend was chosen.
    pub chosen: Choice,
    /// Backends tried before the chosen one (auto), with reasons.
    pub rejected: Vec<Rejection>,
    /// Where approval rules live and what that means for compliance.
    pub placement: Placement,
    /// The operations.
    pub operations: Vec<OperationExplanation>,
    /// Things the user should know.
    pub warnings: Vec<String>,
    /// On the patch-policy backend: its deployment roles, node roles and the baseline each
    /// operating system's runs apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_policy: Option<super::patch_policy::PatchPolicyExplanation>,
}

/// An operation's planned runs around an instant ([`Plan::last_runs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRuns {
    /// Operation name.
    pub operation: String,
    /// Its last runs at or before the instant, oldest first (empty: none in 3 years).
    pub planned: Vec<Timestamp>,
    /// Its first run after the instant.
    pub next: Option<Timestamp>,
}

/// One upcoming run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// Operation name.
    pub operation: String,
    /// `scan` or `install`.
    pub kind: OperationKind,
    /// UTC, RFC 3339.
    pub at: String,
    /// Local time in the operation's zone, RFC 3339 with offset.
    pub local: String,
    /// `default` or `override:<sha256>`.
    pub baseline: String,
}

/// The next runs of every operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calendar {
    /// Plan name.
    pub plan: String,
    /// The backend that runs it.
    pub backend: Backend,
    /// Runs sorted by time.
    pub runs: Vec<Run>,
}

fn backend_of(choice: BackendChoice) -> Option<Backend> {
    match choice {
        BackendChoice::Auto => None,
        BackendChoice::PatchPolicy => Some(Backend::PatchPolicy),
        BackendChoice::Association => Some(Backend::Association),
        BackendChoice::MaintenanceWindow => Some(Backend::MaintenanceWindow),
    }
}

impl Plan {
    /// Compile every operation for every backend, choose the backend, place the baselines.
    pub fn explain(&self, opts: &CompileOptions) -> Result<Explanation, PlanError> {
        let compiled: Vec<BTreeMap<Backend, Compiled>> = self
            .operations
            .iter()
            .map(|op| Backend::ALL.iter().map(|b| (*b, compile(&op.intent, *b, opts))).collect())
            .collect();

        let mut rejected = Vec::new();
        let mut chosen = None;
        let order: Vec<Backend> = match backend_of(self.backend) {
            Some(b) => vec![b],
            None => Backend::ALL.to_vec(),
        };
        // AWS's limits on what the backend would create (super::limits), each located in the file.
        let mut limit_errors = Vec::new();
        for b in order {
            let mut reasons = self.reasons_against(b, &compiled);
            limit_errors = self.limits_against(b, &compiled);
            reasons.extend(limit_errors.iter().map(|e| e.message.clone()));
            if reasons.is_empty() {
                chosen = Some(b);
                break;
            }
            rejected.push(Rejection { backend: b, reasons });
        }
        // The last backend tried fails only on limits: say where in the file the limit is met.
        if chosen.is_none()
            && let (Some(last), Some(first)) = (rejected.last(), limit_errors.first())
            && last.reasons.len() == limit_errors.len()
        {
            let others: Vec<String> = rejected[..rejected.len() - 1]
                .iter()
                .flat_map(|r| r.reasons.iter().map(move |x| format!("{}: {x}", r.backend.as_str())))
                .collect();
            let mut e = first.clone();
            e.message = format!("on the {} backend, {}", last.backend.as_str(), e.message);
            if limit_errors.len() > 1 {
                e.message.push_str(&format!(
                    " (and {} more: {})",
                    limit_errors.len() - 1,
                    limit_errors[1..].iter().map(|x| x.message.as_str()).collect::<Vec<_>>().join("; ")
                ));
            }
            if !others.is_empty() {
                let hint = e.hint.take().unwrap_or_default();
                e.hint = Some(format!("{hint}; no other backend can run the plan either ({})", others.join("; ")));
            }
            return Err(self.locate(e));
        }
        let Some(backend) = chosen else {
            let (path, lead) = match backend_of(self.backend) {
                Some(b) => ("backend", format!("the {} backend cannot run this plan", b.as_str())),
                None => ("operations", "no backend can run this plan".to_string()),
            };
            let reasons: Vec<String> = rejected
                .iter()
                .flat_map(|r| r.reasons.iter().map(move |x| format!("{}: {x}", r.backend.as_str())))
                .collect();
            return Err(self.locate(PlanError::at(path, format!("{lead}: {}", reasons.join("; "))).with_hint(
                match backend_of(self.backend) {
                    Some(_) => "use `backend = \"auto\"` to let ssmpatch pick one that can, or change the schedules",
                    None => "change the schedules (see `ssmpatch explain` for the differing runs)",
                },
            )));
        };

        let mut placement = Placement::decide(self, backend).map_err(|e| self.locate(e))?;
        let mut warnings = Vec::new();
        let patch_policy = if backend == Backend::PatchPolicy {
            let (pp, more) = super::patch_policy::explain(self.patch_policy(), self.patch_policy_baselines());
            // Shown under the baseline placement: what each operating system's runs apply, and
            // who prepares the deployment and node roles.
            let mut lines = vec![format!(
                "baselines per operating system (SelectedPatchBaselines, undeclared-os = \"{}\"; without one, \
                 AWS-RunPatchBaseline stops with exit 163, \"Unable to find Baseline Override for Operating System\"):",
                pp.settings.undeclared_os.as_str()
            )];
            lines.extend(pp.baselines.iter().map(|b| format!("  {}", b.describe())));
            lines.push(format!("node roles: {}", pp.node_roles));
            lines.push(format!("deployment roles: {}", pp.deployment_roles));
            placement.consequence = format!("{}\n{}", placement.consequence, lines.join("\n"));
            warnings.extend(more);
            Some(pp)
        } else {
            if self.file.patch_policy.is_some() {
                warnings.push(format!(
                    "the `[patch-policy]` settings do not apply: the plan runs on the {} backend",
                    backend.as_str()
                ));
            }
            None
        };
        let operations: Vec<OperationExplanation> = self
            .operations
            .iter()
            .zip(compiled)
            .map(|(op, per)| {
                let on = per.get(&backend).cloned().unwrap_or(Compiled::Inexpressible {
                    reason: "not compiled".into(),
                    hint: String::new(),
                    closest: None,
                    differences: Vec::new(),
                });
                if let Compiled::Fallback { .. } = on {
                    warnings.push(format!(
                        "operation `{}` runs as one-shot `at()` windows: run `ssmpatch apply` at least once per period \
                         (e.g. from a scheduled job) so the next windows are always created",
                        op.name
                    ));
                }
                OperationExplanation {
                    name: op.name.clone(),
                    kind: op.kind,
                    schedule: self.file.operations.get(&op.name).map(|o| o.schedule.clone()).unwrap_or_default(),
                    description: op.intent.describe(),
                    time_zone: op.intent.time_zone.clone(),
                    compiled: on.clone(),
                    backends: per.into_iter().map(|(b, c)| (b.as_str(), c)).collect(),
                    baseline: placement.use_of(&op.name),
                    at_apply: at_apply(backend, op.kind, &on),
                }
            })
            .collect();
        let stale_install = backend != Backend::PatchPolicy
            && operations
                .iter()
                .any(|o| o.kind == OperationKind::Install && matches!(o.baseline, BaselineUse::Override { .. }));
        if stale_install && self.compliance == Compliance::None {
            warnings.push(
                "an install runs with BaselineOverride and the compliance strategy is `none`: AWS will not record its \
                 results, so the compliance report goes stale (choose `rescan` or `put-compliance-items`, or let the \
                 install's rules live in the real baseline with `baseline-rules-from = \"<install operation>\"`)"
                    .to_string(),
            );
        }
        let overridden = operations.iter().any(|o| matches!(o.baseline, BaselineUse::Override { .. }));
        if let (true, Some(s3)) = (overridden, &self.s3) {
            // The payload downloads an s3:// override with the node's own credentials
            // ("BaselineOverride", patch-manager-aws-runpatchbaseline); AmazonSSMManagedInstanceCore
            // grants no S3 read.
            placement.consequence = format!(
                "{}\nnodes: their instance profile must allow s3:GetObject on s3://{}/{}/{}/* (`ssmpatch iam-policy \
                 PLAN --node` prints it); without it every run with an override fails on the node (exit 162)",
                placement.consequence, s3.bucket, s3.override_prefix, self.name
            );
        }
        let reads_output = matches!(self.compliance, Compliance::PutComplianceItems | Compliance::Custom { .. });
        let not_linux: Vec<&str> = self
            .baseline_specs()
            .keys()
            .filter(|os| {
                matches!(os, crate::baseline::OperatingSystem::Windows | crate::baseline::OperatingSystem::Macos)
            })
            .map(|os| os.as_str())
            .collect();
        if overridden && reads_output && !not_linux.is_empty() {
            warnings.push(format!(
                "the plan declares {} nodes, and AWS-RunPatchBaseline prints no per-update result of a BaselineOverride \
                 run on them (AWS publishes none): `refresh` cannot write their compliance from the output and reports \
                 them `unreadable-platform` (choose `rescan`, or keep their install rules in the real baseline)",
                not_linux.join(" and ")
            ));
        }
        Ok(Explanation {
            plan: self.name.clone(),
            backend,
            chosen: if backend_of(self.backend).is_some() { Choice::Explicit } else { Choice::Auto },
            rejected: if backend_of(self.backend).is_some() { Vec::new() } else { rejected },
            placement,
            operations,
            warnings,
            patch_policy,
        })
    }

    /// What `backend` would create that breaks one of AWS's limits or the account's quotas
    /// (empty: nothing), each at the key path to change.
    fn limits_against(&self, backend: Backend, compiled: &[BTreeMap<Backend, Compiled>]) -> Vec<PlanError> {
        use super::limits::{
            MAX_TARGETS, NAME_MAX, NAME_MIN, QUICK_SETUP_NAME_MAX, Quotas, one_shot_name_len, operation_name_len,
            patch_policy_name_len,
        };
        let mut out = Vec::new();
        let plan = &self.name;
        let too_long = |op: &str, what: &str, len: usize, api: &str| {
            PlanError::at(
                format!("operations.{op}"),
                format!(
                    "the {what} of operation `{op}`, `ssmpatch-<plan>-{op}{}`, would be {len} characters; AWS allows \
                     {NAME_MAX} ({api})",
                    if what.starts_with("one-shot") { "-at-YYYYMMDDTHHMM" } else { "" }
                ),
            )
            .with_hint(format!(
                "shorten the plan name ({} characters) or the operation name ({} characters) by {}",
                plan.len(),
                op.len(),
                len - NAME_MAX
            ))
        };
        match backend {
            Backend::PatchPolicy => {
                for (k, v) in self.tags() {
                    if !(super::limits::quick_setup_tag_chars_ok(k) && super::limits::quick_setup_tag_chars_ok(v)) {
                        out.push(
                            PlanError::at(
                                format!("tags.{k}"),
                                format!(
                                    "tag `{}` has a character Quick Setup does not take: a patch policy's tags are \
                                     ASCII letters, digits, spaces and `_ = @ : . + , - /` (CreateConfigurationManager \
                                     Tags)",
                                    crate::input::echo(k)
                                ),
                            )
                            .with_hint("use ASCII in the plan's tags, or another backend"),
                        );
                    }
                }
                let len = patch_policy_name_len(plan);
                if len > QUICK_SETUP_NAME_MAX {
                    out.push(
                        PlanError::at(
                            "name",
                            format!(
                                "the patch policy's name `ssmpatch-<plan>` would be {len} characters; Quick Setup \
                                 allows {QUICK_SETUP_NAME_MAX} (CreateConfigurationManager Name)"
                            ),
                        )
                        .with_hint(format!(
                            "shorten the plan name to at most {} characters",
                            QUICK_SETUP_NAME_MAX - (len - plan.len())
                        )),
                    );
                }
            }
            Backend::Association => {
                for op in &self.operations {
                    let len = operation_name_len(plan, &op.name);
                    if len > NAME_MAX {
                        out.push(too_long(&op.name, "association name", len, "CreateAssociation AssociationName"));
                    }
                }
                let t = &self.targets;
                let entries =
                    t.tags.len() + usize::from(!t.instance_ids.is_empty()) + usize::from(!t.resource_groups.is_empty());
                if entries > MAX_TARGETS {
                    out.push(
                        PlanError::at(
                            "targets",
                            format!(
                                "an association holds every selector in one `Targets` list: {entries} entries, and AWS \
                                 allows {MAX_TARGETS} (CreateAssociation Targets)"
                            ),
                        )
                        .with_hint("target fewer tag keys, or choose `backend = \"maintenance-window\"`"),
                    );
                }
                if self.operations.len() > self.quotas.associations as usize {
                    out.push(
                        PlanError::at(
                            "operations",
                            format!(
                                "the plan needs {} associations, more than {}",
                                self.operations.len(),
                                Quotas::describe("associations", self.quotas.associations)
                            ),
                        )
                        .with_hint("run fewer operations, or raise the quota and set `[quotas] associations`"),
                    );
                }
            }
            Backend::MaintenanceWindow => {
                let mut windows = 0usize;
                for (op, per) in self.operations.iter().zip(compiled) {
                    if op.name.len() < NAME_MIN {
                        out.push(
                            PlanError::at(
                                format!("operations.{}", op.name),
                                format!(
                                    "operation `{}` names its maintenance-window task, and AWS's task names are \
                                     {NAME_MIN}-{NAME_MAX} characters (RegisterTaskWithMaintenanceWindow Name)",
                                    op.name
                                ),
                            )
                            .with_hint("name the operation with 3 or more letters, digits, `-` or `_` (e.g. `scan`)"),
                        );
                    }
                    match per.get(&backend) {
                        Some(Compiled::Exact { .. }) => {
                            windows += 1;
                            let len = operation_name_len(plan, &op.name);
                            if len > NAME_MAX {
                                out.push(too_long(&op.name, "window name", len, "CreateMaintenanceWindow Name"));
                            }
                        }
                        Some(Compiled::Fallback { windows: w, .. }) => {
                            windows += w.len();
                            let len = one_shot_name_len(plan, &op.name);
                            if len > NAME_MAX {
                                out.push(too_long(
                                    &op.name,
                                    "one-shot window name",
                                    len,
                                    "CreateMaintenanceWindow Name",
                                ));
                            }
                        }
                        _ => {}
                    }
                }
                if windows > self.quotas.maintenance_windows as usize {
                    out.push(
                        PlanError::at(
                            "operations",
                            format!(
                                "the plan needs {windows} maintenance windows, more than {}",
                                Quotas::describe("maintenance-windows", self.quotas.maintenance_windows)
                            ),
                        )
                        .with_hint(
                            "run fewer operations (several can share a schedule), or raise the quota and set \
                             `[quotas] maintenance-windows`",
                        ),
                    );
                }
                let t = &self.targets;
                let targets = usize::from(!t.tags.is_empty())
                    + usize::from(!t.instance_ids.is_empty())
                    + usize::from(!t.resource_groups.is_empty());
                if targets > self.quotas.targets_per_window as usize {
                    out.push(
                        PlanError::at(
                            "targets",
                            format!(
                                "each window registers {targets} targets, more than {}",
                                Quotas::describe("targets-per-window", self.quotas.targets_per_window)
                            ),
                        )
                        .with_hint("use fewer kinds of selectors"),
                    );
                }
                if self.quotas.tasks_per_window == 0 {
                    out.push(
                        PlanError::at("quotas.tasks-per-window", "each window needs a task, and the quota is 0")
                            .with_hint("set the quota your account has (AWS's default is 20)"),
                    );
                }
            }
        }
        out
    }

    /// Why `backend` cannot run the whole plan exactly (empty: it can).
    fn reasons_against(&self, backend: Backend, compiled: &[BTreeMap<Backend, Compiled>]) -> Vec<String> {
        let mut reasons = Vec::new();
        for (op, per) in self.operations.iter().zip(compiled) {
            match per.get(&backend) {
                Some(Compiled::Inexpressible { reason, .. }) => {
                    reasons.push(format!("operation `{}`: {reason}", op.name))
                }
                Some(Compiled::Fallback { .. }) if backend != Backend::MaintenanceWindow => {
                    reasons.push(format!("operation `{}` needs one-shot windows", op.name));
                }
                Some(Compiled::Exact { native })
                    if backend == Backend::Association
                        && op.kind == OperationKind::Install
                        && !native.apply_only_at_cron_interval =>
                {
                    reasons.push(format!(
                        "operation `{}`: an association with `{}` would install when it is created or updated and on \
                         every node that becomes a target (ApplyOnlyAtCronInterval is not supported for rate \
                         expressions); give the install a cron schedule",
                        op.name, native.expression
                    ));
                }
                _ => {}
            }
        }
        if backend == Backend::PatchPolicy {
            for kind in [OperationKind::Scan, OperationKind::Install] {
                let n = self.operations.iter().filter(|o| o.kind == kind).count();
                if n > 1 {
                    reasons.push(format!("a patch policy runs one {} schedule, the plan has {n}", kind.as_str()));
                }
            }
            let approvals: Vec<_> = self.operations.iter().map(|o| o.approval.as_ref()).collect();
            if approvals.windows(2).any(|w| w[0] != w[1]) {
                reasons.push(
                    "operations have different approval rules, and a patch policy takes one baseline set for both operations"
                        .to_string(),
                );
            }
            if !self.targets.instance_ids.is_empty() {
                reasons
                    .push("a patch policy targets by tag, resource group or organization, not by node id".to_string());
            }
            // A patch policy takes one TargetTagKey and one TargetTagValue, or one
            // ResourceGroupName (ssm-quicksetup patch policy parameters): sending only part of the
            // plan's selectors would patch more nodes than the plan names.
            let tags = &self.targets.tags;
            let groups = &self.targets.resource_groups;
            if tags.len() > 1
                || tags.values().any(|v| v.len() != 1)
                || groups.len() > 1
                || (!tags.is_empty() && !groups.is_empty())
            {
                reasons.push(
                    "a patch policy targets one tag key with one value, or one resource group; the plan's targets \
                     need more (every selector must match, and a patch policy would apply only one)"
                        .to_string(),
                );
            }
        }
        if backend != Backend::MaintenanceWindow {
            for op in &self.operations {
                if op.window_explicit {
                    reasons.push(format!("operation `{}` sets a window duration or cutoff", op.name));
                }
            }
        }
        reasons
    }

    /// Operation `i`'s runs on the chosen backend strictly after `after` up to and including
    /// `until`.
    pub(crate) fn operation_runs(
        &self,
        ex: &Explanation,
        i: usize,
        after: Timestamp,
        until: Timestamp,
    ) -> Vec<Timestamp> {
        let op = &self.operations[i];
        match &ex.operations[i].compiled {
            Compiled::Exact { native } => native.occurrences(after, until),
            // One-shot windows are rolled forward by `apply`: the rule's own runs.
            Compiled::Fallback { .. } => op.intent.occurrences(after, until),
            Compiled::Inexpressible { .. } => Vec::new(),
        }
    }

    /// Per operation (plan order): its last `count` runs at or before `at` (oldest first) and its
    /// first run after `at`, on the backend `ex` chose. They are looked for 8 days, then 40 days,
    /// 400 days and 3 years away from `at` (until `count` are found); none in 3 years is none.
    pub fn last_runs(&self, ex: &Explanation, at: Timestamp, count: usize) -> Vec<OperationRuns> {
        const SPANS: [i64; 4] = [8, 40, 400, 366 * 3];
        let shifted = |days: i64| at.checked_add(jiff::SignedDuration::from_hours(24 * days)).ok();
        (0..self.operations.len())
            .map(|i| {
                let mut planned = Vec::new();
                for days in SPANS {
                    let Some(from) = shifted(-days) else { break };
                    let runs = self.operation_runs(ex, i, from, at);
                    planned = runs[runs.len().saturating_sub(count.max(1))..].to_vec();
                    if planned.len() >= count.max(1) {
                        break;
                    }
                }
                let mut next = None;
                for days in SPANS {
                    let Some(until) = shifted(days) else { break };
                    if let Some(first) = self.operation_runs(ex, i, at, until).first() {
                        next = Some(*first);
                        break;
                    }
                }
                OperationRuns { operation: self.operations[i].name.clone(), planned, next }
            })
            .collect()
    }

    /// The next `count` runs of every operation on the chosen backend, sorted by time.
    ///
    /// An operation scheduled relative to another ("7 days before install") brings the other's
    /// matching runs along, so every listed scan has its install in the list too.
    pub fn calendar(&self, count: usize, opts: &CompileOptions) -> Result<Calendar, PlanError> {
        let ex = self.explain(opts)?;
        let far = opts
            .from
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::ToSpan::years(i64::from(super::compile::VERIFY_YEARS) * 3))
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX);
        let runs_of = |i: usize, after: Timestamp, until: Timestamp| self.operation_runs(&ex, i, after, until);
        let mut lists: Vec<Vec<Timestamp>> =
            (0..self.operations.len()).map(|i| runs_of(i, opts.from, far).into_iter().take(count).collect()).collect();
        for _ in 0..self.operations.len() {
            let mut changed = false;
            for (a, op) in self.operations.iter().enumerate() {
                let super::calendar::ScheduleSpec::Relative { operation, days, .. } = &op.spec else { continue };
                let Some(b) = self.operations.iter().position(|o| &o.name == operation) else { continue };
                let Some(last) = lists[a].last().copied() else { continue };
                // The anchor's run for `last` is on the local day `last - days`; include that day.
                let tz = &self.operations[b].intent.tz;
                let day = last.to_zoned(tz.clone()).date().checked_add(jiff::ToSpan::days(-i64::from(*days)));
                let Ok(day) = day else { continue };
                let Some(end) = day.tomorrow().ok().and_then(|d| d.to_zoned(tz.clone()).ok()).map(|z| z.timestamp())
                else {
                    continue;
                };
                let have = lists[b].last().copied().unwrap_or(opts.from);
                if have < end {
                    let more = runs_of(b, have, end.checked_sub(jiff::ToSpan::seconds(1)).unwrap_or(end));
                    if !more.is_empty() {
                        lists[b].extend(more);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut runs: Vec<(Timestamp, Run)> = Vec::new();
        for (i, times) in lists.into_iter().enumerate() {
            let (op, e) = (&self.operations[i], &ex.operations[i]);
            for t in times {
                let z = t.to_zoned(op.intent.tz.clone());
                let run = Run {
                    operation: op.name.clone(),
                    kind: op.kind,
                    at: t.to_string(),
                    local: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                    baseline: e.baseline.label(),
                };
                runs.push((t, run));
            }
        }
        runs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.operation.cmp(&b.1.operation)));
        Ok(Calendar { plan: self.name.clone(), backend: ex.backend, runs: runs.into_iter().map(|(_, r)| r).collect() })
    }
}
