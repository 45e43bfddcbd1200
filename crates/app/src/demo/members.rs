//! The demo society's members: a believable spread of tiers, standings, chapters,
//! groups, disciplines and licences, with several years of term history generated
//! through the society's real term rules. Deterministic: the same society every time.

use guildhall_domain::member::{Jurisdiction, LicenceKind};
use guildhall_domain::membership::{InvoiceStatus, Proof, Term, TermState};
use guildhall_store::{
    EvidenceDocument, MemberBundle, NewEvidence, NewInvoice, NewLicence, NewMember, NewPayment, NewTerm,
    NewTermWithInvoice, NewTier, TermRecord,
};
use time::{Date, Duration};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::membership::{compute_standing, term_policy};

pub const DEMO_MEMBER_COUNT: usize = 2_400; // keep in step with `guildhall demo --members`

/// (code, name, annual dues in cents, needs approval, requirements JSON)
pub const DEMO_TIERS: [(&str, &str, i64, bool, &str); 7] = [
    ("student", "Student", 2_500, false, r#"["RequiresEnrolment"]"#),
    ("associate", "Associate (EIT)", 9_500, false, "[]"),
    ("member", "Member (PE)", 19_500, false, r#"["RequiresLicence"]"#),
    ("senior", "Senior Member", 22_500, true, r#"[{"MinYearsLicensed":10}]"#),
    ("fellow", "Fellow", 25_000, true, r#"[{"MinYearsOfMembership":15}]"#),
    ("life", "Life Member", 0, true, r#"[{"MinYearsOfMembership":30}]"#),
    ("retired", "Retired", 6_000, false, r#"["RetirementDeclaration"]"#),
];

pub const DEMO_GROUPS: [(&str, &str, &str); 4] = [
    ("women-in-engineering", "Women in Engineering", "Networking, mentoring and advocacy for women engineers."),
    ("young-professionals", "Young Professionals", "For members in their first ten years of practice."),
    ("life-members", "Life Members", "Members honoured for long service to the society."),
    ("government-engineers", "Engineers in Government", "Public-sector engineers and regulators."),
];

const FIRST: [&str; 40] = [
    "Maya", "Daniel", "Priya", "Alex", "Jordan", "Sofia", "Liam", "Chen", "Fatima", "Mateo", "Olivia", "Noah", "Aisha",
    "Ethan", "Hannah", "Raj", "Grace", "Lucas", "Yuki", "Omar", "Elena", "Samuel", "Zara", "Isaac", "Mei", "Carlos",
    "Leah", "Kwame", "Nora", "Diego", "Amara", "Ben", "Ingrid", "Tomás", "Ruth", "Hiro", "Clara", "Femi", "Anya",
    "Paul",
];
const LAST: [&str; 40] = [
    "Okafor",
    "Reyes",
    "Natarajan",
    "Morgan",
    "Smith",
    "Johnson",
    "Nguyen",
    "Garcia",
    "Kowalski",
    "Haddad",
    "Brown",
    "Rossi",
    "Tanaka",
    "Müller",
    "O'Brien",
    "Patel",
    "Kim",
    "Lopez",
    "Andersson",
    "Mensah",
    "Dubois",
    "Cohen",
    "Silva",
    "Hughes",
    "Ivanova",
    "Walker",
    "Chen",
    "Martin",
    "Novak",
    "Adeyemi",
    "Fischer",
    "Sato",
    "Larsen",
    "Ortiz",
    "Byrne",
    "Singh",
    "Clarke",
    "Moreau",
    "Bauer",
    "Jensen",
];
const EMPLOYERS: [&str; 12] = [
    "Stantec",
    "AECOM",
    "Jacobs",
    "WSP",
    "State DOT",
    "City of Riverton",
    "Black & Veatch",
    "Kimley-Horn",
    "Burns & McDonnell",
    "HDR",
    "Terracon",
    "Self-employed",
];
const TITLES: [&str; 8] = [
    "Project Engineer",
    "Senior Engineer",
    "Principal",
    "Engineering Manager",
    "Design Engineer",
    "Field Engineer",
    "Structural Lead",
    "Graduate Engineer",
];
const DISCIPLINES: [&str; 10] = [
    "civil",
    "structural",
    "mechanical",
    "electrical",
    "chemical",
    "environmental",
    "geotechnical",
    "software",
    "industrial",
    "surveying",
];
const JURISDICTIONS: [&str; 8] = ["US-OH", "US-TX", "US-FL", "US-PA", "US-NY", "US-IL", "US-NC", "CA-ON"];
const CITIES: [&str; 8] =
    ["Riverton", "Lakeside", "Fairview", "Oak Ridge", "Springfield", "Bay City", "Hillcrest", "Westport"];

/// A small deterministic generator (xorshift), so the demo is the same on every machine.
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What became of a demo member's membership.
#[derive(Clone, Copy)]
enum Story {
    /// Renewed every year; the current term runs well past today.
    Current,
    /// Renewed every year; the current term ends within the renewal window.
    RenewalDue,
    /// The last term ended within the last 30 days and was not renewed yet.
    Grace,
    /// Stopped renewing some time ago.
    Lapsed,
    /// Applied for a tier needing approval.
    Applied,
    /// Approved, first invoice open.
    Approved,
    /// Resigned.
    Cancelled,
}

fn story(dice: &mut Dice) -> Story {
    match dice.below(100) {
        0..=59 => Story::Current,
        60..=71 => Story::RenewalDue,
        72..=77 => Story::Grace,
        78..=90 => Story::Lapsed,
        91..=93 => Story::Applied,
        94..=96 => Story::Approved,
        _ => Story::Cancelled,
    }
}

fn bad(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("demo data: {e}"))
}

impl App {
    /// Tiers, affinity groups and the demo members (with the demo member and officer
    /// accounts linked to members in the first chapter).
    pub(crate) async fn seed_demo_members(
        &self,
        chapter_ids: &[i64],
        linked_users: &[(i64, &str, &str)],
        count: usize,
    ) -> AppResult<()> {
        let now = self.clock.unix();
        let mut tier_ids = Vec::new();
        for (i, (code, name, dues, approval, requirements)) in DEMO_TIERS.iter().enumerate() {
            let tier = NewTier {
                code: (*code).into(),
                name: (*name).into(),
                annual_dues_cents: *dues,
                requires_approval: *approval,
                requirements: (*requirements).into(),
                sort_order: i64::try_from(i).unwrap_or(0),
                never_expires: *code == "life",
            };
            tier_ids.push(self.store.create_tier(&tier, now).await?);
        }
        let mut group_ids = Vec::new();
        for (slug, name, description) in DEMO_GROUPS {
            group_ids.push(self.store.create_group(slug, name, description, now).await?);
        }

        let policy = term_policy(&self.settings.membership)?;
        let today = self.clock.today();
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        let mut bundles = Vec::with_capacity(count + linked_users.len());
        for i in 0..count + linked_users.len() {
            let linked = linked_users.get(i);
            let story = match linked {
                Some(_) => Story::RenewalDue,
                None => story(&mut dice),
            };
            let (first, last) = match linked {
                Some((_, first, last)) => ((*first).to_string(), (*last).to_string()),
                None => (dice.pick(&FIRST).to_string(), dice.pick(&LAST).to_string()),
            };
            let tier_index = match story {
                // Applications for Student, Senior, Fellow and Retired (one draw, as before).
                Story::Applied => [0, 3, 4, 6][dice.below(4)],
                _ => match dice.below(100) {
                    0..=9 => 0,
                    10..=29 => 1,
                    30..=79 => 2,
                    80..=89 => 3,
                    90..=93 => 4,
                    94..=96 => 5,
                    _ => 6,
                },
            };
            let tier_index = if linked.is_some() { 2 } else { tier_index };
            let chapter = if linked.is_some() {
                chapter_ids[0]
            } else if tier_index == 0 {
                *chapter_ids.last().unwrap_or(&chapter_ids[0])
            } else {
                chapter_ids[dice.below(chapter_ids.len().saturating_sub(1).max(1))]
            };
            let years = 1 + dice.below(12) as i64;
            let days_into_year = i64::try_from(dice.below(365)).unwrap_or(0);

            // First term start so that the story's expiry lands where it should.
            let (joined_on, renew_until) = match story {
                Story::Current => (today - Duration::days(years * 365 + days_into_year.min(300)), None),
                Story::RenewalDue => (today - Duration::days(years * 365 - 5 - days_into_year % 50), None),
                Story::Grace => (today - Duration::days(years * 365 + 2 + days_into_year % 27), None),
                Story::Lapsed => {
                    let stopped = 1 + dice.below(4) as i64;
                    (today - Duration::days((years + stopped) * 365 + days_into_year), Some(years))
                }
                Story::Applied | Story::Approved => (today - Duration::days(days_into_year % 20), None),
                Story::Cancelled => (today - Duration::days(years * 365 + days_into_year), Some(years.max(1))),
            };
            let tier_id = tier_ids[tier_index];
            let dues = DEMO_TIERS[tier_index].2;
            let mut terms = Vec::new();
            match story {
                Story::Applied => terms.push(NewTermWithInvoice {
                    term: new_term(
                        tier_id,
                        policy.first_term(joined_on).map_err(bad)?,
                        joined_on,
                        TermState::AwaitingApproval,
                        None,
                    ),
                    invoice: None,
                    payments: vec![],
                    evidence: demo_evidence(tier_index, &first, &last, joined_on),
                }),
                Story::Approved => {
                    let term = policy.first_term(joined_on).map_err(bad)?;
                    terms.push(NewTermWithInvoice {
                        term: new_term(tier_id, term, joined_on, TermState::AwaitingPayment, None),
                        invoice: Some(invoice(DEMO_TIERS[tier_index].1, dues, term, joined_on, None)),
                        payments: vec![],
                        evidence: vec![],
                    });
                }
                _ => {
                    let mut term = policy.first_term(joined_on).map_err(bad)?;
                    let mut count = 0;
                    while term.starts_on() <= today && renew_until.is_none_or(|n| count < n) {
                        if matches!(story, Story::Grace) && count > 0 && term.starts_on() > today - Duration::days(29) {
                            break; // this term went unpaid: the member is in grace
                        }
                        let paid_on = term.starts_on().min(today);
                        let mut row = new_term(tier_id, term, term.starts_on(), TermState::Paid, Some(paid_on));
                        if matches!(story, Story::Cancelled) && renew_until == Some(count + 1) {
                            row.status = TermState::Cancelled;
                            row.cancelled_on = Some((term.starts_on() + Duration::days(100)).min(today));
                        }
                        terms.push(NewTermWithInvoice {
                            term: row,
                            invoice: Some(invoice(
                                DEMO_TIERS[tier_index].1,
                                dues,
                                term,
                                term.starts_on(),
                                Some(paid_on),
                            )),
                            payments: vec![NewPayment {
                                amount_cents: dues,
                                method: if dice.chance(70) { "card" } else { "cheque" }.into(),
                                reference: String::new(),
                                provider_ref: None,
                                received_on: paid_on,
                                recorded_by: None,
                            }],
                            evidence: vec![],
                        });
                        count += 1;
                        if term.ends_on() >= today {
                            break;
                        }
                        term = policy.next_term(&term).map_err(bad)?;
                    }
                }
            }
            let records: Vec<TermRecord> = terms.iter().enumerate().map(|(n, t)| as_record(n, &t.term)).collect();
            let (standing, expires_on) = crate::membership::standing_in_tier(
                DEMO_TIERS[tier_index].0 == "life",
                compute_standing(&policy, &records, today)?,
            );

            let licensed = matches!(tier_index, 2..=4) || (tier_index >= 5 && dice.chance(80));
            let mut licences = Vec::new();
            if licensed {
                let count = 1 + usize::from(dice.chance(30)) + usize::from(dice.chance(10));
                let first_issued = joined_on - Duration::days(i64::try_from(dice.below(3000)).unwrap_or(0));
                let mut used = Vec::new();
                for _ in 0..count {
                    let jurisdiction = dice.pick(&JURISDICTIONS);
                    if used.contains(&jurisdiction) {
                        continue;
                    }
                    used.push(jurisdiction);
                    licences.push(NewLicence {
                        jurisdiction: Jurisdiction::parse(jurisdiction).map_err(|e| AppError::invalid(e.0))?,
                        kind: if dice.chance(12) {
                            LicenceKind::StructuralEngineer
                        } else {
                            LicenceKind::ProfessionalEngineer
                        },
                        number: format!("{}{:06}", &jurisdiction[3..], dice.below(999_999)),
                        first_issued,
                        expires_on: Some(today + Duration::days(i64::try_from(dice.below(730)).unwrap_or(0))),
                    });
                }
            }
            let mut groups = Vec::new();
            if dice.chance(22) {
                groups.push(group_ids[0]);
            }
            if tier_index <= 1 || dice.chance(10) {
                groups.push(group_ids[1]);
            }
            if tier_index == 5 {
                groups.push(group_ids[2]);
            }
            if dice.chance(8) {
                groups.push(group_ids[3]);
            }
            let career_stage = match tier_index {
                0 => "student",
                1 => "eit",
                6 => "retired",
                _ => "licensed",
            };
            let mut disciplines = vec![dice.pick(&DISCIPLINES)];
            if dice.chance(30) {
                let second = dice.pick(&DISCIPLINES);
                if second != disciplines[0] {
                    disciplines.push(second);
                }
            }
            let email = match linked {
                Some(_) => format!("{}.{}.{i}@members.demo.guildhall.org", first.to_lowercase(), i),
                None => format!("{}.{}.{i}@example.org", ascii(&first), ascii(&last)),
            };
            bundles.push(MemberBundle {
                member: NewMember {
                    member_number: None,
                    user_id: linked.map(|(id, _, _)| *id),
                    first_name: first,
                    last_name: last,
                    email,
                    phone: format!("555-01{:02}", dice.below(100)),
                    employer: if tier_index == 0 { "State University".into() } else { dice.pick(&EMPLOYERS).into() },
                    job_title: if tier_index == 0 { "Student".into() } else { dice.pick(&TITLES).into() },
                    career_stage: career_stage.into(),
                    disciplines: disciplines.join(";"),
                    education: String::new(),
                    city: dice.pick(&CITIES).into(),
                    tier_id,
                    home_chapter_id: Some(chapter),
                    joined_on,
                    standing,
                    expires_on,
                    standing_on: today,
                    visibility: if dice.chance(15) { r#"{"employer":"private","city":"private"}"# } else { "{}" }
                        .into(),
                },
                licences,
                certifications: vec![],
                group_ids: groups,
                terms,
            });
        }
        self.store.insert_members(&bundles, now).await?;
        Ok(())
    }
}

fn ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase()
}

fn new_term(tier_id: i64, term: Term, applied_on: Date, status: TermState, paid_on: Option<Date>) -> NewTerm {
    NewTerm {
        tier_id,
        starts_on: term.starts_on(),
        ends_on: term.ends_on(),
        applied_on,
        status,
        approved_on: None,
        paid_on,
        cancelled_on: None,
        rejected_on: None,
    }
}

fn invoice(tier_name: &str, dues: i64, term: Term, issued_on: Date, paid_on: Option<Date>) -> NewInvoice {
    NewInvoice {
        description: format!("{tier_name} membership, {} to {}", term.starts_on(), term.ends_on()),
        amount_cents: dues,
        status: if paid_on.is_some() { InvoiceStatus::Paid } else { InvoiceStatus::Open },
        issued_on,
        due_on: term.starts_on(),
        paid_on,
    }
}

fn as_record(n: usize, t: &NewTerm) -> TermRecord {
    TermRecord {
        id: i64::try_from(n).unwrap_or(0),
        member_id: 0,
        tier_id: t.tier_id,
        starts_on: t.starts_on,
        ends_on: t.ends_on,
        applied_on: t.applied_on,
        status: t.status,
        approved_on: t.approved_on,
        paid_on: t.paid_on,
        cancelled_on: t.cancelled_on,
        rejected_on: t.rejected_on,
        created_at: 0,
    }
}

/// What a demo applicant gave with an application for a tier that rests on their word.
fn demo_evidence(tier_index: usize, first: &str, last: &str, applied_on: Date) -> Vec<NewEvidence> {
    match DEMO_TIERS[tier_index].0 {
        "student" => {
            let school = "State University, BEng Civil Engineering";
            let started = applied_on - Duration::days(400);
            vec![NewEvidence {
                proof: Proof::EnrolmentDocument,
                statement: format!("Enrolled at {school} since {started}"),
                document: Some(EvidenceDocument {
                    file_name: "enrolment-letter.pdf".into(),
                    content_type: "application/pdf".into(),
                    content: enrolment_letter(&format!("{first} {last}"), school, started),
                }),
            }]
        }
        "retired" => vec![NewEvidence {
            proof: Proof::RetirementDeclaration,
            statement: "Declared: \"I have retired from paid engineering work.\"".into(),
            document: None,
        }],
        _ => Vec::new(),
    }
}

/// A one-page letter from a registrar confirming enrolment, as a real PDF.
fn enrolment_letter(student: &str, school: &str, since: Date) -> Vec<u8> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
    let (catalog, tree, page_id, font, content_id) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    page.parent(tree);
    page.contents(content_id);
    page.resources().fonts().pair(Name(b"F1"), font);
    page.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let lines = [
        format!("{school} - Office of the Registrar"),
        String::new(),
        "To whom it may concern,".to_string(),
        format!("This letter confirms that {student} has been enrolled full time"),
        format!("in our accredited engineering programme since {since}."),
        String::new(),
        "(Demo document generated by Guildhall.)".to_string(),
    ];
    let mut content = Content::new();
    content.begin_text();
    content.set_font(Name(b"F1"), 12.0);
    content.next_line(72.0, 760.0);
    for line in &lines {
        content.show(Str(line.as_bytes()));
        content.next_line(0.0, -18.0);
    }
    content.end_text();
    pdf.stream(content_id, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use guildhall_store::TierRecord;

    use super::DEMO_TIERS;
    use crate::membership::joining::domain_tier;

    #[test]
    fn demo_tiers_read_as_domain_tiers() {
        for (code, name, dues, approval, requirements) in DEMO_TIERS {
            let record = TierRecord {
                id: 1,
                code: code.into(),
                name: name.into(),
                annual_dues_cents: dues,
                requires_approval: approval,
                requirements: requirements.into(),
                sort_order: 0,
                created_at: 0,
                never_expires: false,
            };
            assert_eq!(domain_tier(&record).unwrap().requires_approval(), approval, "{code}");
        }
    }
}
