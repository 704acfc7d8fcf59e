//! One module per command group; each returns an exit code or a [`CliError`].

mod live;
mod output;
mod plan;
mod schedule;
mod strategy;

use std::process::ExitCode;

use ssmpatch::plan::PlanErrors;
use ssmpatch::schedule::ScheduleError;

use crate::args::{Cli, Command, OutputCommand, OverrideCommand, StrategyCommand};
use crate::printer::Printer;

/// Everything a command can fail with, mapped to an exit code.
#[derive(Debug)]
pub enum CliError {
    /// A schedule expression or option the user gave is invalid (exit 2).
    Schedule { source_text: Option<String>, error: ScheduleError },
    /// A plan that cannot be accepted (exit 2); `text` is the plan's source, for snippets.
    Plan { errors: PlanErrors, text: Option<String> },
    /// Other bad input (exit 2).
    Input(String, Option<String>),
    /// An AWS call failed (exit 3), with a hint.
    Aws(String, Option<String>),
    /// I/O, anything else (exit 3).
    Other(anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Schedule { .. } | CliError::Plan { .. } | CliError::Input(..) => 2,
            CliError::Aws(..) | CliError::Other(_) => 3,
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
            CliError::Input(msg, hint) | CliError::Aws(msg, hint) => {
                vec![Diagnostic { headline: msg.clone(), snippet: None, hint: hint.clone() }]
            }
            CliError::Other(e) => vec![Diagnostic { headline: format!("{e:#}"), snippet: None, hint: None }],
        }
    }
}

/// One problem, ready to print.
#[derive(Debug)]
pub struct Diagnostic {
    pub headline: String,
    pub snippet: Option<(String, usize)>,
    pub hint: Option<String>,
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Other(e)
    }
}

pub fn run(cli: Cli, out: &Printer) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Schedule(cmd) => schedule::run(cmd, out),
        Command::Validate(a) => plan::validate(a, out),
        Command::Explain(a) => plan::explain(a, out),
        Command::Calendar(a) => plan::calendar(a, out),
        Command::Override(OverrideCommand::Render(a)) => plan::render_override(a, out),
        Command::Schema => plan::schema(out),
        Command::Plan(a) => live::plan(a, out),
        Command::Apply(a) => live::apply(a, out, false),
        Command::Destroy(a) => live::apply(a, out, true),
        Command::IamPolicy(a) => live::iam_policy(a, out),
        Command::Output(OutputCommand::Parse(a)) => output::parse(a, out),
        Command::Strategy(StrategyCommand::List) => strategy::list(out),
        Command::Strategy(StrategyCommand::Test(a)) => strategy::test(a, out),
        Command::Strategy(StrategyCommand::New(a)) => strategy::new(a, out),
        Command::Refresh(a) => live::refresh(a, out),
    }
}
