#![cfg(feature = "ssr")]
//! The draw engine against a real PostgreSQL: stock and every cap hold under concurrent draws,
//! over-limit prizes come exactly when the rules say, retries and double submits never draw
//! twice, and the scan tells forged, unactivated, scrapped and out-of-campaign codes apart.

mod common;

use common::campaigns::{activated_package, code, group, input, prize, running, thanks, Activated, Phone};
use common::codes::{package, scrap, spec};
use common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::campaign::{CampaignInput, CountRange, Plan, PlanConditions, PrizeKind};

const ALL: u32 = 1_000_000;

/// Runs the futures at once (tokio tasks) and returns their results in order.
async fn all<T: Send + 'static>(futures: Vec<impl std::future::Future<Output = T> + Send + 'static>) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// An enterprise with an activated package of `count` codes.
async fn setup(app: &TestApp, name: &str, mobile: &str, count: u32) -> (common::Seeded, Activated) {
    let admin = app.enterprise(name, mobile).await;
    let a = activated_package(app, admin.enterprise_id, admin.user_id, count, 24 * 60).await;
    (admin, a)
}

/// `n` phones, each scanning its own code (serials 1..=n); the phones and their scan ids.
async fn phones_with_scans(app: &TestApp, a: &Activated, n: u32) -> Vec<(Phone, i64)> {
    let mut out = Vec::new();
    for serial in 1..=n {
        let mut phone = Phone::new(app);
        let scan = phone.scan_id(&code(app, a, serial).await).await;
        out.push((phone, scan));
    }
    out
}

/// Draws once per (phone, scan) at the same time, each with its own key.
async fn draw_all(pairs: Vec<(Phone, i64)>) -> Vec<(StatusCode, Value)> {
    all(pairs
        .into_iter()
        .enumerate()
        .map(|(i, (mut phone, scan))| async move { phone.draw(scan, &format!("draw-key-{i:04}")).await })
        .collect())
    .await
}

fn wins(results: &[(StatusCode, Value)]) -> usize {
    results
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, StatusCode::OK, "{v}");
            v["wins"].as_array().expect("wins").len()
        })
        .sum()
}

async fn awarded(app: &TestApp, campaign: i64, key: i16) -> i32 {
    sqlx::query_scalar("SELECT awarded FROM campaign_prizes WHERE campaign_id = $1 AND key = $2")
        .bind(campaign)
        .bind(key)
        .fetch_one(app.sys())
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(app.sys()).await.unwrap()
}

fn refusal(body: &Value) -> &Value {
    &body["Refused"]["Draw"]
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn fifty_concurrent_draws_on_a_stock_of_five_win_exactly_five(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, a) = setup(&app, "库存企业", "13800000001", 50).await;
    let mut p = prize(1, "保温杯", PrizeKind::Goods, 5);
    p.warning_value = Some(2);
    let campaign =
        running(&app, a.enterprise_id, Some(admin.user_id), &input("库存活动", a.spec_id, vec![p, thanks(2)], vec![group(&[(1, ALL)])]))
            .await;

    let results = draw_all(phones_with_scans(&app, &a, 50).await).await;
    assert_eq!(wins(&results), 5);
    assert_eq!(awarded(&app, campaign, 1).await, 5);
    assert_eq!(count(&app, "SELECT count(*) FROM draw_wins WHERE campaign_id = $1", campaign).await, 5);
    // The losers land on the thanks tile.
    assert!(results.iter().filter(|(_, v)| v["wins"].as_array().unwrap().is_empty()).all(|(_, v)| v["thanks_key"] == json!(2)));

    // Every draw recorded its plan and one CSPRNG value per group, within 0..1 000 000.
    let rows: Vec<(i16, Vec<i32>)> =
        sqlx::query_as("SELECT plan_key, randoms FROM draws WHERE campaign_id = $1").bind(campaign).fetch_all(app.sys()).await.unwrap();
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|(plan, r)| *plan == 0 && r.len() == 1 && (0..1_000_000).contains(&r[0])));
    assert!(rows.iter().map(|(_, r)| r[0]).collect::<std::collections::HashSet<_>>().len() > 40, "values look random");

    // Remaining 2 ≤ warning value 2: one warning, one message to the campaign's creator.
    let warnings: Vec<(String, String)> = sqlx::query_as("SELECT kind, link FROM warnings WHERE enterprise_id = $1")
        .bind(a.enterprise_id)
        .fetch_all(app.sys())
        .await
        .unwrap();
    assert_eq!(warnings, vec![("prize_stock".to_string(), format!("/marketing/campaigns/{campaign}"))]);
    assert_eq!(
        count(&app, "SELECT count(*) FROM outbox WHERE recipient_user_id = $1 AND subject LIKE '【预警】%'", admin.user_id).await,
        1
    );
    app.close().await;
}

