//! The two connection pools and per-request tenancy.
//!
//! * `app`: every connection runs `SET ROLE tessera_app`, so PostgreSQL row-level security
//!   applies; a transaction sees one enterprise, set by [`Db::tenant`].
//! * `system`: the owner role, for what is not one enterprise's business data: sign-in,
//!   sessions, the job queue's claim, migrations and the demo seed.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

pub type Tx = Transaction<'static, Postgres>;

#[derive(Clone)]
pub struct Db {
    pub app: PgPool,
    pub system: PgPool,
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    /// Connects both pools to the database and applies pending migrations.
    pub async fn connect(options: PgConnectOptions, pool_size: u32) -> anyhow::Result<Db> {
        let system = PgPoolOptions::new().max_connections(pool_size.clamp(2, 8)).connect_with(options.clone()).await?;
        MIGRATOR.run(&system).await?;
        Ok(Db { app: Self::app_pool(options, pool_size).await?, system })
    }

    /// The RLS-bound pool over already-migrated options.
    pub async fn app_pool(options: PgConnectOptions, pool_size: u32) -> anyhow::Result<PgPool> {
        Ok(PgPoolOptions::new()
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

    /// A transaction of the app pool that sees only `enterprise_id`'s rows.
    pub async fn tenant(&self, enterprise_id: i64) -> Result<Tx, sqlx::Error> {
        let mut tx = self.app.begin().await?;
        sqlx::query("SELECT set_config('tessera.enterprise_id', $1, true)").bind(enterprise_id.to_string()).execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// The name of the unique or foreign-key constraint a database error violated, if any.
pub fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => d.constraint(),
        _ => None,
    }
}
