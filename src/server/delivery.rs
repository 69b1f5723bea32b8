//! HTTP downloads of package files (batch and whole package), limited to 3 per batch.

use super::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
