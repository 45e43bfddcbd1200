//! What each kind of credential says, and storing it: each gets a fresh id, a position
//! drawn at random in its status list, and its VC-JWT; the database keeps one credential
//! per member, kind and source (a registration, a term, a designation), so issuing twice,
//! or from two nodes at once, stores one.

use guildhall_credentials::credential::{CredentialDraft, urn_uuid};
use guildhall_credentials::status::MIN_BITS;
use guildhall_credentials::{Achievement, Evidence, Issuer, StatusEntry, Subject, SubjectIdentity, jwt};
use guildhall_domain::credentials::{CredentialKind, CredentialStatus};
use guildhall_domain::membership::Standing;
use guildhall_store::{CredentialRecord, NewAuditEntry, NewCredential};
use time::OffsetDateTime;

use super::keys::random_bytes;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// How many times a credential is drawn a new status position when the one drawn is
/// taken (the list is kept at least eight times as long as the credentials issued, so
/// each draw succeeds seven times in eight).
const POSITION_DRAWS: usize = 8;

/// A status list's length: at least the specification's minimum, and at least eight
/// times the credentials issued, in powers of two, so that a position says nothing about
/// when it was drawn and a fresh draw rarely meets a taken one.
pub fn status_list_length(issued_bound: i64) -> usize {
    let wanted = usize::try_from(issued_bound.max(0)).unwrap_or(usize::MAX / 16).saturating_add(1).saturating_mul(8);
    wanted.next_power_of_two().max(MIN_BITS)
}

/// A credential to issue, before its holder is read and it is signed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub member_id: i64,
    pub kind: CredentialKind,
    pub source: String,
    pub achievement: Achievement,
    pub credits_earned: Option<f64>,
    pub activity_start: Option<OffsetDateTime>,
    pub activity_end: Option<OffsetDateTime>,
    pub role: Option<String>,
    pub term: Option<String>,
    pub evidence: Vec<Evidence>,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
}

/// A designation or award staff give a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardRequest {
    pub member_id: i64,
    /// "Fellow", "Life Member", "Chapter President".
    pub name: String,
    pub description: String,
    /// What it took.
    pub criteria: String,
    /// An office held, for an officer's or committee member's term.
    pub role: String,
    /// The period ("2025–2026"); blank for a lifetime designation.
    pub term: String,
    /// The last day it is valid; `None` for no end.
    pub valid_until: Option<time::Date>,
}

/// Attendance of an event whose credit was released, for one member.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseCredential {
    pub member_id: i64,
    pub registration_id: i64,
    pub event_id: i64,
    pub title: String,
    pub description: String,
    pub pdh_available: f64,
    pub pdh_earned: f64,
    pub topics: Vec<String>,
    pub provider: String,
    pub approvals: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub certificate_code: String,
}

/// A name as a URL path segment ("Life Member" → "life-member").
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn at_midnight(day: time::Date) -> OffsetDateTime {
    day.midnight().assume_utc()
}

