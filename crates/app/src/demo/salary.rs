//! The demo's salary survey: last year's, released (figures on the benchmark), and this
//! year's, closed and waiting out its three months: about 3,000 responses over about 400
//! employers, generated deterministically (imported rows, so no member's record is touched).

use guildhall_domain::careers::salary::{ResponseInput, SurveyAnswers, SurveyStatus};
use guildhall_domain::csv::members::Discipline;
use guildhall_domain::csv::salary::ImportedResponse;
use time::Duration;

use crate::error::{AppError, AppResult};
use crate::{Actor, App};

const FIRST: [&str; 20] = [
    "Summit",
    "Keystone",
    "Riverbend",
    "Ironwood",
    "Bluewater",
    "Granite",
    "Meridian",
    "Pioneer",
    "Cedar",
    "Harbor",
    "Northgate",
    "Silverline",
    "Crestview",
    "Redstone",
    "Lakeshore",
    "Highland",
    "Westfield",
    "Oakmont",
    "Beacon",
    "Stonebridge",
];
const SECOND: [&str; 20] = [
    "Engineering",
    "Structures",
    "Consulting",
    "Design Group",
    "Infrastructure",
    "Partners",
    "Associates",
    "Systems",
    "Energy",
    "Water",
    "Transit",
    "Geotechnical",
    "Power",
    "Civil",
    "Technologies",
    "Builders",
    "Surveying",
    "Environmental",
    "Manufacturing",
    "Utilities",
];
const PLACES: [&str; 24] = [
    "US-TX", "US-TX", "US-CA", "US-CA", "US-NY", "US-FL", "US-OH", "US-PA", "US-IL", "US-NC", "US-GA", "US-WA",
    "US-CO", "US-MA", "US-MN", "US-TN", "US-AZ", "US-VA", "US-MI", "US-MO", "US-OK", "CA-ON", "CA-BC", "UK",
];
const SECTORS: [&str; 7] =
    ["consulting", "consulting", "industry", "construction", "government", "utility", "academia"];
const SIZES: [&str; 6] = ["1-9", "10-49", "50-249", "250-999", "1000-4999", "5000+"];
const FUNCTIONS: [&str; 5] = ["design", "project_management", "construction", "operations", "management"];

/// xorshift64*, so the demo is the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

/// `n` generated responses for a survey (`salt` makes each year's differ).
fn responses(n: usize, salt: u64, raise: f64) -> AppResult<Vec<ImportedResponse>> {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ salt);
    let disciplines = [
        Discipline::Civil,
        Discipline::Civil,
        Discipline::Civil,
        Discipline::Structural,
        Discipline::Structural,
        Discipline::Mechanical,
        Discipline::Mechanical,
        Discipline::Electrical,
        Discipline::Electrical,
        Discipline::Environmental,
        Discipline::Geotechnical,
        Discipline::Chemical,
        Discipline::Software,
        Discipline::Surveying,
    ];
    let mut out = Vec::with_capacity(n);
    // A few large employers, many small ones: ~400 in all, one per 25 responses in a larger
    // survey (the benchmark's).
    let employers = (n / 25).max(400);
    for i in 0..n {
        let employer = ((dice.unit().powf(1.6)) * employers as f64) as usize % employers;
        let name = match employer / 400 {
            0 => format!("{} {}", FIRST[employer % 20], SECOND[(employer / 20) % 20]),
            n => format!("{} {} {n}", FIRST[employer % 20], SECOND[(employer / 20) % 20]),
        };
        let years = (dice.unit().powf(1.3) * 38.0) as i64;
        let discipline = disciplines[dice.below(disciplines.len())];
        let licences: Vec<String> = match (discipline, years, dice.below(10)) {
            (Discipline::Structural, y, r) if y > 10 && r < 4 => vec!["PE".into(), "SE".into()],
            (Discipline::Surveying, _, r) if r < 7 => vec!["PLS".into()],
            (_, y, r) if y > 4 && r < 6 => vec!["PE".into()],
            _ => Vec::new(),
        };
        let place = PLACES[dice.below(PLACES.len())];
        let education = match dice.below(10) {
            0 => "below_bachelor",
            1..=5 => "bachelor",
            6..=8 => "master",
            _ => "doctorate",
        };
        let y = years as f64;
        let mut pay = 68_000.0 * (1.0 + 0.045 * y - 0.0007 * y * y) * raise;
        pay *= match education {
            "below_bachelor" => 0.85,
            "master" => 1.08,
            "doctorate" => 1.15,
            _ => 1.0,
        };
        pay *= if licences.is_empty() { 1.0 } else { 1.09 };
        pay *= match place {
            "US-CA" | "US-NY" | "US-MA" | "US-WA" => 1.18,
            "US-OK" | "US-TN" | "US-MO" => 0.9,
            "CA-ON" | "CA-BC" => 1.05,
            "UK" => 0.62,
            _ => 1.0,
        };
        // Noise: the sum of four uniforms, about ±12 %.
        let noise: f64 = (0..4).map(|_| dice.unit()).sum::<f64>() / 4.0 - 0.5;
        pay *= 1.0 + noise * 0.5;
        let bonus = if dice.below(3) == 0 { pay * 0.06 * dice.unit() } else { 0.0 };
        let input = ResponseInput {
            base_pay: format!("{}", (pay / 100.0).round() * 100.0),
            bonus: format!("{}", (bonus / 100.0).round() * 100.0),
            hours_per_week: if dice.below(12) == 0 { "30".into() } else { "40".into() },
            employer_name: name,
            employer_size: SIZES[employer % SIZES.len()].into(),
            sector: SECTORS[employer % SECTORS.len()].into(),
            discipline: discipline.as_str().into(),
            function: FUNCTIONS[dice.below(FUNCTIONS.len())].into(),
            licences,
            years_experience: years.to_string(),
            education: education.into(),
            jurisdiction: place.into(),
        };
        let answers =
            SurveyAnswers::parse(&input).map_err(|p| AppError::Internal(format!("demo salary response {i}: {p:?}")))?;
        out.push(ImportedResponse { import_ref: format!("demo-{salt}-{i}"), answers });
    }
    Ok(out)
}

