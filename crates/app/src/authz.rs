//! Authorisation, in one place. Every use case asks [`Actor::require`] before it reads
//! or writes; templates only decide what to *show*, never what is allowed.

use guildhall_domain::identity::Role;
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// Who is acting: a signed-in person (or an API token acting for them), with the
/// chapters they currently hold office in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Chapters this person is an officer of today (for a token: as far as it is scoped).
    pub officer_of: Vec<i64>,
    /// Set when the request came with an API token rather than a session.
    pub api_token_id: Option<i64>,
    /// A staff or administrator account that must set up two-factor sign-in first: until
    /// it does, it acts with a member's rights only (`role` is already lowered).
    pub must_set_up_two_factor: bool,
    /// The employers this person recruits for: empty until a careers use case loads them
    /// (`App::with_employer_roles`), so a use case that forgets fails closed.
    pub employers: Vec<EmployerRole>,
    /// Set when the request came with an employer's API token: it may act only as that
    /// employer's recruiter (its jobs), never as the person who issued it.
    pub employer_token: Option<i64>,
}

/// An employer someone recruits for, and whether they own its account (manage its
/// recruiters and details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmployerRole {
    pub employer_id: i64,
    pub owner: bool,
}

/// Everything that needs permission. Chapter-scoped actions name their chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// The signed-in person's own dashboard, profile and account.
    OwnAccount,
    /// The staff area: society-wide member lists, reports.
    StaffArea,
    /// The audit log of changes to people's data.
    AuditLog,
    /// Outgoing mail as queued and delivered.
    OutgoingMail,
    /// Roles, society settings, API tokens.
    Administration,
    /// A chapter's roster and management pages.
    ManageChapter(i64),
    /// An event's details, roster and registrations: the society's own (`None`) by staff,
    /// a chapter's by staff and that chapter's officers.
    ManageEvent(Option<i64>),
    /// Creating events at all: staff, and officers (for their chapters).
    CreateEvents,
    /// Issuing designations, revoking and suspending credentials, anyone's credentials.
    IssueCredentials,
    /// The knowledge base's articles (import, edit, unpublish, merge), subject experts,
    /// moderating questions and answers, promoting a question to an article.
    ManageKnowledge,
    /// The society's publications: creating them, adding issues and articles.
    ManagePublications,
    /// Communication lists (creating them, who may send), bounces and delivery health.
    ManageLists,
    /// Writing and sending campaigns under a list: the society's (`None`) by staff, a
    /// chapter's by staff and that chapter's officers.
    SendCampaigns(Option<i64>),
    /// The campaigns area at all: staff, and officers (for their chapters' lists).
    CampaignsArea,
    /// The welcome series and the lapsed-member win-back: their steps and switching them on.
    ManageAutomations,
    /// An employer's jobs and their applicants: its recruiters, and staff.
    RecruitFor(i64),
    /// An employer's account (details, recruiters): its owners, and staff.
    ManageEmployer(i64),
    /// Reviewing jobs before they are public, taking them down: staff.
    ModerateJobs,
    /// The salary survey: opening and closing it, importing responses, reviewing employer
    /// names, releasing its figures (staff only).
    ManageSalarySurvey,
}

impl Actor {
    /// An account the process itself acts as (demo seeding, benchmarks): no officer terms,
    /// no API token.
    pub fn for_account(user_id: i64, email: &str, display_name: &str, role: Role) -> Self {
        Actor {
            user_id,
            email: email.into(),
            display_name: display_name.into(),
            role,
            officer_of: Vec::new(),
            api_token_id: None,
            must_set_up_two_factor: false,
            employers: Vec::new(),
            employer_token: None,
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Staff | Role::Admin)
    }

    pub fn is_officer_of(&self, chapter_id: i64) -> bool {
        self.officer_of.contains(&chapter_id)
    }

