//! The codes themselves: format, derivation and verification (docs/codes.md).
