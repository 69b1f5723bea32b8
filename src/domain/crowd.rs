//! Crowds (人群) and consumer insight: the condition tree a crowd is built from, its validation,
//! set operations of crowds and snapshots, and the figures of the insight pages (portrait with
//! TGI, significance, RFM). The engine that evaluates a tree lives in `server::crowd_index`
//! (docs/crowds.md); everything here is pure so that the browser checks a tree as it is edited.
//!
//! A tree is a group of conditions and groups combined by union (default), intersection or
//! difference (the first item minus the others — only at the outermost level), at most
//! [`MAX_DEPTH`] levels deep.

pub use super::campaign::CountRange;
use super::consumers::{keyed, Education, Gender, Interest, Marital};
use super::risk::RiskLevel;
use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 30;
pub const REMARK_MAX: usize = 100;
pub const FOLDER_NAME_MAX: usize = 20;
/// Levels of the condition tree, the outermost group being level 1.
pub const MAX_DEPTH: usize = 3;
pub const MAX_CONDITIONS: usize = 20;
/// "Last N days" windows and date ranges reach at most this far.
pub const MAX_WINDOW_DAYS: i64 = 730;
/// Sources of a set operation.
pub const SET_SOURCES_MIN: usize = 2;
pub const SET_SOURCES_MAX: usize = 3;
/// Crowds built of crowds: each level of derivation adds one.
pub const SET_DEPTH_MAX: u32 = 3;
pub const UPLOAD_MAX_KB: usize = 20 * 1024;
pub const UPLOAD_MAX_ROWS: usize = 1_000_000;
/// Unmatched upload rows reported back (all are counted).
pub const UPLOAD_REPORT_ROWS: usize = 100;
/// Consumers shown per RFM segment.
pub const RFM_SAMPLES: usize = 5;
/// Attributes listed by the significance view.
pub const SIGNIFICANT_TOP: usize = 10;
/// RFM's default period, in days.
pub const RFM_PERIOD_DAYS: u32 = 365;

keyed!(
    /// How a group combines its items.
    Combine {
        Union => "union", "并集", "Union";
        Intersection => "intersection", "交集", "Intersection";
        Difference => "difference", "差集", "Difference";
    }
);

keyed!(
    /// What a behaviour condition counts.
    Action {
        Scan => "scan", "扫码", "Scan";
        Draw => "draw", "抽奖", "Draw";
        Win => "win", "中奖", "Win";
        Claim => "claim", "领奖", "Claim";
        Redeem => "redeem", "核销", "Redeem";
    }
);

keyed!(
    /// What a behaviour is about.
    ObjectKind {
        Any => "any", "不限", "Anything";
        Campaign => "campaign", "扫码活动", "Scan campaign";
        Product => "product", "商品", "Product";
        Code => "code", "码", "Code";
    }
);

keyed!(
    /// Age bands, from the birth year.
    AgeBand {
        Under18 => "under18", "18岁以下", "Under 18";
        From18 => "18-24", "18–24岁", "18–24";
        From25 => "25-29", "25–29岁", "25–29";
        From30 => "30-34", "30–34岁", "30–34";
        From35 => "35-39", "35–39岁", "35–39";
        From40 => "40-49", "40–49岁", "40–49";
        From50 => "50+", "50岁及以上", "50 and over";
    }
);

keyed!(
    /// New: scanned once; returning: scanned twice or more (as campaign plans define it).
    Lifecycle {
        New => "new", "新客（扫码一次）", "New (one scan)";
        Returning => "returning", "老客（扫码两次及以上）", "Returning (two scans or more)";
    }
);

keyed!(
    /// The eight RFM segments (R high = more recent than the reference).
    Segment {
        HighValue => "high_value", "高价值", "High value";
        KeyRetain => "key_retain", "重点保持", "Key retain";
        KeyDevelop => "key_develop", "重点发展", "Key develop";
        KeyWinBack => "key_win_back", "重点挽留", "Key win-back";
        GeneralValue => "general_value", "一般价值", "General value";
        GeneralRetain => "general_retain", "一般保持", "General retain";
        GeneralDevelop => "general_develop", "一般发展", "General develop";
        Potential => "potential", "潜在", "Potential";
    }
);

keyed!(
    CrowdStatus {
        Queued => "queued", "排队中", "Queued";
        Computing => "computing", "计算中", "Computing";
        Computed => "computed", "计算完成", "Computed";
        Failed => "failed", "计算失败", "Failed";
    }
);

keyed!(
    /// Where a crowd's members come from.
    CrowdSource {
        Filter => "filter", "条件筛选", "Filter";
        Upload => "upload", "文件上传", "Upload";
        SetOp => "set_op", "交并差", "Set operation";
    }
);

keyed!(
    RefreshMode {
        Manual => "manual", "手动更新", "Manual";
        Daily => "daily", "每天", "Daily";
        Hourly => "hourly", "每小时", "Hourly";
    }
);

keyed!(
    /// What the lines of an uploaded file are.
    UploadIdType {
        ConsumerId => "consumer_id", "会员ID", "Consumer id";
        Mobile => "mobile", "手机号", "Mobile";
    }
);

keyed!(
    /// Insight dimensions (the basic portrait, then interests, risk and lifecycle for significance).
    Dimension {
        Gender => "gender", "性别", "Gender";
        Province => "province", "省份", "Province";
        AgeBand => "age", "年龄", "Age";
        Marital => "marital", "婚姻状况", "Marital status";
        Education => "education", "学历", "Education";
        Interest => "interest", "兴趣标签", "Interests";
        Risk => "risk", "风险等级", "Risk level";
        Lifecycle => "lifecycle", "新老客", "New / returning";
    }
);

impl Dimension {
    /// The basic portrait, in the reference's order.
    pub const BASIC: [Dimension; 5] =
        [Dimension::Gender, Dimension::Province, Dimension::AgeBand, Dimension::Marital, Dimension::Education];
}

