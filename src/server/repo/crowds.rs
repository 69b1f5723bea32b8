//! Crowds, their folders, references and snapshots. Members are serialized roaring bitmaps
//! (`server::crowds::encode`); what a crowd reads is kept in `crowd_refs` so that a referenced
//! crowd cannot be deleted and derivation depth and cycles are checked on save.

use super::unique_or_internal;
use crate::domain::crowd::{
    CrowdChoice, CrowdDetail, CrowdFilter, CrowdInput, CrowdMsg, CrowdRow, CrowdSource, CrowdStatus, Definition, Folder, Refresh,
    RefreshMode, SetSource, Snapshot, UploadIdType, FOLDER_NAME_MAX, SET_DEPTH_MAX,
};
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::server::audit::Actor;
use crate::server::auth::internal;
use crate::server::db::Tx;
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use std::collections::HashMap;

fn refused(m: CrowdMsg) -> AppError {
    AppError::Refused(Msg::Crowd(m))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    remark: String,
    folder_id: Option<i64>,
    source: String,
    created_at: DateTime<Utc>,
    created_by: Option<String>,
    size: Option<i64>,
    insightable: Option<i64>,
    status: String,
    failure: Option<String>,
    computed_at: Option<DateTime<Utc>>,
    refresh_mode: String,
    portrait: bool,
    snapshots: i64,
}

