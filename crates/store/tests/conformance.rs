#![allow(clippy::unwrap_used)]
//! The storage conformance suite: every test runs on SQLite and, when reachable, on
//! PostgreSQL, and asserts the same behaviour on both.

use guildhall_domain::membership::{InvoiceStatus, LinkKind, Standing, TermState};
use guildhall_store::copy::{SCRATCH_TABLES, TABLES};
use guildhall_store::testing::TestDatabase;
use guildhall_store::*;
use time::macros::date;

fn user(email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: "Ada Lovelace".into(),
        password_hash: "$argon2id$dummy".into(),
        role: "member".into(),
        email_verified_at: None,
    }
}

fn mail(to: &str, subject: &str) -> NewMail {
    NewMail { to_address: to.into(), subject: subject.into(), body_text: "Hello".into(), attachment: None }
}

fn audit(action: &str, at: i64, actor: Option<i64>) -> NewAuditEntry {
    NewAuditEntry {
        occurred_at: at,
        actor_user_id: actor,
        actor_label: "Staff <staff@example.org>".into(),
        action: action.into(),
        subject_kind: "account".into(),
        subject_id: Some(1),
        subject_label: "Ada".into(),
        before_json: Some(r#"{"role":"member"}"#.into()),
        after_json: Some(r#"{"role":"staff"}"#.into()),
        request_id: "req-1".into(),
        ..Default::default()
    }
}

/// The user of a live session, as the request layer resolves it.
async fn session(s: &Store, token_hash: &str, now: i64) -> Option<UserRecord> {
    s.session_user_with_offices(token_hash, now, date!(2026 - 06 - 01), NO_IDLE_LIMIT)
        .await
        .unwrap()
        .map(|(user, _)| user)
}

/// Sessions that never end for being idle.
const NO_IDLE_LIMIT: guildhall_store::IdleCutoff = guildhall_store::IdleCutoff { member: i64::MIN, staff: i64::MIN };

#[tokio::test]
async fn accounts_are_unique_by_email_and_found_by_email_and_id() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let id = s.create_user(&user("ada@example.org"), None, None, 1_000).await.unwrap();
        let err = s.create_user(&user("ada@example.org"), None, None, 1_001).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{:?}: {err:?}", db.kind());
        let by_email = s.user_by_email("ada@example.org").await.unwrap().unwrap();
        assert_eq!(by_email.id, id);
        assert_eq!(by_email.created_at, 1_000);
        assert_eq!(s.user_by_id(id).await.unwrap().unwrap(), by_email);
        assert!(s.user_by_email("nobody@example.org").await.unwrap().is_none());
        assert_eq!(s.count_users().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn sign_up_writes_account_token_and_mail_together() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let token = NewEmailToken {
            token_hash: "h1".into(),
            user_id: 0,
            purpose: "verify_email".into(),
            created_at: 100,
            expires_at: 200,
            event_id: None,
        };
        let id = s
            .create_user(&user("b@example.org"), Some(&token), Some(&mail("b@example.org", "Confirm")), 100)
            .await
            .unwrap();
        assert_eq!(s.list_mail(Some("b@example.org"), PageRequest::default()).await.unwrap().total, 1);
        // A token works once, only for its purpose, only before it expires.
        assert_eq!(s.consume_email_token("h1", "reset_password", 150).await.unwrap(), None);
        assert_eq!(s.consume_email_token("h1", "verify_email", 150).await.unwrap(), Some(id));
        assert_eq!(s.consume_email_token("h1", "verify_email", 151).await.unwrap(), None);

        // A failed sign-up (duplicate address) leaves no token and no mail behind.
        let token2 = NewEmailToken { token_hash: "h2".into(), ..token.clone() };
        assert!(
            s.create_user(&user("b@example.org"), Some(&token2), Some(&mail("b@example.org", "Again")), 300)
                .await
                .is_err()
        );
        assert_eq!(s.list_mail(Some("b@example.org"), PageRequest::default()).await.unwrap().total, 1);
        assert_eq!(s.consume_email_token("h2", "verify_email", 301).await.unwrap(), None);

        let expired = NewEmailToken { token_hash: "h3".into(), user_id: id, expires_at: 500, ..token };
        s.issue_email_token(&expired, &mail("b@example.org", "Again"), 400).await.unwrap();
        assert_eq!(s.consume_email_token("h3", "verify_email", 500).await.unwrap(), None, "expired exactly at expiry");
    }
}

#[tokio::test]
async fn sessions_expire_and_a_password_reset_ends_them_all() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let id = s.create_user(&user("c@example.org"), None, None, 0).await.unwrap();
        for (hash, expires) in [("s1", 1_000), ("s2", 5_000)] {
            s.create_session(&NewSession {
                token_hash: hash.into(),
                user_id: id,
                created_at: 0,
                expires_at: expires,
                ip: "127.0.0.1".into(),
                user_agent: "test".into(),
            })
            .await
            .unwrap();
        }
        assert_eq!(session(s, "s1", 999).await.map(|u| u.id), Some(id));
        assert!(session(s, "s1", 1_000).await.is_none(), "expired session refused");
        assert!(session(s, "s2", 1_000).await.is_some());
        s.delete_session("s2").await.unwrap();
        assert!(session(s, "s2", 1_000).await.is_none(), "signed out");

        s.create_session(&NewSession {
            token_hash: "s3".into(),
            user_id: id,
            created_at: 0,
            expires_at: 9_000,
            ip: String::new(),
            user_agent: String::new(),
        })
        .await
        .unwrap();
        let reset = NewEmailToken {
            token_hash: "r1".into(),
            user_id: id,
            purpose: "reset_password".into(),
            created_at: 100,
            expires_at: 2_000,
            event_id: None,
        };
        s.issue_email_token(&reset, &mail("c@example.org", "Reset"), 100).await.unwrap();
        assert_eq!(s.reset_password("r1", "new-hash", 200).await.unwrap(), Some(id));
        assert_eq!(s.user_by_id(id).await.unwrap().unwrap().password_hash, "new-hash");
        assert!(session(s, "s3", 300).await.is_none(), "reset ends every session");
        assert_eq!(s.reset_password("r1", "again", 300).await.unwrap(), None, "reset link works once");
        assert!(s.purge_expired(10_000).await.unwrap() > 0);
    }
}

