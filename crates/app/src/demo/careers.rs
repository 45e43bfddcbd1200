//! The demo's career centre: twelve employers (the chapter officer owns Lone Star Bridges, the
//! demo recruiter Gulf Coast Structural), about 300 jobs over the last seven months — about 180
//! live (staff-granted and paid runs, some featured, several asking for a Texas PE, which the
//! demo member holds), 60 filled, 60 whose runs ended — and a few drafts, an unpaid order and
//! jobs waiting for review, and an API token of Lone Star Bridges' applicant-tracking system,
//! so every careers page has something real to show.
//!
//! The history is written through the store with its own times (a job posted five weeks ago
//! was reviewed five weeks ago), each job built by the same domain parsers the employer's form
//! uses; what happens today (drafts, sending for review, a rejection, an order) goes through
//! the use cases. The resume bank: about 150 entries, half confidential, access for the demo
//! recruiter's employer and a few of its invitations (`seed_demo_resume_bank`).

use guildhall_domain::careers::ApplicationStage;
use guildhall_domain::careers::{ClosedReason, Need, ProductKind, SalaryRange, Wanted, parse_requirement};
use guildhall_domain::csv::members::Discipline;
use guildhall_domain::identity::Role;
use guildhall_domain::member::Jurisdiction;
use guildhall_store::{
    MemberFilter, NewApplication, NewAuditEntry, NewJob, NewProductOrder, NewResume, NewUser, OrderOf, PageRequest,
    StoreError,
};
use time::{Duration, OffsetDateTime};

use super::knowledge::one_page_pdf;
use super::{DEMO_RECRUITER, DEMO_SIGN_INS};
use crate::careers::{EmployerForm, JobForm, Purchase, RequirementRow, SharedFacts};
use crate::error::{AppError, AppResult};
use crate::{Actor, App};

