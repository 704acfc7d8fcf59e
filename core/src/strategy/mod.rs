//! The host for compliance strategies: sandboxed WebAssembly components behind one interface
//! (`wasm-policies/wit/strategy.wit`, package `ssmpatch:strategy@0.1.0`).
//!
//! One [`Host`] holds one wasmtime `Engine`; each component is compiled once and cached by
//! content hash; every call gets a fresh `Store` with fuel, an epoch deadline and a memory cap.
//! Components reach nothing outside their memory: no filesystem, network, clock or environment
//! ([`sandbox`] links WASI imports of `wasm32-wasip2` builds as traps, random as a deterministic
//! generator). A trap, timeout, out-of-memory or denied import becomes a [`StrategyError`]
//! naming the strategy. The built-in strategies are
//! components too, built from source by `core/build.rs` and embedded ([`builtin`]); the host
//! treats them exactly like third-party ones.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};

mod sandbox;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wasm-policies/wit",
        world: "strategy",
        additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
    });
}

pub use bindings::ssmpatch::strategy::types::{
    Action, AddedOperation, Backend as StrategyBackend, ComplianceItem, Operation as StrategyOperation, OperationKind,
    Pair, PatchPackage, PlanInfo, PutCompliance, RunResult, UploadType,
};

/// The strategies built into ssmpatch, by name.
pub const BUILTIN: [(&str, &[u8]); 2] = [
    ("put-compliance-items", include_bytes!(concat!(env!("OUT_DIR"), "/put_compliance_items.component.wasm"))),
    ("rescan", include_bytes!(concat!(env!("OUT_DIR"), "/rescan.component.wasm"))),
];

/// Adversarial components for tests (an endless loop, a memory bomb, a panic, oversized output,
/// attempts to leave the sandbox).
#[doc(hidden)]
pub const FIXTURES: [(&str, &[u8]); 5] = [
    ("fixture-spin", include_bytes!(concat!(env!("OUT_DIR"), "/fixture_spin.component.wasm"))),
    ("fixture-memory-bomb", include_bytes!(concat!(env!("OUT_DIR"), "/fixture_memory_bomb.component.wasm"))),
    ("fixture-panic", include_bytes!(concat!(env!("OUT_DIR"), "/fixture_panic.component.wasm"))),
    ("fixture-oversized", include_bytes!(concat!(env!("OUT_DIR"), "/fixture_oversized.component.wasm"))),
    ("fixture-escape", include_bytes!(concat!(env!("OUT_DIR"), "/fixture_escape.component.wasm"))),
];

/// The bytes of a built-in strategy.
pub fn builtin(name: &str) -> Option<&'static [u8]> {
    BUILTIN.iter().chain(FIXTURES.iter()).find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// What one call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wasm fuel (roughly instructions).
    pub fuel: u64,
    /// Wall-clock deadline.
    pub deadline: Duration,
    /// Linear memory cap, bytes.
    pub memory_bytes: usize,
    /// Most actions a call may return.
    pub max_actions: usize,
    /// Most bytes a call's results may copy out of the strategy (wasmtime's "hostcall fuel",
    /// counted before anything is allocated on the host).
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 2_000_000_000,
            deadline: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            max_actions: 100_000,
            max_output_bytes: 128 << 20,
        }
    }
}

/// The fuel a plan, the CLI or Python may set (`fuel`).
pub const FUEL_RANGE: std::ops::RangeInclusive<u64> = 1_000_000..=1_000_000_000_000;
/// The deadline, seconds, a plan, the CLI or Python may set (`timeout-seconds`).
pub const TIMEOUT_SECONDS_RANGE: std::ops::RangeInclusive<u64> = 1..=600;
/// The memory cap, MiB, a plan, the CLI or Python may set (`memory-mib`).
pub const MEMORY_MIB_RANGE: std::ops::RangeInclusive<u64> = 1..=4096;

