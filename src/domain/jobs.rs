//! Long work runs as a job; the console polls its status to draw a progress bar.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct JobStatus {
    pub id: i64,
    pub kind: String,
    pub status: JobState,
    pub progress: i64,
    pub total: i64,
    #[cfg_attr(feature = "ssr", sqlx(json(nullable)))]
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
}

impl JobStatus {
    pub fn finished(&self) -> bool {
        matches!(self.status, JobState::Done | JobState::Failed)
    }
    /// 0–100.
    pub fn percent(&self) -> i64 {
        if self.status == JobState::Done {
            100
        } else if self.total > 0 {
            (self.progress * 100 / self.total).clamp(0, 100)
        } else {
            0
        }
    }
}
