//! A job's own rules: its pay range (required, as pay-transparency laws increasingly demand),
//! its remote policy, its review by staff, and where it stands (draft, waiting for review,
//! live, expired, closed).

use time::{Date, OffsetDateTime};

use crate::membership::parse_money;

codes!(
    /// Where the work is done.
    RemotePolicy, "remote policy", {
        OnSite => ("on_site", "On site"),
        Hybrid => ("hybrid", "Hybrid"),
        Remote => ("remote", "Remote"),
    }
);

codes!(
    /// What a pay range is per.
    PayPeriod, "pay period", {
        Year => ("year", "a year"),
        Hour => ("hour", "an hour"),
    }
);

codes!(
    /// Staff's review of a job before it can be seen.
    Moderation, "job review", {
        Draft => ("draft", "Draft"),
        Pending => ("pending", "Waiting for review"),
        Approved => ("approved", "Approved"),
        Rejected => ("rejected", "Not approved"),
    }
);

codes!(
    /// Why a job was closed before its run ended.
    ClosedReason, "closing reason", {
        Filled => ("filled", "Filled"),
        Withdrawn => ("withdrawn", "Withdrawn by the employer"),
        TakenDown => ("taken_down", "Taken down by staff"),
    }
);

/// Hours in a working year: what an hourly range is annualised with for search.
pub const HOURS_A_YEAR: i64 = 2080;
/// The largest yearly pay a range may state (in cents): $10 million.
const MOST_CENTS: i64 = 1_000_000_000;

/// A job's pay range, in cents of the society's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalaryRange {
    pub min_cents: i64,
    pub max_cents: i64,
    pub period: PayPeriod,
}

impl SalaryRange {
    /// A range as typed (`salary_min`, `salary_max`, `pay_period`): every problem at once,
    /// each with the field it belongs to.
    pub fn parse(min: &str, max: &str, period: &str) -> Result<SalaryRange, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let mut amount = |raw: &str, field: &'static str, which: &str| {
            if raw.trim().is_empty() {
                problems.push((field, format!("Enter the {which} of the pay range: every job states its pay.")));
                return None;
            }
            match parse_money(raw) {
                Ok(0) => {
                    problems.push((field, format!("The {which} of the pay range must be more than zero.")));
                    None
                }
                Ok(cents) if cents > MOST_CENTS => {
                    problems.push((field, format!("The {which} of the pay range is more than anyone is paid.")));
                    None
                }
                Ok(cents) => Some(cents),
                Err(message) => {
                    problems.push((field, message));
                    None
                }
            }
        };
        let (min_cents, max_cents) = (amount(min, "salary_min", "lower end"), amount(max, "salary_max", "upper end"));
        let period = PayPeriod::from_code(period.trim());
        if period.is_none() {
            problems.push(("pay_period", "Choose whether the range is a year's pay or an hour's.".into()));
        }
        if let (Some(low), Some(high)) = (min_cents, max_cents)
            && high < low
        {
            problems.push(("salary_max", "The upper end of the pay range is below its lower end.".into()));
        }
        match (min_cents, max_cents, period) {
            (Some(min_cents), Some(max_cents), Some(period)) if problems.is_empty() => {
                Ok(SalaryRange { min_cents, max_cents, period })
            }
            _ => Err(problems),
        }
    }

    /// The range as a year's pay (an hourly range times 2,080 hours): what search filters on.
    pub fn annual_cents(&self) -> (i64, i64) {
        match self.period {
            PayPeriod::Year => (self.min_cents, self.max_cents),
            PayPeriod::Hour => (self.min_cents * HOURS_A_YEAR, self.max_cents * HOURS_A_YEAR),
        }
    }

    /// In words: "$95,000–$120,000 a year", "$45.50–$60 an hour".
    pub fn words(&self) -> String {
        let amount = |cents: i64| {
            let whole = (cents / 100).to_string();
            let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
            for (i, digit) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i).is_multiple_of(3) {
                    grouped.push(',');
                }
                grouped.push(digit);
            }
            match cents % 100 {
                0 => format!("${grouped}"),
                c => format!("${grouped}.{c:02}"),
            }
        };
        let range = if self.min_cents == self.max_cents {
            amount(self.min_cents)
        } else {
            format!("{}\u{2013}{}", amount(self.min_cents), amount(self.max_cents))
        };
        format!("{range} {}", self.period.label())
    }
}

/// Where a job stands, for its employer, staff and the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Being written; nobody else sees it.
    Draft,
    WaitingForReview,
    NotApproved,
    /// Approved, its run not started (it waits for its posting to be paid for).
    Approved,
    /// Public: in search, on its page, in the feed.
    Live,
    /// Its run ended, or its closing date passed.
    Expired,
    Closed(ClosedReason),
}

/// The facts a job's state follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobFacts {
    pub moderation: Moderation,
    /// When its paid run began and ends.
    pub live_from: Option<OffsetDateTime>,
    pub live_until: Option<OffsetDateTime>,
    pub closes_on: Option<Date>,
    pub closed: Option<ClosedReason>,
}

