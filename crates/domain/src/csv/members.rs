//! The member CSV format: what `guildhall import members` reads and `guildhall export
//! members` writes.
//!
//! No I/O happens here: [`parse_members`] reads from any [`Read`] and [`write_members`]
//! writes to any [`Write`]. Everything written by [`write_members`] is read back by
//! [`parse_members`] unchanged.
//!
//! # The format
//!
//! UTF-8 (a leading byte-order mark is tolerated), comma-separated, values with commas,
//! quotes or line breaks in double quotes (`"O""Brien, Jr."`). The first row is the
//! header naming the columns, in any order; column names are matched ignoring case and
//! surrounding spaces. Columns Guildhall does not know are ignored. Every value is
//! trimmed. Rows whose values are all blank are skipped.
//!
//! | column | required | what |
//! |---|---|---|
//! | `member_number` | no | 1–20 of `A`–`Z`, `0`–`9`, `-`, unique in the file; blank = assign one later |
//! | `first_name`, `last_name` | yes | at most 100 characters, no control characters |
//! | `email` | yes | a valid address, unique in the file (ignoring case) |
//! | `phone` | no | at most 40 characters |
//! | `employer`, `job_title` | no | at most 200 characters |
//! | `career_stage` | no | `student`, `eit`, `licensed`, `retired` or `other` (blank = `other`) |
//! | `disciplines` | no | `;`-separated, from [`Discipline`] |
//! | `tier` | yes | a tier code the society has |
//! | `status` | yes | `applied`, `approved`, `active`, `grace`, `lapsed` or `cancelled` |
//! | `joined_on` | yes | `YYYY-MM-DD`, not after today |
//! | `expires_on` | for active, grace and lapsed | `YYYY-MM-DD`, not before `joined_on` |
//! | `home_chapter` | no | a chapter slug the society has |
//! | `groups` | no | `;`-separated affinity-group slugs the society has |
//! | `licences` | no | `;`-separated `JURISDICTION\|KIND\|NUMBER\|FIRST_ISSUED\|EXPIRES` |
//! | `certifications` | no | `;`-separated `NAME\|BODY\|NUMBER\|EXPIRES` |
//!
//! A column marked "required" must be in the header; a column that is not required may be
//! left out of the header altogether, which is the same as leaving it blank on every row.
//!
//! Licences: the jurisdiction is one of [`crate::member::JURISDICTIONS`] (`US-TX`, `CA-ON`,
//! `UK`); the kind is `PE`, `SE`, `PLS`, `P.Eng`
//! or `CEng` (see [`crate::member`]); the number is 1–30 characters;
//! `EXPIRES` may be blank and is not before `FIRST_ISSUED`; a row lists a licence (a
//! jurisdiction and kind, see [`crate::member::same_licence`]) once. Jurisdictions, kinds and member
//! numbers are read ignoring case and stored in upper case. Certifications: the name is
//! required (at most 200 characters); body (at most 200), number (at most 30) and expiry
//! may be blank or left off. Codes (`career_stage`, `status`, disciplines, tiers, chapter
//! and group slugs) are read ignoring case. Repeated disciplines and groups count once.
//! Within a licence or certification, `\;`, `\|` and `\\` stand for the character itself
//! (the export writes them so, and every value a member's record can hold reads back);
//! a backslash before anything else is kept as typed.
//!
//! # Rows and errors
//!
//! Rows are numbered from 1 for the first data row; the header is not counted (so data
//! row 1 is line 2 of a file without line breaks inside values). [`parse_members`] checks
//! every row and returns either every row or every problem (up to [`MAX_ERRORS`], then a
//! note of how many more), each a [`RowError`] that names the row, the column and what to
//! do, e.g. `row 50000, email: "bob@@x" is not a valid email address — enter an address
//! like name@example.org`.
//!
//! # Other systems' exports
//!
//! A [`ColumnMapping`] (a small TOML file, see its docs) lets the import read exports from
//! Tendenci or Wild Apricot-style systems: their column names, their values and their
//! date formats.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{self, Read, Write};

use serde::Deserialize;
use time::format_description::OwnedFormatItem;
use time::{Date, Month};

use crate::identity::{Email, parse_display_name};
use crate::member::{Jurisdiction, LicenceKind, same_licence};
use crate::membership::{CareerStage, Standing, TierCode};

/// The columns, in the order [`write_members`] writes them.
pub const COLUMNS: [&str; 17] = [
    "member_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "employer",
    "job_title",
    "career_stage",
    "disciplines",
    "tier",
    "status",
    "joined_on",
    "expires_on",
    "home_chapter",
    "groups",
    "licences",
    "certifications",
];

/// The columns every file must have in its header.
pub const REQUIRED_COLUMNS: [&str; 6] = ["first_name", "last_name", "email", "tier", "status", "joined_on"];

/// At most this many errors are returned by [`parse_members`]; a final note counts the rest.
pub const MAX_ERRORS: usize = 1000;

const NAME_MAX: usize = 100;
const PHONE_MAX: usize = 40;
const EMPLOYER_MAX: usize = 200;
const JOB_TITLE_MAX: usize = 200;
const MEMBER_NUMBER_MAX: usize = 20;
const LICENCE_NUMBER_MAX: usize = 30;
const CERT_NAME_MAX: usize = 200;
const CERT_BODY_MAX: usize = 200;
const CERT_NUMBER_MAX: usize = 30;

/// One column of the format, by position in [`COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    MemberNumber,
    FirstName,
    LastName,
    Email,
    Phone,
    Employer,
    JobTitle,
    CareerStage,
    Disciplines,
    Tier,
    Status,
    JoinedOn,
    ExpiresOn,
    HomeChapter,
    Groups,
    Licences,
    Certifications,
}

