//! Field rules shared by every form, and the message type they report in.

use crate::domain::access::Function;
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// Why a value (or a whole request) was refused. Rendered in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    InvalidMobile,
    InvalidEmail,
    InvalidEan13,
    InvalidMoney,
    MobileOrEmailRequired,
    PasswordsDiffer,
    PasswordTooWeak,
    WrongPassword,
    Duplicate,
    NotFound,
    /// Still referenced: the names of what references it.
    InUse {
        by: Vec<String>,
    },
    /// The record changed since the form was loaded.
    Stale,
    BuiltInReadOnly,
    CannotDisableSelf,
    /// Granting (or assigning a position with) functions the granter does not hold.
    BeyondOwnPermissions(Vec<Function>),
    /// The person also belongs to another enterprise: their login cannot be changed here.
    LoginSharedWithOtherEnterprises,
    FileTooLarge {
        max_kb: usize,
    },
    UnsupportedFileType,
    // Refusals of one area, each with its own messages.
    Spec(super::code_specs::SpecMsg),
    Package(super::code_packages::PackageMsg),
    Delivery(super::code_delivery::DeliveryMsg),
    Activation(super::code_activation::ActivationMsg),
    Query(super::code_query::QueryMsg),
    Scan(super::scan::ScanMsg),
    Export(super::warnings::ExportMsg),
    Campaign(super::campaign::CampaignMsg),
    Consumer(super::consumers::ConsumerMsg),
    Draw(super::lottery::DrawMsg),
    Promotion(super::promotion::PromotionMsg),
    Crowd(super::crowd::CrowdMsg),
    Other(String),
}

impl Msg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (Msg::Required, Zh) => "必填".into(),
            (Msg::Required, En) => "Required".into(),
            (Msg::TooLong { max }, Zh) => format!("不能超过 {max} 个字符"),
            (Msg::TooLong { max }, En) => format!("At most {max} characters"),
            (Msg::TooShort { min }, Zh) => format!("至少 {min} 个字符"),
            (Msg::TooShort { min }, En) => format!("At least {min} characters"),
            (Msg::InvalidMobile, Zh) => "请输入 11 位中国大陆手机号".into(),
            (Msg::InvalidMobile, En) => "Enter an 11-digit mainland China mobile number".into(),
            (Msg::InvalidEmail, Zh) => "邮箱格式不正确".into(),
            (Msg::InvalidEmail, En) => "Not a valid email address".into(),
            (Msg::InvalidEan13, Zh) => "请输入 13 位 EAN-13 条码（校验位须正确）".into(),
            (Msg::InvalidEan13, En) => "Enter a 13-digit EAN-13 barcode with a correct check digit".into(),
            (Msg::InvalidMoney, Zh) => "请输入不小于 0、最多两位小数的金额".into(),
            (Msg::InvalidMoney, En) => "Enter an amount ≥ 0 with at most two decimals".into(),
            (Msg::MobileOrEmailRequired, Zh) => "请输入手机号或邮箱".into(),
            (Msg::MobileOrEmailRequired, En) => "Enter a mobile number or an email".into(),
            (Msg::PasswordsDiffer, Zh) => "两次输入的密码不一致".into(),
            (Msg::PasswordsDiffer, En) => "The passwords differ".into(),
            (Msg::PasswordTooWeak, Zh) => "密码至少 8 位，且须同时包含字母和数字".into(),
            (Msg::PasswordTooWeak, En) => "At least 8 characters, with letters and digits".into(),
            (Msg::WrongPassword, Zh) => "密码不正确".into(),
            (Msg::WrongPassword, En) => "Wrong password".into(),
            (Msg::Duplicate, Zh) => "已存在，不能重复".into(),
            (Msg::Duplicate, En) => "Already exists".into(),
            (Msg::NotFound, Zh) => "记录不存在或已被删除".into(),
            (Msg::NotFound, En) => "Not found, or deleted".into(),
            (Msg::InUse { by }, Zh) => format!("仍被引用，无法删除：{}", by.join("、")),
            (Msg::InUse { by }, En) => format!("Still referenced, cannot delete: {}", by.join(", ")),
            (Msg::Stale, Zh) => "该记录已被他人修改，请刷新后重试".into(),
            (Msg::Stale, En) => "Someone else changed this record; reload and try again".into(),
            (Msg::BuiltInReadOnly, Zh) => "内置岗位不可修改或删除".into(),
            (Msg::BuiltInReadOnly, En) => "Built-in positions cannot be changed or deleted".into(),
            (Msg::CannotDisableSelf, Zh) => "不能停用自己的账号".into(),
            (Msg::CannotDisableSelf, En) => "You cannot disable your own account".into(),
            (Msg::BeyondOwnPermissions(fs), Zh) => {
                format!("不能授予自己没有的权限：{}", fs.iter().map(|f| f.label(l)).collect::<Vec<_>>().join("、"))
            }
            (Msg::BeyondOwnPermissions(fs), En) => {
                format!("You cannot grant permissions you do not hold: {}", fs.iter().map(|f| f.label(l)).collect::<Vec<_>>().join(", "))
            }
            (Msg::LoginSharedWithOtherEnterprises, Zh) => "此人同时属于其他企业，其登录手机号和邮箱不能在本企业修改".into(),
            (Msg::LoginSharedWithOtherEnterprises, En) => {
                "This person also belongs to another enterprise; their login mobile and email cannot be changed here".into()
            }
            (Msg::FileTooLarge { max_kb }, Zh) => format!("文件不能超过 {max_kb} KB"),
            (Msg::FileTooLarge { max_kb }, En) => format!("The file must be at most {max_kb} KB"),
            (Msg::UnsupportedFileType, Zh) => "仅支持 PNG、JPEG、WebP 图片".into(),
            (Msg::UnsupportedFileType, En) => "Only PNG, JPEG and WebP images".into(),
            (Msg::Spec(m), _) => m.render(l),
            (Msg::Package(m), _) => m.render(l),
            (Msg::Delivery(m), _) => m.render(l),
            (Msg::Activation(m), _) => m.render(l),
            (Msg::Query(m), _) => m.render(l),
            (Msg::Scan(m), _) => m.render(l),
            (Msg::Export(m), _) => m.render(l),
            (Msg::Campaign(m), _) => m.render(l),
            (Msg::Consumer(m), _) => m.render(l),
            (Msg::Promotion(m), _) => m.render(l),
            (Msg::Crowd(m), _) => m.render(l),
            (Msg::Draw(m), _) => m.render(l),
            (Msg::Other(s), _) => s.clone(),
        }
    }
}

