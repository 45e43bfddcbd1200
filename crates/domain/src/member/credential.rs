//! Whether a credential on a member's record is a licence (issued by a licensing board in a
//! jurisdiction) or a certification (issued by a certifying body).

use serde::{Deserialize, Serialize};

use crate::identity::Invalid;

/// Where a credential on a member's record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// A licence or registration from a licensing board.
    Licence,
    /// A certification from a certifying body (or a society programme).
    Certification,
}

impl CredentialSource {
    /// The code stored in the database and used in forms and credential keys.
    pub fn code(self) -> &'static str {
        match self {
            CredentialSource::Licence => "licence",
            CredentialSource::Certification => "certification",
        }
    }

    /// The source with this code, if there is one.
    pub fn from_code(code: &str) -> Option<CredentialSource> {
        [CredentialSource::Licence, CredentialSource::Certification].into_iter().find(|s| s.code() == code)
    }
}

impl TryFrom<String> for CredentialSource {
    type Error = Invalid;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        CredentialSource::from_code(&code).ok_or_else(|| Invalid(format!("unknown credential source {code:?}")))
    }
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialSource;

    #[test]
    fn codes_read_back_and_others_are_refused() {
        for s in [CredentialSource::Licence, CredentialSource::Certification] {
            assert_eq!(CredentialSource::try_from(s.code().to_string()), Ok(s));
        }
        assert!(CredentialSource::try_from("Licence".to_string()).is_err());
    }
}
