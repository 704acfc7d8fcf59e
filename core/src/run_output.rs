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

use crate::input::echo;

/// Characters `GetCommandInvocation.StandardOutputContent` keeps (botocore).
pub const INVOCATION_OUTPUT_LIMIT: usize = 24_000;

const OVERRIDE_SUMMARY: &str = "[BASELINE OVERRIDE]: Summary: ";
const OVERRIDE_PACKAGES: &str = "[BASELINE OVERRIDE]: Non Compliant Packages: ";
const OVERRIDE_ALL_COMPLIANT: &str = "[BASELINE OVERRIDE]: All Packages are Compliant.";
const COMPLIANT: &str = " Instance is Compliant ";
const NON_COMPLIANT: &str = " Instance is Non-Compliant with severity of ";
const WINDOWS_SUMMARY: &str = "Patch Summary for";
const RUN_START: &str = "Running with snapshot id = ";

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
    /// First lines (1-based) of the other block sets in the text (a run printed again): the report
    /// is the last complete set and these were left out (see `parse`).
    pub other_runs: Vec<usize>,
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

/// The start of a line, echoed (clipped and escaped).
fn snippet(line: &str) -> Option<String> {
    (!line.is_empty()).then(|| echo(line))
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

/// Where one block set of a node's output starts and how: the one place that decides how output
/// holding several runs is read.
///
/// A set is what one run of the step prints: from a run's first line (`Running with snapshot id
/// = …` on Linux, `Patch Summary for …` on Windows) to the next one. A second
/// `[BASELINE OVERRIDE]: Summary:` after the current set's override blocks also starts a set (the
/// same run's results printed again). The report is the **last complete set** (its results all
/// there and not cut short), and its run-level lines (instance id, operation) come from earlier
/// sets of the same run when it has none. UNCONFIRMED whether AWS-RunPatchBaseline ever prints a
/// second set into one invocation's stdout (a step run again after a reboot might); AWS documents
/// nothing, so whatever the text holds, ssmpatch reports the newest complete result and says
/// which lines it left out ([`Details::other_runs`]). Sets of different nodes (another instance id)
/// are never merged: that text is an error.
#[derive(Debug, Clone, Copy)]
struct SetStart {
    /// Byte offset of the set's first line.
    at: usize,
    /// True when a new run starts here (false: the same run's results again).
    new_run: bool,
}

fn set_starts(text: &str) -> Vec<SetStart> {
    let mut starts = vec![SetStart { at: 0, new_run: true }];
    let (mut override_blocks, mut offset) = (false, 0);
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches('\n');
        let msg = message(line);
        let run_start = msg.starts_with(RUN_START) || line.trim_start().starts_with(WINDOWS_SUMMARY);
        let again = msg.starts_with(OVERRIDE_SUMMARY) && override_blocks;
        if (run_start || again) && offset > 0 {
            starts.push(SetStart { at: offset, new_run: run_start });
            override_blocks = false;
        }
        if msg.starts_with(OVERRIDE_SUMMARY)
            || msg.starts_with(OVERRIDE_PACKAGES)
            || msg.starts_with(OVERRIDE_ALL_COMPLIANT)
        {
            override_blocks = true;
        }
        offset += raw.len();
    }
    starts
}

/// Every node the text names (`Instance Id:` on Linux, `Patch Summary for <node>` on Windows),
/// with the 1-based line of its first mention, in order.
fn nodes(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let id = match message(line).strip_prefix("Instance Id: ") {
            Some(v) => v.trim(),
            None => line.trim_start().strip_prefix(WINDOWS_SUMMARY).map_or("", str::trim),
        };
        if !id.is_empty() && !out.iter().any(|(o, _)| o == id) {
            out.push((id.to_string(), n + 1));
        }
    }
    out
}

/// What one set held beyond its report.
#[derive(Default)]
struct SetState {
    /// Any line ssmpatch knows.
    recognized: bool,
    /// `Instance is Compliant` / `Non-Compliant` (the normal run's result).
    compliance_line: bool,
    /// The override's `Non Compliant Packages` block (1-based line) and `All Packages are
    /// Compliant` (1-based line).
    packages_at: Option<usize>,
    all_compliant_at: Option<usize>,
}

impl SetState {
    fn complete(&self, r: &RunReport) -> bool {
        !r.truncated
            && if r.details.platform == "windows" {
                !r.summary.is_empty()
            } else if r.details.baseline_override {
                !r.summary.is_empty() && (self.packages_at.is_some() || self.all_compliant_at.is_some())
            } else {
                self.compliance_line
            }
    }
}

