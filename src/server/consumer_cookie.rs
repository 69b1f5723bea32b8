//! The consumer's device id: a random 128-bit id in a long-lived, HttpOnly, HMAC-signed first-party cookie (the analogue of an openid), set by a middleware on consumer pages and the consumer API.
//!
//! Cookie `tessera_c=<32 hex id>.<32 hex signature>`; the signature is the first 16 bytes of
//! HMAC-SHA256(id) under a key derived from the current code master secret, so nobody can choose
//! someone else's id. A mini-program, which keeps no cookies, sends the same value in the
//! `X-Tessera-Device` header and reads a freshly minted one from the response's header of that
//! name.

use super::AppState;
use crate::error::AppResult;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const COOKIE: &str = "tessera_c";
pub const HEADER: &str = "x-tessera-device";
/// Two years, in seconds.
const MAX_AGE: i64 = 2 * 365 * 24 * 3600;
/// The label of the signing key derived from the code master secret.
const KEY_LABEL: &[u8] = b"consumer-cookie";

/// The device a consumer request comes from. `fresh`: the request carried no valid id (first
/// visit, cleared cookies or a forged value) and one was minted for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceId {
    pub id: String,
    pub fresh: bool,
}

/// Paths of the consumer's pages and API, and promotion short links (nothing else gets a device
/// cookie).
fn applies(path: &str) -> bool {
    ["/s/", "/S/", "/c/", "/api/c/", "/p/"].iter().any(|p| path.starts_with(p))
}

fn mac(key: &[u8; 32], id: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac
}

/// The signed value `id.sig` of a device id.
pub fn sign(key: &[u8; 32], id: &str) -> String {
    let tag = mac(key, id).finalize().into_bytes();
    format!("{id}.{}", hex::encode(&tag[..16]))
}

/// The device id of a signed value, if its form and signature are right.
pub fn verify(key: &[u8; 32], value: &str) -> Option<String> {
    let (id, sig) = value.trim().split_once('.')?;
    let lower_hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !lower_hex(id, 32) || !lower_hex(sig, 32) {
        return None;
    }
    let sig = hex::decode(sig).ok()?;
    // Constant-time comparison of the truncated tag.
    mac(key, id).verify_truncated_left(&sig).ok()?;
    Some(id.to_string())
}

/// A new random device id: 16 bytes from the operating system's CSPRNG, lower-case hex.
pub fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The signed values a request carries: the header first, then every `tessera_c` cookie.
fn carried(headers: &http::HeaderMap) -> impl Iterator<Item = &str> {
    let header = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let cookies = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v);
    header.into_iter().chain(cookies)
}

/// Middleware on the consumer paths: verifies the device cookie (or header), mints and sets a
/// new one when it is missing or invalid, and puts the [`DeviceId`] into the request's
/// extensions for server functions ([`device_id`]).
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !applies(req.uri().path()) {
        return next.run(req).await;
    }
    let key = state.codes.derive_key(KEY_LABEL);
    let headers = req.headers();
    // Any valid value identifies the device (a stale header must not hide a good cookie).
    let valid = carried(headers).find_map(|v| verify(&key, v));
    let secure = state.config.secure_cookies || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let (device, minted) = match valid {
        Some(id) => (DeviceId { id, fresh: false }, None),
        None => {
            let id = new_id();
            let value = sign(&key, &id);
            (DeviceId { id, fresh: true }, Some(value))
        }
    };
    req.extensions_mut().insert(device);
    let mut res = next.run(req).await;
    if let Some(value) = minted {
        let mut cookie = format!("{COOKIE}={value}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax");
        if secure {
            cookie.push_str("; Secure");
        }
        if let Ok(v) = http::HeaderValue::from_str(&cookie) {
            res.headers_mut().append(http::header::SET_COOKIE, v);
        }
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            res.headers_mut().insert(HEADER, v);
        }
    }
    res
}

/// The device of the current consumer request (inside a server function under `/api/c/` or a
/// page under `/s/` or `/c/`).
pub fn device_id() -> AppResult<DeviceId> {
    let parts = super::context::request_parts()?;
    parts
        .extensions
        .get::<DeviceId>()
        .cloned()
        .ok_or_else(|| super::auth::internal("no device id: the consumer cookie layer does not cover this path"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_ids_verify_and_forgeries_do_not() {
        let key = [7u8; 32];
        let id = new_id();
        assert_eq!(id.len(), 32);
        let value = sign(&key, &id);
        assert_eq!(verify(&key, &value).as_deref(), Some(id.as_str()));
        assert_eq!(verify(&[8u8; 32], &value), None);
        let other = new_id();
        let forged = format!("{other}.{}", value.split_once('.').unwrap().1);
        assert_eq!(verify(&key, &forged), None);
        assert_eq!(verify(&key, &value.to_uppercase()), None);
        assert_eq!(verify(&key, "abc"), None);
    }

    #[test]
    fn only_consumer_paths_get_a_device() {
        assert!(applies("/s/ABC") && applies("/S/ABC") && applies("/c/profile") && applies("/api/c/draw") && applies("/p/abcd2345"));
        assert!(!applies("/api/scan/code") && !applies("/codes") && !applies("/api/campaigns/list"));
    }
}
