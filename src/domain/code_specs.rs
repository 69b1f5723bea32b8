//! Code specs (码规格): which columns a package's code files carry and how they are laid out,
//! what a scan opens, the review flow (who applies, reviews, receives files and passwords) and
//! the warning parameters. [`CodeSpecInput::validate`] runs in the browser and on the server.

use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

pub const SPEC_NAME_MAX: usize = 50;
pub const FLOW_NAME_MAX: usize = 50;
pub const LANDING_URL_MAX: usize = 500;
/// The longest warning delay: one year, in hours.
pub const WARN_HOURS_MAX: i64 = 8760;
/// PIN lengths a spec may choose (0 means no PIN).
pub const PIN_DIGITS: std::ops::RangeInclusive<u8> = 4..=8;
/// What an external landing URL must contain: the code string is put in its place.
pub const CODE_PLACEHOLDER: &str = "{code}";

/// Refusals specific to code specs (rendered through [`crate::domain::validate::Msg::Spec`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecMsg {
    /// The file fields carry neither the code string nor the scan URL.
    CodeOrUrlRequired,
    DuplicateField,
    /// A separator outside [`Separator`].
    BadSeparator,
    /// PIN digits other than none or 4–8.
    PinDigits,
    /// The PIN column is chosen but the spec has no PIN.
    PinDigitsRequired,
    /// The spec has a PIN but the files would not carry it, so it could never be printed.
    PinNotInFields,
    /// An external landing page that is not an https URL with `{code}`.
    ExternalUrl,
    /// A warning delay outside 1–8760 hours.
    WarnHours,
    /// A chosen person is not (or no longer) an enabled account of the enterprise.
    AccountUnavailable,
}

impl SpecMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (SpecMsg::CodeOrUrlRequired, Zh) => "文件字段须至少包含「码字符串」或「完整扫码链接」".into(),
            (SpecMsg::CodeOrUrlRequired, En) => "The file fields must include the code string or the full scan URL".into(),
            (SpecMsg::DuplicateField, Zh) => "同一字段不能选择两次".into(),
            (SpecMsg::DuplicateField, En) => "A field cannot be chosen twice".into(),
            (SpecMsg::BadSeparator, Zh) => "分隔符只能是逗号、制表符、分号或竖线".into(),
            (SpecMsg::BadSeparator, En) => "The separator must be a comma, a tab, a semicolon or |".into(),
            (SpecMsg::PinDigits, Zh) => "防伪码位数须为「无」或 4 至 8 位".into(),
            (SpecMsg::PinDigits, En) => "PIN digits must be none or 4 to 8".into(),
            (SpecMsg::PinDigitsRequired, Zh) => "文件字段包含防伪码，请选择防伪码位数".into(),
            (SpecMsg::PinDigitsRequired, En) => "The file fields include the PIN: choose its number of digits".into(),
            (SpecMsg::PinNotInFields, Zh) => "已设置防伪码，文件字段须包含「防伪码」，否则无法印刷".into(),
            (SpecMsg::PinNotInFields, En) => "The spec has a PIN: the file fields must include it, or it cannot be printed".into(),
            (SpecMsg::ExternalUrl, Zh) => "外部链接须以 https:// 开头，并包含 {code}（扫码时替换为码字符串）".into(),
            (SpecMsg::ExternalUrl, En) => {
                "The external URL must start with https:// and contain {code} (replaced by the code string)".into()
            }
            (SpecMsg::WarnHours, Zh) => format!("请输入 1 至 {WARN_HOURS_MAX} 的整数小时，或留空不预警"),
            (SpecMsg::WarnHours, En) => format!("Enter whole hours from 1 to {WARN_HOURS_MAX}, or leave empty for no warning"),
            (SpecMsg::AccountUnavailable, Zh) => "包含已停用或不属于本企业的账号，请重新选择".into(),
            (SpecMsg::AccountUnavailable, En) => "Includes an account that is disabled or not in this enterprise; choose again".into(),
        }
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
    pub const ALL: [FileField; 6] =
        [FileField::Serial, FileField::Code, FileField::Url, FileField::Pin, FileField::Package, FileField::Batch];

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

/// The separators a spec may choose between the fields of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Separator {
    Comma,
    Tab,
    Semicolon,
    Pipe,
}

impl Separator {
    pub const ALL: [Separator; 4] = [Separator::Comma, Separator::Tab, Separator::Semicolon, Separator::Pipe];

    /// What is written between fields (and stored in code_specs.separator).
    pub fn value(self) -> &'static str {
        match self {
            Separator::Comma => ",",
            Separator::Tab => "\t",
            Separator::Semicolon => ";",
            Separator::Pipe => "|",
        }
    }

    pub fn from_value(s: &str) -> Option<Separator> {
        Separator::ALL.into_iter().find(|x| x.value() == s)
    }
}

