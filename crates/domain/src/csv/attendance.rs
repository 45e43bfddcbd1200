//! Webinar attendance reports: the files Zoom and Microsoft Teams export, read into one
//! [`Span`] per join for [`crate::events::credit`].
//!
//! No I/O happens here: [`parse_attendance`] takes the bytes of the uploaded file.
//!
//! # What the exports look like
//!
//! Neither vendor publishes a file specification. The shapes below are taken from Zoom's
//! help centre article "Accessing the meeting and webinar history report" (KB0082659:
//! the participants export lists name, email, join and leave time and duration), from
//! Office 365 for IT Pros on the Teams attendance report (June 2021: one CSV per meeting
//! instance, the same data as the Attendance tab), and from real exports transcribed as
//! fixtures in public code that reads them (Teams `meetingAttendanceReport` files from
//! 2021 to 2025, Zoom `participants_<meeting id>.csv` files with and without the summary).
//!
//! - **Zoom** (usage report → participants → export): comma-separated UTF-8. An optional
//!   meeting summary block (`Meeting ID,Topic,Start Time,End Time,User Email,Duration
//!   (Minutes),Participants`, one row of values and a blank line) may come first, then
//!   the participants header `Name (Original Name),User Email,Join Time,Leave Time,
//!   Duration (Minutes),Guest[,Recording Consent][,In Waiting Room]` (newer exports
//!   write `Email` and lower-case words). One row per join; times look like
//!   `03/15/2027 09:58:21 AM` in the host's zone, with no offset. Export it *without*
//!   "show unique users": that option merges a person's joins into one row from first
//!   join to last leave, and time away in between would be credited.
//! - **Teams** (meeting → Attendance → download): usually UTF-16LE with a byte-order
//!   mark and tab-separated despite the `.csv` name, in numbered sections: `1. Summary`
//!   (key/value rows), `2. Participants` (`Name, First Join, Last Leave, In-Meeting
//!   Duration, Email, Participant ID (UPN), Role`, one row per person) and `3. In-Meeting
//!   Activities` (`Name, Join Time, Leave Time, Duration, Email, Role`, one row per join).
//!   Times look like `7/22/26, 7:02:11 PM` (older files: a four-digit year) on the
//!   organiser's clock, with no offset. The per-join activities are read when the file
//!   has them; a file with only the participants section is read from first join to last
//!   leave, with a caution in [`AttendanceFile::problems`].
//!
//! Both vendors write times in the exporting account's locale; the built-in formats are
//! the US English ones (month first). Other layouts and locales (such as a British Teams
//! report's `21/10/22 12:00:00`) are read with an [`AttendanceColumns`] mapping (see
//! [`AttendanceColumns::from_toml`]).
//!
//! # Reading
//!
//! The text may be UTF-8 (with or without a byte-order mark) or UTF-16 (little or big
//! endian, with a byte-order mark, or without one when the zero bytes give it away).
//! Tab- or comma-separated, whichever finds a header. The header is the first row naming
//! all four mapped columns (ignoring case and surrounding spaces); rows before it are
//! skipped, and rows after it are read until a one-value row (a section title such as
//! `3. In-Meeting Activities`), another header or the end. Rows whose values are all blank
//! are skipped.
//!
//! Times are wall-clock times in the IANA zone given. A time the clocks skip that night
//! cannot be in a real export and is a problem (the zone is probably wrong); a time the
//! clocks repeat (the autumn change) is read so that the stay is the shortest the two
//! times allow, so no hour is credited that may not have been attended.
//!
//! A row that cannot be read is listed in [`AttendanceFile::problems`] with its line and
//! what to do, and the other rows are still read; only a file that is not text or has no
//! recognisable header is an [`AttendanceFileError`].

use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::Deserialize;

use crate::events::Span;

/// Where a report keeps the person's name, email and join and leave times, and how its
/// times are written.
///
/// Header names are matched ignoring case and surrounding spaces. `time_format` is one
/// or more [`jiff` strptime formats](https://docs.rs/jiff/latest/jiff/fmt/strtime/)
/// separated by `|`, tried in order, e.g. `%m/%d/%Y %I:%M:%S %p | %Y-%m-%d %H:%M:%S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceColumns {
    /// The header of the person's name.
    pub name: String,
    /// The header of the person's email address.
    pub email: String,
    /// The header of the time they joined.
    pub joined: String,
    /// The header of the time they left.
    pub left: String,
    /// How the join and leave times are written: strptime formats separated by `|`.
    pub time_format: String,
}

