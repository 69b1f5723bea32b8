//! The draw engine: records scans, finds the campaign a scan takes part in, draws and claims — every stock, cap and limit enforced inside one PostgreSQL transaction.
//!
//! Exactness (docs/campaigns.md): every cap is a [`Counter`] row of `campaign_counters` moved by
//! a conditional upsert (`… ON CONFLICT DO UPDATE SET n = n + 1 WHERE n < cap RETURNING n`: no
//! row back = refused); prize stock is a conditional `UPDATE … WHERE awarded < quantity`; a draw
//! is unique per scan and per (consumer, idempotency key). Nothing is read and then written in
//! Rust. Several steps that must hold together run as ONE statement of chained CTEs — each step
//! only runs when the one before it returned a row. A refusal in the middle of a chain is undone
//! by one compensating statement for the steps that passed (their rows are still locked by this
//! transaction, so no one saw them move), or by rolling the whole transaction back (draw
//! limits). Round trips are the budget of this path: a scan is six (begin, code facts,
//! consumer, statistics, limits with the scan row, commit) and a draw five (begin, facts, draw
//! row with its limits, one award per prize group, commit).
//!
//! Lock order, the same in every transaction so that concurrent draws cannot deadlock on caps:
//! code counters, then user counters, then the prize row, then the prize's counters, then an
//! imported coupon code. Draws of several prize groups lock several prizes in plan order; a
//! deadlock that could still arise there is detected by PostgreSQL and the draw is retried.

use crate::api::scan::imp as scan_imp;
use crate::domain::campaign::{china_now, CampaignStatus, ClaimExpiry, CouponSource, CouponValidity, Delivery, Plan, Prize, PrizeKind};
use crate::domain::lottery::{choose_plan, over_limit_of, pick, pick_always, valid_idempotency_key, DrawFacts, DrawMsg};
use crate::domain::play::{Address, CampaignOffer, DrawResult, Location, PrizeTile, ScanOutcome, ScanRecord, WinStatus, WonPrize};
use crate::domain::risk::RiskLevel;
use crate::domain::scan::ScanResult;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::campaign_cache::LiveCampaign;
use crate::server::consumer_cookie::DeviceId;
use crate::server::db::{ConsumerRecord, Tx};
use crate::server::repo::consumers::{for_device, ConsumerRef};
use crate::server::risk::{screen, CodeCounts, RiskAction};
use crate::server::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, Row};
use std::sync::Arc;

/// The kinds of `campaign_counters` rows (column `kind`). Subjects: a code is
/// [`code_subject`] (package id and serial in one number), a consumer its id, a prize its
/// `campaign_prizes.id`. `day` is the China-time date for daily caps and 1970-01-01 for the
/// whole campaign, so a kind with both a daily and a campaign cap has two rows.
#[repr(i16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// Scans of a code that took part (subject: code; whole campaign): `scans_per_code`.
    CodeScans = 1,
    /// Scans of a code by one consumer that took part (code, consumer): `scans_per_code_per_person`.
    CodePersonScans = 2,
    /// Draws on a code (code; day or campaign): per-code draw limits.
    CodeDraws = 3,
    /// Draws by a consumer (consumer; day or campaign, `last_at` for the interval between draws).
    UserDraws = 4,
    /// Prizes won on a code (code; day or campaign): per-code win limits.
    CodeWins = 5,
    /// Prizes won by a consumer (consumer; day or campaign): per-user win limits.
    UserWins = 6,
    /// Awards of a prize (prize; day): the prize's daily cap.
    PrizeAwards = 7,
    /// Awards of a prize to one consumer (prize, consumer; day or campaign): per-person caps.
    PrizePersonAwards = 8,
}

/// One number for a code in counter subjects: package id (< 2³⁰) in the high half, serial low.
pub fn code_subject(package_id: i64, serial: i32) -> i64 {
    (package_id << 32) | i64::from(serial)
}

/// The `day` of whole-campaign counters.
pub fn whole_campaign() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// The `day` of daily counters: the date in China Standard Time.
pub fn china_day(now: DateTime<Utc>) -> NaiveDate {
    china_now(now).date()
}

/// Why a drawn prize was replaced by its over-limit prize (`draw_wins.over_limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    CodeWinsToday,
    CodeWinsCampaign,
    CodeWinTooSoon,
    UserWinsToday,
    UserWinsCampaign,
    Stock,
    DailyCap,
    PerPersonCap,
    PerPersonDailyCap,
    /// No imported coupon code left.
    Coupons,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::CodeWinsToday => "code_wins_today",
            Refusal::CodeWinsCampaign => "code_wins_campaign",
            Refusal::CodeWinTooSoon => "code_win_too_soon",
            Refusal::UserWinsToday => "user_wins_today",
            Refusal::UserWinsCampaign => "user_wins_campaign",
            Refusal::Stock => "stock",
            Refusal::DailyCap => "daily_cap",
            Refusal::PerPersonCap => "per_person_cap",
            Refusal::PerPersonDailyCap => "per_person_daily_cap",
            Refusal::Coupons => "coupons",
        }
    }
}

fn refused(m: DrawMsg) -> AppError {
    AppError::Refused(Msg::Draw(m))
}

fn cap(n: Option<u32>) -> Option<i32> {
    n.map(|n| i32::try_from(n).unwrap_or(i32::MAX))
}

/// One statement of chained steps. `$1` is the enterprise and `$2` the campaign; each step is a
/// CTE that runs only when the step before returned a row, so the number of steps that returned
/// a row says which step refused (if any) and the locks are taken in the order of the steps.
struct Chain<R> {
    enterprise_id: i64,
    campaign_id: i64,
    ctes: Vec<String>,
    args: PgArguments,
    params: usize,
    /// The conditional steps, in order, with what a refusal of each means and how to undo it.
    steps: Vec<(String, R, Option<Undo>)>,
}

/// How a step that passed is undone when a later step of its chain refuses.
#[derive(Clone, Copy)]
enum Undo {
    Counter {
        kind: Counter,
        subject: i64,
        subject2: i64,
        day: NaiveDate,
    },
    /// The stock step of this prize (and its warning mark, if the step set it).
    Stock {
        prize_id: i64,
    },
}

impl<R: Copy> Chain<R> {
    fn new(e: i64, campaign_id: i64) -> Self {
        let mut c = Chain { enterprise_id: e, campaign_id, ctes: vec![], args: PgArguments::default(), params: 0, steps: vec![] };
        c.bind(e);
        c.bind(campaign_id);
        c
    }

    fn bind<T>(&mut self, v: T) -> String
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
    {
        self.args.add(v).expect("encoding a plain value");
        self.params += 1;
        format!("${}", self.params)
    }

    fn last(&self) -> Option<&str> {
        self.steps.last().map(|(name, _, _)| name.as_str())
    }

