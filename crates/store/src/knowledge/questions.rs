//! Members' questions and answers: asking and answering (each within a posting limit the
//! database counts), votes, endorsements by members with a current licence in the
//! question's discipline, acceptance by the asker, following, subject experts, hiding, and
//! promotion of a question to a knowledge-base article.

use std::collections::HashMap;

use crate::engine::{audited, audited_change};
use crate::knowledge::records::{
    AnswerRecord, Audience, CommentRecord, EndorsementRecord, FlagRecord, KbSubjectRecord, NewKbArticle, NewQuestion,
    QuestionRecord, RevisionRecord,
};
use crate::knowledge::{reindex_article, save_articles, subject_id};
use crate::outbox::insert_mail;
use crate::{
    NewAuditEntry, NewMail, Page, PageRequest, Store, StoreError, StoreResult, UnixTime, with_reader, with_writer,
};

const QUESTION_COLUMNS: &str = "q.id, q.member_id, m.first_name || ' ' || m.last_name AS asker_name, q.title, q.body, \
     q.jurisdiction, q.discipline, q.visibility = 'public' AS public, q.accepted_answer_id, k.path AS promoted_path, \
     q.hidden, (SELECT COUNT(*) FROM answers a WHERE a.question_id = q.id AND NOT a.hidden) AS answers, q.created_at";

const QUESTION_FROM: &str =
    "questions q JOIN members m ON m.id = q.member_id LEFT JOIN kb_articles k ON k.id = q.promoted_article_id";

/// The licence kinds that make an engineer "licensed" for endorsing (a surveyor's does not).
const ENGINEERING_LICENCES: &str = "('PE', 'SE', 'P.ENG', 'CENG')";

