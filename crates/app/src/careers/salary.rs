//! The salary survey and benchmark (issue 15, slices 6 and 7; docs/design/careers-plan.md §3,
//! §4): members answer once a year while a survey is open (answering again replaces their
//! answer); staff open and close it, import responses gathered elsewhere, merge employer names
//! and release its figures once, at least 3 months after it closed. The release is built by
//! `guildhall_salary` per currency zone and frozen in `salary_cells`, with the salary
//! estimate's model fitted at the same time (`salary_releases.model`). The benchmark page, its
//! CSV, the API, "you vs peers" and the estimate read only the release.
//!
//! Who sees figures: current members and staff (open question 2's proposal). A suppressed cell
//! shows its rule and no counts (open question 3).

use std::collections::{BTreeMap, HashMap};

use guildhall_domain::careers::salary::{
    ALL, BenchmarkQuery, CurrencyZone, DIMENSIONS, Education, ExperienceBand, LicenceClass, Region, ResponseInput,
    SurveyAnswers, SurveyDates, SurveyStatus, dimension_values, value_label,
};
use guildhall_domain::csv::members::Discipline;
use guildhall_salary::estimate::{FACTORS, FactorLevels, LeastSquares, Model, Profile, Respondent, fit};
use guildhall_salary::{Answer, Cell, Response, Rules, Suppressed, build_release};
use guildhall_store::{
    NewSalaryRelease, ReleaseOutcome, SalaryCellRecord, SalaryEmployerName, SalaryReleaseRecord, SalaryResponseRecord,
    SalarySurveyRecord, SalarySurveyRow,
};
use serde_json::{Value, json};
use time::Date;

use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// A form's select: its field, its label, and its values as (code, label).
pub type Choices = (&'static str, &'static str, Vec<(String, String)>);

/// The rule code of a cell whose survey is not yet 3 months closed.
pub const TOO_RECENT: &str = "too_recent";

/// A rule code in words (the engine's four, and [`TOO_RECENT`]).
pub fn rule_words(code: &str) -> &'static str {
    const RULES: [Suppressed; 4] = [
        Suppressed::FewerThan5Respondents,
        Suppressed::FewerThan5Employers,
        Suppressed::OneEmployerOver25Percent,
        Suppressed::TooCloseToAnotherFigure,
    ];
    match RULES.iter().find(|r| r.code() == code) {
        Some(rule) => rule.words(),
        None => "Not published yet: figures are released 3 months after a survey closes.",
    }
}

/// Quartiles of a published cell, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayQuartiles {
    pub p25: i64,
    pub median: i64,
    pub p75: i64,
}

/// What the benchmark says of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellAnswer {
    Published {
        respondents: i64,
        employers: i64,
        base: PayQuartiles,
        total: PayQuartiles,
    },
    /// Not published, and why (a rule code). No counts: how many people are in a suppressed
    /// cell is itself revealing (open question 3).
    Suppressed {
        rule: String,
    },
}

/// One row of the benchmark: a cell, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkRow {
    /// Codes in the dimensions' order (`*` for all).
    pub place: [String; 5],
    /// The row's name: the breakdown's value, or "Everyone in the question".
    pub label: String,
    pub answer: CellAnswer,
}

impl BenchmarkRow {
    pub fn published(&self) -> bool {
        matches!(self.answer, CellAnswer::Published { .. })
    }
}

/// A released survey, as the benchmark names it.
#[derive(Debug, Clone)]
pub struct ReleasedSurvey {
    pub survey: SalarySurveyRow,
    pub release: SalaryReleaseRecord,
    /// Whether its figures may be shown today (3 months after it closed).
    pub old_enough: bool,
}

/// The benchmark's answer to a question.
#[derive(Debug, Clone)]
pub struct BenchmarkView {
    pub query: BenchmarkQuery,
    /// The release answering (none before the first release).
    pub released: Option<ReleasedSurvey>,
    /// The chosen cell first, then the breakdown's rows.
    pub rows: Vec<BenchmarkRow>,
}

impl BenchmarkView {
    /// The question's filters in words: (dimension name, value label).
    pub fn filters(&self) -> Vec<(&'static str, String)> {
        DIMENSIONS.iter().enumerate().map(|(d, name)| (*name, value_label(d, &self.query.cell[d]))).collect()
    }
}

/// The survey page: the open survey (if any) and the member's answer to it.
#[derive(Debug, Clone)]
pub struct SurveyFormView {
    pub survey: Option<SalarySurveyRow>,
    pub own: Option<SalaryResponseRecord>,
    /// Whether the signed-in person has a member record to answer with.
    pub is_member: bool,
    /// What the form shows: the member's answer, or nothing yet.
    pub values: ResponseInput,
}

