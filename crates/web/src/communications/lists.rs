//! Staff's communication lists: every list with how many are on it, adding one, and
//! changing a list's name, purpose and whether its chapter's officers may send to it.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use guildhall_app::communications::{ListForm, ListView};
use guildhall_app::records::{ChapterRecord, ListRecord};
use guildhall_app::{App, AppError, Permission};

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/staff/lists", get(lists).post(create)).route("/staff/lists/{id}", get(list).post(update))
}

#[derive(Template)]
#[template(path = "communications/lists.html")]
struct ListsPage {
    chrome: Chrome,
    lists: Vec<ListView>,
    chapters: Vec<ChapterRecord>,
    values: ListForm,
    form: FormState,
    notice: String,
}

/// A list form from the posted pairs (the officers' checkbox is absent when unticked).
fn list_form(pairs: &[(String, String)]) -> ListForm {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    ListForm {
        slug: field("slug"),
        name: field("name"),
        purpose: field("purpose"),
        opt: field("opt"),
        chapter_id: field("chapter_id"),
        officers_may_send: field("officers_may_send") == "yes",
        officer_sends_per_month: field("officer_sends_per_month"),
    }
}

fn lists_notice(done: &str) -> String {
    match done {
        "list_created" => "The list was added.",
        "list_saved" => "The list was saved.",
        _ => "",
    }
    .into()
}

async fn lists_page(
    app: &App,
    identity: &Identity,
    values: ListForm,
    form: FormState,
    notice: String,
) -> Result<ListsPage, AppError> {
    let actor = identity.actor.as_ref().ok_or(AppError::Unauthenticated)?;
    actor.require(Permission::ManageLists)?;
    Ok(ListsPage {
        chrome: Chrome::new(app, identity, "Communication lists", "staff").await.in_subsection("lists"),
        lists: app.communication_lists_for(actor).await?,
        chapters: app.reference().await?.chapters.clone(),
        values,
        form,
        notice,
    })
}

async fn lists(
    State(app): State<Arc<App>>,
    SignedIn(_, identity): SignedIn,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let values = ListForm { opt: "out".into(), officer_sends_per_month: "4".into(), ..ListForm::default() };
    render(&lists_page(&app, &identity, values, FormState::default(), lists_notice(query.done())).await?)
}

async fn create(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = list_form(&pairs);
    match app.create_communication_list(&actor, &values, &identity.request_id).await {
        Ok(_) => done("/staff/lists", "list_created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&lists_page(&app, &identity, values, FormState::from_error(&err), String::new()).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "communications/list.html")]
struct ListPage {
    chrome: Chrome,
    list: ListRecord,
    values: ListForm,
    form: FormState,
    notice: String,
}

async fn list(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let list = app.communication_list_for(&actor, path_id(&id, "list")?).await?;
    let values = ListForm {
        name: list.name.clone(),
        purpose: list.purpose.clone(),
        officers_may_send: list.officers_may_send,
        officer_sends_per_month: list.officer_sends_per_month.to_string(),
        ..ListForm::default()
    };
    render(&ListPage {
        chrome: Chrome::new(&app, &identity, &list.name, "staff").await.in_subsection("lists"),
        list,
        values,
        form: FormState::default(),
        notice: lists_notice(query.done()),
    })
}

async fn update(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let id = path_id(&id, "list")?;
    let values = list_form(&pairs);
    match app.update_communication_list(&actor, id, &values, &identity.request_id).await {
        Ok(()) => done(&format!("/staff/lists/{id}"), "list_saved"),
        Err(err @ AppError::Validation { .. }) => {
            let list = app.communication_list_for(&actor, id).await?;
            rerender(
                &ListPage {
                    chrome: Chrome::new(&app, &identity, &list.name, "staff").await.in_subsection("lists"),
                    list,
                    values,
                    form: FormState::from_error(&err),
                    notice: String::new(),
                },
                &err,
            )
        }
        Err(err) => Err(err.into()),
    }
}
