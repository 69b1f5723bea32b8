//! `tessera seed --consumers N --scans M`: a synthetic enterprise for benchmarks and demos —
//! consumers with skewed profiles and activity, a year of scans, draws and wins of one ended
//! campaign — loaded with COPY so that a million consumers and twenty million scans take
//! minutes.
//!
//! How it stays fast:
//! * everything random is planned in memory first (a seeded [`StdRng`]: the same arguments give
//!   the same data), scans sorted by time so their ids grow with it as in real life;
//! * rows are formatted as COPY text on a blocking thread while the async side streams the
//!   chunks to PostgreSQL (the two overlap on two cores);
//! * inside ONE transaction the loaded tables' foreign keys, plain indexes and unique
//!   constraints that nothing references are dropped, and recreated after the load from the
//!   definitions PostgreSQL itself printed (`pg_get_constraintdef`, `pg_get_indexdef`), so
//!   they come back exactly as the migrations made them, and a failure rolls all of it back.
//!   Index builds and one validating join per foreign key beat per-row maintenance and
//!   per-row RI triggers by far. The tables are locked meanwhile (the seed is not meant to
//!   run beside live traffic).
//!
//! Not generated: the points ledger (consumers get a points balance directly), per-code scan
//! statistics (`code_scan_stats`) and cap counters (the campaign has ended).

use super::db::{Db, Tx};
use crate::domain::basic_data::PROVINCES;
use crate::domain::campaign::{
    Basic, CampaignInput, CampaignKind, CampaignStatus, ClaimExpiry, CouponSetup, CouponSource, CouponValidity, Cycle, Delivery,
    GroupEntry, Page, Plan as DrawPlan, Prize, PrizeGroup, PrizeKind, Settings,
};
use crate::domain::consumers::{Education, Gender, Interest, Marital};
use crate::domain::geo::CITIES;
use anyhow::{ensure, Context};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::Instant;

/// The enterprise `--consumers` seeds unless `--enterprise` names another.
pub const BENCH_ENTERPRISE: &str = "Tessera Bench 基准企业";
/// The bench enterprise's administrator (password: the demo's).
pub const BENCH_ADMIN_NAME: &str = "基准管理员";
pub const MAX_CONSUMERS: u32 = 50_000_000;
pub const MAX_SCANS: u64 = 200_000_000;

/// The seed of every random choice.
const RNG_SEED: u64 = 0x7e55_e7a5_eed5_2026;
/// Bytes per COPY message.
const CHUNK: usize = 4 << 20;
/// The tables loaded with COPY (their constraints and indexes are deferred).
const BULK_TABLES: [&str; 5] = ["consumers", "consumer_devices", "scans", "draws", "draw_wins"];
/// Scans reach back this far; consumers were first seen up to twice as long ago.
const SCAN_DAYS: i64 = 365;
const SEEN_DAYS: i64 = 730;
const DAY: i64 = 86_400;
/// China's offset from UTC (days and hours of activity are Beijing time).
const CN: i64 = 8 * 3600;
/// Scans per hour of the day (Beijing time), relative: quiet nights, busy meal times.
const HOURS: [u32; 24] = [1, 1, 1, 1, 1, 1, 2, 4, 5, 6, 7, 9, 8, 6, 5, 5, 6, 7, 10, 11, 10, 7, 4, 2];
/// Share of scans of an already-scanned code (they draw nothing), and of first scans that draw.
const RESCAN: f64 = 0.03;
const DRAW: f64 = 0.41;

/// Weights of `basic_data::PROVINCES` (same order): 2020 census population in 100,000s, the
/// five richest coastal provinces ×1.5 since a brand's scans follow spending.
const PROVINCE_WEIGHTS: [u32; 34] = [
    328, 139, 746, 349, 240, 426, 241, 319, 373, 1270, 969, 610, 415, 452, 1015, 994, 578, 664, 1890, 501, 101, 321, 837, 386, 472, 36,
    395, 250, 59, 72, 259, 10, 20, 5,
];

/// (brand index, name, specification, unit price in fen): cheap staples first, as they sell
/// most (popularity falls with the rank).
const PRODUCTS: [(usize, &str, &str, i64); 30] = [
    (1, "禾丰特级生抽", "500ml/瓶", 1290),
    (0, "云岭山泉水", "550ml×24瓶", 3600),
    (1, "禾丰香醋", "420ml/瓶", 890),
    (0, "云岭纯牛奶", "250ml×24盒", 6800),
    (1, "禾丰蚝油", "700g/瓶", 1580),
    (0, "云岭苏打水", "350ml×15瓶", 4500),
    (1, "禾丰鸡精", "454g/袋", 1890),
    (0, "云岭家庭装饮用水", "4L×4桶", 3200),
    (1, "禾丰挂面", "1kg×3袋", 2490),
    (0, "云岭酸奶", "200g×12瓶", 5600),
    (1, "禾丰火锅底料", "400g/袋", 2590),
    (0, "云岭白桃气泡水", "480ml×15瓶", 5900),
    (1, "禾丰牛肉酱", "230g/瓶", 1590),
    (0, "云岭冷泡乌龙茶", "500ml×15瓶", 6900),
    (1, "禾丰速冻水饺", "1kg/袋", 3290),
    (0, "云岭鲜橙汁", "1L×6瓶", 7900),
    (1, "禾丰五常大米", "5kg/袋", 6990),
    (0, "云岭美式咖啡", "280ml×15瓶", 8900),
    (1, "禾丰花生油", "5L/桶", 12900),
    (0, "云岭能量饮料", "250ml×24罐", 9600),
    (2, "悦享枸杞", "500g/罐", 6800),
    (2, "悦享蜂蜜", "500g/瓶", 8800),
    (2, "悦享巧克力礼盒", "300g/盒", 12800),
    (2, "悦享坚果礼盒", "1.2kg/盒", 16800),
    (2, "悦享红茶", "250g/罐", 19800),
    (2, "悦享月饼礼盒", "8枚/盒", 26800),
    (2, "悦享燕窝饮品", "6瓶/礼盒", 29800),
    (2, "悦享红酒", "750ml/瓶", 36800),
    (2, "悦享白酒", "500ml/瓶", 45800),
    (2, "悦享阿胶糕", "500g/盒", 49800),
];
const BRANDS: [(&str, &str); 3] = [("云岭", "饮品"), ("禾丰", "调味品与粮油"), ("悦享", "礼品与滋补")];

