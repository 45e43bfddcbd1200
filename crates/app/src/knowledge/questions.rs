//! Members' questions: asking (subject experts emailed), answering (followers emailed),
//! voting, endorsing as a licensed engineer, accepting, following; staff hiding posts,
//! naming subject experts and promoting a question to a knowledge-base article.
//!
//! What the database guarantees: one vote and one endorsement per member and answer, an
//! endorsement only with a current engineering licence in the question's discipline (and
//! jurisdiction) on record, acceptance only by the asker of their question's answer, and
//! the hourly posting limits.

use guildhall_domain::csv::members::Discipline;
use guildhall_domain::member::{Jurisdiction, LicenceKind};
use guildhall_store::{
    AnswerRecord, Audience, CommentRecord, EndorsementRecord, KbSubjectRecord, NewKbArticle, NewMail, NewQuestion,
    Page, PageRequest, QuestionRecord, Refusal,
};

use super::{check_subjects, markdown, search_text, subjects_typed};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// Questions one member may ask in an hour.
pub const QUESTIONS_PER_HOUR: i64 = 10;
/// Answers one member may post in an hour.
pub const ANSWERS_PER_HOUR: i64 = 30;
/// Comments one member may make in an hour.
pub const COMMENTS_PER_HOUR: i64 = 60;

/// A question as a member asks it.
#[derive(Debug, Clone, Default)]
pub struct QuestionForm {
    pub title: String,
    pub body: String,
    /// Comma-separated.
    pub subjects: String,
    /// A jurisdiction code (`US-TX`) or empty.
    pub jurisdiction: String,
    /// A discipline code (`civil`) or empty.
    pub discipline: String,
    /// Visible to the public (otherwise to members only).
    pub public: bool,
}

/// A question's page.
#[derive(Debug, Clone)]
pub struct QuestionView {
    pub question: QuestionRecord,
    pub body_html: String,
    pub subjects: Vec<KbSubjectRecord>,
    pub answers: Vec<AnswerView>,
    /// The reader follows it (is emailed new answers).
    pub following: bool,
    /// The reader asked it (and may accept an answer).
    pub asked_by_reader: bool,
    /// The reader may answer, vote and endorse (a member record, signed in).
    pub reader_is_member: bool,
    /// A current engineering licence of the reader's vouches for answers here.
    pub reader_can_endorse: bool,
    /// The question's jurisdiction in words ("Texas").
    pub jurisdiction_name: Option<String>,
    /// How many edits its history holds (its own and its answers').
    pub edits: usize,
    /// Comments under the question itself.
    pub comments: Vec<CommentRecord>,
}

/// An answer with its endorsements.
#[derive(Debug, Clone)]
pub struct AnswerView {
    pub answer: AnswerRecord,
    pub html: String,
    pub accepted: bool,
    pub endorsements: Vec<EndorsementRecord>,
    /// "Endorsed by a licensed PE (Texas, civil)", one line per kind of licence.
    pub endorsement_lines: Vec<String>,
    pub written_by_reader: bool,
    /// Comments under this answer.
    pub comments: Vec<CommentRecord>,
}

/// A discipline code in words ("civil").
fn discipline_words(code: &str) -> String {
    Discipline::parse(code).map(|d| d.as_str().replace('_', " ")).unwrap_or_else(|| code.to_string())
}

