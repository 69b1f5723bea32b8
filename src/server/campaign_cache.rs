//! Running campaigns per enterprise, cached in memory for the scan path (reloaded when a campaign changes).
//!
//! An enterprise's scheduled, running and paused campaigns (head, wizard documents, prize ids by
//! key) are loaded in one pass and kept at most [`TTL`]; the console calls [`CampaignCache::invalidate`]
//! on every save or state change, so this process sees a change at once and other processes
//! within [`TTL`]. Nothing exact depends on the cache: stock and every cap live in PostgreSQL.

use crate::domain::campaign::{effective_status, overlap_order, CampaignInput, CampaignKind, CampaignStatus};
use crate::error::AppResult;
use crate::server::auth::internal;
use crate::server::db::Tx;
use crate::server::repo::campaigns::{CampaignRowDb, PrizeRow, CAMPAIGN_COLUMNS, PRIZE_COLUMNS};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a loaded set of campaigns is used before it is read again.
pub const TTL: Duration = Duration::from_secs(5);

/// A campaign as the scan and draw path needs it.
#[derive(Debug)]
pub struct LiveCampaign {
    pub id: i64,
    pub kind: CampaignKind,
    pub name: String,
    /// As stored; see [`LiveCampaign::status`] for the status at a given time.
    pub stored_status: CampaignStatus,
    pub priority: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub input: CampaignInput,
    /// campaign_prizes.id by prize key.
    pub prize_ids: HashMap<u16, i64>,
}

impl LiveCampaign {
    /// The status at `now` (a scheduled campaign runs from its start, every one ends at its end).
    pub fn status(&self, now: DateTime<Utc>) -> CampaignStatus {
        effective_status(self.stored_status, now, Some(self.starts_at), Some(self.ends_at))
    }

    /// Whether a scan of a code of `spec_id` (product, province of the scan) belongs here by the
    /// settings' matching: the spec is listed; the product is listed or no product is; the
    /// province is listed or no province is (an unknown region matches only the latter).
    pub fn matches(&self, spec_id: i64, product_id: Option<i64>, province: Option<&str>) -> bool {
        let s = &self.input.settings;
        s.spec_ids.contains(&spec_id)
            && (s.product_ids.is_empty() || product_id.is_some_and(|p| s.product_ids.contains(&p)))
            && (s.provinces.is_empty() || province.is_some_and(|p| s.provinces.iter().any(|q| q == p)))
    }
}

struct Entry {
    loaded: Instant,
    /// In the overlap order: priority descending, then start ascending, then id ascending.
    campaigns: Arc<Vec<Arc<LiveCampaign>>>,
}

#[derive(Default)]
pub struct CampaignCache {
    entries: Mutex<HashMap<i64, Entry>>,
}

impl CampaignCache {
    pub fn new() -> CampaignCache {
        CampaignCache::default()
    }

    /// Forgets an enterprise's campaigns (the console calls this after every change).
    pub fn invalidate(&self, e: i64) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(&e);
    }

    /// The enterprise's scheduled, running and paused campaigns, in the overlap order; read
    /// through `tx` (a tenant transaction of `e`) when not cached or older than [`TTL`].
    pub async fn live(&self, tx: &mut Tx, e: i64) -> AppResult<Arc<Vec<Arc<LiveCampaign>>>> {
        if let Some(entry) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&e) {
            if entry.loaded.elapsed() < TTL {
                return Ok(entry.campaigns.clone());
            }
        }
        let loaded = Instant::now();
        let campaigns = Arc::new(load(tx, e).await?);
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(e, Entry { loaded, campaigns: campaigns.clone() });
        Ok(campaigns)
    }

    /// One live campaign by id.
    pub async fn get(&self, tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<Arc<LiveCampaign>>> {
        Ok(self.live(tx, e).await?.iter().find(|c| c.id == id).cloned())
    }

    /// The campaign a scan takes part in: among the matching campaigns that have not ended at
    /// `now`, the first running one in the overlap order; if none runs, the first matching one
    /// (scheduled or paused: the scan page says when it starts, or that it is paused).
    pub async fn matching(
        &self,
        tx: &mut Tx,
        e: i64,
        spec_id: i64,
        product_id: Option<i64>,
        province: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Arc<LiveCampaign>>> {
        let live = self.live(tx, e).await?;
        let candidates: Vec<&Arc<LiveCampaign>> =
            live.iter().filter(|c| c.status(now) != CampaignStatus::Ended && c.matches(spec_id, product_id, province)).collect();
        let running = candidates.iter().find(|c| c.status(now) == CampaignStatus::Running);
        Ok(running.or(candidates.first()).map(|c| Arc::clone(c)))
    }
}

/// The live campaigns of `e` with their prizes, in two queries.
async fn load(tx: &mut Tx, e: i64) -> AppResult<Vec<Arc<LiveCampaign>>> {
    #[derive(sqlx::FromRow)]
    struct Head {
        #[sqlx(flatten)]
        row: CampaignRowDb,
        kind: String,
        name: String,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    }
    let heads: Vec<Head> = sqlx::query_as(&format!(
        "SELECT {CAMPAIGN_COLUMNS}, kind, name, starts_at, ends_at FROM campaigns
          WHERE enterprise_id = $1 AND status IN ('scheduled', 'running', 'paused')"
    ))
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    #[derive(sqlx::FromRow)]
    struct Prize {
        campaign_id: i64,
        #[sqlx(flatten)]
        row: PrizeRow,
    }
    let ids: Vec<i64> = heads.iter().map(|h| h.row.id).collect();
    let prizes: Vec<Prize> = sqlx::query_as(&format!(
        "SELECT campaign_id, {PRIZE_COLUMNS} FROM campaign_prizes WHERE enterprise_id = $1 AND campaign_id = ANY($2) ORDER BY position, key"
    ))
    .bind(e)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let mut out = Vec::with_capacity(heads.len());
    for h in heads {
        // Launching requires both times; a campaign without them cannot take scans.
        let (Some(starts_at), Some(ends_at)) = (h.starts_at, h.ends_at) else { continue };
        let Some(stored_status) = CampaignStatus::from_key(&h.row.status) else { continue };
        let mine: Vec<&PrizeRow> = prizes.iter().filter(|p| p.campaign_id == h.row.id).map(|p| &p.row).collect();
        let input = CampaignInput {
            basic: h.row.basic.0,
            settings: h.row.settings.0,
            prizes: mine.iter().map(|p| p.to_prize()).collect(),
            delivery: h.row.delivery.0,
            page: h.row.page.0,
        };
        out.push(Arc::new(LiveCampaign {
            id: h.row.id,
            kind: CampaignKind::from_key(&h.kind).unwrap_or_default(),
            name: h.name,
            stored_status,
            priority: h.row.priority,
            starts_at,
            ends_at,
            created_by: h.row.created_by,
            input,
            prize_ids: mine.iter().map(|p| (p.key as u16, p.id)).collect(),
        }));
    }
    out.sort_by(|a, b| overlap_order((a.priority, Some(a.starts_at), a.id), (b.priority, Some(b.starts_at), b.id)));
    Ok(out)
}