/// What a scan of the spec's codes opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Landing {
    /// Tessera's consumer page (verification, campaigns).
    #[default]
    Tessera,
    /// An external page: the spec's URL template with `{code}` replaced.
    External,
}

/// A role in a spec's review flow (code_spec_people.role).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum SpecRole {
    Applicant,
    Reviewer,
    FileReceiver,
    PasswordReceiver,
}

impl SpecRole {
    pub const ALL: [SpecRole; 4] = [SpecRole::Applicant, SpecRole::Reviewer, SpecRole::FileReceiver, SpecRole::PasswordReceiver];

    /// The stored name (code_spec_people.role).
    pub fn key(self) -> &'static str {
        match self {
            SpecRole::Applicant => "applicant",
            SpecRole::Reviewer => "reviewer",
            SpecRole::FileReceiver => "file_receiver",
            SpecRole::PasswordReceiver => "password_receiver",
        }
    }

    /// The form field (and [`CodeSpecInput`] member) holding this role's people.
    pub fn field(self) -> &'static str {
        match self {
            SpecRole::Applicant => "applicants",
            SpecRole::Reviewer => "reviewers",
            SpecRole::FileReceiver => "file_receivers",
            SpecRole::PasswordReceiver => "password_receivers",
        }
    }
}

/// A person chosen in a review flow, or offered for one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SpecPerson {
    pub user_id: i64,
    pub name: String,
    /// Mobile or email, to tell people of the same name apart.
    pub login: String,
    /// Whether the account is enabled (a chosen person may have been disabled since).
    pub enabled: bool,
}

/// A spec with everything the list and the edit form show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeSpec {
    pub id: i64,
    pub name: String,
    pub file_fields: Vec<FileField>,
    pub file_format: FileFormat,
    pub separator: String,
    pub with_header: bool,
    pub pin_digits: u8,
    pub landing: Landing,
    pub landing_url: String,
    pub flow_name: String,
    pub applicants: Vec<SpecPerson>,
    pub reviewers: Vec<SpecPerson>,
    pub file_receivers: Vec<SpecPerson>,
    pub password_receivers: Vec<SpecPerson>,
    pub warn_generated_hours: Option<i64>,
    pub warn_entered_hours: Option<i64>,
    pub warn_sent_hours: Option<i64>,
    /// Packages applied for with this spec (a spec in use cannot be deleted).
    pub package_count: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl CodeSpec {
    pub fn people(&self, role: SpecRole) -> &[SpecPerson] {
        match role {
            SpecRole::Applicant => &self.applicants,
            SpecRole::Reviewer => &self.reviewers,
            SpecRole::FileReceiver => &self.file_receivers,
            SpecRole::PasswordReceiver => &self.password_receivers,
        }
    }

    /// How the spec's code files are laid out, for the generator.
    pub fn layout(&self) -> FileLayout {
        FileLayout {
            fields: self.file_fields.clone(),
            format: self.file_format,
            separator: self.separator.clone(),
            with_header: self.with_header,
            pin_digits: self.pin_digits,
        }
    }

    /// The edit form's input on this spec.
    pub fn input(&self) -> CodeSpecInput {
        let ids = |role| self.people(role).iter().map(|p| p.user_id).collect();
        CodeSpecInput {
            id: Some(self.id),
            version: self.version,
            name: self.name.clone(),
            file_fields: self.file_fields.clone(),
            file_format: self.file_format,
            separator: self.separator.clone(),
            with_header: self.with_header,
            pin_digits: self.pin_digits,
            landing: self.landing,
            landing_url: self.landing_url.clone(),
            flow_name: self.flow_name.clone(),
            applicants: ids(SpecRole::Applicant),
            reviewers: ids(SpecRole::Reviewer),
            file_receivers: ids(SpecRole::FileReceiver),
            password_receivers: ids(SpecRole::PasswordReceiver),
            warn_generated_hours: self.warn_generated_hours,
            warn_entered_hours: self.warn_entered_hours,
            warn_sent_hours: self.warn_sent_hours,
        }
    }
}

/// The create/edit form of a spec. People are user ids of the enterprise's enabled accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeSpecInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    /// In file order.
    pub file_fields: Vec<FileField>,
    pub file_format: FileFormat,
    pub separator: String,
    pub with_header: bool,
    pub pin_digits: u8,
    pub landing: Landing,
    /// Only for [`Landing::External`]: an https URL template containing `{code}`.
    pub landing_url: String,
    pub flow_name: String,
    pub applicants: Vec<i64>,
    pub reviewers: Vec<i64>,
    pub file_receivers: Vec<i64>,
    pub password_receivers: Vec<i64>,
    pub warn_generated_hours: Option<i64>,
    pub warn_entered_hours: Option<i64>,
    pub warn_sent_hours: Option<i64>,
}

