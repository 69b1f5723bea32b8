//! Repositories: the SQL of each area. Every function takes a tenant transaction ([`Tx`]) and
//! filters by enterprise explicitly as well, so isolation holds twice (query + RLS).
//!
//! [`Tx`]: super::db::Tx

pub mod accounts;
pub mod basic_data;

use super::auth::internal;
use super::db::violated_constraint;
use crate::domain::validate::Msg;
use crate::error::AppError;

/// Maps a named unique constraint to a "duplicate" error on a field; anything else is internal.
pub fn unique_or_internal(e: sqlx::Error, fields: &[(&str, &str)]) -> AppError {
    if let Some(c) = violated_constraint(&e) {
        if let Some((_, field)) = fields.iter().find(|(name, _)| *name == c) {
            return AppError::field(field, Msg::Duplicate);
        }
    }
    internal(e)
}

/// After an update matched no row: the record is gone (404) or was changed meanwhile (stale).
pub async fn missing_or_stale(tx: &mut super::db::Tx, table: &str, enterprise_id: i64, id: i64) -> AppError {
    let exists: Result<Option<i64>, _> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE enterprise_id = $1 AND id = $2"))
        .bind(enterprise_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await;
    match exists {
        Ok(Some(_)) => AppError::Refused(Msg::Stale),
        Ok(None) => AppError::NotFound,
        Err(e) => internal(e),
    }
}
