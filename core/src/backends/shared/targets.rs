//! The plan's targets in AWS's `Targets` form, for windows and associations.

use aws_sdk_ssm::types::Target;
use serde_json::{Value, json};

use super::{s, strings};
use crate::plan::Targets;

/// `Targets` entries (`[{"Key": "tag:Patch Group", "Values": ["web"]}]`) per selector, with
/// the window target's name and resource type.
pub(crate) fn target_sets(t: &Targets) -> Vec<(&'static str, &'static str, Value)> {
    let mut out = Vec::new();
    if !t.tags.is_empty() {
        let list: Vec<Value> = t.tags.iter().map(|(k, v)| json!({"Key": format!("tag:{k}"), "Values": v})).collect();
        out.push(("tags", "INSTANCE", Value::Array(list)));
    }
    if !t.instance_ids.is_empty() {
        out.push(("instances", "INSTANCE", json!([{"Key": "InstanceIds", "Values": t.instance_ids}])));
    }
    if !t.resource_groups.is_empty() {
        out.push((
            "resource-groups",
            "RESOURCE_GROUP",
            json!([{"Key": "resource-groups:Name", "Values": t.resource_groups}]),
        ));
    }
    out
}

/// SDK targets from a spec's `Targets` array.
pub(crate) fn sdk_targets(v: Option<&Value>) -> Vec<Target> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|t| Target::builder().set_key(s(t, "Key")).set_values(Some(strings(t.get("Values")))).build())
                .collect()
        })
        .unwrap_or_default()
}

/// SDK targets as a spec's `Targets` array.
pub(crate) fn targets_json(ts: &[Target]) -> Value {
    Value::Array(ts.iter().map(|t| json!({"Key": t.key().unwrap_or_default(), "Values": t.values()})).collect())
}
