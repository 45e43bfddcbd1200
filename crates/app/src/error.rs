//! The application layer's one error type. The web layer maps it to HTTP in one place.

use std::collections::BTreeMap;

use guildhall_domain::identity::unsafe_text;
use guildhall_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// Input a person can correct: a message, and per-field messages for forms.
    #[error("{message}")]
    Validation { message: String, fields: BTreeMap<String, String> },
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { message: String, field: Option<String> },
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: i64 },
    /// A request that is malformed as sent (a query parameter of the wrong type or out of
    /// range), as opposed to well-formed input a person can correct (`Validation`).
    #[error("{0}")]
    BadRequest(String),
    /// What was sent is larger than the request may be.
    #[error("{0}")]
    TooLarge(String),
    /// What was sent did not arrive in time (a body that trickled in).
    #[error("{0}")]
    TimedOut(String),
    /// Something on our side; the text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Validation { message: message.into(), fields: BTreeMap::new() }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation { message: message.clone(), fields: BTreeMap::from([(field.to_string(), message)]) }
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("You do not have permission to do that.".into())
    }

    /// A stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooLarge(_) => "too_large",
            AppError::TimedOut(_) => "timed_out",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound("That record does not exist.".into()),
            StoreError::Conflict { field } => AppError::Conflict {
                message: "That conflicts with a record that already exists.".into(),
                field: Some(field),
            },
            StoreError::Invalid(message) => AppError::invalid(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Collects field errors from a form, then fails once with all of them.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.0.entry(field.to_string()).or_insert_with(|| err.to_string());
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| message.into());
    }

    /// A short free-text field (a name, a title, a description): trimmed, required when
    /// `required`, at most `max` characters, no control characters. `label` names it in
    /// the message ("a name" → "Enter a name.").
    pub fn text(&mut self, value: &str, field: &str, label: &str, max: usize, required: bool) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            self.add(field, format!("Enter {label}."));
        } else if value.chars().count() > max {
            self.add(field, format!("{} can be at most {max} characters.", capitalise(label)));
        } else if let Some(problem) = unsafe_text(value) {
            self.add(field, format!("{} cannot contain {problem}.", capitalise(label)));
        }
        value.to_string()
    }

    /// A Markdown text (a question, an answer, an article): line breaks and tabs allowed,
    /// Windows line endings made plain, trimmed, at most `max` characters, no other
    /// control characters.
    pub fn markdown(&mut self, value: &str, field: &str, label: &str, max: usize) -> String {
        let value = value.replace("\r\n", "\n").replace('\r', "\n");
        let value = value.trim();
        if value.is_empty() {
            self.add(field, format!("Enter {label}."));
        } else if value.chars().count() > max {
            self.add(field, format!("{} can be at most {max} characters.", capitalise(label)));
        } else if let Some(problem) = unsafe_text(&value.replace(['\n', '\t'], " ")) {
            self.add(field, format!("{} cannot contain {problem}.", capitalise(label)));
        }
        value.to_string()
    }

    /// An optional web address (a website, an online link): empty, or `https://` with no
    /// spaces and at most 500 characters.
    pub fn web_address(&mut self, value: &str, field: &str, label: &str) -> String {
        let value = value.trim();
        if !value.is_empty()
            && (!value.starts_with("https://") || value.len() > 500 || value.contains(char::is_whitespace))
        {
            self.add(field, format!("{} must be a web address starting with https://.", capitalise(label)));
        }
        value.to_string()
    }

    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            let message = if self.0.len() == 1 {
                self.0.values().next().cloned().unwrap_or_default()
            } else {
                format!("Please correct the {} fields marked below.", self.0.len())
            };
            Err(AppError::Validation { message, fields: self.0 })
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
