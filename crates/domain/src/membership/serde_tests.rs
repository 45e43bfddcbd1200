//! Serialised settings and facts go through the same validation as the constructors, so
//! storage or configuration cannot smuggle in an impossible value.

use super::*;
use time::macros::date;

#[test]
fn invalid_values_are_refused_when_deserialising() {
    let cases: Vec<(&str, bool)> = vec![(r#"[10, 1]"#, true), (r#"[2, 29]"#, false), (r#"[13, 1]"#, false)];
    for (json, ok) in cases {
        assert_eq!(serde_json::from_str::<MonthDay>(json).is_ok(), ok, "{json}");
    }
    assert!(serde_json::from_str::<Cents>("-1").is_err());
    assert_eq!(serde_json::from_str::<Cents>("24000").map(Cents::get).ok(), Some(24_000));
    assert!(serde_json::from_str::<TierCode>(r#""Member""#).is_err());
    assert!(serde_json::from_str::<Percent>("101").is_err());
    assert!(serde_json::from_str::<CareerStages>("[]").is_err());
}

#[test]
fn validated_types_round_trip() {
    let policy = TermPolicy::new(TermPolicySettings::default()).expect("policy");
    let json = serde_json::to_string(&policy).expect("json");
    assert_eq!(serde_json::from_str::<TermPolicy>(&json).ok(), Some(policy.clone()));

    // The same settings with a reminder outside the window are refused.
    let mut bad = TermPolicySettings::from(policy);
    bad.reminders.push(ReminderOffset::BeforeExpiry(90));
    let json = serde_json::to_string(&bad).expect("json");
    assert!(serde_json::from_str::<TermPolicy>(&json).is_err());

    let term = Term::new(date!(2025 - 01 - 01), date!(2025 - 12 - 31)).expect("term");
    let json = serde_json::to_string(&term).expect("json");
    assert_eq!(serde_json::from_str::<Term>(&json).ok(), Some(term));
    let backwards = TermDates { starts_on: date!(2025 - 12 - 31), ends_on: date!(2025 - 01 - 01) };
    let json = serde_json::to_string(&backwards).expect("json");
    assert!(serde_json::from_str::<Term>(&json).is_err());

    let fact = TermFact::new(
        term,
        date!(2024 - 12 - 01),
        TermStatus::Paid { approved_on: None, paid_on: date!(2024 - 12 - 02) },
    )
    .expect("fact");
    let json = serde_json::to_string(&fact).expect("json");
    assert_eq!(serde_json::from_str::<TermFact>(&json).ok(), Some(fact));
    let mut parts = TermFactParts::from(fact);
    parts.status = TermStatus::Paid { approved_on: None, paid_on: date!(2024 - 11 - 30) };
    let json = serde_json::to_string(&parts).expect("json");
    assert!(serde_json::from_str::<TermFact>(&json).is_err());

    let tier = Tier::new(
        TierCode::new("senior").expect("code"),
        "Senior Member",
        Cents::new(30_000).expect("cents"),
        true,
        vec![
            Requirement::RequiresLicence,
            Requirement::MinYearsLicensed(10),
            Requirement::CareerStage(CareerStages::new([CareerStage::Licensed]).expect("stages")),
        ],
    )
    .expect("tier");
    let json = serde_json::to_string(&tier).expect("json");
    assert_eq!(serde_json::from_str::<Tier>(&json).ok(), Some(tier));

    assert_eq!(serde_json::to_string(&Standing::RenewalDue).ok().as_deref(), Some(r#""renewal_due""#));
    let employment = Employment::new(date!(2025 - 01 - 01), None).expect("employment");
    let json = serde_json::to_string(&employment).expect("json");
    assert_eq!(serde_json::from_str::<Employment>(&json).ok(), Some(employment));
}
