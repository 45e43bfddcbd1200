//! A presented credential in, a verdict out. This file decides what the signature and
//! the dates say; whether the society has since revoked or suspended the credential is
//! added by the caller, who holds the records.

use serde_json::Value;
use time::OffsetDateTime;

use crate::credential::StatusPurpose;
use crate::integrity::{self, IntegrityRefusal};
use crate::jwt::{self, JwtRefusal};
use crate::keys::PublicKey;

/// Which proof a credential came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Jwt,
    DataIntegrity,
}

/// A credential whose signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Presented {
    /// The credential without its proof or JWT claims.
    pub credential: Value,
    pub proof: Proof,
    pub key_fragment: String,
    /// `urn:uuid:…`
    pub id: String,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_until: Option<OffsetDateTime>,
    /// The status entry: list URL, position, purpose.
    pub status: Option<(String, u32, StatusPurpose)>,
}

/// What a verifier concludes, in the order it is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Not a credential at all, or not one this verifier can read.
    Unreadable(String),
    /// Issued (or claimed to be) by someone other than this society.
    OtherIssuer(String),
    /// Signed by a key the society never published.
    UnknownKey,
    /// The signature does not match the content: it was changed after signing.
    Tampered,
    NotYetValid(OffsetDateTime),
    Expired(OffsetDateTime),
    Suspended(String),
    Revoked(String),
    /// Signed by the society, but it holds no record of issuing it.
    NoRecord,
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid)
    }

    /// A short code for machines (`valid`, `revoked`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Unreadable(_) => "unreadable",
            Verdict::OtherIssuer(_) => "other_issuer",
            Verdict::UnknownKey => "unknown_key",
            Verdict::Tampered => "tampered",
            Verdict::NotYetValid(_) => "not_yet_valid",
            Verdict::Expired(_) => "expired",
            Verdict::Suspended(_) => "suspended",
            Verdict::Revoked(_) => "revoked",
            Verdict::NoRecord => "no_record",
        }
    }
}

impl From<JwtRefusal> for Verdict {
    fn from(refusal: JwtRefusal) -> Verdict {
        match refusal {
            JwtRefusal::Unreadable(why) => Verdict::Unreadable(why),
            JwtRefusal::OtherIssuer(did) => Verdict::OtherIssuer(did),
            JwtRefusal::UnknownKey(_) => Verdict::UnknownKey,
            JwtRefusal::BadSignature => Verdict::Tampered,
        }
    }
}

/// Reads a credential as pasted or uploaded: a compact VC-JWT, or JSON-LD with a Data
/// Integrity proof. Checks that the society issued it and that the signature holds.
pub fn open(text: &str, issuer_did: &str, keys: &[PublicKey]) -> Result<Presented, Verdict> {
    let text = text.trim();
    if text.starts_with('<') {
        let baked = crate::baked::from_svg(text)
            .ok_or_else(|| Verdict::Unreadable("the picture carries no credential".into()))?;
        return open(&baked, issuer_did, keys);
    }
    if text.starts_with('{') {
        let document: Value = serde_json::from_str(text)
            .map_err(|_| Verdict::Unreadable("this is neither a credential token nor credential JSON".into()))?;
        return open_json(&document, issuer_did, keys);
    }
    let opened = jwt::open(text, issuer_did, keys)?;
    if opened.claims.get("iss").and_then(Value::as_str) != Some(issuer_did) {
        return Err(Verdict::OtherIssuer(opened.claims["iss"].as_str().unwrap_or("someone unnamed").to_string()));
    }
    presented(opened.credential, Proof::Jwt, opened.key_fragment, issuer_did)
}

fn open_json(document: &Value, issuer_did: &str, keys: &[PublicKey]) -> Result<Presented, Verdict> {
    let issuer = document.pointer("/issuer/id").or_else(|| document.get("issuer")).and_then(Value::as_str);
    if let Some(issuer) = issuer.filter(|i| *i != issuer_did) {
        return Err(Verdict::OtherIssuer(issuer.to_string()));
    }
    if document.get("proof").is_none() {
        return Err(Verdict::Unreadable("the credential carries no proof".into()));
    }
    let (credential, fragment) = integrity::open(document, issuer_did, keys).map_err(|refusal| match refusal {
        IntegrityRefusal::Unreadable(why) => Verdict::Unreadable(why),
        IntegrityRefusal::OtherIssuer(did) => Verdict::OtherIssuer(did),
        IntegrityRefusal::UnknownKey => Verdict::UnknownKey,
        IntegrityRefusal::BadSignature => Verdict::Tampered,
    })?;
    presented(credential, Proof::DataIntegrity, fragment, issuer_did)
}

