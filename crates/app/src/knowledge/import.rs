//! `guildhall kb import` and `kb export`, and the staff page's upload: Q&A article files
//! (YAML front matter, read by `guildhall_domain::knowledge`) in and out.
//!
//! A batch is all or nothing: every file is read and checked first (each problem named by
//! file, line and reason), addresses are checked against other articles, and only then is
//! the batch written, in one transaction.

use std::collections::BTreeMap;

use guildhall_domain::knowledge::{
    ArticleFile, FileProblem, RelatedLink, parse_batch, subject_key, subject_slug, url_fault, write_article_file,
};
use guildhall_store::{KbArticleExport, NewAuditEntry, NewKbArticle, NewRelatedLink, NewSubject};

use super::search_text;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// The first path segments of Guildhall's own pages: an article cannot be served there.
const RESERVED: &[&str] = &[
    "",
    "api",
    "static",
    "staff",
    "admin",
    "account",
    "sign-in",
    "sign-up",
    "sign-out",
    "members",
    "membership",
    "chapters",
    "groups",
    "events",
    "ce",
    "credentials",
    "verify",
    "privacy",
    "questions",
    "search",
    "kb",
    "sitemap.xml",
    "sitemaps",
    "healthz",
    "readyz",
    "join",
    "renew",
    "directory",
    ".well-known",
    "did.json",
    "dashboard",
    "invoices",
    "receipts",
    "calendar",
    "tickets",
    "certificates",
    "publications",
    "jobs",
    "employer",
    "employers",
    "password",
    "two-factor",
    "invitations",
    "webhooks",
    "robots.txt",
    "favicon.ico",
];

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KbImportReport {
    pub files: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
}

/// An address an article may be served at: the file's own rules, and not one of
/// Guildhall's pages. Used by the import and by staff's edit form alike.
pub fn article_path(raw: &str) -> Result<String, String> {
    let path = raw.trim();
    if path.is_empty() {
        return Err("Enter the address the article is served at, starting with /.".into());
    }
    if let Some(fault) = url_fault(path) {
        return Err(format!("The address {}.", fault.replace('`', "")));
    }
    reserved_problem(path).map_or(Ok(path.to_string()), Err)
}

fn reserved_problem(path: &str) -> Option<String> {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let article_home = path.starts_with("/kb/articles/");
    (RESERVED.contains(&first) && !article_home)
        .then(|| format!("{path} is the address of one of the society's own pages; choose another."))
}

/// The address an article is served at: the file's `url`, else `/kb/articles/{id}`.
fn path_of(file: &ArticleFile) -> String {
    file.url.clone().unwrap_or_else(|| format!("/kb/articles/{}", file.source_id))
}

/// A stored article from a parsed file.
fn new_article(file: &ArticleFile) -> NewKbArticle {
    let subjects = file
        .subject
        .iter()
        .map(|name| NewSubject {
            key: subject_key(name),
            name: name.split_whitespace().collect::<Vec<_>>().join(" "),
            slug: subject_slug(name),
        })
        .collect();
    NewKbArticle {
        source_id: Some(file.source_id),
        path: path_of(file),
        title: file.title.clone(),
        question: file.question.clone(),
        answer: file.answer.clone(),
        author: file.author.clone(),
        published_on: file.published_on,
        seo_title: file.seo_title.clone(),
        seo_description: file.seo_description.clone(),
        seo_keywords: file.seo_keywords.clone(),
        front_matter: file.front_matter.to_string(),
        members_only: false,
        from_question_id: None,
        search_text: search_text(&file.question, &file.answer),
        subjects,
        related: file
            .related
            .iter()
            .map(|r| NewRelatedLink {
                source_id: r.source_id,
                title: r.title.clone(),
                subject: r.subject.clone(),
                url: r.url.clone(),
            })
            .collect(),
    }
}

/// Problems as the one refusal people read: a sentence, and each problem by file.
fn refusal(problems: Vec<FileProblem>) -> AppError {
    let count = problems.len();
    let message = match count {
        1 => "1 file has a problem, so nothing was imported. Correct it and import again.".to_string(),
        n => format!("{n} problems were found, so nothing was imported. Correct them and import again."),
    };
    let mut fields = BTreeMap::new();
    for (i, problem) in problems.into_iter().enumerate() {
        fields.insert(format!("{:05}", i + 1), problem.to_string());
    }
    AppError::Validation { message, fields }
}

impl App {
    /// Staff import article files (`(name, text)` pairs) from the staff page.
    pub async fn import_kb_files_as(
        &self,
        actor: &Actor,
        files: Vec<(String, String)>,
        dry_run: bool,
        request_id: &str,
    ) -> AppResult<KbImportReport> {
        actor.require(Permission::ManageKnowledge)?;
        let audit = self.audit_entry(actor, "kb.imported", "kb_article", request_id);
        self.import_kb_files(files, dry_run, audit).await
    }

    /// `guildhall kb import`: the command line acts for the society itself.
    pub async fn import_kb_files_from_command_line(
        &self,
        files: Vec<(String, String)>,
        dry_run: bool,
    ) -> AppResult<KbImportReport> {
        let audit = NewAuditEntry {
            occurred_at: self.clock.unix(),
            actor_label: "Command line (guildhall kb import)".into(),
            action: "kb.imported".into(),
            subject_kind: "kb_article".into(),
            ..Default::default()
        };
        self.import_kb_files(files, dry_run, audit).await
    }

