#![cfg(feature = "ssr")]
//! Crowds (人群) against a real PostgreSQL: a small hand-made world of consumers, scans, draws
//! and wins, and the exact members every kind of condition, tree, set operation, snapshot and
//! upload yields; live counts, validation, dependency-protected deletes, the portrait with TGI,
//! RFM, scheduled refreshes and campaign precision plans by crowd.
//!
//! The world (ages relative to this year, times relative to now):
//!
//! | c | gender | age | province | marital | education | interests            | points | risk  | other        |
//! |---|--------|-----|----------|---------|-----------|----------------------|--------|-------|--------------|
//! | 1 | female | 27  | 浙江     | married | bachelor  | food, travel         | 120    | 0     |              |
//! | 2 | female | 33  | 浙江     | single  | master    | beauty, food         | 40     | 1     |              |
//! | 3 | male   | 45  | 江苏     | married | college   | sports               | 0      | 0     |              |
//! | 4 | male   | 20  | 广东     | single  | secondary | gaming, sports, 3C   | 300    | 2     | bonus hunter |
//! | 5 | female | 60  | 江苏     | married | doctorate | travel               | 80     | 0     |              |
//! | 6 | –      | –   | –        | –       | –         | –                    | 10     | 0     |              |
//! | 7 | male   | 16  | 上海     | –       | –         | –                    | 5      | 0     |              |
//! | 8 | female | 27  | 浙江     | married | bachelor  | food                 | 500    | 0     | merged → c1  |
//!
//! Scans (days ago · product · campaign · province/city · serial):
//! c1: 1·P1·K·浙江/杭州·1, 5·P1·K·浙江/杭州·1, 10·P2·–·浙江/宁波·2; c2: 3·P2·–·浙江/杭州·3;
//! c3: 20·P1·K·江苏/南京·4, 60·P1·–·江苏/南京·5; c4: 2·P1·–·广东/深圳·6, 7, 8;
//! c5: 400·P2·–·江苏/苏州·9; c6: 200·P1·–·–·10; c8 (→ c1): 15·P2·K·上海/上海·11.
//! P1 costs 10.00, P2 50.00. Draws: c1 (1 day ago, won and claimed), c2 (3 days, won), c3
//! (20 days, lost).

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use common::campaigns::{activated_package, code, group, input, prize, running, thanks, Phone};
use common::{Client, Seeded, TestApp, PASSWORD};
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;
use tessera::domain::access::{Function, Level};
use tessera::domain::campaign::{CampaignStatus, CountRange, Plan, PlanConditions, PrizeKind};
use tessera::domain::consumers::{Education, Gender, Interest, Marital};
use tessera::domain::crowd::{
    china_today, Action, AgeBand, Attribute, Behaviour, Combine, Condition, CrowdDetail, CrowdInput, CrowdRow, CrowdSource, CrowdStatus,
    Definition, Dimension, Drill, Group, Lifecycle, LiveCount, LiveCountRequest, Node, ObjectKind, Portrait, Refresh, RefreshMode,
    RfmCondition, RfmParams, RfmReport, Segment, SetOp, SetSource, Snapshot, TimeWindow, UploadIdType, UploadReport, UploadRow,
};
use tessera::domain::page::Page;
use tessera::domain::risk::RiskLevel;
use tessera::server::auth::SESSION_COOKIE;
use tessera::server::crowds;
use tessera::server::jobs;
use tower::ServiceExt;

const ALL: u32 = 1_000_000;

// ---------- the world ----------

struct World {
    admin: Seeded,
    e: i64,
    /// Consumer ids, `c[1]` … `c[8]` (`c[0]` unused).
    c: [i64; 9],
    p1: i64,
    p2: i64,
    campaign: i64,
    today: NaiveDate,
}

impl World {
    /// Sorted ids of the consumers numbered `ns`.
    fn ids(&self, ns: &[usize]) -> Vec<i64> {
        let mut v: Vec<i64> = ns.iter().map(|n| self.c[*n]).collect();
        v.sort_unstable();
        v
    }
    fn days_ago(&self, n: i64) -> NaiveDate {
        self.today - Duration::days(n)
    }
}

#[allow(clippy::too_many_arguments)]
async fn consumer(
    app: &TestApp,
    e: i64,
    mobile: &str,
    gender: Option<&str>,
    age: Option<i32>,
    province: Option<&str>,
    marital: Option<&str>,
    education: Option<&str>,
    interests: &[&str],
    points: i32,
    risk: i16,
    hunter: bool,
    merged_into: Option<i64>,
) -> i64 {
    let year = china_today(Utc::now()).year();
    sqlx::query_scalar(
        "INSERT INTO consumers (enterprise_id, mobile, name, gender, birth_year, province, marital, education, interests, points,
                                risk_level, bonus_hunter, merged_into)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e)
    .bind(mobile)
    .bind(format!("会员{}", &mobile[9..]))
    .bind(gender)
    .bind(age.map(|a| (year - a) as i16))
    .bind(province)
    .bind(marital)
    .bind(education)
    .bind(interests.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    .bind(points)
    .bind(risk)
    .bind(hunter)
    .bind(merged_into)
    .fetch_one(app.sys())
    .await
    .expect("insert consumer")
}

/// A scan `days` ago (fractional days allowed); returns its id.
#[allow(clippy::too_many_arguments)]
async fn scan(
    app: &TestApp,
    e: i64,
    consumer: i64,
    days: f64,
    product: i64,
    campaign: Option<i64>,
    province: Option<&str>,
    city: Option<&str>,
    serial: i32,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO scans (enterprise_id, consumer_id, device_id, package_id, serial, product_id, campaign_id, verdict, province, city,
                            scanned_at)
         VALUES ($1, $2, $3, 9001, $4, $5, $6, 'genuine', $7, $8, now() - make_interval(secs => $9 * 86400))
         RETURNING id",
    )
    .bind(e)
    .bind(consumer)
    .bind(format!("{consumer:032}"))
    .bind(serial)
    .bind(product)
    .bind(campaign)
    .bind(province)
    .bind(city)
    .bind(days)
    .fetch_one(app.sys())
    .await
    .expect("insert scan")
}

/// A draw on a scan (at the scan's time); returns the draw id.
async fn draw(app: &TestApp, e: i64, campaign: i64, scan_id: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO draws (enterprise_id, campaign_id, consumer_id, scan_id, idempotency_key, plan_key, randoms, package_id, serial,
                            product_id, province, city, drawn_at)
         SELECT enterprise_id, $2, consumer_id, id, 'k' || id, 0, '{1}', package_id, serial, product_id, province, city, scanned_at
           FROM scans WHERE enterprise_id = $1 AND id = $3
         RETURNING id",
    )
    .bind(e)
    .bind(campaign)
    .bind(scan_id)
    .fetch_one(app.sys())
    .await
    .expect("insert draw")
}

/// A win of a draw (at the draw's time), claimed at the same time when `claimed`.
async fn win(app: &TestApp, e: i64, prize_id: i64, draw_id: i64, claimed: bool) {
    sqlx::query(
        "INSERT INTO draw_wins (enterprise_id, campaign_id, draw_id, consumer_id, group_index, prize_id, drawn_key, status, claimed_at, won_at)
         SELECT enterprise_id, campaign_id, id, consumer_id, 0, $3, 1, CASE WHEN $4 THEN 'claimed' ELSE 'unclaimed' END,
                CASE WHEN $4 THEN drawn_at END, drawn_at
           FROM draws WHERE enterprise_id = $1 AND id = $2",
    )
    .bind(e)
    .bind(draw_id)
    .bind(prize_id)
    .bind(claimed)
    .execute(app.sys())
    .await
    .expect("insert win");
}

/// The world of the module comment. Everything is inserted before the crowd engine first looks
/// (it catches up by each row's own time, so later rows must be stamped about now).
async fn world(app: &TestApp) -> World {
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let brand = app.brand(e, "鲜享").await;
    let p1 = app.product(e, brand, "鲜享生抽", &common::ean13("692123450001"), 1000).await;
    let p2 = app.product(e, brand, "鲜享礼盒", &common::ean13("692123450002"), 5000).await;
    let campaign_input = input("数据活动", 0, vec![prize(1, "积分", PrizeKind::Points, 100), thanks(2)], vec![group(&[(1, ALL)])]);
    let campaign = common::campaigns::create(app, e, Some(admin.user_id), &campaign_input, CampaignStatus::Ended).await;
    let prize_id: i64 = sqlx::query_scalar("SELECT id FROM campaign_prizes WHERE campaign_id = $1 AND key = 1")
        .bind(campaign)
        .fetch_one(app.sys())
        .await
        .unwrap();

    let mut c = [0i64; 9];
    c[1] = consumer(
        app,
        e,
        "13900000001",
        Some("female"),
        Some(27),
        Some("浙江"),
        Some("married"),
        Some("bachelor"),
        &["food", "travel"],
        120,
        0,
        false,
        None,
    )
    .await;
    c[2] = consumer(
        app,
        e,
        "13900000002",
        Some("female"),
        Some(33),
        Some("浙江"),
        Some("single"),
        Some("master"),
        &["beauty", "food"],
        40,
        1,
        false,
        None,
    )
    .await;
    c[3] = consumer(
        app,
        e,
        "13900000003",
        Some("male"),
        Some(45),
        Some("江苏"),
        Some("married"),
        Some("college"),
        &["sports"],
        0,
        0,
        false,
        None,
    )
    .await;
    c[4] = consumer(
        app,
        e,
        "13900000004",
        Some("male"),
        Some(20),
        Some("广东"),
        Some("single"),
        Some("secondary"),
        &["gaming", "sports", "digital"],
        300,
        2,
        true,
        None,
    )
    .await;
    c[5] = consumer(
        app,
        e,
        "13900000005",
        Some("female"),
        Some(60),
        Some("江苏"),
        Some("married"),
        Some("doctorate"),
        &["travel"],
        80,
        0,
        false,
        None,
    )
    .await;
    c[6] = consumer(app, e, "13900000006", None, None, None, None, None, &[], 10, 0, false, None).await;
    c[7] = consumer(app, e, "13900000007", Some("male"), Some(16), Some("上海"), None, None, &[], 5, 0, false, None).await;
    c[8] = consumer(
        app,
        e,
        "13900000008",
        Some("female"),
        Some(27),
        Some("浙江"),
        Some("married"),
        Some("bachelor"),
        &["food"],
        500,
        0,
        false,
        Some(c[1]),
    )
    .await;

    let k = Some(campaign);
    let (zj, js, gd, sh) = (Some("浙江"), Some("江苏"), Some("广东"), Some("上海"));
    let s1 = scan(app, e, c[1], 1.0, p1, k, zj, Some("杭州"), 1).await;
    scan(app, e, c[1], 5.0, p1, k, zj, Some("杭州"), 1).await;
    scan(app, e, c[1], 10.0, p2, None, zj, Some("宁波"), 2).await;
    let s2 = scan(app, e, c[2], 3.0, p2, None, zj, Some("杭州"), 3).await;
    let s3 = scan(app, e, c[3], 20.0, p1, k, js, Some("南京"), 4).await;
    scan(app, e, c[3], 60.0, p1, None, js, Some("南京"), 5).await;
    for serial in [6, 7, 8] {
        scan(app, e, c[4], 2.0, p1, None, gd, Some("深圳"), serial).await;
    }
    scan(app, e, c[5], 400.0, p2, None, js, Some("苏州"), 9).await;
    scan(app, e, c[6], 200.0, p1, None, None, None, 10).await;
    scan(app, e, c[8], 15.0, p2, k, sh, Some("上海"), 11).await;

    let d1 = draw(app, e, campaign, s1).await;
    let d2 = draw(app, e, campaign, s2).await;
    draw(app, e, campaign, s3).await;
    win(app, e, prize_id, d1, true).await;
    win(app, e, prize_id, d2, false).await;

    World { admin, e, c, p1, p2, campaign, today: china_today(Utc::now()) }
}

