//! The wasmtime host: one engine per process, components compiled once and cached by content,
//! a fresh sandboxed store per call with fuel, an epoch deadline and a memory cap.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};

use super::checks::{validate_actions, validate_added_operations, validate_scope};
use super::error::StrategyError;
use super::limits::Limits;
use super::types::{Action, AddedOperation, PlanInfo, RunResult};

mod bindings;
mod interface;
pub(crate) mod sandbox;

pub use interface::{INTERFACE_SECTION, INTERFACE_VERSION, compatible};

/// The strategies built into ssmpatch, by name: components committed in `core/strategies/`
/// (regenerated reproducibly by `scripts/build-strategies.sh`, whose `--check` CI runs).
pub const BUILTIN: [(&str, &[u8]); 2] = [
    ("put-compliance-items", include_bytes!("../../../strategies/put-compliance-items.wasm")),
    ("rescan", include_bytes!("../../../strategies/rescan.wasm")),
];

/// The bytes of a built-in strategy.
pub fn builtin(name: &str) -> Option<&'static [u8]> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// The process's strategy host with default limits.
pub fn default_host() -> Result<&'static Host, StrategyError> {
    static HOST: OnceLock<Host> = OnceLock::new();
    if let Some(h) = HOST.get() {
        return Ok(h);
    }
    let made = Host::new(Limits::default())?;
    Ok(HOST.get_or_init(|| made))
}

/// The strategy `name_or_path` names: a built-in (`rescan`, `put-compliance-items`) or a
/// component file. The one place a name is resolved, for plans, `refresh`, the CLI and Python.
pub fn load(host: &Host, name_or_path: &str) -> Result<LoadedStrategy, StrategyError> {
    match builtin(name_or_path) {
        Some(bytes) => host.load(name_or_path, bytes),
        None => {
            let path = std::path::Path::new(name_or_path);
            let limit = crate::input::COMPONENT_FILE_LIMIT;
            let bytes =
                crate::input::read_file_bytes(path, limit, "component").map_err(|e| StrategyError::Invalid {
                    name: name_or_path.to_string(),
                    reason: match e {
                        crate::input::ReadError::Io { source, .. } => format!(
                            "it is neither a built-in strategy ({}) nor a readable file: {source}",
                            BUILTIN.map(|(n, _)| n).join(", ")
                        ),
                        other => other.reason(),
                    },
                })?;
            host.load(name_or_path, &bytes)
        }
    }
}

/// How wasmtime 48 reports exhausted hostcall fuel (its error type is private, so the text is the
/// one thing to match; if it changes, the error stays a `Trap` with this text in it).
const HOSTCALL_FUEL_EXHAUSTED: &str = "fuel allocated for hostcalls has been exhausted";

const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Strategy calls running now in this process: the epoch thread ticks only while there is one,
/// and otherwise sleeps until a call starts — a process that embeds ssmpatch (a Python service,
/// a long `refresh`) is not woken a hundred times a second while no strategy runs.
static RUNNING_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Epoch ticks so far (what the idle test watches).
static TICKS: AtomicU64 = AtomicU64::new(0);

/// Marks a strategy call as running for as long as it lives, waking the epoch thread.
struct Running;

