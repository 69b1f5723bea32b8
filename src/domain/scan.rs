//! What a consumer's scan of a code shows: genuine, not activated, scrapped, invalid; PIN check.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to the consumer scan page (rendered through [`crate::domain::validate::Msg::Scan`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanMsg {}

impl ScanMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
