//! Shared harness of the integration tests: the whole router driven in-process against a fresh
//! database (one per test, from `#[sqlx::test]`), a client that keeps the session cookie, and
//! seeding helpers.
//!
//! Argon2 hashing dominates the run time, so seeded people share one precomputed hash and each
//! test signs in as few times as it can.

#![allow(dead_code)]

pub mod campaigns;
pub mod codes;

use axum::body::Body;
use axum::Router;
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::types::Json;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use tessera::domain::access::{Function, Grants, Level};
use tessera::server::auth::{hash_password, SESSION_COOKIE};
use tessera::server::config::Config;
use tessera::server::db::Db;
use tessera::server::outbox::Notifier;
use tessera::server::{http::router, seed, AppState};
use tower::ServiceExt;

/// The password of every seeded person.
pub const PASSWORD: &str = "Secret2026";

/// One hash of [`PASSWORD`] for the whole test binary.
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD));

/// One test's application: state over the test database, and its router.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    media_dir: PathBuf,
}

impl TestApp {
    pub async fn new(pool: PgPool) -> TestApp {
        let app = Db::app_pool(pool.connect_options().as_ref().clone(), 4).await.expect("app pool");
        let db = Db { system: pool, app };
        let media_dir = std::env::temp_dir().join(format!("tessera-test-media-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&media_dir).expect("media dir");
        let mut config = Config::from_env();
        config.media_dir = media_dir.clone();
        config.files_dir = media_dir.join("files");
        config.code_keys = Some(format!("1:{}", "5e".repeat(32)));
        config.scan_base = Some("https://scan.example.com".into());
        let codes = Arc::new(tessera::server::code_keys::CodeKeys::load(&config).expect("code keys"));
        let state = AppState {
            leptos_options: leptos::config::LeptosOptions::builder().output_name("tessera").build(),
            db,
            config: Arc::new(config),
            notifier: Notifier::new(None, "Tessera <t@example.com>").expect("notifier"),
            codes,
            campaigns: Arc::new(tessera::server::campaign_cache::CampaignCache::new()),
            crowds: Arc::new(tessera::server::crowds::CrowdEngine::new()),
        };
        TestApp { router: router(state.clone()), state, media_dir }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The owner pool (no row-level security): for seeding and for checking rows.
    pub fn sys(&self) -> &PgPool {
        &self.state.db.system
    }

    pub fn media_dir(&self) -> &PathBuf {
        &self.media_dir
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookie: None, set_cookies: vec![] }
    }

    /// A client signed in (asserting success).
    pub async fn signed_in(&self, login: &str, password: &str) -> Client {
        let mut c = self.client();
        let (status, body) = c.sign_in(login, password).await;
        assert_eq!(status, StatusCode::OK, "sign-in of {login} failed: {body}");
        assert!(c.token().is_some(), "sign-in of {login} set no session cookie");
        c
    }

    /// Lets the test database be dropped: closes the app pool (the system pool is the test's)
    /// and removes the media folder.
    pub async fn close(self) {
        self.state.db.app.close().await;
        let _ = std::fs::remove_dir_all(&self.media_dir);
    }

    /// An enterprise with its built-in 超级管理员 and an administrator (through
    /// `seed::create_admin`, which hashes the password: one argon2 run).
    pub async fn enterprise(&self, name: &str, admin_mobile: &str) -> Seeded {
        let (enterprise_id, user_id) =
            seed::create_admin(self.db(), name, "管理员", Some(admin_mobile), None, PASSWORD).await.expect("create_admin");
        Seeded { enterprise_id, user_id, login: admin_mobile.to_string() }
    }

    /// A position with `grants` in an enterprise (SQL on the system pool).
    pub async fn position(&self, enterprise_id: i64, name: &str, grants: &[(Function, Level)]) -> i64 {
        sqlx::query_scalar("INSERT INTO positions (enterprise_id, name, grants) VALUES ($1, $2, $3) RETURNING id")
            .bind(enterprise_id)
            .bind(name)
            .bind(Json(Grants::of(grants)))
            .fetch_one(self.sys())
            .await
            .expect("insert position")
    }

    /// A person (password [`PASSWORD`], already replaced) holding `position_id` in an enterprise;
    /// returns the person's user id.
    pub async fn member(&self, enterprise_id: i64, position_id: i64, name: &str, mobile: &str) -> i64 {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE mobile = $1").bind(mobile).fetch_optional(self.sys()).await.expect("find user");
        let user_id = match existing {
            Some(id) => id,
            None => sqlx::query_scalar(
                "INSERT INTO users (name, mobile, password_hash, must_change_password) VALUES ($1, $2, $3, false) RETURNING id",
            )
            .bind(name)
            .bind(mobile)
            .bind(PASSWORD_HASH.as_str())
            .fetch_one(self.sys())
            .await
            .expect("insert user"),
        };
        sqlx::query("INSERT INTO memberships (enterprise_id, user_id, position_id) VALUES ($1, $2, $3)")
            .bind(enterprise_id)
            .bind(user_id)
            .bind(position_id)
            .execute(self.sys())
            .await
            .expect("insert membership");
        user_id
    }

    /// A restricted person: a new position with `grants` and a member holding it.
    pub async fn restricted(&self, enterprise_id: i64, position: &str, grants: &[(Function, Level)], mobile: &str) -> Seeded {
        let p = self.position(enterprise_id, position, grants).await;
        let user_id = self.member(enterprise_id, p, position, mobile).await;
        Seeded { enterprise_id, user_id, login: mobile.to_string() }
    }

    /// The membership (account) id of a person in an enterprise.
    pub async fn membership_id(&self, enterprise_id: i64, user_id: i64) -> i64 {
        sqlx::query_scalar("SELECT id FROM memberships WHERE enterprise_id = $1 AND user_id = $2")
            .bind(enterprise_id)
            .bind(user_id)
            .fetch_one(self.sys())
            .await
            .expect("membership")
    }

    /// A brand, straight into the table.
    pub async fn brand(&self, enterprise_id: i64, name: &str) -> i64 {
        sqlx::query_scalar("INSERT INTO brands (enterprise_id, name) VALUES ($1, $2) RETURNING id")
            .bind(enterprise_id)
            .bind(name)
            .fetch_one(self.sys())
            .await
            .expect("insert brand")
    }

    /// A product (price in fen), straight into the table.
    pub async fn product(&self, enterprise_id: i64, brand_id: i64, name: &str, barcode: &str, price: i64) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO products (enterprise_id, brand_id, name, barcode, unit_price) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(enterprise_id)
        .bind(brand_id)
        .bind(name)
        .bind(barcode)
        .bind(price)
        .fetch_one(self.sys())
        .await
        .expect("insert product")
    }
}

/// Who was seeded.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub enterprise_id: i64,
    pub user_id: i64,
    pub login: String,
}

