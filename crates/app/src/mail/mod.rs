//! Mail delivery from the durable outbox: SMTP (lettre) when configured, otherwise the
//! local mailbox that staff read in the admin area. Failed sends are retried with
//! back-off; a message is never dropped, only marked failed after the last attempt.
//!
//! Files: `mod.rs` (the delivery rounds: transactional mail first, then bulk within the rate
//! limits, each bulk message marked in flight before it goes), `relay.rs` (the SMTP relay:
//! connections with no Nagle delay, kept open between messages).

use guildhall_store::{KeptMail, MailAttachment, MailRecord};
use lettre::Message;
use lettre::address::{Address, Envelope};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

mod relay;

use std::sync::Arc;

use relay::Relay;

use crate::App;
use crate::config::MailSettings;
use crate::error::{AppError, AppResult};

/// Minutes to wait after each failed attempt; after the last, the message is marked failed.
const RETRY_MINUTES: [i64; 7] = [1, 5, 15, 60, 180, 720, 1440];

pub enum Mailer {
    /// No relay configured: delivery means the message is kept for staff to read.
    Mailbox,
    Smtp {
        relay: Arc<Relay>,
        /// The relay bulk mail goes through: the main one, or `mail.bulk_relay`.
        bulk: Arc<Relay>,
        /// Whether bulk mail has a relay of its own.
        bulk_apart: bool,
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
        let relay = Arc::new(Relay::new(
            &settings.smtp_host,
            settings.smtp_port,
            &settings.smtp_security,
            "mail.smtp_security",
            &settings.smtp_username,
            &settings.smtp_password,
        )?);
        let apart = &settings.bulk_relay;
        let (bulk, bulk_apart) = match apart.smtp_host.trim().is_empty() {
            true => (relay.clone(), false),
            false => (
                Arc::new(Relay::new(
                    apart.smtp_host.trim(),
                    apart.smtp_port,
                    &apart.smtp_security,
                    "mail.bulk_relay.smtp_security",
                    &apart.smtp_username,
                    &apart.smtp_password,
                )?),
                true,
            ),
        };
        Ok(Mailer::Smtp { relay, bulk, bulk_apart, from })
    }

    /// What a message went out through, as the outbox records it.
    pub fn transport_name(&self) -> &'static str {
        match self {
            Mailer::Mailbox => "mailbox",
            Mailer::Smtp { .. } => "smtp",
        }
    }

    /// What bulk mail goes out through: `smtp-bulk` when it has a relay of its own.
    fn bulk_transport_name(&self) -> &'static str {
        match self {
            Mailer::Smtp { bulk_apart: true, .. } => "smtp-bulk",
            _ => self.transport_name(),
        }
    }
}

/// Hands a message to the relay.
async fn send(relay: &Relay, from: &Mailbox, outgoing: Outgoing) -> Result<(), String> {
    let message = message(from, outgoing)?;
    relay.send(message.envelope(), &message.formatted()).await
}

/// A message ready to go: made from an outbox row (a campaign's for its recipient).
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The HTML part, sent with the text as `multipart/alternative`.
    pub html: Option<String>,
    /// Further headers: `List-Unsubscribe`, `List-Id`, `Precedence`, the recipient token.
    pub headers: Vec<(&'static str, String)>,
    /// The envelope sender (a VERP address naming the message), when bounces are handled.
    pub return_path: Option<String>,
    pub attachment: Option<MailAttachment>,
}

impl Outgoing {
    /// The headers as a JSON object, as the development mailbox shows them.
    pub fn headers_json(&self, from: &str) -> String {
        let mut headers = serde_json::Map::new();
        headers.insert("From".into(), from.into());
        headers.insert("To".into(), self.to.clone().into());
        headers.insert("Subject".into(), self.subject.clone().into());
        if let Some(path) = &self.return_path {
            headers.insert("Return-Path".into(), format!("<{path}>").into());
        }
        for (name, value) in &self.headers {
            headers.insert((*name).into(), value.clone().into());
        }
        serde_json::Value::Object(headers).to_string()
    }
}

/// Seconds a claimed message is held by this node before another may take it.
const LEASE_SECS: i64 = 120;
/// Bulk messages handed to the relay at once (each marked in flight first).
const BULK_CONCURRENCY: usize = 8;
/// How long one delivery round keeps going while there is more to send.
const ROUND_BUDGET: std::time::Duration = std::time::Duration::from_millis(2500);

impl App {
    /// Whether outgoing mail stays in the local mailbox (development) rather than SMTP.
    pub fn mail_is_local(&self) -> bool {
        matches!(self.mailer, Mailer::Mailbox)
    }

