//! The validated plan: types that cannot hold invalid values, built from [`PlanFile`].
//!
//! Validation reports every problem at once, each located in the file by its key path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiff::tz::TimeZone;

use super::calendar::ScheduleSpec;
use super::compile::Intent;
use super::error::{PlanError, PlanErrors};
use super::file::{
    BackendChoice, ComplianceFile, OperationFile, OperationKind, PLAN_VERSION, PlanFile, RebootOption, S3File,
    SettingValue, TargetsFile,
};
use super::limits::{
    MAX_TAGS_PER_RESOURCE, MAX_TARGET_VALUES, MAX_TARGETS, NAME_MAX, OWNERSHIP_TAGS, Quotas, TAG_KEY_MAX,
    TAG_VALUE_MAX, baseline_name_len, tag_chars_ok, target_key_chars_ok,
};
use super::load::Source;
use crate::input::echo;
use crate::schedule::{Expression, ScheduleError, WindowSettings, time_zone};

/// Default rate control (AWS's console default for Run Command is 50 / 0; ssmpatch is more
/// careful with patching).
pub const DEFAULT_MAX_CONCURRENCY: &str = "10%";
/// Default error threshold.
pub const DEFAULT_MAX_ERRORS: &str = "10%";
pub use crate::strategy::DEFAULT_COMPLIANCE_TYPE;

/// Days a past one-shot `at()` window is kept by default: deleting a window deletes its execution
/// history, which `refresh` reads, so it stays two weeks after its run. AWS sets no such period;
/// the plan's `one-shot-retention-days` changes it.
pub const DEFAULT_ONE_SHOT_RETENTION_DAYS: u32 = 14;
/// The longest retention a plan may ask for.
pub const MAX_ONE_SHOT_RETENTION_DAYS: u32 = 365;

/// Default maintenance window duration, hours.
pub const DEFAULT_WINDOW_DURATION_HOURS: u32 = 3;
/// Default maintenance window cutoff, hours.
pub const DEFAULT_WINDOW_CUTOFF_HOURS: u32 = 1;
/// Default key prefix of override files.
pub const DEFAULT_OVERRIDE_PREFIX: &str = "ssmpatch/overrides";
/// Default key prefix of command output.
pub const DEFAULT_OUTPUT_PREFIX: &str = "ssmpatch/output";

/// A validated plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file types it was built from (read through the accessors below).
    pub(crate) file: PlanFile,
    /// Plan name.
    pub name: String,
    /// Backend selection.
    pub backend: BackendChoice,
    /// Target selection.
    pub targets: Targets,
    /// Where differing approval rules live.
    pub rules_from: RulesFrom,
    /// Operations, ordered by name.
    pub operations: Vec<Operation>,
    /// Compliance strategy.
    pub compliance: Compliance,
    /// What one call of the strategy may use (`[compliance.limits]` over the defaults).
    pub strategy_limits: crate::strategy::Limits,
    /// S3 locations.
    pub s3: Option<S3Location>,
    /// `[patch-policy]`, defaults filled in (read through [`Plan::patch_policy`]).
    pub(crate) patch_policy: super::patch_policy::PatchPolicySettings,
    /// The account's quotas: AWS's defaults with the plan's `[quotas]` over them.
    pub quotas: Quotas,
    /// The source, for locating errors found later (compilation).
    pub source: Option<Source>,
}

/// Validated targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// Tag key → values.
    pub tags: BTreeMap<String, Vec<String>>,
    /// Managed node ids.
    pub instance_ids: Vec<String>,
    /// Resource group names.
    pub resource_groups: Vec<String>,
}

impl Targets {
    /// The patch group these targets name, if any (`Patch Group` or `PatchGroup` tag with one
    /// value): the key under which a custom baseline is registered.
    pub fn patch_group(&self) -> Option<&str> {
        ["Patch Group", "PatchGroup"]
            .iter()
            .find_map(|k| self.tags.get(*k))
            .and_then(|v| if v.len() == 1 { v.first().map(String::as_str) } else { None })
    }
}

/// Where approval rules that differ between operations live.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RulesFrom {
    /// The real baseline takes this operation's rules (default: the install operation).
    Operation(String),
    /// The real baseline keeps the declared rules; every operation with its own approval uses
    /// `BaselineOverride`.
    Declared,
}

/// One validated operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Name (the key in `operations`).
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// The schedule as written.
    pub spec: ScheduleSpec,
    /// What it resolves to (relative operations followed).
    pub intent: Intent,
    /// This operation's approval rules over the baselines.
    pub approval: Option<crate::baseline::ApprovalOverride>,
    /// Reboot option (install).
    pub reboot: RebootOption,
    /// Rate control.
    pub max_concurrency: String,
    /// Error threshold.
    pub max_errors: String,
    /// Window duration and cutoff.
    pub window: WindowSettings,
    /// True when `window-duration-hours` or `window-cutoff-hours` was written.
    pub window_explicit: bool,
}

