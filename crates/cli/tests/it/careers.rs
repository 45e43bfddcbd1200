//! The career centre's jobs over HTTP, on both engines: an employer's recruiter writes a job
//! that asks for a Texas PE; it is nobody else's to see until staff approve it and it runs;
//! "jobs I qualify for" follows the member's own licences; a change sends it back for review;
//! closing and expiry take it out; the pay range is required; another employer's recruiter
//! finds nothing; reviews and owners racing each other; every route for every role.

use axum::http::{Method, StatusCode};
use guildhall_app::Actor;
use guildhall_app::careers::{EmployerForm, JobForm, RequirementRow};
use guildhall_app::records::OrderOf;
use guildhall_domain::identity::Role;

use crate::authorisation::{Call, Outcome::*, role_clients, run_matrix};
use crate::harness::*;

/// Waits for every spawned task, in order.
pub(crate) async fn join_all<T>(
    tasks: impl IntoIterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await);
    }
    out
}

/// The job form's fields for a civil job in Austin asking for a Texas PE.
pub(crate) fn texas_job(title: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", title),
        ("description", "Design **bridges** across Texas."),
        ("discipline", "civil"),
        ("career_stage", "licensed"),
        ("jurisdiction", "US-TX"),
        ("city", "Austin"),
        ("remote", "hybrid"),
        ("salary_min", "95000"),
        ("salary_max", "120000"),
        ("pay_period", "year"),
        ("closes_on", ""),
        ("need_1", "required"),
        ("what_1", "PE"),
        ("jurisdiction_1", "US-TX"),
        ("need_2", "preferred"),
        ("what_2", "SE"),
        ("jurisdiction_2", ""),
    ]
}

/// The id at `segment` of a redirect's path (`/employer/3/jobs?done=…` → 3 with `segment` 2).
pub(crate) fn id_in(location: &str, segment: usize) -> i64 {
    location.split('?').next().unwrap().split('/').nth(segment).unwrap().parse().unwrap()
}