/// (name, jurisdiction, city, disciplines it hires, about)
type DemoEmployer = (&'static str, &'static str, &'static str, &'static [Discipline], &'static str);

const EMPLOYERS: [DemoEmployer; 12] = [
    (
        "Lone Star Bridges",
        "US-TX",
        "Austin",
        &[Discipline::Structural, Discipline::Structural, Discipline::Civil, Discipline::Geotechnical],
        "Bridge design, load rating and inspection for TxDOT districts and counties since 1987.",
    ),
    (
        "Gulf Coast Structural",
        "US-TX",
        "Houston",
        &[Discipline::Structural, Discipline::Civil, Discipline::Mechanical, Discipline::Electrical],
        "Industrial structures, port facilities and hurricane-resistant buildings along the Gulf.",
    ),
    (
        "Cascade Water Engineering",
        "US-WA",
        "Seattle",
        &[Discipline::Environmental, Discipline::Civil, Discipline::Civil],
        "Water and wastewater treatment, stormwater and river restoration in the Pacific Northwest.",
    ),
    (
        "Keystone Transit Design",
        "US-PA",
        "Philadelphia",
        &[Discipline::Civil, Discipline::Electrical, Discipline::Structural],
        "Rail, transit stations and traction power for agencies across the Northeast.",
    ),
    (
        "Prairie Power & Light",
        "US-IL",
        "Chicago",
        &[Discipline::Electrical, Discipline::Electrical, Discipline::Mechanical],
        "A regional utility: transmission, substations, generation and grid modernisation.",
    ),
    (
        "Sunbelt Geotechnical",
        "US-AZ",
        "Phoenix",
        &[Discipline::Geotechnical, Discipline::Geotechnical, Discipline::Civil],
        "Foundations, pavements and materials testing for the desert Southwest.",
    ),
    (
        "Empire Mechanical Systems",
        "US-NY",
        "New York",
        &[Discipline::Mechanical, Discipline::Mechanical, Discipline::Electrical],
        "MEP design for high-rise, healthcare and laboratory buildings.",
    ),
    (
        "Pacific Seismic Consultants",
        "US-CA",
        "San Francisco",
        &[Discipline::Structural, Discipline::Structural, Discipline::Geotechnical],
        "Seismic evaluation and retrofit of buildings, hospitals and schools.",
    ),
    (
        "Great Lakes Environmental",
        "US-MI",
        "Detroit",
        &[Discipline::Environmental, Discipline::Chemical, Discipline::Civil],
        "Remediation, air permitting and process safety for manufacturers.",
    ),
    (
        "Peachtree Civil Group",
        "US-GA",
        "Atlanta",
        &[Discipline::Civil, Discipline::Civil, Discipline::Software],
        "Site development, roadway design and the software that keeps our drawings consistent.",
    ),
    (
        "Maple Leaf Engineering",
        "CA-ON",
        "Toronto",
        &[Discipline::Civil, Discipline::Mechanical, Discipline::Industrial],
        "Municipal infrastructure and manufacturing plants in Ontario.",
    ),
    (
        "Tidewater Surveying",
        "US-VA",
        "Norfolk",
        &[Discipline::Surveying, Discipline::Surveying, Discipline::Civil],
        "Boundary, topographic and hydrographic surveys from the Chesapeake to the Outer Banks.",
    ),
];

/// The hiring contact of each employer after the first two (their accounts sign in with the
/// demo password too).
const CONTACTS: [&str; 10] = [
    "Hana Lindqvist",
    "Marcus Bell",
    "Olivia Grant",
    "Tomás Herrera",
    "Grace Whitaker",
    "Kenji Morita",
    "Amara Osei",
    "Lucy Tran",
    "Ethan MacLeod",
    "Rosa Delgado",
];

/// Other places a job may be, with a city.
const PLACES: [(&str, &str); 12] = [
    ("US-TX", "Dallas"),
    ("US-TX", "San Antonio"),
    ("US-FL", "Tampa"),
    ("US-FL", "Orlando"),
    ("US-CO", "Denver"),
    ("US-NC", "Raleigh"),
    ("US-OH", "Columbus"),
    ("US-TN", "Nashville"),
    ("US-MN", "Minneapolis"),
    ("US-MA", "Boston"),
    ("US-OK", "Tulsa"),
    ("US-NJ", "Newark"),
];

/// xorshift64*, so the demo is the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

fn titles(discipline: Discipline) -> &'static [&'static str] {
    match discipline {
        Discipline::Civil => &[
            "Civil Engineer",
            "Transportation Engineer",
            "Roadway Design Engineer",
            "Drainage Engineer",
            "Site Development Engineer",
        ],
        Discipline::Structural => &["Structural Engineer", "Bridge Engineer", "Bridge Inspection Engineer"],
        Discipline::Mechanical => &["Mechanical Engineer", "HVAC Design Engineer", "Plumbing Engineer"],
        Discipline::Electrical => &[
            "Electrical Engineer",
            "Power Systems Engineer",
            "Substation Engineer",
            "Protection and Controls Engineer",
        ],
        Discipline::Environmental => &["Environmental Engineer", "Water Resources Engineer", "Wastewater Engineer"],
        Discipline::Geotechnical => &["Geotechnical Engineer", "Pavement Engineer"],
        Discipline::Surveying => &["Land Surveyor", "Survey Project Manager"],
        Discipline::Chemical => &["Process Engineer", "Process Safety Engineer"],
        Discipline::Software => &["Engineering Software Developer", "BIM Automation Engineer"],
        _ => &["Manufacturing Engineer", "Reliability Engineer"],
    }
}

/// What a generated job is to become.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Live,
    Filled,
    Expired,
}

/// A generated job: its form (as an employer would type it) and employer.
struct DemoJob {
    employer: usize,
    form: JobForm,
}

