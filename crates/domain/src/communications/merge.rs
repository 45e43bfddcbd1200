//! Merge fields: `{{first_name}}` and the like in a campaign's subject and body, filled in
//! for each recipient when the message is made.

use time::Date;

/// The merge fields a campaign may use, with what each is, as the compose page lists them.
pub const MERGE_FIELDS: &[(&str, &str)] = &[
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("full_name", "First and last name"),
    ("member_number", "Member number"),
    ("expires_on", "Membership expiry date"),
    ("pdh_needed", "PDH still needed this renewal period"),
];

/// One recipient's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeValues {
    pub first_name: String,
    pub last_name: String,
    pub member_number: String,
    pub expires_on: Option<Date>,
    /// What the CE engine says is still needed, in words ("4.5 PDH for the Texas PE
    /// licence"), when the campaign uses it.
    pub pdh_needed: Option<String>,
}

impl MergeValues {
    fn value(&self, field: &str) -> Option<String> {
        Some(match field {
            "first_name" => self.first_name.clone(),
            "last_name" => self.last_name.clone(),
            "full_name" => format!("{} {}", self.first_name, self.last_name).trim().to_string(),
            "member_number" => self.member_number.clone(),
            "expires_on" => self.expires_on.map(long_date).unwrap_or_else(|| "no expiry".into()),
            "pdh_needed" => self.pdh_needed.clone().unwrap_or_else(|| "none".into()),
            _ => return None,
        })
    }
}

fn long_date(day: Date) -> String {
    format!("{} {} {}", day.day(), day.month(), day.year())
}

/// The fields a text uses, in order of first use, each once.
pub fn fields_used(text: &str) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    for (_, field, _) in placeholders(text) {
        if !used.iter().any(|u| u == field) {
            used.push(field.to_string());
        }
    }
    used
}

/// Why a text's merge fields cannot be filled, if they cannot: each unknown field named.
pub fn merge_problem(text: &str) -> Option<String> {
    let unknown: Vec<String> = fields_used(text)
        .into_iter()
        .filter(|f| !MERGE_FIELDS.iter().any(|(known, _)| known == f))
        .map(|f| format!("{{{{{f}}}}}"))
        .collect();
    (!unknown.is_empty()).then(|| {
        let known: Vec<String> = MERGE_FIELDS.iter().map(|(f, _)| format!("{{{{{f}}}}}")).collect();
        format!("{} is not a merge field; use {}.", unknown.join(", "), known.join(", "))
    })
}

/// The text with each known field replaced by the recipient's value passed through
/// `escape` (Markdown escaping for the body, nothing for plain text); unknown ones stay.
pub fn merge(text: &str, values: &MergeValues, escape: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = 0;
    for (range, field, _) in placeholders(text) {
        if let Some(value) = values.value(field) {
            out.push_str(&text[rest..range.start]);
            out.push_str(&escape(&value));
            rest = range.end;
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// A value made safe to put into Markdown: its punctuation taken literally.
pub fn escape_markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_punctuation() && !matches!(c, '.' | ',' | '\'' | '-' | '@') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Each `{{ field }}` in the text: its byte range, the field's name, and the raw text.
fn placeholders(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let start = from + text.get(from..)?.find("{{")?;
            let end = start + 2 + text[start + 2..].find("}}")? + 2;
            let inner = text[start + 2..end - 2].trim();
            from = start + 1;
            if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                from = end;
                return Some((start..end, inner, &text[start..end]));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn maya() -> MergeValues {
        MergeValues {
            first_name: "Maya".into(),
            last_name: "O'Neil-Rao".into(),
            member_number: "M-000123".into(),
            expires_on: Some(date!(2027 - 03 - 31)),
            pdh_needed: Some("4.5 PDH for the Texas PE licence".into()),
        }
    }

    #[test]
    fn fields_are_filled_and_unknown_ones_left_as_written() {
        let plain = |v: &str| v.to_string();
        let cases = [
            ("Dear {{first_name}},", "Dear Maya,"),
            ("Dear {{ full_name }} ({{member_number}})", "Dear Maya O'Neil-Rao (M-000123)"),
            ("Renew by {{expires_on}}.", "Renew by 31 March 2027."),
            ("You still need {{pdh_needed}}.", "You still need 4.5 PDH for the Texas PE licence."),
            ("{{first_name}}{{first_name}}", "MayaMaya"),
            ("Hello {{nickname}} and {{ }} and {{first name}}", "Hello {{nickname}} and {{ }} and {{first name}}"),
            ("Unclosed {{first_name", "Unclosed {{first_name"),
            ("{{{first_name}}}", "{Maya}"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(merge(text, &maya(), plain), want, "{text}");
        }
        let no_expiry = MergeValues { expires_on: None, pdh_needed: None, ..maya() };
        assert_eq!(merge("{{expires_on}} / {{pdh_needed}}", &no_expiry, plain), "no expiry / none");
    }

    #[test]
    fn values_in_the_body_are_taken_literally_by_markdown() {
        let tricky = MergeValues { first_name: "*Jo* <b>".into(), ..maya() };
        assert_eq!(merge("Hi {{first_name}}", &tricky, escape_markdown), "Hi \\*Jo\\* \\<b\\>");
        assert_eq!(merge("{{last_name}}", &maya(), escape_markdown), "O'Neil-Rao");
    }

    #[test]
    fn unknown_fields_are_named_once() {
        assert_eq!(merge_problem("Dear {{first_name}}, see {{expires_on}}"), None);
        let problem = merge_problem("{{nick}} {{nick}} {{title}}").expect("two unknown fields");
        assert!(problem.starts_with("{{nick}}, {{title}} is not a merge field; use {{first_name}}"), "{problem}");
        assert_eq!(fields_used("{{pdh_needed}} {{first_name}} {{pdh_needed}}"), ["pdh_needed", "first_name"]);
    }
}
