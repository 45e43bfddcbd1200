//! Internal codes in the society's words, one function per kind of code, used by every CE
//! page, download and email: topic tags (`laws_rules:US-FL` → "Florida laws and rules"),
//! activity kinds (`webinar_live` → "Live webinar"), jurisdictions (`US-FL` → "Florida"),
//! rule sets (`US-FL-PE` → the rule set's name), statuses, minimums, and the engine's
//! sentences, which name kinds, tags and minimums by their codes.

use guildhall_ce::RuleBook;
use guildhall_domain::member::{JURISDICTIONS, Jurisdiction};

use super::ledger::{ACTIVITY_KINDS, COMMON_TOPICS};

/// A jurisdiction's name ("US-FL" → "Florida"); an unknown code is shown as it is.
pub fn jurisdiction_words(code: &str) -> String {
    Jurisdiction::parse(code).map(|j| j.name().to_string()).unwrap_or_else(|_| code.to_string())
}

/// A topic tag in words: "laws_rules:US-FL" → "Florida laws and rules", "ethics" → "Ethics /
/// professional conduct", "aoc:structural" → "Aoc: structural".
pub fn topic_words(tag: &str) -> String {
    if let Some((_, label)) = COMMON_TOPICS.iter().find(|(t, _)| *t == tag) {
        return (*label).to_string();
    }
    if let Some(j) = tag.strip_prefix("laws_rules:") {
        return format!("{} laws and rules", jurisdiction_words(j));
    }
    match tag.split_once(':') {
        Some((prefix, value)) => format!("{}: {}", sentence_case(&prefix.replace('_', " ")), value.replace('_', " ")),
        None => sentence_case(&tag.replace('_', " ")),
    }
}

/// An activity kind in words ("webinar_live" → "Live webinar").
pub fn kind_words(kind: &str) -> String {
    ACTIVITY_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(|| sentence_case(&kind.replace('_', " ")), |(_, label)| (*label).to_string())
}

/// A rule set by its name ("US-FL-PE" → "Florida Board of Professional Engineers — PE
/// licence", as its rule file names it); an unknown id is shown as it is.
pub fn ruleset_words(book: &RuleBook, id: &str) -> String {
    book.history(id).and_then(|h| h.versions.last()).map_or_else(|| id.to_string(), |v| v.name.clone())
}

/// A compliance status code in words.
pub fn status_code_words(code: &str) -> &'static str {
    match code {
        "compliant" => "Requirements met",
        "deficient" => "Short of credit",
        "exempt" => "Exempt this period",
        "in_progress" => "In progress",
        "not_required" => "Nothing required",
        "undecidable" => "Cannot be decided",
        _ => "Unknown",
    }
}

/// A minimum's id in words when its rule file gives no label ("laws_rules_FL" → "Florida
/// laws and rules", "area_of_practice" → "Area of practice").
pub fn minimum_words(id: &str) -> String {
    sentence_case(&engine_words(&id.replace('_', " "), ""))
}

/// Where an activity came from, in words ("" for the member's own entries).
pub fn source_words(source: &str) -> String {
    match source {
        "member" | "" => String::new(),
        "event" | "events" => "the society's events".into(),
        other => other.replace('_', " "),
    }
}

fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// One of the engine's sentences with its codes in words: kinds ("webinar_live: 1 per contact
/// hour" → "live webinar: 1 PDH per contact hour" given the unit "PDH"), tags, minimum labels
/// that only repeat their id ("laws rules FL" → "Florida laws and rules") and jurisdictions.
pub fn engine_words(text: &str, unit: &str) -> String {
    // Minimum labels made from ids: "laws rules FL", "laws_rules_FL".
    let mut text = text.replace("laws_rules_", "laws rules ");
    if text.contains("laws rules ") {
        for (code, name) in JURISDICTIONS {
            let short = code.rsplit('-').next().unwrap_or(code);
            text = text.replace(&format!("laws rules {short}"), &format!("{name} laws and rules"));
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    let is_code_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.');
    while !rest.is_empty() {
        let start = rest.find(is_code_char).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c| !is_code_char(c)).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        // A sentence's full stop or a time's colon stays outside the token.
        let trimmed = token.trim_end_matches(['.', ':', '-']);
        let tail = &token[trimmed.len()..];
        out.push_str(&token_words(trimmed));
        out.push_str(tail);
        if !unit.is_empty()
            && trimmed.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !trimmed.is_empty()
            && tail.is_empty()
            && after.starts_with(" per ")
        {
            out.push(' ');
            out.push_str(unit);
        }
        rest = after;
    }
    out
}

fn token_words(token: &str) -> String {
    if ACTIVITY_KINDS.iter().any(|(k, _)| *k == token) {
        return lower_first(&kind_words(token));
    }
    if JURISDICTIONS.iter().any(|(code, _)| *code == token && code.contains('-')) {
        return jurisdiction_words(token);
    }
    let looks_like_tag = token.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if looks_like_tag && token.contains(':') && !token.ends_with(':') {
        let words = topic_words(token);
        return if token.starts_with("laws_rules:") { words } else { lower_first(&words) };
    }
    if looks_like_tag && token.contains('_') {
        return token.replace('_', " ");
    }
    token.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(topic_words("laws_rules:US-FL"), "Florida laws and rules");
        assert_eq!(topic_words("ethics"), "Ethics / professional conduct");
        assert_eq!(topic_words("sexual_harassment_prevention"), "Sexual harassment prevention");
        assert_eq!(kind_words("webinar_live"), "Live webinar");
        assert_eq!(jurisdiction_words("CA-ON"), "Ontario");
        assert_eq!(minimum_words("laws_rules_FL"), "Florida laws and rules");
        assert_eq!(minimum_words("area_of_practice"), "Area of practice");
        assert_eq!(
            engine_words("2 PDH on 2026-03-01 (webinar_live: 1 per contact hour)", "PDH"),
            "2 PDH on 2026-03-01 (live webinar: 1 PDH per contact hour)"
        );
        assert_eq!(
            engine_words("1 PDH of laws rules FL by 2027-02-28, from a provider approved by US-FL", "PDH"),
            "1 PDH of Florida laws and rules by 2027-02-28, from a provider approved by Florida"
        );
        assert_eq!(
            engine_words("it is not tagged \"laws_rules:US-FL\".", ""),
            "it is not tagged \"Florida laws and rules\"."
        );
        assert_eq!(
            engine_words("the credential field \"peak_target_hours\" is not recorded", ""),
            "the credential field \"peak target hours\" is not recorded"
        );
    }
}