impl Col {
    const ALL: [Col; 17] = [
        Col::MemberNumber,
        Col::FirstName,
        Col::LastName,
        Col::Email,
        Col::Phone,
        Col::Employer,
        Col::JobTitle,
        Col::CareerStage,
        Col::Disciplines,
        Col::Tier,
        Col::Status,
        Col::JoinedOn,
        Col::ExpiresOn,
        Col::HomeChapter,
        Col::Groups,
        Col::Licences,
        Col::Certifications,
    ];

    fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }

    fn from_name(name: &str) -> Option<Col> {
        let name = name.trim();
        COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)).map(|i| Col::ALL[i])
    }

    /// Columns holding `;`-separated codes, whose value maps apply to each item.
    fn is_code_list(self) -> bool {
        matches!(self, Col::Disciplines | Col::Groups)
    }

    /// Columns holding dates, which may have a date format in a [`ColumnMapping`].
    fn has_dates(self) -> bool {
        matches!(self, Col::JoinedOn | Col::ExpiresOn | Col::Licences | Col::Certifications)
    }
}

/// An engineering discipline a member practises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Discipline {
    Civil,
    Structural,
    Mechanical,
    Electrical,
    Chemical,
    Environmental,
    Geotechnical,
    Software,
    Industrial,
    Aerospace,
    Biomedical,
    Computer,
    Materials,
    Mining,
    Nuclear,
    Petroleum,
    Agricultural,
    Surveying,
    Other,
}

impl Discipline {
    /// Every discipline, in the order of the list above.
    pub const ALL: [Discipline; 19] = [
        Discipline::Civil,
        Discipline::Structural,
        Discipline::Mechanical,
        Discipline::Electrical,
        Discipline::Chemical,
        Discipline::Environmental,
        Discipline::Geotechnical,
        Discipline::Software,
        Discipline::Industrial,
        Discipline::Aerospace,
        Discipline::Biomedical,
        Discipline::Computer,
        Discipline::Materials,
        Discipline::Mining,
        Discipline::Nuclear,
        Discipline::Petroleum,
        Discipline::Agricultural,
        Discipline::Surveying,
        Discipline::Other,
    ];

    /// The code used in the CSV, e.g. `"civil"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Discipline::Civil => "civil",
            Discipline::Structural => "structural",
            Discipline::Mechanical => "mechanical",
            Discipline::Electrical => "electrical",
            Discipline::Chemical => "chemical",
            Discipline::Environmental => "environmental",
            Discipline::Geotechnical => "geotechnical",
            Discipline::Software => "software",
            Discipline::Industrial => "industrial",
            Discipline::Aerospace => "aerospace",
            Discipline::Biomedical => "biomedical",
            Discipline::Computer => "computer",
            Discipline::Materials => "materials",
            Discipline::Mining => "mining",
            Discipline::Nuclear => "nuclear",
            Discipline::Petroleum => "petroleum",
            Discipline::Agricultural => "agricultural",
            Discipline::Surveying => "surveying",
            Discipline::Other => "other",
        }
    }

    /// The discipline with this code, ignoring case and surrounding spaces.
    pub fn parse(code: &str) -> Option<Discipline> {
        let code = code.trim();
        Discipline::ALL.into_iter().find(|d| d.as_str().eq_ignore_ascii_case(code))
    }
}

impl TryFrom<String> for Discipline {
    type Error = crate::codes::UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Discipline::parse(&code).ok_or(crate::codes::UnknownCode { what: "discipline", code })
    }
}

impl fmt::Display for Discipline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's status as recorded in the CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberStatus {
    Applied,
    Approved,
    Active,
    Grace,
    Lapsed,
    Cancelled,
}

impl MemberStatus {
    /// Every status.
    pub const ALL: [MemberStatus; 6] = [
        MemberStatus::Applied,
        MemberStatus::Approved,
        MemberStatus::Active,
        MemberStatus::Grace,
        MemberStatus::Lapsed,
        MemberStatus::Cancelled,
    ];

    /// The code used in the CSV, e.g. `"active"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Applied => "applied",
            MemberStatus::Approved => "approved",
            MemberStatus::Active => "active",
            MemberStatus::Grace => "grace",
            MemberStatus::Lapsed => "lapsed",
            MemberStatus::Cancelled => "cancelled",
        }
    }

    /// The status with this code, ignoring case and surrounding spaces.
    pub fn parse(code: &str) -> Option<MemberStatus> {
        let code = code.trim();
        MemberStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(code))
    }

    /// Whether a row with this status must have an `expires_on` date.
    pub fn needs_expiry(self) -> bool {
        matches!(self, MemberStatus::Active | MemberStatus::Grace | MemberStatus::Lapsed)
    }
}

impl fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<MemberStatus> for Standing {
    fn from(status: MemberStatus) -> Standing {
        match status {
            MemberStatus::Applied => Standing::Applied,
            MemberStatus::Approved => Standing::Approved,
            MemberStatus::Active => Standing::Active,
            MemberStatus::Grace => Standing::Grace,
            MemberStatus::Lapsed => Standing::Lapsed,
            MemberStatus::Cancelled => Standing::Cancelled,
        }
    }
}

/// The CSV code of a career stage: `student`, `eit`, `licensed`, `retired` or `other`.
pub fn career_stage_code(stage: CareerStage) -> &'static str {
    match stage {
        CareerStage::Student => "student",
        CareerStage::EngineerInTraining => "eit",
        CareerStage::Licensed => "licensed",
        CareerStage::Retired => "retired",
        CareerStage::Other => "other",
    }
}