/// The formats tried when a mapping file gives none: Zoom's, Teams' (US English) and ISO.
pub const DEFAULT_TIME_FORMAT: &str =
    "%m/%d/%Y %I:%M:%S %p | %m/%d/%y, %I:%M:%S %p | %m/%d/%Y, %I:%M:%S %p | %Y-%m-%d %H:%M:%S | %Y-%m-%dT%H:%M:%S";

const ZOOM_TIME_FORMAT: &str = "%m/%d/%Y %I:%M:%S %p | %Y-%m-%d %H:%M:%S";
const TEAMS_TIME_FORMAT: &str = "%m/%d/%y, %I:%M:%S %p | %m/%d/%Y, %I:%M:%S %p";

/// Times read as a year before this are taken as a format that does not fit the file
/// (`%Y` reads `26` as the year 26).
const EARLIEST_YEAR: i16 = 2000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    name: String,
    email: String,
    joined: String,
    left: String,
    #[serde(default)]
    time_format: Option<String>,
}

impl AttendanceColumns {
    fn new(name: &str, email: &str, joined: &str, left: &str, time_format: &str) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            joined: joined.into(),
            left: left.into(),
            time_format: time_format.into(),
        }
    }

    /// Zoom's meeting or webinar participants export: one row per join.
    pub fn zoom() -> Self {
        Self::new("Name (Original Name)", "User Email", "Join Time", "Leave Time", ZOOM_TIME_FORMAT)
    }

    /// Teams' attendance report, section `3. In-Meeting Activities`: one row per join.
    pub fn teams() -> Self {
        Self::new("Name", "Email", "Join Time", "Leave Time", TEAMS_TIME_FORMAT)
    }

    /// Every layout [`AttendanceColumns::detect`] knows, best first: Teams' per-join
    /// activities, Zoom's participants (older and newer email header), then Teams' summary
    /// of first join and last leave, which cannot see time away.
    fn known() -> [Self; 4] {
        [
            Self::teams(),
            Self::zoom(),
            Self::new("Name (Original Name)", "Email", "Join Time", "Leave Time", ZOOM_TIME_FORMAT),
            Self::new("Name", "Email", "First Join", "Last Leave", TEAMS_TIME_FORMAT),
        ]
    }

    /// Whether these columns read one row per person from first join to last leave.
    fn first_and_last_only(&self) -> bool {
        self.joined.trim().eq_ignore_ascii_case("First Join")
    }

    /// The known layout whose columns are all in `headers` (a header row), if any,
    /// preferring the one that carries every join.
    pub fn detect<S: AsRef<str>>(headers: &[S]) -> Option<AttendanceColumns> {
        Self::known().into_iter().find(|columns| columns.positions(headers).is_some())
    }

    /// Reads a mapping file: a TOML table naming the report's columns and, optionally,
    /// its time format (else [`DEFAULT_TIME_FORMAT`]). The error says what is wrong.
    ///
    /// ```toml
    /// name = "Attendee"
    /// email = "Attendee Email"
    /// joined = "Joined"
    /// left = "Left"
    /// time_format = "%d/%m/%Y %H:%M"
    /// ```
    pub fn from_toml(text: &str) -> Result<AttendanceColumns, String> {
        let file: ColumnsFile =
            toml::from_str(text).map_err(|e| format!("the attendance column mapping is not valid: {}", e.message()))?;
        let columns = [("name", &file.name), ("email", &file.email), ("joined", &file.joined), ("left", &file.left)];
        for (key, header) in columns {
            if header.trim().is_empty() {
                return Err(format!("{key} is blank; give the report's header for that column"));
            }
        }
        for (i, (key, header)) in columns.iter().enumerate() {
            if let Some((other, _)) =
                columns[i + 1..].iter().find(|(_, h)| h.trim().eq_ignore_ascii_case(header.trim()))
            {
                return Err(format!("{key} and {other} both name the column {header:?}; each must be its own column"));
            }
        }
        let time_format = file.time_format.unwrap_or_else(|| DEFAULT_TIME_FORMAT.to_string());
        check_time_format(&time_format)?;
        Ok(AttendanceColumns {
            name: file.name.trim().to_string(),
            email: file.email.trim().to_string(),
            joined: file.joined.trim().to_string(),
            left: file.left.trim().to_string(),
            time_format,
        })
    }

    /// Positions of name, email, joined and left in a header row, if all are there.
    fn positions<S: AsRef<str>>(&self, headers: &[S]) -> Option<Positions> {
        let find = |wanted: &str| {
            let wanted = wanted.trim();
            headers.iter().position(|h| h.as_ref().trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(wanted))
        };
        Some(Positions {
            name: find(&self.name)?,
            email: find(&self.email)?,
            joined: find(&self.joined)?,
            left: find(&self.left)?,
        })
    }

    /// `"A", "B", "C" and "D"`, for messages.
    fn listed(&self) -> String {
        format!("{:?}, {:?}, {:?} and {:?}", self.name, self.email, self.joined, self.left)
    }

    fn formats(&self) -> impl Iterator<Item = &str> {
        self.time_format.split('|').map(str::trim).filter(|f| !f.is_empty())
    }
}

