//! The salary survey and benchmark (issue 15, slices 6 and 7), on both engines: one answer
//! per member however many arrive at once, none after the close, a release only 3 months
//! after the close and only once, the CSV holding exactly the page's cells, employer names
//! nowhere but staff's review, who may open which page, and bad input named by its field.

use axum::http::{Method, StatusCode};
use guildhall_domain::careers::salary::SurveyStatus;

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::{Client, MEMBER, STAFF, TestApp};

/// Names no demo data holds, so finding one in a page means it leaked.
const MEMBER_EMPLOYER: &str = "Quintessa Bridgeworks LLC";
const IMPORTED_EMPLOYER: &str = "Zyxwvut Holdings";

fn answer(base_pay: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("base_pay", base_pay),
        ("bonus", "4000"),
        ("hours_per_week", "40"),
        ("employer_name", MEMBER_EMPLOYER),
        ("employer_size", "50-249"),
        ("sector", "consulting"),
        ("discipline", "civil"),
        ("function", "design"),
        ("licences", "PE"),
        ("years_experience", "8"),
        ("education", "bachelor"),
        ("jurisdiction", "US-TX"),
    ]
}

/// A file of `n` responses over 12 employers (two disciplines, two regions, two sectors).
fn import_file(n: usize) -> String {
    let mut file = String::from(
        "ref,base_pay,bonus,hours_per_week,employer,employer_size,sector,discipline,function,licences,years_experience,education,jurisdiction\n",
    );
    for i in 0..n {
        let employer = if i % 12 == 0 { IMPORTED_EMPLOYER.to_string() } else { format!("Employer {} Inc", i % 12) };
        let discipline = if i % 2 == 0 { "civil" } else { "structural" };
        let licences = if i % 3 == 0 { "" } else { "PE" };
        let jurisdiction = if i % 4 < 2 { "US-TX" } else { "US-OH" };
        let sector = if i % 5 < 3 { "consulting" } else { "government" };
        let education = if i % 3 == 1 { "master" } else { "bachelor" };
        file.push_str(&format!(
            "r{i},{},{},40,{employer},50-249,{sector},{discipline},design,{licences},{},{education},{jurisdiction}\n",
            60_000 + i * 1_100,
            (i % 7) * 1_000,
            1 + (i * 7) % 25,
        ));
    }
    file
}

/// Staff create a survey for `year`, open from today for 30 days, and open it; its id.
async fn open_survey(t: &TestApp, staff: &mut Client, year: &str) -> i64 {
    let today = t.app.clock.today();
    let closes = today + time::Duration::days(30);
    let created = staff
        .post_form(
            "/staff/salary",
            &[("year", year), ("opens_on", &today.to_string()), ("closes_on", &closes.to_string())],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = survey_id(t, year).await;
    let opened = staff.post_form(&format!("/staff/salary/{id}/open"), &[]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    id
}

async fn survey_id(t: &TestApp, year: &str) -> i64 {
    let surveys = t.store.salary_surveys().await.unwrap();
    surveys.iter().find(|s| s.year.to_string() == year).expect("the survey").id
}

/// A survey with a member's answer and `n` imported ones, closed and released 100 days on.
async fn released_survey(t: &TestApp, staff: &mut Client, member: &mut Client, year: &str, n: usize) -> i64 {
    let id = open_survey(t, staff, year).await;
    let answered = member.post_form("/salary/survey", &answer("97000")).await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let file = import_file(n);
    let imported = staff
        .post_multipart(&format!("/staff/salary/{id}/import"), &[], Some(("file", "survey.csv", file.as_bytes())))
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert_eq!(staff.post_form(&format!("/staff/salary/{id}/close"), &[]).await.status, StatusCode::SEE_OTHER);
    t.app.clock.advance(100 * 86_400);
    // Sessions do not last 100 days: sign in again.
    *staff = t.signed_in(STAFF).await;
    *member = t.signed_in(MEMBER).await;
    let released = staff.post_form(&format!("/staff/salary/{id}/release"), &[]).await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.body);
    id
}

#[tokio::test]
async fn two_answers_at_once_make_one_response_and_none_is_taken_after_the_close() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let id = open_survey(&t, &mut staff, "2040").await;
        let member = t.signed_in(MEMBER).await;
        let page = member.clone().get("/salary/survey").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("The 2040 salary survey is open"), "{}", page.body);

        let (mut a, mut b) = (member.clone(), member.clone());
        let (one, two) = (answer("95000"), answer("96000"));
        let (first, second) = tokio::join!(a.post_form("/salary/survey", &one), b.post_form("/salary/survey", &two));
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
        let survey = t.store.salary_survey(id).await.unwrap().unwrap();
        assert_eq!(survey.responses, 1, "one response per member on {:?}", t.engine);

        // Answering again replaces the answer.
        let mut m = member.clone();
        assert_eq!(m.post_form("/salary/survey", &answer("99000")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(t.store.salary_survey(id).await.unwrap().unwrap().responses, 1);

        // A second survey cannot open beside it.
        let today = t.app.clock.today();
        staff
            .post_form(
                "/staff/salary",
                &[
                    ("year", "2041"),
                    ("opens_on", &today.to_string()),
                    ("closes_on", &(today + time::Duration::days(9)).to_string()),
                ],
            )
            .await;
        let other = survey_id(&t, "2041").await;
        assert_eq!(staff.post_form(&format!("/staff/salary/{other}/open"), &[]).await.status, StatusCode::CONFLICT);

        assert_eq!(staff.post_form(&format!("/staff/salary/{id}/close"), &[]).await.status, StatusCode::SEE_OTHER);
        let late = m.post_form("/salary/survey", &answer("100000")).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
        assert!(late.body.contains("closed"), "{}", late.body);
        let survey = t.store.salary_survey(id).await.unwrap().unwrap();
        assert_eq!(survey.status, SurveyStatus::Closed);
        let own = t.store.salary_release_rows(id).await.unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].base_pay_cents, 9_900_000, "the last answer before the close stands");
    }
}