/// The career stage with this CSV code, ignoring case and surrounding spaces; blank is
/// [`CareerStage::Other`].
pub fn parse_career_stage(code: &str) -> Option<CareerStage> {
    let code = code.trim();
    if code.is_empty() {
        return Some(CareerStage::Other);
    }
    [
        CareerStage::Student,
        CareerStage::EngineerInTraining,
        CareerStage::Licensed,
        CareerStage::Retired,
        CareerStage::Other,
    ]
    .into_iter()
    .find(|s| career_stage_code(*s).eq_ignore_ascii_case(code))
}

/// A licence in the `licences` column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LicenceCsv {
    /// Issuing jurisdiction, e.g. `US-TX`, `CA-ON`.
    pub jurisdiction: Jurisdiction,
    pub kind: LicenceKind,
    /// Licence number, 1–30 characters.
    pub number: String,
    pub first_issued_on: Date,
    /// `None` if not recorded; never before `first_issued_on`.
    pub expires_on: Option<Date>,
}

/// A certification in the `certifications` column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificationCsv {
    pub name: String,
    /// Certifying body, if recorded.
    pub body: Option<String>,
    pub number: Option<String>,
    pub expires_on: Option<Date>,
}

/// One valid row of a member CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecordCsv {
    /// The data row this came from: 1 for the first row after the header.
    pub row: usize,
    /// `None` when the society should assign one.
    pub member_number: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    pub phone: Option<String>,
    pub employer: Option<String>,
    pub job_title: Option<String>,
    pub career_stage: CareerStage,
    pub disciplines: Vec<Discipline>,
    pub tier: TierCode,
    pub status: MemberStatus,
    pub joined_on: Date,
    /// Always present for active, grace and lapsed members; never before `joined_on`.
    pub expires_on: Option<Date>,
    pub home_chapter: Option<String>,
    /// Affinity-group slugs, each once, in file order.
    pub groups: Vec<String>,
    pub licences: Vec<LicenceCsv>,
    pub certifications: Vec<CertificationCsv>,
}

/// A problem with one value of one row, or with the file as a whole.
///
/// `row` is the 1-based data row (the header is not counted). Problems with the header
/// have `row` 0 and `column` `"header"`; problems with a whole row (such as a wrong number
/// of values) have an empty `column`; the note counting errors beyond [`MAX_ERRORS`] has
/// `row` 0 and an empty `column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl RowError {
    fn new(row: usize, column: &str, message: impl Into<String>) -> Self {
        Self { row, column: column.to_string(), message: message.into() }
    }
}

impl fmt::Display for RowError {
    /// `row 50000, email: "bob@@x" is not a valid email address — enter an address like
    /// name@example.org`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, true) => f.write_str(&self.message),
            (0, false) => write!(f, "{}: {}", self.column, self.message),
            (row, true) => write!(f, "row {row}: {}", self.message),
            (row, false) => write!(f, "row {row}, {}: {}", self.column, self.message),
        }
    }
}

impl std::error::Error for RowError {}

/// The society's tiers, chapters and affinity groups an import may refer to.
#[derive(Debug, Clone, Default)]
pub struct KnownCodes {
    tiers: HashMap<String, TierCode>,
    chapters: HashSet<String>,
    groups: HashSet<String>,
}

impl KnownCodes {
    /// The known tier codes, chapter slugs and affinity-group slugs.
    pub fn new<C: Into<String>, G: Into<String>>(
        tiers: impl IntoIterator<Item = TierCode>,
        chapters: impl IntoIterator<Item = C>,
        groups: impl IntoIterator<Item = G>,
    ) -> Self {
        Self {
            tiers: tiers.into_iter().map(|t| (t.as_str().to_string(), t)).collect(),
            chapters: chapters.into_iter().map(Into::into).collect(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    fn tier(&self, code: &str) -> Option<&TierCode> {
        self.tiers.get(code).or_else(|| self.tiers.get(&code.to_ascii_lowercase()))
    }

    fn slug<'s>(set: &'s HashSet<String>, slug: &str) -> Option<&'s String> {
        set.get(slug).or_else(|| set.get(&slug.to_ascii_lowercase()))
    }
}

/// "a, b or c" of the first few sorted codes, for error messages.
fn list_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 12;
    let mut codes: Vec<&str> = codes.into_iter().collect();
    codes.sort_unstable();
    let more = codes.len().saturating_sub(SHOWN);
    codes.truncate(SHOWN);
    let mut out = match codes.split_last() {
        None => return "none are set up yet".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) if more == 0 => format!("{} or {last}", rest.join(", ")),
        Some(_) => codes.join(", "),
    };
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// How to read another system's export: its column names, values and date formats.
///
/// Written as TOML with three optional tables:
///
/// - `[columns]`: their header name = our column name. Matching ignores case and
///   surrounding spaces. Their columns that are not mapped are still used if they carry
///   one of our column names, and ignored otherwise.
/// - `[values.<column>]`: their value = our value, per column, matched ignoring case. In
///   `disciplines` and `groups` each `;`-separated item is mapped. A value that is not
///   listed is used as it is; map a value to `""` to treat it as blank.
/// - `[date_formats]`: our column name = a date format in the `time` crate's format
///   description syntax (version 2), used instead of `YYYY-MM-DD` for `joined_on`,
///   `expires_on`, and the dates inside `licences` and `certifications`. `[month]` and
///   `[day]` expect two digits; write `[month padding:none]` and `[day padding:none]` for
///   dates like `3/7/2021`.
///
/// For a Wild Apricot contact export:
///
/// ```toml
/// [columns]
/// "First name" = "first_name"
/// "Last name" = "last_name"
/// "Email" = "email"
/// "Phone" = "phone"
/// "Organization" = "employer"
/// "Membership level" = "tier"
/// "Membership status" = "status"
/// "Member since" = "joined_on"
/// "Renewal due" = "expires_on"
///
/// [values.tier]
/// "Regular" = "member"
/// "Student" = "student"
/// "Fellow" = "fellow"
///
/// [values.status]
/// "Active" = "active"
/// "Lapsed" = "lapsed"
/// "Pending - New" = "applied"
/// "Pending - Renewal" = "grace"
/// "Suspended" = "cancelled"
///
/// [date_formats]
/// joined_on = "[month padding:none]/[day padding:none]/[year]"
/// expires_on = "[month padding:none]/[day padding:none]/[year]"
/// ```
#[derive(Debug, Clone, Default)]
pub struct ColumnMapping {
    /// Their header, trimmed and lower-cased, to our column.
    headers: HashMap<String, Col>,
    /// Per column: their value, trimmed and lower-cased, to ours.
    values: [Option<HashMap<String, String>>; 17],
    /// Per column: the date format and its source text.
    date_formats: [Option<(String, OwnedFormatItem)>; 17],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    date_formats: BTreeMap<String, String>,
}

