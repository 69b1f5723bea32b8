//! Sign-in, sign-out, password change, enterprise and language switches, and "who am I".

use crate::domain::auth::{ChangePasswordInput, Me, SignInInput};
use crate::domain::messages::OutboxMessage;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The signed-in person, or None.
#[server(prefix = "/api", endpoint = "session/me", input = Json)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::server::{auth, context};
    context::respond(async {
        let ctx = match context::signed_in_allowing_initial_password().await {
            Ok(ctx) => ctx,
            Err(AppError::Unauthenticated) => return Ok(None),
            Err(e) => return Err(e),
        };
        let enterprises = auth::enterprises_of(&ctx.state.db.system, ctx.user.user_id).await?;
        let enterprise = enterprises.iter().find(|e| e.id == ctx.enterprise_id()).cloned();
        Ok(Some(Me {
            user_id: ctx.user.user_id,
            name: ctx.user.name.clone(),
            login: ctx.user.login.clone(),
            must_change_password: ctx.user.must_change_password,
            enterprise,
            enterprises,
            position: ctx.user.position_name.clone(),
            grants: ctx.user.grants.0.clone(),
            locale: ctx.locale,
        }))
    })
    .await
}

#[server(prefix = "/api", endpoint = "session/sign-in", input = Json)]
pub async fn sign_in(input: SignInInput) -> Result<bool, AppError> {
    use crate::server::{auth, context};
    context::respond(async {
        input.validate()?;
        let state = context::state()?;
        let parts = context::request_parts()?;
        let ip = context::client_ip(&parts, state.config.trust_proxy);
        let agent = parts.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = auth::sign_in(&state.db.system, &input.login, &input.password, &ip, agent, state.config.session_max_hours).await?;
        context::set_cookie(auth::SESSION_COOKIE, &token, Some(state.config.session_max_hours * 3600), true)?;
        let user = auth::load_session(&state.db.system, &token, state.config.session_idle_minutes).await?;
        tracing::info!(user = user.user_id, enterprise = user.enterprise_id, "signed in");
        // true: the initial password must be replaced before anything else.
        Ok(user.must_change_password)
    })
    .await
}

#[server(prefix = "/api", endpoint = "session/sign-out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{auth, context};
    context::respond(async {
        let state = context::state()?;
        if let Some(token) = context::cookie(&context::request_parts()?, auth::SESSION_COOKIE) {
            auth::sign_out(&state.db.system, &token).await?;
        }
        context::set_cookie(auth::SESSION_COOKIE, "", Some(0), true)
    })
    .await
}

#[server(prefix = "/api", endpoint = "session/change-password", input = Json)]
pub async fn change_password(input: ChangePasswordInput) -> Result<(), AppError> {
    use crate::server::{auth, context};
    context::respond(async {
        let ctx = context::signed_in_allowing_initial_password().await?;
        input.validate()?;
        auth::change_password(&ctx.state.db.system, &ctx.token, ctx.user.user_id, &input.current, &input.new).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "session/switch-enterprise", input = Json)]
pub async fn switch_enterprise(enterprise_id: i64) -> Result<(), AppError> {
    use crate::server::{auth, context};
    context::respond(async {
        let ctx = context::signed_in().await?;
        auth::switch_enterprise(&ctx.state.db.system, &ctx.token, ctx.user.user_id, enterprise_id).await
    })
    .await
}

/// Remembers the interface language in a cookie (a year).
#[server(prefix = "/api", endpoint = "session/locale", input = Json)]
pub async fn set_locale(locale: Locale) -> Result<(), AppError> {
    use crate::server::context;
    context::respond(async {
        let code = match locale {
            Locale::Zh => "zh",
            Locale::En => "en",
        };
        context::set_cookie(Locale::COOKIE, code, Some(365 * 24 * 3600), false)
    })
    .await
}

/// 消息中心: the signed-in person's own messages in the current enterprise.
#[server(prefix = "/api", endpoint = "session/messages", input = Json)]
pub async fn my_messages() -> Result<Vec<OutboxMessage>, AppError> {
    use crate::server::{context, outbox};
    context::respond(async {
        let ctx = context::signed_in().await?;
        let mut tx = ctx.tx().await?;
        outbox::mine(&mut tx, ctx.user.user_id, 200).await
    })
    .await
}
