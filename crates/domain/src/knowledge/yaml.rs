//! The YAML side of article files: front matter read into JSON values with the line of each
//! top-level key, and JSON values written back as block YAML that reads to the same values.
//!
//! Reading and writing share one rule for plain scalars ([`resolve_plain`], the YAML 1.2 core
//! schema), and the writer leaves a string plain only when that rule reads it back as the same
//! string, so whatever is written reads back to equal JSON.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The handle a `!!` tag resolves to.
const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// One key of a top-level YAML mapping, with the line the key is on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key: String,
    pub line: usize,
    pub value: Value,
}

/// Why a YAML text could not be read, with the line to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct YamlError {
    pub line: usize,
    pub reason: String,
}

/// What a YAML text held.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Document {
    /// No document at all: only blank lines or comments.
    Empty,
    /// One document that is not a mapping, with the line it starts on.
    NotMapping(usize),
    /// One mapping, its keys in the order written.
    Mapping(Vec<Entry>),
}

/// Reads `text` as one YAML document. Every line number in the answer (and in its messages) is
/// the line in `text` plus `line_offset`, so a caller that cut `text` out of a file gets lines of
/// the file.
pub(super) fn load(text: &str, line_offset: usize) -> Result<Document, YamlError> {
    let mut builder = Builder { line_offset, ..Builder::default() };
    Parser::new_from_str(text).load(&mut builder, true).map_err(|error| YamlError {
        line: error.marker().line() + line_offset,
        reason: format!("the YAML cannot be read: {}", error.info()),
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    let mut documents = builder.documents.into_iter();
    let Some(root) = documents.next() else { return Ok(Document::Empty) };
    if let Some(second) = documents.next() {
        return Err(YamlError {
            line: second.line,
            reason: "the front matter holds more than one YAML document".into(),
        });
    }
    Ok(match root.entries {
        Some(entries) => Document::Mapping(entries),
        None if root.value.is_null() => Document::Empty,
        None => Document::NotMapping(root.line),
    })
}

/// A finished node: its value, the line it starts on and, for a mapping, its keys with lines.
struct Node {
    value: Value,
    line: usize,
    entries: Option<Vec<Entry>>,
}

/// A collection still being read.
enum Frame {
    Sequence { anchor: usize, line: usize, items: Vec<Value> },
    Mapping { anchor: usize, line: usize, entries: Vec<Entry>, key: Option<(String, usize)> },
}

/// Builds JSON values from the parser's events, keeping the lines of keys.
#[derive(Default)]
struct Builder {
    line_offset: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    documents: Vec<Node>,
    error: Option<YamlError>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line() + self.line_offset;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag.as_ref());
                if let Some(Frame::Mapping { key: key @ None, .. }) = self.stack.last_mut() {
                    // A scalar key is kept as written: `1.50:` is the key "1.50", not 1.5.
                    *key = Some((text, line));
                    if anchor != 0 {
                        self.anchors.insert(anchor, value);
                    }
                } else {
                    self.finish(Node { value, line, entries: None }, anchor);
                }
            }
            Event::Alias(anchor) => {
                let value = self.anchors.get(&anchor).cloned().unwrap_or(Value::Null);
                self.finish(Node { value, line, entries: None }, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence { anchor, line, items: Vec::new() }),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Mapping { anchor, line, entries: Vec::new(), key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Sequence { anchor, line, items }) => {
                    self.finish(Node { value: Value::Array(items), line, entries: None }, anchor);
                }
                Some(Frame::Mapping { anchor, line, entries, .. }) => {
                    let object: Map<String, Value> =
                        entries.iter().map(|entry| (entry.key.clone(), entry.value.clone())).collect();
                    self.finish(Node { value: Value::Object(object), line, entries: Some(entries) }, anchor);
                }
                None => {}
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

impl Builder {
    /// Puts a finished node where it belongs: into the collection being read, or as a document.
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.value.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Sequence { items, .. }) => items.push(node.value),
            Some(Frame::Mapping { key: key @ None, .. }) => match node.value {
                // Only an alias can bring a key here; scalars are taken in `on_event`.
                Value::String(text) => *key = Some((text, node.line)),
                Value::Null | Value::Bool(_) | Value::Number(_) => *key = Some((scalar_text(&node.value), node.line)),
                Value::Array(_) | Value::Object(_) => {
                    self.error = Some(YamlError {
                        line: node.line,
                        reason: "a key is a mapping or a list; keys must be plain text".into(),
                    });
                }
            },
            Some(Frame::Mapping { entries, key: key @ Some(_), .. }) => {
                let Some((key, line)) = key.take() else { return };
                if let Some(first) = entries.iter().find(|entry| entry.key == key) {
                    self.error = Some(YamlError {
                        line,
                        reason: format!("the key `{key}` appears twice (lines {} and {line})", first.line),
                    });
                    return;
                }
                entries.push(Entry { key, line, value: node.value });
            }
        }
    }
}

