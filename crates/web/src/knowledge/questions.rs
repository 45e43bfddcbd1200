//! Members' questions: the list, asking, a question's page with its answers, answering,
//! voting, endorsing, accepting, following; staff hiding posts and promoting a question to
//! the knowledge base.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use guildhall_app::knowledge::questions::{QuestionForm, QuestionView};
use guildhall_app::records::{PageRequest, QuestionRecord};
use guildhall_app::{App, AppError, Permission};
use guildhall_domain::csv::members::Discipline;
use guildhall_domain::member::JURISDICTIONS;
use serde::Deserialize;

use crate::kit::*;
use crate::session::{CsrfForm, Identity, SignedIn};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/questions", get(list))
        .route("/questions/new", get(ask_form).post(ask))
        .route("/questions/{id}", get(question))
        .route("/questions/{id}/answers", post(answer))
        .route("/questions/{id}/comments", post(comment))
        .route("/questions/{id}/answers/{answer}/vote", post(vote))
        .route("/questions/{id}/answers/{answer}/endorse", post(endorse))
        .route("/questions/{id}/answers/{answer}/accept", post(accept))
        .route("/questions/{id}/answers/{answer}/hide", post(hide_answer))
        .route("/questions/{id}/follow", post(follow))
        .route("/questions/{id}/hide", post(hide_question))
        .route("/questions/{id}/promote", get(promote_form).post(promote))
        .route("/questions/{id}/flag", get(flag_form).post(flag))
        .route("/questions/{id}/edit", get(edit_question_form).post(edit_question))
        .route("/questions/{id}/answers/{answer}/edit", get(edit_answer_form).post(edit_answer))
        .route("/questions/{id}/history", get(history))
}

fn question_notice(done: &str) -> String {
    match done {
        "asked" => "Your question is posted. You will be emailed when someone answers.",
        "answered" => "Your answer is posted. Thank you.",
        "voted" => "Your vote is counted.",
        "endorsed" => "Your endorsement is recorded.",
        "accepted" => "You accepted the answer. Its author was told.",
        "following" => "You follow this question: new answers are emailed to you.",
        "unfollowed" => "You no longer follow this question.",
        "hidden" => "Hidden: only staff see it now.",
        "shown" => "Shown again.",
        "promoted" => "The question is in the knowledge base now.",
        "flagged" => "Thank you: staff will look at your report.",
        "commented" => "Your comment is posted.",
        "edited" => "Your edit is saved; the earlier version is in the history.",
        _ => "",
    }
    .into()
}

fn parse_question_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw, "question")?.ok_or_else(|| AppError::NotFound("No such question.".into()))
}

fn parse_answer_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw, "answer")?.ok_or_else(|| AppError::NotFound("No such answer.".into()))
}

#[derive(Template)]
#[template(path = "knowledge/questions.html")]
struct ListPage {
    chrome: Chrome,
    questions: Vec<QuestionRecord>,
    pager: Pager,
}

async fn list(State(app): State<Arc<App>>, identity: Identity, Query(q): Query<PageQuery>) -> PageResult {
    let page = app.questions(identity.actor.as_ref(), PageRequest::new(q.page.unwrap_or(1), 25)).await?;
    render(&ListPage {
        chrome: Chrome::new(&app, &identity, "Members' questions", "knowledge").await,
        pager: Pager::new(&page, "/questions".into()),
        questions: page.items,
    })
}

#[derive(Deserialize, Default)]
struct AskInput {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    subjects: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    visibility: String,
}

