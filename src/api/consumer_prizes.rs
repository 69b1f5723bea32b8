//! The consumer's prizes and points (`/api/c/claim`, `/api/c/prizes`, `/api/c/points`; documented
//! in `/api/openapi.json` and docs/consumer-api.md). No sign-in: the consumer is the device
//! cookie's (or `X-Tessera-Device` header's) consumer in the enterprise concerned.
//!
//! A claim is one conditional UPDATE (unclaimed, this consumer's, within its deadline); the
//! points of a points prize are credited in the same transaction, so a double claim credits
//! once. A retry with the same claim key answers the claimed prize again.

// `MyPoints` is spelled out below: the server macro names its argument struct after `my_points`.
use crate::domain::play::{Address, WonPrize};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
pub mod imp {
    use crate::domain::campaign::PrizeKind;
    use crate::domain::lottery::{valid_idempotency_key, DrawMsg};
    use crate::domain::play::{Address, MyPoints, PointsEntry, WonPrize};
    use crate::domain::validate::Msg;
    use crate::error::{AppError, AppResult};
    use crate::server::auth::internal;
    use crate::server::db::{ConsumerRecord, Tx};
    use crate::server::draw::{WonRow, WON_SELECT};
    use crate::server::repo::consumers::{change_points, PointsReason};
    use crate::server::AppState;
    use chrono::{DateTime, Utc};
    use sqlx::types::Json;

    fn refused(m: DrawMsg) -> AppError {
        AppError::Refused(Msg::Draw(m))
    }

