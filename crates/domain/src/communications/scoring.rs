//! Mailman-style bounce scores. Each address collects points for its bounces, 1 for a hard bounce
//! and ½ for a soft one, at most one bounce a day; points are forgotten after a quiet week, and
//! an address whose score reaches the threshold is suspended (after its owner is asked to confirm
//! it). Rejections for the society's reputation or content never count against an address.

use time::Date;

use super::BounceKind;

const ALREADY_COUNTED: &str = "a bounce was already counted today";
const OLDER: &str = "older than the last bounce counted";
const POLICY: &str = "a rejection for the society's reputation or content, not the address";

/// When bounces suspend an address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BounceRules {
    /// The score at which an address is suspended.
    pub threshold: f64,
    /// Days after the last counted bounce after which the score starts again from zero.
    pub stale_after_days: i64,
}

impl Default for BounceRules {
    fn default() -> Self {
        BounceRules { threshold: 5.0, stale_after_days: 7 }
    }
}

/// An address's bounce record, as stored between bounces.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BounceState {
    /// The bounce score so far.
    pub score: f64,
    /// The day of the last counted bounce.
    pub last_bounce_day: Option<Date>,
    /// Whether the bounce counted on `last_bounce_day` was hard (a soft one is upgraded by a hard
    /// one the same day).
    pub last_bounce_hard: bool,
}

/// What a bounce did to an address's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The bounce was counted; the score is now `score`.
    Counted { score: f64 },
    /// The bounce was not counted, for the reason given.
    NotCounted(&'static str),
    /// The bounce was counted and the score reached the threshold: ask the owner to confirm the
    /// address, then suspend it.
    Suspend { score: f64 },
}