impl App {
    /// A closed survey of `n` generated responses for next year, closed four months ago, so
    /// it can be released at once and is the latest (`guildhall bench salary`); its id.
    pub async fn seed_benchmark_salary_survey(&self, staff: &Actor, n: usize) -> AppResult<i64> {
        let today = self.clock.today();
        let (closes, year) = (today - Duration::days(122), today.year() + 1);
        let audit = self.audit_entry(staff, "salary.survey_created", "salary_survey", "bench");
        let currency = self.salary_zone().await.code();
        let id = self
            .store
            .create_salary_survey(year, currency, closes - Duration::days(60), closes, self.clock.unix(), &audit)
            .await?;
        let rows = responses(n, 7_919, 1.0)?;
        for chunk in rows.chunks(5_000) {
            self.store.import_salary_responses(id, chunk, self.clock.unix(), &audit).await?;
        }
        self.store.move_salary_survey(id, SurveyStatus::Draft, SurveyStatus::Open, today, &audit).await?;
        self.store.move_salary_survey(id, SurveyStatus::Open, SurveyStatus::Closed, today, &audit).await?;
        Ok(id)
    }

    /// Last year's survey, released, and this year's, closed.
    pub(super) async fn seed_demo_salary(&self, staff: &Actor) -> AppResult<()> {
        let today = self.clock.today();
        let now = self.clock.unix();
        let year = today.year();
        let currency = self.salary_zone().await.code();
        let audit = self.audit_entry(staff, "salary.survey_created", "salary_survey", "demo");
        for (y, closes, n, raise, release) in [
            (year - 1, today - Duration::days(200), 2_000, 1.0, true),
            (year, today - Duration::days(20), 1_000, 1.035, false),
        ] {
            let opens = closes - Duration::days(60);
            let id = self.store.create_salary_survey(y, currency, opens, closes, now, &audit).await?;
            let rows = responses(n, u64::try_from(y).unwrap_or(0), raise)?;
            self.store.import_salary_responses(id, &rows, now, &audit).await?;
            self.store.move_salary_survey(id, SurveyStatus::Draft, SurveyStatus::Open, today, &audit).await?;
            self.store.move_salary_survey(id, SurveyStatus::Open, SurveyStatus::Closed, today, &audit).await?;
            if release {
                self.release_salary_survey(staff, id, "demo").await?;
            }
        }
        Ok(())
    }
}
