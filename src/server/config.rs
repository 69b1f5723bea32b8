//! Runtime configuration: command-line flags, each also readable from the environment.

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// PostgreSQL URL. Without it Tessera runs its own cluster in --pg-data.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Data folder of the embedded PostgreSQL cluster.
    #[arg(long, env = "TESSERA_PG_DATA", default_value = "data/pg")]
    pub pg_data: PathBuf,
    /// Port of the embedded cluster (on a private Unix socket; no TCP listener).
    #[arg(long, env = "TESSERA_PG_PORT", default_value_t = 54329)]
    pub pg_port: u16,
    /// Folder with initdb/pg_ctl; found automatically when empty.
    #[arg(long, env = "TESSERA_PG_BIN")]
    pub pg_bin: Option<PathBuf>,
    /// Connections per pool.
    #[arg(long, env = "TESSERA_DB_POOL", default_value_t = 10)]
    pub db_pool: u32,
    /// Folder for uploaded files (product images …).
    #[arg(long, env = "TESSERA_MEDIA_DIR", default_value = "data/media")]
    pub media_dir: PathBuf,
    /// Folder for generated files: code-package ZIPs and download-centre exports.
    #[arg(long, env = "TESSERA_FILES_DIR", default_value = "data/files")]
    pub files_dir: PathBuf,
    /// Master secrets of code keys, `version:hex64` separated by commas (e.g. `1:ab…,2:cd…`); new
    /// packages use the highest version. Without it Tessera keeps one in --code-key-file.
    #[arg(long, env = "TESSERA_CODE_KEYS", hide_env_values = true)]
    pub code_keys: Option<String>,
    /// File holding the code master secrets when TESSERA_CODE_KEYS is not set (created with a
    /// random secret, mode 0600, on first start). Keep it out of database backups.
    #[arg(long, env = "TESSERA_CODE_KEY_FILE", default_value = "data/code-keys")]
    pub code_key_file: PathBuf,
    /// Public origin printed in QR codes: a code's URL is `<scan-base>/s/<code>`. Defaults to
    /// the address Tessera listens on.
    #[arg(long, env = "TESSERA_SCAN_BASE")]
    pub scan_base: Option<String>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "TESSERA_SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends whatever its activity.
    #[arg(long, env = "TESSERA_SESSION_MAX_HOURS", default_value_t = 24 * 7)]
    pub session_max_hours: i64,
    /// Mark cookies Secure (set this when served over TLS; also implied by X-Forwarded-Proto: https).
    #[arg(long, env = "TESSERA_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// SMTP relay for email (host:port, plain SMTP). Without it messages are only recorded in the outbox.
    #[arg(long, env = "TESSERA_SMTP")]
    pub smtp: Option<String>,
    /// Sender address of emails.
    #[arg(long, env = "TESSERA_MAIL_FROM", default_value = "Tessera <no-reply@tessera.local>")]
    pub mail_from: String,
    /// Trust the first address of X-Forwarded-For as the client's (behind a reverse proxy).
    #[arg(long, env = "TESSERA_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
}

impl Config {
    /// Defaults plus environment, as `tessera serve` would see them without flags.
    pub fn from_env() -> Config {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        <Only as clap::Parser>::parse_from(["tessera"]).config
    }
}
