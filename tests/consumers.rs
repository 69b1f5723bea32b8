//! Consumers: the profile form and mobile binding through the consumer API (a phone keeping its
//! device cookie), merging two devices' records, the code limits; the console's member list,
//! detail, import, export, points adjustment and risk flags; the blacklist; tenancy.

mod common;

use common::campaigns::{group, input, prize, running, Phone};
use common::codes::spec;
use common::{field_error, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::campaign::PrizeKind;
use tessera::server::repo::consumers::{change_points, PointsReason};

/// A phone's call that must succeed.
trait OkCall {
    async fn ok_call(&mut self, endpoint: &str, body: Value) -> Value;
}

impl OkCall for Phone {
    async fn ok_call(&mut self, endpoint: &str, body: Value) -> Value {
        let (status, value) = self.call(endpoint, body).await;
        assert_eq!(status, StatusCode::OK, "{endpoint} answered {status}: {value}");
        value
    }
}

/// The consumer id behind a phone (its device cookie) in enterprise `e`.
async fn consumer_of(app: &TestApp, phone: &Phone, e: i64) -> i64 {
    let device = phone.cookie.as_deref().and_then(|c| c.split('.').next()).expect("a device cookie");
    sqlx::query_scalar("SELECT consumer_id FROM consumer_devices WHERE enterprise_id = $1 AND device_id = $2")
        .bind(e)
        .bind(device)
        .fetch_one(app.sys())
        .await
        .expect("device row")
}

/// The last code texted to `mobile` (read from the outbox, as a phone would from its SMS).
async fn texted_code(app: &TestApp, mobile: &str) -> String {
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE channel = 'sms' AND address = $1 ORDER BY id DESC LIMIT 1")
        .bind(mobile)
        .fetch_one(app.sys())
        .await
        .expect("an SMS in the outbox");
    let digits: Vec<char> = body.chars().collect();
    digits
        .windows(6)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no code in {body}"))
}

async fn grant_points(app: &TestApp, e: i64, consumer: i64, n: i32) {
    let mut tx = app.db().tenant(e).await.unwrap();
    change_points(&mut tx, e, consumer, n, PointsReason::Prize, None, "seed").await.unwrap().expect("credited");
    tx.commit().await.unwrap();
}

async fn seed_scan(app: &TestApp, e: i64, consumer: i64, device: &str, serial: i32, campaign: Option<i64>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO scans (enterprise_id, consumer_id, device_id, package_id, serial, campaign_id, verdict, province, city)
         VALUES ($1, $2, $3, 1, $4, $5, 'genuine', '广东省', '广州市') RETURNING id",
    )
    .bind(e)
    .bind(consumer)
    .bind(device)
    .bind(serial)
    .bind(campaign)
    .fetch_one(app.sys())
    .await
    .expect("seed scan")
}

/// A consumer straight into the table; returns its id.
async fn seed_consumer(app: &TestApp, e: i64, mobile: Option<&str>, name: &str, attrs: &str) -> i64 {
    let id: i64 = sqlx::query_scalar("INSERT INTO consumers (enterprise_id, mobile, name) VALUES ($1, $2, $3) RETURNING id")
        .bind(e)
        .bind(mobile)
        .bind(name)
        .fetch_one(app.sys())
        .await
        .expect("seed consumer");
    if !attrs.is_empty() {
        sqlx::query(&format!("UPDATE consumers SET {attrs} WHERE id = $1")).bind(id).execute(app.sys()).await.expect("attrs");
    }
    id
}

