//! Server functions: Tessera's public HTTP API under `/api/…`, JSON in and out. Each one is
//! thin: authorise with [`guard`](crate::server::context::guard), validate with the domain
//! rule the browser also ran, call a repository, record the audit entry, commit.

pub mod accounts;
pub mod audit;
pub mod basic_data;
pub mod campaign_data;
pub mod campaigns;
pub mod code_activation;
pub mod code_delivery;
pub mod code_packages;
pub mod code_query;
pub mod code_scrap;
pub mod code_specs;
pub mod consumer;
pub mod consumer_prizes;
pub mod consumers;
pub mod crowds;
pub mod exports;
pub mod promotion;
pub mod risk;
pub mod scan;
pub mod session;
pub mod warnings;
