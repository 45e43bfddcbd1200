//! Staff reports: membership by standing, tier and chapter; joins, renewals and lapses
//! per month; retention by join cohort. The bucketing is plain Rust, tested here.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Month};

use crate::error::AppResult;
use crate::{Actor, App, Permission};
use guildhall_domain::membership::Standing;

/// A simple table: a label column and one or more value columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<i64>)>,
}

impl ReportTable {
    /// The table as CSV (label first).
    pub fn to_csv(&self) -> String {
        let escape = |s: &str| {
            if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
        };
        let mut out = self.columns.iter().map(|c| escape(c)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for (label, values) in &self.rows {
            out.push_str(&escape(label));
            for v in values {
                out.push(',');
                out.push_str(&v.to_string());
            }
            out.push('\n');
        }
        out
    }
}

/// The first day of the month `n` months before `date`'s month.
pub fn months_back(date: Date, n: u32) -> Date {
    let mut year = date.year();
    let mut month = u32::from(date.month() as u8);
    for _ in 0..n {
        if month == 1 {
            month = 12;
            year -= 1;
        } else {
            month -= 1;
        }
    }
    let month = Month::try_from(u8::try_from(month).unwrap_or(1)).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1).unwrap_or(date)
}

/// "YYYY-MM" labels for the `n` months ending with `today`'s, oldest first.
pub fn month_labels(today: Date, n: u32) -> Vec<String> {
    (0..n).rev().map(|k| months_back(today, k)).map(|d| format!("{}-{:02}", d.year(), d.month() as u8)).collect()
}

/// Counts dates per month label; dates outside the labels are ignored.
pub fn per_month(labels: &[String], dates: &[Date]) -> Vec<i64> {
    let mut counts: BTreeMap<&str, i64> = labels.iter().map(|l| (l.as_str(), 0)).collect();
    for d in dates {
        let key = format!("{}-{:02}", d.year(), d.month() as u8);
        if let Some(count) = counts.get_mut(key.as_str()) {
            *count += 1;
        }
    }
    labels.iter().map(|l| counts.get(l.as_str()).copied().unwrap_or(0)).collect()
}

/// Retention by join year: for each cohort, the percentage of its members whose paid
/// cover still included the day 1, 2 and 3 years after they joined (only years already
/// reached by `today` are reported; -1 marks "not yet").
pub fn retention(cover: &[(i64, Date, Date, Date)], today: Date, years: &[i32]) -> Vec<(i32, Vec<i64>)> {
    let mut members: BTreeMap<i64, (Date, Vec<(Date, Date)>)> = BTreeMap::new();
    for (id, joined, start, end) in cover {
        members.entry(*id).or_insert_with(|| (*joined, Vec::new())).1.push((*start, *end));
    }
    let mut out = Vec::new();
    for &year in years {
        let cohort: Vec<&(Date, Vec<(Date, Date)>)> = members.values().filter(|(j, _)| j.year() == year).collect();
        let mut row = Vec::new();
        for k in 1..=3 {
            let reached = cohort.iter().filter(|(j, _)| anniversary(*j, k) <= today).count();
            if reached == 0 || cohort.is_empty() {
                row.push(-1);
                continue;
            }
            let kept = cohort
                .iter()
                .filter(|(j, terms)| {
                    let day = anniversary(*j, k);
                    day <= today && terms.iter().any(|(s, e)| *s <= day && day <= *e)
                })
                .count();
            row.push(i64::try_from(kept * 100 / reached).unwrap_or(0));
        }
        out.push((year, row));
    }
    out
}

fn anniversary(joined: Date, years: i32) -> Date {
    joined.replace_year(joined.year() + years).unwrap_or_else(|_| joined.replace_day(28).unwrap_or(joined))
}

/// All the staff dashboard's reports.
pub struct Reports {
    pub by_standing: ReportTable,
    pub by_tier: ReportTable,
    pub by_chapter: ReportTable,
    pub activity: ReportTable,
    pub retention: ReportTable,
}