/// Where the member's pay sits among their peers'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    BelowP25,
    P25ToMedian,
    MedianToP75,
    AboveP75,
}

impl Position {
    pub fn words(self) -> &'static str {
        match self {
            Position::BelowP25 => "below the 25th percentile",
            Position::P25ToMedian => "between the 25th percentile and the median",
            Position::MedianToP75 => "between the median and the 75th percentile",
            Position::AboveP75 => "above the 75th percentile",
        }
    }
}

/// You vs peers: the member's own answer beside the finest published cell that holds them.
#[derive(Debug, Clone)]
pub struct PeersView {
    pub released: Option<ReleasedSurvey>,
    pub own: Option<SalaryResponseRecord>,
    /// The peers' cell (its row) and where the member's base pay is in it.
    pub peers: Option<(BenchmarkRow, Position)>,
}

/// The estimate form as typed.
#[derive(Debug, Clone, Default)]
pub struct EstimateInput {
    pub years: String,
    pub education: String,
    pub licence: String,
    pub discipline: String,
    pub region: String,
}

/// A profile's estimate, in cents a year.
#[derive(Debug, Clone)]
pub struct EstimateResult {
    pub typical: i64,
    pub typical_low: i64,
    pub typical_high: i64,
    pub individuals_low: i64,
    pub individuals_high: i64,
    pub respondents: usize,
    /// For each factor: its name, the level asked, and how many responses stand behind it
    /// ("counted with others" when the level has no coefficient of its own).
    pub levels: Vec<(&'static str, String, usize, bool)>,
    /// The matching cell's status: published, or a sentence saying the estimate extrapolates.
    pub cell_published: bool,
    pub currency: &'static str,
}

/// The estimate page.
#[derive(Debug, Clone)]
pub struct EstimateView {
    pub released: Option<ReleasedSurvey>,
    pub result: Option<EstimateResult>,
    /// Why there is no estimate for the zone (no model could be published).
    pub unavailable: Option<String>,
}

/// A survey as staff see it, with its release if it has one.
#[derive(Debug, Clone)]
pub struct SurveyAdmin {
    pub survey: SalarySurveyRecord,
    pub release: Option<SalaryReleaseRecord>,
    /// The first day its figures may be released.
    pub releasable_from: Date,
}

/// The estimate's factors, as the model orders them, with their values' codes.
fn factor_values(factor: usize) -> Vec<(String, String)> {
    match factor {
        0 => Education::ALL.iter().map(|e| (e.code().to_string(), e.label().to_string())).collect(),
        1 => dimension_values(1),
        2 => dimension_values(0),
        3 => dimension_values(3),
        _ => Vec::new(),
    }
}

fn index_of(values: &[(String, String)], code: &str) -> Option<u16> {
    values.iter().position(|(c, _)| c == code).and_then(|i| u16::try_from(i).ok())
}

/// The first day a survey closing on `closes_on` may be released.
pub fn releasable_from(closes_on: Date) -> Date {
    guildhall_ce::dates::add_months(closes_on, Rules::default().min_age_months)
}

fn problems_to_error(problems: Vec<(impl Into<String>, String)>) -> AppError {
    let fields: BTreeMap<String, String> = problems.into_iter().map(|(f, m)| (f.into(), m)).collect();
    let message = if fields.len() == 1 {
        fields.values().next().cloned().unwrap_or_default()
    } else {
        format!("{} answers need correcting.", fields.len())
    };
    AppError::Validation { message, fields }
}

fn cell_answer(cell: Option<&SalaryCellRecord>, old_enough: bool) -> CellAnswer {
    if !old_enough {
        return CellAnswer::Suppressed { rule: TOO_RECENT.into() };
    }
    match cell {
        None => CellAnswer::Suppressed { rule: Suppressed::FewerThan5Respondents.code().into() },
        Some(c) => match (&c.suppressed_rule, c.base_p25_cents, c.base_median_cents, c.base_p75_cents) {
            (None, Some(p25), Some(median), Some(p75)) => CellAnswer::Published {
                respondents: c.respondents,
                employers: c.employers,
                base: PayQuartiles { p25, median, p75 },
                total: PayQuartiles {
                    p25: c.total_p25_cents.unwrap_or(p25),
                    median: c.total_median_cents.unwrap_or(median),
                    p75: c.total_p75_cents.unwrap_or(p75),
                },
            },
            (Some(rule), ..) => CellAnswer::Suppressed { rule: rule.clone() },
            _ => CellAnswer::Suppressed { rule: Suppressed::FewerThan5Respondents.code().into() },
        },
    }
}

impl App {
    /// Staff, or a current member: who may see the benchmark, "you vs peers" and the estimate.
    async fn may_see_salaries(&self, actor: &Actor) -> AppResult<Option<i64>> {
        let member = self.store.member_by_user(actor.user_id).await?;
        if actor.is_staff() {
            return Ok(member.map(|m| m.id));
        }
        match member {
            Some(m) if m.standing.is_current_member() => Ok(Some(m.id)),
            _ => Err(AppError::Forbidden(
                "The salary benchmark is for members in good standing: renew or join to see it.".into(),
            )),
        }
    }