/// A refusal tied to one form field (`field` is the input's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

/// Collects field errors while a form is checked.
#[derive(Default, Debug)]
pub struct Check(pub Vec<FieldError>);

impl Check {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn fail(&mut self, field: &str, msg: Msg) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError { field: field.into(), msg });
        }
    }
    /// Required text of at most `max` characters (counted as characters, not bytes).
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, Msg::Required);
        } else {
            self.optional_text(field, value, max);
        }
    }
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().chars().count() > max {
            self.fail(field, Msg::TooLong { max });
        }
    }
    pub fn rule(&mut self, field: &str, ok: bool, msg: Msg) {
        if !ok {
            self.fail(field, msg);
        }
    }
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Mainland China mobile: 11 digits starting 1[3-9].
pub fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

/// A pragmatic address check: one `@`, a dotted domain, no spaces, ≤ 254 characters.
pub fn is_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// EAN-13 with its check digit (GS1: weights 1,3 alternating over the first 12 digits).
pub fn is_ean13(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 13 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    ean13_check_digit(&s[..12]) == Some(b[12] - b'0')
}

/// The check digit for 12 digits, or None if the input is not 12 digits.
pub fn ean13_check_digit(first12: &str) -> Option<u8> {
    let b = first12.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().enumerate().map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Parses "12", "12.5", "12.50" yuan into fen; refuses negatives and more than two decimals.
pub fn parse_money(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || whole.len() > 10 || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// Fen to the editable yuan text ("12.50").
pub fn format_money(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles() {
        assert!(is_mobile("13800138000"));
        assert!(!is_mobile("12800138000"));
        assert!(!is_mobile("1380013800"));
        assert!(!is_mobile("1380013800a"));
    }

    #[test]
    fn emails() {
        assert!(is_email("ops@example.com.cn"));
        assert!(!is_email("ops@example"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("a@@example.com"));
    }

    #[test]
    fn ean13_check_digits() {
        // 6901234567892 is a valid Chinese (690–699 prefix) example.
        assert_eq!(ean13_check_digit("690123456789"), Some(2));
        assert!(is_ean13("6901234567892"));
        assert!(!is_ean13("6901234567893"));
        assert!(!is_ean13("690123456789"));
        assert!(is_ean13("4006381333931"));
    }

    #[test]
    fn money() {
        assert_eq!(parse_money("12"), Some(1200));
        assert_eq!(parse_money("12.5"), Some(1250));
        assert_eq!(parse_money("0.05"), Some(5));
        assert_eq!(parse_money("1.234"), None);
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money(""), None);
        assert_eq!(format_money(1250), "12.50");
    }

    #[test]
    fn text_lengths_count_characters() {
        let mut c = Check::new();
        c.text("name", "码管理员码管理员码管", 10);
        assert!(c.0.is_empty());
        c.text("name", "码管理员码管理员码管理", 10);
        assert_eq!(c.0[0].msg, Msg::TooLong { max: 10 });
    }
}
