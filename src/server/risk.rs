//! Risk control (营销风控) on the scan and draw path: velocity windows, blacklist, risk levels and
//! the bonus-hunter flag. The rules and thresholds are pure functions in
//! [`crate::domain::risk`]; this module counts, looks up, records and blocks.
//!
//! * Velocity (scans per device, requests per IP, per minute) is counted **in memory, per
//!   process**: a `Mutex<HashMap>` of minute buckets costs a hash lookup on the hot path instead
//!   of a database write per request, and a per-instance count is enough to stop a script (with
//!   n instances behind a balancer a client gets at most n × the limit).
//! * Distinct codes per device per hour are counted from the `scans` table (indexed by device)
//!   and distinct consumers per code read from the code's statistics, by the scan's own
//!   statement: they hold across instances and restarts and cost no round trip of their own.
//! * The blacklist is cached per enterprise for at most
//!   [`BLACKLIST_CACHE_SECONDS`](crate::domain::risk::BLACKLIST_CACHE_SECONDS).
//! * Every finding is a `risk_events` row (blocked or not) and raises the consumer's risk level
//!   (never lowers it) and, for many codes per device, the bonus-hunter flag. A velocity block is
//!   recorded once per device or IP and minute, so a flood does not become a flood of rows.
//! * A block answers [`DrawMsg::Busy`]: the client learns nothing about which rule caught it.
//! * Queries run on the `system` pool, naming the enterprise in every statement: the caller
//!   holds an `app` connection in its open transaction while it screens, and taking a second one
//!   from the same pool could wait forever once every connection is held by a caller doing the
//!   same. Nothing here waits on a row the caller may have locked (the consumer update touches
//!   a row the caller only read).

use crate::domain::lottery::DrawMsg;
use crate::domain::risk::{self as rules, Finding, RiskLevel, Rule};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::repo::consumers::ConsumerRef;
use crate::server::AppState;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// What a consumer is about to do.
#[derive(Clone, Copy, Debug)]
pub enum RiskAction {
    /// A scan of a code (package, serial), with what the `scans` table says about it.
    Scan {
        package_id: i64,
        serial: i32,
        counts: CodeCounts,
    },
    Draw,
}

/// What the `scans` table says about a scan about to be recorded, counted by the scan's own
/// statement (`server::draw::scan`) before its row is written.
#[derive(Clone, Copy, Debug)]
pub struct CodeCounts {
    /// Distinct codes the device scanned in the last hour, this one excluded.
    pub other_codes_of_device: i64,
    /// Distinct consumers who scanned the code, this one included (the code's statistics).
    pub consumers_of_code: i32,
    /// This consumer scanned the code before (already counted by the rule back then).
    pub seen_before: bool,
}

/// Screens a scan or draw before it happens; a block is `AppError::Refused(Msg::Draw(DrawMsg::Busy))`.
/// Runs outside the caller's transaction, so what it notices is kept even when it blocks.
pub async fn screen(state: &AppState, e: i64, consumer: &ConsumerRef, device_id: &str, ip: &str, action: RiskAction) -> AppResult<()> {
    let ip: Option<IpAddr> = ip.trim().parse().ok();
    let now = chrono::Utc::now().timestamp();
    let ip_key = ip.map(|ip| WindowKey::Ip(e, ip));
    let ip_requests = ip_key.as_ref().map(|k| WINDOWS.hit(k, now));
    let mut findings: Vec<(Finding, String)> = Vec::new();
    match action {
        RiskAction::Scan { package_id, serial, counts } => {
            let device_key = WindowKey::Device(e, device_id.to_string());
            let device_scans = WINDOWS.hit(&device_key, now);
            if let Some(f) = rules::velocity(Some(device_scans), ip_requests) {
                let key = if f.rule == Rule::DeviceVelocity { &device_key } else { ip_key.as_ref().unwrap_or(&device_key) };
                if WINDOWS.first_report(key, now) {
                    let detail =
                        format!("{} scans/min from the device, {} requests/min from the IP", device_scans, ip_requests.unwrap_or(0));
                    record(state, e, consumer.id, device_id, ip, &[(f, detail)]).await?;
                }
                return Err(busy());
            }
            // This scan included.
            let codes = u32::try_from(counts.other_codes_of_device).unwrap_or(u32::MAX).saturating_add(1);
            if let Some(f) = rules::codes_per_device(codes) {
                findings.push((f, format!("{codes} distinct codes from the device within an hour")));
            }
            if !counts.seen_before {
                let consumers = u32::try_from(counts.consumers_of_code).unwrap_or(0);
                if let Some(f) = rules::consumers_per_code(consumers) {
                    findings.push((f, format!("{consumers} distinct consumers on code {package_id}/{serial}")));
                }
            }
        }
        RiskAction::Draw => {
            if let Some(f) = rules::velocity(None, ip_requests) {
                if ip_key.as_ref().is_some_and(|k| WINDOWS.first_report(k, now)) {
                    record(state, e, consumer.id, device_id, ip, &[(f, format!("{} requests/min from the IP", ip_requests.unwrap_or(0)))])
                        .await?;
                }
                return Err(busy());
            }
            let blacklisted = blacklist(state, e).await?.holds(consumer.id, device_id, ip);
            if let Some(f) = rules::draw_gate(blacklisted, device_is_fresh()) {
                let detail = if f.rule == Rule::Blacklist { "blacklisted" } else { "draw without a device id" };
                findings.push((f, detail.into()));
            }
        }
    }
    if findings.is_empty() {
        return Ok(());
    }
    record(state, e, consumer.id, device_id, ip, &findings).await?;
    if findings.iter().any(|(f, _)| f.blocked) {
        return Err(busy());
    }
    Ok(())
}

