//! Validation: file-facing specs → validated baselines that cannot hold values AWS would reject.
//!
//! Every check runs (problems are collected, not short-circuited) and each problem names its key
//! path, e.g. `baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days`.

use std::collections::BTreeMap;

use super::error::{BaselineError, BaselineErrors};
use super::limits::{LIMITS, Limit, is_baseline_id_char, is_name_char};
use super::render::OverrideDocument;
use super::rules::{ApprovalChange, PatchBaselineRules, PatchFilter, PatchRule, PatchSource};
use super::spec::{ApprovalOverride, BaselineSpec, ComplianceLevel, OperatingSystem, PatchFilterKey};

/// When an approval rule approves a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalDelay {
    /// `ApproveAfterDays`: this many days after release (0-360).
    AfterDays(u16),
    /// `ApproveUntilDate`: patches released on or before this date.
    UntilDate(jiff::civil::Date),
}

impl ApprovalDelay {
    /// Validated `approve-after-days`.
    pub fn after_days(days: u32) -> Result<ApprovalDelay, BaselineError> {
        let mut c = Check::default();
        let d = c.days("approve-after-days", days);
        c.finish_one().map(|()| d.unwrap_or(ApprovalDelay::AfterDays(0)))
    }

    /// Validated `approve-until-date` (`YYYY-MM-DD`).
    pub fn until_date(date: &str) -> Result<ApprovalDelay, BaselineError> {
        let mut c = Check::default();
        let d = c.date("approve-until-date", date);
        c.finish_one().map(|()| d.unwrap_or(ApprovalDelay::AfterDays(0)))
    }
}

/// An operation's approval override, validated: it changes at least one thing, and what it
/// sets is within AWS's limits. See [`PatchBaselineRules::merge`] for how it applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Approval {
    delay: Option<ApprovalDelay>,
    compliance_level: Option<ComplianceLevel>,
}

impl Approval {
    /// An override that sets `ApproveAfterDays` (the seed's `14` and `21`).
    pub fn after_days(days: u32) -> Result<Approval, BaselineError> {
        Ok(Approval { delay: Some(ApprovalDelay::after_days(days)?), compliance_level: None })
    }

    /// The delay it sets, if any.
    pub fn delay(&self) -> Option<ApprovalDelay> {
        self.delay
    }

    /// The compliance level it sets, if any.
    pub fn compliance_level(&self) -> Option<ComplianceLevel> {
        self.compliance_level
    }

    /// The change it makes to every approval rule.
    pub fn change(&self) -> ApprovalChange {
        let (approve_after_days, approve_until_date) = match self.delay {
            Some(ApprovalDelay::AfterDays(d)) => (Some(i32::from(d)), None),
            Some(ApprovalDelay::UntilDate(d)) => (None, Some(d.to_string())),
            None => (None, None),
        };
        ApprovalChange { approve_after_days, approve_until_date, compliance_level: self.compliance_level }
    }
}

/// A patch baseline id or ARN matching `^[a-zA-Z0-9_\-:/]{20,128}$`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BaselineId(String);

impl BaselineId {
    /// Checks `id`; `path` locates it in errors.
    pub fn parse(id: &str, path: &str) -> Result<BaselineId, BaselineError> {
        let mut c = Check::default();
        c.baseline_id(path, id);
        c.finish_one().map(|()| BaselineId(id.to_string()))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One operating system's baseline, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Baseline {
    /// An existing baseline (custom or AWS-provided), by id or ARN. Its rules are not known
    /// offline, so it cannot be rendered into an override document or take an approval.
    Existing(BaselineId),
    /// Rules declared in the plan.
    Inline(InlineBaseline),
}

/// Inline rules that passed every check of the API limits (private fields: only
/// [`Baselines::validate`] makes one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineBaseline {
    rules: PatchBaselineRules,
}

impl InlineBaseline {
    /// The operating system.
    pub fn operating_system(&self) -> OperatingSystem {
        self.rules.operating_system
    }

    /// The rules as declared (AWS's defaults filled in).
    pub fn rules(&self) -> &PatchBaselineRules {
        &self.rules
    }

    /// The rules an operation runs with: the declared ones with its approval merged in
    /// ([`PatchBaselineRules::merge`]). Still within every limit: an [`Approval`] only sets
    /// validated values.
    pub fn effective(&self, approval: Option<&Approval>) -> PatchBaselineRules {
        match approval {
            Some(a) => self.rules.clone().merge(&a.change()),
            None => self.rules.clone(),
        }
    }
}

/// The plan's baselines per operating system, validated. An OS that is not present runs with
/// the AWS default baseline for that OS (or the one registered for the node's patch group).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Baselines {
    by_os: BTreeMap<OperatingSystem, Baseline>,
}

