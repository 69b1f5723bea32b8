//! The figures of 数据分析: per campaign and overall, by day/hour, province, product, prize; product data; brand-code data.
//!
//! Every query names the enterprise and a time range on an indexed column: scans by
//! `scans_time (enterprise_id, scanned_at)` (one campaign: `scans_campaign`), draws and wins by
//! `draws_campaign` / `draw_wins_campaign` through the enterprise's campaign ids. Days and hours
//! are China Standard Time (UTC+8). Thanks-for-playing is not a win.

use crate::api::campaign_data::{
    CampaignChoice, CampaignData, DataFilter, DayRow, HourRow, Kpis, PackageCodeRow, PrizeRow, ProductRow, ProvinceRow, StockState,
    TOP_PROVINCES,
};
use crate::domain::code_activation::PACKAGE_STATES_WITH_CODES;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use chrono::{DateTime, NaiveDate, Utc};

/// Scans of the range: `$1` enterprise, `$2`/`$3` bounds, `$4` campaign or NULL.
const SCANS: &str = "SELECT * FROM scans WHERE enterprise_id = $1 AND scanned_at >= $2 AND scanned_at < $3
                        AND ($4::bigint IS NULL OR campaign_id = $4)";
/// Draws of the range (same parameters), through the enterprise's campaigns.
const DRAWS: &str = "SELECT * FROM draws WHERE drawn_at >= $2 AND drawn_at < $3 AND enterprise_id = $1
                        AND campaign_id IN (SELECT id FROM campaigns WHERE enterprise_id = $1 AND ($4::bigint IS NULL OR id = $4))";
/// Wins of the range with the prize's kind and value (thanks excluded).
const WINS: &str = "SELECT w.*, p.value_fen, p.kind FROM draw_wins w
                      JOIN campaign_prizes p ON p.enterprise_id = w.enterprise_id AND p.id = w.prize_id
                     WHERE w.won_at >= $2 AND w.won_at < $3 AND w.enterprise_id = $1 AND p.kind <> 'thanks'
                       AND w.campaign_id IN (SELECT id FROM campaigns WHERE enterprise_id = $1 AND ($4::bigint IS NULL OR id = $4))";
/// A timestamp column as a China Standard Time wall clock.
fn local(col: &str) -> String {
    format!("(({col}) AT TIME ZONE 'UTC' + interval '8 hours')")
}

fn db(e: sqlx::Error) -> AppError {
    internal(e)
}

/// Every figure of the campaign data page.
pub async fn campaign(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<CampaignData> {
    if let Some(c) = f.campaign_id {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaigns WHERE enterprise_id = $1 AND id = $2)")
            .bind(e)
            .bind(c)
            .fetch_one(&mut **tx)
            .await
            .map_err(db)?;
        if !exists {
            return Err(AppError::NotFound);
        }
    }
    Ok(CampaignData {
        filter: f.clone(),
        kpis: kpis(tx, e, f).await?,
        by_day: by_day(tx, e, f).await?,
        by_hour: by_hour(tx, e, f).await?,
        by_province: by_province(tx, e, f).await?,
        by_product: by_product(tx, e, f).await?,
        by_prize: by_prize(tx, e, f).await?,
    })
}

/// The enterprise's campaigns for the selector, newest first.
pub async fn campaigns(tx: &mut Tx, e: i64) -> AppResult<Vec<CampaignChoice>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, status FROM campaigns WHERE enterprise_id = $1 AND status <> 'draft' ORDER BY id DESC")
            .bind(e)
            .fetch_all(&mut **tx)
            .await
            .map_err(db)?;
    Ok(rows.into_iter().map(|(id, name, status)| CampaignChoice { id, name, status }).collect())
}

fn q<'a, O>(sql: &'a str, e: i64, f: &DataFilter) -> sqlx::query::QueryAs<'a, sqlx::Postgres, O, sqlx::postgres::PgArguments>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let (from, to) = f.bounds();
    sqlx::query_as(sql).bind(e).bind(from).bind(to).bind(f.campaign_id)
}

