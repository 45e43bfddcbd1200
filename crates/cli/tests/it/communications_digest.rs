//! The monthly digest on both engines: it lists the published events of the next six weeks,
//! the articles published and the questions answered in the last month and the new issues,
//! each linked by its absolute address, and nothing past, unpublished, hidden or unanswered;
//! titles are taken literally; an empty society gets one line; only campaign writers get it,
//! on the compose page (prefilled, then saved as usual) and through the API; the demo
//! society's digest has every section.

use axum::http::{Method, StatusCode};
use guildhall_app::communications::ListForm;
use guildhall_app::events::EventForm;
use guildhall_app::knowledge::questions::QuestionForm;
use guildhall_app::publications::{IssueForm, PublicationForm};
use guildhall_app::{Actor, App};
use guildhall_domain::communications::escape_markdown;
use guildhall_domain::events::event_time;
use guildhall_domain::identity::Role;
use guildhall_store::testing::TestDatabase;

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

/// The section headings, as readers see them.
const SECTIONS: [&str; 5] =
    ["## Upcoming events", "## New in the knowledge base", "## Questions answered", "## New issues", "## New jobs"];

/// An event title with Markdown's punctuation in it.
const TRICKY_TITLE: &str = "Load *rating* [basics] #1 {{first_name}}";

async fn actor(t: &TestApp, email: &str, role: Role) -> Actor {
    let user = t.store.user_by_email(email).await.unwrap().unwrap();
    Actor::for_account(user.id, email, &user.display_name, role)
}

/// What the seeding made: each item's address, and the titles that must not appear.
struct Seeded {
    upcoming_event: String,
    published_article: String,
    answered_question: String,
    issue: String,
    job: String,
    left_out: Vec<&'static str>,
}

/// An event `days` from now, published unless `draft`.
async fn event(app: &App, staff: &Actor, title: &str, days: i64, draft: bool) -> i64 {
    let zone = "America/Chicago";
    let starts = app.clock.unix() + days * 86_400;
    let form = EventForm {
        kind: "seminar".into(),
        title: title.into(),
        time_zone: zone.into(),
        starts: event_time(starts, zone).input,
        ends: event_time(starts + 2 * 3_600, zone).input,
        venue: "Engineers' Hall".into(),
        address: "Springfield".into(),
        capacity: "40".into(),
        ..Default::default()
    };
    let id = app.create_event(staff, &form, "test").await.expect("event created");
    if !draft {
        app.publish_event(staff, id, "test").await.expect("event published");
    }
    id
}

/// An article file dated `date`, at `/learn/digest/{slug}`.
fn article_file(id: i64, date: time::Date, title: &str, slug: &str) -> (String, String) {
    let text = format!(
        "---\nid: {id}\ndate: {date}\ntitle: >-\n    {title}\nquestion: >-\n    {title}\nanswer: >-\n    \
         An answer of some length, for the digest.\nsubject: Engineering\nurl: /learn/digest/{slug}\n---\n"
    );
    (format!("article-{id}.md"), text)
}

