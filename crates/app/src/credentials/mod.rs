//! Verifiable credentials (Open Badges 3.0): issuing what the society certifies,
//! members' wallets, staff revoking and suspending, the published status lists, and
//! verification for anyone, without an account.
//!
//! Files: `mod.rs` (wallets, reading, status changes, status lists, verification),
//! `keys.rs` (the signing keys: first start, sealing, rotation, the DID document),
//! `issue.rs` (what each kind of credential says and storing it: designations and awards,
//! membership with its automatic suspension and restoration, course attendance, CE periods
//! completed).
//!
//! The signing and checking themselves are the pure `guildhall-credentials` crate.

pub mod issue;
pub mod keys;

use guildhall_credentials::status::StatusList;
use guildhall_credentials::verify::{self, Presented};
use guildhall_domain::credentials::{CredentialKind, CredentialStatus, StatusPurpose, status_change};
use guildhall_store::{CredentialFilter, CredentialRecord, NewMail, Page, PageRequest};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

pub use guildhall_credentials::baked;
pub use guildhall_credentials::verify::{Proof, Verdict};
pub use issue::{AwardRequest, CompliantPeriod, CourseCredential};

/// A status list credential is signed again at most this often per node.
const STATUS_LIST_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// What a verifier says about a credential, in words a person reads, with what it claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub verdict: Verdict,
    /// What the credential says (present once its signature checked out).
    pub claims: Option<CredentialClaims>,
    /// The society's record of it, when it issued it.
    pub record: Option<CredentialRecord>,
}

/// What a credential certifies, read from the signed credential itself.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialClaims {
    pub id: String,
    pub issuer: String,
    pub holder: String,
    pub achievement: String,
    pub description: String,
    pub achievement_type: String,
    pub credits_earned: Option<f64>,
    pub credits_available: Option<f64>,
    pub role: Option<String>,
    pub term: Option<String>,
    pub awarded: Option<String>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_until: Option<OffsetDateTime>,
    pub proof: Proof,
}

impl CredentialClaims {
    fn read(presented: &Presented) -> CredentialClaims {
        let c = &presented.credential;
        let text = |pointer: &str| c.pointer(pointer).and_then(Value::as_str).map(str::to_string);
        let holder = c
            .pointer("/credentialSubject/identifier")
            .and_then(Value::as_array)
            .and_then(|ids| ids.iter().find(|i| i["identityType"] == "name" && i["hashed"] == false))
            .and_then(|i| i["identityHash"].as_str())
            .or_else(|| c.pointer("/credentialSubject/id").and_then(Value::as_str))
            .unwrap_or("someone not named")
            .to_string();
        CredentialClaims {
            id: presented.id.clone(),
            issuer: text("/issuer/name").unwrap_or_default(),
            holder,
            achievement: text("/credentialSubject/achievement/name").unwrap_or_default(),
            description: text("/credentialSubject/achievement/description").unwrap_or_default(),
            achievement_type: text("/credentialSubject/achievement/achievementType").unwrap_or_default(),
            credits_earned: c.pointer("/credentialSubject/creditsEarned").and_then(Value::as_f64),
            credits_available: c.pointer("/credentialSubject/achievement/creditsAvailable").and_then(Value::as_f64),
            role: text("/credentialSubject/role"),
            term: text("/credentialSubject/term"),
            awarded: text("/awardedDate"),
            valid_from: presented.valid_from,
            valid_until: presented.valid_until,
            proof: presented.proof,
        }
    }
}

/// The last part of a credential's `urn:uuid:` id: its share link's path.
pub fn share_code(record: &CredentialRecord) -> &str {
    record.uuid.rsplit(':').next().unwrap_or(&record.uuid)
}

