//! The salary survey's import (issue 15): responses gathered elsewhere (a paper survey, a
//! partner's), one a row, read all or none as the member CSV is: every problem of every row
//! is reported, and nothing is imported while any remains.
//!
//! Columns (a header row; any order; names in any case): `ref` (the row's own reference,
//! unique in the survey: importing the same file again changes nothing), `base_pay`, `bonus`,
//! `hours_per_week`, `employer`, `employer_size`, `sector`, `discipline`, `function`,
//! `licences` (kinds separated by `;`, such as `PE;SE`), `years_experience`, `education`,
//! `jurisdiction` — the codes the survey form uses.

use std::collections::HashSet;
use std::io::Read;

use crate::careers::salary::{ResponseInput, SurveyAnswers};
use crate::csv::members::{MAX_ERRORS, RowError};

/// The columns, in the order a template file has them.
pub const COLUMNS: [&str; 13] = [
    "ref",
    "base_pay",
    "bonus",
    "hours_per_week",
    "employer",
    "employer_size",
    "sector",
    "discipline",
    "function",
    "licences",
    "years_experience",
    "education",
    "jurisdiction",
];

/// The columns a file must have (`bonus` and `licences` may be left out: none).
pub const REQUIRED: [&str; 11] = [
    "ref",
    "base_pay",
    "hours_per_week",
    "employer",
    "employer_size",
    "sector",
    "discipline",
    "function",
    "years_experience",
    "education",
    "jurisdiction",
];

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 100_000;

/// One imported response: its reference and its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResponse {
    pub import_ref: String,
    pub answers: SurveyAnswers,
}

/// The survey form's field for a column (what a problem is named by).
fn column_of(field: &str) -> &str {
    match field {
        "employer_name" => "employer",
        other => other,
    }
}

/// Reads a file of responses: every row, or every problem (row 0 for the header's).
pub fn read_responses(input: impl Read) -> Result<Vec<ImportedResponse>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(input);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![error(0, "header", format!("the file cannot be read as CSV: {e}"))]),
    };
    let mut problems = Vec::new();
    for column in &header {
        if !COLUMNS.contains(&column.as_str()) {
            problems.push(error(
                0,
                "header",
                format!("{column:?} is not a column of the survey import; the columns are {}", COLUMNS.join(", ")),
            ));
        }
    }
    for column in REQUIRED {
        if !header.iter().any(|c| c == column) {
            problems.push(error(0, "header", format!("the column {column:?} is missing")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let at = |name: &str| header.iter().position(|c| c == name);
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        if problems.len() >= MAX_ERRORS {
            break;
        }
        if row > MAX_ROWS {
            problems.push(error(row, "", format!("a file may hold at most {MAX_ROWS} rows")));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(error(row, "", format!("the row cannot be read: {e}")));
                continue;
            }
        };
        let get = |name: &str| at(name).and_then(|p| record.get(p)).unwrap_or("").to_string();
        let import_ref = get("ref");
        if import_ref.is_empty() {
            problems.push(error(row, "ref", "enter the row's reference"));
        } else if import_ref.chars().count() > 100 {
            problems.push(error(row, "ref", "a reference can be at most 100 characters"));
        } else if !seen.insert(import_ref.clone()) {
            problems.push(error(row, "ref", format!("{import_ref:?} is the reference of an earlier row too")));
        }
        let input = ResponseInput {
            base_pay: get("base_pay"),
            bonus: get("bonus"),
            hours_per_week: get("hours_per_week"),
            employer_name: get("employer"),
            employer_size: get("employer_size"),
            sector: get("sector"),
            discipline: get("discipline"),
            function: get("function"),
            licences: get("licences").split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            years_experience: get("years_experience"),
            education: get("education"),
            jurisdiction: get("jurisdiction"),
        };
        match SurveyAnswers::parse(&input) {
            Ok(answers) => rows.push(ImportedResponse { import_ref, answers }),
            Err(found) => {
                problems.extend(found.into_iter().map(|(field, message)| error(row, column_of(field), message)));
            }
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

fn error(row: usize, column: &str, message: impl Into<String>) -> RowError {
    RowError { row, column: column.to_string(), message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ref,base_pay,bonus,hours_per_week,employer,employer_size,sector,discipline,function,licences,years_experience,education,jurisdiction\n";

    #[test]
    fn a_good_file_is_read_whole() {
        let file = format!(
            "{HEADER}a1,95000,5000,40,Acme Inc,50-249,consulting,civil,design,PE;SE,7,master,US-TX\n\
             a2,\"72,000\",,45,Beta LLC,1-9,government,mechanical,operations,,2,bachelor,CA-ON\n"
        );
        let rows = read_responses(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].answers.employer_key, "acme");
        assert_eq!(rows[1].answers.bonus_cents, 0);
        assert_eq!(rows[1].answers.base_pay_cents, 7_200_000);
    }

    #[test]
    fn one_bad_row_refuses_the_file_naming_each_problem() {
        let cases = [
            (
                "a1,95000,,40,Acme,50-249,consulting,civil,design,,7,master,US-TX\na1,1,,40,Acme,50-249,consulting,civil,design,,7,master,US-TX\n",
                2,
                "ref",
            ),
            ("a1,none,,40,Acme,50-249,consulting,civil,design,,7,master,US-TX\n", 1, "base_pay"),
            ("a1,95000,,40,,50-249,consulting,civil,design,,7,master,US-TX\n", 1, "employer"),
            ("a1,95000,,40,Acme,50-249,consulting,civil,design,XX,7,master,US-TX\n", 1, "licences"),
            ("a1,95000,,40,Acme,50-249,consulting,civil,design,,7,master,Mars\n", 1, "jurisdiction"),
        ];
        for (rows, row, column) in cases {
            let problems = read_responses(format!("{HEADER}{rows}").as_bytes()).unwrap_err();
            assert!(problems.iter().any(|p| p.row == row && p.column == column), "{column}: {problems:?}");
        }
    }

    #[test]
    fn the_header_is_checked_first() {
        let problems = read_responses("ref,base_pay,salary\n".as_bytes()).unwrap_err();
        assert!(problems.iter().all(|p| p.row == 0));
        assert!(problems.iter().any(|p| p.message.contains("\"salary\"")));
        assert!(problems.iter().any(|p| p.message.contains("\"employer\"")));
    }
}
