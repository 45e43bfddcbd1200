//! Verifiable credentials over HTTP, on both engines: a member's membership credential
//! from the wallet to the public page and the verifier, staff suspending, restoring and
//! revoking with the reason told to verifiers and the holder, the status lists' bits,
//! tampering and foreign keys refused, key rotation, and membership credentials following
//! the daily standing refresh.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use guildhall_credentials::status::StatusList;
use serde_json::{Value, json};

use crate::harness::*;

/// The share code in a `/credentials/{code}` address.
fn code_of(location: &str) -> String {
    location.trim_start_matches("/credentials/").split('?').next().unwrap().to_string()
}

async fn verify(client: &mut Client, credential: Value) -> Value {
    let r = client.api(Method::POST, "/api/v1/verify", Some(json!({ "credential": credential }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// The payload of a compact JWT.
fn jwt_payload(jwt: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// Whether the status list at `path` has `index` set.
async fn listed(client: &mut Client, path: &str, index: usize) -> bool {
    let r = client.get(path).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = jwt_payload(&r.body);
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    StatusList::decode(encoded).unwrap().get(index).unwrap()
}

/// Maya asks for her membership credential; its id and share code.
async fn maya_membership(t: &TestApp, maya: &mut Client) -> (i64, String) {
    let r = maya.post_form("/credentials/membership", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
    let code = code_of(r.location());
    let mine = maya.api(Method::GET, "/api/v1/credentials?kind=membership", None).await.json();
    let id = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["share_url"].as_str().unwrap().ends_with(&code))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    (id, code)
}

#[tokio::test]
async fn a_membership_credential_verifies_anywhere_and_staff_suspend_restore_and_revoke_it_with_reasons() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        assert!(maya.get("/credentials").await.body.contains("Get my membership credential"));
        let (id, code) = maya_membership(&t, &mut maya).await;
        // Asking twice gives the same credential: one per term.
        let again = maya.post_form("/credentials/membership", &[]).await;
        assert_eq!(code_of(again.location()), code, "{:?}", t.engine);
        let wallet = maya.get("/credentials").await.body;
        assert!(wallet.contains(&format!("/credentials/{code}")) && !wallet.contains("Get my membership credential"));

        // Anyone with the link sees it verified, without signing in.
        let mut stranger = t.client();
        let page = stranger.get(&format!("/credentials/{code}")).await;
        assert_eq!(page.status, StatusCode::OK);
        for fact in ["Valid: the society issued this credential", "Maya Okafor", "Member (PE)", "Guildhall Society"] {
            assert!(page.body.contains(fact), "{:?}: the public page says {fact}", t.engine);
        }
        assert!(!page.body.contains("member@demo.guildhall.org"), "no private field on the public page");
        assert!(!page.body.contains("/status?to="), "no staff tools for strangers");

        // Both proof forms verify; the address is hashed, never in the credential.
        let one = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json();
        let jwt = one["jwt"].as_str().unwrap().to_string();
        let json_ld = one["json_ld"].clone();
        assert_eq!(json_ld["proof"]["cryptosuite"], "eddsa-rdfc-2022", "{:?}", t.engine);
        assert!(!jwt_payload(&jwt).to_string().contains("member@demo.guildhall.org"));
        assert_eq!(jwt_payload(&jwt)["credentialSubject"]["identifier"][1]["identityType"], "emailAddress");
        for presented in [json!(jwt), json_ld.clone()] {
            let verdict = verify(&mut stranger, presented).await;
            assert_eq!(
                (verdict["valid"].as_bool(), verdict["verdict"].as_str()),
                (Some(true), Some("valid")),
                "{verdict}"
            );
            assert_eq!(verdict["credential"]["holder"], "Maya Okafor");
        }
        // Downloads: the JWT, the JSON-LD, and the badge picture with the credential baked in.
        assert_eq!(stranger.get(&format!("/credentials/{code}/credential.jwt")).await.body, jwt);
        let baked = stranger.get(&format!("/credentials/{code}/badge.svg")).await.body;
        assert!(baked.contains(&format!("<openbadges:credential>{jwt}</openbadges:credential>")));
        let from_picture = stranger.post_multipart("/verify", &[], Some(("file", "badge.svg", baked.as_bytes()))).await;
        assert!(from_picture.body.contains("Valid: the society issued this credential"), "{:?}", t.engine);

        // Members cannot change a status; staff must give a reason to suspend.
        let index = jwt_payload(&jwt)["credentialStatus"]["statusListIndex"].as_str().unwrap().parse().unwrap();
        assert!(!listed(&mut stranger, "/credentials/status/suspension", index).await);
        let body = json!({ "status": "suspended", "reason": "Dues cheque returned" });
        let refused = maya.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let mut staff = t.signed_in(STAFF).await;
        let blank = json!({ "status": "suspended", "reason": "  " });
        let r = staff.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(blank)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = staff.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(body)).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("suspended")), "{:?}", t.engine);
        let verdict = verify(&mut stranger, json!(jwt)).await;
        assert_eq!(verdict["verdict"], "suspended");
        assert!(verdict["message"].as_str().unwrap().contains("Dues cheque returned"));
        assert!(listed(&mut stranger, "/credentials/status/suspension", index).await, "{:?}", t.engine);
        assert!(stranger.get(&format!("/credentials/{code}")).await.body.contains("Suspended: Dues cheque returned"));
        let record_email = t.store.member_by_user(1).await.unwrap().unwrap().email;
        let mail = t.mail_to(&record_email).await;
        assert!(
            mail.iter().any(|m| m.starts_with("Your credential was suspended") && m.contains("Dues cheque returned")),
            "{mail:?}"
        );
        assert_eq!(audit(&mut staff, "credential.suspended").await["items"].as_array().unwrap().len(), 1);

        // Restored through the confirmation page; then revoked, for good.
        let confirm = staff.get(&format!("/credentials/{code}/status?to=active")).await;
        assert!(confirm.body.contains("Restore this credential?"), "{:?}", t.engine);
        let r =
            staff.post_form(&format!("/credentials/{code}/status"), &[("to", "active"), ("confirmed", "yes")]).await;
        assert_eq!(r.location(), format!("/credentials/{code}?done=credential_restored"));
        assert!(!listed(&mut stranger, "/credentials/status/suspension", index).await);
        assert_eq!(verify(&mut stranger, json!(jwt)).await["verdict"], "valid");
        let reason = "Membership obtained with false statements";
        let r = staff
            .post_form(
                &format!("/credentials/{code}/status"),
                &[("to", "revoked"), ("reason", reason), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let verdict = verify(&mut stranger, json_ld).await;
        assert_eq!(verdict["verdict"], "revoked");
        assert!(verdict["message"].as_str().unwrap().contains(reason));
        let undo = json!({ "status": "active" });
        let r = staff.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(undo)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "revocation cannot be undone");
        assert!(r.body.contains("cannot be undone"));
        assert!(
            listed(&mut stranger, "/credentials/status/suspension", index).await,
            "a revoked credential stays listed"
        );
    }
}

#[tokio::test]
async fn changed_foreign_and_unreadable_credentials_are_refused_for_what_they_are() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let (id, _) = maya_membership(&t, &mut maya).await;
        let one = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json();
        let jwt = one["jwt"].as_str().unwrap();
        let mut anyone = t.client();

        // A changed JWT payload (same header and signature).
        let mut payload = jwt_payload(jwt);
        payload["credentialSubject"]["identifier"][0]["identityHash"] = json!("Someone Else");
        let parts: Vec<&str> = jwt.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2]);
        assert_eq!(verify(&mut anyone, json!(forged)).await["verdict"], "tampered", "{:?}", t.engine);
        // A changed JSON-LD credential.
        let mut json_ld = one["json_ld"].clone();
        json_ld["name"] = json!("Fellow");
        assert_eq!(verify(&mut anyone, json_ld).await["verdict"], "tampered");
        // Signed by a key the society never had, claiming the society's key name.
        let stranger_key = guildhall_credentials::IssuerKey::from_secret("key-1", &[42; 32]);
        let did = jwt_payload(jwt)["iss"].as_str().unwrap().to_string();
        let mut credential = jwt_payload(jwt);
        for claim in ["iss", "sub", "jti", "nbf", "exp"] {
            credential.as_object_mut().unwrap().remove(claim);
        }
        let resigned = guildhall_credentials::jwt::sign(&credential, &did, &stranger_key).unwrap();
        assert_eq!(verify(&mut anyone, json!(resigned)).await["verdict"], "tampered");
        let unknown = guildhall_credentials::IssuerKey::from_secret("key-77", &[42; 32]);
        let resigned = guildhall_credentials::jwt::sign(&credential, &did, &unknown).unwrap();
        assert_eq!(verify(&mut anyone, json!(resigned)).await["verdict"], "unknown_key");
        // Another issuer's credential is not judged here.
        let foreign = guildhall_credentials::jwt::sign(&credential, "did:web:other.example", &stranger_key).unwrap();
        let verdict = verify(&mut anyone, json!(foreign)).await;
        assert_eq!(verdict["verdict"], "other_issuer");
        assert!(verdict["message"].as_str().unwrap().contains("not issued by this society"));
        // Not a credential at all; nothing at all.
        assert_eq!(verify(&mut anyone, json!("hello")).await["verdict"], "unreadable");
        let r = anyone.api(Method::POST, "/api/v1/verify", Some(json!({ "credential": "" }))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = anyone.api(Method::POST, "/api/v1/verify", Some(json!({ "credential": 7 }))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The page says the same in words, and keeps what was pasted when it is empty.
        let page = anyone.post_multipart("/verify", &[("credential", &forged)], None).await;
        assert!(page.body.contains("changed after the society signed it"), "{:?}", t.engine);
        let page = anyone.post_multipart("/verify", &[("credential", "")], None).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("Paste a credential or choose its file."));
        // Share codes that do not exist are not found; nobody can list others' credentials.
        assert_eq!(anyone.get("/credentials/00000000-0000-4000-8000-000000000000").await.status, StatusCode::NOT_FOUND);
        assert_eq!(anyone.get("/credentials/not-a-code").await.status, StatusCode::NOT_FOUND);
        let mut daniel = t.signed_in(OFFICER).await;
        assert_eq!(
            daniel.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(daniel.api(Method::GET, "/api/v1/credentials", None).await.json()["total"], 0);
    }
}

