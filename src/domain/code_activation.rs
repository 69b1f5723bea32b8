//! Info entry and activation by serial range (号段): the entered info, range states and their
//! transitions' refusals, the serials people type, and the range arithmetic behind a batch's
//! state. Ranges always lie inside one batch of one package; they are stored as ranges, never as
//! one row per code.

use super::codes::{batch_of, batch_ranges, format_serial, parse_serial};
use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const INFO_FIELD_NAME_MAX: usize = 20;
pub const INFO_VALUE_MAX: usize = 100;
/// Sub-ranges one split may make (split serials + 1).
pub const SPLIT_MAX: usize = 100;

/// Refusals specific to info entry and activation (rendered through [`crate::domain::validate::Msg::Activation`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationMsg {
    /// Neither a number nor a printable serial such as `123-00000001`.
    NotASerial,
    /// A printable serial of another package.
    OtherPackage {
        package_id: i64,
    },
    StartAfterEnd,
    OutsidePackage {
        count: i64,
    },
    CrossesBatches {
        first: i64,
        last: i64,
    },
    /// The range overlaps an existing range (printable serials and its state).
    Overlaps {
        start: String,
        end: String,
        status: RangeStatus,
    },
    /// Activation refused: the range holds scrapped codes.
    Scrapped {
        start: String,
        end: String,
        reason: String,
    },
    /// The package is not approved yet (or was rejected): its codes do not exist.
    NoCodesYet,
    /// Edit, delete or split of an active range: revoke first.
    IsActive,
    /// Split of a scheduled range: revoke the schedule first.
    IsScheduled,
    /// Activation of a range that is already active or scheduled.
    AlreadyActivated {
        status: RangeStatus,
    },
    /// Revocation of a range that is not activated.
    NotActivated,
    /// A scheduled activation time that is not in the future.
    NotInFuture,
    /// A split serial must lie after the range's first serial and not after its last.
    SplitOutside {
        start: String,
        end: String,
    },
    WorkshopNotInFactory,
    LineNotInWorkshop,
}

impl ActivationMsg {
    pub fn render(&self, l: Locale) -> String {
        use ActivationMsg::*;
        use Locale::*;
        match (self, l) {
            (NotASerial, Zh) => "请输入序列号，如 17 或 123-00000017".into(),
            (NotASerial, En) => "Enter a serial number, e.g. 17 or 123-00000017".into(),
            (OtherPackage { package_id }, Zh) => format!("这是码包 {package_id} 的序列号，不属于当前码包"),
            (OtherPackage { package_id }, En) => format!("This serial belongs to package {package_id}, not to this package"),
            (StartAfterEnd, Zh) => "起始序列号不能大于结束序列号".into(),
            (StartAfterEnd, En) => "The first serial cannot be after the last".into(),
            (OutsidePackage { count }, Zh) => format!("超出码包范围：序列号须在 1–{count} 之间"),
            (OutsidePackage { count }, En) => format!("Outside the package: serials run from 1 to {count}"),
            (CrossesBatches { first, last }, Zh) => format!("号段跨越了批次 {first} 和批次 {last}，号段须在同一批次内"),
            (CrossesBatches { first, last }, En) => {
                format!("The range crosses batches {first} and {last}; a range must lie inside one batch")
            }
            (Overlaps { start, end, status }, Zh) => {
                format!("与已有号段 {start} 至 {end}（{}）重叠", status.label(l))
            }
            (Overlaps { start, end, status }, En) => {
                format!("Overlaps the existing range {start} – {end} ({})", status.label(l))
            }
            (Scrapped { start, end, reason }, Zh) => format!("号段含已报废的码 {start} 至 {end}（原因：{reason}），不能激活"),
            (Scrapped { start, end, reason }, En) => {
                format!("The range holds scrapped codes {start} – {end} (reason: {reason}); it cannot be activated")
            }
            (NoCodesYet, Zh) => "该码包尚未审核通过，还没有码".into(),
            (NoCodesYet, En) => "This package is not approved yet; it has no codes".into(),
            (IsActive, Zh) => "号段已激活，请先撤销激活".into(),
            (IsActive, En) => "The range is active; revoke its activation first".into(),
            (IsScheduled, Zh) => "号段已定时激活，请先撤销".into(),
            (IsScheduled, En) => "The range is scheduled for activation; revoke that first".into(),
            (AlreadyActivated { status }, Zh) => format!("号段已是「{}」状态", status.label(l)),
            (AlreadyActivated { status }, En) => format!("The range is already {}", status.label(l).to_lowercase()),
            (NotActivated, Zh) => "号段尚未激活，无需撤销".into(),
            (NotActivated, En) => "The range is not activated; there is nothing to revoke".into(),
            (NotInFuture, Zh) => "定时激活的时间须晚于现在".into(),
            (NotInFuture, En) => "A scheduled activation must be in the future".into(),
            (SplitOutside { start, end }, Zh) => format!("拆分点须在 {start}（不含）至 {end} 之间"),
            (SplitOutside { start, end }, En) => format!("Split serials must lie after {start} and not after {end}"),
            (WorkshopNotInFactory, Zh) => "该车间不属于所选工厂".into(),
            (WorkshopNotInFactory, En) => "This workshop is not in the chosen factory".into(),
            (LineNotInWorkshop, Zh) => "该产线不属于所选车间".into(),
            (LineNotInWorkshop, En) => "This production line is not in the chosen workshop".into(),
        }
    }
}

