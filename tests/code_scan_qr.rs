#![cfg(feature = "ssr")]
//! The consumer's scan (no sign-in): genuine and active, not activated, scrapped, forged or
//! unknown codes, another enterprise's code, the external landing page; the anti-counterfeit
//! PIN check and its limit; QR print proofs decoded by an independent decoder (`zbarimg`).

mod common;

use axum::body::Body;
use common::codes::{factory, package, scrap, spec};
use common::{ean13, TestApp, PASSWORD};
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::domain::codes::ALPHABET;
use tessera::server::auth::SESSION_COOKIE;
use tower::ServiceExt;

/// The code of `serial` in an approved package.
async fn code(app: &TestApp, enterprise_id: i64, package_id: i64, serial: u32) -> String {
    app.state.codes.code_of(app.sys(), enterprise_id, package_id, serial).await.unwrap().expect("a code of the package")
}

/// The PIN printed under the scratch layer of `serial` (6 digits: the seeded spec's).
async fn pin(app: &TestApp, package_id: i64, serial: u32) -> String {
    let (version, salt): (i16, Vec<u8>) = sqlx::query_as("SELECT key_version, key_salt FROM code_packages WHERE id = $1")
        .bind(package_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    app.state.codes.codec(version as u8, package_id, &salt).unwrap().pin(serial, 6)
}

/// A range (batch, first and last serial) with entered info, straight in SQL.
async fn range(
    app: &TestApp,
    e: i64,
    package_id: i64,
    (batch, start, end): (i32, i32, i32),
    status: &str,
    product: Option<i64>,
    factory: Option<i64>,
) {
    sqlx::query(
        "INSERT INTO code_ranges (enterprise_id, package_id, batch_no, serial_start, serial_end, product_id, factory_id,
                                  produced_at, status, activated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '2026-11-01T08:00:00Z', $8, CASE WHEN $8 = 'active' THEN now() END)",
    )
    .bind(e)
    .bind(package_id)
    .bind(batch)
    .bind(start)
    .bind(end)
    .bind(product)
    .bind(factory)
    .bind(status)
    .execute(app.sys())
    .await
    .expect("seed range");
}

/// A GET through the whole router, with a session cookie if given.
async fn get(app: &TestApp, token: Option<&str>, path: &str, accept: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(path);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
    }
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// One enterprise with a 10-code package in 2 batches: serials 1–5 active (serial 5 scrapped),
/// 6–8 entered but not active, 9–10 nothing.
struct Seed {
    e: i64,
    spec: i64,
    package: i64,
}

