//! Publications over HTTP, on both engines: staff add a journal, an issue and an article with
//! a PDF; everyone reads the abstract, citation and feed, only the allowed readers the full
//! text and the file (members; chosen tiers and groups); search finds abstracts, never full
//! texts; bad files and a repeated DOI are refused with nothing stored; every route for
//! every role.

use axum::http::{Method, StatusCode};

use crate::harness::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// Staff add a publication with `access` (and chosen boxes), an issue and one article with
/// a PDF; the article's path.
async fn journal_with_article(t: &TestApp, staff: &mut Client, slug: &str, access: &str, chosen: &[&str]) -> String {
    let mut fields: Vec<(&str, &str)> =
        vec![("name", "Journal of Practice"), ("slug", slug), ("kind", "journal"), ("access", access)];
    for c in chosen {
        fields.push(("chosen", c));
    }
    let r = staff.post_form("/staff/publications", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
    let r = staff
        .post_form(
            &format!("/staff/publications/{slug}"),
            &[("title", "Volume 1, Number 1"), ("volume", "1"), ("number", "1"), ("published_on", "2026-03-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let issue_page = r.location().split('?').next().unwrap().to_string();
    let doi = format!("https://doi.org/10.5555/{slug}.1");
    let r = staff
        .post_multipart(
            &issue_page,
            &[
                ("title", "Quokka fatigue in welded details"),
                ("authors", "Ruiz, A., & Chen, L."),
                ("summary", "An abstract about **bridges**."),
                ("body", "The full text mentions the zeppelin only here."),
                ("doi", &doi),
                ("pages", "1-9"),
            ],
            Some(("files", "article.pdf", PDF)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
    let issue_id = issue_page.rsplit('/').next().unwrap().to_string();
    let toc = staff.get(&format!("/publications/{slug}/issues/{issue_id}")).await.body;
    let start = toc.find(&format!("/publications/{slug}/articles/")).unwrap();
    toc[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn everyone_reads_abstracts_and_citations_and_only_members_the_full_text_and_files() {
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let article = journal_with_article(&t, &mut staff, "journal", "members", &[]).await;
        let mut public = t.client();
        let page = public.get(&article).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", t.engine);
        assert!(page.body.contains("An abstract about <strong>bridges</strong>."), "{}", page.body);
        assert!(page.body.contains("Ruiz, A., &amp; Chen, L. (2026). Quokka fatigue in welded details. <em>Journal of Practice</em>, 1(1), 1–9. https://doi.org/10.5555/journal.1"));
        assert!(page.body.contains("Members read the full article."));
        assert!(!page.body.contains("zeppelin") && !page.body.contains("article.pdf"), "no full text, no file");
        let file = format!("{article}/files/1");
        let r = public.get(&file).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/sign-in?next="), "back to the file after signing in");

        // A member in good standing reads it all and downloads the PDF.
        let mut maya = t.signed_in(MEMBER).await;
        let page = maya.get(&article).await.body;
        assert!(page.contains("zeppelin") && page.contains("article.pdf"), "{:?}", t.engine);
        let (status, headers, bytes) = maya.get_bytes(&file).await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
        assert_eq!(headers["content-type"], "application/pdf");

        // The feed and search carry the abstract, never the full text.
        let feed = public.get("/publications/journal/feed.atom").await.body;
        assert!(
            feed.contains("<title>Quokka fatigue in welded details</title>")
                && feed.contains("An abstract about bridges.")
        );
        assert!(!feed.contains("zeppelin"));
        assert!(public.get("/search?q=quokka").await.body.contains(&article));
        assert!(maya.get("/search?q=zeppelin").await.body.contains("Nothing you may read matches"));
        let listed = public.api(Method::GET, "/api/v1/publications", None).await.json();
        assert_eq!(listed["items"][0]["access"], "members");

        // A second article with the same DOI, or a file that is not a PDF or an image: refused,
        // nothing stored.
        let issue_page = "/staff/publications/journal/issues/1";
        let r = staff
            .post_multipart(issue_page, &[("title", "Again"), ("summary", "A."), ("doi", "10.5555/journal.1")], None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}: {}", t.engine, r.body);
        assert!(r.body.contains("Another article already has that DOI."));
        let r = staff
            .post_multipart(
                issue_page,
                &[("title", "Script"), ("summary", "A.")],
                Some(("files", "x.html", b"<script>")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("x.html is not a PDF or an image."));
        let toc = public.get("/publications/journal/issues/1").await.body;
        assert!(!toc.contains("Again") && !toc.contains(">Script<"), "{toc}");
        let entry = audit(&mut staff, "publication.article_added").await;
        assert_eq!(entry["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn chosen_tiers_and_groups_read_the_full_text_and_other_members_do_not() {
    for t in TestApp::each_engine().await {
        let maya = t.store.member_by_user(1).await.unwrap().unwrap();
        let other_tier =
            t.store.list_tiers().await.unwrap().into_iter().find(|tier| tier.id != maya.tier_id).unwrap().id;
        let mut staff = t.signed_in(STAFF).await;
        let hers = format!("tier:{}", maya.tier_id);
        let not_hers = format!("tier:{other_tier}");
        let open_to_her = journal_with_article(&t, &mut staff, "hers", "chosen", &[hers.as_str()]).await;
        let closed_to_her = journal_with_article(&t, &mut staff, "others", "chosen", &[not_hers.as_str()]).await;
        let mut maya_client = t.signed_in(MEMBER).await;
        assert!(maya_client.get(&open_to_her).await.body.contains("zeppelin"), "{:?}", t.engine);
        let page = maya_client.get(&closed_to_her).await.body;
        assert!(!page.contains("zeppelin") && page.contains("Members read the full article."));
        assert_eq!(maya_client.get(&format!("{closed_to_her}/files/1")).await.status, StatusCode::FORBIDDEN);
        assert!(staff.get(&closed_to_her).await.body.contains("zeppelin"), "staff read everything");
        // Chosen access with nothing chosen is refused.
        let r = staff
            .post_form(
                "/staff/publications",
                &[("name", "Empty"), ("slug", "empty"), ("kind", "journal"), ("access", "chosen")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn every_role_on_every_publications_route() {
    use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
    for t in TestApp::each_engine().await {
        let mut staff = t.signed_in(STAFF).await;
        let article = journal_with_article(&t, &mut staff, "matrix", "members", &[]).await;
        let mut clients = role_clients(&t).await;
        let public = [Ok; 5];
        let staff_page = [SignIn, Forbidden, Forbidden, Ok, Ok];
        let rows = vec![
            (Call::Get("/publications".into()), public),
            (Call::Get("/publications/matrix".into()), public),
            (Call::Get("/publications/matrix/issues/1".into()), public),
            (Call::Get(article.clone()), public),
            (Call::Get("/publications/matrix/feed.atom".into()), public),
            // Staff and the administrator read every file; members in good standing too.
            (Call::Get(format!("{article}/files/1")), [SignIn, Ok, Ok, Ok, Ok]),
            (Call::Get("/staff/publications".into()), staff_page),
            (Call::Get("/staff/publications/matrix".into()), staff_page),
            (Call::Get("/staff/publications/matrix/issues/1".into()), staff_page),
            (
                Call::Form(
                    "/staff/publications/matrix".into(),
                    &[("title", "Matrix issue"), ("published_on", "2026-01-01")],
                ),
                [SignIn, Forbidden, Forbidden, Done, Done],
            ),
            (
                Call::Multipart(
                    "/staff/publications/matrix/issues/1".into(),
                    &[("title", "M"), ("summary", "S")],
                    None,
                ),
                [SignIn, Forbidden, Forbidden, Done, Done],
            ),
            (Call::Json(Method::GET, "/api/v1/publications".into(), serde_json::json!(null)), public),
        ];
        run_matrix(&t, &mut clients, rows).await;
    }
}
