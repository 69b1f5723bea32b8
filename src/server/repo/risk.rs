//! Blacklist and risk events for the console (营销风控). What risk control enforces on the
//! scan and draw path lives in `server::risk`; it reads the same `blacklist` table.

use crate::domain::consumers::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::{violated_constraint, Tx};

pub async fn list_blacklist(tx: &mut Tx, e: i64, f: &BlacklistFilter, page: PageReq) -> AppResult<Page<BlacklistEntry>> {
    const WHERE: &str = "b.enterprise_id = $1 AND ($2::text IS NULL OR b.kind = $2)
        AND ($3 = '' OR b.value ILIKE '%' || $3 || '%' OR b.reason ILIKE '%' || $3 || '%')";
    let kind = f.kind.map(BlacklistKind::key);
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM blacklist b WHERE {WHERE}"))
        .bind(e)
        .bind(kind)
        .bind(f.q.trim())
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items: Vec<BlacklistEntry> = sqlx::query_as(&format!(
        "SELECT b.id, b.kind, b.value, b.reason, u.name AS created_by_name, b.created_at
           FROM blacklist b LEFT JOIN users u ON u.id = b.created_by
          WHERE {WHERE} ORDER BY b.created_at DESC, b.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(e)
    .bind(kind)
    .bind(f.q.trim())
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

/// Adds a validated entry; a consumer id must be one of this enterprise's members.
pub async fn add_blacklist(tx: &mut Tx, e: i64, user_id: i64, input: &BlacklistInput) -> AppResult<i64> {
    let value = input.normalized();
    if input.kind == BlacklistKind::Consumer {
        let id: i64 = value.parse().map_err(|_| AppError::field("value", Msg::Consumer(ConsumerMsg::InvalidConsumerId)))?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM consumers WHERE enterprise_id = $1 AND id = $2)")
            .bind(e)
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal)?;
        if !exists {
            return Err(AppError::field("value", Msg::Consumer(ConsumerMsg::InvalidConsumerId)));
        }
    }
    sqlx::query_scalar("INSERT INTO blacklist (enterprise_id, kind, value, reason, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(e)
        .bind(input.kind.key())
        .bind(&value)
        .bind(input.reason.trim())
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(|err| match violated_constraint(&err) {
            Some("blacklist_unique") => AppError::field("value", Msg::Consumer(ConsumerMsg::AlreadyBlacklisted)),
            _ => internal(err),
        })
}

/// Removes an entry; returns what it was (for the audit entry).
pub async fn remove_blacklist(tx: &mut Tx, e: i64, id: i64) -> AppResult<(String, String)> {
    sqlx::query_as("DELETE FROM blacklist WHERE enterprise_id = $1 AND id = $2 RETURNING kind, value")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

pub async fn list_events(tx: &mut Tx, e: i64, f: &RiskEventFilter, page: PageReq) -> AppResult<Page<RiskEventRow>> {
    const WHERE: &str = "r.enterprise_id = $1
        AND ($2::text IS NULL OR r.rule = $2)
        AND ($3::bool IS NULL OR r.blocked = $3)
        AND ($4::bigint IS NULL OR r.consumer_id = $4)
        AND ($5 = '' OR r.device_id = lower($5) OR host(r.ip) = $5)
        AND ($6::date IS NULL OR r.created_at >= ($6::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
        AND ($7::date IS NULL OR r.created_at < (($7::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))";
    macro_rules! bound {
        ($q:expr) => {
            $q.bind(e).bind(f.rule.as_deref()).bind(f.blocked).bind(f.consumer_id).bind(f.q.trim()).bind(f.from).bind(f.to)
        };
    }
    let total: i64 = bound!(sqlx::query_scalar(&format!("SELECT count(*) FROM risk_events r WHERE {WHERE}")))
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let sql = format!(
        "SELECT r.id, r.rule, r.blocked, r.consumer_id, r.device_id, host(r.ip) AS ip, r.detail, r.created_at
           FROM risk_events r WHERE {WHERE} ORDER BY r.created_at DESC, r.id DESC LIMIT $8 OFFSET $9"
    );
    let items: Vec<RiskEventRow> =
        bound!(sqlx::query_as(&sql)).bind(page.limit()).bind(page.offset()).fetch_all(&mut **tx).await.map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

/// The rules that noticed something in this enterprise (for the events filter).
pub async fn event_rules(tx: &mut Tx, e: i64) -> AppResult<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT rule FROM risk_events WHERE enterprise_id = $1 ORDER BY rule")
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}
