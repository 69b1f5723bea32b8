//! The crowd engine as the rest of Tessera uses it (docs/crowds.md): one in-memory index per
//! enterprise (`crowd_index`), caught up with PostgreSQL before each use; live counts with
//! cancellation of superseded edits; crowd computation as a job; scheduled refreshes; uploads;
//! members of computed crowds for campaign plans; and the member/portrait/RFM CSV downloads.
//!
//! * `GET /files/crowds/{id}/members.csv` · `GET /files/crowd-snapshots/{id}/members.csv`
//! * `GET /files/crowds/{id}/portrait.csv?drill=gender:male` · `GET /files/crowds/rfm.csv?crowd=&period=`

use super::audit::Actor;
use super::auth::internal;
use super::context::locale_of;
use super::crowd_index::{ConsumerRow, EnterpriseIndex, EventRow, Resolved, OVERLAP_SECONDS};
use super::db::Tx;
use super::exports::{permitted_user, refusal};
use super::jobs::{self, Job};
use super::repo::crowds as repo;
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::domain::crowd::{
    parse_upload, snapshot_name, Action, Condition, CrowdMsg, Definition, Drill, Group, LiveCount, LiveCountRequest, ObjectKind, Portrait,
    PortraitQuery, RfmParams, RfmQuery, RfmReport, RfmSample, Segment, SegmentStat, SetSource, UploadIdType, UploadReport, UploadRow,
    UPLOAD_REPORT_ROWS,
};
use crate::domain::promotion::csv_cell;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use roaring::RoaringBitmap;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::RwLock;

pub const COMPUTE_JOB: &str = "crowd_compute";

type Shared = Arc<RwLock<EnterpriseIndex>>;

/// Held in [`AppState`]: the indexes, the latest edit of each live-count editor, and the members
/// of computed crowds by generation.
#[derive(Default)]
pub struct CrowdEngine {
    indexes: Mutex<HashMap<i64, Shared>>,
    editors: Mutex<HashMap<(i64, String), u64>>,
    members: Mutex<HashMap<i64, (i32, Arc<RoaringBitmap>)>>,
}

impl CrowdEngine {
    pub fn new() -> Self {
        Self::default()
    }

    fn shared(&self, enterprise_id: i64) -> Shared {
        self.indexes.lock().expect("crowd index map").entry(enterprise_id).or_default().clone()
    }

    /// Records `seq` as the editor's latest edit; false if a newer one is already known.
    fn begin_edit(&self, key: &(i64, String), seq: u64) -> bool {
        let mut editors = self.editors.lock().expect("editors");
        if editors.len() > 10_000 {
            editors.clear(); // forgotten editors only cost a missed cancel
        }
        let latest = editors.entry(key.clone()).or_insert(seq);
        if seq < *latest {
            return false;
        }
        *latest = seq;
        true
    }

    fn is_latest(&self, key: &(i64, String), seq: u64) -> bool {
        self.editors.lock().expect("editors").get(key).is_none_or(|l| *l == seq)
    }
}

// ---------- catching up ----------

const EVENT_SQL: [(Action, &str); 5] = [
    (
        Action::Scan,
        "SELECT id, scanned_at, consumer_id, campaign_id, product_id, package_id, serial, province, city
           FROM scans WHERE enterprise_id = $1 AND scanned_at >= $2",
    ),
    (
        Action::Draw,
        "SELECT id, drawn_at, consumer_id, campaign_id, product_id, package_id, serial, province, city
           FROM draws WHERE enterprise_id = $1 AND drawn_at >= $2",
    ),
    (
        Action::Win,
        "SELECT w.id, w.won_at, w.consumer_id, w.campaign_id, d.product_id, d.package_id, d.serial, d.province, d.city
           FROM draw_wins w JOIN draws d ON d.enterprise_id = w.enterprise_id AND d.id = w.draw_id
          WHERE w.enterprise_id = $1 AND w.won_at >= $2",
    ),
    (
        Action::Claim,
        "SELECT w.id, w.claimed_at, w.consumer_id, w.campaign_id, d.product_id, d.package_id, d.serial, d.province, d.city
           FROM draw_wins w JOIN draws d ON d.enterprise_id = w.enterprise_id AND d.id = w.draw_id
          WHERE w.enterprise_id = $1 AND w.claimed_at >= $2",
    ),
    (
        Action::Redeem,
        "SELECT w.id, w.redeemed_at, w.consumer_id, w.campaign_id, d.product_id, d.package_id, d.serial, d.province, d.city
           FROM draw_wins w JOIN draws d ON d.enterprise_id = w.enterprise_id AND d.id = w.draw_id
          WHERE w.enterprise_id = $1 AND w.redeemed_at >= $2",
    ),
];

