//! The membership vocabulary the database stores as codes: a term's state, an invoice's
//! status and the kind of link between a linked person and the member who pays. Each type has one code
//! per variant, read back with `TryFrom<String>` (the store converts at its boundary).

use serde::{Deserialize, Serialize};

use super::MembershipError;

/// Where a term stands today (its history of dates is [`TermStatus`](super::TermStatus)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermState {
    /// Applied for a tier that needs approval; no decision yet.
    AwaitingApproval,
    /// Staff rejected the application.
    Rejected,
    /// Its invoice is open.
    AwaitingPayment,
    /// Paid: the term counts as cover.
    Paid,
    /// Withdrawn, declined, refunded or resigned.
    Cancelled,
}

impl TermState {
    /// Every state.
    pub const ALL: [TermState; 5] = [
        TermState::AwaitingApproval,
        TermState::Rejected,
        TermState::AwaitingPayment,
        TermState::Paid,
        TermState::Cancelled,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            TermState::AwaitingApproval => "awaiting_approval",
            TermState::Rejected => "rejected",
            TermState::AwaitingPayment => "awaiting_payment",
            TermState::Paid => "paid",
            TermState::Cancelled => "cancelled",
        }
    }
}

impl TryFrom<String> for TermState {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        TermState::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(MembershipError::UnknownCode { what: "term state", code })
    }
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Raised and not yet paid.
    Open,
    /// Paid in full.
    Paid,
    /// Withdrawn: nothing is owed.
    Void,
}

impl InvoiceStatus {
    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
        }
    }
}

impl TryFrom<String> for InvoiceStatus {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        [InvoiceStatus::Open, InvoiceStatus::Paid, InvoiceStatus::Void]
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(MembershipError::UnknownCode { what: "invoice status", code })
    }
}

/// How a linked person's membership is paid for by another member record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A household member, paid for by the household's payer.
    Household,
    /// A named employee, on one of an organisation's seats.
    Employee,
}

impl LinkKind {
    /// Both kinds, in the order forms offer them.
    pub const ALL: [LinkKind; 2] = [LinkKind::Household, LinkKind::Employee];

    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Household => "household",
            LinkKind::Employee => "employee",
        }
    }

    /// Words for the kind, as staff read it.
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Household => "Household member",
            LinkKind::Employee => "Named employee",
        }
    }

    /// The kind with this code, if there is one.
    pub fn from_code(code: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl TryFrom<String> for LinkKind {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        LinkKind::from_code(&code).ok_or(MembershipError::UnknownCode { what: "link kind", code })
    }
}

impl std::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::Standing;

    #[test]
    fn every_code_reads_back_as_itself_and_unknown_codes_are_refused() {
        for s in Standing::ALL {
            assert_eq!(Standing::try_from(s.code().to_string()), Ok(s));
        }
        for s in [InvoiceStatus::Open, InvoiceStatus::Paid, InvoiceStatus::Void] {
            assert_eq!(InvoiceStatus::try_from(s.code().to_string()), Ok(s));
        }
        for s in TermState::ALL {
            assert_eq!(TermState::try_from(s.code().to_string()), Ok(s));
        }
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::try_from(k.code().to_string()), Ok(k));
        }
        assert!(Standing::try_from("Active".to_string()).is_err(), "codes are exact");
        assert!(InvoiceStatus::try_from("refunded".to_string()).is_err());
        assert!(LinkKind::try_from(String::new()).is_err());
    }
}

/// Where an "I am already a member" claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// The record matched; a code went to the address on it.
    CodeSent,
    /// The record is linked to the account.
    Linked,
    /// It did not match by itself (or the code was missed too often): staff decide.
    NeedsStaff,
    /// Staff found nothing to link.
    Dismissed,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 4] =
        [ClaimStatus::CodeSent, ClaimStatus::Linked, ClaimStatus::NeedsStaff, ClaimStatus::Dismissed];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::CodeSent => "code_sent",
            ClaimStatus::Linked => "linked",
            ClaimStatus::NeedsStaff => "needs_staff",
            ClaimStatus::Dismissed => "dismissed",
        }
    }
}

impl TryFrom<String> for ClaimStatus {
    type Error = MembershipError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        ClaimStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(MembershipError::UnknownCode { what: "claim status", code })
    }
}
