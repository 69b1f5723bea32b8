//! Server-only code: configuration, the database, sessions and tenancy, repositories per area,
//! the outbox, jobs, the HTTP router and the demo seed.

pub mod audit;
pub mod auth;
pub mod bench_crowds;
pub mod bench_scan;
pub mod campaign_cache;
pub mod code_files;
pub mod code_keys;
pub mod config;
pub mod consumer_cookie;
pub mod context;
pub mod crowd_index;
pub mod crowds;
pub mod db;
pub mod delivery;
pub mod draw;
pub mod embedded_pg;
pub mod exports;
pub mod http;
pub mod jobs;
pub mod media;
pub mod openapi;
pub mod outbox;
pub mod promotion;
pub mod qr;
pub mod repo;
pub mod risk;
pub mod seed;
pub mod seed_bulk;
pub mod warnings;

use std::sync::Arc;

/// Everything a request handler needs; provided to server functions as context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: leptos::config::LeptosOptions,
    pub db: db::Db,
    pub config: Arc<config::Config>,
    pub notifier: outbox::Notifier,
    pub codes: Arc<code_keys::CodeKeys>,
    pub campaigns: Arc<campaign_cache::CampaignCache>,
    pub crowds: Arc<crowds::CrowdEngine>,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
