//! The job queue: rows in `jobs`, claimed by workers with `FOR UPDATE SKIP LOCKED`, so several
//! Tessera processes can share the work and a job survives a restart (a running job whose
//! heartbeat stopped is claimed again).

use super::audit::Actor;
use super::auth::internal;
use super::db::{Db, Tx};
use super::AppState;
use crate::domain::jobs::JobStatus;
use crate::error::AppResult;
use std::time::Duration;

/// A claimed job, as its handler sees it.
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub actor: Actor,
    /// The application (database, configuration, code keys) the job works with.
    pub state: AppState,
}

impl Job {
    /// Records progress (and keeps the heartbeat alive).
    pub async fn progress(&self, done: i64, total: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE jobs SET progress = $2, total = $3, heartbeat_at = now() WHERE id = $1")
            .bind(self.id)
            .bind(done)
            .bind(total)
            .execute(&self.state.db.system)
            .await?;
        Ok(())
    }
}

pub async fn enqueue(tx: &mut Tx, actor: &Actor, kind: &str, payload: serde_json::Value) -> AppResult<i64> {
    enqueue_at(tx, actor, kind, payload, chrono::Utc::now()).await
}

/// Queues a job that no worker claims before `run_at` (scheduled activation …).
pub async fn enqueue_at(
    tx: &mut Tx,
    actor: &Actor,
    kind: &str,
    payload: serde_json::Value,
    run_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    sqlx::query_scalar("INSERT INTO jobs (enterprise_id, kind, payload, created_by, run_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(actor.enterprise_id)
        .bind(kind)
        .bind(payload)
        .bind(actor.user_id)
        .bind(run_at)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)
}

/// A job's status, for the person who queued it (its result may be theirs alone to see).
pub async fn status(tx: &mut Tx, actor: &Actor, id: i64) -> AppResult<Option<JobStatus>> {
    sqlx::query_as(
        "SELECT id, kind, status, progress, total, result, error FROM jobs
          WHERE enterprise_id = $1 AND id = $2 AND created_by = $3",
    )
    .bind(actor.enterprise_id)
    .bind(id)
    .bind(actor.user_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    enterprise_id: i64,
    kind: String,
    payload: serde_json::Value,
    created_by: Option<i64>,
    creator_name: Option<String>,
}

/// Claims the oldest runnable job, if any.
pub async fn claim(state: &AppState) -> anyhow::Result<Option<Job>> {
    let row: Option<Claimed> = sqlx::query_as(
        "UPDATE jobs j SET status = 'running', started_at = now(), heartbeat_at = now(), attempts = attempts + 1
          WHERE j.id = (SELECT id FROM jobs
                         WHERE (status = 'queued' AND run_at <= now())
                            OR (status = 'running' AND heartbeat_at < now() - interval '2 minutes')
                         ORDER BY run_at FOR UPDATE SKIP LOCKED LIMIT 1)
          RETURNING j.id, j.enterprise_id, j.kind, j.payload, j.created_by,
                    (SELECT name FROM users u WHERE u.id = j.created_by) AS creator_name",
    )
    .fetch_optional(&state.db.system)
    .await?;
    Ok(row.map(|r| Job {
        id: r.id,
        kind: r.kind,
        payload: r.payload,
        actor: Actor {
            enterprise_id: r.enterprise_id,
            user_id: r.created_by.unwrap_or_default(),
            name: r.creator_name.unwrap_or_default(),
        },
        state: state.clone(),
    }))
}

pub async fn finish(db: &Db, id: i64, outcome: anyhow::Result<serde_json::Value>) -> anyhow::Result<()> {
    match outcome {
        Ok(result) => {
            sqlx::query("UPDATE jobs SET status = 'done', result = $2, progress = total, finished_at = now() WHERE id = $1")
                .bind(id)
                .bind(result)
                .execute(&db.system)
                .await?
        }
        Err(e) => {
            sqlx::query("UPDATE jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1")
                .bind(id)
                .bind(e.to_string())
                .execute(&db.system)
                .await?
        }
    };
    Ok(())
}

/// Runs jobs until the process ends; `handle` dispatches on the job's kind.
pub async fn work_forever(state: AppState) {
    let db = state.db.clone();
    loop {
        match claim(&state).await {
            Ok(Some(job)) => {
                let id = job.id;
                tracing::info!(job = id, kind = %job.kind, "job started");
                let outcome = run(job).await;
                if let Err(e) = &outcome {
                    tracing::warn!(job = id, error = %e, "job failed");
                }
                if let Err(e) = finish(&db, id, outcome).await {
                    tracing::error!(job = id, error = %e, "could not record job outcome");
                }
            }
            Ok(None) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(e) => {
                tracing::warn!(error = %e, "job claim failed");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// The job kinds Tessera knows.
pub async fn run(job: Job) -> anyhow::Result<serde_json::Value> {
    match job.kind.as_str() {
        super::repo::basic_data::IMPORT_PRODUCTS_JOB => super::repo::basic_data::import_products(&job).await,
        super::repo::code_generation::GENERATE_JOB => super::repo::code_generation::generate(&job).await,
        super::repo::code_activation::ACTIVATE_JOB => super::repo::code_activation::activate_scheduled(&job).await,
        super::exports::EXPORT_JOB => super::exports::run_export(&job).await,
        super::crowds::COMPUTE_JOB => super::crowds::compute(&job).await,
        other => anyhow::bail!("unknown job kind {other}"),
    }
}
