//! The PDH ledger: logging activities (validated against the rule book's kinds and units),
//! credit arriving from events and providers, evidence files, deleting an activity.

use super::*;

/// Topics offered as checkboxes when logging an activity (others can be typed).
pub const COMMON_TOPICS: &[(&str, &str)] = &[
    ("technical", "Technical"),
    ("ethics", "Ethics / professional conduct"),
    ("area_of_practice", "Area of practice"),
    ("professional_skills", "Professional skills"),
    ("business_practice", "Business practice"),
    ("sexual_harassment_prevention", "Sexual harassment prevention"),
];

/// Kinds of activity offered when logging one, in the society's words.
pub const ACTIVITY_KINDS: &[(&str, &str)] = &[
    ("webinar_live", "Live webinar"),
    ("course", "Course or seminar (in person)"),
    ("course_online_selfpaced", "Online course (self-paced)"),
    ("conference_session", "Conference session"),
    ("in_house_training", "In-house training"),
    ("college_course", "College course"),
    ("teaching", "Teaching a course"),
    ("presentation", "Presenting a paper or talk"),
    ("publication_article", "Published article"),
    ("publication_book", "Published book"),
    ("patent", "Patent granted"),
    ("society_service", "Service to a professional society"),
    ("self_directed_study", "Self-directed study"),
    ("correspondence", "Correspondence course"),
];

/// Units a quantity may be given in when logging.
pub const UNITS: &[(&str, &str)] = &[
    ("hour", "hours"),
    ("minute", "minutes"),
    ("ceu", "CEU"),
    ("college_semester_hour", "college semester hours"),
    ("college_quarter_hour", "college quarter hours"),
    ("item", "items"),
    ("month", "months"),
    ("year", "years"),
];

pub const EVIDENCE_TYPES: &[(&[u8], &str, &str)] = &[
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
];

/// What a member fills in to log an activity (already parsed from the form).
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub title: String,
    pub kind: String,
    pub date: String,
    /// Optional extra session days `YYYY-MM-DD=hours`, one per line (multi-day events).
    pub sessions: String,
    pub quantity: String,
    pub unit: String,
    pub topics: Vec<String>,
    pub other_topics: String,
    pub provider: String,
    pub approved_by: Vec<String>,
    pub first_presentation: bool,
}

pub use crate::uploads::Upload;

