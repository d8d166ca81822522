//! Assembling the page with maud templates, which escape every spliced
//! value by construction: number formats, tables, sections, and the one
//! stylesheet. The page is one file with no scripts and no external
//! resources, so it reads offline and prints as it shows.
//!
//! Markup enters a page only through `html!`; the one exception is
//! [`Svg`], a chart that `plotters` drew (escaping its text as it writes
//! it) or a map that [`super::charts`] built with `html!` itself.

pub use maud::{Markup, PreEscaped, Render, html};

/// An SVG drawing, already markup: rendered as it is.
#[derive(Clone, Debug)]
pub struct Svg(pub String);

impl std::ops::Deref for Svg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Render for Svg {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(&self.0);
    }
}

/// An integer with thousands separators: 12,345.
pub fn fmt_int(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A number for a label or a cell: integers with separators, others with
/// three or four significant figures.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v == v.round() && v.abs() < 1e12 {
        return fmt_int(v);
    }
    let a = v.abs();
    let text = if a >= 1000.0 {
        return fmt_int(v);
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        return format!("{v:.2e}");
    };
    // 0.300 reads as 0.3.
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A share as a percentage: 0.553 -> "55%" (one decimal below 10%).
pub fn fmt_pct(share: f64) -> String {
    if !share.is_finite() {
        return "-".into();
    }
    let p = share * 100.0;
    if p.abs() < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// Whether a table cell reads as a number (right-aligned).
fn numeric(cell: &str) -> bool {
    cell.trim_start_matches(['-', '+', '~'])
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// A table: a header row and rows of cells already formatted. Cells that
/// look numeric are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], class: &str) -> Markup {
    html! {
        table class=(class) {
            thead { tr { @for h in headers { th { (h) } } } }
            tbody {
                @for row in rows {
                    tr { @for cell in row { td class=[numeric(cell).then_some("n")] { (cell) } } }
                }
            }
        }
    }
}

/// A table whose last row is a total (class `total`): each of its cells
/// with the column it totals (`data-column`) and its text.
pub fn table_with_total(
    headers: &[&str],
    rows: &[Vec<String>],
    total: &[(String, String)],
    class: &str,
) -> Markup {
    html! {
        table class=(class) {
            thead { tr { @for h in headers { th { (h) } } } }
            tbody {
                @for row in rows {
                    tr { @for cell in row { td class=[numeric(cell).then_some("n")] { (cell) } } }
                }
                tr.total { @for (column, cell) in total { td.n data-column=(column) { (cell) } } }
            }
        }
    }
}

/// A page under construction: a title, a plain-language summary, and
/// sections, each with its anchor, heading and body.
pub struct Page {
    title: String,
    subtitle: String,
    summary: Vec<String>,
    sections: Vec<(String, String, Markup)>,
}

impl Page {
    pub fn new(title: impl Into<String>, subtitle: impl Into<String>) -> Page {
        Page {
            title: title.into(),
            subtitle: subtitle.into(),
            summary: Vec::new(),
            sections: Vec::new(),
        }
    }

    /// A sentence of the plain-language summary at the top.
    pub fn summary(&mut self, sentence: impl Into<String>) {
        self.summary.push(sentence.into());
    }

    /// A section: `id` (its anchor), heading, and body.
    pub fn section(&mut self, id: &str, heading: &str, body: Markup) {
        self.sections
            .push((id.to_string(), heading.to_string(), body));
    }

    pub fn finish(self) -> String {
        let page = html! {
            (maud::DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) }
                    style { (PreEscaped(STYLE)) }
                }
                body { main {
                    header { h1 { (self.title) } p.sub { (self.subtitle) } }
                    @if !self.summary.is_empty() {
                        section.summary #summary { @for p in &self.summary { p { (p) } } }
                    }
                    nav { @for (id, heading, _) in &self.sections { a href={ "#" (id) } { (heading) } } }
                    @for (id, heading, body) in &self.sections {
                        section id=(id) { h2 { (heading) } (body) }
                    }
                    footer {
                        "Made by " code { "crimesim report" } ". A simulation, not a forecast: \
                         the figures describe the model's world under its assumptions."
                    }
                } }
            }
        };
        let mut s = page.into_string();
        s.push('\n');
        s
    }
}

