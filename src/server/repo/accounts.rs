//! Positions (岗位) and accounts (memberships of people in the enterprise).

use super::{missing_or_stale, saved, unique_or_internal};
use crate::domain::access::Grants;
use crate::domain::accounts::*;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
struct PositionRow {
    id: i64,
    name: String,
    description: String,
    grants: Json<Grants>,
    builtin: bool,
    account_count: i64,
    updated_at: chrono::DateTime<chrono::Utc>,
    version: i32,
}

impl From<PositionRow> for Position {
    fn from(r: PositionRow) -> Self {
        Position {
            id: r.id,
            name: r.name,
            description: r.description,
            // The built-in administrator always has every function, including ones added later.
            grants: if r.builtin { Grants::everything() } else { r.grants.0 },
            builtin: r.builtin,
            account_count: r.account_count,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

pub async fn positions(tx: &mut Tx, e: i64) -> AppResult<Vec<Position>> {
    let rows: Vec<PositionRow> = sqlx::query_as(
        "SELECT p.id, p.name, p.description, p.grants, p.builtin, p.updated_at, p.version,
                (SELECT count(*) FROM memberships m WHERE m.position_id = p.id) AS account_count
           FROM positions p WHERE p.enterprise_id = $1 ORDER BY p.builtin DESC, p.id",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(rows.into_iter().map(Position::from).collect())
}

pub async fn position(tx: &mut Tx, e: i64, id: i64) -> AppResult<Position> {
    positions(tx, e).await?.into_iter().find(|p| p.id == id).ok_or(AppError::NotFound)
}

pub async fn save_position(tx: &mut Tx, e: i64, i: &PositionInput) -> AppResult<i64> {
    let r = match i.id {
        None => {
            sqlx::query_scalar("INSERT INTO positions (enterprise_id, name, description, grants) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(e)
                .bind(i.name.trim())
                .bind(i.description.trim())
                .bind(Json(&i.grants))
                .fetch_optional(&mut **tx)
                .await
        }
        Some(id) => {
            if position(tx, e, id).await?.builtin {
                return Err(AppError::Refused(Msg::BuiltInReadOnly));
            }
            sqlx::query_scalar(
                "UPDATE positions SET name = $4, description = $5, grants = $6, updated_at = now(), version = version + 1
                  WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND NOT builtin RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(i.version)
            .bind(i.name.trim())
            .bind(i.description.trim())
            .bind(Json(&i.grants))
            .fetch_optional(&mut **tx)
            .await
        }
    };
    saved(tx, r, "positions", e, i.id, &[("positions_name_unique", "name")]).await
}

/// Deletes a position no account holds; returns its name.
pub async fn delete_position(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let p = position(tx, e, id).await?;
    if p.builtin {
        return Err(AppError::Refused(Msg::BuiltInReadOnly));
    }
    let holders: Vec<String> = sqlx::query_scalar(
        "SELECT '账号 ' || u.name FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.enterprise_id = $1 AND m.position_id = $2 ORDER BY u.name LIMIT 10",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    if !holders.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by: holders }));
    }
    sqlx::query("DELETE FROM positions WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(p.name)
}

const ACCOUNT_SELECT: &str = "SELECT m.id, m.user_id, u.name, u.mobile, u.email, m.position_id, p.name AS position_name,
        c.name AS creator_name, m.status, m.remark, m.created_at, m.version
   FROM memberships m
   JOIN users u ON u.id = m.user_id
   JOIN positions p ON p.id = m.position_id
   LEFT JOIN users c ON c.id = m.created_by";

pub async fn accounts(tx: &mut Tx, e: i64, f: &AccountFilter, page: PageReq) -> AppResult<Page<Account>> {
    let filter = "m.enterprise_id = $1 AND ($2::bigint IS NULL OR m.position_id = $2)
        AND ($3::text IS NULL OR m.status = $3)
        AND ($4 = '' OR u.name ILIKE '%' || $4 || '%' OR u.mobile LIKE '%' || $4 || '%')";
    let status = f.status.map(|s| match s {
        AccountStatus::Enabled => "enabled",
        AccountStatus::Disabled => "disabled",
    });
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE {filter}"))
        .bind(e)
        .bind(f.position_id)
        .bind(status)
        .bind(f.search.trim())
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let items = sqlx::query_as(&format!("{ACCOUNT_SELECT} WHERE {filter} ORDER BY m.id DESC LIMIT $5 OFFSET $6"))
        .bind(e)
        .bind(f.position_id)
        .bind(status)
        .bind(f.search.trim())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items, total, page: p.page, size: p.size })
}

pub async fn account(tx: &mut Tx, e: i64, id: i64) -> AppResult<Account> {
    sqlx::query_as(&format!("{ACCOUNT_SELECT} WHERE m.enterprise_id = $1 AND m.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

async fn require_position(tx: &mut Tx, e: i64, id: Option<i64>) -> AppResult<i64> {
    let id = id.ok_or_else(|| AppError::field("position_id", Msg::Required))?;
    position(tx, e, id).await.map_err(|_| AppError::field("position_id", Msg::NotFound))?;
    Ok(id)
}

fn email_or_none(s: &str) -> Option<String> {
    let s = s.trim().to_lowercase();
    (!s.is_empty()).then_some(s)
}

/// Creates the account: finds the person by mobile/email or creates them with `password_hash`.
/// Returns (membership id, user id, whether the person is new).
pub async fn create_account(tx: &mut Tx, e: i64, creator: i64, i: &AccountInput, password_hash: &str) -> AppResult<(i64, i64, bool)> {
    let position_id = require_position(tx, e, i.position_id).await?;
    let (user_id, created): (i64, bool) = sqlx::query_as("SELECT user_id, created FROM tessera_find_or_create_user($1, $2, $3, $4)")
        .bind(i.name.trim())
        .bind(i.mobile.trim())
        .bind(email_or_none(&i.email))
        .bind(password_hash)
        .fetch_one(&mut **tx)
        .await
        .map_err(|err| unique_or_internal(err, &[("users_email_key", "email"), ("users_mobile_key", "mobile")]))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO memberships (enterprise_id, user_id, position_id, remark, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(e)
    .bind(user_id)
    .bind(position_id)
    .bind(i.remark.trim())
    .bind(creator)
    .fetch_one(&mut **tx)
    .await
    .map_err(|err| unique_or_internal(err, &[("memberships_user_unique", "mobile")]))?;
    Ok((id, user_id, created))
}

pub async fn update_account(tx: &mut Tx, e: i64, i: &AccountInput) -> AppResult<Account> {
    let id = i.id.ok_or(AppError::NotFound)?;
    let position_id = require_position(tx, e, i.position_id).await?;
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE memberships SET position_id = $4, remark = $5, version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING user_id",
    )
    .bind(e)
    .bind(id)
    .bind(i.version)
    .bind(position_id)
    .bind(i.remark.trim())
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let Some(user_id) = updated else { return Err(missing_or_stale(tx, "memberships", e, id).await) };
    // A person's mobile and email are their login everywhere: an administrator of one
    // enterprise may not change them for someone who also belongs to another.
    let (mobile, email): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT mobile, email FROM users WHERE id = $1").bind(user_id).fetch_one(&mut **tx).await.map_err(internal)?;
    let login_changed = mobile.as_deref() != Some(i.mobile.trim()) || email != email_or_none(&i.email);
    if login_changed {
        let shared: bool = sqlx::query_scalar("SELECT tessera_user_in_other_enterprises($1)")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal)?;
        if shared {
            let field = if mobile.as_deref() != Some(i.mobile.trim()) { "mobile" } else { "email" };
            return Err(AppError::field(field, Msg::LoginSharedWithOtherEnterprises));
        }
    }
    sqlx::query("UPDATE users SET name = $2, mobile = $3, email = $4 WHERE id = $1")
        .bind(user_id)
        .bind(i.name.trim())
        .bind(i.mobile.trim())
        .bind(email_or_none(&i.email))
        .execute(&mut **tx)
        .await
        .map_err(|err| unique_or_internal(err, &[("users_email_key", "email"), ("users_mobile_key", "mobile")]))?;
    account(tx, e, id).await
}

pub async fn set_status(tx: &mut Tx, e: i64, id: i64, status: AccountStatus) -> AppResult<Account> {
    let s = match status {
        AccountStatus::Enabled => "enabled",
        AccountStatus::Disabled => "disabled",
    };
    let n = sqlx::query("UPDATE memberships SET status = $3, version = version + 1 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(s)
        .execute(&mut **tx)
        .await
        .map_err(internal)?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    account(tx, e, id).await
}

/// People of the enterprise for filter menus (audit log "user").
pub async fn people(tx: &mut Tx, e: i64) -> AppResult<Vec<crate::domain::basic_data::Choice>> {
    sqlx::query_as("SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.enterprise_id = $1 ORDER BY u.name")
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}
