//! The JSON entry point (`guildhall ce evaluate FILE|-`). Format: docs/ce-evaluate.md.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;
use time::Date;

use crate::CeError;
use crate::amount::{MICRO, micro_from_f64};
use crate::dates::parse_iso;
use crate::engine::{Names, evaluate_member};
use crate::model::{Activity, Credential, LicensureMethod, Member, Session, When};
use crate::report::Evaluation;
use crate::rules::{MAX_TAGS, RuleBook, TagSet, Unit};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    as_of: String,
    credentials: Vec<InCredential>,
    #[serde(default)]
    activities: Vec<InActivity>,
}

#[derive(Deserialize)]
struct InCredential {
    id: String,
    ruleset: String,
    issued: String,
    expires: Option<String>,
    licensure_method: Option<String>,
    birth_date: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InSession {
    date: String,
    hours: Option<f64>,
    minutes: Option<f64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct InProvider {
    name: Option<String>,
    approved_by: Option<OneOrMany>,
    #[serde(flatten)]
    #[allow(dead_code)]
    extra: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct InActivity {
    id: String,
    kind: String,
    #[serde(default)]
    tags: Vec<String>,
    date: Option<String>,
    sessions: Option<Vec<InSession>>,
    start: Option<String>,
    end: Option<String>,
    quantity: Option<f64>,
    unit: Option<String>,
    provider: Option<InProvider>,
    organization: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

fn bad(msg: impl Into<String>) -> CeError {
    CeError::Input(msg.into())
}

fn date(what: &str, s: &str) -> Result<Date, CeError> {
    parse_iso(s).ok_or_else(|| bad(format!("{what}: \"{s}\" is not a valid date (expected YYYY-MM-DD)")))
}

fn micro(what: &str, v: f64) -> Result<i64, CeError> {
    if v < 0.0 {
        return Err(bad(format!("{what}: must not be negative (got {v})")));
    }
    micro_from_f64(v).ok_or_else(|| bad(format!("{what}: {v} is out of range")))
}

/// Parses evaluation input into the engine's [`Member`] and the [`Names`] used in explanations.
pub fn parse_input(input: &str, book: &RuleBook) -> Result<(Member, Names), CeError> {
    let inp: Input = serde_json::from_str(input)
        .map_err(|e| bad(format!("line {} column {}: {}", e.line(), e.column(), strip_pos(&e.to_string()))))?;
    let as_of = date("as_of", &inp.as_of)?;
    let mut member = Member { as_of: Some(as_of), ..Member::default() };
    let mut names = Names::default();

    for c in &inp.credentials {
        let what = format!("credential \"{}\"", c.id);
        if c.id.trim().is_empty() {
            return Err(bad("a credential has an empty id"));
        }
        if names.credential_ids.contains(&c.id) {
            return Err(bad(format!("{what}: the id is used twice")));
        }
        let Some(ruleset) = book.ruleset_index(&c.ruleset) else {
            return Err(bad(format!(
                "{what}: unknown rule set \"{}\" (known: {})",
                c.ruleset,
                book.ruleset_ids().join(", ")
            )));
        };
        let issued = date(&format!("{what} issued"), &c.issued)?;
        let expires = c.expires.as_deref().map(|e| date(&format!("{what} expires"), e)).transpose()?;
        let birth_date = c.birth_date.as_deref().map(|e| date(&format!("{what} birth_date"), e)).transpose()?;
        let licensure_method = match c.licensure_method.as_deref() {
            None => None,
            Some(m @ ("exam" | "comity" | "endorsement" | "other")) => Some(LicensureMethod::parse(m)),
            Some(m) => {
                return Err(bad(format!(
                    "{what}: licensure_method \"{m}\" must be exam, comity, endorsement or other"
                )));
            }
        };
        let mut fields = Vec::new();
        for (k, v) in &c.extra {
            match v {
                Value::Number(n) => {
                    let f = n.as_f64().ok_or_else(|| bad(format!("{what}: field \"{k}\" is not a usable number")))?;
                    fields.push((k.clone(), micro(&format!("{what} field \"{k}\""), f)?));
                }
                Value::String(_) | Value::Null => {}
                _ => return Err(bad(format!("{what}: field \"{k}\" must be a number or text"))),
            }
        }
        names.credential_ids.push(c.id.clone());
        member.credentials.push(Credential { ruleset, issued, expires, licensure_method, birth_date, fields });
    }

    // Ranks: activities ordered by id, so results never depend on input order.
    let mut ids: Vec<&str> = inp.activities.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            return Err(bad(format!("activity \"{}\": the id is used twice", w[0])));
        }
    }
    let mut orgs: HashMap<String, u32> = HashMap::new();
    let mut extra_tags: Vec<String> = Vec::new();
    for a in &inp.activities {
        let what = format!("activity \"{}\"", a.id);
        if a.id.trim().is_empty() {
            return Err(bad("an activity has an empty id"));
        }
        let rank = ids.binary_search(&a.id.as_str()).unwrap_or(0) as u32;
        let mut tags = TagSet::EMPTY;
        for t in &a.tags {
            let id = match book.tag_id(t) {
                Some(id) => id,
                None => match extra_tags.iter().position(|x| x == t) {
                    Some(i) => (book.tag_count() + i) as u16,
                    None => {
                        if book.tag_count() + extra_tags.len() >= MAX_TAGS {
                            return Err(bad(format!(
                                "{what}: too many distinct tags in one input (limit {})",
                                MAX_TAGS - book.tag_count()
                            )));
                        }
                        extra_tags.push(t.clone());
                        (book.tag_count() + extra_tags.len() - 1) as u16
                    }
                },
            };
            tags.insert(id);
        }
        let given = [a.date.is_some(), a.sessions.is_some(), a.start.is_some() || a.end.is_some()]
            .iter()
            .filter(|x| **x)
            .count();
        if given != 1 {
            return Err(bad(format!("{what}: give exactly one of \"date\", \"sessions\", or \"start\" and \"end\"")));
        }
        let mut unit = match a.unit.as_deref() {
            None => Unit::Hour,
            Some(u) => Unit::parse(u).ok_or_else(|| {
                bad(format!("{what}: unit \"{u}\" is not recognised (hour, minute, ceu, college_semester_hour, college_quarter_hour, item, month, year, credit_on_project, or a credit unit such as PDH, PDU, RU)"))
            })?,
        };
        let mut quantity = a.quantity.map(|q| micro(&format!("{what} quantity"), q)).transpose()?;
        let when = if let Some(d) = &a.date {
            When::Date(date(&format!("{what} date"), d)?)
        } else if let Some(ss) = &a.sessions {
            if ss.is_empty() {
                return Err(bad(format!("{what}: \"sessions\" is empty")));
            }
            let start = member.sessions.len() as u32;
            let mut sum = 0i64;
            for (i, s) in ss.iter().enumerate() {
                let d = date(&format!("{what} session {}", i + 1), &s.date)?;
                let h = match (s.hours, s.minutes) {
                    (Some(h), None) => micro(&format!("{what} session {} hours", i + 1), h)?,
                    (None, Some(m)) => micro(&format!("{what} session {} minutes", i + 1), m)? / 60,
                    _ => return Err(bad(format!("{what} session {}: give \"hours\" or \"minutes\"", i + 1))),
                };
                sum += h;
                member.sessions.push(Session { date: d, hours: h });
            }
            if a.unit.is_none() || unit == Unit::Minute {
                unit = Unit::Hour;
                quantity = Some(sum);
            }
            When::Sessions { start, len: ss.len() as u32 }
        } else {
            let (Some(s), Some(e)) = (&a.start, &a.end) else {
                return Err(bad(format!("{what}: give both \"start\" and \"end\"")));
            };
            let (s, e) = (date(&format!("{what} start"), s)?, date(&format!("{what} end"), e)?);
            if e < s {
                return Err(bad(format!("{what}: end is before start")));
            }
            When::Span { start: s, end: e }
        };
        let quantity = match quantity {
            Some(q) => q,
            None if unit == Unit::Item => MICRO,
            None => return Err(bad(format!("{what}: \"quantity\" is required (with \"unit\", default hour)"))),
        };
        let mut approvals = 0u32;
        let mut org_name = a.organization.clone();
        if let Some(p) = &a.provider {
            let list: Vec<&String> = match &p.approved_by {
                None => Vec::new(),
                Some(OneOrMany::One(s)) => vec![s],
                Some(OneOrMany::Many(v)) => v.iter().collect(),
            };
            for j in list {
                if let Some(bit) = book.jurisdiction_id(j) {
                    approvals |= 1 << bit;
                }
            }
            if org_name.is_none() {
                org_name = p.name.clone();
            }
        }
        let org = match org_name {
            None => 0,
            Some(n) => {
                let next = orgs.len() as u32 + 1;
                *orgs.entry(n).or_insert(next)
            }
        };
        let (mut attrs_true, mut attrs_false) = (0u64, 0u64);
        for (k, v) in &a.extra {
            match v {
                Value::Bool(b) => {
                    if let Some(bit) = book.attr_id(k) {
                        if *b {
                            attrs_true |= 1 << bit;
                        } else {
                            attrs_false |= 1 << bit;
                        }
                    }
                }
                Value::String(_) | Value::Number(_) | Value::Null => {}
                _ => {
                    return Err(bad(format!(
                        "{what}: attribute \"{k}\" must be true/false (or text, which is kept for the record only)"
                    )));
                }
            }
        }
        names.activity_ids.push(a.id.clone());
        member.activities.push(Activity {
            rank,
            kind: book.kind_id(&a.kind),
            tags,
            when,
            quantity,
            unit,
            approvals,
            attrs_true,
            attrs_false,
            org,
        });
    }
    // Diversity masks: every tag (book or input) starting with each prefix.
    for prefix in book.diversity_prefixes() {
        let mut m = TagSet::EMPTY;
        for (name, id) in book.tags.iter() {
            if name.starts_with(prefix.as_str()) {
                m.insert(*id);
            }
        }
        for (i, name) in extra_tags.iter().enumerate() {
            if name.starts_with(prefix.as_str()) {
                m.insert((book.tag_count() + i) as u16);
            }
        }
        member.diversity_masks.push(m);
    }
    names.extra_tags = extra_tags;
    Ok((member, names))
}

fn strip_pos(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// Evaluates one member given as JSON and returns the structured result.
pub fn evaluate_value(input: &str, book: &RuleBook) -> Result<Evaluation, CeError> {
    let (member, names) = parse_input(input, book)?;
    Ok(evaluate_member(book, &member, &names))
}

/// Evaluates one member given as JSON (see docs/ce-evaluate.md) and returns pretty JSON.
pub fn evaluate_json(input: &str, book: &RuleBook) -> Result<String, CeError> {
    let ev = evaluate_value(input, book)?;
    serde_json::to_string_pretty(&ev).map_err(|e| CeError::Input(format!("cannot serialise the result: {e}")))
}
