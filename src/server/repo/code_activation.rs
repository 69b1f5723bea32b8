//! Info entry and activation of serial ranges (号段), the enterprise's extra info fields, and
//! scheduled activation (a job queued for the chosen time).
//!
//! Ranges never overlap (the exclusion constraint `code_ranges_no_overlap` decides, and the
//! refusal names the range in the way). Every transition is an UPDATE conditional on status and
//! version, so a double click or a stale form changes nothing and says why. Activation and
//! scrapping of a package are serialised by locking the package row, so a range is never
//! activated over a scrap that is being written.

use crate::domain::access::Module;
use crate::domain::code_activation::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::audit::{self, Change};
use crate::server::auth::internal;
use crate::server::db::Tx;
use crate::server::jobs::{enqueue_at, Job};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::types::Json;

pub const ACTIVATE_JOB: &str = "code_range.activate";

/// Whether a database error is a violation of the named exclusion constraint.
pub fn excluded(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23P01") && d.constraint() == Some(constraint))
}

// ---- packages ----

const PACKAGE_SELECT: &str =
    "SELECT id, name, status, code_count, file_count, product_id, filling_factory_id FROM code_packages WHERE enterprise_id = $1";

/// Packages whose codes exist, newest first; `search` matches the name or the id.
pub async fn package_choices(tx: &mut Tx, e: i64, search: &str) -> AppResult<Vec<PackageChoice>> {
    sqlx::query_as(&format!(
        "{PACKAGE_SELECT} AND status = ANY($2) AND ($3 = '' OR name ILIKE '%' || $3 || '%' OR id::text = $3)
          ORDER BY id DESC LIMIT 50"
    ))
    .bind(e)
    .bind(&PACKAGE_STATES_WITH_CODES[..])
    .bind(search.trim())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// A package whose codes exist; with `lock`, its row is locked until the transaction ends
/// (activation and scrapping of one package take turns).
pub async fn package_with_codes(tx: &mut Tx, e: i64, id: i64, lock: bool) -> AppResult<PackageChoice> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let p: PackageChoice = sqlx::query_as(&format!("{PACKAGE_SELECT} AND id = $2{lock}"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if !PACKAGE_STATES_WITH_CODES.contains(&p.status.as_str()) {
        return Err(AppError::Refused(ActivationMsg::NoCodesYet.into()));
    }
    Ok(p)
}

// ---- ranges ----

const RANGE_SELECT: &str = "SELECT r.id, r.package_id, r.batch_no, r.serial_start, r.serial_end, r.status, r.activate_at,
        r.activated_at, ua.name AS activated_by_name, r.product_id, p.name AS product_name, r.brand_id, b.name AS brand_name,
        r.factory_id, f.name AS factory_name, r.workshop_id, w.name AS workshop_name, r.line_id, l.name AS line_name,
        r.produced_at, r.extra, r.entered_at, ue.name AS entered_by_name, r.version
   FROM code_ranges r
   LEFT JOIN products p ON p.id = r.product_id
   LEFT JOIN brands b ON b.id = r.brand_id
   LEFT JOIN factories f ON f.id = r.factory_id
   LEFT JOIN workshops w ON w.id = r.workshop_id
   LEFT JOIN production_lines l ON l.id = r.line_id
   LEFT JOIN users ua ON ua.id = r.activated_by
   LEFT JOIN users ue ON ue.id = r.entered_by";

pub async fn range(tx: &mut Tx, e: i64, id: i64) -> AppResult<Range> {
    sqlx::query_as(&format!("{RANGE_SELECT} WHERE r.enterprise_id = $1 AND r.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// The range holding a serial of a package, if any.
pub async fn range_at(tx: &mut Tx, e: i64, package_id: i64, serial: i32) -> AppResult<Option<Range>> {
    sqlx::query_as(&format!(
        "{RANGE_SELECT} WHERE r.enterprise_id = $1 AND r.package_id = $2 AND r.serial_start <= $3 AND r.serial_end >= $3"
    ))
    .bind(e)
    .bind(package_id)
    .bind(serial)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

/// A package's activated ranges, or its not-activated ones (entered or scheduled), by serial.
pub async fn ranges(tx: &mut Tx, e: i64, package_id: i64, activated: bool, page: PageReq) -> AppResult<Page<Range>> {
    let filter = "r.enterprise_id = $1 AND r.package_id = $2 AND (r.status = 'active') = $3";
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM code_ranges r WHERE {filter}"))
        .bind(e)
        .bind(package_id)
        .bind(activated)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items = sqlx::query_as(&format!("{RANGE_SELECT} WHERE {filter} ORDER BY r.serial_start LIMIT $4 OFFSET $5"))
        .bind(e)
        .bind(package_id)
        .bind(activated)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

#[derive(sqlx::FromRow)]
struct BatchSums {
    batch_no: i32,
    serial_start: i32,
    serial_end: i32,
    entered: i64,
    scheduled: i64,
    active: i64,
    ranges: i64,
    next_activation: Option<DateTime<Utc>>,
}

/// A package's batches with their info state, and the range covering each whole batch.
pub async fn batches(tx: &mut Tx, e: i64, package_id: i64) -> AppResult<PackageBatches> {
    let package: PackageChoice = sqlx::query_as(&format!("{PACKAGE_SELECT} AND id = $2"))
        .bind(e)
        .bind(package_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let sums: Vec<BatchSums> = sqlx::query_as(
        "SELECT b.batch_no, b.serial_start, b.serial_end,
                COALESCE(sum(r.serial_end - r.serial_start + 1) FILTER (WHERE r.status = 'entered'), 0)::bigint AS entered,
                COALESCE(sum(r.serial_end - r.serial_start + 1) FILTER (WHERE r.status = 'scheduled'), 0)::bigint AS scheduled,
                COALESCE(sum(r.serial_end - r.serial_start + 1) FILTER (WHERE r.status = 'active'), 0)::bigint AS active,
                count(r.id) AS ranges, min(r.activate_at) AS next_activation
           FROM code_batches b
           LEFT JOIN code_ranges r ON r.package_id = b.package_id AND r.batch_no = b.batch_no
          WHERE b.enterprise_id = $1 AND b.package_id = $2
          GROUP BY b.batch_no, b.serial_start, b.serial_end
          ORDER BY b.batch_no",
    )
    .bind(e)
    .bind(package_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let mut wholes: Vec<Range> = sqlx::query_as(&format!(
        "{RANGE_SELECT} JOIN code_batches cb ON cb.package_id = r.package_id AND cb.batch_no = r.batch_no
          WHERE r.enterprise_id = $1 AND r.package_id = $2 AND r.serial_start = cb.serial_start AND r.serial_end = cb.serial_end"
    ))
    .bind(e)
    .bind(package_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let batches = sums
        .into_iter()
        .map(|s| {
            let size = i64::from(s.serial_end) - i64::from(s.serial_start) + 1;
            let parts: Vec<(i64, RangeStatus)> =
                [(s.entered, RangeStatus::Entered), (s.scheduled, RangeStatus::Scheduled), (s.active, RangeStatus::Active)]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .collect();
            let whole = wholes.iter().position(|r| r.batch_no == s.batch_no).map(|i| wholes.swap_remove(i));
            BatchRow {
                package_id,
                batch_no: s.batch_no,
                serial_start: s.serial_start,
                serial_end: s.serial_end,
                state: BatchState::of(size, &parts),
                entered: s.entered + s.scheduled + s.active,
                active: s.active,
                ranges: s.ranges,
                next_activation: s.next_activation,
                whole,
            }
        })
        .collect();
    Ok(PackageBatches { package, batches })
}

/// Checks that what the info refers to exists in this enterprise and fits together (workshop of
/// the factory, line of the workshop); returns the info with the brand defaulted to the
/// product's.
async fn checked_info(tx: &mut Tx, e: i64, info: &RangeInfo) -> AppResult<RangeInfo> {
    /// The looked-up column of the record `id` refers to (its parent, or its id), if `id` is set.
    async fn parent(tx: &mut Tx, sql: &str, e: i64, id: Option<i64>, field: &str) -> AppResult<Option<i64>> {
        let Some(id) = id else { return Ok(None) };
        let row: Option<i64> = sqlx::query_scalar(sql).bind(e).bind(id).fetch_optional(&mut **tx).await.map_err(internal)?;
        row.map(Some).ok_or_else(|| AppError::field(field, Msg::NotFound))
    }
    let brand = parent(tx, "SELECT brand_id FROM products WHERE enterprise_id = $1 AND id = $2", e, info.product_id, "product_id").await?;
    parent(tx, "SELECT id FROM brands WHERE enterprise_id = $1 AND id = $2", e, info.brand_id, "brand_id").await?;
    parent(tx, "SELECT id FROM factories WHERE enterprise_id = $1 AND id = $2", e, info.factory_id, "factory_id").await?;
    let factory =
        parent(tx, "SELECT factory_id FROM workshops WHERE enterprise_id = $1 AND id = $2", e, info.workshop_id, "workshop_id").await?;
    if factory.is_some() && factory != info.factory_id {
        return Err(AppError::field("workshop_id", ActivationMsg::WorkshopNotInFactory.into()));
    }
    let workshop =
        parent(tx, "SELECT workshop_id FROM production_lines WHERE enterprise_id = $1 AND id = $2", e, info.line_id, "line_id").await?;
    if workshop.is_some() && workshop != info.workshop_id {
        return Err(AppError::field("line_id", ActivationMsg::LineNotInWorkshop.into()));
    }
    Ok(RangeInfo { brand_id: info.brand_id.or(brand), ..info.clone() })
}

/// The range of a package in the way of [first, last], other than `except`.
async fn overlapping(tx: &mut Tx, e: i64, package_id: i64, first: i32, last: i32, except: Option<i64>) -> AppResult<ActivationMsg> {
    let (start, end, status): (i32, i32, RangeStatus) = sqlx::query_as(
        "SELECT serial_start, serial_end, status FROM code_ranges
          WHERE enterprise_id = $1 AND package_id = $2 AND id IS DISTINCT FROM $5
            AND int4range(serial_start, serial_end, '[]') && int4range($3, $4, '[]')
          ORDER BY serial_start LIMIT 1",
    )
    .bind(e)
    .bind(package_id)
    .bind(first)
    .bind(last)
    .bind(except)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(ActivationMsg::Overlaps { start: format_one(package_id, start), end: format_one(package_id, end), status })
}

fn format_one(package_id: i64, serial: i32) -> String {
    crate::domain::codes::format_serial(package_id, serial.max(0) as u32)
}

/// Opens a savepoint before a write that a constraint may refuse: rolled back to by
/// [`end_savepoint`], the transaction lives on and the refusal can name what is in the way (a
/// failed statement would abort the whole transaction).
pub async fn savepoint(tx: &mut Tx) -> AppResult<()> {
    sqlx::query("SAVEPOINT guarded_write").execute(&mut **tx).await.map_err(internal)?;
    Ok(())
}

/// Releases the savepoint after a write that succeeded, or rolls back to it.
pub async fn end_savepoint(tx: &mut Tx, ok: bool) -> AppResult<()> {
    let sql = if ok { "RELEASE SAVEPOINT guarded_write" } else { "ROLLBACK TO SAVEPOINT guarded_write" };
    sqlx::query(sql).execute(&mut **tx).await.map_err(internal)?;
    Ok(())
}

/// Why a conditional update of a range matched nothing: gone (404), changed since the form was
/// loaded (stale), or in a state the transition does not start from (`wrong_state`).
async fn why_not(tx: &mut Tx, e: i64, id: i64, version: i32, wrong_state: impl FnOnce(RangeStatus) -> ActivationMsg) -> AppError {
    let row: Result<Option<(i32, RangeStatus)>, _> =
        sqlx::query_as("SELECT version, status FROM code_ranges WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await;
    match row {
        Ok(None) => AppError::NotFound,
        Ok(Some((v, _))) if v != version => AppError::Refused(Msg::Stale),
        Ok(Some((_, status))) => AppError::Refused(wrong_state(status).into()),
        Err(err) => internal(err),
    }
}

/// What a saved range is, for the audit entry.
pub struct SavedRange {
    pub id: i64,
    pub package_id: i64,
    pub batch_no: u32,
    pub printable: String,
}

/// The INSERT or version-guarded UPDATE of a range; returns (id, version, activate_at), or
/// None when the update matched nothing.
#[allow(clippy::too_many_arguments)]
async fn write_range(
    tx: &mut Tx,
    actor: &audit::Actor,
    i: &RangeInput,
    package: &PackageChoice,
    batch: u32,
    (first, last): (i32, i32),
    info: &RangeInfo,
    extra: &Json<std::collections::BTreeMap<i64, String>>,
) -> Result<Option<(i64, i32, Option<DateTime<Utc>>)>, sqlx::Error> {
    let e = actor.enterprise_id;
    match i.id {
        None => {
            sqlx::query_as::<_, (i64, i32, Option<DateTime<Utc>>)>(
                "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, brand_id,
                                          factory_id, workshop_id, line_id, produced_at, extra, entered_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULLIF($13, 0))
                 RETURNING id, version, activate_at",
            )
            .bind(e)
            .bind(package.id)
            .bind(batch as i32)
            .bind(first)
            .bind(last)
            .bind(info.product_id)
            .bind(info.brand_id)
            .bind(info.factory_id)
            .bind(info.workshop_id)
            .bind(info.line_id)
            .bind(info.produced_at)
            .bind(extra)
            .bind(actor.user_id)
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            sqlx::query_as(
                "UPDATE code_ranges SET batch_no = $5, serial_start = $6, serial_end = $7, product_id = $8, brand_id = $9,
                        factory_id = $10, workshop_id = $11, line_id = $12, produced_at = $13, extra = $14,
                        entered_at = now(), entered_by = NULLIF($15, 0), version = version + 1
                  WHERE enterprise_id = $1 AND id = $2 AND package_id = $3 AND version = $4 AND status <> 'active'
                  RETURNING id, version, activate_at",
            )
            .bind(e)
            .bind(id)
            .bind(package.id)
            .bind(i.version)
            .bind(batch as i32)
            .bind(first)
            .bind(last)
            .bind(info.product_id)
            .bind(info.brand_id)
            .bind(info.factory_id)
            .bind(info.workshop_id)
            .bind(info.line_id)
            .bind(info.produced_at)
            .bind(extra)
            .bind(actor.user_id)
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Adds a range (no id) or edits a not-yet-active one. `fields` are the enterprise's extra
/// fields (the input was validated against them). Editing a scheduled range keeps its schedule:
/// the job queued for the old version would skip it, so one is queued for the new version.
pub async fn save_range(tx: &mut Tx, actor: &audit::Actor, i: &RangeInput, fields: &[InfoField]) -> AppResult<SavedRange> {
    let e = actor.enterprise_id;
    let package = package_with_codes(tx, e, i.package_id, false).await?;
    let (first, last, batch) = range_in_package(&package, &i.serial_start, &i.serial_end)?;
    let (first, last) = (first as i32, last as i32);
    let info = checked_info(tx, e, &i.info).await?;
    let extra = Json(i.info.clean_extra(fields));
    savepoint(tx).await?;
    let result = write_range(tx, actor, i, &package, batch, (first, last), &info, &extra).await;
    end_savepoint(tx, result.is_ok()).await?;
    let saved = match result {
        Ok(row) => row,
        Err(err) if excluded(&err, "code_ranges_no_overlap") => {
            return Err(AppError::Refused(overlapping(tx, e, package.id, first, last, i.id).await?.into()));
        }
        // The batch row is written when the package's files are planned.
        Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() && d.constraint().is_some_and(|c| c.contains("batch_no")) => {
            return Err(AppError::Refused(ActivationMsg::NoCodesYet.into()));
        }
        Err(err) => return Err(internal(err)),
    };
    let Some((id, version, activate_at)) = saved else {
        return Err(why_not(tx, e, i.id.unwrap_or_default(), i.version, |_| ActivationMsg::IsActive).await);
    };
    if let (Some(_), Some(at)) = (i.id, activate_at) {
        enqueue_at(tx, actor, ACTIVATE_JOB, json!({ "range_id": id, "version": version }), at).await?;
    }
    Ok(SavedRange { id, package_id: package.id, batch_no: batch, printable: printable_range(package.id, first, last) })
}

/// The scrap overlapping a range, if any, as the refusal of its activation.
async fn scrap_in(tx: &mut Tx, e: i64, package_id: i64, first: i32, last: i32) -> AppResult<Option<ActivationMsg>> {
    let row: Option<(i32, i32, String)> = sqlx::query_as(
        "SELECT serial_start, serial_end, reason FROM code_scraps
          WHERE enterprise_id = $1 AND package_id = $2 AND int4range(serial_start, serial_end, '[]') && int4range($3, $4, '[]')
          ORDER BY serial_start LIMIT 1",
    )
    .bind(e)
    .bind(package_id)
    .bind(first)
    .bind(last)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(row.map(|(s, t, reason)| ActivationMsg::Scrapped { start: format_one(package_id, s), end: format_one(package_id, t), reason }))
}

/// Activates an entered range now (`at` None) or schedules it for `at` (a job then activates it,
/// if nothing changed meanwhile). Refused over scrapped codes. Returns the range as it is now.
pub async fn activate(tx: &mut Tx, actor: &audit::Actor, id: i64, version: i32, at: Option<DateTime<Utc>>) -> AppResult<Range> {
    let e = actor.enterprise_id;
    let current = range(tx, e, id).await?;
    package_with_codes(tx, e, current.package_id, true).await?;
    if let Some(msg) = scrap_in(tx, e, current.package_id, current.serial_start, current.serial_end).await? {
        return Err(AppError::Refused(msg.into()));
    }
    let new_version: Option<i32> = sqlx::query_scalar(
        "UPDATE code_ranges
            SET status = CASE WHEN $4::timestamptz IS NULL THEN 'active' ELSE 'scheduled' END,
                activate_at = $4,
                activated_at = CASE WHEN $4::timestamptz IS NULL THEN now() END,
                activated_by = CASE WHEN $4::timestamptz IS NULL THEN NULLIF($5, 0) END,
                version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status = 'entered'
          RETURNING version",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .bind(at)
    .bind(actor.user_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let Some(new_version) = new_version else {
        return Err(why_not(tx, e, id, version, |status| ActivationMsg::AlreadyActivated { status }).await);
    };
    if let Some(at) = at {
        enqueue_at(tx, actor, ACTIVATE_JOB, json!({ "range_id": id, "version": new_version }), at).await?;
    }
    range(tx, e, id).await
}

/// Revokes an activation or a scheduled activation: the range is back to "entered".
pub async fn revoke(tx: &mut Tx, e: i64, id: i64, version: i32) -> AppResult<Range> {
    let done: Option<i64> = sqlx::query_scalar(
        "UPDATE code_ranges SET status = 'entered', activate_at = NULL, activated_at = NULL, activated_by = NULL,
                version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status IN ('active', 'scheduled')
          RETURNING id",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    if done.is_none() {
        return Err(why_not(tx, e, id, version, |_| ActivationMsg::NotActivated).await);
    }
    range(tx, e, id).await
}

/// Deletes a range that is not active (a scheduled one's job then finds nothing to do).
pub async fn delete(tx: &mut Tx, e: i64, id: i64, version: i32) -> AppResult<Range> {
    let before = range(tx, e, id).await?;
    let done: Option<i64> = sqlx::query_scalar(
        "DELETE FROM code_ranges WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status <> 'active' RETURNING id",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match done {
        Some(_) => Ok(before),
        None => Err(why_not(tx, e, id, version, |_| ActivationMsg::IsActive).await),
    }
}

/// Replaces an entered range by consecutive sub-ranges cut before each split serial, all with
/// its info; returns the old range and the new ranges' ids.
pub async fn split(tx: &mut Tx, actor: &audit::Actor, id: i64, version: i32, splits: &[String]) -> AppResult<(Range, Vec<i64>)> {
    let e = actor.enterprise_id;
    sqlx::query("SELECT id FROM code_ranges WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let r = range(tx, e, id).await?;
    if r.version != version {
        return Err(AppError::Refused(Msg::Stale));
    }
    match r.status {
        RangeStatus::Active => return Err(AppError::Refused(ActivationMsg::IsActive.into())),
        RangeStatus::Scheduled => return Err(AppError::Refused(ActivationMsg::IsScheduled.into())),
        RangeStatus::Entered => {}
    }
    let points = split_points(r.package_id, r.serial_start, r.serial_end, splits)?;
    let (starts, ends): (Vec<i32>, Vec<i32>) = split_ranges(r.serial_start, r.serial_end, &points).into_iter().unzip();
    sqlx::query("DELETE FROM code_ranges WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, brand_id,
                                  factory_id, workshop_id, line_id, produced_at, extra, entered_by)
         SELECT $1, $2, $3, u.s, u.t, $6, $7, $8, $9, $10, $11, $12, NULLIF($13, 0)
           FROM unnest($4::int[], $5::int[]) AS u(s, t) ORDER BY u.s
         RETURNING id",
    )
    .bind(e)
    .bind(r.package_id)
    .bind(r.batch_no)
    .bind(&starts)
    .bind(&ends)
    .bind(r.product_id)
    .bind(r.brand_id)
    .bind(r.factory_id)
    .bind(r.workshop_id)
    .bind(r.line_id)
    .bind(r.produced_at)
    .bind(Json(&r.extra))
    .bind(actor.user_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok((r, ids))
}

// ---- extra info fields ----

pub async fn info_fields(tx: &mut Tx, e: i64) -> AppResult<Vec<InfoField>> {
    sqlx::query_as("SELECT id, name, required, sort, version FROM code_info_fields WHERE enterprise_id = $1 ORDER BY sort, name")
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}

/// The info form's choices: this enterprise's products (parent: brand), brands, factories,
/// workshops and lines, and its extra fields.
pub async fn info_choices(tx: &mut Tx, e: i64) -> AppResult<InfoChoices> {
    let mut lists = vec![];
    for sql in [
        "SELECT id, name, brand_id AS parent_id FROM products WHERE enterprise_id = $1 ORDER BY name",
        "SELECT id, name, NULL::bigint AS parent_id FROM brands WHERE enterprise_id = $1 ORDER BY name",
        "SELECT id, name, NULL::bigint AS parent_id FROM factories WHERE enterprise_id = $1 ORDER BY name",
        "SELECT id, name, factory_id AS parent_id FROM workshops WHERE enterprise_id = $1 ORDER BY name",
        "SELECT id, name, workshop_id AS parent_id FROM production_lines WHERE enterprise_id = $1 ORDER BY name",
    ] {
        lists.push(sqlx::query_as::<_, InfoChoice>(sql).bind(e).fetch_all(&mut **tx).await.map_err(internal)?);
    }
    let mut lists = lists.into_iter();
    let mut next = || lists.next().unwrap_or_default();
    Ok(InfoChoices {
        products: next(),
        brands: next(),
        factories: next(),
        workshops: next(),
        lines: next(),
        fields: info_fields(tx, e).await?,
    })
}

pub async fn save_info_field(tx: &mut Tx, e: i64, i: &InfoFieldInput) -> AppResult<i64> {
    let r = match i.id {
        None => {
            sqlx::query_scalar("INSERT INTO code_info_fields (enterprise_id, name, required, sort) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(e)
                .bind(i.name.trim())
                .bind(i.required)
                .bind(i.sort)
                .fetch_optional(&mut **tx)
                .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE code_info_fields SET name = $4, required = $5, sort = $6, version = version + 1
                  WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.name.trim())
            .bind(i.required)
            .bind(i.sort)
            .fetch_optional(&mut **tx)
            .await
        }
    };
    super::saved(tx, r, "code_info_fields", e, i.id, &[("code_info_fields_name_unique", "name")]).await
}

/// Deletes an extra field no range has a value for; returns its name.
pub async fn delete_info_field(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let users: Vec<(i64, i32, i32)> = sqlx::query_as(
        "SELECT package_id, serial_start, serial_end FROM code_ranges
          WHERE enterprise_id = $1 AND (extra ->> $2::text) IS NOT NULL ORDER BY package_id, serial_start LIMIT 5",
    )
    .bind(e)
    .bind(id.to_string())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    if !users.is_empty() {
        let by = users.into_iter().map(|(p, s, t)| printable_range(p, s, t)).collect();
        return Err(AppError::Refused(Msg::InUse { by }));
    }
    sqlx::query_scalar("DELETE FROM code_info_fields WHERE enterprise_id = $1 AND id = $2 RETURNING name")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

// ---- scheduled activation ----

/// Activates the range of the job's payload if it is still scheduled with the payload's version
/// and holds no scrapped code; otherwise changes nothing and says why in the job's result.
pub async fn activate_scheduled(job: &Job) -> anyhow::Result<serde_json::Value> {
    let (Some(id), Some(version)) = (job.payload["range_id"].as_i64(), job.payload["version"].as_i64()) else {
        anyhow::bail!("payload without range_id and version: {}", job.payload);
    };
    let actor = &job.actor;
    let e = actor.enterprise_id;
    let mut tx = job.state.db.tenant(e).await?;
    let skipped = |reason: String| Ok(json!({ "activated": false, "range_id": id, "reason": reason }));
    let package_id: Option<i64> = sqlx::query_scalar("SELECT package_id FROM code_ranges WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(package_id) = package_id else {
        return skipped("号段已删除 / the range was deleted".into());
    };
    // Takes turns with scrapping of the package, like activation by hand.
    sqlx::query("SELECT id FROM code_packages WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(package_id)
        .execute(&mut *tx)
        .await?;
    let current: (i32, i32, RangeStatus, i32) =
        sqlx::query_as("SELECT serial_start, serial_end, status, version FROM code_ranges WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let (first, last, status, current_version) = current;
    if status != RangeStatus::Scheduled || i64::from(current_version) != version {
        return skipped(format!("号段已撤销或已修改（{}） / the range was revoked or changed", status.label(crate::i18n::Locale::Zh)));
    }
    if let Some(msg) = scrap_in(&mut tx, e, package_id, first, last).await.map_err(|err| anyhow::anyhow!("{err}"))? {
        let reason = Msg::from(msg).render(crate::i18n::Locale::Zh);
        audit::record(
            &mut tx,
            actor,
            Change {
                module: Module::Codes,
                action: "activate_skipped",
                entity: "code_range",
                entity_id: Some(id),
                summary: reason.clone(),
            },
        )
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
        tx.commit().await?;
        return skipped(reason);
    }
    sqlx::query(
        "UPDATE code_ranges SET status = 'active', activated_at = now(), activated_by = NULLIF($3, 0), version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND status = 'scheduled' AND version = $4",
    )
    .bind(e)
    .bind(id)
    .bind(actor.user_id)
    .bind(current_version)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            module: Module::Codes,
            action: "activate",
            entity: "code_range",
            entity_id: Some(id),
            summary: format!("定时激活号段 {}", printable_range(package_id, first, last)),
        },
    )
    .await
    .map_err(|err| anyhow::anyhow!("{err}"))?;
    tx.commit().await?;
    Ok(json!({ "activated": true, "range_id": id }))
}
