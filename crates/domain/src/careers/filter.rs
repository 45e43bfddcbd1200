//! The job search's filters, read from a query string with every problem named, and written
//! back in one canonical order (for links, the pager and, later, saved searches).

use super::jobs::RemotePolicy;
use crate::csv::members::{Discipline, career_stage_code, parse_career_stage};
use crate::member::{CareerStage, Jurisdiction, LicenceKind};
use crate::membership::parse_money;

/// The filters of a job search. Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Words of the title or the employer's name.
    pub words: String,
    pub discipline: Option<Discipline>,
    pub stage: Option<CareerStage>,
    /// Where the job is (a state or province).
    pub jurisdiction: Option<Jurisdiction>,
    pub remote: Option<RemotePolicy>,
    /// Jobs asking for a licence of this kind (required or preferred, anywhere).
    pub licence: Option<LicenceKind>,
    /// Jobs whose range reaches at least this much a year, in cents.
    pub pays_at_least_cents: Option<i64>,
    /// Only jobs whose required licences and certifications the signed-in member holds.
    pub qualified: bool,
    /// Only jobs the signed-in member could qualify for by comity: every required licence
    /// held or recognised by comity, at least one only by comity.
    pub comity: bool,
}

/// The longest words filter read.
const MOST_WORDS: usize = 100;