#[tokio::test]
async fn failed_sign_ins_are_counted_per_account_since_the_last_success_and_per_address() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        for t in 1..=3 {
            s.record_sign_in_attempt("d@example.org", "10.0.0.1", false, 100 + t).await.unwrap();
        }
        s.record_sign_in_attempt("e@example.org", "10.0.0.1", false, 105).await.unwrap();
        assert_eq!(s.failed_sign_ins_since("d@example.org", "10.0.0.1", 0).await.unwrap(), (3, 4));
        assert_eq!(s.failed_sign_ins_since("d@example.org", "10.0.0.1", 102).await.unwrap(), (1, 2), "window");
        s.record_sign_in_attempt("d@example.org", "10.0.0.1", true, 110).await.unwrap();
        s.record_sign_in_attempt("d@example.org", "10.0.0.1", false, 111).await.unwrap();
        assert_eq!(s.failed_sign_ins_since("d@example.org", "10.0.0.2", 0).await.unwrap(), (1, 0));
    }
}

#[tokio::test]
async fn mail_is_leased_once_retried_with_backoff_and_never_lost() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let a = s.enqueue_mail(&mail("a@example.org", "A"), 100).await.unwrap();
        let b = s.enqueue_mail(&mail("b@example.org", "B"), 100).await.unwrap();
        let claimed = s.claim_due_mail(100, 60, 10).await.unwrap();
        assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a, b]);
        assert!(s.claim_due_mail(120, 60, 10).await.unwrap().is_empty(), "leased mail is not claimed twice");

        s.mark_mail_sent(a, "mailbox", 121).await.unwrap();
        s.mark_mail_failed(b, "relay refused", Some(400)).await.unwrap();
        assert!(s.claim_due_mail(300, 60, 10).await.unwrap().is_empty(), "retry waits for its time");
        let retry = s.claim_due_mail(400, 60, 10).await.unwrap();
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].attempts, 1);
        assert_eq!(retry[0].last_error.as_deref(), Some("relay refused"));
        s.mark_mail_failed(b, "still refused", None).await.unwrap();
        assert!(s.claim_due_mail(10_000, 60, 10).await.unwrap().is_empty());

        let failed = s.mail_by_id(b).await.unwrap().unwrap();
        assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 2), "kept, marked failed");
        let sent = s.mail_by_id(a).await.unwrap().unwrap();
        assert_eq!(
            (sent.status.as_str(), sent.transport.as_deref(), sent.sent_at),
            ("sent", Some("mailbox"), Some(121))
        );
        let page = s.list_mail(None, PageRequest::new(1, 1)).await.unwrap();
        assert_eq!((page.total, page.items[0].id, page.page_count()), (2, b, 2), "newest first, paged");
        // An expired lease is claimable again.
        let c = s.enqueue_mail(&mail("c@example.org", "C"), 500).await.unwrap();
        assert_eq!(s.claim_due_mail(500, 60, 10).await.unwrap()[0].id, c);
        assert_eq!(s.claim_due_mail(561, 60, 10).await.unwrap()[0].id, c);
    }
}

#[tokio::test]
async fn audit_log_filters_orders_and_pages() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let staff = s.create_user(&user("staff@example.org"), None, None, 0).await.unwrap();
        for (i, action) in
            ["account.role_changed", "society.settings_changed", "account.role_changed"].iter().enumerate()
        {
            s.record_audit(&audit(action, 1_000 + i as i64, Some(staff))).await.unwrap();
        }
        let all = s.list_audit(&AuditFilter::default(), PageRequest::default()).await.unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(all.items[0].occurred_at, 1_002, "newest first");
        assert_eq!(all.items[0].before_json.as_deref(), Some(r#"{"role":"member"}"#));
        let roles = AuditFilter { action: Some("account.role_changed".into()), ..Default::default() };
        assert_eq!(s.list_audit(&roles, PageRequest::default()).await.unwrap().total, 2);
        let window = AuditFilter { from: Some(1_001), until: Some(1_002), ..Default::default() };
        let page = s.list_audit(&window, PageRequest::default()).await.unwrap();
        assert_eq!(page.items.iter().map(|e| e.occurred_at).collect::<Vec<_>>(), vec![1_001]);
        let by_actor = AuditFilter { actor_user_id: Some(staff + 100), ..Default::default() };
        assert_eq!(s.list_audit(&by_actor, PageRequest::default()).await.unwrap().total, 0);
        let second = s.list_audit(&AuditFilter::default(), PageRequest::new(2, 2)).await.unwrap();
        assert_eq!((second.items.len(), second.items[0].occurred_at), (1, 1_000));
        assert_eq!(s.audit_actions().await.unwrap(), vec!["account.role_changed", "society.settings_changed"]);

        // A role change and its audit entry commit together.
        s.set_user_role(staff, "admin", &audit("account.role_changed", 2_000, Some(staff))).await.unwrap();
        assert_eq!(s.user_by_id(staff).await.unwrap().unwrap().role, "admin");
        assert!(matches!(s.set_user_role(staff + 99, "admin", &audit("x", 1, None)).await, Err(StoreError::NotFound)));
        assert_eq!(
            s.list_audit(&AuditFilter::default(), PageRequest::default()).await.unwrap().total,
            4,
            "no entry for a failed change"
        );
    }
}

