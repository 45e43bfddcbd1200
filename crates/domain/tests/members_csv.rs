//! The member CSV format: every validation rule, the error report, the column mapping,
//! export→import round trips and the 100,000-row import.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions, as in the other crates' tests

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use guildhall_domain::csv::members::*;
use guildhall_domain::identity::{Email, unsafe_text};
use guildhall_domain::member::Jurisdiction;
use guildhall_domain::membership::{CareerStage, LicenceKind, TierCode};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2025 - 06 - 15);

fn known() -> KnownCodes {
    KnownCodes::new(
        ["student", "member", "fellow"].map(|t| TierCode::new(t).unwrap()),
        ["austin", "north-texas", "toronto"],
        ["wie", "yp", "life"],
    )
}

/// A valid row, column by column.
const BASE: [(&str, &str); 17] = [
    ("member_number", "GH-0001"),
    ("first_name", "Ada"),
    ("last_name", "Lovelace"),
    ("email", "ada@example.org"),
    ("phone", "+1 512 555 0100"),
    ("employer", "Acme Bridges"),
    ("job_title", "Project Engineer"),
    ("career_stage", "licensed"),
    ("disciplines", "civil;structural"),
    ("tier", "member"),
    ("status", "active"),
    ("joined_on", "2020-01-15"),
    ("expires_on", "2025-12-31"),
    ("home_chapter", "austin"),
    ("groups", "wie;yp"),
    ("licences", "US-TX|PE|123456|2015-06-01|2026-12-31"),
    ("certifications", "PMP|PMI|998877|2027-01-31"),
];

