//! Licences: their kinds (PE, SE, PLS) and the jurisdictions that issue them. One
//! vocabulary for the join form, the CSV import and the API alike.

use serde::{Deserialize, Serialize};

use crate::identity::Invalid;

/// Kinds of professional licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceKind {
    /// Professional Engineer (PE).
    ProfessionalEngineer,
    /// Structural Engineer (SE).
    StructuralEngineer,
    /// Professional Land Surveyor (PLS).
    ProfessionalLandSurveyor,
}

impl LicenceKind {
    /// Whether this is a professional *engineering* licence (PE or SE).
    pub fn is_engineering(self) -> bool {
        matches!(self, LicenceKind::ProfessionalEngineer | LicenceKind::StructuralEngineer)
    }
}

impl LicenceKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [LicenceKind; 3] =
        [LicenceKind::ProfessionalEngineer, LicenceKind::StructuralEngineer, LicenceKind::ProfessionalLandSurveyor];

    /// The code members, forms and the CSV use: `PE`, `SE` or `PLS`.
    pub fn code(self) -> &'static str {
        match self {
            LicenceKind::ProfessionalEngineer => "PE",
            LicenceKind::StructuralEngineer => "SE",
            LicenceKind::ProfessionalLandSurveyor => "PLS",
        }
    }

    /// The kind with this code, in any case (`pe` is `PE`).
    pub fn parse(code: &str) -> Option<LicenceKind> {
        LicenceKind::ALL.into_iter().find(|k| k.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// A licensing jurisdiction: an ISO country code, a hyphen, and one to three letters or
/// digits for the state or province (`US-TX`, `CA-ON`, `AU-NSW`). Stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Jurisdiction(String);

impl Jurisdiction {
    /// Reads a jurisdiction as people type it (trimmed, any case).
    pub fn parse(raw: &str) -> Result<Jurisdiction, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        let (country, region) = code.split_once('-').unwrap_or(("", ""));
        let valid = country.len() == 2
            && country.bytes().all(|c| c.is_ascii_uppercase())
            && (1..=3).contains(&region.len())
            && region.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if valid {
            Ok(Jurisdiction(code))
        } else {
            Err(Invalid(format!(
                "{:?} is not a jurisdiction — use two letters, '-', and one to three letters or digits, e.g. US-TX or CA-ON",
                raw.trim()
            )))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdictions_are_read_the_same_wherever_they_are_typed() {
        for (raw, read) in [("US-TX", "US-TX"), (" ca-on ", "CA-ON"), ("AU-NSW", "AU-NSW"), ("DE-9", "DE-9")] {
            assert_eq!(Jurisdiction::parse(raw).map(|j| j.to_string()), Ok(read.to_string()), "{raw:?}");
        }
        for bad in ["", "TX", "US", "US-", "USA-TX", "US-TEXA", "U1-TX", "US_TX", "US-T X"] {
            assert!(Jurisdiction::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn licence_kinds_are_read_in_any_case() {
        for (raw, kind) in [
            ("PE", Some(LicenceKind::ProfessionalEngineer)),
            ("pe", Some(LicenceKind::ProfessionalEngineer)),
            (" Se ", Some(LicenceKind::StructuralEngineer)),
            ("pls", Some(LicenceKind::ProfessionalLandSurveyor)),
            ("EIT", None),
            ("", None),
        ] {
            assert_eq!(LicenceKind::parse(raw), kind, "{raw:?}");
        }
        for kind in LicenceKind::ALL {
            assert_eq!(LicenceKind::parse(kind.code()), Some(kind));
        }
    }
}
