//! Reading a plan file (TOML, or JSON) and locating errors in it.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{PlanError, PlanErrors};
use super::file::PlanFile;

/// The syntax of a plan's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// TOML (the default).
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// By file extension (`.json` → JSON), else by the first non-blank character.
    pub fn detect(file: Option<&str>, text: &str) -> Format {
        match file {
            Some(f) if f.to_ascii_lowercase().ends_with(".json") => Format::Json,
            Some(f) if f.to_ascii_lowercase().ends_with(".toml") => Format::Toml,
            _ if text.trim_start().starts_with('{') => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// The plan's source, kept to locate errors found after parsing.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name as given, if any.
    pub file: Option<String>,
    /// The text.
    pub text: String,
    /// Its syntax.
    pub format: Format,
}

/// 1-based (line, column in characters) of a byte offset.
pub fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(text.len());
    let mut b = byte;
    while b > 0 && !text.is_char_boundary(b) {
        b -= 1;
    }
    let before = &text[..b];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl Source {
    /// A source from text.
    pub fn new(file: Option<&str>, text: impl Into<String>) -> Source {
        let text = text.into();
        Source { format: Format::detect(file, &text), file: file.map(str::to_string), text }
    }

    /// The directory of the plan's file, against which the relative paths a plan names (a custom
    /// strategy's `.wasm`) are resolved: the parent of [`Source::file`] as given (`.` is left out:
    /// `web.toml` → none, so the path stays relative to the current directory, which is that
    /// directory). `None` without a file name — a plan from a string, a dict or stdin — whose
    /// paths are relative to the current directory. A name that is not a regular file — `/dev/stdin`,
    /// a shell's `<(…)` (`/dev/fd/63`), a pipe — has no directory either: its paths stay relative
    /// to the current directory, as for text (not `/dev/mine.wasm`).
    pub fn directory(&self) -> Option<std::path::PathBuf> {
        let file = std::path::Path::new(self.file.as_deref()?);
        // `/dev/stdin` redirected from a file is a regular file, but its directory is still `/dev`.
        let special = file.starts_with("/dev") || file.starts_with("/proc");
        if special || !std::fs::metadata(file).is_ok_and(|m| m.is_file()) {
            return None;
        }
        let parent = file.parent()?;
        (!parent.as_os_str().is_empty()).then(|| parent.to_path_buf())
    }

    /// Deserialize the file types; syntax and type errors are located.
    pub fn parse(&self) -> Result<PlanFile, PlanErrors> {
        match self.format {
            Format::Toml => toml::from_str::<PlanFile>(&self.text).map_err(|e| {
                let (line, column) = match e.span() {
                    Some(span) => {
                        let (l, c) = line_column(&self.text, span.start);
                        (u32::try_from(l).ok(), u32::try_from(c).ok())
                    }
                    None => (None, None),
                };
                let message = e.message().trim().trim_end_matches('.').to_string();
                PlanErrors::from(PlanError {
                    file: self.file.clone(),
                    line,
                    column,
                    path: String::new(),
                    hint: type_hint(&message),
                    message: crate::input::clip_message(&lowercase_first(&message)),
                })
            }),
            Format::Json => {
                // serde reads a struct from an array too (`[1, "p"]` as version and name); a plan
                // is an object, and saying so beats "expected a string" about its second element.
                if let Some((i, c)) = self.text.char_indices().find(|(_, c)| !c.is_whitespace())
                    && c != '{'
                {
                    let (line, column) = line_column(&self.text, i);
                    return Err(PlanErrors::from(PlanError {
                        file: self.file.clone(),
                        line: u32::try_from(line).ok(),
                        column: u32::try_from(column).ok(),
                        path: String::new(),
                        hint: Some("a JSON plan is one object: `{\"version\": 1, \"name\": …}`".into()),
                        message: "a plan is a JSON object; this file starts with something else".into(),
                    }));
                }
                let de = &mut serde_json::Deserializer::from_str(&self.text);
                serde_path_to_error::deserialize::<_, PlanFile>(de).map_err(|e| {
                    // "?" is serde_path_to_error's path when the error is not inside a value
                    // (a syntax error): the line and column say where.
                    let path = e.path().to_string();
                    let path = if path == "?" { ".".to_string() } else { path };
                    let inner = e.into_inner();
                    let message = strip_json_position(&inner.to_string());
                    PlanErrors::from(PlanError {
                        file: self.file.clone(),
                        line: u32::try_from(inner.line()).ok(),
                        column: u32::try_from(inner.column()).ok(),
                        path: if path == "." { String::new() } else { path },
                        hint: type_hint(&message),
                        message: crate::input::clip_message(&lowercase_first(&message)),
                    })
                })
            }
        }
    }

    /// Fill in file, line and column of an error found after parsing, from its key path.
    /// `inner_column` (1-based) points inside a string value (e.g. a cron field).
    pub fn locate(&self, mut e: PlanError, inner_column: Option<usize>) -> PlanError {
        e.file = self.file.clone();
        let segments: Vec<&str> = e.path.split('.').filter(|s| !s.is_empty()).collect();
        let found = match self.format {
            Format::Toml => locate_toml(&self.text, &segments),
            Format::Json => locate_json(&self.text, &segments),
        };
        if let Some((byte, is_string)) = found {
            let (line, mut column) = line_column(&self.text, byte);
            if let (true, Some(c)) = (is_string, inner_column) {
                // Skip the opening quote, then move to the character inside the string.
                column += c;
            }
            e.line = u32::try_from(line).ok();
            e.column = u32::try_from(column).ok();
        }
        e
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn strip_json_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn type_hint(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("check the spelling; keys are kebab-case (e.g. `time-zone`, `max-concurrency`)".into())
    } else if message.contains("missing field") {
        Some("add the field; see core/plan.schema.json or examples/*.toml".into())
    } else if message.contains("unknown variant") {
        Some("use one of the listed values".into())
    } else if message.contains("invalid type") {
        Some("check the value's type against core/plan.schema.json".into())
    } else {
        None
    }
}

/// A path segment: a key and the array indexes after it (`approval-rules[1]` → ("approval-rules", [1])).
fn segment(seg: &str) -> (&str, Vec<usize>) {
    let Some(open) = seg.find('[') else { return (seg, Vec::new()) };
    let (key, mut rest) = seg.split_at(open);
    let mut indexes = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { return (seg, Vec::new()) };
        match inner[..close].parse() {
            Ok(i) => indexes.push(i),
            Err(_) => return (seg, Vec::new()),
        }
        rest = &inner[close + 1..];
    }
    if rest.is_empty() { (key, indexes) } else { (seg, Vec::new()) }
}

/// Byte offset of the value at `path` in a TOML document, and whether it is a string. Array
/// elements (`approval-rules[1]`, also inside arrays of tables) are followed; where a value has
/// no span of its own (a table), the nearest key or element is used.
fn locate_toml(text: &str, path: &[&str]) -> Option<(usize, bool)> {
    let root = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = root.get_ref();
    // The best position found so far (a key, or an element with a span).
    let mut best: Option<usize> = None;
    let mut last: Option<&Spanned<DeValue<'_>>> = None;
    for (i, seg) in path.iter().enumerate() {
        let (key, indexes) = segment(seg);
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key) else { break };
        best = Some(k.span().start);
        let mut v = v;
        for ix in indexes {
            let DeValue::Array(a) = v.get_ref() else { break };
            let Some(item) = a.get(ix) else { break };
            let span = item.span();
            if span.start < span.end {
                best = Some(span.start);
            } else if let Some(b) = array_of_tables_header(text, key, best, ix) {
                best = Some(b);
            }
            v = item;
        }
        last = Some(v);
        if i + 1 < path.len() {
            match v.get_ref() {
                DeValue::Table(t) => table = t,
                _ => {
                    last = None;
                    break;
                }
            }
        }
    }
    match last {
        Some(v) if v.span().start < v.span().end => Some((v.span().start, matches!(v.get_ref(), DeValue::String(_)))),
        _ => best.map(|b| (b, false)),
    }
}