/// A campaign whose only group always draws prize 1 (stock 100) with the given caps.
fn capped(spec_id: i64, daily: Option<u32>, person: Option<u32>, person_daily: Option<u32>) -> CampaignInput {
    let mut p = prize(1, "积分", PrizeKind::Points, 100);
    p.daily_cap = daily;
    p.per_person_cap = person;
    p.per_person_daily_cap = person_daily;
    input(&format!("封顶 {daily:?} {person:?} {person_daily:?}"), spec_id, vec![p, thanks(2)], vec![group(&[(1, ALL)])])
}

/// One phone scanning `n` different codes, then drawing on all of them at once.
async fn one_phone_many_draws(app: &TestApp, a: &Activated, n: u32) -> Vec<(StatusCode, Value)> {
    let mut phone = Phone::new(app);
    let mut pairs = Vec::new();
    for serial in 1..=n {
        let scan = phone.scan_id(&code(app, a, serial).await).await;
        pairs.push((phone.clone(), scan));
    }
    draw_all(pairs).await
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn prize_caps_hold_under_concurrency(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, a) = setup(&app, "封顶企业", "13800000002", 12).await;
    let e = admin.enterprise_id;

    // Daily cap 3: twelve phones at once → three wins.
    let daily = running(&app, e, None, &capped(a.spec_id, Some(3), None, None)).await;
    assert_eq!(wins(&draw_all(phones_with_scans(&app, &a, 12).await).await), 3);
    assert_eq!(awarded(&app, daily, 1).await, 3);

    // Per-person cap 2: one phone, twelve draws at once → two wins.
    let b = activated_package(&app, e, admin.user_id, 12, 60).await;
    let person = running(&app, e, None, &capped(b.spec_id, None, Some(2), None)).await;
    assert_eq!(wins(&one_phone_many_draws(&app, &b, 12).await), 2);
    assert_eq!(awarded(&app, person, 1).await, 2);

    // Per-person-per-day cap 3 (per-person 5): one phone, twelve draws at once → three wins.
    let c = activated_package(&app, e, admin.user_id, 12, 60).await;
    let person_daily = running(&app, e, None, &capped(c.spec_id, None, Some(5), Some(3))).await;
    assert_eq!(wins(&one_phone_many_draws(&app, &c, 12).await), 3);
    assert_eq!(awarded(&app, person_daily, 1).await, 3);
    // The per-person counter moved before the per-person-per-day cap refused: it was undone.
    let per_person = "SELECT n::bigint FROM campaign_counters WHERE campaign_id = $1 AND kind = 8 AND day = '1970-01-01'";
    assert_eq!(count(&app, per_person, person_daily).await, 3);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn user_draws_per_day_hold_under_concurrency(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "参与企业", "13800000003", 8).await;
    let mut i = input("每日三次", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100), thanks(2)], vec![group(&[(1, 500_000)])]);
    i.settings.user_draws.per_day = Some(3);
    let campaign = running(&app, a.enterprise_id, None, &i).await;

    let results = one_phone_many_draws(&app, &a, 8).await;
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(ok, 3, "{results:?}");
    for (s, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refusal(body), &json!({ "UserDrawLimit": { "today": true } }));
    }
    // A refused draw leaves nothing behind.
    assert_eq!(count(&app, "SELECT count(*) FROM draws WHERE campaign_id = $1", campaign).await, 3);
    let n: i32 = sqlx::query_scalar("SELECT n FROM campaign_counters WHERE campaign_id = $1 AND kind = 4")
        .bind(campaign)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(n, 3);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn code_draws_per_campaign_hold_under_concurrency(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "单码企业", "13800000004", 3).await;
    let mut i = input("单码两次", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100), thanks(2)], vec![group(&[(1, ALL)])]);
    i.settings.code_draws.per_campaign = Some(2);
    let campaign = running(&app, a.enterprise_id, None, &i).await;

    // Six phones scan the same code, then all draw at once.
    let the_code = code(&app, &a, 1).await;
    let mut pairs = Vec::new();
    for _ in 0..6 {
        let mut phone = Phone::new(&app);
        let scan = phone.scan_id(&the_code).await;
        pairs.push((phone, scan));
    }
    let results = draw_all(pairs).await;
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::OK).count(), 2, "{results:?}");
    assert!(results
        .iter()
        .filter(|(s, _)| *s != StatusCode::OK)
        .all(|(_, b)| refusal(b) == &json!({ "CodeDrawLimit": { "today": false } })));
    assert_eq!(count(&app, "SELECT count(*) FROM draws WHERE campaign_id = $1", campaign).await, 2);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_over_limit_prize_comes_exactly_when_the_stock_is_out(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "超限企业", "13800000005", 12).await;
    let mut grand = prize(1, "大奖", PrizeKind::Cash, 2);
    grand.over_limit = Some(3);
    let i = input("超限活动", a.spec_id, vec![grand, thanks(2), prize(3, "安慰奖", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]);
    let campaign = running(&app, a.enterprise_id, None, &i).await;

    // Two sequential draws get the grand prize itself.
    let mut pairs = phones_with_scans(&app, &a, 12).await;
    let rest = pairs.split_off(2);
    for (i, (mut phone, scan)) in pairs.into_iter().enumerate() {
        let body = phone.draw(scan, &format!("first-draw-{i}")).await.1;
        assert_eq!(body["wins"][0]["prize_key"], json!(1), "{body}");
    }
    let none: i64 = count(&app, "SELECT count(*) FROM draw_wins WHERE campaign_id = $1 AND over_limit IS NOT NULL", campaign).await;
    assert_eq!(none, 0, "no over-limit award while the stock lasts");

    // Ten at once after the stock is out: each gets the over-limit prize, recorded as such.
    let results = draw_all(rest).await;
    assert_eq!(wins(&results), 10);
    assert!(results.iter().all(|(_, v)| v["wins"][0]["prize_key"] == json!(3)));
    assert_eq!((awarded(&app, campaign, 1).await, awarded(&app, campaign, 3).await), (2, 10));
    let replaced: Vec<(i16, Option<String>)> = sqlx::query_as(
        "SELECT w.drawn_key, w.over_limit FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id WHERE w.campaign_id = $1 AND p.key = 3",
    )
    .bind(campaign)
    .fetch_all(app.sys())
    .await
    .unwrap();
    assert_eq!(replaced.len(), 10);
    assert!(replaced.iter().all(|r| *r == (1, Some("stock".to_string()))));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn retries_and_double_submits_never_draw_twice(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "幂等企业", "13800000006", 4).await;
    let campaign = running(
        &app,
        a.enterprise_id,
        None,
        &input("幂等活动", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]),
    )
    .await;
    let mut phones = phones_with_scans(&app, &a, 3).await;

    // The same key twice in a row: the second is a replay of the first.
    let (mut phone, scan) = phones.remove(0);
    let (s1, first) = phone.draw(scan, "retry-key-0001").await;
    assert_eq!(s1, StatusCode::OK, "{first}");
    assert_eq!(first["replayed"], json!(false));
    let (_, again) = phone.draw(scan, "retry-key-0001").await;
    assert_eq!(again["replayed"], json!(true));
    assert_eq!((&again["draw_id"], &again["wins"]), (&first["draw_id"], &first["wins"]));
    // Another key on the same scan: still the first result.
    let (_, other_key) = phone.draw(scan, "another-key-02").await;
    assert_eq!((&other_key["draw_id"], &other_key["replayed"]), (&first["draw_id"], &json!(true)));

    // Double submit: the same key at once, five times.
    let (phone, scan) = phones.remove(0);
    let results = all((0..5)
        .map(|_| {
            let mut p = phone.clone();
            async move { p.draw(scan, "double-click-01").await }
        })
        .collect())
    .await;
    assert!(results.iter().all(|(s, _)| *s == StatusCode::OK), "{results:?}");
    assert_eq!(results.iter().filter(|(_, v)| v["replayed"] == json!(false)).count(), 1);
    assert_eq!(results.iter().map(|(_, v)| v["draw_id"].clone()).collect::<std::collections::HashSet<_>>().len(), 1);

    // The same scan with different keys at once: one draw.
    let (phone, scan) = phones.remove(0);
    let results = all((0..5)
        .map(|i| {
            let mut p = phone.clone();
            async move { p.draw(scan, &format!("parallel-key-{i}")).await }
        })
        .collect())
    .await;
    assert_eq!(results.iter().filter(|(_, v)| v["replayed"] == json!(false)).count(), 1, "{results:?}");

    assert_eq!(count(&app, "SELECT count(*) FROM draws WHERE campaign_id = $1", campaign).await, 3);
    assert_eq!(count(&app, "SELECT count(*) FROM draw_wins WHERE campaign_id = $1", campaign).await, 3);
    assert_eq!(awarded(&app, campaign, 1).await, 3);

    // A bad key is refused before anything happens.
    let (mut phone, scan) = phones_with_scans(&app, &a, 4).await.pop().unwrap();
    let (status, body) = phone.draw(scan, "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Invalid"][0]["field"], json!("idempotency_key"), "{body}");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn another_devices_scan_cannot_be_drawn(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "设备企业", "13800000007", 2).await;
    running(
        &app,
        a.enterprise_id,
        None,
        &input("设备活动", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]),
    )
    .await;
    let mut owner = Phone::new(&app);
    let scan = owner.scan_id(&code(&app, &a, 1).await).await;
    let cookie = owner.cookie.clone().expect("the scan set a device cookie");
    assert!(cookie.len() == 65 && cookie.as_bytes()[32] == b'.', "{cookie}");

    let mut thief = Phone::new(&app);
    let (status, body) = thief.draw(scan, "stolen-scan-01").await;
    assert_eq!((status, refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &json!("ScanNotFound")));
    // A forged cookie is replaced by a fresh device, which does not own the scan either.
    thief.cookie = Some(format!("{}.{}", &cookie[..32], "0".repeat(32)));
    let (status, body) = thief.draw(scan, "stolen-scan-02").await;
    assert_eq!((status, refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &json!("ScanNotFound")));
    assert_ne!(thief.cookie.as_deref(), Some(cookie.as_str()));
    // A scan that does not exist.
    let (_, body) = owner.draw(scan + 1000, "no-such-scan-1").await;
    assert_eq!(refusal(&body), &json!("ScanNotFound"));
    // The owner still can.
    let (status, body) = owner.draw(scan, "owner-draw-001").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn scans_tell_forged_unactivated_scrapped_and_out_of_campaign_codes_apart(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, a) = setup(&app, "验真企业", "13800000008", 3).await;
    let e = a.enterprise_id;
    running(&app, e, None, &input("验真活动", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])])).await;
    let mut phone = Phone::new(&app);

    // Genuine, in the campaign: the signal counts scans and says who was first.
    let genuine = code(&app, &a, 1).await;
    let first = phone.scan(&genuine).await;
    assert!(first["result"]["Genuine"].is_object(), "{first}");
    assert_eq!((&first["scan"]["scans"], &first["scan"]["first_by_me"]), (&json!(1), &json!(true)));
    assert_eq!(first["enterprise_id"], json!(e));
    let second = Phone::new(&app).scan(&genuine).await;
    assert_eq!((&second["scan"]["scans"], &second["scan"]["first_by_me"]), (&json!(2), &json!(false)));
    let (scans, consumers): (i32, i32) =
        sqlx::query_as("SELECT scans, consumers FROM code_scan_stats WHERE package_id = $1 AND serial = 1")
            .bind(a.package_id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!((scans, consumers), (2, 2));

    // Forged: one character changed. Nothing recorded, nothing said.
    let mut forged: Vec<char> = genuine.chars().collect();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let body = phone.scan(&forged).await;
    assert_eq!(body, json!({ "result": "Invalid", "scan": null, "campaign": null, "no_campaign": null, "enterprise_id": null }));

    // A package of the same spec with serials 1–2 active (2 scrapped) and 3–4 not activated.
    let other = package(&app, e, a.spec_id, admin.user_id, 4, 1, "generated").await;
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, status, activated_at)
         VALUES ($1, $2, 1, 1, 2, $3, 'active', now() - interval '1 day')",
    )
    .bind(e)
    .bind(other)
    .bind(a.product_id)
    .execute(app.sys())
    .await
    .unwrap();
    scrap(&app, e, other, 1, 2).await;
    let code_of = |serial| {
        let app = &app;
        async move { app.state.codes.code_of(app.sys(), e, other, serial).await.unwrap().unwrap() }
    };
    let body = phone.scan(&code_of(2).await).await;
    assert_eq!((&body["result"], &body["campaign"], &body["no_campaign"]), (&json!("Scrapped"), &Value::Null, &Value::Null));
    assert!(body["scan"]["scan_id"].is_i64());
    let body = phone.scan(&code_of(3).await).await;
    assert_eq!((&body["result"], &body["campaign"], &body["no_campaign"]), (&json!("NotActivated"), &Value::Null, &Value::Null));
    let verdicts: Vec<String> =
        sqlx::query_scalar("SELECT verdict FROM scans WHERE package_id = $1 ORDER BY id").bind(other).fetch_all(app.sys()).await.unwrap();
    assert_eq!(verdicts, ["scrapped", "not_activated"]);

    // Genuine but outside any campaign (a spec no campaign takes).
    let outside_spec = spec(&app, e, "不参与活动的码").await;
    let outside = package(&app, e, outside_spec, admin.user_id, 2, 1, "generated").await;
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, status, activated_at)
         VALUES ($1, $2, 1, 1, 2, 'active', now())",
    )
    .bind(e)
    .bind(outside)
    .execute(app.sys())
    .await
    .unwrap();
    let out_code = app.state.codes.code_of(app.sys(), e, outside, 1).await.unwrap().unwrap();
    let body = phone.scan(&out_code).await;
    assert!(body["result"]["Genuine"].is_object(), "{body}");
    assert_eq!((&body["campaign"], &body["no_campaign"]), (&Value::Null, &json!("NoCampaign")));
    // Its scan cannot be drawn.
    let scan = body["scan"]["scan_id"].as_i64().unwrap();
    let (status, body) = phone.draw(scan, "outside-draw-1").await;
    assert_eq!((status, refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &json!("NoCampaign")));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn scan_limits_and_rescans_keep_scans_out_of_the_campaign(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "扫码限制企业", "13800000009", 2).await;
    let mut i = input("扫码限制", a.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]);
    i.settings.scans_per_code = Some(10);
    i.settings.scans_per_code_per_person = Some(2);
    i.settings.code_draws.rescans = Some(3);
    let campaign = running(&app, a.enterprise_id, None, &i).await;
    let c = code(&app, &a, 1).await;

    let mut phone = Phone::new(&app);
    for _ in 0..2 {
        assert!(phone.scan(&c).await["campaign"].is_object());
    }
    let third = phone.scan(&c).await;
    assert_eq!((&third["campaign"], &third["no_campaign"]), (&Value::Null, &json!("CodeScanLimit")));
    // Scans 4 (another phone) is the third re-scan: still in; scan 5 is past the re-scan limit.
    assert!(Phone::new(&app).scan(&c).await["campaign"].is_object());
    let fifth = Phone::new(&app).scan(&c).await;
    assert_eq!(fifth["no_campaign"], json!({ "CodeDrawLimit": { "today": false } }));
    assert_eq!(count(&app, "SELECT count(*) FROM scans WHERE campaign_id = $1", campaign).await, 3);
    // The code's scan counter moved for the refused third scan too, and was undone.
    assert_eq!(count(&app, "SELECT n::bigint FROM campaign_counters WHERE campaign_id = $1 AND kind = 1", campaign).await, 3);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn win_limits_send_the_drawn_prize_to_its_over_limit_prize_and_intervals_hold(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, a) = setup(&app, "中奖限制企业", "13800000010", 6).await;
    let mut grand = prize(1, "大奖", PrizeKind::Cash, 100);
    grand.over_limit = Some(2);
    let mut i = input("中奖限制", a.spec_id, vec![grand, prize(2, "安慰奖", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]);
    i.settings.user_wins.per_campaign = Some(1);
    let campaign = running(&app, a.enterprise_id, None, &i).await;

    // One phone, four draws at once: one grand prize; the others get the over-limit prize, which
    // does not count against the win limit.
    let results = one_phone_many_draws(&app, &a, 4).await;
    assert_eq!(wins(&results), 4);
    assert_eq!((awarded(&app, campaign, 1).await, awarded(&app, campaign, 2).await), (1, 3));
    let reasons: Vec<Option<String>> =
        sqlx::query_scalar("SELECT over_limit FROM draw_wins WHERE campaign_id = $1 AND drawn_key = 1 ORDER BY over_limit NULLS FIRST")
            .bind(campaign)
            .fetch_all(app.sys())
            .await
            .unwrap();
    assert_eq!(reasons, [None, Some("user_wins_campaign".into()), Some("user_wins_campaign".into()), Some("user_wins_campaign".into())]);

    // Seconds between a consumer's draws: of two draws at once, one is too soon.
    let b = activated_package(&app, a.enterprise_id, admin.user_id, 2, 60).await;
    let mut j = input("间隔", b.spec_id, vec![prize(1, "积分", PrizeKind::Points, 100)], vec![group(&[(1, ALL)])]);
    j.settings.user_draws.seconds_between_draws = Some(60);
    running(&app, a.enterprise_id, None, &j).await;
    let results = one_phone_many_draws(&app, &b, 2).await;
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::OK).count(), 1, "{results:?}");
    let refused: Vec<&Value> = results.iter().filter(|(s, _)| *s != StatusCode::OK).map(|(_, b)| refusal(b)).collect();
    assert_eq!(refused, [&json!({ "TooSoon": { "seconds": 60 } })]);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_precision_plan_on_the_draw_count_sees_the_consumers_earlier_draws(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, a) = setup(&app, "首抽方案企业", "13800000011", 3).await;
    let prizes = vec![prize(1, "首抽积分", PrizeKind::Points, 100), prize(2, "积分", PrizeKind::Points, 100)];
    let mut i = input("首抽必中", a.spec_id, prizes, vec![group(&[(2, ALL)])]);
    let first_draw = PlanConditions { draw_count: Some(CountRange { min: None, max: Some(0) }), ..PlanConditions::default() };
    i.delivery.precision.push(Plan { key: 1, name: "首抽".into(), conditions: first_draw, groups: vec![group(&[(1, ALL)])] });
    running(&app, a.enterprise_id, None, &i).await;

    let mut phone = Phone::new(&app);
    for (serial, expected) in [(1, 1), (2, 2), (3, 2)] {
        let scan = phone.scan_id(&code(&app, &a, serial).await).await;
        let (status, body) = phone.draw(scan, &format!("first-plan-{serial}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["wins"][0]["prize_key"], json!(expected), "draw {serial}: {body}");
    }
    app.close().await;
}
