//! Q&A article files: YAML front matter between `---` lines, read into an [`ArticleFile`] and
//! written back. Pure: text in, values out.
//!
//! Anything after the closing `---` (the files end with `&nbsp;`) is not content and is ignored.
//! Each field is read from the front matter by one function here, and the writer uses the same
//! functions to decide which keys to overwrite: a key that already reads as the record's value is
//! left exactly as it was, so reading, writing and reading again changes nothing.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use time::Date;
use time::macros::format_description;

use super::yaml::{self, Document, Entry};

/// One article file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFile {
    /// `id`: a positive whole number (written as a number or a string of digits).
    pub source_id: i64,
    /// `title`, else `article_title`, else `question`; trimmed and never empty.
    pub title: String,
    /// `question`, else the title.
    pub question: String,
    /// `answer` as Markdown: the files' literal `\n` sequences made real line breaks, trailing
    /// spaces trimmed from each line and the whole trimmed. Never empty.
    pub answer: String,
    /// `subject` as written, trimmed; `None` when missing or blank.
    pub subject: Option<String>,
    /// `author`, or empty.
    pub author: String,
    /// `date` (`YYYY-MM-DD`, or a timestamp that starts so).
    pub published_on: Option<Date>,
    /// `url`: the public path of the article, starting with `/`.
    pub url: Option<String>,
    /// `seo.title`, or empty.
    pub seo_title: String,
    /// `seo.page_description`, or empty.
    pub seo_description: String,
    /// `seo.page_keywords` (a list is joined with `, `), or empty.
    pub seo_keywords: String,
    /// `related_article1…N` in the order of N, once per article, never the article itself.
    pub related: Vec<RelatedLink>,
    /// Every key of the front matter, unknown ones too, as YAML gave them.
    pub front_matter: Value,
    /// The 1-based line of the `id` key in the file.
    pub line: usize,
}

/// A `related_articleN` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLink {
    pub source_id: i64,
    pub title: String,
    pub subject: String,
    pub url: String,
}

