//! Knowledge over HTTP, on both engines: article files imported losslessly (paragraphs,
//! lists, bold, related links de-duplicated and resolved when they arrive, subjects merged
//! whatever their case, idempotent re-import, export and back), malformed batches refused
//! whole; members' questions with answers, endorsements only by licensed engineers,
//! acceptance, promotion; members-only content never reaching the public (pages, search,
//! sitemap, API); script rendered inert; every route for every role; and the one-per-person
//! rules under concurrent requests.

use axum::http::{Method, StatusCode};
use guildhall_app::knowledge::import::KbImportReport;
use serde_json::{Value, json};

use crate::harness::*;

/// The issue's own example file: related links repeated under subjects in two cases, an
/// answer with literal `\n` breaks, trailing `&nbsp;`.
const EXAMPLE: &str = r#"---
id: 900001
date: 2025-03-02
title: >-
    Why do engineers keep a PDH log?
question: >-
    Why do engineers keep a PDH log?
answer: >-
    Keeping a log helps in three ways:\n\n1. **Audits**: boards sample licensees.\n\n2. **Renewals**: totals are due each period.\n\nIn summary, keep one.
subject: Engineering
url: /learn/engineering/questions/why-do-engineers-keep-a-pdh-log
seo:
  title: QuickFacts | Engineering
  page_description: >-
    Why a PDH log matters.
related_article1:
    id: 900002
    title: >-
        What is a PDH?
    subject: Engineering
    url: /learn/engineering/questions/what-is-a-pdh
related_article2:
    id: 900002
    title: >-
        What is a PDH?
    subject: engineering
    url: /learn/engineering/questions/what-is-a-pdh
---

&nbsp;
"#;

/// The article the example links to: no `score`, no related articles, its subject in
/// another case, an unknown key.
const LINKED: &str = r#"---
id: 900002
date: 2025-03-01
title: What is a PDH?
question: What is a PDH?
answer: >-
    A professional development hour is **one contact hour** of learning.\n\nBoards count them per renewal period.
subject: '  ENGINEERING '
url: /learn/engineering/questions/what-is-a-pdh
post_on_text: Posted on
_schema: default
---
"#;

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect()
}

async fn import(t: &TestApp, list: &[(&str, &str)]) -> Result<KbImportReport, guildhall_app::AppError> {
    t.app.import_kb_files_from_command_line(files(list), false).await
}

