//! Licences: their kinds (PE, SE, PLS, P.Eng, CEng) and the jurisdictions that issue them.
//! One vocabulary for the join form, the CSV import, the CE credentials page and the API
//! alike, and the types the store's licence rows carry.

use serde::{Deserialize, Serialize};

use crate::identity::Invalid;

/// What a form says next to a licence's jurisdiction it could not read.
pub const JURISDICTION_HINT: &str = "Enter the licensing jurisdiction as a code such as US-TX, CA-ON or UK.";
/// What a form says next to a licence's kind it could not read.
pub const KIND_HINT: &str = "Choose the kind of licence: PE, SE, PLS, P.Eng or CEng.";

/// Kinds of professional licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LicenceKind {
    /// Professional Engineer (PE), as US states license them.
    ProfessionalEngineer,
    /// Structural Engineer (SE).
    StructuralEngineer,
    /// Professional Land Surveyor (PLS).
    ProfessionalLandSurveyor,
    /// Professional Engineer as Canadian provinces license them (P.Eng).
    ProfessionalEngineerCanada,
    /// Chartered Engineer (CEng), registered by the UK's Engineering Council.
    CharteredEngineer,
}

impl LicenceKind {
    /// Whether this is a professional *engineering* licence (everything but a surveyor's).
    pub fn is_engineering(self) -> bool {
        !matches!(self, LicenceKind::ProfessionalLandSurveyor)
    }
}

impl LicenceKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [LicenceKind; 5] = [
        LicenceKind::ProfessionalEngineer,
        LicenceKind::StructuralEngineer,
        LicenceKind::ProfessionalLandSurveyor,
        LicenceKind::ProfessionalEngineerCanada,
        LicenceKind::CharteredEngineer,
    ];

    /// The code members, forms, the CSV and the database use: `PE`, `SE`, `PLS`, `P.ENG`
    /// or `CENG`.
    pub fn code(self) -> &'static str {
        match self {
            LicenceKind::ProfessionalEngineer => "PE",
            LicenceKind::StructuralEngineer => "SE",
            LicenceKind::ProfessionalLandSurveyor => "PLS",
            LicenceKind::ProfessionalEngineerCanada => "P.ENG",
            LicenceKind::CharteredEngineer => "CENG",
        }
    }

    /// How people write it: `PE`, `SE`, `PLS`, `P.Eng`, `CEng`.
    pub fn label(self) -> &'static str {
        match self {
            LicenceKind::ProfessionalEngineerCanada => "P.Eng",
            LicenceKind::CharteredEngineer => "CEng",
            other => other.code(),
        }
    }

    /// Its full name, as forms offer it: "Professional Engineer (PE)".
    pub fn name(self) -> &'static str {
        match self {
            LicenceKind::ProfessionalEngineer => "Professional Engineer (PE)",
            LicenceKind::StructuralEngineer => "Structural Engineer (SE)",
            LicenceKind::ProfessionalLandSurveyor => "Professional Land Surveyor (PLS)",
            LicenceKind::ProfessionalEngineerCanada => "Professional Engineer, Canada (P.Eng)",
            LicenceKind::CharteredEngineer => "Chartered Engineer (CEng)",
        }
    }

    /// Codes and full names of every kind, for a form's choices.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        LicenceKind::ALL.iter().map(|k| (k.code(), k.name())).collect()
    }

    /// The kind with this code, in any case and with or without the dot (`pe` is `PE`,
    /// `P.Eng` and `PEng` are `P.ENG`).
    pub fn parse(code: &str) -> Option<LicenceKind> {
        let bare = |s: &str| s.trim().replace('.', "").to_ascii_uppercase();
        let wanted = bare(code);
        LicenceKind::ALL.into_iter().find(|k| bare(k.code()) == wanted)
    }
}

impl TryFrom<String> for LicenceKind {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        LicenceKind::parse(&raw).ok_or_else(|| {
            Invalid(format!("{:?} is not a kind of licence — use PE, SE, PLS, P.Eng or CEng", raw.trim()))
        })
    }
}

impl From<LicenceKind> for String {
    fn from(kind: LicenceKind) -> String {
        kind.code().to_string()
    }
}

impl std::fmt::Display for LicenceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A licensing jurisdiction, from [`JURISDICTIONS`]: a US state, DC or territory
/// (`US-TX`), a Canadian province or territory (`CA-ON`), or a national register (`UK`
/// for the Engineering Council). Stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Jurisdiction(String);