/// The compliance strategy.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Compliance {
    /// Nothing is refreshed.
    None,
    /// A scan without override after the install (built in).
    Rescan,
    /// PutComplianceItems from the run's output (built in).
    PutComplianceItems,
    /// A custom strategy component.
    Custom {
        /// The `.wasm` file: as written when absolute; a relative one joined to the plan file's
        /// directory ([`Source::directory`]), or as written (so relative to the current
        /// directory) for a plan given as text without a file name.
        path: PathBuf,
    },
}

impl Compliance {
    /// The name shown to users.
    pub fn name(&self) -> String {
        match self {
            Compliance::None => "none".into(),
            Compliance::Rescan => "rescan".into(),
            Compliance::PutComplianceItems => "put-compliance-items".into(),
            Compliance::Custom { path } => path.display().to_string(),
        }
    }
}

/// Validated S3 locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// Bucket.
    pub bucket: String,
    /// Prefix of override files (no trailing slash).
    pub override_prefix: String,
    /// Prefix of command output, when output is written.
    pub output_prefix: Option<String>,
    /// ExpectedBucketOwner.
    pub expected_bucket_owner: Option<String>,
    /// SSE-KMS key.
    pub kms_key_id: Option<String>,
}

struct Check {
    errors: Vec<PlanError>,
    /// Errors with a column inside a string value.
    inner: Vec<Option<usize>>,
}

impl Check {
    fn push(&mut self, e: PlanError) {
        self.errors.push(e);
        self.inner.push(None);
    }

    fn schedule(&mut self, path: &str, e: ScheduleError) {
        let mut message = e.message.clone();
        if let Some(f) = e.field {
            message.push_str(&format!(" (in the {f} field)"));
        }
        self.errors.push(PlanError { hint: e.hint.clone(), ..PlanError::at(path, message) });
        self.inner.push(e.column);
    }
}

fn valid_name(s: &str) -> bool {
    (3..=128).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn valid_rate(s: &str, allow_zero: bool) -> bool {
    // botocore: MaxConcurrency ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$,
    //           MaxErrors      ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$
    if let Some(p) = s.strip_suffix('%') {
        return match p.parse::<u32>() {
            Ok(n) => (if allow_zero { n <= 100 } else { (1..=100).contains(&n) }) && p == n.to_string(),
            Err(_) => false,
        };
    }
    match s.parse::<u64>() {
        Ok(0) => allow_zero && s == "0",
        Ok(n) => s == n.to_string() && s.len() <= 7,
        Err(_) => false,
    }
}

fn valid_bucket(s: &str) -> bool {
    // S3 bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens,
    // starting and ending with a letter or digit.
    (3..=63).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !s.contains("..")
}

/// `arn:<partition>:iam::<12 digits>:role/<path/>name`: role names are 1-64 characters of
/// letters, digits and `+=,.@_-` (IAM API reference, CreateRole), paths `/`-separated.
fn valid_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else { return false };
    let Some(path) = resource.strip_prefix("role/") else { return false };
    let name = path.rsplit('/').next().unwrap_or_default();
    *arn == "arn"
        && partition.starts_with("aws")
        && *service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=64).contains(&name.len())
        && path.len() <= 512
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
}

/// An AWS Region name's shape (`ap-northeast-1`, `us-gov-west-1`): lowercase parts joined by `-`, the
/// last a number. The one rule for plans and the CLI's `--region`.
pub(crate) fn valid_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

impl Plan {
    /// Read and validate a plan from text (`file` names it in errors and picks the syntax).
    pub fn from_source(source: Source) -> Result<Plan, PlanErrors> {
        let file = source.parse()?;
        Plan::validate(file, Some(source))
    }

    /// Read and validate a plan file (at most [`crate::input::PLAN_FILE_LIMIT`] bytes).
    pub fn load(path: &std::path::Path) -> Result<Plan, PlanErrors> {
        let name = path.display().to_string();
        let text = crate::input::read_file(path, crate::input::PLAN_FILE_LIMIT, "plan").map_err(|e| {
            PlanErrors::from(PlanError {
                file: Some(name.clone()),
                ..PlanError::at("", e.reason()).with_hint(e.hint())
            })
        })?;
        Plan::from_source(Source::new(Some(&name), text))
    }

