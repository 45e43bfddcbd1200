//! Campaigns: written, scheduled, sent once. Starting a send freezes its recipients in one
//! transaction: the campaign leaves draft with a conditional `UPDATE`, the manifest is one
//! `INSERT … SELECT` over the audience (one row per member and per address, so overlaps give
//! one message), and each manifest row gets its outbox message. A second click, or a send
//! retried after a crash, finds the campaign no longer open and queues nothing.

use guildhall_domain::communications::{Audience, AudienceRule, CampaignStatus};

use super::on_list;
use super::records::{CampaignRecord, CampaignReport, NewCampaign};
use crate::engine::{audited, audited_change};
use crate::{NewAuditEntry, Page, PageRequest, Store, StoreError, StoreResult, UnixTime, with_reader};

pub(super) const CAMPAIGN_COLUMNS: &str = "k.id, k.list_id, l.name AS list_name, k.subject, k.body, k.audience, k.status, \
     k.scheduled_for, k.chapter_id, k.created_by, k.recipients, k.send_started_at, k.created_at, k.updated_at, k.automation_id, k.delay_days";

/// A value bound into the audience's SQL.
enum Bound {
    Id(i64),
    Code(&'static str),
}

/// The condition on member `m` of one rule, binding its value as `$n`.
fn rule_sql(rule: &AudienceRule, binds: &mut Vec<Bound>) -> String {
    let (sql, bound) = match rule {
        AudienceRule::List(id) => ("EXISTS (SELECT 1 FROM communication_lists l WHERE l.id = $N AND ", Bound::Id(*id)),
        AudienceRule::Chapter(id) => ("m.home_chapter_id = $N", Bound::Id(*id)),
        AudienceRule::Group(id) => {
            ("EXISTS (SELECT 1 FROM member_groups g WHERE g.member_id = m.id AND g.group_id = $N)", Bound::Id(*id))
        }
        AudienceRule::Tier(id) => ("m.tier_id = $N", Bound::Id(*id)),
        AudienceRule::Standing(standing) => ("m.standing = $N", Bound::Code(standing.code())),
        AudienceRule::Event(id) => (
            "EXISTS (SELECT 1 FROM event_registrations r WHERE r.member_id = m.id AND r.event_id = $N \
             AND r.status IN ('confirmed', 'offered'))",
            Bound::Id(*id),
        ),
    };
    binds.push(bound);
    let sql = sql.replace("$N", &format!("${}", binds.len()));
    match rule {
        AudienceRule::List(_) => format!("{sql}{})", on_list()),
        _ => sql,
    }
}

/// `FROM members m WHERE …`: the members a campaign under `list_id` goes to. The audience's
/// rules (any included, none excluded), on the campaign's list, not switched off all bulk
/// mail, with an address whose bulk delivery is not suspended.
fn recipients_sql(list_id: i64, audience: &Audience, binds: &mut Vec<Bound>) -> String {
    let include: Vec<String> = audience.include.iter().map(|rule| rule_sql(rule, binds)).collect();
    let exclude: Vec<String> = audience.exclude.iter().map(|rule| rule_sql(rule, binds)).collect();
    let on_list = rule_sql(&AudienceRule::List(list_id), binds);
    let mut sql = format!(
        "FROM members m WHERE ({}) AND {on_list} \
 AND {REACHABLE}",
        if include.is_empty() { "FALSE".to_string() } else { include.join(" OR ") }
    );
    if !exclude.is_empty() {
        sql.push_str(&format!(" AND NOT ({})", exclude.join(" OR ")));
    }
    sql
}

/// Member `m` takes bulk mail: not switched off all of it, and bulk delivery to their
/// address not suspended.
pub(super) const REACHABLE: &str = "NOT EXISTS (SELECT 1 FROM mail_preferences p WHERE p.member_id = m.id AND p.no_bulk_mail) \
     AND NOT EXISTS (SELECT 1 FROM mail_addresses a WHERE a.address = LOWER(m.email) AND a.suspended_at IS NOT NULL)";

/// Binds the audience's values in order.
macro_rules! bind_audience {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bound in $binds.iter() {
            query = match bound {
                Bound::Id(id) => query.bind(*id),
                Bound::Code(code) => query.bind(*code),
            };
        }
        query
    }};
}