/// The campaign's prizes: (key, kind, probability in ppm, claim window in days).
const PRIZES: [(u16, PrizeKind, u32, u32); 4] = [
    (1, PrizeKind::Points, 100_000, 30),
    (2, PrizeKind::Coupon, 30_000, 7),
    (3, PrizeKind::Goods, 5_000, 7),
    (4, PrizeKind::Cash, 15_000, 3),
];

const SURNAMES: [&str; 20] =
    ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "秀英", "晓东", "建国", "婷", "浩然",
    "子涵", "欣怡", "宇轩",
];
const TAGS: [&str; 4] = ["高价值", "新品尝鲜", "公众号粉丝", "门店会员"];
/// Plausible first octets of Chinese mobile networks' addresses.
const IP_FIRST: [u8; 12] = [36, 39, 42, 58, 101, 112, 113, 117, 120, 183, 221, 223];

/// What to seed.
pub struct BulkOptions {
    pub enterprise: String,
    pub consumers: u32,
    pub scans: u64,
}

/// A synthetic consumer, as planned.
struct Consumer {
    gender: Option<Gender>,
    birth_year: Option<u16>,
    /// Index into `geo::CITIES`.
    city: Option<u16>,
    marital: Option<Marital>,
    education: Option<Education>,
    /// Bit i: `Interest::ALL[i]`.
    interests: u16,
    tag: Option<u8>,
    /// Surname and given name indexes (named consumers have a mobile).
    name: Option<(u8, u8)>,
    mobile: bool,
    points: u16,
    risk: u8,
    hunter: bool,
    devices: Vec<[u8; 16]>,
    /// Index into [`PRODUCTS`]: half of the consumer's scans.
    favourite: u8,
    first_seen: i64,
    last_scan: Option<i64>,
}

/// A drawn scan, kept from the scan pass for the draw and win passes.
struct DrawSeed {
    scan: u32,
    serial: u32,
    random: u32,
    /// Index into `geo::CITIES`, plus one (0: unknown).
    city: u16,
    product: u8,
    /// Seconds from the scan to the draw.
    delay: u8,
}

/// Everything random, decided before the database is touched.
struct Plan {
    now: i64,
    consumers: Vec<Consumer>,
    /// Sorted scans, oldest first: `(now - time) inverted << 32 | consumer index`.
    scans: Vec<u64>,
    /// The shape of the activity, printed with the plan's timing.
    summary: String,
}

impl Plan {
    fn scan_time(&self, key: u64) -> i64 {
        self.now - i64::from(u32::MAX - (key >> 32) as u32)
    }
}

/// Ids of the rows the load refers to.
#[derive(Clone, Copy)]
struct Ids {
    enterprise: i64,
    campaign: i64,
    consumer: i64,
    scan: i64,
    draw: i64,
    win: i64,
}

/// Seeds a new synthetic enterprise and prints what each phase took. Refused if the enterprise
/// already has consumers (another `--enterprise` adds another one). Returns the administrator's
/// login.
pub async fn bulk(db: &Db, key_version: u8, o: &BulkOptions) -> anyhow::Result<String> {
    ensure!((1..=MAX_CONSUMERS).contains(&o.consumers), "--consumers must be 1 to {MAX_CONSUMERS}");
    ensure!(o.scans <= MAX_SCANS, "--scans must be at most {MAX_SCANS}");
    ensure!(!o.enterprise.trim().is_empty(), "--enterprise must not be empty");
    let seeded: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM enterprises e JOIN consumers c ON c.enterprise_id = e.id WHERE e.name = $1)")
            .bind(&o.enterprise)
            .fetch_one(&db.system)
            .await?;
    ensure!(!seeded, "enterprise {:?} already has consumers: give another --enterprise to add a second one", o.enterprise);
    let started = Instant::now();
    let mut clock = Clock { last: started };

    let login = format!("bench-{:08x}@tessera.example", fnv(o.enterprise.as_bytes()) as u32);
    let (e, admin) = super::seed::create_admin(db, &o.enterprise, BENCH_ADMIN_NAME, None, Some(&login), super::seed::DEMO_PASSWORD).await?;
    let plan = Arc::new(
        tokio::task::spawn_blocking({
            let (n, m) = (o.consumers, o.scans);
            move || plan(n, m)
        })
        .await?,
    );
    clock.phase("plan (in memory)", plan.scans.len() as u64);
    println!("    {}", plan.summary);

    let mut tx = db.system.begin().await?;
    // Index builds and foreign-key validation sort a lot; give them room (this transaction only).
    sqlx::query("SET LOCAL maintenance_work_mem = '1GB'").execute(&mut *tx).await?;
    sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *tx).await?;
    sqlx::query(&format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", BULK_TABLES.join(", "))).execute(&mut *tx).await?;
    let base = base_rows(&mut tx, e, admin, key_version, &plan).await?;
    let deferred = Deferred::drop_all(&mut tx).await?;
    let ids = Ids {
        enterprise: e,
        campaign: base.campaign,
        consumer: reserve(&mut tx, "consumers", plan.consumers.len() as u64).await?,
        scan: reserve(&mut tx, "scans", plan.scans.len() as u64).await?,
        draw: 0,
        win: 0,
    };
    clock.phase("setup (basic data, campaign, dropped indexes)", 0);

    let (_, n) = copy(
        &mut tx,
        "consumers (id, enterprise_id, mobile, name, gender, birth_year, province, city, marital, education, interests, tags, points,
                    risk_level, bonus_hunter, source, first_seen_at, last_scan_at)",
        {
            let plan = plan.clone();
            move |w| consumer_rows(w, &plan, ids)
        },
    )
    .await?;
    clock.phase("consumers", n);
    let (_, n) = copy(&mut tx, "consumer_devices (enterprise_id, device_id, consumer_id, created_at, last_seen_at)", {
        let plan = plan.clone();
        move |w| device_rows(w, &plan, ids)
    })
    .await?;
    clock.phase("consumer_devices", n);
    let ((draws, serials), n) = copy(
        &mut tx,
        "scans (id, enterprise_id, consumer_id, device_id, package_id, serial, product_id, campaign_id, verdict, province, city,
                region_source, ip, scanned_at)",
        {
            let (plan, products, packages) = (plan.clone(), base.products.clone(), base.packages.clone());
            move |w| scan_rows(w, &plan, ids, &products, &packages)
        },
    )
    .await?;
    clock.phase("scans", n);
    let draws = Arc::new(draws);
    let ids = Ids { draw: reserve(&mut tx, "draws", draws.len() as u64).await?, ..ids };
    let (_, n) = copy(
        &mut tx,
        "draws (id, enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial,
                product_id, province, city, drawn_at)",
        {
            let (plan, draws, products, packages) = (plan.clone(), draws.clone(), base.products.clone(), base.packages.clone());
            move |w| draw_rows(w, &plan, &draws, ids, &products, &packages)
        },
    )
    .await?;
    clock.phase("draws", n);
    let wins = draws.iter().filter(|d| prize_of(d.random).is_some()).count() as u64;
    let ids = Ids { win: reserve(&mut tx, "draw_wins", wins).await?, ..ids };
    let (awarded, n) = copy(
        &mut tx,
        "draw_wins (id, enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key, status, claim_deadline,
                    claimed_at, coupon_code, coupon_valid_to, redeemed_at, address, shipped_at, payout_exported_at, won_at)",
        {
            let (plan, draws, prizes) = (plan.clone(), draws.clone(), base.prizes);
            move |w| win_rows(w, &plan, &draws, ids, prizes)
        },
    )
    .await?;
    clock.phase("draw_wins", n);

    finish_base_rows(&mut tx, e, admin, &base, &serials, &awarded).await?;
    clock.phase("packages and prize counters", 0);
    deferred.recreate(&mut tx).await?;
    clock.phase("indexes and constraints recreated", 0);
    tx.commit().await?;
    clock.phase("commit", 0);
    for t in BULK_TABLES.iter().chain(&["campaign_prizes", "code_packages"]) {
        sqlx::query(&format!("ANALYZE {t}")).execute(&db.system).await?;
    }
    clock.phase("analyze", 0);
    println!(
        "total          {:>8.1} s for {} consumers, {} scans, {} draws, {wins} wins",
        started.elapsed().as_secs_f64(),
        o.consumers,
        o.scans,
        draws.len()
    );
    Ok(login)
}

