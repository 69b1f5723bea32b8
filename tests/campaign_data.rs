#![cfg(feature = "ssr")]
//! 数据分析: campaign figures (KPIs, by day / hour / province / product / prize with stock
//! states), product data, brand-code data and their CSVs, scoped to the enterprise and behind the
//! CampaignData permission; a code's scan-campaign records in the code query; the demo seed's
//! running campaign with thousands of scans.

mod common;

use axum::body::Body;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::codes::{package, spec};
use common::{ean13, TestApp};
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::server::auth::SESSION_COOKIE;
use tower::ServiceExt;

/// Today in China time, and its midnight in UTC.
fn today() -> (NaiveDate, DateTime<Utc>) {
    let d = (Utc::now() + Duration::hours(8)).date_naive();
    (d, d.and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::hours(8))
}

async fn id(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.sys()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn consumer(app: &TestApp, e: i64) -> i64 {
    id(app, &format!("INSERT INTO consumers (enterprise_id) VALUES ({e}) RETURNING id")).await
}

#[allow(clippy::too_many_arguments)]
async fn scan(
    app: &TestApp,
    e: i64,
    c: i64,
    package_id: i64,
    serial: i32,
    product: Option<i64>,
    campaign: Option<i64>,
    province: Option<&str>,
    at: DateTime<Utc>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO scans (enterprise_id, consumer_id, device_id, package_id, serial, product_id, campaign_id, verdict, province, city,
                            scanned_at)
         VALUES ($1, $2, md5($2::text), $3, $4, $5, $6, 'genuine', $7, CASE WHEN $7 IS NOT NULL THEN '某市' END, $8) RETURNING id",
    )
    .bind(e)
    .bind(c)
    .bind(package_id)
    .bind(serial)
    .bind(product)
    .bind(campaign)
    .bind(province)
    .bind(at)
    .fetch_one(app.sys())
    .await
    .expect("seed scan")
}

/// A draw on a scan (copying the scan's code, product and region).
async fn draw(app: &TestApp, campaign: i64, scan_id: i64, at: DateTime<Utc>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO draws (enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial,
                            product_id, province, city, drawn_at)
         SELECT enterprise_id, $1, consumer_id, id, 'k-' || id, 0, ARRAY[1], package_id, serial, product_id, province, city, $3
           FROM scans WHERE id = $2 RETURNING id",
    )
    .bind(campaign)
    .bind(scan_id)
    .bind(at)
    .fetch_one(app.sys())
    .await
    .expect("seed draw")
}

async fn win(app: &TestApp, draw_id: i64, prize: i64, status: &str, shipped: bool, at: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO draw_wins (enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key, status, claimed_at,
                                shipped_at, won_at)
         SELECT d.enterprise_id, d.campaign_id, d.id, d.consumer_id, 0, $2, p.key, $3,
                CASE WHEN $3 = 'claimed' THEN $5 + interval '1 minute' END, CASE WHEN $4 THEN $5 + interval '1 day' END, $5
           FROM draws d JOIN campaign_prizes p ON p.id = $2 WHERE d.id = $1",
    )
    .bind(draw_id)
    .bind(prize)
    .bind(status)
    .bind(shipped)
    .bind(at)
    .execute(app.sys())
    .await
    .expect("seed win");
}

async fn campaign(app: &TestApp, e: i64, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO campaigns (enterprise_id, kind, name, status, basic, settings, delivery, page)
         VALUES ($1, 'nine_grid', $2, 'running', '{}', '{}', '{}', '{}') RETURNING id",
    )
    .bind(e)
    .bind(name)
    .fetch_one(app.sys())
    .await
    .expect("seed campaign")
}

