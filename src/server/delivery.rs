//! HTTP downloads of package files (one batch, or every batch in one archive), limited to
//! [`MAX_DOWNLOADS`] per batch.
//!
//! `GET /files/packages/<grant>/<batch_no>` and `GET /files/packages/<grant>/all`: the grant is
//! the token a correct extraction code opened (`api::code_delivery::extract`), valid for the
//! person who opened it while it lasts. A download is counted when it starts: the count is a
//! conditional increment committed before the file is streamed, so a transfer that breaks
//! midway still uses one of the three (as the reference product counts downloads started).
//! Files are streamed from disk, never read whole into memory.

use super::auth::{internal, load_session, SESSION_COOKIE};
use super::code_files::batch_path;
use super::context::{client_ip, cookie, locale_of};
use super::repo::code_delivery as repo;
use super::AppState;
use crate::domain::access::{Function, Level};
use crate::domain::code_delivery::{DeliveryEventKind, DeliveryMsg, MAX_DOWNLOADS};
use crate::domain::validate::Msg;
use crate::error::AppError;
use crate::i18n::Locale;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::io::ReaderStream;

pub fn routes() -> Router<AppState> {
    Router::new().route("/files/packages/{grant}/{which}", get(download))
}

/// A refusal as the browser shows it: the status and a sentence in the reader's language.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut res = (self.0, self.1).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

fn refusal(status: StatusCode, e: AppError, l: Locale) -> Refusal {
    Refusal(status, e.render(l))
}

fn delivery(status: StatusCode, m: DeliveryMsg, l: Locale) -> Refusal {
    refusal(status, AppError::Refused(Msg::Delivery(m)), l)
}

async fn download(State(state): State<AppState>, Path((grant, which)): Path<(String, String)>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let l = locale_of(&parts);
    let ip = client_ip(&parts, state.config.trust_proxy);
    let session = cookie(&parts, SESSION_COOKIE);
    match serve(&state, session, &grant, &which, &ip, l).await {
        Ok(res) => res,
        Err(r) => r.into_response(),
    }
}

/// One requested file: its name in the download and its opened file.
struct Entry {
    name: String,
    file: File,
    size: u64,
}

