//! Uploaded media (product and campaign images, the promotion codes' brand logo), kept under
//! `config.media_dir` and served at `/media/` (`server::http`).

use super::auth::internal;
use super::AppState;
use crate::error::AppResult;

/// The path of an upload under the media folder, `<dir>/<prefix><digest>.<ext>`:
/// content-addressed (the first 12 bytes of SHA-256, in hex), so uploading the same file again
/// names the same path and a retried upload is idempotent.
pub fn path_of(dir: &str, prefix: &str, ext: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{dir}/{prefix}{}.{ext}", hex::encode(&sha2::Sha256::digest(bytes)[..12]))
}

/// Writes an upload at `rel` (from [`path_of`]) under the media folder.
pub async fn write(state: &AppState, rel: &str, bytes: &[u8]) -> AppResult<()> {
    let path = state.config.media_dir.join(rel);
    tokio::fs::create_dir_all(path.parent().expect("has a parent")).await.map_err(internal)?;
    tokio::fs::write(&path, bytes).await.map_err(internal)
}

/// [`path_of`] then [`write`]; returns the path.
pub async fn store(state: &AppState, dir: &str, prefix: &str, ext: &str, bytes: &[u8]) -> AppResult<String> {
    let rel = path_of(dir, prefix, ext, bytes);
    write(state, &rel, bytes).await?;
    Ok(rel)
}
