//! "Erase me": a person asks, staff confirm or decline from a queue; confirmation erases
//! or anonymises everything about them in one transaction (see
//! `guildhall_store::privacy::erasure`) and sends a final email.

use guildhall_store::NewMail;
use guildhall_store::privacy::erasure::ErasureForStaff;

use crate::{Actor, App, AppError, AppResult, Permission};

impl App {
    /// The signed-in person asks to be erased (after confirming on the page). Audited;
    /// staff see it in their queue.
    pub async fn request_erasure(&self, actor: &Actor, request_id: &str) -> AppResult<()> {
        actor.require(Permission::OwnAccount)?;
        let person = self.store.person_of_user(actor.user_id).await?;
        let mut audit = self.audit_entry(
            actor,
            "privacy.erasure_requested",
            if person.member_id.is_some() { "member" } else { "user" },
            request_id,
        );
        audit.subject_label = actor.display_name.clone();
        match self.store.request_erasure(&person, &audit, self.clock.unix()).await {
            Ok(_) => Ok(()),
            Err(guildhall_store::StoreError::Conflict { .. }) => {
                Err(AppError::invalid("You have already asked; the society office will answer by email."))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Erasure requests waiting for staff.
    pub async fn erasure_requests(&self, actor: &Actor) -> AppResult<Vec<ErasureForStaff>> {
        actor.require(Permission::StaffArea)?;
        Ok(self.store.erasure_requests_for_staff().await?)
    }

    async fn waiting_request(&self, id: i64) -> AppResult<ErasureForStaff> {
        self.store
            .erasure_requests_for_staff()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::NotFound("That request is not waiting any more.".into()))
    }

    /// The address to answer a request at: the account's, else the member record's.
    async fn answer_address(&self, request: &ErasureForStaff) -> AppResult<String> {
        if let Some(email) = &request.account_email {
            return Ok(email.clone());
        }
        let person = match request.member_id {
            Some(id) => self.store.person_of_member(id).await?,
            None => Default::default(),
        };
        Ok(person.emails.into_iter().next().unwrap_or_default())
    }

    /// Staff confirm a request: the person is erased, audited, and told by a final email
    /// (which names nothing of theirs beyond the address it goes to).
    pub async fn confirm_erasure(
        &self,
        actor: &Actor,
        id: i64,
        request_checked: bool,
        request_id: &str,
    ) -> AppResult<String> {
        actor.require(Permission::StaffArea)?;
        let request = self.waiting_request(id).await?;
        if !request_checked {
            return Err(AppError::invalid_field(
                "checked",
                "Erasure cannot be undone: confirm that you checked the request came from the person before erasing.",
            ));
        }
        let to = self.answer_address(&request).await?;
        let society = self.branding().await.name;
        let mail = NewMail {
            to_address: to,
            subject: format!("Your data has been erased from {society}"),
            body_text: format!(
                "Hello,\n\nAs you asked, {society} has erased your personal data: your account, your profile, \
                 your CE record and files, and the mail we sent you. This is the last message we send to this \
                 address.\n\nThe law asks us to keep the record of invoices and payments for \
                 {} years; we keep them without your name or contact details.\n",
                self.settings.privacy.keep_financial_years
            ),
            attachment: None,
        };
        let audit = self.audit_entry(actor, "privacy.erased", "member", request_id);
        let label = self
            .store
            .erase_person(id, Some(actor.user_id), &audit, Some(&mail), self.clock.unix(), self.clock.today())
            .await
            .map_err(|err| match err {
                guildhall_store::StoreError::NotFound => {
                    AppError::NotFound("That request is not waiting any more.".into())
                }
                other => other.into(),
            })?;
        self.forget_kept_pages();
        Ok(label)
    }

    /// Staff decline a request (the person is told to contact the office). Audited.
    pub async fn decline_erasure(&self, actor: &Actor, id: i64, request_id: &str) -> AppResult<()> {
        actor.require(Permission::StaffArea)?;
        let request = self.waiting_request(id).await?;
        let society = self.branding().await.name;
        let mail = NewMail {
            to_address: self.answer_address(&request).await?,
            subject: format!("Your erasure request to {society}"),
            body_text: format!(
                "Hello,\n\n{society} has not erased your data this time. Please reply to the society office, \
                 who will explain why and what can be done.\n"
            ),
            attachment: None,
        };
        let mut audit = self.audit_entry(actor, "privacy.erasure_declined", "member", request_id);
        audit.subject_id = request.member_id.or(request.user_id);
        audit.subject_label = request.member_number.clone().or(request.account_name.clone()).unwrap_or_default();
        self.store.decline_erasure(id, actor.user_id, &audit, &mail, self.clock.unix()).await?;
        Ok(())
    }
}
