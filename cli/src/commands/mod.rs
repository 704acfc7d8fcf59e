//! One module per command group; each returns an exit code or a [`CliError`].

mod schedule;

use std::process::ExitCode;

use ssmpatch::schedule::ScheduleError;

use crate::args::{Cli, Command};
use crate::printer::Printer;

/// Everything a command can fail with, mapped to an exit code.
#[derive(Debug)]
pub enum CliError {
    /// A schedule expression or option the user gave is invalid (exit 2).
    Schedule { source_text: Option<String>, error: ScheduleError },
    /// Other bad input (exit 2).
    Input(String, Option<String>),
    /// I/O, AWS, anything else (exit 3).
    Other(anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Schedule { .. } | CliError::Input(..) => 2,
            CliError::Other(_) => 3,
        }
    }

    pub fn headline(&self) -> String {
        match self {
            CliError::Schedule { error, .. } => error.headline(),
            CliError::Input(msg, _) => msg.clone(),
            CliError::Other(e) => format!("{e:#}"),
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            CliError::Schedule { error, .. } => error.hint.as_deref(),
            CliError::Input(_, hint) => hint.as_deref(),
            CliError::Other(_) => None,
        }
    }

    /// The expression and the 1-based column to point at, when there is one.
    pub fn snippet(&self) -> Option<(&str, usize)> {
        match self {
            CliError::Schedule { source_text: Some(s), error } => error.column.map(|c| (s.as_str(), c)),
            _ => None,
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Other(e)
    }
}

pub fn run(cli: Cli, out: &Printer) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Schedule(cmd) => schedule::run(cmd, out),
    }
}