    /// Delivers every message now due, transactional first, then bulk within the rate
    /// limits; returns (sent, failed attempts). Keeps going for a moment while there is more.
    pub async fn deliver_due_mail(&self) -> AppResult<(usize, usize)> {
        let started = std::time::Instant::now();
        let stalled = self.store.mark_stalled_mail_undetermined(self.clock.unix() - LEASE_SECS).await?;
        if stalled > 0 {
            tracing::warn!(
                messages = stalled,
                "bulk messages were handed to the relay when the sender stopped; not sent again"
            );
        }
        let (mut sent, mut failed) = (0, 0);
        loop {
            let now = self.clock.unix();
            let transactional = self.store.claim_due_mail(now, LEASE_SECS, 50).await?;
            let allowance = self.bulk_allowance(now).await?;
            let bulk = match allowance {
                0 => Vec::new(),
                n => self.store.claim_due_bulk_mail(now, LEASE_SECS, n.min(200)).await?,
            };
            let more = transactional.len() == 50 || (allowance > 0 && bulk.len() as u32 == allowance.min(200));
            for mail in transactional {
                match self.deliver_one(&mail).await? {
                    true => sent += 1,
                    false => failed += 1,
                }
            }
            let (s, f) = self.deliver_bulk(bulk).await?;
            sent += s;
            failed += f;
            if !more || started.elapsed() > ROUND_BUDGET {
                return Ok((sent, failed));
            }
        }
    }

    /// How many bulk messages may go now: the smaller room left in the last minute's and
    /// hour's windows of the relay bulk mail goes through (`mail.bulk_relay.per_minute` and
    /// `per_hour` when it has its own, else `mail.bulk_per_minute` and `bulk_per_hour`; 0 is
    /// no limit), counting every bulk message any node handed to it, sent or refused.
    async fn bulk_allowance(&self, now: i64) -> AppResult<u32> {
        let mail = &self.settings.mail;
        let limits = match matches!(self.mailer, Mailer::Smtp { bulk_apart: true, .. }) {
            true => [(mail.bulk_relay.per_minute, 60), (mail.bulk_relay.per_hour, 3600)],
            false => [(mail.bulk_per_minute, 60), (mail.bulk_per_hour, 3600)],
        };
        let mut allowance = u32::MAX;
        for (limit, window) in limits {
            if limit > 0 {
                let sent = self.store.bulk_mail_handed_over_since(now - window).await?;
                allowance = allowance.min(u32::try_from(i64::from(limit) - sent).unwrap_or(0));
            }
        }
        Ok(allowance)
    }

    /// One transactional message: sent, or its failure recorded for a retry.
    async fn deliver_one(&self, mail: &MailRecord) -> AppResult<bool> {
        let mut outgoing = self.outgoing(mail).await?;
        if mail.attachment_name.is_some() {
            outgoing.attachment = self.store.mail_attachment(mail.id).await?;
        }
        let result = match &self.mailer {
            Mailer::Mailbox => {
                self.keep_as_sent(mail, &outgoing).await?;
                Ok(())
            }
            Mailer::Smtp { relay, from, .. } => send(relay, from, outgoing).await,
        };
        self.record_attempt(mail, result).await
    }

    /// Records an attempt: sent, or failed with a retry after the next back-off.
    async fn record_attempt(&self, mail: &MailRecord, result: Result<(), String>) -> AppResult<bool> {
        match result {
            Ok(()) => {
                self.store.mark_mail_sent(mail.id, self.mailer.transport_name(), self.clock.unix()).await?;
                Ok(true)
            }
            Err(error) => {
                let attempt = usize::try_from(mail.attempts).unwrap_or(usize::MAX);
                let retry_at = RETRY_MINUTES.get(attempt).map(|m| self.clock.unix() + m * 60);
                tracing::warn!(mail_id = mail.id, attempt = attempt + 1, %error, "mail delivery failed");
                self.store.mark_mail_failed(mail.id, &error, retry_at).await?;
                Ok(false)
            }
        }
    }

    /// What a message went out as, kept for the development mailbox.
    async fn keep_as_sent(&self, mail: &MailRecord, outgoing: &Outgoing) -> AppResult<()> {
        let kept = KeptMail {
            subject: outgoing.subject.clone(),
            body_text: outgoing.text.clone(),
            body_html: outgoing.html.clone(),
            headers: outgoing.headers_json(&self.settings.mail.from),
        };
        Ok(self.store.keep_mail_as_sent(mail.id, &kept).await?)
    }

