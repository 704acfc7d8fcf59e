//! Reading the raw text: lines with their positions, the payload's log prefix, and the extent of a
//! JSON or Python value that starts on one line and may span several.

/// One line of the text: its byte range without the line terminator (a `\r` before the `\n` is
/// dropped), and its 1-based number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub number: usize,
    pub start: usize,
    pub end: usize,
}

/// Split into lines. A final line without `\n` counts; an empty text has no lines.
pub(crate) fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut number = 1;
    while start < bytes.len() {
        let nl = memchr(b'\n', &bytes[start..]).map(|i| start + i);
        let raw_end = nl.unwrap_or(bytes.len());
        let end = if raw_end > start && bytes[raw_end - 1] == b'\r' { raw_end - 1 } else { raw_end };
        out.push(Line { number, start, end });
        number += 1;
        start = match nl {
            Some(i) => i + 1,
            None => bytes.len(),
        };
    }
    out
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// The level of a payload log line (`%(levelname)s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

/// A line in the payload's log format, `%(asctime)s %(name)s [%(levelname)s]: %(message)s` with
/// `%m/%d/%Y %X` dates, e.g. `12/20/2019 21:41:48 root [INFO]: ...`. AWS's published samples also
/// show the date, or the date and the logger name, left out; those are accepted too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogLine<'a> {
    pub level: Level,
    /// The message, as printed (leading and trailing spaces kept).
    pub message: &'a str,
    /// Byte offset of the message within the line.
    pub message_at: usize,
}

const LEVELS: [(&str, Level); 6] = [
    ("[INFO]:", Level::Info),
    ("[WARNING]:", Level::Warning),
    ("[ERROR]:", Level::Error),
    ("[DEBUG]:", Level::Debug),
    ("[CRITICAL]:", Level::Critical),
    ("[WARN]:", Level::Warning),
];

/// Read a line as a payload log line, if it is one.
pub(crate) fn log_line(line: &str) -> Option<LogLine<'_>> {
    // The earliest level marker on the line.
    let (at, tag, level) = LEVELS
        .iter()
        .filter_map(|(tag, level)| line.find(tag).map(|at| (at, *tag, *level)))
        .min_by_key(|(at, _, _)| *at)?;
    let prefix = &line[..at];
    if !prefix.is_empty() && !prefix.ends_with(' ') {
        return None;
    }
    let tokens: Vec<&str> = prefix.split_whitespace().collect();
    let ok = match tokens.as_slice() {
        [] => true,
        [name] => is_logger_name(name),
        [date, time] => is_date(date) && is_time(time),
        [date, time, name] => is_date(date) && is_time(time) && is_logger_name(name),
        _ => false,
    };
    if !ok {
        return None;
    }
    let mut message_at = at + tag.len();
    if line[message_at..].starts_with(' ') {
        message_at += 1;
    }
    Some(LogLine { level, message: &line[message_at..], message_at })
}

fn is_logger_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `MM/DD/YYYY`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[2] == b'/'
        && b[5] == b'/'
        && b.iter().enumerate().all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

/// `HH:MM:SS`.
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && b.iter().enumerate().all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

/// True when the line starts with a dated log prefix (`MM/DD/YYYY HH:MM:SS `): the start of a new
/// log record, which cannot be inside a JSON block.
pub(crate) fn starts_log_record(line: &str) -> bool {
    let mut it = line.splitn(3, ' ');
    matches!((it.next(), it.next(), it.next()), (Some(d), Some(t), Some(_)) if is_date(d) && is_time(t))
}

/// The SSM Agent appends this line when it truncates a plugin's output.
pub(crate) const AGENT_TRUNCATED_MARKER: &str = "---Output truncated---";
/// The SSM Agent puts this line between a plugin's stdout and its stderr.
pub(crate) const AGENT_STDERR_MARKER: &str = "----------ERROR-------";

