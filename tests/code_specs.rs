#![cfg(feature = "ssr")]
//! 码规格管理 through the server functions: create, list, edit (versioned), delete (refused
//! once a package used the spec), the form's rules, permissions and tenancy.

mod common;

use common::{codes, field_error, Seeded, TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};

/// The people of a review flow: applicant, reviewer, file receiver, password receiver.
type Flow = [i64; 4];

/// A complete spec form; `edit` changes it before it is wrapped.
fn spec_form(id: Option<i64>, version: i32, name: &str, flow: Flow, edit: impl FnOnce(&mut Value)) -> Value {
    let mut input = json!({
        "id": id, "version": version, "name": name,
        "file_fields": ["Serial", "Code", "Url"], "file_format": "Csv", "separator": ",", "with_header": true,
        "pin_digits": 0, "landing": "Tessera", "landing_url": "", "flow_name": "瓶盖码审核",
        "applicants": [flow[0]], "reviewers": [flow[1]], "file_receivers": [flow[2]], "password_receivers": [flow[3]],
        "warn_generated_hours": 24, "warn_entered_hours": null, "warn_sent_hours": 48,
    });
    edit(&mut input);
    json!({ "input": input })
}

fn page(search: &str) -> Value {
    json!({ "filter": { "search": search }, "page": { "page": 1, "size": 10 } })
}

