#![cfg(feature = "ssr")]
//! The audit log: console changes write an entry in the same transaction, and 操作日志 lists
//! them with filters and pagination.

mod common;

use common::{brand_input, ean13, product_input, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};

#[derive(Debug, sqlx::FromRow)]
struct Entry {
    user_id: Option<i64>,
    user_name: String,
    module: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    summary: String,
}

async fn entries(app: &TestApp) -> Vec<Entry> {
    sqlx::query_as("SELECT user_id, user_name, module, action, entity, entity_id, summary FROM audit_log ORDER BY id")
        .fetch_all(app.sys())
        .await
        .unwrap()
}

fn audit_query(filter: Value, page: i64, size: i64) -> Value {
    json!({ "filter": filter, "page": { "page": page, "size": size } })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn changes_record_who_did_what_to_which_record(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let position = app.position(admin.enterprise_id, "营销运营", &[(Function::Campaigns, Level::Manage)]).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    // Create a brand.
    let brand = c.ok("basic/brands/save", json!({ "input": { "id": null, "version": 0, "name": "鲜享", "remark": "主品牌" } })).await;
    let brand = brand.as_i64().unwrap();
    // Create, then update a product.
    let barcode = ean13("692123451001");
    let product = c.ok("basic/products/save", product_input(None, 0, "鲜享特级生抽", brand, &barcode, "12.90")).await;
    let product = product.as_i64().unwrap();
    c.ok("basic/products/save", product_input(Some(product), 1, "鲜享特级生抽 500ml", brand, &barcode, "15")).await;
    // Create an account.
    let account = c
        .ok(
            "accounts/save",
            json!({ "input": { "id": null, "version": 0, "name": "王芳", "mobile": "13912345678", "email": "",
                               "position_id": position, "remark": "" } }),
        )
        .await
        .as_i64()
        .unwrap();

    let log = entries(&app).await;
    assert_eq!(log.len(), 4, "{log:#?}");
    for e in &log {
        assert_eq!(e.user_id, Some(admin.user_id));
        assert_eq!(e.user_name, "管理员");
        assert_eq!(e.module, "Settings");
    }
    let brand_entry = &log[0];
    assert_eq!((brand_entry.action.as_str(), brand_entry.entity.as_str(), brand_entry.entity_id), ("create", "brand", Some(brand)));
    assert!(brand_entry.summary.contains("鲜享") && brand_entry.summary.contains("主品牌"), "{}", brand_entry.summary);

    let created = &log[1];
    assert_eq!((created.action.as_str(), created.entity.as_str(), created.entity_id), ("create", "product", Some(product)));
    assert!(created.summary.contains("鲜享特级生抽") && created.summary.contains(&barcode), "{}", created.summary);
    assert!(created.summary.contains("12.90"), "{}", created.summary);

    // An update lists exactly the changed fields, old → new.
    let updated = &log[2];
    assert_eq!((updated.action.as_str(), updated.entity.as_str(), updated.entity_id), ("update", "product", Some(product)));
    assert!(updated.summary.contains("单价: 12.90 → 15.00"), "{}", updated.summary);
    assert!(updated.summary.contains("名称: 鲜享特级生抽 → 鲜享特级生抽 500ml"), "{}", updated.summary);
    assert!(!updated.summary.contains("条码"), "unchanged fields are not listed: {}", updated.summary);

    let account_entry = &log[3];
    assert_eq!(
        (account_entry.action.as_str(), account_entry.entity.as_str(), account_entry.entity_id),
        ("create", "account", Some(account))
    );
    assert!(account_entry.summary.contains("王芳") && account_entry.summary.contains("13912345678"), "{}", account_entry.summary);
    // The initial password is never written into the log.
    let sms: String = sqlx::query_scalar("SELECT body FROM outbox WHERE channel = 'sms'").fetch_one(app.sys()).await.unwrap();
    let initial = sms.split("初始密码：").nth(1).and_then(|r| r.split('。').next()).unwrap();
    assert!(log.iter().all(|e| !e.summary.contains(initial)));

    // 操作日志 shows them, newest first.
    let page = c.ok("audit", audit_query(json!({}), 1, 10)).await;
    assert_eq!(page["total"], 4);
    let listed: Vec<(&str, &str, i64)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["entity"].as_str().unwrap(), e["entity_id"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("create", "account", account), ("update", "product", product), ("create", "product", product), ("create", "brand", brand)]
    );
    let first = &page["items"][0];
    assert_eq!(first["user_id"], admin.user_id);
    assert_eq!(first["user_name"], "管理员");
    assert_eq!(first["module"], "Settings");
    assert_eq!(first["summary"], account_entry.summary.as_str());
    assert_eq!(c.ok("audit", audit_query(json!({ "user_id": admin.user_id, "module": "Settings" }), 1, 10)).await["total"], 4);
    assert_eq!(c.ok("audit", audit_query(json!({ "module": "Codes" }), 1, 10)).await["total"], 0);
    app.close().await;
}

