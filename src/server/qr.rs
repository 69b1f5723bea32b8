//! QR images (PNG/SVG) of a code's scan URL, for print proofs.

use super::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
