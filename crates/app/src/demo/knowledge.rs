//! The demo society's knowledge base: Q&A article files generated in the form societies
//! publish them (YAML front matter, answers with literal `\n` line breaks, related links,
//! some to articles not imported yet) and imported through `kb import`'s own path, and
//! members' questions with answers, an accepted answer and an endorsement (added to the
//! knowledge base today), and two publications (a members' journal with a PDF, its latest
//! issue out this month; a chapter newsletter anyone reads), so the monthly digest has
//! something in every section.
//!
//! `kb_article_files` is also the generator `guildhall bench kb` imports.

use guildhall_store::NewQuestion;

use crate::error::{AppError, AppResult};
use crate::knowledge::subjects_typed;
use crate::{Actor, App};

/// Subjects, some written in two spellings that compare as one.
const SUBJECTS: &[&str] = &[
    "Engineering",
    "Licensure",
    "Continuing Education",
    "Structural Engineering",
    "Geotechnical Engineering",
    "Engineering Ethics",
    "Project Management",
    "Electrical Engineering",
    "Mechanical Engineering",
    "Environmental Engineering",
    "Water Resources",
    "Transportation",
    "Construction Management",
    "Engineering Economics",
    "Materials",
    "Education Studies",
    "Career Development",
    "Codes and Standards",
];

const CONCEPTS: &[&str] = &[
    "a PDH log",
    "torque",
    "shear strength",
    "a professional engineer's seal",
    "comity licensure",
    "the FE exam",
    "the PE exam",
    "load and resistance factor design",
    "soil bearing capacity",
    "a factor of safety",
    "moment of inertia",
    "stormwater detention",
    "value engineering",
    "a change order",
    "the time value of money",
    "power factor correction",
    "thermal expansion",
    "fatigue in steel",
    "concrete curing",
    "a continuing-education audit",
    "responsible charge",
    "peer review",
    "engineering certifications",
    "a retaining wall",
    "slope stability",
    "pavement design",
    "life-cycle cost analysis",
    "arc flash hazards",
    "pump curves",
    "corrosion protection",
    "building information modelling",
    "conflict of interest",
    "an engineering reference",
    "ethics hours",
    "a mentoring relationship",
    "project scheduling",
];

const FORMS: &[&str] =
    &["What is {}?", "Explain the concept of {}.", "Why does {} matter to engineers?", "How do engineers approach {}?"];

const CONTEXTS: &[&str] = &[
    "",
    " in bridge design",
    " for a new graduate",
    " on a public works project",
    " for a licence renewal",
    " in a small consulting firm",
    " in industrial plants",
    " under state board rules",
];

