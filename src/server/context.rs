//! The request as a server function sees it: who is signed in, in which enterprise, with which
//! permissions, in which language. [`guard`] is the one permission check every server function
//! makes before any work.

use super::auth::{self, SessionUser, SESSION_COOKIE};
use super::db::Tx;
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use http::request::Parts;
use leptos::prelude::*;
use std::future::Future;

/// A signed-in request.
pub struct Ctx {
    pub state: AppState,
    pub user: SessionUser,
    pub token: String,
    pub locale: Locale,
}

impl Ctx {
    pub fn enterprise_id(&self) -> i64 {
        self.user.enterprise_id
    }

    pub fn actor(&self) -> super::audit::Actor {
        super::audit::Actor { enterprise_id: self.enterprise_id(), user_id: self.user.user_id, name: self.user.name.clone() }
    }

    /// A transaction that sees only this request's enterprise (row-level security).
    pub async fn tx(&self) -> AppResult<Tx> {
        self.state.db.tenant(self.enterprise_id()).await.map_err(auth::internal)
    }
}

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| auth::internal("AppState missing from context"))
}

fn parts() -> AppResult<Parts> {
    use_context::<Parts>().ok_or_else(|| auth::internal("request parts missing from context"))
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The request's language: the cookie the switcher sets, else Accept-Language.
pub fn locale_of(parts: &Parts) -> Locale {
    cookie(parts, Locale::COOKIE).and_then(|c| Locale::parse(&c)).unwrap_or_else(|| {
        parts.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Locale::from_accept_language).unwrap_or_default()
    })
}

pub fn request_locale() -> Locale {
    use_context::<Parts>().map(|p| locale_of(&p)).unwrap_or_default()
}

/// The client's address: the connection's peer, or X-Forwarded-For behind a trusted proxy.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()) {
            return ip.trim().to_string();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The signed-in request, whether or not the initial password was replaced yet.
pub async fn signed_in_allowing_initial_password() -> AppResult<Ctx> {
    let state = state()?;
    let parts = parts()?;
    let token = cookie(&parts, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let user = auth::load_session(&state.db.system, &token, state.config.session_idle_minutes).await?;
    Ok(Ctx { locale: locale_of(&parts), state, user, token })
}

/// The signed-in request, with a replaced initial password.
pub async fn signed_in() -> AppResult<Ctx> {
    let ctx = signed_in_allowing_initial_password().await?;
    if ctx.user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(ctx)
}

/// The permission guard: signed in, and the position grants `function` at `level` or above.
pub async fn guard(function: Function, level: Level) -> AppResult<Ctx> {
    let ctx = signed_in().await?;
    if !ctx.user.grants.allows(function, level) {
        return Err(AppError::Forbidden { function, level });
    }
    Ok(ctx)
}

/// Runs a server function's body and gives a failure its HTTP status (403, 422 …) when it was
/// called over HTTP (`/api/…`). A page rendered on the server that calls it shows the failure
/// in its content instead: its status line may already be on its way (streaming), so setting
/// it there made the page's status depend on timing.
pub async fn respond<T>(body: impl Future<Output = AppResult<T>>) -> AppResult<T> {
    let result = body.await;
    if let Err(e) = &result {
        let called = use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>().filter(|_| called) {
            res.set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        }
    }
    result
}

/// Appends a Set-Cookie header to the response.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: Option<i64>, http_only: bool) -> AppResult<()> {
    let state = state()?;
    let parts = parts()?;
    let secure = state.config.secure_cookies || parts.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age_seconds {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    let res = expect_context::<leptos_axum::ResponseOptions>();
    res.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&c).map_err(auth::internal)?);
    Ok(())
}

pub fn request_parts() -> AppResult<Parts> {
    parts()
}