impl ColumnMapping {
    /// Reads a mapping file; the error says what is wrong and where.
    pub fn from_toml(text: &str) -> Result<ColumnMapping, String> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| format!("the column mapping is not valid: {}", e.message()))?;
        let our_column = |table: &str, key: &str, value: &str| {
            Col::from_name(value).ok_or_else(|| {
                format!(
                    "in [{table}], {key:?} refers to {value:?}, which is not a Guildhall column; use one of {}",
                    COLUMNS.join(", ")
                )
            })
        };
        let mut mapping = ColumnMapping::default();
        for (theirs, ours) in &file.columns {
            let col = our_column("columns", theirs, ours)?;
            let key = theirs.trim().to_lowercase();
            if mapping.headers.insert(key, col).is_some() {
                return Err(format!("in [columns], {theirs:?} is listed twice (names are matched ignoring case)"));
            }
        }
        for (column, table) in &file.values {
            let col = our_column("values", column, column)?;
            let mut map = HashMap::with_capacity(table.len());
            for (theirs, ours) in table {
                if map.insert(theirs.trim().to_lowercase(), ours.trim().to_string()).is_some() {
                    return Err(format!(
                        "in [values.{column}], {theirs:?} is listed twice (values are matched ignoring case)"
                    ));
                }
            }
            mapping.values[col as usize] = Some(map);
        }
        for (column, format) in &file.date_formats {
            let col = our_column("date_formats", column, column)?;
            if !col.has_dates() {
                return Err(format!(
                    "in [date_formats], {column:?} holds no dates; date formats apply to joined_on, expires_on, \
                     licences and certifications"
                ));
            }
            let items = time::format_description::parse_owned::<2>(format)
                .map_err(|e| format!("in [date_formats], {column} = {format:?} is not a date format: {e}"))?;
            mapping.date_formats[col as usize] = Some((format.clone(), items));
        }
        Ok(mapping)
    }
}

/// Collects errors up to [`MAX_ERRORS`] and counts the rest.
struct Errors {
    list: Vec<RowError>,
    more: usize,
}

impl Errors {
    fn push(&mut self, error: RowError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(error);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn finish(mut self) -> Vec<RowError> {
        if self.more > 0 {
            let total = self.list.len() + self.more;
            self.list.push(RowError::new(
                0,
                "",
                format!("… and {} more errors not shown ({total} in all); fix these and import again", self.more),
            ));
        }
        self.list
    }
}

/// One row being checked: its number and whether it has failed.
struct RowCheck<'e> {
    row: usize,
    failed: bool,
    errors: &'e mut Errors,
}

impl RowCheck<'_> {
    fn fail(&mut self, col: Col, message: impl Into<String>) {
        self.failed = true;
        self.errors.push(RowError::new(self.row, col.name(), message));
    }
}

