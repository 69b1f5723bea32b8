//! Server functions: Sending packages, the receiver page, extraction.
