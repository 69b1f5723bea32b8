//! The download centre (下载中心): export jobs write CSV files kept [`EXPORT_DAYS`] days under
//! `<files_dir>/exports/<enterprise>/<id>.csv`; `GET /files/exports/<id>` streams one to the
//! person who asked for it, and only until it expires.
//!
//! Files are UTF-8 with a byte-order mark, so Excel opens Chinese text correctly. They are
//! written in chunks (memory does not grow with the row count) to a `.part` file renamed once
//! complete, so a download never sees half a file and a job claimed again after a restart
//! simply writes it anew.

use super::auth::{self, internal, SessionUser, SESSION_COOKIE};
use super::context::{cookie, locale_of};
use super::db::Tx;
use super::jobs::Job;
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::domain::codes::format_serial;
use crate::domain::page::{Page, PageReq};
use crate::domain::validate::Msg;
use crate::domain::warnings::{export_href, ExportItem, ExportKind, ExportMsg, ExportState, EXPORT_DAYS};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use anyhow::Context;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

pub const EXPORT_JOB: &str = "export";

pub fn routes() -> Router<AppState> {
    Router::new().route("/files/exports/{id}", get(download)).route("/files/data/{table}", get(data_csv))
}

// ---------- HTTP ----------

/// The signed-in person behind a plain HTTP request (downloads, images), as server functions
/// see them: a valid session and a replaced initial password.
pub(super) async fn session_user(state: &AppState, parts: &Parts) -> AppResult<SessionUser> {
    let token = cookie(parts, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let user = auth::load_session(&state.db.system, &token, state.config.session_idle_minutes).await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(user)
}

/// [`session_user`], whose position grants `function` at `level` (images, CSV downloads).
pub(super) async fn permitted_user(state: &AppState, parts: &Parts, function: Function, level: Level) -> AppResult<SessionUser> {
    let user = session_user(state, parts).await?;
    if !user.grants.allows(function, level) {
        return Err(AppError::Forbidden { function, level });
    }
    Ok(user)
}

/// A refusal of a plain HTTP request: its status and message in the reader's language.
pub(super) fn refusal(e: &AppError, l: Locale) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.render(l)).into_response()
}

#[derive(sqlx::FromRow)]
struct Download {
    title: String,
    file_name: Option<String>,
    expired: bool,
    job_status: Option<String>,
}