    /// `FROM <last step>` for an INSERT … SELECT (nothing for the first step).
    fn after_previous(&self) -> String {
        self.last().map(|l| format!(" FROM {l}")).unwrap_or_default()
    }

    /// `AND EXISTS (<last step>)` for an UPDATE's or SELECT's WHERE.
    fn and_last(&self) -> String {
        self.last().map(|l| format!(" AND EXISTS (SELECT 1 FROM {l})")).unwrap_or_default()
    }

    /// A counter step: +1 unless the row is at `cap` (or its last move is less than `gap`
    /// seconds ago).
    fn counter(&mut self, kind: Counter, (subject, subject2): (i64, i64), day: NaiveDate, cap: i32, gap_seconds: Option<u32>, refusal: R) {
        let name = format!("s{}", self.steps.len());
        let from = self.after_previous();
        let (k, s1, s2, d, c) = (self.bind(kind as i16), self.bind(subject), self.bind(subject2), self.bind(day), self.bind(cap));
        // clock_timestamp, not now(): an interval must compare against the moment of the previous
        // move even when that transaction started after this one.
        let gap = gap_seconds
            .map(|g| format!(" AND c.last_at <= clock_timestamp() - make_interval(secs => {})", self.bind(f64::from(g))))
            .unwrap_or_default();
        self.ctes.push(format!(
            "{name} AS (INSERT INTO campaign_counters AS c (enterprise_id, campaign_id, kind, subject, subject2, day, n, last_at)
                SELECT $1, $2, {k}, {s1}, {s2}, {d}, 1, clock_timestamp(){from}
                ON CONFLICT (campaign_id, kind, subject, subject2, day) DO UPDATE SET n = c.n + 1, last_at = clock_timestamp()
                 WHERE c.n < {c}{gap}
                RETURNING 1 AS ok)"
        ));
        self.steps.push((name, refusal, Some(Undo::Counter { kind, subject, subject2, day })));
    }

    /// A conditional step written by the caller (`sql` after `<name> AS `).
    fn step(&mut self, name: &str, sql: String, refusal: R, undo: Option<Undo>) {
        self.ctes.push(format!("{name} AS ({sql})"));
        self.steps.push((name.to_string(), refusal, undo));
    }

    /// How many steps returned a row, as a SELECT expression.
    fn passed(&self) -> String {
        if self.steps.is_empty() {
            return "0".into();
        }
        self.steps.iter().map(|(n, _, _)| format!("(SELECT count(*) FROM {n})::int")).collect::<Vec<_>>().join(" + ")
    }

    /// The refusal of the step that stopped the chain, from the passed count.
    fn refusal(&self, passed: i32) -> Option<R> {
        self.steps.get(usize::try_from(passed).unwrap_or(0)).map(|(_, r, _)| *r)
    }

    /// Undoes the first `passed` steps (a later one refused) in one statement, in the same
    /// transaction. `stock_warned`: the stock step also set the prize's warning mark.
    async fn undo(&self, tx: &mut Tx, passed: i32, stock_warned: bool) -> Result<(), sqlx::Error> {
        let undos: Vec<Undo> = self.steps.iter().take(usize::try_from(passed).unwrap_or(0)).filter_map(|(_, _, u)| *u).collect();
        if undos.is_empty() {
            return Ok(());
        }
        // A statement of its own, bound like a chain: `$1` the enterprise, `$2` the campaign.
        let mut u: Chain<()> = Chain::new(self.enterprise_id, self.campaign_id);
        for (i, undo) in undos.iter().enumerate() {
            let cte = match *undo {
                Undo::Counter { kind, subject, subject2, day } => {
                    let (k, s1, s2, d) = (u.bind(kind as i16), u.bind(subject), u.bind(subject2), u.bind(day));
                    format!(
                        "u{i} AS (UPDATE campaign_counters SET n = n - 1
                                   WHERE campaign_id = $2 AND kind = {k} AND subject = {s1} AND subject2 = {s2} AND day = {d})"
                    )
                }
                Undo::Stock { prize_id } => {
                    let warned = if stock_warned { "NULL" } else { "warned_at" };
                    let id = u.bind(prize_id);
                    format!(
                        "u{i} AS (UPDATE campaign_prizes SET awarded = awarded - 1, warned_at = {warned}
                                   WHERE enterprise_id = $1 AND id = {id})"
                    )
                }
            };
            u.ctes.push(cte);
        }
        sqlx::query_with(&format!("WITH {} SELECT 1", u.ctes.join(",\n")), u.args).execute(&mut **tx).await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Scan

/// The verdict's name in `scans.verdict` (None: invalid, nothing recorded).
fn verdict_key(r: &ScanResult) -> Option<&'static str> {
    match r {
        ScanResult::Invalid => None,
        ScanResult::NotActivated => Some("not_activated"),
        ScanResult::Scrapped => Some("scrapped"),
        ScanResult::Genuine(_) | ScanResult::Redirect { .. } => Some("genuine"),
    }
}

/// The tiles of a campaign page: every prize, thanks-for-playing included, in wizard order.
fn offer(c: &LiveCampaign) -> CampaignOffer {
    CampaignOffer {
        campaign_id: c.id,
        kind: c.kind,
        name: c.name.clone(),
        page: c.input.page.clone(),
        ends_at: c.ends_at,
        prizes: c
            .input
            .prizes
            .iter()
            .map(|p| PrizeTile { key: p.key, name: p.name.clone(), kind: p.kind, image: p.image.clone() })
            .collect(),
        drawn: None,
    }
}

/// Whether a campaign takes a scan now (status and cycle); the refusal otherwise.
fn open_now(c: &LiveCampaign, now: DateTime<Utc>) -> Result<(), DrawMsg> {
    match c.status(now) {
        CampaignStatus::Running if c.input.basic.cycle.contains(china_now(now)) => Ok(()),
        CampaignStatus::Running => Err(DrawMsg::OutsideHours),
        CampaignStatus::Scheduled => Err(DrawMsg::NotStarted { starts_at: c.starts_at }),
        CampaignStatus::Paused => Err(DrawMsg::Paused),
        CampaignStatus::Draft | CampaignStatus::Ended => Err(DrawMsg::Ended),
    }
}

