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
                let de = &mut serde_json::Deserializer::from_str(&self.text);
                serde_path_to_error::deserialize::<_, PlanFile>(de).map_err(|e| {
                    let path = e.path().to_string();
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

/// Byte offset of the value at `path` in a TOML document, and whether it is a string.
fn locate_toml(text: &str, path: &[&str]) -> Option<(usize, bool)> {
    let root = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = root.get_ref();
    let mut last: Option<&Spanned<DeValue<'_>>> = None;
    let mut key_span: Option<usize> = None;
    for (i, seg) in path.iter().enumerate() {
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *seg)?;
        key_span = Some(k.span().start);
        last = Some(v);
        if i + 1 < path.len() {
            match v.get_ref() {
                DeValue::Table(t) => table = t,
                DeValue::Array(a) => {
                    // `name[3]`-style segments are not used; arrays end the walk.
                    let _ = a;
                    break;
                }
                _ => break,
            }
        }
    }
    match last {
        Some(v) => {
            let span = v.span();
            let is_string = matches!(v.get_ref(), DeValue::String(_));
            // A table value's span is its header; the key is more useful for inline values.
            if span.start < span.end { Some((span.start, is_string)) } else { key_span.map(|k| (k, false)) }
        }
        None => key_span.map(|k| (k, false)),
    }
}

/// Byte offset of the value at `path` in a JSON document: each key is searched after the
/// previous one (good enough for the error location of well-formed JSON).
fn locate_json(text: &str, path: &[&str]) -> Option<(usize, bool)> {
    let mut pos = 0;
    for seg in path {
        let needle = format!("\"{seg}\"");
        let at = text[pos..].find(&needle)? + pos;
        pos = at + needle.len();
    }
    if path.is_empty() {
        return None;
    }
    // Move past `:` and blanks to the value.
    let rest = &text[pos..];
    let colon = rest.find(':')?;
    let after = &rest[colon + 1..];
    let skip = after.len() - after.trim_start().len();
    let start = pos + colon + 1 + skip;
    Some((start, text[start..].starts_with('"')))
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
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 5), (1, 1));
    }
}
