//! The next runs of an AWS schedule expression, and whether each backend accepts it — with
//! `ssmpatch = { default-features = false }`: the schedule engine, plans and baselines only.
//!
//!     cargo run -p ssmpatch-schedule-only -- 'cron(0 2 ? * 1L *)' Asia/Tokyo

use ssmpatch::schedule::{Backend, Schedule, Timing, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let expression = args.next().unwrap_or_else(|| "cron(0 2 ? * 1L *)".into());
    let zone = args.next().unwrap_or_else(|| "UTC".into());
    let schedule = Schedule::parse(&expression)?;
    let timing = Timing::in_zone(&zone)?;
    println!("{expression}: {}", schedule.describe(&timing));
    let after: jiff::Timestamp = "2026-06-01T00:00:00Z".parse()?;
    for run in schedule.next_n(&timing, after, 3)? {
        println!("  {run}");
    }
    for backend in Backend::ALL {
        match schedule.check(backend, &timing) {
            Verdict::Accepted => println!("  {backend}: yes"),
            Verdict::Rejected(v) => println!("  {backend}: no, {}", v.reason),
        }
    }
    Ok(())
}