/// Phase timings, printed as they end.
struct Clock {
    last: Instant,
}

impl Clock {
    fn phase(&mut self, name: &str, rows: u64) {
        let now = Instant::now();
        let took = now - std::mem::replace(&mut self.last, now);
        if rows > 0 {
            println!(
                "{name:<48} {:>8.1} s  {rows:>11} rows  {:>9.0} rows/s",
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64().max(1e-9)
            );
        } else {
            println!("{name:<48} {:>8.1} s", took.as_secs_f64());
        }
    }
}

/// FNV-1a: a stable hash of the enterprise name for its administrator's login.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

// ---------- the plan ----------

fn plan(consumers: u32, scans: u64) -> Plan {
    let mut rng = StdRng::seed_from_u64(RNG_SEED);
    let now = chrono::Utc::now().timestamp();
    let cities = city_weights();
    let products = product_weights();
    let interests = WeightedIndex::new([4, 6, 3, 5, 4, 5, 5, 10, 6, 4, 3, 3]).expect("weights");
    let hours = WeightedIndex::new(HOURS).expect("weights");

    // Activity: 1 + a Pareto(α = 1.2) share of the rest, capped, scaled to the total: many
    // consumers scan once to a few times, a few scan hundreds of times. With fewer scans than
    // consumers, the last consumers never scanned (imported).
    let n = consumers as usize;
    let active = scans.min(u64::from(consumers)) as usize;
    let weights: Vec<f64> = (0..active).map(|_| (rng.gen::<f64>().max(1e-12).powf(-1.0 / 1.2) - 1.0).min(400.0)).collect();
    let extra = scans - active as u64;
    let scale = if extra == 0 { 0.0 } else { extra as f64 / weights.iter().sum::<f64>() };
    let mut counts: Vec<u32> = weights.iter().map(|w| 1 + (w * scale) as u32).collect();
    counts.resize(n, 0);
    let mut left = scans - counts.iter().map(|&c| u64::from(c)).sum::<u64>();
    while left > 0 {
        counts[rng.gen_range(0..active)] += 1;
        left -= 1;
    }
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    let at = |q: usize| sorted[(n - 1) * q / 100];
    // Bonus hunters (≈1 %): mostly among the heaviest 5 % of scanners.
    let heavy = at(95).max(2);
    let mut summary = format!("scans per consumer: median {}, p90 {}, p99 {}, max {}", at(50), at(90), at(99), sorted[n - 1]);

    let today = (now + CN).div_euclid(DAY) * DAY - CN;
    let mut keys: Vec<u64> = Vec::with_capacity(scans as usize);
    let mut list = Vec::with_capacity(n);
    for (i, &count) in counts.iter().enumerate() {
        let gender = match rng.gen_range(0..100) {
            0..30 => None,
            30..66 => Some(Gender::Female),
            _ => Some(Gender::Male),
        };
        // Ages: a triangle over 1960–2008 peaking around 1984 (scanners are mostly adults).
        let birth_year = rng.gen_bool(0.85).then(|| 1960 + rng.gen_range(0..=24u16) + rng.gen_range(0..=24u16));
        let city = rng.gen_bool(0.92).then(|| cities.sample(&mut rng) as u16);
        let marital = rng.gen_bool(0.65).then(|| {
            let married = if birth_year.is_some_and(|y| y < 1992) { 0.82 } else { 0.35 };
            if rng.gen_bool(married) {
                Marital::Married
            } else {
                Marital::Single
            }
        });
        let education = rng.gen_bool(0.6).then(|| match rng.gen_range(0..100) {
            0..22 => Education::Secondary,
            22..48 => Education::College,
            48..86 => Education::Bachelor,
            86..97 => Education::Master,
            _ => Education::Doctorate,
        });
        let wanted = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4][rng.gen_range(0..20)];
        let mut interests_bits = 0u16;
        while interests_bits.count_ones() < wanted {
            interests_bits |= 1 << interests.sample(&mut rng);
        }
        let mobile = rng.gen_bool(0.45);
        let name = (mobile && rng.gen_bool(0.7)).then(|| (rng.gen_range(0..SURNAMES.len()) as u8, rng.gen_range(0..GIVEN.len()) as u8));
        let hunter = rng.gen_bool(if count >= heavy { 0.12 } else { 0.004 });
        let risk = match rng.gen_range(0..1000) {
            0..5 => 2,
            5..25 => 1,
            _ => u8::from(hunter),
        };
        // Points follow activity, with a long tail, at most 5000.
        let points = if count == 0 || rng.gen_bool(0.2) {
            0
        } else {
            (-rng.gen::<f64>().max(1e-9).ln() * 120.0 * (1.0 + f64::from(count).ln())).min(5000.0) as u16
        };
        let devices = (0..if rng.gen_bool(0.15) { 2 } else { 1 }).map(|_| rng.gen::<[u8; 16]>()).collect();
        let first_seen = now - rng.gen_range(3600..SEEN_DAYS * DAY);
        // Scans over the last year after the first visit, more of them recently, in daytime.
        let window = ((now - first_seen) / DAY).min(SCAN_DAYS) as f64;
        let mut last_scan = None;
        for _ in 0..count {
            let day = (window * rng.gen::<f64>().powf(1.6)) as i64;
            let mut t = today - day * DAY + hours.sample(&mut rng) as i64 * 3600 + rng.gen_range(0..3600);
            if t > now - 30 {
                t -= DAY;
            }
            if t < first_seen {
                t = first_seen + rng.gen_range(0..(now - first_seen).min(3600));
            }
            let ago = (now - t) as u32;
            keys.push(u64::from(u32::MAX - ago) << 32 | i as u64);
            last_scan = Some(last_scan.unwrap_or(t).max(t));
        }
        list.push(Consumer {
            gender,
            birth_year,
            city,
            marital,
            education,
            interests: interests_bits,
            tag: rng.gen_bool(0.08).then(|| rng.gen_range(0..TAGS.len()) as u8),
            name,
            mobile,
            points,
            risk,
            hunter,
            devices,
            favourite: products.sample(&mut rng) as u8,
            first_seen,
            last_scan,
        });
    }
    keys.sort_unstable();
    let hunters = list.iter().filter(|c| c.hunter).count();
    summary.push_str(&format!("; bonus hunters {hunters} ({:.2} %)", hunters as f64 * 100.0 / n as f64));
    Plan { now, consumers: list, scans: keys, summary }
}