#[derive(Template)]
#[template(path = "knowledge/ask.html")]
struct AskPage {
    chrome: Chrome,
    values: AskInput,
    jurisdictions: Vec<(&'static str, &'static str)>,
    disciplines: Vec<(&'static str, String)>,
    form: FormState,
}

async fn ask_page(app: &App, identity: &Identity, values: AskInput, form: FormState) -> AskPage {
    AskPage {
        chrome: Chrome::new(app, identity, "Ask a question", "knowledge").await,
        values,
        jurisdictions: JURISDICTIONS.to_vec(),
        disciplines: Discipline::ALL.iter().map(|d| (d.as_str(), d.as_str().replace('_', " "))).collect(),
        form,
    }
}

async fn ask_form(State(app): State<Arc<App>>, SignedIn(_, identity): SignedIn) -> PageResult {
    render(&ask_page(&app, &identity, AskInput::default(), FormState::default()).await)
}

async fn ask(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    CsrfForm(input): CsrfForm<AskInput>,
) -> PageResult {
    let form = QuestionForm {
        title: input.title.clone(),
        body: input.body.clone(),
        subjects: input.subjects.clone(),
        jurisdiction: input.jurisdiction.clone(),
        discipline: input.discipline.clone(),
        public: input.visibility == "public",
    };
    match app.ask_question(&actor, &form).await {
        Ok(id) => done(&format!("/questions/{id}"), "asked"),
        Err(err) => rerender(&ask_page(&app, &identity, input, FormState::from_error(&err)).await, &err),
    }
}

#[derive(Template)]
#[template(path = "knowledge/question.html")]
struct QuestionPage {
    chrome: Chrome,
    view: QuestionView,
    asked_on: String,
    notice: String,
    answer_text: String,
    form: FormState,
}

impl QuestionPage {
    /// The links under the question: edit, report, history, as the reader may use them.
    fn question_links(&self) -> Vec<(String, String)> {
        let (v, id) = (&self.view, self.view.question.id);
        let mut links = Vec::new();
        if v.asked_by_reader || self.chrome.is_staff {
            links.push((format!("/questions/{id}/edit"), "Edit the question".to_string()));
        }
        if v.reader_is_member && !v.asked_by_reader {
            links.push((format!("/questions/{id}/flag"), "Report the question".to_string()));
        }
        if v.edits > 0 {
            links.push((format!("/questions/{id}/history"), format!("Edit history ({})", v.edits)));
        }
        links
    }
}

async fn question_page(
    app: &App,
    identity: &Identity,
    id: i64,
    notice: String,
    answer_text: String,
    form: FormState,
) -> Result<QuestionPage, AppError> {
    let view = app.question_page(identity.actor.as_ref(), id).await?;
    Ok(QuestionPage {
        chrome: Chrome::new(app, identity, &view.question.title, "knowledge").await,
        asked_on: fmt_time(view.question.created_at).split(' ').next().unwrap_or_default().to_string(),
        view,
        notice,
        answer_text,
        form,
    })
}

async fn question(
    State(app): State<Arc<App>>,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    render(&question_page(&app, &identity, id, question_notice(q.done()), String::new(), FormState::default()).await?)
}

#[derive(Deserialize)]
struct AnswerInput {
    #[serde(default)]
    body: String,
}

async fn answer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<AnswerInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    match app.post_answer(&actor, id, &input.body).await {
        Ok(_) => done(&format!("/questions/{id}"), "answered"),
        Err(err @ (AppError::Validation { .. } | AppError::RateLimited { .. })) => rerender(
            &question_page(&app, &identity, id, String::new(), input.body, FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct VoteInput {
    #[serde(default)]
    direction: String,
}

async fn vote(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<VoteInput>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    let up = match input.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::invalid("Vote up or down.").into()),
    };
    app.vote_answer(&actor, id, answer, up).await?;
    done(&format!("/questions/{id}"), "voted")
}

#[derive(Deserialize)]
struct EndorseInput {
    #[serde(default)]
    show_name: String,
}

async fn endorse(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<EndorseInput>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    app.endorse_answer(&actor, id, answer, !input.show_name.is_empty()).await?;
    done(&format!("/questions/{id}"), "endorsed")
}

async fn accept(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    app.accept_answer(&actor, id, answer).await?;
    done(&format!("/questions/{id}"), "accepted")
}

#[derive(Deserialize)]
struct FollowInput {
    #[serde(default)]
    follow: String,
}

async fn follow(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<FollowInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    let follow = input.follow == "yes";
    app.follow_question(&actor, id, follow).await?;
    done(&format!("/questions/{id}"), if follow { "following" } else { "unfollowed" })
}

#[derive(Deserialize)]
struct HideInput {
    #[serde(default)]
    hidden: String,
}

async fn hide_question(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<HideInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    let hidden = input.hidden == "yes";
    app.hide_post(&actor, id, None, hidden, &identity.request_id).await?;
    done(&format!("/questions/{id}"), if hidden { "hidden" } else { "shown" })
}

async fn hide_answer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<HideInput>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    let hidden = input.hidden == "yes";
    app.hide_post(&actor, id, Some(answer), hidden, &identity.request_id).await?;
    done(&format!("/questions/{id}"), if hidden { "hidden" } else { "shown" })
}

#[derive(Deserialize, Default)]
struct PromoteInput {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    members_only: String,
}

#[derive(Template)]
#[template(path = "knowledge/promote.html")]
struct PromotePage {
    chrome: Chrome,
    view: QuestionView,
    answer: String,
    members_only: bool,
    form: FormState,
}

async fn promote_page(
    app: &App,
    identity: &Identity,
    id: i64,
    input: PromoteInput,
    form: FormState,
) -> Result<PromotePage, AppError> {
    let view = app.question_page(identity.actor.as_ref(), id).await?;
    let answer = match input.answer.is_empty() {
        true => view.answers.iter().find(|a| a.accepted).map(|a| a.answer.body.clone()).unwrap_or_default(),
        false => input.answer,
    };
    Ok(PromotePage {
        chrome: Chrome::new(app, identity, "Add a question to the knowledge base", "knowledge").await,
        members_only: !input.members_only.is_empty(),
        view,
        answer,
        form,
    })
}

async fn promote_form(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    actor.require(Permission::ManageKnowledge)?;
    let id = parse_question_id(&id)?;
    render(&promote_page(&app, &identity, id, PromoteInput::default(), FormState::default()).await?)
}

async fn promote(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<PromoteInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    match app.promote_question(&actor, id, &input.answer, !input.members_only.is_empty(), &identity.request_id).await {
        Ok(path) => done(&path, "promoted"),
        Err(err @ (AppError::Validation { .. } | AppError::Conflict { .. })) => {
            rerender(&promote_page(&app, &identity, id, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
struct FlagInput {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "knowledge/flag.html")]
struct FlagPage {
    chrome: Chrome,
    question: QuestionRecord,
    answer: String,
    reason: String,
    form: FormState,
}

fn optional_answer(raw: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        text => parse_answer_id(text).map(Some),
    }
}

async fn flag_page(
    app: &App,
    identity: &Identity,
    id: i64,
    input: FlagInput,
    form: FormState,
) -> Result<FlagPage, AppError> {
    let view = app.question_page(identity.actor.as_ref(), id).await?;
    Ok(FlagPage {
        chrome: Chrome::new(app, identity, "Report a post", "knowledge").await,
        question: view.question,
        answer: input.answer,
        reason: input.reason,
        form,
    })
}

async fn flag_form(
    State(app): State<Arc<App>>,
    SignedIn(_, identity): SignedIn,
    Path(id): Path<String>,
    Query(input): Query<FlagInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    optional_answer(&input.answer)?;
    render(&flag_page(&app, &identity, id, input, FormState::default()).await?)
}

async fn flag(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<FlagInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    match app.flag_post(&actor, id, optional_answer(&input.answer)?, &input.reason).await {
        Ok(()) => done(&format!("/questions/{id}"), "flagged"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&flag_page(&app, &identity, id, input, FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
struct EditInput {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "knowledge/edit_post.html")]
struct EditPostPage {
    chrome: Chrome,
    action: String,
    question_id: i64,
    /// Editing a question (with its title), not an answer.
    is_question: bool,
    values: EditInput,
    form: FormState,
}

async fn edit_post_page(
    app: &App,
    identity: &Identity,
    id: i64,
    answer: Option<i64>,
    values: Option<EditInput>,
    form: FormState,
) -> Result<EditPostPage, AppError> {
    let view = app.question_page(identity.actor.as_ref(), id).await?;
    let values = match (values, answer) {
        (Some(values), _) => values,
        (None, None) => EditInput { title: view.question.title.clone(), body: view.question.body.clone() },
        (None, Some(a)) => {
            let answer = view
                .answers
                .iter()
                .find(|shown| shown.answer.id == a)
                .ok_or_else(|| AppError::NotFound("No such answer.".into()))?;
            EditInput { title: String::new(), body: answer.answer.body.clone() }
        }
    };
    Ok(EditPostPage {
        chrome: Chrome::new(
            app,
            identity,
            if answer.is_some() { "Edit an answer" } else { "Edit a question" },
            "knowledge",
        )
        .await,
        action: match answer {
            Some(a) => format!("/questions/{id}/answers/{a}/edit"),
            None => format!("/questions/{id}/edit"),
        },
        question_id: id,
        is_question: answer.is_none(),
        values,
        form,
    })
}

async fn edit_question_form(
    State(app): State<Arc<App>>,
    SignedIn(_, identity): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    render(&edit_post_page(&app, &identity, id, None, None, FormState::default()).await?)
}

async fn edit_question(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<EditInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    match app.edit_question(&actor, id, &input.title, &input.body).await {
        Ok(()) => done(&format!("/questions/{id}"), "edited"),
        Err(err @ AppError::Validation { .. }) => {
            rerender(&edit_post_page(&app, &identity, id, None, Some(input), FormState::from_error(&err)).await?, &err)
        }
        Err(err) => Err(err.into()),
    }
}

async fn edit_answer_form(
    State(app): State<Arc<App>>,
    SignedIn(_, identity): SignedIn,
    Path((id, answer)): Path<(String, String)>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    render(&edit_post_page(&app, &identity, id, Some(answer), None, FormState::default()).await?)
}

async fn edit_answer(
    State(app): State<Arc<App>>,
    SignedIn(actor, identity): SignedIn,
    Path((id, answer)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<EditInput>,
) -> PageResult {
    let (id, answer) = (parse_question_id(&id)?, parse_answer_id(&answer)?);
    match app.edit_answer(&actor, id, answer, &input.body).await {
        Ok(()) => done(&format!("/questions/{id}"), "edited"),
        Err(err @ AppError::Validation { .. }) => rerender(
            &edit_post_page(&app, &identity, id, Some(answer), Some(input), FormState::from_error(&err)).await?,
            &err,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "knowledge/history.html")]
struct HistoryPage {
    chrome: Chrome,
    history: guildhall_app::knowledge::moderation::PostHistory,
}

impl HistoryPage {
    fn when(&self, at: &i64) -> String {
        fmt_time(*at)
    }
}

async fn history(State(app): State<Arc<App>>, identity: Identity, Path(id): Path<String>) -> PageResult {
    let id = parse_question_id(&id)?;
    let history = app.post_history(identity.actor.as_ref(), id).await?;
    render(&HistoryPage { chrome: Chrome::new(&app, &identity, "Edit history", "knowledge").await, history })
}

#[derive(Deserialize, Default)]
struct CommentInput {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    comment: String,
}

async fn comment(
    State(app): State<Arc<App>>,
    SignedIn(actor, _): SignedIn,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<CommentInput>,
) -> PageResult {
    let id = parse_question_id(&id)?;
    app.comment_on(&actor, id, optional_answer(&input.answer)?, &input.comment).await?;
    let anchor = match input.answer.trim() {
        "" => String::new(),
        answer => format!("#answer-{answer}"),
    };
    done(&format!("/questions/{id}{anchor}"), "commented")
}
