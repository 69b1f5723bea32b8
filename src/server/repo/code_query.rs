//! Code query: a code's package, batch, spec, entered info, state.
