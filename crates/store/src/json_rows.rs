//! Rows of several tables read in one statement: each kind of row aggregated into one JSON
//! array, each row an array of its columns in its record's field order (records read a JSON
//! array as a sequence of their fields). A statement costs far more than its rows here: each
//! is a hand-off to the SQLite driver's thread, or a round trip to PostgreSQL. The CE
//! ledger's reads and the member's dashboard use it.

use crate::{Store, StoreError, StoreResult};

/// The engine's function making a JSON array of values, and the aggregate collecting those
/// arrays.
pub(crate) struct JsonRows {
    row: &'static str,
    rows: &'static str,
}

impl JsonRows {
    /// A scalar subquery: the rows of `from` (a table expression with its conditions) as
    /// a JSON array, `[]` when there are none. The rows come in no particular order: readers
    /// sort them (an ordered aggregate costs SQLite a temporary B-tree each time).
    pub(crate) fn rows(&self, columns: &str, from: &str) -> String {
        let JsonRows { row, rows } = self;
        format!("(SELECT COALESCE(CAST({rows}({row}({columns})) AS TEXT), '[]') FROM {from})")
    }
}

/// Reads a column written by [`JsonRows::rows`]; `what` names the rows in the error.
pub(crate) fn from_json_rows<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> StoreResult<Vec<T>> {
    serde_json::from_str(json).map_err(|e| StoreError::Backend(format!("stored {what} are unreadable: {e}")))
}

impl Store {
    pub(crate) fn json_rows(&self) -> JsonRows {
        match self.kind() {
            crate::EngineKind::Sqlite => JsonRows { row: "json_array", rows: "json_group_array" },
            crate::EngineKind::Postgres => JsonRows { row: "json_build_array", rows: "json_agg" },
        }
    }
}
