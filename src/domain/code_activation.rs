//! Info entry and activation by serial range (号段), and the range arithmetic behind it.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to info entry and activation (rendered through [`crate::domain::validate::Msg::Activation`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationMsg {}

impl ActivationMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