#[tokio::test]
async fn settings_chapters_officers_and_api_tokens() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        s.save_society_settings(&[("name".into(), "Old".into())], None).await.unwrap();
        s.save_society_settings(&[("name".into(), "New".into()), ("primary_colour".into(), "#123456".into())], None)
            .await
            .unwrap();
        let settings = s.society_settings().await.unwrap();
        assert_eq!(settings.get("name").map(String::as_str), Some("New"));
        assert_eq!(settings.len(), 2);

        let chapter = NewChapter {
            slug: "capital".into(),
            name: "Capital Chapter".into(),
            kind: "chapter".into(),
            region: "Capital".into(),
            dues_supplement_cents: 1500,
        };
        let capital = s.create_chapter(&chapter, 0).await.unwrap();
        assert!(matches!(s.create_chapter(&chapter, 0).await, Err(StoreError::Conflict { .. })), "slug is unique");
        let officer = s.create_user(&user("officer@example.org"), None, None, 0).await.unwrap();
        s.add_officer_term(
            &NewOfficerTerm {
                user_id: officer,
                chapter_id: capital,
                title: "President".into(),
                starts_on: date!(2026 - 01 - 01),
                ends_on: Some(date!(2026 - 12 - 31)),
            },
            0,
        )
        .await
        .unwrap();
        assert_eq!(s.officer_terms_on(officer, date!(2025 - 12 - 31)).await.unwrap().len(), 0);
        assert_eq!(s.officer_terms_on(officer, date!(2026 - 01 - 01)).await.unwrap()[0].chapter_id, capital);
        assert_eq!(s.officer_terms_on(officer, date!(2026 - 12 - 31)).await.unwrap().len(), 1, "last day counts");
        assert_eq!(s.officer_terms_on(officer, date!(2027 - 01 - 01)).await.unwrap().len(), 0);
        s.create_session(&NewSession {
            token_hash: "officer-session".into(),
            user_id: officer,
            created_at: 0,
            expires_at: 10_000,
            ip: String::new(),
            user_agent: String::new(),
        })
        .await
        .unwrap();
        for (today, offices) in [(date!(2026 - 06 - 01), vec![capital]), (date!(2027 - 01 - 01), vec![])] {
            let (user, held) =
                s.session_user_with_offices("officer-session", 5_000, today, NO_IDLE_LIMIT).await.unwrap().unwrap();
            assert_eq!((user.id, held), (officer, offices), "{today}: the session carries today's offices");
        }
        assert_eq!(
            s.chapter_officers(capital, date!(2026 - 06 - 01)).await.unwrap(),
            vec![("President".to_string(), "Ada Lovelace".to_string())]
        );

        let token = NewApiToken {
            token_hash: "t1".into(),
            name: "Reporting".into(),
            user_id: officer,
            role: "member".into(),
            chapter_id: Some(capital),
            expires_at: Some(5_000),
            employer_id: None,
        };
        let id = s.create_api_token(&token, 100, &audit("api_token.issued", 100, Some(officer))).await.unwrap();
        assert_eq!(s.api_token("t1", 4_999).await.unwrap().map(|(t, u)| (t.id, u.id)), Some((id, officer)));
        assert!(s.api_token("t1", 5_000).await.unwrap().is_none(), "expired");
        s.revoke_api_token(id, None, 200, &audit("api_token.revoked", 200, Some(officer))).await.unwrap();
        assert!(s.api_token("t1", 300).await.unwrap().is_none(), "revoked");
        assert!(matches!(s.revoke_api_token(id, None, 201, &audit("x", 1, None)).await, Err(StoreError::NotFound)));
    }
}

#[tokio::test]
async fn both_engines_have_the_catalogued_schema() {
    let mut expected: Vec<(String, Vec<String>)> = TABLES
        .iter()
        .chain(SCRATCH_TABLES)
        .map(|t| {
            let mut columns: Vec<String> = t.columns.iter().map(|(c, _)| c.to_string()).collect();
            columns.sort();
            (t.name.to_string(), columns)
        })
        .collect();
    expected.sort();
    for db in TestDatabase::each_engine().await.unwrap() {
        assert_eq!(
            db.store.schema_columns().await.unwrap(),
            expected,
            "{:?} schema differs from the table catalogue in copy.rs (add new tables and columns there)",
            db.kind()
        );
        assert_eq!(
            db.store.applied_migrations().await.unwrap(),
            embedded_migrations(db.kind()).iter().map(|m| m.version).collect::<Vec<_>>()
        );
    }
}