/// A consumer's scan: verifies the code; for a code of an enterprise records the scan (consumer
/// of the device, region, the code's scan statistics) and, for a genuine one, finds the campaign
/// it takes part in, moving the scan limits' counters. Invalid strings record nothing.
pub async fn scan(state: &AppState, device: &DeviceId, ip: &str, code: &str, location: Option<Location>) -> AppResult<ScanOutcome> {
    let nothing = |result| ScanOutcome { result, scan: None, campaign: None, no_campaign: None, enterprise_id: None };
    let Some((code, at)) = scan_imp::resolve(state, code).await? else { return Ok(nothing(ScanResult::Invalid)) };
    let (e, package_id, spec_id, serial) = (at.enterprise_id, at.package_id, at.spec_id, at.serial as i32);
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    let facts = scan_imp::facts_of(&mut *tx, &at).await?;
    let product_id = facts.as_ref().and_then(|f| f.product_id);
    let result = scan_imp::verdict(facts.map(|facts| scan_imp::Found { code, at, facts }));
    let Some(verdict) = verdict_key(&result) else { return Ok(nothing(result)) };
    let consumer = for_device(&mut tx, e, &device.id).await?;

    let (province, city, source) = match location.and_then(|l| crate::domain::geo::region_of(l.lat, l.lng)) {
        Some((p, c)) => (Some(p.to_string()), Some(c.to_string()), "geo"),
        None if consumer.province.is_some() => (consumer.province.clone(), consumer.city.clone(), "profile"),
        None => (None, None, "unknown"),
    };

    // The anti-counterfeit signal, and what risk control counts (this scan's row is not
    // written yet): the consumer count grows when this consumer never scanned the code before.
    let stats = sqlx::query(
        "WITH seen AS (
              SELECT (SELECT count(DISTINCT (package_id, serial)) FROM scans
                       WHERE enterprise_id = $1 AND device_id = $7 AND scanned_at > now() - interval '1 hour'
                         AND (package_id, serial) <> ($2, $3)) AS other_codes_of_device,
                     EXISTS (SELECT 1 FROM scans WHERE enterprise_id = $1 AND package_id = $2 AND serial = $3 AND consumer_id = $6)
                         AS seen_before),
              k AS (
              INSERT INTO code_scan_stats AS k (package_id, serial, enterprise_id, scans, consumers, first_at, first_province,
                                                first_city, first_consumer_id, last_at)
              VALUES ($2, $3, $1, 1, 1, now(), $4, $5, $6, now())
              ON CONFLICT (package_id, serial) DO UPDATE SET
                  scans = k.scans + 1, last_at = now(),
                  consumers = k.consumers + CASE WHEN (SELECT seen_before FROM seen) THEN 0 ELSE 1 END
              RETURNING scans, consumers, first_at, first_province, first_city, first_consumer_id)
         SELECT k.*, seen.* FROM k, seen",
    )
    .bind(e)
    .bind(package_id)
    .bind(serial)
    .bind(&province)
    .bind(&city)
    .bind(consumer.id)
    .bind(&device.id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let counts = CodeCounts {
        other_codes_of_device: stats.get("other_codes_of_device"),
        consumers_of_code: stats.get("consumers"),
        seen_before: stats.get("seen_before"),
    };
    // A block ends here: the transaction rolls back, nothing of the scan is kept but the finding.
    screen(state, e, &consumer, &device.id, ip, RiskAction::Scan { package_id, serial, counts }).await?;
    let scans: i32 = stats.get("scans");

    let now = Utc::now();
    let mut candidate: Option<Arc<LiveCampaign>> = None;
    let mut no_campaign = None;
    if matches!(result, ScanResult::Genuine(_)) {
        match state.campaigns.matching(&mut tx, e, spec_id, product_id, province.as_deref(), now).await? {
            None => no_campaign = Some(DrawMsg::NoCampaign),
            Some(c) => match may_take_part(&c, scans, now) {
                Ok(()) => candidate = Some(c),
                Err(m) => no_campaign = Some(m),
            },
        }
    }

    // The scan limits' counters, and the scan row in the same statement: it takes part in the
    // campaign only when every counter moved.
    let mut chain: Chain<()> = Chain::new(e, candidate.as_ref().map_or(0, |c| c.id));
    if let Some(c) = &candidate {
        let (code, s) = (code_subject(package_id, serial), &c.input.settings);
        if let Some(n) = cap(s.scans_per_code) {
            chain.counter(Counter::CodeScans, (code, 0), whole_campaign(), n, None, ());
        }
        if let Some(n) = cap(s.scans_per_code_per_person) {
            chain.counter(Counter::CodePersonScans, (code, consumer.id), whole_campaign(), n, None, ());
        }
    }
    let passed = chain.passed();
    let all = chain.steps.len();
    let taking_part = if candidate.is_some() { format!("CASE WHEN {passed} = {all} THEN $2 END") } else { "NULL::bigint".into() };
    let (consumer_id, device_id, pkg, ser, product, verdict, prov, cty, src, ip_text) = (
        chain.bind(consumer.id),
        chain.bind(device.id.clone()),
        chain.bind(package_id),
        chain.bind(serial),
        chain.bind(product_id),
        chain.bind(verdict),
        chain.bind(province.clone()),
        chain.bind(city.clone()),
        chain.bind(source),
        chain.bind(ip.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())),
    );
    chain.ctes.push(format!("touched AS (UPDATE consumers SET last_scan_at = now() WHERE enterprise_id = $1 AND id = {consumer_id})"));
    chain.ctes.push(format!(
        "ins AS (INSERT INTO scans (enterprise_id, consumer_id, device_id, package_id, serial, product_id, campaign_id, verdict,
                                    province, city, region_source, ip)
                 VALUES ($1, {consumer_id}, {device_id}, {pkg}, {ser}, {product}, {taking_part}, {verdict}, {prov}, {cty}, {src},
                         {ip_text}::text::inet)
                 RETURNING id, campaign_id)"
    ));
    let sql = format!("WITH {} SELECT ins.id, ins.campaign_id, {passed} AS passed FROM ins", chain.ctes.join(",\n"));
    let row = sqlx::query_with(&sql, std::mem::take(&mut chain.args)).fetch_one(&mut *tx).await.map_err(internal)?;
    let scan_id: i64 = row.get("id");
    let campaign = match row.get::<Option<i64>, _>("campaign_id") {
        Some(_) => candidate,
        None if candidate.is_some() => {
            chain.undo(&mut tx, row.get("passed"), false).await.map_err(internal)?;
            no_campaign = Some(DrawMsg::CodeScanLimit);
            None
        }
        None => None,
    };
    tx.commit().await.map_err(internal)?;

    let first_consumer: i64 = stats.get("first_consumer_id");
    Ok(ScanOutcome {
        result,
        scan: Some(ScanRecord {
            scan_id,
            first_scanned_at: stats.get("first_at"),
            first_province: stats.get("first_province"),
            first_city: stats.get("first_city"),
            scans,
            first_by_me: first_consumer == consumer.id,
            province,
            city,
        }),
        campaign: campaign.as_deref().map(offer),
        no_campaign,
        enterprise_id: Some(e),
    })
}