/// Why a file was refused: the file's name, the 1-based line to look at, and the reason in plain
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {reason}")]
pub struct FileProblem {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// Longest public path an article may have.
const MAX_URL_CHARS: usize = 300;

/// The keys written first, in this order, when a file is written; the rest follow by name, then
/// the related articles by number.
const WRITE_ORDER: &[&str] = &[
    "id",
    "date",
    "title",
    "article_title",
    "question",
    "answer",
    "subject",
    "author",
    "url",
    "file_name",
    "score",
    "seo",
    "date_format",
    "post_on_text",
    "_schema",
];

/// Parses one file. `name` is only used in the problem, if there is one.
///
/// # Errors
/// A [`FileProblem`] naming the first thing wrong with the file and its line.
pub fn parse_article_file(name: &str, text: &str) -> Result<ArticleFile, FileProblem> {
    let problem = |line: usize, reason: String| FileProblem { file: name.to_owned(), line, reason };
    let front = front_matter(text).map_err(|(line, reason)| problem(line, reason))?;
    let entries = match yaml::load(front.yaml, front.first_line - 1) {
        Ok(Document::Mapping(entries)) => entries,
        Ok(Document::Empty) => return Err(problem(front.opening_line, "the front matter is empty".into())),
        Ok(Document::NotMapping(line)) => {
            return Err(problem(line, "the front matter is not a mapping of keys to values".into()));
        }
        Err(error) => return Err(problem(error.line, error.reason)),
    };
    let line_of = |bad: Bad| {
        let line = bad
            .key
            .and_then(|key| entries.iter().find(|entry| entry.key == key))
            .map_or(front.opening_line, |entry| entry.line);
        problem(line, bad.reason)
    };
    let map: Map<String, Value> = entries.iter().map(|entry| (entry.key.clone(), entry.value.clone())).collect();
    let source_id = read_id(&map).map_err(line_of)?;
    let title = read_title(&map).map_err(line_of)?;
    let question = read_question(&map).map_err(line_of)?;
    let answer = read_answer(&map).map_err(line_of)?;
    let published_on = read_date(&map).map_err(line_of)?;
    let url = read_url(&map).map_err(line_of)?;
    let subject = read_subject(&map).map_err(line_of)?;
    let author = read_author(&map).map_err(line_of)?;
    let (seo_title, seo_description, seo_keywords) = read_seo(&map).map_err(line_of)?;
    let related = read_related(&map, source_id).map_err(line_of)?;
    let line = entries.iter().find(|entry| entry.key == "id").map_or(front.opening_line, |entry: &Entry| entry.line);
    Ok(ArticleFile {
        source_id,
        title,
        question,
        answer,
        subject,
        author,
        published_on,
        url,
        seo_title,
        seo_description,
        seo_keywords,
        related,
        front_matter: Value::Object(map),
        line,
    })
}

/// Parses a batch of `(name, text)` files: every file's problem, and each id already used by an
/// earlier file of the batch (reported on the later file, at the line of its id).
///
/// # Errors
/// Every problem found, in the order of the files, when there is at least one.
pub fn parse_batch(files: &[(String, String)]) -> Result<Vec<ArticleFile>, Vec<FileProblem>> {
    let mut articles = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    let mut first_seen: HashMap<i64, (&str, usize)> = HashMap::new();
    for (name, text) in files {
        match parse_article_file(name, text) {
            Ok(article) => {
                if let Some((other, other_line)) = first_seen.get(&article.source_id) {
                    problems.push(FileProblem {
                        file: name.clone(),
                        line: article.line,
                        reason: format!("id {} is also in {other} (line {other_line})", article.source_id),
                    });
                } else {
                    first_seen.insert(article.source_id, (name, article.line));
                }
                articles.push(article);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() { Ok(articles) } else { Err(problems) }
}

/// Writes `article` back as a file that [`parse_article_file`] reads to the same record.
///
/// Starts from `front_matter`, keeping every key; a known key that does not already read as the
/// record's value is overwritten (the answer in the files' own convention, its line breaks
/// written as literal `\n`), and when the related links differ every `related_articleN` key is
/// replaced by `related_article1…N`. `id` comes first. The file is `---`, the YAML, `---`.
///
/// A record that breaks the rules (an empty title, a bad url) is written as it is, and reading
/// the file refuses it. `line` is not written: a written file has its `id` on line 2.
#[must_use]
pub fn write_article_file(article: &ArticleFile) -> String {
    let mut map = match &article.front_matter {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    if read_id(&map).ok() != Some(article.source_id) {
        map.insert("id".into(), Value::from(article.source_id));
    }
    let title_differs = |map: &Map<String, Value>| read_title(map).ok().as_ref() != Some(&article.title);
    if title_differs(&map) {
        map.insert("title".into(), Value::from(article.title.clone()));
    }
    if read_question(&map).ok().as_ref() != Some(&article.question) {
        map.insert("question".into(), Value::from(article.question.clone()));
        // The title may have come from the question.
        if title_differs(&map) {
            map.insert("title".into(), Value::from(article.title.clone()));
        }
    }
    if read_answer(&map).ok().as_ref() != Some(&article.answer) {
        map.insert("answer".into(), Value::from(article.answer.replace('\n', "\\n")));
    }
    if read_date(&map).ok() != Some(article.published_on) {
        set_or_remove(&mut map, "date", article.published_on.map(iso_date).unwrap_or_default());
    }
    if read_url(&map).ok().as_ref() != Some(&article.url) {
        set_or_remove(&mut map, "url", article.url.clone().unwrap_or_default());
    }
    if read_subject(&map).ok().as_ref() != Some(&article.subject) {
        set_or_remove(&mut map, "subject", article.subject.clone().unwrap_or_default());
    }
    if read_author(&map).ok().as_ref() != Some(&article.author) {
        set_or_remove(&mut map, "author", article.author.clone());
    }
    let seo = (article.seo_title.clone(), article.seo_description.clone(), article.seo_keywords.clone());
    if read_seo(&map).ok() != Some(seo) {
        let mut seo = match map.remove("seo") {
            Some(Value::Object(seo)) => seo,
            _ => Map::new(),
        };
        set_or_remove(&mut seo, "title", article.seo_title.clone());
        set_or_remove(&mut seo, "page_description", article.seo_description.clone());
        set_or_remove(&mut seo, "page_keywords", article.seo_keywords.clone());
        if !seo.is_empty() {
            map.insert("seo".into(), Value::Object(seo));
        }
    }
    if read_related(&map, article.source_id).ok().as_ref() != Some(&article.related) {
        map.retain(|key, _| related_number(key).is_none());
        for (index, link) in article.related.iter().enumerate() {
            let entry = json!({"id": link.source_id, "title": link.title, "subject": link.subject, "url": link.url});
            map.insert(format!("related_article{}", index + 1), entry);
        }
    }

    let mut related: Vec<(u64, &str, &Value)> =
        map.iter().filter_map(|(key, value)| Some((related_number(key)?, key.as_str(), value))).collect();
    related.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let known = WRITE_ORDER.iter().filter_map(|key| map.get_key_value(*key)).map(|(key, value)| (key.as_str(), value));
    let others = map
        .iter()
        .filter(|(key, _)| !WRITE_ORDER.contains(&key.as_str()) && related_number(key).is_none())
        .map(|(key, value)| (key.as_str(), value));
    let yaml = yaml::write_mapping(known.chain(others).chain(related.into_iter().map(|(_, key, value)| (key, value))));
    format!("---\n{yaml}---\n")
}

/// Sets `key` to `text`, or removes it when `text` is empty.
fn set_or_remove(map: &mut Map<String, Value>, key: &str, text: String) {
    if text.is_empty() {
        map.remove(key);
    } else {
        map.insert(key.to_owned(), Value::String(text));
    }
}

fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Where the front matter is in a file.
struct FrontMatter<'a> {
    /// The line of the opening `---`.
    opening_line: usize,
    /// The line the YAML starts on, just after the opening `---`.
    first_line: usize,
    /// The text between the `---` lines.
    yaml: &'a str,
}

/// Finds the front matter and refuses tab indentation in it. A problem is its line and reason.
fn front_matter(text: &str) -> Result<FrontMatter<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    });
    let mut opening = None;
    for (number, (start, line)) in (1..).zip(lines.by_ref()) {
        if line.trim().is_empty() {
            continue;
        }
        if line.trim_end() != "---" {
            return Err((number, "the file does not start with a `---` line".into()));
        }
        opening = Some((number, start + line.len()));
        break;
    }
    let Some((opening_line, yaml_start)) = opening else { return Err((1, "the file is empty".into())) };
    let first_line = opening_line + 1;
    for (number, (start, line)) in (first_line..).zip(lines) {
        if line.trim_end() == "---" {
            return Ok(FrontMatter { opening_line, first_line, yaml: &text[yaml_start..start] });
        }
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if indent.contains('\t') && !line.trim().is_empty() {
            return Err((number, "a tab is used for indentation; indent with spaces".into()));
        }
    }
    Err((opening_line, "the front matter is not closed by a `---` line".into()))
}

/// A field that cannot be read: the top-level key to blame (none: blame the opening line) and why.
struct Bad {
    key: Option<String>,
    reason: String,
}

impl Bad {
    fn at(key: &str, reason: String) -> Self {
        Bad { key: Some(key.to_owned()), reason }
    }
}

/// The trimmed text of `key`: `None` when missing, null or blank; numbers and booleans as written.
fn read_text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, Bad> {
    text_of(map.get(key)).map_err(|()| Bad::at(key, format!("`{key}` must be text, not a mapping or a list")))
}

fn text_of(value: Option<&Value>) -> Result<Option<String>, ()> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Array(_) | Value::Object(_)) => return Err(()),
        Some(other) => yaml::scalar_text(other),
    };
    Ok(Some(text).filter(|text| !text.is_empty()))
}

