//! The salary survey's vocabulary (issue 15; docs/design/careers-plan.md, slice 6): what a
//! response says, coarsened into the five dimensions the benchmark is published over
//! (discipline, licence class, experience band, region, sector) and the currency zone a
//! release is built per; an employer's key (the name as staff merge it); a response as typed
//! (the survey form and the CSV import read it the same way, every problem named at once);
//! and a benchmark question (one value or "all" per dimension, nothing finer).

use time::Date;

use crate::csv::members::Discipline;
use crate::identity::unsafe_text;
use crate::member::{Jurisdiction, LicenceKind};
use crate::membership::parse_money;

codes!(
    /// Years of professional experience, in the bands the benchmark is published in.
    ExperienceBand, "experience band", {
        Years0To2 => ("0-2", "0–2 years"),
        Years3To5 => ("3-5", "3–5 years"),
        Years6To10 => ("6-10", "6–10 years"),
        Years11To15 => ("11-15", "11–15 years"),
        Years16To20 => ("16-20", "16–20 years"),
        Years21To30 => ("21-30", "21–30 years"),
        Years31Plus => ("31+", "31 years or more"),
    }
);

impl ExperienceBand {
    /// The band of so many whole years.
    pub fn of(years: u32) -> ExperienceBand {
        match years {
            0..=2 => ExperienceBand::Years0To2,
            3..=5 => ExperienceBand::Years3To5,
            6..=10 => ExperienceBand::Years6To10,
            11..=15 => ExperienceBand::Years11To15,
            16..=20 => ExperienceBand::Years16To20,
            21..=30 => ExperienceBand::Years21To30,
            _ => ExperienceBand::Years31Plus,
        }
    }
}

codes!(
    /// A release's currency zone: figures are never mixed across currencies.
    CurrencyZone, "currency zone", {
        Usd => ("USD", "United States (USD)"),
        Cad => ("CAD", "Canada (CAD)"),
        Gbp => ("GBP", "United Kingdom (GBP)"),
    }
);

impl CurrencyZone {
    /// The zone of the currency a society keeps its books in (`USD` when it is none of them).
    pub fn of_currency(code: &str) -> CurrencyZone {
        CurrencyZone::from_code(&code.trim().to_ascii_uppercase()).unwrap_or(CurrencyZone::Usd)
    }
}

codes!(
    /// Where the work is: US census divisions, the US territories, Canada, the United Kingdom.
    /// Nothing finer is published (no state-level benchmark).
    Region, "region", {
        NewEngland => ("new_england", "New England"),
        MiddleAtlantic => ("middle_atlantic", "Middle Atlantic"),
        EastNorthCentral => ("east_north_central", "East North Central"),
        WestNorthCentral => ("west_north_central", "West North Central"),
        SouthAtlantic => ("south_atlantic", "South Atlantic"),
        EastSouthCentral => ("east_south_central", "East South Central"),
        WestSouthCentral => ("west_south_central", "West South Central"),
        Mountain => ("mountain", "Mountain"),
        Pacific => ("pacific", "Pacific"),
        UsTerritories => ("us_territories", "US territories"),
        Canada => ("canada", "Canada"),
        UnitedKingdom => ("united_kingdom", "United Kingdom"),
    }
);

impl Region {
    /// The region of a jurisdiction (the US Census Bureau's divisions for the states and DC).
    pub fn of(jurisdiction: &Jurisdiction) -> Region {
        let code = jurisdiction.as_str();
        if code == "UK" {
            return Region::UnitedKingdom;
        }
        if code.starts_with("CA-") {
            return Region::Canada;
        }
        let state = code.strip_prefix("US-").unwrap_or(code);
        match state {
            "CT" | "ME" | "MA" | "NH" | "RI" | "VT" => Region::NewEngland,
            "NJ" | "NY" | "PA" => Region::MiddleAtlantic,
            "IL" | "IN" | "MI" | "OH" | "WI" => Region::EastNorthCentral,
            "IA" | "KS" | "MN" | "MO" | "NE" | "ND" | "SD" => Region::WestNorthCentral,
            "DE" | "DC" | "FL" | "GA" | "MD" | "NC" | "SC" | "VA" | "WV" => Region::SouthAtlantic,
            "AL" | "KY" | "MS" | "TN" => Region::EastSouthCentral,
            "AR" | "LA" | "OK" | "TX" => Region::WestSouthCentral,
            "AZ" | "CO" | "ID" | "MT" | "NV" | "NM" | "UT" | "WY" => Region::Mountain,
            "AK" | "CA" | "HI" | "OR" | "WA" => Region::Pacific,
            _ => Region::UsTerritories,
        }
    }

