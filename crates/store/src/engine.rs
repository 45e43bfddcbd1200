//! The two engines behind one [`Store`](crate::Store): which pool a query runs on, and the
//! shape every audited change takes.
//!
//! A query is written once, in SQL both engines accept; `with_reader!` and `with_writer!`
//! hand its body a concretely typed pool of whichever engine is configured, so sqlx
//! compiles it for each. `insert_audit!` writes an audit entry inside an open transaction;
//! `audited!` is the whole audited write (begin, the change, the audit entry, commit) and
//! `audited_change!` the same for one existing row (none changed → `NotFound`).

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

#[derive(Clone)]
pub(crate) enum Engine {
    /// SQLite allows one writer at a time: writes go through a one-connection pool so
    /// they queue in the application instead of failing with SQLITE_BUSY, while reads
    /// use a pool of their own (WAL lets them run beside the writer).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to a read pool of whichever engine is in use.
macro_rules! with_reader {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.engine {
            $crate::engine::Engine::Sqlite { read: $pool, .. } => $body,
            $crate::engine::Engine::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$pool` bound to the write pool of whichever engine is in use.
macro_rules! with_writer {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.engine {
            $crate::engine::Engine::Sqlite { write: $pool, .. } => $body,
            $crate::engine::Engine::Postgres($pool) => $body,
        }
    };
}

/// Inserts one audit entry inside an open transaction.
macro_rules! insert_audit {
    ($tx:expr, $entry:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (occurred_at, actor_user_id, actor_label, action, subject_kind, subject_id, \
             subject_label, chapter_id, before_json, after_json, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind($entry.occurred_at)
        .bind($entry.actor_user_id)
        .bind(&$entry.actor_label)
        .bind(&$entry.action)
        .bind(&$entry.subject_kind)
        .bind($entry.subject_id)
        .bind(&$entry.subject_label)
        .bind($entry.chapter_id)
        .bind(&$entry.before_json)
        .bind(&$entry.after_json)
        .bind(&$entry.request_id)
        .execute(&mut *$tx)
        .await
    };
}

/// The audited write: `$body` runs in a write transaction (`$tx`), then the audit entry
/// is written in the same transaction, then it commits; the body's value is returned. The
/// entry may be built from that value (`|id| entry`), e.g. to name what was just created.
/// A `return Err(…)` in the body leaves nothing written.
macro_rules! audited {
    ($store:expr, |$tx:ident| $body:expr, |$value:ident| $audit:expr) => {
        $crate::engine::with_writer!($store, |pool| {
            let mut $tx = pool.begin().await?;
            let $value = $body;
            $crate::engine::insert_audit!($tx, $audit)?;
            $tx.commit().await?;
            Ok($value)
        })
    };
    ($store:expr, |$tx:ident| $body:expr, $audit:expr) => {
        $crate::engine::audited!($store, |$tx| $body, |value| $audit)
    };
}

/// The audited change of one existing row: `$statement` (an `execute` on `$tx`) must change
/// a row, or the thing is gone: `StoreError::NotFound`, and nothing is written.
macro_rules! audited_change {
    ($store:expr, |$tx:ident| $statement:expr, $audit:expr) => {
        $crate::engine::audited!(
            $store,
            |$tx| {
                if $statement.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
            },
            $audit
        )
    };
}
/// Binds a list of engine-neutral values in order.
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values.iter() {
            query = match value {
                $crate::copy::Value::Int(v) => query.bind(*v),
                $crate::copy::Value::Text(v) => query.bind(v.clone()),
                $crate::copy::Value::Date(v) => query.bind(*v),
                $crate::copy::Value::Bool(v) => query.bind(*v),
                $crate::copy::Value::Bytes(v) => query.bind(v.clone()),
                $crate::copy::Value::Null => query.bind(None::<i64>),
            };
        }
        query
    }};
}

pub(crate) use {audited, audited_change, bind_all, insert_audit, with_reader, with_writer};

/// Rows per multi-row statement: well under both engines' limits on bound values.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// `($1, $2, …), ($n+1, …), …`: `rows` groups of `columns` numbered placeholders.
pub(crate) fn value_rows(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * columns + column + 1));
        }
        sql.push(')');
    }
    sql
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list.
pub(crate) fn in_list(count: usize) -> String {
    (1..=count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}
