#![cfg(feature = "ssr")]
//! Product CSV import: queued as a job, run by the worker, polled through jobs/status with a
//! per-line report.

mod common;

use common::{ean13, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use tessera::domain::basic_data::ImportReport;
use tessera::domain::validate::{FieldError, Msg};
use tessera::server::jobs;

const HEADER: &str = "名称,品牌,条码,规格,单价";

async fn products(app: &TestApp, enterprise_id: i64) -> Vec<(String, String, String, i64)> {
    sqlx::query_as(
        "SELECT p.name, b.name, p.barcode, p.unit_price FROM products p JOIN brands b ON b.id = p.brand_id
          WHERE p.enterprise_id = $1 ORDER BY p.id",
    )
    .bind(enterprise_id)
    .fetch_all(app.sys())
    .await
    .unwrap()
}

fn report(status: &Value) -> ImportReport {
    serde_json::from_value(status["result"].clone()).unwrap_or_else(|e| panic!("no ImportReport in {status}: {e}"))
}

fn err(field: &str, msg: Msg) -> FieldError {
    FieldError { field: field.into(), msg }
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_csv_import_is_queued_run_and_reported_line_by_line(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let xianxiang = app.brand(admin.enterprise_id, "鲜享").await;
    app.brand(admin.enterprise_id, "老坛").await;
    let existing = ean13("692123450001");
    app.product(admin.enterprise_id, xianxiang, "鲜享香醋", &existing, 890).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    let bad_check_digit = {
        let good = ean13("692123451002");
        format!("{}{}", &good[..12], (good.as_bytes()[12] - b'0' + 1) % 10)
    };
    let csv = [
        HEADER.to_string(),
        format!("鲜享特级生抽,鲜享,{},500ml/瓶,12.90", ean13("692123451001")), // line 2: imported
        format!("鲜享金标老抽,鲜享,{bad_check_digit},500ml/瓶,13.50"),         // line 3: bad barcode
        format!("山泉天然饮用水,山泉,{},550ml×24瓶,36", ean13("692123451003")), // line 4: unknown brand
        format!("老坛酸菜,老坛,{},400g/袋,6.5", ean13("692123451004")),        // line 5: imported
        format!("鲜享香醋二代,鲜享,{existing},420ml/瓶,9"),                    // line 6: barcode taken
        format!("\"鲜享蚝油, 大瓶\",鲜享,{},700g/瓶,15.80", ean13("692123451006")), // line 7: imported
        format!("老坛剁辣椒,老坛,{},260g/瓶,九块九", ean13("692123451007")),   // line 8: bad price
    ]
    .join("\n");

    let job_id = c.ok("basic/products/import", json!({ "csv": csv })).await.as_i64().expect("job id");
    // Queued, for this enterprise, by this person; nothing imported yet.
    let (kind, status, enterprise, created_by): (String, String, i64, Option<i64>) =
        sqlx::query_as("SELECT kind, status, enterprise_id, created_by FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!((kind.as_str(), status.as_str()), ("import_products", "queued"));
    assert_eq!((enterprise, created_by), (admin.enterprise_id, Some(admin.user_id)));
    assert_eq!(products(&app, admin.enterprise_id).await.len(), 1);
    let queued = c.ok("jobs/status", json!({ "id": job_id })).await;
    assert_eq!(queued["status"], "Queued");
    assert_eq!(queued["result"], Value::Null);

    // The worker's loop, one turn: claim, run, record the outcome.
    let job = jobs::claim(&app.state).await.unwrap().expect("a job to claim");
    assert_eq!(job.id, job_id);
    assert_eq!((job.actor.enterprise_id, job.actor.user_id), (admin.enterprise_id, admin.user_id));
    assert_eq!(c.ok("jobs/status", json!({ "id": job_id })).await["status"], "Running");
    let outcome = jobs::run(job).await;
    jobs::finish(app.db(), job_id, outcome).await.unwrap();
    assert!(jobs::claim(&app.state).await.unwrap().is_none(), "the job is not claimed twice");

    let done = c.ok("jobs/status", json!({ "id": job_id })).await;
    assert_eq!(done["status"], "Done", "{done}");
    assert_eq!(done["kind"], "import_products");
    assert_eq!(done["error"], Value::Null);
    assert_eq!((done["progress"].as_i64(), done["total"].as_i64()), (Some(7), Some(7)));
    let r = report(&done);
    assert_eq!(r.imported, 3);
    let failed: Vec<(usize, Vec<FieldError>)> = r.failed.into_iter().map(|f| (f.line, f.errors)).collect();
    assert_eq!(
        failed,
        vec![
            (3, vec![err("barcode", Msg::InvalidEan13)]),
            (4, vec![err("brand_id", Msg::Other("山泉?".into()))]),
            (6, vec![err("barcode", Msg::Duplicate)]),
            (8, vec![err("unit_price", Msg::InvalidMoney)]),
        ]
    );

    // Valid rows are in, with their brand and price in fen; refused rows are not.
    let rows = products(&app, admin.enterprise_id).await;
    assert_eq!(
        rows,
        vec![
            ("鲜享香醋".into(), "鲜享".into(), existing.clone(), 890),
            ("鲜享特级生抽".into(), "鲜享".into(), ean13("692123451001"), 1290),
            ("老坛酸菜".into(), "老坛".into(), ean13("692123451004"), 650),
            ("鲜享蚝油, 大瓶".into(), "鲜享".into(), ean13("692123451006"), 1580),
        ]
    );
    // One audit entry for the import, in the name of who queued it.
    let audit: (Option<i64>, String, String, String, String) =
        sqlx::query_as("SELECT user_id, module, action, entity, summary FROM audit_log WHERE action = 'import'")
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(audit, (Some(admin.user_id), "Settings".into(), "import".into(), "product".into(), "导入产品 3 条，失败 4 条".into()));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_background_worker_runs_imports_and_lines_count_blank_and_multiline_rows(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    app.brand(admin.enterprise_id, "鲜享").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    // Empty files are refused before anything is queued.
    let (status, body) = c.call("basic/products/import", json!({ "csv": "  \n" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "file"), Some(&json!("Required")));

    // Line numbers are the file's: a blank line and a quoted two-line field still count, with
    // Unix or Windows line ends.
    let csv = |prefix: &str, eol: &str| {
        [
            HEADER.to_string(),
            format!("鲜享生抽,鲜享,{},500ml,12", ean13(&format!("{prefix}01"))),
            String::new(),
            "鲜享老抽,鲜享,123,500ml,12".to_string(),
            format!("\"鲜享{eol}礼盒\",鲜享,{},6瓶,99", ean13(&format!("{prefix}02"))),
            format!("鲜享蚝油,无此牌,{},700g,15", ean13(&format!("{prefix}03"))),
            String::new(),
        ]
        .join(eol)
    };
    let unix = c.ok("basic/products/import", json!({ "csv": csv("6921234520", "\n") })).await.as_i64().unwrap();
    let windows = c.ok("basic/products/import", json!({ "csv": csv("6921234530", "\r\n") })).await.as_i64().unwrap();

    let worker = tokio::spawn(jobs::work_forever(app.state.clone()));
    let mut finished = vec![];
    for job_id in [unix, windows] {
        let mut status = Value::Null;
        for _ in 0..100 {
            status = c.ok("jobs/status", json!({ "id": job_id })).await;
            if status["status"] == "Done" || status["status"] == "Failed" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        finished.push(status);
    }
    worker.abort();
    let _ = worker.await;
    for status in &finished {
        assert_eq!(status["status"], "Done", "{status}");
        let r = report(status);
        assert_eq!(r.imported, 2, "{status}");
        let lines: Vec<(usize, &str)> = r.failed.iter().map(|f| (f.line, f.errors[0].field.as_str())).collect();
        assert_eq!(lines, vec![(4, "barcode"), (7, "brand_id")], "{status}");
    }
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM products ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(names, ["鲜享生抽", "鲜享\n礼盒", "鲜享生抽", "鲜享\r\n礼盒"]);

    // A job of another kind fails with its reason, without stopping anything else.
    let bogus: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (enterprise_id, kind, payload, created_by) VALUES ($1, 'no_such_kind', '{}', $2) RETURNING id",
    )
    .bind(admin.enterprise_id)
    .bind(admin.user_id)
    .fetch_one(app.sys())
    .await
    .unwrap();
    let job = jobs::claim(&app.state).await.unwrap().expect("claimable");
    assert_eq!(job.id, bogus);
    let outcome = jobs::run(job).await;
    jobs::finish(app.db(), bogus, outcome).await.unwrap();
    let failed = c.ok("jobs/status", json!({ "id": bogus })).await;
    assert_eq!(failed["status"], "Failed");
    assert_eq!(failed["error"], "unknown job kind no_such_kind");
    app.close().await;
}