async fn seed(app: &TestApp, name: &str, mobile: &str) -> (common::Seeded, Seed) {
    let admin = app.enterprise(name, mobile).await;
    let e = admin.enterprise_id;
    let spec = spec(app, e, &format!("{name} 瓶盖码")).await;
    let package = package(app, e, spec, admin.user_id, 10, 2, "generated").await;
    let brand = app.brand(e, &format!("{name}品牌")).await;
    let product = app.product(e, brand, &format!("{name} 特级生抽"), &ean13("692123450001"), 1290).await;
    let f = factory(app, e, &format!("{name} 一号工厂")).await;
    range(app, e, package, (1, 1, 5), "active", Some(product), Some(f)).await;
    range(app, e, package, (2, 6, 8), "entered", Some(product), None).await;
    scrap(app, e, package, 1, 5).await;
    (admin, Seed { e, spec, package })
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_scan_tells_genuine_not_activated_scrapped_and_invalid_codes_apart(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, s) = seed(&app, "鲜享食品", "13800000000").await;
    let (_, other) = seed(&app, "山泉饮料", "13900000001").await;
    let mut consumer = app.client();
    let scan = |code: String| json!({ "code": code });

    // Genuine and active: the entered info of its range, and the spec's 6-digit PIN.
    let genuine = code(&app, s.e, s.package, 2).await;
    let v = consumer.ok("scan/code", scan(genuine.clone())).await;
    let g = &v["Genuine"];
    assert_eq!(g["code"], genuine);
    assert_eq!(g["enterprise"], "鲜享食品");
    assert_eq!(g["product"], "鲜享食品 特级生抽");
    assert_eq!(g["brand"], "鲜享食品品牌");
    assert_eq!(g["factory"], "鲜享食品 一号工厂");
    assert_eq!(g["produced_at"], "2026-11-01T08:00:00Z");
    assert_eq!(g["pin_digits"], 6);
    // As typed from a lower-case URL too.
    let pasted = format!("https://scan.example.com/s/{}", genuine.to_lowercase());
    assert!(consumer.ok("scan/code", scan(pasted)).await.get("Genuine").is_some());

    // Scrapped inside an active range: scrapped wins, and says nothing more.
    assert_eq!(consumer.ok("scan/code", scan(code(&app, s.e, s.package, 5).await)).await, json!("Scrapped"));
    // Entered but not active, and never entered.
    assert_eq!(consumer.ok("scan/code", scan(code(&app, s.e, s.package, 6).await)).await, json!("NotActivated"));
    assert_eq!(consumer.ok("scan/code", scan(code(&app, s.e, s.package, 10).await)).await, json!("NotActivated"));

    // Forged: every single-character change of a genuine code; garbage; a pending package's codes.
    for i in [0, 7, 19] {
        let mut forged = genuine.clone().into_bytes();
        forged[i] = *ALPHABET.iter().find(|c| **c != forged[i]).unwrap();
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(consumer.ok("scan/code", scan(forged)).await, json!("Invalid"));
    }
    for garbage in ["", "HELLO", "https://scan.example.com/s/", "0000000000000000000000"] {
        assert_eq!(consumer.ok("scan/code", scan(garbage.into())).await, json!("Invalid"), "{garbage:?}");
    }
    let pending = package(&app, s.e, s.spec, admin.user_id, 10, 1, "pending").await;
    let (version, salt): (i16, Vec<u8>) =
        sqlx::query_as("SELECT key_version, key_salt FROM code_packages WHERE id = $1").bind(pending).fetch_one(app.sys()).await.unwrap();
    let unapproved = app.state.codes.codec(version as u8, pending, &salt).unwrap().code(1);
    assert_eq!(consumer.ok("scan/code", scan(unapproved)).await, json!("Invalid"));

    // Another enterprise's code is genuine for its own brand owner, with its own info only.
    let theirs = consumer.ok("scan/code", scan(code(&app, other.e, other.package, 1).await)).await;
    assert_eq!(theirs["Genuine"]["enterprise"], "山泉饮料");
    assert_eq!(theirs["Genuine"]["product"], "山泉饮料 特级生抽");

    // The page itself, as a phone opens the printed (capital) URL: rendered on the server.
    for path in [format!("/s/{genuine}"), format!("/S/{genuine}")] {
        let (status, _, body) = get(&app, None, &path, Some("text/html")).await;
        let html = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("data-verdict=\"genuine\""), "{path}: {html}");
        assert!(html.contains("鲜享食品 特级生抽"));
    }
    let (_, _, body) = get(&app, None, "/s/NOTACODE", Some("text/html")).await;
    assert!(String::from_utf8(body).unwrap().contains("data-verdict=\"invalid\""));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn an_external_landing_page_is_a_redirect_for_active_codes_only(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, s) = seed(&app, "鲜享食品", "13800000000").await;
    sqlx::query("UPDATE code_specs SET landing = 'external', landing_url = 'https://brand.example.com/verify?c={code}' WHERE id = $1")
        .bind(s.spec)
        .execute(app.sys())
        .await
        .unwrap();
    let mut consumer = app.client();
    let active = code(&app, s.e, s.package, 1).await;
    let target = format!("https://brand.example.com/verify?c={active}");
    assert_eq!(consumer.ok("scan/code", json!({ "code": active })).await, json!({ "Redirect": { "url": target } }));
    // The server answers the page with the redirect itself.
    let (status, headers, _) = get(&app, None, &format!("/S/{active}"), Some("text/html,application/xhtml+xml")).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], target.as_str());
    // Not activated or scrapped: Tessera says so itself.
    assert_eq!(consumer.ok("scan/code", json!({ "code": code(&app, s.e, s.package, 6).await })).await, json!("NotActivated"));
    assert_eq!(consumer.ok("scan/code", json!({ "code": code(&app, s.e, s.package, 5).await })).await, json!("Scrapped"));
    app.close().await;
}