    /// The currency zone it is in.
    pub fn zone(self) -> CurrencyZone {
        match self {
            Region::Canada => CurrencyZone::Cad,
            Region::UnitedKingdom => CurrencyZone::Gbp,
            _ => CurrencyZone::Usd,
        }
    }
}

codes!(
    /// The licence a respondent is counted under: a partition, the highest they hold
    /// (SE above PE, P.Eng and CEng, above PLS, above none).
    LicenceClass, "licence class", {
        Structural => ("se", "Structural Engineer (SE)"),
        Professional => ("pe", "PE, P.Eng or CEng"),
        Surveyor => ("pls", "Land Surveyor (PLS) only"),
        Unlicensed => ("none", "No licence"),
    }
);

impl LicenceClass {
    /// The class of the licences someone holds.
    pub fn of(held: &[LicenceKind]) -> LicenceClass {
        if held.contains(&LicenceKind::StructuralEngineer) {
            LicenceClass::Structural
        } else if held.iter().any(|k| {
            matches!(
                k,
                LicenceKind::ProfessionalEngineer
                    | LicenceKind::ProfessionalEngineerCanada
                    | LicenceKind::CharteredEngineer
            )
        }) {
            LicenceClass::Professional
        } else if held.contains(&LicenceKind::ProfessionalLandSurveyor) {
            LicenceClass::Surveyor
        } else {
            LicenceClass::Unlicensed
        }
    }
}

codes!(
    /// The kind of organisation someone works for.
    Sector, "sector", {
        Consulting => ("consulting", "Consulting and design firm"),
        Industry => ("industry", "Industry and manufacturing"),
        Construction => ("construction", "Construction"),
        Government => ("government", "Government"),
        Utility => ("utility", "Utility"),
        Academia => ("academia", "University or college"),
        Nonprofit => ("nonprofit", "Non-profit or other"),
    }
);

codes!(
    /// How many people the employer has (asked, never published).
    EmployerSize, "employer size", {
        Under10 => ("1-9", "1–9 people"),
        Under50 => ("10-49", "10–49 people"),
        Under250 => ("50-249", "50–249 people"),
        Under1000 => ("250-999", "250–999 people"),
        Under5000 => ("1000-4999", "1,000–4,999 people"),
        Larger => ("5000+", "5,000 people or more"),
    }
);

codes!(
    /// The highest degree someone holds (a factor of the estimate).
    Education, "education", {
        BelowBachelor => ("below_bachelor", "Below a bachelor's degree"),
        Bachelor => ("bachelor", "Bachelor's degree"),
        Master => ("master", "Master's degree"),
        Doctorate => ("doctorate", "Doctorate"),
    }
);

codes!(
    /// What someone mostly does (asked, not published).
    JobFunction, "job function", {
        Design => ("design", "Design and analysis"),
        ProjectManagement => ("project_management", "Project management"),
        Construction => ("construction", "Construction and field work"),
        Operations => ("operations", "Operations and maintenance"),
        Research => ("research", "Research and development"),
        Teaching => ("teaching", "Teaching"),
        Sales => ("sales", "Sales and business development"),
        Management => ("management", "Management"),
        Other => ("other", "Something else"),
    }
);

/// The discipline's label, as pages show it ("civil" → "Civil").
pub fn discipline_label(discipline: Discipline) -> String {
    let code = discipline.as_str();
    let mut chars = code.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// Words an employer's name carries that do not tell employers apart.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "pc",
    "pllc",
];

/// An employer's key: its name in lower case, punctuation gone, legal forms (Inc, LLC, Ltd, …)
/// dropped, so that "Acme Engineering, Inc." and "ACME engineering" are one employer. Staff
/// merge the rest (different spellings) on the review page.
pub fn employer_key(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' }).collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    if words.first() == Some(&"the") && words.len() > 1 {
        words.remove(0);
    }
    words.join(" ")
}

