//! Table-driven tests for tiers, eligibility and the sentences members see.

use super::*;
use time::macros::date;

const ON: Date = date!(2026 - 03 - 01);

fn stages(s: &[CareerStage]) -> CareerStages {
    CareerStages::new(s.iter().copied()).expect("stages")
}

fn tier(code: &str, name: &str, requirements: Vec<Requirement>) -> Tier {
    Tier::new(TierCode::new(code).expect("code"), name, Cents::new(24_000).expect("cents"), false, requirements)
        .expect("tier")
}

fn pe(first_issued_on: Date, expires_on: Option<Date>) -> LicenceFact {
    LicenceFact { kind: LicenceKind::ProfessionalEngineer, first_issued_on, expires_on }
}

fn term(s: Date, e: Date) -> Term {
    Term::new(s, e).expect("term")
}

fn sentences(result: Result<(), Vec<Ineligibility>>) -> Vec<String> {
    result.err().unwrap_or_default().iter().map(ToString::to_string).collect()
}

#[test]
fn licence_requirement() {
    let member = tier("member", "Member", vec![Requirement::RequiresLicence]);
    let no_licence =
        "The Member tier requires a current professional engineering licence; add your licence to your profile.";
    let cases: Vec<(Vec<LicenceFact>, Vec<&str>)> = vec![
        (vec![], vec![no_licence]),
        (vec![pe(date!(2010 - 05 - 01), None)], vec![]),
        (vec![pe(date!(2010 - 05 - 01), Some(ON))], vec![]),
        (
            vec![pe(date!(2010 - 05 - 01), Some(date!(2026 - 02 - 28)))],
            vec![
                "The Member tier requires a current professional engineering licence, and yours expired on 28 February 2026; renew it with your licensing board, then update its expiry date in your profile.",
            ],
        ),
        // Issued after the date asked about: not yet held.
        (vec![pe(date!(2026 - 03 - 02), None)], vec![no_licence]),
        // A land-surveying licence alone does not count.
        (
            vec![LicenceFact {
                kind: LicenceKind::ProfessionalLandSurveyor,
                first_issued_on: date!(2010 - 01 - 01),
                expires_on: None,
            }],
            vec![no_licence],
        ),
        (
            vec![LicenceFact {
                kind: LicenceKind::StructuralEngineer,
                first_issued_on: date!(2010 - 01 - 01),
                expires_on: None,
            }],
            vec![],
        ),
        // One expired, one current: eligible.
        (vec![pe(date!(2001 - 01 - 01), Some(date!(2005 - 01 - 01))), pe(date!(2010 - 01 - 01), None)], vec![]),
    ];
    for (licences, expected) in cases {
        let facts = ApplicantFacts { licences: licences.clone(), ..ApplicantFacts::default() };
        assert_eq!(sentences(check_eligibility(&member, &facts, ON)), expected, "{licences:?}");
    }
}

#[test]
fn enrolment_requirement() {
    let student = tier("student", "Student", vec![Requirement::RequiresEnrolment]);
    let not_enrolled =
        "The Student tier requires current enrolment in an engineering programme; add your enrolment to your profile.";
    let enrolment = |s, e| EnrolmentFact { starts_on: s, expected_completion_on: e };
    let cases: Vec<(Vec<EnrolmentFact>, Vec<&str>)> = vec![
        (vec![], vec![not_enrolled]),
        (vec![enrolment(date!(2023 - 09 - 01), None)], vec![]),
        (vec![enrolment(date!(2023 - 09 - 01), Some(ON))], vec![]),
        (vec![enrolment(ON, Some(date!(2029 - 06 - 30)))], vec![]),
        (vec![enrolment(date!(2026 - 03 - 02), None)], vec![not_enrolled]),
        (
            vec![enrolment(date!(2021 - 09 - 01), Some(date!(2026 - 02 - 28)))],
            vec![
                "The Student tier requires current enrolment in an engineering programme, and your profile shows it ended on 28 February 2026; if you are still enrolled, update your expected completion date in your profile.",
            ],
        ),
    ];
    for (enrolments, expected) in cases {
        let facts = ApplicantFacts { enrolments: enrolments.clone(), ..ApplicantFacts::default() };
        assert_eq!(sentences(check_eligibility(&student, &facts, ON)), expected, "{enrolments:?}");
    }
}