async fn fill(s: &Store) {
    let id = s.create_user(&user("f@example.org"), None, None, 10).await.unwrap();
    s.create_user(
        &NewUser { email_verified_at: Some(12), role: "admin".into(), ..user("g@example.org") },
        Some(&NewEmailToken {
            token_hash: "tok".into(),
            user_id: 0,
            purpose: "verify_email".into(),
            created_at: 1,
            expires_at: 2,
            event_id: None,
        }),
        Some(&mail("g@example.org", "Welcome — ünïcode ✓")),
        11,
    )
    .await
    .unwrap();
    let chapter = s
        .create_chapter(
            &NewChapter {
                slug: "x".into(),
                name: "X".into(),
                kind: "chapter".into(),
                region: String::new(),
                dues_supplement_cents: 7,
            },
            0,
        )
        .await
        .unwrap();
    s.add_officer_term(
        &NewOfficerTerm {
            user_id: id,
            chapter_id: chapter,
            title: "Chair".into(),
            starts_on: date!(2024 - 02 - 29),
            ends_on: None,
        },
        0,
    )
    .await
    .unwrap();
    s.record_sign_in_attempt("f@example.org", "::1", true, 20).await.unwrap();
    s.record_audit(&audit("account.role_changed", 30, Some(id))).await.unwrap();
    s.save_society_settings(&[("name".into(), "Copy Society".into())], None).await.unwrap();
    s.create_session(&NewSession {
        token_hash: "sess".into(),
        user_id: id,
        created_at: 1,
        expires_at: 99,
        ip: "::1".into(),
        user_agent: "ua".into(),
    })
    .await
    .unwrap();
    let t = NewApiToken {
        token_hash: "api".into(),
        name: "n".into(),
        user_id: id,
        role: "member".into(),
        chapter_id: None,
        expires_at: None,
        employer_id: None,
    };
    s.create_api_token(&t, 5, &audit("api_token.issued", 5, Some(id))).await.unwrap();
    // Membership and payments: a payment event, a partial refund (refunded_cents, ended_term).
    let (_, _, payment, open) = member_with_payment(s, "copy@example.org").await;
    let event = NewPaymentEvent {
        provider: "test".into(),
        event_id: "evt_copy".into(),
        invoice_id: Some(open),
        amount_cents: 10_000,
        outcome: "failed".into(),
    };
    s.record_payment_event(&event, None, 8).await.unwrap();
    s.record_refund(&refund(payment, 2_500), None, &audit("payment.refunded", 9, Some(id)), 9).await.unwrap();
    // Household and organisational memberships: an organisation and an ended link.
    let (payer, ..) = member_with_payment(s, "payer@example.org").await;
    let (person, ..) = member_with_payment(s, "person@example.org").await;
    s.save_organisation(payer, "Acme Engineering", 3, &audit("organisation.saved", 10, None), 10).await.unwrap();
    let link = s
        .add_link(
            (person, payer, LinkKind::Employee, date!(2024 - 02 - 29)),
            (Standing::Active, None, date!(2024 - 02 - 29)),
            &audit("member.linked", 11, None),
            11,
        )
        .await
        .unwrap();
    s.end_link(
        link,
        date!(2025 - 06 - 30),
        (Standing::Lapsed, None, date!(2025 - 07 - 01)),
        &audit("member.unlinked", 12, None),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn db_copy_round_trips_every_table_between_engines() {
    let source = TestDatabase::sqlite().await.unwrap();
    fill(&source.store).await;
    let Some(pg) = TestDatabase::postgres().await.unwrap() else { return };
    let report = source.store.copy_into(&pg.store).await.unwrap();
    assert_eq!(report.iter().find(|(t, _)| *t == "users").map(|r| r.1), Some(2));
    let back = TestDatabase::sqlite().await.unwrap();
    pg.store.copy_into(&back.store).await.unwrap();
    for spec in TABLES {
        let original = source.store.table_rows(spec).await.unwrap();
        assert_eq!(pg.store.table_rows(spec).await.unwrap(), original, "{} differs on PostgreSQL", spec.name);
        assert_eq!(back.store.table_rows(spec).await.unwrap(), original, "{} differs after the round trip", spec.name);
    }
    // Identity sequences follow the copy: new rows get fresh ids on PostgreSQL.
    let id = pg.store.create_user(&user("new@example.org"), None, None, 50).await.unwrap();
    assert_eq!(id, 3);
    // Copying into a database that already holds data is refused and changes nothing.
    let err = source.store.copy_into(&pg.store).await.unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");
    assert_eq!(pg.store.count_users().await.unwrap(), 3);
}

#[tokio::test]
async fn db_copy_between_sqlite_files_without_postgres() {
    let source = TestDatabase::sqlite().await.unwrap();
    fill(&source.store).await;
    let target = TestDatabase::sqlite().await.unwrap();
    source.store.copy_into(&target.store).await.unwrap();
    for spec in TABLES {
        assert_eq!(
            target.store.table_rows(spec).await.unwrap(),
            source.store.table_rows(spec).await.unwrap(),
            "{}",
            spec.name
        );
    }
}

#[tokio::test]
async fn member_email_search_treats_wildcards_as_text() {
    use time::macros::date;
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let tier = s
            .create_tier(
                &NewTier {
                    code: "member".into(),
                    name: "Member".into(),
                    annual_dues_cents: 100,
                    requires_approval: false,
                    requirements: "[]".into(),
                    sort_order: 0,
                    never_expires: false,
                },
                0,
            )
            .await
            .unwrap();
        let member = |email: &str, last: &str| MemberBundle {
            member: NewMember {
                member_number: None,
                user_id: None,
                first_name: "A".into(),
                last_name: last.into(),
                email: email.into(),
                phone: String::new(),
                employer: String::new(),
                job_title: String::new(),
                career_stage: "other".into(),
                disciplines: String::new(),
                education: String::new(),
                city: String::new(),
                tier_id: tier,
                home_chapter_id: None,
                joined_on: date!(2024 - 01 - 01),
                standing: Standing::Active,
                expires_on: Some(date!(2027 - 01 - 01)),
                standing_on: date!(2026 - 01 - 01),
                visibility: "{}".into(),
            },
            licences: vec![],
            certifications: vec![],
            group_ids: vec![],
            terms: vec![],
        };
        let ids =
            s.insert_members(&[member("a_b@example.org", "Zed"), member("axb@example.org", "Young")], 0).await.unwrap();
        let numbers: Vec<String> = member_numbers(s, &ids).await;
        assert_eq!(numbers, vec![format!("M{:06}", ids[0]), format!("M{:06}", ids[1])], "numbers assigned from ids");
        let find = |text: &str| MemberFilter { email_contains: Some(text.into()), ..Default::default() };
        let hits = s.search_members(&find("a_b"), PageRequest::default()).await.unwrap();
        assert_eq!(
            hits.items.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
            vec!["a_b@example.org"],
            "{:?}",
            db.kind()
        );
        assert_eq!(s.search_members(&find("%"), PageRequest::default()).await.unwrap().total, 0);
        let by_name = MemberFilter { name_prefix: Some("Y".into()), ..Default::default() };
        assert_eq!(s.search_members(&by_name, PageRequest::default()).await.unwrap().items[0].last_name, "Young");
        // The total comes with the page, and is still right on a page past the end.
        let everyone = MemberFilter::default();
        let first = s.search_members(&everyone, PageRequest::new(1, 1)).await.unwrap();
        assert_eq!((first.items.len(), first.total), (1, 2));
        let second = s.search_members(&everyone, PageRequest::new(2, 1)).await.unwrap();
        assert_eq!((second.items[0].last_name.as_str(), second.total), ("Zed", 2));
        let beyond = s.search_members(&everyone, PageRequest::new(9, 1)).await.unwrap();
        assert_eq!((beyond.items.len(), beyond.total), (0, 2), "{:?}", db.kind());
    }
}

async fn member_numbers(s: &Store, ids: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(s.member_by_id(*id).await.unwrap().unwrap().member_number);
    }
    out
}

/// A member with one paid term (invoice and $100 payment) and one open renewal invoice;
/// returns (member, paid invoice, payment, open invoice).
async fn member_with_payment(s: &Store, email: &str) -> (i64, i64, i64, i64) {
    // On a schema older than the tiers' never_expires column (migration 21) the tiers
    // cannot be listed, and each member gets a tier of their own.
    let listed = s.list_tiers().await.ok();
    let code = if listed.is_some() { "member".to_string() } else { email.replace(['@', '.'], "-") };
    let tier = match listed.as_ref().and_then(|tiers| tiers.first()) {
        Some(t) => t.id,
        None => s
            .create_tier(
                &NewTier {
                    code,
                    name: "Member".into(),
                    annual_dues_cents: 10_000,
                    requires_approval: false,
                    requirements: "[]".into(),
                    sort_order: 0,
                    never_expires: false,
                },
                0,
            )
            .await
            .unwrap(),
    };
    let term = |starts, ends, status: TermState, paid_on| NewTerm {
        tier_id: tier,
        starts_on: starts,
        ends_on: ends,
        applied_on: starts,
        status,
        approved_on: None,
        paid_on,
        cancelled_on: None,
        rejected_on: None,
    };
    let invoice = |status: InvoiceStatus, paid_on| NewInvoice {
        description: "Member".into(),
        amount_cents: 10_000,
        status,
        issued_on: date!(2025 - 01 - 01),
        due_on: date!(2025 - 01 - 31),
        paid_on,
    };
    let paid_on = Some(date!(2025 - 01 - 01));
    let bundle = MemberBundle {
        member: NewMember {
            member_number: None,
            user_id: None,
            first_name: "Pay".into(),
            last_name: "Er".into(),
            email: email.into(),
            phone: String::new(),
            employer: String::new(),
            job_title: String::new(),
            career_stage: "other".into(),
            disciplines: String::new(),
            education: String::new(),
            city: String::new(),
            tier_id: tier,
            home_chapter_id: None,
            joined_on: date!(2025 - 01 - 01),
            standing: Standing::RenewalDue,
            expires_on: Some(date!(2025 - 12 - 31)),
            standing_on: date!(2025 - 12 - 01),
            visibility: "{}".into(),
        },
        licences: vec![],
        certifications: vec![],
        group_ids: vec![],
        terms: vec![
            NewTermWithInvoice {
                term: term(date!(2025 - 01 - 01), date!(2025 - 12 - 31), TermState::Paid, paid_on),
                invoice: Some(invoice(InvoiceStatus::Paid, paid_on)),
                payments: vec![NewPayment {
                    amount_cents: 10_000,
                    method: "cheque".into(),
                    reference: "1001".into(),
                    provider_ref: None,
                    received_on: date!(2025 - 01 - 01),
                    recorded_by: None,
                }],
                evidence: vec![],
            },
            NewTermWithInvoice {
                term: term(date!(2026 - 01 - 01), date!(2026 - 12 - 31), TermState::AwaitingPayment, None),
                invoice: Some(invoice(InvoiceStatus::Open, None)),
                payments: vec![],
                evidence: vec![],
            },
        ],
    };
    let member = s.insert_members(&[bundle], 0).await.unwrap()[0];
    // On a schema older than invoices' user_id column (migration 26) the invoices cannot be
    // read back; the migration tests need only the member.
    let Ok(invoices) = s.member_invoices(member).await else { return (member, 0, 0, 0) };
    let paid = invoices.iter().find(|i| i.status == InvoiceStatus::Paid).unwrap().id;
    let open = invoices.iter().find(|i| i.status == InvoiceStatus::Open).unwrap().id;
    let payment = s.invoice_payments(paid).await.unwrap()[0].id;
    (member, paid, payment, open)
}

