#![cfg(feature = "ssr")]
//! Info entry and activation (码信息录入): ranges inside one batch of a package, never
//! overlapping; activation now or at a set time (a job), revocation, splitting; stale forms and
//! double clicks refused; scrapped codes never activated.

mod common;

use common::{codes, field_error, Client, Seeded, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::codes::format_serial;
use tessera::server::jobs;

/// A package of 100 codes in 4 batches (1–25, 26–50, 51–75, 76–100), generated, with a
/// product; the administrator signed in.
struct Setup {
    app: TestApp,
    admin: Seeded,
    c: Client,
    package: i64,
    product: i64,
    brand: i64,
}

async fn setup(pool: PgPool) -> Setup {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let spec = codes::spec(&app, e, "瓶盖码").await;
    let package = codes::package(&app, e, spec, admin.user_id, 100, 4, "generated").await;
    let brand = app.brand(e, "鲜享").await;
    let product = app.product(e, brand, "鲜享特级生抽", &common::ean13("692123450001"), 1290).await;
    let c = app.signed_in(&admin.login, PASSWORD).await;
    Setup { app, admin, c, package, product, brand }
}

fn range(id: Option<i64>, version: i32, package: i64, start: &str, end: &str, product: i64, extra: Value) -> Value {
    json!({ "input": {
        "id": id, "version": version, "package_id": package, "serial_start": start, "serial_end": end,
        "info": { "product_id": product, "brand_id": null, "factory_id": null, "workshop_id": null, "line_id": null,
                  "produced_at": "2026-11-20T02:00:00Z", "extra": extra },
    }})
}

fn refused(body: &Value) -> &Value {
    &body["Refused"]
}

/// (status, version) of a range.
async fn state(app: &TestApp, id: i64) -> (String, i32) {
    sqlx::query_as("SELECT status, version FROM code_ranges WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap()
}

/// Runs every job that is due (the worker's loop, by hand); returns their results.
async fn run_due_jobs(app: &TestApp) -> Vec<Value> {
    let mut results = vec![];
    while let Some(job) = jobs::claim(&app.state).await.unwrap() {
        let id = job.id;
        let outcome = jobs::run(job).await;
        jobs::finish(app.db(), id, outcome).await.unwrap();
        let (status, result, error): (String, Option<Value>, Option<String>) =
            sqlx::query_as("SELECT status, result, error FROM jobs WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
        assert_eq!(status, "done", "job {id} failed: {error:?}");
        results.push(result.unwrap_or_default());
    }
    results
}

/// Makes every queued job due now.
async fn time_passes(app: &TestApp) {
    sqlx::query("UPDATE jobs SET run_at = now() - interval '1 second' WHERE status = 'queued'").execute(app.sys()).await.unwrap();
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn info_is_entered_for_a_batch_and_a_sub_range_and_conflicts_are_named(pool: PgPool) {
    let Setup { app, admin, mut c, package, product, brand } = setup(pool).await;
    let serial = |s: u32| format_serial(package, s);

    // An extra field, required.
    let lot = c
        .ok(
            "codes/activation/fields/save",
            json!({ "input": { "id": null, "version": 0, "name": "生产批号", "required": true, "sort": 1 } }),
        )
        .await;
    let lot = lot.as_i64().unwrap();
    let (status, body) = c.call("codes/activation/ranges/save", range(None, 0, package, "1", "25", product, json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, &format!("extra.{lot}")), Some(&json!("Required")));

    // The whole of batch 1, and a sub-range of batch 2 typed as printable serials.
    let whole =
        c.ok("codes/activation/ranges/save", range(None, 0, package, "1", "25", product, json!({ lot.to_string(): " L2026-11 " }))).await;
    let whole = whole.as_i64().unwrap();
    let part = c
        .ok("codes/activation/ranges/save", range(None, 0, package, &serial(30), &serial(40), product, json!({ lot.to_string(): "L2" })))
        .await;
    let part = part.as_i64().unwrap();

    // Overlapping ranges are refused by the database, naming the range in the way.
    for (start, end) in [("35", "45"), ("26", "30"), ("40", "40")] {
        let (status, body) =
            c.call("codes/activation/ranges/save", range(None, 0, package, start, end, product, json!({ lot.to_string(): "x" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{start}–{end}: {body}");
        assert_eq!(
            refused(&body),
            &json!({ "Activation": { "Overlaps": { "start": serial(30), "end": serial(40), "status": "Entered" } } }),
            "{start}–{end}"
        );
    }
    // Outside the package, across two batches, another package's serial, reversed.
    let extra = json!({ lot.to_string(): "x" });
    let cases = [
        ("90", "101", "serial_end", json!({ "Activation": { "OutsidePackage": { "count": 100 } } })),
        ("20", "30", "serial_end", json!({ "Activation": { "CrossesBatches": { "first": 1, "last": 2 } } })),
        ("60", "51", "serial_end", json!({ "Activation": "StartAfterEnd" })),
        ("0", "5", "serial_start", json!({ "Activation": "NotASerial" })),
    ];
    for (start, end, field, msg) in cases {
        let (status, body) = c.call("codes/activation/ranges/save", range(None, 0, package, start, end, product, extra.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{start}–{end}");
        assert_eq!(field_error(&body, field), Some(&msg), "{start}–{end}: {body}");
    }
    let foreign = format_serial(package + 1, 60);
    let (_, body) = c.call("codes/activation/ranges/save", range(None, 0, package, &foreign, "61", product, extra.clone())).await;
    assert_eq!(field_error(&body, "serial_start"), Some(&json!({ "Activation": { "OtherPackage": { "package_id": package + 1 } } })));

    // A workshop must be of the chosen factory.
    let factory_a = codes::factory(&app, admin.enterprise_id, "灌装一厂").await;
    let factory_b = codes::factory(&app, admin.enterprise_id, "灌装二厂").await;
    let workshop: i64 =
        sqlx::query_scalar("INSERT INTO workshops (enterprise_id, factory_id, name) VALUES ($1, $2, '一车间') RETURNING id")
            .bind(admin.enterprise_id)
            .bind(factory_a)
            .fetch_one(app.sys())
            .await
            .unwrap();
    let mut input = range(None, 0, package, "51", "75", product, extra.clone());
    input["input"]["info"]["factory_id"] = json!(factory_b);
    input["input"]["info"]["workshop_id"] = json!(workshop);
    let (_, body) = c.call("codes/activation/ranges/save", input.clone()).await;
    assert_eq!(field_error(&body, "workshop_id"), Some(&json!({ "Activation": "WorkshopNotInFactory" })));
    input["input"]["info"]["factory_id"] = json!(factory_a);
    c.ok("codes/activation/ranges/save", input).await;

    // The batch view: batch 1 entered as a whole (brand taken from the product, extra trimmed),
    // batch 2 partly, batch 3 entered, batch 4 nothing.
    let view = c.ok("codes/activation/batches", json!({ "package_id": package })).await;
    let batches = view["batches"].as_array().unwrap();
    let states: Vec<&str> = batches.iter().map(|b| b["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["Entered", "Partly", "Entered", "None"]);
    assert_eq!(batches[1]["entered"], 11);
    let first = &batches[0]["whole"];
    assert_eq!(first["id"], whole);
    assert_eq!((first["brand_id"].as_i64(), first["brand_name"].as_str()), (Some(brand), Some("鲜享")));
    assert_eq!(first["product_name"], "鲜享特级生抽");
    assert_eq!(first["extra"], json!({ lot.to_string(): "L2026-11" }));
    assert_eq!(first["entered_by_name"], "管理员");
    assert_eq!(batches[1]["whole"], Value::Null);
    let listed =
        c.ok("codes/activation/ranges", json!({ "package_id": package, "activated": false, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(listed["total"], 3);
    assert_eq!(listed["items"][1]["id"], part);

    // The field is in use now, so it cannot be deleted; an unused one can.
    let (status, body) = c.call("codes/activation/fields/delete", json!({ "id": lot })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(refused(&body)["InUse"]["by"][0].as_str().unwrap().starts_with(&serial(1)), "{body}");
    let spare = c
        .ok("codes/activation/fields/save", json!({ "input": { "id": null, "version": 0, "name": "班次", "required": false, "sort": 2 } }))
        .await;
    c.ok("codes/activation/fields/delete", json!({ "id": spare })).await;
    let (_, body) = c
        .call(
            "codes/activation/fields/save",
            json!({ "input": { "id": null, "version": 0, "name": "生产批号", "required": false, "sort": 0 } }),
        )
        .await;
    assert_eq!(field_error(&body, "name"), Some(&json!("Duplicate")));

    // Another enterprise's package does not exist here; a pending package has no codes yet.
    let other = app.enterprise("山泉饮品", "13900000000").await;
    let other_spec = codes::spec(&app, other.enterprise_id, "瓶盖码").await;
    let foreign_package = codes::package(&app, other.enterprise_id, other_spec, other.user_id, 10, 1, "generated").await;
    let (status, _) = c.call("codes/activation/ranges/save", range(None, 0, foreign_package, "1", "5", product, extra.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let spec = codes::spec(&app, admin.enterprise_id, "箱码").await;
    let pending = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 10, 1, "pending").await;
    let (_, body) = c.call("codes/activation/ranges/save", range(None, 0, pending, "1", "5", product, extra)).await;
    assert_eq!(refused(&body), &json!({ "Activation": "NoCodesYet" }));
    let choices = c.ok("codes/activation/packages", json!({ "search": "" })).await;
    let ids: Vec<i64> = choices.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [package], "only this enterprise's packages with codes");

    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'code_range'").fetch_one(app.sys()).await.unwrap();
    assert_eq!(audits, 3);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn activation_revocation_and_stale_forms(pool: PgPool) {
    let Setup { app, mut c, package, product, .. } = setup(pool).await;
    let id = c.ok("codes/activation/ranges/save", range(None, 0, package, "1", "25", product, json!({}))).await.as_i64().unwrap();

    let active = c.ok("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": null })).await;
    assert_eq!((active["status"].as_str(), active["version"].as_i64()), (Some("Active"), Some(2)));
    assert_eq!(active["activated_by_name"], "管理员");
    // A double click (same version again) changes nothing.
    let (status, body) = c.call("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": null })).await;
    assert_eq!((status, refused(&body)), (StatusCode::CONFLICT, &json!("Stale")));
    // With the current version: it is already active.
    let (_, body) = c.call("codes/activation/ranges/activate", json!({ "id": id, "version": 2, "at": null })).await;
    assert_eq!(refused(&body), &json!({ "Activation": { "AlreadyActivated": { "status": "Active" } } }));
    // An active range is not edited, split or deleted.
    let (_, body) = c.call("codes/activation/ranges/save", range(Some(id), 2, package, "1", "20", product, json!({}))).await;
    assert_eq!(refused(&body), &json!({ "Activation": "IsActive" }));
    let (_, body) = c.call("codes/activation/ranges/delete", json!({ "id": id, "version": 2 })).await;
    assert_eq!(refused(&body), &json!({ "Activation": "IsActive" }));
    let (_, body) = c.call("codes/activation/ranges/split", json!({ "id": id, "version": 2, "splits": ["10"] })).await;
    assert_eq!(refused(&body), &json!({ "Activation": "IsActive" }));
    assert_eq!(state(&app, id).await, ("active".into(), 2));
    let activated =
        c.ok("codes/activation/ranges", json!({ "package_id": package, "activated": true, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(activated["total"], 1);

    // Revoke, then revoking again says there is nothing to revoke.
    let revoked = c.ok("codes/activation/ranges/revoke", json!({ "id": id, "version": 2 })).await;
    assert_eq!((revoked["status"].as_str(), revoked["activated_at"].as_str()), (Some("Entered"), None));
    let (_, body) = c.call("codes/activation/ranges/revoke", json!({ "id": id, "version": 3 })).await;
    assert_eq!(refused(&body), &json!({ "Activation": "NotActivated" }));
    // A stale edit form is refused, a current one saves.
    let (status, _) = c.call("codes/activation/ranges/save", range(Some(id), 2, package, "1", "20", product, json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    c.ok("codes/activation/ranges/save", range(Some(id), 3, package, "1", "20", product, json!({}))).await;
    assert_eq!(state(&app, id).await, ("entered".into(), 4));

    // A scheduled time must be in the future.
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let (status, body) = c.call("codes/activation/ranges/activate", json!({ "id": id, "version": 4, "at": past })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "at"), Some(&json!({ "Activation": "NotInFuture" })));

    c.ok("codes/activation/ranges/delete", json!({ "id": id, "version": 4 })).await;
    let (status, _) = c.call("codes/activation/ranges/delete", json!({ "id": id, "version": 4 })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'code_range' ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(actions, ["create", "activate", "revoke", "update", "delete"]);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn activating_scrapped_codes_is_refused_naming_the_scrap(pool: PgPool) {
    let Setup { app, mut c, package, product, .. } = setup(pool).await;
    let id = c.ok("codes/activation/ranges/save", range(None, 0, package, "1", "25", product, json!({}))).await.as_i64().unwrap();
    c.ok(
        "codes/scrap",
        json!({ "input": { "method": "Range", "package_id": package, "batch_no": null, "serial_start": "10", "serial_end": "12",
                           "code": "", "reason": "印刷污损" } }),
    )
    .await;
    let (status, body) = c.call("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": null })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused(&body),
        &json!({ "Activation": { "Scrapped": { "start": format_serial(package, 10), "end": format_serial(package, 12), "reason": "印刷污损" } } })
    );
    // Scheduling is refused just the same.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let (_, body) = c.call("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": later })).await;
    assert!(refused(&body)["Activation"]["Scrapped"].is_object(), "{body}");
    assert_eq!(state(&app, id).await, ("entered".into(), 1));
    // Split around the scrap, the rest activates.
    let ids = c.ok("codes/activation/ranges/split", json!({ "id": id, "version": 1, "splits": ["10", "13"] })).await;
    let last = ids[2].as_i64().unwrap();
    c.ok("codes/activation/ranges/activate", json!({ "id": last, "version": 1, "at": null })).await;
    assert_eq!(state(&app, last).await, ("active".into(), 2));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_scheduled_activation_fires_unless_revoked_changed_or_scrapped(pool: PgPool) {
    let Setup { app, admin, mut c, package, product, .. } = setup(pool).await;
    let save = |start: &str, end: &str| range(None, 0, package, start, end, product, json!({}));
    let fires = c.ok("codes/activation/ranges/save", save("1", "25")).await.as_i64().unwrap();
    let revoked = c.ok("codes/activation/ranges/save", save("26", "50")).await.as_i64().unwrap();
    let scrapped = c.ok("codes/activation/ranges/save", save("51", "75")).await.as_i64().unwrap();
    let edited = c.ok("codes/activation/ranges/save", save("76", "100")).await.as_i64().unwrap();

    let at = chrono::Utc::now() + chrono::Duration::hours(2);
    for id in [fires, revoked, scrapped, edited] {
        let r = c.ok("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": at })).await;
        assert_eq!(r["status"], "Scheduled");
        assert_eq!(r["activated_at"], Value::Null);
    }
    // Queued for that time, not before.
    let run_at: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT run_at FROM jobs WHERE kind = 'code_range.activate'").fetch_all(app.sys()).await.unwrap();
    assert_eq!(run_at.len(), 4);
    assert!(run_at.iter().all(|t| (*t - at).num_milliseconds().abs() < 1));
    assert!(run_due_jobs(&app).await.is_empty(), "nothing is due yet");
    let batches = c.ok("codes/activation/batches", json!({ "package_id": package })).await;
    assert_eq!(batches["batches"][0]["state"], "Scheduled");
    assert!(batches["batches"][0]["next_activation"].is_string());

    // Meanwhile: one schedule revoked, one range's codes partly scrapped, one range edited
    // (still scheduled: the edit queues the activation again for the new version).
    c.ok("codes/activation/ranges/revoke", json!({ "id": revoked, "version": 2 })).await;
    c.ok(
        "codes/scrap",
        json!({ "input": { "method": "Range", "package_id": package, "batch_no": null, "serial_start": "60", "serial_end": "60",
                           "code": "", "reason": "破损" } }),
    )
    .await;
    c.ok("codes/activation/ranges/save", range(Some(edited), 2, package, "76", "99", product, json!({}))).await;
    assert_eq!(state(&app, edited).await, ("scheduled".into(), 3));

    time_passes(&app).await;
    let results = run_due_jobs(&app).await;
    assert_eq!(results.len(), 5);
    // Jobs due at the same time run in any order: the outcomes of a range, sorted.
    let outcome = |id: i64| {
        let mut o: Vec<bool> = results.iter().filter(|r| r["range_id"] == id).map(|r| r["activated"].as_bool().unwrap()).collect();
        o.sort();
        o
    };
    assert_eq!(outcome(fires), [true]);
    assert_eq!(outcome(revoked), [false]);
    assert_eq!(outcome(scrapped), [false]);
    assert_eq!(outcome(edited), [false, true], "the job of the old version skips, the new one fires");
    let reason = results.iter().find(|r| r["range_id"] == scrapped).unwrap()["reason"].as_str().unwrap().to_string();
    assert!(reason.contains(&format_serial(package, 60)) && reason.contains("破损"), "{reason}");

    assert_eq!(state(&app, fires).await, ("active".into(), 3));
    assert_eq!(state(&app, revoked).await, ("entered".into(), 3));
    assert_eq!(state(&app, scrapped).await, ("scheduled".into(), 2));
    assert_eq!(state(&app, edited).await, ("active".into(), 4));
    let by: (Option<i64>, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT activated_by, activated_at FROM code_ranges WHERE id = $1").bind(fires).fetch_one(app.sys()).await.unwrap();
    assert_eq!(by.0, Some(admin.user_id));
    assert!(by.1.is_some());
    // The activation is audited in the name of who scheduled it.
    let audit: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT user_id, action FROM audit_log WHERE entity = 'code_range' AND entity_id = $1 ORDER BY id")
            .bind(fires)
            .fetch_all(app.sys())
            .await
            .unwrap();
    assert_eq!(audit.last().unwrap(), &(Some(admin.user_id), "activate".to_string()));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_batch_is_split_into_consecutive_ranges(pool: PgPool) {
    let Setup { app, mut c, package, product, .. } = setup(pool).await;
    let lot = c
        .ok(
            "codes/activation/fields/save",
            json!({ "input": { "id": null, "version": 0, "name": "生产批号", "required": false, "sort": 0 } }),
        )
        .await;
    let extra = json!({ lot.to_string(): "L7" });
    let id = c.ok("codes/activation/ranges/save", range(None, 0, package, "51", "75", product, extra.clone())).await.as_i64().unwrap();

    // Split serials must lie inside the range (after its first serial).
    for bad in [vec!["51"], vec!["76"], vec![], vec!["abc"]] {
        let (status, body) = c.call("codes/activation/ranges/split", json!({ "id": id, "version": 1, "splits": bad })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(field_error(&body, "splits").is_some(), "{bad:?}: {body}");
    }
    let (status, _) = c.call("codes/activation/ranges/split", json!({ "id": id, "version": 0, "splits": ["56"] })).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let ids = c.ok("codes/activation/ranges/split", json!({ "id": id, "version": 1, "splits": [format_serial(package, 66), "56"] })).await;
    assert_eq!(ids.as_array().unwrap().len(), 3);
    let rows: Vec<(i32, i32, String, Option<i64>, Value)> = sqlx::query_as(
        "SELECT serial_start, serial_end, status, product_id, extra FROM code_ranges WHERE package_id = $1 ORDER BY serial_start",
    )
    .bind(package)
    .fetch_all(app.sys())
    .await
    .unwrap();
    let bounds: Vec<(i32, i32)> = rows.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(bounds, [(51, 55), (56, 65), (66, 75)]);
    assert!(rows.iter().all(|r| r.2 == "entered" && r.3 == Some(product) && r.4 == extra));
    // The old range is gone; the batch is still entered as a whole, in three ranges.
    let (status, _) = c.call("codes/activation/ranges/split", json!({ "id": id, "version": 1, "splits": ["60"] })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let batches = c.ok("codes/activation/batches", json!({ "package_id": package })).await;
    assert_eq!((batches["batches"][2]["state"].as_str(), batches["batches"][2]["ranges"].as_i64()), (Some("Entered"), Some(3)));

    // A scheduled range is not split until the schedule is revoked.
    let middle = ids[1].as_i64().unwrap();
    let at = chrono::Utc::now() + chrono::Duration::hours(1);
    c.ok("codes/activation/ranges/activate", json!({ "id": middle, "version": 1, "at": at })).await;
    let (_, body) = c.call("codes/activation/ranges/split", json!({ "id": middle, "version": 2, "splits": ["60"] })).await;
    assert_eq!(refused(&body), &json!({ "Activation": "IsScheduled" }));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn viewers_see_but_do_not_change(pool: PgPool) {
    let Setup { app, admin, mut c, package, product, .. } = setup(pool).await;
    let id = c.ok("codes/activation/ranges/save", range(None, 0, package, "1", "25", product, json!({}))).await.as_i64().unwrap();
    let viewer = app.restricted(admin.enterprise_id, "激活查看", &[(Function::CodeActivation, Level::View)], "13800000001").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    assert_eq!(v.ok("codes/activation/batches", json!({ "package_id": package })).await["batches"][0]["whole"]["id"], id);
    assert_eq!(v.ok("codes/activation/packages", json!({ "search": package.to_string() })).await[0]["id"], package);
    let forbidden = json!({ "Forbidden": { "function": "CodeActivation", "level": "Manage" } });
    let calls = [
        ("codes/activation/ranges/save", range(None, 0, package, "26", "50", product, json!({}))),
        ("codes/activation/ranges/activate", json!({ "id": id, "version": 1, "at": null })),
        ("codes/activation/ranges/revoke", json!({ "id": id, "version": 1 })),
        ("codes/activation/ranges/delete", json!({ "id": id, "version": 1 })),
        ("codes/activation/ranges/split", json!({ "id": id, "version": 1, "splits": ["5"] })),
        ("codes/activation/fields/save", json!({ "input": { "id": null, "version": 0, "name": "班次", "required": false, "sort": 0 } })),
        ("codes/activation/fields/delete", json!({ "id": 1 })),
    ];
    for (endpoint, body) in calls {
        let (status, answer) = v.call(endpoint, body).await;
        assert_eq!((status, &answer), (StatusCode::FORBIDDEN, &forbidden), "{endpoint}");
    }
    assert_eq!(state(&app, id).await, ("entered".into(), 1));

    // Someone with none of the code functions cannot even list the packages.
    let outsider = app.restricted(admin.enterprise_id, "品牌", &[(Function::BasicData, Level::View)], "13800000002").await;
    let mut o = app.signed_in(&outsider.login, PASSWORD).await;
    let (status, _) = o.call("codes/activation/packages", json!({ "search": "" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.close().await;
}
