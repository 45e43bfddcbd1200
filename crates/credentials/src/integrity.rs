//! The Data Integrity proof of VC Data Model 2.0 with the `eddsa-rdfc-2022` cryptosuite:
//! Ed25519 over SHA-256(canonical proof options) ‖ SHA-256(canonical credential), the
//! canonical forms being RDFC-1.0 N-Quads (`canon.rs`); `proofValue` is multibase base58btc.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::canon::{CanonError, canonical_nquads};
use crate::credential::rfc3339;
use crate::keys::{IssuerKey, PublicKey};

const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The 64 bytes signed: the hashes of the proof options and of the document.
fn signing_input(options: &Value, document: &Value) -> Result<Vec<u8>, CanonError> {
    let options_hash = Sha256::digest(canonical_nquads(options)?);
    let document_hash = Sha256::digest(canonical_nquads(document)?);
    Ok([options_hash.as_slice(), document_hash.as_slice()].concat())
}

/// The credential with a `proof` made by `key` (named in the DID document as
/// `{issuer_did}#{fragment}`), created at `created`.
pub fn sign(
    credential: &Value,
    issuer_did: &str,
    key: &IssuerKey,
    created: OffsetDateTime,
) -> Result<Value, CanonError> {
    let mut document = credential.clone();
    if let Some(object) = document.as_object_mut() {
        object.remove("proof");
    }
    let mut options = json!({
        "@context": document["@context"].clone(),
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": rfc3339(created),
        "verificationMethod": format!("{issuer_did}#{}", key.fragment),
        "proofPurpose": "assertionMethod",
    });
    let signature = key.sign(&signing_input(&options, &document)?);
    if let Some(proof) = options.as_object_mut() {
        proof.remove("@context");
        proof.insert("proofValue".into(), json!(format!("z{}", bs58::encode(signature).into_string())));
    }
    document["proof"] = options;
    Ok(document)
}

/// Why a Data Integrity proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityRefusal {
    Unreadable(String),
    OtherIssuer(String),
    UnknownKey,
    BadSignature,
}

/// Checks the proof of `document` against the issuer's keys; returns the credential
/// without its proof and the fragment of the key that signed it.
pub fn open(document: &Value, issuer_did: &str, keys: &[PublicKey]) -> Result<(Value, String), IntegrityRefusal> {
    let unreadable = |why: &str| IntegrityRefusal::Unreadable(why.to_string());
    let proof = match &document["proof"] {
        Value::Array(proofs) if proofs.len() == 1 => proofs[0].clone(),
        Value::Object(_) => document["proof"].clone(),
        _ => return Err(unreadable("the credential carries no single proof")),
    };
    if proof["type"] != "DataIntegrityProof" || proof["cryptosuite"] != CRYPTOSUITE {
        return Err(unreadable("the proof is not a DataIntegrityProof with eddsa-rdfc-2022"));
    }
    if proof["proofPurpose"] != "assertionMethod" {
        return Err(unreadable("the proof is not made for assertion"));
    }
    let method = proof["verificationMethod"].as_str().ok_or_else(|| unreadable("the proof names no key"))?;
    let (did, fragment) = method.split_once('#').ok_or_else(|| unreadable("the proof names no key"))?;
    if did != issuer_did {
        return Err(IntegrityRefusal::OtherIssuer(did.to_string()));
    }
    let key = keys.iter().find(|k| k.fragment == fragment).ok_or(IntegrityRefusal::UnknownKey)?;
    let signature = proof["proofValue"]
        .as_str()
        .and_then(|v| v.strip_prefix('z'))
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .ok_or_else(|| unreadable("the proof's value is not base58btc"))?;
    let mut credential = document.clone();
    if let Some(object) = credential.as_object_mut() {
        object.remove("proof");
    }
    let mut options = proof.clone();
    if let Some(object) = options.as_object_mut() {
        object.remove("proofValue");
        object.insert("@context".into(), credential["@context"].clone());
    }
    let input = signing_input(&options, &credential).map_err(|e| IntegrityRefusal::Unreadable(e.to_string()))?;
    if !key.verify(&input, &signature) {
        return Err(IntegrityRefusal::BadSignature);
    }
    Ok((credential, fragment.to_string()))
}

#[cfg(all(test, not(ob3_no_contexts)))]
mod tests {
    use super::*;
    use crate::credential::tests::attendance;
    use time::macros::datetime;

    #[test]
    fn a_signed_credential_verifies_and_a_changed_one_does_not() {
        let key = IssuerKey::from_secret("key-1", &[6u8; 32]);
        let draft = attendance();
        let did = draft.issuer.did.clone();
        let signed = sign(&draft.to_json(), &did, &key, datetime!(2026-11-21 09:30 UTC)).expect("signs");
        assert_eq!(signed["proof"]["verificationMethod"], "did:web:society.example.org#key-1");
        let (credential, fragment) = open(&signed, &did, &[key.public()]).expect("verifies");
        assert_eq!(credential, draft.to_json());
        assert_eq!(fragment, "key-1");

        let mut changed = signed.clone();
        changed["credentialSubject"]["creditsEarned"] = json!(4);
        assert_eq!(open(&changed, &did, &[key.public()]), Err(IntegrityRefusal::BadSignature));
        let other = IssuerKey::from_secret("key-1", &[7u8; 32]).public();
        assert_eq!(open(&signed, &did, &[other]), Err(IntegrityRefusal::BadSignature));
        let rotated = IssuerKey::from_secret("key-2", &[6u8; 32]).public();
        assert_eq!(open(&signed, &did, &[rotated]), Err(IntegrityRefusal::UnknownKey));
        assert_eq!(
            open(&signed, "did:web:elsewhere.example", &[key.public()]),
            Err(IntegrityRefusal::OtherIssuer("did:web:society.example.org".into()))
        );
    }
}
