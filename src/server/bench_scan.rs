//! `tessera bench scan`: concurrent virtual consumers over loopback HTTP through scan → draw → claim, with an exactness report and a pgbench baseline.
//!
//! 1. A fresh database: `CREATE DATABASE` on DATABASE_URL's server, or a fresh embedded cluster
//!    in a temporary folder; migrated, seeded with an enterprise, an activated package and a
//!    running campaign with scarce prizes and tight caps.
//! 2. Tessera's router on a loopback port in this process, and `C` virtual consumers, each with
//!    its own keep-alive connections and a minimal HTTP/1.1 client (no client library needed).
//!    A consumer changes device (and IP, sent as X-Forwarded-For) every
//!    [`DRAWS_PER_DEVICE`] codes, so per-person caps bind while risk control stays quiet;
//!    10 % of draws are retried with the same idempotency key, 5 % double-submitted at once.
//! 3. Throughput and latency per step, then the exactness report computed from the database:
//!    awarded vs stock, every cap, duplicate draws — all violations must be 0.
//! 4. `pgbench` (TPC-B, 16 clients, 2 threads) on a scratch database of the same server, and
//!    the ratio draws/s ÷ tps.

use crate::domain::campaign::{
    Basic, CampaignInput, CampaignKind, CampaignStatus, ClaimExpiry, CodeDrawLimits, CouponSetup, Cycle, Delivery, GroupEntry, Page, Plan,
    Prize, PrizeGroup, PrizeKind, Settings, UserDrawLimits, UserWinLimits,
};
use crate::server::config::Config;
use crate::server::db::Db;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Codes a virtual consumer scans with one device before it takes a new one (the campaign lets
/// one consumer draw this often).
pub const DRAWS_PER_DEVICE: u32 = 10;
/// Codes in the bench package (each scanned once).
const CODES: u32 = 2_000_000;

/// Runs the benchmark and prints its report.
pub async fn run(config: Config, clients: u32, seconds: u32) -> anyhow::Result<()> {
    anyhow::ensure!((1..=1000).contains(&clients), "--clients must be 1 to 1000");
    anyhow::ensure!((1..=3600).contains(&seconds), "--seconds must be 1 to 3600");
    let server = Scratch::create(&config).await?;
    let result = bench(&config, &server, clients, seconds).await;
    server.drop_all().await;
    result
}

async fn bench(config: &Config, server: &Scratch, clients: u32, seconds: u32) -> anyhow::Result<()> {
    let db = Db::connect(server.options.clone(), config.db_pool).await?;
    let pool = config.db_pool;
    let mut config = config.clone();
    let secret: String = rand::random::<[u8; 32]>().iter().map(|b| format!("{b:02x}")).collect();
    config.code_keys = Some(format!("1:{secret}"));
    config.scan_base = Some("https://scan.bench.example".into());
    // Virtual consumers come from distinct addresses, as behind a proxy.
    config.trust_proxy = true;
    let media = std::env::temp_dir().join(format!("tessera-bench-scan-{:016x}", rand::random::<u64>()));
    config.media_dir = media.join("media");
    config.files_dir = media.join("files");
    std::fs::create_dir_all(&config.media_dir)?;
    let codes = Arc::new(crate::server::code_keys::CodeKeys::load(&config)?);
    let seeded = seed(&db, &codes).await?;
    let state = crate::server::AppState {
        leptos_options: leptos::config::LeptosOptions::builder().output_name("tessera").build(),
        db: db.clone(),
        notifier: crate::server::outbox::Notifier::new(None, &config.mail_from)?,
        config: Arc::new(config),
        codes: codes.clone(),
        campaigns: Arc::new(crate::server::campaign_cache::CampaignCache::new()),
        crowds: Arc::new(crate::server::crowds::CrowdEngine::new()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::server::http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });

    println!("Tessera bench scan: {clients} virtual consumers for {seconds} s against http://{addr} (pool {pool})");
    let next_code = Arc::new(AtomicU32::new(1));
    let devices = Arc::new(AtomicU32::new(1));
    let deadline = Instant::now() + Duration::from_secs(u64::from(seconds));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next_code, devices, seeded) = (next_code.clone(), devices.clone(), seeded.clone());
        tasks.push(tokio::spawn(async move { consumer(addr, &seeded, &next_code, &devices, deadline).await }));
    }
    let mut total = Stats::default();
    for t in tasks {
        total.merge(t.await.context("virtual consumer panicked")??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    serving.abort();

    let draws_per_s = total.draws.len() as f64 / elapsed;
    println!();
    println!("step    requests    per s    p50 ms   p99 ms");
    for (name, lat) in [("scan", &mut total.scans), ("draw", &mut total.draws), ("claim", &mut total.claims)] {
        let (p50, p99) = percentiles(lat);
        println!("{name:<7} {:>8} {:>8.0} {p50:>9.1} {p99:>8.1}", lat.len(), lat.len() as f64 / elapsed);
    }
    println!("draws that won {}, refusals {} (limits and caps: expected), other errors {}", total.won, total.refused, total.errors);
    println!("retries {} and double submits {}: answers with another draw {}", total.retries, total.doubles, total.client_duplicates);

    let violations = exactness(&db, &seeded).await? + total.client_duplicates;
    println!("total violations: {violations} (must be 0)");

    let pg = pgbench(server, seconds).await;
    match pg {
        Ok(Some(tps)) => {
            println!("pgbench TPC-B (-c 16 -j 2 -T {seconds}, scale 16): {tps:.0} tps");
            println!("draws/s ÷ pgbench tps = {:.2} (target ≥ 0.50)", draws_per_s / tps);
        }
        Ok(None) => println!("pgbench is not installed: no baseline, no ratio"),
        Err(e) => println!("pgbench failed: {e:#}"),
    }
    db.app.close().await;
    db.system.close().await;
    let _ = std::fs::remove_dir_all(&media);
    if violations > 0 {
        bail!("{violations} exactness violations");
    }
    Ok(())
}

fn percentiles(lat: &mut [u32]) -> (f64, f64) {
    if lat.is_empty() {
        return (0.0, 0.0);
    }
    lat.sort_unstable();
    let at = |q: f64| f64::from(lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)]) / 1000.0;
    (at(0.50), at(0.99))
}

