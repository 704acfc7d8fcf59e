//! How results look in a terminal: diffs, compiled schedules, a strategy's additions.

use ssmpatch::backends::{Action, Diff};
use ssmpatch::plan::{AdditionPlacement, Additions};
use ssmpatch::plan::{Compiled, Difference, NativeForm};

use crate::printer::Printer;

/// `plan NAME on BACKEND: n to create, …` and one line per change; foreign resources last.
pub fn diff(d: &Diff, out: &Printer) {
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
        match (&c.note, &c.id) {
            (Some(note), Some(id)) => out.line(&paint(out, &format!("  {sign} {} ({id}): {note}", c.key.label()))),
            _ => out.line(&paint(out, &format!("  {sign} {}", c.key.label()))),
        }
        if c.action == Action::Update {
            for f in &c.fields {
                out.line(&format!("      {}: {} → {}", f.field, f.from, f.to));
            }
        }
    }
    for f in &d.foreign {
        let blocks = d.changes.iter().any(|c| c.action == Action::Create && c.key == f.key);
        out.line(&format!(
            "  ! {} ({}) has the plan's name but was not created by ssmpatch for it: {}",
            f.key.label(),
            f.id,
            if blocks { "apply refuses to create another beside it" } else { "left alone" }
        ));
    }
}

/// What the plan's compliance strategy adds, in words.
pub fn additions(a: &Additions, out: &Printer) {
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
            // A placement added to the core later: shown as data until this renderer knows it.
            other => format!("{other:?}"),
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

/// A compiled schedule as lines: the native form, or why there is none and what comes closest.
pub fn compiled(c: &Compiled, out: &Printer) -> Vec<String> {
    let mut lines = Vec::new();
    let diffs = |closest: &Option<NativeForm>, differences: &[Difference], lines: &mut Vec<String>| {
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