async fn serve(state: &AppState, session: Option<String>, grant: &str, which: &str, ip: &str, l: Locale) -> Result<Response, Refusal> {
    let fail = |e: AppError| refusal(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), e, l);
    let token = session.ok_or(AppError::Unauthenticated).map_err(fail)?;
    let user = load_session(&state.db.system, &token, state.config.session_idle_minutes).await.map_err(fail)?;
    if user.must_change_password {
        return Err(fail(AppError::PasswordChangeRequired));
    }
    if !user.grants.allows(Function::CodeReceive, Level::View) {
        return Err(fail(AppError::Forbidden { function: Function::CodeReceive, level: Level::View }));
    }
    let batch_no: Option<i32> = match which {
        "all" => None,
        n => Some(n.parse().map_err(|_| fail(AppError::NotFound))?),
    };
    let e = user.enterprise_id;
    let mut tx = state.db.tenant(e).await.map_err(|err| fail(internal(err)))?;
    let g = repo::grant(&mut tx, e, grant).await.map_err(fail)?.ok_or_else(|| fail(AppError::NotFound))?;
    if g.user_id != user.user_id {
        return Err(delivery(StatusCode::FORBIDDEN, DeliveryMsg::NotYourGrant, l));
    }
    if !g.live {
        return Err(delivery(StatusCode::GONE, DeliveryMsg::GrantExpired, l));
    }
    let batches = repo::batches(&mut tx, e, g.package_id).await.map_err(fail)?;
    // The batches asked for that still have a download: a single batch is refused when used
    // up; "all" takes every batch with one left.
    let wanted: Vec<_> = match batch_no {
        Some(n) => {
            let b = batches.into_iter().find(|b| b.batch_no == n).ok_or_else(|| fail(AppError::NotFound))?;
            if b.downloads >= MAX_DOWNLOADS {
                return Err(delivery(StatusCode::GONE, DeliveryMsg::Exhausted { batch_no: n }, l));
            }
            vec![b]
        }
        None => batches.into_iter().filter(|b| b.downloads < MAX_DOWNLOADS).collect(),
    };
    if wanted.is_empty() {
        return Err(delivery(StatusCode::GONE, DeliveryMsg::AllExhausted, l));
    }
    // Open every file before counting: a missing file costs no download, and a file held open
    // is streamed whole even if it is replaced meanwhile.
    let mut opened = Vec::with_capacity(wanted.len());
    for b in &wanted {
        let missing = || delivery(StatusCode::CONFLICT, DeliveryMsg::FileMissing { batch_no: b.batch_no }, l);
        let file = File::open(batch_path(&state.config.files_dir, e, g.package_id, &b.file_name)).await.map_err(|_| missing())?;
        let size = file.metadata().await.map_err(|_| missing())?.len();
        opened.push((b.batch_no, Entry { name: b.file_name.clone(), file, size }));
    }
    if batch_no.is_none() && archive_len(opened.iter().map(|(_, f)| f)) > u64::from(u32::MAX) {
        return Err(delivery(StatusCode::CONFLICT, DeliveryMsg::ArchiveTooLarge, l));
    }

    // The limit itself: a conditional increment, so concurrent requests cannot exceed it.
    let taken = match batch_no {
        Some(n) => {
            if !repo::take_download(&mut tx, e, g.package_id, n).await.map_err(fail)? {
                return Err(delivery(StatusCode::GONE, DeliveryMsg::Exhausted { batch_no: n }, l));
            }
            vec![n]
        }
        None => {
            let nos: Vec<i32> = opened.iter().map(|(n, _)| *n).collect();
            let taken = repo::take_downloads(&mut tx, e, g.package_id, &nos).await.map_err(fail)?;
            if taken.is_empty() {
                return Err(delivery(StatusCode::GONE, DeliveryMsg::AllExhausted, l));
            }
            taken
        }
    };
    for n in &taken {
        repo::log_event(&mut tx, e, g.package_id, DeliveryEventKind::Download, Some(*n), user.user_id, ip).await.map_err(fail)?;
    }
    tx.commit().await.map_err(|err| fail(internal(err)))?;

    let mut entries: Vec<Entry> = opened.into_iter().filter(|(n, _)| taken.contains(n)).map(|(_, f)| f).collect();
    let (name, len, body) = match batch_no {
        Some(_) => {
            let f = entries.pop().expect("one batch taken");
            (f.name, f.size, Body::from_stream(ReaderStream::new(f.file)))
        }
        None => {
            let len = archive_len(entries.iter());
            let (reader, writer) = tokio::io::duplex(256 * 1024);
            let package_id = g.package_id;
            tokio::spawn(async move {
                if let Err(err) = write_archive(writer, entries).await {
                    tracing::warn!(error = %err, package_id, "package archive download interrupted");
                }
            });
            (format!("{}-all.zip", g.package_id), len, Body::from_stream(ReaderStream::new(reader)))
        }
    };
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CONTENT_DISPOSITION, content_disposition(&name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Already compressed (AES ZIPs): "identity" keeps the compression layer off, so the body
    // streams as is with its Content-Length.
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("identity"));
    Ok(res)
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987).
fn content_disposition(name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

// ---- the "all" archive: a ZIP of the batch ZIPs, stored (not recompressed), streamed ----
//
// Each entry's CRC-32 is computed while its file streams, so it follows the data in a data
// descriptor (general purpose flag bit 3), and the central directory at the end repeats it.
// Sizes are known up front, which gives the archive's exact length. No ZIP64: the archive is
// refused above 4 GiB (batch files of 20 million codes stay far below).

const LOCAL_HEADER: u64 = 30;
const DESCRIPTOR: u64 = 16;
const CENTRAL_HEADER: u64 = 46;
const END_OF_CENTRAL_DIRECTORY: u64 = 22;
/// Bit 3: CRC and sizes follow the data; bit 11: names are UTF-8.
const FLAGS: u16 = 0x0008 | 0x0800;

fn archive_len<'a>(entries: impl Iterator<Item = &'a Entry>) -> u64 {
    entries.map(|f| LOCAL_HEADER + DESCRIPTOR + CENTRAL_HEADER + 2 * f.name.len() as u64 + f.size).sum::<u64>() + END_OF_CENTRAL_DIRECTORY
}

