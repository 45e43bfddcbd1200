//! What a registration costs, and what comes back when it is cancelled.
//!
//! An event without prices is free. Otherwise it has a price per audience — non-members,
//! students, the members of one tier — each with an optional early-bird price. A person is
//! quoted the lowest price of the audiences they belong to, and the society decides who
//! belongs to which from its records on the event's date ([`Buyer`]), never from anything
//! typed. An event with member prices but no non-member price is for members only.

use serde::{Deserialize, Serialize};

/// Who a price is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PriceAudience {
    NonMember,
    Student,
    /// The members of one tier (its id).
    Tier(i64),
}

impl PriceAudience {
    /// The code stored in `event_prices.audience` (a tier's id is stored beside it).
    pub fn code(self) -> &'static str {
        match self {
            PriceAudience::NonMember => "non_member",
            PriceAudience::Student => "student",
            PriceAudience::Tier(_) => "tier",
        }
    }

    /// The tier's id, for a tier's price.
    pub fn tier_id(self) -> Option<i64> {
        match self {
            PriceAudience::Tier(id) => Some(id),
            _ => None,
        }
    }

    /// Reads a stored audience back; `None` when the code and tier do not go together.
    pub fn from_parts(code: &str, tier_id: Option<i64>) -> Option<PriceAudience> {
        match (code, tier_id) {
            ("non_member", None) => Some(PriceAudience::NonMember),
            ("student", None) => Some(PriceAudience::Student),
            ("tier", Some(id)) => Some(PriceAudience::Tier(id)),
            _ => None,
        }
    }
}

/// One of an event's prices, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPrice {
    pub audience: PriceAudience,
    pub price_cents: i64,
    /// The price before the event's early-bird date, if it differs.
    pub early_price_cents: Option<i64>,
}

/// What the society's records say about the person registering, on the event's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Buyer {
    /// The tier of a membership that is current on the event's date (paid up or in grace);
    /// `None` for everyone else, lapsed members and applicants included.
    pub member_tier: Option<i64>,
    /// Whether their record says they are a student.
    pub student: bool,
}

/// Which price a registration was given; stored with it (`price_basis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// The event has no prices.
    Free,
    NonMember,
    Student,
    Member,
}

impl PriceBasis {
    pub const ALL: &'static [PriceBasis] =
        &[PriceBasis::Free, PriceBasis::NonMember, PriceBasis::Student, PriceBasis::Member];

    pub fn code(self) -> &'static str {
        match self {
            PriceBasis::Free => "free",
            PriceBasis::NonMember => "non_member",
            PriceBasis::Student => "student",
            PriceBasis::Member => "member",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            PriceBasis::Free => "Free",
            PriceBasis::NonMember => "Non-member price",
            PriceBasis::Student => "Student price",
            PriceBasis::Member => "Member price",
        }
    }

    pub fn from_code(code: &str) -> Option<PriceBasis> {
        PriceBasis::ALL.iter().copied().find(|b| b.code() == code)
    }
}

impl TryFrom<String> for PriceBasis {
    type Error = super::UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        PriceBasis::from_code(&code).ok_or(super::UnknownCode { what: "price basis", code })
    }
}

/// The price a person is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub basis: PriceBasis,
    /// Whether the early-bird price applied.
    pub early_bird: bool,
    /// The price before any discount code.
    pub list_cents: i64,
    /// What the discount code took off.
    pub discount_cents: i64,
    /// What they pay.
    pub cents: i64,
}

/// Why a person cannot be given a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceRefusal {
    MembersOnly,
}

impl PriceRefusal {
    /// The refusal in words.
    pub fn message(self) -> &'static str {
        match self {
            PriceRefusal::MembersOnly => {
                "This event is open to members only: join, or renew your membership to cover the event's date."
            }
        }
    }
}