    /// Validate file types into a plan; every problem is reported, located via `source`.
    pub fn validate(file: PlanFile, source: Option<Source>) -> Result<Plan, PlanErrors> {
        let mut c = Check { errors: Vec::new(), inner: Vec::new() };
        if file.version != PLAN_VERSION {
            c.push(
                PlanError::at("version", format!("plan version {} is not supported", file.version))
                    .with_hint(format!("this release reads `version = {PLAN_VERSION}`")),
            );
        }
        if !valid_name(&file.name) {
            c.push(
                PlanError::at("name", format!("plan name `{}` is not valid", echo(&file.name))).with_hint(
                    "use 3-128 letters, digits, `_`, `-` or `.` (it names windows, associations and S3 keys)",
                ),
            );
        }
        if let Some(r) = &file.region
            && !valid_region(r)
        {
            c.push(
                PlanError::at("region", format!("`{}` is not an AWS region name", echo(r)))
                    .with_hint("write e.g. `ap-northeast-1`"),
            );
        }
        validate_tags(&file.tags, &mut c);
        if let Some(arn) = &file.service_role_arn
            && !valid_role_arn(arn)
        {
            c.push(
                PlanError::at("service-role-arn", format!("`{}` is not an IAM role ARN", echo(arn)))
                    .with_hint("write e.g. `arn:aws:iam::123456789012:role/MaintenanceWindowRole`"),
            );
        }
        // A zone is sent to AWS as the time zone database spells it: the lookup forgives case
        // (`asia/tokyo`), AWS's documented form is the IANA name (`Asia/Tokyo`), and whether it
        // forgives is not documented — so the plan's spelling is never sent.
        let canonical = |z: &str| time_zone(z).ok().and_then(|tz| tz.iana_name().map(str::to_string));
        let default_zone = file
            .time_zone
            .as_deref()
            .map(|z| canonical(z).unwrap_or_else(|| z.to_string()))
            .unwrap_or_else(|| "UTC".into());
        if let Some(z) = &file.time_zone
            && let Err(e) = time_zone(z)
        {
            c.schedule("time-zone", e);
        }
        let targets = validate_targets(&file.targets, &mut c);
        let quotas = Quotas::AWS_DEFAULTS.with(file.quotas.as_ref());

        // Operations: schedules parse first, relatives resolve after.
        if file.operations.is_empty() {
            c.push(
                PlanError::at("operations", "the plan has no operations")
                    .with_hint("add e.g. `[operations.install]` with `kind = \"install\"` and a `schedule`"),
            );
        }
        let mut specs: BTreeMap<String, (ScheduleSpec, String)> = BTreeMap::new();
        for (name, op) in &file.operations {
            let base = format!("operations.{name}");
            if name.is_empty()
                || name.len() > 64
                || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                c.push(
                    PlanError::at(&base, format!("operation name `{}` is not valid", echo(name)))
                        .with_hint("use 1-64 letters, digits, `-` or `_` (it appears in resource names and S3 keys)"),
                );
            }
            let zone = op
                .time_zone
                .as_deref()
                .map(|z| canonical(z).unwrap_or_else(|| z.to_string()))
                .unwrap_or_else(|| default_zone.clone());
            if let Some(z) = &op.time_zone
                && let Err(e) = time_zone(z)
            {
                c.schedule(&format!("{base}.time-zone"), e);
            }
            match ScheduleSpec::parse(&op.schedule) {
                Ok(spec) => {
                    check_spec(&base, op, &spec, &mut c);
                    specs.insert(name.clone(), (spec, zone));
                }
                Err(e) => c.schedule(&format!("{base}.schedule"), e),
            }
            validate_operation_settings(&base, op, &mut c);
        }
        let intents = resolve_intents(&file.operations, &specs, &mut c);

        let rules_from = match file.baseline_rules_from.as_deref() {
            Some("declared") => RulesFrom::Declared,
            Some(op) => {
                if !file.operations.contains_key(op) {
                    c.push(
                        PlanError::at("baseline-rules-from", format!("no operation named `{}`", echo(op)))
                            .with_hint("name an operation of this plan, or write `declared`"),
                    );
                }
                RulesFrom::Operation(op.to_string())
            }
            None => {
                let installs: Vec<&String> =
                    file.operations.iter().filter(|(_, o)| o.kind == OperationKind::Install).map(|(n, _)| n).collect();
                match installs.as_slice() {
                    [one] => RulesFrom::Operation((*one).clone()),
                    [] => RulesFrom::Declared,
                    many => {
                        let distinct: BTreeSet<String> = many
                            .iter()
                            .map(|n| format!("{:?}", file.operations.get(*n).and_then(|o| o.approval.as_ref())))
                            .collect();
                        if distinct.len() > 1 {
                            c.push(
                                PlanError::at(
                                    "baseline-rules-from",
                                    "several install operations have different approval rules",
                                )
                                .with_hint("say which one the real baseline takes: `baseline-rules-from = \"<operation>\"` or `\"declared\"`"),
                            );
                        }
                        RulesFrom::Operation(many[0].clone())
                    }
                }
            }
        };

        let base = source.as_ref().and_then(Source::directory);
        let compliance = validate_compliance(file.compliance.as_ref(), base.as_deref(), &mut c);
        if let Some(days) = file.one_shot_retention_days.filter(|d| *d > MAX_ONE_SHOT_RETENTION_DAYS) {
            c.push(
                PlanError::at(
                    "one-shot-retention-days",
                    format!("{days} days is more than {MAX_ONE_SHOT_RETENTION_DAYS}"),
                )
                .with_hint(
                    "one-shot windows count toward the account's 50 maintenance windows; keep them days, not years",
                ),
            );
        }
        let strategy_limits = validate_limits(file.compliance.as_ref().and_then(|f| f.limits.as_ref()), &mut c);
        let s3 = file.s3.as_ref().map(|s| validate_s3(s, &mut c));
        let mut found = Vec::new();
        let patch_policy = super::patch_policy::validate(file.patch_policy.as_ref(), &mut found);
        for e in found {
            c.push(e);
        }
        validate_baselines(&file, &mut c);
        validate_baseline_limits(&file, &quotas, &mut c);

