#![cfg(feature = "ssr")]
//! Risk control (营销风控) on the consumer API: a blacklisted device or mobile cannot draw, a device
//! scanning many codes is blocked and flagged as a bonus hunter, a code shared by many consumers
//! puts the later ones on watch, a device scanning too fast is blocked — every finding recorded
//! as a risk event, every block the same vague `Busy`.

mod common;

use common::campaigns::{activated_package, code, group, input, prize, running, Activated, Phone};
use common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::campaign::PrizeKind;
use tessera::domain::risk::{CONSUMERS_PER_CODE, DEVICE_CODES_PER_HOUR, DEVICE_SCANS_PER_MINUTE};

fn busy() -> Value {
    json!({ "Refused": { "Draw": "Busy" } })
}

/// An enterprise with an activated package of `count` codes and a running points campaign.
async fn setup(pool: PgPool, count: u32) -> (TestApp, Activated) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("风控企业", "13900000002").await;
    let package = activated_package(&app, s.enterprise_id, s.user_id, count, 60).await;
    let campaign = input("风控活动", package.spec_id, vec![prize(1, "10 积分", PrizeKind::Points, 1000)], vec![group(&[(1, 500_000)])]);
    running(&app, s.enterprise_id, Some(s.user_id), &campaign).await;
    (app, package)
}

/// The consumer and device of a scan.
async fn who(app: &TestApp, scan_id: i64) -> (i64, String) {
    sqlx::query_as("SELECT consumer_id, device_id FROM scans WHERE id = $1").bind(scan_id).fetch_one(app.sys()).await.expect("scan")
}

/// (risk level, bonus hunter) of a consumer.
async fn flags(app: &TestApp, consumer_id: i64) -> (i16, bool) {
    sqlx::query_as("SELECT risk_level, bonus_hunter FROM consumers WHERE id = $1")
        .bind(consumer_id)
        .fetch_one(app.sys())
        .await
        .expect("consumer")
}

/// (rule, blocked) of a consumer's risk events, oldest first.
async fn events(app: &TestApp, consumer_id: i64) -> Vec<(String, bool)> {
    sqlx::query_as("SELECT rule, blocked FROM risk_events WHERE consumer_id = $1 ORDER BY id")
        .bind(consumer_id)
        .fetch_all(app.sys())
        .await
        .expect("events")
}

#[sqlx::test]
async fn a_blacklisted_device_cannot_draw(pool: PgPool) {
    let (app, package) = setup(pool, 10).await;
    let mut phone = Phone::new(&app);
    let scan_id = phone.scan_id(&code(&app, &package, 1).await).await;
    let (consumer, device) = who(&app, scan_id).await;
    sqlx::query("INSERT INTO blacklist (enterprise_id, kind, value, reason) VALUES ($1, 'device', $2, '刷奖')")
        .bind(package.enterprise_id)
        .bind(&device)
        .execute(app.sys())
        .await
        .unwrap();

    let (status, body) = phone.draw(scan_id, "risk-draw-0001").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, busy(), "the block does not say why");
    let draws: i64 = sqlx::query_scalar("SELECT count(*) FROM draws").fetch_one(app.sys()).await.unwrap();
    assert_eq!(draws, 0, "nothing was drawn");
    assert_eq!(events(&app, consumer).await, [("blacklist".to_string(), true)]);
    let (ip, device_recorded): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT host(ip), device_id FROM risk_events WHERE consumer_id = $1")
            .bind(consumer)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!(device_recorded.as_deref(), Some(device.as_str()));
    assert_eq!(ip, None, "in-process requests have no address");
    assert_eq!(flags(&app, consumer).await, (1, false), "one event: watched");

    // Another device of the same enterprise still draws.
    let mut other = Phone::new(&app);
    let scan_id = other.scan_id(&code(&app, &package, 2).await).await;
    let (status, body) = other.draw(scan_id, "risk-draw-0002").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.close().await;
}

#[sqlx::test]
async fn a_blacklisted_mobile_cannot_draw(pool: PgPool) {
    let (app, package) = setup(pool, 10).await;
    let mut phone = Phone::new(&app);
    let scan_id = phone.scan_id(&code(&app, &package, 1).await).await;
    let (consumer, _) = who(&app, scan_id).await;
    sqlx::query("UPDATE consumers SET mobile = '13700137000' WHERE id = $1").bind(consumer).execute(app.sys()).await.unwrap();
    sqlx::query("INSERT INTO blacklist (enterprise_id, kind, value) VALUES ($1, 'mobile', '13700137000')")
        .bind(package.enterprise_id)
        .execute(app.sys())
        .await
        .unwrap();
    let (status, body) = phone.draw(scan_id, "risk-draw-0003").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, busy());
    assert_eq!(events(&app, consumer).await, [("blacklist".to_string(), true)]);
    app.close().await;
}

