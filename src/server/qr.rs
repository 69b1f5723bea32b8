//! QR images (PNG/SVG) of a code's scan URL, for print proofs:
//!
//! * `GET /qr/code.png?code=<code>&ec=L|M|Q|H&scale=<px per module, 1–40>&margin=<modules, 0–16>`
//!   (`size=<px>` instead of `scale` picks the largest scale that fits that width);
//! * `GET /qr/code.svg?code=<code>&ec=…&margin=…`.
//!
//! Signed-in people with 二维码查询 (view) only, and only for codes of their own enterprise (any
//! other code answers 404, exactly like an invalid one). The QR carries
//! [`CodeKeys::qr_text`](super::code_keys::CodeKeys::qr_text): the scan URL in capitals, which
//! the encoder puts in alphanumeric mode, the smallest symbol for it. Defaults: ec M, 8 px per
//! module, the standard 4-module quiet zone.
//!
//! The drawing (symbol, 1-bit PNG, SVG, and print-sized PNGs with a logo in the centre) is
//! shared with the promotion codes' downloads (`super::promotion`).

use super::auth::internal;
use super::context::locale_of;
use super::exports::{permitted_user, refusal};
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::domain::scan::ScanMsg;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;

pub const MAX_SCALE: u32 = 40;
pub const MAX_MARGIN: u32 = 16;

pub fn routes() -> Router<AppState> {
    Router::new().route("/qr/code.png", get(png_image)).route("/qr/code.svg", get(svg_image))
}

/// The query string, read as text so every wrong value gets its own message.
#[derive(Deserialize, Default)]
struct Params {
    code: Option<String>,
    ec: Option<String>,
    scale: Option<String>,
    size: Option<String>,
    margin: Option<String>,
}

/// A QR symbol to draw: its modules (row-major, `width`²) and the quiet zone around it.
pub(super) struct Symbol {
    /// What the image is titled and named after.
    code: String,
    ec: char,
    width: usize,
    dark: Vec<bool>,
    margin: u32,
}

impl Symbol {
    /// The symbol of `text` at error-correction level `ec` (L, M, Q or H) with the standard
    /// 4-module quiet zone, titled `title`.
    pub(super) fn new(text: &str, ec: char, title: String) -> anyhow::Result<Symbol> {
        let level = match ec {
            'L' => EcLevel::L,
            'Q' => EcLevel::Q,
            'H' => EcLevel::H,
            _ => EcLevel::M,
        };
        let qr = QrCode::with_error_correction_level(text, level)?;
        let dark = qr.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(Symbol { code: title, ec, width: qr.width(), dark, margin: 4 })
    }

    /// Side of the image in modules, quiet zone included.
    fn side(&self) -> u32 {
        self.width as u32 + 2 * self.margin
    }

    fn is_dark(&self, x: u32, y: u32) -> bool {
        let (m, w) = (self.margin, self.width as u32);
        x >= m && y >= m && x < m + w && y < m + w && self.dark[((y - m) * w + (x - m)) as usize]
    }
}

/// The query parameters (all optional text; a malformed query string reads as none).
fn params(parts: &Parts) -> Params {
    Query::<Params>::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default()
}

fn bad(msg: ScanMsg) -> AppError {
    AppError::Refused(Msg::Scan(msg))
}

/// The error-correction level asked for (default M).
fn parse_ec(ec: Option<&str>) -> AppResult<char> {
    match ec.map(str::trim).unwrap_or("M").to_ascii_uppercase().as_str() {
        l @ ("L" | "M" | "Q" | "H") => Ok(l.chars().next().expect("one letter")),
        _ => Err(bad(ScanMsg::QrEcLevel)),
    }
}

fn parse_number(value: Option<&str>, default: u32, range: std::ops::RangeInclusive<u32>, err: ScanMsg) -> AppResult<u32> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => v.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| bad(err)),
    }
}

