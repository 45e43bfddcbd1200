//! The chapters API.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use guildhall_app::App;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiResult;
use crate::error::ErrorBody;
use crate::session::ApiActor;

/// The chapters API's operations.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/v1/chapters", get(chapters))
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(chapters), components(schemas(Chapter)))]
pub struct Doc;

#[derive(Serialize, ToSchema)]
pub struct Chapter {
    id: i64,
    slug: String,
    name: String,
    /// chapter or student_chapter
    kind: String,
    region: String,
}

#[utoipa::path(get, path = "/api/v1/chapters", responses((status = 200, body = [Chapter]), (status = 401, body = ErrorBody)))]
async fn chapters(State(app): State<Arc<App>>, ApiActor(actor, _): ApiActor) -> ApiResult<Vec<Chapter>> {
    let chapters = app.chapters(&actor).await?;
    Ok(Json(
        chapters
            .into_iter()
            .map(|c| Chapter { id: c.id, slug: c.slug, name: c.name, kind: c.kind, region: c.region })
            .collect(),
    ))
}
