//! Server functions: 发码管理: apply, edit, review.
