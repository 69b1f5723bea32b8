//! Scrapped serial ranges (码报废): by batch, by range inside one batch, or one code. Scraps
//! never overlap (the exclusion constraint `code_scraps_no_overlap`; the refusal names the
//! earlier scrap) and are never deleted. Scrapping locks the package row, taking turns with
//! activation of the package's ranges.

use super::code_activation::{end_savepoint, excluded, package_with_codes, savepoint};
use crate::domain::code_activation::range_in_package;
use crate::domain::code_query::{QueryMsg, Scrap, ScrapFilter, ScrapInput, ScrapMethod};
use crate::domain::codes::format_serial;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use crate::server::AppState;
use chrono::{DateTime, Utc};

pub const SCRAP_SELECT: &str = "SELECT s.id, s.package_id, p.name AS package_name, s.batch_no, s.method, s.serial_start, s.serial_end,
        s.reason, s.scrapped_at, u.name AS scrapped_by_name
   FROM code_scraps s
   JOIN code_packages p ON p.id = s.package_id
   LEFT JOIN users u ON u.id = s.scrapped_by";

/// The serials a scrap request covers: (package, batch, first, last).
async fn target(state: &AppState, tx: &mut Tx, e: i64, i: &ScrapInput) -> AppResult<(i64, i32, i32, i32)> {
    match i.method {
        ScrapMethod::Batch => {
            let package = i.package_id.ok_or_else(|| AppError::field("package_id", Msg::Required))?;
            let batch = i.batch_no.ok_or_else(|| AppError::field("batch_no", Msg::Required))?;
            package_with_codes(tx, e, package, false).await?;
            let bounds: Option<(i32, i32)> = sqlx::query_as(
                "SELECT serial_start, serial_end FROM code_batches WHERE enterprise_id = $1 AND package_id = $2 AND batch_no = $3",
            )
            .bind(e)
            .bind(package)
            .bind(batch)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
            let (first, last) = bounds.ok_or_else(|| AppError::field("batch_no", Msg::NotFound))?;
            Ok((package, batch, first, last))
        }
        ScrapMethod::Range => {
            let package = i.package_id.ok_or_else(|| AppError::field("package_id", Msg::Required))?;
            let p = package_with_codes(tx, e, package, false).await?;
            let (first, last, batch) = range_in_package(&p, &i.serial_start, &i.serial_end)?;
            Ok((package, batch as i32, first as i32, last as i32))
        }
        ScrapMethod::Code => {
            let (package, serial) = super::code_query::locate(state, tx, e, &i.code)
                .await?
                .ok_or_else(|| AppError::field("code", QueryMsg::InvalidCode.into()))?;
            let p = package_with_codes(tx, e, package, false).await?;
            let batch = p.batch_of_range(serial, serial).map_err(|m| AppError::field("code", m.into()))?;
            Ok((package, batch as i32, serial as i32, serial as i32))
        }
    }
}

/// Scraps what the request names; refused if it overlaps an earlier scrap. Returns the scrap.
pub async fn scrap(state: &AppState, tx: &mut Tx, e: i64, user_id: i64, i: &ScrapInput) -> AppResult<Scrap> {
    let (package, batch, first, last) = target(state, tx, e, i).await?;
    package_with_codes(tx, e, package, true).await?;
    savepoint(tx).await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO code_scraps (enterprise_id, package_id, batch_no, method, serial_start, serial_end, reason, scrapped_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, 0)) RETURNING id",
    )
    .bind(e)
    .bind(package)
    .bind(batch)
    .bind(i.method)
    .bind(first)
    .bind(last)
    .bind(i.reason.trim())
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await;
    end_savepoint(tx, inserted.is_ok()).await?;
    let id = match inserted {
        Ok(id) => id,
        Err(err) if excluded(&err, "code_scraps_no_overlap") => {
            let (start, end, reason, at): (i32, i32, String, DateTime<Utc>) = sqlx::query_as(
                "SELECT serial_start, serial_end, reason, scrapped_at FROM code_scraps
                  WHERE enterprise_id = $1 AND package_id = $2 AND int4range(serial_start, serial_end, '[]') && int4range($3, $4, '[]')
                  ORDER BY serial_start LIMIT 1",
            )
            .bind(e)
            .bind(package)
            .bind(first)
            .bind(last)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal)?;
            let serial = |s: i32| format_serial(package, s.max(0) as u32);
            return Err(AppError::Refused(QueryMsg::OverlapsScrap { start: serial(start), end: serial(end), reason, at }.into()));
        }
        Err(err) => return Err(internal(err)),
    };
    sqlx::query_as(&format!("{SCRAP_SELECT} WHERE s.enterprise_id = $1 AND s.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)
}

/// Scraps, newest first.
pub async fn list(tx: &mut Tx, e: i64, f: &ScrapFilter, page: PageReq) -> AppResult<Page<Scrap>> {
    const FILTER: &str = "s.enterprise_id = $1
            AND ($2::bigint IS NULL OR s.package_id = $2)
            AND ($3::text IS NULL OR s.method = $3)
            AND ($4::date IS NULL OR s.scrapped_at >= ($4::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
            AND ($5::date IS NULL OR s.scrapped_at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))";
    let method = f.method.map(ScrapMethod::key);
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM code_scraps s WHERE {FILTER}"))
        .bind(e)
        .bind(f.package_id)
        .bind(method)
        .bind(f.from)
        .bind(f.to)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items = sqlx::query_as(&format!("{SCRAP_SELECT} WHERE {FILTER} ORDER BY s.scrapped_at DESC, s.id DESC LIMIT $6 OFFSET $7"))
        .bind(e)
        .bind(f.package_id)
        .bind(method)
        .bind(f.from)
        .bind(f.to)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}