fn pin_msg(body: &Value) -> Value {
    common::field_error(body, "pin").cloned().unwrap_or_else(|| panic!("no pin error in {body}"))
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_pin_check_counts_verifications_and_locks_after_five_wrong_pins(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, s) = seed(&app, "鲜享食品", "13800000000").await;
    let mut consumer = app.client();
    let genuine = code(&app, s.e, s.package, 3).await;
    let right = pin(&app, s.package, 3).await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let check = |p: &str| json!({ "code": genuine, "pin": p });

    // Right: verified once; again: twice (a copied label shows like this), same first time.
    let first = consumer.ok("scan/pin", check(&right)).await;
    assert_eq!(first["times"], 1);
    let second = consumer.ok("scan/pin", check(&right)).await;
    assert_eq!(second["times"], 2);
    assert_eq!(second["first_at"], first["first_at"]);

    // Malformed PINs cost nothing.
    let (status, body) = consumer.call("scan/pin", check("12")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pin_msg(&body), json!({ "Scan": { "PinFormat": { "digits": 6 } } }));

    // Five wrong PINs, each saying how many are left; then even the right one is refused.
    for remaining in (0..5).rev() {
        let (status, body) = consumer.call("scan/pin", check(&wrong)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(pin_msg(&body), json!({ "Scan": { "PinWrong": { "remaining": remaining } } }));
    }
    let (status, body) = consumer.call("scan/pin", check(&right)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let minutes = pin_msg(&body)["Scan"]["PinLocked"]["minutes"].as_i64().unwrap_or_else(|| panic!("{body}"));
    assert!((59..=60).contains(&minutes), "{minutes}");
    // Other codes are not affected.
    let other = code(&app, s.e, s.package, 4).await;
    assert_eq!(consumer.ok("scan/pin", json!({ "code": other, "pin": pin(&app, s.package, 4).await })).await["times"], 1);

    // Once the hour has passed the code can be checked again.
    sqlx::query("UPDATE scan_pin_checks SET window_start = now() - interval '61 minutes' WHERE package_id = $1 AND serial = 3")
        .bind(s.package)
        .execute(app.sys())
        .await
        .unwrap();
    assert_eq!(consumer.ok("scan/pin", check(&right)).await["times"], 3);

    // Concurrent guesses cannot exceed the limit: 10 at once, 5 counted as wrong, 5 locked.
    sqlx::query("UPDATE scan_pin_checks SET window_start = now() - interval '61 minutes' WHERE package_id = $1 AND serial = 3")
        .bind(s.package)
        .execute(app.sys())
        .await
        .unwrap();
    let guesses = (0..10).map(|_| {
        let mut c = app.client();
        let body = check(&wrong);
        async move { c.call("scan/pin", body).await.1 }
    });
    let answers = futures_join_all(guesses).await;
    let wrongs = answers.iter().filter(|b| pin_msg(b)["Scan"].get("PinWrong").is_some()).count();
    let locked = answers.iter().filter(|b| pin_msg(b)["Scan"].get("PinLocked").is_some()).count();
    assert_eq!((wrongs, locked), (5, 5));

    // Codes that are not genuine and active have no PIN check.
    for c in [code(&app, s.e, s.package, 6).await, code(&app, s.e, s.package, 5).await, "HELLO".into()] {
        let (status, body) = consumer.call("scan/pin", json!({ "code": c, "pin": "123456" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({ "Refused": { "Scan": "NotVerifiable" } }));
    }
    app.close().await;
}

/// Runs futures concurrently on this runtime (tokio tasks need 'static; these borrow the app).
async fn futures_join_all<F: std::future::Future<Output = Value>>(futures: impl IntoIterator<Item = F>) -> Vec<Value> {
    let futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut slots: Vec<Option<Value>> = futures.iter().map(|_| None).collect();
    let mut futures: Vec<_> = futures.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, fut) in slots.iter_mut().zip(futures.iter_mut()) {
            if let Some(f) = fut {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *slot = Some(v);
                        *fut = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    slots.into_iter().map(Option::unwrap).collect()
}

/// Decodes an image with Debian's zbarimg; its exact text.
fn zbarimg(bytes: &[u8], ext: &str) -> String {
    let path = std::env::temp_dir().join(format!("tessera-qr-{:016x}.{ext}", rand::random::<u64>()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&path)
        .output()
        .expect("zbarimg (Debian package zbar-tools, installed by scripts/setup)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "zbarimg failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim_end_matches('\n').to_string()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn qr_print_proofs_decode_to_the_exact_url_for_every_error_correction_level(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (admin, s) = seed(&app, "鲜享食品", "13800000000").await;
    let (_, other) = seed(&app, "山泉饮料", "13900000001").await;
    let c = app.signed_in(&admin.login, PASSWORD).await;
    let token = c.token().unwrap().to_string();
    let genuine = code(&app, s.e, s.package, 1).await;
    let expected = app.state.codes.qr_text(&genuine);
    assert_eq!(expected, format!("HTTPS://SCAN.EXAMPLE.COM/S/{genuine}"));

    for ec in ["L", "M", "Q", "H"] {
        let (status, headers, png) = get(&app, Some(&token), &format!("/qr/code.png?code={genuine}&ec={ec}&scale=4"), None).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(zbarimg(&png, "png"), expected, "ec {ec}");
    }
    // Scale, size and margin change the image, not the content; a pasted URL names the code too.
    let url = format!("https://scan.example.com/s/{genuine}");
    let (_, _, big) = get(&app, Some(&token), &format!("/qr/code.png?code={url}&size=600&margin=2"), None).await;
    assert_eq!(zbarimg(&big, "png"), expected);
    let (_, _, small) = get(&app, Some(&token), &format!("/qr/code.png?code={genuine}&scale=2"), None).await;
    assert!(small.len() < big.len());

    // SVG: a well-formed square document with a viewBox.
    let (status, headers, svg) = get(&app, Some(&token), &format!("/qr/code.svg?code={genuine}&ec=H"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("image/svg+xml"));
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"), "{svg}");
    let view_box = svg.split("viewBox=\"").nth(1).and_then(|r| r.split('"').next()).expect("a viewBox");
    let sides: Vec<u32> = view_box.split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(sides[..2], [0, 0]);
    assert_eq!(sides[2], sides[3]);
    assert_eq!((sides[2] - 8 - 17) % 4, 0, "a QR symbol is 17 + 4·version modules wide, plus the quiet zone");

    // Another enterprise's code is exactly as unknown as a forged one.
    let theirs = code(&app, other.e, other.package, 1).await;
    for path in [format!("/qr/code.png?code={theirs}"), format!("/qr/code.svg?code={theirs}"), "/qr/code.png?code=HELLO".into()] {
        assert_eq!(get(&app, Some(&token), &path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    // Bad parameters say which.
    for (query, needle) in [("ec=X", "ec"), ("scale=41", "scale"), ("scale=0", "scale"), ("margin=99", "margin")] {
        let (status, _, body) = get(&app, Some(&token), &format!("/qr/code.png?code={genuine}&{query}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(String::from_utf8(body).unwrap().contains(needle), "{query}");
    }
    // No session: 401; a position without 二维码查询: 403.
    assert_eq!(get(&app, None, &format!("/qr/code.png?code={genuine}"), None).await.0, StatusCode::UNAUTHORIZED);
    let clerk = app.restricted(s.e, "基础数据员", &[(Function::BasicData, Level::Manage)], "13800000009").await;
    let clerk = app.signed_in(&clerk.login, PASSWORD).await;
    let (status, _, _) = get(&app, clerk.token(), &format!("/qr/code.svg?code={genuine}"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.close().await;
}
