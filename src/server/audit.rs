//! The audit log: every console mutation writes one entry in the same transaction.

use super::auth::internal;
use super::db::Tx;
use crate::domain::access::Module;
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::page::{Page, PageReq};
use crate::error::AppResult;

/// What changed, for [`record`].
pub struct Change<'a> {
    pub module: Module,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub summary: String,
}

/// Who made a change: the signed-in person, or the person who queued a job.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub enterprise_id: i64,
    pub user_id: i64,
    pub name: String,
}

pub async fn record(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (enterprise_id, user_id, user_name, module, action, entity, entity_id, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(actor.enterprise_id)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(change.module.key())
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.summary)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    user_id: Option<i64>,
    user_name: String,
    module: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    summary: String,
}

pub async fn list(tx: &mut Tx, enterprise_id: i64, f: &AuditFilter, page: PageReq) -> AppResult<Page<AuditEntry>> {
    const FILTER: &str = "enterprise_id = $1
            AND ($2::bigint IS NULL OR user_id = $2)
            AND ($3::text IS NULL OR module = $3)
            AND ($4::date IS NULL OR at >= ($4::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
            AND ($5::date IS NULL OR at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))";
    let module = f.module.map(Module::key);
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM audit_log WHERE {FILTER}"))
        .bind(enterprise_id)
        .bind(f.user_id)
        .bind(module)
        .bind(f.from)
        .bind(f.to)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT id, at, user_id, user_name, module, action, entity, entity_id, summary
           FROM audit_log WHERE {FILTER}
          ORDER BY at DESC, id DESC
          LIMIT $6 OFFSET $7"
    ))
    .bind(enterprise_id)
    .bind(f.user_id)
    .bind(module)
    .bind(f.from)
    .bind(f.to)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let p = page.clamped();
    Ok(Page {
        total,
        page: p.page,
        size: p.size,
        items: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                user_id: r.user_id,
                user_name: r.user_name,
                module: Module::from_key(&r.module).unwrap_or(Module::Settings),
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                summary: r.summary,
            })
            .collect(),
    })
}