/// A CSV with the full header and one row per override list applied to [`BASE`].
fn csv_of(rows: &[&[(&str, &str)]]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).unwrap();
    for overrides in rows {
        let row = BASE.map(|(col, value)| {
            overrides.iter().rev().find(|(c, _)| *c == col).map_or(value.to_string(), |(_, v)| v.to_string())
        });
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

fn parse(bytes: &[u8]) -> Result<Vec<MemberRecordCsv>, Vec<RowError>> {
    parse_members(bytes, &known(), TODAY, None)
}

#[test]
fn a_valid_row_becomes_a_typed_record() {
    let rows = parse(&csv_of(&[&[]])).unwrap();
    let expected = MemberRecordCsv {
        row: 1,
        member_number: Some("GH-0001".into()),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: Email::parse("ada@example.org").unwrap(),
        phone: Some("+1 512 555 0100".into()),
        employer: Some("Acme Bridges".into()),
        job_title: Some("Project Engineer".into()),
        career_stage: CareerStage::Licensed,
        disciplines: vec![Discipline::Civil, Discipline::Structural],
        tier: TierCode::new("member").unwrap(),
        status: MemberStatus::Active,
        joined_on: date!(2020 - 01 - 15),
        expires_on: Some(date!(2025 - 12 - 31)),
        home_chapter: Some("austin".into()),
        groups: vec!["wie".into(), "yp".into()],
        licences: vec![LicenceCsv {
            jurisdiction: Jurisdiction::parse("US-TX").unwrap(),
            kind: LicenceKind::ProfessionalEngineer,
            number: "123456".into(),
            first_issued_on: date!(2015 - 06 - 01),
            expires_on: Some(date!(2026 - 12 - 31)),
        }],
        certifications: vec![CertificationCsv {
            name: "PMP".into(),
            body: Some("PMI".into()),
            number: Some("998877".into()),
            expires_on: Some(date!(2027 - 01 - 31)),
        }],
    };
    assert_eq!(rows, vec![expected]);
}

/// (what, overrides, `None` if the row is valid or `Some((column, part of the message))`).
type Case = (&'static str, &'static [(&'static str, &'static str)], Option<(&'static str, &'static str)>);

/// A [`Case`] with values built at run time (lengths at and over each limit).
type OwnedCase = (String, Vec<(&'static str, String)>, Option<(&'static str, &'static str)>);

#[test]
fn every_validation_rule() {
    let long = |n: usize| "x".repeat(n);
    let (n20, n21, n30, n31, n40, n41, n100, n101, n200, n201) = (
        "A".repeat(20),
        "A".repeat(21),
        long(30),
        long(31),
        long(40),
        long(41),
        long(100),
        long(101),
        long(200),
        long(201),
    );
    let lic30 = format!("US-TX|PE|{n30}|2015-06-01|");
    let lic31 = format!("US-TX|PE|{n31}|2015-06-01|");
    let cert200 = format!("{n200}|PMI");
    let cert201 = format!("{n201}|PMI");
    let owned: Vec<OwnedCase> = vec![
        ("member number of 20".into(), vec![("member_number", n20.clone())], None),
        ("member number of 21".into(), vec![("member_number", n21.clone())], Some(("member_number", "1 to 20"))),
        ("first name of 100".into(), vec![("first_name", n100.clone())], None),
        ("first name of 101".into(), vec![("first_name", n101.clone())], Some(("first_name", "at most 100"))),
        ("last name of 101".into(), vec![("last_name", n101.clone())], Some(("last_name", "at most 100"))),
        ("phone of 40".into(), vec![("phone", n40.clone())], None),
        ("phone of 41".into(), vec![("phone", n41.clone())], Some(("phone", "at most 40"))),
        ("employer of 200".into(), vec![("employer", n200.clone())], None),
        ("employer of 201".into(), vec![("employer", n201.clone())], Some(("employer", "at most 200"))),
        ("job title of 200".into(), vec![("job_title", n200.clone())], None),
        ("job title of 201".into(), vec![("job_title", n201.clone())], Some(("job_title", "at most 200"))),
        ("licence number of 30".into(), vec![("licences", lic30)], None),
        ("licence number of 31".into(), vec![("licences", lic31)], Some(("licences", "at most 30"))),
        ("certification name of 200".into(), vec![("certifications", cert200)], None),
        (
            "certification name of 201".into(),
            vec![("certifications", cert201)],
            Some(("certifications", "at most 200")),
        ),
        ("email too long".into(), vec![("email", format!("{}@example.org", "a".repeat(250)))], Some(("email", "254"))),
    ];
    let cases: &[Case] = &[
        // member_number
        ("blank member number", &[("member_number", "")], None),
        ("lower-case member number", &[("member_number", "gh-7")], None),
        ("member number with _", &[("member_number", "GH_1")], Some(("member_number", "is not a member number"))),
        ("member number with space", &[("member_number", "GH 1")], Some(("member_number", "is not a member number"))),
        // names
        ("blank first name", &[("first_name", "  ")], Some(("first_name", "is blank"))),
        ("blank last name", &[("last_name", "")], Some(("last_name", "is blank"))),
        ("control char in name", &[("first_name", "A\u{7}da")], Some(("first_name", "control character"))),
        ("non-ASCII name", &[("first_name", "Zoë"), ("last_name", "Ó Briain-Müller")], None),
        // email
        ("blank email", &[("email", "")], Some(("email", "is blank"))),
        ("invalid email", &[("email", "bob@@x")], Some(("email", "\"bob@@x\" is not a valid email address"))),
        ("email without domain dot", &[("email", "bob@example")], Some(("email", "not a valid email"))),
        ("email in capitals", &[("email", "Ada@EXAMPLE.org")], None),
        // optional text
        ("blank optional text", &[("phone", ""), ("employer", ""), ("job_title", "")], None),
        ("tab in employer", &[("employer", "Acme\tBridges")], Some(("employer", "control character"))),
        ("line break in job title", &[("job_title", "Chief\nEngineer")], Some(("job_title", "control character"))),
        ("direction override in name", &[("last_name", "Love\u{202e}ecal")], Some(("last_name", "direction of text"))),
        ("line separator in employer", &[("employer", "Acme\u{2028}Bridges")], Some(("employer", "separators"))),
        // career_stage
        ("blank career stage", &[("career_stage", "")], None),
        ("EIT in capitals", &[("career_stage", "EIT")], None),
        ("every career stage", &[("career_stage", "student")], None),
        ("unknown career stage", &[("career_stage", "junior")], Some(("career_stage", "use student, eit"))),
        // disciplines
        ("blank disciplines", &[("disciplines", "")], None),
        ("disciplines with gaps and case", &[("disciplines", " civil;;Structural; ")], None),
        ("unknown discipline", &[("disciplines", "civil;basket-weaving")], Some(("disciplines", "\"basket-weaving\""))),
        (
            "comma-separated disciplines",
            &[("disciplines", "civil,structural")],
            Some(("disciplines", "separated by ';'")),
        ),
        // tier
        ("blank tier", &[("tier", "")], Some(("tier", "is blank"))),
        ("unknown tier", &[("tier", "gold")], Some(("tier", "fellow, member or student"))),
        ("tier in capitals", &[("tier", "MEMBER")], None),
        // status
        ("blank status", &[("status", "")], Some(("status", "is blank"))),
        ("unknown status", &[("status", "frozen")], Some(("status", "use applied, approved"))),
        ("status in capitals", &[("status", "Lapsed")], None),
        // joined_on
        ("blank joined_on", &[("joined_on", "")], Some(("joined_on", "is blank"))),
        ("impossible joined_on", &[("joined_on", "2023-02-29")], Some(("joined_on", "YYYY-MM-DD"))),
        ("US-style joined_on", &[("joined_on", "01/15/2020")], Some(("joined_on", "YYYY-MM-DD"))),
        ("short joined_on", &[("joined_on", "2020-1-15")], Some(("joined_on", "YYYY-MM-DD"))),
        ("leap day joined_on", &[("joined_on", "2024-02-29")], None),
        ("joined today", &[("joined_on", "2025-06-15")], None),
        ("joined tomorrow", &[("joined_on", "2025-06-16")], Some(("joined_on", "2025-06-16 is in the future"))),
        // expires_on
        ("active without expiry", &[("status", "active"), ("expires_on", "")], Some(("expires_on", "status active"))),
        ("grace without expiry", &[("status", "grace"), ("expires_on", "")], Some(("expires_on", "status grace"))),
        ("lapsed without expiry", &[("status", "lapsed"), ("expires_on", "")], Some(("expires_on", "status lapsed"))),
        ("applied without expiry", &[("status", "applied"), ("expires_on", "")], None),
        ("approved without expiry", &[("status", "approved"), ("expires_on", "")], None),
        ("cancelled without expiry", &[("status", "cancelled"), ("expires_on", "")], None),
        ("expires before joining", &[("expires_on", "2020-01-14")], Some(("expires_on", "before joined_on"))),
        ("expires the day of joining", &[("expires_on", "2020-01-15")], None),
        ("impossible expiry", &[("expires_on", "2025-13-01")], Some(("expires_on", "YYYY-MM-DD"))),
        // home_chapter
        ("blank home chapter", &[("home_chapter", "")], None),
        ("chapter in capitals", &[("home_chapter", "North-Texas")], None),
        ("unknown chapter", &[("home_chapter", "dallas")], Some(("home_chapter", "austin, north-texas or toronto"))),
        // groups
        ("blank groups", &[("groups", "")], None),
        ("repeated group", &[("groups", "WIE;wie")], None),
        ("unknown group", &[("groups", "wie;golf")], Some(("groups", "\"golf\" is not one of"))),
        // licences
        ("no licences", &[("licences", "")], None),
        ("two licences", &[("licences", "US-TX|PE|1|2015-06-01|;CA-ON|pe|A-9|2019-01-01")], None),
        ("lower-case licence", &[("licences", "us-tx|se|77|2015-06-01|")], None),
        ("PLS licence", &[("licences", "US-CA|PLS|L9|2015-06-01|2027-01-01")], None),
        ("PE and SE in one state", &[("licences", "US-TX|PE|1|2015-06-01|;US-TX|SE|2|2016-06-01|")], None),
        (
            "the same licence twice",
            &[("licences", "US-TX|PE|1|2015-06-01|;US-FL|PE|F1|2016-06-01|;us-tx|pe|2|2016-06-01|")],
            Some(("licences", "licence 3 (\"us-tx|pe|2|2016-06-01|\"): US-TX PE is already licence 1 of this row")),
        ),
        (
            "the same licence twice, spelt differently",
            &[("licences", "CA-ON|P.Eng|1|2015-06-01|;ca-on|PENG|2|2016-06-01|")],
            Some(("licences", "a member holds a licence once")),
        ),
        ("state outside the list", &[("licences", "AU-NSW|PE|1|2015-06-01")], Some(("licences", "not a jurisdiction"))),
        ("three-letter country", &[("licences", "USA-TX|PE|1|2015-06-01")], Some(("licences", "not a jurisdiction"))),
        ("digit in country", &[("licences", "U1-TX|PE|1|2015-06-01")], Some(("licences", "not a jurisdiction"))),
        ("four-letter region", &[("licences", "US-TEXA|PE|1|2015-06-01")], Some(("licences", "not a jurisdiction"))),
        ("underscore jurisdiction", &[("licences", "US_TX|PE|1|2015-06-01")], Some(("licences", "not a jurisdiction"))),
        (
            "unknown licence kind",
            &[("licences", "US-TX|EIT|1|2015-06-01")],
            Some(("licences", "use PE, SE, PLS, P.Eng or CEng")),
        ),
        ("blank licence number", &[("licences", "US-TX|PE||2015-06-01")], Some(("licences", "number is blank"))),
        ("blank first issued", &[("licences", "US-TX|PE|1||")], Some(("licences", "first-issued date is blank"))),
        ("bad first issued", &[("licences", "US-TX|PE|1|2015-02-30|")], Some(("licences", "first issued:"))),
        ("bad licence expiry", &[("licences", "US-TX|PE|1|2015-06-01|soon")], Some(("licences", "expires:"))),
        (
            "licence expires before issue",
            &[("licences", "US-TX|PE|1|2015-06-01|2015-05-31")],
            Some(("licences", "before it was first issued")),
        ),
        ("licence of 3 parts", &[("licences", "US-TX|PE|1")], Some(("licences", "has 3 parts"))),
        ("licence of 6 parts", &[("licences", "US-TX|PE|1|2015-06-01||x")], Some(("licences", "has 6 parts"))),
        (
            "second licence bad",
            &[("licences", "US-TX|PE|1|2015-06-01;CA-ON|XE|2|2016-01-01")],
            Some(("licences", "licence 2 (")),
        ),
        // certifications
        ("no certifications", &[("certifications", "")], None),
        ("name-only certification", &[("certifications", "PMP")], None),
        ("certification without body", &[("certifications", "LEED AP||123|")], None),
        ("blank certification name", &[("certifications", "|PMI|1|")], Some(("certifications", "name is blank"))),
        ("bad certification date", &[("certifications", "PMP|PMI|1|2027-02-30")], Some(("certifications", "expires:"))),
        (
            "certification of 5 parts",
            &[("certifications", "PMP|PMI|1|2027-01-01|x")],
            Some(("certifications", "5 parts")),
        ),
        (
            "certification number of 31",
            &[("certifications", "PMP|PMI|1234567890123456789012345678901|")],
            Some(("certifications", "number is 31 characters")),
        ),
    ];
    let mut all: Vec<OwnedCase> = cases
        .iter()
        .map(|(what, overrides, expected)| {
            (what.to_string(), overrides.iter().map(|(c, v)| (*c, v.to_string())).collect(), *expected)
        })
        .collect();
    all.extend(owned);
    for (what, overrides, expected) in &all {
        let overrides: Vec<(&str, &str)> = overrides.iter().map(|(c, v)| (*c, v.as_str())).collect();
        let result = parse(&csv_of(&[&overrides]));
        match (expected, result) {
            (None, Ok(rows)) => assert_eq!(rows.len(), 1, "{what}"),
            (None, Err(errors)) => panic!("{what}: expected a valid row, got {errors:?}"),
            (Some(_), Ok(rows)) => panic!("{what}: expected an error, got {rows:?}"),
            (Some((column, fragment)), Err(errors)) => {
                assert_eq!(errors.len(), 1, "{what}: {errors:?}");
                let error = &errors[0];
                assert_eq!((error.row, error.column.as_str()), (1, *column), "{what}: {error}");
                assert!(error.message.contains(fragment), "{what}: {:?} lacks {fragment:?}", error.message);
            }
        }
    }
}

#[test]
fn codes_are_normalised() {
    let rows = parse(&csv_of(&[&[
        ("member_number", " gh-7 "),
        ("email", "Ada@EXAMPLE.org"),
        ("career_stage", "EIT"),
        ("disciplines", "Civil;civil; software"),
        ("tier", "MEMBER"),
        ("status", "Grace"),
        ("home_chapter", "North-Texas"),
        ("groups", "WIE;wie;Yp"),
        ("licences", "us-tx|se|77|2015-06-01|"),
        ("certifications", "PMP"),
    ]]))
    .unwrap();
    let m = &rows[0];
    assert_eq!(m.member_number.as_deref(), Some("GH-7"));
    assert_eq!(m.email.as_str(), "ada@example.org");
    assert_eq!(m.career_stage, CareerStage::EngineerInTraining);
    assert_eq!(m.disciplines, [Discipline::Civil, Discipline::Software]);
    assert_eq!(m.tier.as_str(), "member");
    assert_eq!(m.status, MemberStatus::Grace);
    assert_eq!(m.home_chapter.as_deref(), Some("north-texas"));
    assert_eq!(m.groups, ["wie", "yp"]);
    assert_eq!(m.licences[0].jurisdiction.as_str(), "US-TX");
    assert_eq!(m.licences[0].kind, LicenceKind::StructuralEngineer);
    assert_eq!(m.licences[0].expires_on, None);
    assert_eq!(
        m.certifications[0],
        CertificationCsv { name: "PMP".into(), body: None, number: None, expires_on: None }
    );

    let blank = parse(&csv_of(&[&[("career_stage", ""), ("member_number", "")]])).unwrap();
    assert_eq!(blank[0].career_stage, CareerStage::Other);
    assert_eq!(blank[0].member_number, None);
}

#[test]
fn duplicates_within_the_file_name_the_first_row() {
    let errors = parse(&csv_of(&[
        &[],
        &[("member_number", "GH-0002"), ("email", "someone@example.org")],
        &[("member_number", "GH-0003"), ("email", "ADA@example.org")],
        &[("member_number", "gh-0002"), ("email", "other@example.org")],
    ]))
    .unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert_eq!(
        shown[0],
        "row 3, email: \"ada@example.org\" is also used in row 1 — each member needs their own email address"
    );
    assert_eq!(shown[1], "row 4, member_number: \"GH-0002\" is also used in row 2 — member numbers must be unique");
}

#[test]
fn every_problem_in_every_row_is_reported_in_order() {
    let errors = parse(&csv_of(&[
        &[("email", "bad"), ("tier", "gold")],
        &[("email", "b@example.org"), ("member_number", "")],
        &[("email", "c@example.org"), ("member_number", ""), ("joined_on", "2030-01-01"), ("groups", "x;y")],
    ]))
    .unwrap_err();
    let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(found, [(1, "email"), (1, "tier"), (3, "joined_on"), (3, "groups"), (3, "groups")]);
}

#[test]
fn row_error_display() {
    let cases = [
        (RowError { row: 50000, column: "email".into(), message: "m".into() }, "row 50000, email: m"),
        (RowError { row: 7, column: String::new(), message: "m".into() }, "row 7: m"),
        (RowError { row: 0, column: "header".into(), message: "m".into() }, "header: m"),
        (RowError { row: 0, column: String::new(), message: "m".into() }, "m"),
    ];
    for (error, shown) in cases {
        assert_eq!(error.to_string(), shown);
    }
    let errors = parse(&csv_of(&[&[("email", "bob@@x")]])).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "row 1, email: \"bob@@x\" is not a valid email address — enter an address like name@example.org"
    );
}

#[test]
fn header_rules() {
    // (what, file, `None` if accepted, or parts of the single header error)
    let cases: &[(&str, &str, Option<&[&str]>)] = &[
        (
            "required columns only",
            "first_name,last_name,email,tier,status,joined_on\nA,B,a@x.org,member,applied,2020-01-01\n",
            None,
        ),
        (
            "any order, any case, spaces",
            " Joined_On ,EMAIL,tier,Status,last_name,First_Name\n2020-01-01,a@x.org,member,applied,B,A\n",
            None,
        ),
        (
            "extra columns ignored",
            "first_name,last_name,email,tier,status,joined_on,notes\nA,B,a@x.org,member,applied,2020-01-01,hello\n",
            None,
        ),
        (
            "byte-order mark",
            "\u{feff}first_name,last_name,email,tier,status,joined_on\nA,B,a@x.org,member,applied,2020-01-01\n",
            None,
        ),
        (
            "byte-order mark before a quoted name",
            "\u{feff}\"first_name\",last_name,email,tier,status,joined_on\nA,B,a@x.org,member,applied,2020-01-01\n",
            None,
        ),
        (
            "CRLF line ends",
            "first_name,last_name,email,tier,status,joined_on\r\nA,B,a@x.org,member,applied,2020-01-01\r\n",
            None,
        ),
        ("header only", "first_name,last_name,email,tier,status,joined_on\n", None),
        (
            "missing required columns",
            "first_name,last_name,emial,status,joined_on\nA,B,a@x.org,applied,2020-01-01\n",
            Some(&["required columns missing: email, tier", "not recognised: \"emial\""]),
        ),
        (
            "repeated column",
            "first_name,last_name,email,tier,status,joined_on,Email\nA,B,a@x.org,member,applied,2020-01-01,b@x.org\n",
            Some(&["more than once: email"]),
        ),
        ("empty file", "", Some(&["the file is empty"])),
        ("blank header", "\n\n", Some(&["the file is empty"])),
    ];
    for (what, file, expected) in cases {
        let result = parse(file.as_bytes());
        match (expected, result) {
            (None, Ok(_)) => {}
            (None, Err(errors)) => panic!("{what}: {errors:?}"),
            (Some(_), Ok(rows)) => panic!("{what}: expected a header error, got {rows:?}"),
            (Some(fragments), Err(errors)) => {
                assert_eq!(errors.len(), 1, "{what}: {errors:?}");
                assert_eq!((errors[0].row, errors[0].column.as_str()), (0, "header"), "{what}");
                for fragment in *fragments {
                    assert!(errors[0].message.contains(fragment), "{what}: {:?} lacks {fragment:?}", errors[0].message);
                }
            }
        }
    }
}

#[test]
fn whole_row_problems() {
    let header = "first_name,last_name,email,tier,status,joined_on\n";
    // An unquoted comma shifts the values: the row is refused as a whole.
    let errors = parse(
        format!("{header}A,B,a@x.org,member,applied,2020-01-01\nSmith, Jr.,C,c@x.org,member,applied,2020-01-01\n")
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, ""));
    assert!(errors[0].to_string().starts_with("row 2: has 7 values but the header has 6 columns"), "{}", errors[0]);

    // Blank rows are skipped but still counted.
    let rows = parse(
        format!("{header}A,B,a@x.org,member,applied,2020-01-01\n,,,,,\nC,D,c@x.org,member,applied,2020-01-01\n")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 3]);

    // Invalid UTF-8 is reported against its column.
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(b"Ren\xE9,B,a@x.org,member,applied,2020-01-01\n");
    let errors = parse(&bytes).unwrap_err();
    assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "first_name"));
    assert!(errors[0].message.contains("UTF-8"));
}

