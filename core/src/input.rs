//! What ssmpatch reads from outside and gives back in messages: files are read up to a limit
//! ([`read_file`], [`read_from`]), and values echoed in messages are clipped and escaped
//! ([`echo`], [`clip_message`], [`snippet`]) — one place for both, used by every reader and every
//! message that repeats what a user wrote.
//!
//! A plan error used to repeat a 50 MB value twice (message and source line), and control
//! characters (NUL, ESC, U+202E) reached the terminal raw; `validate /dev/zero` read until memory
//! ran out.

use std::io::Read;
use std::path::Path;

/// The largest plan file ssmpatch reads: 1 MiB. A plan is a few KB of TOML or JSON; the biggest
/// legitimate one (50 operations, long patch lists: AWS allows 50 approved and 50 rejected patches
/// of at most 100 characters per baseline) stays far below. Anything longer is not a plan.
pub const PLAN_FILE_LIMIT: u64 = 1 << 20;

/// The largest run output (one node's stdout, or a strategy's run file) ssmpatch reads: 16 MiB.
/// `GetCommandInvocation` keeps only 24,000 characters; the complete text is the S3 output object,
/// which AWS does not bound. AWS-RunPatchBaseline prints a few KB of log lines plus about 300
/// bytes per non-compliant package in its override blocks, and the package manager's own log:
/// even thousands of packages with a verbose yum or apt log stay in the low MB, so 16 MiB leaves a
/// wide margin while keeping a runaway object or `/dev/zero` from exhausting memory.
pub const OUTPUT_FILE_LIMIT: u64 = 16 << 20;

/// The largest strategy component file ssmpatch reads: 64 MiB. The built-in strategies are about
/// 70 KB and a component with the whole Rust standard library a few MB; a larger file is not a
/// strategy worth compiling (and `/dev/zero` or a FIFO given as a strategy ends here).
pub const COMPONENT_FILE_LIMIT: u64 = 64 << 20;

/// Most characters of a value [`echo`] shows.
pub const ECHO_MAX_CHARS: usize = 120;

/// Most characters of a whole message [`clip_message`] keeps (the head and the tail).
pub const MESSAGE_MAX_CHARS: usize = 2_000;

/// Most characters of a source line [`snippet`] shows around the column it points at.
pub const SNIPPET_MAX_CHARS: usize = 120;

/// A file that could not be read, or is not what ssmpatch reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The operating system refused (no such file, a directory, no permission…).
    #[error("cannot read {what} `{}`: {source}", echo(name))]
    Io {
        /// What the file was to be (`plan`, `output file`).
        what: &'static str,
        /// The name as given.
        name: String,
        /// Why.
        source: std::io::Error,
    },
    /// Longer than the limit (read no further than one byte past it).
    #[error("{what} `{}` is larger than {}, the most ssmpatch reads for {} {what}", echo(name), size(*limit), article(what))]
    TooLarge {
        /// What the file was to be.
        what: &'static str,
        /// The name as given.
        name: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Not UTF-8 text.
    #[error("{what} `{}` is not UTF-8 text (invalid byte at offset {offset})", echo(name))]
    NotText {
        /// What the file was to be.
        what: &'static str,
        /// The name as given.
        name: String,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

impl ReadError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self.what() {
            "plan" => format!("give the path of a plan file (TOML or JSON, at most {})", size(PLAN_FILE_LIMIT)),
            "run file" => format!(
                "give a JSON file of runs (see examples/strategy-run.json), at most {}",
                size(OUTPUT_FILE_LIMIT)
            ),
            _ => format!(
                "give one node's stdout of the PatchLinux / PatchWindows step (GetCommandInvocation, or the S3 output \
                 object), at most {}",
                size(OUTPUT_FILE_LIMIT)
            ),
        }
    }

    /// What is wrong, without the file's name (for messages that name it already).
    pub fn reason(&self) -> String {
        match self {
            ReadError::Io { what, source, .. } => format!("cannot read the {what}: {source}"),
            ReadError::TooLarge { what, limit, .. } => {
                format!(
                    "the {what} is larger than {}, the most ssmpatch reads for {} {what}",
                    size(*limit),
                    article(what)
                )
            }
            ReadError::NotText { what, offset, .. } => {
                format!("the {what} is not UTF-8 text (invalid byte at offset {offset})")
            }
        }
    }

    fn what(&self) -> &'static str {
        match self {
            ReadError::Io { what, .. } | ReadError::TooLarge { what, .. } | ReadError::NotText { what, .. } => what,
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// `1 MiB`, `16 MiB`, `512 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a text file of at most `limit` bytes; `what` names it in errors (`plan`, `output file`).
/// Works for anything that can be opened and read (a FIFO, `/dev/stdin`, `/dev/zero`): nothing
/// past `limit + 1` bytes is read.
pub fn read_file(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { what, name: name.clone(), source })?;
    read_from(file, &name, limit, what)
}

/// [`read_file`] for a binary file (a WebAssembly component).
pub fn read_file_bytes(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { what, name: name.clone(), source })?;
    read_bytes(file, &name, limit, what)
}

fn read_bytes(reader: impl Read, name: &str, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|source| ReadError::Io {
        what,
        name: name.to_string(),
        source,
    })?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { what, name: name.to_string(), limit });
    }
    Ok(bytes)
}

