//! What windows and associations run: `AWS-RunPatchBaseline` and its parameters.

use serde_json::{Map, Value, json};

use crate::plan::BaselineUse;
use crate::plan::Operation;
use crate::plan::Plan;
use crate::plan::file::OperationKind;

/// The SSM document every operation runs.
pub(crate) const RUN_PATCH_BASELINE: &str = "AWS-RunPatchBaseline";

/// `AWS-RunPatchBaseline` parameters of `op`, or of `kind` when a strategy added it after `op`
/// (with `op`'s override only when `with_override`).
pub(crate) fn parameters(op: &Operation, kind: OperationKind, baseline: &BaselineUse, with_override: bool) -> Value {
    let mut p = Map::new();
    p.insert("Operation".into(), json!([kind.aws_value()]));
    if kind == OperationKind::Install {
        p.insert("RebootOption".into(), json!([op.reboot.aws_value()]));
    }
    if let (BaselineUse::Override { url, .. }, true) = (baseline, with_override) {
        p.insert("BaselineOverride".into(), json!([url]));
    }
    Value::Object(p)
}

/// A resource's description: `ssmpatch <plan>: <operation> (<kind>)`, at most 128 characters.
pub(crate) fn description(plan: &Plan, op: &Operation) -> String {
    let d = format!("ssmpatch {}: {} ({})", plan.name, op.name, op.kind.as_str());
    d.chars().take(128).collect()
}

/// The plan's command-output location, `(bucket, prefix)`, when it writes output to S3.
pub(crate) fn output_location(plan: &Plan) -> Option<(String, String)> {
    plan.s3.as_ref().and_then(|s| s.output_prefix.as_ref().map(|p| (s.bucket.clone(), p.clone())))
}
