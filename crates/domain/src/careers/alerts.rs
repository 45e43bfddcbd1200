//! Job alerts: how often a saved job search's new jobs are emailed.

codes!(
    /// How often a job alert's new jobs are emailed.
    AlertFrequency, "alert frequency", {
        Daily => ("daily", "Daily"),
        Weekly => ("weekly", "Weekly"),
    }
);

impl AlertFrequency {
    /// Seconds between two messages.
    pub fn period_secs(self) -> i64 {
        match self {
            AlertFrequency::Daily => 86_400,
            AlertFrequency::Weekly => 7 * 86_400,
        }
    }
}
