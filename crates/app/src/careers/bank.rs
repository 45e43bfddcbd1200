//! The resume bank. Members opt in with a resume — one they upload (a PDF) or the one built
//! from their record — and the facts employers search by, confidential (employers see no
//! name, address, number, employer or city) or named; they opt out by deleting the entry.
//! Their resume is also theirs to take as JSON Resume and as a PDF.
//!
//! Employers buy access (a posting product of kind `resume_bank`, ordered, invoiced, paid and
//! started as a job's run is, by `orders.rs`: paid, or nothing to pay), search the bank, download
//! named entries' resumes, and invite a member to apply to one of their live jobs (at most 50
//! a day); the member accepts — and applies, which is how their identity reaches the employer
//! — or declines, which the employer sees without a name.

use guildhall_domain::careers::json_resume::{JsonResume, Profile};
use guildhall_domain::careers::salary::Region;
use guildhall_domain::careers::{BankFacts, BankInput, INVITATION_DAYS, InvitationStatus, ProductKind};
use guildhall_domain::csv::members::{Discipline, parse_career_stage};
use guildhall_domain::member::LicenceKind;
use guildhall_store::{
    BankCandidate, BankEntryRecord, BankSearch, EmployerInvitationRecord, InvitationOutcome, MemberInvitationRecord,
    MemberRecord, NamedCandidate, NewBankEntry, NewMail, NewResume, OrderOf, Page, PageRequest, PostingProductRecord,
    ProductOrderRecord, ResumeListRecord, StoreError,
};
use pdf_writer::Content;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::pdf::text;
use crate::uploads::{Document, Upload, clean_file_name, sniff};
use crate::{Actor, App, Permission};

use super::MAX_RESUME_BYTES;

/// Entries a page of the bank lists.
pub const CANDIDATES_A_PAGE: u32 = 20;

/// The member's resume bank page: their entry, resumes, and invitations.
#[derive(Debug, Clone)]
pub struct ResumeBankView {
    pub entry: Option<BankEntryRecord>,
    pub resumes: Vec<ResumeListRecord>,
    pub invitations: Vec<MemberInvitationRecord>,
    /// The member's own record as the form's defaults (discipline, stage).
    pub default_discipline: String,
    pub default_stage: String,
}

/// What a member sends to opt in or change their entry.
#[derive(Debug, Clone, Default)]
pub struct BankEntryForm {
    pub facts: BankInput,
    /// `profile`, or the id of one of their uploaded resumes; a new upload wins.
    pub resume: String,
}

/// An entry as an employer sees it: a [`BankCandidate`] with its current licences in words,
/// and the member's name only when they chose a named entry.
#[derive(Debug, Clone)]
pub struct CandidateView {
    pub candidate: BankCandidate,
    pub licences: Vec<String>,
    pub named: Option<NamedCandidate>,
}

/// The employer's view of the bank.
#[derive(Debug, Clone)]
pub struct BankView {
    pub employer_id: i64,
    pub employer_name: String,
    pub access_until: Option<i64>,
    pub candidates: Page<CandidateView>,
    /// The employer's live jobs (id, title), to invite to.
    pub jobs: Vec<(i64, String)>,
    pub invitations: Vec<EmployerInvitationRecord>,
}

/// Buying access: what is on sale at this employer's price, the orders so far, and until
/// when access runs.
#[derive(Debug, Clone)]
pub struct BankAccessView {
    pub employer_id: i64,
    pub employer_name: String,
    pub products: Vec<(PostingProductRecord, i64)>,
    pub member_price: bool,
    pub orders: Vec<ProductOrderRecord>,
    pub access_until: Option<i64>,
}

/// Who reads an employer's bank, and how they came in.
struct BankReader {
    /// With the employers they recruit for.
    actor: Actor,
    employer_id: i64,
    employer_name: String,
    access_until: Option<i64>,
    /// Staff reading it by their role, not as a recruiter of the employer with paid access:
    /// what they open is audited.
    as_staff: bool,
}

/// The bank's search as asked (each empty for "any").
#[derive(Debug, Clone, Default)]
pub struct BankQuery {
    pub discipline: String,
    pub career_stage: String,
    pub licence: String,
    pub region: String,
}

/// A random public reference ("RB-" and eight letters and digits, no look-alikes).
fn new_public_ref() -> AppResult<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("RB-{}", bytes.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect::<String>()))
}

