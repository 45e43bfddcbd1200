//! Each message as it goes out. A campaign's message is made when it is delivered, for its
//! recipient: merge fields filled, the Markdown turned into sanitised HTML inside the
//! society's branding, the Markdown itself as the plain-text part, and a footer naming the
//! list with links to leave it and to the preferences page. Every message (transactional
//! too) gets a VERP return path naming it, so what bounces can be matched to it; bulk mail
//! also carries RFC 8058's `List-Unsubscribe` and `List-Unsubscribe-Post`. When the society
//! tracks campaigns, a recipient's HTML part also carries the tracking image and links
//! (`tracking.rs`); otherwise the message is made exactly as without it.

use guildhall_domain::communications::{MergeValues, escape_markdown, fields_used, merge};
use guildhall_store::{CampaignRecord, MailRecord, MemberRecord};

use super::MailLink;
use super::tracking::{tracked_body, tracking_image};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::knowledge::markdown;
use crate::mail::Outgoing;

/// A campaign's message as one recipient receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    /// The whole message, with the society's branding (inline styles, as mail needs).
    pub html: String,
    /// The message's body alone, sanitised, for showing inside a page.
    pub body_html: String,
}

impl App {
    /// The merge values of a recipient (a sample member's for a preview without a record).
    async fn merge_values(&self, member: Option<&MemberRecord>, uses_pdh: bool) -> AppResult<MergeValues> {
        let Some(member) = member else {
            return Ok(MergeValues {
                first_name: "Alex".into(),
                last_name: "Sample".into(),
                member_number: "M-000000".into(),
                expires_on: Some(self.clock.today()),
                pdh_needed: Some("4 PDH for a sample licence".into()),
            });
        };
        Ok(MergeValues {
            first_name: member.first_name.clone(),
            last_name: member.last_name.clone(),
            member_number: member.member_number.clone(),
            expires_on: member.expires_on,
            pdh_needed: match uses_pdh {
                true => self.ce_still_needed_words(member.id).await?,
                false => None,
            },
        })
    }

    /// The merge values a campaign needs for one member (the CE engine asked only when
    /// `{{pdh_needed}}` is used).
    async fn campaign_values(
        &self,
        campaign: &CampaignRecord,
        member: Option<&MemberRecord>,
    ) -> AppResult<MergeValues> {
        let uses_pdh =
            fields_used(&campaign.subject).iter().chain(&fields_used(&campaign.body)).any(|f| f == "pdh_needed");
        self.merge_values(member, uses_pdh).await
    }

    /// A campaign's body made for one member: its Markdown with the merge fields filled.
    pub(crate) async fn campaign_body_markdown(
        &self,
        campaign: &CampaignRecord,
        member: Option<&MemberRecord>,
    ) -> AppResult<String> {
        let values = self.campaign_values(campaign, member).await?;
        Ok(merge(&campaign.body, &values, escape_markdown))
    }

