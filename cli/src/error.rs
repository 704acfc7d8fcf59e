//! Everything a command can fail with, and the one table of exit codes (copied into the README).
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | the answer is "no": a backend rejects the schedule (`schedule check`), or apply was declined at the prompt |
//! | 2 | invalid input: a plan, schedule, argument or file the user gave, an unknown operation, a strategy that cannot be loaded or fails |
//! | 3 | AWS or I/O failure: a call failed or the endpoint is unreachable, an apply stopped part way, a foreign resource is in the way |
//! | 4 | finished, but not for every node: `refresh` wrote nothing for some node (`failed`, `skipped` or `rejected`; each node's detail says why) |
//! | 5 | locked: another apply or destroy of the same plan holds its lease (the message names the holder and its age); nothing was read or changed |
//! | 6 | `status`: some node's report is not current (stale, overwritten, missed, failed, unreachable or unknown; the report says which and why) |
//!
//! `plan --detailed-exitcode` replaces the table for that one call, as `terraform plan
//! -detailed-exitcode` does, so drift checks written for Terraform work unchanged: 0 no changes,
//! 2 changes (drift), 1 any error (its message says which kind).
//!
//! With `--json`, every error — the argument parser's included — is one JSON object on stdout
//! ([`CliError::to_json`]): `{"error": {"message", "hint", "code", ...}}`, `code` one of
//! [`CliError::code`]'s names, with the same exit code as without `--json`.

use serde_json::{Map, Value, json};
use ssmpatch::error::{Error, Hint};
use ssmpatch::input;
use ssmpatch::plan::PlanErrors;
use ssmpatch::schedule::ScheduleError;

/// The answer is "no".
pub const REJECTED: u8 = 1;
/// Invalid input.
pub const INVALID_INPUT: u8 = 2;
/// AWS or I/O failure.
pub const FAILURE: u8 = 3;
/// Finished, but not for every node.
pub const INCOMPLETE: u8 = 4;
/// Another apply or destroy of the same plan holds its lease.
pub const LOCKED: u8 = 5;
/// `status`: some node's report is not current.
pub const NOT_CURRENT: u8 = 6;
/// `plan --detailed-exitcode`: the plan changes something.
pub const CHANGES: u8 = 2;
/// `plan --detailed-exitcode`: any error.
pub const DETAILED_ERROR: u8 = 1;

/// Everything a command can fail with, mapped to an exit code.
#[derive(Debug)]
pub enum CliError {
    /// A schedule expression or option the user gave is invalid (exit 2).
    Schedule { source_text: Option<String>, error: ScheduleError },
    /// A plan that cannot be accepted (exit 2); `text` is the plan's source, for snippets.
    Plan { errors: PlanErrors, text: Option<String> },
    /// Other bad input, a strategy that cannot run (exit 2).
    Input(String, Option<String>),
    /// An AWS call failed, or AWS's state is in the way (exit 3), with a hint.
    Aws(String, Option<String>),
    /// Another apply or destroy of the same plan holds its lease (exit 5), with a hint.
    Locked(String, Option<String>),
    /// I/O, anything else (exit 3).
    Other(anyhow::Error),
    /// The command line itself: an unknown flag or subcommand, a missing or bad argument (exit 2,
    /// clap's usage code). Only built for `--json`: otherwise clap prints its own message.
    Usage(Box<Usage>),
}

/// A command-line error from clap, taken apart for `--json`.
#[derive(Debug, Default)]
pub struct Usage {
    /// What is wrong (clap's message, without `error: `).
    pub message: String,
    /// clap's tips and the `hint:` of our own value parsers, else where help is.
    pub hint: Option<String>,
    /// clap's error kind, e.g. `unknown-argument`, `invalid-value`, `missing-required-argument`.
    pub kind: String,
    /// The argument or subcommand at fault, as clap names it (`--count <COUNT>`).
    pub argument: Option<String>,
    /// The rejected value.
    pub value: Option<String>,
    /// The values clap would accept.
    pub valid_values: Vec<String>,
    /// The usage line of the command.
    pub usage: Option<String>,
    exit_code: u8,
}

