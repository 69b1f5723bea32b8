//! The OpenAPI document of the consumer JSON API, served at /api/openapi.json.
//!
//! Hand-written (the server functions carry no schema metadata) and kept next to the wire types
//! of `domain/play.rs`: every schema is the serde JSON of those types. Enums use serde's default
//! externally tagged form — a unit variant is a string (`"Busy"`), a variant with data an object
//! with one key (`{"CodeDrawLimit": {"today": true}}`). docs/consumer-api.md says the same in prose.

use super::AppState;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(document()) }))
}

fn string() -> Value {
    json!({ "type": "string" })
}
fn nullable(schema: Value) -> Value {
    let mut s = schema;
    if let Some(o) = s.as_object_mut() {
        if o.contains_key("$ref") {
            return json!({ "allOf": [s], "nullable": true });
        }
        o.insert("nullable".into(), Value::Bool(true));
    }
    s
}
fn time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}
fn int64() -> Value {
    json!({ "type": "integer", "format": "int64" })
}
fn int32() -> Value {
    json!({ "type": "integer", "format": "int32" })
}
fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}
/// An enum variant carrying data: `{"Variant": <schema>}`.
fn tagged(variant: &str, schema: Value) -> Value {
    json!({ "type": "object", "required": [variant], "properties": { variant: schema }, "additionalProperties": false })
}
fn unit(variants: &[&str]) -> Value {
    json!({ "type": "string", "enum": variants })
}

/// One POST operation of a server function: JSON arguments in, JSON result (or AppError) out.
fn operation(summary: &str, description: &str, args: Value, result: Value, errors: &[(&str, &str)]) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert("200".into(), json!({ "description": "OK", "content": { "application/json": { "schema": result } } }));
    for (status, why) in errors {
        responses.insert((*status).into(), json!({ "description": why, "content": { "application/json": { "schema": r("AppError") } } }));
    }
    json!({ "post": {
        "summary": summary,
        "description": description,
        "parameters": [ { "$ref": "#/components/parameters/Device" } ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": args } } },
        "responses": responses,
    }})
}

