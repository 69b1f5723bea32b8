//! Code verification throughput (filled in with the code cipher).
fn main() {}
