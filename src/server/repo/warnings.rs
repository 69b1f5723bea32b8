//! Warnings (预警通知): the page's list and "handled" mark (tenant transactions), and the
//! periodic check's queries (system pool, every enterprise, each query filtering by it).

use crate::domain::page::{Page, PageReq};
use crate::domain::warnings::{Warning, WarningFilter, WarningKind};
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use sqlx::PgPool;

pub async fn list(tx: &mut Tx, e: i64, f: &WarningFilter, page: PageReq) -> AppResult<Page<Warning>> {
    const FILTER: &str = "w.enterprise_id = $1
            AND ($2::text IS NULL OR w.kind = $2)
            AND ($3::boolean IS NULL OR (w.handled_at IS NOT NULL) = $3)";
    let kind = f.kind.map(WarningKind::key);
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM warnings w WHERE {FILTER}"))
        .bind(e)
        .bind(kind)
        .bind(f.handled)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items = sqlx::query_as(&format!(
        "SELECT w.id, w.kind, w.title, w.body, w.link, w.created_at, w.handled_at, u.name AS handled_by_name
           FROM warnings w LEFT JOIN users u ON u.id = w.handled_by
          WHERE {FILTER}
          ORDER BY w.created_at DESC, w.id DESC
          LIMIT $4 OFFSET $5"
    ))
    .bind(e)
    .bind(kind)
    .bind(f.handled)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

/// Marks a warning handled. Returns its title if this call handled it, None if it already was
/// (a second click changes nothing); NotFound if there is no such warning.
pub async fn mark_handled(tx: &mut Tx, e: i64, id: i64, user_id: i64) -> AppResult<Option<String>> {
    let title: Option<String> = sqlx::query_scalar(
        "UPDATE warnings SET handled_at = now(), handled_by = $3
          WHERE enterprise_id = $1 AND id = $2 AND handled_at IS NULL RETURNING title",
    )
    .bind(e)
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    if title.is_some() {
        return Ok(title);
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM warnings WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    exists.map(|_| None).ok_or(AppError::NotFound)
}

// ---------- the periodic check ----------

/// A package (or a range of it) that meets a warning condition and has no warning yet.
#[derive(Debug, sqlx::FromRow)]
pub struct Due {
    pub enterprise_id: i64,
    pub spec_id: i64,
    pub package_id: i64,
    pub package_name: String,
    pub hours: i32,
    /// The subject's range id (entered-not-activated warnings are per range).
    pub range_id: Option<i64>,
    /// The batches concerned, and for a range its serials.
    pub batches: Vec<i32>,
    pub serial_start: Option<i32>,
    pub serial_end: Option<i32>,
}

/// Generated more than the spec's hours ago, with batches not entirely activated. A scrapped
/// serial counts as done: it can never be activated.
pub async fn due_generated(pool: &PgPool) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.enterprise_id, p.spec_id, p.id AS package_id, p.name AS package_name, s.warn_generated_hours AS hours,
                NULL::bigint AS range_id, array_agg(b.batch_no ORDER BY b.batch_no) AS batches,
                NULL::integer AS serial_start, NULL::integer AS serial_end
           FROM code_packages p
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
           JOIN code_batches b ON b.enterprise_id = p.enterprise_id AND b.package_id = p.id
          WHERE s.warn_generated_hours IS NOT NULL
            AND p.status IN ('generated', 'sent')
            AND p.generated_at < now() - make_interval(hours => s.warn_generated_hours)
            AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.enterprise_id = p.enterprise_id
                               AND w.kind = 'generated_not_activated' AND w.subject = 'package:' || p.id)
            AND NOT coalesce(
                  (SELECT range_agg(int4range(d.serial_start, d.serial_end, '[]'))
                     FROM (SELECT r.serial_start, r.serial_end FROM code_ranges r
                            WHERE r.enterprise_id = p.enterprise_id AND r.package_id = p.id
                              AND r.batch_no = b.batch_no AND r.status = 'active'
                           UNION ALL
                           SELECT c.serial_start, c.serial_end FROM code_scraps c
                            WHERE c.enterprise_id = p.enterprise_id AND c.package_id = p.id AND c.batch_no = b.batch_no) d)
                  @> int4range(b.serial_start, b.serial_end, '[]'), false)
          GROUP BY p.enterprise_id, p.spec_id, p.id, p.name, s.warn_generated_hours",
    )
    .fetch_all(pool)
    .await
}

