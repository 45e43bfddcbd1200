//! Publications pages: the list, a publication with its issues, an issue's table of
//! contents, an article (abstract and citation for everyone, full text and files for its
//! readers), file downloads, each publication's Atom feed, and staff's pages adding
//! publications, issues and articles.
//!
//! Files: `mod.rs` (routes and pages), `api.rs` (its JSON API operation).

pub mod api;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use guildhall_app::publications::{
    IssueForm, PublicationArticleForm, PublicationArticleView, PublicationForm, PublicationView,
};
use guildhall_app::records::{GroupRecord, IssueRecord, PublicationArticleRecord, PublicationRecord, TierRecord};
use guildhall_app::uploads::Upload;
use guildhall_app::{App, AppError, Permission};
use guildhall_domain::publications::{PublicationAccess, PublicationKind};
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

/// The largest upload of an article with its files.
const ARTICLE_UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/publications", get(list))
        .route("/publications/{slug}", get(publication))
        .route("/publications/{slug}/feed.atom", get(feed))
        .route("/publications/{slug}/issues/{issue}", get(issue))
        .route("/publications/{slug}/articles/{article}", get(article))
        .route("/publications/{slug}/articles/{article}/files/{file}", get(file))
        .route("/staff/publications", get(staff_list).post(create))
        .route("/staff/publications/{slug}", get(staff_publication).post(add_issue))
        .route(
            "/staff/publications/{slug}/issues/{issue}",
            get(staff_issue).post(add_article).layer(DefaultBodyLimit::max(ARTICLE_UPLOAD_LIMIT)),
        )
}

fn parse_number(raw: &str, what: &str) -> Result<i64, AppError> {
    parse_id(raw, what)?.ok_or_else(|| AppError::NotFound(format!("No such {what}.")))
}

fn publication_notice(done: &str) -> String {
    match done {
        "created" => "The publication was created. Add its first issue below.",
        "issue_added" => "The issue was added.",
        "article_added" => "The article was added.",
        _ => "",
    }
    .into()
}

#[derive(Template)]
#[template(path = "publications/list.html")]
struct ListPage {
    chrome: Chrome,
    publications: Vec<PublicationRecord>,
}

async fn list(State(app): State<Arc<App>>, identity: Identity) -> PageResult {
    render(&ListPage {
        chrome: Chrome::new(&app, &identity, "Publications", "knowledge").await,
        publications: app.publications().await?,
    })
}

#[derive(Template)]
#[template(path = "publications/publication.html")]
struct PublicationPage {
    chrome: Chrome,
    view: PublicationView,
}

async fn publication(State(app): State<Arc<App>>, identity: Identity, Path(slug): Path<String>) -> PageResult {
    let view = app.publication_page(identity.actor.as_ref(), &slug).await?;
    let title = view.publication.name.clone();
    render(&PublicationPage { chrome: Chrome::new(&app, &identity, &title, "knowledge").await, view })
}

#[derive(Template)]
#[template(path = "publications/issue.html")]
struct IssuePage {
    chrome: Chrome,
    publication: PublicationRecord,
    issue: IssueRecord,
    articles: Vec<PublicationArticleRecord>,
}

async fn issue(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path((slug, issue)): Path<(String, String)>,
) -> PageResult {
    let (publication, issue, articles) = app.publication_issue_page(&slug, parse_number(&issue, "issue")?).await?;
    let title = format!("{}: {}", publication.name, issue.title);
    render(&IssuePage { chrome: Chrome::new(&app, &identity, &title, "knowledge").await, publication, issue, articles })
}

#[derive(Template)]
#[template(path = "publications/article.html")]
struct ArticlePage {
    chrome: Chrome,
    view: PublicationArticleView,
    sign_in_link: String,
}

impl ArticlePage {
    /// A file's size as people read it ("994 bytes", "1.2 MB").
    fn size(&self, bytes: &i64) -> String {
        match *bytes {
            b if b < 1024 => format!("{b} bytes"),
            b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
            b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        }
    }
}

async fn article(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path((slug, article)): Path<(String, String)>,
) -> PageResult {
    let id = parse_number(&article, "article")?;
    let view = app.publication_article_page(identity.actor.as_ref(), &slug, id).await?;
    let title = view.article.title.clone();
    render(&ArticlePage {
        chrome: Chrome::new(&app, &identity, &title, "knowledge").await,
        sign_in_link: sign_in_path(&format!("/publications/{slug}/articles/{id}")),
        view,
    })
}

async fn file(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path((slug, article, file)): Path<(String, String, String)>,
) -> PageResult {
    let (article, file) = (parse_number(&article, "article")?, parse_number(&file, "file")?);
    let document = app.publication_file(identity.actor.as_ref(), &slug, article, file).await?;
    Ok(document_response(document, true))
}

/// A day's start as the feed's date-time.
fn feed_time(day: time::Date) -> atom_syndication::FixedDateTime {
    let text = format!("{day}T00:00:00+00:00");
    chrono::DateTime::parse_from_rfc3339(&text).unwrap_or_default()
}

