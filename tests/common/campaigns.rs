//! Seeding for campaign tests: an activated package (codes a phone can scan), a running campaign
//! from a [`CampaignInput`] through the real repository, and a phone that keeps its own device
//! cookie like a browser.

use super::codes::{factory, package, spec};
use super::{ean13, TestApp};
use axum::body::Body;
use axum::Router;
use chrono::{Duration, Utc};
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tessera::domain::campaign::{
    Basic, CampaignInput, CampaignKind, CampaignStatus, Delivery, GroupEntry, Page, Plan, Prize, PrizeGroup, PrizeKind, Settings,
};
use tessera::server::consumer_cookie::COOKIE;
use tower::ServiceExt;

/// A package whose codes are all activated, with the ids a campaign matches on.
#[derive(Clone, Debug)]
pub struct Activated {
    pub enterprise_id: i64,
    pub spec_id: i64,
    pub package_id: i64,
    pub product_id: i64,
    pub count: u32,
}

/// A generated package of `count` codes (one batch) of a new spec, entirely activated for one
/// product (activated `activated_minutes_ago` minutes ago).
pub async fn activated_package(app: &TestApp, enterprise_id: i64, applicant: i64, count: u32, activated_minutes_ago: i64) -> Activated {
    let n = rand::random::<u32>();
    let spec_id = spec(app, enterprise_id, &format!("活动码 {n}")).await;
    let package_id = package(app, enterprise_id, spec_id, applicant, count, 1, "generated").await;
    let brand = app.brand(enterprise_id, &format!("品牌 {n}")).await;
    let product_id = app.product(enterprise_id, brand, &format!("生抽 {n}"), &ean13(&format!("69{n:010}")), 990).await;
    let f = factory(app, enterprise_id, &format!("工厂 {n}")).await;
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, factory_id, status, activated_at)
         VALUES ($1, $2, 1, 1, $3, $4, $5, 'active', now() - make_interval(mins => $6))",
    )
    .bind(enterprise_id)
    .bind(package_id)
    .bind(count as i32)
    .bind(product_id)
    .bind(f)
    .bind(activated_minutes_ago as i32)
    .execute(app.sys())
    .await
    .expect("activate the package");
    Activated { enterprise_id, spec_id, package_id, product_id, count }
}

/// The printed code of `serial`.
pub async fn code(app: &TestApp, a: &Activated, serial: u32) -> String {
    app.state.codes.code_of(app.sys(), a.enterprise_id, a.package_id, serial).await.expect("code_of").expect("a code of the package")
}

/// A prize with stock `quantity` (no caps).
pub fn prize(key: u16, name: &str, kind: PrizeKind, quantity: u32) -> Prize {
    Prize {
        key,
        name: name.into(),
        kind,
        points: if kind == PrizeKind::Points { 10 } else { 0 },
        value_fen: 100,
        quantity: Some(quantity),
        ..Prize::default()
    }
}

/// Thanks for playing (no stock).
pub fn thanks(key: u16) -> Prize {
    Prize { key, name: "谢谢参与".into(), kind: PrizeKind::Thanks, ..Prize::default() }
}

/// One group of (prize key, probability in ppm).
pub fn group(entries: &[(u16, u32)]) -> PrizeGroup {
    PrizeGroup {
        entries: entries.iter().map(|&(prize, probability_ppm)| GroupEntry { prize, probability_ppm, ..GroupEntry::default() }).collect(),
    }
}

/// A nine-grid campaign over `spec_id` that started an hour ago and ends in 30 days, with a
/// default plan of `groups`; settings left open (tests set limits on the result).
pub fn input(name: &str, spec_id: i64, prizes: Vec<Prize>, groups: Vec<PrizeGroup>) -> CampaignInput {
    CampaignInput {
        basic: Basic {
            kind: CampaignKind::NineGrid,
            name: name.into(),
            starts_at: Some(Utc::now() - Duration::hours(1)),
            ends_at: Some(Utc::now() + Duration::days(30)),
            description: "扫码赢好礼".into(),
            ..Basic::default()
        },
        settings: Settings { spec_ids: vec![spec_id], ..Settings::default() },
        prizes,
        delivery: Delivery { default_plan: Plan { key: 0, name: "默认方案".into(), groups, ..Plan::default() }, precision: vec![] },
        page: Page { title: name.into(), ..Page::default() },
    }
}

/// Stores `input` as a campaign in `status` through the repository (a tenant transaction) and
/// forgets the enterprise's cached campaigns; returns its id.
pub async fn create(app: &TestApp, enterprise_id: i64, created_by: Option<i64>, input: &CampaignInput, status: CampaignStatus) -> i64 {
    let mut tx = app.db().tenant(enterprise_id).await.expect("tenant tx");
    let id = tessera::server::repo::campaigns::insert(&mut tx, enterprise_id, created_by, input, status, 5).await.expect("insert campaign");
    tx.commit().await.expect("commit campaign");
    app.state.campaigns.invalidate(enterprise_id);
    id
}

/// A running campaign (see [`create`]).
pub async fn running(app: &TestApp, enterprise_id: i64, created_by: Option<i64>, input: &CampaignInput) -> i64 {
    create(app, enterprise_id, created_by, input, CampaignStatus::Running).await
}

/// A phone's browser: keeps the `tessera_c` device cookie the server sets.
#[derive(Clone)]
pub struct Phone {
    router: Router,
    pub cookie: Option<String>,
}

impl Phone {
    pub fn new(app: &TestApp) -> Phone {
        Phone { router: app.router.clone(), cookie: None }
    }

    /// POST /api/<endpoint> with a JSON body; returns the status and the JSON body.
    pub async fn call(&mut self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, format!("{COOKIE}={c}"));
        }
        let res = self.router.clone().oneshot(req.body(Body::from(body.to_string())).expect("request")).await.expect("router");
        let status = res.status();
        for c in res.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            if let Some(rest) = c.strip_prefix(&format!("{COOKIE}=")) {
                self.cookie = Some(rest.split(';').next().unwrap_or_default().to_string());
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// Scans a code (asserting 200); the outcome.
    pub async fn scan(&mut self, code: &str) -> Value {
        let (status, body) = self.call("c/scan", json!({ "code": code, "location": null })).await;
        assert_eq!(status, StatusCode::OK, "scan answered {status}: {body}");
        body
    }

    /// Scans a code that must take part in a campaign; the scan id.
    pub async fn scan_id(&mut self, code: &str) -> i64 {
        let body = self.scan(code).await;
        assert!(body["campaign"].is_object(), "no campaign for {code}: {body}");
        body["scan"]["scan_id"].as_i64().expect("scan id")
    }

    /// Draws on a scan with an idempotency key.
    pub async fn draw(&mut self, scan_id: i64, key: &str) -> (StatusCode, Value) {
        self.call("c/draw", json!({ "scan_id": scan_id, "idempotency_key": key })).await
    }
}