/// The problems of a refused import, as people read them.
fn problems(err: guildhall_app::AppError) -> Vec<String> {
    match err {
        guildhall_app::AppError::Validation { fields, .. } => fields.into_values().collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn article_files_import_losslessly_resolve_links_later_and_export_back_to_the_same_records() {
    for t in TestApp::each_engine().await {
        let mut public = t.client();
        let report = import(&t, &[("why.md", EXAMPLE)]).await.unwrap();
        assert_eq!((report.created, report.updated, report.unchanged), (1, 0, 0));

        let page = public.get("/learn/engineering/questions/why-do-engineers-keep-a-pdh-log").await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", t.engine);
        let body = &page.body;
        assert!(body.contains("<p>Keeping a log helps in three ways:</p>"), "paragraphs: {body}");
        assert!(body.contains("<ol>") && body.contains("<strong>Audits</strong>"), "a list with bold items");
        assert!(!body.contains("\\n") && !body.contains("&nbsp;") && !body.contains("&amp;nbsp;"), "no literal breaks");
        assert!(body.contains(r#"<meta name="description" content="Why a PDH log matters.">"#));
        assert!(body.contains(r#"<link rel="canonical" href="http://127.0.0.1:8080/learn/engineering/questions/why-do-engineers-keep-a-pdh-log">"#));
        assert!(body.contains(r#""@type":"QAPage""#), "schema.org data");
        // The link given twice is shown once, pending (not imported yet): its title, no link.
        assert_eq!(body.matches("What is a PDH?").count(), 1, "{body}");
        assert!(body.contains("What is a PDH? <span class=\"muted small\">(coming soon)</span>"));

        // The linked article arrives: the link resolves, and its subject (another case,
        // spaces) is the same subject, shown as first spelled.
        import(&t, &[("pdh.md", LINKED)]).await.unwrap();
        t.app.import_kb_files_from_command_line(Vec::new(), false).await.unwrap_err();
        let page = public.get("/learn/engineering/questions/why-do-engineers-keep-a-pdh-log").await.body;
        assert!(page.contains(r#"<a href="/learn/engineering/questions/what-is-a-pdh">What is a PDH?</a>"#), "{page}");
        let subjects = public.get("/kb").await.body;
        assert!(subjects.contains(">Engineering</a> <span class=\"muted small\">(2)</span>"), "{subjects}");
        assert!(!subjects.contains("ENGINEERING") && !subjects.contains(">engineering<"));
        let subject = public.get("/kb/subjects/engineering").await.body;
        assert!(subject.contains("What is a PDH?") && subject.contains("Why do engineers keep a PDH log?"));

        // The same files again: nothing changes (updated_at too).
        let before = public.api(Method::GET, "/api/v1/kb/articles?per_page=10", None).await.json();
        let again = import(&t, &[("why.md", EXAMPLE), ("pdh.md", LINKED)]).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(public.api(Method::GET, "/api/v1/kb/articles?per_page=10", None).await.json(), before);

        // A changed file updates its article in place: new words in its page and in search,
        // its new subject, the old words gone; the unchanged one is left alone.
        let revised = EXAMPLE
            .replace("Keeping a log helps in three ways:", "A ledger of hours helps in three ways:")
            .replace("boards sample licensees", "registrars pick names")
            .replace("subject: Engineering", "subject: Ethics");
        let changed = import(&t, &[("why.md", &revised), ("pdh.md", LINKED)]).await.unwrap();
        assert_eq!((changed.created, changed.updated, changed.unchanged), (0, 1, 1));
        let page = public.get("/learn/engineering/questions/why-do-engineers-keep-a-pdh-log").await.body;
        assert!(page.contains("A ledger of hours helps") && !page.contains("Keeping a log helps"), "{page}");
        assert!(page.contains(">Ethics</a>"), "its new subject: {page}");
        let found = public.api(Method::GET, "/api/v1/search?q=ledger", None).await.json();
        assert_eq!(found["items"].as_array().map(|items| items.len()), Some(1), "{found}");
        let gone = public.api(Method::GET, "/api/v1/search?q=sample", None).await.json();
        assert_eq!(gone["items"].as_array().map(|items| items.len()), Some(0), "{gone}");
        import(&t, &[("why.md", EXAMPLE)]).await.unwrap();

        // Export, then import the exported files into a fresh society: identical articles.
        let exported = t.app.export_kb_files().await.unwrap();
        assert_eq!(exported.len(), 2);
        let api_article = |id: i64| format!("/api/v1/kb/articles/{id}");
        let ids: Vec<i64> = before["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
        let mut originals = Vec::new();
        for id in &ids {
            originals.push(public.api(Method::GET, &api_article(*id), None).await.json());
        }
        let round = t.app.import_kb_files_from_command_line(exported.clone(), false).await.unwrap();
        assert_eq!(round.unchanged, 2, "{:?}: exported files re-import unchanged", t.engine);
        let fresh = TestApp::each_engine().await.into_iter().find(|f| f.engine == t.engine).unwrap();
        fresh.app.import_kb_files_from_command_line(exported, false).await.unwrap();
        let mut reader = fresh.client();
        let copies = reader.api(Method::GET, "/api/v1/kb/articles?per_page=10", None).await.json();
        for original in originals {
            let copy_id = copies["items"].as_array().unwrap().iter().find(|a| a["title"] == original["title"]).unwrap()
                ["id"]
                .as_i64()
                .unwrap();
            let mut copy = reader.api(Method::GET, &api_article(copy_id), None).await.json();
            for key in ["id", "updated_at"] {
                copy[key] = original[key].clone();
            }
            assert_eq!(copy, original, "{:?}: the round trip keeps every field", t.engine);
        }
    }
}

#[tokio::test]
async fn a_bad_file_names_file_line_and_reason_and_nothing_of_the_batch_is_imported() {
    let unclosed = "---\nid: 1\ntitle: Unclosed\nanswer: A\n";
    let tabbed = "---\nid: 2\ntitle: Tabbed\nseo:\n\ttitle: T\nanswer: A\n---\n";
    let no_id = "---\ntitle: No id\nanswer: A\n---\n";
    let duplicate = "---\nid: 900001\ntitle: Again\nanswer: A\n---\n";
    let reserved = "---\nid: 5\ntitle: Staff\nanswer: A\nurl: /staff/members\n---\n";
    for t in TestApp::each_engine().await {
        let cases: [(&str, &str, &str); 5] = [
            ("unclosed.md", unclosed, "unclosed.md, line 1"),
            ("tabbed.md", tabbed, "tabbed.md, line 5"),
            ("no-id.md", no_id, "no-id.md, line 1"),
            ("again.md", duplicate, "again.md, line 2"),
            ("staff.md", reserved, "staff.md, line 2"),
        ];
        for (name, text, expected) in cases {
            let err = import(&t, &[("why.md", EXAMPLE), (name, text)]).await.unwrap_err();
            let found = problems(err);
            assert!(found.iter().any(|p| p.starts_with(expected)), "{:?} {name}: {found:?}", t.engine);
        }
        // Nothing of any batch was written.
        let mut staff = t.signed_in(STAFF).await;
        let listed = staff.get("/staff/kb").await.body;
        assert!(listed.contains("No articles yet"), "{:?}", t.engine);
        assert_eq!(t.app.export_kb_files().await.unwrap().len(), 0);

        // The staff page shows each problem, and a dry run writes nothing either.
        let r = staff.post_multipart("/staff/kb/import", &[], Some(("files", "no-id.md", no_id.as_bytes()))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("no-id.md, line 1: "), "{}", r.body);
        let r = staff
            .post_multipart("/staff/kb/import", &[("dry_run", "1")], Some(("files", "why.md", EXAMPLE.as_bytes())))
            .await;
        assert!(r.body.contains("All 1 files are valid. Nothing was imported"), "{}", r.body);
        assert_eq!(t.app.export_kb_files().await.unwrap().len(), 0);
        let r = staff.post_multipart("/staff/kb/import", &[], Some(("files", "why.md", EXAMPLE.as_bytes()))).await;
        assert!(r.body.contains("1 new articles"), "{}", r.body);
        let entry = audit(&mut staff, "kb.imported").await;
        assert!(entry["items"][0]["actor"].as_str().unwrap().contains("Priya"), "{entry}");
    }
}

/// Maya's first discipline (the test society's members get theirs at random).
async fn maya_discipline(t: &TestApp) -> String {
    let maya = t.store.member_by_user(1).await.unwrap().unwrap();
    maya.disciplines.split(';').next().unwrap().to_string()
}

/// Daniel asks a question through the API; its id.
async fn daniel_asks(daniel: &mut Client, title: &str, body: Value) -> i64 {
    let mut question = json!({ "title": title, "body": "Details of the question, written out." });
    for (k, v) in body.as_object().unwrap() {
        question[k] = v.clone();
    }
    let r = daniel.api(Method::POST, "/api/v1/questions", Some(question)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn answer(client: &mut Client, question: i64, body: &str) -> i64 {
    let r =
        client.api(Method::POST, &format!("/api/v1/questions/{question}/answers"), Some(json!({ "body": body }))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn only_a_current_licence_in_the_discipline_and_jurisdiction_endorses_and_only_the_asker_accepts() {
    for t in TestApp::each_engine().await {
        let discipline = maya_discipline(&t).await;
        let mut maya = t.signed_in(MEMBER).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let texas = daniel_asks(
            &mut daniel,
            "When must a retaining wall be sealed?",
            json!({ "discipline": discipline, "jurisdiction": "US-TX", "visibility": "public" }),
        )
        .await;
        let daniels = answer(&mut daniel, texas, "Above four feet, as a rule of thumb.").await;
        let path = |q: i64, a: i64, what: &str| format!("/questions/{q}/answers/{a}/{what}");

        // Daniel holds no licence; Maya cannot endorse her own answer.
        let mayas = answer(&mut maya, texas, "Check the board's rule first.").await;
        let r = daniel.post_form(&path(texas, mayas, "endorse"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", t.engine);
        assert!(r.body.contains("Endorsing needs a current engineering licence in Texas"), "{}", r.body);
        let r = maya.post_form(&path(texas, mayas, "endorse"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("You cannot endorse your own answer."));

        // Maya's Texas PE licence and discipline vouch for it; her name only when she chose.
        let r = maya.post_form(&path(texas, daniels, "endorse"), &[("show_name", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        let page = t.client().get(&format!("/questions/{texas}")).await.body;
        let line = format!("Endorsed by a licensed PE (Texas, {}): Maya Okafor", discipline.replace('_', " "));
        assert!(page.contains(&line), "{:?}: {page}", t.engine);
        assert_eq!(maya.post_form(&path(texas, daniels, "endorse"), &[]).await.status, StatusCode::CONFLICT);

        // A question in California, one naming no discipline: Maya's licences do not vouch.
        let california = daniel_asks(
            &mut daniel,
            "What do California boards ask for seismic retrofits?",
            json!({ "discipline": discipline, "jurisdiction": "US-CA" }),
        )
        .await;
        let a = answer(&mut daniel, california, "A licensed structural engineer's review.").await;
        let r = maya.post_form(&path(california, a, "endorse"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("in California"), "{}", r.body);
        let general = daniel_asks(&mut daniel, "Which calculators do engineers like?", json!({})).await;
        let a = answer(&mut daniel, general, "Whatever the exam allows.").await;
        let r = maya.post_form(&path(general, a, "endorse"), &[]).await;
        assert!(r.body.contains("names no discipline"), "{}", r.body);

        // Her licence lapses: no more endorsements.
        let texas_two = daniel_asks(
            &mut daniel,
            "Do Texas PEs need ethics hours?",
            json!({ "discipline": discipline, "jurisdiction": "US-TX" }),
        )
        .await;
        let a = answer(&mut daniel, texas_two, "Yes, every renewal.").await;
        t.app.clock.advance(3 * 366 * 86_400);
        let mut maya = t.signed_in(MEMBER).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let r = maya.post_form(&path(texas_two, a, "endorse"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}: {}", t.engine, r.location());

        // Only the asker accepts; the answerer is emailed.
        assert_eq!(maya.post_form(&path(texas, mayas, "accept"), &[]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(daniel.post_form(&path(texas, mayas, "accept"), &[]).await.status, StatusCode::SEE_OTHER);
        assert!(t.mail_to(MEMBER).await.iter().any(|m| m.contains("accepted your answer")), "{:?}", t.engine);
        // An answer of another question cannot be accepted for this one.
        assert_eq!(daniel.post_form(&path(texas, a, "accept"), &[]).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn members_only_questions_and_articles_never_reach_the_public_until_staff_promote_one() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut public = t.client();
        let id = daniel_asks(&mut daniel, "Quarrelsome xylophone question for members", json!({})).await;
        let answer_id = answer(&mut maya, id, "A **quarrelsome** answer, xylophone-shaped.").await;
        // Daniel follows his own question: Maya's answer was emailed to him.
        assert!(t.mail_to(OFFICER).await.iter().any(|m| m.contains("answered a question you follow")));

        let hidden_everywhere = |label: &str, body: &str| {
            assert!(!body.contains("Quarrelsome") && !body.contains("quarrelsome"), "{label} shows it: {body}");
        };
        let r = public.get(&format!("/questions/{id}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "the public is asked to sign in");
        hidden_everywhere("/questions", &public.get("/questions").await.body);
        hidden_everywhere("/kb", &public.get("/kb").await.body);
        assert!(public.get("/search?q=quarrelsome").await.body.contains("Nothing you may read matches"));
        hidden_everywhere("sitemap", &public.get("/sitemaps/1.xml").await.body);
        hidden_everywhere("API list", &public.api(Method::GET, "/api/v1/questions", None).await.body);
        hidden_everywhere("API search", &public.api(Method::GET, "/api/v1/search?q=xylophone", None).await.body);
        let found = maya.get("/search?q=quarrelsome").await.body.to_lowercase();
        assert!(found.contains("<mark>quarrelsome</mark>"), "members find it: {found}");

        // Staff promote it, public: now the public reads the article (and finds it).
        let r = staff.post_form(&format!("/questions/{id}/promote"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no accepted answer yet, none given");
        assert_eq!(
            daniel.post_form(&format!("/questions/{id}/answers/{answer_id}/accept"), &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let r = staff.post_form(&format!("/questions/{id}/promote"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        let article = r.location().split('?').next().unwrap().to_string();
        let page = public.get(&article).await;
        assert_eq!(page.status, StatusCode::OK, "{article}");
        assert!(page.body.contains("<strong>quarrelsome</strong>"));
        assert!(public.get("/search?q=xylophone").await.body.contains(&article));
        assert!(public.get("/sitemaps/1.xml").await.body.contains(&article));
        assert_eq!(staff.post_form(&format!("/questions/{id}/promote"), &[]).await.status, StatusCode::CONFLICT);
        assert_eq!(audit(&mut staff, "question.promoted").await["items"].as_array().unwrap().len(), 1);

        // A members-only article: members read it; the public is asked to sign in, and
        // finds it nowhere.
        let second = daniel_asks(&mut daniel, "Zanzibar question kept for members", json!({})).await;
        let r = staff
            .post_form(
                &format!("/questions/{second}/promote"),
                &[("answer", "Zanzibar answer."), ("members_only", "1")],
            )
            .await;
        let kept = r.location().split('?').next().unwrap().to_string();
        assert_eq!(maya.get(&kept).await.status, StatusCode::OK, "{:?}", t.engine);
        assert_eq!(public.get(&kept).await.status, StatusCode::SEE_OTHER);
        hidden_in(&mut public, "Zanzibar").await;
        let kept_id = t.store.kb_article_at(&kept).await.unwrap().unwrap().id;
        let r = public.api(Method::GET, &format!("/api/v1/kb/articles/{kept_id}"), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        // Unpublished (after confirming), it is gone for the public again; staff still see it.
        let article_id = t.store.kb_article_at(&article).await.unwrap().unwrap().id;
        let r = staff.post_form(&format!("/staff/kb/articles/{article_id}/publish"), &[("publish", "no")]).await;
        assert_eq!(r.status, StatusCode::OK, "first the confirmation page");
        let r = staff
            .post_form(&format!("/staff/kb/articles/{article_id}/publish"), &[("publish", "no"), ("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(public.get(&article).await.status, StatusCode::NOT_FOUND);
        assert!(!public.get("/search?q=xylophone").await.body.contains(&article));
        assert_eq!(staff.get(&article).await.status, StatusCode::OK);
        let entry = &audit(&mut staff, "kb.article_unpublished").await["items"][0];
        assert!(entry.to_string().contains("published"), "{entry}");
    }
}

/// Nothing the public can reach names `word`: lists, search, sitemap, API.
async fn hidden_in(public: &mut Client, word: &str) {
    let lower = word.to_lowercase();
    for path in ["/questions", "/kb", "/sitemaps/1.xml", "/api/v1/questions", "/api/v1/kb/articles"] {
        let body = public.get(path).await.body;
        assert!(!body.contains(word), "{path} shows {word}");
    }
    assert!(public.get(&format!("/search?q={lower}")).await.body.contains("Nothing you may read matches"));
    for path in [format!("/api/v1/search?q={lower}"), format!("/api/v1/kb/articles?q={lower}")] {
        let found = public.get(&path).await.json();
        assert_eq!(found["total"], 0, "{path} shows {word}: {found}");
    }
}

#[tokio::test]
async fn script_in_any_field_is_rendered_inert() {
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))";
    let file = format!(
        "---\nid: 77\ntitle: '<script>alert(4)</script>Title'\nanswer: '{hostile}'\nsubject: '<b>Subject</b>'\n---\n"
    );
    for t in TestApp::each_engine().await {
        import(&t, &[("hostile.md", &file)]).await.unwrap();
        let mut daniel = t.signed_in(OFFICER).await;
        let id = daniel_asks(
            &mut daniel,
            "<script>alert(5)</script> a question",
            json!({ "body": hostile, "visibility": "public" }),
        )
        .await;
        answer(&mut daniel, id, hostile).await;
        let mut public = t.client();
        for path in ["/kb/articles/77".to_string(), format!("/questions/{id}"), "/kb".into(), "/search?q=alert".into()]
        {
            let body = public.get(&path).await.body.to_lowercase();
            assert!(!body.contains("<script>alert"), "{path}: {body}");
            assert!(!body.contains("onerror="), "{path}");
            assert!(!body.contains("href=\"javascript:"), "{path}: a link never runs script");
        }
    }
}

#[tokio::test]
async fn every_role_on_every_knowledge_route() {
    use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
    for t in TestApp::each_engine().await {
        import(&t, &[("why.md", EXAMPLE), ("pdh.md", LINKED)]).await.unwrap();
        let mut daniel = t.signed_in(OFFICER).await;
        let open = daniel_asks(&mut daniel, "An open question for the matrix", json!({ "visibility": "public" })).await;
        let closed = daniel_asks(&mut daniel, "A members-only question for the matrix", json!({})).await;
        let a = answer(&mut daniel, open, "An answer.").await;
        let article = t.store.kb_article_at("/learn/engineering/questions/what-is-a-pdh").await.unwrap().unwrap().id;
        let mut clients = role_clients(&t).await;
        let public = [Ok; 5];
        // Staff and the administrator hold no member record.
        let members = [SignIn, Ok, Ok, Ok, Ok];
        let staff_page = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let staff_form = [SignIn, Forbidden, Forbidden, Done, Done];
        let rows = vec![
            (Call::Get("/kb".into()), public),
            (Call::Get("/kb/subjects/engineering".into()), public),
            (Call::Get("/learn/engineering/questions/what-is-a-pdh".into()), public),
            (Call::Get("/search?q=pdh".into()), public),
            (Call::Get("/sitemap.xml".into()), public),
            (Call::Get("/sitemaps/1.xml".into()), public),
            (Call::Get("/questions".into()), public),
            (Call::Get(format!("/questions/{open}")), public),
            (Call::Get(format!("/questions/{closed}")), members),
            (Call::Get("/questions/new".into()), members),
            (
                Call::Form(format!("/questions/{open}/answers"), &[("body", "Matrix answer.")]),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            (
                Call::Form(format!("/questions/{open}/answers/{a}/vote"), &[("direction", "up")]),
                [SignIn, Done, Forbidden, Forbidden, Forbidden],
            ),
            (
                Call::Form(format!("/questions/{open}/answers/{a}/accept"), &[]),
                [SignIn, Forbidden, Done, Forbidden, Forbidden],
            ),
            (
                Call::Form(format!("/questions/{open}/follow"), &[("follow", "yes")]),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            (Call::Form(format!("/questions/{open}/answers/{a}/hide"), &[("hidden", "no")]), staff_form),
            (Call::Form(format!("/questions/{closed}/hide"), &[("hidden", "no")]), staff_form),
            (Call::Get(format!("/questions/{open}/promote")), staff_page),
            (Call::Get(format!("/questions/{open}/history")), public),
            (Call::Get(format!("/questions/{closed}/history")), members),
            (Call::Get(format!("/questions/{open}/flag")), members),
            (
                Call::Form(format!("/questions/{open}/flag"), &[("reason", "Matrix report.")]),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            (Call::Get(format!("/questions/{open}/edit")), members),
            // Daniel asked it; staff edit anything.
            (
                Call::Form(
                    format!("/questions/{open}/edit"),
                    &[("title", "An open question, edited"), ("body", "Edited.")],
                ),
                [SignIn, Forbidden, Done, Done, Done],
            ),
            (
                Call::Form(format!("/questions/{open}/answers/{a}/edit"), &[("body", "Edited answer.")]),
                [SignIn, Forbidden, Done, Done, Done],
            ),
            (
                Call::Form(format!("/questions/{open}/comments"), &[("comment", "Matrix comment.")]),
                [SignIn, Done, Done, Forbidden, Forbidden],
            ),
            (Call::Get("/staff/kb/reports".into()), staff_page),
            (
                Call::Form("/staff/kb/reports/dismiss".into(), &[("question", "1")]),
                [SignIn, Forbidden, Forbidden, Done, NotFound],
            ),
            (Call::Get("/staff/kb".into()), staff_page),
            (Call::Get(format!("/staff/kb/articles/{article}")), staff_page),
            (Call::Get(format!("/staff/kb/articles/{article}/publish")), staff_page),
            (Call::Get(format!("/staff/kb/articles/{article}/merge")), staff_page),
            (Call::Get("/staff/kb/experts".into()), staff_page),
            (
                Call::Multipart(
                    "/staff/kb/import".into(),
                    &[("dry_run", "1")],
                    Some(("files", "why.md", EXAMPLE.as_bytes())),
                ),
                [SignIn, Forbidden, Forbidden, Ok, Ok],
            ),
            (Call::Json(Method::GET, "/api/v1/kb/articles".into(), json!(null)), public),
            (Call::Json(Method::GET, format!("/api/v1/kb/articles/{article}"), json!(null)), public),
            (Call::Json(Method::GET, "/api/v1/questions".into(), json!(null)), public),
            (Call::Json(Method::GET, "/api/v1/search?q=pdh".into(), json!(null)), public),
            (
                Call::Json(
                    Method::POST,
                    "/api/v1/questions".into(),
                    json!({ "title": "A matrix question, asked", "body": "Body." }),
                ),
                [Unauthorised, Ok, Ok, Forbidden, Forbidden],
            ),
            (
                Call::Json(Method::POST, format!("/api/v1/questions/{closed}/answers"), json!({ "body": "Matrix." })),
                [Unauthorised, Ok, Ok, Forbidden, Forbidden],
            ),
        ];
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_requests_at_once_record_one_vote_one_endorsement_and_the_posting_limit_holds() {
    for t in TestApp::each_engine().await {
        let discipline = maya_discipline(&t).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let id = daniel_asks(&mut daniel, "Concurrency: which answer wins?", json!({ "discipline": discipline })).await;
        let a = answer(&mut daniel, id, "This one.").await;
        let maya = t.signed_in(MEMBER).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let mut client = maya.clone();
            let what = if i % 2 == 0 { "endorse" } else { "vote" };
            tasks.spawn(async move {
                client.post_form(&format!("/questions/{id}/answers/{a}/{what}"), &[("direction", "up")]).await.status
            });
        }
        while let Some(status) = tasks.join_next().await {
            let status = status.unwrap();
            assert!(
                [StatusCode::SEE_OTHER, StatusCode::CONFLICT].contains(&status),
                "{:?}: a refused duplicate is a conflict, never an error ({status})",
                t.engine
            );
        }
        assert_eq!(t.store.endorsements(id).await.unwrap().len(), 1, "{:?}: one endorsement", t.engine);
        let answers = t.store.answers(id).await.unwrap();
        assert_eq!(answers[0].score, 1, "{:?}: one vote", t.engine);

        // Twenty questions at once from one member: the hourly limit (10) holds.
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let mut client = maya.clone();
            tasks.spawn(async move {
                let body = json!({ "title": format!("Burst question number {i}"), "body": "Body." });
                client.api(Method::POST, "/api/v1/questions", Some(body)).await.status
            });
        }
        let mut created = 0;
        while let Some(status) = tasks.join_next().await {
            match status.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("{:?}: unexpected {other}", t.engine),
            }
        }
        assert_eq!(created, 10, "{:?}: exactly the hourly limit got through", t.engine);
    }
}

#[tokio::test]
async fn reports_reach_the_staff_queue_once_and_edits_keep_their_history() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let id =
            daniel_asks(&mut daniel, "Which anchor bolts for a sign post?", json!({ "visibility": "public" })).await;
        let a = answer(&mut daniel, id, "Any bolt will do, buy the cheapest.").await;
        let report = [("answer", ""), ("reason", "Unsafe advice.")];
        let answer_id = a.to_string();
        let report: Vec<(&str, &str)> =
            report.iter().map(|(k, v)| if *k == "answer" { (*k, answer_id.as_str()) } else { (*k, *v) }).collect();
        for _ in 0..3 {
            let r = maya.post_form(&format!("/questions/{id}/flag"), &report).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        }
        let r = maya.post_form(&format!("/questions/{id}/flag"), &[("answer", &answer_id), ("reason", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a report says why");
        let queue = staff.get("/staff/kb/reports").await.body;
        assert_eq!(queue.matches("Unsafe advice.").count(), 1, "{:?}: one open report per member and post", t.engine);
        assert!(queue.contains("Any bolt will do"));

        // Dismissed: the queue is empty and the answer stays.
        let r = staff
            .post_form("/staff/kb/reports/dismiss", &[("question", &id.to_string()), ("answer", &answer_id)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(staff.get("/staff/kb/reports").await.body.contains("No open reports."));
        assert_eq!(audit(&mut staff, "post.reports_dismissed").await["items"].as_array().unwrap().len(), 1);

        // Daniel edits his answer: the page shows the new text, the history the old.
        assert_eq!(
            maya.post_form(&format!("/questions/{id}/answers/{a}/edit"), &[("body", "Mine now.")]).await.status,
            StatusCode::FORBIDDEN,
            "only its author or staff edit an answer"
        );
        let r = daniel
            .post_form(
                &format!("/questions/{id}/answers/{a}/edit"),
                &[("body", "Use galvanised bolts rated for the load.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mut public = t.client();
        let page = public.get(&format!("/questions/{id}")).await.body;
        assert!(page.contains("galvanised") && !page.contains("cheapest") && page.contains("Edit history (1)"));
        let history = public.get(&format!("/questions/{id}/history")).await.body;
        assert!(history.contains("cheapest") && history.contains("Daniel Reyes"), "{history}");
        assert!(public.get("/search?q=galvanised").await.body.contains(&format!("/questions/{id}")));

        // Reported again and hidden: the report closes, the public no longer sees the answer.
        maya.post_form(&format!("/questions/{id}/flag"), &report).await;
        let r = staff.post_form(&format!("/questions/{id}/answers/{a}/hide"), &[("hidden", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(staff.get("/staff/kb/reports").await.body.contains("No open reports."));
        let page = public.get(&format!("/questions/{id}")).await.body;
        assert!(!page.contains("galvanised"), "{:?}: a hidden answer is gone for the public", t.engine);
        assert!(!public.get(&format!("/questions/{id}/history")).await.body.contains("cheapest"), "and its history");
    }
}

#[tokio::test]
async fn comments_experts_and_merges_work_as_members_and_staff_expect() {
    for t in TestApp::each_engine().await {
        let mut maya = t.signed_in(MEMBER).await;
        let mut daniel = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let maya_number = t.store.member_by_user(1).await.unwrap().unwrap().member_number;

        // Staff name Maya an expert in "Geotechnical": a new question there is emailed to her.
        let r =
            staff.post_form("/staff/kb/experts", &[("subject", "Geotechnical"), ("member_number", &maya_number)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        assert!(staff.get("/staff/kb/experts").await.body.contains("Maya Okafor"));
        let id = daniel_asks(
            &mut daniel,
            "How deep should test borings go for a footing?",
            json!({ "subjects": ["geotechnical "], "visibility": "public" }),
        )
        .await;
        assert!(
            t.mail_to(MEMBER)
                .await
                .iter()
                .any(|m| m.contains("A question in your subject: How deep should test borings go")),
            "{:?}: the expert is invited to answer",
            t.engine
        );

        // Comments: plain text under the question and under an answer, for everyone to read.
        let a = answer(&mut maya, id, "Twice the footing width, as a start.").await;
        let r = maya.post_form(&format!("/questions/{id}/comments"), &[("comment", "Which soil, though?")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = daniel
            .post_form(
                &format!("/questions/{id}/comments"),
                &[("answer", &a.to_string()), ("comment", "<b>Thanks</b>!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = daniel.post_form(&format!("/questions/{id}/comments"), &[("comment", "  ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an empty comment is refused");
        let page = t.client().get(&format!("/questions/{id}")).await.body;
        assert!(page.contains("Which soil, though?") && page.contains("&#60;b&#62;Thanks&#60;/b&#62;!"), "{page}");

        // Merging: the merged article's address leads to the other, for good.
        import(&t, &[("why.md", EXAMPLE), ("pdh.md", LINKED)]).await.unwrap();
        let from = t.store.kb_article_at("/learn/engineering/questions/what-is-a-pdh").await.unwrap().unwrap().id;
        let r = staff.post_form(&format!("/staff/kb/articles/{from}/merge"), &[("into", "/nowhere")]).await;
        assert_eq!(r.status, StatusCode::OK, "the confirmation page first");
        let into = "/learn/engineering/questions/why-do-engineers-keep-a-pdh-log";
        let r = staff
            .post_form(&format!("/staff/kb/articles/{from}/merge"), &[("into", "/nowhere"), ("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no such article to merge into");
        let r =
            staff.post_form(&format!("/staff/kb/articles/{from}/merge"), &[("into", into), ("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let moved = t.client().get("/learn/engineering/questions/what-is-a-pdh").await;
        assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(moved.location(), into);
        let entry = &audit(&mut staff, "kb.article_merged").await["items"][0];
        assert!(entry["before"].to_string().contains("what-is-a-pdh") && entry["after"].to_string().contains(into));
    }
}
