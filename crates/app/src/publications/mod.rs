//! Publications: the society's journals, magazines and newsletter archives, their issues
//! and articles. Everyone reads an article's title, authors, abstract and citation; its full
//! text and files only the readers its publication's access allows
//! (`guildhall_domain::publications::reads_full_text`). Staff add publications, issues and
//! articles (with PDF or image files, stored in the database like CE evidence).
//!
//! Files: `mod.rs` (reading, the feed's articles, staff's additions).

use guildhall_domain::publications::{
    CitationParts, PublicationAccess, PublicationKind, Reader, citation, parse_doi, reads_full_text,
};
use guildhall_store::{
    IssueRecord, NewIssue, NewPublication, NewPublicationArticle, NewPublicationFile, PublicationArticleRecord,
    PublicationFileRecord, PublicationRecord,
};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::knowledge::markdown;
use crate::uploads::{Document, Upload, clean_file_name, sniff};
use crate::{Actor, App, Permission};

/// The largest file an article may carry.
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// A publication's page: its issues, and whether the reader reads its full texts.
#[derive(Debug, Clone)]
pub struct PublicationView {
    pub publication: PublicationRecord,
    pub issues: Vec<IssueRecord>,
    pub reads_full_text: bool,
    /// Who reads the full texts, in words.
    pub access_words: String,
}

/// An article's page.
#[derive(Debug, Clone)]
pub struct PublicationArticleView {
    pub publication: PublicationRecord,
    pub issue: IssueRecord,
    pub article: PublicationArticleRecord,
    /// The full text as sanitised HTML, for readers the access allows.
    pub body_html: Option<String>,
    pub files: Vec<PublicationFileRecord>,
    /// The abstract as sanitised HTML, and as plain text (the page's description).
    pub summary_html: String,
    pub summary_text: String,
    /// The citation as sanitised HTML (the publication in italics).
    pub citation_html: String,
    pub citation: String,
    pub signed_in: bool,
    /// Whether the full text is for some readers only (not the public).
    pub restricted: bool,
}

/// A publication as staff create it.
#[derive(Debug, Clone, Default)]
pub struct PublicationForm {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub access: String,
    pub tier_ids: Vec<i64>,
    pub group_ids: Vec<i64>,
}

/// An issue as staff add it.
#[derive(Debug, Clone, Default)]
pub struct IssueForm {
    pub title: String,
    pub volume: String,
    pub number: String,
    pub published_on: String,
}

/// An article as staff add it.
#[derive(Debug, Clone, Default)]
pub struct PublicationArticleForm {
    pub title: String,
    pub authors: String,
    pub summary: String,
    pub body: String,
    pub doi: String,
    pub pages: String,
}

impl App {
    /// What is known about the reader for deciding on full texts.
    async fn publication_reader(&self, actor: Option<&Actor>) -> AppResult<Reader> {
        let Some(actor) = actor else { return Ok(Reader::default()) };
        let mut reader = Reader { staff: actor.is_staff(), ..Reader::default() };
        if let Some(member) = self.store.member_by_user(actor.user_id).await? {
            reader.current_member = member.standing.is_current_member();
            reader.tier_id = Some(member.tier_id);
            reader.group_ids = self.store.member_groups(member.id).await?.into_iter().map(|g| g.id).collect();
        }
        Ok(reader)
    }

    async fn publication_by_slug(&self, slug: &str) -> AppResult<PublicationRecord> {
        self.store.publication(slug).await?.ok_or_else(|| AppError::NotFound("No such publication.".into()))
    }

