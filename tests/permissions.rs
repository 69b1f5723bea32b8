#![cfg(feature = "ssr")]
//! The permission guard of server functions called directly (not through the UI), the
//! read-only built-in position, and the typed refusals of forms: field errors, stale versions,
//! records still in use.

mod common;

use common::{brand_input, ean13, field_error, product_input, TestApp, PASSWORD, PNG_1X1};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};

fn forbidden(function: &str, level: &str) -> Value {
    json!({ "Forbidden": { "function": function, "level": level } })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.sys()).await.unwrap()
}

fn page() -> Value {
    json!({ "page": 1, "size": 10 })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_position_without_the_function_is_forbidden(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let brand = app.brand(admin.enterprise_id, "鲜享").await;
    let receiver = app.restricted(admin.enterprise_id, "包材厂接收人", &[(Function::CodePackages, Level::View)], "13800000003").await;
    let mut c = app.signed_in(&receiver.login, PASSWORD).await;
    assert_eq!(c.me().await["grants"], json!({ "CodePackages": "View" }));

    let calls = [
        ("basic/brands/save", brand_input(None, 0, "新品牌"), forbidden("BasicData", "Manage")),
        ("basic/brands", json!({}), forbidden("BasicData", "View")),
        ("basic/products/save", product_input(None, 0, "新品", brand, &ean13("692123451001"), "1.00"), forbidden("BasicData", "Manage")),
        ("basic/delete", json!({ "kind": "Brand", "id": brand }), forbidden("BasicData", "Manage")),
        ("basic/products/import", json!({ "csv": "名称,品牌,条码,规格,单价\n" }), forbidden("BasicData", "Manage")),
        (
            "positions/save",
            json!({ "input": { "id": null, "version": 0, "name": "自封管理员", "description": "",
                               "grants": { "Positions": "Manage", "Accounts": "Manage" } } }),
            forbidden("Positions", "Manage"),
        ),
        // Listing positions is allowed to either Positions or Accounts viewers.
        ("positions", json!({}), forbidden("Accounts", "View")),
        (
            "accounts",
            json!({ "filter": { "position_id": null, "status": null, "search": "" }, "page": page() }),
            forbidden("Accounts", "View"),
        ),
        (
            "accounts/save",
            json!({ "input": { "id": null, "version": 0, "name": "同伙", "mobile": "13700000000", "email": "",
                               "position_id": 1, "remark": "" } }),
            forbidden("Accounts", "Manage"),
        ),
        ("audit", json!({ "filter": {}, "page": page() }), forbidden("AuditLog", "View")),
        ("audit/people", json!({}), forbidden("AuditLog", "View")),
    ];
    for (endpoint, body, expected) in calls {
        let (status, answer) = c.call(endpoint, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {answer}");
        assert_eq!(answer, expected, "{endpoint}");
    }

    // Nothing was written, not even an audit entry.
    assert_eq!(count(&app, "SELECT count(*) FROM brands").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM products").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM positions").await, 2);
    assert_eq!(count(&app, "SELECT count(*) FROM memberships").await, 2);
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 0);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn no_one_hands_out_more_than_they_hold(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let hr = app
        .restricted(
            admin.enterprise_id,
            "人事",
            &[(Function::Positions, Level::Manage), (Function::Accounts, Level::Manage)],
            "13800000004",
        )
        .await;
    let super_admin: i64 = sqlx::query_scalar("SELECT id FROM positions WHERE enterprise_id = $1 AND builtin")
        .bind(admin.enterprise_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    let mut c = app.signed_in(&hr.login, PASSWORD).await;

    // A position with a function the granter lacks: refused on the permission tree.
    let (status, body) = c
        .call(
            "positions/save",
            json!({ "input": { "id": null, "version": 0, "name": "自封", "description": "",
                               "grants": { "Accounts": "View", "BasicData": "Manage" } } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(common::field_error(&body, "grants"), Some(&json!({ "BeyondOwnPermissions": ["BasicData"] })));
    // An account on the built-in administrator position: refused on the position.
    let (status, body) = c
        .call(
            "accounts/save",
            json!({ "input": { "id": null, "version": 0, "name": "同伙", "mobile": "13700000000", "email": "",
                               "position_id": super_admin, "remark": "" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(common::field_error(&body, "position_id").is_some_and(|e| e["BeyondOwnPermissions"].as_array().is_some_and(|a| a.len() > 2)));
    assert_eq!(count(&app, "SELECT count(*) FROM users WHERE mobile = '13700000000'").await, 0);
    // Within what they hold, both work.
    let position = c
        .ok(
            "positions/save",
            json!({ "input": { "id": null, "version": 0, "name": "助理", "description": "",
                               "grants": { "Accounts": "View" } } }),
        )
        .await;
    c.ok(
        "accounts/save",
        json!({ "input": { "id": null, "version": 0, "name": "助理甲", "mobile": "13700000001", "email": "",
                           "position_id": position, "remark": "" } }),
    )
    .await;
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_view_only_position_can_list_but_not_change(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let brand = app.brand(admin.enterprise_id, "鲜享").await;
    let product = app.product(admin.enterprise_id, brand, "鲜享特级生抽", &ean13("692123451001"), 1290).await;
    let viewer = app
        .restricted(
            admin.enterprise_id,
            "审计员",
            &[(Function::BasicData, Level::View), (Function::Positions, Level::View), (Function::AuditLog, Level::View)],
            "13800000004",
        )
        .await;
    let mut c = app.signed_in(&viewer.login, PASSWORD).await;

    // Listing and reading work.
    let brands = c.ok("basic/brands", json!({})).await;
    assert_eq!(brands[0]["name"], "鲜享");
    assert_eq!(brands[0]["product_count"], 1);
    let products = c.ok("basic/products", json!({ "filter": { "brand_id": brand, "search": "" }, "page": page() })).await;
    assert_eq!(products["total"], 1);
    assert_eq!(c.ok("basic/products/get", json!({ "id": product })).await["unit_price"], 1290);
    assert_eq!(c.ok("basic/choices", json!({ "kind": "Brand" })).await, json!([{ "id": brand, "name": "鲜享" }]));
    let positions = c.ok("positions", json!({})).await;
    assert_eq!(positions.as_array().map(Vec::len), Some(2));
    assert_eq!(c.ok("audit", json!({ "filter": {}, "page": page() })).await["total"], 0);

    // Changing does not.
    let calls = [
        ("basic/brands/save", brand_input(Some(brand), 1, "改名"), forbidden("BasicData", "Manage")),
        ("basic/brands/save", brand_input(None, 0, "新品牌"), forbidden("BasicData", "Manage")),
        (
            "basic/products/save",
            product_input(Some(product), 1, "改名", brand, &ean13("692123451001"), "0.01"),
            forbidden("BasicData", "Manage"),
        ),
        ("basic/products/image", json!({ "id": product, "base64_data": PNG_1X1 }), forbidden("BasicData", "Manage")),
        ("basic/delete", json!({ "kind": "Product", "id": product }), forbidden("BasicData", "Manage")),
        (
            "basic/regions/save",
            json!({ "input": { "id": null, "version": 0, "name": "华东", "provinces": ["上海市"] } }),
            forbidden("BasicData", "Manage"),
        ),
        (
            "positions/save",
            json!({ "input": { "id": null, "version": 0, "name": "新岗位", "description": "",
                               "grants": { "BasicData": "Manage" } } }),
            forbidden("Positions", "Manage"),
        ),
    ];
    for (endpoint, body, expected) in calls {
        let (status, answer) = c.call(endpoint, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {answer}");
        assert_eq!(answer, expected, "{endpoint}");
    }
    let (name, price, image, version): (String, i64, Option<String>, i32) =
        sqlx::query_as("SELECT name, unit_price, image, version FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!((name.as_str(), price, image, version), ("鲜享特级生抽", 1290, None, 1));
    assert_eq!(count(&app, "SELECT count(*) FROM brands").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 0);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_built_in_administrator_position_is_read_only(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    let positions = c.ok("positions", json!({})).await;
    let builtin = positions.as_array().unwrap().iter().find(|p| p["builtin"] == true).expect("built-in position").clone();
    assert_eq!(builtin["name"], "超级管理员");
    assert_eq!(builtin["account_count"], 1);
    let id = builtin["id"].as_i64().unwrap();
    let before: String =
        sqlx::query_scalar("SELECT row_to_json(p)::text FROM positions p WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();

    let edit = json!({ "input": { "id": id, "version": builtin["version"], "name": "普通员工", "description": "",
                                  "grants": { "CodeQuery": "View" } } });
    let (status, body) = c.call("positions/save", edit).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, json!({ "Refused": "BuiltInReadOnly" })));
    let (status, body) = c.call("positions/delete", json!({ "id": id })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, json!({ "Refused": "BuiltInReadOnly" })));

    let after: String =
        sqlx::query_scalar("SELECT row_to_json(p)::text FROM positions p WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(after, before);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 0);

    // An ordinary position is editable and deletable, but not while someone holds it.
    let mut input = json!({ "input": { "id": null, "version": 0, "name": "码管理员", "description": "发码",
                                       "grants": { "CodeSpecs": "Manage" } } });
    let pid = c.ok("positions/save", input.clone()).await.as_i64().unwrap();
    input["input"]["id"] = json!(pid);
    input["input"]["version"] = json!(1);
    input["input"]["grants"] = json!({ "CodeSpecs": "Manage", "CodeQuery": "View" });
    assert_eq!(c.ok("positions/save", input).await, json!(pid));
    app.member(admin.enterprise_id, pid, "李娜", "13800000001").await;
    let (status, body) = c.call("positions/delete", json!({ "id": pid })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["账号 李娜"] } } }));
    sqlx::query("DELETE FROM memberships WHERE position_id = $1").bind(pid).execute(app.sys()).await.unwrap();
    assert_eq!(c.ok("positions/delete", json!({ "id": pid })).await, Value::Null);
    assert_eq!(count(&app, "SELECT count(*) FROM positions").await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn invalid_input_is_refused_on_the_field(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let position = app.position(admin.enterprise_id, "营销运营", &[(Function::Campaigns, Level::Manage)]).await;
    let brand = app.brand(admin.enterprise_id, "鲜享").await;
    let barcode = ean13("692123451001");
    app.product(admin.enterprise_id, brand, "鲜享特级生抽", &barcode, 1290).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    // Position name: at most 10 characters (characters, not bytes).
    let position_input =
        |name: &str| json!({ "input": { "id": null, "version": 0, "name": name, "description": "", "grants": { "CodeQuery": "View" } } });
    let (status, body) = c.call("positions/save", position_input("区域营销运营经理助理岗")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "name", "msg": { "TooLong": { "max": 10 } } }] }));
    c.ok("positions/save", position_input("区域营销运营经理助理")).await;
    // Duplicate position name.
    let (status, body) = c.call("positions/save", position_input("营销运营")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "name"), Some(&json!("Duplicate")));

    // Account: an 11-digit mainland mobile.
    let account = |mobile: &str, email: &str| {
        json!({ "input": { "id": null, "version": 0, "name": "王芳", "mobile": mobile, "email": email,
                           "position_id": position, "remark": "" } })
    };
    let (status, body) = c.call("accounts/save", account("123", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "mobile"), Some(&json!("InvalidMobile")));
    let (status, body) = c.call("accounts/save", account("13912345678", "not-an-email")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "email"), Some(&json!("InvalidEmail")));
    assert_eq!(field_error(&body, "mobile"), None);
    // The administrator is already an account of this enterprise.
    let (status, body) = c.call("accounts/save", account("13800000000", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "mobile"), Some(&json!("Duplicate")));

    // Product: EAN-13 check digit, money, required brand.
    let bad_check_digit = format!("{}{}", &barcode[..12], (barcode.as_bytes()[12] - b'0' + 1) % 10);
    let (status, body) = c.call("basic/products/save", product_input(None, 0, "鲜享老抽", brand, &bad_check_digit, "12.90")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "barcode", "msg": "InvalidEan13" }] }));
    let mut no_brand = product_input(None, 0, "鲜享老抽", brand, &ean13("692123451002"), "1.999");
    no_brand["input"]["brand_id"] = Value::Null;
    let (status, body) = c.call("basic/products/save", no_brand).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "brand_id"), Some(&json!("Required")));
    assert_eq!(field_error(&body, "unit_price"), Some(&json!("InvalidMoney")));
    // A barcode the enterprise already has.
    let (status, body) = c.call("basic/products/save", product_input(None, 0, "鲜享老抽", brand, &barcode, "12.90")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "barcode", "msg": "Duplicate" }] }));

    // Brand: duplicate name (after trimming), and required name.
    let (status, body) = c.call("basic/brands/save", brand_input(None, 0, " 鲜享 ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "name", "msg": "Duplicate" }] }));
    let (status, body) = c.call("basic/brands/save", brand_input(None, 0, "   ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "name"), Some(&json!("Required")));

    // None of the refused forms left a row or an audit entry behind.
    assert_eq!(count(&app, "SELECT count(*) FROM positions").await, 3);
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM outbox").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM products").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM brands").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, 1, "only the valid position");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn stale_versions_and_records_in_use_are_conflicts(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    // Two people load brand v1; the first saves, the second's save is stale.
    let brand = c.ok("basic/brands/save", brand_input(None, 0, "鲜享")).await.as_i64().unwrap();
    assert_eq!(c.ok("basic/brands/save", brand_input(Some(brand), 1, "鲜享牌")).await, json!(brand));
    let (status, body) = c.call("basic/brands/save", brand_input(Some(brand), 1, "鲜享集团")).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({ "Refused": "Stale" })));
    let (name, version): (String, i32) =
        sqlx::query_as("SELECT name, version FROM brands WHERE id = $1").bind(brand).fetch_one(app.sys()).await.unwrap();
    assert_eq!((name.as_str(), version), ("鲜享牌", 2));

    // The same for products.
    let barcode = ean13("692123451001");
    let product = c.ok("basic/products/save", product_input(None, 0, "鲜享特级生抽", brand, &barcode, "12.90")).await.as_i64().unwrap();
    c.ok("basic/products/save", product_input(Some(product), 1, "鲜享特级生抽", brand, &barcode, "13.50")).await;
    let (status, body) = c.call("basic/products/save", product_input(Some(product), 1, "鲜享特级生抽", brand, &barcode, "9.90")).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({ "Refused": "Stale" })));
    let price: i64 = sqlx::query_scalar("SELECT unit_price FROM products WHERE id = $1").bind(product).fetch_one(app.sys()).await.unwrap();
    assert_eq!(price, 1350);

    // A brand a product uses cannot be deleted; the refusal names the product.
    let (status, body) = c.call("basic/delete", json!({ "kind": "Brand", "id": brand })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["产品 鲜享特级生抽"] } } }));
    assert_eq!(count(&app, "SELECT count(*) FROM brands").await, 1);

    // Once the product is gone the brand goes too; deleting again is 404.
    assert_eq!(c.ok("basic/delete", json!({ "kind": "Product", "id": product })).await, Value::Null);
    assert_eq!(c.ok("basic/delete", json!({ "kind": "Brand", "id": brand })).await, Value::Null);
    let (status, body) = c.call("basic/delete", json!({ "kind": "Brand", "id": brand })).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!("NotFound")));
    // Saving a deleted record is 404, not stale.
    let (status, body) = c.call("basic/brands/save", brand_input(Some(brand), 2, "鲜享")).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!("NotFound")));
    assert_eq!(count(&app, "SELECT count(*) FROM brands").await, 0);
    app.close().await;
}
