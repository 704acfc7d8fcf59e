//! Deterministic JSON: keys sorted at every level, written byte for byte as AWS's own override
//! generator writes it — Python's `json.dumps(doc, indent=4, sort_keys=True)`:
//! - 4-space indent, `", "`-free item separator `","` at line ends, `": "` between key and value;
//! - empty arrays and objects as `[]` and `{}`; no trailing newline;
//! - `ensure_ascii`: every character outside printable ASCII (`' '..='~'`) is escaped as
//!   `\uXXXX` with lowercase hex (surrogate pairs above U+FFFF); `\"`, `\\`, `\b`, `\f`, `\n`,
//!   `\r`, `\t` use their short forms.
//!
//! serde_json is built with `preserve_order` in this workspace, so an object's key order is its
//! insertion order; [`canonical`] re-inserts keys sorted, recursively.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use serde_json::{Map, Value};

/// `value` with the keys of every object sorted (by bytes, as Python's `sort_keys` sorts the
/// ASCII keys AWS uses).
pub fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, canonical(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// The bytes of `json.dumps(value, indent=4, sort_keys=True)` (keys are sorted here too).
pub fn to_aws_json(value: &Value) -> Vec<u8> {
    let value = canonical(value.clone());
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AwsFormatter::default());
    // Writing a `Value` into a Vec cannot fail (no I/O errors, no non-string keys).
    let _ = value.serialize(&mut ser);
    out
}

/// serde_json's pretty printer with Python's `ensure_ascii` string escaping.
#[derive(Debug)]
struct AwsFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Default for AwsFormatter {
    fn default() -> Self {
        AwsFormatter { pretty: PrettyFormatter::with_indent(b"    ") }
    }
}

impl Formatter for AwsFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // serde_json has already escaped `"`, `\` and C0 controls; the rest of a fragment is
        // written raw unless it is outside printable ASCII.
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, escape: CharEscape) -> io::Result<()> {
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(w, "\\u{byte:04x}"),
        };
        w.write_all(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_python_json_dumps_bytes() {
        // python3 -c 'import json; print(json.dumps({"b": ["é😀\x7f\x01\n\"\\/"], "a": {}, "c": []}, indent=4, sort_keys=True), end="")'
        let v = json!({"b": ["é😀\u{7f}\u{1}\n\"\\/"], "a": {}, "c": []});
        let expected = "{\n    \"a\": {},\n    \"b\": [\n        \"\\u00e9\\ud83d\\ude00\\u007f\\u0001\\n\\\"\\\\/\"\n    ],\n    \"c\": []\n}";
        assert_eq!(String::from_utf8(to_aws_json(&v)).expect("ascii"), expected);
    }

    #[test]
    fn canonical_sorts_nested_keys() {
        let v = canonical(json!({"z": [{"y": 1, "x": 2}], "a": 0}));
        assert_eq!(serde_json::to_string(&v).expect("json"), r#"{"a":0,"z":[{"x":2,"y":1}]}"#);
    }
}
