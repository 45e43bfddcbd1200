//! Markdown written by members and staff (answers, questions, articles) as HTML that is
//! safe on any page, and as plain text for the search index and descriptions.
//!
//! pulldown-cmark renders; ammonia then keeps only harmless tags and attributes (no
//! script, no event handlers, no `javascript:` links), whatever the Markdown held.

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The sanitiser every rendering shares.
fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("nofollow noopener noreferrer"));
    builder
}

/// Markdown as sanitised HTML.
pub fn to_html(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    sanitiser().clean(&unsafe_html).to_string()
}

/// Markdown as sanitised HTML with each link's address (`<a href>`, in document order, its
/// place counted from 0) passed to `link`, which may give another (a campaign's click
/// tracking). The sanitiser reads the markup, so `link` sees each address as written, and
/// what it gives is escaped and checked like any other.
pub fn to_html_with_links<F>(markdown: &str, link: F) -> String
where
    F: Fn(usize, &str) -> Option<String> + Send + Sync + 'static,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    let place = AtomicUsize::new(0);
    let mut builder = sanitiser();
    builder.attribute_filter(move |element, attribute, value| {
        if element == "a" && attribute == "href" {
            let n = place.fetch_add(1, Ordering::Relaxed);
            if let Some(other) = link(n, value) {
                return Some(std::borrow::Cow::Owned(other));
            }
        }
        Some(std::borrow::Cow::Borrowed(value))
    });
    builder.clean(&unsafe_html).to_string()
}

/// Markdown as sanitised HTML placed under a page's own `<h2>` sections: its headings move
/// down a level (`#` becomes `<h3>`), never above `<h6>`.
pub fn to_html_nested(markdown: &str) -> String {
    use pulldown_cmark::{Event as E, HeadingLevel, Tag, TagEnd as End};
    let lower = |level: HeadingLevel| match level {
        HeadingLevel::H1 | HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    };
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        E::Start(Tag::Heading { level, id, classes, attrs }) => {
            E::Start(Tag::Heading { level: lower(level), id, classes, attrs })
        }
        E::End(End::Heading(level)) => E::End(End::Heading(lower(level))),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    sanitiser().clean(&unsafe_html).to_string()
}

/// Markdown as plain text: the words, with a space where blocks end.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableCell) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of plain text, cut at a word with "…" when longer.
pub fn excerpt(plain: &str, max: usize) -> String {
    if plain.chars().count() <= max {
        return plain.to_string();
    }
    let cut: String = plain.chars().take(max).collect();
    let at_word = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_bold_become_html() {
        let html =
            to_html("Keeping a log helps:\n\n1. **Audits**: boards sample.\n\n2. **Renewals**: totals.\n\nKeep one.");
        assert!(html.contains("<p>Keeping a log helps:</p>"), "{html}");
        assert!(html.contains("<ol>"), "{html}");
        assert!(html.contains("<strong>Audits</strong>"), "{html}");
        assert!(!html.contains("\\n"), "{html}");
    }

    #[test]
    fn script_in_any_form_is_inert() {
        for hostile in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
        ] {
            let html = to_html(hostile);
            let lower = html.to_lowercase();
            assert!(!lower.contains("<script"), "{hostile} -> {html}");
            assert!(!lower.contains("onerror"), "{hostile} -> {html}");
            assert!(!lower.contains("javascript:"), "{hostile} -> {html}");
            assert!(!lower.contains("<iframe"), "{hostile} -> {html}");
            assert!(!lower.contains("style="), "{hostile} -> {html}");
        }
    }

    #[test]
    fn nested_headings_sit_under_the_pages_sections() {
        let html = to_html_nested("# Title\n\n## Method\n\n###### Deep");
        assert!(
            html.contains("<h3>Title</h3>") && html.contains("<h3>Method</h3>") && html.contains("<h6>Deep</h6>"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_keeps_the_words_only() {
        assert_eq!(to_plain_text("1. **Audits**: boards.\n2. `PDH` log"), "Audits: boards. PDH log");
        assert_eq!(excerpt("one two three four", 9), "one two…");
        assert_eq!(excerpt("short", 9), "short");
    }
}