/// The whole document.
pub fn document() -> Value {
    let refused = ("422", "Refused (`{\"Refused\":{\"Draw\":…}}`) or invalid fields (`{\"Invalid\":[…]}`)");
    let internal = ("500", "Internal error: `{\"Internal\":\"<error id>\"}` (the id is in the server log)");
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Tessera consumer API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The scan-to-win flow for a mini-program or app: scan a code, draw, claim, my prizes, my points. \
    No sign-in: the consumer is identified by a device id in the signed `tessera_c` cookie (browsers) or the \
    `X-Tessera-Device` header (apps: send back the value of the first response's `tessera_c` Set-Cookie). \
    A consumer is per enterprise (brand): the same device is a different consumer at each brand. \
    Errors are JSON values of `AppError` with HTTP 404/422/429/500. Draw and claim are idempotent by key: \
    repeating a request with the same key (or the same scan) never draws or claims twice, it answers the first result again."
        },
        "servers": [ { "url": "/" } ],
        "security": [ { "DeviceCookie": [] }, { "DeviceHeader": [] }, {} ],
        "paths": {
            "/api/c/scan": operation(
                "Scan a code",
                "Verifies the code (forged, not activated, scrapped, genuine), records the scan for a genuine code of an \
    enterprise, returns the anti-counterfeit signal and the campaign this scan may draw in. Risk control may refuse with \
    `{\"Refused\":{\"Draw\":\"Busy\"}}`.",
                object(&["code"], json!({ "code": { "type": "string", "description": "The code as printed, or the whole scanned URL" },
                                          "location": nullable(r("Location")) })),
                r("ScanOutcome"),
                &[refused, internal],
            ),
            "/api/c/draw": operation(
                "Draw",
                "Draws once for a scan of this device. `idempotency_key` (8–64 letters, digits, `-`, `_`) is chosen by the client \
    per attempt: a retry with the same key — or any second draw of the same scan — answers the first result with \
    `replayed: true`. Stock and every cap are enforced in the database; a refused prize becomes its over-limit prize.",
                object(&["scan_id", "idempotency_key"], json!({ "scan_id": int64(), "idempotency_key": string() })),
                r("DrawResult"),
                &[refused, internal],
            ),
            "/api/c/claim": operation(
                "Claim a won prize",
                "Points are credited to the ledger, a coupon's code becomes visible, cash is recorded for payout, goods need \
    `address`. `claim_key` (8–64 letters, digits, `-`, `_`) makes the claim idempotent: the same key again answers the \
    claimed prize (points are credited once); another key on a claimed prize is `AlreadyClaimed`. A win of another \
    consumer is `WinNotFound`; after the deadline `ClaimExpired`; thanks-for-playing `NothingToClaim`.",
                object(&["win_id", "claim_key"], json!({ "win_id": int64(), "claim_key": string(), "address": nullable(r("Address")) })),
                r("WonPrize"),
                &[refused, internal],
            ),
            "/api/c/prizes": operation(
                "My prizes",
                "The device's consumer's prizes at an enterprise, newest first; an unclaimed prize past its deadline reads `Expired`.",
                object(&["enterprise_id"], json!({ "enterprise_id": int64() })),
                json!({ "type": "array", "items": r("WonPrize") }),
                &[internal],
            ),
            "/api/c/points": operation(
                "My points",
                "The device's consumer's points at an enterprise: balance and the latest 50 ledger rows.",
                object(&["enterprise_id"], json!({ "enterprise_id": int64() })),
                r("MyPoints"),
                &[internal],
            ),
            "/api/scan/pin": {
                "post": {
                    "summary": "Check the anti-counterfeit PIN",
                    "description": "For a genuine, active code whose spec prints a PIN; at most 5 wrong PINs per code an hour.",
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": object(&["code", "pin"], json!({ "code": string(), "pin": string() })) } } },
                    "responses": {
                        "200": { "description": "The PIN is right", "content": { "application/json": { "schema": r("PinVerified") } } },
                        "422": { "description": "`{\"Invalid\":[{\"field\":\"pin\",\"msg\":{\"Scan\":{\"PinWrong\":{\"remaining\":4}}}}]}`, \
    `PinLocked`, `PinFormat`, or `{\"Refused\":{\"Scan\":\"NotVerifiable\"|\"NoPin\"}}`",
                                 "content": { "application/json": { "schema": r("AppError") } } },
                    }
                }
            },
        },
        "components": {
            "parameters": {
                "Device": {
                    "name": "X-Tessera-Device", "in": "header", "required": false,
                    "description": "The signed device id (for clients without cookies); browsers send the `tessera_c` cookie instead. \
    Without either a new device id is issued in a `tessera_c` Set-Cookie — a draw without one is refused.",
                    "schema": string()
                }
            },
            "securitySchemes": {
                "DeviceCookie": { "type": "apiKey", "in": "cookie", "name": "tessera_c" },
                "DeviceHeader": { "type": "apiKey", "in": "header", "name": "X-Tessera-Device" }
            },
            "schemas": schemas(),
        },
    })
}