#[test]
fn errors_are_capped_with_a_note() {
    let mut file = String::from("first_name,last_name,email,tier,status,joined_on\n");
    for i in 0..1500 {
        writeln!(file, "A,B,bad{i},member,applied,2020-01-01").unwrap();
    }
    let errors = parse(file.as_bytes()).unwrap_err();
    assert_eq!(errors.len(), MAX_ERRORS + 1);
    assert_eq!(errors[MAX_ERRORS - 1].row, 1000);
    let note = errors.last().unwrap();
    assert_eq!((note.row, note.column.as_str()), (0, ""));
    assert!(note.to_string().contains("500 more errors not shown (1500 in all)"), "{note}");
}

fn record(row: usize, first: &str, last: &str, email: &str) -> MemberRecordCsv {
    let mut rows = parse(&csv_of(&[&[("first_name", "X"), ("last_name", "Y")]])).unwrap();
    let mut m = rows.remove(0);
    m.row = row;
    m.first_name = first.into();
    m.last_name = last.into();
    m.email = Email::parse(email).unwrap();
    m.member_number = Some(format!("GH-{row}"));
    m
}

#[test]
fn export_then_import_round_trips() {
    let mut rows = vec![
        record(1, "Ada", "Lovelace", "ada@example.org"),
        record(2, "Seán \"Jack\"", "O'Brien, Jr.", "sean@example.ie"),
        record(3, "Zoë", "Müller-Łukasiewicz", "zoe@example.de"),
        record(4, "渡辺", "健", "ken@example.jp"),
        record(5, "  ", "x", "x@example.org"),
    ];
    rows[4].first_name = "Émile, \"the\" engineer".into();
    rows[1].employer = Some("Smith, Jones & \"Partners\"".into());
    rows[1].job_title = None;
    rows[1].phone = None;
    rows[1].disciplines.clear();
    rows[1].groups.clear();
    rows[1].licences.clear();
    rows[1].certifications.clear();
    rows[1].home_chapter = None;
    rows[1].career_stage = CareerStage::Other;
    rows[2].status = MemberStatus::Applied;
    rows[2].expires_on = None;
    rows[2].member_number = None;
    rows[3].licences.push(LicenceCsv {
        jurisdiction: Jurisdiction::parse("CA-ON").unwrap(),
        kind: LicenceKind::ProfessionalLandSurveyor,
        number: "ON 12,345".into(),
        first_issued_on: date!(2012 - 02 - 29),
        expires_on: None,
    });
    rows[3].certifications.push(CertificationCsv {
        name: "Envision SP, \"Sustainability\"".into(),
        body: None,
        number: None,
        expires_on: None,
    });
    rows[3].disciplines = Discipline::ALL.to_vec();

    let mut exported = Vec::new();
    write_members(&mut exported, &rows).unwrap();
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(text.starts_with(&COLUMNS.join(",")), "{text}");
    assert!(text.contains("\"O'Brien, Jr.\""), "{text}");
    assert!(text.contains("\"Seán \"\"Jack\"\"\""), "{text}");

    let imported = parse(&exported).unwrap();
    assert_eq!(imported, rows);

    let mut again = Vec::new();
    write_members(&mut again, &imported).unwrap();
    assert_eq!(again, exported);
}

