//! The certificate of attendance as a PDF: who attended what (with the licences they chose to
//! show), when, the PDH and their topics, the provider, the officer responsible, and a QR
//! code of the public page that says whether it still stands.

use guildhall_domain::events::event_time;
use guildhall_store::CertificateRecord;
use pdf_writer::Content;
use qrcode::{Color, QrCode};

use crate::ce::micro_text;
use crate::ce::words::topic_words;
use crate::error::{AppError, AppResult};
use crate::pdf::text;

/// What the certificate needs besides its record.
pub(crate) struct CertificateText<'a> {
    pub society: &'a str,
    /// The public verification page (the QR code's content).
    pub verify_url: &'a str,
    /// The licences the attendee chose to show, in words.
    pub licences: &'a [String],
}

/// The certificate as a one-page landscape A4 PDF.
pub(crate) fn certificate_pdf(c: &CertificateRecord, t: &CertificateText<'_>) -> AppResult<Vec<u8>> {
    let (w, h, margin) = (842.0_f32, 595.0_f32, 60.0_f32);
    let mut content = Content::new();
    // A frame.
    content.set_line_width(2.0);
    content.rect(margin / 2.0, margin / 2.0, w - margin, h - margin).stroke();
    let e = &c.event;
    let starts = event_time(e.starts_at, &e.time_zone);
    let ends = event_time(e.ends_at, &e.time_zone);
    let when = if starts.date == ends.date {
        format!("on {}, {} to {} {}", starts.date, starts.time, ends.time, ends.zone)
    } else {
        format!("from {} to {}", starts.date, ends.date)
    };
    let who = match &c.member_number {
        Some(number) => format!("{} (member {number})", c.name),
        None => c.name.clone(),
    };
    let topics: Vec<String> = e.topics.split_whitespace().map(topic_words).collect();
    let mut y = h - margin - 40.0;
    text(&mut content, margin, y, 14.0, true, t.society);
    y -= 50.0;
    text(&mut content, margin, y, 30.0, true, "Certificate of attendance");
    y -= 44.0;
    text(&mut content, margin, y, 13.0, false, "This certifies that");
    y -= 30.0;
    text(&mut content, margin, y, 22.0, true, &who);
    if !t.licences.is_empty() {
        y -= 18.0;
        text(&mut content, margin, y, 10.5, false, &t.licences.join("; "));
    }
    y -= 30.0;
    text(&mut content, margin, y, 13.0, false, "attended");
    y -= 28.0;
    text(&mut content, margin, y, 17.0, true, &e.title);
    y -= 22.0;
    text(&mut content, margin, y, 12.0, false, &when);
    y -= 34.0;
    let pdh = format!("{} PDH: {}", micro_text(e.pdh_micro), topics.join(", "));
    text(&mut content, margin, y, 14.0, true, &pdh);
    if !e.provider.is_empty() {
        y -= 20.0;
        text(&mut content, margin, y, 11.0, false, &format!("Provider: {}", e.provider));
    }
    let approvals = super::approvals_in_words(&e.approved_by);
    if !approvals.is_empty() {
        y -= 18.0;
        text(&mut content, margin, y, 11.0, false, &format!("Approved by the {approvals}"));
    }
    if !e.responsible.is_empty() {
        y -= 18.0;
        text(&mut content, margin, y, 11.0, false, &format!("Responsible officer: {}", e.responsible));
    }
    text(&mut content, margin, margin + 26.0, 9.5, false, &format!("Certificate {}", c.code));
    text(&mut content, margin, margin + 12.0, 9.5, false, &format!("Check that it stands: {}", t.verify_url));

    // The QR code of the verification page, bottom right, one square per dark module.
    let code =
        QrCode::new(t.verify_url.as_bytes()).map_err(|e| AppError::Internal(format!("certificate QR code: {e}")))?;
    let modules = code.width();
    let side = 130.0_f32;
    #[allow(clippy::cast_precision_loss)]
    let cell = side / modules as f32;
    let (left, bottom) = (w - margin - side, margin);
    for (i, colour) in code.to_colors().into_iter().enumerate() {
        if colour == Color::Dark {
            #[allow(clippy::cast_precision_loss)]
            let (col, row) = ((i % modules) as f32, (i / modules) as f32);
            content.rect(left + col * cell, bottom + side - (row + 1.0) * cell, cell, cell);
        }
    }
    content.fill_nonzero();
    Ok(crate::pdf::one_page(content, (w, h)))
}
