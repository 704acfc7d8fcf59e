//! What a strategy reads and returns, owned by the core (serde; no wasmtime). They mirror the
//! records of `wasm-policies/sdk/wit/strategy.wit` (`ssmpatch:strategy@0.1.0`) one to one; the host
//! converts to and from the generated bindings in one place (`host/bindings.rs`). The serde form
//! (snake_case fields, variant names as written here) is what `ssmpatch strategy test --input`
//! reads ([`StrategyRun`], whose JSON Schema is [`run_schema_json`], committed as
//! `core/strategy-run.schema.json`) and prints.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A key and a value (settings, summary counts, item details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pair {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// The backend a plan runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub enum StrategyBackend {
    /// A Quick Setup patch policy.
    PatchPolicy,
    /// State Manager associations.
    Association,
    /// Maintenance windows.
    MaintenanceWindow,
}

/// Scan or install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub enum OperationKind {
    /// `Operation=Scan`.
    Scan,
    /// `Operation=Install`.
    Install,
}

/// One operation of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyOperation {
    /// Its name in the plan.
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// It runs with a `BaselineOverride` (AWS does not record its compliance).
    pub uses_override: bool,
}

/// The plan as a strategy sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanInfo {
    /// The plan's name.
    pub name: String,
    /// Where it runs.
    pub backend: StrategyBackend,
    /// Its operations.
    pub operations: Vec<StrategyOperation>,
    /// `[compliance.settings]`, as text.
    pub settings: Vec<Pair>,
    /// The compliance type to write (`Custom:ssmpatch` unless the plan says otherwise).
    pub compliance_type: String,
}

/// An operation a strategy adds at plan time, after one of the plan's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedOperation {
    /// Its name (unique in the plan).
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// The plan operation it follows.
    pub after: String,
    /// It runs with the followed operation's override.
    pub uses_override: bool,
}

/// One package AWS-RunPatchBaseline reported as not compliant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PatchPackage {
    /// `Id`.
    pub id: String,
    /// `Title`.
    pub title: String,
    /// `PatchState` (`Missing`, `Failed`, `InstalledPendingReboot`, …).
    pub state: String,
    /// `Severity`: the baseline's compliance level for it.
    pub severity: String,
    /// `Classification`.
    pub classification: String,
    /// `PatchSeverity`: the vendor's severity.
    pub patch_severity: String,
    /// `CVEIds`.
    pub cve_ids: Vec<String>,
    /// `InstalledTime`.
    pub installed_time: String,
}

/// One node's finished run, as read from its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    /// The managed node.
    pub instance_id: String,
    /// The plan operation.
    pub operation: String,
    /// What ran.
    pub kind: OperationKind,
    /// The Run Command id.
    pub execution_id: String,
    /// When it ended (RFC 3339).
    pub execution_time: String,
    /// The summary counts.
    pub summary: Vec<Pair>,
    /// The packages not compliant.
    pub non_compliant: Vec<PatchPackage>,
    /// Every package compliant.
    pub all_compliant: bool,
    /// The output was cut: nothing may be written from it.
    pub truncated: bool,
    /// The output itself.
    pub raw_output: String,
}

/// One compliance item to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceItem {
    /// `Id`.
    pub id: String,
    /// `Title`.
    pub title: String,
    /// `Severity` (`CRITICAL`, `HIGH`, …, `UNSPECIFIED`).
    pub severity: String,
    /// `Status` (`COMPLIANT` or `NON_COMPLIANT`).
    pub status: String,
    /// `Details`.
    pub details: Vec<Pair>,
}

/// PutComplianceItems' `UploadType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UploadType {
    /// Replaces every item of the type on the node.
    Complete,
    /// Adds or replaces only these items.
    Partial,
}

/// One PutComplianceItems call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutCompliance {
    /// The managed node.
    pub instance_id: String,
    /// `Patch` or `Custom:<name>`.
    pub compliance_type: String,
    /// The run it reports.
    pub execution_id: String,
    /// When that run ended (RFC 3339).
    pub execution_time: String,
    /// The items.
    pub items: Vec<ComplianceItem>,
    /// COMPLETE or PARTIAL.
    pub upload_type: UploadType,
    /// `ItemContentHash`.
    pub content_hash: String,
}

/// What a strategy asks the host to do after runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Action {
    /// Write compliance for one node.
    PutCompliance(PutCompliance),
    /// Start `AWS-RunPatchBaseline` Scan without override on these nodes.
    StartScan(Vec<String>),
    /// Say something to the person running the refresh.
    Message(String),
}

/// The file `ssmpatch strategy test --input` reads and `ssmpatch output parse --as-run-input`
/// writes: the plan as the strategy sees it and the runs to give its `after-run`
/// (`examples/strategy-run.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "ssmpatch strategy run",
    description = "What `ssmpatch strategy test --input` reads: \
    the plan as a compliance strategy sees it, and finished runs (`ssmpatch output parse --as-run-input` writes one)."
)]
pub struct StrategyRun {
    /// The plan.
    pub plan: PlanInfo,
    /// The runs.
    pub runs: Vec<RunResult>,
}

/// The JSON Schema of [`StrategyRun`], pretty-printed (`core/strategy-run.schema.json`).
pub fn run_schema_json() -> String {
    let schema = schemars::schema_for!(StrategyRun);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