/// A survey response as typed (the form's or a CSV row's fields, unparsed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseInput {
    pub base_pay: String,
    pub bonus: String,
    pub hours_per_week: String,
    pub employer_name: String,
    pub employer_size: String,
    pub sector: String,
    pub discipline: String,
    pub function: String,
    /// Licence kinds held (`PE`, `SE`, …), each once.
    pub licences: Vec<String>,
    pub years_experience: String,
    pub education: String,
    pub jurisdiction: String,
}

/// A response read and checked, with its dimensions worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswers {
    pub base_pay_cents: i64,
    pub bonus_cents: i64,
    pub hours_per_week: i64,
    pub employer_name: String,
    pub employer_key: String,
    pub employer_size: EmployerSize,
    pub sector: Sector,
    pub discipline: Discipline,
    pub function: JobFunction,
    pub licences: Vec<LicenceKind>,
    pub licence_class: LicenceClass,
    pub years_experience: i64,
    pub experience_band: ExperienceBand,
    pub education: Education,
    pub jurisdiction: Jurisdiction,
    pub region: Region,
    pub zone: CurrencyZone,
}

/// The largest yearly pay or bonus a response may state, in cents: 10 million.
const MOST_PAY_CENTS: i64 = 1_000_000_000;

impl SurveyAnswers {
    /// Reads a response: every problem at once, each with its field.
    pub fn parse(input: &ResponseInput) -> Result<SurveyAnswers, Vec<(&'static str, String)>> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let mut money = |raw: &str, field: &'static str, what: &str, required: bool| -> Option<i64> {
            if raw.trim().is_empty() {
                if required {
                    problems.push((field, format!("Enter your {what}.")));
                    return None;
                }
                return Some(0);
            }
            match parse_money(raw) {
                Ok(0) if required => {
                    problems.push((field, format!("Your {what} must be more than zero.")));
                    None
                }
                Ok(cents) if cents > MOST_PAY_CENTS => {
                    problems.push((field, format!("Your {what} is more than anyone is paid.")));
                    None
                }
                Ok(cents) => Some(cents),
                Err(message) => {
                    problems.push((field, message));
                    None
                }
            }
        };
        let base_pay_cents = money(&input.base_pay, "base_pay", "yearly base pay", true);
        let bonus_cents = money(&input.bonus, "bonus", "yearly bonus", false);
        let whole = |raw: &str,
                     field: &'static str,
                     what: &str,
                     range: std::ops::RangeInclusive<i64>,
                     problems: &mut Vec<(&'static str, String)>| {
            match raw.trim().parse::<i64>() {
                Ok(n) if range.contains(&n) => Some(n),
                Ok(_) => {
                    problems.push((field, format!("Enter {what} from {} to {}.", range.start(), range.end())));
                    None
                }
                Err(_) => {
                    problems.push((field, format!("Enter {what} as a whole number.")));
                    None
                }
            }
        };
        let hours_per_week =
            whole(&input.hours_per_week, "hours_per_week", "the hours you work a week", 1..=100, &mut problems);
        let years_experience =
            whole(&input.years_experience, "years_experience", "your years of experience", 0..=70, &mut problems);
        let employer_name = input.employer_name.trim().to_string();
        let employer_key = employer_key(&employer_name);
        if employer_name.is_empty() || employer_key.is_empty() {
            problems.push(("employer_name", "Enter your employer's name: it is never shown, only counted.".into()));
        } else if employer_name.chars().count() > 200 {
            problems.push(("employer_name", "Your employer's name can be at most 200 characters.".into()));
        } else if let Some(problem) = unsafe_text(&employer_name) {
            problems.push(("employer_name", format!("Your employer's name cannot contain {problem}.")));
        }
        fn choose<T: Copy>(
            raw: &str,
            field: &'static str,
            what: &str,
            find: impl Fn(&str) -> Option<T>,
            problems: &mut Vec<(&'static str, String)>,
        ) -> Option<T> {
            let found = find(raw.trim());
            if found.is_none() {
                problems.push((field, format!("Choose {what}.")));
            }
            found
        }
        let employer_size = choose(
            &input.employer_size,
            "employer_size",
            "your employer's size",
            EmployerSize::from_code,
            &mut problems,
        );
        let sector = choose(&input.sector, "sector", "your sector", Sector::from_code, &mut problems);
        let discipline = choose(&input.discipline, "discipline", "your discipline", Discipline::parse, &mut problems);
        let function = choose(&input.function, "function", "what you mostly do", JobFunction::from_code, &mut problems);
        let education =
            choose(&input.education, "education", "your highest degree", Education::from_code, &mut problems);
        let jurisdiction = match Jurisdiction::find(&input.jurisdiction) {
            Ok(j) => Some(j),
            Err(_) if input.jurisdiction.trim().is_empty() => {
                problems.push(("jurisdiction", "Choose where you work.".into()));
                None
            }
            Err(e) => {
                problems.push(("jurisdiction", e.0));
                None
            }
        };
        let mut licences = Vec::new();
        for raw in input.licences.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            match LicenceKind::parse(raw) {
                Some(kind) if !licences.contains(&kind) => licences.push(kind),
                Some(_) => {}
                None => {
                    problems.push((
                        "licences",
                        format!("{raw:?} is not a kind of licence: use PE, SE, PLS, P.Eng or CEng."),
                    ));
                    break;
                }
            }
        }
        licences.sort_unstable();
        match (
            base_pay_cents,
            bonus_cents,
            hours_per_week,
            years_experience,
            employer_size,
            sector,
            discipline,
            function,
            education,
            jurisdiction,
        ) {
            (
                Some(base_pay_cents),
                Some(bonus_cents),
                Some(hours_per_week),
                Some(years_experience),
                Some(employer_size),
                Some(sector),
                Some(discipline),
                Some(function),
                Some(education),
                Some(jurisdiction),
            ) if problems.is_empty() => {
                let region = Region::of(&jurisdiction);
                Ok(SurveyAnswers {
                    base_pay_cents,
                    bonus_cents,
                    hours_per_week,
                    employer_name,
                    employer_key,
                    employer_size,
                    sector,
                    discipline,
                    function,
                    licence_class: LicenceClass::of(&licences),
                    licences,
                    years_experience,
                    experience_band: ExperienceBand::of(u32::try_from(years_experience).unwrap_or(0)),
                    education,
                    region,
                    zone: region.zone(),
                    jurisdiction,
                })
            }
            _ => Err(problems),
        }
    }

