//! Server-rendered, accessible SVG charts for staff reports.
//!
//! Each function returns a self-contained inline `<svg>` string meant to sit next to the
//! table holding the same data (the table stays the primary, exact presentation). The output
//! is designed for Guildhall's strict Content-Security-Policy:
//!
//! * no `<script>`, no `<style>` element and no `style=` attribute — all styling is done with
//!   SVG presentation attributes (`fill`, `stroke`, `font-size`, …) plus `gh-chart*` class
//!   names that a site stylesheet may target;
//! * every piece of caller-supplied text is XML-escaped, so the string can be embedded in an
//!   askama template with `|safe`.
//!
//! Accessibility: the root `<svg>` has `role="img"`, `aria-labelledby` pointing at a `<title>`
//! (the chart title) and `aria-describedby` pointing at a `<desc>` that states the data in
//! words. A white background rectangle is drawn so that all text colours keep at least a
//! 4.5:1 contrast ratio even on a dark page. Series colours come from the Okabe–Ito
//! colour-blind-safe palette, and line series are further distinguished by marker shape and
//! dash pattern. Hovering a bar, marker or truncated label shows a `<title>` tooltip.
//!
//! The charts use a `viewBox` with `width="100%"` and no fixed height, so they scale to the
//! container width while keeping their aspect ratio. Output is deterministic: the same input
//! always yields the same string (element ids are derived from a hash of the input, so two
//! different charts on one page get different ids).

use std::fmt::Write as _;

/// One named data series, e.g. "Joins" with one value per month, or "After 1 year" with one
/// retention percentage per join cohort.
///
/// Values line up by index with the chart's x labels / categories. A series may be shorter
/// than the labels (e.g. a recent cohort has no 3-year retention yet): the missing trailing
/// points are simply not drawn. Values beyond the last label are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    /// Legend label, e.g. "Renewals".
    pub label: String,
    /// Data points, one per x label / category.
    pub values: Vec<i64>,
}

impl Series {
    /// Convenience constructor.
    pub fn new(label: impl Into<String>, values: Vec<i64>) -> Self {
        Self { label: label.into(), values }
    }
}

/// Formats an integer with comma thousands separators: `12345` → `"12,345"`, `-1000` →
/// `"-1,000"`. Handy for the tables shown next to the charts as well.
pub fn format_count(value: i64) -> String {
    group_digits(i128::from(value))
}

// ---------------------------------------------------------------------------------------------
// Visual constants
// ---------------------------------------------------------------------------------------------

/// Width of every chart's coordinate system (the `viewBox`); the rendered size follows the
/// container because the root element has `width="100%"`.
const VIEW_W: f64 = 720.0;
const FONT_FAMILY: &str = "system-ui, sans-serif";
/// Near-black text, 15.8:1 on white.
const TEXT_COLOUR: &str = "#1f2328";
/// Secondary text (ticks, axis labels, empty state), 7.6:1 on white.
const MUTED_COLOUR: &str = "#4b5563";
const GRID_COLOUR: &str = "#e5e7eb";
const AXIS_COLOUR: &str = "#6b7280";
const BACKGROUND: &str = "#ffffff";
/// Single-series bar colour (Guildhall blue).
const BAR_COLOUR: &str = "#1d4e89";
/// Okabe–Ito palette, ordered so the colours with the best contrast on white come first.
/// The yellow (#F0E442) is omitted: at 1.2:1 it is unreadable on a white background.
const PALETTE: [&str; 7] = ["#0072B2", "#D55E00", "#009E73", "#000000", "#CC79A7", "#E69F00", "#56B4E9"];
/// Dash patterns cycled per line series (in addition to colour and marker shape).
const DASHES: [Option<&str>; 4] = [None, Some("7 4"), Some("2 3"), Some("9 3 2 3")];
const MARKER_SHAPES: usize = 6;

const TITLE_SIZE: f64 = 16.0;
const LABEL_SIZE: f64 = 12.0;
const TICK_SIZE: f64 = 11.0;
const VALUE_SIZE: f64 = 11.0;

/// Longest category label (in characters) shown on the left of a horizontal bar chart.
const BAR_LABEL_MAX_CHARS: usize = 28;
/// Longest x-axis label (in characters) on line and grouped-bar charts.
const X_LABEL_MAX_CHARS: usize = 16;
/// Longest legend entry (in characters).
const LEGEND_MAX_CHARS: usize = 40;
/// Minimum horizontal gap between two x-axis labels.
const X_LABEL_GAP: f64 = 8.0;
/// Approximate number of y-axis intervals.
const Y_TICK_TARGET: i128 = 5;

/// Top of the plotting area when there is no legend (below the visible title).
const HEADER_H: f64 = 40.0;
const LEGEND_ROW_H: f64 = 20.0;
const PLOT_H: f64 = 240.0;
const EMPTY_MESSAGE: &str = "No data";

// ---------------------------------------------------------------------------------------------
// Public chart functions
// ---------------------------------------------------------------------------------------------

/// Horizontal bar chart, one bar per category — suited to "members by chapter / tier /
/// status".
///
/// Category labels sit on the left (truncated with `…` past 28 characters, the full label in a
/// `<title>` tooltip), the formatted value sits at the end of each bar, and bar lengths are
/// proportional to the values with the largest value spanning the plot. Pairs are matched by
/// index; surplus categories or values are ignored. Negative values are drawn as zero-length
/// bars (the label still shows the number). Empty input or all-zero values render a
/// "No data" message.
pub fn bar_chart(title: &str, categories: &[String], values: &[i64]) -> String {
    let n = categories.len().min(values.len());
    let (cats, vals) = (&categories[..n], &values[..n]);
    let id = chart_id("bar", title, cats, &[("", vals)]);
    if n == 0 || vals.iter().all(|&v| v == 0) {
        return empty_chart("bar", &id, title);
    }

    let row_h = 28.0;
    let bar_h = 18.0;
    let labels: Vec<Label> = cats.iter().map(|c| Label::new(c, BAR_LABEL_MAX_CHARS)).collect();
    let value_texts: Vec<String> = vals.iter().map(|&v| format_count(v)).collect();
    let label_w = labels.iter().map(|l| text_width(&l.shown, LABEL_SIZE)).fold(0.0, f64::max) + 16.0;
    let value_w = value_texts.iter().map(|t| text_width(t, VALUE_SIZE)).fold(0.0, f64::max) + 14.0;
    let plot_x = label_w.max(24.0);
    let plot_w = (VIEW_W - plot_x - value_w - 8.0).max(40.0);
    let max = vals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let top = HEADER_H;
    let height = top + n as f64 * row_h + 12.0;

    let desc = sentence(cats.iter().zip(&value_texts).map(|(c, v)| format!("{c} {v}")));
    let mut out = begin("bar", &id, height, title, &desc);
    for (i, ((label, &value), value_text)) in labels.iter().zip(vals).zip(&value_texts).enumerate() {
        let y = top + i as f64 * row_h;
        let mid = y + row_h / 2.0;
        let w = value.max(0) as f64 / max * plot_w;
        label.write_text(&mut out, "gh-chart-label", plot_x - 8.0, mid + 4.0, LABEL_SIZE, TEXT_COLOUR, "end");
        let _ = write!(
            out,
            r#"<rect class="gh-chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{BAR_COLOUR}"><title>{}: {}</title></rect>"#,
            num(plot_x),
            num(mid - bar_h / 2.0),
            num(w),
            num(bar_h),
            esc(&label.full),
            value_text,
        );
        let _ = write!(
            out,
            r#"<text class="gh-chart-value" x="{}" y="{}" font-size="{}" fill="{TEXT_COLOUR}">{}</text>"#,
            num(plot_x + w + 6.0),
            num(mid + 4.0),
            num(VALUE_SIZE),
            value_text,
        );
    }
    let _ = write!(
        out,
        r#"<line class="gh-chart-axis" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS_COLOUR}" stroke-width="1"/>"#,
        num(top),
        num(top + n as f64 * row_h),
        x = num(plot_x),
    );
    out.push_str("</svg>");
    out
}