fn busy() -> AppError {
    AppError::Refused(Msg::Draw(DrawMsg::Busy))
}

/// Whether this request came without the device cookie or header (its device id was made up
/// just now). Outside a request (no context) nothing is known, so nothing is blocked.
fn device_is_fresh() -> bool {
    crate::server::consumer_cookie::device_id().map(|d| d.fresh).unwrap_or(false)
}

/// Writes the findings as risk events (a transaction of its own), then raises the consumer's
/// level and flag.
async fn record(
    state: &AppState,
    e: i64,
    consumer_id: i64,
    device_id: &str,
    ip: Option<IpAddr>,
    findings: &[(Finding, String)],
) -> AppResult<()> {
    let mut tx = state.db.system.begin().await.map_err(internal)?;
    for (f, detail) in findings {
        sqlx::query(
            "INSERT INTO risk_events (enterprise_id, consumer_id, device_id, ip, rule, blocked, detail)
             VALUES ($1, $2, $3, $4::text::inet, $5, $6, $7)",
        )
        .bind(e)
        .bind(consumer_id)
        .bind(device_id)
        .bind(ip.map(|ip| ip.to_string()))
        .bind(f.rule.key())
        .bind(f.blocked)
        .bind(detail)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    }
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM risk_events
          WHERE enterprise_id = $1 AND consumer_id = $2 AND created_at > now() - make_interval(hours => $3)",
    )
    .bind(e)
    .bind(consumer_id)
    .bind(rules::EVENTS_WINDOW_HOURS as i32)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let level = rules::level_after(RiskLevel::Normal, u32::try_from(events).unwrap_or(u32::MAX));
    let hunter = findings.iter().any(|(f, _)| f.bonus_hunter);
    if raise(&state.db.system, e, consumer_id, level, hunter).await.map_err(internal)? {
        return Ok(());
    }
    // A consumer created by the caller's scan is not committed yet (the caller awaits this
    // screen inside its transaction): raise the level once the scan has committed.
    let pool = state.db.system.clone();
    tokio::spawn(async move {
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            match raise(&pool, e, consumer_id, level, hunter).await {
                Ok(true) => return,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(error = %err, consumer_id, "risk level not raised");
                    return;
                }
            }
        }
    });
    Ok(())
}

/// Raises a consumer's level (greatest(): a level set by the console or an earlier event is
/// never lowered here) and flag; false when the consumer row is not visible (yet).
async fn raise(pool: &sqlx::PgPool, e: i64, consumer_id: i64, level: RiskLevel, hunter: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE consumers SET risk_level = greatest(risk_level, $3), bonus_hunter = bonus_hunter OR $4
          WHERE enterprise_id = $1 AND id = $2",
    )
    .bind(e)
    .bind(consumer_id)
    .bind(level.number())
    .bind(hunter)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

// Velocity windows ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum WindowKey {
    Device(i64, String),
    Ip(i64, IpAddr),
}

/// Two fixed minute buckets of one key (see [`rules::sliding_minute`]).
struct Bucket {
    minute: i64,
    previous: u32,
    current: u32,
    /// The minute a block of this key was last recorded.
    reported: i64,
}

struct Windows {
    inner: Mutex<WindowMap>,
}

struct WindowMap {
    buckets: HashMap<WindowKey, Bucket>,
    /// The minute buckets were last pruned: keys idle for two minutes are dropped once a minute.
    pruned: i64,
}

