//! `ssmpatch man [--dir DIR]` — the manual page (roff, clap_mangen) of the command, or one page
//! per command written into a directory: `ssmpatch.1`, `ssmpatch-schedule.1`,
//! `ssmpatch-schedule-next.1`, … The committed `docs/man/` is `ssmpatch man --dir docs/man`
//! (a test checks it is current).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use crate::args::{Cli, ManArgs};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: ManArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let cmd = command();
    let Some(dir) = a.dir else {
        out.raw(&render(cmd)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Input(format!("cannot create {}: {e}", dir.display()), None))?;
    let mut written = Vec::new();
    write_pages(cmd, &dir, &mut written)?;
    for path in &written {
        out.line(&path.display().to_string());
    }
    // A page of a command that no longer exists would stay behind and mislead: said, not deleted
    // (the directory is the user's).
    let names: Vec<&std::ffi::OsStr> = written.iter().filter_map(|p| p.file_name()).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut stale: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| {
                let s = n.to_string_lossy();
                s.starts_with("ssmpatch") && s.ends_with(".1") && !names.contains(&n.as_os_str())
            })
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        stale.sort();
        for s in stale {
            out.note(&format!(
                "note: {} is not a page of this ssmpatch (no such command): remove it",
                dir.join(s).display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The command tree as the pages show it: without clap's `help` subcommand (every page has
/// `--help`), built so that each subcommand knows its full name (`ssmpatch-schedule-next`).
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// clap_mangen's page, with the `Examples:` block of `--help` as an EXAMPLES section set line
/// for line (no filling: the commands stay as typed) before VERSION, and `ssmpatch VERSION` as
/// every page's source.
fn render(cmd: clap::Command) -> Result<Vec<u8>, CliError> {
    let failed = |e: std::io::Error| CliError::Other(anyhow::anyhow!("cannot render the manual page: {e}"));
    let examples = cmd.get_after_help().map(|s| s.to_string());
    let source = format!("ssmpatch {}", cmd.get_version().unwrap_or_default());
    let mut page = Vec::new();
    Man::new(cmd.after_help(None::<&str>)).source(source).render(&mut page).map_err(failed)?;
    let Some(examples) = examples else { return Ok(page) };
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]).control("nf", []);
    for line in examples.lines().skip_while(|l| l.trim_end().ends_with(':')) {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    let section = roff.render();
    // roff's preamble (the `Aq` string for apostrophes) is already at the top of the page.
    let section = section.split_once(".el .ds Aq '\n").map_or(section.as_str(), |(_, rest)| rest);
    let page = String::from_utf8(page).map_err(|e| CliError::Other(e.into()))?;
    let at = page.find("\n.SH VERSION\n").map_or(page.len(), |i| i + 1);
    Ok(format!("{}{section}{}", &page[..at], &page[at..]).into_bytes())
}

/// `cmd`'s page and, depth first, every visible subcommand's, into `dir`.
fn write_pages(cmd: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let path = dir.join(format!("{}.1", cmd.get_display_name().unwrap_or_else(|| cmd.get_name())));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, written)?;
    }
    std::fs::write(&path, render(cmd)?)
        .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display()), None))?;
    written.push(path);
    Ok(())
}
