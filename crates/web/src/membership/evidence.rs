//! Eligibility evidence: the applicant uploads proof of enrolment for an application
//! waiting for staff; staff open what applicants gave from the approvals queue.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use guildhall_app::membership::evidence::OwnApplication;
use guildhall_app::uploads::Upload;
use guildhall_app::{App, AppError};

use crate::kit::*;
use crate::session::{CsrfQuery, Identity, SignedIn, check_csrf};

/// Largest upload accepted (the application refuses files over `ce.max_evidence_mib`
/// with a sentence; this only stops bodies far beyond it).
pub const EVIDENCE_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Template)]
#[template(path = "membership/evidence.html")]
struct EvidencePage {
    chrome: Chrome,
    form: FormState,
    own: Option<OwnApplication>,
}

async fn page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    form: FormState,
) -> Result<EvidencePage, AppError> {
    Ok(EvidencePage {
        chrome: Chrome::new(app, identity, "Proof of eligibility", "dashboard").await,
        form,
        own: app.own_application(actor).await?,
    })
}

/// The applicant's waiting application, what it holds, and the upload form.
pub async fn evidence_form(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    render(&page(&app, &actor, &identity, FormState::default()).await?)
}

pub async fn upload_evidence(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<CsrfQuery>,
    mut multipart: Multipart,
) -> PageResult {
    check_csrf(&q, &identity)?;
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_problem(e, "The file"))? {
        if field.name() == Some("document") {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| multipart_problem(e, "The file"))?;
            if !bytes.is_empty() {
                upload = Some(Upload { file_name, bytes: bytes.to_vec() });
            }
        }
    }
    match app.add_enrolment_document(&actor, upload).await {
        Ok(()) => Ok(Redirect::to("/dashboard?applied=1").into_response()),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&page(&app, &actor, &identity, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

/// An uploaded evidence document, for staff deciding an application.
pub async fn evidence_document(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    Ok(document_response(app.evidence_document(&actor, id).await?, true))
}
