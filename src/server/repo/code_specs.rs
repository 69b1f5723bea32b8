//! Code specs and their review-flow people (code_spec_people).

use super::saved;
use crate::domain::code_specs::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use std::collections::{HashMap, HashSet};

#[derive(sqlx::FromRow)]
struct SpecRow {
    id: i64,
    name: String,
    file_fields: Vec<String>,
    file_format: String,
    separator: String,
    with_header: bool,
    pin_digits: i16,
    landing: Landing,
    landing_url: String,
    flow_name: String,
    warn_generated_hours: Option<i32>,
    warn_entered_hours: Option<i32>,
    warn_sent_hours: Option<i32>,
    package_count: i64,
    updated_at: chrono::DateTime<chrono::Utc>,
    version: i32,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    spec_id: i64,
    role: SpecRole,
    #[sqlx(flatten)]
    person: SpecPerson,
}

const SPEC_SELECT: &str = "SELECT s.id, s.name, s.file_fields, s.file_format, s.separator, s.with_header, s.pin_digits, s.landing,
        s.landing_url, s.flow_name, s.warn_generated_hours, s.warn_entered_hours, s.warn_sent_hours, s.updated_at, s.version,
        (SELECT count(*) FROM code_packages p WHERE p.enterprise_id = s.enterprise_id AND p.spec_id = s.id) AS package_count
   FROM code_specs s";

/// Name contains, or the ID.
const SPEC_FILTER: &str = "s.enterprise_id = $1 AND ($2 = '' OR s.name ILIKE '%' || $2 || '%' OR s.id::text = $2)";

/// A person's name and login as lists show them; `m` is their membership in the enterprise.
const PERSON_COLUMNS: &str = "u.id AS user_id, u.name, COALESCE(u.mobile, u.email, '') AS login, m.status = 'enabled' AS enabled";

pub async fn list(tx: &mut Tx, e: i64, f: &SpecFilter, page: PageReq) -> AppResult<Page<CodeSpec>> {
    let search = f.search.trim();
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM code_specs s WHERE {SPEC_FILTER}"))
        .bind(e)
        .bind(search)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let rows: Vec<SpecRow> = sqlx::query_as(&format!("{SPEC_SELECT} WHERE {SPEC_FILTER} ORDER BY s.id DESC LIMIT $3 OFFSET $4"))
        .bind(e)
        .bind(search)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let items = with_people(tx, e, rows).await?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

pub async fn get(tx: &mut Tx, e: i64, id: i64) -> AppResult<CodeSpec> {
    let row: Option<SpecRow> = sqlx::query_as(&format!("{SPEC_SELECT} WHERE s.enterprise_id = $1 AND s.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    with_people(tx, e, row.into_iter().collect()).await?.pop().ok_or(AppError::NotFound)
}

/// Joins the review-flow people to the specs (one query for the page).
async fn with_people(tx: &mut Tx, e: i64, rows: Vec<SpecRow>) -> AppResult<Vec<CodeSpec>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let people: Vec<PersonRow> = sqlx::query_as(&format!(
        "SELECT sp.spec_id, sp.role, {PERSON_COLUMNS}
           FROM code_spec_people sp
           JOIN memberships m ON m.enterprise_id = sp.enterprise_id AND m.user_id = sp.user_id
           JOIN users u ON u.id = sp.user_id
          WHERE sp.enterprise_id = $1 AND sp.spec_id = ANY($2)
          ORDER BY u.name, u.id"
    ))
    .bind(e)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let mut by_spec: HashMap<(i64, SpecRole), Vec<SpecPerson>> = HashMap::new();
    for p in people {
        by_spec.entry((p.spec_id, p.role)).or_default().push(p.person);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut take = |role| by_spec.remove(&(r.id, role)).unwrap_or_default();
            CodeSpec {
                applicants: take(SpecRole::Applicant),
                reviewers: take(SpecRole::Reviewer),
                file_receivers: take(SpecRole::FileReceiver),
                password_receivers: take(SpecRole::PasswordReceiver),
                id: r.id,
                name: r.name,
                file_fields: r.file_fields.iter().filter_map(|f| FileField::from_key(f)).collect(),
                file_format: FileFormat::from_key(&r.file_format).unwrap_or(FileFormat::Csv),
                separator: r.separator,
                with_header: r.with_header,
                pin_digits: u8::try_from(r.pin_digits).unwrap_or(0),
                landing: r.landing,
                landing_url: r.landing_url,
                flow_name: r.flow_name,
                warn_generated_hours: r.warn_generated_hours.map(i64::from),
                warn_entered_hours: r.warn_entered_hours.map(i64::from),
                warn_sent_hours: r.warn_sent_hours.map(i64::from),
                package_count: r.package_count,
                updated_at: r.updated_at,
                version: r.version,
            }
        })
        .collect())
}

