#![cfg(feature = "ssr")]
//! Code query (二维码查询) by code string, scan URL or printable serial, and scrapping (码报废)
//! by code, range or batch: what a query shows, what looks invalid (forged codes, other
//! enterprises' codes), overlapping scraps refused by name, and the scrap list.

mod common;

use common::{codes, field_error, Client, Seeded, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::codes::{format_serial, ALPHABET};

/// A package of 100 codes in 4 batches (1–25, 26–50, 51–75, 76–100), generated; the
/// administrator signed in.
struct Setup {
    app: TestApp,
    admin: Seeded,
    c: Client,
    package: i64,
}

async fn setup(pool: PgPool) -> Setup {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let spec = codes::spec(&app, admin.enterprise_id, "瓶盖码").await;
    let package = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 100, 4, "generated").await;
    let c = app.signed_in(&admin.login, PASSWORD).await;
    Setup { app, admin, c, package }
}

async fn code(app: &TestApp, enterprise_id: i64, package: i64, serial: u32) -> String {
    app.state.codes.code_of(app.sys(), enterprise_id, package, serial).await.unwrap().expect("a code of the package")
}

async fn query(c: &mut Client, text: &str) -> Value {
    c.ok("codes/query", json!({ "text": text })).await
}

fn scrap(method: &str, package: Option<i64>, batch: Option<i32>, start: &str, end: &str, code: &str, reason: &str) -> Value {
    json!({ "input": { "method": method, "package_id": package, "batch_no": batch, "serial_start": start, "serial_end": end,
                       "code": code, "reason": reason } })
}