// ---------- trees ----------

fn attr(a: Attribute) -> Node {
    Node::Condition(Condition::Attribute(a))
}

fn beh(f: impl FnOnce(&mut Behaviour)) -> Node {
    let mut b = Behaviour::default();
    f(&mut b);
    Node::Condition(Condition::Behaviour(b))
}

fn scanned_within(days: u32) -> Node {
    beh(|b| b.window = TimeWindow::LastDays(days))
}

fn grp(combine: Combine, items: Vec<Node>) -> Group {
    Group { combine, items }
}

fn one(node: Node) -> Group {
    grp(Combine::Union, vec![node])
}

fn range(min: Option<u32>, max: Option<u32>) -> CountRange {
    CountRange { min, max }
}

/// The members of a tree, straight from the engine.
async fn members(app: &TestApp, w: &World, tree: &Group, exclude_hunters: bool) -> Vec<i64> {
    let m = crowds::count(&app.state, w.e, tree, exclude_hunters).await.unwrap_or_else(|e| panic!("count failed: {e:?}"));
    m.iter().map(i64::from).collect()
}

async fn assert_members(app: &TestApp, w: &World, what: &str, tree: Group, expected: &[usize]) {
    assert_eq!(members(app, w, &tree, false).await, w.ids(expected), "{what}");
}

// ---------- crowds through the API ----------

fn filter_input(name: &str, tree: Group) -> CrowdInput {
    CrowdInput { name: name.into(), definition: Definition::Filter(tree), ..CrowdInput::default() }
}

fn set_input(name: &str, first: SetSource, rest: Vec<(Combine, SetSource)>) -> CrowdInput {
    CrowdInput { name: name.into(), definition: Definition::SetOp(SetOp { first, rest }), ..CrowdInput::default() }
}

async fn save(c: &mut Client, input: &CrowdInput) -> (StatusCode, Value) {
    c.call("crowds/save", json!({ "input": input })).await
}

async fn save_ok(c: &mut Client, input: &CrowdInput) -> i64 {
    c.ok("crowds/save", json!({ "input": input })).await.as_i64().expect("crowd id")
}

/// The worker's loop until nothing is left: claim, run, record. Returns (kind, ok) per job.
async fn run_jobs(app: &TestApp) -> Vec<(String, bool)> {
    let mut ran = vec![];
    while let Some(job) = jobs::claim(&app.state).await.expect("claim") {
        let (id, kind) = (job.id, job.kind.clone());
        let outcome = jobs::run(job).await;
        ran.push((kind, outcome.is_ok()));
        jobs::finish(app.db(), id, outcome).await.expect("finish");
        assert!(ran.len() < 100, "jobs keep coming");
    }
    ran
}

/// Runs the queued jobs, asserting they all were crowd computations that succeeded.
async fn compute_all(app: &TestApp) {
    for (kind, ok) in run_jobs(app).await {
        assert_eq!(kind, crowds::COMPUTE_JOB);
        assert!(ok, "a crowd computation failed");
    }
}

/// A computed crowd's stored members, sorted.
async fn stored(app: &TestApp, id: i64) -> Vec<i64> {
    let bytes: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT members FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    crowds::decode(&bytes.expect("computed")).unwrap().iter().map(i64::from).collect()
}