/// A date as `YYYY-MM-DD`, by hand.
fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number =
        |digits: &[u8]| digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    let month = Month::try_from(u8::try_from(number(&b[5..7])?).ok()?).ok()?;
    let day = u8::try_from(number(&b[8..10])?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Why a text value is refused, if it is: too long or containing control characters.
fn text_problem(value: &str, max: usize) -> Option<String> {
    if let Some(problem) = crate::identity::unsafe_text(value) {
        Some(format!("{value:?} contains {problem} — remove them"))
    } else if value.chars().count() > max {
        Some(format!("is {} characters long — shorten it to at most {max}", value.chars().count()))
    } else {
        None
    }
}

fn is_member_number(s: &str) -> bool {
    (1..=MEMBER_NUMBER_MAX).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// Reads rows against the header's column positions and the caller's rules.
struct RowReader<'a> {
    positions: [Option<usize>; 17],
    known: &'a KnownCodes,
    today: Date,
    mapping: Option<&'a ColumnMapping>,
}

impl RowReader<'_> {
    /// The trimmed text of a column, `""` if the column is absent; `None` if it is not UTF-8.
    fn raw<'x>(&'x self, record: &'x csv::ByteRecord, col: Col, check: &mut RowCheck<'_>) -> Option<&'x str> {
        let Some(bytes) = self.positions[col as usize].and_then(|i| record.get(i)) else {
            return Some("");
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => Some(s.trim()),
            Err(_) => {
                check.fail(col, "is not valid UTF-8 text — save the file as CSV UTF-8 and import again");
                None
            }
        }
    }

    /// A value after the mapping's value map for its column, if any.
    fn mapped<'x>(&'x self, col: Col, value: &'x str) -> &'x str {
        match self.mapping.and_then(|m| m.values[col as usize].as_ref()) {
            Some(map) if !value.is_empty() => map.get(&value.to_lowercase()).map_or(value, String::as_str),
            _ => value,
        }
    }

    /// The column's value, mapped unless the column is a list of codes (mapped per item).
    fn value<'x>(&'x self, record: &'x csv::ByteRecord, col: Col, check: &mut RowCheck<'_>) -> Option<&'x str> {
        let raw = self.raw(record, col, check)?;
        Some(if col.is_code_list() { raw } else { self.mapped(col, raw) })
    }

    /// A date in the column's format.
    fn date(&self, col: Col, s: &str) -> Result<Date, String> {
        match self.mapping.and_then(|m| m.date_formats[col as usize].as_ref()) {
            Some((text, format)) => Date::parse(s, format)
                .map_err(|_| format!("{s:?} is not a date in the format {text} set in the column mapping")),
            None => parse_iso_date(s)
                .ok_or_else(|| format!("{s:?} is not a date — write dates as YYYY-MM-DD, e.g. 2024-03-31")),
        }
    }

    fn required_text(&self, col: Col, value: &str, what: &str, check: &mut RowCheck<'_>) -> Option<String> {
        match parse_display_name(value) {
            Ok(name) => Some(name),
            Err(_) if value.is_empty() => {
                check.fail(col, format!("is blank — enter the member's {what}"));
                None
            }
            Err(_) => {
                check.fail(col, text_problem(value, NAME_MAX).unwrap_or_else(|| format!("{value:?} is not valid")));
                None
            }
        }
    }

    fn optional_text(&self, col: Col, value: &str, max: usize, check: &mut RowCheck<'_>) -> Option<Option<String>> {
        if value.is_empty() {
            return Some(None);
        }
        match text_problem(value, max) {
            Some(problem) => {
                check.fail(col, problem);
                None
            }
            None => Some(Some(value.to_string())),
        }
    }

    fn read(
        &self,
        record: &csv::ByteRecord,
        check: &mut RowCheck<'_>,
        emails: &mut HashMap<String, usize>,
        numbers: &mut HashMap<String, usize>,
    ) -> Option<MemberRecordCsv> {
        let row = check.row;

        let member_number = self.value(record, Col::MemberNumber, check).and_then(|v| {
            if v.is_empty() {
                return Some(None);
            }
            let number = v.to_ascii_uppercase();
            if !is_member_number(&number) {
                check.fail(
                    Col::MemberNumber,
                    format!(
                        "{v:?} is not a member number — use 1 to {MEMBER_NUMBER_MAX} letters, digits or '-', \
                         or leave it blank to assign one"
                    ),
                );
                return None;
            }
            if let Some(first) = numbers.get(&number) {
                check.fail(
                    Col::MemberNumber,
                    format!("{number:?} is also used in row {first} — member numbers must be unique"),
                );
                return None;
            }
            numbers.insert(number.clone(), row);
            Some(Some(number))
        });

        let first_name = self
            .value(record, Col::FirstName, check)
            .and_then(|v| self.required_text(Col::FirstName, v, "first name", check));
        let last_name = self
            .value(record, Col::LastName, check)
            .and_then(|v| self.required_text(Col::LastName, v, "last name", check));

        let email = self.value(record, Col::Email, check).and_then(|v| {
            if v.is_empty() {
                check.fail(Col::Email, "is blank — enter the member's email address");
                return None;
            }
            let email = match Email::parse(v) {
                Ok(email) => email,
                Err(_) if v.len() > Email::MAX_LEN => {
                    check.fail(Col::Email, format!("is longer than {} characters — check the address", Email::MAX_LEN));
                    return None;
                }
                Err(_) => {
                    check.fail(
                        Col::Email,
                        format!("{v:?} is not a valid email address — enter an address like name@example.org"),
                    );
                    return None;
                }
            };
            if let Some(first) = emails.get(email.as_str()) {
                check.fail(
                    Col::Email,
                    format!(
                        "{:?} is also used in row {first} — each member needs their own email address",
                        email.as_str()
                    ),
                );
                return None;
            }
            emails.insert(email.as_str().to_string(), row);
            Some(email)
        });

        let phone =
            self.value(record, Col::Phone, check).and_then(|v| self.optional_text(Col::Phone, v, PHONE_MAX, check));
        let employer = self
            .value(record, Col::Employer, check)
            .and_then(|v| self.optional_text(Col::Employer, v, EMPLOYER_MAX, check));
        let job_title = self
            .value(record, Col::JobTitle, check)
            .and_then(|v| self.optional_text(Col::JobTitle, v, JOB_TITLE_MAX, check));

        let career_stage = self.value(record, Col::CareerStage, check).and_then(|v| {
            let stage = parse_career_stage(v);
            if stage.is_none() {
                check.fail(
                    Col::CareerStage,
                    format!("{v:?} is not a career stage — use student, eit, licensed, retired or other"),
                );
            }
            stage
        });

        let disciplines = self.raw(record, Col::Disciplines, check).and_then(|v| {
            let mut out: Vec<Discipline> = Vec::new();
            let mut ok = true;
            for item in v.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let item = self.mapped(Col::Disciplines, item);
                if item.is_empty() {
                    continue;
                }
                match Discipline::parse(item) {
                    Some(d) if !out.contains(&d) => out.push(d),
                    Some(_) => {}
                    None => {
                        ok = false;
                        check.fail(
                            Col::Disciplines,
                            format!(
                                "{item:?} is not a discipline — use {}, separated by ';'",
                                list_of(Discipline::ALL.iter().map(|d| d.as_str()))
                            ),
                        );
                    }
                }
            }
            ok.then_some(out)
        });

        let tier = self.value(record, Col::Tier, check).and_then(|v| {
            if v.is_empty() {
                check.fail(Col::Tier, format!("is blank — enter one of the society's tiers: {}", self.tier_list()));
                return None;
            }
            let tier = self.known.tier(v).cloned();
            if tier.is_none() {
                check.fail(Col::Tier, format!("{v:?} is not one of the society's tiers — use {}", self.tier_list()));
            }
            tier
        });

        let status = self.value(record, Col::Status, check).and_then(|v| {
            let status = MemberStatus::parse(v);
            if status.is_none() {
                let what = if v.is_empty() { "is blank".to_string() } else { format!("{v:?} is not a status") };
                check.fail(Col::Status, format!("{what} — use applied, approved, active, grace, lapsed or cancelled"));
            }
            status
        });

        let joined_on = self.value(record, Col::JoinedOn, check).and_then(|v| {
            if v.is_empty() {
                check.fail(Col::JoinedOn, "is blank — enter the date the member joined");
                return None;
            }
            match self.date(Col::JoinedOn, v) {
                Ok(d) if d > self.today => {
                    check.fail(
                        Col::JoinedOn,
                        format!("{} is in the future — enter the date the member joined", format_date(d)),
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(message) => {
                    check.fail(Col::JoinedOn, message);
                    None
                }
            }
        });

        let expires_on = self.value(record, Col::ExpiresOn, check).and_then(|v| {
            if v.is_empty() {
                return match status {
                    Some(s) if s.needs_expiry() => {
                        check.fail(Col::ExpiresOn, format!("is blank — a member with status {s} needs an expiry date"));
                        None
                    }
                    _ => Some(None),
                };
            }
            match self.date(Col::ExpiresOn, v) {
                Ok(d) => match joined_on {
                    Some(joined) if d < joined => {
                        check.fail(
                            Col::ExpiresOn,
                            format!(
                                "{} is before joined_on ({}) — check both dates",
                                format_date(d),
                                format_date(joined)
                            ),
                        );
                        None
                    }
                    _ => Some(Some(d)),
                },
                Err(message) => {
                    check.fail(Col::ExpiresOn, message);
                    None
                }
            }
        });

        let home_chapter = self.value(record, Col::HomeChapter, check).and_then(|v| {
            if v.is_empty() {
                return Some(None);
            }
            let chapter = KnownCodes::slug(&self.known.chapters, v).cloned();
            if chapter.is_none() {
                check.fail(
                    Col::HomeChapter,
                    format!(
                        "{v:?} is not one of the society's chapters — use {}, or leave it blank",
                        list_of(self.known.chapters.iter().map(String::as_str))
                    ),
                );
                return None;
            }
            Some(chapter)
        });

        let groups = self.raw(record, Col::Groups, check).and_then(|v| {
            let mut out: Vec<String> = Vec::new();
            let mut ok = true;
            for item in v.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let item = self.mapped(Col::Groups, item);
                if item.is_empty() {
                    continue;
                }
                match KnownCodes::slug(&self.known.groups, item) {
                    Some(g) if !out.contains(g) => out.push(g.clone()),
                    Some(_) => {}
                    None => {
                        ok = false;
                        check.fail(
                            Col::Groups,
                            format!(
                                "{item:?} is not one of the society's affinity groups — use {}, separated by ';'",
                                list_of(self.known.groups.iter().map(String::as_str))
                            ),
                        );
                    }
                }
            }
            ok.then_some(out)
        });

        let licences = self.value(record, Col::Licences, check).and_then(|v| self.licences(v, check));
        let certifications = self.value(record, Col::Certifications, check).and_then(|v| self.certifications(v, check));

        if check.failed {
            return None;
        }
        let (
            Some(member_number),
            Some(first_name),
            Some(last_name),
            Some(email),
            Some(phone),
            Some(employer),
            Some(job_title),
            Some(career_stage),
            Some(disciplines),
            Some(tier),
            Some(status),
            Some(joined_on),
            Some(expires_on),
            Some(home_chapter),
            Some(groups),
            Some(licences),
            Some(certifications),
        ) = (
            member_number,
            first_name,
            last_name,
            email,
            phone,
            employer,
            job_title,
            career_stage,
            disciplines,
            tier,
            status,
            joined_on,
            expires_on,
            home_chapter,
            groups,
            licences,
            certifications,
        )
        else {
            return None;
        };
        Some(MemberRecordCsv {
            row,
            member_number,
            first_name,
            last_name,
            email,
            phone,
            employer,
            job_title,
            career_stage,
            disciplines,
            tier,
            status,
            joined_on,
            expires_on,
            home_chapter,
            groups,
            licences,
            certifications,
        })
    }

    fn tier_list(&self) -> String {
        list_of(self.known.tiers.keys().map(String::as_str))
    }

    fn licences(&self, value: &str, check: &mut RowCheck<'_>) -> Option<Vec<LicenceCsv>> {
        const SHAPE: &str = "write each licence as JURISDICTION|KIND|NUMBER|FIRST_ISSUED|EXPIRES, \
                             e.g. US-TX|PE|123456|2015-06-01|2026-12-31, separated by ';'";
        let mut out = Vec::new();
        // Each licence read so far (its number in the row, its jurisdiction and kind, whether
        // or not it had other problems), to refuse the same licence twice.
        let mut read: Vec<(usize, Jurisdiction, LicenceKind)> = Vec::new();
        let mut ok = true;
        for (n, entry) in split_list(value, ';').into_iter().map(str::trim).filter(|s| !s.is_empty()).enumerate() {
            let mut fail = |message: String| {
                ok = false;
                check.fail(Col::Licences, format!("licence {} ({entry:?}): {message}", n + 1));
            };
            let parts: Vec<String> = split_list(entry, '|').into_iter().map(|p| unescape(p.trim())).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            if !(4..=5).contains(&parts.len()) {
                fail(format!("has {} parts — {SHAPE}", parts.len()));
                continue;
            }
            let mut entry_ok = true;
            let jurisdiction = Jurisdiction::parse(parts[0]).map_err(|invalid| fail(invalid.0)).ok();
            let kind = LicenceKind::try_from(parts[1].to_string()).map_err(|invalid| fail(invalid.0)).ok();
            let number = parts[2];
            if number.is_empty() {
                fail("the licence number is blank — enter it".to_string());
                entry_ok = false;
            } else if let Some(problem) = text_problem(number, LICENCE_NUMBER_MAX) {
                fail(format!("licence number {problem}"));
                entry_ok = false;
            }
            let first_issued_on = if parts[3].is_empty() {
                fail("the first-issued date is blank — enter the date the licence was first issued".to_string());
                None
            } else {
                self.date(Col::Licences, parts[3]).map_err(|m| fail(format!("first issued: {m}"))).ok()
            };
            let expires_on = match parts.get(4) {
                None | Some(&"") => Some(None),
                Some(s) => self.date(Col::Licences, s).map(Some).map_err(|m| fail(format!("expires: {m}"))).ok(),
            };
            if let (Some(first), Some(Some(expires))) = (first_issued_on, expires_on)
                && expires < first
            {
                fail(format!(
                    "expires {} before it was first issued ({}) — check both dates",
                    format_date(expires),
                    format_date(first)
                ));
                continue;
            }
            if let (Some(jurisdiction), Some(kind)) = (&jurisdiction, kind) {
                if let Some((first, ..)) = read.iter().find(|(_, j, k)| same_licence((j, *k), (jurisdiction, kind))) {
                    fail(format!(
                        "{jurisdiction} {} is already licence {first} of this row — a member holds a licence \
                         once; keep one of the two",
                        kind.label()
                    ));
                    continue;
                }
                read.push((n + 1, jurisdiction.clone(), kind));
            }
            if let (true, Some(jurisdiction), Some(kind), Some(first_issued_on), Some(expires_on)) =
                (entry_ok, jurisdiction, kind, first_issued_on, expires_on)
            {
                out.push(LicenceCsv { jurisdiction, kind, number: number.to_string(), first_issued_on, expires_on });
            }
        }
        ok.then_some(out)
    }

    fn certifications(&self, value: &str, check: &mut RowCheck<'_>) -> Option<Vec<CertificationCsv>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (n, entry) in split_list(value, ';').into_iter().map(str::trim).filter(|s| !s.is_empty()).enumerate() {
            let mut fail = |message: String| {
                ok = false;
                check.fail(Col::Certifications, format!("certification {} ({entry:?}): {message}", n + 1));
            };
            let parts: Vec<String> = split_list(entry, '|').into_iter().map(|p| unescape(p.trim())).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            if parts.len() > 4 {
                fail(format!(
                    "has {} parts — write each certification as NAME|BODY|NUMBER|EXPIRES (only the name is \
                     required), separated by ';'",
                    parts.len()
                ));
                continue;
            }
            let part = |i: usize| parts.get(i).copied().unwrap_or("");
            let text = |label: &str, value: &str, max: usize, fail: &mut dyn FnMut(String)| {
                if value.is_empty() {
                    return Some(None);
                }
                match text_problem(value, max) {
                    Some(problem) => {
                        fail(format!("{label} {problem}"));
                        None
                    }
                    None => Some(Some(value.to_string())),
                }
            };
            let name = if part(0).is_empty() {
                fail("the name is blank — enter the certification's name first, e.g. PMP|PMI|12345|".to_string());
                None
            } else {
                text("name", part(0), CERT_NAME_MAX, &mut fail).flatten()
            };
            let body = text("body", part(1), CERT_BODY_MAX, &mut fail);
            let number = text("number", part(2), CERT_NUMBER_MAX, &mut fail);
            let expires_on = match part(3) {
                "" => Some(None),
                s => self.date(Col::Certifications, s).map(Some).map_err(|m| fail(format!("expires: {m}"))).ok(),
            };
            if let (Some(name), Some(body), Some(number), Some(expires_on)) = (name, body, number, expires_on) {
                out.push(CertificationCsv { name, body, number, expires_on });
            }
        }
        ok.then_some(out)
    }
}