/// A paragraph of plain text.
pub fn para(text: &str) -> Markup {
    html! { p { (text) } }
}

/// A note: a paragraph in smaller grey type.
pub fn note(text: &str) -> Markup {
    html! { p.note { (text) } }
}

/// A third-level heading.
pub fn h3(text: &str) -> Markup {
    html! { h3 { (text) } }
}

/// A figure: a drawing with a caption.
pub fn figure(svg: &Svg, caption: &str) -> Markup {
    html! { figure { (svg) figcaption { (caption) } } }
}

/// Items side by side, wrapping on narrow screens.
pub fn row<T: Render>(items: &[T]) -> Markup {
    html! { div.row { @for item in items { (item) } } }
}

/// Parts one after the other.
pub fn join(parts: Vec<Markup>) -> Markup {
    html! { @for p in &parts { (p) } }
}

/// Markup folded under a summary line.
pub fn details(summary: &str, body: Markup) -> Markup {
    html! { details { summary { (summary) } (body) } }
}

/// Text shown as it is, in a fixed-width block.
pub fn pre(text: &str) -> Markup {
    html! { pre { (text) } }
}

const STYLE: &str = "\
body{margin:0;background:#f6f6f4;color:#222;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}\
header h1{font-size:30px;margin:8px 0 0}\
.sub{color:#555;margin:4px 0 16px}\
.summary{background:#eef4f8;border-left:5px solid #0072b2;padding:10px 18px;margin:12px 0 18px;font-size:18px}\
.summary p{margin:6px 0}\
nav{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:14px;margin-bottom:8px}\
nav a{color:#0072b2;text-decoration:none}\
h2{font-size:23px;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:34px}\
h3{font-size:18px;margin:20px 0 6px}\
figure{margin:8px 0;display:inline-block;vertical-align:top}\
figcaption{font-size:13px;color:#555;max-width:560px}\
.row{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}\
svg{max-width:100%;height:auto}\
table{border-collapse:collapse;font-size:14px;margin:8px 0 12px}\
th,td{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:left}\
th{background:#f1f1f1;font-weight:600}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
tr.total td{font-weight:700;border-top:2px solid #999}\
table.knox td.hi{background:#fde0c5}\
pre{background:#f4f4f4;padding:10px 14px;font-size:13px;overflow-x:auto;max-height:520px}\
.note{color:#555;font-size:14px}\
.warn{background:#fff4e5;border-left:4px solid #e69f00;padding:6px 12px}\
footer{margin-top:40px;color:#777;font-size:13px}\
@media print{body{background:#fff}main{padding:0}nav{display:none}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(fmt_int(3828.0), "3,828");
        assert_eq!(fmt_int(-1234567.0), "-1,234,567");
        assert_eq!(fmt_int(12.0), "12");
        assert_eq!(fmt_num(0.5161), "0.516");
        assert_eq!(fmt_num(293.46), "293.5");
        assert_eq!(fmt_num(0.3), "0.3");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_pct(0.553), "55%");
        assert_eq!(fmt_pct(0.0312), "3.1%");
    }

    #[test]
    fn report_text_is_escaped() {
        let hostile = "<script>alert(\"x\")</script> & more";
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more";
        assert_eq!(html! { (hostile) }.into_string(), escaped);
        let t = table(&[hostile], &[vec![hostile.into()]], "t").into_string();
        assert!(!t.contains("<script>") && t.contains(escaped), "{t}");
        let mut page = Page::new(hostile, hostile);
        page.summary(hostile);
        page.section("s\"x", hostile, para(hostile));
        let page = page.finish();
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("id=\"s&quot;x\""),
            "attributes are escaped too"
        );
        assert_eq!(
            page.matches(escaped).count(),
            7,
            "title, h1, subtitle, summary, nav, h2, para"
        );
    }
}
