//! Arbitrary text into the schedule parser; whatever parses is described, checked against every
//! backend and iterated a few steps. Nothing may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssmpatch::schedule::{Backend, Schedule, Timing};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(schedule) = Schedule::parse(text) else { return };
    let after: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("constant");
    for timing in [Timing::utc(), Timing::in_zone("America/New_York").expect("zone")] {
        let _ = schedule.describe(&timing);
        for b in Backend::ALL {
            let _ = schedule.check(b, &timing);
        }
        // A rate walks far cheaply: as many steps as `schedule next --count` allows, from the
        // start and from near the end of time (huge values must end the walk, not panic).
        if matches!(schedule.expression(), ssmpatch::schedule::Expression::Rate(_)) {
            for start in [after, jiff::Timestamp::MAX - jiff::SignedDuration::from_hours(24)] {
                if let Ok(it) = schedule.occurrences(&timing, start) {
                    let _ = it.take(10_000).count();
                }
            }
        }
        if let Ok(it) = schedule.occurrences(&timing, after) {
            let mut prev = None;
            for z in it.take(8) {
                let t = z.timestamp();
                assert!(t > after, "occurrence not after the start");
                if let Some(p) = prev {
                    assert!(t > p, "occurrences not strictly increasing");
                }
                prev = Some(t);
            }
        }
    }
});
