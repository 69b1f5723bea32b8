//! Server functions: 码信息录入: info entry, activation, revocation.
