//! Consumers (会员): who scans, identified by a signed first-party cookie id per device and
//! optionally a verified mobile; their profile attributes, points and history as the console's
//! member list and detail page show them; the CSV import; the blacklist of risk control.

use crate::domain::basic_data::{ImportRowError, PROVINCES};
use crate::domain::risk::RiskLevel;
use crate::domain::validate::{is_mobile, Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Refusals of the consumer area (rendered through [`crate::domain::validate::Msg::Consumer`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsumerMsg {
    /// A birth year outside 1900..=this year.
    BirthYear {
        max: i32,
    },
    UnknownProvince,
    UnknownInterest(String),
    TooManyInterests {
        max: usize,
    },
    DuplicateInterest,
    UnknownGender,
    UnknownMarital,
    UnknownEducation,
    /// A new code within a minute of the last one.
    CodeTooSoon {
        seconds: i64,
    },
    TooManyCodesToday {
        max: i64,
    },
    /// No code was sent to this mobile from this device, or it expired or was used.
    NoCodePending,
    WrongCode {
        left: i16,
    },
    /// Five wrong codes: ask for a new one.
    CodeLocked,
    /// This consumer already has another mobile and the new one belongs to someone else.
    HasOtherMobile,
    NoSuchEnterprise,
    /// A points adjustment that would take the balance below zero.
    PointsBelowZero {
        balance: i32,
    },
    ZeroDelta,
    ImportHeader {
        expected: String,
    },
    ImportTooManyRows {
        max: usize,
    },
    /// The same mobile on an earlier line of the same file.
    DuplicateInFile {
        line: usize,
    },
    InvalidDevice,
    InvalidIp,
    InvalidConsumerId,
    AlreadyBlacklisted,
}

impl ConsumerMsg {
    pub fn render(&self, l: Locale) -> String {
        use ConsumerMsg::*;
        use Locale::*;
        match (self, l) {
            (BirthYear { max }, Zh) => format!("出生年份须在 1900–{max} 之间"),
            (BirthYear { max }, En) => format!("Birth year between 1900 and {max}"),
            (UnknownProvince, Zh) => "请选择列表中的省份".into(),
            (UnknownProvince, En) => "Choose a province from the list".into(),
            (UnknownInterest(s), Zh) => format!("未知的兴趣标签：{s}"),
            (UnknownInterest(s), En) => format!("Unknown interest tag: {s}"),
            (TooManyInterests { max }, Zh) => format!("最多选择 {max} 个兴趣"),
            (TooManyInterests { max }, En) => format!("At most {max} interests"),
            (DuplicateInterest, Zh) => "兴趣标签重复".into(),
            (DuplicateInterest, En) => "An interest is listed twice".into(),
            (UnknownGender, Zh) => "性别须为 male 或 female（男/女）".into(),
            (UnknownGender, En) => "Gender must be male or female".into(),
            (UnknownMarital, Zh) => "婚姻状况须为 single 或 married（未婚/已婚）".into(),
            (UnknownMarital, En) => "Marital status must be single or married".into(),
            (UnknownEducation, Zh) => "学历须为 secondary、college、bachelor、master、doctorate 之一".into(),
            (UnknownEducation, En) => "Education must be one of secondary, college, bachelor, master, doctorate".into(),
            (CodeTooSoon { seconds }, Zh) => format!("验证码发送过于频繁，请 {seconds} 秒后再试"),
            (CodeTooSoon { seconds }, En) => format!("Please wait {seconds} s before asking for another code"),
            (TooManyCodesToday { max }, Zh) => format!("今天已发送 {max} 次验证码，请明天再试"),
            (TooManyCodesToday { max }, En) => format!("{max} codes were sent today; try again tomorrow"),
            (NoCodePending, Zh) => "验证码已失效，请重新获取".into(),
            (NoCodePending, En) => "The code has expired; ask for a new one".into(),
            (WrongCode { left }, Zh) => format!("验证码错误，还可尝试 {left} 次"),
            (WrongCode { left }, En) => format!("Wrong code; {left} attempts left"),
            (CodeLocked, Zh) => "验证码错误次数过多，请重新获取".into(),
            (CodeLocked, En) => "Too many wrong codes; ask for a new one".into(),
            (HasOtherMobile, Zh) => "您已绑定其他手机号，不能再绑定已被使用的手机号".into(),
            (HasOtherMobile, En) => "You already have another mobile bound; this one is in use".into(),
            (NoSuchEnterprise, Zh) => "品牌不存在".into(),
            (NoSuchEnterprise, En) => "No such brand".into(),
            (PointsBelowZero { balance }, Zh) => format!("积分不足：当前余额 {balance}，调整后不能为负"),
            (PointsBelowZero { balance }, En) => format!("Not enough points: the balance is {balance} and cannot go below zero"),
            (ZeroDelta, Zh) => "调整数量不能为 0".into(),
            (ZeroDelta, En) => "The adjustment cannot be 0".into(),
            (ImportHeader { expected }, Zh) => format!("表头须为：{expected}"),
            (ImportHeader { expected }, En) => format!("The header must be: {expected}"),
            (ImportTooManyRows { max }, Zh) => format!("一次最多导入 {max} 行"),
            (ImportTooManyRows { max }, En) => format!("At most {max} rows per import"),
            (DuplicateInFile { line }, Zh) => format!("与第 {line} 行手机号重复"),
            (DuplicateInFile { line }, En) => format!("Same mobile as line {line}"),
            (InvalidDevice, Zh) => "设备 ID 须为 32 位十六进制".into(),
            (InvalidDevice, En) => "A device id is 32 hexadecimal characters".into(),
            (InvalidIp, Zh) => "IP 地址格式不正确".into(),
            (InvalidIp, En) => "Not a valid IP address".into(),
            (InvalidConsumerId, Zh) => "会员 ID 不存在".into(),
            (InvalidConsumerId, En) => "No member with this id".into(),
            (AlreadyBlacklisted, Zh) => "已在黑名单中".into(),
            (AlreadyBlacklisted, En) => "Already on the blacklist".into(),
        }
    }
}

fn cm(m: ConsumerMsg) -> Msg {
    Msg::Consumer(m)
}

pub const NAME_MAX: usize = 20;
pub const CITY_MAX: usize = 20;
pub const INTERESTS_MAX: usize = 12;
pub const REASON_MAX: usize = 200;
/// A one-time code lives this long.
pub const CODE_MINUTES: i64 = 10;
/// At most one code per device this often.
pub const CODE_RESEND_SECONDS: i64 = 60;
/// At most this many codes per device per day.
pub const CODES_PER_DAY: i64 = 10;
/// Wrong codes allowed before a new one is needed.
pub const CODE_ATTEMPTS: i16 = 5;
pub const IMPORT_MAX_ROWS: usize = 100_000;
/// Fits the server's request body limit (8 MB) with room for the JSON envelope.
pub const IMPORT_MAX_KB: usize = 7 * 1024;
pub const IMPORT_HEADER: &str = "mobile,name,gender,birth_year,province,city,marital,education,interests";

/// The current year in China (birth years up to it).
pub fn this_year() -> i32 {
    (Utc::now() + chrono::Duration::hours(8)).year()
}

macro_rules! keyed {
    ($(#[$m:meta])* $name:ident { $($v:ident => $key:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($v,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// The stored (and imported) key.
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $key,)* }
            }
            pub fn label(self, l: Locale) -> &'static str {
                match (self, l) { $(($name::$v, Locale::Zh) => $zh, ($name::$v, Locale::En) => $en,)* }
            }
            /// By key, or by either label (imports may use the Chinese words).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.key().eq_ignore_ascii_case(s) || v.label(Locale::Zh) == s || v.label(Locale::En).eq_ignore_ascii_case(s))
            }
        }
    };
}
/// Shared with the crowd rules (`domain::crowd`), which key their own enums the same way.
pub(crate) use keyed;

