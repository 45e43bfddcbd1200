//! The staff CSV import of members (with a dry run, and inviting the imported members).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "membership/import.html")]
struct ImportPage {
    chrome: Chrome,
    form: FormState,
    notice: String,
    problems: Vec<String>,
}

pub async fn import_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    actor.require(guildhall_app::Permission::StaffArea)?;
    render(&ImportPage {
        chrome: Chrome::new(&app, &identity, "Import members", "staff").await.in_subsection("import"),
        form: FormState::default(),
        notice: String::new(),
        problems: Vec::new(),
    })
}

/// The upload carries its CSRF token in the query string: a multipart body cannot be
/// checked before it is read, and the token must be checked before anything is done.
pub async fn import_upload(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&q, &identity)?;
    actor.require(guildhall_app::Permission::StaffArea)?;
    let unreadable = |e| crate::kit::multipart_problem(e, "The upload");
    let (mut file, mut mapping, mut dry_run, mut invite) = (None, None, false, false);
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(unreadable)?),
            "mapping" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                if !bytes.is_empty() {
                    mapping = Some(
                        String::from_utf8(bytes.to_vec())
                            .map_err(|_| AppError::invalid("The mapping file is not UTF-8 text."))?,
                    );
                }
            }
            "dry_run" => dry_run = true,
            "invite" => invite = true,
            _ => {}
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::invalid_field("file", "Choose a CSV file to import."))?;
    let progress = |_: &str, _: usize, _: usize| {};
    let chrome = Chrome::new(&app, &identity, "Import members", "staff").await.in_subsection("import");
    let outcome = app
        .import_members_as(&actor, &file, mapping.as_deref(), dry_run, invite, &progress, &identity.request_id)
        .await;
    match outcome {
        Ok(report) => {
            let notice = if report.dry_run {
                format!(
                    "All {} rows are valid. Nothing was imported: untick \u{201c}Only check the file\u{201d} to import them.",
                    report.rows
                )
            } else if !invite {
                format!("Imported {} members.", report.imported)
            } else {
                let invited = match report.invited {
                    0 => "nobody was invited: none of them is without an account and an open invitation".to_string(),
                    1 => "1 of them was invited by email".to_string(),
                    n => format!("{n} of them were invited by email"),
                };
                format!("Imported {} members; {invited}.", report.imported)
            };
            render(&ImportPage { chrome, form: FormState::default(), notice, problems: Vec::new() })
        }
        Err(err @ AppError::Validation { .. }) => {
            let problems = match &err {
                AppError::Validation { fields, .. } => fields.values().take(500).cloned().collect(),
                _ => Vec::new(),
            };
            let mut form = FormState::from_error(&err);
            form.fields.clear();
            rerender(&ImportPage { chrome, form, notice: String::new(), problems }, &err)
        }
        Err(err) => Err(err.into()),
    }
}