impl AgeBand {
    pub fn of(birth_year: i32, this_year: i32) -> AgeBand {
        match this_year - birth_year {
            a if a < 18 => AgeBand::Under18,
            a if a < 25 => AgeBand::From18,
            a if a < 30 => AgeBand::From25,
            a if a < 35 => AgeBand::From30,
            a if a < 40 => AgeBand::From35,
            a if a < 50 => AgeBand::From40,
            _ => AgeBand::From50,
        }
    }
}

impl Segment {
    /// The reference's table: (R, F, M) high or low → segment.
    pub fn of(r_high: bool, f_high: bool, m_high: bool) -> Segment {
        match (r_high, f_high, m_high) {
            (true, true, true) => Segment::HighValue,
            (false, true, true) => Segment::KeyRetain,
            (true, false, true) => Segment::KeyDevelop,
            (false, false, true) => Segment::KeyWinBack,
            (true, true, false) => Segment::GeneralValue,
            (false, true, false) => Segment::GeneralRetain,
            (true, false, false) => Segment::GeneralDevelop,
            (false, false, false) => Segment::Potential,
        }
    }
}

// ---------- the condition tree ----------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub combine: Combine,
    pub items: Vec<Node>,
}

impl Default for Group {
    fn default() -> Self {
        Group { combine: Combine::Union, items: vec![] }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Condition(Condition),
    Group(Group),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    Behaviour(Behaviour),
    Attribute(Attribute),
    Rfm(RfmCondition),
    /// Member (or not) of another computed crowd.
    Crowd {
        crowd_id: i64,
        member: bool,
    },
}

/// "Did `action` on `object` in `window` in these regions, `count` times, on `distinct_codes`
/// different codes".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    pub object: ObjectKind,
    /// Campaign or product ids (any of them); empty with [`ObjectKind::Any`].
    pub object_ids: Vec<i64>,
    /// Code strings, for [`ObjectKind::Code`] (resolved to serials by the server).
    pub codes: Vec<String>,
    pub action: Action,
    pub window: TimeWindow,
    /// Any of these provinces or cities (both empty: anywhere).
    pub provinces: Vec<String>,
    pub cities: Vec<String>,
    /// Times the behaviour happened (at least 1 when `min` is unset).
    pub count: CountRange,
    /// Distinct codes involved.
    pub distinct_codes: CountRange,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            object: ObjectKind::Any,
            object_ids: vec![],
            codes: vec![],
            action: Action::Scan,
            window: TimeWindow::LastDays(30),
            provinces: vec![],
            cities: vec![],
            count: CountRange::default(),
            distinct_codes: CountRange::default(),
        }
    }
}

/// Time windows are whole China-time (UTC+8) days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeWindow {
    LastWeek,
    LastMonth,
    ThisWeek,
    ThisMonth,
    LastDays(u32),
    Range { from: NaiveDate, to: NaiveDate },
}

impl TimeWindow {
    pub const KEYS: [&'static str; 6] = ["last_week", "last_month", "this_week", "this_month", "last_days", "range"];

    pub fn key(self) -> &'static str {
        match self {
            TimeWindow::LastWeek => "last_week",
            TimeWindow::LastMonth => "last_month",
            TimeWindow::ThisWeek => "this_week",
            TimeWindow::ThisMonth => "this_month",
            TimeWindow::LastDays(_) => "last_days",
            TimeWindow::Range { .. } => "range",
        }
    }

    /// The window `key` with this window's numbers where they fit (a form switching kinds).
    pub fn with_key(self, key: &str, today: NaiveDate) -> TimeWindow {
        match key {
            "last_week" => TimeWindow::LastWeek,
            "last_month" => TimeWindow::LastMonth,
            "this_week" => TimeWindow::ThisWeek,
            "this_month" => TimeWindow::ThisMonth,
            "last_days" => TimeWindow::LastDays(30),
            _ => {
                let (from, to) = self.days(today);
                TimeWindow::Range { from, to }
            }
        }
    }

    pub fn label(self, l: Locale) -> String {
        match (self, l) {
            (TimeWindow::LastWeek, Locale::Zh) => "上周".into(),
            (TimeWindow::LastWeek, Locale::En) => "Last week".into(),
            (TimeWindow::LastMonth, Locale::Zh) => "上月".into(),
            (TimeWindow::LastMonth, Locale::En) => "Last month".into(),
            (TimeWindow::ThisWeek, Locale::Zh) => "本周".into(),
            (TimeWindow::ThisWeek, Locale::En) => "This week".into(),
            (TimeWindow::ThisMonth, Locale::Zh) => "本月".into(),
            (TimeWindow::ThisMonth, Locale::En) => "This month".into(),
            (TimeWindow::LastDays(n), Locale::Zh) => format!("近 {n} 天"),
            (TimeWindow::LastDays(n), Locale::En) => format!("Last {n} days"),
            (TimeWindow::Range { from, to }, _) => format!("{from} – {to}"),
        }
    }

    /// First and last day (inclusive), weeks starting on Monday.
    pub fn days(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
        let first_of_month = today.with_day(1).unwrap_or(today);
        match self {
            TimeWindow::LastWeek => (monday - Duration::days(7), monday - Duration::days(1)),
            TimeWindow::ThisWeek => (monday, today),
            TimeWindow::ThisMonth => (first_of_month, today),
            TimeWindow::LastMonth => {
                let last = first_of_month - Duration::days(1);
                (last.with_day(1).unwrap_or(last), last)
            }
            TimeWindow::LastDays(n) => (today - Duration::days(n.max(1) as i64 - 1), today),
            TimeWindow::Range { from, to } => (from, to),
        }
    }

    /// `[start, end)` in UTC instants.
    pub fn instants(self, today: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let (from, to) = self.days(today);
        (china_midnight(from), china_midnight(to + Duration::days(1)))
    }
}

/// 00:00 of a China (UTC+8) day, as a UTC instant.
pub fn china_midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(8)
}