/// A job as employer `employer` might post it.
fn demo_job(dice: &mut Dice, employer: usize, programmes: &[String]) -> DemoJob {
    let (_, home, home_city, disciplines, _) = EMPLOYERS[employer];
    let discipline = disciplines[dice.below(disciplines.len())];
    let base = titles(discipline)[dice.below(titles(discipline).len())];
    let stage = match dice.below(20) {
        0..=1 => "student",
        2..=6 => "eit",
        7..=17 => "licensed",
        _ => "other",
    };
    let (jurisdiction, city) = match dice.below(10) {
        0..=6 => (home, home_city),
        _ => PLACES[dice.below(PLACES.len())],
    };
    let remote = match (stage, dice.below(20)) {
        ("student", _) => "on_site",
        (_, 0..=2) => "remote",
        (_, 3..=7) => "hybrid",
        _ => "on_site",
    };
    // Remote jobs say no place half of the time.
    let (jurisdiction, city) = if remote == "remote" && dice.one_in(2) { ("", "") } else { (jurisdiction, city) };
    let level = ["Senior", "Project", "Lead", "Principal"][dice.below(4)];
    let title = match stage {
        "student" => format!("Summer Intern, {base}"),
        "eit" => format!("{base} I (EIT)"),
        "licensed" => format!("{level} {base}"),
        _ => format!("{base} Technician"),
    };
    // Pay: interns and technicians by the hour, the rest by the year.
    let step = |lo: u64, hi: u64, dice: &mut Dice| lo + (dice.next() % (hi - lo + 1));
    let (min, max, period) = match stage {
        "student" => {
            let min = step(20, 27, dice);
            (min, min + step(2, 6, dice), "hour")
        }
        "other" => {
            let min = step(26, 38, dice);
            (min, min + step(4, 10, dice), "hour")
        }
        "eit" => {
            let min = step(64, 80, dice) * 1_000;
            (min, min + step(8, 18, dice) * 1_000, "year")
        }
        _ => {
            let min = step(92, 140, dice) * 1_000;
            (min, min + step(15, 45, dice) * 1_000, "year")
        }
    };
    let mut requirements = Vec::new();
    let row = |need: &str, what: &str, jurisdiction: &str| RequirementRow {
        need: need.into(),
        what: what.into(),
        jurisdiction: jurisdiction.into(),
    };
    if stage == "licensed" {
        let kind = match (discipline, jurisdiction) {
            (Discipline::Surveying, _) => "PLS",
            (_, "CA-ON") => "P.Eng",
            _ => "PE",
        };
        match (jurisdiction, dice.below(10)) {
            // Texas jobs for licensed engineers ask for a Texas licence.
            ("US-TX", _) => requirements.push(row("required", kind, "US-TX")),
            ("", _) | (_, 0..=2) => requirements.push(row("required", kind, "")),
            (_, 3..=7) => requirements.push(row("required", kind, jurisdiction)),
            _ => {}
        }
        if discipline == Discipline::Structural && dice.one_in(2) {
            requirements.push(row("preferred", "SE", ""));
        }
    } else if stage == "eit" && dice.one_in(4) {
        requirements.push(row("preferred", "PE", jurisdiction));
    }
    let certification = |wanted: &str| {
        programmes
            .iter()
            .find(|p| p.to_ascii_lowercase().contains(wanted))
            .or_else(|| programmes.first())
            .map(|p| format!("{}{p}", guildhall_domain::careers::CERTIFICATION_PREFIX))
    };
    if stage != "student" {
        match dice.below(12) {
            0 if stage == "licensed" => {
                requirements.extend(certification("pmp").map(|c| row("required", &c, "")));
            }
            1 | 2 => requirements.extend(certification("pmp").map(|c| row("preferred", &c, ""))),
            3 if matches!(discipline, Discipline::Mechanical | Discipline::Environmental | Discipline::Civil) => {
                requirements.extend(certification("leed").map(|c| row("preferred", &c, "")))
            }
            _ => {}
        }
    }
    let place = match (city, jurisdiction) {
        ("", _) => "remotely, anywhere in the country".to_string(),
        (city, j) => {
            format!("in {city}{}", Jurisdiction::parse(j).map(|j| format!(", {}", j.name())).unwrap_or_default())
        }
    };
    let description = format!(
        "{} is hiring a **{title}** to work {place}.\n\n\
         ## What you will do\n\n\
         - Design and check {} work from concept to construction documents\n\
         - Coordinate with clients, contractors and the other disciplines on the team\n\
         - Visit sites, review submittals and answer contractors' questions\n\n\
         ## What we offer\n\n\
         A mentor from your first day, paid PDH and licence renewals, and a pay range stated up front.\n",
        EMPLOYERS[employer].0,
        discipline.as_str(),
    );
    DemoJob {
        employer,
        form: JobForm {
            title,
            description,
            discipline: discipline.as_str().into(),
            career_stage: stage.into(),
            jurisdiction: jurisdiction.into(),
            city: city.into(),
            remote: remote.into(),
            salary_min: min.to_string(),
            salary_max: max.to_string(),
            pay_period: period.into(),
            closes_on: String::new(),
            requirements,
        },
    }
}

