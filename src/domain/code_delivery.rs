//! Delivery of package files to packaging factories (发码 → 码包下载): sending a package to
//! its spec's receivers, the extraction link and code, download limits and history.
//!
//! A send gives the spec's file receivers an extraction link and a 6-character extraction code,
//! valid [`LINK_DAYS`] days, and (in a separate message) the spec's password receivers the
//! unzip password of each batch. A file receiver signed in to the console opens the link (or
//! the package from the receiver page), types the code, and gets a download grant valid
//! [`GRANT_MINUTES`] minutes; each batch downloads at most [`MAX_DOWNLOADS`] times.

use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Downloads per batch (the `code_batches.downloads` CHECK says the same).
pub const MAX_DOWNLOADS: i16 = 3;
/// Validity of an extraction link and code.
pub const LINK_DAYS: i64 = 7;
/// Validity of the download grant a correct extraction code opens.
pub const GRANT_MINUTES: i64 = 60;
/// Wrong extraction codes allowed per package within [`WRONG_CODE_WINDOW_MINUTES`]; the next
/// attempt is locked until the oldest of them leaves the window.
pub const WRONG_CODE_LIMIT: i64 = 5;
pub const WRONG_CODE_WINDOW_MINUTES: i64 = 15;
/// Extraction codes: 6 characters without look-alikes (no 0/O, 1/I/L, U/V).
pub const CODE_LEN: usize = 6;
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// The extraction code as typed: trimmed, inner spaces dropped, upper case.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The form of the extraction page: which package (the link's token, or a package id from the
/// receiver page) and the code typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractInput {
    pub key: String,
    pub code: String,
}

impl ExtractInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        let code = normalise_code(&self.code);
        if code.is_empty() {
            c.fail("code", Msg::Required);
        }
        c.rule("code", code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b)), Msg::Delivery(DeliveryMsg::CodeFormat));
        c.finish()
    }
}

/// What the extraction page's address names: the token of an emailed link, or (from the
/// receiver page, which cannot know the token: only its hash is stored) a package id. Either way
/// the extraction code is then required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractionKey {
    Link(String),
    Package(i64),
}

impl ExtractionKey {
    /// Tokens are 43 URL-safe base64 characters; a short all-digit key is a package id.
    pub fn parse(s: &str) -> Option<ExtractionKey> {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().ok().map(ExtractionKey::Package);
        }
        let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        (s.len() >= 22 && s.len() <= 128 && s.bytes().all(url_safe)).then(|| ExtractionKey::Link(s.to_string()))
    }
}

/// A package's delivery as the package detail page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    pub package_id: i64,
    /// The package's status key (generated, sent …): only generated and sent packages can be sent.
    pub status: String,
    pub version: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub sent_by: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub file_receivers: Vec<String>,
    pub password_receivers: Vec<String>,
    pub batches: Vec<BatchDelivery>,
    /// Newest first.
    pub events: Vec<DeliveryEvent>,
}

impl DeliveryStatus {
    pub fn sendable(&self) -> bool {
        matches!(self.status.as_str(), "generated" | "sent")
    }
}

/// One batch file and how often it was downloaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BatchDelivery {
    pub batch_no: i32,
    pub serial_start: i32,
    pub serial_end: i32,
    pub file_name: String,
    pub file_size: Option<i64>,
    pub downloads: i16,
}

impl BatchDelivery {
    pub fn downloads_left(&self) -> i16 {
        (MAX_DOWNLOADS - self.downloads).max(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryEventKind {
    Send,
    Extract,
    WrongCode,
    Download,
}

impl DeliveryEventKind {
    /// The stored name (`code_delivery_log.event`).
    pub fn key(self) -> &'static str {
        match self {
            DeliveryEventKind::Send => "send",
            DeliveryEventKind::Extract => "extract",
            DeliveryEventKind::WrongCode => "wrong_code",
            DeliveryEventKind::Download => "download",
        }
    }
    pub fn from_key(key: &str) -> Option<DeliveryEventKind> {
        [DeliveryEventKind::Send, DeliveryEventKind::Extract, DeliveryEventKind::WrongCode, DeliveryEventKind::Download]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// One line of a package's delivery history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryEvent {
    pub at: DateTime<Utc>,
    pub kind: DeliveryEventKind,
    pub batch_no: Option<i32>,
    pub user_name: Option<String>,
    pub ip: String,
}

/// What a send did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendOutcome {
    pub file_receivers: usize,
    pub password_receivers: usize,
    pub expires_at: DateTime<Utc>,
}

/// A package sent to me, on the receiver page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceivedPackage {
    pub id: i64,
    pub name: String,
    pub code_count: i32,
    pub file_count: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub batches: Vec<BatchDelivery>,
}

impl ReceivedPackage {
    pub fn link_valid(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|t| t > now)
    }
}

