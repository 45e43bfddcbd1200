//! Staff's knowledge-base pages: the article list with the import of article files (a dry
//! run first if wished), editing an article, unpublishing and merging (each confirmed
//! first), and subject experts.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::get;
use guildhall_app::knowledge::ArticleEdit;
use guildhall_app::records::{KbArticleRecord, KbArticleSummary, KbSubjectRecord, PageRequest};
use guildhall_app::{App, AppError, Permission};
use serde::Deserialize;

use crate::kit::confirm::{ConfirmInput, ConfirmPage, is_confirmed};
use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/staff/kb", get(list))
        .route(
            "/staff/kb/import",
            axum::routing::post(import).layer(DefaultBodyLimit::max(crate::membership::IMPORT_LIMIT)),
        )
        .route("/staff/kb/articles/{id}", get(edit_form).post(edit))
        .route("/staff/kb/articles/{id}/publish", get(confirm_publish).post(publish))
        .route("/staff/kb/articles/{id}/merge", get(confirm_merge).post(merge))
        .route("/staff/kb/experts", get(experts).post(change_expert))
        .route("/staff/kb/reports", get(reports))
        .route("/staff/kb/reports/dismiss", axum::routing::post(dismiss_reports))
}

fn staff_notice(done: &str) -> String {
    match done {
        "article_saved" => "The article was saved.",
        "article_published" => "The article is published.",
        "article_unpublished" => "The article is unpublished: its address now answers \u{201c}not found\u{201d}.",
        "article_merged" => "The article was merged: its address now leads to the other article.",
        "expert_added" => "The member is now an expert in that subject; they are emailed its new questions.",
        "expert_removed" => "The member is no longer an expert in that subject.",
        "reports_dismissed" => "The reports were dismissed; the post stays as it is.",
        _ => "",
    }
    .into()
}

fn parse_article_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw, "article")?.ok_or_else(|| AppError::NotFound("No such article.".into()))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<u32>,
    #[serde(default)]
    done: String,
}

#[derive(Template)]
#[template(path = "knowledge/staff.html")]
struct ListPage {
    chrome: Chrome,
    notice: String,
    q: String,
    articles: Vec<KbArticleSummary>,
    pager: Pager,
    problems: Vec<String>,
    form: FormState,
}