/// Refuses a `time_format` that is empty or cannot read back a date and time it writes.
fn check_time_format(time_format: &str) -> Result<(), String> {
    let sample = DateTime::constant(2027, 3, 15, 9, 58, 21, 0);
    let mut any = false;
    for format in time_format.split('|').map(str::trim).filter(|f| !f.is_empty()) {
        any = true;
        let written = jiff::fmt::strtime::format(format, sample)
            .map_err(|e| format!("time_format {format:?} is not a time format: {e}"))?;
        match DateTime::strptime(format, &written) {
            Ok(read) if read == sample => {}
            _ => {
                return Err(format!(
                    "time_format {format:?} must give the date and the time to the second, e.g. \
                     \"%m/%d/%Y %I:%M:%S %p\" for 03/15/2027 09:58:21 AM"
                ));
            }
        }
    }
    if any { Ok(()) } else { Err("time_format is blank; give the report's date and time format".to_string()) }
}

#[derive(Debug, Clone, Copy)]
struct Positions {
    name: usize,
    email: usize,
    joined: usize,
    left: usize,
}

impl Positions {
    fn needed(&self) -> usize {
        self.name.max(self.email).max(self.joined).max(self.left) + 1
    }
}

/// One join read from the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    /// The line of the file the row starts on, counting from 1.
    pub line: usize,
    /// As the report gives it, trimmed.
    pub name: String,
    /// Trimmed and lower-cased; empty for guests the report gives no address for.
    pub email: String,
    /// When they joined and left, in Unix seconds.
    pub span: Span,
}

/// A row that could not be read (or, at the header's line, a caution about the whole
/// report), in words a staff member can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line of the file, counting from 1.
    pub line: usize,
    /// What is wrong and what to do, naming the person where the row does.
    pub message: String,
}

impl fmt::Display for RowProblem {
    /// `line 12: Jo Smith: the leave time ... is before the join time ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What an attendance report holds: every join read, and every row that was not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttendanceFile {
    /// Every join read, in file order.
    pub rows: Vec<AttendanceRow>,
    /// Every row not read, and any caution about the report, in file order.
    pub problems: Vec<RowProblem>,
}

/// Why an attendance report cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceFileError {
    /// The bytes are not UTF-8 or UTF-16 text.
    #[error(
        "The file is not text in UTF-8 or UTF-16. Upload the attendance report exactly as Zoom or Teams \
         downloaded it (or save it from a spreadsheet as CSV UTF-8)."
    )]
    NotText,
    /// The time zone is not an IANA zone.
    #[error("{0:?} is not a time zone; choose one from the list (such as America/New_York).")]
    UnknownZone(String),
    #[error(
        "This is not an attendance report Guildhall recognises: no row names the columns {expected}. \
         Upload the participants report from Zoom or the attendance report from Teams, or give a column mapping."
    )]
    /// No row of the file names the columns looked for.
    NoHeader {
        /// The column names looked for, e.g. `"Name", "Email", "Join Time" and "Leave Time"`.
        expected: String,
    },
}

/// Reads an attendance report: every join with its span, and every row that could not be
/// read. `time_zone` is the IANA zone the report's times are in (the host's or
/// organiser's); `columns` overrides detection of a Zoom or Teams layout.
pub fn parse_attendance(
    bytes: &[u8],
    time_zone: &str,
    columns: Option<&AttendanceColumns>,
) -> Result<AttendanceFile, AttendanceFileError> {
    let zone_name = time_zone.trim();
    let zone = TimeZone::get(zone_name).map_err(|_| AttendanceFileError::UnknownZone(time_zone.to_string()))?;
    let text = decode(bytes)?;
    let delimiters = if text.contains('\t') { [b'\t', b','] } else { [b',', b'\t'] };
    for delimiter in delimiters {
        let (records, unreadable) = records(&text, delimiter);
        let Some((header, chosen, positions)) = find_header(&records, columns) else {
            continue;
        };
        let reader = RowReader { zone: &zone, zone_name, columns: &chosen, positions };
        let mut file = AttendanceFile::default();
        if chosen.first_and_last_only() {
            file.problems.push(RowProblem {
                line: records[header].0,
                message: "this report lists only each person's first join and last leave, so time they were away \
                          in between is counted as attended; download the Teams attendance report with its \
                          In-Meeting Activities for exact credit"
                    .to_string(),
            });
        }
        for (line, record) in &records[header + 1..] {
            if record.len() == 1 || is_header(record, columns) {
                break;
            }
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            match reader.read(*line, record) {
                Ok(row) => file.rows.push(row),
                Err(message) => file.problems.push(RowProblem { line: *line, message }),
            }
        }
        if let Some(problem) = unreadable {
            file.problems.push(problem);
        }
        return Ok(file);
    }
    let expected = match columns {
        Some(columns) => columns.listed(),
        None => {
            format!("{} (Teams) or {} (Zoom)", AttendanceColumns::teams().listed(), AttendanceColumns::zoom().listed())
        }
    };
    Err(AttendanceFileError::NoHeader { expected })
}

