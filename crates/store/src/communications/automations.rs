//! Automated series: the welcome series and the lapsed-member win-back. Each step is a
//! campaign marked with its series and delay; members reaching its day are added to its
//! manifest (one row per member, so each gets a step once) and queued, under a lock on the
//! step's row so two nodes running the series at once cannot both queue a member.

use guildhall_domain::communications::AutomationKind;
use guildhall_domain::membership::Standing;
use time::Date;

use super::campaigns::{CAMPAIGN_COLUMNS, REACHABLE};
use super::on_list;
use super::records::{AutomationRecord, CampaignRecord, NewAutomationStep};
use crate::engine::{ROWS_PER_STATEMENT, audited, audited_change, in_list};
use crate::{NewAuditEntry, Store, StoreError, StoreResult, UnixTime, with_reader};

const AUTOMATION_COLUMNS: &str =
    "a.id, a.kind, a.list_id, l.name AS list_name, a.active_since, a.created_at, a.updated_at";

/// Member `m` (on list `l`) meets a series' condition with a start day between `$2` and `$3`.
fn condition(kind: AutomationKind) -> String {
    match kind {
        // New members, while they are members: the list as a campaign sees it.
        AutomationKind::Welcome => {
            let current: Vec<String> =
                Standing::ALL.iter().filter(|s| s.is_current_member()).map(|s| format!("'{}'", s.code())).collect();
            format!("m.joined_on BETWEEN $2 AND $3 AND m.standing IN ({}) AND {}", current.join(", "), on_list())
        }
        // Former members, while still lapsed: on an opt-out list unless they left it (an
        // opt-out list otherwise reaches current members only).
        AutomationKind::WinBack => format!(
            "m.expires_on BETWEEN $2 AND $3 AND m.standing = '{}' \
             AND (l.chapter_id IS NULL OR m.home_chapter_id = l.chapter_id) AND COALESCE(\
             (SELECT s.subscribed FROM list_subscriptions s WHERE s.list_id = l.id AND s.member_id = m.id), NOT l.opt_in)",
            Standing::Lapsed.code()
        ),
    }
}

impl Store {
    /// Both series as far as they are set up.
    pub async fn automations(&self) -> StoreResult<Vec<AutomationRecord>> {
        let sql = format!(
            "SELECT {AUTOMATION_COLUMNS} FROM automations a JOIN communication_lists l ON l.id = a.list_id ORDER BY a.id"
        );
        Ok(with_reader!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?)
    }

