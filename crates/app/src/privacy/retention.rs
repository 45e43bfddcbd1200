//! The retention sweep (run by the daily job): never-completed sign-ups, former members
//! past `privacy.retention_years`, and erased members' books past
//! `privacy.keep_financial_years`.

use guildhall_store::NewAuditEntry;
use guildhall_store::privacy::Person;

use crate::{App, AppResult};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Accounts never confirmed, deleted.
    pub sign_ups: u64,
    /// Former members erased.
    pub former_members: u64,
    /// Former members whose erasure failed (each logged with its member id).
    pub failed: u64,
    /// Erased members' invoices past the financial retention, deleted.
    pub invoices: u64,
}

impl App {
    /// One retention sweep. A member whose erasure fails is logged with their id and
    /// counted; the sweep carries on with the next.
    pub async fn apply_retention(&self) -> AppResult<RetentionReport> {
        let settings = &self.settings.privacy;
        let now = self.clock.unix();
        let today = self.clock.today();
        let mut report = RetentionReport::default();
        if settings.unconfirmed_sign_up_days > 0 {
            let cutoff = now - i64::from(settings.unconfirmed_sign_up_days) * 86_400;
            report.sign_ups = self.store.delete_unconfirmed_sign_ups(cutoff).await?;
        }
        if settings.retention_years > 0 {
            let cutoff = today.replace_year(today.year() - i32::from(settings.retention_years)).unwrap_or(today);
            for member_id in self.store.former_members_before(cutoff).await? {
                match self.retire_member(member_id).await {
                    Ok(()) => report.former_members += 1,
                    Err(err) => {
                        tracing::warn!(member_id, error = %err, "this former member could not be erased");
                        report.failed += 1;
                    }
                }
            }
        }
        let books = today.replace_year(today.year() - i32::from(settings.keep_financial_years)).unwrap_or(today);
        report.invoices = self.store.purge_erased_books(books).await?.0;
        if report.former_members > 0 {
            self.forget_kept_pages();
        }
        Ok(report)
    }

    /// Erases a former member as the retention period asks (no staff decision, no mail:
    /// they left years ago and the address may be someone else's now).
    async fn retire_member(&self, member_id: i64) -> AppResult<()> {
        let person: Person = self.store.person_of_member(member_id).await?;
        let entry = |action: &str| NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_label: "Retention".into(),
            action: action.into(),
            subject_kind: "member".into(),
            subject_id: Some(member_id),
            after_json: Some(
                serde_json::json!({ "retention_years": self.settings.privacy.retention_years }).to_string(),
            ),
            ..Default::default()
        };
        let request = self.store.request_erasure(&person, &entry("privacy.retention_due"), self.clock.unix()).await?;
        self.store
            .erase_person(request, None, &entry("privacy.erased"), None, self.clock.unix(), self.clock.today())
            .await?;
        Ok(())
    }
}
