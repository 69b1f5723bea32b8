//! Tessera's own PostgreSQL cluster, for a machine where DATABASE_URL is not set: initialised
//! in a data folder with the system's `initdb`, started with `pg_ctl` on a private Unix socket
//! (no TCP port), and stopped when Tessera shuts down.

use anyhow::{bail, Context};
use sqlx::postgres::PgConnectOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct EmbeddedPg {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    /// Run the binaries as this user (initdb refuses to run as root).
    run_as: Option<(u32, u32)>,
    /// Whether this process started the server (and so stops it).
    started: bool,
}

const DATABASE: &str = "tessera";

impl EmbeddedPg {
    pub fn new(data: &Path, port: u16, bin: Option<PathBuf>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data.parent().unwrap_or(Path::new(".")))?;
        let data = std::path::absolute(data)?;
        let socket_dir = data.with_file_name(format!("{}-socket", data.file_name().and_then(|s| s.to_str()).unwrap_or("pg")));
        let bin = match bin {
            Some(b) => b,
            None => find_bin_dir().context(
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` \
                 (scripts/setup does) or set DATABASE_URL",
            )?,
        };
        Ok(EmbeddedPg { bin, data, socket_dir, port, run_as: unprivileged_user()?, started: false })
    }

    /// Initialises the cluster if needed, starts it if it is not running, creates the database.
    pub fn start(&mut self) -> anyhow::Result<PgConnectOptions> {
        std::fs::create_dir_all(&self.socket_dir)?;
        self.give_to_runner(&self.socket_dir)?;
        if !self.data.join("PG_VERSION").exists() {
            std::fs::create_dir_all(&self.data)?;
            self.give_to_runner(&self.data)?;
            tracing::info!(data = %self.data.display(), "initialising embedded PostgreSQL cluster");
            self.run("initdb", &["-D", path(&self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])?;
        }
        if !self.is_running() {
            let opts =
                format!("-c listen_addresses='' -p {} -k {} -c fsync=on -c max_connections=100", self.port, self.socket_dir.display());
            let log = self.data.join("server.log");
            self.run("pg_ctl", &["-D", path(&self.data), "-o", &opts, "-l", path(&log), "-w", "-t", "60", "start"])?;
            self.started = true;
        }
        let createdb = Command::new(self.bin.join("psql"))
            .args(["-h", path(&self.socket_dir), "-p", &self.port.to_string(), "-U", "postgres", "-d", "postgres", "-tAc"])
            .arg(format!("SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"))
            .output()?;
        if String::from_utf8_lossy(&createdb.stdout).trim() != "1" {
            let out = Command::new(self.bin.join("createdb"))
                .args(["-h", path(&self.socket_dir), "-p", &self.port.to_string(), "-U", "postgres", DATABASE])
                .output()?;
            if !out.status.success() {
                bail!("createdb failed: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        Ok(PgConnectOptions::new().socket(&self.socket_dir).port(self.port).username("postgres").database(DATABASE))
    }

    pub fn stop(&mut self) {
        if self.started {
            tracing::info!("stopping embedded PostgreSQL");
            if let Err(e) = self.run("pg_ctl", &["-D", path(&self.data), "-m", "fast", "-w", "stop"]) {
                tracing::warn!(error = %e, "embedded PostgreSQL did not stop cleanly");
            }
            self.started = false;
        }
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl").args(["-D", path(&self.data), "status"]).output().is_ok_and(|o| o.status.success())
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.run_as {
            use std::os::unix::process::CommandExt;
            c.uid(uid).gid(gid);
        }
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let out = self.command(program).args(args).output().with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!("{program} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    fn give_to_runner(&self, dir: &Path) -> anyhow::Result<()> {
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
            // The runner must be able to reach the folder from the project root.
            let mut p = dir.parent();
            while let Some(d) = p {
                use std::os::unix::fs::PermissionsExt;
                let mut perm = std::fs::metadata(d)?.permissions();
                if perm.mode() & 0o001 == 0 {
                    perm.set_mode(perm.mode() | 0o001);
                    std::fs::set_permissions(d, perm)?;
                }
                p = d.parent();
            }
        }
        Ok(())
    }
}

impl Drop for EmbeddedPg {
    fn drop(&mut self) {
        self.stop();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("paths are UTF-8")
}

/// Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin; take the newest.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, p): &(u32, PathBuf)| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

/// When running as root, the `postgres` system user (Debian's package creates it).
fn unprivileged_user() -> anyhow::Result<Option<(u32, u32)>> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid =
        status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse::<u32>().ok());
    if euid != Some(0) {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3 && f[0] == "postgres" {
            return Ok(Some((f[2].parse()?, f[3].parse()?)));
        }
    }
    bail!("running as root, and there is no `postgres` user to run the embedded cluster as")
}
