//! Codes the database stores for the domain's vocabularies: an enum per vocabulary, one
//! stored code and one label per variant, read back with `TryFrom<String>` at the store's
//! boundary ([`codes!`] declares them; events and credentials use it).

/// A code read back from the database that names no variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {code:?}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

/// Declares a code enum: one stored code and one label per variant, read back with
/// `TryFrom<String>`.
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant, in the order forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used by the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// What people read.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                Self::from_code(&code).ok_or($crate::codes::UnknownCode { what: $what, code })
            }
        }
    };
}