    /// Whether the reader reads the publication's full texts, and who does, in words.
    async fn full_text_for(&self, actor: Option<&Actor>, p: &PublicationRecord) -> AppResult<(bool, String)> {
        let reader = self.publication_reader(actor).await?;
        let (tiers, groups) = self.store.publication_access(p.id).await?;
        let words = match p.access {
            PublicationAccess::Public => "Anyone can read every article.".to_string(),
            PublicationAccess::Members => "Members in good standing read the full articles.".to_string(),
            PublicationAccess::Chosen => {
                let reference = self.reference().await?;
                let mut names: Vec<String> = reference
                    .tiers
                    .iter()
                    .filter(|t| tiers.contains(&t.id))
                    .map(|t| format!("{} members", t.name))
                    .collect();
                for group in self.store.list_groups().await? {
                    if groups.contains(&group.id) {
                        names.push(format!("members of {}", group.name));
                    }
                }
                format!("{} in good standing read the full articles.", capitalised(&names.join(", ")))
            }
        };
        Ok((reads_full_text(p.access, &tiers, &groups, &reader), words))
    }

    /// Every publication (anyone may list them).
    pub async fn publications(&self) -> AppResult<Vec<PublicationRecord>> {
        Ok(self.store.publications().await?)
    }

    /// A publication with its issues.
    pub async fn publication_page(&self, actor: Option<&Actor>, slug: &str) -> AppResult<PublicationView> {
        let publication = self.publication_by_slug(slug).await?;
        let (reads_full_text, access_words) = self.full_text_for(actor, &publication).await?;
        let issues = self.store.publication_issues(publication.id).await?;
        Ok(PublicationView { publication, issues, reads_full_text, access_words })
    }

    /// Issues of every publication dated from `from` to `to`, newest first, at most
    /// `limit`, each with its publication: what the monthly digest lists (an issue's page,
    /// with its titles and abstracts, is for everyone).
    pub async fn issues_published_between(
        &self,
        from: time::Date,
        to: time::Date,
        limit: i64,
    ) -> AppResult<Vec<(PublicationRecord, IssueRecord)>> {
        let issues = self.store.publication_issues_published_between(from, to, limit).await?;
        if issues.is_empty() {
            return Ok(Vec::new());
        }
        let publications = self.store.publications().await?;
        Ok(issues
            .into_iter()
            .filter_map(|issue| {
                let publication = publications.iter().find(|p| p.id == issue.publication_id)?;
                Some((publication.clone(), issue))
            })
            .collect())
    }

    /// An issue and its articles (titles, authors and abstracts are for everyone).
    pub async fn publication_issue_page(
        &self,
        slug: &str,
        issue_id: i64,
    ) -> AppResult<(PublicationRecord, IssueRecord, Vec<PublicationArticleRecord>)> {
        let publication = self.publication_by_slug(slug).await?;
        let issue = self
            .store
            .publication_issue(issue_id)
            .await?
            .filter(|i| i.publication_id == publication.id)
            .ok_or_else(|| AppError::NotFound("No such issue.".into()))?;
        let articles = self.store.issue_articles(issue.id).await?;
        Ok((publication, issue, articles))
    }

    /// An article: everyone reads its abstract and citation, the allowed readers its full
    /// text and files.
    pub async fn publication_article_page(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        article_id: i64,
    ) -> AppResult<PublicationArticleView> {
        let publication = self.publication_by_slug(slug).await?;
        let not_found = || AppError::NotFound("No such article.".into());
        let article = self.store.publication_article(article_id).await?.ok_or_else(not_found)?;
        let issue = self
            .store
            .publication_issue(article.issue_id)
            .await?
            .filter(|i| i.publication_id == publication.id)
            .ok_or_else(not_found)?;
        let (reads, _) = self.full_text_for(actor, &publication).await?;
        let citation = citation(&CitationParts {
            authors: &article.authors,
            year: issue.published_on.year(),
            title: &article.title,
            publication: &publication.name,
            volume: issue.volume,
            number: issue.number,
            pages: &article.pages,
            doi: article.doi.as_deref(),
        });
        let files = if reads { self.store.publication_files(article.id).await? } else { Vec::new() };
        Ok(PublicationArticleView {
            body_html: (reads && !article.body.trim().is_empty()).then(|| markdown::to_html_nested(&article.body)),
            summary_html: markdown::to_html(&article.summary),
            summary_text: markdown::to_plain_text(&article.summary),
            citation_html: markdown::to_html(&citation),
            citation,
            files,
            signed_in: actor.is_some(),
            restricted: publication.access != PublicationAccess::Public,
            publication,
            issue,
            article,
        })
    }

