//! Reading a message returned to the society's bounce address.
//!
//! Campaigns go out with a VERP return path per recipient, `{prefix}+{token}@{domain}`, so the
//! recipient's token is in the address a bounce was delivered to, or in the headers of the
//! returned original. A returned message is a delivery failure (an RFC 3464 report, or the plain
//! text of Exim, qmail and the like), a spam complaint (an RFC 5965 feedback report), or something
//! to ignore (an out-of-office reply, a delay notice). Any bytes give an answer, and a failure is
//! hard only on the evidence of a permanent status code.

use std::iter;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// How bad a delivery failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceKind {
    /// A permanent failure: the address does not work.
    Hard,
    /// A temporary failure (a full mailbox, a server that is down), or one without evidence.
    Soft,
}

/// A delivery failure reported for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The failed recipient's address, lowercased, when the report names it.
    pub recipient: Option<String>,
    /// The VERP token from the address the bounce was sent to (e.g. `bounces+TOKEN@…`), when present.
    pub token: Option<String>,
    /// Whether the failure is permanent or temporary.
    pub kind: BounceKind,
    /// The enhanced status code, e.g. "5.1.1", when known.
    pub status: Option<String>,
    /// The remote server's diagnostic text (e.g. "550 5.1.1 <x@y>: Recipient address rejected: User
    /// unknown"), trimmed, at most 500 characters.
    pub diagnostic: String,
    /// A rejection for the sender's reputation or content (spam policy, blocklist, DMARC) rather
    /// than the address: never counted against the address.
    pub policy: bool,
}

/// A recipient's spam complaint, from a mailbox provider's feedback loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// The complaining recipient's address, lowercased, when the report names it.
    pub recipient: Option<String>,
    /// The VERP token of the message complained about, when present.
    pub token: Option<String>,
    /// The feedback type, e.g. "abuse".
    pub feedback_type: String,
}

/// What a returned message says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feedback {
    /// A delivery failure.
    Bounce(Bounce),
    /// A spam complaint.
    Complaint(Complaint),
    /// An auto-reply, out-of-office or delayed-delivery notice, or anything else that is not a
    /// failure, with why in plain words.
    Ignored(String),
}

const MAX_DIAGNOSTIC: usize = 500;
const UNRECOGNISED: &str = "unrecognised bounce";
const DELAYED: &str = "a delayed-delivery notice: the server is still trying";
const AUTO_REPLY: &str = "an automatic reply, such as an out-of-office notice";

/// Subjects (lowercased fragments) of delivery-failure notices.
const FAILURE_SUBJECTS: &[&str] = &[
    "undelivered mail",
    "undeliverable",
    "mail delivery failed",
    "delivery status notification (failure)",
    "failure notice",
    "returned mail",
    "delivery failure",
    "could not be delivered",
    "not delivered",
];
/// Subjects (lowercased beginnings) of automatic replies.
const AUTO_REPLY_SUBJECTS: &[&str] = &["out of office", "automatic reply", "auto:", "autoreply", "auto-reply"];
/// Words (lowercased) of a diagnostic that blames the sender's reputation or content ("spam" also
/// catches Spamhaus).
const POLICY_WORDS: &[&str] = &[
    "spam",
    "blocklist",
    "blacklist",
    "block list",
    "black list",
    "policy",
    "dmarc",
    "spf",
    "dkim",
    "reputation",
    "rejected for content",
];
/// Words (lowercased) of a diagnostic that says the mailbox is full.
const FULL_WORDS: &[&str] = &["mailbox full", "mailbox is full", "quota", "out of storage", "insufficient storage"];
/// Lines (lowercased fragments) that begin the copy of the original in a plain-text bounce.
const COPY_MARKERS: &[&str] = &["is a copy of the", "original message follows"];
/// Headers of the bounce itself that may hold the VERP address it was delivered to, in order.
const DELIVERY_HEADERS: &[&str] = &["X-Original-To", "Delivered-To", "Envelope-To", "To"];