/// Weights of `geo::CITIES`: the province's weight shared by its listed cities, the capital (listed
/// first) counting double.
fn city_weights() -> WeightedIndex<f64> {
    let mut weights = Vec::with_capacity(CITIES.len());
    for (i, (province, ..)) in CITIES.iter().enumerate() {
        let p = PROVINCES.iter().position(|x| x == province).expect("geo provinces are basic_data provinces");
        let listed = CITIES.iter().filter(|c| c.0 == *province).count() as f64;
        let capital = i == 0 || CITIES[i - 1].0 != *province;
        weights.push(f64::from(PROVINCE_WEIGHTS[p]) * if capital { 2.0 } else { 1.0 } / (listed + 1.0));
    }
    WeightedIndex::new(weights).expect("weights")
}

/// Popularity of [`PRODUCTS`] by rank (Zipf-like).
fn product_weights() -> WeightedIndex<f64> {
    WeightedIndex::new((0..PRODUCTS.len()).map(|r| 1.0 / (r as f64 + 1.0).powf(0.9))).expect("weights")
}

/// The prize key a draw's random value in [0, 1 000 000) wins, if any (the default plan's one
/// group, entries in order).
fn prize_of(random: u32) -> Option<usize> {
    let mut upto = 0;
    PRIZES.iter().position(|p| {
        upto += p.2;
        random < upto
    })
}

// ---------- rows around the load ----------

/// Rows inserted before the load, whose ids the loaded rows carry.
struct BaseRows {
    campaign: i64,
    /// Product ids and package ids, by index in [`PRODUCTS`].
    products: Arc<Vec<i64>>,
    packages: Arc<Vec<i64>>,
    brands: Vec<i64>,
    /// Prize ids by index in [`PRIZES`].
    prizes: [i64; 4],
    factory: i64,
}

