//! Delivery: sending, extraction, download counting and history (domain: [`crate::domain::code_delivery`]).
//!
//! Secrets are stored only as SHA-256: the link token as `code_packages.extraction_token_hash`,
//! the extraction code as SHA-256(token hash ‖ code) in `extraction_code_hash` (tied to one send,
//! so a re-send with the same code by chance still gives a new hash), grants as
//! `code_extractions.token_hash`. Every limit is a conditional statement: the download count is
//! `downloads < 3` in the UPDATE itself, and extraction attempts on a package are serialised by
//! a row lock before the wrong codes are counted.

use crate::domain::code_delivery::*;
use crate::error::{AppError, AppResult};
use crate::server::auth::internal;
use crate::server::db::Tx;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

// ---- secrets ----

/// A random URL-safe token of 256 bits (43 characters) and its SHA-256.
pub fn new_token() -> (String, Vec<u8>) {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A random extraction code of [`CODE_LEN`] characters of [`CODE_ALPHABET`].
pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// The stored form of an extraction code: bound to the send's link token hash.
pub fn code_hash(link_token_hash: &[u8], code: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(link_token_hash);
    h.update(normalise_code(code).as_bytes());
    h.finalize().to_vec()
}

// ---- sending ----

/// A package as a send needs it.
#[derive(sqlx::FromRow)]
pub struct SendTarget {
    pub id: i64,
    pub name: String,
    pub code_count: i32,
    pub file_count: i32,
    pub status: String,
    pub version: i32,
    pub spec_id: i64,
    pub spec_name: String,
    pub key_version: i16,
    pub key_salt: Vec<u8>,
}

pub async fn send_target(tx: &mut Tx, e: i64, id: i64) -> AppResult<SendTarget> {
    sqlx::query_as(
        "SELECT p.id, p.name, p.code_count, p.file_count, p.status, p.version, p.spec_id, s.name AS spec_name,
                p.key_version, p.key_salt
           FROM code_packages p JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
          WHERE p.enterprise_id = $1 AND p.id = $2",
    )
    .bind(e)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)
}

/// A person of a spec's review flow, with where to reach them.
#[derive(sqlx::FromRow)]
pub struct Person {
    pub user_id: i64,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

/// The enabled members of the enterprise holding `role` in the spec's review flow.
pub async fn people(tx: &mut Tx, e: i64, spec_id: i64, role: &str) -> AppResult<Vec<Person>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.mobile, u.email
           FROM code_spec_people sp
           JOIN memberships m ON m.enterprise_id = sp.enterprise_id AND m.user_id = sp.user_id AND m.status = 'enabled'
           JOIN users u ON u.id = sp.user_id
          WHERE sp.enterprise_id = $1 AND sp.spec_id = $2 AND sp.role = $3
          ORDER BY u.name, u.id",
    )
    .bind(e)
    .bind(spec_id)
    .bind(role)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

/// Marks the package sent with a new link and code, if it is still at `version` and generated
/// or sent (a re-send replaces the previous link: its token hash no longer matches anything,
/// and the grants it opened end now). Returns the link's expiry.
pub async fn mark_sent(
    tx: &mut Tx,
    e: i64,
    id: i64,
    version: i32,
    user_id: i64,
    token_hash: &[u8],
    code_hash: &[u8],
) -> AppResult<Option<DateTime<Utc>>> {
    let expires: Option<DateTime<Utc>> = sqlx::query_scalar(
        "UPDATE code_packages
            SET status = 'sent', sent_at = now(), sent_by = $4, extraction_token_hash = $5, extraction_code_hash = $6,
                extraction_expires_at = now() + make_interval(days => $7), version = version + 1
          WHERE enterprise_id = $1 AND id = $2 AND version = $3 AND status IN ('generated', 'sent')
          RETURNING extraction_expires_at",
    )
    .bind(e)
    .bind(id)
    .bind(version)
    .bind(user_id)
    .bind(token_hash)
    .bind(code_hash)
    .bind(LINK_DAYS as i32)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    if expires.is_some() {
        sqlx::query("UPDATE code_extractions SET expires_at = now() WHERE enterprise_id = $1 AND package_id = $2 AND expires_at > now()")
            .bind(e)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
    }
    Ok(expires)
}