impl App {
    /// Signs and stores credentials; those already issued for their source are returned
    /// as stored before. One audit entry covers the batch when given.
    pub(crate) async fn issue(
        &self,
        requests: Vec<Issue>,
        issued_by: Option<i64>,
        audit: Option<NewAuditEntry>,
    ) -> AppResult<Vec<CredentialRecord>> {
        let issuing = self.issuing().await?;
        let society = self.branding().await.name;
        let issuer = Issuer { did: issuing.did.clone(), name: society, url: self.link("/") };
        let now = self.clock.now();
        let mut pending: Vec<(Issue, guildhall_store::CredentialHolder)> = Vec::with_capacity(requests.len());
        for request in requests {
            let holder = self.store.credential_holder(request.member_id).await?;
            pending.push((request, holder));
        }
        let mut issued = Vec::new();
        for _ in 0..POSITION_DRAWS {
            if pending.is_empty() {
                break;
            }
            let length = status_list_length(self.store.credentials_issued_bound().await? + pending.len() as i64);
            let mut batch = Vec::with_capacity(pending.len());
            for (request, holder) in &pending {
                let index = u32::from_le_bytes(random_bytes::<4>()?) % u32::try_from(length).unwrap_or(u32::MAX);
                let draft = CredentialDraft {
                    id: urn_uuid(random_bytes::<16>()?),
                    issuer: issuer.clone(),
                    achievement: request.achievement.clone(),
                    subject: Subject {
                        name: format!("{} {}", holder.first_name, holder.last_name),
                        identity: match &holder.subject_did {
                            Some(did) => SubjectIdentity::Did(did.clone()),
                            None => SubjectIdentity::HashedEmail {
                                email: holder.email.clone(),
                                salt: hex(&random_bytes::<16>()?),
                            },
                        },
                        credits_earned: request.credits_earned,
                        activity_start: request.activity_start,
                        activity_end: request.activity_end,
                        role: request.role.clone(),
                        term: request.term.clone(),
                    },
                    evidence: request.evidence.clone(),
                    awarded: now,
                    valid_from: request.valid_from,
                    valid_until: request.valid_until,
                    status: StatusEntry {
                        list_url: self.status_list_url(request.kind.status_purpose()),
                        index,
                        purpose: request.kind.status_purpose(),
                    },
                };
                let document = draft.to_json();
                let token = jwt::sign(&document, &issuing.did, &issuing.current)
                    .map_err(|e| AppError::Internal(format!("signing a credential: {e}")))?;
                batch.push(NewCredential {
                    uuid: draft.id.clone(),
                    member_id: request.member_id,
                    kind: request.kind,
                    source: request.source.clone(),
                    name: request.achievement.name.clone(),
                    document: document.to_string(),
                    jwt: token,
                    // The Data Integrity form is made when it is first asked for
                    // (`App::credential_json_ld`): it costs milliseconds of JSON-LD work.
                    integrity: None,
                    key_fragment: issuing.current.fragment.clone(),
                    status_purpose: request.kind.status_purpose(),
                    status_index: i64::from(index),
                    valid_from: draft.valid_from.unix_timestamp(),
                    valid_until: draft.valid_until.map(OffsetDateTime::unix_timestamp),
                    issued_at: now.unix_timestamp(),
                    issued_by,
                });
            }
            let stored = self.store.insert_credentials(&batch, audit.as_ref()).await?;
            let mut again = Vec::new();
            for ((request, holder), row) in pending.into_iter().zip(stored) {
                match row {
                    Some(row) => issued.push(row),
                    None => {
                        match self.store.credential_by_source(request.member_id, request.kind, &request.source).await? {
                            Some(existing) => issued.push(existing),
                            // Its status position was taken: draw again.
                            None => again.push((request, holder)),
                        }
                    }
                }
            }
            pending = again;
        }
        if !pending.is_empty() {
            return Err(AppError::Internal("no free status position after several draws".into()));
        }
        Ok(issued)
    }

    /// Staff give a member a designation or award (Fellow, Life Member, an officer's
    /// term) as a credential. The same designation for the same term is given once.
    pub async fn issue_award(
        &self,
        actor: &Actor,
        award: &AwardRequest,
        request_id: &str,
    ) -> AppResult<CredentialRecord> {
        self.issue_awards(actor, std::slice::from_ref(award), request_id)
            .await?
            .pop()
            .ok_or_else(|| AppError::Internal("issuing stored nothing".into()))
    }

    /// Staff give designations to many members at once (the class of new Fellows), in one
    /// transaction with one audit entry; each is checked as [`App::issue_award`] checks one.
    pub async fn issue_awards(
        &self,
        actor: &Actor,
        awards: &[AwardRequest],
        request_id: &str,
    ) -> AppResult<Vec<CredentialRecord>> {
        actor.require(Permission::IssueCredentials)?;
        let mut requests = Vec::with_capacity(awards.len());
        for award in awards {
            requests.push(self.award_issue(award).await?);
        }
        let names: std::collections::BTreeSet<&str> = awards.iter().map(|a| a.name.trim()).collect();
        let names = names.into_iter().collect::<Vec<_>>().join(", ");
        let mut audit = self.audit_entry(actor, "credential.issued", "credential", request_id);
        audit.after_json = Some(
            serde_json::json!({
                "members": awards.iter().map(|a| a.member_id).collect::<Vec<_>>(),
                "name": names,
                "term": awards.first().map(|a| a.term.clone()).unwrap_or_default(),
            })
            .to_string(),
        );
        audit.subject_label = names;
        self.issue(requests, Some(actor.user_id), Some(audit)).await
    }