/// Whether a scan of a genuine code may take part in `c` before its counters move: open now,
/// and within the re-scan limit (the code's scan number from its statistics).
fn may_take_part(c: &LiveCampaign, code_scans: i32, now: DateTime<Utc>) -> Result<(), DrawMsg> {
    open_now(c, now)?;
    if c.input.settings.code_draws.rescans.is_some_and(|r| i64::from(code_scans) - 1 > i64::from(r)) {
        return Err(DrawMsg::CodeDrawLimit { today: false });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Draw

/// A failure of one draw attempt: a deadlock or serialization failure is retried.
enum Fail {
    Retry,
    App(AppError),
}

impl From<AppError> for Fail {
    fn from(e: AppError) -> Self {
        Fail::App(e)
    }
}

impl Fail {
    fn db(e: sqlx::Error) -> Fail {
        match &e {
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01") | Some("40001")) => Fail::Retry,
            _ => Fail::App(internal(e)),
        }
    }
}

/// Attempts of a draw that meets a deadlock (several prize groups locking prizes in different
/// orders) before giving up.
const ATTEMPTS: usize = 3;

/// Draws on a scan of this device's consumer. Retried or concurrent duplicates (same scan, or
/// same idempotency key) answer the first draw's result with `replayed: true`.
pub async fn draw(state: &AppState, device: &DeviceId, ip: &str, scan_id: i64, key: &str) -> AppResult<DrawResult> {
    if !valid_idempotency_key(key) {
        return Err(AppError::field("idempotency_key", Msg::Draw(DrawMsg::BadIdempotencyKey)));
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match draw_once(state, device, ip, scan_id, key).await {
            Ok(r) => return Ok(r),
            Err(Fail::App(err)) => return Err(err),
            Err(Fail::Retry) if attempt < ATTEMPTS => tracing::info!(scan_id, attempt, "draw retried after a deadlock"),
            Err(Fail::Retry) => return Err(refused(DrawMsg::Busy)),
        }
    }
}

/// What a draw needs about its scan, consumer and code, in one query.
#[derive(sqlx::FromRow)]
struct ScanFacts {
    enterprise_id: i64,
    campaign_id: Option<i64>,
    consumer_id: i64,
    package_id: i64,
    serial: i32,
    product_id: Option<i64>,
    province: Option<String>,
    city: Option<String>,
    risk_level: i16,
    bonus_hunter: bool,
    profile_province: Option<String>,
    profile_city: Option<String>,
    /// This scan is the code's first.
    first_scan: bool,
    first_at: Option<DateTime<Utc>>,
    activated_at: Option<DateTime<Utc>>,
    new_consumer: bool,
    /// A draw already made on this scan or with this idempotency key.
    existing: Option<i64>,
}

/// `$1` scan, `$2` device, `$3` idempotency key; the transaction is the scan's enterprise's.
const SCAN_FACTS: &str = "SELECT s.enterprise_id, s.campaign_id, s.consumer_id, s.package_id, s.serial, s.product_id, s.province, s.city,
        c.risk_level, c.bonus_hunter, c.province AS profile_province, c.city AS profile_city,
        coalesce(st.first_at >= s.scanned_at, true) AS first_scan, st.first_at, r.activated_at,
        NOT EXISTS (SELECT 1 FROM scans p WHERE p.enterprise_id = s.enterprise_id AND p.consumer_id = s.consumer_id AND p.id < s.id)
            AS new_consumer,
        coalesce((SELECT d.id FROM draws d WHERE d.enterprise_id = s.enterprise_id AND d.consumer_id = s.consumer_id
                     AND d.idempotency_key = $3),
                 (SELECT d.id FROM draws d WHERE d.scan_id = s.id)) AS existing
   FROM scans s
   JOIN consumer_devices dv ON dv.enterprise_id = s.enterprise_id AND dv.device_id = $2 AND dv.consumer_id = s.consumer_id
   JOIN consumers c ON c.enterprise_id = s.enterprise_id AND c.id = s.consumer_id
   LEFT JOIN code_scan_stats st ON st.package_id = s.package_id AND st.serial = s.serial
   LEFT JOIN code_ranges r ON r.enterprise_id = s.enterprise_id AND r.package_id = s.package_id AND r.status = 'active'
                          AND int4range(r.serial_start, r.serial_end, '[]') @> s.serial
  WHERE s.id = $1";

/// Minutes left before `since + minutes` (None: already past).
fn minutes_left(since: Option<DateTime<Utc>>, minutes: Option<u32>, now: DateTime<Utc>) -> Option<u32> {
    let (since, minutes) = (since?, minutes?);
    let left = (since + chrono::Duration::minutes(i64::from(minutes)) - now).num_seconds();
    (left > 0).then(|| u32::try_from((left + 59) / 60).unwrap_or(u32::MAX))
}

/// The draw-limit refusals of the counter chain.
#[derive(Clone, Copy)]
enum DrawLimit {
    CodeToday,
    CodeCampaign,
    UserToday,
    UserCampaign,
    UserGap(u32),
}

impl DrawLimit {
    fn msg(self) -> DrawMsg {
        match self {
            DrawLimit::CodeToday => DrawMsg::CodeDrawLimit { today: true },
            DrawLimit::CodeCampaign => DrawMsg::CodeDrawLimit { today: false },
            DrawLimit::UserToday => DrawMsg::UserDrawLimit { today: true },
            DrawLimit::UserCampaign => DrawMsg::UserDrawLimit { today: false },
            DrawLimit::UserGap(seconds) => DrawMsg::TooSoon { seconds },
        }
    }
}

/// What stopped the chain of the draw row and its limits.
#[derive(Clone, Copy)]
enum DrawStep {
    /// The draw row: another draw of this scan or key exists (a retry or a double click).
    Row,
    Limit(DrawLimit),
}

async fn draw_once(state: &AppState, device: &DeviceId, ip: &str, scan_id: i64, key: &str) -> Result<DrawResult, Fail> {
    let mut tx = state.db.tenant_of(ConsumerRecord::Scan(scan_id)).await.map_err(Fail::db)?;
    let f: Option<ScanFacts> =
        sqlx::query_as(SCAN_FACTS).bind(scan_id).bind(&device.id).bind(key).fetch_optional(&mut *tx).await.map_err(Fail::db)?;
    let Some(f) = f else { return Err(refused(DrawMsg::ScanNotFound).into()) };
    let e = f.enterprise_id;
    if let Some(draw_id) = f.existing {
        return replay(state, &mut tx, e, draw_id).await.map_err(Fail::db);
    }
    let Some(campaign_id) = f.campaign_id else { return Err(refused(DrawMsg::NoCampaign).into()) };
    let Some(c) = state.campaigns.get(&mut tx, e, campaign_id).await? else { return Err(refused(DrawMsg::Ended).into()) };
    let now = Utc::now();
    open_now(&c, now).map_err(refused)?;

    let consumer = ConsumerRef {
        id: f.consumer_id,
        created: false,
        new: f.new_consumer,
        risk_level: RiskLevel::from_number(f.risk_level),
        bonus_hunter: f.bonus_hunter,
        province: f.profile_province.clone(),
        city: f.profile_city.clone(),
    };
    screen(state, e, &consumer, &device.id, ip, RiskAction::Draw).await?;

    let s = &c.input.settings;
    if let Some(minutes) = minutes_left(f.activated_at, s.code_draws.minutes_after_activation, now).or_else(|| {
        if f.first_scan {
            None
        } else {
            minutes_left(f.first_at, s.code_draws.minutes_after_first_scan, now)
        }
    }) {
        return Err(refused(DrawMsg::CodeNotYet { minutes }).into());
    }

    // The consumer's counts only when a plan looks at them (no plan reads the zeros otherwise).
    let (draws_in_campaign, draws_in_enterprise, prizes_won_in_campaign) = if plans_use_counts(&c.input.delivery) {
        consumer_counts(&mut tx, e, f.consumer_id, c.id).await.map_err(Fail::db)?
    } else {
        (0, 0, 0)
    };
    let facts = DrawFacts {
        product_id: f.product_id,
        risk_level: consumer.risk_level,
        new_consumer: f.new_consumer,
        province: f.province.clone(),
        local_time: china_now(now),
        draws_in_campaign,
        draws_in_enterprise,
        prizes_won_in_campaign,
        crowd_ids: match plan_crowds(&c.input.delivery) {
            ids if ids.is_empty() => vec![],
            ids => super::crowds::memberships(&mut tx, &state.crowds, e, &ids, f.consumer_id).await.map_err(Fail::App)?,
        },
    };
    let plan = choose_plan(&c.input.delivery, &facts);
    let randoms: Vec<i32> = {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        plan.groups.iter().map(|_| rng.gen_range(0..crate::domain::campaign::PPM as i32)).collect()
    };

    // The draw row first: a duplicate (same scan, or same consumer and key) waits here on the
    // unique index for the first to finish and then answers its result. Then the draw limits:
    // code counters, then user counters; a refusal rolls everything back.
    let mut chain: Chain<DrawStep> = Chain::new(e, c.id);
    let (consumer_id, scan, k, plan_key, values, pkg, serial, product, province, city) = (
        chain.bind(f.consumer_id),
        chain.bind(scan_id),
        chain.bind(key.to_string()),
        chain.bind(plan.key as i16),
        chain.bind(randoms.clone()),
        chain.bind(f.package_id),
        chain.bind(f.serial),
        chain.bind(f.product_id),
        chain.bind(f.province.clone()),
        chain.bind(f.city.clone()),
    );
    chain.step(
        "d",
        format!(
            "INSERT INTO draws (enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial,
                                product_id, province, city)
             VALUES ($1, $2, {consumer_id}, {scan}, {k}, {plan_key}, {values}, {pkg}, {serial}, {product}, {province}, {city})
             ON CONFLICT DO NOTHING RETURNING id"
        ),
        DrawStep::Row,
        None,
    );
    let today = china_day(now);
    let code = code_subject(f.package_id, f.serial);
    if let Some(n) = cap(s.code_draws.per_day) {
        chain.counter(Counter::CodeDraws, (code, 0), today, n, None, DrawStep::Limit(DrawLimit::CodeToday));
    }
    if let Some(n) = cap(s.code_draws.per_campaign) {
        chain.counter(Counter::CodeDraws, (code, 0), whole_campaign(), n, None, DrawStep::Limit(DrawLimit::CodeCampaign));
    }
    if let Some(n) = cap(s.user_draws.per_day) {
        chain.counter(Counter::UserDraws, (f.consumer_id, 0), today, n, None, DrawStep::Limit(DrawLimit::UserToday));
    }
    let gap = s.user_draws.seconds_between_draws;
    if s.user_draws.per_campaign.is_some() || gap.is_some() {
        let n = cap(s.user_draws.per_campaign).unwrap_or(i32::MAX);
        // One row serves both: a refusal names the interval when the count is not at its cap.
        let refusal = match (s.user_draws.per_campaign, gap) {
            (_, Some(g)) => DrawLimit::UserGap(g),
            _ => DrawLimit::UserCampaign,
        };
        chain.counter(Counter::UserDraws, (f.consumer_id, 0), whole_campaign(), n, gap, DrawStep::Limit(refusal));
    }
    let sql = format!("WITH {} SELECT {} AS passed, (SELECT id FROM d) AS draw_id", chain.ctes.join(",\n"), chain.passed());
    let row = sqlx::query_with(&sql, std::mem::take(&mut chain.args)).fetch_one(&mut *tx).await.map_err(Fail::db)?;
    let passed: i32 = row.try_get("passed").map_err(Fail::db)?;
    let draw_id: Option<i64> = row.try_get("draw_id").map_err(Fail::db)?;
    let draw_id = match (chain.refusal(passed), draw_id) {
        (None, Some(draw_id)) => draw_id,
        (Some(DrawStep::Limit(limit)), _) => {
            let msg = match limit {
                DrawLimit::UserGap(_) if s.user_draws.per_campaign.is_some() => {
                    user_gap_or_cap(&mut tx, e, c.id, f.consumer_id, s.user_draws.per_campaign, limit).await.map_err(Fail::db)?
                }
                other => other.msg(),
            };
            return Err(refused(msg).into());
        }
        _ => {
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM draws WHERE enterprise_id = $1 AND ((consumer_id = $2 AND idempotency_key = $3) OR scan_id = $4)
                  ORDER BY (idempotency_key = $3) DESC LIMIT 1",
            )
            .bind(e)
            .bind(f.consumer_id)
            .bind(key)
            .bind(scan_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(Fail::db)?;
            let Some(existing) = existing else { return Err(Fail::Retry) };
            return replay(state, &mut tx, e, existing).await.map_err(Fail::db);
        }
    };

    // One value per prize group; each group can pay out one prize.
    let mut wins = Vec::new();
    for (gi, (group, random)) in plan.groups.iter().zip(&randoms).enumerate() {
        let r = *random as u32;
        let drawn = if s.user_wins.every_draw_wins { pick_always(group, r) } else { pick(group, r) };
        let Some(drawn) = drawn else { continue };
        let Some(prize) = c.input.prizes.iter().find(|p| p.key == drawn) else { continue };
        if prize.kind == PrizeKind::Thanks {
            continue;
        }
        let warn = group.entries.iter().find(|en| en.prize == drawn).and_then(|en| en.warning_value);
        let ctx = Award { e, c: &c, draw_id, consumer_id: f.consumer_id, group: gi as i16, drawn, code, today };
        let mut visited = vec![drawn];
        let mut reason: Option<Refusal> = None;
        let mut current = prize;
        let mut entry_warn = warn;
        loop {
            let first = current.key == drawn;
            // The drawn prize passes the code and user win limits first; an over-limit prize
            // only its own stock and caps.
            let too_soon = first
                && (minutes_left(f.first_at, s.code_wins.minutes_after_first_scan, now).filter(|_| !f.first_scan).is_some()
                    || minutes_left(f.activated_at, s.code_wins.minutes_after_activation, now).is_some());
            let outcome = if too_soon {
                Err(Refusal::CodeWinTooSoon)
            } else {
                award(state, &mut tx, &ctx, current, first, reason, entry_warn).await?
            };
            match outcome {
                Ok(w) => {
                    wins.push(w);
                    break;
                }
                Err(why) => {
                    reason.get_or_insert(why);
                    let Some(next) = over_limit_of(&c.input.prizes, group, current.key).filter(|k| !visited.contains(k)) else { break };
                    visited.push(next);
                    let Some(p) = c.input.prizes.iter().find(|p| p.key == next) else { break };
                    if p.kind == PrizeKind::Thanks {
                        break;
                    }
                    entry_warn = group.entries.iter().find(|en| en.prize == next).and_then(|en| en.warning_value);
                    current = p;
                }
            }
        }
    }
    tx.commit().await.map_err(Fail::db)?;
    let thanks_key = if wins.is_empty() { thanks_key(&c, plan, &randoms) } else { None };
    Ok(DrawResult { draw_id, wins, thanks_key, replayed: false })
}

/// Whether a precision plan looks at the consumer's draw, participation or prizes-won counts:
/// only then does the draw count them (three index scans the hot path otherwise skips).
fn plans_use_counts(delivery: &Delivery) -> bool {
    delivery.precision.iter().any(|p| {
        let k = &p.conditions;
        k.draw_count.is_some() || k.participation_count.is_some() || k.prizes_won.is_some()
    })
}

/// The crowds precision plans match on (membership is looked up only when there are some).
fn plan_crowds(delivery: &Delivery) -> Vec<i64> {
    let mut ids: Vec<i64> = delivery.precision.iter().flat_map(|p| p.conditions.crowd_ids.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A consumer's draws in the campaign, draws in the enterprise and prizes won in the campaign
/// (before this draw), for precision plans.
async fn consumer_counts(tx: &mut Tx, e: i64, consumer_id: i64, campaign_id: i64) -> Result<(u32, u32, u32), sqlx::Error> {
    let (a, b, c): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM draws WHERE enterprise_id = $1 AND consumer_id = $2 AND campaign_id = $3),
                (SELECT count(*) FROM draws WHERE enterprise_id = $1 AND consumer_id = $2),
                (SELECT count(*) FROM draw_wins WHERE enterprise_id = $1 AND consumer_id = $2 AND campaign_id = $3)",
    )
    .bind(e)
    .bind(consumer_id)
    .bind(campaign_id)
    .fetch_one(&mut **tx)
    .await?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok((n(a), n(b), n(c)))
}

/// A refused whole-campaign user row that has both a count cap and an interval: which one.
async fn user_gap_or_cap(
    tx: &mut Tx,
    e: i64,
    campaign_id: i64,
    consumer_id: i64,
    per_campaign: Option<u32>,
    limit: DrawLimit,
) -> Result<DrawMsg, sqlx::Error> {
    let n: Option<i32> = sqlx::query_scalar(
        "SELECT n FROM campaign_counters WHERE enterprise_id = $1 AND campaign_id = $2 AND kind = $3 AND subject = $4 AND subject2 = 0
            AND day = $5",
    )
    .bind(e)
    .bind(campaign_id)
    .bind(Counter::UserDraws as i16)
    .bind(consumer_id)
    .bind(whole_campaign())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match (n, cap(per_campaign)) {
        (Some(n), Some(c)) if n >= c => DrawMsg::UserDrawLimit { today: false },
        _ => limit.msg(),
    })
}