impl Row {
    fn into_row(self) -> CrowdRow {
        CrowdRow {
            id: self.id,
            name: self.name,
            remark: self.remark,
            folder_id: self.folder_id,
            source: CrowdSource::parse(&self.source).unwrap_or(CrowdSource::Filter),
            created_at: self.created_at,
            created_by: self.created_by.unwrap_or_default(),
            size: self.size,
            insightable: self.insightable,
            status: CrowdStatus::parse(&self.status).unwrap_or(CrowdStatus::Queued),
            failure: self.failure,
            computed_at: self.computed_at,
            refresh: RefreshMode::parse(&self.refresh_mode).unwrap_or(RefreshMode::Manual),
            portrait: self.portrait,
            snapshots: self.snapshots,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.name, c.remark, c.folder_id, c.source, c.created_at, u.name AS created_by, c.size, c.insightable,
        c.status, c.failure, c.computed_at, c.refresh_mode, c.portrait,
        (SELECT count(*) FROM crowd_snapshots s WHERE s.enterprise_id = c.enterprise_id AND s.crowd_id = c.id) AS snapshots
   FROM crowds c LEFT JOIN users u ON u.id = c.created_by";

pub async fn list(tx: &mut Tx, e: i64, f: &CrowdFilter, page: PageReq) -> AppResult<Page<CrowdRow>> {
    const WHERE: &str = "c.enterprise_id = $1 AND ($2::bigint IS NULL OR c.folder_id = $2) AND ($3 = '' OR c.name ILIKE '%' || $3 || '%')";
    let q = f.search.trim();
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM crowds c WHERE {WHERE}"))
        .bind(e)
        .bind(f.folder_id)
        .bind(q)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let page = page.clamped();
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE {WHERE} ORDER BY c.created_at DESC, c.id DESC LIMIT $4 OFFSET $5"))
        .bind(e)
        .bind(f.folder_id)
        .bind(q)
        .bind(page.size)
        .bind(page.offset())
        .fetch_all(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(Page { items: rows.into_iter().map(Row::into_row).collect(), total, page: page.page, size: page.size })
}

pub async fn choices(tx: &mut Tx, e: i64) -> AppResult<Vec<CrowdChoice>> {
    let crowds: Vec<(i64, String, String, Option<i64>)> =
        sqlx::query_as("SELECT id, name, status, size FROM crowds WHERE enterprise_id = $1 ORDER BY name")
            .bind(e)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?;
    let mut snaps: HashMap<i64, Vec<Snapshot>> = HashMap::new();
    for s in all_snapshots(tx, e, None).await? {
        snaps.entry(s.crowd_id).or_default().push(s);
    }
    Ok(crowds
        .into_iter()
        .map(|(id, name, status, size)| CrowdChoice {
            id,
            name,
            status: CrowdStatus::parse(&status).unwrap_or(CrowdStatus::Queued),
            size,
            snapshots: snaps.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub async fn detail(tx: &mut Tx, e: i64, id: i64) -> AppResult<CrowdDetail> {
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE c.enterprise_id = $1 AND c.id = $2"))
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let (definition, refresh, exclude_hunters, version): (serde_json::Value, serde_json::Value, bool, i32) =
        sqlx::query_as("SELECT definition, refresh, exclude_hunters, version FROM crowds WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal)?;
    let row = row.into_row();
    let input = CrowdInput {
        id: Some(id),
        version,
        name: row.name.clone(),
        remark: row.remark.clone(),
        folder_id: row.folder_id,
        portrait: row.portrait,
        exclude_hunters,
        definition: serde_json::from_value(definition).map_err(internal)?,
        refresh: serde_json::from_value::<Refresh>(refresh).map_err(internal)?,
    };
    Ok(CrowdDetail { row, input })
}

/// What the definition reads, for `crowd_refs`: referenced crowds and the crowds of snapshots.
async fn refs_of(tx: &mut Tx, e: i64, d: &Definition) -> AppResult<Vec<i64>> {
    let mut ids = d.crowd_refs();
    if let Definition::SetOp(op) = d {
        for s in op.sources() {
            if let SetSource::Snapshot(sid) = s {
                let owner: Option<i64> = sqlx::query_scalar("SELECT crowd_id FROM crowd_snapshots WHERE enterprise_id = $1 AND id = $2")
                    .bind(e)
                    .bind(sid)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(internal)?;
                ids.push(owner.ok_or_else(|| AppError::field("sources", Msg::NotFound))?);
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Depth of the derivation through `refs` (a crowd without references is 1), refusing a
/// crowd that would reach itself.
async fn check_derivation(tx: &mut Tx, e: i64, own_id: Option<i64>, refs: &[i64]) -> AppResult<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let (depth, cyclic): (Option<i32>, bool) = sqlx::query_as(
        "WITH RECURSIVE d(id, depth) AS (
             SELECT unnest($2::bigint[]), 1
             UNION ALL
             SELECT r.ref_crowd_id, d.depth + 1 FROM crowd_refs r JOIN d ON r.enterprise_id = $1 AND r.crowd_id = d.id
              WHERE d.depth < 10)
         SELECT max(depth), coalesce(bool_or(id = $3), false) FROM d",
    )
    .bind(e)
    .bind(refs)
    .bind(own_id.unwrap_or(-1))
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    if cyclic {
        return Err(AppError::field("tree", Msg::Crowd(CrowdMsg::SelfReference)));
    }
    if depth.unwrap_or(0) as u32 + 1 > SET_DEPTH_MAX {
        return Err(refused(CrowdMsg::SetTooDeep { max: SET_DEPTH_MAX }));
    }
    Ok(())
}

async fn write_refs(tx: &mut Tx, e: i64, id: i64, refs: &[i64]) -> AppResult<()> {
    sqlx::query("DELETE FROM crowd_refs WHERE enterprise_id = $1 AND crowd_id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    sqlx::query("INSERT INTO crowd_refs (enterprise_id, crowd_id, ref_crowd_id) SELECT $1, $2, unnest($3::bigint[])")
        .bind(e)
        .bind(id)
        .bind(refs)
        .execute(&mut **tx)
        .await
        .map_err(|err| match crate::server::db::violated_constraint(&err) {
            Some(_) => AppError::field("tree", Msg::NotFound),
            None => internal(err),
        })?;
    Ok(())
}

fn duplicate_name(err: sqlx::Error) -> AppError {
    unique_or_internal(err, &[("crowds_name_unique", "name")])
}

/// Inserts or updates (version-checked) a validated filter or set-operation crowd, queued for
/// computation. Returns its id.
pub async fn save(tx: &mut Tx, actor: &Actor, input: &CrowdInput) -> AppResult<i64> {
    let e = actor.enterprise_id;
    if matches!(input.definition, Definition::Upload { .. }) {
        return Err(AppError::field("definition", Msg::Required));
    }
    let refs = refs_of(tx, e, &input.definition).await?;
    check_derivation(tx, e, input.id, &refs).await?;
    let definition = serde_json::to_value(&input.definition).map_err(internal)?;
    let refresh = serde_json::to_value(&input.refresh).map_err(internal)?;
    let next = input.refresh.next_after(Utc::now());
    let id: i64 = match input.id {
        None => sqlx::query_scalar(
            "INSERT INTO crowds (enterprise_id, folder_id, name, remark, source, definition, portrait, exclude_hunters, refresh,
                                 refresh_mode, next_refresh_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(e)
        .bind(input.folder_id)
        .bind(input.name.trim())
        .bind(input.remark.trim())
        .bind(input.definition.source().key())
        .bind(&definition)
        .bind(input.portrait)
        .bind(input.exclude_hunters)
        .bind(&refresh)
        .bind(input.refresh.mode.key())
        .bind(next)
        .bind(actor.user_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(duplicate_name)?,
        Some(id) => {
            let source: Option<String> = sqlx::query_scalar("SELECT source FROM crowds WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
                .bind(e)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(internal)?;
            match source {
                None => return Err(AppError::NotFound),
                Some(s) if s == CrowdSource::Upload.key() => return Err(AppError::field("definition", Msg::Required)),
                Some(_) => {}
            }
            sqlx::query_scalar(
                "UPDATE crowds SET folder_id = $3, name = $4, remark = $5, source = $6, definition = $7, portrait = $8,
                        exclude_hunters = $9, refresh = $10, refresh_mode = $11, next_refresh_at = $12, status = 'queued',
                        failure = NULL, version = version + 1
                  WHERE enterprise_id = $1 AND id = $2 AND version = $13 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(input.folder_id)
            .bind(input.name.trim())
            .bind(input.remark.trim())
            .bind(input.definition.source().key())
            .bind(&definition)
            .bind(input.portrait)
            .bind(input.exclude_hunters)
            .bind(&refresh)
            .bind(input.refresh.mode.key())
            .bind(next)
            .bind(input.version)
            .fetch_optional(&mut **tx)
            .await
            .map_err(duplicate_name)?
            .ok_or(AppError::Refused(Msg::Stale))?
        }
    };
    write_refs(tx, e, id, &refs).await?;
    Ok(id)
}

/// A copy with the same definition and refresh settings, named `<name>_副本` (or `_副本2` …).
pub async fn copy(tx: &mut Tx, actor: &Actor, id: i64) -> AppResult<(i64, String)> {
    let e = actor.enterprise_id;
    let detail = detail(tx, e, id).await?;
    if matches!(detail.input.definition, Definition::Upload { .. }) {
        // An upload has no definition to recompute: copy its members as they are.
        let base = detail.input.name.clone();
        for n in 1..100 {
            let name = if n == 1 { format!("{base}_副本") } else { format!("{base}_副本{n}") };
            let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM crowds WHERE enterprise_id = $1 AND name = $2)")
                .bind(e)
                .bind(&name)
                .fetch_one(&mut **tx)
                .await
                .map_err(internal)?;
            if taken {
                continue;
            }
            let new_id: i64 = sqlx::query_scalar(
                "INSERT INTO crowds (enterprise_id, folder_id, name, remark, source, definition, portrait, exclude_hunters, refresh,
                                     refresh_mode, status, members, size, insightable, computed_at, generation, created_by)
                 SELECT enterprise_id, folder_id, $3, remark, source, definition, portrait, exclude_hunters, refresh, refresh_mode,
                        status, members, size, insightable, computed_at, 1, $4
                   FROM crowds WHERE enterprise_id = $1 AND id = $2 RETURNING id",
            )
            .bind(e)
            .bind(id)
            .bind(&name)
            .bind(actor.user_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(internal)?;
            return Ok((new_id, name));
        }
        return Err(AppError::field("name", Msg::Duplicate));
    }
    let mut input = detail.input;
    input.id = None;
    let base = input.name.clone();
    for n in 1..100 {
        input.name = if n == 1 { format!("{base}_副本") } else { format!("{base}_副本{n}") };
        sqlx::query("SAVEPOINT copy_name").execute(&mut **tx).await.map_err(internal)?;
        match save(tx, actor, &input).await {
            Ok(new_id) => return Ok((new_id, input.name)),
            Err(AppError::Invalid(f)) if f.iter().any(|f| f.field == "name" && f.msg == Msg::Duplicate) => {
                sqlx::query("ROLLBACK TO SAVEPOINT copy_name").execute(&mut **tx).await.map_err(internal)?;
            }
            Err(err) => return Err(err),
        }
    }
    Err(AppError::field("name", Msg::Duplicate))
}

/// Names of what uses the crowd: crowds reading it, campaigns whose precision plans match on it.
pub async fn dependants(tx: &mut Tx, e: i64, id: i64) -> AppResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT '人群「' || c.name || '」' FROM crowd_refs r JOIN crowds c ON c.enterprise_id = r.enterprise_id AND c.id = r.crowd_id
          WHERE r.enterprise_id = $1 AND r.ref_crowd_id = $2
         UNION ALL
         SELECT '活动「' || name || '」' FROM campaigns
          WHERE enterprise_id = $1
            AND EXISTS (SELECT 1 FROM jsonb_array_elements(delivery->'precision') p WHERE p->'conditions'->'crowd_ids' @> to_jsonb($2::bigint))
         ORDER BY 1",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// Deletes an unused crowd (its snapshots and references go with it). Returns its name.
pub async fn delete(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let name = lock_name(tx, e, id).await?;
    let by = dependants(tx, e, id).await?;
    if !by.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by }));
    }
    sqlx::query("DELETE FROM crowds WHERE enterprise_id = $1 AND id = $2").bind(e).bind(id).execute(&mut **tx).await.map_err(internal)?;
    Ok(name)
}

async fn lock_name(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    sqlx::query_scalar("SELECT name FROM crowds WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

pub async fn name_of(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    sqlx::query_scalar("SELECT name FROM crowds WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// A manual refresh: queued again (refused while one is already queued or computing).
pub async fn mark_queued(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT name, status FROM crowds WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    let (name, status) = row.ok_or(AppError::NotFound)?;
    if status == "queued" || status == "computing" {
        return Err(AppError::Refused(Msg::Other(format!("人群「{name}」正在计算，请稍后再更新"))));
    }
    sqlx::query("UPDATE crowds SET status = 'queued', failure = NULL WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(name)
}

/// Marks the crowd computing and returns what to compute.
pub async fn start_computing(tx: &mut Tx, e: i64, id: i64) -> AppResult<(Definition, bool)> {
    let row: Option<(serde_json::Value, bool)> =
        sqlx::query_as("UPDATE crowds SET status = 'computing' WHERE enterprise_id = $1 AND id = $2 RETURNING definition, exclude_hunters")
            .bind(e)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(internal)?;
    let (d, x) = row.ok_or(AppError::NotFound)?;
    Ok((serde_json::from_value(d).map_err(internal)?, x))
}

/// Stores a computation's result. Returns the crowd's name.
pub async fn store_members(tx: &mut Tx, e: i64, id: i64, members: &[u8], size: u64, insightable: u64) -> anyhow::Result<String> {
    Ok(sqlx::query_scalar(
        "UPDATE crowds SET status = 'computed', failure = NULL, members = $3, size = $4, insightable = $5, computed_at = now(),
                generation = generation + 1
          WHERE enterprise_id = $1 AND id = $2 RETURNING name",
    )
    .bind(e)
    .bind(id)
    .bind(members)
    .bind(size as i64)
    .bind(insightable as i64)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn store_failure(tx: &mut Tx, e: i64, id: i64, reason: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE crowds SET status = 'failed', failure = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn stored_members(tx: &mut Tx, e: i64, id: i64) -> AppResult<Option<RoaringBitmap>> {
    let bytes: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT members FROM crowds WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    bytes.ok_or(AppError::NotFound)?.map(|b| crate::server::crowds::decode(&b)).transpose()
}

/// Crowds whose scheduled refresh is due (owner pool, every enterprise): each gets its next
/// time and is marked queued. Returns (crowd, the actor its job runs as: the creator).
pub async fn take_due(tx: &mut Tx, now: DateTime<Utc>) -> anyhow::Result<Vec<(i64, Actor)>> {
    let rows: Vec<(i64, i64, serde_json::Value, Option<i64>, String)> = sqlx::query_as(
        "SELECT c.id, c.enterprise_id, c.refresh, c.created_by, coalesce(u.name, '')
           FROM crowds c LEFT JOIN users u ON u.id = c.created_by
          WHERE c.next_refresh_at <= $1 AND c.status NOT IN ('queued', 'computing')
          FOR UPDATE OF c SKIP LOCKED",
    )
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut due = vec![];
    for (id, e, refresh, created_by, name) in rows {
        let next = serde_json::from_value::<Refresh>(refresh).ok().and_then(|r| r.next_after(now));
        sqlx::query("UPDATE crowds SET status = 'queued', next_refresh_at = $2 WHERE id = $1")
            .bind(id)
            .bind(next)
            .execute(&mut **tx)
            .await?;
        due.push((id, Actor { enterprise_id: e, user_id: created_by.unwrap_or_default(), name }));
    }
    Ok(due)
}

// ---------- uploads ----------

/// Uploaded values (ids or mobiles) → live consumer ids, keyed by the value as uploaded.
pub async fn match_consumers(tx: &mut Tx, e: i64, id_type: UploadIdType, values: &[&str]) -> AppResult<HashMap<String, u32>> {
    let mut found = HashMap::new();
    for chunk in values.chunks(50_000) {
        let rows: Vec<(String, i64)> = match id_type {
            UploadIdType::ConsumerId => {
                let ids: Vec<i64> = chunk.iter().filter_map(|v| v.parse().ok()).collect();
                sqlx::query_as("SELECT id::text, id FROM consumers WHERE enterprise_id = $1 AND id = ANY($2) AND merged_into IS NULL")
                    .bind(e)
                    .bind(&ids)
                    .fetch_all(&mut **tx)
                    .await
            }
            UploadIdType::Mobile => {
                sqlx::query_as("SELECT mobile, id FROM consumers WHERE enterprise_id = $1 AND mobile = ANY($2) AND merged_into IS NULL")
                    .bind(e)
                    .bind(chunk)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
        .map_err(internal)?;
        for (v, id) in rows {
            found.insert(v, crate::server::crowd_index::id32(id)?);
        }
    }
    Ok(found)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_uploaded(
    tx: &mut Tx,
    actor: &Actor,
    name: &str,
    remark: &str,
    folder_id: Option<i64>,
    definition: &Definition,
    members: &[u8],
    size: u64,
    insightable: u64,
) -> AppResult<i64> {
    let mut c = crate::domain::validate::Check::new();
    c.text("name", name, crate::domain::crowd::NAME_MAX);
    c.optional_text("remark", remark, crate::domain::crowd::REMARK_MAX);
    c.finish()?;
    sqlx::query_scalar(
        "INSERT INTO crowds (enterprise_id, folder_id, name, remark, source, definition, refresh, status, members, size, insightable,
                             computed_at, generation, created_by)
         VALUES ($1, $2, $3, $4, 'upload', $5, $6, 'computed', $7, $8, $9, now(), 1, $10) RETURNING id",
    )
    .bind(actor.enterprise_id)
    .bind(folder_id)
    .bind(name.trim())
    .bind(remark.trim())
    .bind(serde_json::to_value(definition).map_err(internal)?)
    .bind(serde_json::to_value(Refresh::default()).map_err(internal)?)
    .bind(members)
    .bind(size as i64)
    .bind(insightable as i64)
    .bind(actor.user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(duplicate_name)
}

// ---------- folders ----------

pub async fn folders(tx: &mut Tx, e: i64) -> AppResult<Vec<Folder>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT f.id, f.name, (SELECT count(*) FROM crowds c WHERE c.enterprise_id = f.enterprise_id AND c.folder_id = f.id)
           FROM crowd_folders f WHERE f.enterprise_id = $1 ORDER BY f.name",
    )
    .bind(e)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, name, crowds)| Folder { id, name, crowds }).collect())
}

pub async fn save_folder(tx: &mut Tx, e: i64, id: Option<i64>, name: &str) -> AppResult<i64> {
    let mut c = crate::domain::validate::Check::new();
    c.text("name", name, FOLDER_NAME_MAX);
    c.finish()?;
    let dup = |err| unique_or_internal(err, &[("crowd_folders_name_unique", "name")]);
    match id {
        None => sqlx::query_scalar("INSERT INTO crowd_folders (enterprise_id, name) VALUES ($1, $2) RETURNING id")
            .bind(e)
            .bind(name.trim())
            .fetch_one(&mut **tx)
            .await
            .map_err(dup),
        Some(id) => sqlx::query_scalar("UPDATE crowd_folders SET name = $3 WHERE enterprise_id = $1 AND id = $2 RETURNING id")
            .bind(e)
            .bind(id)
            .bind(name.trim())
            .fetch_optional(&mut **tx)
            .await
            .map_err(dup)?
            .ok_or(AppError::NotFound),
    }
}

/// Only an empty folder goes. Returns its name.
pub async fn delete_folder(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let name: String = sqlx::query_scalar("SELECT name FROM crowd_folders WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let inside: Vec<String> =
        sqlx::query_scalar("SELECT name FROM crowds WHERE enterprise_id = $1 AND folder_id = $2 ORDER BY name LIMIT 10")
            .bind(e)
            .bind(id)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?;
    if !inside.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by: inside.into_iter().map(|n| format!("人群「{n}」")).collect() }));
    }
    sqlx::query("DELETE FROM crowd_folders WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(name)
}

pub async fn move_to(tx: &mut Tx, e: i64, id: i64, folder_id: Option<i64>) -> AppResult<()> {
    let moved = sqlx::query("UPDATE crowds SET folder_id = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(folder_id)
        .execute(&mut **tx)
        .await
        .map_err(|err| match crate::server::db::violated_constraint(&err) {
            Some(_) => AppError::field("folder_id", Msg::NotFound),
            None => internal(err),
        })?;
    if moved.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

// ---------- snapshots ----------

async fn all_snapshots(tx: &mut Tx, e: i64, crowd_id: Option<i64>) -> AppResult<Vec<Snapshot>> {
    let rows: Vec<(i64, i64, String, i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, crowd_id, name, size, created_at FROM crowd_snapshots
          WHERE enterprise_id = $1 AND ($2::bigint IS NULL OR crowd_id = $2) ORDER BY created_at DESC, id DESC",
    )
    .bind(e)
    .bind(crowd_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, crowd_id, name, size, created_at)| Snapshot { id, crowd_id, name, size, created_at }).collect())
}

pub async fn snapshots(tx: &mut Tx, e: i64, crowd_id: i64) -> AppResult<Vec<Snapshot>> {
    all_snapshots(tx, e, Some(crowd_id)).await
}

pub async fn add_snapshot(tx: &mut Tx, e: i64, crowd_id: i64, name: &str, members: &[u8], size: u64) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO crowd_snapshots (enterprise_id, crowd_id, name, members, size) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(e)
    .bind(crowd_id)
    .bind(name)
    .bind(members)
    .bind(size as i64)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn snapshot_members(tx: &mut Tx, e: i64, id: i64) -> AppResult<Vec<u8>> {
    sqlx::query_scalar("SELECT members FROM crowd_snapshots WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// Refused while a set operation reads the snapshot. Returns its name.
pub async fn delete_snapshot(tx: &mut Tx, e: i64, id: i64) -> AppResult<String> {
    let name: String = sqlx::query_scalar("SELECT name FROM crowd_snapshots WHERE enterprise_id = $1 AND id = $2 FOR UPDATE")
        .bind(e)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let by: Vec<String> = sqlx::query_scalar(
        "SELECT '人群「' || name || '」' FROM crowds WHERE enterprise_id = $1 AND source = 'set_op'
            AND (definition->'SetOp'->'first' = jsonb_build_object('Snapshot', $2::bigint)
                 OR EXISTS (SELECT 1 FROM jsonb_array_elements(definition->'SetOp'->'rest') r WHERE r->1 = jsonb_build_object('Snapshot', $2::bigint)))
          ORDER BY name",
    )
    .bind(e)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    if !by.is_empty() {
        return Err(AppError::Refused(Msg::InUse { by }));
    }
    sqlx::query("DELETE FROM crowd_snapshots WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(name)
}

// ---------- people ----------

/// Names and mobiles of consumers (RFM samples, member CSVs).
pub async fn names_and_mobiles(tx: &mut Tx, e: i64, ids: &[i64]) -> AppResult<HashMap<i64, (String, Option<String>)>> {
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, mobile FROM consumers WHERE enterprise_id = $1 AND id = ANY($2)")
            .bind(e)
            .bind(ids)
            .fetch_all(&mut **tx)
            .await
            .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, n, m)| (id, (n, m))).collect())
}

/// Member rows for the CSV download, by id chunk.
#[derive(sqlx::FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub mobile: Option<String>,
    pub gender: Option<String>,
    pub birth_year: Option<i16>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub points: i32,
    pub last_scan_at: Option<DateTime<Utc>>,
}

pub async fn member_rows(tx: &mut Tx, e: i64, ids: &[i64]) -> AppResult<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT id, name, mobile, gender, birth_year, province, city, points, last_scan_at FROM consumers
          WHERE enterprise_id = $1 AND id = ANY($2) ORDER BY id",
    )
    .bind(e)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}
