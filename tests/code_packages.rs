#![cfg(feature = "ssr")]
//! 发码管理 through the server functions: the application's bounds, who may apply and review
//! (never one's own application), what approval creates (batches covering the package and one
//! generation job, in one transaction), double reviews, edits and withdrawal while pending,
//! retry after a failed generation, the lists, permissions and tenancy.

mod common;

use common::{codes, field_error, Client, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::server::repo::code_generation::GENERATE_JOB;

/// One enterprise with a spec whose flow names an applicant and a reviewer; `both` is an
/// applicant and a reviewer at once; `outsider` may manage packages but is in no flow.
struct World {
    enterprise_id: i64,
    spec_id: i64,
    factory_id: i64,
    applicant: Client,
    reviewer: Client,
    both: Client,
    outsider: Client,
}

const SPEC: &str = "瓶盖码";

async fn world(app: &TestApp) -> World {
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let p = app.position(e, "码管理员", &[(Function::CodePackages, Level::Manage)]).await;
    let applicant = app.member(e, p, "申请人", "13800000001").await;
    let reviewer = app.member(e, p, "审核人", "13800000002").await;
    let both = app.member(e, p, "申请兼审核", "13800000003").await;
    app.member(e, p, "局外人", "13800000004").await;
    let spec_id = codes::spec(app, e, SPEC).await;
    for (role, user) in [("applicant", applicant), ("applicant", both), ("reviewer", reviewer), ("reviewer", both)] {
        codes::spec_person(app, e, spec_id, role, user).await;
    }
    codes::spec_person(app, e, spec_id, "file_receiver", admin.user_id).await;
    codes::spec_person(app, e, spec_id, "password_receiver", admin.user_id).await;
    let factory_id = codes::factory(app, e, "华东包材厂").await;
    World {
        enterprise_id: e,
        spec_id,
        factory_id,
        applicant: app.signed_in("13800000001", PASSWORD).await,
        reviewer: app.signed_in("13800000002", PASSWORD).await,
        both: app.signed_in("13800000003", PASSWORD).await,
        outsider: app.signed_in("13800000004", PASSWORD).await,
    }
}

fn application(w: &World, name: &str, count: i64, files: i64) -> Value {
    json!({ "input": {
        "id": null, "version": 0, "spec_id": w.spec_id, "name": name, "purpose": "Production",
        "code_count": count, "file_count": files, "factory_id": w.factory_id,
        "product_id": null, "filling_factory_id": null, "remark": "春季促销",
    }})
}

fn review(id: i64, version: i32, approve: bool, reason: &str) -> Value {
    json!({ "input": { "id": id, "version": version, "approve": approve, "reason": reason } })
}

fn tab(tab: &str) -> Value {
    json!({ "filter": { "tab": tab, "status": null, "search": "" }, "page": { "page": 1, "size": 10 } })
}

fn refused(msg: Value) -> Value {
    json!({ "Refused": { "Package": msg } })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.sys()).await.unwrap()
}

