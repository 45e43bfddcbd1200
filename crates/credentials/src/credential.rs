//! An Open Badges 3.0 `OpenBadgeCredential` (W3C VC Data Model 2.0), unsigned: what the
//! society certifies, to whom, for how long, and where its status is published.
//! Only terms of the VC 2.0 and Open Badges 3.0 contexts are used, so the same document
//! can carry a VC-JWT or a Data Integrity proof.

pub use guildhall_domain::credentials::{CredentialKind, StatusPurpose};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The contexts every credential names, in this order (Open Badges 3.0, §8).
pub const CONTEXTS: [&str; 2] =
    ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"];

/// The society as issuer.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// `did:web:…`
    pub did: String,
    pub name: String,
    /// The society's public web address.
    pub url: String,
}

/// The `achievementType` of a kind of credential (the standard's vocabulary, or `ext:`
/// for our own).
pub fn achievement_type(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Course => "Course",
        CredentialKind::Award => "Award",
        CredentialKind::Membership => "Membership",
        CredentialKind::Compliance => "ext:ComplianceSummary",
    }
}

/// Where a credential's status bit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The status list credential's URL.
    pub list_url: String,
    pub index: u32,
    pub purpose: StatusPurpose,
}

/// What is certified.
#[derive(Debug, Clone, PartialEq)]
pub struct Achievement {
    /// A stable URL naming this achievement (the same for everyone who earns it).
    pub id: String,
    pub kind: CredentialKind,
    pub name: String,
    pub description: String,
    /// What it took, in words.
    pub criteria: String,
    /// PDH offered, where the achievement carries credit.
    pub credits_available: Option<f64>,
    /// Topics and keywords.
    pub tags: Vec<String>,
    /// The badge picture.
    pub image_url: Option<String>,
}

/// How the holder is named inside the credential: as they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectIdentity {
    /// SHA-256 of the address and a salt: whoever knows the address can check it;
    /// nobody can read it.
    HashedEmail { email: String, salt: String },
    /// A decentralised identifier the holder controls.
    Did(String),
}

/// The holder and what they earned.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The name printed on the certificate: what the credential certifies about whom.
    pub name: String,
    pub identity: SubjectIdentity,
    pub credits_earned: Option<f64>,
    pub activity_start: Option<OffsetDateTime>,
    pub activity_end: Option<OffsetDateTime>,
    /// An office held (`Chapter President`), for an officer's term.
    pub role: Option<String>,
    /// The period described (`2025–2026`, `Florida PE, 2023–2025`).
    pub term: Option<String>,
}

/// Something that shows how the achievement was earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub name: String,
    pub narrative: String,
}

/// A credential ready to be signed.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialDraft {
    /// `urn:uuid:…`
    pub id: String,
    pub issuer: Issuer,
    pub achievement: Achievement,
    pub subject: Subject,
    pub evidence: Vec<Evidence>,
    pub awarded: OffsetDateTime,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
    pub status: StatusEntry,
}

/// A UUID (version 4) from 16 random bytes, as a `urn:uuid:` URN.
pub fn urn_uuid(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// RFC 3339 in UTC to the second (`2026-01-15T09:00:00Z`).
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_default()
}

/// A JSON number: whole numbers without a fraction, so both proof forms read one value.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 { json!(value as i64) } else { json!(value) }
}

