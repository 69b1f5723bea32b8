//! The consumer's phone pages after a scan (`/s/<code>` is `ui/scan.rs`): the game, my prizes,
//! my points, my profile.

pub mod play;
pub mod points;
pub mod prizes;
pub mod profile;
