//! The society as a whole: its branding and settings, the audit log of every change,
//! and the outgoing mail staff can read.
//!
//! Files: `mod.rs` (branding, the audit log, outgoing mail, the staff overview), `audit.rs`
//! (audit actions and changes in words).

pub mod audit;

use guildhall_store::{
    AuditFilter, AuditRecord, ChapterRecord, MailAttachment, MailHealth, MailRecord, MembershipOverview, Page,
    PageRequest,
};

use crate::error::{AppError, AppResult, FieldErrors};
use guildhall_domain::identity::Role;

use crate::{Actor, App, Branding, Permission};

/// What the mailbox shows in place of a sign-in link its reader may not see.
pub const HIDDEN_LINK: &str = "[link hidden: sign-in links are shown only to administrators]";

/// The whitespace a word taken by `split_inclusive` ends with.
fn trailing_space(word: &str) -> &str {
    &word[word.trim_end().len()..]
}

/// The branding form as typed.
#[derive(Debug, Clone, Default)]
pub struct BrandingForm {
    pub name: String,
    pub tagline: String,
    pub primary_colour: String,
    pub logo_url: String,
    /// ISO 4217 code (`USD`).
    pub currency: String,
}

/// The staff area's front page: what needs attention today.
pub struct StaffOverview {
    pub membership: MembershipOverview,
    /// The first and last day of this month.
    pub month: (time::Date, time::Date),
    pub today: time::Date,
    /// The last day of the window for licences and certifications to renew.
    pub renewing_until: time::Date,
    pub mail: MailHealth,
    pub chapters: Vec<ChapterRecord>,
}

/// How long a node keeps the staff overview's counts. Counting every member by standing is
/// a pass over the members table; staff opening the overview again and again within a few
/// seconds see the same figures, and a change made on this node (a payment, an approval, a
/// standing refresh, an import) forgets them at once.
pub const STAFF_FIGURES_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// The staff overview's counts as last read, and when.
struct StaffFigures {
    read_at: std::time::Instant,
    membership: MembershipOverview,
    mail: MailHealth,
}

/// The staff overview's counts a node keeps, and how many times they have been forgotten
/// (a count read before a change must not be kept after it).
#[derive(Default)]
pub(crate) struct KeptStaffFigures {
    figures: Option<StaffFigures>,
    forgotten: u64,
}

impl KeptStaffFigures {
    /// The counts kept, if any, and if `fresh` only those younger than [`STAFF_FIGURES_TTL`].
    fn get(&self, fresh: bool) -> Option<(MembershipOverview, MailHealth)> {
        self.figures
            .as_ref()
            .filter(|f| !fresh || f.read_at.elapsed() < STAFF_FIGURES_TTL)
            .map(|f| (f.membership.clone(), f.mail))
    }

    pub(crate) fn forget(&mut self) {
        self.figures = None;
        self.forgotten += 1;
    }
}

impl App {
    /// Figures for the staff overview: two round trips, run side by side (membership's
    /// counts, the mail's), kept for [`STAFF_FIGURES_TTL`], and the chapters from the
    /// reference data.
    pub async fn staff_overview(&self, actor: &Actor) -> AppResult<StaffOverview> {
        actor.require(Permission::StaffArea)?;
        let (membership, mail) = self.staff_figures(actor).await?;
        let today = self.clock.today();
        Ok(StaffOverview {
            membership,
            month: crate::membership::reports::month_of(today),
            today,
            renewing_until: today
                .saturating_add(time::Duration::days(crate::membership::reports::RENEWING_WITHIN_DAYS)),
            mail,
            chapters: self.reference().await?.chapters.clone(),
        })
    }

