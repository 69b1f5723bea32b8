#![cfg(feature = "ssr")]
//! Package generation: the job writes one AES-256 ZIP per batch that 7-Zip opens with the batch's
//! derived password (and no other), holding exactly the batch's codes in the spec's layout; it
//! reports progress, resumes after an interruption without rewriting finished batches, and
//! leaves a package it cannot generate 'failed'.

mod common;

use common::codes::{package, spec};
use common::TestApp;
use serde_json::json;
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::process::Command;
use tessera::domain::codes::{batch_ranges, format_serial, PackageCodec};
use tessera::server::code_files::batch_path;
use tessera::server::jobs;
use tessera::server::repo::code_generation::GENERATE_JOB;

/// Queues the generation job of a package as approval does (the package names its job).
async fn queue(app: &TestApp, enterprise_id: i64, package_id: i64, user_id: i64) -> i64 {
    let job_id: i64 =
        sqlx::query_scalar("INSERT INTO jobs (enterprise_id, kind, payload, created_by) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(enterprise_id)
            .bind(GENERATE_JOB)
            .bind(json!({ "package_id": package_id }))
            .bind(user_id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    sqlx::query("UPDATE code_packages SET job_id = $2 WHERE id = $1").bind(package_id).bind(job_id).execute(app.sys()).await.unwrap();
    job_id
}

/// One turn of the worker's loop, which must pick this job.
async fn work(app: &TestApp, job_id: i64) {
    let job = jobs::claim(&app.state).await.unwrap().expect("a job to claim");
    assert_eq!(job.id, job_id);
    let outcome = jobs::run(job).await;
    jobs::finish(app.db(), job_id, outcome).await.unwrap();
}

/// The job's status, progress, total and error.
async fn job_row(app: &TestApp, job_id: i64) -> (String, i64, i64, Option<String>) {
    sqlx::query_as("SELECT status, progress, total, error FROM jobs WHERE id = $1").bind(job_id).fetch_one(app.sys()).await.unwrap()
}

async fn package_status(app: &TestApp, package_id: i64) -> (String, bool) {
    sqlx::query_as("SELECT status, generated_at IS NOT NULL FROM code_packages WHERE id = $1")
        .bind(package_id)
        .fetch_one(app.sys())
        .await
        .unwrap()
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    batch_no: i32,
    serial_start: i32,
    serial_end: i32,
    file_name: String,
    file_size: Option<i64>,
    generated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the file is, from `file_name`.
    #[sqlx(skip)]
    path: PathBuf,
}

async fn batches(app: &TestApp, enterprise_id: i64, package_id: i64) -> Vec<BatchRow> {
    let mut rows: Vec<BatchRow> = sqlx::query_as(
        "SELECT batch_no, serial_start, serial_end, file_name, file_size, generated_at
           FROM code_batches WHERE package_id = $1 ORDER BY batch_no",
    )
    .bind(package_id)
    .fetch_all(app.sys())
    .await
    .unwrap();
    for b in &mut rows {
        b.path = batch_path(&app.state.config.files_dir, enterprise_id, package_id, &b.file_name);
    }
    rows
}

async fn codec(app: &TestApp, package_id: i64) -> PackageCodec {
    let (version, salt): (i16, Vec<u8>) = sqlx::query_as("SELECT key_version, key_salt FROM code_packages WHERE id = $1")
        .bind(package_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    app.state.codes.codec(version as u8, package_id, &salt).unwrap()
}

/// `7z x -so -p<password>`: the single entry's content, or 7-Zip's complaint.
fn unzip(path: &Path, password: &str) -> Result<String, String> {
    let out = Command::new("7z")
        .args(["x", "-so", &format!("-p{password}")])
        .arg(path)
        .output()
        .expect("7z is needed (Debian p7zip-full, installed by scripts/setup)");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("UTF-8 content"))
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// The batch file holds exactly the batch's serial range, each line as the spec orders it.
fn assert_batch_content(app: &TestApp, codec: &PackageCodec, b: &BatchRow) {
    let password = codec.batch_password(b.batch_no as u32);
    let test = Command::new("7z").args(["t", &format!("-p{password}")]).arg(&b.path).output().unwrap();
    assert!(test.status.success(), "7z t of batch {}: {}", b.batch_no, String::from_utf8_lossy(&test.stdout));
    let text = unzip(&b.path, &password).unwrap_or_else(|e| panic!("batch {} does not open: {e}", b.batch_no));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("serial,code,url,pin"));
    let mut serial = b.serial_start as u32;
    for line in lines {
        let code = codec.code(serial);
        let expected =
            [format_serial(codec.package_id(), serial), code.clone(), app.state.codes.scan_url(&code), codec.pin(serial, 6)].join(",");
        assert_eq!(line, expected, "batch {} serial {serial}", b.batch_no);
        serial += 1;
    }
    assert_eq!(serial, b.serial_end as u32 + 1, "batch {} ends at its last serial", b.batch_no);
    assert_eq!(Some(std::fs::metadata(&b.path).unwrap().len() as i64), b.file_size, "recorded size of batch {}", b.batch_no);
}

fn part_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn generation_writes_one_aes_zip_per_batch_with_exactly_its_codes(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let spec = spec(&app, e, "瓶盖码").await;
    let p = package(&app, e, spec, admin.user_id, 2500, 3, "generating").await;
    let job_id = queue(&app, e, p, admin.user_id).await;

    work(&app, job_id).await;

    let (status, progress, total, error) = job_row(&app, job_id).await;
    assert_eq!((status.as_str(), error), ("done", None));
    assert_eq!((progress, total), (2500, 2500), "progress reached the code count");
    assert_eq!(package_status(&app, p).await, ("generated".into(), true));

    let codec = codec(&app, p).await;
    let rows = batches(&app, e, p).await;
    assert_eq!(rows.iter().map(|b| (b.serial_start as u32, b.serial_end as u32)).collect::<Vec<_>>(), batch_ranges(2500, 3));
    for b in &rows {
        assert!(b.generated_at.is_some(), "batch {} marked generated", b.batch_no);
        assert_batch_content(&app, &codec, b);
    }
    // Each batch has its own password; a wrong one opens nothing.
    assert_ne!(codec.batch_password(1), codec.batch_password(2));
    let wrong = unzip(&rows[0].path, &codec.batch_password(2)).unwrap_err();
    assert!(wrong.contains("Wrong password"), "{wrong}");
    assert!(part_files(rows[0].path.parent().unwrap()).is_empty());
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_reclaimed_job_writes_only_the_batches_an_interruption_left_undone(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let spec = spec(&app, e, "瓶盖码").await;
    let p = package(&app, e, spec, admin.user_id, 3000, 3, "generating").await;
    let job_id = queue(&app, e, p, admin.user_id).await;
    work(&app, job_id).await;
    let first_run = batches(&app, e, p).await;
    let batch_1 = std::fs::read(&first_run[0].path).unwrap();

    // As if the process had died after batch 1: batches 2 and 3 unmarked and their files gone
    // (batch 2 half-written), the package still generating, the job running with a stale
    // heartbeat.
    sqlx::query("UPDATE code_batches SET generated_at = NULL, file_size = NULL WHERE package_id = $1 AND batch_no > 1")
        .bind(p)
        .execute(app.sys())
        .await
        .unwrap();
    std::fs::remove_file(&first_run[1].path).unwrap();
    std::fs::remove_file(&first_run[2].path).unwrap();
    let leftover = first_run[1].path.with_extension("zip.part");
    std::fs::write(&leftover, b"half a file").unwrap();
    sqlx::query("UPDATE code_packages SET status = 'generating', generated_at = NULL WHERE id = $1")
        .bind(p)
        .execute(app.sys())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE jobs SET status = 'running', progress = 1000, result = NULL, finished_at = NULL,
                         heartbeat_at = now() - interval '10 minutes' WHERE id = $1",
    )
    .bind(job_id)
    .execute(app.sys())
    .await
    .unwrap();

    work(&app, job_id).await;

    let (status, progress, total, error) = job_row(&app, job_id).await;
    assert_eq!((status.as_str(), error), ("done", None));
    assert_eq!((progress, total), (3000, 3000));
    assert_eq!(package_status(&app, p).await, ("generated".into(), true));
    let rows = batches(&app, e, p).await;
    // Batch 1 was not touched: same bytes (a rewrite would have a new random salt), same mark.
    assert_eq!(std::fs::read(&rows[0].path).unwrap(), batch_1);
    assert_eq!(rows[0].generated_at, first_run[0].generated_at);
    let codec = codec(&app, p).await;
    for b in &rows {
        assert_batch_content(&app, &codec, b);
    }
    assert!(rows[1].generated_at > first_run[1].generated_at);
    assert!(!leftover.exists(), "the half-written file was replaced");
    assert!(part_files(rows[0].path.parent().unwrap()).is_empty());
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_package_that_cannot_be_generated_is_left_failed_with_the_reason(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let spec = spec(&app, e, "瓶盖码").await;
    let p = package(&app, e, spec, admin.user_id, 100, 2, "generating").await;
    // Keyed with a version this server has no master secret for.
    sqlx::query("UPDATE code_packages SET key_version = 9 WHERE id = $1").bind(p).execute(app.sys()).await.unwrap();
    let job_id = queue(&app, e, p, admin.user_id).await;

    work(&app, job_id).await;

    let (status, _, _, error) = job_row(&app, job_id).await;
    assert_eq!(status, "failed");
    assert!(error.as_deref().unwrap_or_default().contains("code key version 9 is not configured"), "{error:?}");
    assert_eq!(package_status(&app, p).await, ("failed".into(), false));
    assert!(batches(&app, e, p).await.iter().all(|b| b.generated_at.is_none() && !b.path.exists()));

    // Another enterprise's job cannot reach the package: it is not found there.
    let other = app.enterprise("山泉饮品", "13900000000").await;
    sqlx::query("UPDATE code_packages SET status = 'generating', key_version = 1 WHERE id = $1").bind(p).execute(app.sys()).await.unwrap();
    let foreign = queue(&app, other.enterprise_id, p, other.user_id).await;
    work(&app, foreign).await;
    let (status, _, _, error) = job_row(&app, foreign).await;
    assert_eq!(status, "failed");
    assert!(error.as_deref().unwrap_or_default().contains("does not exist in enterprise"), "{error:?}");
    assert_eq!(package_status(&app, p).await, ("generating".into(), false), "the other enterprise's package is untouched");
    app.close().await;
}