/// The `ix`-th `[[...key]]` header at or after `from`: where an element of an array of tables
/// starts when the parser gives it no span.
fn array_of_tables_header(text: &str, key: &str, from: Option<usize>, ix: usize) -> Option<usize> {
    let from = from?;
    let line_start = text[..from].rfind('\n').map_or(0, |p| p + 1);
    let mut found = 0;
    let mut pos = line_start;
    for line in text[line_start..].split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("[[") && t.trim_end().trim_end_matches("]]").trim_end().ends_with(key) {
            if found == ix {
                return Some(pos + (line.len() - t.len()));
            }
            found += 1;
        }
        pos += line.len();
    }
    None
}

/// Byte offset of the value at `path` in a JSON document, and whether it is a string: a small
/// scanner walks the document (array elements by index), so keys of the same name elsewhere are
/// never taken for the one meant.
fn locate_json(text: &str, path: &[&str]) -> Option<(usize, bool)> {
    if path.is_empty() {
        return None;
    }
    let mut steps: Vec<JsonStep<'_>> = Vec::new();
    for seg in path {
        let (key, indexes) = segment(seg);
        steps.push(JsonStep::Key(key));
        steps.extend(indexes.into_iter().map(JsonStep::Index));
    }
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    let mut found = pos;
    for step in steps {
        match (step, b.get(pos)) {
            (JsonStep::Key(key), Some(b'{')) => {
                pos = skip_ws(b, pos + 1);
                loop {
                    if b.get(pos) != Some(&b'"') {
                        return Some((found, false));
                    }
                    let end = skip_string(b, pos)?;
                    let name: Option<String> = serde_json::from_str(&text[pos..end]).ok();
                    let colon = skip_ws(b, end);
                    if b.get(colon) != Some(&b':') {
                        return Some((found, false));
                    }
                    let value = skip_ws(b, colon + 1);
                    if name.as_deref() == Some(key) {
                        pos = value;
                        found = value;
                        break;
                    }
                    let after = skip_ws(b, skip_value(b, value)?);
                    if b.get(after) != Some(&b',') {
                        return Some((found, false));
                    }
                    pos = skip_ws(b, after + 1);
                }
            }
            (JsonStep::Index(ix), Some(b'[')) => {
                pos = skip_ws(b, pos + 1);
                for _ in 0..ix {
                    let after = skip_ws(b, skip_value(b, pos)?);
                    if b.get(after) != Some(&b',') {
                        return Some((found, false));
                    }
                    pos = skip_ws(b, after + 1);
                }
                found = pos;
            }
            _ => return Some((found, false)),
        }
    }
    Some((found, b.get(found) == Some(&b'"')))
}