impl Baselines {
    /// Validates the `baselines` table of a plan; `path` is its key path (`baselines`).
    pub fn validate(specs: &BTreeMap<OperatingSystem, BaselineSpec>, path: &str) -> Result<Baselines, BaselineErrors> {
        let mut c = Check::default();
        let mut by_os = BTreeMap::new();
        for (os, spec) in specs {
            if let Some(b) = c.baseline(*os, spec, &join(path, os.as_str())) {
                by_os.insert(*os, b);
            }
        }
        c.finish().map(|()| Baselines { by_os })
    }

    /// The baseline of `os`; `None` means the AWS default.
    pub fn get(&self, os: OperatingSystem) -> Option<&Baseline> {
        self.by_os.get(&os)
    }

    /// Every declared baseline, by OS.
    pub fn iter(&self) -> impl Iterator<Item = (OperatingSystem, &Baseline)> {
        self.by_os.iter().map(|(os, b)| (*os, b))
    }

    /// The inline baselines, by OS.
    pub fn inline(&self) -> impl Iterator<Item = &InlineBaseline> {
        self.by_os.values().filter_map(|b| match b {
            Baseline::Inline(i) => Some(i),
            Baseline::Existing(_) => None,
        })
    }

    /// The rules an operation with `approval` runs with, one per inline baseline, by OS.
    pub fn effective_rules(&self, approval: Option<&Approval>) -> Vec<PatchBaselineRules> {
        self.inline().map(|b| b.effective(approval)).collect()
    }

    /// The `BaselineOverride` document of an operation with `approval`. Errors when the plan
    /// declares no inline baseline (an empty document would make every node fail with "Unable
    /// to find Baseline Override for Operating System").
    pub fn render_override(&self, approval: Option<&Approval>) -> Result<OverrideDocument, BaselineError> {
        OverrideDocument::from_rules(self.effective_rules(approval))
    }
}

impl BaselineSpec {
    /// Every problem with this spec against the API limits; `path` is its key path, e.g.
    /// `baselines.AMAZON_LINUX_2023`. The OS is read from the path's last segment when it is
    /// one; it does not change which checks run.
    pub fn issues(&self, path: &str) -> Vec<BaselineError> {
        let os = path.rsplit('.').next().and_then(|s| s.parse().ok()).unwrap_or(OperatingSystem::Windows);
        self.validate(os, path).err().map(|e| e.0).unwrap_or_default()
    }

    /// Validates this spec as the baseline of `os`; `path` is its key path.
    pub fn validate(&self, os: OperatingSystem, path: &str) -> Result<Baseline, BaselineErrors> {
        let mut c = Check::default();
        let b = c.baseline(os, self, path);
        c.finish()
            .map(|()| b.unwrap_or_else(|| Baseline::Inline(InlineBaseline { rules: PatchBaselineRules::empty(os) })))
    }

    /// The `GetPatchBaseline`-shaped object for `os` with `approval` applied, keys sorted.
    /// Does not validate: for specs the plan loader has already checked.
    pub fn to_aws(&self, os: OperatingSystem, approval: Option<&ApprovalOverride>) -> serde_json::Value {
        let rules = PatchBaselineRules::from_spec(os, self);
        let rules = match approval {
            Some(a) => rules.merge(&ApprovalChange::from_spec(a)),
            None => rules,
        };
        rules.to_override_value()
    }
}

impl ApprovalOverride {
    /// Problems with this override; `path` is its key path (`operations.<name>.approval`).
    pub fn issues(&self, path: &str) -> Vec<BaselineError> {
        self.validate(path).err().map(|e| e.0).unwrap_or_default()
    }

