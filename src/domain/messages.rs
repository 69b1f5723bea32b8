//! Outbox messages (消息中心): what a real deployment texts or emails.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Channel {
    Sms,
    Email,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Delivery {
    /// Recorded only: no transport is configured for the channel.
    Recorded,
    Sent,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OutboxMessage {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub channel: Channel,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub delivery: Delivery,
    pub error: Option<String>,
}