impl JobFilter {
    /// Reads the filters from query pairs; an unknown value is refused with its field (a
    /// repeated or unknown parameter is ignored, as `page` is read elsewhere).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<JobFilter, Vec<(&'static str, String)>> {
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        let mut problems = Vec::new();
        let mut filter = JobFilter::default();
        if let Some(words) = get("q") {
            if words.chars().count() > MOST_WORDS {
                problems.push(("q", format!("Search with at most {MOST_WORDS} characters.")));
            } else {
                filter.words = words.to_string();
            }
        }
        if let Some(raw) = get("discipline") {
            match Discipline::parse(raw) {
                Some(d) => filter.discipline = Some(d),
                None => problems.push(("discipline", "Choose a discipline from the list.".into())),
            }
        }
        if let Some(raw) = get("stage") {
            match parse_career_stage(raw) {
                Some(s) => filter.stage = Some(s),
                None => problems.push(("stage", "Choose a career stage from the list.".into())),
            }
        }
        if let Some(raw) = get("jurisdiction") {
            match Jurisdiction::find(raw) {
                Ok(j) => filter.jurisdiction = Some(j),
                Err(e) => problems.push(("jurisdiction", e.to_string())),
            }
        }
        if let Some(raw) = get("remote") {
            match RemotePolicy::from_code(raw) {
                Some(r) => filter.remote = Some(r),
                None => problems.push(("remote", "Choose on site, hybrid or remote.".into())),
            }
        }
        if let Some(raw) = get("licence") {
            match LicenceKind::parse(raw) {
                Some(k) => filter.licence = Some(k),
                None => problems.push(("licence", "Choose a licence from the list.".into())),
            }
        }
        if let Some(raw) = get("pay") {
            match parse_money(raw) {
                Ok(cents) if cents > 0 => filter.pays_at_least_cents = Some(cents),
                _ => problems.push(("pay", "Give the yearly pay as a number, such as 90000.".into())),
            }
        }
        filter.qualified = matches!(get("qualified"), Some("1" | "on" | "true"));
        filter.comity = matches!(get("comity"), Some("1" | "on" | "true"));
        if problems.is_empty() { Ok(filter) } else { Err(problems) }
    }

    /// The filters as query pairs in a fixed order, empty ones left out.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.words.is_empty() {
            pairs.push(("q", self.words.clone()));
        }
        if let Some(d) = self.discipline {
            pairs.push(("discipline", d.as_str().to_string()));
        }
        if let Some(s) = self.stage {
            pairs.push(("stage", career_stage_code(s).to_string()));
        }
        if let Some(j) = &self.jurisdiction {
            pairs.push(("jurisdiction", j.as_str().to_string()));
        }
        if let Some(r) = self.remote {
            pairs.push(("remote", r.code().to_string()));
        }
        if let Some(k) = self.licence {
            pairs.push(("licence", k.code().to_string()));
        }
        if let Some(cents) = self.pays_at_least_cents {
            pairs.push(("pay", (cents / 100).to_string()));
        }
        if self.qualified {
            pairs.push(("qualified", "1".to_string()));
        }
        if self.comity {
            pairs.push(("comity", "1".to_string()));
        }
        pairs
    }

    /// The filters in words, for a job alert's list and its messages: "civil jobs for
    /// licensed engineers in Texas, remote, asking for a PE, paying at least $90000 a year,
    /// matching “bridge”, that you qualify for"; "all jobs" when none is set.
    pub fn describe(&self) -> String {
        let mut words = String::new();
        if let Some(d) = self.discipline {
            words.push_str(d.as_str());
            words.push(' ');
        }
        words.push_str(if words.is_empty() && self.stage.is_none() { "all jobs" } else { "jobs" });
        if let Some(stage) = self.stage {
            words.push_str(match stage {
                CareerStage::Student => " for students and interns",
                CareerStage::EngineerInTraining => " for engineers in training",
                CareerStage::Licensed => " for licensed engineers",
                CareerStage::Retired | CareerStage::Other => " for other career stages",
            });
        }
        if let Some(j) = &self.jurisdiction {
            words.push_str(&format!(" in {}", j.name()));
        }
        if let Some(r) = self.remote {
            words.push_str(&format!(", {}", r.label().to_lowercase()));
        }
        if let Some(k) = self.licence {
            words.push_str(&format!(", asking for a {}", k.label()));
        }
        if let Some(cents) = self.pays_at_least_cents {
            words.push_str(&format!(", paying at least ${} a year", cents / 100));
        }
        if !self.words.is_empty() {
            words.push_str(&format!(", matching “{}”", self.words));
        }
        if self.qualified {
            words.push_str(", that you qualify for");
        }
        if self.comity {
            words.push_str(", that you could qualify for by comity");
        }
        let mut chars = words.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    /// Whether the search is matched against the signed-in member's record.
    pub fn needs_member(&self) -> bool {
        self.qualified || self.comity
    }

    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        self.to_pairs().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn filters_are_read_and_written_back_in_one_order() {
        let filter = JobFilter::from_pairs(&pairs(&[
            ("qualified", "1"),
            ("pay", "90,000"),
            ("licence", "pe"),
            ("remote", "hybrid"),
            ("jurisdiction", "tx"),
            ("stage", "licensed"),
            ("discipline", "Civil"),
            ("q", " bridge "),
            ("page", "3"),
        ]))
        .unwrap();
        assert_eq!(filter.pays_at_least_cents, Some(9_000_000));
        let written: Vec<String> = filter.to_pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            written,
            [
                "q=bridge",
                "discipline=civil",
                "stage=licensed",
                "jurisdiction=US-TX",
                "remote=hybrid",
                "licence=PE",
                "pay=90000",
                "qualified=1"
            ]
        );
        assert!(JobFilter::from_pairs(&[]).unwrap().is_empty());
    }

    #[test]
    fn filters_are_put_in_words() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "All jobs"),
            (&[("discipline", "civil")], "Civil jobs"),
            (&[("stage", "eit")], "Jobs for engineers in training"),
            (
                &[
                    ("discipline", "civil"),
                    ("stage", "licensed"),
                    ("jurisdiction", "TX"),
                    ("remote", "remote"),
                    ("licence", "PE"),
                    ("pay", "90000"),
                    ("q", "bridge"),
                    ("qualified", "1"),
                ],
                "Civil jobs for licensed engineers in Texas, remote, asking for a PE, paying at least $90000 a year, \
                 matching “bridge”, that you qualify for",
            ),
            (&[("jurisdiction", "CA-ON"), ("licence", "PENG")], "All jobs in Ontario, asking for a P.Eng"),
        ];
        for (raw, words) in cases {
            assert_eq!(JobFilter::from_pairs(&pairs(raw)).unwrap().describe(), *words, "{raw:?}");
        }
    }

    #[test]
    fn every_bad_filter_is_named() {
        let problems = JobFilter::from_pairs(&pairs(&[
            ("discipline", "alchemy"),
            ("stage", "wizard"),
            ("jurisdiction", "Atlantis"),
            ("remote", "moon"),
            ("licence", "XYZ"),
            ("pay", "lots"),
            ("q", &"x".repeat(101)),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["q", "discipline", "stage", "jurisdiction", "remote", "licence", "pay"]);
    }
}