#[test]
fn separators_and_backslashes_in_list_values_export_and_read_back() {
    let mut m = record(1, "Ada", "Lovelace", "ada@example.org");
    m.certifications[0].name = "PMP; CAPM".into();
    m.certifications[0].body = Some("P|M|I \\ Global".into());
    m.licences[0].number = "12|34;5\\6".into();
    let mut exported = Vec::new();
    write_members(&mut exported, [&m]).unwrap();
    assert!(String::from_utf8_lossy(&exported).contains("12\\|34\\;5\\\\6"), "escaped in the file");
    assert_eq!(parse(&exported).unwrap(), vec![m]);
    // A backslash before anything else is kept as typed, as before escapes existed.
    let mut rows = parse(&csv_of(&[&[("certifications", "C:\\dir|Body|1|")]])).unwrap();
    assert_eq!(rows.remove(0).certifications[0].name, "C:\\dir");
}

/// Free text as a form or the import accepts it: trimmed, not blank, none of the
/// characters `unsafe_text` refuses, but anything else (quotes, commas, `;`, `|`, `\`,
/// any script).
fn free_text(max: usize) -> impl Strategy<Value = String> {
    let any = proptest::string::string_regex(&format!("[^\\p{{Cc}}]{{1,{max}}}")).unwrap();
    // The characters the format itself uses, often, with quotes and commas.
    let separators = proptest::string::string_regex(&format!("[a-z;|\\\\,\" ]{{1,{max}}}")).unwrap();
    prop_oneof![any, separators]
        .prop_map(|s| s.trim().to_string())
        .prop_filter("accepted by the forms", |s| !s.is_empty() && unsafe_text(s).is_none())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any member the database can hold exports and reads back the same.
    #[test]
    fn any_member_exports_and_imports_back_identically(
        first in free_text(100),
        last in free_text(100),
        employer in proptest::option::of(free_text(200)),
        job_title in proptest::option::of(free_text(200)),
        licence_number in free_text(30),
        cert_name in free_text(200),
        cert_body in proptest::option::of(free_text(200)),
        cert_number in proptest::option::of(free_text(30)),
    ) {
        let mut m = record(1, "Ada", "Lovelace", "ada@example.org");
        m.first_name = first;
        m.last_name = last;
        m.employer = employer;
        m.job_title = job_title;
        m.licences[0].number = licence_number;
        m.certifications[0].name = cert_name;
        m.certifications[0].body = cert_body;
        m.certifications[0].number = cert_number;
        let mut exported = Vec::new();
        write_members(&mut exported, [&m]).unwrap();
        prop_assert_eq!(parse(&exported).map_err(|e| format!("{e:?}")), Ok(vec![m]));
    }
}

