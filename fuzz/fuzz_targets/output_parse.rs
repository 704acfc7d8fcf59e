//! Arbitrary bytes into the AWS-RunPatchBaseline output parser: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssmpatch::run_output::{OutputSource, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for source in [OutputSource::Complete, OutputSource::Invocation] {
        if let Ok(r) = parse(&text, source) {
            let _ = serde_json::to_string(&r);
        }
    }
});