/// Checks the request: signed in with 二维码查询, a code of the person's enterprise, valid
/// parameters; returns the symbol to draw.
async fn symbol(state: &AppState, parts: &Parts, p: &Params) -> AppResult<Symbol> {
    let user = permitted_user(state, parts, Function::CodeQuery, Level::View).await?;
    let code = p.code.as_deref().and_then(crate::domain::codes::parse_input).ok_or(AppError::NotFound)?;
    let resolved = state.codes.resolve(&state.db.system, &code).await.map_err(internal)?;
    if resolved.is_none_or(|r| r.enterprise_id != user.enterprise_id) {
        return Err(AppError::NotFound);
    }
    let ec = parse_ec(p.ec.as_deref())?;
    let margin = parse_number(p.margin.as_deref(), 4, 0..=MAX_MARGIN, ScanMsg::QrMargin { max: MAX_MARGIN })?;
    let mut symbol = Symbol::new(&state.codes.qr_text(&code), ec, code).map_err(internal)?;
    symbol.margin = margin;
    Ok(symbol)
}

/// Pixels per module: `scale`, or the largest that keeps the image within `size` pixels.
fn pixels_per_module(p: &Params, side: u32) -> AppResult<u32> {
    let err = || bad(ScanMsg::QrScale { max: MAX_SCALE });
    match (p.scale.as_deref().map(str::trim).filter(|s| !s.is_empty()), p.size.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (None, Some(size)) => {
            let size: u32 = size.parse().ok().filter(|s| *s > 0).ok_or_else(err)?;
            Ok((size / side).clamp(1, MAX_SCALE))
        }
        (scale, _) => parse_number(scale, 8, 1..=MAX_SCALE, ScanMsg::QrScale { max: MAX_SCALE }),
    }
}