/// The publication's Atom feed: its newest articles' titles, authors, abstracts and links.
async fn feed(State(app): State<Arc<App>>, Path(slug): Path<String>) -> PageResult {
    use atom_syndication::{EntryBuilder, FeedBuilder, LinkBuilder, PersonBuilder, Text};
    let slug = slug.strip_suffix(".atom").unwrap_or(&slug).to_string();
    let (publication, articles) = app.publication_feed(&slug).await?;
    let home = app.link(&format!("/publications/{}", publication.slug));
    let updated = articles.first().map(|(_, issue)| feed_time(issue.published_on)).unwrap_or_else(|| {
        feed_time(
            time::OffsetDateTime::from_unix_timestamp(publication.created_at)
                .map(|t| t.date())
                .unwrap_or(time::Date::MIN),
        )
    });
    let entries = articles
        .iter()
        .map(|(article, issue)| {
            let url = app.link(&format!("/publications/{}/articles/{}", publication.slug, article.id));
            EntryBuilder::default()
                .id(url.clone())
                .title(Text::plain(article.title.clone()))
                .updated(feed_time(issue.published_on))
                .published(Some(feed_time(issue.published_on)))
                .authors(
                    article
                        .authors
                        .split(['&', ';'])
                        .map(|a| a.trim().trim_end_matches(',').trim())
                        .filter(|a| !a.is_empty())
                        .map(|name| PersonBuilder::default().name(name.to_string()).build())
                        .collect::<Vec<_>>(),
                )
                .summary(Some(Text::plain(guildhall_app::knowledge::markdown::to_plain_text(&article.summary))))
                .link(LinkBuilder::default().rel("alternate").mime_type(Some("text/html".into())).href(url).build())
                .build()
        })
        .collect::<Vec<_>>();
    let feed = FeedBuilder::default()
        .id(home.clone())
        .title(Text::plain(publication.name.clone()))
        .subtitle(Some(Text::plain(publication.description.clone())))
        .updated(updated)
        .link(LinkBuilder::default().rel("alternate").mime_type(Some("text/html".into())).href(home.clone()).build())
        .link(
            LinkBuilder::default()
                .rel("self")
                .mime_type(Some("application/atom+xml".into()))
                .href(format!("{home}/feed.atom"))
                .build(),
        )
        .entries(entries)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=600"),
        ],
        feed.to_string(),
    )
        .into_response())
}

// ------------------------------------------------------------------ staff

#[derive(Deserialize, Default)]
struct CreateInput {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    access: String,
    /// Checked tiers and groups (`tier:3`, `group:2`), sent once per box.
    #[serde(default)]
    chosen: Vec<String>,
}

#[derive(Template)]
#[template(path = "publications/staff.html")]
struct StaffPage {
    chrome: Chrome,
    publications: Vec<PublicationRecord>,
    values: CreateInput,
    kinds: Vec<(&'static str, &'static str)>,
    accesses: Vec<(&'static str, &'static str)>,
    tiers: Vec<TierRecord>,
    groups: Vec<GroupRecord>,
    form: FormState,
}

impl StaffPage {
    fn is_chosen(&self, key: &str) -> bool {
        self.values.chosen.iter().any(|c| c == key)
    }
}

async fn staff_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    values: CreateInput,
    form: FormState,
) -> Result<StaffPage, AppError> {
    actor.require(Permission::ManagePublications)?;
    Ok(StaffPage {
        chrome: Chrome::new(app, identity, "Publications", "staff").await.in_subsection("publications"),
        publications: app.publications().await?,
        values,
        kinds: PublicationKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        accesses: PublicationAccess::ALL.iter().map(|a| (a.code(), a.label())).collect(),
        tiers: app.reference().await?.tiers.clone(),
        groups: app.staff_groups(actor).await?.into_iter().map(|(g, _)| g).collect(),
        form,
    })
}

async fn staff_list(State(app): State<Arc<App>>, SignedIn(actor, identity): SignedIn) -> PageResult {
    render(&staff_page(&app, &actor, &identity, CreateInput::default(), FormState::default()).await?)
}

