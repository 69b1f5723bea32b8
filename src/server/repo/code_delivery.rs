//! Delivery: sending, extraction, download counting and history.
