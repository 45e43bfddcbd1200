//! Open and click tracking of campaign messages, only while the society has turned it on
//! (`mail.tracking`, off by default). A tracked message's HTML part carries a 1×1 image,
//! `/mail/open/TOKEN`, and each web link of its body goes through `/mail/click/TOKEN/N`, `N`
//! the link's place among the body's links (from 0). The plain-text part, the footer's links
//! (leaving the list, the preferences page) and test sends are left alone. The tokens are
//! signed links naming the recipient and the campaign.
//!
//! A click is answered with the `N`-th link of that campaign's body as it was made for the
//! recipient, never with an address taken from the request. Each recipient's first open and
//! first click are recorded once (`Store::record_campaign_open`, `record_campaign_click`);
//! with tracking off nothing is recorded, and the links of messages already sent still work.

use super::MailLink;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::knowledge::markdown;

impl App {
    /// Whether campaign messages are tracked (`mail.tracking`).
    pub fn mail_tracking(&self) -> bool {
        self.settings.mail.tracking
    }

    /// The absolute addresses of a recipient's tracking image and of their links (to which
    /// each link's place is added).
    pub(crate) fn tracking_links(&self, campaign_id: i64, member_id: i64) -> AppResult<(String, String)> {
        let open = self.sign_mail_link(MailLink::Open, &[member_id, campaign_id])?;
        let click = self.sign_mail_link(MailLink::Click, &[member_id, campaign_id])?;
        Ok((self.link(&format!("/mail/open/{open}")), self.link(&format!("/mail/click/{click}"))))
    }

    /// The tracking image was loaded: the recipient's first open is recorded (tracking on).
    /// `NotFound` for a token that is not one of ours.
    pub async fn record_mail_open(&self, token: &str) -> AppResult<()> {
        let parts = self.open_mail_link(MailLink::Open, token, 2)?;
        if self.mail_tracking() {
            self.store.record_campaign_open(parts[1], parts[0], self.clock.unix()).await?;
        }
        Ok(())
    }

    /// A tracked link was followed: where it goes (the `index`-th web link of the campaign's
    /// body, made for the recipient), and their first click recorded (tracking on). `NotFound`
    /// for a token that is not one of ours or a place with no web link.
    pub async fn follow_mail_click(&self, token: &str, index: &str) -> AppResult<String> {
        let not_found = || AppError::NotFound("This link is not valid. Open the one in your message.".into());
        let parts = self.open_mail_link(MailLink::Click, token, 2)?;
        let (member_id, campaign_id) = (parts[0], parts[1]);
        let index: usize = index.trim().parse().map_err(|_| not_found())?;
        let campaign = self.store.campaign(campaign_id).await?.ok_or_else(not_found)?;
        let member = self.store.member_by_id(member_id).await?;
        let body = self.campaign_body_markdown(&campaign, member.as_ref()).await?;
        let target = body_links(&body).into_iter().nth(index).filter(|url| is_web_link(url)).ok_or_else(not_found)?;
        if self.mail_tracking() {
            self.store.record_campaign_click(campaign_id, member_id, self.clock.unix()).await?;
        }
        Ok(target)
    }
}

/// The 1×1 image that records a message's opening.
pub(crate) fn tracking_image(open: &str) -> String {
    format!(
        "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">",
        ammonia::clean_text(open)
    )
}

/// A body (Markdown made for its recipient) as sanitised HTML with each web link sent
/// through `click` (`click/N`, `N` its place among the links); other links (`mailto:`) keep
/// their address and their place.
pub(crate) fn tracked_body(markdown: &str, click: &str) -> String {
    let click = click.to_string();
    markdown::to_html_with_links(markdown, move |n, url| is_web_link(url).then(|| format!("{click}/{n}")))
}

/// The address of each link of a body (Markdown made for its recipient), in order.
pub(crate) fn body_links(markdown: &str) -> Vec<String> {
    let found = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = found.clone();
    markdown::to_html_with_links(markdown, move |_, url| {
        if let Ok(mut seen) = seen.lock() {
            seen.push(url.to_string());
        }
        None
    });
    std::mem::take(&mut *found.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

fn is_web_link(url: &str) -> bool {
    let url = url.trim_start().to_ascii_lowercase();
    url.starts_with("https://") || url.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLICK: &str = "https://members.example.org/mail/click/7-3-abc";

    #[test]
    fn each_web_link_of_the_body_goes_through_its_own_click_address_in_order() {
        let body = "Read [the agenda](https://example.org/agenda?year=2027&part=1) and \
                    [write to us](mailto:office@example.org), then [register](http://example.org/register).";
        assert_eq!(
            body_links(body),
            ["https://example.org/agenda?year=2027&part=1", "mailto:office@example.org", "http://example.org/register"]
        );
        let tracked = tracked_body(body, CLICK);
        assert!(tracked.contains(&format!("href=\"{CLICK}/0\"")), "{tracked}");
        assert!(tracked.contains("href=\"mailto:office@example.org\""), "{tracked}");
        assert!(tracked.contains(&format!("href=\"{CLICK}/2\"")), "{tracked}");
        assert!(!tracked.contains("example.org/agenda") && !tracked.contains("example.org/register"), "{tracked}");
        // Only the addresses changed: the words and the rest of the markup are as they were.
        let html = markdown::to_html(body);
        let words =
            |html: &str| html.split("href=\"").map(|p| p.split_once('"').map_or(p, |(_, r)| r)).collect::<String>();
        assert_eq!(words(&tracked), words(&html));
    }

    #[test]
    fn markup_inside_a_value_is_not_taken_for_a_link() {
        let body =
            r#"<p title="<a href='https://evil.example'>">x</p> <a title="a > b" href="https://example.org/a">a</a>"#;
        assert_eq!(body_links(body), ["https://example.org/a"]);
        assert!(tracked_body(body, CLICK).contains(&format!("href=\"{CLICK}/0\"")));
        assert!(!tracked_body(body, CLICK).contains("href=\"https://evil.example"));
    }

    #[test]
    fn a_body_without_links_is_left_exactly_as_it_was() {
        let body = "Dear Maya,\n\nThe **annual meeting** is on Friday <3.";
        assert!(body_links(body).is_empty());
        assert_eq!(tracked_body(body, CLICK), markdown::to_html(body));
    }
}
