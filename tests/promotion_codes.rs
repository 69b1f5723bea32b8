#![cfg(feature = "ssr")]
//! Promotion codes (推广码): the 128-byte parameter limit, the short link's redirect and its
//! counting rules (cookie check, bots, one count per 30 minutes), deleted codes that keep
//! working, first-touch attribution across two codes, and QR images that decode to the exact
//! short link.

mod common;

use axum::body::Body;
use common::{field_error, TestApp, PASSWORD};
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use tessera::domain::access::{Function, Level};
use tessera::server::auth::SESSION_COOKIE;
use tessera::server::consumer_cookie::COOKIE;
use tower::ServiceExt;

const PHONE_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

/// GET with optional cookies and user agent: status, headers, body.
async fn get(app: &TestApp, path: &str, cookie: Option<&str>, ua: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(path).header(header::USER_AGENT, ua);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// A phone browser following a short link: keeps the device cookie, follows redirects to /p/
/// (the cookie check) and returns where it is finally sent.
struct Browser {
    cookie: Option<String>,
    ua: &'static str,
}

impl Browser {
    fn phone() -> Browser {
        Browser { cookie: None, ua: PHONE_UA }
    }

    async fn open(&mut self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let mut path = path.to_string();
        for _ in 0..3 {
            let cookie = self.cookie.as_ref().map(|c| format!("{COOKIE}={c}"));
            let (status, headers, body) = get(app, &path, cookie.as_deref(), self.ua).await;
            for c in headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
                if let Some(rest) = c.strip_prefix(&format!("{COOKIE}=")) {
                    self.cookie = Some(rest.split(';').next().unwrap().to_string());
                }
            }
            let Some(to) = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()) else {
                return (status, String::from_utf8_lossy(&body).into_owned());
            };
            if !to.starts_with("/p/") {
                return (status, to);
            }
            path = to;
        }
        panic!("redirect loop at {path}");
    }
}

fn input(name: &str, params: Value) -> Value {
    json!({ "input": {
        "id": null, "version": 0, "name": name, "target": "MemberCentre", "external_url": "",
        "params": params, "expires_at": null, "auto_tag": "",
    }})
}

fn params(source: &str, medium: &str) -> Value {
    json!({ "source": source, "medium": medium, "campaign": "", "content": "", "term": "" })
}

/// (token, short link) of a code, from the list (deleted ones included).
async fn link_of(c: &mut common::Client, id: i64) -> (String, String) {
    let page = c.ok("promotion/list", json!({ "filter": { "q": "", "include_deleted": true }, "page": { "page": 1, "size": 100 } })).await;
    let row = page["items"].as_array().unwrap().iter().find(|r| r["id"] == id).expect("listed").clone();
    (row["token"].as_str().unwrap().to_string(), row["short_link"].as_str().unwrap().to_string())
}