fn refund(payment_id: i64, cents: i64) -> NewRefund {
    NewRefund {
        payment_id,
        amount_cents: cents,
        method: "cheque".into(),
        reason: "Overpaid".into(),
        refunded_on: date!(2025 - 12 - 02),
        recorded_by: None,
    }
}

#[tokio::test]
async fn provider_events_are_acted_on_once_and_settle_with_their_invoice() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let (member, _, _, open) = member_with_payment(s, "events@example.org").await;
        let event = |id: &str| NewPaymentEvent {
            provider: "test".into(),
            event_id: id.into(),
            invoice_id: Some(open),
            amount_cents: 10_000,
            outcome: "succeeded".into(),
        };
        let payment = NewPayment {
            amount_cents: 10_000,
            method: "card".into(),
            reference: "online payment".into(),
            provider_ref: Some("test:ch_1".into()),
            received_on: date!(2025 - 12 - 02),
            recorded_by: None,
        };
        let standing = (Standing::Active, Some(date!(2026 - 12 - 31)), date!(2025 - 12 - 02));
        let settle = Some((open, &payment, standing));
        assert_eq!(s.record_payment_event(&event("e1"), settle, 5).await.unwrap(), PaymentEventOutcome::Recorded);
        assert_eq!(s.record_payment_event(&event("e1"), settle, 6).await.unwrap(), PaymentEventOutcome::Duplicate);
        assert_eq!(s.invoice_payments(open).await.unwrap().len(), 1, "{:?}", db.kind());
        let m = s.member_by_id(member).await.unwrap().unwrap();
        assert_eq!((m.standing, m.expires_on), (Standing::Active, Some(date!(2026 - 12 - 31))));
        // Another event for the paid invoice fails as a whole: the event is not kept.
        let again = NewPayment { provider_ref: Some("test:ch_2".into()), ..payment.clone() };
        let err = s.record_payment_event(&event("e2"), Some((open, &again, standing)), 7).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        assert!(s.payment_event("test", "e2").await.unwrap().is_none());
        let kept = s.payment_event("test", "e1").await.unwrap().unwrap();
        assert_eq!((kept.invoice_id, kept.received_at), (Some(open), 5));
    }
}

#[tokio::test]
async fn refunds_never_exceed_the_payment_and_may_end_its_term() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let (member, paid, payment, _) = member_with_payment(s, "refunds@example.org").await;
        let log = audit("payment.refunded", 1, None);
        assert!(matches!(
            s.record_refund(&refund(payment, 6_000), None, &log, 1).await.unwrap(),
            RefundOutcome::Recorded { .. }
        ));
        assert_eq!(
            s.record_refund(&refund(payment, 4_001), None, &log, 2).await.unwrap(),
            RefundOutcome::ExceedsPayment { refundable_cents: 4_000 },
            "{:?}",
            db.kind()
        );
        assert_eq!(
            s.record_refund(&refund(payment, 0), None, &log, 2).await.unwrap(),
            RefundOutcome::ExceedsPayment { refundable_cents: 4_000 },
            "a refund is for something"
        );
        let term_id = s.invoice_by_id(paid).await.unwrap().unwrap().term_id.unwrap();
        let end = EndTerm { term_id, standing: Standing::Cancelled, expires_on: Some(date!(2025 - 12 - 31)) };
        assert!(matches!(
            s.record_refund(&refund(payment, 4_000), Some(&end), &log, 3).await.unwrap(),
            RefundOutcome::Recorded { .. }
        ));
        assert_eq!(s.payment_by_id(payment).await.unwrap().unwrap().refunded_cents, 10_000);
        let refunds = s.member_refunds(member).await.unwrap();
        assert_eq!(
            refunds.iter().map(|r| (r.amount_cents, r.ended_term)).collect::<Vec<_>>(),
            [(6_000, false), (4_000, true)]
        );
        let term = s.member_terms(member).await.unwrap().into_iter().find(|t| t.id == term_id).unwrap();
        assert_eq!((term.status, term.cancelled_on), (TermState::Cancelled, Some(date!(2025 - 12 - 02))));
        assert_eq!(s.member_by_id(member).await.unwrap().unwrap().standing, Standing::Cancelled);
        assert_eq!(s.member_payments(member).await.unwrap().len(), 1);
        assert!(matches!(s.record_refund(&refund(9_999, 1), None, &log, 4).await, Err(StoreError::NotFound)));
        let entries = s
            .list_audit(
                &AuditFilter { action: Some("payment.refunded".into()), ..Default::default() },
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(entries.total, 2, "refused refunds leave no audit entry");
    }
}