#[sqlx::test]
async fn many_codes_from_one_device_are_blocked_and_flagged(pool: PgPool) {
    let (app, package) = setup(pool, DEVICE_CODES_PER_HOUR + 5).await;
    let mut phone = Phone::new(&app);
    let mut first_scan = None;
    for serial in 1..=DEVICE_CODES_PER_HOUR {
        let body = phone.scan(&code(&app, &package, serial).await).await;
        first_scan.get_or_insert(body["scan"]["scan_id"].as_i64().expect("scan id"));
    }
    let (consumer, _) = who(&app, first_scan.unwrap()).await;
    assert_eq!(flags(&app, consumer).await, (0, false), "the limit itself is allowed");
    assert!(events(&app, consumer).await.is_empty());

    // Past the limit: blocked (nothing recorded as a scan), flagged, and each block an event.
    for (n, serial) in (DEVICE_CODES_PER_HOUR + 1..=DEVICE_CODES_PER_HOUR + 3).enumerate() {
        let (status, body) = phone.call("c/scan", json!({ "code": code(&app, &package, serial).await, "location": null })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body, busy());
        let (level, hunter) = flags(&app, consumer).await;
        assert!(hunter, "flagged as a bonus hunter");
        assert_eq!(level, if n < 2 { 1 } else { 2 }, "three events in a day make the level high");
    }
    let scans: i64 =
        sqlx::query_scalar("SELECT count(*) FROM scans WHERE consumer_id = $1").bind(consumer).fetch_one(app.sys()).await.unwrap();
    assert_eq!(scans, i64::from(DEVICE_CODES_PER_HOUR));
    assert_eq!(events(&app, consumer).await, vec![("codes_per_device".to_string(), true); 3]);

    // A code already scanned by this device is no new code: still allowed.
    phone.scan(&code(&app, &package, 1).await).await;
    app.close().await;
}

#[sqlx::test]
async fn later_consumers_of_a_shared_code_are_watched(pool: PgPool) {
    let (app, package) = setup(pool, 5).await;
    let shared = code(&app, &package, 1).await;
    let mut consumers = vec![];
    for _ in 0..=CONSUMERS_PER_CODE {
        let mut phone = Phone::new(&app);
        let scan_id = phone.scan(&shared).await["scan"]["scan_id"].as_i64().expect("scan id");
        consumers.push(who(&app, scan_id).await.0);
    }
    for c in &consumers[..CONSUMERS_PER_CODE as usize] {
        assert_eq!(flags(&app, *c).await, (0, false));
        assert!(events(&app, *c).await.is_empty());
    }
    let last = *consumers.last().unwrap();
    // This consumer was created by the scan itself: its level is raised once the scan committed.
    let mut level = flags(&app, last).await;
    for _ in 0..50 {
        if level != (0, false) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        level = flags(&app, last).await;
    }
    assert_eq!(level, (1, false), "watched, not flagged");
    assert_eq!(events(&app, last).await, [("consumers_per_code".to_string(), false)], "noticed, not blocked");
    app.close().await;
}

#[sqlx::test]
async fn a_device_scanning_too_fast_is_blocked_once_recorded(pool: PgPool) {
    let (app, package) = setup(pool, 5).await;
    let the_code = code(&app, &package, 1).await;
    let mut phone = Phone::new(&app);
    let mut consumer = None;
    for _ in 0..DEVICE_SCANS_PER_MINUTE {
        let body = phone.scan(&the_code).await;
        consumer.get_or_insert(who(&app, body["scan"]["scan_id"].as_i64().expect("scan id")).await.0);
    }
    // Past the limit (a minute boundary may let a few more through: the window slides).
    let mut blocked = 0;
    for _ in 0..DEVICE_SCANS_PER_MINUTE {
        let (status, body) = phone.call("c/scan", json!({ "code": the_code, "location": null })).await;
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(body, busy());
            blocked += 1;
        }
    }
    assert!(blocked > 0, "scanning past the limit is blocked");
    let recorded = events(&app, consumer.unwrap()).await;
    assert!(!recorded.is_empty() && recorded.len() <= 2, "recorded once a minute, not once a request: {recorded:?}");
    assert!(recorded.iter().all(|e| e == &("device_velocity".to_string(), true)));
    app.close().await;
}