/// The price for `buyer` registering at `now` (Unix seconds), with an optional discount
/// code's percentage off. The lowest price of the audiences the buyer belongs to; the
/// early-bird price applies before `early_bird_until`. Discounts round to the nearest cent.
pub fn quote(
    prices: &[EventPrice],
    buyer: &Buyer,
    early_bird_until: Option<i64>,
    now: i64,
    percent_off: Option<u8>,
) -> Result<Quote, PriceRefusal> {
    if prices.is_empty() {
        return Ok(Quote { basis: PriceBasis::Free, early_bird: false, list_cents: 0, discount_cents: 0, cents: 0 });
    }
    let early = early_bird_until.is_some_and(|until| now < until);
    let best = prices
        .iter()
        .filter_map(|p| {
            let basis = match p.audience {
                PriceAudience::NonMember => PriceBasis::NonMember,
                PriceAudience::Student if buyer.student => PriceBasis::Student,
                PriceAudience::Tier(tier) if buyer.member_tier == Some(tier) => PriceBasis::Member,
                _ => return None,
            };
            let (cents, early_bird) = match p.early_price_cents {
                Some(early_cents) if early => (early_cents, true),
                _ => (p.price_cents, false),
            };
            // On a tie, the member's price is named before the student's before the public one.
            let preference = match basis {
                PriceBasis::Member => 0,
                PriceBasis::Student => 1,
                _ => 2,
            };
            Some((cents, preference, basis, early_bird))
        })
        .min_by_key(|&(cents, preference, _, _)| (cents, preference));
    let Some((list_cents, _, basis, early_bird)) = best else { return Err(PriceRefusal::MembersOnly) };
    let percent = i64::from(percent_off.unwrap_or(0).min(100));
    let discount_cents = (list_cents * percent + 50) / 100;
    Ok(Quote { basis, early_bird, list_cents, discount_cents, cents: list_cents - discount_cents })
}

/// What comes back of `paid_cents` when a registration is cancelled: all of it when the
/// society cancels the event, else the event's `refund_percent` (rounded down to the cent).
pub fn refund_due(paid_cents: i64, refund_percent: u8, society_cancelled: bool) -> i64 {
    if society_cancelled {
        return paid_cents;
    }
    paid_cents * i64::from(refund_percent.min(100)) / 100
}

/// Whether a registrant may still cancel or transfer their registration themselves: before
/// the event's `changes_until`, or, without one, before registration closes.
pub fn self_service_open(changes_until: Option<i64>, registration_closes_at: i64, now: i64) -> bool {
    now < changes_until.unwrap_or(registration_closes_at)
}