/// A limit given out of its range (see [`Limits::out_of_range`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOutOfRange {
    /// Its name in a plan: `fuel`, `timeout-seconds` or `memory-mib`.
    pub key: &'static str,
    /// The value given.
    pub value: u64,
    /// What is allowed.
    pub range: std::ops::RangeInclusive<u64>,
    /// The unit of the range, for messages: `units`, `seconds` or `MiB`.
    pub unit: &'static str,
}

impl Limits {
    /// The given limits that are outside their ranges, in the order fuel, timeout, memory. The one
    /// check behind a plan's `[compliance.limits]` and Python's `Strategy.load`.
    pub fn out_of_range(
        fuel: Option<u64>,
        timeout_seconds: Option<u64>,
        memory_mib: Option<u64>,
    ) -> Vec<LimitOutOfRange> {
        [
            ("fuel", fuel, FUEL_RANGE, "units"),
            ("timeout-seconds", timeout_seconds, TIMEOUT_SECONDS_RANGE, "seconds"),
            ("memory-mib", memory_mib, MEMORY_MIB_RANGE, "MiB"),
        ]
        .into_iter()
        .filter_map(|(key, value, range, unit)| {
            value.filter(|v| !range.contains(v)).map(|value| LimitOutOfRange { key, value, range, unit })
        })
        .collect()
    }

    /// These limits with the given values in place (unchecked; see [`Limits::out_of_range`]).
    pub fn with(self, fuel: Option<u64>, timeout_seconds: Option<u64>, memory_mib: Option<u64>) -> Limits {
        Limits {
            fuel: fuel.unwrap_or(self.fuel),
            deadline: timeout_seconds.map(Duration::from_secs).unwrap_or(self.deadline),
            memory_bytes: memory_mib.map(|m| (m as usize) << 20).unwrap_or(self.memory_bytes),
            ..self
        }
    }
}

/// How wasmtime 48 reports exhausted hostcall fuel (its error type is private, so the text is the
/// one thing to match; if it changes, the error stays a `Trap` with this text in it).
const HOSTCALL_FUEL_EXHAUSTED: &str = "fuel allocated for hostcalls has been exhausted";

const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Most operations a strategy may add at plan time.
pub const MAX_ADDED_OPERATIONS: usize = 100;

/// Most compliance items in one `PutCompliance` (PutComplianceItems accepts at most 10,000 items
/// per call, API reference).
pub const MAX_COMPLIANCE_ITEMS: usize = 10_000;

/// Why a strategy call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// The bytes are not a strategy component of this interface.
    #[error("strategy `{name}` cannot be loaded: {reason}")]
    Invalid {
        /// Strategy name.
        name: String,
        /// Why.
        reason: String,
    },
    /// It used up its fuel.
    #[error("strategy `{name}` ran out of fuel ({fuel} units)")]
    OutOfFuel {
        /// Strategy name.
        name: String,
        /// The limit.
        fuel: u64,
    },
    /// It ran past its deadline.
    #[error("strategy `{name}` did not finish within {deadline_ms} ms")]
    Timeout {
        /// Strategy name.
        name: String,
        /// The limit.
        deadline_ms: u128,
    },
    /// It asked for more memory than allowed.
    #[error("strategy `{name}` exceeded its memory limit of {limit_bytes} bytes")]
    MemoryLimit {
        /// Strategy name.
        name: String,
        /// The limit.
        limit_bytes: usize,
    },
    /// It trapped (a panic, an unreachable, a bad memory access).
    #[error("strategy `{name}` trapped: {message}")]
    Trap {
        /// Strategy name.
        name: String,
        /// The trap.
        message: String,
    },
    /// It called an import the sandbox denies (filesystem, network, clock, stdin, exit; see `sandbox`).
    #[error(
        "strategy `{name}` called `{import}`, which the sandbox denies (a strategy has no filesystem, network or clock)"
    )]
    Denied {
        /// Strategy name.
        name: String,
        /// The import, `<interface>#<function>`.
        import: String,
    },
    /// It returned an error.
    #[error("strategy `{name}` returned an error: {message}")]
    Failed {
        /// Strategy name.
        name: String,
        /// Its message.
        message: String,
    },
    /// It returned more than the host accepts.
    #[error("strategy `{name}` returned too much: {what}")]
    TooMuchOutput {
        /// Strategy name.
        name: String,
        /// What.
        what: String,
    },
}

