//! The VC-JWT proof of Open Badges 3.0 §8.2: the credential is the JWT's payload, with
//! the registered claims (`iss`, `sub`, `jti`, `nbf`, `exp`) beside its members, signed
//! with EdDSA (Ed25519) under a key the DID document names in `kid`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::CredentialError;
use crate::keys::{IssuerKey, PublicKey};

/// Signs `credential` (an unsigned credential, or a status list credential) as a compact JWT.
pub fn sign(credential: &Value, issuer_did: &str, key: &IssuerKey) -> Result<String, CredentialError> {
    let mut claims = credential.clone();
    let object = claims.as_object_mut().ok_or_else(|| CredentialError::Signing("a credential is an object".into()))?;
    object.insert("iss".into(), Value::String(issuer_did.to_string()));
    if let Some(id) = credential.get("id").cloned() {
        object.insert("jti".into(), id);
    }
    if let Some(subject) = credential.pointer("/credentialSubject/id").filter(|_| is_credential(credential)).cloned() {
        object.insert("sub".into(), subject);
    }
    if let Some(from) = date(credential, "validFrom") {
        object.insert("nbf".into(), from.unix_timestamp().into());
    }
    if let Some(until) = date(credential, "validUntil") {
        object.insert("exp".into(), until.unix_timestamp().into());
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("JWT".into());
    header.kid = Some(format!("{issuer_did}#{}", key.fragment));
    let encoding_key = EncodingKey::from_ed_der(&key.pkcs8_der()?);
    jsonwebtoken::encode(&header, &claims, &encoding_key).map_err(|e| CredentialError::Signing(e.to_string()))
}

/// An Open Badges credential (not a status list, whose `credentialSubject.id` is the list).
fn is_credential(credential: &Value) -> bool {
    credential["type"].as_array().is_some_and(|types| types.iter().any(|t| t == "OpenBadgeCredential"))
}

/// A date member of a credential, if present and well formed.
pub(crate) fn date(credential: &Value, member: &str) -> Option<OffsetDateTime> {
    credential.get(member)?.as_str().and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
}

/// What a JWT said, once its signature is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The `kid` header's fragment (`key-1`).
    pub key_fragment: String,
    /// The payload, registered claims removed: the credential itself.
    pub credential: Value,
    pub claims: Value,
}

/// Why a JWT was not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtRefusal {
    Unreadable(String),
    /// `kid` names another issuer's key.
    OtherIssuer(String),
    /// `kid` names a key the issuer never had.
    UnknownKey(String),
    BadSignature,
}

/// The `kid` of a compact JWT, without checking anything else.
pub fn key_id(token: &str) -> Result<String, JwtRefusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| JwtRefusal::Unreadable(e.to_string()))?;
    header.kid.ok_or_else(|| JwtRefusal::Unreadable("the token names no key (kid)".into()))
}

/// Checks the signature of `token` against the issuer's keys (by `kid`), nothing else:
/// dates and status are the verdict's business.
pub fn open(token: &str, issuer_did: &str, keys: &[PublicKey]) -> Result<Opened, JwtRefusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| {
        JwtRefusal::Unreadable("it is neither a credential token (a VC-JWT) nor credential JSON".into())
    })?;
    if header.alg != Algorithm::EdDSA {
        return Err(JwtRefusal::Unreadable(format!("the token is signed with {:?}, not EdDSA", header.alg)));
    }
    let kid = header.kid.unwrap_or_default();
    let fragment = match kid.split_once('#') {
        Some((did, fragment)) if did == issuer_did || did.is_empty() => fragment.to_string(),
        Some((did, _)) => return Err(JwtRefusal::OtherIssuer(did.to_string())),
        None => return Err(JwtRefusal::Unreadable("the token names no key (kid)".into())),
    };
    let key = keys.iter().find(|k| k.fragment == fragment).ok_or_else(|| JwtRefusal::UnknownKey(kid.clone()))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let decoding_key = DecodingKey::from_ed_components(&key.jwk_x()).map_err(|_| JwtRefusal::BadSignature)?;
    let data = jsonwebtoken::decode::<Value>(token, &decoding_key, &validation).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtRefusal::BadSignature,
        _ => JwtRefusal::Unreadable("its signed content is not a readable credential".into()),
    })?;
    let claims = data.claims;
    let mut credential = claims.clone();
    if let Some(object) = credential.as_object_mut() {
        for claim in ["iss", "sub", "jti", "nbf", "exp", "iat"] {
            object.remove(claim);
        }
    }
    Ok(Opened { key_fragment: fragment, credential, claims })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::tests::attendance;

    #[test]
    fn a_signed_credential_opens_with_its_key_and_carries_the_registered_claims() {
        let key = IssuerKey::from_secret("key-1", &[3u8; 32]);
        let draft = attendance();
        let token = sign(&draft.to_json(), &draft.issuer.did, &key).expect("signs");
        assert_eq!(key_id(&token), Ok("did:web:society.example.org#key-1".into()));
        let opened = open(&token, &draft.issuer.did, &[key.public()]).expect("opens");
        assert_eq!(opened.credential, draft.to_json(), "the payload is the credential");
        assert_eq!(opened.claims["iss"], "did:web:society.example.org");
        assert_eq!(opened.claims["jti"], opened.claims["id"]);
        assert_eq!(opened.claims["nbf"], 1_795_253_415);
        assert!(opened.claims.get("sub").is_none(), "no subject id, no sub");
        assert!(opened.claims.get("exp").is_none(), "no validUntil, no exp");
    }

    #[test]
    fn tampered_foreign_and_unknown_keys_are_told_apart() {
        let key = IssuerKey::from_secret("key-1", &[3u8; 32]);
        let draft = attendance();
        let did = draft.issuer.did.clone();
        let token = sign(&draft.to_json(), &did, &key).expect("signs");

        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let mut tampered = draft.to_json();
        tampered["credentialSubject"]["creditsEarned"] = serde_json::json!(40);
        let forged = sign(&tampered, &did, &key).expect("signs");
        parts[1] = forged.split('.').nth(1).expect("three parts").to_string();
        assert_eq!(open(&parts.join("."), &did, &[key.public()]), Err(JwtRefusal::BadSignature));

        let stranger = IssuerKey::from_secret("key-1", &[4u8; 32]);
        let by_stranger = sign(&draft.to_json(), &did, &stranger).expect("signs");
        assert_eq!(open(&by_stranger, &did, &[key.public()]), Err(JwtRefusal::BadSignature));

        let other = sign(&draft.to_json(), "did:web:elsewhere.example", &key).expect("signs");
        assert_eq!(
            open(&other, &did, &[key.public()]),
            Err(JwtRefusal::OtherIssuer("did:web:elsewhere.example".into()))
        );

        let rotated = IssuerKey::from_secret("key-9", &[3u8; 32]);
        let unknown = sign(&draft.to_json(), &did, &rotated).expect("signs");
        assert!(matches!(open(&unknown, &did, &[key.public()]), Err(JwtRefusal::UnknownKey(_))));
        assert!(matches!(open("not.a.jwt", &did, &[key.public()]), Err(JwtRefusal::Unreadable(_))));
    }
}
