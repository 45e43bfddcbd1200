use thiserror::Error;

/// What can go wrong in the storage layer. No sqlx type escapes: causes become text.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the write; `constraint` names it.
    #[error("conflicts with existing data ({constraint})")]
    Conflict { constraint: String },
    #[error("{0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Backend(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                let constraint = db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string());
                StoreError::Conflict { constraint }
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}