static WINDOWS: LazyLock<Windows> = LazyLock::new(|| Windows { inner: Mutex::new(WindowMap { buckets: HashMap::new(), pruned: 0 }) });

impl Windows {
    /// Counts a request of `key` at `now` (Unix seconds); returns the sliding-minute count,
    /// this request included.
    fn hit(&self, key: &WindowKey, now: i64) -> u32 {
        let minute = now.div_euclid(60);
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.pruned != minute {
            map.buckets.retain(|_, b| b.minute >= minute - 1);
            map.pruned = minute;
        }
        let b = map.buckets.entry(key.clone()).or_insert(Bucket { minute, previous: 0, current: 0, reported: i64::MIN });
        if b.minute != minute {
            b.previous = if b.minute == minute - 1 { b.current } else { 0 };
            b.current = 0;
            b.minute = minute;
        }
        b.current = b.current.saturating_add(1);
        rules::sliding_minute(b.previous, b.current, now.rem_euclid(60) as u32)
    }

    /// True the first time in a minute a block of `key` is reported.
    fn first_report(&self, key: &WindowKey, now: i64) -> bool {
        let minute = now.div_euclid(60);
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match map.buckets.get_mut(key) {
            Some(b) if b.reported != minute => {
                b.reported = minute;
                true
            }
            _ => false,
        }
    }
}

// Blacklist ----------------------------------------------------------------------------------

/// One enterprise's blacklist, mobiles resolved to the consumers that hold them.
#[derive(Default)]
struct Blacklist {
    consumers: HashSet<i64>,
    devices: HashSet<String>,
    ips: HashSet<IpAddr>,
}

impl Blacklist {
    fn holds(&self, consumer_id: i64, device_id: &str, ip: Option<IpAddr>) -> bool {
        self.consumers.contains(&consumer_id) || self.devices.contains(device_id) || ip.is_some_and(|ip| self.ips.contains(&ip))
    }
}

/// Cached blacklists by (database, enterprise): the database name keeps apart the enterprises of
/// several databases served by one process (the integration tests).
type BlacklistCache = Mutex<HashMap<(String, i64), (Instant, Arc<Blacklist>)>>;
static BLACKLISTS: LazyLock<BlacklistCache> = LazyLock::new(|| Mutex::new(HashMap::new()));

async fn blacklist(state: &AppState, e: i64) -> AppResult<Arc<Blacklist>> {
    let key = (state.db.system.connect_options().get_database().unwrap_or_default().to_string(), e);
    let ttl = Duration::from_secs(rules::BLACKLIST_CACHE_SECONDS);
    if let Some((at, list)) = BLACKLISTS.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        if at.elapsed() < ttl {
            return Ok(list.clone());
        }
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, value FROM blacklist WHERE enterprise_id = $1 AND kind <> 'mobile'
         UNION ALL
         SELECT 'consumer', c.id::text FROM blacklist b
           JOIN consumers c ON c.enterprise_id = b.enterprise_id AND c.mobile = b.value
          WHERE b.enterprise_id = $1 AND b.kind = 'mobile'",
    )
    .bind(e)
    .fetch_all(&state.db.system)
    .await
    .map_err(internal)?;
    let mut list = Blacklist::default();
    for (kind, value) in rows {
        let value = value.trim();
        match kind.as_str() {
            "consumer" => list.consumers.extend(value.parse::<i64>().ok()),
            "device" => {
                list.devices.insert(value.to_string());
            }
            "ip" => list.ips.extend(value.parse::<IpAddr>().ok()),
            _ => {}
        }
    }
    let list = Arc::new(list);
    BLACKLISTS.lock().unwrap_or_else(|p| p.into_inner()).insert(key, (Instant::now(), list.clone()));
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_per_key_and_roll_over() {
        let w = Windows { inner: Mutex::new(WindowMap { buckets: HashMap::new(), pruned: 0 }) };
        let a = WindowKey::Device(1, "a".repeat(32));
        let b = WindowKey::Device(1, "b".repeat(32));
        let t = 6_000_000; // the start of a minute
        for _ in 0..10 {
            w.hit(&a, t);
        }
        assert_eq!(w.hit(&a, t + 1), 11);
        assert_eq!(w.hit(&b, t + 1), 1);
        // Half-way through the next minute half of the previous minute still counts.
        assert_eq!(w.hit(&a, t + 90), 1 + 11 / 2);
        // Two minutes idle: nothing counts any more (and the key was pruned).
        assert_eq!(w.hit(&a, t + 240), 1);
        assert!(w.first_report(&a, t + 240));
        assert!(!w.first_report(&a, t + 241));
        assert!(w.first_report(&a, t + 300));
    }
}
