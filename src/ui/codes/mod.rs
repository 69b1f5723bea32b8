//! 码管理 pages.

pub mod activation;
pub mod packages;
pub mod query;
pub mod receive;
pub mod scrap;
pub mod specs;