/// The value of a scalar: quoted and block scalars are text, plain ones follow the core schema,
/// and a `!!str` tag makes any scalar text.
fn scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    let core_tag = tag.filter(|tag| tag.handle == CORE_SCHEMA).map(|tag| tag.suffix.as_str());
    match (core_tag, style) {
        (Some("str"), _) => Value::String(text.to_owned()),
        (Some(_), _) | (None, TScalarStyle::Plain) => resolve_plain(text),
        (None, _) => Value::String(text.to_owned()),
    }
}

/// What a plain (unquoted) scalar means under the YAML 1.2 core schema, as JSON. Numbers JSON
/// cannot hold (`.inf`, `.nan`, integers past 64 bits) stay the text written.
pub(super) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(int) = core_int(text) {
        // An integer too big for 64 bits stays text rather than turning into an inexact float.
        return int.map_or_else(|| Value::String(text.to_owned()), Value::Number);
    }
    if is_core_float(text)
        && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(number);
    }
    Value::String(text.to_owned())
}

/// For text written as a core-schema integer (`[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`), its
/// value when it fits 64 bits; `None` for any other text.
fn core_int(text: &str) -> Option<Option<Number>> {
    let radix_int = |digits: &str, radix: u32| {
        (!digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)))
            .then(|| u64::from_str_radix(digits, radix).ok().map(Number::from))
    };
    if let Some(digits) = text.strip_prefix("0x") {
        return radix_int(digits, 16);
    }
    if let Some(digits) = text.strip_prefix("0o") {
        return radix_int(digits, 8);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(n) => Some(Number::from(n)),
        Err(_) if !text.starts_with('-') => unsigned.parse::<u64>().ok().map(Number::from),
        Err(_) => None,
    })
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`: the finite floats of the core schema.
fn is_core_float(text: &str) -> bool {
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// The text of a scalar value, as a key or in a message.
pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Writes `entries` as a block mapping at column 0, one key a line, nested values indented by
/// two spaces. Empty mappings and lists are written `{}` and `[]`.
pub(super) fn write_mapping<'a>(entries: impl IntoIterator<Item = (&'a str, &'a Value)>) -> String {
    let mut out = String::new();
    write_entries(&mut out, 0, entries);
    out
}

fn write_entries<'a>(out: &mut String, indent: usize, entries: impl IntoIterator<Item = (&'a str, &'a Value)>) {
    for (key, value) in entries {
        push_indent(out, indent);
        write_text(out, key);
        out.push(':');
        write_node(out, indent, value);
    }
}

/// Writes what follows a `key:` or a `-` at `indent`, through the end of its last line.
fn write_node(out: &mut String, indent: usize, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_entries(out, indent + 2, map.iter().map(|(key, value)| (key.as_str(), value)));
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                push_indent(out, indent + 2);
                out.push('-');
                write_node(out, indent + 2, item);
            }
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        Value::Null => out.push_str(" null\n"),
        Value::Bool(flag) => {
            out.push(' ');
            out.push_str(if *flag { "true" } else { "false" });
            out.push('\n');
        }
        Value::Number(number) => {
            out.push(' ');
            out.push_str(&number.to_string());
            out.push('\n');
        }
        Value::String(text) => {
            out.push(' ');
            write_text(out, text);
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes a string plain when that is safe and reads back as the same string, else single-quoted
/// when it is one line of printable characters, else double-quoted with escapes.
fn write_text(out: &mut String, text: &str) {
    if plain_is_safe(text) {
        out.push_str(text);
    } else if text.chars().all(|c| c == ' ' || (is_printable(c) && !is_awkward(c))) {
        out.push('\'');
        out.push_str(&text.replace('\'', "''"));
        out.push('\'');
    } else {
        write_double_quoted(out, text);
    }
}

/// Printable characters that some YAML readers take for line breaks or a byte-order mark.
fn is_awkward(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{feff}' | '\u{2028}' | '\u{2029}')
}

/// Whether `text` can stand unquoted in a block mapping and read back as the same string. Kept
/// deliberately narrow: anything unusual is quoted instead.
fn plain_is_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return false };
    let first_ok = first.is_alphanumeric() || matches!(first, '/' | '(' | '_' | '$');
    let rest_ok = text.chars().all(|c| {
        (c == ' ' || is_printable(c))
            && !matches!(c, ':' | '#' | '"' | '`' | '[' | ']' | '{' | '}' | '\u{a0}')
            && !is_awkward(c)
    });
    let edges_ok = !text.ends_with(' ');
    first_ok && rest_ok && edges_ok && resolve_plain(text) == Value::String(text.to_owned())
}