impl Running {
    fn start(shared: &Shared) -> Running {
        RUNNING_CALLS.fetch_add(1, Ordering::SeqCst);
        shared.ticker.unpark();
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING_CALLS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Most compiled components kept by the process (each a few MB of machine code).
const CACHED_COMPONENTS: usize = 32;

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

/// The process's one engine (fuel, epoch interruption, the component model), its cache of
/// compiled components (by SHA-256 of their bytes) and the thread that advances its epoch.
struct Shared {
    engine: Engine,
    cache: Mutex<HashMap<[u8; 32], Component>>,
    ticker: std::thread::Thread,
}

fn shared() -> Result<&'static Shared, StrategyError> {
    static SHARED: OnceLock<Result<Shared, StrategyError>> = OnceLock::new();
    let made = SHARED.get_or_init(|| {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.consume_fuel(true);
        config.epoch_interruption(true);
        config.cache(disk_cache()?);
        let engine = Engine::new(&config).map_err(|e| host_error(format!("{e:#}")))?;
        let ticking = engine.clone();
        let ticker = std::thread::Builder::new()
            .name("ssmpatch-strategy-epoch".into())
            .spawn(move || {
                loop {
                    // Park while no call runs (a call's start unparks it: the token makes a
                    // start between this check and the park return at once).
                    if RUNNING_CALLS.load(Ordering::SeqCst) == 0 {
                        std::thread::park();
                        continue;
                    }
                    std::thread::sleep(EPOCH_TICK);
                    ticking.increment_epoch();
                    TICKS.fetch_add(1, Ordering::Relaxed);
                }
            })
            .map_err(|e| host_error(format!("cannot start the epoch thread: {e}")))?
            .thread()
            .clone();
        Ok(Shared { engine, cache: Mutex::new(HashMap::new()), ticker })
    });
    made.as_ref().map_err(Clone::clone)
}

fn host_error(reason: String) -> StrategyError {
    StrategyError::Host { reason, setting: None }
}

/// The environment variable that says where compiled strategies are kept between processes: a
/// directory, or `off`.
pub const WASM_CACHE_ENV: &str = "SSMPATCH_WASM_CACHE";

/// wasmtime's on-disk cache of compiled components, so that a strategy is compiled once per
/// machine rather than once per process (compiling the two components a refresh loads was a
/// fifth of a 2,000-node refresh's CPU). An entry is keyed by the component's bytes, wasmtime's
/// version and the engine's settings (fuel, epochs), so another build or setting compiles anew;
/// an entry that does not load is compiled again. The directory is [`WASM_CACHE_ENV`] when set
/// (`off`: no cache; a directory that cannot be made, or that [`only_mine`] refuses, is an error
/// naming it), else `$XDG_CACHE_HOME/ssmpatch/wasm` or `$HOME/.cache/ssmpatch/wasm`; when that
/// default cannot be used, strategies are compiled in every process, as without a cache.
fn disk_cache() -> Result<Option<wasmtime::Cache>, StrategyError> {
    let open = |dir: std::path::PathBuf| {
        make_private(&dir).map_err(|e| e.to_string())?;
        let mut config = wasmtime::CacheConfig::new();
        config.with_directory(dir.clone());
        let cache = wasmtime::Cache::new(config).map_err(|e| format!("{e:#}"))?;
        only_mine(&dir)?;
        Ok::<_, String>(cache)
    };
    match std::env::var_os(WASM_CACHE_ENV) {
        Some(v) if v == "off" => Ok(None),
        Some(v) if !v.is_empty() => {
            let refused = |reason| StrategyError::Host { reason, setting: Some(WASM_CACHE_ENV) };
            let dir = std::path::absolute(&v)
                .map_err(|e| refused(format!("{WASM_CACHE_ENV}={}: {e}", v.to_string_lossy())))?;
            open(dir.clone()).map(Some).map_err(|e| {
                refused(format!("{WASM_CACHE_ENV}={}: cannot keep compiled strategies there: {e}", dir.display()))
            })
        }
        _ => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(std::path::PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
                .filter(|p| p.is_absolute());
            Ok(base.and_then(|b| open(b.join("ssmpatch").join("wasm")).ok()))
        }
    }
}

/// A compiled strategy is loaded as machine code, outside the sandbox: whoever can write the
/// cache's directory could run code as this user. So the directory must be this user's and
/// writable by nobody else (entries are created inside it, so they are this user's too).
#[cfg(unix)]
fn only_mine(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(dir).map_err(|e| e.to_string())?;
    let me = rustix::process::geteuid().as_raw();
    if m.uid() != me {
        return Err(format!("it belongs to uid {}, not this user (uid {me})", m.uid()));
    }
    if m.mode() & 0o022 != 0 {
        return Err(format!("others can write it (mode {:o}); compiled strategies run as this user", m.mode() & 0o777));
    }
    Ok(())
}

#[cfg(not(unix))]
fn only_mine(_dir: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// Makes the directories of `dir` that do not exist yet, readable and writable by this user only
/// (whatever the umask); existing ones are left as they are, for [`only_mine`] to judge.
fn make_private(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Loads strategies with the limits of every call. Every host shares the process's one engine
/// and its cache: a strategy loaded at plan time is not compiled again by `refresh`, whatever
/// limits each uses.
pub struct Host {
    shared: &'static Shared,
    limits: Limits,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("limits", &self.limits).finish()
    }
}

impl Host {
    /// A host with these limits (the process's engine is made by the first).
    pub fn new(limits: Limits) -> Result<Host, StrategyError> {
        Ok(Host { shared: shared()?, limits })
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
        let original = bytes;
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
        let engine = &self.shared.engine;
        let cached = self.shared.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let component = match cached {
            Some(c) => c,
            None => {
                let c = Component::new(engine, bytes)
                    .map_err(|e| StrategyError::Invalid { name: name.into(), reason: format!("{e:#}") })?;
                if let Ok(mut cache) = self.shared.cache.lock() {
                    // Process-wide, so bounded: a long-lived program loading many distinct
                    // components starts over rather than holding every one compiled.
                    if cache.len() >= CACHED_COMPONENTS {
                        cache.clear();
                    }
                    cache.insert(key, c.clone());
                }
                c
            }
        };
        // Compiled, not yet linked or instantiated: refuse another interface version here, with
        // both versions named, rather than with the linker's missing-export error.
        interface::check(name, original, bytes)?;
        let mut linker: Linker<State> = Linker::new(engine);
        let pre = sandbox::link(engine, &mut linker, &component)
            .and_then(|()| linker.instantiate_pre(&component))
            .and_then(bindings::StrategyPre::new)
            .map_err(|e| StrategyError::Invalid {
                name: name.into(),
                reason: format!(
                    "{e:#} (a strategy exports `plan` and `after-run` of ssmpatch:strategy@{INTERFACE_VERSION})"
                ),
            })?;
        Ok(LoadedStrategy { name: name.to_string(), pre, shared: self.shared, limits: self.limits })
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
    shared: &'static Shared,
    limits: Limits,
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
        let _running = Running::start(self.shared);
        let mut store = Store::new(
            &self.shared.engine,
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
        let input = bindings::ssmpatch::strategy::types::PlanInfo::from(plan);
        let ops: Vec<AddedOperation> = self.call(|b, s| b.call_plan(s, &input))?.into_iter().map(Into::into).collect();
        validate_added_operations(&self.name, &ops)?;
        Ok(ops)
    }

    /// After runs: the actions for the host to perform (validated and limited here).
    pub fn after_run(&self, plan: &PlanInfo, runs: &[RunResult]) -> Result<Vec<Action>, StrategyError> {
        let info = bindings::ssmpatch::strategy::types::PlanInfo::from(plan);
        let input: Vec<bindings::ssmpatch::strategy::types::RunResult> = runs.iter().map(Into::into).collect();
        let actions: Vec<Action> =
            self.call(|b, s| b.call_after_run(s, &info, &input))?.into_iter().map(Into::into).collect();
        validate_actions(&self.name, &self.limits, &actions)?;
        validate_scope(&self.name, plan, runs, &actions)?;
        Ok(actions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch thread ticks while a call runs and sleeps while none does. Other tests of this
    /// binary call strategies in parallel, so an idle window is looked for: one tenth of a second
    /// with no call running at either end and no tick in it. A thread that ticked all the time
    /// would never show one.
    #[test]
    fn the_epoch_thread_ticks_only_while_a_strategy_runs() {
        let host = Host::new(Limits::default()).expect("host");
        let rescan = load(&host, "rescan").expect("rescan");
        let info = PlanInfo {
            name: "p".into(),
            backend: crate::strategy::StrategyBackend::MaintenanceWindow,
            operations: Vec::new(),
            settings: Vec::new(),
            compliance_type: "Custom:ssmpatch".into(),
        };
        rescan.plan(&info).expect("rescan's plan");
        let mut idle = false;
        for _ in 0..50 {
            let (calls, ticks) = (RUNNING_CALLS.load(Ordering::SeqCst), TICKS.load(Ordering::SeqCst));
            std::thread::sleep(Duration::from_millis(100));
            if calls == 0 && RUNNING_CALLS.load(Ordering::SeqCst) == 0 && TICKS.load(Ordering::SeqCst) == ticks {
                idle = true;
                break;
            }
        }
        // That it ticks during a call: a spinning strategy ends with its time limit, not its
        // fuel (cli it strategy::limits_are_flags_and_each_exceeded_limit_is_its_own_error).
        assert!(idle, "the epoch thread kept ticking with no strategy call running");
    }
}
