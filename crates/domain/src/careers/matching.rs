//! Whether a member qualifies for a job: each of the job's requirements (a licence of a kind,
//! from one jurisdiction or any; or a certification, named by its CE programme) against the
//! licences and certifications on the member's record, on a day.
//!
//! A licence counts while it has not expired (valid through its expiry date); kinds never
//! stand in for one another (an SE is not a PE, a P.Eng is not a PE). A licence from another
//! jurisdiction counts **by comity** only where the society's comity rules say the job's
//! jurisdiction recognises it, and only while it is current. Preferred requirements never
//! decide; they rank.

use time::Date;

use crate::member::{Jurisdiction, LicenceKind};

/// A licence on the member's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLicence {
    pub jurisdiction: Jurisdiction,
    pub kind: LicenceKind,
    pub expires_on: Option<Date>,
}

/// A certification on the member's record, with the CE programme it follows (`None` for
/// one typed in freely, which no requirement can name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCertification {
    pub programme: Option<String>,
    pub expires_on: Option<Date>,
}

/// What a job asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// A licence of a kind, from one jurisdiction (`None`: any).
    Licence { jurisdiction: Option<Jurisdiction>, kind: LicenceKind },
    /// A certification, by its CE programme's code (for example `PMI-PMP`).
    Certification { programme: String },
}

/// Whether a requirement must be met or only counts in the applicant's favour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Preferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub need: Need,
    pub wanted: Wanted,
}

/// One jurisdiction's recognition of another's licences of a kind (comity, or reciprocity):
/// `to` licenses holders of `kind` from any of `from` without a new examination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComityRule {
    pub to: Jurisdiction,
    pub kind: LicenceKind,
    /// Jurisdictions whose licences it recognises; a code ending in `-` (`US-`) stands for a
    /// whole country's.
    pub from: Vec<String>,
    /// What the board asks, in words shown to members.
    pub condition: String,
}

/// The society's comity rules (data the society keeps, with their sources).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comity {
    pub rules: Vec<ComityRule>,
}

impl Comity {
    /// Whether `to` recognises a `kind` licence from `from`.
    pub fn recognises(&self, to: &Jurisdiction, kind: LicenceKind, from: &Jurisdiction) -> bool {
        self.rules.iter().any(|rule| {
            &rule.to == to
                && rule.kind == kind
                && rule
                    .from
                    .iter()
                    .any(|f| if f.ends_with('-') { from.as_str().starts_with(f.as_str()) } else { f == from.as_str() })
        })
    }
}

/// How one requirement stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Met {
    /// On the record and current. `lapses_before_close`: it expires before the job closes.
    Held {
        lapses_before_close: bool,
    },
    /// Not held there, but a current licence from `from` is recognised by comity.
    ByComity {
        from: Jurisdiction,
    },
    /// Held, but it expired on that day: renewing it would meet the requirement.
    Expired {
        on: Date,
    },
    Missing,
}

impl Met {
    fn held(&self) -> bool {
        matches!(self, Met::Held { .. })
    }
}

/// The verdict on a member for a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every required licence and certification is held and current.
    Qualifies,
    /// Every required one is held or recognised by comity, at least one only by comity
    /// ("jobs that need a licence I could get by comity").
    QualifiesByComity,
    DoesNotQualify,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub verdict: Verdict,
    /// Each requirement, in the job's order, with how it stands.
    pub each: Vec<(Requirement, Met)>,
    /// How many preferred requirements are held: what ranks qualified applicants.
    pub preferred_met: usize,
}

