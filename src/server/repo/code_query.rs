//! Code query: from what a person typed (a code string, a pasted scan URL or a printable serial)
//! to the code's package, batch, spec, entered info, activation and scrap state.
//!
//! A code of another enterprise, a forged code and a package without codes yet all give the
//! same answer, "not a valid code": nothing tells them apart.

use super::code_activation::{info_fields, range_at};
use crate::domain::code_activation::PACKAGE_STATES_WITH_CODES;
use crate::domain::code_query::{CodeDetails, Scrap};
use crate::domain::codes::{format_serial, parse_input, parse_serial};
use crate::error::AppResult;
use crate::server::auth::internal;
use crate::server::db::Tx;
use crate::server::AppState;

/// The code a text names, as (package, serial), if it is a genuine code of enterprise `e`'s
/// package whose codes exist.
pub async fn locate(state: &AppState, tx: &mut Tx, e: i64, text: &str) -> AppResult<Option<(i64, u32)>> {
    let found = if let Some((package, serial)) = parse_serial(text) {
        Some((package, serial))
    } else if let Some(code) = parse_input(text) {
        // Scans are anonymous, so resolution reads packages on the system pool; the enterprise
        // is checked right below.
        state
            .codes
            .resolve(&state.db.system, &code)
            .await
            .map_err(internal)?
            .filter(|r| r.enterprise_id == e)
            .map(|r| (r.package_id, r.serial))
    } else {
        None
    };
    let Some((package, serial)) = found else { return Ok(None) };
    let inside: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM code_packages WHERE enterprise_id = $1 AND id = $2 AND status = ANY($3) AND $4 BETWEEN 1 AND code_count",
    )
    .bind(e)
    .bind(package)
    .bind(&PACKAGE_STATES_WITH_CODES[..])
    .bind(i64::from(serial))
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(inside.map(|_| (package, serial)))
}

#[derive(sqlx::FromRow)]
struct PackageRow {
    name: String,
    status: String,
    spec_id: i64,
    spec_name: String,
    pin_digits: i16,
    key_version: i16,
    key_salt: Vec<u8>,
    batch_no: i32,
    batch_start: i32,
    batch_end: i32,
}