struct State {
    cap: usize,
    hit: Arc<AtomicBool>,
    /// The deterministic generator behind `wasi:random` ([`sandbox`]).
    rng: u64,
    /// What the strategy wrote to stdout and stderr ([`sandbox`]).
    output: Vec<u8>,
}

impl ResourceLimiter for State {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.hit.store(true, Ordering::SeqCst);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Stops the epoch ticker thread of an engine when the last [`Host`] or [`LoadedStrategy`]
/// using it is dropped (a strategy may outlive its host: its deadline still holds).
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One engine, a cache of compiled components, and the limits of every call.
pub struct Host {
    engine: Engine,
    cache: Mutex<HashMap<[u8; 32], Component>>,
    limits: Limits,
    ticker: Arc<Ticker>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("limits", &self.limits).finish()
    }
}

impl Host {
    /// A host with these limits (starts the epoch ticker thread).
    pub fn new(limits: Limits) -> Result<Host, StrategyError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.consume_fuel(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)
            .map_err(|e| StrategyError::Invalid { name: "(engine)".into(), reason: e.to_string() })?;
        let stop = Arc::new(AtomicBool::new(false));
        let (ticker, flag) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                std::thread::sleep(EPOCH_TICK);
                ticker.increment_epoch();
            }
        });
        Ok(Host { engine, cache: Mutex::new(HashMap::new()), limits, ticker: Arc::new(Ticker { stop }) })
    }

    /// The limits of every call.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Load (compile once, then from the cache) a strategy component: one built for
    /// `wasm32-wasip2` (its WASI imports are linked by [`sandbox`]'s rules), or one that imports
    /// nothing. A core module built with the SDK for `wasm32-unknown-unknown` is turned into a
    /// component first.
    pub fn load(&self, name: &str, bytes: &[u8]) -> Result<LoadedStrategy, StrategyError> {
        let componentized;
        let bytes = if wasmparser_is_core_module(bytes) {
            componentized = wit_component::ComponentEncoder::default()
                .module(bytes)
                .and_then(|e| e.validate(true).encode())
                .map_err(|e| StrategyError::Invalid {
                    name: name.into(),
                    reason: format!("not a strategy module: {e:#}"),
                })?;
            componentized.as_slice()
        } else {
            bytes
        };
        let key: [u8; 32] = Sha256::digest(bytes).into();
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let component = match cached {
            Some(c) => c,
            None => {
                let c = Component::new(&self.engine, bytes)
                    .map_err(|e| StrategyError::Invalid { name: name.into(), reason: format!("{e:#}") })?;
                if let Ok(mut cache) = self.cache.lock() {
                    cache.insert(key, c.clone());
                }
                c
            }
        };
        let mut linker: Linker<State> = Linker::new(&self.engine);
        let pre = sandbox::link(&self.engine, &mut linker, &component)
            .and_then(|()| linker.instantiate_pre(&component))
            .and_then(bindings::StrategyPre::new)
            .map_err(|e| StrategyError::Invalid {
                name: name.into(),
                reason: format!("{e:#} (a strategy exports `plan` and `after-run` of ssmpatch:strategy@0.1.0)"),
            })?;
        Ok(LoadedStrategy {
            name: name.to_string(),
            pre,
            engine: self.engine.clone(),
            limits: self.limits,
            _ticker: self.ticker.clone(),
        })
    }

    /// Load a built-in strategy by name.
    pub fn load_builtin(&self, name: &str) -> Result<LoadedStrategy, StrategyError> {
        let bytes = builtin(name).ok_or_else(|| StrategyError::Invalid {
            name: name.into(),
            reason: "no built-in strategy of that name".into(),
        })?;
        self.load(name, bytes)
    }
}

/// A core wasm module (version 1) rather than a component (its header's layer field is 0).
fn wasmparser_is_core_module(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && &bytes[..4] == b"\0asm" && bytes[4..8] == [1, 0, 0, 0]
}