impl App {
    pub async fn reports(&self, actor: &Actor) -> AppResult<Reports> {
        actor.require(Permission::StaffArea)?;
        let count_table = |title: &str, label: &str, rows: Vec<(String, i64)>| ReportTable {
            title: title.into(),
            columns: vec![label.into(), "Members".into()],
            rows: rows.into_iter().map(|(l, n)| (l, vec![n])).collect(),
        };
        let standing = self.store.count_members_by("standing").await?;
        let by_standing = count_table(
            "Members by standing",
            "Standing",
            standing
                .into_iter()
                .map(|(code, n)| (Standing::from_code(&code).map_or("Unknown", Standing::label).to_string(), n))
                .collect(),
        );
        let by_tier = count_table("Members by tier", "Tier", self.store.count_members_by("tier").await?);
        let by_chapter = count_table("Members by chapter", "Chapter", self.store.count_members_by("chapter").await?);

        let today = self.clock.today();
        let labels = month_labels(today, 24);
        let since = months_back(today, 23);
        let joins = per_month(&labels, &self.store.joins_since(since).await?);
        let renewals = per_month(&labels, &self.store.renewals_since(since).await?);
        let lapses = per_month(&labels, &self.store.lapses_since(since).await?);
        let activity = ReportTable {
            title: "Joins, renewals and lapses per month".into(),
            columns: vec!["Month".into(), "Joins".into(), "Renewals".into(), "Lapses".into()],
            rows: labels.iter().enumerate().map(|(i, l)| (l.clone(), vec![joins[i], renewals[i], lapses[i]])).collect(),
        };

        let first_year = today.year() - 6;
        let years: Vec<i32> = (first_year..today.year()).collect();
        let cover =
            self.store.cohort_cover(Date::from_calendar_date(first_year, Month::January, 1).unwrap_or(today)).await?;
        let cohorts: BTreeSet<i32> = years.iter().copied().collect();
        let retention_rows = retention(&cover, today, &cohorts.into_iter().collect::<Vec<_>>());
        let retention = ReportTable {
            title: "Retention by join year (% still members)".into(),
            columns: vec!["Joined".into(), "After 1 year".into(), "After 2 years".into(), "After 3 years".into()],
            rows: retention_rows.into_iter().map(|(y, v)| (y.to_string(), v)).collect(),
        };
        Ok(Reports { by_standing, by_tier, by_chapter, activity, retention })
    }
}

/// How far ahead the staff overview looks for licences and certifications to renew.
pub const RENEWING_WITHIN_DAYS: i64 = 90;

impl App {
    /// The staff overview's membership figures, read in one round trip: members by
    /// standing, memberships expiring this calendar month, applications waiting for a
    /// decision, and licences and certifications expiring within
    /// [`RENEWING_WITHIN_DAYS`].
    pub async fn membership_overview(&self, actor: &Actor) -> AppResult<guildhall_store::MembershipOverview> {
        actor.require(Permission::StaffArea)?;
        let today = self.clock.today();
        let (first, last) = month_of(today);
        let horizon = today.saturating_add(time::Duration::days(RENEWING_WITHIN_DAYS));
        Ok(self.store.membership_overview((first, last), (today, horizon)).await?)
    }
}

/// The first and last day of the month `day` falls in.
pub fn month_of(day: Date) -> (Date, Date) {
    let first = day.replace_day(1).unwrap_or(day);
    let last = day.replace_day(day.month().length(day.year())).unwrap_or(day);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_count_back_across_year_ends() {
        let cases = [
            (date!(2026 - 11 - 22), 0, date!(2026 - 11 - 01)),
            (date!(2026 - 11 - 22), 11, date!(2025 - 12 - 01)),
            (date!(2026 - 01 - 31), 1, date!(2025 - 12 - 01)),
            (date!(2026 - 03 - 31), 25, date!(2024 - 02 - 01)),
        ];
        for (today, n, expected) in cases {
            assert_eq!(months_back(today, n), expected, "{today} - {n}");
        }
        let labels = month_labels(date!(2026 - 02 - 10), 3);
        assert_eq!(labels, vec!["2025-12", "2026-01", "2026-02"]);
        let counts = per_month(
            &labels,
            &[date!(2025 - 12 - 31), date!(2026 - 02 - 01), date!(2026 - 02 - 28), date!(2024 - 01 - 01)],
        );
        assert_eq!(counts, vec![1, 0, 2]);
    }

    #[test]
    fn retention_counts_members_still_covered_on_each_anniversary() {
        let today = date!(2026 - 06 - 01);
        let cover = vec![
            // Joined 2023, renewed twice: covered at 1 and 2 years, not 3 (cover ended 2026-02-28).
            (1, date!(2023 - 03 - 01), date!(2023 - 03 - 01), date!(2024 - 02 - 29)),
            (1, date!(2023 - 03 - 01), date!(2024 - 03 - 01), date!(2025 - 02 - 28)),
            (1, date!(2023 - 03 - 01), date!(2025 - 03 - 01), date!(2026 - 02 - 28)),
            // Joined 2023, never renewed.
            (2, date!(2023 - 05 - 01), date!(2023 - 05 - 01), date!(2024 - 04 - 30)),
            // Joined 2025: one year not yet reached for everyone.
            (3, date!(2025 - 09 - 01), date!(2025 - 09 - 01), date!(2026 - 08 - 31)),
        ];
        let rows = retention(&cover, today, &[2023, 2025]);
        assert_eq!(rows[0], (2023, vec![50, 50, 0]), "2023 cohort: 1 of 2 kept at 1 and 2 years, neither at 3");
        assert_eq!(rows[1], (2025, vec![-1, -1, -1]));
    }

    #[test]
    fn tables_become_csv_with_quoting() {
        let table = ReportTable {
            title: "t".into(),
            columns: vec!["Chapter".into(), "Members".into()],
            rows: vec![("Capital, North".into(), vec![12]), ("Say \"hi\"".into(), vec![3])],
        };
        assert_eq!(table.to_csv(), "Chapter,Members\n\"Capital, North\",12\n\"Say \"\"hi\"\"\",3\n");
    }
}
