//! Warnings (预警通知).