/// A loaded strategy: instantiated afresh for every call.
pub struct LoadedStrategy {
    name: String,
    pre: bindings::StrategyPre<State>,
    engine: Engine,
    limits: Limits,
    /// Keeps the epoch ticker running while the strategy can be called.
    _ticker: Arc<Ticker>,
}

impl std::fmt::Debug for LoadedStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedStrategy").field("name", &self.name).finish()
    }
}

impl LoadedStrategy {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same strategy with other limits for its calls (each call's sandbox is made with them).
    pub fn with_limits(mut self, limits: Limits) -> LoadedStrategy {
        self.limits = limits;
        self
    }

    /// The limits of its calls.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn call<T>(
        &self,
        f: impl FnOnce(&bindings::Strategy, &mut Store<State>) -> wasmtime::Result<Result<T, String>>,
    ) -> Result<T, StrategyError> {
        let hit = Arc::new(AtomicBool::new(false));
        let mut store = Store::new(
            &self.engine,
            State { cap: self.limits.memory_bytes, hit: hit.clone(), rng: sandbox::RANDOM_SEED, output: Vec::new() },
        );
        store.limiter(|s| s);
        let name = self.name.clone();
        store
            .set_fuel(self.limits.fuel)
            .map_err(|e| StrategyError::Trap { name: name.clone(), message: e.to_string() })?;
        let ticks = (self.limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.set_hostcall_fuel(self.limits.max_output_bytes);
        let result = self.pre.instantiate(&mut store).and_then(|b| f(&b, &mut store));
        match result {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(message)) => Err(StrategyError::Failed { name, message }),
            Err(e) => Err(if hit.load(Ordering::SeqCst) {
                StrategyError::MemoryLimit { name, limit_bytes: self.limits.memory_bytes }
            } else {
                match e.downcast_ref::<Trap>() {
                    Some(Trap::OutOfFuel) => StrategyError::OutOfFuel { name, fuel: self.limits.fuel },
                    Some(Trap::Interrupt) => {
                        StrategyError::Timeout { name, deadline_ms: self.limits.deadline.as_millis() }
                    }
                    _ => {
                        let message = format!("{e:#}");
                        if message.contains(HOSTCALL_FUEL_EXHAUSTED) {
                            StrategyError::TooMuchOutput {
                                name,
                                what: format!("more than {} bytes of results", self.limits.max_output_bytes),
                            }
                        } else if let Some(import) = sandbox::denied_import(&message) {
                            StrategyError::Denied { name, import: import.to_string() }
                        } else {
                            // The trap itself (its wasm backtrace has no names: components are
                            // stripped), then what the strategy printed (a panic's message).
                            let cause = match e.downcast_ref::<Trap>() {
                                Some(t) => t.to_string(),
                                None => e.root_cause().to_string(),
                            };
                            let printed = String::from_utf8_lossy(&store.data().output);
                            let printed = printed.trim();
                            let message =
                                if printed.is_empty() { cause } else { format!("{cause}; it printed: {printed}") };
                            StrategyError::Trap { name, message }
                        }
                    }
                }
            }),
        }
    }

    /// Plan time: the operations the strategy adds.
    pub fn plan(&self, plan: &PlanInfo) -> Result<Vec<AddedOperation>, StrategyError> {
        let ops = self.call(|b, s| b.call_plan(s, plan))?;
        validate_added_operations(&self.name, &ops)?;
        Ok(ops)
    }

    /// After runs: the actions for the host to perform (validated and limited here).
    pub fn after_run(&self, plan: &PlanInfo, runs: &[RunResult]) -> Result<Vec<Action>, StrategyError> {
        let actions = self.call(|b, s| b.call_after_run(s, plan, runs))?;
        validate_actions(&self.name, &self.limits, &actions)?;
        validate_scope(&self.name, plan, runs, &actions)?;
        Ok(actions)
    }
}

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
    report: &crate::compliance::output::RunReport,
    operation: &str,
    execution_id: &str,
    execution_time: &str,
    raw_output: &str,
) -> RunResult {
    use crate::compliance::output::RunOperation;
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
