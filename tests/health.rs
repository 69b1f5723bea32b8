#![cfg(feature = "ssr")]
//! Liveness and readiness probes.

mod common;

use common::TestApp;
use http::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn healthz_and_readyz_answer_200(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let c = app.client();

    let (status, body) = c.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");

    let (status, body) = c.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ready");

    app.close().await;
}

#[sqlx::test(migrator = "tessera::server::db::MIGRATOR")]
async fn readyz_is_503_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let c = app.client();
    pool.close().await;
    let (status, body) = c.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unavailable");
    // Liveness does not depend on the database.
    assert_eq!(c.get("/healthz").await.0, StatusCode::OK);
    app.close().await;
}