/// A positive whole number, or a string of digits.
fn positive_id(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => {
            let digits = text.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    }
    .filter(|id| *id > 0)
}

fn read_id(map: &Map<String, Value>) -> Result<i64, Bad> {
    match map.get("id") {
        None => Err(Bad { key: None, reason: "`id` is missing".into() }),
        Some(Value::Null) => Err(Bad::at("id", "`id` is empty".into())),
        Some(value) => positive_id(value).ok_or_else(|| {
            Bad::at("id", format!("`id` must be a positive whole number, not `{}`", yaml::scalar_text(value)))
        }),
    }
}

fn read_title(map: &Map<String, Value>) -> Result<String, Bad> {
    for key in ["title", "article_title", "question"] {
        if let Some(title) = read_text(map, key)? {
            return Ok(title);
        }
    }
    Err(Bad { key: None, reason: "`title` is missing (and there is no `article_title` or `question`)".into() })
}

fn read_question(map: &Map<String, Value>) -> Result<String, Bad> {
    match read_text(map, "question")? {
        Some(question) => Ok(question),
        None => read_title(map),
    }
}

fn read_answer(map: &Map<String, Value>) -> Result<String, Bad> {
    let answer = read_text(map, "answer")?.map(|text| markdown_answer(&text)).unwrap_or_default();
    if !answer.is_empty() {
        Ok(answer)
    } else if map.contains_key("answer") {
        Err(Bad::at("answer", "`answer` is empty".into()))
    } else {
        Err(Bad { key: None, reason: "`answer` is missing".into() })
    }
}

