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

/// How a programme's periods are placed, offered by the programme form (the rule files'
/// anchors that need no further dates).
pub const PROGRAMME_ANCHORS: &[(&str, &str)] = &[
    ("calendar_year", "Calendar years (January to December)"),
    ("credential_start", "From the day the member earned it"),
    ("credential_expiration", "Ending on its expiry date"),
    ("membership_renewal", "With the member's membership year"),
];

/// Credit units offered by the programme form.
pub const PROGRAMME_UNITS: &[(&str, &str)] =
    &[("PDH", "PDH (professional development hours)"), ("CE_HOUR", "CE hours"), ("CPD_HOUR", "CPD hours")];

/// A programme as the staff form describes it: the common fields of a rule file.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFields {
    /// The rule set's id, e.g. `CAPITAL-BRIDGE-CERT`.
    pub id: String,
    pub name: String,
    /// Who grants it (the society or a chapter).
    pub authority: String,
    pub length_months: String,
    pub anchor: String,
    pub total: String,
    pub unit: String,
    /// (topic tag, hours), blank rows left out.
    pub minimums: Vec<(String, String)>,
    /// Most credit carried into the next period; blank for none.
    pub carryover: String,
}

impl ProgrammeFields {
    /// The minimum row `i` (blank when there is none), for the form.
    pub fn minimum(&self, i: usize) -> (&str, &str) {
        self.minimums.get(i).map_or(("", ""), |(t, h)| (t.as_str(), h.as_str()))
    }
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A whole number or decimal amount of credit as a rule file writes it.
fn amount(field: &str, label: &str, text: &str, errors: &mut BTreeMap<String, String>) -> Option<String> {
    match micro_of(field, label, text) {
        Ok(v) if v > 1_000 * 1_000_000 => {
            errors.insert(field.into(), format!("{label} must be at most 1000."));
            None
        }
        Ok(v) => Some(micro_text(v)),
        Err(AppError::Validation { fields, .. }) => {
            errors.extend(fields);
            None
        }
        Err(_) => None,
    }
}

/// The rule file the programme form describes, or every field's problem at once. The file
/// is then checked like one typed in the advanced view, with the same messages.
pub fn programme_toml(f: &ProgrammeFields) -> AppResult<(String, String)> {
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let id = f.id.trim().to_ascii_uppercase();
    if id.is_empty() {
        errors.insert("id".into(), "Give the programme a short id, such as CAPITAL-BRIDGE-CERT.".into());
    } else if id.len() > 40 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || id.starts_with('-') {
        errors.insert(
            "id".into(),
            "The id may use letters, digits and hyphens (at most 40), e.g. CAPITAL-BRIDGE-CERT.".into(),
        );
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors
            .insert("name".into(), "Give the programme's name as members will see it (at most 120 characters).".into());
    }
    let authority = if f.authority.trim().is_empty() { "The society" } else { f.authority.trim() };
    let months = match f.length_months.trim().parse::<u32>() {
        Ok(m @ 1..=120) => Some(m),
        _ => {
            errors.insert("length_months".into(), "The period is a whole number of months from 1 to 120.".into());
            None
        }
    };
    if !PROGRAMME_ANCHORS.iter().any(|(a, _)| *a == f.anchor) {
        errors.insert("anchor".into(), "Choose when each period starts.".into());
    }
    if !PROGRAMME_UNITS.iter().any(|(u, _)| *u == f.unit) {
        errors.insert("unit".into(), "Choose the unit credit is counted in.".into());
    }
    let total = amount("total", "The total", &f.total, &mut errors);
    let mut minimums = Vec::new();
    for (topic, hours) in f.minimums.iter().filter(|(t, h)| !t.trim().is_empty() || !h.trim().is_empty()) {
        let topic = topic.trim();
        if !COMMON_TOPICS.iter().any(|(t, _)| *t == topic) {
            errors.insert("minimums".into(), "Choose a topic for each minimum that has hours.".into());
            continue;
        }
        if minimums.iter().any(|(t, _): &(&str, String)| *t == topic) {
            errors.insert("minimums".into(), format!("{} is listed twice.", words::topic_words(topic)));
            continue;
        }
        if let Some(h) =
            amount("minimums", &format!("The minimum for {}", words::topic_words(topic)), hours, &mut errors)
        {
            minimums.push((topic, h));
        }
    }
    let carryover = if f.carryover.trim().is_empty() {
        None
    } else {
        amount("carryover", "The carryover", &f.carryover, &mut errors)
    };
    if !errors.is_empty() {
        return Err(AppError::Validation {
            message: "The programme was not saved: please correct the marked fields.".into(),
            fields: errors,
        });
    }
    let source = format!("{}-staff", id.to_lowercase());
    let mut toml = format!(
        "schema_version = \"1.0.0\"\n\n[[source]]\nid = {source_q}\ntitle = {title}\nkind = \"staff\"\n\n\
         [[ruleset]]\nid = {id_q}\nversion = \"1\"\nname = {name_q}\nauthority = {authority_q}\n\
         credential_type = \"programme\"\njurisdiction = \"society\"\nstatus = \"voluntary\"\n\
         credit_unit = {unit}\nsources = [{source_q}]\n\n[ruleset.cycle]\nlength_months = {months}\nanchor = {anchor}\n\n\
         [ruleset.requirement]\ntotal = {total}\nsources = [{source_q}]\n",
        source_q = quoted(&source),
        title = quoted(&format!("{name} (defined on the programmes page)")),
        id_q = quoted(&id),
        name_q = quoted(name),
        authority_q = quoted(authority),
        unit = quoted(&f.unit),
        months = months.unwrap_or(12),
        anchor = quoted(&f.anchor),
        total = total.unwrap_or_default(),
    );
    for (topic, hours) in &minimums {
        toml.push_str(&format!(
            "\n[[ruleset.minimum]]\nid = {}\nlabel = {}\nhours = {hours}\nsatisfied_by_tags = [{}]\nsources = [{}]\n",
            quoted(topic),
            quoted(&words::topic_words(topic)),
            quoted(topic),
            quoted(&source),
        ));
    }
    match carryover {
        Some(max) => toml.push_str(&format!("\n[ruleset.carryover]\nallowed = true\nmax = {max}\n")),
        None => toml.push_str("\n[ruleset.carryover]\nallowed = false\n"),
    }
    Ok((format!("{}.toml", id.to_lowercase()), toml))
}

impl App {
    /// Saves a programme described by the staff form: its rule file is written from the
    /// fields and checked exactly as one typed in the advanced view.
    pub async fn save_ce_programme_fields(
        &self,
        actor: &Actor,
        fields: &ProgrammeFields,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::StaffArea)?;
        let (file_name, toml) = programme_toml(fields)?;
        self.save_ce_programme(actor, &file_name, &toml, request_id).await
    }
}
