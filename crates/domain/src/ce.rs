//! Continuing-education values people type, checked the same way wherever they arrive (the
//! CE form, the API, credit imported from events or providers): an activity's date.

use time::{Date, macros::date, macros::format_description};

/// No activity before this day is accepted: older dates are typing mistakes (a year of 1926
/// for 2026), and no board looks back that far.
pub const EARLIEST_ACTIVITY_DATE: Date = date!(1950 - 01 - 01);

/// Checks a day an activity took place: on or after [`EARLIEST_ACTIVITY_DATE`] and not after
/// `today`. The error is a sentence for the person who typed it.
pub fn check_activity_date(day: Date, today: Date) -> Result<Date, String> {
    if day < EARLIEST_ACTIVITY_DATE {
        return Err(format!(
            "The date {day} is before 1 January 1950: check the year (activities before 1950 cannot be logged)."
        ));
    }
    if day > today {
        return Err(format!("The date {day} is in the future: log an activity once it has taken place."));
    }
    Ok(day)
}

/// Reads the day an activity took place as typed (`2026-03-31`) and checks it with
/// [`check_activity_date`].
pub fn activity_date(raw: &str, today: Date) -> Result<Date, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Give the date of the activity, like 2026-03-31.".into());
    }
    let day = Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("\u{201c}{raw}\u{201d} is not a date: write it like 2026-03-31."))?;
    check_activity_date(day, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_dates_are_between_1950_and_today() {
        let today = date!(2026 - 12 - 05);
        assert_eq!(activity_date("2026-12-05", today), Ok(today));
        assert_eq!(activity_date(" 1950-01-01 ", today), Ok(date!(1950 - 01 - 01)));
        for bad in ["", "1949-12-31", "2026-12-06", "0001-01-01", "yesterday", "2026-02-30"] {
            let err = activity_date(bad, today).unwrap_err();
            assert!(err.ends_with('.'), "{bad}: {err}");
        }
        assert!(activity_date("1949-12-31", today).unwrap_err().contains("before 1 January 1950"));
        assert!(activity_date("2027-01-01", today).unwrap_err().contains("in the future"));
    }
}
