//! The JSON entry point (`guildhall ce evaluate FILE|-`). Format: docs/ce-evaluate.md.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use time::Date;

use crate::CeError;
use crate::amount::{MICRO, micro_from_f64};
use crate::build::MemberBuilder;
use crate::dates::parse_iso;
use crate::engine::{Names, evaluate_member};
use crate::model::{Activity, Credential, LicensureMethod, Member, Session, When};
use crate::report::Evaluation;
use crate::rules::{RuleBook, Unit};

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
    let mut builder = MemberBuilder::new(book, as_of);
    let mut credential_ids: Vec<String> = Vec::new();

    for c in &inp.credentials {
        let what = format!("credential \"{}\"", c.id);
        if c.id.trim().is_empty() {
            return Err(bad("a credential has an empty id"));
        }
        if credential_ids.contains(&c.id) {
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
        credential_ids.push(c.id.clone());
        builder.credential(Credential { ruleset, issued, expires, licensure_method, birth_date, fields });
    }

    // Ranks: activities ordered by id, so results never depend on input order.
    let mut ids: Vec<&str> = inp.activities.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            return Err(bad(format!("activity \"{}\": the id is used twice", w[0])));
        }
    }
    let mut activity_ids: Vec<String> = Vec::with_capacity(inp.activities.len());
    for a in &inp.activities {
        let what = format!("activity \"{}\"", a.id);
        if a.id.trim().is_empty() {
            return Err(bad("an activity has an empty id"));
        }
        let rank = ids.binary_search(&a.id.as_str()).unwrap_or(0) as u32;
        let tags = builder
            .tags(a.tags.iter().map(String::as_str))
            .map_err(|e| bad(format!("{what}: too many distinct tags in one input (limit {})", e.limit)))?;
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
            let mut sessions = Vec::with_capacity(ss.len());
            for (i, s) in ss.iter().enumerate() {
                let d = date(&format!("{what} session {}", i + 1), &s.date)?;
                let h = match (s.hours, s.minutes) {
                    (Some(h), None) => micro(&format!("{what} session {} hours", i + 1), h)?,
                    (None, Some(m)) => micro(&format!("{what} session {} minutes", i + 1), m)? / 60,
                    _ => return Err(bad(format!("{what} session {}: give \"hours\" or \"minutes\"", i + 1))),
                };
                sessions.push(Session { date: d, hours: h });
            }
            let (when, sum) = builder.sessions(sessions);
            if a.unit.is_none() || unit == Unit::Minute {
                unit = Unit::Hour;
                quantity = Some(sum);
            }
            when
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
        let mut org_name = a.organization.as_deref();
        if let Some(p) = &a.provider {
            approvals = match &p.approved_by {
                None => 0,
                Some(OneOrMany::One(j)) => builder.approvals([j.as_str()]),
                Some(OneOrMany::Many(v)) => builder.approvals(v.iter().map(String::as_str)),
            };
            if org_name.is_none() {
                org_name = p.name.as_deref();
            }
        }
        let org = builder.organisation(org_name);
        let mut attributes = Vec::new();
        for (k, v) in &a.extra {
            match v {
                Value::Bool(b) => attributes.push((k.as_str(), *b)),
                Value::String(_) | Value::Number(_) | Value::Null => {}
                _ => {
                    return Err(bad(format!(
                        "{what}: attribute \"{k}\" must be true/false (or text, which is kept for the record only)"
                    )));
                }
            }
        }
        let (attrs_true, attrs_false) = builder.attributes(attributes);
        activity_ids.push(a.id.clone());
        builder.activity(Activity {
            rank,
            kind: builder.kind(&a.kind),
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
    Ok(builder.into_member(credential_ids, activity_ids))
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