impl Default for CodeSpecInput {
    /// A new spec: serial, code string and scan URL in a CSV with a header, Tessera's page.
    fn default() -> Self {
        CodeSpecInput {
            id: None,
            version: 0,
            name: String::new(),
            file_fields: vec![FileField::Serial, FileField::Code, FileField::Url],
            file_format: FileFormat::Csv,
            separator: Separator::Comma.value().into(),
            with_header: true,
            pin_digits: 0,
            landing: Landing::Tessera,
            landing_url: String::new(),
            flow_name: String::new(),
            applicants: vec![],
            reviewers: vec![],
            file_receivers: vec![],
            password_receivers: vec![],
            warn_generated_hours: None,
            warn_entered_hours: None,
            warn_sent_hours: None,
        }
    }
}

impl CodeSpecInput {
    pub fn people(&self, role: SpecRole) -> &[i64] {
        match role {
            SpecRole::Applicant => &self.applicants,
            SpecRole::Reviewer => &self.reviewers,
            SpecRole::FileReceiver => &self.file_receivers,
            SpecRole::PasswordReceiver => &self.password_receivers,
        }
    }

    /// The landing URL as stored: empty for Tessera's own page.
    pub fn stored_landing_url(&self) -> &str {
        match self.landing {
            Landing::Tessera => "",
            Landing::External => self.landing_url.trim(),
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, SPEC_NAME_MAX);
        let fields = &self.file_fields;
        if fields.is_empty() {
            c.fail("file_fields", Msg::Required);
        }
        if fields.iter().enumerate().any(|(i, f)| fields[..i].contains(f)) {
            c.fail("file_fields", SpecMsg::DuplicateField.into());
        }
        c.rule("file_fields", fields.contains(&FileField::Code) || fields.contains(&FileField::Url), SpecMsg::CodeOrUrlRequired.into());
        c.rule("separator", Separator::from_value(&self.separator).is_some(), SpecMsg::BadSeparator.into());
        let pin = self.pin_digits;
        if pin != 0 && !PIN_DIGITS.contains(&pin) {
            c.fail("pin_digits", SpecMsg::PinDigits.into());
        } else if pin == 0 && fields.contains(&FileField::Pin) {
            c.fail("pin_digits", SpecMsg::PinDigitsRequired.into());
        } else if pin != 0 && !fields.contains(&FileField::Pin) {
            c.fail("file_fields", SpecMsg::PinNotInFields.into());
        }
        if self.landing == Landing::External {
            c.rule("landing_url", is_external_landing(self.landing_url.trim()), SpecMsg::ExternalUrl.into());
        }
        c.text("flow_name", &self.flow_name, FLOW_NAME_MAX);
        for role in SpecRole::ALL {
            c.rule(role.field(), !self.people(role).is_empty(), Msg::Required);
        }
        for (field, hours) in [
            ("warn_generated_hours", self.warn_generated_hours),
            ("warn_entered_hours", self.warn_entered_hours),
            ("warn_sent_hours", self.warn_sent_hours),
        ] {
            c.rule(field, hours.is_none_or(|h| (1..=WARN_HOURS_MAX).contains(&h)), SpecMsg::WarnHours.into());
        }
        c.finish()
    }
}

/// An external landing page: `https://host/…` containing `{code}`, without spaces, ≤ 500.
pub fn is_external_landing(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    url.chars().count() <= LANDING_URL_MAX
        && !host.is_empty()
        && !host.contains(CODE_PLACEHOLDER)
        && url.contains(CODE_PLACEHOLDER)
        && !url.chars().any(char::is_whitespace)
}

/// Parses a typed warning delay: empty is "no warning"; anything else must be whole hours
/// (the range is checked by [`CodeSpecInput::validate`]).
pub fn parse_hours(s: &str) -> Result<Option<i64>, Msg> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(Some).map_err(|_| SpecMsg::WarnHours.into())
}

impl From<SpecMsg> for Msg {
    fn from(m: SpecMsg) -> Msg {
        Msg::Spec(m)
    }
}