/// Rows are applied in chunks (the first load of a large enterprise streams millions).
const CHUNK: usize = 50_000;

type EventTuple = (i64, DateTime<Utc>, i64, Option<i64>, Option<i64>, i64, i32, Option<String>, Option<String>);
type ConsumerTuple =
    (i64, Option<String>, Option<i16>, Option<String>, Option<String>, Option<String>, Vec<String>, i16, bool, i32, Option<i64>);

/// Brings the enterprise's index up to date and returns it, read-locked.
pub async fn index(state: &AppState, enterprise_id: i64) -> AppResult<tokio::sync::OwnedRwLockReadGuard<EnterpriseIndex>> {
    let shared = state.crowds.shared(enterprise_id);
    {
        let mut ix = shared.clone().write_owned().await;
        catch_up(state, enterprise_id, &mut ix).await?;
    }
    Ok(shared.read_owned().await)
}

async fn catch_up(state: &AppState, e: i64, ix: &mut EnterpriseIndex) -> AppResult<()> {
    let look = Utc::now();
    // The first look reads everything (the epoch is before any row; chrono's MIN is beyond PostgreSQL's range).
    let since = ix.looked_at.map_or(DateTime::<Utc>::UNIX_EPOCH, |t| t - chrono::Duration::seconds(OVERLAP_SECONDS));
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    {
        let mut rows = sqlx::query_as::<_, ConsumerTuple>(
            "SELECT id, gender, birth_year, province, marital, education, interests, risk_level, bonus_hunter, points, merged_into
               FROM consumers WHERE enterprise_id = $1 AND updated_at >= $2",
        )
        .bind(e)
        .bind(since)
        .fetch(&mut *tx);
        while let Some(r) = rows.try_next().await.map_err(internal)? {
            ix.apply_consumer(&ConsumerRow {
                id: r.0,
                gender: r.1,
                birth_year: r.2,
                province: r.3,
                marital: r.4,
                education: r.5,
                interests: r.6,
                risk_level: r.7,
                bonus_hunter: r.8,
                points: r.9,
                merged_into: r.10,
            })?;
        }
    }
    let prices: Vec<(i64, i64)> = sqlx::query_as("SELECT id, unit_price FROM products WHERE enterprise_id = $1")
        .bind(e)
        .fetch_all(&mut *tx)
        .await
        .map_err(internal)?;
    ix.prices = prices.into_iter().filter_map(|(id, p)| u32::try_from(id).ok().map(|id| (id, p))).collect();
    for (action, sql) in EVENT_SQL {
        let mut batch = ix.begin_events(action);
        let mut rows = sqlx::query_as::<_, EventTuple>(sql).bind(e).bind(since).fetch(&mut *tx);
        let mut chunk = Vec::with_capacity(1024);
        while let Some(r) = rows.try_next().await.map_err(internal)? {
            chunk.push(EventRow {
                id: r.0,
                at: r.1,
                consumer_id: r.2,
                campaign_id: r.3,
                product_id: r.4,
                package_id: r.5,
                serial: r.6,
                province: r.7,
                city: r.8,
            });
            if chunk.len() >= CHUNK {
                ix.push_events(&mut batch, std::mem::take(&mut chunk), look)?;
            }
        }
        ix.push_events(&mut batch, chunk, look)?;
        ix.end_events(batch, look);
    }
    tx.commit().await.map_err(internal)?;
    ix.looked_at = Some(look);
    Ok(())
}

// ---------- evaluating trees ----------