const WILD_APRICOT_MAPPING: &str = r#"
[columns]
"First name" = "first_name"
"Last name" = "last_name"
"Email" = "email"
"Organization" = "employer"
"Membership level" = "tier"
"Membership status" = "status"
"Member since" = "joined_on"
"Renewal due" = "expires_on"
"Interest groups" = "groups"

[values.tier]
"Regular" = "member"
"Student" = "student"
"Fellow" = "fellow"

[values.status]
"Active" = "active"
"Lapsed" = "lapsed"
"Pending - New" = "applied"
"Pending - Renewal" = "grace"

[values.groups]
"Women in Engineering" = "wie"
"Young Professionals" = "yp"

[date_formats]
joined_on = "[month padding:none]/[day padding:none]/[year]"
expires_on = "[month]/[day]/[year]"
"#;

#[test]
fn wild_apricot_export_with_a_mapping() {
    let mapping = ColumnMapping::from_toml(WILD_APRICOT_MAPPING).unwrap();
    let export = "\u{feff}User ID,First name,Last name,Email,Membership level,Membership status,Member since,Renewal due,Organization,Interest groups\n\
        1001,Grace,Hopper,grace@example.org,Regular,Active,3/7/2019,03/07/2026,\"Navy, US\",Women in Engineering;yp\n\
        1002,Kenji,Sato,kenji@example.org,student,pending - new,12/31/2024,,,\n\
        1003,Lin,Wu,lin@example.org,Fellow,Lapsed,1/2/2010,01/02/2024,Wu & Co,\n";
    let rows = parse_members(export.as_bytes(), &known(), TODAY, Some(&mapping)).unwrap();
    assert_eq!(rows.len(), 3);
    let grace = &rows[0];
    assert_eq!((grace.first_name.as_str(), grace.email.as_str()), ("Grace", "grace@example.org"));
    assert_eq!(grace.tier.as_str(), "member");
    assert_eq!(grace.status, MemberStatus::Active);
    assert_eq!(grace.joined_on, date!(2019 - 03 - 07));
    assert_eq!(grace.expires_on, Some(date!(2026 - 03 - 07)));
    assert_eq!(grace.employer.as_deref(), Some("Navy, US"));
    assert_eq!(grace.groups, ["wie", "yp"]);
    assert_eq!(grace.member_number, None);
    assert_eq!((rows[1].tier.as_str(), rows[1].status), ("student", MemberStatus::Applied));
    assert_eq!(
        (rows[2].tier.as_str(), rows[2].status, rows[2].joined_on),
        ("fellow", MemberStatus::Lapsed, date!(2010 - 01 - 02))
    );

    // Bad values are still reported in Guildhall's terms, with the mapping's date format.
    let bad = "First name,Last name,Email,Membership level,Membership status,Member since,Renewal due\n\
        Ann,Lee,ann@example.org,Platinum,Active,2019-03-07,03/07/2026\n";
    let errors = parse_members(bad.as_bytes(), &known(), TODAY, Some(&mapping)).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[0].starts_with("row 1, tier: \"Platinum\" is not one of the society's tiers"), "{}", shown[0]);
    assert!(
        shown[1].contains(
            "joined_on: \"2019-03-07\" is not a date in the format [month padding:none]/[day padding:none]/[year]"
        ),
        "{}",
        shown[1]
    );

    // Without the mapping the same export is refused at the header.
    let errors = parse_members(export.as_bytes(), &known(), TODAY, None).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("\"Membership level\""), "{}", errors[0]);
}

