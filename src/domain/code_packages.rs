//! Code packages (码包): the application form and its bounds, the review states a package
//! goes through, the lists' tabs and filters, and a package's batches (one file each).
//!
//! pending → approved (straight on to generating) | rejected; generating → generated | failed
//! (retry: generating again) → sent. Only the applicant edits or withdraws, and only while
//! pending; only the spec's reviewers review, never the applicant.

use super::validate::{Check, FieldError, Msg};
use crate::i18n::{Locale, T};
use serde::{Deserialize, Serialize};

pub const PACKAGE_NAME_MAX: usize = 50;
pub const REMARK_MAX: usize = 200;
pub const REJECT_REASON_MAX: usize = 200;
/// The largest package: 20 million codes.
pub const CODE_COUNT_MAX: i64 = 20_000_000;
/// At most 100 files (batches) per package.
pub const FILE_COUNT_MAX: i64 = 100;

/// Refusals specific to package application and review (rendered through [`crate::domain::validate::Msg::Package`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackageMsg {
    /// The code count is not a whole number from 1 to 20,000,000.
    CodeCount,
    /// The number of files is not a whole number from 1 to 100.
    FileCount,
    /// More files than codes.
    MoreFilesThanCodes,
    /// The signed-in person is not among the spec's applicants.
    NotAnApplicant { spec: String },
    /// The signed-in person is not among the spec's reviewers.
    NotAReviewer { spec: String },
    /// No one reviews their own application.
    OwnApplication,
    /// Reviewed already (by someone else, or by an earlier click): its status now.
    AlreadyReviewed { status: PackageStatus },
    /// Edited or withdrawn by someone other than the applicant.
    NotYourApplication,
    /// Edited or withdrawn after the review.
    NoLongerPending { status: PackageStatus },
    /// A retry of a package whose generation did not fail.
    NotFailed { status: PackageStatus },
}

impl PackageMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (PackageMsg::CodeCount, Zh) => format!("码数量须为 1 至 {} 的整数", l.int(CODE_COUNT_MAX)),
            (PackageMsg::CodeCount, En) => format!("The code count must be a whole number from 1 to {}", l.int(CODE_COUNT_MAX)),
            (PackageMsg::FileCount, Zh) => format!("文件数须为 1 至 {FILE_COUNT_MAX} 的整数"),
            (PackageMsg::FileCount, En) => format!("The number of files must be a whole number from 1 to {FILE_COUNT_MAX}"),
            (PackageMsg::MoreFilesThanCodes, Zh) => "文件数不能超过码数量".into(),
            (PackageMsg::MoreFilesThanCodes, En) => "There cannot be more files than codes".into(),
            (PackageMsg::NotAnApplicant { spec }, Zh) => format!("您不是码规格「{spec}」的申请人，不能用它申请码包"),
            (PackageMsg::NotAnApplicant { spec }, En) => format!("You are not an applicant of the code spec “{spec}”"),
            (PackageMsg::NotAReviewer { spec }, Zh) => format!("您不是码规格「{spec}」的审核人，不能审核此码包"),
            (PackageMsg::NotAReviewer { spec }, En) => format!("You are not a reviewer of the code spec “{spec}”"),
            (PackageMsg::OwnApplication, Zh) => "不能审核自己申请的码包".into(),
            (PackageMsg::OwnApplication, En) => "You cannot review your own application".into(),
            (PackageMsg::AlreadyReviewed { status }, Zh) => format!("该码包已被审核，当前状态：{}", status.label(l)),
            (PackageMsg::AlreadyReviewed { status }, En) => format!("This package was reviewed already; it is now: {}", status.label(l)),
            (PackageMsg::NotYourApplication, Zh) => "只有申请人可以修改或撤回申请".into(),
            (PackageMsg::NotYourApplication, En) => "Only the applicant can edit or withdraw the application".into(),
            (PackageMsg::NoLongerPending { status }, Zh) => format!("只有待审核的申请可以修改或撤回，当前状态：{}", status.label(l)),
            (PackageMsg::NoLongerPending { status }, En) => {
                format!("Only a pending application can be edited or withdrawn; it is now: {}", status.label(l))
            }
            (PackageMsg::NotFailed { status }, Zh) => format!("只有生成失败的码包可以重试，当前状态：{}", status.label(l)),
            (PackageMsg::NotFailed { status }, En) => {
                format!("Only a package whose generation failed can be retried; it is now: {}", status.label(l))
            }
        }
    }
}

