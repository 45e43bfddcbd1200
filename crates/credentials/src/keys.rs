//! The society's signing keys and how the world finds them: `did:web` on the society's
//! public URL, and the DID document that lists every key, current and retired, so that
//! credentials signed before a rotation still verify.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};

use crate::CredentialError;

/// The multicodec prefix of an Ed25519 public key (`0xed`, varint-encoded).
const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// One of the society's signing keys: its fragment in the DID document (`key-1`) and the
/// secret half. The secret never leaves this type except sealed by the caller.
pub struct IssuerKey {
    pub fragment: String,
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey").field("fragment", &self.fragment).finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// A key from its 32 secret bytes (fresh randomness for a new key).
    pub fn from_secret(fragment: &str, secret: &[u8; 32]) -> IssuerKey {
        IssuerKey { fragment: fragment.to_string(), signing: SigningKey::from_bytes(secret) }
    }

    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        PublicKey { fragment: self.fragment.clone(), key: self.signing.verifying_key() }
    }

    /// A raw Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The key as the JWT crate takes it (PKCS#8 DER).
    pub(crate) fn pkcs8_der(&self) -> Result<Vec<u8>, CredentialError> {
        self.signing
            .to_pkcs8_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|e| CredentialError::Signing(e.to_string()))
    }
}

/// A public key as the DID document lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub fragment: String,
    key: VerifyingKey,
}

impl PublicKey {
    pub fn from_bytes(fragment: &str, bytes: &[u8]) -> Result<PublicKey, CredentialError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| CredentialError::BadKey)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| CredentialError::BadKey)?;
        Ok(PublicKey { fragment: fragment.to_string(), key })
    }

    pub fn bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// `z` + base58btc(0xed 0x01 ‖ key): the Multikey form.
    pub fn multibase(&self) -> String {
        let mut prefixed = ED25519_MULTICODEC.to_vec();
        prefixed.extend_from_slice(&self.bytes());
        format!("z{}", bs58::encode(prefixed).into_string())
    }

    /// The JWK `x` member: the key in URL-safe base64 without padding.
    pub fn jwk_x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes())
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else { return false };
        self.key.verify(message, &signature).is_ok()
    }
}

/// The `did:web` identifier of a society served at `public_url`: the host (with its port
/// percent-encoded) and any path, segments joined by `:`.
pub fn did_web(public_url: &str) -> Result<String, CredentialError> {
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))
        .ok_or_else(|| CredentialError::BadUrl(public_url.to_string()))?;
    let rest = rest.trim_end_matches('/');
    let mut parts = rest.split('/');
    let host = parts.next().filter(|h| !h.is_empty()).ok_or_else(|| CredentialError::BadUrl(public_url.to_string()))?;
    if host.contains(['@', '?', '#']) {
        return Err(CredentialError::BadUrl(public_url.to_string()));
    }
    let mut did = format!("did:web:{}", host.replace(':', "%3A"));
    for segment in parts.filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    Ok(did)
}

/// The DID document: every key (the current one first: verifiers that check status
/// lists take the first method), each as a Multikey and a JWK would say it.
pub fn did_document(did: &str, keys: &[PublicKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": format!("{did}#{}", k.fragment),
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": { "kty": "OKP", "crv": "Ed25519", "x": k.jwk_x() },
            })
        })
        .collect();
    let references: Vec<Value> = keys.iter().map(|k| Value::String(format!("{did}#{}", k.fragment))).collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": references.clone(),
        "authentication": references,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_follows_the_method_specification() {
        let cases = [
            ("https://society.example.org", Ok("did:web:society.example.org")),
            ("https://society.example.org/", Ok("did:web:society.example.org")),
            ("http://127.0.0.1:8080", Ok("did:web:127.0.0.1%3A8080")),
            ("https://example.org/fl/guildhall", Ok("did:web:example.org:fl:guildhall")),
            ("ftp://example.org", Err(())),
            ("https://", Err(())),
            ("https://user@example.org", Err(())),
        ];
        for (url, expected) in cases {
            assert_eq!(did_web(url).map_err(|_| ()), expected.map(String::from), "{url}");
        }
    }

    #[test]
    fn a_key_signs_what_its_public_half_verifies_and_nothing_else() {
        let key = IssuerKey::from_secret("key-1", &[7u8; 32]);
        let public = key.public();
        let signature = key.sign(b"18 of 18 PDH");
        assert!(public.verify(b"18 of 18 PDH", &signature));
        assert!(!public.verify(b"18 of 19 PDH", &signature));
        let other = IssuerKey::from_secret("key-2", &[8u8; 32]).public();
        assert!(!other.verify(b"18 of 18 PDH", &signature));
        assert!(public.multibase().starts_with("z6Mk"), "an Ed25519 Multikey reads z6Mk…: {}", public.multibase());
        assert_eq!(PublicKey::from_bytes("key-1", &public.bytes()), Ok(public));
    }

    #[test]
    fn the_did_document_lists_every_key_current_first() {
        let keys = [
            IssuerKey::from_secret("key-2", &[2u8; 32]).public(),
            IssuerKey::from_secret("key-1", &[1u8; 32]).public(),
        ];
        let doc = did_document("did:web:example.org", &keys);
        assert_eq!(doc["verificationMethod"][0]["id"], "did:web:example.org#key-2");
        assert_eq!(doc["verificationMethod"][1]["publicKeyJwk"]["x"], keys[1].jwk_x());
        assert_eq!(doc["assertionMethod"].as_array().map(Vec::len), Some(2));
    }
}
