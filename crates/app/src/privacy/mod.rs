//! Members' rights over their data: the privacy page, the download of everything the
//! society holds on a person, erasure, consents and retention.
//!
//! Files: `mod.rs` (the privacy page and the download: a ZIP with one JSON file per table,
//! read through the store's personal-data catalogue, and the evidence files),
//! `erasure.rs` ("Erase me": the request, staff's queue and decision), `consents.rs`
//! (consents given at sign-up and on the privacy page, and withdrawing optional ones),
//! `retention.rs` (the daily sweep of former members and never-completed sign-ups).

pub mod consents;
pub mod erasure;
pub mod retention;

use std::io::Write;

use guildhall_store::copy::{ColumnType, Value};
use guildhall_store::privacy::classification;
use serde_json::{Map, Value as Json, json};

use crate::{Actor, App, AppError, AppResult, Permission};

pub use consents::{ConsentView, Purpose};

/// What the privacy page shows a signed-in person.
#[derive(Debug, Clone)]
pub struct PrivacyOverview {
    pub has_member_record: bool,
    pub consents: Vec<ConsentView>,
    /// When their erasure request was made, while it waits for staff.
    pub erasure_requested_at: Option<i64>,
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int(v) => json!(v),
        Value::Text(v) => json!(v),
        Value::Bool(v) => json!(v),
        Value::Date(v) => json!(v.to_string()),
        Value::Bytes(v) => json!(format!("({} bytes)", v.len())),
    }
}

/// A file name safe inside a ZIP: no folders, no control characters.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c.is_control() || "/\\:".contains(c) { '_' } else { c }).collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() { "file".into() } else { cleaned }
}

impl App {
    /// The privacy page: consents, and whether an erasure request waits.
    pub async fn privacy_overview(&self, actor: &Actor) -> AppResult<PrivacyOverview> {
        actor.require(Permission::OwnAccount)?;
        let person = self.store.person_of_user(actor.user_id).await?;
        Ok(PrivacyOverview {
            has_member_record: person.member_id.is_some(),
            consents: self.consent_views(actor.user_id, person.member_id).await?,
            erasure_requested_at: self.store.pending_erasure(actor.user_id).await?.map(|(_, at)| at),
        })
    }

    /// Everything the society holds on the signed-in person, as a ZIP: `README.txt`, one
    /// `data/<table>.json` per table with rows about them (every column but password and
    /// token hashes and two-factor secrets), and `files/<table>/<id>-<name>` for each uploaded
    /// file (CE evidence, proof of eligibility). Which rows are theirs is decided by the store's personal-data
    /// catalogue, table by table.
    pub async fn my_data_zip(&self, actor: &Actor) -> AppResult<Vec<u8>> {
        actor.require(Permission::OwnAccount)?;
        let person = self.store.person_of_user(actor.user_id).await?;
        let tables = self.store.personal_rows(&person).await?;
        let society = self.branding().await.name;
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut put = |name: &str, bytes: &[u8]| -> AppResult<()> {
            zip.start_file(name, options).map_err(|e| AppError::Internal(e.to_string()))?;
            zip.write_all(bytes).map_err(|e| AppError::Internal(e.to_string()))
        };
        let mut readme = format!(
            "Everything {society} holds on you, as of {}.\n\n\
             data/<table>.json: the rows of each table that are about you, one JSON object per row.\n\
             files/<table>/: the files you uploaded (CE evidence, proof of eligibility for a tier).\n\
             Password hashes, sign-in token hashes and two-factor secrets are never included.\n\nTables:\n",
            self.clock.now().date()
        );
        for (spec, rows) in &tables {
            let secret = classification(spec.name).map(|c| c.secret).unwrap_or(&[]);
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let mut object = Map::new();
                let mut file: Option<(String, &Vec<u8>)> = None;
                for ((column, ty), value) in spec.columns.iter().zip(row) {
                    if secret.contains(column) {
                        continue;
                    }
                    if *ty == ColumnType::Bytes {
                        if let Value::Bytes(bytes) = value {
                            file = Some((column.to_string(), bytes));
                        }
                        continue;
                    }
                    object.insert(column.to_string(), to_json(value));
                }
                if let Some((column, bytes)) = file {
                    let id = object.get("id").map(|v| v.to_string()).unwrap_or_default();
                    let name = object.get("file_name").and_then(|v| v.as_str()).unwrap_or(&column).to_string();
                    let path = format!("files/{}/{id}-{}", spec.name, safe_file_name(&name));
                    put(&path, bytes)?;
                    object.insert(format!("{column}_file"), json!(path));
                }
                out.push(Json::Object(object));
            }
            let body = serde_json::to_vec_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))?;
            put(&format!("data/{}.json", spec.name), &body)?;
            readme.push_str(&format!("  {:<24} {:>6} rows\n", spec.name, rows.len()));
        }
        put("README.txt", readme.as_bytes())?;
        let cursor = zip.finish().map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(cursor.into_inner())
    }
}