impl From<ActivationMsg> for Msg {
    fn from(m: ActivationMsg) -> Msg {
        Msg::Activation(m)
    }
}

/// The state of a range: info entered; activation scheduled at `activate_at`; active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum RangeStatus {
    Entered,
    Scheduled,
    Active,
}

impl RangeStatus {
    pub fn key(self) -> &'static str {
        match self {
            RangeStatus::Entered => "entered",
            RangeStatus::Scheduled => "scheduled",
            RangeStatus::Active => "active",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (RangeStatus::Entered, Locale::Zh) => "已录入未激活",
            (RangeStatus::Entered, Locale::En) => "Entered, not active",
            (RangeStatus::Scheduled, Locale::Zh) => "定时激活",
            (RangeStatus::Scheduled, Locale::En) => "Scheduled",
            (RangeStatus::Active, Locale::Zh) => "已激活",
            (RangeStatus::Active, Locale::En) => "Active",
        }
    }
}

/// Package states in which its codes exist, so ranges may be entered, queried and scrapped.
pub const PACKAGE_STATES_WITH_CODES: [&str; 3] = ["generating", "generated", "sent"];

/// A package as the info-entry, query and scrap pages pick it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PackageChoice {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub code_count: i32,
    pub file_count: i32,
    /// Pre-entered at application: they prefill the info form.
    pub product_id: Option<i64>,
    pub filling_factory_id: Option<i64>,
}

impl PackageChoice {
    /// "name (#id)", for select boxes.
    pub fn label(&self) -> String {
        format!("{} (#{})", self.name, self.id)
    }

    /// The (first, last) serials of each batch, batch 1 first.
    pub fn batches(&self) -> Vec<(u32, u32)> {
        batch_ranges(self.code_count.max(1) as u32, self.file_count.max(1) as u32)
    }

    /// The batch holding both serials, or why the range does not fit in one.
    pub fn batch_of_range(&self, start: u32, end: u32) -> Result<u32, ActivationMsg> {
        let (count, files) = (self.code_count.max(1) as u32, self.file_count.max(1) as u32);
        match (batch_of(count, files, start), batch_of(count, files, end)) {
            (Some(a), Some(b)) if a == b => Ok(a),
            (Some(a), Some(b)) => Err(ActivationMsg::CrossesBatches { first: a.into(), last: b.into() }),
            _ => Err(ActivationMsg::OutsidePackage { count: self.code_count.into() }),
        }
    }
}

/// A serial as typed: a plain number ("17") or a printable serial of this package
/// ("123-00000017").
pub fn parse_serial_text(package_id: i64, text: &str) -> Result<u32, ActivationMsg> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u32>().ok().filter(|s| *s >= 1).ok_or(ActivationMsg::NotASerial);
    }
    match parse_serial(t) {
        Some((p, s)) if p == package_id => Ok(s),
        Some((p, _)) => Err(ActivationMsg::OtherPackage { package_id: p }),
        None => Err(ActivationMsg::NotASerial),
    }
}

/// Checks a typed serial range of a package: both serials readable, in order; returns them.
/// Whether they lie in the package and in one batch is checked against the package.
fn check_range(c: &mut Check, package_id: i64, start: &str, end: &str) -> Option<(u32, u32)> {
    let mut read = |field: &str, text: &str| {
        if text.trim().is_empty() {
            c.fail(field, Msg::Required);
            return None;
        }
        parse_serial_text(package_id, text).map_err(|m| c.fail(field, m.into())).ok()
    };
    let (a, b) = (read("serial_start", start), read("serial_end", end));
    let (a, b) = (a?, b?);
    if a > b {
        c.fail("serial_end", ActivationMsg::StartAfterEnd.into());
        return None;
    }
    Some((a, b))
}