    /// Whether the response counts for the estimate (full time: 35 hours a week or more).
    pub fn full_time(&self) -> bool {
        self.hours_per_week >= FULL_TIME_HOURS
    }
}

/// Hours a week from which a response counts as full time (the estimate's responses).
pub const FULL_TIME_HOURS: i64 = 35;

/// A new survey as staff type it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyDates {
    pub year: i32,
    pub opens_on: Date,
    pub closes_on: Date,
}

impl SurveyDates {
    /// Reads a survey's year and dates: the year 2000–2100, dates as YYYY-MM-DD, closing after opening.
    pub fn parse(year: &str, opens_on: &str, closes_on: &str) -> Result<SurveyDates, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let year = match year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                problems.push(("year", "Enter the survey's year, such as 2026.".to_string()));
                None
            }
        };
        let date = |raw: &str, field: &'static str, problems: &mut Vec<(&'static str, String)>| {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            match Date::parse(raw.trim(), &format) {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push((field, "Enter a date as YYYY-MM-DD.".to_string()));
                    None
                }
            }
        };
        let opens = date(opens_on, "opens_on", &mut problems);
        let closes = date(closes_on, "closes_on", &mut problems);
        if let (Some(o), Some(c)) = (opens, closes)
            && c <= o
        {
            problems.push(("closes_on", "The survey must close after it opens.".to_string()));
        }
        match (year, opens, closes) {
            (Some(year), Some(opens_on), Some(closes_on)) if problems.is_empty() => {
                Ok(SurveyDates { year, opens_on, closes_on })
            }
            _ => Err(problems),
        }
    }
}

codes!(
    /// Where a survey is: being prepared, taking responses, closed, its figures released.
    SurveyStatus, "survey status", {
        Draft => ("draft", "Not open yet"),
        Open => ("open", "Open"),
        Closed => ("closed", "Closed"),
        Released => ("released", "Released"),
    }
);

/// The benchmark's dimensions, in the order of a cell's coordinates (as `guildhall_salary`'s).
pub const DIMENSIONS: [&str; 5] = ["discipline", "licence", "experience", "region", "sector"];

/// What a cell coordinate holds when a dimension is open ("all").
pub const ALL: &str = "*";

/// A benchmark question: the zone, and one value or "all" per dimension, as codes
/// (`*` for all); and which dimension to break the answer down by, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkQuery {
    pub zone: CurrencyZone,
    /// Codes in [`DIMENSIONS`] order, `*` for "all".
    pub cell: [String; 5],
    /// The dimension (index into [`DIMENSIONS`]) whose every value is shown as a row.
    pub breakdown: Option<usize>,
}

