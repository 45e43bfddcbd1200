//! An event's times in its own zone: what organisers type (a wall-clock time in the event's
//! IANA zone) becomes an instant, and instants are shown back on the event's wall clock.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("Choose a time zone from the list (such as America/New_York).")]
    UnknownZone,
    #[error("Enter a date and time such as 2027-03-14T09:00.")]
    Unreadable,
    #[error("{0} does not exist in {1}: the clocks go forward that night. Choose a time an hour later.")]
    SkippedByClockChange(String, String),
}

/// The instant (Unix seconds) of the wall-clock time `local` (`YYYY-MM-DDTHH:MM`, as a
/// `datetime-local` field sends it) in the IANA zone `zone`. A time the clocks skip is
/// refused; a time they repeat (the autumn change) is the first of the two.
pub fn local_instant(local: &str, zone: &str) -> Result<i64, LocalTimeError> {
    let tz = TimeZone::get(zone.trim()).map_err(|_| LocalTimeError::UnknownZone)?;
    let civil: DateTime = local.trim().parse().map_err(|_| LocalTimeError::Unreadable)?;
    let ambiguous = tz.to_ambiguous_timestamp(civil);
    let offset = match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Fold { before, .. } => before,
        AmbiguousOffset::Gap { .. } => {
            return Err(LocalTimeError::SkippedByClockChange(
                civil.strftime("%Y-%m-%d %H:%M").to_string(),
                zone.into(),
            ));
        }
    };
    offset.to_timestamp(civil).map(|t| t.as_second()).map_err(|_| LocalTimeError::Unreadable)
}

/// An instant as the event's wall clock shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTime {
    /// `Saturday 13 March 2027`
    pub date: String,
    /// `9:00 AM`
    pub time: String,
    /// The zone's abbreviation at that instant (`EST`, `EDT`), or its offset.
    pub zone: String,
    /// `2027-03-13T09:00`, for a `datetime-local` field.
    pub input: String,
    /// RFC 3339 with the offset, for `<time datetime>`.
    pub rfc3339: String,
}

/// `at` (Unix seconds) on the wall clock of `zone`; UTC if the zone is unknown.
pub fn event_time(at: i64, zone: &str) -> EventTime {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let instant = Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = instant.to_zoned(tz);
    EventTime {
        date: zoned.strftime("%A %-d %B %Y").to_string(),
        time: zoned.strftime("%-I:%M %p").to_string(),
        zone: zoned.strftime("%Z").to_string(),
        input: zoned.strftime("%Y-%m-%dT%H:%M").to_string(),
        rfc3339: zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_become_instants_across_daylight_saving_changes() {
        let cases = [
            // Winter and summer in New York: five and four hours behind UTC.
            ("2027-01-15T09:00", "America/New_York", Ok(1_800_021_600)),
            ("2027-07-15T09:00", "America/New_York", Ok(1_815_656_400)),
            // Arizona keeps standard time all year.
            ("2027-07-15T09:00", "America/Phoenix", Ok(1_815_667_200)),
            // 14 March 2027, 02:30 does not happen in New York.
            (
                "2027-03-14T02:30",
                "America/New_York",
                Err(LocalTimeError::SkippedByClockChange("2027-03-14 02:30".into(), "America/New_York".into())),
            ),
            // 7 November 2027, 01:30 happens twice: the first (EDT, UTC-4) is taken.
            ("2027-11-07T01:30", "America/New_York", Ok(1_825_565_400)),
            ("2027-01-15T09:00", "Mars/Olympus_Mons", Err(LocalTimeError::UnknownZone)),
            ("next Tuesday", "America/Chicago", Err(LocalTimeError::Unreadable)),
        ];
        for (local, zone, expected) in cases {
            assert_eq!(local_instant(local, zone), expected, "{local} in {zone}");
        }
    }

    #[test]
    fn instants_show_on_the_event_s_wall_clock_with_the_zone_in_force() {
        let winter = event_time(1_800_021_600, "America/New_York");
        assert_eq!(
            (winter.date.as_str(), winter.time.as_str(), winter.zone.as_str(), winter.input.as_str()),
            ("Friday 15 January 2027", "9:00 AM", "EST", "2027-01-15T09:00")
        );
        assert_eq!(winter.rfc3339, "2027-01-15T09:00:00-05:00");
        let summer = event_time(1_815_656_400, "America/New_York");
        assert_eq!((summer.time.as_str(), summer.zone.as_str()), ("9:00 AM", "EDT"));
        // The same instant in Los Angeles is three hours earlier on the wall clock.
        assert_eq!(event_time(1_815_656_400, "America/Los_Angeles").time, "6:00 AM");
        // Both halves of the repeated hour keep their own abbreviation.
        assert_eq!(event_time(1_825_565_400, "America/New_York").zone, "EDT");
        assert_eq!(event_time(1_825_565_400 + 3_600, "America/New_York").zone, "EST");
    }
}
