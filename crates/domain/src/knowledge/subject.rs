//! Subjects as articles name them: the key two spellings of one subject share, and its URL slug.

/// The key subjects compare by: trimmed, inner whitespace runs collapsed to one space, and
/// lowercased (Unicode-aware). `"Education studies"` and `" Education  Studies "` share a key.
#[must_use]
pub fn subject_key(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A URL slug for a subject: lowercase ASCII letters and digits with a single `-` between words
/// (`"Civil & Structural"` gives `"civil-structural"`). Common accented Latin letters are written
/// without their accents, apostrophes are dropped, and anything else separates words. Never
/// empty: a subject with no letters or digits gives `"subject"`.
#[must_use]
pub fn subject_slug(subject: &str) -> String {
    let mut slug = String::new();
    let mut between_words = false;
    for c in subject.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '\u{2019}') {
            continue;
        }
        let mut ascii = [0; 4];
        let letters = if c.is_ascii_alphanumeric() { Some(&*c.encode_utf8(&mut ascii)) } else { unaccented(c) };
        match letters {
            Some(letters) => {
                if between_words && !slug.is_empty() {
                    slug.push('-');
                }
                between_words = false;
                slug.push_str(letters);
            }
            None => between_words = true,
        }
    }
    if slug.is_empty() { "subject".to_owned() } else { slug }
}

/// The plain ASCII spelling of a lowercase accented Latin letter, if it is a common one.
fn unaccented(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_spacing() {
        let cases = [
            ("Education studies", "education studies"),
            (" Education  Studies ", "education studies"),
            ("Engineering", "engineering"),
            ("engineering", "engineering"),
            ("\tCivil\n&   Structural ", "civil & structural"),
            ("ÉTUDES  Générales", "études générales"),
            ("", ""),
            ("   ", ""),
        ];
        for (subject, key) in cases {
            assert_eq!(subject_key(subject), key, "{subject:?}");
        }
        assert_eq!(subject_key("Education studies"), subject_key(" Education  Studies "));
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        let cases = [
            ("Civil & Structural", "civil-structural"),
            ("Engineering", "engineering"),
            (" Education  Studies ", "education-studies"),
            ("C++ / Embedded Systems", "c-embedded-systems"),
            ("Engineers' Ethics", "engineers-ethics"),
            ("Don\u{2019}t Panic", "dont-panic"),
            ("Génie civil", "genie-civil"),
            ("Straße 2.0", "strasse-2-0"),
            ("--Already-slugged--", "already-slugged"),
            ("ISO 9001", "iso-9001"),
            ("電気工学", "subject"),
            ("", "subject"),
            ("&&&", "subject"),
        ];
        for (subject, slug) in cases {
            assert_eq!(subject_slug(subject), slug, "{subject:?}");
        }
    }
}
