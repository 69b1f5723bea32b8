#![cfg(feature = "ssr")]
//! Sign-in, throttling, sign-out, disabling, the initial-password flow and enterprise switching,
//! all through the HTTP surface.

mod common;

use common::{TestApp, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use tessera::domain::access::{Function, Level};
use tessera::server::auth::token_hash;

async fn session_count(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1").bind(user_id).fetch_one(app.sys()).await.unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn sign_in_sets_a_session_cookie_and_me_returns_the_user(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.client();

    // Not signed in yet: "who am I" is null, business calls are 401.
    assert_eq!(c.me().await, Value::Null);
    let (status, body) = c.call("basic/brands", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!("Unauthenticated"));

    let (status, body) = c.sign_in("13800000000", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(false), "an administrator has no initial password to replace");

    let cookie = c.set_cookies.iter().find(|h| h.starts_with("tessera_session=")).expect("session cookie set");
    let token = c.token().expect("token kept").to_string();
    assert_eq!(token.len(), 64, "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP without TESSERA_SECURE_COOKIES: {cookie}");

    // The session is stored by hash, never the token itself.
    let (user_id, enterprise_id): (i64, Option<i64>) = sqlx::query_as("SELECT user_id, enterprise_id FROM sessions WHERE token_hash = $1")
        .bind(token_hash(&token))
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!((user_id, enterprise_id), (admin.user_id, Some(admin.enterprise_id)));

    let me = c.me().await;
    assert_eq!(me["user_id"], admin.user_id);
    assert_eq!(me["name"], "管理员");
    assert_eq!(me["login"], "13800000000");
    assert_eq!(me["must_change_password"], false);
    assert_eq!(me["position"], "超级管理员");
    assert_eq!(me["enterprise"], json!({ "id": admin.enterprise_id, "name": "鲜享食品集团" }));
    assert_eq!(me["enterprises"], json!([{ "id": admin.enterprise_id, "name": "鲜享食品集团" }]));
    assert_eq!(me["grants"]["BasicData"], "Manage");
    assert_eq!(me["grants"]["AuditLog"], "Manage");

    // And the cookie authorises business calls.
    assert_eq!(c.ok("basic/brands", json!({})).await, json!([]));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn wrong_password_and_unknown_login_are_bad_credentials(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.client();

    let (status, body) = c.sign_in("13800000000", "WrongPass1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!("BadCredentials"));
    assert!(c.token().is_none());
    assert!(c.set_cookies.is_empty(), "no cookie on failure: {:?}", c.set_cookies);

    // An unknown login gets the very same answer.
    let (status, body) = c.sign_in("13999999999", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!("BadCredentials"));
    let (status, body) = c.sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!("BadCredentials"));

    // Something that is neither a mobile number nor an email is refused before any check.
    let (status, body) = c.sign_in("bob", PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "login"), Some(&json!("MobileOrEmailRequired")));

    let failures: Vec<(String, i32)> =
        sqlx::query_as("SELECT key, failures FROM login_failures ORDER BY key").fetch_all(app.sys()).await.unwrap();
    assert_eq!(
        failures,
        vec![
            ("account:13800000000".to_string(), 1),
            ("account:13999999999".to_string(), 1),
            ("account:nobody@example.com".to_string(), 1),
            ("ip:unknown".to_string(), 3),
        ]
    );
    assert_eq!(session_count(&app, admin.user_id).await, 0);

    // The right password still works (one failure is free) and forgets the account's failures.
    let (status, _) = c.sign_in("13800000000", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let left: Option<i32> = sqlx::query_scalar("SELECT failures FROM login_failures WHERE key = 'account:13800000000'")
        .fetch_optional(app.sys())
        .await
        .unwrap();
    assert_eq!(left, None);
    assert_eq!(session_count(&app, admin.user_id).await, 1);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn repeated_failures_slow_down_then_lock_the_account(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.client();
    let login = admin.login.as_str();

    // Two failures are free, the third one too, but it starts the slow-down.
    for n in 1..=3 {
        let (status, body) = c.sign_in(login, "WrongPass1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {n}: {body}");
        assert_eq!(body, json!("BadCredentials"));
    }
    // Retrying at once: throttled for 1 s, whatever the password.
    let (status, body) = c.sign_in(login, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, json!({ "Throttled": { "seconds": 1 } }));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = c.sign_in(login, "WrongPass1").await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!("BadCredentials")), "4th failure");
    // The wait doubles.
    let (status, body) = c.sign_in(login, "WrongPass1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, json!({ "Throttled": { "seconds": 2 } }));

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = c.sign_in(login, "WrongPass1").await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!("BadCredentials")), "5th failure");

    // Five failures lock the account for 15 minutes: even the right password is refused.
    let (status, body) = c.sign_in(login, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let seconds = body["Locked"]["seconds"].as_i64().unwrap_or_else(|| panic!("not Locked: {body}"));
    assert!((890..=900).contains(&seconds), "{seconds}");
    assert!(c.token().is_none());

    let failures: i32 = sqlx::query_scalar("SELECT failures FROM login_failures WHERE key = $1")
        .bind(format!("account:{login}"))
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(failures, 5, "throttled attempts are not counted as failures");
    assert_eq!(session_count(&app, admin.user_id).await, 0);

    // The lock is per account: someone else signs in normally from the same address.
    let other = app.enterprise("山岚茶业", "13900000000").await;
    let (status, _) = app.client().sign_in(&other.login, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn sign_out_clears_the_cookie_and_ends_the_session(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let mut c = app.signed_in(&admin.login, PASSWORD).await;
    let token = c.token().unwrap().to_string();
    assert_eq!(c.me().await["user_id"], admin.user_id);

    let (status, _) = c.call("session/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let cleared = c.set_cookies.iter().find(|h| h.starts_with("tessera_session=")).expect("cookie cleared");
    assert!(cleared.starts_with("tessera_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(c.token().is_none());

    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE token_hash = $1")
        .bind(token_hash(&token))
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(left, 0);

    // Replaying the old token: nobody.
    let mut replay = app.client();
    replay.set_token(Some(token));
    assert_eq!(replay.me().await, Value::Null);
    let (status, body) = replay.call("basic/brands", json!({})).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!("Unauthenticated")));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn disabling_an_account_ends_its_sessions_at_once(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let staff = app.restricted(admin.enterprise_id, "码管理员", &[(Function::BasicData, Level::View)], "13800000001").await;
    let mut a = app.signed_in(&admin.login, PASSWORD).await;
    let mut s = app.signed_in(&staff.login, PASSWORD).await;
    assert_eq!(s.ok("basic/brands", json!({})).await, json!([]));
    assert_eq!(session_count(&app, staff.user_id).await, 1);

    let account_id = app.membership_id(admin.enterprise_id, staff.user_id).await;
    // Nobody disables themselves.
    let own = app.membership_id(admin.enterprise_id, admin.user_id).await;
    let (status, body) = a.call("accounts/status", json!({ "id": own, "status": "Disabled" })).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, json!({ "Refused": "CannotDisableSelf" })));

    let account = a.ok("accounts/status", json!({ "id": account_id, "status": "Disabled" })).await;
    assert_eq!(account["id"], account_id);
    assert_eq!(account["status"], "Disabled");

    // The very next call of the disabled person fails, and their session row is gone.
    let (status, body) = s.call("basic/brands", json!({})).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!("Unauthenticated")));
    assert_eq!(s.me().await, Value::Null);
    assert_eq!(session_count(&app, staff.user_id).await, 0);
    let status: String =
        sqlx::query_scalar("SELECT status FROM memberships WHERE id = $1").bind(account_id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(status, "disabled");

    // The administrator's session is untouched.
    assert_eq!(a.me().await["user_id"], admin.user_id);
    // Signing in again is refused: the account is disabled in its only enterprise.
    let (status, body) = app.client().sign_in(&staff.login, PASSWORD).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("AccountDisabled")));

    let audit: (String, String, Option<i64>) =
        sqlx::query_as("SELECT action, entity, entity_id FROM audit_log WHERE action = 'disable'").fetch_one(app.sys()).await.unwrap();
    assert_eq!(audit, ("disable".into(), "account".into(), Some(account_id)));
    app.close().await;
}