/// A day as people write it: "December 6, 2026" (in UTC, as credentials state dates).
pub fn day_in_words(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[month repr:long] [day padding:none], [year]");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// The verdict in a sentence.
pub fn verdict_in_words(verdict: &Verdict) -> String {
    let day = |at: &OffsetDateTime| day_in_words(*at);
    match verdict {
        Verdict::Valid => "Valid: the society issued this credential, it has not been changed, and it stands.".into(),
        Verdict::Unreadable(why) => format!("This could not be read as a credential: {why}."),
        Verdict::OtherIssuer(issuer) => {
            format!(
                "This credential was not issued by this society (it names {issuer} as issuer), so it cannot be checked here."
            )
        }
        Verdict::UnknownKey => "Not valid: it is signed with a key this society has never used.".into(),
        Verdict::Tampered => "Not valid: the credential was changed after the society signed it.".into(),
        Verdict::NotYetValid(from) => format!("Not valid yet: it becomes valid on {}.", day(from)),
        Verdict::Expired(on) => format!("Expired on {}.", day(on)),
        Verdict::Suspended(reason) => format!("Suspended: {reason}"),
        Verdict::Revoked(reason) => format!("Revoked by the society: {reason}"),
        Verdict::NoRecord => "Not valid: the society holds no record of issuing it.".into(),
    }
}

impl App {
    /// Checks a credential as presented (a VC-JWT, or JSON-LD with its proof): who issued
    /// it, whether it was changed, its dates, and whether the society has since revoked or
    /// suspended it. Anyone may ask; nothing is written.
    pub async fn verify_credential(&self, presented: &str) -> AppResult<Verification> {
        if presented.len() > 256 * 1024 {
            return Err(AppError::TooLarge("A credential is at most 256 KB.".into()));
        }
        let presented = presented.trim();
        if presented.is_empty() {
            return Err(AppError::invalid_field("credential", "Paste a credential or choose its file."));
        }
        let issuing = self.issuing().await?;
        if let Some(verification) = self.verify_kept(presented, &issuing.did).await? {
            return Ok(verification);
        }
        // A Data Integrity proof takes milliseconds of JSON-LD work: off the async threads.
        let text = presented.to_string();
        let checked = tokio::task::spawn_blocking(move || verify::open(&text, &issuing.did, &issuing.public))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let opened = match checked {
            Ok(opened) => opened,
            Err(verdict) => return Ok(Verification { verdict, claims: None, record: None }),
        };
        let record = match self.store.credential_by_uuid(&opened.id).await {
            Ok(record) => Some(record),
            Err(guildhall_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        Ok(self.verdict_of(opened, record))
    }

    /// A Data Integrity credential presented exactly as the society keeps it, verified
    /// without the JSON-LD work (see `verify::open_kept`); `None` when it is not one.
    async fn verify_kept(&self, presented: &str, did: &str) -> AppResult<Option<Verification>> {
        if !presented.starts_with('{') {
            return Ok(None);
        }
        let Ok(document) = serde_json::from_str::<Value>(presented) else { return Ok(None) };
        let Some(id) = document["id"].as_str().filter(|id| id.starts_with("urn:uuid:")) else { return Ok(None) };
        let record = match self.store.credential_by_uuid(id).await {
            Ok(record) => record,
            Err(guildhall_store::StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(kept) = record.integrity.as_deref().and_then(|k| serde_json::from_str::<Value>(k).ok()) else {
            return Ok(None);
        };
        let Some(opened) = verify::open_kept(&document, &kept, did) else { return Ok(None) };
        Ok(Some(self.verdict_of(opened, Some(record))))
    }

    /// The verdict on a credential whose signature holds: the society's record first
    /// (revoked, suspended), then its dates.
    fn verdict_of(&self, opened: Presented, record: Option<CredentialRecord>) -> Verification {
        let claims = Some(CredentialClaims::read(&opened));
        let verdict = match &record {
            None => Verdict::NoRecord,
            Some(r) if r.status == CredentialStatus::Revoked => Verdict::Revoked(r.status_reason.clone()),
            Some(r) if r.status == CredentialStatus::Suspended => Verdict::Suspended(r.status_reason.clone()),
            Some(_) => verify::dates(&opened, self.clock.now()).unwrap_or(Verdict::Valid),
        };
        Verification { verdict, claims, record }
    }

    /// The verification of a credential the society issued, by its share link: no
    /// account needed (the link is unguessable; its holder chose to share it).
    pub async fn verify_shared(&self, code: &str) -> AppResult<Verification> {
        let not_found = || AppError::NotFound("There is no credential at this address.".into());
        if code.len() != 36 || !code.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let record = self.store.credential_by_uuid(&format!("urn:uuid:{code}")).await.map_err(|_| not_found())?;
        self.verify_credential(&record.jwt).await
    }

    /// The signed-in member's credentials, newest first.
    pub async fn my_credentials(&self, actor: &Actor) -> AppResult<Vec<CredentialRecord>> {
        actor.require(Permission::OwnAccount)?;
        let Some(member) = self.store.member_by_user(actor.user_id).await? else { return Ok(Vec::new()) };
        let filter = CredentialFilter { member_id: Some(member.id), ..Default::default() };
        Ok(self.store.list_credentials(&filter, PageRequest::new(1, PageRequest::MAX_PER_PAGE)).await?.items)
    }

    /// Credentials: staff see anyone's (filtered); a member sees their own.
    pub async fn list_credentials(
        &self,
        actor: &Actor,
        mut filter: CredentialFilter,
        page: PageRequest,
    ) -> AppResult<Page<CredentialRecord>> {
        actor.require(Permission::OwnAccount)?;
        if !actor.allows(Permission::IssueCredentials) {
            let Some(member) = self.store.member_by_user(actor.user_id).await? else {
                return Ok(Page::new(Vec::new(), 0, page));
            };
            filter.member_id = Some(member.id);
        }
        Ok(self.store.list_credentials(&filter, page).await?)
    }

    /// One credential: its holder's, or staff's.
    pub async fn credential_for(&self, actor: &Actor, id: i64) -> AppResult<CredentialRecord> {
        actor.require(Permission::OwnAccount)?;
        let record = self.store.credential(id).await?;
        if !actor.allows(Permission::IssueCredentials) {
            let own = self.store.member_by_user(actor.user_id).await?;
            if own.map(|m| m.id) != Some(record.member_id) {
                return Err(AppError::NotFound("That record does not exist.".into()));
            }
        }
        Ok(record)
    }

    /// A credential by its share code, for its holder or staff (the wallet's own page).
    pub async fn credential_by_code(&self, actor: &Actor, code: &str) -> AppResult<CredentialRecord> {
        let record = self
            .store
            .credential_by_uuid(&format!("urn:uuid:{code}"))
            .await
            .map_err(|_| AppError::NotFound("There is no credential at this address.".into()))?;
        self.credential_for(actor, record.id).await
    }

    /// Staff revoke, suspend or restore a credential, with the reason recorded, audited
    /// and sent to the holder. Revocation is final; suspension is for credentials
    /// published in a suspension list (membership, designations).
    pub async fn change_credential_status(
        &self,
        actor: &Actor,
        id: i64,
        to: CredentialStatus,
        reason: &str,
        request_id: &str,
    ) -> AppResult<CredentialRecord> {
        actor.require(Permission::IssueCredentials)?;
        let reason = reason.trim();
        if to != CredentialStatus::Active && reason.is_empty() {
            return Err(AppError::invalid_field(
                "reason",
                "Say why: the holder and anyone who checks it will read it.",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid_field("reason", "Keep the reason under 500 characters."));
        }
        let record = self.store.credential(id).await?;
        status_change(record.status_purpose, record.status, to).map_err(|m| AppError::invalid_field("status", m))?;
        let mut audit = self.audit_entry(actor, &format!("credential.{}", to.code()), "credential", request_id);
        audit.subject_id = Some(record.id);
        audit.subject_label = record.name.clone();
        audit.before_json = Some(serde_json::json!({ "status": record.status.code() }).to_string());
        audit.after_json = Some(serde_json::json!({ "status": to.code(), "reason": reason }).to_string());
        let changed = self
            .store
            .set_credential_status(id, record.status, to, reason, false, self.clock.unix(), &audit)
            .await
            .map_err(|e| match e {
                guildhall_store::StoreError::NotFound => AppError::Conflict {
                    message: "Someone changed this credential's status a moment ago; look at it again.".into(),
                    field: Some("status".into()),
                },
                other => other.into(),
            })?;
        self.tell_holder(&changed).await?;
        self.forget_status_lists().await;
        Ok(changed)
    }

    /// Emails the holder that their credential's status changed.
    async fn tell_holder(&self, record: &CredentialRecord) -> AppResult<()> {
        let holder = self.store.credential_holder(record.member_id).await?;
        let society = self.branding().await.name;
        let link = self.link(&format!("/credentials/{}", share_code(record)));
        let (subject, what) = match record.status {
            CredentialStatus::Revoked => ("Your credential was revoked", "has been revoked"),
            CredentialStatus::Suspended => ("Your credential was suspended", "has been suspended"),
            CredentialStatus::Active => ("Your credential is valid again", "is valid again"),
        };
        let reason = if record.status_reason.is_empty() {
            String::new()
        } else {
            format!("\nReason: {}\n", record.status_reason)
        };
        let mail = NewMail {
            to_address: holder.email,
            subject: format!("{subject}: {}", record.name),
            body_text: format!(
                "Dear {} {},\n\nYour credential \"{}\" from {society} {what}.\n{reason}\nAnyone who checks it sees this at {link}\n",
                holder.first_name, holder.last_name, record.name
            ),
            attachment: None,
        };
        self.store.enqueue_mail(&mail, self.clock.unix()).await?;
        Ok(())
    }

    /// The status list credential of a purpose, as a VC-JWT signed by the current key:
    /// a position set for every credential of that purpose that is not active. Signed
    /// again at most every couple of seconds per node.
    pub async fn status_list(&self, purpose: StatusPurpose) -> AppResult<String> {
        if let Some((at, jwt)) = self.status_lists.read().await.get(&purpose)
            && at.elapsed() < STATUS_LIST_TTL
        {
            return Ok(jwt.clone());
        }
        let issuing = self.issuing().await?;
        let (positions, bound) =
            tokio::try_join!(self.store.status_positions(purpose), self.store.credentials_issued_bound())?;
        let mut list = StatusList::new(issue::status_list_length(bound));
        for position in positions {
            let position = usize::try_from(position).map_err(|_| AppError::Internal("negative position".into()))?;
            list.set(position).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        let hours = i64::from(self.settings.credentials.status_list_hours.max(1));
        let credential = list
            .credential(
                &self.status_list_url(purpose),
                &issuing.did,
                purpose,
                self.clock.now(),
                time::Duration::hours(hours),
            )
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let jwt = guildhall_credentials::jwt::sign(&credential, &issuing.did, &issuing.current)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.status_lists.write().await.insert(purpose, (std::time::Instant::now(), jwt.clone()));
        Ok(jwt)
    }

    async fn forget_status_lists(&self) {
        self.status_lists.write().await.clear();
    }

    pub(crate) fn status_list_url(&self, purpose: StatusPurpose) -> String {
        self.link(&format!("/credentials/status/{}", purpose.code()))
    }

    /// The verification page of the attendance credential of a registration, if issued.
    pub(crate) async fn course_credential_page(
        &self,
        member_id: i64,
        registration_id: i64,
    ) -> AppResult<Option<String>> {
        let source = format!("registration:{registration_id}");
        let record = self.store.credential_by_source(member_id, CredentialKind::Course, &source).await?;
        Ok(record.map(|r| self.link(&format!("/credentials/{}", share_code(&r)))))
    }

    /// How the signed-in member is named in new credentials: their DID, or `None` for the
    /// hash of their email address.
    pub async fn my_credential_identity(&self, actor: &Actor) -> AppResult<Option<String>> {
        actor.require(Permission::OwnAccount)?;
        let Some(member) = self.store.member_by_user(actor.user_id).await? else { return Ok(None) };
        Ok(self.store.credential_holder(member.id).await?.subject_did)
    }

    /// The member chooses how credentials issued from now on name them: by a DID they
    /// control (given), or by a salted hash of their email address (`None` or blank).
    pub async fn set_credential_identity(&self, actor: &Actor, did: Option<&str>, request_id: &str) -> AppResult<()> {
        actor.require(Permission::OwnAccount)?;
        let member = self
            .store
            .member_by_user(actor.user_id)
            .await?
            .ok_or_else(|| AppError::invalid("Only members hold credentials."))?;
        let did = match did.map(str::trim).filter(|d| !d.is_empty()) {
            Some(raw) => {
                Some(guildhall_domain::credentials::parse_did(raw).map_err(|m| AppError::invalid_field("did", m))?)
            }
            None => None,
        };
        let mut audit = self.audit_entry(actor, "credential.identity_chosen", "member", request_id);
        audit.subject_id = Some(member.id);
        audit.after_json =
            Some(serde_json::json!({ "by": if did.is_some() { "did" } else { "hashed email" } }).to_string());
        Ok(self.store.set_credential_subject_did(member.id, did.as_deref(), self.clock.unix(), &audit).await?)
    }

    /// The credential as JSON-LD with its Data Integrity proof (`eddsa-rdfc-2022`). The
    /// proof is made the first time the form is asked for and kept: it takes milliseconds
    /// of JSON-LD processing, which issuing thousands at once need not wait for. A
    /// credential whose figures JSON-LD verifiers would read two ways (see `canon.rs`) is
    /// given without a proof, as is an erased one (empty).
    pub async fn credential_json_ld(&self, record: &CredentialRecord) -> AppResult<String> {
        if let Some(signed) = &record.integrity {
            return Ok(signed.clone());
        }
        if record.document.is_empty() {
            return Ok(String::new());
        }
        let document: Value = serde_json::from_str(&record.document)
            .map_err(|e| AppError::Internal(format!("stored credential: {e}")))?;
        let issuing = self.issuing().await?;
        let now = self.clock.now();
        let signed = tokio::task::spawn_blocking(move || {
            guildhall_credentials::integrity::sign(&document, &issuing.did, &issuing.current, now)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        match signed {
            Ok(signed) => Ok(self.store.keep_credential_integrity(record.id, &signed.to_string()).await?),
            Err(why) => {
                tracing::warn!(credential = %record.uuid, %why, "no Data Integrity proof for this credential");
                Ok(record.document.clone())
            }
        }
    }

    /// The holder's name, for staff pages.
    pub async fn credential_holder_name(&self, record: &CredentialRecord) -> AppResult<String> {
        let holder = self.store.credential_holder(record.member_id).await?;
        Ok(format!("{} {}", holder.first_name, holder.last_name))
    }

    /// The member a staff form names by member number.
    pub async fn member_id_for_credential(&self, actor: &Actor, number: &str) -> AppResult<i64> {
        actor.require(Permission::IssueCredentials)?;
        let number = number.trim();
        if number.is_empty() {
            return Err(AppError::invalid_field("member_number", "Give the member's number."));
        }
        self.store
            .member_id_by_number(number)
            .await?
            .ok_or_else(|| AppError::invalid_field("member_number", "No member has that number."))
    }

    /// The signing keys as staff see them: name and since when (current first).
    pub async fn signing_keys(&self, actor: &Actor) -> AppResult<Vec<(String, String)>> {
        actor.require(Permission::IssueCredentials)?;
        let day = |at: i64| day_in_words(OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH));
        Ok(self
            .store
            .issuer_keys()
            .await?
            .into_iter()
            .map(|k| {
                let state = match k.retired_at {
                    None => format!("current, since {}", day(k.created_at)),
                    Some(retired) => format!("retired on {}; still verifies what it signed", day(retired)),
                };
                (k.fragment, state)
            })
            .collect())
    }

    /// Credential kinds in words, for forms and filters.
    pub fn credential_kinds(&self) -> Vec<(CredentialKind, &'static str)> {
        CredentialKind::ALL.iter().map(|k| (*k, k.label())).collect()
    }
}
