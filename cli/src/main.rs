//! `ssmpatch`: schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! Exit codes: see [`error`] (0 success; 1 the answer is "no"; 2 invalid input; 3 an AWS or I/O
//! failure).

mod args;
mod commands;
mod context;
mod error;
mod printer;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let out = printer::Printer::from_env();
    match commands::run(cli, &out) {
        Ok(code) => code,
        Err(err) => {
            out.error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