/// Seeds one of each thing the digest lists and one of each it must leave out.
async fn seed_news(t: &TestApp) -> Seeded {
    let app = &t.app;
    let staff = actor(t, STAFF, Role::Staff).await;
    let maya = actor(t, MEMBER, Role::Member).await;
    let daniel = actor(t, OFFICER, Role::Member).await;
    let today = app.clock.today();

    // Events: a past one, one in ten days, a draft, one beyond six weeks.
    event(app, &staff, "Last week's ethics seminar", -7, false).await;
    let upcoming = event(app, &staff, TRICKY_TITLE, 10, false).await;
    event(app, &staff, "A draft nobody announced", 12, true).await;
    event(app, &staff, "The conference after next", 70, false).await;

    // Articles: one published this week, one unpublished, one from two years ago.
    let files = vec![
        article_file(880_001, today - time::Duration::days(3), "What changed in the stormwater manual?", "stormwater"),
        article_file(880_002, today - time::Duration::days(2), "A withdrawn note on pump curves", "withdrawn"),
        article_file(880_003, today - time::Duration::days(730), "An old note on concrete curing", "old-note"),
    ];
    app.import_kb_files_as(&staff, files, false, "test").await.expect("articles imported");
    let withdrawn = t.store.kb_article_at("/learn/digest/withdrawn").await.unwrap().unwrap();
    app.set_kb_article_published(&staff, withdrawn.id, false, "test").await.unwrap();

    // Questions: one answered, one not, one answered and hidden by staff.
    let ask = |title: &str| QuestionForm {
        title: title.into(),
        body: "The details, written out for the digest.".into(),
        public: true,
        ..QuestionForm::default()
    };
    let answered = app.ask_question(&maya, &ask("How do I log a peer review for PDH?")).await.unwrap();
    app.post_answer(&daniel, answered, "Log the seminar it was part of, with its certificate.").await.unwrap();
    app.ask_question(&maya, &ask("Nobody has answered this one yet?")).await.unwrap();
    let hidden = app.ask_question(&maya, &ask("A question staff hid from view?")).await.unwrap();
    app.post_answer(&daniel, hidden, "An answer under a hidden question.").await.unwrap();
    app.hide_post(&staff, hidden, None, true, "test").await.unwrap();

    // Issues: one this week, one two months ago.
    let slug = app
        .create_publication(
            &staff,
            &PublicationForm {
                slug: "digest-journal".into(),
                name: "Digest Journal".into(),
                kind: "journal".into(),
                access: "members".into(),
                ..PublicationForm::default()
            },
            "test",
        )
        .await
        .unwrap();
    let issue = |title: &str, days_ago: i64| IssueForm {
        title: title.into(),
        published_on: (today - time::Duration::days(days_ago)).to_string(),
        ..IssueForm::default()
    };
    let new_issue = app.add_publication_issue(&staff, &slug, &issue("Winter number", 4), "test").await.unwrap();
    app.add_publication_issue(&staff, &slug, &issue("Autumn number", 60), "test").await.unwrap();

    // Jobs: one advertised this month, one advertised and then filled.
    let employer = app
        .create_employer(
            &staff,
            &guildhall_app::careers::EmployerForm { name: "Digest Dams".into(), ..Default::default() },
            "t",
        )
        .await
        .unwrap();
    let job = |title: &str| guildhall_app::careers::JobForm { title: title.into(), ..crate::careers::job_form() };
    let open_job = app.create_job(&staff, employer, &job("Spillway engineer"), true, "t").await.unwrap();
    app.review_job(&staff, open_job, true, "", "30", "t").await.unwrap();
    let filled = app.create_job(&staff, employer, &job("Filled gate designer"), true, "t").await.unwrap();
    app.review_job(&staff, filled, true, "", "30", "t").await.unwrap();
    app.close_job(&staff, employer, filled, "filled", "t").await.unwrap();

    let public = app.settings.server.public_url.trim_end_matches('/').to_string();
    Seeded {
        upcoming_event: format!("{public}/events/{upcoming}"),
        published_article: format!("{public}/learn/digest/stormwater"),
        answered_question: format!("{public}/questions/{answered}"),
        issue: format!("{public}/publications/{slug}/issues/{new_issue}"),
        job: format!("{public}/jobs/{open_job}"),
        left_out: vec![
            "Last week's ethics seminar",
            "A draft nobody announced",
            "The conference after next",
            "A withdrawn note on pump curves",
            "An old note on concrete curing",
            "Nobody has answered this one yet",
            "A question staff hid from view",
            "Autumn number",
            "Filled gate designer",
        ],
    }
}

