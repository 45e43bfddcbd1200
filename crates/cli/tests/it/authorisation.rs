//! Every role against every route: allowed, refused, or sent to sign in. The server
//! decides; nothing here relies on what a template shows or hides.

use axum::http::{Method, StatusCode};
use guildhall_domain::membership::{InvoiceStatus, LinkKind, Standing};
use serde_json::json;

use crate::harness::*;

/// What a role gets from a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// 200 (or the page's own success)
    Ok,
    /// 303 to /dashboard: signed-in people skip sign-in and join pages
    ToDashboard,
    /// 303 to /sign-in
    SignIn,
    Forbidden,
    /// 401 from the API
    Unauthorised,
    /// 303 anywhere else: a form did its work and sent the browser on
    Done,
    /// 404: not theirs to find (another member's activity, a ledger an account does not have)
    NotFound,
    /// 422: allowed, but the form was refused (an earlier role's call already made the record)
    Invalid,
    /// 409: allowed, but an earlier role's call already did it (a review, a closing)
    Conflict,
}
pub(crate) use Outcome::*;

/// One request of a matrix row, made by each role in turn.
pub(crate) enum Call {
    Get(String),
    Form(String, &'static [(&'static str, &'static str)]),
    Json(Method, String, serde_json::Value),
    /// A payment webhook call: (provider, body, signature header).
    Webhook(&'static str, String, Option<String>),
    /// A multipart form with an optional file (field, name, bytes).
    Multipart(String, &'static [(&'static str, &'static str)], Option<(&'static str, &'static str, &'static [u8])>),
}

/// Continuing-education routes: Maya's own record (a licence, an activity, an evidence
/// file) against everyone; `other` is a member of another chapter. Rows that delete come last.
fn ce_matrix(maya: i64, other: i64, licence: &str, activity: i64, evidence: i64) -> Vec<(Call, [Outcome; 5])> {
    let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
    let hers = [SignIn, Ok, NotFound, NotFound, NotFound];
    let hers_or_staff = [SignIn, Ok, Forbidden, Ok, Ok];
    let her_change = [SignIn, Done, NotFound, NotFound, NotFound];
    let any_member = [SignIn, Done, Done, NotFound, NotFound];
    const ACTIVITY: &[(&str, &str)] =
        &[("title", "Matrix webinar"), ("kind", "webinar_live"), ("date", "2026-01-05"), ("quantity", "1")];
    const PDF: &[u8] = b"%PDF-1.4 matrix";
    vec![
        (Call::Get("/ce".into()), [SignIn, Ok, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{maya}/ce")), hers_or_staff),
        (Call::Get(format!("/members/{other}/ce")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get("/api/v1/members/me/ce/evaluation".into()), [Unauthorised, Ok, Ok, NotFound, NotFound]),
        (Call::Get(format!("/api/v1/members/{maya}/ce/evaluation")), [Unauthorised, Ok, Forbidden, Ok, Ok]),
        (Call::Get(format!("/api/v1/members/{other}/ce/evaluation")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get(format!("/ce/documents/{licence}/transcript.pdf")), hers),
        (Call::Get(format!("/ce/documents/{licence}/transcript.csv")), hers),
        (Call::Get(format!("/ce/documents/{licence}/audit-packet.zip")), hers),
        (Call::Get(format!("/members/{maya}/ce/documents/{licence}/audit-packet.zip")), hers_or_staff),
        (Call::Get(format!("/ce/evidence/{evidence}")), hers),
        (Call::Get(format!("/members/{maya}/ce/evidence/{evidence}")), hers_or_staff),
        (Call::Get("/staff/compliance".into()), staff),
        (Call::Get("/staff/compliance.csv".into()), staff),
        (Call::Get("/staff/programmes".into()), staff),
        (
            Call::Form("/staff/programmes".into(), &[("file_name", "matrix.toml"), ("rules", MATRIX_PROGRAMME)]),
            [SignIn, Forbidden, Forbidden, Done, Done],
        ),
        (
            Call::Form(
                "/ce/credentials".into(),
                &[("source", "licence"), ("jurisdiction", "US-OH"), ("kind", "PE"), ("issued", "2020-01-01")],
            ),
            any_member,
        ),
        (Call::Multipart("/ce/activities".into(), ACTIVITY, None), any_member),
        (
            Call::Multipart(format!("/ce/activities/{activity}/evidence"), &[], Some(("evidence", "c.pdf", PDF))),
            her_change,
        ),
        (Call::Form(format!("/ce/credentials/{licence}/fields"), &[]), her_change),
        (Call::Form(format!("/ce/activities/{activity}/delete"), &[("confirmed", "yes")]), her_change),
        (Call::Form(format!("/ce/credentials/{licence}/delete"), &[("confirmed", "yes")]), her_change),
    ]
}

const MATRIX_PROGRAMME: &str = "schema_version = \"1.0.0\"\n[[source]]\nid = \"m\"\ntitle = \"Matrix\"\nkind = \"staff\"\n\
    [[ruleset]]\nid = \"MATRIX-CERT\"\nversion = \"1\"\nname = \"Matrix certificate\"\nauthority = \"Society\"\n\
    credential_type = \"programme\"\njurisdiction = \"society\"\nstatus = \"voluntary\"\ncredit_unit = \"PDH\"\n\
    sources = [\"m\"]\n[ruleset.cycle]\nlength_months = 12\nanchor = \"calendar_year\"\n[ruleset.requirement]\n\
    total = 4\nsources = [\"m\"]\n[ruleset.carryover]\nallowed = false\n";

/// Routes whose rows need records made in the test: refunding a payment and the
/// payment webhook. `payment` is (member, payment) with at least $5 left to refund;
/// `invoice` is an open invoice (id, amount).
fn payments_matrix(payment: (i64, i64), invoice: (i64, i64)) -> Vec<(Call, [Outcome; 5])> {
    let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
    let body = serde_json::json!({
        "id": "evt_matrix", "type": "payment.succeeded", "invoice_id": invoice.0,
        "amount_cents": invoice.1, "reference": "ch_matrix"
    })
    .to_string();
    let signature = guildhall_app::membership::payments::test_signature(WEBHOOK_SECRET, body.as_bytes());
    vec![
        (
            Call::Form(
                format!("/members/{}/payments/{}/refunds", payment.0, payment.1),
                &[("amount", "1.00"), ("method", "cheque"), ("reason", "Matrix"), ("confirmed", "yes")],
            ),
            staff,
        ),
        // The webhook ignores sessions: the signature decides, the same for everyone
        // (the first call settles the invoice, the rest are answered as duplicates).
        (Call::Webhook("test", body.clone(), Some(signature)), [Ok; 5]),
        (Call::Webhook("test", body, None), [Forbidden; 5]),
    ]
}

/// Staff management routes: tiers, groups, a member's groups, officers. `spare` is a tier
/// nobody is in (deleted by the last tier row), `own` a member of the officer's chapter,
/// `office` the demo officer's term. Creating twice refuses the repeat (admin: 422), and
/// deleting twice finds nothing (admin: 404).
fn manage_matrix(spare: i64, own: i64, office: i64) -> Vec<(Call, [Outcome; 5])> {
    let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
    let staff_change = [SignIn, Forbidden, Forbidden, Done, Done];
    let staff_create = [SignIn, Forbidden, Forbidden, Done, Invalid];
    const TIER: &[(&str, &str)] =
        &[("code", "matrix"), ("name", "Matrix"), ("annual_dues", "10.00"), ("min_age", "18")];
    const GROUP: &[(&str, &str)] = &[("slug", "matrix"), ("name", "Matrix"), ("description", "")];
    const OFFICE: &[(&str, &str)] =
        &[("email", STAFF), ("chapter_id", "3"), ("title", "Matrix Warden"), ("starts_on", "2026-01-01")];
    // The default: contact and work details.
    const OFFICER_FIELDS: &[(&str, &str)] = &[
        ("fields", "phone"),
        ("fields", "employer"),
        ("fields", "job_title"),
        ("fields", "city"),
        ("fields", "disciplines"),
    ];
    vec![
        (Call::Get("/staff/tiers".into()), staff),
        (Call::Form("/staff/tiers".into(), TIER), staff_create),
        (Call::Get(format!("/staff/tiers/{spare}")), staff),
        (Call::Form(format!("/staff/tiers/{spare}"), &[("name", "Spare"), ("annual_dues", "1")]), staff_change),
        (Call::Form(format!("/staff/tiers/{spare}/delete"), &[]), [SignIn, Forbidden, Forbidden, Done, NotFound]),
        (Call::Get("/staff/groups".into()), staff),
        (Call::Form("/staff/groups".into(), GROUP), staff_create),
        (Call::Get("/staff/groups/1".into()), staff),
        (Call::Form("/staff/groups/1".into(), &[("slug", "women-in-engineering"), ("name", "WiE")]), staff_change),
        (Call::Form(format!("/members/{own}/groups"), &[("group_id", "2")]), staff_change),
        (Call::Form(format!("/members/{own}/groups/2/remove"), &[]), staff_change),
        (Call::Get("/staff/officers".into()), staff),
        (Call::Form("/staff/officers".into(), OFFICE), staff_create),
        (
            Call::Form(format!("/staff/officers/{office}/end"), &[("ends_on", "2030-12-31"), ("confirmed", "yes")]),
            staff_change,
        ),
        (Call::Get("/staff/officer-fields".into()), staff),
        (Call::Form("/staff/officer-fields".into(), OFFICER_FIELDS), staff_change),
    ]
}

/// Household and organisational memberships on `payer`'s page: `number` is a member to
/// link (staff link them; the admin's repeat is refused as already linked), `link` a
/// current link to end (the admin's repeat finds it ended).
fn links_matrix(payer: i64, number: &'static str, link: i64) -> Vec<(Call, [Outcome; 5])> {
    let fields: &'static [(&'static str, &'static str)] =
        Box::leak(vec![("kind", "household"), ("member_number", number)].into_boxed_slice());
    vec![
        (
            Call::Form(
                format!("/members/{payer}/organisation"),
                &[("organisation_name", "Matrix Ltd"), ("seats", "5")],
            ),
            [SignIn, Forbidden, Forbidden, Done, Done],
        ),
        (Call::Form(format!("/members/{payer}/links"), fields), [SignIn, Forbidden, Forbidden, Done, Invalid]),
        (
            Call::Form(format!("/members/{payer}/links/{link}/end"), &[("confirmed", "yes")]),
            [SignIn, Forbidden, Forbidden, Done, NotFound],
        ),
    ]
}

/// (route, anonymous, member, chapter officer, staff, admin)
/// `own` is a member of the officer's chapter, `other` of another chapter.
fn matrix(own: i64, other: i64) -> Vec<(Call, [Outcome; 5])> {
    let page = [SignIn, Ok, Ok, Ok, Ok];
    let staff = [SignIn, Forbidden, Forbidden, Ok, Ok];
    let admin = [SignIn, Forbidden, Forbidden, Forbidden, Ok];
    let api_any = [Unauthorised, Ok, Ok, Ok, Ok];
    let api_staff = [Unauthorised, Forbidden, Forbidden, Ok, Ok];
    let api_admin = [Unauthorised, Forbidden, Forbidden, Forbidden, Ok];
    let public = [Ok; 5];
    let guest_only = [Ok, ToDashboard, ToDashboard, ToDashboard, ToDashboard];
    vec![
        (Call::Get("/".into()), public),
        (Call::Get("/healthz".into()), public),
        (Call::Get("/static/app.css".into()), public),
        (Call::Get("/static/brand.css".into()), public),
        (Call::Get("/password/forgot".into()), public),
        (Call::Get("/sign-in".into()), guest_only),
        (Call::Get("/sign-up".into()), guest_only),
        (Call::Get("/dashboard".into()), page),
        // Joining is for accounts without a member record (the demo member and officer have one).
        (Call::Get("/join".into()), [SignIn, ToDashboard, ToDashboard, Ok, Ok]),
        // The officer holds office in chapter 1 only.
        (Call::Get("/chapters/1".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get("/chapters/2".into()), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get("/staff".into()), staff),
        (Call::Get("/directory".into()), page),
        (Call::Get("/staff/reports".into()), staff),
        (Call::Get("/staff/approvals".into()), staff),
        (Call::Get("/staff/import".into()), staff),
        (Call::Get("/staff/reports/by-chapter.csv".into()), staff),
        (Call::Get("/staff/members".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{own}")), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{other}")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get(format!("/members/{own}/edit")), [SignIn, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/members/{other}/edit")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
        (Call::Get("/staff/audit".into()), staff),
        (Call::Get("/staff/mail".into()), staff),
        (Call::Get("/staff/mail/1".into()), staff),
        (Call::Get("/admin/accounts".into()), admin),
        (Call::Get("/admin/settings".into()), admin),
        (Call::Get("/admin/tokens".into()), admin),
        (Call::Form("/admin/accounts/1/role".into(), &[("role", "member")]), admin),
        // Account 1 has two-factor sign-in off: the administrator is told so.
        (
            Call::Form("/admin/accounts/1/two-factor/reset".into(), &[("confirmed", "yes")]),
            [SignIn, Forbidden, Forbidden, Forbidden, Invalid],
        ),
        (Call::Get("/account/two-factor".into()), page),
        (Call::Get("/privacy".into()), page),
        (Call::Get("/privacy/my-data.zip".into()), page),
        (Call::Get("/privacy/erase".into()), page),
        // Without the confirmation tick the request is refused; terms cannot be given again.
        (Call::Form("/privacy/erase".into(), &[]), [SignIn, Invalid, Invalid, Invalid, Invalid]),
        (Call::Form("/privacy/consents".into(), &[("purpose", "terms")]), [SignIn, Invalid, Invalid, Invalid, Invalid]),
        (Call::Form("/privacy/consents/999999/withdraw".into(), &[]), [SignIn, NotFound, NotFound, NotFound, NotFound]),
        (Call::Get("/staff/erasure-requests".into()), staff),
        (
            Call::Form("/staff/erasure-requests/999999/confirm".into(), &[]),
            [SignIn, Forbidden, Forbidden, NotFound, NotFound],
        ),
        (
            Call::Form("/staff/erasure-requests/999999/decline".into(), &[]),
            [SignIn, Forbidden, Forbidden, NotFound, NotFound],
        ),
        (Call::Get("/sign-in/two-factor".into()), [SignIn; 5]),
        (
            Call::Form(
                "/admin/settings".into(),
                &[("name", "Test Society"), ("tagline", ""), ("primary_colour", "#224466"), ("logo_url", "")],
            ),
            admin,
        ),
        (Call::Form("/admin/tokens".into(), &[("name", "Matrix"), ("role", "member"), ("chapter_id", "")]), admin),
        (Call::Get("/api/openapi.json".into()), public),
        (Call::Get("/api/v1/me".into()), api_any),
        (Call::Get("/api/v1/chapters".into()), api_any),
        (Call::Get("/api/v1/audit-log".into()), api_staff),
        (Call::Get("/api/v1/mail".into()), api_staff),
        (Call::Get("/api/v1/accounts".into()), api_admin),
        // Member search: staff everyone, an officer their chapter (the search narrows to it).
        (Call::Get("/api/v1/members".into()), [Unauthorised, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/api/v1/members/{own}")), [Unauthorised, Forbidden, Ok, Ok, Ok]),
        (Call::Get(format!("/api/v1/members/{other}")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
        // `me`: the caller's own record (the demo staff and administrator have none).
        (Call::Get("/api/v1/members/me".into()), [Unauthorised, Ok, Ok, NotFound, NotFound]),
        (Call::Get("/api/v1/members/me/invoices".into()), [Unauthorised, Ok, Ok, NotFound, NotFound]),
        (Call::Get(format!("/api/v1/members/{other}/payments")), [Unauthorised, Forbidden, Forbidden, Ok, Ok]),
        (
            Call::Json(Method::POST, "/api/v1/members/me/renewal".into(), json!({})),
            [Unauthorised, Ok, Ok, NotFound, NotFound],
        ),
        (Call::Get("/api/v1/tiers".into()), api_any),
        (Call::Get("/api/v1/groups".into()), api_any),
        (Call::Json(Method::PUT, "/api/v1/accounts/1/role".into(), json!({ "role": "member" })), api_admin),
        (Call::Get("/api/v1/approvals".into()), api_staff),
    ]
}

/// A client for each role, in the order of a row's outcomes: anonymous, member, chapter
/// officer, staff, administrator.
pub(crate) async fn role_clients(t: &TestApp) -> Vec<Client> {
    let mut clients = vec![t.client()];
    for email in [MEMBER, OFFICER, STAFF, ADMIN] {
        clients.push(t.signed_in(email).await);
    }
    clients
}

/// Makes every row's call as every role and checks each outcome; other areas' matrices
/// (`api_*.rs`) run through here too.
pub(crate) async fn run_matrix(
    t: &TestApp,
    clients: &mut [Client],
    rows: impl IntoIterator<Item = (Call, [Outcome; 5])>,
) {
    let roles = ["anonymous", "member", "officer", "staff", "admin"];
    for (call, expected) in rows {
        for (i, client) in clients.iter_mut().enumerate() {
            let (label, response) = match &call {
                Call::Get(path) => (format!("GET {path}"), client.get(path).await),
                Call::Form(path, fields) => (format!("POST {path}"), client.post_form(path, fields).await),
                Call::Json(method, path, body) => {
                    (format!("{method} {path}"), client.api(method.clone(), path, Some(body.clone())).await)
                }
                Call::Multipart(path, fields, file) => {
                    (format!("POST {path} (multipart)"), client.post_multipart(path, fields, *file).await)
                }
                Call::Webhook(provider, body, signature) => (
                    format!("POST /payments/webhook/{provider} (signed: {})", signature.is_some()),
                    client.webhook(provider, body, signature.as_deref()).await,
                ),
            };
            assert_eq!(outcome_of(&response), expected[i], "{label} as {} on {:?}", roles[i], t.engine);
            if response.status == StatusCode::FORBIDDEN && !label.contains("/api/") && !label.contains("/webhook/") {
                assert!(response.body.contains("You cannot open this page"), "{label}: a refusal explains itself");
            }
        }
    }
}

fn outcome_of(response: &TestResponse) -> Outcome {
    match response.status {
        // An API create (201), accepted request (202) or delete (204) is its success too.
        StatusCode::OK | StatusCode::CREATED | StatusCode::ACCEPTED | StatusCode::NO_CONTENT => Ok,
        StatusCode::SEE_OTHER if response.location().split('?').next() == Some("/sign-in") => SignIn,
        StatusCode::SEE_OTHER if response.location() == "/dashboard" => ToDashboard,
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::UNAUTHORIZED => Unauthorised,
        StatusCode::SEE_OTHER => Done,
        StatusCode::NOT_FOUND => NotFound,
        StatusCode::UNPROCESSABLE_ENTITY => Invalid,
        StatusCode::CONFLICT => Conflict,
        other => panic!("unexpected {other} (location {:?}): {}", response.location(), response.body),
    }
}

#[tokio::test]
async fn every_role_on_every_route() {
    for t in TestApp::each_engine().await {
        t.store
            .enqueue_mail(
                &guildhall_store::NewMail {
                    to_address: MEMBER.into(),
                    subject: "Hi".into(),
                    body_text: "x".into(),
                    attachment: None,
                },
                0,
            )
            .await
            .unwrap();
        let mut clients = role_clients(&t).await;
        let in_chapter =
            |chapter: i64| guildhall_store::MemberFilter { chapter_id: Some(chapter), ..Default::default() };
        let page = guildhall_store::PageRequest::new(1, 1);
        let own = t.store.search_members(&in_chapter(1), page).await.unwrap().items[0].id;
        let other = t.store.search_members(&in_chapter(2), page).await.unwrap().items[0].id;
        let approved = guildhall_store::MemberFilter { standings: vec![Standing::Approved], ..Default::default() };
        let applicant = t.store.search_members(&approved, page).await.unwrap().items[0].id;
        let open =
            t.store.member_invoices(applicant).await.unwrap().into_iter().find(|i| i.status == InvoiceStatus::Open);
        let open = open.map(|i| (i.id, i.amount_cents)).unwrap();
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let paid = t.store.member_payments(maya.id).await.unwrap().pop().unwrap();
        let licence = t.store.ce_credentials(maya.id).await.unwrap()[0].key();
        let activity = t.store.ce_ledger(maya.id).await.unwrap().activities[0].id;
        let file = guildhall_store::ce::NewCeEvidence {
            file_name: "certificate.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: String::new(),
            content: b"%PDF-1.4 certificate".to_vec(),
            retain_until: t.app.clock.today(),
        };
        let evidence = t.store.add_ce_evidence(maya.id, activity, &file, 0).await.unwrap();
        let spare = guildhall_store::NewTier {
            code: "spare".into(),
            name: "Spare".into(),
            annual_dues_cents: 0,
            requires_approval: false,
            requirements: "[]".into(),
            sort_order: 99,
            never_expires: false,
        };
        let spare = t.store.create_tier(&spare, 0).await.unwrap();
        let office = t.store.list_officer_terms().await.unwrap()[0].id;
        let chapter3 = t.store.search_members(&in_chapter(3), guildhall_store::PageRequest::new(1, 3)).await.unwrap();
        let (to_link, linked) = (&chapter3.items[0], chapter3.items[1].id);
        let to_link: &'static str = Box::leak(to_link.member_number.clone().into_boxed_str());
        let audit = guildhall_store::NewAuditEntry { action: "member.linked".into(), ..Default::default() };
        let today = t.app.clock.today();
        let link = t
            .store
            .add_link((linked, other, LinkKind::Household, today), (Standing::Active, None, today), &audit, 0)
            .await
            .unwrap();
        let rows = matrix(own, other)
            .into_iter()
            .chain(payments_matrix((maya.id, paid.id), open))
            .chain(ce_matrix(maya.id, other, &licence, activity, evidence))
            .chain(manage_matrix(spare, own, office))
            .chain(links_matrix(other, to_link, link));
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test]
async fn api_tokens_act_with_at_most_their_role_and_only_within_their_chapter() {
    for t in TestApp::each_engine().await {
        let admin = t.app.actor_for_session(&sign_in_token(&t, ADMIN).await).await.unwrap().unwrap();
        let member_token = t.app.issue_api_token(&admin, "Newsletter", "member", None, None, "req").await.unwrap();
        let admin_token = t.app.issue_api_token(&admin, "Back office", "admin", None, None, "req").await.unwrap();
        let r = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &member_token.secret, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a member token cannot list accounts even for an admin");
        let r = api_with_token(&t.router, Method::GET, "/api/v1/accounts", &admin_token.secret, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["total"].as_i64().unwrap() >= 4);

        // A staff member cannot mint an admin token.
        let staff = t.app.actor_for_session(&sign_in_token(&t, STAFF).await).await.unwrap().unwrap();
        assert!(t.app.issue_api_token(&staff, "Escalate", "admin", None, None, "req").await.is_err());

        // An officer's token scoped to another chapter carries no office.
        let officer = t.app.actor_for_session(&sign_in_token(&t, OFFICER).await).await.unwrap().unwrap();
        assert_eq!(officer.officer_of, vec![1]);
        let officer_row = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
        for (chapter, offices) in [(Some(1), vec![1]), (Some(2), vec![]), (None, vec![])] {
            let secret = format!("gh_test_{}_{chapter:?}", officer_row.id);
            let audit = t.app.audit_entry(&admin, "api_token.issued", "api_token", "req");
            t.store
                .create_api_token(
                    &guildhall_store::NewApiToken {
                        token_hash: guildhall_app::crypto::hash_token(&secret),
                        name: "Chapter tool".into(),
                        user_id: officer_row.id,
                        role: "member".into(),
                        chapter_id: chapter,
                        expires_at: None,
                        employer_id: None,
                    },
                    0,
                    &audit,
                )
                .await
                .unwrap();
            let me = api_with_token(&t.router, Method::GET, "/api/v1/me", &secret, None).await.json();
            assert_eq!(me["officer_of"], json!(offices), "token scoped to {chapter:?}");
        }

        t.app.revoke_api_token(&admin, admin_token.id, "req").await.unwrap();
        let r = api_with_token(&t.router, Method::GET, "/api/v1/me", &admin_token.secret, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a revoked token stops working");
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
    }
}

async fn sign_in_token(t: &TestApp, email: &str) -> String {
    let client = t.signed_in(email).await;
    client.cookies.get("gh_session").cloned().unwrap()
}