        if !c.errors.is_empty() {
            let errors = c
                .errors
                .into_iter()
                .zip(c.inner)
                .map(|(e, inner)| match &source {
                    Some(s) => s.locate(e, inner),
                    None => e,
                })
                .collect();
            return Err(PlanErrors(errors));
        }
        let operations = file
            .operations
            .iter()
            .filter_map(|(name, op)| {
                let (spec, _) = specs.get(name)?.clone();
                let intent = intents.get(name)?.clone();
                let window = WindowSettings {
                    duration_hours: op.window_duration_hours.unwrap_or(DEFAULT_WINDOW_DURATION_HOURS),
                    cutoff_hours: op.window_cutoff_hours.unwrap_or(DEFAULT_WINDOW_CUTOFF_HOURS),
                };
                Some(Operation {
                    name: name.clone(),
                    kind: op.kind,
                    spec,
                    intent,
                    approval: op.approval.clone(),
                    reboot: op.reboot.unwrap_or_default(),
                    max_concurrency: op.max_concurrency.clone().unwrap_or_else(|| DEFAULT_MAX_CONCURRENCY.into()),
                    max_errors: op.max_errors.clone().unwrap_or_else(|| DEFAULT_MAX_ERRORS.into()),
                    window,
                    window_explicit: op.window_duration_hours.is_some() || op.window_cutoff_hours.is_some(),
                })
            })
            .collect();
        Ok(Plan {
            name: file.name.clone(),
            backend: file.backend,
            targets,
            rules_from,
            operations,
            compliance,
            strategy_limits,
            s3,
            patch_policy,
            quotas,
            source,
            file,
        })
    }

    /// Days a one-shot window is kept after its time (`one-shot-retention-days`, default
    /// [`DEFAULT_ONE_SHOT_RETENTION_DAYS`]).
    pub fn one_shot_retention_days(&self) -> u32 {
        self.file.one_shot_retention_days.unwrap_or(DEFAULT_ONE_SHOT_RETENTION_DAYS)
    }

    /// The role maintenance-window tasks run as (`service-role-arn`), when the plan names one;
    /// otherwise AWS uses the Systems Manager service-linked role.
    pub fn service_role_arn(&self) -> Option<&str> {
        self.file.service_role_arn.as_deref()
    }

    /// The `[patch-policy]` settings, defaults filled in.
    pub fn patch_policy(&self) -> &super::patch_policy::PatchPolicySettings {
        &self.patch_policy
    }

    /// The baseline a patch policy's runs apply on each operating system Patch Manager knows
    /// (declared, AWS's default with `undeclared-os = "aws-default"`, or none: the run fails).
    pub fn patch_policy_baselines(&self) -> Vec<super::patch_policy::OsBaseline> {
        super::patch_policy::baselines(&self.name, &self.file.baselines, &self.patch_policy)
    }

    /// The plan's own Region (`region`), if it names one.
    pub fn region(&self) -> Option<&str> {
        self.file.region.as_deref()
    }

    /// The plan's tags (`tags`), put on everything it creates.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.file.tags
    }

    /// The baselines as declared, by operating system (inline rules or an existing baseline id).
    pub fn baseline_specs(&self) -> &BTreeMap<crate::baseline::OperatingSystem, crate::baseline::BaselineSpec> {
        &self.file.baselines
    }

    /// The strategy's settings (`[compliance.settings]`).
    pub fn compliance_settings(&self) -> &BTreeMap<String, crate::plan::file::SettingValue> {
        static EMPTY: BTreeMap<String, crate::plan::file::SettingValue> = BTreeMap::new();
        self.file.compliance.as_ref().map(|c| &c.settings).unwrap_or(&EMPTY)
    }

    /// The compliance type the plan writes (`[compliance] compliance-type`), if it names one.
    pub fn compliance_type(&self) -> Option<&str> {
        self.file.compliance.as_ref().and_then(|c| c.compliance_type.as_deref())
    }

    /// The operation named `name`.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// Locate an error found after validation (e.g. by the compiler) in the plan's file.
    pub fn locate(&self, e: PlanError) -> PlanError {
        match &self.source {
            Some(s) => s.locate(e, None),
            None => e,
        }
    }
}