/// The tile a draw without a win lands on: the thanks-for-playing prize a group's value picked,
/// else the campaign's first thanks prize. Recomputed from the recorded values on replay.
fn thanks_key(c: &LiveCampaign, plan: &Plan, randoms: &[i32]) -> Option<u16> {
    let every = c.input.settings.user_wins.every_draw_wins;
    let is_thanks = |k: u16| c.input.prizes.iter().any(|p| p.key == k && p.kind == PrizeKind::Thanks);
    plan.groups
        .iter()
        .zip(randoms)
        .filter_map(|(g, r)| if every { pick_always(g, *r as u32) } else { pick(g, *r as u32) })
        .find(|k| is_thanks(*k))
        .or_else(|| c.input.prizes.iter().find(|p| p.kind == PrizeKind::Thanks).map(|p| p.key))
}

/// What every award attempt of one group shares.
struct Award<'a> {
    e: i64,
    c: &'a LiveCampaign,
    draw_id: i64,
    consumer_id: i64,
    group: i16,
    drawn: u16,
    code: i64,
    today: NaiveDate,
}

/// A random coupon code: 12 characters of the code alphabet, from the CSPRNG.
fn coupon_code() -> String {
    use rand::Rng;
    let alphabet = crate::domain::codes::ALPHABET;
    let mut rng = rand::rngs::OsRng;
    (0..12).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

/// Tries to award `prize` in one statement: (drawn prize only) code and user win limits, then the
/// stock, the prize's caps, an imported coupon code, and the win row. When a step refuses, the
/// steps before it are undone.
#[allow(clippy::too_many_arguments)]
async fn award(
    state: &AppState,
    tx: &mut Tx,
    a: &Award<'_>,
    prize: &Prize,
    with_win_limits: bool,
    reason: Option<Refusal>,
    entry_warning: Option<u32>,
) -> Result<Result<WonPrize, Refusal>, Fail> {
    let Some(&prize_id) = a.c.prize_ids.get(&prize.key) else { return Ok(Err(Refusal::Stock)) };
    let s = &a.c.input.settings;
    let whole = whole_campaign();
    let mut chain: Chain<Refusal> = Chain::new(a.e, a.c.id);
    if with_win_limits {
        if let Some(n) = cap(s.code_wins.per_day) {
            chain.counter(Counter::CodeWins, (a.code, 0), a.today, n, None, Refusal::CodeWinsToday);
        }
        if let Some(n) = cap(s.code_wins.per_campaign) {
            chain.counter(Counter::CodeWins, (a.code, 0), whole, n, None, Refusal::CodeWinsCampaign);
        }
        if let Some(n) = cap(s.user_wins.per_day) {
            chain.counter(Counter::UserWins, (a.consumer_id, 0), a.today, n, None, Refusal::UserWinsToday);
        }
        if let Some(n) = cap(s.user_wins.per_campaign) {
            chain.counter(Counter::UserWins, (a.consumer_id, 0), whole, n, None, Refusal::UserWinsCampaign);
        }
    }
    // The stock; the warning (remaining ≤ the prize's or the entry's warning value) is marked
    // once, in the same UPDATE.
    let warn = prize.warning_value.into_iter().chain(entry_warning).max().map(|w| i32::try_from(w).unwrap_or(i32::MAX));
    let (pid, w) = (chain.bind(prize_id), chain.bind(warn));
    let gate = chain.and_last();
    chain.step(
        "pz",
        format!(
            "UPDATE campaign_prizes SET awarded = awarded + 1,
                    warned_at = CASE WHEN warned_at IS NULL AND quantity - awarded - 1 <= {w} THEN now() ELSE warned_at END
              WHERE enterprise_id = $1 AND id = {pid} AND (quantity IS NULL OR awarded < quantity){gate}
              RETURNING 1 AS ok, quantity - awarded AS remaining, coalesce(warned_at = now(), false) AS warn_now"
        ),
        Refusal::Stock,
        Some(Undo::Stock { prize_id }),
    );
    if let Some(n) = cap(prize.daily_cap) {
        chain.counter(Counter::PrizeAwards, (prize_id, 0), a.today, n, None, Refusal::DailyCap);
    }
    if let Some(n) = cap(prize.per_person_cap) {
        chain.counter(Counter::PrizePersonAwards, (prize_id, a.consumer_id), whole, n, None, Refusal::PerPersonCap);
    }
    if let Some(n) = cap(prize.per_person_daily_cap) {
        chain.counter(Counter::PrizePersonAwards, (prize_id, a.consumer_id), a.today, n, None, Refusal::PerPersonDailyCap);
    }
    let coupon = prize.coupon.as_ref().filter(|_| prize.kind == PrizeKind::Coupon);
    let imported = coupon.is_some_and(|c| c.source == CouponSource::Import);
    if imported {
        let gate = chain.and_last();
        chain.step(
            "cp",
            format!(
                "SELECT id, code FROM coupon_codes WHERE enterprise_id = $1 AND prize_id = {pid} AND win_id IS NULL{gate}
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            ),
            Refusal::Coupons,
            None,
        );
    }
    let conditional = chain.steps.len();
    let last = chain.last().expect("the stock step").to_string();
    let (claim_hours, claim_until) = match &prize.claim_expiry {
        ClaimExpiry::Never => (None, None),
        ClaimExpiry::Hours(h) => (Some(*h as i32), None),
        ClaimExpiry::Days(d) => (Some(*d as i32 * 24), None),
        ClaimExpiry::At(t) => (None, Some(*t)),
    };
    let (valid_days, valid_to) = match coupon.map(|c| &c.validity) {
        Some(CouponValidity::Days(d)) => (Some(*d as i32), None),
        Some(CouponValidity::Range { to, .. }) => (None, Some(*to)),
        None => (None, None),
    };
    let code_expr = if imported {
        "cp.code".to_string()
    } else if coupon.is_some() {
        format!("{}::text", chain.bind(coupon_code()))
    } else {
        "NULL::text".to_string()
    };
    let (draw, consumer, group, drawn, why) = (
        chain.bind(a.draw_id),
        chain.bind(a.consumer_id),
        chain.bind(a.group),
        chain.bind(a.drawn as i16),
        chain.bind(reason.map(Refusal::key)),
    );
    let (hours, until, vdays, vto) = (chain.bind(claim_hours), chain.bind(claim_until), chain.bind(valid_days), chain.bind(valid_to));
    chain.ctes.push(format!(
        "w AS (INSERT INTO draw_wins (enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key, over_limit,
                                     claim_deadline, coupon_code, coupon_valid_to)
               SELECT $1, $2, {draw}, {consumer}, {group}, {pid}, {drawn}, {why},
                      CASE WHEN {hours}::int IS NOT NULL THEN now() + make_interval(hours => {hours}::int) ELSE {until}::timestamptz END,
                      {code_expr},
                      CASE WHEN {vdays}::int IS NOT NULL THEN now() + make_interval(days => {vdays}::int) ELSE {vto}::timestamptz END
                 FROM {last}
               RETURNING id, won_at, claim_deadline, coupon_valid_to)"
    ));
    if imported {
        chain.ctes.push("cu AS (UPDATE coupon_codes SET win_id = w.id FROM w, cp WHERE coupon_codes.id = cp.id)".into());
    }
    let sql = format!(
        "WITH {} SELECT {} AS passed, w.id AS win_id, w.won_at, w.claim_deadline, w.coupon_valid_to,
                (SELECT remaining FROM pz) AS remaining, coalesce((SELECT warn_now FROM pz), false) AS warn_now
           FROM (SELECT 1) one LEFT JOIN w ON true",
        chain.ctes.join(",\n"),
        chain.passed()
    );
    let row = sqlx::query_with(&sql, std::mem::take(&mut chain.args)).fetch_one(&mut **tx).await.map_err(Fail::db)?;
    let passed: i32 = row.try_get("passed").map_err(Fail::db)?;
    let win_id: Option<i64> = row.try_get("win_id").map_err(Fail::db)?;
    let warn_now: bool = row.try_get("warn_now").map_err(Fail::db)?;
    let Some(win_id) = win_id.filter(|_| passed as usize == conditional) else {
        chain.undo(tx, passed, warn_now).await.map_err(Fail::db)?;
        return Ok(Err(chain.refusal(passed).unwrap_or(Refusal::Stock)));
    };
    if warn_now {
        let remaining: Option<i32> = row.try_get("remaining").map_err(Fail::db)?;
        warn_stock(state, tx, a.e, a.c, prize, remaining.unwrap_or(0)).await?;
    }
    Ok(Ok(WonPrize {
        win_id,
        campaign_id: a.c.id,
        campaign_name: a.c.name.clone(),
        prize_key: prize.key,
        name: prize.name.clone(),
        kind: prize.kind,
        image: prize.image.clone(),
        points: prize.points,
        value_fen: prize.value_fen,
        status: WinStatus::Unclaimed,
        won_at: row.try_get("won_at").map_err(Fail::db)?,
        claim_deadline: row.try_get("claim_deadline").map_err(Fail::db)?,
        claimed_at: None,
        coupon_code: None,
        coupon_valid_to: row.try_get("coupon_valid_to").map_err(Fail::db)?,
        address: None,
    }))
}

