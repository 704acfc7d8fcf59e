//! The one tokio runtime, and running core futures from Python: blocking (the GIL released,
//! Ctrl-C honoured) or as an awaitable.
//!
//! Exit. A runtime thread that enters Python while the interpreter finalises aborts the process
//! (`PyGILState_Release: thread state must be current`, SIGABRT, or a SIGSEGV): that happened in
//! about 1 run in 7 of `asyncio.run(plan.plan_async())` — the thread that hands the result to the
//! event loop was still inside Python when `asyncio.run` returned and the interpreter began to
//! shut down. So every entry of a runtime thread into Python goes through a gate
//! ([`gated`]): an `atexit` handler ([`shutdown`], registered when the module is imported, so it
//! runs before finalisation) closes the gate, waits for the threads inside Python to leave, and
//! shuts the runtime down. After that, results are dropped (their Python objects are released
//! later by pyo3's reference pool, never touched from a runtime thread) and new calls raise
//! `RuntimeError`.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};
use ssmpatch::error::Error;
use tokio::runtime::Handle;

use crate::convert::value_to_python;
use crate::errors;

/// How often a blocking call looks for a signal (Ctrl-C) while it waits.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// How long exiting waits for runtime threads to leave Python (a progress callback that never
/// returns must not keep the interpreter from exiting).
const EXIT_WAIT: Duration = Duration::from_secs(5);

/// How a live call failed, before it is turned into a Python exception (under the GIL).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A core error.
    Core(Error),
    /// An apply that stopped part way: the message, the hint, the AWS call that stopped it (when
    /// it was one) and `{"diff", "report"}` of what it did.
    Stopped { message: String, hint: Option<String>, aws: errors::AwsIds, report: serde_json::Value },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Core(e) => errors::core(py, e),
            Failure::Stopped { message, hint, aws, report } => match value_to_python(py, &report) {
                Ok(r) => errors::aws_stopped(py, message, hint, aws, r),
                Err(e) => e,
            },
        }
    }
}

/// Whether the interpreter is exiting, and how many runtime threads are inside Python.
struct Gate {
    closed: bool,
    inside: usize,
}

static GATE: Mutex<Gate> = Mutex::new(Gate { closed: false, inside: 0 });
static LEFT: Condvar = Condvar::new();

