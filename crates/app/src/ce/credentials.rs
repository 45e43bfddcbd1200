//! The licences and certifications a member's CE is judged against: adding, removing, and
//! the figures a rule set reads from the member's own record.

use super::*;
use guildhall_domain::member::{JURISDICTION_HINT, Jurisdiction, KIND_HINT, LicenceKind, already_held};
use guildhall_store::{LICENCE_HELD, StoreError};

#[derive(Debug, Clone, Default)]
pub struct CredentialInput {
    /// `licence` or `certification`.
    pub source: String,
    pub jurisdiction: String,
    pub kind: String,
    pub ruleset: String,
    pub number: String,
    pub issued: String,
    pub expires: String,
    pub licensure_method: String,
}

/// The figures a rule set reads from a credential record, in words, with their recorded values.
pub(super) fn credential_fields(book: &RuleBook, ruleset: &str, row: &CeCredentialRow) -> Vec<CredentialField> {
    let recorded = input::recorded_fields(&row.ce_fields);
    book.history(ruleset)
        .map(|h| h.member_fields())
        .unwrap_or_default()
        .into_iter()
        .map(|name| CredentialField {
            name: name.to_string(),
            label: match name {
                "peak_target_hours" => "PEAK target hours (from your practice evaluation)".to_string(),
                "leed_specialty_count" => "Number of LEED specialties held".to_string(),
                other => words_for_minimum(other),
            },
            value: recorded.iter().find(|(n, _)| *n == name).map(|(_, v)| micro_text(*v)).unwrap_or_default(),
        })
        .collect()
}

