//! Documents of headings, paragraphs and tables as A4 PDF pages, set in
//! one font that has both Chinese and Latin letters: the operator's
//! (`pdf_font` in the configuration) or the first such font installed
//! (`PdfFont::find`). krilla embeds only the glyphs used; the text stays
//! text (searchable, copyable).
//!
//! Layout is done here, in two passes: blocks are broken into lines and
//! pages first, so that each page can say "page 2 of 5", then drawn.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

/// Where Debian and Ubuntu (fonts-noto-cjk, fonts-wqy-*, fonts-droid-*)
/// put fonts with Chinese letters, and where Fedora, Arch and Alpine put
/// Noto Sans CJK; most legible first.
const KNOWN_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// A font able to set both languages' text, read once at start.
#[derive(Clone)]
pub struct PdfFont {
    data: Arc<Vec<u8>>,
    /// The face of a collection: the Simplified Chinese one where it has
    /// several (Noto Sans CJK's first is Japanese).
    index: u32,
    path: PathBuf,
    font: Font,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfFont").field("path", &self.path).finish()
    }
}

impl PdfFont {
    /// The configured font (an error if it cannot serve), else the first
    /// known one installed, else none: PDF is then refused with a reason.
    pub fn find(configured: Option<&Path>) -> anyhow::Result<Option<PdfFont>> {
        if let Some(path) = configured {
            return PdfFont::load(path).map(Some);
        }
        Ok(KNOWN_FONTS
            .iter()
            .map(Path::new)
            .filter(|p| p.is_file())
            .find_map(|p| PdfFont::load(p).ok()))
    }

    /// Reads `path`, checks that it has Chinese and Latin letters and
    /// digits, and sets a line with it, so that a font that cannot serve
    /// stops the server at start rather than failing each PDF.
    pub fn load(path: &Path) -> anyhow::Result<PdfFont> {
        let shown = path.display();
        let data = std::fs::read(path).with_context(|| format!("pdf_font {shown}: cannot read"))?;
        let index = simplified_chinese_face(&data);
        let face = ttf_parser::Face::parse(&data, index).map_err(|e| {
            anyhow::anyhow!("pdf_font {shown}: not a TrueType or OpenType font ({e})")
        })?;
        if let Some(c) = SAMPLE.chars().find(|&c| face.glyph_index(c).is_none()) {
            anyhow::bail!(
                "pdf_font {shown}: has no `{c}`; a font with Chinese and Latin letters is needed \
                 (such as Noto Sans CJK or WenQuanYi Micro Hei)"
            );
        }
        let data = Arc::new(data);
        let font = Font::new(data.clone().into(), index)
            .ok_or_else(|| anyhow::anyhow!("pdf_font {shown}: the PDF writer cannot read it"))?;
        let font = PdfFont {
            data,
            index,
            path: path.to_path_buf(),
            font,
        };
        let sample = [Block::Title(SAMPLE.into())];
        let doc = Doc {
            title: SAMPLE,
            lang: "zh-CN",
            blocks: &sample,
            footer: &|_, _| String::new(),
        };
        render(&font, &doc)
            .with_context(|| format!("pdf_font {shown}: cannot set text in a PDF"))?;
        Ok(font)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What a font must set: both scripts, digits and a sign.
const SAMPLE: &str = "通报Aa0%";

/// The face of a font collection named for Simplified Chinese (`... SC`),
/// else the first.
fn simplified_chinese_face(data: &[u8]) -> u32 {
    let faces = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    (0..faces)
        .find(|&i| {
            ttf_parser::Face::parse(data, i).is_ok_and(|face| {
                face.names().into_iter().any(|n| {
                    n.name_id == ttf_parser::name_id::FAMILY
                        && n.to_string().is_some_and(|s| s.ends_with(" SC"))
                })
            })
        })
        .unwrap_or(0)
}

/// What a document is made of, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// Small grey text: who made it, when.
    Meta(String),
    Heading(String),
    /// Text a reader must not miss, in amber.
    Note(String),
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A document: its blocks, its title and language for the PDF's own
/// metadata, and the footer of each page from its number and the count.
pub struct Doc<'a> {
    pub title: &'a str,
    pub lang: &'a str,
    pub blocks: &'a [Block],
    pub footer: &'a dyn Fn(usize, usize) -> String,
}

impl std::fmt::Debug for Doc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Doc")
            .field("title", &self.title)
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

// A4 landscape, in points: the bulletin's tables are wide.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 36.0;
const BODY: f32 = 8.5;
const PAD: f32 = 3.0;
const LINE: f32 = 1.3;

const INK: (u8, u8, u8) = (0x1d, 0x29, 0x39);
const GREY: (u8, u8, u8) = (0x66, 0x70, 0x85);
const AMBER: (u8, u8, u8) = (0xb5, 0x47, 0x08);
const RULE: (u8, u8, u8) = (0xd0, 0xd5, 0xdd);
const SHADE: (u8, u8, u8) = (0xf2, 0xf4, 0xf7);

/// The document as PDF bytes.
pub fn render(font: &PdfFont, doc: &Doc<'_>) -> anyhow::Result<Vec<u8>> {
    let face = ttf_parser::Face::parse(&font.data, font.index)?;
    let metrics = Metrics { face: &face };
    let pages = lay_out(&metrics, doc.blocks);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(doc.title.to_string())
            .language(doc.lang.to_string())
            .creator("Fieldcheck".to_string()),
    );
    let total = pages.len();
    let a4 = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| anyhow::anyhow!("page size"))?;
    for (n, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(a4.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &font.font, op);
        }
        let footer = (doc.footer)(n + 1, total);
        let width = metrics.width(&footer, BODY - 1.0);
        draw(
            &mut surface,
            &font.font,
            &Op::Text {
                x: PAGE_W - MARGIN - width,
                y: PAGE_H - MARGIN / 2.0,
                size: BODY - 1.0,
                colour: GREY,
                text: footer,
            },
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("writing the PDF: {e:?}"))
}

