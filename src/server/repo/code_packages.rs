//! Code packages: application, edits and withdrawal while pending, review (approval creates
//! the batches and queues the generation job in the same transaction), retry after a failed
//! generation, and the lists and detail with what the signed-in person may do.
//!
//! Every transition is one conditional UPDATE (`WHERE status = … AND version = …` plus who may
//! make it), so a double click or two reviewers at once apply it once; when it matches no row,
//! a second look says why (not found, not yours, reviewed already, stale …).

use super::unique_or_internal;
use crate::domain::code_packages::*;
use crate::domain::codes::batch_ranges;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::audit::Actor;
use crate::server::auth::internal;
use crate::server::db::Tx;

/// The status a package shows: a generation whose job failed (whatever the package row says)
/// is 'failed', so it can be retried.
const STATUS: &str = "(CASE WHEN p.status = 'generating' AND j.status = 'failed' THEN 'failed' ELSE p.status END)";

/// Whether person $2 is a reviewer of the package's spec.
const REVIEWER: &str = "EXISTS (SELECT 1 FROM code_spec_people sp WHERE sp.enterprise_id = p.enterprise_id AND sp.spec_id = p.spec_id
                                  AND sp.role = 'reviewer' AND sp.user_id = $2)";

/// Whether person $2 may see the package: with manage ($3) any; else their own applications
/// and the packages of specs whose review flow names them.
const VISIBLE: &str = "($3 OR p.applied_by = $2 OR EXISTS (SELECT 1 FROM code_spec_people sp
                         WHERE sp.enterprise_id = p.enterprise_id AND sp.spec_id = p.spec_id AND sp.user_id = $2))";

/// The list row; parameters $1 enterprise, $2 person, $3 whether they hold CodePackages manage.
fn row_select() -> String {
    format!(
        "SELECT p.id, p.name, p.spec_id, s.name AS spec_name, p.purpose, p.code_count::bigint AS code_count,
                p.file_count::bigint AS file_count, f.name AS factory_name, {STATUS} AS status,
                COALESCE(u.name, '') AS applicant_name, p.applied_at, p.version,
                COALESCE(j.progress, 0) AS progress, COALESCE(j.total, 0) AS total,
                (p.status = 'pending' AND p.applied_by = $2) AS can_edit,
                ($3 AND p.status = 'pending' AND p.applied_by <> $2 AND {REVIEWER}) AS can_review,
                ($3 AND {STATUS} = 'failed' AND {REVIEWER}) AS can_retry
           FROM code_packages p
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
           JOIN factories f ON f.enterprise_id = p.enterprise_id AND f.id = p.factory_id
           LEFT JOIN users u ON u.id = p.applied_by
           LEFT JOIN jobs j ON j.id = p.job_id"
    )
}

fn tab_filter(tab: PackageTab) -> String {
    match tab {
        PackageTab::Mine => "p.applied_by = $2".into(),
        PackageTab::ToReview => format!("p.status = 'pending' AND p.applied_by <> $2 AND {REVIEWER}"),
        PackageTab::Reviewed => "p.reviewed_by = $2".into(),
        PackageTab::All => "true".into(),
    }
}

pub async fn list(tx: &mut Tx, e: i64, me: i64, manage: bool, f: &PackageFilter, page: PageReq) -> AppResult<Page<PackageRow>> {
    let filter = format!(
        "p.enterprise_id = $1 AND {VISIBLE} AND {} AND ($4::text IS NULL OR {STATUS} = $4)
         AND ($5 = '' OR p.name ILIKE '%' || $5 || '%' OR s.name ILIKE '%' || $5 || '%' OR p.id::text = $5)",
        tab_filter(f.tab)
    );
    let status = f.status.map(PackageStatus::key);
    let search = f.search.trim();
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM code_packages p
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
           LEFT JOIN jobs j ON j.id = p.job_id
          WHERE {filter}"
    ))
    .bind(e)
    .bind(me)
    .bind(manage)
    .bind(status)
    .bind(search)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let items = sqlx::query_as(&format!("{} WHERE {filter} ORDER BY p.applied_at DESC, p.id DESC LIMIT $6 OFFSET $7", row_select()))
        .bind(e)
        .bind(me)
        .bind(manage)
        .bind(status)
        .bind(search)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

