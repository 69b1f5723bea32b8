//! Code specs (码规格): fields, file format, landing page, review flow, warnings.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Refusals specific to code specs (rendered through [`crate::domain::validate::Msg::Spec`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecMsg {}

impl SpecMsg {
    pub fn render(&self, _l: Locale) -> String {
        match *self {}
    }
}

/// A column of a package's code files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileField {
    Serial,
    Code,
    Url,
    Pin,
    Package,
    Batch,
}

impl FileField {
    pub const ALL: [FileField; 6] = [FileField::Serial, FileField::Code, FileField::Url, FileField::Pin, FileField::Package, FileField::Batch];

    /// The stored name (code_specs.file_fields) and the file's header.
    pub fn key(self) -> &'static str {
        match self {
            FileField::Serial => "serial",
            FileField::Code => "code",
            FileField::Url => "url",
            FileField::Pin => "pin",
            FileField::Package => "package",
            FileField::Batch => "batch",
        }
    }

    pub fn from_key(key: &str) -> Option<FileField> {
        FileField::ALL.into_iter().find(|f| f.key() == key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileFormat {
    Csv,
    Txt,
}

impl FileFormat {
    pub fn key(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Txt => "txt",
        }
    }
    pub fn from_key(key: &str) -> Option<FileFormat> {
        [FileFormat::Csv, FileFormat::Txt].into_iter().find(|f| f.key() == key)
    }
}

/// How a spec's code files are laid out: what the generator needs from the spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLayout {
    pub fields: Vec<FileField>,
    pub format: FileFormat,
    /// Between fields (e.g. "," or "\t"); CSV quotes nothing because no field can hold it.
    pub separator: String,
    pub with_header: bool,
    /// 0: no PIN; else its digits (4–8).
    pub pin_digits: u8,
}
