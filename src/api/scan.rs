//! Server functions: the consumer's scan of a code (no sign-in) — what the code is, and the
//! anti-counterfeit PIN check. Also the JSON API a mini-program would call.
//!
//! Runs on the system pool (a consumer has no enterprise); every query names the enterprise
//! the code resolved to.

use crate::domain::scan::{PinVerified, ScanResult};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use crate::domain::scan::{landing_url, Genuine, ScanMsg, ScanResult, PIN_FAILURES_ALLOWED, PIN_WINDOW_MINUTES};
    use crate::domain::validate::Msg;
    use crate::error::{AppError, AppResult};
    use crate::server::auth::internal;
    use crate::server::code_keys::ResolvedCode;
    use crate::server::AppState;
    use chrono::{DateTime, Utc};

    /// Everything a scan needs about a genuine code, in one query.
    #[derive(sqlx::FromRow)]
    pub struct Facts {
        pin_digits: i16,
        landing: String,
        landing_url: String,
        enterprise: String,
        key_version: i16,
        key_salt: Vec<u8>,
        scrapped: bool,
        active: bool,
        activated_at: Option<DateTime<Utc>>,
        /// The product of the active range holding the code (campaign matching).
        pub product_id: Option<i64>,
        produced_at: Option<DateTime<Utc>>,
        product: Option<String>,
        specification: Option<String>,
        image: Option<String>,
        brand: Option<String>,
        factory: Option<String>,
    }

    /// A genuine code and what is known about it.
    pub struct Found {
        pub code: String,
        pub at: ResolvedCode,
        pub facts: Facts,
    }

    /// The code behind a scanned string, if genuine (the canonical string, resolved, and its facts).
    pub async fn look_up(state: &AppState, input: &str) -> AppResult<Option<Found>> {
        let Some((code, at)) = resolve(state, input).await? else { return Ok(None) };
        let facts = facts_of(&state.db.system, &at).await?;
        Ok(facts.map(|facts| Found { code, at, facts }))
    }

    /// The canonical string and the resolved code of a scanned string, if it is genuine (the
    /// package comes from a cache: usually no query at all).
    pub async fn resolve(state: &AppState, input: &str) -> AppResult<Option<(String, ResolvedCode)>> {
        let Some(code) = crate::domain::codes::parse_input(input) else { return Ok(None) };
        let at = state.codes.resolve(&state.db.system, &code).await.map_err(internal)?;
        Ok(at.map(|at| (code, at)))
    }

    /// What is known about a resolved code, read through `db` (the system pool, or the tenant
    /// transaction of the code's enterprise).
    pub async fn facts_of<'c>(db: impl sqlx::PgExecutor<'c>, at: &ResolvedCode) -> AppResult<Option<Facts>> {
        // The active range holding the serial (ranges never overlap), with its entered info; the
        // brand is the range's, else its product's.
        let facts: Option<Facts> = sqlx::query_as(
            "SELECT s.pin_digits, s.landing, s.landing_url, e.name AS enterprise, p.key_version, p.key_salt,
                    EXISTS (SELECT 1 FROM code_scraps c
                             WHERE c.enterprise_id = p.enterprise_id AND c.package_id = p.id
                               AND int4range(c.serial_start, c.serial_end, '[]') @> $3::integer) AS scrapped,
                    r.id IS NOT NULL AS active, r.activated_at, r.product_id, r.produced_at,
                    pr.name AS product, nullif(pr.specification, '') AS specification, pr.image,
                    coalesce(b.name, pb.name) AS brand, f.name AS factory
               FROM code_packages p
               JOIN code_specs s ON s.enterprise_id = p.enterprise_id AND s.id = p.spec_id
               JOIN enterprises e ON e.id = p.enterprise_id
               LEFT JOIN code_ranges r ON r.enterprise_id = p.enterprise_id AND r.package_id = p.id AND r.status = 'active'
                                      AND int4range(r.serial_start, r.serial_end, '[]') @> $3::integer
               LEFT JOIN products pr ON pr.enterprise_id = r.enterprise_id AND pr.id = r.product_id
               LEFT JOIN brands b ON b.enterprise_id = r.enterprise_id AND b.id = r.brand_id
               LEFT JOIN brands pb ON pb.enterprise_id = pr.enterprise_id AND pb.id = pr.brand_id
               LEFT JOIN factories f ON f.enterprise_id = r.enterprise_id AND f.id = r.factory_id
              WHERE p.enterprise_id = $1 AND p.id = $2",
        )
        .bind(at.enterprise_id)
        .bind(at.package_id)
        .bind(at.serial as i32)
        .fetch_optional(db)
        .await
        .map_err(internal)?;
        Ok(facts)
    }

    /// The verdict: scrapped wins over everything (a scrapped code never works again), then
    /// activation; an active code of an external-landing spec redirects.
    pub fn verdict(found: Option<Found>) -> ScanResult {
        let Some(Found { code, facts: f, .. }) = found else { return ScanResult::Invalid };
        if f.scrapped {
            return ScanResult::Scrapped;
        }
        if !f.active {
            return ScanResult::NotActivated;
        }
        if f.landing == "external" && !f.landing_url.is_empty() {
            return ScanResult::Redirect { url: landing_url(&f.landing_url, &code) };
        }
        ScanResult::Genuine(Genuine {
            code,
            enterprise: f.enterprise,
            product: f.product,
            specification: f.specification,
            product_image: f.image.map(|i| format!("/media/{i}")),
            brand: f.brand,
            produced_at: f.produced_at,
            factory: f.factory,
            activated_at: f.activated_at,
            pin_digits: u8::try_from(f.pin_digits).unwrap_or(0),
        })
    }

    fn pin_error(msg: ScanMsg) -> AppError {
        AppError::field("pin", Msg::Scan(msg))
    }

    /// Equal strings, compared in time independent of where they differ.
    fn same(a: &str, b: &str) -> bool {
        a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Checks a PIN typed for a genuine, active code. Each check first takes one of the code's
    /// attempts of the hour with a conditional upsert (so concurrent guesses cannot exceed the
    /// limit); a right PIN gives it back and is counted as a verification.
    pub async fn check(state: &AppState, input: &str, pin: &str) -> AppResult<crate::domain::scan::PinVerified> {
        let Some(found) = look_up(state, input).await? else { return Err(AppError::Refused(Msg::Scan(ScanMsg::NotVerifiable))) };
        let f = &found.facts;
        if f.scrapped || !f.active {
            return Err(AppError::Refused(Msg::Scan(ScanMsg::NotVerifiable)));
        }
        let digits = u8::try_from(f.pin_digits).unwrap_or(0);
        if digits == 0 {
            return Err(AppError::Refused(Msg::Scan(ScanMsg::NoPin)));
        }
        crate::domain::scan::check_pin_format(pin, digits)?;
        let at = &found.at;
        let codec = state.codes.codec(u8::try_from(f.key_version).map_err(internal)?, at.package_id, &f.key_salt).map_err(internal)?;

        let mut tx = state.db.system.begin().await.map_err(internal)?;
        let failures: Option<i16> = sqlx::query_scalar(
            "INSERT INTO scan_pin_checks AS k (enterprise_id, package_id, serial, failures, window_start)
             VALUES ($1, $2, $3, 1, now())
             ON CONFLICT (package_id, serial) DO UPDATE SET
                 failures = CASE WHEN k.window_start <= now() - make_interval(mins => $4) THEN 1 ELSE k.failures + 1 END,
                 window_start = CASE WHEN k.window_start <= now() - make_interval(mins => $4) THEN now() ELSE k.window_start END
               WHERE k.window_start <= now() - make_interval(mins => $4) OR k.failures < $5
             RETURNING failures",
        )
        .bind(at.enterprise_id)
        .bind(at.package_id)
        .bind(at.serial as i32)
        .bind(PIN_WINDOW_MINUTES as i32)
        .bind(PIN_FAILURES_ALLOWED)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
        let Some(failures) = failures else {
            let seconds: f64 = sqlx::query_scalar(
                "SELECT extract(epoch FROM window_start + make_interval(mins => $3) - now())::float8
                   FROM scan_pin_checks WHERE package_id = $1 AND serial = $2",
            )
            .bind(at.package_id)
            .bind(at.serial as i32)
            .bind(PIN_WINDOW_MINUTES as i32)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
            return Err(pin_error(ScanMsg::PinLocked { minutes: ((seconds / 60.0).ceil() as i64).max(1) }));
        };
        if !same(pin.trim(), &codec.pin(at.serial, digits)) {
            tx.commit().await.map_err(internal)?;
            return Err(pin_error(ScanMsg::PinWrong { remaining: (PIN_FAILURES_ALLOWED - failures).max(0) }));
        }
        let (times, first_at): (i32, DateTime<Utc>) = sqlx::query_as(
            "UPDATE scan_pin_checks
                SET failures = greatest(failures - 1, 0), verified = verified + 1,
                    first_verified_at = coalesce(first_verified_at, now())
              WHERE package_id = $1 AND serial = $2
              RETURNING verified, first_verified_at",
        )
        .bind(at.package_id)
        .bind(at.serial as i32)
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(crate::domain::scan::PinVerified { times, first_at })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn same_compares_whole_strings() {
            assert!(super::same("012345", "012345"));
            assert!(!super::same("012345", "012346"));
            assert!(!super::same("01234", "012345"));
        }
    }
}

/// What a scanned code is: invalid, not activated, scrapped, genuine (with its product info),
/// or where the brand's own page is. Anyone may ask; nothing is said about invalid codes.
#[server(prefix = "/api", endpoint = "scan/code", input = Json)]
pub async fn scan_code(code: String) -> Result<ScanResult, AppError> {
    use crate::server::context::{respond, state};
    respond(async move {
        let state = state()?;
        let found = imp::look_up(&state, &code).await?;
        Ok(imp::verdict(found))
    })
    .await
}

/// Checks the anti-counterfeit PIN of a genuine, active code (at most 5 wrong PINs per code
/// an hour). On success, says how often and since when this PIN was verified.
#[server(prefix = "/api", endpoint = "scan/pin", input = Json)]
pub async fn check_pin(code: String, pin: String) -> Result<PinVerified, AppError> {
    use crate::server::context::{respond, state};
    respond(async move { imp::check(&state()?, &code, &pin).await }).await
}
