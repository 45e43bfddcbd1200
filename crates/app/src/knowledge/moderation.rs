//! Moderation of members' questions and answers: members report a post, staff work the
//! queue (hide the post or dismiss the report), authors (and staff) edit posts with every
//! earlier version kept and shown as the post's history.

use guildhall_store::{FlagRecord, Page, PageRequest, Refusal, RevisionRecord};

use super::markdown;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// An earlier version of a question or answer, as its history page shows it.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub revision: RevisionRecord,
    pub body_html: String,
}

/// A question's history: its title, and every earlier version of it and its answers.
#[derive(Debug, Clone)]
pub struct PostHistory {
    pub question_id: i64,
    pub title: String,
    pub revisions: Vec<RevisionView>,
}

impl App {
    /// A member reports a question (or one of its answers) to staff. Reporting the same
    /// post again while the first report is open changes nothing.
    pub async fn flag_post(
        &self,
        actor: &Actor,
        question_id: i64,
        answer_id: Option<i64>,
        reason: &str,
    ) -> AppResult<()> {
        self.question_page(Some(actor), question_id).await?;
        let mut errors = FieldErrors::default();
        let reason = errors.text(reason, "reason", "what is wrong with it", 500, true);
        errors.into_result()?;
        match self.store.flag_post(actor.user_id, question_id, answer_id, &reason, self.clock.unix()).await? {
            Ok(_) => Ok(()),
            Err(Refusal::NoMemberRecord) => Err(AppError::Forbidden("Only members can report posts.".into())),
            Err(Refusal::Gone | Refusal::TooManyPosts) => Err(AppError::NotFound("No such post.".into())),
        }
    }

    /// Staff's queue of open reports, oldest first.
    pub async fn moderation_queue(&self, actor: &Actor, page: PageRequest) -> AppResult<Page<FlagRecord>> {
        actor.require(Permission::ManageKnowledge)?;
        Ok(self.store.open_flags(page).await?)
    }

    /// Staff dismiss the open reports of a post (it stays as it is), audited.
    pub async fn dismiss_flags(
        &self,
        actor: &Actor,
        question_id: i64,
        answer_id: Option<i64>,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ManageKnowledge)?;
        let question =
            self.store.question(question_id).await.map_err(|_| AppError::NotFound("No such question.".into()))?;
        let mut audit = self.audit_entry(actor, "post.reports_dismissed", "question", request_id);
        audit.subject_id = Some(question_id);
        audit.subject_label = question.title;
        audit.after_json = Some(serde_json::json!({ "answer": answer_id, "reports": "dismissed" }).to_string());
        self.store
            .resolve_flags(question_id, answer_id, actor.user_id, self.clock.unix(), &audit)
            .await
            .map_err(|_| AppError::NotFound("That post has no open reports.".into()))
    }

    /// The author (or staff) edits a question; the earlier version is kept.
    pub async fn edit_question(&self, actor: &Actor, question_id: i64, title: &str, body: &str) -> AppResult<()> {
        self.question_page(Some(actor), question_id).await?;
        let mut errors = FieldErrors::default();
        let title = errors.text(title, "title", "a title", 200, true);
        let body = errors.markdown(body, "body", "the details of your question", 20_000);
        errors.into_result()?;
        let plain = format!("{title} {}", markdown::to_plain_text(&body));
        let now = self.clock.unix();
        if self.store.edit_question(actor.user_id, actor.is_staff(), question_id, &title, &body, &plain, now).await? {
            self.forget_search_pages();
            return Ok(());
        }
        Err(AppError::Forbidden("Only the member who asked (or staff) can edit a question.".into()))
    }

    /// The author (or staff) edits an answer; the earlier version is kept.
    pub async fn edit_answer(&self, actor: &Actor, question_id: i64, answer_id: i64, body: &str) -> AppResult<()> {
        self.question_page(Some(actor), question_id).await?;
        let mut errors = FieldErrors::default();
        let body = errors.markdown(body, "body", "your answer", 20_000);
        errors.into_result()?;
        let plain = markdown::to_plain_text(&body);
        let staff = actor.is_staff();
        let now = self.clock.unix();
        if self.store.edit_answer(actor.user_id, staff, question_id, answer_id, &body, &plain, now).await? {
            self.forget_search_pages();
            return Ok(());
        }
        Err(AppError::Forbidden("Only the member who answered (or staff) can edit an answer.".into()))
    }

    /// A question's edit history, for whoever may read the question.
    pub async fn post_history(&self, actor: Option<&Actor>, question_id: i64) -> AppResult<PostHistory> {
        let view = self.question_page(actor, question_id).await?;
        let revisions = self
            .store
            .post_revisions(question_id)
            .await?
            .into_iter()
            .filter(|r| {
                // A hidden answer's history is hidden with it.
                r.answer_id.is_none_or(|a| view.answers.iter().any(|shown| shown.answer.id == a))
            })
            .map(|revision| RevisionView { body_html: markdown::to_html(&revision.body_before), revision })
            .collect();
        Ok(PostHistory { question_id, title: view.question.title, revisions })
    }
}