/// The same code with one character changed to another of the alphabet.
fn forged(code: &str, at: usize) -> String {
    let mut bytes = code.as_bytes().to_vec();
    bytes[at] = *ALPHABET.iter().find(|c| **c != bytes[at]).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_code_is_found_by_code_url_or_serial_with_its_info(pool: PgPool) {
    let Setup { app, admin, mut c, package } = setup(pool).await;
    let e = admin.enterprise_id;
    let brand = app.brand(e, "鲜享").await;
    let product = app.product(e, brand, "鲜享特级生抽", &common::ean13("692123450001"), 1290).await;
    let lot = c
        .ok(
            "codes/activation/fields/save",
            json!({ "input": { "id": null, "version": 0, "name": "生产批号", "required": false, "sort": 0 } }),
        )
        .await;
    let range = c
        .ok(
            "codes/activation/ranges/save",
            json!({ "input": { "id": null, "version": 0, "package_id": package, "serial_start": "26", "serial_end": "50",
                               "info": { "product_id": product, "brand_id": null, "factory_id": null, "workshop_id": null, "line_id": null,
                                         "produced_at": "2026-11-20T02:00:00Z", "extra": { lot.to_string(): "L2026" } } } }),
        )
        .await;
    c.ok("codes/activation/ranges/activate", json!({ "id": range, "version": 1, "at": null })).await;

    let code30 = code(&app, e, package, 30).await;
    let url = app.state.codes.scan_url(&code30);
    let by_code = query(&mut c, &code30).await;
    let found = &by_code["Found"];
    assert_eq!(found["package_id"], package);
    assert_eq!(found["package_status"], "generated");
    assert_eq!(found["spec_name"], "瓶盖码");
    assert_eq!((found["batch_no"].as_i64(), found["batch_start"].as_i64(), found["batch_end"].as_i64()), (Some(2), Some(26), Some(50)));
    assert_eq!(found["serial"], 30);
    assert_eq!(found["printable_serial"], format_serial(package, 30));
    assert_eq!(found["code"], code30.as_str());
    assert_eq!(found["scan_url"], format!("https://scan.example.com/s/{code30}"));
    assert_eq!(found["pin"].as_str().map(str::len), Some(6), "the spec has a 6-digit PIN and the administrator manages queries");
    assert_eq!(found["range"]["status"], "Active");
    assert_eq!(found["range"]["product_name"], "鲜享特级生抽");
    assert_eq!(found["range"]["brand_name"], "鲜享");
    assert_eq!(found["range"]["produced_at"], "2026-11-20T02:00:00Z");
    assert_eq!(found["extra"], json!([["生产批号", "L2026"]]));
    assert_eq!(found["scrap"], Value::Null);

    // The scan URL, the code as someone types it, and the printable serial find the same code.
    assert_eq!(query(&mut c, &url).await, by_code);
    assert_eq!(query(&mut c, &format!("  {}  ", code30.to_lowercase())).await, by_code);
    assert_eq!(query(&mut c, &format_serial(package, 30)).await, by_code);
    // A code without a range: no info, not activated.
    let code1 = code(&app, e, package, 1).await;
    let first = query(&mut c, &code1).await;
    assert_eq!((first["Found"]["serial"].as_i64(), &first["Found"]["range"]), (Some(1), &Value::Null));

    // Forged codes (any one character changed), nonsense, serials outside the package, and a
    // pending package's serial: all simply invalid.
    for at in [0, 7, 19] {
        assert_eq!(query(&mut c, &forged(&code30, at)).await, json!("Invalid"), "changed at {at}");
    }
    for text in ["hello", "https://scan.example.com/s/", &format_serial(package, 101), &format_serial(package + 1000, 1), &"A".repeat(400)]
    {
        assert_eq!(query(&mut c, text).await, json!("Invalid"), "{text}");
    }
    let pending = codes::package(&app, e, codes::spec(&app, e, "箱码").await, admin.user_id, 10, 1, "pending").await;
    assert_eq!(query(&mut c, &format_serial(pending, 1)).await, json!("Invalid"));
    let (status, body) = c.call("codes/query", json!({ "text": "  " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "text"), Some(&json!("Required")));

    // Another enterprise's genuine code and serial look exactly like a forged one.
    let other = app.enterprise("山泉饮品", "13900000000").await;
    let other_spec = codes::spec(&app, other.enterprise_id, "瓶盖码").await;
    let foreign = codes::package(&app, other.enterprise_id, other_spec, other.user_id, 10, 1, "sent").await;
    let foreign_code = code(&app, other.enterprise_id, foreign, 3).await;
    assert_eq!(query(&mut c, &foreign_code).await, json!("Invalid"));
    assert_eq!(query(&mut c, &format_serial(foreign, 3)).await, json!("Invalid"));

    // A viewer of queries sees everything but the PIN.
    let viewer = app.restricted(e, "查询员", &[(Function::CodeQuery, Level::View)], "13800000001").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    let seen = query(&mut v, &code30).await;
    assert_eq!(seen["Found"]["pin"], Value::Null);
    assert_eq!(seen["Found"]["range"]["status"], "Active");
    let (status, _) = v.call("codes/scrap", scrap("Code", None, None, "", "", &code30, "测试")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn codes_are_scrapped_by_code_range_or_batch_never_twice(pool: PgPool) {
    let Setup { app, admin, mut c, package } = setup(pool).await;
    let e = admin.enterprise_id;
    let serial = |s: u32| format_serial(package, s);
    let code5 = code(&app, e, package, 5).await;

    // One code by its scan URL, a range by printable serials, a whole batch.
    let one = c.ok("codes/scrap", scrap("Code", None, None, "", "", &app.state.codes.scan_url(&code5), "瓶盖印刷污损")).await;
    assert_eq!((one["method"].as_str(), one["serial_start"].as_i64(), one["serial_end"].as_i64()), (Some("Code"), Some(5), Some(5)));
    assert_eq!((one["batch_no"].as_i64(), one["scrapped_by_name"].as_str()), (Some(1), Some("管理员")));
    let range = c.ok("codes/scrap", scrap("Range", Some(package), None, &serial(10), "12", "", "破损")).await;
    assert_eq!((range["serial_start"].as_i64(), range["serial_end"].as_i64()), (Some(10), Some(12)));
    let batch = c.ok("codes/scrap", scrap("Batch", Some(package), Some(3), "", "", "", "整批退回")).await;
    assert_eq!((batch["serial_start"].as_i64(), batch["serial_end"].as_i64(), batch["batch_no"].as_i64()), (Some(51), Some(75), Some(3)));

    // Overlaps are refused naming the earlier scrap; a double click is one of them.
    let (status, body) = c.call("codes/scrap", scrap("Range", Some(package), None, "11", "15", "", "再报废")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let overlap = &body["Refused"]["Query"]["OverlapsScrap"];
    assert_eq!(
        (overlap["start"].as_str(), overlap["end"].as_str(), overlap["reason"].as_str()),
        (Some(&*serial(10)), Some(&*serial(12)), Some("破损"))
    );
    let (_, body) = c.call("codes/scrap", scrap("Batch", Some(package), Some(3), "", "", "", "整批退回")).await;
    assert_eq!(body["Refused"]["Query"]["OverlapsScrap"]["start"], serial(51));
    let (_, body) = c.call("codes/scrap", scrap("Code", None, None, "", "", &serial(60), "单个")).await;
    assert_eq!(body["Refused"]["Query"]["OverlapsScrap"]["reason"], "整批退回");
    // Bad targets: across batches, a forged code, another enterprise's package, no reason.
    let (_, body) = c.call("codes/scrap", scrap("Range", Some(package), None, "20", "30", "", "跨批")).await;
    assert_eq!(field_error(&body, "serial_end"), Some(&json!({ "Activation": { "CrossesBatches": { "first": 1, "last": 2 } } })));
    let (_, body) = c.call("codes/scrap", scrap("Code", None, None, "", "", &forged(&code5, 3), "伪造")).await;
    assert_eq!(field_error(&body, "code"), Some(&json!({ "Query": "InvalidCode" })));
    let other = app.enterprise("山泉饮品", "13900000000").await;
    let other_spec = codes::spec(&app, other.enterprise_id, "瓶盖码").await;
    let foreign = codes::package(&app, other.enterprise_id, other_spec, other.user_id, 10, 1, "sent").await;
    let (status, _) = c.call("codes/scrap", scrap("Batch", Some(foreign), Some(1), "", "", "", "越权")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let foreign_code = code(&app, other.enterprise_id, foreign, 1).await;
    let (_, body) = c.call("codes/scrap", scrap("Code", None, None, "", "", &foreign_code, "越权")).await;
    assert_eq!(field_error(&body, "code"), Some(&json!({ "Query": "InvalidCode" })));
    let (_, body) = c.call("codes/scrap", scrap("Batch", Some(package), Some(4), "", "", "", "")).await;
    assert_eq!(field_error(&body, "reason"), Some(&json!("Required")));
    let scraps: i64 = sqlx::query_scalar("SELECT count(*) FROM code_scraps").fetch_one(app.sys()).await.unwrap();
    assert_eq!(scraps, 3);

    // The query shows a scrapped code as scrapped, with reason and operator.
    let q = c.ok("codes/query", json!({ "text": serial(11) })).await;
    let s = &q["Found"]["scrap"];
    assert_eq!((s["method"].as_str(), s["reason"].as_str(), s["scrapped_by_name"].as_str()), (Some("Range"), Some("破损"), Some("管理员")));
    assert_eq!(c.ok("codes/query", json!({ "text": code5 })).await["Found"]["scrap"]["method"], "Code");

    // The list: newest first, with package name and counts; filters by method, package, day.
    let list = |filter: Value| json!({ "filter": filter, "page": { "page": 1, "size": 10 } });
    let all = c.ok("codes/scraps", list(json!({}))).await;
    assert_eq!(all["total"], 3);
    let rows: Vec<(&str, i64, i64)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["serial_start"].as_i64().unwrap(), r["serial_end"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("Batch", 51, 75), ("Range", 10, 12), ("Code", 5, 5)]);
    let package_name: String =
        sqlx::query_scalar("SELECT name FROM code_packages WHERE id = $1").bind(package).fetch_one(app.sys()).await.unwrap();
    assert_eq!(all["items"][0]["package_name"], package_name);
    assert_eq!(all["items"][0]["reason"], "整批退回");
    assert_eq!(c.ok("codes/scraps", list(json!({ "method": "Range" }))).await["total"], 1);
    assert_eq!(c.ok("codes/scraps", list(json!({ "package_id": package + 1 }))).await["total"], 0);
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let yesterday = today - chrono::Duration::days(1);
    assert_eq!(c.ok("codes/scraps", list(json!({ "from": today, "to": today }))).await["total"], 3);
    assert_eq!(c.ok("codes/scraps", list(json!({ "to": yesterday }))).await["total"], 0);
    assert_eq!(c.ok("codes/scraps", json!({ "filter": {}, "page": { "page": 2, "size": 10 } })).await["items"], json!([]));

    // Another enterprise sees none of these; a scrap viewer lists but does not scrap.
    let mut o = app.signed_in(&other.login, PASSWORD).await;
    assert_eq!(o.ok("codes/scraps", list(json!({}))).await["total"], 0);
    let viewer = app.restricted(e, "报废查看", &[(Function::CodeScrap, Level::View)], "13800000001").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    assert_eq!(v.ok("codes/scraps", list(json!({}))).await["total"], 3);
    let (status, body) = v.call("codes/scrap", scrap("Batch", Some(package), Some(4), "", "", "", "查看者")).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({ "Forbidden": { "function": "CodeScrap", "level": "Manage" } })));
    app.close().await;
}