/// `who` creates an employer account over HTTP; its id.
pub(crate) async fn employer(client: &mut Client, name: &str) -> i64 {
    let r = client.post_form("/employer", &[("name", name), ("website", "https://example.org"), ("about", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id_in(r.location(), 2)
}

/// A recruiter writes a job (a draft, or sent for review with `submit`); its id.
pub(crate) async fn write_job(client: &mut Client, employer: i64, fields: &[(&str, &str)], submit: bool) -> i64 {
    let mut fields = fields.to_vec();
    fields.push(("submit", if submit { "yes" } else { "no" }));
    let r = client.post_form(&format!("/employer/{employer}/jobs"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id_in(r.location(), 4)
}

/// A job asking for a Texas PE, sent for review and approved by staff with a 30-day run:
/// live. Its id.
pub(crate) async fn live_job(recruiter: &mut Client, staff: &mut Client, employer: i64, title: &'static str) -> i64 {
    let job = write_job(recruiter, employer, &texas_job(title), true).await;
    let r = staff
        .post_form(&format!("/staff/jobs/{job}/review"), &[("decision", "approve"), ("days", "30"), ("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    job
}

fn listed(body: &str, job: i64) -> bool {
    body.contains(&format!("href=\"/jobs/{job}\""))
}

#[tokio::test]
async fn a_job_is_public_only_approved_and_running_and_members_see_what_they_qualify_for() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut guest = t.client();
        let mut maya = t.signed_in(MEMBER).await;
        let employer = employer(&mut recruiter, "Lone Star Bridges").await;
        let job = write_job(&mut recruiter, employer, &texas_job("Bridge engineer"), false).await;
        let page = format!("/jobs/{job}");

        // A draft is its recruiters' alone.
        assert_eq!(guest.get(&page).await.status, StatusCode::NOT_FOUND, "{:?}", t.engine);
        assert_eq!(maya.get(&page).await.status, StatusCode::NOT_FOUND);
        let own = recruiter.get(&page).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("Draft: only your recruiters see it"), "{}", own.body);
        assert!(!listed(&guest.get("/jobs").await.body, job));

        // Sent for review: still nobody else's, and in staff's queue.
        let r = recruiter.post_form(&format!("/employer/{employer}/jobs/{job}/submit"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(guest.get(&page).await.status, StatusCode::NOT_FOUND);
        assert!(staff.get("/staff/jobs").await.body.contains("Bridge engineer"));

        // Approved with a 30-day run: public, searchable, and its recruiters are told.
        let r = staff
            .post_form(&format!("/staff/jobs/{job}/review"), &[("decision", "approve"), ("days", "30"), ("note", "")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(t.mail_to(OFFICER).await.iter().any(|m| m.contains("Approved: Bridge engineer")));
        let public = guest.get(&page).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.body.contains("$95,000–$120,000 a year") && public.body.contains("PE licensed in Texas"));
        // Search engines read it as a JobPosting; aggregators read the feed.
        let ld = public
            .body
            .split("<script type=\"application/ld+json\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
        assert_eq!(
            (ld["@type"].as_str(), ld["baseSalary"]["value"]["minValue"].as_f64()),
            (Some("JobPosting"), Some(95000.0))
        );
        assert_eq!(ld["jobLocation"]["address"]["addressRegion"], "TX");
        let feed = guest.get("/jobs/feed.atom?discipline=civil").await;
        assert!(feed.body.contains("<title>Bridge engineer</title>"), "{}", feed.body);
        assert!(!guest.get("/jobs/feed.atom?discipline=mechanical").await.body.contains("Bridge engineer"));
        assert!(listed(&guest.get("/jobs").await.body, job));
        assert!(listed(&guest.get("/jobs?discipline=civil&jurisdiction=TX&licence=PE&pay=100000").await.body, job));
        assert!(!listed(&guest.get("/jobs?pay=130000").await.body, job), "pays at most 120,000");
        assert!(!listed(&guest.get("/jobs?remote=remote").await.body, job));
        assert!(listed(&guest.get(&format!("/employers/{employer}")).await.body, job));

        // Maya holds a current Texas PE: the job is among those she qualifies for, and its
        // page says so; staff have no member record, so nothing qualifies for them.
        let mine = maya.get("/jobs?qualified=1").await.body;
        assert!(listed(&mine, job), "{mine}");
        assert!(maya.get(&page).await.body.contains("Your record meets every required licence"));
        assert!(!listed(&staff.get("/jobs?qualified=1").await.body, job));
        // A guest asking for "jobs I qualify for" is asked to sign in.
        let r = guest.get("/jobs?qualified=1").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/sign-in?next="));

        // A bad filter is a clear 422 naming it.
        let r = guest.get("/jobs?discipline=alchemy").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Choose a discipline from the list."));

        // A change sends it back for review: out of search until approved again.
        let mut changed = texas_job("Senior bridge engineer");
        changed.push(("submit", "no"));
        let r = recruiter.post_form(&format!("/employer/{employer}/jobs/{job}"), &changed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(guest.get(&page).await.status, StatusCode::NOT_FOUND);
        let r = staff
            .post_form(&format!("/staff/jobs/{job}/review"), &[("decision", "approve"), ("days", ""), ("note", "")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(guest.get(&page).await.body.contains("Senior bridge engineer"), "back in its run");

        // Closing as filled takes it out at once (confirmed first).
        let close = format!("/employer/{employer}/jobs/{job}/close");
        let r = recruiter.post_form(&close, &[("reason", "filled")]).await;
        assert_eq!(r.status, StatusCode::OK, "a confirmation page first");
        assert_eq!(guest.get(&page).await.status, StatusCode::OK);
        let r = recruiter.post_form(&close, &[("reason", "filled"), ("confirmed", "yes")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(guest.get(&page).await.status, StatusCode::NOT_FOUND);
        assert!(recruiter.get(&page).await.body.contains("Closed: filled"));

        // A run ends: a second job approved for 7 days is gone 8 days later.
        let second = write_job(&mut recruiter, employer, &texas_job("Inspector"), true).await;
        staff
            .post_form(&format!("/staff/jobs/{second}/review"), &[("decision", "approve"), ("days", "7"), ("note", "")])
            .await;
        assert_eq!(guest.get(&format!("/jobs/{second}")).await.status, StatusCode::OK);
        t.app.clock.advance(8 * 86_400);
        assert_eq!(guest.get(&format!("/jobs/{second}")).await.status, StatusCode::NOT_FOUND);
        assert!(!listed(&guest.get("/jobs").await.body, second));
    }
}

#[tokio::test]
async fn the_pay_range_is_required_and_every_problem_is_named_with_nothing_stored() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let employer = employer(&mut recruiter, "Gulf Coast Civil").await;
        let mut fields: Vec<(&str, &str)> = texas_job("Drainage engineer")
            .into_iter()
            .map(|(k, v)| match k {
                "salary_min" => (k, "120000"),
                "salary_max" => (k, "90000"),
                "closes_on" => (k, "2001-01-01"),
                "what_2" => (k, "PE"),
                "jurisdiction_2" => (k, "US-TX"),
                _ => (k, v),
            })
            .collect();
        fields.push(("submit", "yes"));
        let r = recruiter.post_form(&format!("/employer/{employer}/jobs"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", t.engine);
        for message in ["The closing date has passed", "This requirement is already listed."] {
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        assert!(r.body.contains("id=\"salary_max-error\""), "the maximum is named: {}", r.body);
        let no_pay: Vec<(&str, &str)> =
            fields.iter().map(|&(k, v)| if k.starts_with("salary_") { (k, "") } else { (k, v) }).collect();
        let r = recruiter.post_form(&format!("/employer/{employer}/jobs"), &no_pay).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"salary_min-error\"") && r.body.contains("id=\"salary_max-error\""));
        let page = recruiter.get(&format!("/employer/{employer}/jobs")).await.body;
        assert!(page.contains("No jobs yet"), "nothing stored: {page}");
        // An employer without a name, a website that is not one.
        let r = recruiter.post_form("/employer", &[("name", ""), ("website", "javascript:alert(1)")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Enter the employer"), "{}", r.body);
        assert!(r.body.contains("The website must be a web address starting with https://."));
    }
}

#[tokio::test]
async fn another_employers_recruiter_finds_nothing_and_owners_manage_recruiters() {
    for t in TestApp::each_engine().await {
        t.app.create_verified_user("bea@example.org", "Bea Recruiter", PASSWORD, Role::Member).await.unwrap();
        let mut a = t.signed_in(OFFICER).await;
        let mut b = t.signed_in("bea@example.org").await;
        let employer_a = employer(&mut a, "Alamo Structures").await;
        let employer_b = employer(&mut b, "Brazos Water").await;
        let job = write_job(&mut a, employer_a, &texas_job("Structural engineer"), true).await;
        for path in [
            format!("/employer/{employer_a}/jobs"),
            format!("/employer/{employer_a}/jobs/{job}"),
            format!("/employer/{employer_a}/jobs/{job}/edit"),
            format!("/employer/{employer_a}/recruiters"),
            format!("/employer/{employer_b}/jobs/{job}"),
            format!("/jobs/{job}"),
        ] {
            assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND, "{path} on {:?}", t.engine);
        }
        for path in [
            format!("/employer/{employer_a}/jobs/{job}/submit"),
            format!("/employer/{employer_b}/jobs/{job}/submit"),
            format!("/employer/{employer_a}/recruiters"),
        ] {
            let r = b.post_form(&path, &[("email", "bea@example.org")]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}");
        }
        assert!(!b.get("/employer").await.body.contains("Alamo Structures"));

        // A's owner adds Bea as a recruiter (not an owner): she sees the job and is told, but
        // cannot manage recruiters; she can leave.
        let r = a.post_form(&format!("/employer/{employer_a}/recruiters"), &[("email", "bea@example.org")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            t.mail_to("bea@example.org").await.iter().any(|m| m.contains("You can now recruit for Alamo Structures"))
        );
        assert_eq!(b.get(&format!("/employer/{employer_a}/jobs/{job}")).await.status, StatusCode::OK);
        let r = b.post_form(&format!("/employer/{employer_a}/recruiters"), &[("email", MEMBER)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = a.post_form(&format!("/employer/{employer_a}/recruiters"), &[("email", "bea@example.org")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("They already recruit for this employer."));
        let r = a.post_form(&format!("/employer/{employer_a}/recruiters"), &[("email", "nobody@example.org")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("No account uses that address."));

        // The only owner cannot leave; a member without an employer sees none of it.
        let officer = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
        let r = a
            .post_form(&format!("/employer/{employer_a}/recruiters/{}/remove", officer.id), &[("confirmed", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("An employer needs an owner"));
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.get(&format!("/employer/{employer_a}/jobs")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            audit(&mut t.signed_in(STAFF).await, "employer.recruiter_added").await["items"][0]["subject"],
            "Alamo Structures: bea@example.org"
        );
    }
}

/// Maya's actor, as a session would resolve it.
async fn maya_actor(t: &TestApp) -> Actor {
    let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
    Actor::for_account(user.id, &user.email, &user.display_name, Role::Member)
}

/// Staff's actor, as a session would resolve it.
pub(crate) async fn staff_actor(t: &TestApp) -> Actor {
    let user = t.store.user_by_email(STAFF).await.unwrap().unwrap();
    Actor::for_account(user.id, &user.email, &user.display_name, Role::Staff)
}

pub(crate) fn job_form() -> JobForm {
    JobForm {
        title: "Hydraulics engineer".into(),
        description: "Culverts.".into(),
        discipline: "civil".into(),
        career_stage: "eit".into(),
        jurisdiction: "US-TX".into(),
        remote: "on_site".into(),
        salary_min: "70000".into(),
        salary_max: "80000".into(),
        pay_period: "year".into(),
        requirements: vec![RequirementRow { need: "required".into(), what: "PE".into(), jurisdiction: "US-TX".into() }],
        ..JobForm::default()
    }
}

#[tokio::test]
async fn sixteen_reviews_at_once_approve_once_and_grant_one_run() {
    for t in TestApp::each_engine().await {
        let staff = staff_actor(&t).await;
        let employer = t
            .app
            .create_employer(&staff, &EmployerForm { name: "Pecos Hydro".into(), ..Default::default() }, "t")
            .await
            .unwrap();
        let job = t.app.create_job(&staff, employer, &job_form(), true, "t").await.unwrap();
        let reviews = (0..16).map(|i| {
            let (app, staff) = (t.app.clone(), staff.clone());
            tokio::spawn(async move { app.review_job(&staff, job, i % 2 == 0, "Looks fine.", "30", "t").await })
        });
        let outcomes: Vec<_> = join_all(reviews).await.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{:?}: {outcomes:?}", t.engine);
        assert!(
            outcomes.iter().filter(|o| o.is_err()).all(|o| matches!(o, Err(guildhall_app::AppError::Conflict { .. })))
        );
        let stored = t.store.job(job).await.unwrap().unwrap();
        if let (Some(from), Some(until)) = (stored.live_from, stored.live_until) {
            assert_eq!(until - from, 30 * 86_400, "one run of 30 days, not sixteen");
        }
    }
}

#[tokio::test]
async fn two_owners_removing_each_other_at_once_leave_one() {
    for t in TestApp::each_engine().await {
        let staff = staff_actor(&t).await;
        let mut owners = Vec::new();
        for i in 0..2 {
            let email = format!("owner{i}@example.org");
            let id = t.app.create_verified_user(&email, &format!("Owner {i}"), PASSWORD, Role::Member).await.unwrap();
            owners.push(Actor::for_account(id, &email, &format!("Owner {i}"), Role::Member));
        }
        let employer = t
            .app
            .create_employer(&owners[0], &EmployerForm { name: "Rio Grande Rail".into(), ..Default::default() }, "t")
            .await
            .unwrap();
        t.app.add_recruiter(&owners[0], employer, "owner1@example.org", true, "t").await.unwrap();
        let removals = [(0, 1), (1, 0)].map(|(who, whom)| {
            let (app, actor, whom) = (t.app.clone(), owners[who].clone(), owners[whom].user_id);
            tokio::spawn(async move { app.remove_recruiter(&actor, employer, whom, "t").await })
        });
        let outcomes: Vec<_> = join_all(removals).await.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{:?}: {outcomes:?}", t.engine);
        let left = t.app.employer_account(&staff, employer).await.unwrap().recruiters;
        assert_eq!(left.len(), 1);
        assert!(left[0].is_owner);
    }
}

#[tokio::test]
async fn every_role_on_every_careers_route() {
    for t in TestApp::each_engine().await {
        // The chapter officer recruits for an employer; the member recruits for none.
        let mut officer = t.signed_in(OFFICER).await;
        let employer = employer(&mut officer, "Trinity Transit").await;
        let draft = write_job(&mut officer, employer, &texas_job("Transit planner"), false).await;
        let pending = write_job(&mut officer, employer, &texas_job("Signal engineer"), true).await;
        let mut staff = t.signed_in(STAFF).await;
        let live = live_job(&mut officer, &mut staff, employer, "Rail engineer").await;
        let e = |path: &str| format!("/employer/{employer}{path}");
        // A job alert of the member's: nobody else's to see or stop.
        let user = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        let maya = Actor::for_account(user.id, &user.email, &user.display_name, Role::Member);
        let request = guildhall_app::careers::JobAlertRequest {
            filter: vec![("q".into(), "rail".into())],
            frequency: "weekly".into(),
            email: String::new(),
        };
        let client = guildhall_app::accounts::ClientInfo { ip: "192.0.2.1".into(), user_agent: "t".into() };
        t.app.save_job_alert(Some(&maya), &request, &client).await.unwrap();
        let alert = t.app.my_job_alerts(&maya).await.unwrap()[0].id;
        // An API token of the employer's, issued by its owner (the officer).
        let officer_user = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
        let owner = Actor::for_account(officer_user.id, OFFICER, &officer_user.display_name, Role::Member);
        t.app.issue_employer_token(&owner, employer, "Greenhouse", None, "t").await.unwrap();
        let token = t.store.employer_api_tokens(employer).await.unwrap()[0].token.id;
        let mut job_fields = texas_job("Rail engineer II");
        job_fields.push(("submit", "no"));
        let job_fields: &'static [(&'static str, &'static str)] = Box::leak(job_fields.into_boxed_slice());
        let rows = vec![
            (Call::Get("/jobs".into()), [Ok, Ok, Ok, Ok, Ok]),
            (Call::Get(format!("/jobs/{live}")), [Ok, Ok, Ok, Ok, Ok]),
            (Call::Get(format!("/jobs/{draft}")), [NotFound, NotFound, Ok, Ok, Ok]),
            (Call::Get(format!("/jobs/{pending}")), [NotFound, NotFound, Ok, Ok, Ok]),
            (Call::Get(format!("/employers/{employer}")), [Ok, Ok, Ok, Ok, Ok]),
            (Call::Get("/employer".into()), [SignIn, Ok, Ok, Ok, Ok]),
            (Call::Get(e("/jobs")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(e("/jobs/new")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(e(&format!("/jobs/{draft}"))), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(e(&format!("/jobs/{draft}/edit"))), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(e(&format!("/jobs/{draft}/close?reason=withdrawn"))), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get(e("/recruiters")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Form(e(&format!("/jobs/{draft}")), job_fields), [SignIn, NotFound, Done, Done, Done]),
            (Call::Form(e("/jobs"), job_fields), [SignIn, NotFound, Done, Done, Done]),
            (Call::Form(e(""), &[("name", "Trinity Transit Authority")]), [SignIn, NotFound, Done, Done, Done]),
            (Call::Get(e("/tokens")), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Form(e("/tokens"), &[("name", "Lever")]), [SignIn, NotFound, Ok, Forbidden, Forbidden]),
            (Call::Get(e(&format!("/tokens/{token}/revoke"))), [SignIn, NotFound, Ok, Ok, Ok]),
            (
                Call::Form(e(&format!("/tokens/{token}/revoke")), &[("confirmed", "yes")]),
                [SignIn, NotFound, Done, NotFound, NotFound],
            ),
            (Call::Get("/account/applications".into()), [SignIn, Ok, Ok, Ok, Ok]),
            (Call::Get("/jobs/alerts/new?discipline=civil".into()), [Ok, Ok, Ok, Ok, Ok]),
            (
                Call::Form("/jobs/alerts/new".into(), &[("discipline", "civil"), ("frequency", "daily")]),
                [Invalid, Done, Done, Done, Done],
            ),
            (Call::Get("/account/job-alerts".into()), [SignIn, Ok, Ok, Ok, Ok]),
            (Call::Get(format!("/account/job-alerts/{alert}/stop")), [SignIn, Ok, NotFound, NotFound, NotFound]),
            (Call::Get("/jobs/alerts/stop/1-00ff".into()), [NotFound, NotFound, NotFound, NotFound, NotFound]),
            (Call::Get("/jobs/alerts/confirm?token=forged".into()), [NotFound, NotFound, NotFound, NotFound, NotFound]),
            (Call::Get(format!("/jobs/{live}/apply")), [SignIn, Ok, Ok, Forbidden, Forbidden]),
            (Call::Get(format!("/jobs/{draft}/apply")), [SignIn, NotFound, NotFound, Forbidden, Forbidden]),
            (Call::Get(e(&format!("/jobs/{live}/applications"))), [SignIn, NotFound, Ok, Ok, Ok]),
            (Call::Get("/staff/jobs".into()), [SignIn, Forbidden, Forbidden, Ok, Ok]),
            (Call::Get("/staff/jobs/products".into()), [SignIn, Forbidden, Forbidden, Ok, Ok]),
            (
                Call::Form(
                    "/staff/jobs/products/1".into(),
                    &[("price", "310"), ("member_price", "200"), ("active", "yes")],
                ),
                [SignIn, Forbidden, Forbidden, Done, Done],
            ),
            (
                Call::Form(
                    "/staff/jobs/products/1".into(),
                    &[("price", "100"), ("member_price", "200"), ("active", "yes")],
                ),
                [SignIn, Forbidden, Forbidden, Invalid, Invalid],
            ),
            (Call::Get(format!("/staff/jobs/{pending}")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
            (Call::Get(format!("/staff/jobs/{live}/take-down")), [SignIn, Forbidden, Forbidden, Ok, Ok]),
            (
                Call::Form(
                    format!("/staff/jobs/{pending}/review"),
                    &[("decision", "reject"), ("note", "Add the hours.")],
                ),
                [SignIn, Forbidden, Forbidden, Done, Conflict],
            ),
            (Call::Form(e(&format!("/jobs/{pending}/submit")), &[]), [SignIn, NotFound, Done, Conflict, Conflict]),
            (
                Call::Form(e(&format!("/jobs/{draft}/close")), &[("reason", "withdrawn"), ("confirmed", "yes")]),
                [SignIn, NotFound, Done, Conflict, Conflict],
            ),
        ];
        let mut clients = role_clients(&t).await;
        run_matrix(&t, &mut clients, rows).await;
    }
}

#[tokio::test]
async fn a_job_runs_only_once_approved_and_paid_and_a_second_run_extends_it() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut guest = t.client();
        let employer = employer(&mut recruiter, "Hill Country Geotech").await;
        let job = write_job(&mut recruiter, employer, &texas_job("Geotechnical engineer"), true).await;
        let page = format!("/jobs/{job}");

        // Ordered and paid before approval: not advertised.
        let r =
            recruiter.post_form(&format!("/employer/{employer}/jobs/{job}/postings"), &[("product", "job-30")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", t.engine, r.body);
        let pay = r.location().to_string();
        assert!(pay.ends_with("/pay"), "{pay}");
        let form = recruiter.get(&pay).await;
        assert!(form.body.contains("$295.00") && form.body.contains("Job posting, 30 days: Geotechnical engineer"));
        // Only the recruiter who ordered it pays; nobody else finds it.
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.get(&pay).await.status, StatusCode::NOT_FOUND);
        let r = recruiter.post_form(&pay, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().ends_with("done=run_paid"));
        assert!(t.mail_to(OFFICER).await.iter().any(|m| m.contains("receipt")), "a receipt");
        assert_eq!(guest.get(&page).await.status, StatusCode::NOT_FOUND, "paid but not approved");

        // Approval starts the paid run at once: 30 days.
        let r = staff
            .post_form(&format!("/staff/jobs/{job}/review"), &[("decision", "approve"), ("days", ""), ("note", "")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(guest.get(&page).await.status, StatusCode::OK);
        let run = |j: guildhall_app::records::JobRecord| j.live_until.unwrap() - j.live_from.unwrap();
        assert_eq!(run(t.store.job(job).await.unwrap().unwrap()), 30 * 86_400);

        // A second, featured run ordered while it runs: approved already, unpaid, nothing
        // changes; paid through the invoice page (as a webhook would settle it), the minute
        // job starts it once and the run is extended, featured.
        let r = recruiter
            .post_form(&format!("/employer/{employer}/jobs/{job}/postings"), &[("product", "job-30-featured")])
            .await;
        let pay = r.location().to_string();
        let again =
            recruiter.post_form(&format!("/employer/{employer}/jobs/{job}/postings"), &[("product", "job-90")]).await;
        assert_eq!(again.location(), pay, "one order waits at a time: a second click finds it");
        assert_eq!(run(t.store.job(job).await.unwrap().unwrap()), 30 * 86_400);
        let invoice = t.store.product_orders(OrderOf::Job(job)).await.unwrap()[0].invoice_id.unwrap();
        let r = recruiter.post_form(&format!("/invoices/{invoice}/pay"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(run(t.store.job(job).await.unwrap().unwrap()), 30 * 86_400, "not before the minute job");
        assert_eq!(t.app.start_paid_postings().await.unwrap(), 1);
        assert_eq!(t.app.start_paid_postings().await.unwrap(), 0, "started once");
        let stored = t.store.job(job).await.unwrap().unwrap();
        assert_eq!(run(stored.clone()), 60 * 86_400);
        assert!(stored.featured);
        assert!(guest.get("/jobs").await.body.contains("Featured"));
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn a_member_applies_once_shares_what_they_choose_and_sees_the_employer_move_it() {
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let mut staff = t.signed_in(STAFF).await;
        let mut maya = t.signed_in(MEMBER).await;
        let employer = employer(&mut recruiter, "Permian Pipelines").await;
        let job = live_job(&mut recruiter, &mut staff, employer, "Pipeline engineer").await;
        let draft = write_job(&mut recruiter, employer, &texas_job("Draft role"), false).await;

        // The apply page offers her own licences; she shares only the Texas one.
        let maya_id =
            t.store.member_by_user(t.store.user_by_email(MEMBER).await.unwrap().unwrap().id).await.unwrap().unwrap().id;
        let held = t.store.ce_credentials(maya_id).await.unwrap();
        let texas = held.iter().find(|r| r.label == "US-TX").unwrap().key();
        assert!(held.iter().any(|r| r.label == "US-FL"), "she holds a Florida licence she does not share");
        let form = maya.get(&format!("/jobs/{job}/apply")).await;
        assert_eq!(form.status, StatusCode::OK, "{:?}", t.engine);
        assert!(form.body.contains("PE licensed in Texas") && form.body.contains("PE licensed in Florida"));
        let apply = format!("/jobs/{job}/apply");
        let fields = [("cover_letter", "I design bridges."), ("share", texas.as_str())];
        let r = maya.post_multipart(&apply, &fields, Some(("resume", "cv.txt", b"not a pdf"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("The resume must be a PDF."));
        let r = maya.post_multipart(&format!("/jobs/{draft}/apply"), &fields, Some(("resume", "cv.pdf", PDF))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "a draft cannot be applied for");
        let r = maya.post_multipart(&apply, &fields, Some(("resume", "cv.pdf", PDF))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mine = r.location().split('?').next().unwrap().to_string();
        let application: i64 = mine.rsplit('/').next().unwrap().parse().unwrap();
        let r = maya.post_multipart(&apply, &fields, Some(("resume", "cv.pdf", PDF))).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("You have already applied for this job"));
        assert!(t.mail_to(MEMBER).await.iter().any(|m| m.contains("Your application: Pipeline engineer")));
        assert!(t.mail_to(OFFICER).await.iter().any(|m| m.contains("New application: Pipeline engineer")));

        // The employer sees the application, the chosen licence only, and the resume.
        let base = format!("/employer/{employer}/jobs/{job}/applications");
        assert!(recruiter.get(&base).await.body.contains("Maya"));
        let page = recruiter.get(&format!("{base}/{application}")).await.body;
        assert!(page.contains("PE licensed in Texas") && !page.contains("Florida"), "{page}");
        // With its continuing education as her own CE page shows it that day.
        let texas = t.app.ce_dashboard(&maya_actor(&t).await, None).await.unwrap();
        let texas =
            texas.credentials.iter().find(|c| c.held.contains("Texas")).and_then(|c| c.current.clone()).unwrap();
        let standing = format!("Continuing education: {} for the period ending {}", texas.status_words, texas.end);
        assert!(page.contains(&standing), "{standing} in {page}");
        let (status, headers, bytes) = recruiter.get_bytes(&format!("{base}/{application}/resume.pdf")).await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));

        // Another employer's recruiter and another member find none of it.
        t.app.create_verified_user("bea@example.org", "Bea Recruiter", PASSWORD, Role::Member).await.unwrap();
        let mut bea = t.signed_in("bea@example.org").await;
        let other = self::employer(&mut bea, "Other Co").await;
        for path in [
            base.clone(),
            format!("{base}/{application}"),
            format!("{base}/{application}/resume.pdf"),
            format!("/employer/{other}/jobs/{job}/applications/{application}"),
        ] {
            assert_eq!(bea.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(recruiter.get(&mine).await.status, StatusCode::NOT_FOUND, "the officer's own applications only");

        // Moved to interview: she sees it and is told.
        let r = recruiter
            .post_form(&format!("{base}/{application}/stage"), &[("stage", "interview"), ("message", "Tuesday at 10?")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = maya.get(&mine).await.body;
        assert!(page.contains("<strong>Interview</strong>") && page.contains("Tuesday at 10?"), "{page}");
        assert!(
            t.mail_to(MEMBER).await.iter().any(|m| m.contains("Your application for Pipeline engineer: Interview"))
        );

        // A withdrawal racing a move: it ends withdrawn, the resume is no longer the
        // employer's, and a later move is refused.
        let recruiter_actor = {
            let u = t.store.user_by_email(OFFICER).await.unwrap().unwrap();
            t.app.with_employer_roles(&Actor::for_account(u.id, &u.email, &u.display_name, Role::Member)).await.unwrap()
        };
        let maya_actor = {
            let u = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
            Actor::for_account(u.id, &u.email, &u.display_name, Role::Member)
        };
        let (a1, a2) = (t.app.clone(), t.app.clone());
        let moving = tokio::spawn(async move {
            a1.move_application(&recruiter_actor, (employer, job, application), "offer", "").await
        });
        let withdrawing = tokio::spawn(async move { a2.withdraw_application(&maya_actor, application).await });
        let (moved, withdrew) = (moving.await.unwrap(), withdrawing.await.unwrap());
        assert!(withdrew.is_ok(), "{moved:?} {withdrew:?}");
        let stored = t.store.application(application).await.unwrap().unwrap();
        assert_eq!(stored.stage, guildhall_domain::careers::ApplicationStage::Withdrawn);
        let r = recruiter.post_form(&format!("{base}/{application}/stage"), &[("stage", "hired")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(recruiter.get_bytes(&format!("{base}/{application}/resume.pdf")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(maya.get_bytes(&format!("{mine}/resume.pdf")).await.0, StatusCode::OK, "her own copy stays hers");
    }
}

#[tokio::test]
async fn two_applications_at_once_make_one() {
    for t in TestApp::each_engine().await {
        let staff = staff_actor(&t).await;
        let employer = t
            .app
            .create_employer(&staff, &EmployerForm { name: "Concho Valley".into(), ..Default::default() }, "t")
            .await
            .unwrap();
        let job = t.app.create_job(&staff, employer, &job_form(), true, "t").await.unwrap();
        t.app.review_job(&staff, job, true, "", "30", "t").await.unwrap();
        let u = t.store.user_by_email(MEMBER).await.unwrap().unwrap();
        let maya = Actor::for_account(u.id, &u.email, &u.display_name, Role::Member);
        let attempts = (0..8).map(|_| {
            let (app, maya) = (t.app.clone(), maya.clone());
            tokio::spawn(async move {
                let resume = guildhall_app::uploads::Upload { file_name: "cv.pdf".into(), bytes: PDF.to_vec() };
                app.apply_to_job(&maya, job, &guildhall_app::careers::ApplicationForm::default(), Some(resume)).await
            })
        });
        let outcomes: Vec<_> = join_all(attempts).await.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{:?}: {outcomes:?}", t.engine);
        assert!(
            outcomes.iter().filter(|o| o.is_err()).all(|o| matches!(o, Err(guildhall_app::AppError::Conflict { .. })))
        );
    }
}

#[tokio::test]
async fn the_jobs_api_searches_shows_writes_and_applies_as_the_pages_do() {
    use serde_json::json;
    for t in TestApp::each_engine().await {
        let mut recruiter = t.signed_in(OFFICER).await;
        let employer = employer(&mut recruiter, "Caprock Civil").await;
        // A recruiter writes a job through the API (sent for review): 201, waiting.
        let body = json!({
            "employer_id": employer, "title": "Drainage engineer", "description": "Culverts and **channels**.",
            "discipline": "civil", "career_stage": "licensed", "jurisdiction": "US-TX", "remote": "on_site",
            "salary_min": "80000", "salary_max": "95000", "pay_period": "year",
            "requirements": [{ "need": "required", "licence": "PE", "jurisdiction": "US-TX" }], "submit": true
        });
        let r = recruiter.api(Method::POST, "/api/v1/jobs", Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}: {}", t.engine, r.body);
        let job = r.json();
        assert_eq!(job["state"], "waiting_for_review");
        assert_eq!(job["requirements"][0]["words"], "PE licensed in Texas");
        let id = job["id"].as_i64().unwrap();
        // The pay range is required; another employer's id is not found.
        let mut no_pay = body.clone();
        no_pay["salary_min"] = json!("");
        let r = recruiter.api(Method::POST, "/api/v1/jobs", Some(no_pay)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["error"]["fields"]["salary_min"].is_string(), "{}", r.body);
        let mut maya = t.signed_in(MEMBER).await;
        assert_eq!(maya.api(Method::POST, "/api/v1/jobs", Some(body)).await.status, StatusCode::NOT_FOUND);

        // Not public until approved and running.
        let mut guest = t.client();
        assert_eq!(guest.api(Method::GET, &format!("/api/v1/jobs/{id}"), None).await.status, StatusCode::NOT_FOUND);
        let mut staff = t.signed_in(STAFF).await;
        staff
            .post_form(&format!("/staff/jobs/{id}/review"), &[("decision", "approve"), ("days", "30"), ("note", "")])
            .await;
        let listed = guest.api(Method::GET, "/api/v1/jobs?discipline=civil&per_page=5", None).await.json();
        assert_eq!(listed["items"][0]["id"], id);
        assert_eq!(listed["items"][0]["pay"]["words"], "$80,000–$95,000 a year");
        assert_eq!(guest.api(Method::GET, "/api/v1/jobs?per_page=500", None).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(guest.api(Method::GET, "/api/v1/jobs?qualified=true", None).await.status, StatusCode::UNAUTHORIZED);
        let r = guest.api(Method::GET, "/api/v1/jobs?discipline=alchemy", None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mine = maya.api(Method::GET, "/api/v1/jobs?qualified=true", None).await.json();
        assert!(mine["items"].as_array().unwrap().iter().any(|j| j["id"] == id));
        let seen = maya.api(Method::GET, &format!("/api/v1/jobs/{id}"), None).await.json();
        assert_eq!(seen["qualification"]["verdict"], "qualifies");

        // She applies with a base64 PDF: 201; again: 409.
        use base64::Engine as _;
        let application = json!({ "resume": { "file_name": "cv.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF) },
            "cover_letter": "Hello." });
        let r = maya.api(Method::POST, &format!("/api/v1/jobs/{id}/applications"), Some(application.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["stage"], "submitted");
        let r = maya.api(Method::POST, &format!("/api/v1/jobs/{id}/applications"), Some(application)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn a_member_sees_the_jobs_a_licence_could_get_by_comity_as_guidance_not_as_qualified() {
    for t in TestApp::each_engine().await {
        let staff = staff_actor(&t).await;
        let employer = t
            .app
            .create_employer(&staff, &EmployerForm { name: "Silver State Civil".into(), ..Default::default() }, "t")
            .await
            .unwrap();
        // Nevada licenses PEs from other US states by comity (rules/comity.toml); Maya holds a
        // current Texas PE.
        let nevada = JobForm {
            title: "Reno highway engineer".into(),
            jurisdiction: "US-NV".into(),
            requirements: vec![RequirementRow {
                need: "required".into(),
                what: "PE".into(),
                jurisdiction: "US-NV".into(),
            }],
            ..job_form()
        };
        let nevada = t.app.create_job(&staff, employer, &nevada, true, "t").await.unwrap();
        t.app.review_job(&staff, nevada, true, "", "30", "t").await.unwrap();
        let texas = t.app.create_job(&staff, employer, &job_form(), true, "t").await.unwrap();
        t.app.review_job(&staff, texas, true, "", "30", "t").await.unwrap();

        let mut maya = t.signed_in(MEMBER).await;
        let by_comity = maya.get("/jobs?comity=1").await.body;
        assert!(listed(&by_comity, nevada) && !listed(&by_comity, texas), "{:?}: {by_comity}", t.engine);
        let qualified = maya.get("/jobs?qualified=1").await.body;
        assert!(!listed(&qualified, nevada) && listed(&qualified, texas));
        let page = maya.get(&format!("/jobs/{nevada}")).await.body;
        assert!(
            page.contains("Your licence from Texas may be recognised here by comity: the board decides."),
            "{page}"
        );
        assert!(page.contains("You may qualify through a licence recognised by comity."));
        // The API says the same; a guest is asked to sign in.
        let api = maya.api(Method::GET, "/api/v1/jobs?comity=true", None).await.json();
        let ids: Vec<i64> = api["items"].as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [nevada]);
        assert_eq!(t.client().get("/jobs?comity=1").await.status, StatusCode::SEE_OTHER);
        assert_eq!(maya.api(Method::GET, "/api/v1/jobs?comity=maybe", None).await.status, StatusCode::BAD_REQUEST);
        // Someone whose record holds no licence gets none by comity.
        let mut staff_client = t.signed_in(STAFF).await;
        assert!(!listed(&staff_client.get("/jobs?comity=1").await.body, nevada));
    }
}
