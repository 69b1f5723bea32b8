#![cfg(feature = "ssr")]
//! 营销中心 → 扫码营销 through the server functions: the wizard's steps (validated by step,
//! savable as drafts), launch and the state machine, versions, what may change while running,
//! copy, delete, permissions and the coupon-code import.

mod common;

use chrono::{Duration, Utc};
use common::{codes, field_error, Client, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::campaign::*;

/// A complete, launchable campaign taking the codes of `spec_id`, starting `start_in` from now.
fn full_input(name: &str, spec_id: i64, start_in: Duration) -> CampaignInput {
    let now = Utc::now();
    let prize = |key: u16, name: &str, kind: PrizeKind, quantity: Option<u32>| Prize {
        key,
        name: name.into(),
        kind,
        points: if kind == PrizeKind::Points { 100 } else { 0 },
        value_fen: if kind == PrizeKind::Thanks { 0 } else { 500 },
        quantity,
        warning_value: quantity.map(|_| 1),
        ..Prize::default()
    };
    CampaignInput {
        basic: Basic {
            kind: CampaignKind::NineGrid,
            name: name.into(),
            starts_at: Some(now + start_in),
            ends_at: Some(now + start_in + Duration::days(30)),
            cycle: Cycle::Unlimited,
            description: "扫码抽奖，好礼相送".into(),
        },
        settings: Settings { spec_ids: vec![spec_id], ..Settings::default() },
        prizes: vec![prize(1, "100 积分", PrizeKind::Points, Some(10)), prize(2, "谢谢参与", PrizeKind::Thanks, None)],
        delivery: Delivery {
            default_plan: Plan {
                key: 0,
                name: "默认方案".into(),
                groups: vec![PrizeGroup { entries: vec![GroupEntry { prize: 1, probability_ppm: 200_000, ..GroupEntry::default() }] }],
                ..Plan::default()
            },
            precision: vec![],
        },
        page: Page { title: "扫码赢好礼".into(), rules: "每个码抽一次".into(), ..Page::default() },
    }
}

fn save(id: Option<i64>, version: i32, step: u8, input: &CampaignInput) -> Value {
    json!({ "id": id, "version": version, "step": step, "input": input })
}

struct Setup {
    app: TestApp,
    c: Client,
    e: i64,
    spec: i64,
}

async fn setup(pool: PgPool) -> Setup {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let spec = codes::spec(&app, admin.enterprise_id, "瓶盖码").await;
    let c = app.signed_in(&admin.login, PASSWORD).await;
    Setup { e: admin.enterprise_id, app, c, spec }
}

/// Creates the campaign from a full input, saving every step; returns (id, version).
async fn create(c: &mut Client, input: &CampaignInput) -> (i64, i32) {
    let saved = c.ok("campaigns/save", save(None, 0, 1, input)).await;
    let (id, mut version) = (saved["id"].as_i64().unwrap(), saved["version"].as_i64().unwrap() as i32);
    for step in 2..=5 {
        let saved = c.ok("campaigns/save", save(Some(id), version, step, input)).await;
        version = saved["version"].as_i64().unwrap() as i32;
        assert_eq!(saved["step"], step);
    }
    (id, version)
}

async fn action(c: &mut Client, id: i64, version: i32, action: &str) -> (StatusCode, Value) {
    c.call("campaigns/action", json!({ "id": id, "version": version, "action": action })).await
}

async fn get(c: &mut Client, id: i64) -> Value {
    c.ok("campaigns/get", json!({ "id": id })).await
}

fn version_of(detail: &Value) -> i32 {
    detail["campaign"]["version"].as_i64().unwrap() as i32
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn each_step_is_validated_on_the_server_and_a_draft_saves_any_step(pool: PgPool) {
    let Setup { mut c, spec, .. } = setup(pool).await;
    let good = full_input("春节扫码赢好礼", spec, Duration::days(1));

    // Step 1: no name.
    let mut bad = good.clone();
    bad.basic.name = String::new();
    let (status, body) = c.call("campaigns/save", save(None, 0, 1, &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_error(&body, "basic.name").is_some(), "{body}");

    // The first save (step 1) creates a draft; later steps keep the earlier data.
    let saved = c.ok("campaigns/save", save(None, 0, 1, &good)).await;
    let id = saved["id"].as_i64().unwrap();
    let mut version = saved["version"].as_i64().unwrap() as i32;
    let detail = get(&mut c, id).await;
    assert_eq!(detail["campaign"]["status"], "Draft");
    assert_eq!(detail["campaign"]["input"]["basic"]["name"], "春节扫码赢好礼");

    // Step 2: no code spec.
    let mut bad = good.clone();
    bad.settings.spec_ids.clear();
    let (status, body) = c.call("campaigns/save", save(Some(id), version, 2, &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_error(&body, "settings.spec_ids").is_some(), "{body}");

    // Step 3: a prize without a name.
    let mut bad = good.clone();
    bad.prizes[0].name = String::new();
    let (_, body) = c.call("campaigns/save", save(Some(id), version, 3, &bad)).await;
    assert!(field_error(&body, "prizes[0].name").is_some(), "{body}");

    // Step 4: a group over 100 %.
    let mut bad = good.clone();
    bad.delivery.default_plan.groups[0].entries[0].probability_ppm = 1_200_000;
    let (_, body) = c.call("campaigns/save", save(Some(id), version, 4, &bad)).await;
    let body_text = body.to_string();
    assert!(body_text.contains("delivery.default_plan.groups[0]"), "{body}");

    // Step 5: a colour that is not #rrggbb.
    let mut bad = good.clone();
    bad.page.primary_color = "red".into();
    let (_, body) = c.call("campaigns/save", save(Some(id), version, 5, &bad)).await;
    assert!(field_error(&body, "page.primary_color").is_some(), "{body}");

    // A draft saves step 3 with step 4 still empty; the furthest step is kept.
    let mut partial = good.clone();
    partial.delivery = Delivery::default();
    let saved = c.ok("campaigns/save", save(Some(id), version, 3, &partial)).await;
    assert_eq!(saved["step"], 3);
    version = saved["version"].as_i64().unwrap() as i32;
    let saved = c.ok("campaigns/save", save(Some(id), version, 2, &partial)).await;
    assert_eq!(saved["step"], 3, "going back does not lower the furthest step");
    let detail = get(&mut c, id).await;
    assert_eq!(detail["campaign"]["input"]["prizes"].as_array().map(Vec::len), Some(2));

    // An old version is stale.
    let (status, body) = c.call("campaigns/save", save(Some(id), version, 2, &partial)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Launching the incomplete draft is refused, naming the step-4 path.
    let version = version_of(&get(&mut c, id).await);
    let (status, body) = action(&mut c, id, version, "Launch").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("delivery."), "{body}");
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn launch_pause_resume_end_and_illegal_transitions(pool: PgPool) {
    let Setup { mut c, spec, .. } = setup(pool).await;

    // Starting in a day: scheduled.
    let (later, v) = create(&mut c, &full_input("下月活动", spec, Duration::days(1))).await;
    let (status, body) = action(&mut c, later, v, "Launch").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(get(&mut c, later).await["campaign"]["status"], "Scheduled");

    // Started an hour ago: running at once.
    let (id, v) = create(&mut c, &full_input("本月活动", spec, -Duration::hours(1))).await;
    let v = action(&mut c, id, v, "Launch").await.1["version"].as_i64().unwrap() as i32;
    let detail = get(&mut c, id).await;
    assert_eq!(detail["campaign"]["status"], "Running");
    // The list shows the effective status and filters by it.
    let list =
        c.ok("campaigns", json!({ "filter": { "status": "Running", "kind": null, "name": "" }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["draws"], 0);

    // Launching twice or resuming a running campaign is refused.
    let (status, body) = action(&mut c, id, v, "Launch").await;
    assert_ne!(status, StatusCode::OK, "{body}");
    let (status, _) = action(&mut c, id, v, "Resume").await;
    assert_ne!(status, StatusCode::OK);

    let v = action(&mut c, id, v, "Pause").await.1["version"].as_i64().unwrap() as i32;
    assert_eq!(get(&mut c, id).await["campaign"]["status"], "Paused");
    // A stale version is refused.
    let (status, _) = action(&mut c, id, v - 1, "Resume").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let v = action(&mut c, id, v, "Resume").await.1["version"].as_i64().unwrap() as i32;
    assert_eq!(get(&mut c, id).await["campaign"]["status"], "Running");
    let v = action(&mut c, id, v, "End").await.1["version"].as_i64().unwrap() as i32;
    assert_eq!(get(&mut c, id).await["campaign"]["status"], "Ended");
    for a in ["Resume", "Pause", "Launch"] {
        let (status, body) = action(&mut c, id, v, a).await;
        assert_ne!(status, StatusCode::OK, "{a} after the end: {body}");
    }

    // A launched campaign cannot be deleted; a draft can.
    let (status, _) = c.call("campaigns/delete", json!({ "id": id })).await;
    assert_ne!(status, StatusCode::OK);
    let (draft, _) = create(&mut c, &full_input("草稿活动", spec, Duration::days(2))).await;
    c.ok("campaigns/delete", json!({ "id": draft })).await;
    let (status, _) = c.call("campaigns/get", json!({ "id": draft })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_running_campaign_takes_more_stock_but_never_less_than_awarded(pool: PgPool) {
    let Setup { app, mut c, spec, e } = setup(pool).await;
    let input = full_input("进行中的活动", spec, -Duration::hours(1));
    let (id, v) = create(&mut c, &input).await;
    let v = action(&mut c, id, v, "Launch").await.1["version"].as_i64().unwrap() as i32;
    // Three points prizes went out.
    sqlx::query("UPDATE campaign_prizes SET awarded = 3 WHERE enterprise_id = $1 AND campaign_id = $2 AND key = 1")
        .bind(e)
        .bind(id)
        .execute(app.sys())
        .await
        .unwrap();

    // Adding stock: fine (any step number saves all five steps).
    let mut more = get(&mut c, id).await["campaign"]["input"].clone();
    let mut more: CampaignInput = serde_json::from_value(more.take()).unwrap();
    more.prizes[0].quantity = Some(50);
    let saved = c.ok("campaigns/save", save(Some(id), v, 3, &more)).await;
    let v = saved["version"].as_i64().unwrap() as i32;
    let detail = get(&mut c, id).await;
    assert_eq!(detail["campaign"]["input"]["prizes"][0]["quantity"], 50);
    assert_eq!(detail["campaign"]["input"]["prizes"][0]["awarded"], 3, "the form cannot reset the counter");

    // Below what was awarded: refused on the field.
    let mut less = more.clone();
    less.prizes[0].quantity = Some(2);
    let (status, body) = c.call("campaigns/save", save(Some(id), v, 3, &less)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_error(&body, "prizes[0].quantity").is_some(), "{body}");

    // Removing the awarded prize: refused.
    let mut removed = more.clone();
    removed.prizes.remove(0);
    removed.delivery.default_plan.groups[0].entries[0].prize = 2;
    let (status, body) = c.call("campaigns/save", save(Some(id), v, 3, &removed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let awarded: i32 = sqlx::query_scalar("SELECT awarded FROM campaign_prizes WHERE campaign_id = $1 AND key = 1")
        .bind(id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(awarded, 3, "the prize is still there");

    // Even a prize never awarded stays while the campaign runs; paused, it can go.
    let mut unused = more.clone();
    unused.prizes.retain(|p| p.key != 2);
    let (status, body) = c.call("campaigns/save", save(Some(id), v, 3, &unused)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_error(&body, "prizes").is_some(), "{body}");
    let v = action(&mut c, id, v, "Pause").await.1["version"].as_i64().unwrap() as i32;
    let saved = c.ok("campaigns/save", save(Some(id), v, 3, &unused)).await;
    assert_eq!(saved["step"], 5);
    let detail = get(&mut c, id).await;
    assert_eq!(detail["campaign"]["input"]["prizes"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail["campaign"]["status"], "Paused");

    // A copy is a fresh draft with nothing awarded.
    let copy = c.ok("campaigns/copy", json!({ "id": id })).await.as_i64().unwrap();
    let detail = get(&mut c, copy).await;
    assert_eq!(detail["campaign"]["status"], "Draft");
    assert_eq!(detail["campaign"]["input"]["basic"]["name"], "进行中的活动 副本");
    assert_eq!(detail["campaign"]["input"]["prizes"][0]["awarded"], 0);
    assert_eq!(detail["campaign"]["input"]["prizes"][0]["quantity"], 50);
    let again = c.ok("campaigns/copy", json!({ "id": id })).await.as_i64().unwrap();
    assert_eq!(get(&mut c, again).await["campaign"]["input"]["basic"]["name"], "进行中的活动 副本 2");

    // Audit entries were written in the mutations' transactions.
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE enterprise_id = $1 AND entity = 'campaign'")
        .bind(e)
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert!(entries >= 9, "{entries}");
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_view_only_position_reads_but_cannot_save(pool: PgPool) {
    let Setup { app, mut c, spec, e } = setup(pool).await;
    let (id, v) = create(&mut c, &full_input("只读测试", spec, Duration::days(1))).await;
    let viewer = app.restricted(e, "活动查看", &[(Function::Campaigns, Level::View)], "13800000009").await;
    let mut r = app.signed_in(&viewer.login, PASSWORD).await;
    let list =
        r.ok("campaigns", json!({ "filter": { "status": null, "kind": null, "name": "只读" }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(list["total"], 1);
    let input = full_input("只读测试", spec, Duration::days(1));
    let (status, _) = r.call("campaigns/save", save(Some(id), v, 1, &input)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = r.call("campaigns/action", json!({ "id": id, "version": v, "action": "Launch" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = r.call("campaigns/copy", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn imported_coupon_codes_are_reported_and_limit_the_quantity_at_launch(pool: PgPool) {
    let Setup { mut c, spec, .. } = setup(pool).await;
    let mut input = full_input("券码活动", spec, -Duration::hours(1));
    input.prizes.push(Prize {
        key: 3,
        name: "满 50 减 10 券".into(),
        kind: PrizeKind::Coupon,
        value_fen: 1000,
        quantity: Some(5),
        coupon: Some(CouponSetup { source: CouponSource::Import, validity: CouponValidity::Days(30) }),
        ..Prize::default()
    });
    input.delivery.default_plan.groups[0].entries.push(GroupEntry { prize: 3, probability_ppm: 100_000, ..GroupEntry::default() });
    let (id, v) = create(&mut c, &input).await;

    let long = "X".repeat(65);
    let text = format!("A001\nA002\n\nA001\n{long}\nA003\n");
    let report = c.ok("campaigns/coupon-codes", json!({ "campaign_id": id, "prize_key": 3, "text": text })).await;
    assert_eq!(report["imported"], 3, "{report}");
    assert_eq!(report["blank"], 1);
    assert_eq!(report["duplicates"], 1);
    assert_eq!(report["duplicate_lines"], json!([4]));
    assert_eq!(report["too_long_lines"], json!([5]));
    assert_eq!(report["free"], 3);
    // Codes imported before count as duplicates.
    let report = c.ok("campaigns/coupon-codes", json!({ "campaign_id": id, "prize_key": 3, "text": "A003\nA004" })).await;
    assert_eq!((report["imported"].clone(), report["duplicates"].clone(), report["total"].clone()), (json!(1), json!(1), json!(4)));
    // Only an import-coupon prize takes codes.
    let (status, body) = c.call("campaigns/coupon-codes", json!({ "campaign_id": id, "prize_key": 1, "text": "B1" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // 4 codes for a quantity of 5: launch refused on the quantity.
    let (status, body) = action(&mut c, id, v, "Launch").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_error(&body, "prizes[2].quantity").is_some(), "{body}");
    c.ok("campaigns/coupon-codes", json!({ "campaign_id": id, "prize_key": 3, "text": "A005" })).await;
    let (status, body) = action(&mut c, id, v, "Launch").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(get(&mut c, id).await["coupon_codes"], json!([{ "prize": 3, "total": 5, "free": 5 }]));
}
