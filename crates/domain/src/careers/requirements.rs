//! A job's requirements as they are stored and searched: each as one key (`licence:US-TX:PE`,
//! `licence:*:PE` for any jurisdiction, `cert:PMI-PMP`), read from the employer's form, and
//! the keys a member's record holds on a day, so that "jobs I qualify for" is "every required
//! key is held".

use std::collections::BTreeSet;

use time::Date;

use super::matching::{HeldCertification, HeldLicence, Need, Requirement, Wanted};
use crate::member::{Jurisdiction, LicenceKind};

impl Need {
    pub const ALL: [Need; 2] = [Need::Required, Need::Preferred];

    /// The code stored in the database and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Need::Required => "required",
            Need::Preferred => "preferred",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Need::Required => "Required",
            Need::Preferred => "Preferred",
        }
    }

    pub fn from_code(code: &str) -> Option<Need> {
        Need::ALL.into_iter().find(|n| n.code() == code)
    }
}

impl TryFrom<String> for Need {
    type Error = crate::codes::UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Need::from_code(&code).ok_or(crate::codes::UnknownCode { what: "requirement need", code })
    }
}

impl Wanted {
    /// The key matching compares: `licence:US-TX:PE`, `licence:*:PE`, `cert:PMI-PMP`.
    pub fn key(&self) -> String {
        match self {
            Wanted::Licence { jurisdiction, kind } => {
                format!("licence:{}:{}", jurisdiction.as_ref().map_or("*", |j| j.as_str()), kind.code())
            }
            Wanted::Certification { programme } => format!("cert:{programme}"),
        }
    }

    /// In words: "PE licensed in Texas", "PE (any jurisdiction)", "certification PMI-PMP".
    pub fn words(&self) -> String {
        match self {
            Wanted::Licence { jurisdiction: Some(j), kind } => format!("{} licensed in {}", kind.label(), j.name()),
            Wanted::Licence { jurisdiction: None, kind } => format!("{} (any jurisdiction)", kind.label()),
            Wanted::Certification { programme } => format!("Certification {programme}"),
        }
    }
}

/// What the employer's form offers for one requirement's "what": a licence kind's code, or
/// `cert:` and a CE programme's code.
pub const CERTIFICATION_PREFIX: &str = "cert:";

/// Reads one requirement row of the employer's form: its need (`required`, `preferred`, or
/// empty for an unused row), what is wanted (a licence kind's code, or `cert:` and a
/// programme from `programmes`), and for a licence the jurisdiction (empty: any).
pub fn parse_requirement(
    need: &str,
    what: &str,
    jurisdiction: &str,
    programmes: &[String],
) -> Result<Option<Requirement>, String> {
    let (need, what, jurisdiction) = (need.trim(), what.trim(), jurisdiction.trim());
    if need.is_empty() && what.is_empty() {
        return Ok(None);
    }
    let need = Need::from_code(need).ok_or("Choose whether it is required or preferred.")?;
    if what.is_empty() {
        return Err("Choose the licence or certification.".into());
    }
    let wanted = match what.strip_prefix(CERTIFICATION_PREFIX) {
        Some(programme) => {
            if !jurisdiction.is_empty() {
                return Err("A certification has no jurisdiction: leave it on “any”.".into());
            }
            match programmes.iter().find(|p| p.as_str() == programme) {
                Some(p) => Wanted::Certification { programme: p.clone() },
                None => return Err("Choose a certification from the list.".into()),
            }
        }
        None => {
            let kind = LicenceKind::parse(what).ok_or("Choose a licence from the list.")?;
            let jurisdiction = match jurisdiction {
                "" => None,
                raw => Some(Jurisdiction::find(raw).map_err(|e| e.to_string())?),
            };
            Wanted::Licence { jurisdiction, kind }
        }
    };
    Ok(Some(Requirement { need, wanted }))
}

