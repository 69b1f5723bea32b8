//! Code specs and their review-flow people.