/// Parse one node's stdout. Text naming more than one node, a set that says both "All Packages are
/// Compliant" and lists non-compliant packages, and a package entry that is not an object with an
/// `Id` are errors; of several sets of one node the last complete one is the report (see
/// [`SetStart`]).
pub fn parse(text: &str, source: OutputSource) -> Result<RunReport, OutputError> {
    // The limit counts the characters AWS kept, line ends as written (Windows writes CRLF).
    let at_limit = source == OutputSource::Invocation && text.chars().count() >= INVOCATION_OUTPUT_LIMIT;
    let normalized = text.replace("\r\n", "\n");
    let text = normalized.as_str();
    if let [(first, first_line), (second, second_line), ..] = nodes(text).as_slice() {
        return Err(OutputError {
            message: format!(
                "the output holds more than one node's run: `{}` (line {first_line}) and `{}`",
                echo(first),
                echo(second)
            ),
            line: *second_line,
            snippet: text.lines().nth(second_line - 1).and_then(snippet),
            hint: "give each node's stdout on its own (one GetCommandInvocation or S3 output object per node); \
                   concatenated output would lose all but one node's results"
                .into(),
        });
    }
    let starts = set_starts(text);
    let mut sets: Vec<(RunReport, SetState, usize)> = Vec::with_capacity(starts.len());
    for (i, s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |n| n.at);
        let (mut report, state) = parse_set(&text[..end], s.at)?;
        // Run-level lines of the same run carry over to a set printed again.
        if !s.new_run
            && let Some((prev, _, _)) = sets.last()
        {
            report.instance_id = report.instance_id.or_else(|| prev.instance_id.clone());
            report.operation = report.operation.or(prev.operation);
            report.details.baseline_override |= prev.details.baseline_override;
        }
        sets.push((report, state, line_of(text, s.at)));
    }
    let recognized = sets.iter().any(|(_, s, _)| s.recognized);
    let chosen = sets.iter().rposition(|(r, s, _)| s.complete(r)).unwrap_or(sets.len() - 1);
    // A later set cut short may hold a newer result: the earlier one is not to be trusted alone.
    let later_cut = sets[chosen + 1..].iter().any(|(r, _, _)| r.truncated);
    let instance_id = sets.iter().find_map(|(r, _, _)| r.instance_id.clone());
    let other_runs: Vec<usize> = sets
        .iter()
        .enumerate()
        .filter(|(i, (_, s, _))| *i != chosen && s.recognized)
        .map(|(_, (_, _, line))| *line)
        .collect();
    let (mut report, _, _) = sets.swap_remove(chosen);
    report.instance_id = report.instance_id.or(instance_id);
    report.truncated |= at_limit || later_cut;
    report.details.other_runs = other_runs;
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

/// One block set: the lines of `text` from byte `from` to its end.
fn parse_set(text: &str, from: usize) -> Result<(RunReport, SetState), OutputError> {
    let mut report = RunReport {
        instance_id: None,
        operation: None,
        summary: Map::new(),
        non_compliant: Vec::new(),
        all_compliant: false,
        truncated: false,
        details: Details { platform: "linux", ..Details::default() },
    };
    let mut state = SetState::default();
    let mut offset = from;
    for raw in text[from..].split_inclusive('\n') {
        let line = raw.trim_end_matches('\n');
        let line_start = offset;
        offset += raw.len();
        let msg = message(line);
        if let Some(v) = msg.strip_prefix("Instance Id: ") {
            report.instance_id = Some(v.trim().to_string());
            state.recognized = true;
        } else if let Some(v) = msg.strip_prefix("Operation type: ") {
            report.operation = op(v.trim());
            state.recognized = true;
        } else if let Some(rest) = msg.strip_prefix(RUN_START) {
            if let Some((_, o)) = rest.rsplit_once("and operation = ") {
                report.operation = report.operation.or(op(o.trim()));
            }
            state.recognized = true;
        } else if msg.starts_with(OVERRIDE_SUMMARY) || msg.starts_with(OVERRIDE_PACKAGES) {
            state.recognized = true;
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
                (false, Value::Array(a)) => {
                    packages(&a, text, json_start, line)?;
                    report.non_compliant = a;
                    state.packages_at = Some(line_of(text, line_start));
                }
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
            state.recognized = true;
            report.details.baseline_override = true;
            report.all_compliant = true;
            state.all_compliant_at = Some(line_of(text, line_start));
        } else if msg.starts_with(COMPLIANT) || msg.trim() == COMPLIANT.trim() {
            state.recognized = true;
            state.compliance_line = true;
            if !report.details.baseline_override {
                report.all_compliant = true;
            }
        } else if let Some(sev) = msg.strip_prefix(NON_COMPLIANT) {
            state.recognized = true;
            state.compliance_line = true;
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
            state.recognized = true;
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
    if let (Some(all), Some(list)) = (state.all_compliant_at, state.packages_at)
        && !report.non_compliant.is_empty()
    {
        return Err(OutputError {
            message: format!(
                "the run says that all packages are compliant, and also that {} package(s) are not (their list: line \
                 {list})",
                report.non_compliant.len()
            ),
            line: all,
            snippet: text.lines().nth(all - 1).and_then(snippet),
            hint: "the output is damaged or mixes two runs; read the complete output of one run from S3".into(),
        });
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
    Ok((report, state))
}

/// Every entry of a `Non Compliant Packages` block is an object with a non-empty string `Id`
/// (aws-facts §3.1: each item has `Id`, `Title`, `Severity`, …); anything else would become a
/// compliance item without an id.
fn packages(list: &[Value], text: &str, json_start: usize, line: &str) -> Result<(), OutputError> {
    for (i, p) in list.iter().enumerate() {
        let problem = match p {
            Value::Object(m) => match m.get("Id") {
                Some(Value::String(id)) if !id.trim().is_empty() => continue,
                Some(Value::String(_)) => "an object with an empty `Id`".to_string(),
                Some(other) => format!("an object whose `Id` is {}", kind(other)),
                None => "an object without an `Id`".to_string(),
            },
            other => kind(other).to_string(),
        };
        return Err(OutputError {
            message: format!("non-compliant package {} of {} is {problem}, not a package", i + 1, list.len()),
            line: line_of(text, json_start),
            snippet: snippet(line),
            hint: "each entry of the payload's package list is an object with `Id`, `Title`, `PatchState`…; the \
                   output may be damaged or not from AWS-RunPatchBaseline"
                .into(),
        });
    }
    Ok(())
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
