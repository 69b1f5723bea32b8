//! Campaigns: the wizard's documents and prize rows, states, copy, coupon codes, status advance
//! by time.
//!
//! Storage: `campaigns.basic/settings/delivery/page` hold the serde JSON of the domain structs
//! ([`Basic`], [`Settings`], [`Delivery`], [`Page`]); prizes are rows of `campaign_prizes`
//! because draws move their counters. Claim expiry is stored in hours (`Days(d)` as 24·d, read
//! back as days when divisible by 24) or as a fixed time.

use crate::domain::campaign::{
    Basic, CampaignInput, CampaignStatus, ClaimExpiry, CouponSetup, CouponSource, CouponValidity, Delivery, Page, Prize, PrizeKind,
    Settings,
};
use crate::error::AppResult;
use crate::server::auth::internal;
use crate::server::db::Tx;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

/// Inserts a campaign with its prizes; returns its id.
pub async fn insert(
    tx: &mut Tx,
    e: i64,
    created_by: Option<i64>,
    input: &CampaignInput,
    status: CampaignStatus,
    step: i16,
) -> AppResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (enterprise_id, kind, name, status, starts_at, ends_at, basic, settings, delivery, page, step, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(e)
    .bind(input.basic.kind.key())
    .bind(&input.basic.name)
    .bind(status.key())
    .bind(input.basic.starts_at)
    .bind(input.basic.ends_at)
    .bind(Json(&input.basic))
    .bind(Json(&input.settings))
    .bind(Json(&input.delivery))
    .bind(Json(&input.page))
    .bind(step)
    .bind(created_by)
    .fetch_one(&mut **tx)
    .await
    .map_err(|err| super::unique_or_internal(err, &[("campaigns_name_unique", "basic.name")]))?;
    for (position, prize) in input.prizes.iter().enumerate() {
        upsert_prize(tx, e, id, position as i16, prize).await?;
    }
    Ok(id)
}

/// The prize row's columns from a [`Prize`].
struct PrizeColumns {
    claim_hours: Option<i32>,
    claim_until: Option<DateTime<Utc>>,
    coupon_source: Option<&'static str>,
    coupon_valid_days: Option<i32>,
    coupon_valid_from: Option<DateTime<Utc>>,
    coupon_valid_to: Option<DateTime<Utc>>,
}

fn columns(p: &Prize) -> PrizeColumns {
    let (claim_hours, claim_until) = match &p.claim_expiry {
        ClaimExpiry::Never => (None, None),
        ClaimExpiry::Hours(h) => (Some(*h as i32), None),
        ClaimExpiry::Days(d) => (Some(*d as i32 * 24), None),
        ClaimExpiry::At(t) => (None, Some(*t)),
    };
    let (coupon_source, coupon_valid_days, coupon_valid_from, coupon_valid_to) = match &p.coupon {
        None => (None, None, None, None),
        Some(c) => {
            let source = match c.source {
                CouponSource::Generate => "generate",
                CouponSource::Import => "import",
            };
            match &c.validity {
                CouponValidity::Days(d) => (Some(source), Some(*d as i32), None, None),
                CouponValidity::Range { from, to } => (Some(source), None, Some(*from), Some(*to)),
            }
        }
    };
    PrizeColumns { claim_hours, claim_until, coupon_source, coupon_valid_days, coupon_valid_from, coupon_valid_to }
}

fn opt(n: Option<u32>) -> Option<i32> {
    n.map(|n| n as i32)
}