    /// The overview's counts, read again when older than [`STAFF_FIGURES_TTL`] by one request
    /// at a time: while it reads, the others are answered with the counts kept (each read is
    /// a pass over every member, and sixteen at once made every sixteenth page wait tens of
    /// milliseconds). With none kept (at start, or just after a change) they wait for it.
    async fn staff_figures(&self, actor: &Actor) -> AppResult<(MembershipOverview, MailHealth)> {
        let kept = |fresh: bool| self.staff_figures.lock().ok().and_then(|kept| kept.get(fresh));
        if let Some(figures) = kept(true) {
            return Ok(figures);
        }
        let _reading = match self.staff_figures_reading.try_lock() {
            Ok(reading) => reading,
            Err(_) => match kept(false) {
                Some(figures) => return Ok(figures),
                None => self.staff_figures_reading.lock().await,
            },
        };
        // Read by the request this one waited for.
        if let Some(figures) = kept(true) {
            return Ok(figures);
        }
        let forgotten = self.staff_figures.lock().map(|kept| kept.forgotten).unwrap_or_default();
        let read_at = std::time::Instant::now();
        let (membership, mail) = tokio::try_join!(self.membership_overview(actor), async {
            self.store.mail_health().await.map_err(AppError::from)
        })?;
        if let Ok(mut kept) = self.staff_figures.lock()
            && kept.forgotten == forgotten
        {
            kept.figures = Some(StaffFigures { read_at, membership: membership.clone(), mail });
        }
        Ok((membership, mail))
    }

    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> AppResult<Page<AuditRecord>> {
        actor.require(Permission::AuditLog)?;
        Ok(self.store.list_audit(filter, page).await?)
    }

    pub async fn audit_actions(&self, actor: &Actor) -> AppResult<Vec<String>> {
        actor.require(Permission::AuditLog)?;
        Ok(self.store.audit_actions().await?)
    }

