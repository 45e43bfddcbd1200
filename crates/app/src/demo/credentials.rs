//! The demo society's credentials: Maya's membership and Fellow designation (valid), an
//! officer term that has ended (expired), Daniel's membership suspended by staff, and a
//! designation revoked as issued in error, so the wallet, the public pages and the staff
//! list show every state a verifier can meet. Her webinar attendance credential comes
//! from the release of its credit (`events.rs`).

use guildhall_credentials::Achievement;
use guildhall_domain::credentials::{CredentialKind, CredentialStatus};
use time::Duration;

use crate::credentials::AwardRequest;
use crate::credentials::issue::Issue;
use crate::error::AppResult;
use crate::{Actor, App};

impl App {
    pub(super) async fn seed_demo_credentials(&self, staff: &Actor, maya_user: i64, daniel_user: i64) -> AppResult<()> {
        let (Some(maya), Some(daniel)) =
            (self.store.member_by_user(maya_user).await?, self.store.member_by_user(daniel_user).await?)
        else {
            return Ok(());
        };
        self.membership_credential(maya.id).await?;
        self.issue_award(
            staff,
            &AwardRequest {
                member_id: maya.id,
                name: "Fellow".into(),
                description: "Elected a Fellow of the society for sustained contributions to structural engineering \
                              practice and to the profession."
                    .into(),
                criteria: "Ten years as a licensed engineer, nominated by two Fellows, elected by the board.".into(),
                ..Default::default()
            },
            "demo",
        )
        .await?;
        // Her term as chapter secretary ended last year: the credential has expired.
        let now = self.clock.now();
        let ended = Issue {
            member_id: maya.id,
            kind: CredentialKind::Award,
            source: "award:chapter-secretary:2024-2025".into(),
            achievement: Achievement {
                id: self.link("/achievements/award/chapter-secretary"),
                kind: CredentialKind::Award,
                name: "Chapter Secretary".into(),
                description: "Served as the chapter's secretary: minutes, correspondence and elections.".into(),
                criteria: "Elected by the chapter's members for a one-year term.".into(),
                credits_available: None,
                tags: Vec::new(),
                image_url: Some(self.link("/credentials/badges/award.svg")),
            },
            credits_earned: None,
            activity_start: None,
            activity_end: None,
            role: Some("Chapter Secretary".into()),
            term: Some("2024–2025".into()),
            evidence: Vec::new(),
            valid_from: now - Duration::days(700),
            valid_until: Some(now - Duration::days(335)),
        };
        self.issue(vec![ended], Some(staff.user_id), None).await?;

        if let Some(membership) = self.membership_credential(daniel.id).await? {
            self.change_credential_status(
                staff,
                membership.id,
                CredentialStatus::Suspended,
                "The dues payment was returned by the bank; suspended until it is paid.",
                "demo",
            )
            .await?;
        }
        let mistaken = self
            .issue_award(
                staff,
                &AwardRequest {
                    member_id: daniel.id,
                    name: "Life Member".into(),
                    description: "Life membership of the society.".into(),
                    ..Default::default()
                },
                "demo",
            )
            .await?;
        self.change_credential_status(
            staff,
            mistaken.id,
            CredentialStatus::Revoked,
            "Issued in error: the board has not yet voted on this life membership.",
            "demo",
        )
        .await?;
        Ok(())
    }
}