impl App {
    /// Adds a licence or certification to the signed-in member's record.
    pub async fn add_ce_credential(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        input: &CredentialInput,
        request_id: &str,
    ) -> AppResult<i64> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let field = |r: AppResult<Date>, errors: &mut BTreeMap<String, String>| match r {
            Ok(d) => Some(d),
            Err(AppError::Validation { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(_) => None,
        };
        let issued = field(parse_date("issued", "The date it was issued", &input.issued), &mut errors);
        let expires = if input.expires.trim().is_empty() {
            None
        } else {
            field(parse_date("expires", "The expiry date", &input.expires), &mut errors)
        };
        if let (Some(i), Some(e)) = (issued, expires)
            && e <= i
        {
            errors.insert("expires".into(), "The expiry date must be after the date it was issued.".into());
        }
        if issued.is_some_and(|i| i > self.clock.today()) {
            errors.insert("issued".into(), "The date it was issued cannot be in the future.".into());
        }
        let number = input.number.trim();
        if number.chars().count() > 40 {
            errors.insert("number".into(), "The number must be 40 characters or fewer.".into());
        }
        let book = self.rule_book();
        let mut audit = self.audit_entry(actor, "ce.credential_added", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        let now = self.clock.unix();
        match CredentialSource::from_code(&input.source) {
            Some(CredentialSource::Licence) => {
                let jurisdiction = Jurisdiction::parse(&input.jurisdiction)
                    .map_err(|_| errors.insert("jurisdiction".into(), JURISDICTION_HINT.into()))
                    .ok();
                let kind = LicenceKind::parse(&input.kind);
                if kind.is_none() {
                    errors.insert("kind".into(), KIND_HINT.into());
                }
                let method = input.licensure_method.trim();
                if !method.is_empty() && !["exam", "comity", "endorsement", "other"].contains(&method) {
                    errors.insert("licensure_method".into(), "Choose how the licence was obtained.".into());
                }
                let (Some(jurisdiction), Some(kind)) = (jurisdiction, kind) else {
                    return Err(AppError::Validation { message: "The licence was not added.".into(), fields: errors });
                };
                if !errors.is_empty() {
                    return Err(AppError::Validation { message: "The licence was not added.".into(), fields: errors });
                }
                let licence = NewCeLicence {
                    jurisdiction,
                    kind,
                    number: number.to_string(),
                    first_issued: issued.unwrap_or(Date::MIN),
                    expires_on: expires,
                    licensure_method: (!method.is_empty()).then(|| method.to_string()),
                };
                audit.after_json = Some(
                    serde_json::json!({"licence": {"jurisdiction": licence.jurisdiction, "kind": licence.kind,
                        "number": licence.number, "issued": issued, "expires": expires}})
                    .to_string(),
                );
                // One licence per jurisdiction and kind on a record: the database decides
                // (`licences_one_per_record`), and the form says which one is there already.
                match self.store.add_ce_licence(member.id, &licence, Some(&audit), now).await {
                    Err(StoreError::Conflict { field }) if field == LICENCE_HELD => Err(AppError::Validation {
                        message: "The licence was not added.".into(),
                        fields: BTreeMap::from([(
                            "jurisdiction".to_string(),
                            already_held(&licence.jurisdiction, licence.kind),
                        )]),
                    }),
                    other => Ok(other?),
                }
            }
            Some(CredentialSource::Certification) => {
                let ruleset = input.ruleset.trim();
                let Some(history) = book.history(ruleset).filter(|_| !ruleset.is_empty()) else {
                    errors.insert("ruleset".into(), "Choose the certification programme from the list.".into());
                    return Err(AppError::Validation {
                        message: "The certification was not added.".into(),
                        fields: errors,
                    });
                };
                if !errors.is_empty() {
                    return Err(AppError::Validation {
                        message: "The certification was not added.".into(),
                        fields: errors,
                    });
                }
                let latest = &history.versions[history.versions.len() - 1];
                let (body, name) = ruleset.split_once('-').unwrap_or(("", ruleset));
                let certification = NewCeCertification {
                    name: name.to_string(),
                    body: body.to_string(),
                    number: number.to_string(),
                    issued_on: issued.unwrap_or(Date::MIN),
                    expires_on: expires,
                    ruleset: ruleset.to_string(),
                };
                audit.after_json = Some(
                    serde_json::json!({"certification": {"programme": latest.name, "number": certification.number,
                        "issued": issued, "expires": expires}})
                    .to_string(),
                );
                Ok(self.store.add_ce_certification(member.id, &certification, Some(&audit), now).await?)
            }
            None => Err(AppError::invalid("Say whether this is a licence or a certification.")),
        }
    }

    /// Removes a licence or certification from the signed-in member's record.
    pub async fn remove_ce_credential(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        key: &str,
        request_id: &str,
    ) -> AppResult<()> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let (source, id) = key
            .rsplit_once('-')
            .and_then(|(s, id)| Some((CredentialSource::from_code(s)?, id.parse::<i64>().ok()?)))
            .ok_or_else(|| AppError::NotFound("No such licence or certification.".into()))?;
        let mut audit = self.audit_entry(actor, "ce.credential_removed", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        let held = self.store.ce_credentials(member.id).await?;
        let row = held.iter().find(|r| r.source == source && r.id == id);
        audit.before_json = row.and_then(|r| serde_json::to_string(r).ok());
        if row.is_none() || !self.store.remove_ce_credential(member.id, source, id, Some(&audit)).await? {
            return Err(AppError::NotFound("No such licence or certification.".into()));
        }
        Ok(())
    }

    /// Records the figures a credential's rule set reads from the member's record (blank
    /// values are cleared: the engine then says what it cannot decide without them).
    pub async fn set_ce_credential_fields(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        key: &str,
        values: &BTreeMap<String, String>,
        request_id: &str,
    ) -> AppResult<()> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let book = self.rule_book();
        let held = self.store.ce_credentials(member.id).await?;
        let not_found = || AppError::NotFound("No such licence or certification.".into());
        let row = held.iter().find(|r| r.key() == key).ok_or_else(not_found)?;
        let ruleset = ruleset_for(&book, row).map_err(AppError::invalid)?;
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut pairs = Vec::new();
        for field in credential_fields(&book, &ruleset, row) {
            let text = values.get(&field.name).map(|v| v.trim()).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            match micro_of(&field.name, &field.label, text) {
                Ok(v) if v > 1_000 * 1_000_000 => {
                    errors.insert(field.name.clone(), format!("{} must be at most 1000.", field.label));
                }
                Ok(v) => pairs.push(format!("{}={}", field.name, micro_text(v))),
                Err(AppError::Validation { fields, .. }) => errors.extend(fields),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation {
                message: "The figures were not saved: please correct the marked fields.".into(),
                fields: errors,
            });
        }
        let text = pairs.join(" ");
        let mut audit = self.audit_entry(actor, "ce.credential_fields", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = member.member_number.clone();
        audit.before_json = Some(serde_json::json!({ "credential": key, "fields": row.ce_fields }).to_string());
        audit.after_json = Some(serde_json::json!({ "credential": key, "fields": text }).to_string());
        if !self.store.set_ce_fields(member.id, row.source, row.id, &text, &audit).await? {
            return Err(not_found());
        }
        Ok(())
    }

    /// The certification programmes a member can choose from (id, name): rule sets for
    /// certifications and society-defined programmes (licences and registrations are chosen
    /// by jurisdiction; model laws and exams are not held).
    pub fn ce_certification_programmes(&self) -> Vec<(String, String)> {
        let book = self.rule_book();
        book.ruleset_ids()
            .into_iter()
            .filter_map(|id| {
                let latest = book.history(id).and_then(|h| h.versions.last())?;
                latest.is_certification_programme().then(|| (id.to_string(), latest.name.clone()))
            })
            .collect()
    }
}