/// The initial password texted to a new account: "…初始密码：XXXX。…".
fn initial_password(sms: &str) -> String {
    let start = sms.find("初始密码：").expect("initial password in the message") + "初始密码：".len();
    let rest = &sms[start..];
    rest[..rest.find('。').expect("ends with 。")].to_string()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_new_account_must_replace_its_initial_password_first(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let position = app.position(admin.enterprise_id, "营销运营", &[(Function::BasicData, Level::View)]).await;
    let mut a = app.signed_in(&admin.login, PASSWORD).await;

    let input = json!({ "input": {
        "id": null, "version": 0, "name": "王芳", "mobile": "13912345678",
        "email": "Wang.Fang@Example.com", "position_id": position, "remark": "华东"
    }});
    let account_id = a.ok("accounts/save", input).await.as_i64().expect("account id");

    let (user_id, must_change, email): (i64, bool, Option<String>) =
        sqlx::query_as("SELECT u.id, u.must_change_password, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.id = $1")
            .bind(account_id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert!(must_change);
    assert_eq!(email.as_deref(), Some("wang.fang@example.com"));

    // The initial password went out by SMS (and email), recorded in the outbox.
    let messages: Vec<(String, String, String, Option<i64>)> =
        sqlx::query_as("SELECT channel, address, body, recipient_user_id FROM outbox ORDER BY id").fetch_all(app.sys()).await.unwrap();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!((messages[0].0.as_str(), messages[0].1.as_str()), ("sms", "13912345678"));
    assert_eq!((messages[1].0.as_str(), messages[1].1.as_str()), ("email", "wang.fang@example.com"));
    assert!(messages.iter().all(|m| m.3 == Some(user_id)));
    assert!(messages[0].2.contains("鲜享食品集团"), "{}", messages[0].2);
    let initial = initial_password(&messages[0].2);
    assert_eq!(initial.chars().count(), 10, "{initial}");
    assert!(tessera::domain::auth::is_strong_password(&initial));

    let mut w = app.client();
    let (status, body) = w.sign_in("13912345678", &initial).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!(true), "sign-in says the password must be changed");
    // A second session of the same person (another browser), ended by the password change.
    let mut other_browser = app.signed_in("13912345678", &initial).await;
    let me = w.me().await;
    assert_eq!(me["must_change_password"], true);
    assert_eq!(me["position"], "营销运营");

    // Everything else is refused until the password is replaced.
    for endpoint in ["basic/brands", "session/messages"] {
        let (status, body) = w.call(endpoint, json!({})).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("PasswordChangeRequired")), "{endpoint}");
    }

    // A weak or mismatched new password is refused field by field.
    let (status, body) =
        w.call("session/change-password", json!({ "input": { "current": initial, "new": "short", "repeat": "other" } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::field_error(&body, "new"), Some(&json!("PasswordTooWeak")));
    assert_eq!(common::field_error(&body, "repeat"), Some(&json!("PasswordsDiffer")));

    let new = "Fresh2026pw";
    let (status, body) = w.call("session/change-password", json!({ "input": { "current": initial, "new": new, "repeat": new } })).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let must_change: bool =
        sqlx::query_scalar("SELECT must_change_password FROM users WHERE id = $1").bind(user_id).fetch_one(app.sys()).await.unwrap();
    assert!(!must_change);
    assert_eq!(w.ok("basic/brands", json!({})).await, json!([]));
    assert_eq!(other_browser.me().await, Value::Null, "other sessions end with the password change");
    assert_eq!(session_count(&app, user_id).await, 1);
    assert_eq!(w.me().await["must_change_password"], false);
    // Their own messages are readable now.
    let mine = w.ok("session/messages", json!({})).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));

    // The new password signs in; the initial one no longer does.
    let (status, body) = app.client().sign_in("13912345678", new).await;
    assert_eq!((status, body), (StatusCode::OK, json!(false)));
    let (status, body) = app.client().sign_in("13912345678", &initial).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!("BadCredentials")));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn switching_enterprise_moves_the_session(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let first = app.enterprise("鲜享食品集团", "13800000000").await;
    // The same person administers a second enterprise (create_admin finds them by mobile).
    let second = app.enterprise("山岚茶业", "13800000000").await;
    assert_eq!(first.user_id, second.user_id);
    let elsewhere: i64 =
        sqlx::query_scalar("INSERT INTO enterprises (name) VALUES ('别家企业') RETURNING id").fetch_one(app.sys()).await.unwrap();
    app.brand(first.enterprise_id, "鲜享").await;
    app.brand(second.enterprise_id, "山岚").await;

    let mut c = app.signed_in(&first.login, PASSWORD).await;
    let token = c.token().unwrap().to_string();
    let me = c.me().await;
    assert_eq!(me["enterprise"]["id"], first.enterprise_id, "starts in the first enterprise");
    assert_eq!(
        me["enterprises"],
        json!([
            { "id": first.enterprise_id, "name": "鲜享食品集团" },
            { "id": second.enterprise_id, "name": "山岚茶业" },
        ])
    );
    let names = |v: &Value| v.as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(names(&c.ok("basic/brands", json!({})).await), ["鲜享"]);

    c.ok("session/switch-enterprise", json!({ "enterprise_id": second.enterprise_id })).await;
    assert_eq!(c.me().await["enterprise"], json!({ "id": second.enterprise_id, "name": "山岚茶业" }));
    assert_eq!(names(&c.ok("basic/brands", json!({})).await), ["山岚"]);
    let stored: Option<i64> = sqlx::query_scalar("SELECT enterprise_id FROM sessions WHERE token_hash = $1")
        .bind(token_hash(&token))
        .fetch_one(app.sys())
        .await
        .unwrap();
    assert_eq!(stored, Some(second.enterprise_id));
    assert_eq!(c.token(), Some(token.as_str()), "the same session, not a new one");

    // Not a member there: refused, and the session stays where it was.
    let (status, body) = c.call("session/switch-enterprise", json!({ "enterprise_id": elsewhere })).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!("NotFound")));
    assert_eq!(c.me().await["enterprise"]["id"], second.enterprise_id);

    // A disabled membership is no destination either.
    sqlx::query("UPDATE memberships SET status = 'disabled' WHERE enterprise_id = $1")
        .bind(first.enterprise_id)
        .execute(app.sys())
        .await
        .unwrap();
    let (status, _) = c.call("session/switch-enterprise", json!({ "enterprise_id": first.enterprise_id })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(c.me().await["enterprises"], json!([{ "id": second.enterprise_id, "name": "山岚茶业" }]));
    app.close().await;
}
