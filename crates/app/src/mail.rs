//! Mail delivery from the durable outbox: SMTP (lettre) when configured, otherwise the
//! local mailbox that staff read in the admin area. Failed sends are retried with
//! back-off; a message is never dropped, only marked failed after the last attempt.

use lettre::message::Mailbox;
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
                    send_smtp(transport, from, &mail.to_address, &mail.subject, &mail.body_text).await
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

async fn send_smtp(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient {to:?}: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .body(body.to_string())
        .map_err(|e| format!("cannot build message: {e}"))?;
    transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}
