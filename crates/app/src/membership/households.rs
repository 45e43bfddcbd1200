//! Household and organisational memberships. A household member or an organisation's
//! named employee is linked to the member record that pays (the household's payer, or the
//! record holding the organisation's membership); while linked they have its standing
//! (`guildhall_domain::membership::linked_standing`), when unlinked their own again.
//! Linked people's stored standings follow the payer's whenever the payer's changes
//! (payments, refunds, the daily refresh).

use guildhall_domain::membership::{
    Employment, LinkKind, Standing, StandingReport, check_seats, linked_standing, standing_on,
};
use guildhall_store::{MemberRecord, MembershipLinkRecord, OrganisationRecord};
use serde_json::json;
use time::{Date, Duration};

use crate::error::{AppError, AppResult};
use crate::membership::term_fact;
use crate::{Actor, App, Permission};

/// A link as a member's page shows it.
pub struct LinkView {
    pub id: i64,
    pub kind: LinkKind,
    /// The member at the other end of the link.
    pub other: MemberRecord,
    pub started_on: Date,
    pub ended_on: Option<Date>,
}

/// A member's household and organisational links.
pub struct MemberLinks {
    /// Who pays for this member now, if anyone.
    pub paid_by: Option<LinkView>,
    /// The people this member pays for now.
    pub pays_for: Vec<LinkView>,
    /// Ended links either way.
    pub past: Vec<LinkView>,
    /// Set when this member record is an organisation's membership.
    pub organisation: Option<OrganisationRecord>,
}

fn covers(link: &MembershipLinkRecord, on: Date) -> bool {
    link.started_on <= on && link.ended_on.is_none_or(|e| e >= on)
}

fn employment(link: &MembershipLinkRecord) -> AppResult<Employment> {
    Employment::new(link.started_on, link.ended_on).map_err(|e| AppError::Internal(format!("link {}: {e}", link.id)))
}

impl App {
    /// A member's standing report on `on` from their own terms only.
    async fn own_report(&self, member_id: i64, on: Date) -> AppResult<Option<StandingReport>> {
        let facts = self.store.member_terms(member_id).await?.iter().map(term_fact).collect::<AppResult<Vec<_>>>()?;
        standing_on(&self.policy()?, &facts, on).map_err(|e| AppError::Internal(format!("standing: {e}")))
    }

    /// A member's (standing code, expiry) on `on`: the payer's while a link covers the
    /// date, otherwise their own.
    pub async fn standing_of(&self, member_id: i64, on: Date) -> AppResult<(Standing, Option<Date>)> {
        let own = self.own_report(member_id, on).await?;
        let links = self.store.member_links(member_id).await?;
        let link = links.iter().filter(|l| l.member_id == member_id && covers(l, on)).max_by_key(|l| l.started_on);
        let report = match link {
            Some(link) => match self.own_report(link.payer_id, on).await? {
                Some(payer) => Some(linked_standing(&payer, &employment(link)?, own)),
                None => own,
            },
            None => own,
        };
        let found = match report {
            Some(r) => (r.standing, r.expiry.map(|e| e.expires_on)),
            None => (Standing::Applied, None),
        };
        // A member of a tier without expiry (life membership) stays a member once paid up.
        let never_expires = match self.store.member_by_id(member_id).await? {
            Some(member) => self.tier_by_id(member.tier_id).await?.is_some_and(|t| t.never_expires),
            None => false,
        };
        Ok(super::standing_in_tier(never_expires, found))
    }

    /// After a member's own terms changed (a payment, a refund): if someone pays for them
    /// their stored standing stays the payer's, and the people they pay for follow them.
    pub(crate) async fn refresh_linked(&self, member_id: i64) -> AppResult<()> {
        let today = self.clock.today();
        for link in self.store.member_links(member_id).await? {
            if covers(&link, today) {
                let (standing, expires) = self.standing_of(link.member_id, today).await?;
                self.store.set_member_standing(link.member_id, standing, expires, today).await?;
            }
        }
        Ok(())
    }