/// How a bracketed value that starts at a given offset ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Closed; the byte offset just past the closing bracket.
    Closed(usize),
    /// The text (or the plugin's stdout) ends first: the value was cut.
    Unterminated,
    /// A new log record starts (at this byte offset) before the value is closed.
    Interrupted(usize),
}

/// Which string quotes the value's syntax has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// JSON (`json.dumps`): `"` strings.
    Json,
    /// Python `repr`: `'` and `"` strings.
    Python,
}

/// Find where the value starting with `{` or `[` at `start` ends, following nesting and strings.
///
/// Scanning stops without closing at the end of the text, at the agent's truncation or stderr
/// marker lines (the plugin's stdout ends there), or at a new dated log record.
pub(crate) fn extent(text: &str, start: usize, syntax: Syntax) -> Extent {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            // A string never spans lines in either syntax; end it so noise cannot run on.
            quote = None;
            let rest = &text[i + 1..];
            let next = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
            if next.trim() == AGENT_TRUNCATED_MARKER || next.trim() == AGENT_STDERR_MARKER {
                return Extent::Unterminated;
            }
            if starts_log_record(next) {
                return Extent::Interrupted(i + 1);
            }
            i += 1;
            continue;
        }
        if let Some(q) = quote {
            if c == b'\\' {
                // Skip the escaped character, but never the end of the line.
                i += if bytes.get(i + 1) == Some(&b'\n') { 1 } else { 2 };
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => quote = Some(c),
            b'\'' if syntax == Syntax::Python => quote = Some(c),
            b'{' | b'[' => depth += 1,
            b'(' if syntax == Syntax::Python => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Extent::Closed(i + 1);
                }
            }
            b')' if syntax == Syntax::Python => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Extent::Closed(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Extent::Unterminated
}

/// The 1-based line number of a byte offset.
pub(crate) fn line_of(lines: &[Line], offset: usize) -> usize {
    match lines.binary_search_by(|l| l.start.cmp(&offset)) {
        Ok(i) => lines[i].number,
        Err(0) => 1,
        Err(i) => lines[i - 1].number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_drop_cr_and_count_from_one() {
        let t = "a\r\nb\n\nc";
        let l = lines(t);
        let texts: Vec<&str> = l.iter().map(|x| &t[x.start..x.end]).collect();
        assert_eq!(texts, ["a", "b", "", "c"]);
        assert_eq!(l[3].number, 4);
        assert!(lines("").is_empty());
    }

    #[test]
    fn log_prefixes() {
        let l = log_line("12/20/2019 21:41:48 root [INFO]: another process").unwrap();
        assert_eq!(l.level, Level::Info);
        assert_eq!(l.message, "another process");
        assert_eq!(log_line("root [WARNING]: x").unwrap().level, Level::Warning);
        assert_eq!(log_line("[ERROR]: Error loading entrance module.").unwrap().message, "Error loading entrance module.");
        assert_eq!(log_line("10/17/2022 16:17:45 root [INFO]:  Instance is Compliant ").unwrap().message, " Instance is Compliant ");
        assert!(log_line("some text [INFO]: x").is_none());
        assert!(log_line("root[INFO]: x").is_none());
        assert!(log_line("12/20/2019 21:41:48 root [BASELINE OVERRIDE]: x").is_none());
    }

    #[test]
    fn extents() {
        let t = "x {\"a\": \"}\", \"b\": [1, 2]} tail";
        assert_eq!(extent(t, 2, Syntax::Json), Extent::Closed(t.len() - 5));
        assert_eq!(extent("{'a': '}'}", 0, Syntax::Python), Extent::Closed(10));
        assert_eq!(extent("[\n  {\n", 0, Syntax::Json), Extent::Unterminated);
        let t = "[\n  {\n12/20/2019 21:41:48 root [INFO]: x\n";
        assert_eq!(extent(t, 0, Syntax::Json), Extent::Interrupted(6));
        assert_eq!(extent("[\n  {\n---Output truncated---\n", 0, Syntax::Json), Extent::Unterminated);
    }
}
