//! What every PDF Guildhall writes shares (the CE transcript, the receipt, the certificate of
//! attendance): the two standard fonts, a page that uses them, text in their encoding, and a
//! one-page document.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// The regular and bold Helvetica fonts at these object ids, named `F1` and `F2` on pages.
pub(crate) struct Fonts {
    pub regular: Ref,
    pub bold: Ref,
}

impl Fonts {
    /// Writes the two font objects.
    pub(crate) fn write(&self, pdf: &mut Pdf) {
        pdf.type1_font(self.regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(self.bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    /// Writes a page of `size` (width, height) in `tree` whose content stream is `content`,
    /// with both fonts as its resources.
    pub(crate) fn page(&self, pdf: &mut Pdf, page_id: Ref, tree: Ref, content: Ref, (width, height): (f32, f32)) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, width, height));
        page.parent(tree);
        page.contents(content);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), self.regular);
        fonts.pair(Name(b"F2"), self.bold);
        fonts.finish();
        resources.finish();
        page.finish();
    }
}

/// Text in the PDF's WinAnsi encoding (characters it lacks become '?').
pub(crate) fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '—' => 0x97,
            '–' => 0x96,
            '’' | '‘' => 0x27,
            '“' | '”' => 0x22,
            '•' => 0x95,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

/// One line of text at (`x`, `y`), in bold (`F2`) or regular (`F1`).
pub(crate) fn text(content: &mut Content, x: f32, y: f32, size: f32, bold: bool, s: &str) {
    content.begin_text();
    content.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
    content.next_line(x, y);
    content.show(Str(&win_ansi(s)));
    content.end_text();
}

/// A one-page PDF of `size` (width, height) whose page is `content`.
pub(crate) fn one_page(content: Content, size: (f32, f32)) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, page_id, content_id, regular, bold) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6));
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let fonts = Fonts { regular, bold };
    fonts.write(&mut pdf);
    fonts.page(&mut pdf, page_id, tree, content_id, size);
    pdf.stream(content_id, &content.finish());
    pdf.finish()
}