/// A typed range checked against its package: the serials and the batch that holds them.
pub fn range_in_package(package: &PackageChoice, start: &str, end: &str) -> Result<(u32, u32, u32), Vec<FieldError>> {
    let mut c = Check::new();
    let Some((a, b)) = check_range(&mut c, package.id, start, end) else {
        return Err(c.0);
    };
    match package.batch_of_range(a, b) {
        Ok(batch) => Ok((a, b, batch)),
        Err(m) => {
            c.fail("serial_end", m.into());
            Err(c.0)
        }
    }
}

/// The info entered for a range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeInfo {
    pub product_id: Option<i64>,
    /// Defaults to the product's brand when left empty.
    pub brand_id: Option<i64>,
    pub factory_id: Option<i64>,
    pub workshop_id: Option<i64>,
    pub line_id: Option<i64>,
    pub produced_at: Option<DateTime<Utc>>,
    /// Values of the enterprise's extra fields, by field id.
    pub extra: BTreeMap<i64, String>,
}

impl RangeInfo {
    fn check(&self, c: &mut Check, fields: &[InfoField]) {
        c.rule("product_id", self.product_id.is_some(), Msg::Required);
        c.rule("factory_id", self.workshop_id.is_none() || self.factory_id.is_some(), Msg::Required);
        c.rule("workshop_id", self.line_id.is_none() || self.workshop_id.is_some(), Msg::Required);
        for f in fields {
            let value = self.extra.get(&f.id).map(String::as_str).unwrap_or("");
            let name = f.input_name();
            if f.required {
                c.text(&name, value, INFO_VALUE_MAX);
            } else {
                c.optional_text(&name, value, INFO_VALUE_MAX);
            }
        }
    }

    /// Trimmed values of known fields only, empty ones left out.
    pub fn clean_extra(&self, fields: &[InfoField]) -> BTreeMap<i64, String> {
        fields.iter().filter_map(|f| self.extra.get(&f.id).map(|v| (f.id, v.trim().to_string()))).filter(|(_, v)| !v.is_empty()).collect()
    }
}

/// Adds (no id) or edits a range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeInput {
    pub id: Option<i64>,
    pub version: i32,
    pub package_id: i64,
    /// As typed: "17" or "123-00000017".
    pub serial_start: String,
    pub serial_end: String,
    pub info: RangeInfo,
}

impl RangeInput {
    /// The form's own rules; `fields` are the enterprise's extra fields.
    pub fn validate(&self, fields: &[InfoField]) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        check_range(&mut c, self.package_id, &self.serial_start, &self.serial_end);
        self.info.check(&mut c, fields);
        c.finish()
    }
}

/// A range as listed, with the names of what its info refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Range {
    pub id: i64,
    pub package_id: i64,
    pub batch_no: i32,
    pub serial_start: i32,
    pub serial_end: i32,
    pub status: RangeStatus,
    pub activate_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub activated_by_name: Option<String>,
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    pub brand_id: Option<i64>,
    pub brand_name: Option<String>,
    pub factory_id: Option<i64>,
    pub factory_name: Option<String>,
    pub workshop_id: Option<i64>,
    pub workshop_name: Option<String>,
    pub line_id: Option<i64>,
    pub line_name: Option<String>,
    pub produced_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub extra: BTreeMap<i64, String>,
    pub entered_at: DateTime<Utc>,
    pub entered_by_name: Option<String>,
    pub version: i32,
}

impl Range {
    pub fn count(&self) -> i64 {
        i64::from(self.serial_end) - i64::from(self.serial_start) + 1
    }

    /// "123-00000001 – 123-00000100".
    pub fn printable(&self) -> String {
        printable_range(self.package_id, self.serial_start, self.serial_end)
    }

    /// The edit form's input for this range.
    pub fn input(&self) -> RangeInput {
        RangeInput {
            id: Some(self.id),
            version: self.version,
            package_id: self.package_id,
            serial_start: self.serial_start.to_string(),
            serial_end: self.serial_end.to_string(),
            info: RangeInfo {
                product_id: self.product_id,
                brand_id: self.brand_id,
                factory_id: self.factory_id,
                workshop_id: self.workshop_id,
                line_id: self.line_id,
                produced_at: self.produced_at,
                extra: self.extra.clone(),
            },
        }
    }
}