#[tokio::test]
async fn staff_manage_tiers_groups_and_officers_with_audit_entries() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let count = |action: &'static str| async move {
            s.list_audit(&AuditFilter { action: Some(action.into()), ..Default::default() }, PageRequest::default())
                .await
                .unwrap()
                .total
        };
        let (member, ..) = member_with_payment(s, "used@example.org").await;
        let used = s.list_tiers().await.unwrap()[0].id;
        let spare = NewTier {
            code: "spare".into(),
            name: "Spare".into(),
            annual_dues_cents: 500,
            requires_approval: true,
            requirements: "[]".into(),
            sort_order: 9,
            never_expires: false,
        };
        let id = s.save_tier(None, &spare, &audit("tier.created", 1, None), 1).await.unwrap();
        assert!(
            matches!(
                s.save_tier(None, &spare, &audit("tier.created", 1, None), 1).await,
                Err(StoreError::Conflict { .. })
            ),
            "codes are unique"
        );
        let renamed = NewTier { name: "Spare Tier".into(), annual_dues_cents: 750, code: "ignored".into(), ..spare };
        s.save_tier(Some(id), &renamed, &audit("tier.changed", 2, None), 2).await.unwrap();
        let stored = s.tier_by_id(id).await.unwrap().unwrap();
        assert_eq!(
            (stored.code.as_str(), stored.name.as_str(), stored.annual_dues_cents),
            ("spare", "Spare Tier", 750)
        );
        assert!(matches!(s.save_tier(Some(999), &renamed, &audit("x", 2, None), 2).await, Err(StoreError::NotFound)));
        let usage = s.tier_usage().await.unwrap();
        assert_eq!(usage, vec![(used, TierUsage { members: 1, terms: 2 })]);
        assert!(
            matches!(s.delete_tier(used, &audit("tier.deleted", 3, None)).await, Err(StoreError::Conflict { .. })),
            "a tier in use stays"
        );
        s.delete_tier(id, &audit("tier.deleted", 3, None)).await.unwrap();
        assert!(matches!(s.delete_tier(id, &audit("tier.deleted", 3, None)).await, Err(StoreError::NotFound)));
        assert_eq!((count("tier.created").await, count("tier.changed").await, count("tier.deleted").await), (1, 1, 1));

        let group =
            s.save_group(None, ("yp", "Young Professionals", ""), &audit("group.created", 4, None), 4).await.unwrap();
        assert!(matches!(
            s.save_group(None, ("yp", "Again", ""), &audit("group.created", 4, None), 4).await,
            Err(StoreError::Conflict { .. })
        ));
        s.save_group(Some(group), ("young-pros", "Young Pros", "Under 35"), &audit("group.changed", 5, None), 5)
            .await
            .unwrap();
        assert_eq!(s.group_by_id(group).await.unwrap().unwrap().slug, "young-pros");
        let joined = audit("member.group_added", 6, None);
        assert!(s.add_member_group(member, group, date!(2026 - 02 - 28), &joined).await.unwrap());
        assert!(!s.add_member_group(member, group, date!(2026 - 03 - 01), &joined).await.unwrap(), "once");
        assert_eq!(s.member_groups(member).await.unwrap()[0].id, group);
        assert_eq!(s.group_member_counts().await.unwrap(), vec![(group, 1)]);
        let left = audit("member.group_removed", 7, None);
        assert!(s.remove_member_group(member, group, &left).await.unwrap());
        assert!(!s.remove_member_group(member, group, &left).await.unwrap());
        assert!(s.member_groups(member).await.unwrap().is_empty());
        assert_eq!((count("member.group_added").await, count("member.group_removed").await), (1, 1));

        let chapter = s
            .create_chapter(
                &NewChapter {
                    slug: "c".into(),
                    name: "C".into(),
                    kind: "chapter".into(),
                    region: String::new(),
                    dues_supplement_cents: 0,
                },
                0,
            )
            .await
            .unwrap();
        let officer = s.create_user(&user("o@example.org"), None, None, 0).await.unwrap();
        let term = NewOfficerTerm {
            user_id: officer,
            chapter_id: chapter,
            title: "Treasurer".into(),
            starts_on: date!(2026 - 01 - 01),
            ends_on: None,
        };
        let term_id = s.appoint_officer(&term, &audit("officer.appointed", 8, None), 8).await.unwrap();
        let listed = s.list_officer_terms().await.unwrap();
        assert_eq!(
            (listed[0].id, listed[0].email.as_str(), listed[0].chapter_name.as_str(), listed[0].ends_on),
            (term_id, "o@example.org", "C", None)
        );
        s.set_officer_term_end(term_id, date!(2026 - 06 - 30), &audit("officer.term_ended", 9, None)).await.unwrap();
        assert_eq!(s.officer_term_by_id(term_id).await.unwrap().unwrap().ends_on, Some(date!(2026 - 06 - 30)));
        assert!(s.officer_terms_on(officer, date!(2026 - 07 - 01)).await.unwrap().is_empty(), "office ends");
        assert!(matches!(
            s.set_officer_term_end(999, date!(2026 - 06 - 30), &audit("x", 9, None)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!((count("officer.appointed").await, count("officer.term_ended").await), (1, 1));
    }
}

#[tokio::test]
async fn the_export_reads_each_member_s_last_paid_expiry() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let (member, ..) = member_with_payment(&db.store, "export@example.org").await;
        let export = db.store.export_members().await.unwrap();
        // The paid 2025 term counts; the open 2026 renewal does not.
        assert_eq!(export.last_paid_expiry.get(&member), Some(&date!(2025 - 12 - 31)), "{:?}", db.kind());
    }
}