keyed!(Gender {
    Male => "male", "男", "Male";
    Female => "female", "女", "Female";
});

keyed!(Marital {
    Single => "single", "未婚", "Single";
    Married => "married", "已婚", "Married";
});

keyed!(Education {
    Secondary => "secondary", "高中及以下", "Secondary school";
    College => "college", "大专", "College";
    Bachelor => "bachelor", "本科", "Bachelor";
    Master => "master", "硕士", "Master";
    Doctorate => "doctorate", "博士", "Doctorate";
});

keyed!(
    /// The twelve first-level interest tags.
    Interest {
        News => "news", "新闻资讯", "News";
        Leisure => "leisure", "休闲娱乐", "Leisure";
        Gaming => "gaming", "游戏", "Gaming";
        Sports => "sports", "体育运动", "Sports";
        Digital => "digital", "3C数码", "3C / digital";
        Beauty => "beauty", "美妆护肤", "Beauty";
        Fashion => "fashion", "时尚服饰", "Fashion";
        Food => "food", "美食", "Food";
        Travel => "travel", "旅游出行", "Travel";
        Parenting => "parenting", "母婴亲子", "Parenting";
        Finance => "finance", "金融理财", "Finance";
        Automotive => "automotive", "汽车", "Automotive";
    }
);

keyed!(
    /// Where a consumer record came from.
    Source {
        Scan => "scan", "扫码", "Scan";
        Import => "import", "导入", "Import";
        Promotion => "promotion", "推广码", "Promotion code";
    }
);