    /// A series' steps (campaigns), by delay.
    pub async fn automation_steps(&self, automation_id: i64) -> StoreResult<Vec<CampaignRecord>> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns k JOIN communication_lists l ON l.id = k.list_id \
             WHERE k.automation_id = $1 ORDER BY k.delay_days, k.id"
        );
        Ok(with_reader!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(automation_id).fetch_all(pool).await
        })?)
    }

    /// Sets a series up or changes it: its list (its steps follow), and on (since `today`
    /// when it was off) or off. Audited; its id.
    pub async fn save_automation(
        &self,
        kind: AutomationKind,
        list_id: i64,
        active: bool,
        today: Date,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO automations (kind, list_id, active_since, created_at, updated_at) \
                     VALUES ($1, $2, CASE WHEN $3 THEN $4 END, $5, $5) \
                     ON CONFLICT (kind) DO UPDATE SET list_id = excluded.list_id, updated_at = excluded.updated_at, \
                     active_since = CASE WHEN $3 THEN COALESCE(automations.active_since, $4) END RETURNING id",
                )
                .bind(kind.code())
                .bind(list_id)
                .bind(active)
                .bind(today)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("UPDATE campaigns SET list_id = $2, updated_at = $3 WHERE automation_id = $1")
                    .bind(id)
                    .bind(list_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                id
            },
            audit
        )
    }

    /// Adds a step to a series, audited; its campaign's id.
    pub async fn add_automation_step(
        &self,
        automation_id: i64,
        step: &NewAutomationStep,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<i64> {
        audited!(
            self,
            |tx| {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO campaigns (list_id, subject, body, audience, status, created_by, automation_id, \
                     delay_days, created_at, updated_at) \
                     SELECT list_id, $2, $3, '{\"include\": [], \"exclude\": []}', 'sending', $4, id, $5, $6, $6 \
                     FROM automations WHERE id = $1 RETURNING id",
                )
                .bind(automation_id)
                .bind(&step.subject)
                .bind(&step.body)
                .bind(step.created_by)
                .bind(step.delay_days)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                id.ok_or(StoreError::NotFound)?
            },
            audit
        )
    }

    /// Changes a step still going (its delay and message; what went stays as it went),
    /// audited; else `NotFound`.
    pub async fn update_automation_step(
        &self,
        automation_id: i64,
        step_id: i64,
        step: &NewAutomationStep,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE campaigns SET subject = $3, body = $4, delay_days = $5, updated_at = $6 \
                 WHERE id = $1 AND automation_id = $2 AND status = 'sending'",
            )
            .bind(step_id)
            .bind(automation_id)
            .bind(&step.subject)
            .bind(&step.body)
            .bind(step.delay_days)
            .bind(now)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// Ends a step: nobody more is added to it (its report stays). Audited; else `NotFound`.
    pub async fn end_automation_step(
        &self,
        automation_id: i64,
        step_id: i64,
        now: UnixTime,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            |tx| sqlx::query(
                "UPDATE campaigns SET status = 'sent', updated_at = $3 \
                 WHERE id = $1 AND automation_id = $2 AND status = 'sending'",
            )
            .bind(step_id)
            .bind(automation_id)
            .bind(now)
            .execute(&mut *tx)
            .await?,
            audit
        )
    }

    /// Queues a step for the members whose start day is `from` to `to` and who meet its
    /// series' condition now, on its list and taking bulk mail, except those it already went
    /// to. The step's row is locked first; returns how many were queued.
    pub async fn queue_automation_step(
        &self,
        step_id: i64,
        kind: AutomationKind,
        (from, to): (Date, Date),
        now: UnixTime,
    ) -> StoreResult<u64> {
        let manifest = format!(
            "INSERT INTO campaign_recipients (campaign_id, member_id, address) \
             SELECT $1, m.id, LOWER(m.email) FROM members m \
             JOIN communication_lists l ON l.id = (SELECT list_id FROM campaigns WHERE id = $1) \
             WHERE {} AND {REACHABLE} ON CONFLICT DO NOTHING RETURNING member_id",
            condition(kind)
        );
        Ok(crate::engine::with_writer!(self, |pool| {
            let mut tx = pool.begin().await?;
            let going: Option<i64> = sqlx::query_scalar(
                "UPDATE campaigns SET updated_at = updated_at WHERE id = $1 AND status = 'sending' \
                 AND automation_id IS NOT NULL RETURNING id",
            )
            .bind(step_id)
            .fetch_optional(&mut *tx)
            .await?;
            if going.is_none() {
                return Ok(0);
            }
            let added: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(manifest.as_str()))
                .bind(step_id)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await?;
            for members in added.chunks(ROWS_PER_STATEMENT) {
                let n = members.len();
                let sql = format!(
                    "INSERT INTO outbox (to_address, subject, body_text, created_at, status, attempts, \
                     next_attempt_at, campaign_id, member_id) \
                     SELECT address, '', '', ${now}, 'pending', 0, ${now}, campaign_id, member_id \
                     FROM campaign_recipients WHERE member_id IN ({}) AND campaign_id = ${step}",
                    in_list(n),
                    now = n + 1,
                    step = n + 2,
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for member in members {
                    query = query.bind(*member);
                }
                query.bind(now).bind(step_id).execute(&mut *tx).await?;
            }
            if !added.is_empty() {
                sqlx::query(
                    "UPDATE campaigns SET recipients = recipients + $2, send_started_at = COALESCE(send_started_at, $3) \
                     WHERE id = $1",
                )
                .bind(step_id)
                .bind(added.len() as i64)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(added.len() as u64)
        })?)
    }
}
