//! Table-driven tests for [`standing_on`]: each scenario is a term history and a table of
//! (date, expected standing, expected expiry).

use super::*;
use crate::membership::{ReminderOffset, TermKind, TermPolicySettings};
use time::macros::date;

use Standing::{Active, Applied, Approved, Cancelled, Grace, Lapsed, Rejected, RenewalDue};

/// Calendar terms, October 1 cutoff, 60-day window, 30 days' grace.
fn calendar() -> TermPolicy {
    TermPolicy::new(TermPolicySettings::default()).expect("valid")
}

/// Anniversary terms, 60-day window, 30 days' grace.
fn anniversary() -> TermPolicy {
    TermPolicy::new(TermPolicySettings { kind: TermKind::Anniversary, ..TermPolicySettings::default() }).expect("valid")
}

fn term(s: Date, e: Date) -> Term {
    Term::new(s, e).expect("term")
}

fn fact(s: Date, e: Date, applied_on: Date, status: TermStatus) -> TermFact {
    TermFact::new(term(s, e), applied_on, status).expect("fact")
}

/// A term paid on `paid_on` that needed no approval.
fn paid(s: Date, e: Date, applied_on: Date, paid_on: Date) -> TermFact {
    fact(s, e, applied_on, TermStatus::Paid { approved_on: None, paid_on })
}

/// A renewal invoice raised on `applied_on`, still unpaid.
fn unpaid(s: Date, e: Date, applied_on: Date) -> TermFact {
    fact(s, e, applied_on, TermStatus::AwaitingPayment { approved_on: None })
}

type Case = (Date, Option<(Standing, Option<Date>)>);

/// Checks the standing and expiry date on each date of the table.
fn check(policy: &TermPolicy, history: &[TermFact], cases: &[Case]) {
    for &(on, expected) in cases {
        let got = standing_on(policy, history, on)
            .expect("valid history")
            .map(|r| (r.standing, r.expiry.map(|e| e.expires_on)));
        assert_eq!(got, expected, "on {on}");
        // The history's order must not matter.
        let mut reversed = history.to_vec();
        reversed.reverse();
        let again = standing_on(policy, &reversed, on)
            .expect("valid history")
            .map(|r| (r.standing, r.expiry.map(|e| e.expires_on)));
        assert_eq!(again, expected, "on {on}, history reversed");
    }
}

#[test]
fn join_with_approval_renew_in_grace_then_lapse() {
    let history = [
        fact(
            date!(2025 - 03 - 15),
            date!(2025 - 12 - 31),
            date!(2025 - 03 - 10),
            TermStatus::Paid { approved_on: Some(date!(2025 - 03 - 15)), paid_on: date!(2025 - 03 - 20) },
        ),
        paid(date!(2026 - 01 - 01), date!(2026 - 12 - 31), date!(2025 - 11 - 01), date!(2026 - 01 - 10)),
        unpaid(date!(2027 - 01 - 01), date!(2027 - 12 - 31), date!(2026 - 11 - 01)),
    ];
    let y2025 = Some(date!(2025 - 12 - 31));
    let y2026 = Some(date!(2026 - 12 - 31));
    check(
        &calendar(),
        &history,
        &[
            (date!(2025 - 03 - 09), None),
            (date!(2025 - 03 - 10), Some((Applied, None))),
            (date!(2025 - 03 - 14), Some((Applied, None))),
            (date!(2025 - 03 - 15), Some((Approved, None))),
            (date!(2025 - 03 - 19), Some((Approved, None))),
            (date!(2025 - 03 - 20), Some((Active, y2025))),
            (date!(2025 - 10 - 31), Some((Active, y2025))),
            (date!(2025 - 11 - 01), Some((RenewalDue, y2025))),
            (date!(2025 - 12 - 31), Some((RenewalDue, y2025))),
            (date!(2026 - 01 - 01), Some((Grace, y2025))),
            (date!(2026 - 01 - 09), Some((Grace, y2025))),
            (date!(2026 - 01 - 10), Some((Active, y2026))),
            (date!(2026 - 10 - 31), Some((Active, y2026))),
            (date!(2026 - 11 - 01), Some((RenewalDue, y2026))),
            (date!(2026 - 12 - 31), Some((RenewalDue, y2026))),
            (date!(2027 - 01 - 01), Some((Grace, y2026))),
            (date!(2027 - 01 - 30), Some((Grace, y2026))),
            (date!(2027 - 01 - 31), Some((Lapsed, y2026))),
            (date!(2030 - 06 - 01), Some((Lapsed, y2026))),
        ],
    );
}