/// `count` article files from id `first_id`, as `(file name, text)`: titles, questions and
/// answers from the lists above, subjects spelled in varying case, related links (some
/// repeated, some to articles beyond the batch, which stay pending), an SEO block, and
/// the trailing `&nbsp;` the files carry.
pub fn kb_article_files(first_id: i64, count: usize) -> Vec<(String, String)> {
    let mut files = Vec::with_capacity(count);
    for i in 0..count {
        let id = first_id + i as i64;
        let concept = CONCEPTS[i % CONCEPTS.len()];
        let form = FORMS[(i / CONCEPTS.len()) % FORMS.len()];
        let context = CONTEXTS[(i / (CONCEPTS.len() * FORMS.len())) % CONTEXTS.len()];
        let mut title = form.replace("{}", &format!("{concept}{context}"));
        let round = i / (CONCEPTS.len() * FORMS.len() * CONTEXTS.len());
        if round > 0 {
            title = format!("{} (part {})", title.trim_end_matches(['.', '?']), round + 1);
        }
        let subject = SUBJECTS[(i * 7 + i / 3) % SUBJECTS.len()];
        // Every fifth article (once each subject has been seen) writes its subject in lower
        // case: the same subject, shown as first spelled.
        let written_subject = if i % 5 == 4 && i >= 100 { subject.to_lowercase() } else { subject.to_string() };
        let slug = guildhall_domain::knowledge::subject_slug(&title);
        let subject_slug = guildhall_domain::knowledge::subject_slug(subject);
        let url = format!("/learn/{subject_slug}/questions/{slug}-{id}");
        let day = 1 + (i % 28);
        let month = 1 + (i / 28) % 12;
        let answer = format!(
            "Understanding {concept}{context} helps an engineer in three ways:\\n\\n\
             1. **Safety**: {concept} bears directly on the public's safety, which is the first duty of every licensee.\\n\\n\
             2. **Compliance**: boards and codes expect engineers to know {concept} and to document how they applied it.\\n\\n\
             3. **Practice**: clients notice when {concept} is handled well; it saves time and money over a project's life.\\n\\n\
             In summary, {concept} is worth the hour it takes to learn properly, and it counts toward your PDH when \
             taken as a course."
        );
        let mut text = format!(
            "---\nid: {id}\ndate: 2025-{month:02}-{day:02}\ntitle: >-\n    {title}\nquestion: >-\n    {title}\n\
             answer: >-\n    {answer}\nsubject: {written_subject}\nauthor: Society Editorial Team\nurl: {url}\n\
             file_name: article-{id}.md\nseo:\n  title: QuickFacts | {subject}\n  page_description: >-\n    \
             {title} A short answer from the society.\n  page_keywords: {concept}, {subject_lower}, PDH\n",
            subject_lower = subject.to_lowercase(),
        );
        if i % 6 != 5 {
            // Related: the next article twice (once under a subject in another case), and one
            // further on, which may not be imported yet.
            let next = first_id + ((i + 1) % count.max(1)) as i64;
            let far = id + 97;
            for (n, (related, case)) in
                [(next, subject.to_string()), (next, subject.to_lowercase()), (far, subject.to_string())]
                    .into_iter()
                    .enumerate()
            {
                text.push_str(&format!(
                    "related_article{}:\n    id: {related}\n    title: >-\n        Article {related}\n    subject: {case}\n    url: /learn/{subject_slug}/questions/article-{related}\n",
                    n + 1
                ));
            }
        }
        if i % 3 == 0 {
            text.push_str(&format!("score: {}\n", 50 + i % 50));
        }
        text.push_str("---\n\n&nbsp;\n");
        files.push((format!("article-{id}.md"), text));
    }
    files
}

impl App {
    /// The demo's knowledge base: 240 articles, a subject expert, and members' questions
    /// (one accepted, endorsed and added to the knowledge base, one open), all through the
    /// use cases members and staff use.
    pub(super) async fn seed_demo_knowledge(&self, staff: &Actor, maya: &Actor, daniel: &Actor) -> AppResult<()> {
        self.import_kb_files_as(staff, kb_article_files(910_001, 240), false, "demo").await?;
        let engineer = self.seed_demo_engineer(staff).await?;
        let discipline = "civil".to_string();
        let number = self.store.member_by_user(engineer.user_id).await?.map(|m| m.member_number).unwrap_or_default();
        self.set_subject_expert(staff, "Licensure", &number, true, "demo").await?;

        let ask =
            |title: &str, body: &str, subjects: &str, jurisdiction: Option<&str>, discipline: Option<&str>, public| {
                NewQuestion {
                    title: title.into(),
                    body: body.into(),
                    jurisdiction: jurisdiction.map(str::to_string),
                    discipline: discipline.map(str::to_string),
                    public,
                    plain_text: format!("{title} {}", crate::knowledge::markdown::to_plain_text(body)),
                    subjects: subjects_typed(subjects),
                }
            };
        let now = self.clock.unix();
        let answered = ask(
            "Does reviewing another engineer's calculations count toward Texas PDH?",
            "I was asked to peer review a set of **retaining wall** calculations for a neighbouring firm. \
             Can the hours count toward my Texas renewal, and how should I document them?",
            "Licensure, Continuing Education",
            Some("US-TX"),
            Some(&discipline),
            true,
        );
        let id = self
            .store
            .ask_question(maya.user_id, &answered, 100, now, &[])
            .await?
            .map_err(|_| AppError::Internal("demo question refused".into()))?;
        let answer = self
            .post_answer(
                daniel,
                id,
                "The Texas board counts structured learning, not routine work, so a peer review on its own usually \
                 does not qualify.\n\n1. **Check the rule**: look for a course or activity with a certificate.\n\n\
                 2. **Document it**: keep the agenda, hours and any certificate with your PDH log.\n\n\
                 If the review was part of a formal seminar, log the seminar instead.",
            )
            .await?;
        self.endorse_answer(&engineer, id, answer, true).await?;
        self.accept_answer(maya, id, answer).await?;
        // Staff added it to the knowledge base today: this month's new article.
        self.promote_question(staff, id, "", false, "demo").await?;

        let open = ask(
            "How do you keep a PDH log that survives a board audit?",
            "Our chapter is putting together advice for new licensees. What do you record for each activity, \
             and where do you keep the certificates?",
            "Continuing Education",
            None,
            Some(&discipline),
            false,
        );
        let open_id = self
            .store
            .ask_question(daniel.user_id, &open, 100, now, &[])
            .await?
            .map_err(|_| AppError::Internal("demo question refused".into()))?;
        self.post_answer(
            maya,
            open_id,
            "I keep one spreadsheet row per activity: **date**, **provider**, **title**, **hours**, **topic** \
             (ethics, laws and rules, technical) and a link to the certificate. Guildhall's PDH page does the \
             same and builds the audit packet for you.",
        )
        .await?;
        self.seed_demo_publications(staff).await
    }
}

