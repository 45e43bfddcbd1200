//! The society's comity rules (`rules/comity.toml`, compiled in): which jurisdictions license
//! holders of a kind of licence from which others without a new examination. Guidance for
//! "jobs that need a licence you could get by comity", never a qualification. A file that
//! cannot be read is refused with its line and the reason.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;
use time::Date;

use super::matching::{Comity, ComityRule, HeldLicence, Wanted};
use crate::member::{Jurisdiction, LicenceKind};

/// The file compiled into the binary.
const EMBEDDED: &str = include_str!("../../../../rules/comity.toml");

/// A comity file that cannot be used: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {reason}")]
pub struct ComityFileError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    to: String,
    kind: String,
    from: Vec<String>,
    condition: String,
    sources: Vec<String>,
    confidence: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Comity {
    /// Reads a comity file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Comity, ComityFileError> {
        let refuse = |offset: usize, reason: String| ComityFileError {
            file: file.to_string(),
            line: line_of(text, offset),
            reason,
        };
        let parsed: File =
            toml::from_str(text).map_err(|e| refuse(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
        let mut rules = Vec::new();
        for spanned in parsed.rule {
            let at = spanned.span().start;
            let raw = spanned.into_inner();
            let to = Jurisdiction::parse(&raw.to).map_err(|e| refuse(at, format!("`to`: {e}")))?;
            let kind = LicenceKind::parse(&raw.kind)
                .ok_or_else(|| refuse(at, format!("`kind`: {:?} is not a kind of licence", raw.kind)))?;
            if raw.from.is_empty() {
                return Err(refuse(at, "`from` names no jurisdiction".into()));
            }
            for from in &raw.from {
                let whole_country =
                    from.len() == 3 && from.ends_with('-') && from[..2].chars().all(|c| c.is_ascii_uppercase());
                if !whole_country && Jurisdiction::parse(from).is_err() {
                    return Err(refuse(
                        at,
                        format!("`from`: {from:?} is neither a jurisdiction nor a country (\"US-\")"),
                    ));
                }
            }
            if raw.condition.trim().is_empty() {
                return Err(refuse(at, "`condition` is empty: say what the board asks".into()));
            }
            if raw.sources.is_empty() || raw.sources.iter().any(|s| !s.starts_with("http")) {
                return Err(refuse(at, "`sources` must list the addresses the rule rests on".into()));
            }
            if !matches!(raw.confidence.as_str(), "high" | "medium" | "low") {
                return Err(refuse(at, "`confidence` is high, medium or low".into()));
            }
            rules.push(ComityRule { to, kind, from: raw.from, condition: raw.condition.trim().to_string() });
        }
        Ok(Comity { rules })
    }

    /// The rules compiled in (`rules/comity.toml`); its tests keep it readable.
    pub fn embedded() -> &'static Comity {
        static RULES: OnceLock<Comity> = OnceLock::new();
        RULES.get_or_init(|| Comity::from_toml("rules/comity.toml", EMBEDDED).unwrap_or_else(|e| panic!("{e}")))
    }

    /// The requirement keys (`licence:{to}:{kind}`) the member's current licences would
    /// meet by comity, for "jobs you could get by comity".
    pub fn keys(&self, licences: &[HeldLicence], on: Date) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for held in licences.iter().filter(|l| l.expires_on.is_none_or(|e| e >= on)) {
            for rule in self.rules.iter().filter(|r| r.kind == held.kind && r.to != held.jurisdiction) {
                if self.recognises(&rule.to, held.kind, &held.jurisdiction) {
                    keys.insert(Wanted::Licence { jurisdiction: Some(rule.to.clone()), kind: held.kind }.key());
                }
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::careers::{Need, Requirement, Verdict, assess};

    #[test]
    fn the_embedded_file_is_read() {
        let comity = Comity::embedded();
        assert!(comity.rules.len() >= 5);
        let nv = Jurisdiction::parse("US-NV").unwrap();
        assert!(comity.recognises(&nv, LicenceKind::ProfessionalEngineer, &Jurisdiction::parse("US-TX").unwrap()));
        assert!(!comity.recognises(&nv, LicenceKind::ProfessionalEngineer, &Jurisdiction::parse("CA-ON").unwrap()));
        assert!(!comity.recognises(&nv, LicenceKind::StructuralEngineer, &Jurisdiction::parse("US-TX").unwrap()));
    }

    #[test]
    fn a_bad_file_is_refused_with_its_line_and_reason() {
        let rule = |to: &str, kind: &str, from: &str, sources: &str, confidence: &str| {
            format!(
                "# a comment\n\n[[rule]]\nto = \"{to}\"\nkind = \"{kind}\"\nfrom = [{from}]\ncondition = \"Apply.\"\n\
                 sources = [{sources}]\nconfidence = \"{confidence}\"\n"
            )
        };
        let good = rule("US-NV", "PE", "\"US-\"", "\"https://example.org\"", "medium");
        assert_eq!(Comity::from_toml("c.toml", &good).unwrap().rules.len(), 1);
        let cases = [
            (rule("Atlantis", "PE", "\"US-\"", "\"https://example.org\"", "high"), 3, "`to`"),
            (rule("US-NV", "XE", "\"US-\"", "\"https://example.org\"", "high"), 3, "`kind`"),
            (rule("US-NV", "PE", "", "\"https://example.org\"", "high"), 3, "`from` names no"),
            (rule("US-NV", "PE", "\"Mars\"", "\"https://example.org\"", "high"), 3, "`from`: \"Mars\""),
            (rule("US-NV", "PE", "\"US-\"", "", "high"), 3, "`sources`"),
            (rule("US-NV", "PE", "\"US-\"", "\"https://example.org\"", "sure"), 3, "`confidence`"),
            ("[[rule]]\nto = \"US-NV\"\nkind = 7\n".to_string(), 3, "invalid type"),
            ("[[rule]]\nto = \"US-NV\"\nwhen = \"now\"\n".to_string(), 3, "unknown field"),
        ];
        for (text, line, reason) in cases {
            let err = Comity::from_toml("c.toml", &text).unwrap_err();
            assert_eq!((err.file.as_str(), err.line), ("c.toml", line), "{err}");
            assert!(err.reason.contains(reason), "{err}");
        }
    }

    /// The keys agree with the matcher: a job wanting exactly one key is "by comity" for the
    /// member iff the key is among `keys` and not among the keys they hold.
    #[test]
    fn comity_keys_agree_with_the_matcher() {
        let on = date!(2026 - 12 - 06);
        let comity = Comity::embedded();
        let licences = vec![
            HeldLicence {
                jurisdiction: Jurisdiction::parse("US-TX").unwrap(),
                kind: LicenceKind::ProfessionalEngineer,
                expires_on: None,
            },
            HeldLicence {
                jurisdiction: Jurisdiction::parse("CA-BC").unwrap(),
                kind: LicenceKind::ProfessionalEngineerCanada,
                expires_on: Some(date!(2026 - 12 - 05)),
            },
        ];
        let keys = comity.keys(&licences, on);
        assert!(keys.contains("licence:US-NV:PE") && keys.contains("licence:US-FL:PE"), "{keys:?}");
        assert!(!keys.iter().any(|k| k.starts_with("licence:CA-")), "an expired licence earns nothing by comity");
        let direct = super::super::held_keys(&licences, &[], on);
        for code in ["US-NV", "US-FL", "US-TX", "US-CA", "CA-ON", "CA-BC"] {
            for kind in [LicenceKind::ProfessionalEngineer, LicenceKind::ProfessionalEngineerCanada] {
                let wanted = Wanted::Licence { jurisdiction: Some(Jurisdiction::parse(code).unwrap()), kind };
                let requirement = Requirement { need: Need::Required, wanted: wanted.clone() };
                let verdict = assess(&licences, &[], &[requirement], on, None, comity).verdict;
                let by_keys = keys.contains(&wanted.key()) && !direct.contains(&wanted.key());
                assert_eq!(by_keys, verdict == Verdict::QualifiesByComity, "{}", wanted.key());
            }
        }
    }
}