/// Inserts `n` entries at `at` (a timestamptz literal), one second apart.
async fn insert_entries(app: &TestApp, enterprise: i64, user: (i64, &str), module: &str, at: &str, n: i32) {
    sqlx::query(
        "INSERT INTO audit_log (enterprise_id, at, user_id, user_name, module, action, entity, entity_id, summary)
         SELECT $1, $2::timestamptz + make_interval(secs => i), $3, $4, $5, 'update', 'brand', i, 'entry ' || i
           FROM generate_series(1, $6) AS i",
    )
    .bind(enterprise)
    .bind(at)
    .bind(user.0)
    .bind(user.1)
    .bind(module)
    .bind(n)
    .execute(app.sys())
    .await
    .unwrap();
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_log_filters_by_person_module_and_china_dates_and_pages(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let other = app.enterprise("山岚茶业", "13900000000").await;
    let auditor = app.restricted(admin.enterprise_id, "审计员", &[(Function::AuditLog, Level::View)], "13800000005").await;
    let staff = app.restricted(admin.enterprise_id, "码管理员", &[(Function::CodeSpecs, Level::Manage)], "13800000001").await;
    let e = admin.enterprise_id;
    // Dates are China Standard Time (UTC+8), the console's.
    insert_entries(&app, e, (admin.user_id, "管理员"), "Settings", "2026-03-01 10:00+08", 25).await;
    // 00:30 on 2 March in China is still 1 March in UTC.
    insert_entries(&app, e, (staff.user_id, "码管理员"), "Settings", "2026-03-02 00:30+08", 3).await;
    // 07:30 on 1 March in China is 28 February in UTC.
    insert_entries(&app, e, (admin.user_id, "管理员"), "Codes", "2026-03-01 07:30+08", 2).await;
    insert_entries(&app, e, (admin.user_id, "管理员"), "Settings", "2026-02-28 23:30+08", 1).await;
    // Another enterprise's entries never show.
    insert_entries(&app, other.enterprise_id, (other.user_id, "管理员"), "Settings", "2026-03-01 12:00+08", 5).await;

    // A view-only auditor reads the log.
    let mut c = app.signed_in(&auditor.login, PASSWORD).await;
    let total = |v: &Value| v["total"].as_i64().unwrap();
    let len = |v: &Value| v["items"].as_array().unwrap().len();

    let all = c.ok("audit", audit_query(json!({}), 1, 10)).await;
    assert_eq!((total(&all), len(&all), all["page"].as_i64(), all["size"].as_i64()), (31, 10, Some(1), Some(10)));
    assert_eq!(all["items"][0]["user_name"], "码管理员", "newest first");
    assert_eq!(all["items"][0]["summary"], "entry 3");
    // The last page holds the remainder: the oldest entry.
    let last = c.ok("audit", audit_query(json!({}), 4, 10)).await;
    assert_eq!((total(&last), len(&last)), (31, 1));
    assert_eq!(last["items"][0]["at"].as_str().map(|s| s.starts_with("2026-02-28T15:30:01")), Some(true), "{last}");
    // Past the end: nothing listed.
    let beyond = c.ok("audit", audit_query(json!({}), 9, 10)).await;
    assert_eq!(len(&beyond), 0);
    // Only the offered page sizes; anything else is 10.
    let odd = c.ok("audit", audit_query(json!({}), 1, 7)).await;
    assert_eq!((odd["size"].as_i64(), len(&odd)), (Some(10), 10));
    let fifty = c.ok("audit", audit_query(json!({}), 1, 50)).await;
    assert_eq!(len(&fifty), 31);

    // By person.
    let by_staff = c.ok("audit", audit_query(json!({ "user_id": staff.user_id }), 1, 10)).await;
    assert_eq!(total(&by_staff), 3);
    assert!(by_staff["items"].as_array().unwrap().iter().all(|e| e["user_id"] == staff.user_id));
    let by_admin = c.ok("audit", audit_query(json!({ "user_id": admin.user_id }), 1, 10)).await;
    assert_eq!(total(&by_admin), 28);
    // By module.
    let codes = c.ok("audit", audit_query(json!({ "module": "Codes" }), 1, 10)).await;
    assert_eq!(total(&codes), 2);
    assert!(codes["items"].as_array().unwrap().iter().all(|e| e["module"] == "Codes"));
    assert_eq!(total(&c.ok("audit", audit_query(json!({ "module": "Settings" }), 1, 10)).await), 29);
    // By China date, inclusive at both ends.
    let first_of_march = c.ok("audit", audit_query(json!({ "from": "2026-03-01", "to": "2026-03-01" }), 1, 10)).await;
    assert_eq!(total(&first_of_march), 27, "25 at 10:00 and 2 at 07:30 China time");
    assert_eq!(total(&c.ok("audit", audit_query(json!({ "from": "2026-03-02" }), 1, 10)).await), 3);
    assert_eq!(total(&c.ok("audit", audit_query(json!({ "to": "2026-02-28" }), 1, 10)).await), 1);
    assert_eq!(total(&c.ok("audit", audit_query(json!({ "from": "2026-03-03" }), 1, 10)).await), 0);
    // Everything together, paged.
    let combined = json!({ "user_id": admin.user_id, "module": "Settings", "from": "2026-03-01", "to": "2026-03-02" });
    let p3 = c.ok("audit", audit_query(combined, 3, 10)).await;
    assert_eq!((total(&p3), len(&p3), p3["page"].as_i64()), (25, 5, Some(3)));

    // The person filter's choices are this enterprise's people.
    let people = c.ok("audit/people", json!({})).await;
    let mut ids: Vec<i64> = people.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    ids.sort();
    let mut expected = vec![admin.user_id, auditor.user_id, staff.user_id];
    expected.sort();
    assert_eq!(ids, expected);

    // Reading is not writing: the auditor cannot add entries through any change.
    let (status, _) = c.call("basic/brands/save", brand_input(None, 0, "x")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(app.sys()).await.unwrap();
    assert_eq!(n, 36);
    app.close().await;
}