    /// The newest released survey, and whether its figures may be shown today.
    async fn latest_release(&self) -> AppResult<Option<ReleasedSurvey>> {
        let Some(survey) = self.store.salary_survey_in(SurveyStatus::Released).await? else { return Ok(None) };
        let Some(release) = self.store.salary_release(survey.id).await? else { return Ok(None) };
        let old_enough = self.clock.today() >= releasable_from(survey.closes_on);
        Ok(Some(ReleasedSurvey { survey, release, old_enough }))
    }

    /// The zone a benchmark question is in when it names none: the society's currency's.
    pub async fn salary_zone(&self) -> CurrencyZone {
        CurrencyZone::of_currency(&self.currency().await)
    }

    // ------------------------------------------------------------------ responding

    /// The survey page: the open survey and the member's answer to it.
    pub async fn salary_survey_form(&self, actor: &Actor) -> AppResult<SurveyFormView> {
        let member = self.store.member_by_user(actor.user_id).await?;
        let survey = self.store.salary_survey_in(SurveyStatus::Open).await?;
        let own = match (&survey, &member) {
            (Some(s), Some(m)) => self.store.own_salary_response(s.id, m.id).await?,
            _ => None,
        };
        let values = own.as_ref().map(response_input).unwrap_or_default();
        Ok(SurveyFormView { survey, own, is_member: member.is_some(), values })
    }

    /// Records the member's answer to the open survey (replacing an earlier one).
    pub async fn submit_salary_response(&self, actor: &Actor, input: &ResponseInput) -> AppResult<i64> {
        let Some(member) = self.store.member_by_user(actor.user_id).await? else {
            return Err(AppError::Forbidden("Only members answer the salary survey.".into()));
        };
        let Some(survey) = self.store.salary_survey_in(SurveyStatus::Open).await? else {
            return Err(AppError::Conflict {
                message: "The salary survey is closed: no survey is taking answers now.".into(),
                field: None,
            });
        };
        let answers = SurveyAnswers::parse(input).map_err(problems_to_error)?;
        let today = self.clock.today();
        match self.store.submit_salary_response(survey.id, member.id, &answers, today, self.clock.unix()).await? {
            Some(id) => Ok(id),
            None => Err(AppError::Conflict {
                message: "The salary survey closed before your answer arrived: it was not recorded.".into(),
                field: None,
            }),
        }
    }

    // ------------------------------------------------------------------ staff

    /// Every survey with its release, for staff.
    pub async fn salary_surveys_admin(&self, actor: &Actor) -> AppResult<Vec<SurveyAdmin>> {
        actor.require(Permission::ManageSalarySurvey)?;
        let mut out = Vec::new();
        for survey in self.store.salary_surveys().await? {
            let release = self.store.salary_release(survey.id).await?;
            out.push(SurveyAdmin { releasable_from: releasable_from(survey.closes_on), survey, release });
        }
        Ok(out)
    }

    /// Creates a survey (not yet open), in the society's currency.
    pub async fn create_salary_survey(
        &self,
        actor: &Actor,
        year: &str,
        opens_on: &str,
        closes_on: &str,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::ManageSalarySurvey)?;
        let dates = SurveyDates::parse(year, opens_on, closes_on).map_err(problems_to_error)?;
        let currency = self.salary_zone().await.code();
        let mut audit = self.audit_entry(actor, "salary.survey_created", "salary_survey", request_id);
        audit.subject_label = format!("Salary survey {}", dates.year);
        match self
            .store
            .create_salary_survey(dates.year, currency, dates.opens_on, dates.closes_on, self.clock.unix(), &audit)
            .await
        {
            Err(guildhall_store::StoreError::Conflict { .. }) => {
                Err(AppError::invalid_field("year", format!("There is a survey for {} already.", dates.year)))
            }
            other => Ok(other?),
        }
    }

