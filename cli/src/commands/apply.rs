//! `ssmpatch apply|destroy PLAN` — change AWS to match the plan, or remove what it owns, holding
//! the plan's lease (one apply or destroy at a time per plan) from before the live state is read
//! until the end, whatever the outcome.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use serde_json::json;
use ssmpatch::backends::Action;
use ssmpatch::lease::{Lease, LeaseCommand};
use ssmpatch::session::Session;

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
    let s = session(&a.live, &rt, destroy)?.forced(a.force).with_lease_ttl(std::time::Duration::from_secs(a.lease_ttl));
    // The diff is read under the lease: two applies that both read "nothing exists" would both
    // create everything.
    let command = if destroy { LeaseCommand::Destroy } else { LeaseCommand::Apply };
    let lease = rt.block_on(s.lock(command))?;
    let result = locked(&a, out, destroy, &rt, &s, &lease);
    let parameter = lease.parameter().to_string();
    let lost = lease.lost_error();
    if let Err(e) = rt.block_on(lease.release()) {
        out.note(&format!(
            "warning: the plan's lease (parameter {parameter}) could not be released ({e}); the next apply or \
             destroy waits until it expires"
        ));
    }
    match (result, lost) {
        // A lease lost part way: whatever else happened, say so (another apply may have run too).
        (Ok(_), Some(e)) => Err(CliError::from(e)),
        (result, _) => result,
    }
}

/// The command, with the plan's lease held.
fn locked(
    a: &ApplyArgs,
    out: &Printer,
    destroy: bool,
    rt: &tokio::runtime::Runtime,
    s: &Session,
    lease: &Lease,
) -> Result<ExitCode, CliError> {
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
    // A lease lost while the prompt waited, or at any step: this apply stops there.
    let report = rt.block_on(s.apply_holding(lease, &d, &progress));
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
            // "Run apply again" only where running it again unchanged may pass (no answer,
            // throttling, a failure on AWS's side); otherwise the cause comes first.
            let next = match (report.retry_may_help, report.done.is_empty()) {
                (true, true) => Some("run apply again; nothing was changed"),
                (true, false) => Some("what was done is listed above; run apply again to converge from here"),
                (false, true) => None,
                (false, false) => {
                    Some("what was done is listed above; once the cause is fixed, apply continues from here")
                }
            };
            let hint = match (report.hint, next) {
                (Some(h), Some(n)) => Some(format!("{h}\n{n}")),
                (h, n) => h.or(n.map(str::to_string)),
            };
            Err(CliError::Aws(format!("stopped: {e}"), hint))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
