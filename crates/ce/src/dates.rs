//! Calendar helpers on `time::Date` (no time zones: CE periods are whole days).

use time::{Date, Month};

pub fn ymd(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

#[inline]
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match Month::try_from(m) {
        Ok(month) => month.length(y),
        Err(_) => 30,
    }
}

#[inline]
pub fn last_of_month(y: i32, m: u8) -> Date {
    ymd(y, m, days_in_month(y, m)).unwrap_or(Date::MIN)
}

/// `d` plus `n` months (negative allowed), clamping the day to the month's length.
#[inline]
pub fn add_months(d: Date, n: i32) -> Date {
    let (y0, m0, day) = d.to_calendar_date();
    let total = y0 * 12 + (m0 as i32 - 1) + n;
    let y = total.div_euclid(12);
    let m = (total.rem_euclid(12) + 1) as u8;
    let day = day.min(days_in_month(y, m));
    ymd(y, m, day).unwrap_or(Date::MIN)
}

/// Same as [`add_months`] but keeps "last day of month" anchoring: if `d` is the last day of its
/// month the result is the last day of the target month.
#[inline]
pub fn add_months_eom(d: Date, n: i32) -> Date {
    // One calendar decomposition of `d` (the same arithmetic as `add_months`).
    let (y0, m0, day) = d.to_calendar_date();
    let total = y0 * 12 + (m0 as i32 - 1) + n;
    let y = total.div_euclid(12);
    let m = (total.rem_euclid(12) + 1) as u8;
    // Every month has at least 28 days: shorter days need no month lengths.
    let (eom, target) = if day < 28 {
        (false, day)
    } else {
        let len = days_in_month(y, m);
        let eom = day == days_in_month(y0, m0 as u8);
        (eom, if eom { len } else { day.min(len) })
    };
    match ymd(y, m, target) {
        Some(r) => r,
        // Out of range: as `add_months` gives `Date::MIN`, and the end of its month if anchored.
        None if eom => last_of_month(Date::MIN.year(), Date::MIN.month() as u8),
        None => Date::MIN,
    }
}

#[inline]
pub fn next_day(d: Date) -> Date {
    d.next_day().unwrap_or(d)
}

#[inline]
pub fn prev_day(d: Date) -> Date {
    d.previous_day().unwrap_or(d)
}

/// Whole months from `from` (inclusive) to `to` (inclusive), counting a started month as whole:
/// 2024-03-15 → 2025-03-14 is 12 months.
#[inline]
pub fn months_inclusive(from: Date, to: Date) -> i32 {
    if to < from {
        return 0;
    }
    let end = next_day(to);
    let mut m = (end.year() - from.year()) * 12 + (end.month() as i32 - from.month() as i32);
    if end.day() > from.day() {
        m += 1;
    }
    m.max(0)
}

pub fn parse_iso(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    let d: u8 = s.get(8..10)?.parse().ok()?;
    ymd(y, m, d)
}

pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let a = parse_iso("2024-03-15").unwrap();
        let b = parse_iso("2025-03-14").unwrap();
        assert_eq!(months_inclusive(a, b), 12);
        assert_eq!(add_months(parse_iso("2024-01-31").unwrap(), 1), parse_iso("2024-02-29").unwrap());
        assert_eq!(add_months_eom(parse_iso("2023-02-28").unwrap(), 24), parse_iso("2025-02-28").unwrap());
        assert_eq!(iso(a), "2024-03-15");
        assert!(parse_iso("2024-02-30").is_none());
        // The one-pass end-of-month form agrees with its definition.
        let mut d = parse_iso("2019-01-01").unwrap();
        for _ in 0..800 {
            for n in [-37, -24, -12, -1, 0, 1, 11, 12, 24, 36] {
                let r = add_months(d, n);
                let want = if d.day() == days_in_month(d.year(), d.month() as u8) {
                    last_of_month(r.year(), r.month() as u8)
                } else {
                    r
                };
                assert_eq!(add_months_eom(d, n), want, "{d} {n}");
            }
            d = next_day(d);
        }
    }
}
