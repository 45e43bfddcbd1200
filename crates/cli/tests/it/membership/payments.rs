//! Card payments through the provider's webhook, and refunds.

use axum::http::{Method, StatusCode};
use guildhall_app::membership::payments::test_signature;
use guildhall_domain::membership::{InvoiceStatus, Standing, TermState};
use guildhall_store::{InvoiceRecord, MemberFilter, PageRequest};

use crate::harness::*;

/// A member awaiting their first payment, with their open invoice.
async fn approved_member_with_open_invoice(t: &TestApp) -> (i64, InvoiceRecord) {
    let approved = t
        .store
        .search_members(
            &MemberFilter { standings: vec![Standing::Approved], ..Default::default() },
            PageRequest::new(1, 1),
        )
        .await
        .unwrap();
    let member = approved.items[0].id;
    let invoice =
        t.store.member_invoices(member).await.unwrap().into_iter().find(|i| i.status == InvoiceStatus::Open).unwrap();
    (member, invoice)
}

fn event(id: &str, kind: &str, invoice: i64, amount: i64, reference: &str) -> String {
    serde_json::json!({ "id": id, "type": kind, "invoice_id": invoice, "amount_cents": amount, "reference": reference })
        .to_string()
}

fn sign(body: &str) -> String {
    test_signature(WEBHOOK_SECRET, body.as_bytes())
}

#[tokio::test]
async fn a_signed_webhook_event_pays_the_invoice_once_and_a_replay_changes_nothing() {
    for t in TestApp::each_engine().await {
        let (member, invoice) = approved_member_with_open_invoice(&t).await;
        let mut provider = t.client();
        let body = event("evt_100", "payment.succeeded", invoice.id, invoice.amount_cents, "ch_100");
        let r = provider.webhook("test", &body, Some(&sign(&body))).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}: {}", t.engine, r.body);
        assert_eq!(r.json()["status"], "settled");
        let after = t.store.member_by_id(member).await.unwrap().unwrap();
        assert!(matches!(after.standing, Standing::Active | Standing::RenewalDue), "{}", after.standing);
        assert!(after.expires_on.is_some(), "the paid term gives an expiry");
        assert_eq!(t.store.invoice_by_id(invoice.id).await.unwrap().unwrap().status, InvoiceStatus::Paid);
        let payments = t.store.invoice_payments(invoice.id).await.unwrap();
        assert_eq!(payments.len(), 1);
        assert_eq!(
            (payments[0].method.as_str(), payments[0].provider_ref.as_deref(), payments[0].amount_cents),
            ("card", Some("test:ch_100"), invoice.amount_cents)
        );

        // The provider retries (or an attacker replays): 200, nothing changes.
        for _ in 0..2 {
            let again = provider.webhook("test", &body, Some(&sign(&body))).await;
            assert_eq!((again.status, again.json()["status"].as_str()), (StatusCode::OK, Some("duplicate")));
        }
        assert_eq!(t.store.invoice_payments(invoice.id).await.unwrap().len(), 1, "paid once");
        assert_eq!(t.store.member_by_id(member).await.unwrap().unwrap(), after, "the member is as before");

        // A different event for the now-paid invoice is refused: nothing to settle.
        let other = event("evt_101", "payment.succeeded", invoice.id, invoice.amount_cents, "ch_101");
        let r = provider.webhook("test", &other, Some(&sign(&other))).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "conflict");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("not open"));
        assert_eq!(t.store.invoice_payments(invoice.id).await.unwrap().len(), 1);
        assert!(t.store.payment_event("test", "evt_101").await.unwrap().is_none(), "a refused event is not kept");
        let recorded = t.store.payment_event("test", "evt_100").await.unwrap().unwrap();
        assert_eq!((recorded.invoice_id, recorded.outcome.as_str()), (Some(invoice.id), "succeeded"));
    }
}