impl App {
    /// The job a form describes, read by the domain's parsers as the employer's form is
    /// (the demo's generated forms are valid; a problem is a bug here).
    async fn demo_new_job(&self, form: &JobForm, programmes: &[String]) -> AppResult<NewJob> {
        let bad = |what: &str| AppError::Internal(format!("demo job {:?}: {what}", form.title));
        let discipline = Discipline::parse(&form.discipline).ok_or_else(|| bad("discipline"))?;
        let jurisdiction = match form.jurisdiction.as_str() {
            "" => None,
            j => Some(Jurisdiction::parse(j).map_err(|_| bad("jurisdiction"))?),
        };
        let salary =
            SalaryRange::parse(&form.salary_min, &form.salary_max, &form.pay_period).map_err(|_| bad("salary"))?;
        let mut requirements: Vec<(Need, Wanted)> = Vec::new();
        for row in &form.requirements {
            if let Some(r) =
                parse_requirement(&row.need, &row.what, &row.jurisdiction, programmes).map_err(|e| bad(&e))?
                && !requirements.iter().any(|(_, w)| w.key() == r.wanted.key())
            {
                requirements.push((r.need, r.wanted));
            }
        }
        let (annual_min_cents, annual_max_cents) = salary.annual_cents();
        let closes_on = match form.closes_on.as_str() {
            "" => None,
            raw => Some(
                time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|_| bad("closing date"))?,
            ),
        };
        Ok(NewJob {
            title: form.title.clone(),
            description_md: form.description.clone(),
            discipline,
            career_stage: form.career_stage.clone(),
            jurisdiction,
            city: form.city.clone(),
            remote: guildhall_domain::careers::RemotePolicy::from_code(&form.remote).ok_or_else(|| bad("remote"))?,
            salary_min_cents: salary.min_cents,
            salary_max_cents: salary.max_cents,
            pay_period: salary.period,
            currency: self.currency().await,
            annual_min_cents,
            annual_max_cents,
            closes_on,
            requirements,
        })
    }

    /// The career centre's employers, jobs in every state, orders and the review queue.
    pub(super) async fn seed_demo_careers(&self, staff: &Actor) -> AppResult<()> {
        let now = self.clock.unix();
        let hash = self.store.user_by_email(DEMO_SIGN_INS[0].email).await?.map(|u| u.password_hash).unwrap_or_default();
        let officer = self
            .store
            .user_by_email(DEMO_SIGN_INS[1].email)
            .await?
            .ok_or_else(|| AppError::Internal("the demo officer is missing".into()))?;
        let mut owners = vec![Actor::for_account(officer.id, &officer.email, &officer.display_name, Role::Member)];
        let contacts = std::iter::once(("Jamie Castillo", DEMO_RECRUITER.email.to_string())).chain(
            CONTACTS.iter().zip(&EMPLOYERS[2..]).map(|(name, employer)| {
                let domain: String =
                    employer.0.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
                (*name, format!("careers@{domain}.example.com"))
            }),
        );
        for (name, email) in contacts {
            let user = NewUser {
                email: email.clone(),
                display_name: name.into(),
                password_hash: hash.clone(),
                role: Role::Member.as_str().into(),
                email_verified_at: Some(now),
            };
            let id = self.store.create_user(&user, None, None, now).await?;
            owners.push(Actor::for_account(id, &email, name, Role::Member));
        }
        let mut employer_ids = Vec::new();
        for ((name, _, _, _, about), owner) in EMPLOYERS.iter().zip(&owners) {
            let slug: String = name.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
            let form = EmployerForm {
                name: (*name).into(),
                website: format!("https://www.{slug}.example.com"),
                about: (*about).into(),
            };
            employer_ids.push(self.create_employer(owner, &form, "demo").await?);
        }
        // The demo recruiter also recruits for Lone Star Bridges.
        self.add_recruiter(&owners[0], employer_ids[0], DEMO_RECRUITER.email, false, "demo").await?;
        // Its applicant-tracking system posts with an API token of the employer's (the secret
        // is not kept; the tokens page lists it).
        self.issue_employer_token(&owners[0], employer_ids[0], "Greenhouse", Some(365), "demo").await?;

        let products = self.products_of(ProductKind::Job, true).await?;
        let product = |code: &str| {
            products.iter().find(|p| p.code == code).ok_or_else(|| AppError::Internal(format!("no product {code}")))
        };
        let programmes: Vec<String> = self.ce_certification_programmes().into_iter().map(|(code, _)| code).collect();
        let mut dice = Dice(0xCA_4EE5_2026);
        let day = 86_400;
        let at = |audit: NewAuditEntry, when: i64, subject: i64, label: &str| NewAuditEntry {
            occurred_at: when,
            subject_id: Some(subject),
            subject_label: label.into(),
            ..audit
        };
        let date_of =
            |unix: i64| OffsetDateTime::from_unix_timestamp(unix).map(|t| t.date()).unwrap_or(self.clock.today());

        // 300 jobs: three in five live, one in five filled, one in five run out.
        let mut live = Vec::new();
        for i in 0..300usize {
            let fate = match i % 5 {
                0..=2 => Fate::Live,
                3 => Fate::Filled,
                _ => Fate::Expired,
            };
            let pick = dice.below(14);
            let employer = if pick >= 12 { pick - 12 } else { pick };
            let mut job = demo_job(&mut dice, employer, &programmes);
            let owner = &owners[job.employer];
            let employer_id = employer_ids[job.employer];
            let hour = i64::try_from(dice.below(10)).unwrap_or(0) * 3_600;
            // When it was posted (approved and its run started), and run for how many days.
            let ago = match fate {
                Fate::Live => i64::try_from(dice.below(40)).unwrap_or(0),
                Fate::Filled => 30 + i64::try_from(dice.below(120)).unwrap_or(0),
                Fate::Expired => 95 + i64::try_from(dice.below(110)).unwrap_or(0),
            };
            let posted = now - ago * day - hour;
            let days: i64 = match fate {
                Fate::Live if ago < 25 => 30,
                Fate::Live => 60,
                Fate::Filled => 90,
                Fate::Expired if dice.one_in(2) => 30,
                Fate::Expired => 60,
            };
            if fate == Fate::Live && dice.one_in(4) {
                let in_days = 10 + i64::try_from(i % 50).unwrap_or(0);
                job.form.closes_on = (self.clock.today() + Duration::days(in_days)).to_string();
            }
            let new = self.demo_new_job(&job.form, &programmes).await?;
            let created = posted - (1 + i64::try_from(dice.below(3)).unwrap_or(0)) * day;
            let audit = self.audit_entry(owner, "job.created", "job", "demo");
            let audit = at(audit, created, 0, &format!("{} — {}", new.title, EMPLOYERS[job.employer].0));
            let id = self.store.create_job(employer_id, &new, true, owner.user_id, created, &audit).await?;
            let label = format!("{} — {}", new.title, EMPLOYERS[job.employer].0);
            // One live job in three was ordered and paid for (one in three of those featured);
            // the rest, and every older one, had a run granted at approval.
            let paid = fate == Fate::Live && i % 3 == 0 && ago < 25;
            let audit = at(self.audit_entry(staff, "job.approved", "job", "demo"), posted, id, &label);
            let run = if paid { None } else { Some(days) };
            self.store.review_job(id, true, "", run, staff.user_id, posted, &audit).await?;
            if paid {
                let code = if i % 9 == 0 { "job-30-featured" } else { "job-30" };
                let product = product(code)?;
                let description = format!("Job posting, {}: {label}", product.name);
                let order = NewProductOrder {
                    of: OrderOf::Job(id),
                    product,
                    price_cents: product.price_cents,
                    ordered_by: owner.user_id,
                    description: &description,
                    today: date_of(posted),
                    due_on: date_of(posted) + Duration::days(30),
                };
                self.demo_paid_order(staff, &order, posted).await?;
            }
            if fate == Fate::Live {
                live.push((id, job.employer, posted));
            }
            if fate == Fate::Filled {
                let closed = posted + (10 + i64::try_from(dice.below(15)).unwrap_or(0)) * day;
                let audit = at(self.audit_entry(owner, "job.closed", "job", "demo"), closed, id, &label);
                self.store.close_job(id, Some(employer_id), ClosedReason::Filled, closed, &audit).await?;
            }
        }

        self.seed_demo_applications(&live, &owners, &mut dice).await?;

        // Today: drafts, jobs sent for review, one sent back, and an order waiting to be paid.
        let mut pending = Vec::new();
        for i in 0..14usize {
            let employer = [0, 1, 1, 2, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11][i];
            let job = demo_job(&mut dice, employer, &programmes);
            let submit = i % 2 == 0;
            let id = self.create_job(&owners[employer], employer_ids[employer], &job.form, submit, "demo").await?;
            if submit {
                pending.push((employer, id));
            }
        }
        // Gulf Coast Structural's first was sent back with a note, and sent again after changes.
        if let Some((_, id)) = pending.iter().find(|(e, _)| *e == 1).copied() {
            self.review_job(
                staff,
                id,
                false,
                "Please state whether the role needs a Texas PE at hiring or within a year.",
                "",
                "demo",
            )
            .await?;
        }
        // Lone Star Bridges ordered 60 days for a job waiting for review: it runs once approved
        // and paid.
        if let Some((_, id)) = pending.iter().find(|(e, _)| *e == 0).copied() {
            self.order_product(&owners[0], Purchase::JobRun { employer_id: employer_ids[0], job_id: id }, "job-60")
                .await?;
        }
        // Jobs were approved, run and closed through the store above.
        self.forget_live_jobs();
        Ok(())
    }

    /// An order placed at `at`, its invoice paid by transfer (recorded by staff) and the
    /// order started then, as the minute job would.
    async fn demo_paid_order(&self, staff: &Actor, order: &NewProductOrder<'_>, at: i64) -> AppResult<()> {
        let id = self.store.order_product(order, at).await?;
        let orders = self.store.product_orders(order.of).await?;
        if let Some(invoice) = orders.into_iter().find(|o| o.id == id).and_then(|o| o.invoice_id) {
            let audit = self.audit_entry(staff, "invoice.paid_offline", "invoice", "demo");
            self.settle_offline(staff, invoice, "transfer", &format!("DEMO-{invoice}"), audit).await?;
        }
        self.store.start_paid_orders(order.of.kind(), Some(order.of.key()), at).await?;
        Ok(())
    }
}

