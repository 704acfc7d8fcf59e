//! Output: data on stdout, diagnostics on stderr, colour only on a terminal without NO_COLOR.
//!
//! With `--json` ([`Printer::json_mode`]) stdout carries exactly one JSON object, whatever
//! happens: the command's document is held until the command ends ([`Printer::finish`]) and an
//! error becomes `{"error": {...}}` beside whatever the command had to say (an apply that stopped
//! part way: its `diff` and `report`, with the `error`).

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};

use ssmpatch::input;

use crate::error::CliError;

#[derive(Debug)]
pub struct Printer {
    color_out: bool,
    color_err: bool,
    /// `--json`: the document and the error wait for [`Printer::finish`].
    json: Option<Mutex<Pending>>,
}

/// What `--json` prints at the end.
#[derive(Debug, Default)]
struct Pending {
    document: Option<Value>,
    error: Option<Value>,
}

impl Printer {
    pub fn from_env() -> Printer {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Printer {
            color_out: !no_color && std::io::stdout().is_terminal(),
            color_err: !no_color && std::io::stderr().is_terminal(),
            json: None,
        }
    }

    /// `--json`: one JSON object on stdout at [`Printer::finish`], errors included.
    pub fn json_mode(mut self, on: bool) -> Printer {
        self.json = on.then(Mutex::default);
        self
    }

    /// Prints what `--json` held back: the document, or `{"error": ...}` with the document's
    /// fields beside it when both are there. Without `--json`, nothing (all was printed).
    pub fn finish(&self) -> anyhow::Result<()> {
        let Some(pending) = &self.json else { return Ok(()) };
        let Pending { document, error } = std::mem::take(&mut *lock(pending));
        let value = match (document, error) {
            (None, None) => return Ok(()),
            (Some(d), None) => d,
            (d, Some(e)) => {
                let mut o = match d {
                    Some(Value::Object(o)) => o,
                    Some(other) => Map::from_iter([("output".to_string(), other)]),
                    None => Map::new(),
                };
                o.insert("error".into(), e);
                Value::Object(o)
            }
        };
        self.write_json(&value)
    }

    fn paint(on: bool, code: &str, s: &str) -> String {
        if on { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }

    /// Green on stdout.
    pub fn good(&self, s: &str) -> String {
        Self::paint(self.color_out, "32", s)
    }

    /// Red on stdout.
    pub fn bad(&self, s: &str) -> String {
        Self::paint(self.color_out, "31", s)
    }

    /// Dim on stdout.
    pub fn dim(&self, s: &str) -> String {
        Self::paint(self.color_out, "2", s)
    }

    /// One JSON document on stdout (with `--json`: at [`Printer::finish`]).
    pub fn json(&self, value: &serde_json::Value) -> anyhow::Result<()> {
        if let Some(pending) = &self.json {
            let mut p = lock(pending);
            debug_assert!(p.document.is_none(), "a command printed two JSON documents");
            p.document = Some(value.clone());
            return Ok(());
        }
        self.write_json(value)
    }

    fn write_json(&self, value: &serde_json::Value) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.raw(text.as_bytes())
    }

    /// Bytes on stdout, exactly.
    pub fn raw(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            // A reader that stopped early (`| head`) is not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        }
    }

    /// A line on stdout.
    pub fn line(&self, s: &str) {
        println!("{s}");
    }

    /// Every problem with its location, a caret under the spot, and its hint, on stderr. Whatever
    /// the text repeats is made safe to print here, the last stop before the terminal: headline
    /// and hint clipped with control characters escaped, the source line a window around the
    /// caret (`ssmpatch::input`). With `--json`: [`CliError::to_json`] at [`Printer::finish`]
    /// (the first error, if a command reported two).
    pub fn error(&self, err: &CliError) {
        if let Some(pending) = &self.json {
            let mut p = lock(pending);
            if p.error.is_none() {
                p.error = Some(err.to_json());
            }
            return;
        }
        let mut text = String::new();
        for d in err.diagnostics() {
            let label = Self::paint(self.color_err, "1;31", "error");
            text.push_str(&format!("{label}: {}\n", input::clip_message(&d.headline)));
            if let Some((source, column)) = &d.snippet {
                let (source, column) = input::snippet(source, *column);
                let pad: String =
                    source.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                text.push_str(&format!("  {source}\n  {pad}{}\n", Self::paint(self.color_err, "1;31", "^")));
            }
            if let Some(h) = &d.hint {
                text.push_str(&format!(
                    "{}: {}\n",
                    Self::paint(self.color_err, "1;36", "hint"),
                    input::clip_message(h)
                ));
            }
        }
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// A line on stderr (progress, notes).
    pub fn note(&self, s: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }
}

/// The pending output, even after a panic elsewhere (it holds plain data).
fn lock(m: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