/// A Data Integrity credential presented exactly as the issuer keeps it (`kept`: the form
/// its own signer made): the same value verifies the same way, so the JSON-LD work of
/// checking the proof again is skipped. `None` when it differs in anything, to be checked
/// in full by [`open`].
pub fn open_kept(document: &Value, kept: &Value, issuer_did: &str) -> Option<Presented> {
    if document != kept {
        return None;
    }
    let mut credential = document.clone();
    let proof = credential.as_object_mut()?.remove("proof")?;
    let fragment = proof["verificationMethod"].as_str()?.split_once('#')?.1.to_string();
    presented(credential, Proof::DataIntegrity, fragment, issuer_did).ok()
}

/// The checked credential's dates and status entry.
fn presented(credential: Value, proof: Proof, key_fragment: String, issuer_did: &str) -> Result<Presented, Verdict> {
    let issuer = credential.pointer("/issuer/id").or_else(|| credential.get("issuer")).and_then(Value::as_str);
    if issuer != Some(issuer_did) {
        return Err(Verdict::OtherIssuer(issuer.unwrap_or("someone unnamed").to_string()));
    }
    let id =
        credential["id"].as_str().ok_or_else(|| Verdict::Unreadable("the credential has no id".into()))?.to_string();
    let status = credential.get("credentialStatus").and_then(|entry| {
        let list = entry["statusListCredential"].as_str()?.to_string();
        let index = match &entry["statusListIndex"] {
            Value::String(s) => s.parse().ok()?,
            Value::Number(n) => u32::try_from(n.as_u64()?).ok()?,
            _ => return None,
        };
        Some((list, index, StatusPurpose::from_code(entry["statusPurpose"].as_str()?)?))
    });
    Ok(Presented {
        valid_from: jwt::date(&credential, "validFrom"),
        valid_until: jwt::date(&credential, "validUntil"),
        credential,
        proof,
        key_fragment,
        id,
        status,
    })
}

/// What the dates say at `now`: `None` when the credential is within them.
pub fn dates(presented: &Presented, now: OffsetDateTime) -> Option<Verdict> {
    if let Some(from) = presented.valid_from.filter(|from| *from > now) {
        return Some(Verdict::NotYetValid(from));
    }
    presented.valid_until.filter(|until| *until <= now).map(Verdict::Expired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::tests::attendance;
    use crate::keys::IssuerKey;
    use time::macros::datetime;

    #[test]
    fn a_good_token_opens_and_its_dates_decide() {
        let key = IssuerKey::from_secret("key-1", &[5u8; 32]);
        let mut draft = attendance();
        draft.valid_until = Some(datetime!(2027-11-21 00:00 UTC));
        let token = jwt::sign(&draft.to_json(), &draft.issuer.did, &key).expect("signs");
        let presented = open(&format!("  {token}\n"), &draft.issuer.did, &[key.public()]).expect("opens");
        assert_eq!(presented.proof, Proof::Jwt);
        assert_eq!(presented.status.as_ref().map(|s| s.1), Some(4242));
        let cases = [
            (datetime!(2026-11-21 09:30:14 UTC), Some(Verdict::NotYetValid(datetime!(2026-11-21 09:30:15 UTC)))),
            (datetime!(2026-11-21 09:30:15 UTC), None),
            (datetime!(2027-11-20 23:59:59 UTC), None),
            (datetime!(2027-11-21 00:00 UTC), Some(Verdict::Expired(datetime!(2027-11-21 00:00 UTC)))),
        ];
        for (now, expected) in cases {
            assert_eq!(dates(&presented, now), expected, "at {now}");
        }
    }

    #[test]
    #[cfg(not(ob3_no_contexts))]
    fn a_credential_presented_as_kept_opens_without_the_json_ld_work_and_a_changed_one_does_not() {
        let key = IssuerKey::from_secret("key-1", &[5u8; 32]);
        let draft = attendance();
        let kept = crate::integrity::sign(&draft.to_json(), &draft.issuer.did, &key, datetime!(2026-11-21 09:30 UTC))
            .expect("signs");
        let fast = open_kept(&kept, &kept, &draft.issuer.did).expect("the kept form opens");
        let full = open(&kept.to_string(), &draft.issuer.did, &[key.public()]).expect("and checks in full");
        assert_eq!(fast, full, "both ways read the same credential");
        let mut changed = kept.clone();
        changed["credentialSubject"]["creditsEarned"] = serde_json::json!(4);
        assert_eq!(open_kept(&changed, &kept, &draft.issuer.did), None);
    }

    #[test]
    fn what_is_not_a_credential_of_ours_is_named() {
        let key = IssuerKey::from_secret("key-1", &[5u8; 32]);
        let did = "did:web:society.example.org";
        assert!(matches!(open("hello", did, &[key.public()]), Err(Verdict::Unreadable(_))));
        assert!(matches!(open("{\"a\":", did, &[key.public()]), Err(Verdict::Unreadable(_))));
        let foreign = serde_json::json!({"issuer": {"id": "did:web:other.example"}, "proof": {}});
        assert_eq!(
            open(&foreign.to_string(), did, &[key.public()]),
            Err(Verdict::OtherIssuer("did:web:other.example".into()))
        );
    }
}
