//! Warnings (预警通知) and the download centre (下载中心): wire types and their rules.
//!
//! Warnings are raised by a periodic check (`server/warnings.rs`) from each code spec's warning
//! parameters; exports are files written by jobs, kept [`EXPORT_DAYS`] days, visible to the
//! person who asked for them only.

use crate::domain::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

// ---------- warnings ----------

/// The three conditions a spec can warn about (its `warn_*_hours` parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum WarningKind {
    /// Generated more than N hours ago and some batch is not entirely activated.
    GeneratedNotActivated,
    /// Info entered for a range more than N hours ago and the range is still not active.
    EnteredNotActivated,
    /// Sent more than N hours ago and some batch was never downloaded.
    SentNotDownloaded,
    /// A campaign prize's remaining stock reached its warning value (raised by the draw).
    PrizeStock,
}

impl WarningKind {
    pub const ALL: [WarningKind; 4] =
        [WarningKind::GeneratedNotActivated, WarningKind::EnteredNotActivated, WarningKind::SentNotDownloaded, WarningKind::PrizeStock];

    /// The stored name (`warnings.kind`), also the value in the page's filter.
    pub fn key(self) -> &'static str {
        match self {
            WarningKind::GeneratedNotActivated => "generated_not_activated",
            WarningKind::EnteredNotActivated => "entered_not_activated",
            WarningKind::SentNotDownloaded => "sent_not_downloaded",
            WarningKind::PrizeStock => "prize_stock",
        }
    }

    pub fn from_key(key: &str) -> Option<WarningKind> {
        WarningKind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (WarningKind::GeneratedNotActivated, Locale::Zh) => "生成后未激活",
            (WarningKind::GeneratedNotActivated, Locale::En) => "Generated, not activated",
            (WarningKind::EnteredNotActivated, Locale::Zh) => "录入后未激活",
            (WarningKind::EnteredNotActivated, Locale::En) => "Entered, not activated",
            (WarningKind::SentNotDownloaded, Locale::Zh) => "发送后未下载",
            (WarningKind::SentNotDownloaded, Locale::En) => "Sent, not downloaded",
            (WarningKind::PrizeStock, Locale::Zh) => "奖品库存不足",
            (WarningKind::PrizeStock, Locale::En) => "Prize stock low",
        }
    }
}

/// One raised warning, as 预警通知 lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Warning {
    pub id: i64,
    pub kind: WarningKind,
    pub title: String,
    pub body: String,
    /// A console path to act on it (`/codes/activation`, `/codes/packages/<id>`).
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
    pub handled_by_name: Option<String>,
}

/// The list's filter: a kind, and handled or not (None: all).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningFilter {
    pub kind: Option<WarningKind>,
    pub handled: Option<bool>,
}

// ---------- exports ----------

/// How long an export's file can be downloaded.
pub const EXPORT_DAYS: i64 = 7;
/// At most this many codes in one code-list export.
pub const EXPORT_MAX_CODES: u32 = 100_000;

/// What an export lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum ExportKind {
    /// 码报废记录: the scrap list under a filter.
    Scraps,
    /// 二维码查询结果: a serial range of one package, one row per code.
    Codes,
    /// 会员列表: the members under the member list's filter.
    Members,
}

impl ExportKind {
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (ExportKind::Scraps, Locale::Zh) => "码报废记录",
            (ExportKind::Scraps, Locale::En) => "Scrap list",
            (ExportKind::Codes, Locale::Zh) => "二维码查询结果",
            (ExportKind::Codes, Locale::En) => "Code query results",
            (ExportKind::Members, Locale::Zh) => "会员列表",
            (ExportKind::Members, Locale::En) => "Members",
        }
    }
}

/// The filter of a scrap-list export (as on the scrap page): package, method, dates (China time).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapExportFilter {
    pub package_id: Option<i64>,
    /// `batch`, `range` or `code`.
    pub method: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl ScrapExportFilter {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        if let Some(m) = &self.method {
            c.rule("method", ["batch", "range", "code"].contains(&m.as_str()), Msg::Export(ExportMsg::UnknownMethod));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            c.rule("to", to >= from, Msg::Export(ExportMsg::DatesReversed));
        }
        c.finish()
    }
}

/// A code-list export: serials `from..=to` of one package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeExportInput {
    pub package_id: i64,
    pub from: u32,
    pub to: u32,
}

impl CodeExportInput {
    /// The form's own rules; the server also checks the range against the package's size.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("from", self.from >= 1, Msg::Export(ExportMsg::SerialFromOne));
        c.rule("to", self.to >= self.from, Msg::Export(ExportMsg::SerialsReversed));
        if self.to >= self.from {
            c.rule("to", self.rows() <= u64::from(EXPORT_MAX_CODES), Msg::Export(ExportMsg::TooManyCodes { max: EXPORT_MAX_CODES }));
        }
        c.finish()
    }

    pub fn rows(&self) -> u64 {
        u64::from(self.to.saturating_sub(self.from)) + 1
    }
}

