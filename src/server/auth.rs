//! Passwords, sign-in with throttling, and server-side sessions. Runs on the system pool:
//! who a person is, and which enterprises they belong to, precede any enterprise context.

use crate::domain::access::Grants;
use crate::domain::auth::{Throttle, ThrottlePolicy};
use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub const SESSION_COOKIE: &str = "tessera_session";

pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .expect("argon2id hashing with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random password from an alphabet without look-alikes, with at least one letter and digit.
pub fn initial_password() -> String {
    use crate::domain::accounts::INITIAL_PASSWORD_ALPHABET as A;
    let mut rng = rand::thread_rng();
    loop {
        let p: String = (0..10).map(|_| A[rng.gen_range(0..A.len())] as char).collect();
        if crate::domain::auth::is_strong_password(&p) {
            return p;
        }
    }
}

/// A session token (sent in the cookie) and its hash (stored).
fn new_token() -> (String, Vec<u8>) {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Normalises a login: mobile numbers as typed, emails lower-cased.
pub fn normalise_login(login: &str) -> String {
    let l = login.trim();
    if l.contains('@') {
        l.to_lowercase()
    } else {
        l.to_string()
    }
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: String,
}

/// Checks a login and password under the throttle; on success returns a new session token.
pub async fn sign_in(pool: &PgPool, login: &str, password: &str, ip: &str, user_agent: &str, max_hours: i64) -> Result<String, AppError> {
    let login = normalise_login(login);
    let keys = [(format!("account:{login}"), ThrottlePolicy::ACCOUNT), (format!("ip:{ip}"), ThrottlePolicy::IP)];
    for (key, policy) in &keys {
        let row: Option<(i32, DateTime<Utc>)> = sqlx::query_as("SELECT failures, last_failure FROM login_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await
            .map_err(internal)?;
        if let Some((failures, last)) = row {
            let since = (Utc::now() - last).num_seconds();
            if since > policy.window_seconds.max(policy.lock_seconds) {
                continue;
            }
            match policy.decide(failures, since) {
                Throttle::Allow => {}
                Throttle::Wait { seconds } => return Err(AppError::Throttled { seconds }),
                Throttle::Locked { seconds } => return Err(AppError::Locked { seconds }),
            }
        }
    }

    let user: Option<Credentials> = sqlx::query_as("SELECT id, password_hash FROM users WHERE mobile = $1 OR email = $1")
        .bind(&login)
        .fetch_optional(pool)
        .await
        .map_err(internal)?;
    // Hash even for an unknown login so timing does not tell which logins exist.
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash),
        None => {
            static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("not-a-password-1"));
            let _ = verify_password(password, &DUMMY);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        for (key, policy) in &keys {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, last_failure) VALUES ($1, 1, now())
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_failures.last_failure < now() - make_interval(secs => $2)
                                   THEN 1 ELSE login_failures.failures + 1 END,
                   last_failure = now()",
            )
            .bind(key)
            .bind(policy.window_seconds.max(policy.lock_seconds) as f64)
            .execute(pool)
            .await
            .map_err(internal)?;
        }
        return Err(AppError::BadCredentials);
    };

    sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(&keys[0].0).execute(pool).await.map_err(internal)?;

    // Start in the first enterprise where the account is enabled.
    let enterprise: Option<i64> = sqlx::query_scalar(
        "SELECT enterprise_id FROM memberships WHERE user_id = $1 AND status = 'enabled' ORDER BY enterprise_id LIMIT 1",
    )
    .bind(user.id)
    .fetch_optional(pool)
    .await
    .map_err(internal)?;
    let Some(enterprise) = enterprise else { return Err(AppError::AccountDisabled) };

    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, enterprise_id, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5, $6)",
    )
    .bind(hash)
    .bind(user.id)
    .bind(enterprise)
    .bind(max_hours as i32)
    .bind(ip)
    .bind(user_agent.chars().take(300).collect::<String>())
    .execute(pool)
    .await
    .map_err(internal)?;
    Ok(token)
}

