//! Calendar helpers shared by the membership rules: day arithmetic that reports errors
//! instead of panicking, whole years between dates, and [`MonthDay`] for yearly settings.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use super::MembershipError;

/// `date` plus `days` (which may be negative), or [`MembershipError::DateOutOfRange`].
pub(crate) fn add_days(date: Date, days: i64) -> Result<Date, MembershipError> {
    date.checked_add(Duration::days(days)).ok_or(MembershipError::DateOutOfRange { from: date })
}

/// December 31 of `year`.
pub(crate) fn end_of_year(year: i32, from: Date) -> Result<Date, MembershipError> {
    Date::from_calendar_date(year, Month::December, 31).map_err(|_| MembershipError::DateOutOfRange { from })
}

/// The same month and day `years` later. A February 29 that lands on a year without one
/// becomes March 1: the anniversary has not been reached until February is over.
pub(crate) fn anniversary(date: Date, years: i32) -> Result<Date, MembershipError> {
    let out_of_range = MembershipError::DateOutOfRange { from: date };
    let year = date.year().checked_add(years).ok_or(out_of_range.clone())?;
    match Date::from_calendar_date(year, date.month(), date.day()) {
        Ok(d) => Ok(d),
        Err(_) => Date::from_calendar_date(year, Month::March, 1).map_err(|_| out_of_range),
    }
}

/// Whole years from `from` to `to` (0 if `to` is earlier). A year is complete on the
/// anniversary; for a February 29 start that is March 1 in years without February 29,
/// the same rule as [`anniversary`]. Used for ages and years licensed.
pub(crate) fn whole_years_between(from: Date, to: Date) -> u32 {
    if to < from {
        return 0;
    }
    let mut years = to.year() - from.year();
    if (u8::from(to.month()), to.day()) < (u8::from(from.month()), from.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Inclusive number of days from `from` to `to` (both counted); 0 if `to` is earlier.
pub(crate) fn inclusive_days(from: Date, to: Date) -> i64 {
    if to < from { 0 } else { (to - from).whole_days() + 1 }
}

/// A month and day that recurs every year, such as the late-join cutoff "October 1".
///
/// February 29 is refused because it does not occur every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "(u8, u8)", into = "(u8, u8)")]
pub struct MonthDay {
    month: Month,
    day: u8,
}

impl MonthDay {
    /// Builds a month and day the caller knows exists every year (used for constants).
    pub(crate) const fn from_parts(month: Month, day: u8) -> Self {
        Self { month, day }
    }

    /// A month (1 to 12) and day that exists in every year.
    pub fn new(month: u8, day: u8) -> Result<Self, MembershipError> {
        let invalid = MembershipError::InvalidMonthDay { month, day };
        let m = Month::try_from(month).map_err(|_| invalid.clone())?;
        // 2023 has no February 29, so this accepts exactly the days every year has.
        Date::from_calendar_date(2023, m, day).map_err(|_| invalid)?;
        Ok(Self { month: m, day })
    }

    /// The month.
    pub fn month(self) -> Month {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// This month and day in `year`.
    pub fn in_year(self, year: i32) -> Result<Date, MembershipError> {
        Date::from_calendar_date(year, self.month, self.day)
            .map_err(|_| MembershipError::InvalidMonthDay { month: u8::from(self.month), day: self.day })
    }
}

impl TryFrom<(u8, u8)> for MonthDay {
    type Error = MembershipError;
    fn try_from((month, day): (u8, u8)) -> Result<Self, Self::Error> {
        Self::new(month, day)
    }
}

impl From<MonthDay> for (u8, u8) {
    fn from(md: MonthDay) -> Self {
        (u8::from(md.month), md.day)
    }
}

/// "12 March 2031": how dates appear in sentences shown to members.
pub(crate) fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn anniversaries() {
        let cases = [
            (date!(2024 - 02 - 29), 1, date!(2025 - 03 - 01)),
            (date!(2024 - 02 - 29), 4, date!(2028 - 02 - 29)),
            (date!(2023 - 03 - 01), 1, date!(2024 - 03 - 01)),
            (date!(2023 - 02 - 28), 1, date!(2024 - 02 - 28)),
            (date!(2025 - 12 - 31), 1, date!(2026 - 12 - 31)),
        ];
        for (from, years, expected) in cases {
            assert_eq!(anniversary(from, years), Ok(expected), "{from} + {years}y");
        }
    }

    #[test]
    fn whole_years() {
        let cases = [
            (date!(2000 - 06 - 15), date!(2025 - 06 - 14), 24),
            (date!(2000 - 06 - 15), date!(2025 - 06 - 15), 25),
            (date!(2008 - 02 - 29), date!(2026 - 02 - 28), 17),
            (date!(2008 - 02 - 29), date!(2026 - 03 - 01), 18),
            (date!(2008 - 02 - 29), date!(2028 - 02 - 28), 19),
            (date!(2008 - 02 - 29), date!(2028 - 02 - 29), 20),
            (date!(2020 - 01 - 01), date!(2019 - 12 - 31), 0),
        ];
        for (from, to, expected) in cases {
            assert_eq!(whole_years_between(from, to), expected, "{from} to {to}");
        }
    }

    #[test]
    fn month_day_validation() {
        assert!(MonthDay::new(10, 1).is_ok());
        assert!(MonthDay::new(12, 31).is_ok());
        assert!(MonthDay::new(2, 28).is_ok());
        for (m, d) in [(2, 29), (2, 30), (4, 31), (13, 1), (0, 1), (1, 0)] {
            assert_eq!(MonthDay::new(m, d), Err(MembershipError::InvalidMonthDay { month: m, day: d }), "{m}-{d}");
        }
    }

    #[test]
    fn day_arithmetic_reports_overflow() {
        assert!(add_days(Date::MAX, 1).is_err());
        assert!(add_days(Date::MIN, -1).is_err());
        assert_eq!(add_days(date!(2024 - 02 - 28), 1), Ok(date!(2024 - 02 - 29)));
        assert_eq!(inclusive_days(date!(2024 - 01 - 01), date!(2024 - 12 - 31)), 366);
        assert_eq!(long_date(date!(2031 - 03 - 12)), "12 March 2031");
    }
}