/// The plan's tags: AWS's Tag shape (key 1-128, value 0-256, letters, digits, spaces and
/// `_ . : / = + - @`, no `aws:` key), not ssmpatch's own `ssmpatch:` keys, and room for the
/// ownership tags within a resource's 50 ([`super::limits`]).
fn validate_tags(tags: &BTreeMap<String, String>, c: &mut Check) {
    for (k, v) in tags {
        let key_len = k.chars().count();
        let problem = if key_len == 0 || key_len > TAG_KEY_MAX {
            Some(format!("tag key is {key_len} characters; AWS allows 1-{TAG_KEY_MAX} (Tag Key)"))
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            Some("tag keys starting with `aws:` are reserved for AWS".to_string())
        } else if k.starts_with("ssmpatch:") {
            Some("tag keys starting with `ssmpatch:` are ssmpatch's ownership tags".to_string())
        } else if !tag_chars_ok(k) {
            Some("tag key has a character AWS does not allow in tags (Tag Key pattern)".to_string())
        } else if v.chars().count() > TAG_VALUE_MAX {
            Some(format!("tag value is {} characters; AWS allows up to {TAG_VALUE_MAX} (Tag Value)", v.chars().count()))
        } else if !tag_chars_ok(v) {
            Some("tag value has a character AWS does not allow in tags (Tag Value pattern)".to_string())
        } else {
            None
        };
        if let Some(why) = problem {
            c.push(PlanError::at(format!("tags.{k}"), format!("tag `{}` is not allowed: {why}", echo(k))).with_hint(
                "tag keys are 1-128 and values 0-256 letters, digits, spaces or `_ . : / = + - @`; keys may not start \
                 with `aws:` or `ssmpatch:`",
            ));
        }
    }
    if tags.len() + OWNERSHIP_TAGS > MAX_TAGS_PER_RESOURCE {
        c.push(
            PlanError::at(
                "tags",
                format!(
                    "{} tags and ssmpatch's {OWNERSHIP_TAGS} ownership tags make {}; AWS allows {MAX_TAGS_PER_RESOURCE} \
                     per resource (AddTagsToResource, TooManyTagsError)",
                    tags.len(),
                    tags.len() + OWNERSHIP_TAGS
                ),
            )
            .with_hint(format!("keep at most {} tags in `tags`", MAX_TAGS_PER_RESOURCE - OWNERSHIP_TAGS)),
        );
    }
}

/// Custom baselines: each name (`ssmpatch-<plan>-<os>`) within CreatePatchBaseline's 128
/// characters, and no more of them than the account's patch-baseline quota.
fn validate_baseline_limits(file: &PlanFile, quotas: &Quotas, c: &mut Check) {
    let custom: Vec<_> = file.baselines.iter().filter(|(_, b)| !b.is_existing()).map(|(os, _)| *os).collect();
    if let Some(os) = custom.iter().copied().max_by_key(|os| baseline_name_len(&file.name, *os))
        && baseline_name_len(&file.name, os) > NAME_MAX
    {
        c.push(
            PlanError::at(
                "name",
                format!(
                    "the plan name is {} characters: the baseline name `ssmpatch-<plan>-{}` would be {}, and AWS \
                     allows {NAME_MAX} (CreatePatchBaseline Name)",
                    file.name.len(),
                    os.as_str().to_ascii_lowercase().replace('_', "-"),
                    baseline_name_len(&file.name, os)
                ),
            )
            .with_hint(format!(
                "shorten the plan name to at most {} characters",
                NAME_MAX - (baseline_name_len(&file.name, os) - file.name.len())
            )),
        );
    }
    if custom.len() > quotas.patch_baselines as usize {
        c.push(
            PlanError::at(
                "baselines",
                format!(
                    "the plan creates {} custom patch baselines, more than {}",
                    custom.len(),
                    Quotas::describe("patch-baselines", quotas.patch_baselines)
                ),
            )
            .with_hint("use existing baselines (`baseline-id`) for some operating systems, or raise the quota"),
        );
    }
}