// ---- batches and history ----

pub async fn batches(tx: &mut Tx, e: i64, package_id: i64) -> AppResult<Vec<BatchDelivery>> {
    sqlx::query_as(
        "SELECT batch_no, serial_start, serial_end, file_name, file_size, downloads
           FROM code_batches WHERE enterprise_id = $1 AND package_id = $2 ORDER BY batch_no",
    )
    .bind(e)
    .bind(package_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)
}

pub async fn log_event(
    tx: &mut Tx,
    e: i64,
    package_id: i64,
    kind: DeliveryEventKind,
    batch_no: Option<i32>,
    user_id: i64,
    ip: &str,
) -> AppResult<()> {
    sqlx::query("INSERT INTO code_delivery_log (enterprise_id, package_id, batch_no, event, user_id, ip) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(e)
        .bind(package_id)
        .bind(batch_no)
        .bind(kind.key())
        .bind(user_id)
        .bind(ip)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    Ok(())
}

/// History lines shown per package: the newest ones (a package has at most 3 downloads per
/// batch, so this only cuts off long runs of extractions).
const HISTORY_LIMIT: i64 = 1000;

pub async fn delivery_status(tx: &mut Tx, e: i64, id: i64) -> AppResult<DeliveryStatus> {
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        version: i32,
        spec_id: i64,
        sent_at: Option<DateTime<Utc>>,
        sent_by: Option<String>,
        expires_at: Option<DateTime<Utc>>,
    }
    let p: Row = sqlx::query_as(
        "SELECT p.status, p.version, p.spec_id, p.sent_at, u.name AS sent_by, p.extraction_expires_at AS expires_at
           FROM code_packages p LEFT JOIN users u ON u.id = p.sent_by
          WHERE p.enterprise_id = $1 AND p.id = $2",
    )
    .bind(e)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)?;
    let names = |people: Vec<Person>| people.into_iter().map(|p| p.name).collect();
    let file_receivers = names(people(tx, e, p.spec_id, "file_receiver").await?);
    let password_receivers = names(people(tx, e, p.spec_id, "password_receiver").await?);
    #[derive(sqlx::FromRow)]
    struct EventRow {
        at: DateTime<Utc>,
        event: String,
        batch_no: Option<i32>,
        user_name: Option<String>,
        ip: String,
    }
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT l.at, l.event, l.batch_no, u.name AS user_name, l.ip
           FROM code_delivery_log l LEFT JOIN users u ON u.id = l.user_id
          WHERE l.enterprise_id = $1 AND l.package_id = $2
          ORDER BY l.at DESC, l.id DESC LIMIT $3",
    )
    .bind(e)
    .bind(id)
    .bind(HISTORY_LIMIT)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let events = rows
        .into_iter()
        .filter_map(|r| {
            let kind = DeliveryEventKind::from_key(&r.event)?;
            Some(DeliveryEvent { at: r.at, kind, batch_no: r.batch_no, user_name: r.user_name, ip: r.ip })
        })
        .collect();
    Ok(DeliveryStatus {
        package_id: id,
        status: p.status,
        version: p.version,
        sent_at: p.sent_at,
        sent_by: p.sent_by,
        expires_at: p.expires_at,
        file_receivers,
        password_receivers,
        batches: batches(tx, e, id).await?,
        events,
    })
}

