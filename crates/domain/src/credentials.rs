//! The vocabulary of verifiable credentials the database stores as codes (what a
//! credential certifies, where it stands, which status list publishes that), the changes
//! of status allowed, and the one check of a DID a holder gives.

codes!(
    /// What a credential certifies: attendance at an event or a course with the PDH earned;
    /// a designation or award given by staff (Fellow, Life Member, an officer's term);
    /// membership in good standing until the term's end; a member's CE record for one
    /// licence period, found compliant.
    CredentialKind, "credential kind", {
        Course => ("course", "Course or event attended"),
        Award => ("award", "Designation or award"),
        Membership => ("membership", "Membership"),
        Compliance => ("compliance", "Continuing education completed"),
    }
);

impl CredentialKind {
    /// Which list publishes the credential's status. Membership and designations come
    /// and go (suspension); a course attended or a period completed can only be
    /// withdrawn for good (revocation). One entry per credential, as Open Badges' schema
    /// allows.
    pub fn status_purpose(self) -> StatusPurpose {
        match self {
            CredentialKind::Membership | CredentialKind::Award => StatusPurpose::Suspension,
            CredentialKind::Course | CredentialKind::Compliance => StatusPurpose::Revocation,
        }
    }
}

codes!(
    /// Where a credential stands, as the society records it: active; suspended (set aside
    /// for now, as while a membership has lapsed; it can be restored); revoked (for good).
    CredentialStatus, "credential status", {
        Active => ("active", "Active"),
        Suspended => ("suspended", "Suspended"),
        Revoked => ("revoked", "Revoked"),
    }
);

codes!(
    /// Which Bitstring Status List publishes a credential's status: revocation (set once,
    /// never cleared) or suspension (set while suspended, cleared when restored).
    StatusPurpose, "status purpose", {
        Revocation => ("revocation", "Revocation"),
        Suspension => ("suspension", "Suspension"),
    }
);

/// Whether a credential may move from `from` to `to`, and why not. Revocation is final;
/// suspension needs a credential published in a suspension list.
pub fn status_change(purpose: StatusPurpose, from: CredentialStatus, to: CredentialStatus) -> Result<(), &'static str> {
    use CredentialStatus::*;
    match (from, to) {
        (Revoked, _) => Err("This credential has been revoked; revocation cannot be undone."),
        (_, Suspended) if purpose == StatusPurpose::Revocation => {
            Err("This credential can be revoked but not suspended: it certifies something that happened.")
        }
        (a, b) if a == b => Err("The credential already has that status."),
        _ => Ok(()),
    }
}

/// A decentralised identifier a holder gives to be named by (`did:key:z6Mk…`,
/// `did:web:example.org`): `did:`, a method of lowercase letters and digits, and a
/// method-specific id of the characters DID syntax allows; at most 500 characters.
pub fn parse_did(raw: &str) -> Result<String, &'static str> {
    let did = raw.trim();
    let Some(rest) = did.strip_prefix("did:") else {
        return Err("A DID starts with did: (for example did:key:z6Mk… or did:web:example.org).");
    };
    let (method, id) =
        rest.split_once(':').ok_or("A DID names its method and then an identifier, e.g. did:key:z6Mk….")?;
    if method.is_empty() || !method.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Err("A DID's method is lowercase letters and digits (key, web, …).");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '%');
    if id.is_empty() || id.ends_with(':') || !id.chars().all(allowed) {
        return Err("That is not a DID: the identifier after the method has characters a DID cannot have.");
    }
    if did.len() > 500 {
        return Err("A DID is at most 500 characters.");
    }
    Ok(did.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialStatus::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for k in CredentialKind::ALL {
            assert_eq!(CredentialKind::try_from(k.code().to_string()), Ok(*k));
        }
        for s in CredentialStatus::ALL {
            assert_eq!(CredentialStatus::try_from(s.code().to_string()), Ok(*s));
        }
        for p in StatusPurpose::ALL {
            assert_eq!(StatusPurpose::try_from(p.code().to_string()), Ok(*p));
        }
        assert!(CredentialStatus::try_from("Revoked".to_string()).is_err());
    }

    #[test]
    fn dids_are_read_as_the_did_syntax_allows() {
        let cases = [
            ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", true),
            (" did:web:example.org ", true),
            ("did:web:example.org%3A8443:people:maya", true),
            ("did:example:123456789abcdefghi", true),
            ("mailto:maya@example.org", false),
            ("did:", false),
            ("did:key", false),
            ("did:Key:z6Mk", false),
            ("did:key:", false),
            ("did:web:example.org:", false),
            ("did:web:exa mple.org", false),
            ("did:web:<script>", false),
        ];
        for (raw, ok) in cases {
            assert_eq!(parse_did(raw).is_ok(), ok, "{raw}");
        }
        assert_eq!(parse_did(" did:web:example.org ").as_deref(), Ok("did:web:example.org"));
        assert!(parse_did(&format!("did:key:{}", "z".repeat(600))).is_err());
    }

    #[test]
    fn status_changes_follow_the_rules() {
        let cases = [
            (StatusPurpose::Suspension, Active, Suspended, true),
            (StatusPurpose::Suspension, Suspended, Active, true),
            (StatusPurpose::Suspension, Suspended, Revoked, true),
            (StatusPurpose::Suspension, Revoked, Active, false),
            (StatusPurpose::Revocation, Active, Suspended, false),
            (StatusPurpose::Revocation, Active, Revoked, true),
            (StatusPurpose::Revocation, Revoked, Revoked, false),
            (StatusPurpose::Revocation, Active, Active, false),
        ];
        for (purpose, from, to, allowed) in cases {
            assert_eq!(status_change(purpose, from, to).is_ok(), allowed, "{purpose:?} {from:?} → {to:?}");
        }
    }
}