/// The person and enterprise behind a valid session token.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionUser {
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub must_change_password: bool,
    pub enterprise_id: i64,
    pub position_name: String,
    pub grants: sqlx::types::Json<Grants>,
    /// 超级管理员: holds every function, including ones added after its row was written.
    pub builtin: bool,
}

/// Loads a session, refusing it if idle or past its absolute expiry, or if the person's
/// membership in the session's enterprise is disabled; touches it at most once a minute.
pub async fn load_session(pool: &PgPool, token: &str, idle_minutes: i64) -> Result<SessionUser, AppError> {
    let hash = token_hash(token);
    let row: Option<SessionUser> = sqlx::query_as(
        "SELECT u.id AS user_id, u.name, coalesce(u.mobile, u.email) AS login, u.must_change_password,
                s.enterprise_id, p.name AS position_name, p.grants, p.builtin
           FROM sessions s
           JOIN users u ON u.id = s.user_id
           JOIN memberships m ON m.user_id = s.user_id AND m.enterprise_id = s.enterprise_id
           JOIN positions p ON p.id = m.position_id
          WHERE s.token_hash = $1
            AND s.expires_at > now()
            AND s.last_seen_at > now() - make_interval(mins => $2)
            AND m.status = 'enabled'",
    )
    .bind(&hash)
    .bind(idle_minutes as i32)
    .fetch_optional(pool)
    .await
    .map_err(internal)?;
    let mut user = row.ok_or(AppError::Unauthenticated)?;
    if user.builtin {
        user.grants = sqlx::types::Json(Grants::everything());
    }
    sqlx::query("UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1 AND last_seen_at < now() - interval '1 minute'")
        .bind(&hash)
        .execute(pool)
        .await
        .map_err(internal)?;
    Ok(user)
}

pub async fn sign_out(pool: &PgPool, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(pool).await.map_err(internal)?;
    Ok(())
}

/// Ends every session of a person that is in `enterprise_id` (their account there was disabled).
pub async fn end_sessions_in(pool: &PgPool, user_id: i64, enterprise_id: i64) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND enterprise_id = $2")
        .bind(user_id)
        .bind(enterprise_id)
        .execute(pool)
        .await
        .map_err(internal)?
        .rows_affected())
}

/// Moves a session to another enterprise the person is an enabled member of.
pub async fn switch_enterprise(pool: &PgPool, token: &str, user_id: i64, enterprise_id: i64) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE sessions s SET enterprise_id = $3
          WHERE s.token_hash = $1 AND s.user_id = $2
            AND EXISTS (SELECT 1 FROM memberships m
                         WHERE m.user_id = $2 AND m.enterprise_id = $3 AND m.status = 'enabled')",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .bind(enterprise_id)
    .execute(pool)
    .await
    .map_err(internal)?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Replaces a password after checking the current one; clears the first-sign-in flag and ends
/// the person's other sessions.
pub async fn change_password(pool: &PgPool, token: &str, user_id: i64, current: &str, new: &str) -> Result<(), AppError> {
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_one(pool).await.map_err(internal)?;
    if !verify_password(current, &hash) {
        return Err(AppError::field("current", crate::domain::validate::Msg::WrongPassword));
    }
    let mut tx = pool.begin().await.map_err(internal)?;
    sqlx::query("UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1")
        .bind(user_id)
        .bind(hash_password(new))
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// The enterprises where a person's account is enabled.
pub async fn enterprises_of(pool: &PgPool, user_id: i64) -> Result<Vec<crate::domain::auth::EnterpriseRef>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.id, e.name FROM memberships m JOIN enterprises e ON e.id = m.enterprise_id
          WHERE m.user_id = $1 AND m.status = 'enabled' ORDER BY e.id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    Ok(rows.into_iter().map(|(id, name)| crate::domain::auth::EnterpriseRef { id, name }).collect())
}

/// Logs a database failure and hides its details from the client.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    let id: u32 = rand::thread_rng().gen();
    let id = format!("E{id:08x}");
    tracing::error!(error_id = %id, error = %e, "internal error");
    AppError::Internal(id)
}
