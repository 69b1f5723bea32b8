//! Promotion codes over plain HTTP:
//!
//! * `GET /p/<token>`: the short link. Records the visit and redirects to the code's page. A
//!   request without the device cookie is sent once more to itself (`?t=1`) with the cookie
//!   set; if it still comes without, it is recorded as cookieless and not counted. Bots are
//!   recorded and not counted. Deleted codes keep working; an expired code answers a page
//!   saying the promotion ended (and records the visit as such).
//! * `GET /files/promotion/<id>/qr.png?cm=8|12|15|30|50&logo=0|1` and `…/qr.svg?logo=0|1`: the
//!   QR image of a code's short link, for people with 推广码 (view); deleted codes are no
//!   longer downloadable (404).
//! * `GET /files/promotion/analysis.csv?from&to&codes=1,2&split&attribution`: the analysis as CSV.

use super::auth::internal;
use super::consumer_cookie::DeviceId;
use super::context::{client_ip, locale_of};
use super::db::ConsumerRecord;
use super::exports::{permitted_user, refusal};
use super::qr::{png_printed, svg_with_logo, Logo, Symbol};
use super::repo::promotion as repo;
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::domain::promotion::*;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use axum::extract::{Path, Query, Request, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, StatusCode};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{token}", get(short_link))
        .route("/files/promotion/{id}/qr.png", get(qr_png))
        .route("/files/promotion/{id}/qr.svg", get(qr_svg))
        .route("/files/promotion/analysis.csv", get(analysis_csv))
}

#[derive(Deserialize, Default)]
struct LinkQuery {
    /// Set on the second request of a cookie check.
    t: Option<String>,
}

