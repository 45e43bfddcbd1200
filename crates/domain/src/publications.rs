//! Publications' rules: what kinds there are, who reads an article's full text (its title,
//! authors, abstract and citation are for everyone), and how an article is cited.

codes!(
    /// What a publication is.
    PublicationKind, "publication kind", {
        Journal => ("journal", "Journal"),
        Magazine => ("magazine", "Magazine"),
        Newsletter => ("newsletter", "Newsletter archive"),
    }
);

codes!(
    /// Who reads a publication's full text: anyone; members in good standing; or members
    /// in good standing of chosen tiers or groups. Staff always do.
    PublicationAccess, "publication access", {
        Public => ("public", "Anyone"),
        Members => ("members", "Members"),
        Chosen => ("chosen", "Members of chosen tiers or groups"),
    }
);

/// What is known about a reader when deciding whether they read a full text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reader {
    pub staff: bool,
    /// A member in good standing (active, renewal due or in grace).
    pub current_member: bool,
    pub tier_id: Option<i64>,
    pub group_ids: Vec<i64>,
}

/// Whether the reader may read the full text (and files) of a publication's articles.
pub fn reads_full_text(
    access: PublicationAccess,
    chosen_tiers: &[i64],
    chosen_groups: &[i64],
    reader: &Reader,
) -> bool {
    if reader.staff {
        return true;
    }
    match access {
        PublicationAccess::Public => true,
        PublicationAccess::Members => reader.current_member,
        PublicationAccess::Chosen => {
            reader.current_member
                && (reader.tier_id.is_some_and(|t| chosen_tiers.contains(&t))
                    || reader.group_ids.iter().any(|g| chosen_groups.contains(g)))
        }
    }
}

/// Where an article appeared, for its citation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitationParts<'a> {
    pub authors: &'a str,
    pub year: i32,
    pub title: &'a str,
    pub publication: &'a str,
    pub volume: Option<i64>,
    pub number: Option<i64>,
    pub pages: &'a str,
    pub doi: Option<&'a str>,
}

/// A citation in the common author–date form: "Ruiz, A., & Chen, L. (2026). Title.
/// *Journal*, 12(3), 45–52. https://doi.org/10.1234/x" (Markdown italics around the
/// publication; the parts missing are left out).
pub fn citation(parts: &CitationParts) -> String {
    let mut text = String::new();
    if !parts.authors.trim().is_empty() {
        text.push_str(parts.authors.trim());
        text.push(' ');
    }
    text.push_str(&format!("({}). ", parts.year));
    let title = parts.title.trim();
    text.push_str(title);
    if !title.ends_with(['.', '?', '!']) {
        text.push('.');
    }
    text.push_str(&format!(" *{}*", parts.publication.trim()));
    match (parts.volume, parts.number) {
        (Some(v), Some(n)) => text.push_str(&format!(", {v}({n})")),
        (Some(v), None) => text.push_str(&format!(", {v}")),
        (None, Some(n)) => text.push_str(&format!(", ({n})")),
        (None, None) => {}
    }
    if !parts.pages.trim().is_empty() {
        text.push_str(&format!(", {}", parts.pages.trim().replace('-', "–")));
    }
    text.push('.');
    if let Some(doi) = parts.doi.map(str::trim).filter(|d| !d.is_empty()) {
        text.push_str(&format!(" https://doi.org/{doi}"));
    }
    text
}

/// A DOI as written ("10.1234/abc", or a doi.org address): its `10.` form, or why not.
pub fn parse_doi(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let doi = trimmed
        .strip_prefix("https://doi.org/")
        .or_else(|| trimmed.strip_prefix("http://doi.org/"))
        .or_else(|| trimmed.strip_prefix("doi:"))
        .unwrap_or(trimmed);
    let valid = doi.starts_with("10.")
        && doi.contains('/')
        && doi.len() <= 200
        && doi.split_once('/').is_some_and(|(prefix, suffix)| {
            prefix[3..].chars().all(|c| c.is_ascii_digit() || c == '.') && !suffix.is_empty()
        })
        && !doi.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(doi.to_string())
    } else {
        Err("A DOI looks like 10.1234/abcd (or its https://doi.org/ address).".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_text_by_access_and_reader() {
        let anyone = Reader::default();
        let member = Reader { current_member: true, tier_id: Some(3), group_ids: vec![7], ..Reader::default() };
        let lapsed = Reader { current_member: false, tier_id: Some(3), group_ids: vec![7], ..Reader::default() };
        let staff = Reader { staff: true, ..Reader::default() };
        use PublicationAccess::*;
        // (access, chosen tiers, chosen groups, reader, reads)
        type Row<'a> = (PublicationAccess, &'a [i64], &'a [i64], &'a Reader, bool);
        let table: [Row; 12] = [
            (Public, &[], &[], &anyone, true),
            (Members, &[], &[], &anyone, false),
            (Members, &[], &[], &member, true),
            (Members, &[], &[], &lapsed, false),
            (Members, &[], &[], &staff, true),
            (Chosen, &[3], &[], &member, true),
            (Chosen, &[4], &[], &member, false),
            (Chosen, &[], &[7], &member, true),
            (Chosen, &[], &[8], &member, false),
            (Chosen, &[3], &[7], &lapsed, false),
            (Chosen, &[], &[], &staff, true),
            (Chosen, &[3], &[7], &anyone, false),
        ];
        for (access, tiers, groups, reader, expected) in table {
            assert_eq!(
                reads_full_text(access, tiers, groups, reader),
                expected,
                "{access:?} {tiers:?} {groups:?} {reader:?}"
            );
        }
    }

    #[test]
    fn citations_leave_out_what_is_missing() {
        let full = CitationParts {
            authors: "Ruiz, A., & Chen, L.",
            year: 2026,
            title: "Fatigue in welded steel bridges",
            publication: "Journal of Professional Practice",
            volume: Some(12),
            number: Some(3),
            pages: "45-52",
            doi: Some("10.5555/jpp.2026.12.3.45"),
        };
        assert_eq!(
            citation(&full),
            "Ruiz, A., & Chen, L. (2026). Fatigue in welded steel bridges. *Journal of Professional Practice*, 12(3), 45–52. https://doi.org/10.5555/jpp.2026.12.3.45"
        );
        let bare = CitationParts {
            year: 2025,
            title: "Why log PDH?",
            publication: "Capital News",
            ..CitationParts::default()
        };
        assert_eq!(citation(&bare), "(2025). Why log PDH? *Capital News*.");
    }

    #[test]
    fn dois_are_read_in_any_common_form() {
        assert_eq!(parse_doi("https://doi.org/10.5555/abc").unwrap(), "10.5555/abc");
        assert_eq!(parse_doi(" doi:10.1000/182 ").unwrap(), "10.1000/182");
        for bad in ["", "10.5555", "11.5555/abc", "10.55x5/abc", "10.5555/a b", "https://example.org/10.1/x"] {
            assert!(parse_doi(bad).is_err(), "{bad}");
        }
    }
}
