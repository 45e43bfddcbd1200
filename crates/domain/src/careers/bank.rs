//! The resume bank's entry as a member fills it in: a summary of at most 280 characters, the
//! discipline, career stage, years of experience and region employers search by, and whether
//! it is confidential (employers then see no name, address, number, employer or city).

use crate::csv::members::{Discipline, parse_career_stage};

use super::salary::Region;

codes!(
    /// Where an invitation to apply stands. `Expired` is read, not stored: an invitation
    /// still waiting when its [`INVITATION_DAYS`] have passed.
    InvitationStatus, "invitation status", {
        Sent => ("sent", "Waiting for an answer"),
        Accepted => ("accepted", "Accepted"),
        Declined => ("declined", "Declined"),
        Expired => ("expired", "Expired"),
    }
);

/// How long an invitation to apply may be answered: 30 days from its sending.
pub const INVITATION_DAYS: i64 = 30;

codes!(
    /// What a posting product buys: a run of a job, or access to the resume bank.
    ProductKind, "product kind", {
        Job => ("job", "Job posting"),
        ResumeBank => ("resume_bank", "Resume bank access"),
    }
);

/// The longest summary.
pub const MAX_SUMMARY_CHARS: usize = 280;

/// An entry's facts, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFacts {
    pub summary: String,
    pub discipline: Discipline,
    /// The career stage's code (`student`, `eit`, `licensed`, `retired`, `other`).
    pub career_stage: String,
    pub years_experience: i64,
    pub region: Region,
    pub confidential: bool,
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankInput {
    pub summary: String,
    pub discipline: String,
    pub career_stage: String,
    pub years_experience: String,
    pub region: String,
    /// `confidential` or `named`.
    pub visibility: String,
}

impl BankFacts {
    /// Reads the form, naming every problem with its field.
    pub fn parse(input: &BankInput) -> Result<BankFacts, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let summary = input.summary.trim().to_string();
        if summary.chars().count() > MAX_SUMMARY_CHARS {
            errors.push(("summary", format!("Keep the summary to {MAX_SUMMARY_CHARS} characters.")));
        }
        if summary.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
            errors.push(("summary", "The summary holds characters that cannot be shown.".into()));
        }
        let discipline = Discipline::parse(input.discipline.trim());
        if discipline.is_none() {
            errors.push(("discipline", "Choose your discipline.".into()));
        }
        let career_stage =
            parse_career_stage(input.career_stage.trim()).filter(|_| !input.career_stage.trim().is_empty());
        if career_stage.is_none() {
            errors.push(("career_stage", "Choose your career stage.".into()));
        }
        let years = input.years_experience.trim().parse::<i64>().ok().filter(|y| (0..=70).contains(y));
        if years.is_none() {
            errors.push(("years_experience", "Give your years of experience as a whole number from 0 to 70.".into()));
        }
        let region = Region::from_code(input.region.trim());
        if region.is_none() {
            errors.push(("region", "Choose the region you work in or want to work in.".into()));
        }
        let confidential = match input.visibility.as_str() {
            "confidential" => Some(true),
            "named" => Some(false),
            _ => {
                errors.push(("visibility", "Choose whether employers see your name.".into()));
                None
            }
        };
        match (discipline, career_stage, years, region, confidential) {
            (Some(discipline), Some(stage), Some(years_experience), Some(region), Some(confidential))
                if errors.is_empty() =>
            {
                Ok(BankFacts {
                    summary,
                    discipline,
                    career_stage: crate::csv::members::career_stage_code(stage).into(),
                    years_experience,
                    region,
                    confidential,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> BankInput {
        BankInput {
            summary: "Bridge engineer, ten years of steel and concrete.".into(),
            discipline: "civil".into(),
            career_stage: "licensed".into(),
            years_experience: "10".into(),
            region: "west_south_central".into(),
            visibility: "confidential".into(),
        }
    }

    #[test]
    fn a_good_entry_reads_and_every_problem_is_named_by_its_field() {
        let facts = BankFacts::parse(&input()).unwrap();
        assert_eq!(
            (facts.discipline, facts.region, facts.confidential),
            (Discipline::Civil, Region::WestSouthCentral, true)
        );
        assert_eq!(facts.career_stage, "licensed");
        let bad = BankInput {
            summary: "x".repeat(281),
            discipline: "alchemy".into(),
            career_stage: "".into(),
            years_experience: "-1".into(),
            region: "mars".into(),
            visibility: "".into(),
        };
        let fields: Vec<&str> = BankFacts::parse(&bad).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["summary", "discipline", "career_stage", "years_experience", "region", "visibility"]);
        let at_limit = BankInput { summary: "é".repeat(280), ..input() };
        assert!(BankFacts::parse(&at_limit).is_ok(), "280 characters, not bytes");
    }
}
