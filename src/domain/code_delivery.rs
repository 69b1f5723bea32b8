//! Delivery of package files to packaging factories: extraction, download limits, history.
