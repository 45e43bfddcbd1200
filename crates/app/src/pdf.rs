//! What every PDF Guildhall writes shares (the CE transcript, the receipt): the two
//! standard fonts and a page that uses them.

use pdf_writer::{Finish, Name, Pdf, Rect, Ref};

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