pub async fn kpis(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Kpis> {
    // New: no scan of the enterprise's codes before the range (scans_consumer index).
    let (scans, consumers, new_consumers): (i64, i64, i64) = q(
        &format!(
            "WITH s AS ({SCANS}), c AS (SELECT DISTINCT consumer_id FROM s)
             SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM c),
                    (SELECT count(*) FROM c WHERE NOT EXISTS (
                        SELECT 1 FROM scans p WHERE p.enterprise_id = $1 AND p.consumer_id = c.consumer_id AND p.scanned_at < $2))"
        ),
        e,
        f,
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(db)?;
    let (draws,): (i64,) = q(&format!("SELECT count(*) FROM ({DRAWS}) d"), e, f).fetch_one(&mut **tx).await.map_err(db)?;
    let (wins, claims, redemptions, cost_fen): (i64, i64, i64, i64) = q(
        &format!(
            "SELECT count(*), count(*) FILTER (WHERE status = 'claimed'),
                    count(*) FILTER (WHERE status = 'claimed' AND (redeemed_at IS NOT NULL OR shipped_at IS NOT NULL)),
                    coalesce(sum(value_fen), 0)::bigint
               FROM ({WINS}) w"
        ),
        e,
        f,
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(db)?;
    Ok(Kpis { scans, consumers, draws, wins, claims, redemptions, cost_fen, new_consumers, returning_consumers: consumers - new_consumers })
}

/// One row per day of the range, zeros included.
pub async fn by_day(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Vec<DayRow>> {
    let rows: Vec<(NaiveDate, i64, i64, i64)> = q(
        &format!(
            "WITH s AS (SELECT {sd}::date AS day, count(*) AS n FROM ({SCANS}) x GROUP BY 1),
                  d AS (SELECT {dd}::date AS day, count(*) AS n FROM ({DRAWS}) x GROUP BY 1),
                  w AS (SELECT {wd}::date AS day, count(*) AS n FROM ({WINS}) x GROUP BY 1)
             SELECT g.day, coalesce(s.n, 0), coalesce(d.n, 0), coalesce(w.n, 0)
               FROM (SELECT {from}::date + i AS day FROM generate_series(0, {to}::date - {from}::date - 1) i) g
               LEFT JOIN s ON s.day = g.day LEFT JOIN d ON d.day = g.day LEFT JOIN w ON w.day = g.day
              ORDER BY 1",
            sd = local("scanned_at"),
            dd = local("drawn_at"),
            wd = local("won_at"),
            from = local("$2::timestamptz"),
            to = local("$3::timestamptz"),
        ),
        e,
        f,
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().map(|(day, scans, draws, wins)| DayRow { day, scans, draws, wins }).collect())
}

/// 24 rows, hour 0–23 of the day (China time), summed over the range.
pub async fn by_hour(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Vec<HourRow>> {
    let rows: Vec<(i32, i64, i64, i64)> = q(
        &format!(
            "WITH s AS (SELECT extract(hour FROM {sd})::int AS h, count(*) AS n FROM ({SCANS}) x GROUP BY 1),
                  d AS (SELECT extract(hour FROM {dd})::int AS h, count(*) AS n FROM ({DRAWS}) x GROUP BY 1),
                  w AS (SELECT extract(hour FROM {wd})::int AS h, count(*) AS n FROM ({WINS}) x GROUP BY 1)
             SELECT g, coalesce(s.n, 0), coalesce(d.n, 0), coalesce(w.n, 0)
               FROM generate_series(0, 23) g LEFT JOIN s ON s.h = g LEFT JOIN d ON d.h = g LEFT JOIN w ON w.h = g
              ORDER BY 1",
            sd = local("scanned_at"),
            dd = local("drawn_at"),
            wd = local("won_at"),
        ),
        e,
        f,
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().map(|(hour, scans, draws, wins)| HourRow { hour, scans, draws, wins }).collect())
}

/// The [`TOP_PROVINCES`] provinces with most scans, then unknown (if any).
pub async fn by_province(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Vec<ProvinceRow>> {
    let rows: Vec<(Option<String>, i64, i64, i64, i64)> = q(
        &format!(
            "WITH s AS (SELECT nullif(province, '') AS p, count(*) AS n, count(DISTINCT consumer_id) AS c FROM ({SCANS}) x GROUP BY 1),
                  d AS (SELECT nullif(province, '') AS p, count(*) AS n FROM ({DRAWS}) x GROUP BY 1),
                  w AS (SELECT nullif(d.province, '') AS p, count(*) AS n FROM ({WINS}) x
                          JOIN draws d ON d.enterprise_id = x.enterprise_id AND d.id = x.draw_id GROUP BY 1),
                  k AS (SELECT p FROM s UNION SELECT p FROM d UNION SELECT p FROM w)
             SELECT k.p, coalesce(s.n, 0), coalesce(s.c, 0), coalesce(d.n, 0), coalesce(w.n, 0)
               FROM k LEFT JOIN s ON s.p IS NOT DISTINCT FROM k.p LEFT JOIN d ON d.p IS NOT DISTINCT FROM k.p
                      LEFT JOIN w ON w.p IS NOT DISTINCT FROM k.p
              ORDER BY 2 DESC, 4 DESC, 1"
        ),
        e,
        f,
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    let (known, unknown): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.0.is_some());
    Ok(known
        .into_iter()
        .take(TOP_PROVINCES)
        .chain(unknown)
        .map(|(province, scans, consumers, draws, wins)| ProvinceRow { province, scans, consumers, draws, wins })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ProductDb {
    product_id: Option<i64>,
    name: Option<String>,
    scans: i64,
    consumers: i64,
    draws: i64,
    wins: i64,
    first_scan: Option<DateTime<Utc>>,
    last_scan: Option<DateTime<Utc>>,
}

/// Per product of the scanned codes (most scans first; codes without a product last).
pub async fn by_product(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Vec<ProductRow>> {
    let rows: Vec<ProductDb> = q(
        &format!(
            "WITH s AS (SELECT product_id AS p, count(*) AS n, count(DISTINCT consumer_id) AS c, min(scanned_at) AS a,
                               max(scanned_at) AS b FROM ({SCANS}) x GROUP BY 1),
                  d AS (SELECT product_id AS p, count(*) AS n FROM ({DRAWS}) x GROUP BY 1),
                  w AS (SELECT d.product_id AS p, count(*) AS n FROM ({WINS}) x
                          JOIN draws d ON d.enterprise_id = x.enterprise_id AND d.id = x.draw_id GROUP BY 1),
                  k AS (SELECT p FROM s UNION SELECT p FROM d UNION SELECT p FROM w)
             SELECT k.p AS product_id, pr.name, coalesce(s.n, 0) AS scans, coalesce(s.c, 0) AS consumers,
                    coalesce(d.n, 0) AS draws, coalesce(w.n, 0) AS wins, s.a AS first_scan, s.b AS last_scan
               FROM k LEFT JOIN s ON s.p IS NOT DISTINCT FROM k.p LEFT JOIN d ON d.p IS NOT DISTINCT FROM k.p
                      LEFT JOIN w ON w.p IS NOT DISTINCT FROM k.p
                      LEFT JOIN products pr ON pr.enterprise_id = $1 AND pr.id = k.p
              ORDER BY (k.p IS NULL), 3 DESC, 5 DESC, 2"
        ),
        e,
        f,
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|r| ProductRow {
            product_id: r.product_id,
            name: r.name.unwrap_or_default(),
            scans: r.scans,
            consumers: r.consumers,
            draws: r.draws,
            wins: r.wins,
            first_scan: r.first_scan,
            last_scan: r.last_scan,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PrizeDb {
    prize_id: i64,
    campaign_id: i64,
    campaign_name: String,
    name: String,
    kind: String,
    quantity: Option<i32>,
    awarded: i32,
    warning_value: Option<i32>,
    wins: i64,
    claims: i64,
    cost_fen: i64,
}

/// The prizes of the campaign (or of every non-draft campaign): inventory over the whole
/// campaign, wins in the range.
pub async fn by_prize(tx: &mut Tx, e: i64, f: &DataFilter) -> AppResult<Vec<PrizeRow>> {
    let rows: Vec<PrizeDb> = q(
        &format!(
            "WITH w AS (SELECT prize_id, count(*) AS n, count(*) FILTER (WHERE status = 'claimed') AS c,
                               coalesce(sum(value_fen), 0)::bigint AS v FROM ({WINS}) x GROUP BY 1)
             SELECT p.id AS prize_id, c.id AS campaign_id, c.name AS campaign_name, p.name, p.kind, p.quantity, p.awarded,
                    p.warning_value, coalesce(w.n, 0) AS wins, coalesce(w.c, 0) AS claims, coalesce(w.v, 0) AS cost_fen
               FROM campaign_prizes p
               JOIN campaigns c ON c.enterprise_id = p.enterprise_id AND c.id = p.campaign_id
               LEFT JOIN w ON w.prize_id = p.id
              WHERE p.enterprise_id = $1 AND ($4::bigint IS NULL OR p.campaign_id = $4) AND c.status <> 'draft'
              ORDER BY c.id DESC, p.position, p.key"
        ),
        e,
        f,
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let quantity = r.quantity.map(i64::from);
            let awarded = i64::from(r.awarded);
            let warning_value = r.warning_value.map(i64::from);
            let is_thanks = r.kind == "thanks";
            PrizeRow {
                prize_id: r.prize_id,
                campaign_id: r.campaign_id,
                campaign_name: r.campaign_name,
                name: r.name,
                quantity,
                awarded,
                remaining: quantity.map(|q| (q - awarded).max(0)),
                warning_value,
                state: if is_thanks { StockState::Unlimited } else { StockState::of(quantity, awarded, warning_value) },
                kind: r.kind,
                wins: r.wins,
                claims: r.claims,
                cost_fen: r.cost_fen,
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PackageDb {
    package_id: i64,
    name: String,
    product_name: Option<String>,
    codes: i64,
    activated: i64,
    scanned: i64,
    scanned_active: i64,
}

/// 品牌码数据: every package with codes, newest first.
pub async fn packages(tx: &mut Tx, e: i64) -> AppResult<Vec<PackageCodeRow>> {
    let rows: Vec<PackageDb> = sqlx::query_as(
        "SELECT p.id AS package_id, p.name, pr.name AS product_name, p.code_count::bigint AS codes,
                coalesce((SELECT sum(r.serial_end - r.serial_start + 1) FROM code_ranges r
                           WHERE r.enterprise_id = $1 AND r.package_id = p.id AND r.status = 'active'), 0)::bigint AS activated,
                (SELECT count(*) FROM code_scan_stats s WHERE s.enterprise_id = $1 AND s.package_id = p.id) AS scanned,
                (SELECT count(*) FROM code_scan_stats s
                  WHERE s.enterprise_id = $1 AND s.package_id = p.id
                    AND EXISTS (SELECT 1 FROM code_ranges r WHERE r.enterprise_id = $1 AND r.package_id = p.id AND r.status = 'active'
                                   AND s.serial BETWEEN r.serial_start AND r.serial_end)) AS scanned_active
           FROM code_packages p LEFT JOIN products pr ON pr.enterprise_id = p.enterprise_id AND pr.id = p.product_id
          WHERE p.enterprise_id = $1 AND p.status = ANY($2)
          ORDER BY p.id DESC",
    )
    .bind(e)
    .bind(&PACKAGE_STATES_WITH_CODES[..])
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|r| PackageCodeRow {
            package_id: r.package_id,
            name: r.name,
            product_name: r.product_name,
            codes: r.codes,
            activated: r.activated,
            scanned: r.scanned,
            never_scanned: r.activated - r.scanned_active,
        })
        .collect())
}