#[tokio::test]
async fn webhook_requests_that_cannot_be_trusted_or_used_get_a_json_4xx_and_change_nothing() {
    for t in TestApp::each_engine().await {
        let (member, invoice) = approved_member_with_open_invoice(&t).await;
        let before = t.store.member_by_id(member).await.unwrap().unwrap();
        let mut provider = t.client();
        let good = event("evt_200", "payment.succeeded", invoice.id, invoice.amount_cents, "ch_200");
        let forged = sign(&good.replace("evt_200", "evt_x"));
        let wrong_amount = event("evt_201", "payment.succeeded", invoice.id, invoice.amount_cents - 1, "ch_201");
        let no_invoice = event("evt_202", "payment.succeeded", 9_999_999, invoice.amount_cents, "ch_202");
        let unknown_type = event("evt_203", "payment.disputed", invoice.id, invoice.amount_cents, "ch_203");
        let cases: Vec<(&str, String, Option<String>, StatusCode, &str)> = vec![
            ("test", good.clone(), None, StatusCode::FORBIDDEN, "signature is missing or does not match"),
            ("test", good.clone(), Some(forged), StatusCode::FORBIDDEN, "does not match"),
            ("test", good.clone(), Some("sha256=00".into()), StatusCode::FORBIDDEN, "does not match"),
            ("acme", good.clone(), Some(sign(&good)), StatusCode::NOT_FOUND, "no payment provider called \"acme\""),
            (
                "test",
                "{not json".into(),
                Some(sign("{not json")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "could not be read",
            ),
            (
                "test",
                unknown_type.clone(),
                Some(sign(&unknown_type)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unknown event",
            ),
            (
                "test",
                wrong_amount.clone(),
                Some(sign(&wrong_amount)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "does not match",
            ),
            ("test", no_invoice.clone(), Some(sign(&no_invoice)), StatusCode::NOT_FOUND, "no invoice #9999999"),
        ];
        for (provider_name, body, signature, status, message) in cases {
            let r = provider.webhook(provider_name, &body, signature.as_deref()).await;
            assert_eq!(r.status, status, "{body} on {:?}: {}", t.engine, r.body);
            assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"), "{}", r.body);
            let text = r.json()["error"]["message"].as_str().unwrap().to_string();
            assert!(text.contains(message), "{text:?} should say {message:?}");
        }
        // Too large a body is refused before anything reads it, still as JSON.
        let huge = format!("{{\"id\":\"{}\"}}", "x".repeat(70 * 1024));
        let r = provider.webhook("test", &huge, Some(&sign(&huge))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json()["error"]["code"], "invalid_input");

        // A failed payment is noted once and changes nothing else.
        let failed = event("evt_204", "payment.failed", invoice.id, invoice.amount_cents, "ch_204");
        let r = provider.webhook("test", &failed, Some(&sign(&failed))).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("failure_recorded")));
        let r = provider.webhook("test", &failed, Some(&sign(&failed))).await;
        assert_eq!(r.json()["status"], "duplicate");

        assert_eq!(t.store.invoice_by_id(invoice.id).await.unwrap().unwrap().status, InvoiceStatus::Open);
        assert!(t.store.invoice_payments(invoice.id).await.unwrap().is_empty());
        assert_eq!(t.store.member_by_id(member).await.unwrap().unwrap(), before);
        // Afterwards the genuine event still works.
        let r = provider.webhook("test", &good, Some(&sign(&good))).await;
        assert_eq!(r.json()["status"], "settled", "{}", r.body);
    }
}

#[tokio::test]
async fn without_a_configured_secret_the_webhook_accepts_nothing() {
    for db in guildhall_store::testing::TestDatabase::each_engine().await.unwrap() {
        let t = TestApp::on(db, guildhall_app::Settings::default()).await;
        let (_, invoice) = approved_member_with_open_invoice(&t).await;
        let body = event("evt_300", "payment.succeeded", invoice.id, invoice.amount_cents, "ch_300");
        for signature in [test_signature("", body.as_bytes()), sign(&body)] {
            let r = t.client().webhook("test", &body, Some(&signature)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        assert_eq!(t.store.invoice_by_id(invoice.id).await.unwrap().unwrap().status, InvoiceStatus::Open);
    }
}

#[tokio::test]
async fn staff_refund_part_or_all_of_a_payment_with_a_reason_and_each_refund_is_audited() {
    for t in TestApp::each_engine().await {
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let payment = t.store.member_payments(maya.id).await.unwrap().pop().expect("Maya has paid before");
        let full = payment.amount_cents;
        let path = format!("/members/{}/payments/{}/refunds", maya.id, payment.id);
        let mut staff = t.signed_in(STAFF).await;
        let page = staff.get(&format!("/members/{}", maya.id)).await.body;
        assert!(page.contains("Payments and refunds") && page.contains(&format!("Refund payment #{}", payment.id)));

        // Officers see the payments of their chapter's members but cannot refund them.
        let mut officer = t.signed_in(OFFICER).await;
        let officer_page = officer.get(&format!("/members/{}", maya.id)).await.body;
        assert!(officer_page.contains("Payments and refunds") && !officer_page.contains("Refund payment #"));
        let r = officer.post_form(&path, &[("amount", "1"), ("method", "cash"), ("reason", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut member = t.signed_in(MEMBER).await;
        assert_eq!(
            member.post_form(&path, &[("amount", "1"), ("method", "cash"), ("reason", "x")]).await.status,
            StatusCode::FORBIDDEN
        );

        let too_much = format!("{}.01", full / 100);
        for (fields, messages) in [
            (
                vec![("amount", too_much.as_str()), ("method", "card"), ("reason", "Duplicate charge")],
                vec!["You can refund at most"],
            ),
            (vec![("amount", "10"), ("method", "card"), ("reason", "  ")], vec!["Give the reason for the refund."]),
            (
                vec![("amount", "ten"), ("method", "bitcoin"), ("reason", "")],
                vec!["is not an amount", "Choose how the money is returned", "Give the reason", "3 fields"],
            ),
            (vec![("amount", "0"), ("method", "card"), ("reason", "x")], vec!["above zero"]),
        ] {
            let fields: Vec<(&str, &str)> = fields.into_iter().chain([("confirmed", "yes")]).collect();
            let r = staff.post_form(&path, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            for message in messages {
                assert!(r.body.contains(message), "{fields:?}: {message}");
            }
            assert!(r.body.contains("There is a problem") && r.body.contains("<details open>"), "form shown again");
        }
        assert_eq!(t.store.payment_by_id(payment.id).await.unwrap().unwrap().refunded_cents, 0, "nothing changed");

        // A partial refund keeps the term.
        let reason = "Goodwill <script>alert(1)</script>";
        let r = staff
            .post_form(&path, &[("amount", "10.00"), ("method", "card"), ("reason", reason), ("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("The refund was recorded.") && r.body.contains("Goodwill &#60;script&#62;"));
        assert!(!r.body.contains("<script>alert"), "the reason is shown as text");
        assert_eq!(t.store.payment_by_id(payment.id).await.unwrap().unwrap().refunded_cents, 1_000);
        assert_eq!(t.store.member_by_id(maya.id).await.unwrap().unwrap().standing, maya.standing, "term kept");

        // The rest, ending the term: the member's standing follows the term history.
        let rest = full - 1_000;
        let rest_text = format!("{}.{:02}", rest / 100, rest % 100);
        let r = staff
            .post_form(
                &path,
                &[
                    ("amount", &rest_text),
                    ("method", "card"),
                    ("reason", "Resigned"),
                    ("end_term", "1"),
                    ("confirmed", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let refunded = t.store.payment_by_id(payment.id).await.unwrap().unwrap();
        assert_eq!(refunded.refunded_cents, full);
        let invoice = t.store.invoice_by_id(payment.invoice_id).await.unwrap().unwrap();
        let term = t.store.member_terms(maya.id).await.unwrap().into_iter().find(|x| Some(x.id) == invoice.term_id);
        let term = term.unwrap();
        assert_eq!((term.status, term.cancelled_on), (TermState::Cancelled, Some(t.app.clock.today())));
        let after = t.store.member_by_id(maya.id).await.unwrap().unwrap();
        assert_eq!(after.standing, Standing::Cancelled, "{:?}", t.engine);
        let page = staff.get(&format!("/members/{}", maya.id)).await.body;
        assert!(page.contains("Refunded in full") && page.contains("Ended"));

        let r = staff
            .post_form(&path, &[("amount", "1"), ("method", "card"), ("reason", "Again"), ("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("refunded in full already"));
        let elsewhere = format!("/members/{}/payments/{}/refunds", maya.id + 1, payment.id);
        let r = staff
            .post_form(&elsewhere, &[("amount", "1"), ("method", "card"), ("reason", "x"), ("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "a payment is refunded only through its own member");

        let log = staff.api(Method::GET, "/api/v1/audit-log?action=payment.refunded", None).await.json();
        assert_eq!(log["total"], 2, "each refund audited; refusals are not");
        let last = &log["items"][0];
        assert_eq!(last["before"]["refunded_cents"], 1_000);
        assert_eq!(last["before"]["term_status"], "paid");
        assert_eq!(last["after"]["refunded_cents"], full);
        assert_eq!(
            (last["after"]["reason"].as_str(), last["after"]["ended_term"].as_bool()),
            (Some("Resigned"), Some(true))
        );
        assert_eq!(last["after"]["standing"], "cancelled");
        assert_eq!(log["items"][1]["after"]["ended_term"], false);
    }
}