/// Where an export stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportState {
    Queued,
    Running,
    Ready,
    Failed,
    /// Past its download period: the file is gone.
    Expired,
}

/// One of my exports, as 下载中心 lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportItem {
    pub id: i64,
    pub kind: ExportKind,
    pub title: String,
    pub state: ExportState,
    /// 0–100 while the job runs.
    pub percent: i64,
    pub rows: Option<i64>,
    pub file_size: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl ExportItem {
    /// Where the browser downloads it (only its owner, only until it expires).
    pub fn href(&self) -> String {
        export_href(self.id)
    }
}

pub fn export_href(id: i64) -> String {
    format!("/files/exports/{id}")
}

/// "1.2 MB": a file size for people.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// Refusals specific to warnings and the download centre (rendered through [`crate::domain::validate::Msg::Export`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportMsg {
    DatesReversed,
    SerialFromOne,
    SerialsReversed,
    TooManyCodes {
        max: u32,
    },
    /// The serial range goes past the package's last code.
    BeyondPackage {
        count: u32,
    },
    /// The package's codes do not exist yet (pending or rejected).
    PackageHasNoCodes,
    UnknownMethod,
    /// The download period ended: the file was deleted.
    Expired,
    /// The job has not written the file yet.
    NotReady,
    /// The job failed: there is no file.
    ExportFailed,
}

impl ExportMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (ExportMsg::DatesReversed, Zh) => "结束日期不能早于开始日期".into(),
            (ExportMsg::DatesReversed, En) => "The end date cannot be before the start date".into(),
            (ExportMsg::SerialFromOne, Zh) => "序列号从 1 开始".into(),
            (ExportMsg::SerialFromOne, En) => "Serials start at 1".into(),
            (ExportMsg::SerialsReversed, Zh) => "结束序列号不能小于起始序列号".into(),
            (ExportMsg::SerialsReversed, En) => "The last serial cannot be before the first".into(),
            (ExportMsg::TooManyCodes { max }, Zh) => format!("一次最多导出 {max} 个码，请缩小序列号范围"),
            (ExportMsg::TooManyCodes { max }, En) => format!("At most {max} codes per export: narrow the serial range"),
            (ExportMsg::BeyondPackage { count }, Zh) => format!("超出码包范围：该码包共 {count} 个码"),
            (ExportMsg::BeyondPackage { count }, En) => format!("Beyond the package: it holds {count} codes"),
            (ExportMsg::PackageHasNoCodes, Zh) => "该码包尚未审核通过，还没有码".into(),
            (ExportMsg::PackageHasNoCodes, En) => "This package is not approved yet: it has no codes".into(),
            (ExportMsg::UnknownMethod, Zh) => "报废方式须为按批次、按号段或单码".into(),
            (ExportMsg::UnknownMethod, En) => "The method must be batch, range or single code".into(),
            (ExportMsg::Expired, Zh) => format!("该导出文件已过期（仅保留 {EXPORT_DAYS} 天）并已删除，请重新导出"),
            (ExportMsg::Expired, En) => format!("This export expired (files are kept {EXPORT_DAYS} days) and was deleted: export again"),
            (ExportMsg::NotReady, Zh) => "文件仍在生成中，请稍后在下载中心下载".into(),
            (ExportMsg::NotReady, En) => "The file is still being prepared: download it from the download centre shortly".into(),
            (ExportMsg::ExportFailed, Zh) => "导出失败，没有可下载的文件，请重新导出".into(),
            (ExportMsg::ExportFailed, En) => "The export failed: there is no file. Export again".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in WarningKind::ALL {
            assert_eq!(WarningKind::from_key(k.key()), Some(k));
        }
        assert_eq!(WarningKind::from_key("nope"), None);
    }

    #[test]
    fn code_export_limits() {
        let ok = CodeExportInput { package_id: 1, from: 1, to: EXPORT_MAX_CODES };
        assert!(ok.validate().is_ok());
        let too_many = CodeExportInput { package_id: 1, from: 1, to: EXPORT_MAX_CODES + 1 };
        assert_eq!(too_many.validate().unwrap_err()[0].msg, Msg::Export(ExportMsg::TooManyCodes { max: EXPORT_MAX_CODES }));
        let reversed = CodeExportInput { package_id: 1, from: 5, to: 4 };
        assert_eq!(reversed.validate().unwrap_err()[0].msg, Msg::Export(ExportMsg::SerialsReversed));
        let zero = CodeExportInput { package_id: 1, from: 0, to: 4 };
        assert_eq!(zero.validate().unwrap_err()[0].field, "from");
    }

    #[test]
    fn scrap_filter_dates() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert!(ScrapExportFilter { from: d("2026-01-02"), to: d("2026-01-02"), ..Default::default() }.validate().is_ok());
        assert!(ScrapExportFilter { from: d("2026-01-02"), to: d("2026-01-01"), ..Default::default() }.validate().is_err());
        assert!(ScrapExportFilter { method: Some("pile".into()), ..Default::default() }.validate().is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
    }
}