impl App {
    /// Logs an activity in the signed-in member's ledger (with an optional evidence file);
    /// `member_id`, when given, must be their own.
    pub async fn log_ce_activity(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        input: &ActivityInput,
        evidence: Option<Upload>,
        request_id: &str,
    ) -> AppResult<i64> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let today = self.clock.today();
        let mut activity = self.validate_activity(input, today)?;
        activity.member_id = member.id;
        activity.source = "member".into();
        activity.recorded_by = Some(actor.user_id);
        let reference = activity.sessions.iter().map(|(d, _)| *d).max().or(activity.occurred_on).unwrap_or(today);
        let evidence = evidence.map(|u| self.validate_evidence(u, reference)).transpose()?;
        let mut audit = self.audit_entry(actor, "ce.activity_logged", "member", request_id);
        audit.subject_label = format!("{} — {}", member.member_number, activity.title);
        audit.after_json = Some(
            serde_json::json!({
                "member_id": member.id, "title": activity.title, "kind": activity.kind, "tags": activity.tags,
                "quantity": micro_text(activity.quantity_micro), "unit": activity.unit,
                "evidence": evidence.as_ref().map(|e| &e.file_name),
            })
            .to_string(),
        );
        match self.store.record_ce_activity(&activity, evidence.as_ref(), Some(&audit), self.clock.unix()).await? {
            Recorded::New(id) | Recorded::AlreadyRecorded(id) => Ok(id),
        }
    }

    /// Records credit arriving from elsewhere (the society's events, a provider's roster):
    /// `source` says where from and `source_ref` identifies it there, so the same credit
    /// arriving twice is recorded once.
    pub async fn receive_ce_activity(&self, mut activity: NewCeActivity) -> AppResult<Recorded> {
        if activity.source.is_empty() || activity.source == "member" || activity.source_ref.is_none() {
            return Err(AppError::invalid("Credit from elsewhere needs its source and a reference there."));
        }
        activity.recorded_by = None;
        Ok(self.store.record_ce_activity(&activity, None, None, self.clock.unix()).await?)
    }

    fn validate_activity(&self, input: &ActivityInput, today: Date) -> AppResult<NewCeActivity> {
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let title = input.title.trim();
        if title.is_empty() {
            errors.insert("title".into(), "Say what the activity was (e.g. the course title).".into());
        } else if title.chars().count() > 200 {
            errors.insert("title".into(), "The title must be 200 characters or fewer.".into());
        }
        if !ACTIVITY_KINDS.iter().any(|(k, _)| *k == input.kind) {
            errors.insert("kind".into(), "Choose what kind of activity it was.".into());
        }
        let date = match parse_date("date", "The date", &input.date) {
            Ok(d) if d > today => {
                errors.insert(
                    "date".into(),
                    "Log an activity once it has taken place (the date is in the future).".into(),
                );
                None
            }
            Ok(d) => Some(d),
            Err(AppError::Validation { message, .. }) => {
                errors.insert("date".into(), message);
                None
            }
            Err(e) => return Err(e),
        };
        let unit = if input.unit.trim().is_empty() { "hour" } else { input.unit.trim() };
        if !UNITS.iter().any(|(u, _)| *u == unit) || Unit::parse(unit).is_none() {
            errors.insert("unit".into(), "Choose a unit from the list.".into());
        }
        let quantity = match micro_of("quantity", "The amount", &input.quantity) {
            Ok(0) => {
                errors.insert("quantity".into(), "The amount must be more than 0.".into());
                0
            }
            Ok(q) if q > 2_000 * 1_000_000 => {
                errors.insert("quantity".into(), "The amount must be 2,000 or less.".into());
                0
            }
            Ok(q) => q,
            Err(AppError::Validation { message, .. }) => {
                errors.insert("quantity".into(), message);
                0
            }
            Err(e) => return Err(e),
        };
        let mut sessions = Vec::new();
        for (n, line) in input.sessions.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let parsed = line.split_once('=').and_then(|(d, h)| {
                let d = parse_date("sessions", "", d).ok()?;
                let h = micro_of("sessions", "", h).ok()?;
                Some((d, h))
            });
            match parsed {
                Some((d, _)) if d > today => {
                    errors.insert("sessions".into(), format!("Session {} is in the future.", n + 1));
                }
                Some((_, 0)) | None => {
                    errors.insert(
                        "sessions".into(),
                        format!("Session line {} must look like 2026-03-04=3.5 (date = hours).", n + 1),
                    );
                }
                Some(s) if sessions.iter().any(|(d, _): &(Date, i64)| *d == s.0) => {
                    errors.insert("sessions".into(), format!("The day {} is listed twice.", s.0));
                }
                Some(s) => sessions.push(s),
            }
        }
        if !sessions.is_empty() && unit != "hour" {
            errors.insert("sessions".into(), "Sessions are counted in hours: choose hours as the unit.".into());
        }
        let mut tags: Vec<String> = Vec::new();
        for t in input
            .topics
            .iter()
            .map(|t| t.trim().to_string())
            .chain(input.other_topics.split([',', ' ']).map(|t| t.trim().to_lowercase().replace(' ', "_")))
        {
            if t.is_empty() || tags.contains(&t) {
                continue;
            }
            if !is_tag(&t) {
                errors
                    .insert("other_topics".into(), format!("\"{t}\" is not a usable topic (letters, digits, _ : -)."));
            } else {
                tags.push(t);
            }
        }
        if tags.len() > 20 {
            errors.insert("other_topics".into(), "List at most 20 topics.".into());
        }
        let provider = input.provider.trim();
        if provider.chars().count() > 200 {
            errors.insert("provider".into(), "The provider's name must be 200 characters or fewer.".into());
        }
        let mut approvals: Vec<String> = Vec::new();
        for j in &input.approved_by {
            let j = j.trim();
            if j.is_empty() || approvals.iter().any(|a| a == j) {
                continue;
            }
            if !is_tag(j) {
                errors.insert("approved_by".into(), "Choose the boards from the list.".into());
            } else {
                approvals.push(j.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation {
                message: "The activity was not logged: please correct the marked fields.".into(),
                fields: errors,
            });
        }
        let (occurred_on, quantity_micro) = if sessions.is_empty() {
            (date, quantity)
        } else {
            // The first day is the date given; the total is the sum of the days' hours.
            let first = date.unwrap_or(today);
            if !sessions.iter().any(|(d, _)| *d == first) {
                sessions.insert(0, (first, quantity));
            }
            sessions.sort();
            (None, sessions.iter().map(|(_, h)| h).sum())
        };
        let attributes = if input.kind == "teaching" || input.kind == "presentation" {
            format!("first_presentation={}", if input.first_presentation { "yes" } else { "no" })
        } else {
            String::new()
        };
        Ok(NewCeActivity {
            title: title.to_string(),
            kind: input.kind.clone(),
            tags: tags.join(" "),
            occurred_on,
            sessions,
            quantity_micro,
            unit: unit.to_string(),
            provider: provider.to_string(),
            provider_approvals: approvals.join(" "),
            attributes,
            ..Default::default()
        })
    }

    fn validate_evidence(&self, upload: Upload, activity_date: Date) -> AppResult<NewCeEvidence> {
        let max = usize::from(self.settings.ce.max_evidence_mib) * 1024 * 1024;
        if upload.bytes.is_empty() {
            return Err(AppError::invalid_field("evidence", "The evidence file is empty."));
        }
        if upload.bytes.len() > max {
            return Err(AppError::invalid_field(
                "evidence",
                format!("The evidence file is larger than {} MiB.", self.settings.ce.max_evidence_mib),
            ));
        }
        let Some((content_type, ext)) = sniff(&upload.bytes) else {
            return Err(AppError::invalid_field(
                "evidence",
                "Evidence must be a PDF or an image (PNG, JPEG or WebP), such as the certificate of completion.",
            ));
        };
        let years = i32::from(self.settings.ce.evidence_retention_years);
        let retain_until = activity_date
            .replace_year(activity_date.year() + years)
            .unwrap_or_else(|_| activity_date + Duration::days(365 * i64::from(years) + 1));
        Ok(NewCeEvidence {
            file_name: clean_file_name(&upload.file_name, ext),
            content_type: content_type.into(),
            sha256: format!("{:x}", Sha256::digest(&upload.bytes)),
            content: upload.bytes,
            retain_until,
        })
    }

    /// Adds an evidence file to one of the signed-in member's activities.
    pub async fn add_ce_evidence(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        activity_id: i64,
        upload: Upload,
    ) -> AppResult<i64> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let ledger = self.store.ce_activity(member.id, activity_id).await?;
        let Some(activity) = ledger.activities.first() else {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        };
        let reference =
            ledger.sessions.iter().map(|s| s.session_on).max().or(activity.occurred_on).or(activity.ends_on);
        let file = self.validate_evidence(upload, reference.unwrap_or(self.clock.today()))?;
        Ok(self.store.add_ce_evidence(member.id, activity_id, &file, self.clock.unix()).await?)
    }

    /// An evidence file, for its owner or staff; with `activity_id`, only a file of that activity.
    pub async fn ce_evidence(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        activity_id: Option<i64>,
        evidence_id: i64,
    ) -> AppResult<Document> {
        let member = self.ce_member(actor, member_id).await?;
        let (record, bytes) = self
            .store
            .ce_evidence_file(member.id, evidence_id)
            .await?
            .filter(|(record, _)| activity_id.is_none_or(|a| a == record.activity_id))
            .ok_or_else(|| AppError::NotFound("No such evidence file.".into()))?;
        let content_type = sniff(&bytes).map_or("application/octet-stream", |(t, _)| t);
        Ok(Document { file_name: record.file_name, content_type, bytes })
    }

    /// Deletes one of the signed-in member's activities.
    pub async fn delete_ce_activity(
        &self,
        actor: &Actor,
        member_id: Option<i64>,
        activity_id: i64,
        request_id: &str,
    ) -> AppResult<()> {
        let member = self.ce_member_to_change(actor, member_id).await?;
        let ledger = self.store.ce_activity(member.id, activity_id).await?;
        let Some(activity) = ledger.activities.first() else {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        };
        let mut audit = self.audit_entry(actor, "ce.activity_deleted", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.subject_label = format!("{} — {}", member.member_number, activity.title);
        audit.before_json = serde_json::to_string(activity).ok();
        if !self.store.delete_ce_activity(member.id, activity_id, Some(&audit)).await? {
            return Err(AppError::NotFound("No such activity in your ledger.".into()));
        }
        Ok(())
    }
}