/// Today in China.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(8)).date_naive()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Attribute {
    Gender(Vec<Gender>),
    AgeBand(Vec<AgeBand>),
    Province(Vec<String>),
    Marital(Vec<Marital>),
    Education(Vec<Education>),
    /// Has any (`all` false) or every (`all` true) one of the tags.
    Interests {
        tags: Vec<Interest>,
        all: bool,
    },
    /// Points balance (inclusive).
    Points(CountRange),
    /// First scan on a day in the range (inclusive, China days; open ends allowed).
    FirstScan {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    LastScan {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    Lifecycle(Lifecycle),
    Risk(Vec<RiskLevel>),
}

impl Attribute {
    pub const KEYS: [&'static str; 11] =
        ["gender", "age", "province", "marital", "education", "interests", "points", "first_scan", "last_scan", "lifecycle", "risk"];

    pub fn key(&self) -> &'static str {
        match self {
            Attribute::Gender(_) => "gender",
            Attribute::AgeBand(_) => "age",
            Attribute::Province(_) => "province",
            Attribute::Marital(_) => "marital",
            Attribute::Education(_) => "education",
            Attribute::Interests { .. } => "interests",
            Attribute::Points(_) => "points",
            Attribute::FirstScan { .. } => "first_scan",
            Attribute::LastScan { .. } => "last_scan",
            Attribute::Lifecycle(_) => "lifecycle",
            Attribute::Risk(_) => "risk",
        }
    }

    /// An empty attribute condition of kind `key` (the form's starting point).
    pub fn blank(key: &str) -> Attribute {
        match key {
            "age" => Attribute::AgeBand(vec![]),
            "province" => Attribute::Province(vec![]),
            "marital" => Attribute::Marital(vec![]),
            "education" => Attribute::Education(vec![]),
            "interests" => Attribute::Interests { tags: vec![], all: false },
            "points" => Attribute::Points(CountRange::default()),
            "first_scan" => Attribute::FirstScan { from: None, to: None },
            "last_scan" => Attribute::LastScan { from: None, to: None },
            "lifecycle" => Attribute::Lifecycle(Lifecycle::New),
            "risk" => Attribute::Risk(vec![]),
            _ => Attribute::Gender(vec![]),
        }
    }

    pub fn label_of(key: &str, l: Locale) -> &'static str {
        let (zh, en) = match key {
            "gender" => ("性别", "Gender"),
            "age" => ("年龄段", "Age band"),
            "province" => ("省份", "Province"),
            "marital" => ("婚姻状况", "Marital status"),
            "education" => ("学历", "Education"),
            "interests" => ("兴趣标签", "Interest tags"),
            "points" => ("积分余额", "Points balance"),
            "first_scan" => ("首次扫码日期", "First scan date"),
            "last_scan" => ("最近扫码日期", "Last scan date"),
            "lifecycle" => ("新老客", "New / returning"),
            _ => ("风险等级", "Risk level"),
        };
        match l {
            Locale::Zh => zh,
            Locale::En => en,
        }
    }
}

/// RFM: R = days since the last scan, F = scans in the period, M = the products' unit prices
/// summed over those scans (fen). Consumers without a scan in the period have no RFM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmParams {
    pub period_days: u32,
    pub reference: RfmReference,
}