impl Usage {
    /// Takes clap's rendered (uncoloured) message apart: `error: MESSAGE` (continued up to the
    /// first blank line, where a `hint: ` line is our value parsers' hint), `tip: ` lines, the
    /// `Usage:` block and `For more information, try '…'`.
    pub fn from_clap(e: &clap::Error) -> Usage {
        use clap::error::{ContextKind, ContextValue};
        let text = e.render().to_string();
        let (mut message, mut hints, mut usage, mut more) = (Vec::new(), Vec::new(), Vec::new(), None);
        let mut block = 0;
        let mut in_usage = false;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                block += 1;
                in_usage = false;
            } else if let Some(tip) = trimmed.strip_prefix("tip: ") {
                hints.push(tip.to_string());
            } else if let Some(h) = trimmed.strip_prefix("hint: ") {
                hints.push(h.to_string());
            } else if let Some(u) = line.strip_prefix("Usage: ") {
                usage.push(u.trim().to_string());
                in_usage = true;
            } else if in_usage {
                usage.push(trimmed.to_string());
            } else if trimmed.starts_with("For more information") {
                more = Some(trimmed.to_string());
            } else if block == 0 {
                message.push(line.strip_prefix("error: ").unwrap_or(line).to_string());
            } else {
                message.push(trimmed.to_string());
            }
        }
        let value = |k| match e.get(k) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) => Some(v.join(", ")),
            Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
            Some(ContextValue::StyledStrs(v)) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
            _ => None,
        };
        let valid_values = match e.get(ContextKind::ValidValue).or(e.get(ContextKind::ValidSubcommand)) {
            Some(ContextValue::Strings(v)) => v.clone(),
            _ => Vec::new(),
        };
        let kind: String = format!("{:?}", e.kind()).chars().fold(String::new(), |mut s, c| {
            if c.is_ascii_uppercase() && !s.is_empty() {
                s.push('-');
            }
            s.push(c.to_ascii_lowercase());
            s
        });
        Usage {
            message: message.join("\n").trim().to_string(),
            hint: if hints.is_empty() { more } else { Some(hints.join("\n")) },
            kind,
            argument: value(ContextKind::InvalidArg).or_else(|| value(ContextKind::InvalidSubcommand)),
            value: value(ContextKind::InvalidValue),
            valid_values,
            usage: (!usage.is_empty()).then(|| usage.join("\n")),
            exit_code: u8::try_from(e.exit_code()).unwrap_or(INVALID_INPUT),
        }
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Schedule { .. } | CliError::Plan { .. } | CliError::Input(..) => INVALID_INPUT,
            CliError::Aws(..) | CliError::Other(_) => FAILURE,
            CliError::Locked(..) => LOCKED,
            CliError::Usage(u) => u.exit_code,
        }
    }

    /// What kind of error this is, for `--json`'s `code`: `usage` (the command line), `schedule`
    /// (an expression or its options), `plan` (the plan file), `input` (other bad input), `aws`
    /// (an AWS call failed or its state is in the way), `locked` (the plan's lease is held),
    /// `failure` (I/O, anything else).
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Schedule { .. } => "schedule",
            CliError::Plan { .. } => "plan",
            CliError::Input(..) => "input",
            CliError::Aws(..) => "aws",
            CliError::Locked(..) => "locked",
            CliError::Other(_) => "failure",
        }
    }

    /// `{"message", "hint", "code", ...}` (the value of `--json`'s `"error"`): the
    /// message and hint as the text form prints them (clipped, control characters escaped), every
    /// problem of a plan under `problems`, and what else is known as data (the schedule's column
    /// and field; clap's kind, argument, value and usage).
    pub fn to_json(&self) -> Value {
        let diagnostics = self.diagnostics();
        let message: Vec<String> = diagnostics.iter().map(|d| input::clip_message(&d.headline)).collect();
        let hint = diagnostics.iter().find_map(|d| d.hint.as_deref()).map(input::clip_message);
        let mut o = Map::new();
        o.insert("message".into(), json!(message.join("\n")));
        o.insert("hint".into(), json!(hint));
        o.insert("code".into(), json!(self.code()));
        match self {
            CliError::Schedule { source_text, error } => {
                o.insert("expression".into(), json!(source_text.as_deref().map(input::echo)));
                o.insert("field".into(), json!(error.field.map(|f| f.as_str())));
                o.insert("column".into(), json!(error.column));
            }
            CliError::Plan { errors, .. } => {
                let problems: Vec<Value> = errors
                    .0
                    .iter()
                    .map(|e| {
                        json!({
                            "message": input::clip_message(&e.message),
                            "hint": e.hint.as_deref().map(input::clip_message),
                            "file": e.file.as_deref().map(input::echo),
                            "line": e.line,
                            "column": e.column,
                            "path": input::echo(&e.path),
                        })
                    })
                    .collect();
                o.insert("problems".into(), Value::Array(problems));
            }
            CliError::Usage(u) => {
                o.insert("kind".into(), json!(u.kind));
                o.insert("argument".into(), json!(u.argument.as_deref().map(input::echo)));
                o.insert("value".into(), json!(u.value.as_deref().map(input::echo)));
                if !u.valid_values.is_empty() {
                    o.insert("valid_values".into(), json!(u.valid_values));
                }
                o.insert("usage".into(), json!(u.usage));
            }
            _ => {}
        }
        Value::Object(o)
    }

    /// A core error, with the plan's text for snippets when there is one.
    pub fn from_core(e: Error, plan_text: Option<&str>) -> CliError {
        let hint = e.hint();
        match e {
            Error::Plan(errors) => CliError::Plan { errors, text: plan_text.map(str::to_string) },
            e @ (Error::Strategy(_) | Error::Input { .. }) => CliError::Input(e.to_string(), hint),
            e @ Error::Locked { .. } => CliError::Locked(e.to_string(), hint),
            other => CliError::Aws(other.to_string(), hint),
        }
    }

    /// One diagnostic per problem: headline, an optional (source line, 1-based column) to point
    /// at, and a hint.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            CliError::Schedule { source_text, error } => vec![Diagnostic {
                headline: error.headline(),
                snippet: match (source_text, error.column) {
                    (Some(s), Some(c)) => Some((s.clone(), c)),
                    _ => None,
                },
                hint: error.hint.clone(),
            }],
            CliError::Plan { errors, text } => errors
                .0
                .iter()
                .map(|e| Diagnostic {
                    headline: e.headline(),
                    snippet: match (text, e.line, e.column) {
                        (Some(t), Some(l), Some(c)) => {
                            t.lines().nth((l as usize).saturating_sub(1)).map(|line| (line.to_string(), c as usize))
                        }
                        _ => None,
                    },
                    hint: e.hint.clone(),
                })
                .collect(),
            CliError::Input(msg, hint) | CliError::Aws(msg, hint) | CliError::Locked(msg, hint) => {
                vec![Diagnostic { headline: msg.clone(), snippet: None, hint: hint.clone() }]
            }
            CliError::Other(e) => vec![Diagnostic { headline: format!("{e:#}"), snippet: None, hint: None }],
            CliError::Usage(u) => vec![Diagnostic { headline: u.message.clone(), snippet: None, hint: u.hint.clone() }],
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::from_core(e, None)
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Other(e)
    }
}

/// One problem, ready to print.
#[derive(Debug)]
pub struct Diagnostic {
    pub headline: String,
    pub snippet: Option<(String, usize)>,
    pub hint: Option<String>,
}
