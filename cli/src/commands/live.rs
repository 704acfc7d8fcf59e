//! `ssmpatch plan|apply|destroy|iam-policy` — the commands that read or change AWS.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use serde_json::json;
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::error::Error;
use ssmpatch::scheduler::{Action, Diff, Session};

use super::CliError;
use super::plan::{load, options, plan_error};
use crate::args::{ApplyArgs, AwsArgs, LiveArgs, PlanArgs, RefreshArgs};
use crate::printer::Printer;

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))
}

fn aws_error(e: Error) -> CliError {
    let hint = e.hint();
    match e {
        Error::Plan(errors) => CliError::Plan { errors, text: None },
        other => CliError::Aws(other.to_string(), hint),
    }
}

fn session(a: &LiveArgs, rt: &tokio::runtime::Runtime) -> Result<Session, CliError> {
    session_for(a, rt, false)
}

fn session_for(a: &LiveArgs, rt: &tokio::runtime::Runtime, destroy: bool) -> Result<Session, CliError> {
    let plan = load(&a.plan.plan)?;
    let opts = options(&a.plan)?;
    let clients = rt.block_on(Clients::load(&aws_options(&a.aws), plan.file.region.as_deref()));
    let made = if destroy {
        Session::for_destroy(plan.clone(), &clients, &opts)
    } else {
        Session::new(plan.clone(), &clients, &opts)
    };
    made.map_err(|e| match e {
        Error::Plan(errors) => CliError::Plan { errors, text: plan.source.as_ref().map(|s| s.text.clone()) },
        other => aws_error(other),
    })
}

fn aws_options(a: &AwsArgs) -> AwsOptions {
    AwsOptions {
        region: a.region.clone(),
        profile: a.profile.clone(),
        endpoint_url: a.endpoint_url.clone(),
        ..AwsOptions::default()
    }
}

fn print_diff(d: &Diff, out: &Printer) {
    out.line(&format!(
        "plan {} on {}: {} to create, {} to update, {} to delete, {} unchanged",
        d.plan,
        d.backend,
        d.count(Action::Create),
        d.count(Action::Update),
        d.count(Action::Delete),
        d.count(Action::Unchanged)
    ));
    for c in &d.changes {
        let (sign, paint): (&str, fn(&Printer, &str) -> String) = match c.action {
            Action::Create => ("+", Printer::good),
            Action::Update => ("~", Printer::dim),
            Action::Delete => ("-", Printer::bad),
            Action::Unchanged => continue,
        };
        out.line(&paint(out, &format!("  {sign} {}", c.key.label())));
        if c.action == Action::Update {
            for f in &c.fields {
                out.line(&format!("      {}: {} → {}", f.field, f.from, f.to));
            }
        }
    }
    for f in &d.foreign {
        out.line(&format!(
            "  ! {} ({}) has the plan's name but was not created by ssmpatch for it: left alone",
            f.key.label(),
            f.id
        ));
    }
}

pub fn plan(a: LiveArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let s = session(&a, &rt)?;
    let d = rt.block_on(s.diff()).map_err(aws_error)?;
    if a.plan.json {
        out.json(&serde_json::to_value(&d).map_err(anyhow::Error::from)?)?;
    } else if d.is_empty() {
        print_diff(&d, out);
        out.line("no changes");
        super::plan::print_additions(&s.additions, out);
    } else {
        print_diff(&d, out);
        super::plan::print_additions(&s.additions, out);
    }
    Ok(ExitCode::SUCCESS)
}

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

pub fn apply(a: ApplyArgs, out: &Printer, destroy: bool) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let s = session_for(&a.live, &rt, destroy)?;
    let d = if destroy { rt.block_on(s.destroy_diff()) } else { rt.block_on(s.diff()) }.map_err(aws_error)?;
    let json = a.live.plan.json;
    if d.is_empty() {
        if json {
            out.json(&json!({"diff": d, "report": {"plan": d.plan, "backend": d.backend, "done": []}}))?;
        } else {
            print_diff(&d, out);
            out.line("no changes");
            super::plan::print_additions(&s.additions, out);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !json {
        print_diff(&d, out);
        super::plan::print_additions(&s.additions, out);
    }
    let verb = if destroy { "destroy these resources" } else { "apply these changes" };
    if !a.yes && !confirm(verb, out)? {
        out.note("nothing done");
        return Ok(ExitCode::from(1));
    }
    let progress = |line: &str| {
        let _ = writeln!(std::io::stderr().lock(), "  {line}");
    };
    let report = rt.block_on(s.apply(&d, a.live.aws.concurrency as usize, &progress));
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
        Some(e) => Err(CliError::Aws(
            format!("stopped: {e}"),
            Some("what was done is listed above; run apply again to converge from here".into()),
        )),
        None => Ok(ExitCode::SUCCESS),
    }
}

pub fn iam_policy(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let ex = plan.explain(&options(&a)?).map_err(|e| plan_error(&plan, e))?;
    out.json(&ssmpatch::scheduler::iam::policy(&plan, ex.backend))?;
    Ok(ExitCode::SUCCESS)
}

pub fn refresh(a: RefreshArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let since = match &a.since {
        Some(s) => Some(s.parse::<jiff::Timestamp>().map_err(|e| {
            CliError::Input(
                format!("--since `{s}` is not an RFC 3339 instant: {e}"),
                Some("write e.g. 2026-06-01T00:00:00Z".into()),
            )
        })?),
        None => None,
    };
    let s = session(&a.live, &rt)?;
    let plan = &a.live.plan;
    let clients = rt.block_on(Clients::load(&aws_options(&a.live.aws), s.plan.file.region.as_deref()));
    let opts = ssmpatch::compliance::refresh::RefreshOptions {
        operation: a.operation.clone(),
        since,
        strategy: a.strategy.clone(),
        concurrency: a.live.aws.concurrency as usize,
        command_id: a.command_id.clone(),
    };
    let progress = |line: &str| out.note(&format!("refresh: {line}"));
    let report =
        rt.block_on(ssmpatch::compliance::refresh::refresh(&s, &clients, &opts, &progress)).map_err(aws_error)?;
    if plan.json {
        out.json(&serde_json::to_value(&report).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(&format!(
        "refresh {} with strategy {}: {} node result(s)",
        report.plan,
        report.strategy,
        report.nodes.len()
    ));
    for n in &report.nodes {
        out.line(&format!("  {}  {:10} {:18} {}", n.instance_id, n.operation, n.result, out.dim(&n.detail)));
    }
    for m in &report.messages {
        out.line(&format!("  note: {m}"));
    }
    Ok(ExitCode::SUCCESS)
}
