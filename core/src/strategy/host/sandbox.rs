//! What a strategy may import: nothing that reaches outside its own memory.
//!
//! A component built for `wasm32-wasip2` imports WASI interfaces because Rust's standard library
//! links them (`wasi:cli/environment`, `wasi:io/streams`, `wasi:filesystem/preopens`, …), whether
//! or not the strategy calls them. The host links every import of a component like this:
//!
//! - `wasi:random/*`: a deterministic generator, the same sequence in every call, so std's
//!   `HashMap` works and a strategy's answer depends only on its input;
//! - `wasi:cli/environment`: no variables, no arguments, no working directory;
//! - `wasi:cli/stdout` and `wasi:cli/stderr`: writes are kept (at most [`MAX_CAPTURED_BYTES`])
//!   and shown with the error when the call fails, so a panic's message reaches its author;
//! - everything else (filesystem, sockets, clocks, stdin, exit, polling): a function that traps
//!   when called, reported as [`crate::strategy::StrategyError::Denied`] with the import's name. Linking
//!   succeeds, so a strategy that never calls them runs.
//!
//! Only WASI 0.2.x interfaces (`…@0.2.<n>`, whose functions have the same types in every 0.2
//! release) are given an implementation; others, such as 0.3's, are treated as "everything else".
//! These rules live here and nowhere else.

use wasmtime::component::{Component, ComponentType, Lift, Linker, Lower, Resource};
use wasmtime::{Engine, StoreContextMut};

use super::State;

/// Most bytes one `get-random-bytes` call may ask for (it is copied into the guest).
const MAX_RANDOM_BYTES: u64 = 1 << 20;

/// Most bytes of stdout and stderr kept per call.
pub(crate) const MAX_CAPTURED_BYTES: usize = 16 << 10;

/// Most bytes one stream write may carry (what `check-write` grants).
const WRITE_BUDGET: u64 = 4096;

/// `wasi:io/streams` `stream-error`. Never returned (writes always succeed), but the type must
/// match the import's. Every resource of the sandbox is the host type `()`: the only ones ever
/// created are the stdout/stderr handles of [`link`].
#[derive(ComponentType, Lift, Lower)]
#[component(variant)]
enum StreamError {
    #[component(name = "last-operation-failed")]
    #[allow(dead_code)]
    LastOperationFailed(Resource<()>),
    #[component(name = "closed")]
    #[allow(dead_code)]
    Closed,
}

type Sc<'a> = StoreContextMut<'a, State>;

/// The generator's state at the start of every call.
pub(super) const RANDOM_SEED: u64 = 0x5353_4d50_4154_4348; // "SSMPATCH"

/// The message wasmtime's trapping stubs fail with (`Linker::define_unknown_imports_as_traps`):
/// "unknown import: `<interface>#<function>` has not been defined".
const UNKNOWN_IMPORT: &str = "unknown import: `";