    /// A campaign made for one member: subject, plain text and branded HTML with the footer.
    /// `tracked`: a message going out, whose HTML part carries the tracking image and links
    /// when the society tracks campaigns (never a test send or a preview).
    pub(crate) async fn render_campaign(
        &self,
        campaign: &CampaignRecord,
        member: Option<&MemberRecord>,
        test: bool,
        tracked: bool,
    ) -> AppResult<Rendered> {
        let values = self.campaign_values(campaign, member).await?;
        let plain = |v: &str| v.to_string();
        let subject = merge(&campaign.subject, &values, plain);
        let subject = if test { format!("[Test] {subject}") } else { subject };
        let body_markdown = merge(&campaign.body, &values, escape_markdown);
        let body_text = merge(&campaign.body, &values, plain);
        let (preferences, unsubscribe) = match member {
            Some(m) => (self.preferences_link(m.id)?, self.unsubscribe_link(m.id, campaign.list_id, campaign.id)?),
            None => (self.link("/account/mail"), self.link("/account/mail")),
        };
        let branding = self.branding().await;
        let footer_text = format!(
            "You receive this because you are on the list \u{201c}{}\u{201d} of {}.\nLeave this list: {unsubscribe}\nAll your mail preferences: {preferences}",
            campaign.list_name, branding.name
        );
        let text = format!("{}\n\n-- \n{footer_text}\n", body_text.trim_end());
        let esc = |s: &str| ammonia::clean_text(s);
        let body_html = markdown::to_html(&body_markdown);
        let (mail_body, image) = match member {
            Some(m) if tracked && !test && self.mail_tracking() => {
                let (open, click) = self.tracking_links(campaign.id, m.id)?;
                (tracked_body(&body_markdown, &click), tracking_image(&open))
            }
            _ => (body_html.clone(), String::new()),
        };
        let colour = if is_hex_colour(&branding.primary_colour) { branding.primary_colour.as_str() } else { "#1f4e79" };
        let html = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\n\
             <body style=\"margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933\">\n\
             <div style=\"max-width:600px;margin:0 auto;background:#ffffff\">\n\
             <div style=\"background:{colour};color:#ffffff;padding:16px 24px;font-size:20px;font-weight:bold\">{society}</div>\n\
             <div style=\"padding:8px 24px 16px;line-height:1.55;font-size:16px\">{body}</div>\n\
             <div style=\"padding:16px 24px;font-size:13px;line-height:1.5;color:#3e4c59;border-top:1px solid #d9dde3\">\
             You receive this because you are on the list \u{201c}{list}\u{201d} of {society}.<br>\
             <a href=\"{unsubscribe}\" style=\"color:#1f4e79\">Leave this list</a> \u{b7} \
             <a href=\"{preferences}\" style=\"color:#1f4e79\">All your mail preferences</a></div>\n\
             {image}</div></body></html>\n",
            title = esc(&subject),
            society = esc(&branding.name),
            body = mail_body,
            list = esc(&campaign.list_name),
            unsubscribe = esc(&unsubscribe),
            preferences = esc(&preferences),
        );
        Ok(Rendered { subject, text, html, body_html })
    }

    /// The return path naming a message (`bounces+TOKEN@domain`), when bounces are handled.
    fn return_path(&self, mail_id: i64) -> AppResult<Option<(String, String)>> {
        let configured = self.settings.mail.bounce_address.trim();
        let Some((local, domain)) = configured.split_once('@') else { return Ok(None) };
        let token = self.sign_mail_link(MailLink::Return, &[mail_id])?;
        Ok(Some((format!("{local}+{token}@{domain}"), token)))
    }

    /// The local part before `+` of the bounce address: what marks a VERP address.
    pub(crate) fn verp_prefix(&self) -> &str {
        self.settings.mail.bounce_address.split('@').next().unwrap_or("").trim()
    }

    /// A message from the outbox as it goes out: a campaign's made for its recipient, every
    /// one with its return path and headers.
    pub(crate) async fn outgoing(&self, mail: &MailRecord) -> AppResult<Outgoing> {
        let mut outgoing = Outgoing {
            to: mail.to_address.clone(),
            subject: mail.subject.clone(),
            text: mail.body_text.clone(),
            html: None,
            headers: Vec::new(),
            return_path: None,
            attachment: None,
        };
        if let Some((return_path, token)) = self.return_path(mail.id)? {
            outgoing.return_path = Some(return_path);
            outgoing.headers.push(("X-Guildhall-Recipient", token));
        }
        let Some(campaign_id) = mail.campaign_id else { return Ok(outgoing) };
        let campaign = self
            .store
            .campaign(campaign_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("campaign {campaign_id} of message {} is gone", mail.id)))?;
        let member = match mail.member_id {
            Some(id) => self.store.member_by_id(id).await?,
            None => None,
        };
        let rendered = self.render_campaign(&campaign, member.as_ref(), mail.campaign_test, true).await?;
        outgoing.subject = rendered.subject;
        outgoing.text = rendered.text;
        outgoing.html = Some(rendered.html);
        if let Some(member) = &member {
            let unsubscribe = self.unsubscribe_link(member.id, campaign.list_id, campaign.id)?;
            outgoing.headers.push(("List-Unsubscribe", format!("<{unsubscribe}>")));
            outgoing.headers.push(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
        }
        let host = self
            .settings
            .server
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split(['/', ':'])
            .next()
            .unwrap_or("localhost")
            .to_string();
        outgoing.headers.push((
            "List-Id",
            format!("{} <list-{}.{host}>", campaign.list_name.replace(['<', '>', '"'], ""), campaign.list_id),
        ));
        outgoing.headers.push(("Precedence", "bulk".into()));
        Ok(outgoing)
    }
}

fn is_hex_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit())
}