/// Packages sent where `user_id` is a file receiver of the spec, newest send first.
pub async fn received(tx: &mut Tx, e: i64, user_id: i64) -> AppResult<Vec<ReceivedPackage>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        code_count: i32,
        file_count: i32,
        sent_at: Option<DateTime<Utc>>,
        expires_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.name, p.code_count, p.file_count, p.sent_at, p.extraction_expires_at AS expires_at
           FROM code_packages p
          WHERE p.enterprise_id = $1 AND p.status = 'sent'
            AND EXISTS (SELECT 1 FROM code_spec_people sp
                         WHERE sp.enterprise_id = p.enterprise_id AND sp.spec_id = p.spec_id
                           AND sp.role = 'file_receiver' AND sp.user_id = $2)
          ORDER BY p.sent_at DESC, p.id DESC",
    )
    .bind(e)
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    // The batches of all listed packages in one query.
    #[derive(sqlx::FromRow)]
    struct Batch {
        package_id: i64,
        #[sqlx(flatten)]
        batch: BatchDelivery,
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let all: Vec<Batch> = sqlx::query_as(
        "SELECT package_id, batch_no, serial_start, serial_end, file_name, file_size, downloads
           FROM code_batches WHERE enterprise_id = $1 AND package_id = ANY($2) ORDER BY package_id, batch_no",
    )
    .bind(e)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    let mut by_package: std::collections::HashMap<i64, Vec<BatchDelivery>> = Default::default();
    for b in all {
        by_package.entry(b.package_id).or_default().push(b.batch);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let batches = by_package.remove(&r.id).unwrap_or_default();
            ReceivedPackage {
                id: r.id,
                name: r.name,
                code_count: r.code_count,
                file_count: r.file_count,
                sent_at: r.sent_at,
                expires_at: r.expires_at,
                batches,
            }
        })
        .collect())
}

// ---- extraction ----

/// A sent package as the extraction page finds it.
#[derive(sqlx::FromRow)]
pub struct Extractable {
    pub id: i64,
    pub name: String,
    pub code_count: i32,
    pub file_count: i32,
    pub status: String,
    pub spec_id: i64,
    pub spec_name: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub token_hash: Option<Vec<u8>>,
    pub code_hash: Option<Vec<u8>>,
}

/// The package a key names in this enterprise; with `lock`, its row is locked until the
/// transaction ends, which serialises the extraction attempts on it.
pub async fn extractable(tx: &mut Tx, e: i64, key: &ExtractionKey, lock: bool) -> AppResult<Option<Extractable>> {
    let (by_token, by_id) = match key {
        ExtractionKey::Link(token) => (Some(token_hash(token)), None),
        ExtractionKey::Package(id) => (None, Some(*id)),
    };
    sqlx::query_as(&format!(
        "SELECT p.id, p.name, p.code_count, p.file_count, p.status, p.spec_id, s.name AS spec_name, p.sent_at,
                p.extraction_expires_at AS expires_at, p.extraction_token_hash AS token_hash, p.extraction_code_hash AS code_hash
           FROM code_packages p JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
          WHERE p.enterprise_id = $1 AND (p.extraction_token_hash = $2 OR p.id = $3) {}",
        if lock { "FOR UPDATE OF p" } else { "" }
    ))
    .bind(e)
    .bind(by_token)
    .bind(by_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

/// The enterprise whose package a link token is, and whether `user_id` is an enabled member
/// there: for a clear message when the link is opened while signed in to another enterprise.
/// Runs on the owner pool: the link is, by definition, outside the session's enterprise.
pub async fn link_enterprise(pool: &sqlx::PgPool, token: &str, user_id: i64) -> AppResult<Option<String>> {
    sqlx::query_scalar(
        "SELECT e.name FROM code_packages p
           JOIN enterprises e ON e.id = p.enterprise_id
           JOIN memberships m ON m.enterprise_id = p.enterprise_id AND m.user_id = $2 AND m.status = 'enabled'
          WHERE p.extraction_token_hash = $1",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .fetch_optional(pool)
    .await
    .map_err(internal)
}

pub async fn is_file_receiver(tx: &mut Tx, e: i64, spec_id: i64, user_id: i64) -> AppResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM code_spec_people
                         WHERE enterprise_id = $1 AND spec_id = $2 AND role = 'file_receiver' AND user_id = $3)",
    )
    .bind(e)
    .bind(spec_id)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)
}