/// A 1-bit grayscale PNG, `scale` pixels per module.
fn png_bytes(s: &Symbol, scale: u32) -> anyhow::Result<Vec<u8>> {
    let px = s.side() * scale;
    let row_bytes = px.div_ceil(8) as usize;
    let mut data = vec![0u8; row_bytes * px as usize];
    for y in 0..px {
        let row = &mut data[y as usize * row_bytes..][..row_bytes];
        for x in 0..px {
            // Bit 1 is white; the most significant bit is the leftmost pixel.
            if !s.is_dark(x / scale, y / scale) {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, px, px);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// An SVG with one unit per module: a white background and one path of dark squares.
fn svg_text(s: &Symbol) -> String {
    svg_with_logo(s, None)
}

/// [`svg_text`], with a PNG logo (its bytes) centred on a white square when given.
pub(super) fn svg_with_logo(s: &Symbol, logo_png: Option<&[u8]>) -> String {
    let side = s.side();
    let mut path = String::with_capacity(s.width * s.width * 4);
    for y in 0..side {
        for x in 0..side {
            if s.is_dark(x, y) {
                path.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"{w}\" height=\"{w}\" shape-rendering=\"crispEdges\">\
         <title>{code}</title><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/>{logo}</svg>\n",
        w = side * 8,
        code = s.code,
        logo = logo_png.map(|png| svg_logo(s, png)).unwrap_or_default(),
    )
}

/// The logo's place: a centred square of [`LOGO_SHARE`] of the symbol's side, on a white square
/// one module wider on each side. Returns (white square's start, its side, logo's start, its
/// side), in modules.
fn logo_box(s: &Symbol) -> (f64, f64, f64, f64) {
    let logo = s.width as f64 * LOGO_SHARE;
    let pad = logo + 2.0;
    let centre = s.side() as f64 / 2.0;
    (centre - pad / 2.0, pad, centre - logo / 2.0, logo)
}

fn svg_logo(s: &Symbol, png: &[u8]) -> String {
    use base64::Engine;
    let (pad_at, pad, logo_at, logo) = logo_box(s);
    format!(
        "<rect x=\"{pad_at}\" y=\"{pad_at}\" width=\"{pad}\" height=\"{pad}\" fill=\"#fff\"/>\
         <image x=\"{logo_at}\" y=\"{logo_at}\" width=\"{logo}\" height=\"{logo}\" preserveAspectRatio=\"xMidYMid meet\" href=\"data:image/png;base64,{}\"/>",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// Share of the symbol's side a centred logo may cover: (0.22)² ≈ 5 % of its modules, well
/// within what level H (≈ 30 %) restores.
pub(super) const LOGO_SHARE: f64 = 0.22;

/// A decoded logo: RGBA, 8 bits per channel.
pub(super) struct Logo {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Logo {
    /// Decodes a PNG of any colour type into RGBA.
    pub(super) fn decode(png_bytes: &[u8]) -> anyhow::Result<Logo> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info()?;
        let mut buf = vec![0u8; reader.output_buffer_size().ok_or_else(|| anyhow::anyhow!("image too large"))?];
        let info = reader.next_frame(&mut buf)?;
        let (w, h) = (info.width, info.height);
        let px = (w * h) as usize;
        let rgba = match info.color_type {
            png::ColorType::Rgba => buf[..px * 4].to_vec(),
            png::ColorType::Rgb => buf[..px * 3].chunks(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
            png::ColorType::GrayscaleAlpha => buf[..px * 2].chunks(2).flat_map(|c| [c[0], c[0], c[0], c[1]]).collect(),
            png::ColorType::Grayscale => buf[..px].iter().flat_map(|&g| [g, g, g, 255]).collect(),
            png::ColorType::Indexed => anyhow::bail!("palette not expanded"),
        };
        Ok(Logo { width: w, height: h, rgba })
    }

    /// The logo's colour at (u, v) ∈ [0, 1)², nearest pixel, over white.
    fn rgb_at(&self, u: f64, v: f64) -> [u8; 3] {
        let x = ((u * self.width as f64) as u32).min(self.width - 1);
        let y = ((v * self.height as f64) as u32).min(self.height - 1);
        let i = ((y * self.width + x) * 4) as usize;
        let a = self.rgba[i + 3] as u32;
        let over_white = |c: u8| ((c as u32 * a + 255 * (255 - a)) / 255) as u8;
        [over_white(self.rgba[i]), over_white(self.rgba[i + 1]), over_white(self.rgba[i + 2])]
    }
}

/// A print-ready PNG exactly `px` pixels wide, marked as `dpi` dots per inch: whole pixels per
/// module (the remainder widens the quiet zone evenly), optionally with a logo in the centre
/// (then RGB, else 1-bit grey). Rows are streamed to the encoder, so a 50 cm image
/// (5,906 px square) never exists unencoded in memory.
pub(super) fn png_printed(s: &Symbol, px: u32, dpi: u32, logo: Option<&Logo>) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let scale = (px / s.side()).max(1);
    let px = px.max(s.side());
    let offset = (px - scale * s.side()) / 2;
    let module_of = |p: u32| (p.checked_sub(offset)).map(|q| q / scale).filter(|m| *m < s.side());
    let dark = |x: u32, y: u32| matches!((module_of(x), module_of(y)), (Some(mx), Some(my)) if s.is_dark(mx, my));
    // The logo's square in pixels (white pad, then logo), when there is one.
    let (pad_at, pad, logo_at, logo_side) = logo_box(s);
    let to_px = |m: f64| (offset as f64 + m * scale as f64).round() as u32;
    let (pad0, pad1, logo0, logo1) = (to_px(pad_at), to_px(pad_at + pad), to_px(logo_at), to_px(logo_at + logo_side));
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, px, px);
    let ppm = (dpi as f64 / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
    encoder.set_compression(png::Compression::Fast);
    match logo {
        None => {
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::One);
        }
        Some(_) => {
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
        }
    }
    let mut writer = encoder.write_header()?;
    let mut stream = writer.stream_writer()?;
    let row_bytes = if logo.is_some() { px as usize * 3 } else { px.div_ceil(8) as usize };
    let mut row = vec![0u8; row_bytes];
    for y in 0..px {
        row.fill(0);
        for x in 0..px {
            match logo {
                None => {
                    // Bit 1 is white; the most significant bit is the leftmost pixel.
                    if !dark(x, y) {
                        row[(x / 8) as usize] |= 0x80 >> (x % 8);
                    }
                }
                Some(l) => {
                    let in_ = |a: u32, b: u32, v: u32| v >= a && v < b;
                    let rgb = if in_(logo0, logo1, x) && in_(logo0, logo1, y) {
                        let span = (logo1 - logo0) as f64;
                        l.rgb_at((x - logo0) as f64 / span, (y - logo0) as f64 / span)
                    } else if (in_(pad0, pad1, x) && in_(pad0, pad1, y)) || !dark(x, y) {
                        [255; 3]
                    } else {
                        [0; 3]
                    };
                    row[x as usize * 3..][..3].copy_from_slice(&rgb);
                }
            }
        }
        stream.write_all(&row)?;
    }
    stream.finish()?;
    writer.finish()?;
    Ok(out)
}

fn image(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A code's image never changes; it is still one enterprise's business, so private.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

async fn png_image(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = params(&parts);
    let drawn = async {
        let s = symbol(&state, &parts, &p).await?;
        let scale = pixels_per_module(&p, s.side())?;
        let bytes = png_bytes(&s, scale).map_err(internal)?;
        Ok::<_, AppError>((format!("{}-{}.png", s.code, s.ec), bytes))
    };
    match drawn.await {
        Ok((name, bytes)) => image("image/png", name, bytes),
        Err(e) => refusal(&e, locale_of(&parts)),
    }
}

async fn svg_image(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = params(&parts);
    match symbol(&state, &parts, &p).await {
        Ok(s) => image("image/svg+xml; charset=utf-8", format!("{}-{}.svg", s.code, s.ec), svg_text(&s).into_bytes()),
        Err(e) => refusal(&e, locale_of(&parts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbol_of(text: &str, margin: u32) -> Symbol {
        let mut s = Symbol::new(text, 'M', "X".into()).unwrap();
        s.margin = margin;
        s
    }

    #[test]
    fn parameters() {
        assert_eq!(parse_ec(None).unwrap(), 'M');
        assert_eq!(parse_ec(Some("h")).unwrap(), 'H');
        assert!(parse_ec(Some("X")).is_err());
        assert_eq!(parse_number(None, 4, 0..=16, ScanMsg::QrMargin { max: 16 }).unwrap(), 4);
        assert!(parse_number(Some("17"), 4, 0..=16, ScanMsg::QrMargin { max: 16 }).is_err());
        assert!(parse_number(Some("-1"), 4, 0..=16, ScanMsg::QrMargin { max: 16 }).is_err());
        let p = |scale: Option<&str>, size: Option<&str>| Params {
            scale: scale.map(Into::into),
            size: size.map(Into::into),
            ..Default::default()
        };
        assert_eq!(pixels_per_module(&p(None, None), 33).unwrap(), 8);
        assert_eq!(pixels_per_module(&p(Some("3"), Some("999")), 33).unwrap(), 3);
        assert_eq!(pixels_per_module(&p(None, Some("330")), 33).unwrap(), 10);
        assert_eq!(pixels_per_module(&p(None, Some("10")), 33).unwrap(), 1);
        assert!(pixels_per_module(&p(Some("41"), None), 33).is_err());
        assert!(pixels_per_module(&p(Some("0"), None), 33).is_err());
    }

    #[test]
    fn uppercase_urls_use_alphanumeric_mode() {
        // 47 alphanumeric characters fit version 3-M (61); in byte mode (42) they would need version 4.
        let qr = QrCode::with_error_correction_level("HTTPS://SCAN.EXAMPLE.COM/S/1ABCDEFGHJKMNPQRSTVW", EcLevel::M).unwrap();
        assert_eq!(qr.version(), qrcode::Version::Normal(3));
    }

    #[test]
    fn images_have_the_quiet_zone_and_finder_patterns() {
        let s = symbol_of("HTTPS://SCAN.EXAMPLE.COM/S/1ABC", 4);
        assert_eq!(s.side(), s.width as u32 + 8);
        assert!(!s.is_dark(3, 3));
        assert!(s.is_dark(4, 4), "the top-left finder pattern starts right after the quiet zone");
        let png = png_bytes(&s, 2).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = svg_text(&s);
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", s.side())));
        assert_eq!(svg.matches("h1v1h-1z").count(), s.dark.iter().filter(|d| **d).count());
    }
}
