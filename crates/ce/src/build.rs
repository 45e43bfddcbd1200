//! Building a [`Member`] from typed records, without going through JSON.
//!
//! [`MemberBuilder`] interns what the rule book knows (tags, kinds, approving boards,
//! attributes) and what only this member's input names (tags outside the book,
//! organisations). The JSON entry point ([`parse_input`](crate::parse_input)) and the server's
//! ledger both build through it, so both read activities the same way. The builder keeps its
//! buffers between members when it is [`reset`](MemberBuilder::reset), so bulk evaluation
//! allocates nothing per member once they have grown.

use time::Date;

use crate::engine::Names;
use crate::model::{Activity, Credential, Member, Session, When};
use crate::rules::{KindId, MAX_TAGS, RuleBook, TagSet};

/// One member's engine input under construction.
pub struct MemberBuilder<'b> {
    book: &'b RuleBook,
    member: Member,
    extra_tags: Vec<String>,
    organisations: Vec<String>,
}

/// A tag could not be interned: one input may name at most this many tags the rule book
/// does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyTags {
    pub limit: usize,
}

impl<'b> MemberBuilder<'b> {
    pub fn new(book: &'b RuleBook, as_of: Date) -> Self {
        MemberBuilder {
            book,
            member: Member { as_of: Some(as_of), ..Member::default() },
            extra_tags: Vec::new(),
            organisations: Vec::new(),
        }
    }

    /// Starts the next member, keeping the buffers.
    pub fn reset(&mut self, as_of: Date) {
        self.member.clear();
        self.member.as_of = Some(as_of);
        self.extra_tags.clear();
        self.organisations.clear();
    }

    pub fn book(&self) -> &'b RuleBook {
        self.book
    }

    pub fn credential(&mut self, credential: Credential) {
        self.member.credentials.push(credential);
    }

    pub fn kind(&self, kind: &str) -> KindId {
        self.book.kind_id(kind)
    }

    /// The tag set of `tags`; tags the rule book does not know get ids local to this member
    /// (they still count toward diversity prefixes and are named in explanations).
    pub fn tags<'t>(&mut self, tags: impl IntoIterator<Item = &'t str>) -> Result<TagSet, TooManyTags> {
        let mut set = TagSet::EMPTY;
        let known = self.book.tag_count();
        for tag in tags {
            let id = match self.book.tag_id(tag) {
                Some(id) => id,
                None => match self.extra_tags.iter().position(|t| t == tag) {
                    Some(i) => (known + i) as u16,
                    None => {
                        if known + self.extra_tags.len() >= MAX_TAGS {
                            return Err(TooManyTags { limit: MAX_TAGS - known });
                        }
                        self.extra_tags.push(tag.to_string());
                        (known + self.extra_tags.len() - 1) as u16
                    }
                },
            };
            set.insert(id);
        }
        Ok(set)
    }

    /// The approving boards (jurisdictions) the rule book knows, as a bit set.
    pub fn approvals<'t>(&self, jurisdictions: impl IntoIterator<Item = &'t str>) -> u32 {
        jurisdictions.into_iter().filter_map(|j| self.book.jurisdiction_id(j)).fold(0, |bits, bit| bits | 1 << bit)
    }

    /// The id of an organisation within this member's input (1, 2, …; 0 means none).
    pub fn organisation(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name else { return 0 };
        let index = match self.organisations.iter().position(|o| o == name) {
            Some(i) => i,
            None => {
                self.organisations.push(name.to_string());
                self.organisations.len() - 1
            }
        };
        index as u32 + 1
    }

    /// Attributes recorded true and false, as bit sets of the conditions the rule book names.
    pub fn attributes<'t>(&self, attributes: impl IntoIterator<Item = (&'t str, bool)>) -> (u64, u64) {
        let (mut yes, mut no) = (0u64, 0u64);
        for (name, value) in attributes {
            if let Some(bit) = self.book.attr_id(name) {
                if value {
                    yes |= 1 << bit;
                } else {
                    no |= 1 << bit;
                }
            }
        }
        (yes, no)
    }

    /// Adds an activity's sessions; returns where they are and their total hours (millionths).
    pub fn sessions(&mut self, sessions: impl IntoIterator<Item = Session>) -> (When, i64) {
        let start = self.member.sessions.len();
        let mut total = 0i64;
        for s in sessions {
            total += s.hours;
            self.member.sessions.push(s);
        }
        let len = self.member.sessions.len() - start;
        (When::Sessions { start: start as u32, len: len as u32 }, total)
    }

    pub fn activity(&mut self, activity: Activity) {
        self.member.activities.push(activity);
    }

    /// Completes the input (diversity masks) and returns it, with the tag names local to it.
    pub fn finish(&mut self) -> &Member {
        for prefix in self.book.diversity_prefixes() {
            let mut mask = TagSet::EMPTY;
            for (name, id) in self.book.tags.iter() {
                if name.starts_with(prefix.as_str()) {
                    mask.insert(*id);
                }
            }
            for (i, name) in self.extra_tags.iter().enumerate() {
                if name.starts_with(prefix.as_str()) {
                    mask.insert((self.book.tag_count() + i) as u16);
                }
            }
            self.member.diversity_masks.push(mask);
        }
        &self.member
    }

    /// Completes the input and hands it over with the [`Names`] explanations need.
    pub fn into_member(mut self, credential_ids: Vec<String>, activity_ids: Vec<String>) -> (Member, Names) {
        self.finish();
        let names = Names { credential_ids, activity_ids, extra_tags: self.extra_tags };
        (self.member, names)
    }
}
