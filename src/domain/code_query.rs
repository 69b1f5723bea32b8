//! Code query (二维码查询) and scrapping (码报废).

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to query and scrapping (rendered through [`crate::domain::validate::Msg::Query`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryMsg {}

impl QueryMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
