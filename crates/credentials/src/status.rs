//! Bitstring Status Lists (W3C Bitstring Status List v1.0): one bit per credential, the
//! list published as a signed credential at a stable URL. Bit 0 is the most significant
//! bit of the first byte; the bytes are GZIP-compressed, then written as multibase
//! base64url (`u` + URL-safe base64 without padding).

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::CredentialError;
use crate::credential::{StatusPurpose, rfc3339};

/// The specification's minimum length: 131,072 bits (16 KiB), so that a credential's
/// position says nothing about how many credentials there are.
pub const MIN_BITS: usize = 131_072;

/// The largest list this verifier will inflate (a list is a download from anywhere).
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A status list: which positions are set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of at least [`MIN_BITS`] positions, all clear.
    pub fn new(bits: usize) -> StatusList {
        StatusList { bytes: vec![0; bits.max(MIN_BITS).div_ceil(8)] }
    }

    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets position `index`; positions outside the list are refused.
    pub fn set(&mut self, index: usize) -> Result<(), CredentialError> {
        let byte = self
            .bytes
            .get_mut(index / 8)
            .ok_or_else(|| CredentialError::BadStatusList(format!("position {index} is outside the list")))?;
        *byte |= 0x80 >> (index % 8);
        Ok(())
    }

    /// Whether position `index` is set; `None` outside the list.
    pub fn get(&self, index: usize) -> Option<bool> {
        self.bytes.get(index / 8).map(|byte| byte & (0x80 >> (index % 8)) != 0)
    }

    /// `u` + base64url(gzip(bits)).
    pub fn encode(&self) -> Result<String, CredentialError> {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(&self.bytes).map_err(|e| CredentialError::BadStatusList(e.to_string()))?;
        let compressed = gzip.finish().map_err(|e| CredentialError::BadStatusList(e.to_string()))?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    /// Reads an `encodedList`, refusing anything but multibase base64url of GZIP.
    pub fn decode(encoded: &str) -> Result<StatusList, CredentialError> {
        let bad = |why: &str| CredentialError::BadStatusList(why.to_string());
        let body = encoded.strip_prefix('u').ok_or_else(|| bad("the list is not multibase base64url (no 'u')"))?;
        let compressed = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad("the list is not URL-safe base64"))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| bad("the list is not GZIP-compressed"))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(bad("the list is too long"));
        }
        if bytes.len() * 8 < MIN_BITS {
            return Err(bad("the list is shorter than 131,072 positions"));
        }
        Ok(StatusList { bytes })
    }

    /// The unsigned status list credential published at `url` (the caller signs it),
    /// valid from `now` for `valid_for`, so that an old copy cannot be replayed for long.
    pub fn credential(
        &self,
        url: &str,
        issuer_did: &str,
        purpose: StatusPurpose,
        now: OffsetDateTime,
        valid_for: time::Duration,
    ) -> Result<Value, CredentialError> {
        Ok(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did,
            "validFrom": rfc3339(now),
            "validUntil": rfc3339(now + valid_for),
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": purpose.code(),
                "encodedList": self.encode()?,
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example list of the Bitstring Status List v1.0 recommendation: 131,072 clear bits.
    const SPEC_EXAMPLE: &str = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

    /// Made by Python's own gzip and base64 (an independent encoder): positions 42 and
    /// 131,071 set in a 131,072-bit list.
    const PYTHON_42_AND_LAST: &str = "uH4sIAAAAAAACA-3BMQEAAAgDoNnE_ilnCx8gORsAAAAAAAAAAAAAAAAAAADgzxSlqupHAEAAAA";

    #[test]
    fn the_specification_example_is_131072_clear_positions() {
        let list = StatusList::decode(SPEC_EXAMPLE).expect("the spec's list decodes");
        assert_eq!(list.len(), 131_072);
        assert!((0..list.len()).all(|i| list.get(i) == Some(false)));
        assert_eq!(list, StatusList::new(0), "an empty list is the spec's minimum length");
    }

    #[test]
    fn position_zero_is_the_most_significant_bit_of_the_first_byte() {
        let list = StatusList::decode(PYTHON_42_AND_LAST).expect("decodes");
        let set: Vec<usize> = (0..list.len()).filter(|&i| list.get(i) == Some(true)).collect();
        assert_eq!(set, vec![42, 131_071]);

        let mut ours = StatusList::new(MIN_BITS);
        ours.set(42).expect("inside");
        ours.set(131_071).expect("inside");
        assert_eq!(ours, list, "our bits are the independent encoder's bits");
        assert_eq!(ours.bytes[5], 0b0010_0000);
        assert_eq!(ours.bytes[16_383], 0b0000_0001);
        let again = StatusList::decode(&ours.encode().expect("encodes")).expect("decodes");
        assert_eq!(again, ours);
        assert_eq!(ours.get(131_072), None);
        assert!(ours.set(131_072).is_err());
    }

    #[test]
    fn lists_in_other_framings_are_refused() {
        let bytes = vec![0u8; MIN_BITS / 8];
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(&bytes).expect("in memory");
        let zlib = zlib.finish().expect("in memory");
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(&bytes[..1024]).expect("in memory");
        let short = gzip.finish().expect("in memory");
        let cases = [
            ("no multibase prefix", SPEC_EXAMPLE[1..].to_string()),
            ("base58 prefix", format!("z{}", &SPEC_EXAMPLE[1..])),
            ("zlib, not gzip", format!("u{}", URL_SAFE_NO_PAD.encode(&zlib))),
            ("too short", format!("u{}", URL_SAFE_NO_PAD.encode(&short))),
            ("standard base64", SPEC_EXAMPLE.replace('-', "+").replace('_', "/")),
        ];
        for (what, encoded) in cases {
            assert!(StatusList::decode(&encoded).is_err(), "{what} must be refused");
        }
    }

    #[test]
    fn the_list_credential_names_its_purpose_and_window() {
        let now = time::macros::datetime!(2026-12-06 10:00 UTC);
        let list = StatusList::new(0);
        let credential = list
            .credential(
                "https://x.test/credentials/status/1/revocation",
                "did:web:x.test",
                StatusPurpose::Revocation,
                now,
                time::Duration::days(1),
            )
            .expect("builds");
        assert_eq!(credential["credentialSubject"]["statusPurpose"], "revocation");
        assert_eq!(credential["validUntil"], "2026-12-07T10:00:00Z");
        assert_eq!(credential["credentialSubject"]["id"], "https://x.test/credentials/status/1/revocation#list");
    }
}
