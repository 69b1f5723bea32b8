//! Warnings (预警通知) and the download centre (下载中心).
