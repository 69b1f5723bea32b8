//! The download centre: export jobs write files kept 7 days; their HTTP download.

use super::jobs::Job;
use super::AppState;
use axum::Router;

pub const EXPORT_JOB: &str = "export";

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub async fn run_export(_job: &Job) -> anyhow::Result<serde_json::Value> {
    anyhow::bail!("exports are not built yet")
}