fn validate_targets(t: &TargetsFile, c: &mut Check) -> Targets {
    if t.tags.is_empty() && t.instance_ids.is_empty() && t.resource_groups.is_empty() {
        c.push(PlanError::at("targets", "no targets").with_hint(
            "select nodes with `tags = { \"Patch Group\" = \"web\" }`, `instance-ids` or `resource-groups`",
        ));
    }
    let mut tags = BTreeMap::new();
    for (k, v) in &t.tags {
        let values = v.values();
        let path = format!("targets.tags.{k}");
        if k.is_empty()
            || k.chars().count() > TAG_KEY_MAX
            || values.is_empty()
            || values.iter().any(|x| x.is_empty() || x.chars().count() > TAG_VALUE_MAX)
        {
            c.push(
                PlanError::at(&path, format!("tag target `{}` is not valid", echo(k)))
                    .with_hint("tag keys are 1-128 characters with 1 or more values of 1-256 characters"),
            );
        } else if !target_key_chars_ok(k) {
            c.push(
                PlanError::at(
                    &path,
                    format!(
                        "tag target `{}`: the target key `tag:<key>` may hold only letters, digits, spaces and \
                         `_ . : / = - @` (Target Key pattern)",
                        echo(k)
                    ),
                )
                .with_hint("a node tag whose key has another character cannot be targeted; target another tag"),
            );
        }
        if values.len() > MAX_TARGET_VALUES {
            c.push(
                PlanError::at(
                    &path,
                    format!(
                        "tag target `{}` has {} values; a target holds at most {MAX_TARGET_VALUES} (Target Values)",
                        echo(k),
                        values.len()
                    ),
                )
                .with_hint("tag the nodes with a common value and target that"),
            );
        }
        tags.insert(k.clone(), values);
    }
    if t.tags.len() > MAX_TARGETS {
        c.push(
            PlanError::at(
                "targets.tags",
                format!(
                    "{} tag keys; a window target or association holds at most {MAX_TARGETS} (Targets, \
                     RegisterTargetWithMaintenanceWindow and CreateAssociation)",
                    t.tags.len()
                ),
            )
            .with_hint("tag the nodes to patch with one tag (e.g. `\"Patch Group\" = \"web\"`) and target that"),
        );
    }
    if t.resource_groups.len() > MAX_TARGET_VALUES {
        c.push(
            PlanError::at(
                "targets.resource-groups",
                format!(
                    "{} resource groups; a target holds at most {MAX_TARGET_VALUES} (Target Values)",
                    t.resource_groups.len()
                ),
            )
            .with_hint("put the nodes in fewer groups"),
        );
    }
    for id in &t.instance_ids {
        let hex = id.strip_prefix("i-").or_else(|| id.strip_prefix("mi-"));
        if !hex.is_some_and(|h| {
            (8..=17).contains(&h.len()) && h.chars().all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase())
        }) {
            c.push(
                PlanError::at("targets.instance-ids", format!("`{}` is not a managed node id", echo(id)))
                    .with_hint("node ids look like `i-0123456789abcdef0` (EC2) or `mi-0123456789abcdef0` (hybrid)"),
            );
        }
    }
    if t.instance_ids.len() > MAX_TARGET_VALUES {
        c.push(
            PlanError::at(
                "targets.instance-ids",
                format!("{} node ids; a target holds at most 50", t.instance_ids.len()),
            )
            .with_hint("target by tag or resource group instead"),
        );
    }
    Targets { tags, instance_ids: t.instance_ids.clone(), resource_groups: t.resource_groups.clone() }
}

fn check_spec(base: &str, op: &OperationFile, spec: &ScheduleSpec, c: &mut Check) {
    if let Some(off) = op.offset_days {
        let cron = matches!(spec, ScheduleSpec::Expression(s) if matches!(s.expression(), Expression::Cron(_)));
        if !cron {
            c.push(
                PlanError::at(format!("{base}.offset-days"), "`offset-days` applies to `cron(...)` schedules only")
                    .with_hint("in a calendar rule, write the shift itself, e.g. `patch tuesday + 3 days at 02:00`"),
            );
        } else if !(1..=6).contains(&off) {
            c.push(
                PlanError::at(format!("{base}.offset-days"), format!("schedule offset {off} is out of range"))
                    .with_hint("ScheduleOffset is 1 to 6 days; for longer shifts use a calendar rule such as `patch tuesday + 10 days at 02:00`"),
            );
        }
    }
    if let ScheduleSpec::Relative { .. } = spec
        && op.time_zone.is_some()
    {
        c.push(
            PlanError::at(
                format!("{base}.time-zone"),
                "a relative schedule runs in the zone of the operation it follows",
            )
            .with_hint("remove `time-zone` here, or write this operation's own calendar rule"),
        );
    }
}

fn validate_operation_settings(base: &str, op: &OperationFile, c: &mut Check) {
    if op.kind == OperationKind::Scan && op.reboot.is_some() {
        c.push(
            PlanError::at(format!("{base}.reboot"), "`reboot` applies to install operations only")
                .with_hint("a scan never reboots; remove the setting"),
        );
    }
    if let Some(m) = &op.max_concurrency
        && !valid_rate(m, false)
    {
        c.push(
            PlanError::at(format!("{base}.max-concurrency"), format!("`{}` is not a valid max-concurrency", echo(m)))
                .with_hint("write a number of nodes from 1 (e.g. `10`) or a percentage from 1% to 100% (e.g. `10%`)"),
        );
    }
    if let Some(m) = &op.max_errors
        && !valid_rate(m, true)
    {
        c.push(
            PlanError::at(format!("{base}.max-errors"), format!("`{}` is not a valid max-errors", echo(m)))
                .with_hint("write a number of errors from 0 (e.g. `1`) or a percentage from 0% to 100% (e.g. `5%`)"),
        );
    }
    let w = WindowSettings {
        duration_hours: op.window_duration_hours.unwrap_or(DEFAULT_WINDOW_DURATION_HOURS),
        cutoff_hours: op.window_cutoff_hours.unwrap_or(DEFAULT_WINDOW_CUTOFF_HOURS),
    };
    if let Err(v) = w.validate() {
        let key = if v.rule == "window.duration" { "window-duration-hours" } else { "window-cutoff-hours" };
        c.push(PlanError::at(format!("{base}.{key}"), v.reason).with_hint(v.hint));
    }
}

