//! `ssmpatch validate|explain|calendar|override render|schema` — offline plan commands.

use ssmpatch::compliance::additions::{AdditionPlacement, Additions};
use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use ssmpatch::plan::compile::{CompileOptions, Compiled, NativeForm};
use ssmpatch::plan::{Plan, PlanError, PlanErrors, Source};

use super::CliError;
use crate::args::{CalendarArgs, PlanArgs, RenderArgs};
use crate::printer::Printer;

pub(crate) fn load(path: &std::path::Path) -> Result<Plan, CliError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Input(
            format!("cannot read plan `{name}`: {e}"),
            Some("give the path of a plan file (TOML or JSON)".into()),
        )
    })?;
    Plan::from_source(Source::new(Some(&name), text.clone()))
        .map_err(|errors| CliError::Plan { errors, text: Some(text) })
}

pub(crate) fn plan_error(plan: &Plan, e: PlanError) -> CliError {
    CliError::Plan { errors: PlanErrors(vec![e]), text: plan.source.as_ref().map(|s| s.text.clone()) }
}

pub(crate) fn options(a: &PlanArgs) -> Result<CompileOptions, CliError> {
    let from = match &a.from {
        Some(s) => s.parse::<Timestamp>().map_err(|e| {
            CliError::Input(
                format!("--from `{s}` is not an RFC 3339 instant: {e}"),
                Some("write e.g. 2026-06-01T00:00:00Z".into()),
            )
        })?,
        None => Timestamp::now(),
    };
    Ok(CompileOptions::from(from))
}

pub fn validate(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let ex = plan.explain(&options(&a)?).map_err(|e| plan_error(&plan, e))?;
    if a.json {
        out.json(&json!({"plan": plan.name, "valid": true, "backend": ex.backend, "warnings": ex.warnings}))?;
    } else {
        out.line(&format!(
            "{} {} is valid: {} operation(s) on {}",
            out.good("ok"),
            a.plan.display(),
            plan.operations.len(),
            ex.backend
        ));
        for w in &ex.warnings {
            out.note(&format!("warning: {w}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn form(n: &NativeForm) -> String {
    let mut s = format!("{} {}", n.expression, n.time_zone);
    if let Some(d) = n.offset_days {
        s.push_str(&format!(", offset {d} day{}", if d == 1 { "" } else { "s" }));
    }
    if n.apply_only_at_cron_interval {
        s.push_str(", ApplyOnlyAtCronInterval");
    }
    s
}

fn compiled_lines(c: &Compiled, out: &Printer) -> Vec<String> {
    let mut lines = Vec::new();
    let diffs =
        |closest: &Option<NativeForm>, differences: &[ssmpatch::plan::compile::Difference], lines: &mut Vec<String>| {
            if let Some(cl) = closest {
                lines.push(format!("closest: {}", form(cl)));
            }
            for d in differences {
                lines.push(format!(
                    "  rule {}   native {}",
                    d.rule.as_deref().unwrap_or("(no run)"),
                    d.native.as_deref().unwrap_or("(no run)")
                ));
            }
        };
    match c {
        Compiled::Exact { native } => lines.push(format!("{}  {}", form(native), out.good("exact"))),
        Compiled::Fallback { reason, closest, differences, windows } => {
            lines.push(format!("{}: {reason}", out.bad("no exact recurring form")));
            diffs(closest, differences, &mut lines);
            let w: Vec<String> = windows.iter().map(|w| w.expression.clone()).collect();
            lines.push(format!("fallback: one-shot windows {} (rolled forward by `apply`)", w.join(", ")));
        }
        Compiled::Inexpressible { reason, hint, closest, differences } => {
            lines.push(format!("{}: {reason}", out.bad("cannot run it")));
            diffs(closest, differences, &mut lines);
            lines.push(format!("hint: {hint}"));
        }
    }
    lines
}

pub fn explain(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let ex = plan.explain(&options(&a)?).map_err(|e| plan_error(&plan, e))?;
    let additions = ssmpatch::compliance::additions::for_plan(&plan, &ex, &options(&a)?)
        .map_err(|e| CliError::Input(e.to_string(), None))?;
    if a.json {
        let mut v = serde_json::to_value(&ex).map_err(anyhow::Error::from)?;
        v["additions"] = serde_json::to_value(&additions).map_err(anyhow::Error::from)?;
        out.json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(&format!("plan {}: backend {} ({})", ex.plan, ex.backend, ex.chosen));
    for r in &ex.rejected {
        out.line(&format!("  {} rejected:", r.backend));
        for reason in &r.reasons {
            out.line(&format!("    - {reason}"));
        }
    }
    out.line("");
    out.line(&format!("baseline placement: {}", ex.placement.summary));
    for l in ex.placement.consequence.lines() {
        out.line(&format!("  {l}"));
    }
    for op in &ex.operations {
        out.line("");
        out.line(&format!("operation {} ({}): {}", op.name, op.kind.as_str(), op.schedule));
        out.line(&format!("  means:    {}", op.description));
        let lines = compiled_lines(&op.compiled, out);
        for (i, l) in lines.iter().enumerate() {
            out.line(&format!("  {}{l}", if i == 0 { format!("{}: ", ex.backend) } else { "    ".to_string() }));
        }
        out.line(&format!("  baseline: {}", op.baseline.describe()));
    }
    print_additions(&additions, out);
    if !ex.warnings.is_empty() {
        out.line("");
        for w in &ex.warnings {
            out.line(&format!("warning: {w}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the plan's compliance strategy adds, in words.
pub fn print_additions(a: &Additions, out: &Printer) {
    if a.strategy.is_empty() || (a.operations.is_empty() && a.notes.is_empty()) {
        return;
    }
    out.line("");
    for op in &a.operations {
        let place = match &op.placement {
            AdditionPlacement::WindowTask { priority } => {
                format!("a task at priority {priority} in `{}`'s window (runs after it)", op.after)
            }
            AdditionPlacement::Association { native, after_hours } => format!(
                "an association {}{} starting when `{}`'s {after_hours}-hour Duration ends",
                native.expression,
                native.offset_days.map(|d| format!(" offset {d} day(s)")).unwrap_or_default(),
                op.after
            ),
        };
        out.line(&format!(
            "strategy {} adds operation {} ({}{}): {place}",
            a.strategy,
            op.name,
            op.kind.as_str(),
            if op.uses_override { ", with the override" } else { ", without override" }
        ));
    }
    for n in &a.notes {
        out.line(&format!("note: {n}"));
    }
}

pub fn calendar(a: CalendarArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan.plan)?;
    let cal = plan.calendar(a.count as usize, &options(&a.plan)?).map_err(|e| plan_error(&plan, e))?;
    if a.plan.json {
        out.json(&serde_json::to_value(&cal).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(&format!("plan {} on {}", cal.plan, cal.backend));
    let width = cal.runs.iter().map(|r| r.operation.len()).max().unwrap_or(0);
    for r in &cal.runs {
        out.line(&format!("  {}  {:width$}  {:7}  {}", r.local, r.operation, r.kind.as_str(), out.dim(&r.baseline)));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn render_override(a: RenderArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let doc = plan.render_override(&a.operation).map_err(|e| plan_error(&plan, e))?;
    out.raw(&doc.bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub fn schema(out: &Printer) -> Result<ExitCode, CliError> {
    out.raw(ssmpatch::plan::file::schema_json().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