/// Every value of a dimension as (code, label), in order.
pub fn dimension_values(dimension: usize) -> Vec<(String, String)> {
    match dimension {
        0 => Discipline::ALL.iter().map(|d| (d.as_str().to_string(), discipline_label(*d))).collect(),
        1 => LicenceClass::ALL.iter().map(|v| (v.code().to_string(), v.label().to_string())).collect(),
        2 => ExperienceBand::ALL.iter().map(|v| (v.code().to_string(), v.label().to_string())).collect(),
        3 => Region::ALL.iter().map(|v| (v.code().to_string(), v.label().to_string())).collect(),
        4 => Sector::ALL.iter().map(|v| (v.code().to_string(), v.label().to_string())).collect(),
        _ => Vec::new(),
    }
}

/// The label of a dimension's value (`*`: "All").
pub fn value_label(dimension: usize, code: &str) -> String {
    if code == ALL {
        return "All".into();
    }
    dimension_values(dimension).into_iter().find(|(c, _)| c == code).map(|(_, l)| l).unwrap_or_else(|| code.into())
}

impl BenchmarkQuery {
    /// The whole survey in a zone, broken down by nothing.
    pub fn everyone(zone: CurrencyZone) -> BenchmarkQuery {
        BenchmarkQuery { zone, cell: std::array::from_fn(|_| ALL.to_string()), breakdown: None }
    }

