//! Code packages (码包): application, review states, batches.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to package application and review (rendered through [`crate::domain::validate::Msg::Package`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackageMsg {}

impl PackageMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