/// Reads a message returned to the bounce address: a delivery failure, a spam complaint, or
/// something to ignore. `verp_prefix` is the local part before the `+` of the return path.
pub fn read_feedback(raw: &[u8], verp_prefix: &str) -> Feedback {
    let Some(message) = MessageParser::new().parse(raw) else {
        return ignored("not a mail message");
    };
    let head = Fields::head(&String::from_utf8_lossy(raw));
    let (text, copy) = readable_text(&message);
    let original = enclosed_headers(&message).or(copy);
    let token = DELIVERY_HEADERS
        .iter()
        .flat_map(|name| head.all(name))
        .find_map(|value| token_in(value, verp_prefix))
        .or_else(|| original.as_ref().and_then(|fields| fields.token(verp_prefix)));

    if let Some(report) = report(&message, &["feedback-report"]) {
        return complaint(&Fields::head(&report), original.as_ref(), token, verp_prefix);
    }
    if let Some(outcome) =
        report(&message, &["delivery-status", "global-delivery-status"]).and_then(|r| delivery_status(&r))
    {
        return outcome.map_or_else(ignored, |failure| Feedback::Bounce(failure.into_bounce(token)));
    }
    let subject = message.subject().unwrap_or_default().to_ascii_lowercase();
    let failure = looks_like_failure(&head, &subject);
    if auto_reply(&head, &subject, failure) {
        return ignored(AUTO_REPLY);
    }
    if !failure {
        return ignored("not a delivery failure report");
    }
    if subject.contains("delay") {
        return ignored(DELAYED);
    }
    Feedback::Bounce(Failure::from_text(&head, &text).into_bounce(token))
}

/// Splits an mbox file (mboxrd / mboxo: messages start at lines beginning "From " at the start of
/// the file or after a blank line) into messages, un-escaping ">From " lines of mboxrd.
/// Anything before the first "From " line is not a message.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut after_blank = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if after_blank && line.starts_with(b"From ") {
            messages.extend(current.replace(Vec::new()));
        } else if let Some(message) = current.as_mut() {
            let quoted = line.iter().take_while(|&&b| b == b'>').count();
            let escaped = quoted > 0 && line.get(quoted..).is_some_and(|rest| rest.starts_with(b"From "));
            message.extend_from_slice(line.get(usize::from(escaped)..).unwrap_or_default());
        }
        after_blank = matches!(line, b"\n" | b"\r\n");
    }
    messages.extend(current);
    for message in &mut messages {
        // The blank line before the next "From " line separates messages; it is not part of one.
        let separator = [&b"\r\n\r\n"[..], b"\n\n"].into_iter().find(|end| message.ends_with(end));
        if let Some(end) = separator {
            message.truncate(message.len() - end.len() / 2);
        }
    }
    messages.retain(|message| !message.is_empty());
    messages
}

/// The token of a VERP address `{prefix}+{token}@domain` (case-insensitive prefix), if it is one.
pub fn verp_token(address: &str, verp_prefix: &str) -> Option<String> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    let (prefix, rest) = local.split_at_checked(verp_prefix.len())?;
    let token = rest.strip_prefix('+').filter(|_| prefix.eq_ignore_ascii_case(verp_prefix))?;
    (is_token(token) && !domain.is_empty()).then(|| token.to_owned())
}

fn ignored(why: &str) -> Feedback {
    Feedback::Ignored(why.to_owned())
}

/// Whether `text` is a token as the sender makes them: letters, digits, `_` and `-`.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The words of a header value that may be addresses.
fn words(value: &str) -> impl Iterator<Item = &str> {
    value.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')'))
}

fn token_in(value: &str, verp_prefix: &str) -> Option<String> {
    words(value).find_map(|word| verp_token(word, verp_prefix))
}

fn first_address(value: &str) -> Option<String> {
    words(value).find_map(address)
}

/// `text` as a lowercased address, when it is one (`x@y`, `<x@y>`, `<x@y>:`).
fn address(text: &str) -> Option<String> {
    let text = text.trim().trim_start_matches('<').trim_end_matches([':', '.', '>']);
    let (local, domain) = text.rsplit_once('@')?;
    let plain = !text.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>'));
    (plain && !local.is_empty() && !domain.is_empty()).then(|| text.to_lowercase())
}

/// The body of the first report part of one of these `message/…` subtypes.
fn report(message: &Message, subtypes: &[&str]) -> Option<String> {
    let part =
        message.parts.iter().find(|part| subtypes.iter().any(|subtype| part.is_content_type("message", subtype)))?;
    Some(String::from_utf8_lossy(part.contents()).into_owned())
}

/// The header of the original message that a report encloses whole or in part.
fn enclosed_headers(message: &Message) -> Option<Fields> {
    const ENCLOSED: [(&str, &str); 4] =
        [("message", "rfc822"), ("message", "global"), ("text", "rfc822-headers"), ("message", "global-headers")];
    let part = message.parts.iter().skip(1).find(|part| ENCLOSED.iter().any(|(t, s)| part.is_content_type(t, s)))?;
    Some(Fields::head(&String::from_utf8_lossy(part.contents())))
}

