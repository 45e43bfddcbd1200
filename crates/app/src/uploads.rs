//! Uploaded documents: what kind of file the bytes are (never the name or the browser's
//! word for it), and a safe name to store and serve it under. Used by CE evidence and
//! membership eligibility evidence alike.

use crate::ce::EVIDENCE_TYPES;

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A downloadable document.
#[derive(Debug, Clone)]
pub struct Document {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The content type and extension of a PDF or image, from its first bytes; `None` for
/// anything else.
pub(crate) fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("image/webp", "webp"));
    }
    EVIDENCE_TYPES.iter().find(|(magic, _, _)| bytes.starts_with(magic)).map(|(_, t, e)| (*t, *e))
}

/// A safe file name for an evidence file (letters, digits, dot, dash, underscore).
pub(crate) fn clean_file_name(name: &str, ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let mut clean: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '-' }).collect();
    clean.truncate(80);
    let clean = clean.trim_matches('-');
    format!("{}.{ext}", if clean.is_empty() { "evidence" } else { clean })
}