/// (counted, excluded reason) of a code's visits, oldest first.
async fn visits(app: &TestApp, id: i64) -> Vec<Option<String>> {
    sqlx::query_scalar("SELECT excluded FROM promotion_visits WHERE promotion_code_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(app.sys())
        .await
        .unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_parameter_string_is_limited_to_128_utf8_bytes(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000070").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    // "utm_source=" (11 bytes) + 39 × 码 (3 bytes each) = 128 bytes, only 50 characters.
    let fits = "码".repeat(39);
    let id = c.ok("promotion/save", input("公众号", params(&fits, ""))).await.as_i64().unwrap();
    assert!(id > 0);
    let (status, body) = c.call("promotion/save", input("公众号 2", params(&format!("{fits}a"), ""))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_error(&body, "params"), Some(&json!({ "Promotion": { "ParamsTooLong": { "bytes": 129, "max": 128 } } })));
    // Spread over several parameters the separators count too: 5 × 11 + 4 × "&" = 59 bytes of keys.
    let spread = json!({ "source": "a".repeat(14), "medium": "b".repeat(14), "campaign": "c".repeat(14), "content": "d".repeat(14), "term": "e".repeat(14) });
    let (status, body) = c.call("promotion/save", input("分散", spread)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = c.call("promotion/save", input("字符", params("a&b", ""))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "source").is_some(), "{body}");
    let stored: String =
        sqlx::query_scalar("SELECT source FROM promotion_codes WHERE id = $1").bind(id).fetch_one(app.sys()).await.unwrap();
    assert_eq!(stored, fits);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_short_link_redirects_and_counts_a_consumer_once_per_30_minutes(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000071").await;
    let e = s.enterprise_id;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let id = c.ok("promotion/save", input("朋友圈广告", params("wechat", "新品 广告"))).await.as_i64().unwrap();
    let (token, link) = link_of(&mut c, id).await;
    assert_eq!(link, format!("https://scan.example.com/p/{token}"));

    // A new phone: first sent back to the link with the cookie set, then to the member centre.
    let mut phone = Browser::phone();
    let (status, to) = phone.open(&app, &format!("/p/{token}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to, format!("/c/profile?e={e}&utm_source=wechat&utm_medium=%E6%96%B0%E5%93%81%20%E5%B9%BF%E5%91%8A"));
    assert_eq!(visits(&app, id).await, vec![None]);
    let (consumer, source): (i64, String) = sqlx::query_as(
        "SELECT c.id, c.source FROM consumers c JOIN promotion_acquisitions a ON a.consumer_id = c.id WHERE a.promotion_code_id = $1",
    )
    .bind(id)
    .fetch_one(app.sys())
    .await
    .unwrap();
    assert_eq!(source, "promotion");

    // A reload within 30 minutes is recorded, not counted; after 30 minutes it counts again.
    phone.open(&app, &format!("/p/{token}")).await;
    assert_eq!(visits(&app, id).await, vec![None, Some("repeat".into())]);
    sqlx::query("UPDATE promotion_visits SET visited_at = visited_at - interval '31 minutes' WHERE promotion_code_id = $1")
        .bind(id)
        .execute(app.sys())
        .await
        .unwrap();
    phone.open(&app, &format!("/p/{token}")).await;
    assert_eq!(visits(&app, id).await, vec![None, Some("repeat".into()), None]);

    // A bot and a browser that refuses cookies: recorded, not counted, no consumer made.
    let mut bot = Browser { cookie: None, ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" };
    let (_, to) = bot.open(&app, &format!("/p/{token}")).await;
    assert!(to.starts_with("/c/profile"), "{to}");
    let (status, headers, _) = get(&app, &format!("/p/{token}?t=1"), None, PHONE_UA).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().unwrap().starts_with("/c/profile"));
    let recorded = visits(&app, id).await;
    assert_eq!(recorded[3..], [Some("bot".into()), Some("no_cookie".into())]);
    let consumers: i64 =
        sqlx::query_scalar("SELECT count(*) FROM consumers WHERE enterprise_id = $1").bind(e).fetch_one(app.sys()).await.unwrap();
    assert_eq!(consumers, 1);

    // The list: 2 counted visits, 1 acquired consumer.
    let page =
        c.ok("promotion/list", json!({ "filter": { "q": "朋友圈", "include_deleted": false }, "page": { "page": 1, "size": 10 } })).await;
    let row = &page["items"][0];
    assert_eq!((row["visits"].as_i64(), row["visits_7d"].as_i64()), (Some(2), Some(2)));
    assert_eq!((row["acquired"].as_i64(), row["acquired_7d"].as_i64()), (Some(1), Some(1)));
    // The visit carries the code's parameters and the consumer.
    let (who, medium): (Option<i64>, String) =
        sqlx::query_as("SELECT consumer_id, medium FROM promotion_visits WHERE promotion_code_id = $1 ORDER BY id LIMIT 1")
            .bind(id)
            .fetch_one(app.sys())
            .await
            .unwrap();
    assert_eq!((who, medium.as_str()), (Some(consumer), "新品 广告"));

    // Unknown and malformed tokens: 404.
    assert_eq!(get(&app, "/p/zzzzzzzz", None, PHONE_UA).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/p/bad'token", None, PHONE_UA).await.0, StatusCode::NOT_FOUND);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_deleted_code_still_redirects_and_counts_but_cannot_be_downloaded(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000072").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let id = c.ok("promotion/save", input("门店海报", params("store", "poster"))).await.as_i64().unwrap();
    let (token, _) = link_of(&mut c, id).await;
    let session = format!("{SESSION_COOKIE}={}", c.token().unwrap());
    assert_eq!(get(&app, &format!("/files/promotion/{id}/qr.png"), Some(&session), PHONE_UA).await.0, StatusCode::OK);

    // A stale version is refused; the current one deletes.
    let (status, body) = c.call("promotion/delete", json!({ "id": id, "version": 7 })).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({ "Refused": "Stale" })));
    c.ok("promotion/delete", json!({ "id": id, "version": 1 })).await;
    let listed =
        c.ok("promotion/list", json!({ "filter": { "q": "", "include_deleted": false }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!(listed["total"], 0);
    let all = c.ok("promotion/list", json!({ "filter": { "q": "", "include_deleted": true }, "page": { "page": 1, "size": 10 } })).await;
    assert!(all["items"][0]["deleted_at"].is_string());
    // Deleted: no edits, no downloads …
    let mut rename = input("新名字", params("store", "poster"));
    rename["input"]["id"] = json!(id);
    rename["input"]["version"] = json!(2);
    let (status, body) = c.call("promotion/save", rename).await;
    assert_eq!(body, json!({ "Refused": { "Promotion": "Deleted" } }), "{status}");
    assert_eq!(get(&app, &format!("/files/promotion/{id}/qr.png"), Some(&session), PHONE_UA).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &format!("/files/promotion/{id}/qr.svg"), Some(&session), PHONE_UA).await.0, StatusCode::NOT_FOUND);
    // … but the printed code keeps working and counting.
    let (_, to) = Browser::phone().open(&app, &format!("/p/{token}")).await;
    assert!(to.starts_with("/c/profile?e="), "{to}");
    assert_eq!(visits(&app, id).await, vec![None]);
    let all = c.ok("promotion/list", json!({ "filter": { "q": "", "include_deleted": true }, "page": { "page": 1, "size": 10 } })).await;
    assert_eq!((all["items"][0]["visits"].as_i64(), all["items"][0]["acquired"].as_i64()), (Some(1), Some(1)));
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_first_code_acquires_a_consumer_and_later_touches_are_kept(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000073").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let mut first = input("A 公众号", params("wechat", "article"));
    first["input"]["auto_tag"] = json!("公众号拉新");
    let a = c.ok("promotion/save", first).await.as_i64().unwrap();
    let b = c.ok("promotion/save", input("B 抖音", params("douyin", "video"))).await.as_i64().unwrap();
    let (ta, _) = link_of(&mut c, a).await;
    let (tb, _) = link_of(&mut c, b).await;

    // One phone through A then B; another through B only.
    let mut one = Browser::phone();
    one.open(&app, &format!("/p/{ta}")).await;
    one.open(&app, &format!("/p/{tb}")).await;
    let mut two = Browser::phone();
    two.open(&app, &format!("/p/{tb}")).await;

    let acquired: Vec<(i64, i64)> =
        sqlx::query_as("SELECT promotion_code_id, consumer_id FROM promotion_acquisitions ORDER BY acquired_at, consumer_id")
            .fetch_all(app.sys())
            .await
            .unwrap();
    assert_eq!(acquired.len(), 2);
    assert_eq!(acquired[0].0, a, "the first phone is A's");
    assert_eq!(acquired[1].0, b, "the second phone is B's");
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM consumers WHERE id = $1").bind(acquired[0].1).fetch_one(app.sys()).await.unwrap();
    assert_eq!(tags, vec!["公众号拉新"]);

    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let query = |attribution: &str, split: &str| json!({ "query": { "from": today - chrono::Duration::days(6), "to": today, "codes": [a, b], "split": split, "attribution": attribution } });
    let totals = |analysis: &Value| -> Vec<(String, i64, i64)> {
        let mut rows: Vec<_> = analysis["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (s["label"].as_str().unwrap().to_string(), s["visits_total"].as_i64().unwrap(), s["consumers_total"].as_i64().unwrap())
            })
            .collect();
        rows.sort();
        rows
    };
    // First touch: A acquired one, B one (the second phone); B has 2 visits.
    let first = c.ok("promotion/analysis", query("FirstTouch", "Code")).await;
    assert_eq!(totals(&first), vec![("A 公众号".into(), 1, 1), ("B 抖音".into(), 2, 1)]);
    assert_eq!(first["days"].as_array().unwrap().len(), 7);
    // Three visitors over the groups (the first phone came through both), two people.
    assert_eq!(first["visitors"], 2);
    // Last touch: both phones were last brought by B.
    let last = c.ok("promotion/analysis", query("LastTouch", "Code")).await;
    assert_eq!(totals(&last), vec![("A 公众号".into(), 1, 0), ("B 抖音".into(), 2, 2)]);
    // Split by a parameter: the visit's recorded source.
    let by_source = c.ok("promotion/analysis", query("FirstTouch", "Source")).await;
    assert_eq!(totals(&by_source), vec![("douyin".into(), 2, 1), ("wechat".into(), 1, 1)]);
    // Six codes are refused.
    let mut six = query("FirstTouch", "Code");
    six["query"]["codes"] = json!([1, 2, 3, 4, 5, 6]);
    let (status, body) = c.call("promotion/analysis", six).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "codes").is_some(), "{body}");
    // The CSV export: a header and one row per code and day.
    let session = format!("{SESSION_COOKIE}={}", c.token().unwrap());
    let url = format!(
        "/files/promotion/analysis.csv?from={}&to={today}&codes={a},{b}&split=code&attribution=first",
        today - chrono::Duration::days(6)
    );
    let (status, _, csv) = get(&app, &url, Some(&session), PHONE_UA).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 7, "{csv}");
    assert!(csv.contains(&format!("A 公众号,{today},1,1")), "{csv}");
    app.close().await;
}

/// Decodes an image with Debian's zbarimg; its exact text.
fn zbarimg(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("tessera-promo-qr-{:016x}.png", rand::random::<u64>()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("zbarimg").args(["--raw", "-q"]).arg(&path).output().expect("zbarimg (zbar-tools, scripts/setup)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "zbarimg failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim_end_matches('\n').to_string()
}

/// Width and height from a PNG's IHDR.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// A 60×60 RGBA logo: a red disc on transparency.
fn logo_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 60, 60);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let data: Vec<u8> = (0..60 * 60)
        .flat_map(|i| {
            let (x, y) = (i % 60, i / 60);
            let inside = (x - 30) * (x - 30) + (y - 30) * (y - 30) < 28 * 28;
            if inside {
                [220, 30, 30, 255]
            } else {
                [0, 0, 0, 0]
            }
        })
        .collect();
    let mut w = enc.write_header().unwrap();
    w.write_image_data(&data).unwrap();
    w.finish().unwrap();
    out
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn qr_images_decode_to_the_exact_short_link_with_and_without_the_logo(pool: PgPool) {
    use base64::Engine;
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000074").await;
    let other = app.enterprise("别家企业", "13800000075").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let id = c.ok("promotion/save", input("包装码", params("pack", ""))).await.as_i64().unwrap();
    let (_, link) = link_of(&mut c, id).await;
    let session = format!("{SESSION_COOKIE}={}", c.token().unwrap());

    for cm in [8, 15] {
        let (status, headers, png) = get(&app, &format!("/files/promotion/{id}/qr.png?cm={cm}&logo=0"), Some(&session), PHONE_UA).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(png_size(&png), (tessera::domain::promotion::pixels_of_cm(cm), tessera::domain::promotion::pixels_of_cm(cm)));
        assert_eq!(zbarimg(&png), link, "{cm} cm");
    }
    // The logo: refused until uploaded (and only a PNG), then in the centre, still decoding.
    let (status, _, _) = get(&app, &format!("/files/promotion/{id}/qr.png?cm=8&logo=1"), Some(&session), PHONE_UA).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) =
        c.call("promotion/logo", json!({ "base64_data": base64::engine::general_purpose::STANDARD.encode(b"GIF89a....") })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&body, "logo").is_some(), "{body}");
    let settings = c.ok("promotion/logo", json!({ "base64_data": base64::engine::general_purpose::STANDARD.encode(logo_png()) })).await;
    assert!(settings["logo"].as_str().unwrap().ends_with(".png"));
    for cm in [8, 50] {
        let (status, _, png) = get(&app, &format!("/files/promotion/{id}/qr.png?cm={cm}&logo=1"), Some(&session), PHONE_UA).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(png_size(&png).0, tessera::domain::promotion::pixels_of_cm(cm));
        assert_eq!(zbarimg(&png), link, "{cm} cm with logo");
    }
    let (status, _, svg) = get(&app, &format!("/files/promotion/{id}/qr.svg?logo=1"), Some(&session), PHONE_UA).await;
    assert_eq!(status, StatusCode::OK);
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("<image") && svg.contains("data:image/png;base64,"), "{svg}");
    // A size not offered is refused; another enterprise's person gets 404.
    assert_eq!(
        get(&app, &format!("/files/promotion/{id}/qr.png?cm=9"), Some(&session), PHONE_UA).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let o = app.signed_in(&other.login, PASSWORD).await;
    let other_session = format!("{SESSION_COOKIE}={}", o.token().unwrap());
    assert_eq!(get(&app, &format!("/files/promotion/{id}/qr.png"), Some(&other_session), PHONE_UA).await.0, StatusCode::NOT_FOUND);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn external_targets_need_an_allowed_domain_and_viewers_cannot_change_codes(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000076").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let mut external = input("官网", params("baidu", "cpc"));
    external["input"]["target"] = json!("External");
    external["input"]["external_url"] = json!("https://shop.brand.com/new?x=1#top");
    let (status, body) = c.call("promotion/save", external.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&body, "external_url"), Some(&json!({ "Promotion": { "DomainNotAllowed": { "host": "shop.brand.com" } } })));
    let (status, body) = c.call("promotion/domains", json!({ "domains": "brand.com\nnot a domain" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    c.ok("promotion/domains", json!({ "domains": "Brand.com" })).await;
    let id = c.ok("promotion/save", external).await.as_i64().unwrap();
    let (token, _) = link_of(&mut c, id).await;
    let (_, to) = Browser::phone().open(&app, &format!("/p/{token}")).await;
    assert_eq!(to, "https://shop.brand.com/new?x=1&utm_source=baidu&utm_medium=cpc#top");

    // An expired code answers "ended" and records the visit as such.
    sqlx::query("UPDATE promotion_codes SET expires_at = now() - interval '1 minute' WHERE id = $1")
        .bind(id)
        .execute(app.sys())
        .await
        .unwrap();
    let (status, page) = Browser::phone().open(&app, &format!("/p/{token}")).await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    assert_eq!(visits(&app, id).await.last().unwrap().as_deref(), Some("expired"));

    let viewer = app.restricted(s.enterprise_id, "推广查看", &[(Function::PromotionCodes, Level::View)], "13800000077").await;
    let mut v = app.signed_in(&viewer.login, PASSWORD).await;
    v.ok("promotion/list", json!({ "filter": { "q": "", "include_deleted": false }, "page": { "page": 1, "size": 10 } })).await;
    let (status, _) = v.call("promotion/save", input("查看者", params("x", ""))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = v.call("promotion/delete", json!({ "id": id, "version": 1 })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_merge_by_mobile_keeps_the_earlier_first_touch(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000078").await;
    let e = s.enterprise_id;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let a = c.ok("promotion/save", input("A", params("a", ""))).await.as_i64().unwrap();
    let b = c.ok("promotion/save", input("B", params("b", ""))).await.as_i64().unwrap();
    let (ta, _) = link_of(&mut c, a).await;
    let (tb, _) = link_of(&mut c, b).await;
    // The same person on two phones: B first on the second phone, then A on the first.
    Browser::phone().open(&app, &format!("/p/{tb}")).await;
    sqlx::query("UPDATE promotion_visits SET visited_at = visited_at - interval '1 hour'").execute(app.sys()).await.unwrap();
    sqlx::query("UPDATE promotion_acquisitions SET acquired_at = acquired_at - interval '1 hour'").execute(app.sys()).await.unwrap();
    Browser::phone().open(&app, &format!("/p/{ta}")).await;
    let by_code = |code: i64| {
        let sys = app.sys().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT consumer_id FROM promotion_acquisitions WHERE promotion_code_id = $1")
                .bind(code)
                .fetch_one(&sys)
                .await
                .unwrap()
        }
    };
    let (through_b, through_a) = (by_code(b).await, by_code(a).await);
    // The first phone's record has the mobile; the second binds it and is merged into it.
    sqlx::query("UPDATE consumers SET mobile = '13912345678' WHERE id = $1").bind(through_a).execute(app.sys()).await.unwrap();
    let mut tx = app.db().tenant(e).await.unwrap();
    let bound = tessera::server::repo::consumers::bind_mobile(&mut tx, e, through_b, "13912345678").await.unwrap();
    tx.commit().await.unwrap();
    assert!(bound.merged);
    let acquisitions: Vec<(i64, i64)> =
        sqlx::query_as("SELECT consumer_id, promotion_code_id FROM promotion_acquisitions").fetch_all(app.sys()).await.unwrap();
    assert_eq!(acquisitions, vec![(through_a, b)], "one first touch, the earlier one, on the surviving record");
    let owners: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT DISTINCT consumer_id FROM promotion_visits").fetch_all(app.sys()).await.unwrap();
    assert_eq!(owners, vec![Some(through_a)]);
    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn simultaneous_loads_count_once_and_acquire_once(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let s = app.enterprise("推广企业", "13800000079").await;
    let mut c = app.signed_in(&s.login, PASSWORD).await;
    let a = c.ok("promotion/save", input("A", params("a", ""))).await.as_i64().unwrap();
    let b = c.ok("promotion/save", input("B", params("b", ""))).await.as_i64().unwrap();
    let (ta, _) = link_of(&mut c, a).await;
    let (tb, _) = link_of(&mut c, b).await;
    // A phone that already holds its device cookie (from a link that does not exist).
    let mut phone = Browser::phone();
    assert_eq!(phone.open(&app, "/p/zzzzzzzz").await.0, StatusCode::NOT_FOUND);
    let cookie = phone.cookie.clone().expect("the device cookie");
    let tab = || Browser { cookie: Some(cookie.clone()), ua: PHONE_UA };

    // A double load of one code, and two codes at once, all concurrently (one thread: the
    // transactions interleave at every await).
    let (mut t1, mut t2, mut t3) = (tab(), tab(), tab());
    let (pa1, pa2, pb) = (format!("/p/{ta}"), format!("/p/{ta}"), format!("/p/{tb}"));
    let (r1, r2, r3) = tokio::join!(t1.open(&app, &pa1), t2.open(&app, &pa2), t3.open(&app, &pb));
    for (status, to) in [r1, r2, r3] {
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(to.starts_with("/c/profile"), "{to}");
    }
    let mut through_a = visits(&app, a).await;
    through_a.sort();
    assert_eq!(through_a, vec![None, Some("repeat".into())], "one of the double load counts");
    assert_eq!(visits(&app, b).await, vec![None]);
    let acquisitions: i64 = sqlx::query_scalar("SELECT count(*) FROM promotion_acquisitions").fetch_one(app.sys()).await.unwrap();
    assert_eq!(acquisitions, 1, "one consumer, one first touch");
    app.close().await;
}