    /// One designation checked and described, ready to issue.
    async fn award_issue(&self, award: &AwardRequest) -> AppResult<Issue> {
        let mut fields = std::collections::BTreeMap::new();
        let name = award.name.trim();
        if name.is_empty() {
            fields.insert("name".to_string(), "Name the designation or award.".to_string());
        } else if name.chars().count() > 120 {
            fields.insert("name".to_string(), "Keep the name under 120 characters.".to_string());
        }
        if award.description.trim().is_empty() {
            fields.insert("description".to_string(), "Say what it recognises: a verifier reads this.".to_string());
        }
        if award.description.chars().count() > 2_000 || award.criteria.chars().count() > 2_000 {
            fields.insert(
                "description".to_string(),
                "Keep the description and criteria under 2,000 characters.".to_string(),
            );
        }
        let today = self.clock.today();
        if award.valid_until.is_some_and(|d| d <= today) {
            fields.insert("valid_until".to_string(), "The last valid day must be after today.".to_string());
        }
        if !fields.is_empty() {
            return Err(AppError::Validation { message: "Please correct the highlighted fields.".into(), fields });
        }
        self.store
            .credential_holder(award.member_id)
            .await
            .map_err(|_| AppError::invalid_field("member_id", "There is no member with that id."))?;
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let society = self.branding().await.name;
        let criteria = optional(&award.criteria).unwrap_or_else(|| format!("Conferred by {society}."));
        let request = Issue {
            member_id: award.member_id,
            kind: CredentialKind::Award,
            source: format!("award:{}:{}", slug(name), slug(&award.term)),
            achievement: Achievement {
                id: self.link(&format!("/achievements/award/{}", slug(name))),
                kind: CredentialKind::Award,
                name: name.to_string(),
                description: award.description.trim().to_string(),
                criteria,
                credits_available: None,
                tags: Vec::new(),
                image_url: Some(self.link("/credentials/badges/award.svg")),
            },
            credits_earned: None,
            activity_start: None,
            activity_end: None,
            role: optional(&award.role),
            term: optional(&award.term),
            evidence: Vec::new(),
            valid_from: self.clock.now(),
            valid_until: award.valid_until.map(|d| at_midnight(d.next_day().unwrap_or(d))),
        };
        Ok(request)
    }

    /// The membership credential of the member's current paid term, issued now if it was
    /// not before. `None` when no paid term covers today.
    pub(crate) async fn membership_credential(&self, member_id: i64) -> AppResult<Option<CredentialRecord>> {
        let today = self.clock.today();
        let Some(term) = self.store.covering_term(member_id, today).await? else { return Ok(None) };
        let society = self.branding().await.name;
        let format = time::macros::format_description!("[month repr:long] [day padding:none], [year]");
        let (from, to) =
            (term.starts_on.format(&format).unwrap_or_default(), term.ends_on.format(&format).unwrap_or_default());
        let request = Issue {
            member_id,
            kind: CredentialKind::Membership,
            source: format!("term:{}", term.term_id),
            achievement: Achievement {
                id: self.link(&format!("/achievements/membership/{}", slug(&term.tier_name))),
                kind: CredentialKind::Membership,
                name: format!("{} — {society}", term.tier_name),
                description: format!("Membership of {society} in good standing, as a {}.", term.tier_name),
                criteria: "Dues paid for the term, and the membership not lapsed, suspended or cancelled.".into(),
                credits_available: None,
                tags: vec!["membership".into()],
                image_url: Some(self.link("/credentials/badges/membership.svg")),
            },
            credits_earned: None,
            activity_start: None,
            activity_end: None,
            role: None,
            term: Some(format!("{from} – {to}")),
            evidence: Vec::new(),
            valid_from: at_midnight(term.starts_on),
            valid_until: Some(at_midnight(term.ends_on.next_day().unwrap_or(term.ends_on))),
        };
        Ok(self.issue(vec![request], None, None).await?.pop())
    }

    /// A member asks for the credential of their current membership.
    pub async fn request_membership_credential(&self, actor: &Actor) -> AppResult<CredentialRecord> {
        actor.require(Permission::OwnAccount)?;
        let member = self
            .store
            .member_by_user(actor.user_id)
            .await?
            .ok_or_else(|| AppError::invalid("Only members hold membership credentials."))?;
        if !matches!(member.standing, Standing::Active | Standing::RenewalDue | Standing::Grace) {
            return Err(AppError::invalid("A membership credential is issued to a member in good standing."));
        }
        self.membership_credential(member.id)
            .await?
            .ok_or_else(|| AppError::invalid("No paid membership term covers today."))
    }