#[derive(sqlx::FromRow)]
struct Details {
    factory_id: i64,
    product_id: Option<i64>,
    product_name: Option<String>,
    filling_factory_id: Option<i64>,
    filling_factory_name: Option<String>,
    remark: String,
    reject_reason: Option<String>,
    reviewer_name: Option<String>,
    reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    generated_at: Option<chrono::DateTime<chrono::Utc>>,
    sender_name: Option<String>,
    sent_at: Option<chrono::DateTime<chrono::Utc>>,
    error: Option<String>,
}

/// One package with its batches, if the person may see it.
pub async fn get(tx: &mut Tx, e: i64, me: i64, manage: bool, id: i64) -> AppResult<Package> {
    let row: PackageRow = sqlx::query_as(&format!("{} WHERE p.enterprise_id = $1 AND {VISIBLE} AND p.id = $4", row_select()))
        .bind(e)
        .bind(me)
        .bind(manage)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let d: Details = sqlx::query_as(
        "SELECT p.factory_id, p.product_id, pr.name AS product_name, p.filling_factory_id, ff.name AS filling_factory_name,
                p.remark, p.reject_reason, rv.name AS reviewer_name, p.reviewed_at, p.generated_at,
                sd.name AS sender_name, p.sent_at, CASE WHEN j.status = 'failed' THEN j.error END AS error
           FROM code_packages p
           LEFT JOIN products pr ON pr.enterprise_id = p.enterprise_id AND pr.id = p.product_id
           LEFT JOIN factories ff ON ff.enterprise_id = p.enterprise_id AND ff.id = p.filling_factory_id
           LEFT JOIN users rv ON rv.id = p.reviewed_by
           LEFT JOIN users sd ON sd.id = p.sent_by
           LEFT JOIN jobs j ON j.id = p.job_id
          WHERE p.enterprise_id = $1 AND p.id = $2",
    )
    .bind(e)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let batches = sqlx::query_as(
        "SELECT batch_no, serial_start, serial_end, file_name, file_size, generated_at, downloads
           FROM code_batches WHERE enterprise_id = $1 AND package_id = $2 ORDER BY batch_no",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(Package {
        row,
        factory_id: d.factory_id,
        product_id: d.product_id,
        product_name: d.product_name,
        filling_factory_id: d.filling_factory_id,
        filling_factory_name: d.filling_factory_name,
        remark: d.remark,
        reject_reason: d.reject_reason,
        reviewer_name: d.reviewer_name,
        reviewed_at: d.reviewed_at,
        generated_at: d.generated_at,
        sender_name: d.sender_name,
        sent_at: d.sent_at,
        error: d.error,
        batches,
    })
}