#[test]
fn early_renewal_moves_the_expiry() {
    let history = [
        paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2024 - 12 - 01), date!(2024 - 12 - 01)),
        paid(date!(2026 - 01 - 01), date!(2026 - 12 - 31), date!(2025 - 11 - 01), date!(2025 - 11 - 15)),
    ];
    check(
        &calendar(),
        &history,
        &[
            // Paid on the day of application for a term starting later: paid in advance.
            (date!(2024 - 12 - 01), Some((Active, Some(date!(2025 - 12 - 31))))),
            (date!(2025 - 11 - 14), Some((RenewalDue, Some(date!(2025 - 12 - 31))))),
            (date!(2025 - 11 - 15), Some((Active, Some(date!(2026 - 12 - 31))))),
            (date!(2025 - 12 - 31), Some((Active, Some(date!(2026 - 12 - 31))))),
            (date!(2026 - 01 - 01), Some((Active, Some(date!(2026 - 12 - 31))))),
            (date!(2026 - 11 - 01), Some((RenewalDue, Some(date!(2026 - 12 - 31))))),
            (date!(2027 - 01 - 01), Some((Grace, Some(date!(2026 - 12 - 31))))),
        ],
    );
}

#[test]
fn reinstatement_after_lapse() {
    let y2024 = Some(date!(2024 - 12 - 31));
    let old = [
        paid(date!(2024 - 01 - 01), date!(2024 - 12 - 31), date!(2024 - 01 - 01), date!(2024 - 01 - 01)),
        unpaid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2024 - 11 - 01)),
    ];
    let mut approved = old.to_vec();
    approved.push(fact(
        date!(2025 - 06 - 03),
        date!(2025 - 12 - 31),
        date!(2025 - 06 - 01),
        TermStatus::Paid { approved_on: Some(date!(2025 - 06 - 03)), paid_on: date!(2025 - 06 - 05) },
    ));
    check(
        &calendar(),
        &approved,
        &[
            (date!(2025 - 01 - 30), Some((Grace, y2024))),
            (date!(2025 - 01 - 31), Some((Lapsed, y2024))),
            (date!(2025 - 05 - 31), Some((Lapsed, y2024))),
            (date!(2025 - 06 - 01), Some((Applied, y2024))),
            (date!(2025 - 06 - 03), Some((Approved, y2024))),
            (date!(2025 - 06 - 05), Some((Active, Some(date!(2025 - 12 - 31))))),
        ],
    );
    let mut rejected = old.to_vec();
    rejected.push(fact(
        date!(2025 - 06 - 03),
        date!(2025 - 12 - 31),
        date!(2025 - 06 - 01),
        TermStatus::Rejected { rejected_on: date!(2025 - 06 - 10) },
    ));
    check(
        &calendar(),
        &rejected,
        &[(date!(2025 - 06 - 09), Some((Applied, y2024))), (date!(2025 - 06 - 10), Some((Rejected, y2024)))],
    );
}

