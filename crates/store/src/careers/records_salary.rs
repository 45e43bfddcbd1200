//! The salary survey's rows.

use guildhall_domain::careers::salary::SurveyStatus;
use time::Date;

use crate::UnixTime;

/// A survey, with how many responses it has.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalarySurveyRecord {
    pub id: i64,
    pub year: i64,
    pub currency: String,
    pub opens_on: Date,
    pub closes_on: Date,
    #[sqlx(try_from = "String")]
    pub status: SurveyStatus,
    pub released_at: Option<UnixTime>,
    pub created_at: UnixTime,
    pub responses: i64,
}

/// A survey without its count of responses: what members' pages read (the benchmark, the
/// survey form) on every request, where counting a large survey's responses would cost more
/// than everything else the page reads.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalarySurveyRow {
    pub id: i64,
    pub year: i64,
    pub currency: String,
    pub opens_on: Date,
    pub closes_on: Date,
    #[sqlx(try_from = "String")]
    pub status: SurveyStatus,
    pub released_at: Option<UnixTime>,
    pub created_at: UnixTime,
}

/// A response as its respondent (or the release builder, or the data download) reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalaryResponseRecord {
    pub id: i64,
    pub survey_id: i64,
    pub member_id: Option<i64>,
    pub base_pay_cents: i64,
    pub bonus_cents: i64,
    pub hours_per_week: i64,
    pub employer_name: String,
    pub employer_key: String,
    pub employer_size: String,
    pub sector: String,
    pub discipline: String,
    pub job_function: String,
    pub licences: String,
    pub licence_class: String,
    pub years_experience: i64,
    pub education: String,
    pub jurisdiction: String,
    pub region: String,
    pub zone: String,
    pub submitted_at: UnixTime,
}

/// What the release builder reads of a response: its place, employer and pay; no name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalaryReleaseRow {
    pub zone: String,
    pub discipline: String,
    pub licence_class: String,
    pub years_experience: i64,
    pub region: String,
    pub sector: String,
    pub education: String,
    pub hours_per_week: i64,
    pub employer_key: String,
    pub base_pay_cents: i64,
    pub bonus_cents: i64,
}

/// An employer as staff review the names: the key, one name given for it, and how many
/// responses gave that name (never pay).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalaryEmployerName {
    pub employer_key: String,
    pub employer_name: String,
    pub responses: i64,
}

/// A released cell: its coordinates (`*` for all), counts, and figures unless suppressed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalaryCellRecord {
    pub zone: String,
    pub discipline: String,
    pub licence_class: String,
    pub experience_band: String,
    pub region: String,
    pub sector: String,
    pub respondents: i64,
    pub employers: i64,
    pub top_employer_permille: i64,
    pub base_p25_cents: Option<i64>,
    pub base_median_cents: Option<i64>,
    pub base_p75_cents: Option<i64>,
    pub total_p25_cents: Option<i64>,
    pub total_median_cents: Option<i64>,
    pub total_p75_cents: Option<i64>,
    pub suppressed_rule: Option<String>,
}

impl SalaryCellRecord {
    /// Its coordinates in the benchmark's dimension order.
    pub fn place(&self) -> [&str; 5] {
        [&self.discipline, &self.licence_class, &self.experience_band, &self.region, &self.sector]
    }
}

/// A release as stored: when, how many, under which rules, and the estimate's model.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SalaryReleaseRecord {
    pub survey_id: i64,
    pub built_at: UnixTime,
    pub respondents: i64,
    pub published: i64,
    pub suppressed: i64,
    pub parameters: String,
    pub model: Option<String>,
}

/// A release to write: its summary and every non-empty cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSalaryRelease {
    pub respondents: i64,
    pub parameters: String,
    pub model: Option<String>,
    pub cells: Vec<SalaryCellRecord>,
}