/// What a tree needs from outside the index: other crowds' members and code strings' serials.
async fn resolve(state: &AppState, e: i64, tree: &Group) -> AppResult<Resolved> {
    let mut resolved = Resolved::default();
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    for id in tree.crowd_refs() {
        resolved.crowds.insert(id, (*members(&mut tx, &state.crowds, e, id).await?).clone());
    }
    fn walk<'a>(g: &'a Group, path: &str, out: &mut Vec<(String, &'a [String])>) {
        for (i, item) in g.items.iter().enumerate() {
            let p = crate::domain::crowd::child_path(path, i);
            match item {
                crate::domain::crowd::Node::Group(inner) => walk(inner, &p, out),
                crate::domain::crowd::Node::Condition(Condition::Behaviour(b)) if b.object == ObjectKind::Code => out.push((p, &b.codes)),
                _ => {}
            }
        }
    }
    let mut code_conditions = vec![];
    walk(tree, "tree", &mut code_conditions);
    for (path, codes) in code_conditions {
        let mut set = HashSet::new();
        for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if let Some(r) = state.codes.resolve(&state.db.system, code).await.map_err(internal)? {
                if r.enterprise_id == e {
                    set.insert((r.package_id as u32, r.serial));
                }
            }
        }
        resolved.codes.insert(path, set);
    }
    tx.commit().await.map_err(internal)?;
    Ok(resolved)
}

/// The members of a tree (bonus hunters removed when asked) and each node's size; `keep_going`
/// is asked between nodes.
async fn evaluate(
    state: &AppState,
    e: i64,
    tree: &Group,
    exclude_hunters: bool,
    keep_going: impl Fn() -> bool + Send + 'static,
) -> AppResult<(RoaringBitmap, Vec<(String, u64)>)> {
    let resolved = resolve(state, e, tree).await?;
    let ix = index(state, e).await?;
    let tree = tree.clone();
    tokio::task::spawn_blocking(move || {
        let (members, sizes) = ix.evaluate(&tree, &resolved, Utc::now(), &keep_going)?;
        Ok((if exclude_hunters { ix.without_hunters(members) } else { members }, sizes))
    })
    .await
    .map_err(internal)?
}

/// The members of a tree now (the benchmark's and tests' entry point).
pub async fn count(state: &AppState, e: i64, tree: &Group, exclude_hunters: bool) -> AppResult<RoaringBitmap> {
    Ok(evaluate(state, e, tree, exclude_hunters, || true).await?.0)
}

pub async fn live_count(state: &AppState, e: i64, user_id: i64, req: LiveCountRequest) -> AppResult<LiveCount> {
    let started = Instant::now();
    let key = (user_id, req.editor.clone());
    let superseded = || AppError::Refused(Msg::Crowd(CrowdMsg::Superseded));
    if !state.crowds.begin_edit(&key, req.seq) {
        return Err(superseded());
    }
    let engine = state.crowds.clone();
    let seq = req.seq;
    let check_key = key.clone();
    let (members, nodes) = evaluate(state, e, &req.tree, req.exclude_hunters, move || engine.is_latest(&check_key, seq))
        .await
        .map_err(|err| if state.crowds.is_latest(&key, seq) { err } else { superseded() })?;
    Ok(LiveCount { total: members.len(), nodes, millis: started.elapsed().as_millis() as u64, seq })
}

// ---------- members of computed crowds ----------

/// A computed crowd's members (cached by generation); refused while it is not computed.
pub async fn members(tx: &mut Tx, engine: &CrowdEngine, e: i64, crowd_id: i64) -> AppResult<Arc<RoaringBitmap>> {
    let cached = engine.members.lock().expect("members").get(&crowd_id).map(|(g, m)| (*g, m.clone()));
    let row: Option<(String, String, i32, Option<Vec<u8>>)> = sqlx::query_as(
        "SELECT name, status, generation, CASE WHEN generation <> $3 THEN members END FROM crowds WHERE enterprise_id = $1 AND id = $2",
    )
    .bind(e)
    .bind(crowd_id)
    .bind(cached.as_ref().map_or(-1, |(g, _)| *g))
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    let (name, _status, generation, bytes) = row.ok_or(AppError::NotFound)?;
    if generation == 0 {
        return Err(AppError::Refused(Msg::Crowd(CrowdMsg::NotComputed(name))));
    }
    match (bytes, cached) {
        (None, Some((_, m))) => Ok(m),
        (Some(bytes), _) => {
            let m = Arc::new(decode(&bytes)?);
            engine.members.lock().expect("members").insert(crowd_id, (generation, m.clone()));
            Ok(m)
        }
        (None, None) => Err(AppError::Refused(Msg::Crowd(CrowdMsg::NotComputed(name)))),
    }
}

