//! `ssmpatch completions SHELL` — a completion script for the shell, made from the same argument
//! definitions the binary parses with (clap_complete).

use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: CompletionsArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, name, &mut script);
    out.raw(&script)?;
    Ok(ExitCode::SUCCESS)
}
