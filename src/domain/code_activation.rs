//! Info entry and activation by serial range (号段), and the range arithmetic behind it.