impl Default for RfmParams {
    fn default() -> Self {
        RfmParams { period_days: RFM_PERIOD_DAYS, reference: RfmReference::Mean }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum RfmReference {
    /// Each score's mean over the consumers with RFM.
    Mean,
    Custom {
        r_days: f64,
        f: f64,
        m_fen: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmCondition {
    pub segments: Vec<Segment>,
    pub params: RfmParams,
}

/// R is high when at most the reference (recent), F and M when at least the reference.
pub fn rfm_segment(r_days: f64, f: f64, m_fen: f64, reference: (f64, f64, f64)) -> Segment {
    Segment::of(r_days <= reference.0, f >= reference.1, m_fen >= reference.2)
}

/// TGI = round(crowd share ÷ all-consumer share × 100); None when either share is undefined.
pub fn tgi(crowd_count: u64, crowd_size: u64, all_count: u64, all_size: u64) -> Option<u32> {
    if crowd_size == 0 || all_size == 0 || all_count == 0 {
        return None;
    }
    let a = crowd_count as f64 / crowd_size as f64;
    let b = all_count as f64 / all_size as f64;
    Some((a / b * 100.0).round() as u32)
}

/// Total variation distance between two distributions given as counts over the same values
/// (½ Σ |pᵢ − qᵢ|, 0 = identical, 1 = disjoint): the significance measure.
pub fn total_variation(crowd: &[u64], all: &[u64]) -> f64 {
    let (cs, as_) = (crowd.iter().sum::<u64>() as f64, all.iter().sum::<u64>() as f64);
    if cs == 0.0 || as_ == 0.0 {
        return 0.0;
    }
    crowd.iter().zip(all).map(|(c, a)| (*c as f64 / cs - *a as f64 / as_).abs()).sum::<f64>() / 2.0
}

// ---------- validation ----------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrowdMsg {
    DifferenceOnlyOutermost,
    TooDeep {
        max: usize,
    },
    EmptyGroup,
    NoConditions,
    TooManyConditions {
        max: usize,
    },
    RangeInverted,
    ChooseAtLeastOne,
    WindowTooLong {
        max: i64,
    },
    CountAtLeastOne,
    SelfReference,
    SetSources {
        min: usize,
        max: usize,
    },
    SetTooDeep {
        max: u32,
    },
    SameSourceTwice,
    /// A source or referenced crowd is not computed yet (its name).
    NotComputed(String),
    RefreshWindow,
    UploadEmpty,
    UploadTooManyRows {
        max: usize,
    },
    /// A computation superseded by a newer edit.
    Superseded,
}

impl CrowdMsg {
    pub fn render(&self, l: Locale) -> String {
        use CrowdMsg::*;
        match (self, l) {
            (DifferenceOnlyOutermost, Locale::Zh) => "差集只能用在最外层".into(),
            (DifferenceOnlyOutermost, Locale::En) => "Difference is only allowed at the outermost level".into(),
            (TooDeep { max }, Locale::Zh) => format!("条件最多嵌套 {max} 层"),
            (TooDeep { max }, Locale::En) => format!("Conditions nest at most {max} levels"),
            (EmptyGroup, Locale::Zh) => "条件组不能为空".into(),
            (EmptyGroup, Locale::En) => "A group cannot be empty".into(),
            (NoConditions, Locale::Zh) => "请至少添加一个条件".into(),
            (NoConditions, Locale::En) => "Add at least one condition".into(),
            (TooManyConditions { max }, Locale::Zh) => format!("最多 {max} 个条件"),
            (TooManyConditions { max }, Locale::En) => format!("At most {max} conditions"),
            (RangeInverted, Locale::Zh) => "最小值不能大于最大值".into(),
            (RangeInverted, Locale::En) => "The minimum is above the maximum".into(),
            (ChooseAtLeastOne, Locale::Zh) => "请至少选择一项".into(),
            (ChooseAtLeastOne, Locale::En) => "Choose at least one".into(),
            (WindowTooLong { max }, Locale::Zh) => format!("时间范围为 1–{max} 天"),
            (WindowTooLong { max }, Locale::En) => format!("The time window is 1–{max} days"),
            (CountAtLeastOne, Locale::Zh) => "次数至少为 1".into(),
            (CountAtLeastOne, Locale::En) => "Counts start at 1".into(),
            (SelfReference, Locale::Zh) => "人群不能引用自己（直接或间接）".into(),
            (SelfReference, Locale::En) => "A crowd cannot refer to itself (directly or through others)".into(),
            (SetSources { min, max }, Locale::Zh) => format!("交并差需要 {min}–{max} 个人群或快照"),
            (SetSources { min, max }, Locale::En) => format!("A set operation takes {min}–{max} crowds or snapshots"),
            (SetTooDeep { max }, Locale::Zh) => format!("人群派生最多 {max} 层"),
            (SetTooDeep { max }, Locale::En) => format!("Crowds derive from crowds at most {max} levels deep"),
            (SameSourceTwice, Locale::Zh) => "同一人群或快照不能选两次".into(),
            (SameSourceTwice, Locale::En) => "The same crowd or snapshot is chosen twice".into(),
            (NotComputed(n), Locale::Zh) => format!("人群「{n}」尚未计算完成"),
            (NotComputed(n), Locale::En) => format!("Crowd \"{n}\" is not computed yet"),
            (RefreshWindow, Locale::Zh) => "定时更新的结束时间须晚于开始时间".into(),
            (RefreshWindow, Locale::En) => "The scheduled refresh must end after it starts".into(),
            (UploadEmpty, Locale::Zh) => "文件中没有数据行".into(),
            (UploadEmpty, Locale::En) => "The file has no data rows".into(),
            (UploadTooManyRows { max }, Locale::Zh) => format!("文件最多 {max} 行"),
            (UploadTooManyRows { max }, Locale::En) => format!("At most {max} rows"),
            (Superseded, Locale::Zh) => "已被新的编辑取代".into(),
            (Superseded, Locale::En) => "Superseded by a newer edit".into(),
        }
    }
}

fn cm(m: CrowdMsg) -> Msg {
    Msg::Crowd(m)
}

/// The path of a node in forms and errors: `tree`, `tree.0`, `tree.0.2` …
pub fn child_path(parent: &str, i: usize) -> String {
    format!("{parent}.{i}")
}

impl Group {
    /// Every rule of the tree: depth, difference placement, empty groups, each condition.
    /// `own_id`: the crowd being edited (it may not refer to itself).
    pub fn validate(&self, own_id: Option<i64>) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        let n = self.conditions().len();
        if n == 0 {
            c.fail("tree", cm(CrowdMsg::NoConditions));
        }
        c.rule("tree", n <= MAX_CONDITIONS, cm(CrowdMsg::TooManyConditions { max: MAX_CONDITIONS }));
        self.check(&mut c, "tree", 1, own_id);
        c.finish()
    }

    fn check(&self, c: &mut Check, path: &str, depth: usize, own_id: Option<i64>) {
        if self.items.is_empty() {
            c.fail(path, cm(CrowdMsg::EmptyGroup));
        }
        if self.combine == Combine::Difference && depth > 1 {
            c.fail(path, cm(CrowdMsg::DifferenceOnlyOutermost));
        }
        for (i, item) in self.items.iter().enumerate() {
            let p = child_path(path, i);
            match item {
                Node::Group(g) if depth >= MAX_DEPTH => c.fail(&p, cm(CrowdMsg::TooDeep { max: MAX_DEPTH })),
                Node::Group(g) => g.check(c, &p, depth + 1, own_id),
                Node::Condition(cond) => {
                    if let Err(m) = cond.check(own_id) {
                        c.fail(&p, m);
                    }
                }
            }
        }
    }

    /// Every condition, depth first.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = vec![];
        for item in &self.items {
            match item {
                Node::Condition(c) => out.push(c),
                Node::Group(g) => out.extend(g.conditions()),
            }
        }
        out
    }

    /// The crowds the tree refers to (member of / not member of).
    pub fn crowd_refs(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .conditions()
            .into_iter()
            .filter_map(|c| match c {
                Condition::Crowd { crowd_id, .. } => Some(*crowd_id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn range_ok(r: &CountRange) -> bool {
    !matches!((r.min, r.max), (Some(a), Some(b)) if a > b)
}

fn dates_ok(from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    !matches!((from, to), (Some(a), Some(b)) if a > b)
}

impl Condition {
    pub fn check(&self, own_id: Option<i64>) -> Result<(), Msg> {
        let choose = || Err(cm(CrowdMsg::ChooseAtLeastOne));
        match self {
            Condition::Behaviour(b) => {
                match b.object {
                    ObjectKind::Campaign | ObjectKind::Product if b.object_ids.is_empty() => return choose(),
                    ObjectKind::Code if b.codes.iter().all(|c| c.trim().is_empty()) => return choose(),
                    _ => {}
                }
                match b.window {
                    TimeWindow::LastDays(n) if n == 0 || n as i64 > MAX_WINDOW_DAYS => {
                        return Err(cm(CrowdMsg::WindowTooLong { max: MAX_WINDOW_DAYS }))
                    }
                    TimeWindow::Range { from, to } if from > to => return Err(cm(CrowdMsg::RangeInverted)),
                    TimeWindow::Range { from, to } if (to - from).num_days() >= MAX_WINDOW_DAYS => {
                        return Err(cm(CrowdMsg::WindowTooLong { max: MAX_WINDOW_DAYS }))
                    }
                    _ => {}
                }
                if b.count.min == Some(0) || b.distinct_codes.min == Some(0) || b.count.max == Some(0) || b.distinct_codes.max == Some(0) {
                    return Err(cm(CrowdMsg::CountAtLeastOne));
                }
                if !range_ok(&b.count) || !range_ok(&b.distinct_codes) {
                    return Err(cm(CrowdMsg::RangeInverted));
                }
                Ok(())
            }
            Condition::Attribute(a) => {
                let empty = match a {
                    Attribute::Gender(v) => v.is_empty(),
                    Attribute::AgeBand(v) => v.is_empty(),
                    Attribute::Province(v) => v.is_empty(),
                    Attribute::Marital(v) => v.is_empty(),
                    Attribute::Education(v) => v.is_empty(),
                    Attribute::Interests { tags, .. } => tags.is_empty(),
                    Attribute::Risk(v) => v.is_empty(),
                    Attribute::Points(r) => r.min.is_none() && r.max.is_none(),
                    Attribute::FirstScan { from, to } | Attribute::LastScan { from, to } => from.is_none() && to.is_none(),
                    Attribute::Lifecycle(_) => false,
                };
                if empty {
                    return choose();
                }
                let ordered = match a {
                    Attribute::Points(r) => range_ok(r),
                    Attribute::FirstScan { from, to } | Attribute::LastScan { from, to } => dates_ok(*from, *to),
                    _ => true,
                };
                if ordered {
                    Ok(())
                } else {
                    Err(cm(CrowdMsg::RangeInverted))
                }
            }
            Condition::Rfm(r) => {
                if r.segments.is_empty() {
                    return choose();
                }
                r.params.check()
            }
            Condition::Crowd { crowd_id, .. } if Some(*crowd_id) == own_id => Err(cm(CrowdMsg::SelfReference)),
            Condition::Crowd { .. } => Ok(()),
        }
    }
}

impl RfmParams {
    pub fn check(&self) -> Result<(), Msg> {
        if self.period_days == 0 || self.period_days as i64 > MAX_WINDOW_DAYS {
            return Err(cm(CrowdMsg::WindowTooLong { max: MAX_WINDOW_DAYS }));
        }
        if let RfmReference::Custom { r_days, f, m_fen } = self.reference {
            if [r_days, f, m_fen].iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(Msg::Other("RFM 参考值须为非负数 / reference values must be ≥ 0".into()));
            }
        }
        Ok(())
    }
}

// ---------- crowds ----------

/// A source of a set operation: a crowd's current members or one of its snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SetSource {
    Crowd(i64),
    Snapshot(i64),
}

/// `first`, then each `(combine, source)` applied left to right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetOp {
    pub first: SetSource,
    pub rest: Vec<(Combine, SetSource)>,
}

impl SetOp {
    pub fn sources(&self) -> Vec<SetSource> {
        std::iter::once(self.first).chain(self.rest.iter().map(|(_, s)| *s)).collect()
    }

    pub fn check(&self, own_id: Option<i64>) -> Result<(), Msg> {
        let sources = self.sources();
        if !(SET_SOURCES_MIN..=SET_SOURCES_MAX).contains(&sources.len()) {
            return Err(cm(CrowdMsg::SetSources { min: SET_SOURCES_MIN, max: SET_SOURCES_MAX }));
        }
        if sources.iter().enumerate().any(|(i, s)| sources[..i].contains(s)) {
            return Err(cm(CrowdMsg::SameSourceTwice));
        }
        if own_id.is_some_and(|id| sources.contains(&SetSource::Crowd(id))) {
            return Err(cm(CrowdMsg::SelfReference));
        }
        Ok(())
    }
}

/// What a crowd is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Definition {
    Filter(Group),
    SetOp(SetOp),
    /// Members listed in an uploaded file (kept as uploaded; never recomputed).
    Upload {
        id_type: UploadIdType,
        rows: u64,
        unmatched: u64,
    },
}

impl Definition {
    pub fn source(&self) -> CrowdSource {
        match self {
            Definition::Filter(_) => CrowdSource::Filter,
            Definition::SetOp(_) => CrowdSource::SetOp,
            Definition::Upload { .. } => CrowdSource::Upload,
        }
    }
    /// The crowds (not snapshots) this definition reads.
    pub fn crowd_refs(&self) -> Vec<i64> {
        match self {
            Definition::Filter(g) => g.crowd_refs(),
            Definition::SetOp(s) => s
                .sources()
                .into_iter()
                .filter_map(|s| match s {
                    SetSource::Crowd(id) => Some(id),
                    SetSource::Snapshot(_) => None,
                })
                .collect(),
            Definition::Upload { .. } => vec![],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refresh {
    pub mode: RefreshMode,
    /// Scheduled refreshes run from `start` until `end` (open when None).
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Default for Refresh {
    fn default() -> Self {
        Refresh { mode: RefreshMode::Manual, start: None, end: None }
    }
}

impl Refresh {
    /// The first scheduled run strictly after `after`, inside the window; None if manual or over.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let step = match self.mode {
            RefreshMode::Manual => return None,
            RefreshMode::Daily => Duration::days(1),
            RefreshMode::Hourly => Duration::hours(1),
        };
        let start = self.start.unwrap_or(after);
        let next = if start > after {
            start
        } else {
            let steps = (after - start).num_seconds() / step.num_seconds() + 1;
            start + step * steps as i32
        };
        match self.end {
            Some(end) if next > end => None,
            _ => Some(next),
        }
    }
}

/// The crowd form (a filter or set-operation crowd; uploads come with their file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub remark: String,
    pub folder_id: Option<i64>,
    pub portrait: bool,
    pub exclude_hunters: bool,
    pub definition: Definition,
    pub refresh: Refresh,
}

impl Default for CrowdInput {
    fn default() -> Self {
        CrowdInput {
            id: None,
            version: 0,
            name: String::new(),
            remark: String::new(),
            folder_id: None,
            portrait: true,
            exclude_hunters: false,
            definition: Definition::Filter(Group {
                combine: Combine::Union,
                items: vec![Node::Condition(Condition::Behaviour(Behaviour::default()))],
            }),
            refresh: Refresh::default(),
        }
    }
}

impl CrowdInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.optional_text("remark", &self.remark, REMARK_MAX);
        if let (Some(s), Some(e)) = (self.refresh.start, self.refresh.end) {
            c.rule("refresh", self.refresh.mode == RefreshMode::Manual || e > s, cm(CrowdMsg::RefreshWindow));
        }
        match &self.definition {
            Definition::Filter(g) => {
                if let Err(errs) = g.validate(self.id) {
                    errs.into_iter().for_each(|e| c.fail(&e.field, e.msg));
                }
            }
            Definition::SetOp(s) => {
                if let Err(m) = s.check(self.id) {
                    c.fail("sources", m);
                }
            }
            Definition::Upload { .. } => {}
        }
        c.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdRow {
    pub id: i64,
    pub name: String,
    pub remark: String,
    pub folder_id: Option<i64>,
    pub source: CrowdSource,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub size: Option<i64>,
    pub insightable: Option<i64>,
    pub status: CrowdStatus,
    pub failure: Option<String>,
    pub computed_at: Option<DateTime<Utc>>,
    pub refresh: RefreshMode,
    pub portrait: bool,
    pub snapshots: i64,
}

/// Everything the edit form needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdDetail {
    pub row: CrowdRow,
    pub input: CrowdInput,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdFilter {
    pub search: String,
    /// None: every folder.
    pub folder_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Folder {
    pub id: i64,
    pub name: String,
    pub crowds: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: i64,
    pub crowd_id: i64,
    pub name: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// A crowd or snapshot to pick (set operations, "member of", campaign plans).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdChoice {
    pub id: i64,
    pub name: String,
    pub status: CrowdStatus,
    pub size: Option<i64>,
    pub snapshots: Vec<Snapshot>,
}

/// The snapshot name of a manual refresh: `<name>_<yyyyMMddHHmmss>` (China time).
pub fn snapshot_name(crowd: &str, at: DateTime<Utc>) -> String {
    format!("{crowd}_{}", (at + Duration::hours(8)).format("%Y%m%d%H%M%S"))
}

// ---------- live count ----------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveCountRequest {
    pub tree: Group,
    pub exclude_hunters: bool,
    /// The crowd being edited (its own id may not be referred to).
    pub own_id: Option<i64>,
    /// One editor (a browser tab's form) and its edit number: a newer request from the same
    /// editor cancels an older one still computing.
    pub editor: String,
    pub seq: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveCount {
    /// The whole tree (bonus hunters excluded when asked).
    pub total: u64,
    /// Each node alone, by path (`tree.0`, `tree.1.0` …).
    pub nodes: Vec<(String, u64)>,
    pub millis: u64,
    pub seq: u64,
}

// ---------- upload ----------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadRow {
    pub line: usize,
    pub text: String,
}

/// Lines of an uploaded CSV/TXT: the first column of each non-empty line; a first line that is
/// not an id (a header) is skipped. Returns the values and the lines in a wrong format.
/// The values of an upload by line number, and the lines in a wrong format.
pub type ParsedUpload = (Vec<(usize, String)>, Vec<UploadRow>);

pub fn parse_upload(text: &str, id_type: UploadIdType) -> Result<ParsedUpload, Msg> {
    let mut values = vec![];
    let mut bad = vec![];
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let v = line.split([',', '\t', ';']).next().unwrap_or("").trim().trim_matches('"').trim();
        if v.is_empty() {
            continue;
        }
        let ok = match id_type {
            UploadIdType::ConsumerId => v.parse::<i64>().is_ok_and(|n| n > 0),
            UploadIdType::Mobile => super::validate::is_mobile(v),
        };
        if ok {
            values.push((i + 1, v.to_string()));
        } else if i == 0 {
            continue; // a header
        } else {
            bad.push(UploadRow { line: i + 1, text: v.chars().take(40).collect() });
        }
    }
    if values.is_empty() && bad.is_empty() {
        return Err(cm(CrowdMsg::UploadEmpty));
    }
    if values.len() + bad.len() > UPLOAD_MAX_ROWS {
        return Err(cm(CrowdMsg::UploadTooManyRows { max: UPLOAD_MAX_ROWS }));
    }
    Ok((values, bad))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadReport {
    pub crowd_id: i64,
    pub rows: u64,
    pub matched: u64,
    pub duplicates: u64,
    /// Wrong format or no such consumer (the first [`UPLOAD_REPORT_ROWS`]).
    pub unmatched: Vec<UploadRow>,
    pub unmatched_total: u64,
}

// ---------- insight ----------

/// The members a portrait describes: a crowd, optionally narrowed to one value (drill-down).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortraitQuery {
    pub crowd_id: i64,
    pub drill: Option<Drill>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Drill {
    Gender(Gender),
    AgeBand(AgeBand),
    Interest(Interest),
}

impl Drill {
    /// `gender:male`, `age:25-29`, `interest:sports` (the CSV link's parameter).
    pub fn key(self) -> String {
        match self {
            Drill::Gender(g) => format!("gender:{}", g.key()),
            Drill::AgeBand(a) => format!("age:{}", a.key()),
            Drill::Interest(i) => format!("interest:{}", i.key()),
        }
    }
    pub fn parse(s: &str) -> Option<Drill> {
        let (kind, value) = s.split_once(':')?;
        match kind {
            "gender" => Gender::ALL.iter().find(|g| g.key() == value).map(|g| Drill::Gender(*g)),
            "age" => AgeBand::ALL.iter().find(|a| a.key() == value).map(|a| Drill::AgeBand(*a)),
            "interest" => Interest::ALL.iter().find(|i| i.key() == value).map(|i| Drill::Interest(*i)),
            _ => None,
        }
    }
    pub fn label(self, l: Locale) -> String {
        match self {
            Drill::Gender(g) => g.label(l).into(),
            Drill::AgeBand(a) => a.label(l).into(),
            Drill::Interest(i) => i.label(l).into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueStat {
    /// The value's key (`unknown` for members without it).
    pub key: String,
    pub label: String,
    pub count: u64,
    /// Of the members described.
    pub share: f64,
    /// All consumers with the value, and their share of all consumers.
    pub all_count: u64,
    pub all_share: f64,
    pub tgi: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionStats {
    pub dimension: Dimension,
    pub values: Vec<ValueStat>,
}

impl DimensionStats {
    /// The reference's chart rule: a pie for at most 5 values, else bars.
    pub fn pie(&self) -> bool {
        self.values.iter().filter(|v| v.key != UNKNOWN).count() <= 5
    }
}

pub const UNKNOWN: &str = "unknown";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Significant {
    pub dimension: Dimension,
    /// The value, for yes/no attributes (one interest tag); None for a whole dimension.
    pub value: Option<String>,
    pub label: String,
    /// Total variation distance from all consumers, 0–1.
    pub distance: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portrait {
    pub crowd_name: String,
    pub drill: Option<Drill>,
    /// Members described, and all consumers (the TGI base).
    pub size: u64,
    pub all: u64,
    pub dimensions: Vec<DimensionStats>,
    /// Each tag: members having it (a consumer may have several).
    pub interests: DimensionStats,
    pub significant: Vec<Significant>,
    pub millis: u64,
}

fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

fn csv_line(out: &mut String, cells: &[String]) {
    out.push_str(&cells.iter().map(|c| super::promotion::csv_cell(c)).collect::<Vec<_>>().join(","));
    out.push('\n');
}

impl Portrait {
    /// Every table of the portrait in one CSV: dimension, value, count, share, all consumers'
    /// count and share, TGI; then the significance ranking.
    pub fn csv(&self, l: Locale) -> String {
        let mut out = String::new();
        let zh = l == Locale::Zh;
        let h = if zh {
            ["维度", "取值", "人数", "占比", "全体人数", "全体占比", "TGI"]
        } else {
            ["Dimension", "Value", "Count", "Share", "All consumers", "All share", "TGI"]
        };
        csv_line(&mut out, &h.map(String::from));
        for d in self.dimensions.iter().chain(std::iter::once(&self.interests)) {
            for v in &d.values {
                let tgi = v.tgi.map(|t| t.to_string()).unwrap_or_default();
                let cells = [
                    d.dimension.label(l).into(),
                    v.label.clone(),
                    v.count.to_string(),
                    percent(v.share),
                    v.all_count.to_string(),
                    percent(v.all_share),
                    tgi,
                ];
                csv_line(&mut out, &cells);
            }
        }
        out.push('\n');
        csv_line(
            &mut out,
            &(if zh {
                ["显著属性", "差异度（总变差距离）"]
            } else {
                ["Significant attribute", "Distance (total variation)"]
            })
            .map(String::from),
        );
        for s in &self.significant {
            csv_line(&mut out, &[s.label.clone(), format!("{:.4}", s.distance)]);
        }
        out
    }
}

impl RfmReport {
    pub fn csv(&self, l: Locale) -> String {
        let mut out = String::new();
        let h = match l {
            Locale::Zh => ["分层", "人数", "占比", "平均R（天）", "平均F（次）", "平均M（元）"],
            Locale::En => ["Segment", "Consumers", "Share", "Avg R (days)", "Avg F (scans)", "Avg M (yuan)"],
        };
        csv_line(&mut out, &h.map(String::from));
        for s in &self.segments {
            let cells = [
                s.segment.label(l).into(),
                s.count.to_string(),
                percent(s.share),
                format!("{:.1}", s.avg_r_days),
                format!("{:.2}", s.avg_f),
                format!("{:.2}", s.avg_m_fen / 100.0),
            ];
            csv_line(&mut out, &cells);
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmQuery {
    /// None: all consumers.
    pub crowd_id: Option<i64>,
    pub params: RfmParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmSample {
    pub consumer_id: i64,
    pub name: String,
    pub mobile: String,
    pub r_days: u32,
    pub f: u32,
    pub m_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentStat {
    pub segment: Segment,
    pub count: u64,
    pub share: f64,
    pub avg_r_days: f64,
    pub avg_f: f64,
    pub avg_m_fen: f64,
    pub samples: Vec<RfmSample>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmReport {
    /// Consumers with a scan in the period (those without have no RFM).
    pub consumers: u64,
    pub total_m_fen: i64,
    pub total_f: u64,
    /// The reference values used (R days, F, M fen).
    pub reference: (f64, f64, f64),
    pub segments: Vec<SegmentStat>,
    pub millis: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond() -> Node {
        Node::Condition(Condition::Attribute(Attribute::Gender(vec![Gender::Male])))
    }
    fn group(combine: Combine, items: Vec<Node>) -> Group {
        Group { combine, items }
    }
    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<(String, Msg)> {
        r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.msg)).collect()
    }

    #[test]
    fn difference_only_at_the_outermost_level() {
        assert!(group(Combine::Difference, vec![cond(), cond()]).validate(None).is_ok());
        let inner = group(Combine::Union, vec![cond(), Node::Group(group(Combine::Difference, vec![cond(), cond()]))]);
        assert_eq!(fields(inner.validate(None)), vec![("tree.1".into(), cm(CrowdMsg::DifferenceOnlyOutermost))]);
    }

    #[test]
    fn at_most_three_levels() {
        let level3 = group(Combine::Union, vec![cond()]);
        let level2 = group(Combine::Intersection, vec![cond(), Node::Group(level3.clone())]);
        assert!(group(Combine::Union, vec![Node::Group(level2.clone())]).validate(None).is_ok());
        let level2_deep = group(Combine::Intersection, vec![Node::Group(group(Combine::Union, vec![Node::Group(level3)]))]);
        let errs = fields(group(Combine::Union, vec![Node::Group(level2_deep)]).validate(None));
        assert_eq!(errs, vec![("tree.0.0.0".into(), cm(CrowdMsg::TooDeep { max: 3 }))]);
    }

    #[test]
    fn empty_groups_and_trees_are_refused() {
        let errs = fields(Group::default().validate(None));
        assert!(errs.contains(&("tree".into(), cm(CrowdMsg::NoConditions))));
        let errs = fields(group(Combine::Union, vec![cond(), Node::Group(Group::default())]).validate(None));
        assert_eq!(errs, vec![("tree.1".into(), cm(CrowdMsg::EmptyGroup))]);
    }

    #[test]
    fn condition_rules() {
        let b = |f: &dyn Fn(&mut Behaviour)| {
            let mut b = Behaviour::default();
            f(&mut b);
            Condition::Behaviour(b).check(None)
        };
        assert!(b(&|_| {}).is_ok());
        assert_eq!(b(&|b| b.object = ObjectKind::Product), Err(cm(CrowdMsg::ChooseAtLeastOne)));
        assert_eq!(b(&|b| b.window = TimeWindow::LastDays(0)), Err(cm(CrowdMsg::WindowTooLong { max: 730 })));
        assert_eq!(b(&|b| b.count = CountRange { min: Some(3), max: Some(2) }), Err(cm(CrowdMsg::RangeInverted)));
        assert_eq!(b(&|b| b.count = CountRange { min: Some(0), max: None }), Err(cm(CrowdMsg::CountAtLeastOne)));
        assert_eq!(Condition::Crowd { crowd_id: 4, member: true }.check(Some(4)), Err(cm(CrowdMsg::SelfReference)));
        assert_eq!(Condition::Attribute(Attribute::Province(vec![])).check(None), Err(cm(CrowdMsg::ChooseAtLeastOne)));
    }

    #[test]
    fn windows_are_china_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(); // a Sunday
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(TimeWindow::ThisWeek.days(today), (d(2026, 11, 16), today));
        assert_eq!(TimeWindow::LastWeek.days(today), (d(2026, 11, 9), d(2026, 11, 15)));
        assert_eq!(TimeWindow::LastMonth.days(today), (d(2026, 10, 1), d(2026, 10, 31)));
        assert_eq!(TimeWindow::ThisMonth.days(today), (d(2026, 11, 1), today));
        assert_eq!(TimeWindow::LastDays(30).days(today), (d(2026, 10, 24), today));
        assert_eq!(china_midnight(today).to_rfc3339(), "2026-11-21T16:00:00+00:00");
    }

    #[test]
    fn tgi_and_distance() {
        // 60 % of the crowd vs 40 % of everyone → 150.
        assert_eq!(tgi(60, 100, 400, 1000), Some(150));
        assert_eq!(tgi(1, 3, 1, 3), Some(100));
        assert_eq!(tgi(5, 10, 0, 100), None);
        // Gender 9:1 against 1:1 is further off than 4:6 against 1:1 (the reference's example).
        assert!((total_variation(&[9, 1], &[1, 1]) - 0.4).abs() < 1e-9);
        assert!((total_variation(&[4, 6], &[1, 1]) - 0.1).abs() < 1e-9);
    }

    #[test]
    fn rfm_segments() {
        let reference = (10.0, 3.0, 5000.0);
        assert_eq!(rfm_segment(2.0, 5.0, 9000.0, reference), Segment::HighValue);
        assert_eq!(rfm_segment(30.0, 5.0, 9000.0, reference), Segment::KeyRetain);
        assert_eq!(rfm_segment(10.0, 1.0, 5000.0, reference), Segment::KeyDevelop);
        assert_eq!(rfm_segment(30.0, 1.0, 1.0, reference), Segment::Potential);
        assert_eq!(Segment::ALL.len(), 8);
    }

    #[test]
    fn set_operations_and_refresh() {
        let op = SetOp { first: SetSource::Crowd(1), rest: vec![(Combine::Union, SetSource::Snapshot(2))] };
        assert!(op.check(None).is_ok());
        assert_eq!(op.check(Some(1)), Err(cm(CrowdMsg::SelfReference)));
        let one = SetOp { first: SetSource::Crowd(1), rest: vec![] };
        assert_eq!(one.check(None), Err(cm(CrowdMsg::SetSources { min: 2, max: 3 })));
        let twice = SetOp { first: SetSource::Crowd(1), rest: vec![(Combine::Union, SetSource::Crowd(1))] };
        assert_eq!(twice.check(None), Err(cm(CrowdMsg::SameSourceTwice)));

        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let daily = Refresh { mode: RefreshMode::Daily, start: Some(t("2026-11-20T02:00:00Z")), end: Some(t("2026-11-23T02:00:00Z")) };
        assert_eq!(daily.next_after(t("2026-11-21T05:00:00Z")), Some(t("2026-11-22T02:00:00Z")));
        assert_eq!(daily.next_after(t("2026-11-19T00:00:00Z")), Some(t("2026-11-20T02:00:00Z")));
        assert_eq!(daily.next_after(t("2026-11-23T02:00:00Z")), None);
        assert_eq!(Refresh::default().next_after(t("2026-11-21T05:00:00Z")), None);
    }

    #[test]
    fn uploads() {
        let (v, bad) = parse_upload("mobile\n13800000001\n\n12345\n13900000002,张三\n", UploadIdType::Mobile).unwrap();
        assert_eq!(v, vec![(2, "13800000001".into()), (5, "13900000002".into())]);
        assert_eq!(bad, vec![UploadRow { line: 4, text: "12345".into() }]);
        assert_eq!(parse_upload("\n\n", UploadIdType::ConsumerId), Err(cm(CrowdMsg::UploadEmpty)));
    }
}