    pub fn allows(&self, permission: Permission) -> bool {
        if let Some(employer) = self.employer_token {
            return permission == Permission::RecruitFor(employer)
                && self.employers.iter().any(|e| e.employer_id == employer);
        }
        match permission {
            Permission::OwnAccount => true,
            Permission::StaffArea | Permission::AuditLog | Permission::OutgoingMail => self.is_staff(),
            Permission::Administration => self.role == Role::Admin,
            Permission::ManageChapter(chapter) | Permission::ManageEvent(Some(chapter)) => {
                self.is_staff() || self.is_officer_of(chapter)
            }
            Permission::ManageEvent(None) | Permission::SendCampaigns(None) => self.is_staff(),
            Permission::SendCampaigns(Some(chapter)) => self.is_staff() || self.is_officer_of(chapter),
            Permission::CampaignsArea => self.is_staff() || !self.officer_of.is_empty(),
            Permission::CreateEvents => self.is_staff() || !self.officer_of.is_empty(),
            Permission::IssueCredentials
            | Permission::ManageKnowledge
            | Permission::ManagePublications
            | Permission::ManageLists
            | Permission::ManageAutomations
            | Permission::ModerateJobs
            | Permission::ManageSalarySurvey => self.is_staff(),
            Permission::RecruitFor(employer) => {
                self.is_staff() || self.employers.iter().any(|e| e.employer_id == employer)
            }
            Permission::ManageEmployer(employer) => {
                self.is_staff() || self.employers.iter().any(|e| e.employer_id == employer && e.owner)
            }
        }
    }