impl App {
    /// The demo's licensed engineer: a member record (a current Texas PE, civil and
    /// structural) with its own sign-in ([`super::DEMO_ENGINEER`]).
    async fn seed_demo_engineer(&self, staff: &Actor) -> AppResult<Actor> {
        let today = self.clock.today();
        let licence = format!("US-TX|PE|TX220871|2012-05-01|{}", today + time::Duration::days(400));
        let columns = [
            ("first_name", "Samuel".to_string()),
            ("last_name", "Ortiz".to_string()),
            ("email", super::DEMO_ENGINEER.email.to_string()),
            ("career_stage", "licensed".to_string()),
            ("disciplines", "civil;structural".to_string()),
            ("tier", "member".to_string()),
            ("status", "active".to_string()),
            ("joined_on", (today - time::Duration::days(9 * 365)).to_string()),
            ("expires_on", (today + time::Duration::days(200)).to_string()),
            ("home_chapter", "capital".to_string()),
            ("licences", licence),
        ];
        let columns: Vec<(&str, String)> = columns.into_iter().collect();
        self.add_member(staff, &columns, "demo").await?;
        let name = "Samuel Ortiz, PE";
        let user_id = self
            .create_verified_user(
                super::DEMO_ENGINEER.email,
                name,
                super::DEMO_PASSWORD,
                guildhall_domain::identity::Role::Member,
            )
            .await?;
        let audit = self.audit_entry(staff, "member.account_linked", "member", "demo");
        self.store.link_member_by_email(user_id, super::DEMO_ENGINEER.email, &audit).await?;
        Ok(Actor::for_account(user_id, super::DEMO_ENGINEER.email, name, guildhall_domain::identity::Role::Member))
    }
}

/// The demo's publications: a members' journal (with a PDF) and a chapter newsletter
/// archive anyone reads, two issues each.
const JOURNAL_ARTICLES: &[(&str, &str, &str, &str)] = &[
    (
        "Fatigue assessment of welded steel bridge details",
        "Ruiz, A., & Chen, L.",
        "We review how **fatigue** cracks start at welded details of older steel bridges and compare three \
         assessment methods against inspection records from forty spans.",
        "45-58",
    ),
    (
        "Documenting responsible charge on small projects",
        "Okafor, M.",
        "A practical guide to showing **responsible charge** when one engineer seals work prepared by a small team.",
        "59-66",
    ),
    (
        "Stormwater detention sizing under updated rainfall data",
        "Natarajan, P., & Morgan, A.",
        "Updated rainfall frequency estimates change detention volumes; we show the effect on twelve municipal basins.",
        "67-80",
    ),
];

const NEWSLETTER_ARTICLES: &[(&str, &str, &str)] = &[
    ("Chapter awards night recap", "Reyes, D.", "Photos and citations from the Capital Chapter's annual awards night."),
    ("New PE licensees this spring", "Chapter Board", "Congratulations to the eleven members who passed the PE exam."),
    (
        "Volunteers judge the regional science fair",
        "Ortiz, S.",
        "Twenty members judged engineering projects by local students.",
    ),
];

