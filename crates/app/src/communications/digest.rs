//! The monthly digest: a campaign draft that fills itself from what the society has — the
//! published events of the next six weeks, the knowledge-base articles published and the
//! members' questions answered in the last month, and the publications' new issues — each with
//! an absolute link to its page. Staff edit it before saving and sending it like any other.
//!
//! Only what members may read goes in (no drafts, unpublished or hidden posts); a section with
//! nothing is left out. Everything users wrote is escaped, so a title with `*` or `{{` stays a
//! title. The other areas are read through their own `App` methods.

use guildhall_domain::communications::{AudienceInput, escape_markdown};
use guildhall_domain::events::{EventStatus, event_time};
use guildhall_store::{EventFilter, PageRequest};
use time::{Date, Duration, Month};

use super::campaigns::CampaignDraft;
use crate::error::AppResult;
use crate::{Actor, App, Permission};

/// How far ahead the digest looks for events.
const EVENTS_AHEAD_DAYS: i64 = 42;
/// How far back "new" reaches for articles, answers and issues.
const NEW_SINCE_DAYS: i64 = 31;
/// At most this many events…
const MOST_EVENTS: u32 = 20;
/// …and this many of each other kind; more are reached by the section's "all" link.
const MOST_EACH: i64 = 10;

/// One section of the digest: its heading, its lines (Markdown list items), and a link to
/// everything of its kind when more exist than are listed.
struct Section {
    heading: &'static str,
    items: Vec<String>,
    more: Option<(&'static str, String)>,
}

impl Section {
    fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", self.heading);
        for item in &self.items {
            out.push_str(&format!("- {item}\n"));
        }
        if let Some((words, link)) = &self.more {
            out.push_str(&format!("\n[{words}]({link})\n"));
        }
        out
    }
}

impl App {
    /// The monthly digest as a draft to edit: a subject naming the society and the month,
    /// and a Markdown body with a section for each kind of news there is. For those who may
    /// write campaigns; no list or audience is chosen (the writer chooses them).
    pub async fn digest_draft(&self, actor: &Actor) -> AppResult<CampaignDraft> {
        actor.require(Permission::CampaignsArea)?;
        let now = self.clock.unix();
        let today = self.society_today();
        let since = today - Duration::days(NEW_SINCE_DAYS);
        // Articles and issues are dated by the server's (UTC) calendar, which runs up to a day
        // ahead of the society's: one published "today" in UTC is new, not yet to come.
        let dated_until = today.max(self.clock.today());
        let society = self.branding().await.name;

        let sections: Vec<Section> = [
            self.digest_events(now).await?,
            self.digest_articles(since, dated_until).await?,
            self.digest_questions(now - NEW_SINCE_DAYS * 86_400).await?,
            self.digest_issues(since, dated_until).await?,
            self.digest_jobs(now - NEW_SINCE_DAYS * 86_400).await?,
        ]
        .into_iter()
        .filter(|s| !s.items.is_empty())
        .collect();

        let body = if sections.is_empty() {
            "Nothing new to report this month: no upcoming events, new articles, answered questions or new issues; \
             write the news here.\n"
                .to_string()
        } else {
            let mut body = format!(
                "Dear {{{{first_name}}}},\n\nWhat is coming up and what is new at {}.\n\n",
                escape_markdown(&society)
            );
            body.push_str(&sections.iter().map(Section::markdown).collect::<Vec<_>>().join("\n"));
            body
        };
        Ok(CampaignDraft {
            list_id: None,
            subject: format!("The {society} digest, {} {}", today.month(), today.year()),
            body,
            audience: AudienceInput::default(),
        })
    }

    /// Today on the society's clock (`events.time_zone`).
    fn society_today(&self) -> Date {
        let input = event_time(self.clock.unix(), &self.settings.events.time_zone).input;
        let part = |range: std::ops::Range<usize>| input.get(range).and_then(|p| p.parse::<i32>().ok());
        match (part(0..4), part(5..7).and_then(|m| Month::try_from(m as u8).ok()), part(8..10)) {
            (Some(year), Some(month), Some(day)) => {
                Date::from_calendar_date(year, month, day as u8).unwrap_or_else(|_| self.clock.today())
            }
            _ => self.clock.today(),
        }
    }