#[test]
fn mapping_file_problems() {
    let cases: &[(&str, &str, &str)] = &[
        ("not TOML", "[columns\n", "not valid"),
        ("unknown table", "[colums]\n\"Email\" = \"email\"\n", "not valid"),
        (
            "unknown target column",
            "[columns]\n\"Member since\" = \"joined\"\n",
            "\"joined\", which is not a Guildhall column",
        ),
        ("unknown value column", "[values.level]\n\"Regular\" = \"member\"\n", "\"level\""),
        ("date format for a text column", "[date_formats]\nemail = \"[year]\"\n", "holds no dates"),
        ("invalid date format", "[date_formats]\njoined_on = \"[mnth]/[day]\"\n", "is not a date format"),
        ("header listed twice", "[columns]\n\"Email\" = \"email\"\n\"EMAIL\" = \"email\"\n", "listed twice"),
        ("value listed twice", "[values.tier]\n\"Regular\" = \"member\"\n\"regular\" = \"student\"\n", "listed twice"),
    ];
    for (what, text, fragment) in cases {
        let error = ColumnMapping::from_toml(text).unwrap_err();
        assert!(error.contains(fragment), "{what}: {error:?} lacks {fragment:?}");
    }
    assert!(ColumnMapping::from_toml("").is_ok());
}