/// The readable text of a message, up to the copy of the original that plain-text bounces
/// append, and the header of that copy.
fn readable_text(message: &Message) -> (String, Option<Fields>) {
    let text = message
        .text_bodies()
        .map(|part| match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(html),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let lower = text.to_ascii_lowercase();
    let Some(at) = COPY_MARKERS.iter().filter_map(|marker| lower.find(marker)).min() else {
        return (text, None);
    };
    let (readable, copy) = text.split_at(at);
    let copy = copy.split_once('\n').map_or("", |(_, after_marker)| after_marker);
    (readable.to_owned(), Some(Fields::head(copy)))
}

fn complaint(report: &Fields, original: Option<&Fields>, token: Option<String>, verp_prefix: &str) -> Feedback {
    // A report that gives no type is taken for the commonest, a complaint of abuse.
    let feedback_type =
        report.get("Feedback-Type").and_then(|t| t.split_whitespace().next()).unwrap_or("abuse").to_ascii_lowercase();
    if matches!(feedback_type.as_str(), "auth-failure" | "not-spam") {
        return ignored("a feedback report that is not a complaint");
    }
    let recipient = report
        .get("Original-Rcpt-To")
        .and_then(first_address)
        .or_else(|| original.and_then(|fields| fields.get("To")).and_then(first_address));
    let token = token.or_else(|| report.get("Original-Mail-From").and_then(|value| token_in(value, verp_prefix)));
    Feedback::Complaint(Complaint { recipient, token, feedback_type })
}

/// Reads an RFC 3464 delivery-status report: the first failed recipient, or why it is not a
/// failure; `None` when it says neither (a truncated report), and the readable text is read instead.
fn delivery_status(report: &str) -> Option<Result<Failure, &'static str>> {
    let mut lines = report.lines();
    let blocks: Vec<Fields> = iter::from_fn(|| Fields::read(&mut lines)).collect();
    let with_action = |action: &str| {
        blocks.iter().find(|fields| {
            fields
                .get("Action")
                .and_then(|a| a.split_whitespace().next())
                .is_some_and(|a| a.eq_ignore_ascii_case(action))
        })
    };
    if let Some(failed) = with_action("failed") {
        return Some(Ok(Failure::from_report(failed)));
    }
    if with_action("delayed").is_some() {
        return Some(Err(DELAYED));
    }
    let delivered = ["delivered", "relayed", "expanded"].iter().any(|action| with_action(action).is_some());
    delivered.then_some(Err("a report of delivery, not of a failure"))
}

/// Whether a message that is not a report looks like a delivery-failure notice all the same.
fn looks_like_failure(head: &Fields, subject: &str) -> bool {
    let from = head.get("From").unwrap_or_default().to_ascii_lowercase();
    FAILURE_SUBJECTS.iter().any(|fragment| subject.contains(fragment))
        || from.contains("mailer-daemon")
        || from.contains("postmaster")
        || head.get("X-Failed-Recipients").is_some()
        || head.get("Content-Type").is_some_and(|t| t.to_ascii_lowercase().contains("delivery-status"))
}

/// Whether a message is an automatic reply; `Auto-Submitted` alone does not make a failure notice
/// one, as Exim and Postfix mark their bounces with it too.
fn auto_reply(head: &Fields, subject: &str, failure: bool) -> bool {
    head.get("X-Autoreply").is_some()
        || head.get("X-Autorespond").is_some()
        || AUTO_REPLY_SUBJECTS.iter().any(|beginning| subject.starts_with(beginning))
        || !failure && head.get("Auto-Submitted").is_some_and(|v| v.to_ascii_lowercase().starts_with("auto-replied"))
}

/// What a report says of one failed recipient, before it is classified.
struct Failure {
    recipient: Option<String>,
    status: Option<String>,
    diagnostic: String,
}

impl Failure {
    /// A recipient's fields in a delivery-status report.
    fn from_report(fields: &Fields) -> Failure {
        let after_type = |value: &str| value.split_once(';').map_or(value, |(_, rest)| rest).to_owned();
        let recipient = ["Original-Recipient", "Final-Recipient"]
            .iter()
            .filter_map(|name| fields.get(name))
            .find_map(|value| first_address(&after_type(value)));
        let diagnostic = fields.get("Diagnostic-Code").map(after_type).unwrap_or_default();
        let said = enhanced_status(&diagnostic);
        let status = match (fields.get("Status").and_then(enhanced_status), said) {
            // A generic x.0.0 status gives way to a precise code of the same class in the diagnostic.
            (Some(field), Some(said)) if field.ends_with(".0.0") && field.get(..1) == said.get(..1) => Some(said),
            (field, said) => field.or(said),
        };
        Failure { recipient, status, diagnostic }
    }