/// Every jurisdiction Guildhall knows, by code, with its name.
pub const JURISDICTIONS: &[(&str, &str)] = &[
    ("US-AL", "Alabama"),
    ("US-AK", "Alaska"),
    ("US-AZ", "Arizona"),
    ("US-AR", "Arkansas"),
    ("US-CA", "California"),
    ("US-CO", "Colorado"),
    ("US-CT", "Connecticut"),
    ("US-DE", "Delaware"),
    ("US-DC", "District of Columbia"),
    ("US-FL", "Florida"),
    ("US-GA", "Georgia"),
    ("US-HI", "Hawaii"),
    ("US-ID", "Idaho"),
    ("US-IL", "Illinois"),
    ("US-IN", "Indiana"),
    ("US-IA", "Iowa"),
    ("US-KS", "Kansas"),
    ("US-KY", "Kentucky"),
    ("US-LA", "Louisiana"),
    ("US-ME", "Maine"),
    ("US-MD", "Maryland"),
    ("US-MA", "Massachusetts"),
    ("US-MI", "Michigan"),
    ("US-MN", "Minnesota"),
    ("US-MS", "Mississippi"),
    ("US-MO", "Missouri"),
    ("US-MT", "Montana"),
    ("US-NE", "Nebraska"),
    ("US-NV", "Nevada"),
    ("US-NH", "New Hampshire"),
    ("US-NJ", "New Jersey"),
    ("US-NM", "New Mexico"),
    ("US-NY", "New York"),
    ("US-NC", "North Carolina"),
    ("US-ND", "North Dakota"),
    ("US-OH", "Ohio"),
    ("US-OK", "Oklahoma"),
    ("US-OR", "Oregon"),
    ("US-PA", "Pennsylvania"),
    ("US-RI", "Rhode Island"),
    ("US-SC", "South Carolina"),
    ("US-SD", "South Dakota"),
    ("US-TN", "Tennessee"),
    ("US-TX", "Texas"),
    ("US-UT", "Utah"),
    ("US-VT", "Vermont"),
    ("US-VA", "Virginia"),
    ("US-WA", "Washington"),
    ("US-WV", "West Virginia"),
    ("US-WI", "Wisconsin"),
    ("US-WY", "Wyoming"),
    ("US-AS", "American Samoa"),
    ("US-GU", "Guam"),
    ("US-MP", "Northern Mariana Islands"),
    ("US-PR", "Puerto Rico"),
    ("US-VI", "U.S. Virgin Islands"),
    ("CA-AB", "Alberta"),
    ("CA-BC", "British Columbia"),
    ("CA-MB", "Manitoba"),
    ("CA-NB", "New Brunswick"),
    ("CA-NL", "Newfoundland and Labrador"),
    ("CA-NS", "Nova Scotia"),
    ("CA-NT", "Northwest Territories"),
    ("CA-NU", "Nunavut"),
    ("CA-ON", "Ontario"),
    ("CA-PE", "Prince Edward Island"),
    ("CA-QC", "Quebec"),
    ("CA-SK", "Saskatchewan"),
    ("CA-YT", "Yukon"),
    ("UK", "United Kingdom (Engineering Council)"),
];

impl Jurisdiction {
    /// Reads a jurisdiction as people type it (trimmed, any case): one of [`JURISDICTIONS`].
    pub fn parse(raw: &str) -> Result<Jurisdiction, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        match JURISDICTIONS.iter().find(|(known, _)| *known == code) {
            Some((known, _)) => Ok(Jurisdiction((*known).to_string())),
            None => Err(Invalid(format!(
                "{:?} is not a jurisdiction Guildhall knows — use a code such as US-TX, CA-ON or UK",
                raw.trim()
            ))),
        }
    }

    /// Reads a jurisdiction as a person searching for one types it: its code (`US-TX`), the
    /// code without its country (`TX`, `ON`), or its name (`Texas`, `texas`), in any case.
    /// (No state or territory code of one country is a province code of the other, so `TX`
    /// and `ON` are never ambiguous; `CA` alone is California, as in an address.)
    pub fn find(raw: &str) -> Result<Jurisdiction, Invalid> {
        let wanted = raw.trim();
        let code = wanted.to_ascii_uppercase();
        let found = JURISDICTIONS.iter().find(|(known, name)| {
            *known == code
                || known.split_once('-').is_some_and(|(_, short)| short == code && known.starts_with("US-"))
                || name.eq_ignore_ascii_case(wanted)
        });
        let found = found.or_else(|| {
            JURISDICTIONS.iter().find(|(known, _)| known.split_once('-').is_some_and(|(_, short)| short == code))
        });
        match found {
            Some((known, _)) => Ok(Jurisdiction((*known).to_string())),
            None => Err(Invalid(format!(
                "\u{201c}{wanted}\u{201d} is not a jurisdiction Guildhall knows: type its name (Texas, Ontario) \
                 or its code (US-TX, TX, CA-ON, UK)."
            ))),
        }
    }

    /// Its name: "Texas", "Ontario".
    pub fn name(&self) -> &'static str {
        JURISDICTIONS.iter().find(|(code, _)| *code == self.0).map_or("", |(_, name)| *name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Jurisdiction {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Jurisdiction::parse(&raw)
    }
}

impl From<Jurisdiction> for String {
    fn from(j: Jurisdiction) -> String {
        j.0
    }
}

impl std::fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member holds a licence once: two licences on one record are the same licence when
/// they have the same jurisdiction and kind (a board licenses a person once for a kind,
/// and the CE rule set follows from the two: `US-TX` + `PE` is `US-TX-PE`). The number,
/// dates and licensure method describe that licence; they do not make another. Both are
/// compared as read ([`Jurisdiction::parse`], [`LicenceKind::parse`]), so `us-tx` and `P.Eng`
/// are `US-TX` and `P.ENG`. The database keeps the rule too (`licences_one_per_record`).
pub fn same_licence(a: (&Jurisdiction, LicenceKind), b: (&Jurisdiction, LicenceKind)) -> bool {
    a == b
}