/// Raises the prize-stock warning (预警通知) and messages the campaign's creator, in the draw's
/// transaction; `warnings_once` keeps it to one row per prize.
async fn warn_stock(state: &AppState, tx: &mut Tx, e: i64, c: &LiveCampaign, prize: &Prize, remaining: i32) -> Result<(), Fail> {
    use crate::domain::warnings::WarningKind;
    let title = format!("活动「{}」的奖品「{}」库存仅剩 {remaining}", c.name, prize.name);
    let body =
        format!("活动「{}」（ID {}）的奖品「{}」剩余 {remaining} 份，已达预警值。请及时补充库存或调整中奖概率。", c.name, c.id, prize.name);
    let link = format!("/marketing/campaigns/{}", c.id);
    let subject = format!("prize:{}", c.prize_ids.get(&prize.key).copied().unwrap_or_default());
    let inserted =
        crate::server::repo::warnings::insert(tx, e, WarningKind::PrizeStock, &subject, &title, &body, &link).await.map_err(Fail::db)?;
    let (Some(_), Some(user_id)) = (inserted, c.created_by) else { return Ok(()) };
    let to: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT email, mobile FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut **tx).await.map_err(Fail::db)?;
    let (channel, address) = match to {
        Some((Some(email), _)) => (crate::domain::messages::Channel::Email, email),
        Some((None, Some(mobile))) => (crate::domain::messages::Channel::Sms, mobile),
        _ => return Ok(()),
    };
    let outgoing = crate::server::outbox::Outgoing {
        enterprise_id: e,
        recipient_user_id: Some(user_id),
        channel,
        address: &address,
        subject: format!("【预警】{title}"),
        body: format!("{body}\n处理：{}{link}", state.codes.scan_base()),
    };
    state.notifier.record(tx, outgoing).await?;
    Ok(())
}