impl JobState {
    /// The state at `now` (on the society's calendar day `today`). Live only when approved,
    /// inside its run, not closed and not past its closing date: the one predicate search,
    /// its page and its feed share.
    pub fn of(facts: &JobFacts, now: OffsetDateTime, today: Date) -> JobState {
        if let Some(reason) = facts.closed {
            return JobState::Closed(reason);
        }
        match facts.moderation {
            Moderation::Draft => JobState::Draft,
            Moderation::Pending => JobState::WaitingForReview,
            Moderation::Rejected => JobState::NotApproved,
            Moderation::Approved => match (facts.live_from, facts.live_until) {
                (Some(from), Some(until)) if from <= now && now < until => {
                    match facts.closes_on.is_some_and(|closes| closes < today) {
                        true => JobState::Expired,
                        false => JobState::Live,
                    }
                }
                (Some(from), Some(_)) if from <= now => JobState::Expired,
                _ => JobState::Approved,
            },
        }
    }

    /// Whether the public may see it.
    pub fn is_live(self) -> bool {
        self == JobState::Live
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn a_pay_range_is_required_and_read_with_every_problem_named() {
        let ok = |min, max, period, expected: (i64, i64, PayPeriod)| {
            let range = SalaryRange::parse(min, max, period).unwrap();
            assert_eq!((range.min_cents, range.max_cents, range.period), expected, "{min}–{max} {period}");
        };
        ok("95,000", "$120,000", "year", (9_500_000, 12_000_000, PayPeriod::Year));
        ok("45.50", "60", "hour", (4_550, 6_000, PayPeriod::Hour));
        ok("80000", "80000", "year", (8_000_000, 8_000_000, PayPeriod::Year));
        let refused = |min, max, period| SalaryRange::parse(min, max, period).unwrap_err();
        let fields = |problems: Vec<(&'static str, String)>| problems.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(refused("", "", "year")), ["salary_min", "salary_max"]);
        assert_eq!(fields(refused("", "", "")), ["salary_min", "salary_max", "pay_period"]);
        assert_eq!(fields(refused("120000", "95000", "year")), ["salary_max"]);
        assert_eq!(fields(refused("0", "10", "hour")), ["salary_min"]);
        assert_eq!(fields(refused("-5", "10", "hour")), ["salary_min"]);
        assert_eq!(fields(refused("50k", "60k", "month")), ["salary_min", "salary_max", "pay_period"]);
        assert_eq!(fields(refused("1", "20000000", "year")), ["salary_max"]);
        assert!(refused("", "1", "year")[0].1.contains("every job states its pay"));
        assert!(refused("9", "5", "year")[0].1.contains("below its lower end"));
    }

    #[test]
    fn a_range_reads_as_a_year_for_search_and_in_words_for_people() {
        let hourly = SalaryRange { min_cents: 4_550, max_cents: 6_000, period: PayPeriod::Hour };
        assert_eq!(hourly.annual_cents(), (9_464_000, 12_480_000));
        assert_eq!(hourly.words(), "$45.50\u{2013}$60 an hour");
        let yearly = SalaryRange { min_cents: 9_500_000, max_cents: 12_000_000, period: PayPeriod::Year };
        assert_eq!(yearly.annual_cents(), (9_500_000, 12_000_000));
        assert_eq!(yearly.words(), "$95,000\u{2013}$120,000 a year");
        let single = SalaryRange { min_cents: 100_000_000, max_cents: 100_000_000, period: PayPeriod::Year };
        assert_eq!(single.words(), "$1,000,000 a year");
    }

    #[test]
    fn a_job_is_live_only_approved_inside_its_run_open_and_before_its_closing_date() {
        let now = datetime!(2026-12-06 12:00 UTC);
        let today = date!(2026 - 12 - 06);
        let run = (Some(datetime!(2026-12-01 00:00 UTC)), Some(datetime!(2027-01-01 00:00 UTC)));
        let facts = |moderation, (live_from, live_until), closes_on, closed| JobFacts {
            moderation,
            live_from,
            live_until,
            closes_on,
            closed,
        };
        let cases = [
            (facts(Moderation::Draft, (None, None), None, None), JobState::Draft),
            (facts(Moderation::Pending, (None, None), None, None), JobState::WaitingForReview),
            (facts(Moderation::Rejected, (None, None), None, None), JobState::NotApproved),
            (facts(Moderation::Approved, (None, None), None, None), JobState::Approved),
            (facts(Moderation::Approved, run, None, None), JobState::Live),
            (facts(Moderation::Approved, run, Some(today), None), JobState::Live),
            (facts(Moderation::Approved, run, Some(date!(2026 - 12 - 05)), None), JobState::Expired),
            (
                facts(
                    Moderation::Approved,
                    (Some(datetime!(2026-11-01 00:00 UTC)), Some(datetime!(2026-12-01 00:00 UTC))),
                    None,
                    None,
                ),
                JobState::Expired,
            ),
            // A run that starts later (a featured slot booked ahead) is not live yet.
            (
                facts(Moderation::Approved, (Some(datetime!(2026-12-10 00:00 UTC)), run.1), None, None),
                JobState::Approved,
            ),
            (
                facts(Moderation::Approved, run, None, Some(ClosedReason::Filled)),
                JobState::Closed(ClosedReason::Filled),
            ),
            (
                facts(Moderation::Pending, (None, None), None, Some(ClosedReason::Withdrawn)),
                JobState::Closed(ClosedReason::Withdrawn),
            ),
        ];
        for (facts, expected) in cases {
            let state = JobState::of(&facts, now, today);
            assert_eq!(state, expected, "{facts:?}");
            assert_eq!(state.is_live(), expected == JobState::Live);
        }
    }
}
