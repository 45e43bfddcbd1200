//! The demo society's continuing-education records: the demo member holds Texas and
//! Florida licences with a ledger that leaves ethics outstanding in both (so logging one
//! ethics webinar visibly fills both bars), and every licensed member has a few years of
//! generated activities, so the staff compliance report has something real to show.

use guildhall_domain::member::{CredentialSource, Jurisdiction, LicenceKind};
use std::collections::HashSet;

use guildhall_store::ce::{NewCeActivity, NewCeLicence};
use time::{Date, Duration, Month};

use crate::demo::members::Dice;
use crate::error::AppResult;
use crate::{App, AppError};

const COURSES: [&str; 10] = [
    "Bridge load rating refresher",
    "Stormwater design update",
    "Seismic retrofit of masonry buildings",
    "Geotechnical site characterisation",
    "Concrete durability and corrosion",
    "Traffic signal timing workshop",
    "Steel connection design",
    "Water treatment process control",
    "Electrical safety: NFPA 70E",
    "Project delivery and risk",
];
const KINDS: [&str; 4] = ["course", "webinar_live", "conference_session", "course_online_selfpaced"];

fn hours(h: i64) -> i64 {
    h * 1_000_000
}

fn activity(member_id: i64, title: &str, kind: &str, tags: &str, on: Date, h: i64) -> NewCeActivity {
    NewCeActivity {
        member_id,
        title: title.into(),
        kind: kind.into(),
        tags: tags.into(),
        occurred_on: Some(on),
        quantity_micro: hours(h),
        unit: "hour".into(),
        provider: "Demo Engineering Institute".into(),
        source: "member".into(),
        ..Default::default()
    }
}

impl App {
    /// Gives the demo member their licences and ledger, and generates the others' ledgers.
    pub(crate) async fn seed_demo_ce(&self, demo_member_user: i64) -> AppResult<()> {
        let today = self.clock.today();
        let now = self.clock.unix();
        let date = |y: i32, m: u8, d: u8| {
            Month::try_from(m)
                .ok()
                .and_then(|m| Date::from_calendar_date(y, m, d).ok())
                .ok_or_else(|| AppError::Internal("demo date".into()))
        };
        if let Some(maya) = self.store.member_by_user(demo_member_user).await? {
            for row in self.store.ce_credentials(maya.id).await? {
                self.store.remove_ce_credential(maya.id, row.source, row.id, None).await?;
            }
            // Texas renews every year on the licence's expiry (June 30 here); Florida every
            // two years on the last day of February of odd years.
            let y = today.year();
            let tx_expiry = if today < date(y, 6, 30)? { date(y, 6, 30)? } else { date(y + 1, 6, 30)? };
            let fl_year = if y % 2 == 1 && today <= date(y, 2, 28)? {
                y
            } else if y % 2 == 1 {
                y + 2
            } else {
                y + 1
            };
            let fl_expiry = date(fl_year, 2, 28)?;
            for (jurisdiction, number, issued, expires) in [
                ("US-TX", "TX118204", tx_expiry - Duration::days(3 * 365 + 40), tx_expiry),
                ("US-FL", "FL90311", fl_expiry - Duration::days(4 * 365 + 20), fl_expiry),
            ] {
                let licence = NewCeLicence {
                    jurisdiction: Jurisdiction::parse(jurisdiction).map_err(|e| AppError::invalid(e.0))?,
                    kind: LicenceKind::ProfessionalEngineer,
                    number: number.into(),
                    first_issued: issued,
                    expires_on: Some(expires),
                    licensure_method: Some("exam".into()),
                };
                self.store.add_ce_licence(maya.id, &licence, None, now).await?;
            }
            let ago = |days: i64| today - Duration::days(days);
            let mut ledger = vec![
                activity(maya.id, "Ethics in engineering practice", "webinar_live", "ethics", ago(700), 1),
                activity(
                    maya.id,
                    "Florida laws and rules for engineers",
                    "webinar_live",
                    "laws_rules:US-FL",
                    ago(300),
                    2,
                ),
                activity(maya.id, "Bridge load rating refresher", "course", "technical", ago(640), 8),
                activity(maya.id, "Traffic signal timing workshop", "course", "technical", ago(560), 8),
                activity(maya.id, "Stormwater design update", "conference_session", "technical", ago(420), 8),
                activity(maya.id, "Steel connection design", "course", "technical", ago(250), 8),
                activity(
                    maya.id,
                    "Seismic retrofit of masonry buildings",
                    "course",
                    "technical area_of_practice",
                    ago(90),
                    4,
                ),
                activity(
                    maya.id,
                    "Concrete durability and corrosion",
                    "webinar_live",
                    "technical area_of_practice",
                    ago(40),
                    3,
                ),
            ];
            if let Some(laws) = ledger.get_mut(1) {
                laws.provider = "Florida Engineering Society".into();
                laws.provider_approvals = "US-FL".into();
            }
            self.store.insert_ce_activities(&ledger, now).await?;
        }

        // Everyone else with a licence: a few years of activities.
        let mut dice = Dice(0x05ee_d0ce);
        let max_id = self.store.max_member_id().await?;
        let mut after = 0;
        while after < max_id {
            let up_to = after.saturating_add(1_000);
            let batch = self.store.ce_bulk(after, up_to).await?;
            after = up_to;
            // Members who already have a ledger (the demo member) keep theirs.
            let logged: HashSet<i64> = batch.activities().map(|a| a.map(|a| a.member_id)).collect::<Result<_, _>>()?;
            let mut holders: Vec<i64> = batch.credentials.iter().map(|c| c.member_id).collect();
            holders.dedup();
            let mut activities = Vec::new();
            for member_id in holders.into_iter().filter(|m| !logged.contains(m)) {
                let jurisdictions: Vec<&str> = batch
                    .credentials
                    .iter()
                    .filter(|c| c.member_id == member_id && c.source == CredentialSource::Licence)
                    .map(|c| c.label.as_str())
                    .collect();
                let diligent = dice.chance(60);
                let count = if diligent { 8 + dice.below(8) } else { dice.below(6) };
                for n in 0..count {
                    let on = today - Duration::days(1 + i64::try_from(dice.below(1_000)).unwrap_or(0));
                    let tags = match dice.below(10) {
                        0 | 1 => "ethics".to_string(),
                        2 if !jurisdictions.is_empty() => {
                            format!("laws_rules:{}", jurisdictions[dice.below(jurisdictions.len())])
                        }
                        3 => "technical area_of_practice".to_string(),
                        _ => "technical".to_string(),
                    };
                    let h = if tags == "ethics" || tags.starts_with("laws") {
                        1 + i64::from(dice.chance(30))
                    } else {
                        1 + i64::try_from(dice.below(8)).unwrap_or(0)
                    };
                    let title = if tags == "ethics" {
                        "Engineering ethics"
                    } else if tags.starts_with("laws") {
                        "State laws and rules"
                    } else {
                        COURSES[(n + dice.below(10)) % COURSES.len()]
                    };
                    let mut a = activity(member_id, title, dice.pick(&KINDS), &tags, on, h);
                    if let Some(j) = tags.strip_prefix("laws_rules:") {
                        a.provider_approvals = j.to_string();
                    }
                    activities.push(a);
                }
            }
            self.store.insert_ce_activities(&activities, now).await?;
        }
        Ok(())
    }
}
