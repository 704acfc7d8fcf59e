//! Write an ssmpatch compliance strategy: implement [`Strategy`] and call [`export_strategy!`].
//!
//! ```ignore
//! use ssmpatch_strategy_sdk::{Action, PlanInfo, RunResult, Strategy, export_strategy};
//!
//! struct Notes;
//! impl Strategy for Notes {
//!     fn after_run(_plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {
//!         Ok(vec![Action::Message(format!("{} nodes ran", runs.len()))])
//!     }
//! }
//! export_strategy!(Notes);
//! ```
//!
//! Build with `cargo build --release --target wasm32-unknown-unknown`; `ssmpatch strategy test`
//! turns the module into a component and runs it.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "strategy",
        pub_export_macro: true,
        export_macro_name: "__export_strategy_world",
        default_bindings_module: "ssmpatch_strategy_sdk::bindings",
    });
}

pub use bindings::ssmpatch::strategy::types::{
    Action, AddedOperation, Backend, ComplianceItem, Operation, OperationKind, Pair, PatchPackage, PlanInfo,
    PutCompliance, RunResult, UploadType,
};
pub use std::string::String;
pub use std::vec::Vec;

/// A compliance strategy. Both functions are pure: return what the host should do.
pub trait Strategy {
    /// Plan time: operations to add. Default: none.
    fn plan(plan: PlanInfo) -> Result<Vec<AddedOperation>, String> {
        let _ = plan;
        Ok(Vec::new())
    }

    /// After runs: the actions for the host to perform.
    fn after_run(plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String>;
}

/// A setting's value from the plan.
pub fn setting<'a>(plan: &'a PlanInfo, key: &str) -> Option<&'a str> {
    plan.settings.iter().find(|p| p.key == key).map(|p| p.value.as_str())
}

/// A summary field of a run.
pub fn summary<'a>(run: &'a RunResult, key: &str) -> Option<&'a str> {
    run.summary.iter().find(|p| p.key == key).map(|p| p.value.as_str())
}

/// FNV-1a 64 of `parts`, hex: a stable content hash without a hashing dependency.
pub fn content_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Export `$t` (a [`Strategy`]) as the component's implementation.
#[macro_export]
macro_rules! export_strategy {
    ($t:ty) => {
        #[doc(hidden)]
        struct __SsmpatchStrategy;
        impl $crate::bindings::Guest for __SsmpatchStrategy {
            fn plan(plan: $crate::PlanInfo) -> ::core::result::Result<$crate::Vec<$crate::AddedOperation>, $crate::String> {
                <$t as $crate::Strategy>::plan(plan)
            }
            fn after_run(
                plan: $crate::PlanInfo,
                runs: $crate::Vec<$crate::RunResult>,
            ) -> ::core::result::Result<$crate::Vec<$crate::Action>, $crate::String> {
                <$t as $crate::Strategy>::after_run(plan, runs)
            }
        }
        $crate::bindings::__export_strategy_world!(__SsmpatchStrategy with_types_in $crate::bindings);
    };
}