/// The state and generation progress of the packages `ids` the person may see.
pub async fn progress(tx: &mut Tx, e: i64, me: i64, manage: bool, ids: &[i64]) -> AppResult<Vec<PackageProgress>> {
    sqlx::query_as(&format!(
        "SELECT p.id, {STATUS} AS status, COALESCE(j.progress, 0) AS progress, COALESCE(j.total, 0) AS total, p.version
           FROM code_packages p LEFT JOIN jobs j ON j.id = p.job_id
          WHERE p.enterprise_id = $1 AND {VISIBLE} AND p.id = ANY($4)"
    ))
    .bind(e)
    .bind(me)
    .bind(manage)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// What the application form offers the person.
pub async fn choices(tx: &mut Tx, e: i64, me: i64) -> AppResult<PackageChoices> {
    #[derive(sqlx::FromRow)]
    struct Spec {
        id: i64,
        name: String,
        flow_name: String,
        reviewers: Vec<String>,
        file_receivers: Vec<String>,
        password_receivers: Vec<String>,
    }
    let people = |role: &str| {
        format!(
            "ARRAY(SELECT u.name FROM code_spec_people x JOIN users u ON u.id = x.user_id
                    WHERE x.enterprise_id = s.enterprise_id AND x.spec_id = s.id AND x.role = '{role}' ORDER BY u.name)"
        )
    };
    let specs: Vec<Spec> = sqlx::query_as(&format!(
        "SELECT s.id, s.name, s.flow_name, {} AS reviewers, {} AS file_receivers, {} AS password_receivers
           FROM code_specs s
          WHERE s.enterprise_id = $1 AND EXISTS (SELECT 1 FROM code_spec_people sp WHERE sp.enterprise_id = s.enterprise_id
                                                 AND sp.spec_id = s.id AND sp.role = 'applicant' AND sp.user_id = $2)
          ORDER BY s.name",
        people("reviewer"),
        people("file_receiver"),
        people("password_receiver")
    ))
    .bind(e)
    .bind(me)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let named = |table: &str| format!("SELECT id, name FROM {table} WHERE enterprise_id = $1 ORDER BY name");
    let factories = sqlx::query_as(&named("factories")).bind(e).fetch_all(&mut **tx).await.map_err(internal)?;
    let products = sqlx::query_as(&named("products")).bind(e).fetch_all(&mut **tx).await.map_err(internal)?;
    Ok(PackageChoices {
        specs: specs
            .into_iter()
            .map(|s| SpecChoice {
                id: s.id,
                name: s.name,
                flow_name: s.flow_name,
                reviewers: s.reviewers,
                file_receivers: s.file_receivers,
                password_receivers: s.password_receivers,
            })
            .collect(),
        factories,
        products,
    })
}

/// The application's spec exists and names the person as an applicant.
async fn require_applicant(tx: &mut Tx, e: i64, me: i64, spec_id: Option<i64>) -> AppResult<()> {
    let found: Option<(String, bool)> = sqlx::query_as(
        "SELECT s.name, EXISTS (SELECT 1 FROM code_spec_people sp WHERE sp.enterprise_id = s.enterprise_id AND sp.spec_id = s.id
                                AND sp.role = 'applicant' AND sp.user_id = $3)
           FROM code_specs s WHERE s.enterprise_id = $1 AND s.id = $2",
    )
    .bind(e)
    .bind(spec_id)
    .bind(me)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match found {
        None => Err(AppError::field("spec_id", Msg::NotFound)),
        Some((spec, false)) => Err(AppError::Refused(PackageMsg::NotAnApplicant { spec }.into())),
        Some((_, true)) => Ok(()),
    }
}

/// The factories and product the form names are this enterprise's (the composite foreign keys
/// refuse others regardless; this says which field is wrong).
async fn require_references(tx: &mut Tx, e: i64, i: &PackageInput) -> AppResult<()> {
    let mut missing = vec![];
    for (field, table, id) in [
        ("factory_id", "factories", i.factory_id),
        ("product_id", "products", i.product_id),
        ("filling_factory_id", "factories", i.filling_factory_id),
    ] {
        let Some(id) = id else { continue };
        let found: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE enterprise_id = $1 AND id = $2"))
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
        if found.is_none() {
            missing.push(crate::domain::validate::FieldError { field: field.into(), msg: Msg::NotFound });
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(missing))
    }
}

const NAME_UNIQUE: &[(&str, &str)] = &[("code_packages_name_unique", "name")];

/// A new application (validated): pending, keyed with `key_version` and a fresh `key_salt`.
/// Returns its id.
pub async fn apply(tx: &mut Tx, e: i64, me: i64, i: &PackageInput, key_version: u8, key_salt: &[u8]) -> AppResult<i64> {
    require_applicant(tx, e, me, i.spec_id).await?;
    require_references(tx, e, i).await?;
    sqlx::query_scalar(
        "INSERT INTO code_packages (enterprise_id, applied_by, key_version, key_salt, spec_id, name, purpose, code_count, file_count,
                                    factory_id, product_id, filling_factory_id, remark)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e)
    .bind(me)
    .bind(i16::from(key_version))
    .bind(key_salt)
    .bind(i.spec_id)
    .bind(i.name.trim())
    .bind(i.purpose)
    .bind(i.code_count as i32)
    .bind(i.file_count as i32)
    .bind(i.factory_id)
    .bind(i.product_id)
    .bind(i.filling_factory_id)
    .bind(i.remark.trim())
    .fetch_one(&mut **tx)
    .await
    .map_err(|err| unique_or_internal(err, NAME_UNIQUE))
}

