//! Server functions: 二维码查询.