#[tokio::test]
async fn household_and_organisation_links_set_the_person_s_standing_with_their_audit_entry() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let (payer, ..) = member_with_payment(s, "payer@example.org").await;
        let (person, ..) = member_with_payment(s, "person@example.org").await;
        let number = s.member_by_id(person).await.unwrap().unwrap().member_number;
        assert_eq!(s.member_id_by_number(&number).await.unwrap(), Some(person));
        assert_eq!(s.member_id_by_number("nope").await.unwrap(), None);
        let today = date!(2026 - 03 - 01);
        let id = s
            .add_link(
                (person, payer, LinkKind::Household, today),
                (Standing::Grace, Some(date!(2025 - 12 - 31)), today),
                &audit("member.linked", 1, None),
                1,
            )
            .await
            .unwrap();
        let member = s.member_by_id(person).await.unwrap().unwrap();
        assert_eq!((member.standing, member.expires_on), (Standing::Grace, Some(date!(2025 - 12 - 31))));
        let links = s.member_links(payer).await.unwrap();
        assert_eq!(
            (links.len(), links[0].member_id, links[0].kind, links[0].ended_on),
            (1, person, LinkKind::Household, None)
        );
        assert_eq!(s.member_links(person).await.unwrap(), links, "seen from both ends");
        // Ended the day before it started (linked and unlinked the same day): removed.
        s.end_link(id, date!(2026 - 02 - 28), (Standing::Lapsed, None, today), &audit("member.unlinked", 2, None))
            .await
            .unwrap();
        assert!(s.member_links(person).await.unwrap().is_empty());
        assert_eq!(s.member_by_id(person).await.unwrap().unwrap().standing, Standing::Lapsed);
        let id = s
            .add_link(
                (person, payer, LinkKind::Employee, today),
                (Standing::Grace, None, today),
                &audit("member.linked", 3, None),
                3,
            )
            .await
            .unwrap();
        s.end_link(id, date!(2026 - 04 - 30), (Standing::Lapsed, None, today), &audit("member.unlinked", 4, None))
            .await
            .unwrap();
        assert_eq!(s.link_by_id(id).await.unwrap().unwrap().ended_on, Some(date!(2026 - 04 - 30)));
        assert!(
            matches!(
                s.end_link(id, date!(2026 - 05 - 01), (Standing::Lapsed, None, today), &audit("x", 5, None)).await,
                Err(StoreError::NotFound)
            ),
            "an ended link ends once"
        );
        s.save_organisation(payer, "Acme", 2, &audit("organisation.saved", 6, None), 6).await.unwrap();
        s.save_organisation(payer, "Acme Ltd", 5, &audit("organisation.saved", 7, None), 7).await.unwrap();
        let org = s.organisation(payer).await.unwrap().unwrap();
        assert_eq!((org.name.as_str(), org.seats, org.created_at), ("Acme Ltd", 5, 6));
        let n = s
            .list_audit(
                &AuditFilter { subject_kind: Some("account".into()), ..Default::default() },
                PageRequest::default(),
            )
            .await
            .unwrap()
            .total;
        assert_eq!(n, 6, "each change with its audit entry");
    }
}

#[tokio::test]
async fn a_conflict_names_its_field_the_same_on_both_engines() {
    for db in TestDatabase::each_engine().await.unwrap() {
        let s = &db.store;
        let field = |err: StoreError| match err {
            StoreError::Conflict { field } => field,
            other => panic!("{:?}: not a conflict: {other:?}", db.kind()),
        };
        s.create_user(&user("ada@example.org"), None, None, 1).await.unwrap();
        let err = s.create_user(&user("ada@example.org"), None, None, 2).await.unwrap_err();
        assert_eq!(field(err), "email", "{:?}", db.kind());
        let tier = NewTier {
            code: "fellow".into(),
            name: "Fellow".into(),
            annual_dues_cents: 100,
            requires_approval: false,
            requirements: "[]".into(),
            sort_order: 1,
            never_expires: false,
        };
        s.create_tier(&tier, 1).await.unwrap();
        assert_eq!(field(s.create_tier(&tier, 2).await.unwrap_err()), "code", "{:?}", db.kind());
        s.create_group("bridges", "Bridges", "", 1).await.unwrap();
        assert_eq!(
            field(s.create_group("bridges", "Bridges again", "", 2).await.unwrap_err()),
            "slug",
            "{:?}",
            db.kind()
        );
    }
}

#[tokio::test]
async fn migration_18_keeps_one_of_a_member_s_duplicate_licences_and_moves_its_reminders() {
    use guildhall_domain::member::{CredentialSource, Jurisdiction, LicenceKind};
    use guildhall_store::ce::NewCeLicence;
    for db in TestDatabase::each_engine_migrated_to(17).await.unwrap() {
        let s = &db.store;
        let kind = db.kind();
        assert!(!s.applied_migrations().await.unwrap().contains(&18), "{kind:?}");
        let (member, ..) = member_with_payment(s, "twice@example.org").await;
        let (other, ..) = member_with_payment(s, "once@example.org").await;
        let licence = |jurisdiction: &str, number: &str, expires_on, method: Option<&str>| NewCeLicence {
            jurisdiction: Jurisdiction::parse(jurisdiction).unwrap(),
            kind: LicenceKind::ProfessionalEngineer,
            number: number.into(),
            first_issued: date!(2015 - 06 - 01),
            expires_on,
            licensure_method: method.map(String::from),
        };
        // Three rows for one Texas PE licence: the one expiring last is kept; what it leaves
        // blank comes from the others (the method from the undated row, the figures from the
        // oldest).
        let older = s.add_ce_licence(member, &licence("US-TX", "", Some(date!(2026 - 06 - 30)), None), None, 1).await;
        let kept = s.add_ce_licence(member, &licence("US-TX", "TX1", Some(date!(2027 - 06 - 30)), None), None, 2).await;
        let undated = s.add_ce_licence(member, &licence("US-TX", "TX0", None, Some("exam")), None, 3).await;
        let (older, kept, undated) = (older.unwrap(), kept.unwrap(), undated.unwrap());
        let florida = s.add_ce_licence(member, &licence("US-FL", "FL1", None, None), None, 4).await.unwrap();
        let others = s.add_ce_licence(other, &licence("US-TX", "TX9", None, None), None, 5).await.unwrap();
        let figures = audit("ce.figures_recorded", 6, None);
        assert!(
            s.set_ce_fields(member, CredentialSource::Licence, older, "peak_target_hours=30", &figures).await.unwrap()
        );
        let period = date!(2026 - 06 - 30);
        for (key, offset) in [(older, 30), (undated, 30), (older, 7)] {
            let mail = mail("twice@example.org", "PDH");
            assert!(s.record_ce_reminder(member, &format!("licence-{key}"), period, offset, &mail, 7).await.unwrap());
        }

        s.migrate().await.unwrap();
        let mut licences: Vec<_> = s
            .ce_credentials(member)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.source == CredentialSource::Licence)
            .map(|c| (c.id, c.label, c.number, c.expires_on, c.licensure_method, c.ce_fields))
            .collect();
        licences.sort();
        let texas = (
            kept,
            "US-TX".to_string(),
            "TX1".to_string(),
            Some(date!(2027 - 06 - 30)),
            Some("exam".to_string()),
            "peak_target_hours=30".to_string(),
        );
        let florida = (florida, "US-FL".to_string(), "FL1".to_string(), None, None, String::new());
        assert_eq!(licences, vec![texas, florida], "{kind:?}");
        assert_eq!(s.ce_credentials(other).await.unwrap()[0].id, others, "{kind:?}: another member's licence stays");
        let mut reminders: Vec<_> = s
            .ce_reminders_sent(date!(2000 - 01 - 01))
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.0 == member)
            .map(|(_, key, end, offset)| (key, end, offset))
            .collect();
        reminders.sort();
        assert_eq!(
            reminders,
            vec![(format!("licence-{kept}"), period, 7), (format!("licence-{kept}"), period, 30)],
            "{kind:?}: reminders already sent follow the kept licence, once each"
        );

        let again = s.add_ce_licence(member, &licence("US-TX", "TX2", None, None), None, 8).await.unwrap_err();
        assert!(matches!(&again, StoreError::Conflict { field } if field == "licence"), "{kind:?}: {again:?}");
        let structural = NewCeLicence { kind: LicenceKind::StructuralEngineer, ..licence("US-TX", "SE1", None, None) };
        s.add_ce_licence(member, &structural, None, 9).await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
    }
}

