//! Exact fixed-point arithmetic.
//!
//! Conversions (rates, rounding increments, quantities) are carried in millionths
//! ([`MICRO`]); credits, caps, requirements and every total that is compared are
//! carried in hundredths of the rule set's credit unit ([`Credit`]). No floating
//! point takes part in a comparison, so results are exact and deterministic.

use serde::{Serialize, Serializer};

/// Millionths per unit.
pub const MICRO: i64 = 1_000_000;
/// Hundredths per unit.
pub const CENTI: i64 = 100;

/// An amount of credit in hundredths of the rule set's unit (PDH, PDU, RU, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Credit(pub i64);

impl Credit {
    pub const ZERO: Credit = Credit(0);

    /// From millionths, rounding half away from zero to the nearest hundredth.
    #[inline]
    pub fn from_micro(micro: i64) -> Credit {
        let step = MICRO / CENTI;
        let q = if micro >= 0 { (micro + step / 2) / step } else { (micro - step / 2) / step };
        Credit(q)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn min(self, other: Credit) -> Credit {
        Credit(self.0.min(other.0))
    }

    pub fn sat_sub(self, other: Credit) -> Credit {
        Credit((self.0 - other.0).max(0))
    }

    /// Decimal text without trailing zeros ("17.33", "14", "0.5").
    pub fn text(self) -> String {
        let neg = self.0 < 0;
        let v = self.0.unsigned_abs();
        let whole = v / 100;
        let frac = v % 100;
        let sign = if neg { "-" } else { "" };
        if frac == 0 {
            format!("{sign}{whole}")
        } else if frac.is_multiple_of(10) {
            format!("{sign}{whole}.{}", frac / 10)
        } else {
            format!("{sign}{whole}.{frac:02}")
        }
    }
}

impl std::ops::Add for Credit {
    type Output = Credit;
    fn add(self, o: Credit) -> Credit {
        Credit(self.0 + o.0)
    }
}

impl std::ops::Sub for Credit {
    type Output = Credit;
    fn sub(self, o: Credit) -> Credit {
        Credit(self.0 - o.0)
    }
}

impl std::ops::AddAssign for Credit {
    fn add_assign(&mut self, o: Credit) {
        self.0 += o.0;
    }
}

impl std::ops::SubAssign for Credit {
    fn sub_assign(&mut self, o: Credit) {
        self.0 -= o.0;
    }
}

impl std::iter::Sum for Credit {
    fn sum<I: Iterator<Item = Credit>>(iter: I) -> Credit {
        Credit(iter.map(|c| c.0).sum())
    }
}

impl Serialize for Credit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Exact decimal: hundredths are printed through serde_json's shortest float form,
        // which round-trips two-decimal values exactly ("17.33", "14.0").
        if self.0 % 100 == 0 { s.serialize_i64(self.0 / 100) } else { s.serialize_f64(self.0 as f64 / 100.0) }
    }
}

/// A number read from a rule file or an input: millionths, or "unknown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Known(i64),
    Unknown,
}

impl Amount {
    pub fn known(self) -> Option<i64> {
        match self {
            Amount::Known(v) => Some(v),
            Amount::Unknown => None,
        }
    }

    pub fn credit(self) -> Option<Credit> {
        self.known().map(Credit::from_micro)
    }
}

/// Converts a decimal read as f64 into millionths (deterministic: IEEE rounding is exact per value).
pub fn micro_from_f64(v: f64) -> Option<i64> {
    if !v.is_finite() || v.abs() > 1e12 {
        return None;
    }
    Some((v * MICRO as f64).round() as i64)
}

/// `a × b` where both are in millionths, result in millionths (rounded half up).
#[inline]
pub fn mul_micro(a: i64, b: i64) -> i64 {
    // × 1 is exact (the rounding below gives `a` back); rates and multipliers are usually 1.
    if b == MICRO {
        return a;
    }
    if let Some(p) = a.checked_mul(b) {
        let m = MICRO;
        return if p >= 0 { (p + m / 2) / m } else { (p - m / 2) / m };
    }
    let p = a as i128 * b as i128;
    let m = MICRO as i128;
    let q = if p >= 0 { (p + m / 2) / m } else { (p - m / 2) / m };
    q as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_rounding() {
        assert_eq!(Credit(1733).text(), "17.33");
        assert_eq!(Credit(1400).text(), "14");
        assert_eq!(Credit(50).text(), "0.5");
        assert_eq!(Credit::from_micro(1_333_332), Credit(133));
        assert_eq!(Credit::from_micro(7_500_000), Credit(750));
        assert_eq!(mul_micro(90 * MICRO, 16_667), 1_500_030);
        for a in [0, 1, -1, 499_999, -500_001, 7 * MICRO + 3, i64::MAX, i64::MIN + 1] {
            let p = a as i128 * MICRO as i128;
            let m = MICRO as i128;
            let q = if p >= 0 { (p + m / 2) / m } else { (p - m / 2) / m };
            assert_eq!(mul_micro(a, MICRO), q as i64, "{a}");
        }
    }
}
