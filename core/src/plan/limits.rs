//! AWS's length, count and pattern limits that a plan's derived names, tags and targets must
//! meet, and the account quotas a plan alone can exceed — checked offline, so a plan that
//! `validate` accepts never stops half-applied on a `ValidationException` or a
//! `ResourceLimitExceededException`.
//!
//! Fixed limits are constants, each beside its source. Quotas are adjustable per account (there is
//! no API to read them), so AWS's documented defaults are only defaults: a plan's `[quotas]` table
//! overrides them ([`Quotas`]).
//!
//! The names ssmpatch derives are built in `backends::naming`; `backends` depends on `plan`, so
//! their lengths are computed here from the same shapes ([`operation_name_len`] and the others),
//! and `core/tests/it/limits.rs` checks that both agree.

use serde::{Deserialize, Serialize};

use crate::baseline::OperatingSystem;

/// Resource names: "Length Constraints: Minimum length of 3. Maximum length of 128. Pattern:
/// `^[a-zA-Z0-9_\-.]{3,128}$`" — the `Name` of CreateMaintenanceWindow,
/// RegisterTaskWithMaintenanceWindow and RegisterTargetWithMaintenanceWindow, the
/// `AssociationName` of CreateAssociation and the `Name` of CreatePatchBaseline (AWS Systems
/// Manager API Reference).
pub const NAME_MIN: usize = 3;
/// See [`NAME_MIN`].
pub const NAME_MAX: usize = 128;
/// Quick Setup `CreateConfigurationManager` `Name`: pattern `^[ A-Za-z0-9._-]{0,120}$` (AWS Quick
/// Setup API Reference).
pub const QUICK_SETUP_NAME_MAX: usize = 120;

/// "Most resources can have a maximum of 50 tags" (AWS Systems Manager API Reference,
/// AddTagsToResource); the error is `TooManyTagsError`. The count includes the tags a resource
/// already has.
pub const MAX_TAGS_PER_RESOURCE: usize = 50;
/// The ownership tags ssmpatch puts on everything it creates besides the plan's own
/// (`ssmpatch:plan` and `ssmpatch:managed-by`, `backends::naming`): they count toward
/// [`MAX_TAGS_PER_RESOURCE`].
pub const OWNERSHIP_TAGS: usize = 2;
/// Tag `Key`: "Minimum length of 1. Maximum length of 128", pattern
/// `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, and not starting with `aws:` (AWS Systems Manager API
/// Reference, Tag).
pub const TAG_KEY_MAX: usize = 128;
/// Tag `Value`: "Minimum length of 0. Maximum length of 256", same pattern as the key (AWS Systems
/// Manager API Reference, Tag).
pub const TAG_VALUE_MAX: usize = 256;

/// `Targets`: "Array Members: Minimum number of 0 items. Maximum number of 5 items" —
/// RegisterTargetWithMaintenanceWindow and CreateAssociation (AWS Systems Manager API Reference).
/// A window target holds one entry per tag key; an association holds every selector's entries.
pub const MAX_TARGETS: usize = 5;
/// Target `Values`: "Maximum number of 50 items" (AWS Systems Manager API Reference, Target).
pub const MAX_TARGET_VALUES: usize = 50;
/// Target `Key`: "Minimum length of 1. Maximum length of 163", pattern
/// `^([\p{L}\p{Z}\p{N}_.:/=\-@]*)$` (no `+`, unlike a tag key) (AWS Systems Manager API Reference,
/// Target). A tag target's key is `tag:<key>`.
pub const TARGET_KEY_MAX: usize = 163;

/// `ssmpatch-` — the start of every name a plan derives (`backends::naming::prefix`).
const PREFIX: &str = "ssmpatch-";
/// `-at-` and the 13 characters of `YYYYMMDDTHHMM` a one-shot window's name ends with
/// (`backends::naming::one_shot_name`).
const ONE_SHOT_SUFFIX_LEN: usize = "-at-".len() + 13;

/// Length of `ssmpatch-<plan>-<op>`: the name of an operation's window or association.
pub fn operation_name_len(plan: &str, op: &str) -> usize {
    PREFIX.len() + plan.len() + 1 + op.len()
}

/// Length of `ssmpatch-<plan>-<op>-at-YYYYMMDDTHHMM`: a one-shot window's name.
pub fn one_shot_name_len(plan: &str, op: &str) -> usize {
    operation_name_len(plan, op) + ONE_SHOT_SUFFIX_LEN
}

/// Length of `ssmpatch-<plan>-<os>` (lowercase, dashes): a custom baseline's name.
pub fn baseline_name_len(plan: &str, os: OperatingSystem) -> usize {
    PREFIX.len() + plan.len() + 1 + os.as_str().len()
}

/// Length of `ssmpatch-<plan>`: the patch policy's (Quick Setup configuration manager's) name.
pub fn patch_policy_name_len(plan: &str) -> usize {
    PREFIX.len() + plan.len()
}

/// A tag key or value holds only what AWS's tag pattern allows: Unicode letters, separators
/// (spaces), numbers, and `_ . : / = + - @`.
/// Quick Setup's tags (CreateConfigurationManager, TagResource: `TagsMapKeyString` and
/// `TagsMapValueString`, pattern `^[A-Za-z0-9 _=@:.+-/]+$` in the service model) take ASCII only —
/// stricter than Systems Manager's, which allow any Unicode letter. `+-/` in that class is the
/// range `+` to `/`, so `,` is allowed too.
pub(crate) fn quick_setup_tag_chars_ok(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || " _=@:.".contains(c) || ('+'..='/').contains(&c))
}

