//! What a consumer's scan of a code shows: genuine, not activated, scrapped, invalid; PIN check.
