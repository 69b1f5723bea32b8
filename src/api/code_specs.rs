//! Server functions: 码规格管理.