async fn status_of(app: &TestApp, id: i64) -> (String, Option<i64>, Option<String>) {
    sqlx::query_as("SELECT status, size, failure FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap()
}

async fn load(c: &mut Client, id: i64) -> CrowdDetail {
    serde_json::from_value(c.ok("crowds/load", json!({ "id": id })).await).expect("CrowdDetail")
}

/// A GET through the whole router with the client's session cookie.
async fn get(app: &TestApp, c: &Client, path: &str) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().uri(path);
    if let Some(t) = c.token() {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
    }
    let res = app.router.clone().oneshot(req.body(axum::body::Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// First column of a members CSV (after its BOM and header), as ids.
fn csv_ids(csv: &str) -> Vec<i64> {
    let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    body.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').next().unwrap().parse().expect("an id")).collect()
}

// =====================================================================================
// 1. Conditions
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn behaviour_conditions_select_exactly_the_consumers_who_acted(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;

    assert_members(&app, &w, "scan in 30 days (c8's scan counts for c1)", one(scanned_within(30)), &[1, 2, 3, 4]).await;
    assert_members(&app, &w, "scan in 7 days", one(scanned_within(7)), &[1, 2, 4]).await;
    assert_members(&app, &w, "scan in 730 days", one(scanned_within(730)), &[1, 2, 3, 4, 5, 6]).await;
    assert_members(
        &app,
        &w,
        "scan in 30 days in 江苏",
        one(beh(|b| {
            b.window = TimeWindow::LastDays(30);
            b.provinces = vec!["江苏".into()];
        })),
        &[3],
    )
    .await;
    assert_members(
        &app,
        &w,
        "scan in 30 days in 上海: only the merged c8 scanned there, for c1",
        one(beh(|b| {
            b.window = TimeWindow::LastDays(30);
            b.provinces = vec!["上海".into()];
        })),
        &[1],
    )
    .await;
    assert_members(&app, &w, "scan in 30 days in 宁波 (a city)", one(beh(|b| b.cities = vec!["宁波".into()])), &[1]).await;
    assert_members(&app, &w, "scan at least twice in 30 days", one(beh(|b| b.count = range(Some(2), None))), &[1, 4]).await;
    assert_members(&app, &w, "scan 2–3 times in 30 days (c1 has 4 with c8's)", one(beh(|b| b.count = range(Some(2), Some(3)))), &[4]).await;
    assert_members(&app, &w, "scan exactly once in 30 days", one(beh(|b| b.count = range(None, Some(1)))), &[2, 3]).await;
    assert_members(
        &app,
        &w,
        "scan at least twice in 7 days",
        one(beh(|b| {
            b.window = TimeWindow::LastDays(7);
            b.count = range(Some(2), None);
        })),
        &[1, 4],
    )
    .await;
    assert_members(
        &app,
        &w,
        "at least 2 distinct codes in 7 days (c1 scanned one code twice)",
        one(beh(|b| {
            b.window = TimeWindow::LastDays(7);
            b.distinct_codes = range(Some(2), None);
        })),
        &[4],
    )
    .await;
    assert_members(&app, &w, "at least 2 distinct codes in 30 days", one(beh(|b| b.distinct_codes = range(Some(2), None))), &[1, 4]).await;
    assert_members(
        &app,
        &w,
        "product P2 in 30 days",
        one(beh(|b| {
            b.object = ObjectKind::Product;
            b.object_ids = vec![w.p2];
        })),
        &[1, 2],
    )
    .await;
    assert_members(
        &app,
        &w,
        "product P2 in 730 days",
        one(beh(|b| {
            b.object = ObjectKind::Product;
            b.object_ids = vec![w.p2];
            b.window = TimeWindow::LastDays(730);
        })),
        &[1, 2, 5],
    )
    .await;
    assert_members(
        &app,
        &w,
        "product P1 or P2 in 7 days",
        one(beh(|b| {
            b.object = ObjectKind::Product;
            b.object_ids = vec![w.p1, w.p2];
            b.window = TimeWindow::LastDays(7);
        })),
        &[1, 2, 4],
    )
    .await;
    assert_members(
        &app,
        &w,
        "campaign K in 30 days",
        one(beh(|b| {
            b.object = ObjectKind::Campaign;
            b.object_ids = vec![w.campaign];
        })),
        &[1, 3],
    )
    .await;
    assert_members(
        &app,
        &w,
        "campaign K in 30 days in 上海 (the merged c8's scan)",
        one(beh(|b| {
            b.object = ObjectKind::Campaign;
            b.object_ids = vec![w.campaign];
            b.provinces = vec!["上海".into()];
        })),
        &[1],
    )
    .await;
    assert_members(
        &app,
        &w,
        "a date range 25–12 days ago",
        one(beh(|b| b.window = TimeWindow::Range { from: w.days_ago(25), to: w.days_ago(12) })),
        &[1, 3],
    )
    .await;
    assert_members(
        &app,
        &w,
        "a date range of one day, 3 days ago",
        one(beh(|b| b.window = TimeWindow::Range { from: w.days_ago(3), to: w.days_ago(3) })),
        &[2],
    )
    .await;
    assert_members(&app, &w, "drew in 30 days", one(beh(|b| b.action = Action::Draw)), &[1, 2, 3]).await;
    assert_members(&app, &w, "won in 30 days", one(beh(|b| b.action = Action::Win)), &[1, 2]).await;
    assert_members(&app, &w, "claimed in 30 days", one(beh(|b| b.action = Action::Claim)), &[1]).await;
    assert_members(
        &app,
        &w,
        "won in 2 days",
        one(beh(|b| {
            b.action = Action::Win;
            b.window = TimeWindow::LastDays(2);
        })),
        &[1],
    )
    .await;
    assert_members(&app, &w, "redeemed in 30 days (nobody)", one(beh(|b| b.action = Action::Redeem)), &[]).await;
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn attribute_conditions_select_exactly_the_live_consumers_with_the_attribute(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;

    assert_members(&app, &w, "female (not the merged c8)", one(attr(Attribute::Gender(vec![Gender::Female]))), &[1, 2, 5]).await;
    assert_members(&app, &w, "male", one(attr(Attribute::Gender(vec![Gender::Male]))), &[3, 4, 7]).await;
    assert_members(&app, &w, "both genders", one(attr(Attribute::Gender(vec![Gender::Male, Gender::Female]))), &[1, 2, 3, 4, 5, 7]).await;
    assert_members(&app, &w, "25–29", one(attr(Attribute::AgeBand(vec![AgeBand::From25]))), &[1]).await;
    assert_members(&app, &w, "under 18 or 50+", one(attr(Attribute::AgeBand(vec![AgeBand::Under18, AgeBand::From50]))), &[5, 7]).await;
    assert_members(&app, &w, "18–24 or 40–49", one(attr(Attribute::AgeBand(vec![AgeBand::From18, AgeBand::From40]))), &[3, 4]).await;
    assert_members(&app, &w, "35–39 (nobody)", one(attr(Attribute::AgeBand(vec![AgeBand::From35]))), &[]).await;
    assert_members(&app, &w, "浙江", one(attr(Attribute::Province(vec!["浙江".into()]))), &[1, 2]).await;
    assert_members(&app, &w, "江苏 or 上海", one(attr(Attribute::Province(vec!["江苏".into(), "上海".into()]))), &[3, 5, 7]).await;
    assert_members(&app, &w, "an unknown province", one(attr(Attribute::Province(vec!["西藏".into()]))), &[]).await;
    assert_members(&app, &w, "married", one(attr(Attribute::Marital(vec![Marital::Married]))), &[1, 3, 5]).await;
    assert_members(&app, &w, "single", one(attr(Attribute::Marital(vec![Marital::Single]))), &[2, 4]).await;
    assert_members(
        &app,
        &w,
        "master or doctorate",
        one(attr(Attribute::Education(vec![Education::Master, Education::Doctorate]))),
        &[2, 5],
    )
    .await;
    assert_members(
        &app,
        &w,
        "food or sports",
        one(attr(Attribute::Interests { tags: vec![Interest::Food, Interest::Sports], all: false })),
        &[1, 2, 3, 4],
    )
    .await;
    assert_members(
        &app,
        &w,
        "food and travel",
        one(attr(Attribute::Interests { tags: vec![Interest::Food, Interest::Travel], all: true })),
        &[1],
    )
    .await;
    assert_members(
        &app,
        &w,
        "sports and 3C",
        one(attr(Attribute::Interests { tags: vec![Interest::Sports, Interest::Digital], all: true })),
        &[4],
    )
    .await;
    assert_members(&app, &w, "points 50–200", one(attr(Attribute::Points(range(Some(50), Some(200))))), &[1, 5]).await;
    assert_members(&app, &w, "points ≥ 300 (not the merged c8's 500)", one(attr(Attribute::Points(range(Some(300), None)))), &[4]).await;
    assert_members(&app, &w, "points ≤ 10", one(attr(Attribute::Points(range(None, Some(10))))), &[3, 6, 7]).await;
    assert_members(
        &app,
        &w,
        "first scan in the last 30 days (c1's first is c8's, 15 days ago)",
        one(attr(Attribute::FirstScan { from: Some(w.days_ago(30)), to: None })),
        &[1, 2, 4],
    )
    .await;
    assert_members(
        &app,
        &w,
        "first scan 16–12 days ago",
        one(attr(Attribute::FirstScan { from: Some(w.days_ago(16)), to: Some(w.days_ago(12)) })),
        &[1],
    )
    .await;
    assert_members(
        &app,
        &w,
        "first scan 100+ days ago",
        one(attr(Attribute::FirstScan { from: None, to: Some(w.days_ago(100)) })),
        &[5, 6],
    )
    .await;
    assert_members(
        &app,
        &w,
        "last scan this week-ish (7 days)",
        one(attr(Attribute::LastScan { from: Some(w.days_ago(7)), to: Some(w.today) })),
        &[1, 2, 4],
    )
    .await;
    assert_members(&app, &w, "last scan 30+ days ago", one(attr(Attribute::LastScan { from: None, to: Some(w.days_ago(30)) })), &[5, 6])
        .await;
    assert_members(
        &app,
        &w,
        "last scan 20 days ago exactly",
        one(attr(Attribute::LastScan { from: Some(w.days_ago(20)), to: Some(w.days_ago(20)) })),
        &[3],
    )
    .await;
    assert_members(&app, &w, "new: one scan ever", one(attr(Attribute::Lifecycle(Lifecycle::New))), &[2, 5, 6]).await;
    assert_members(
        &app,
        &w,
        "returning: two scans or more (c1 with c8's)",
        one(attr(Attribute::Lifecycle(Lifecycle::Returning))),
        &[1, 3, 4],
    )
    .await;
    assert_members(&app, &w, "risk watch or high", one(attr(Attribute::Risk(vec![RiskLevel::Watch, RiskLevel::High]))), &[2, 4]).await;
    assert_members(&app, &w, "risk normal", one(attr(Attribute::Risk(vec![RiskLevel::Normal]))), &[1, 3, 5, 6, 7]).await;
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn rfm_conditions_segment_against_the_mean_of_consumers_with_a_scan_in_the_period(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    // In 365 days (c5's only scan is older): R days / F / M fen
    //   c1 1/4/12000 (with c8's scan) · c2 3/1/5000 · c3 20/2/2000 · c4 2/3/3000 · c6 200/1/1000
    // Means: R 226/5 = 45.2, F 11/5 = 2.2, M 23000/5 = 4600.
    //   c1 R+F+M+ high value · c2 R+F−M+ key develop · c3 R+F−M− general develop
    //   c4 R+F+M− general value · c6 R−F−M− potential
    let rfm = |segments: Vec<Segment>| one(Node::Condition(Condition::Rfm(RfmCondition { segments, params: RfmParams::default() })));
    assert_members(&app, &w, "high value", rfm(vec![Segment::HighValue]), &[1]).await;
    assert_members(&app, &w, "key develop", rfm(vec![Segment::KeyDevelop]), &[2]).await;
    assert_members(&app, &w, "general develop", rfm(vec![Segment::GeneralDevelop]), &[3]).await;
    assert_members(&app, &w, "general value", rfm(vec![Segment::GeneralValue]), &[4]).await;
    assert_members(&app, &w, "potential", rfm(vec![Segment::Potential]), &[6]).await;
    assert_members(&app, &w, "high value or general value", rfm(vec![Segment::HighValue, Segment::GeneralValue]), &[1, 4]).await;
    assert_members(&app, &w, "key retain (nobody)", rfm(vec![Segment::KeyRetain, Segment::KeyWinBack, Segment::GeneralRetain]), &[]).await;

    // A 30-day period: c1 1/4/12000, c2 3/1/5000, c3 20/1/1000, c4 2/3/3000; means R 6.5, F 2.25, M 5250.
    //   c1 high value · c2 R+F−M− general develop · c3 potential · c4 R+F+M− general value
    let short = |segments: Vec<Segment>| {
        one(Node::Condition(Condition::Rfm(RfmCondition { segments, params: RfmParams { period_days: 30, ..RfmParams::default() } })))
    };
    assert_members(&app, &w, "30 days: high value", short(vec![Segment::HighValue]), &[1]).await;
    assert_members(&app, &w, "30 days: general develop", short(vec![Segment::GeneralDevelop]), &[2]).await;
    assert_members(&app, &w, "30 days: potential", short(vec![Segment::Potential]), &[3]).await;
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_crowd_condition_selects_members_or_non_members_of_a_computed_crowd(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let zj_women =
        grp(Combine::Intersection, vec![attr(Attribute::Gender(vec![Gender::Female])), attr(Attribute::Province(vec!["浙江".into()]))]);
    let a = save_ok(&mut c, &filter_input("浙江女性", zj_women)).await;

    // Not computed yet: a tree referring to it cannot be counted.
    let member_of = |member| one(Node::Condition(Condition::Crowd { crowd_id: a, member }));
    let err = crowds::count(&app.state, w.e, &member_of(true), false).await.unwrap_err();
    assert_eq!(format!("{err:?}"), "Refused(Crowd(NotComputed(\"浙江女性\")))");

    compute_all(&app).await;
    assert_eq!(stored(&app, a).await, w.ids(&[1, 2]));
    assert_members(&app, &w, "member of 浙江女性", member_of(true), &[1, 2]).await;
    assert_members(&app, &w, "not member of 浙江女性", member_of(false), &[3, 4, 5, 6, 7]).await;
    assert_members(
        &app,
        &w,
        "not member of 浙江女性 and scanned in 30 days",
        grp(Combine::Intersection, vec![Node::Condition(Condition::Crowd { crowd_id: a, member: false }), scanned_within(30)]),
        &[3, 4],
    )
    .await;
    app.close().await;
}

// =====================================================================================
// 2. Trees
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn trees_combine_by_union_intersection_difference_and_nested_groups(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let female = || attr(Attribute::Gender(vec![Gender::Female]));
    let male = || attr(Attribute::Gender(vec![Gender::Male]));
    let zj = || attr(Attribute::Province(vec!["浙江".into()]));

    assert_members(
        &app,
        &w,
        "female ∪ high risk",
        grp(Combine::Union, vec![female(), attr(Attribute::Risk(vec![RiskLevel::High]))]),
        &[1, 2, 4, 5],
    )
    .await;
    assert_members(&app, &w, "female ∩ scanned in 30 days", grp(Combine::Intersection, vec![female(), scanned_within(30)]), &[1, 2]).await;
    assert_members(&app, &w, "scanned in 30 days − 浙江", grp(Combine::Difference, vec![scanned_within(30), zj()]), &[3, 4]).await;
    assert_members(
        &app,
        &w,
        "scanned in 730 days − 浙江 − male",
        grp(Combine::Difference, vec![scanned_within(730), zj(), male()]),
        &[5, 6],
    )
    .await;
    // (male ∩ sports) ∪ (浙江 ∩ master)
    let nested = grp(
        Combine::Union,
        vec![
            Node::Group(grp(Combine::Intersection, vec![male(), attr(Attribute::Interests { tags: vec![Interest::Sports], all: false })])),
            Node::Group(grp(Combine::Intersection, vec![zj(), attr(Attribute::Education(vec![Education::Master]))])),
        ],
    );
    assert_members(&app, &w, "(male ∩ sports) ∪ (浙江 ∩ master)", nested, &[2, 3, 4]).await;
    // Three levels: (female ∪ (江苏 ∩ married)) − points ≥ 100
    let three = grp(
        Combine::Difference,
        vec![
            Node::Group(grp(
                Combine::Union,
                vec![
                    female(),
                    Node::Group(grp(
                        Combine::Intersection,
                        vec![attr(Attribute::Province(vec!["江苏".into()])), attr(Attribute::Marital(vec![Marital::Married]))],
                    )),
                ],
            )),
            attr(Attribute::Points(range(Some(100), None))),
        ],
    );
    assert_members(&app, &w, "(female ∪ (江苏 ∩ married)) − points ≥ 100", three, &[2, 3, 5]).await;

    // Bonus hunters out: c4 goes, whatever the tree.
    let males = one(male());
    assert_eq!(members(&app, &w, &males, false).await, w.ids(&[3, 4, 7]));
    assert_eq!(members(&app, &w, &males, true).await, w.ids(&[3, 7]));
    assert_eq!(members(&app, &w, &one(scanned_within(7)), true).await, w.ids(&[1, 2]));

    // The merged c8 is in no set, even one made of its own attributes and scans.
    let everything = grp(
        Combine::Union,
        vec![
            scanned_within(730),
            attr(Attribute::Points(range(Some(0), None))),
            attr(Attribute::Gender(vec![Gender::Female])),
            attr(Attribute::Interests { tags: vec![Interest::Food], all: false }),
        ],
    );
    let all = members(&app, &w, &everything, false).await;
    assert_eq!(all, w.ids(&[1, 2, 3, 4, 5, 6, 7]));
    assert!(!all.contains(&w.c[8]));
    app.close().await;
}

// =====================================================================================
// 3. Live count
// =====================================================================================

fn live(tree: Group, exclude_hunters: bool, editor: &str, seq: u64) -> Value {
    json!({ "req": LiveCountRequest { tree, exclude_hunters, own_id: None, editor: editor.into(), seq } })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_live_count_gives_every_node_by_path_and_the_total(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;

    // scanned in 30 days − (浙江 ∪ high risk) = {c1,c2,c3,c4} − {c1,c2,c4} = {c3}
    let tree = grp(
        Combine::Difference,
        vec![
            scanned_within(30),
            Node::Group(grp(
                Combine::Union,
                vec![attr(Attribute::Province(vec!["浙江".into()])), attr(Attribute::Risk(vec![RiskLevel::High]))],
            )),
        ],
    );
    let r: LiveCount = serde_json::from_value(c.ok("crowds/live-count", live(tree, false, "tab-1", 1)).await).unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.seq, 1);
    let nodes: BTreeMap<String, u64> = r.nodes.into_iter().collect();
    assert_eq!(nodes, BTreeMap::from([("tree.0".into(), 4), ("tree.1".into(), 3), ("tree.1.0".into(), 2), ("tree.1.1".into(), 1)]));

    // male ∪ scanned in 7 days = {c1,c2,c3,c4,c7}; without the bonus hunter c4: 4. Nodes are
    // each condition alone.
    let tree = grp(Combine::Union, vec![attr(Attribute::Gender(vec![Gender::Male])), scanned_within(7)]);
    let with: LiveCount = serde_json::from_value(c.ok("crowds/live-count", live(tree.clone(), false, "tab-1", 2)).await).unwrap();
    let without: LiveCount = serde_json::from_value(c.ok("crowds/live-count", live(tree, true, "tab-1", 3)).await).unwrap();
    assert_eq!((with.total, without.total), (5, 4));
    assert_eq!(with.nodes, vec![("tree.0".to_string(), 3), ("tree.1".to_string(), 3)]);
    assert_eq!(without.seq, 3);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn an_older_edit_of_the_same_editor_is_refused_as_superseded(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let tree = || one(scanned_within(30));

    assert_eq!(c.ok("crowds/live-count", live(tree(), false, "form-a", 7)).await["total"], 4);
    let (status, body) = c.call("crowds/live-count", live(tree(), false, "form-a", 6)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body, json!({ "Refused": { "Crowd": "Superseded" } }));
    // The same edit again, a newer one, and another editor's older number all go through.
    assert_eq!(c.ok("crowds/live-count", live(tree(), false, "form-a", 7)).await["seq"], 7);
    assert_eq!(c.ok("crowds/live-count", live(tree(), false, "form-a", 8)).await["seq"], 8);
    assert_eq!(c.ok("crowds/live-count", live(tree(), false, "form-b", 1)).await["total"], 4);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn invalid_trees_come_back_as_field_errors_on_the_node(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let female = || attr(Attribute::Gender(vec![Gender::Female]));

    let nested_difference = grp(Combine::Union, vec![female(), Node::Group(grp(Combine::Difference, vec![female(), scanned_within(7)]))]);
    let (status, body) = c.call("crowds/live-count", live(nested_difference, false, "v", 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "tree.1", "msg": { "Crowd": "DifferenceOnlyOutermost" } }] }));

    let four_levels = grp(
        Combine::Union,
        vec![Node::Group(grp(Combine::Intersection, vec![Node::Group(grp(Combine::Union, vec![Node::Group(one(female()))]))]))],
    );
    let (status, body) = c.call("crowds/live-count", live(four_levels, false, "v", 2)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "tree.0.0.0", "msg": { "Crowd": { "TooDeep": { "max": 3 } } } }] }));

    let empty_group = grp(Combine::Union, vec![female(), Node::Group(grp(Combine::Intersection, vec![]))]);
    let (status, body) = c.call("crowds/live-count", live(empty_group, false, "v", 3)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "tree.1", "msg": { "Crowd": "EmptyGroup" } }] }));

    let no_province = grp(Combine::Union, vec![female(), attr(Attribute::Province(vec![]))]);
    let (status, body) = c.call("crowds/live-count", live(no_province, false, "v", 4)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "tree.1"), Some(&json!({ "Crowd": "ChooseAtLeastOne" })), "{body}");

    // The same rules on save; nothing is stored or queued.
    let (status, body) =
        save(&mut c, &filter_input("坏人群", grp(Combine::Union, vec![Node::Group(grp(Combine::Difference, vec![female()]))]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "tree.0"), Some(&json!({ "Crowd": "DifferenceOnlyOutermost" })), "{body}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM crowds").fetch_one(app.sys()).await.unwrap();
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(app.sys()).await.unwrap();
    assert_eq!((stored, queued), (0, 0));
    app.close().await;
}

