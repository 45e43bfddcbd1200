//! `guildhall`: the one binary. Serves the site, migrates, seeds the demo society,
//! moves a society between database engines, and administers accounts.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use guildhall_app::membership::StandingRefresh;
use guildhall_app::{App, Settings};
use guildhall_domain::identity::Role;
use guildhall_store::{ConnectOptions, Store, redact_url};
use tracing_subscriber::EnvFilter;

/// `println!` that ends the program quietly when the reader has gone (`guildhall db copy |
/// head`): a closed pipe is not an error of ours, and `println!` would panic on it.
macro_rules! say {
    ($($arg:tt)*) => { $crate::print_line(format_args!($($arg)*)) };
}

fn print_line(line: std::fmt::Arguments) {
    use std::io::Write;
    if let Err(err) = writeln!(std::io::stdout().lock(), "{line}") {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("could not write the output: {err}");
        std::process::exit(1);
    }
}

mod careers_cmd;
mod credentials_cmd;
mod events_cmd;
mod kb_cmd;
mod mail_cmd;
mod members_cmd;
mod server;

#[derive(Parser)]
#[command(name = "guildhall", version, about = "The platform an engineering society runs for its members")]
struct Cli {
    /// Configuration file (TOML); environment variables override it.
    #[arg(long, short, global = true, env = "GUILDHALL_CONFIG")]
    config: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    json_logs: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first).
    Serve {
        /// Create the demo society first if the database is empty, and print its sign-ins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and list them.
    Migrate,
    /// Create the demo society in an empty database.
    Demo {
        /// How many generated members (besides the demo accounts).
        #[arg(long, default_value_t = 2400)]
        members: usize,
    },
    /// Database tools.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Create an administrator account (verified, ready to sign in).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from GUILDHALL_ADMIN_PASSWORD if not given, so it stays out of shell history.
        #[arg(long, env = "GUILDHALL_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// API tokens for integrations.
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
    },
    /// Import data from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export data to a file.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Benchmarks (build with --release for meaningful figures).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// The knowledge base: import and export Q&A article files.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Mail tools: returned mail from a bounce mailbox.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Continuing-education tools.
    Ce {
        #[command(subcommand)]
        command: CeCommand,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum TokensCommand {
    /// Print a new API token for an account: the account's own role, never more; with
    /// --chapter, limited to that chapter (an officer's token).
    Create {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// What the token is for (the integration that uses it).
        #[arg(long)]
        name: String,
        /// Limit the token to this chapter (id).
        #[arg(long)]
        chapter: Option<i64>,
        /// Days until the token stops working (1–3650); without it, it works until revoked.
        #[arg(long)]
        expires: Option<i64>,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Copy a whole society from one database into a new, empty one (e.g. SQLite to PostgreSQL).
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import members from CSV (see `guildhall export members` for the format). Every row
    /// is checked first; any bad row means nothing is imported, and each is listed.
    Members {
        file: PathBuf,
        /// Check the file and report, but import nothing.
        #[arg(long)]
        dry_run: bool,
        /// A TOML file mapping another system's columns and values to ours.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write every member as CSV, in the format `import members` reads.
    Members {
        /// File to write (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Import N generated members into a fresh SQLite database and time it.
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Make this row's email invalid (the import must then refuse the whole file).
        #[arg(long)]
        bad_row: Option<usize>,
    },
    /// Add N published events to the configured database (seeding a small demo society first
    /// if it is empty), then time R registrations for one event, sixteen at a time.
    Events {
        #[arg(long, default_value_t = 2_000)]
        events: usize,
        #[arg(long, default_value_t = 2_000)]
        registrations: usize,
    },
    /// Issue N designations to the configured society's members (seeding a small demo
    /// society first if it is empty), 500 per transaction, and verify a thousand of them;
    /// with --sample DIR, write one credential there for the web benchmark.
    Credentials {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(long)]
        sample: Option<PathBuf>,
    },
    /// Generate N Q&A article files, import them into the configured database (timed), then
    /// time searches over them; with --keep DIR the files stay there.
    Kb {
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Time the staff CE compliance report over the configured database (seeding a demo
    /// society of N members first if it is empty), and one member's CE dashboard.
    Compliance {
        #[arg(long, default_value_t = 20_000)]
        members: usize,
    },
    /// Add M employers and N live jobs to the configured database (seeding a small demo
    /// society first if it is empty), time the job search in the process, and with --urls FILE
    /// write 200 filter URLs there for wrk.
    Jobs {
        #[arg(long, default_value_t = 20_000)]
        jobs: usize,
        #[arg(long, default_value_t = 500)]
        employers: usize,
        #[arg(long)]
        urls: Option<PathBuf>,
    },
    /// Add a closed salary survey of N generated responses (seeding a small demo society first
    /// if the database is empty), time its release (every cell of the lattice with the privacy
    /// rules) and the benchmark in the process, and with --urls FILE write 100 benchmark
    /// questions there for wrk.
    Salary {
        #[arg(long, default_value_t = 100_000)]
        responses: usize,
        #[arg(long)]
        urls: Option<PathBuf>,
    },
    /// Time a campaign to a whole society of N members (seeded when the database is empty):
    /// freezing and queueing its recipients, then, when mail.smtp_host is set, delivering
    /// every message to that relay.
    Campaign {
        #[arg(long, default_value_t = 100_000)]
        members: usize,
    },
}

#[derive(Subcommand)]
enum CeCommand {
    /// Evaluate one member's credentials and activities (JSON, see docs/ce-evaluate.md)
    /// against the built-in rule files; prints the evaluation as JSON.
    Evaluate {
        /// Input file, or - for standard input.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum KbCommand {
    /// Import Q&A article files (YAML front matter between `---` lines; see
    /// docs/KNOWLEDGE.md): files as given, folders walked for .md, .yml, .yaml, .txt and .html
    /// files. A file whose id is already here updates that article in place. Any problem
    /// (named by file, line and reason) means nothing is imported.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Check the files and report, but import nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write every imported article back as an article file into DIR (created if missing);
    /// `kb import DIR` reads them back to the same records.
    Export { dir: PathBuf },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Read returned mail (bounces, spam complaints) from an mbox file or a maildir and act on
    /// each message: bounces scored against the address (bulk mail suspended at the
    /// threshold), complaints taken off the list.
    Bounces {
        /// An mbox file.
        #[arg(long, conflicts_with = "maildir", required_unless_present = "maildir")]
        mbox: Option<PathBuf>,
        /// A maildir (its `new` and `cur` folders).
        #[arg(long)]
        maildir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print an example configuration file with every option and its default.
    Example,
    /// Print the configuration in effect (file and environment applied), secrets hidden.
    Show,
}

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json { builder.json().init() } else { builder.init() }
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn run() -> Result<()> {
    let cli = Cli::parse();
    if let Command::Ce { command: CeCommand::Evaluate { file } } = &cli.command {
        return ce_evaluate(file);
    }
    init_logs(cli.json_logs);
    let settings = Settings::load(cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate => {
            let store = Store::connect(&settings.database.url, &ConnectOptions::default()).await?;
            let applied = store.migrate().await?;
            say!("Database {}: {} migration(s) applied now.", redact_url(&settings.database.url), applied.len());
            for m in guildhall_store::embedded_migrations(store.kind()) {
                say!("  {:04} {}", m.version, m.description);
            }
            Ok(())
        }
        Command::Demo { members } => {
            let app = App::start(settings).await?;
            if app.seed_demo_society(members).await? {
                print_demo_sign_ins("Demo society created. Sign in with any of these");
            } else {
                say!("The database already has accounts; the demo society was not added.");
            }
            Ok(())
        }
        Command::Db { command: DbCommand::Copy { from, to } } => copy(&from, &to).await,
        Command::CreateAdmin { email, name, password } => {
            let app = App::start(settings).await?;
            let id = app.create_verified_user(&email, &name, &password, Role::Admin).await?;
            say!("Administrator {email} created (account {id}).");
            Ok(())
        }
        Command::Tokens { command: TokensCommand::Create { email, name, chapter, expires } } => {
            let app = App::start(settings).await?;
            let token = app.issue_token_for_account(&email, &name, chapter, expires).await?;
            say!("{}", token.secret);
            eprintln!(
                "Token {} for {email} created. Copy it now: it is not shown again. Use it as `Authorization: Bearer <token>`.",
                token.id
            );
            Ok(())
        }
        Command::Import { command: ImportCommand::Members { file, dry_run, mapping } } => {
            let app = App::start(settings).await?;
            members_cmd::import(&app, &file, mapping.as_deref(), dry_run).await
        }
        Command::Export { command: ExportCommand::Members { output } } => {
            let app = App::open_read_only(settings).await?;
            members_cmd::export(&app, output.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Import { rows, bad_row } } => {
            members_cmd::bench_import(rows, bad_row).await
        }
        Command::Bench { command: BenchCommand::Events { events, registrations } } => {
            let app = App::start(settings).await?;
            events_cmd::bench_events(app, events, registrations).await
        }
        Command::Bench { command: BenchCommand::Credentials { count, sample } } => {
            let app = App::start(settings).await?;
            credentials_cmd::bench_credentials(app, count, sample.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Jobs { jobs, employers, urls } } => {
            let app = App::start(settings).await?;
            careers_cmd::bench_jobs(app, jobs, employers, urls.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Salary { responses, urls } } => {
            let app = App::start(settings).await?;
            careers_cmd::bench_salary(app, responses, urls.as_deref()).await
        }
        Command::Bench { command: BenchCommand::Compliance { members } } => {
            let app = App::start(settings).await?;
            members_cmd::bench_compliance(&app, members).await
        }
        Command::Bench { command: BenchCommand::Campaign { members } } => {
            let app = App::start(settings).await?;
            mail_cmd::bench(&app, members).await
        }
        Command::Mail { command: MailCommand::Bounces { mbox, maildir } } => {
            let app = App::start(settings).await?;
            mail_cmd::bounces(&app, mbox.as_deref(), maildir.as_deref()).await
        }
        Command::Kb { command: KbCommand::Import { paths, dry_run } } => {
            let app = App::start(settings).await?;
            kb_cmd::import(&app, &paths, dry_run).await
        }
        Command::Kb { command: KbCommand::Export { dir } } => {
            let app = App::open_read_only(settings).await?;
            kb_cmd::export(&app, &dir).await
        }
        Command::Bench { command: BenchCommand::Kb { articles, keep } } => {
            let app = App::start(settings).await?;
            kb_cmd::bench(&app, articles, keep.as_deref()).await
        }
        Command::Ce { command: CeCommand::Evaluate { file } } => ce_evaluate(&file),
        Command::Config { command: ConfigCommand::Example } => {
            say!("{}", Settings::example_toml().trim_end());
            Ok(())
        }
        Command::Config { command: ConfigCommand::Show } => {
            // Debug hides the secrets and the database password.
            say!("{settings:#?}");
            Ok(())
        }
    }
}

/// Runs before logging and configuration: the output is JSON only, for scripts.
fn ce_evaluate(file: &std::path::Path) -> Result<()> {
    use std::io::Read;
    let mut input = String::new();
    if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut input).context("cannot read standard input")?;
    } else {
        input = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    }
    let book = guildhall_ce::RuleBook::embedded()?;
    say!("{}", guildhall_ce::evaluate_json(&input, &book)?);
    Ok(())
}

fn print_demo_sign_ins(heading: &str) {
    say!("{heading} (password: {}):", guildhall_app::demo::DEMO_PASSWORD);
    for s in guildhall_app::demo::DEMO_SIGN_INS
        .iter()
        .chain([&guildhall_app::demo::DEMO_ENGINEER, &guildhall_app::demo::DEMO_RECRUITER])
    {
        say!("  {:<17} {}", s.who, s.email);
    }
}

async fn serve(mut settings: Settings, demo: bool) -> Result<()> {
    if demo {
        // The demo's staff sign in with the printed password alone.
        settings.security.require_two_factor_for_staff = false;
        // The demo society's receipts carry an address, as a real society's would.
        if settings.membership.receipt_details.trim().is_empty() {
            settings.membership.receipt_details = guildhall_app::demo::DEMO_RECEIPT_DETAILS.into();
        }
    }
    let bind = settings.server.bind.clone();
    let run_jobs = settings.server.run_jobs;
    tracing::info!(database = %redact_url(&settings.database.url), "starting");
    let app = App::start(settings).await.context("could not start")?;
    if demo {
        if app.seed_demo().await? {
            print_demo_sign_ins("Demo society created. Sign in with any of these");
        } else {
            print_demo_sign_ins("Demo sign-ins");
        }
    }
    if run_jobs {
        spawn_jobs(app.clone());
    }
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    say!("Guildhall is running at {}", app.settings.server.public_url);
    let header_read_timeout = Duration::from_secs(app.settings.server.header_read_timeout_secs.max(1));
    let router = guildhall_web::router(app);
    server::serve(listener, router, header_read_timeout, shutdown_signal()).await;
    Ok(())
}

/// Mail delivery every few seconds (at once again while messages are going); every minute,
/// event seat offers that ran out are passed on; hourly, expired sessions and tokens are
/// purged, standings computed on an earlier day are refreshed and due renewal reminders queued.
fn spawn_jobs(app: Arc<App>) {
    tokio::spawn(async move {
        let (mut last_minute, mut last_hour): (Option<Instant>, Option<Instant>) = (None, None);
        let due = |last: Option<Instant>, every: Duration| last.is_none_or(|at| at.elapsed() >= every);
        loop {
            let mail_going = match app.deliver_due_mail().await {
                Ok((sent, failed)) => sent + failed > 0,
                Err(err) => {
                    tracing::warn!(error = %err, "mail delivery round failed");
                    false
                }
            };
            // Scheduled campaigns start when due; a campaign whose messages are all out is sent.
            match app.send_due_campaigns().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(campaigns = n, "scheduled campaigns started"),
                Err(err) => tracing::warn!(error = %err, "starting scheduled campaigns failed"),
            }
            // A seat offer whose hold ran out passes to the next person in line within a minute.
            if due(last_minute, Duration::from_secs(60)) {
                last_minute = Some(Instant::now());
                // Welcome and win-back steps go to the members whose day has come.
                match app.run_automations().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(messages = n, "automated series queued"),
                    Err(err) => tracing::warn!(error = %err, "automated series failed"),
                }
                // Job runs paid by webhook or recorded by staff start within a minute.
                match app.start_paid_postings().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(runs = n, "paid job postings started"),
                    Err(err) => tracing::warn!(error = %err, "starting paid job postings failed"),
                }
                match app.expire_seat_offers().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(offers = n, "event seat offers ended and passed on"),
                    Err(err) => tracing::warn!(error = %err, "ending event seat offers failed"),
                }
            }
            if due(last_hour, Duration::from_secs(3600)) {
                last_hour = Some(Instant::now());
                if let Err(err) = app.purge_expired().await {
                    tracing::warn!(error = %err, "purge failed");
                }
                // Standings move with the calendar (renewal due, grace, lapsed); members
                // whose standing was computed before today are brought up to date.
                match app.refresh_standings().await {
                    Ok(StandingRefresh { refreshed: 0, failed: 0 }) => {}
                    Ok(StandingRefresh { refreshed, failed: 0 }) => {
                        tracing::info!(members = refreshed, "standings refreshed")
                    }
                    Ok(StandingRefresh { refreshed, failed }) => {
                        tracing::warn!(
                            members = refreshed,
                            failed,
                            "standings refreshed; some members failed (logged above)"
                        )
                    }
                    Err(err) => tracing::warn!(error = %err, "standing refresh failed"),
                }
                // Job alerts whose day (or week) has come get the jobs that went live since.
                match app.send_job_alerts().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(messages = n, "job alerts queued"),
                    Err(err) => tracing::warn!(error = %err, "job alerts failed"),
                }
                match app.send_renewal_reminders().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "renewal reminders queued"),
                    Err(err) => tracing::warn!(error = %err, "renewal reminders failed"),
                }
                match app.bill_chapter_supplements().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(bills = n, "life members' chapter supplements billed"),
                    Err(err) => tracing::warn!(error = %err, "chapter supplement billing failed"),
                }
                match app.send_invitation_reminders().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "invitation reminders queued"),
                    Err(err) => tracing::warn!(error = %err, "invitation reminders failed"),
                }
                // Former members past privacy.retention_years, sign-ups never confirmed,
                // erased members' books past privacy.keep_financial_years.
                match app.apply_retention().await {
                    Ok(report) if report == Default::default() => {}
                    Ok(r) => tracing::info!(
                        sign_ups = r.sign_ups,
                        former_members = r.former_members,
                        failed = r.failed,
                        invoices = r.invoices,
                        "retention applied"
                    ),
                    Err(err) => tracing::warn!(error = %err, "retention failed"),
                }
                match app.send_ce_reminders().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "CE reminders queued"),
                    Err(err) => tracing::warn!(error = %err, "CE reminders failed"),
                }
            }
            if !mail_going {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
        }
    });
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

async fn copy(from: &str, to: &str) -> Result<()> {
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = Store::connect(from, &ConnectOptions::default()).await?;
    source.migrate().await?;
    let target = Store::connect(to, &ConnectOptions::default()).await?;
    target.migrate().await?;
    let report = source.copy_into(&target).await?;
    say!("Copied {} into {}:", redact_url(from), redact_url(to));
    for (table, rows) in report {
        say!("  {table:<20} {rows:>8} rows");
    }
    Ok(())
}
