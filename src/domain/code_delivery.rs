//! Delivery of package files to packaging factories: extraction, download limits, history.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to delivery and downloads (rendered through [`crate::domain::validate::Msg::Delivery`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryMsg {}

impl DeliveryMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