fn ids(page: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = page["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    v.sort();
    v
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn profile_is_validated_and_saved(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let mut phone = Phone::new(&app);
    let (status, p) = phone.call("c/profile", json!({ "enterprise_id": e })).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["enterprise_name"], "鲜享食品集团");
    assert_eq!(p["mobile"], Value::Null);

    let bad = json!({ "enterprise_id": e, "input": {
        "name": "名".repeat(21), "gender": "Male", "birth_year": 1899, "province": "火星", "city": "",
        "marital": null, "education": null, "interests": ["food", "golf"],
    }});
    let (status, body) = phone.call("c/profile/save", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "name"), Some(&json!({ "TooLong": { "max": 20 } })));
    assert!(field_error(&body, "birth_year").is_some());
    assert_eq!(field_error(&body, "province"), Some(&json!({ "Consumer": "UnknownProvince" })));
    assert_eq!(field_error(&body, "interests"), Some(&json!({ "Consumer": { "UnknownInterest": "golf" } })));
    let thirteen: Vec<&str> = ["news"; 13].to_vec();
    let (_, body) = phone
        .call(
            "c/profile/save",
            json!({ "enterprise_id": e, "input": { "name": "", "gender": null, "birth_year": null, "province": null,
            "city": "", "marital": null, "education": null, "interests": thirteen } }),
        )
        .await;
    assert_eq!(field_error(&body, "interests"), Some(&json!({ "Consumer": { "TooManyInterests": { "max": 12 } } })));

    let good = json!({ "enterprise_id": e, "input": {
        "name": "张三", "gender": "Female", "birth_year": 1990, "province": "广东省", "city": "广州市",
        "marital": "Married", "education": "Bachelor", "interests": ["food", "travel"],
    }});
    let saved = phone.ok_call("c/profile/save", good).await;
    assert_eq!(saved["profile"]["name"], "张三");
    let me = consumer_of(&app, &phone, e).await;
    let row: (String, Option<String>, Option<i16>, Option<String>, Vec<String>) =
        sqlx::query_as("SELECT name, gender, birth_year, province, interests FROM consumers WHERE id = $1")
            .bind(me)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(row, ("张三".into(), Some("female".into()), Some(1990), Some("广东省".into()), vec!["food".into(), "travel".into()]));

    // No such brand: a clear refusal, nothing created.
    let (status, body) = phone.call("c/profile", json!({ "enterprise_id": 999_999 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["Refused"], json!({ "Consumer": "NoSuchEnterprise" }));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn binding_a_mobile_merges_the_devices_records(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let mobile = "13912345678";

    // Device A binds the mobile first: no merge.
    let mut a = Phone::new(&app);
    a.ok_call("c/profile", json!({ "enterprise_id": e })).await;
    let ca = consumer_of(&app, &a, e).await;
    grant_points(&app, e, ca, 10).await;
    let sent = a.ok_call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    assert_eq!(sent["resend_after"], 60);
    let code = texted_code(&app, mobile).await;
    let bound = a.ok_call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": code })).await;
    assert_eq!(bound, json!({ "mobile": mobile, "merged": false, "points": 10 }));
    // Only the hash is stored.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT code_hash FROM consumer_mobile_codes WHERE mobile = $1")
        .bind(mobile)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);

    // Device B has its own scans, a draw with a win and points, then binds the same mobile.
    let mut b = Phone::new(&app);
    b.ok_call("c/profile", json!({ "enterprise_id": e })).await;
    let cb = consumer_of(&app, &b, e).await;
    assert_ne!(ca, cb);
    let device_b = b.cookie.as_deref().unwrap().split('.').next().unwrap().to_string();
    let s = spec(&app, e, "瓶盖码").await;
    let campaign =
        running(&app, e, None, &input("双节活动", s, vec![prize(1, "10 积分", PrizeKind::Points, 5)], vec![group(&[(1, 500_000)])])).await;
    let prize_id: i64 =
        sqlx::query_scalar("SELECT id FROM campaign_prizes WHERE campaign_id = $1").bind(campaign).fetch_one(app.sys()).await.unwrap();
    let scan = seed_scan(&app, e, cb, &device_b, 7, Some(campaign)).await;
    seed_scan(&app, e, cb, &device_b, 8, None).await;
    let draw: i64 = sqlx::query_scalar(
        "INSERT INTO draws (enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial)
         VALUES ($1, $2, $3, $4, 'k1', 0, '{1}', 1, 7) RETURNING id",
    )
    .bind(e)
    .bind(campaign)
    .bind(cb)
    .bind(scan)
    .fetch_one(app.sys())
    .await
    .unwrap();
    sqlx::query("INSERT INTO draw_wins (enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key) VALUES ($1, $2, $3, $4, 0, $5, 1)")
        .bind(e)
        .bind(campaign)
        .bind(draw)
        .bind(cb)
        .bind(prize_id)
        .execute(app.sys())
        .await
        .unwrap();
    grant_points(&app, e, cb, 30).await;
    // B fills a profile attribute A lacks: it is taken along.
    b.ok_call(
        "c/profile/save",
        json!({ "enterprise_id": e, "input": { "name": "", "gender": "Male", "birth_year": null, "province": null, "city": "",
            "marital": null, "education": null, "interests": [] } }),
    )
    .await;

    b.ok_call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    let code = texted_code(&app, mobile).await;
    let bound = b.ok_call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": code })).await;
    assert_eq!(bound, json!({ "mobile": mobile, "merged": true, "points": 40 }));

    // Everything of B now belongs to A; B points at A.
    for table in ["scans", "draws", "draw_wins", "consumer_devices"] {
        let (on_a, on_b): (i64, i64) = sqlx::query_as(&format!(
            "SELECT count(*) FILTER (WHERE consumer_id = $1), count(*) FILTER (WHERE consumer_id = $2) FROM {table}"
        ))
        .bind(ca)
        .bind(cb)
        .fetch_one(app.sys())
        .await
        .unwrap();
        assert_eq!(on_b, 0, "{table} left on B");
        assert!(on_a >= 1, "{table} not on A");
    }
    let (merged_into, b_points, b_mobile): (Option<i64>, i32, Option<String>) =
        sqlx::query_as("SELECT merged_into, points, mobile FROM consumers WHERE id = $1").bind(cb).fetch_one(app.sys()).await.unwrap();
    assert_eq!((merged_into, b_points, b_mobile), (Some(ca), 0, None));
    let (a_points, a_gender): (i32, Option<String>) =
        sqlx::query_as("SELECT points, gender FROM consumers WHERE id = $1").bind(ca).fetch_one(app.sys()).await.unwrap();
    assert_eq!((a_points, a_gender.as_deref()), (40, Some("male")));
    // A 'merge' ledger row on each side, balances consistent.
    let merges: Vec<(i64, i32, i32)> =
        sqlx::query_as("SELECT consumer_id, delta, balance FROM points_ledger WHERE reason = 'merge' ORDER BY id")
            .fetch_all(app.sys())
            .await
            .unwrap();
    assert_eq!(merges, vec![(cb, -30, 0), (ca, 30, 40)]);
    // Phone B is now A (its device moved): its profile shows the mobile and the total.
    let p = b.ok_call("c/profile", json!({ "enterprise_id": e })).await;
    assert_eq!((p["mobile"].as_str(), p["points"].as_i64()), (Some(mobile), Some(40)));
    assert_eq!(consumer_of(&app, &b, e).await, ca);

    // The console shows the merged member once, with B's history.
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let page = c.ok("members/list", json!({ "filter": { "q": "" }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(ids(&page), vec![ca]);
    let d = c.ok("members/detail", json!({ "id": ca })).await;
    assert_eq!(d["merged_from"], json!([cb]));
    assert_eq!(d["devices"], 2);
    assert_eq!(d["scans"].as_array().unwrap().len(), 2);
    assert_eq!(d["draws"][0]["prizes"], json!(["10 积分"]));
    assert_eq!(d["wins"][0]["campaign_name"], "双节活动");
    assert_eq!(d["member"]["mobile"], mobile, "an administrator sees the full mobile");
    app.close().await;
}

/// A member filter: every field (the API takes the whole struct), `v` overriding some.
fn filter_of(v: Value) -> Value {
    let mut f = json!({ "q": "", "gender": null, "province": null, "source": null, "risk_level": null, "bonus_hunter": null,
        "has_mobile": null, "scan_from": null, "scan_to": null });
    for (k, val) in v.as_object().unwrap() {
        f[k] = val.clone();
    }
    f
}

/// A member-list request under a filter (see [`filter_of`]).
fn filter(v: Value) -> Value {
    json!({ "filter": filter_of(v), "page": { "page": 1, "size": 50 } })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn wrong_codes_and_code_requests_are_limited(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let mobile = "13700001111";
    let mut phone = Phone::new(&app);
    phone.ok_call("c/profile", json!({ "enterprise_id": e })).await;
    let (status, body) = phone.call("c/mobile/code", json!({ "enterprise_id": e, "mobile": "123" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "mobile"), Some(&json!("InvalidMobile")));
    // Binding without any code sent.
    let (_, body) = phone.call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": "123456" })).await;
    assert_eq!(field_error(&body, "code"), Some(&json!({ "Consumer": "NoCodePending" })));

    phone.ok_call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    let code = texted_code(&app, mobile).await;
    // A second code within the minute is refused.
    let (status, body) = phone.call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Refused"]["Consumer"]["CodeTooSoon"]["seconds"].as_i64().is_some_and(|s| s > 0 && s <= 60), "{body}");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in [4, 3, 2, 1] {
        let (status, body) = phone.call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": wrong })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&body, "code"), Some(&json!({ "Consumer": { "WrongCode": { "left": left } } })));
    }
    let (_, body) = phone.call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": wrong })).await;
    assert_eq!(field_error(&body, "code"), Some(&json!({ "Consumer": "CodeLocked" })));
    // Five failures: even the right code no longer works.
    let (_, body) = phone.call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": code })).await;
    assert_eq!(field_error(&body, "code"), Some(&json!({ "Consumer": "CodeLocked" })));
    let me = consumer_of(&app, &phone, e).await;
    let bound: Option<String> =
        sqlx::query_scalar("SELECT mobile FROM consumers WHERE id = $1").bind(me).fetch_one(app.sys()).await.unwrap();
    assert_eq!(bound, None);

    // A minute later a new code works.
    sqlx::query("UPDATE consumer_mobile_codes SET created_at = created_at - interval '2 minutes'").execute(app.sys()).await.unwrap();
    phone.ok_call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    let code = texted_code(&app, mobile).await;
    phone.ok_call("c/mobile/bind", json!({ "enterprise_id": e, "mobile": mobile, "code": code })).await;
    // Ten codes a day per device.
    sqlx::query("UPDATE consumer_mobile_codes SET created_at = created_at - interval '2 minutes'").execute(app.sys()).await.unwrap();
    sqlx::query(
        "INSERT INTO consumer_mobile_codes (enterprise_id, device_id, mobile, code_hash, created_at, expires_at)
         SELECT enterprise_id, device_id, mobile, code_hash, now() - interval '1 hour', now() FROM consumer_mobile_codes, generate_series(1, 8)
          WHERE used_at IS NOT NULL",
    )
    .execute(app.sys())
    .await
    .unwrap();
    let (_, body) = phone.call("c/mobile/code", json!({ "enterprise_id": e, "mobile": mobile })).await;
    assert_eq!(body["Refused"], json!({ "Consumer": { "TooManyCodesToday": { "max": 10 } } }));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn import_creates_and_updates_by_mobile_and_reports_bad_rows(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let existing = seed_consumer(&app, e, Some("13600000001"), "老王", "gender = 'male', city = '佛山市'").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    let (status, body) = c.call("members/import", json!({ "csv": "phone,name\n13600000002,x\n" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "file").is_some_and(|m| m["Consumer"]["ImportHeader"].is_object()), "{body}");

    let csv = "\u{FEFF}mobile,name,gender,birth_year,province,city,marital,education,interests\n\
               13600000001,,female,1980,广东省,,married,,美食;travel\n\
               13600000003,小李,男,1995,浙江省,杭州市,single,bachelor,news\n\
               12345,坏号,,,,,,,\n\
               13600000004,,,1800,火星,,,,golf\n\
               13600000003,重复,,,,,,,\n\
               \n\
               13600000005,\"陈,小姐\",female,,,,,,\n";
    let r = c.ok("members/import", json!({ "csv": csv })).await;
    assert_eq!((r["created"].as_i64(), r["updated"].as_i64()), (Some(2), Some(1)), "{r}");
    let failed: Vec<(i64, Vec<String>)> = r["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_i64().unwrap(),
                f["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        vec![
            (4, vec!["mobile".to_string()]),
            (5, vec!["birth_year".to_string(), "province".to_string(), "interests".to_string()]),
            (6, vec!["mobile".to_string()])
        ]
    );
    assert_eq!(r["failed"][2]["errors"][0]["msg"], json!({ "Consumer": { "DuplicateInFile": { "line": 3 } } }));

    // The existing member: empty cells kept (name, city), the rest updated, source unchanged.
    let row: (String, Option<String>, Option<String>, Option<String>, Vec<String>, String) =
        sqlx::query_as("SELECT name, gender, city, marital, interests, source FROM consumers WHERE id = $1")
            .bind(existing)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(
        row,
        (
            "老王".into(),
            Some("female".into()),
            Some("佛山市".into()),
            Some("married".into()),
            vec!["food".into(), "travel".into()],
            "scan".into()
        )
    );
    let new: (String, String, Option<String>) =
        sqlx::query_as("SELECT name, source, education FROM consumers WHERE enterprise_id = $1 AND mobile = '13600000003'")
            .bind(e)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(new, ("小李".into(), "import".into(), Some("bachelor".into())));
    let quoted: String = sqlx::query_scalar("SELECT name FROM consumers WHERE mobile = '13600000005'").fetch_one(app.sys()).await.unwrap();
    assert_eq!(quoted, "陈,小姐");

    // The import filter finds the new ones; a view-only person may not import.
    let page = c.ok("members/list", filter(json!({ "source": "Import" }))).await;
    assert_eq!(page["total"], 2);
    let viewer = app.restricted(e, "会员查看", &[(Function::Members, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    let (status, _) = v.call("members/import", json!({ "csv": csv })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn member_list_filters_masks_and_exports(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let m1 =
        seed_consumer(&app, e, Some("13811112222"), "王小明", "gender = 'male', province = '广东省', last_scan_at = '2026-11-10 04:00+00'")
            .await;
    let m2 = seed_consumer(
        &app,
        e,
        None,
        "李华",
        "gender = 'female', province = '浙江省', risk_level = 2, bonus_hunter = true, last_scan_at = '2026-11-01 04:00+00'",
    )
    .await;
    let m3 = seed_consumer(&app, e, Some("13933334444"), "", "source = 'import'").await;
    seed_scan(&app, e, m1, &"a".repeat(32), 1, None).await;
    seed_scan(&app, e, m1, &"a".repeat(32), 2, None).await;

    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let all = c.ok("members/list", filter(json!({}))).await;
    assert_eq!(ids(&all), vec![m1, m2, m3]);
    // Most recent scanner first.
    assert_eq!(all["items"][0]["id"], m1);
    assert_eq!(all["items"][0]["scans"], 2);
    let cases = [
        (json!({ "q": "1381111" }), vec![m1]),
        (json!({ "q": "小明" }), vec![m1]),
        (json!({ "q": m3.to_string() }), vec![m3]),
        (json!({ "gender": "Female" }), vec![m2]),
        (json!({ "province": "广东省" }), vec![m1]),
        (json!({ "source": "Scan" }), vec![m1, m2]),
        (json!({ "risk_level": "High" }), vec![m2]),
        (json!({ "bonus_hunter": false }), vec![m1, m3]),
        (json!({ "has_mobile": true }), vec![m1, m3]),
        (json!({ "has_mobile": false }), vec![m2]),
        (json!({ "scan_from": "2026-11-05", "scan_to": "2026-11-10" }), vec![m1]),
        (json!({ "scan_to": "2026-11-01" }), vec![m2]),
    ];
    for (f, want) in cases {
        let page = c.ok("members/list", filter(f.clone())).await;
        assert_eq!(ids(&page), want, "filter {f}");
    }
    let (status, body) = c.call("members/list", filter(json!({ "scan_from": "2026-11-10", "scan_to": "2026-11-01" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "scan_to").is_some());
    assert_eq!(all["items"][0]["mobile"], "13811112222");

    // A view-only person sees masked mobiles, in the list, the detail and the export.
    let viewer = app.restricted(e, "会员查看", &[(Function::Members, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    let page = v.ok("members/list", filter(json!({ "q": "王" }))).await;
    assert_eq!(page["items"][0]["mobile"], "138****2222");
    let d = v.ok("members/detail", json!({ "id": m1 })).await;
    assert_eq!(d["member"]["mobile"], "138****2222");
    let export = v.ok("members/export", json!({ "filter": filter_of(json!({ "has_mobile": true })) })).await;
    let job = tessera::server::jobs::claim(&app.state).await.unwrap().expect("the export job");
    let job_id = job.id;
    let outcome = tessera::server::jobs::run(job).await;
    tessera::server::jobs::finish(app.db(), job_id, outcome).await.unwrap();
    let file = app.state.config.files_dir.join("exports").join(e.to_string()).join(format!("{}.csv", export.as_i64().unwrap()));
    let text = std::fs::read_to_string(&file).expect("the export file");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("138****2222") && !text.contains("13811112222"), "{text}");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn points_adjustment_and_risk_flags(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let m = seed_consumer(&app, e, Some("13811112222"), "王小明", "").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let adjust = |delta: i32, reason: &str| json!({ "input": { "consumer_id": m, "delta": delta, "reason": reason } });
    let (_, body) = c.call("members/points", adjust(10, " ")).await;
    assert_eq!(field_error(&body, "reason"), Some(&json!("Required")));
    let (_, body) = c.call("members/points", adjust(0, "x")).await;
    assert_eq!(field_error(&body, "delta"), Some(&json!({ "Consumer": "ZeroDelta" })));
    assert_eq!(c.ok("members/points", adjust(50, "客服补偿")).await, 50);
    let (status, body) = c.call("members/points", adjust(-80, "扣减")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "delta"), Some(&json!({ "Consumer": { "PointsBelowZero": { "balance": 50 } } })));
    assert_eq!(c.ok("members/points", adjust(-50, "扣减")).await, 0);
    let d = c.ok("members/detail", json!({ "id": m })).await;
    let ledger: Vec<(i64, i64, &str)> = d["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["delta"].as_i64().unwrap(), r["balance"].as_i64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(ledger, vec![(-50, 0, "adjust"), (50, 50, "adjust")]);

    let version = d["member"]["version"].as_i64().unwrap();
    let risk = |v: i64| json!({ "input": { "consumer_id": m, "version": v, "risk_level": "Watch", "bonus_hunter": true } });
    let v2 = c.ok("members/risk", risk(version)).await;
    assert_eq!(v2.as_i64(), Some(version + 1));
    let (status, body) = c.call("members/risk", risk(version)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let row: (i16, bool) =
        sqlx::query_as("SELECT risk_level, bonus_hunter FROM consumers WHERE id = $1").bind(m).fetch_one(app.sys()).await.unwrap();
    assert_eq!(row, (1, true));
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'consumer' AND entity_id = $1")
        .bind(m)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(audits, 3);

    // View only: neither.
    let viewer = app.restricted(e, "会员查看", &[(Function::Members, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    assert_eq!(v.call("members/points", adjust(5, "x")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(v.call("members/risk", risk(v2.as_i64().unwrap())).await.0, StatusCode::FORBIDDEN);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn blacklist_needs_manage_and_events_filter(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let m = seed_consumer(&app, e, None, "", "").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let add = |kind: &str, value: &str| json!({ "input": { "kind": kind, "value": value, "reason": "批量刷码" } });
    let device = "0123456789ABCDEF0123456789abcdef";
    let id = c.ok("risk/blacklist/add", add("Device", device)).await.as_i64().unwrap();
    c.ok("risk/blacklist/add", add("Consumer", &m.to_string())).await;
    c.ok("risk/blacklist/add", add("Ip", "10.1.2.3")).await;
    let (status, body) = c.call("risk/blacklist/add", add("Device", &device.to_lowercase())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "value"), Some(&json!({ "Consumer": "AlreadyBlacklisted" })));
    let (_, body) = c.call("risk/blacklist/add", add("Ip", "10.1.2.300")).await;
    assert_eq!(field_error(&body, "value"), Some(&json!({ "Consumer": "InvalidIp" })));
    let (_, body) = c.call("risk/blacklist/add", add("Consumer", "987654")).await;
    assert_eq!(field_error(&body, "value"), Some(&json!({ "Consumer": "InvalidConsumerId" })));
    let (_, body) = c.call("risk/blacklist/add", add("Mobile", "1234")).await;
    assert_eq!(field_error(&body, "value"), Some(&json!("InvalidMobile")));

    let list = |kind: Value| json!({ "filter": { "kind": kind, "q": "" }, "page": { "page": 1, "size": 10 } });
    let page = c.ok("risk/blacklist", list(Value::Null)).await;
    assert_eq!(page["total"], 3);
    let page = c.ok("risk/blacklist", list(json!("Device"))).await;
    assert_eq!(page["items"][0]["value"], device.to_lowercase());
    assert_eq!(page["items"][0]["created_by_name"], "管理员");

    // View-only: lists, but cannot add or remove.
    let viewer = app.restricted(e, "营销查看", &[(Function::Campaigns, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    assert_eq!(v.ok("risk/blacklist", list(Value::Null)).await["total"], 3);
    assert_eq!(v.call("risk/blacklist/add", add("Ip", "10.9.9.9")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(v.call("risk/blacklist/remove", json!({ "id": id })).await.0, StatusCode::FORBIDDEN);

    c.ok("risk/blacklist/remove", json!({ "id": id })).await;
    assert_eq!(c.call("risk/blacklist/remove", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(c.ok("risk/blacklist", list(Value::Null)).await["total"], 2);
    let audits: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'blacklist' ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(audits, ["blacklist_add", "blacklist_add", "blacklist_add", "blacklist_remove"]);

    // Risk events, filtered.
    sqlx::query(
        "INSERT INTO risk_events (enterprise_id, consumer_id, device_id, ip, rule, blocked, created_at) VALUES
           ($1, $2, $3, '10.1.2.3', 'device_velocity', true, now()),
           ($1, $2, $3, '10.1.2.3', 'devices_per_code', false, now() - interval '1 hour'),
           ($1, NULL, NULL, '10.7.7.7', 'ip_velocity', true, now() - interval '3 days')",
    )
    .bind(e)
    .bind(m)
    .bind(device.to_lowercase())
    .execute(app.sys())
    .await
    .unwrap();
    let events = |f: Value| {
        let mut base = json!({ "rule": null, "blocked": null, "consumer_id": null, "q": "", "from": null, "to": null });
        for (k, val) in f.as_object().unwrap() {
            base[k] = val.clone();
        }
        json!({ "filter": base, "page": { "page": 1, "size": 10 } })
    };
    let rules = |p: &Value| p["items"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(rules(&v.ok("risk/events", events(json!({}))).await), ["device_velocity", "devices_per_code", "ip_velocity"]);
    assert_eq!(rules(&v.ok("risk/events", events(json!({ "blocked": true }))).await), ["device_velocity", "ip_velocity"]);
    assert_eq!(rules(&v.ok("risk/events", events(json!({ "consumer_id": m }))).await), ["device_velocity", "devices_per_code"]);
    assert_eq!(rules(&v.ok("risk/events", events(json!({ "q": "10.7.7.7" }))).await), ["ip_velocity"]);
    let page = v.ok("risk/events", events(json!({ "rule": "ip_velocity" }))).await;
    assert_eq!(page["items"][0]["ip"], "10.7.7.7");
    assert_eq!(v.ok("risk/rules", json!({})).await, json!(["device_velocity", "devices_per_code", "ip_velocity"]));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn another_enterprise_sees_nothing(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let a = app.enterprise("鲜享食品集团", "13800000000").await;
    let b = app.enterprise("禾丰乳业", "13800000001").await;
    let m = seed_consumer(&app, a.enterprise_id, Some("13811112222"), "王小明", "").await;
    sqlx::query("INSERT INTO blacklist (enterprise_id, kind, value, reason) VALUES ($1, 'ip', '10.0.0.1', 'x')")
        .bind(a.enterprise_id)
        .execute(app.sys())
        .await
        .unwrap();
    let bl: i64 = sqlx::query_scalar("SELECT id FROM blacklist").fetch_one(app.sys()).await.unwrap();
    let mut c = app.signed_in(&b.login, PASSWORD).await;
    assert_eq!(c.ok("members/list", filter(json!({}))).await["total"], 0);
    assert_eq!(c.ok("members/list", filter(json!({ "q": "13811112222" }))).await["total"], 0);
    assert_eq!(c.call("members/detail", json!({ "id": m })).await.0, StatusCode::NOT_FOUND);
    let adjust = json!({ "input": { "consumer_id": m, "delta": 5, "reason": "x" } });
    assert_eq!(c.call("members/points", adjust).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        c.call("members/risk", json!({ "input": { "consumer_id": m, "version": 1, "risk_level": "High", "bonus_hunter": true } })).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.ok("risk/blacklist", json!({ "filter": { "kind": null, "q": "" }, "page": { "page": 1, "size": 10 } })).await["total"], 0);
    assert_eq!(c.call("risk/blacklist/remove", json!({ "id": bl })).await.0, StatusCode::NOT_FOUND);
    let (_, body) = c.call("risk/blacklist/add", json!({ "input": { "kind": "Consumer", "value": m.to_string(), "reason": "x" } })).await;
    assert_eq!(field_error(&body, "value"), Some(&json!({ "Consumer": "InvalidConsumerId" })));
    // The same mobile imported into B is B's own member, not A's.
    let r = c
        .ok(
            "members/import",
            json!({ "csv": "mobile,name,gender,birth_year,province,city,marital,education,interests\n13811112222,别人,,,,,,,\n" }),
        )
        .await;
    assert_eq!(r["created"], 1);
    let name: String = sqlx::query_scalar("SELECT name FROM consumers WHERE id = $1").bind(m).fetch_one(app.sys()).await.unwrap();
    assert_eq!(name, "王小明");
    app.close().await;
}