async fn download(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    match download_path(&state, &parts, id).await {
        Ok((path, title)) => {
            // ServeFile streams the file (and answers range requests).
            let req = Request::from_parts(parts, Body::empty());
            let mut res = match tower_http::services::ServeFile::new(path).oneshot(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            if res.status().is_success() {
                let h = res.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
                if let Ok(v) = HeaderValue::from_str(&content_disposition(id, &title)) {
                    h.insert(header::CONTENT_DISPOSITION, v);
                }
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            }
            res.map(Body::new)
        }
        // A past download period: 410 Gone, saying so.
        Err(e @ AppError::Refused(Msg::Export(ExportMsg::Expired))) => {
            (StatusCode::GONE, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.render(l)).into_response()
        }
        Err(e) => refusal(&e, l),
    }
}

/// The file of export `id` if the signed-in person owns it and it is ready and not expired.
async fn download_path(state: &AppState, parts: &Parts, id: i64) -> AppResult<(PathBuf, String)> {
    let user = session_user(state, parts).await?;
    let e = user.enterprise_id;
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    let row: Option<Download> = sqlx::query_as(
        "SELECT x.title, x.file_name, x.expires_at < now() AS expired, j.status AS job_status
           FROM exports x LEFT JOIN jobs j ON j.id = x.job_id
          WHERE x.enterprise_id = $1 AND x.id = $2 AND x.user_id = $3",
    )
    .bind(e)
    .bind(id)
    .bind(user.user_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(internal)?;
    // Someone else's export looks exactly like a missing one.
    let row = row.ok_or(AppError::NotFound)?;
    if row.expired {
        return Err(AppError::Refused(Msg::Export(ExportMsg::Expired)));
    }
    match (row.file_name, row.job_status.as_deref()) {
        (Some(name), _) => Ok((export_dir(state, e).join(name), row.title)),
        (None, Some("failed")) => Err(AppError::Refused(Msg::Export(ExportMsg::ExportFailed))),
        (None, _) => Err(AppError::Refused(Msg::Export(ExportMsg::NotReady))),
    }
}

/// `attachment` with an ASCII fallback name and the title as the UTF-8 name (RFC 6266/5987).
fn content_disposition(id: i64, title: &str) -> String {
    let name: String = format!("{title}.csv")
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|') || c.is_control() { '_' } else { c })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("attachment; filename=\"export-{id}.csv\"; filename*=UTF-8''{encoded}")
}

fn export_dir(state: &AppState, enterprise_id: i64) -> PathBuf {
    state.config.files_dir.join("exports").join(enterprise_id.to_string())
}

// ---------- the list and queueing (tenant transactions) ----------

#[derive(sqlx::FromRow)]
struct Listed {
    id: i64,
    kind: ExportKind,
    title: String,
    rows: Option<i64>,
    file_size: Option<i64>,
    file_name: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    expired: bool,
    job_status: Option<String>,
    progress: Option<i64>,
    total: Option<i64>,
    error: Option<String>,
}

impl Listed {
    fn item(self) -> ExportItem {
        let state = match (self.expired, self.job_status.as_deref(), &self.file_name) {
            (true, _, _) => ExportState::Expired,
            (false, _, Some(_)) => ExportState::Ready,
            (false, Some("failed"), None) => ExportState::Failed,
            (false, Some("running"), None) => ExportState::Running,
            (false, _, None) => ExportState::Queued,
        };
        let percent = match (state, self.progress, self.total) {
            (ExportState::Ready, _, _) => 100,
            (_, Some(p), Some(t)) if t > 0 => (p * 100 / t).clamp(0, 100),
            _ => 0,
        };
        ExportItem {
            id: self.id,
            kind: self.kind,
            title: self.title,
            state,
            percent,
            rows: self.rows,
            file_size: self.file_size,
            error: if state == ExportState::Failed { self.error } else { None },
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

/// A person's own exports, newest first.
pub async fn mine(tx: &mut Tx, e: i64, user_id: i64, page: PageReq) -> AppResult<Page<ExportItem>> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM exports WHERE enterprise_id = $1 AND user_id = $2")
        .bind(e)
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(internal)?;
    let rows: Vec<Listed> = sqlx::query_as(
        "SELECT x.id, x.kind, x.title, x.rows, x.file_size, x.file_name, x.created_at, x.expires_at,
                x.expires_at < now() AS expired, j.status AS job_status, j.progress, j.total, j.error
           FROM exports x LEFT JOIN jobs j ON j.id = x.job_id
          WHERE x.enterprise_id = $1 AND x.user_id = $2
          ORDER BY x.created_at DESC, x.id DESC
          LIMIT $3 OFFSET $4",
    )
    .bind(e)
    .bind(user_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let p = page.clamped();
    Ok(Page { items: rows.into_iter().map(Listed::item).collect(), total, page: p.page, size: p.size })
}

/// The same person's identical export still being prepared, if any: a double click or a
/// retry gets that one instead of a second file.
pub async fn pending_duplicate(tx: &mut Tx, e: i64, user_id: i64, kind: ExportKind, params: &serde_json::Value) -> AppResult<Option<i64>> {
    sqlx::query_scalar(
        "SELECT x.id FROM exports x JOIN jobs j ON j.id = x.job_id
          WHERE x.enterprise_id = $1 AND x.user_id = $2 AND x.kind = $3 AND x.params = $4
            AND j.status IN ('queued', 'running')
          ORDER BY x.id DESC LIMIT 1",
    )
    .bind(e)
    .bind(user_id)
    .bind(kind)
    .bind(params)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

/// Inserts an export row and its job; returns the export's id.
pub async fn insert(tx: &mut Tx, actor: &super::audit::Actor, kind: ExportKind, title: &str, params: &serde_json::Value) -> AppResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO exports (enterprise_id, user_id, kind, title, params, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id",
    )
    .bind(actor.enterprise_id)
    .bind(actor.user_id)
    .bind(kind)
    .bind(title)
    .bind(params)
    .bind(EXPORT_DAYS as i32)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)?;
    let job = super::jobs::enqueue(tx, actor, EXPORT_JOB, serde_json::json!({ "export_id": id })).await?;
    sqlx::query("UPDATE exports SET job_id = $3 WHERE enterprise_id = $1 AND id = $2")
        .bind(actor.enterprise_id)
        .bind(id)
        .bind(job)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(id)
}

// ---------- the job ----------

/// CSV rows (RFC 4180 quoting) written through a small buffer to a file.
pub(crate) struct CsvOut {
    file: tokio::fs::File,
    buf: Vec<u8>,
    rows: i64,
    bytes: i64,
}

impl CsvOut {
    pub(crate) async fn create(path: &std::path::Path, header: &[&str]) -> anyhow::Result<CsvOut> {
        let file = tokio::fs::File::create(path).await.with_context(|| format!("creating {}", path.display()))?;
        let mut out = CsvOut { file, buf: Vec::with_capacity(1 << 16), rows: 0, bytes: 0 };
        out.buf.extend_from_slice(b"\xEF\xBB\xBF");
        csv_record(&mut out.buf, header);
        Ok(out)
    }

    pub(crate) async fn row<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) -> anyhow::Result<()> {
        csv_record(&mut self.buf, fields);
        self.rows += 1;
        if self.buf.len() >= 1 << 16 {
            self.drain().await?;
        }
        Ok(())
    }

    async fn drain(&mut self) -> anyhow::Result<()> {
        self.file.write_all(&self.buf).await?;
        self.bytes += self.buf.len() as i64;
        self.buf.clear();
        Ok(())
    }

    /// Flushes to disk; returns (data rows, file size).
    pub(crate) async fn finish(mut self) -> anyhow::Result<(i64, i64)> {
        self.drain().await?;
        self.file.sync_all().await?;
        Ok((self.rows, self.bytes))
    }
}

/// Appends one CSV line: fields with a comma, quote or line break are quoted, quotes doubled.
fn csv_record<S: AsRef<str>>(buf: &mut Vec<u8>, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        let f = field.as_ref();
        if i > 0 {
            buf.push(b',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            buf.push(b'"');
            buf.extend_from_slice(f.replace('"', "\"\"").as_bytes());
            buf.push(b'"');
        } else {
            buf.extend_from_slice(f.as_bytes());
        }
    }
    buf.extend_from_slice(b"\r\n");
}

/// Runs an export job: writes the file, then records its rows, name and size.
pub async fn run_export(job: &Job) -> anyhow::Result<serde_json::Value> {
    let id = job.payload["export_id"].as_i64().context("an export job needs export_id")?;
    let e = job.actor.enterprise_id;
    let mut tx = job.state.db.tenant(e).await?;
    let (kind, params): (ExportKind, serde_json::Value) =
        sqlx::query_as("SELECT kind, params FROM exports WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .with_context(|| format!("export {id} not found"))?;
    let l: Locale = serde_json::from_value(params["locale"].clone()).unwrap_or_default();
    let dir = export_dir(&job.state, e);
    tokio::fs::create_dir_all(&dir).await.with_context(|| format!("creating {}", dir.display()))?;
    let (part, name) = (dir.join(format!("{id}.csv.part")), format!("{id}.csv"));
    let (rows, size) = match kind {
        ExportKind::Scraps => write_scraps(&mut tx, e, &params, l, &part).await?,
        ExportKind::Codes => write_codes(job, &mut tx, e, &params, l, &part).await?,
        ExportKind::Members => super::repo::consumers::write_members(&mut tx, e, &params, l, &part).await?,
    };
    tokio::fs::rename(&part, dir.join(&name)).await?;
    sqlx::query("UPDATE exports SET rows = $3, file_name = $4, file_size = $5 WHERE enterprise_id = $1 AND id = $2")
        .bind(e)
        .bind(id)
        .bind(rows)
        .bind(&name)
        .bind(size)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(serde_json::json!({ "export_id": id, "rows": rows, "file_size": size, "href": export_href(id) }))
}

fn zh_en(l: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match l {
        Locale::Zh => zh,
        Locale::En => en,
    }
}

#[derive(sqlx::FromRow)]
struct ScrapRow {
    id: i64,
    scrapped_at: chrono::DateTime<chrono::Utc>,
    package_id: i64,
    package_name: String,
    batch_no: i32,
    method: String,
    serial_start: i32,
    serial_end: i32,
    reason: String,
    operator: Option<String>,
}

/// 码报废记录 under the filter of the scrap page (`package_id`, `method`, `from`, `to` dates in
/// China time), newest first.
async fn write_scraps(tx: &mut Tx, e: i64, params: &serde_json::Value, l: Locale, path: &std::path::Path) -> anyhow::Result<(i64, i64)> {
    let filter: crate::domain::warnings::ScrapExportFilter = serde_json::from_value(params["filter"].clone()).unwrap_or_default();
    let header = match l {
        Locale::Zh => ["报废时间", "码包ID", "码包名称", "批次", "报废方式", "起始序列号", "结束序列号", "数量", "原因", "操作人"],
        Locale::En => {
            ["Scrapped at", "Package ID", "Package", "Batch", "Method", "First serial", "Last serial", "Count", "Reason", "Operator"]
        }
    };
    let mut out = CsvOut::create(path, &header).await?;
    // Read in pages (keyset on time and id), so memory does not grow with the list.
    let mut after: Option<(chrono::DateTime<chrono::Utc>, i64)> = None;
    loop {
        let page: Vec<ScrapRow> = sqlx::query_as(
            "SELECT c.id, c.scrapped_at, c.package_id, p.name AS package_name, c.batch_no, c.method, c.serial_start,
                    c.serial_end, c.reason, u.name AS operator
               FROM code_scraps c
               JOIN code_packages p ON p.enterprise_id = c.enterprise_id AND p.id = c.package_id
               LEFT JOIN users u ON u.id = c.scrapped_by
              WHERE c.enterprise_id = $1
                AND ($2::bigint IS NULL OR c.package_id = $2)
                AND ($3::text IS NULL OR c.method = $3)
                AND ($4::date IS NULL OR c.scrapped_at >= ($4::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
                AND ($5::date IS NULL OR c.scrapped_at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
                AND ($6::timestamptz IS NULL OR (c.scrapped_at, c.id) < ($6, $7))
              ORDER BY c.scrapped_at DESC, c.id DESC
              LIMIT 2000",
        )
        .bind(e)
        .bind(filter.package_id)
        .bind(filter.method.as_deref())
        .bind(filter.from)
        .bind(filter.to)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .fetch_all(&mut **tx)
        .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.scrapped_at, last.id));
        for r in page {
            let method = match r.method.as_str() {
                "batch" => zh_en(l, "按批次", "Batch"),
                "range" => zh_en(l, "按号段", "Range"),
                _ => zh_en(l, "单码", "Single code"),
            };
            out.row([
                l.datetime(&r.scrapped_at),
                r.package_id.to_string(),
                r.package_name,
                r.batch_no.to_string(),
                method.to_string(),
                format_serial(r.package_id, r.serial_start as u32),
                format_serial(r.package_id, r.serial_end as u32),
                (i64::from(r.serial_end) - i64::from(r.serial_start) + 1).to_string(),
                r.reason,
                r.operator.unwrap_or_default(),
            ])
            .await?;
        }
    }
    out.finish().await
}

/// 二维码查询结果: one row per serial of `package_id` in `from..=to` with its code, URL,
/// batch, activation state and whether it is scrapped. Ranges and scraps are read once, sorted,
/// and walked alongside the serials.
async fn write_codes(
    job: &Job,
    tx: &mut Tx,
    e: i64,
    params: &serde_json::Value,
    l: Locale,
    path: &std::path::Path,
) -> anyhow::Result<(i64, i64)> {
    let input: crate::domain::warnings::CodeExportInput = serde_json::from_value(params["input"].clone())?;
    let (key_version, key_salt, count, files): (i16, Vec<u8>, i32, i32) =
        sqlx::query_as("SELECT key_version, key_salt, code_count, file_count FROM code_packages WHERE enterprise_id = $1 AND id = $2")
            .bind(e)
            .bind(input.package_id)
            .fetch_optional(&mut **tx)
            .await?
            .with_context(|| format!("package {} not found", input.package_id))?;
    let codec = job.state.codes.codec(u8::try_from(key_version)?, input.package_id, &key_salt)?;
    let (from, to) = (input.from.max(1), input.to.min(count as u32));
    let ranges: Vec<(i32, i32, String)> = sqlx::query_as(
        "SELECT serial_start, serial_end, status FROM code_ranges
          WHERE enterprise_id = $1 AND package_id = $2 AND serial_end >= $3 AND serial_start <= $4 ORDER BY serial_start",
    )
    .bind(e)
    .bind(input.package_id)
    .bind(from as i32)
    .bind(to as i32)
    .fetch_all(&mut **tx)
    .await?;
    let scraps: Vec<(i32, i32)> = sqlx::query_as(
        "SELECT serial_start, serial_end FROM code_scraps
          WHERE enterprise_id = $1 AND package_id = $2 AND serial_end >= $3 AND serial_start <= $4 ORDER BY serial_start",
    )
    .bind(e)
    .bind(input.package_id)
    .bind(from as i32)
    .bind(to as i32)
    .fetch_all(&mut **tx)
    .await?;
    let header = match l {
        Locale::Zh => ["序列号", "码字符串", "扫码链接", "批次", "激活状态", "是否报废"],
        Locale::En => ["Serial", "Code", "Scan URL", "Batch", "Activation", "Scrapped"],
    };
    let mut out = CsvOut::create(path, &header).await?;
    let total = i64::from(to.saturating_sub(from)) + 1;
    let (mut ri, mut si) = (0, 0);
    for serial in from..=to {
        let s = serial as i32;
        while ri < ranges.len() && ranges[ri].1 < s {
            ri += 1;
        }
        while si < scraps.len() && scraps[si].1 < s {
            si += 1;
        }
        let state = match ranges.get(ri).filter(|r| r.0 <= s).map(|r| r.2.as_str()) {
            Some("active") => zh_en(l, "已激活", "Active"),
            Some("scheduled") => zh_en(l, "待定时激活", "Scheduled"),
            Some(_) => zh_en(l, "已录入未激活", "Entered, not active"),
            None => zh_en(l, "未录入", "Not entered"),
        };
        let scrapped = scraps.get(si).is_some_and(|c| c.0 <= s);
        let code = codec.code(serial);
        let url = job.state.codes.scan_url(&code);
        let batch = crate::domain::codes::batch_of(count as u32, files as u32, serial).unwrap_or_default();
        out.row([
            format_serial(input.package_id, serial),
            code,
            url,
            batch.to_string(),
            state.to_string(),
            zh_en(l, if scrapped { "是" } else { "否" }, if scrapped { "Yes" } else { "No" }).to_string(),
        ])
        .await?;
        let done = i64::from(serial - from) + 1;
        if done % 10_000 == 0 {
            job.progress(done, total).await?;
        }
    }
    out.finish().await
}

/// Deletes the files of expired exports (their rows stay, listed as expired); returns how many.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<usize> {
    let expired: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, enterprise_id, file_name FROM exports WHERE expires_at < now() AND file_name IS NOT NULL ORDER BY id LIMIT 1000",
    )
    .fetch_all(&state.db.system)
    .await?;
    for (id, e, name) in &expired {
        match tokio::fs::remove_file(export_dir(state, *e).join(name)).await {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err.into()),
        }
        sqlx::query("UPDATE exports SET file_name = NULL WHERE id = $1").bind(id).execute(&state.db.system).await?;
    }
    Ok(expired.len())
}

// ---------- 数据分析: direct CSV of a data table ----------

/// The query of a data CSV (as on the data pages): `from`, `to` (China dates), `campaign`.
#[derive(serde::Deserialize)]
struct DataQuery {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    campaign: Option<i64>,
}

/// `GET /files/data/<table>.csv`: one table of the data pages as CSV, answered directly (the
/// tables are small: days, hours, provinces, products, prizes, packages), under the same
/// permission as the pages (数据分析 view).
async fn data_csv(
    State(state): State<AppState>,
    Path(table): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DataQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let filter = crate::api::campaign_data::DataFilter { campaign_id: q.campaign, from: q.from, to: q.to };
    match data_table(&state, &parts, table.trim_end_matches(".csv"), &filter, l).await {
        Ok((title, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, content_disposition(0, &title).replace("export-0.csv", "data.csv")),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => refusal(&e, l),
    }
}

async fn data_table(
    state: &AppState,
    parts: &Parts,
    table: &str,
    filter: &crate::api::campaign_data::DataFilter,
    l: Locale,
) -> AppResult<(String, Vec<u8>)> {
    use crate::server::repo::campaign_data as data;
    let user = permitted_user(state, parts, Function::CampaignData, Level::View).await?;
    filter.validate()?;
    let f = filter.clamped();
    let e = user.enterprise_id;
    let mut tx = state.db.tenant(e).await.map_err(internal)?;
    if let Some(c) = f.campaign_id {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaigns WHERE enterprise_id = $1 AND id = $2)")
            .bind(e)
            .bind(c)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        if !exists {
            return Err(AppError::NotFound);
        }
    }
    let mut buf = b"\xEF\xBB\xBF".to_vec();
    let n = |v: i64| v.to_string();
    let t = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| l.datetime(&t)).unwrap_or_default();
    let title = match table {
        "days" => {
            csv_record(&mut buf, [zh_en(l, "日期", "Day"), zh_en(l, "扫码", "Scans"), zh_en(l, "抽奖", "Draws"), zh_en(l, "中奖", "Wins")]);
            for r in data::by_day(&mut tx, e, &f).await? {
                csv_record(&mut buf, [r.day.to_string(), n(r.scans), n(r.draws), n(r.wins)]);
            }
            zh_en(l, "活动数据-按日", "Campaign data by day")
        }
        "hours" => {
            csv_record(
                &mut buf,
                [zh_en(l, "时段", "Hour"), zh_en(l, "扫码", "Scans"), zh_en(l, "抽奖", "Draws"), zh_en(l, "中奖", "Wins")],
            );
            for r in data::by_hour(&mut tx, e, &f).await? {
                csv_record(&mut buf, [format!("{:02}:00", r.hour), n(r.scans), n(r.draws), n(r.wins)]);
            }
            zh_en(l, "活动数据-按时段", "Campaign data by hour")
        }
        "provinces" => {
            let header = [
                zh_en(l, "省份", "Province"),
                zh_en(l, "扫码", "Scans"),
                zh_en(l, "消费者", "Consumers"),
                zh_en(l, "抽奖", "Draws"),
                zh_en(l, "中奖", "Wins"),
            ];
            csv_record(&mut buf, header);
            for r in data::by_province(&mut tx, e, &f).await? {
                let name = r.province.unwrap_or_else(|| zh_en(l, "未知", "Unknown").to_string());
                csv_record(&mut buf, [name, n(r.scans), n(r.consumers), n(r.draws), n(r.wins)]);
            }
            zh_en(l, "活动数据-按省份", "Campaign data by province")
        }
        "products" | "product-data" => {
            let header = [
                zh_en(l, "商品", "Product"),
                zh_en(l, "扫码", "Scans"),
                zh_en(l, "消费者", "Consumers"),
                zh_en(l, "抽奖", "Draws"),
                zh_en(l, "中奖", "Wins"),
                zh_en(l, "首次扫码", "First scan"),
                zh_en(l, "最近扫码", "Last scan"),
            ];
            csv_record(&mut buf, header);
            for r in data::by_product(&mut tx, e, &f).await? {
                let name = if r.product_id.is_some() { r.name } else { zh_en(l, "未录入商品", "No product").to_string() };
                csv_record(&mut buf, [name, n(r.scans), n(r.consumers), n(r.draws), n(r.wins), t(r.first_scan), t(r.last_scan)]);
            }
            zh_en(l, "商品数据", "Product data")
        }
        "prizes" => {
            let header = [
                zh_en(l, "活动", "Campaign"),
                zh_en(l, "奖品", "Prize"),
                zh_en(l, "库存", "Stock"),
                zh_en(l, "已发放", "Awarded"),
                zh_en(l, "剩余", "Remaining"),
                zh_en(l, "预警值", "Warning value"),
                zh_en(l, "库存状态", "Stock state"),
                zh_en(l, "期间中奖", "Wins in range"),
                zh_en(l, "期间领取", "Claims in range"),
                zh_en(l, "期间成本(元)", "Cost in range (CNY)"),
            ];
            csv_record(&mut buf, header);
            for r in data::by_prize(&mut tx, e, &f).await? {
                let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                let state = match r.state {
                    crate::api::campaign_data::StockState::Unlimited => zh_en(l, "不限", "Unlimited"),
                    crate::api::campaign_data::StockState::Normal => zh_en(l, "正常", "Normal"),
                    crate::api::campaign_data::StockState::Warning => zh_en(l, "预警", "Warning"),
                    crate::api::campaign_data::StockState::Exhausted => zh_en(l, "已抽完", "Exhausted"),
                };
                let cost = crate::domain::validate::format_money(r.cost_fen);
                let row = [r.campaign_name, r.name, opt(r.quantity), n(r.awarded), opt(r.remaining), opt(r.warning_value)];
                csv_record(&mut buf, row.into_iter().chain([state.to_string(), n(r.wins), n(r.claims), cost]));
            }
            zh_en(l, "活动数据-奖品", "Campaign data by prize")
        }
        "codes" => {
            let header = [
                zh_en(l, "码包ID", "Package ID"),
                zh_en(l, "码包名称", "Package"),
                zh_en(l, "商品", "Product"),
                zh_en(l, "码数量", "Codes"),
                zh_en(l, "已激活", "Activated"),
                zh_en(l, "已扫码", "Scanned"),
                zh_en(l, "激活未扫码", "Activated, never scanned"),
                zh_en(l, "扫码率", "Scan rate"),
            ];
            csv_record(&mut buf, header);
            for r in data::packages(&mut tx, e).await? {
                let rate = crate::api::campaign_data::permille_text(r.scan_rate_permille());
                let row = [n(r.package_id), r.name.clone(), r.product_name.clone().unwrap_or_default(), n(r.codes), n(r.activated)];
                csv_record(&mut buf, row.into_iter().chain([n(r.scanned), n(r.never_scanned), rate]));
            }
            zh_en(l, "品牌码数据", "Brand-code data")
        }
        _ => return Err(AppError::NotFound),
    };
    let title = if table == "codes" { title.to_string() } else { format!("{title} {}–{}", f.from, f.to) };
    Ok((title, buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut buf = Vec::new();
        csv_record(&mut buf, ["码包 A", "a,b", "say \"hi\"", "two\nlines"]);
        assert_eq!(String::from_utf8(buf).unwrap(), "码包 A,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn disposition_keeps_chinese_titles() {
        let d = content_disposition(7, "码报废记录 2026/11");
        assert!(d.starts_with("attachment; filename=\"export-7.csv\"; filename*=UTF-8''"));
        assert!(d.contains("%E7%A0%81"), "{d}");
        assert!(!d[d.find("''").unwrap()..].contains(' '));
        assert!(d.contains("2026_11.csv"));
    }
}
