//! The confirmation page a destructive action opens first (no JavaScript needed): what is
//! about to happen, in words, and one form that does it. The action's own POST route does
//! nothing without `confirmed=yes`, which only this page's form sends.

use askama::Template;

use super::{Chrome, FormState};

/// The value the confirmation form sends as `confirmed`.
pub const CONFIRMED: &str = "yes";

/// Whether a submitted form came from the confirmation page.
pub fn is_confirmed(value: &str) -> bool {
    value == CONFIRMED
}

/// What a confirmation page's form sends to its action's POST, when it has no fields to fill.
#[derive(serde::Deserialize, Default)]
pub struct Confirmation {
    #[serde(default)]
    pub confirmed: String,
}

/// A field the confirming person fills in (a reason, a last day).
pub struct ConfirmInput {
    pub name: &'static str,
    pub label: &'static str,
    /// `textarea`, `date` or `text`.
    pub kind: &'static str,
    pub value: String,
    pub hint: String,
    pub required: bool,
}

#[derive(Template)]
#[template(path = "layout/confirm.html")]
pub struct ConfirmPage {
    pub chrome: Chrome,
    pub heading: String,
    /// What the action touches, as (term, description) pairs.
    pub details: Vec<(String, String)>,
    /// What happens, and what cannot be undone: one sentence each.
    pub consequences: Vec<String>,
    pub action: String,
    /// Values carried to the POST unchanged.
    pub hidden: Vec<(&'static str, String)>,
    pub inputs: Vec<ConfirmInput>,
    pub form: FormState,
    pub button: String,
    pub cancel_href: String,
}

impl ConfirmPage {
    /// A confirmation with nothing to fill in: what it is, what happens, and its one button.
    /// `details` and `consequences` are set on the value returned.
    pub fn plain(chrome: Chrome, heading: String, action: String, button: &str, cancel_href: String) -> Self {
        ConfirmPage {
            chrome,
            heading,
            details: Vec::new(),
            consequences: Vec::new(),
            action,
            hidden: Vec::new(),
            inputs: Vec::new(),
            form: FormState::default(),
            button: button.into(),
            cancel_href,
        }
    }
}
