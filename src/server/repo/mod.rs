//! Repositories: the SQL of each area. Every function takes a tenant transaction ([`Tx`]) and
//! filters by enterprise explicitly as well, so isolation holds twice (query + RLS).
//!
//! [`Tx`]: super::db::Tx

pub mod accounts;
pub mod basic_data;
pub mod campaign_data;
pub mod campaigns;
pub mod code_activation;
pub mod code_delivery;
pub mod code_generation;
pub mod code_packages;
pub mod code_query;
pub mod code_scraps;
pub mod code_specs;
pub mod consumers;
pub mod crowds;
pub mod promotion;
pub mod risk;
pub mod warnings;

use super::auth::internal;
use super::db::violated_constraint;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};

/// Maps a named unique constraint to a "duplicate" error on a field; anything else is internal.
pub fn unique_or_internal(e: sqlx::Error, fields: &[(&str, &str)]) -> AppError {
    if let Some(c) = violated_constraint(&e) {
        if let Some((_, field)) = fields.iter().find(|(name, _)| *name == c) {
            return AppError::field(field, Msg::Duplicate);
        }
    }
    internal(e)
}

/// The outcome of an insert, or of an update guarded by `version`, that returns the id: the id;
/// a duplicate on a field (named unique constraints); or, when the update matched no row,
/// missing (404) or stale (409).
pub async fn saved(
    tx: &mut super::db::Tx,
    result: Result<Option<i64>, sqlx::Error>,
    table: &str,
    enterprise_id: i64,
    id: Option<i64>,
    uniques: &[(&str, &str)],
) -> AppResult<i64> {
    match result.map_err(|err| unique_or_internal(err, uniques))? {
        Some(id) => Ok(id),
        None => Err(missing_or_stale(tx, table, enterprise_id, id.unwrap_or_default()).await),
    }
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
