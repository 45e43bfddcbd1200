//! Applications to jobs: the stages an employer moves an applicant through, which moves are
//! allowed, and when the applicant may withdraw.

codes!(
    /// Where an application stands.
    ApplicationStage, "application stage", {
        Submitted => ("submitted", "Submitted"),
        Reviewing => ("reviewing", "Being reviewed"),
        Interview => ("interview", "Interview"),
        Offer => ("offer", "Offer"),
        Hired => ("hired", "Hired"),
        NotSelected => ("not_selected", "Not selected"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
);

impl ApplicationStage {
    /// The stages an employer moves applications to.
    pub const EMPLOYER_MOVES: [ApplicationStage; 5] = [
        ApplicationStage::Reviewing,
        ApplicationStage::Interview,
        ApplicationStage::Offer,
        ApplicationStage::Hired,
        ApplicationStage::NotSelected,
    ];

    /// Whether the employer may move an application from this stage to `to`: never a
    /// withdrawn one, never back to "submitted" or to "withdrawn" (the applicant's), never to
    /// where it already is.
    pub fn employer_may_move(self, to: ApplicationStage) -> bool {
        self != ApplicationStage::Withdrawn && self != to && Self::EMPLOYER_MOVES.contains(&to)
    }

    /// Whether the applicant may still withdraw (not once withdrawn or hired).
    pub fn applicant_may_withdraw(self) -> bool {
        !matches!(self, ApplicationStage::Withdrawn | ApplicationStage::Hired)
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStage::*;
    use super::*;

    #[test]
    fn who_may_move_an_application_where() {
        // (from, to, employer may move)
        let moves = [
            (Submitted, Reviewing, true),
            (Submitted, Interview, true),
            (Interview, Offer, true),
            (Offer, Hired, true),
            (Interview, NotSelected, true),
            (NotSelected, Interview, true),
            (Interview, Interview, false),
            (Reviewing, Submitted, false),
            (Reviewing, Withdrawn, false),
            (Withdrawn, Interview, false),
        ];
        for (from, to, allowed) in moves {
            assert_eq!(from.employer_may_move(to), allowed, "{from:?} → {to:?}");
        }
        let withdrawable: Vec<bool> = ApplicationStage::ALL.iter().map(|s| s.applicant_may_withdraw()).collect();
        assert_eq!(withdrawable, [true, true, true, true, false, true, false]);
    }
}