    async fn admin_survey(&self, id: i64) -> AppResult<SalarySurveyRecord> {
        self.store.salary_survey(id).await?.ok_or_else(|| AppError::NotFound("No such salary survey.".into()))
    }

    /// Opens a survey (one at a time).
    pub async fn open_salary_survey(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        let mut audit = self.audit_entry(actor, "salary.survey_opened", "salary_survey", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("Salary survey {}", survey.year);
        match self
            .store
            .move_salary_survey(id, SurveyStatus::Draft, SurveyStatus::Open, self.clock.today(), &audit)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => {
                Err(AppError::Conflict { message: "Only a survey not yet opened can be opened.".into(), field: None })
            }
            Err(guildhall_store::StoreError::Conflict { .. }) => Err(AppError::Conflict {
                message: "Another salary survey is open: close it first.".into(),
                field: Some("open_survey".into()),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Closes the open survey (its last day becomes today if that is earlier).
    pub async fn close_salary_survey(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        let mut audit = self.audit_entry(actor, "salary.survey_closed", "salary_survey", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("Salary survey {}", survey.year);
        if self
            .store
            .move_salary_survey(id, SurveyStatus::Open, SurveyStatus::Closed, self.clock.today(), &audit)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::Conflict { message: "Only an open survey can be closed.".into(), field: None })
        }
    }

    /// Imports a CSV of responses into a survey not yet released: all rows or none. How many
    /// were added (a row whose reference the survey has already is left as it was).
    pub async fn import_salary_responses(
        &self,
        actor: &Actor,
        id: i64,
        file: &[u8],
        request_id: &str,
    ) -> AppResult<u64> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        let rows = guildhall_domain::csv::salary::read_responses(file).map_err(|errors| {
            let fields: BTreeMap<String, String> =
                errors.iter().enumerate().map(|(i, e)| (format!("{:09}:{i:04}", e.row), e.to_string())).collect();
            AppError::Validation {
                message: format!("The file has {} problems, so nothing was imported.", errors.len()),
                fields,
            }
        })?;
        let mut audit = self.audit_entry(actor, "salary.responses_imported", "salary_survey", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("Salary survey {}", survey.year);
        self.store.import_salary_responses(id, &rows, self.clock.unix(), &audit).await?.ok_or_else(|| {
            AppError::Conflict {
                message: "The survey's figures are released: it takes no more responses.".into(),
                field: None,
            }
        })
    }

    /// The employer names a survey's responses gave, by key (names and counts, never pay).
    pub async fn salary_employer_names(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(SalarySurveyRecord, Vec<SalaryEmployerName>)> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        Ok((survey, self.store.salary_employer_names(id).await?))
    }

    /// Counts one employer key's responses as another's (two spellings of one employer).
    pub async fn merge_salary_employers(
        &self,
        actor: &Actor,
        id: i64,
        from_key: &str,
        into_key: &str,
        request_id: &str,
    ) -> AppResult<u64> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        if survey.status == SurveyStatus::Released {
            return Err(AppError::Conflict {
                message: "The survey's figures are released: its employers are final.".into(),
                field: None,
            });
        }
        let names = self.store.salary_employer_names(id).await?;
        let known = |key: &str| names.iter().any(|n| n.employer_key == key);
        if !known(from_key) {
            return Err(AppError::invalid_field("from", "Choose an employer of this survey to merge."));
        }
        if !known(into_key) || from_key == into_key {
            return Err(AppError::invalid_field("into", "Choose another employer of this survey to merge it into."));
        }
        let mut audit = self.audit_entry(actor, "salary.employers_merged", "salary_survey", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("Salary survey {}", survey.year);
        Ok(self.store.merge_salary_employers(id, from_key, into_key, &audit).await?)
    }

    /// Releases a closed survey's figures, once, at least 3 months after it closed: the cells
    /// of every currency zone and the estimate's model, frozen.
    pub async fn release_salary_survey(
        &self,
        actor: &Actor,
        id: i64,
        request_id: &str,
    ) -> AppResult<SalaryReleaseRecord> {
        actor.require(Permission::ManageSalarySurvey)?;
        let survey = self.admin_survey(id).await?;
        let not_closed = || AppError::Conflict {
            message: "Only a closed survey whose figures are not yet released can be released.".into(),
            field: None,
        };
        if survey.status != SurveyStatus::Closed {
            return Err(not_closed());
        }
        let today = self.clock.today();
        let rows = self.store.salary_release_rows(id).await?;
        let rules = Rules::default();
        let built = build_salary_release(&rows, &rules, survey.closes_on, today)
            .map_err(|e| AppError::Conflict { message: format!("Not yet: {e}."), field: None })?;
        let mut audit = self.audit_entry(actor, "salary.released", "salary_survey", request_id);
        audit.subject_id = Some(id);
        audit.subject_label = format!("Salary survey {}", survey.year);
        match self.store.release_salary_survey(id, &built, self.clock.unix(), &audit).await? {
            ReleaseOutcome::Released => {
                self.store.salary_release(id).await?.ok_or_else(|| AppError::Internal("release vanished".into()))
            }
            ReleaseOutcome::NotClosed => Err(not_closed()),
        }
    }

    // ------------------------------------------------------------------ reading

    /// The benchmark's answer to a question (query-string pairs).
    pub async fn salary_benchmark(&self, actor: &Actor, pairs: &[(String, String)]) -> AppResult<BenchmarkView> {
        self.may_see_salaries(actor).await?;
        let query = BenchmarkQuery::parse(pairs, self.salary_zone().await).map_err(problems_to_error)?;
        let released = self.latest_release().await?;
        let places = query.cells();
        let cells = match &released {
            Some(r) => self.store.salary_cells(r.survey.id, query.zone.code(), &places).await?,
            None => Vec::new(),
        };
        let old_enough = released.as_ref().is_some_and(|r| r.old_enough);
        let rows = places
            .iter()
            .enumerate()
            .map(|(i, place)| {
                let cell = cells.iter().find(|c| place.iter().map(String::as_str).eq(c.place()));
                let label = match (i, query.breakdown) {
                    (0, _) | (_, None) => "Everyone matching the question".to_string(),
                    (_, Some(d)) => value_label(d, &place[d]),
                };
                BenchmarkRow {
                    place: place.clone(),
                    label,
                    answer: if released.is_some() {
                        cell_answer(cell, old_enough)
                    } else {
                        CellAnswer::Suppressed { rule: Suppressed::FewerThan5Respondents.code().into() }
                    },
                }
            })
            .collect();
        Ok(BenchmarkView { query, released, rows })
    }

    /// The benchmark as CSV: exactly the page's rows.
    pub fn salary_benchmark_csv(view: &BenchmarkView) -> AppResult<String> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["zone"];
        header.extend(DIMENSIONS);
        header.extend([
            "respondents",
            "employers",
            "base_p25",
            "base_median",
            "base_p75",
            "total_p25",
            "total_median",
            "total_p75",
            "suppressed_rule",
        ]);
        let internal = |e: csv::Error| AppError::Internal(e.to_string());
        out.write_record(&header).map_err(internal)?;
        let whole = |cents: i64| (cents / 100).to_string();
        for row in &view.rows {
            let mut record: Vec<String> = vec![view.query.zone.code().to_string()];
            record.extend(row.place.iter().cloned());
            match &row.answer {
                CellAnswer::Published { respondents, employers, base, total } => record.extend([
                    respondents.to_string(),
                    employers.to_string(),
                    whole(base.p25),
                    whole(base.median),
                    whole(base.p75),
                    whole(total.p25),
                    whole(total.median),
                    whole(total.p75),
                    String::new(),
                ]),
                CellAnswer::Suppressed { rule } => {
                    record.extend(std::iter::repeat_n(String::new(), 8));
                    record.push(rule.clone());
                }
            }
            out.write_record(&record).map_err(internal)?;
        }
        String::from_utf8(out.into_inner().map_err(|e| AppError::Internal(e.to_string()))?)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// You vs peers: the member's answer to the released survey beside the finest published
    /// cell holding them (ties: discipline, licence, experience, region, sector kept first).
    pub async fn salary_you_vs_peers(&self, actor: &Actor) -> AppResult<PeersView> {
        let member = self.may_see_salaries(actor).await?;
        let released = self.latest_release().await?;
        let (Some(r), Some(member)) = (&released, member) else {
            return Ok(PeersView { released, own: None, peers: None });
        };
        let own = self.store.own_salary_response(r.survey.id, member).await?;
        let Some(response) = &own else { return Ok(PeersView { released, own, peers: None }) };
        let band = ExperienceBand::of(u32::try_from(response.years_experience).unwrap_or(0));
        let place = [
            response.discipline.clone(),
            response.licence_class.clone(),
            band.code().to_string(),
            response.region.clone(),
            response.sector.clone(),
        ];
        let ancestors: Vec<[String; 5]> = (0..32u8)
            .map(|open| std::array::from_fn(|d| if open & (1 << d) != 0 { ALL.to_string() } else { place[d].clone() }))
            .collect();
        let cells = self.store.salary_cells(r.survey.id, &response.zone, &ancestors).await?;
        // Most fixed dimensions first; then the one keeping the earlier dimensions.
        let rank = |p: &[String; 5]| {
            let fixed = p.iter().filter(|v| *v != ALL).count();
            let kept: Vec<bool> = p.iter().map(|v| v != ALL).collect();
            (fixed, kept)
        };
        let mut best: Option<(&[String; 5], CellAnswer)> = None;
        for place in &ancestors {
            let cell = cells.iter().find(|c| place.iter().map(String::as_str).eq(c.place()));
            let answer = cell_answer(cell, r.old_enough);
            if matches!(answer, CellAnswer::Published { .. })
                && best.as_ref().is_none_or(|(b, _)| rank(place) > rank(b))
            {
                best = Some((place, answer));
            }
        }
        let peers = best.and_then(|(place, answer)| {
            let CellAnswer::Published { base, .. } = &answer else { return None };
            let pay = response.base_pay_cents;
            let position = if pay < base.p25 {
                Position::BelowP25
            } else if pay < base.median {
                Position::P25ToMedian
            } else if pay <= base.p75 {
                Position::MedianToP75
            } else {
                Position::AboveP75
            };
            let label = DIMENSIONS
                .iter()
                .enumerate()
                .filter(|(d, _)| place[*d] != ALL)
                .map(|(d, _)| value_label(d, &place[d]))
                .collect::<Vec<_>>()
                .join(", ");
            let label = if label.is_empty() { "Everyone who answered".to_string() } else { label };
            Some((BenchmarkRow { place: place.clone(), label, answer }, position))
        });
        Ok(PeersView { released, own, peers })
    }

    /// The salary estimate for a profile, from the latest release's model of the region's zone.
    pub async fn salary_estimate(&self, actor: &Actor, input: Option<&EstimateInput>) -> AppResult<EstimateView> {
        self.may_see_salaries(actor).await?;
        let released = self.latest_release().await?;
        let Some(input) = input else { return Ok(EstimateView { released, result: None, unavailable: None }) };
        // Every problem at once.
        let mut problems: Vec<(&str, String)> = Vec::new();
        let years = match input.years.trim().parse::<u32>() {
            Ok(y) if y <= 60 => Some(y),
            _ => {
                problems.push(("years", "Enter years of experience as a whole number from 0 to 60.".into()));
                None
            }
        };
        let mut level = |factor: usize, field: &'static str, raw: &str, what: &str| {
            let found = index_of(&factor_values(factor), raw.trim());
            if found.is_none() {
                problems.push((field, format!("Choose {what}.")));
            }
            found
        };
        let education = level(0, "education", &input.education, "the highest degree");
        let licence = level(1, "licence", &input.licence, "a licence");
        let discipline = level(2, "discipline", &input.discipline, "a discipline");
        let region = level(3, "region", &input.region, "a region");
        let (Some(years), Some(education), Some(licence), Some(discipline), Some(region)) =
            (years, education, licence, discipline, region)
        else {
            return Err(problems_to_error(problems));
        };
        let Some(r) = &released else {
            return Ok(EstimateView {
                released,
                result: None,
                unavailable: Some("No survey has been released yet.".into()),
            });
        };
        if !r.old_enough {
            return Ok(EstimateView {
                released: released.clone(),
                result: None,
                unavailable: Some(rule_words(TOO_RECENT).into()),
            });
        }
        let region_value = Region::ALL[usize::from(region)];
        let zone = region_value.zone();
        let model = r.release.model.as_deref().and_then(|m| model_from_json(m, zone));
        let Some(model) = model else {
            return Ok(EstimateView {
                released: released.clone(),
                result: None,
                unavailable: Some(format!(
                    "Too few full-time responses in {} for an estimate that keeps everyone's answers private.",
                    zone.label()
                )),
            });
        };
        let profile = Profile { years: f64::from(years), levels: [education, licence, discipline, region] };
        let estimate = model.estimate(&profile).map_err(|e| AppError::Internal(e.to_string()))?;
        let cents = |v: f64| ((v / 1000.0).round() * 1000.0 * 100.0) as i64;
        let names = ["Education", "Licence", "Discipline", "Region"];
        let levels = (0..FACTORS)
            .map(|f| {
                let values = factor_values(f);
                let behind = estimate.levels[f];
                let label = values.get(usize::from(behind.level)).map(|(_, l)| l.clone()).unwrap_or_default();
                (names[f], label, behind.respondents, behind.own)
            })
            .collect();
        let band = ExperienceBand::of(years);
        let place: [String; 5] = [
            Discipline::ALL[usize::from(discipline)].as_str().to_string(),
            LicenceClass::ALL[usize::from(licence)].code().to_string(),
            band.code().to_string(),
            region_value.code().to_string(),
            ALL.to_string(),
        ];
        let cell = self.store.salary_cells(r.survey.id, zone.code(), std::slice::from_ref(&place)).await?;
        let cell_published = cell.first().is_some_and(|c| c.suppressed_rule.is_none());
        Ok(EstimateView {
            released: released.clone(),
            result: Some(EstimateResult {
                typical: cents(estimate.typical),
                typical_low: cents(estimate.typical_95.low),
                typical_high: cents(estimate.typical_95.high),
                individuals_low: cents(estimate.individuals_80.low),
                individuals_high: cents(estimate.individuals_80.high),
                respondents: estimate.respondents,
                levels,
                cell_published,
                currency: zone.code(),
            }),
            unavailable: None,
        })
    }

    /// The estimate form's choices: (field, label, values).
    pub fn salary_estimate_choices() -> Vec<Choices> {
        vec![
            ("education", "Highest degree", factor_values(0)),
            ("licence", "Licence", factor_values(1)),
            ("discipline", "Discipline", factor_values(2)),
            ("region", "Region", factor_values(3)),
        ]
    }
}

/// A stored response as the form shows it again.
fn response_input(r: &SalaryResponseRecord) -> ResponseInput {
    let whole = |cents: i64| (cents / 100).to_string();
    ResponseInput {
        base_pay: whole(r.base_pay_cents),
        bonus: whole(r.bonus_cents),
        hours_per_week: r.hours_per_week.to_string(),
        // Never shown again, not even to its respondent: asked afresh when an answer changes.
        employer_name: String::new(),
        employer_size: r.employer_size.clone(),
        sector: r.sector.clone(),
        discipline: r.discipline.clone(),
        function: r.job_function.clone(),
        licences: r.licences.split(';').filter(|s| !s.is_empty()).map(String::from).collect(),
        years_experience: r.years_experience.to_string(),
        education: r.education.clone(),
        jurisdiction: r.jurisdiction.clone(),
    }
}

/// Builds a release from a survey's responses: each currency zone's cells by
/// `guildhall_salary::build_release`, every non-empty cell with its counts, and each zone's
/// estimate model fitted on its full-time responses (none where it cannot be published).
pub fn build_salary_release(
    rows: &[guildhall_store::SalaryReleaseRow],
    rules: &Rules,
    closes_on: Date,
    released_on: Date,
) -> Result<NewSalaryRelease, guildhall_salary::ReleaseError> {
    let dimension_codes: Vec<Vec<(String, String)>> = (0..5).map(dimension_values).collect();
    let mut employer_ids: HashMap<&str, u32> = HashMap::new();
    let mut by_zone: BTreeMap<&str, (Vec<Response>, Vec<Respondent>)> = BTreeMap::new();
    for row in rows {
        let band = ExperienceBand::of(u32::try_from(row.years_experience).unwrap_or(0));
        let codes = [
            row.discipline.as_str(),
            row.licence_class.as_str(),
            band.code(),
            row.region.as_str(),
            row.sector.as_str(),
        ];
        let place: Option<Vec<u16>> = codes.iter().enumerate().map(|(d, c)| index_of(&dimension_codes[d], c)).collect();
        let Some(place) = place else { continue };
        let next = u32::try_from(employer_ids.len()).unwrap_or(u32::MAX);
        let employer = *employer_ids.entry(row.employer_key.as_str()).or_insert(next);
        let (responses, respondents) = by_zone.entry(row.zone.as_str()).or_default();
        responses.push(Response {
            place: [place[0], place[1], place[2], place[3], place[4]],
            employer,
            base_pay: row.base_pay_cents / 100,
            total_pay: (row.base_pay_cents + row.bonus_cents) / 100,
        });
        let education = index_of(&factor_values(0), &row.education);
        if let Some(education) = education
            && row.hours_per_week >= guildhall_domain::careers::salary::FULL_TIME_HOURS
        {
            respondents.push(Respondent {
                years: row.years_experience as f64,
                levels: [education, place[1], place[0], place[3]],
                employer,
                base_pay: row.base_pay_cents as f64 / 100.0,
            });
        }
    }
    let mut cells = Vec::new();
    let mut models = serde_json::Map::new();
    for (zone, (responses, respondents)) in &by_zone {
        let release = build_release(responses, rules, closes_on, released_on)?;
        // Counts of every cell (the release names its figures, not a suppressed cell's size).
        let mut counts: HashMap<Cell, HashMap<u32, i64>> = HashMap::new();
        for r in responses {
            for open in 0..32u8 {
                let cell = Cell(std::array::from_fn(|d| if open & (1 << d) != 0 { None } else { Some(r.place[d]) }));
                *counts.entry(cell).or_default().entry(r.employer).or_default() += 1;
            }
        }
        for (cell, answer) in release.cells() {
            let employers = counts.get(cell).cloned().unwrap_or_default();
            let n: i64 = employers.values().sum();
            let top = employers.values().copied().max().unwrap_or(0);
            let code = |d: usize| match cell.0[d] {
                Some(v) => dimension_codes[d][usize::from(v)].0.clone(),
                None => ALL.to_string(),
            };
            let mut record = SalaryCellRecord {
                zone: (*zone).to_string(),
                discipline: code(0),
                licence_class: code(1),
                experience_band: code(2),
                region: code(3),
                sector: code(4),
                respondents: n,
                employers: employers.len() as i64,
                top_employer_permille: if n > 0 { top * 1000 / n } else { 0 },
                base_p25_cents: None,
                base_median_cents: None,
                base_p75_cents: None,
                total_p25_cents: None,
                total_median_cents: None,
                total_p75_cents: None,
                suppressed_rule: None,
            };
            match answer {
                Answer::Published(f) => {
                    record.base_p25_cents = Some(f.base_pay.p25 * 100);
                    record.base_median_cents = Some(f.base_pay.median * 100);
                    record.base_p75_cents = Some(f.base_pay.p75 * 100);
                    record.total_p25_cents = Some(f.total_pay.p25 * 100);
                    record.total_median_cents = Some(f.total_pay.median * 100);
                    record.total_p75_cents = Some(f.total_pay.p75 * 100);
                }
                Answer::Suppressed(rule) => record.suppressed_rule = Some(rule.code().to_string()),
            }
            if n > 0 {
                cells.push(record);
            }
        }
        if let Ok(model) = fit(respondents, rules) {
            models.insert((*zone).to_string(), model_to_json(&model));
        }
    }
    let (num, den) = rules.max_employer_share;
    Ok(NewSalaryRelease {
        respondents: rows.len() as i64,
        parameters: json!({
            "min_respondents": rules.min_respondents,
            "min_employers": rules.min_employers,
            "max_employer_share": format!("{num}/{den}"),
            "min_difference": rules.min_difference,
            "min_age_months": rules.min_age_months,
            "round_to": rules.round_to,
            "closes_on": closes_on.to_string(),
            "released_on": released_on.to_string(),
        })
        .to_string(),
        model: if models.is_empty() { None } else { Some(Value::Object(models).to_string()) },
        cells,
    })
}

/// A fitted model as the release stores it (JSON): each factor's own levels and counts, and
/// the fit's numbers.
pub fn model_to_json(model: &Model) -> Value {
    json!({
        "columns": model.columns(),
        "factors": model.factors.iter().map(|f| json!({
            "own": f.own,
            "respondents": f.respondents.iter().map(|(level, n)| json!([level, n])).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "coefficients": model.fit.coefficients,
        "unscaled_covariance": model.fit.unscaled_covariance,
        "s2": model.fit.s2,
        "df": model.fit.df,
        "n": model.fit.n,
        "r_squared": model.fit.r_squared,
    })
}

/// A zone's model read back from a release's JSON.
pub fn model_from_json(text: &str, zone: CurrencyZone) -> Option<Model> {
    let all: Value = serde_json::from_str(text).ok()?;
    let m = all.get(zone.code())?;
    let factors_json = m.get("factors")?.as_array()?;
    if factors_json.len() != FACTORS {
        return None;
    }
    let mut factors: [FactorLevels; FACTORS] = Default::default();
    for (f, j) in factors_json.iter().enumerate() {
        factors[f].own = serde_json::from_value(j.get("own")?.clone()).ok()?;
        let pairs: Vec<(u16, usize)> = serde_json::from_value(j.get("respondents")?.clone()).ok()?;
        factors[f].respondents = pairs.into_iter().collect();
    }
    Some(Model {
        factors,
        fit: LeastSquares {
            coefficients: serde_json::from_value(m.get("coefficients")?.clone()).ok()?,
            unscaled_covariance: serde_json::from_value(m.get("unscaled_covariance")?.clone()).ok()?,
            s2: m.get("s2")?.as_f64()?,
            df: usize::try_from(m.get("df")?.as_u64()?).ok()?,
            n: usize::try_from(m.get("n")?.as_u64()?).ok()?,
            r_squared: m.get("r_squared")?.as_f64()?,
        },
    })
}