    /// One of an article's files, for readers the access allows.
    pub async fn publication_file(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        article_id: i64,
        file_id: i64,
    ) -> AppResult<Document> {
        let view = self.publication_article_page(actor, slug, article_id).await?;
        let (reads, _) = self.full_text_for(actor, &view.publication).await?;
        if !reads {
            return Err(match actor {
                None => AppError::Unauthenticated,
                Some(_) => AppError::Forbidden("This publication's files are for its readers.".into()),
            });
        }
        let (file, bytes) = self
            .store
            .publication_file(article_id, file_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such file.".into()))?;
        let content_type = sniff(&bytes).map(|(t, _)| t).unwrap_or("application/octet-stream");
        Ok(Document { file_name: file.file_name, content_type, bytes })
    }

    /// A publication's newest articles (its Atom feed: titles, authors, abstracts).
    pub async fn publication_feed(
        &self,
        slug: &str,
    ) -> AppResult<(PublicationRecord, Vec<(PublicationArticleRecord, IssueRecord)>)> {
        let publication = self.publication_by_slug(slug).await?;
        let articles = self.store.recent_publication_articles(publication.id, 50).await?;
        Ok((publication, articles))
    }

    /// Staff create a publication.
    pub async fn create_publication(
        &self,
        actor: &Actor,
        form: &PublicationForm,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::ManagePublications)?;
        let mut errors = FieldErrors::default();
        let name = errors.text(&form.name, "name", "a name", 200, true);
        let description = errors.text(&form.description, "description", "a description", 1000, false);
        let slug = form.slug.trim().to_lowercase();
        let slug_ok = !slug.is_empty()
            && slug.len() <= 60
            && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if !slug_ok {
            errors.add("slug", "Give a short address of lower-case letters, digits and dashes (journal-of-practice).");
        }
        let kind = PublicationKind::from_code(form.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Choose a journal, a magazine or a newsletter archive.");
        }
        let access = PublicationAccess::from_code(form.access.trim());
        if access.is_none() {
            errors.add("access", "Choose who reads the full articles.");
        }
        if access == Some(PublicationAccess::Chosen) && form.tier_ids.is_empty() && form.group_ids.is_empty() {
            errors.add("access", "Choose at least one tier or group whose members read the full articles.");
        }
        let reference = self.reference().await?;
        if form.tier_ids.iter().any(|t| !reference.tiers.iter().any(|known| known.id == *t)) {
            errors.add("access", "Choose tiers the society has.");
        }
        let groups = self.store.list_groups().await?;
        if form.group_ids.iter().any(|g| !groups.iter().any(|known| known.id == *g)) {
            errors.add("access", "Choose groups the society has.");
        }
        errors.into_result()?;
        let (Some(kind), Some(access)) = (kind, access) else {
            return Err(AppError::invalid("Choose a kind and who reads the full articles."));
        };
        let chosen = access == PublicationAccess::Chosen;
        let publication = NewPublication {
            slug: slug.clone(),
            name,
            description,
            kind,
            access,
            chapter_id: None,
            tier_ids: if chosen { form.tier_ids.clone() } else { Vec::new() },
            group_ids: if chosen { form.group_ids.clone() } else { Vec::new() },
        };
        let mut audit = self.audit_entry(actor, "publication.created", "publication", request_id);
        audit.subject_label = publication.name.clone();
        audit.after_json = Some(
            serde_json::json!({ "name": publication.name, "address": format!("/publications/{slug}"),
                                "access": access.label() })
            .to_string(),
        );
        self.store.create_publication(&publication, self.clock.unix(), &audit).await.map_err(|e| match e {
            guildhall_store::StoreError::Conflict { .. } => {
                AppError::invalid_field("slug", "Another publication has that address.")
            }
            other => other.into(),
        })?;
        Ok(slug)
    }