#[test]
fn years_licensed_requirement() {
    let senior = tier("senior", "Senior Member", vec![Requirement::MinYearsLicensed(10)]);
    let cases: Vec<(Vec<LicenceFact>, Vec<&str>)> = vec![
        (vec![pe(date!(2016 - 03 - 01), None)], vec![]),
        (
            vec![pe(date!(2016 - 03 - 02), None)],
            vec![
                "The Senior Member tier requires at least 10 years as a licensed engineer, and your profile shows 9 years; if you were licensed earlier, add your earliest licence with its first-issued date to your profile.",
            ],
        ),
        // Counts from the earliest engineering licence, even one that has expired.
        (vec![pe(date!(2000 - 01 - 01), Some(date!(2002 - 01 - 01))), pe(date!(2020 - 01 - 01), None)], vec![]),
        (
            vec![pe(date!(2025 - 01 - 01), None)],
            vec![
                "The Senior Member tier requires at least 10 years as a licensed engineer, and your profile shows 1 year; if you were licensed earlier, add your earliest licence with its first-issued date to your profile.",
            ],
        ),
        (
            vec![],
            vec![
                "The Senior Member tier requires at least 10 years as a licensed engineer, and your profile shows 0 years; if you were licensed earlier, add your earliest licence with its first-issued date to your profile.",
            ],
        ),
        // Licensed on 29 February 2016: ten years complete on 1 March 2026.
        (vec![pe(date!(2016 - 02 - 29), None)], vec![]),
    ];
    for (licences, expected) in cases {
        let facts = ApplicantFacts { licences: licences.clone(), ..ApplicantFacts::default() };
        assert_eq!(sentences(check_eligibility(&senior, &facts, ON)), expected, "{licences:?}");
    }
    let facts = ApplicantFacts { licences: vec![pe(date!(2016 - 02 - 29), None)], ..ApplicantFacts::default() };
    assert!(check_eligibility(&senior, &facts, date!(2026 - 02 - 28)).is_err());
}

#[test]
fn minimum_age_requirement() {
    let retired = tier("retired", "Retired", vec![Requirement::MinAge(65)]);
    type Case = (Option<Date>, Date, Result<(), Vec<Ineligibility>>);
    let cases: Vec<Case> = vec![
        (Some(date!(1961 - 03 - 01)), ON, Ok(())),
        (
            Some(date!(1961 - 03 - 02)),
            ON,
            Err(vec![Ineligibility::TooYoung {
                tier: "Retired".into(),
                min_age: 65,
                eligible_on: date!(2026 - 03 - 02),
            }]),
        ),
        (None, ON, Err(vec![Ineligibility::NoDateOfBirth { tier: "Retired".into(), min_age: 65 }])),
        // Born on 29 February: 65 on 1 March in a common year, 29 February in a leap year.
        (
            Some(date!(1960 - 02 - 29)),
            date!(2025 - 02 - 28),
            Err(vec![Ineligibility::TooYoung {
                tier: "Retired".into(),
                min_age: 65,
                eligible_on: date!(2025 - 03 - 01),
            }]),
        ),
        (Some(date!(1960 - 02 - 29)), date!(2025 - 03 - 01), Ok(())),
        (
            Some(date!(1963 - 02 - 28)),
            date!(2028 - 02 - 27),
            Err(vec![Ineligibility::TooYoung {
                tier: "Retired".into(),
                min_age: 65,
                eligible_on: date!(2028 - 02 - 28),
            }]),
        ),
    ];
    for (born, on, expected) in cases {
        let facts = ApplicantFacts { date_of_birth: born, ..ApplicantFacts::default() };
        assert_eq!(check_eligibility(&retired, &facts, on), expected, "born {born:?} on {on}");
    }
    // A leap-day birthday in a leap year is the birthday itself.
    let sixty = tier("sixty", "Sixty Plus", vec![Requirement::MinAge(60)]);
    let leap = ApplicantFacts { date_of_birth: Some(date!(1968 - 02 - 29)), ..ApplicantFacts::default() };
    assert_eq!(check_eligibility(&sixty, &leap, date!(2028 - 02 - 29)), Ok(()));
    assert!(check_eligibility(&sixty, &leap, date!(2028 - 02 - 28)).is_err());
    assert_eq!(
        Ineligibility::TooYoung { tier: "Retired".into(), min_age: 65, eligible_on: date!(2026 - 03 - 02) }.to_string(),
        "The Retired tier is for members aged 65 or over; you can move to it from 2 March 2026."
    );
    assert_eq!(
        Ineligibility::NoDateOfBirth { tier: "Retired".into(), min_age: 65 }.to_string(),
        "The Retired tier is for members aged 65 or over; add your date of birth to your profile."
    );
}

