//! The demo society: chapters and one sign-in for each kind of user, so every page has
//! something real to show on a fresh machine.
//!
//! Files: `mod.rs` (the society, its chapters and sign-ins), `members.rs` (generated members
//! with years of history), `ce.rs` (the demo member's CE ledger and others' licences),
//! `events.rs` (a season of events, one full with a waitlist), `credentials.rs` (credentials in
//! every state a verifier can meet), `knowledge.rs` (a knowledge base of generated Q&A article
//! files, members' questions with answers and an endorsement), `communications.rs` (lists with
//! members' choices, a chapter meeting notice sent and the next newsletter as a draft),
//! `salary.rs` (two years of the salary survey, last year's released), `careers.rs` (employers
//! with their recruiters, about 300 jobs live, filled and run out, drafts, orders and the review
//! queue).

mod careers;
mod ce;
mod communications;
mod credentials;
mod events;
pub mod knowledge;
mod members;
mod salary;

use guildhall_domain::identity::Role;
use guildhall_domain::membership::ClaimStatus;
use guildhall_store::membership::claims::NewClaim;
use guildhall_store::{MemberFilter, NewChapter, NewOfficerTerm, PageRequest};
use time::Duration;

use crate::error::AppResult;
use crate::{Actor, App};

/// The password every demo account uses.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// The demo society's address and registration, printed on its receipts (`serve --demo`
/// uses it when `membership.receipt_details` is not configured).
pub const DEMO_RECEIPT_DETAILS: &str = "1 Engineers Way, Suite 400, Springfield, ST 62701\nTax-exempt organisation, EIN 12-3456789\nmembership@demo.guildhall.org";

/// A sign-in the demo prints for people to try.
pub struct DemoSignIn {
    pub who: &'static str,
    pub email: &'static str,
}

pub const DEMO_SIGN_INS: [DemoSignIn; 4] = [
    DemoSignIn { who: "member", email: "member@demo.guildhall.org" },
    DemoSignIn { who: "chapter officer", email: "officer@demo.guildhall.org" },
    DemoSignIn { who: "staff", email: "staff@demo.guildhall.org" },
    DemoSignIn { who: "admin", email: "admin@demo.guildhall.org" },
];

/// A licensed engineer's sign-in (the full demo only): a PE in Texas, civil and structural,
/// who can endorse answers to members' questions.
pub const DEMO_ENGINEER: DemoSignIn = DemoSignIn { who: "licensed engineer", email: "engineer@demo.guildhall.org" };

/// A recruiter's sign-in (the full demo only): owner of Gulf Coast Structural, and a recruiter
/// for Lone Star Bridges, which the chapter officer owns.
pub const DEMO_RECRUITER: DemoSignIn = DemoSignIn { who: "recruiter", email: "recruiter@demo.guildhall.org" };

const CHAPTERS: [(&str, &str, &str, &str); 6] = [
    ("capital", "Capital Chapter", "chapter", "Capital region"),
    ("coastal", "Coastal Chapter", "chapter", "Coast and islands"),
    ("northern", "Northern Chapter", "chapter", "Northern counties"),
    ("river-valley", "River Valley Chapter", "chapter", "River valley"),
    ("western", "Western Chapter", "chapter", "Western plains"),
    ("state-university", "State University Student Chapter", "student_chapter", "State University campus"),
];

impl App {
    /// The id of a demo account (benchmarks sign in as the demo member).
    pub async fn demo_account_id(&self, email: &str) -> AppResult<Option<i64>> {
        Ok(self.store.user_by_email(email).await?.map(|u| u.id))
    }

    /// Creates the demo society unless the database already has accounts. Returns
    /// whether anything was created.
    pub async fn seed_demo(&self) -> AppResult<bool> {
        self.seed_demo_society(crate::demo::members::DEMO_MEMBER_COUNT).await
    }

    /// The demo society as people see it: [`App::seed_demo_sized`] and its first weeks
    /// online (invitations sent, a claim for staff to resolve). Tests start from the
    /// society without these, so that mail and queues start empty.
    pub async fn seed_demo_society(&self, members: usize) -> AppResult<bool> {
        if !self.seed_demo_sized(members).await? {
            return Ok(false);
        }
        let staff = self.store.user_by_email(DEMO_SIGN_INS[2].email).await?;
        if let Some(staff) = staff {
            self.seed_demo_first_weeks(staff.id).await?;
        }
        Ok(true)
    }

