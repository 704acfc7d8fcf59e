//! Parsing what `AWS-RunPatchBaseline` printed (aws-facts §3).
//!
//! Linux (payload 1.80, the contract): log lines `<mm/dd/yyyy HH:MM:SS> root [LEVEL]: <message>`;
//! with a BaselineOverride, the only per-package results are the blocks
//! `[BASELINE OVERRIDE]: Summary: {JSON}` and `[BASELINE OVERRIDE]: Non Compliant Packages: [JSON]`
//! (or `[BASELINE OVERRIDE]: All Packages are Compliant.`), each JSON spanning several lines;
//! normal runs print ` Instance is Compliant ` / ` Instance is Non-Compliant with severity of X `
//! and a python-repr `Summary: {...}`. Windows prints a `Patch Summary for <node>` property list;
//! its override output is not documented, and the report says so.
//!
//! `GetCommandInvocation` keeps only the first 24,000 characters of stdout: text of that length
//! from there, or any JSON block cut short, is reported `truncated` and must never be used as a
//! complete report. The prefixes above are UNCONFIRMED for payload versions after 1.80; they are
//! the constants below.

use serde::Serialize;
use serde_json::{Map, Value};

/// Characters `GetCommandInvocation.StandardOutputContent` keeps (botocore).
pub const INVOCATION_OUTPUT_LIMIT: usize = 24_000;

const OVERRIDE_SUMMARY: &str = "[BASELINE OVERRIDE]: Summary: ";
const OVERRIDE_PACKAGES: &str = "[BASELINE OVERRIDE]: Non Compliant Packages: ";
const OVERRIDE_ALL_COMPLIANT: &str = "[BASELINE OVERRIDE]: All Packages are Compliant.";
const COMPLIANT: &str = " Instance is Compliant ";
const NON_COMPLIANT: &str = " Instance is Non-Compliant with severity of ";
const WINDOWS_SUMMARY: &str = "Patch Summary for";

/// Where the text came from, which decides whether its length means truncation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputSource {
    /// `GetCommandInvocation.StandardOutputContent` (cut at 24,000 characters).
    Invocation,
    /// The complete stdout (the S3 output object, or a file).
    Complete,
}

/// The operation the run performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum RunOperation {
    /// `Scan`.
    Scan,
    /// `Install`.
    Install,
}

/// What one node's run printed, as the CLI contract shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// `Instance Id:` line.
    pub instance_id: Option<String>,
    /// `Scan` or `Install`.
    pub operation: Option<RunOperation>,
    /// The summary object exactly as printed (keys and string values kept).
    pub summary: Map<String, Value>,
    /// The non-compliant package objects exactly as printed.
    pub non_compliant: Vec<Value>,
    /// True when the run reported every package compliant.
    pub all_compliant: bool,
    /// True when the text is (or may be) cut short: never write compliance from it.
    pub truncated: bool,
    /// Details beyond the contract.
    #[serde(skip)]
    pub details: Details,
}

/// More of what the run printed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    /// The run used a BaselineOverride (its results are only in stdout).
    pub baseline_override: bool,
    /// `Non-Compliant with severity of X`.
    pub non_compliant_severity: Option<String>,
    /// The reboot decision line, e.g. `Reboot is not required`.
    pub reboot: Option<String>,
    /// `linux` or `windows`.
    pub platform: &'static str,
    /// What this output holds that ssmpatch cannot read (e.g. Windows per-package results).
    pub unsupported: Vec<String>,
    /// `[ERROR]` log lines.
    pub errors: Vec<String>,
    /// Lines inside a JSON block that are not part of it (another process's output interleaved
    /// with the payload's on a real host), left out of the block: 1-based line numbers.
    pub foreign_lines: Vec<usize>,
}

/// Output that is not a readable AWS-RunPatchBaseline report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}){}", self.snippet.as_deref().map(|s| format!(": `{s}`")).unwrap_or_default())]
pub struct OutputError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// The start of that line.
    pub snippet: Option<String>,
    /// What to do.
    pub hint: String,
}

