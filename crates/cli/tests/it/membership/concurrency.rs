//! Money and renewals under concurrency: many requests at once, on both engines, and the
//! database's own guarantee (a conditional update, a partial unique index) is what holds.

use axum::http::StatusCode;
use guildhall_domain::membership::{InvoiceStatus, TermState};
use guildhall_store::records::{NewInvoice, NewPayment, NewTerm};
use tokio::task::JoinSet;

use crate::harness::*;

/// Sends the same form from `n` copies of a signed-in client at once.
async fn all_at_once(client: &Client, path: &str, n: usize) -> Vec<TestResponse> {
    let mut set = JoinSet::new();
    for _ in 0..n {
        let mut client = client.clone();
        let path = path.to_string();
        set.spawn(async move { client.post_form(&path, &[]).await });
    }
    set.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_payments_of_one_invoice_at_once_record_one_payment() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let pay_path = maya.post_form("/membership/renew", &[]).await.location().to_string();
        let invoice_id: i64 = pay_path.trim_start_matches("/invoices/").trim_end_matches("/pay").parse().unwrap();

        let answers = all_at_once(&maya, &pay_path, 50).await;
        let paid = answers.iter().filter(|r| r.location() == "/dashboard?renewed=1").count();
        assert_eq!(paid, 1, "one of fifty payments goes through on {:?}", t.engine);
        for r in answers.iter().filter(|r| r.location() != "/dashboard?renewed=1") {
            assert!(r.status.is_client_error(), "the others are refused, not failed: {} {}", r.status, r.body);
            assert!(r.body.contains("already been paid") || r.body.contains("not open"), "{}", r.body);
        }
        let payments = t.store.invoice_payments(invoice_id).await.unwrap();
        assert_eq!(payments.len(), 1, "one payment recorded on {:?}", t.engine);
        let invoice = t.store.invoice_by_id(invoice_id).await.unwrap().unwrap();
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert_eq!(payments[0].amount_cents, invoice.amount_cents, "charged once, the invoice's amount");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_renewals_at_once_raise_one_open_invoice() {
    for t in TestApp::each_engine().await {
        let maya = t.signed_in(MEMBER).await;
        let answers = all_at_once(&maya, "/membership/renew", 20).await;
        let first = answers[0].location().to_string();
        assert!(first.starts_with("/invoices/"), "{:?}", answers[0]);
        for r in &answers {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(r.location(), first, "every request is sent to the same invoice on {:?}", t.engine);
        }
        let me = t.store.member_by_user(1).await.unwrap().unwrap();
        let awaiting = t
            .store
            .member_terms(me.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|term| term.status == TermState::AwaitingPayment)
            .count();
        assert_eq!(awaiting, 1, "one term awaiting payment on {:?}", t.engine);
        let open = t.store.member_invoices(me.id).await.unwrap();
        assert_eq!(open.iter().filter(|i| i.status == InvoiceStatus::Open).count(), 1, "one open invoice");
    }
}

#[tokio::test]
async fn a_member_whose_terms_overlap_does_not_stop_the_standing_refresh_of_the_others() {
    for t in TestApp::each_engine().await {
        // Member 3 (by id) gets a second paid term overlapping the first, written
        // directly: the kind of record an old import or a past bug leaves behind.
        let broken = t.store.member_by_id(3).await.unwrap().expect("member 3");
        let last = t.store.member_terms(broken.id).await.unwrap().into_iter().last().expect("a term");
        let today = t.app.clock.today();
        let term = NewTerm {
            tier_id: last.tier_id,
            starts_on: last.starts_on + time::Duration::days(30),
            ends_on: last.ends_on + time::Duration::days(30),
            applied_on: today,
            status: TermState::AwaitingPayment,
            approved_on: None,
            paid_on: None,
            cancelled_on: None,
            rejected_on: None,
        };
        let invoice = NewInvoice {
            description: "overlapping".into(),
            amount_cents: 100,
            status: InvoiceStatus::Open,
            issued_on: today,
            due_on: today,
            paid_on: None,
        };
        let (_, invoice_id) = t.store.create_renewal(broken.id, &term, &invoice, 0).await.unwrap();
        let payment = NewPayment {
            amount_cents: 100,
            method: "cheque".into(),
            reference: "x".into(),
            provider_ref: None,
            received_on: today,
            recorded_by: None,
        };
        let standing = (broken.standing, broken.expires_on, today);
        t.store.settle_invoice(invoice_id, &payment, standing, None, 0).await.unwrap();

        t.app.clock.advance(86_400);
        let report = t.app.refresh_standings().await.unwrap();
        let total = t.store.count_members().await.unwrap() as usize;
        assert_eq!(report.failed, 1, "the broken member is counted on {:?}", t.engine);
        assert_eq!(report.refreshed, total - 1, "everyone else is refreshed");
        let tomorrow = t.app.clock.today();
        let last_member = t.store.member_by_id(total as i64).await.unwrap().expect("the last member");
        assert_eq!(last_member.standing_on, tomorrow, "members after the broken one are refreshed too");
        assert!(t.store.member_by_id(broken.id).await.unwrap().unwrap().standing_on < tomorrow);
    }
}