/// The files' answers write line breaks as the two characters `\` `n`; Markdown wants real ones.
fn markdown_answer(text: &str) -> String {
    let text = text.replace("\\n", "\n");
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

fn read_date(map: &Map<String, Value>) -> Result<Option<Date>, Bad> {
    let bad = |written: &str| Bad::at("date", format!("`date` must be a date written YYYY-MM-DD, not `{written}`"));
    let text = match map.get("date") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.trim(),
        Some(other) => return Err(bad(&yaml::scalar_text(other))),
    };
    if text.is_empty() {
        return Ok(None);
    }
    // A timestamp is accepted for its date: `2025-03-02T10:00:00Z`, `2025-03-02 10:00:00 +0000`.
    let day = match text.char_indices().nth(10) {
        None => text,
        Some((end, 'T' | 't' | ' ')) => &text[..end],
        Some(_) => return Err(bad(text)),
    };
    let shape_ok = day.len() == 10
        && day.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape_ok {
        return Err(bad(text));
    }
    Date::parse(day, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| Bad::at("date", format!("`date` is not a real day: `{text}`")))
}

/// Why `url` is not an acceptable public path for an article, if it is not: the file's
/// `url` and staff's edit of an article's address are checked alike.
pub fn url_fault(url: &str) -> Option<&'static str> {
    if !url.starts_with('/') {
        Some("must start with `/`")
    } else if url.starts_with("//") || url.contains('\\') {
        Some("must be a path on this site, not `//` or `\\`")
    } else if url.contains("..") {
        Some("must not contain `..`")
    } else if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("must not contain spaces")
    } else if url.contains(['?', '#']) {
        Some("must not contain `?` or `#`")
    } else if url.chars().count() > MAX_URL_CHARS {
        Some("must be at most 300 characters long")
    } else {
        None
    }
}

fn read_url(map: &Map<String, Value>) -> Result<Option<String>, Bad> {
    let Some(url) = read_text(map, "url")? else { return Ok(None) };
    match url_fault(&url) {
        Some(fault) => Err(Bad::at("url", format!("`url` {fault}: `{url}`"))),
        None => Ok(Some(url)),
    }
}

fn read_subject(map: &Map<String, Value>) -> Result<Option<String>, Bad> {
    read_text(map, "subject")
}

fn read_author(map: &Map<String, Value>) -> Result<String, Bad> {
    Ok(read_text(map, "author")?.unwrap_or_default())
}

fn read_seo(map: &Map<String, Value>) -> Result<(String, String, String), Bad> {
    let seo = match map.get("seo") {
        None | Some(Value::Null) => return Ok(Default::default()),
        Some(Value::Object(seo)) => seo,
        Some(_) => return Err(Bad::at("seo", "`seo` must be a mapping of `title`, `page_description`, …".into())),
    };
    let field = |key: &str| -> Result<String, Bad> {
        let value = match seo.get(key) {
            // Keywords are sometimes a list.
            Some(Value::Array(items)) if key == "page_keywords" => {
                let words: Result<Vec<_>, ()> = items.iter().map(|item| text_of(Some(item))).collect();
                words.map(|words| Some(words.into_iter().flatten().collect::<Vec<_>>().join(", ")))
            }
            value => text_of(value),
        };
        value
            .map(Option::unwrap_or_default)
            .map_err(|()| Bad::at("seo", format!("`seo.{key}` must be text, not a mapping or a list")))
    };
    Ok((field("title")?, field("page_description")?, field("page_keywords")?))
}

