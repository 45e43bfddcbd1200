//! Eligibility evidence: what an applicant gave to prove they may have a tier's dues (a
//! declaration, a date of birth, an uploaded proof of enrolment), kept with the
//! application and shown to staff in the approvals queue.

use guildhall_domain::membership::Proof;
use guildhall_store::{EvidenceDocument, EvidenceRecord, NewEvidence, PendingApplication};

use crate::error::{AppError, AppResult};
use crate::uploads::{Document, Upload, clean_file_name, sniff};
use crate::{Actor, App, Permission};

/// The signed-in applicant's application waiting for staff, and what it holds so far.
#[derive(Debug, Clone)]
pub struct OwnApplication {
    pub application: PendingApplication,
    pub evidence: Vec<EvidenceRecord>,
}

impl OwnApplication {
    /// Whether proof of enrolment was asked for and no document is there yet.
    pub fn awaits_enrolment_document(&self) -> bool {
        let asked = self.evidence.iter().any(|e| e.proof == Proof::EnrolmentDocument);
        asked && !self.evidence.iter().any(|e| e.proof == Proof::EnrolmentDocument && e.file_name.is_some())
    }
}

impl App {
    /// The signed-in person's application that waits for staff, if any.
    pub async fn own_application(&self, actor: &Actor) -> AppResult<Option<OwnApplication>> {
        actor.require(Permission::OwnAccount)?;
        let Some(member) = self.store.member_by_user(actor.user_id).await? else { return Ok(None) };
        let pending = self.store.pending_applications().await?;
        let Some(application) = pending.into_iter().find(|a| a.member_id == member.id) else { return Ok(None) };
        let evidence = self.store.evidence_for_terms(&[application.term_id]).await?;
        Ok(Some(OwnApplication { application, evidence }))
    }

    /// The applicant uploads proof of enrolment (a PDF or an image) for their waiting
    /// application.
    pub async fn add_enrolment_document(&self, actor: &Actor, upload: Option<Upload>) -> AppResult<()> {
        let upload = upload.ok_or_else(|| AppError::invalid_field("document", "Choose a file to upload."))?;
        let own = self
            .own_application(actor)
            .await?
            .ok_or_else(|| AppError::NotFound("You have no application waiting for approval.".into()))?;
        let max_mib = self.settings.ce.max_evidence_mib;
        if upload.bytes.len() > usize::from(max_mib) * 1024 * 1024 {
            return Err(AppError::invalid_field("document", format!("The file is larger than {max_mib} MiB.")));
        }
        let Some((content_type, ext)) = sniff(&upload.bytes) else {
            return Err(AppError::invalid_field(
                "document",
                "Upload a PDF or an image (PNG, JPEG or WebP): a student card or a letter from your school.",
            ));
        };
        let evidence = NewEvidence {
            proof: Proof::EnrolmentDocument,
            statement: "Proof of enrolment uploaded by the applicant".into(),
            document: Some(EvidenceDocument {
                file_name: clean_file_name(&upload.file_name, ext),
                content_type: content_type.into(),
                content: upload.bytes,
            }),
        };
        let member_id = own.application.member_id;
        if !self
            .store
            .add_evidence_to_application(member_id, own.application.term_id, &evidence, self.clock.unix())
            .await?
        {
            return Err(AppError::NotFound("Your application has been decided already.".into()));
        }
        Ok(())
    }

    /// The evidence given with these applications, for the approvals queue.
    pub async fn evidence_for_applications(&self, actor: &Actor, term_ids: &[i64]) -> AppResult<Vec<EvidenceRecord>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.evidence_for_terms(term_ids).await?)
    }

    /// An uploaded evidence document, for staff.
    pub async fn evidence_document(&self, actor: &Actor, evidence_id: i64) -> AppResult<Document> {
        actor.require(Permission::StaffArea)?;
        let (record, bytes) = self
            .store
            .evidence_document(evidence_id)
            .await?
            .ok_or_else(|| AppError::NotFound("No such evidence document.".into()))?;
        let content_type = sniff(&bytes).map_or("application/octet-stream", |(t, _)| t);
        Ok(Document { file_name: record.file_name.unwrap_or_else(|| "evidence".into()), content_type, bytes })
    }
}