impl App {
    /// About 400 applications to the live jobs from the society's members, each with its
    /// resume, moved by the employer's recruiters through every stage (some withdrawn); Maya
    /// has applied for two, one of them now at interview.
    async fn seed_demo_applications(
        &self,
        live: &[(i64, usize, i64)],
        owners: &[Actor],
        dice: &mut Dice,
    ) -> AppResult<()> {
        if live.is_empty() {
            return Ok(());
        }
        let now = self.clock.unix();
        let today = self.clock.today();
        let members = self.store.search_members(&MemberFilter::default(), PageRequest::new(1, 200)).await?.items;
        let maya = match self.store.user_by_email(DEMO_SIGN_INS[0].email).await? {
            Some(user) => self.store.member_by_user(user.id).await?.map(|m| (m.id, user.id)),
            None => None,
        };
        let mut applicants: Vec<(i64, Option<i64>, String)> =
            members.iter().map(|m| (m.id, None, format!("{} {}", m.first_name, m.last_name))).collect();
        if let Some((member_id, user_id)) = maya {
            applicants.retain(|(id, _, _)| *id != member_id);
            applicants.insert(0, (member_id, Some(user_id), "Maya Okafor".into()));
        }
        let shared = serde_json::to_string(&SharedFacts { facts: Vec::new(), as_of: today.to_string() })
            .map_err(|e| AppError::Internal(e.to_string()))?;
        use ApplicationStage::*;
        let paths: [&[ApplicationStage]; 7] = [
            &[],
            &[Reviewing],
            &[Reviewing, Interview],
            &[Reviewing, NotSelected],
            &[Reviewing, Interview, Offer],
            &[Reviewing, Interview, Offer, Hired],
            &[Reviewing, Interview, NotSelected],
        ];
        for n in 0..400usize {
            // Maya's two come first: the newest live jobs of the demo recruiter's employers.
            let (member_id, user_id, name) = match n {
                0 | 1 => applicants[0].clone(),
                _ => applicants[1 + dice.below(applicants.len().saturating_sub(1).max(1))].clone(),
            };
            let (job_id, employer, posted) = match n {
                0 | 1 => live.iter().filter(|(_, e, _)| *e == n).max_by_key(|(_, _, p)| *p).copied().unwrap_or(live[n]),
                _ => live[dice.below(live.len())],
            };
            let sent = posted
                + 3_600
                + i64::try_from(dice.below(usize::try_from((now - posted).max(7_200) / 2).unwrap_or(7_200)))
                    .unwrap_or(0);
            let application = NewApplication {
                job_id,
                member_id,
                resume: NewResume {
                    file_name: format!("{}-resume.pdf", name.to_ascii_lowercase().replace(' ', "-")),
                    content_type: "application/pdf".into(),
                    content: one_page_pdf(&name, "Professional engineer", "Resume (demo)."),
                },
                cover_letter: "I would welcome the chance to bring my experience to this role.".into(),
                shared_facts: shared.clone(),
            };
            let id = match self.store.apply_to_job(&application, user_id, sent.min(now), today).await {
                Ok(Some(id)) => id,
                // The same member drawn twice for one job: one application each.
                Ok(None) | Err(StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.into()),
            };
            let path = match n {
                0 => paths[2],
                1 => paths[0],
                _ => paths[dice.below(paths.len())],
            };
            let mut from = Submitted;
            let mut at = sent.min(now);
            let recruiter = owners[employer].user_id;
            for &to in path {
                at = (at + 86_400 * (1 + i64::try_from(dice.below(4)).unwrap_or(0))).min(now);
                let message = match to {
                    Interview => "Could you come in next week? We will send times.",
                    Offer => "We are pleased to offer you the position.",
                    _ => "",
                };
                self.store.move_application(id, job_id, (from, to), recruiter, message, at).await?;
                from = to;
            }
            if n > 1 && path.len() < 2 && dice.one_in(8) {
                self.store.withdraw_application(id, member_id, user_id, at).await?;
            }
        }
        Ok(())
    }
}