/// N of a `related_articleN` key.
fn related_number(key: &str) -> Option<u64> {
    let digits = key.strip_prefix("related_article")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn read_related(map: &Map<String, Value>, own_id: i64) -> Result<Vec<RelatedLink>, Bad> {
    let mut keyed: Vec<(u64, &String, &Value)> =
        map.iter().filter_map(|(key, value)| Some((related_number(key)?, key, value))).collect();
    keyed.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut links: Vec<RelatedLink> = Vec::new();
    for (_, key, value) in keyed {
        let entry = match value {
            Value::Null => continue,
            Value::Object(entry) => entry,
            _ => return Err(Bad::at(key, format!("`{key}` must be a mapping of `id`, `title`, `subject` and `url`"))),
        };
        let source_id = match entry.get("id") {
            None | Some(Value::Null) => return Err(Bad::at(key, format!("`{key}` has no `id`"))),
            Some(id) => positive_id(id).ok_or_else(|| {
                Bad::at(key, format!("`{key}.id` must be a positive whole number, not `{}`", yaml::scalar_text(id)))
            })?,
        };
        let field = |name: &str| {
            text_of(entry.get(name))
                .map(Option::unwrap_or_default)
                .map_err(|()| Bad::at(key, format!("`{key}.{name}` must be text, not a mapping or a list")))
        };
        let link = RelatedLink { source_id, title: field("title")?, subject: field("subject")?, url: field("url")? };
        if let Some(fault) = Some(&link.url).filter(|url| !url.is_empty()).and_then(|url| url_fault(url)) {
            return Err(Bad::at(key, format!("`{key}.url` {fault}: `{}`", link.url)));
        }
        if source_id != own_id && !links.iter().any(|seen| seen.source_id == source_id) {
            links.push(link);
        }
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const EXAMPLE: &str = r"---
id: 900001
date: 2025-03-02
title: >-
    Why do engineers keep a PDH log?
question: >-
    Why do engineers keep a PDH log?
answer: >-
    Keeping a log helps in three ways:\n\n1. **Audits**: boards sample licensees.\n\n2. **Renewals**: totals are due each period.\n\nIn summary, keep one.
subject: Engineering
url: /learn/engineering/questions/why-do-engineers-keep-a-pdh-log
seo:
  title: QuickFacts | Engineering
  page_description: >-
    Why a PDH log matters.
related_article1:
    id: 900002
    title: >-
        What is a PDH?
    subject: Engineering
    url: /learn/engineering/questions/what-is-a-pdh
related_article2:
    id: 900002
    title: >-
        What is a PDH?
    subject: engineering
    url: /learn/engineering/questions/what-is-a-pdh
---

&nbsp;
";

    /// A file with no `score`, no related articles, no `seo` and an `article_title` but no `title`.
    const PLAIN: &str = "---
id: '900003'
date: 2024-11-05T09:30:00Z
article_title: What does a PE stamp certify?
answer: |
  A stamp certifies responsible charge.   
  It is not a warranty.
subject: ' Civil & Structural '
author: J. Doe
file_name: what-does-a-pe-stamp-certify.md
date_format: '%B %d, %Y'
post_on_text: Posted on
_schema: default
---
&nbsp;
";

    /// Related articles out of lexical order, one of them the article itself, plus unknown keys.
    const RELATED: &str = "---
id: 900004
title: Ethics and you
question: How do ethics rules apply to me?
answer: Read your board's rules.\\n\\n- They differ by state.
score: 0.87
tags: [ethics, rules]
draft: false
extra:
  nested: {a: 1}
related_article10:
  id: 900010
  title: Tenth
  subject: Ethics
  url: /learn/ethics/questions/tenth
related_article2:
  id: 900002
  title: Second
  subject: Ethics
  url: /learn/ethics/questions/second
related_article3:
  id: 900004
  title: Itself
  subject: Ethics
  url: /learn/ethics/questions/itself
related_article1:
  id: '900001'
  title: First
  subject: ethics
  url: /learn/ethics/questions/first
---
";

    fn parse(text: &str) -> ArticleFile {
        parse_article_file("test.md", text).unwrap_or_else(|problem| panic!("{problem}"))
    }

    #[test]
    fn the_example_reads_as_markdown() {
        let article = parse(EXAMPLE);
        assert_eq!(article.source_id, 900_001);
        assert_eq!(article.line, 2);
        assert_eq!(article.title, "Why do engineers keep a PDH log?");
        assert_eq!(article.question, "Why do engineers keep a PDH log?");
        assert_eq!(
            article.answer,
            "Keeping a log helps in three ways:\n\n1. **Audits**: boards sample licensees.\n\n\
             2. **Renewals**: totals are due each period.\n\nIn summary, keep one."
        );
        assert!(!article.answer.contains("\\n"));
        assert!(!article.answer.contains("&nbsp;"));
        assert!(article.answer.contains("\n\n1. **Audits**"));
        assert_eq!(article.subject.as_deref(), Some("Engineering"));
        assert_eq!(article.author, "");
        assert_eq!(article.published_on, Some(date!(2025 - 03 - 02)));
        assert_eq!(article.url.as_deref(), Some("/learn/engineering/questions/why-do-engineers-keep-a-pdh-log"));
        assert_eq!(article.seo_title, "QuickFacts | Engineering");
        assert_eq!(article.seo_description, "Why a PDH log matters.");
        assert_eq!(article.seo_keywords, "");
        assert_eq!(
            article.related,
            [RelatedLink {
                source_id: 900_002,
                title: "What is a PDH?".into(),
                subject: "Engineering".into(),
                url: "/learn/engineering/questions/what-is-a-pdh".into(),
            }]
        );
        assert_eq!(article.front_matter["date"], json!("2025-03-02"));
        assert_eq!(article.front_matter["related_article2"]["subject"], json!("engineering"));
    }

    #[test]
    fn a_plain_file_without_score_or_related_articles() {
        let article = parse(PLAIN);
        assert_eq!(article.source_id, 900_003);
        assert_eq!(article.title, "What does a PE stamp certify?", "article_title stands in for title");
        assert_eq!(article.question, article.title);
        assert_eq!(article.answer, "A stamp certifies responsible charge.\nIt is not a warranty.");
        assert_eq!(article.subject.as_deref(), Some("Civil & Structural"));
        assert_eq!(article.author, "J. Doe");
        assert_eq!(article.published_on, Some(date!(2024 - 11 - 05)));
        assert_eq!(article.url, None);
        assert_eq!((article.seo_title.as_str(), article.seo_description.as_str()), ("", ""));
        assert!(article.related.is_empty());
        assert!(article.front_matter.get("score").is_none());
        assert_eq!(article.front_matter["date_format"], json!("%B %d, %Y"));
        assert_eq!(article.front_matter["_schema"], json!("default"));
    }

    #[test]
    fn title_falls_back_to_article_title_then_question() {
        let cases = [
            ("title: T\narticle_title: A\nquestion: Q\n", "T", "Q"),
            ("article_title: A\nquestion: Q\n", "A", "Q"),
            ("title: '  '\narticle_title: A\n", "A", "A"),
            ("question: '  Q  '\n", "Q", "Q"),
            ("title: 2024\n", "2024", "2024"),
        ];
        for (keys, title, question) in cases {
            let article = parse(&format!("---\nid: 1\nanswer: a\n{keys}---\n"));
            assert_eq!((article.title.as_str(), article.question.as_str()), (title, question), "{keys}");
        }
    }

    #[test]
    fn unknown_keys_and_related_order() {
        let article = parse(RELATED);
        assert_eq!(article.front_matter["score"], json!(0.87));
        assert_eq!(article.front_matter["tags"], json!(["ethics", "rules"]));
        assert_eq!(article.front_matter["draft"], json!(false));
        assert_eq!(article.front_matter["extra"], json!({"nested": {"a": 1}}));
        let related: Vec<(i64, &str)> =
            article.related.iter().map(|link| (link.source_id, link.title.as_str())).collect();
        assert_eq!(
            related,
            [(900_001, "First"), (900_002, "Second"), (900_010, "Tenth")],
            "numeric order, no self link"
        );
        assert_eq!(article.answer, "Read your board's rules.\n\n- They differ by state.");
    }

    #[test]
    fn leading_bom_blank_lines_and_crlf_are_fine() {
        let text = format!("\u{feff}\n\n{}", EXAMPLE.replace('\n', "\r\n"));
        let article = parse(&text);
        assert_eq!(article.line, 4);
        assert_eq!(article, ArticleFile { line: 4, ..parse(EXAMPLE) });
    }

    #[test]
    fn malformed_files_name_file_line_and_reason() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "the file is empty"),
            ("id: 1\n", 1, "does not start with a `---` line"),
            ("\n\ntitle: x\n---\n", 3, "does not start with a `---` line"),
            ("---\nid: 1\ntitle: T\nanswer: a\n", 1, "not closed by a `---` line"),
            ("---\nid: 1\ntitle: T\nseo:\n\ttitle: x\nanswer: a\n---\n", 5, "a tab is used for indentation"),
            ("---\n---\n", 1, "the front matter is empty"),
            ("---\n- a\n- b\n---\n", 2, "not a mapping"),
            ("---\ntitle: T\nanswer: a\n---\n", 1, "`id` is missing"),
            ("---\ntitle: T\n\nid: abc\nanswer: a\n---\n", 4, "`id` must be a positive whole number, not `abc`"),
            ("---\nid: -4\ntitle: T\nanswer: a\n---\n", 2, "positive whole number, not `-4`"),
            ("---\nid: 1.5\ntitle: T\nanswer: a\n---\n", 2, "positive whole number"),
            ("---\nid:\ntitle: T\nanswer: a\n---\n", 2, "`id` is empty"),
            ("---\nid: 1\nanswer: a\n---\n", 1, "`title` is missing"),
            ("---\nid: 1\ntitle: [a]\nanswer: a\n---\n", 3, "`title` must be text"),
            ("---\nid: 1\ntitle: T\n---\n", 1, "`answer` is missing"),
            ("---\nid: 1\ntitle: T\nanswer: ' \\n '\n---\n", 4, "`answer` is empty"),
            ("---\nid: 1\ntitle: T\nanswer: a\ndate: 2025-02-30\n---\n", 5, "not a real day: `2025-02-30`"),
            ("---\nid: 1\ntitle: T\nanswer: a\ndate: March 2, 2025\n---\n", 5, "YYYY-MM-DD, not `March 2, 2025`"),
            ("---\nid: 1\ntitle: T\nanswer: a\ndate: 2025-3-2\n---\n", 5, "YYYY-MM-DD"),
            ("---\nid: 1\ntitle: T\nanswer: a\ndate: 20250302\n---\n", 5, "YYYY-MM-DD"),
            ("---\nid: 1\ntitle: T\nanswer: a\nurl: learn/x\n---\n", 5, "`url` must start with `/`: `learn/x`"),
            ("---\nid: 1\ntitle: T\nanswer: a\nurl: /a/../b\n---\n", 5, "must not contain `..`"),
            ("---\nid: 1\ntitle: T\nanswer: a\nurl: /a b\n---\n", 5, "must not contain spaces"),
            ("---\nid: 1\ntitle: T\nanswer: a\nurl: /a?b=1\n---\n", 5, "`?` or `#`"),
            ("---\nid: 1\ntitle: T\nanswer: a\nurl: //evil.example/x\n---\n", 5, "a path on this site"),
            ("---\nid: 1\ntitle: T\nanswer: a\nseo: text\n---\n", 5, "`seo` must be a mapping"),
            ("---\nid: 1\ntitle: T\nanswer: a\nrelated_article1:\n  title: x\n---\n", 5, "has no `id`"),
            ("---\nid: 1\ntitle: T\nanswer: a\nrelated_article1: x\n---\n", 5, "must be a mapping"),
            (
                "---\nid: 1\ntitle: T\nanswer: a\nrelated_article1:\n  id: 2\n  url: x\n---\n",
                5,
                "`related_article1.url`",
            ),
            ("---\nid: 1\ntitle: T\nanswer: \"open\n---\n", 4, "the YAML cannot be read"),
            ("---\nid: 1\ntitle: T\n  answer: a\n---\n", 4, "the YAML cannot be read"),
            ("---\nid: 1\ntitle: T\nanswer: a\ntitle: U\n---\n", 5, "`title` appears twice (lines 3 and 5)"),
        ];
        for (text, line, reason) in cases {
            let problem = parse_article_file("bad.md", text).expect_err(text);
            assert_eq!(problem.file, "bad.md");
            assert_eq!(problem.line, *line, "{text:?}: {problem}");
            assert!(problem.reason.contains(reason), "{text:?}: {problem}");
        }
    }

    #[test]
    fn a_long_url_is_refused() {
        let url = format!("/{}", "a".repeat(MAX_URL_CHARS));
        let problem = parse_article_file("long.md", &format!("---\nid: 1\ntitle: T\nanswer: a\nurl: {url}\n---\n"))
            .expect_err("too long");
        assert_eq!((problem.line, problem.reason.contains("at most 300")), (5, true), "{problem}");
        let fits = &url[..MAX_URL_CHARS];
        assert_eq!(parse(&format!("---\nid: 1\ntitle: T\nanswer: a\nurl: {fits}\n---\n")).url.as_deref(), Some(fits));
    }

    #[test]
    fn problems_display_file_line_and_reason() {
        let problem = parse_article_file("x.md", "---\ntitle: T\n").expect_err("unclosed");
        assert_eq!(problem.to_string(), "x.md, line 1: the front matter is not closed by a `---` line");
    }

    #[test]
    fn a_batch_reports_every_problem_and_duplicate_ids() {
        let file = |name: &str, text: &str| (name.to_owned(), text.to_owned());
        let files = [
            file("first.md", EXAMPLE),
            file("unclosed.md", "---\nid: 5\n"),
            file("tabbed.md", "---\nid: 6\nseo:\n\ttitle: x\n---\n"),
            file("no-id.md", "---\ntitle: T\nanswer: a\n---\n"),
            file("word-id.md", "---\ntitle: T\nid: seven\nanswer: a\n---\n"),
            file("again.md", "---\n# same id as first.md\nid: 900001\ntitle: T\nanswer: a\n---\n"),
            file("bad-date.md", "---\nid: 8\ntitle: T\nanswer: a\ndate: 2025-13-01\n---\n"),
            file("bad-url.md", "---\nid: 9\ntitle: T\nanswer: a\nurl: http://example.com/x\n---\n"),
        ];
        let problems = parse_batch(&files).expect_err("problems");
        let found: Vec<(&str, usize)> = problems.iter().map(|p| (p.file.as_str(), p.line)).collect();
        assert_eq!(
            found,
            [
                ("unclosed.md", 1),
                ("tabbed.md", 4),
                ("no-id.md", 1),
                ("word-id.md", 3),
                ("again.md", 3),
                ("bad-date.md", 5),
                ("bad-url.md", 5),
            ]
        );
        assert_eq!(problems[4].to_string(), "again.md, line 3: id 900001 is also in first.md (line 2)");

        let good = [file("first.md", EXAMPLE), file("plain.md", PLAIN), file("related.md", RELATED)];
        let articles = parse_batch(&good).expect("a clean batch");
        let ids: Vec<i64> = articles.iter().map(|a| a.source_id).collect();
        assert_eq!(ids, [900_001, 900_003, 900_004]);
    }

    #[test]
    fn writing_then_reading_changes_nothing() {
        for text in [EXAMPLE, PLAIN, RELATED] {
            let first = parse(text);
            let written = write_article_file(&first);
            assert!(written.starts_with("---\nid: "), "{written}");
            assert!(written.ends_with("\n---\n"), "{written}");
            assert_eq!(parse(&written), first, "{written}");
            assert_eq!(write_article_file(&parse(&written)), written, "writing is stable");
        }
    }

    #[test]
    fn writing_puts_changed_fields_in_the_files_convention() {
        let mut article = parse(EXAMPLE);
        article.source_id = 900_100;
        article.title = "Why keep a log: a primer".into();
        article.question = "Why keep a log?".into();
        article.answer = "Line one.\n\n1. **Two**: three.".into();
        article.subject = None;
        article.author = "A. Author".into();
        article.published_on = Some(date!(2026 - 01 - 09));
        article.url = Some("/learn/x".into());
        article.seo_keywords = "pdh, log".into();
        article.seo_description = String::new();
        article.related.push(RelatedLink {
            source_id: 900_003,
            title: "Stamp".into(),
            subject: "Civil".into(),
            url: String::new(),
        });
        let written = write_article_file(&article);
        assert!(written.contains(r"answer: 'Line one.\n\n1. **Two**: three.'"), "{written}");
        assert!(!written.contains("related_article3"), "{written}");
        let reread = parse(&written);
        assert_eq!(reread.front_matter["answer"], json!("Line one.\\n\\n1. **Two**: three."));
        assert_eq!(reread.front_matter["date"], json!("2026-01-09"));
        assert_eq!(
            reread.front_matter["seo"],
            json!({"title": "QuickFacts | Engineering", "page_keywords": "pdh, log"})
        );
        assert!(reread.front_matter.get("subject").is_none());
        assert_eq!(reread, ArticleFile { front_matter: reread.front_matter.clone(), ..article });
    }

    #[test]
    fn a_title_taken_from_the_question_survives_a_new_question() {
        let mut article = parse("---\nid: 1\nquestion: Old?\nanswer: a\n---\n");
        assert_eq!(article.title, "Old?");
        article.question = "New?".into();
        let reread = parse(&write_article_file(&article));
        assert_eq!((reread.title.as_str(), reread.question.as_str()), ("Old?", "New?"));
    }

    #[test]
    fn a_record_built_by_hand_is_written_whole() {
        let article = ArticleFile {
            source_id: 42,
            title: "Title: with a colon".into(),
            question: "true".into(),
            answer: "First.\n\n  - indented: item\n\"quoted\" \\ end".into(),
            subject: Some("Engineering".into()),
            author: String::new(),
            published_on: None,
            url: None,
            seo_title: String::new(),
            seo_description: String::new(),
            seo_keywords: String::new(),
            related: Vec::new(),
            front_matter: Value::Null,
            line: 2,
        };
        let reread = parse(&write_article_file(&article));
        assert_eq!(reread, ArticleFile { front_matter: reread.front_matter.clone(), ..article });
    }

    /// Fields as a read would leave them, from arbitrary text.
    fn field() -> impl Strategy<Value = String> {
        any::<String>().prop_map(|text| markdown_answer(&text)).prop_filter("non-empty", |text| !text.is_empty())
    }

    proptest! {
        #[test]
        fn any_fields_survive_a_write(
            source_id in 1_i64..,
            title in field(),
            question in field(),
            answer in field(),
            subject in proptest::option::of(field()),
            author in field(),
        ) {
            let article = ArticleFile {
                source_id,
                title,
                question,
                answer,
                subject,
                author,
                published_on: Some(date!(2025 - 03 - 02)),
                url: Some("/learn/a".into()),
                seo_title: "S".into(),
                seo_description: String::new(),
                seo_keywords: String::new(),
                related: Vec::new(),
                front_matter: Value::Null,
                line: 2,
            };
            let written = write_article_file(&article);
            let reread = parse_article_file("p.md", &written).map_err(|p| TestCaseError::fail(format!("{p}\n{written}")))?;
            prop_assert_eq!(&reread, &ArticleFile { front_matter: reread.front_matter.clone(), ..article });
            prop_assert_eq!(parse(&write_article_file(&reread)), reread);
        }
    }
}
