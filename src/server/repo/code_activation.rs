//! Info entry and activation of serial ranges; scheduled activation.

use crate::server::jobs::Job;

pub const ACTIVATE_JOB: &str = "code_range.activate";

pub async fn activate_scheduled(_job: &Job) -> anyhow::Result<serde_json::Value> {
    anyhow::bail!("scheduled activation is not built yet")
}