/// Link `component`'s imports into `linker` by the rules above.
pub(super) fn link(engine: &Engine, linker: &mut Linker<State>, component: &Component) -> wasmtime::Result<()> {
    let ty = component.component_type();
    for (name, _) in ty.imports(engine) {
        // `wasi:<package>/<interface>` of a 0.2.x import, else nothing is provided for it.
        let Some(interface) = name.split_once("@0.2.").map(|(i, _)| i) else { continue };
        let random = [
            ("wasi:random/random", "get-random-bytes", "get-random-u64"),
            ("wasi:random/insecure", "get-insecure-random-bytes", "get-insecure-random-u64"),
        ];
        if let Some((_, bytes, word)) = random.iter().find(|(i, ..)| *i == interface) {
            let mut i = linker.instance(name)?;
            i.func_wrap(bytes, |s: Sc<'_>, (len,): (u64,)| Ok((random_bytes(s, len)?,)))?;
            i.func_wrap(word, |mut s: Sc<'_>, (): ()| Ok((next(&mut s.data_mut().rng),)))?;
        } else if interface == "wasi:random/insecure-seed" {
            linker.instance(name)?.func_wrap("insecure-seed", |mut s: Sc<'_>, (): ()| {
                let r = &mut s.data_mut().rng;
                Ok(((next(r), next(r)),))
            })?;
        } else if interface == "wasi:cli/environment" {
            let mut i = linker.instance(name)?;
            i.func_wrap("get-environment", |_: Sc<'_>, (): ()| Ok((Vec::<(String, String)>::new(),)))?;
            i.func_wrap("get-arguments", |_: Sc<'_>, (): ()| Ok((Vec::<String>::new(),)))?;
            i.func_wrap("initial-cwd", |_: Sc<'_>, (): ()| Ok((None::<String>,)))?;
        } else if interface == "wasi:cli/stdout" {
            linker.instance(name)?.func_wrap("get-stdout", |_: Sc<'_>, (): ()| Ok((Resource::<()>::new_own(1),)))?;
        } else if interface == "wasi:cli/stderr" {
            linker.instance(name)?.func_wrap("get-stderr", |_: Sc<'_>, (): ()| Ok((Resource::<()>::new_own(2),)))?;
        } else if interface == "wasi:io/streams" {
            let mut i = linker.instance(name)?;
            i.func_wrap("[method]output-stream.check-write", |_: Sc<'_>, (_,): (Resource<()>,)| {
                Ok((Ok::<u64, StreamError>(WRITE_BUDGET),))
            })?;
            for f in ["[method]output-stream.write", "[method]output-stream.blocking-write-and-flush"] {
                i.func_wrap(f, |mut s: Sc<'_>, (_, bytes): (Resource<()>, Vec<u8>)| {
                    let out = &mut s.data_mut().output;
                    let room = MAX_CAPTURED_BYTES.saturating_sub(out.len());
                    out.extend_from_slice(&bytes[..bytes.len().min(room)]);
                    Ok((Ok::<(), StreamError>(()),))
                })?;
            }
            for f in ["[method]output-stream.flush", "[method]output-stream.blocking-flush"] {
                i.func_wrap(f, |_: Sc<'_>, (_,): (Resource<()>,)| Ok((Ok::<(), StreamError>(()),)))?;
            }
            // Writers wait for `check-write` room through a pollable: always ready.
            i.func_wrap("[method]output-stream.subscribe", |_: Sc<'_>, (_,): (Resource<()>,)| {
                Ok((Resource::<()>::new_own(3),))
            })?;
        } else if interface == "wasi:io/poll" {
            let mut i = linker.instance(name)?;
            i.func_wrap("[method]pollable.ready", |_: Sc<'_>, (_,): (Resource<()>,)| Ok((true,)))?;
            i.func_wrap("[method]pollable.block", |_: Sc<'_>, (_,): (Resource<()>,)| Ok(()))?;
            i.func_wrap("poll", |_: Sc<'_>, (list,): (Vec<Resource<()>>,)| {
                Ok(((0..list.len() as u32).collect::<Vec<u32>>(),))
            })?;
        }
    }
    linker.define_unknown_imports_as_traps(component)
}

/// The import a trap came from, when it is one of the denied ones.
pub(super) fn denied_import(message: &str) -> Option<&str> {
    let start = message.find(UNKNOWN_IMPORT)? + UNKNOWN_IMPORT.len();
    let rest = &message[start..];
    Some(&rest[..rest.find('`')?])
}

fn random_bytes(mut s: Sc<'_>, len: u64) -> wasmtime::Result<Vec<u8>> {
    if len > MAX_RANDOM_BYTES {
        wasmtime::bail!("asked for {len} random bytes (at most {MAX_RANDOM_BYTES} per call)");
    }
    let r = &mut s.data_mut().rng;
    let mut out = Vec::with_capacity(len as usize);
    while out.len() < len as usize {
        out.extend_from_slice(&next(r).to_le_bytes());
    }
    out.truncate(len as usize);
    Ok(out)
}

/// SplitMix64: small, fast, and the same sequence from the same state.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denied_imports_are_named_from_wasmtimes_message() {
        let m = "error while executing at wasm backtrace:\n    0: ...\nCaused by:\n    unknown import: \
                 `wasi:clocks/wall-clock@0.2.6#now` has not been defined";
        assert_eq!(denied_import(m), Some("wasi:clocks/wall-clock@0.2.6#now"));
        assert_eq!(denied_import("wasm trap: wasm `unreachable` instruction executed"), None);
        assert_eq!(denied_import("unknown import: `unterminated"), None);
    }

    #[test]
    fn the_generator_repeats_from_the_same_seed() {
        let (mut a, mut b) = (RANDOM_SEED, RANDOM_SEED);
        let xs: Vec<u64> = (0..4).map(|_| next(&mut a)).collect();
        let ys: Vec<u64> = (0..4).map(|_| next(&mut b)).collect();
        assert_eq!(xs, ys);
        assert!(xs.windows(2).all(|w| w[0] != w[1]));
    }
}
