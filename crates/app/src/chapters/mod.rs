//! Chapters as officers and staff see them.
//!
//! Files: `mod.rs` (chapters and a person's offices), `officers.rs` (appointing officers and
//! ending their terms), `groups.rs` (affinity groups and their members).

pub mod groups;
pub mod officers;

use guildhall_store::ChapterRecord;

use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

impl App {
    /// The offices the actor holds today: (chapter id, chapter name, title).
    pub async fn offices(&self, actor: &Actor) -> AppResult<Vec<(i64, String, String)>> {
        // A session's `officer_of` was read from today's officer terms when the request
        // was resolved, so an empty list means there are none to look up again.
        if actor.api_token_id.is_none() && actor.officer_of.is_empty() {
            return Ok(Vec::new());
        }
        let terms = self.store.officer_terms_on(actor.user_id, self.clock.today()).await?;
        let mut offices = Vec::with_capacity(terms.len());
        for term in terms {
            if let Some(chapter) = self.chapter_by_id(term.chapter_id).await? {
                offices.push((chapter.id, chapter.name, term.title));
            }
        }
        Ok(offices)
    }

    /// A chapter and its current officers, for its officers and for staff only.
    pub async fn chapter_overview(
        &self,
        actor: &Actor,
        chapter_id: i64,
    ) -> AppResult<(ChapterRecord, Vec<(String, String)>)> {
        actor.require(Permission::ManageChapter(chapter_id))?;
        let chapter =
            self.store.chapter_by_id(chapter_id).await?.ok_or_else(|| AppError::NotFound("No such chapter.".into()))?;
        let officers = self.store.chapter_officers(chapter_id, self.clock.today()).await?;
        Ok((chapter, officers))
    }

    pub async fn chapters(&self, _actor: &Actor) -> AppResult<Vec<ChapterRecord>> {
        Ok(self.store.list_chapters().await?)
    }
}
