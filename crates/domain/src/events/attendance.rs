//! Partial PDH credit for webinar attendance: how many minutes of each session a person
//! was present for, read from the join and leave times a Zoom or Teams report gives
//! (see [`crate::csv::attendance`]), and how much of the session's PDH that earns.
//!
//! Everything is in Unix seconds (UTC), so sessions across midnight or across a
//! daylight-saving change need no special handling: a session is as long as the clocks
//! say in real time, not on the wall. Integer arithmetic only.

/// One stretch of time a person was in the meeting: from joining to leaving (Unix
/// seconds). A stretch whose `left_at` is not after its `joined_at` counts for nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// When the person joined.
    pub joined_at: i64,
    /// When the person left.
    pub left_at: i64,
}

/// One session of an event that carries PDH: when it starts and ends (Unix seconds) and
/// the PDH it is worth in full, in millionths (1_000_000 = one PDH).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionWindow {
    /// When the session starts; attendance before it does not count.
    pub starts_at: i64,
    /// When the session ends; attendance after it does not count.
    pub ends_at: i64,
    /// The PDH for attending all of it, in millionths: the most it can earn.
    pub pdh_micro: i64,
}

/// How attendance becomes partial credit: at least `minutes_per_pdh` minutes for each
/// PDH, granted in steps of `increment_micro` millionths of a PDH (250_000 = a quarter
/// PDH). Build one with [`PartialCreditRule::new`] to have it checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialCreditRule {
    /// Minutes of attendance for each PDH (at least 1).
    pub minutes_per_pdh: u32,
    /// The step credit is granted in, in millionths of a PDH (1..=1_000_000).
    pub increment_micro: i64,
}

impl Default for PartialCreditRule {
    /// 50 minutes for each PDH, granted in quarter PDH.
    fn default() -> Self {
        Self { minutes_per_pdh: 50, increment_micro: 250_000 }
    }
}

/// Why a partial-credit rule is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreditRuleError {
    /// `minutes_per_pdh` is 0.
    #[error("Enter how many minutes of attendance earn one PDH (at least 1).")]
    NoMinutes,
    /// `increment_micro` is not in 1..=1_000_000.
    #[error("Credit must be granted in steps greater than 0 and at most 1 PDH.")]
    Increment,
}

impl PartialCreditRule {
    /// A rule of `minutes_per_pdh` minutes for each PDH, granted in steps of
    /// `increment_micro`; refused for 0 minutes or a step that is not in 1..=1_000_000.
    pub fn new(minutes_per_pdh: u32, increment_micro: i64) -> Result<Self, CreditRuleError> {
        if minutes_per_pdh == 0 {
            return Err(CreditRuleError::NoMinutes);
        }
        if !(1..=1_000_000).contains(&increment_micro) {
            return Err(CreditRuleError::Increment);
        }
        Ok(Self { minutes_per_pdh, increment_micro })
    }
}

