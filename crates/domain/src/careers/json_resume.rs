//! A member's resume in the JSON Resume schema (<https://jsonresume.org/schema>), the open
//! resume format other tools import: its basics, work, education, certificates (the member's
//! licences and certifications) and skills, filled from the society's record.

use serde::{Deserialize, Serialize};

/// A resume as the schema has it (only the sections the society's record can fill).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonResume {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub basics: Basics,
    pub work: Vec<Work>,
    pub education: Vec<Education>,
    pub certificates: Vec<Certificate>,
    pub skills: Vec<Skill>,
}

/// Who the resume is of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basics {
    pub name: String,
    /// The job title.
    pub label: String,
    pub email: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub phone: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub summary: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub city: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub region: String,
}

/// A position held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Work {
    pub name: String,
    pub position: String,
}

/// Education as the record words it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Education {
    pub institution: String,
    #[serde(rename = "studyType")]
    pub study_type: String,
}

/// A licence or certification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub name: String,
    /// The day it was first issued (ISO 8601), when known.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub date: String,
    pub issuer: String,
}

/// A discipline, with what the member says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub name: String,
    pub keywords: Vec<String>,
}

/// What the society's record holds about a member, as a resume reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub employer: String,
    pub city: String,
    /// The region in words ("West South Central").
    pub region: String,
    pub education: String,
    /// Disciplines in words.
    pub disciplines: Vec<String>,
    /// The member's summary (the resume bank's, when they wrote one).
    pub summary: String,
    /// (what, first issued, issuer): "PE licensed in Texas", "2015-06-01", "Texas".
    pub credentials: Vec<(String, String, String)>,
}

/// The schema's address, as the `$schema` of every resume written.
pub const SCHEMA: &str = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json";

impl JsonResume {
    /// The resume of a member's record: empty sections stay empty.
    pub fn from_profile(profile: &Profile) -> JsonResume {
        JsonResume {
            schema: SCHEMA.into(),
            basics: Basics {
                name: profile.name.clone(),
                label: profile.job_title.clone(),
                email: profile.email.clone(),
                phone: profile.phone.clone(),
                summary: profile.summary.clone(),
                location: Location { city: profile.city.clone(), region: profile.region.clone() },
            },
            work: match profile.employer.trim() {
                "" => Vec::new(),
                employer => vec![Work { name: employer.into(), position: profile.job_title.clone() }],
            },
            education: match profile.education.trim() {
                "" => Vec::new(),
                education => vec![Education { institution: String::new(), study_type: education.into() }],
            },
            certificates: profile
                .credentials
                .iter()
                .map(|(name, date, issuer)| Certificate {
                    name: name.clone(),
                    date: date.clone(),
                    issuer: issuer.clone(),
                })
                .collect(),
            skills: profile.disciplines.iter().map(|d| Skill { name: d.clone(), keywords: Vec::new() }).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_fills_the_schema_sections_and_leaves_the_empty_ones_out() {
        let profile = Profile {
            name: "Maya Okafor".into(),
            email: "maya@example.org".into(),
            job_title: "Bridge engineer".into(),
            employer: "Lone Star Bridges".into(),
            city: "Austin".into(),
            disciplines: vec!["Civil".into()],
            credentials: vec![("PE licensed in Texas".into(), "2015-06-01".into(), "Texas".into())],
            ..Profile::default()
        };
        let resume = JsonResume::from_profile(&profile);
        let json = serde_json::to_value(&resume).unwrap();
        assert_eq!(json["$schema"], SCHEMA);
        assert_eq!(json["basics"]["name"], "Maya Okafor");
        assert_eq!(json["basics"]["location"]["city"], "Austin");
        assert_eq!(json["work"][0]["name"], "Lone Star Bridges");
        assert_eq!(json["certificates"][0]["name"], "PE licensed in Texas");
        assert_eq!(json["skills"][0]["name"], "Civil");
        assert_eq!(json["education"].as_array().map(Vec::len), Some(0));
        assert!(json["basics"].get("phone").is_none(), "empty fields are left out");
        let back: JsonResume = serde_json::from_value(json).unwrap();
        assert_eq!(back, resume);
    }
}