// The database ---------------------------------------------------------------------------

/// The fresh database of this run and how to reach its server.
struct Scratch {
    options: PgConnectOptions,
    /// DATABASE_URL's server: the admin options and the URL (pgbench takes it as its dbname).
    url: Option<(PgConnectOptions, String, String)>,
    /// Our own cluster: the process, its folder and socket folder, its port.
    embedded: Option<(std::sync::Mutex<crate::server::embedded_pg::EmbeddedPg>, std::path::PathBuf, std::path::PathBuf, u16)>,
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Scratch {
    async fn create(config: &Config) -> anyhow::Result<Scratch> {
        let name = format!("tessera_bench_{:08x}", rand::random::<u32>());
        if let Some(url) = &config.database_url {
            let admin: PgConnectOptions = url.parse()?;
            let mut conn = sqlx::ConnectOptions::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let url = with_database(url, &name);
            return Ok(Scratch { options: url.parse()?, url: Some((admin, url, name)), embedded: None });
        }
        let dir = std::env::temp_dir().join(format!("tessera-bench-pg-{:08x}", rand::random::<u32>()));
        let data = dir.join("pg");
        // EmbeddedPg puts its socket next to the data folder.
        let socket = dir.join("pg-socket");
        let mut pg = crate::server::embedded_pg::EmbeddedPg::new(&data, config.pg_port, config.pg_bin.clone())?;
        let options = tokio::task::block_in_place(|| pg.start())?;
        Ok(Scratch { options, url: None, embedded: Some((std::sync::Mutex::new(pg), dir, socket, config.pg_port)) })
    }

    async fn drop_all(&self) {
        if let Some((admin, _, name)) = &self.url {
            if let Ok(mut conn) = sqlx::ConnectOptions::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
            }
        }
        if let Some((pg, dir, _, _)) = &self.embedded {
            pg.lock().unwrap_or_else(|p| p.into_inner()).stop();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// What the virtual consumers need to know about the seed.
#[derive(Clone)]
struct Seeded {
    enterprise_id: i64,
    campaign_id: i64,
    input: Arc<CampaignInput>,
    codec: Arc<crate::domain::codes::PackageCodec>,
}

fn prize(key: u16, name: &str, kind: PrizeKind, quantity: Option<u32>) -> Prize {
    Prize { key, name: name.into(), kind, quantity, claim_expiry: ClaimExpiry::Days(7), ..Prize::default() }
}

/// The campaign: scarce prizes (50 goods, 200 coupons, 1,000 points prizes) with daily and
/// per-person caps, points as the over-limit prize of the first two, and tight draw limits.
fn campaign_input(spec_id: i64) -> CampaignInput {
    let now = chrono::Utc::now();
    let goods = Prize {
        per_person_cap: Some(1),
        daily_cap: Some(50),
        over_limit: Some(3),
        value_fen: 19_900,
        ..prize(1, "蓝牙音箱", PrizeKind::Goods, Some(50))
    };
    let coupon = Prize {
        per_person_daily_cap: Some(1),
        over_limit: Some(3),
        value_fen: 500,
        coupon: Some(CouponSetup::default()),
        ..prize(2, "5 元优惠券", PrizeKind::Coupon, Some(200))
    };
    let points = Prize {
        points: 10,
        per_person_cap: Some(3),
        daily_cap: Some(1000),
        value_fen: 10,
        ..prize(3, "10 积分", PrizeKind::Points, Some(1000))
    };
    let thanks = Prize { claim_expiry: ClaimExpiry::Never, ..prize(4, "谢谢参与", PrizeKind::Thanks, None) };
    let entry = |prize: u16, ppm: u32| GroupEntry { prize, probability_ppm: ppm, ..GroupEntry::default() };
    CampaignInput {
        basic: Basic {
            kind: CampaignKind::NineGrid,
            name: "压测活动".into(),
            starts_at: Some(now - chrono::Duration::minutes(5)),
            ends_at: Some(now + chrono::Duration::days(1)),
            cycle: Cycle::Unlimited,
            description: "bench".into(),
        },
        settings: Settings {
            spec_ids: vec![spec_id],
            scans_per_code: Some(3),
            code_draws: CodeDrawLimits { per_campaign: Some(1), ..CodeDrawLimits::default() },
            user_draws: UserDrawLimits {
                per_day: Some(DRAWS_PER_DEVICE),
                per_campaign: Some(DRAWS_PER_DEVICE),
                seconds_between_draws: None,
            },
            user_wins: UserWinLimits { per_day: Some(4), per_campaign: Some(4), every_draw_wins: false },
            ..Settings::default()
        },
        prizes: vec![goods, coupon, points, thanks],
        delivery: Delivery {
            default_plan: Plan {
                key: 0,
                name: "默认方案".into(),
                groups: vec![PrizeGroup { entries: vec![entry(1, 20_000), entry(2, 60_000), entry(3, 300_000)] }],
                ..Plan::default()
            },
            precision: vec![],
        },
        page: Page { title: "扫码抽奖".into(), ..Page::default() },
    }
}

async fn seed(db: &Db, codes: &crate::server::code_keys::CodeKeys) -> anyhow::Result<Seeded> {
    let salt = crate::server::code_keys::CodeKeys::new_salt();
    let password = format!("Bench{:08x}", rand::random::<u32>());
    let (e, user) = crate::server::seed::create_admin(db, "压测企业", "管理员", Some("13900000001"), None, &password).await?;
    let sys = &db.system;
    let spec_id: i64 = sqlx::query_scalar(
        "INSERT INTO code_specs (enterprise_id, name, file_fields, file_format, pin_digits)
         VALUES ($1, '压测码规格', ARRAY['serial','code','url'], 'csv', 0) RETURNING id",
    )
    .bind(e)
    .fetch_one(sys)
    .await?;
    let region: i64 =
        sqlx::query_scalar("INSERT INTO regions (enterprise_id, name) VALUES ($1, '华东') RETURNING id").bind(e).fetch_one(sys).await?;
    let factory: i64 = sqlx::query_scalar("INSERT INTO factories (enterprise_id, region_id, name) VALUES ($1, $2, '包材厂') RETURNING id")
        .bind(e)
        .bind(region)
        .fetch_one(sys)
        .await?;
    let brand: i64 =
        sqlx::query_scalar("INSERT INTO brands (enterprise_id, name) VALUES ($1, '压测品牌') RETURNING id").bind(e).fetch_one(sys).await?;
    let barcode = format!("690000000001{}", crate::domain::validate::ean13_check_digit("690000000001").unwrap_or(0));
    let product: i64 = sqlx::query_scalar(
        "INSERT INTO products (enterprise_id, brand_id, name, barcode, unit_price) VALUES ($1, $2, '压测饮料', $3, 500) RETURNING id",
    )
    .bind(e)
    .bind(brand)
    .bind(barcode)
    .fetch_one(sys)
    .await?;
    let package_id: i64 = sqlx::query_scalar(
        "INSERT INTO code_packages (enterprise_id, spec_id, name, purpose, code_count, file_count, factory_id, status,
                                    applied_by, key_version, key_salt)
         VALUES ($1, $2, '压测码包', 'production', $3, 1, $4, 'sent', $5, $6, $7) RETURNING id",
    )
    .bind(e)
    .bind(spec_id)
    .bind(CODES as i32)
    .bind(factory)
    .bind(user)
    .bind(codes.current_version() as i16)
    .bind(&salt)
    .fetch_one(sys)
    .await?;
    sqlx::query(
        "INSERT INTO code_batches (enterprise_id, package_id, batch_no, serial_start, serial_end, file_name)
         VALUES ($1, $2, 1, 1, $3, 'bench-1.zip')",
    )
    .bind(e)
    .bind(package_id)
    .bind(CODES as i32)
    .execute(sys)
    .await?;
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, brand_id, factory_id,
                                  status, activated_at, activated_by)
         VALUES ($1, $2, 1, 1, $3, $4, $5, $6, 'active', now() - interval '1 day', $7)",
    )
    .bind(e)
    .bind(package_id)
    .bind(CODES as i32)
    .bind(product)
    .bind(brand)
    .bind(factory)
    .bind(user)
    .execute(sys)
    .await?;
    let input = campaign_input(spec_id);
    let mut tx = db.tenant(e).await?;
    let campaign_id = crate::server::repo::campaigns::insert(&mut tx, e, Some(user), &input, CampaignStatus::Running, 5)
        .await
        .map_err(|err| anyhow::anyhow!("campaign insert: {err}"))?;
    tx.commit().await?;
    let codec = Arc::new(codes.codec(codes.current_version(), package_id, &salt)?);
    Ok(Seeded { enterprise_id: e, campaign_id, input: Arc::new(input), codec })
}

