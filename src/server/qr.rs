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

use super::auth::internal;
use super::context::locale_of;
use super::exports::{refusal, session_user};
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
struct Symbol {
    code: String,
    ec: char,
    width: usize,
    dark: Vec<bool>,
    margin: u32,
}

impl Symbol {
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

fn parse_ec(ec: Option<&str>) -> AppResult<(EcLevel, char)> {
    Ok(match ec.map(str::trim).unwrap_or("M").to_ascii_uppercase().as_str() {
        "L" => (EcLevel::L, 'L'),
        "M" => (EcLevel::M, 'M'),
        "Q" => (EcLevel::Q, 'Q'),
        "H" => (EcLevel::H, 'H'),
        _ => return Err(bad(ScanMsg::QrEcLevel)),
    })
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
    let user = session_user(state, parts).await?;
    if !user.grants.allows(Function::CodeQuery, Level::View) {
        return Err(AppError::Forbidden { function: Function::CodeQuery, level: Level::View });
    }
    let code = p.code.as_deref().and_then(crate::domain::codes::parse_input).ok_or(AppError::NotFound)?;
    let resolved = state.codes.resolve(&state.db.system, &code).await.map_err(internal)?;
    if resolved.is_none_or(|r| r.enterprise_id != user.enterprise_id) {
        return Err(AppError::NotFound);
    }
    let (level, ec) = parse_ec(p.ec.as_deref())?;
    let margin = parse_number(p.margin.as_deref(), 4, 0..=MAX_MARGIN, ScanMsg::QrMargin { max: MAX_MARGIN })?;
    let qr = QrCode::with_error_correction_level(state.codes.qr_text(&code), level).map_err(internal)?;
    let dark = qr.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    Ok(Symbol { code, ec, width: qr.width(), dark, margin })
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
         <title>{code}</title><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n",
        w = side * 8,
        code = s.code,
    )
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
        let qr = QrCode::with_error_correction_level(text, EcLevel::M).unwrap();
        Symbol {
            code: "X".into(),
            ec: 'M',
            width: qr.width(),
            dark: qr.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
            margin,
        }
    }

    #[test]
    fn parameters() {
        assert_eq!(parse_ec(None).unwrap().1, 'M');
        assert_eq!(parse_ec(Some("h")).unwrap().1, 'H');
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
