//! Baked badges (Open Badges 3.0 §5.3): the badge picture carrying its credential, so the
//! picture alone can be verified. An SVG gets an `openbadges:credential` element holding
//! the VC-JWT, in the `https://purl.imsglobal.org/ob/v3p0` namespace.

/// The namespace of the baking element.
pub const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

/// Puts `jwt` into `svg` right after its opening `<svg …>` tag (declaring the namespace).
/// `None` when `svg` has no `<svg` element.
pub fn bake_svg(svg: &str, jwt: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let end = start + svg[start..].find('>')?;
    let (head, rest) = svg.split_at(end);
    let declared = if head.contains("xmlns:openbadges") {
        head.to_string()
    } else {
        format!("{head} xmlns:openbadges=\"{NAMESPACE}\"")
    };
    // A compact JWT is base64url and dots: nothing in it needs escaping in XML text.
    let token: String = jwt.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    Some(format!("{declared}>\n<openbadges:credential>{token}</openbadges:credential>{}", &rest[1..]))
}

/// The credential baked into an SVG, if there is one.
pub fn from_svg(svg: &str) -> Option<String> {
    let open = svg.find("<openbadges:credential")?;
    let body_start = open + svg[open..].find('>')? + 1;
    let body_end = body_start + svg[body_start..].find("</openbadges:credential>")?;
    let body = svg[body_start..body_end].trim();
    let body = body.strip_prefix("<![CDATA[").and_then(|b| b.strip_suffix("]]>")).unwrap_or(body);
    Some(body.trim().to_string()).filter(|b| !b.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baked_badge_gives_back_its_credential() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle r=\"4\"/></svg>";
        let baked = bake_svg(svg, "eyJhbGciOiJFZERTQSJ9.eyJpZCI6MX0.c2ln").expect("has an svg element");
        assert!(baked.contains("xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\""));
        assert!(baked.ends_with("<circle r=\"4\"/></svg>"));
        assert_eq!(from_svg(&baked).as_deref(), Some("eyJhbGciOiJFZERTQSJ9.eyJpZCI6MX0.c2ln"));
        assert_eq!(from_svg(svg), None);
        assert_eq!(bake_svg("<png/>", "x"), None);
        let cdata = "<svg><openbadges:credential><![CDATA[a.b.c]]></openbadges:credential></svg>";
        assert_eq!(from_svg(cdata).as_deref(), Some("a.b.c"));
    }
}