    /// Refuses with 403 unless the permission is held.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.allows(permission) {
            return Ok(());
        }
        if self.employer_token.is_some() {
            return Err(AppError::Forbidden(
                "An employer's API token can only read and post that employer's jobs.".into(),
            ));
        }
        Err(AppError::Forbidden(match permission {
            Permission::OwnAccount => "You do not have permission to do that.".into(),
            Permission::StaffArea | Permission::AuditLog | Permission::OutgoingMail => {
                "Only society staff can open this page.".into()
            }
            Permission::Administration => "Only an administrator can change this.".into(),
            Permission::IssueCredentials => "Only society staff can issue, revoke or suspend credentials.".into(),
            Permission::ManageKnowledge => {
                "Only society staff can manage the knowledge base and moderate questions.".into()
            }
            Permission::ManagePublications => "Only society staff can add publications, issues and articles.".into(),
            Permission::ManageLists => "Only society staff can manage communication lists and delivery.".into(),
            Permission::ManageAutomations => "Only society staff can manage the welcome series and win-back.".into(),
            Permission::ManageSalarySurvey => "Only society staff can manage the salary survey.".into(),
            Permission::SendCampaigns(None) => "Only society staff can send to the society's lists.".into(),
            Permission::SendCampaigns(Some(_)) | Permission::CampaignsArea => {
                "You can send only to the lists of the chapters you hold office in, where staff allow it.".into()
            }
            Permission::ManageChapter(_) => "You can manage only the chapters you hold office in.".into(),
            Permission::ManageEvent(None) => "Only society staff can manage the society's own events.".into(),
            Permission::ManageEvent(Some(_)) | Permission::CreateEvents => {
                "You can manage only the events of the chapters you hold office in.".into()
            }
            Permission::RecruitFor(_) => "Only the employer's recruiters can do that.".into(),
            Permission::ManageEmployer(_) => "Only the employer account's owners can change it.".into(),
            Permission::ModerateJobs => "Only society staff can review jobs.".into(),
        }))
    }

    /// The role an API token may carry: never more than its owner's.
    pub fn can_grant_token_role(&self, role: Role) -> bool {
        role <= self.role
    }

    /// A short label for the audit log.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.display_name, self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, officer_of: &[i64]) -> Actor {
        Actor {
            user_id: 1,
            email: "a@example.org".into(),
            display_name: "A".into(),
            role,
            officer_of: officer_of.to_vec(),
            api_token_id: None,
            must_set_up_two_factor: false,
            employers: Vec::new(),
            employer_token: None,
        }
    }

    #[test]
    fn permission_table() {
        use Permission::*;
        let member = actor(Role::Member, &[]);
        let officer = actor(Role::Member, &[7]);
        let staff = actor(Role::Staff, &[]);
        let admin = actor(Role::Admin, &[]);
        // (permission, member, officer of chapter 7, staff, admin)
        let table = [
            (OwnAccount, true, true, true, true),
            (StaffArea, false, false, true, true),
            (AuditLog, false, false, true, true),
            (OutgoingMail, false, false, true, true),
            (Administration, false, false, false, true),
            (ManageChapter(7), false, true, true, true),
            (ManageChapter(8), false, false, true, true),
            (ManageEvent(Some(7)), false, true, true, true),
            (ManageEvent(Some(8)), false, false, true, true),
            (ManageEvent(None), false, false, true, true),
            (CreateEvents, false, true, true, true),
            (IssueCredentials, false, false, true, true),
            (ManageKnowledge, false, false, true, true),
            (ManagePublications, false, false, true, true),
            (ModerateJobs, false, false, true, true),
            (RecruitFor(3), false, false, true, true),
            (ManageEmployer(3), false, false, true, true),
            (ManageSalarySurvey, false, false, true, true),
        ];
        for (permission, m, o, s, a) in table {
            assert_eq!(member.allows(permission), m, "member {permission:?}");
            assert_eq!(officer.allows(permission), o, "officer {permission:?}");
            assert_eq!(staff.allows(permission), s, "staff {permission:?}");
            assert_eq!(admin.allows(permission), a, "admin {permission:?}");
            assert_eq!(member.require(permission).is_ok(), m);
        }
    }

    #[test]
    fn recruiters_act_only_for_their_employers_and_owners_manage_them() {
        use Permission::*;
        let recruiter = Actor {
            employers: vec![
                EmployerRole { employer_id: 3, owner: false },
                EmployerRole { employer_id: 4, owner: true },
            ],
            ..actor(Role::Member, &[])
        };
        // (permission, allowed)
        let table = [
            (RecruitFor(3), true),
            (RecruitFor(4), true),
            (RecruitFor(5), false),
            (ManageEmployer(3), false),
            (ManageEmployer(4), true),
            (ManageEmployer(5), false),
            (ModerateJobs, false),
            (StaffArea, false),
        ];
        for (permission, allowed) in table {
            assert_eq!(recruiter.allows(permission), allowed, "{permission:?}");
        }
    }

    #[test]
    fn an_employer_token_only_recruits_for_its_employer() {
        use Permission::*;
        let token = Actor {
            employers: vec![EmployerRole { employer_id: 4, owner: false }],
            employer_token: Some(4),
            ..actor(Role::Member, &[])
        };
        // (permission, allowed): not even the issuer's own account, nor the employer's
        // account (its recruiters and tokens).
        let table = [
            (RecruitFor(4), true),
            (RecruitFor(3), false),
            (ManageEmployer(4), false),
            (OwnAccount, false),
            (ModerateJobs, false),
            (StaffArea, false),
        ];
        for (permission, allowed) in table {
            assert_eq!(token.allows(permission), allowed, "{permission:?}");
        }
        // Until the employer roles are loaded (and when the issuer no longer recruits for
        // it), nothing at all.
        let unloaded = Actor { employers: Vec::new(), ..token };
        assert!(!unloaded.allows(RecruitFor(4)));
    }

    #[test]
    fn tokens_never_exceed_their_owner() {
        let staff = actor(Role::Staff, &[]);
        assert!(staff.can_grant_token_role(Role::Member));
        assert!(staff.can_grant_token_role(Role::Staff));
        assert!(!staff.can_grant_token_role(Role::Admin));
    }
}