    /// The demo society with `members` generated members besides the demo accounts'
    /// (tests use a small society; the demo a believable one).
    pub async fn seed_demo_sized(&self, members: usize) -> AppResult<bool> {
        if self.store.count_users().await? > 0 {
            return Ok(false);
        }
        let now = self.clock.unix();
        let mut chapter_ids = Vec::new();
        for (i, (slug, name, kind, region)) in CHAPTERS.iter().enumerate() {
            let chapter = NewChapter {
                slug: (*slug).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                region: (*region).into(),
                dues_supplement_cents: if i % 2 == 0 { 1500 } else { 1000 },
            };
            chapter_ids.push(self.store.create_chapter(&chapter, now).await?);
        }
        let names = ["Maya Okafor, PE", "Daniel Reyes, PE", "Priya Natarajan", "Alex Morgan"];
        let roles = [Role::Member, Role::Member, Role::Staff, Role::Admin];
        let mut ids = Vec::new();
        for ((sign_in, name), role) in DEMO_SIGN_INS.iter().zip(names).zip(roles) {
            ids.push(self.create_verified_user(sign_in.email, name, DEMO_PASSWORD, role).await?);
        }
        // The demo member and officer are members of the first chapter, the member's
        // renewal window open so that renewing can be tried straight away.
        let linked = [(ids[0], "Maya", "Okafor"), (ids[1], "Daniel", "Reyes")];
        self.seed_demo_members(&chapter_ids, &linked, members).await?;
        self.seed_demo_ce(ids[0]).await?;
        let today = self.clock.today();
        self.store
            .add_officer_term(
                &NewOfficerTerm {
                    user_id: ids[1],
                    chapter_id: chapter_ids[0],
                    title: "Chapter President".into(),
                    starts_on: today - Duration::days(200),
                    ends_on: Some(today + Duration::days(165)),
                },
                now,
            )
            .await?;
        self.store.analyze().await?;
        Ok(true)
    }

    /// A society's first weeks online: staff have invited some members to set up their
    /// accounts, and someone whose record could not be matched waits in the claims queue.
    async fn seed_demo_first_weeks(&self, staff_id: i64) -> AppResult<()> {
        let staff = Actor::for_account(staff_id, DEMO_SIGN_INS[2].email, "Priya Natarajan", Role::Staff);
        // In the order the chapters were made (CHAPTERS).
        let mut chapter_ids: Vec<i64> = self.store.list_chapters().await?.iter().map(|c| c.id).collect();
        chapter_ids.sort_unstable();
        self.seed_demo_events(&staff, &chapter_ids).await?;
        self.seed_demo_communications(&staff, &chapter_ids).await?;
        self.seed_demo_salary(&staff).await?;
        self.seed_demo_careers(&staff).await?;
        self.seed_demo_resume_bank(&staff).await?;
        if let (Some(maya), Some(daniel)) = (
            self.store.user_by_email(DEMO_SIGN_INS[0].email).await?,
            self.store.user_by_email(DEMO_SIGN_INS[1].email).await?,
        ) {
            self.seed_demo_credentials(&staff, maya.id, daniel.id).await?;
            let maya = Actor::for_account(maya.id, &maya.email, "Maya Okafor, PE", Role::Member);
            let daniel = Actor::for_account(daniel.id, &daniel.email, "Daniel Reyes, PE", Role::Member);
            self.seed_demo_knowledge(&staff, &maya, &daniel).await?;
        }
        let newest = self.store.search_members(&MemberFilter::default(), PageRequest::new(1, 40)).await?;
        let ids: Vec<i64> = newest.items.iter().map(|m| m.id).collect();
        self.invite_members_by_id(&staff, &ids, "demo").await?;

        // The demo accounts agreed to the terms and privacy notice when they signed up.
        for sign_in in DEMO_SIGN_INS {
            if let Some(user) = self.store.user_by_email(sign_in.email).await? {
                let member = self.store.member_by_user(user.id).await?.map(|m| m.id);
                self.record_agreement(Some(user.id), member, "sign-up form").await?;
            }
        }

        let now = self.clock.unix();
        let user_id =
            self.create_verified_user("jordan.lee@example.net", "Jordan Lee", DEMO_PASSWORD, Role::Member).await?;
        let claim = NewClaim {
            user_id,
            member_id: None,
            typed_number: "M004321".into(),
            typed_last_name: "Lee-Hoffman".into(),
            code_hash: String::new(),
            status: ClaimStatus::NeedsStaff,
            expires_at: now,
        };
        self.store.open_claim(&claim, None, now).await?;
        Ok(())
    }
}
