//! `ssmpatch schedule next|check`.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use ssmpatch::schedule::{Backend, Schedule, ScheduleError, Timing, Verdict};

use crate::args::{CheckArgs, NextArgs, ScheduleCommand};
use crate::error::{CliError, REJECTED};
use crate::printer::Printer;

pub fn run(cmd: ScheduleCommand, out: &Printer) -> Result<ExitCode, CliError> {
    match cmd {
        ScheduleCommand::Next(a) => next(a, out),
        ScheduleCommand::Check(a) => check(a, out),
    }
}

fn parse(expr: &str) -> Result<Schedule, CliError> {
    Schedule::parse(expr).map_err(|error| CliError::Schedule { source_text: Some(expr.to_string()), error })
}

fn timing(tz: &str, offset: Option<u32>) -> Result<Timing, CliError> {
    let t = Timing::in_zone(tz).map_err(|error| CliError::Schedule { source_text: None, error })?;
    Ok(t.with_offset(offset))
}

fn plain(error: ScheduleError) -> CliError {
    CliError::Schedule { source_text: None, error }
}

fn next(a: NextArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let schedule = parse(&a.expression)?;
    let timing = timing(&a.tz, a.offset)?;
    let after = a.after.unwrap_or_else(Timestamp::now);
    let runs = schedule.next_n(&timing, after, a.count as usize).map_err(plain)?;
    let description = schedule.describe(&timing);
    if a.json {
        let next: Vec<String> = runs.iter().map(|z| z.timestamp().to_string()).collect();
        out.json(&json!({
            "expression": schedule.as_str(),
            "timezone": timing.time_zone_name,
            "description": description,
            "next": next,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(&format!("{}  {}", schedule.as_str(), out.dim(&format!("({description})"))));
    if runs.is_empty() {
        out.line("  no further runs");
    }
    let utc = timing.is_utc();
    for z in &runs {
        let when = z.timestamp().to_string();
        if utc {
            out.line(&format!("  {when}  {}", out.dim(&z.strftime("%a").to_string())));
        } else {
            out.line(&format!("  {when}  {}", out.dim(&z.strftime("%a %Y-%m-%d %H:%M:%S %:z").to_string())));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let schedule = parse(&a.expression)?;
    let timing = timing(&a.tz, a.offset)?;
    let backends: Vec<Backend> = match a.backend {
        Some(b) => vec![b.into()],
        None => Backend::ALL.to_vec(),
    };
    let verdicts: Vec<(Backend, Verdict)> = backends.iter().map(|b| (*b, schedule.check(*b, &timing))).collect();
    let all_rejected = verdicts.iter().all(|(_, v)| !v.is_ok());
    // Accepted is not the same as useful: an expression with no run left (`at()` in the past, the
    // 30th of February) is accepted by AWS and never runs.
    let now = Timestamp::now();
    // `None`: the runs cannot be computed with these settings (the verdicts say why).
    let runs = schedule.next_n(&timing, now, 1).ok();
    let never = runs.as_ref().is_some_and(Vec::is_empty);
    let next_run = runs.and_then(|r| r.first().map(|z| z.timestamp().to_string()));
    if a.json {
        let mut map = Map::new();
        for (b, v) in &verdicts {
            let entry = match v.violation() {
                None => json!({ "ok": true }),
                Some(x) => json!({ "ok": false, "reason": x.reason, "hint": x.hint }),
            };
            map.insert(b.as_str().to_string(), entry);
        }
        out.json(&json!({ "expression": schedule.as_str(), "backends": Value::Object(map), "next_run": next_run }))?;
    } else {
        out.line(&format!("{}  {}", schedule.as_str(), out.dim(&format!("({})", schedule.describe(&timing)))));
        for (b, v) in &verdicts {
            match v.violation() {
                None => out.line(&format!("  {} {b}", out.good("ok  "))),
                Some(x) => {
                    out.line(&format!("  {} {b}: {}", out.bad("no  "), x.reason));
                    out.line(&format!("       {}", out.dim(&format!("hint: {}", x.hint))));
                }
            }
        }
        if never {
            out.note(&format!("warning: `{}` has no run after {now}: accepted, it would never run", schedule.as_str()));
        }
    }
    Ok(if all_rejected { ExitCode::from(REJECTED) } else { ExitCode::SUCCESS })
}
