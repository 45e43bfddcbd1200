//! Who a campaign goes to: set algebra over the society's own groupings. The audience is
//! everyone matched by any `include` rule and by no `exclude` rule; a member matched by
//! several rules is one recipient.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::membership::Standing;

/// The most rules one side of an audience may have.
pub const MAX_RULES: usize = 50;

codes! {
    /// What a rule picks members by.
    AudienceKind, "audience kind", {
        List => ("list", "Subscribers of a list"),
        Chapter => ("chapter", "Members of a chapter"),
        Group => ("group", "Members of a group"),
        Tier => ("tier", "Members of a tier"),
        Standing => ("standing", "Members in a standing"),
        Event => ("event", "Registrants of an event"),
    }
}

/// One rule: the members of one list, chapter, group, tier or event, or in one standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudienceRule {
    List(i64),
    Chapter(i64),
    Group(i64),
    Tier(i64),
    Standing(Standing),
    Event(i64),
}

/// A rule as the API and the stored campaign write it: `{"kind": "group", "id": 3}`, or
/// `{"kind": "standing", "id": "grace"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleInput {
    pub kind: String,
    pub id: serde_json::Value,
}

/// Everyone matched by an `include` rule and by no `exclude` rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub include: Vec<AudienceRule>,
    pub exclude: Vec<AudienceRule>,
}

/// The audience as written: lists of rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudienceInput {
    #[serde(default)]
    pub include: Vec<RuleInput>,
    #[serde(default)]
    pub exclude: Vec<RuleInput>,
}

impl AudienceRule {
    pub fn kind(self) -> AudienceKind {
        match self {
            AudienceRule::List(_) => AudienceKind::List,
            AudienceRule::Chapter(_) => AudienceKind::Chapter,
            AudienceRule::Group(_) => AudienceKind::Group,
            AudienceRule::Tier(_) => AudienceKind::Tier,
            AudienceRule::Standing(_) => AudienceKind::Standing,
            AudienceRule::Event(_) => AudienceKind::Event,
        }
    }

    /// The rule from its kind's code and its id, or why not in plain words.
    pub fn read(input: &RuleInput) -> Result<AudienceRule, String> {
        let kind = AudienceKind::from_code(input.kind.trim()).ok_or_else(|| {
            format!(
                "\u{201c}{}\u{201d} is not a kind of audience rule; use list, chapter, group, tier, standing or event.",
                input.kind
            )
        })?;
        if kind == AudienceKind::Standing {
            let code = input.id.as_str().unwrap_or_default();
            return Standing::from_code(code).map(AudienceRule::Standing).ok_or_else(|| {
                format!("A standing rule needs a standing such as active, grace or lapsed, not {}.", input.id)
            });
        }
        let id = match &input.id {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|id| *id > 0)
        .ok_or_else(|| format!("A {} rule needs the number of the {}, not {}.", kind.code(), kind.code(), input.id))?;
        Ok(match kind {
            AudienceKind::List => AudienceRule::List(id),
            AudienceKind::Chapter => AudienceRule::Chapter(id),
            AudienceKind::Group => AudienceRule::Group(id),
            AudienceKind::Tier => AudienceRule::Tier(id),
            AudienceKind::Event => AudienceRule::Event(id),
            AudienceKind::Standing => unreachable!("handled above"),
        })
    }

    /// The rule as written.
    pub fn input(self) -> RuleInput {
        let id = match self {
            AudienceRule::Standing(standing) => serde_json::Value::from(standing.code()),
            AudienceRule::List(id)
            | AudienceRule::Chapter(id)
            | AudienceRule::Group(id)
            | AudienceRule::Tier(id)
            | AudienceRule::Event(id) => serde_json::Value::from(id),
        };
        RuleInput { kind: self.kind().code().into(), id }
    }
}

impl Audience {
    /// The audience from what was written: at least one rule to include, at most
    /// [`MAX_RULES`] a side, repeated rules once. Every problem, in plain words.
    pub fn read(input: &AudienceInput) -> Result<Audience, Vec<String>> {
        let mut problems = Vec::new();
        let mut side = |rules: &[RuleInput], name: &str| {
            if rules.len() > MAX_RULES {
                problems.push(format!("An audience may {name} at most {MAX_RULES} rules."));
            }
            let mut read: Vec<AudienceRule> = Vec::new();
            for rule in rules {
                match AudienceRule::read(rule) {
                    Ok(rule) if !read.contains(&rule) => read.push(rule),
                    Ok(_) => {}
                    Err(problem) => problems.push(problem),
                }
            }
            read
        };
        let include = side(&input.include, "include");
        let exclude = side(&input.exclude, "exclude");
        if input.include.is_empty() {
            problems.push("Choose at least one list, chapter, group, tier, standing or event to send to.".into());
        }
        if problems.is_empty() { Ok(Audience { include, exclude }) } else { Err(problems) }
    }

    /// The audience as written, for storing and the API.
    pub fn input(&self) -> AudienceInput {
        AudienceInput {
            include: self.include.iter().map(|r| r.input()).collect(),
            exclude: self.exclude.iter().map(|r| r.input()).collect(),
        }
    }

