//! The `guildhall` binary itself: migrate, demo, db copy between engines, ce evaluate.

use std::process::{Command, Output};

use guildhall_store::copy::TABLES;
use guildhall_store::testing::TestDatabase;

use crate::harness::{ADMIN, Client, MEMBER, PASSWORD, STAFF, api_with_token, test_settings};

fn guildhall(args: &[&str], database_url: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guildhall"));
    command.args(args).env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[tokio::test]
async fn the_demo_society_round_trips_sqlite_to_postgres_and_back_through_db_copy() {
    let source = TestDatabase::sqlite().await.unwrap();
    // A smaller society than the default fills the same tables (every one the demo
    // fills), and keeps the three copies and comparisons below quick.
    let demo = stdout(&guildhall(&["demo", "--members", "150"], Some(&source.url)));
    assert!(demo.contains("officer@demo.guildhall.org") && demo.contains("demo-password-2026"), "{demo}");
    let again = stdout(&guildhall(&["demo"], Some(&source.url)));
    assert!(again.contains("already has accounts"), "demo never overwrites a society");
    let migrate = stdout(&guildhall(&["migrate"], Some(&source.url)));
    assert!(migrate.contains("0 migration(s) applied now") && migrate.contains("0001 platform"), "{migrate}");

    let Some(pg) = TestDatabase::postgres().await.unwrap() else { return };
    let copied = stdout(&guildhall(&["db", "copy", "--from", &source.url, "--to", &pg.url], None));
    assert!(copied.contains("users") && copied.contains("4 rows"), "{copied}");
    let back = TestDatabase::sqlite().await.unwrap();
    stdout(&guildhall(&["db", "copy", "--from", &pg.url, "--to", &back.url], None));
    for spec in TABLES {
        let original = source.store.table_rows(spec).await.unwrap();
        assert_eq!(pg.store.table_rows(spec).await.unwrap(), original, "{} on PostgreSQL", spec.name);
        assert_eq!(back.store.table_rows(spec).await.unwrap(), original, "{} after the round trip", spec.name);
    }
    let refused = guildhall(&["db", "copy", "--from", &source.url, "--to", &pg.url], None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds data"));
}

#[test]
fn bad_database_urls_and_config_are_refused_with_a_reason() {
    let out = guildhall(&["migrate"], Some("mysql://localhost/x"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use sqlite:PATH or postgres://"));
    let out = guildhall(&["--config", "/nonexistent/guildhall.toml", "migrate"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let example = stdout(&guildhall(&["config", "example"], None));
    assert!(example.contains("[server]") && example.contains("bind = \"127.0.0.1:8080\""));
}

#[test]
fn ce_evaluate_prints_the_engine_s_evaluation_of_each_worked_example() {
    let book = guildhall_ce::RuleBook::embedded().unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../ce/tests/fixtures");
    for name in ["case1-texas.json", "case3-north-carolina.json", "case12-pmp.json"] {
        let path = format!("{fixtures}/{name}");
        let printed = stdout(&guildhall(&["ce", "evaluate", &path], None));
        let expected = guildhall_ce::evaluate_json(&std::fs::read_to_string(&path).unwrap(), &book).unwrap();
        assert_eq!(printed.trim(), expected.trim(), "{name}");
    }
    let texas: serde_json::Value =
        serde_json::from_str(&stdout(&guildhall(&["ce", "evaluate", &format!("{fixtures}/case1-texas.json")], None)))
            .unwrap();
    let periods = texas["credentials"][0]["periods"].as_array().unwrap();
    // Every period from the first registration (2016-08-10) to the one containing as_of.
    assert_eq!((periods[0]["start"].as_str(), periods[0]["first_period"].as_bool()), (Some("2016-07-01"), Some(true)));
    let starting = |start: &str| periods.iter().find(|p| p["start"] == start).unwrap();
    let p1 = starting("2023-07-01");
    assert_eq!((p1["status"].as_str(), p1["carry_out"].as_f64()), (Some("compliant"), Some(14.0)));
    assert_eq!(starting("2024-07-01")["status"], "deficient");
    assert_eq!(periods.last().unwrap()["start"], "2024-07-01");

    let bad = guildhall(&["ce", "evaluate", "/nonexistent.json"], None);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot read /nonexistent.json"));
}

#[tokio::test]
async fn members_import_from_a_wild_apricot_export_through_the_shipped_mapping_and_export_back() {
    let db = TestDatabase::sqlite().await.unwrap();
    stdout(&guildhall(&["demo", "--members", "0"], Some(&db.url)));
    let dir = std::env::temp_dir().join(format!("guildhall-wa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("wild-apricot.csv");
    std::fs::write(
        &csv,
        "\u{feff}First name,Last name,Email,Phone,Organization,Membership level,Membership status,Member since,Renewal due\n\
         Grace,Hopper,grace@navy.example.org,555-0100,US Navy,Regular,Active,3/7/2019,3/6/2027\n\
         Ada,Lovelace,ada@analytical.example.org,,,Fellow,Lapsed,1/15/2015,1/14/2024\n",
    )
    .unwrap();
    let mapping = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/mappings/wild-apricot.toml");
    let dry = stdout(&guildhall(
        &["import", "members", csv.to_str().unwrap(), "--mapping", mapping, "--dry-run"],
        Some(&db.url),
    ));
    assert!(dry.contains("all 2 rows are valid; nothing was imported (dry run)"), "{dry}");
    let done = stdout(&guildhall(&["import", "members", csv.to_str().unwrap(), "--mapping", mapping], Some(&db.url)));
    assert!(done.contains("Imported 2 members"), "{done}");
    let export = stdout(&guildhall(&["export", "members"], Some(&db.url)));
    assert!(
        export.contains("Grace,Hopper,grace@navy.example.org,555-0100,US Navy,")
            && export.contains(",member,active,2019-03-07,2027-03-06,"),
        "{export}"
    );
    assert!(
        export.contains("Ada,Lovelace,ada@analytical.example.org")
            && export.contains(",fellow,lapsed,2015-01-15,2024-01-14,"),
        "{export}"
    );

    let refused = guildhall(&["import", "members", csv.to_str().unwrap(), "--mapping", mapping], Some(&db.url));
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("row 1, email: grace@navy.example.org is already a member's address"), "{stderr}");
    assert!(stderr.contains("2 rows have problems, so nothing was imported"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_read_only_database_stops_the_server_with_a_reason_but_exports() {
    let db = TestDatabase::sqlite().await.unwrap();
    stdout(&guildhall(&["demo", "--members", "5"], Some(&db.url)));
    let read_only = format!("{}?mode=ro", db.url);
    let serve = guildhall(&["serve"], Some(&read_only));
    assert!(!serve.status.success(), "the server refuses to start");
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert!(stderr.contains("cannot be written to") && stderr.contains("permissions"), "{stderr}");
    // Exporting only reads: it works on the read-only database and changes nothing.
    let export = stdout(&guildhall(&["export", "members"], Some(&read_only)));
    assert!(export.starts_with("member_number,first_name") && export.contains("Okafor"), "{export}");
}

/// Reads what the server sends until it closes the connection (or 10 s pass).
fn read_until_closed(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).to_string()
}

#[tokio::test]
async fn the_server_closes_connections_whose_headers_or_body_trickle_in() {
    use std::io::Write;
    let db = TestDatabase::sqlite().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_guildhall"))
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .env("GUILDHALL_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("GUILDHALL_SERVER__RUN_JOBS", "false")
        .env("GUILDHALL_SERVER__HEADER_READ_TIMEOUT_SECS", "1")
        .env("GUILDHALL_SERVER__BODY_READ_TIMEOUT_SECS", "1")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let connect = || std::net::TcpStream::connect(("127.0.0.1", port));
    let mut healthy = String::new();
    for _ in 0..100 {
        if let Ok(mut stream) = connect() {
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            healthy = read_until_closed(&mut stream);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(healthy.starts_with("HTTP/1.1 200"), "the server answers: {healthy}");

    // Headers that never finish: the connection is closed, not held open.
    let mut stream = connect().unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(!answer.contains("200 OK"), "closed without an answer: {answer}");

    // A body that stops arriving: answered 408 in words.
    let mut stream = connect().unwrap();
    stream
        .write_all(b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a")
        .unwrap();
    let answer = read_until_closed(&mut stream);
    server.kill().ok();
    server.wait().ok();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
}

#[tokio::test]
async fn tokens_create_prints_a_token_with_the_account_s_role_that_the_api_accepts() {
    let db = TestDatabase::sqlite().await.expect("a SQLite database");
    let url = db.url.clone();
    assert!(guildhall(&["demo", "--members", "20"], Some(&url)).status.success());

    let out = guildhall(&["tokens", "create", "--email", STAFF, "--name", "Accounting", "--expires", "30"], Some(&url));
    let secret = stdout(&out).trim().to_string();
    assert!(secret.starts_with("gh_"), "{secret}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not shown again"));

    // Refused with a sentence: an unknown account, a member's chapter they hold no office in,
    // an expiry out of range.
    let unknown = guildhall(&["tokens", "create", "--email", "nobody@example.org", "--name", "X"], Some(&url));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no active account"));
    let chapter = guildhall(&["tokens", "create", "--email", MEMBER, "--name", "X", "--chapter", "2"], Some(&url));
    assert!(String::from_utf8_lossy(&chapter.stderr).contains("holds no office in chapter 2"));
    let forever = guildhall(&["tokens", "create", "--email", STAFF, "--name", "X", "--expires", "0"], Some(&url));
    assert!(String::from_utf8_lossy(&forever.stderr).contains("1 to 3650 days"));

    // The token works with the account's role, and the admin page shows its expiry and last use.
    let mut settings = test_settings();
    settings.database.url = url.clone();
    let app = guildhall_app::App::with_store(settings, db.store.clone()).await.unwrap();
    let router = guildhall_web::router(app.clone());
    let me = api_with_token(&router, axum::http::Method::GET, "/api/v1/me", &secret, None).await;
    assert_eq!(me.json()["role"], "staff");
    let audit = api_with_token(&router, axum::http::Method::GET, "/api/v1/audit-log", &secret, None).await;
    assert_eq!(audit.status, axum::http::StatusCode::OK, "a staff token reads the audit log");
    let mut admin = Client::over(router);
    assert_eq!(admin.sign_in(ADMIN, PASSWORD).await.status, axum::http::StatusCode::SEE_OTHER);
    let page = admin.get("/admin/tokens").await.body;
    let row = page.split("<td>Accounting</td>").nth(1).and_then(|r| r.split("</tr>").next()).expect("its row");
    assert!(!row.contains("Not yet"), "last use shown: {row}");
}