/// Now as an MS-DOS (time, date) in China Standard Time, as archivers show it.
fn dos_now() -> (u16, u16) {
    use chrono::{Datelike, Timelike};
    let t = chrono::Utc::now() + chrono::Duration::hours(8);
    let time = ((t.hour() << 11) | (t.minute() << 5) | (t.second() / 2)) as u16;
    let date = (((t.year() - 1980).clamp(0, 127) as u32) << 9) | (t.month() << 5) | t.day();
    (time, date as u16)
}

async fn write_archive(mut w: impl AsyncWrite + Unpin, entries: Vec<Entry>) -> std::io::Result<()> {
    let (time, date) = dos_now();
    let mut central = Vec::new();
    let mut offset: u32 = 0;
    let count = entries.len() as u16;
    for Entry { name, mut file, size } in entries {
        let name = name.as_bytes();
        let mut h = Vec::with_capacity(LOCAL_HEADER as usize + name.len());
        h.extend_from_slice(&0x04034b50u32.to_le_bytes());
        h.extend_from_slice(&10u16.to_le_bytes()); // version needed: 1.0, stored
        h.extend_from_slice(&FLAGS.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        h.extend_from_slice(&time.to_le_bytes());
        h.extend_from_slice(&date.to_le_bytes());
        h.extend_from_slice(&[0; 12]); // CRC and sizes: in the descriptor
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name);
        w.write_all(&h).await?;

        let mut crc = crc32fast::Hasher::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut copied = 0u64;
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            crc.update(&buf[..n]);
            w.write_all(&buf[..n]).await?;
            copied += n as u64;
        }
        if copied != size {
            return Err(std::io::Error::other(format!("{} changed size while being sent", String::from_utf8_lossy(name))));
        }
        let crc = crc.finalize();
        let size = size as u32;
        let mut d = Vec::with_capacity(DESCRIPTOR as usize);
        d.extend_from_slice(&0x08074b50u32.to_le_bytes());
        d.extend_from_slice(&crc.to_le_bytes());
        d.extend_from_slice(&size.to_le_bytes());
        d.extend_from_slice(&size.to_le_bytes());
        w.write_all(&d).await?;

        central.extend_from_slice(&0x02014b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
        central.extend_from_slice(&10u16.to_le_bytes());
        central.extend_from_slice(&FLAGS.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&time.to_le_bytes());
        central.extend_from_slice(&date.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        offset += (h.len() + d.len()) as u32 + size;
    }
    let mut end = Vec::with_capacity(END_OF_CENTRAL_DIRECTORY as usize);
    end.extend_from_slice(&0x06054b50u32.to_le_bytes());
    end.extend_from_slice(&[0; 4]); // this disk, disk of the central directory
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&offset.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    w.write_all(&central).await?;
    w.write_all(&end).await?;
    w.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_archive_is_as_long_as_announced_and_unzips() {
        let dir = std::env::temp_dir().join(format!("tessera-archive-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut entries = vec![];
        for (name, content) in [("1-1.zip", b"first batch".to_vec()), ("1-2.zip", vec![7u8; 200_000])] {
            let path = dir.join(name);
            std::fs::write(&path, &content).unwrap();
            entries.push(Entry { name: name.into(), file: File::open(&path).await.unwrap(), size: content.len() as u64 });
        }
        let expected = archive_len(entries.iter());
        let mut out = Vec::new();
        write_archive(&mut out, entries).await.unwrap();
        assert_eq!(out.len() as u64, expected);
        let zip = dir.join("all.zip");
        std::fs::write(&zip, &out).unwrap();
        let test = std::process::Command::new("unzip").arg("-t").arg(&zip).output().expect("unzip is installed");
        assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stdout));
        let listing = String::from_utf8_lossy(&test.stdout);
        assert!(listing.contains("1-1.zip") && listing.contains("1-2.zip"), "{listing}");
        let test = std::process::Command::new("7z").arg("t").arg(&zip).output().expect("7z is installed");
        assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stdout));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