// =====================================================================================
// 4. Saving, computing, set operations, snapshots
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_saved_crowd_is_queued_computed_by_its_job_and_listed_with_its_size(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;

    // c5 and c6 first scanned 100+ days ago; c6 has no portrait attribute (not insightable).
    let mut input = filter_input("沉睡会员", one(attr(Attribute::FirstScan { from: None, to: Some(w.days_ago(100)) })));
    input.remark = "100 天前首扫".into();
    let id = save_ok(&mut c, &input).await;
    let (kind, payload): (String, Value) = sqlx::query_as("SELECT kind, payload FROM jobs").fetch_one(app.sys()).await.unwrap();
    assert_eq!((kind.as_str(), payload), ("crowd_compute", json!({ "crowd_id": id, "archive": false })));
    let list = || json!({ "filter": { "search": "", "folder_id": null }, "page": { "page": 1, "size": 10 } });
    let page: Page<CrowdRow> = serde_json::from_value(c.ok("crowds/list", list()).await).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!((page.items[0].status, page.items[0].size, page.items[0].computed_at), (CrowdStatus::Queued, None, None));

    compute_all(&app).await;
    let page: Page<CrowdRow> = serde_json::from_value(c.ok("crowds/list", list()).await).unwrap();
    let row = &page.items[0];
    assert_eq!((row.id, row.name.as_str(), row.remark.as_str()), (id, "沉睡会员", "100 天前首扫"));
    assert_eq!((row.status, row.source, row.refresh), (CrowdStatus::Computed, CrowdSource::Filter, RefreshMode::Manual));
    assert_eq!((row.size, row.insightable, row.snapshots), (Some(2), Some(1), 0));
    assert_eq!(row.created_by, "管理员");
    assert!(row.computed_at.is_some());
    assert_eq!(stored(&app, id).await, w.ids(&[5, 6]));

    // The form comes back as saved; an edit recomputes.
    let detail = load(&mut c, id).await;
    assert_eq!(detail.input.definition, input.definition);
    assert_eq!(detail.input.version, 1);
    let mut edit = detail.input.clone();
    edit.exclude_hunters = true;
    edit.definition = Definition::Filter(one(attr(Attribute::Gender(vec![Gender::Male]))));
    assert_eq!(save_ok(&mut c, &edit).await, id);
    assert_eq!(status_of(&app, id).await.0, "queued");
    compute_all(&app).await;
    assert_eq!(stored(&app, id).await, w.ids(&[3, 7]), "males without the bonus hunter");
    assert_eq!(status_of(&app, id).await, ("computed".into(), Some(2), None));
    // A stale version is refused.
    let (status, body) = save(&mut c, &edit).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // A duplicate name is a field error.
    let (status, body) = save(&mut c, &filter_input("沉睡会员", one(scanned_within(7)))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "name"), Some(&json!("Duplicate")), "{body}");

    // Search by name.
    save_ok(&mut c, &filter_input("近7天扫码", one(scanned_within(7)))).await;
    let page: Page<CrowdRow> = serde_json::from_value(
        c.ok("crowds/list", json!({ "filter": { "search": "扫码", "folder_id": null }, "page": { "page": 1, "size": 10 } })).await,
    )
    .unwrap();
    assert_eq!(page.items.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["近7天扫码"]);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn set_operations_of_crowds_and_snapshots_have_exact_members(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let a = save_ok(
        &mut c,
        &filter_input(
            "浙江女性",
            grp(Combine::Intersection, vec![attr(Attribute::Gender(vec![Gender::Female])), attr(Attribute::Province(vec!["浙江".into()]))]),
        ),
    )
    .await;
    let b = save_ok(&mut c, &filter_input("风险会员", one(attr(Attribute::Risk(vec![RiskLevel::Watch, RiskLevel::High]))))).await;
    let s =
        save_ok(&mut c, &filter_input("运动爱好者", one(attr(Attribute::Interests { tags: vec![Interest::Sports], all: false })))).await;
    compute_all(&app).await;
    assert_eq!(stored(&app, a).await, w.ids(&[1, 2]));
    assert_eq!(stored(&app, b).await, w.ids(&[2, 4]));
    assert_eq!(stored(&app, s).await, w.ids(&[3, 4]));

    // A set operation of crowds not computed yet fails with the reason.
    let pending = save_ok(&mut c, &filter_input("待计算", one(scanned_within(7)))).await;
    let early = save_ok(&mut c, &set_input("过早", SetSource::Crowd(a), vec![(Combine::Union, SetSource::Crowd(pending))])).await;
    let mut tx = app.sys().begin().await.unwrap();
    // Run the set operation's job before the crowd it reads (jobs run oldest first).
    sqlx::query("UPDATE jobs SET run_at = now() + interval '1 hour' WHERE payload->>'crowd_id' = $1")
        .bind(pending.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ran = run_jobs(&app).await;
    assert_eq!(ran, vec![("crowd_compute".to_string(), false)]);
    let (status, _, failure) = status_of(&app, early).await;
    assert_eq!((status.as_str(), failure.as_deref()), ("failed", Some("人群「待计算」尚未计算完成")));
    sqlx::query("UPDATE jobs SET run_at = now() WHERE status = 'queued'").execute(app.sys()).await.unwrap();
    compute_all(&app).await;

    let union = save_ok(&mut c, &set_input("并集", SetSource::Crowd(a), vec![(Combine::Union, SetSource::Crowd(b))])).await;
    let inter = save_ok(&mut c, &set_input("交集", SetSource::Crowd(a), vec![(Combine::Intersection, SetSource::Crowd(b))])).await;
    let diff = save_ok(&mut c, &set_input("差集", SetSource::Crowd(a), vec![(Combine::Difference, SetSource::Crowd(b))])).await;
    let three = save_ok(
        &mut c,
        &set_input("三者", SetSource::Crowd(b), vec![(Combine::Union, SetSource::Crowd(s)), (Combine::Difference, SetSource::Crowd(a))]),
    )
    .await;
    compute_all(&app).await;
    assert_eq!(stored(&app, union).await, w.ids(&[1, 2, 4]));
    assert_eq!(stored(&app, inter).await, w.ids(&[2]));
    assert_eq!(stored(&app, diff).await, w.ids(&[1]));
    assert_eq!(stored(&app, three).await, w.ids(&[3, 4]), "(风险 ∪ 运动) − 浙江女性");
    let page: Page<CrowdRow> = serde_json::from_value(
        c.ok("crowds/list", json!({ "filter": { "search": "并集", "folder_id": null }, "page": { "page": 1, "size": 10 } })).await,
    )
    .unwrap();
    assert_eq!((page.items[0].source, page.items[0].size), (CrowdSource::SetOp, Some(3)));

    // A manual refresh with archive keeps a snapshot `<name>_<yyyyMMddHHmmss>` of {c2, c4}.
    let before = Utc::now();
    c.ok("crowds/refresh", json!({ "id": b, "archive": true })).await;
    assert_eq!(status_of(&app, b).await.0, "queued");
    // Refreshing again while queued is refused.
    let (status, _) = c.call("crowds/refresh", json!({ "id": b, "archive": false })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    compute_all(&app).await;
    let snaps: Vec<Snapshot> = serde_json::from_value(c.ok("crowds/snapshots", json!({ "crowd_id": b })).await).unwrap();
    assert_eq!(snaps.len(), 1);
    let snap = &snaps[0];
    assert_eq!((snap.crowd_id, snap.size), (b, 2));
    let stamp = snap.name.strip_prefix("风险会员_").unwrap_or_else(|| panic!("snapshot name {}", snap.name));
    assert_eq!(stamp.len(), 14, "{}", snap.name);
    let at = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").expect("yyyyMMddHHmmss").and_utc() - Duration::hours(8);
    assert!(at >= before - Duration::seconds(1) && at <= Utc::now(), "China time of the refresh: {at} vs {before}");

    // The snapshot's members as CSV.
    let (status, headers, csv) = get(&app, &c, &format!("/files/crowd-snapshots/{}/members.csv", snap.id)).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(csv_ids(&csv), w.ids(&[2, 4]));
    assert!(csv.contains("13900000002"), "a crowd manager sees mobiles unmasked: {csv}");
    let (status, _, _) = get(&app, &app.client(), &format!("/files/crowd-snapshots/{}/members.csv", snap.id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // c2 is no longer at risk: the crowd changes, the snapshot does not.
    sqlx::query("UPDATE consumers SET risk_level = 0 WHERE id = $1").bind(w.c[2]).execute(app.sys()).await.unwrap();
    c.ok("crowds/refresh", json!({ "id": b, "archive": false })).await;
    compute_all(&app).await;
    assert_eq!(stored(&app, b).await, w.ids(&[4]));
    let snaps: Vec<Snapshot> = serde_json::from_value(c.ok("crowds/snapshots", json!({ "crowd_id": b })).await).unwrap();
    assert_eq!(snaps.len(), 1, "a refresh without archive keeps no snapshot");
    let from_snapshot =
        save_ok(&mut c, &set_input("流失风险", SetSource::Snapshot(snap.id), vec![(Combine::Difference, SetSource::Crowd(b))])).await;
    let snapshot_and_a =
        save_ok(&mut c, &set_input("快照交浙江女性", SetSource::Crowd(a), vec![(Combine::Intersection, SetSource::Snapshot(snap.id))]))
            .await;
    compute_all(&app).await;
    assert_eq!(stored(&app, from_snapshot).await, w.ids(&[2]), "snapshot {{c2,c4}} − now {{c4}}");
    assert_eq!(stored(&app, snapshot_and_a).await, w.ids(&[2]));
    // Members of a crowd as CSV, too.
    let (status, _, csv) = get(&app, &c, &format!("/files/crowds/{union}/members.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv_ids(&csv), w.ids(&[1, 2, 4]));
    // A snapshot read by a set operation cannot be deleted.
    let (status, body) = c.call("crowds/snapshot-delete", json!({ "id": snap.id })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["人群「快照交浙江女性」", "人群「流失风险」"] } } }));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn derivation_deeper_than_three_and_self_references_are_refused(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let a = save_ok(&mut c, &filter_input("女性", one(attr(Attribute::Gender(vec![Gender::Female]))))).await;
    let b = save_ok(&mut c, &filter_input("男性", one(attr(Attribute::Gender(vec![Gender::Male]))))).await;
    compute_all(&app).await;

    // Level 2 and 3 are fine; level 4 is refused, by a set operation or by a "member of".
    let d1 = save_ok(&mut c, &set_input("派生1", SetSource::Crowd(a), vec![(Combine::Union, SetSource::Crowd(b))])).await;
    compute_all(&app).await;
    let d2 = save_ok(&mut c, &set_input("派生2", SetSource::Crowd(d1), vec![(Combine::Difference, SetSource::Crowd(b))])).await;
    compute_all(&app).await;
    assert_eq!(stored(&app, d2).await, w.ids(&[1, 2, 5]));
    let (status, body) = save(&mut c, &set_input("派生3", SetSource::Crowd(d2), vec![(Combine::Union, SetSource::Crowd(a))])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body, json!({ "Refused": { "Crowd": { "SetTooDeep": { "max": 3 } } } }));
    let (status, body) = save(&mut c, &filter_input("派生3", one(Node::Condition(Condition::Crowd { crowd_id: d2, member: true })))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body, json!({ "Refused": { "Crowd": { "SetTooDeep": { "max": 3 } } } }));
    // A "member of" d1 is level 3: fine.
    let e3 = save_ok(&mut c, &filter_input("派生1的成员", one(Node::Condition(Condition::Crowd { crowd_id: d1, member: true })))).await;
    compute_all(&app).await;
    assert_eq!(stored(&app, e3).await, w.ids(&[1, 2, 3, 4, 5, 7]));

    // A crowd cannot refer to itself: directly …
    let mut edit = load(&mut c, a).await.input;
    edit.definition = Definition::Filter(grp(
        Combine::Union,
        vec![attr(Attribute::Gender(vec![Gender::Female])), Node::Condition(Condition::Crowd { crowd_id: a, member: false })],
    ));
    let (status, body) = save(&mut c, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "tree.1", "msg": { "Crowd": "SelfReference" } }] }));
    // … as a set operation of itself …
    let mut edit_set = load(&mut c, d1).await.input;
    edit_set.definition = Definition::SetOp(SetOp { first: SetSource::Crowd(d1), rest: vec![(Combine::Union, SetSource::Crowd(a))] });
    let (status, body) = save(&mut c, &edit_set).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "sources", "msg": { "Crowd": "SelfReference" } }] }));
    // … or through another crowd (a → e3 → d1 → a).
    edit.definition = Definition::Filter(one(Node::Condition(Condition::Crowd { crowd_id: e3, member: true })));
    let (status, body) = save(&mut c, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "Invalid": [{ "field": "tree", "msg": { "Crowd": "SelfReference" } }] }));
    // The live count of the edit form refuses its own id too.
    let req = LiveCountRequest {
        tree: one(Node::Condition(Condition::Crowd { crowd_id: a, member: true })),
        exclude_hunters: false,
        own_id: Some(a),
        editor: "edit".into(),
        seq: 1,
    };
    let (status, body) = c.call("crowds/live-count", json!({ "req": req })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "tree.0"), Some(&json!({ "Crowd": "SelfReference" })));
    // Nothing changed.
    assert_eq!(load(&mut c, a).await.input.version, 1);
    app.close().await;
}