/// One thing drawn on a page; `y` of text is its baseline.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        colour: (u8, u8, u8),
        text: String,
    },
    Shade(Rect),
    Frame(Rect),
}

fn draw(surface: &mut Surface<'_>, font: &Font, op: &Op) {
    let fill = |c: (u8, u8, u8)| Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    let rect = |r: &Rect| {
        let mut pb = PathBuilder::new();
        pb.push_rect(*r);
        pb.finish()
    };
    match op {
        Op::Text {
            x,
            y,
            size,
            colour,
            text,
        } => {
            surface.set_fill(Some(fill(*colour)));
            surface.set_stroke(None);
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Shade(r) => {
            let Some(path) = rect(r) else { return };
            surface.set_stroke(None);
            surface.set_fill(Some(fill(SHADE)));
            surface.draw_path(&path);
        }
        Op::Frame(r) => {
            let Some(path) = rect(r) else { return };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(RULE.0, RULE.1, RULE.2).into(),
                width: 0.5,
                ..Default::default()
            }));
            surface.draw_path(&path);
        }
    }
}

/// Text widths from the font's advances.
struct Metrics<'f> {
    face: &'f ttf_parser::Face<'f>,
}

impl Metrics<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| self.advance(c)).sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    fn advance(&self, c: char) -> u32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        u32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
    }

    /// `text` broken into lines no wider than `max`: after a space or
    /// around a Chinese character where it can, anywhere where it must.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut width = 0.0;
            // Where `line` may be cut: its byte length and width there.
            let mut cut: Option<(usize, f32)> = None;
            for c in paragraph.chars() {
                let w = self.width(c.encode_utf8(&mut [0; 4]), size);
                // A space may hang past the end: it is cut off with the line.
                if width + w > max && !line.is_empty() && c != ' ' {
                    let (at, at_width) = cut.unwrap_or((line.len(), width));
                    let rest = line.split_off(at);
                    lines.push(line.trim_end().to_string());
                    line = rest.trim_start().to_string();
                    width = if rest.len() == line.len() {
                        width - at_width
                    } else {
                        self.width(&line, size)
                    };
                    cut = None;
                }
                if is_wide(c) && !line.is_empty() {
                    cut = Some((line.len(), width));
                }
                line.push(c);
                width += w;
                if c == ' ' || is_wide(c) {
                    cut = Some((line.len(), width));
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

/// A character a line may break before or after (CJK ideographs, kana,
/// full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Pages of operations, top to bottom.
struct Pages {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Pages {
    fn new() -> Pages {
        Pages {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    /// Room for `height` more, on a new page when this one is full (unless
    /// it is still empty: what does not fit an empty page overflows it).
    fn room(&mut self, height: f32) -> bool {
        let bottom = PAGE_H - MARGIN;
        let empty = self.pages.last().is_none_or(Vec::is_empty);
        if self.y + height > bottom && !empty {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            return true;
        }
        false
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Lines of text across the page, moving down, `before` below what
    /// came before; the first line with `keep` more below it (a heading
    /// with the start of its table).
    fn text(
        &mut self,
        m: &Metrics<'_>,
        text: &str,
        style: (f32, (u8, u8, u8)),
        before: f32,
        keep: f32,
    ) {
        let (size, colour) = style;
        let lines = m.wrap(text, size, PAGE_W - 2.0 * MARGIN);
        let step = size * LINE;
        if !self.room(before + step + keep) {
            self.y += before;
        }
        for line in lines {
            self.room(step);
            self.y += step;
            self.push(Op::Text {
                x: MARGIN,
                y: self.y - size * 0.25,
                size,
                colour,
                text: line,
            });
        }
    }
}

fn lay_out(m: &Metrics<'_>, blocks: &[Block]) -> Vec<Vec<Op>> {
    let mut pages = Pages::new();
    for block in blocks {
        match block {
            Block::Title(t) => pages.text(m, t, (15.0, INK), 0.0, 0.0),
            Block::Meta(t) => pages.text(m, t, (BODY, GREY), 2.0, 0.0),
            Block::Heading(t) => pages.text(m, t, (11.5, INK), 12.0, 4.0 * BODY * LINE),
            Block::Note(t) => pages.text(m, t, (BODY, AMBER), 4.0, 0.0),
            Block::Table { columns, rows } => table(m, &mut pages, columns, rows),
        }
    }
    pages.pages
}

fn table(m: &Metrics<'_>, pages: &mut Pages, columns: &[String], rows: &[Vec<String>]) {
    if columns.is_empty() {
        return;
    }
    let widths = column_widths(m, columns, rows, PAGE_W - 2.0 * MARGIN);
    let cells = |row: &[String]| -> Vec<Vec<String>> {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = row.get(i).map_or("", String::as_str);
                m.wrap(text, BODY, w - 2.0 * PAD)
            })
            .collect()
    };
    let height = |cells: &[Vec<String>]| {
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * BODY * LINE + 2.0 * PAD
    };
    let header = cells(columns);
    let header_height = height(&header);
    pages.y += 4.0;
    pages.room(header_height * 2.0);
    row(pages, &widths, &header, header_height, true);
    for r in rows {
        let cells = cells(r);
        let h = height(&cells);
        if pages.room(h) {
            row(pages, &widths, &header, header_height, true);
        }
        row(pages, &widths, &cells, h, false);
    }
}

fn row(pages: &mut Pages, widths: &[f32], cells: &[Vec<String>], height: f32, header: bool) {
    let mut x = MARGIN;
    for (w, lines) in widths.iter().zip(cells) {
        let Some(rect) = Rect::from_xywh(x, pages.y, *w, height) else {
            continue;
        };
        if header {
            pages.push(Op::Shade(rect));
        }
        pages.push(Op::Frame(rect));
        for (i, line) in lines.iter().enumerate() {
            pages.push(Op::Text {
                x: x + PAD,
                y: pages.y + PAD + (i as f32 + 1.0) * BODY * LINE - BODY * 0.3,
                size: BODY,
                colour: INK,
                text: line.clone(),
            });
        }
        x += w;
    }
    pages.y += height;
}

/// Each column as wide as its widest cell on one line where the page
/// allows; else narrow columns keep their width and wide ones share the
/// rest in proportion. Spare width is spread over all, so a table spans
/// the page.
fn column_widths(m: &Metrics<'_>, columns: &[String], rows: &[Vec<String>], page: f32) -> Vec<f32> {
    let natural: Vec<f32> = (0..columns.len())
        .map(|i| {
            std::iter::once(&columns[i])
                .chain(rows.iter().filter_map(|r| r.get(i)))
                .map(|t| m.width(t, BODY))
                .fold(0.0, f32::max)
                + 2.0 * PAD
                + 1.0
        })
        .collect();
    let total: f32 = natural.iter().sum();
    if total <= page {
        let extra = (page - total) / natural.len() as f32;
        return natural.iter().map(|w| w + extra).collect();
    }
    // The wide columns: those above a fair share of what is left.
    let mut wide = vec![true; natural.len()];
    loop {
        let narrow_sum: f32 = natural
            .iter()
            .zip(&wide)
            .filter(|(_, w)| !**w)
            .map(|(n, _)| n)
            .sum();
        let count = wide.iter().filter(|w| **w).count().max(1);
        let share = (page - narrow_sum) / count as f32;
        let mut changed = false;
        for (i, n) in natural.iter().enumerate() {
            if wide[i] && *n <= share {
                wide[i] = false;
                changed = true;
            }
        }
        if !changed {
            let wide_sum: f32 = natural
                .iter()
                .zip(&wide)
                .filter(|(_, w)| **w)
                .map(|(n, _)| n)
                .sum();
            let room = page - narrow_sum;
            return natural
                .iter()
                .zip(&wide)
                .map(|(n, w)| if *w { n * room / wide_sum } else { *n })
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The installed font's metrics (cargo xtask test installs one).
    fn with_metrics(test: impl FnOnce(&Metrics<'_>)) {
        let font = PdfFont::find(None)
            .expect("fonts readable")
            .expect("a font with Chinese letters installed (cargo xtask test installs one)");
        let face = ttf_parser::Face::parse(&font.data, font.index).expect("face");
        test(&Metrics { face: &face });
    }

    #[test]
    fn long_text_wraps_at_spaces_and_between_chinese_characters() {
        with_metrics(|m| {
            let english = m.wrap(
                "corrective actions opened and closed",
                BODY,
                m.width("corrective actions", BODY)
                    .max(m.width("opened and closed", BODY))
                    + 1.0,
            );
            assert_eq!(english, ["corrective actions", "opened and closed"]);
            let chinese = m.wrap(
                "整改任务新增关闭逾期",
                BODY,
                m.width("整改任务", BODY) + 0.5,
            );
            assert_eq!(chinese, ["整改任务", "新增关闭", "逾期"]);
            let word = m.wrap("abcdefgh", BODY, m.width("abc", BODY) + 0.1);
            assert_eq!(
                word,
                ["abc", "def", "gh"],
                "a word wider than the line is cut"
            );
            assert_eq!(m.wrap("a\nb", BODY, 100.0), ["a", "b"]);
        });
    }

    #[test]
    fn tables_span_the_page_and_repeat_their_header_on_the_next() {
        with_metrics(|m| {
            let rows: Vec<Vec<String>> = (0..80)
                .map(|i| vec![format!("门店 {i}"), format!("{:.1}", 50.0 + i as f32 / 2.0)])
                .collect();
            let blocks = [
                Block::Title("通报".into()),
                Block::Table {
                    columns: vec!["门店".into(), "得分".into()],
                    rows,
                },
            ];
            let pages = lay_out(m, &blocks);
            assert!(pages.len() >= 2, "80 rows take more than a page");
            for page in &pages[1..] {
                let first_text = page.iter().find_map(|op| match op {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                });
                assert_eq!(first_text, Some("门店"), "the header row comes first");
            }
            let right_edge = pages[0]
                .iter()
                .filter_map(|op| match op {
                    Op::Frame(r) => Some(r.right()),
                    _ => None,
                })
                .fold(0.0, f32::max);
            assert!((right_edge - (PAGE_W - MARGIN)).abs() < 0.5, "{right_edge}");
            for page in &pages {
                for op in page {
                    if let Op::Frame(r) = op {
                        assert!(
                            r.bottom() <= PAGE_H - MARGIN + 0.01,
                            "a row runs off the page"
                        );
                    }
                }
            }
        });
    }

    #[test]
    fn wide_tables_keep_narrow_columns_and_share_the_rest() {
        with_metrics(|m| {
            let long = "很长的说明文字".repeat(30);
            let widths = column_widths(
                m,
                &["#".into(), "说明".into(), "备注".into()],
                &[vec!["1".into(), long.clone(), long]],
                500.0,
            );
            assert!(
                (widths.iter().sum::<f32>() - 500.0).abs() < 0.01,
                "{widths:?}"
            );
            assert!(
                widths[0] < 20.0,
                "the number column keeps its width: {widths:?}"
            );
            assert!((widths[1] - widths[2]).abs() < 0.01, "{widths:?}");
        });
    }

    #[test]
    fn a_font_without_chinese_letters_is_refused_with_its_reason() {
        // fonts-dejavu-core, installed by cargo xtask test.
        let dejavu = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
        let e = PdfFont::load(dejavu).expect_err("no Chinese");
        assert!(e.to_string().contains("has no `通`"), "{e}");
        let e = PdfFont::load(Path::new("Cargo.toml")).expect_err("not a font");
        assert!(e.to_string().contains("not a TrueType"), "{e}");
    }
}