/// The applicant's edit of a pending application (validated, with the version they saw).
pub async fn edit(tx: &mut Tx, e: i64, me: i64, i: &PackageInput) -> AppResult<i64> {
    let id = i.id.ok_or(AppError::NotFound)?;
    require_applicant(tx, e, me, i.spec_id).await?;
    require_references(tx, e, i).await?;
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE code_packages SET spec_id = $5, name = $6, purpose = $7, code_count = $8, file_count = $9, factory_id = $10,
                product_id = $11, filling_factory_id = $12, remark = $13, version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status = 'pending' AND applied_by = $4 RETURNING id",
    )
    .bind(e)
    .bind(id)
    .bind(i.version)
    .bind(me)
    .bind(i.spec_id)
    .bind(i.name.trim())
    .bind(i.purpose)
    .bind(i.code_count as i32)
    .bind(i.file_count as i32)
    .bind(i.factory_id)
    .bind(i.product_id)
    .bind(i.filling_factory_id)
    .bind(i.remark.trim())
    .fetch_optional(&mut **tx)
    .await
    .map_err(|err| unique_or_internal(err, NAME_UNIQUE))?;
    match updated {
        Some(id) => Ok(id),
        None => Err(why_not(tx, e, me, id, Transition::Edit).await),
    }
}

/// The applicant withdraws (deletes) a pending application; returns its name.
pub async fn withdraw(tx: &mut Tx, e: i64, me: i64, id: i64, version: i32) -> AppResult<String> {
    let name: Option<String> = sqlx::query_scalar(
        "DELETE FROM code_packages
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status = 'pending' AND applied_by = $4 RETURNING name",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .bind(me)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match name {
        Some(name) => Ok(name),
        None => Err(why_not(tx, e, me, id, Transition::Edit).await),
    }
}

/// A reviewed package, for the audit log.
pub struct Reviewed {
    pub name: String,
    pub job_id: Option<i64>,
}

/// A reviewer approves or rejects a pending application (validated). Approval moves it on to
/// generating in the same transaction: its batches are created and the generation job queued.
pub async fn review(tx: &mut Tx, actor: &Actor, r: &ReviewInput, generate_job: &str) -> AppResult<Reviewed> {
    let (e, me) = (actor.enterprise_id, actor.user_id);
    let (status, reason) = if r.approve { ("generating", None) } else { ("rejected", Some(r.reason.trim())) };
    let updated: Option<(String, i32, i32)> = sqlx::query_as(&format!(
        "UPDATE code_packages p SET status = $4, reject_reason = $5, reviewed_by = $2, reviewed_at = now(), version = version + 1
          WHERE p.enterprise_id = $1 AND p.id = $3 AND p.version = $6 AND p.status = 'pending' AND p.applied_by <> $2 AND {REVIEWER}
          RETURNING p.name, p.code_count, p.file_count"
    ))
    .bind(e)
    .bind(me)
    .bind(r.id)
    .bind(status)
    .bind(reason)
    .bind(r.version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let Some((name, count, files)) = updated else {
        return Err(why_not(tx, e, me, r.id, Transition::Review).await);
    };
    if !r.approve {
        return Ok(Reviewed { name, job_id: None });
    }
    create_batches(tx, e, r.id, count, files).await?;
    let job_id = queue_generation(tx, actor, r.id, generate_job).await?;
    Ok(Reviewed { name, job_id: Some(job_id) })
}

/// The package's batches: `files` contiguous serial ranges covering 1..=count.
async fn create_batches(tx: &mut Tx, e: i64, package_id: i64, count: i32, files: i32) -> AppResult<()> {
    let ranges = batch_ranges(count as u32, files as u32);
    let numbers: Vec<i32> = (1..=ranges.len() as i32).collect();
    let starts: Vec<i32> = ranges.iter().map(|r| r.0 as i32).collect();
    let ends: Vec<i32> = ranges.iter().map(|r| r.1 as i32).collect();
    let names: Vec<String> = numbers.iter().map(|n| batch_file_name(package_id, *n as u32)).collect();
    sqlx::query(
        "INSERT INTO code_batches (enterprise_id, package_id, batch_no, serial_start, serial_end, file_name)
         SELECT $1, $2, b.no, b.first, b.last, b.file FROM unnest($3::int[], $4::int[], $5::int[], $6::text[]) AS b(no, first, last, file)",
    )
    .bind(e)
    .bind(package_id)
    .bind(&numbers)
    .bind(&starts)
    .bind(&ends)
    .bind(&names)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(())
}

/// Queues the generation of a package and remembers the job on it.
async fn queue_generation(tx: &mut Tx, actor: &Actor, package_id: i64, generate_job: &str) -> AppResult<i64> {
    let job_id = crate::server::jobs::enqueue(tx, actor, generate_job, serde_json::json!({ "package_id": package_id })).await?;
    sqlx::query("UPDATE code_packages SET job_id = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(actor.enterprise_id)
        .bind(package_id)
        .bind(job_id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(job_id)
}

/// A reviewer of the spec generates a failed package again (its batches are kept); returns the
/// package's name and the new job.
pub async fn retry(tx: &mut Tx, actor: &Actor, id: i64, version: i32, generate_job: &str) -> AppResult<Reviewed> {
    let (e, me) = (actor.enterprise_id, actor.user_id);
    let name: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE code_packages p SET status = 'generating', version = version + 1
          WHERE p.enterprise_id = $1 AND p.id = $3 AND p.version = $4 AND {REVIEWER}
            AND (p.status = 'failed'
                 OR (p.status = 'generating' AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = p.job_id AND j.status = 'failed')))
          RETURNING p.name"
    ))
    .bind(e)
    .bind(me)
    .bind(id)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let Some(name) = name else {
        return Err(why_not(tx, e, me, id, Transition::Retry).await);
    };
    let job_id = queue_generation(tx, actor, id, generate_job).await?;
    Ok(Reviewed { name, job_id: Some(job_id) })
}