/// An enterprise, its administrator, and three more accounts for the review flow.
async fn setup(app: &TestApp) -> (Seeded, Flow) {
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let p = app.position(e, "码管理员", &[(Function::CodePackages, Level::Manage)]).await;
    let reviewer = app.member(e, p, "审核人甲", "13800000001").await;
    let files = app.member(e, p, "包材厂收件人", "13800000002").await;
    let passwords = app.member(e, p, "密码接收人", "13800000003").await;
    (admin.clone(), [admin.user_id, reviewer, files, passwords])
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.sys()).await.unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_spec_is_created_listed_edited_and_deleted(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, flow) = setup(&app).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    // The pickers offer the enabled accounts.
    let people = c.ok("codes/specs/people", json!({})).await;
    assert_eq!(people.as_array().map(Vec::len), Some(4), "{people}");
    assert!(people.as_array().unwrap().iter().any(|p| p["name"] == "审核人甲" && p["login"] == "13800000001" && p["enabled"] == true));

    let id = c
        .ok(
            "codes/specs/save",
            spec_form(None, 0, "瓶盖码", flow, |i| {
                i["file_fields"] = json!(["Url", "Serial", "Pin"]);
                i["pin_digits"] = json!(6);
                i["separator"] = json!("\t");
                i["file_format"] = json!("Txt");
            }),
        )
        .await;
    let id = id.as_i64().expect("the new spec's id");

    let list = c.ok("codes/specs", page("瓶盖")).await;
    assert_eq!(list["total"], 1);
    let spec = &list["items"][0];
    assert_eq!(spec["id"], id);
    // The fields keep their order; the review flow holds its people by role.
    assert_eq!(spec["file_fields"], json!(["Url", "Serial", "Pin"]));
    assert_eq!((spec["file_format"].clone(), spec["separator"].clone(), spec["pin_digits"].clone()), (json!("Txt"), json!("\t"), json!(6)));
    assert_eq!(spec["reviewers"][0]["name"], "审核人甲");
    assert_eq!(spec["password_receivers"][0]["user_id"], flow[3]);
    assert_eq!((spec["warn_generated_hours"].clone(), spec["warn_entered_hours"].clone()), (json!(24), Value::Null));
    assert_eq!(spec["version"], 1);
    assert_eq!(c.ok("codes/specs", page(&id.to_string())).await["total"], 1);
    assert_eq!(c.ok("codes/specs", page("没有这个")).await["total"], 0);

    // Edit with the loaded version: an external landing page, two applicants.
    let edited = spec_form(Some(id), 1, "瓶盖码 2026", flow, |i| {
        i["landing"] = json!("External");
        i["landing_url"] = json!("https://brand.example.com/v?c={code}");
        i["applicants"] = json!([flow[0], flow[1]]);
    });
    assert_eq!(c.ok("codes/specs/save", edited.clone()).await, json!(id));
    let spec = c.ok("codes/specs/get", json!({ "id": id })).await;
    assert_eq!((spec["name"].clone(), spec["version"].clone()), (json!("瓶盖码 2026"), json!(2)));
    assert_eq!(spec["landing_url"], "https://brand.example.com/v?c={code}");
    assert_eq!(spec["applicants"].as_array().map(Vec::len), Some(2));
    // The same form again is stale: someone (here: we) changed the spec since it was loaded.
    let (status, body) = c.call("codes/specs/save", edited).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({ "Refused": "Stale" })));

    // Names are unique per enterprise.
    let (status, body) = c.call("codes/specs/save", spec_form(None, 0, "瓶盖码 2026", flow, |_| {})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "name"), Some(&json!("Duplicate")));

    // Every change is in the audit log.
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'code_spec' AND entity_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(app.sys())
        .await
        .unwrap();
    assert_eq!(actions, ["create", "update"]);

    c.ok("codes/specs/delete", json!({ "id": id })).await;
    assert_eq!(count(&app, "SELECT count(*) FROM code_specs").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM code_spec_people").await, 0);
    let (status, _) = c.call("codes/specs/delete", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_form_rules_are_enforced_on_the_server(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, flow) = setup(&app).await;
    let other = app.enterprise("别家", "13900000000").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;

    let refused = |field: &'static str, msg: Value, edit: Box<dyn FnOnce(&mut Value)>| (field, msg, spec_form(None, 0, "规格", flow, edit));
    let cases = [
        refused(
            "landing_url",
            json!({ "Spec": "ExternalUrl" }),
            Box::new(|i| {
                i["landing"] = json!("External");
                i["landing_url"] = json!("https://brand.example.com/verify");
            }),
        ),
        refused(
            "landing_url",
            json!({ "Spec": "ExternalUrl" }),
            Box::new(|i| {
                i["landing"] = json!("External");
                i["landing_url"] = json!("http://brand.example.com/{code}");
            }),
        ),
        refused("pin_digits", json!({ "Spec": "PinDigitsRequired" }), Box::new(|i| i["file_fields"] = json!(["Code", "Pin"]))),
        refused(
            "pin_digits",
            json!({ "Spec": "PinDigits" }),
            Box::new(|i| {
                i["file_fields"] = json!(["Code", "Pin"]);
                i["pin_digits"] = json!(9);
            }),
        ),
        refused("file_fields", json!({ "Spec": "CodeOrUrlRequired" }), Box::new(|i| i["file_fields"] = json!(["Serial", "Batch"]))),
        refused("separator", json!({ "Spec": "BadSeparator" }), Box::new(|i| i["separator"] = json!("#"))),
        refused("applicants", json!("Required"), Box::new(|i| i["applicants"] = json!([]))),
        refused("reviewers", json!("Required"), Box::new(|i| i["reviewers"] = json!([]))),
        refused("file_receivers", json!("Required"), Box::new(|i| i["file_receivers"] = json!([]))),
        refused("password_receivers", json!("Required"), Box::new(|i| i["password_receivers"] = json!([]))),
        refused("warn_sent_hours", json!({ "Spec": "WarnHours" }), Box::new(|i| i["warn_sent_hours"] = json!(0))),
        refused("warn_generated_hours", json!({ "Spec": "WarnHours" }), Box::new(|i| i["warn_generated_hours"] = json!(8761))),
        // Someone of another enterprise cannot be named.
        refused("reviewers", json!({ "Spec": "AccountUnavailable" }), Box::new(move |i| i["reviewers"] = json!([other.user_id]))),
    ];
    for (field, msg, form) in cases {
        let (status, body) = c.call("codes/specs/save", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(field_error(&body, field), Some(&msg), "{field}: {body}");
    }

    // A disabled account cannot be named either.
    sqlx::query("UPDATE memberships SET status = 'disabled' WHERE user_id = $1").bind(flow[2]).execute(app.sys()).await.unwrap();
    let (status, body) = c.call("codes/specs/save", spec_form(None, 0, "规格", flow, |_| {})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "file_receivers"), Some(&json!({ "Spec": "AccountUnavailable" })));
    assert_eq!(c.ok("codes/specs/people", json!({})).await.as_array().map(Vec::len), Some(3));

    assert_eq!(count(&app, "SELECT count(*) FROM code_specs").await, 0);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_spec_used_by_a_package_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, flow) = setup(&app).await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let id = c.ok("codes/specs/save", spec_form(None, 0, "瓶盖码", flow, |_| {})).await.as_i64().unwrap();
    let package = codes::package(&app, admin.enterprise_id, id, admin.user_id, 100, 2, "pending").await;
    let name: String = sqlx::query_scalar("SELECT name FROM code_packages WHERE id = $1").bind(package).fetch_one(app.sys()).await.unwrap();

    let (status, body) = c.call("codes/specs/delete", json!({ "id": id })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body, json!({ "Refused": { "InUse": { "by": [format!("码包 {name}")] } } }));
    assert_eq!(c.ok("codes/specs/get", json!({ "id": id })).await["package_count"], 1);
    // Editing stays possible.
    c.ok("codes/specs/save", spec_form(Some(id), 1, "瓶盖码（新）", flow, |_| {})).await;
    assert_eq!(count(&app, "SELECT count(*) FROM code_specs").await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn permissions_and_tenancy(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, flow) = setup(&app).await;
    let viewer = app.restricted(admin.enterprise_id, "只读", &[(Function::CodeSpecs, Level::View)], "13800000009").await;
    let stranger = app.enterprise("别家", "13900000000").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let id = c.ok("codes/specs/save", spec_form(None, 0, "瓶盖码", flow, |_| {})).await.as_i64().unwrap();

    // View only: lists and reads, changes nothing.
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    assert_eq!(v.ok("codes/specs", page("")).await["total"], 1);
    let forbidden = json!({ "Forbidden": { "function": "CodeSpecs", "level": "Manage" } });
    for (endpoint, body) in [
        ("codes/specs/save", spec_form(None, 0, "自建", flow, |_| {})),
        ("codes/specs/save", spec_form(Some(id), 1, "改名", flow, |_| {})),
        ("codes/specs/delete", json!({ "id": id })),
        ("codes/specs/people", json!({})),
    ] {
        assert_eq!(v.call(endpoint, body).await, (StatusCode::FORBIDDEN, forbidden.clone()), "{endpoint}");
    }

    // Another enterprise sees nothing of it and cannot touch it.
    let mut s = app.signed_in(&stranger.login, PASSWORD).await;
    assert_eq!(s.ok("codes/specs", page("")).await["total"], 0);
    assert_eq!(s.call("codes/specs/get", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.call("codes/specs/delete", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    let (status, _) = s.call("codes/specs/save", spec_form(Some(id), 1, "夺取", [stranger.user_id; 4], |_| {})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nor name its people in a spec of its own.
    let (status, body) = s.call("codes/specs/save", spec_form(None, 0, "借人", flow, |_| {})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "applicants"), Some(&json!({ "Spec": "AccountUnavailable" })));

    let name: String = sqlx::query_scalar("SELECT name FROM code_specs WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(name, "瓶盖码");
    app.close().await;
}
