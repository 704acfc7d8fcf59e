//! The host for compliance strategies: sandboxed WebAssembly components behind one interface
//! (`wasm-policies/sdk/wit/strategy.wit`, package `ssmpatch:strategy@0.1.0`).
//!
//! The process has one wasmtime `Engine`, shared by every [`Host`]; each component is compiled
//! once and cached by content hash; every call gets a fresh `Store` with fuel, an epoch deadline and a memory cap.
//! Components reach nothing outside their memory: no filesystem, network, clock or environment
//! (`host/sandbox.rs` links WASI imports of `wasm32-wasip2` builds as traps, random as a deterministic
//! generator). A trap, timeout, out-of-memory or denied import becomes a [`StrategyError`]
//! naming the strategy. The built-in strategies are
//! components too, committed in `core/strategies/` (rebuilt reproducibly by
//! `scripts/build-strategies.sh`) and embedded ([`builtin`]); the host treats them exactly like
//! third-party ones. A component built for another interface version ([`INTERFACE_VERSION`],
//! stamped by the SDK) is refused before it is linked or run.
//!
//! Layout: [`types`](PlanInfo) (what a strategy reads and returns, owned by the core), limits,
//! checks (what the host refuses, pure) and the error are always built; the wasmtime host
//! (`host/`: the engine, the sandbox, the generated bindings and their conversions) is built
//! with the `strategies` feature.

mod checks;
mod error;
#[cfg(feature = "strategies")]
mod host;
mod limits;
mod types;

pub use checks::{
    COMPLIANCE_TYPE_HINT, DEFAULT_COMPLIANCE_TYPE, DEFAULT_TEST_EXECUTION_ID, MAX_ADDED_OPERATIONS,
    MAX_COMPLIANCE_ITEMS, MAX_SCAN_NODES_PER_COMMAND, RunInput, compliance_type_is_valid, run_result, strategy_run,
    validate_actions, validate_added_operations, validate_scope,
};
pub use error::StrategyError;
#[cfg(feature = "strategies")]
pub use host::{
    BUILTIN, Host, INTERFACE_SECTION, INTERFACE_VERSION, LoadedStrategy, WASM_CACHE_ENV, builtin, compatible,
    default_host, load,
};
pub use limits::{FUEL_RANGE, LimitOutOfRange, Limits, MEMORY_MIB_RANGE, TIMEOUT_SECONDS_RANGE};
pub use types::{
    Action, AddedOperation, ComplianceItem, OperationKind, Pair, PatchPackage, PlanInfo, PutCompliance, RunResult,
    StrategyBackend, StrategyOperation, StrategyRun, UploadType, run_schema_json,
};
