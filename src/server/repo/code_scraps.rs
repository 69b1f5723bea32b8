//! Scrapped serial ranges.
