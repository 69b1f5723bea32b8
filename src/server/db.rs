//! The two connection pools and per-request tenancy.
//!
//! * `app`: every connection runs `SET ROLE tessera_app`, so PostgreSQL row-level security
//!   applies; a transaction sees one enterprise, set by [`Db::tenant`].
//! * `system`: the owner role, for what is not one enterprise's business data: sign-in,
//!   sessions, the job queue's claim, migrations and the demo seed.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

pub type Tx = Transaction<'static, Postgres>;

/// A record a consumer's request names by id or token alone (the consumer API has no
/// enterprise).
#[derive(Clone, Copy, Debug)]
pub enum ConsumerRecord<'a> {
    Scan(i64),
    Win(i64),
    /// A promotion code's short-link token, already checked by `domain::promotion::valid_token`.
    PromotionToken(&'a str),
}

#[derive(Clone)]
pub struct Db {
    pub app: PgPool,
    pub system: PgPool,
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    /// Connects both pools to the database and applies pending migrations.
    pub async fn connect(options: PgConnectOptions, pool_size: u32) -> anyhow::Result<Db> {
        let system = Self::pool_options().max_connections(pool_size.clamp(2, 8)).connect_with(options.clone()).await?;
        MIGRATOR.run(&system).await?;
        Ok(Db { app: Self::app_pool(options, pool_size).await?, system })
    }

    /// The RLS-bound pool over already-migrated options.
    pub async fn app_pool(options: PgConnectOptions, pool_size: u32) -> anyhow::Result<PgPool> {
        Ok(Self::pool_options()
            .max_connections(pool_size.max(2))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("SET ROLE tessera_app").execute(conn).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?)
    }

    /// No ping before handing out a pooled connection: it would cost every transaction a round
    /// trip (the scan path's budget); a connection that died is found by its next query, whose
    /// error closes it.
    fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new().test_before_acquire(false)
    }

    /// A transaction of the app pool that sees only `enterprise_id`'s rows. BEGIN and the
    /// setting go in one round trip (an integer, so formatting it into the SQL is safe).
    pub async fn tenant(&self, enterprise_id: i64) -> Result<Tx, sqlx::Error> {
        self.app.begin_with(format!("BEGIN; SELECT set_config('tessera.enterprise_id', '{enterprise_id}', true)")).await
    }

    /// The tenant transaction of the enterprise a consumer's scan or win belongs to, found
    /// inside the same round trip by a function that may look past row-level security for that
    /// one fact (`tessera_scan_enterprise`, `tessera_win_enterprise`). An unknown id leaves no
    /// enterprise set: the transaction then sees no rows at all.
    pub async fn tenant_of(&self, record: ConsumerRecord<'_>) -> Result<Tx, sqlx::Error> {
        let call = match record {
            ConsumerRecord::Scan(id) => format!("tessera_scan_enterprise({id})"),
            ConsumerRecord::Win(id) => format!("tessera_win_enterprise({id})"),
            // Formatted into the SQL only in the token's own alphabet (no quote can get in).
            ConsumerRecord::PromotionToken(token) if crate::domain::promotion::valid_token(token) => {
                format!("tessera_promotion_enterprise('{token}')")
            }
            ConsumerRecord::PromotionToken(_) => "NULL::bigint".into(),
        };
        self.app.begin_with(format!("BEGIN; SELECT set_config('tessera.enterprise_id', coalesce({call}::text, ''), true)")).await
    }
}

/// The name of the unique or foreign-key constraint a database error violated, if any.
pub fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => d.constraint(),
        _ => None,
    }
}