impl From<PackageMsg> for Msg {
    fn from(m: PackageMsg) -> Msg {
        Msg::Package(m)
    }
}

/// 正式使用 or 测试.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Purpose {
    #[default]
    Production,
    Test,
}

impl Purpose {
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Purpose::Production => T::PurposeProduction,
            Purpose::Test => T::PurposeTest,
        }
        .in_(l)
    }
}

/// A package's state (code_packages.status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum PackageStatus {
    Pending,
    Approved,
    Rejected,
    Generating,
    Generated,
    Failed,
    Sent,
}

impl PackageStatus {
    pub const ALL: [PackageStatus; 7] = [
        PackageStatus::Pending,
        PackageStatus::Approved,
        PackageStatus::Rejected,
        PackageStatus::Generating,
        PackageStatus::Generated,
        PackageStatus::Failed,
        PackageStatus::Sent,
    ];

    /// The stored value (also the `data-status` of its badge).
    pub fn key(self) -> &'static str {
        match self {
            PackageStatus::Pending => "pending",
            PackageStatus::Approved => "approved",
            PackageStatus::Rejected => "rejected",
            PackageStatus::Generating => "generating",
            PackageStatus::Generated => "generated",
            PackageStatus::Failed => "failed",
            PackageStatus::Sent => "sent",
        }
    }

    pub fn from_key(key: &str) -> Option<PackageStatus> {
        PackageStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            PackageStatus::Pending => T::PackagePending,
            PackageStatus::Approved => T::PackageApproved,
            PackageStatus::Rejected => T::PackageRejected,
            PackageStatus::Generating => T::PackageGenerating,
            PackageStatus::Generated => T::PackageGenerated,
            PackageStatus::Failed => T::PackageFailed,
            PackageStatus::Sent => T::PackageSent,
        }
        .in_(l)
    }
}

/// The application form (new, or an edit while pending).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageInput {
    pub id: Option<i64>,
    pub version: i32,
    pub spec_id: Option<i64>,
    pub name: String,
    pub purpose: Purpose,
    /// Signed and wide on purpose: a negative or oversized count is refused with a message on
    /// the field rather than failing to decode.
    pub code_count: i64,
    pub file_count: i64,
    /// The receiving packaging factory.
    pub factory_id: Option<i64>,
    /// Pre-entered product and filling factory (optional).
    pub product_id: Option<i64>,
    pub filling_factory_id: Option<i64>,
    pub remark: String,
}

impl PackageInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("spec_id", self.spec_id.is_some(), Msg::Required);
        c.text("name", &self.name, PACKAGE_NAME_MAX);
        c.rule("code_count", (1..=CODE_COUNT_MAX).contains(&self.code_count), PackageMsg::CodeCount.into());
        c.rule("file_count", (1..=FILE_COUNT_MAX).contains(&self.file_count), PackageMsg::FileCount.into());
        c.rule("file_count", self.code_count < 1 || self.file_count <= self.code_count, PackageMsg::MoreFilesThanCodes.into());
        c.rule("factory_id", self.factory_id.is_some(), Msg::Required);
        c.optional_text("remark", &self.remark, REMARK_MAX);
        c.finish()
    }
}

/// Parses a typed count: whole numbers only (digits, optional thousands commas or spaces);
/// `None` for anything else, which the form reports with the field's bound.
pub fn parse_count(s: &str) -> Option<i64> {
    let digits: String = s.trim().chars().filter(|c| !matches!(c, ',' | ' ' | '，')).collect();
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Codes per file for a count split into files: (smallest, largest); the first
/// `count % files` files hold one more (see [`crate::domain::codes::batch_ranges`]).
pub fn codes_per_file(count: i64, files: i64) -> Option<(i64, i64)> {
    if !(1..=CODE_COUNT_MAX).contains(&count) || !(1..=FILE_COUNT_MAX).contains(&files) || files > count {
        return None;
    }
    let size = count / files;
    Some((size, if count % files == 0 { size } else { size + 1 }))
}

/// A reviewer's decision on a pending application (`version` as the reviewer saw it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub id: i64,
    pub version: i32,
    pub approve: bool,
    /// Required to reject.
    pub reason: String,
}