    /// A plain-text bounce: the recipient named in `X-Failed-Recipients` or on a line of its own,
    /// and the first line with an SMTP reply or status code, with the lines indented under it.
    fn from_text(head: &Fields, text: &str) -> Failure {
        let recipient = head.get("X-Failed-Recipients").and_then(first_address).or_else(|| text_recipient(text));
        let indent = |line: &str| line.len() - line.trim_start().len();
        let mut lines = text.lines().skip_while(|line| enhanced_status(line).is_none() && reply_class(line).is_none());
        let diagnostic = lines.next().map(|first| {
            let under = lines.take_while(|line| !line.trim().is_empty() && indent(line) >= indent(first));
            iter::once(first).chain(under).map(str::trim).collect::<Vec<_>>().join(" ")
        });
        Failure {
            recipient,
            status: diagnostic.as_deref().and_then(enhanced_status),
            diagnostic: diagnostic.unwrap_or_else(|| UNRECOGNISED.to_owned()),
        }
    }

    fn into_bounce(self, token: Option<String>) -> Bounce {
        let status = self.status.as_deref().unwrap_or_default();
        let diagnostic = self.diagnostic.to_ascii_lowercase();
        let class = status.chars().next().or_else(|| reply_class(&diagnostic));
        let full = status.get(1..) == Some(".2.2") || FULL_WORDS.iter().any(|word| diagnostic.contains(word));
        let policy = status.split('.').nth(1) == Some("7") || POLICY_WORDS.iter().any(|word| diagnostic.contains(word));
        Bounce {
            recipient: self.recipient,
            token,
            kind: if class == Some('5') && !full { BounceKind::Hard } else { BounceKind::Soft },
            status: self.status,
            diagnostic: self.diagnostic.trim().chars().take(MAX_DIAGNOSTIC).collect(),
            policy,
        }
    }
}

/// The first line of a plain-text bounce that names a recipient on its own, as Exim (`  x@y`),
/// qmail (`<x@y>:`) and Postfix (`<x@y>: host … said: …`) do.
fn text_recipient(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let (first, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        (rest.is_empty() || first.starts_with('<') && first.ends_with(">:")).then(|| address(first)).flatten()
    })
}

/// The runs of digits and dots in `text`, without dots at their ends.
fn numbers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|run| run.trim_matches('.'))
        .filter(|run| !run.is_empty())
}

/// The first enhanced status code (`class.subject.detail`, RFC 3463) in `text`.
fn enhanced_status(text: &str) -> Option<String> {
    numbers(text)
        .find(|number| {
            let mut parts = number.split('.');
            let short = |part: Option<&str>| part.is_some_and(|p| (1..=3).contains(&p.len()));
            matches!(parts.next(), Some("2" | "4" | "5"))
                && short(parts.next())
                && short(parts.next())
                && parts.next().is_none()
        })
        .map(str::to_owned)
}

/// The class ('4' or '5') of the first SMTP failure reply code (RFC 5321: `4yz`/`5yz`, y ≤ 5) in `text`.
fn reply_class(text: &str) -> Option<char> {
    numbers(text).find_map(|number| match number.as_bytes() {
        [class @ (b'4' | b'5'), b'0'..=b'5', b'0'..=b'9'] => Some(char::from(*class)),
        _ => None,
    })
}