/// Line chart with one line per series — suited to "joins, renewals and lapses per month".
///
/// Draws a legend, horizontal gridlines at round tick values (steps of 1, 2 or 5 × 10ⁿ, always
/// including zero), and x labels thinned so they never overlap. Each series gets its own
/// Okabe–Ito colour, marker shape (circle, square, triangle, diamond, …) and dash pattern, so
/// lines remain distinguishable without colour. Each marker has a tooltip with its value.
/// Renders a "No data" message when there are no x labels or no series has any point.
pub fn line_chart(title: &str, x_labels: &[String], series: &[Series]) -> String {
    let n = x_labels.len();
    let id = chart_id("line", title, x_labels, &series_refs(series));
    let points = |s: &Series| s.values.len().min(n);
    if n == 0 || series.iter().all(|s| points(s) == 0) {
        return empty_chart("line", &id, title);
    }

    let ticks = y_ticks(series.iter().flat_map(|s| s.values[..points(s)].iter().copied()));
    let xl: Vec<Label> = x_labels.iter().map(|l| Label::new(l, X_LABEL_MAX_CHARS)).collect();
    let xl_w = xl.iter().map(|l| text_width(&l.shown, TICK_SIZE)).fold(0.0, f64::max);
    let tick_w = ticks.iter().map(|&t| text_width(&group_digits(t), TICK_SIZE)).fold(0.0, f64::max);
    let left = (tick_w + 16.0).max(xl_w / 2.0 + 4.0);
    let right = (xl_w / 2.0 + 4.0).max(20.0);
    let plot_w = (VIEW_W - left - right).max(40.0);
    let legend_labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    let legend = legend_layout(&legend_labels, left, VIEW_W - right);
    let top = HEADER_H + legend.height;
    let height = top + PLOT_H + 36.0;

    let x_of = |i: usize| if n == 1 { left + plot_w / 2.0 } else { left + i as f64 * plot_w / (n - 1) as f64 };
    let spacing = if n == 1 { plot_w } else { plot_w / (n - 1) as f64 };

    let desc = line_desc(x_labels, series);
    let mut out = begin("line", &id, height, title, &desc);
    let y_of = y_axis(&mut out, &ticks, left, left + plot_w, top);
    x_labels_row(&mut out, &xl, spacing, x_of, top + PLOT_H + 18.0);
    legend.write(&mut out, series, LegendKey::Line, HEADER_H);

    for (si, s) in series.iter().enumerate() {
        let count = points(s);
        if count == 0 {
            continue;
        }
        let colour = PALETTE[si % PALETTE.len()];
        let _ = write!(out, r#"<g class="gh-chart-series gh-chart-series-{si}">"#);
        if count > 1 {
            let pts: Vec<String> = s.values[..count]
                .iter()
                .enumerate()
                .map(|(i, &v)| format!("{},{}", num(x_of(i)), num(y_of(v))))
                .collect();
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"{}/>"#,
                pts.join(" "),
                dash_attr(si),
            );
        }
        for (i, &v) in s.values[..count].iter().enumerate() {
            let tip = format!("{}, {}: {}", esc(&s.label), esc(&x_labels[i]), format_count(v));
            marker(&mut out, si, x_of(i), y_of(v), colour, Some(&tip));
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Vertical grouped bar chart: one group per category, one bar per series within each group —
/// suited to "retention by join cohort" (categories = join years, series = "after 1 year",
/// "after 2 years", …; values typically percentages 0–100).
///
/// Has a legend, round y ticks with gridlines (always including zero; negative values are
/// drawn below the zero line), x labels thinned so they never overlap, values printed on the
/// bars when they fit, and a tooltip on every bar. A series shorter than `categories` simply
/// has no bar for the remaining categories (e.g. a young cohort without 3-year retention).
/// Renders a "No data" message when there are no categories or no values at all.
pub fn grouped_bars(title: &str, categories: &[String], series: &[Series]) -> String {
    let n = categories.len();
    let id = chart_id("grouped", title, categories, &series_refs(series));
    let points = |s: &Series| s.values.len().min(n);
    if n == 0 || series.iter().all(|s| points(s) == 0) {
        return empty_chart("grouped", &id, title);
    }

    let ticks = y_ticks(series.iter().flat_map(|s| s.values[..points(s)].iter().copied()));
    let cl: Vec<Label> = categories.iter().map(|l| Label::new(l, X_LABEL_MAX_CHARS)).collect();
    let tick_w = ticks.iter().map(|&t| text_width(&group_digits(t), TICK_SIZE)).fold(0.0, f64::max);
    let left = tick_w + 16.0;
    let right = 16.0;
    let plot_w = (VIEW_W - left - right).max(40.0);
    let legend_labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    let legend = legend_layout(&legend_labels, left, VIEW_W - right);
    let top = HEADER_H + legend.height;
    let height = top + PLOT_H + 36.0;

    let group_w = plot_w / n as f64;
    let m = series.len().max(1);
    let bar_w = group_w * 0.8 / m as f64;
    let x_of = |i: usize| left + (i as f64 + 0.5) * group_w;

    let desc = grouped_desc(categories, series);
    let mut out = begin("grouped", &id, height, title, &desc);
    let y_of = y_axis(&mut out, &ticks, left, left + plot_w, top);
    x_labels_row(&mut out, &cl, group_w, x_of, top + PLOT_H + 18.0);
    legend.write(&mut out, series, LegendKey::Swatch, HEADER_H);

    let zero = y_of(0);
    for (si, s) in series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        let _ = write!(out, r#"<g class="gh-chart-series gh-chart-series-{si}" fill="{colour}">"#);
        for (ci, &v) in s.values[..points(s)].iter().enumerate() {
            let x = left + ci as f64 * group_w + group_w * 0.1 + si as f64 * bar_w;
            let yv = y_of(v);
            let _ = write!(
                out,
                r#"<rect class="gh-chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}, {}: {}</title></rect>"#,
                num(x),
                num(yv.min(zero)),
                num((bar_w - 1.0).max(1.0)),
                num((zero - yv).abs()),
                esc(&categories[ci]),
                esc(&s.label),
                format_count(v),
            );
        }
        out.push_str("</g>");
    }
    // Value labels go last so no bar of a later series can paint over them.
    for (si, s) in series.iter().enumerate() {
        for (ci, &v) in s.values[..points(s)].iter().enumerate() {
            let text = format_count(v);
            if text_width(&text, VALUE_SIZE - 1.0) + 2.0 > bar_w {
                continue;
            }
            let cx = left + ci as f64 * group_w + group_w * 0.1 + (si as f64 + 0.5) * bar_w - 0.5;
            let y = if v < 0 { y_of(v) + VALUE_SIZE + 1.0 } else { y_of(v) - 4.0 };
            let _ = write!(
                out,
                r#"<text class="gh-chart-value" x="{}" y="{}" font-size="{}" fill="{TEXT_COLOUR}" text-anchor="middle">{text}</text>"#,
                num(cx),
                num(y),
                num(VALUE_SIZE - 1.0),
            );
        }
    }
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------------------------
// Shared building blocks
// ---------------------------------------------------------------------------------------------

/// Opens the root `<svg>` with its accessible name/description, white background and visible
/// title.
fn begin(kind: &str, id: &str, height: f64, title: &str, desc: &str) -> String {
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gh-chart gh-chart-{kind}" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" font-family="{FONT_FAMILY}">"#,
        w = num(VIEW_W),
        h = num(height),
    );
    let _ = write!(out, r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#, esc(title), esc(desc));
    let _ = write!(out, r#"<rect width="{}" height="{}" fill="{BACKGROUND}"/>"#, num(VIEW_W), num(height));
    let max_chars = ((VIEW_W - 16.0) / (TITLE_SIZE * 0.6)) as usize;
    Label::new(title, max_chars).write_text(&mut out, "gh-chart-title", 8.0, 24.0, TITLE_SIZE, TEXT_COLOUR, "start");
    out
}

/// A chart with only its title and a centred "No data" message.
fn empty_chart(kind: &str, id: &str, title: &str) -> String {
    let height = 120.0;
    let mut out = begin(kind, id, height, title, &format!("{EMPTY_MESSAGE}."));
    let _ = write!(
        out,
        r#"<text class="gh-chart-empty" x="{}" y="76" font-size="14" fill="{MUTED_COLOUR}" text-anchor="middle">{EMPTY_MESSAGE}</text>"#,
        num(VIEW_W / 2.0),
    );
    out.push_str("</svg>");
    out
}

/// Draws horizontal gridlines with tick labels for `ticks` (ascending, at least two) over a
/// plot of height [`PLOT_H`] starting at `top`, and returns the value → y mapping.
fn y_axis(out: &mut String, ticks: &[i128], left: f64, right: f64, top: f64) -> impl Fn(i64) -> f64 + use<> {
    let lo = ticks.first().copied().unwrap_or(0) as f64;
    let hi = ticks.last().copied().unwrap_or(1) as f64;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let bottom = top + PLOT_H;
    let y_of = move |v: f64| bottom - (v - lo) / span * PLOT_H;
    for &t in ticks {
        let y = y_of(t as f64);
        let (stroke, class) = if t == 0 { (AXIS_COLOUR, "gh-chart-axis") } else { (GRID_COLOUR, "gh-chart-grid") };
        let _ = write!(
            out,
            r#"<line class="{class}" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="1"/>"#,
            num(left),
            num(right),
            y = num(y),
        );
        let _ = write!(
            out,
            r#"<text class="gh-chart-tick" x="{}" y="{}" font-size="{}" fill="{MUTED_COLOUR}" text-anchor="end">{}</text>"#,
            num(left - 6.0),
            num(y + 4.0),
            num(TICK_SIZE),
            group_digits(t),
        );
    }
    move |v: i64| y_of(v as f64)
}

/// Writes the x-axis labels centred on `x_of(i)`, keeping only every k-th label so that
/// neighbouring labels (estimated width + gap) never overlap. Thinned-out labels remain
/// available in the tooltips and the description.
fn x_labels_row(out: &mut String, labels: &[Label], spacing: f64, x_of: impl Fn(usize) -> f64, y: f64) {
    let widest = labels.iter().map(|l| text_width(&l.shown, TICK_SIZE)).fold(0.0, f64::max);
    let step = thin_step(spacing, widest);
    for (i, label) in labels.iter().enumerate().step_by(step) {
        label.write_text(out, "gh-chart-xlabel", x_of(i), y, TICK_SIZE, MUTED_COLOUR, "middle");
    }
}

/// Smallest k ≥ 1 such that labels `k * spacing` apart, each `label_w` wide, leave at least
/// [`X_LABEL_GAP`] between them.
fn thin_step(spacing: f64, label_w: f64) -> usize {
    if spacing <= 0.0 || !spacing.is_finite() {
        return usize::MAX;
    }
    ((label_w + X_LABEL_GAP) / spacing).ceil().max(1.0) as usize
}

/// Which key is drawn in front of each legend entry.
#[derive(Clone, Copy)]
enum LegendKey {
    /// A short line segment with the series' dash pattern and marker.
    Line,
    /// A filled square.
    Swatch,
}

/// Legend entries laid out left to right, wrapping onto further rows.
struct Legend {
    /// Per entry: (x, row, label).
    items: Vec<(f64, usize, Label)>,
    /// Total height including spacing below, 0 when there are no entries.
    height: f64,
}

fn legend_layout(labels: &[&str], left: f64, right: f64) -> Legend {
    let mut items = Vec::with_capacity(labels.len());
    let (mut x, mut row) = (left, 0usize);
    for label in labels {
        let label = Label::new(label, LEGEND_MAX_CHARS);
        let w = 30.0 + text_width(&label.shown, LABEL_SIZE) + 18.0;
        if x > left && x + w > right {
            x = left;
            row += 1;
        }
        items.push((x, row, label));
        x += w;
    }
    let height = if items.is_empty() { 0.0 } else { (row + 1) as f64 * LEGEND_ROW_H + 8.0 };
    Legend { items, height }
}

impl Legend {
    fn write(&self, out: &mut String, series: &[Series], key: LegendKey, top: f64) {
        if self.items.is_empty() {
            return;
        }
        out.push_str(r#"<g class="gh-chart-legend">"#);
        for (si, ((x, row, label), _)) in self.items.iter().zip(series).enumerate() {
            let colour = PALETTE[si % PALETTE.len()];
            let mid = top + *row as f64 * LEGEND_ROW_H + LEGEND_ROW_H / 2.0;
            match key {
                LegendKey::Line => {
                    let _ = write!(
                        out,
                        r#"<line x1="{}" y1="{m}" x2="{}" y2="{m}" stroke="{colour}" stroke-width="2"{}/>"#,
                        num(*x),
                        num(x + 24.0),
                        dash_attr(si),
                        m = num(mid),
                    );
                    marker(out, si, x + 12.0, mid, colour, None);
                }
                LegendKey::Swatch => {
                    let _ = write!(
                        out,
                        r#"<rect x="{}" y="{}" width="12" height="12" fill="{colour}"/>"#,
                        num(x + 6.0),
                        num(mid - 6.0),
                    );
                }
            }
            label.write_text(out, "gh-chart-legend-label", x + 30.0, mid + 4.0, LABEL_SIZE, TEXT_COLOUR, "start");
        }
        out.push_str("</g>");
    }
}

/// Draws the marker for series `index` centred on (`x`, `y`): circle, square, triangle,
/// diamond, inverted triangle or plus, cycling. `tooltip` must already be escaped.
fn marker(out: &mut String, index: usize, x: f64, y: f64, colour: &str, tooltip: Option<&str>) {
    let common = format!(r#"class="gh-chart-marker" fill="{colour}" stroke="{BACKGROUND}" stroke-width="1""#);
    let (open, close) = match index % MARKER_SHAPES {
        0 => (format!(r#"<circle cx="{}" cy="{}" r="4.5" {common}"#, num(x), num(y)), "circle"),
        1 => (format!(r#"<rect x="{}" y="{}" width="8" height="8" {common}"#, num(x - 4.0), num(y - 4.0)), "rect"),
        shape => {
            let pts: &[(f64, f64)] = match shape {
                2 => &[(0.0, -5.5), (5.0, 3.5), (-5.0, 3.5)],
                3 => &[(0.0, -5.5), (5.5, 0.0), (0.0, 5.5), (-5.5, 0.0)],
                4 => &[(0.0, 5.5), (5.0, -3.5), (-5.0, -3.5)],
                _ => &[
                    (-1.75, -5.0),
                    (1.75, -5.0),
                    (1.75, -1.75),
                    (5.0, -1.75),
                    (5.0, 1.75),
                    (1.75, 1.75),
                    (1.75, 5.0),
                    (-1.75, 5.0),
                    (-1.75, 1.75),
                    (-5.0, 1.75),
                    (-5.0, -1.75),
                    (-1.75, -1.75),
                ],
            };
            let d: Vec<String> = pts.iter().map(|(dx, dy)| format!("{},{}", num(x + dx), num(y + dy))).collect();
            (format!(r#"<path d="M{}Z" {common}"#, d.join(" L")), "path")
        }
    };
    out.push_str(&open);
    match tooltip {
        Some(tip) => {
            let _ = write!(out, "><title>{tip}</title></{close}>");
        }
        None => out.push_str("/>"),
    }
}

fn dash_attr(index: usize) -> String {
    match DASHES[index % DASHES.len()] {
        Some(pattern) => format!(r#" stroke-dasharray="{pattern}""#),
        None => String::new(),
    }
}

/// Round y-axis ticks covering every value and zero.
fn y_ticks(values: impl Iterator<Item = i64>) -> Vec<i128> {
    let (lo, hi) = values.fold((0i64, 0i64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    nice_ticks(i128::from(lo), i128::from(hi), Y_TICK_TARGET)
}

/// Evenly spaced ticks at multiples of a "nice" step (1, 2 or 5 × 10ⁿ) spanning `[lo, hi]` in
/// at most `target` intervals. Always returns at least two ticks; when `lo == hi` the range is
/// widened by one unit.
fn nice_ticks(lo: i128, hi: i128, target: i128) -> Vec<i128> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let hi = if hi == lo { hi + 1 } else { hi };
    let step = nice_step(lo, hi, target.max(1));
    let start = lo.div_euclid(step) * step;
    let end = -((-hi).div_euclid(step)) * step;
    let mut ticks = Vec::new();
    let mut t = start;
    while t <= end {
        ticks.push(t);
        t += step;
    }
    ticks
}

/// Smallest step of the form 1, 2 or 5 × 10ⁿ for which the range `[lo, hi]`, rounded outwards
/// to multiples of the step, spans at most `target` intervals.
fn nice_step(lo: i128, hi: i128, target: i128) -> i128 {
    let mut power: i128 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * power;
            let intervals = -((-hi).div_euclid(step)) - lo.div_euclid(step);
            if intervals <= target || step >= hi - lo {
                return step;
            }
        }
        power *= 10;
    }
}

/// Text for the bar-chart style descriptions: items joined with ", " and a final full stop.
fn sentence(items: impl Iterator<Item = String>) -> String {
    let mut s = items.collect::<Vec<_>>().join(", ");
    s.push('.');
    s
}

/// "Joins from Jan 2024 to Dec 2025: first 12, last 15, lowest 3 (Mar 2024), highest 40
/// (Sep 2025), total 600. Renewals …"
fn line_desc(x_labels: &[String], series: &[Series]) -> String {
    let n = x_labels.len();
    let mut parts = Vec::new();
    for s in series {
        let vals = &s.values[..s.values.len().min(n)];
        let (Some(&first), Some(&last)) = (vals.first(), vals.last()) else {
            parts.push(format!("{}: no data.", s.label));
            continue;
        };
        let (mut lo_i, mut hi_i) = (0, 0);
        for (i, &v) in vals.iter().enumerate() {
            if v < vals[lo_i] {
                lo_i = i;
            }
            if v > vals[hi_i] {
                hi_i = i;
            }
        }
        let total: i128 = vals.iter().map(|&v| i128::from(v)).sum();
        parts.push(format!(
            "{} from {} to {}: first {}, last {}, lowest {} ({}), highest {} ({}), total {}.",
            s.label,
            x_labels[0],
            x_labels[vals.len() - 1],
            format_count(first),
            format_count(last),
            format_count(vals[lo_i]),
            x_labels[lo_i],
            format_count(vals[hi_i]),
            x_labels[hi_i],
            group_digits(total),
        ));
    }
    parts.join(" ")
}

/// "2019: After 1 year 87, After 2 years 75. 2020: After 1 year 90."
fn grouped_desc(categories: &[String], series: &[Series]) -> String {
    let mut parts = Vec::new();
    for (ci, category) in categories.iter().enumerate() {
        let items: Vec<String> = series
            .iter()
            .filter_map(|s| s.values.get(ci).map(|&v| format!("{} {}", s.label, format_count(v))))
            .collect();
        if items.is_empty() {
            parts.push(format!("{category}: no data."));
        } else {
            parts.push(format!("{category}: {}.", items.join(", ")));
        }
    }
    parts.join(" ")
}

fn series_refs(series: &[Series]) -> Vec<(&str, &[i64])> {
    series.iter().map(|s| (s.label.as_str(), s.values.as_slice())).collect()
}

/// A label possibly shortened for display, remembering the full text for its tooltip.
struct Label {
    full: String,
    shown: String,
    truncated: bool,
}

impl Label {
    fn new(text: &str, max_chars: usize) -> Self {
        let (shown, truncated) = truncate(text, max_chars);
        Self { full: text.to_owned(), shown, truncated }
    }

    /// Writes a `<text>` element; truncated labels are wrapped in a `<g>` carrying the full
    /// label as a `<title>` tooltip.
    #[allow(clippy::too_many_arguments)]
    fn write_text(&self, out: &mut String, class: &str, x: f64, y: f64, size: f64, fill: &str, anchor: &str) {
        if self.truncated {
            let _ = write!(out, "<g><title>{}</title>", esc(&self.full));
        }
        let _ = write!(
            out,
            r#"<text class="{class}" x="{}" y="{}" font-size="{}" fill="{fill}" text-anchor="{anchor}">{}</text>"#,
            num(x),
            num(y),
            num(size),
            esc(&self.shown),
        );
        if self.truncated {
            out.push_str("</g>");
        }
    }
}

/// Shortens `text` to at most `max_chars` characters (not bytes), ending in `…` when cut.
/// Truncation happens before escaping, so entities are never split.
fn truncate(text: &str, max_chars: usize) -> (String, bool) {
    let text = text.trim();
    if text.chars().count() <= max_chars.max(1) {
        return (text.to_owned(), false);
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1).max(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    (cut, true)
}

/// Rough rendered width of `text` at `size` px: ~0.6 em per character, 1 em for wide
/// (CJK and similar) characters.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if (c as u32) >= 0x1100 && c != '…' { 1.0 } else { 0.6 }).sum::<f64>() * size
}

/// XML-escapes text for element content and attribute values. Characters that are not
/// allowed in XML 1.0 are dropped; tabs and line breaks become spaces.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn group_digits(value: i128) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a coordinate with at most two decimals and no trailing zeros (deterministic).
fn num(value: f64) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let s = format!("{value:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

/// Deterministic element-id prefix derived from the chart's content (FNV-1a), so several
/// charts on one page get distinct `aria-labelledby` targets.
fn chart_id(kind: &str, title: &str, labels: &[String], series: &[(&str, &[i64])]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(kind.as_bytes());
    feed(title.as_bytes());
    for label in labels {
        feed(label.as_bytes());
    }
    for (label, values) in series {
        feed(label.as_bytes());
        for v in *values {
            feed(&v.to_le_bytes());
        }
    }
    format!("gh-chart-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// All start tags named `name` (e.g. "rect"), as the text between `<` and `>`.
    fn tags<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
        let open = format!("<{name} ");
        let mut found = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find(&open) {
            let tail = &rest[start..];
            let end = tail.find('>').expect("unterminated tag");
            found.push(&tail[..end]);
            rest = &tail[end..];
        }
        found
    }

    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let len = tag[start..].find('"')?;
        Some(&tag[start..start + len])
    }

    fn attr_f(tag: &str, name: &str) -> f64 {
        attr(tag, name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no numeric {name} in {tag}"))
    }

    fn with_class<'a>(svg: &'a str, name: &str, class: &str) -> Vec<&'a str> {
        tags(svg, name).into_iter().filter(|t| attr(t, "class") == Some(class)).collect()
    }

    /// Content of every `<text>` element of the given class.
    fn texts(svg: &str, class: &str) -> Vec<String> {
        let open = format!("<text class=\"{class}\"");
        let mut found = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find(&open) {
            let tail = &rest[start..];
            let gt = tail.find('>').expect("tag end");
            let close = tail.find("</text>").expect("text end");
            found.push(tail[gt + 1..close].to_owned());
            rest = &tail[close..];
        }
        found
    }

    fn desc(svg: &str) -> &str {
        let start = svg.find("<desc").expect("desc");
        let gt = start + svg[start..].find('>').expect("desc >");
        let end = svg.find("</desc>").expect("/desc");
        &svg[gt + 1..end]
    }

    fn luminance(hex: &str) -> f64 {
        let hex = hex.trim_start_matches('#');
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    fn contrast_on_white(hex: &str) -> f64 {
        1.05 / (luminance(hex) + 0.05)
    }

    fn sample_line() -> (Vec<String>, Vec<Series>) {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let labels: Vec<String> =
            [2024, 2025].iter().flat_map(|y| months.iter().map(move |m| format!("{m} {y}"))).collect();
        let joins: Vec<i64> = (0..24).map(|i| 20 + (i * 7) % 31).collect();
        let renewals: Vec<i64> = (0..24).map(|i| 100 + (i * 13) % 57).collect();
        let lapses: Vec<i64> = (0..24).map(|i| (i * 5) % 17).collect();
        (labels, vec![Series::new("Joins", joins), Series::new("Renewals", renewals), Series::new("Lapses", lapses)])
    }

    fn sample_grouped() -> (Vec<String>, Vec<Series>) {
        (
            strings(&["2021", "2022", "2023", "2024"]),
            vec![
                Series::new("After 1 year", vec![91, 88, 86, 90]),
                Series::new("After 2 years", vec![80, 77, 74]),
                Series::new("After 3 years", vec![72, 70]),
            ],
        )
    }

    fn all_charts() -> Vec<String> {
        let (x, s) = sample_line();
        let (c, g) = sample_grouped();
        vec![
            bar_chart("Members by chapter", &strings(&["Capital Chapter", "Coastal Chapter"]), &[812, 401]),
            bar_chart("Empty", &[], &[]),
            line_chart("Activity", &x, &s),
            line_chart("Empty", &[], &[]),
            grouped_bars("Retention", &c, &g),
            grouped_bars("Empty", &[], &[]),
        ]
    }

    #[test]
    fn format_count_inserts_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(12_345), "12,345");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_count(-1000), "-1,000");
        assert_eq!(format_count(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn escapes_all_xml_special_characters() {
        assert_eq!(esc(r#"<script>&"'"#), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(esc("a\u{0}b\nc"), "ab c");
    }

    #[test]
    fn hostile_labels_are_escaped_in_every_chart() {
        let evil = r#"<script>&"'"#;
        let escaped = "&lt;script&gt;&amp;&quot;&#39;";
        let cats = strings(&[evil, "ok"]);
        let series = vec![Series::new(evil, vec![1, 2])];
        for svg in [
            bar_chart(evil, &cats, &[3, 4]),
            line_chart(evil, &cats, &series),
            grouped_bars(evil, &cats, &series),
            bar_chart(evil, &[], &[]),
        ] {
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains(r#"&""#), "{svg}");
            assert!(svg.contains(escaped), "{svg}");
            // Title, visible title and (for non-empty charts) labels all carry the escaped text.
            assert!(svg.contains(&format!("-title\">{escaped}</title>")), "{svg}");
        }
    }

    #[test]
    fn truncation_never_splits_an_entity_or_a_character() {
        let long = "<&>".repeat(20) + "é";
        let svg = bar_chart("t", std::slice::from_ref(&long), &[1]);
        let label = &texts(&svg, "gh-chart-label")[0];
        assert!(label.ends_with('…'), "{label}");
        // Every '&' starts a complete entity.
        for (i, _) in label.match_indices('&') {
            let rest = &label[i..];
            assert!(["&amp;", "&lt;", "&gt;"].iter().any(|e| rest.starts_with(e)), "{label}");
        }
        let (cut, truncated) = truncate("ééééé", 3);
        assert!(truncated);
        assert_eq!(cut, "éé…");
    }

    #[test]
    fn root_element_is_accessible_and_responsive() {
        for svg in all_charts() {
            let root = tags(&svg, "svg")[0];
            assert_eq!(attr(root, "role"), Some("img"));
            assert_eq!(attr(root, "width"), Some("100%"));
            assert_eq!(attr(root, "font-family"), Some("system-ui, sans-serif"));
            assert!(attr(root, "viewBox").is_some_and(|v| v.starts_with("0 0 720 ")));
            let labelled = attr(root, "aria-labelledby").expect("aria-labelledby");
            let described = attr(root, "aria-describedby").expect("aria-describedby");
            assert!(svg.contains(&format!(r#"<title id="{labelled}">"#)), "{svg}");
            assert!(svg.contains(&format!(r#"<desc id="{described}">"#)), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn no_inline_styles_or_scripts() {
        for svg in all_charts() {
            assert!(!svg.contains("style="), "{svg}");
            assert!(!svg.contains("<style"), "{svg}");
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains(" on"), "event handler attribute in {svg}");
        }
    }

    #[test]
    fn all_text_has_sufficient_contrast() {
        for svg in all_charts() {
            let text_tags = tags(&svg, "text");
            assert!(!text_tags.is_empty());
            for tag in text_tags {
                let fill = attr(tag, "fill").expect("every text has an explicit fill");
                assert!(contrast_on_white(fill) >= 4.5, "{fill} in {tag}");
            }
        }
        // The white background the contrast is measured against is always drawn.
        for svg in all_charts() {
            assert!(tags(&svg, "rect").iter().any(|r| attr(r, "fill") == Some(BACKGROUND)));
        }
    }

    #[test]
    fn output_is_deterministic_and_ids_differ_between_charts() {
        assert_eq!(all_charts(), all_charts());
        let a = bar_chart("A", &strings(&["x"]), &[1]);
        let b = bar_chart("B", &strings(&["x"]), &[1]);
        let id = |svg: &str| attr(tags(svg, "svg")[0], "aria-labelledby").map(str::to_owned);
        assert_ne!(id(&a), id(&b));
    }

    #[test]
    fn bar_widths_are_proportional_to_values() {
        let cats = strings(&["Capital Chapter", "Coastal Chapter", "Northern Chapter", "Empty Chapter"]);
        let svg = bar_chart("Members by chapter", &cats, &[812, 406, 203, 0]);
        let bars = with_class(&svg, "rect", "gh-chart-bar");
        assert_eq!(bars.len(), 4);
        let widths: Vec<f64> = bars.iter().map(|b| attr_f(b, "width")).collect();
        assert!(widths[0] > 300.0, "largest bar spans the plot: {widths:?}");
        assert!((widths[1] / widths[0] - 0.5).abs() < 0.01, "{widths:?}");
        assert!((widths[2] / widths[0] - 0.25).abs() < 0.01, "{widths:?}");
        assert_eq!(widths[3], 0.0);
        // All bars start at the same x, and stay within the viewBox with room for the value.
        let x0 = attr_f(bars[0], "x");
        assert!(bars.iter().all(|b| attr_f(b, "x") == x0));
        assert!(x0 + widths[0] < VIEW_W - 30.0);
    }

    #[test]
    fn bar_chart_labels_values_and_description() {
        let cats = strings(&["Capital Chapter", "Coastal Chapter"]);
        let svg = bar_chart("Members by chapter", &cats, &[12_345, 401]);
        assert_eq!(texts(&svg, "gh-chart-value"), ["12,345", "401"]);
        assert_eq!(texts(&svg, "gh-chart-label"), ["Capital Chapter", "Coastal Chapter"]);
        assert_eq!(desc(&svg), "Capital Chapter 12,345, Coastal Chapter 401.");
        assert!(svg.contains("<title>Capital Chapter: 12,345</title>"));
        // Value labels sit just past the end of their bar.
        let bars = with_class(&svg, "rect", "gh-chart-bar");
        let values = with_class(&svg, "text", "gh-chart-value");
        for (bar, value) in bars.iter().zip(&values) {
            let end = attr_f(bar, "x") + attr_f(bar, "width");
            let x = attr_f(value, "x");
            assert!(x > end && x - end < 10.0, "{bar} / {value}");
        }
    }

    #[test]
    fn long_bar_labels_are_truncated_with_full_tooltip() {
        let long = "The Very Long Regional Chapter of Greater Somewhere".to_owned();
        let svg = bar_chart("t", &[long.clone(), "Short".to_owned()], &[5, 3]);
        let labels = texts(&svg, "gh-chart-label");
        assert!(labels[0].ends_with('…'));
        assert!(labels[0].chars().count() <= BAR_LABEL_MAX_CHARS);
        assert!(long.starts_with(labels[0].trim_end_matches('…')));
        assert_eq!(labels[1], "Short");
        assert!(svg.contains(&format!("<g><title>{long}</title><text class=\"gh-chart-label\"")));
        assert!(desc(&svg).contains(&long), "description keeps the full label");
    }

    #[test]
    fn bar_chart_empty_and_all_zero_show_no_data() {
        let cases = [
            bar_chart("Members", &[], &[]),
            bar_chart("Members", &strings(&["A", "B"]), &[0, 0]),
            bar_chart("Members", &strings(&["A"]), &[]),
        ];
        for svg in cases {
            assert_eq!(texts(&svg, "gh-chart-empty"), ["No data"]);
            assert_eq!(desc(&svg), "No data.");
            assert!(with_class(&svg, "rect", "gh-chart-bar").is_empty());
        }
        let svg = bar_chart("Members", &strings(&["A", "B"]), &[0, 3]);
        assert!(texts(&svg, "gh-chart-empty").is_empty());
    }

    #[test]
    fn nice_ticks_use_1_2_5_steps_and_cover_the_range() {
        assert_eq!(nice_ticks(0, 87, 5), [0, 20, 40, 60, 80, 100]);
        assert_eq!(nice_ticks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
        assert_eq!(nice_ticks(0, 12_345, 5), [0, 5_000, 10_000, 15_000]);
        assert_eq!(nice_ticks(0, 7, 5), [0, 2, 4, 6, 8]);
        assert_eq!(nice_ticks(0, 0, 5), [0, 1]);
        assert_eq!(nice_ticks(-7, 23, 5), [-10, 0, 10, 20, 30]);
        for hi in [1, 3, 9, 10, 11, 49, 99, 101, 999, 1_001, 123_456, i128::from(i64::MAX)] {
            for lo in [0, -1, -55, -hi] {
                let ticks = nice_ticks(lo, hi, 5);
                let step = ticks[1] - ticks[0];
                let mut mantissa = step;
                while mantissa % 10 == 0 {
                    mantissa /= 10;
                }
                assert!([1, 2, 5].contains(&mantissa), "step {step} for {lo}..{hi}");
                assert!(ticks.windows(2).all(|w| w[1] - w[0] == step));
                assert!(ticks[0] <= lo && *ticks.last().expect("ticks") >= hi);
                assert!(ticks.contains(&0));
                assert!(ticks.len() <= 7, "{ticks:?}");
            }
        }
    }

    #[test]
    fn line_chart_has_gridlines_at_round_ticks() {
        let x = strings(&["Jan", "Feb", "Mar"]);
        let svg = line_chart("Joins", &x, &[Series::new("Joins", vec![12, 87, 40])]);
        assert_eq!(texts(&svg, "gh-chart-tick"), ["0", "20", "40", "60", "80", "100"]);
        // One gridline per non-zero tick plus the zero axis, all horizontal.
        let grid = with_class(&svg, "line", "gh-chart-grid");
        assert_eq!(grid.len(), 5);
        assert!(grid.iter().all(|g| attr(g, "y1") == attr(g, "y2")));
        // The zero line sits below the 100 line, and points map linearly.
        let zero_y = attr_f(with_class(&svg, "line", "gh-chart-axis")[0], "y1");
        let top_y = attr_f(grid[4], "y1");
        assert!(zero_y > top_y);
        let poly = tags(&svg, "polyline")[0];
        let ys: Vec<f64> = attr(poly, "points")
            .expect("points")
            .split(' ')
            .map(|p| p.split(',').nth(1).and_then(|y| y.parse().ok()).expect("y"))
            .collect();
        let expected = |v: f64| zero_y - v / 100.0 * (zero_y - top_y);
        for (y, v) in ys.iter().zip([12.0, 87.0, 40.0]) {
            assert!((y - expected(v)).abs() < 0.02, "{y} vs {v}");
        }
    }

    #[test]
    fn line_chart_ticks_use_thousands_separators() {
        let x = strings(&["Jan", "Feb"]);
        let svg = line_chart("Members", &x, &[Series::new("Members", vec![11_000, 12_345])]);
        assert_eq!(texts(&svg, "gh-chart-tick"), ["0", "5,000", "10,000", "15,000"]);
    }

    #[test]
    fn line_chart_legend_colours_and_marker_shapes_are_distinct() {
        let (x, series) = sample_line();
        let svg = line_chart("Joins, renewals and lapses", &x, &series);
        assert_eq!(texts(&svg, "gh-chart-legend-label"), ["Joins", "Renewals", "Lapses"]);
        let polylines = tags(&svg, "polyline");
        assert_eq!(polylines.len(), 3);
        let colours: Vec<&str> = polylines.iter().map(|p| attr(p, "stroke").expect("stroke")).collect();
        assert!(colours.iter().all(|c| PALETTE.contains(c)));
        assert!(colours[0] != colours[1] && colours[1] != colours[2] && colours[0] != colours[2]);
        // Each series uses a different marker element: circle, rect (square), path (triangle).
        assert_eq!(with_class(&svg, "circle", "gh-chart-marker").len(), 24 + 1);
        assert_eq!(with_class(&svg, "rect", "gh-chart-marker").len(), 24 + 1);
        assert_eq!(with_class(&svg, "path", "gh-chart-marker").len(), 24 + 1);
        // Markers carry a value tooltip.
        assert!(svg.contains("<title>Joins, Jan 2024: 20</title>"));
        // Shapes and colours stay pairwise distinct for a good number of series.
        let combos: std::collections::HashSet<(usize, usize)> =
            (0..20).map(|i| (i % PALETTE.len(), i % MARKER_SHAPES)).collect();
        assert_eq!(combos.len(), 20);
    }

    #[test]
    fn line_chart_x_labels_never_overlap() {
        for n in [1usize, 2, 6, 12, 24, 60, 240] {
            let x: Vec<String> = (0..n).map(|i| format!("Month {i} of the series")).collect();
            let svg = line_chart("t", &x, &[Series::new("s", (0..n as i64).collect())]);
            let labels = with_class(&svg, "text", "gh-chart-xlabel");
            assert!(!labels.is_empty(), "n = {n}");
            let shown = texts(&svg, "gh-chart-xlabel");
            let xs: Vec<f64> = labels.iter().map(|l| attr_f(l, "x")).collect();
            for (w, pair) in xs.windows(2).zip(shown.windows(2)) {
                let half_widths = (text_width(&pair[0], TICK_SIZE) + text_width(&pair[1], TICK_SIZE)) / 2.0;
                assert!(w[1] - w[0] >= half_widths, "n = {n}: {pair:?} at {w:?}");
            }
            // Labels stay inside the viewBox.
            for (x, text) in xs.iter().zip(&shown) {
                let half = text_width(text, TICK_SIZE) / 2.0;
                assert!(x - half >= 0.0 && x + half <= VIEW_W, "n = {n}: {text} at {x}");
            }
        }
        let (x, series) = sample_line();
        let svg = line_chart("t", &x, &series);
        let shown = texts(&svg, "gh-chart-xlabel");
        assert!(shown.len() >= 6 && shown.len() < 24, "{shown:?}");
        assert_eq!(shown[0], "Jan 2024");
    }

    #[test]
    fn line_chart_description_summarises_each_series() {
        let x = strings(&["Jan 2024", "Feb 2024", "Mar 2024"]);
        let svg = line_chart("t", &x, &[Series::new("Joins", vec![1_200, 3, 40]), Series::new("Lapses", vec![])]);
        let d = desc(&svg);
        assert!(d.contains("Joins from Jan 2024 to Mar 2024"), "{d}");
        assert!(d.contains("lowest 3 (Feb 2024)"), "{d}");
        assert!(d.contains("highest 1,200 (Jan 2024)"), "{d}");
        assert!(d.contains("total 1,243"), "{d}");
        assert!(d.contains("Lapses: no data."), "{d}");
    }

    #[test]
    fn line_chart_empty_inputs_show_no_data() {
        let x = strings(&["Jan"]);
        for svg in [
            line_chart("t", &[], &[Series::new("a", vec![1])]),
            line_chart("t", &x, &[]),
            line_chart("t", &x, &[Series::new("a", vec![])]),
        ] {
            assert_eq!(texts(&svg, "gh-chart-empty"), ["No data"]);
            assert!(tags(&svg, "polyline").is_empty());
        }
        // A single point renders a marker but no line; all-zero data is still data.
        let svg = line_chart("t", &x, &[Series::new("a", vec![0])]);
        assert!(texts(&svg, "gh-chart-empty").is_empty());
        assert_eq!(with_class(&svg, "circle", "gh-chart-marker").len(), 2);
        assert_eq!(texts(&svg, "gh-chart-tick"), ["0", "1"]);
    }

    #[test]
    fn grouped_bars_heights_are_proportional_and_missing_values_skipped() {
        let (cats, series) = sample_grouped();
        let svg = grouped_bars("Retention by join cohort", &cats, &series);
        let bars = with_class(&svg, "rect", "gh-chart-bar");
        assert_eq!(bars.len(), 4 + 3 + 2);
        assert_eq!(texts(&svg, "gh-chart-tick"), ["0", "20", "40", "60", "80", "100"]);
        let zero_y = attr_f(with_class(&svg, "line", "gh-chart-axis")[0], "y1");
        let top_y = attr_f(with_class(&svg, "line", "gh-chart-grid").last().expect("grid"), "y1");
        let values = [91.0, 88.0, 86.0, 90.0, 80.0, 77.0, 74.0, 72.0, 70.0];
        for (bar, v) in bars.iter().zip(values) {
            let h = attr_f(bar, "height");
            assert!((h - v / 100.0 * (zero_y - top_y)).abs() < 0.02, "{bar}");
            assert!((attr_f(bar, "y") + h - zero_y).abs() < 0.02, "bars stand on the zero line");
        }
        // Bars do not overlap and stay within their group, in category order.
        let mut spans: Vec<(f64, f64)> =
            bars.iter().map(|b| (attr_f(b, "x"), attr_f(b, "x") + attr_f(b, "width"))).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
        assert_eq!(texts(&svg, "gh-chart-legend-label"), ["After 1 year", "After 2 years", "After 3 years"]);
        assert_eq!(texts(&svg, "gh-chart-xlabel"), ["2021", "2022", "2023", "2024"]);
        assert!(texts(&svg, "gh-chart-value").contains(&"91".to_owned()));
        assert!(svg.contains("<title>2021, After 1 year: 91</title>"));
        let d = desc(&svg);
        assert!(d.starts_with("2021: After 1 year 91, After 2 years 80, After 3 years 72."), "{d}");
        assert!(d.ends_with("2024: After 1 year 90."), "{d}");
    }

    #[test]
    fn grouped_bars_legend_colours_are_distinct() {
        let (cats, series) = sample_grouped();
        let svg = grouped_bars("t", &cats, &series);
        let groups = tags(&svg, "g");
        let fills: Vec<&str> = groups
            .iter()
            .filter(|g| attr(g, "class").is_some_and(|c| c.contains("gh-chart-series")))
            .filter_map(|g| attr(g, "fill"))
            .collect();
        assert_eq!(fills, PALETTE[..3]);
    }

    #[test]
    fn grouped_bars_handle_negatives_many_groups_and_empty_input() {
        let svg = grouped_bars("Net change", &strings(&["A", "B"]), &[Series::new("Net", vec![-30, 50])]);
        let ticks = texts(&svg, "gh-chart-tick");
        assert_eq!(ticks.first().map(String::as_str), Some("-40"));
        let bars = with_class(&svg, "rect", "gh-chart-bar");
        assert!(bars.iter().all(|b| attr_f(b, "height") > 0.0));

        let cats: Vec<String> = (1950..2025).map(|y| y.to_string()).collect();
        let many = vec![Series::new("1y", vec![50; 75]), Series::new("2y", vec![40; 75])];
        let svg = grouped_bars("t", &cats, &many);
        let xs: Vec<f64> = with_class(&svg, "text", "gh-chart-xlabel").iter().map(|l| attr_f(l, "x")).collect();
        assert!(xs.len() < 75 && xs.windows(2).all(|w| w[1] - w[0] >= text_width("2024", TICK_SIZE) + X_LABEL_GAP));
        // Bars too narrow for their value text get no label (the tooltip still has it).
        assert!(texts(&svg, "gh-chart-value").is_empty());

        for svg in [
            grouped_bars("t", &[], &many),
            grouped_bars("t", &cats, &[]),
            grouped_bars("t", &cats, &[Series::new("x", vec![])]),
        ] {
            assert_eq!(texts(&svg, "gh-chart-empty"), ["No data"]);
        }
    }

    #[test]
    fn coordinates_are_formatted_compactly() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
    }
}