    /// The standing refresh's part: a member no longer in good standing has their
    /// membership credentials suspended; one in good standing again has those the refresh
    /// suspended restored, and holds a credential for the current term.
    pub(crate) async fn follow_standing(&self, member_id: i64) -> AppResult<()> {
        let now = self.clock.unix();
        let states = self.store.membership_credential_states(member_id).await?;
        let good = |s: Standing| matches!(s, Standing::Active | Standing::RenewalDue | Standing::Grace);
        let mut changed = false;
        for state in &states {
            let (to, reason) = match (state.status, good(state.standing)) {
                (CredentialStatus::Active, false) => (CredentialStatus::Suspended, "The membership has lapsed."),
                (CredentialStatus::Suspended, true) if state.status_automatic => (CredentialStatus::Active, ""),
                _ => continue,
            };
            let audit = NewAuditEntry {
                occurred_at: now,
                actor_label: "Daily standing refresh".into(),
                action: format!("credential.{}", to.code()),
                subject_kind: "credential".into(),
                subject_id: Some(state.credential_id),
                subject_label: "Membership credential".into(),
                after_json: Some(serde_json::json!({ "status": to.code(), "reason": reason }).to_string()),
                ..Default::default()
            };
            // Staff may have acted a moment before: then there is nothing to do.
            match self
                .store
                .set_credential_status(state.credential_id, state.status, to, reason, true, now, &audit)
                .await
            {
                Ok(_) | Err(guildhall_store::StoreError::NotFound) => changed = true,
                Err(e) => return Err(e.into()),
            }
        }
        if changed {
            self.forget_status_lists().await;
        }
        if let Some(standing) = states.first().map(|s| s.standing) {
            if good(standing) {
                self.membership_credential(member_id).await?;
            }
        } else if self.store.member_standing(member_id).await?.is_some_and(good) {
            self.membership_credential(member_id).await?;
        }
        Ok(())
    }

    /// Issues the attendance credentials of a release of credit (one per registration).
    pub(crate) async fn issue_course_credentials(
        &self,
        actor: &Actor,
        courses: Vec<CourseCredential>,
        request_id: &str,
    ) -> AppResult<usize> {
        if courses.is_empty() {
            return Ok(0);
        }
        let requests: Vec<Issue> = courses
            .into_iter()
            .map(|c| {
                let mut criteria =
                    "Attend the event; credit is given for the time attended, as recorded by the society.".to_string();
                if !c.provider.is_empty() {
                    criteria.push_str(&format!(" Provider: {}.", c.provider));
                }
                if !c.approvals.is_empty() {
                    criteria.push_str(&format!(" Approved by {}.", c.approvals));
                }
                let mut tags = vec!["PDH".to_string()];
                tags.extend(c.topics);
                Issue {
                    member_id: c.member_id,
                    kind: CredentialKind::Course,
                    source: format!("registration:{}", c.registration_id),
                    achievement: Achievement {
                        id: self.link(&format!("/events/{}", c.event_id)),
                        kind: CredentialKind::Course,
                        name: c.title,
                        description: if c.description.trim().is_empty() {
                            "A continuing-education event for engineers, with professional development hours (PDH)."
                                .into()
                        } else {
                            c.description.chars().take(1_000).collect()
                        },
                        criteria,
                        credits_available: Some(c.pdh_available),
                        tags,
                        image_url: Some(self.link("/credentials/badges/course.svg")),
                    },
                    credits_earned: Some(c.pdh_earned),
                    activity_start: Some(c.starts_at),
                    activity_end: Some(c.ends_at),
                    role: None,
                    term: None,
                    evidence: vec![Evidence {
                        name: "Certificate of attendance".into(),
                        narrative: format!(
                            "Attendance recorded by the society; certificate {} at {}.",
                            c.certificate_code,
                            self.link(&format!("/certificates/{}", c.certificate_code))
                        ),
                    }],
                    valid_from: self.clock.now(),
                    valid_until: None,
                }
            })
            .collect();
        let mut audit = self.audit_entry(actor, "credential.issued_for_event", "credential", request_id);
        audit.after_json = Some(serde_json::json!({ "credentials": requests.len() }).to_string());
        Ok(self.issue(requests, Some(actor.user_id), Some(audit)).await?.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lists_are_at_least_the_minimum_and_eight_times_what_was_issued() {
        let cases = [(0, 131_072), (1, 131_072), (16_383, 131_072), (16_384, 262_144), (100_000, 1_048_576)];
        for (issued, length) in cases {
            assert_eq!(status_list_length(issued), length, "{issued} issued");
        }
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert_eq!(slug("Life Member"), "life-member");
        assert_eq!(slug("  Fellow (FSPE) "), "fellow-fspe");
        assert_eq!(slug("2025–2026"), "2025-2026");
        assert_eq!(slug(""), "");
    }
}

/// A completed CE period a member may have certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompliantPeriod {
    /// The licence or certification's key on the CE page.
    pub key: String,
    pub index: usize,
    /// "Florida PE licence, 2023-03-01 – 2025-02-28: 30 of 30 PDH".
    pub label: String,
    /// Issued already.
    pub issued: bool,
}

impl App {
    /// The member's CE periods the engine finds compliant, for the wallet to offer.
    pub async fn compliant_periods(&self, actor: &Actor) -> AppResult<Vec<CompliantPeriod>> {
        actor.require(Permission::OwnAccount)?;
        let Some(member) = self.store.member_by_user(actor.user_id).await? else { return Ok(Vec::new()) };
        let dashboard = self.ce_dashboard(actor, None).await?;
        let mut periods = Vec::new();
        for credential in &dashboard.credentials {
            for period in credential.periods.iter().filter(|p| p.status == guildhall_ce::Status::Compliant.as_str()) {
                let total = period.bars.first();
                let figures = match total.and_then(|b| b.required.clone().map(|r| (b.credited.clone(), r))) {
                    Some((credited, required)) => format!(": {credited} of {required} {}", credential.unit),
                    None => String::new(),
                };
                let source = format!("compliance:{}:{}", credential.key, period.start);
                let issued =
                    self.store.credential_by_source(member.id, CredentialKind::Compliance, &source).await?.is_some();
                periods.push(CompliantPeriod {
                    key: credential.key.clone(),
                    index: period.index,
                    label: format!("{}, {} – {}{figures}", credential.title, period.start, period.end),
                    issued,
                });
            }
        }
        Ok(periods)
    }