/// Ranges whose info was entered more than the spec's hours ago and that are still not active
/// (a range scheduled for a later time is not overdue).
pub async fn due_entered(pool: &PgPool) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.enterprise_id, p.spec_id, p.id AS package_id, p.name AS package_name, s.warn_entered_hours AS hours,
                r.id AS range_id, ARRAY[r.batch_no] AS batches, r.serial_start, r.serial_end
           FROM code_ranges r
           JOIN code_packages p ON p.enterprise_id = r.enterprise_id AND p.id = r.package_id
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
          WHERE s.warn_entered_hours IS NOT NULL
            AND (r.status = 'entered' OR (r.status = 'scheduled' AND r.activate_at < now()))
            AND r.entered_at < now() - make_interval(hours => s.warn_entered_hours)
            AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.enterprise_id = r.enterprise_id
                               AND w.kind = 'entered_not_activated' AND w.subject = 'range:' || r.id)",
    )
    .fetch_all(pool)
    .await
}

/// Sent more than the spec's hours ago, with batches never downloaded.
pub async fn due_sent(pool: &PgPool) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.enterprise_id, p.spec_id, p.id AS package_id, p.name AS package_name, s.warn_sent_hours AS hours,
                NULL::bigint AS range_id, array_agg(b.batch_no ORDER BY b.batch_no) AS batches,
                NULL::integer AS serial_start, NULL::integer AS serial_end
           FROM code_packages p
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
           JOIN code_batches b ON b.enterprise_id = p.enterprise_id AND b.package_id = p.id
          WHERE s.warn_sent_hours IS NOT NULL
            AND p.status = 'sent'
            AND p.sent_at < now() - make_interval(hours => s.warn_sent_hours)
            AND b.downloads = 0
            AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.enterprise_id = p.enterprise_id
                               AND w.kind = 'sent_not_downloaded' AND w.subject = 'package:' || p.id)
          GROUP BY p.enterprise_id, p.spec_id, p.id, p.name, s.warn_sent_hours",
    )
    .fetch_all(pool)
    .await
}

/// A new warning; None if it was raised already (by an earlier run or another process).
pub async fn insert(
    tx: &mut Tx,
    e: i64,
    kind: WarningKind,
    subject: &str,
    title: &str,
    body: &str,
    link: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO warnings (enterprise_id, kind, subject, title, body, link) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ON CONSTRAINT warnings_once DO NOTHING RETURNING id",
    )
    .bind(e)
    .bind(kind)
    .bind(subject)
    .bind(title)
    .bind(body)
    .bind(link)
    .fetch_optional(&mut **tx)
    .await
}

/// Who hears of a spec's warnings: its applicants and reviewers with an enabled account.
#[derive(Debug, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

pub async fn recipients(tx: &mut Tx, e: i64, spec_id: i64) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT u.id AS user_id, u.mobile, u.email
           FROM code_spec_people sp
           JOIN users u ON u.id = sp.user_id
           JOIN memberships m ON m.enterprise_id = sp.enterprise_id AND m.user_id = sp.user_id AND m.status = 'enabled'
          WHERE sp.enterprise_id = $1 AND sp.spec_id = $2 AND sp.role IN ('applicant', 'reviewer')
          ORDER BY u.id",
    )
    .bind(e)
    .bind(spec_id)
    .fetch_all(&mut **tx)
    .await
}