pub(crate) fn tag_chars_ok(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c) || is_separator(c))
}

/// A target key (`tag:<key>`) holds only what the Target `Key` pattern allows: like a tag, but
/// without `+`.
pub(crate) fn target_key_chars_ok(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=-@".contains(c) || is_separator(c))
}

/// `\p{Z}`: Unicode space, line and paragraph separators.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Account quotas (per account per Region) that a plan alone can exceed. AWS's defaults are
/// published on "AWS Systems Manager endpoints and quotas"
/// (<https://docs.aws.amazon.com/general/latest/gr/ssm.html>); each is adjustable, and there is no
/// API to read an account's value, so a plan's `[quotas]` table sets what its account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Quotas {
    /// "Maintenance windows: 50".
    pub maintenance_windows: u32,
    /// "Tasks per maintenance window: 20".
    pub tasks_per_window: u32,
    /// "Targets per maintenance window: 100".
    pub targets_per_window: u32,
    /// "Maximum number of associations: 2,000".
    pub associations: u32,
    /// "Patch baselines: 50" (custom baselines).
    pub patch_baselines: u32,
}

impl Quotas {
    /// AWS's documented defaults.
    pub const AWS_DEFAULTS: Quotas = Quotas {
        maintenance_windows: 50,
        tasks_per_window: 20,
        targets_per_window: 100,
        associations: 2000,
        patch_baselines: 50,
    };

    /// The defaults with what the plan's `[quotas]` table sets.
    pub fn with(self, f: Option<&QuotasFile>) -> Quotas {
        let Some(f) = f else { return self };
        Quotas {
            maintenance_windows: f.maintenance_windows.unwrap_or(self.maintenance_windows),
            tasks_per_window: f.tasks_per_window.unwrap_or(self.tasks_per_window),
            targets_per_window: f.targets_per_window.unwrap_or(self.targets_per_window),
            associations: f.associations.unwrap_or(self.associations),
            patch_baselines: f.patch_baselines.unwrap_or(self.patch_baselines),
        }
    }

    /// How a quota is named in errors: `<what> (quota <n>: `[quotas] <key>`, AWS's default <d>)`.
    pub(crate) fn describe(key: &str, value: u32) -> String {
        let default = match key {
            "maintenance-windows" => Quotas::AWS_DEFAULTS.maintenance_windows,
            "tasks-per-window" => Quotas::AWS_DEFAULTS.tasks_per_window,
            "targets-per-window" => Quotas::AWS_DEFAULTS.targets_per_window,
            "associations" => Quotas::AWS_DEFAULTS.associations,
            _ => Quotas::AWS_DEFAULTS.patch_baselines,
        };
        if value == default {
            format!("the account's quota of {value} (AWS's default; set `[quotas] {key}` if yours is higher)")
        } else {
            format!("the account's quota of {value} (`[quotas] {key}`; AWS's default is {default})")
        }
    }
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas::AWS_DEFAULTS
    }
}

/// `[quotas]`: the account's Systems Manager quotas, where they differ from AWS's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct QuotasFile {
    /// Maintenance windows per account and Region (AWS's default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_windows: Option<u32>,
    /// Tasks per maintenance window (AWS's default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_per_window: Option<u32>,
    /// Targets per maintenance window (AWS's default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_per_window: Option<u32>,
    /// Associations per account and Region (AWS's default 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associations: Option<u32>,
    /// Custom patch baselines per account and Region (AWS's default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_baselines: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_patterns() {
        assert!(tag_chars_ok("Patch Group"));
        assert!(tag_chars_ok("env/prod+1@x=y:z_a.b-c"));
        assert!(tag_chars_ok("日本語 ü"));
        assert!(!tag_chars_ok("a,b"));
        assert!(!tag_chars_ok("a\tb"));
        assert!(!tag_chars_ok("a*"));
        assert!(target_key_chars_ok("tag:Patch Group"));
        assert!(!target_key_chars_ok("tag:a+b"));
    }

    #[test]
    fn derived_lengths() {
        assert_eq!(operation_name_len("web", "install"), "ssmpatch-web-install".len());
        assert_eq!(one_shot_name_len("web", "install"), "ssmpatch-web-install-at-20260601T0200".len());
        assert_eq!(baseline_name_len("web", OperatingSystem::AmazonLinux2023), "ssmpatch-web-amazon-linux-2023".len());
        assert_eq!(patch_policy_name_len("web"), "ssmpatch-web".len());
    }

    #[test]
    fn quotas_are_overridable() {
        let q =
            Quotas::AWS_DEFAULTS.with(Some(&QuotasFile { maintenance_windows: Some(200), ..QuotasFile::default() }));
        assert_eq!((q.maintenance_windows, q.tasks_per_window), (200, 20));
        assert!(Quotas::describe("maintenance-windows", 50).contains("AWS's default"));
        assert!(Quotas::describe("maintenance-windows", 200).contains("`[quotas] maintenance-windows`"));
    }
}