    /// A member asks for their CE record of one licence period as a credential, once the
    /// engine says the period's requirements are met ("30 of 30 PDH for a Florida PE
    /// licence, 2023–2025").
    pub async fn request_compliance_credential(
        &self,
        actor: &Actor,
        key: &str,
        index: usize,
        request_id: &str,
    ) -> AppResult<CredentialRecord> {
        actor.require(Permission::OwnAccount)?;
        let member = self
            .store
            .member_by_user(actor.user_id)
            .await?
            .ok_or_else(|| AppError::invalid("Only members hold CE credentials."))?;
        let dashboard = self.ce_dashboard(actor, None).await?;
        let credential = dashboard
            .credentials
            .iter()
            .find(|c| c.key == key)
            .ok_or_else(|| AppError::NotFound("That licence or certification is not on your record.".into()))?;
        let period = credential
            .periods
            .iter()
            .find(|p| p.index == index)
            .ok_or_else(|| AppError::NotFound("That period is not on your record.".into()))?;
        if period.status != guildhall_ce::Status::Compliant.as_str() {
            return Err(AppError::invalid(format!(
                "The period {} – {} is not complete: {}.",
                period.start,
                period.end,
                period.status_words.to_lowercase()
            )));
        }
        let number = |text: &str| text.split_whitespace().next().and_then(|n| n.replace(',', "").parse::<f64>().ok());
        let total = period.bars.first();
        let earned = total.and_then(|b| number(&b.credited));
        let required = total.and_then(|b| b.required.as_deref().and_then(number));
        let figures = match (total, &total.and_then(|b| b.required.clone())) {
            (Some(b), Some(r)) => format!("{} of {r} {}", b.credited, credential.unit),
            (Some(b), None) => format!("{} {}", b.credited, credential.unit),
            _ => String::new(),
        };
        let society = self.branding().await.name;
        let request = Issue {
            member_id: member.id,
            kind: CredentialKind::Compliance,
            source: format!("compliance:{}:{}", credential.key, period.start),
            achievement: Achievement {
                id: self.link(&format!("/achievements/compliance/{}", slug(&credential.ruleset))),
                kind: CredentialKind::Compliance,
                name: format!("Continuing education completed: {}", credential.title),
                description: format!(
                    "{figures} for {}, {} – {}: every requirement met, as {society}'s record of the member's \
                     continuing education shows.",
                    credential.held, period.start, period.end
                ),
                criteria: format!(
                    "The continuing-education requirements of the rules for {} for the period, checked by {society}'s \
                     CE engine against the member's recorded activities.",
                    credential.title
                ),
                credits_available: required,
                tags: vec!["PDH".into(), "continuing education".into()],
                image_url: Some(self.link("/credentials/badges/compliance.svg")),
            },
            credits_earned: earned,
            activity_start: None,
            activity_end: None,
            role: None,
            term: Some(format!("{} – {}", period.start, period.end)),
            evidence: vec![Evidence {
                name: "CE record".into(),
                narrative: format!("{figures}; requirements met on the member's record kept by {society}."),
            }],
            valid_from: self.clock.now(),
            valid_until: None,
        };
        let mut audit = self.audit_entry(actor, "credential.issued", "credential", request_id);
        audit.subject_label = request.achievement.name.clone();
        self.issue(vec![request], None, Some(audit))
            .await?
            .pop()
            .ok_or_else(|| AppError::Internal("issuing stored nothing".into()))
    }
}
