//! Money: whole cents, never negative where the rules say it cannot be.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::MembershipError;

/// The society's currency: an ISO 4217 code (`USD`, `CAD`, `EUR`), given in any letter
/// case; the one check for it wherever it is set.
pub fn currency_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    match iso_currency::Currency::from_code(&code) {
        Some(currency) => Ok(currency.code().to_string()),
        None => {
            Err(format!("{:?} is not an ISO 4217 currency code; enter three letters like USD, CAD or EUR.", raw.trim()))
        }
    }
}

/// A non-negative amount of money in cents (the society's currency), e.g. dues or a
/// chapter supplement. Refunds and credits are the ledger's business, not these rules'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Cents(i64);

impl Cents {
    /// Zero.
    pub const ZERO: Cents = Cents(0);

    /// An amount in cents; negative amounts are refused.
    pub fn new(cents: i64) -> Result<Self, MembershipError> {
        if cents < 0 { Err(MembershipError::NegativeAmount(cents)) } else { Ok(Self(cents)) }
    }

    /// The amount in cents.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Sum, or [`MembershipError::AmountOverflow`].
    pub fn checked_add(self, other: Cents) -> Result<Cents, MembershipError> {
        self.0.checked_add(other.0).map(Cents).ok_or(MembershipError::AmountOverflow)
    }

    /// Multiplied by a count, or [`MembershipError::AmountOverflow`].
    pub fn checked_mul(self, n: i64) -> Result<Cents, MembershipError> {
        if n < 0 {
            return Err(MembershipError::NegativeAmount(n));
        }
        self.0.checked_mul(n).map(Cents).ok_or(MembershipError::AmountOverflow)
    }

    /// `self × numerator ÷ denominator`, rounded down to the whole cent (in the payer's
    /// favour). Used for proration and percentages.
    pub(crate) fn fraction(self, numerator: i64, denominator: i64) -> Result<Cents, MembershipError> {
        if numerator < 0 || denominator <= 0 {
            return Err(MembershipError::AmountOverflow);
        }
        let scaled = i128::from(self.0) * i128::from(numerator) / i128::from(denominator);
        i64::try_from(scaled).map(Cents).map_err(|_| MembershipError::AmountOverflow)
    }
}

impl TryFrom<i64> for Cents {
    type Error = MembershipError;
    fn try_from(cents: i64) -> Result<Self, Self::Error> {
        Self::new(cents)
    }
}

impl From<Cents> for i64 {
    fn from(c: Cents) -> Self {
        c.0
    }
}

impl fmt::Display for Cents {
    /// Renders as units and cents, e.g. `245.50`, without a currency symbol.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// "25", "25.5", "$1,025.50" → cents. At most two decimals; no negatives.
pub fn parse_money(raw: &str) -> Result<i64, String> {
    let cleaned: String = raw.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    let invalid = || format!("{:?} is not an amount; write it like 25.00.", raw.trim());
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 12
    {
        return Err(invalid());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    Ok(whole * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_read_in_dollars_and_cents() {
        for (raw, cents) in [("25", 2_500), ("25.5", 2_550), ("25.05", 2_505), ("$1,025.50", 102_550), (".5", 50)] {
            assert_eq!(parse_money(raw), Ok(cents), "{raw}");
        }
        for raw in ["", "abc", "-5", "1.234", "1.2.3", "$", "1e3"] {
            assert!(parse_money(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn refuses_negative_amounts() {
        assert_eq!(Cents::new(-1), Err(MembershipError::NegativeAmount(-1)));
        assert_eq!(Cents::new(0), Ok(Cents::ZERO));
        assert_eq!(Cents::try_from(24550).map(|c| c.to_string()), Ok("245.50".to_string()));
    }

    #[test]
    fn arithmetic_reports_overflow() {
        let max = Cents(i64::MAX);
        assert_eq!(max.checked_add(Cents(1)), Err(MembershipError::AmountOverflow));
        assert_eq!(max.checked_mul(2), Err(MembershipError::AmountOverflow));
        assert_eq!(Cents(100).checked_mul(-1), Err(MembershipError::NegativeAmount(-1)));
        // i128 intermediate: no overflow when the result fits.
        assert_eq!(max.fraction(12, 12), Ok(max));
    }

    #[test]
    fn fractions_round_down() {
        let cases = [(10_000, 10, 12, 8_333), (10_000, 12, 12, 10_000), (1, 1, 2, 0), (999, 1, 3, 333)];
        for (amount, num, den, expected) in cases {
            assert_eq!(Cents(amount).fraction(num, den), Ok(Cents(expected)));
        }
    }
}

#[cfg(test)]
mod currency_tests {
    use super::currency_code;

    #[test]
    fn currencies_are_iso_4217_codes_in_capitals() {
        assert_eq!(currency_code("usd").unwrap(), "USD");
        assert_eq!(currency_code(" CAD ").unwrap(), "CAD");
        assert_eq!(currency_code("EUR").unwrap(), "EUR");
        for bad in ["", "US", "DOLLARS", "XYZ", "$"] {
            assert!(currency_code(bad).unwrap_err().contains("ISO 4217"), "{bad:?}");
        }
    }
}
