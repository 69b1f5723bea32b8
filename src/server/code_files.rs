//! Package files: one AES-256 encrypted ZIP per batch, written streaming (memory does not grow
//! with the code count).