/// Resolve every operation's intent; relative operations follow their reference (cycles and
/// unknown names are errors).
fn resolve_intents(
    ops: &BTreeMap<String, OperationFile>,
    specs: &BTreeMap<String, (ScheduleSpec, String)>,
    c: &mut Check,
) -> BTreeMap<String, Intent> {
    let mut done: BTreeMap<String, Intent> = BTreeMap::new();
    for name in specs.keys() {
        let mut chain: Vec<String> = Vec::new();
        let mut cur = name.clone();
        // Walk to a non-relative operation, collecting shifts.
        let mut shifts: Vec<(i32, Option<jiff::civil::Time>)> = Vec::new();
        let base = loop {
            if chain.contains(&cur) {
                chain.push(cur.clone());
                if chain.first() == Some(name) {
                    c.push(
                        PlanError::at(
                            format!("operations.{name}.schedule"),
                            format!("relative schedules form a cycle: {}", chain.join(" → ")),
                        )
                        .with_hint("anchor one of these operations on its own calendar rule or expression"),
                    );
                }
                break None;
            }
            chain.push(cur.clone());
            let Some((spec, zone)) = specs.get(&cur) else { break None };
            match spec {
                ScheduleSpec::Relative { operation, days, time } => {
                    if !ops.contains_key(operation) {
                        if cur == *name {
                            c.push(
                                PlanError::at(
                                    format!("operations.{name}.schedule"),
                                    format!("no operation named `{}`", echo(operation)),
                                )
                                .with_hint(format!(
                                    "name another operation of this plan: {}",
                                    ops.keys().filter(|k| *k != name).cloned().collect::<Vec<_>>().join(", ")
                                )),
                            );
                        }
                        break None;
                    }
                    shifts.push((*days, *time));
                    cur = operation.clone();
                }
                ScheduleSpec::Calendar(rule) => {
                    break time_zone(zone).ok().map(|tz| Intent::from_rule(*rule, zone, tz));
                }
                ScheduleSpec::Expression(s) if !shifts.is_empty() && matches!(s.expression(), Expression::Rate(_)) => {
                    // A rate() has no fixed start: AWS counts it from when the window or
                    // association is created, and ssmpatch could only anchor it on "now", which
                    // moves with every apply (and each apply would replace the one-shot windows
                    // before they run). So a relative schedule cannot follow one.
                    c.push(
                        PlanError::at(
                            format!("operations.{name}.schedule"),
                            format!(
                                "a relative schedule cannot follow `{}`, which runs at `{}`: a rate() has no fixed \
                                 start (AWS counts it from when the resource is created), so days before or after it \
                                 name no fixed time",
                                echo(&cur),
                                echo(s.as_str())
                            ),
                        )
                        .with_hint(format!(
                            "give `{}` a calendar rule or cron (e.g. `every sunday at 02:00`) and keep this one \
                             relative, or give this operation its own schedule (e.g. its own rate())",
                            echo(&cur)
                        )),
                    );
                    break None;
                }
                ScheduleSpec::Expression(s) => {
                    let off = ops.get(&cur).and_then(|o| o.offset_days).unwrap_or(0);
                    let off = i32::try_from(off).unwrap_or(0);
                    break time_zone(zone).ok().map(|tz: TimeZone| Intent::from_expression(s.clone(), off, zone, tz));
                }
            }
        };
        let Some(mut intent) = base else { continue };
        let mut ok = true;
        for (days, time) in shifts.into_iter().rev() {
            match intent.shifted(days, time) {
                Some(i) => intent = i,
                None => {
                    c.push(
                        PlanError::at(
                            format!("operations.{name}.schedule"),
                            "a relative schedule cannot change the time of an AWS expression",
                        )
                        .with_hint("remove `at HH:MM`, or write the other operation as a calendar rule"),
                    );
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            done.insert(name.clone(), intent);
        }
    }
    done
}

/// `base`: the plan file's directory, against which a relative component path is resolved
/// (`None` for a plan given as text: against the current directory).
fn validate_compliance(f: Option<&ComplianceFile>, base: Option<&std::path::Path>, c: &mut Check) -> Compliance {
    let Some(f) = f else { return Compliance::None };
    let strategy = match f.strategy.as_str() {
        "none" => Compliance::None,
        "rescan" => Compliance::Rescan,
        "put-compliance-items" => Compliance::PutComplianceItems,
        // `join` keeps an absolute path as it is.
        p if p.ends_with(".wasm") => Compliance::Custom { path: base.map_or_else(|| PathBuf::from(p), |b| b.join(p)) },
        other => {
            c.push(PlanError::at("compliance.strategy", format!("unknown compliance strategy `{}`", echo(other))).with_hint(
                "use `none`, `rescan`, `put-compliance-items`, or the path of a strategy component ending in `.wasm`",
            ));
            Compliance::None
        }
    };
    if let Some(t) = &f.compliance_type
        && !crate::strategy::compliance_type_is_valid(t)
    {
        c.push(
            PlanError::at(
                "compliance.compliance-type",
                format!("`{}` is not a compliance type ssmpatch writes", echo(t)),
            )
            .with_hint(crate::strategy::COMPLIANCE_TYPE_HINT),
        );
    }
    if !f.settings.is_empty() && matches!(strategy, Compliance::None) {
        c.push(
            PlanError::at("compliance.settings", "settings given for the `none` strategy")
                .with_hint("remove the settings, or choose a strategy"),
        );
    }
    for (k, v) in &f.settings {
        if let SettingValue::Float(x) = v
            && !x.is_finite()
        {
            c.push(PlanError::at(format!("compliance.settings.{k}"), "setting is not a finite number"));
        }
    }
    strategy
}

/// `[compliance.limits]` over [`crate::strategy::Limits::default`], each value in its range.
fn validate_limits(f: Option<&crate::plan::file::StrategyLimitsFile>, c: &mut Check) -> crate::strategy::Limits {
    let limits = crate::strategy::Limits::default();
    let Some(f) = f else { return limits };
    let bad = crate::strategy::Limits::out_of_range(f.fuel, f.timeout_seconds, f.memory_mib);
    for b in &bad {
        c.push(
            PlanError::at(format!("compliance.limits.{}", b.key), format!("{} is out of range", b.value))
                .with_hint(format!("use {} to {} {}", b.range.start(), b.range.end(), b.unit)),
        );
    }
    // With any value out of range the plan is rejected, so these limits are only used when valid.
    limits.with(f.fuel, f.timeout_seconds, f.memory_mib)
}

fn validate_s3(s: &S3File, c: &mut Check) -> S3Location {
    if !valid_bucket(&s.bucket) {
        c.push(
            PlanError::at("s3.bucket", format!("`{}` is not a valid S3 bucket name", echo(&s.bucket)))
                .with_hint("3-63 lowercase letters, digits, `.` or `-`, starting and ending with a letter or digit"),
        );
    }
    let clean = |p: &Option<String>, key: &str, default: &str, c: &mut Check| -> String {
        let v = p.clone().unwrap_or_else(|| default.to_string());
        let v = v.trim_matches('/').to_string();
        if v.contains(crate::baseline::FORBIDDEN_FILE_NAME_CHARS) {
            c.push(
                PlanError::at(
                    format!("s3.{key}"),
                    format!("`{}` contains a character AWS forbids in BaselineOverride file names", echo(&v)),
                )
                .with_hint("remove backticks, quotes and `$` (patch-manager-baselineoverride-parameter)"),
            );
        }
        v
    };
    let override_prefix = clean(&s.override_prefix, "override-prefix", DEFAULT_OVERRIDE_PREFIX, c);
    let output_prefix =
        s.output_prefix.as_ref().map(|_| clean(&s.output_prefix, "output-prefix", DEFAULT_OUTPUT_PREFIX, c));
    if let Some(owner) = &s.expected_bucket_owner
        && !(owner.len() == 12 && owner.chars().all(|ch| ch.is_ascii_digit()))
    {
        c.push(
            PlanError::at("s3.expected-bucket-owner", format!("`{}` is not a 12-digit AWS account id", echo(owner)))
                .with_hint("write the account id that owns the bucket, e.g. `123456789012`"),
        );
    }
    S3Location {
        bucket: s.bucket.clone(),
        override_prefix,
        output_prefix,
        expected_bucket_owner: s.expected_bucket_owner.clone(),
        kms_key_id: s.kms_key_id.clone(),
    }
}

fn validate_baselines(file: &PlanFile, c: &mut Check) {
    for (os, spec) in &file.baselines {
        for i in spec.issues(&format!("baselines.{os}")) {
            c.push(PlanError::at(i.path, i.message).with_hint(i.hint));
        }
    }
    let inline_rules = file.baselines.values().any(|b| !b.is_existing() && !b.approval_rules.is_empty());
    for (name, op) in &file.operations {
        let Some(a) = &op.approval else { continue };
        let path = format!("operations.{name}.approval");
        for i in a.issues(&path) {
            c.push(PlanError::at(i.path, i.message).with_hint(i.hint));
        }
        if !inline_rules {
            c.push(
                PlanError::at(&path, "an operation's approval applies over inline approval rules, and the plan declares none")
                    .with_hint("declare `[baselines.<OS>]` with `approval-rules` (e.g. `[[baselines.AMAZON_LINUX_2023.approval-rules]]`)"),
            );
        } else if let Some((os, _)) = file.baselines.iter().find(|(_, b)| b.is_existing()) {
            c.push(
                PlanError::at(
                    &path,
                    format!("`{os}` uses an existing baseline, which an operation's approval cannot change offline"),
                )
                .with_hint(format!("declare `{os}`'s rules inline, or drop the operation's approval")),
            );
        }
    }
}