impl Store {
    /// The member ids a campaign under `list_id` to `audience` would go to now, in order.
    pub async fn audience_members(&self, list_id: i64, audience: &Audience) -> StoreResult<Vec<i64>> {
        let mut binds = Vec::new();
        let sql = format!("SELECT m.id {} ORDER BY m.id", recipients_sql(list_id, audience, &mut binds));
        Ok(with_reader!(self, |pool| {
            bind_audience!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())), binds).fetch_all(pool).await
        })?)
    }

    /// How many members a campaign under `list_id` to `audience` would go to now.
    pub async fn audience_count(&self, list_id: i64, audience: &Audience) -> StoreResult<i64> {
        let mut binds = Vec::new();
        let sql = format!("SELECT COUNT(*) {}", recipients_sql(list_id, audience, &mut binds));
        Ok(with_reader!(self, |pool| {
            bind_audience!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())), binds).fetch_one(pool).await
        })?)
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> StoreResult<Option<CampaignRecord>> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns k JOIN communication_lists l ON l.id = k.list_id WHERE k.id = $1"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await
        })?)
    }

    /// Campaigns, newest first: all of them (`None`), or those of some chapters.
    pub async fn campaigns(&self, chapters: Option<&[i64]>, page: PageRequest) -> StoreResult<Page<CampaignRecord>> {
        // An automated series' steps are shown with their series.
        let filter = match chapters {
            None => "k.automation_id IS NULL".to_string(),
            Some([]) => "FALSE".to_string(),
            Some(ids) => format!("k.automation_id IS NULL AND k.chapter_id IN ({})", crate::engine::in_list(ids.len())),
        };
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns k JOIN communication_lists l ON l.id = k.list_id \
             WHERE {filter} ORDER BY k.created_at DESC, k.id DESC {}",
            page.sql()
        );
        let count_sql = format!("SELECT COUNT(*) FROM campaigns k WHERE {filter}");
        let ids = chapters.unwrap_or_default();
        let (items, total): (Vec<CampaignRecord>, i64) = with_reader!(self, |pool| {
            let mut items = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            let mut total = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.as_str()));
            for id in ids {
                items = items.bind(*id);
                total = total.bind(*id);
            }
            Ok::<_, sqlx::Error>((items.fetch_all(pool).await?, total.fetch_one(pool).await?))
        })?;
        Ok(Page::new(items, total, page))
    }

    /// Campaigns a chapter started sending since `since`: what its officers' limit counts.
    pub async fn chapter_campaigns_sent_since(&self, chapter_id: i64, since: UnixTime) -> StoreResult<i64> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE chapter_id = $1 AND send_started_at >= $2")
                .bind(chapter_id)
                .bind(since)
                .fetch_one(pool)
                .await
        })?)
    }

    /// Writes a new draft, audited.
    pub async fn create_campaign(
        &self,
        campaign: &NewCampaign,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO campaigns (list_id, subject, body, audience, status, chapter_id, created_by, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7) RETURNING id",
                )
                .bind(campaign.list_id)
                .bind(&campaign.subject)
                .bind(&campaign.body)
                .bind(&campaign.audience)
                .bind(campaign.chapter_id)
                .bind(campaign.created_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            },
            audit
        )
    }

    /// Changes a campaign still open (draft or scheduled), audited; else `NotFound`. Its
    /// chapter follows its list, so a campaign moved to the society's list is staff's alone.
    pub async fn update_campaign(
        &self,
        id: i64,
        campaign: &NewCampaign,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE campaigns SET list_id = $2, subject = $3, body = $4, audience = $5, updated_at = $6, \
                 chapter_id = $7 WHERE id = $1 AND status IN ('draft', 'scheduled')",
            )
            .bind(id)
            .bind(campaign.list_id)
            .bind(&campaign.subject)
            .bind(&campaign.body)
            .bind(&campaign.audience)
            .bind(now)
            .bind(campaign.chapter_id)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// Schedules an open campaign for `at`, or (None) takes it back to draft; else `NotFound`.
    pub async fn schedule_campaign(
        &self,
        id: i64,
        at: Option<UnixTime>,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let status = if at.is_some() { CampaignStatus::Scheduled } else { CampaignStatus::Draft };
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE campaigns SET status = $2, scheduled_for = $3, updated_at = $4 \
                 WHERE id = $1 AND status IN ('draft', 'scheduled')",
            )
            .bind(id)
            .bind(status.code())
            .bind(at)
            .bind(now)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// Cancels an open campaign; else `NotFound`.
    pub async fn cancel_campaign(&self, id: i64, now: UnixTime, audit: &NewAuditEntry) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| {
                sqlx::query(
                "UPDATE campaigns SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status IN ('draft', 'scheduled')",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            },
            audit
        )
    }

    /// Scheduled campaigns now due, oldest first.
    pub async fn due_campaigns(&self, now: UnixTime) -> StoreResult<Vec<i64>> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for, id",
            )
            .bind(now)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Starts sending an open campaign to `audience`: in one transaction it leaves draft, its
    /// recipients are frozen in the manifest and each gets an outbox message. Returns how
    /// many; `NotFound` when it is no longer open (already sending, sent or cancelled), and
    /// then nothing is queued. With `limit` (a chapter, the most campaigns it may start, and
    /// since when they count), a chapter at its limit is refused (`Conflict` on
    /// `campaign_limit`); the list's row is locked first, so two sends at once cannot both
    /// pass it.
    pub async fn start_campaign_send(
        &self,
        id: i64,
        audience: &Audience,
        limit: Option<(i64, i64, UnixTime)>,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        let mut audit = audit.clone();
        audited!(
            self,
            |tx| {
                sqlx::query(
                    "UPDATE communication_lists SET created_at = created_at \
                     WHERE id = (SELECT list_id FROM campaigns WHERE id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if let Some((chapter_id, most, since)) = limit {
                    let started: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM campaigns WHERE chapter_id = $1 AND send_started_at >= $2",
                    )
                    .bind(chapter_id)
                    .bind(since)
                    .fetch_one(&mut *tx)
                    .await?;
                    if started >= most {
                        return Err(StoreError::Conflict { field: "campaign_limit".into() });
                    }
                }
                let list_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE campaigns SET status = 'sending', send_started_at = $2, updated_at = $2 \
                     WHERE id = $1 AND status IN ('draft', 'scheduled') RETURNING list_id",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(list_id) = list_id else { return Err(StoreError::NotFound) };
                let mut binds = vec![Bound::Id(id)];
                let sql = format!(
                    "INSERT INTO campaign_recipients (campaign_id, member_id, address) \
                     SELECT $1, m.id, LOWER(m.email) {} ON CONFLICT DO NOTHING",
                    recipients_sql(list_id, audience, &mut binds)
                );
                let queued = bind_audience!(sqlx::query(sqlx::AssertSqlSafe(sql)), binds).execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO outbox (to_address, subject, body_text, created_at, status, attempts, next_attempt_at, \
                     campaign_id, member_id) \
                     SELECT address, '', '', $2, 'pending', 0, $2, campaign_id, member_id \
                     FROM campaign_recipients WHERE campaign_id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let recipients = queued.rows_affected() as i64;
                sqlx::query("UPDATE campaigns SET recipients = $2 WHERE id = $1")
                    .bind(id)
                    .bind(recipients)
                    .execute(&mut *tx)
                    .await?;
                audit.after_json = Some(serde_json::json!({ "recipients": recipients }).to_string());
                recipients
            },
            &audit
        )
    }

    /// Queues again the messages of a campaign left undetermined (handed to the relay when
    /// a sender stopped), at staff's request; the campaign is sending again until they go.
    /// Audited with how many; `NotFound` when none is undetermined.
    pub async fn resend_undetermined(&self, id: i64, now: UnixTime, audit: &NewAuditEntry) -> StoreResult<i64> {
        let mut audit = audit.clone();
        audited!(
            self,
            |tx| {
                let requeued = sqlx::query(
                    "UPDATE outbox SET status = 'pending', in_flight_since = NULL, locked_until = NULL, \
                     next_attempt_at = $2, last_error = NULL \
                     WHERE campaign_id = $1 AND status = 'undetermined' AND NOT campaign_test",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
                if requeued == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(
                    "UPDATE campaigns SET status = 'sending', updated_at = $2 WHERE id = $1 AND status = 'sent'",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                audit.after_json = Some(serde_json::json!({ "messages": requeued }).to_string());
                requeued
            },
            &audit
        )
    }

    /// Queues a test send of a campaign to `to_address`, made for `member_id` (the writer's
    /// own record, or none: a sample member) when it is delivered; not counted in the report.
    pub async fn enqueue_campaign_test(
        &self,
        campaign_id: i64,
        member_id: Option<i64>,
        to_address: &str,
        now: UnixTime,
    ) -> StoreResult<i64> {
        Ok(crate::engine::with_writer!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO outbox (to_address, subject, body_text, created_at, status, attempts, next_attempt_at, \
                 campaign_id, member_id, campaign_test) VALUES ($1, '', '', $2, 'pending', 0, $2, $3, $4, TRUE) RETURNING id",
            )
            .bind(to_address)
            .bind(now)
            .bind(campaign_id)
            .bind(member_id)
            .fetch_one(pool)
            .await
        })?)
    }

    /// Marks a sending campaign sent once none of its messages waits any longer.
    pub async fn finish_sent_campaigns(&self, now: UnixTime) -> StoreResult<u64> {
        Ok(crate::engine::with_writer!(self, |pool| {
            sqlx::query(
                "UPDATE campaigns SET status = 'sent', updated_at = $1 WHERE status = 'sending' AND automation_id IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id AND o.status = 'pending' \
                 AND NOT o.campaign_test)",
            )
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// Records that a recipient opened a campaign's message: the first time only, in one
    /// conditional statement, so requests arriving together count once. Nothing for someone
    /// who was not sent the campaign. Whether this was the first open.
    pub async fn record_campaign_open(&self, campaign_id: i64, member_id: i64, now: UnixTime) -> StoreResult<bool> {
        Ok(crate::engine::with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO mail_tracking (campaign_id, member_id, opened_at) \
                 SELECT campaign_id, member_id, $3 FROM campaign_recipients WHERE campaign_id = $1 AND member_id = $2 \
                 ON CONFLICT (campaign_id, member_id) DO UPDATE SET opened_at = excluded.opened_at \
                 WHERE mail_tracking.opened_at IS NULL",
            )
            .bind(campaign_id)
            .bind(member_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() > 0)
        })?)
    }

    /// Records that a recipient followed a link of a campaign's message: the first click
    /// only (which is also an open, if none was seen: images are often not loaded), in one
    /// conditional statement. Whether this was the first click.
    pub async fn record_campaign_click(&self, campaign_id: i64, member_id: i64, now: UnixTime) -> StoreResult<bool> {
        Ok(crate::engine::with_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO mail_tracking (campaign_id, member_id, opened_at, clicked_at) \
                 SELECT campaign_id, member_id, $3, $3 FROM campaign_recipients WHERE campaign_id = $1 AND member_id = $2 \
                 ON CONFLICT (campaign_id, member_id) DO UPDATE SET clicked_at = excluded.clicked_at, \
                 opened_at = COALESCE(mail_tracking.opened_at, excluded.opened_at) \
                 WHERE mail_tracking.clicked_at IS NULL",
            )
            .bind(campaign_id)
            .bind(member_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() > 0)
        })?)
    }

    /// What became of a campaign's messages.
    pub async fn campaign_report(&self, id: i64) -> StoreResult<CampaignReport> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = $1) AS recipients, \
                 COUNT(CASE WHEN o.status = 'pending' THEN 1 END) AS queued, \
                 COUNT(CASE WHEN o.status = 'sent' THEN 1 END) AS sent, \
                 COUNT(CASE WHEN o.status = 'failed' THEN 1 END) AS failed, \
                 COUNT(CASE WHEN o.status = 'undetermined' THEN 1 END) AS undetermined, \
                 (SELECT COUNT(*) FROM mail_bounces b WHERE b.campaign_id = $1 AND b.kind = 'hard') AS hard_bounces, \
                 (SELECT COUNT(*) FROM mail_bounces b WHERE b.campaign_id = $1 AND b.kind = 'soft') AS soft_bounces, \
                 (SELECT COUNT(*) FROM mail_bounces b WHERE b.campaign_id = $1 AND b.kind = 'complaint') AS complaints, \
                 (SELECT COUNT(DISTINCT member_id) FROM consent_changes c WHERE c.campaign_id = $1 AND NOT c.subscribed) \
                 AS unsubscribed, \
                 (SELECT COUNT(*) FROM mail_tracking t WHERE t.campaign_id = $1 AND t.opened_at IS NOT NULL) AS opened, \
                 (SELECT COUNT(*) FROM mail_tracking t WHERE t.campaign_id = $1 AND t.clicked_at IS NOT NULL) AS clicked \
                 FROM outbox o WHERE o.campaign_id = $1 AND NOT o.campaign_test",
            )
            .bind(id)
            .fetch_one(pool)
            .await
        })?)
    }
}