/// The file's text, without a byte-order mark and with `\n` line ends.
fn decode(bytes: &[u8]) -> Result<String, AttendanceFileError> {
    fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, AttendanceFileError> {
        if !bytes.len().is_multiple_of(2) {
            return Err(AttendanceFileError::NotText);
        }
        let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| AttendanceFileError::NotText)
    }
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes)?,
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes)?,
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|_| AttendanceFileError::NotText)?,
        // Without a mark, ASCII text in UTF-16 shows itself by a zero in every other byte.
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => utf16(bytes, u16::from_le_bytes)?,
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => utf16(bytes, u16::from_be_bytes)?,
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| AttendanceFileError::NotText)?,
    };
    if text.contains('\0') {
        return Err(AttendanceFileError::NotText);
    }
    // Windows line ends as plain ones: the csv reader counts a CRLF's line one record late.
    let text = text.replace("\r\n", "\n");
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Every record with the line it starts on, and a problem if the file stopped being
/// readable part-way.
fn records(text: &str, delimiter: u8) -> (Vec<(usize, Vec<String>)>, Option<RowProblem>) {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = usize::try_from(reader.position().line()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => return (out, None),
            Ok(true) => {
                let line = record.position().map_or(line, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                out.push((line, record.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let message = format!("the rest of the file could not be read ({e}); upload the report as downloaded");
                return (out, Some(RowProblem { line, message }));
            }
        }
    }
}

/// The header row to read from: the first one naming `columns`, or else the row of the
/// best known layout (the first such row if it appears more than once).
fn find_header(
    records: &[(usize, Vec<String>)],
    columns: Option<&AttendanceColumns>,
) -> Option<(usize, AttendanceColumns, Positions)> {
    if let Some(columns) = columns {
        return records
            .iter()
            .enumerate()
            .find_map(|(i, (_, record))| columns.positions(record).map(|p| (i, columns.clone(), p)));
    }
    AttendanceColumns::known().into_iter().find_map(|known| {
        records.iter().enumerate().find_map(|(i, (_, record))| known.positions(record).map(|p| (i, known.clone(), p)))
    })
}

fn is_header(record: &[String], columns: Option<&AttendanceColumns>) -> bool {
    match columns {
        Some(columns) => columns.positions(record).is_some(),
        None => AttendanceColumns::detect(record).is_some(),
    }
}

/// Reads data rows against the header's positions.
struct RowReader<'a> {
    zone: &'a TimeZone,
    zone_name: &'a str,
    columns: &'a AttendanceColumns,
    positions: Positions,
}

impl RowReader<'_> {
    fn read(&self, line: usize, record: &[String]) -> Result<AttendanceRow, String> {
        let field = |i: usize| record.get(i).map_or("", |f| f.trim());
        let name = field(self.positions.name).to_string();
        let email = field(self.positions.email).to_lowercase();
        let who = match (name.is_empty(), email.is_empty()) {
            (false, _) => name.clone(),
            (true, false) => email.clone(),
            (true, true) => "a person with no name or email".to_string(),
        };
        if record.len() < self.positions.needed() {
            return Err(format!(
                "{who}: the row has {} values but the header has at least {}; put values containing commas in \
                 double quotes",
                record.len(),
                self.positions.needed()
            ));
        }
        let (joined_text, left_text) = (field(self.positions.joined), field(self.positions.left));
        let joined = self.instants(&who, "join", &self.columns.joined, joined_text)?;
        let left = self.instants(&who, "leave", &self.columns.left, left_text)?;
        // Of the readings a repeated hour allows, the shortest stay that does not end
        // before it starts.
        let span = joined
            .iter()
            .flat_map(|&j| left.iter().filter(move |&&l| l >= j).map(move |&l| Span { joined_at: j, left_at: l }))
            .min_by_key(|s| (s.left_at - s.joined_at, s.joined_at))
            .ok_or_else(|| {
                format!(
                    "{who}: the leave time {left_text:?} is before the join time {joined_text:?}; check the row \
                     against the meeting"
                )
            })?;
        Ok(AttendanceRow { line, name, email, span })
    }

    /// The instants (one, or two in a repeated hour) a wall-clock time in the report can be.
    fn instants(&self, who: &str, what: &str, column: &str, text: &str) -> Result<Vec<i64>, String> {
        if text.is_empty() {
            return Err(format!("{who}: the {what} time ({column}) is blank"));
        }
        let civil = self
            .columns
            .formats()
            .find_map(|format| DateTime::strptime(format, text).ok().filter(|dt| dt.year() >= EARLIEST_YEAR));
        let Some(civil) = civil else {
            return Err(format!(
                "{who}: the {what} time {text:?} ({column}) is not a date and time like {}; check that the file is \
                 the report as downloaded, or set time_format in the column mapping",
                self.example()
            ));
        };
        let to_second = |offset: jiff::tz::Offset| offset.to_timestamp(civil).map(|t| t.as_second());
        let instants = match self.zone.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => to_second(offset).map(|t| vec![t]),
            AmbiguousOffset::Fold { before, after } => to_second(before).and_then(|b| Ok(vec![b, to_second(after)?])),
            AmbiguousOffset::Gap { .. } => {
                return Err(format!(
                    "{who}: the {what} time {text:?} never happened in {}: the clocks went forward that night; \
                     check that the report's times are in {}",
                    self.zone_name, self.zone_name
                ));
            }
        };
        instants.map_err(|_| format!("{who}: the {what} time {text:?} ({column}) is out of range"))
    }

    /// 15 March 2027, 09:58:21 in the first of the columns' formats.
    fn example(&self) -> String {
        let sample = DateTime::constant(2027, 3, 15, 9, 58, 21, 0);
        self.columns
            .formats()
            .next()
            .and_then(|format| jiff::fmt::strtime::format(format, sample).ok())
            .unwrap_or_else(|| "03/15/2027 09:58:21 AM".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, name, email, joined_at, left_at) of every row read.
    fn rows(file: &AttendanceFile) -> Vec<(usize, &str, &str, i64, i64)> {
        file.rows
            .iter()
            .map(|r| (r.line, r.name.as_str(), r.email.as_str(), r.span.joined_at, r.span.left_at))
            .collect()
    }

    fn lines(file: &AttendanceFile) -> Vec<usize> {
        file.problems.iter().map(|p| p.line).collect()
    }

    fn utf16le(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    /// 2027-03-15 (Monday) in New York, EDT (UTC-4): 09:00 is 13:00Z.
    const NINE_EDT: i64 = 1_805_115_600;
    const MIN: i64 = 60;

    const ZOOM: &str = "\
Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,
812 3456 7890,Bridge inspection after floods,03/15/2027 08:55:12 AM,03/15/2027 10:02:40 AM,host@society.org,68,4,

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent
Pat Host,host@society.org,03/15/2027 08:55:12 AM,03/15/2027 10:02:40 AM,68,No,
\"O'Brien, Jr., Dana\",Dana.OBrien@Example.COM ,03/15/2027 09:00:00 AM,03/15/2027 09:20:00 AM,20,No,Y
\"O'Brien, Jr., Dana\",dana.obrien@example.com,03/15/2027 09:30:00 AM,03/15/2027 10:00:00 AM,30,No,Y
Caller (555) 0100,,03/15/2027 09:05:00 AM,03/15/2027 09:50:00 AM,45,Yes,
";

    #[test]
    fn a_zoom_participants_export_after_its_meeting_summary() {
        let file = parse_attendance(ZOOM.as_bytes(), "America/New_York", None).expect("a Zoom report");
        assert_eq!(file.problems, vec![]);
        assert_eq!(
            rows(&file),
            vec![
                (5, "Pat Host", "host@society.org", NINE_EDT - 4 * MIN - 48, NINE_EDT + 62 * MIN + 40),
                (6, "O'Brien, Jr., Dana", "dana.obrien@example.com", NINE_EDT, NINE_EDT + 20 * MIN),
                (7, "O'Brien, Jr., Dana", "dana.obrien@example.com", NINE_EDT + 30 * MIN, NINE_EDT + 60 * MIN),
                (8, "Caller (555) 0100", "", NINE_EDT + 5 * MIN, NINE_EDT + 50 * MIN),
            ]
        );
        // The same file with a UTF-8 byte-order mark, no summary and the newer headers.
        let newer = "\u{feff}Name (original name),Email,Join time,Leave time,Duration (minutes),Guest\r\n\
                     Lee Wu,lee@example.org,03/15/2027 09:00:00 AM,03/15/2027 09:45:00 AM,45,No\r\n";
        let file = parse_attendance(newer.as_bytes(), "America/New_York", None).expect("a newer Zoom report");
        assert_eq!(rows(&file), vec![(2, "Lee Wu", "lee@example.org", NINE_EDT, NINE_EDT + 45 * MIN)]);
    }

    const TEAMS: &str = "1. Summary
Meeting title\tSeismic retrofit of masonry, part 2
Attended participants\t3
Start time\t3/15/27, 8:58:03 AM
End time\t3/15/27, 10:01:10 AM
Meeting duration\t1h 3m 7s

2. Participants
Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole
Ruiz, Ana\t3/15/27, 8:58:03 AM\t3/15/27, 10:01:10 AM\t1h 3m 7s\tana.ruiz@society.org\tana.ruiz@society.org\tOrganizer
Sam Okafor\t3/15/27, 9:00:00 AM\t3/15/27, 10:00:00 AM\t40m\tSam.Okafor@Example.org\tsam@example.org\tAttendee

3. In-Meeting Activities
Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole
Ruiz, Ana\t3/15/27, 8:58:03 AM\t3/15/27, 10:01:10 AM\t1h 3m 7s\tana.ruiz@society.org\tOrganizer
Sam Okafor\t3/15/27, 9:00:00 AM\t3/15/27, 9:10:00 AM\t10m\tSam.Okafor@Example.org\tAttendee
Sam Okafor\t3/15/27, 9:30:00 AM\t3/15/27, 10:00:00 AM\t30m\tSam.Okafor@Example.org\tAttendee
";

    #[test]
    fn a_teams_report_in_utf16_is_read_from_its_in_meeting_activities() {
        let file = parse_attendance(&utf16le(TEAMS), "America/New_York", None).expect("a Teams report");
        assert_eq!(file.problems, vec![]);
        assert_eq!(
            rows(&file),
            vec![
                (15, "Ruiz, Ana", "ana.ruiz@society.org", NINE_EDT - MIN - 57, NINE_EDT + 61 * MIN + 10),
                (16, "Sam Okafor", "sam.okafor@example.org", NINE_EDT, NINE_EDT + 10 * MIN),
                (17, "Sam Okafor", "sam.okafor@example.org", NINE_EDT + 30 * MIN, NINE_EDT + 60 * MIN),
            ]
        );
        // The same text in UTF-8, and in UTF-16 big-endian, reads the same.
        let utf8 = parse_attendance(TEAMS.as_bytes(), "America/New_York", None).expect("UTF-8");
        let mut big_endian = vec![0xFE, 0xFF];
        big_endian.extend(TEAMS.encode_utf16().flat_map(u16::to_be_bytes));
        let utf16be = parse_attendance(&big_endian, "America/New_York", None).expect("UTF-16BE");
        assert_eq!((utf8, utf16be), (file.clone(), file));
    }

    #[test]
    fn a_teams_report_without_activities_is_read_from_first_join_to_last_leave_with_a_caution() {
        let older = "1. Summary\r\nMeeting title\tCode update\r\n\r\n2. Participants\r\n\
                     Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tRole\r\n\
                     Sam Okafor\t3/15/2027, 9:00:00 AM\t3/15/2027, 10:00:00 AM\t40m\tsam@example.org\tAttendee\r\n";
        let file = parse_attendance(&utf16le(older), "America/New_York", None).expect("an older Teams report");
        assert_eq!(rows(&file), vec![(6, "Sam Okafor", "sam@example.org", NINE_EDT, NINE_EDT + 60 * MIN)]);
        assert_eq!(lines(&file), vec![5]);
        assert!(file.problems[0].message.contains("In-Meeting Activities"), "{}", file.problems[0]);
    }

    #[test]
    fn known_layouts_are_detected_from_their_header_row() {
        let cases: [(&[&str], Option<AttendanceColumns>); 6] = [
            (
                &["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"],
                Some(AttendanceColumns::zoom()),
            ),
            (
                &[" name (original name) ", "EMAIL", "join time", "leave time"],
                Some(AttendanceColumns::new(
                    "Name (Original Name)",
                    "Email",
                    "Join Time",
                    "Leave Time",
                    ZOOM_TIME_FORMAT,
                )),
            ),
            (&["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"], Some(AttendanceColumns::teams())),
            (
                &["Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"],
                Some(AttendanceColumns::new("Name", "Email", "First Join", "Last Leave", TEAMS_TIME_FORMAT)),
            ),
            (&["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)"], None),
            (&["first_name", "last_name", "email", "tier", "status", "joined_on"], None),
        ];
        for (headers, expected) in cases {
            assert_eq!(AttendanceColumns::detect(headers), expected, "{headers:?}");
        }
    }

    #[test]
    fn another_system_s_export_is_read_with_a_column_mapping() {
        let mapping = AttendanceColumns::from_toml(
            r#"
            name = "Attendee"
            email = "Attendee Email"
            joined = "Joined"
            left = "Left"
            time_format = "%d/%m/%Y %H:%M:%S"
            "#,
        )
        .expect("a valid mapping");
        let export = "Webinar,Code of ethics refresher\nAttendee,Attendee Email,Joined,Left\n".to_string()
            + "Chris Doe,CHRIS@EXAMPLE.ORG,15/03/2027 09:00:00,15/03/2027 09:55:30\n"
            + "Chris Doe,chris@example.org,03/15/2027 09:00:00 AM,15/03/2027 10:00:00\n";
        let file = parse_attendance(export.as_bytes(), "America/New_York", Some(&mapping)).expect("mapped");
        assert_eq!(rows(&file), vec![(3, "Chris Doe", "chris@example.org", NINE_EDT, NINE_EDT + 55 * MIN + 30)]);
        assert_eq!(lines(&file), vec![4]);
        assert!(file.problems[0].message.contains("like 15/03/2027 09:58:21"), "{}", file.problems[0]);
        // Without the mapping the file is not recognised.
        let refused = parse_attendance(export.as_bytes(), "America/New_York", None);
        assert!(matches!(refused, Err(AttendanceFileError::NoHeader { .. })), "{refused:?}");
    }

    #[test]
    fn mapping_files_are_checked() {
        let full = "name = \"N\"\nemail = \"E\"\njoined = \"J\"\nleft = \"L\"\n";
        let default = AttendanceColumns::from_toml(full).expect("time_format is optional");
        assert_eq!(default.time_format, DEFAULT_TIME_FORMAT);
        let cases = [
            ("name = \"N\"\nemail = \"E\"\njoined = \"J\"\n", "missing field `left`"),
            (&format!("{full}colour = \"blue\""), "unknown field `colour`"),
            ("name = \" \"\nemail = \"E\"\njoined = \"J\"\nleft = \"L\"", "name is blank"),
            ("name = \"N\"\nemail = \"E\"\njoined = \"Time\"\nleft = \" time \"", "joined and left both name"),
            (&format!("{full}time_format = \"%H:%M:%S\""), "must give the date and the time"),
            (&format!("{full}time_format = \"%Q%!\""), "is not a time format"),
            (&format!("{full}time_format = \" | \""), "time_format is blank"),
        ];
        for (text, expected) in cases {
            let error = AttendanceColumns::from_toml(text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn bad_rows_are_listed_and_the_rest_are_read() {
        let export = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
                      Good One,good@example.org,03/15/2027 09:00:00 AM,03/15/2027 09:50:00 AM,50,No\n\
                      Bad Time,bad@example.org,the 15th at 9,03/15/2027 09:50:00 AM,50,No\n\
                      Backwards,back@example.org,03/15/2027 09:50:00 AM,03/15/2027 09:00:00 AM,50,No\n\
                      ,,,,,\n\
                      Short Row,short@example.org\n\
                      ,nameless@example.org,03/15/2027 09:00:00 AM,,0,No\n\
                      Old Year,old@example.org,03/15/27 09:00:00 AM,03/15/27 09:50:00 AM,50,No\n";
        let file = parse_attendance(export.as_bytes(), "America/New_York", None).expect("read with problems");
        assert_eq!(rows(&file), vec![(2, "Good One", "good@example.org", NINE_EDT, NINE_EDT + 50 * MIN)]);
        let expected = [
            (
                3,
                "Bad Time: the join time \"the 15th at 9\" (Join Time) is not a date and time like 03/15/2027 09:58:21 AM",
            ),
            (4, "Backwards: the leave time \"03/15/2027 09:00:00 AM\" is before the join time"),
            (6, "Short Row: the row has 2 values but the header has at least 4"),
            (7, "nameless@example.org: the leave time (Leave Time) is blank"),
            (8, "Old Year: the join time \"03/15/27 09:00:00 AM\" (Join Time) is not a date and time"),
        ];
        assert_eq!(lines(&file), expected.iter().map(|(line, _)| *line).collect::<Vec<_>>());
        for (problem, (_, start)) in file.problems.iter().zip(expected) {
            assert!(problem.message.starts_with(start), "{problem}");
        }
        assert!(file.problems[0].to_string().starts_with("line 3: Bad Time: "));
    }

    #[test]
    fn files_that_are_not_attendance_reports_are_refused() {
        let members =
            "first_name,last_name,email,tier,status,joined_on\nAda,Lovelace,ada@example.org,member,active,2020-01-01\n";
        let cases: [(&[u8], &str, &str); 6] = [
            (
                members.as_bytes(),
                "America/New_York",
                "no row names the columns \"Name\", \"Email\", \"Join Time\" and \"Leave Time\" (Teams)",
            ),
            (b"", "America/New_York", "(Zoom)"),
            (&[0x50, 0x4B, 0x03, 0x04, 0xFF, 0xD8, 0x00, 0x9C], "America/New_York", "not text in UTF-8 or UTF-16"),
            (&[0xFF, 0xFE, 0x41], "America/New_York", "not text in UTF-8 or UTF-16"),
            (&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00], "America/New_York", "not text in UTF-8 or UTF-16"),
            (ZOOM.as_bytes(), "Eastern Time", "\"Eastern Time\" is not a time zone"),
        ];
        for (bytes, zone, expected) in cases {
            let error = parse_attendance(bytes, zone, None).expect_err(expected).to_string();
            assert!(error.contains(expected), "{error}");
        }
        let mapping =
            AttendanceColumns::from_toml("name = \"N\"\nemail = \"E\"\njoined = \"J\"\nleft = \"L\"").expect("valid");
        let error = parse_attendance(ZOOM.as_bytes(), "America/New_York", Some(&mapping)).expect_err("not mapped");
        assert_eq!(error, AttendanceFileError::NoHeader { expected: "\"N\", \"E\", \"J\" and \"L\"".into() });
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_recognised() {
        let text =
            "Name\tJoin Time\tLeave Time\tEmail\nSam\t3/15/27, 9:00:00 AM\t3/15/27, 9:10:00 AM\tsam@example.org\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let file = parse_attendance(&bytes, "America/New_York", None).expect("UTF-16LE without a mark");
        assert_eq!(rows(&file), vec![(2, "Sam", "sam@example.org", NINE_EDT, NINE_EDT + 10 * MIN)]);
    }

    #[test]
    fn times_on_daylight_saving_days_in_new_york() {
        // 14 March 2027: 02:00 EST becomes 03:00 EDT. 7 November 2027: 02:00 EDT becomes
        // 01:00 EST, so 01:00–02:00 happens twice.
        let export = "Name\tJoin Time\tLeave Time\tEmail
Across the spring gap\t3/14/27, 1:30:00 AM\t3/14/27, 3:30:00 AM\ta@example.org
Morning after the change\t3/14/27, 9:00:00 AM\t3/14/27, 10:00:00 AM\tb@example.org
In the spring gap\t3/14/27, 2:30:00 AM\t3/14/27, 3:30:00 AM\tc@example.org
Within the repeated hour\t11/7/27, 1:10:00 AM\t11/7/27, 1:50:00 AM\td@example.org
Across the repeat\t11/7/27, 1:50:00 AM\t11/7/27, 1:10:00 AM\te@example.org
Into the repeat\t11/7/27, 12:30:00 AM\t11/7/27, 1:30:00 AM\tf@example.org
";
        let file = parse_attendance(export.as_bytes(), "America/New_York", None).expect("a DST-day report");
        // 01:30 EST = 06:30Z; 03:30 EDT = 07:30Z; 09:00 EDT = 13:00Z.
        // 01:10 EDT = 05:10Z, 01:50 EDT = 05:50Z, 01:10 EST = 06:10Z; 00:30 EDT = 04:30Z.
        assert_eq!(
            rows(&file),
            vec![
                (2, "Across the spring gap", "a@example.org", 1_805_005_800, 1_805_009_400),
                (3, "Morning after the change", "b@example.org", 1_805_029_200, 1_805_032_800),
                (5, "Within the repeated hour", "d@example.org", 1_825_564_200, 1_825_566_600),
                (6, "Across the repeat", "e@example.org", 1_825_566_600, 1_825_567_800),
                (7, "Into the repeat", "f@example.org", 1_825_561_800, 1_825_565_400),
            ]
        );
        assert_eq!(lines(&file), vec![4]);
        assert!(file.problems[0].message.contains("never happened in America/New_York"), "{}", file.problems[0]);
        // Phoenix keeps standard time: 02:30 happens there, and a leave at 01:10 after a
        // join at 01:50 is simply before it.
        let phoenix = parse_attendance(export.as_bytes(), "America/Phoenix", None).expect("Phoenix");
        assert_eq!((phoenix.rows.len(), lines(&phoenix)), (5, vec![6]));
    }
}