impl BounceRules {
    /// Counts a bounce of `kind` on `day` against an address's `state`: its new state and the verdict.
    pub fn apply(&self, state: &BounceState, kind: BounceKind, policy: bool, day: Date) -> (BounceState, Verdict) {
        let hard = kind == BounceKind::Hard;
        let points = |hard: bool| if hard { 1.0 } else { 0.5 };
        let before = match state.last_bounce_day {
            _ if policy => return (*state, Verdict::NotCounted(POLICY)),
            // A hard bounce after a soft one the same day raises the day's count to a hard one's.
            Some(last) if last == day && hard && !state.last_bounce_hard => state.score - points(false),
            Some(last) if last == day => return (*state, Verdict::NotCounted(ALREADY_COUNTED)),
            Some(last) if last > day => return (*state, Verdict::NotCounted(OLDER)),
            Some(last) if (day - last).whole_days() > self.stale_after_days => 0.0,
            _ => state.score,
        };
        let score = before + points(hard);
        let verdict = if score >= self.threshold { Verdict::Suspend { score } } else { Verdict::Counted { score } };
        (BounceState { score, last_bounce_day: Some(day), last_bounce_hard: hard }, verdict)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use BounceKind::{Hard, Soft};

    #[test]
    fn bounces_add_up_once_a_day_until_the_threshold() {
        /// Bounces as (day of December 2026, kind, policy).
        type Bounces = &'static [(u8, BounceKind, bool)];
        // Each case: the bounces, then the final score and verdict.
        let cases: &[(&str, Bounces, f64, Verdict)] = &[
            ("a hard bounce counts one", &[(1, Hard, false)], 1.0, Verdict::Counted { score: 1.0 }),
            ("a soft bounce counts a half", &[(1, Soft, false)], 0.5, Verdict::Counted { score: 0.5 }),
            (
                "a second hard bounce the same day",
                &[(1, Hard, false), (1, Hard, false)],
                1.0,
                Verdict::NotCounted(ALREADY_COUNTED),
            ),
            (
                "soft after hard the same day",
                &[(1, Hard, false), (1, Soft, false)],
                1.0,
                Verdict::NotCounted(ALREADY_COUNTED),
            ),
            (
                "soft after soft the same day",
                &[(1, Soft, false), (1, Soft, false)],
                0.5,
                Verdict::NotCounted(ALREADY_COUNTED),
            ),
            (
                "hard after soft the same day upgrades",
                &[(1, Soft, false), (1, Hard, false)],
                1.0,
                Verdict::Counted { score: 1.0 },
            ),
            (
                "an upgraded day is not upgraded again",
                &[(1, Soft, false), (1, Hard, false), (1, Hard, false)],
                1.0,
                Verdict::NotCounted(ALREADY_COUNTED),
            ),
            (
                "bounces on following days add up",
                &[(1, Hard, false), (2, Soft, false), (3, Hard, false)],
                2.5,
                Verdict::Counted { score: 2.5 },
            ),
            (
                "seven days later still adds",
                &[(1, Hard, false), (8, Hard, false)],
                2.0,
                Verdict::Counted { score: 2.0 },
            ),
            (
                "eight days later starts again",
                &[(1, Hard, false), (2, Hard, false), (10, Soft, false)],
                0.5,
                Verdict::Counted { score: 0.5 },
            ),
            ("a policy bounce never counts", &[(1, Hard, true)], 0.0, Verdict::NotCounted(POLICY)),
            (
                "a policy bounce does not use up the day",
                &[(1, Hard, true), (1, Hard, false)],
                1.0,
                Verdict::Counted { score: 1.0 },
            ),
            (
                "a policy bounce after a counted one",
                &[(1, Soft, false), (2, Hard, true)],
                0.5,
                Verdict::NotCounted(POLICY),
            ),
            (
                "an older bounce than the last counted",
                &[(5, Hard, false), (3, Hard, false)],
                1.0,
                Verdict::NotCounted(OLDER),
            ),
            (
                "five hard bounces on five days reach the threshold",
                &[(1, Hard, false), (2, Hard, false), (3, Hard, false), (4, Hard, false), (5, Hard, false)],
                5.0,
                Verdict::Suspend { score: 5.0 },
            ),
            (
                "four and a half, then a soft one",
                &[
                    (1, Hard, false),
                    (2, Hard, false),
                    (3, Hard, false),
                    (4, Hard, false),
                    (5, Soft, false),
                    (6, Soft, false),
                ],
                5.0,
                Verdict::Suspend { score: 5.0 },
            ),
            (
                "past the threshold still suspends",
                &[
                    (1, Hard, false),
                    (2, Hard, false),
                    (3, Hard, false),
                    (4, Hard, false),
                    (5, Hard, false),
                    (6, Hard, false),
                ],
                6.0,
                Verdict::Suspend { score: 6.0 },
            ),
            (
                "four and a half is not yet suspended",
                &[(1, Hard, false), (2, Hard, false), (3, Hard, false), (4, Hard, false), (5, Soft, false)],
                4.5,
                Verdict::Counted { score: 4.5 },
            ),
        ];
        let rules = BounceRules::default();
        for (name, bounces, score, verdict) in cases {
            let (state, last) = bounces.iter().fold(
                (BounceState::default(), Verdict::NotCounted("no bounce")),
                |(state, _), &(day, kind, policy)| {
                    let day = date!(2026 - 12 - 01).replace_day(day).expect("a December day");
                    rules.apply(&state, kind, policy, day)
                },
            );
            assert_eq!((state.score, last), (*score, *verdict), "{name}");
        }
    }

    #[test]
    fn a_counted_bounce_records_its_day_and_kind() {
        let rules = BounceRules { threshold: 3.0, stale_after_days: 2 };
        let day = date!(2026 - 12 - 07);
        let (state, verdict) = rules.apply(&BounceState::default(), Soft, false, day);
        assert_eq!(state, BounceState { score: 0.5, last_bounce_day: Some(day), last_bounce_hard: false });
        assert_eq!(verdict, Verdict::Counted { score: 0.5 });
        let (state, verdict) = rules.apply(&state, Hard, false, date!(2026 - 12 - 10));
        assert_eq!(
            (state.score, state.last_bounce_hard, verdict),
            (1.0, true, Verdict::Counted { score: 1.0 }),
            "stale after 2 days"
        );
    }
}