/// A browser stand-in: keeps the session cookie between calls, like the console does.
pub struct Client {
    router: Router,
    cookie: Option<String>,
    /// The Set-Cookie headers of the last response.
    pub set_cookies: Vec<String>,
}

impl Client {
    /// The session token this client holds.
    pub fn token(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Uses someone else's (or a stale) token from now on.
    pub fn set_token(&mut self, token: Option<String>) {
        self.cookie = token;
    }

    /// POST /api/<endpoint> with a JSON body; returns the status and the decoded JSON body
    /// (`Value::Null` for an empty body, a string if it is not JSON).
    pub async fn call(&mut self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(token) = &self.cookie {
            req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={token}"));
        }
        let res =
            self.router.clone().oneshot(req.body(Body::from(body.to_string())).expect("request")).await.expect("router is infallible");
        let status = res.status();
        self.set_cookies = res.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
        for c in &self.set_cookies {
            if let Some(rest) = c.strip_prefix(&format!("{SESSION_COOKIE}=")) {
                let value = rest.split(';').next().unwrap_or_default();
                let cleared = value.is_empty() || c.contains("Max-Age=0");
                self.cookie = (!cleared).then(|| value.to_string());
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, value)
    }

    /// Like [`call`](Self::call) but asserting 200 and returning the body.
    pub async fn ok(&mut self, endpoint: &str, body: Value) -> Value {
        let (status, value) = self.call(endpoint, body).await;
        assert_eq!(status, StatusCode::OK, "{endpoint} answered {status}: {value}");
        value
    }

    pub async fn sign_in(&mut self, login: &str, password: &str) -> (StatusCode, Value) {
        self.call("session/sign-in", json!({ "input": { "login": login, "password": password } })).await
    }

    /// /api/session/me: the person, or `Value::Null` when not signed in.
    pub async fn me(&mut self) -> Value {
        self.ok("session/me", json!({})).await
    }

    /// GET a path (not a server function); returns status and body text.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .router
            .clone()
            .oneshot(Request::builder().uri(path).body(Body::empty()).expect("request"))
            .await
            .expect("router is infallible");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// `{"Invalid":[{field, msg}, …]}` → the msg of `field`, if named.
pub fn field_error<'a>(body: &'a Value, field: &str) -> Option<&'a Value> {
    body.get("Invalid")?.as_array()?.iter().find(|e| e["field"] == field).map(|e| &e["msg"])
}

/// A valid EAN-13 from 12 digits.
pub fn ean13(first12: &str) -> String {
    let d = tessera::domain::validate::ean13_check_digit(first12).expect("12 digits");
    format!("{first12}{d}")
}

/// A product form as the console sends it.
pub fn product_input(id: Option<i64>, version: i32, name: &str, brand_id: i64, barcode: &str, price: &str) -> Value {
    json!({ "input": {
        "id": id, "version": version, "name": name, "brand_id": brand_id, "barcode": barcode,
        "specification": "500ml/瓶", "unit_price": price,
    }})
}

/// A brand form.
pub fn brand_input(id: Option<i64>, version: i32, name: &str) -> Value {
    json!({ "input": { "id": id, "version": version, "name": name, "remark": "" } })
}

/// A 1×1 PNG, base64.
pub const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