/// The keys a member's record holds on `on`: each current licence as its own key and as "any
/// jurisdiction" of its kind, each current certification with a programme by that programme.
/// A job whose required keys are all in this set is one the member qualifies for — the same
/// rule as [`super::assess`]'s `Qualifies`.
pub fn held_keys(licences: &[HeldLicence], certifications: &[HeldCertification], on: Date) -> BTreeSet<String> {
    let current = |expires_on: Option<Date>| expires_on.is_none_or(|e| e >= on);
    let mut keys = BTreeSet::new();
    for l in licences.iter().filter(|l| current(l.expires_on)) {
        keys.insert(Wanted::Licence { jurisdiction: Some(l.jurisdiction.clone()), kind: l.kind }.key());
        keys.insert(Wanted::Licence { jurisdiction: None, kind: l.kind }.key());
    }
    for c in certifications.iter().filter(|c| current(c.expires_on)) {
        if let Some(programme) = &c.programme {
            keys.insert(Wanted::Certification { programme: programme.clone() }.key());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::careers::{Comity, Verdict, assess};

    fn programmes() -> Vec<String> {
        vec!["PMI-PMP".into()]
    }

    #[test]
    fn a_requirement_row_is_read_or_refused_with_a_reason() {
        type Case = (&'static str, &'static str, &'static str, Result<Option<&'static str>, &'static str>);
        let cases: Vec<Case> = vec![
            ("", "", "", Ok(None)),
            ("required", "PE", "US-TX", Ok(Some("licence:US-TX:PE"))),
            ("preferred", "se", "tx", Ok(Some("licence:US-TX:SE"))),
            ("required", "PE", "", Ok(Some("licence:*:PE"))),
            ("required", "P.Eng", "CA-ON", Ok(Some("licence:CA-ON:P.ENG"))),
            ("required", "cert:PMI-PMP", "", Ok(Some("cert:PMI-PMP"))),
            ("required", "cert:PMI-PMP", "US-TX", Err("A certification has no jurisdiction")),
            ("required", "cert:MADE-UP", "", Err("Choose a certification from the list.")),
            ("required", "XX", "", Err("Choose a licence from the list.")),
            ("", "PE", "US-TX", Err("Choose whether it is required or preferred.")),
            ("required", "", "", Err("Choose the licence or certification.")),
            ("required", "PE", "Atlantis", Err("")),
        ];
        for (need, what, jurisdiction, expected) in cases {
            let got = parse_requirement(need, what, jurisdiction, &programmes());
            match (got, expected) {
                (Ok(got), Ok(key)) => assert_eq!(got.map(|r| r.wanted.key()).as_deref(), key, "{need} {what}"),
                (Err(message), Err(start)) => assert!(message.starts_with(start), "{what}: {message}"),
                (got, expected) => panic!("{need} {what} {jurisdiction}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn held_keys_agree_with_the_matcher_on_qualifying() {
        let on = date!(2026 - 12 - 06);
        let tx = Jurisdiction::parse("US-TX").unwrap();
        let fl = Jurisdiction::parse("US-FL").unwrap();
        let licences = vec![
            HeldLicence { jurisdiction: tx.clone(), kind: LicenceKind::ProfessionalEngineer, expires_on: Some(on) },
            HeldLicence {
                jurisdiction: fl.clone(),
                kind: LicenceKind::StructuralEngineer,
                expires_on: Some(date!(2026 - 12 - 05)),
            },
        ];
        let certifications = vec![
            HeldCertification { programme: Some("PMI-PMP".into()), expires_on: None },
            HeldCertification { programme: None, expires_on: None },
        ];
        let keys = held_keys(&licences, &certifications, on);
        assert_eq!(
            keys.iter().map(String::as_str).collect::<Vec<_>>(),
            ["cert:PMI-PMP", "licence:*:PE", "licence:US-TX:PE"]
        );
        let wanted = [
            Wanted::Licence { jurisdiction: Some(tx.clone()), kind: LicenceKind::ProfessionalEngineer },
            Wanted::Licence { jurisdiction: None, kind: LicenceKind::ProfessionalEngineer },
            Wanted::Licence { jurisdiction: Some(fl), kind: LicenceKind::StructuralEngineer },
            Wanted::Licence { jurisdiction: None, kind: LicenceKind::StructuralEngineer },
            Wanted::Licence { jurisdiction: Some(tx), kind: LicenceKind::StructuralEngineer },
            Wanted::Certification { programme: "PMI-PMP".into() },
            Wanted::Certification { programme: "OTHER".into() },
        ];
        for w in wanted {
            let requirement = Requirement { need: Need::Required, wanted: w.clone() };
            let verdict = assess(&licences, &certifications, &[requirement], on, None, &Comity::default()).verdict;
            assert_eq!(keys.contains(&w.key()), verdict == Verdict::Qualifies, "{}", w.key());
        }
    }
}
