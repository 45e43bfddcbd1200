//! The demo society's communications: the newsletter everyone is on until they leave,
//! opt-in advocacy alerts and the journal's table of contents, the first chapter's news its
//! officers may send to; some members' choices; a chapter meeting notice already sent and
//! the next newsletter waiting as a draft with merge fields; the welcome series and the
//! win-back written, waiting to be switched on.

use guildhall_domain::communications::{AudienceInput, AutomationKind, RuleInput};
use guildhall_store::{MemberFilter, PageRequest, SubscriptionChange};

use super::DEMO_SIGN_INS;
use crate::communications::ListForm;
use crate::communications::automations::{AutomationForm, StepForm};
use crate::communications::campaigns::CampaignDraft;
use crate::error::AppResult;
use crate::{Actor, App};

fn list(slug: &str, name: &str, purpose: &str, opt: &str, chapter: Option<i64>) -> ListForm {
    ListForm {
        slug: slug.into(),
        name: name.into(),
        purpose: purpose.into(),
        opt: opt.into(),
        chapter_id: chapter.map(|c| c.to_string()).unwrap_or_default(),
        officers_may_send: chapter.is_some(),
        officer_sends_per_month: "4".into(),
    }
}

fn include(kind: &str, id: i64) -> RuleInput {
    RuleInput { kind: kind.into(), id: id.into() }
}

impl App {
    pub(super) async fn seed_demo_communications(&self, staff: &Actor, chapter_ids: &[i64]) -> AppResult<()> {
        let request = "demo";
        let newsletter = self
            .create_communication_list(
                staff,
                &list(
                    "newsletter",
                    "The Monthly Engineer",
                    "The society's monthly newsletter: events, new articles and questions, licensure news.",
                    "out",
                    None,
                ),
                request,
            )
            .await?;
        let advocacy = self
            .create_communication_list(
                staff,
                &list(
                    "advocacy-alerts",
                    "Advocacy alerts",
                    "When a bill on licensure or public safety needs members to write to their legislators.",
                    "in",
                    None,
                ),
                request,
            )
            .await?;
        let journal = self
            .create_communication_list(
                staff,
                &list(
                    "journal-contents",
                    "Journal table of contents",
                    "The contents of each new issue of the society's journal.",
                    "in",
                    None,
                ),
                request,
            )
            .await?;
        let Some(first_chapter) = chapter_ids.first().copied() else { return Ok(()) };
        let chapter = self.reference().await?.chapter(first_chapter).map(|c| c.name.clone()).unwrap_or_default();
        let chapter_news = self
            .create_communication_list(
                staff,
                &list(
                    "chapter-news",
                    &format!("{chapter} news"),
                    "Meeting notices and news from your chapter's officers.",
                    "out",
                    Some(first_chapter),
                ),
                request,
            )
            .await?;

        // Some members joined the opt-in lists; a few left the newsletter.
        let members = self.store.search_members(&MemberFilter::default(), PageRequest::new(1, 200)).await?;
        let now = self.clock.unix();
        for (i, member) in members.items.iter().enumerate() {
            let mut lists = Vec::new();
            if i % 3 == 0 {
                lists.push((advocacy, true));
            }
            if i % 4 == 0 {
                lists.push((journal, true));
            }
            if i % 17 == 0 {
                lists.push((newsletter, false));
            }
            if lists.is_empty() {
                continue;
            }
            let change =
                SubscriptionChange { lists, source: "preferences page".into(), ..SubscriptionChange::default() };
            self.store.change_subscriptions(member.id, &change, now).await?;
        }
        if let Some(maya) = self.store.user_by_email(DEMO_SIGN_INS[0].email).await?
            && let Some(member) = self.store.member_by_user(maya.id).await?
        {
            let change = SubscriptionChange {
                lists: vec![(journal, true)],
                source: "preferences page".into(),
                ..SubscriptionChange::default()
            };
            self.store.change_subscriptions(member.id, &change, now).await?;
        }

        let notice = CampaignDraft {
            list_id: Some(chapter_news),
            subject: format!("{chapter}: November meeting, site visit and PDH"),
            body: "Dear {{first_name}},\n\nOur November meeting is a site visit to the new water treatment plant, \
                   worth **2 PDH**. Bring safety boots; hard hats are provided.\n\nSee you there,\n\nThe chapter officers"
                .into(),
            audience: AudienceInput { include: vec![include("list", chapter_news)], exclude: Vec::new() },
        };
        let sent = self.create_campaign(staff, &notice, request).await?;
        self.send_campaign(staff, sent, request).await?;
        let draft = CampaignDraft {
            list_id: Some(newsletter),
            subject: "The Monthly Engineer: December".into(),
            body: "Dear {{first_name}},\n\nThis month: the licensure bill passed committee, three new knowledge-base \
                   articles on comity, and the annual meeting's call for nominations.\n\n\
                   Your membership runs to {{expires_on}}; still needed this renewal period: {{pdh_needed}}.\n"
                .into(),
            audience: AudienceInput {
                include: vec![include("list", newsletter)],
                exclude: vec![RuleInput { kind: "standing".into(), id: "grace".into() }],
            },
        };
        self.create_campaign(staff, &draft, request).await?;
        self.seed_demo_automations(staff, newsletter).await
    }

    /// The welcome series and the win-back written under the newsletter, both left off for
    /// staff to read and switch on (switched on, they write to the members whose day comes).
    async fn seed_demo_automations(&self, staff: &Actor, newsletter: i64) -> AppResult<()> {
        let request = "demo";
        let series = [
            (
                AutomationKind::Welcome,
                vec![
                    (
                        "1",
                        "Welcome to the society, {{first_name}}",
                        "Dear {{first_name}},\n\nWelcome! Your member number is **{{member_number}}**.\n\n\
                         - Record your PDH on the CE page; we track each licence's renewal period for you.\n\
                         - Your chapter meets monthly: the events page has the next meeting.\n\
                         - The knowledge base answers most licensure questions.\n",
                    ),
                    (
                        "30",
                        "Your first month: mentoring and committees",
                        "Dear {{first_name}},\n\nA month in, two things members value most: a mentor on the \
                         path to the PE, and a committee to serve on. Both are a reply away.\n",
                    ),
                ],
            ),
            (
                AutomationKind::WinBack,
                vec![(
                    "14",
                    "We miss you, {{first_name}}",
                    "Dear {{first_name}},\n\nYour membership ended two weeks ago. Rejoining keeps your CE \
                     record, your licence reminders and your place in your chapter.\n",
                )],
            ),
        ];
        for (kind, steps) in series {
            let form = AutomationForm { list_id: newsletter.to_string(), active: false };
            self.save_automation(staff, kind, &form, request).await?;
            for (delay_days, subject, body) in steps {
                let step = StepForm { delay_days: delay_days.into(), subject: subject.into(), body: body.into() };
                self.add_automation_step(staff, kind, &step, request).await?;
            }
        }
        Ok(())
    }
}