    /// Staff add an issue to a publication; its id.
    pub async fn add_publication_issue(
        &self,
        actor: &Actor,
        slug: &str,
        form: &IssueForm,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::ManagePublications)?;
        let publication = self.publication_by_slug(slug).await?;
        let mut errors = FieldErrors::default();
        let title = errors.text(&form.title, "title", "a title (such as Volume 12, Number 3)", 200, true);
        let number = |raw: &str, field: &str, errors: &mut FieldErrors| match raw.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) if (1..=100_000).contains(&n) => Some(n),
                _ => {
                    errors.add(field, "Give a whole number from 1, or leave it empty.");
                    None
                }
            },
        };
        let volume = number(&form.volume, "volume", &mut errors);
        let issue_number = number(&form.number, "number", &mut errors);
        let published_on = match time::Date::parse(
            form.published_on.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        {
            Some(day) => Some(day),
            None => {
                errors.add("published_on", "Give the date of the issue as YYYY-MM-DD.");
                None
            }
        };
        errors.into_result()?;
        let issue =
            NewIssue { title, volume, number: issue_number, published_on: published_on.unwrap_or(self.clock.today()) };
        let mut audit = self.audit_entry(actor, "publication.issue_added", "publication", request_id);
        audit.subject_label = format!("{}: {}", publication.name, issue.title);
        Ok(self.store.add_publication_issue(publication.id, &issue, self.clock.unix(), &audit).await?)
    }

    /// Staff add an article (with PDF or image files) to an issue; its id.
    pub async fn add_publication_article(
        &self,
        actor: &Actor,
        slug: &str,
        issue_id: i64,
        form: &PublicationArticleForm,
        files: Vec<Upload>,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::ManagePublications)?;
        let (publication, issue, _) = self.publication_issue_page(slug, issue_id).await?;
        let mut errors = FieldErrors::default();
        let title = errors.text(&form.title, "title", "a title", 300, true);
        let authors = errors.text(&form.authors, "authors", "the authors", 500, false);
        let summary = errors.markdown(&form.summary, "summary", "an abstract", 5_000);
        let body = match form.body.trim() {
            "" => String::new(),
            _ => errors.markdown(&form.body, "body", "the full text", 200_000),
        };
        let pages = errors.text(&form.pages, "pages", "pages", 40, false);
        let doi = match form.doi.trim() {
            "" => None,
            raw => errors.check("doi", parse_doi(raw)),
        };
        let mut stored = Vec::new();
        for upload in files.into_iter().filter(|f| !f.bytes.is_empty()) {
            if upload.bytes.len() > MAX_FILE_BYTES {
                errors.add("files", format!("{} is larger than 25 MB.", upload.file_name));
                continue;
            }
            match sniff(&upload.bytes) {
                Some((content_type, ext)) => stored.push(NewPublicationFile {
                    file_name: clean_file_name(&upload.file_name, ext),
                    content_type: content_type.into(),
                    sha256: format!("{:x}", Sha256::digest(&upload.bytes)),
                    content: upload.bytes,
                }),
                None => errors.add("files", format!("{} is not a PDF or an image.", upload.file_name)),
            }
        }
        errors.into_result()?;
        let search_text =
            format!("{authors} {} {}", markdown::to_plain_text(&summary), doi.clone().unwrap_or_default());
        let article = NewPublicationArticle { title, authors, summary, body, doi, pages, files: stored };
        let mut audit = self.audit_entry(actor, "publication.article_added", "publication", request_id);
        audit.subject_label = format!("{}: {}", publication.name, article.title);
        let id = self
            .store
            .add_publication_article(&issue, &publication, &article, &search_text, self.clock.unix(), &audit)
            .await
            .map_err(|e| match e {
                guildhall_store::StoreError::Conflict { .. } => {
                    AppError::invalid_field("doi", "Another article already has that DOI.")
                }
                other => other.into(),
            })?;
        self.forget_search_pages();
        Ok(id)
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