    /// Validates this override; `path` is its key path.
    pub fn validate(&self, path: &str) -> Result<Approval, BaselineErrors> {
        let mut c = Check::default();
        let delay = c.delay(path, self.approve_after_days, self.approve_until_date.as_deref(), false);
        if self.approve_after_days.is_none() && self.approve_until_date.is_none() && self.compliance_level.is_none() {
            c.push(
                path,
                "the approval override changes nothing",
                "set `approve-after-days`, `approve-until-date` or `compliance-level`, or remove it",
            );
        }
        c.finish().map(|()| Approval { delay, compliance_level: self.compliance_level })
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// Collects problems.
#[derive(Debug, Default)]
struct Check {
    errors: Vec<BaselineError>,
}

impl Check {
    fn push(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.errors.push(BaselineError::new(path, message, hint));
    }

    fn finish(self) -> Result<(), BaselineErrors> {
        if self.errors.is_empty() { Ok(()) } else { Err(BaselineErrors(self.errors)) }
    }

    fn finish_one(self) -> Result<(), BaselineError> {
        match self.errors.into_iter().next() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// A count of items against `l`.
    fn count(&mut self, path: &str, n: usize, l: Limit) -> bool {
        if l.allows(n) {
            return true;
        }
        let (message, hint) = if n > l.max {
            (
                format!("{n} {} where AWS allows at most {}", l.what, l.max),
                format!("keep {}-{} {}", l.min, l.max, l.what),
            )
        } else {
            (
                format!("{n} {} where AWS needs at least {}", l.what, l.min),
                format!("give {}-{} {}", l.min, l.max, l.what),
            )
        };
        self.push(path, message, format!("{hint} (limit from the {})", l.source));
        false
    }

    /// A string's length in characters against `l`.
    fn length(&mut self, path: &str, s: &str, l: Limit) -> bool {
        let n = s.chars().count();
        if l.allows(n) {
            return true;
        }
        // Clipped shorter than other echoes: the count follows.
        let shown: String = s.chars().take(24).collect();
        let shown = crate::input::echo(&shown) + if n > 24 { "…" } else { "" };
        self.push(
            path,
            format!("`{shown}` has {n} {} where AWS allows {}-{}", l.what, l.min, l.max),
            format!("shorten or lengthen it to {}-{} characters (limit from the {})", l.min, l.max, l.source),
        );
        false
    }

    fn strings(&mut self, path: &str, items: &[String], count: Limit, each: Limit) -> Vec<String> {
        self.count(path, items.len(), count);
        for (i, s) in items.iter().enumerate() {
            self.length(&format!("{path}[{i}]"), s, each);
        }
        items.to_vec()
    }

    fn days(&mut self, path: &str, days: u32) -> Option<ApprovalDelay> {
        let l = LIMITS.approve_after_days;
        match u16::try_from(days) {
            Ok(d) if l.allows(usize::from(d)) => Some(ApprovalDelay::AfterDays(d)),
            _ => {
                self.push(
                    path,
                    format!("approve-after-days {days} is out of range ({}-{})", l.min, l.max),
                    format!("AWS allows {} to {} days ({})", l.min, l.max, l.source),
                );
                None
            }
        }
    }

    fn date(&mut self, path: &str, date: &str) -> Option<ApprovalDelay> {
        // Exactly `YYYY-MM-DD` (jiff alone would accept other ISO 8601 forms), then a real date.
        let shape = date.len() == LIMITS.approve_until_date_len.max
            && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        let parsed = shape.then(|| date.parse::<jiff::civil::Date>().ok()).flatten();
        match parsed {
            Some(d) => Some(ApprovalDelay::UntilDate(d)),
            None => {
                self.push(
                    path,
                    format!("`{}` is not a date", crate::input::echo(date)),
                    "write YYYY-MM-DD, e.g. `2026-06-30`",
                );
                None
            }
        }
    }

    /// `approve-after-days` XOR `approve-until-date` at `path`.
    fn delay(&mut self, path: &str, days: Option<u32>, date: Option<&str>, required: bool) -> Option<ApprovalDelay> {
        let d = days.and_then(|d| self.days(&join(path, "approve-after-days"), d));
        let u = date.and_then(|u| self.date(&join(path, "approve-until-date"), u));
        match (days, date) {
            (Some(_), Some(_)) => {
                self.push(
                    path,
                    "both approve-after-days and approve-until-date are set",
                    "an approval rule uses one of them",
                );
                None
            }
            (None, None) if required => {
                self.push(
                    path,
                    "the rule sets neither approve-after-days nor approve-until-date",
                    "add e.g. `approve-after-days = 7`",
                );
                None
            }
            _ => d.or(u),
        }
    }

    fn filters(&mut self, path: &str, filters: &BTreeMap<PatchFilterKey, Vec<String>>) -> Vec<PatchFilter> {
        self.count(path, filters.len(), LIMITS.filters);
        filters
            .iter()
            .map(|(k, values)| PatchFilter {
                key: *k,
                values: self.strings(&join(path, k.as_str()), values, LIMITS.filter_values, LIMITS.filter_value_len),
            })
            .collect()
    }

    fn baseline_id(&mut self, path: &str, id: &str) {
        if !id.chars().all(is_baseline_id_char) {
            self.push(
                path,
                format!("`{}` is not a patch baseline id", crate::input::echo(id)),
                "write e.g. `pb-0123456789abcdef0` or an AWS default baseline's ARN",
            );
        } else {
            self.length(path, id, LIMITS.baseline_id_len);
        }
    }

    fn source(&mut self, path: &str, s: &super::spec::PatchSourceSpec) -> PatchSource {
        let name_path = join(path, "name");
        if self.length(&name_path, &s.name, LIMITS.source_name_len) && !s.name.chars().all(is_name_char) {
            self.push(
                &name_path,
                format!("source name `{}` has a character AWS does not allow", crate::input::echo(&s.name)),
                "use letters, digits, `_`, `-` and `.` (pattern ^[a-zA-Z0-9_\\-.]{3,50}$)",
            );
        }
        let products =
            self.strings(&join(path, "products"), &s.products, LIMITS.source_products, LIMITS.source_product_len);
        self.length(&join(path, "configuration"), &s.configuration, LIMITS.source_configuration_len);
        PatchSource { configuration: s.configuration.clone(), name: s.name.clone(), products }
    }

    fn baseline(&mut self, os: OperatingSystem, spec: &BaselineSpec, path: &str) -> Option<Baseline> {
        let before = self.errors.len();
        if let Some(id) = &spec.baseline_id {
            let id_path = join(path, "baseline-id");
            if spec.has_inline_fields() {
                self.push(
                    &id_path,
                    "an existing baseline and inline rules are both given",
                    "use `baseline-id` alone, or remove it and declare the rules",
                );
            }
            self.baseline_id(&id_path, id);
            return (self.errors.len() == before).then(|| Baseline::Existing(BaselineId(id.clone())));
        }
        let rules_path = join(path, "approval-rules");
        self.count(&rules_path, spec.approval_rules.len(), LIMITS.approval_rules);
        let approval_rules: Vec<PatchRule> = spec
            .approval_rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let p = format!("{rules_path}[{i}]");
                let delay = self.delay(&p, r.approve_after_days, r.approve_until_date.as_deref(), true);
                let patch_filters = self.filters(&join(&p, "filters"), &r.filters);
                let (approve_after_days, approve_until_date) = match delay {
                    Some(ApprovalDelay::AfterDays(d)) => (Some(i32::from(d)), None),
                    Some(ApprovalDelay::UntilDate(d)) => (None, Some(d.to_string())),
                    None => (None, None),
                };
                PatchRule {
                    patch_filters,
                    compliance_level: r.compliance_level.unwrap_or(ComplianceLevel::Unspecified),
                    approve_after_days,
                    approve_until_date,
                    enable_non_security: r.enable_non_security.unwrap_or(false),
                }
            })
            .collect();
        let global_filters = self.filters(&join(path, "global-filters"), &spec.global_filters);
        let approved_patches =
            self.strings(&join(path, "approved-patches"), &spec.approved_patches, LIMITS.patch_list, LIMITS.patch_len);
        let rejected_patches =
            self.strings(&join(path, "rejected-patches"), &spec.rejected_patches, LIMITS.patch_list, LIMITS.patch_len);
        let sources_path = join(path, "sources");
        self.count(&sources_path, spec.sources.len(), LIMITS.sources);
        let sources: Vec<PatchSource> =
            spec.sources.iter().enumerate().map(|(i, s)| self.source(&format!("{sources_path}[{i}]"), s)).collect();
        let defaults = PatchBaselineRules::from_spec(os, spec);
        (self.errors.len() == before).then_some(Baseline::Inline(InlineBaseline {
            rules: PatchBaselineRules {
                approval_rules,
                global_filters,
                approved_patches,
                rejected_patches,
                sources,
                ..defaults
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::spec::ApprovalRuleSpec;

    #[test]
    fn limits_are_enforced_with_paths() {
        let mut spec = BaselineSpec { approval_rules: vec![ApprovalRuleSpec::default(); 11], ..Default::default() };
        spec.approval_rules[0].approve_after_days = Some(400);
        spec.approved_patches = vec!["x".repeat(101)];
        let issues = spec.issues("baselines.AMAZON_LINUX_2023");
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules[1]"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approved-patches[0]"), "{paths:?}");
    }

    #[test]
    fn a_valid_date_is_kept_as_written() {
        let spec = BaselineSpec {
            approval_rules: vec![ApprovalRuleSpec {
                approve_until_date: Some("2026-06-30".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let Ok(Baseline::Inline(b)) = spec.validate(OperatingSystem::Centos, "b") else { panic!("valid") };
        assert_eq!(b.rules().approval_rules[0].approve_until_date.as_deref(), Some("2026-06-30"));
        for bad in ["2026-02-30", "2026-6-30", "26-06-30", "2026/06/30", "+02026-06-30"] {
            assert!(ApprovalDelay::until_date(bad).is_err(), "{bad}");
        }
    }
}
