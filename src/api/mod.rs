//! Server functions: Tessera's public HTTP API under `/api/…`, JSON in and out. Each one is
//! thin: authorise with [`guard`](crate::server::context::guard), validate with the domain
//! rule the browser also ran, call a repository, record the audit entry, commit.

pub mod accounts;
pub mod audit;
pub mod basic_data;
pub mod session;
