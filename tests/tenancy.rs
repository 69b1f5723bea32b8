#![cfg(feature = "ssr")]
//! Enterprise isolation: through every server function that takes an id, and in the database
//! itself (row-level security for tessera_app).

mod common;

use common::{brand_input, ean13, product_input, TestApp, PASSWORD, PNG_1X1};
use http::StatusCode;
use serde_json::json;
use sqlx::{PgPool, Row};
use tessera::domain::access::{Function, Level};

/// Every column of a product, as text, to compare before and after.
async fn product_row(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT row_to_json(p)::text FROM products p WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap()
}

async fn brand_row(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT row_to_json(b)::text FROM brands b WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn one_enterprise_cannot_read_or_change_anothers_records_by_id(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let a = app.enterprise("鲜享食品集团", "13800000000").await;
    let b = app.enterprise("山岚茶业", "13900000000").await;
    let a_brand = app.brand(a.enterprise_id, "鲜享").await;
    let a_product = app.product(a.enterprise_id, a_brand, "鲜享特级生抽", &ean13("692123451001"), 1290).await;
    let b_brand = app.brand(b.enterprise_id, "山岚").await;
    let b_product = app.product(b.enterprise_id, b_brand, "山岚龙井", &ean13("692123452001"), 8800).await;
    let b_region: i64 =
        sqlx::query_scalar("INSERT INTO regions (enterprise_id, name, provinces) VALUES ($1, '华东', '{浙江省}') RETURNING id")
            .bind(b.enterprise_id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    let b_position = app.position(b.enterprise_id, "茶艺师", &[(Function::BasicData, Level::View)]).await;
    let b_staff = app.member(b.enterprise_id, b_position, "茶艺师", "13900000001").await;
    let b_account = app.membership_id(b.enterprise_id, b_staff).await;
    let b_job: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (enterprise_id, kind, payload, created_by) VALUES ($1, 'import_products', '{}', $2) RETURNING id",
    )
    .bind(b.enterprise_id)
    .bind(b.user_id)
    .fetch_one(app.sys())
    .await
    .unwrap();

    let product_before = product_row(&app, b_product).await;
    let brand_before = brand_row(&app, b_brand).await;
    let mut c = app.signed_in(&a.login, PASSWORD).await;

    // Sanity: A's own product is readable, and takes an image (B's product below does not).
    assert_eq!(c.ok("basic/products/get", json!({ "id": a_product })).await["name"], "鲜享特级生抽");
    let (status, answer) = c.call("basic/products/image", json!({ "id": a_product, "base64_data": "R0lGODlhAQABAAAAACw=" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a GIF: {answer}");
    assert_eq!(common::field_error(&answer, "image"), Some(&json!("UnsupportedFileType")));
    let image = c.ok("basic/products/image", json!({ "id": a_product, "base64_data": PNG_1X1 })).await;
    let image = image.as_str().expect("stored path").to_string();
    assert!(image.starts_with(&format!("products/{}/{a_product}-", a.enterprise_id)) && image.ends_with(".png"), "{image}");
    assert!(app.media_dir().join(&image).is_file());
    let stored: Option<String> =
        sqlx::query_scalar("SELECT image FROM products WHERE id = $1").bind(a_product).fetch_one(app.sys()).await.unwrap();
    assert_eq!(stored.as_deref(), Some(image.as_str()));
    let a_product_version = 2;

    let not_found = |endpoint: &str, body: serde_json::Value| (endpoint.to_string(), body);
    let attempts = [
        not_found("basic/products/get", json!({ "id": b_product })),
        // Update B's product, with A's brand or with B's own.
        not_found("basic/products/save", product_input(Some(b_product), 1, "改名", a_brand, &ean13("692123451002"), "1.00")),
        not_found("basic/products/save", product_input(Some(b_product), 1, "改名", b_brand, &ean13("692123452001"), "1.00")),
        not_found("basic/delete", json!({ "kind": "Product", "id": b_product })),
        not_found("basic/products/image", json!({ "id": b_product, "base64_data": PNG_1X1 })),
        not_found("basic/brands/save", brand_input(Some(b_brand), 1, "改名")),
        not_found("basic/delete", json!({ "kind": "Region", "id": b_region })),
        not_found("basic/regions/save", json!({ "input": { "id": b_region, "version": 1, "name": "改名", "provinces": ["上海市"] } })),
        not_found("accounts/status", json!({ "id": b_account, "status": "Disabled" })),
        not_found(
            "accounts/save",
            json!({ "input": { "id": b_account, "version": 1, "name": "改名", "mobile": "13900000001",
                               "email": "", "position_id": b_position, "remark": "" } }),
        ),
        not_found(
            "positions/save",
            json!({ "input": { "id": b_position, "version": 1, "name": "改名", "description": "",
                               "grants": { "Accounts": "Manage" } } }),
        ),
        not_found("positions/delete", json!({ "id": b_position })),
        not_found("jobs/status", json!({ "id": b_job })),
        not_found("session/switch-enterprise", json!({ "enterprise_id": b.enterprise_id })),
    ];
    for (endpoint, body) in attempts {
        let (status, answer) = c.call(&endpoint, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint} {body}: {answer}");
        assert_eq!(answer, json!("NotFound"), "{endpoint} {body}");
    }

    // Deleting B's brand: B's product uses it, but A must not even learn that.
    let (status, answer) = c.call("basic/delete", json!({ "kind": "Brand", "id": b_brand })).await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, json!("NotFound")), "brand delete leaks B's references");

    // Creating a product in A that points at B's brand: refused on the field.
    let (status, answer) = c.call("basic/products/save", product_input(None, 0, "串货", b_brand, &ean13("692123451003"), "1.00")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(common::field_error(&answer, "brand_id"), Some(&json!("NotFound")));
    // Moving A's own product onto B's brand: the same.
    let (status, answer) = c
        .call(
            "basic/products/save",
            product_input(Some(a_product), a_product_version, "鲜享特级生抽", b_brand, &ean13("692123451001"), "12.90"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(common::field_error(&answer, "brand_id"), Some(&json!("NotFound")));
    // An account in A on B's position: refused on the field.
    let (status, answer) = c
        .call(
            "accounts/save",
            json!({ "input": { "id": null, "version": 0, "name": "串岗", "mobile": "13700000000",
                               "email": "", "position_id": b_position, "remark": "" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(common::field_error(&answer, "position_id"), Some(&json!("NotFound")));

    // B's rows are exactly as they were; nothing of A's points into B; no file was written.
    assert_eq!(product_row(&app, b_product).await, product_before);
    assert_eq!(brand_row(&app, b_brand).await, brand_before);
    let b_state: (String, String, i32) =
        sqlx::query_as("SELECT m.status, p.name, p.version FROM memberships m JOIN positions p ON p.id = m.position_id WHERE m.id = $1")
            .bind(b_account)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(b_state, ("enabled".into(), "茶艺师".into(), 1));
    let b_region_name: String =
        sqlx::query_scalar("SELECT name FROM regions WHERE id = $1").bind(b_region).fetch_one(app.sys()).await.unwrap();
    assert_eq!(b_region_name, "华东");
    let cross: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE enterprise_id = $1 AND brand_id = $2")
        .bind(a.enterprise_id)
        .bind(b_brand)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(cross, 0);
    let a_products: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE enterprise_id = $1")
        .bind(a.enterprise_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(a_products, 1);
    let stored: Vec<_> = std::fs::read_dir(app.media_dir().join("products").join(a.enterprise_id.to_string()))
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(stored.len(), 1, "only A's own image: {stored:?}");
    assert!(!app.media_dir().join("products").join(b.enterprise_id.to_string()).exists(), "an image for B's product");
    assert!(!stored[0].starts_with(&format!("{b_product}-")), "an image for B's product: {stored:?}");
    let b_audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE enterprise_id = $1")
        .bind(b.enterprise_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(b_audit, 0);

    // Lists show only A's records.
    let list = c.ok("basic/products", json!({ "filter": { "brand_id": null, "search": "" }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a_product);
    let brands = c.ok("basic/choices", json!({ "kind": "Brand" })).await;
    assert_eq!(brands, json!([{ "id": a_brand, "name": "鲜享" }]));
    let accounts = c
        .ok("accounts", json!({ "filter": { "position_id": null, "status": null, "search": "" }, "page": { "page": 1, "size": 10 } }))
        .await;
    assert_eq!(accounts["total"], 1);
    assert_eq!(accounts["items"][0]["user_id"], a.user_id);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn row_level_security_confines_the_app_role_to_the_set_enterprise(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (a, b): (i64, i64) =
        sqlx::query_as("WITH e AS (INSERT INTO enterprises (name) VALUES ('甲'), ('乙') RETURNING id) SELECT min(id), max(id) FROM e")
            .fetch_one(app.sys())
            .await
            .unwrap();
    let a_brand = app.brand(a, "甲牌").await;
    let b_brand = app.brand(b, "乙牌").await;
    app.product(a, a_brand, "甲一", &ean13("692000000001"), 100).await;
    app.product(a, a_brand, "甲二", &ean13("692000000002"), 100).await;
    let b_product = app.product(b, b_brand, "乙一", &ean13("692000000003"), 100).await;
    let db = app.db();

    // The app pool really runs as tessera_app.
    let role: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&db.app).await.unwrap();
    assert_eq!(role, "tessera_app");

    // Without tessera.enterprise_id: nothing at all.
    for table in ["products", "brands", "enterprises", "positions", "memberships", "users", "audit_log"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&db.app).await.unwrap();
        assert_eq!(n, 0, "{table} visible without an enterprise");
    }
    let by_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM products WHERE id = $1").bind(b_product).fetch_optional(&db.app).await.unwrap();
    assert_eq!(by_id, None);
    // And nothing can be written without one.
    let err = sqlx::query("INSERT INTO brands (enterprise_id, name) VALUES ($1, '无主')")
        .bind(a)
        .execute(&db.app)
        .await
        .expect_err("insert without enterprise");
    assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("42501"), "{err}");

    // With the setting: that enterprise's rows only.
    let mut tx = db.tenant(a).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM products ORDER BY name").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(names, ["甲一", "甲二"]);
    let brands: Vec<i64> = sqlx::query_scalar("SELECT id FROM brands").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(brands, [a_brand]);
    let enterprises: Vec<i64> = sqlx::query_scalar("SELECT id FROM enterprises").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(enterprises, [a]);
    // Updates and deletes of the other enterprise's rows touch nothing.
    let n = sqlx::query("UPDATE products SET name = 'hijacked' WHERE id = $1").bind(b_product).execute(&mut *tx).await.unwrap();
    assert_eq!(n.rows_affected(), 0);
    let n = sqlx::query("DELETE FROM products WHERE id = $1").bind(b_product).execute(&mut *tx).await.unwrap();
    assert_eq!(n.rows_affected(), 0);
    tx.commit().await.unwrap();

    // Inserting a row of another enterprise is refused by the policy's WITH CHECK.
    let mut tx = db.tenant(a).await.unwrap();
    let err = sqlx::query("INSERT INTO products (enterprise_id, brand_id, name, barcode, unit_price) VALUES ($1, $2, '偷渡', $3, 1)")
        .bind(b)
        .bind(b_brand)
        .bind(ean13("692000000004"))
        .execute(&mut *tx)
        .await
        .expect_err("insert into another enterprise");
    let db_err = err.as_database_error().expect("database error");
    assert_eq!(db_err.code().as_deref(), Some("42501"), "{err}");
    assert!(db_err.message().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();
    // Moving one's own row into another enterprise is refused too.
    let mut tx = db.tenant(a).await.unwrap();
    let err = sqlx::query("UPDATE brands SET enterprise_id = $2 WHERE id = $1")
        .bind(a_brand)
        .bind(b)
        .execute(&mut *tx)
        .await
        .expect_err("move a row to another enterprise");
    assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("42501"), "{err}");
    tx.rollback().await.unwrap();

    // The setting is per transaction: it does not leak to the connection's next use.
    let mut conn = db.app.acquire().await.unwrap();
    {
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        sqlx::query("SELECT set_config('tessera.enterprise_id', $1, true)").bind(b.to_string()).execute(&mut *tx).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products").fetch_one(&mut *tx).await.unwrap();
        assert_eq!(n, 1);
        tx.commit().await.unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(n, 0, "the enterprise setting outlived its transaction");
    drop(conn);

    // tessera_app never reads password hashes, even of its own enterprise's people.
    let mut tx = db.tenant(a).await.unwrap();
    let err = sqlx::query("SELECT password_hash FROM users").fetch_all(&mut *tx).await.expect_err("password hashes");
    assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("42501"), "{err}");
    tx.rollback().await.unwrap();

    // Nothing above changed B's product.
    let row = sqlx::query("SELECT name, enterprise_id FROM products WHERE id = $1").bind(b_product).fetch_one(app.sys()).await.unwrap();
    assert_eq!(row.get::<String, _>("name"), "乙一");
    assert_eq!(row.get::<i64, _>("enterprise_id"), b);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_person_of_two_enterprises_keeps_their_login_whatever_one_admin_edits(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let a = app.enterprise("甲企业", "13800000001").await;
    let b = app.enterprise("乙企业", "13800000002").await; // the shared person's other enterprise
    let pa = app.position(a.enterprise_id, "运营", &[(Function::Campaigns, Level::View)]).await;
    let pb = app.position(b.enterprise_id, "运营", &[(Function::Campaigns, Level::View)]).await;
    let shared = app.member(a.enterprise_id, pa, "共用人", "13900000009").await;
    app.member(b.enterprise_id, pb, "共用人", "13900000009").await;
    let only_a = app.member(a.enterprise_id, pa, "甲专属", "13900000008").await;
    let mut c = app.signed_in(&a.login, PASSWORD).await;
    let input = |id: i64, version: i32, name: &str, mobile: &str| {
        json!({ "input": { "id": id, "version": version, "name": name, "mobile": mobile,
                           "email": "", "position_id": pa, "remark": "" } })
    };

    // A's administrator may rename the shared person but not change their login.
    let shared_account = app.membership_id(a.enterprise_id, shared).await;
    let (status, answer) = c.call("accounts/save", input(shared_account, 1, "共用人", "13900000007")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(common::field_error(&answer, "mobile"), Some(&json!("LoginSharedWithOtherEnterprises")));
    c.ok("accounts/save", input(shared_account, 1, "共用人(甲)", "13900000009")).await;
    let (name, mobile): (String, String) =
        sqlx::query_as("SELECT name, mobile FROM users WHERE id = $1").bind(shared).fetch_one(app.sys()).await.unwrap();
    assert_eq!((name.as_str(), mobile.as_str()), ("共用人(甲)", "13900000009"));

    // Someone who belongs to A alone: A's administrator manages their login.
    let own_account = app.membership_id(a.enterprise_id, only_a).await;
    c.ok("accounts/save", input(own_account, 1, "甲专属", "13900000006")).await;
    let mobile: String = sqlx::query_scalar("SELECT mobile FROM users WHERE id = $1").bind(only_a).fetch_one(app.sys()).await.unwrap();
    assert_eq!(mobile, "13900000006");
    app.close().await;
}
