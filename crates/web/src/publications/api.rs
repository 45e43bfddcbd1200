//! The publications API: the society's publications, with who reads their full texts.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiResult;
use crate::kit::iso_time;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/publications", get(list_publications))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_publications), components(schemas(Publication, PublicationList)))]
pub struct Doc;

/// A publication of the society.
#[derive(Serialize, ToSchema)]
pub struct Publication {
    id: i64,
    slug: String,
    name: String,
    description: String,
    /// journal, magazine or newsletter
    kind: String,
    /// Who reads full articles: public, members or chosen (members of chosen tiers or groups).
    access: String,
    issues: i64,
    url: String,
    /// Its Atom feed (titles, authors, abstracts).
    feed_url: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicationList {
    items: Vec<Publication>,
}

#[utoipa::path(get, path = "/api/v1/publications", security((), ("bearer" = [])), responses((status = 200, body = PublicationList)))]
async fn list_publications(State(app): State<Arc<App>>) -> ApiResult<PublicationList> {
    let items = app
        .publications()
        .await?
        .into_iter()
        .map(|p| Publication {
            url: app.link(&format!("/publications/{}", p.slug)),
            feed_url: app.link(&format!("/publications/{}/feed.atom", p.slug)),
            id: p.id,
            name: p.name,
            description: p.description,
            kind: p.kind.code().into(),
            access: p.access.code().into(),
            issues: p.issues,
            created_at: iso_time(p.created_at),
            slug: p.slug,
        })
        .collect();
    Ok(Json(PublicationList { items }))
}
