//! Affinity groups: staff define them (audited) and add or remove members.

use guildhall_store::{GroupRecord, StoreError};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::{Actor, App, Permission};

/// What the group form sends.
#[derive(Debug, Clone, Default)]
pub struct GroupForm {
    pub slug: String,
    pub name: String,
    pub description: String,
}

impl App {
    /// Every affinity group with how many members it has.
    pub async fn staff_groups(&self, actor: &Actor) -> AppResult<Vec<(GroupRecord, i64)>> {
        actor.require(Permission::StaffArea)?;
        let counts = self.store.group_member_counts().await?;
        Ok(self
            .store
            .list_groups()
            .await?
            .into_iter()
            .map(|g| {
                let n = counts.iter().find(|(id, _)| *id == g.id).map_or(0, |(_, n)| *n);
                (g, n)
            })
            .collect())
    }

    pub async fn staff_group(&self, actor: &Actor, id: i64) -> AppResult<GroupRecord> {
        actor.require(Permission::StaffArea)?;
        self.store.group_by_id(id).await?.ok_or_else(|| AppError::NotFound("No such group.".into()))
    }

    /// Creates a group (`id` None) or changes one; returns its id.
    pub async fn save_group(
        &self,
        actor: &Actor,
        id: Option<i64>,
        form: &GroupForm,
        request_id: &str,
    ) -> AppResult<i64> {
        actor.require(Permission::StaffArea)?;
        let before = match id {
            Some(id) => Some(self.staff_group(actor, id).await?),
            None => None,
        };
        let mut errors = FieldErrors::default();
        let slug = form.slug.trim().to_string();
        let valid_slug = (1..=60).contains(&slug.len())
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-');
        if !valid_slug {
            errors.add(
                "slug",
                "A short name is 1 to 60 lowercase letters, digits and '-', for example \"young-professionals\".",
            );
        }
        let name = errors.text(&form.name, "name", "a name", 100, true);
        let description = errors.text(&form.description, "description", "the description", 500, false);
        errors.into_result()?;
        let taken = || AppError::invalid_field("slug", format!("Another group already has the short name {slug}."));
        if self.store.list_groups().await?.iter().any(|g| g.slug == slug && Some(g.id) != id) {
            return Err(taken());
        }
        let mut audit =
            self.audit_entry(actor, if id.is_some() { "group.changed" } else { "group.created" }, "group", request_id);
        audit.subject_label = name.clone();
        audit.before_json = before
            .as_ref()
            .map(|g| json!({ "slug": g.slug, "name": g.name, "description": g.description }).to_string());
        audit.after_json = Some(json!({ "slug": slug, "name": name, "description": description }).to_string());
        self.store.save_group(id, (&slug, &name, &description), &audit, self.clock.unix()).await.map_err(|e| match e {
            StoreError::Conflict { .. } => taken(),
            other => other.into(),
        })
    }

    /// Deletes a group nobody is in (audited); while members are in it, it is refused.
    pub async fn delete_group(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        let group = self.staff_group(actor, id).await?;
        let in_use = || AppError::Conflict {
            message: format!("Members are in {}; remove them from it before deleting it.", group.name),
            field: None,
        };
        let mut audit = self.audit_entry(actor, "group.deleted", "group", request_id);
        audit.subject_id = Some(group.id);
        audit.subject_label = group.name.clone();
        audit.before_json =
            Some(json!({ "slug": group.slug, "name": group.name, "description": group.description }).to_string());
        self.store.delete_group(id, &audit).await.map_err(|e| match e {
            StoreError::Conflict { .. } => in_use(),
            StoreError::NotFound => AppError::NotFound("No such group.".into()),
            other => other.into(),
        })
    }

    /// Adds a member to an affinity group (nothing changes if they are in it already).
    pub async fn add_member_to_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        request_id: &str,
    ) -> AppResult<bool> {
        self.change_member_group(actor, member_id, group_id, true, request_id).await
    }

    /// Removes a member from an affinity group (nothing changes if they are not in it).
    pub async fn remove_member_from_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        request_id: &str,
    ) -> AppResult<bool> {
        self.change_member_group(actor, member_id, group_id, false, request_id).await
    }

    async fn change_member_group(
        &self,
        actor: &Actor,
        member_id: i64,
        group_id: &str,
        add: bool,
        request_id: &str,
    ) -> AppResult<bool> {
        actor.require(Permission::StaffArea)?;
        let member =
            self.store.member_by_id(member_id).await?.ok_or_else(|| AppError::NotFound("No such member.".into()))?;
        let group = match group_id.trim().parse::<i64>() {
            Ok(id) => self.store.group_by_id(id).await?,
            Err(_) => None,
        }
        .ok_or_else(|| AppError::invalid_field("group_id", "Choose a group from the list."))?;
        let groups: Vec<String> = self.store.member_groups(member.id).await?.into_iter().map(|g| g.slug).collect();
        let mut after = groups.clone();
        if add {
            after.push(group.slug.clone());
            after.sort();
            after.dedup();
        } else {
            after.retain(|s| *s != group.slug);
        }
        let mut audit = self.audit_entry(
            actor,
            if add { "member.group_added" } else { "member.group_removed" },
            "member",
            request_id,
        );
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} {} ({})", member.first_name, member.last_name, member.member_number);
        audit.chapter_id = member.home_chapter_id;
        audit.before_json = Some(json!({ "groups": groups }).to_string());
        audit.after_json = Some(json!({ "groups": after }).to_string());
        if add {
            Ok(self.store.add_member_group(member.id, group.id, self.clock.today(), &audit).await?)
        } else {
            Ok(self.store.remove_member_group(member.id, group.id, &audit).await?)
        }
    }
}