/// The result of an earlier draw, answered again (`replayed`).
async fn replay(state: &AppState, tx: &mut Tx, e: i64, draw_id: i64) -> Result<DrawResult, sqlx::Error> {
    let (campaign_id, plan_key, randoms): (i64, i16, Vec<i32>) =
        sqlx::query_as("SELECT campaign_id, plan_key, randoms FROM draws WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(draw_id)
            .fetch_one(&mut **tx)
            .await?;
    let wins = wins_of_draw(tx, e, draw_id).await?;
    let thanks_key = if wins.is_empty() {
        let campaign = state.campaigns.get(tx, e, campaign_id).await.ok().flatten();
        campaign.and_then(|c| {
            let d = &c.input.delivery;
            let plan = std::iter::once(&d.default_plan).chain(&d.precision).find(|p| p.key as i16 == plan_key)?;
            thanks_key(&c, plan, &randoms)
        })
    } else {
        None
    };
    Ok(DrawResult { draw_id, wins, thanks_key, replayed: true })
}

/// The columns of a [`WonRow`]: `draw_wins w` joined with its prize `p` and campaign `c`.
pub const WON_SELECT: &str = "SELECT w.id, w.campaign_id, c.name AS campaign_name, p.key, p.name, p.kind, p.image, p.points, p.value_fen,
        w.status, w.won_at, w.claim_deadline, w.claimed_at, w.coupon_code, w.coupon_valid_to, w.address
   FROM draw_wins w
   JOIN campaign_prizes p ON p.enterprise_id = w.enterprise_id AND p.id = w.prize_id
   JOIN campaigns c ON c.enterprise_id = w.enterprise_id AND c.id = w.campaign_id";

/// A won prize as stored (see [`WON_SELECT`]).
#[derive(sqlx::FromRow)]
pub struct WonRow {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub key: i16,
    pub name: String,
    pub kind: String,
    pub image: Option<String>,
    pub points: i32,
    pub value_fen: i64,
    pub status: String,
    pub won_at: DateTime<Utc>,
    pub claim_deadline: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub coupon_code: Option<String>,
    pub coupon_valid_to: Option<DateTime<Utc>>,
    pub address: Option<sqlx::types::Json<Address>>,
}

impl WonRow {
    /// As the consumer sees it at `now`: an unclaimed prize past its deadline is expired; a
    /// coupon's code shows once claimed.
    pub fn into_won(self, now: DateTime<Utc>) -> WonPrize {
        let mut status = WinStatus::from_key(&self.status).unwrap_or(WinStatus::Unclaimed);
        if status == WinStatus::Unclaimed && self.claim_deadline.is_some_and(|d| d <= now) {
            status = WinStatus::Expired;
        }
        WonPrize {
            win_id: self.id,
            campaign_id: self.campaign_id,
            campaign_name: self.campaign_name,
            prize_key: self.key as u16,
            name: self.name,
            kind: PrizeKind::from_key(&self.kind).unwrap_or_default(),
            image: self.image,
            points: self.points.max(0) as u32,
            value_fen: self.value_fen,
            status,
            won_at: self.won_at,
            claim_deadline: self.claim_deadline,
            claimed_at: self.claimed_at,
            coupon_code: self.coupon_code.filter(|_| status == WinStatus::Claimed),
            coupon_valid_to: self.coupon_valid_to,
            address: self.address.map(|a| a.0),
        }
    }
}

/// The prizes won in one draw, by prize group.
pub async fn wins_of_draw(tx: &mut Tx, e: i64, draw_id: i64) -> Result<Vec<WonPrize>, sqlx::Error> {
    let rows: Vec<WonRow> = sqlx::query_as(&format!("{WON_SELECT} WHERE w.enterprise_id = $1 AND w.draw_id = $2 ORDER BY w.group_index"))
        .bind(e)
        .bind(draw_id)
        .fetch_all(&mut **tx)
        .await?;
    let now = Utc::now();
    Ok(rows.into_iter().map(|r| r.into_won(now)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_subjects_keep_package_and_serial_apart() {
        assert_ne!(code_subject(1, 2), code_subject(2, 1));
        assert_eq!(code_subject(3, 20_000_000) >> 32, 3);
        assert_eq!(code_subject(3, 20_000_000) & 0xffff_ffff, 20_000_000);
    }

    #[test]
    fn china_days_turn_at_midnight_china_time() {
        let t = "2026-11-21T15:59:59Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(china_day(t).to_string(), "2026-11-21");
        assert_eq!(china_day(t + chrono::Duration::seconds(1)).to_string(), "2026-11-22");
    }

    #[test]
    fn minutes_left_rounds_up() {
        let now = Utc::now();
        assert_eq!(minutes_left(Some(now), Some(10), now), Some(10));
        assert_eq!(minutes_left(Some(now - chrono::Duration::seconds(61)), Some(2), now), Some(1));
        assert_eq!(minutes_left(Some(now - chrono::Duration::minutes(3)), Some(2), now), None);
        assert_eq!(minutes_left(None, Some(2), now), None);
    }

    #[test]
    fn chains_name_the_refusing_step() {
        let mut c: Chain<u8> = Chain::new(1, 2);
        c.counter(Counter::CodeDraws, (5, 0), whole_campaign(), 3, None, 7);
        c.counter(Counter::UserDraws, (9, 0), whole_campaign(), 3, Some(30), 8);
        assert_eq!(c.refusal(0), Some(7));
        assert_eq!(c.refusal(1), Some(8));
        assert_eq!(c.refusal(2), None);
        assert!(c.ctes[1].contains("FROM s0") && c.ctes[1].contains("make_interval"));
        assert_eq!(c.params, 2 + 5 + 6);
    }
}