/// Printable first and last serials of a range.
pub fn printable_range(package_id: i64, start: i32, end: i32) -> String {
    if start == end {
        format_serial(package_id, start.max(0) as u32)
    } else {
        format!("{} – {}", format_serial(package_id, start.max(0) as u32), format_serial(package_id, end.max(0) as u32))
    }
}

/// The info state of a batch, from the ranges inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchState {
    /// No info entered.
    None,
    /// Info entered for the whole batch, nothing activated or scheduled.
    Entered,
    /// Some codes without info, or ranges in different states.
    Partly,
    /// The whole batch is scheduled for activation.
    Scheduled,
    /// Every code of the batch is active.
    Active,
}

impl BatchState {
    /// The state of a batch of `size` codes holding (non-overlapping) ranges of these sizes and
    /// states.
    pub fn of(size: i64, ranges: &[(i64, RangeStatus)]) -> BatchState {
        let covered: i64 = ranges.iter().map(|(n, _)| n).sum();
        let all = |s: RangeStatus| ranges.iter().all(|(_, st)| *st == s);
        if ranges.is_empty() {
            BatchState::None
        } else if covered < size {
            BatchState::Partly
        } else if all(RangeStatus::Active) {
            BatchState::Active
        } else if all(RangeStatus::Scheduled) {
            BatchState::Scheduled
        } else if all(RangeStatus::Entered) {
            BatchState::Entered
        } else {
            BatchState::Partly
        }
    }
}

/// One batch of a package in the batch view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub package_id: i64,
    pub batch_no: i32,
    pub serial_start: i32,
    pub serial_end: i32,
    pub state: BatchState,
    /// Codes with info entered, and of those, active.
    pub entered: i64,
    pub active: i64,
    pub ranges: i64,
    /// The earliest scheduled activation in the batch.
    pub next_activation: Option<DateTime<Utc>>,
    /// The range covering the whole batch, if there is one: batch actions act on it.
    pub whole: Option<Range>,
}

impl BatchRow {
    pub fn count(&self) -> i64 {
        i64::from(self.serial_end) - i64::from(self.serial_start) + 1
    }
}

/// A package's batches for the batch view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageBatches {
    pub package: PackageChoice,
    pub batches: Vec<BatchRow>,
}

/// An enterprise-defined extra field of info entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InfoField {
    pub id: i64,
    pub name: String,
    pub required: bool,
    pub sort: i32,
    pub version: i32,
}

impl InfoField {
    /// The form input's name (and the field of its errors).
    pub fn input_name(&self) -> String {
        format!("extra.{}", self.id)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoFieldInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub required: bool,
    pub sort: i32,
}

impl InfoFieldInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, INFO_FIELD_NAME_MAX);
        c.finish()
    }
}

/// A choice of the info form: a product, brand or factory, or a workshop (parent: its factory)
/// or production line (parent: its workshop).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InfoChoice {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Everything the info form picks from, in one answer (guarded by info entry, not basic data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoChoices {
    pub products: Vec<InfoChoice>,
    pub brands: Vec<InfoChoice>,
    pub factories: Vec<InfoChoice>,
    pub workshops: Vec<InfoChoice>,
    pub lines: Vec<InfoChoice>,
    pub fields: Vec<InfoField>,
}

/// The split serials of a range from `start` to `end` (each the first serial of a new
/// sub-range), sorted; refuses serials outside (start, end] and repeated ones.
pub fn split_points(package_id: i64, start: i32, end: i32, texts: &[String]) -> Result<Vec<i32>, Vec<FieldError>> {
    let mut c = Check::new();
    let outside = || ActivationMsg::SplitOutside {
        start: format_serial(package_id, start.max(0) as u32),
        end: format_serial(package_id, end.max(0) as u32),
    };
    let mut points = vec![];
    for t in texts.iter().filter(|t| !t.trim().is_empty()) {
        match parse_serial_text(package_id, t) {
            Ok(s) if i64::from(s) > i64::from(start) && i64::from(s) <= i64::from(end) => points.push(s as i32),
            Ok(_) => c.fail("splits", outside().into()),
            Err(m) => c.fail("splits", m.into()),
        }
    }
    points.sort_unstable();
    points.dedup();
    if points.is_empty() {
        c.fail("splits", Msg::Required);
    }
    if points.len() >= SPLIT_MAX {
        c.fail("splits", Msg::TooLong { max: SPLIT_MAX - 1 });
    }
    c.finish().map(|()| points)
}