/// YAML's printable characters, less the line breaks and tab.
fn is_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

fn write_double_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_printable(c) && !is_awkward(c) => out.push(c),
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn entries(text: &str) -> Vec<Entry> {
        match load(text, 0).expect("valid YAML") {
            Document::Mapping(entries) => entries,
            other => panic!("not a mapping: {other:?}"),
        }
    }

    fn reread(value: &Value) -> Value {
        let text = write_mapping([("k", value)]);
        let entries = entries(&text);
        assert_eq!(entries.len(), 1, "{text}");
        entries[0].value.clone()
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let cases: &[(&str, Value)] = &[
            ("", Value::Null),
            ("~", Value::Null),
            ("NULL", Value::Null),
            ("True", json!(true)),
            ("false", json!(false)),
            ("42", json!(42)),
            ("-7", json!(-7)),
            ("+7", json!(7)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("18446744073709551615", json!(18_446_744_073_709_551_615_u64)),
            ("99999999999999999999", json!("99999999999999999999")),
            ("1.5", json!(1.5)),
            (".5", json!(0.5)),
            ("1e3", json!(1000.0)),
            ("1.", json!(1.0)),
            (".", json!(".")),
            (".inf", json!(".inf")),
            ("2025-03-02", json!("2025-03-02")),
            ("yes", json!("yes")),
            ("1_000", json!("1_000")),
            ("0x", json!("0x")),
            ("0xFFFFFFFFFFFFFFFFFF", json!("0xFFFFFFFFFFFFFFFFFF")),
            ("-99999999999999999999", json!("-99999999999999999999")),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text), expected, "{text:?}");
        }
    }

    #[test]
    fn keys_come_with_their_lines() {
        let found = entries("# note\nid: 1\nseo:\n  title: x\nlist: [1, 'a']\n");
        let lines: Vec<(&str, usize)> = found.iter().map(|entry| (entry.key.as_str(), entry.line)).collect();
        assert_eq!(lines, [("id", 2), ("seo", 3), ("list", 5)]);
        assert_eq!(found[1].value, json!({"title": "x"}));
        assert_eq!(found[2].value, json!([1, "a"]));
        let Ok(Document::Mapping(offset)) = load("id: 1\n", 1) else { panic!("not a mapping") };
        assert_eq!(offset[0].line, 2);
    }

    #[test]
    fn documents_that_are_not_one_mapping() {
        assert_eq!(load("", 0), Ok(Document::Empty));
        assert_eq!(load("# only a comment\n", 0), Ok(Document::Empty));
        assert_eq!(load("\n- a\n", 0), Ok(Document::NotMapping(2)));
        assert_eq!(load("just text\n", 0), Ok(Document::NotMapping(1)));
        let two = load("a: 1\n---\nb: 2\n", 0).expect_err("two documents");
        assert_eq!(two.line, 3);
    }

    #[test]
    fn broken_yaml_names_its_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("a: 1\nb: \"open\nc: 2\n", 2, "cannot be read"),
            ("a: 1\nb: [1, 2\n", 3, "cannot be read"),
            ("a: 1\n  b: 2\n", 2, "cannot be read"),
            ("a: 1\nb:\n\t- x\n", 3, "cannot be read"),
            ("a: 1\nb: 2\na: 3\n", 3, "`a` appears twice (lines 1 and 3)"),
            ("? [a]\n: 1\n", 1, "keys must be plain text"),
        ];
        for (text, line, reason) in cases {
            let error = load(text, 0).expect_err(text);
            assert_eq!(error.line, *line, "{text:?}: {error:?}");
            assert!(error.reason.contains(reason), "{text:?}: {error:?}");
        }
    }

    #[test]
    fn anchors_tags_and_scalar_styles() {
        let found = entries("a: &x {b: 1}\nc: *x\nd: !!str 12\ne: '12'\nf: >-\n  folded\n  text\n1.50: key\n");
        let values: Vec<(&str, &Value)> = found.iter().map(|entry| (entry.key.as_str(), &entry.value)).collect();
        assert_eq!(
            values,
            [
                ("a", &json!({"b": 1})),
                ("c", &json!({"b": 1})),
                ("d", &json!("12")),
                ("e", &json!("12")),
                ("f", &json!("folded text")),
                ("1.50", &json!("key")),
            ]
        );
    }

    #[test]
    fn written_values_read_back_equal() {
        let cases = [
            json!("plain text, with a comma"),
            json!(""),
            json!(" padded "),
            json!("true"),
            json!("12"),
            json!("1e3"),
            json!("null"),
            json!("- dash"),
            json!("key: value"),
            json!("a # not a comment"),
            json!("line one\nline two"),
            json!("quote \" and backslash \\ and \\n"),
            json!("tab\there"),
            json!("\u{7f}\u{85}\u{feff}\u{2028}\u{1F600}"),
            json!("---"),
            json!("..."),
            json!(null),
            json!(true),
            json!(-3),
            json!(2.5),
            json!(1e300),
            json!({}),
            json!([]),
            json!({"nested": {"deeper": [1, {"x": "y"}, [], [2, 3]]}, "": "empty key"}),
        ];
        for value in cases {
            assert_eq!(reread(&value), value, "{}", write_mapping([("k", &value)]));
        }
    }

    #[test]
    fn plain_where_it_reads_well() {
        let value = json!({"title": "Why do engineers keep a PDH log?", "url": "/learn/x", "n": "12"});
        let text = write_mapping(value.as_object().expect("object").iter().map(|(k, v)| (k.as_str(), v)));
        assert_eq!(text, "n: '12'\ntitle: Why do engineers keep a PDH log?\nurl: /learn/x\n");
        let quoted = json!({"a": "it's: 1\\n2", "b": "two\nlines", "c": " "});
        let text = write_mapping(quoted.as_object().expect("object").iter().map(|(k, v)| (k.as_str(), v)));
        assert_eq!(text, "a: 'it''s: 1\\n2'\nb: \"two\\nlines\"\nc: ' '\n");
    }

    proptest! {
        #[test]
        fn any_string_reads_back(text in any::<String>()) {
            let value = Value::String(text);
            prop_assert_eq!(reread(&value), value);
        }

        #[test]
        fn any_key_reads_back(key in "[ -~]{0,40}") {
            let value = json!(1);
            let text = write_mapping([(key.as_str(), &value)]);
            let found = entries(&text);
            prop_assert_eq!(&found[0].key, &key);
        }
    }
}