#[allow(clippy::too_many_arguments)]
async fn prize(
    app: &TestApp,
    e: i64,
    c: i64,
    key: i16,
    name: &str,
    kind: &str,
    qty: Option<i32>,
    awarded: i32,
    warning: Option<i32>,
    fen: i64,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO campaign_prizes (enterprise_id, campaign_id, key, position, name, kind, value_fen, quantity, awarded, warning_value)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e)
    .bind(c)
    .bind(key)
    .bind(name)
    .bind(kind)
    .bind(fen)
    .bind(qty)
    .bind(awarded)
    .bind(warning)
    .fetch_one(app.sys())
    .await
    .expect("seed prize")
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (StatusCode, String) {
    let mut req = Request::builder().uri(path);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

/// A count from SQL whose `$1` is the enterprise and `$2` the campaign (either may be unused).
async fn n(app: &TestApp, e: i64, campaign: i64, sql: &str) -> i64 {
    sqlx::query_scalar(sql).bind(e).bind(campaign).fetch_one(app.sys()).await.unwrap_or_else(|err| panic!("{sql}: {err}"))
}

struct Seed {
    e: i64,
    campaign: i64,
    package: i64,
    p1: i64,
}

/// Three consumers (one who scanned 40 days ago), four scans in the last two days (one a
/// re-scan without a draw, one of unknown region), three draws, a points win (claimed), a cup
/// (claimed and shipped) and a thanks-for-playing; the prizes in each stock state; another
/// enterprise's scan at the same time.
async fn seed(app: &TestApp, e: i64, other: i64) -> Seed {
    let (_, midnight) = today();
    let brand = app.brand(e, "鲜享").await;
    let p1 = app.product(e, brand, "特级生抽", &ean13("692123450001"), 1290).await;
    let p2 = app.product(e, brand, "蚝油", &ean13("692123450002"), 1580).await;
    let spec_id = spec(app, e, "瓶盖码").await;
    let pkg =
        package(app, e, spec_id, id(app, &format!("SELECT user_id FROM memberships WHERE enterprise_id = {e}")).await, 100, 1, "generated")
            .await;
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, status, activated_at)
         VALUES ($1, $2, 1, 1, 50, $3, 'active', now())",
    )
    .bind(e)
    .bind(pkg)
    .bind(p1)
    .execute(app.sys())
    .await
    .unwrap();
    let camp = campaign(app, e, "扫码赢好礼").await;
    let points = prize(app, e, camp, 1, "10 积分", "points", Some(100), 1, Some(10), 10).await;
    let cup = prize(app, e, camp, 2, "保温杯", "goods", Some(5), 4, Some(2), 3900).await;
    prize(app, e, camp, 3, "红包", "cash", Some(1), 1, None, 500).await;
    let thanks = prize(app, e, camp, 4, "谢谢参与", "thanks", None, 0, None, 0).await;
    let (c1, c2, c3) = (consumer(app, e).await, consumer(app, e).await, consumer(app, e).await);
    let h = |hours: i64, mins: i64| midnight + Duration::hours(hours) + Duration::minutes(mins);
    // Before the range: c3 is a returning consumer.
    scan(app, e, c3, pkg, 9, Some(p1), None, Some("广东省"), midnight - Duration::days(40)).await;
    let s1 = scan(app, e, c1, pkg, 1, Some(p1), Some(camp), Some("广东省"), h(10, 0)).await;
    let s2 = scan(app, e, c2, pkg, 2, Some(p1), Some(camp), Some("广东省"), h(10, 30)).await;
    let s3 = scan(app, e, c3, pkg, 3, Some(p2), Some(camp), None, h(-3, 0)).await;
    scan(app, e, c1, pkg, 1, Some(p1), Some(camp), Some("浙江省"), h(-3, 10)).await;
    let d1 = draw(app, camp, s1, h(10, 1)).await;
    let d2 = draw(app, camp, s2, h(10, 31)).await;
    let d3 = draw(app, camp, s3, h(-3, 1)).await;
    win(app, d1, points, "claimed", false, h(10, 1)).await;
    win(app, d2, cup, "claimed", true, h(10, 31)).await;
    win(app, d3, thanks, "unclaimed", false, h(-3, 1)).await;
    for (serial, scans) in [(1, 2), (2, 1), (3, 1), (80, 1)] {
        sqlx::query(
            "INSERT INTO code_scan_stats (package_id, serial, enterprise_id, scans, first_at, first_province, first_consumer_id, last_at)
             VALUES ($1, $2, $3, $4, $5, '广东省', $6, $5)",
        )
        .bind(pkg)
        .bind(serial)
        .bind(e)
        .bind(scans)
        .bind(h(-3, 10))
        .bind(c1)
        .execute(app.sys())
        .await
        .unwrap();
    }
    // Another enterprise scanning at the same time (its package id need not exist here).
    let stranger = consumer(app, other).await;
    scan(app, other, stranger, pkg, 4, None, None, Some("广东省"), h(10, 0)).await;
    Seed { e, campaign: camp, package: pkg, p1 }
}