impl App {
    pub(super) async fn seed_demo_publications(&self, staff: &Actor) -> AppResult<()> {
        use crate::publications::{IssueForm, PublicationArticleForm, PublicationForm};
        let journal = self
            .create_publication(
                staff,
                &PublicationForm {
                    slug: "journal-of-professional-practice".into(),
                    name: "Journal of Professional Practice".into(),
                    description: "The society's peer-reviewed journal on engineering practice, licensure and ethics."
                        .into(),
                    kind: "journal".into(),
                    access: "members".into(),
                    ..PublicationForm::default()
                },
                "demo",
            )
            .await?;
        let newsletter = self
            .create_publication(
                staff,
                &PublicationForm {
                    slug: "capital-chapter-news".into(),
                    name: "Capital Chapter News".into(),
                    description: "The Capital Chapter's newsletter archive.".into(),
                    kind: "newsletter".into(),
                    access: "public".into(),
                    ..PublicationForm::default()
                },
                "demo",
            )
            .await?;
        let today = self.clock.today();
        let year = today.year();
        // The journal's first issue came out half a year ago, its second this month.
        for (number, days_ago) in [(1, 180), (2, 10)] {
            let issue = IssueForm {
                title: format!("Volume 12, Number {number}"),
                volume: "12".into(),
                number: number.to_string(),
                published_on: (today - time::Duration::days(days_ago)).to_string(),
            };
            let issue_id = self.add_publication_issue(staff, &journal, &issue, "demo").await?;
            for (i, (title, authors, summary, pages)) in JOURNAL_ARTICLES.iter().enumerate() {
                let title = if number == 1 { (*title).to_string() } else { format!("{title}: a follow-up") };
                let body = format!(
                    "## Introduction\n\n{summary}\n\n## Method\n\n1. **Records**: inspection and design records were collected.\n\
                     2. **Analysis**: each case was assessed by the methods compared.\n\n## Findings\n\n\
                     The methods agree on most details; where they differ, the record explains why."
                );
                let files = if i == 0 {
                    vec![crate::uploads::Upload {
                        file_name: "full-article.pdf".into(),
                        bytes: demo_pdf(&title, authors),
                    }]
                } else {
                    Vec::new()
                };
                let article = PublicationArticleForm {
                    title,
                    authors: (*authors).into(),
                    summary: (*summary).into(),
                    body,
                    doi: format!("10.5555/jpp.{year}.12.{number}.{}", i + 1),
                    pages: (*pages).into(),
                };
                self.add_publication_article(staff, &journal, issue_id, &article, files, "demo").await?;
            }
        }
        for (number, month) in [(1, 4), (2, 10)] {
            let issue = IssueForm {
                title: format!("{} {year}", if number == 1 { "Spring" } else { "Autumn" }),
                volume: String::new(),
                number: String::new(),
                published_on: format!("{year}-{month:02}-15"),
            };
            let issue_id = self.add_publication_issue(staff, &newsletter, &issue, "demo").await?;
            for (title, authors, summary) in NEWSLETTER_ARTICLES.iter().skip(number - 1).take(2) {
                let article = PublicationArticleForm {
                    title: (*title).into(),
                    authors: (*authors).into(),
                    summary: (*summary).into(),
                    body: format!("{summary}\n\nRead more at the next chapter meeting."),
                    doi: String::new(),
                    pages: String::new(),
                };
                self.add_publication_article(staff, &newsletter, issue_id, &article, Vec::new(), "demo").await?;
            }
        }
        Ok(())
    }
}

/// A one-page PDF standing in for an article's full text.
fn demo_pdf(title: &str, authors: &str) -> Vec<u8> {
    one_page_pdf(title, authors, "Journal of Professional Practice (demo full text).")
}

/// A one-page PDF: a heading and two lines (demo articles and resumes).
pub(super) fn one_page_pdf(heading: &str, first: &str, second: &str) -> Vec<u8> {
    let mut content = pdf_writer::Content::new();
    crate::pdf::text(&mut content, 72.0, 720.0, 16.0, true, heading);
    crate::pdf::text(&mut content, 72.0, 696.0, 11.0, false, first);
    crate::pdf::text(&mut content, 72.0, 660.0, 11.0, false, second);
    crate::pdf::one_page(content, (612.0, 792.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_read_as_articles_with_pending_and_repeated_links() {
        let files = kb_article_files(1, 200);
        let parsed = guildhall_domain::knowledge::parse_batch(&files).expect("generated files are valid");
        assert_eq!(parsed.len(), 200);
        assert!(parsed[0].answer.contains("\n\n1. **Safety**"), "{}", parsed[0].answer);
        assert!(!parsed[0].answer.contains("\\n"));
        // The repeated link counts once; the far one stays.
        assert_eq!(parsed[0].related.iter().map(|r| r.source_id).collect::<Vec<_>>(), [2, 98]);
        assert!(parsed.iter().any(|a| a.subject.as_deref().is_some_and(|s| s.chars().all(|c| !c.is_uppercase()))));
    }
}