/// A discount code as it is kept and compared: trimmed and upper-cased, 3 to 32 letters,
/// digits, hyphens or underscores.
pub fn discount_code(text: &str) -> Result<String, &'static str> {
    let code = text.trim().to_uppercase();
    if !(3..=32).contains(&code.chars().count()) {
        return Err("A discount code is 3 to 32 characters long.");
    }
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("A discount code has only letters, digits, hyphens and underscores.");
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: i64 = 1; // tier ids
    const RETIRED: i64 = 2;

    fn price(audience: PriceAudience, cents: i64, early: Option<i64>) -> EventPrice {
        EventPrice { audience, price_cents: cents, early_price_cents: early }
    }

    fn seminar() -> Vec<EventPrice> {
        vec![
            price(PriceAudience::NonMember, 25_000, Some(20_000)),
            price(PriceAudience::Student, 5_000, None),
            price(PriceAudience::Tier(FULL), 15_000, Some(12_000)),
            price(PriceAudience::Tier(RETIRED), 8_000, None),
        ]
    }

    #[test]
    fn each_person_gets_the_lowest_price_their_records_entitle_them_to() {
        let early_until = Some(1_000);
        let member = |tier| Buyer { member_tier: Some(tier), student: false };
        let cases: &[(&str, Buyer, i64, PriceBasis, i64, bool)] = &[
            ("non-member, early", Buyer::default(), 999, PriceBasis::NonMember, 20_000, true),
            ("non-member, at the early-bird instant", Buyer::default(), 1_000, PriceBasis::NonMember, 25_000, false),
            ("full member, early", member(FULL), 10, PriceBasis::Member, 12_000, true),
            ("full member, late", member(FULL), 5_000, PriceBasis::Member, 15_000, false),
            ("retired member (no early price)", member(RETIRED), 10, PriceBasis::Member, 8_000, false),
            // A tier without a price of its own pays what non-members pay.
            ("member of an unpriced tier", member(99), 5_000, PriceBasis::NonMember, 25_000, false),
            (
                "student, not a member",
                Buyer { member_tier: None, student: true },
                5_000,
                PriceBasis::Student,
                5_000,
                false,
            ),
            // A student who is also a full member: the student price is lower.
            (
                "student member",
                Buyer { member_tier: Some(FULL), student: true },
                5_000,
                PriceBasis::Student,
                5_000,
                false,
            ),
        ];
        for (what, buyer, now, basis, cents, early) in cases {
            let q = quote(&seminar(), buyer, early_until, *now, None).unwrap();
            assert_eq!((q.basis, q.cents, q.early_bird), (*basis, *cents, *early), "{what}");
        }
    }

    #[test]
    fn a_lapsed_member_or_applicant_is_quoted_as_a_non_member() {
        // The caller reads the membership on the event's date: lapsed or not yet paid means
        // no member tier, whatever the person types.
        let q = quote(&seminar(), &Buyer { member_tier: None, student: false }, None, 0, None).unwrap();
        assert_eq!((q.basis, q.cents), (PriceBasis::NonMember, 25_000));
    }

    #[test]
    fn ties_name_the_members_price() {
        let prices = [price(PriceAudience::NonMember, 1_000, None), price(PriceAudience::Tier(FULL), 1_000, None)];
        let q = quote(&prices, &Buyer { member_tier: Some(FULL), student: false }, None, 0, None).unwrap();
        assert_eq!(q.basis, PriceBasis::Member);
    }

    #[test]
    fn an_event_without_prices_is_free_and_one_with_only_member_prices_is_for_members() {
        let free = quote(&[], &Buyer::default(), None, 0, Some(50)).unwrap();
        assert_eq!((free.basis, free.cents), (PriceBasis::Free, 0));
        let members_only = [price(PriceAudience::Tier(FULL), 0, None)];
        assert_eq!(quote(&members_only, &Buyer::default(), None, 0, None), Err(PriceRefusal::MembersOnly));
        let member = quote(&members_only, &Buyer { member_tier: Some(FULL), student: false }, None, 0, None).unwrap();
        assert_eq!((member.basis, member.cents), (PriceBasis::Member, 0));
    }

    #[test]
    fn discounts_come_off_the_price_rounded_to_the_cent() {
        let cases = [
            (10_000, 10, 1_000, 9_000),
            (999, 50, 500, 499), // 499.5 cents rounds to 500 off
            (12_345, 100, 12_345, 0),
            (0, 25, 0, 0),
        ];
        for (list, percent, off, pays) in cases {
            let prices = [price(PriceAudience::NonMember, list, None)];
            let q = quote(&prices, &Buyer::default(), None, 0, Some(percent)).unwrap();
            assert_eq!((q.discount_cents, q.cents), (off, pays), "{percent}% of {list}");
        }
    }

    #[test]
    fn refunds_follow_the_events_rule_and_are_whole_when_the_society_cancels() {
        let cases = [
            (15_000, 100, false, 15_000),
            (15_000, 50, false, 7_500),
            (15_000, 0, false, 0),
            (999, 50, false, 499),
            (15_000, 0, true, 15_000),
            (0, 100, false, 0),
        ];
        for (paid, percent, society, due) in cases {
            assert_eq!(refund_due(paid, percent, society), due, "{percent}% of {paid}, society cancelled: {society}");
        }
    }

    #[test]
    fn registrants_change_their_registration_themselves_only_before_the_deadline() {
        let cases = [
            (Some(500), 1_000, 499, true),
            (Some(500), 1_000, 500, false),
            (None, 1_000, 999, true),
            (None, 1_000, 1_000, false),
        ];
        for (until, closes, now, open) in cases {
            assert_eq!(self_service_open(until, closes, now), open, "{until:?} {closes} {now}");
        }
    }

    #[test]
    fn discount_codes_are_compared_upper_cased_and_checked() {
        assert_eq!(discount_code("  early-2027 "), Ok("EARLY-2027".into()));
        assert!(discount_code("ab").is_err());
        assert!(discount_code("half off").is_err());
        assert!(discount_code(&"x".repeat(33)).is_err());
    }

    #[test]
    fn audiences_read_back_from_their_stored_parts() {
        for audience in [PriceAudience::NonMember, PriceAudience::Student, PriceAudience::Tier(7)] {
            assert_eq!(PriceAudience::from_parts(audience.code(), audience.tier_id()), Some(audience));
        }
        assert_eq!(PriceAudience::from_parts("tier", None), None);
        assert_eq!(PriceAudience::from_parts("student", Some(3)), None);
    }
}