async fn create(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    // Checkboxes repeat their name: the form is read as pairs.
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = CreateInput {
        slug: field("slug"),
        name: field("name"),
        description: field("description"),
        kind: field("kind"),
        access: field("access"),
        chosen: pairs.iter().filter(|(k, _)| k == "chosen").map(|(_, v)| v.clone()).collect(),
    };
    let ids = |prefix: &str| -> Vec<i64> {
        input.chosen.iter().filter_map(|c| c.strip_prefix(prefix)).filter_map(|n| n.parse().ok()).collect()
    };
    let form = PublicationForm {
        slug: input.slug.clone(),
        name: input.name.clone(),
        description: input.description.clone(),
        kind: input.kind.clone(),
        access: input.access.clone(),
        tier_ids: ids("tier:"),
        group_ids: ids("group:"),
    };
    match app.create_publication(&actor, &form, &identity.request_id).await {
        Ok(slug) => done(&format!("/staff/publications/{slug}"), "created"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&staff_page(&app, &actor, &identity, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
struct IssueInput {
    #[serde(default)]
    title: String,
    #[serde(default)]
    volume: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    published_on: String,
}

#[derive(Template)]
#[template(path = "publications/staff_publication.html")]
struct StaffPublicationPage {
    chrome: Chrome,
    view: PublicationView,
    notice: String,
    values: IssueInput,
    form: FormState,
}

async fn staff_publication_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    slug: &str,
    notice: String,
    values: IssueInput,
    form: FormState,
) -> Result<StaffPublicationPage, AppError> {
    actor.require(Permission::ManagePublications)?;
    let view = app.publication_page(Some(actor), slug).await?;
    Ok(StaffPublicationPage {
        chrome: Chrome::new(app, identity, &view.publication.name, "staff").await.in_subsection("publications"),
        view,
        notice,
        values,
        form,
    })
}

async fn staff_publication(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = publication_notice(q.done());
    render(
        &staff_publication_page(&app, &actor, &identity, &slug, notice, IssueInput::default(), FormState::default())
            .await?,
    )
}

async fn add_issue(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<IssueInput>,
) -> PageResult {
    let form = IssueForm {
        title: input.title.clone(),
        volume: input.volume.clone(),
        number: input.number.clone(),
        published_on: input.published_on.clone(),
    };
    match app.add_publication_issue(&actor, &slug, &form, &identity.request_id).await {
        Ok(id) => done(&format!("/staff/publications/{slug}/issues/{id}"), "issue_added"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &staff_publication_page(&app, &actor, &identity, &slug, String::new(), input, FormState::from_error(&err))
                .await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Default)]
struct ArticleInput {
    title: String,
    authors: String,
    summary: String,
    body: String,
    doi: String,
    pages: String,
}

#[derive(Template)]
#[template(path = "publications/staff_issue.html")]
struct StaffIssuePage {
    chrome: Chrome,
    publication: PublicationRecord,
    issue: IssueRecord,
    articles: Vec<PublicationArticleRecord>,
    notice: String,
    values: ArticleInput,
    form: FormState,
}

impl StaffIssuePage {
    /// The one-line fields: (name, label, value).
    fn text_fields(&self) -> Vec<(String, &'static str, String)> {
        let v = &self.values;
        vec![
            ("title".into(), "Title", v.title.clone()),
            ("authors".into(), "Authors (as they are cited: Ruiz, A., & Chen, L.)", v.authors.clone()),
            ("pages".into(), "Pages", v.pages.clone()),
            ("doi".into(), "DOI", v.doi.clone()),
        ]
    }
}

#[allow(clippy::too_many_arguments)]
async fn staff_issue_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    slug: &str,
    issue_id: i64,
    notice: String,
    values: ArticleInput,
    form: FormState,
) -> Result<StaffIssuePage, AppError> {
    actor.require(Permission::ManagePublications)?;
    let (publication, issue, articles) = app.publication_issue_page(slug, issue_id).await?;
    Ok(StaffIssuePage {
        chrome: Chrome::new(app, identity, &issue.title, "staff").await.in_subsection("publications"),
        publication,
        issue,
        articles,
        notice,
        values,
        form,
    })
}

async fn staff_issue(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((slug, issue)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let issue = parse_number(&issue, "issue")?;
    let notice = publication_notice(q.done());
    render(
        &staff_issue_page(&app, &actor, &identity, &slug, issue, notice, ArticleInput::default(), FormState::default())
            .await?,
    )
}

/// The upload carries its CSRF token in the query string (see `session::check_csrf`).
async fn add_article(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((slug, issue)): Path<(String, String)>,
    Query(csrf): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&csrf, &identity)?;
    actor.require(Permission::ManagePublications)?;
    let issue = parse_number(&issue, "issue")?;
    let unreadable = |e| multipart_problem(e, "The upload");
    let mut input = ArticleInput::default();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("file").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            files.push(Upload { file_name, bytes: bytes.to_vec() });
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "title" => input.title = text,
            "authors" => input.authors = text,
            "summary" => input.summary = text,
            "body" => input.body = text,
            "doi" => input.doi = text,
            "pages" => input.pages = text,
            _ => {}
        }
    }
    let form = PublicationArticleForm {
        title: input.title.clone(),
        authors: input.authors.clone(),
        summary: input.summary.clone(),
        body: input.body.clone(),
        doi: input.doi.clone(),
        pages: input.pages.clone(),
    };
    match app.add_publication_article(&actor, &slug, issue, &form, files, &identity.request_id).await {
        Ok(_) => done(&format!("/staff/publications/{slug}/issues/{issue}"), "article_added"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &staff_issue_page(&app, &actor, &identity, &slug, issue, String::new(), input, FormState::from_error(&err))
                .await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}
