//! Code query (二维码查询) and scrapping (码报废): what a query answers about one code, and
//! scrapped serial ranges (by batch, by range or one code), which never work again.

use super::code_activation::{parse_serial_text, printable_range, ActivationMsg, Range};
use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const REASON_MAX: usize = 200;
/// A code, a scan URL or a printable serial: anything longer is none of them.
pub const QUERY_MAX: usize = 300;

/// Refusals specific to query and scrapping (rendered through [`crate::domain::validate::Msg::Query`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryMsg {
    /// Not a valid code of this enterprise (forged, mistyped, or someone else's: not said which).
    InvalidCode,
    /// The scrap overlaps an earlier one.
    OverlapsScrap { start: String, end: String, reason: String, at: DateTime<Utc> },
}

impl QueryMsg {
    pub fn render(&self, l: Locale) -> String {
        match (self, l) {
            (QueryMsg::InvalidCode, Locale::Zh) => "不是有效的码：请检查输入的码、扫码链接或序列号".into(),
            (QueryMsg::InvalidCode, Locale::En) => "Not a valid code: check the code, scan link or serial you entered".into(),
            (QueryMsg::OverlapsScrap { start, end, reason, at }, Locale::Zh) => {
                format!("与 {} 的报废记录 {start} 至 {end}（原因：{reason}）重叠", l.datetime(at))
            }
            (QueryMsg::OverlapsScrap { start, end, reason, at }, Locale::En) => {
                format!("Overlaps the scrap of {start} – {end} on {} (reason: {reason})", l.datetime(at))
            }
        }
    }
}

impl From<QueryMsg> for Msg {
    fn from(m: QueryMsg) -> Msg {
        Msg::Query(m)
    }
}

/// What a query found: nothing valid (the same answer for forged codes and other enterprises'
/// codes), or the code's details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeQueryResult {
    Invalid,
    Found(Box<CodeDetails>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDetails {
    pub package_id: i64,
    pub package_name: String,
    pub package_status: String,
    pub spec_id: i64,
    pub spec_name: String,
    pub batch_no: i32,
    pub batch_start: i32,
    pub batch_end: i32,
    pub serial: i32,
    /// "123-00000001".
    pub printable_serial: String,
    pub code: String,
    pub scan_url: String,
    /// The anti-counterfeit PIN: only if the spec has one and the viewer may manage queries.
    pub pin: Option<String>,
    /// The range holding the code, with its entered info and activation state.
    pub range: Option<Range>,
    /// The range's extra fields as (field name, value), in the fields' order.
    pub extra: Vec<(String, String)>,
    pub scrap: Option<Scrap>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum ScrapMethod {
    Batch,
    Range,
    Code,
}

impl ScrapMethod {
    pub const ALL: [ScrapMethod; 3] = [ScrapMethod::Batch, ScrapMethod::Range, ScrapMethod::Code];

    pub fn key(self) -> &'static str {
        match self {
            ScrapMethod::Batch => "batch",
            ScrapMethod::Range => "range",
            ScrapMethod::Code => "code",
        }
    }

    pub fn from_key(key: &str) -> Option<ScrapMethod> {
        ScrapMethod::ALL.into_iter().find(|m| m.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (ScrapMethod::Batch, Locale::Zh) => "按批次",
            (ScrapMethod::Batch, Locale::En) => "By batch",
            (ScrapMethod::Range, Locale::Zh) => "按号段",
            (ScrapMethod::Range, Locale::En) => "By range",
            (ScrapMethod::Code, Locale::Zh) => "单个码",
            (ScrapMethod::Code, Locale::En) => "One code",
        }
    }
}

/// A scrap as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Scrap {
    pub id: i64,
    pub package_id: i64,
    pub package_name: String,
    pub batch_no: i32,
    pub method: ScrapMethod,
    pub serial_start: i32,
    pub serial_end: i32,
    pub reason: String,
    pub scrapped_at: DateTime<Utc>,
    pub scrapped_by_name: Option<String>,
}

impl Scrap {
    pub fn count(&self) -> i64 {
        i64::from(self.serial_end) - i64::from(self.serial_start) + 1
    }
    pub fn printable(&self) -> String {
        printable_range(self.package_id, self.serial_start, self.serial_end)
    }
}

/// A scrap request. By batch: package and batch; by range: package and first/last serials (in
/// one batch); one code: a code string, scan URL or printable serial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapInput {
    pub method: ScrapMethod,
    pub package_id: Option<i64>,
    pub batch_no: Option<i32>,
    pub serial_start: String,
    pub serial_end: String,
    pub code: String,
    pub reason: String,
}

impl ScrapInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        match self.method {
            ScrapMethod::Batch => {
                c.rule("package_id", self.package_id.is_some(), Msg::Required);
                c.rule("batch_no", self.batch_no.is_some(), Msg::Required);
            }
            ScrapMethod::Range => match self.package_id {
                None => c.fail("package_id", Msg::Required),
                Some(p) => {
                    let mut read = |field: &str, text: &str| {
                        if text.trim().is_empty() {
                            c.fail(field, Msg::Required);
                            None
                        } else {
                            parse_serial_text(p, text).map_err(|m| c.fail(field, m.into())).ok()
                        }
                    };
                    if let (Some(a), Some(b)) = (read("serial_start", &self.serial_start), read("serial_end", &self.serial_end)) {
                        c.rule("serial_end", a <= b, ActivationMsg::StartAfterEnd.into());
                    }
                }
            },
            ScrapMethod::Code => c.text("code", &self.code, QUERY_MAX),
        }
        c.text("reason", &self.reason, REASON_MAX);
        c.finish()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapFilter {
    pub package_id: Option<i64>,
    pub method: Option<ScrapMethod>,
    /// Scrapped on or after / on or before these days (China time).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(method: ScrapMethod) -> ScrapInput {
        ScrapInput {
            method,
            package_id: Some(7),
            batch_no: Some(1),
            serial_start: "5".into(),
            serial_end: "9".into(),
            code: String::new(),
            reason: "印刷污损".into(),
        }
    }

    #[test]
    fn each_method_needs_its_target_and_a_reason() {
        assert!(input(ScrapMethod::Batch).validate().is_ok());
        assert!(input(ScrapMethod::Range).validate().is_ok());
        let errs = input(ScrapMethod::Code).validate().unwrap_err();
        assert_eq!(errs, [FieldError { field: "code".into(), msg: Msg::Required }]);
        let reversed = ScrapInput { serial_start: "9".into(), serial_end: "5".into(), ..input(ScrapMethod::Range) };
        assert_eq!(reversed.validate().unwrap_err()[0].msg, ActivationMsg::StartAfterEnd.into());
        let no_reason = ScrapInput { reason: " ".into(), ..input(ScrapMethod::Batch) };
        assert_eq!(no_reason.validate().unwrap_err()[0], FieldError { field: "reason".into(), msg: Msg::Required });
        let long = ScrapInput { reason: "废".repeat(REASON_MAX + 1), ..input(ScrapMethod::Batch) };
        assert_eq!(long.validate().unwrap_err()[0].msg, Msg::TooLong { max: REASON_MAX });
    }
}
