//! One module per command, named after what the user types; each returns an exit code or a
//! [`CliError`].

mod apply;
mod calendar;
mod completions;
mod explain;
mod iam_policy;
mod man;
mod output;
mod override_render;
mod plan;
mod refresh;
mod schedule;
mod schema;
mod status;
mod strategy;
mod strategy_new;
mod validate;

use std::process::ExitCode;

use crate::args::{Cli, Command, OutputCommand, OverrideCommand, StrategyCommand};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(cli: Cli, out: &Printer) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Schedule(cmd) => schedule::run(cmd, out),
        Command::Validate(a) => validate::run(a, out),
        Command::Explain(a) => explain::run(a, out),
        Command::Calendar(a) => calendar::run(a, out),
        Command::Override(OverrideCommand::Render(a)) => override_render::run(a, out),
        Command::Schema => schema::run(out),
        Command::Plan(a) => plan::run(a, out),
        Command::Apply(a) => apply::run(a, out, false),
        Command::Destroy(a) => apply::run(a, out, true),
        Command::IamPolicy(a) => iam_policy::run(a, out),
        Command::Output(OutputCommand::Parse(a)) => output::parse(a, out),
        Command::Strategy(StrategyCommand::List) => strategy::list(out),
        Command::Strategy(StrategyCommand::Test(a)) => strategy::test(a, out),
        Command::Strategy(StrategyCommand::New(a)) => strategy_new::new(a, out),
        Command::Refresh(a) => refresh::run(a, out),
        Command::Status(a) => status::run(a, out),
        Command::Completions(a) => completions::run(a, out),
        Command::Man(a) => man::run(a, out),
    }
}