async fn list_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    q: &ListQuery,
    notice: String,
    problems: Vec<String>,
    form: FormState,
) -> Result<ListPage, AppError> {
    let page = app.kb_staff_articles(actor, Some(&q.q), PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    Ok(ListPage {
        chrome: Chrome::new(app, identity, "Knowledge base", "staff").await.in_subsection("knowledge"),
        notice,
        q: q.q.clone(),
        pager: Pager::new(&page, format!("/staff/kb?{}", query_string(&[("q", &q.q)]))),
        articles: page.items,
        problems,
        form,
    })
}

async fn list(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let notice = staff_notice(&q.done);
    render(&list_page(&app, &actor, &identity, &q, notice, Vec::new(), FormState::default()).await?)
}

/// The upload carries its CSRF token in the query string (see `session::check_csrf`).
async fn import(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(csrf): Query<crate::session::CsrfQuery>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    crate::session::check_csrf(&csrf, &identity)?;
    actor.require(Permission::ManageKnowledge)?;
    let unreadable = |e| multipart_problem(e, "The upload");
    let (mut files, mut dry_run) = (Vec::new(), false);
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "files" => {
                let name = field.file_name().unwrap_or("article").to_string();
                let bytes = field.bytes().await.map_err(unreadable)?;
                if bytes.is_empty() && name.is_empty() {
                    continue;
                }
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::invalid(format!("{name} is not UTF-8 text, so nothing was imported.")))?;
                if !text.trim().is_empty() || !name.is_empty() {
                    files.push((name, text));
                }
            }
            "dry_run" => dry_run = true,
            _ => {}
        }
    }
    files.retain(|(name, text)| !(name.is_empty() && text.is_empty()));
    let q = ListQuery::default();
    match app.import_kb_files_as(&actor, files, dry_run, &identity.request_id).await {
        Ok(report) => {
            let notice = if report.dry_run {
                format!(
                    "All {} files are valid. Nothing was imported: untick \u{201c}Only check the files\u{201d} to import them.",
                    report.files
                )
            } else {
                format!(
                    "Imported {} files: {} new articles, {} updated, {} unchanged.",
                    report.files, report.created, report.updated, report.unchanged
                )
            };
            render(&list_page(&app, &actor, &identity, &q, notice, Vec::new(), FormState::default()).await?)
        }
        Err(err @ AppError::Validation { .. }) => {
            let problems = match &err {
                AppError::Validation { fields, .. } => fields.values().take(500).cloned().collect(),
                _ => Vec::new(),
            };
            let mut form = FormState::from_error(&err);
            form.fields.clear();
            rerender(&list_page(&app, &actor, &identity, &q, String::new(), problems, form).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
struct EditInput {
    #[serde(default)]
    path: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    subjects: String,
    #[serde(default)]
    seo_title: String,
    #[serde(default)]
    seo_description: String,
    #[serde(default)]
    seo_keywords: String,
}

#[derive(Template)]
#[template(path = "knowledge/edit.html")]
struct EditPage {
    chrome: Chrome,
    article: KbArticleRecord,
    values: EditInput,
    notice: String,
    form: FormState,
}

impl EditPage {
    /// The one-line fields: (name, label, value).
    fn text_fields(&self) -> Vec<(String, &'static str, String)> {
        let v = &self.values;
        vec![
            ("title".into(), "Title", v.title.clone()),
            ("path".into(), "Address (path)", v.path.clone()),
            ("subjects".into(), "Subjects (comma-separated)", v.subjects.clone()),
            ("seo_title".into(), "Search-engine title", v.seo_title.clone()),
            ("seo_description".into(), "Description", v.seo_description.clone()),
            ("seo_keywords".into(), "Keywords", v.seo_keywords.clone()),
        ]
    }
}

async fn edit_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let (article, subjects) = app.kb_article_for_staff(&actor, id).await?;
    let values = EditInput {
        path: article.path.clone(),
        title: article.title.clone(),
        question: article.question.clone(),
        answer: article.answer.clone(),
        subjects: subjects.join(", "),
        seo_title: article.seo_title.clone(),
        seo_description: article.seo_description.clone(),
        seo_keywords: article.seo_keywords.clone(),
    };
    render(&EditPage {
        chrome: Chrome::new(&app, &identity, "Edit an article", "staff").await.in_subsection("knowledge"),
        article,
        values,
        notice: staff_notice(q.done()),
        form: FormState::default(),
    })
}

async fn edit(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<EditInput>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let edit = ArticleEdit {
        path: input.path.clone(),
        title: input.title.clone(),
        question: input.question.clone(),
        answer: input.answer.clone(),
        subjects: input.subjects.clone(),
        seo_title: input.seo_title.clone(),
        seo_description: input.seo_description.clone(),
        seo_keywords: input.seo_keywords.clone(),
    };
    match app.edit_kb_article(&actor, id, &edit, &identity.request_id).await {
        Ok(()) => done(&format!("/staff/kb/articles/{id}"), "article_saved"),
        Err(err) => {
            let (article, _) = app.kb_article_for_staff(&actor, id).await?;
            rerender(
                &EditPage {
                    chrome: Chrome::new(&app, &identity, "Edit an article", "staff").await.in_subsection("knowledge"),
                    article,
                    values: input,
                    notice: String::new(),
                    form: FormState::from_error(&err),
                },
                &err,
            )
        }
    }
}

#[derive(Deserialize, Default)]
struct PublishInput {
    #[serde(default)]
    publish: String,
    #[serde(default)]
    confirmed: String,
}

/// A confirmation about one article: the page's title and heading, the action under the
/// article's staff address with its button, what happens, and the article's address.
async fn article_confirmation(
    app: &App,
    identity: &Identity,
    article: &KbArticleRecord,
    (title, heading): (&str, String),
    (action, button): (&str, &str),
    consequences: [&str; 2],
) -> ConfirmPage {
    let chrome = Chrome::new(app, identity, title, "staff").await.in_subsection("knowledge");
    let staff_address = format!("/staff/kb/articles/{}", article.id);
    let mut page = ConfirmPage::plain(chrome, heading, format!("{staff_address}/{action}"), button, staff_address);
    page.details = vec![("Address".into(), article.path.clone())];
    page.consequences = consequences.map(String::from).to_vec();
    page
}

async fn publish_confirmation(app: &App, identity: &Identity, article: &KbArticleRecord) -> ConfirmPage {
    let mut page = article_confirmation(
        app,
        identity,
        article,
        ("Unpublish an article", format!("Unpublish \u{201c}{}\u{201d}?", article.title)),
        ("publish", "Unpublish the article"),
        [
            "Its address will answer \u{201c}not found\u{201d} and it leaves search and the sitemap.",
            "You can publish it again at any time.",
        ],
    )
    .await;
    page.hidden = vec![("publish", "no".into())];
    page
}

async fn confirm_publish(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let (article, _) = app.kb_article_for_staff(&actor, id).await?;
    render(&publish_confirmation(&app, &identity, &article).await)
}

async fn publish(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<PublishInput>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let publish = input.publish == "yes";
    if !publish && !is_confirmed(&input.confirmed) {
        let (article, _) = app.kb_article_for_staff(&actor, id).await?;
        return render(&publish_confirmation(&app, &identity, &article).await);
    }
    app.set_kb_article_published(&actor, id, publish, &identity.request_id).await?;
    done(&format!("/staff/kb/articles/{id}"), if publish { "article_published" } else { "article_unpublished" })
}

#[derive(Deserialize, Default)]
struct MergeInput {
    #[serde(default)]
    into: String,
    #[serde(default)]
    confirmed: String,
}

async fn merge_confirmation(
    app: &App,
    identity: &Identity,
    article: &KbArticleRecord,
    into: &str,
    form: FormState,
) -> ConfirmPage {
    let mut page = article_confirmation(
        app,
        identity,
        article,
        ("Merge an article", format!("Merge \u{201c}{}\u{201d} into another article?", article.title)),
        ("merge", "Merge the articles"),
        [
            "Its address will lead to the other article from now on, and it leaves search and the sitemap.",
            "A merge cannot be undone here.",
        ],
    )
    .await;
    page.inputs = vec![ConfirmInput {
        name: "into",
        label: "The article to merge into (its number or address)",
        kind: "text",
        value: into.to_string(),
        hint: "For example 42, or /learn/engineering/questions/what-is-a-pdh".into(),
        required: true,
    }];
    page.form = form;
    page
}

async fn confirm_merge(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let (article, _) = app.kb_article_for_staff(&actor, id).await?;
    render(&merge_confirmation(&app, &identity, &article, "", FormState::default()).await)
}

async fn merge(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<MergeInput>,
) -> PageResult {
    let id = parse_article_id(&id)?;
    let (article, _) = app.kb_article_for_staff(&actor, id).await?;
    if !is_confirmed(&input.confirmed) {
        return render(&merge_confirmation(&app, &identity, &article, &input.into, FormState::default()).await);
    }
    match app.merge_kb_article(&actor, id, &input.into, &identity.request_id).await {
        Ok(_) => done("/staff/kb", "article_merged"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => rerender(
            &merge_confirmation(&app, &identity, &article, &input.into, FormState::from_error(&err)).await,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "knowledge/experts.html")]
struct ExpertsPage {
    chrome: Chrome,
    notice: String,
    experts: Vec<(KbSubjectRecord, i64, String, String)>,
    subject: String,
    member_number: String,
    form: FormState,
}

#[derive(Deserialize, Default)]
struct ExpertInput {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    member_number: String,
    #[serde(default)]
    expert: String,
}

async fn experts_page(
    app: &App,
    actor: &guildhall_app::Actor,
    identity: &Identity,
    notice: String,
    input: ExpertInput,
    form: FormState,
) -> Result<ExpertsPage, AppError> {
    Ok(ExpertsPage {
        chrome: Chrome::new(app, identity, "Subject experts", "staff").await.in_subsection("knowledge"),
        notice,
        experts: app.subject_experts(actor).await?,
        subject: input.subject,
        member_number: input.member_number,
        form,
    })
}

async fn experts(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render(
        &experts_page(&app, &actor, &identity, staff_notice(q.done()), ExpertInput::default(), FormState::default())
            .await?,
    )
}

async fn change_expert(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<ExpertInput>,
) -> PageResult {
    let expert = input.expert != "no";
    match app.set_subject_expert(&actor, &input.subject, &input.member_number, expert, &identity.request_id).await {
        Ok(()) => done("/staff/kb/experts", if expert { "expert_added" } else { "expert_removed" }),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. } | AppError::NotFound(_))) => rerender(
            &experts_page(&app, &actor, &identity, String::new(), input, FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

/// An open report as the queue shows it.
struct ReportRow {
    question_id: i64,
    answer_id: String,
    question_title: String,
    what: &'static str,
    excerpt: String,
    hidden: bool,
    author: String,
    reporter: String,
    /// Where the hide form posts.
    hide_action: String,
    reason: String,
    reported: String,
}

#[derive(Template)]
#[template(path = "knowledge/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    notice: String,
    reports: Vec<ReportRow>,
    pager: Pager,
}

async fn reports(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let page = app.moderation_queue(&actor, PageRequest::new(q.page.unwrap_or(1), 50)).await?;
    let plain = |body: &str| {
        guildhall_app::knowledge::markdown::excerpt(&guildhall_app::knowledge::markdown::to_plain_text(body), 200)
    };
    render(&ReportsPage {
        chrome: Chrome::new(&app, &identity, "Reported posts", "staff").await.in_subsection("knowledge"),
        notice: staff_notice(&q.done),
        pager: Pager::new(&page, "/staff/kb/reports".into()),
        reports: page
            .items
            .into_iter()
            .map(|f| ReportRow {
                question_id: f.question_id,
                answer_id: f.answer_id.map(|a| a.to_string()).unwrap_or_default(),
                what: if f.answer_id.is_some() { "Answer" } else { "Question" },
                excerpt: plain(&f.post_body),
                hidden: f.post_hidden,
                author: f.author_name,
                hide_action: match f.answer_id {
                    Some(a) => format!("/questions/{}/answers/{a}/hide", f.question_id),
                    None => format!("/questions/{}/hide", f.question_id),
                },
                reporter: f.reporter_name,
                reason: f.reason,
                reported: fmt_time(f.created_at),
                question_title: f.question_title,
            })
            .collect(),
    })
}

#[derive(Deserialize, Default)]
struct DismissInput {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

async fn dismiss_reports(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<DismissInput>,
) -> PageResult {
    let question =
        parse_id(&input.question, "question")?.ok_or_else(|| AppError::NotFound("No such question.".into()))?;
    let answer = parse_id(&input.answer, "answer")?;
    app.dismiss_flags(&actor, question, answer, &identity.request_id).await?;
    done("/staff/kb/reports", "reports_dismissed")
}