#[tokio::test]
async fn a_release_waits_three_months_after_the_close_and_happens_once() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let id = open_survey(&t, &mut staff, "2042").await;
        let file = import_file(60);
        let imported = staff
            .post_multipart(&format!("/staff/salary/{id}/import"), &[], Some(("file", "survey.csv", file.as_bytes())))
            .await;
        assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
        // Importing the same file again adds nothing.
        staff
            .post_multipart(&format!("/staff/salary/{id}/import"), &[], Some(("file", "survey.csv", file.as_bytes())))
            .await;
        assert_eq!(t.store.salary_survey(id).await.unwrap().unwrap().responses, 60);

        // Not before it closes, nor before 3 months have passed.
        assert_eq!(staff.post_form(&format!("/staff/salary/{id}/release"), &[]).await.status, StatusCode::CONFLICT);
        assert_eq!(staff.post_form(&format!("/staff/salary/{id}/close"), &[]).await.status, StatusCode::SEE_OTHER);
        let early = staff.post_form(&format!("/staff/salary/{id}/release"), &[]).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        assert!(early.body.contains("may be released from"), "{}", early.body);
        t.app.clock.advance(80 * 86_400);
        // Sessions do not last that long: sign in again.
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(staff.post_form(&format!("/staff/salary/{id}/release"), &[]).await.status, StatusCode::CONFLICT);
        t.app.clock.advance(20 * 86_400);
        let staff = t.signed_in(STAFF).await;

        let (mut a, mut b) = (staff.clone(), staff.clone());
        let path = format!("/staff/salary/{id}/release");
        let (first, second) = tokio::join!(a.post_form(&path, &[]), b.post_form(&path, &[]));
        let mut statuses = [first.status, second.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT], "one release on {:?}", t.engine);
        let survey = t.store.salary_survey(id).await.unwrap().unwrap();
        assert_eq!(survey.status, SurveyStatus::Released);
        let release = t.store.salary_release(id).await.unwrap().unwrap();
        assert_eq!(release.respondents, 60);
        assert!(release.published >= 1, "the whole survey is published: {release:?}");
        // Released means frozen: no more imports.
        let mut staff = staff;
        let after = staff
            .post_multipart(
                &format!("/staff/salary/{id}/import"),
                &[],
                Some(("file", "more.csv", import_file(61).as_bytes())),
            )
            .await;
        assert_eq!(after.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn the_csv_and_the_api_hold_exactly_the_pages_cells() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut member = t.signed_in(MEMBER).await;
        released_survey(&t, &mut staff, &mut member, "2043", 72).await;

        for query in ["by=discipline", "by=experience&sector=consulting", "region=west_south_central&by=licence", ""] {
            let page = member.get(&format!("/salary/benchmark?{query}")).await;
            assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
            let page_rows = page.body.matches("<tr><th scope=\"row\">").count();
            let (status, _, csv) = member.get_bytes(&format!("/salary/benchmark.csv?{query}")).await;
            assert_eq!(status, StatusCode::OK);
            let csv = String::from_utf8(csv).unwrap();
            // Codes only (no commas in them): one record a line after the header.
            let records: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
            assert_eq!(records.len(), page_rows, "{query}: the CSV's rows are the page's");
            let api = member.api(Method::GET, &format!("/api/v1/salary/benchmark?{query}"), None).await;
            assert_eq!(api.status, StatusCode::OK, "{}", api.body);
            let cells = api.json()["cells"].as_array().unwrap().clone();
            assert_eq!(cells.len(), records.len(), "{query}: the API's cells are the page's");
            let mut published = 0;
            for (record, cell) in records.iter().zip(&cells) {
                let median = record[9];
                if median.is_empty() {
                    assert_eq!(cell["suppressed"], true);
                    assert!(cell.get("respondents").is_none(), "a suppressed cell shows no counts: {cell}");
                    assert!(cell["rule"].is_string());
                    assert!(record[6].is_empty(), "nor does the CSV");
                } else {
                    published += 1;
                    assert_eq!(cell["median"].as_i64().unwrap().to_string(), median);
                    assert_eq!(cell["respondents"].as_i64().unwrap().to_string(), record[6]);
                    let shown = median.parse::<i64>().unwrap();
                    let grouped = format!("{},{:03}", shown / 1000, shown % 1000);
                    assert!(page.body.contains(&grouped), "{query}: the page shows the median {grouped}");
                }
            }
            if query.is_empty() {
                assert_eq!(published, 1, "the whole survey is published");
            }
        }

        // You vs peers: the member's own pay beside a published cell.
        let me = member.get("/salary/me").await;
        assert_eq!(me.status, StatusCode::OK);
        assert!(me.body.contains("97,000"), "{}", me.body);
        assert!(me.body.contains("Among your peers"), "{}", me.body);

        // The estimate, from the model stored with the release.
        let estimate = member
            .get("/salary/estimate?years=8&education=bachelor&licence=pe&discipline=civil&region=west_south_central")
            .await;
        assert_eq!(estimate.status, StatusCode::OK, "{}", estimate.body);
        assert!(estimate.body.contains("Typical base pay"), "{}", estimate.body);
    }
}

