//! `ssmpatch output parse FILE` — what AWS-RunPatchBaseline printed, as data.

use std::process::ExitCode;

use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, parse as parse_output};

use crate::args::OutputParseArgs;
use crate::error::CliError;
use crate::printer::Printer;

pub fn parse(a: OutputParseArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let name = a.file.display().to_string();
    let read = if name == "-" {
        input::read_from(std::io::stdin().lock(), "stdin", input::OUTPUT_FILE_LIMIT, "output file")
    } else {
        input::read_file(&a.file, input::OUTPUT_FILE_LIMIT, "output file")
    };
    let text = read.map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
    let source = if a.from_invocation { OutputSource::Invocation } else { OutputSource::Complete };
    let r = parse_output(&text, source).map_err(|e| CliError::Input(format!("{name}: {e}"), Some(e.hint.clone())))?;
    if a.json {
        out.json(&serde_json::to_value(&r).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let op = r.operation.map(|o| format!("{o:?}")).unwrap_or_else(|| "unknown operation".into());
    out.line(&format!(
        "{} {op}{}: {}",
        r.instance_id.as_deref().unwrap_or("(no instance id)"),
        if r.details.baseline_override { " with BaselineOverride" } else { "" },
        if r.all_compliant {
            out.good("all compliant")
        } else {
            out.bad(&format!("{} non-compliant package(s)", r.non_compliant.len()))
        }
    ));
    for p in &r.non_compliant {
        out.line(&format!(
            "  {}  {}  {}",
            p["Title"].as_str().or(p["Id"].as_str()).unwrap_or("?"),
            p["PatchState"].as_str().unwrap_or(""),
            out.dim(p["PatchSeverity"].as_str().unwrap_or(""))
        ));
    }
    if !r.details.other_runs.is_empty() {
        let lines: Vec<String> = r.details.other_runs.iter().map(usize::to_string).collect();
        out.note(&format!(
            "note: the output holds {} more run(s) of this node (from line {}); shown is the last complete one",
            lines.len(),
            lines.join(", ")
        ));
    }
    for u in &r.details.unsupported {
        out.note(&format!("note: not readable: {u}"));
    }
    if r.truncated {
        out.note(
            "warning: the output is truncated; read the complete output from S3 before writing compliance from it",
        );
    }
    Ok(ExitCode::SUCCESS)
}
