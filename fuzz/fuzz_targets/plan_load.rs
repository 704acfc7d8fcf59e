//! Arbitrary bytes into the plan loader (as TOML and as JSON); whatever validates is explained
//! and previewed. Nothing may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssmpatch::plan::CompileOptions;
use ssmpatch::plan::{Plan, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["plan.toml", "plan.json"] {
        match Plan::from_source(Source::new(Some(name), text)) {
            Ok(plan) => {
                let opts = CompileOptions::from("2026-01-01T00:00:00Z".parse().expect("constant"));
                if plan.explain(&opts).is_ok() {
                    let _ = plan.calendar(3, &opts);
                }
                for op in &plan.operations {
                    let _ = plan.render_override(&op.name);
                }
            }
            Err(errors) => {
                for e in &errors.0 {
                    assert!(!e.message.is_empty(), "an error without a message");
                    let _ = e.to_string();
                }
            }
        }
    }
});
