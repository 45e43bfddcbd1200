//! A campaign's life: written, perhaps scheduled, sent once, or cancelled before it went.

codes!(
    /// Where a campaign stands.
    CampaignStatus, "campaign status", {
        Draft => ("draft", "Draft"),
        Scheduled => ("scheduled", "Scheduled"),
        Sending => ("sending", "Sending"),
        Sent => ("sent", "Sent"),
        Cancelled => ("cancelled", "Cancelled"),
    }
);

impl CampaignStatus {
    /// Whether it may still be edited, scheduled or sent (its recipients are not frozen).
    pub fn is_open(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Scheduled)
    }
}