/// The consecutive sub-ranges of (start, end) cut before each split serial.
pub fn split_ranges(start: i32, end: i32, points: &[i32]) -> Vec<(i32, i32)> {
    let mut out = vec![];
    let mut from = start;
    for &p in points {
        out.push((from, p - 1));
        from = p;
    }
    out.push((from, end));
    out
}

/// A `datetime-local` value ("2026-11-21T14:05"), read as China Standard Time like every time
/// the console shows.
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive =
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")).ok()?;
    Some((naive - chrono::Duration::hours(8)).and_utc())
}

/// The `datetime-local` value of a time, in China Standard Time.
pub fn local_datetime_value(t: &DateTime<Utc>) -> String {
    (*t + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package() -> PackageChoice {
        PackageChoice {
            id: 7,
            name: "p".into(),
            status: "generated".into(),
            code_count: 100,
            file_count: 4,
            product_id: None,
            filling_factory_id: None,
        }
    }

    #[test]
    fn serials_are_numbers_or_printable_serials_of_the_package() {
        assert_eq!(parse_serial_text(7, " 17 "), Ok(17));
        assert_eq!(parse_serial_text(7, &format_serial(7, 17)), Ok(17));
        assert_eq!(parse_serial_text(7, &format_serial(8, 17)), Err(ActivationMsg::OtherPackage { package_id: 8 }));
        assert_eq!(parse_serial_text(7, "0"), Err(ActivationMsg::NotASerial));
        assert_eq!(parse_serial_text(7, "1a"), Err(ActivationMsg::NotASerial));
    }

    #[test]
    fn ranges_lie_in_one_batch_of_the_package() {
        let p = package();
        assert_eq!(range_in_package(&p, "26", "50"), Ok((26, 50, 2)));
        let crossing = range_in_package(&p, "20", "30").unwrap_err();
        assert_eq!(crossing[0].msg, Msg::Activation(ActivationMsg::CrossesBatches { first: 1, last: 2 }));
        let outside = range_in_package(&p, "90", "101").unwrap_err();
        assert_eq!(outside[0].msg, Msg::Activation(ActivationMsg::OutsidePackage { count: 100 }));
        let reversed = range_in_package(&p, "30", "27").unwrap_err();
        assert_eq!(reversed[0], FieldError { field: "serial_end".into(), msg: ActivationMsg::StartAfterEnd.into() });
    }

    #[test]
    fn required_extra_fields_and_the_product() {
        let fields = vec![InfoField { id: 3, name: "生产批号".into(), required: true, sort: 0, version: 1 }];
        let mut input = RangeInput { package_id: 7, serial_start: "1".into(), serial_end: "5".into(), ..Default::default() };
        let errs = input.validate(&fields).unwrap_err();
        let named: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["product_id", "extra.3"]);
        input.info.product_id = Some(1);
        input.info.extra.insert(3, " L2026 ".into());
        input.info.extra.insert(99, "unknown field".into());
        assert!(input.validate(&fields).is_ok());
        assert_eq!(input.info.clean_extra(&fields), BTreeMap::from([(3, "L2026".to_string())]));
    }

    #[test]
    fn batch_state_follows_its_ranges() {
        use RangeStatus::*;
        assert_eq!(BatchState::of(10, &[]), BatchState::None);
        assert_eq!(BatchState::of(10, &[(10, Entered)]), BatchState::Entered);
        assert_eq!(BatchState::of(10, &[(4, Active), (6, Active)]), BatchState::Active);
        assert_eq!(BatchState::of(10, &[(4, Active), (6, Entered)]), BatchState::Partly);
        assert_eq!(BatchState::of(10, &[(4, Active)]), BatchState::Partly);
        assert_eq!(BatchState::of(10, &[(10, Scheduled)]), BatchState::Scheduled);
    }

    #[test]
    fn splits_cut_a_range_into_consecutive_parts() {
        let points = split_points(7, 1, 25, &["11".into(), format_serial(7, 21), "11".into(), " ".into()]).unwrap();
        assert_eq!(points, [11, 21]);
        assert_eq!(split_ranges(1, 25, &points), [(1, 10), (11, 20), (21, 25)]);
        assert!(split_points(7, 1, 25, &["1".into()]).is_err());
        assert!(split_points(7, 1, 25, &["26".into()]).is_err());
        assert!(split_points(7, 1, 25, &[]).is_err());
    }

    #[test]
    fn local_times_are_china_time() {
        let t = parse_local_datetime("2026-11-21T14:05").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-21T06:05:00+00:00");
        assert_eq!(local_datetime_value(&t), "2026-11-21T14:05");
        assert_eq!(parse_local_datetime("tomorrow"), None);
    }
}
