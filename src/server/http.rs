//! The HTTP surface: Leptos pages and server functions, health checks, uploaded media, and
//! the request-id + tracing layers. Used by `tessera serve` and by the integration tests.

use super::AppState;
use crate::app::{shell, App};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Uploads (images as base64, CSV text) travel in server-function bodies.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let media = ServeDir::new(&state.config.media_dir);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .nest_service("/media", media)
        .merge(super::delivery::routes())
        .merge(super::qr::routes())
        .merge(super::promotion::routes())
        .merge(super::crowds::routes())
        .merge(super::exports::routes())
        .merge(super::openapi::routes())
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::consumer_cookie::layer))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // The browser bundle is ≈2.2 MB of wasm, ≈0.8 MB gzipped: phones on mobile data matter.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&state.db.system).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