/// Endorsements in words, grouped by licence, jurisdiction and discipline, with the count
/// and the names of those who chose to show them.
pub fn endorsement_lines(endorsements: &[EndorsementRecord]) -> Vec<String> {
    // (licence kind, jurisdiction, discipline) and the endorsers' shown names.
    type Licence = (String, String, String);
    let mut groups: Vec<(Licence, Vec<Option<String>>)> = Vec::new();
    for e in endorsements {
        let key = (e.licence_kind.clone(), e.jurisdiction.clone(), e.discipline.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, names)) => names.push(e.shown_name.clone()),
            None => groups.push((key, vec![e.shown_name.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|((kind, jurisdiction, discipline), names)| {
            let licence = LicenceKind::parse(&kind).map(|k| k.label().to_string()).unwrap_or(kind);
            let place = Jurisdiction::parse(&jurisdiction).map(|j| j.name().to_string()).unwrap_or(jurisdiction);
            let who = match names.len() {
                1 => format!("a licensed {licence}"),
                n => format!("{n} licensed {licence}s"),
            };
            let shown: Vec<String> = names.into_iter().flatten().collect();
            let named = if shown.is_empty() { String::new() } else { format!(": {}", shown.join(", ")) };
            format!("Endorsed by {who} ({place}, {}){named}", discipline_words(&discipline))
        })
        .collect()
}

impl App {
    /// The reader's member record id, when signed in with one.
    async fn reader_member(&self, actor: Option<&Actor>) -> AppResult<Option<i64>> {
        match actor {
            Some(actor) => Ok(self.store.member_by_user(actor.user_id).await?.map(|m| m.id)),
            None => Ok(None),
        }
    }

    /// A question the reader may see, or why not.
    async fn visible_question(&self, actor: Option<&Actor>, id: i64) -> AppResult<QuestionRecord> {
        let question = self.store.question(id).await.map_err(|_| AppError::NotFound("No such question.".into()))?;
        let staff = actor.is_some_and(Actor::is_staff);
        if question.hidden && !staff {
            return Err(AppError::NotFound("No such question.".into()));
        }
        if !question.public && self.audience_of(actor).await? == Audience::Public {
            return Err(Self::members_only(actor));
        }
        Ok(question)
    }

    /// Questions members may see that were answered at or after `since` (hidden questions
    /// and answers left out), the most recently answered first, at most `limit`: what the
    /// monthly digest lists, for a caller that checked who is asking.
    pub(crate) async fn questions_answered_since(&self, since: i64, limit: i64) -> AppResult<Vec<QuestionRecord>> {
        Ok(self.store.questions_answered_since(Audience::Members, since, limit).await?)
    }

    /// Questions the reader may see, newest first.
    pub async fn questions(&self, actor: Option<&Actor>, page: PageRequest) -> AppResult<Page<QuestionRecord>> {
        let audience = self.audience_of(actor).await?;
        Ok(self.store.questions(audience, None, page).await?)
    }

    /// Asks a question; returns its id. Subject experts are emailed.
    pub async fn ask_question(&self, actor: &Actor, form: &QuestionForm) -> AppResult<i64> {
        actor.require(Permission::OwnAccount)?;
        let mut errors = FieldErrors::default();
        let title = errors.text(&form.title, "title", "a title", 200, true);
        if !title.is_empty() && title.chars().count() < 10 {
            errors.add("title", "Make the title a question of at least 10 characters.");
        }
        let body = errors.markdown(&form.body, "body", "the details of your question", 20_000);
        let subjects = check_subjects(&mut errors, &form.subjects);
        let jurisdiction = match form.jurisdiction.trim() {
            "" => None,
            code => errors.check("jurisdiction", Jurisdiction::parse(code)).map(|j| j.as_str().to_string()),
        };
        let discipline = match form.discipline.trim() {
            "" => None,
            code => match Discipline::parse(code) {
                Some(d) => Some(d.as_str().to_string()),
                None => {
                    errors.add("discipline", "Choose a discipline from the list.");
                    None
                }
            },
        };
        errors.into_result()?;
        let keys: Vec<String> = subjects.iter().map(|s| s.key.clone()).collect();
        let link = "/questions";
        let mails: Vec<NewMail> = self
            .store
            .expert_addresses(&keys)
            .await?
            .into_iter()
            .filter(|address| !address.eq_ignore_ascii_case(&actor.email))
            .map(|to_address| NewMail {
                to_address,
                subject: format!("A question in your subject: {title}"),
                body_text: format!(
                    "A member asked a question in a subject you are an expert in:\n\n{title}\n\nRead it and answer: {}\n",
                    self.link(link)
                ),
                attachment: None,
            })
            .collect();
        let plain_text = format!("{title} {}", markdown::to_plain_text(&body));
        let question = NewQuestion { title, body, jurisdiction, discipline, public: form.public, plain_text, subjects };
        match self.store.ask_question(actor.user_id, &question, QUESTIONS_PER_HOUR, self.clock.unix(), &mails).await? {
            Ok(id) => {
                self.forget_search_pages();
                Ok(id)
            }
            Err(Refusal::NoMemberRecord) => {
                Err(AppError::Forbidden("Only members can ask questions; your account has no member record.".into()))
            }
            Err(Refusal::TooManyPosts) => Err(AppError::RateLimited {
                message: format!("You can ask at most {QUESTIONS_PER_HOUR} questions an hour. Try again later."),
                retry_after_secs: 3600,
            }),
            Err(Refusal::Gone) => Err(AppError::NotFound("No such question.".into())),
        }
    }

    /// A question's page as the reader may see it.
    pub async fn question_page(&self, actor: Option<&Actor>, id: i64) -> AppResult<QuestionView> {
        let question = self.visible_question(actor, id).await?;
        let staff = actor.is_some_and(Actor::is_staff);
        let member_record = match actor {
            Some(a) => self.store.member_by_user(a.user_id).await?,
            None => None,
        };
        let member = member_record.as_ref().map(|m| m.id);
        let reader_can_endorse = match (&member_record, question.discipline.as_deref()) {
            (Some(m), Some(discipline)) if m.disciplines.split(';').any(|d| d == discipline) => {
                let today = self.clock.today();
                self.store.member_licences(m.id).await?.iter().any(|l| {
                    l.kind.is_engineering()
                        && l.first_issued <= today
                        && l.expires_on.is_none_or(|end| end >= today)
                        && question.jurisdiction.as_deref().is_none_or(|j| l.jurisdiction.as_str() == j)
                })
            }
            _ => false,
        };
        let (subjects, answers, endorsements, following, revisions, mut comments) = tokio::try_join!(
            async { Ok::<_, AppError>(self.store.question_subjects(id).await?) },
            async { Ok(self.store.answers(id).await?) },
            async { Ok(self.store.endorsements(id).await?) },
            async {
                match actor {
                    Some(a) => Ok(self.store.follows_question(a.user_id, id).await?),
                    None => Ok(false),
                }
            },
            async { Ok(self.store.post_revisions(id).await?) },
            async { Ok(self.store.comments(id).await?) },
        )?;
        let answers = answers
            .into_iter()
            .filter(|a| staff || !a.hidden)
            .map(|answer| {
                let mine: Vec<EndorsementRecord> =
                    endorsements.iter().filter(|e| e.answer_id == answer.id).cloned().collect();
                AnswerView {
                    html: markdown::to_html(&answer.body),
                    accepted: question.accepted_answer_id == Some(answer.id),
                    endorsement_lines: endorsement_lines(&mine),
                    endorsements: mine,
                    written_by_reader: member == Some(answer.member_id),
                    comments: comments.iter().filter(|c| c.answer_id == Some(answer.id)).cloned().collect(),
                    answer,
                }
            })
            .collect();
        Ok(QuestionView {
            body_html: markdown::to_html(&question.body),
            asked_by_reader: member == Some(question.member_id),
            reader_is_member: member.is_some(),
            reader_can_endorse,
            edits: revisions.len(),
            comments: {
                comments.retain(|c| c.answer_id.is_none());
                comments
            },
            jurisdiction_name: question
                .jurisdiction
                .as_deref()
                .and_then(|j| Jurisdiction::parse(j).ok())
                .map(|j| j.name().to_string()),
            question,
            subjects,
            answers,
            following,
        })
    }

    /// Answers a question the reader may see; its followers are emailed. Returns the answer's id.
    pub async fn post_answer(&self, actor: &Actor, question_id: i64, body: &str) -> AppResult<i64> {
        let question = self.visible_question(Some(actor), question_id).await?;
        let mut errors = FieldErrors::default();
        let body = errors.markdown(body, "body", "your answer", 20_000);
        errors.into_result()?;
        let mail = NewMail {
            to_address: String::new(),
            subject: format!("New answer: {}", question.title),
            body_text: format!(
                "{} answered a question you follow:\n\n{}\n\nRead it: {}\n\nTo stop these emails, open the question and choose \"Stop following\".\n",
                actor.display_name,
                question.title,
                self.link(&format!("/questions/{question_id}"))
            ),
            attachment: None,
        };
        match self
            .store
            .post_answer(
                actor.user_id,
                question_id,
                &body,
                &markdown::to_plain_text(&body),
                ANSWERS_PER_HOUR,
                self.clock.unix(),
                &mail,
            )
            .await?
        {
            Ok(id) => {
                self.forget_search_pages();
                Ok(id)
            }
            Err(Refusal::NoMemberRecord) => {
                Err(AppError::Forbidden("Only members can answer; your account has no member record.".into()))
            }
            Err(Refusal::TooManyPosts) => Err(AppError::RateLimited {
                message: format!("You can post at most {ANSWERS_PER_HOUR} answers an hour. Try again later."),
                retry_after_secs: 3600,
            }),
            Err(Refusal::Gone) => Err(AppError::NotFound("No such question.".into())),
        }
    }

    /// Comments on a question (or one of its answers) the reader may see; plain text.
    pub async fn comment_on(
        &self,
        actor: &Actor,
        question_id: i64,
        answer_id: Option<i64>,
        body: &str,
    ) -> AppResult<i64> {
        self.visible_question(Some(actor), question_id).await?;
        let mut errors = FieldErrors::default();
        let body = errors.text(body, "comment", "a comment", 600, true);
        errors.into_result()?;
        match self
            .store
            .add_comment(actor.user_id, question_id, answer_id, &body, COMMENTS_PER_HOUR, self.clock.unix())
            .await?
        {
            Ok(id) => Ok(id),
            Err(Refusal::NoMemberRecord) => Err(AppError::Forbidden("Only members can comment.".into())),
            Err(Refusal::TooManyPosts) => Err(AppError::RateLimited {
                message: format!("You can comment at most {COMMENTS_PER_HOUR} times an hour. Try again later."),
                retry_after_secs: 3600,
            }),
            Err(Refusal::Gone) => Err(AppError::NotFound("No such question or answer.".into())),
        }
    }

    /// Votes an answer up or down (a second vote replaces the first); not one's own.
    pub async fn vote_answer(&self, actor: &Actor, question_id: i64, answer_id: i64, up: bool) -> AppResult<()> {
        self.visible_question(Some(actor), question_id).await?;
        let vote = if up { 1 } else { -1 };
        if self.store.vote_answer(actor.user_id, answer_id, vote, self.clock.unix()).await? {
            return Ok(());
        }
        Err(self.answer_refusal(actor, question_id, answer_id, "vote on").await?)
    }

    /// Why a vote or endorsement stored nothing, when it is not the licence.
    async fn answer_refusal(&self, actor: &Actor, question_id: i64, answer_id: i64, verb: &str) -> AppResult<AppError> {
        let member = self.reader_member(Some(actor)).await?;
        let answer = self.store.answers(question_id).await?.into_iter().find(|a| a.id == answer_id && !a.hidden);
        Ok(match (member, answer) {
            (None, _) => AppError::Forbidden(format!("Only members can {verb} answers.")),
            (_, None) => AppError::NotFound("No such answer.".into()),
            (Some(me), Some(a)) if a.member_id == me => {
                AppError::Forbidden(format!("You cannot {verb} your own answer."))
            }
            _ => AppError::Conflict { message: "That was already recorded.".into(), field: None },
        })
    }

    /// Endorses an answer as a licensed engineer: refused unless a current engineering
    /// licence in the question's discipline (and jurisdiction, where it names one) is on
    /// the reader's record.
    pub async fn endorse_answer(
        &self,
        actor: &Actor,
        question_id: i64,
        answer_id: i64,
        show_name: bool,
    ) -> AppResult<()> {
        let question = self.visible_question(Some(actor), question_id).await?;
        let today = self.clock.today();
        if self.store.endorse_answer(actor.user_id, answer_id, show_name, today, self.clock.unix()).await? {
            self.forget_search_pages();
            return Ok(());
        }
        let Some(discipline) = question.discipline.as_deref() else {
            return Err(AppError::Forbidden(
                "This question names no discipline, so no licence can vouch for its answers.".into(),
            ));
        };
        let refusal = self.answer_refusal(actor, question_id, answer_id, "endorse").await?;
        if let AppError::Conflict { .. } = refusal {
            let member = self.reader_member(Some(actor)).await?;
            let already = self.store.endorsements(question_id).await?;
            if already.iter().any(|e| e.answer_id == answer_id && Some(e.member_id) == member) {
                return Err(AppError::Conflict {
                    message: "You have already endorsed this answer.".into(),
                    field: None,
                });
            }
            let place = question
                .jurisdiction
                .as_deref()
                .and_then(|j| Jurisdiction::parse(j).ok())
                .map(|j| format!(" in {}", j.name()))
                .unwrap_or_default();
            return Err(AppError::Forbidden(format!(
                "Endorsing needs a current engineering licence{place} on your record, and {} among your disciplines.",
                discipline_words(discipline)
            )));
        }
        Err(refusal)
    }

    /// The asker accepts an answer; its author is emailed.
    pub async fn accept_answer(&self, actor: &Actor, question_id: i64, answer_id: i64) -> AppResult<()> {
        let question = self.visible_question(Some(actor), question_id).await?;
        let mail = NewMail {
            to_address: String::new(),
            subject: format!("Your answer was accepted: {}", question.title),
            body_text: format!(
                "The member who asked \"{}\" accepted your answer. Thank you for sharing what you know.\n\n{}\n",
                question.title,
                self.link(&format!("/questions/{question_id}"))
            ),
            attachment: None,
        };
        if self.store.accept_answer(actor.user_id, question_id, answer_id, self.clock.unix(), &mail).await? {
            return Ok(());
        }
        Err(AppError::Forbidden("Only the member who asked can accept one of its answers.".into()))
    }

    /// Follows a question (emailed about new answers) or stops following it.
    pub async fn follow_question(&self, actor: &Actor, question_id: i64, follow: bool) -> AppResult<()> {
        self.visible_question(Some(actor), question_id).await?;
        if self.reader_member(Some(actor)).await?.is_none() {
            return Err(AppError::Forbidden("Only members can follow questions.".into()));
        }
        self.store.follow_question(actor.user_id, question_id, follow).await?;
        Ok(())
    }

    /// Staff hide or show a question, or one of its answers, audited.
    pub async fn hide_post(
        &self,
        actor: &Actor,
        question_id: i64,
        answer_id: Option<i64>,
        hidden: bool,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ManageKnowledge)?;
        let question =
            self.store.question(question_id).await.map_err(|_| AppError::NotFound("No such question.".into()))?;
        let action = match (answer_id.is_some(), hidden) {
            (false, true) => "question.hidden",
            (false, false) => "question.shown",
            (true, true) => "answer.hidden",
            (true, false) => "answer.shown",
        };
        let mut audit = self.audit_entry(actor, action, "question", request_id);
        audit.subject_id = Some(question_id);
        audit.subject_label = question.title.clone();
        audit.before_json = Some(serde_json::json!({ "answer": answer_id, "hidden": !hidden }).to_string());
        audit.after_json = Some(serde_json::json!({ "answer": answer_id, "hidden": hidden }).to_string());
        self.store
            .set_post_hidden(question_id, answer_id, hidden, self.clock.unix(), &audit)
            .await
            .map_err(|_| AppError::NotFound("No such answer.".into()))?;
        self.forget_search_pages();
        Ok(())
    }

    /// Staff promote a question (with its accepted answer, or the answer given) to a
    /// knowledge-base article; returns the article's address.
    pub async fn promote_question(
        &self,
        actor: &Actor,
        question_id: i64,
        answer: &str,
        members_only: bool,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::ManageKnowledge)?;
        let view = self.question_page(Some(actor), question_id).await?;
        let q = &view.question;
        if let Some(path) = &q.promoted_path {
            return Err(AppError::Conflict {
                message: format!("This question is already in the knowledge base, at {path}."),
                field: None,
            });
        }
        let chosen = match answer.trim() {
            "" => view.answers.iter().find(|a| a.accepted).map(|a| a.answer.body.clone()).unwrap_or_default(),
            given => given.to_string(),
        };
        let mut errors = FieldErrors::default();
        let answer = errors.markdown(&chosen, "answer", "the article's answer (or accept an answer first)", 100_000);
        errors.into_result()?;
        let subjects = subjects_typed(&view.subjects.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(","));
        let first = subjects.first().map(|s| s.slug.clone()).unwrap_or_else(|| "questions".into());
        let slug = guildhall_domain::knowledge::subject_slug(&q.title);
        let article = NewKbArticle {
            source_id: None,
            path: format!("/kb/{first}/{slug}-{question_id}"),
            title: q.title.clone(),
            question: q.body.clone(),
            search_text: search_text(&q.body, &answer),
            answer,
            author: String::new(),
            published_on: Some(self.clock.today()),
            seo_title: String::new(),
            seo_description: String::new(),
            seo_keywords: String::new(),
            front_matter: "{}".into(),
            members_only,
            from_question_id: Some(question_id),
            subjects,
            related: Vec::new(),
        };
        let mut audit = self.audit_entry(actor, "question.promoted", "question", request_id);
        audit.subject_id = Some(question_id);
        audit.subject_label = q.title.clone();
        audit.after_json =
            Some(serde_json::json!({ "address": article.path, "members only": members_only }).to_string());
        let path = self.store.promote_question(question_id, &article, self.clock.unix(), &audit).await.map_err(
            |e| match e {
                guildhall_store::StoreError::NotFound => AppError::Conflict {
                    message: "This question is already in the knowledge base, or was hidden.".into(),
                    field: None,
                },
                other => other.into(),
            },
        )?;
        self.forget_article_pages();
        Ok(path)
    }

    /// The subject experts, for staff.
    pub async fn subject_experts(&self, actor: &Actor) -> AppResult<Vec<(KbSubjectRecord, i64, String, String)>> {
        actor.require(Permission::ManageKnowledge)?;
        Ok(self.store.subject_experts().await?)
    }

    /// Staff name a member (by member number) an expert in a subject, or take them off it.
    pub async fn set_subject_expert(
        &self,
        actor: &Actor,
        subject: &str,
        member_number: &str,
        expert: bool,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::ManageKnowledge)?;
        let mut errors = FieldErrors::default();
        let subjects = check_subjects(&mut errors, subject);
        if subjects.len() != 1 {
            errors.add("subject", "Give one subject.");
        }
        let member = match self.store.member_id_by_number(member_number.trim()).await? {
            Some(id) => self.store.member_by_id(id).await?,
            None => None,
        };
        if member.is_none() {
            errors.add("member_number", "No member has that number.");
        }
        errors.into_result()?;
        let (Some(subject), Some(member)) = (subjects.into_iter().next(), member) else {
            return Err(AppError::invalid("Give one subject and a member's number."));
        };
        let action = if expert { "kb.expert_added" } else { "kb.expert_removed" };
        let mut audit = self.audit_entry(actor, action, "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {}", member.first_name, member.last_name);
        audit.after_json = Some(serde_json::json!({ "subject": subject.name, "expert": expert }).to_string());
        self.store.set_subject_expert(&subject, member.id, expert, &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::NotFound if expert => {
                AppError::Conflict { message: "That member is already an expert in that subject.".into(), field: None }
            }
            guildhall_store::StoreError::NotFound => {
                AppError::NotFound("That member is not an expert in that subject.".into())
            }
            other => other.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endorsement(kind: &str, jurisdiction: &str, name: Option<&str>) -> EndorsementRecord {
        EndorsementRecord {
            answer_id: 1,
            member_id: 1,
            licence_kind: kind.into(),
            jurisdiction: jurisdiction.into(),
            discipline: "civil".into(),
            shown_name: name.map(str::to_string),
        }
    }

    #[test]
    fn endorsements_read_as_sentences_with_only_chosen_names() {
        let lines = endorsement_lines(&[
            endorsement("PE", "US-TX", None),
            endorsement("PE", "US-TX", Some("Ana Ruiz")),
            endorsement("SE", "US-CA", None),
        ]);
        assert_eq!(
            lines,
            ["Endorsed by 2 licensed PEs (Texas, civil): Ana Ruiz", "Endorsed by a licensed SE (California, civil)",]
        );
    }
}
