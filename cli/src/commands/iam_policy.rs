//! `ssmpatch iam-policy PLAN [--for COMMAND]... [--node]` — the least-privilege IAM policies the
//! plan needs (offline): the caller's, per command, or the managed nodes' instance profile.

use std::process::ExitCode;

use ssmpatch::backends::{IamCommand, PolicyOptions};

use crate::args::IamPolicyArgs;
use crate::context::{load, options, plan_error};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: IamPolicyArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan.plan)?;
    let ex = plan.explain(&options(&a.plan)).map_err(|e| plan_error(&plan, e))?;
    let mut opts = PolicyOptions::new(&plan);
    if !a.commands.is_empty() && !a.commands.iter().any(|c| c == "all") {
        let commands = a
            .commands
            .iter()
            .map(|c| c.parse::<IamCommand>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CliError::Input(e, None))?;
        opts = opts.commands(&commands);
    }
    if let Some(p) = a.partition {
        if !p.starts_with("aws") || p.contains(|c: char| !(c.is_ascii_lowercase() || c == '-')) {
            return Err(CliError::Input(
                format!("`{}` is not an AWS partition (aws, aws-cn, aws-us-gov, …)", ssmpatch::input::echo(&p)),
                None,
            ));
        }
        opts.partition = p;
    }
    if let Some(acct) = a.account {
        if acct.len() != 12 || !acct.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CliError::Input(
                format!("`{}` is not an AWS account id (12 digits)", ssmpatch::input::echo(&acct)),
                None,
            ));
        }
        opts.account = acct;
    }
    if a.node {
        match ssmpatch::backends::node_policy(&plan, ex.backend, &opts) {
            Some(policy) => out.json(&policy)?,
            None => {
                out.note("the plan's runs need nothing on the nodes beyond AmazonSSMManagedInstanceCore");
                return Ok(ExitCode::SUCCESS);
            }
        }
        out.note("attach this beside the AWS managed policy AmazonSSMManagedInstanceCore to the nodes' instance-profile role");
        return Ok(ExitCode::SUCCESS);
    }
    out.json(&ssmpatch::backends::iam_policy(&plan, ex.backend, &opts))?;
    Ok(ExitCode::SUCCESS)
}
