//! Everything a command can fail with, and the one table of exit codes (copied into the README).
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | the answer is "no": a backend rejects the schedule (`schedule check`), or apply was declined at the prompt |
//! | 2 | invalid input: a plan, schedule, argument or file the user gave, an unknown operation, a strategy that cannot be loaded or fails |
//! | 3 | AWS or I/O failure: a call failed or the endpoint is unreachable, an apply stopped part way, a foreign resource is in the way |
//! | 4 | finished, but not for every node: `refresh` wrote nothing for some node (`failed` or `skipped`; each node's detail says why) |
//! | 5 | locked: another apply or destroy of the same plan holds its lease (the message names the holder and its age); nothing was read or changed |
//!
//! `plan --detailed-exitcode` replaces the table for that one call, as `terraform plan
//! -detailed-exitcode` does, so drift checks written for Terraform work unchanged: 0 no changes,
//! 2 changes (drift), 1 any error (its message says which kind).

use ssmpatch::error::{Error, Hint};
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
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Schedule { .. } | CliError::Plan { .. } | CliError::Input(..) => INVALID_INPUT,
            CliError::Aws(..) | CliError::Other(_) => FAILURE,
            CliError::Locked(..) => LOCKED,
        }
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
