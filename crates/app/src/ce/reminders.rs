//! CE reminders: members whose period closes short are told, once per offset.

use super::report::{BULK_RANGE, summarise_range};
use super::*;

impl App {
    /// Emails members whose licence or certification is short while its period ends within
    /// one of the configured offsets (each reminder once per period). Returns how many were sent.
    pub async fn send_ce_reminders(&self) -> AppResult<usize> {
        let today = self.clock.today();
        let book = self.rule_book();
        let mut offsets: Vec<i64> = self.settings.ce.reminder_days_before.iter().map(|d| i64::from(*d)).collect();
        offsets.sort_unstable();
        let mut sent = 0;
        for member_id in self.ce_reminder_candidates(today, &offsets).await? {
            let ce = self.member_ce(member_id).await?;
            let evaluation = ce.evaluate(&book, today)?;
            for ((row, _), result) in ce.tracked.iter().zip(&evaluation.credentials) {
                let Some(p) = result.periods.last() else { continue };
                if p.status != Status::InProgress || p.still_needed.is_empty() {
                    continue;
                }
                let Ok(end) = Date::parse(&p.end, time::macros::format_description!("[year]-[month]-[day]")) else {
                    continue;
                };
                let days_left = (end - today).whole_days();
                // The smallest offset the period is already inside is the one due now.
                let Some(offset) = offsets.iter().copied().find(|o| days_left <= *o && days_left >= 0) else {
                    continue;
                };
                let Some(member) = self.store.member_by_id(member_id).await? else { continue };
                let body = format!(
                    "Dear {},\n\nYour {} ({}) renewal period ends on {end} ({days_left} days from today), \
                     and it is not yet complete. What you still need:\n\n{}\n\nLog activities and upload \
                     certificates at {}.\n",
                    member.first_name,
                    result.ruleset_name,
                    held_words(row),
                    p.still_needed
                        .iter()
                        .map(|s| format!(
                            "  - {}",
                            words::engine_words(s, &guildhall_ce::unit_words(&result.credit_unit))
                        ))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    self.link("/ce"),
                );
                let mail = guildhall_store::NewMail {
                    to_address: member.email.clone(),
                    subject: format!("{}: continuing education still needed by {end}", result.ruleset_name),
                    body_text: body,
                    attachment: None,
                };
                let key = row.key();
                if !self.store.record_ce_reminder(member_id, &key, end, offset, &mail, self.clock.unix()).await? {
                    continue;
                }
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// What a member still needs in their current periods, in words (a campaign's
    /// `{{pdh_needed}}`): each licence or certification short of credit, with what it lacks.
    pub(crate) async fn ce_still_needed_words(&self, member_id: i64) -> AppResult<Option<String>> {
        let book = self.rule_book();
        let ce = self.member_ce(member_id).await?;
        let evaluation = ce.evaluate(&book, self.clock.today())?;
        let mut needs = Vec::new();
        for ((row, _), result) in ce.tracked.iter().zip(&evaluation.credentials) {
            let Some(p) = result.periods.last() else { continue };
            if p.still_needed.is_empty() {
                continue;
            }
            let unit = guildhall_ce::unit_words(&result.credit_unit);
            let lacking: Vec<String> = p.still_needed.iter().map(|s| words::engine_words(s, &unit)).collect();
            needs.push(format!("{} ({}): {}", result.ruleset_name, held_words(row), lacking.join(", ")));
        }
        Ok((!needs.is_empty()).then(|| needs.join("; ")))
    }

    /// Members with a credential in progress whose period ends within `days` (the engine's
    /// summary over every member; only these are explained and worded for a reminder).
    async fn ce_reminder_candidates(&self, today: Date, offsets: &[i64]) -> AppResult<Vec<i64>> {
        let book = self.rule_book();
        let max_id = self.store.max_member_id().await?;
        // Reminders already sent are passed over here, so each hour explains only the new ones.
        let sent: Arc<HashSet<(i64, String, Date, i64)>> =
            Arc::new(self.store.ce_reminders_sent(today).await?.into_iter().collect());
        let offsets: Arc<[i64]> = offsets.into();
        let mut candidates = Vec::new();
        let mut after = 0;
        while after < max_id {
            let up_to = after.saturating_add(BULK_RANGE);
            let bulk = self.store.ce_bulk(after, up_to).await?;
            after = up_to;
            let (book, sent, offsets) = (Arc::clone(&book), Arc::clone(&sent), Arc::clone(&offsets));
            let found = tokio::task::spawn_blocking(move || {
                let mut found = Vec::new();
                summarise_range(&book, &bulk, today, |member_id, tracked, summaries| {
                    let due = tracked.iter().zip(summaries).any(|((row, _), s)| {
                        let Some(period) = s.period.filter(|_| s.status == Status::InProgress) else { return false };
                        let days_left = (period.end - today).whole_days();
                        // The smallest offset the period is already inside is the one due now.
                        offsets
                            .iter()
                            .find(|o| (0..=**o).contains(&days_left))
                            .is_some_and(|&offset| !sent.contains(&(member_id, row.key(), period.end, offset)))
                    });
                    if due {
                        found.push(member_id);
                    }
                })
                .map(|()| found)
            })
            .await
            .map_err(|e| AppError::Internal(format!("CE reminders: {e}")))??;
            candidates.extend(found);
        }
        Ok(candidates)
    }
}