/// Reads text of at most `limit` bytes from `reader` (e.g. stdin), named `name` in errors.
pub fn read_from(reader: impl Read, name: &str, limit: u64, what: &'static str) -> Result<String, ReadError> {
    let bytes = read_bytes(reader, name, limit, what)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotText {
        what,
        name: name.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Characters a terminal would act on instead of showing: C0/C1 controls and DEL, and the
/// invisible format characters that reorder or hide text (bidirectional overrides and isolates
/// such as U+202E, zero-width characters, the byte order mark).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// A value as a message repeats it: hidden characters escaped (`\u{1b}`, `\n`), and at most
/// [`ECHO_MAX_CHARS`] characters, followed by `… (N characters)` when there were more.
pub fn echo(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == ECHO_MAX_CHARS {
            out.push_str(&format!("… ({} characters)", value.chars().count()));
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

/// A whole message made safe to print, whatever it repeats: hidden characters other than line
/// breaks escaped, and at most [`MESSAGE_MAX_CHARS`] characters (head and tail kept, the middle
/// left out with a count). The last line of defence for text built elsewhere (a parser's
/// message, an AWS error).
pub fn clip_message(text: &str) -> String {
    let total = text.chars().count();
    let keep = |out: &mut String, s: &mut dyn Iterator<Item = char>| {
        for c in s {
            if c == '\n' { out.push(c) } else { push_escaped(out, c) }
        }
    };
    let mut out = String::new();
    if total <= MESSAGE_MAX_CHARS {
        keep(&mut out, &mut text.chars());
        return out;
    }
    let head = MESSAGE_MAX_CHARS * 3 / 4;
    let tail = MESSAGE_MAX_CHARS - head;
    keep(&mut out, &mut text.chars().take(head));
    out.push_str(&format!(" …({} characters left out)… ", total - head - tail));
    keep(&mut out, &mut text.chars().skip(total - tail));
    out
}

/// A source line to show under a message, and the 1-based column of the caret in it: at most
/// [`SNIPPET_MAX_CHARS`] characters around `column` (with `…` where the line goes on), hidden
/// characters escaped (tabs kept, so the caret lines up).
pub fn snippet(line: &str, column: usize) -> (String, usize) {
    let total = line.chars().count();
    let column = column.clamp(1, total + 1);
    let (start, end) = if total <= SNIPPET_MAX_CHARS {
        (0, total)
    } else {
        let start = column.saturating_sub(1 + SNIPPET_MAX_CHARS / 3).min(total - SNIPPET_MAX_CHARS);
        (start, start + SNIPPET_MAX_CHARS)
    };
    let mut out = String::new();
    let mut caret = None;
    if start > 0 {
        out.push('…');
    }
    for (i, c) in line.chars().enumerate().skip(start).take(end - start) {
        if i + 1 == column {
            caret = Some(out.chars().count() + 1);
        }
        if c == '\t' { out.push(c) } else { push_escaped(&mut out, c) }
    }
    let caret = caret.unwrap_or(out.chars().count() + 1);
    if end < total {
        out.push('…');
    }
    (out, caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_clips_and_escapes() {
        assert_eq!(echo("web-monthly"), "web-monthly");
        assert_eq!(echo("a\u{1b}[31mb\u{202e}c\0"), "a\\u{1b}[31mb\\u{202e}c\\u{0}");
        let long = "x".repeat(1000);
        assert_eq!(echo(&long), format!("{}… (1000 characters)", "x".repeat(ECHO_MAX_CHARS)));
    }

    #[test]
    fn messages_keep_head_tail_and_line_breaks() {
        assert_eq!(clip_message("a\nb\u{7}"), "a\nb\\u{7}");
        let m = format!("head {} tail", "y".repeat(10_000));
        let c = clip_message(&m);
        assert!(c.starts_with("head ") && c.ends_with(" tail") && c.contains("characters left out"), "{c}");
        assert!(c.chars().count() < MESSAGE_MAX_CHARS + 50);
    }

    #[test]
    fn snippets_window_around_the_column() {
        assert_eq!(snippet("name = \"x\"", 8), ("name = \"x\"".to_string(), 8));
        let line = format!("name = \"{}\"", "a".repeat(1_000));
        let (s, c) = snippet(&line, 8);
        assert_eq!(s.chars().nth(c - 1), Some('"'));
        assert!(s.ends_with('…') && s.chars().count() <= SNIPPET_MAX_CHARS + 2);
        let (s, c) = snippet(&line, 900);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(s.chars().nth(c - 1), Some('a'));
        let (s, c) = snippet("a\u{1b}b", 3);
        assert_eq!((s.as_str(), c), ("a\\u{1b}b", 8));
    }

    #[test]
    fn reads_stop_past_the_limit() {
        let e = read_from(std::io::repeat(0), "/dev/zero", 1024, "plan").expect_err("endless");
        assert!(matches!(e, ReadError::TooLarge { limit: 1024, .. }), "{e}");
        assert_eq!(e.to_string(), "plan `/dev/zero` is larger than 1 KiB, the most ssmpatch reads for a plan");
        assert_eq!(read_from(&b"abc"[..], "x", 3, "plan").expect("at the limit"), "abc");
        let e = read_from(&b"a\xffb"[..], "x", 3, "plan").expect_err("not utf-8");
        assert!(matches!(e, ReadError::NotText { offset: 1, .. }), "{e}");
    }
}