/// The scrap holding a serial of a package, if any.
pub async fn scrap_at(tx: &mut Tx, e: i64, package_id: i64, serial: i32) -> AppResult<Option<Scrap>> {
    sqlx::query_as(&format!(
        "{} WHERE s.enterprise_id = $1 AND s.package_id = $2 AND s.serial_start <= $3 AND s.serial_end >= $3",
        super::code_scraps::SCRAP_SELECT
    ))
    .bind(e)
    .bind(package_id)
    .bind(serial)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

/// Everything about one located code. The PIN only `with_pin` (a viewer who may manage queries).
pub async fn details(state: &AppState, tx: &mut Tx, e: i64, package_id: i64, serial: u32, with_pin: bool) -> AppResult<CodeDetails> {
    let p: PackageRow = sqlx::query_as(
        "SELECT p.name, p.status, p.spec_id, s.name AS spec_name, s.pin_digits, p.key_version, p.key_salt,
                b.batch_no, b.serial_start AS batch_start, b.serial_end AS batch_end
           FROM code_packages p
           JOIN code_specs s ON s.id = p.spec_id
           JOIN code_batches b ON b.package_id = p.id AND $3 BETWEEN b.serial_start AND b.serial_end
          WHERE p.enterprise_id = $1 AND p.id = $2",
    )
    .bind(e)
    .bind(package_id)
    .bind(serial as i32)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let codec = state.codes.codec(p.key_version as u8, package_id, &p.key_salt).map_err(internal)?;
    let code = codec.code(serial);
    let pin = (with_pin && p.pin_digits > 0).then(|| codec.pin(serial, p.pin_digits as u8));
    let range = range_at(tx, e, package_id, serial as i32).await?;
    let extra = match &range {
        Some(r) if !r.extra.is_empty() => {
            info_fields(tx, e).await?.into_iter().filter_map(|f| r.extra.get(&f.id).map(|v| (f.name, v.clone()))).collect()
        }
        _ => vec![],
    };
    Ok(CodeDetails {
        package_id,
        package_name: p.name,
        package_status: p.status,
        spec_id: p.spec_id,
        spec_name: p.spec_name,
        batch_no: p.batch_no,
        batch_start: p.batch_start,
        batch_end: p.batch_end,
        serial: serial as i32,
        printable_serial: format_serial(package_id, serial),
        scan_url: state.codes.scan_url(&code),
        code,
        pin,
        range,
        extra,
        scrap: scrap_at(tx, e, package_id, serial as i32).await?,
    })
}

/// The scan-campaign records of one code: its scan count and first scan (code_scan_stats), its
/// latest scans and draws with their wins. Everything filtered by the enterprise.
pub async fn scan_records(tx: &mut Tx, e: i64, package_id: i64, serial: i32) -> AppResult<crate::api::code_query::CodeScanRecords> {
    use crate::api::code_query::{CodeScanRecords, DrawRecord, ScanRecord, WinRecord, SCAN_RECORDS_MAX};
    type Time = chrono::DateTime<chrono::Utc>;
    // (id, scanned_at, consumer, province, city, verdict, campaign id, campaign name)
    type ScanRow = (i64, Time, i64, Option<String>, Option<String>, String, Option<i64>, Option<String>);
    // (draw, prize name, kind, status, won, claimed, redeemed, shipped)
    type WinRow = (i64, String, String, String, Time, Option<Time>, Option<Time>, Option<Time>);
    let stats: Option<(i64, Time, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT scans::bigint, first_at, first_province, first_city FROM code_scan_stats
          WHERE enterprise_id = $1 AND package_id = $2 AND serial = $3",
    )
    .bind(e)
    .bind(package_id)
    .bind(serial)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let scans: Vec<ScanRow> = sqlx::query_as(
        "SELECT s.id, s.scanned_at, s.consumer_id, s.province, s.city, s.verdict, s.campaign_id, c.name
           FROM scans s LEFT JOIN campaigns c ON c.enterprise_id = s.enterprise_id AND c.id = s.campaign_id
          WHERE s.package_id = $2 AND s.serial = $3 AND s.enterprise_id = $1
          ORDER BY s.scanned_at DESC, s.id DESC LIMIT $4",
    )
    .bind(e)
    .bind(package_id)
    .bind(serial)
    .bind(SCAN_RECORDS_MAX)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let scan_ids: Vec<i64> = scans.iter().map(|s| s.0).collect();
    let draws: Vec<(i64, i64, Time, i64, i64, String)> = sqlx::query_as(
        "SELECT d.id, d.scan_id, d.drawn_at, d.consumer_id, d.campaign_id, c.name
           FROM draws d JOIN campaigns c ON c.enterprise_id = d.enterprise_id AND c.id = d.campaign_id
          WHERE d.enterprise_id = $1 AND d.scan_id = ANY($2)
          ORDER BY d.drawn_at DESC, d.id DESC",
    )
    .bind(e)
    .bind(&scan_ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let draw_ids: Vec<i64> = draws.iter().map(|d| d.0).collect();
    let wins: Vec<WinRow> = sqlx::query_as(
        "SELECT w.draw_id, p.name, p.kind, w.status, w.won_at, w.claimed_at, w.redeemed_at, w.shipped_at
           FROM draw_wins w JOIN campaign_prizes p ON p.enterprise_id = w.enterprise_id AND p.id = w.prize_id
          WHERE w.enterprise_id = $1 AND w.draw_id = ANY($2) AND p.kind <> 'thanks'
          ORDER BY w.draw_id, w.group_index",
    )
    .bind(e)
    .bind(&draw_ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let (scan_count, first_scan_at, first_province, first_city) = match stats {
        Some((n, at, p, c)) => (n, Some(at), p, c),
        None => (0, None, None, None),
    };
    Ok(CodeScanRecords {
        scan_count,
        first_scan_at,
        first_province,
        first_city,
        scans: scans
            .into_iter()
            .map(|(id, scanned_at, consumer_id, province, city, verdict, campaign_id, campaign_name)| ScanRecord {
                id,
                scanned_at,
                consumer_id,
                province,
                city,
                verdict,
                campaign_id,
                campaign_name,
            })
            .collect(),
        draws: draws
            .into_iter()
            .map(|(id, scan_id, drawn_at, consumer_id, campaign_id, campaign_name)| DrawRecord {
                id,
                scan_id,
                drawn_at,
                consumer_id,
                campaign_id,
                campaign_name,
                wins: wins
                    .iter()
                    .filter(|w| w.0 == id)
                    .map(|w| WinRecord {
                        prize_name: w.1.clone(),
                        kind: w.2.clone(),
                        status: w.3.clone(),
                        won_at: w.4,
                        claimed_at: w.5,
                        redeemed_at: w.6,
                        shipped_at: w.7,
                    })
                    .collect(),
            })
            .collect(),
    })
}
