#![cfg(feature = "ssr")]
//! 预警通知: each warning condition of a spec raised once (never twice) with messages to the
//! spec's applicants and reviewers, listed and marked handled. 下载中心: exports queued, run as
//! jobs, downloaded by their owner only, refused once expired.

mod common;

use axum::body::Body;
use common::codes::{package, scrap, spec, spec_person};
use common::{field_error, TestApp, PASSWORD};
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::codes::format_serial;
use tessera::server::auth::SESSION_COOKIE;
use tessera::server::jobs;
use tower::ServiceExt;

async fn exec(app: &TestApp, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(app.sys()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.sys()).await.unwrap()
}

/// A range (batch, first and last serial) of a package, straight in SQL (`entered_hours_ago`
/// sets its entry time).
async fn range(app: &TestApp, e: i64, package_id: i64, (batch, start, end): (i32, i32, i32), status: &str, entered_hours_ago: i32) {
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, status, entered_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(hours => $7))",
    )
    .bind(e)
    .bind(package_id)
    .bind(batch)
    .bind(start)
    .bind(end)
    .bind(status)
    .bind(entered_hours_ago)
    .execute(app.sys())
    .await
    .expect("seed range");
}

fn page() -> Value {
    json!({ "page": 1, "size": 10 })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn each_warning_is_raised_once_with_messages_to_applicants_and_reviewers(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let applicant = app.restricted(e, "码包申请人", &[(Function::CodePackages, Level::Manage)], "13800000001").await;
    let reviewer = app.restricted(e, "码包审核人", &[(Function::Warnings, Level::View)], "13800000002").await;
    let watched = spec(&app, e, "瓶盖码").await;
    sqlx::query("UPDATE code_specs SET warn_generated_hours = 24, warn_entered_hours = 12, warn_sent_hours = 48 WHERE id = $1")
        .bind(watched)
        .execute(app.sys())
        .await
        .unwrap();
    spec_person(&app, e, watched, "applicant", applicant.user_id).await;
    spec_person(&app, e, watched, "reviewer", reviewer.user_id).await;
    // Receivers hear nothing of warnings; a reviewer who also receives files hears once.
    spec_person(&app, e, watched, "file_receiver", reviewer.user_id).await;
    spec_person(&app, e, watched, "password_receiver", admin.user_id).await;

    // Sent 50 h ago (generated 60 h ago): batch 1 (1–5) active and downloaded; batch 2 (6–10)
    // never downloaded, with 6–7 entered 13 h ago and 8 entered just now.
    let late = package(&app, e, watched, applicant.user_id, 10, 2, "sent").await;
    exec(
        &app,
        "UPDATE code_packages SET generated_at = now() - interval '60 hours', sent_at = now() - interval '50 hours' WHERE id = $1",
        late,
    )
    .await;
    exec(&app, "UPDATE code_batches SET downloads = 1 WHERE package_id = $1 AND batch_no = 1", late).await;
    range(&app, e, late, (1, 1, 5), "active", 30).await;
    range(&app, e, late, (2, 6, 7), "entered", 13).await;
    range(&app, e, late, (2, 8, 8), "entered", 0).await;
    // Generated an hour ago: nothing is late yet.
    let fresh = package(&app, e, watched, applicant.user_id, 10, 1, "generated").await;
    exec(&app, "UPDATE code_packages SET generated_at = now() - interval '1 hour' WHERE id = $1", fresh).await;
    // Generated long ago but complete: 1–4 active, 5 scrapped (it can never be activated).
    let done = package(&app, e, watched, applicant.user_id, 5, 1, "generated").await;
    exec(&app, "UPDATE code_packages SET generated_at = now() - interval '60 hours' WHERE id = $1", done).await;
    range(&app, e, done, (1, 1, 4), "active", 60).await;
    scrap(&app, e, done, 1, 5).await;
    // A spec without warning parameters never warns.
    let quiet = spec(&app, e, "箱码").await;
    let unwatched = package(&app, e, quiet, applicant.user_id, 10, 1, "sent").await;
    exec(
        &app,
        "UPDATE code_packages SET generated_at = now() - interval '900 hours', sent_at = now() - interval '900 hours' WHERE id = $1",
        unwatched,
    )
    .await;

    assert_eq!(tessera::server::warnings::raise_warnings(&app.state).await.unwrap(), 3);
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT kind, subject, title, body, link FROM warnings WHERE enterprise_id = $1 ORDER BY kind")
            .bind(e)
            .fetch_all(app.sys())
            .await
            .unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM code_packages WHERE id = $1").bind(late).fetch_one(app.sys()).await.unwrap();
    let range_id: i64 = sqlx::query_scalar("SELECT id FROM code_ranges WHERE package_id = $1 AND serial_start = 6")
        .bind(late)
        .fetch_one(app.sys())
        .await
        .unwrap();
    let kinds: Vec<_> = rows.iter().map(|r| (r.0.as_str(), r.1.clone())).collect();
    assert_eq!(
        kinds,
        [
            ("entered_not_activated", format!("range:{range_id}")),
            ("generated_not_activated", format!("package:{late}")),
            ("sent_not_downloaded", format!("package:{late}")),
        ]
    );
    for (kind, _, title, body, link) in &rows {
        assert!(title.contains(&name), "{title}");
        match kind.as_str() {
            "generated_not_activated" => {
                assert!(title.contains("24 小时") && body.contains("第 2 批") && !body.contains("第 1 批"), "{body}");
                assert_eq!(link, "/codes/activation");
            }
            "entered_not_activated" => {
                assert!(body.contains(&format!("{} 至 {}", format_serial(late, 6), format_serial(late, 7))), "{body}");
                assert!(!body.contains(&format_serial(late, 8)));
            }
            _ => {
                assert!(title.contains("48 小时") && body.contains("第 2 批") && !body.contains("第 1 批"), "{body}");
                assert_eq!(link, &format!("/codes/packages/{late}"));
            }
        }
    }
    // One message per warning to the applicant and the reviewer (SMS: they have no email).
    let messages: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT recipient_user_id, channel, subject FROM outbox WHERE enterprise_id = $1 AND subject LIKE '【预警】%' ORDER BY id",
    )
    .bind(e)
    .fetch_all(app.sys())
    .await
    .unwrap();
    assert_eq!(messages.len(), 6);
    for who in [applicant.user_id, reviewer.user_id] {
        assert_eq!(messages.iter().filter(|m| m.0 == who && m.1 == "sms").count(), 3);
    }

    // A second run (or a second process) raises nothing new and sends nothing.
    assert_eq!(tessera::server::warnings::raise_warnings(&app.state).await.unwrap(), 0);
    assert_eq!(count(&app, "SELECT count(*) FROM warnings").await, 3);
    assert_eq!(count(&app, "SELECT count(*) FROM outbox WHERE subject LIKE '【预警】%'").await, 6);

    // 预警通知: newest first, filtered; the reviewer may look but not mark.
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let all = c.ok("warnings/list", json!({ "filter": { "kind": null, "handled": null }, "page": page() })).await;
    assert_eq!(all["total"], 3);
    let sent = c.ok("warnings/list", json!({ "filter": { "kind": "SentNotDownloaded", "handled": null }, "page": page() })).await;
    assert_eq!(sent["total"], 1);
    let id = sent["items"][0]["id"].as_i64().unwrap();
    let mut r = app.signed_in(&reviewer.login, PASSWORD).await;
    assert_eq!(r.ok("warnings/list", json!({ "filter": {}, "page": page() })).await["total"], 3);
    let (status, body) = r.call("warnings/handle", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut a = app.signed_in(&applicant.login, PASSWORD).await;
    assert_eq!(a.call("warnings/list", json!({ "filter": {}, "page": page() })).await.0, StatusCode::FORBIDDEN);

    // Marked handled once: a double click changes nothing and writes one audit entry.
    c.ok("warnings/handle", json!({ "id": id })).await;
    c.ok("warnings/handle", json!({ "id": id })).await;
    let handled = c.ok("warnings/list", json!({ "filter": { "kind": null, "handled": true }, "page": page() })).await;
    assert_eq!(handled["total"], 1);
    assert_eq!(handled["items"][0]["handled_by_name"], "管理员");
    let open = c.ok("warnings/list", json!({ "filter": { "kind": null, "handled": false }, "page": page() })).await;
    assert_eq!(open["total"], 2);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE entity = 'warning'").await, 1);
    assert_eq!(c.call("warnings/handle", json!({ "id": id + 1000 })).await.0, StatusCode::NOT_FOUND);
    // Another enterprise cannot see or handle them.
    let other = app.enterprise("山泉饮料", "13900000000").await;
    let mut o = app.signed_in(&other.login, PASSWORD).await;
    assert_eq!(o.ok("warnings/list", json!({ "filter": {}, "page": page() })).await["total"], 0);
    let other_id = open["items"][0]["id"].as_i64().unwrap();
    assert_eq!(o.call("warnings/handle", json!({ "id": other_id })).await.0, StatusCode::NOT_FOUND);
    app.close().await;
}

/// A GET through the whole router with a session cookie (if any).
async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(path);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// The worker's loop, one turn: claims the next job, runs it, records the outcome.
async fn run_next_job(app: &TestApp) -> Value {
    let job = jobs::claim(&app.state).await.unwrap().expect("a queued job");
    let id = job.id;
    let outcome = jobs::run(job).await;
    jobs::finish(app.db(), id, outcome).await.unwrap();
    let (status, result, error): (String, Option<Value>, Option<String>) =
        sqlx::query_as("SELECT status, result, error FROM jobs WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(status, "done", "job failed: {error:?}");
    result.unwrap()
}

fn csv_lines(body: &[u8]) -> Vec<String> {
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 with a byte-order mark, for Excel");
    String::from_utf8(body[3..].to_vec()).unwrap().split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn exports_are_files_for_their_owner_only_until_they_expire(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let s = spec(&app, e, "瓶盖码").await;
    let pkg = package(&app, e, s, admin.user_id, 20, 2, "generated").await;
    range(&app, e, pkg, (1, 1, 10), "active", 1).await;
    range(&app, e, pkg, (2, 11, 12), "entered", 1).await;
    scrap(&app, e, pkg, 1, 3).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let token = c.token().unwrap().to_string();

    // Refusals name the field: beyond the package, too many, not approved, unknown.
    let export = |package_id: i64, from: u32, to: u32| json!({ "input": { "package_id": package_id, "from": from, "to": to } });
    let (status, body) = c.call("exports/codes", export(pkg, 1, 21)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "to"), Some(&json!({ "Export": { "BeyondPackage": { "count": 20 } } })));
    let (_, body) = c.call("exports/codes", export(pkg, 1, 100_001)).await;
    assert_eq!(field_error(&body, "to"), Some(&json!({ "Export": { "TooManyCodes": { "max": 100000 } } })));
    let pending = package(&app, e, s, admin.user_id, 20, 1, "pending").await;
    let (_, body) = c.call("exports/codes", export(pending, 1, 2)).await;
    assert_eq!(field_error(&body, "package_id"), Some(&json!({ "Export": "PackageHasNoCodes" })));
    let (_, body) = c.call("exports/codes", export(pending + 999, 1, 2)).await;
    assert_eq!(field_error(&body, "package_id"), Some(&json!("NotFound")));

    // Queued; a double click gets the same export.
    let id = c.ok("exports/codes", export(pkg, 1, 12)).await.as_i64().unwrap();
    assert_eq!(c.ok("exports/codes", export(pkg, 1, 12)).await.as_i64(), Some(id));
    let mine = c.ok("exports/mine", json!({ "page": page() })).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["state"], "Queued");
    let (status, _, body) = get(&app, Some(&token), &format!("/files/exports/{id}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(body).unwrap().contains("生成中"));

    let result = run_next_job(&app).await;
    assert_eq!(result["rows"], 12);
    let mine = c.ok("exports/mine", json!({ "page": page() })).await;
    let item = &mine["items"][0];
    assert_eq!((item["state"].as_str(), item["rows"].as_i64(), item["percent"].as_i64()), (Some("Ready"), Some(12), Some(100)));
    assert_eq!(item["kind"], "Codes");

    // The owner downloads it: header + 12 rows, each code with its URL, batch and states.
    let (status, headers, body) = get(&app, Some(&token), &format!("/files/exports/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
    assert_eq!(item["file_size"].as_u64(), Some(body.len() as u64));
    let lines = csv_lines(&body);
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[0], "序列号,码字符串,扫码链接,批次,激活状态,是否报废");
    for (serial, batch, state, scrapped) in
        [(1, 1, "已激活", "否"), (3, 1, "已激活", "是"), (11, 2, "已录入未激活", "否"), (12, 2, "已录入未激活", "否")]
    {
        let code = app.state.codes.code_of(app.sys(), e, pkg, serial).await.unwrap().unwrap();
        let expected = format!("{},{code},{},{batch},{state},{scrapped}", format_serial(pkg, serial), app.state.codes.scan_url(&code));
        assert_eq!(lines[serial as usize], expected);
    }

    // Nobody else: a colleague with the same permissions, nor the anonymous.
    let colleague =
        app.restricted(e, "码查询员", &[(Function::CodeQuery, Level::View), (Function::CodeScrap, Level::View)], "13800000005").await;
    let mut colleague = app.signed_in(&colleague.login, PASSWORD).await;
    assert_eq!(get(&app, colleague.token(), &format!("/files/exports/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(colleague.ok("exports/mine", json!({ "page": page() })).await["total"], 0);
    assert_eq!(get(&app, None, &format!("/files/exports/{id}")).await.0, StatusCode::UNAUTHORIZED);

    // The scrap list, by the colleague this time: their file, with the package and reason.
    let scraps = colleague.ok("exports/scraps", json!({ "filter": { "package_id": pkg, "method": null, "from": null, "to": null } })).await;
    let scraps = scraps.as_i64().unwrap();
    assert_eq!(run_next_job(&app).await["rows"], 1);
    let (status, _, body) = get(&app, colleague.token(), &format!("/files/exports/{scraps}")).await;
    assert_eq!(status, StatusCode::OK);
    let lines = csv_lines(&body);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("报废时间,码包ID,码包名称,批次,报废方式"));
    let s3 = format_serial(pkg, 3);
    assert!(lines[1].ends_with(&format!(",1,单码,{s3},{s3},1,标签印刷错误,")), "{}", lines[1]);
    let (_, body) = colleague.call("exports/scraps", json!({ "filter": { "from": "2026-11-02", "to": "2026-11-01" } })).await;
    assert_eq!(field_error(&body, "to"), Some(&json!({ "Export": "DatesReversed" })));

    // Past its 7 days: 410 with the reason, listed as expired, its file deleted by the periodic task.
    exec(&app, "UPDATE exports SET expires_at = now() - interval '1 minute' WHERE id = $1", id).await;
    let (status, _, body) = get(&app, Some(&token), &format!("/files/exports/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(String::from_utf8(body).unwrap().contains("已过期"));
    assert_eq!(c.ok("exports/mine", json!({ "page": page() })).await["items"][0]["state"], "Expired");
    let file = app.state.config.files_dir.join(format!("exports/{e}/{id}.csv"));
    assert!(file.exists());
    assert_eq!(tessera::server::exports::purge_expired(&app.state).await.unwrap(), 1);
    assert!(!file.exists());
    assert_eq!(tessera::server::exports::purge_expired(&app.state).await.unwrap(), 0);

    // Queueing needs the page's permission; the list is everyone's own.
    let clerk = app.restricted(e, "基础数据员", &[(Function::BasicData, Level::Manage)], "13800000009").await;
    let mut clerk = app.signed_in(&clerk.login, PASSWORD).await;
    assert_eq!(clerk.call("exports/codes", export(pkg, 1, 2)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(clerk.call("exports/scraps", json!({ "filter": {} })).await.0, StatusCode::FORBIDDEN);
    assert_eq!(clerk.ok("exports/mine", json!({ "page": page() })).await["total"], 0);
    app.close().await;
}