/// The spec list's filter: name contains, or the ID.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpecFilter {
    pub search: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> CodeSpecInput {
        CodeSpecInput {
            name: "瓶盖码".into(),
            flow_name: "瓶盖码审核".into(),
            applicants: vec![1],
            reviewers: vec![2],
            file_receivers: vec![3],
            password_receivers: vec![4],
            ..Default::default()
        }
    }

    fn refusal(i: &CodeSpecInput, field: &str) -> Option<Msg> {
        i.validate().err().and_then(|errs| errs.into_iter().find(|e| e.field == field).map(|e| e.msg))
    }

    #[test]
    fn a_complete_spec_passes() {
        assert_eq!(valid().validate(), Ok(()));
        let pin = CodeSpecInput { file_fields: vec![FileField::Url, FileField::Pin], pin_digits: 6, ..valid() };
        assert_eq!(pin.validate(), Ok(()));
        let ext = CodeSpecInput { landing: Landing::External, landing_url: "https://brand.example.com/v?c={code}".into(), ..valid() };
        assert_eq!(ext.validate(), Ok(()));
    }

    #[test]
    fn files_carry_the_code_or_the_url() {
        let i = CodeSpecInput { file_fields: vec![FileField::Serial, FileField::Batch], ..valid() };
        assert_eq!(refusal(&i, "file_fields"), Some(SpecMsg::CodeOrUrlRequired.into()));
        let i = CodeSpecInput { file_fields: vec![], ..valid() };
        assert_eq!(refusal(&i, "file_fields"), Some(Msg::Required));
        let i = CodeSpecInput { file_fields: vec![FileField::Code, FileField::Code], ..valid() };
        assert_eq!(refusal(&i, "file_fields"), Some(SpecMsg::DuplicateField.into()));
    }

    #[test]
    fn pin_digits_and_the_pin_field_go_together() {
        let i = CodeSpecInput { file_fields: vec![FileField::Code, FileField::Pin], pin_digits: 0, ..valid() };
        assert_eq!(refusal(&i, "pin_digits"), Some(SpecMsg::PinDigitsRequired.into()));
        let i = CodeSpecInput { file_fields: vec![FileField::Code, FileField::Pin], pin_digits: 3, ..valid() };
        assert_eq!(refusal(&i, "pin_digits"), Some(SpecMsg::PinDigits.into()));
        let i = CodeSpecInput { file_fields: vec![FileField::Code, FileField::Pin], pin_digits: 9, ..valid() };
        assert_eq!(refusal(&i, "pin_digits"), Some(SpecMsg::PinDigits.into()));
        let i = CodeSpecInput { pin_digits: 6, ..valid() };
        assert_eq!(refusal(&i, "file_fields"), Some(SpecMsg::PinNotInFields.into()));
    }

    #[test]
    fn external_landing_is_https_with_the_code() {
        for bad in
            ["", "http://brand.example.com/{code}", "https://brand.example.com/verify", "https://{code}.example.com/", "https://a b/{code}"]
        {
            let i = CodeSpecInput { landing: Landing::External, landing_url: bad.into(), ..valid() };
            assert_eq!(refusal(&i, "landing_url"), Some(SpecMsg::ExternalUrl.into()), "{bad}");
        }
        // Tessera's own page ignores (and stores no) URL.
        let i = CodeSpecInput { landing: Landing::Tessera, landing_url: "junk".into(), ..valid() };
        assert_eq!(i.validate(), Ok(()));
        assert_eq!(i.stored_landing_url(), "");
    }

    #[test]
    fn every_review_role_needs_someone() {
        for role in SpecRole::ALL {
            let mut i = valid();
            match role {
                SpecRole::Applicant => i.applicants.clear(),
                SpecRole::Reviewer => i.reviewers.clear(),
                SpecRole::FileReceiver => i.file_receivers.clear(),
                SpecRole::PasswordReceiver => i.password_receivers.clear(),
            }
            assert_eq!(refusal(&i, role.field()), Some(Msg::Required));
        }
    }

    #[test]
    fn warnings_are_optional_hours_up_to_a_year() {
        let i = CodeSpecInput { warn_generated_hours: Some(24), warn_entered_hours: None, warn_sent_hours: Some(8760), ..valid() };
        assert_eq!(i.validate(), Ok(()));
        for bad in [0, -1, 8761] {
            let i = CodeSpecInput { warn_sent_hours: Some(bad), ..valid() };
            assert_eq!(refusal(&i, "warn_sent_hours"), Some(SpecMsg::WarnHours.into()));
        }
        assert_eq!(parse_hours(" "), Ok(None));
        assert_eq!(parse_hours("48"), Ok(Some(48)));
        assert!(parse_hours("1.5").is_err());
    }

    #[test]
    fn separators_round_trip() {
        for s in Separator::ALL {
            assert_eq!(Separator::from_value(s.value()), Some(s));
        }
        let i = CodeSpecInput { separator: "#".into(), ..valid() };
        assert_eq!(refusal(&i, "separator"), Some(SpecMsg::BadSeparator.into()));
    }
}
