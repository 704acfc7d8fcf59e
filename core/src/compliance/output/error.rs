//! Errors for run output: what is wrong, where (line and a snippet of it), and what to do.

use std::fmt;

/// What kind of problem an [`OutputError`] is, for callers that act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputErrorKind {
    /// Nothing in the text looks like the output of AWS-RunPatchBaseline.
    NotRecognized,
    /// The run failed on the node before it reported a patch result (the payload or module could
    /// not be downloaded, the package manager was locked, Windows Update failed, ...).
    RunFailed,
    /// The output stops before the patch result, with no error and no sign of truncation (a
    /// command still in progress, or a copied fragment).
    Incomplete,
    /// The output was cut (GetCommandInvocation keeps only its first 24,000 characters) before
    /// anything usable; or a caller asked for a complete report and the output was cut.
    Truncated,
    /// A result block is there but cannot be read: bad JSON, a missing or mistyped key.
    Malformed,
    /// The output contradicts itself (two instance ids, a summary that does not match the list).
    Inconsistent,
    /// The output is in a form ssmpatch does not read because AWS does not document it (the
    /// per-update results of Windows runs).
    Unsupported,
    /// The run did not print per-package results: it was a normal run (no `BaselineOverride`),
    /// and AWS recorded its compliance itself.
    NoPackageList,
}

impl OutputErrorKind {
    /// The kebab-case name, e.g. `run-failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputErrorKind::NotRecognized => "not-recognized",
            OutputErrorKind::RunFailed => "run-failed",
            OutputErrorKind::Incomplete => "incomplete",
            OutputErrorKind::Truncated => "truncated",
            OutputErrorKind::Malformed => "malformed",
            OutputErrorKind::Inconsistent => "inconsistent",
            OutputErrorKind::Unsupported => "unsupported",
            OutputErrorKind::NoPackageList => "no-package-list",
        }
    }
}

impl fmt::Display for OutputErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// AWS-RunPatchBaseline output that ssmpatch cannot turn into a report, located in the text.
///
/// `line` is 1-based and counts lines of the text as given (`\n`, `\r\n` and a lone `\r` at the end of
/// a line all end one line); `snippet` is that line, shortened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OutputError {
    /// What kind of problem this is.
    pub kind: OutputErrorKind,
    /// What is wrong, as a lowercase phrase.
    pub message: String,
    /// 1-based line the problem is on, when it has one.
    pub line: Option<usize>,
    /// The text of that line (shortened to 120 characters).
    pub snippet: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// Longest snippet kept, in characters.
const SNIPPET_MAX: usize = 120;

impl OutputError {
    pub(crate) fn new(kind: OutputErrorKind, message: impl Into<String>) -> Self {
        OutputError { kind, message: message.into(), line: None, snippet: None, hint: None }
    }

    /// Locate at a 1-based line whose text is `text`.
    pub(crate) fn at(mut self, line: usize, text: &str) -> Self {
        self.line = Some(line);
        self.snippet = Some(snippet(text));
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The first line: the message with its location, without the hint.
    pub fn headline(&self) -> String {
        match (self.line, &self.snippet) {
            (Some(l), Some(s)) => format!("{} (line {l}: `{s}`)", self.message),
            (Some(l), None) => format!("{} (line {l})", self.message),
            _ => self.message.clone(),
        }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

/// A line shortened for a message: trimmed, at most [`SNIPPET_MAX`] characters, `…` when cut.
pub(crate) fn snippet(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= SNIPPET_MAX {
        return t.to_string();
    }
    let mut s: String = t.chars().take(SNIPPET_MAX - 1).collect();
    s.push('…');
    s
}