#[derive(Clone, Copy)]
enum JsonStep<'a> {
    Key(&'a str),
    Index(usize),
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The end (exclusive) of the value starting at `i` (iterative, so deep nesting cannot overflow).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while b.get(j).is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b',' | b'}' | b']')) {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_toml_values_and_inner_columns() {
        let text =
            "version = 1\nname = \"x\"\n\n[operations.scan]\nkind = \"scan\"\nschedule = \"cron(0 2 1 * MON *)\"\n";
        let s = Source::new(Some("p.toml"), text);
        let e = s.locate(PlanError::at("operations.scan.schedule", "bad"), Some(14));
        assert_eq!((e.line, e.column), (Some(6), Some(26)));
        assert_eq!(&text.lines().nth(5).expect("line")[25..26], "M");
        let e = s.locate(PlanError::at("operations.scan.kind", "bad"), None);
        assert_eq!((e.line, e.column), (Some(5), Some(8)));
    }

    #[test]
    fn locates_json_values() {
        let text = "{\n  \"operations\": {\n    \"scan\": {\"kind\": \"scan\", \"schedule\": \"rate(1 day)\"}\n  }\n}";
        let s = Source::new(Some("p.json"), text);
        let e = s.locate(PlanError::at("operations.scan.schedule", "bad"), Some(1));
        assert_eq!((e.line, e.column), (Some(3), Some(43)));
    }

    #[test]
    fn locates_inside_arrays_of_tables() {
        let text = "version = 1\n\n[[baselines.UBUNTU.approval-rules]]\napprove-after-days = 7\n\n\
                    [[baselines.UBUNTU.approval-rules]]\ncompliance-level = \"HIGH\"\napprove-after-days = 700\n";
        let s = Source::new(Some("p.toml"), text);
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[1].approve-after-days", "bad"), None);
        assert_eq!((e.line, e.column), (Some(8), Some(22)));
        // An element without a key of its own: its `[[...]]` header.
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[1]", "bad"), None);
        assert_eq!((e.line, e.column), (Some(6), Some(1)));
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[0]", "bad"), None);
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
        // Inline arrays of tables too.
        let text = "[baselines.UBUNTU]\napproval-rules = [{ approve-after-days = 1 }, { approve-after-days = 900 }]\n";
        let s = Source::new(Some("p.toml"), text);
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[1].approve-after-days", "bad"), None);
        assert_eq!((e.line, e.column), (Some(2), Some(70)));
    }

    #[test]
    fn locates_json_array_elements_by_index() {
        let text = "{\"approve-after-days\": 1, \"baselines\": {\"UBUNTU\": {\"approval-rules\": [\n  {\"approve-after-days\": 1},\n  {\"x\": [1, {\"a\": \"]\"}], \"approve-after-days\": 900}\n]}}}";
        let s = Source::new(Some("p.json"), text);
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[1].approve-after-days", "bad"), None);
        assert_eq!((e.line, e.column), (Some(3), Some(48)));
        let e = s.locate(PlanError::at("baselines.UBUNTU.approval-rules[1]", "bad"), None);
        assert_eq!((e.line, e.column), (Some(3), Some(3)));
    }

    #[test]
    fn a_json_plan_must_be_an_object_and_syntax_errors_have_no_path() {
        let e = Source::new(Some("p.json"), "\n  [1, 2, 3]").parse().expect_err("an array");
        let e = &e.0[0];
        assert!(e.message.contains("a plan is a JSON object"), "{}", e.message);
        assert_eq!((e.line, e.column, e.path.as_str()), (Some(2), Some(3), ""));
        let e = Source::new(Some("p.json"), "{\"version\": 1,}").parse().expect_err("a trailing comma");
        assert_eq!((e.0[0].path.as_str(), e.0[0].line), ("", Some(1)), "{:?}", e.0[0]);
        assert!(e.0[0].message.contains("trailing comma"), "{}", e.0[0].message);
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 5), (1, 1));
    }
}