/// What a form says when a licence is already on the record.
pub fn already_held(jurisdiction: &Jurisdiction, kind: LicenceKind) -> String {
    format!(
        "The record already has a {} licence from {} ({jurisdiction}): a licence is recorded once. \
         Change the one on the record instead, or remove it first.",
        kind.label(),
        jurisdiction.name()
    )
}

#[cfg(test)]
mod find_tests {
    use super::*;

    #[test]
    fn a_jurisdiction_is_found_by_code_short_code_or_name() {
        for typed in ["US-TX", "us-tx", "TX", "tx", "Texas", "texas", " TEXAS "] {
            assert_eq!(Jurisdiction::find(typed).unwrap().as_str(), "US-TX", "{typed}");
        }
        assert_eq!(Jurisdiction::find("ON").unwrap().as_str(), "CA-ON");
        assert_eq!(Jurisdiction::find("ontario").unwrap().as_str(), "CA-ON");
        assert_eq!(Jurisdiction::find("CA").unwrap().as_str(), "US-CA");
        assert_eq!(Jurisdiction::find("uk").unwrap().as_str(), "UK");
        assert_eq!(Jurisdiction::find("district of columbia").unwrap().as_str(), "US-DC");
        let refused = Jurisdiction::find("US-ZZ").unwrap_err().to_string();
        assert!(refused.contains("US-ZZ") && refused.contains("Texas"), "{refused}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdictions_are_read_the_same_wherever_they_are_typed() {
        for (raw, read) in
            [("US-TX", "US-TX"), (" ca-on ", "CA-ON"), ("us-dc", "US-DC"), ("US-PR", "US-PR"), ("uk", "UK")]
        {
            assert_eq!(Jurisdiction::parse(raw).map(|j| j.to_string()), Ok(read.to_string()), "{raw:?}");
        }
        for bad in [
            "",
            "Texas",
            "TX",
            "US",
            "US-ZZ",
            "-1",
            "NAN",
            "2024-01-01",
            "US-",
            "USA-TX",
            "US_TX",
            "US-T X",
            "AU-NSW",
            "US-TX\u{202e}",
        ] {
            assert!(Jurisdiction::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            JURISDICTIONS.iter().filter(|(c, _)| c.starts_with("US-")).count(),
            56,
            "50 states, DC, 5 territories"
        );
        assert_eq!(
            JURISDICTIONS.iter().filter(|(c, _)| c.starts_with("CA-")).count(),
            13,
            "10 provinces, 3 territories"
        );
        assert_eq!(Jurisdiction::parse("us-tx").unwrap().name(), "Texas");
    }

    #[test]
    fn licence_kinds_are_read_in_any_case() {
        for (raw, kind) in [
            ("PE", Some(LicenceKind::ProfessionalEngineer)),
            ("pe", Some(LicenceKind::ProfessionalEngineer)),
            (" Se ", Some(LicenceKind::StructuralEngineer)),
            ("pls", Some(LicenceKind::ProfessionalLandSurveyor)),
            ("P.Eng", Some(LicenceKind::ProfessionalEngineerCanada)),
            ("PENG", Some(LicenceKind::ProfessionalEngineerCanada)),
            ("p.eng.", Some(LicenceKind::ProfessionalEngineerCanada)),
            ("CEng", Some(LicenceKind::CharteredEngineer)),
            ("EIT", None),
            ("P", None),
            ("", None),
        ] {
            assert_eq!(LicenceKind::parse(raw), kind, "{raw:?}");
        }
        for kind in LicenceKind::ALL {
            assert_eq!(LicenceKind::parse(kind.code()), Some(kind));
            assert_eq!(LicenceKind::parse(kind.label()), Some(kind));
            assert_eq!(LicenceKind::try_from(String::from(kind)), Ok(kind));
        }
        assert!(LicenceKind::try_from("EIT".to_string()).is_err());
    }

    #[test]
    fn a_licence_is_the_same_licence_by_jurisdiction_and_kind_as_read() {
        let read = |j: &str, k: &str| (Jurisdiction::parse(j).unwrap(), LicenceKind::parse(k).unwrap());
        for (a, b, same) in [
            (("US-TX", "PE"), ("US-TX", "PE"), true),
            (("us-tx ", "pe"), ("US-TX", "PE"), true),
            (("CA-ON", "P.Eng"), ("ca-on", "PENG"), true),
            (("US-TX", "PE"), ("US-TX", "SE"), false),
            (("US-TX", "PE"), ("US-FL", "PE"), false),
        ] {
            let (a, b) = (read(a.0, a.1), read(b.0, b.1));
            assert_eq!(same_licence((&a.0, a.1), (&b.0, b.1)), same, "{a:?} {b:?}");
        }
        let (texas, pe) = read("US-TX", "PE");
        assert!(already_held(&texas, pe).starts_with("The record already has a PE licence from Texas (US-TX)"));
    }
}