#[derive(Clone, Copy, PartialEq)]
enum Transition {
    /// Edit or withdraw: the applicant, while pending.
    Edit,
    /// Approve or reject: a reviewer of the spec other than the applicant, while pending.
    Review,
    /// Generate again: a reviewer of the spec, after a failed generation.
    Retry,
}

/// Why a conditional transition matched no row: the first rule it breaks, else stale.
async fn why_not(tx: &mut Tx, e: i64, me: i64, id: i64, t: Transition) -> AppError {
    #[derive(sqlx::FromRow)]
    struct State {
        status: PackageStatus,
        applied_by: i64,
        spec_name: String,
        reviewer: bool,
    }
    let state: Result<Option<State>, _> = sqlx::query_as(&format!(
        "SELECT {STATUS} AS status, p.applied_by, s.name AS spec_name, {REVIEWER} AS reviewer
           FROM code_packages p
           JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
           LEFT JOIN jobs j ON j.id = p.job_id
          WHERE p.enterprise_id = $1 AND p.id = $3"
    ))
    .bind(e)
    .bind(me)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await;
    let s = match state {
        Err(err) => return internal(err),
        Ok(None) => return AppError::NotFound,
        Ok(Some(s)) => s,
    };
    let refused = |m: PackageMsg| AppError::Refused(m.into());
    match t {
        Transition::Edit if s.applied_by != me => refused(PackageMsg::NotYourApplication),
        Transition::Edit if s.status != PackageStatus::Pending => refused(PackageMsg::NoLongerPending { status: s.status }),
        Transition::Review if s.applied_by == me => refused(PackageMsg::OwnApplication),
        Transition::Review | Transition::Retry if !s.reviewer => refused(PackageMsg::NotAReviewer { spec: s.spec_name }),
        Transition::Review if s.status != PackageStatus::Pending => refused(PackageMsg::AlreadyReviewed { status: s.status }),
        Transition::Retry if s.status != PackageStatus::Failed => refused(PackageMsg::NotFailed { status: s.status }),
        // Every rule holds: the form's version is old (or the row changed meanwhile).
        _ => AppError::Refused(Msg::Stale),
    }
}
