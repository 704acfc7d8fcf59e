//! Output: data on stdout, diagnostics on stderr, colour only on a terminal without NO_COLOR.

use std::io::{IsTerminal, Write};

use ssmpatch::input;

use crate::error::CliError;

#[derive(Debug)]
pub struct Printer {
    color_out: bool,
    color_err: bool,
}

impl Printer {
    pub fn from_env() -> Printer {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Printer {
            color_out: !no_color && std::io::stdout().is_terminal(),
            color_err: !no_color && std::io::stderr().is_terminal(),
        }
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

    /// One JSON document on stdout.
    pub fn json(&self, value: &serde_json::Value) -> anyhow::Result<()> {
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
    /// caret (`ssmpatch::input`).
    pub fn error(&self, err: &CliError) {
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