async fn base_rows(tx: &mut Tx, e: i64, admin: i64, key_version: u8, plan: &Plan) -> anyhow::Result<BaseRows> {
    let mut brands = vec![];
    for (name, remark) in BRANDS {
        brands.push(
            sqlx::query_scalar("INSERT INTO brands (enterprise_id, name, remark) VALUES ($1, $2, $3) RETURNING id")
                .bind(e)
                .bind(name)
                .bind(remark)
                .fetch_one(&mut **tx)
                .await?,
        );
    }
    let mut products = vec![];
    for (i, (brand, name, spec, price)) in PRODUCTS.iter().enumerate() {
        let first12 = format!("69345678{:04}", 1001 + i);
        let barcode = format!("{first12}{}", crate::domain::validate::ean13_check_digit(&first12).context("12 digits")?);
        products.push(
            sqlx::query_scalar(
                "INSERT INTO products (enterprise_id, brand_id, name, barcode, specification, unit_price)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(e)
            .bind(brands[*brand])
            .bind(name)
            .bind(barcode)
            .bind(spec)
            .bind(price)
            .fetch_one(&mut **tx)
            .await?,
        );
    }
    let region: i64 = sqlx::query_scalar("INSERT INTO regions (enterprise_id, name, provinces) VALUES ($1, '全国', '{}') RETURNING id")
        .bind(e)
        .fetch_one(&mut **tx)
        .await?;
    let mut factories = vec![];
    for (name, code) in [("基准包材厂", "PK01"), ("基准生产基地", "MF01")] {
        factories.push(
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO factories (enterprise_id, region_id, name, code) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(e)
            .bind(region)
            .bind(name)
            .bind(code)
            .fetch_one(&mut **tx)
            .await?,
        );
    }
    let spec: i64 = sqlx::query_scalar(
        "INSERT INTO code_specs (enterprise_id, name, file_fields, file_format, pin_digits, created_by)
         VALUES ($1, '基准瓶盖码', ARRAY['serial','code','url'], 'csv', 0, $2) RETURNING id",
    )
    .bind(e)
    .bind(admin)
    .fetch_one(&mut **tx)
    .await?;
    // One package per product, sent a year ago; its size is known after the scans (below).
    let mut packages = vec![];
    for (i, (_, name, ..)) in PRODUCTS.iter().enumerate() {
        packages.push(
            sqlx::query_scalar(
                "INSERT INTO code_packages (enterprise_id, spec_id, name, purpose, code_count, file_count, factory_id, product_id,
                                            status, applied_by, applied_at, reviewed_by, reviewed_at, key_version, key_salt,
                                            generated_at, sent_at, sent_by)
                 VALUES ($1, $2, $3, 'production', 1, 1, $4, $5, 'sent', $6, $7, $6, $7, $8, $9, $7, $7, $6) RETURNING id",
            )
            .bind(e)
            .bind(spec)
            .bind(format!("{name} 一物一码"))
            .bind(factories[0])
            .bind(products[i])
            .bind(admin)
            .bind(chrono::DateTime::from_timestamp(plan.now - (SCAN_DAYS + 10) * DAY, 0))
            .bind(i16::from(key_version))
            .bind(super::code_keys::CodeKeys::new_salt())
            .fetch_one(&mut **tx)
            .await?,
        );
    }
    let input = campaign_input(spec, plan);
    input.validate_all().map_err(|errors| anyhow::anyhow!("the bench campaign is invalid: {errors:?}"))?;
    let campaign = super::repo::campaigns::insert(tx, e, Some(admin), &input, CampaignStatus::Ended, 5)
        .await
        .map_err(|err| anyhow::anyhow!("creating the bench campaign: {err:?}"))?;
    let mut prizes = [0; 4];
    for (i, p) in PRIZES.iter().enumerate() {
        prizes[i] = sqlx::query_scalar("SELECT id FROM campaign_prizes WHERE campaign_id = $1 AND key = $2")
            .bind(campaign)
            .bind(p.0 as i16)
            .fetch_one(&mut **tx)
            .await?;
    }
    Ok(BaseRows { campaign, products: Arc::new(products), packages: Arc::new(packages), brands, prizes, factory: factories[1] })
}

/// The ended campaign every scan belongs to: a year-long nine-grid with [`PRIZES`], built from
/// the domain's structs like the wizard's (stocks sized to the expected wins).
fn campaign_input(spec: i64, plan: &Plan) -> CampaignInput {
    let draws = plan.scans.len() as f64 * (1.0 - RESCAN) * DRAW;
    let stock = |ppm: u32| ((draws * f64::from(ppm) / 1e6 * 1.3) as u32 + 100).min(10_000_000);
    let prize = |i: usize, name: &str| {
        let (key, kind, ppm, days) = PRIZES[i];
        let quantity = stock(ppm);
        Prize {
            key,
            name: name.into(),
            kind,
            quantity: Some(quantity),
            warning_value: Some(quantity / 100),
            claim_expiry: ClaimExpiry::Days(days),
            ..Prize::default()
        }
    };
    let at = |t: i64| chrono::DateTime::from_timestamp(t, 0);
    CampaignInput {
        basic: Basic {
            kind: CampaignKind::NineGrid,
            name: "年度扫码有礼".into(),
            starts_at: at(plan.now - (SCAN_DAYS + 1) * DAY),
            ends_at: at(plan.now),
            cycle: Cycle::Unlimited,
            description: "扫描瓶盖内二维码参与九宫格抽奖，赢积分、优惠券、保温杯和现金红包。".into(),
        },
        settings: Settings { spec_ids: vec![spec], ..Settings::default() },
        prizes: vec![
            Prize { points: 10, value_fen: 10, ..prize(0, "10 积分") },
            Prize {
                value_fen: 1_000,
                coupon: Some(CouponSetup { source: CouponSource::Generate, validity: CouponValidity::Days(30) }),
                ..prize(1, "满50减10优惠券")
            },
            Prize { value_fen: 3_900, ..prize(2, "品牌保温杯") },
            Prize { value_fen: 200, ..prize(3, "现金红包 ¥2") },
            Prize { key: 5, name: "谢谢参与".into(), kind: PrizeKind::Thanks, ..Prize::default() },
        ],
        delivery: Delivery {
            default_plan: DrawPlan {
                key: 0,
                name: "默认方案".into(),
                groups: vec![PrizeGroup {
                    entries: PRIZES.iter().map(|p| GroupEntry { prize: p.0, probability_ppm: p.2, ..GroupEntry::default() }).collect(),
                }],
                ..DrawPlan::default()
            },
            precision: vec![],
        },
        page: Page { title: "年度扫码有礼".into(), ..Page::default() },
    }
}

