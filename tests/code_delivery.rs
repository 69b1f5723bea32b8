#![cfg(feature = "ssr")]
//! Delivery of packages: sending (two kinds of outbox messages, no secret stored in clear),
//! the extraction link and code (wrong codes, throttle, expiry, receivers of another spec),
//! downloads limited to 3 per batch under concurrent requests, the "all" archive, and the
//! history with IP addresses.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use common::codes::{package, spec, spec_person};
use common::{TestApp, PASSWORD};
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::SocketAddr;
use tessera::domain::access::{Function, Level};
use tessera::server::auth::SESSION_COOKIE;
use tessera::server::code_files::batch_path;
use tessera::server::jobs;
use tessera::server::repo::code_generation::GENERATE_JOB;
use tower::ServiceExt;

const RECEIVER_IP: [u8; 4] = [10, 0, 0, 7];

/// A signed-in person calling from a fixed address (the in-process router has no socket, so
/// the test supplies the peer address `client_ip` reads).
#[derive(Clone)]
struct Caller {
    router: axum::Router,
    token: Option<String>,
    ip: [u8; 4],
    /// Sends `Accept-Encoding: gzip`, as browsers do.
    gzip: bool,
}

impl Caller {
    async fn new(app: &TestApp, login: &str, ip: [u8; 4]) -> Caller {
        let c = app.signed_in(login, PASSWORD).await;
        Caller { router: app.router.clone(), token: c.token().map(str::to_string), ip, gzip: false }
    }

    async fn send(&self, method: Method, uri: &str, body: Body) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
        if self.gzip {
            req = req.header(header::ACCEPT_ENCODING, "gzip");
        }
        if let Some(t) = &self.token {
            req = req.header(header::COOKIE, format!("{SESSION_COOKIE}={t}"));
        }
        let mut req = req.body(body).unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((self.ip, 40000))));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    /// A server function: status and JSON body.
    async fn call(&self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, bytes) = self.send(Method::POST, &format!("/api/{endpoint}"), Body::from(body.to_string())).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn ok(&self, endpoint: &str, body: Value) -> Value {
        let (status, v) = self.call(endpoint, body).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {v}");
        v
    }

    async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        self.send(Method::GET, path, Body::empty()).await
    }
}

/// An enterprise with a generated package of 1,000 codes in 3 batches (fake files on disk), its
/// spec's file receiver (with an email) and password receiver (mobile only), and a file receiver
/// of another spec.
struct World {
    app: TestApp,
    enterprise_id: i64,
    spec_id: i64,
    admin_id: i64,
    package_id: i64,
    admin: Caller,
    receiver: Caller,
    receiver_id: i64,
    password_receiver_id: i64,
    outsider: Caller,
    files: Vec<(i32, String, Vec<u8>)>,
}

async fn world(pool: PgPool) -> World {
    world_with(pool, false).await
}

