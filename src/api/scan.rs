//! Server functions: The consumer's scan of a code (no sign-in).