/// After the load: each package's size (its highest serial, plus unsold codes), its batch and
/// its activated range; each prize's awarded count.
async fn finish_base_rows(tx: &mut Tx, e: i64, admin: i64, base: &BaseRows, serials: &[u32], awarded: &[i32; 4]) -> anyhow::Result<()> {
    let long_ago = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() - (SCAN_DAYS + 8) * DAY, 0);
    for (i, (&package, &used)) in base.packages.iter().zip(serials).enumerate() {
        let count = (used + used / 10 + 1000).min(crate::domain::codes::MAX_CODES_PER_PACKAGE) as i32;
        sqlx::query("UPDATE code_packages SET code_count = $2 WHERE id = $1").bind(package).bind(count).execute(&mut **tx).await?;
        sqlx::query(
            "INSERT INTO code_batches (enterprise_id, package_id, batch_no, serial_start, serial_end, file_name, generated_at)
             VALUES ($1, $2, 1, 1, $3, $4, $5)",
        )
        .bind(e)
        .bind(package)
        .bind(count)
        .bind(crate::domain::code_packages::batch_file_name(package, 1))
        .bind(long_ago)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, brand_id, factory_id,
                                      produced_at, status, activated_at, activated_by, entered_at, entered_by)
             VALUES ($1, $2, 1, 1, $3, $4, $5, $6, $7, 'active', $7, $8, $7, $8)",
        )
        .bind(e)
        .bind(package)
        .bind(count)
        .bind(base.products[i])
        .bind(base.brands[PRODUCTS[i].0])
        .bind(base.factory)
        .bind(long_ago)
        .bind(admin)
        .execute(&mut **tx)
        .await?;
    }
    for (prize, n) in base.prizes.iter().zip(awarded) {
        sqlx::query("UPDATE campaign_prizes SET awarded = $2, quantity = greatest(quantity, $2) WHERE id = $1")
            .bind(prize)
            .bind(n)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Reserves `n` ids of `table`'s identity sequence (COPY gives them explicitly; the tables are
/// locked, so nothing else draws from the sequence meanwhile). Returns the first.
async fn reserve(tx: &mut Tx, table: &str, n: u64) -> anyhow::Result<i64> {
    let first: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence($1, 'id'))").bind(table).fetch_one(&mut **tx).await?;
    if n > 1 {
        sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)")
            .bind(table)
            .bind(first + n as i64 - 1)
            .execute(&mut **tx)
            .await?;
    }
    Ok(first)
}

/// The loaded tables' foreign keys, plain indexes and unreferenced unique constraints, as
/// PostgreSQL prints their definitions, dropped for the load and recreated after it.
struct Deferred {
    /// Recreation statements, in order: unique constraints, indexes, foreign keys.
    create: Vec<String>,
}

impl Deferred {
    async fn drop_all(tx: &mut Tx) -> anyhow::Result<Deferred> {
        let tables: Vec<String> = BULK_TABLES.iter().map(|t| t.to_string()).collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT 'ALTER TABLE ' || c.conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(c.conname),
                    'ALTER TABLE ' || c.conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' '
                        || pg_get_constraintdef(c.oid),
                    c.contype::text
               FROM pg_constraint c
              WHERE c.conrelid = ANY($1::text[]::regclass[])
                AND (c.contype = 'f'
                     OR (c.contype = 'u' AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid)))
             UNION ALL
             SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid), 'i'
               FROM pg_index i
              WHERE i.indrelid = ANY($1::text[]::regclass[])
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
        )
        .bind(&tables)
        .fetch_all(&mut **tx)
        .await?;
        // Foreign keys go first (a unique constraint may back one), come back last.
        let order = |kind: &str| match kind {
            "f" => 0,
            "u" => 1,
            _ => 2,
        };
        let mut rows = rows;
        rows.sort_by_key(|r| order(&r.2));
        for (drop, ..) in &rows {
            sqlx::query(drop).execute(&mut **tx).await.with_context(|| drop.clone())?;
        }
        Ok(Deferred { create: rows.into_iter().rev().map(|r| r.1).collect() })
    }

    async fn recreate(self, tx: &mut Tx) -> anyhow::Result<()> {
        for sql in &self.create {
            let started = Instant::now();
            sqlx::query(sql).execute(&mut **tx).await.with_context(|| sql.clone())?;
            println!("    {:>6.1} s  {}", started.elapsed().as_secs_f64(), sql.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        Ok(())
    }
}

// ---------- COPY ----------

/// The consumer of a COPY hung up (its error is reported by the COPY side).
#[derive(Debug)]
struct Closed;

/// COPY text rows into chunks for the COPY side; fields are tab-separated, `\N` is NULL.
struct Rows {
    buf: Vec<u8>,
    out: tokio::sync::mpsc::Sender<Vec<u8>>,
    first: bool,
    rows: u64,
    /// The day (seconds since the epoch / 86400) whose "YYYY-MM-DD " is in `date`.
    day: i64,
    date: String,
}

impl Rows {
    fn sep(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.buf.push(b'\t');
        }
    }

    fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        if n < 0 {
            self.buf.push(b'-');
        }
        let (mut n, mut digits, mut i) = (n.unsigned_abs(), [0u8; 20], 20);
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
        self
    }

    /// Text with COPY's escapes (backslash, tab, newline, carriage return).
    fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for b in s.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b => self.buf.push(b),
            }
        }
        self
    }

    fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    /// 32 lowercase hex digits.
    fn hex(&mut self, bytes: &[u8; 16]) -> &mut Self {
        self.sep();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in bytes {
            self.buf.push(HEX[usize::from(b >> 4)]);
            self.buf.push(HEX[usize::from(b & 15)]);
        }
        self
    }

    /// A UTC timestamp from seconds since the epoch (the date formatted once per day).
    fn time(&mut self, t: i64) -> &mut Self {
        self.sep();
        let day = t.div_euclid(DAY);
        if day != self.day || self.date.is_empty() {
            self.day = day;
            self.date = chrono::DateTime::from_timestamp(day * DAY, 0).unwrap_or_default().format("%Y-%m-%d ").to_string();
        }
        self.buf.extend_from_slice(self.date.as_bytes());
        let s = t.rem_euclid(DAY);
        for (i, v) in [s / 3600, s / 60 % 60, s % 60].into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b':');
            }
            self.buf.extend_from_slice(&[b'0' + (v / 10) as u8, b'0' + (v % 10) as u8]);
        }
        self.buf.extend_from_slice(b"+00");
        self
    }

    fn opt_time(&mut self, t: Option<i64>) -> &mut Self {
        match t {
            Some(t) => self.time(t),
            None => self.null(),
        }
    }

    fn end(&mut self) -> Result<(), Closed> {
        self.buf.push(b'\n');
        self.first = true;
        self.rows += 1;
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Closed> {
        if !self.buf.is_empty() {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 4096));
            self.out.blocking_send(full).map_err(|_| Closed)?;
        }
        Ok(())
    }
}