/// Inserts or updates the prize with `prize.key` of a campaign (counters are never touched;
/// raising the quantity above the warning value clears `warned_at`, so the warning comes again).
pub async fn upsert_prize(tx: &mut Tx, e: i64, campaign_id: i64, position: i16, p: &Prize) -> AppResult<i64> {
    let c = columns(p);
    sqlx::query_scalar(
        "INSERT INTO campaign_prizes AS x (enterprise_id, campaign_id, key, position, name, kind, image, points, value_fen, quantity,
                warning_value, claim_hours, claim_until, daily_cap, per_person_cap, per_person_daily_cap, over_limit_key,
                coupon_source, coupon_valid_days, coupon_valid_from, coupon_valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         ON CONFLICT (campaign_id, key) DO UPDATE SET
             position = EXCLUDED.position, name = EXCLUDED.name, kind = EXCLUDED.kind, image = EXCLUDED.image,
             points = EXCLUDED.points, value_fen = EXCLUDED.value_fen, quantity = EXCLUDED.quantity,
             warning_value = EXCLUDED.warning_value, claim_hours = EXCLUDED.claim_hours, claim_until = EXCLUDED.claim_until,
             daily_cap = EXCLUDED.daily_cap, per_person_cap = EXCLUDED.per_person_cap,
             per_person_daily_cap = EXCLUDED.per_person_daily_cap, over_limit_key = EXCLUDED.over_limit_key,
             coupon_source = EXCLUDED.coupon_source, coupon_valid_days = EXCLUDED.coupon_valid_days,
             coupon_valid_from = EXCLUDED.coupon_valid_from, coupon_valid_to = EXCLUDED.coupon_valid_to,
             warned_at = CASE WHEN EXCLUDED.quantity - x.awarded > coalesce(EXCLUDED.warning_value, 0) THEN NULL ELSE x.warned_at END
         RETURNING id",
    )
    .bind(e)
    .bind(campaign_id)
    .bind(p.key as i16)
    .bind(position)
    .bind(&p.name)
    .bind(p.kind.key())
    .bind(&p.image)
    .bind(p.points as i32)
    .bind(p.value_fen)
    .bind(opt(p.quantity))
    .bind(opt(p.warning_value))
    .bind(c.claim_hours)
    .bind(c.claim_until)
    .bind(opt(p.daily_cap))
    .bind(opt(p.per_person_cap))
    .bind(opt(p.per_person_daily_cap))
    .bind(p.over_limit.map(|k| k as i16))
    .bind(c.coupon_source)
    .bind(c.coupon_valid_days)
    .bind(c.coupon_valid_from)
    .bind(c.coupon_valid_to)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)
}

/// A prize row as stored, with its database id.
#[derive(sqlx::FromRow)]
pub struct PrizeRow {
    pub id: i64,
    pub key: i16,
    pub name: String,
    pub kind: String,
    pub image: Option<String>,
    pub points: i32,
    pub value_fen: i64,
    pub quantity: Option<i32>,
    pub awarded: i32,
    pub warning_value: Option<i32>,
    pub claim_hours: Option<i32>,
    pub claim_until: Option<DateTime<Utc>>,
    pub daily_cap: Option<i32>,
    pub per_person_cap: Option<i32>,
    pub per_person_daily_cap: Option<i32>,
    pub over_limit_key: Option<i16>,
    pub coupon_source: Option<String>,
    pub coupon_valid_days: Option<i32>,
    pub coupon_valid_from: Option<DateTime<Utc>>,
    pub coupon_valid_to: Option<DateTime<Utc>>,
}

pub const PRIZE_COLUMNS: &str = "id, key, name, kind, image, points, value_fen, quantity, awarded, warning_value, claim_hours, claim_until,
     daily_cap, per_person_cap, per_person_daily_cap, over_limit_key, coupon_source, coupon_valid_days, coupon_valid_from, coupon_valid_to";

fn unsigned(n: Option<i32>) -> Option<u32> {
    n.map(|n| n.max(0) as u32)
}

impl PrizeRow {
    pub fn to_prize(&self) -> Prize {
        let claim_expiry = match (self.claim_hours, self.claim_until) {
            (Some(h), _) if h % 24 == 0 => ClaimExpiry::Days((h / 24) as u32),
            (Some(h), _) => ClaimExpiry::Hours(h as u32),
            (None, Some(t)) => ClaimExpiry::At(t),
            (None, None) => ClaimExpiry::Never,
        };
        let coupon = self.coupon_source.as_deref().map(|s| CouponSetup {
            source: if s == "import" { CouponSource::Import } else { CouponSource::Generate },
            validity: match (self.coupon_valid_days, self.coupon_valid_from, self.coupon_valid_to) {
                (Some(d), _, _) => CouponValidity::Days(d as u32),
                (None, Some(from), Some(to)) => CouponValidity::Range { from, to },
                _ => CouponValidity::default(),
            },
        });
        Prize {
            key: self.key as u16,
            name: self.name.clone(),
            kind: PrizeKind::from_key(&self.kind).unwrap_or_default(),
            image: self.image.clone(),
            points: self.points.max(0) as u32,
            value_fen: self.value_fen,
            quantity: unsigned(self.quantity),
            warning_value: unsigned(self.warning_value),
            claim_expiry,
            daily_cap: unsigned(self.daily_cap),
            per_person_cap: unsigned(self.per_person_cap),
            per_person_daily_cap: unsigned(self.per_person_daily_cap),
            over_limit: self.over_limit_key.map(|k| k as u16),
            coupon,
            awarded: self.awarded.max(0) as u32,
        }
    }
}