/// Reads `input` without a leading UTF-8 byte-order mark.
fn without_bom(mut input: impl Read) -> io::Result<impl Read> {
    let mut head = [0u8; 3];
    let mut len = 0;
    while len < head.len() {
        match input.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let start = if head[..len] == [0xEF, 0xBB, 0xBF] { 3 } else { 0 };
    Ok(io::Cursor::new(head[start..len].to_vec()).chain(input))
}

fn io_problem(row: usize, error: impl fmt::Display) -> Vec<RowError> {
    vec![RowError::new(row, "", format!("the file could not be read: {error}"))]
}

/// Where each of our columns is in the file's header, or the header's problems.
fn positions(header: &csv::ByteRecord, mapping: Option<&ColumnMapping>) -> Result<[Option<usize>; 17], RowError> {
    let problem = |message: String| RowError::new(0, "header", message);
    if header.iter().all(|f| f.trim_ascii().is_empty()) {
        return Err(problem(format!(
            "the file is empty — the first row must name the columns, e.g. {}",
            REQUIRED_COLUMNS.join(",")
        )));
    }
    let mut positions = [None; 17];
    let mut repeated: Vec<&str> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for (i, field) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(field) else {
            return Err(problem("is not valid UTF-8 text — save the file as CSV UTF-8 and import again".to_string()));
        };
        let name = name.trim();
        let col = mapping.and_then(|m| m.headers.get(&name.to_lowercase()).copied()).or_else(|| Col::from_name(name));
        match col {
            Some(col) if positions[col as usize].is_some() => repeated.push(col.name()),
            Some(col) => positions[col as usize] = Some(i),
            None if !name.is_empty() => unknown.push(format!("{name:?}")),
            None => {}
        }
    }
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .into_iter()
        .filter(|c| Col::from_name(c).is_some_and(|c| positions[c as usize].is_none()))
        .collect();
    let mut messages = Vec::new();
    if !missing.is_empty() {
        let how =
            if mapping.is_some() { "name them in the file or map them in the column mapping" } else { "add them" };
        let mut message = format!("required columns missing: {} — {how}", missing.join(", "));
        if !unknown.is_empty() {
            message.push_str(&format!("; columns not recognised: {}", unknown.join(", ")));
        }
        messages.push(message);
    }
    if !repeated.is_empty() {
        messages.push(format!("columns given more than once: {} — keep one of each", repeated.join(", ")));
    }
    if messages.is_empty() { Ok(positions) } else { Err(problem(messages.join("; "))) }
}