    /// A member's links, for staff.
    pub async fn member_links(&self, actor: &Actor, member_id: i64) -> AppResult<MemberLinks> {
        actor.require(Permission::StaffArea)?;
        let today = self.clock.today();
        let mut out = MemberLinks {
            paid_by: None,
            pays_for: Vec::new(),
            past: Vec::new(),
            organisation: self.store.organisation(member_id).await?,
        };
        for link in self.store.member_links(member_id).await? {
            let other_id = if link.member_id == member_id { link.payer_id } else { link.member_id };
            let Some(other) = self.store.member_by_id(other_id).await? else { continue };
            let view =
                LinkView { id: link.id, kind: link.kind, other, started_on: link.started_on, ended_on: link.ended_on };
            if !covers(&link, today) {
                out.past.push(view);
            } else if link.member_id == member_id {
                out.paid_by = Some(view);
            } else {
                out.pays_for.push(view);
            }
        }
        Ok(out)
    }

    /// Staff make a member record an organisation's membership (or change its name and
    /// seats). Seats cannot drop below the employees named today.
    pub async fn set_organisation(
        &self,
        actor: &Actor,
        payer_id: i64,
        name: &str,
        seats: &str,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let payer =
            self.store.member_by_id(payer_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let mut errors = crate::error::FieldErrors::default();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || guildhall_domain::identity::unsafe_text(name).is_some() {
            errors.add("organisation_name", "Enter the organisation's name (at most 200 characters).");
        }
        let seats = match seats.trim().parse::<u16>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                errors.add("seats", "Seats is a whole number from 1 to 10000.");
                None
            }
        };
        errors.into_result()?;
        let seats = seats.unwrap_or(1);
        let today = self.clock.today();
        let employees = self.employments(payer_id).await?;
        check_seats(seats, &employees, today).map_err(|e| AppError::invalid_field("seats", format!("{e}.")))?;
        let before = self.store.organisation(payer_id).await?;
        let mut audit = self.audit_entry(actor, "organisation.saved", "member", request_id);
        audit.subject_id = Some(payer.id);
        audit.subject_label = format!("{} {} ({})", payer.first_name, payer.last_name, payer.member_number);
        audit.before_json = before.map(|o| json!({ "name": o.name, "seats": o.seats }).to_string());
        audit.after_json = Some(json!({ "name": name, "seats": seats }).to_string());
        Ok(self.store.save_organisation(payer_id, name, i64::from(seats), &audit, self.clock.unix()).await?)
    }

    /// The current and past employments named on an organisation's membership.
    async fn employments(&self, payer_id: i64) -> AppResult<Vec<Employment>> {
        self.store
            .member_links(payer_id)
            .await?
            .iter()
            .filter(|l| l.payer_id == payer_id && l.kind == LinkKind::Employee)
            .map(employment)
            .collect()
    }

    /// Staff link the member with `member_number` to `payer_id` as a household member or
    /// a named employee, from today: their standing becomes the payer's.
    pub async fn link_member(
        &self,
        actor: &Actor,
        payer_id: i64,
        kind: &str,
        member_number: &str,
        request_id: &str,
    ) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let payer =
            self.store.member_by_id(payer_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let kind = LinkKind::from_code(kind)
            .ok_or_else(|| AppError::invalid_field("kind", "Choose household member or named employee."))?;
        let number = member_number.trim();
        let person = match self.store.member_id_by_number(number).await? {
            Some(id) => self.store.member_by_id(id).await?,
            None => None,
        }
        .ok_or_else(|| AppError::invalid_field("member_number", format!("No member has the number {number:?}.")))?;
        let today = self.clock.today();
        if person.id == payer.id {
            return Err(AppError::invalid_field("member_number", "A member cannot pay for themself."));
        }
        let payer_links = self.store.member_links(payer.id).await?;
        if payer_links.iter().any(|l| l.member_id == payer.id && covers(l, today)) {
            return Err(AppError::invalid_field(
                "member_number",
                "This member's own membership is paid by someone else, so they cannot pay for others.",
            ));
        }
        let person_links = self.store.member_links(person.id).await?;
        if person_links.iter().any(|l| covers(l, today)) {
            return Err(AppError::invalid_field(
                "member_number",
                format!(
                    "{} {} is already in a household or organisational membership; end that link first.",
                    person.first_name, person.last_name
                ),
            ));
        }
        if kind == LinkKind::Household {
            let max = crate::membership::household_policy(&self.settings.membership)?.max_additional_people;
            let household = payer_links
                .iter()
                .filter(|l| l.payer_id == payer.id && l.kind == LinkKind::Household && covers(l, today))
                .count();
            if household >= usize::from(max) {
                return Err(AppError::invalid_field(
                    "member_number",
                    format!(
                        "This household already has {household} people besides the payer; the society allows at most {max}."
                    ),
                ));
            }
        }
        if kind == LinkKind::Employee {
            let organisation = self.store.organisation(payer.id).await?.ok_or_else(|| {
                AppError::invalid_field(
                    "kind",
                    "Set up this member's organisational membership (name and seats) first.",
                )
            })?;
            let mut employees = self.employments(payer.id).await?;
            employees.push(Employment::new(today, None).map_err(|e| AppError::Internal(e.to_string()))?);
            let seats = u16::try_from(organisation.seats).unwrap_or(u16::MAX);
            check_seats(seats, &employees, today)
                .map_err(|e| AppError::invalid_field("member_number", format!("{e}.")))?;
        }
        let payer_report = self.own_report(payer.id, today).await?;
        let own = self.own_report(person.id, today).await?;
        let link = Employment::new(today, None).map_err(|e| AppError::Internal(e.to_string()))?;
        let (standing, expires) = match payer_report {
            Some(p) => {
                let r = linked_standing(&p, &link, own);
                (r.standing, r.expiry.map(|e| e.expires_on))
            }
            None => return Err(AppError::invalid("The paying member has no membership terms yet.")),
        };
        let mut audit = self.audit_entry(actor, "member.linked", "member", request_id);
        audit.subject_label = format!("{} {} ({})", person.first_name, person.last_name, person.member_number);
        audit.chapter_id = person.home_chapter_id;
        audit.before_json = Some(json!({ "standing": person.standing, "expires_on": person.expires_on }).to_string());
        audit.after_json = Some(
            json!({ "standing": standing, "expires_on": expires, "kind": kind, "paid_by": payer.member_number })
                .to_string(),
        );
        self.store
            .add_link((person.id, payer.id, kind, today), (standing, expires, today), &audit, self.clock.unix())
            .await?;
        Ok(())
    }

    /// Staff end a current link (seen from either member's page): from today the person
    /// covered has their own standing again.
    pub async fn unlink_member(&self, actor: &Actor, member_id: i64, link_id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let today = self.clock.today();
        let link = self
            .store
            .link_by_id(link_id)
            .await?
            .filter(|l| (l.member_id == member_id || l.payer_id == member_id) && l.ended_on.is_none())
            .ok_or_else(|| AppError::NotFound("This member has no such current link.".into()))?;
        let person = self
            .store
            .member_by_id(link.member_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let ended_on = today - Duration::days(1);
        let own = self.own_report(person.id, today).await?;
        let (standing, expires) = match self.own_report(link.payer_id, today).await? {
            Some(payer) => {
                let ended = Employment::new(link.started_on, Some(ended_on.max(link.started_on)))
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let r = if ended_on < link.started_on {
                    own.unwrap_or(StandingReport {
                        on: today,
                        standing: guildhall_domain::membership::Standing::Cancelled,
                        expiry: None,
                    })
                } else {
                    linked_standing(&payer, &ended, own)
                };
                (r.standing, r.expiry.map(|e| e.expires_on))
            }
            None => (Standing::Cancelled, None),
        };
        let mut audit = self.audit_entry(actor, "member.unlinked", "member", request_id);
        audit.subject_id = Some(person.id);
        audit.subject_label = format!("{} {} ({})", person.first_name, person.last_name, person.member_number);
        audit.chapter_id = person.home_chapter_id;
        audit.before_json = Some(
            json!({ "standing": person.standing, "expires_on": person.expires_on, "kind": link.kind }).to_string(),
        );
        audit.after_json = Some(json!({ "standing": standing, "expires_on": expires }).to_string());
        self.store.end_link(link.id, ended_on, (standing, expires, today), &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::NotFound => AppError::NotFound("This link has already ended.".into()),
            other => other.into(),
        })
    }
}