/// Whole minutes a person was present in `window`: the union of `spans` clipped to the
/// session, so two devices joined at once count once and leaving and rejoining counts
/// both pieces. Seconds are added up first and only the total is rounded down.
pub fn minutes_in(spans: &[Span], window: &SessionWindow) -> i64 {
    let mut pieces: Vec<(i64, i64)> = spans
        .iter()
        .map(|s| (s.joined_at.max(window.starts_at), s.left_at.min(window.ends_at)))
        .filter(|(from, to)| from < to)
        .collect();
    pieces.sort_unstable();
    let mut seconds: i128 = 0;
    let mut current: Option<(i64, i64)> = None;
    for (from, to) in pieces {
        current = match current {
            Some((start, end)) if from <= end => Some((start, end.max(to))),
            Some((start, end)) => {
                seconds += i128::from(end) - i128::from(start);
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    if let Some((start, end)) = current {
        seconds += i128::from(end) - i128::from(start);
    }
    i64::try_from(seconds / 60).unwrap_or(i64::MAX)
}

/// What one session earned: the minutes attended and the PDH credited, in millionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionCredit {
    /// Whole minutes present during the session.
    pub minutes: i64,
    /// PDH earned, in millionths.
    pub pdh_micro: i64,
}

/// The credit for each of `sessions`, in the same order: the minutes attended (see
/// [`minutes_in`]) times one PDH per `rule.minutes_per_pdh` minutes, rounded down to a
/// whole number of `rule.increment_micro` steps, and never more than the session's PDH
/// (nor less than nothing).
pub fn credit(spans: &[Span], sessions: &[SessionWindow], rule: &PartialCreditRule) -> Vec<SessionCredit> {
    let per_pdh = i128::from(rule.minutes_per_pdh.max(1));
    let step = i128::from(rule.increment_micro.max(1));
    sessions
        .iter()
        .map(|session| {
            let minutes = minutes_in(spans, session);
            let earned = i128::from(minutes) * 1_000_000 / per_pdh;
            let earned = earned - earned % step;
            let cap = i128::from(session.pdh_micro.max(0));
            let pdh_micro = i64::try_from(earned.min(cap)).unwrap_or(0);
            SessionCredit { minutes, pdh_micro }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-03-10T00:00:00Z, a Wednesday.
    const DAY: i64 = 1_804_636_800;
    const HOUR: i64 = 3_600;
    const MIN: i64 = 60;

    fn at(hours: i64, minutes: i64) -> i64 {
        DAY + hours * HOUR + minutes * MIN
    }

    fn span(from: i64, to: i64) -> Span {
        Span { joined_at: from, left_at: to }
    }

    fn session(from: i64, to: i64, pdh_micro: i64) -> SessionWindow {
        SessionWindow { starts_at: from, ends_at: to, pdh_micro }
    }

    #[test]
    fn minutes_count_the_union_of_joins_within_the_session() {
        // 09:00–10:00, one PDH.
        let window = session(at(9, 0), at(10, 0), 1_000_000);
        let cases: [(&str, Vec<Span>, i64); 10] = [
            ("present throughout", vec![span(at(8, 55), at(10, 5))], 60),
            ("nobody joined", vec![], 0),
            ("two devices at once count once", vec![span(at(9, 0), at(9, 40)), span(at(9, 10), at(10, 0))], 60),
            (
                "a second device inside the first adds nothing",
                vec![span(at(9, 0), at(9, 30)), span(at(9, 5), at(9, 20))],
                30,
            ),
            (
                "leaving and rejoining counts both pieces",
                vec![span(at(9, 0), at(9, 20)), span(at(9, 30), at(9, 50))],
                40,
            ),
            (
                "rejoining at the second of leaving is seamless",
                vec![span(at(9, 0), at(9, 30)), span(at(9, 30), at(10, 0))],
                60,
            ),
            ("spans outside the session count nothing", vec![span(at(7, 0), at(8, 59)), span(at(10, 0), at(11, 0))], 0),
            ("a leave before the join counts nothing", vec![span(at(9, 50), at(9, 10))], 0),
            // 29 min 40 s + 29 min 40 s = 59 min 20 s: seconds are summed, then floored.
            (
                "seconds are added up before rounding down",
                vec![span(at(9, 0), at(9, 29) + 40), span(at(9, 30), at(9, 59) + 40)],
                59,
            ),
            ("less than a minute is no minute", vec![span(at(9, 0), at(9, 0) + 59)], 0),
        ];
        for (what, spans, expected) in cases {
            assert_eq!(minutes_in(&spans, &window), expected, "{what}");
        }
    }

    #[test]
    fn credit_is_partial_in_increments_and_capped_at_the_session_s_pdh() {
        let rule = PartialCreditRule::default();
        // 09:00–11:00, two PDH.
        let window = session(at(9, 0), at(11, 0), 2_000_000);
        let cases = [
            ("all 120 minutes: 2.4 PDH capped at 2", at(11, 0), 120, 2_000_000),
            ("100 minutes: exactly 2 PDH", at(10, 40), 100, 2_000_000),
            ("60 minutes: 1.2 PDH rounds down to 1", at(10, 0), 60, 1_000_000),
            ("63 minutes: 1.26 PDH rounds down to 1.25", at(10, 3), 63, 1_250_000),
            ("12 minutes: 0.24 PDH is below one quarter", at(9, 12), 12, 0),
            ("13 minutes: 0.26 PDH is one quarter", at(9, 13), 13, 250_000),
        ];
        for (what, left, minutes, pdh_micro) in cases {
            let earned = credit(&[span(at(9, 0), left)], &[window], &rule);
            assert_eq!(earned, vec![SessionCredit { minutes, pdh_micro }], "{what}");
        }
    }

    #[test]
    fn each_session_is_credited_on_its_own_in_order() {
        let rule = PartialCreditRule::default();
        // Three one-hour sessions of one PDH each; the member misses the second.
        let sessions = [
            session(at(9, 0), at(10, 0), 1_000_000),
            session(at(11, 0), at(12, 0), 1_000_000),
            session(at(13, 0), at(14, 0), 1_000_000),
        ];
        let spans = [span(at(8, 50), at(10, 10)), span(at(12, 55), at(13, 30))];
        assert_eq!(
            credit(&spans, &sessions, &rule),
            vec![
                SessionCredit { minutes: 60, pdh_micro: 1_000_000 },
                SessionCredit { minutes: 0, pdh_micro: 0 },
                SessionCredit { minutes: 30, pdh_micro: 500_000 },
            ]
        );
        assert_eq!(credit(&spans, &[], &rule), vec![]);
    }

    #[test]
    fn times_in_unix_seconds_need_no_care_at_midnight_or_daylight_saving() {
        let rule = PartialCreditRule::default();
        // 23:30–00:45 UTC, across midnight: 75 minutes, 1.5 PDH at 50 minutes each.
        let midnight = session(at(23, 30), at(24, 45), 1_500_000);
        // 2027-03-14 in New York: 01:30 EST (06:30Z) to 03:30 EDT (07:30Z) is one hour of
        // real time though the wall clock moves two; the organiser's two PDH are capped by
        // the minutes actually there.
        let spring_forward = session(1_805_005_800, 1_805_009_400, 2_000_000);
        let cases = [
            ("present across midnight", midnight, span(at(23, 25), at(24, 50)), 75, 1_500_000),
            ("left at 00:10", midnight, span(at(23, 30), at(24, 10)), 40, 750_000),
            ("the night the clocks go forward", spring_forward, span(1_805_005_800, 1_805_009_400), 60, 1_000_000),
        ];
        for (what, window, attended, minutes, pdh_micro) in cases {
            assert_eq!(credit(&[attended], &[window], &rule), vec![SessionCredit { minutes, pdh_micro }], "{what}");
        }
    }

    #[test]
    fn other_rules_change_the_rate_and_the_step() {
        let window = session(at(9, 0), at(12, 0), 3_000_000);
        let spans = [span(at(9, 0), at(10, 30))];
        let cases = [
            // 90 minutes at 60 per PDH in tenths: 1.5.
            (PartialCreditRule::new(60, 100_000), 1_500_000),
            // At 60 per PDH in whole PDH: 1.
            (PartialCreditRule::new(60, 1_000_000), 1_000_000),
            // At 50 per PDH with no rounding step to speak of: 1.8.
            (PartialCreditRule::new(50, 1), 1_800_000),
        ];
        for (rule, expected) in cases {
            let rule = rule.expect("a valid rule");
            assert_eq!(credit(&spans, &[window], &rule)[0].pdh_micro, expected, "{rule:?}");
        }
    }

    #[test]
    fn rules_that_cannot_be_applied_are_refused() {
        let cases = [
            (50, 250_000, Ok(PartialCreditRule::default())),
            (1, 1_000_000, Ok(PartialCreditRule { minutes_per_pdh: 1, increment_micro: 1_000_000 })),
            (0, 250_000, Err(CreditRuleError::NoMinutes)),
            (50, 0, Err(CreditRuleError::Increment)),
            (50, -250_000, Err(CreditRuleError::Increment)),
            (50, 1_000_001, Err(CreditRuleError::Increment)),
        ];
        for (minutes, increment, expected) in cases {
            assert_eq!(PartialCreditRule::new(minutes, increment), expected, "{minutes} min, step {increment}");
        }
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let window = session(i64::MIN, i64::MAX, 1_000_000);
        let earned = credit(&[span(i64::MIN, i64::MAX)], &[window], &PartialCreditRule::default());
        assert_eq!(earned[0].pdh_micro, 1_000_000);
        assert!(earned[0].minutes > 0);
    }
}