/// COPYs the rows `produce` writes (on a blocking thread, overlapping with the sending) into
/// `target` ("table (columns)"). Returns what `produce` returned and the number of rows.
async fn copy<R: Send + 'static>(
    tx: &mut Tx,
    target: &str,
    produce: impl FnOnce(&mut Rows) -> Result<R, Closed> + Send + 'static,
) -> anyhow::Result<(R, u64)> {
    let (out, mut chunks) = tokio::sync::mpsc::channel(4);
    let producer = tokio::task::spawn_blocking(move || {
        let mut w = Rows { buf: Vec::with_capacity(CHUNK + 4096), out, first: true, rows: 0, day: 0, date: String::new() };
        let r = produce(&mut w)?;
        w.flush()?;
        Ok::<_, Closed>((r, w.rows))
    });
    let mut copy = tx.copy_in_raw(&format!("COPY {target} FROM STDIN (FORMAT text)")).await?;
    while let Some(chunk) = chunks.recv().await {
        if let Err(err) = copy.send(chunk).await {
            drop(chunks);
            let _ = producer.await;
            return Err(anyhow::Error::from(err).context(format!("COPY {target}")));
        }
    }
    copy.finish().await.with_context(|| format!("COPY {target}"))?;
    producer.await?.map_err(|_| anyhow::anyhow!("COPY {target}: the row producer stopped"))
}

fn consumer_rows(w: &mut Rows, plan: &Plan, ids: Ids) -> Result<(), Closed> {
    let mut interests = String::new();
    for (i, c) in plan.consumers.iter().enumerate() {
        let id = ids.consumer + i as i64;
        w.int(id).int(ids.enterprise);
        if c.mobile {
            // 1[3-9] and nine digits, distinct per consumer (7919 is prime to 10⁹).
            let mobile = format!("1{}{:09}", 3 + id % 7, (i as u64 * 7919 + 12_345) % 1_000_000_000);
            w.text(&mobile);
        } else {
            w.null();
        }
        match c.name {
            Some((s, g)) => w.text(&format!("{}{}", SURNAMES[usize::from(s)], GIVEN[usize::from(g)])),
            None => w.text(""),
        };
        w.opt_text(c.gender.map(Gender::key));
        match c.birth_year {
            Some(y) => w.int(i64::from(y)),
            None => w.null(),
        };
        let city = c.city.map(|i| CITIES[usize::from(i)]);
        w.opt_text(city.map(|c| c.0)).opt_text(city.map(|c| c.1));
        w.opt_text(c.marital.map(Marital::key)).opt_text(c.education.map(Education::key));
        interests.clear();
        interests.push('{');
        for (k, interest) in Interest::ALL.iter().enumerate() {
            if c.interests & (1 << k) != 0 {
                if interests.len() > 1 {
                    interests.push(',');
                }
                interests.push_str(interest.key());
            }
        }
        interests.push('}');
        w.text(&interests);
        match c.tag {
            Some(t) => w.text(&format!("{{{}}}", TAGS[usize::from(t)])),
            None => w.text("{}"),
        };
        w.int(i64::from(c.points)).int(i64::from(c.risk)).text(if c.hunter { "t" } else { "f" });
        w.text(if c.last_scan.is_some() { "scan" } else { "import" });
        w.time(c.first_seen).opt_time(c.last_scan);
        w.end()?;
    }
    Ok(())
}

fn device_rows(w: &mut Rows, plan: &Plan, ids: Ids) -> Result<(), Closed> {
    for (i, c) in plan.consumers.iter().enumerate() {
        for d in &c.devices {
            w.int(ids.enterprise).hex(d).int(ids.consumer + i as i64).time(c.first_seen).time(c.last_scan.unwrap_or(c.first_seen));
            w.end()?;
        }
    }
    Ok(())
}

/// The scans, oldest first: mostly in the consumer's own city, half of them of the consumer's
/// favourite product, a few re-scans of codes already scanned. Returns the drawn scans and the
/// highest serial used per product.
fn scan_rows(w: &mut Rows, plan: &Plan, ids: Ids, products: &[i64], packages: &[i64]) -> Result<(Vec<DrawSeed>, Vec<u32>), Closed> {
    let mut rng = StdRng::seed_from_u64(RNG_SEED ^ 1);
    let cities = city_weights();
    let popularity = product_weights();
    let mut serials = vec![0u32; PRODUCTS.len()];
    let mut draws = Vec::with_capacity((plan.scans.len() as f64 * DRAW) as usize);
    let mut ip = String::with_capacity(16);
    for (k, &key) in plan.scans.iter().enumerate() {
        let i = (key & 0xffff_ffff) as usize;
        let c = &plan.consumers[i];
        let product = if rng.gen_bool(0.5) { usize::from(c.favourite) } else { popularity.sample(&mut rng) };
        let rescan = serials[product] > 0 && rng.gen_bool(RESCAN);
        let serial = if rescan {
            rng.gen_range(1..=serials[product])
        } else {
            serials[product] += 1;
            (serials[product] - 1) % crate::domain::codes::MAX_CODES_PER_PACKAGE + 1
        };
        let city = match c.city {
            _ if rng.gen_bool(0.04) => None,
            Some(own) if rng.gen_bool(0.9) => Some(usize::from(own)),
            _ => Some(cities.sample(&mut rng)),
        };
        let device = &c.devices[if c.devices.len() > 1 && rng.gen_bool(0.3) { 1 } else { 0 }];
        w.int(ids.scan + k as i64).int(ids.enterprise).int(ids.consumer + i as i64).hex(device);
        w.int(packages[product]).int(i64::from(serial)).int(products[product]).int(ids.campaign).text("genuine");
        let place = city.map(|x| CITIES[x]);
        w.opt_text(place.map(|p| p.0)).opt_text(place.map(|p| p.1)).text(if place.is_some() { "geo" } else { "unknown" });
        // A device's address: its network's first octet, the rest from the device id.
        ip.clear();
        let octet = IP_FIRST[usize::from(device[0]) % IP_FIRST.len()];
        ip.push_str(&format!("{octet}.{}.{}.{}", device[1], device[2], device[3].max(1)));
        w.text(&ip).time(plan.scan_time(key));
        w.end()?;
        if !rescan && rng.gen_bool(DRAW) {
            draws.push(DrawSeed {
                scan: k as u32,
                serial,
                random: rng.gen_range(0..1_000_000),
                city: city.map_or(0, |x| x as u16 + 1),
                product: product as u8,
                delay: rng.gen_range(3..60),
            });
        }
    }
    Ok((draws, serials))
}

