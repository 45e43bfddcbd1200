//! The CE page and API list every period of a licence from its first registration, the exempt
//! first period included with the rule that exempts it.

use axum::http::{Method, StatusCode};

use crate::harness::*;

#[tokio::test]
async fn every_period_back_to_the_first_registration_is_shown_with_why_the_first_is_exempt() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        // An Illinois PE licence first issued 2019-05-01: Illinois renews every two years on
        // November 30 of odd years and exempts the first renewal after licensure.
        let r = maya
            .post_form(
                "/ce/credentials",
                &[
                    ("source", "licence"),
                    ("jurisdiction", "us-il"),
                    ("kind", "PE"),
                    ("number", "IL-062-090001"),
                    ("issued", "2019-05-01"),
                    ("licensure_method", "exam"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let ce = maya.api(Method::GET, "/api/v1/members/me/ce/evaluation", None).await;
        assert_eq!(ce.status, StatusCode::OK, "{}", ce.body);
        let ce = ce.json();
        let illinois = ce["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["ruleset"] == "US-IL-PE")
            .unwrap_or_else(|| panic!("the Illinois licence is tracked: {ce}"));
        let periods = illinois["periods"].as_array().unwrap();
        let first = &periods[0];
        assert_eq!((first["start"].as_str(), first["end"].as_str()), (Some("2017-12-01"), Some("2019-11-30")));
        assert_eq!((first["status"].as_str(), first["first_period"].as_bool()), (Some("exempt"), Some(true)));
        let why = first["exempt_reason"].as_str().unwrap();
        assert!(
            why.starts_with("first renewal after initial licensure on 2019-05-01: exempt by the first-period rule of"),
            "{why}"
        );
        // The periods follow one another to today's, two years each, none missing.
        assert_eq!(periods[1]["start"], "2019-12-01");
        assert_eq!(periods[1]["exempt_reason"], serde_json::Value::Null);
        for pair in periods.windows(2) {
            assert!(pair[0]["end"].as_str() < pair[1]["start"].as_str(), "{pair:?}");
        }
        assert!(periods.iter().skip(1).all(|p| p["first_period"] == false));

        // The page shows the same: the first period among the earlier ones, with its reason.
        let page = maya.get("/ce").await.body;
        assert!(page.contains("Earlier periods, back to the first registration"));
        assert!(page.contains("2017-12-01 to 2019-11-30 (first period)"), "the first period is listed");
        assert!(
            page.contains("first renewal after initial licensure on 2019-05-01: exempt by"),
            "with why it is exempt"
        );
        assert!(page.contains("2019-12-01 to 2021-11-30"), "and the periods after it");
        // A period with nothing recorded says so rather than only "short of credit"; the
        // exempt first period does not.
        let item =
            |from: &str| page.split(from).nth(1).and_then(|rest| rest.split("</li>").next()).unwrap().to_string();
        assert!(item("2019-12-01 to 2021-11-30").contains("No activities are recorded for this period"));
        assert!(!item("2017-12-01 to 2019-11-30").contains("No activities are recorded"));
    }
}
