//! Who people are to the society: validated email addresses, display names,
//! password rules and the society-wide roles.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a value a person typed was refused, in words they can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// An email address, trimmed and lower-cased; only plausible addresses can be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(Invalid("Enter an email address.".into()));
        }
        if email.len() > Self::MAX_LEN {
            return Err(Invalid(format!("An email address can be at most {} characters.", Self::MAX_LEN)));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(Invalid("Enter an email address like name@example.org.".into()));
        };
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c);
        if local.is_empty()
            || local.len() > 64
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with(['.', '-'])
            || domain.ends_with(['.', '-'])
            || domain.contains("..")
            || local.contains('@')
            || email.chars().any(bad_char)
        {
            return Err(Invalid("Enter an email address like name@example.org.".into()));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What makes a piece of text unfit to store as a name, number or title, if anything:
/// control characters (line breaks, tabs, …), direction overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C), or line and
/// paragraph separators (U+2028, U+2029): characters that make a record read or print
/// differently from what it holds. One check for every form, the CSV import and the API.
pub fn unsafe_text(value: &str) -> Option<&'static str> {
    if value.chars().any(char::is_control) {
        Some("control characters (such as line breaks or tabs)")
    } else if value
        .chars()
        .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'))
    {
        Some("characters that change the direction of text")
    } else if value.chars().any(|c| matches!(c, '\u{2028}' | '\u{2029}')) {
        Some("line or paragraph separators")
    } else {
        None
    }
}

/// A person's name as shown to others: trimmed, 1–100 characters, none of the
/// characters [`unsafe_text`] refuses.
pub fn parse_display_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Invalid("Enter your name.".into()));
    }
    if name.chars().count() > 100 {
        return Err(Invalid("A name can be at most 100 characters.".into()));
    }
    if let Some(problem) = unsafe_text(name) {
        return Err(Invalid(format!("A name cannot contain {problem}.")));
    }
    Ok(name.to_string())
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password: long enough to resist guessing, short enough to hash, and
/// not the email address itself.
pub fn check_new_password(password: &str, email: Option<&Email>) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Invalid(format!("Use at least {PASSWORD_MIN_CHARS} characters for your password.")));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Invalid(format!("A password can be at most {PASSWORD_MAX_CHARS} characters.")));
    }
    if let Some(email) = email
        && password.trim().eq_ignore_ascii_case(email.as_str())
    {
        return Err(Invalid("Your password cannot be your email address.".into()));
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err(Invalid("Choose a password that is not one character repeated.".into()));
    }
    if is_common_password(password) {
        return Err(Invalid(
            "That password is on the lists of common passwords that attackers try first; choose another.".into(),
        ));
    }
    Ok(())
}

/// Whether a password is, as a whole, one of the common passwords zxcvbn ships (the
/// 30,000 most used in leaked password dumps), in any case, reversed or with the usual
/// letter substitutions (`p@ssw0rd`): what zxcvbn's feedback calls a top-10, top-100,
/// common or "similar to a commonly used" password.
fn is_common_password(password: &str) -> bool {
    use zxcvbn::feedback::Warning;
    zxcvbn::zxcvbn(password, &[]).feedback().and_then(|f| f.warning()).is_some_and(|warning| {
        matches!(
            warning,
            Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword
        )
    })
}

/// A society-wide role. Chapter officers are members who hold an office in a chapter;
/// that scope comes from their officer terms, not from this role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Staff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Member, Role::Staff, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "member" => Ok(Role::Member),
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            other => Err(Invalid(format!("{other:?} is not a role; choose member, staff or admin."))),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "Member",
            Role::Staff => "Staff",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_with_the_reason_and_others_are_not() {
        for common in ["1234567890", "qwertyuiop", "PASSWORD123", "p@ssw0rd123", "iloveyou12"] {
            let refused = check_new_password(common, None);
            assert!(refused.as_ref().is_err_and(|e| e.0.contains("common passwords")), "{common}: {refused:?}");
        }
        for fine in ["demo-password-2026", "brand new password 1", "correct horse battery", "Okafor Structural 1987!"] {
            assert_eq!(check_new_password(fine, None), Ok(()), "{fine}");
        }
    }

    #[test]
    fn text_that_reads_differently_from_what_it_holds_is_refused() {
        for (text, problem) in [
            ("Ada Lovelace", None),
            ("Zoë O'Brien-Núñez", None),
            ("مهندس", None),
            ("A\u{7}da", Some("control")),
            ("Chief\nEngineer", Some("control")),
            ("Acme\u{202e}seitreporP", Some("direction")),
            ("\u{2066}x\u{2069}", Some("direction")),
            ("a\u{200f}b", Some("direction")),
            ("Acme\u{2028}Bridges", Some("separators")),
        ] {
            match (unsafe_text(text), problem) {
                (None, None) => {}
                (Some(said), Some(word)) => assert!(said.contains(word), "{text:?}: {said}"),
                (said, _) => panic!("{text:?}: {said:?}, expected {problem:?}"),
            }
        }
    }

    #[test]
    fn email_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Ada@Example.org", Some("ada@example.org")),
            ("  pe.jones+ce@state-society.org ", Some("pe.jones+ce@state-society.org")),
            ("", None),
            ("no-at-sign.example.org", None),
            ("a@b", None),
            ("a@.example.org", None),
            ("a@example..org", None),
            ("<script>@x.org", None),
            ("two words@example.org", None),
            ("a@b@example.org", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(Email::parse(raw).ok().as_ref().map(Email::as_str), *expected, "{raw:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).unwrap_err().0.contains("at most 254"));
    }

    #[test]
    fn display_names() {
        assert_eq!(parse_display_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name(&"x".repeat(101)).is_err());
        assert!(parse_display_name("bad\u{7}name").is_err());
    }

    #[test]
    fn passwords() {
        let email = Email::parse("ada@example.org").unwrap();
        let cases: &[(&str, bool)] = &[
            ("short", false),
            ("correct horse battery", true),
            ("aaaaaaaaaaaa", false),
            ("ADA@example.org", false),
            (&"p".repeat(257), false),
        ];
        for (password, ok) in cases {
            assert_eq!(check_new_password(password, Some(&email)).is_ok(), *ok, "{password:?}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("superuser").is_err());
    }
}
