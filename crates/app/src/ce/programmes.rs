//! The rule book: the repository's rule files plus staff-defined programmes, validated
//! together and reloaded when one is saved.

use super::*;

/// Loads the rule book: the repository's rule files plus the staff-defined programmes.
pub(crate) async fn load_rule_book(store: &guildhall_store::Store) -> AppResult<RuleBook> {
    let programmes = store.ce_programmes().await?;
    let extra: Vec<(&str, &str)> = programmes.iter().map(|p| (p.file_name.as_str(), p.source.as_str())).collect();
    RuleBook::embedded_with(&extra).map_err(|e| AppError::Internal(format!("rule book: {e}")))
}

impl App {
    /// Re-reads the staff-defined programmes into the rule book.
    pub async fn reload_rule_book(&self) -> AppResult<()> {
        let book = Arc::new(load_rule_book(&self.store).await?);
        match self.rule_book.write() {
            Ok(mut slot) => *slot = book,
            Err(poisoned) => *poisoned.into_inner() = book,
        }
        Ok(())
    }

    /// The staff-defined programmes.
    pub async fn ce_programmes(&self, actor: &Actor) -> AppResult<Vec<CeProgrammeRecord>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.ce_programmes().await?)
    }

    /// Adds or replaces a society-defined programme from a rule file (same format as the
    /// repository's `rules/`). The file is validated with every other rule file first; a bad
    /// file is refused with its line and reason and changes nothing.
    pub async fn save_ce_programme(
        &self,
        actor: &Actor,
        file_name: &str,
        source: &str,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::StaffArea)?;
        let file_name = clean_file_name(if file_name.trim().is_empty() { "programme.toml" } else { file_name }, "toml");
        let parsed: toml::Table = toml::from_str(source).map_err(|e| {
            AppError::invalid_field("rules", format!("{file_name} is not a valid rule file: {}", e.message().trim()))
        })?;
        let ids: Vec<String> = parsed
            .get("ruleset")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|r| r.get("id")?.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let mut unique = ids.clone();
        unique.dedup();
        let [ruleset_id] = unique.as_slice() else {
            return Err(AppError::invalid_field(
                "rules",
                "A programme file defines exactly one rule set ([[ruleset]] with an id; versions may repeat it).",
            ));
        };
        if guildhall_ce::rules::EMBEDDED_RULE_FILES
            .iter()
            .any(|(_, text)| text.contains(&format!("id = \"{ruleset_id}\"")))
        {
            return Err(AppError::invalid_field(
                "rules",
                format!("{ruleset_id} is a rule set shipped with Guildhall; give the programme an id of its own."),
            ));
        }
        // Validate together with every other programme (this one replacing its namesake).
        let mut programmes: Vec<(String, String)> = self
            .store
            .ce_programmes()
            .await?
            .into_iter()
            .filter(|p| &p.ruleset_id != ruleset_id)
            .map(|p| (p.file_name, p.source))
            .collect();
        programmes.push((file_name.clone(), source.to_string()));
        let extra: Vec<(&str, &str)> = programmes.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        RuleBook::embedded_with(&extra).map_err(|e| AppError::invalid_field("rules", e.to_string()))?;
        let mut audit = self.audit_entry(actor, "ce.programme_saved", "ce_programme", request_id);
        audit.subject_label = ruleset_id.clone();
        audit.after_json = Some(serde_json::json!({"ruleset": ruleset_id, "file": file_name}).to_string());
        self.store
            .save_ce_programme(ruleset_id, &file_name, source, Some(actor.user_id), &audit, self.clock.unix())
            .await?;
        self.reload_rule_book().await?;
        Ok(ruleset_id.clone())
    }
}
