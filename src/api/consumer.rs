//! The consumer's JSON API (`/api/c/…`, documented in `/api/openapi.json` and
//! docs/consumer-api.md): scan, draw, claim, my prizes, my points. The phone pages call the same
//! functions. No sign-in: the consumer is the signed device cookie's.
//!
//! This file: `c/scan` (verify a code, record the scan, offer its campaign) and `c/draw` (draw
//! on a scan, idempotent). The engine is `crate::server::draw`.

use crate::domain::play::{DrawResult, Location, ScanOutcome};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Scans a code: the verdict (invalid, not activated, scrapped, genuine, redirect); for a code
/// of an enterprise the recorded scan with its anti-counterfeit signal; for a genuine code the
/// campaign it takes part in, or why none (`no_campaign`). `location`: the phone's position if
/// the consumer allowed it (the scan's region; else the profile's; else unknown).
#[server(prefix = "/api", endpoint = "c/scan", input = Json)]
pub async fn consumer_scan(code: String, location: Option<Location>) -> Result<ScanOutcome, AppError> {
    use crate::server::consumer_cookie::device_id;
    use crate::server::context::{client_ip, request_parts, respond, state};
    respond(async move {
        let state = state()?;
        let device = device_id()?;
        let ip = client_ip(&request_parts()?, state.config.trust_proxy);
        crate::server::draw::scan(&state, &device, &ip, &code, location).await
    })
    .await
}

/// Draws on a scan of this device. `idempotency_key` (8–64 letters, digits, `-`, `_`) is made
/// once per draw by the client and sent again on a retry: a retry, a double click or a second
/// draw on the same scan answers the first result with `replayed: true`.
#[server(prefix = "/api", endpoint = "c/draw", input = Json)]
pub async fn draw(scan_id: i64, idempotency_key: String) -> Result<DrawResult, AppError> {
    use crate::server::consumer_cookie::device_id;
    use crate::server::context::{client_ip, request_parts, respond, state};
    respond(async move {
        let state = state()?;
        let device = device_id()?;
        let ip = client_ip(&request_parts()?, state.config.trust_proxy);
        crate::server::draw::draw(&state, &device, &ip, scan_id, &idempotency_key).await
    })
    .await
}