/// Keeps a question's search entry: its title, body and answers' text, its audience, and
/// whether an answer is endorsed; hidden questions leave the index.
macro_rules! reindex_question {
    ($tx:expr, $question_id:expr) => {{
        sqlx::query("DELETE FROM search_entries WHERE question_id = $1 AND EXISTS (SELECT 1 FROM questions q WHERE q.id = $1 AND q.hidden)")
            .bind($question_id)
            .execute(&mut *$tx)
            .await?;
        let texts: Vec<String> =
            sqlx::query_scalar("SELECT plain_text FROM answers WHERE question_id = $1 AND NOT hidden ORDER BY id")
                .bind($question_id)
                .fetch_all(&mut *$tx)
                .await?;
        let subjects: Vec<String> = sqlx::query_scalar(
            "SELECT s.name FROM question_subjects x JOIN kb_subjects s ON s.id = x.subject_id \
             WHERE x.question_id = $1 ORDER BY s.name",
        )
        .bind($question_id)
        .fetch_all(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO search_entries (question_id, path, title, body, subjects, audience, endorsed, dated) \
             SELECT q.id, '/questions/' || CAST(q.id AS TEXT), q.title, q.plain_text || ' ' || $2, $3, q.visibility, \
                    EXISTS (SELECT 1 FROM answers a JOIN answer_endorsements e ON e.answer_id = a.id \
                            WHERE a.question_id = q.id AND NOT a.hidden), NULL \
             FROM questions q WHERE q.id = $1 AND NOT q.hidden \
             ON CONFLICT (question_id) DO UPDATE SET title = excluded.title, body = excluded.body, \
             subjects = excluded.subjects, audience = excluded.audience, endorsed = excluded.endorsed",
        )
        .bind($question_id)
        .bind(texts.join(" "))
        .bind(subjects.join(", "))
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Keeps what a question or answer said before an edit.
macro_rules! insert_revision {
    ($tx:expr, $question_id:expr, $answer_id:expr, $title_before:expr, $body_before:expr, $user_id:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO post_revisions (question_id, answer_id, title_before, body_before, edited_by, edited_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($question_id)
        .bind($answer_id)
        .bind($title_before)
        .bind($body_before)
        .bind($user_id)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}

/// Whether a question, or one of its answers (`$answer_id`), is there and not hidden.
macro_rules! post_is_open {
    ($tx:expr, $question_id:expr, $answer_id:expr) => {{
        let there: Option<i64> = sqlx::query_scalar(
            "SELECT q.id FROM questions q WHERE q.id = $1 AND NOT q.hidden AND ($2 IS NULL OR EXISTS \
             (SELECT 1 FROM answers a WHERE a.id = $2 AND a.question_id = q.id AND NOT a.hidden))",
        )
        .bind($question_id)
        .bind($answer_id)
        .fetch_optional(&mut *$tx)
        .await?;
        there.is_some()
    }};
}

/// Why a write about questions stored nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account has no member record.
    NoMemberRecord,
    /// More posts in the last hour than the limit.
    TooManyPosts,
    /// The question or answer is not there (or hidden).
    Gone,
}

impl Store {
    /// Stores a question by the member of `user_id`, filed under its subjects, with the asker
    /// following it and `mails` (to subject experts) queued, unless they posted `limit`
    /// questions in the hour before `now`.
    pub async fn ask_question(
        &self,
        user_id: i64,
        question: &NewQuestion,
        limit: i64,
        now: UnixTime,
        mails: &[NewMail],
    ) -> StoreResult<Result<i64, Refusal>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Locks the member's row (PostgreSQL) so that their posts are counted one at a time.
            let member: Option<i64> =
                sqlx::query_scalar("UPDATE members SET updated_at = updated_at WHERE user_id = $1 RETURNING id")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(member_id) = member else { return Ok(Err(Refusal::NoMemberRecord)) };
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO questions (member_id, title, body, jurisdiction, discipline, visibility, plain_text, \
                 created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $9, $7, $7 \
                 WHERE (SELECT COUNT(*) FROM questions WHERE member_id = $1 AND created_at > $7 - 3600) < $8 \
                 RETURNING id",
            )
            .bind(member_id)
            .bind(&question.title)
            .bind(&question.body)
            .bind(&question.jurisdiction)
            .bind(&question.discipline)
            .bind(if question.public { "public" } else { "members" })
            .bind(now)
            .bind(limit)
            .bind(&question.plain_text)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { return Ok(Err(Refusal::TooManyPosts)) };
            for subject in &question.subjects {
                let subject_id = subject_id!(tx, subject);
                sqlx::query(
                    "INSERT INTO question_subjects (question_id, subject_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(subject_id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("INSERT INTO question_subscriptions (question_id, member_id) VALUES ($1, $2)")
                .bind(id)
                .bind(member_id)
                .execute(&mut *tx)
                .await?;
            for mail in mails {
                insert_mail!(tx, mail, now)?;
            }
            reindex_question!(tx, id);
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// One question, hidden or not (the caller decides who may see it).
    pub async fn question(&self, id: i64) -> StoreResult<QuestionRecord> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM {QUESTION_FROM} WHERE q.id = $1");
        let found: Option<QuestionRecord> = with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    /// Questions the reader may see, newest first, optionally only one subject's.
    pub async fn questions(
        &self,
        audience: Audience,
        subject_id: Option<i64>,
        page: PageRequest,
    ) -> StoreResult<Page<QuestionRecord>> {
        let filter = "NOT q.hidden AND ($1 OR q.visibility = 'public') AND ($2 IS NULL OR EXISTS \
                      (SELECT 1 FROM question_subjects x WHERE x.question_id = q.id AND x.subject_id = $2))";
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM {QUESTION_FROM} WHERE {filter} ORDER BY q.created_at DESC, q.id DESC {}",
            page.sql()
        );
        let count = format!("SELECT COUNT(*) FROM questions q WHERE {filter}");
        let members = audience == Audience::Members;
        let (items, total): (Vec<QuestionRecord>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(members)
                .bind(subject_id)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
                .bind(members)
                .bind(subject_id)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Questions the reader may see that were answered (an answer not hidden) at or after
    /// `since`, the most recently answered first, at most `limit` (the digest's). The
    /// answers are found by `answers_created`.
    pub async fn questions_answered_since(
        &self,
        audience: Audience,
        since: UnixTime,
        limit: i64,
    ) -> StoreResult<Vec<QuestionRecord>> {
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM {QUESTION_FROM} \
             JOIN (SELECT question_id, MAX(created_at) AS answered_at FROM answers \
                   WHERE created_at >= $2 AND NOT hidden GROUP BY question_id) r ON r.question_id = q.id \
             WHERE NOT q.hidden AND ($1 OR q.visibility = 'public') \
             ORDER BY r.answered_at DESC, q.id DESC LIMIT {limit}"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(audience == Audience::Members)
                .bind(since)
                .fetch_all(pool)
                .await
        })?)
    }

    /// A question's subjects.
    pub async fn question_subjects(&self, question_id: i64) -> StoreResult<Vec<KbSubjectRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.name, s.slug, CAST(0 AS BIGINT) AS articles FROM question_subjects x \
                 JOIN kb_subjects s ON s.id = x.subject_id WHERE x.question_id = $1 ORDER BY s.name",
            )
            .bind(question_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// A question's answers (hidden ones too; the caller decides), accepted first, then by score.
    pub async fn answers(&self, question_id: i64) -> StoreResult<Vec<AnswerRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.question_id, a.member_id, m.first_name || ' ' || m.last_name AS author_name, a.body, \
                        a.hidden, CAST(COALESCE((SELECT SUM(v.vote) FROM answer_votes v WHERE v.answer_id = a.id), 0) AS BIGINT) AS score, \
                        a.created_at \
                 FROM answers a JOIN members m ON m.id = a.member_id JOIN questions q ON q.id = a.question_id \
                 WHERE a.question_id = $1 \
                 ORDER BY CASE WHEN q.accepted_answer_id = a.id THEN 0 ELSE 1 END, score DESC, a.id",
            )
            .bind(question_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The endorsements of a question's answers, names only where the endorser chose.
    pub async fn endorsements(&self, question_id: i64) -> StoreResult<Vec<EndorsementRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT e.answer_id, e.member_id, e.licence_kind, e.jurisdiction, e.discipline, \
                        CASE WHEN e.show_name THEN m.first_name || ' ' || m.last_name END AS shown_name \
                 FROM answer_endorsements e JOIN answers a ON a.id = e.answer_id JOIN members m ON m.id = e.member_id \
                 WHERE a.question_id = $1 ORDER BY e.endorsed_at",
            )
            .bind(question_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Stores an answer by the member of `user_id` to a visible question, with `mail` queued
    /// to everyone following the question but the answerer (its `to_address` is filled in
    /// per follower), unless they posted `limit` answers in the hour before `now`.
    #[allow(clippy::too_many_arguments)]
    pub async fn post_answer(
        &self,
        user_id: i64,
        question_id: i64,
        body: &str,
        plain_text: &str,
        limit: i64,
        now: UnixTime,
        mail: &NewMail,
    ) -> StoreResult<Result<i64, Refusal>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Locks the member's row (PostgreSQL) so that their posts are counted one at a time.
            let member: Option<i64> =
                sqlx::query_scalar("UPDATE members SET updated_at = updated_at WHERE user_id = $1 RETURNING id")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(member_id) = member else { return Ok(Err(Refusal::NoMemberRecord)) };
            if !post_is_open!(tx, question_id, None::<i64>) {
                return Ok(Err(Refusal::Gone));
            }
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO answers (question_id, member_id, body, plain_text, created_at, updated_at) \
                 SELECT $1, $2, $3, $6, $4, $4 \
                 WHERE (SELECT COUNT(*) FROM answers WHERE member_id = $2 AND created_at > $4 - 3600) < $5 \
                 RETURNING id",
            )
            .bind(question_id)
            .bind(member_id)
            .bind(body)
            .bind(now)
            .bind(limit)
            .bind(plain_text)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { return Ok(Err(Refusal::TooManyPosts)) };
            let followers: Vec<String> = sqlx::query_scalar(
                "SELECT COALESCE(u.email, m.email) FROM question_subscriptions s JOIN members m ON m.id = s.member_id \
                 LEFT JOIN users u ON u.id = m.user_id WHERE s.question_id = $1 AND s.member_id <> $2 ORDER BY m.id",
            )
            .bind(question_id)
            .bind(member_id)
            .fetch_all(&mut *tx)
            .await?;
            for to_address in followers {
                let mail = NewMail { to_address, ..mail.clone() };
                insert_mail!(tx, mail, now)?;
            }
            reindex_question!(tx, question_id);
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// The member of `user_id` votes an answer up (1) or down (-1), once (a second vote
    /// replaces the first); never their own answer. False when nothing was recorded.
    pub async fn vote_answer(&self, user_id: i64, answer_id: i64, vote: i64, now: UnixTime) -> StoreResult<bool> {
        let done = with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO answer_votes (answer_id, member_id, vote, voted_at) \
                 SELECT a.id, m.id, $3, $4 FROM answers a JOIN members m ON m.user_id = $1 \
                 WHERE a.id = $2 AND NOT a.hidden AND a.member_id <> m.id \
                 ON CONFLICT (answer_id, member_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
            )
            .bind(user_id)
            .bind(answer_id)
            .bind(vote)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done > 0)
    }

    /// The member of `user_id` endorses an answer, when a licence of theirs vouches for it:
    /// an engineering licence current on `today`, in the question's jurisdiction when it
    /// names one, held by a member whose disciplines include the question's. Once per
    /// member and answer; never their own. False when nothing was recorded.
    pub async fn endorse_answer(
        &self,
        user_id: i64,
        answer_id: i64,
        show_name: bool,
        today: time::Date,
        now: UnixTime,
    ) -> StoreResult<bool> {
        let sql = format!(
            "INSERT INTO answer_endorsements (answer_id, member_id, licence_kind, jurisdiction, discipline, show_name, \
             endorsed_at) \
             SELECT a.id, m.id, l.kind, l.jurisdiction, q.discipline, $3, $5 \
             FROM answers a JOIN questions q ON q.id = a.question_id JOIN members m ON m.user_id = $1 \
             JOIN licences l ON l.member_id = m.id \
             WHERE a.id = $2 AND NOT a.hidden AND NOT q.hidden AND a.member_id <> m.id AND q.discipline IS NOT NULL \
               AND (';' || m.disciplines || ';') LIKE ('%;' || q.discipline || ';%') \
               AND (q.jurisdiction IS NULL OR l.jurisdiction = q.jurisdiction) \
               AND l.kind IN {ENGINEERING_LICENCES} AND l.first_issued <= $4 \
               AND (l.expires_on IS NULL OR l.expires_on >= $4) \
             ORDER BY l.id LIMIT 1 \
             ON CONFLICT (answer_id, member_id) DO NOTHING RETURNING answer_id"
        );
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let endorsed: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user_id)
                .bind(answer_id)
                .bind(show_name)
                .bind(today)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let question: Option<i64> = match endorsed {
                Some(answer) => {
                    sqlx::query_scalar("SELECT question_id FROM answers WHERE id = $1")
                        .bind(answer)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if let Some(question_id) = question {
                reindex_question!(tx, question_id);
                let promoted: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT k.id, e.body, e.subjects FROM questions q JOIN kb_articles k ON k.id = q.promoted_article_id \
                     JOIN search_entries e ON e.article_id = k.id WHERE q.id = $1",
                )
                .bind(question_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((article_id, body, subjects)) = promoted {
                    reindex_article!(tx, article_id, &body, &subjects);
                }
            }
            tx.commit().await?;
            Ok(question.is_some())
        })
    }

    /// The asker (the member of `user_id`) accepts one of their question's answers; the
    /// answerer is sent `mail`. False when it is not their question or not its answer.
    pub async fn accept_answer(
        &self,
        user_id: i64,
        question_id: i64,
        answer_id: i64,
        now: UnixTime,
        mail: &NewMail,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let accepted = sqlx::query(
                "UPDATE questions SET accepted_answer_id = $3, updated_at = $4 \
                 WHERE id = $2 AND member_id = (SELECT id FROM members WHERE user_id = $1) \
                 AND EXISTS (SELECT 1 FROM answers a WHERE a.id = $3 AND a.question_id = $2 AND NOT a.hidden)",
            )
            .bind(user_id)
            .bind(question_id)
            .bind(answer_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if accepted.rows_affected() == 0 {
                return Ok(false);
            }
            let answerer: Option<String> = sqlx::query_scalar(
                "SELECT COALESCE(u.email, m.email) FROM answers a JOIN members m ON m.id = a.member_id \
                 LEFT JOIN users u ON u.id = m.user_id WHERE a.id = $1 AND m.user_id IS DISTINCT FROM $2",
            )
            .bind(answer_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(to_address) = answerer {
                let mail = NewMail { to_address, ..mail.clone() };
                insert_mail!(tx, mail, now)?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The member of `user_id` follows a question (emailed about new answers), or stops.
    pub async fn follow_question(&self, user_id: i64, question_id: i64, follow: bool) -> StoreResult<bool> {
        let done = with_writer!(self, |pool| {
            if follow {
                sqlx::query(
                    "INSERT INTO question_subscriptions (question_id, member_id) \
                     SELECT q.id, m.id FROM questions q JOIN members m ON m.user_id = $1 WHERE q.id = $2 AND NOT q.hidden \
                     ON CONFLICT DO NOTHING",
                )
                .bind(user_id)
                .bind(question_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
            } else {
                sqlx::query(
                    "DELETE FROM question_subscriptions WHERE question_id = $2 \
                     AND member_id = (SELECT id FROM members WHERE user_id = $1)",
                )
                .bind(user_id)
                .bind(question_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
            }
        })?;
        Ok(done > 0)
    }

    /// Whether the member of `user_id` follows the question.
    pub async fn follows_question(&self, user_id: i64, question_id: i64) -> StoreResult<bool> {
        let found: Option<i64> = with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT s.question_id FROM question_subscriptions s JOIN members m ON m.id = s.member_id \
                 WHERE m.user_id = $1 AND s.question_id = $2",
            )
            .bind(user_id)
            .bind(question_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(found.is_some())
    }

    /// Staff hide or show a question or an answer (`answer_id`), with its audit entry.
    pub async fn set_post_hidden(
        &self,
        question_id: i64,
        answer_id: Option<i64>,
        hidden: bool,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| {
                let changed = match answer_id {
                    Some(answer) => {
                        sqlx::query(
                            "UPDATE answers SET hidden = $3, updated_at = $4 WHERE id = $2 AND question_id = $1",
                        )
                        .bind(question_id)
                        .bind(answer)
                        .bind(hidden)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query("UPDATE questions SET hidden = $2, updated_at = $3 WHERE id = $1")
                            .bind(question_id)
                            .bind(hidden)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                    }
                };
                if hidden {
                    sqlx::query(
                        "UPDATE post_flags SET resolved_at = $3 WHERE question_id = $1 \
                         AND answer_id IS NOT DISTINCT FROM $2 AND resolved_at IS NULL",
                    )
                    .bind(question_id)
                    .bind(answer_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                reindex_question!(tx, question_id);
                changed
            },
            audit
        )
    }

    /// The member of `user_id` comments on a visible question or one of its answers, unless
    /// they made `limit` comments in the hour before `now`.
    pub async fn add_comment(
        &self,
        user_id: i64,
        question_id: i64,
        answer_id: Option<i64>,
        body: &str,
        limit: i64,
        now: UnixTime,
    ) -> StoreResult<Result<i64, Refusal>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Locks the member's row (PostgreSQL) so that their comments are counted one at a time.
            let member: Option<i64> =
                sqlx::query_scalar("UPDATE members SET updated_at = updated_at WHERE user_id = $1 RETURNING id")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(member_id) = member else { return Ok(Err(Refusal::NoMemberRecord)) };
            if !post_is_open!(tx, question_id, answer_id) {
                return Ok(Err(Refusal::Gone));
            }
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO post_comments (question_id, answer_id, member_id, body, created_at) \
                 SELECT $1, $2, $3, $4, $5 \
                 WHERE (SELECT COUNT(*) FROM post_comments WHERE member_id = $3 AND created_at > $5 - 3600) < $6 \
                 RETURNING id",
            )
            .bind(question_id)
            .bind(answer_id)
            .bind(member_id)
            .bind(body)
            .bind(now)
            .bind(limit)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { return Ok(Err(Refusal::TooManyPosts)) };
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// A question's comments, oldest first (those on hidden answers too; the caller decides).
    pub async fn comments(&self, question_id: i64) -> StoreResult<Vec<CommentRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.answer_id, m.first_name || ' ' || m.last_name AS author_name, c.body, c.created_at \
                 FROM post_comments c JOIN members m ON m.id = c.member_id WHERE c.question_id = $1 \
                 ORDER BY c.created_at, c.id",
            )
            .bind(question_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The member of `user_id` reports a visible question (or one of its answers) for staff
    /// to look at. False when they already have an open report of it.
    pub async fn flag_post(
        &self,
        user_id: i64,
        question_id: i64,
        answer_id: Option<i64>,
        reason: &str,
        now: UnixTime,
    ) -> StoreResult<Result<bool, Refusal>> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let member: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(member_id) = member else { return Ok(Err(Refusal::NoMemberRecord)) };
            if !post_is_open!(tx, question_id, answer_id) {
                return Ok(Err(Refusal::Gone));
            }
            let added = sqlx::query(
                "INSERT INTO post_flags (question_id, answer_id, member_id, reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(question_id)
            .bind(answer_id)
            .bind(member_id)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(Ok(added > 0))
        })
    }

    /// Open reports, oldest first, with what the reported post says.
    pub async fn open_flags(&self, page: PageRequest) -> StoreResult<Page<FlagRecord>> {
        let sql = format!(
            "SELECT f.id, f.question_id, f.answer_id, q.title AS question_title, \
                    COALESCE(a.body, q.body) AS post_body, COALESCE(a.hidden, q.hidden) AS post_hidden, \
                    w.first_name || ' ' || w.last_name AS author_name, \
                    m.first_name || ' ' || m.last_name AS reporter_name, f.reason, f.created_at \
             FROM post_flags f JOIN questions q ON q.id = f.question_id LEFT JOIN answers a ON a.id = f.answer_id \
             JOIN members w ON w.id = COALESCE(a.member_id, q.member_id) \
             JOIN members m ON m.id = f.member_id WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.id {}",
            page.sql()
        );
        let (items, total): (Vec<FlagRecord>, i64) = with_reader!(self, |pool| {
            let items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?;
            let total =
                sqlx::query_scalar("SELECT COUNT(*) FROM post_flags WHERE resolved_at IS NULL").fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((items, total))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Staff resolve every open report of a post (dismissed, or after hiding it), audited.
    /// `NotFound` when it has none.
    pub async fn resolve_flags(
        &self,
        question_id: i64,
        answer_id: Option<i64>,
        staff_user_id: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| {
                sqlx::query(
                    "UPDATE post_flags SET resolved_at = $3, resolved_by = $4 WHERE question_id = $1 \
                     AND answer_id IS NOT DISTINCT FROM $2 AND resolved_at IS NULL",
                )
                .bind(question_id)
                .bind(answer_id)
                .bind(now)
                .bind(staff_user_id)
                .execute(&mut *tx)
                .await?
            },
            audit
        )
    }

    /// Edits a question (its author, or staff when `staff`), keeping what it said before.
    /// False when it is not theirs to edit (or gone).
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_question(
        &self,
        user_id: i64,
        staff: bool,
        question_id: i64,
        title: &str,
        body: &str,
        plain_text: &str,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let before: Option<(String, String)> = sqlx::query_as(
                "SELECT title, body FROM questions WHERE id = $1 \
                 AND ($3 OR member_id = (SELECT id FROM members WHERE user_id = $2))",
            )
            .bind(question_id)
            .bind(user_id)
            .bind(staff)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((old_title, old_body)) = before else { return Ok(false) };
            insert_revision!(tx, question_id, None::<i64>, Some(&old_title), &old_body, user_id, now);
            sqlx::query("UPDATE questions SET title = $2, body = $3, plain_text = $4, updated_at = $5 WHERE id = $1")
                .bind(question_id)
                .bind(title)
                .bind(body)
                .bind(plain_text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            reindex_question!(tx, question_id);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Edits an answer (its author, or staff when `staff`), keeping what it said before.
    /// False when it is not theirs to edit (or gone).
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_answer(
        &self,
        user_id: i64,
        staff: bool,
        question_id: i64,
        answer_id: i64,
        body: &str,
        plain_text: &str,
        now: UnixTime,
    ) -> StoreResult<bool> {
        with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let before: Option<String> = sqlx::query_scalar(
                "SELECT body FROM answers WHERE id = $1 AND question_id = $4 \
                 AND ($3 OR member_id = (SELECT id FROM members WHERE user_id = $2))",
            )
            .bind(answer_id)
            .bind(user_id)
            .bind(staff)
            .bind(question_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(old_body) = before else { return Ok(false) };
            insert_revision!(tx, question_id, Some(answer_id), None::<&str>, &old_body, user_id, now);
            sqlx::query("UPDATE answers SET body = $2, plain_text = $3, updated_at = $4 WHERE id = $1")
                .bind(answer_id)
                .bind(body)
                .bind(plain_text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            reindex_question!(tx, question_id);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A question's edit history (its own and its answers'), newest first.
    pub async fn post_revisions(&self, question_id: i64) -> StoreResult<Vec<RevisionRecord>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT r.answer_id, r.title_before, r.body_before, u.display_name AS edited_by_name, r.edited_at \
                 FROM post_revisions r LEFT JOIN users u ON u.id = r.edited_by WHERE r.question_id = $1 \
                 ORDER BY r.edited_at DESC, r.id DESC",
            )
            .bind(question_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The subject experts: (subject, member id, member's name, member number).
    pub async fn subject_experts(&self) -> StoreResult<Vec<(KbSubjectRecord, i64, String, String)>> {
        let rows: Vec<(i64, String, String, i64, String, String)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.name, s.slug, m.id, m.first_name || ' ' || m.last_name, m.member_number \
                 FROM subject_experts x JOIN kb_subjects s ON s.id = x.subject_id JOIN members m ON m.id = x.member_id \
                 ORDER BY s.name, m.last_name, m.first_name",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, slug, member, member_name, email)| {
                (KbSubjectRecord { id, name, slug, articles: 0 }, member, member_name, email)
            })
            .collect())
    }

    /// The email addresses of the experts in any of these subjects (by key).
    pub async fn expert_addresses(&self, subject_keys: &[String]) -> StoreResult<Vec<String>> {
        let mut addresses: HashMap<String, ()> = HashMap::new();
        let mut ordered = Vec::new();
        for key in subject_keys {
            let found: Vec<String> = with_reader!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT COALESCE(u.email, m.email) FROM subject_experts x JOIN kb_subjects s ON s.id = x.subject_id \
                     JOIN members m ON m.id = x.member_id LEFT JOIN users u ON u.id = m.user_id \
                     WHERE s.subject_key = $1 ORDER BY m.id",
                )
                .bind(key)
                .fetch_all(pool)
                .await
            })?;
            for address in found {
                if addresses.insert(address.clone(), ()).is_none() {
                    ordered.push(address);
                }
            }
        }
        Ok(ordered)
    }

    /// Staff name a member an expert in a subject (added in the given spelling when new),
    /// or take them off it, with its audit entry.
    pub async fn set_subject_expert(
        &self,
        subject: &crate::knowledge::records::NewSubject,
        member_id: i64,
        expert: bool,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited!(
            self,
            |tx| {
                let subject_id = subject_id!(tx, subject);
                let changed = if expert {
                    sqlx::query(
                        "INSERT INTO subject_experts (subject_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(subject_id)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?
                } else {
                    sqlx::query("DELETE FROM subject_experts WHERE subject_id = $1 AND member_id = $2")
                        .bind(subject_id)
                        .bind(member_id)
                        .execute(&mut *tx)
                        .await?
                };
                if changed.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
            },
            audit
        )
    }

    /// Promotes a question to a knowledge-base article (`article`, given the next free
    /// source id here), once: a question already promoted is refused with `NotFound`.
    pub async fn promote_question(
        &self,
        question_id: i64,
        article: &NewKbArticle,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<String> {
        audited!(
            self,
            |tx| {
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM questions WHERE id = $1 AND promoted_article_id IS NULL AND NOT hidden",
                )
                .bind(question_id)
                .fetch_optional(&mut *tx)
                .await?;
                if open.is_none() {
                    return Err(StoreError::NotFound);
                }
                let source_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(source_id), 0) + 1 FROM kb_articles")
                    .fetch_one(&mut *tx)
                    .await?;
                let article =
                    NewKbArticle { source_id: Some(source_id), from_question_id: Some(question_id), ..article.clone() };
                let mut subject_ids: HashMap<String, i64> = HashMap::new();
                let article_id = save_articles!(tx, &[(&article, None)], subject_ids, now)[0];
                sqlx::query("UPDATE questions SET promoted_article_id = $2, updated_at = $3 WHERE id = $1")
                    .bind(question_id)
                    .bind(article_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                article.path.clone()
            },
            audit
        )
    }
}
