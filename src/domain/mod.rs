//! Pure rules and the types that cross the wire. No leptos, sqlx or tokio here: this module
//! compiles for the server and the browser alike, so a rule is written once and the browser
//! checks it instantly with the same code the server enforces.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod basic_data;
pub mod campaign;
pub mod code_activation;
pub mod code_delivery;
pub mod code_packages;
pub mod code_query;
pub mod code_specs;
pub mod codes;
pub mod consumers;
pub mod crowd;
pub mod geo;
pub mod jobs;
pub mod lottery;
pub mod messages;
pub mod page;
pub mod play;
pub mod promotion;
pub mod risk;
pub mod scan;
pub mod validate;
pub mod warnings;