/// `sha256$` + hex(SHA-256(address ‖ salt)), as Open Badges hashes an identity.
pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{salt}", email.trim().to_lowercase()).as_bytes());
    format!("sha256${}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

impl CredentialDraft {
    /// The credential as JSON-LD (compacted; no proof).
    pub fn to_json(&self) -> Value {
        let achievement = &self.achievement;
        let mut achievement_json = Map::new();
        achievement_json.insert("id".into(), json!(achievement.id));
        achievement_json.insert("type".into(), json!(["Achievement"]));
        achievement_json.insert("achievementType".into(), json!(achievement_type(achievement.kind)));
        achievement_json.insert("name".into(), json!(achievement.name));
        achievement_json.insert("description".into(), json!(achievement.description));
        achievement_json.insert("criteria".into(), json!({ "narrative": achievement.criteria }));
        if let Some(credits) = achievement.credits_available {
            achievement_json.insert("creditsAvailable".into(), number(credits));
        }
        if !achievement.tags.is_empty() {
            achievement_json.insert("tag".into(), json!(achievement.tags));
        }
        if let Some(image) = &achievement.image_url {
            achievement_json.insert("image".into(), json!({ "id": image, "type": "Image" }));
        }

        let subject = &self.subject;
        let mut subject_json = Map::new();
        let mut identifiers = vec![json!({
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": false,
            "identityHash": subject.name,
        })];
        match &subject.identity {
            SubjectIdentity::Did(did) => {
                subject_json.insert("id".into(), json!(did));
            }
            SubjectIdentity::HashedEmail { email, salt } => identifiers.push(json!({
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": true,
                "identityHash": identity_hash(email, salt),
                "salt": salt,
            })),
        }
        subject_json.insert("type".into(), json!(["AchievementSubject"]));
        subject_json.insert("identifier".into(), Value::Array(identifiers));
        subject_json.insert("achievement".into(), Value::Object(achievement_json));
        if let Some(credits) = subject.credits_earned {
            subject_json.insert("creditsEarned".into(), number(credits));
        }
        if let Some(start) = subject.activity_start {
            subject_json.insert("activityStartDate".into(), json!(rfc3339(start)));
        }
        if let Some(end) = subject.activity_end {
            subject_json.insert("activityEndDate".into(), json!(rfc3339(end)));
        }
        if let Some(role) = &subject.role {
            subject_json.insert("role".into(), json!(role));
        }
        if let Some(term) = &subject.term {
            subject_json.insert("term".into(), json!(term));
        }

        let mut credential = Map::new();
        credential.insert("@context".into(), json!(CONTEXTS));
        credential.insert("id".into(), json!(self.id));
        credential.insert("type".into(), json!(["VerifiableCredential", "OpenBadgeCredential"]));
        credential.insert("name".into(), json!(achievement.name));
        credential.insert(
            "issuer".into(),
            json!({ "id": self.issuer.did, "type": ["Profile"], "name": self.issuer.name, "url": self.issuer.url }),
        );
        credential.insert("validFrom".into(), json!(rfc3339(self.valid_from)));
        if let Some(until) = self.valid_until {
            credential.insert("validUntil".into(), json!(rfc3339(until)));
        }
        credential.insert("awardedDate".into(), json!(rfc3339(self.awarded)));
        credential.insert("credentialSubject".into(), Value::Object(subject_json));
        if !self.evidence.is_empty() {
            let evidence: Vec<Value> = self
                .evidence
                .iter()
                .map(|e| json!({ "type": ["Evidence"], "name": e.name, "narrative": e.narrative }))
                .collect();
            credential.insert("evidence".into(), Value::Array(evidence));
        }
        let status = &self.status;
        credential.insert(
            "credentialStatus".into(),
            json!({
                "id": format!("{}#{}", status.list_url, status.index),
                "type": "BitstringStatusListEntry",
                "statusPurpose": status.purpose.code(),
                "statusListIndex": status.index.to_string(),
                "statusListCredential": status.list_url,
            }),
        );
        Value::Object(credential)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::datetime;

    pub(crate) fn attendance() -> CredentialDraft {
        CredentialDraft {
            id: urn_uuid([1; 16]),
            issuer: Issuer {
                did: "did:web:society.example.org".into(),
                name: "Florida Society of Professional Engineers".into(),
                url: "https://society.example.org".into(),
            },
            achievement: Achievement {
                id: "https://society.example.org/events/2".into(),
                kind: CredentialKind::Course,
                name: "Seismic Design of Steel Structures".into(),
                description: "A four-session course.".into(),
                criteria: "Attend the sessions; credit is given for the time attended.".into(),
                credits_available: Some(4.0),
                tags: vec!["PDH".into(), "structural".into()],
                image_url: None,
            },
            subject: Subject {
                name: "Maya Okafor".into(),
                identity: SubjectIdentity::HashedEmail { email: "Maya@Example.org".into(), salt: "pepper".into() },
                credits_earned: Some(1.5),
                activity_start: Some(datetime!(2026-11-20 14:00 UTC)),
                activity_end: None,
                role: None,
                term: None,
            },
            evidence: vec![Evidence { name: "Attendance".into(), narrative: "Checked in at the door.".into() }],
            awarded: datetime!(2026-11-21 09:30:15.25 UTC),
            valid_from: datetime!(2026-11-21 09:30:15 UTC),
            valid_until: None,
            status: StatusEntry {
                list_url: "https://society.example.org/credentials/status/1/revocation".into(),
                index: 4242,
                purpose: StatusPurpose::Revocation,
            },
        }
    }

    #[test]
    fn the_credential_has_the_shape_open_badges_requires() {
        let json = attendance().to_json();
        assert_eq!(json["@context"][1], "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
        assert_eq!(json["id"], "urn:uuid:01010101-0101-4101-8101-010101010101");
        assert_eq!(json["awardedDate"], "2026-11-21T09:30:15Z", "to the second, in UTC");
        let subject = &json["credentialSubject"];
        assert!(subject.get("id").is_none(), "a hashed address means no subject id");
        assert_eq!(subject["identifier"][0]["identityHash"], "Maya Okafor");
        assert_eq!(subject["identifier"][1]["identityHash"], identity_hash("maya@example.org", "pepper"));
        assert!(!json.to_string().contains("Maya@Example.org"), "the address itself is never in the credential");
        assert_eq!(subject["achievement"]["creditsAvailable"], json!(4), "whole numbers have no fraction");
        assert_eq!(subject["creditsEarned"], json!(1.5));
        assert_eq!(json["credentialStatus"]["statusListIndex"], "4242");
        assert!(json.get("validUntil").is_none());
    }

    #[test]
    fn a_holder_with_a_did_is_named_by_it() {
        let mut draft = attendance();
        draft.subject.identity = SubjectIdentity::Did("did:key:z6MkExample".into());
        let json = draft.to_json();
        assert_eq!(json["credentialSubject"]["id"], "did:key:z6MkExample");
        assert_eq!(json["credentialSubject"]["identifier"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn identity_hashes_ignore_case_and_surrounding_spaces_of_the_address() {
        assert_eq!(identity_hash(" Maya@Example.org ", "s"), identity_hash("maya@example.org", "s"));
        assert_ne!(identity_hash("maya@example.org", "s"), identity_hash("maya@example.org", "t"));
        // sha256("maya@example.orgs"), computed independently with coreutils' sha256sum.
        assert_eq!(
            identity_hash("maya@example.org", "s"),
            "sha256$1ab168bff8bbe381f2eb592faa053449f08e965dc7ad015c93f8a8d8af06bbaf"
        );
    }
}
