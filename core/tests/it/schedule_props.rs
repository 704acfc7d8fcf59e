//! Property tests: the parser never panics, iteration is strictly increasing and always ends.

use jiff::Timestamp;
use proptest::prelude::*;
use ssmpatch::schedule::{Backend, Schedule, Timing};

fn field(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(choices).prop_map(str::to_string)
}

fn cron_expr() -> impl Strategy<Value = String> {
    let minutes = field(&["0", "*/5", "0/30", "15,45", "10-50/20", "59", "*"]);
    let hours = field(&["0", "2", "*/4", "22-2", "7/12", "9-17", "*"]);
    let days = prop_oneof![
        (field(&["*", "1", "15", "L", "L-3", "LW", "15W", "31W", "1-7", "29", "30,31"]), Just("?".to_string())),
        (Just("?".to_string()), field(&["*", "MON", "MON-FRI", "FRI-MON", "1L", "SATL", "L", "TUE#2", "2#5", "2/2"])),
    ];
    let months = field(&["*", "FEB", "NOV-FEB", "1/3", "4,6,9,11"]);
    let years = field(&["*", "2026-2030", "2030/5", "2199", "1970-1975"]);
    (minutes, hours, days, months, years)
        .prop_map(|(m, h, (dom, dow), mo, y)| format!("cron({m} {h} {dom} {mo} {dow} {y})"))
}

fn zone() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &["UTC", "Asia/Tokyo", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu"][..],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(s in "\\PC{0,60}") {
        let _ = Schedule::parse(&s);
    }

    #[test]
    fn parser_never_panics_on_near_misses(body in "[0-9A-Za-z*?/,#LW -]{0,40}", kind in prop::sample::select(&["cron", "rate", "at"][..])) {
        if let Ok(s) = Schedule::parse(&format!("{kind}({body})")) {
            for b in Backend::ALL {
                let _ = s.check(b, &Timing::utc());
            }
            let _ = s.describe(&Timing::utc());
            let _ = s.next_n(&Timing::utc(), Timestamp::UNIX_EPOCH, 3);
        }
    }

    #[test]
    fn runs_are_strictly_increasing_and_after_start(expr in cron_expr(), tz in zone(), secs in 0i64..7_000_000_000) {
        let s = Schedule::parse(&expr).expect("generated expressions are valid");
        let t = Timing::in_zone(tz).expect("zone");
        let after = Timestamp::from_second(secs).expect("in range");
        let runs = s.next_n(&t, after, 12).expect("no offset");
        let mut prev = after;
        for z in &runs {
            prop_assert!(z.timestamp() > prev, "{expr} in {tz}: {} not after {prev}", z.timestamp());
            prev = z.timestamp();
        }
        // The iterator continues its search where the last run left it; a fresh search from
        // each run must find the next one in the sequence, and the instants iterator the same.
        for pair in runs.windows(2) {
            let again = s.next_n(&t, pair[0].timestamp(), 1).expect("no offset");
            prop_assert_eq!(again[0].timestamp(), pair[1].timestamp(), "{} in {}", expr, tz);
        }
        let instants: Vec<Timestamp> = s.instants(&t, after).expect("no offset").take(12).collect();
        let zoned: Vec<Timestamp> = runs.iter().map(|z| z.timestamp()).collect();
        prop_assert_eq!(instants, zoned);
        for z in &runs {
            prop_assert_eq!(z.time_zone(), &t.time_zone, "{} in {}", expr, tz);
        }
    }
}
