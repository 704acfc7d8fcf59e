//! How ssmpatch names and marks what it creates: one prefix per plan, one name per operation,
//! one-shot window, baseline and patch policy, and the ownership tags.

use crate::baseline::OperatingSystem;
use crate::plan::{Compiled, NativeForm};

/// Tag naming the plan a resource belongs to.
pub const TAG_PLAN: &str = "ssmpatch:plan";
/// Tag marking a resource as created by ssmpatch.
pub const TAG_MANAGED_BY: &str = "ssmpatch:managed-by";
/// Its value.
pub const MANAGED_BY: &str = "ssmpatch";

/// The name prefix of everything a plan creates: `ssmpatch-<plan>-`.
pub(crate) fn prefix(plan: &str) -> String {
    format!("ssmpatch-{plan}-")
}

/// The window (or association) name of an operation.
pub fn operation_resource_name(plan: &str, op: &str) -> String {
    format!("{}{op}", prefix(plan))
}

/// A one-shot window's name: `ssmpatch-<plan>-<op>-at-<YYYYMMDDTHHMM>`.
pub(crate) fn one_shot_name(plan: &str, op: &str, at: &str) -> String {
    let compact: String =
        at.trim_start_matches("at(").trim_end_matches(')').chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{}{op}-at-{}", prefix(plan), compact.get(..13).unwrap_or(&compact))
}

/// The resources an operation runs as, by name: one (`<prefix><op>`) for an exact schedule, one
/// per one-shot window (`<prefix><op>-at-…`) for a fallback, none when it cannot run.
pub(crate) fn resource_forms(plan: &str, op: &str, compiled: &Compiled) -> Vec<(String, NativeForm)> {
    match compiled {
        Compiled::Exact { native } => vec![(operation_resource_name(plan, op), native.clone())],
        Compiled::Fallback { windows, .. } => {
            windows.iter().map(|w| (one_shot_name(plan, op, &w.expression), w.clone())).collect()
        }
        Compiled::Inexpressible { .. } => Vec::new(),
    }
}

/// The custom baseline name for an OS: `ssmpatch-<plan>-<os>` (lowercase, dashes).
pub(crate) fn baseline_name(plan: &str, os: OperatingSystem) -> String {
    format!("{}{}", prefix(plan), os.as_str().to_ascii_lowercase().replace('_', "-"))
}

/// The patch policy's name: `ssmpatch-<plan>`.
pub(crate) fn patch_policy_name(plan: &str) -> String {
    format!("ssmpatch-{plan}")
}

/// The plan operation a resource named `name` runs: `<prefix><op>` or a one-shot
/// `<prefix><op>-at-…`. `operations` are the plan's operation names; the longest match wins.
pub(crate) fn operation_of<'a>(plan: &str, name: &str, operations: &[&'a str]) -> Option<&'a str> {
    let rest = name.strip_prefix(&prefix(plan))?;
    let mut names = operations.to_vec();
    names.sort_by_key(|o| std::cmp::Reverse(o.len()));
    names.into_iter().find(|op| rest == *op || rest.starts_with(&format!("{op}-at-")))
}