    /// Outgoing mail. Bodies carry sign-in links, so staff see them only while mail is
    /// kept in the local mailbox (development); with SMTP they see subjects and status.
    pub async fn outgoing_mail(
        &self,
        actor: &Actor,
        to: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<MailRecord>> {
        actor.require(Permission::OutgoingMail)?;
        let local = self.mail_is_local();
        let mut mail = self.store.list_mail(to, page).await?;
        for m in &mut mail.items {
            if local {
                self.hide_sign_in_links(actor, m).await?;
            } else {
                m.body_text = String::new();
            }
        }
        Ok(mail)
    }

    pub async fn mail_message(&self, actor: &Actor, id: i64) -> AppResult<MailRecord> {
        actor.require(Permission::OutgoingMail)?;
        let mut mail = self.store.mail_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such message.".into()))?;
        if self.mail_is_local() {
            self.hide_sign_in_links(actor, &mut mail).await?;
        } else {
            mail.body_text = "(Message bodies are shown only while mail is kept in the local mailbox.)".into();
        }
        Ok(mail)
    }

    /// A message's attachment (a registration's calendar file), on the same terms as its
    /// body: only while mail is kept in the local mailbox.
    pub async fn mail_attachment(&self, actor: &Actor, id: i64) -> AppResult<MailAttachment> {
        actor.require(Permission::OutgoingMail)?;
        if !self.mail_is_local() {
            return Err(AppError::NotFound(
                "Attachments are shown only while mail is kept in the local mailbox.".into(),
            ));
        }
        self.store
            .mail_attachment(id)
            .await?
            .ok_or_else(|| AppError::NotFound("That message has no attachment.".into()))
    }

    /// Links that sign someone in or take over an account (password reset, email
    /// confirmation, invitation: any link carrying a `token=`) are shown only to an
    /// administrator, and only in mail to an account of a lower role (or to no account):
    /// otherwise a staff member could reset an administrator's password from the mailbox
    /// and become one.
    async fn hide_sign_in_links(&self, reader: &Actor, mail: &mut MailRecord) -> AppResult<()> {
        if !mail.body_text.contains("token=") {
            return Ok(());
        }
        let recipient = self.store.user_by_email(&mail.to_address).await?;
        let recipient_role = recipient.and_then(|u| Role::parse(&u.role).ok()).unwrap_or(Role::Member);
        if reader.role == Role::Admin && recipient_role < reader.role {
            return Ok(());
        }
        mail.body_text = mail
            .body_text
            .split_inclusive(char::is_whitespace)
            .map(
                |word| {
                    if word.contains("token=") { HIDDEN_LINK.to_string() + trailing_space(word) } else { word.into() }
                },
            )
            .collect();
        Ok(())
    }

    /// The society's settings as administrators edit them.
    pub async fn society_settings(&self, actor: &Actor) -> AppResult<Branding> {
        actor.require(Permission::Administration)?;
        Ok(self.branding().await)
    }

    pub async fn save_branding(&self, actor: &Actor, form: &BrandingForm, request_id: &str) -> AppResult<Branding> {
        actor.require(Permission::Administration)?;
        let mut errors = FieldErrors::default();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            errors.add("name", "Enter the society's name (at most 120 characters).");
        }
        if form.tagline.trim().chars().count() > 200 {
            errors.add("tagline", "A tagline can be at most 200 characters.");
        }
        let colour = form.primary_colour.trim().to_lowercase();
        if !is_hex_colour(&colour) {
            errors.add("primary_colour", "Enter a colour as # and six hex digits, like #1d4e89.");
        }
        let logo = form.logo_url.trim();
        let logo_allowed = logo.is_empty() || logo.starts_with("https://") || logo.starts_with('/');
        if !logo_allowed || logo.len() > 500 {
            errors.add("logo_url", "A logo address must start with https:// or / (at most 500 characters).");
        }
        let currency = errors.check("currency", guildhall_domain::membership::currency_code(&form.currency));
        errors.into_result()?;
        let before = self.branding().await;
        let after = Branding {
            name: name.into(),
            tagline: form.tagline.trim().into(),
            primary_colour: colour,
            logo_url: logo.into(),
            currency: currency.unwrap_or_default(),
        };
        let mut audit = self.audit_entry(actor, "society.settings_changed", "society", request_id);
        audit.subject_label = "Society settings".into();
        audit.before_json = serde_json::to_string(&before).ok();
        audit.after_json = serde_json::to_string(&after).ok();
        let pairs = vec![
            ("name".to_string(), after.name.clone()),
            ("tagline".to_string(), after.tagline.clone()),
            ("primary_colour".to_string(), after.primary_colour.clone()),
            ("logo_url".to_string(), after.logo_url.clone()),
            ("currency".to_string(), after.currency.clone()),
        ];
        self.store.save_society_settings(&pairs, Some(&audit)).await?;
        self.refresh_branding_now().await?;
        Ok(after)
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(awaiting_approval: i64, age: std::time::Duration) -> StaffFigures {
        StaffFigures {
            read_at: std::time::Instant::now() - age,
            membership: MembershipOverview { awaiting_approval, ..Default::default() },
            mail: MailHealth::default(),
        }
    }

    #[test]
    fn kept_counts_are_fresh_for_their_time_then_only_stale_and_gone_once_forgotten() {
        let mut kept = KeptStaffFigures::default();
        assert_eq!(kept.get(false), None, "nothing kept at start");
        kept.figures = Some(figures(7, std::time::Duration::ZERO));
        assert_eq!(kept.get(true).map(|(m, _)| m.awaiting_approval), Some(7));
        // Older than the time they are kept for: not fresh, but what waiting requests see
        // while one reads them again.
        kept.figures = Some(figures(8, STAFF_FIGURES_TTL * 2));
        assert_eq!(kept.get(true), None);
        assert_eq!(kept.get(false).map(|(m, _)| m.awaiting_approval), Some(8));
        // A change forgets them, and counts that it did, so a read begun before it is not kept.
        kept.forget();
        assert_eq!(kept.get(false), None);
        assert_eq!(kept.forgotten, 1);
    }
}