// =====================================================================================
// 5. Dependency-protected delete
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_crowd_used_by_another_crowd_or_a_campaign_plan_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let a = save_ok(&mut c, &filter_input("女性", one(attr(Attribute::Gender(vec![Gender::Female]))))).await;
    let b = save_ok(&mut c, &filter_input("男性", one(attr(Attribute::Gender(vec![Gender::Male]))))).await;
    compute_all(&app).await;
    let u = save_ok(&mut c, &set_input("全部性别", SetSource::Crowd(a), vec![(Combine::Union, SetSource::Crowd(b))])).await;
    let m = save_ok(&mut c, &filter_input("非女性", one(Node::Condition(Condition::Crowd { crowd_id: a, member: false })))).await;
    compute_all(&app).await;
    c.ok("crowds/refresh", json!({ "id": a, "archive": true })).await;
    compute_all(&app).await;

    // A campaign whose precision plan matches on crowd a.
    let mut campaign = input("女性专享", 0, vec![prize(1, "积分", PrizeKind::Points, 10)], vec![group(&[(1, ALL)])]);
    campaign.delivery.precision.push(Plan {
        key: 1,
        name: "女性方案".into(),
        conditions: PlanConditions { crowd_ids: vec![a], ..PlanConditions::default() },
        groups: vec![group(&[(1, ALL)])],
    });
    let k = common::campaigns::create(&app, w.e, Some(w.admin.user_id), &campaign, CampaignStatus::Draft).await;

    let (status, body) = c.call("crowds/delete", json!({ "id": a })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["人群「全部性别」", "人群「非女性」", "活动「女性专享」"] } } }));
    // b is used by u only.
    let (_, body) = c.call("crowds/delete", json!({ "id": b })).await;
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["人群「全部性别」"] } } }));

    // Removing the dependants one by one.
    c.ok("crowds/delete", json!({ "id": u })).await;
    let (_, body) = c.call("crowds/delete", json!({ "id": a })).await;
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["人群「非女性」", "活动「女性专享」"] } } }));
    let mut edit = load(&mut c, m).await.input;
    edit.definition = Definition::Filter(one(attr(Attribute::Gender(vec![Gender::Male]))));
    save_ok(&mut c, &edit).await;
    let (_, body) = c.call("crowds/delete", json!({ "id": a })).await;
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["活动「女性专享」"] } } }));
    sqlx::query("UPDATE campaigns SET delivery = jsonb_set(delivery, '{precision,0,conditions,crowd_ids}', '[]') WHERE id = $1")
        .bind(k)
        .execute(app.sys())
        .await
        .unwrap();
    c.ok("crowds/delete", json!({ "id": a })).await;
    let left: Vec<String> = sqlx::query_scalar("SELECT name FROM crowds ORDER BY name").fetch_all(app.sys()).await.unwrap();
    assert_eq!(left, ["男性", "非女性"]);
    let snapshots: i64 = sqlx::query_scalar("SELECT count(*) FROM crowd_snapshots").fetch_one(app.sys()).await.unwrap();
    assert_eq!(snapshots, 0, "its snapshots go with it");
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'delete' AND entity = 'crowd'")
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(audit, 2);
    let (status, _) = c.call("crowds/delete", json!({ "id": a })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.close().await;
}