/// Reads and checks a member CSV: every row, or every problem.
///
/// `known` holds the society's tiers, chapters and groups; `today` is the latest allowed
/// `joined_on`; `mapping` reads another system's export. All rows are checked even after
/// a problem is found; on failure the errors are in row order, at most [`MAX_ERRORS`] of
/// them followed by a note of how many more there were. A problem with the header is a
/// single error and no rows are checked.
pub fn parse_members(
    input: impl Read,
    known: &KnownCodes,
    today: Date,
    mapping: Option<&ColumnMapping>,
) -> Result<Vec<MemberRecordCsv>, Vec<RowError>> {
    let input = without_bom(input).map_err(|e| io_problem(0, e))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = reader.byte_headers().map_err(|e| io_problem(0, e))?.clone();
    let positions = positions(&header, mapping).map_err(|e| vec![e])?;
    let rows = RowReader { positions, known, today, mapping };

    let mut errors = Errors { list: Vec::new(), more: 0 };
    let mut members = Vec::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => row += 1,
            Err(e) => {
                errors.push(RowError::new(row + 1, "", format!("the file could not be read: {e}")));
                break;
            }
        }
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(RowError::new(
                row,
                "",
                format!(
                    "has {} values but the header has {} columns — put values containing commas in double quotes",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let mut check = RowCheck { row, failed: false, errors: &mut errors };
        let member = rows.read(&record, &mut check, &mut emails, &mut numbers);
        if let Some(member) = member
            && errors.is_empty()
        {
            members.push(member);
        }
    }
    if errors.is_empty() { Ok(members) } else { Err(errors.finish()) }
}

fn joined<'a>(items: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}

/// Refuses list items that would read back differently.
/// Splits a list on `separator` where it is not escaped: `\;`, `\|` and `\\` stand for
/// the character itself (the export writes them so; see [`escape`]). The pieces keep
/// their escapes, so that a list of lists can be split twice; [`unescape`] each last piece.
fn split_list(value: &str, separator: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            pieces.push(&value[start..i]);
            start = i + c.len_utf8();
        }
    }
    pieces.push(&value[start..]);
    pieces
}

