//! Server functions: 码报废.