/// Wrong codes on the package since its last send within the throttle window, and when the
/// oldest of them leaves the window.
pub async fn recent_wrong_codes(tx: &mut Tx, e: i64, package_id: i64, sent_at: DateTime<Utc>) -> AppResult<(i64, Option<DateTime<Utc>>)> {
    sqlx::query_as(
        "SELECT count(*), min(at) + make_interval(mins => $4)
           FROM code_delivery_log
          WHERE enterprise_id = $1 AND package_id = $2 AND event = 'wrong_code'
            AND at > greatest($3, now() - make_interval(mins => $4))",
    )
    .bind(e)
    .bind(package_id)
    .bind(sent_at)
    .bind(WRONG_CODE_WINDOW_MINUTES as i32)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)
}

/// Opens a download grant for `user_id`, ending with the hour or with the link, whichever is
/// first. Returns its expiry.
pub async fn open_grant(tx: &mut Tx, e: i64, package_id: i64, user_id: i64, hash: &[u8]) -> AppResult<DateTime<Utc>> {
    sqlx::query_scalar(
        "INSERT INTO code_extractions (token_hash, enterprise_id, package_id, user_id, expires_at)
         SELECT $1, $2, $3, $4, least(now() + make_interval(mins => $5), p.extraction_expires_at)
           FROM code_packages p WHERE p.enterprise_id = $2 AND p.id = $3
         RETURNING expires_at",
    )
    .bind(hash)
    .bind(e)
    .bind(package_id)
    .bind(user_id)
    .bind(GRANT_MINUTES as i32)
    .fetch_one(&mut **tx)
    .await
    .map_err(internal)
}

/// A grant as a download checks it.
#[derive(sqlx::FromRow)]
pub struct GrantRow {
    pub package_id: i64,
    pub user_id: i64,
    pub expires_at: DateTime<Utc>,
    pub live: bool,
}

pub async fn grant(tx: &mut Tx, e: i64, token: &str) -> AppResult<Option<GrantRow>> {
    sqlx::query_as(
        "SELECT g.package_id, g.user_id, g.expires_at, (g.expires_at > now() AND p.status = 'sent') AS live
           FROM code_extractions g JOIN code_packages p ON p.enterprise_id = g.enterprise_id AND p.id = g.package_id
          WHERE g.enterprise_id = $1 AND g.token_hash = $2",
    )
    .bind(e)
    .bind(token_hash(token))
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)
}

// ---- downloads ----

/// Uses one download of a batch if it has one left: the condition is in the UPDATE, so
/// concurrent requests cannot exceed the limit. Returns whether a download was taken.
pub async fn take_download(tx: &mut Tx, e: i64, package_id: i64, batch_no: i32) -> AppResult<bool> {
    let taken: Option<i32> = sqlx::query_scalar(
        "UPDATE code_batches SET downloads = downloads + 1
          WHERE enterprise_id = $1 AND package_id = $2 AND batch_no = $3 AND downloads < $4
          RETURNING batch_no",
    )
    .bind(e)
    .bind(package_id)
    .bind(batch_no)
    .bind(MAX_DOWNLOADS)
    .fetch_optional(&mut **tx)
    .await
    .map_err(internal)?;
    Ok(taken.is_some())
}

/// Uses one download of each of `batch_nos` that still has one; returns those taken.
pub async fn take_downloads(tx: &mut Tx, e: i64, package_id: i64, batch_nos: &[i32]) -> AppResult<Vec<i32>> {
    let mut taken: Vec<i32> = sqlx::query_scalar(
        "UPDATE code_batches SET downloads = downloads + 1
          WHERE enterprise_id = $1 AND package_id = $2 AND batch_no = ANY($3) AND downloads < $4
          RETURNING batch_no",
    )
    .bind(e)
    .bind(package_id)
    .bind(batch_nos)
    .bind(MAX_DOWNLOADS)
    .fetch_all(&mut **tx)
    .await
    .map_err(internal)?;
    taken.sort_unstable();
    Ok(taken)
}