/// A discipline code in words ("civil" → "Civil").
pub fn discipline_words(d: Discipline) -> String {
    let code = d.as_str();
    let mut chars = code.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A licence kind and jurisdiction in words ("PE licensed in Texas").
fn licence_words(kind: &str, jurisdiction: &str) -> String {
    let place = guildhall_domain::member::Jurisdiction::parse(jurisdiction)
        .map(|j| j.name().to_string())
        .unwrap_or_else(|_| jurisdiction.to_string());
    let kind = LicenceKind::parse(kind).map(|k| k.label().to_string()).unwrap_or_else(|| kind.to_string());
    format!("{kind} licensed in {place}")
}

impl App {
    /// The signed-in person's member record: the bank is for members.
    async fn bank_member(&self, actor: &Actor) -> AppResult<MemberRecord> {
        self.store.member_by_user(actor.user_id).await?.ok_or_else(|| {
            AppError::Forbidden("The resume bank is for members: your account has no membership record.".into())
        })
    }

    /// The member's resume bank page.
    pub async fn resume_bank_page(&self, actor: &Actor) -> AppResult<ResumeBankView> {
        let member = self.bank_member(actor).await?;
        Ok(ResumeBankView {
            entry: self.store.bank_entry(member.id).await?,
            resumes: self.store.member_resumes(member.id).await?,
            invitations: self.store.member_invitations(member.id, self.clock.unix()).await?,
            default_discipline: member.disciplines.split(';').next().unwrap_or("").trim().to_string(),
            default_stage: member.career_stage.clone(),
        })
    }

    /// A member opts in, or changes their entry.
    pub async fn save_bank_entry(&self, actor: &Actor, form: &BankEntryForm, upload: Option<Upload>) -> AppResult<()> {
        let member = self.bank_member(actor).await?;
        let mut errors = FieldErrors::default();
        let facts = match BankFacts::parse(&form.facts) {
            Ok(facts) => Some(facts),
            Err(problems) => {
                for (field, message) in problems {
                    errors.add(field, message);
                }
                None
            }
        };
        let upload = match upload.filter(|u| !u.bytes.is_empty()) {
            None => None,
            Some(u) if u.bytes.len() > MAX_RESUME_BYTES => {
                errors.add("resume_file", "The resume is larger than 5 MB: attach a smaller PDF.");
                None
            }
            Some(u) => match sniff(&u.bytes) {
                Some((content_type @ "application/pdf", ext)) => Some(NewResume {
                    file_name: clean_file_name(&u.file_name, ext),
                    content_type: content_type.into(),
                    content: u.bytes,
                }),
                _ => {
                    errors.add("resume_file", "The resume must be a PDF.");
                    None
                }
            },
        };
        let chosen = match form.resume.trim() {
            _ if upload.is_some() => None,
            "" | "profile" => None,
            id => match id.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("resume", "Choose one of your resumes, or the one built from your record.");
                    None
                }
            },
        };
        errors.into_result()?;
        let Some(facts) = facts else { return Err(AppError::invalid("Check the entry.")) };
        let now = self.clock.unix();
        let resume_id = match upload {
            Some(resume) => Some(self.store.add_resume(member.id, &resume, now).await?),
            None => chosen,
        };
        let public_ref = new_public_ref()?;
        let entry = NewBankEntry {
            member_id: member.id,
            public_ref: &public_ref,
            resume_id,
            confidential: facts.confidential,
            summary: &facts.summary,
            discipline: facts.discipline,
            career_stage: &facts.career_stage,
            years_experience: facts.years_experience,
            region: facts.region,
        };
        match self.store.save_bank_entry(&entry, now).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => {
                Err(AppError::invalid_field("resume", "Choose one of your resumes, or the one built from your record."))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// A member opts out: their entry is deleted.
    pub async fn leave_resume_bank(&self, actor: &Actor) -> AppResult<()> {
        let member = self.bank_member(actor).await?;
        if !self.store.delete_bank_entry(member.id).await? {
            return Err(AppError::NotFound("You are not in the resume bank.".into()));
        }
        Ok(())
    }

    /// What a resume built from a member's record holds.
    async fn profile_of(&self, member: &MemberRecord) -> AppResult<Profile> {
        let entry = self.store.bank_entry(member.id).await?;
        let credentials = self
            .store
            .ce_credentials(member.id)
            .await?
            .into_iter()
            .map(|row| match row.source {
                guildhall_domain::member::CredentialSource::Licence => {
                    let issuer = guildhall_domain::member::Jurisdiction::parse(&row.label)
                        .map(|j| j.name().to_string())
                        .unwrap_or_else(|_| row.label.clone());
                    (
                        licence_words(&row.detail, &row.label),
                        row.issued_on.map(|d| d.to_string()).unwrap_or_default(),
                        issuer,
                    )
                }
                guildhall_domain::member::CredentialSource::Certification => {
                    (row.label.clone(), row.issued_on.map(|d| d.to_string()).unwrap_or_default(), row.detail.clone())
                }
            })
            .collect();
        Ok(Profile {
            name: format!("{} {}", member.first_name, member.last_name),
            email: member.email.clone(),
            phone: member.phone.clone(),
            job_title: member.job_title.clone(),
            employer: member.employer.clone(),
            city: member.city.clone(),
            region: entry.as_ref().map(|e| e.region.label().to_string()).unwrap_or_default(),
            education: member.education.clone(),
            disciplines: member
                .disciplines
                .split(';')
                .filter_map(|d| Discipline::parse(d.trim()))
                .map(discipline_words)
                .collect(),
            summary: entry.map(|e| e.summary).unwrap_or_default(),
            credentials,
        })
    }

    /// The member's resume from their record, as JSON Resume.
    pub async fn my_json_resume(&self, actor: &Actor) -> AppResult<JsonResume> {
        let member = self.bank_member(actor).await?;
        Ok(JsonResume::from_profile(&self.profile_of(&member).await?))
    }

    /// The member's resume from their record, as a PDF.
    pub async fn my_resume_pdf(&self, actor: &Actor) -> AppResult<Document> {
        let member = self.bank_member(actor).await?;
        let profile = self.profile_of(&member).await?;
        Ok(Document { file_name: "resume.pdf".into(), content_type: "application/pdf", bytes: resume_pdf(&profile) })
    }

    // -------------------------------------------------------------- invitations, member side

    /// The member accepts or declines an invitation within its 30 days; the invitation as
    /// answered. Declining tells the employer's recruiters, without the member's name.
    pub async fn answer_bank_invitation(
        &self,
        actor: &Actor,
        id: i64,
        accept: bool,
    ) -> AppResult<MemberInvitationRecord> {
        let member = self.bank_member(actor).await?;
        let now = self.clock.unix();
        let Some(invitation) = self.store.answer_invitation(id, member.id, accept, now).await? else {
            let mine = self.store.member_invitations(member.id, now).await?.into_iter().find(|i| i.id == id);
            return Err(match mine.map(|i| i.status) {
                Some(InvitationStatus::Expired) => AppError::Conflict {
                    message: format!(
                        "This invitation expired: an invitation can be answered for {INVITATION_DAYS} days after it is sent."
                    ),
                    field: None,
                },
                Some(_) => AppError::Conflict { message: "You already answered this invitation.".into(), field: None },
                None => AppError::NotFound("No such invitation.".into()),
            });
        };
        if !accept {
            for recruiter in self.store.recruiters(invitation.employer_id).await? {
                self.store
                    .enqueue_mail(
                        &NewMail {
                            to_address: recruiter.email,
                            subject: format!("Invitation declined: {}", invitation.job_title),
                            body_text: format!(
                                "Dear {},\n\nA candidate from the resume bank declined your invitation to apply for \"{}\".\n\n\
                                 Your invitations: {}\n",
                                recruiter.display_name,
                                invitation.job_title,
                                self.link(&format!("/employer/{}/resume-bank", invitation.employer_id)),
                            ),
                            attachment: None,
                        },
                        now,
                    )
                    .await?;
            }
        }
        Ok(invitation)
    }

    // -------------------------------------------------------------- access, employer side

    /// The employer's recruiters (and staff) only; 404 for anyone else.
    pub(super) async fn bank_employer(&self, actor: &Actor, employer_id: i64) -> AppResult<(Actor, String)> {
        let actor = self.with_employer_roles(actor).await?;
        let account = self.employer_account(&actor, employer_id).await?;
        Ok((actor, account.employer.name))
    }

    /// Buying access to the bank, for the employer's recruiters.
    pub async fn bank_access(&self, actor: &Actor, employer_id: i64) -> AppResult<BankAccessView> {
        let (_, employer_name) = self.bank_employer(actor, employer_id).await?;
        let (products, member_price) = self.priced_products(ProductKind::ResumeBank, employer_id).await?;
        Ok(BankAccessView {
            employer_id,
            employer_name,
            products,
            member_price,
            orders: self.store.product_orders(OrderOf::ResumeBank(employer_id)).await?,
            access_until: self.store.bank_access_until(employer_id, self.clock.unix()).await?,
        })
    }

    /// The employer's recruiters with current access, and staff; anyone else of the
    /// employer is told the bank is a paid product (403).
    async fn bank_with_access(&self, actor: &Actor, employer_id: i64) -> AppResult<BankReader> {
        let (actor, employer_name) = self.bank_employer(actor, employer_id).await?;
        actor.require(Permission::RecruitFor(employer_id))?;
        let access_until = self.store.bank_access_until(employer_id, self.clock.unix()).await?;
        let paying = access_until.is_some() && actor.employers.iter().any(|e| e.employer_id == employer_id);
        if access_until.is_none() && !actor.is_staff() {
            return Err(AppError::Forbidden(
                "The resume bank is a paid product for employers: buy access to search it and invite its members to apply.".into(),
            ));
        }
        Ok(BankReader { as_staff: actor.is_staff() && !paying, actor, employer_id, employer_name, access_until })
    }

    /// Writes what staff opened of an employer's bank to the audit log (nothing for a
    /// paying employer's recruiter): `subject` is the employer (a search) or the member
    /// whose entry was opened.
    async fn audit_bank_reading(
        &self,
        reader: &BankReader,
        action: &str,
        (subject_kind, subject_id, subject_label): (&str, i64, String),
        details: serde_json::Value,
        request_id: &str,
    ) -> AppResult<()> {
        if !reader.as_staff {
            return Ok(());
        }
        let mut audit = self.audit_entry(&reader.actor, action, subject_kind, request_id);
        audit.subject_id = Some(subject_id);
        audit.subject_label = subject_label;
        audit.after_json = Some(details.to_string());
        Ok(self.store.record_audit(&audit).await?)
    }

    /// Staff opened the entry `public_ref` in an employer's bank (`what`: the entry, its
    /// resume): audited against its member.
    async fn audit_entry_opened(
        &self,
        reader: &BankReader,
        public_ref: &str,
        what: &str,
        request_id: &str,
    ) -> AppResult<()> {
        if !reader.as_staff {
            return Ok(());
        }
        let Some(entry) = self.store.bank_entry_by_ref(public_ref).await? else { return Ok(()) };
        let member = self.store.member_by_id(entry.member_id).await?;
        let label = match member {
            Some(m) => format!("{} {} ({public_ref})", m.first_name, m.last_name),
            None => public_ref.to_string(),
        };
        let details = serde_json::json!({ "employer": reader.employer_name, "entry": public_ref, "opened": what });
        let subject = ("member", entry.member_id, label);
        self.audit_bank_reading(reader, "resume_bank.entry_opened", subject, details, request_id).await
    }

    /// The bank's entries as employers read them: each with its current licences in words,
    /// and the name of a named one.
    async fn candidate_views(&self, candidates: Vec<BankCandidate>) -> AppResult<Vec<CandidateView>> {
        let today = self.clock.today();
        let refs: Vec<String> = candidates.iter().map(|c| c.public_ref.clone()).collect();
        let licences = self.store.candidate_licences(&refs, today).await?;
        let named = self.store.named_candidates(&refs).await?;
        Ok(candidates
            .into_iter()
            .map(|candidate| CandidateView {
                licences: licences
                    .iter()
                    .filter(|l| l.public_ref == candidate.public_ref)
                    .map(|l| licence_words(&l.kind, &l.jurisdiction))
                    .collect(),
                named: named.iter().find(|n| n.public_ref == candidate.public_ref && !candidate.confidential).cloned(),
                candidate,
            })
            .collect())
    }

    /// Whether the employer has current access (for its recruiters; the bank page's 403
    /// offers to buy it).
    pub async fn has_bank_access(&self, actor: &Actor, employer_id: i64) -> AppResult<bool> {
        self.bank_employer(actor, employer_id).await?;
        Ok(self.store.bank_access_until(employer_id, self.clock.unix()).await?.is_some())
    }

    /// A page of the bank, searched ([`CANDIDATES_A_PAGE`] a page on the bank's page). Staff
    /// searching it (not as a paying employer's
    /// recruiter) are audited, with the entries the page showed them.
    pub async fn browse_bank(
        &self,
        actor: &Actor,
        employer_id: i64,
        query: &BankQuery,
        page: PageRequest,
        request_id: &str,
    ) -> AppResult<BankView> {
        let reader = self.bank_with_access(actor, employer_id).await?;
        let mut errors = FieldErrors::default();
        let mut search = BankSearch::default();
        if !query.discipline.is_empty() {
            search.discipline = Discipline::parse(&query.discipline);
            if search.discipline.is_none() {
                errors.add("discipline", "Choose a discipline from the list.");
            }
        }
        if !query.career_stage.is_empty() {
            match parse_career_stage(&query.career_stage) {
                Some(stage) => {
                    search.career_stage = Some(guildhall_domain::csv::members::career_stage_code(stage).into())
                }
                None => errors.add("career_stage", "Choose a career stage from the list."),
            }
        }
        if !query.licence.is_empty() {
            match LicenceKind::parse(&query.licence) {
                Some(kind) => search.licence = Some(kind.code().to_string()),
                None => errors.add("licence", "Choose a licence kind from the list."),
            }
        }
        if !query.region.is_empty() {
            search.region = Region::from_code(&query.region);
            if search.region.is_none() {
                errors.add("region", "Choose a region from the list.");
            }
        }
        errors.into_result()?;
        let today = self.clock.today();
        let found = self.store.bank_candidates(&search, today, page).await?;
        let Page { items, total, page, per_page } = found;
        let shown: Vec<String> = items.iter().map(|c| c.public_ref.clone()).collect();
        let items = self.candidate_views(items).await?;
        let details = serde_json::json!({
            "discipline": query.discipline, "career stage": query.career_stage, "licence": query.licence,
            "region": query.region, "page": page, "entries shown": shown,
        });
        let subject = ("employer", reader.employer_id, reader.employer_name.clone());
        self.audit_bank_reading(&reader, "resume_bank.searched", subject, details, request_id).await?;
        let jobs = self
            .store
            .employer_jobs(employer_id)
            .await?
            .into_iter()
            .filter(|j| self.job_state(j).is_live())
            .map(|j| (j.id, j.title))
            .collect();
        Ok(BankView {
            employer_id,
            employer_name: reader.employer_name,
            access_until: reader.access_until,
            candidates: Page { items, total, page, per_page },
            jobs,
            invitations: self.store.employer_invitations(employer_id, self.clock.unix()).await?,
        })
    }

    /// One entry of the bank as a search lists it; staff opening it (not as a paying
    /// employer's recruiter) are audited.
    pub async fn bank_candidate(
        &self,
        actor: &Actor,
        employer_id: i64,
        public_ref: &str,
        request_id: &str,
    ) -> AppResult<CandidateView> {
        let reader = self.bank_with_access(actor, employer_id).await?;
        let not_found = || AppError::NotFound("No such entry in the resume bank.".into());
        let candidate = self.store.bank_candidate(public_ref).await?.ok_or_else(not_found)?;
        let view = self.candidate_views(vec![candidate]).await?.pop().ok_or_else(not_found)?;
        self.audit_entry_opened(&reader, public_ref, "entry", request_id).await?;
        Ok(view)
    }

    /// A named entry's resume (the upload chosen, or the one built from the record); a
    /// confidential entry's is not to be had. Staff opening it (not as a paying employer's
    /// recruiter) are audited.
    pub async fn bank_candidate_resume(
        &self,
        actor: &Actor,
        employer_id: i64,
        public_ref: &str,
        request_id: &str,
    ) -> AppResult<Document> {
        let reader = self.bank_with_access(actor, employer_id).await?;
        let not_found = || AppError::NotFound("No such named entry in the resume bank.".into());
        let entry =
            self.store.bank_entry_by_ref(public_ref).await?.filter(|e| !e.confidential).ok_or_else(not_found)?;
        self.audit_entry_opened(&reader, public_ref, "resume", request_id).await?;
        if let Some(resume) = entry.resume_id
            && let Some(file) = self.store.resume_file(resume).await?
        {
            return Ok(Document { file_name: file.file_name, content_type: "application/pdf", bytes: file.content });
        }
        let member = self.store.member_by_id(entry.member_id).await?.ok_or_else(not_found)?;
        let profile = self.profile_of(&member).await?;
        Ok(Document { file_name: "resume.pdf".into(), content_type: "application/pdf", bytes: resume_pdf(&profile) })
    }

    /// A recruiter invites the member of an entry to apply to one of the employer's live
    /// jobs; the member is emailed.
    pub async fn invite_from_bank(
        &self,
        actor: &Actor,
        employer_id: i64,
        public_ref: &str,
        job_id: &str,
        message: &str,
    ) -> AppResult<()> {
        let BankReader { actor, employer_name, .. } = self.bank_with_access(actor, employer_id).await?;
        let mut errors = FieldErrors::default();
        let job_id = job_id.trim().parse::<i64>().ok();
        if job_id.is_none() {
            errors.add("job", "Choose the job to invite them to.");
        }
        let message = errors.text(message, "message", "the message", 1_000, false);
        errors.into_result()?;
        let Some(job_id) = job_id else { return Err(AppError::invalid_field("job", "Choose a job.")) };
        let now = self.clock.unix();
        let outcome = self
            .store
            .invite_from_bank(employer_id, public_ref, job_id, &message, actor.user_id, now, self.clock.today())
            .await?;
        let member_id = match outcome {
            InvitationOutcome::Sent { member_id, .. } => member_id,
            InvitationOutcome::AlreadyInvited => {
                return Err(AppError::Conflict {
                    message: "This candidate was already invited to apply for that job.".into(),
                    field: Some("job".into()),
                });
            }
            InvitationOutcome::DailyLimitReached => {
                return Err(AppError::Conflict {
                    message: format!(
                        "An employer may send {} invitations a day: try again tomorrow.",
                        guildhall_store::INVITATIONS_A_DAY
                    ),
                    field: None,
                });
            }
            InvitationOutcome::NoSuchCandidate => {
                return Err(AppError::NotFound("This candidate is no longer in the resume bank.".into()));
            }
            InvitationOutcome::JobNotLive => {
                return Err(AppError::invalid_field("job", "Choose one of your advertised jobs."));
            }
        };
        let Some(member) = self.store.member_by_id(member_id).await? else { return Ok(()) };
        // The account's address when the member has one (where they read the society's mail).
        let address = match member.user_id {
            Some(user) => self.store.user_by_id(user).await?.map_or(member.email.clone(), |u| u.email),
            None => member.email.clone(),
        };
        let job = self.store.job(job_id).await?;
        let title = job.map(|j| j.title).unwrap_or_default();
        let society = self.branding().await.name;
        self.store
            .enqueue_mail(
                &NewMail {
                    to_address: address,
                    subject: format!("Invitation to apply: {title}"),
                    body_text: format!(
                        "Dear {},\n\n{employer_name} found your entry in {society}'s resume bank and invites you to apply for \"{title}\".\n{}\n\
                         They do not know who you are: your name reaches them only if you apply.\n\n\
                         Accept or decline within {INVITATION_DAYS} days at {}\n",
                        member.first_name,
                        if message.is_empty() { String::new() } else { format!("\nTheir message: {message}\n") },
                        self.link("/account/resume-bank"),
                    ),
                    attachment: None,
                },
                now,
            )
            .await?;
        Ok(())
    }
}

/// A one-page resume of a member's record.
fn resume_pdf(profile: &Profile) -> Vec<u8> {
    let (page_w, page_h) = (612.0, 792.0);
    let margin = 56.0;
    let mut content = Content::new();
    let mut y = page_h - margin - 10.0;
    text(&mut content, margin, y, 20.0, true, &profile.name);
    y -= 20.0;
    let headline = [profile.job_title.as_str(), profile.employer.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if !headline.is_empty() {
        text(&mut content, margin, y, 11.0, false, &headline);
        y -= 15.0;
    }
    let contact = [profile.email.as_str(), profile.phone.as_str(), profile.city.as_str(), profile.region.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    text(&mut content, margin, y, 10.0, false, &contact);
    y -= 28.0;
    let mut section = |y: &mut f32, title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        text(&mut content, margin, *y, 12.0, true, title);
        *y -= 16.0;
        for line in lines {
            for chunk in wrap(&line, 95) {
                if *y < margin {
                    return;
                }
                text(&mut content, margin, *y, 10.0, false, &chunk);
                *y -= 13.0;
            }
        }
        *y -= 12.0;
    };
    section(&mut y, "Summary", if profile.summary.is_empty() { vec![] } else { vec![profile.summary.clone()] });
    section(
        &mut y,
        "Licences and certifications",
        profile
            .credentials
            .iter()
            .map(|(what, date, _)| if date.is_empty() { what.clone() } else { format!("{what} (since {date})") })
            .collect(),
    );
    section(
        &mut y,
        "Disciplines",
        if profile.disciplines.is_empty() { vec![] } else { vec![profile.disciplines.join(", ")] },
    );
    section(&mut y, "Education", if profile.education.is_empty() { vec![] } else { vec![profile.education.clone()] });
    let _ = page_w;
    crate::pdf::one_page(content, (page_w, page_h))
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