/// A small page of the consumer's (not found, ended), in their language.
fn consumer_page(status: StatusCode, l: Locale, zh: &str, en: &str) -> Response {
    let (lang, text) = match l {
        Locale::Zh => ("zh-CN", zh),
        Locale::En => ("en", en),
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{text}</title></head><body style=\"font-family:sans-serif;text-align:center;padding:4rem 1rem\"><p>{text}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

async fn short_link(State(state): State<AppState>, Path(token): Path<String>, Query(q): Query<LinkQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    match visit(&state, &token, q.t.is_some(), &parts).await {
        Ok(Some(to)) => {
            let mut res = Redirect::to(&to).into_response();
            // Every load must reach the server to be recorded.
            res.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
            res
        }
        Ok(None) => consumer_page(StatusCode::GONE, l, "该推广活动已结束", "This promotion has ended"),
        Err(AppError::NotFound) => consumer_page(StatusCode::NOT_FOUND, l, "链接不存在", "No such link"),
        Err(e) => {
            tracing::error!(error = ?e, "promotion visit failed");
            consumer_page(StatusCode::INTERNAL_SERVER_ERROR, l, "服务暂时不可用，请稍后再试", "Temporarily unavailable, please try again")
        }
    }
}

/// Records one request of a short link; the address to send it on to, or None when the code
/// has expired.
async fn visit(state: &AppState, token: &str, cookie_checked: bool, parts: &Parts) -> AppResult<Option<String>> {
    let token = token.to_ascii_lowercase();
    if !valid_token(&token) {
        return Err(AppError::NotFound);
    }
    let device = parts.extensions.get::<DeviceId>().cloned().ok_or_else(|| internal("no device id on /p/"))?;
    let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let bot = is_bot(user_agent);
    let mut tx = state.db.tenant_of(ConsumerRecord::PromotionToken(&token)).await.map_err(internal)?;
    let code = repo::by_token(&mut tx, &token).await?.ok_or(AppError::NotFound)?;
    if device.fresh && !bot && !cookie_checked {
        // The cookie was just set on this response: see whether the browser sends it back.
        return Ok(Some(format!("/p/{token}?t=1")));
    }
    let expired = code.expires_at.is_some_and(|t| t <= chrono::Utc::now());
    let excluded = if bot {
        Some(Excluded::Bot)
    } else if device.fresh {
        Some(Excluded::NoCookie)
    } else if expired {
        Some(Excluded::Expired)
    } else {
        None
    };
    // Only a counted visit may create a consumer (bots and cookieless requests would create
    // one per request).
    let consumer = match excluded {
        None => {
            let c = super::repo::consumers::for_device(&mut tx, code.enterprise_id, &device.id).await?;
            if c.created {
                super::repo::consumers::set_source(&mut tx, code.enterprise_id, c.id, crate::domain::consumers::Source::Promotion).await?;
            }
            Some((c.id, c.created))
        }
        Some(_) => None,
    };
    let ip = client_ip(parts, state.config.trust_proxy);
    let v = repo::Visit {
        consumer: consumer.map(|(id, _)| (id, device.id.as_str())),
        new_consumer: consumer.is_some_and(|(_, created)| created),
        excluded,
        ip: &ip,
        user_agent,
    };
    repo::record_visit(&mut tx, &code, &v).await?;
    tx.commit().await.map_err(internal)?;
    Ok((!expired).then(|| code.destination()))
}

// ---------- QR images ----------

#[derive(Deserialize, Default)]
struct QrQuery {
    cm: Option<String>,
    logo: Option<String>,
}

/// The code (not deleted, of the person's enterprise) and, when asked for, the logo's PNG.
async fn qr_source(state: &AppState, parts: &Parts, id: i64, q: &QrQuery) -> AppResult<(repo::LinkCode, Option<Vec<u8>>)> {
    let user = permitted_user(state, parts, Function::PromotionCodes, Level::View).await?;
    let mut tx = state.db.tenant(user.enterprise_id).await.map_err(internal)?;
    let code = repo::by_id(&mut tx, user.enterprise_id, id).await?.filter(|c| c.deleted_at.is_none()).ok_or(AppError::NotFound)?;
    let logo = match q.logo.as_deref().map(str::trim) {
        Some("1") | Some("true") => {
            let path = repo::settings(&mut tx, user.enterprise_id).await?.logo.ok_or(refused(PromotionMsg::NoLogo))?;
            Some(tokio::fs::read(state.config.media_dir.join(path)).await.map_err(internal)?)
        }
        _ => None,
    };
    Ok((code, logo))
}

fn refused(m: PromotionMsg) -> AppError {
    AppError::Refused(Msg::Promotion(m))
}

/// The symbol of a code's short link: level H under a logo, else M.
fn symbol_of(state: &AppState, code: &repo::LinkCode, logo: bool) -> AppResult<Symbol> {
    let link = repo::short_link(state.codes.scan_base(), &code.token);
    Symbol::new(&link, if logo { 'H' } else { 'M' }, code.token.clone()).map_err(internal)
}

fn image(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

async fn qr_png(State(state): State<AppState>, Path(id): Path<i64>, Query(q): Query<QrQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let drawn = async {
        let cm: u32 = match q.cm.as_deref().map(str::trim) {
            None | Some("") => QR_SIZES_CM[0],
            Some(v) => v.parse().ok().filter(|c| QR_SIZES_CM.contains(c)).ok_or(refused(PromotionMsg::QrSize))?,
        };
        let (code, logo_png) = qr_source(&state, &parts, id, &q).await?;
        let symbol = symbol_of(&state, &code, logo_png.is_some())?;
        let logo = logo_png.as_deref().map(Logo::decode).transpose().map_err(internal)?;
        // Up to 5,906² pixels: encoding takes a moment, off the async workers.
        let bytes = tokio::task::spawn_blocking(move || png_printed(&symbol, pixels_of_cm(cm), QR_DPI, logo.as_ref()))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        let suffix = if logo_png.is_some() { "-logo" } else { "" };
        Ok::<_, AppError>((format!("promotion-{}-{cm}cm{suffix}.png", code.token), bytes))
    };
    match drawn.await {
        Ok((name, bytes)) => image("image/png", name, bytes),
        Err(e) => refusal(&e, locale_of(&parts)),
    }
}

async fn qr_svg(State(state): State<AppState>, Path(id): Path<i64>, Query(q): Query<QrQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let drawn = async {
        let (code, logo_png) = qr_source(&state, &parts, id, &q).await?;
        let symbol = symbol_of(&state, &code, logo_png.is_some())?;
        let suffix = if logo_png.is_some() { "-logo" } else { "" };
        Ok::<_, AppError>((format!("promotion-{}{suffix}.svg", code.token), svg_with_logo(&symbol, logo_png.as_deref())))
    };
    match drawn.await {
        Ok((name, svg)) => image("image/svg+xml; charset=utf-8", name, svg.into_bytes()),
        Err(e) => refusal(&e, locale_of(&parts)),
    }
}

// ---------- the brand logo ----------

/// Checks and stores a logo sent as base64 (a PNG that decodes, ≤ [`LOGO_MAX_KB`]); returns
/// its path under the media folder (content-addressed: a re-upload is idempotent).
pub async fn store_logo(state: &AppState, e: i64, base64_data: &str) -> AppResult<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_data.trim().as_bytes())
        .map_err(|_| AppError::field("logo", Msg::Promotion(PromotionMsg::LogoNotPng)))?;
    if bytes.len() > LOGO_MAX_KB * 1024 {
        return Err(AppError::field("logo", Msg::FileTooLarge { max_kb: LOGO_MAX_KB }));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") || Logo::decode(&bytes).is_err() {
        return Err(AppError::field("logo", Msg::Promotion(PromotionMsg::LogoNotPng)));
    }
    super::media::store(state, &format!("promotion/{e}"), "logo-", "png", &bytes).await
}

// ---------- CSV ----------

#[derive(Deserialize, Default)]
struct CsvQuery {
    from: Option<String>,
    to: Option<String>,
    codes: Option<String>,
    split: Option<String>,
    attribution: Option<String>,
}

impl CsvQuery {
    /// The analysis asked for; a malformed value is refused by the field it names.
    fn parse(&self) -> AppResult<AnalysisQuery> {
        let date = |v: &Option<String>, field: &str| {
            v.as_deref().and_then(|s| s.trim().parse::<chrono::NaiveDate>().ok()).ok_or_else(|| AppError::field(field, Msg::Required))
        };
        let codes = self
            .codes
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i64>().map_err(|_| AppError::field("codes", Msg::NotFound)))
            .collect::<AppResult<Vec<_>>>()?;
        let split = match self.split.as_deref() {
            None | Some("") => Dimension::Code,
            Some(s) => Dimension::from_key(s).ok_or_else(|| AppError::field("split", Msg::Required))?,
        };
        let attribution = self.attribution.as_deref().and_then(Attribution::from_key).unwrap_or_default();
        Ok(AnalysisQuery { from: date(&self.from, "from")?, to: date(&self.to, "to")?, codes, split, attribution })
    }
}

async fn analysis_csv(State(state): State<AppState>, Query(q): Query<CsvQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let made = async {
        let user = permitted_user(&state, &parts, Function::PromotionCodes, Level::View).await?;
        let query = q.parse()?;
        query.validate()?;
        let mut tx = state.db.tenant(user.enterprise_id).await.map_err(internal)?;
        let analysis = repo::analysis(&mut tx, user.enterprise_id, &query).await?;
        // A byte-order mark: Excel then reads the UTF-8 (Chinese names) correctly.
        Ok::<_, AppError>(format!("\u{feff}{}", analysis.csv(query.split, query.attribution, l)))
    };
    match made.await {
        Ok(csv) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"promotion-analysis.csv\""),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            csv,
        )
            .into_response(),
        Err(e) => refusal(&e, l),
    }
}