/// The enterprise's enabled accounts: whom a review flow may name.
pub async fn people_choices(tx: &mut Tx, e: i64) -> AppResult<Vec<SpecPerson>> {
    sqlx::query_as(&format!(
        "SELECT {PERSON_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.enterprise_id = $1 AND m.status = 'enabled' ORDER BY u.name, u.id"
    ))
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// Saves a validated spec and replaces its review-flow people; returns its id.
pub async fn save(tx: &mut Tx, e: i64, user_id: i64, i: &CodeSpecInput) -> AppResult<i64> {
    // Every chosen person must be an enabled account here (the foreign key only knows members).
    let chosen: Vec<i64> = SpecRole::ALL.iter().flat_map(|r| i.people(*r).iter().copied()).collect();
    let enabled: HashSet<i64> =
        sqlx::query_scalar("SELECT user_id FROM memberships WHERE enterprise_id = $1 AND user_id = ANY($2) AND status = 'enabled'")
            .bind(e)
            .bind(&chosen)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?
            .into_iter()
            .collect();
    let unavailable: Vec<_> = SpecRole::ALL
        .into_iter()
        .filter(|r| i.people(*r).iter().any(|u| !enabled.contains(u)))
        .map(|r| crate::domain::validate::FieldError { field: r.field().into(), msg: SpecMsg::AccountUnavailable.into() })
        .collect();
    if !unavailable.is_empty() {
        return Err(AppError::Invalid(unavailable));
    }

    let r = match i.id {
        None => {
            bind_spec(
                sqlx::query_scalar(
                    "INSERT INTO code_specs (enterprise_id, created_by, name, file_fields, file_format, separator, with_header,
                                             pin_digits, landing, landing_url, flow_name, warn_generated_hours, warn_entered_hours,
                                             warn_sent_hours)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                )
                .bind(e)
                .bind(user_id),
                i,
            )
            .fetch_optional(&mut **tx)
            .await
        }
        Some(id) => {
            bind_spec(
                sqlx::query_scalar(
                    "UPDATE code_specs SET name = $4, file_fields = $5, file_format = $6, separator = $7, with_header = $8,
                            pin_digits = $9, landing = $10, landing_url = $11, flow_name = $12, warn_generated_hours = $13,
                            warn_entered_hours = $14, warn_sent_hours = $15, updated_at = now(), version = version + 1
                      WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING id",
                )
                .bind(e)
                .bind(id)
                .bind(i.version),
                i,
            )
            .fetch_optional(&mut **tx)
            .await
        }
    };
    let id = saved(tx, r, "code_specs", e, i.id, &[("code_specs_name_unique", "name")]).await?;

    sqlx::query("DELETE FROM code_spec_people WHERE enterprise_id = $1 AND spec_id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    let (roles, users): (Vec<SpecRole>, Vec<i64>) = {
        let mut seen = HashSet::new();
        SpecRole::ALL.into_iter().flat_map(|r| i.people(r).iter().map(move |u| (r, *u))).filter(|p| seen.insert(*p)).unzip()
    };
    let roles: Vec<&str> = roles.iter().map(|r| r.key()).collect();
    sqlx::query(
        "INSERT INTO code_spec_people (enterprise_id, spec_id, role, user_id)
         SELECT $1, $2, r, u FROM unnest($3::text[], $4::bigint[]) AS x(r, u)",
    )
    .bind(e)
    .bind(id)
    .bind(&roles)
    .bind(&users)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(id)
}

type SpecQuery<'q> = sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, sqlx::postgres::PgArguments>;

/// Binds a spec's fields, in the order both the insert and the update list them.
fn bind_spec<'q>(q: SpecQuery<'q>, i: &'q CodeSpecInput) -> SpecQuery<'q> {
    let hours = |h: Option<i64>| h.and_then(|h| i32::try_from(h).ok());
    q.bind(i.name.trim())
        .bind(i.file_fields.iter().map(|f| f.key()).collect::<Vec<_>>())
        .bind(i.file_format.key())
        .bind(&i.separator)
        .bind(i.with_header)
        .bind(i16::from(i.pin_digits))
        .bind(i.landing)
        .bind(i.stored_landing_url())
        .bind(i.flow_name.trim())
        .bind(hours(i.warn_generated_hours))
        .bind(hours(i.warn_entered_hours))
        .bind(hours(i.warn_sent_hours))
}

/// Deletes a spec no package was applied for with; returns its name for the audit log.
pub async fn delete(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    // The row lock makes a concurrent application (which key-shares the spec) either finish
    // first, and be seen below, or wait and then fail its foreign key.
    let name: String = sqlx::query_scalar("SELECT name FROM code_specs WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let by: Vec<String> = sqlx::query_scalar(
        "SELECT '码包 ' || name FROM code_packages WHERE enterprise_id = $1 AND spec_id = $2 ORDER BY applied_at DESC, id DESC LIMIT 10",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    if !by.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by }));
    }
    sqlx::query("DELETE FROM code_specs WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(name)
}