/// Assesses a member's record against a job's requirements on `on` (the job closing on
/// `closes_on`, when it has a closing date).
pub fn assess(
    licences: &[HeldLicence],
    certifications: &[HeldCertification],
    wanted: &[Requirement],
    on: Date,
    closes_on: Option<Date>,
    comity: &Comity,
) -> Assessment {
    let current = |expires_on: Option<Date>| expires_on.is_none_or(|e| e >= on);
    let lapses = |expires_on: Option<Date>| matches!((expires_on, closes_on), (Some(e), Some(c)) if e < c);
    let each: Vec<(Requirement, Met)> = wanted
        .iter()
        .map(|requirement| {
            let met = match &requirement.wanted {
                Wanted::Licence { jurisdiction, kind } => {
                    let same = |l: &&HeldLicence| {
                        l.kind == *kind && jurisdiction.as_ref().is_none_or(|j| *j == l.jurisdiction)
                    };
                    if let Some(held) = licences.iter().filter(same).find(|l| current(l.expires_on)) {
                        Met::Held { lapses_before_close: lapses(held.expires_on) }
                    } else if let Some(by) = jurisdiction.as_ref().and_then(|to| {
                        licences.iter().find(|l| {
                            l.kind == *kind && current(l.expires_on) && comity.recognises(to, *kind, &l.jurisdiction)
                        })
                    }) {
                        Met::ByComity { from: by.jurisdiction.clone() }
                    } else if let Some(on) = licences.iter().filter(same).filter_map(|l| l.expires_on).max() {
                        Met::Expired { on }
                    } else {
                        Met::Missing
                    }
                }
                Wanted::Certification { programme } => {
                    let same = |c: &&HeldCertification| c.programme.as_deref() == Some(programme.as_str());
                    if let Some(held) = certifications.iter().filter(same).find(|c| current(c.expires_on)) {
                        Met::Held { lapses_before_close: lapses(held.expires_on) }
                    } else if let Some(on) = certifications.iter().filter(same).filter_map(|c| c.expires_on).max() {
                        Met::Expired { on }
                    } else {
                        Met::Missing
                    }
                }
            };
            (requirement.clone(), met)
        })
        .collect();
    let required = || each.iter().filter(|(r, _)| r.need == Need::Required);
    let verdict = if required().all(|(_, met)| met.held()) {
        Verdict::Qualifies
    } else if required().all(|(_, met)| met.held() || matches!(met, Met::ByComity { .. })) {
        Verdict::QualifiesByComity
    } else {
        Verdict::DoesNotQualify
    };
    let preferred_met = each.iter().filter(|(r, met)| r.need == Need::Preferred && met.held()).count();
    Assessment { verdict, each, preferred_met }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 12 - 06);

    fn j(code: &str) -> Jurisdiction {
        Jurisdiction::parse(code).unwrap()
    }

    fn licence(jurisdiction: &str, kind: LicenceKind, expires_on: Option<Date>) -> HeldLicence {
        HeldLicence { jurisdiction: j(jurisdiction), kind, expires_on }
    }

    fn requires(jurisdiction: Option<&str>, kind: LicenceKind) -> Requirement {
        Requirement { need: Need::Required, wanted: Wanted::Licence { jurisdiction: jurisdiction.map(j), kind } }
    }

    /// Texas recognises a current PE from any US state (the test's own comity rule).
    fn texas_comity() -> Comity {
        Comity {
            rules: vec![ComityRule {
                to: j("US-TX"),
                kind: LicenceKind::ProfessionalEngineer,
                from: vec!["US-".into()],
                condition: "Apply to the board.".into(),
            }],
        }
    }

    #[test]
    fn a_licence_requirement_against_the_record() {
        use LicenceKind::{ProfessionalEngineer as Pe, ProfessionalEngineerCanada as PEng, StructuralEngineer as Se};
        let yesterday = date!(2026 - 12 - 05);
        let texas_pe = requires(Some("US-TX"), Pe);
        type Case = (&'static str, Requirement, Vec<HeldLicence>, Comity, Met, Verdict);
        let cases: Vec<Case> = vec![
            (
                "held, no expiry",
                texas_pe.clone(),
                vec![licence("US-TX", Pe, None)],
                Comity::default(),
                Met::Held { lapses_before_close: false },
                Verdict::Qualifies,
            ),
            (
                "valid through its expiry day",
                texas_pe.clone(),
                vec![licence("US-TX", Pe, Some(TODAY))],
                Comity::default(),
                Met::Held { lapses_before_close: false },
                Verdict::Qualifies,
            ),
            (
                "expired yesterday",
                texas_pe.clone(),
                vec![licence("US-TX", Pe, Some(yesterday))],
                Comity::default(),
                Met::Expired { on: yesterday },
                Verdict::DoesNotQualify,
            ),
            (
                "kinds never substitute",
                texas_pe.clone(),
                vec![licence("US-TX", Se, None)],
                Comity::default(),
                Met::Missing,
                Verdict::DoesNotQualify,
            ),
            (
                "a P.Eng is not a PE",
                texas_pe.clone(),
                vec![licence("CA-ON", PEng, None)],
                texas_comity(),
                Met::Missing,
                Verdict::DoesNotQualify,
            ),
            (
                "another state's, no comity rule",
                texas_pe.clone(),
                vec![licence("US-OK", Pe, None)],
                Comity::default(),
                Met::Missing,
                Verdict::DoesNotQualify,
            ),
            (
                "another state's, recognised by comity",
                texas_pe.clone(),
                vec![licence("US-OK", Pe, None)],
                texas_comity(),
                Met::ByComity { from: j("US-OK") },
                Verdict::QualifiesByComity,
            ),
            (
                "comity needs a current licence",
                texas_pe.clone(),
                vec![licence("US-OK", Pe, Some(yesterday))],
                texas_comity(),
                Met::Missing,
                Verdict::DoesNotQualify,
            ),
            (
                "held beats comity",
                texas_pe.clone(),
                vec![licence("US-OK", Pe, None), licence("US-TX", Pe, None)],
                texas_comity(),
                Met::Held { lapses_before_close: false },
                Verdict::Qualifies,
            ),
            (
                "a PE from any jurisdiction",
                requires(None, Pe),
                vec![licence("US-FL", Pe, None)],
                Comity::default(),
                Met::Held { lapses_before_close: false },
                Verdict::Qualifies,
            ),
            (
                "an expired one and a current one",
                requires(None, Pe),
                vec![licence("US-FL", Pe, Some(yesterday)), licence("US-GA", Pe, None)],
                Comity::default(),
                Met::Held { lapses_before_close: false },
                Verdict::Qualifies,
            ),
        ];
        for (what, requirement, held, comity, met, verdict) in cases {
            let assessment = assess(&held, &[], std::slice::from_ref(&requirement), TODAY, None, &comity);
            assert_eq!(assessment.each, vec![(requirement, met)], "{what}");
            assert_eq!(assessment.verdict, verdict, "{what}");
        }
    }

    #[test]
    fn certifications_preferred_requirements_and_the_closing_date() {
        use LicenceKind::{ProfessionalEngineer as Pe, StructuralEngineer as Se};
        let pmp = |need| Requirement { need, wanted: Wanted::Certification { programme: "PMI-PMP".into() } };
        let certified = [HeldCertification { programme: Some("PMI-PMP".into()), expires_on: None }];
        let typed_in = [HeldCertification { programme: None, expires_on: None }];
        assert_eq!(
            assess(&[], &certified, &[pmp(Need::Required)], TODAY, None, &Comity::default()).verdict,
            Verdict::Qualifies
        );
        assert_eq!(
            assess(&[], &typed_in, &[pmp(Need::Required)], TODAY, None, &Comity::default()).each[0].1,
            Met::Missing,
            "a certification typed in freely names no programme"
        );

        // A preferred SE neither qualifies nor disqualifies; it ranks.
        let wanted =
            [requires(Some("US-TX"), Pe), Requirement { need: Need::Preferred, ..requires(Some("US-TX"), Se) }];
        let pe_only = assess(&[licence("US-TX", Pe, None)], &[], &wanted, TODAY, None, &Comity::default());
        assert_eq!((pe_only.verdict, pe_only.preferred_met), (Verdict::Qualifies, 0));
        let both = assess(
            &[licence("US-TX", Pe, None), licence("US-TX", Se, None)],
            &[],
            &wanted,
            TODAY,
            None,
            &Comity::default(),
        );
        assert_eq!((both.verdict, both.preferred_met), (Verdict::Qualifies, 1));
        let se_only = assess(&[licence("US-TX", Se, None)], &[], &wanted, TODAY, None, &Comity::default());
        assert_eq!(se_only.verdict, Verdict::DoesNotQualify);

        // Nothing required: everyone qualifies.
        assert_eq!(assess(&[], &[], &[], TODAY, None, &Comity::default()).verdict, Verdict::Qualifies);

        // Current today, but it lapses before the job closes: held, and said so.
        let lapsing = assess(
            &[licence("US-TX", Pe, Some(date!(2026 - 12 - 20)))],
            &[],
            &[requires(Some("US-TX"), Pe)],
            TODAY,
            Some(date!(2027 - 01 - 15)),
            &Comity::default(),
        );
        assert_eq!(lapsing.each[0].1, Met::Held { lapses_before_close: true });
        assert_eq!(lapsing.verdict, Verdict::Qualifies);
    }
}