#[tokio::test]
async fn migration_26_keeps_every_invoice_and_its_payments_while_letting_an_account_owe_one() {
    for db in TestDatabase::each_engine_migrated_to(25).await.unwrap() {
        let s = &db.store;
        let kind = db.kind();
        let (member, ..) = member_with_payment(s, "books@example.org").await;
        s.migrate().await.unwrap();
        let invoices = s.member_invoices(member).await.unwrap();
        assert_eq!(invoices.len(), 2, "{kind:?}: both invoices survive the rebuild");
        assert!(invoices.iter().all(|i| i.member_id == Some(member) && i.user_id.is_none()), "{kind:?}");
        let paid = invoices.iter().find(|i| i.status == InvoiceStatus::Paid).unwrap();
        let payments = s.invoice_payments(paid.id).await.unwrap();
        assert_eq!(payments.iter().map(|p| p.amount_cents).collect::<Vec<_>>(), vec![10_000], "{kind:?}");
        // The payments still refer to the rebuilt table: a refund of one is recorded.
        let outcome =
            s.record_refund(&refund(payments[0].id, 2_500), None, &audit("payment.refunded", 1, None), 1).await;
        assert!(matches!(outcome, Ok(RefundOutcome::Recorded { .. })), "{kind:?}: {outcome:?}");
    }
}

#[tokio::test]
async fn migration_51_gives_invitations_already_sent_thirty_days_from_their_sending() {
    use guildhall_domain::careers::{InvitationStatus, PayPeriod, RemotePolicy};
    use guildhall_domain::csv::members::Discipline;
    use guildhall_store::copy::{ColumnType::*, TableSpec, Value};
    // `bank_invitations` as migration 49 made it, without `expires_at`.
    const BEFORE_51: TableSpec = TableSpec {
        name: "bank_invitations",
        columns: &[
            ("id", Int),
            ("employer_id", Int),
            ("member_id", Int),
            ("job_id", Int),
            ("public_ref", Text),
            ("message", Text),
            ("status", Text),
            ("sent_by", Int),
            ("sent_at", Int),
            ("answered_at", Int),
        ],
        identity: true,
    };
    for db in TestDatabase::each_engine_migrated_to(49).await.unwrap() {
        let s = &db.store;
        let kind = db.kind();
        assert!(!s.applied_migrations().await.unwrap().contains(&51), "{kind:?}");
        let (member, ..) = member_with_payment(s, "candidate@example.org").await;
        let owner = s.create_user(&user("recruiter@example.org"), None, None, 1_000).await.unwrap();
        let created = audit("employer.created", 1_000, None);
        let employer = s.create_employer(("Sabine River Civil", "", ""), owner, 1_000, &created).await.unwrap();
        let job = NewJob {
            title: "Levee engineer".into(),
            description_md: "Levees.".into(),
            discipline: Discipline::ALL[0],
            career_stage: "licensed".into(),
            jurisdiction: None,
            city: "Beaumont".into(),
            remote: RemotePolicy::OnSite,
            salary_min_cents: 9_000_000,
            salary_max_cents: 11_000_000,
            pay_period: PayPeriod::Year,
            currency: "USD".into(),
            annual_min_cents: 9_000_000,
            annual_max_cents: 11_000_000,
            closes_on: None,
            requirements: Vec::new(),
        };
        let created = audit("job.created", 1_000, None);
        let levee = s.create_job(employer, &job, true, owner, 1_000, &created).await.unwrap();
        let job = NewJob { title: "Drainage designer".into(), ..job };
        let drainage = s.create_job(employer, &job, true, owner, 1_000, &created).await.unwrap();
        let sent = 1_700_000_000;
        let invitation = |id: i64, job: i64, reference: &str, status: &str, answered: Value| {
            vec![
                Value::Int(id),
                Value::Int(employer),
                Value::Int(member),
                Value::Int(job),
                Value::Text(reference.into()),
                Value::Text(String::new()),
                Value::Text(status.into()),
                Value::Null,
                Value::Int(sent),
                answered,
            ]
        };
        s.insert_catalogued_row(&BEFORE_51, &invitation(1, levee, "RB-WAITING1", "sent", Value::Null)).await.unwrap();
        let answered = Value::Int(sent + 60);
        s.insert_catalogued_row(&BEFORE_51, &invitation(2, drainage, "RB-ACCEPTD1", "accepted", answered))
            .await
            .unwrap();

        s.migrate().await.unwrap();
        // Thirty days from its sending: open until the last second, expired at it; the one
        // already answered stays as answered.
        let day = 86_400;
        let at = |now: i64| async move {
            let mut read = s.member_invitations(member, now).await.unwrap();
            read.sort_by_key(|i| i.id);
            read.into_iter().map(|i| (i.status, i.expires_at)).collect::<Vec<_>>()
        };
        let expiry = sent + 30 * day;
        assert_eq!(
            at(expiry - 1).await,
            vec![(InvitationStatus::Sent, expiry), (InvitationStatus::Accepted, expiry)],
            "{kind:?}"
        );
        assert_eq!(at(expiry).await[0].0, InvitationStatus::Expired, "{kind:?}");
        assert!(s.answer_invitation(1, member, true, expiry).await.unwrap().is_none(), "{kind:?}");
        let accepted = s.answer_invitation(1, member, true, expiry - 1).await.unwrap().map(|i| i.status);
        assert_eq!(accepted, Some(InvitationStatus::Accepted), "{kind:?}");
    }
}