#[tokio::test]
async fn no_route_shows_an_employer_name_but_the_staff_review() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut member = t.signed_in(MEMBER).await;
        let id = released_survey(&t, &mut staff, &mut member, "2044", 48).await;
        let pages = [
            "/salary/survey",
            "/salary/benchmark",
            "/salary/benchmark?by=sector",
            "/salary/benchmark.csv?by=discipline",
            "/salary/me",
            "/salary/estimate?years=8&education=bachelor&licence=pe&discipline=civil&region=west_south_central",
            "/api/v1/salary/benchmark?by=region",
            "/staff/salary",
        ];
        for client in [&mut member, &mut staff] {
            for page in pages {
                let response = client.get(page).await;
                for name in [MEMBER_EMPLOYER, IMPORTED_EMPLOYER, "Quintessa", "Zyxwvut"] {
                    assert!(!response.body.contains(name), "{page} shows {name:?}");
                }
            }
        }
        let review = staff.get(&format!("/staff/salary/{id}/employers")).await;
        assert_eq!(review.status, StatusCode::OK);
        assert!(review.body.contains(IMPORTED_EMPLOYER) && review.body.contains(MEMBER_EMPLOYER));
        assert!(!review.body.contains("97,000") && !review.body.contains("97000"), "the review shows no pay");
        assert_eq!(member.get(&format!("/staff/salary/{id}/employers")).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn staff_merge_two_spellings_of_one_employer_before_release() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let id = open_survey(&t, &mut staff, "2045").await;
        let file = import_file(24);
        staff
            .post_multipart(&format!("/staff/salary/{id}/import"), &[], Some(("file", "s.csv", file.as_bytes())))
            .await;
        let merged = staff
            .post_form(&format!("/staff/salary/{id}/employers"), &[("from", "employer 1"), ("into", "employer 2")])
            .await;
        assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
        let names = t.store.salary_employer_names(id).await.unwrap();
        assert!(names.iter().all(|n| n.employer_key != "employer 1"));
        let unknown = staff
            .post_form(&format!("/staff/salary/{id}/employers"), &[("from", "nobody"), ("into", "employer 2")])
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.body.contains("from-error"), "{}", unknown.body);
    }
}

