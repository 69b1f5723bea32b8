//! Code keys: the master secrets (outside the database), per-version code ciphers, and a cache
//! of package keys, so a scanned string resolves to (package, serial) with one cached lookup.
//!
//! Each key version has a 32-byte master secret, from `TESSERA_CODE_KEYS` or the key file.
//! Everything else is derived with HMAC-SHA256 (docs/codes.md):
//! - cipher key of version v = HMAC(master_v, "tessera/code-cipher"), global per version
//!   because a scan URL names no enterprise;
//! - package key = HMAC(master_v, "tessera/package" ‖ package id (8 bytes, big-endian) ‖ key_salt),
//!   with the package's random `key_salt` and `key_version` stored in `code_packages`.

use super::config::Config;
use crate::domain::codes::{batch_of, key_version_of, CodeCipher, PackageCodec, MAX_KEY_VERSION, MAX_PACKAGE_ID};
use anyhow::{anyhow, bail, Context};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

type HmacSha256 = Hmac<Sha256>;

/// Packages kept in the cache before it is emptied and refilled (≈1 KB each).
const CACHE_LIMIT: usize = 100_000;

/// One key version: its master secret and the cipher derived from it.
struct KeyVersion {
    master: [u8; 32],
    cipher: CodeCipher,
}

#[derive(sqlx::FromRow)]
struct PackageRow {
    enterprise_id: i64,
    spec_id: i64,
    code_count: i32,
    file_count: i32,
    key_version: i16,
    key_salt: Vec<u8>,
    status: String,
}

/// What resolving a code needs of its package. Immutable once the package is approved.
struct CachedPackage {
    enterprise_id: i64,
    spec_id: i64,
    code_count: u32,
    file_count: u32,
    codec: PackageCodec,
}

pub struct CodeKeys {
    /// Indexed by key version (0..=31).
    versions: Vec<Option<KeyVersion>>,
    current: u8,
    scan_base: String,
    packages: RwLock<HashMap<i64, Arc<CachedPackage>>>,
}

/// A genuine code of an approved package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedCode {
    pub enterprise_id: i64,
    pub package_id: i64,
    pub spec_id: i64,
    pub serial: u32,
    pub batch_no: u32,
    pub code_count: u32,
    pub file_count: u32,
}

/// `version:64 hex digits` entries separated by commas or lines (blank lines and `#` comments to
/// the end of a line ignored).
fn parse_keys(text: &str, source: &str) -> anyhow::Result<Vec<(u8, [u8; 32])>> {
    let mut keys: Vec<(u8, [u8; 32])> = Vec::new();
    let uncommented = text.lines().map(|line| line.split('#').next().unwrap_or_default());
    for entry in uncommented.flat_map(|line| line.split(',')).map(str::trim).filter(|e| !e.is_empty()) {
        let (version, secret) =
            entry.split_once(':').ok_or_else(|| anyhow!("{source}: a code key must read `version:secret`, e.g. `1:<64 hex digits>`"))?;
        let version: u8 = version
            .trim()
            .parse()
            .ok()
            .filter(|v| *v <= MAX_KEY_VERSION)
            .ok_or_else(|| anyhow!("{source}: code key version `{}` is not a number from 0 to {MAX_KEY_VERSION}", version.trim()))?;
        let mut master = [0u8; 32];
        hex::decode_to_slice(secret.trim(), &mut master)
            .map_err(|_| anyhow!("{source}: the secret of code key version {version} must be 64 hex digits (32 bytes)"))?;
        if keys.iter().any(|(v, _)| *v == version) {
            bail!("{source}: code key version {version} is given twice");
        }
        keys.push((version, master));
    }
    if keys.is_empty() {
        bail!("{source}: no code key (expected `1:<64 hex digits>`)");
    }
    Ok(keys)
}

/// The key file's content, creating it (mode 0600, one random secret as version 1) when missing.
fn read_or_create_key_file(path: &Path) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("reading the code key file {}", path.display()))
        }
        Err(_) => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let secret: [u8; 32] = rand::random();
    let text = format!(
        "# Tessera code master secrets, `version:secret`; new packages use the highest version.\n\
         # Losing this file makes every printed code unverifiable: back it up apart from the database.\n\
         1:{}\n",
        hex::encode(secret)
    );
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).with_context(|| format!("writing {}", path.display()))?;
            tracing::info!("created the code key file {}", path.display());
            Ok(text)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).with_context(|| format!("reading the code key file {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("creating the code key file {}", path.display())),
    }
}

impl CodeKeys {
    /// TESSERA_CODE_KEYS (`1:<64 hex>,2:<64 hex>`; current = highest) or the key file
    /// `config.code_key_file` (same format, one per line; created with one random secret, mode
    /// 0600, when missing). Scan base from `config.scan_base` (default "http://127.0.0.1:3000"),
    /// trailing slash trimmed.
    pub fn load(config: &Config) -> anyhow::Result<CodeKeys> {
        let keys = match &config.code_keys {
            Some(keys) => parse_keys(keys, "TESSERA_CODE_KEYS")?,
            None => {
                let path = &config.code_key_file;
                parse_keys(&read_or_create_key_file(path)?, &path.display().to_string())?
            }
        };
        let scan_base = config.scan_base.as_deref().unwrap_or("http://127.0.0.1:3000").trim().trim_end_matches('/').to_string();
        Ok(CodeKeys::new(&keys, scan_base))
    }