    /// Published events starting in the next six weeks (or under way), soonest first, each
    /// with its date and time on the society's clock and where it happens.
    async fn digest_events(&self, now: i64) -> AppResult<Section> {
        let filter =
            EventFilter { from: Some(now), until: Some(now + EVENTS_AHEAD_DAYS * 86_400), ..EventFilter::default() };
        let page = self.upcoming_events(filter, PageRequest::new(1, MOST_EVENTS)).await?;
        let zone = &self.settings.events.time_zone;
        let items = page
            .items
            .iter()
            .filter(|e| e.status == EventStatus::Published)
            .map(|e| {
                let at = event_time(e.starts_at, zone);
                let mut place: Vec<String> = [&e.venue, &e.address]
                    .into_iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| escape_markdown(p.trim()))
                    .collect();
                if !e.online_link.is_empty() {
                    place.push("online".into());
                }
                let place = match place.is_empty() {
                    true => String::new(),
                    false => format!(", {}", place.join(", ")),
                };
                format!(
                    "**[{}]({})**, {} at {} {}{place}",
                    escape_markdown(&e.title),
                    self.link(&format!("/events/{}", e.id)),
                    at.date,
                    at.time,
                    at.zone
                )
            })
            .collect();
        let more = (page.total > i64::from(MOST_EVENTS)).then(|| ("All upcoming events", self.link("/events")));
        Ok(Section { heading: "Upcoming events", items, more })
    }

    /// Knowledge-base articles published in the last month.
    async fn digest_articles(&self, since: Date, today: Date) -> AppResult<Section> {
        let articles = self.kb_articles_published_between(since, today, MOST_EACH + 1).await?;
        let more = (articles.len() as i64 > MOST_EACH).then(|| ("The knowledge base", self.link("/kb")));
        let items = articles
            .iter()
            .take(MOST_EACH as usize)
            .map(|a| format!("[{}]({})", escape_markdown(&a.title), self.link(&link_path(&a.path))))
            .collect();
        Ok(Section { heading: "New in the knowledge base", items, more })
    }

    /// Members' questions answered in the last month.
    async fn digest_questions(&self, since: i64) -> AppResult<Section> {
        let questions = self.questions_answered_since(since, MOST_EACH + 1).await?;
        let more = (questions.len() as i64 > MOST_EACH).then(|| ("All questions", self.link("/questions")));
        let items = questions
            .iter()
            .take(MOST_EACH as usize)
            .map(|q| {
                let answers = match q.answers {
                    1 => "1 answer".to_string(),
                    n => format!("{n} answers"),
                };
                format!("[{}]({}) ({answers})", escape_markdown(&q.title), self.link(&format!("/questions/{}", q.id)))
            })
            .collect();
        Ok(Section { heading: "Questions answered", items, more })
    }

    /// Publications' issues published in the last month.
    async fn digest_issues(&self, since: Date, today: Date) -> AppResult<Section> {
        let issues = self.issues_published_between(since, today, MOST_EACH + 1).await?;
        let more = (issues.len() as i64 > MOST_EACH).then(|| ("All publications", self.link("/publications")));
        let items = issues
            .iter()
            .take(MOST_EACH as usize)
            .map(|(publication, issue)| {
                format!(
                    "[{}: {}]({}), {} {} {}",
                    escape_markdown(&publication.name),
                    escape_markdown(&issue.title),
                    self.link(&format!("/publications/{}/issues/{}", link_path(&publication.slug), issue.id)),
                    issue.published_on.day(),
                    issue.published_on.month(),
                    issue.published_on.year()
                )
            })
            .collect();
        Ok(Section { heading: "New issues", items, more })
    }
}

impl App {
    /// Jobs advertised in the last month and still open, through the careers area.
    async fn digest_jobs(&self, since: i64) -> AppResult<Section> {
        let jobs = self.jobs_posted_since(since, MOST_EACH as u32).await?;
        let more = (jobs.total > MOST_EACH).then(|| ("All jobs", self.link("/jobs")));
        let items = jobs
            .items
            .iter()
            .map(|j| {
                format!(
                    "[{}]({}), {}, {}, {}",
                    escape_markdown(&j.title),
                    self.link(&format!("/jobs/{}", j.id)),
                    escape_markdown(&j.employer_name),
                    escape_markdown(&j.place()),
                    j.salary_words()
                )
            })
            .collect();
        Ok(Section { heading: "New jobs", items, more })
    }
}

/// A path as a Markdown link destination: spaces, parentheses and angle brackets
/// percent-encoded, so the link ends where it should.
fn link_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_parentheses_or_spaces_stays_one_link_destination() {
        assert_eq!(link_path("/kb/load (ASD) basics"), "/kb/load%20%28ASD%29%20basics");
        assert_eq!(link_path("/kb/plain-path-12"), "/kb/plain-path-12");
    }

    #[test]
    fn a_section_lists_its_items_and_its_link_to_the_rest() {
        let section = Section {
            heading: "New issues",
            items: vec!["[A](https://x/a)".into(), "[B](https://x/b)".into()],
            more: Some(("All publications", "https://x/publications".into())),
        };
        assert_eq!(
            section.markdown(),
            "## New issues\n\n- [A](https://x/a)\n- [B](https://x/b)\n\n[All publications](https://x/publications)\n"
        );
    }
}