/// Header fields in order, unfolded: a message's header or one block of a report.
#[derive(Debug, Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    /// Reads the next block of fields from `lines`, up to the blank line that ends it; `None` when
    /// the lines run out first.
    fn read<'a>(lines: &mut impl Iterator<Item = &'a str>) -> Option<Fields> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut started = false;
        for line in lines {
            if line.trim().is_empty() {
                if started {
                    break;
                }
                continue;
            }
            started = true;
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':')
                && !name.contains(char::is_whitespace)
            {
                fields.push((name.to_owned(), value.trim().to_owned()));
            }
        }
        started.then_some(Fields(fields))
    }

    /// The header of a message: the fields before its first blank line.
    fn head(text: &str) -> Fields {
        Fields::read(&mut text.lines()).unwrap_or_default()
    }

    fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.0.iter().filter(move |(field, _)| field.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    /// The VERP token of an enclosed original: its `X-Guildhall-Recipient`, or its return path.
    fn token(&self, verp_prefix: &str) -> Option<String> {
        self.get("X-Guildhall-Recipient")
            .filter(|token| is_token(token))
            .map(str::to_owned)
            .or_else(|| self.all("Return-Path").find_map(|value| token_in(value, verp_prefix)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::{Index, select};

    use super::*;
    use BounceKind::{Hard, Soft};

    const PREFIX: &str = "bounces";
    const FIXTURES: &[&str] = &[
        include_str!("samples/postfix.eml"),
        include_str!("samples/exim_dsn.eml"),
        include_str!("samples/exim_plain.eml"),
        include_str!("samples/exchange.eml"),
        include_str!("samples/gmail.eml"),
        include_str!("samples/gmail_quota.eml"),
        include_str!("samples/spam_policy.eml"),
        include_str!("samples/delayed.eml"),
        include_str!("samples/qmail.eml"),
        include_str!("samples/sendmail.eml"),
        include_str!("samples/out_of_office.eml"),
        include_str!("samples/arf.eml"),
    ];

    /// What a test expects of an answer.
    enum Expect {
        Bounce {
            recipient: Option<&'static str>,
            token: Option<&'static str>,
            kind: BounceKind,
            status: Option<&'static str>,
            policy: bool,
            diagnostic: &'static str,
        },
        Complaint {
            recipient: Option<&'static str>,
            token: Option<&'static str>,
            feedback_type: &'static str,
        },
        Ignored(&'static str),
    }

    /// Reads `raw` with LF and with CRLF line endings and checks both answers.
    fn check(name: &str, raw: &str, expect: &Expect) {
        let lf = raw.replace("\r\n", "\n");
        for raw in [lf.replace('\n', "\r\n"), lf] {
            match (read_feedback(raw.as_bytes(), PREFIX), expect) {
                (Feedback::Bounce(got), Expect::Bounce { recipient, token, kind, status, policy, diagnostic }) => {
                    assert_eq!(
                        (got.recipient.as_deref(), got.token.as_deref(), got.kind, got.status.as_deref(), got.policy),
                        (*recipient, *token, *kind, *status, *policy),
                        "{name}"
                    );
                    assert_eq!(got.diagnostic, *diagnostic, "{name}");
                }
                (Feedback::Complaint(got), Expect::Complaint { recipient, token, feedback_type }) => {
                    assert_eq!(
                        (got.recipient.as_deref(), got.token.as_deref(), got.feedback_type.as_str()),
                        (*recipient, *token, *feedback_type),
                        "{name}"
                    );
                }
                (Feedback::Ignored(why), Expect::Ignored(expected)) => assert_eq!(why, *expected, "{name}"),
                (got, _) => panic!("{name}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn bounces_from_each_kind_of_mail_server_are_read() {
        let cases: &[(&str, &str, Expect)] = &[
            (
                "Postfix DSN",
                include_str!("samples/postfix.eml"),
                Expect::Bounce {
                    recipient: Some("charlie.nobody@example.com"),
                    token: Some("pf_Q2hhcmxpZQ-9k"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "550 5.1.1 <Charlie.Nobody@example.com>: Recipient address rejected: User unknown \
                                 in virtual mailbox table",
                },
            ),
            (
                // Exim reports a generic 5.0.0; the diagnostic's 5.1.1 is more precise.
                "Exim DSN",
                include_str!("samples/exim_dsn.eml"),
                Expect::Bounce {
                    recipient: Some("dora.absent@example.net"),
                    token: Some("ex_RG9yYV9k"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "550 5.1.1 <dora.absent@example.net>: Recipient address rejected: User unknown in \
                                 local recipient table",
                },
            ),
            (
                "Exim plain text",
                include_str!("samples/exim_plain.eml"),
                Expect::Bounce {
                    recipient: Some("edgar@example.org"),
                    token: Some("ep_RWRnYXI"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "host mail.example.org [198.51.100.7]: 550 5.1.1 <Edgar@Example.org>: Recipient \
                                 address rejected: User unknown in relay recipient table",
                },
            ),
            (
                // Sent to `Bounces+…`: the prefix is matched without regard to case.
                "Office 365 NDR",
                include_str!("samples/exchange.eml"),
                Expect::Bounce {
                    recipient: Some("fiona@contoso.com"),
                    token: Some("ms_RmlvbmE_Xw"),
                    kind: Hard,
                    status: Some("5.1.10"),
                    policy: false,
                    diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address \
                                 lookup",
                },
            ),
            (
                "Gmail, no such account",
                include_str!("samples/gmail.eml"),
                Expect::Bounce {
                    recipient: Some("giles.gone@gmail.com"),
                    token: Some("gm_R2lsZXM"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "550-5.1.1 The email account that you tried to reach does not exist. Please try \
                                 double-checking the recipient's email address for typos or unnecessary spaces. For \
                                 more information, go to https://support.google.com/mail/?p=NoSuchUser \
                                 a1si123456wrb.42 - gsmtp",
                },
            ),
            (
                "Gmail, over quota",
                include_str!("samples/gmail_quota.eml"),
                Expect::Bounce {
                    recipient: Some("helen.full@gmail.com"),
                    token: Some("gq_SGVsZW4"),
                    kind: Soft,
                    status: Some("4.2.2"),
                    policy: false,
                    diagnostic: "452-4.2.2 The recipient's inbox is out of storage space. Please direct the \
                                 recipient to https://support.google.com/mail/?p=OverQuotaTemp b5si987654wrc.77 - \
                                 gsmtp",
                },
            ),
            (
                // Bounced to the From address; the token is in the returned headers.
                "5.7.1 spam block",
                include_str!("samples/spam_policy.eml"),
                Expect::Bounce {
                    recipient: Some("ivan@example.net"),
                    token: Some("sp_SXZhbg-1"),
                    kind: Hard,
                    status: Some("5.7.1"),
                    policy: true,
                    diagnostic: "550 5.7.1 Service unavailable; Client host [192.0.2.5] blocked using \
                                 zen.spamhaus.org",
                },
            ),
            ("delayed DSN", include_str!("samples/delayed.eml"), Expect::Ignored(DELAYED)),
            (
                "qmail",
                include_str!("samples/qmail.eml"),
                Expect::Bounce {
                    recipient: Some("karl@example.org"),
                    token: Some("qm_S2FybA"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "Sorry, no mailbox here by that name. (#5.1.1)",
                },
            ),
            (
                // No delivery headers: the token is in the copy of the original.
                "sendmail plain text",
                include_str!("samples/sendmail.eml"),
                Expect::Bounce {
                    recipient: Some("nina@old.example.com"),
                    token: Some("sm_TmluYQ"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "(reason: 550 5.1.1 <Nina@Old.Example.com>... User unknown)",
                },
            ),
            ("out of office", include_str!("samples/out_of_office.eml"), Expect::Ignored(AUTO_REPLY)),
            (
                "ARF abuse report",
                include_str!("samples/arf.eml"),
                Expect::Complaint {
                    recipient: Some("mia@hotmail.example"),
                    token: Some("ar_TWlh-2"),
                    feedback_type: "abuse",
                },
            ),
        ];
        for (name, raw, expect) in cases {
            check(name, raw, expect);
        }
    }

    /// A delivery-status report with these per-recipient blocks.
    fn dsn(recipients: &str) -> String {
        format!(
            "From: MAILER-DAEMON@mx.example\nTo: bounces+dsn_1@guildhall.example\n\
             Subject: Undelivered Mail Returned to Sender\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
             --b\nContent-Type: text/plain\n\nNot delivered.\n\n\
             --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n{recipients}\n--b--\n"
        )
    }

    #[test]
    fn status_codes_and_diagnostics_are_classified() {
        let bounce = |recipient, kind, status, policy, diagnostic| Expect::Bounce {
            recipient: Some(recipient),
            token: Some("dsn_1"),
            kind,
            status,
            policy,
            diagnostic,
        };
        let cases: &[(&str, &str, Expect)] = &[
            (
                "a full mailbox is soft, even with a permanent code",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.2.2\n\
                 Diagnostic-Code: smtp; 552 5.2.2 Over the limit",
                bounce("a@x.example", Soft, Some("5.2.2"), false, "552 5.2.2 Over the limit"),
            ),
            (
                "a quota is soft",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.0.0\n\
                 Diagnostic-Code: smtp; 552 Quota exceeded",
                bounce("a@x.example", Soft, Some("5.0.0"), false, "552 Quota exceeded"),
            ),
            (
                "the Status field wins over the text",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\n\
                 Diagnostic-Code: smtp; 550 5.2.1 Mailbox disabled",
                bounce("a@x.example", Hard, Some("5.1.1"), false, "550 5.2.1 Mailbox disabled"),
            ),
            (
                "without a Status field, the code in the text",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nDiagnostic-Code: smtp; 550-5.1.1 No such user",
                bounce("a@x.example", Hard, Some("5.1.1"), false, "550-5.1.1 No such user"),
            ),
            (
                "without any status, the reply code decides",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nDiagnostic-Code: smtp; 421 Try again later",
                bounce("a@x.example", Soft, None, false, "421 Try again later"),
            ),
            (
                "without any code, soft",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nDiagnostic-Code: X-Unix; gone away",
                bounce("a@x.example", Soft, None, false, "gone away"),
            ),
            (
                "policy in the words, with a permanent code",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.0.0\n\
                 Diagnostic-Code: smtp; 550 Rejected by DMARC policy for guildhall.example",
                bounce("a@x.example", Hard, Some("5.0.0"), true, "550 Rejected by DMARC policy for guildhall.example"),
            ),
            (
                "a temporary 4.7.x is policy and soft",
                "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 4.7.0\n\
                 Diagnostic-Code: smtp; 421 4.7.0 Try again later, closing connection",
                bounce("a@x.example", Soft, Some("4.7.0"), true, "421 4.7.0 Try again later, closing connection"),
            ),
            (
                "the original recipient over the final one",
                "Final-Recipient: rfc822; real@y.example\nOriginal-Recipient: rfc822;Alias@X.example\n\
                 Action: failed\nStatus: 5.1.1",
                bounce("alias@x.example", Hard, Some("5.1.1"), false, ""),
            ),
            (
                "the first failed recipient of several",
                "Final-Recipient: rfc822; ok@x.example\nAction: delivered\nStatus: 2.0.0\n\n\
                 Final-Recipient: rfc822; late@x.example\nAction: delayed\nStatus: 4.4.1\n\n\
                 Final-Recipient: rfc822; b@x.example\nAction: failed\nStatus: 5.1.2\n\n\
                 Final-Recipient: rfc822; c@x.example\nAction: failed\nStatus: 5.1.1",
                bounce("b@x.example", Hard, Some("5.1.2"), false, ""),
            ),
            (
                "delivered and relayed only",
                "Final-Recipient: rfc822; a@x.example\nAction: delivered\nStatus: 2.0.0\n\n\
                 Final-Recipient: rfc822; b@x.example\nAction: relayed\nStatus: 2.0.0",
                Expect::Ignored("a report of delivery, not of a failure"),
            ),
        ];
        for (name, recipients, expect) in cases {
            check(name, &dsn(recipients), expect);
        }
    }

    #[test]
    fn other_messages_are_ignored_or_read_with_care() {
        let postfix = include_str!("samples/postfix.eml").replace("\r\n", "\n");
        let truncated = postfix.get(..postfix.find("Action: failed").expect("an action") + "Action: fa".len());
        let arf = |report: &str| {
            format!(
                "From: fbl@isp.example\nTo: fbl@guildhall.example\nSubject: Abuse report\n\
                 Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n\
                 --b\nContent-Type: text/plain\n\nA complaint.\n\n\
                 --b\nContent-Type: message/feedback-report\n\n{report}\n--b--\n"
            )
        };
        let cases: &[(&str, String, Expect)] = &[
            ("empty", String::new(), Expect::Ignored("not a mail message")),
            ("garbage", "\u{1}\u{2}garbage\u{fffd}\u{0}".into(), Expect::Ignored("not a delivery failure report")),
            (
                "a reply from a person",
                "From: Leo <leo@example.com>\nTo: bounces+hu_1@guildhall.example\nSubject: Re: December newsletter\n\n\
                 Thanks! Error 550 was fixed.\n"
                    .into(),
                Expect::Ignored("not a delivery failure report"),
            ),
            (
                "X-Autoreply",
                "From: leo@example.com\nX-Autoreply: yes\nSubject: Re: December newsletter\n\nAway.\n".into(),
                Expect::Ignored(AUTO_REPLY),
            ),
            (
                "Auto-Submitted: auto-replied on its own",
                "From: leo@example.com\nAuto-Submitted: auto-replied\nSubject: Re: December\n\nAway.\n".into(),
                Expect::Ignored(AUTO_REPLY),
            ),
            (
                "an out-of-office subject",
                "From: leo@example.com\nSubject: Out of Office: December newsletter\n\nAway.\n".into(),
                Expect::Ignored(AUTO_REPLY),
            ),
            (
                "a plain-text delay warning",
                "From: Mailer-Daemon@mx.example\nSubject: Warning: message 1tQ7Zk-0001Ab-Cd delayed 24 hours\n\n\
                 451 4.4.1 Still trying\n"
                    .into(),
                Expect::Ignored(DELAYED),
            ),
            (
                "a failure notice without a code",
                "From: MAILER-DAEMON@mx.example\nTo: bounces+un_1@guildhall.example\n\
                 Subject: Returned mail: see transcript for details\n\nThe message could not be delivered.\n"
                    .into(),
                Expect::Bounce {
                    recipient: None,
                    token: Some("un_1"),
                    kind: Soft,
                    status: None,
                    policy: false,
                    diagnostic: UNRECOGNISED,
                },
            ),
            (
                // The report part breaks off mid-action: the readable text is read instead.
                "a truncated DSN",
                truncated.unwrap_or_default().to_owned(),
                Expect::Bounce {
                    recipient: Some("charlie.nobody@example.com"),
                    token: Some("pf_Q2hhcmxpZQ-9k"),
                    kind: Hard,
                    status: Some("5.1.1"),
                    policy: false,
                    diagnostic: "<Charlie.Nobody@example.com>: host mx.example.com[192.0.2.10] said: 550 5.1.1 \
                                 <Charlie.Nobody@example.com>: Recipient address rejected: User unknown in virtual \
                                 mailbox table (in reply to RCPT TO command)",
                },
            ),
            (
                "an ARF report naming the recipient, without the original",
                arf("Feedback-Type: abuse\nVersion: 1\nOriginal-Mail-From: <bounces+fb_T2xp@guildhall.example>\n\
                     Original-Rcpt-To: <Oli@isp.example>"),
                Expect::Complaint {
                    recipient: Some("oli@isp.example"),
                    token: Some("fb_T2xp"),
                    feedback_type: "abuse",
                },
            ),
            (
                "a DMARC failure report is not a complaint",
                arf("Feedback-Type: auth-failure\nVersion: 1\nAuth-Failure: dmarc"),
                Expect::Ignored("a feedback report that is not a complaint"),
            ),
        ];
        for (name, raw, expect) in cases {
            check(name, raw, expect);
        }
    }

    #[test]
    fn verp_addresses_give_their_token() {
        let cases: &[(&str, Option<&str>)] = &[
            ("bounces+abc_D-9@guildhall.example", Some("abc_D-9")),
            ("<BOUNCES+abc@guildhall.example>", Some("abc")),
            ("  Bounces+abc@guildhall.example ", Some("abc")),
            ("bounces@guildhall.example", None),
            ("bounces+@guildhall.example", None),
            ("bounces+a.b@guildhall.example", None),
            ("bounces+a b@guildhall.example", None),
            ("bounces+abc", None),
            ("bounces+abc@", None),
            ("bouncesx+abc@guildhall.example", None),
            ("news+abc@guildhall.example", None),
            ("bounce+abc@guildhall.example", None),
            ("bounces+abc@x@guildhall.example", None),
            ("bounçe+abc@guildhall.example", None),
            ("", None),
        ];
        for (address, token) in cases {
            assert_eq!(verp_token(address, PREFIX).as_deref(), *token, "{address}");
        }
    }

    #[test]
    fn an_mbox_file_splits_into_its_messages() {
        let mbox = "junk before the first message\n\n\
                    From MAILER-DAEMON Tue Dec  1 09:15:02 2026\nSubject: one\n\nFromage is not a separator\n\
                    From the middle of a paragraph either\n>From an escaped line\n>>From a doubly escaped one\n\n\
                    From MAILER-DAEMON Tue Dec  1 09:16:00 2026\nSubject: two\n\nbody\n\n";
        let one = "Subject: one\n\nFromage is not a separator\nFrom the middle of a paragraph either\n\
                   From an escaped line\n>From a doubly escaped one\n";
        let two = "Subject: two\n\nbody\n";
        for newline in ["\n", "\r\n"] {
            let messages = split_mbox(mbox.replace('\n', newline).as_bytes());
            let expected = [one, two].map(|message| message.replace('\n', newline).into_bytes());
            assert_eq!(messages, expected, "{newline:?}");
        }
        assert!(split_mbox(b"").is_empty());
        assert!(split_mbox(b"no separator at all\n").is_empty());
    }

    proptest! {
        #[test]
        fn any_bytes_give_an_answer(raw in vec(any::<u8>(), 0..2048)) {
            read_feedback(&raw, PREFIX);
            split_mbox(&raw);
        }

        #[test]
        fn damaged_reports_give_an_answer(
            fixture in select(FIXTURES),
            cut in any::<Index>(),
            at in any::<Index>(),
            noise in vec(any::<u8>(), 0..16),
        ) {
            let mut raw = fixture.as_bytes()[..cut.index(fixture.len() + 1)].to_vec();
            let at = at.index(raw.len() + 1);
            raw.splice(at..at, noise);
            read_feedback(&raw, PREFIX);
        }
    }
}