#[test]
fn value_map_to_blank_means_blank() {
    let mapping = ColumnMapping::from_toml("[values.career_stage]\n\"Unknown\" = \"\"\n\"EI\" = \"eit\"\n").unwrap();
    let file = csv_of(&[
        &[("career_stage", "unknown")],
        &[("career_stage", "ei"), ("email", "b@example.org"), ("member_number", "")],
    ]);
    let rows = parse_members(file.as_slice(), &known(), TODAY, Some(&mapping)).unwrap();
    assert_eq!(rows[0].career_stage, CareerStage::Other);
    assert_eq!(rows[1].career_stage, CareerStage::EngineerInTraining);
}

/// 100,000 rows with one bad email at row 50,000: one error, naming that row.
#[test]
fn hundred_thousand_rows_with_one_bad_email() {
    let mut file = String::with_capacity(20_000_000);
    file.push_str(&COLUMNS.join(","));
    file.push('\n');
    for i in 1..=100_000u32 {
        let email = if i == 50_000 { "bob@@x".to_string() } else { format!("member{i}@example.org") };
        writeln!(
            file,
            "GH-{i:06},Given{i},\"Family, {i}\",{email},+1 555 {i:07},Acme,Engineer,licensed,civil;structural,member,active,\
             2019-03-{:02},2026-03-31,austin,wie;yp,US-TX|PE|{i}|2015-06-01|2027-12-31,PMP|PMI|{i}|",
            1 + i % 28
        )
        .unwrap();
    }
    let started = Instant::now();
    let errors = parse(file.as_bytes()).unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("parsed and checked 100,000 rows in {elapsed:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].row, errors[0].column.as_str()), (50_000, "email"));
    assert!(errors[0].to_string().starts_with("row 50000, email: \"bob@@x\""), "{}", errors[0]);
    // A guard against accidentally quadratic work, not a benchmark: release builds take a
    // fraction of a second.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");

    let fixed = file.replace("bob@@x", "bob@example.org");
    let started = Instant::now();
    let rows = parse(fixed.as_bytes()).unwrap();
    eprintln!("parsed and checked 100,000 valid rows in {:?}", started.elapsed());
    assert_eq!(rows.len(), 100_000);
    assert_eq!(rows[49_999].row, 50_000);
    assert_eq!(rows[99_999].last_name, "Family, 100000");
}
