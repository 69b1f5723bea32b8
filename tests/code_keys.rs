#![cfg(feature = "ssr")]
//! Resolving codes against the database (server/code_keys.rs): a scanned string → package,
//! serial and batch; a serial → its code for the query page; everything else → nothing.

mod common;

use common::{codes, TestApp};
use sqlx::PgPool;
use tessera::server::code_keys::ResolvedCode;

/// The codec of a seeded package, from its stored key version and salt.
async fn codec(app: &TestApp, package_id: i64) -> tessera::domain::codes::PackageCodec {
    let (version, salt): (i16, Vec<u8>) = sqlx::query_as("SELECT key_version, key_salt FROM code_packages WHERE id = $1")
        .bind(package_id)
        .fetch_one(app.sys())
        .await
        .unwrap();
    app.state.codes.codec(version as u8, package_id, &salt).unwrap()
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn genuine_codes_resolve_to_package_serial_and_batch(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let spec = codes::spec(&app, admin.enterprise_id, "瓶盖码").await;
    let package = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 10, 3, "generated").await;
    let keys = &app.state.codes;
    let codec = codec(&app, package).await;

    // Batches of 10 codes in 3 files: 1..=4, 5..=7, 8..=10.
    for (serial, batch_no) in [(1, 1), (4, 1), (5, 2), (10, 3)] {
        let code = codec.code(serial);
        let resolved = keys.resolve(app.sys(), &code).await.unwrap();
        let expected = ResolvedCode {
            enterprise_id: admin.enterprise_id,
            package_id: package,
            spec_id: spec,
            serial,
            batch_no,
            code_count: 10,
            file_count: 3,
        };
        assert_eq!(resolved, Some(expected));
        assert_eq!(keys.code_of(app.sys(), admin.enterprise_id, package, serial).await.unwrap(), Some(code.clone()));
        assert_eq!(keys.scan_url(&code), format!("https://scan.example.com/s/{code}"));
    }

    // A code the key could compute but the package does not hold, an altered code, lower case,
    // garbage: nothing.
    let code = codec.code(3);
    let mut altered = code.clone().into_bytes();
    altered[7] = if altered[7] == b'A' { b'B' } else { b'A' };
    for input in [codec.code(11), String::from_utf8(altered).unwrap(), code.to_ascii_lowercase(), "not a code".into(), String::new()] {
        assert_eq!(keys.resolve(app.sys(), &input).await.unwrap(), None, "{input}");
    }

    // Serial → code only inside the package and only in its own enterprise.
    let other = app.enterprise("另一家", "13900000000").await;
    assert_eq!(keys.code_of(app.sys(), other.enterprise_id, package, 3).await.unwrap(), None);
    assert_eq!(keys.code_of(app.sys(), admin.enterprise_id, package, 0).await.unwrap(), None);
    assert_eq!(keys.code_of(app.sys(), admin.enterprise_id, package, 11).await.unwrap(), None);
    assert_eq!(keys.code_of(app.sys(), admin.enterprise_id, package + 1000, 1).await.unwrap(), None);
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn unapproved_and_unknown_packages_resolve_to_nothing(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let spec = codes::spec(&app, admin.enterprise_id, "瓶盖码").await;
    let keys = &app.state.codes;

    // A pending package's codes do not work, and are not cached as such: once approved they do.
    let pending = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 5, 1, "pending").await;
    let code = codec(&app, pending).await.code(2);
    assert_eq!(keys.resolve(app.sys(), &code).await.unwrap(), None);
    assert_eq!(keys.code_of(app.sys(), admin.enterprise_id, pending, 2).await.unwrap(), None);
    sqlx::query("UPDATE code_packages SET status = 'approved' WHERE id = $1").bind(pending).execute(app.sys()).await.unwrap();
    assert_eq!(keys.resolve(app.sys(), &code).await.unwrap().map(|r| r.serial), Some(2));

    let rejected = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 5, 1, "rejected").await;
    assert_eq!(keys.resolve(app.sys(), &codec(&app, rejected).await.code(1)).await.unwrap(), None);

    // A package id no row has, keyed like a real one.
    let unknown = keys.codec(keys.current_version(), 4242, &tessera::server::code_keys::CodeKeys::new_salt()).unwrap();
    assert_eq!(keys.resolve(app.sys(), &unknown.code(1)).await.unwrap(), None);
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn an_approved_package_is_read_once(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let admin = app.enterprise("鲜享食品集团", "13800000000").await;
    let spec = codes::spec(&app, admin.enterprise_id, "瓶盖码").await;
    let package = codes::package(&app, admin.enterprise_id, spec, admin.user_id, 5, 1, "sent").await;
    let code = codec(&app, package).await.code(4);
    assert!(app.state.codes.resolve(app.sys(), &code).await.unwrap().is_some());
    // Key material never changes after approval, so later scans use the cached package: a
    // changed salt in the row (which the application never writes) does not reach them.
    sqlx::query("UPDATE code_packages SET key_salt = '\\x00' WHERE id = $1").bind(package).execute(app.sys()).await.unwrap();
    assert!(app.state.codes.resolve(app.sys(), &code).await.unwrap().is_some());
}