pub fn decode(bytes: &[u8]) -> AppResult<RoaringBitmap> {
    RoaringBitmap::deserialize_from(bytes).map_err(internal)
}

pub fn encode(m: &RoaringBitmap) -> Vec<u8> {
    let mut out = Vec::with_capacity(m.serialized_size());
    m.serialize_into(&mut out).expect("writing to a Vec");
    out
}

/// Which of `crowd_ids` the consumer belongs to (campaign precision plans). A crowd not
/// computed (or deleted) matches no one.
pub async fn memberships(tx: &mut Tx, engine: &CrowdEngine, e: i64, crowd_ids: &[i64], consumer_id: i64) -> AppResult<Vec<i64>> {
    let Ok(c) = u32::try_from(consumer_id) else { return Ok(vec![]) };
    let mut out = vec![];
    for id in crowd_ids {
        match members(tx, engine, e, *id).await {
            Ok(m) if m.contains(c) => out.push(*id),
            Ok(_) | Err(AppError::NotFound) | Err(AppError::Refused(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(out)
}

// ---------- computing crowds ----------

pub async fn queue_compute(tx: &mut Tx, actor: &Actor, crowd_id: i64, archive: bool) -> AppResult<i64> {
    jobs::enqueue(tx, actor, COMPUTE_JOB, serde_json::json!({ "crowd_id": crowd_id, "archive": archive })).await
}

/// The job: evaluate the definition, store the members (and a snapshot when asked).
pub async fn compute(job: &Job) -> anyhow::Result<serde_json::Value> {
    let crowd_id = job.payload["crowd_id"].as_i64().ok_or_else(|| anyhow::anyhow!("crowd_id missing"))?;
    let archive = job.payload["archive"].as_bool().unwrap_or(false);
    let (state, e) = (&job.state, job.actor.enterprise_id);
    let outcome = compute_members(state, e, crowd_id).await;
    let mut tx = state.db.tenant(e).await?;
    match outcome {
        Ok(members) => {
            let insightable = index(state, e).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.insightable(&members);
            let name = repo::store_members(&mut tx, e, crowd_id, &encode(&members), members.len(), insightable).await?;
            if archive {
                repo::add_snapshot(&mut tx, e, crowd_id, &snapshot_name(&name, Utc::now()), &encode(&members), members.len()).await?;
            }
            tx.commit().await?;
            Ok(serde_json::json!({ "crowd_id": crowd_id, "size": members.len() }))
        }
        Err(err) => {
            let reason = match &err {
                AppError::Refused(m) => m.render(Locale::Zh),
                AppError::Invalid(fields) => fields.iter().map(|f| f.msg.render(Locale::Zh)).collect::<Vec<_>>().join("；"),
                other => format!("{other:?}"),
            };
            repo::store_failure(&mut tx, e, crowd_id, &reason).await?;
            tx.commit().await?;
            anyhow::bail!("crowd {crowd_id}: {reason}")
        }
    }
}

async fn compute_members(state: &AppState, e: i64, crowd_id: i64) -> AppResult<RoaringBitmap> {
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    let (definition, exclude_hunters) = repo::start_computing(&mut tx, e, crowd_id).await?;
    tx.commit().await.map_err(internal)?;
    let members = match definition {
        Definition::Filter(tree) => evaluate(state, e, &tree, false, || true).await?.0,
        Definition::SetOp(op) => {
            let mut tx = state.db.tenant(e).await.map_err(internal)?;
            let mut acc = source_members(&mut tx, state, e, op.first).await?;
            for (combine, source) in &op.rest {
                let b = source_members(&mut tx, state, e, *source).await?;
                acc = match combine {
                    crate::domain::crowd::Combine::Union => acc | b,
                    crate::domain::crowd::Combine::Intersection => acc & b,
                    crate::domain::crowd::Combine::Difference => acc - b,
                };
            }
            tx.commit().await.map_err(internal)?;
            acc
        }
        // An upload's members are what was uploaded.
        Definition::Upload { .. } => {
            let mut tx = state.db.tenant(e).await.map_err(internal)?;
            let m = repo::stored_members(&mut tx, e, crowd_id).await?.unwrap_or_default();
            tx.commit().await.map_err(internal)?;
            m
        }
    };
    let ix = index(state, e).await?;
    let live = members & &ix.all;
    Ok(if exclude_hunters { ix.without_hunters(live) } else { live })
}

async fn source_members(tx: &mut Tx, state: &AppState, e: i64, s: SetSource) -> AppResult<RoaringBitmap> {
    match s {
        SetSource::Crowd(id) => Ok((*members(tx, &state.crowds, e, id).await?).clone()),
        SetSource::Snapshot(id) => decode(&repo::snapshot_members(tx, e, id).await?),
    }
}

/// Queues the computation of every crowd whose scheduled refresh is due (run every half
/// minute by [`refresh_forever`]). Returns how many were queued.
pub async fn queue_due_refreshes(state: &AppState) -> anyhow::Result<usize> {
    let mut tx = state.db.system.begin().await?;
    let due = repo::take_due(&mut tx, Utc::now()).await?;
    for (crowd_id, actor) in &due {
        queue_compute(&mut tx, actor, *crowd_id, false).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    tx.commit().await?;
    Ok(due.len())
}

pub async fn refresh_forever(state: AppState) {
    loop {
        if let Err(e) = queue_due_refreshes(&state).await {
            tracing::warn!(error = %e, "queueing crowd refreshes failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
}

// ---------- uploads ----------

#[allow(clippy::too_many_arguments)]
pub async fn upload(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    name: &str,
    remark: &str,
    folder_id: Option<i64>,
    id_type: UploadIdType,
    text: &str,
) -> AppResult<UploadReport> {
    let (values, mut unmatched) = parse_upload(text, id_type).map_err(|m| AppError::field("file", m))?;
    let rows = (values.len() + unmatched.len()) as u64;
    let distinct: Vec<&str> = {
        let mut seen = HashSet::new();
        values.iter().map(|(_, v)| v.as_str()).filter(|v| seen.insert(*v)).collect()
    };
    let duplicates = (values.len() - distinct.len()) as u64;
    let found = repo::match_consumers(tx, actor.enterprise_id, id_type, &distinct).await?;
    let members: RoaringBitmap = found.values().copied().collect();
    let mut reported = HashSet::new();
    for (line, v) in &values {
        if !found.contains_key(v.as_str()) && reported.insert(v.as_str()) {
            unmatched.push(UploadRow { line: *line, text: v.clone() });
        }
    }
    unmatched.sort_by_key(|r| r.line);
    let unmatched_total = unmatched.len() as u64;
    unmatched.truncate(UPLOAD_REPORT_ROWS);
    let definition = Definition::Upload { id_type, rows, unmatched: unmatched_total };
    let insightable = index(state, actor.enterprise_id).await?.insightable(&members);
    let crowd_id =
        repo::insert_uploaded(tx, actor, name, remark, folder_id, &definition, &encode(&members), members.len(), insightable).await?;
    Ok(UploadReport { crowd_id, rows, matched: members.len(), duplicates, unmatched, unmatched_total })
}

// ---------- insight ----------

pub async fn portrait(state: &AppState, e: i64, q: &PortraitQuery) -> AppResult<Portrait> {
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    let m = members(&mut tx, &state.crowds, e, q.crowd_id).await?;
    let name = repo::name_of(&mut tx, e, q.crowd_id).await?;
    tx.commit().await.map_err(internal)?;
    let mut p = portrait_of(state, e, &m, q.drill).await?;
    p.crowd_name = name;
    Ok(p)
}

/// The portrait of any member set (the benchmark's entry point).
pub async fn portrait_of(state: &AppState, e: i64, members: &RoaringBitmap, drill: Option<Drill>) -> AppResult<Portrait> {
    let started = Instant::now();
    let ix = index(state, e).await?;
    let members = members.clone();
    tokio::task::spawn_blocking(move || {
        let now = Utc::now();
        let m = ix.drill(members & &ix.all, drill, now);
        let (dimensions, interests, significant) = ix.portrait(&m, now, Locale::Zh);
        Portrait {
            crowd_name: String::new(),
            drill,
            size: m.len(),
            all: ix.all.len(),
            dimensions,
            interests,
            significant,
            millis: started.elapsed().as_millis() as u64,
        }
    })
    .await
    .map_err(internal)
}

pub async fn rfm(state: &AppState, e: i64, q: &RfmQuery) -> AppResult<RfmReport> {
    let m = match q.crowd_id {
        None => None,
        Some(id) => {
            let mut tx = state.db.tenant(e).await.map_err(internal)?;
            let m = members(&mut tx, &state.crowds, e, id).await?;
            tx.commit().await.map_err(internal)?;
            Some(m)
        }
    };
    rfm_of(state, e, m.as_deref(), &q.params).await
}

/// RFM segments of all consumers (`members` None) or of a set (the benchmark's entry point).
pub async fn rfm_of(state: &AppState, e: i64, members: Option<&RoaringBitmap>, params: &RfmParams) -> AppResult<RfmReport> {
    let started = Instant::now();
    let ix = index(state, e).await?;
    let (members, params_c) = (members.cloned(), params.clone());
    let (mut report, samples) = tokio::task::spawn_blocking(move || {
        let (rows, reference) = ix.rfm_rows(members.as_ref(), &params_c, Utc::now());
        let n = rows.len() as u64;
        let mut per: HashMap<Segment, (u64, u64, u64, i64, Vec<super::crowd_index::RfmRow>)> = HashMap::new();
        for r in &rows {
            let s = per.entry(EnterpriseIndex::segment_of(r, reference)).or_default();
            s.0 += 1;
            s.1 += r.r_days as u64;
            s.2 += r.f as u64;
            s.3 += r.m;
            if s.4.len() < crate::domain::crowd::RFM_SAMPLES {
                s.4.push(*r);
            }
        }
        let avg = |sum: f64, n: u64| if n == 0 { 0.0 } else { sum / n as f64 };
        let mut samples = vec![];
        let segments = Segment::ALL
            .iter()
            .map(|seg| {
                let (count, r, f, m, rows) = per.remove(seg).unwrap_or_default();
                samples.extend(rows.iter().map(|r| (*seg, *r)));
                SegmentStat {
                    segment: *seg,
                    count,
                    share: avg(count as f64, n),
                    avg_r_days: avg(r as f64, count),
                    avg_f: avg(f as f64, count),
                    avg_m_fen: avg(m as f64, count),
                    samples: vec![],
                }
            })
            .collect();
        let report = RfmReport {
            consumers: n,
            total_m_fen: rows.iter().map(|r| r.m).sum(),
            total_f: rows.iter().map(|r| r.f as u64).sum(),
            reference,
            segments,
            millis: 0,
        };
        (report, samples)
    })
    .await
    .map_err(internal)?;
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    let ids: Vec<i64> = samples.iter().map(|(_, r)| r.consumer as i64).collect();
    let people = repo::names_and_mobiles(&mut tx, e, &ids).await?;
    tx.commit().await.map_err(internal)?;
    for (seg, r) in samples {
        let (name, mobile) = people.get(&(r.consumer as i64)).cloned().unwrap_or_default();
        if let Some(s) = report.segments.iter_mut().find(|s| s.segment == seg) {
            s.samples.push(RfmSample {
                consumer_id: r.consumer as i64,
                name,
                mobile: mobile.as_deref().map(crate::domain::consumers::mask_mobile).unwrap_or_default(),
                r_days: r.r_days,
                f: r.f,
                m_fen: r.m,
            });
        }
    }
    report.millis = started.elapsed().as_millis() as u64;
    Ok(report)
}

// ---------- CSV downloads ----------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/files/crowds/{id}/members.csv", get(crowd_members_csv))
        .route("/files/crowd-snapshots/{id}/members.csv", get(snapshot_members_csv))
        .route("/files/crowds/{id}/portrait.csv", get(portrait_csv))
        .route("/files/crowds/rfm.csv", get(rfm_csv))
}

fn csv_response(made: AppResult<String>, filename: &str, l: Locale) -> Response {
    match made {
        // A byte-order mark: Excel then reads the UTF-8 (Chinese names) correctly.
        Ok(csv) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            format!("\u{feff}{csv}"),
        )
            .into_response(),
        Err(e) => refusal(&e, l),
    }
}

/// Members as CSV: id, name, mobile (masked unless the user manages crowds), profile, points.
async fn members_csv(state: &AppState, e: i64, members: &RoaringBitmap, unmasked: bool, l: Locale) -> AppResult<String> {
    let mut out = String::new();
    let header = match l {
        Locale::Zh => ["会员ID", "姓名", "手机号", "性别", "出生年份", "省份", "城市", "积分", "最近扫码"],
        Locale::En => ["Consumer id", "Name", "Mobile", "Gender", "Birth year", "Province", "City", "Points", "Last scan"],
    };
    out.push_str(&header.join(","));
    out.push('\n');
    let ids: Vec<i64> = members.iter().map(i64::from).collect();
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    for chunk in ids.chunks(20_000) {
        for r in repo::member_rows(&mut tx, e, chunk).await? {
            let mobile = r.mobile.map(|m| if unmasked { m } else { crate::domain::consumers::mask_mobile(&m) }).unwrap_or_default();
            let gender = r.gender.as_deref().and_then(crate::domain::consumers::Gender::parse).map(|g| g.label(l)).unwrap_or_default();
            let cells = [
                r.id.to_string(),
                r.name,
                mobile,
                gender.to_string(),
                r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                r.province.unwrap_or_default(),
                r.city.unwrap_or_default(),
                r.points.to_string(),
                r.last_scan_at.map(|t| (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            ];
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    }
    tx.commit().await.map_err(internal)?;
    Ok(out)
}

async fn crowd_members_csv(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let made = async {
        let user = permitted_user(&state, &parts, Function::Crowds, Level::View).await?;
        let unmasked = user.grants.allows(Function::Crowds, Level::Manage);
        let mut tx = state.db.tenant(user.enterprise_id).await.map_err(internal)?;
        let m = members(&mut tx, &state.crowds, user.enterprise_id, id).await?;
        tx.commit().await.map_err(internal)?;
        members_csv(&state, user.enterprise_id, &m, unmasked, l).await
    };
    csv_response(made.await, &format!("crowd-{id}.csv"), l)
}

async fn snapshot_members_csv(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let made = async {
        let user = permitted_user(&state, &parts, Function::Crowds, Level::View).await?;
        let unmasked = user.grants.allows(Function::Crowds, Level::Manage);
        let mut tx = state.db.tenant(user.enterprise_id).await.map_err(internal)?;
        let m = decode(&repo::snapshot_members(&mut tx, user.enterprise_id, id).await?)?;
        tx.commit().await.map_err(internal)?;
        members_csv(&state, user.enterprise_id, &m, unmasked, l).await
    };
    csv_response(made.await, &format!("crowd-snapshot-{id}.csv"), l)
}

#[derive(serde::Deserialize)]
struct DrillQuery {
    drill: Option<String>,
}

async fn portrait_csv(State(state): State<AppState>, Path(id): Path<i64>, Query(q): Query<DrillQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let made = async {
        let user = permitted_user(&state, &parts, Function::CrowdAnalysis, Level::View).await?;
        let drill = match q.drill.as_deref().filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(Drill::parse(d).ok_or_else(|| AppError::field("drill", Msg::NotFound))?),
        };
        Ok(portrait(&state, user.enterprise_id, &PortraitQuery { crowd_id: id, drill }).await?.csv(l))
    };
    csv_response(made.await, &format!("crowd-{id}-portrait.csv"), l)
}

#[derive(serde::Deserialize)]
struct RfmCsvQuery {
    crowd: Option<i64>,
    period: Option<u32>,
}

async fn rfm_csv(State(state): State<AppState>, Query(q): Query<RfmCsvQuery>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let made = async {
        let user = permitted_user(&state, &parts, Function::CrowdAnalysis, Level::View).await?;
        let params = RfmParams { period_days: q.period.unwrap_or(crate::domain::crowd::RFM_PERIOD_DAYS), ..RfmParams::default() };
        params.check().map_err(|m| AppError::field("period", m))?;
        Ok(rfm(&state, user.enterprise_id, &RfmQuery { crowd_id: q.crowd, params }).await?.csv(l))
    };
    csv_response(made.await, "rfm.csv", l)
}
