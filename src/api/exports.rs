//! Server functions: 下载中心.