    /// A consumer's won prizes (thanks-for-playing is not a prize), newest first; `win_id`
    /// narrows to one.
    pub async fn won_prizes(tx: &mut Tx, e: i64, consumer_id: i64, win_id: Option<i64>) -> AppResult<Vec<WonPrize>> {
        let rows: Vec<WonRow> = sqlx::query_as(&format!(
            "{WON_SELECT}
              WHERE w.enterprise_id = $1 AND w.consumer_id = $2 AND ($3::bigint IS NULL OR w.id = $3) AND p.kind <> 'thanks'
              ORDER BY w.won_at DESC, w.id DESC
              LIMIT 500"
        ))
        .bind(e)
        .bind(consumer_id)
        .bind(win_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
        let now = Utc::now();
        Ok(rows.into_iter().map(|r| r.into_won(now)).collect())
    }

    /// The consumer of a device in an enterprise, if the device ever came there (nothing is
    /// created just to read).
    async fn consumer_of(tx: &mut Tx, e: i64, device_id: &str) -> AppResult<Option<i64>> {
        sqlx::query_scalar("SELECT consumer_id FROM consumer_devices WHERE enterprise_id = $1 AND device_id = $2")
            .bind(e)
            .bind(device_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)
    }

    pub async fn claim(state: &AppState, device_id: &str, win_id: i64, claim_key: &str, address: Option<Address>) -> AppResult<WonPrize> {
        if !valid_idempotency_key(claim_key) {
            return Err(AppError::field("claim_key", Msg::Draw(DrawMsg::BadIdempotencyKey)));
        }
        // The win's enterprise and prize, through the device's own consumer there: a win of
        // anyone else is simply not found.
        let mut tx = state.db.tenant_of(ConsumerRecord::Win(win_id)).await.map_err(internal)?;
        let owner: Option<(i64, i64, String, i32, String)> = sqlx::query_as(
            "SELECT w.enterprise_id, w.consumer_id, p.kind, p.points, p.name FROM draw_wins w
               JOIN consumer_devices d ON d.enterprise_id = w.enterprise_id AND d.consumer_id = w.consumer_id
               JOIN campaign_prizes p ON p.enterprise_id = w.enterprise_id AND p.id = w.prize_id
              WHERE w.id = $1 AND d.device_id = $2",
        )
        .bind(win_id)
        .bind(device_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let Some((e, consumer_id, kind, points, prize_name)) = owner else { return Err(refused(DrawMsg::WinNotFound)) };
        let kind = PrizeKind::from_key(&kind).unwrap_or_default();
        let address = match kind {
            PrizeKind::Thanks => return Err(refused(DrawMsg::NothingToClaim)),
            PrizeKind::Goods => {
                let Some(address) = address else { return Err(AppError::field("address", Msg::Required)) };
                address.validate()?;
                let a = |s: &str| s.trim().to_string();
                Some(Address {
                    name: a(&address.name),
                    mobile: a(&address.mobile),
                    province: a(&address.province),
                    city: a(&address.city),
                    detail: a(&address.detail),
                })
            }
            // Points are credited, coupons revealed, cash recorded for the payout export.
            PrizeKind::Points | PrizeKind::Coupon | PrizeKind::Cash => None,
        };

        let claimed: Option<i64> = sqlx::query_scalar(
            "UPDATE draw_wins SET status = 'claimed', claimed_at = now(), claim_key = $4, address = $5
              WHERE enterprise_id = $1 AND id = $2 AND consumer_id = $3 AND status = 'unclaimed'
                AND (claim_deadline IS NULL OR claim_deadline > now())
              RETURNING id",
        )
        .bind(e)
        .bind(win_id)
        .bind(consumer_id)
        .bind(claim_key)
        .bind(address.as_ref().map(Json))
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;

        if claimed.is_some() {
            if kind == PrizeKind::Points && points > 0 {
                change_points(&mut tx, e, consumer_id, points, PointsReason::Prize, Some(win_id), &prize_name).await?;
            }
        } else {
            let (status, key, deadline): (String, Option<String>, Option<DateTime<Utc>>) =
                sqlx::query_as("SELECT status, claim_key, claim_deadline FROM draw_wins WHERE enterprise_id = $1 AND id = $2")
                    .bind(e)
                    .bind(win_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(internal)?;
            match status.as_str() {
                // The same claim again (a retry or a double tap): answer it, change nothing.
                "claimed" if key.as_deref() == Some(claim_key) => {}
                "claimed" => return Err(refused(DrawMsg::AlreadyClaimed)),
                _ if status == "expired" || deadline.is_some_and(|d| d <= Utc::now()) => return Err(refused(DrawMsg::ClaimExpired)),
                _ => return Err(refused(DrawMsg::WinNotFound)),
            }
        }
        let prize = won_prizes(&mut tx, e, consumer_id, Some(win_id)).await?.pop().ok_or_else(|| refused(DrawMsg::WinNotFound))?;
        tx.commit().await.map_err(internal)?;
        Ok(prize)
    }

    pub async fn my_prizes(state: &AppState, device_id: &str, e: i64) -> AppResult<Vec<WonPrize>> {
        let mut tx = state.db.tenant(e).await.map_err(internal)?;
        let Some(consumer_id) = consumer_of(&mut tx, e, device_id).await? else { return Ok(vec![]) };
        let prizes = won_prizes(&mut tx, e, consumer_id, None).await?;
        tx.commit().await.map_err(internal)?;
        Ok(prizes)
    }

    pub async fn my_points(state: &AppState, device_id: &str, e: i64) -> AppResult<MyPoints> {
        let mut tx = state.db.tenant(e).await.map_err(internal)?;
        let Some(consumer_id) = consumer_of(&mut tx, e, device_id).await? else { return Ok(MyPoints { balance: 0, entries: vec![] }) };
        let balance: i32 = sqlx::query_scalar("SELECT points FROM consumers WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(consumer_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        let rows: Vec<(i32, i32, String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT delta, balance, reason, note, created_at FROM points_ledger
              WHERE enterprise_id = $1 AND consumer_id = $2 ORDER BY id DESC LIMIT 50",
        )
        .bind(e)
        .bind(consumer_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        let entries = rows.into_iter().map(|(delta, balance, reason, note, at)| PointsEntry { delta, balance, reason, note, at }).collect();
        Ok(MyPoints { balance, entries })
    }
}

/// Claims a won prize. Goods need the delivery address; points are credited; a coupon's code
/// becomes visible; cash is recorded for payout. `claim_key` (8–64 of letters, digits, `-`,
/// `_`) makes the claim idempotent: the same key again answers the claimed prize.
#[server(prefix = "/api", endpoint = "c/claim", input = Json)]
pub async fn claim(win_id: i64, claim_key: String, address: Option<Address>) -> Result<WonPrize, AppError> {
    use crate::server::context::{respond, state};
    respond(async move {
        let device = crate::server::consumer_cookie::device_id()?;
        imp::claim(&state()?, &device.id, win_id, &claim_key, address).await
    })
    .await
}

/// The device's consumer's prizes in an enterprise, newest first (a passed claim deadline
/// shows as expired).
#[server(prefix = "/api", endpoint = "c/prizes", input = Json)]
pub async fn my_prizes(enterprise_id: i64) -> Result<Vec<WonPrize>, AppError> {
    use crate::server::context::{respond, state};
    respond(async move {
        let device = crate::server::consumer_cookie::device_id()?;
        imp::my_prizes(&state()?, &device.id, enterprise_id).await
    })
    .await
}

/// The device's consumer's points in an enterprise: the balance and the latest 50 ledger rows.
#[server(prefix = "/api", endpoint = "c/points", input = Json)]
pub async fn my_points(enterprise_id: i64) -> Result<crate::domain::play::MyPoints, AppError> {
    use crate::server::context::{respond, state};
    respond(async move {
        let device = crate::server::consumer_cookie::device_id()?;
        imp::my_points(&state()?, &device.id, enterprise_id).await
    })
    .await
}