impl ReviewInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        if self.approve {
            c.optional_text("reason", &self.reason, REJECT_REASON_MAX);
        } else {
            c.text("reason", &self.reason, REJECT_REASON_MAX);
        }
        c.finish()
    }
}

/// Which packages a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackageTab {
    /// Applied for by me.
    #[default]
    Mine,
    /// Pending, of specs I review, not applied for by me.
    ToReview,
    /// Reviewed by me.
    Reviewed,
    /// Every package of the enterprise (CodePackages manage).
    All,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageFilter {
    pub tab: PackageTab,
    pub status: Option<PackageStatus>,
    /// Package name or spec name contains, or the package ID.
    pub search: String,
}

/// A package as the lists show it, with what the signed-in person may do with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PackageRow {
    pub id: i64,
    pub name: String,
    pub spec_id: i64,
    pub spec_name: String,
    pub purpose: Purpose,
    pub code_count: i64,
    pub file_count: i64,
    pub factory_name: String,
    pub status: PackageStatus,
    pub applicant_name: String,
    pub applied_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// The generation job's progress (codes written of total), while generating.
    pub progress: i64,
    pub total: i64,
    /// I applied for it and it is pending.
    pub can_edit: bool,
    /// It is pending, I review its spec and did not apply for it.
    pub can_review: bool,
    /// Its generation failed and I review its spec.
    pub can_retry: bool,
}

/// Everything about one package: the detail page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub row: PackageRow,
    pub factory_id: i64,
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    pub filling_factory_id: Option<i64>,
    pub filling_factory_name: Option<String>,
    pub remark: String,
    pub reject_reason: Option<String>,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub generated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub sender_name: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The generation job's error, if it failed.
    pub error: Option<String>,
    pub batches: Vec<Batch>,
}

impl Package {
    /// The edit form's input on this application.
    pub fn input(&self) -> PackageInput {
        PackageInput {
            id: Some(self.row.id),
            version: self.row.version,
            spec_id: Some(self.row.spec_id),
            name: self.row.name.clone(),
            purpose: self.row.purpose,
            code_count: self.row.code_count,
            file_count: self.row.file_count,
            factory_id: Some(self.factory_id),
            product_id: self.product_id,
            filling_factory_id: self.filling_factory_id,
            remark: self.remark.clone(),
        }
    }
}

/// One file of a package: a contiguous serial range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Batch {
    pub batch_no: i32,
    pub serial_start: i32,
    pub serial_end: i32,
    pub file_name: String,
    /// Bytes, once generated.
    pub file_size: Option<i64>,
    pub generated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Downloads used, of [`DOWNLOADS_MAX`].
    pub downloads: i16,
}

/// Each batch may be downloaded at most this many times (enforced by code_batches' CHECK).
pub const DOWNLOADS_MAX: i16 = 3;

/// The file name of a package's batch.
pub fn batch_file_name(package_id: i64, batch_no: u32) -> String {
    format!("{package_id}-{batch_no:03}.zip")
}

/// A package's state and its generation's progress, polled while it generates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PackageProgress {
    pub id: i64,
    pub status: PackageStatus,
    pub progress: i64,
    pub total: i64,
    pub version: i32,
}

impl PackageProgress {
    /// 0–100.
    pub fn percent(&self) -> i64 {
        match self.status {
            PackageStatus::Generated | PackageStatus::Sent => 100,
            _ if self.total > 0 => (self.progress * 100 / self.total).clamp(0, 100),
            _ => 0,
        }
    }
}

