//! Warnings (预警通知) and the download centre (下载中心).

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to warnings and the download centre (rendered through [`crate::domain::validate::Msg::Export`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportMsg {}

impl ExportMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}