pub fn risk_label(r: RiskLevel, l: Locale) -> &'static str {
    match (r, l) {
        (RiskLevel::Normal, Locale::Zh) => "正常",
        (RiskLevel::Normal, Locale::En) => "Normal",
        (RiskLevel::Watch, Locale::Zh) => "关注",
        (RiskLevel::Watch, Locale::En) => "Watch",
        (RiskLevel::High, Locale::Zh) => "高风险",
        (RiskLevel::High, Locale::En) => "High",
    }
}

/// 138****1234.
pub fn mask_mobile(m: &str) -> String {
    if m.len() == 11 && m.is_ascii() {
        format!("{}****{}", &m[..3], &m[7..])
    } else {
        "****".into()
    }
}

// ---------- the consumer's own profile ----------

/// The consumer's optional profile form. Every attribute is optional; `interests` are keys of
/// [`Interest`] (checked here, so the JSON API gets a field error rather than a parse failure).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub province: Option<String>,
    pub city: String,
    pub marital: Option<Marital>,
    pub education: Option<Education>,
    pub interests: Vec<String>,
}

impl ProfileInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.optional_text("name", &self.name, NAME_MAX);
        c.optional_text("city", &self.city, CITY_MAX);
        if let Some(y) = self.birth_year {
            let max = this_year();
            c.rule("birth_year", (1900..=max).contains(&y), cm(ConsumerMsg::BirthYear { max }));
        }
        if let Some(p) = &self.province {
            c.rule("province", PROVINCES.contains(&p.as_str()), cm(ConsumerMsg::UnknownProvince));
        }
        if let Err(m) = parse_interests(&self.interests) {
            c.fail("interests", m);
        }
        c.finish()
    }

    pub fn interests(&self) -> Vec<Interest> {
        parse_interests(&self.interests).unwrap_or_default()
    }
}

/// Interest keys (or labels) → tags: each known, none twice, at most [`INTERESTS_MAX`].
pub fn parse_interests<S: AsRef<str>>(items: &[S]) -> Result<Vec<Interest>, Msg> {
    if items.len() > INTERESTS_MAX {
        return Err(cm(ConsumerMsg::TooManyInterests { max: INTERESTS_MAX }));
    }
    let mut out = Vec::with_capacity(items.len());
    for s in items {
        let i = Interest::parse(s.as_ref()).ok_or_else(|| cm(ConsumerMsg::UnknownInterest(s.as_ref().to_string())))?;
        if out.contains(&i) {
            return Err(cm(ConsumerMsg::DuplicateInterest));
        }
        out.push(i);
    }
    Ok(out)
}

/// What the profile page shows: the form's values, the bound mobile (the consumer's own, so
/// unmasked) and the balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub enterprise_name: String,
    pub profile: ProfileInput,
    pub mobile: Option<String>,
    pub points: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    /// Seconds until another code may be asked for.
    pub resend_after: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound {
    pub mobile: String,
    /// This device's records were merged into the member who already had the mobile.
    pub merged: bool,
    pub points: i32,
}

pub fn check_mobile(mobile: &str) -> Result<(), Vec<FieldError>> {
    let mut c = Check::new();
    c.rule("mobile", is_mobile(mobile), Msg::InvalidMobile);
    c.finish()
}

pub fn check_code(mobile: &str, code: &str) -> Result<(), Vec<FieldError>> {
    let mut c = Check::new();
    c.rule("mobile", is_mobile(mobile), Msg::InvalidMobile);
    c.rule(
        "code",
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        Msg::Consumer(ConsumerMsg::WrongCode { left: CODE_ATTEMPTS }),
    );
    c.finish()
}