#[tokio::test]
async fn the_digest_lists_what_is_coming_and_new_with_links_and_leaves_out_the_rest() {
    for t in TestApp::each_engine().await {
        let seeded = seed_news(&t).await;
        let staff = actor(&t, STAFF, Role::Staff).await;
        let draft = t.app.digest_draft(&staff).await.unwrap();
        let body = &draft.body;

        let society = t.app.branding().await.name;
        let today = t.app.clock.today();
        assert_eq!(
            draft.subject,
            format!("The {society} digest, {} {}", today.month(), today.year()),
            "{:?}",
            t.engine
        );
        for heading in SECTIONS {
            assert!(body.contains(heading), "{heading} on {:?}:\n{body}", t.engine);
        }
        let linked = |title: &str, link: &str| format!("[{}]({link})", escape_markdown(title));
        assert!(
            body.contains(&linked(TRICKY_TITLE, &seeded.upcoming_event)),
            "the event, linked, its title escaped:\n{body}"
        );
        // Its date and time on the society's clock, and where it is.
        let starts = t.store.event_by_id(id_in(&seeded.upcoming_event)).await.unwrap().unwrap().starts_at;
        let at = event_time(starts, &t.app.settings.events.time_zone);
        assert!(
            body.contains(&format!("{} at {} {}, Engineers' Hall, Springfield", at.date, at.time, at.zone)),
            "{body}"
        );
        assert!(body.contains(&linked("What changed in the stormwater manual?", &seeded.published_article)), "{body}");
        assert!(body.contains(&linked("How do I log a peer review for PDH?", &seeded.answered_question)), "{body}");
        assert!(body.contains(&format!("[Digest Journal: Winter number]({})", seeded.issue)), "{body}");
        assert!(body.contains(&format!("[Spillway engineer]({})", seeded.job)), "{body}");
        assert!(body.contains("Digest Dams, Texas, $70,000–$80,000 a year"), "{body}");
        for absent in &seeded.left_out {
            assert!(!body.contains(absent), "{absent} is left out on {:?}:\n{body}", t.engine);
        }

        // Taken literally: the title's punctuation stays text in the message, and its
        // `{{first_name}}` is not a merge field.
        let html = guildhall_app::knowledge::markdown::to_html(body);
        assert!(html.contains("Load *rating* [basics] #1 {{first_name}}"), "{html}");
        assert!(!html.contains("<em>rating</em>"), "{html}");
        assert_eq!(guildhall_domain::communications::fields_used(body), ["first_name"], "only the greeting's field");
    }
}

/// The id at the end of an address.
fn id_in(link: &str) -> i64 {
    link.rsplit('/').next().unwrap().parse().unwrap()
}

/// A society-wide list to send the digest under (the compose form needs one).
async fn newsletter(t: &TestApp) -> i64 {
    let staff = actor(t, STAFF, Role::Staff).await;
    let list = ListForm {
        slug: "newsletter".into(),
        name: "The Monthly Engineer".into(),
        purpose: "The monthly newsletter.".into(),
        opt: "out".into(),
        ..ListForm::default()
    };
    t.app.create_communication_list(&staff, &list, "test").await.unwrap()
}