/// The package an extraction page is about (before the code is typed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtractionInfo {
    pub package_id: i64,
    pub name: String,
    pub code_count: i32,
    pub file_count: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// An open download grant and the batches it downloads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// Goes into the download addresses `/files/packages/<grant>/<batch_no | all>`.
    pub token: String,
    pub package_id: i64,
    pub expires_at: DateTime<Utc>,
    pub batches: Vec<BatchDelivery>,
}

/// The download address of one batch, or of every batch ("all").
pub fn download_path(grant: &str, batch_no: Option<i32>) -> String {
    match batch_no {
        Some(b) => format!("/files/packages/{grant}/{b}"),
        None => format!("/files/packages/{grant}/all"),
    }
}

/// Refusals specific to delivery and downloads (rendered through [`crate::domain::validate::Msg::Delivery`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryMsg {
    /// Only generated (or already sent) packages can be sent; `status` is the package's.
    NotSendable {
        status: String,
    },
    /// The spec has no enabled person in the role (`file_receiver` / `password_receiver`).
    NoReceivers {
        spec: String,
        role: String,
    },
    /// The package has not been sent (or its link was withdrawn).
    NotSent,
    LinkExpired {
        at: DateTime<Utc>,
    },
    /// The signed-in person is not a file receiver of the package's spec.
    NotAReceiver {
        spec: String,
    },
    /// The link belongs to another enterprise the person is a member of.
    OtherEnterprise {
        name: String,
    },
    CodeFormat,
    WrongCode {
        attempts_left: i64,
    },
    GrantExpired,
    /// The grant was opened by someone else.
    NotYourGrant,
    Exhausted {
        batch_no: i32,
    },
    AllExhausted,
    FileMissing {
        batch_no: i32,
    },
    ArchiveTooLarge,
}

