//! Server functions: 预警通知.
