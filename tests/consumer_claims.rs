#![cfg(feature = "ssr")]
//! Claims, my prizes and my points through `/api/c/…`: goods need an address and keep it, a
//! repeated claim (same key, even concurrent) credits points once, an expired win cannot be
//! claimed, another device cannot claim, a coupon's code shows once claimed.

mod common;

use common::campaigns::{activated_package, code, input, prize, running, Activated, Phone};
use common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::campaign::{ClaimExpiry, CouponSetup, PrizeGroup, PrizeKind};

struct Won {
    app: TestApp,
    phone: Phone,
    package: Activated,
    win_id: i64,
}

/// A running campaign whose only prize (`kind`, stock 10) is won by every draw, and a phone that
/// scanned code 1 and won it.
async fn won(pool: PgPool, kind: PrizeKind, expiry: ClaimExpiry) -> Won {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("领奖企业", "13900000001").await;
    let package = activated_package(&app, s.enterprise_id, s.user_id, 20, 60).await;
    let mut p = prize(1, "奖品", kind, 10);
    p.claim_expiry = expiry;
    if kind == PrizeKind::Coupon {
        p.coupon = Some(CouponSetup::default());
    }
    let group =
        PrizeGroup { entries: vec![tessera::domain::campaign::GroupEntry { prize: 1, probability_ppm: 1_000_000, ..Default::default() }] };
    running(&app, s.enterprise_id, Some(s.user_id), &input("领奖活动", package.spec_id, vec![p], vec![group])).await;
    let mut phone = Phone::new(&app);
    let scan_id = phone.scan_id(&code(&app, &package, 1).await).await;
    let (status, body) = phone.draw(scan_id, "draw-key-0001").await;
    assert_eq!(status, StatusCode::OK, "draw: {body}");
    let win_id = body["wins"][0]["win_id"].as_i64().unwrap_or_else(|| panic!("a win: {body}"));
    Won { app, phone, package, win_id }
}

fn address() -> Value {
    json!({ "name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "detail": "西湖区文三路 100 号" })
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    common::field_error(body, name)
}

#[sqlx::test]
async fn goods_need_an_address_which_is_stored(pool: PgPool) {
    let Won { app, mut phone, win_id, .. } = won(pool, PrizeKind::Goods, ClaimExpiry::Days(7)).await;

    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0001", "address": null })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&body, "address"), Some(&json!("Required")), "{body}");

    let mut bad = address();
    bad["mobile"] = json!("12345");
    bad["detail"] = json!("一号");
    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0001", "address": bad })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&body, "address.mobile"), Some(&json!("InvalidMobile")), "{body}");
    assert_eq!(field(&body, "address.detail"), Some(&json!({ "TooShort": { "min": 5 } })), "{body}");
    let status: String = sqlx::query_scalar("SELECT status FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(status, "unclaimed", "a refused claim changes nothing");

    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0001", "address": address() })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "Claimed");
    assert_eq!(body["address"], address());
    assert!(body["claimed_at"].is_string());
    let (stored, key): (Value, String) =
        sqlx::query_as("SELECT address, claim_key FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(stored, address());
    assert_eq!(key, "claim-key-0001");

    let (_, prizes) = phone.call("c/prizes", json!({ "enterprise_id": body_enterprise(&app, win_id).await })).await;
    assert_eq!(prizes.as_array().map(Vec::len), Some(1), "{prizes}");
    assert_eq!(prizes[0]["status"], "Claimed");
    assert_eq!(prizes[0]["address"]["city"], "杭州市");
    app.close().await;
}

async fn body_enterprise(app: &TestApp, win_id: i64) -> i64 {
    sqlx::query_scalar("SELECT enterprise_id FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap()
}

#[sqlx::test]
async fn a_repeated_claim_credits_points_once(pool: PgPool) {
    let Won { app, mut phone, win_id, .. } = won(pool, PrizeKind::Points, ClaimExpiry::Never).await;
    let e = body_enterprise(&app, win_id).await;
    let claim = json!({ "win_id": win_id, "claim_key": "claim-key-0002", "address": null });

    // A double tap: two claims at once with the same key, then a retry.
    let mut other = phone.clone();
    let ((s1, b1), (s2, b2)) = tokio::join!(phone.call("c/claim", claim.clone()), other.call("c/claim", claim.clone()));
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{b1} {b2}");
    assert_eq!(b1, b2, "both answer the same claimed prize");
    let (status, again) = phone.call("c/claim", claim.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, b1);

    // Another key on a claimed prize is refused, and credits nothing either.
    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-other", "address": null })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Refused": { "Draw": "AlreadyClaimed" } }));

    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM points_ledger WHERE win_id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(rows, 1, "one ledger row");
    let balance: i32 = sqlx::query_scalar("SELECT c.points FROM consumers c JOIN draw_wins w ON w.consumer_id = c.id WHERE w.id = $1")
        .bind(win_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(balance, 10);

    let (status, points) = phone.call("c/points", json!({ "enterprise_id": e })).await;
    assert_eq!(status, StatusCode::OK, "{points}");
    assert_eq!(points["balance"], 10);
    assert_eq!(points["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(points["entries"][0]["delta"], 10);
    assert_eq!(points["entries"][0]["balance"], 10);
    assert_eq!(points["entries"][0]["reason"], "prize");

    // A malformed key is refused before anything is looked at.
    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "short", "address": null })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&body, "claim_key"), Some(&json!({ "Draw": "BadIdempotencyKey" })));
    app.close().await;
}

#[sqlx::test]
async fn an_expired_win_cannot_be_claimed(pool: PgPool) {
    let Won { app, mut phone, win_id, .. } = won(pool, PrizeKind::Points, ClaimExpiry::Hours(1)).await;
    let e = body_enterprise(&app, win_id).await;
    let deadline: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT claim_deadline FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert!(deadline.is_some(), "a claim expiry sets the deadline");
    sqlx::query("UPDATE draw_wins SET claim_deadline = now() - interval '1 minute' WHERE id = $1")
        .bind(win_id)
        .execute(app.sys())
        .await
        .unwrap();

    let (_, prizes) = phone.call("c/prizes", json!({ "enterprise_id": e })).await;
    assert_eq!(prizes[0]["status"], "Expired", "{prizes}");
    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0003", "address": null })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Refused": { "Draw": "ClaimExpired" } }));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM points_ledger").fetch_one(app.sys()).await.unwrap();
    assert_eq!(rows, 0);
    let (_, points) = phone.call("c/points", json!({ "enterprise_id": e })).await;
    assert_eq!(points["balance"], 0);
    app.close().await;
}