    /// The members of the audience, given the members each rule matches: the reference
    /// the store's SQL is tested against.
    pub fn members(&self, matched_by: impl Fn(&AudienceRule) -> BTreeSet<i64>) -> BTreeSet<i64> {
        let excluded: BTreeSet<i64> = self.exclude.iter().flat_map(&matched_by).collect();
        self.include.iter().flat_map(&matched_by).filter(|id| !excluded.contains(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(value: serde_json::Value) -> AudienceInput {
        serde_json::from_value(value).expect("audience JSON")
    }

    #[test]
    fn rules_are_read_from_their_kind_and_id() {
        let cases = [
            (json!({"kind": "group", "id": 3}), Ok(AudienceRule::Group(3))),
            (json!({"kind": " list ", "id": "12"}), Ok(AudienceRule::List(12))),
            (json!({"kind": "standing", "id": "grace"}), Ok(AudienceRule::Standing(Standing::Grace))),
            (json!({"kind": "event", "id": 7}), Ok(AudienceRule::Event(7))),
            (json!({"kind": "group", "id": 0}), Err("A group rule needs the number of the group, not 0.")),
            (json!({"kind": "tier", "id": "gold"}), Err("A tier rule needs the number of the tier, not \"gold\".")),
            (
                json!({"kind": "standing", "id": "asleep"}),
                Err("A standing rule needs a standing such as active, grace or lapsed, not \"asleep\"."),
            ),
            (
                json!({"kind": "everyone", "id": 1}),
                Err(
                    "\u{201c}everyone\u{201d} is not a kind of audience rule; use list, chapter, group, tier, standing or event.",
                ),
            ),
        ];
        for (input, want) in cases {
            let rule: RuleInput = serde_json::from_value(input.clone()).expect("rule JSON");
            assert_eq!(AudienceRule::read(&rule), want.map_err(String::from), "{input}");
            if let Ok(read) = AudienceRule::read(&rule) {
                assert_eq!(AudienceRule::read(&read.input()), Ok(read), "written back and read again");
            }
        }
    }

    #[test]
    fn an_audience_needs_something_to_include_and_names_every_problem() {
        assert_eq!(
            Audience::read(&rules(json!({"exclude": [{"kind": "group", "id": 1}]}))),
            Err(vec!["Choose at least one list, chapter, group, tier, standing or event to send to.".to_string()])
        );
        let problems = Audience::read(&rules(json!({
            "include": [{"kind": "group", "id": -1}],
            "exclude": [{"kind": "tier", "id": null}],
        })))
        .expect_err("two bad rules");
        assert_eq!(problems.len(), 2, "{problems:?}");
        let many: Vec<_> = (1..=51).map(|id| json!({"kind": "group", "id": id})).collect();
        let problems = Audience::read(&rules(json!({"include": many}))).expect_err("too many");
        assert_eq!(problems, vec!["An audience may include at most 50 rules.".to_string()]);
        let repeated =
            Audience::read(&rules(json!({"include": [{"kind": "group", "id": 1}, {"kind": "group", "id": "1"}]})));
        assert_eq!(repeated.map(|a| a.include), Ok(vec![AudienceRule::Group(1)]));
    }

    #[test]
    fn overlapping_rules_give_each_member_once_and_exclusions_win() {
        // Members 1–10. Group 1: 1–6; group 2: 4–9; chapter 5: 2, 4, 6, 8, 10; the grace
        // standing: 6 and 9; event 3: 1 and 10.
        let matched_by = |rule: &AudienceRule| -> BTreeSet<i64> {
            match rule {
                AudienceRule::Group(1) => (1..=6).collect(),
                AudienceRule::Group(2) => (4..=9).collect(),
                AudienceRule::Chapter(5) => [2, 4, 6, 8, 10].into(),
                AudienceRule::Standing(Standing::Grace) => [6, 9].into(),
                AudienceRule::Event(3) => [1, 10].into(),
                _ => BTreeSet::new(),
            }
        };
        let cases: [(&[AudienceRule], &[AudienceRule], &[i64]); 6] = [
            (&[AudienceRule::Group(1), AudienceRule::Group(2)], &[], &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
            (&[AudienceRule::Group(1), AudienceRule::Group(2)], &[AudienceRule::Chapter(5)], &[1, 3, 5, 7, 9]),
            (
                &[AudienceRule::Group(1), AudienceRule::Group(2)],
                &[AudienceRule::Chapter(5), AudienceRule::Standing(Standing::Grace)],
                &[1, 3, 5, 7],
            ),
            (&[AudienceRule::Chapter(5), AudienceRule::Event(3)], &[AudienceRule::Group(1)], &[8, 10]),
            (&[AudienceRule::Group(1)], &[AudienceRule::Group(1)], &[]),
            (&[AudienceRule::Tier(99)], &[], &[]),
        ];
        for (include, exclude, want) in cases {
            let audience = Audience { include: include.to_vec(), exclude: exclude.to_vec() };
            let got: Vec<i64> = audience.members(matched_by).into_iter().collect();
            assert_eq!(got, want, "{include:?} minus {exclude:?}");
        }
    }
}
