//! `tessera bench crowds`: the crowd engine against an enterprise's real data (seed one with
//! `tessera seed --consumers 1000000 --scans 20000000`).
//!
//! Prints, as medians (min–max) over `runs` repetitions after one warm-up, beside its target:
//! the first index build (once); a three-condition live count through the same function the
//! console's live count uses (catch-up with the database included), and the same count as one
//! plain SQL query, whose result must be equal; set operations on two 500,000-member crowds;
//! the portrait of a 300,000-member crowd; RFM over all consumers.

use crate::domain::consumers::Gender;
use crate::domain::crowd::{china_today, Action, Attribute, Behaviour, Combine, Condition, CountRange, Group, Node, RfmParams, TimeWindow};
use crate::server::config::Config;
use crate::server::crowds;
use crate::server::db::Db;
use crate::server::AppState;
use anyhow::Context;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use roaring::RoaringBitmap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes of the set-operation and portrait crowds.
const SET_SIZE: usize = 500_000;
const PORTRAIT_SIZE: usize = 300_000;

/// Runs the benchmark on the enterprise named `enterprise` and prints its report.
pub async fn run(db: Db, config: Config, enterprise: &str, runs: u32) -> anyhow::Result<()> {
    anyhow::ensure!((1..=100).contains(&runs), "--runs must be 1 to 100");
    let e: i64 = sqlx::query_scalar("SELECT id FROM enterprises WHERE name = $1")
        .bind(enterprise)
        .fetch_optional(&db.system)
        .await?
        .with_context(|| format!("no enterprise {enterprise:?}: seed one with `tessera seed --consumers N --scans M`"))?;
    let state = AppState {
        leptos_options: leptos::config::LeptosOptions::builder().output_name("tessera").build(),
        db: db.clone(),
        notifier: crate::server::outbox::Notifier::new(None, &config.mail_from)?,
        codes: Arc::new(crate::server::code_keys::CodeKeys::load(&config)?),
        config: Arc::new(config),
        campaigns: Arc::new(crate::server::campaign_cache::CampaignCache::new()),
        crowds: Arc::new(crowds::CrowdEngine::new()),
    };
    let (consumers, scans): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM consumers WHERE enterprise_id = $1), (SELECT count(*) FROM scans WHERE enterprise_id = $1)",
    )
    .bind(e)
    .fetch_one(&db.system)
    .await?;
    println!("Tessera bench crowds: {enterprise} (id {e}): {consumers} consumers, {scans} scans; {runs} runs after a warm-up");
    println!();

    // (a) The first build of the index: every consumer and event of the enterprise, once.
    let started = Instant::now();
    drop(crowds::index(&state, e).await?);
    let build = started.elapsed();
    println!("{:<44} {:>10}   (once; peak RSS {})", "index build, first time", ms(build), peak_rss());

    // (b) and (c): the live count of a three-condition tree, and the same as one SQL query.
    let provinces: Vec<String> = sqlx::query_scalar(
        "SELECT province FROM consumers WHERE enterprise_id = $1 AND province IS NOT NULL
          GROUP BY province ORDER BY count(*) DESC, province LIMIT 5",
    )
    .bind(e)
    .fetch_all(&db.system)
    .await?;
    let window = TimeWindow::LastDays(30);
    let tree = Group {
        combine: Combine::Intersection,
        items: vec![
            Node::Condition(Condition::Behaviour(Behaviour {
                action: Action::Scan,
                window,
                provinces: provinces.clone(),
                count: CountRange { min: Some(2), max: None },
                ..Behaviour::default()
            })),
            Node::Condition(Condition::Attribute(Attribute::Gender(vec![Gender::Female]))),
        ],
    };
    println!("live count: scanned ≥ 2 times in the last 30 days in {} ∩ female − bonus hunters", provinces.join("、"));
    let (live, engine_count) = timed(runs, || async { Ok(crowds::count(&state, e, &tree, true).await?.len()) }).await?;
    report("live count (engine, catch-up included)", &live, Some(Duration::from_millis(300)));
    // How much of it is the catch-up with the database (nothing changed meanwhile).
    let (catch_up, _) = timed(runs, || async {
        drop(crowds::index(&state, e).await?);
        Ok(0)
    })
    .await?;
    report("    of which the catch-up alone", &catch_up, None);
    let (from, to) = window.instants(china_today(chrono::Utc::now()));
    let (sql, sql_count) = timed(runs, || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*)
               FROM (SELECT consumer_id FROM scans
                      WHERE enterprise_id = $1 AND scanned_at >= $2 AND scanned_at < $3 AND province = ANY($4)
                      GROUP BY consumer_id HAVING count(*) >= 2) s
               JOIN consumers c ON c.enterprise_id = $1 AND c.id = s.consumer_id
              WHERE c.gender = 'female' AND NOT c.bonus_hunter AND c.merged_into IS NULL",
        )
        .bind(e)
        .bind(from)
        .bind(to)
        .bind(&provinces)
        .fetch_one(&db.system)
        .await?;
        Ok(n as u64)
    })
    .await?;
    report("same count, one SQL query", &sql, None);
    println!(
        "    counts: engine {engine_count}, SQL {sql_count}; SQL ÷ engine = {:.1}×",
        median(&sql).as_secs_f64() / median(&live).as_secs_f64()
    );
    anyhow::ensure!(engine_count == sql_count, "the engine counted {engine_count}, SQL {sql_count}");

    // (d) Set operations of two crowds drawn from the real consumer ids (overlapping halves).
    let ids: Vec<u32> = crowds::index(&state, e).await?.all.iter().collect();
    let mut rng = StdRng::seed_from_u64(7);
    let pick = |rng: &mut StdRng, n: usize| -> RoaringBitmap { ids.choose_multiple(rng, n.min(ids.len())).copied().collect() };
    let (a, b) = (pick(&mut rng, SET_SIZE), pick(&mut rng, SET_SIZE));
    let portrait_members = pick(&mut rng, PORTRAIT_SIZE);
    println!("set operations: crowds of {} and {} members ({} in both)", a.len(), b.len(), a.intersection_len(&b));
    let mut sizes = [0u64; 3];
    let mut each: [Vec<Duration>; 3] = Default::default();
    let ops: [fn(&RoaringBitmap, &RoaringBitmap) -> RoaringBitmap; 3] = [|a, b| a | b, |a, b| a & b, |a, b| a - b];
    for run in 0..=runs {
        for (i, op) in ops.iter().enumerate() {
            let started = Instant::now();
            let r = op(&a, &b);
            let took = started.elapsed();
            sizes[i] = r.len();
            if run > 0 {
                each[i].push(took);
            }
        }
    }
    for ((name, times), size) in ["union", "intersection", "difference"].iter().zip(&each).zip(sizes) {
        report(&format!("{name} ({size} members)"), times, Some(Duration::from_millis(20)));
    }

    // (e) and (f): the portrait of a 300,000-member crowd, RFM over all consumers.
    let (portrait, size) = timed(runs, || async { Ok(crowds::portrait_of(&state, e, &portrait_members, None).await?.size) }).await?;
    report(&format!("portrait ({size} members)"), &portrait, Some(Duration::from_millis(500)));
    let params = RfmParams::default();
    let (rfm, with_rfm) = timed(runs, || async { Ok(crowds::rfm_of(&state, e, None, &params).await?.consumers) }).await?;
    report(&format!("RFM, all consumers ({with_rfm} with RFM)"), &rfm, Some(Duration::from_secs(3)));
    Ok(())
}

/// One warm-up and `runs` timed calls of `f`; the timings and the last result.
async fn timed<F, Fut>(runs: u32, f: F) -> anyhow::Result<(Vec<Duration>, u64)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<u64>>,
{
    let mut last = f().await?;
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let started = Instant::now();
        last = f().await?;
        times.push(started.elapsed());
    }
    Ok((times, last))
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Milliseconds, with µs precision below 10 ms (set operations take microseconds).
fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// "name  median (min – max)  target ≤ x: ok/MISSED".
fn report(name: &str, times: &[Duration], target: Option<Duration>) {
    let m = median(times);
    let (min, max) = (times.iter().min().copied().unwrap_or_default(), times.iter().max().copied().unwrap_or_default());
    let verdict = target.map_or(String::new(), |t| format!("   target ≤ {}: {}", ms(t), if m <= t { "ok" } else { "MISSED" }));
    println!("{name:<44} {:>10}   ({} – {}){verdict}", ms(m), ms(min), ms(max));
}

/// The process's peak resident memory (VmHWM), the index's footprint plus the runtime's.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:")).map(|v| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into())
}