impl DeliveryMsg {
    pub fn render(&self, l: Locale) -> String {
        use DeliveryMsg::*;
        use Locale::*;
        match (self, l) {
            (NotSendable { status }, Zh) => format!("只有已生成的码包可以发送，此码包当前状态为「{}」", status_label(status, l)),
            (NotSendable { status }, En) => format!("Only generated packages can be sent; this one is {}", status_label(status, l)),
            (NoReceivers { spec, role }, Zh) => {
                format!(
                    "码规格「{spec}」没有可用的{}，请先在审核流程中指定",
                    if role == "file_receiver" { "文件接收人" } else { "密码接收人" }
                )
            }
            (NoReceivers { spec, role }, En) => format!(
                "The spec “{spec}” has no enabled {}; choose one in its review flow first",
                if role == "file_receiver" { "file receiver" } else { "password receiver" }
            ),
            (NotSent, Zh) => "此码包尚未发送，暂不能提取".into(),
            (NotSent, En) => "This package has not been sent yet".into(),
            (LinkExpired { at }, Zh) => format!("提取链接已于 {} 过期，请联系品牌方重新发送", l.datetime(at)),
            (LinkExpired { at }, En) => {
                format!("The extraction link expired on {}; ask the brand to send the package again", l.datetime(at))
            }
            (NotAReceiver { spec }, Zh) => format!("您不是码规格「{spec}」的文件接收人，不能提取此码包"),
            (NotAReceiver { spec }, En) => format!("You are not a file receiver of the spec “{spec}” and cannot extract this package"),
            (OtherEnterprise { name }, Zh) => format!("此提取链接属于企业「{name}」，请先切换到该企业"),
            (OtherEnterprise { name }, En) => format!("This extraction link belongs to “{name}”; switch to that enterprise first"),
            (CodeFormat, Zh) => format!("提取码为 {CODE_LEN} 位字母或数字"),
            (CodeFormat, En) => format!("The extraction code has {CODE_LEN} letters or digits"),
            (WrongCode { attempts_left: 0 }, Zh) => {
                format!("提取码不正确，已连续错误 {WRONG_CODE_LIMIT} 次，请 {WRONG_CODE_WINDOW_MINUTES} 分钟后再试")
            }
            (WrongCode { attempts_left: 0 }, En) => {
                format!("Wrong extraction code, {WRONG_CODE_LIMIT} times in a row; try again in {WRONG_CODE_WINDOW_MINUTES} min")
            }
            (WrongCode { attempts_left }, Zh) => format!("提取码不正确，还可尝试 {attempts_left} 次"),
            (WrongCode { attempts_left }, En) => format!("Wrong extraction code; {attempts_left} attempt(s) left"),
            (GrantExpired, Zh) => "下载授权已过期，请重新输入提取码".into(),
            (GrantExpired, En) => "The download session expired; enter the extraction code again".into(),
            (NotYourGrant, Zh) => "此下载授权属于他人，请自己输入提取码".into(),
            (NotYourGrant, En) => "This download session is someone else's; enter the extraction code yourself".into(),
            (Exhausted { batch_no }, Zh) => format!("批次 {batch_no} 已下载 {MAX_DOWNLOADS} 次，不能再下载"),
            (Exhausted { batch_no }, En) => format!("Batch {batch_no} was already downloaded {MAX_DOWNLOADS} times"),
            (AllExhausted, Zh) => format!("所有批次均已下载 {MAX_DOWNLOADS} 次，不能再下载"),
            (AllExhausted, En) => format!("Every batch was already downloaded {MAX_DOWNLOADS} times"),
            (FileMissing { batch_no }, Zh) => format!("批次 {batch_no} 的文件尚未生成"),
            (FileMissing { batch_no }, En) => format!("The file of batch {batch_no} has not been generated"),
            (ArchiveTooLarge, Zh) => "文件总大小超过 4 GB，请逐个批次下载".into(),
            (ArchiveTooLarge, En) => "The files exceed 4 GB together; download them batch by batch".into(),
        }
    }
}

/// A package status key in words.
fn status_label(status: &str, l: Locale) -> &'static str {
    let (zh, en) = match status {
        "pending" => ("待审核", "pending"),
        "approved" => ("已通过", "approved"),
        "rejected" => ("已驳回", "rejected"),
        "generating" => ("生成中", "generating"),
        "generated" => ("已生成", "generated"),
        "failed" => ("生成失败", "failed"),
        "sent" => ("已发送", "sent"),
        _ => ("未知", "unknown"),
    };
    match l {
        Locale::Zh => zh,
        Locale::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_and_checked() {
        assert_eq!(normalise_code(" ab3 4cd "), "AB34CD");
        let ok = ExtractInput { key: String::new(), code: "ab34cd".into() };
        assert!(ok.validate().is_ok());
        for bad in ["", "AB34C", "AB34CDE", "AB34C0", "AB34CI", "AB34CU"] {
            let errs = ExtractInput { key: String::new(), code: bad.into() }.validate().unwrap_err();
            assert_eq!(errs[0].field, "code", "{bad}");
        }
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"01ILOUV" {
            assert!(!CODE_ALPHABET.contains(c), "{}", *c as char);
        }
        let mut sorted = CODE_ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), CODE_ALPHABET.len());
    }

    #[test]
    fn keys_are_tokens_or_package_ids() {
        assert_eq!(ExtractionKey::parse("123"), Some(ExtractionKey::Package(123)));
        let token = "q3Jx-_09AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        assert_eq!(ExtractionKey::parse(token), Some(ExtractionKey::Link(token.into())));
        assert_eq!(ExtractionKey::parse("short"), None);
        assert_eq!(ExtractionKey::parse("has/slash-and-is-long-enough-to-be-a-token"), None);
        assert_eq!(ExtractionKey::parse(""), None);
    }

    #[test]
    fn expiry_message_names_the_date() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T06:05:00Z").unwrap().with_timezone(&Utc);
        let m = DeliveryMsg::LinkExpired { at }.render(Locale::Zh);
        assert!(m.contains("2026-11-28 14:05"), "{m}");
    }
}