// =====================================================================================
// 6. Uploads
// =====================================================================================

fn upload(name: &str, id_type: UploadIdType, text: &str) -> Value {
    json!({ "name": name, "remark": "", "folder_id": null, "id_type": id_type, "text": text })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn an_upload_by_mobile_reports_rows_matches_duplicates_and_unmatched_lines(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let file = [
        "手机号,姓名",       // 1: a header
        "13900000001,张三",  // 2: c1
        "13900000002",       // 3: c2
        "",                  // 4: blank
        "13900000001",       // 5: duplicate
        "12345",             // 6: malformed
        "13911112222",       // 7: nobody
        "\"13900000008\"",   // 8: the merged c8: not a live consumer
        "13900000006\t备注", // 9: c6
    ]
    .join("\r\n");
    let r: UploadReport = serde_json::from_value(c.ok("crowds/upload", upload("上传名单", UploadIdType::Mobile, &file)).await).unwrap();
    assert_eq!((r.rows, r.matched, r.duplicates, r.unmatched_total), (7, 3, 1, 3));
    assert_eq!(
        r.unmatched,
        vec![
            UploadRow { line: 6, text: "12345".into() },
            UploadRow { line: 7, text: "13911112222".into() },
            UploadRow { line: 8, text: "13900000008".into() },
        ]
    );
    assert_eq!(stored(&app, r.crowd_id).await, w.ids(&[1, 2, 6]));
    let detail = load(&mut c, r.crowd_id).await;
    assert_eq!(detail.row.source, CrowdSource::Upload);
    assert_eq!((detail.row.status, detail.row.size, detail.row.insightable), (CrowdStatus::Computed, Some(3), Some(2)));
    assert_eq!(detail.input.definition, Definition::Upload { id_type: UploadIdType::Mobile, rows: 7, unmatched: 3 });
    // Usable at once (computed without a job), e.g. in a tree.
    assert!(run_jobs(&app).await.is_empty());
    assert_members(
        &app,
        &w,
        "member of the upload",
        one(Node::Condition(Condition::Crowd { crowd_id: r.crowd_id, member: true })),
        &[1, 2, 6],
    )
    .await;

    // By consumer id.
    let file = format!("会员ID\n{}\n{}\n999999999\n{}\nabc\n", w.c[3], w.c[5], w.c[3]);
    let r: UploadReport = serde_json::from_value(c.ok("crowds/upload", upload("按ID上传", UploadIdType::ConsumerId, &file)).await).unwrap();
    assert_eq!((r.rows, r.matched, r.duplicates, r.unmatched_total), (5, 2, 1, 2));
    assert_eq!(r.unmatched, vec![UploadRow { line: 4, text: "999999999".into() }, UploadRow { line: 6, text: "abc".into() }]);
    assert_eq!(stored(&app, r.crowd_id).await, w.ids(&[3, 5]));

    // An empty file and a duplicate name are field errors.
    let (status, body) = c.call("crowds/upload", upload("空文件", UploadIdType::Mobile, "\n\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "file"), Some(&json!({ "Crowd": "UploadEmpty" })));
    let (status, body) = c.call("crowds/upload", upload("按ID上传", UploadIdType::ConsumerId, "1\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "name"), Some(&json!("Duplicate")), "{body}");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_crowd_viewer_can_list_and_count_but_not_upload_save_or_delete(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut admin = app.signed_in(&w.admin.login, PASSWORD).await;
    let a = save_ok(&mut admin, &filter_input("女性", one(attr(Attribute::Gender(vec![Gender::Female]))))).await;
    compute_all(&app).await;
    let viewer = app.restricted(w.e, "人群查看员", &[(Function::Crowds, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;

    let page = v.ok("crowds/list", json!({ "filter": { "search": "", "folder_id": null }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(page["total"], 1);
    assert_eq!(v.ok("crowds/live-count", live(one(scanned_within(30)), false, "v", 1)).await["total"], 4);
    let forbidden = json!({ "Forbidden": { "function": "Crowds", "level": "Manage" } });
    let (status, body) = v.call("crowds/upload", upload("查看员上传", UploadIdType::Mobile, "13900000001\n")).await;
    assert_eq!((status, &body), (StatusCode::FORBIDDEN, &forbidden));
    let (status, body) = save(&mut v, &filter_input("查看员人群", one(scanned_within(7)))).await;
    assert_eq!((status, &body), (StatusCode::FORBIDDEN, &forbidden));
    assert_eq!(v.call("crowds/delete", json!({ "id": a })).await.0, StatusCode::FORBIDDEN);
    assert_eq!(v.call("crowds/refresh", json!({ "id": a, "archive": true })).await.0, StatusCode::FORBIDDEN);
    // Without the analysis function, no portrait either.
    assert_eq!(v.call("crowds/portrait", json!({ "query": { "crowd_id": a, "drill": null } })).await.0, StatusCode::FORBIDDEN);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM crowds").fetch_all(app.sys()).await.unwrap();
    assert_eq!(names, ["女性"]);
    // The viewer sees members with masked mobiles.
    let (status, _, csv) = get(&app, &v, &format!("/files/crowds/{a}/members.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv_ids(&csv), w.ids(&[1, 2, 5]));
    assert!(csv.contains("139****0001") && !csv.contains("13900000001"), "{csv}");
    app.close().await;
}

// =====================================================================================
// 7. Portrait and TGI
// =====================================================================================

fn value<'a>(p: &'a Portrait, d: Dimension, key: &str) -> &'a tessera::domain::crowd::ValueStat {
    let stats = if d == Dimension::Interest { &p.interests } else { p.dimensions.iter().find(|s| s.dimension == d).expect("dimension") };
    stats.values.iter().find(|v| v.key == key).unwrap_or_else(|| panic!("no {key} in {d:?}: {:?}", stats.values))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_portrait_gives_shares_and_tgi_against_all_live_consumers(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let a = save_ok(
        &mut c,
        &filter_input(
            "浙江女性",
            grp(Combine::Intersection, vec![attr(Attribute::Gender(vec![Gender::Female])), attr(Attribute::Province(vec!["浙江".into()]))]),
        ),
    )
    .await;
    let recent = save_ok(&mut c, &filter_input("近30天扫码", one(scanned_within(30)))).await;
    compute_all(&app).await;

    let p: Portrait = serde_json::from_value(c.ok("crowds/portrait", json!({ "query": { "crowd_id": a, "drill": null } })).await).unwrap();
    assert_eq!((p.crowd_name.as_str(), p.size, p.all, p.drill), ("浙江女性", 2, 7, None));
    assert_eq!(p.dimensions.iter().map(|d| d.dimension).collect::<Vec<_>>(), Dimension::BASIC);
    // Gender: 2 of 2 female against 3 of 7 → TGI round(1 / (3/7) × 100) = 233.
    let female = value(&p, Dimension::Gender, "female");
    assert_eq!((female.count, female.all_count, female.tgi), (2, 3, Some(233)));
    assert!(close(female.share, 1.0) && close(female.all_share, 3.0 / 7.0));
    let male = value(&p, Dimension::Gender, "male");
    assert_eq!((male.count, male.all_count, male.tgi), (0, 3, Some(0)));
    // The unknown row: c6 has no gender; no TGI.
    let unknown = value(&p, Dimension::Gender, "unknown");
    assert_eq!((unknown.count, unknown.all_count, unknown.tgi), (0, 1, None));
    assert!(close(unknown.all_share, 1.0 / 7.0));
    // Province 浙江: 2 of 7 overall → 350; the others by size, then unknown.
    let zj = value(&p, Dimension::Province, "浙江");
    assert_eq!((zj.count, zj.all_count, zj.tgi), (2, 2, Some(350)));
    let provinces = &p.dimensions[1].values;
    assert_eq!(provinces.len(), 5, "{provinces:?}");
    assert_eq!(provinces.iter().map(|v| v.all_count).collect::<Vec<_>>(), [2, 2, 1, 1, 1]);
    assert_eq!(provinces.last().unwrap().key, "unknown");
    // Age: 25–29 (c1) and 30–34 (c2), one each of 7 → TGI 350.
    let age = value(&p, Dimension::AgeBand, "25-29");
    assert_eq!((age.count, age.all_count, age.tgi), (1, 1, Some(350)));
    assert_eq!(value(&p, Dimension::AgeBand, "unknown").all_count, 1);
    // Marital: married 1 of 2 vs 3 of 7 → round(0.5 / (3/7) × 100) = 117; unknown c6, c7.
    let married = value(&p, Dimension::Marital, "married");
    assert_eq!((married.count, married.all_count, married.tgi), (1, 3, Some(117)));
    assert_eq!(value(&p, Dimension::Marital, "unknown").all_count, 2);
    assert_eq!(value(&p, Dimension::Education, "master").tgi, Some(350));

    // Interests are multi-valued: food for both (2 of 7 overall), travel for c1 (c1, c5
    // overall), beauty for c2 (c2 overall); no unknown row.
    let food = value(&p, Dimension::Interest, "food");
    assert_eq!((food.count, food.all_count, food.tgi), (2, 2, Some(350)));
    let travel = value(&p, Dimension::Interest, "travel");
    assert_eq!((travel.count, travel.all_count, travel.tgi), (1, 2, Some(175)));
    assert!(close(travel.share, 0.5));
    assert_eq!(value(&p, Dimension::Interest, "beauty").tgi, Some(350));
    let sports = value(&p, Dimension::Interest, "sports");
    assert_eq!((sports.count, sports.all_count, sports.tgi), (0, 2, Some(0)));
    assert_eq!(value(&p, Dimension::Interest, "news").tgi, None, "nobody has it");
    assert_eq!(p.interests.values.len(), 12);
    assert!(p.interests.values.iter().all(|v| v.key != "unknown"));
    assert_eq!(p.interests.values.iter().map(|v| v.count).sum::<u64>(), 4, "a member counts once per tag");

    // Significance: total variation distance, largest first. Province, age, education and the
    // food tag are all 5/7 off; gender 4/7; then risk and beauty 5/14.
    assert_eq!(p.significant.len(), 10);
    assert!(p.significant.windows(2).all(|s| s[0].distance >= s[1].distance));
    let mut top4: Vec<(Dimension, Option<String>)> = p.significant[..4].iter().map(|s| (s.dimension, s.value.clone())).collect();
    top4.sort_by_key(|(d, _)| *d as u8);
    let mut expected = vec![
        (Dimension::Province, None),
        (Dimension::AgeBand, None),
        (Dimension::Education, None),
        (Dimension::Interest, Some("food".to_string())),
    ];
    expected.sort_by_key(|(d, _)| *d as u8);
    assert_eq!(top4, expected);
    assert!(p.significant[..4].iter().all(|s| close(s.distance, 5.0 / 7.0)), "{:?}", p.significant);
    assert_eq!((p.significant[4].dimension, p.significant[4].value.as_deref()), (Dimension::Gender, None));
    assert!(close(p.significant[4].distance, 4.0 / 7.0));
    assert!(p.significant[5..7].iter().all(|s| close(s.distance, 5.0 / 14.0)), "{:?}", p.significant);

    // Drill-down: the 30-day scanners {c1..c4}, women only → c1, c2.
    let q = json!({ "query": { "crowd_id": recent, "drill": Drill::Gender(Gender::Female) } });
    let d: Portrait = serde_json::from_value(c.ok("crowds/portrait", q).await).unwrap();
    assert_eq!((d.size, d.all, d.drill), (2, 7, Some(Drill::Gender(Gender::Female))));
    assert_eq!(value(&d, Dimension::Province, "浙江").count, 2);
    let q = json!({ "query": { "crowd_id": recent, "drill": Drill::Gender(Gender::Male) } });
    let d: Portrait = serde_json::from_value(c.ok("crowds/portrait", q).await).unwrap();
    assert_eq!(d.size, 2, "c3, c4");
    let m = value(&d, Dimension::Gender, "male");
    assert_eq!((m.count, m.tgi), (2, Some(233)));
    assert_eq!(value(&d, Dimension::Interest, "sports").count, 2);

    // The CSV has every table with TGI.
    let (status, _, csv) = get(&app, &c, &format!("/files/crowds/{a}/portrait.csv")).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let csv = csv.trim_start_matches('\u{feff}');
    assert_eq!(csv.lines().next(), Some("维度,取值,人数,占比,全体人数,全体占比,TGI"));
    assert!(csv.lines().any(|l| l == "性别,女,2,100.00%,3,42.86%,233"), "{csv}");
    assert!(csv.lines().any(|l| l == "性别,未知,0,0.00%,1,14.29%,"), "{csv}");
    assert!(csv.lines().any(|l| l == "兴趣标签,旅游出行,1,50.00%,2,28.57%,175"), "{csv}");
    let (status, _, csv) = get(&app, &c, &format!("/files/crowds/{recent}/portrait.csv?drill=gender:male")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.lines().any(|l| l == "性别,男,2,100.00%,3,42.86%,233"), "{csv}");
    let (status, _, _) = get(&app, &c, &format!("/files/crowds/{recent}/portrait.csv?drill=gender:robot")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.close().await;
}

// =====================================================================================
// 8. RFM report
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_rfm_report_segments_consumers_against_hand_computed_means(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;

    let r: RfmReport =
        serde_json::from_value(c.ok("crowds/rfm", json!({ "query": { "crowd_id": null, "params": RfmParams::default() } })).await).unwrap();
    assert_eq!((r.consumers, r.total_f, r.total_m_fen), (5, 11, 23000));
    assert!(close(r.reference.0, 45.2) && close(r.reference.1, 2.2) && close(r.reference.2, 4600.0), "{:?}", r.reference);
    assert_eq!(r.segments.iter().map(|s| s.segment).collect::<Vec<_>>(), Segment::ALL);
    let seg = |s: Segment| r.segments.iter().find(|x| x.segment == s).unwrap();
    let counts: Vec<u64> = r.segments.iter().map(|s| s.count).collect();
    // high value, key retain, key develop, key win-back, general value, general retain, general develop, potential
    assert_eq!(counts, [1, 0, 1, 0, 1, 0, 1, 1]);
    let samples = |s: Segment| seg(s).samples.iter().map(|x| (x.consumer_id, x.r_days, x.f, x.m_fen)).collect::<Vec<_>>();
    assert_eq!(samples(Segment::HighValue), [(w.c[1], 1, 4, 12000)]);
    assert_eq!(samples(Segment::KeyDevelop), [(w.c[2], 3, 1, 5000)]);
    assert_eq!(samples(Segment::GeneralValue), [(w.c[4], 2, 3, 3000)]);
    assert_eq!(samples(Segment::GeneralDevelop), [(w.c[3], 20, 2, 2000)]);
    assert_eq!(samples(Segment::Potential), [(w.c[6], 200, 1, 1000)]);
    let hv = seg(Segment::HighValue);
    assert!(close(hv.share, 0.2) && close(hv.avg_r_days, 1.0) && close(hv.avg_f, 4.0) && close(hv.avg_m_fen, 12000.0));
    assert_eq!(hv.samples[0].mobile, "139****0001");
    assert_eq!(hv.samples[0].name, "会员01");

    // Of a crowd: the 30-day scanners {c1..c4} against their own means (R 6.5, F 2.5, M 5500).
    let recent = save_ok(&mut c, &filter_input("近30天扫码", one(scanned_within(30)))).await;
    compute_all(&app).await;
    let r: RfmReport =
        serde_json::from_value(c.ok("crowds/rfm", json!({ "query": { "crowd_id": recent, "params": RfmParams::default() } })).await)
            .unwrap();
    assert_eq!((r.consumers, r.total_f, r.total_m_fen), (4, 10, 22000));
    assert!(close(r.reference.0, 6.5) && close(r.reference.1, 2.5) && close(r.reference.2, 5500.0), "{:?}", r.reference);
    let ids = |s: Segment| r.segments.iter().find(|x| x.segment == s).unwrap().samples.iter().map(|x| x.consumer_id).collect::<Vec<_>>();
    assert_eq!(ids(Segment::HighValue), [w.c[1]]);
    assert_eq!(ids(Segment::GeneralDevelop), [w.c[2]]);
    assert_eq!(ids(Segment::Potential), [w.c[3]]);
    assert_eq!(ids(Segment::GeneralValue), [w.c[4]]);

    // Custom reference values.
    let params = json!({ "period_days": 365, "reference": { "Custom": { "r_days": 10.0, "f": 2.0, "m_fen": 2000.0 } } });
    let r: RfmReport =
        serde_json::from_value(c.ok("crowds/rfm", json!({ "query": { "crowd_id": null, "params": params } })).await).unwrap();
    assert_eq!(r.reference, (10.0, 2.0, 2000.0));
    // c1 R+F+M+ · c2 R+F−M+ · c3 R−F+M+ key retain · c4 R+F+M+ · c6 R−F−M− potential
    let ids = |s: Segment| r.segments.iter().find(|x| x.segment == s).unwrap().samples.iter().map(|x| x.consumer_id).collect::<Vec<_>>();
    assert_eq!(ids(Segment::HighValue), w.ids(&[1, 4]));
    assert_eq!(ids(Segment::KeyDevelop), [w.c[2]]);
    assert_eq!(ids(Segment::KeyRetain), [w.c[3]]);
    assert_eq!(ids(Segment::Potential), [w.c[6]]);

    // A bad period is a field error; the CSV has the segments.
    let (status, body) =
        c.call("crowds/rfm", json!({ "query": { "crowd_id": null, "params": { "period_days": 0, "reference": "Mean" } } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "params"), Some(&json!({ "Crowd": { "WindowTooLong": { "max": 730 } } })));
    let (status, _, csv) = get(&app, &c, "/files/crowds/rfm.csv?period=365").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.lines().any(|l| l == "高价值,1,20.00%,1.0,4.00,120.00"), "{csv}");
    assert!(csv.lines().any(|l| l == "潜在,1,20.00%,200.0,1.00,10.00"), "{csv}");
    app.close().await;
}

// =====================================================================================
// 9. Scheduled refresh
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_due_hourly_refresh_is_queued_rescheduled_and_picks_up_new_scans(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let start: DateTime<Utc> = Utc::now() - Duration::minutes(90);
    let mut input = filter_input(
        "江苏近7天",
        one(beh(|b| {
            b.window = TimeWindow::LastDays(7);
            b.provinces = vec!["江苏".into()];
        })),
    );
    input.refresh = Refresh { mode: RefreshMode::Hourly, start: Some(start), end: None };
    let id = save_ok(&mut c, &input).await;
    let next: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT next_refresh_at FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    let expected = start + Duration::hours(2);
    assert!((next.unwrap() - expected).num_milliseconds().abs() < 5, "{next:?} vs {expected}");
    compute_all(&app).await;
    assert_eq!(stored(&app, id).await, Vec::<i64>::new());
    let first: DateTime<Utc> =
        sqlx::query_scalar("SELECT computed_at FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();

    // Not due yet: nothing queued.
    assert_eq!(crowds::queue_due_refreshes(&app.state).await.unwrap(), 0);

    // A new scan in 江苏 by c3 (stamped now, as the scan path does), and the refresh falls due.
    scan(&app, w.e, w.c[3], 0.0, w.p1, None, Some("江苏"), Some("南京"), 12).await;
    sqlx::query("UPDATE crowds SET next_refresh_at = now() - interval '1 minute' WHERE id = $1").bind(id).execute(app.sys()).await.unwrap();
    assert_eq!(crowds::queue_due_refreshes(&app.state).await.unwrap(), 1);
    let (status, next): (String, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT status, next_refresh_at FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(status, "queued");
    assert!((next.unwrap() - expected).num_milliseconds().abs() < 5, "the next hour on the schedule: {next:?} vs {expected}");
    // Queued once: a second look finds nothing due.
    assert_eq!(crowds::queue_due_refreshes(&app.state).await.unwrap(), 0);
    let (created_by, payload): (Option<i64>, Value) =
        sqlx::query_as("SELECT created_by, payload FROM jobs WHERE status = 'queued'").fetch_one(app.sys()).await.unwrap();
    assert_eq!((created_by, payload), (Some(w.admin.user_id), json!({ "crowd_id": id, "archive": false })));

    compute_all(&app).await;
    let (status, size, computed_at): (String, Option<i64>, DateTime<Utc>) =
        sqlx::query_as("SELECT status, size, computed_at FROM crowds WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!((status.as_str(), size), ("computed", Some(1)));
    assert!(computed_at > first);
    assert_eq!(stored(&app, id).await, w.ids(&[3]));

    // A manual crowd is never due.
    let manual = save_ok(&mut c, &filter_input("手动", one(scanned_within(7)))).await;
    compute_all(&app).await;
    let next: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT next_refresh_at FROM crowds WHERE id = $1").bind(manual).fetch_one(app.sys()).await.unwrap();
    assert_eq!(next, None);
    app.close().await;
}

// =====================================================================================
// 10. Campaign precision plans by crowd
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_draw_lands_on_the_crowd_plan_for_members_and_the_default_plan_for_others(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("精准企业", "13800000000").await;
    let e = admin.enterprise_id;
    let a = activated_package(&app, e, admin.user_id, 2, 24 * 60).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let women = save_ok(&mut c, &filter_input("女性会员", one(attr(Attribute::Gender(vec![Gender::Female]))))).await;
    compute_all(&app).await;

    let prizes = vec![prize(1, "会员礼", PrizeKind::Points, 100), prize(2, "普通积分", PrizeKind::Points, 100)];
    let mut i = input("会员专享", a.spec_id, prizes, vec![group(&[(2, ALL)])]);
    i.delivery.precision.push(Plan {
        key: 1,
        name: "女性会员方案".into(),
        conditions: PlanConditions { crowd_ids: vec![women], ..PlanConditions::default() },
        groups: vec![group(&[(1, ALL)])],
    });
    let campaign = running(&app, e, Some(admin.user_id), &i).await;

    // Two phones scan; the first consumer becomes a woman and the crowd is refreshed.
    let mut member = Phone::new(&app);
    let member_scan = member.scan_id(&code(&app, &a, 1).await).await;
    let mut other = Phone::new(&app);
    let other_scan = other.scan_id(&code(&app, &a, 2).await).await;
    let consumer_of = |scan: i64| {
        let pool = app.sys().clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT consumer_id FROM scans WHERE id = $1").bind(scan).fetch_one(&pool).await.unwrap() }
    };
    let (m, o) = (consumer_of(member_scan).await, consumer_of(other_scan).await);
    assert_ne!(m, o);
    sqlx::query("UPDATE consumers SET gender = 'female' WHERE id = $1").bind(m).execute(app.sys()).await.unwrap();
    c.ok("crowds/refresh", json!({ "id": women, "archive": false })).await;
    compute_all(&app).await;
    assert_eq!(stored(&app, women).await, vec![m]);

    let (status, body) = member.draw(member_scan, "crowd-plan-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["wins"][0]["prize_key"], json!(1), "{body}");
    let (status, body) = other.draw(other_scan, "crowd-plan-2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["wins"][0]["prize_key"], json!(2), "{body}");
    let plans: Vec<(i64, i16)> = sqlx::query_as("SELECT consumer_id, plan_key FROM draws WHERE campaign_id = $1 ORDER BY id")
        .bind(campaign)
        .fetch_all(app.sys())
        .await
        .unwrap();
    assert_eq!(plans, [(m, 1), (o, 0)]);
    app.close().await;
}

// =====================================================================================
// Folders and copies
// =====================================================================================

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn crowds_are_copied_moved_between_folders_and_only_empty_folders_go(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let w = world(&app).await;
    let mut c = app.signed_in(&w.admin.login, PASSWORD).await;
    let folder = c.ok("crowds/folder-save", json!({ "id": null, "name": "会员分组" })).await.as_i64().unwrap();
    let mut input = filter_input("女性", one(attr(Attribute::Gender(vec![Gender::Female]))));
    input.folder_id = Some(folder);
    input.exclude_hunters = true;
    let a = save_ok(&mut c, &input).await;
    compute_all(&app).await;

    let folders = c.ok("crowds/folders", json!({})).await;
    assert_eq!(folders, json!([{ "id": folder, "name": "会员分组", "crowds": 1 }]));
    let (status, body) = c.call("crowds/folder-delete", json!({ "id": folder })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": ["人群「女性」"] } } }));

    // Copies are named `<name>_副本`, `<name>_副本2`, keep the settings and are computed afresh.
    let copy = c.ok("crowds/copy", json!({ "id": a })).await.as_i64().unwrap();
    let copy2 = c.ok("crowds/copy", json!({ "id": a })).await.as_i64().unwrap();
    compute_all(&app).await;
    let d = load(&mut c, copy).await;
    assert_eq!((d.row.name.as_str(), d.row.folder_id, d.input.exclude_hunters), ("女性_副本", Some(folder), true));
    assert_eq!(d.input.definition, input.definition);
    assert_eq!(load(&mut c, copy2).await.row.name, "女性_副本2");
    assert_eq!(stored(&app, copy).await, w.ids(&[1, 2, 5]));

    // Moving out of the folder; the list filters by folder.
    for id in [a, copy, copy2] {
        c.ok("crowds/move", json!({ "id": id, "folder_id": null })).await;
    }
    c.ok("crowds/move", json!({ "id": copy2, "folder_id": folder })).await;
    let in_folder: Page<CrowdRow> = serde_json::from_value(
        c.ok("crowds/list", json!({ "filter": { "search": "", "folder_id": folder }, "page": { "page": 1, "size": 10 } })).await,
    )
    .unwrap();
    assert_eq!(in_folder.items.iter().map(|r| r.id).collect::<Vec<_>>(), [copy2]);
    c.ok("crowds/move", json!({ "id": copy2, "folder_id": null })).await;
    let (status, body) = c.call("crowds/move", json!({ "id": a, "folder_id": 999_999 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "folder_id"), Some(&json!("NotFound")), "{body}");
    c.ok("crowds/folder-delete", json!({ "id": folder })).await;
    assert_eq!(c.ok("crowds/folders", json!({})).await, json!([]));

    // Pickers list every crowd with its snapshots.
    let choices = c.ok("crowds/choices", json!({})).await;
    let names: Vec<&str> = choices.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"女性") && names.contains(&"女性_副本") && names.contains(&"女性_副本2"));
    app.close().await;
}