fn drawn_at(plan: &Plan, d: &DrawSeed) -> i64 {
    (plan.scan_time(plan.scans[d.scan as usize]) + i64::from(d.delay)).min(plan.now)
}

fn draw_rows(w: &mut Rows, plan: &Plan, draws: &[DrawSeed], ids: Ids, products: &[i64], packages: &[i64]) -> Result<(), Closed> {
    for (n, d) in draws.iter().enumerate() {
        let consumer = ids.consumer + (plan.scans[d.scan as usize] & 0xffff_ffff) as i64;
        let scan = ids.scan + i64::from(d.scan);
        w.int(ids.draw + n as i64).int(ids.enterprise).int(ids.campaign).int(consumer).int(scan);
        w.text(&format!("seed-{scan}")).int(0).text(&format!("{{{}}}", d.random));
        w.int(packages[usize::from(d.product)]).int(i64::from(d.serial)).int(products[usize::from(d.product)]);
        let place = d.city.checked_sub(1).map(|x| CITIES[usize::from(x)]);
        w.opt_text(place.map(|p| p.0)).opt_text(place.map(|p| p.1)).time(drawn_at(plan, d));
        w.end()?;
    }
    Ok(())
}

/// The wins of the draws whose random value fell on a prize: most claimed within minutes
/// (some later, some never: unclaimed or expired), coupons with codes and some redeemed,
/// goods with addresses and shipments, cash exported for payout. Returns wins per prize.
fn win_rows(w: &mut Rows, plan: &Plan, draws: &[DrawSeed], ids: Ids, prizes: [i64; 4]) -> Result<[i32; 4], Closed> {
    let mut rng = StdRng::seed_from_u64(RNG_SEED ^ 2);
    let mut awarded = [0i32; 4];
    let mut win = ids.win;
    for (n, d) in draws.iter().enumerate() {
        let Some(p) = prize_of(d.random) else { continue };
        let (key, kind, _, days) = PRIZES[p];
        awarded[p] += 1;
        let consumer = ids.consumer + (plan.scans[d.scan as usize] & 0xffff_ffff) as i64;
        let won = drawn_at(plan, d);
        let deadline = won + i64::from(days) * DAY;
        let wants = rng.gen_bool(match kind {
            PrizeKind::Points => 0.85,
            PrizeKind::Coupon => 0.7,
            PrizeKind::Goods => 0.75,
            _ => 0.9,
        });
        let delay = if rng.gen_bool(0.8) { rng.gen_range(60..1800) } else { rng.gen_range(1800..i64::from(days) * DAY + DAY) };
        let claimed = (wants && won + delay <= plan.now && won + delay <= deadline).then_some(won + delay);
        let status = match claimed {
            Some(_) => "claimed",
            None if deadline < plan.now => "expired",
            None => "unclaimed",
        };
        w.int(win).int(ids.enterprise).int(ids.campaign).int(ids.draw + n as i64).int(consumer).int(0).int(prizes[p]).int(i64::from(key));
        w.text(status).time(deadline).opt_time(claimed);
        if kind == PrizeKind::Coupon {
            w.text(&format!("{:012X}", rng.gen::<u64>() & 0xffff_ffff_ffff)).time(won + 30 * DAY);
            let redeemed = claimed.map(|t| t + rng.gen_range(3600..9 * DAY)).filter(|t| rng.gen_bool(0.4) && *t < plan.now);
            w.opt_time(redeemed);
        } else {
            w.null().null().null();
        }
        match (kind, claimed) {
            (PrizeKind::Goods, Some(at)) => {
                let (province, city) = d.city.checked_sub(1).map_or(("广东省", "广州市"), |x| {
                    let c = CITIES[usize::from(x)];
                    (c.0, c.1)
                });
                let name = format!("{}{}", SURNAMES[rng.gen_range(0..SURNAMES.len())], GIVEN[rng.gen_range(0..GIVEN.len())]);
                let address = serde_json::json!({
                    "name": name,
                    "mobile": format!("139{:08}", rng.gen_range(0..100_000_000)),
                    "province": province,
                    "city": city,
                    "detail": format!("{}路{}号", ["人民", "解放", "中山", "建设", "和平"][rng.gen_range(0..5)], rng.gen_range(1..300)),
                });
                w.text(&address.to_string()).opt_time(Some(at + 2 * DAY).filter(|t| *t < plan.now));
            }
            _ => {
                w.null().null();
            }
        }
        w.opt_time(claimed.filter(|_| kind == PrizeKind::Cash).map(|t| t + 7 * DAY).filter(|t| *t < plan.now));
        w.time(won);
        w.end()?;
        win += 1;
    }
    Ok(awarded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_city_has_a_weight_and_prizes_partition_the_randoms() {
        let mut rng = StdRng::seed_from_u64(1);
        let cities = city_weights();
        assert!((0..1000).all(|_| cities.sample(&mut rng) < CITIES.len()));
        assert_eq!(prize_of(0), Some(0));
        assert_eq!(prize_of(99_999), Some(0));
        assert_eq!(prize_of(100_000), Some(1));
        assert_eq!(prize_of(149_999), Some(3));
        assert_eq!(prize_of(150_000), None);
    }

    #[test]
    fn a_small_plan_has_the_asked_scans_in_time_order() {
        let p = plan(1000, 20_000);
        assert_eq!(p.scans.len(), 20_000);
        assert!(p.scans.windows(2).all(|w| p.scan_time(w[0]) <= p.scan_time(w[1])));
        let scanned = p.consumers.iter().filter(|c| c.last_scan.is_some()).count();
        assert_eq!(scanned, 1000);
        assert!(p.scans.iter().all(|&k| p.scan_time(k) >= p.consumers[(k & 0xffff_ffff) as usize].first_seen));
        let few = plan(100, 10);
        assert_eq!(few.consumers.iter().filter(|c| c.last_scan.is_some()).count(), 10);
    }
}
