//! `ssmpatch apply|destroy PLAN` — change AWS to match the plan, or remove what it owns.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use serde_json::json;
use ssmpatch::backends::Action;

use crate::args::ApplyArgs;
use crate::context::{runtime, session};
use crate::error::{CliError, REJECTED};
use crate::printer::Printer;
use crate::render;

fn confirm(what: &str, out: &Printer) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Input(
            format!("refusing to {what} without confirmation: stdin is not a terminal"),
            Some("pass --yes to apply non-interactively".into()),
        ));
    }
    out.note(&format!("{what}? type `yes` to continue:"));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::Other(e.into()))?;
    Ok(line.trim() == "yes")
}

pub fn run(a: ApplyArgs, out: &Printer, destroy: bool) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let s = session(&a.live, &rt, destroy)?.forced(a.force);
    let d = if destroy { rt.block_on(s.destroy_diff()) } else { rt.block_on(s.diff()) }?;
    let json = a.live.plan.json;
    if d.is_empty() {
        if json {
            out.json(&json!({"diff": d, "report": {"plan": d.plan, "backend": d.backend, "done": []}}))?;
        } else {
            render::diff(&d, out);
            out.line("no changes");
            render::additions(&s.additions, out);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !json {
        render::diff(&d, out);
        render::additions(&s.additions, out);
    }
    let verb = if destroy { "destroy these resources" } else { "apply these changes" };
    if !a.yes && !confirm(verb, out)? {
        out.note("nothing done");
        return Ok(ExitCode::from(REJECTED));
    }
    let progress = |line: &str| {
        let _ = writeln!(std::io::stderr().lock(), "  {line}");
    };
    let report = rt.block_on(s.apply(&d, &progress));
    if json {
        out.json(&json!({"diff": d, "report": report}))?;
    } else {
        out.line(&format!(
            "{} {} resource(s) on {}",
            if destroy { "destroyed" } else { "applied" },
            report.done.iter().filter(|x| x.action != Action::Unchanged).count(),
            report.backend
        ));
    }
    match report.error {
        Some(e) => {
            let converge = "what was done is listed above; run apply again to converge from here";
            let hint = match report.hint {
                Some(h) if report.done.is_empty() => h,
                Some(h) => format!("{h}\n{converge}"),
                None => converge.to_string(),
            };
            Err(CliError::Aws(format!("stopped: {e}"), Some(hint)))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