fn filter(campaign: Option<i64>, days: i64) -> Value {
    let (d, _) = today();
    json!({ "filter": { "campaign_id": campaign, "from": (d - Duration::days(days - 1)).to_string(), "to": d.to_string() } })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn campaign_figures_tables_and_csv(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let other = app.enterprise("山岚茶业", "13900000000").await;
    let s = seed(&app, admin.enterprise_id, other.enterprise_id).await;
    let mut c = app.signed_in(&admin.login, common::PASSWORD).await;

    for campaign in [None, Some(s.campaign)] {
        let d = c.ok("data/campaign", filter(campaign, 7)).await;
        let k = &d["kpis"];
        // The scan 40 days ago is outside; a re-scan counts as a scan; thanks is not a win.
        assert_eq!(
            (k["scans"].as_i64(), k["consumers"].as_i64(), k["draws"].as_i64(), k["wins"].as_i64()),
            (Some(4), Some(3), Some(3), Some(2)),
            "{k}"
        );
        assert_eq!((k["claims"].as_i64(), k["redemptions"].as_i64(), k["cost_fen"].as_i64()), (Some(2), Some(1), Some(3910)));
        assert_eq!((k["new_consumers"].as_i64(), k["returning_consumers"].as_i64()), (Some(2), Some(1)));
        let days = d["by_day"].as_array().unwrap();
        assert_eq!(days.len(), 7);
        let (today_date, _) = today();
        let last = &days[6];
        assert_eq!(last["day"], today_date.to_string());
        assert_eq!((last["scans"].as_i64(), last["draws"].as_i64(), last["wins"].as_i64()), (Some(2), Some(2), Some(2)));
        let before = &days[5];
        assert_eq!((before["scans"].as_i64(), before["draws"].as_i64(), before["wins"].as_i64()), (Some(2), Some(1), Some(0)));
        let hours = d["by_hour"].as_array().unwrap();
        assert_eq!(hours.len(), 24);
        assert_eq!((hours[10]["scans"].as_i64(), hours[21]["scans"].as_i64(), hours[3]["scans"].as_i64()), (Some(2), Some(2), Some(0)));
        let provinces = d["by_province"].as_array().unwrap();
        let names: Vec<&Value> = provinces.iter().map(|p| &p["province"]).collect();
        assert_eq!(names, [&json!("广东省"), &json!("浙江省"), &Value::Null], "unknown comes last");
        assert_eq!(
            (provinces[0]["scans"].as_i64(), provinces[0]["consumers"].as_i64(), provinces[0]["wins"].as_i64()),
            (Some(2), Some(2), Some(2))
        );
        let products = d["by_product"].as_array().unwrap();
        assert_eq!(products[0]["product_id"].as_i64(), Some(s.p1));
        assert_eq!(
            (products[0]["scans"].as_i64(), products[0]["consumers"].as_i64(), products[0]["wins"].as_i64()),
            (Some(3), Some(2), Some(2))
        );
        assert_eq!(
            (products[1]["scans"].as_i64(), products[1]["draws"].as_i64(), products[1]["wins"].as_i64()),
            (Some(1), Some(1), Some(0))
        );
        let prizes = d["by_prize"].as_array().unwrap();
        let states: Vec<(&str, &str, Option<i64>)> =
            prizes.iter().map(|p| (p["name"].as_str().unwrap(), p["state"].as_str().unwrap(), p["remaining"].as_i64())).collect();
        assert_eq!(
            states,
            [
                ("10 积分", "Normal", Some(99)),
                ("保温杯", "Warning", Some(1)),
                ("红包", "Exhausted", Some(0)),
                ("谢谢参与", "Unlimited", None)
            ]
        );
        assert_eq!((prizes[1]["wins"].as_i64(), prizes[1]["cost_fen"].as_i64()), (Some(1), Some(3900)));
    }
    // A range before everything: zeros, and every day still listed.
    let (d, _) = today();
    let early = json!({ "filter": { "campaign_id": null, "from": (d - Duration::days(30)).to_string(), "to": (d - Duration::days(20)).to_string() } });
    let z = c.ok("data/campaign", early).await;
    assert_eq!((z["kpis"]["scans"].as_i64(), z["by_day"].as_array().unwrap().len()), (Some(0), 11));
    // Reversed dates are refused on the field.
    let reversed = json!({ "filter": { "campaign_id": null, "from": d.to_string(), "to": (d - Duration::days(1)).to_string() } });
    let (status, body) = c.call("data/campaign", reversed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(common::field_error(&body, "to").is_some(), "{body}");

    // 商品数据 and 品牌码数据.
    let products = c.ok("data/products", filter(None, 7)).await;
    assert_eq!(products[0]["name"], "特级生抽");
    assert!(products[0]["first_scan"].is_string() && products[0]["last_scan"].is_string());
    let codes = c.ok("data/codes", json!({})).await;
    let pkg = codes.as_array().unwrap().iter().find(|p| p["package_id"].as_i64() == Some(s.package)).expect("package listed");
    assert_eq!(
        (pkg["codes"].as_i64(), pkg["activated"].as_i64(), pkg["scanned"].as_i64(), pkg["never_scanned"].as_i64()),
        (Some(100), Some(50), Some(4), Some(47)),
        "serial 80 was scanned but is not active"
    );

    // CSV of each table.
    let token = c.token().map(str::to_string);
    let q = format!("from={}&to={}&campaign={}", d - Duration::days(6), d, s.campaign);
    let (status, csv) = get(&app, token.as_deref(), &format!("/files/data/provinces.csv?{q}")).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines, ["省份,扫码,消费者,抽奖,中奖", "广东省,2,2,2,2", "浙江省,1,1,0,0", "未知,1,1,1,0"]);
    let (_, prizes) = get(&app, token.as_deref(), &format!("/files/data/prizes.csv?{q}")).await;
    assert!(prizes.contains("扫码赢好礼,保温杯,5,4,1,2,预警,1,1,39.00"), "{prizes}");
    let (_, days) = get(&app, token.as_deref(), &format!("/files/data/days.csv?{q}")).await;
    assert!(days.lines().any(|l| l == format!("{d},2,2,2")), "{days}");
    let (_, codes_csv) = get(&app, token.as_deref(), &format!("/files/data/codes.csv?{q}")).await;
    assert!(codes_csv.contains(",100,50,4,47,6.0%"), "{codes_csv}");
    for table in ["hours", "products", "product-data"] {
        assert_eq!(get(&app, token.as_deref(), &format!("/files/data/{table}.csv?{q}")).await.0, StatusCode::OK, "{table}");
    }
    assert_eq!(get(&app, token.as_deref(), &format!("/files/data/nothing.csv?{q}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, None, &format!("/files/data/days.csv?{q}")).await.0, StatusCode::UNAUTHORIZED);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn figures_are_per_enterprise_and_need_the_permission(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let other = app.enterprise("山岚茶业", "13900000000").await;
    let s = seed(&app, admin.enterprise_id, other.enterprise_id).await;

    // The other enterprise sees only its own scan, none of our campaign, package or prizes.
    let mut o = app.signed_in(&other.login, common::PASSWORD).await;
    let d = o.ok("data/campaign", filter(None, 7)).await;
    assert_eq!((d["kpis"]["scans"].as_i64(), d["kpis"]["draws"].as_i64()), (Some(1), Some(0)));
    assert!(d["by_prize"].as_array().unwrap().is_empty());
    let (status, _) = o.call("data/campaign", filter(Some(s.campaign), 7)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "someone else's campaign is not found");
    assert!(o.ok("data/codes", json!({})).await.as_array().unwrap().iter().all(|p| p["package_id"].as_i64() != Some(s.package)));
    assert!(o.ok("data/campaigns", json!({})).await.as_array().unwrap().is_empty());
    let records = o.ok("codes/scan-records", json!({ "package_id": s.package, "serial": 1 })).await;
    assert_eq!((records["scan_count"].as_i64(), records["scans"].as_array().unwrap().len()), (Some(0), 0));

    // Without 活动数据: 403 on every function and on the CSV; with view: allowed.
    let e = s.e;
    let codes_only = app.restricted(e, "码管理员", &[(Function::CodeQuery, Level::View)], "13800000001").await;
    let mut r = app.signed_in(&codes_only.login, common::PASSWORD).await;
    for (endpoint, body) in
        [("data/campaign", filter(None, 7)), ("data/products", filter(None, 7)), ("data/codes", json!({})), ("data/campaigns", json!({}))]
    {
        assert_eq!(r.call(endpoint, body).await.0, StatusCode::FORBIDDEN, "{endpoint}");
    }
    let (d, _) = today();
    assert_eq!(get(&app, r.token(), &format!("/files/data/days.csv?from={d}&to={d}")).await.0, StatusCode::FORBIDDEN);
    // The code query shows the code's scans and draws (its own permission).
    let rec = r.ok("codes/scan-records", json!({ "package_id": s.package, "serial": 1 })).await;
    assert_eq!(rec["scan_count"].as_i64(), Some(2), "from code_scan_stats");
    assert_eq!(rec["scans"].as_array().unwrap().len(), 2);
    assert_eq!(
        (rec["scans"][0]["province"].as_str(), rec["scans"][1]["province"].as_str()),
        (Some("广东省"), Some("浙江省")),
        "newest first"
    );
    assert_eq!(rec["scans"][1]["campaign_name"], "扫码赢好礼");
    let draws = rec["draws"].as_array().unwrap();
    assert_eq!(draws.len(), 1);
    assert_eq!((draws[0]["wins"][0]["prize_name"].as_str(), draws[0]["wins"][0]["status"].as_str()), (Some("10 积分"), Some("claimed")));
    assert!(draws[0]["wins"][0]["claimed_at"].is_string());

    let analyst = app.restricted(e, "数据分析", &[(Function::CampaignData, Level::View)], "13800000002").await;
    let mut a = app.signed_in(&analyst.login, common::PASSWORD).await;
    assert_eq!(a.ok("data/campaign", filter(None, 7)).await["kpis"]["scans"].as_i64(), Some(4));
    assert_eq!(a.ok("data/campaigns", json!({})).await[0]["name"], "扫码赢好礼");
    assert_eq!(a.call("codes/scan-records", json!({ "package_id": s.package, "serial": 1 })).await.0, StatusCode::FORBIDDEN);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_demo_has_a_running_campaign_with_thousands_of_scans(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let version = app.state.codes.current_version();
    let started = std::time::Instant::now();
    tessera::server::seed::demo(app.db(), version).await.expect("demo seed");
    let took = started.elapsed();
    let e = id(&app, "SELECT id FROM enterprises WHERE name = '鲜享食品集团'").await;
    let (status, camp): (String, i64) = sqlx::query_as("SELECT status, id FROM campaigns WHERE enterprise_id = $1 AND name = '扫码赢好礼'")
        .bind(e)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(status, "running");
    let scans = n(&app, e, camp, "SELECT count(*) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await;
    let draws = n(&app, e, camp, "SELECT count(*) FROM draws WHERE enterprise_id = $1 AND campaign_id = $2").await;
    let consumers = n(&app, e, camp, "SELECT count(DISTINCT consumer_id) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await;
    assert!(scans >= 10_000 && draws >= 9_000 && consumers >= 2_000, "scans {scans}, draws {draws}, consumers {consumers}");
    // Spread: about 60 days, many provinces, every prize with stock awarded exactly its wins.
    let days = n(&app, e, camp, "SELECT count(DISTINCT (scanned_at AT TIME ZONE 'UTC' + interval '8 hours')::date) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await;
    let provinces = n(&app, e, camp, "SELECT count(DISTINCT province) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await;
    assert!(days >= 55 && provinces >= 15, "days {days}, provinces {provinces}");
    let off = n(
        &app,
        e,
        camp,
        "SELECT count(*) FROM campaign_prizes p WHERE enterprise_id = $1 AND campaign_id = $2
                  AND (awarded <> (SELECT count(*) FROM draw_wins w WHERE w.prize_id = p.id) OR awarded > coalesce(quantity, awarded))",
    )
    .await;
    assert_eq!(off, 0, "awarded = wins ≤ stock for every prize");
    let wins = n(&app, e, camp, "SELECT count(*) FROM draw_wins WHERE enterprise_id = $1 AND campaign_id = $2").await;
    assert!(wins > 3_000, "wins {wins}");
    let cups_twice = n(
        &app,
        e,
        camp,
        "SELECT count(*) FROM (SELECT consumer_id FROM draw_wins w JOIN campaign_prizes p ON p.id = w.prize_id
                         WHERE w.enterprise_id = $1 AND w.campaign_id = $2 AND p.kind = 'goods' GROUP BY 1 HAVING count(*) > 1) x",
    )
    .await;
    assert_eq!(cups_twice, 0, "one cup per person");
    let ledger = n(&app, e, camp, "SELECT coalesce(sum(delta), 0)::bigint FROM points_ledger WHERE enterprise_id = $1").await;
    let balances = n(&app, e, camp, "SELECT coalesce(sum(points), 0)::bigint FROM consumers WHERE enterprise_id = $1").await;
    assert!(ledger > 0 && ledger == balances, "ledger {ledger} vs balances {balances}");
    let stats = n(&app, e, camp, "SELECT count(*) FROM code_scan_stats WHERE enterprise_id = $1").await;
    let codes = n(&app, e, camp, "SELECT count(DISTINCT serial) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await;
    assert_eq!(stats, codes);
    let unshipped_addresses =
        n(&app, e, camp, "SELECT count(*) FROM draw_wins WHERE enterprise_id = $1 AND campaign_id = $2 AND address IS NOT NULL").await;
    assert!(unshipped_addresses > 50, "goods with addresses: {unshipped_addresses}");
    assert!(took < std::time::Duration::from_secs(60), "the demo seed took {took:?}");

    // The page's figures over the last 30 days are non-trivial, and a second run adds nothing.
    let mut c = app.signed_in("13800000000", tessera::server::seed::DEMO_PASSWORD).await;
    let d = c.ok("data/campaign", filter(Some(camp), 30)).await;
    assert!(d["kpis"]["scans"].as_i64().unwrap() > 5_000, "{}", d["kpis"]);
    assert!(d["kpis"]["new_consumers"].as_i64().unwrap() > 0 && d["kpis"]["returning_consumers"].as_i64().unwrap() > 0);
    tessera::server::seed::demo(app.db(), version).await.expect("second run");
    assert_eq!(n(&app, e, camp, "SELECT count(*) FROM scans WHERE enterprise_id = $1 AND campaign_id = $2").await, scans);
    app.close().await;
}
