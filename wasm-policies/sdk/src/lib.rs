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
//! Build with `cargo build --release --target wasm32-wasip2` (the linker writes a component);
//! `ssmpatch strategy test target/wasm32-wasip2/release/<name>.wasm --input RUN.json` runs it.
//! A core module built for `wasm32-unknown-unknown` is accepted too (the host makes it a
//! component when it loads it).
/// The version of the `ssmpatch:strategy` interface this SDK implements (the `package` line of
/// `wit/strategy.wit`). Every strategy built with the SDK carries it in a custom section named
/// [`INTERFACE_SECTION`], which the host reads before it links and instantiates the component: one built for
/// another version is refused with an error naming both.
pub const INTERFACE_VERSION: &str = "0.1.0";

/// The name of the custom section holding [`INTERFACE_VERSION`].
pub const INTERFACE_SECTION: &str = "ssmpatch:strategy-interface";

#[doc(hidden)]
pub const __INTERFACE_STAMP: [u8; INTERFACE_VERSION.len()] = {
    let mut out = [0u8; INTERFACE_VERSION.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = INTERFACE_VERSION.as_bytes()[i];
        i += 1;
    }
    out
};

#[doc(hidden)]
#[allow(clippy::too_many_arguments)] // generated: a strategy author's `cargo clippy` stays quiet
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
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

/// The run's per-package report when it is complete enough to write compliance from: the output
/// was read completely and it either listed its non-compliant packages or said every package is
/// compliant. `None` for truncated output and for runs that printed no per-package result (a
/// failed run, a run without override, Windows output): writing a `COMPLETE` upload from those
/// would erase the node's last good report.
pub fn package_report(run: &RunResult) -> Option<&[PatchPackage]> {
    (!run.truncated && (run.all_compliant || !run.non_compliant.is_empty())).then_some(run.non_compliant.as_slice())
}

/// The SHA-256 of `parts`, lowercase hex (64 characters): PutComplianceItems' `ItemContentHash`
/// is "MD5 or SHA-256 content hash" (API reference). Each part is followed by a 0xFF byte, which
/// UTF-8 text never contains, so `["ab", "c"]` and `["a", "bc"]` hash differently.
///
/// Put the run's execution id among the parts: AWS ignores a report whose hash it already holds,
/// so a hash over the items alone would keep an older run's execution id and time on a report
/// that a newer run with the same results confirmed.
pub fn content_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0xff]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A vendor's patch severity on one scale, lowest first, so `max()` over a run's packages is its
/// worst. Read it from [`PatchPackage::patch_severity`] (the payload's `PatchSeverity`: the
/// severity the OS vendor gave the update), never from [`PatchPackage::severity`], which is the
/// patch baseline's compliance level (`ComplianceLevel` of the approval rule that matched).
///
/// Names are matched ignoring case and surrounding space. Each OS's names (ssmpatch's
/// `docs/strategy-authoring.md` lists them with their sources):
///
/// | Scale | Windows (`MSRC_SEVERITY`) | Amazon Linux | RHEL, Alma, Rocky, CentOS, Oracle, SUSE | Ubuntu, Debian (`PRIORITY`) |
/// | --- | --- | --- | --- | --- |
/// | `Critical` | Critical | Critical | Critical | Required |
/// | `High` | Important | Important | Important | Important |
/// | `Medium` | Moderate | Medium | Moderate | Standard |
/// | `Low` | Low | Low | Low | Optional, Extra |
/// | `Unspecified` | Unspecified | None, empty | empty | empty |
///
/// Ubuntu and Debian have no vendor severity in Patch Manager: their `PRIORITY` is the package's
/// Debian priority (how essential the package is), ranked here by its own order. `High` is also
/// what the generic names `High`/`HIGH` give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VendorSeverity {
    /// No severity given (`Unspecified`, `None`, empty) or a name this SDK does not know.
    Unspecified,
    /// `Low`, Debian `Optional`/`Extra`.
    Low,
    /// `Moderate`, `Medium`, Debian `Standard`.
    Medium,
    /// `Important`, `High`.
    High,
    /// `Critical`, Debian `Required`.
    Critical,
}

impl VendorSeverity {
    /// The rank of a vendor severity name; `None` for a name that is not one of the table's.
    pub fn parse(name: &str) -> Option<VendorSeverity> {
        let n = name.trim();
        let is = |s: &str| n.eq_ignore_ascii_case(s);
        Some(if is("critical") || is("required") {
            VendorSeverity::Critical
        } else if is("important") || is("high") {
            VendorSeverity::High
        } else if is("moderate") || is("medium") || is("standard") {
            VendorSeverity::Medium
        } else if is("low") || is("optional") || is("extra") {
            VendorSeverity::Low
        } else if n.is_empty() || is("unspecified") || is("none") {
            VendorSeverity::Unspecified
        } else {
            return None;
        })
    }

    /// The rank of a vendor severity name, `Unspecified` for a name that is not one of the table's.
    pub fn of(name: &str) -> VendorSeverity {
        VendorSeverity::parse(name).unwrap_or(VendorSeverity::Unspecified)
    }

    /// The compliance item severity of this rank (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`,
    /// `UNSPECIFIED`), the values PutComplianceItems takes.
    pub fn compliance_severity(self) -> &'static str {
        match self {
            VendorSeverity::Critical => "CRITICAL",
            VendorSeverity::High => "HIGH",
            VendorSeverity::Medium => "MEDIUM",
            VendorSeverity::Low => "LOW",
            VendorSeverity::Unspecified => "UNSPECIFIED",
        }
    }
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

        // The interface version, read by the host before it links the component (in the
        // strategy's own crate, so the linker keeps it whatever the SDK's code that is used).
        #[doc(hidden)]
        #[used]
        #[unsafe(link_section = "ssmpatch:strategy-interface")]
        static __SSMPATCH_STRATEGY_INTERFACE: [u8; $crate::INTERFACE_VERSION.len()] = $crate::__INTERFACE_STAMP;
    };
}

#[cfg(test)]
mod tests {
    use super::VendorSeverity::{self, *};

    #[test]
    fn each_oss_names_rank_on_one_scale() {
        let table: [(&str, &[&str]); 5] = [
            ("Windows", &["Critical", "Important", "Moderate", "Low", "Unspecified"]),
            ("Amazon Linux", &["Critical", "Important", "Medium", "Low", "None"]),
            ("RHEL, Oracle, SUSE", &["Critical", "Important", "Moderate", "Low", ""]),
            ("Ubuntu, Debian", &["Required", "Important", "Standard", "Optional", ""]),
            ("generic", &["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"]),
        ];
        for (os, names) in table {
            let ranks: Vec<VendorSeverity> = names.iter().map(|n| VendorSeverity::of(n)).collect();
            assert_eq!(ranks, [Critical, High, Medium, Low, Unspecified], "{os}");
        }
        assert_eq!(VendorSeverity::of("Extra"), Low);
        assert_eq!(VendorSeverity::of("  moderate "), Medium);
    }

    #[test]
    fn the_worst_is_the_max_and_unknown_names_are_told_apart() {
        let worst = ["Low", "Critical", "Moderate"].iter().map(|n| VendorSeverity::of(n)).max();
        assert_eq!(worst, Some(Critical));
        assert!(Critical > High && High > Medium && Medium > Low && Low > Unspecified);
        assert_eq!(VendorSeverity::parse("Severe"), None);
        assert_eq!(VendorSeverity::of("Severe"), Unspecified);
        assert_eq!(VendorSeverity::parse(""), Some(Unspecified));
        assert_eq!(VendorSeverity::of("Important").compliance_severity(), "HIGH");
    }
}
