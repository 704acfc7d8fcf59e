//! `ssmpatch`: schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
//!
//! Exit codes: see [`error`] (0 success; 1 the answer is "no"; 2 invalid input; 3 an AWS or I/O
//! failure). With `--json`, every error is one JSON object on stdout, the command line's own
//! included (an unknown flag, a missing or bad argument): see [`error::CliError::to_json`].

mod args;
mod commands;
mod context;
mod error;
mod examples;
mod printer;
mod render;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::error::{CliError, Usage};

/// mimalloc for the CLI: refresh and status make thousands of SDK calls, each allocating request
/// and response structures; glibc's allocator was an eighth of refresh's CPU (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let raw: Vec<OsString> = std::env::args_os().collect();
    let parsed = args::Cli::command().try_get_matches_from(&raw).and_then(|mut m| {
        // Read before `from_arg_matches_mut`, which takes the values out.
        let json = json_flag(&m);
        args::Cli::from_arg_matches_mut(&mut m).map(|cli| (cli, json))
    });
    let (cli, json) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return usage_error(&e, &raw),
    };
    let out = printer::Printer::from_env().json_mode(json);
    let code = match commands::run(cli, &out) {
        Ok(code) => code,
        Err(err) => {
            out.error(&err);
            ExitCode::from(err.exit_code())
        }
    };
    let _ = out.finish();
    code
}

/// Whether the command given has `--json` set (the flag belongs to each command that has it).
fn json_flag(m: &ArgMatches) -> bool {
    let mut m = m;
    loop {
        if let Ok(Some(true)) = m.try_get_one::<bool>("json") {
            return true;
        }
        match m.subcommand() {
            Some((_, sub)) => m = sub,
            None => return false,
        }
    }
}

/// clap could not parse the command line. `--help` and `--version` print as usual; an error
/// becomes one JSON object on stdout when `--json` is anywhere among the arguments (before a
/// `--`), else clap prints it. Either way the exit code is clap's (2 for a usage error).
fn usage_error(e: &clap::Error, raw: &[OsString]) -> ExitCode {
    let wants_json = raw
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json" || a.to_str().is_some_and(|a| a.starts_with("--json=")));
    let help = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if !wants_json || help {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(error::INVALID_INPUT));
    }
    let err = CliError::Usage(Box::new(Usage::from_clap(e)));
    let out = printer::Printer::from_env().json_mode(true);
    out.error(&err);
    let _ = out.finish();
    ExitCode::from(err.exit_code())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use crate::args::Cli;

    #[test]
    fn the_argument_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// The words of an example's command line as a shell would pass them: '…' and "…" quoted,
    /// up to the first unquoted redirection or pipe.
    fn words(line: &str) -> Vec<String> {
        let (mut words, mut word, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (None, '>' | '<' | '|' | ';' | '&') => break,
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        assert!(quote.is_none(), "unbalanced quotes in `{line}`");
        if in_word {
            words.push(word);
        }
        words
    }

    #[test]
    fn words_split_as_a_shell_does() {
        assert_eq!(words("$ ssmpatch a 'b c' \"d\" > f | g"), ["$", "ssmpatch", "a", "b c", "d"]);
        assert_eq!(words("x ''"), ["x", ""]);
    }

    /// Every `$ ssmpatch …` line of every command's Examples parses with the real argument
    /// definitions (required arguments, value parsers and all), and is about that command.
    #[test]
    fn every_example_is_a_valid_command_line_of_its_command() {
        fn walk(cmd: &clap::Command, path: &mut Vec<String>, checked: &mut usize) {
            let help = cmd.get_after_help().map(|s| s.to_string()).unwrap_or_default();
            let examples: Vec<&str> = help.lines().filter(|l| l.trim_start().starts_with("$ ssmpatch")).collect();
            assert!(!examples.is_empty(), "`ssmpatch {}` has no `$ ssmpatch …` example", path.join(" "));
            for line in examples {
                let args = words(line.trim_start().trim_start_matches("$ "));
                assert!(args[1..].starts_with(path), "`{line}` is not an example of `ssmpatch {}`", path.join(" "));
                if let Err(e) = Cli::command().try_get_matches_from(&args) {
                    panic!("the example `{line}` does not parse:\n{e}");
                }
                *checked += 1;
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                path.push(sub.get_name().to_string());
                walk(sub, path, checked);
                path.pop();
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut checked = 0;
        walk(&cmd, &mut Vec::new(), &mut checked);
        assert!(checked > 30, "{checked} examples");
    }
}
