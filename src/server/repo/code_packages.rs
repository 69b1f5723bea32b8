//! Code packages: application, review, batches.