/// Undoes [`escape`]: `\;`, `\|` and `\\` become the character; any other backslash is
/// kept as typed (so `C:\dir` reads as it was written).
fn unescape(piece: &str) -> String {
    let mut out = String::with_capacity(piece.len());
    let mut chars = piece.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next)) if matches!(next, ';' | '|' | '\\') => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Writes a value into a `;`/`|` list so that it reads back as it is: `;`, `|` and `\`
/// are written with a backslash before them.
fn escape(value: &str) -> Cow<'_, str> {
    if !value.contains([';', '|', '\\']) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if matches!(c, ';' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Writes members in the format [`parse_members`] reads: the header, then one row each.
///
/// Whatever a member's record holds is written so that it reads back the same: within
/// the licence and certification lists, `;`, `|` and `\` are escaped with a backslash.
pub fn write_members<'a>(out: impl Write, rows: impl IntoIterator<Item = &'a MemberRecordCsv>) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let date = |d: Option<Date>| d.map(format_date).unwrap_or_default();
    for m in rows {
        let mut licences = String::new();
        for (i, l) in m.licences.iter().enumerate() {
            if i > 0 {
                licences.push(';');
            }
            licences.push_str(&format!(
                "{}|{}|{}|{}|{}",
                l.jurisdiction,
                l.kind.code(),
                escape(&l.number),
                format_date(l.first_issued_on),
                date(l.expires_on)
            ));
        }
        let mut certifications = String::new();
        for (i, c) in m.certifications.iter().enumerate() {
            if i > 0 {
                certifications.push(';');
            }
            certifications.push_str(&format!(
                "{}|{}|{}|{}",
                escape(&c.name),
                escape(c.body.as_deref().unwrap_or("")),
                escape(c.number.as_deref().unwrap_or("")),
                date(c.expires_on)
            ));
        }
        let fields: [Cow<'_, str>; 17] = [
            Cow::Borrowed(m.member_number.as_deref().unwrap_or("")),
            Cow::Borrowed(&m.first_name),
            Cow::Borrowed(&m.last_name),
            Cow::Borrowed(m.email.as_str()),
            Cow::Borrowed(m.phone.as_deref().unwrap_or("")),
            Cow::Borrowed(m.employer.as_deref().unwrap_or("")),
            Cow::Borrowed(m.job_title.as_deref().unwrap_or("")),
            Cow::Borrowed(career_stage_code(m.career_stage)),
            Cow::Owned(joined(m.disciplines.iter().map(|d| d.as_str()), ";")),
            Cow::Borrowed(m.tier.as_str()),
            Cow::Borrowed(m.status.as_str()),
            Cow::Owned(format_date(m.joined_on)),
            Cow::Owned(date(m.expires_on)),
            Cow::Borrowed(m.home_chapter.as_deref().unwrap_or("")),
            Cow::Owned(joined(m.groups.iter().map(String::as_str), ";")),
            Cow::Owned(licences),
            Cow::Owned(certifications),
        ];
        writer.write_record(fields.iter().map(|f| f.as_bytes()))?;
    }
    writer.flush()
}