#[sqlx::test]
async fn another_device_cannot_claim_or_see_the_prize(pool: PgPool) {
    let Won { app, mut phone, win_id, package, .. } = won(pool, PrizeKind::Points, ClaimExpiry::Never).await;
    let e = package.enterprise_id;

    // A phone that never came here, and one that is a consumer of the same enterprise.
    let mut stranger = Phone::new(&app);
    let mut neighbour = Phone::new(&app);
    neighbour.scan(&code(&app, &package, 2).await).await;
    for other in [&mut stranger, &mut neighbour] {
        let (status, body) = other.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0004", "address": null })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({ "Refused": { "Draw": "WinNotFound" } }));
        let (status, prizes) = other.call("c/prizes", json!({ "enterprise_id": e })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(prizes, json!([]));
        let (_, points) = other.call("c/points", json!({ "enterprise_id": e })).await;
        assert_eq!(points, json!({ "balance": 0, "entries": [] }));
    }
    let status: String = sqlx::query_scalar("SELECT status FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(status, "unclaimed");

    // The winner still can; an unknown win is not found either.
    let (status, _) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0004", "address": null })).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = phone.call("c/claim", json!({ "win_id": win_id + 1000, "claim_key": "claim-key-0005", "address": null })).await;
    assert_eq!(body, json!({ "Refused": { "Draw": "WinNotFound" } }));
    app.close().await;
}

#[sqlx::test]
async fn a_coupon_code_shows_once_claimed(pool: PgPool) {
    let Won { app, mut phone, win_id, package, .. } = won(pool, PrizeKind::Coupon, ClaimExpiry::Days(3)).await;
    let (_, prizes) = phone.call("c/prizes", json!({ "enterprise_id": package.enterprise_id })).await;
    assert_eq!(prizes[0]["status"], "Unclaimed", "{prizes}");
    assert!(prizes[0]["coupon_code"].is_null(), "hidden before the claim: {prizes}");
    assert!(prizes[0]["claim_deadline"].is_string());

    let (status, body) = phone.call("c/claim", json!({ "win_id": win_id, "claim_key": "claim-key-0006", "address": null })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT coupon_code FROM draw_wins WHERE id = $1").bind(win_id).fetch_one(app.sys()).await.unwrap();
    assert!(stored.is_some());
    assert_eq!(body["coupon_code"].as_str(), stored.as_deref());
    app.close().await;
}

#[sqlx::test]
async fn the_openapi_document_is_served(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (status, text) = app.client().get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["openapi"], "3.0.3");
    for path in ["/api/c/scan", "/api/c/draw", "/api/c/claim", "/api/c/prizes", "/api/c/points", "/api/scan/pin"] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} is documented");
    }
    app.close().await;
}
