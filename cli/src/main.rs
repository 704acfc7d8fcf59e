//! `ssmpatch`: schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! Exit codes: 0 success; 1 the answer is "no" (a backend rejects a schedule); 2 bad input or
//! usage (an invalid expression or plan); 3 an AWS or I/O failure.

mod args;
mod commands;
mod printer;

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