fn schemas() -> Value {
    let prize_kind = unit(&["Points", "Coupon", "Goods", "Cash", "Thanks"]);
    json!({
        "Location": object(&["lat", "lng"], json!({ "lat": { "type": "number" }, "lng": { "type": "number" } })),
        "ScanOutcome": object(&["result"], json!({
            "result": r("ScanResult"),
            "scan": nullable(r("ScanRecord")),
            "campaign": nullable(r("CampaignOffer")),
            "no_campaign": nullable(r("DrawMsg")),
            "enterprise_id": nullable(int64()),
        })),
        "ScanResult": { "oneOf": [
            unit(&["Invalid", "NotActivated", "Scrapped"]),
            tagged("Genuine", r("Genuine")),
            tagged("Redirect", object(&["url"], json!({ "url": string() }))),
        ]},
        "Genuine": object(&["code", "enterprise", "pin_digits"], json!({
            "code": string(), "enterprise": string(), "product": nullable(string()), "specification": nullable(string()),
            "product_image": nullable(string()), "brand": nullable(string()), "produced_at": nullable(time()),
            "factory": nullable(string()), "activated_at": nullable(time()),
            "pin_digits": { "type": "integer", "description": "0: the spec prints no PIN" },
        })),
        "ScanRecord": object(&["scan_id", "first_scanned_at", "scans", "first_by_me"], json!({
            "scan_id": int64(), "first_scanned_at": time(), "first_province": nullable(string()), "first_city": nullable(string()),
            "scans": int32(), "first_by_me": { "type": "boolean" }, "province": nullable(string()), "city": nullable(string()),
        })),
        "CampaignOffer": object(&["campaign_id", "kind", "name", "page", "ends_at", "prizes"], json!({
            "campaign_id": int64(),
            "kind": unit(&["NineGrid", "Scratch"]),
            "name": string(),
            "page": r("Page"),
            "ends_at": time(),
            "prizes": { "type": "array", "items": r("PrizeTile") },
            "drawn": nullable(r("DrawResult")),
        })),
        "Page": object(&["title", "primary_color", "background_color", "rules"], json!({
            "title": string(), "primary_color": string(), "background_color": string(),
            "banner_image": nullable(string()), "rules": string(),
        })),
        "PrizeTile": object(&["key", "name", "kind"], json!({
            "key": { "type": "integer" }, "name": string(), "kind": prize_kind.clone(), "image": nullable(string()),
        })),
        "DrawResult": object(&["draw_id", "wins", "replayed"], json!({
            "draw_id": int64(),
            "wins": { "type": "array", "items": r("WonPrize"), "description": "Empty: no prize this time" },
            "thanks_key": nullable(json!({ "type": "integer" })),
            "replayed": { "type": "boolean", "description": "True when this answers a retry: nothing new was drawn" },
        })),
        "WonPrize": object(&["win_id", "campaign_id", "campaign_name", "prize_key", "name", "kind", "points", "value_fen", "status", "won_at"], json!({
            "win_id": int64(), "campaign_id": int64(), "campaign_name": string(), "prize_key": { "type": "integer" },
            "name": string(), "kind": prize_kind, "image": nullable(string()),
            "points": { "type": "integer" }, "value_fen": int64(),
            "status": unit(&["Unclaimed", "Claimed", "Expired"]),
            "won_at": time(), "claim_deadline": nullable(time()), "claimed_at": nullable(time()),
            "coupon_code": nullable(json!({ "type": "string", "description": "Coupons: shown once claimed" })),
            "coupon_valid_to": nullable(time()),
            "address": nullable(r("Address")),
        })),
        "Address": object(&["name", "mobile", "province", "city", "detail"], json!({
            "name": { "type": "string", "minLength": 1, "maxLength": 20 },
            "mobile": { "type": "string", "pattern": "^1[3-9][0-9]{9}$" },
            "province": { "type": "string", "description": "A province name as in 浙江省, 北京市" },
            "city": { "type": "string", "minLength": 1, "maxLength": 20 },
            "detail": { "type": "string", "minLength": 5, "maxLength": 100 },
        })),
        "MyPoints": object(&["balance", "entries"], json!({
            "balance": int32(),
            "entries": { "type": "array", "items": object(&["delta", "balance", "reason", "note", "at"], json!({
                "delta": int32(), "balance": int32(),
                "reason": { "type": "string", "enum": ["prize", "redeem", "adjust", "merge"] },
                "note": string(), "at": time(),
            })) },
        })),
        "PinVerified": object(&["times", "first_at"], json!({ "times": int32(), "first_at": time() })),
        "DrawMsg": { "oneOf": [
            unit(&["NoCampaign", "Ended", "Paused", "OutsideHours", "CodeScanLimit", "Busy", "ScanNotFound", "WinNotFound",
                   "ClaimExpired", "AlreadyClaimed", "NothingToClaim", "BadIdempotencyKey"]),
            tagged("NotStarted", object(&["starts_at"], json!({ "starts_at": time() }))),
            tagged("CodeDrawLimit", object(&["today"], json!({ "today": { "type": "boolean" } }))),
            tagged("CodeNotYet", object(&["minutes"], json!({ "minutes": { "type": "integer" } }))),
            tagged("UserDrawLimit", object(&["today"], json!({ "today": { "type": "boolean" } }))),
            tagged("TooSoon", object(&["seconds"], json!({ "seconds": { "type": "integer" } }))),
        ], "description": "`Busy` is every risk-control block (deliberately not saying which rule)." },
        "FieldError": object(&["field", "msg"], json!({ "field": string(), "msg": r("Msg") })),
        "Msg": {
            "description": "A refusal, externally tagged: a unit variant is a string (\"Required\", \"InvalidMobile\"), \
    an area's message an object such as {\"Draw\":\"Busy\"}, {\"Scan\":{\"PinWrong\":{\"remaining\":4}}}, {\"TooLong\":{\"max\":20}}.",
            "oneOf": [
                unit(&["Required", "InvalidMobile", "NotFound", "Stale"]),
                tagged("TooLong", object(&["max"], json!({ "max": { "type": "integer" } }))),
                tagged("TooShort", object(&["min"], json!({ "min": { "type": "integer" } }))),
                tagged("Draw", r("DrawMsg")),
                tagged("Scan", json!({ "description": "PinWrong {remaining}, PinLocked {minutes}, PinFormat {digits}, NotVerifiable, NoPin" })),
            ]
        },
        "AppError": {
            "description": "Every error body. HTTP status: 404 NotFound, 422 Invalid/Refused, 429 Throttled, 500 Internal.",
            "oneOf": [
                unit(&["NotFound"]),
                tagged("Invalid", json!({ "type": "array", "items": r("FieldError") })),
                tagged("Refused", r("Msg")),
                tagged("Throttled", object(&["seconds"], json!({ "seconds": int64() }))),
                tagged("Internal", json!({ "type": "string", "description": "The error id in the server log" })),
            ]
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lottery::DrawMsg;
    use crate::domain::play::WinStatus;

    /// The names the document lists are the ones serde writes.
    #[test]
    fn enum_spellings_match_serde() {
        let doc = document();
        let s = &doc["components"]["schemas"];
        let units = s["DrawMsg"]["oneOf"][0]["enum"].as_array().expect("DrawMsg units").clone();
        for m in [DrawMsg::Busy, DrawMsg::WinNotFound, DrawMsg::ClaimExpired, DrawMsg::AlreadyClaimed, DrawMsg::NothingToClaim] {
            assert!(units.contains(&serde_json::to_value(&m).expect("json")), "{m:?}");
        }
        let tagged = serde_json::to_value(DrawMsg::CodeDrawLimit { today: true }).expect("json");
        assert_eq!(tagged, json!({ "CodeDrawLimit": { "today": true } }));
        let statuses = s["WonPrize"]["properties"]["status"]["enum"].as_array().expect("statuses").clone();
        for w in [WinStatus::Unclaimed, WinStatus::Claimed, WinStatus::Expired] {
            assert!(statuses.contains(&serde_json::to_value(w).expect("json")));
        }
        let busy = serde_json::to_value(crate::error::AppError::Refused(crate::domain::validate::Msg::Draw(DrawMsg::Busy))).expect("json");
        assert_eq!(busy, json!({ "Refused": { "Draw": "Busy" } }));
        for path in ["/api/c/scan", "/api/c/draw", "/api/c/claim", "/api/c/prizes", "/api/c/points", "/api/scan/pin"] {
            assert!(doc["paths"][path]["post"].is_object(), "{path}");
        }
    }

    /// Every `$ref` points at a defined schema or parameter.
    #[test]
    fn references_resolve() {
        let doc = document();
        let mut refs = vec![];
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref") {
                        out.push(r.clone());
                    }
                    o.values().for_each(|v| walk(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        walk(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let path = r.trim_start_matches("#/").split('/').collect::<Vec<_>>();
            let target = path.iter().fold(&doc, |v, p| &v[*p]);
            assert!(!target.is_null(), "{r} is not defined");
        }
    }
}