#[tokio::test]
async fn staff_issue_a_designation_once_by_the_api_or_the_form_and_members_cannot() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let fellow = json!({ "member_id": maya.id, "achievement": "Fellow", "description": "Elected a Fellow." });
        let r = staff.api(Method::POST, "/api/v1/credentials", Some(fellow.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}: {}", t.engine, r.body);
        let first = r.json();
        assert_eq!(first["json_ld"]["credentialSubject"]["achievement"]["achievementType"], "Award");
        let again = staff.api(Method::POST, "/api/v1/credentials", Some(fellow)).await.json();
        assert_eq!(again["id"], first["id"], "the same designation is issued once");
        let bad = json!({ "member_id": maya.id, "achievement": "", "description": "", "valid_until": "2001-01-01" });
        let r = staff.api(Method::POST, "/api/v1/credentials", Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = &r.json()["error"]["fields"];
        assert!(fields["name"].is_string() && fields["description"].is_string() && fields["valid_until"].is_string());
        let mut maya_client = t.signed_in(MEMBER).await;
        let own = json!({ "member_id": maya.id, "achievement": "Fellow", "description": "Self-made." });
        assert_eq!(maya_client.api(Method::POST, "/api/v1/credentials", Some(own)).await.status, StatusCode::FORBIDDEN);
        // The form, by member number, with what was typed kept on a refusal.
        let form =
            staff.post_form("/staff/credentials/new", &[("member_number", "nope"), ("name", "Life Member")]).await;
        assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(form.body.contains("No member has that number.") && form.body.contains("value=\"Life Member\""));
        let r = staff
            .post_form(
                "/staff/credentials/new",
                &[("member_number", &maya.member_number), ("name", "Life Member"), ("description", "For life.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(staff.get("/staff/credentials?kind=award").await.body.contains("Life Member"));
        assert_eq!(audit(&mut staff, "credential.issued").await["items"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn after_a_key_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let (id, _) = maya_membership(&t, &mut maya).await;
        let old = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json();
        let mut admin = t.signed_in(ADMIN).await;
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(
            staff.post_form("/staff/credentials/rotate-key", &[("confirmed", "yes")]).await.status,
            StatusCode::FORBIDDEN
        );
        let r = admin.post_form("/staff/credentials/rotate-key", &[("confirmed", "yes")]).await;
        assert_eq!(r.location(), "/staff/credentials?done=rotated", "{:?}", t.engine);
        let did = t.client().get("/.well-known/did.json").await.json();
        let methods: Vec<&str> =
            did["verificationMethod"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert!(methods[0].ends_with("#key-2") && methods[1].ends_with("#key-1"), "current key first: {methods:?}");
        let mut anyone = t.client();
        for presented in [old["jwt"].clone(), old["json_ld"].clone()] {
            assert_eq!(verify(&mut anyone, presented).await["verdict"], "valid", "{:?}", t.engine);
        }
        let maya_id = t.store.member_by_user(1).await.unwrap().unwrap().id;
        let body = json!({ "member_id": maya_id, "achievement": "Fellow", "description": "Elected." });
        let new = staff.api(Method::POST, "/api/v1/credentials", Some(body)).await.json();
        assert!(new["json_ld"]["proof"]["verificationMethod"].as_str().unwrap().ends_with("#key-2"));
        assert_eq!(verify(&mut anyone, new["jwt"].clone()).await["verdict"], "valid");
        let list = anyone.get("/credentials/status/revocation").await.body;
        assert!(
            list.split('.')
                .next()
                .map(|h| String::from_utf8(URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap())
                .unwrap()
                .contains("#key-2")
        );
        assert_eq!(audit(&mut admin, "credentials.key_rotated").await["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn membership_credentials_are_suspended_on_lapse_and_restored_on_renewal_by_the_daily_refresh() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let (id, _) = maya_membership(&t, &mut maya).await;
        let jwt = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json()["jwt"].clone();
        // She starts her renewal but does not pay; past the grace period the refresh finds
        // her lapsed.
        let r = maya.post_form("/membership/renew", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        let pay = r.location().to_string();
        let member = t.store.member_by_user(1).await.unwrap().unwrap();
        let expires = member.expires_on.expect("a current term");
        let grace = i64::from(t.app.settings.membership.grace_days);
        let days = (expires - t.app.clock.today()).whole_days() + grace + 2;
        t.app.clock.advance(days * 86_400);
        t.app.refresh_standings().await.unwrap();
        let record = t.store.credential(id).await.unwrap();
        assert_eq!(record.status.code(), "suspended", "{:?}", t.engine);
        assert!(record.status_automatic);
        let mut anyone = t.client();
        let verdict = verify(&mut anyone, jwt.clone()).await;
        assert_eq!(verdict["verdict"], "suspended");
        assert!(verdict["message"].as_str().unwrap().contains("lapsed"));

        // She pays; the next day's refresh restores the credential and issues the new
        // term's.
        let mut maya = t.signed_in(MEMBER).await;
        let paid = maya.post_form(&pay, &[]).await;
        assert_eq!(paid.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, paid.body);
        t.app.clock.advance(86_400);
        t.app.refresh_standings().await.unwrap();
        assert_eq!(t.store.credential(id).await.unwrap().status.code(), "active", "{:?}", t.engine);
        let mine = maya.api(Method::GET, "/api/v1/credentials?kind=membership", None).await.json();
        assert_eq!(mine["total"], 2, "{:?}: the new term's credential: {mine}", t.engine);
        let newest = &mine["items"][0];
        let one = maya.api(Method::GET, &format!("/api/v1/credentials/{}", newest["id"]), None).await.json();
        assert_eq!(verify(&mut anyone, one["jwt"].clone()).await["verdict"], "valid", "{:?}", t.engine);
        assert_eq!(verify(&mut anyone, jwt).await["verdict"], "expired", "the old term's has ended");
    }
}

#[tokio::test]
async fn every_role_on_every_credentials_route() {
    use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let (id, code) = maya_membership(&t, &mut maya).await;
        let maya_id = t.store.member_by_user(1).await.unwrap().unwrap().id;
        let mut clients = role_clients(&t).await;
        let public = [Ok; 5];
        let page = [SignIn, Ok, Ok, Ok, Ok];
        let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let api_staff = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
        let award = json!({ "member_id": maya_id, "achievement": "Matrix award", "description": "For the matrix." });
        let suspend = json!({ "status": "suspended", "reason": "Matrix" });
        let rows = vec![
            (Call::Get("/.well-known/did.json".into()), public),
            (Call::Get("/did.json".into()), public),
            (Call::Get("/credentials/status/revocation".into()), public),
            (Call::Get("/credentials/status/suspension".into()), public),
            (Call::Get("/credentials/badges/award.svg".into()), public),
            (Call::Get(format!("/credentials/{code}")), public),
            (Call::Get(format!("/credentials/{code}/credential.jwt")), public),
            (Call::Get(format!("/credentials/{code}/credential.json")), public),
            (Call::Get(format!("/credentials/{code}/badge.svg")), public),
            (Call::Get("/verify".into()), public),
            (Call::Json(Method::POST, "/api/v1/verify".into(), json!({ "credential": "not a credential" })), public),
            (Call::Get("/credentials".into()), page),
            (Call::Get("/staff/credentials".into()), staff),
            (Call::Get("/staff/credentials/new".into()), staff),
            (Call::Get("/staff/credentials/rotate-key".into()), [SignIn, Forbidden, Forbidden, Forbidden, Ok]),
            (Call::Get(format!("/credentials/{code}/status?to=suspended")), staff),
            // Staff and the administrator hold no member record, so no membership.
            (Call::Form("/credentials/membership".into(), &[]), [SignIn, Done, Done, Invalid, Invalid]),
            (Call::Json(Method::GET, "/api/v1/credentials".into(), json!(null)), [Unauthorised, Ok, Ok, Ok, Ok]),
            (
                Call::Json(Method::GET, format!("/api/v1/credentials/{id}"), json!(null)),
                [Unauthorised, Ok, NotFound, Ok, Ok],
            ),
            (Call::Json(Method::POST, "/api/v1/credentials".into(), award), api_staff),
            // The administrator finds it suspended already.
            (
                Call::Json(Method::POST, format!("/api/v1/credentials/{id}/status"), suspend),
                [Unauthorised, Forbidden, Forbidden, Ok, Invalid],
            ),
        ];
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_requests_at_once_issue_one_membership_credential_and_one_status_change_wins() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let mut asks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let mut client = maya.clone();
            asks.spawn(async move { client.post_form("/credentials/membership", &[]).await.location().to_string() });
        }
        let places: std::collections::BTreeSet<String> = asks.join_all().await.into_iter().collect();
        assert_eq!(places.len(), 1, "{:?}: every request lands on the one credential: {places:?}", t.engine);
        let mine = maya.api(Method::GET, "/api/v1/credentials?kind=membership", None).await.json();
        assert_eq!(mine["total"], 1, "{:?}", t.engine);
        let id = mine["items"][0]["id"].as_i64().unwrap();

        let mut staff = t.signed_in(STAFF).await;
        let mut changes = tokio::task::JoinSet::new();
        for i in 0..20 {
            let mut client = staff.clone();
            let body = json!({ "status": "suspended", "reason": format!("Reason {i}") });
            changes.spawn(async move {
                client.api(Method::POST, &format!("/api/v1/credentials/{id}/status"), Some(body)).await.status
            });
        }
        let statuses = changes.join_all().await;
        let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(won, 1, "{:?}: {statuses:?}", t.engine);
        assert!(
            statuses
                .iter()
                .all(|s| [StatusCode::OK, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(s)),
            "{statuses:?}"
        );
        assert_eq!(audit(&mut staff, "credential.suspended").await["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_member_who_gives_a_did_is_named_by_it_in_new_credentials() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let refused =
            maya.post_form("/credentials/identity", &[("by", "did"), ("did", "mailto:maya@example.org")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", t.engine);
        assert!(
            refused.body.contains("A DID starts with did:")
                && refused.body.contains("value=\"mailto:maya@example.org\"")
        );
        let did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        let r = maya.post_form("/credentials/identity", &[("by", "did"), ("did", did)]).await;
        assert_eq!(r.location(), "/credentials?done=identity");
        assert!(maya.get("/credentials").await.body.contains(&format!("value=\"{did}\"")));
        let (id, _) = maya_membership(&t, &mut maya).await;
        let one = maya.api(Method::GET, &format!("/api/v1/credentials/{id}"), None).await.json();
        let payload = jwt_payload(one["jwt"].as_str().unwrap());
        assert_eq!((payload["credentialSubject"]["id"].as_str(), payload["sub"].as_str()), (Some(did), Some(did)));
        assert_eq!(payload["credentialSubject"]["identifier"].as_array().unwrap().len(), 1, "the name only, no hash");
        assert_eq!(one["json_ld"]["credentialSubject"]["id"], did);
        let mut anyone = t.client();
        for presented in [one["jwt"].clone(), one["json_ld"].clone()] {
            assert_eq!(verify(&mut anyone, presented).await["verdict"], "valid", "{:?}", t.engine);
        }
        // Back to the hashed address.
        maya.post_form("/credentials/identity", &[("by", "email"), ("did", did)]).await;
        assert!(!maya.get("/credentials").await.body.contains(&format!("value=\"{did}\"")));
        let mut staff = t.signed_in(STAFF).await;
        assert_eq!(audit(&mut staff, "credential.identity_chosen").await["items"].as_array().unwrap().len(), 2);
    }
}