// ---------- the CSV import ----------

/// One imported row, validated: `mobile` is the key; empty cells are `None` (keep the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub mobile: String,
    pub name: Option<String>,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub marital: Option<Marital>,
    pub education: Option<Education>,
    pub interests: Option<Vec<Interest>>,
}

/// Checks one data row (cells in [`IMPORT_HEADER`] order); interests are separated by `;`,
/// `|` or `、`.
pub fn import_row(line: usize, cells: &[&str]) -> Result<ImportRow, ImportRowError> {
    let cell = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
    let opt = |i: usize| Some(cell(i)).filter(|s| !s.is_empty());
    let mut c = Check::new();
    let mobile = cell(0).to_string();
    c.rule("mobile", is_mobile(&mobile), Msg::InvalidMobile);
    let name = opt(1).map(str::to_string);
    if let Some(n) = &name {
        c.optional_text("name", n, NAME_MAX);
    }
    let gender = opt(2).and_then(|s| {
        let g = Gender::parse(s);
        c.rule("gender", g.is_some(), cm(ConsumerMsg::UnknownGender));
        g
    });
    let max = this_year();
    let birth_year = opt(3).and_then(|s| {
        let y = s.parse::<i32>().ok().filter(|y| (1900..=max).contains(y));
        c.rule("birth_year", y.is_some(), cm(ConsumerMsg::BirthYear { max }));
        y
    });
    let province = opt(4).map(str::to_string);
    if let Some(p) = &province {
        c.rule("province", PROVINCES.contains(&p.as_str()), cm(ConsumerMsg::UnknownProvince));
    }
    let city = opt(5).map(str::to_string);
    if let Some(ci) = &city {
        c.optional_text("city", ci, CITY_MAX);
    }
    let marital = opt(6).and_then(|s| {
        let m = Marital::parse(s);
        c.rule("marital", m.is_some(), cm(ConsumerMsg::UnknownMarital));
        m
    });
    let education = opt(7).and_then(|s| {
        let e = Education::parse(s);
        c.rule("education", e.is_some(), cm(ConsumerMsg::UnknownEducation));
        e
    });
    let interests = opt(8).and_then(|s| {
        let items: Vec<&str> = s.split([';', '|', '、']).map(str::trim).filter(|s| !s.is_empty()).collect();
        match parse_interests(&items) {
            Ok(v) => Some(v),
            Err(m) => {
                c.fail("interests", m);
                None
            }
        }
    });
    match c.finish() {
        Ok(()) => Ok(ImportRow { line, mobile, name, gender, birth_year, province, city, marital, education, interests }),
        Err(errors) => Err(ImportRowError { line, errors }),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumerImportReport {
    pub created: usize,
    pub updated: usize,
    pub failed: Vec<ImportRowError>,
}

// ---------- the member list and detail ----------

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFilter {
    /// A member id, a mobile (or its start) or part of a name.
    pub q: String,
    pub gender: Option<Gender>,
    pub province: Option<String>,
    pub source: Option<Source>,
    pub risk_level: Option<RiskLevel>,
    pub bonus_hunter: Option<bool>,
    pub has_mobile: Option<bool>,
    /// Last scan between these days (China time), inclusive.
    pub scan_from: Option<NaiveDate>,
    pub scan_to: Option<NaiveDate>,
}

impl MemberFilter {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.optional_text("q", &self.q, 50);
        if let Some(p) = &self.province {
            c.rule("province", PROVINCES.contains(&p.as_str()), cm(ConsumerMsg::UnknownProvince));
        }
        if let (Some(a), Some(b)) = (self.scan_from, self.scan_to) {
            c.rule("scan_to", b >= a, Msg::Export(crate::domain::warnings::ExportMsg::DatesReversed));
        }
        c.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MemberRow {
    pub id: i64,
    /// Masked (138****1234) unless the reader manages members.
    pub mobile: Option<String>,
    pub name: String,
    pub gender: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub points: i32,
    pub scans: i64,
    pub draws: i64,
    pub wins: i64,
    pub source: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_scan_at: Option<DateTime<Utc>>,
    pub risk_level: i16,
    pub bonus_hunter: bool,
    pub version: i32,
}

impl MemberRow {
    pub fn risk(&self) -> RiskLevel {
        RiskLevel::from_number(self.risk_level)
    }
    pub fn gender_label(&self, l: Locale) -> &'static str {
        self.gender.as_deref().and_then(Gender::parse).map(|g| g.label(l)).unwrap_or("—")
    }
    pub fn region(&self) -> String {
        match (&self.province, &self.city) {
            (Some(p), Some(c)) if p != c => format!("{p} {c}"),
            (Some(p), _) => p.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => "—".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LedgerRow {
    pub id: i64,
    pub delta: i32,
    pub balance: i32,
    pub reason: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl LedgerRow {
    pub fn reason_label(&self, l: Locale) -> &str {
        match (self.reason.as_str(), l) {
            ("prize", Locale::Zh) => "中奖",
            ("prize", Locale::En) => "Prize",
            ("redeem", Locale::Zh) => "兑换",
            ("redeem", Locale::En) => "Redeemed",
            ("adjust", Locale::Zh) => "人工调整",
            ("adjust", Locale::En) => "Adjustment",
            ("merge", Locale::Zh) => "合并",
            ("merge", Locale::En) => "Merge",
            (other, _) => other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MemberScan {
    pub id: i64,
    pub scanned_at: DateTime<Utc>,
    pub package_id: i64,
    pub package_name: Option<String>,
    pub serial: i32,
    pub product_name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub campaign_name: Option<String>,
    pub verdict: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MemberDraw {
    pub id: i64,
    pub drawn_at: DateTime<Utc>,
    pub campaign_name: String,
    pub package_id: i64,
    pub serial: i32,
    /// Names of the prizes won in this draw (empty: no prize).
    pub prizes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MemberWin {
    pub id: i64,
    pub won_at: DateTime<Utc>,
    pub campaign_name: String,
    pub prize_name: String,
    pub prize_kind: String,
    pub status: String,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claim_deadline: Option<DateTime<Utc>>,
    pub coupon_code: Option<String>,
    /// The goods address as one line (name, mobile, province city detail).
    pub address: Option<String>,
}

impl MemberWin {
    pub fn status_label(&self, l: Locale) -> &str {
        match (self.status.as_str(), l) {
            ("unclaimed", Locale::Zh) => "待领取",
            ("unclaimed", Locale::En) => "Unclaimed",
            ("claimed", Locale::Zh) => "已领取",
            ("claimed", Locale::En) => "Claimed",
            ("expired", Locale::Zh) => "已过期",
            ("expired", Locale::En) => "Expired",
            (other, _) => other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub member: MemberRow,
    pub birth_year: Option<i16>,
    pub marital: Option<String>,
    pub education: Option<String>,
    pub interests: Vec<String>,
    /// Tags put on by the brand's tools (a promotion code's auto tag).
    pub tags: Vec<String>,
    /// The promotion code that acquired the member (first touch), if any.
    pub acquired_by: Option<String>,
    pub devices: i64,
    /// Records merged into this member by mobile binding.
    pub merged_from: Vec<i64>,
    pub ledger: Vec<LedgerRow>,
    pub scans: Vec<MemberScan>,
    pub draws: Vec<MemberDraw>,
    pub wins: Vec<MemberWin>,
}

/// A manual points adjustment (positive: grant, negative: deduct).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsAdjustInput {
    pub consumer_id: i64,
    pub delta: i32,
    pub reason: String,
}

impl PointsAdjustInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("delta", self.delta != 0, cm(ConsumerMsg::ZeroDelta));
        c.rule("delta", self.delta.unsigned_abs() <= 1_000_000, Msg::TooLong { max: 7 });
        c.text("reason", &self.reason, REASON_MAX);
        c.finish()
    }
}

/// The risk level and bonus-hunter flag, as set by hand on the detail page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInput {
    pub consumer_id: i64,
    pub version: i32,
    pub risk_level: RiskLevel,
    pub bonus_hunter: bool,
}

// ---------- the blacklist and risk events ----------

keyed!(
    /// What a blacklist entry names.
    BlacklistKind {
        Consumer => "consumer", "会员 ID", "Member id";
        Device => "device", "设备", "Device";
        Ip => "ip", "IP", "IP";
        Mobile => "mobile", "手机号", "Mobile";
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistInput {
    pub kind: BlacklistKind,
    pub value: String,
    pub reason: String,
}

impl BlacklistInput {
    /// The value in its stored form (trimmed; device ids lower-case; IPs canonical).
    pub fn normalized(&self) -> String {
        let v = self.value.trim();
        match self.kind {
            BlacklistKind::Device => v.to_ascii_lowercase(),
            BlacklistKind::Ip => v.parse::<std::net::IpAddr>().map(|ip| ip.to_string()).unwrap_or_else(|_| v.to_string()),
            _ => v.to_string(),
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        let v = self.value.trim();
        if v.is_empty() {
            c.fail("value", Msg::Required);
        } else {
            let (ok, msg) = match self.kind {
                BlacklistKind::Consumer => (v.parse::<i64>().is_ok_and(|n| n > 0), cm(ConsumerMsg::InvalidConsumerId)),
                BlacklistKind::Device => (v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()), cm(ConsumerMsg::InvalidDevice)),
                BlacklistKind::Ip => (v.parse::<std::net::IpAddr>().is_ok(), cm(ConsumerMsg::InvalidIp)),
                BlacklistKind::Mobile => (is_mobile(v), Msg::InvalidMobile),
            };
            c.rule("value", ok, msg);
        }
        c.text("reason", &self.reason, REASON_MAX);
        c.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BlacklistEntry {
    pub id: i64,
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistFilter {
    pub kind: Option<BlacklistKind>,
    pub q: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskEventFilter {
    pub rule: Option<String>,
    pub blocked: Option<bool>,
    pub consumer_id: Option<i64>,
    /// A device id or an IP address.
    pub q: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RiskEventRow {
    pub id: i64,
    pub rule: String,
    pub blocked: bool,
    pub consumer_id: Option<i64>,
    pub device_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ProfileInput {
        ProfileInput {
            name: "张三".into(),
            gender: Some(Gender::Male),
            birth_year: Some(1990),
            province: Some("广东省".into()),
            city: "广州市".into(),
            marital: None,
            education: Some(Education::Bachelor),
            interests: vec!["food".into(), "travel".into()],
        }
    }

    #[test]
    fn profile_rules() {
        assert!(profile().validate().is_ok());
        let bad = ProfileInput {
            name: "名".repeat(21),
            birth_year: Some(1899),
            province: Some("广东".into()),
            interests: vec!["food".into(), "golf".into()],
            ..profile()
        };
        let errs = bad.validate().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "birth_year", "province", "interests"]);
        let next_year = ProfileInput { birth_year: Some(this_year() + 1), ..profile() };
        assert!(next_year.validate().is_err());
        assert_eq!(parse_interests(&["美食", "Travel"]).unwrap(), vec![Interest::Food, Interest::Travel]);
        assert!(parse_interests(&["food", "美食"]).is_err());
        assert_eq!(Interest::ALL.len(), 12);
    }

    #[test]
    fn import_rows() {
        let r = import_row(2, &["13800138000", "李四", "女", "1985", "浙江省", "杭州市", "married", "", "food;3C数码"]).unwrap();
        assert_eq!(r.gender, Some(Gender::Female));
        assert_eq!(r.education, None);
        assert_eq!(r.interests, Some(vec![Interest::Food, Interest::Digital]));
        let e = import_row(3, &["12345", "", "x", "1800", "火星", "", "", "", ""]).unwrap_err();
        assert_eq!(e.line, 3);
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["mobile", "gender", "birth_year", "province"]);
    }

    #[test]
    fn masks_and_blacklist_values() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
        let b = |kind, value: &str| BlacklistInput { kind, value: value.into(), reason: "刷单".into() };
        assert!(b(BlacklistKind::Device, "0123456789abcdef0123456789ABCDEF").validate().is_ok());
        assert_eq!(b(BlacklistKind::Device, "0123456789abcdef0123456789ABCDEF").normalized(), "0123456789abcdef0123456789abcdef");
        assert!(b(BlacklistKind::Device, "xyz").validate().is_err());
        assert!(b(BlacklistKind::Ip, "10.0.0.1").validate().is_ok());
        assert!(b(BlacklistKind::Ip, "10.0.0.300").validate().is_err());
        assert!(b(BlacklistKind::Mobile, "1380013800").validate().is_err());
        assert!(b(BlacklistKind::Consumer, "12").validate().is_ok());
        assert!(BlacklistInput { reason: String::new(), ..b(BlacklistKind::Consumer, "12") }.validate().is_err());
    }
}