// The virtual consumers ------------------------------------------------------------------

/// Latencies (µs) per step and counts of one virtual consumer.
#[derive(Default)]
struct Stats {
    scans: Vec<u32>,
    draws: Vec<u32>,
    claims: Vec<u32>,
    won: u64,
    refused: u64,
    errors: u64,
    retries: u64,
    doubles: u64,
    /// A retry or double submit answered with a different draw than the first.
    client_duplicates: u64,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.scans.extend(o.scans);
        self.draws.extend(o.draws);
        self.claims.extend(o.claims);
        self.won += o.won;
        self.refused += o.refused;
        self.errors += o.errors;
        self.retries += o.retries;
        self.doubles += o.doubles;
        self.client_duplicates += o.client_duplicates;
    }

    fn count(&mut self, status: u16) {
        match status {
            422 | 429 => self.refused += 1,
            _ => self.errors += 1,
        }
    }
}

fn key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn micros(since: Instant) -> u32 {
    u32::try_from(since.elapsed().as_micros()).unwrap_or(u32::MAX)
}

async fn consumer(
    addr: SocketAddr,
    seeded: &Seeded,
    next_code: &AtomicU32,
    devices: &AtomicU32,
    deadline: Instant,
) -> anyhow::Result<Stats> {
    let mut stats = Stats::default();
    let mut a = Http::connect(addr).await?;
    // The second connection sends the concurrent half of a double submit.
    let mut b = Http::connect(addr).await?;
    let address =
        json!({ "name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "detail": "西湖区文三路 100 号" });
    while Instant::now() < deadline {
        let n = devices.fetch_add(1, Ordering::Relaxed);
        let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
        let mut device: Option<String> = None;
        for _ in 0..DRAWS_PER_DEVICE {
            if Instant::now() >= deadline {
                break;
            }
            let serial = next_code.fetch_add(1, Ordering::Relaxed);
            if serial > CODES {
                return Ok(stats);
            }
            let code = seeded.codec.code(serial);
            let t = Instant::now();
            let res = a.post("/api/c/scan", &json!({ "code": code, "location": null }), device.as_deref(), &ip).await?;
            stats.scans.push(micros(t));
            if let Some(d) = res.device {
                device = Some(d);
            }
            if res.status != 200 {
                stats.count(res.status);
                continue;
            }
            let Some(scan_id) = res.body["scan"]["scan_id"].as_i64() else { continue };
            if res.body["campaign"].is_null() {
                continue;
            }
            let body = json!({ "scan_id": scan_id, "idempotency_key": key() });
            let roll = rand::random::<u32>() % 100;
            let t = Instant::now();
            let first = if roll < 5 {
                // A double click: the same draw on two connections at once.
                stats.doubles += 1;
                let (r1, r2) = tokio::join!(
                    a.post("/api/c/draw", &body, device.as_deref(), &ip),
                    b.post("/api/c/draw", &body, device.as_deref(), &ip)
                );
                let (r1, r2) = (r1?, r2?);
                if r1.status == 200 && r2.status == 200 && r1.body["draw_id"] != r2.body["draw_id"] {
                    stats.client_duplicates += 1;
                }
                r1
            } else {
                a.post("/api/c/draw", &body, device.as_deref(), &ip).await?
            };
            stats.draws.push(micros(t));
            if first.status != 200 {
                stats.count(first.status);
                continue;
            }
            if roll >= 90 {
                // A retry after a lost answer: the same key again must give the same draw.
                stats.retries += 1;
                let t = Instant::now();
                let again = a.post("/api/c/draw", &body, device.as_deref(), &ip).await?;
                stats.draws.push(micros(t));
                if again.status != 200 || again.body["draw_id"] != first.body["draw_id"] || again.body["replayed"] != json!(true) {
                    stats.client_duplicates += 1;
                }
            }
            let wins = first.body["wins"].as_array().cloned().unwrap_or_default();
            if !wins.is_empty() {
                stats.won += 1;
            }
            for w in wins {
                if w["kind"] == "Thanks" || w["status"] != "Unclaimed" {
                    continue;
                }
                let addr_field = if w["kind"] == "Goods" { address.clone() } else { Value::Null };
                let t = Instant::now();
                let r = a
                    .post(
                        "/api/c/claim",
                        &json!({ "win_id": w["win_id"], "claim_key": key(), "address": addr_field }),
                        device.as_deref(),
                        &ip,
                    )
                    .await?;
                stats.claims.push(micros(t));
                if r.status != 200 {
                    stats.count(r.status);
                }
            }
        }
    }
    Ok(stats)
}

// A minimal HTTP/1.1 client ------------------------------------------------------------------

/// One keep-alive connection to the bench server.
struct Http {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

struct Reply {
    status: u16,
    body: Value,
    /// A device id the server minted (response header `X-Tessera-Device`).
    device: Option<String>,
}

impl Http {
    async fn connect(addr: SocketAddr) -> anyhow::Result<Http> {
        let mut h = Http { addr, conn: None };
        h.open().await?;
        Ok(h)
    }

    async fn open(&mut self) -> anyhow::Result<&mut BufReader<TcpStream>> {
        let stream = TcpStream::connect(self.addr).await?;
        stream.set_nodelay(true)?;
        Ok(self.conn.insert(BufReader::new(stream)))
    }

    /// POSTs JSON; a connection the server closed is reopened once (every call of the bench is
    /// idempotent by its key, so sending it again is safe).
    async fn post(&mut self, path: &str, body: &Value, device: Option<&str>, ip: &str) -> anyhow::Result<Reply> {
        let body = body.to_string();
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json\r\n\
             X-Forwarded-For: {ip}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(d) = device {
            head.push_str(&format!("X-Tessera-Device: {d}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        for attempt in 0..2 {
            let conn = match self.conn.as_mut() {
                Some(c) => c,
                None => self.open().await?,
            };
            let sent = conn.get_mut().write_all(head.as_bytes()).await;
            let reply = match sent {
                Ok(()) => read_reply(conn).await,
                Err(e) => Err(e.into()),
            };
            match reply {
                Ok((reply, keep)) => {
                    if !keep {
                        self.conn = None;
                    }
                    return Ok(reply);
                }
                Err(e) if attempt == 0 => {
                    tracing::debug!(error = %e, "bench connection reopened");
                    self.conn = None;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}

/// Reads one response: status line, headers, a Content-Length or chunked body. Returns the
/// reply and whether the connection stays open.
async fn read_reply(conn: &mut BufReader<TcpStream>) -> anyhow::Result<(Reply, bool)> {
    use tokio::io::AsyncBufReadExt;
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("bad status line")?;
    let (mut length, mut chunked, mut keep, mut device) = (None, false, true, None);
    loop {
        line.clear();
        if conn.read_line(&mut line).await? == 0 {
            bail!("connection closed in the headers");
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else { continue };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => keep = !value.eq_ignore_ascii_case("close"),
            "x-tessera-device" => device = Some(value.to_string()),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16).context("bad chunk size")?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                loop {
                    line.clear();
                    if conn.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..]).await?;
            let mut crlf = [0u8; 2];
            conn.read_exact(&mut crlf).await?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        conn.read_exact(&mut body).await?;
    } else {
        conn.read_to_end(&mut body).await?;
        keep = false;
    }
    let body = if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    Ok((Reply { status, body, device }, keep))
}

// The exactness report -----------------------------------------------------------------------

/// Prints awarded vs stock per prize and every cap's violations, computed from the database;
/// returns the number of violations.
async fn exactness(db: &Db, s: &Seeded) -> anyhow::Result<u64> {
    let sys = &db.system;
    let c = s.campaign_id;
    let mut violations = 0u64;
    println!();
    println!("prize                 stock  awarded  wins   claimed");
    let prizes: Vec<(i16, String, Option<i32>, i32, i64, i64)> = sqlx::query_as(
        "SELECT p.key, p.name, p.quantity, p.awarded,
                (SELECT count(*) FROM draw_wins w WHERE w.prize_id = p.id),
                (SELECT count(*) FROM draw_wins w WHERE w.prize_id = p.id AND w.status = 'claimed')
           FROM campaign_prizes p WHERE p.campaign_id = $1 ORDER BY p.key",
    )
    .bind(c)
    .fetch_all(sys)
    .await?;
    for (key, name, quantity, awarded, wins, claimed) in prizes {
        let over = quantity.is_some_and(|q| wins > i64::from(q));
        let drift = quantity.is_some() && i64::from(awarded) != wins;
        let flag = if over || drift { "  VIOLATION" } else { "" };
        violations += u64::from(over) + u64::from(drift);
        let stock = quantity.map_or("-".to_string(), |q| q.to_string());
        println!("{key} {name:<18} {stock:>6} {awarded:>8} {wins:>5} {claimed:>9}{flag}");
    }
    let st = &s.input.settings;
    let opt = |n: Option<u32>| n.map(|n| n as i32);
    const DAY: &str = "(won_at AT TIME ZONE 'Asia/Shanghai')::date";
    // User win limits count drawn prizes: an over-limit prize is what a consumer past a limit
    // gets instead, so it is not counted against them (draw_wins.over_limit says why it replaced).
    let checks: Vec<(&str, String, Option<i32>)> = vec![
        (
            "prize daily cap",
            format!(
                "SELECT count(*) FROM (SELECT prize_id, {DAY}, count(*) n FROM draw_wins WHERE campaign_id = $1 GROUP BY 1, 2) x
                   JOIN campaign_prizes p ON p.id = x.prize_id WHERE x.n > p.daily_cap"
            ),
            None,
        ),
        (
            "prize per-person cap",
            "SELECT count(*) FROM (SELECT prize_id, consumer_id, count(*) n FROM draw_wins WHERE campaign_id = $1 GROUP BY 1, 2) x
               JOIN campaign_prizes p ON p.id = x.prize_id WHERE x.n > p.per_person_cap"
                .into(),
            None,
        ),
        (
            "prize per-person daily cap",
            format!(
                "SELECT count(*) FROM (SELECT prize_id, consumer_id, {DAY}, count(*) n FROM draw_wins WHERE campaign_id = $1 GROUP BY 1, 2, 3) x
                   JOIN campaign_prizes p ON p.id = x.prize_id WHERE x.n > p.per_person_daily_cap"
            ),
            None,
        ),
        (
            "user draws per campaign",
            "SELECT count(*) FROM (SELECT consumer_id FROM draws WHERE campaign_id = $1 GROUP BY 1 HAVING count(*) > $2) x".into(),
            opt(st.user_draws.per_campaign),
        ),
        (
            "user draws per day",
            "SELECT count(*) FROM (SELECT consumer_id FROM draws WHERE campaign_id = $1
                GROUP BY consumer_id, (drawn_at AT TIME ZONE 'Asia/Shanghai')::date HAVING count(*) > $2) x"
                .into(),
            opt(st.user_draws.per_day),
        ),
        (
            "user wins per campaign",
            "SELECT count(*) FROM (SELECT w.consumer_id FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id
                WHERE w.campaign_id = $1 AND p.kind <> 'thanks' AND w.over_limit IS NULL GROUP BY 1 HAVING count(*) > $2) x"
                .into(),
            opt(st.user_wins.per_campaign),
        ),
        (
            "user wins per day",
                "SELECT count(*) FROM (SELECT w.consumer_id FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id
                    WHERE w.campaign_id = $1 AND p.kind <> 'thanks' AND w.over_limit IS NULL GROUP BY 1, (w.won_at AT TIME ZONE 'Asia/Shanghai')::date HAVING count(*) > $2) x"
                .into(),
            opt(st.user_wins.per_day),
        ),
        (
            "code draws per campaign",
            "SELECT count(*) FROM (SELECT package_id, serial FROM draws WHERE campaign_id = $1 GROUP BY 1, 2 HAVING count(*) > $2) x"
                .into(),
            opt(st.code_draws.per_campaign),
        ),
        (
            "scans per code",
            "SELECT count(*) FROM (SELECT package_id, serial FROM scans WHERE campaign_id = $1 GROUP BY 1, 2 HAVING count(*) > $2) x"
                .into(),
            opt(st.scans_per_code),
        ),
        (
            "draws per scan > 1",
            "SELECT count(*) FROM (SELECT scan_id FROM draws WHERE campaign_id = $1 GROUP BY 1 HAVING count(*) > 1) x".into(),
            None,
        ),
        (
            "draws per idempotency key > 1",
            "SELECT count(*) FROM (SELECT consumer_id, idempotency_key FROM draws WHERE campaign_id = $1
                GROUP BY 1, 2 HAVING count(*) > 1) x"
                .into(),
            None,
        ),
        (
            "points credited twice",
            "SELECT count(*) FROM (SELECT l.win_id FROM points_ledger l JOIN draw_wins w ON w.id = l.win_id
                WHERE w.campaign_id = $1 GROUP BY 1 HAVING count(*) > 1) x"
                .into(),
            None,
        ),
        (
            "claimed points not credited",
            "SELECT count(*) FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id
              WHERE w.campaign_id = $1 AND p.kind = 'points' AND p.points > 0 AND w.status = 'claimed'
                AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.win_id = w.id)"
                .into(),
            None,
        ),
    ];
    println!();
    for (name, sql, limit) in checks {
        let n: i64 = sqlx::query_scalar(&sql).bind(c).bind(limit).fetch_one(sys).await.with_context(|| name.to_string())?;
        violations += n.max(0) as u64;
        println!("{name:<32} {n}{}", if n > 0 { "  VIOLATION" } else { "" });
    }
    let (draws, wins): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM draws WHERE campaign_id = $1), (SELECT count(*) FROM draw_wins WHERE campaign_id = $1)",
    )
    .bind(c)
    .fetch_one(sys)
    .await?;
    println!("draws recorded {draws}, prizes won {wins}, enterprise {}", s.enterprise_id);
    Ok(violations)
}