fn gate() -> MutexGuard<'static, Gate> {
    GATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` — which enters Python — unless the interpreter is exiting (then `None`, and `f` is
/// dropped without running).
pub(crate) fn gated<R>(f: impl FnOnce() -> R) -> Option<R> {
    {
        let mut g = gate();
        if g.closed {
            return None;
        }
        g.inside += 1;
    }
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            gate().inside -= 1;
            LEFT.notify_all();
        }
    }
    let _leave = Leave;
    Some(f())
}

/// [`gated`] `Python::attach`.
pub(crate) fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    gated(|| Python::attach(f))
}

/// The runtime, built on first use; `None` once shut down.
struct Tokio {
    handle: Handle,
    owned: Mutex<Option<tokio::runtime::Runtime>>,
}

static RUNTIME: OnceLock<Tokio> = OnceLock::new();

/// The runtime's handle, or `RuntimeError` when the interpreter is exiting.
fn handle() -> PyResult<Handle> {
    if gate().closed {
        return Err(PyRuntimeError::new_err("ssmpatch cannot call AWS while the interpreter exits"));
    }
    if let Some(t) = RUNTIME.get() {
        return Ok(t.handle.clone());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ssmpatch-tokio")
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the async runtime: {e}")))?;
    let _ = RUNTIME.set(Tokio { handle: rt.handle().clone(), owned: Mutex::new(Some(rt)) });
    // Another thread may have won the race: use whichever runtime was stored (a lost one is
    // dropped here, before it ran anything).
    RUNTIME.get().map(|t| t.handle.clone()).ok_or_else(|| PyRuntimeError::new_err("no async runtime"))
}

/// Registered with `atexit`: close the gate, wait (the GIL released) for runtime threads to leave
/// Python, and shut the runtime down without waiting for its tasks.
#[pyfunction]
pub(crate) fn shutdown(py: Python<'_>) {
    py.detach(|| {
        let mut g = gate();
        g.closed = true;
        let deadline = std::time::Instant::now() + EXIT_WAIT;
        while g.inside > 0 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            g = LEFT.wait_timeout(g, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        drop(g);
        let owned = RUNTIME.get().and_then(|t| t.owned.lock().unwrap_or_else(PoisonError::into_inner).take());
        if let Some(rt) = owned {
            rt.shutdown_background();
        }
    });
}

/// Our runtime for pyo3-async-runtimes: its tasks on [`RUNTIME`], and the blocking sections in
/// which it hands a result to the event loop behind the [`gated`] gate.
struct OurRuntime;

tokio::task_local! {
    static LOCALS: OnceCell<TaskLocals>;
}

fn spawn_handle() -> Handle {
    RUNTIME.get().map(|t| t.handle.clone()).unwrap_or_else(Handle::current)
}

impl Runtime for OurRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        spawn_handle().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        spawn_handle().spawn_blocking(move || {
            gated(f);
        })
    }
}

impl ContextExt for OurRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
}

/// Run `fut` to completion without holding the GIL. Every [`SIGNAL_CHECK`] the call looks for a
/// signal: Ctrl-C raises `KeyboardInterrupt` and drops `fut` (what it had not done yet is not
/// done; an interrupted apply converges on the next one).
pub(crate) fn blocking<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<serde_json::Value, Failure>> + Send,
{
    let handle = handle()?;
    let outcome = py.detach(|| {
        handle.block_on(async {
            let mut fut = std::pin::pin!(fut);
            let mut tick = tokio::time::interval(SIGNAL_CHECK);
            loop {
                tokio::select! {
                    biased;
                    out = &mut fut => return Ok(out),
                    _ = tick.tick() => {
                        if let Some(Err(interrupted)) = attach(|py| py.check_signals()) {
                            return Err(interrupted);
                        }
                    }
                }
            }
        })
    });
    match outcome? {
        Ok(v) => value_to_python(py, &v),
        Err(f) => Err(f.into_py(py)),
    }
}

/// A live call's future, boxed.
type Call = Pin<Box<dyn Future<Output = Result<serde_json::Value, Failure>> + Send>>;

/// `fut` as a coroutine, like an `async def`'s: nothing runs until it is awaited (inside a
/// running event loop: `asyncio.run(...)`, `await`, `asyncio.gather`, `create_task`), and a
/// coroutine never awaited does nothing (Python warns that it was never awaited). The arguments
/// were already checked when this is called. Awaited, the call runs on the runtime while the
/// event loop goes on; cancelling the awaiting task drops it.
pub(crate) fn awaitable<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<serde_json::Value, Failure>> + Send + 'static,
{
    handle()?;
    let slot: Mutex<Option<Call>> = Mutex::new(Some(Box::pin(fut)));
    let start = pyo3::types::PyCFunction::new_closure(
        py,
        Some(c"start"),
        None,
        move |args: &Bound<'_, pyo3::types::PyTuple>, _kwargs| -> PyResult<Py<PyAny>> {
            let py = args.py();
            let fut = slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .ok_or_else(|| PyRuntimeError::new_err("this ssmpatch call was already awaited"))?;
            handle()?;
            pyo3_async_runtimes::generic::future_into_py::<OurRuntime, _, _>(py, async move {
                let result = fut.await;
                attach(|py| match result {
                    Ok(v) => value_to_python(py, &v).map(Bound::unbind),
                    Err(f) => Err(f.into_py(py)),
                })
                .unwrap_or_else(|| Err(PyRuntimeError::new_err("the interpreter is exiting")))
            })
            .map(Bound::unbind)
        },
    )?;
    py.import("ssmpatch._aio")?.getattr("call")?.call1((start,))
}
