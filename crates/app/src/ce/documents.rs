//! Documents for boards and auditors: a transcript per credential and period (CSV and PDF)
//! and the audit packet (transcript, every evidence file, retention dates) as a ZIP.
//! Pure functions from the engine's explained answer to bytes; no I/O.

use std::io::Write;

use guildhall_store::ce::CeEvidenceRecord;
use pdf_writer::{Content, Name, Pdf, Ref, Str};
use time::Date;

use crate::ce::PeriodView;

/// One activity's line in a transcript.
#[derive(Debug, Clone)]
pub struct TranscriptLine {
    pub activity: String,
    pub date: String,
    pub title: String,
    pub kind: String,
    pub provider: String,
    pub earned: String,
    pub credited: String,
    pub disallowed: String,
    pub carried_in: String,
    pub counts_toward: String,
    pub reasons: String,
}

/// Everything a transcript shows for one credential and period.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub society: String,
    pub member_name: String,
    pub member_number: String,
    pub credential: String,
    pub held: String,
    pub unit: String,
    pub generated_on: Date,
    pub period: PeriodView,
    pub lines: Vec<TranscriptLine>,
}

impl Transcript {
    /// The summary lines shared by every format.
    fn summary(&self) -> Vec<String> {
        let p = &self.period;
        let mut out = vec![
            format!("Member: {} ({})", self.member_name, self.member_number),
            format!("Credential: {} — {}", self.credential, self.held),
            format!("Period: {} to {} — {}", p.start, p.end, p.status_words),
        ];
        if let Some(why) = &p.exempt_reason {
            out.push(format!("Exempt: {why}"));
        }
        for bar in &p.bars {
            let required = bar.required.as_deref().unwrap_or("not established");
            let short = bar.shortfall.as_deref().map(|s| format!(", short {s}")).unwrap_or_default();
            out.push(format!("{}: {} of {required} {}{short}", bar.label, bar.credited, self.unit));
        }
        out.push(format!(
            "Carried in: {} {}; carried out: {}",
            p.carry_in,
            self.unit,
            p.carry_out.as_deref().map_or("cannot be decided".to_string(), |c| format!("{c} {}", self.unit))
        ));
        out.extend(p.still_needed.iter().map(|s| format!("Still needed: {s}")));
        out.extend(p.undecidable.iter().map(|s| format!("Cannot decide: {s}")));
        out
    }
}

/// The transcript as CSV: one row per activity, then the period's figures.
pub fn transcript_csv(t: &Transcript) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let unit = &t.unit;
    let header = [
        "activity".to_string(),
        "date".into(),
        "title".into(),
        "kind".into(),
        "provider".into(),
        format!("earned_{unit}"),
        format!("credited_{unit}"),
        format!("disallowed_{unit}"),
        format!("carried_in_{unit}"),
        "counts_toward".into(),
        "reasons".into(),
    ];
    // Writing to a Vec cannot fail; a failed row would only shorten the file.
    let _ = w.write_record(&header);
    for l in &t.lines {
        let _ = w.write_record([
            &l.activity,
            &l.date,
            &l.title,
            &l.kind,
            &l.provider,
            &l.earned,
            &l.credited,
            &l.disallowed,
            &l.carried_in,
            &l.counts_toward,
            &l.reasons,
        ]);
    }
    let _ = w.write_record([""; 11]);
    for line in t.summary() {
        let mut row = vec![String::new(); 11];
        row[0] = "#".into();
        row[2] = line;
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The transcript as a PDF (A4, Helvetica, as many pages as it needs).
pub fn transcript_pdf(t: &Transcript) -> Vec<u8> {
    // (text, size, bold)
    let mut lines: Vec<(String, f32, bool)> = vec![
        (t.society.clone(), 15.0, true),
        ("Continuing-education transcript".into(), 12.0, true),
        (format!("Generated {}", t.generated_on), 9.0, false),
        (String::new(), 9.0, false),
    ];
    for s in t.summary() {
        for w in wrap(&s, 95) {
            lines.push((w, 10.0, false));
        }
    }
    lines.push((String::new(), 9.0, false));
    lines.push((format!("Activities ({} credited / disallowed)", t.unit), 12.0, true));
    if t.lines.is_empty() {
        lines.push(("No activities fall in this period.".into(), 10.0, false));
    }
    for l in &t.lines {
        lines.push((format!("{} — {}", l.date, l.title), 10.0, true));
        let provider = if l.provider.is_empty() { String::new() } else { format!(" · {}", l.provider) };
        lines.push((
            format!(
                "{}{provider} · earned {} · credited {} · disallowed {}{}",
                l.kind,
                l.earned,
                l.credited,
                l.disallowed,
                if l.counts_toward.is_empty() {
                    String::new()
                } else {
                    format!(" · counts toward {}", l.counts_toward)
                }
            ),
            9.0,
            false,
        ));
        for w in wrap(&l.reasons, 110) {
            lines.push((w, 8.5, false));
        }
    }

    let (page_w, page_h, margin) = (595.0_f32, 842.0_f32, 50.0_f32);
    let mut pages: Vec<Vec<(String, f32, bool)>> = vec![Vec::new()];
    let mut y = page_h - margin;
    for line in lines {
        let step = line.1 * 1.45;
        if y - step < margin {
            pages.push(Vec::new());
            y = page_h - margin;
        }
        y -= step;
        if let Some(page) = pages.last_mut() {
            page.push(line);
        }
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(5 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    let fonts = crate::pdf::Fonts { regular, bold };
    fonts.write(&mut pdf);
    let total = pages.len();
    for (i, page_lines) in pages.into_iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        fonts.page(&mut pdf, page_id, tree, content_id, (page_w, page_h));
        let mut content = Content::new();
        let mut y = page_h - margin;
        for (text, size, is_bold) in page_lines {
            y -= size * 1.45;
            if text.is_empty() {
                continue;
            }
            content.begin_text();
            content.set_font(Name(if is_bold { b"F2" } else { b"F1" }), size);
            content.next_line(margin, y);
            content.show(Str(&crate::pdf::win_ansi(&text)));
            content.end_text();
        }
        let footer = format!("{} · {} · page {} of {total}", t.member_name, t.credential, i + 1);
        content.begin_text();
        content.set_font(Name(b"F1"), 8.0);
        content.next_line(margin, margin / 2.0);
        content.show(Str(&crate::pdf::win_ansi(&footer)));
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// The audit packet: the transcript (PDF and CSV), every evidence file of the period's
/// activities, and a manifest with each file's checksum and retention date.
pub fn audit_packet(t: &Transcript, evidence: &[(CeEvidenceRecord, Vec<u8>)]) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), String> {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())
    };
    put("transcript.pdf", &transcript_pdf(t))?;
    put("transcript.csv", &transcript_csv(t))?;
    let mut manifest = format!(
        "Audit packet — {}\n{} ({})\n{} — {}\nPeriod {} to {}\nGenerated {}\n\nEvidence files:\n",
        t.society, t.member_name, t.member_number, t.credential, t.held, t.period.start, t.period.end, t.generated_on
    );
    if evidence.is_empty() {
        manifest.push_str("(none uploaded for this period's activities)\n");
    }
    for (record, bytes) in evidence {
        let name = format!("evidence/{}-{}", record.id, record.file_name);
        put(&name, bytes)?;
        manifest.push_str(&format!(
            "{name}\n  activity A{}, {} bytes, sha256 {}\n  keep until {}\n",
            record.activity_id, record.byte_size, record.sha256, record.retain_until
        ));
    }
    put("manifest.txt", manifest.as_bytes())?;
    let cursor = zip.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}
