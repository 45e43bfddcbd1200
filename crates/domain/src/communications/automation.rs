//! Automations: a series of messages, each a number of days after a member's start (the day
//! they joined, or the day their membership ended), sent only while the series' condition
//! still holds (a new member still a member, a former one still lapsed).

use time::{Date, Duration};

codes!(
    /// Which series: whom it is for and from which day its delays count.
    AutomationKind, "automation", {
        Welcome => ("welcome", "Welcome series"),
        WinBack => ("win_back", "Lapsed-member win-back"),
    }
);

impl AutomationKind {
    /// Whom it goes to and from when its days count, in words for staff.
    pub fn condition(self) -> &'static str {
        match self {
            AutomationKind::Welcome => {
                "New members, counted from the day they joined; a step is not sent to anyone who is no longer a current member."
            }
            AutomationKind::WinBack => {
                "Members whose membership lapsed, counted from the day it expired; a step is not sent to anyone who has renewed or rejoined."
            }
        }
    }
}

/// Most days a step may wait: a little over two years.
pub const MAX_DELAY_DAYS: i64 = 800;

/// The start days whose members are due a step `delay_days` after their start, today, for a
/// series switched on `active_since`: from the first start day whose step falls on or after
/// the switch-on day, to the last whose step falls today. `None` when there are none yet.
pub fn due_start_days(active_since: Date, today: Date, delay_days: i64) -> Option<(Date, Date)> {
    let delay = Duration::days(delay_days.clamp(0, MAX_DELAY_DAYS));
    let (from, to) = (active_since.checked_sub(delay)?, today.checked_sub(delay)?);
    (from <= to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_step_is_due_to_members_whose_day_falls_between_switch_on_and_today() {
        let cases = [
            // (switched on, today, delay, due start days)
            (date!(2026 - 12 - 01), date!(2026 - 12 - 01), 0, Some((date!(2026 - 12 - 01), date!(2026 - 12 - 01)))),
            (date!(2026 - 12 - 01), date!(2026 - 12 - 10), 7, Some((date!(2026 - 11 - 24), date!(2026 - 12 - 03)))),
            // Joined long ago: their day fell before the series was on.
            (date!(2026 - 12 - 01), date!(2026 - 12 - 01), 30, Some((date!(2026 - 11 - 01), date!(2026 - 11 - 01)))),
            (date!(2026 - 12 - 05), date!(2026 - 12 - 01), 0, None),
            // A negative delay counts as none; an absurd one is held at the most allowed.
            (date!(2026 - 12 - 01), date!(2026 - 12 - 02), -3, Some((date!(2026 - 12 - 01), date!(2026 - 12 - 02)))),
            (
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 01),
                100_000,
                Some((date!(2024 - 09 - 22), date!(2024 - 09 - 22))),
            ),
        ];
        for (on, today, delay, due) in cases {
            assert_eq!(due_start_days(on, today, delay), due, "switched on {on}, today {today}, delay {delay}");
        }
    }

    #[test]
    fn every_series_says_whom_it_reaches_and_reads_back_from_its_code() {
        for &kind in AutomationKind::ALL {
            assert!(!kind.condition().is_empty());
            assert_eq!(AutomationKind::try_from(kind.code().to_string()).unwrap(), kind);
        }
    }
}