/// The world, its batch files written by the real generation job (`generate`) or fakes.
async fn world_with(pool: PgPool, generate: bool) -> World {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let e = admin.enterprise_id;
    let receive = [(Function::CodeReceive, Level::View)];
    let receiver = app.restricted(e, "包材厂接收人", &receive, "13800000001").await;
    let password = app.restricted(e, "密码接收人", &receive, "13800000002").await;
    let outsider = app.restricted(e, "其他包材厂", &receive, "13800000003").await;
    sqlx::query("UPDATE users SET email = 'factory@example.com' WHERE id = $1").bind(receiver.user_id).execute(app.sys()).await.unwrap();

    let spec_a = spec(&app, e, "瓶盖码").await;
    spec_person(&app, e, spec_a, "file_receiver", receiver.user_id).await;
    spec_person(&app, e, spec_a, "password_receiver", password.user_id).await;
    let spec_b = spec(&app, e, "箱码").await;
    spec_person(&app, e, spec_b, "file_receiver", outsider.user_id).await;
    spec_person(&app, e, spec_b, "password_receiver", password.user_id).await;
    let package_id = package(&app, e, spec_a, admin.user_id, 1000, 3, if generate { "generating" } else { "generated" }).await;
    if generate {
        let job_id: i64 =
            sqlx::query_scalar("INSERT INTO jobs (enterprise_id, kind, payload, created_by) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(e)
                .bind(GENERATE_JOB)
                .bind(json!({ "package_id": package_id }))
                .bind(admin.user_id)
                .fetch_one(app.sys())
                .await
                .unwrap();
        sqlx::query("UPDATE code_packages SET job_id = $2 WHERE id = $1").bind(package_id).bind(job_id).execute(app.sys()).await.unwrap();
        let job = jobs::claim(&app.state).await.unwrap().expect("the generation job");
        let outcome = jobs::run(job).await;
        jobs::finish(app.db(), job_id, outcome).await.unwrap();
    }

    let rows: Vec<(i32, String)> = sqlx::query_as("SELECT batch_no, file_name FROM code_batches WHERE package_id = $1 ORDER BY batch_no")
        .bind(package_id)
        .fetch_all(app.sys())
        .await
        .unwrap();
    let dir = batch_path(&app.state.config.files_dir, e, package_id, "");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = vec![];
    for (batch_no, name) in rows {
        if generate {
            files.push((batch_no, name.clone(), std::fs::read(dir.join(&name)).expect("generated batch file")));
            continue;
        }
        let content: Vec<u8> = (0..20_000 + batch_no as usize).map(|i| (i * 31 + batch_no as usize) as u8).collect();
        std::fs::write(dir.join(&name), &content).unwrap();
        sqlx::query("UPDATE code_batches SET file_size = $2, generated_at = now() WHERE package_id = $1 AND batch_no = $3")
            .bind(package_id)
            .bind(content.len() as i64)
            .bind(batch_no)
            .execute(app.sys())
            .await
            .unwrap();
        files.push((batch_no, name, content));
    }
    World {
        admin: Caller::new(&app, &admin.login, [192, 168, 1, 2]).await,
        receiver: Caller::new(&app, &receiver.login, RECEIVER_IP).await,
        outsider: Caller::new(&app, &outsider.login, [10, 0, 0, 9]).await,
        receiver_id: receiver.user_id,
        password_receiver_id: password.user_id,
        enterprise_id: e,
        spec_id: spec_a,
        admin_id: admin.user_id,
        package_id,
        files,
        app,
    }
}

impl World {
    async fn version(&self) -> i32 {
        sqlx::query_scalar("SELECT version FROM code_packages WHERE id = $1").bind(self.package_id).fetch_one(self.app.sys()).await.unwrap()
    }

    /// Sends the package as the administrator; returns the link token and extraction code
    /// read from the file receiver's newest message.
    async fn send(&self) -> (String, String) {
        self.admin.ok("codes/delivery/send", json!({ "package_id": self.package_id, "version": self.version().await })).await;
        let body = self.latest_message(self.receiver_id).await.1;
        let token = body.split("/codes/receive/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
        let code = body.split("提取码：").nth(1).unwrap().chars().take(6).collect();
        (token, code)
    }

    /// (channel, body, address) of a person's newest message.
    async fn latest_message(&self, user_id: i64) -> (String, String, String) {
        sqlx::query_as("SELECT channel, body, address FROM outbox WHERE recipient_user_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(user_id)
            .fetch_one(self.app.sys())
            .await
            .unwrap()
    }

    async fn messages(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(self.app.sys()).await.unwrap()
    }

    /// A number from `sql`, whose `$1` is the package id.
    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).bind(self.package_id).fetch_one(self.app.sys()).await.unwrap()
    }

    async fn grant(&self, key: &str, code: &str) -> String {
        let g = self.receiver.ok("codes/receive/extract", json!({ "input": { "key": key, "code": code } })).await;
        g["token"].as_str().unwrap().to_string()
    }
}

fn delivery_refusal(body: &Value) -> &Value {
    &body["Refused"]["Delivery"]
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn sending_records_a_link_message_and_a_password_message_and_stores_no_secret(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;

    // The file receiver: by email (they have one), the link, the code, the package, no password.
    let (channel, body, address) = w.latest_message(w.receiver_id).await;
    assert_eq!((channel.as_str(), address.as_str()), ("email", "factory@example.com"));
    assert!(body.contains(&format!("https://scan.example.com/codes/receive/{token}")), "{body}");
    assert!(body.contains(&format!("码包 ID：{}", w.package_id)) && body.contains("1,000") && body.contains("有效期至"), "{body}");
    assert!(!body.contains("解压密码："), "{body}");
    assert_eq!(token.len(), 43, "256-bit URL-safe token");
    assert!(code.chars().all(|c| tessera::domain::code_delivery::CODE_ALPHABET.contains(&(c as u8))), "{code}");

    // The password receiver: by SMS, every batch's file and password, not the link or code.
    let (channel, body, address) = w.latest_message(w.password_receiver_id).await;
    assert_eq!((channel.as_str(), address.as_str()), ("sms", "13800000002"));
    let (version, salt): (i16, Vec<u8>) = sqlx::query_as("SELECT key_version, key_salt FROM code_packages WHERE id = $1")
        .bind(w.package_id)
        .fetch_one(w.app.sys())
        .await
        .unwrap();
    let codec = w.app.state.codes.codec(version as u8, w.package_id, &salt).unwrap();
    for (batch_no, name, _) in &w.files {
        let line = format!("批次 {batch_no}：文件 {name}，解压密码：{}", codec.batch_password(*batch_no as u32));
        assert!(body.contains(&line), "{line} in {body}");
    }
    assert!(!body.contains(&token) && !body.contains(&code), "{body}");

    // Stored: the status, and the secrets only as hashes.
    let row: String = sqlx::query_scalar("SELECT row_to_json(p)::text FROM code_packages p WHERE id = $1")
        .bind(w.package_id)
        .fetch_one(w.app.sys())
        .await
        .unwrap();
    assert!(!row.contains(&token) && !row.contains(&code), "{row}");
    let (status, token_hash): (String, Vec<u8>) = sqlx::query_as("SELECT status, extraction_token_hash FROM code_packages WHERE id = $1")
        .bind(w.package_id)
        .fetch_one(w.app.sys())
        .await
        .unwrap();
    assert_eq!((status.as_str(), token_hash), ("sent", Sha256::digest(token.as_bytes()).to_vec()));
    assert_eq!(w.count("SELECT count(*) FROM audit_log WHERE entity = 'code_package' AND action = 'send' AND entity_id = $1").await, 1);

    // A double click (same version) sends nothing more.
    let messages = w.messages().await;
    let (status, body) = w.admin.call("codes/delivery/send", json!({ "package_id": w.package_id, "version": w.version().await - 1 })).await;
    assert_eq!((status, &body), (StatusCode::CONFLICT, &json!({ "Refused": "Stale" })));
    assert_eq!(w.messages().await, messages);

    // Sending again replaces the link: the old one is unknown, the new one works.
    let (new_token, _) = w.send().await;
    assert_ne!(new_token, token);
    let (status, _) = w.receiver.call("codes/receive/open", json!({ "key": token })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    w.receiver.ok("codes/receive/open", json!({ "key": new_token })).await;

    // Not generated: refused with the status; not a package manager: forbidden.
    let pending = package(&w.app, w.enterprise_id, w.spec_id, w.admin_id, 10, 1, "pending").await;
    let (status, body) = w.admin.call("codes/delivery/send", json!({ "package_id": pending, "version": 1 })).await;
    assert_eq!((status, delivery_refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &json!({ "NotSendable": { "status": "pending" } })));
    let (status, _) = w.receiver.call("codes/delivery/send", json!({ "package_id": w.package_id, "version": w.version().await })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_extraction_code_opens_downloads_and_wrong_codes_are_refused_then_locked(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    let info = w.receiver.ok("codes/receive/open", json!({ "key": token })).await;
    assert_eq!((info["package_id"].as_i64(), info["code_count"].as_i64()), (Some(w.package_id), Some(1000)));

    // Malformed: a field error, not counted.
    let (status, body) = w.receiver.call("codes/receive/extract", json!({ "input": { "key": token, "code": "12" } })).await;
    assert_eq!(
        (status, common::field_error(&body, "code")),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(&json!({ "Delivery": "CodeFormat" })))
    );

    let wrong = if code == "222222" { "333333" } else { "222222" };
    let (status, body) = w.receiver.call("codes/receive/extract", json!({ "input": { "key": token, "code": wrong } })).await;
    assert_eq!((status, delivery_refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &json!({ "WrongCode": { "attempts_left": 4 } })));

    // Right (typed in lower case with spaces): a grant with the batches.
    let typed = format!(" {} ", code.to_lowercase());
    let grant = w.receiver.ok("codes/receive/extract", json!({ "input": { "key": token, "code": typed } })).await;
    assert_eq!(grant["batches"].as_array().unwrap().len(), 3);
    assert_eq!(grant["token"].as_str().unwrap().len(), 43);

    // From the receiver page, by package id, with the same code.
    let listed = w.receiver.ok("codes/receive/list", json!({})).await;
    assert_eq!(listed.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![w.package_id]);
    w.grant(&w.package_id.to_string(), &code).await;

    // Four more wrong codes: the last says so, then even the right code waits.
    for left in (0..4).rev() {
        let (_, body) = w.receiver.call("codes/receive/extract", json!({ "input": { "key": token, "code": wrong } })).await;
        assert_eq!(delivery_refusal(&body), &json!({ "WrongCode": { "attempts_left": left } }));
    }
    let (status, body) = w.receiver.call("codes/receive/extract", json!({ "input": { "key": token, "code": code } })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["Locked"]["seconds"].as_i64().unwrap() > 14 * 60, "{body}");

    // A re-send starts a fresh count.
    let (token, code) = w.send().await;
    w.grant(&token, &code).await;
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn ten_concurrent_downloads_of_a_batch_give_exactly_three_files(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    let grant = w.grant(&token, &code).await;
    let (_, name, content) = w.files[0].clone();

    let path = format!("/files/packages/{grant}/1");
    // Accepting gzip as browsers do: the files must still arrive as they are, with their length.
    let browser = Caller { gzip: true, ..w.receiver.clone() };
    let requests = (0..10).map(|_| {
        let (c, path) = (browser.clone(), path.clone());
        tokio::spawn(async move { c.get(&path).await })
    });
    let mut ok = 0;
    let mut gone = 0;
    for r in requests {
        let (status, headers, body) = r.await.unwrap();
        match status {
            StatusCode::OK => {
                ok += 1;
                assert_eq!(body, content);
                assert_eq!(headers[header::CONTENT_LENGTH], content.len().to_string().as_str());
                assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&format!("filename=\"{name}\"")));
            }
            StatusCode::GONE => gone += 1,
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&body)),
        }
    }
    assert_eq!((ok, gone), (3, 7));
    let (status, _, body) = w.receiver.get(&path).await;
    assert_eq!((status, String::from_utf8_lossy(&body).as_ref()), (StatusCode::GONE, "批次 1 已下载 3 次，不能再下载"));
    assert_eq!(w.count("SELECT downloads::bigint FROM code_batches WHERE package_id = $1 AND batch_no = 1").await, 3);
    assert_eq!(w.count("SELECT count(*) FROM code_delivery_log WHERE package_id = $1 AND event = 'download'").await, 3);

    // "All": one archive of the batches with downloads left (2 and 3), each counted once.
    let (status, headers, body) = browser.get(&format!("/files/packages/{grant}/all")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string().as_str());
    let zip = w.app.media_dir().join("all.zip");
    std::fs::write(&zip, &body).unwrap();
    let out = std::process::Command::new("unzip").arg("-o").arg(&zip).arg("-d").arg(w.app.media_dir().join("all")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    for (batch_no, name, content) in &w.files {
        let unpacked = std::fs::read(w.app.media_dir().join("all").join(name));
        assert_eq!(unpacked.ok().as_ref(), (*batch_no > 1).then_some(content), "batch {batch_no}");
    }
    let downloads: Vec<i16> = sqlx::query_scalar("SELECT downloads FROM code_batches WHERE package_id = $1 ORDER BY batch_no")
        .bind(w.package_id)
        .fetch_all(w.app.sys())
        .await
        .unwrap();
    assert_eq!(downloads, vec![3, 1, 1]);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn downloads_need_the_grant_of_the_signed_in_person(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    let grant = w.grant(&token, &code).await;
    let path = format!("/files/packages/{grant}/2");

    let anonymous = Caller { token: None, ..w.receiver.clone() };
    assert_eq!(anonymous.get(&path).await.0, StatusCode::UNAUTHORIZED);
    // Someone else, even an administrator holding every function.
    let (status, _, body) = w.admin.get(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&body));
    assert_eq!(w.receiver.get(&format!("/files/packages/{}/2", "x".repeat(43))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(w.receiver.get(&format!("/files/packages/{grant}/9")).await.0, StatusCode::NOT_FOUND);

    // A missing file costs no download.
    let (_, name, _) = &w.files[1];
    let file = batch_path(&w.app.state.config.files_dir, w.enterprise_id, w.package_id, name);
    std::fs::rename(&file, file.with_extension("gone")).unwrap();
    let (status, _, body) = w.receiver.get(&path).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(String::from_utf8_lossy(&body).contains("批次 2"), "{}", String::from_utf8_lossy(&body));
    std::fs::rename(file.with_extension("gone"), &file).unwrap();
    assert_eq!(w.count("SELECT downloads::bigint FROM code_batches WHERE package_id = $1 AND batch_no = 2").await, 0);

    // An expired grant; and a re-send ends the grants of the previous link.
    sqlx::query("UPDATE code_extractions SET expires_at = now() - interval '1 minute'").execute(w.app.sys()).await.unwrap();
    assert_eq!(w.receiver.get(&path).await.0, StatusCode::GONE);
    let grant = w.grant(&token, &code).await;
    assert_eq!(w.receiver.get(&format!("/files/packages/{grant}/2")).await.0, StatusCode::OK);
    w.send().await;
    assert_eq!(w.receiver.get(&format!("/files/packages/{grant}/2")).await.0, StatusCode::GONE);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn an_expired_link_is_refused_with_its_date(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    sqlx::query("UPDATE code_packages SET extraction_expires_at = '2026-11-20T06:05:00Z' WHERE id = $1")
        .bind(w.package_id)
        .execute(w.app.sys())
        .await
        .unwrap();
    let expired = json!({ "LinkExpired": { "at": "2026-11-20T06:05:00Z" } });
    for (endpoint, body) in
        [("codes/receive/open", json!({ "key": token })), ("codes/receive/extract", json!({ "input": { "key": token, "code": code } }))]
    {
        let (status, body) = w.receiver.call(endpoint, body).await;
        assert_eq!((status, delivery_refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &expired), "{endpoint}");
    }
    let msg = tessera::domain::code_delivery::DeliveryMsg::LinkExpired { at: "2026-11-20T06:05:00Z".parse().unwrap() };
    assert_eq!(msg.render(tessera::i18n::Locale::Zh), "提取链接已于 2026-11-20 14:05 过期，请联系品牌方重新发送");
    assert_eq!(w.count("SELECT count(*) FROM code_extractions WHERE package_id = $1").await, 0);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_receiver_of_another_spec_cannot_extract(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    let not_receiver = json!({ "NotAReceiver": { "spec": "瓶盖码" } });
    for key in [token.clone(), w.package_id.to_string()] {
        let (status, body) = w.outsider.call("codes/receive/extract", json!({ "input": { "key": key, "code": code } })).await;
        assert_eq!((status, delivery_refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, &not_receiver));
    }
    assert_eq!(w.outsider.ok("codes/receive/list", json!({})).await, json!([]));
    assert_eq!(w.count("SELECT count(*) FROM code_extractions WHERE package_id = $1").await, 0);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_history_shows_who_extracted_and_downloaded_from_where(pool: PgPool) {
    let w = world(pool).await;
    let (token, code) = w.send().await;
    let wrong = if code == "222222" { "333333" } else { "222222" };
    w.receiver.call("codes/receive/extract", json!({ "input": { "key": token, "code": wrong } })).await;
    let grant = w.grant(&token, &code).await;
    assert_eq!(w.receiver.get(&format!("/files/packages/{grant}/3")).await.0, StatusCode::OK);

    let status = w.admin.ok("codes/delivery/status", json!({ "package_id": w.package_id })).await;
    assert_eq!(status["status"], "sent");
    assert_eq!((status["file_receivers"].clone(), status["password_receivers"].clone()), (json!(["包材厂接收人"]), json!(["密码接收人"])));
    let events: Vec<(String, Value, Value, String)> = status["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["kind"].as_str().unwrap().to_string(), e["batch_no"].clone(), e["user_name"].clone(), e["ip"].as_str().unwrap().to_string())
        })
        .collect();
    let s = |v: &str| v.to_string();
    assert_eq!(
        events,
        vec![
            (s("Download"), json!(3), json!("包材厂接收人"), s("10.0.0.7")),
            (s("Extract"), Value::Null, json!("包材厂接收人"), s("10.0.0.7")),
            (s("WrongCode"), Value::Null, json!("包材厂接收人"), s("10.0.0.7")),
            (s("Send"), Value::Null, json!("管理员"), s("192.168.1.2")),
        ]
    );
    let batch3 = &status["batches"][2];
    assert_eq!((batch3["batch_no"].as_i64(), batch3["downloads"].as_i64()), (Some(3), Some(1)));
    // The history is for package viewers only.
    assert_eq!(w.receiver.call("codes/delivery/status", json!({ "package_id": w.package_id })).await.0, StatusCode::FORBIDDEN);
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn the_receiver_and_extraction_pages_render_on_the_server(pool: PgPool) {
    let w = world(pool).await;
    let (token, _) = w.send().await;
    let name: String =
        sqlx::query_scalar("SELECT name FROM code_packages WHERE id = $1").bind(w.package_id).fetch_one(w.app.sys()).await.unwrap();
    let page = |path: String| {
        let c = w.receiver.clone();
        async move {
            let (status, _, body) = c.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            String::from_utf8(body).unwrap()
        }
    };
    let list = page("/codes/receive".into()).await;
    assert!(list.contains(&name) && list.contains(&format!("/codes/receive/{}", w.package_id)), "{list}");
    assert!(page(format!("/codes/receive/{token}")).await.contains(&name));
    assert!(page(format!("/codes/receive/{}", w.package_id)).await.contains("提取码"));
    assert!(page("/codes/receive/no-such-link-but-long-enough-to-be-a-token".into()).await.contains("提取链接不存在"));
    sqlx::query("UPDATE code_packages SET extraction_expires_at = now() - interval '1 day' WHERE id = $1")
        .bind(w.package_id)
        .execute(w.app.sys())
        .await
        .unwrap();
    assert!(page(format!("/codes/receive/{token}")).await.contains("请联系品牌方重新发送"));
    w.app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn a_downloaded_batch_opens_with_the_password_the_password_receiver_got(pool: PgPool) {
    let w = world_with(pool, true).await;
    let (token, code) = w.send().await;
    let grant = w.grant(&token, &code).await;
    let (status, _, body) = w.receiver.get(&format!("/files/packages/{grant}/2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, w.files[1].2);
    let zip = w.app.media_dir().join(&w.files[1].1);
    std::fs::write(&zip, &body).unwrap();

    let sms = w.latest_message(w.password_receiver_id).await.1;
    let password = sms.split("批次 2：").nth(1).unwrap().split("解压密码：").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    let out_dir = w.app.media_dir().join("batch-2");
    let open = |password: &str| {
        std::process::Command::new("7z")
            .args(["x", "-y", &format!("-p{password}"), &format!("-o{}", out_dir.display())])
            .arg(&zip)
            .output()
            .expect("7z is installed")
    };
    assert!(!open("wrong-password").status.success());
    let out = open(&password);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let unpacked: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap()).collect();
    assert_eq!(unpacked.len(), 1);
    // 1,000 codes in 3 batches: batch 2 holds serials 335–667 (and a header line).
    assert_eq!(unpacked[0].lines().count(), 333 + 1, "{}", &unpacked[0][..200.min(unpacked[0].len())]);
    w.app.close().await;
}