fn snippet(line: &str) -> Option<String> {
    let s: String = line.chars().take(80).collect();
    (!s.is_empty()).then_some(s)
}

/// The message part of a payload log line (`… root [INFO]: message`), or the line itself.
fn message(line: &str) -> &str {
    match line.find("]: ") {
        Some(i) if line[..i].contains(" [") => &line[i + 3..],
        _ => line,
    }
}

/// Where a JSON value's brackets stand, fed piece by piece (string-aware).
#[derive(Default)]
struct Brackets {
    depth: i32,
    in_str: bool,
    esc: bool,
}

impl Brackets {
    /// Feeds `piece`; the byte just after the bracket that closes the value, if it is in `piece`.
    fn feed(&mut self, piece: &str) -> Option<usize> {
        for (i, &b) in piece.as_bytes().iter().enumerate() {
            if self.in_str {
                match (self.esc, b) {
                    (true, _) => self.esc = false,
                    (false, b'\\') => self.esc = true,
                    (false, b'"') => self.in_str = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// The JSON value starting at byte `start` of `text`, up to its matching bracket (string-aware).
/// `None` when the text ends first (truncated).
#[cfg(test)]
fn balanced(text: &str, start: usize) -> Option<&str> {
    Brackets::default().feed(&text[start..]).map(|end| &text[start..start + end])
}

/// Whether a line inside a pretty-printed JSON block can belong to it. The payload prints its
/// blocks with one key, bracket or string per line, so every line of the block starts (after
/// indentation) with one of `{ } [ ] "` or is blank. Other processes' lines that a real host
/// interleaves with the payload's stdout (systemd, the agent, the payload's own log lines, which
/// start with a date) start otherwise.
fn json_line(line: &str) -> bool {
    matches!(line.trim_start().bytes().next(), None | Some(b'{' | b'}' | b'[' | b']' | b'"'))
}

/// The JSON block starting at byte `start` of `text` (the rest of its first line and the lines
/// after it up to the matching bracket), without the foreign lines interleaved in it; the
/// 1-based numbers of the lines left out. `None` when the text ends first (truncated).
fn json_block(text: &str, start: usize) -> Option<(String, Vec<usize>)> {
    let mut brackets = Brackets::default();
    let (mut block, mut foreign) = (String::new(), Vec::new());
    let first = line_of(text, start);
    for (n, piece) in text[start..].split_inclusive('\n').enumerate() {
        if n > 0 && !json_line(piece) {
            foreign.push(first + n);
            continue;
        }
        if let Some(end) = brackets.feed(piece) {
            block.push_str(&piece[..end]);
            return Some((block, foreign));
        }
        block.push_str(piece);
    }
    None
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Parse a python-repr dict/list of strings, numbers, booleans and None (the normal-run
/// `Summary: {...}` line) into JSON.
fn python_literal(s: &str) -> Option<Value> {
    fn value(c: &mut std::iter::Peekable<std::str::CharIndices<'_>>, s: &str) -> Option<Value> {
        while c.peek().is_some_and(|(_, ch)| ch.is_whitespace()) {
            c.next();
        }
        let (i, ch) = *c.peek()?;
        match ch {
            '{' => {
                c.next();
                let mut m = Map::new();
                loop {
                    while c.peek().is_some_and(|(_, ch)| ch.is_whitespace() || *ch == ',') {
                        c.next();
                    }
                    if c.peek().is_some_and(|(_, ch)| *ch == '}') {
                        c.next();
                        return Some(Value::Object(m));
                    }
                    let k = value(c, s)?;
                    while c.peek().is_some_and(|(_, ch)| ch.is_whitespace()) {
                        c.next();
                    }
                    if c.next()?.1 != ':' {
                        return None;
                    }
                    let v = value(c, s)?;
                    m.insert(k.as_str().map(str::to_string).unwrap_or_else(|| k.to_string()), v);
                }
            }
            '[' => {
                c.next();
                let mut a = Vec::new();
                loop {
                    while c.peek().is_some_and(|(_, ch)| ch.is_whitespace() || *ch == ',') {
                        c.next();
                    }
                    if c.peek().is_some_and(|(_, ch)| *ch == ']') {
                        c.next();
                        return Some(Value::Array(a));
                    }
                    a.push(value(c, s)?);
                }
            }
            '\'' | '"' => {
                c.next();
                let mut out = String::new();
                let mut esc = false;
                for (_, x) in c.by_ref() {
                    if esc {
                        out.push(x);
                        esc = false;
                    } else if x == '\\' {
                        esc = true;
                    } else if x == ch {
                        return Some(Value::String(out));
                    } else {
                        out.push(x);
                    }
                }
                None
            }
            _ => {
                let mut end = i;
                while let Some((j, x)) = c.peek().copied() {
                    if x.is_alphanumeric() || x == '.' || x == '-' || x == '+' || x == '_' {
                        end = j + x.len_utf8();
                        c.next();
                    } else {
                        break;
                    }
                }
                let word = &s[i..end];
                match word {
                    "True" => Some(Value::Bool(true)),
                    "False" => Some(Value::Bool(false)),
                    "None" => Some(Value::Null),
                    w => w.parse::<i64>().map(Value::from).ok().or_else(|| w.parse::<f64>().ok().map(Value::from)),
                }
            }
        }
    }
    let mut c = s.char_indices().peekable();
    value(&mut c, s)
}

/// Parse one node's stdout.
pub fn parse(text: &str, source: OutputSource) -> Result<RunReport, OutputError> {
    // The limit counts the characters AWS kept, line ends as written (Windows writes CRLF).
    let at_limit = source == OutputSource::Invocation && text.chars().count() >= INVOCATION_OUTPUT_LIMIT;
    let normalized = text.replace("\r\n", "\n");
    let text = normalized.as_str();
    let mut report = RunReport {
        instance_id: None,
        operation: None,
        summary: Map::new(),
        non_compliant: Vec::new(),
        all_compliant: false,
        truncated: at_limit,
        details: Details { platform: "linux", ..Details::default() },
    };
    let mut recognized = false;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches('\n');
        let line_start = offset;
        offset += raw.len();
        let msg = message(line);
        if let Some(v) = msg.strip_prefix("Instance Id: ") {
            report.instance_id = Some(v.trim().to_string());
            recognized = true;
        } else if let Some(v) = msg.strip_prefix("Operation type: ") {
            report.operation = op(v.trim());
            recognized = true;
        } else if let Some(rest) = msg.strip_prefix("Running with snapshot id = ") {
            if let Some((_, o)) = rest.rsplit_once("and operation = ") {
                report.operation = report.operation.or(op(o.trim()));
            }
            recognized = true;
        } else if msg.starts_with(OVERRIDE_SUMMARY) || msg.starts_with(OVERRIDE_PACKAGES) {
            recognized = true;
            report.details.baseline_override = true;
            let is_summary = msg.starts_with(OVERRIDE_SUMMARY);
            let json_start = line_start
                + (line.len() - msg.len())
                + if is_summary { OVERRIDE_SUMMARY.len() } else { OVERRIDE_PACKAGES.len() };
            let Some((block, foreign)) = json_block(text, json_start) else {
                report.truncated = true;
                continue;
            };
            report.details.foreign_lines.extend(foreign);
            let value: Value = serde_json::from_str(&block).map_err(|e| OutputError {
                message: format!(
                    "the {} block is not valid JSON: {e}",
                    if is_summary { "override summary" } else { "non-compliant packages" }
                ),
                line: line_of(text, json_start) + e.line().saturating_sub(1),
                snippet: snippet(line),
                hint: "the output may be damaged; read the complete output from S3 (OutputS3BucketName)".into(),
            })?;
            match (is_summary, value) {
                (true, Value::Object(m)) => report.summary = m,
                (false, Value::Array(a)) => report.non_compliant = a,
                (_, other) => {
                    return Err(OutputError {
                        message: format!(
                            "expected a JSON {} after the prefix, found {}",
                            if is_summary { "object" } else { "array" },
                            kind(&other)
                        ),
                        line: line_of(text, json_start),
                        snippet: snippet(line),
                        hint: "this payload version prints a format ssmpatch does not know".into(),
                    });
                }
            }
        } else if msg.starts_with(OVERRIDE_ALL_COMPLIANT) {
            recognized = true;
            report.details.baseline_override = true;
            report.all_compliant = true;
        } else if msg.starts_with(COMPLIANT) || msg.trim() == COMPLIANT.trim() {
            recognized = true;
            if !report.details.baseline_override {
                report.all_compliant = true;
            }
        } else if let Some(sev) = msg.strip_prefix(NON_COMPLIANT) {
            recognized = true;
            report.all_compliant = false;
            report.details.non_compliant_severity = Some(sev.trim().to_string());
        } else if let Some(rest) = msg.strip_prefix("Summary: ") {
            if !report.details.baseline_override
                && report.summary.is_empty()
                && let Some(Value::Object(m)) = python_literal(rest.trim())
            {
                report.summary = m;
            }
        } else if msg.starts_with("Reboot is ") {
            report.details.reboot = Some(msg.trim().to_string());
        } else if line.contains(" [ERROR]: ") {
            report.details.errors.push(msg.trim().to_string());
        } else if let Some(node) = line.trim_start().strip_prefix(WINDOWS_SUMMARY) {
            recognized = true;
            report.details.platform = "windows";
            report.instance_id = report.instance_id.or_else(|| Some(node.trim().to_string()).filter(|s| !s.is_empty()));
        } else if report.details.platform == "windows"
            && let Some((k, v)) = line.split_once(" :")
        {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !k.contains(' ') {
                if k == "OperationType" {
                    report.operation = op(v);
                }
                report.summary.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
    }
    if report.details.platform == "windows" {
        report.details.unsupported.push(
            "per-package results: AWS does not document how the Windows payload prints BaselineOverride results".into(),
        );
        let missing = report.summary.get("MissingCount").and_then(Value::as_str).and_then(|s| s.parse::<i64>().ok());
        let failed = report.summary.get("FailedCount").and_then(Value::as_str).and_then(|s| s.parse::<i64>().ok());
        report.all_compliant = matches!((missing, failed), (Some(0), Some(0)));
    }
    if report.details.baseline_override && !report.non_compliant.is_empty() {
        report.all_compliant = false;
    }
    // Text cut at the limit before any line ssmpatch knows (e.g. a long package manager log first)
    // is an incomplete report, not foreign output.
    if !recognized && !report.truncated {
        return Err(OutputError {
            message: "this is not AWS-RunPatchBaseline output: no instance id, operation or compliance line".into(),
            line: 1,
            snippet: text.lines().next().and_then(snippet),
            hint:
                "give the stdout of the PatchLinux / PatchWindows step (GetCommandInvocation or the S3 output object)"
                    .into(),
        });
    }
    Ok(report)
}

fn op(s: &str) -> Option<RunOperation> {
    match s {
        "Scan" => Some(RunOperation::Scan),
        "Install" => Some(RunOperation::Install),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_literals() {
        let v = python_literal("{'a': '1', 'b': [1, 2.5, True, None], \"c\": {'d': False}}").expect("literal");
        assert_eq!(v, serde_json::json!({"a": "1", "b": [1, 2.5, true, null], "c": {"d": false}}));
        assert_eq!(python_literal("{'a': "), None);
    }

    #[test]
    fn balanced_blocks_ignore_brackets_in_strings() {
        let t = r#"x {"a": "}]", "b": [1, {"c": 2}]} tail"#;
        assert_eq!(balanced(t, 2), Some(r#"{"a": "}]", "b": [1, {"c": 2}]}"#));
        assert_eq!(balanced(r#"{"a": [1, 2"#, 0), None);
    }
}