/// Summaries the demo's resume bank entries are written from (no names, no employers).
const BANK_SUMMARIES: [&str; 8] = [
    "Design engineer who enjoys taking a project from concept through construction support.",
    "Ten years of field and office work; looking for a team that values mentoring.",
    "Calculations, drawings and site visits; comfortable leading small teams.",
    "Moving towards licensure and looking for varied project experience.",
    "Specialist in inspection and rehabilitation of existing structures.",
    "Project engineer with client-facing experience and a steady record of on-time delivery.",
    "Interested in sustainable design, life-cycle cost and resilient infrastructure.",
    "Analysis and modelling background; happy to travel for site work.",
];

impl App {
    /// The demo's resume bank: about 150 entries (half confidential, every other one named),
    /// access for the demo recruiter's employer (Gulf Coast Structural, 90 days, paid), and a
    /// few invitations it sent, answered and not.
    pub(super) async fn seed_demo_resume_bank(&self, staff: &Actor) -> AppResult<()> {
        use guildhall_domain::careers::salary::Region;
        use guildhall_domain::csv::members::parse_career_stage;
        use guildhall_store::NewBankEntry;

        let now = self.clock.unix();
        let day = 86_400;
        let mut dice = Dice(0xBA4C_2026);
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let members = self.store.members_for_demo_bank(150).await?;
        let mut refs = Vec::new();
        for (i, (member_id, disciplines, stage)) in members.iter().enumerate() {
            let discipline = disciplines
                .split(';')
                .find_map(|d| Discipline::parse(d.trim()))
                .unwrap_or(Discipline::ALL[dice.below(Discipline::ALL.len())]);
            let stage =
                parse_career_stage(stage).map(guildhall_domain::csv::members::career_stage_code).unwrap_or("other");
            let public_ref: String = (0..8).map(|_| ALPHABET[dice.below(ALPHABET.len())] as char).collect::<String>();
            let public_ref = format!("RB-{public_ref}");
            let entry = NewBankEntry {
                member_id: *member_id,
                public_ref: &public_ref,
                resume_id: None,
                confidential: i % 2 == 0,
                summary: BANK_SUMMARIES[dice.below(BANK_SUMMARIES.len())],
                discipline,
                career_stage: stage,
                years_experience: i64::try_from(dice.below(30)).unwrap_or(0) + 1,
                region: Region::ALL[dice.below(Region::ALL.len())],
            };
            let joined = now - i64::try_from(dice.below(120)).unwrap_or(0) * day;
            self.store.save_bank_entry(&entry, joined).await?;
            refs.push(public_ref);
        }

        // Gulf Coast Structural bought 90 days of access a week ago, paid by transfer.
        let recruiter = self
            .store
            .user_by_email(DEMO_RECRUITER.email)
            .await?
            .ok_or_else(|| AppError::Internal("the demo recruiter is missing".into()))?;
        let employer_id = self
            .store
            .employer_roles(recruiter.id)
            .await?
            .into_iter()
            .find(|r| r.is_owner)
            .map(|r| r.employer_id)
            .ok_or_else(|| AppError::Internal("the demo recruiter owns no employer".into()))?;
        let products = self.products_of(ProductKind::ResumeBank, true).await?;
        let product = products
            .iter()
            .find(|p| p.code == "bank-90")
            .ok_or_else(|| AppError::Internal("no bank-90 product".into()))?;
        let bought = now - 7 * day;
        let bought_on = OffsetDateTime::from_unix_timestamp(bought).map(|t| t.date()).unwrap_or(self.clock.today());
        let order = NewProductOrder {
            of: OrderOf::ResumeBank(employer_id),
            product,
            price_cents: product.price_cents,
            ordered_by: recruiter.id,
            description: &format!("{}: Gulf Coast Structural", product.name),
            today: bought_on,
            due_on: bought_on + Duration::days(30),
        };
        self.demo_paid_order(staff, &order, bought).await?;

        // A few invitations to its live jobs: two waiting, one accepted, one declined, and one
        // sent five weeks ago to a job live since then, never answered: expired.
        let jobs: Vec<(i64, Option<i64>)> = self
            .store
            .employer_jobs(employer_id)
            .await?
            .into_iter()
            .filter(|j| self.job_state(j).is_live())
            .map(|j| (j.id, j.live_from))
            .collect();
        let since =
            |at: i64| jobs.iter().filter(move |(_, from)| from.is_some_and(|from| from <= at)).map(|(id, _)| *id);
        let live: Vec<i64> = since(now - day).collect();
        if let (Some(job), Some(public_ref)) = (since(now - 36 * day).next(), refs.get(4)) {
            let sent = now - 35 * day;
            let today = OffsetDateTime::from_unix_timestamp(sent).map(|t| t.date()).unwrap_or(self.clock.today());
            self.store.invite_from_bank(employer_id, public_ref, job, "", recruiter.id, sent, today).await?;
        }
        if let Some(job) = live.first() {
            for (k, public_ref) in refs.iter().take(4).enumerate() {
                let sent = now - i64::try_from(4 - k).unwrap_or(0) * 3_600;
                let outcome = self
                    .store
                    .invite_from_bank(employer_id, public_ref, *job, "", recruiter.id, sent, self.clock.today())
                    .await?;
                if let guildhall_store::InvitationOutcome::Sent { id, member_id } = outcome {
                    match k {
                        2 => {
                            self.store.answer_invitation(id, member_id, true, sent + 1_800).await?;
                        }
                        3 => {
                            self.store.answer_invitation(id, member_id, false, sent + 1_800).await?;
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}