async fn status_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM code_packages WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_code_count_and_files_are_bounded(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;

    // 20,000,000 codes in 100 files is the largest package.
    let id = w.applicant.ok("codes/packages/save", application(&w, "最大码包", 20_000_000, 100)).await.as_i64().unwrap();
    let (status, count_, files, applied_by, key_version, salt): (String, i32, i32, i64, i16, Vec<u8>) = sqlx::query_as(
        "SELECT p.status, p.code_count, p.file_count, p.applied_by, p.key_version, p.key_salt FROM code_packages p WHERE p.id = $1",
    )
    .bind(id)
    .fetch_one(app.sys())
    .await
    .unwrap();
    assert_eq!((status.as_str(), count_, files), ("pending", 20_000_000, 100));
    assert_eq!(key_version, i16::from(app.state.codes.current_version()));
    assert!(salt.len() >= 16, "a random salt per package");
    let me: i64 = sqlx::query_scalar("SELECT id FROM users WHERE mobile = '13800000001'").fetch_one(app.sys()).await.unwrap();
    assert_eq!(applied_by, me);

    let cases = [
        (20_000_001, 1, "code_count", json!({ "Package": "CodeCount" })),
        (0, 1, "code_count", json!({ "Package": "CodeCount" })),
        (-5, 1, "code_count", json!({ "Package": "CodeCount" })),
        (5, 6, "file_count", json!({ "Package": "MoreFilesThanCodes" })),
        (1000, 101, "file_count", json!({ "Package": "FileCount" })),
        (1000, 0, "file_count", json!({ "Package": "FileCount" })),
    ];
    for (n, (count_, files, field, msg)) in cases.into_iter().enumerate() {
        let (status, body) = w.applicant.call("codes/packages/save", application(&w, &format!("越界 {n}"), count_, files)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{count_}/{files}: {body}");
        assert_eq!(field_error(&body, field), Some(&msg), "{count_}/{files}: {body}");
    }
    // Names are unique in the enterprise.
    let (status, body) = w.applicant.call("codes/packages/save", application(&w, "最大码包", 10, 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "name"), Some(&json!("Duplicate")));
    assert_eq!(count(&app, "SELECT count(*) FROM code_packages").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE entity = 'code_package' AND action = 'create'").await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn only_the_specs_applicants_apply(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let (status, body) = w.reviewer.call("codes/packages/save", application(&w, "越权申请", 100, 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body, refused(json!({ "NotAnApplicant": { "spec": SPEC } })));
    // The form offers only specs one is an applicant of.
    assert_eq!(w.reviewer.ok("codes/packages/choices", json!({})).await["specs"], json!([]));
    let choices = w.applicant.ok("codes/packages/choices", json!({})).await;
    assert_eq!(choices["specs"][0]["name"], SPEC);
    assert_eq!(choices["specs"][0]["reviewers"], json!(["审核人", "申请兼审核"]));
    assert_eq!(choices["factories"][0], json!([w.factory_id, "华东包材厂"]));
    assert_eq!(count(&app, "SELECT count(*) FROM code_packages").await, 0);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn no_one_reviews_their_own_application(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.both.ok("codes/packages/save", application(&w, "自审码包", 100, 2)).await.as_i64().unwrap();

    // Not listed to review, not offered, and refused when asked anyway.
    assert_eq!(w.both.ok("codes/packages", tab("ToReview")).await["total"], 0);
    assert_eq!(w.both.ok("codes/packages", tab("Mine")).await["items"][0]["can_review"], false);
    for approve in [true, false] {
        let (status, body) = w.both.call("codes/packages/review", review(id, 1, approve, "自己驳回")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body, refused(json!("OwnApplication")));
    }
    // Someone outside the flow cannot review either; the spec is named.
    let (status, body) = w.outsider.call("codes/packages/review", review(id, 1, true, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body, refused(json!({ "NotAReviewer": { "spec": SPEC } })));
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(count(&app, "SELECT count(*) FROM code_batches").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 0);

    // The other reviewer can.
    assert_eq!(w.reviewer.ok("codes/packages", tab("ToReview")).await["items"][0]["can_review"], true);
    w.reviewer.ok("codes/packages/review", review(id, 1, true, "")).await;
    assert_eq!(status_of(&app, id).await, "generating");
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn rejecting_needs_a_reason_and_ends_the_review(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.applicant.ok("codes/packages/save", application(&w, "待驳回", 100, 1)).await.as_i64().unwrap();
    let (status, body) = w.reviewer.call("codes/packages/review", review(id, 1, false, "  ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "reason"), Some(&json!("Required")));
    assert_eq!(status_of(&app, id).await, "pending");

    w.reviewer.ok("codes/packages/review", review(id, 1, false, "数量有误，请重新申请")).await;
    let package = w.applicant.ok("codes/packages/get", json!({ "id": id })).await;
    assert_eq!(package["row"]["status"], "Rejected");
    assert_eq!(package["reject_reason"], "数量有误，请重新申请");
    assert_eq!(package["reviewer_name"], "审核人");
    assert_eq!(package["batches"], json!([]));
    // Reviewed once: an approval now (with the old or the new version) says so.
    for version in [1, 2] {
        let (status, body) = w.reviewer.call("codes/packages/review", review(id, version, true, "")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body, refused(json!({ "AlreadyReviewed": { "status": "Rejected" } })));
    }
    assert_eq!(w.reviewer.ok("codes/packages", tab("Reviewed")).await["total"], 1);
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE entity = 'code_package' AND action = 'reject'").await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn approval_creates_the_batches_and_queues_one_generation(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.applicant.ok("codes/packages/save", application(&w, "十码三文件", 10, 3)).await.as_i64().unwrap();

    // Two approvals at once (a double click): exactly one applies.
    let mut again = app.client();
    again.set_token(w.reviewer.token().map(str::to_string));
    let (first, second) = tokio::join!(
        w.reviewer.call("codes/packages/review", review(id, 1, true, "")),
        again.call("codes/packages/review", review(id, 1, true, ""))
    );
    let mut outcomes = [first, second];
    outcomes.sort_by_key(|(status, _)| status.as_u16());
    assert_eq!(outcomes[0].0, StatusCode::OK, "{:?}", outcomes[0]);
    assert_eq!(outcomes[1], (StatusCode::UNPROCESSABLE_ENTITY, refused(json!({ "AlreadyReviewed": { "status": "Generating" } }))));

    // Batches cover 1..=10 contiguously, one file each.
    let batches: Vec<(i32, i32, i32, String)> =
        sqlx::query_as("SELECT batch_no, serial_start, serial_end, file_name FROM code_batches WHERE package_id = $1 ORDER BY batch_no")
            .bind(id)
            .fetch_all(app.sys())
            .await
            .unwrap();
    assert_eq!(batches, [(1, 1, 4, format!("{id}-001.zip")), (2, 5, 7, format!("{id}-002.zip")), (3, 8, 10, format!("{id}-003.zip"))]);
    // One generation job, remembered on the package, queued by the reviewer.
    let jobs: Vec<(i64, String, Value, i64)> =
        sqlx::query_as("SELECT id, kind, payload, created_by FROM jobs").fetch_all(app.sys()).await.unwrap();
    assert_eq!(jobs.len(), 1);
    let (job, kind, payload, created_by) = jobs[0].clone();
    assert_eq!((kind.as_str(), payload), (GENERATE_JOB, json!({ "package_id": id })));
    let (job_id, reviewed_by, status): (Option<i64>, Option<i64>, String) =
        sqlx::query_as("SELECT job_id, reviewed_by, status FROM code_packages WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!((job_id, reviewed_by, status.as_str()), (Some(job), Some(created_by), "generating"));

    // The detail and the progress poll show it generating, with its batches.
    let package = w.applicant.ok("codes/packages/get", json!({ "id": id })).await;
    assert_eq!(package["row"]["status"], "Generating");
    assert_eq!(package["batches"].as_array().map(Vec::len), Some(3));
    assert_eq!(package["batches"][2]["downloads"], 0);
    sqlx::query("UPDATE jobs SET status = 'running', progress = 4, total = 10 WHERE id = $1").bind(job).execute(app.sys()).await.unwrap();
    let progress = w.applicant.ok("codes/packages/progress", json!({ "ids": [id] })).await;
    assert_eq!(progress, json!([{ "id": id, "status": "Generating", "progress": 4, "total": 10, "version": 2 }]));
    let row = &w.applicant.ok("codes/packages", tab("Mine")).await["items"][0];
    assert_eq!((row["progress"].clone(), row["total"].clone(), row["can_edit"].clone()), (json!(4), json!(10), json!(false)));
    assert_eq!(w.reviewer.ok("codes/packages", tab("Reviewed")).await["items"][0]["id"], id);
    assert_eq!(w.reviewer.ok("codes/packages", tab("ToReview")).await["total"], 0);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE entity = 'code_package' AND action = 'approve'").await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_applicant_edits_or_withdraws_only_while_pending(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.applicant.ok("codes/packages/save", application(&w, "可修改", 100, 2)).await.as_i64().unwrap();
    let edited = application(&w, "可修改（改）", 0, 4);
    let edit = |version: i32, count: i64| {
        let mut form = edited.clone();
        form["input"]["code_count"] = json!(count);
        form["input"]["id"] = json!(id);
        form["input"]["version"] = json!(version);
        form
    };

    w.applicant.ok("codes/packages/save", edit(1, 400)).await;
    let (count_, files, version): (i32, i32, i32) =
        sqlx::query_as("SELECT code_count, file_count, version FROM code_packages WHERE id = $1")
            .bind(id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!((count_, files, version), (400, 4, 2));
    // The same form again is stale; the bounds hold for edits too.
    assert_eq!(w.applicant.call("codes/packages/save", edit(1, 500)).await, (StatusCode::CONFLICT, json!({ "Refused": "Stale" })));
    let (status, body) = w.applicant.call("codes/packages/save", edit(2, 20_000_001)).await;
    assert_eq!((status, field_error(&body, "code_count")), (StatusCode::UNPROCESSABLE_ENTITY, Some(&json!({ "Package": "CodeCount" }))));
    // Only the applicant.
    let (status, body) = w.both.call("codes/packages/save", edit(2, 500)).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!("NotYourApplication"))));
    let (status, body) = w.both.call("codes/packages/withdraw", json!({ "id": id, "version": 2 })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!("NotYourApplication"))));

    // Once approved: no more edits or withdrawal.
    w.reviewer.ok("codes/packages/review", review(id, 2, true, "")).await;
    let (status, body) = w.applicant.call("codes/packages/save", edit(3, 500)).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!({ "NoLongerPending": { "status": "Generating" } }))));
    let (status, body) = w.applicant.call("codes/packages/withdraw", json!({ "id": id, "version": 3 })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!({ "NoLongerPending": { "status": "Generating" } }))));
    let (count_, batches): (i32, i64) = sqlx::query_as(
        "SELECT code_count, (SELECT count(*) FROM code_batches b WHERE b.package_id = p.id) FROM code_packages p WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.sys())
    .await
    .unwrap();
    assert_eq!((count_, batches), (400, 4));

    // A pending one is withdrawn (deleted), once.
    let other = w.applicant.ok("codes/packages/save", application(&w, "撤回我", 10, 1)).await.as_i64().unwrap();
    w.applicant.ok("codes/packages/withdraw", json!({ "id": other, "version": 1 })).await;
    assert_eq!(w.applicant.call("codes/packages/withdraw", json!({ "id": other, "version": 1 })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(count(&app, "SELECT count(*) FROM code_packages").await, 1);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'code_package' ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(actions, ["create", "update", "approve", "create", "withdraw"]);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_failed_generation_is_retried_by_a_reviewer(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.applicant.ok("codes/packages/save", application(&w, "会失败", 100, 2)).await.as_i64().unwrap();
    w.reviewer.ok("codes/packages/review", review(id, 1, true, "")).await;
    let (status, body) = w.reviewer.call("codes/packages/retry", json!({ "id": id, "version": 2 })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!({ "NotFailed": { "status": "Generating" } }))));

    // The job fails: the package shows as failed, with the job's error, retryable by a reviewer.
    sqlx::query("UPDATE jobs SET status = 'failed', error = '磁盘已满'").execute(app.sys()).await.unwrap();
    let package = w.reviewer.ok("codes/packages/get", json!({ "id": id })).await;
    assert_eq!((package["row"]["status"].clone(), package["error"].clone()), (json!("Failed"), json!("磁盘已满")));
    assert_eq!(package["row"]["can_retry"], true);
    let failed = json!({ "filter": { "tab": "Mine", "status": "Failed", "search": "" }, "page": { "page": 1, "size": 10 } });
    assert_eq!(w.applicant.ok("codes/packages", failed).await["total"], 1);
    let (status, body) = w.applicant.call("codes/packages/retry", json!({ "id": id, "version": 2 })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, refused(json!({ "NotAReviewer": { "spec": SPEC } }))));

    w.reviewer.ok("codes/packages/retry", json!({ "id": id, "version": 2 })).await;
    let jobs: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(jobs.len(), 2);
    let (status, job_id): (String, Option<i64>) =
        sqlx::query_as("SELECT status, job_id FROM code_packages WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!((status.as_str(), job_id), ("generating", Some(jobs[1])));
    assert_eq!(count(&app, "SELECT count(*) FROM code_batches").await, 2);
    // A second click is stale.
    assert_eq!(w.reviewer.call("codes/packages/retry", json!({ "id": id, "version": 2 })).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 2);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn permissions_and_tenancy(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut w = world(&app).await;
    let id = w.applicant.ok("codes/packages/save", application(&w, "本企业码包", 100, 1)).await.as_i64().unwrap();

    // View only: no "all" tab, no applying, no reviewing.
    let viewer = app.restricted(w.enterprise_id, "只读", &[(Function::CodePackages, Level::View)], "13800000009").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    let manage = json!({ "Forbidden": { "function": "CodePackages", "level": "Manage" } });
    assert_eq!(v.call("codes/packages", tab("All")).await, (StatusCode::FORBIDDEN, manage.clone()));
    assert_eq!(v.call("codes/packages/save", application(&w, "只读申请", 10, 1)).await, (StatusCode::FORBIDDEN, manage.clone()));
    assert_eq!(v.call("codes/packages/review", review(id, 1, true, "")).await, (StatusCode::FORBIDDEN, manage.clone()));
    // … and sees only packages of flows naming them: none.
    assert_eq!(v.call("codes/packages/get", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(v.ok("codes/packages/progress", json!({ "ids": [id] })).await, json!([]));

    // Another enterprise's administrator sees and reviews nothing of it.
    let stranger = app.enterprise("别家", "13900000000").await;
    let mut s = app.signed_in(&stranger.login, PASSWORD).await;
    assert_eq!(s.ok("codes/packages", tab("All")).await["total"], 0);
    assert_eq!(s.call("codes/packages/get", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.call("codes/packages/review", review(id, 1, true, "")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.call("codes/packages/withdraw", json!({ "id": id, "version": 1 })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.ok("codes/packages/progress", json!({ "ids": [id] })).await, json!([]));
    // Nor applies with this enterprise's spec.
    let (status, body) = s.call("codes/packages/save", application(&w, "借用规格", 10, 1)).await;
    assert_eq!((status, field_error(&body, "spec_id")), (StatusCode::UNPROCESSABLE_ENTITY, Some(&json!("NotFound"))));
    assert_eq!(status_of(&app, id).await, "pending");
    assert_eq!(count(&app, "SELECT count(*) FROM code_packages").await, 1);
    app.close().await;
}
