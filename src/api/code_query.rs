//! Server functions: 二维码查询 — one code by code string, scan URL or printable serial.

use crate::domain::code_query::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// What `text` (a code string, a pasted scan URL or a printable serial such as
/// `123-00000001`) names. A forged code, someone else's code and a typo all answer `Invalid`.
#[server(prefix = "/api", endpoint = "codes/query", input = Json)]
pub async fn query_code(text: String) -> Result<CodeQueryResult, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::domain::validate::Msg;
    use crate::server::context::{guard, respond};
    use crate::server::repo::code_query as repo;
    respond(async move {
        let ctx = guard(Function::CodeQuery, Level::View).await?;
        if text.trim().is_empty() {
            return Err(AppError::field("text", Msg::Required));
        }
        if text.chars().count() > QUERY_MAX {
            return Ok(CodeQueryResult::Invalid);
        }
        let e = ctx.enterprise_id();
        let mut tx = ctx.tx().await?;
        let Some((package, serial)) = repo::locate(&ctx.state, &mut tx, e, &text).await? else {
            return Ok(CodeQueryResult::Invalid);
        };
        let with_pin = ctx.user.grants.allows(Function::CodeQuery, Level::Manage);
        let details = repo::details(&ctx.state, &mut tx, e, package, serial, with_pin).await?;
        Ok(CodeQueryResult::Found(Box::new(details)))
    })
    .await
}

/// One scan of a code, as the code query lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScanRecord {
    pub id: i64,
    pub scanned_at: chrono::DateTime<chrono::Utc>,
    pub consumer_id: i64,
    pub province: Option<String>,
    pub city: Option<String>,
    /// genuine / not_activated / scrapped.
    pub verdict: String,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
}

/// A prize won in a draw and how far it went: won → claimed → redeemed / shipped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WinRecord {
    pub prize_name: String,
    /// domain::campaign::PrizeKind key.
    pub kind: String,
    /// unclaimed / claimed / expired.
    pub status: String,
    pub won_at: chrono::DateTime<chrono::Utc>,
    pub claimed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub redeemed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub shipped_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A draw on a scan of the code; no wins: nothing won.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawRecord {
    pub id: i64,
    pub scan_id: i64,
    pub drawn_at: chrono::DateTime<chrono::Utc>,
    pub consumer_id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub wins: Vec<WinRecord>,
}

/// The scan-campaign records of one code (扫码活动记录).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeScanRecords {
    pub scan_count: i64,
    pub first_scan_at: Option<chrono::DateTime<chrono::Utc>>,
    pub first_province: Option<String>,
    pub first_city: Option<String>,
    /// Newest first, at most [`SCAN_RECORDS_MAX`].
    pub scans: Vec<ScanRecord>,
    pub draws: Vec<DrawRecord>,
}

/// The most scans and draws listed for one code (the count says how many there are).
pub const SCAN_RECORDS_MAX: i64 = 200;

/// The scans, draws and wins of one code of this enterprise (empty for someone else's).
#[server(prefix = "/api", endpoint = "codes/scan-records", input = Json)]
pub async fn query_scan_records(package_id: i64, serial: i32) -> Result<CodeScanRecords, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CodeQuery, Level::View).await?;
        crate::server::repo::code_query::scan_records(&mut ctx.tx().await?, ctx.enterprise_id(), package_id, serial).await
    })
    .await
}