/// A textarea's text as typed (the page escapes it for HTML).
fn textarea(page: &str, id: &str) -> String {
    let open = format!("<textarea id=\"{id}\"");
    let start = page.find(&open).unwrap_or_else(|| panic!("no #{id} in {page}"));
    let text = &page[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</textarea>").unwrap()];
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn staff_start_from_the_digest_edit_it_and_save_it_as_a_campaign() {
    for t in TestApp::each_engine().await {
        seed_news(&t).await;
        let staff_actor = actor(&t, STAFF, Role::Staff).await;
        let list = newsletter(&t).await;
        let draft = t.app.digest_draft(&staff_actor).await.unwrap();
        let mut staff = t.signed_in(STAFF).await;

        let fresh = staff.get("/campaigns/new").await;
        assert_eq!(fresh.status, StatusCode::OK);
        assert!(fresh.body.contains("<a href=\"/campaigns/new?from=digest\">Start from the monthly digest</a>"));
        assert_eq!(textarea(&fresh.body, "body"), "", "a new campaign starts empty");

        let page = staff.get("/campaigns/new?from=digest").await;
        assert_eq!(page.status, StatusCode::OK, "{:?}: {}", t.engine, page.body);
        assert_eq!(textarea(&page.body, "body"), draft.body, "the body is in the textarea on {:?}", t.engine);
        assert!(page.body.contains("Filled in from the monthly digest"));
        assert!(!page.body.contains("Start from the monthly digest"), "not offered again on its own page");

        // The API gives the same draft.
        let api = staff.api(Method::GET, "/api/v1/campaigns/digest", None).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        assert_eq!(api.json(), serde_json::json!({ "subject": draft.subject, "body": draft.body }));

        // Staff edit it and save it as any campaign.
        let edited = format!("{}\nSee you at the annual meeting.\n", draft.body);
        let list_value = list.to_string();
        let include = format!("list:{list}");
        let saved = staff
            .post_form(
                "/campaigns/new",
                &[
                    ("list_id", &list_value),
                    ("subject", &draft.subject),
                    ("body", &edited),
                    ("include", &include),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, saved.body);
        let id = id_in(saved.location().split('?').next().unwrap());
        let campaign = t.store.campaign(id).await.unwrap().unwrap();
        assert_eq!((campaign.subject, campaign.body.trim_end()), (draft.subject.clone(), edited.trim_end()));

        // A `from` it does not know is refused in words, not ignored.
        let r = staff.get("/campaigns/new?from=jobs").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("from=digest"), "{}", r.body);
    }
}

#[tokio::test]
async fn an_empty_society_gets_one_line_to_write_under() {
    for t in TestApp::each_engine().await {
        newsletter(&t).await;
        let mut staff = t.signed_in(STAFF).await;
        let r = staff.api(Method::GET, "/api/v1/campaigns/digest", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = r.json()["body"].as_str().unwrap().to_string();
        assert_eq!(body.trim_end().lines().count(), 1, "{body}");
        assert!(body.starts_with("Nothing new to report this month"), "{body}");
        assert!(SECTIONS.iter().all(|s| !body.contains(s)), "{body}");
        let page = staff.get("/campaigns/new?from=digest").await;
        assert_eq!(textarea(&page.body, "body"), body);
    }
}

#[tokio::test]
async fn only_those_who_write_campaigns_get_the_digest() {
    for t in TestApp::each_engine().await {
        let mut clients = role_clients(&t).await;
        let rows = vec![
            (Call::Get("/campaigns/new?from=digest".into()), [SignIn, Forbidden, Ok, Ok, Ok]),
            (Call::Get("/api/v1/campaigns/digest".into()), [Unauthorised, Forbidden, Ok, Ok, Ok]),
        ];
        run_matrix(&t, &mut clients, rows).await;
        // The API's refusal says why, in its error body.
        let r = clients[1].api(Method::GET, "/api/v1/campaigns/digest", None).await;
        assert_eq!(r.json()["error"]["code"], "forbidden", "{}", r.body);
        // `digest` is not mistaken for a campaign's id.
        let r = clients[3].api(Method::GET, "/api/v1/campaigns/digest", None).await;
        assert!(r.json()["subject"].as_str().unwrap().contains("digest"), "{}", r.body);
        let doc = t.client().get("/api/openapi.json").await.json();
        assert!(doc["paths"]["/api/v1/campaigns/digest"]["get"].is_object(), "documented");
    }
}

#[tokio::test]
async fn the_demo_society_s_digest_has_every_section() {
    let mut databases = vec![TestDatabase::sqlite().await.unwrap()];
    databases.extend(TestDatabase::postgres().await.unwrap());
    for db in databases {
        let mut settings = test_settings();
        settings.database.url = db.url.clone();
        let app = App::with_store(settings, db.store.clone()).await.unwrap();
        assert!(app.seed_demo_society(5).await.unwrap());
        let user = db.store.user_by_email(STAFF).await.unwrap().unwrap();
        let staff = Actor::for_account(user.id, STAFF, "Priya Natarajan", Role::Staff);
        let draft = app.digest_draft(&staff).await.unwrap();
        for heading in SECTIONS {
            assert!(draft.body.contains(heading), "{heading} on {:?}:\n{}", db.kind(), draft.body);
        }
        // The chapter officer's draft dinner is not announced; the society's webinar is.
        assert!(!draft.body.contains("Capital Chapter Dinner Meeting"), "{}", draft.body);
        assert!(draft.body.contains("Ethics for Professional Engineers"), "{}", draft.body);
        assert!(draft.body.contains("Journal of Professional Practice: Volume 12, Number 2"), "{}", draft.body);
    }
}