#[test]
fn years_of_membership_counts_paid_days() {
    let cases: Vec<(Vec<Term>, Date, u32)> = vec![
        (vec![], ON, 0),
        (vec![term(date!(2025 - 01 - 01), date!(2025 - 12 - 31))], date!(2025 - 12 - 30), 0),
        (vec![term(date!(2025 - 01 - 01), date!(2025 - 12 - 31))], date!(2025 - 12 - 31), 1),
        // A leap year's 366 days is still one year.
        (vec![term(date!(2024 - 01 - 01), date!(2024 - 12 - 31))], date!(2024 - 12 - 31), 1),
        // Overlapping terms are counted once.
        (
            vec![
                term(date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
                term(date!(2024 - 06 - 01), date!(2025 - 05 - 31)),
            ],
            date!(2030 - 01 - 01),
            1,
        ),
        (
            vec![
                term(date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
                term(date!(2024 - 03 - 01), date!(2024 - 04 - 01)),
            ],
            date!(2030 - 01 - 01),
            1,
        ),
        // Periods either side of a lapse add up.
        (
            vec![
                term(date!(2015 - 01 - 01), date!(2019 - 12 - 31)),
                term(date!(2021 - 01 - 01), date!(2025 - 12 - 31)),
            ],
            date!(2026 - 01 - 01),
            10,
        ),
        // Twenty-five calendar years back to back.
        (
            (2001..=2025)
                .map(|y| {
                    term(
                        Date::from_calendar_date(y, time::Month::January, 1).expect("date"),
                        Date::from_calendar_date(y, time::Month::December, 31).expect("date"),
                    )
                })
                .collect(),
            date!(2025 - 12 - 31),
            25,
        ),
        // Future terms do not count.
        (vec![term(date!(2027 - 01 - 01), date!(2027 - 12 - 31))], ON, 0),
    ];
    for (terms, on, expected) in cases {
        assert_eq!(years_of_membership(&terms, on), expected, "{terms:?} on {on}");
    }
}

#[test]
fn membership_and_career_stage_requirements() {
    let life = tier("life", "Life Member", vec![Requirement::MinYearsOfMembership(25)]);
    let facts = ApplicantFacts {
        paid_terms: vec![term(date!(2014 - 01 - 01), date!(2025 - 12 - 31))],
        declared_retired: false,
        ..ApplicantFacts::default()
    };
    assert_eq!(
        sentences(check_eligibility(&life, &facts, ON)),
        [
            "The Life Member tier requires at least 25 years of membership, and you have 12 years; you can move to it once you reach 25 years."
        ]
    );

    let associate = tier(
        "associate",
        "Associate",
        vec![Requirement::CareerStage(stages(&[CareerStage::EngineerInTraining, CareerStage::Student]))],
    );
    let cases: Vec<(Option<CareerStage>, Vec<&str>)> = vec![
        (Some(CareerStage::EngineerInTraining), vec![]),
        (Some(CareerStage::Student), vec![]),
        (
            Some(CareerStage::Licensed),
            vec![
                "The Associate tier is for members whose career stage is student or engineer in training, and your profile says licensed engineer; if that has changed, update your career stage in your profile, or choose another tier.",
            ],
        ),
        (
            None,
            vec![
                "The Associate tier is for members whose career stage is student or engineer in training; add your career stage to your profile.",
            ],
        ),
    ];
    for (stage, expected) in cases {
        let facts = ApplicantFacts { career_stage: stage, ..ApplicantFacts::default() };
        assert_eq!(sentences(check_eligibility(&associate, &facts, ON)), expected, "{stage:?}");
    }
    assert_eq!(stages(&[CareerStage::Retired]).to_string(), "retired");
    assert_eq!(
        stages(&[CareerStage::Other, CareerStage::Student, CareerStage::Retired]).to_string(),
        "student, retired or other"
    );
}

#[test]
fn every_failed_requirement_is_reported_once_in_order() {
    let fellow = tier(
        "fellow",
        "Fellow",
        vec![
            Requirement::RequiresLicence,
            Requirement::MinYearsLicensed(20),
            Requirement::MinYearsOfMembership(10),
            Requirement::RequiresLicence,
        ],
    );
    let got = check_eligibility(&fellow, &ApplicantFacts::default(), ON);
    assert_eq!(
        got,
        Err(vec![
            Ineligibility::NoLicence { tier: "Fellow".into() },
            Ineligibility::TooFewYearsLicensed { tier: "Fellow".into(), required: 20, actual: 0 },
            Ineligibility::TooFewYearsOfMembership { tier: "Fellow".into(), required: 10, actual: 0 },
        ])
    );
    let open = tier("supporter", "Supporter", vec![]);
    assert_eq!(check_eligibility(&open, &ApplicantFacts::default(), ON), Ok(()));
}

#[test]
fn society_tiers_end_to_end() {
    let licensed_2010 = ApplicantFacts {
        date_of_birth: Some(date!(1985 - 07 - 04)),
        career_stage: Some(CareerStage::Licensed),
        licences: vec![pe(date!(2010 - 06 - 01), Some(date!(2027 - 06 - 30)))],
        enrolments: vec![],
        paid_terms: vec![term(date!(2012 - 01 - 01), date!(2026 - 12 - 31))],
        declared_retired: false,
    };
    let cases = [
        (
            tier(
                "student",
                "Student",
                vec![Requirement::RequiresEnrolment, Requirement::CareerStage(stages(&[CareerStage::Student]))],
            ),
            2,
        ),
        (tier("associate", "Associate", vec![Requirement::CareerStage(stages(&[CareerStage::EngineerInTraining]))]), 1),
        (tier("member", "Member", vec![Requirement::RequiresLicence]), 0),
        (tier("senior", "Senior Member", vec![Requirement::RequiresLicence, Requirement::MinYearsLicensed(15)]), 0),
        (tier("fellow", "Fellow", vec![Requirement::RequiresLicence, Requirement::MinYearsLicensed(20)]), 1),
        (tier("life", "Life Member", vec![Requirement::MinYearsOfMembership(25), Requirement::MinAge(65)]), 2),
        (
            tier(
                "retired",
                "Retired",
                vec![Requirement::CareerStage(stages(&[CareerStage::Retired])), Requirement::MinAge(60)],
            ),
            2,
        ),
    ];
    for (tier, failures) in cases {
        let got = check_eligibility(&tier, &licensed_2010, ON).err().map_or(0, |v| v.len());
        assert_eq!(got, failures, "{}", tier.code());
    }
}

#[test]
fn tier_validation() {
    for code in ["member", "senior-2", "life_member", "a", "abcdefghijklmnopqrstuvwxyz012345"] {
        assert!(TierCode::new(code).is_ok(), "{code}");
    }
    for code in ["", "Member", "member ", "mém", "abcdefghijklmnopqrstuvwxyz0123456", "a/b"] {
        assert_eq!(TierCode::new(code), Err(MembershipError::InvalidTierCode(code.to_string())), "{code}");
    }
    assert_eq!(
        Tier::new(TierCode::new("member").expect("code"), "  ", Cents::ZERO, false, vec![]),
        Err(MembershipError::EmptyTierName("member".into()))
    );
    let trimmed =
        Tier::new(TierCode::new("member").expect("code"), " Member ", Cents::ZERO, true, vec![]).expect("tier");
    assert_eq!((trimmed.name(), trimmed.requires_approval()), ("Member", true));
    assert_eq!(CareerStages::new([]), Err(MembershipError::EmptyCareerStages));
}

#[test]
fn a_tier_whose_eligibility_rests_on_what_the_applicant_says_waits_for_staff() {
    use crate::membership::Proof;
    // (requirements, configured approval, needs review, proofs)
    let cases: Vec<(Vec<Requirement>, bool, bool, Vec<Proof>)> = vec![
        (vec![], false, false, vec![]),
        (vec![], true, true, vec![]),
        (
            vec![Requirement::RequiresLicence, Requirement::MinYearsLicensed(10)],
            false,
            false,
            vec![Proof::LicenceRecord],
        ),
        (vec![Requirement::MinYearsOfMembership(15)], false, false, vec![Proof::MembershipRecord]),
        (vec![Requirement::RequiresEnrolment], false, true, vec![Proof::EnrolmentDocument]),
        (vec![Requirement::MinAge(65)], false, true, vec![Proof::DeclaredDateOfBirth]),
        (
            vec![Requirement::CareerStage(stages(&[CareerStage::Student])), Requirement::RequiresLicence],
            false,
            true,
            vec![Proof::DeclaredCareerStage, Proof::LicenceRecord],
        ),
        (
            vec![Requirement::RetirementDeclaration, Requirement::MinYearsOfMembership(10)],
            false,
            true,
            vec![Proof::RetirementDeclaration, Proof::MembershipRecord],
        ),
    ];
    for (requirements, approval, review, proofs) in cases {
        let t = Tier::new(TierCode::new("t").unwrap(), "T", Cents::new(100).unwrap(), approval, requirements.clone())
            .unwrap();
        assert_eq!(t.needs_review(), review, "{requirements:?}");
        assert_eq!(t.proofs(), proofs, "{requirements:?}");
    }
}

#[test]
fn a_retired_tier_needs_the_declaration() {
    let retired = tier("retired", "Retired", vec![Requirement::RetirementDeclaration]);
    let mut facts = ApplicantFacts::default();
    let problems = check_eligibility(&retired, &facts, ON).unwrap_err();
    assert_eq!(problems, vec![Ineligibility::NotDeclaredRetired { tier: "Retired".into() }]);
    assert!(problems[0].to_string().contains("tick the declaration"));
    facts.declared_retired = true;
    assert_eq!(check_eligibility(&retired, &facts, ON), Ok(()));
}

#[test]
fn proof_codes_read_back() {
    for proof in crate::membership::Proof::ALL {
        assert_eq!(crate::membership::Proof::try_from(proof.code().to_string()), Ok(proof));
    }
    assert!(crate::membership::Proof::try_from("telepathy".to_string()).is_err());
}