/// The prize rows of a campaign, in wizard order.
pub async fn prizes(tx: &mut Tx, e: i64, campaign_id: i64) -> AppResult<Vec<PrizeRow>> {
    sqlx::query_as(&format!(
        "SELECT {PRIZE_COLUMNS} FROM campaign_prizes WHERE enterprise_id = $1 AND campaign_id = $2 ORDER BY position, key"
    ))
    .bind(e)
    .bind(campaign_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// A stored campaign's head and documents.
#[derive(sqlx::FromRow)]
pub struct CampaignRowDb {
    pub id: i64,
    pub status: String,
    pub priority: i32,
    pub step: i16,
    pub version: i32,
    pub basic: Json<Basic>,
    pub settings: Json<Settings>,
    pub delivery: Json<Delivery>,
    pub page: Json<Page>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const CAMPAIGN_COLUMNS: &str =
    "id, status, priority, step, version, basic, settings, delivery, page, created_by, created_at, updated_at";

/// One campaign with its prizes as the wizard's input (None: no such campaign).
pub async fn load(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<(CampaignRowDb, CampaignInput)>> {
    let row: Option<CampaignRowDb> =
        sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE enterprise_id = $1 AND id = $2"))
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    let Some(row) = row else { return Ok(None) };
    let prizes = prizes(tx, e, id).await?.iter().map(PrizeRow::to_prize).collect();
    let input = CampaignInput {
        basic: row.basic.0.clone(),
        settings: row.settings.0.clone(),
        prizes,
        delivery: row.delivery.0.clone(),
        page: row.page.0.clone(),
    };
    Ok(Some((row, input)))
}

// ---------- the console: list, wizard saves, states, copy, coupon codes ----------

/// The list's rows: the stored status (the caller derives the effective one from time) and
/// the scans, draws and wins (thanks-for-playing is not a win) of each campaign.
#[derive(sqlx::FromRow)]
pub struct ListRowDb {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub priority: i32,
    pub step: i16,
    pub version: i32,
    pub scans: i64,
    pub draws: i64,
    pub wins: i64,
}

/// The status a stored one has by now: a launched campaign runs from its start and ends at its
/// end without anyone storing it (the same rule as `campaign::effective_status`, for filtering).
pub const EFFECTIVE_STATUS: &str = "CASE WHEN c.status IN ('scheduled', 'running', 'paused') AND c.ends_at <= now() THEN 'ended'
     WHEN c.status = 'scheduled' AND c.starts_at <= now() THEN 'running' ELSE c.status END";

/// One page of the list, filtered by effective status, kind and name (contains).
pub async fn list(
    tx: &mut Tx,
    e: i64,
    status: Option<&str>,
    kind: Option<&str>,
    name: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(i64, Vec<ListRowDb>)> {
    let filter = format!(
        "c.enterprise_id = $1 AND ($2::text IS NULL OR ({EFFECTIVE_STATUS}) = $2)
         AND ($3::text IS NULL OR c.kind = $3) AND ($4 = '' OR strpos(lower(c.name), lower($4)) > 0)"
    );
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM campaigns c WHERE {filter}"))
        .bind(e)
        .bind(status)
        .bind(kind)
        .bind(name)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let rows = sqlx::query_as(&format!(
        "SELECT c.id, c.kind, c.name, c.status, c.starts_at, c.ends_at, c.priority, c.step, c.version,
                (SELECT count(*) FROM scans s WHERE s.enterprise_id = $1 AND s.campaign_id = c.id) AS scans,
                (SELECT count(*) FROM draws d WHERE d.enterprise_id = $1 AND d.campaign_id = c.id) AS draws,
                (SELECT count(*) FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id
                  WHERE w.enterprise_id = $1 AND w.campaign_id = c.id AND p.kind <> 'thanks') AS wins
           FROM campaigns c WHERE {filter} ORDER BY c.id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(e)
    .bind(status)
    .bind(kind)
    .bind(name)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok((total, rows))
}

/// Locks a campaign for a change and loads it (None: no such campaign).
pub async fn load_for_update(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<(CampaignRowDb, CampaignInput)>> {
    let locked: Option<i64> = sqlx::query_scalar("SELECT id FROM campaigns WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    match locked {
        Some(_) => load(tx, e, id).await,
        None => Ok(None),
    }
}

/// Writes the wizard's documents of a campaign loaded at `version` (stale: 409), keeps the
/// furthest step, and upserts the prizes in their order; returns the new version. Prizes no
/// longer in the input are not touched here (see [`delete_prizes_except`]).
pub async fn update(tx: &mut Tx, e: i64, id: i64, version: i32, input: &CampaignInput, step: i16) -> AppResult<i32> {
    let new_version: Option<i32> = sqlx::query_scalar(
        "UPDATE campaigns SET kind = $4, name = $5, starts_at = $6, ends_at = $7, basic = $8, settings = $9, delivery = $10,
                page = $11, step = GREATEST(step, $12), version = version + 1, updated_at = now()
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING version",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .bind(input.basic.kind.key())
    .bind(&input.basic.name)
    .bind(input.basic.starts_at)
    .bind(input.basic.ends_at)
    .bind(Json(&input.basic))
    .bind(Json(&input.settings))
    .bind(Json(&input.delivery))
    .bind(Json(&input.page))
    .bind(step)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|err| super::unique_or_internal(err, &[("campaigns_name_unique", "basic.name")]))?;
    let Some(new_version) = new_version else {
        return Err(super::missing_or_stale(tx, "campaigns", e, id).await);
    };
    for (position, prize) in input.prizes.iter().enumerate() {
        upsert_prize(tx, e, id, position as i16, prize).await?;
    }
    Ok(new_version)
}

/// Deletes the campaign's prizes whose keys are not in `keep` and that were never awarded nor
/// won; returns the keys of removed prizes that could not be deleted (awarded or won).
pub async fn delete_prizes_except(tx: &mut Tx, e: i64, campaign_id: i64, keep: &[i16]) -> AppResult<Vec<i16>> {
    sqlx::query(
        "DELETE FROM campaign_prizes p WHERE p.enterprise_id = $1 AND p.campaign_id = $2 AND NOT (p.key = ANY($3))
            AND p.awarded = 0 AND NOT EXISTS (SELECT 1 FROM draw_wins w WHERE w.enterprise_id = $1 AND w.prize_id = p.id)",
    )
    .bind(e)
    .bind(campaign_id)
    .bind(keep)
    .execute(&mut **tx)
    .await
    .map_err(internal)?;
    sqlx::query_scalar("SELECT key FROM campaign_prizes WHERE enterprise_id = $1 AND campaign_id = $2 AND NOT (key = ANY($3)) ORDER BY key")
        .bind(e)
        .bind(campaign_id)
        .bind(keep)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)
}

/// Moves a campaign loaded at `version` to `status`; returns the new version (stale: 409).
pub async fn set_status(tx: &mut Tx, e: i64, id: i64, version: i32, status: CampaignStatus) -> AppResult<i32> {
    let v: Option<i32> = sqlx::query_scalar(
        "UPDATE campaigns SET status = $4, version = version + 1, updated_at = now()
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 RETURNING version",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .bind(status.key())
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    match v {
        Some(v) => Ok(v),
        None => Err(super::missing_or_stale(tx, "campaigns", e, id).await),
    }
}

/// Sets the overlap priority; returns the new version.
pub async fn set_priority(tx: &mut Tx, e: i64, id: i64, priority: i32) -> AppResult<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE campaigns SET priority = $3, version = version + 1, updated_at = now() WHERE enterprise_id = $1 AND id = $2 RETURNING version",
    )
    .bind(e)
    .bind(id)
    .bind(priority)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

/// Records where a copy came from.
pub async fn set_copied_from(tx: &mut Tx, e: i64, id: i64, from: i64) -> AppResult<()> {
    sqlx::query("UPDATE campaigns SET copied_from = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(from)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Whether a campaign name is taken in the enterprise.
pub async fn name_taken(tx: &mut Tx, e: i64, name: &str) -> AppResult<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaigns WHERE enterprise_id = $1 AND name = $2)")
        .bind(e)
        .bind(name)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)
}

/// Deletes a draft (only a draft: a launched campaign keeps its history); returns its name.
pub async fn delete_draft(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<String>> {
    sqlx::query_scalar("DELETE FROM campaigns WHERE enterprise_id = $1 AND id = $2 AND status = 'draft' RETURNING name")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)
}

/// A campaign that may overlap another: launched and not ended.
#[derive(sqlx::FromRow)]
pub struct LiveCampaignDb {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub priority: i32,
    pub basic: Json<Basic>,
    pub settings: Json<Settings>,
}

/// The enterprise's scheduled, running and paused campaigns other than `except`.
pub async fn live_others(tx: &mut Tx, e: i64, except: i64) -> AppResult<Vec<LiveCampaignDb>> {
    sqlx::query_as(
        "SELECT id, name, status, priority, basic, settings FROM campaigns
          WHERE enterprise_id = $1 AND id <> $2 AND status IN ('scheduled', 'running', 'paused') ORDER BY id",
    )
    .bind(e)
    .bind(except)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// The prize's row id, kind and coupon source (None: no such prize in the campaign).
pub async fn prize_ref(tx: &mut Tx, e: i64, campaign_id: i64, key: i16) -> AppResult<Option<(i64, String, Option<String>)>> {
    sqlx::query_as("SELECT id, kind, coupon_source FROM campaign_prizes WHERE enterprise_id = $1 AND campaign_id = $2 AND key = $3")
        .bind(e)
        .bind(campaign_id)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)
}

/// Inserts imported coupon codes of a prize; returns the codes that were already stored.
pub async fn insert_coupon_codes(tx: &mut Tx, e: i64, prize_id: i64, codes: &[String]) -> AppResult<Vec<String>> {
    let inserted: Vec<String> = sqlx::query_scalar(
        "INSERT INTO coupon_codes (enterprise_id, prize_id, code) SELECT $1, $2, unnest($3::text[])
         ON CONFLICT (prize_id, code) DO NOTHING RETURNING code",
    )
    .bind(e)
    .bind(prize_id)
    .bind(codes)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let inserted: std::collections::HashSet<String> = inserted.into_iter().collect();
    Ok(codes.iter().filter(|c| !inserted.contains(*c)).cloned().collect())
}

/// Imported codes per prize key of a campaign: (key, total, still free).
pub async fn coupon_code_counts(tx: &mut Tx, e: i64, campaign_id: i64) -> AppResult<Vec<(i16, i64, i64)>> {
    sqlx::query_as(
        "SELECT p.key, count(c.id), count(c.id) FILTER (WHERE c.win_id IS NULL)
           FROM campaign_prizes p JOIN coupon_codes c ON c.enterprise_id = p.enterprise_id AND c.prize_id = p.id
          WHERE p.enterprise_id = $1 AND p.campaign_id = $2 GROUP BY p.key ORDER BY p.key",
    )
    .bind(e)
    .bind(campaign_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// What step 2 and the precision plans choose from: the enterprise's code specs and products,
/// as (id, name) by name.
pub async fn choices(tx: &mut Tx, e: i64) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let specs = sqlx::query_as("SELECT id, name FROM code_specs WHERE enterprise_id = $1 ORDER BY name, id")
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    let products = sqlx::query_as("SELECT id, name || ' ' || barcode FROM products WHERE enterprise_id = $1 ORDER BY name, id")
        .bind(e)
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    Ok((specs, products))
}