#[test]
fn unpaid_renewal_paid_after_lapse_still_counts_as_paid() {
    // The application layer should reinstate instead; if a payment is recorded anyway the
    // paid term is cover.
    let history = [
        paid(date!(2024 - 01 - 01), date!(2024 - 12 - 31), date!(2024 - 01 - 01), date!(2024 - 01 - 01)),
        paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2024 - 11 - 01), date!(2025 - 03 - 01)),
    ];
    check(
        &calendar(),
        &history,
        &[
            (date!(2025 - 02 - 28), Some((Lapsed, Some(date!(2024 - 12 - 31))))),
            (date!(2025 - 03 - 01), Some((Active, Some(date!(2025 - 12 - 31))))),
        ],
    );
}

#[test]
fn declined_renewal_and_resignation() {
    let y2025 = Some(date!(2025 - 12 - 31));
    let declined = [
        paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
        fact(
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            date!(2025 - 11 - 01),
            TermStatus::Cancelled { approved_on: None, paid_on: None, cancelled_on: date!(2025 - 11 - 20) },
        ),
    ];
    check(
        &calendar(),
        &declined,
        &[
            (date!(2025 - 11 - 19), Some((RenewalDue, y2025))),
            (date!(2025 - 11 - 20), Some((Active, y2025))),
            (date!(2025 - 12 - 31), Some((Active, y2025))),
            (date!(2026 - 01 - 01), Some((Cancelled, y2025))),
            (date!(2027 - 01 - 01), Some((Cancelled, y2025))),
        ],
    );
    let resigned = [
        paid(date!(2024 - 01 - 01), date!(2024 - 12 - 31), date!(2024 - 01 - 01), date!(2024 - 01 - 01)),
        fact(
            date!(2025 - 01 - 01),
            date!(2025 - 12 - 31),
            date!(2024 - 11 - 01),
            TermStatus::Cancelled {
                approved_on: None,
                paid_on: Some(date!(2024 - 11 - 15)),
                cancelled_on: date!(2025 - 06 - 01),
            },
        ),
    ];
    check(
        &calendar(),
        &resigned,
        &[
            (date!(2024 - 11 - 14), Some((RenewalDue, Some(date!(2024 - 12 - 31))))),
            (date!(2024 - 11 - 15), Some((Active, y2025))),
            (date!(2025 - 05 - 31), Some((Active, y2025))),
            (date!(2025 - 06 - 01), Some((Cancelled, Some(date!(2024 - 12 - 31))))),
        ],
    );
}

#[test]
fn cancelled_duplicate_invoice_does_not_cancel_the_member() {
    let history = [
        paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
        fact(
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            date!(2025 - 11 - 01),
            TermStatus::Cancelled { approved_on: None, paid_on: None, cancelled_on: date!(2025 - 11 - 02) },
        ),
        unpaid(date!(2026 - 01 - 01), date!(2026 - 12 - 31), date!(2025 - 11 - 02)),
        // Cancelled after the replacement was raised: the open one still wins.
        fact(
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            date!(2025 - 11 - 03),
            TermStatus::Cancelled { approved_on: None, paid_on: None, cancelled_on: date!(2025 - 11 - 04) },
        ),
    ];
    let y2025 = Some(date!(2025 - 12 - 31));
    check(
        &calendar(),
        &history,
        &[
            (date!(2025 - 11 - 05), Some((RenewalDue, y2025))),
            (date!(2026 - 01 - 05), Some((Grace, y2025))),
            (date!(2026 - 01 - 31), Some((Lapsed, y2025))),
        ],
    );
}