    async fn import_kb_files(
        &self,
        files: Vec<(String, String)>,
        dry_run: bool,
        mut audit: NewAuditEntry,
    ) -> AppResult<KbImportReport> {
        if files.is_empty() {
            return Err(AppError::invalid("There were no article files to import."));
        }
        let parsed = parse_batch(&files).map_err(refusal)?;
        let mut problems = Vec::new();
        let mut seen_paths: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (index, file) in parsed.iter().enumerate() {
            let path = path_of(file);
            if let Some(reason) = reserved_problem(&path) {
                problems.push(FileProblem { file: files[index].0.clone(), line: file.line, reason });
            }
            if let Some((other, line)) = seen_paths.insert(path.clone(), (index, file.line)) {
                problems.push(FileProblem {
                    file: files[index].0.clone(),
                    line: file.line,
                    reason: format!("its address {path} is also {}'s (line {line})", files[other].0),
                });
            }
        }
        let wanted: Vec<(Option<i64>, String)> = parsed.iter().map(|f| (Some(f.source_id), path_of(f))).collect();
        let taken = self.store.kb_paths_taken(&wanted).await?;
        for (index, file) in parsed.iter().enumerate() {
            if taken.contains(&path_of(file)) {
                problems.push(FileProblem {
                    file: files[index].0.clone(),
                    line: file.line,
                    reason: format!("its address {} is already another article's", path_of(file)),
                });
            }
        }
        if !problems.is_empty() {
            return Err(refusal(problems));
        }
        let articles: Vec<NewKbArticle> = parsed.iter().map(new_article).collect();
        if dry_run {
            return Ok(KbImportReport { files: files.len(), created: 0, updated: 0, unchanged: 0, dry_run: true });
        }
        audit.subject_label = match files.len() {
            1 => "1 article file".to_string(),
            n => format!("{n} article files"),
        };
        let outcome = self.store.import_kb_articles(&articles, self.clock.unix(), &audit).await?;
        self.forget_article_pages();
        Ok(KbImportReport {
            files: files.len(),
            created: outcome.created,
            updated: outcome.updated,
            unchanged: outcome.unchanged,
            dry_run: false,
        })
    }

    /// `guildhall kb export`: every article with a source id as an article file
    /// `(file name, text)` that `kb import` reads back to the same record.
    pub async fn export_kb_files(&self) -> AppResult<Vec<(String, String)>> {
        let exports = self.store.kb_articles_for_export().await?;
        let mut used = std::collections::HashSet::new();
        Ok(exports
            .into_iter()
            .filter_map(|export| {
                let file = file_of(&export)?;
                let wanted = export_file_name(&file);
                let name = if used.insert(wanted.clone()) {
                    wanted
                } else {
                    let numbered = format!("{}.md", file.source_id);
                    used.insert(numbered.clone());
                    numbered
                };
                Some((name, write_article_file(&file)))
            })
            .collect())
    }
}

/// The article file of an exported record.
fn file_of(export: &KbArticleExport) -> Option<ArticleFile> {
    let a = &export.article;
    let front_matter: serde_json::Value =
        serde_json::from_str(&a.front_matter).unwrap_or_else(|_| serde_json::json!({}));
    Some(ArticleFile {
        source_id: a.source_id?,
        title: a.title.clone(),
        question: a.question.clone(),
        answer: a.answer.clone(),
        // The file's own spelling when it names the same subject (case and spaces aside).
        subject: export.subjects.first().map(|stored| match front_matter.get("subject").and_then(|s| s.as_str()) {
            Some(written) if subject_key(written) == subject_key(stored) => written.trim().to_string(),
            _ => stored.clone(),
        }),
        author: a.author.clone(),
        published_on: a.published_on,
        url: (a.path != format!("/kb/articles/{}", a.source_id?)).then(|| a.path.clone()),
        seo_title: a.seo_title.clone(),
        seo_description: a.seo_description.clone(),
        seo_keywords: a.seo_keywords.clone(),
        related: export
            .related
            .iter()
            .map(|r| RelatedLink {
                source_id: r.related_source_id,
                title: r.title.clone(),
                subject: r.subject.clone(),
                url: r.url.clone(),
            })
            .collect(),
        front_matter,
        line: 2,
    })
}

/// The file's own `file_name` when it is a plain name, else `{id}.md`.
fn export_file_name(file: &ArticleFile) -> String {
    let given = file.front_matter.get("file_name").and_then(|v| v.as_str()).unwrap_or("").trim();
    let plain = !given.is_empty()
        && given.len() <= 200
        && !given.starts_with('.')
        && given.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain { given.to_string() } else { format!("{}.md", file.source_id) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_the_societys_own_pages_are_refused() {
        assert!(article_path("/learn/engineering/questions/what-is-a-pdh").is_ok());
        assert!(article_path("/kb/articles/12").is_ok());
        for bad in ["/staff/members", "/api/v1/me", "/", "/questions/1", "relative", "/a b"] {
            assert!(article_path(bad).is_err(), "{bad}");
        }
    }
}