    /// Reads a question from a query string's pairs: `zone`, `discipline`, `licence`,
    /// `experience`, `region`, `sector` (a value's code, or empty or `all`), `by` (a dimension's
    /// name, or empty). An unknown value or a repeated parameter is refused, naming its field;
    /// other parameters are ignored. `default_zone` is used when none is given.
    pub fn parse(
        pairs: &[(String, String)],
        default_zone: CurrencyZone,
    ) -> Result<BenchmarkQuery, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut query = BenchmarkQuery::everyone(default_zone);
        for (key, value) in pairs {
            let key = key.as_str();
            if !(key == "zone" || key == "by" || DIMENSIONS.contains(&key)) {
                continue;
            }
            if !seen.insert(key) {
                problems
                    .push((key.to_string(), format!("Give {key} once: a benchmark is one value or all per question.")));
                continue;
            }
            let value = value.trim();
            if key == "zone" {
                match CurrencyZone::from_code(&value.to_ascii_uppercase()) {
                    Some(zone) => query.zone = zone,
                    None if value.is_empty() => {}
                    None => problems
                        .push(("zone".into(), format!("{value:?} is not a currency zone: use USD, CAD or GBP."))),
                }
                continue;
            }
            if key == "by" {
                match DIMENSIONS.iter().position(|d| *d == value) {
                    Some(d) => query.breakdown = Some(d),
                    None if value.is_empty() || value == "none" => query.breakdown = None,
                    None => problems.push((
                        "by".into(),
                        format!("{value:?} is not something to break down by: use discipline, licence, experience, region or sector."),
                    )),
                }
                continue;
            }
            let Some(d) = DIMENSIONS.iter().position(|n| *n == key) else { continue };
            if value.is_empty() || value.eq_ignore_ascii_case("all") || value == ALL {
                continue;
            }
            match dimension_values(d).into_iter().find(|(code, _)| code.eq_ignore_ascii_case(value)) {
                Some((code, _)) => query.cell[d] = code,
                None => problems.push((key.to_string(), format!("{value:?} is not a value of {key}."))),
            }
        }
        if problems.is_empty() { Ok(query) } else { Err(problems) }
    }

    /// The cells the question reads: the chosen one, and with a breakdown each value of that
    /// dimension in its place (the chosen cell first).
    pub fn cells(&self) -> Vec<[String; 5]> {
        let mut cells = vec![self.cell.clone()];
        if let Some(d) = self.breakdown {
            for (code, _) in dimension_values(d) {
                let mut cell = self.cell.clone();
                cell[d] = code;
                if cell != self.cell {
                    cells.push(cell);
                }
            }
        }
        cells
    }

    /// The question as a query string (for links: the CSV of the page, the API).
    pub fn query_string(&self) -> String {
        let mut parts = vec![format!("zone={}", self.zone.code())];
        for (d, name) in DIMENSIONS.iter().enumerate() {
            if self.cell[d] != ALL {
                parts.push(format!("{name}={}", self.cell[d]));
            }
        }
        if let Some(d) = self.breakdown {
            parts.push(format!("by={}", DIMENSIONS[d]));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experience_bands() {
        let cases = [
            (0, "0-2"),
            (2, "0-2"),
            (3, "3-5"),
            (5, "3-5"),
            (6, "6-10"),
            (10, "6-10"),
            (11, "11-15"),
            (15, "11-15"),
            (16, "16-20"),
            (20, "16-20"),
            (21, "21-30"),
            (30, "21-30"),
            (31, "31+"),
            (60, "31+"),
        ];
        for (years, band) in cases {
            assert_eq!(ExperienceBand::of(years).code(), band, "{years} years");
        }
    }

    #[test]
    fn regions_and_zones_from_jurisdictions() {
        let cases = [
            ("US-TX", Region::WestSouthCentral, CurrencyZone::Usd),
            ("US-MA", Region::NewEngland, CurrencyZone::Usd),
            ("US-NY", Region::MiddleAtlantic, CurrencyZone::Usd),
            ("US-OH", Region::EastNorthCentral, CurrencyZone::Usd),
            ("US-MN", Region::WestNorthCentral, CurrencyZone::Usd),
            ("US-DC", Region::SouthAtlantic, CurrencyZone::Usd),
            ("US-FL", Region::SouthAtlantic, CurrencyZone::Usd),
            ("US-TN", Region::EastSouthCentral, CurrencyZone::Usd),
            ("US-CO", Region::Mountain, CurrencyZone::Usd),
            ("US-CA", Region::Pacific, CurrencyZone::Usd),
            ("US-AK", Region::Pacific, CurrencyZone::Usd),
            ("US-PR", Region::UsTerritories, CurrencyZone::Usd),
            ("CA-ON", Region::Canada, CurrencyZone::Cad),
            ("CA-BC", Region::Canada, CurrencyZone::Cad),
            ("UK", Region::UnitedKingdom, CurrencyZone::Gbp),
        ];
        for (code, region, zone) in cases {
            let j = Jurisdiction::parse(code).unwrap();
            assert_eq!(Region::of(&j), region, "{code}");
            assert_eq!(Region::of(&j).zone(), zone, "{code}");
        }
    }

    #[test]
    fn every_us_state_is_in_a_division() {
        for (code, _) in crate::member::JURISDICTIONS.iter().filter(|(c, _)| c.starts_with("US-")) {
            let region = Region::of(&Jurisdiction::parse(code).unwrap());
            let territory = ["US-AS", "US-GU", "US-MP", "US-PR", "US-VI"].contains(code);
            assert_eq!(region == Region::UsTerritories, territory, "{code}");
        }
    }

    #[test]
    fn licence_class_is_the_highest_held() {
        use LicenceKind::*;
        let cases: [(&[LicenceKind], LicenceClass); 8] = [
            (&[], LicenceClass::Unlicensed),
            (&[ProfessionalLandSurveyor], LicenceClass::Surveyor),
            (&[ProfessionalEngineer], LicenceClass::Professional),
            (&[ProfessionalEngineerCanada], LicenceClass::Professional),
            (&[CharteredEngineer], LicenceClass::Professional),
            (&[ProfessionalEngineer, ProfessionalLandSurveyor], LicenceClass::Professional),
            (&[StructuralEngineer], LicenceClass::Structural),
            (&[ProfessionalEngineer, StructuralEngineer], LicenceClass::Structural),
        ];
        for (held, class) in cases {
            assert_eq!(LicenceClass::of(held), class, "{held:?}");
        }
    }

    #[test]
    fn employer_keys() {
        let cases = [
            ("Acme Engineering, Inc.", "acme engineering"),
            ("ACME engineering", "acme engineering"),
            ("Acme Engineering LLC", "acme engineering"),
            ("The Acme Engineering Co.", "acme engineering"),
            ("Smith & Jones Ltd", "smith jones"),
            ("  Smith-Jones  ", "smith jones"),
            ("Inc", "inc"),
            ("...", ""),
            ("Müller GmbH", "müller gmbh"),
        ];
        for (name, key) in cases {
            assert_eq!(employer_key(name), key, "{name}");
        }
    }

    fn input() -> ResponseInput {
        ResponseInput {
            base_pay: "95,000".into(),
            bonus: "5000".into(),
            hours_per_week: "40".into(),
            employer_name: "Acme Engineering, Inc.".into(),
            employer_size: "50-249".into(),
            sector: "consulting".into(),
            discipline: "civil".into(),
            function: "design".into(),
            licences: vec!["pe".into(), "PE".into()],
            years_experience: "7".into(),
            education: "master".into(),
            jurisdiction: "US-TX".into(),
        }
    }

    #[test]
    fn a_response_is_read_with_its_dimensions() {
        let a = SurveyAnswers::parse(&input()).unwrap();
        assert_eq!(a.base_pay_cents, 9_500_000);
        assert_eq!(a.bonus_cents, 500_000);
        assert_eq!(a.employer_key, "acme engineering");
        assert_eq!(a.licences, vec![LicenceKind::ProfessionalEngineer]);
        assert_eq!(a.licence_class, LicenceClass::Professional);
        assert_eq!(a.experience_band, ExperienceBand::Years6To10);
        assert_eq!(a.region, Region::WestSouthCentral);
        assert_eq!(a.zone, CurrencyZone::Usd);
        assert!(a.full_time());
    }

    #[test]
    fn every_problem_of_a_response_is_named() {
        type Spoil = fn(&mut ResponseInput);
        let cases: [(Spoil, &str); 12] = [
            (|i| i.base_pay = String::new(), "base_pay"),
            (|i| i.base_pay = "0".into(), "base_pay"),
            (|i| i.base_pay = "lots".into(), "base_pay"),
            (|i| i.bonus = "-3".into(), "bonus"),
            (|i| i.hours_per_week = "200".into(), "hours_per_week"),
            (|i| i.years_experience = "seven".into(), "years_experience"),
            (|i| i.employer_name = "  ".into(), "employer_name"),
            (|i| i.sector = "piracy".into(), "sector"),
            (|i| i.discipline = "alchemy".into(), "discipline"),
            (|i| i.education = String::new(), "education"),
            (|i| i.jurisdiction = "Atlantis".into(), "jurisdiction"),
            (|i| i.licences = vec!["XYZ".into()], "licences"),
        ];
        for (spoil, field) in cases {
            let mut i = input();
            spoil(&mut i);
            let problems = SurveyAnswers::parse(&i).unwrap_err();
            assert!(problems.iter().any(|(f, _)| *f == field), "{field}: {problems:?}");
        }
        let all = SurveyAnswers::parse(&ResponseInput::default()).unwrap_err();
        assert!(all.len() >= 9, "{all:?}");
    }

    #[test]
    fn survey_dates() {
        assert!(SurveyDates::parse("2026", "2026-01-01", "2026-03-31").is_ok());
        let fields = |y, o, c| SurveyDates::parse(y, o, c).unwrap_err().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields("1990", "2026-01-01", "2026-03-31"), vec!["year"]);
        assert_eq!(fields("2026", "soon", "2026-03-31"), vec!["opens_on"]);
        assert_eq!(fields("2026", "2026-03-31", "2026-03-31"), vec!["closes_on"]);
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn benchmark_questions() {
        let q = BenchmarkQuery::parse(
            &pairs(&[("discipline", "Civil"), ("licence", "all"), ("by", "experience")]),
            CurrencyZone::Usd,
        )
        .unwrap();
        assert_eq!(q.cell, ["civil", "*", "*", "*", "*"].map(String::from));
        assert_eq!(q.breakdown, Some(2));
        assert_eq!(q.cells().len(), 1 + 7);
        assert_eq!(q.query_string(), "zone=USD&discipline=civil&by=experience");
        let q = BenchmarkQuery::parse(&pairs(&[("zone", "cad"), ("page", "2")]), CurrencyZone::Usd).unwrap();
        assert_eq!(q.zone, CurrencyZone::Cad);
        let refused = [
            (vec![("discipline", "alchemy")], "discipline"),
            (vec![("region", "mars")], "region"),
            (vec![("sector", "consulting"), ("sector", "academia")], "sector"),
            (vec![("zone", "EUR")], "zone"),
            (vec![("by", "salary")], "by"),
        ];
        for (list, field) in refused {
            let problems = BenchmarkQuery::parse(&pairs(&list), CurrencyZone::Usd).unwrap_err();
            assert_eq!(problems[0].0, field, "{list:?}");
        }
    }
}