#[test]
fn applications_that_are_never_paid() {
    let rejected = [fact(
        date!(2025 - 05 - 01),
        date!(2025 - 12 - 31),
        date!(2025 - 04 - 20),
        TermStatus::Rejected { rejected_on: date!(2025 - 04 - 25) },
    )];
    check(
        &calendar(),
        &rejected,
        &[
            (date!(2025 - 04 - 19), None),
            (date!(2025 - 04 - 20), Some((Applied, None))),
            (date!(2025 - 04 - 24), Some((Applied, None))),
            (date!(2025 - 04 - 25), Some((Rejected, None))),
        ],
    );
    let withdrawn = [fact(
        date!(2025 - 05 - 01),
        date!(2025 - 12 - 31),
        date!(2025 - 04 - 20),
        TermStatus::Cancelled {
            approved_on: Some(date!(2025 - 05 - 01)),
            paid_on: None,
            cancelled_on: date!(2025 - 05 - 10),
        },
    )];
    check(
        &calendar(),
        &withdrawn,
        &[
            (date!(2025 - 04 - 30), Some((Applied, None))),
            (date!(2025 - 05 - 01), Some((Approved, None))),
            (date!(2025 - 05 - 10), Some((Cancelled, None))),
        ],
    );
    let no_approval_needed = [unpaid(date!(2025 - 05 - 01), date!(2025 - 12 - 31), date!(2025 - 05 - 01))];
    check(
        &calendar(),
        &no_approval_needed,
        &[
            (date!(2025 - 05 - 01), Some((Approved, None))),
            // Never paid, term over: still awaiting first payment.
            (date!(2026 - 06 - 01), Some((Approved, None))),
        ],
    );
    let awaiting =
        [fact(date!(2025 - 05 - 01), date!(2025 - 12 - 31), date!(2025 - 05 - 01), TermStatus::AwaitingApproval)];
    check(&calendar(), &awaiting, &[(date!(2025 - 05 - 01), Some((Applied, None)))]);
    assert_eq!(standing_on(&calendar(), &[], date!(2025 - 05 - 01)), Ok(None));
}

#[test]
fn anniversary_term_from_leap_day() {
    let policy = anniversary();
    let first = policy.first_term(date!(2024 - 02 - 29)).expect("term");
    let history = [TermFact::new(
        first,
        date!(2024 - 02 - 29),
        TermStatus::Paid { approved_on: None, paid_on: date!(2024 - 02 - 29) },
    )
    .expect("fact")];
    let exp = Some(date!(2025 - 02 - 28));
    check(
        &policy,
        &history,
        &[
            (date!(2024 - 02 - 28), None),
            (date!(2024 - 02 - 29), Some((Active, exp))),
            // Window opens 60 days before 28 February 2025.
            (date!(2024 - 12 - 29), Some((Active, exp))),
            (date!(2024 - 12 - 30), Some((RenewalDue, exp))),
            (date!(2025 - 02 - 28), Some((RenewalDue, exp))),
            (date!(2025 - 03 - 01), Some((Grace, exp))),
            (date!(2025 - 03 - 30), Some((Grace, exp))),
            (date!(2025 - 03 - 31), Some((Lapsed, exp))),
        ],
    );
}

#[test]
fn grace_across_february_in_leap_and_common_years() {
    let policy = anniversary();
    // (term start, term end, last day of grace)
    let cases = [
        (date!(2027 - 02 - 01), date!(2028 - 01 - 31), date!(2028 - 03 - 01)),
        (date!(2026 - 02 - 01), date!(2027 - 01 - 31), date!(2027 - 03 - 02)),
    ];
    for (start, end, grace_ends) in cases {
        let history = [paid(start, end, start, start)];
        let lapses = grace_ends.next_day().expect("date");
        check(
            &policy,
            &history,
            &[
                (end, Some((RenewalDue, Some(end)))),
                (end.next_day().expect("date"), Some((Grace, Some(end)))),
                (grace_ends, Some((Grace, Some(end)))),
                (lapses, Some((Lapsed, Some(end)))),
            ],
        );
    }
}

#[test]
fn without_grace_the_day_after_expiry_is_lapse() {
    let policy = TermPolicy::new(TermPolicySettings {
        grace_days: 0,
        renewal_window_days: 0,
        reminders: vec![ReminderOffset::BeforeExpiry(0)],
        ..TermPolicySettings::default()
    })
    .expect("valid");
    let history = [paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2025 - 01 - 01), date!(2025 - 01 - 01))];
    let exp = Some(date!(2025 - 12 - 31));
    check(
        &policy,
        &history,
        &[
            (date!(2025 - 12 - 30), Some((Active, exp))),
            (date!(2025 - 12 - 31), Some((RenewalDue, exp))),
            (date!(2026 - 01 - 01), Some((Lapsed, exp))),
        ],
    );
}