    fn new(keys: &[(u8, [u8; 32])], scan_base: String) -> CodeKeys {
        let mut versions: Vec<Option<KeyVersion>> = (0..=MAX_KEY_VERSION).map(|_| None).collect();
        for &(version, master) in keys {
            let cipher = CodeCipher::new(&derive(&master, &[b"tessera/code-cipher"]), version);
            versions[version as usize] = Some(KeyVersion { master, cipher });
        }
        let current = keys.iter().map(|(v, _)| *v).max().expect("at least one key");
        CodeKeys { versions, current, scan_base, packages: RwLock::new(HashMap::new()) }
    }

    /// The key version new packages are keyed with (the highest configured).
    pub fn current_version(&self) -> u8 {
        self.current
    }

    /// A key for another purpose (e.g. the consumer cookie's signature), derived from the current
    /// version's master secret and a label naming that purpose.
    pub fn derive_key(&self, label: &[u8]) -> [u8; 32] {
        let version = self.versions[self.current as usize].as_ref().expect("the current version is configured");
        derive(&version.master, &[b"tessera/derived/", label])
    }

    /// A fresh package key salt: 32 random bytes.
    pub fn new_salt() -> Vec<u8> {
        rand::random::<[u8; 32]>().to_vec()
    }

    /// The codec of a package from its stored key version and salt.
    pub fn codec(&self, key_version: u8, package_id: i64, key_salt: &[u8]) -> anyhow::Result<PackageCodec> {
        let version = self
            .versions
            .get(key_version as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| anyhow!("code key version {key_version} is not configured (TESSERA_CODE_KEYS or the code key file)"))?;
        if !(1..=MAX_PACKAGE_ID).contains(&package_id) {
            bail!("package id {package_id} does not fit a code");
        }
        let key = derive(&version.master, &[b"tessera/package", &package_id.to_be_bytes(), key_salt]);
        Ok(version.cipher.package(package_id, &key))
    }

    /// The origin of scan URLs, without a trailing slash.
    pub fn scan_base(&self) -> &str {
        &self.scan_base
    }

    pub fn scan_url(&self, code: &str) -> String {
        crate::domain::codes::scan_url(&self.scan_base, code)
    }

    pub fn qr_text(&self, code: &str) -> String {
        crate::domain::codes::qr_text(&self.scan_base, code)
    }

    /// Code string (canonical: as printed) → package and serial by computation plus one cached
    /// lookup of the package (system pool, no tenant: scans are anonymous). `Ok(None)`:
    /// malformed, forged, unknown package, serial outside it, or package not yet approved
    /// (pending or rejected).
    pub async fn resolve(&self, pool: &sqlx::PgPool, code: &str) -> Result<Option<ResolvedCode>, sqlx::Error> {
        let Some(version) = key_version_of(code).ok().and_then(|v| self.versions[v as usize].as_ref()) else {
            return Ok(None);
        };
        let Ok(code_ref) = version.cipher.decipher(code) else {
            return Ok(None);
        };
        let Some(package) = self.package(pool, code_ref.package_id).await? else {
            return Ok(None);
        };
        if code_ref.serial > package.code_count || !package.codec.verify(&code_ref) {
            return Ok(None);
        }
        Ok(Some(ResolvedCode {
            enterprise_id: package.enterprise_id,
            package_id: code_ref.package_id,
            spec_id: package.spec_id,
            serial: code_ref.serial,
            batch_no: batch_of(package.code_count, package.file_count, code_ref.serial).expect("serial within the package"),
            code_count: package.code_count,
            file_count: package.file_count,
        }))
    }

    /// Serial → code of a package of `enterprise_id` (query page), with the same cached lookup.
    /// None if there is no such approved package in that enterprise or the serial is outside it.
    pub async fn code_of(
        &self,
        pool: &sqlx::PgPool,
        enterprise_id: i64,
        package_id: i64,
        serial: u32,
    ) -> Result<Option<String>, sqlx::Error> {
        if !(1..=MAX_PACKAGE_ID).contains(&package_id) {
            return Ok(None);
        }
        let Some(package) = self.package(pool, package_id).await? else {
            return Ok(None);
        };
        let inside = package.enterprise_id == enterprise_id && (1..=package.code_count).contains(&serial);
        Ok(inside.then(|| package.codec.code(serial)))
    }