/// What the application form offers: the specs I may apply with, the factories and products.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageChoices {
    pub specs: Vec<SpecChoice>,
    pub factories: Vec<(i64, String)>,
    pub products: Vec<(i64, String)>,
}

/// A spec I am an applicant of, with its review flow for step 1 of the application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecChoice {
    pub id: i64,
    pub name: String,
    pub flow_name: String,
    pub reviewers: Vec<String>,
    pub file_receivers: Vec<String>,
    pub password_receivers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> PackageInput {
        PackageInput {
            spec_id: Some(1),
            name: "2026 春季瓶盖".into(),
            code_count: 1000,
            file_count: 3,
            factory_id: Some(2),
            ..Default::default()
        }
    }

    fn refusal(i: &PackageInput, field: &str) -> Option<Msg> {
        i.validate().err().and_then(|errs| errs.into_iter().find(|e| e.field == field).map(|e| e.msg))
    }

    #[test]
    fn code_count_bounds() {
        assert_eq!(PackageInput { code_count: CODE_COUNT_MAX, file_count: 100, ..valid() }.validate(), Ok(()));
        assert_eq!(PackageInput { code_count: 1, file_count: 1, ..valid() }.validate(), Ok(()));
        for bad in [0, -5, CODE_COUNT_MAX + 1, i64::MAX] {
            assert_eq!(
                refusal(&PackageInput { code_count: bad, file_count: 1, ..valid() }, "code_count"),
                Some(PackageMsg::CodeCount.into())
            );
        }
    }

    #[test]
    fn file_count_bounds() {
        for bad in [0, -1, 101] {
            assert_eq!(refusal(&PackageInput { file_count: bad, ..valid() }, "file_count"), Some(PackageMsg::FileCount.into()));
        }
        let i = PackageInput { code_count: 5, file_count: 6, ..valid() };
        assert_eq!(refusal(&i, "file_count"), Some(PackageMsg::MoreFilesThanCodes.into()));
    }

    #[test]
    fn required_fields() {
        let i = PackageInput { spec_id: None, factory_id: None, name: " ".into(), ..valid() };
        assert_eq!(refusal(&i, "spec_id"), Some(Msg::Required));
        assert_eq!(refusal(&i, "factory_id"), Some(Msg::Required));
        assert_eq!(refusal(&i, "name"), Some(Msg::Required));
    }

    #[test]
    fn counts_are_typed_as_whole_numbers() {
        assert_eq!(parse_count("20,000,000"), Some(20_000_000));
        assert_eq!(parse_count(" 1000 "), Some(1000));
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("-5"), None);
        assert_eq!(parse_count("1e6"), None);
        assert_eq!(parse_count(""), None);
    }

    #[test]
    fn codes_per_file_matches_the_batches() {
        assert_eq!(codes_per_file(10, 3), Some((3, 4)));
        assert_eq!(codes_per_file(20_000_000, 10), Some((2_000_000, 2_000_000)));
        assert_eq!(codes_per_file(5, 6), None);
        let ranges = crate::domain::codes::batch_ranges(10, 3);
        let sizes: Vec<i64> = ranges.iter().map(|(a, b)| i64::from(b - a + 1)).collect();
        assert_eq!((sizes.iter().min().copied(), sizes.iter().max().copied()), (Some(3), Some(4)));
    }

    #[test]
    fn rejecting_needs_a_reason() {
        let r = ReviewInput { id: 1, version: 1, approve: false, reason: "  ".into() };
        assert_eq!(r.validate().unwrap_err()[0].msg, Msg::Required);
        assert_eq!(ReviewInput { approve: true, ..r.clone() }.validate(), Ok(()));
        let long = ReviewInput { reason: "理".repeat(201), ..r };
        assert_eq!(long.validate().unwrap_err()[0].msg, Msg::TooLong { max: REJECT_REASON_MAX });
    }

    #[test]
    fn batch_files_are_named_by_package_and_number() {
        assert_eq!(batch_file_name(42, 7), "42-007.zip");
        for s in PackageStatus::ALL {
            assert_eq!(PackageStatus::from_key(s.key()), Some(s));
        }
    }
}
