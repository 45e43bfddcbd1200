//! Mail delivery from the durable outbox: SMTP (lettre) when configured, otherwise the
//! local mailbox that staff read in the admin area. Failed sends are retried with
//! back-off; a message is never dropped, only marked failed after the last attempt.

use guildhall_store::MailAttachment;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::App;
use crate::config::MailSettings;
use crate::error::{AppError, AppResult};

/// Minutes to wait after each failed attempt; after the last, the message is marked failed.
const RETRY_MINUTES: [i64; 7] = [1, 5, 15, 60, 180, 720, 1440];

pub enum Mailer {
    /// No relay configured: delivery means the message is kept for staff to read.
    Mailbox,
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> AppResult<Self> {
        if settings.smtp_host.trim().is_empty() {
            return Ok(Mailer::Mailbox);
        }
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| AppError::Internal(format!("mail.from {:?} is not an address: {e}", settings.from)))?;
        let builder = match settings.smtp_security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.smtp_host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.smtp_host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.smtp_host)),
            other => {
                return Err(AppError::Internal(format!(
                    "mail.smtp_security must be starttls, tls or none, not {other:?}"
                )));
            }
        }
        .map_err(|e| AppError::Internal(format!("cannot set up SMTP relay: {e}")))?;
        let mut builder = builder.port(settings.smtp_port);
        if !settings.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.smtp_username.clone(),
                settings.smtp_password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer::Smtp { transport: Box::new(builder.build()), from })
    }

    pub fn transport_name(&self) -> &'static str {
        match self {
            Mailer::Mailbox => "mailbox",
            Mailer::Smtp { .. } => "smtp",
        }
    }
}

impl App {
    /// Whether outgoing mail stays in the local mailbox (development) rather than SMTP.
    pub fn mail_is_local(&self) -> bool {
        matches!(self.mailer, Mailer::Mailbox)
    }

    /// Delivers every message now due; returns (sent, failed attempts).
    pub async fn deliver_due_mail(&self) -> AppResult<(usize, usize)> {
        let now = self.clock.unix();
        let batch = self.store.claim_due_mail(now, 120, 50).await?;
        let (mut sent, mut failed) = (0, 0);
        for mail in batch {
            let result = match &self.mailer {
                Mailer::Mailbox => Ok(()),
                Mailer::Smtp { transport, from } => {
                    let attachment = match mail.attachment_name {
                        Some(_) => self.store.mail_attachment(mail.id).await?,
                        None => None,
                    };
                    match message(from, &mail.to_address, &mail.subject, &mail.body_text, attachment) {
                        Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
                        Err(error) => Err(error),
                    }
                }
            };
            match result {
                Ok(()) => {
                    self.store.mark_mail_sent(mail.id, self.mailer.transport_name(), self.clock.unix()).await?;
                    sent += 1;
                }
                Err(error) => {
                    let attempt = usize::try_from(mail.attempts).unwrap_or(usize::MAX);
                    let retry_at = RETRY_MINUTES.get(attempt).map(|m| self.clock.unix() + m * 60);
                    tracing::warn!(mail_id = mail.id, attempt = attempt + 1, %error, "mail delivery failed");
                    self.store.mark_mail_failed(mail.id, &error, retry_at).await?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }
}

/// The message as sent: plain text, or plain text and the attachment as `multipart/mixed`.
fn message(
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: &str,
    attachment: Option<MailAttachment>,
) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient {to:?}: {e}"))?;
    let builder = Message::builder().from(from.clone()).to(to).subject(subject);
    let built = match attachment {
        // Without the header, readers would take the body for US-ASCII and garble any accent.
        None => builder.header(ContentType::TEXT_PLAIN).body(body.to_string()),
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type)
                .map_err(|e| format!("bad attachment type {:?}: {e}", file.content_type))?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body.to_string()))
                    .singlepart(Attachment::new(file.name).body(file.body, content_type)),
            )
        }
    };
    built.map_err(|e| format!("cannot build message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_an_attachment_carries_it_as_a_second_part() {
        let from: Mailbox = "Society <office@example.org>".parse().unwrap();
        let calendar = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n";
        let file = MailAttachment {
            name: "event.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
            body: calendar.as_bytes().to_vec(),
        };
        let sent = message(&from, "maya@example.org", "You are registered", "Your seat is confirmed.", Some(file))
            .unwrap()
            .formatted();
        let sent = String::from_utf8(sent).unwrap();
        assert!(sent.contains("Content-Type: multipart/mixed"), "{sent}");
        assert!(sent.contains("Your seat is confirmed."), "{sent}");
        assert!(sent.contains("Content-Disposition: attachment; filename=\"event.ics\""), "{sent}");
        assert!(sent.to_lowercase().contains("content-type: text/calendar; charset=utf-8; method=publish"), "{sent}");
        assert!(sent.contains("METHOD:PUBLISH"), "{sent}");
    }

    #[test]
    fn a_message_without_one_is_plain_text() {
        let from: Mailbox = "office@example.org".parse().unwrap();
        let sent =
            String::from_utf8(message(&from, "maya@example.org", "Hello", "Body", None).unwrap().formatted()).unwrap();
        assert!(!sent.contains("multipart"), "{sent}");
        assert!(sent.contains("Content-Type: text/plain; charset=utf-8"), "{sent}");
    }

    #[test]
    fn a_bad_recipient_is_an_error_not_a_panic() {
        let from: Mailbox = "office@example.org".parse().unwrap();
        assert!(message(&from, "not an address", "Hello", "Body", None).unwrap_err().contains("bad recipient"));
    }
}