    /// The package from the cache, or loaded and cached once it is approved (key material and
    /// size never change after approval; pending packages are read afresh each time).
    async fn package(&self, pool: &sqlx::PgPool, package_id: i64) -> Result<Option<Arc<CachedPackage>>, sqlx::Error> {
        if let Some(package) = self.packages.read().unwrap_or_else(|e| e.into_inner()).get(&package_id) {
            return Ok(Some(package.clone()));
        }
        let row: Option<PackageRow> = sqlx::query_as(
            "SELECT enterprise_id, spec_id, code_count, file_count, key_version, key_salt, status
             FROM code_packages WHERE id = $1",
        )
        .bind(package_id)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row.filter(|row| row.status != "pending" && row.status != "rejected") else {
            return Ok(None);
        };
        let codec = match u8::try_from(row.key_version).map_err(anyhow::Error::from).and_then(|v| self.codec(v, package_id, &row.key_salt))
        {
            Ok(codec) => codec,
            Err(e) => {
                tracing::error!("codes of package {package_id} cannot be verified: {e:#}");
                return Ok(None);
            }
        };
        let package = Arc::new(CachedPackage {
            enterprise_id: row.enterprise_id,
            spec_id: row.spec_id,
            code_count: row.code_count as u32,
            file_count: row.file_count as u32,
            codec,
        });
        let mut cache = self.packages.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(package_id, package.clone());
        Ok(Some(package))
    }
}

/// HMAC-SHA256 of the concatenated parts under `master`.
fn derive(master: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(master).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(keys: Option<&str>, file: &Path) -> Config {
        let mut config = Config::from_env();
        config.code_keys = keys.map(str::to_string);
        config.code_key_file = file.to_path_buf();
        config.scan_base = Some("https://scan.example.com/".into());
        config
    }

    fn temp_path(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("tessera-code-keys-{:016x}", rand::random::<u64>())).join(name)
    }

    fn error(keys: &str) -> String {
        CodeKeys::load(&config(Some(keys), &temp_path("unused"))).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn keys_from_the_environment_use_the_highest_version() {
        let keys = CodeKeys::load(&config(Some(&format!("1:{}, 3:{}", "ab".repeat(32), "CD".repeat(32))), &temp_path("unused"))).unwrap();
        assert_eq!(keys.current_version(), 3);
        assert_eq!(keys.scan_base(), "https://scan.example.com");
        assert_eq!(keys.scan_url("ABC"), "https://scan.example.com/s/ABC");
        assert_eq!(keys.qr_text("ABC"), "HTTPS://SCAN.EXAMPLE.COM/S/ABC");
        // Both versions encode and verify; an unknown version is a clear error.
        let salt = CodeKeys::new_salt();
        for version in [1, 3] {
            let codec = keys.codec(version, 42, &salt).unwrap();
            let code = codec.code(7);
            let cipher = &keys.versions[version as usize].as_ref().unwrap().cipher;
            assert!(codec.verify(&cipher.decipher(&code).unwrap()));
        }
        assert!(keys.codec(2, 42, &salt).unwrap_err().to_string().contains("version 2 is not configured"));
    }

    #[test]
    fn package_keys_depend_on_master_package_and_salt() {
        let keys = CodeKeys::load(&config(Some(&format!("1:{}", "11".repeat(32))), &temp_path("unused"))).unwrap();
        let other = CodeKeys::load(&config(Some(&format!("1:{}", "12".repeat(32))), &temp_path("unused"))).unwrap();
        let (salt_a, salt_b) = (vec![1u8; 32], vec![2u8; 32]);
        let code = keys.codec(1, 5, &salt_a).unwrap().code(1);
        assert_eq!(code, keys.codec(1, 5, &salt_a).unwrap().code(1), "derivation is deterministic");
        assert_ne!(code, keys.codec(1, 5, &salt_b).unwrap().code(1));
        assert_ne!(code, other.codec(1, 5, &salt_a).unwrap().code(1));
        assert_ne!(keys.codec(1, 5, &salt_a).unwrap().batch_password(1), keys.codec(1, 6, &salt_a).unwrap().batch_password(1));
    }

    #[test]
    fn malformed_keys_are_refused_clearly() {
        assert!(error("").contains("no code key"));
        assert!(error("abcdef").contains("must read `version:secret`"));
        assert!(error(&format!("x:{}", "ab".repeat(32))).contains("version `x` is not a number from 0 to 31"));
        assert!(error(&format!("32:{}", "ab".repeat(32))).contains("version `32`"));
        assert!(error("1:abcd").contains("version 1 must be 64 hex digits"));
        assert!(error(&format!("1:{}", "zz".repeat(32))).contains("64 hex digits"));
        assert!(error(&format!("1:{0},1:{0}", "ab".repeat(32))).contains("version 1 is given twice"));
    }

    #[test]
    fn a_missing_key_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let path = temp_path("code-keys");
        let first = CodeKeys::load(&config(None, &path)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let second = CodeKeys::load(&config(None, &path)).unwrap();
        assert_eq!(first.current_version(), 1);
        let salt = CodeKeys::new_salt();
        assert_eq!(first.codec(1, 9, &salt).unwrap().code(3), second.codec(1, 9, &salt).unwrap().code(3));
        // A rotated file: comments, blank lines, a second version.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n# rotated\n2:{}\n", "0f".repeat(32))).unwrap();
        let rotated = CodeKeys::load(&config(None, &path)).unwrap();
        assert_eq!(rotated.current_version(), 2);
        assert_eq!(first.codec(1, 9, &salt).unwrap().code(3), rotated.codec(1, 9, &salt).unwrap().code(3));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