    /// Bulk messages, a few at a time: each group is marked in flight before it is handed to
    /// the relay (a message marked and never marked sent is not sent again), sent at once,
    /// and marked sent in one statement.
    async fn deliver_bulk(&self, batch: Vec<MailRecord>) -> AppResult<(usize, usize)> {
        let (mut sent, mut failed) = (0, 0);
        for group in batch.chunks(BULK_CONCURRENCY) {
            let mut made = Vec::with_capacity(group.len());
            for mail in group {
                match self.outgoing(mail).await {
                    Ok(outgoing) => made.push((mail, outgoing)),
                    Err(err) => {
                        self.record_attempt(mail, Err(err.to_string())).await?;
                        failed += 1;
                    }
                }
            }
            let ids: Vec<i64> = made.iter().map(|(m, _)| m.id).collect();
            let in_flight = self.store.mark_mail_in_flight(&ids, self.clock.unix()).await?;
            made.retain(|(m, _)| in_flight.contains(&m.id));
            let mut delivered = Vec::with_capacity(made.len());
            match &self.mailer {
                Mailer::Mailbox => {
                    for (mail, outgoing) in &made {
                        self.keep_as_sent(mail, outgoing).await?;
                        delivered.push(mail.id);
                    }
                }
                Mailer::Smtp { bulk, from, .. } => {
                    let mut sending = tokio::task::JoinSet::new();
                    for (mail, outgoing) in &made {
                        let (id, outgoing) = (mail.id, outgoing.clone());
                        let (relay, from) = (bulk.clone(), from.clone());
                        sending.spawn(async move { (id, send(&relay, &from, outgoing).await) });
                    }
                    while let Some(joined) = sending.join_next().await {
                        let (id, result) = joined.map_err(|e| AppError::Internal(e.to_string()))?;
                        match result {
                            Ok(()) => delivered.push(id),
                            Err(error) => {
                                if let Some((mail, _)) = made.iter().find(|(m, _)| m.id == id) {
                                    self.record_attempt(mail, Err(error)).await?;
                                }
                                failed += 1;
                            }
                        }
                    }
                }
            }
            self.store.mark_mails_sent(&delivered, self.mailer.bulk_transport_name(), self.clock.unix()).await?;
            sent += delivered.len();
        }
        Ok((sent, failed))
    }
}

/// The message as sent: plain text, text and HTML as `multipart/alternative`, or either
/// with the attachment as `multipart/mixed`; with its further headers and return path.
fn message(from: &Mailbox, outgoing: Outgoing) -> Result<Message, String> {
    let to: Mailbox = outgoing.to.parse().map_err(|e| format!("bad recipient {:?}: {e}", outgoing.to))?;
    let mut builder = Message::builder().from(from.clone()).to(to.clone()).subject(outgoing.subject);
    for (name, value) in outgoing.headers {
        builder = builder.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str(name), value));
    }
    if let Some(path) = &outgoing.return_path {
        let sender: Address = path.parse().map_err(|e| format!("bad return path {path:?}: {e}"))?;
        let envelope = Envelope::new(Some(sender), vec![to.email]).map_err(|e| format!("bad envelope: {e}"))?;
        builder = builder.envelope(envelope);
    }
    let attachment = match outgoing.attachment {
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type)
                .map_err(|e| format!("bad attachment type {:?}: {e}", file.content_type))?;
            Some(Attachment::new(file.name).body(file.body, content_type))
        }
        None => None,
    };
    let built = match (outgoing.html, attachment) {
        // Without the header, readers would take the body for US-ASCII and garble any accent.
        (None, None) => builder.header(ContentType::TEXT_PLAIN).body(outgoing.text),
        (None, Some(file)) => {
            builder.multipart(MultiPart::mixed().singlepart(SinglePart::plain(outgoing.text)).singlepart(file))
        }
        (Some(html), None) => builder.multipart(MultiPart::alternative_plain_html(outgoing.text, html)),
        (Some(html), Some(file)) => builder.multipart(
            MultiPart::mixed().multipart(MultiPart::alternative_plain_html(outgoing.text, html)).singlepart(file),
        ),
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
        let outgoing = Outgoing {
            to: "maya@example.org".into(),
            subject: "You are registered".into(),
            text: "Your seat is confirmed.".into(),
            attachment: Some(file),
            ..Outgoing::default()
        };
        let sent = message(&from, outgoing).unwrap().formatted();
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
        let sent = String::from_utf8(message(&from, plain("maya@example.org")).unwrap().formatted()).unwrap();
        assert!(!sent.contains("multipart"), "{sent}");
        assert!(sent.contains("Content-Type: text/plain; charset=utf-8"), "{sent}");
    }

    #[test]
    fn a_bad_recipient_is_an_error_not_a_panic() {
        let from: Mailbox = "office@example.org".parse().unwrap();
        assert!(message(&from, plain("not an address")).unwrap_err().contains("bad recipient"));
    }

    fn plain(to: &str) -> Outgoing {
        Outgoing { to: to.into(), subject: "Hello".into(), text: "Body".into(), ..Outgoing::default() }
    }

    #[test]
    fn a_campaign_message_carries_both_parts_its_headers_and_its_return_path() {
        let from: Mailbox = "Society <office@example.org>".parse().unwrap();
        let outgoing = Outgoing {
            html: Some("<p>Body</p>".into()),
            headers: vec![
                ("List-Unsubscribe", "<https://members.example.org/mail/unsubscribe/1-2-3-abc>".into()),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
            ],
            return_path: Some("bounces+42-abc@example.org".into()),
            ..plain("maya@example.org")
        };
        let built = message(&from, outgoing).unwrap();
        assert_eq!(built.envelope().from().map(|a| a.to_string()), Some("bounces+42-abc@example.org".to_string()));
        let sent = String::from_utf8(built.formatted()).unwrap();
        assert!(sent.contains("Content-Type: multipart/alternative"), "{sent}");
        assert!(sent.contains("<p>Body</p>") && sent.contains("\r\nBody\r\n"), "{sent}");
        assert!(sent.contains("List-Unsubscribe: <https://members.example.org/mail/unsubscribe/1-2-3-abc>"), "{sent}");
        assert!(sent.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{sent}");
    }
}