#[tokio::test]
async fn bad_input_is_refused_naming_its_field() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let mut member = t.signed_in(MEMBER).await;
        open_survey(&t, &mut staff, "2046").await;
        let cases: [(&str, &str, &str); 6] = [
            ("base_pay", "lots", "base_pay-error"),
            ("base_pay", "0", "base_pay-error"),
            ("hours_per_week", "500", "hours_per_week-error"),
            ("employer_name", "", "employer_name-error"),
            ("jurisdiction", "Atlantis", "jurisdiction-error"),
            ("licences", "XYZ", "licences-error"),
        ];
        for (field, value, marker) in cases {
            let mut fields = answer("90000");
            for f in fields.iter_mut() {
                if f.0 == field {
                    f.1 = value;
                }
            }
            let response = member.post_form("/salary/survey", &fields).await;
            assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(response.body.contains(marker), "{field}: {}", response.body);
        }
        let page = member.get("/salary/benchmark?discipline=alchemy").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("discipline"), "{}", page.body);
        let repeated = member.get("/salary/benchmark?sector=consulting&sector=academia").await;
        assert_eq!(repeated.status, StatusCode::UNPROCESSABLE_ENTITY);
        let api = member.api(Method::GET, "/api/v1/salary/benchmark?region=mars", None).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(api.json()["error"]["fields"]["region"].is_string(), "{}", api.body);
        let estimate =
            member.get("/salary/estimate?years=old&education=&licence=pe&discipline=civil&region=canada").await;
        assert_eq!(estimate.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            estimate.body.contains("years-error") && estimate.body.contains("education-error"),
            "{}",
            estimate.body
        );
        let survey = staff
            .post_form("/staff/salary", &[("year", "1890"), ("opens_on", "2046-01-01"), ("closes_on", "2045-01-01")])
            .await;
        assert_eq!(survey.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(survey.body.contains("year-error") && survey.body.contains("closes_on-error"), "{}", survey.body);
        let csv = staff
            .post_multipart(
                &format!("/staff/salary/{}/import", survey_id(&t, "2046").await),
                &[],
                Some(("file", "bad.csv", b"ref,base_pay\nx,1\n")),
            )
            .await;
        assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(csv.body.contains("employer"), "the missing column is named: {}", csv.body);
    }
}

#[tokio::test]
async fn every_role_on_the_salary_routes() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let id = open_survey(&t, &mut staff, "2047").await;
        let mut clients = role_clients(&t).await;
        let signed_in = [SignIn, Ok, Ok, Ok, Ok];
        let staff_page = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let rows = vec![
            (Call::Get("/salary/survey".into()), signed_in),
            (Call::Get("/salary/benchmark".into()), signed_in),
            (Call::Get("/salary/benchmark.csv".into()), signed_in),
            (Call::Get("/salary/me".into()), signed_in),
            (Call::Get("/salary/estimate".into()), signed_in),
            (Call::Get("/api/v1/salary/benchmark".into()), [Unauthorised, Ok, Ok, Ok, Ok]),
            (Call::Get("/staff/salary".into()), staff_page),
            (Call::Get(format!("/staff/salary/{id}/employers")), staff_page),
            (Call::Form("/staff/salary".into(), &[("year", "")]), [SignIn, Forbidden, Forbidden, Invalid, Invalid]),
            (
                Call::Form(format!("/staff/salary/{id}/employers"), &[("from", "x"), ("into", "y")]),
                [SignIn, Forbidden, Forbidden, Invalid, Invalid],
            ),
            (
                Call::Multipart(format!("/staff/salary/{id}/import"), &[], Some(("file", "x.csv", b"ref\n"))),
                [SignIn, Forbidden, Forbidden, Invalid, Invalid],
            ),
            // Members answer; staff and the administrator have no member record.
            (
                Call::Form("/salary/survey".into(), &[("base_pay", "x")]),
                [SignIn, Invalid, Invalid, Forbidden, Forbidden],
            ),
        ];
        run_matrix(&t, &mut clients, rows).await;
        // Opening, closing and releasing: staff only (a refused state change is a 409, not in the matrix).
        for action in ["open", "close", "release"] {
            for client in &mut clients[1..3] {
                let response = client.post_form(&format!("/staff/salary/{id}/{action}"), &[]).await;
                assert_eq!(response.status, StatusCode::FORBIDDEN, "{action}");
            }
        }
        assert_eq!(clients[0].post_form(&format!("/staff/salary/{id}/close"), &[]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.store.salary_survey(id).await.unwrap().unwrap().status,
            SurveyStatus::Open,
            "a guest changed nothing"
        );
    }
}