#[test]
fn report_carries_all_expiry_dates() {
    let history = [paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2025 - 01 - 01), date!(2025 - 01 - 01))];
    let report = standing_on(&calendar(), &history, date!(2025 - 06 - 01)).expect("ok");
    assert_eq!(
        report,
        Some(StandingReport {
            on: date!(2025 - 06 - 01),
            standing: Active,
            expiry: Some(ExpiryDates {
                expires_on: date!(2025 - 12 - 31),
                window_opens_on: date!(2025 - 11 - 01),
                grace_ends_on: date!(2026 - 01 - 30),
                lapses_on: date!(2026 - 01 - 31),
            }),
        })
    );
}

#[test]
fn current_members() {
    let cases = [
        (Applied, false),
        (Approved, false),
        (Active, true),
        (RenewalDue, true),
        (Grace, true),
        (Lapsed, false),
        (Cancelled, false),
        (Rejected, false),
    ];
    for (standing, expected) in cases {
        assert_eq!(standing.is_current_member(), expected, "{standing:?}");
    }
}

#[test]
fn overlapping_paid_terms_are_refused() {
    let history = [
        paid(date!(2025 - 01 - 01), date!(2025 - 12 - 31), date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
        paid(date!(2025 - 12 - 31), date!(2026 - 12 - 30), date!(2025 - 11 - 01), date!(2025 - 11 - 01)),
    ];
    assert_eq!(
        standing_on(&calendar(), &history, date!(2025 - 12 - 01)),
        Err(MembershipError::OverlappingPaidTerms { first: date!(2025 - 01 - 01), second: date!(2025 - 12 - 31) })
    );
    // Before the second was paid there was no overlap.
    assert!(standing_on(&calendar(), &history, date!(2025 - 10 - 31)).is_ok());
}

#[test]
fn fact_dates_must_be_in_order() {
    let t = term(date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    let applied = date!(2025 - 01 - 10);
    let before = date!(2025 - 01 - 09);
    let after = date!(2025 - 01 - 11);
    let err = |earlier, earlier_on, later, later_on| {
        Err(MembershipError::FactDatesOutOfOrder {
            term_starts_on: t.starts_on(),
            earlier,
            earlier_on,
            later,
            later_on,
        })
    };
    let cases = [
        (TermStatus::AwaitingApproval, Ok(())),
        (TermStatus::Rejected { rejected_on: applied }, Ok(())),
        (TermStatus::Rejected { rejected_on: before }, err("applied", applied, "rejected", before)),
        (TermStatus::AwaitingPayment { approved_on: Some(before) }, err("applied", applied, "approved", before)),
        (TermStatus::Paid { approved_on: None, paid_on: before }, err("applied", applied, "paid", before)),
        (TermStatus::Paid { approved_on: Some(after), paid_on: applied }, err("approved", after, "paid", applied)),
        (TermStatus::Paid { approved_on: Some(applied), paid_on: applied }, Ok(())),
        (
            TermStatus::Cancelled { approved_on: None, paid_on: Some(after), cancelled_on: applied },
            err("paid", after, "cancelled", applied),
        ),
        (
            TermStatus::Cancelled { approved_on: Some(after), paid_on: None, cancelled_on: applied },
            err("approved", after, "cancelled", applied),
        ),
        (TermStatus::Cancelled { approved_on: None, paid_on: None, cancelled_on: applied }, Ok(())),
    ];
    for (status, expected) in cases {
        assert_eq!(TermFact::new(t, applied, status).map(|_| ()), expected, "{status:?}");
    }
}