// pgbench ------------------------------------------------------------------------------------

fn pgbench_binary() -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("pgbench"))
        .find(|p| p.is_file());
    on_path.or_else(|| {
        let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin/pgbench"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

/// TPC-B on a scratch database of the same server: `pgbench -i -s 16`, then
/// `-c 16 -j 2 -T seconds`. `None` when pgbench is not installed.
async fn pgbench(server: &Scratch, seconds: u32) -> anyhow::Result<Option<f64>> {
    let Some(bin) = pgbench_binary() else { return Ok(None) };
    let name = format!("tessera_pgbench_{:08x}", rand::random::<u32>());
    let admin = server.url.as_ref().map_or_else(|| server.options.clone(), |(admin, _, _)| admin.clone());
    let mut conn = sqlx::ConnectOptions::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    let target: Vec<String> = match (&server.url, &server.embedded) {
        (Some((_, url, _)), _) => vec![with_database(url, &name)],
        (None, Some((_, _, socket, port))) => {
            vec!["-h".into(), socket.display().to_string(), "-p".into(), port.to_string(), "-U".into(), "postgres".into(), name.clone()]
        }
        (None, None) => bail!("no database server"),
    };
    let run = |args: Vec<String>| {
        let bin = bin.clone();
        async move {
            let out = tokio::process::Command::new(&bin).args(&args).output().await?;
            if !out.status.success() {
                bail!("pgbench {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
            }
            Ok::<String, anyhow::Error>(String::from_utf8_lossy(&out.stdout).into_owned())
        }
    };
    let result = async {
        run([vec!["-i".into(), "-s".into(), "16".into(), "-q".into()], target.clone()].concat()).await?;
        let args = [vec!["-c".into(), "16".into(), "-j".into(), "2".into(), "-T".into(), seconds.to_string()], target.clone()].concat();
        let out = run(args).await?;
        out.lines()
            .find_map(|l| l.trim().strip_prefix("tps = "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|t| t.parse::<f64>().ok())
            .context("no tps in pgbench's output")
    }
    .await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    result.map(Some)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
