//! Promotion codes (推广码): a channel's own QR code and short link (`/p/<token>`) to a consumer
//! page, with UTM-style parameters, so that every consumer it brings is attributed to it.
//!
//! Attribution: a visit records the code and its parameters; a consumer is *acquired* by the
//! first promotion code that brought them (first touch); every later visit is kept too, so
//! reports can also credit the last touch. A visit counts once per consumer per code per
//! [`VISIT_WINDOW_MINUTES`]; visits without the device cookie or from bots are recorded but not
//! counted. Deleting a code hides it from the list and from download only: a printed code keeps
//! working and keeps being counted, and nothing collected is deleted.

use super::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The whole parameter string (`utm_source=…&utm_medium=…`, UTF-8) is at most this many bytes.
pub const PARAMS_MAX_BYTES: usize = 128;
pub const NAME_MAX: usize = 30;
pub const TAG_MAX: usize = 20;
pub const URL_MAX: usize = 500;
/// A repeat visit by the same consumer through the same code within this many minutes is one.
pub const VISIT_WINDOW_MINUTES: i64 = 30;
/// Codes compared at once on the analysis page.
pub const COMPARE_MAX: usize = 5;
/// Longest analysis range, in days.
pub const RANGE_MAX_DAYS: i64 = 366;
/// External domains a brand may allow.
pub const DOMAINS_MAX: usize = 20;
/// Printed sizes offered for the PNG download (side in cm), at [`QR_DPI`].
pub const QR_SIZES_CM: [u32; 5] = [8, 12, 15, 30, 50];
pub const QR_DPI: u32 = 300;
/// Largest brand logo accepted, in KB.
pub const LOGO_MAX_KB: usize = 512;
/// Short-link tokens: this many characters of [`TOKEN_ALPHABET`].
pub const TOKEN_LEN: usize = 8;
/// Lower-case letters and digits without look-alikes (0/o, 1/l/i).
pub const TOKEN_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// The Tessera consumer page a code opens, or an external page of an allowed domain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// 会员中心: the consumer's profile.
    #[default]
    MemberCentre,
    /// 我的奖品
    MyPrizes,
    /// 我的积分
    MyPoints,
    /// An https page on one of the brand's allowed domains.
    External,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::MemberCentre, Target::MyPrizes, Target::MyPoints, Target::External];

    /// The stored key (promotion_codes.target).
    pub fn key(self) -> &'static str {
        match self {
            Target::MemberCentre => "member",
            Target::MyPrizes => "prizes",
            Target::MyPoints => "points",
            Target::External => "external",
        }
    }
    pub fn from_key(k: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.key() == k)
    }
    /// The path of a Tessera page; None for an external one.
    pub fn path(self) -> Option<&'static str> {
        match self {
            Target::MemberCentre => Some("/c/profile"),
            Target::MyPrizes => Some("/c/prizes"),
            Target::MyPoints => Some("/c/points"),
            Target::External => None,
        }
    }
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (Target::MemberCentre, Locale::Zh) => "会员中心",
            (Target::MemberCentre, Locale::En) => "Member centre",
            (Target::MyPrizes, Locale::Zh) => "我的奖品",
            (Target::MyPrizes, Locale::En) => "My prizes",
            (Target::MyPoints, Locale::Zh) => "我的积分",
            (Target::MyPoints, Locale::En) => "My points",
            (Target::External, Locale::Zh) => "外部页面",
            (Target::External, Locale::En) => "External page",
        }
    }
}

/// A parameter dimension: the five UTM parameters, or the code itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimension {
    #[default]
    Code,
    Source,
    Medium,
    Campaign,
    Content,
    Term,
}

impl Dimension {
    pub const ALL: [Dimension; 6] =
        [Dimension::Code, Dimension::Source, Dimension::Medium, Dimension::Campaign, Dimension::Content, Dimension::Term];
    pub const PARAMS: [Dimension; 5] = [Dimension::Source, Dimension::Medium, Dimension::Campaign, Dimension::Content, Dimension::Term];

    /// The field name in forms, and the column of promotion_visits.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Code => "code",
            Dimension::Source => "source",
            Dimension::Medium => "medium",
            Dimension::Campaign => "campaign",
            Dimension::Content => "content",
            Dimension::Term => "term",
        }
    }
    pub fn from_key(k: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == k)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (Dimension::Code, Locale::Zh) => "推广码",
            (Dimension::Code, Locale::En) => "Code",
            (Dimension::Source, Locale::Zh) => "来源 (source)",
            (Dimension::Source, Locale::En) => "Source",
            (Dimension::Medium, Locale::Zh) => "媒介 (medium)",
            (Dimension::Medium, Locale::En) => "Medium",
            (Dimension::Campaign, Locale::Zh) => "活动 (campaign)",
            (Dimension::Campaign, Locale::En) => "Campaign",
            (Dimension::Content, Locale::Zh) => "内容 (content)",
            (Dimension::Content, Locale::En) => "Content",
            (Dimension::Term, Locale::Zh) => "关键词 (term)",
            (Dimension::Term, Locale::En) => "Term",
        }
    }
}

/// The campaign parameters of a code. Empty ones are left out of the parameter string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub content: String,
    pub term: String,
}

impl Params {
    pub fn get(&self, d: Dimension) -> &str {
        match d {
            Dimension::Source => &self.source,
            Dimension::Medium => &self.medium,
            Dimension::Campaign => &self.campaign,
            Dimension::Content => &self.content,
            Dimension::Term => &self.term,
            Dimension::Code => "",
        }
    }

    pub fn trimmed(&self) -> Params {
        Params {
            source: self.source.trim().into(),
            medium: self.medium.trim().into(),
            campaign: self.campaign.trim().into(),
            content: self.content.trim().into(),
            term: self.term.trim().into(),
        }
    }

    /// `utm_source=…&utm_medium=…` of the non-empty (trimmed) parameters, values as typed: the
    /// string whose UTF-8 bytes [`PARAMS_MAX_BYTES`] limits.
    pub fn query_string(&self) -> String {
        Dimension::PARAMS
            .into_iter()
            .filter_map(|d| {
                let v = self.get(d).trim();
                (!v.is_empty()).then(|| format!("utm_{}={v}", d.key()))
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The parameter string's length in bytes (what the form counts as the user types).
    pub fn bytes(&self) -> usize {
        self.query_string().len()
    }

    /// The parameter string percent-encoded, to append to the target page's URL.
    pub fn encoded_query(&self) -> String {
        Dimension::PARAMS
            .into_iter()
            .filter_map(|d| {
                let v = self.get(d).trim();
                (!v.is_empty()).then(|| format!("utm_{}={}", d.key(), percent_encode(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// RFC 3986 unreserved characters stay; every other byte becomes `%XX`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Characters a parameter value may not hold: they would break the parameter string.
fn bad_param_char(c: char) -> bool {
    c.is_control() || "&=#?".contains(c)
}

/// A new promotion code, or the editable part of an existing one (`id`, `version` set): name,
/// expiry and auto tag. Target and parameters are fixed once created — the code may be printed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PromotionInput {
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub target: Target,
    /// The external page (https) when `target` is External.
    pub external_url: String,
    pub params: Params,
    /// After this instant the short link answers "ended" (visits are still recorded).
    pub expires_at: Option<DateTime<Utc>>,
    /// A tag put on each consumer this code acquires ("" for none).
    pub auto_tag: String,
}

impl PromotionInput {
    /// Checks the form; `allowed_domains` are the brand's external domains; an expiry must lie
    /// after `now` when it differs from `stored_expiry` (the edited code's; None for a new one).
    pub fn validate(
        &self,
        allowed_domains: &[String],
        now: DateTime<Utc>,
        stored_expiry: Option<DateTime<Utc>>,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.text("name", &self.name, NAME_MAX);
        c.optional_text("auto_tag", &self.auto_tag, TAG_MAX);
        if let Some(t) = self.expires_at.filter(|t| Some(*t) != stored_expiry) {
            c.rule("expires_at", t > now, pm(PromotionMsg::ExpiryInPast));
        }
        if self.id.is_some() {
            return c.finish();
        }
        if self.target == Target::External {
            if let Err(m) = check_external_url(&self.external_url, allowed_domains) {
                c.fail("external_url", m);
            }
        }
        for d in Dimension::PARAMS {
            if self.params.get(d).chars().any(bad_param_char) {
                c.fail(d.key(), pm(PromotionMsg::ParamChar));
            }
        }
        let bytes = self.params.bytes();
        c.rule("params", bytes <= PARAMS_MAX_BYTES, pm(PromotionMsg::ParamsTooLong { bytes, max: PARAMS_MAX_BYTES }));
        c.finish()
    }
}

/// The host of an `https://host[:port]/…` URL, lower-cased.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.trim().strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let host = authority.split(':').next()?.to_ascii_lowercase();
    valid_domain(&host).then_some(host)
}

/// A domain name: dot-separated labels of letters, digits and hyphens, with a dot.
pub fn valid_domain(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An external target: https, at most [`URL_MAX`] characters, on an allowed domain or one of its
/// subdomains (no open redirect through the brand's short links).
pub fn check_external_url(url: &str, allowed: &[String]) -> Result<(), Msg> {
    let url = url.trim();
    if url.is_empty() {
        return Err(Msg::Required);
    }
    if url.chars().count() > URL_MAX {
        return Err(Msg::TooLong { max: URL_MAX });
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(pm(PromotionMsg::NotHttpsUrl));
    }
    let host = url_host(url).ok_or(pm(PromotionMsg::NotHttpsUrl))?;
    if allowed.iter().any(|d| host == *d || host.ends_with(&format!(".{d}"))) {
        Ok(())
    } else {
        Err(pm(PromotionMsg::DomainNotAllowed { host }))
    }
}

/// The brand's settings of the area: the logo put in the centre of QR codes on request, and the
/// domains external targets may be on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PromotionSettings {
    /// Path under `/media/` of the logo (PNG), if uploaded.
    pub logo: Option<String>,
    pub allowed_domains: Vec<String>,
}

/// Domains as typed (one per line or comma-separated) → lower-cased, deduplicated, each valid.
pub fn parse_domains(text: &str) -> Result<Vec<String>, Msg> {
    let mut out: Vec<String> = Vec::new();
    for d in text.split([',', '\n', '，', ' ']).map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase()).filter(|d| !d.is_empty()) {
        if !valid_domain(&d) {
            return Err(pm(PromotionMsg::InvalidDomain(d)));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    if out.len() > DOMAINS_MAX {
        return Err(pm(PromotionMsg::TooManyDomains { max: DOMAINS_MAX }));
    }
    Ok(out)
}

/// A row of the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub token: String,
    /// The absolute short link printed in the QR code.
    pub short_link: String,
    pub target: Target,
    pub external_url: String,
    pub params: Params,
    pub expires_at: Option<DateTime<Utc>>,
    pub auto_tag: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub deleted_at: Option<DateTime<Utc>>,
    pub visits_7d: i64,
    pub visits: i64,
    pub acquired_7d: i64,
    pub acquired: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionFilter {
    /// Name or token contains.
    pub q: String,
    pub include_deleted: bool,
}

/// Credit for a consumer: the first code that ever brought them, or the last within the range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Attribution {
    #[default]
    FirstTouch,
    LastTouch,
}

impl Attribution {
    pub const ALL: [Attribution; 2] = [Attribution::FirstTouch, Attribution::LastTouch];

    /// The value in forms and in the CSV link.
    pub fn key(self) -> &'static str {
        match self {
            Attribution::FirstTouch => "first",
            Attribution::LastTouch => "last",
        }
    }
    pub fn from_key(k: &str) -> Option<Attribution> {
        Attribution::ALL.into_iter().find(|a| a.key() == k)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (Attribution::FirstTouch, Locale::Zh) => "首次触达（拉新）",
            (Attribution::FirstTouch, Locale::En) => "First touch (acquisition)",
            (Attribution::LastTouch, Locale::Zh) => "末次触达",
            (Attribution::LastTouch, Locale::En) => "Last touch",
        }
    }
}

/// The analysis page's question. Dates are days in China Standard Time, both inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Codes to compare (≤ [`COMPARE_MAX`]); empty: all codes, deleted ones included.
    pub codes: Vec<i64>,
    pub split: Dimension,
    pub attribution: Attribution,
}

impl AnalysisQuery {
    /// The last 7 days up to `today`.
    pub fn last_7_days(today: NaiveDate) -> AnalysisQuery {
        AnalysisQuery {
            from: today - chrono::Duration::days(6),
            to: today,
            codes: vec![],
            split: Dimension::Code,
            attribution: Attribution::FirstTouch,
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("to", self.to >= self.from, Msg::Export(super::warnings::ExportMsg::DatesReversed));
        let days = (self.to - self.from).num_days() + 1;
        c.rule("from", days <= RANGE_MAX_DAYS, pm(PromotionMsg::RangeTooLong { max_days: RANGE_MAX_DAYS }));
        c.rule("codes", self.codes.len() <= COMPARE_MAX, pm(PromotionMsg::TooManyCodes { max: COMPARE_MAX }));
        c.finish()
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from.iter_days().take_while(|d| *d <= self.to).collect()
    }
}

/// One group of the split (a code, or one value of a parameter) over the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The code's name, or the parameter's value ("" shows as "(none)").
    pub label: String,
    /// Counted visits per day of the range.
    pub visits: Vec<i64>,
    /// Consumers credited per day (acquired, or last touched, by the attribution).
    pub consumers: Vec<i64>,
    pub visits_total: i64,
    /// Distinct consumers who visited in the range.
    pub visitors_total: i64,
    pub consumers_total: i64,
}

/// The analysis: one series per group, largest first, and what was recorded but not counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub days: Vec<NaiveDate>,
    pub series: Vec<Series>,
    /// Distinct consumers with a counted visit in the range (one who came through several
    /// groups counts once here, once in each group's `visitors_total`).
    pub visitors: i64,
    pub excluded_bots: i64,
    pub excluded_no_cookie: i64,
    pub excluded_repeats: i64,
    /// Visits after the code's expiry (they see "ended", not the page).
    pub excluded_expired: i64,
}

impl Analysis {
    /// CSV (header + one row per group and day): what the export button downloads.
    pub fn csv(&self, split: Dimension, attribution: Attribution, l: Locale) -> String {
        let credit = attribution.label(l);
        let (date, visits) = match l {
            Locale::Zh => ("日期", "访问次数"),
            Locale::En => ("Date", "Visits"),
        };
        let mut out = format!("{},{date},{visits},{}\n", csv_cell(split.label(l)), csv_cell(credit));
        for s in &self.series {
            for (i, d) in self.days.iter().enumerate() {
                out.push_str(&format!("{},{d},{},{}\n", csv_cell(&s.label), s.visits[i], s.consumers[i]));
            }
        }
        out
    }
}

/// A CSV cell: quoted when it holds a separator, quote or line break; a leading `=+-@` is
/// prefixed with `'` so that a spreadsheet does not run it as a formula.
pub fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) { format!("'{v}") } else { v.to_string() };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// Why a recorded visit does not count (promotion_visits.excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Excluded {
    Bot,
    NoCookie,
    Repeat,
    Expired,
}

impl Excluded {
    pub fn key(self) -> &'static str {
        match self {
            Excluded::Bot => "bot",
            Excluded::NoCookie => "no_cookie",
            Excluded::Repeat => "repeat",
            Excluded::Expired => "expired",
        }
    }
}

/// Obvious robots by user agent: crawlers, link previewers, HTTP libraries, headless tools,
/// and requests with no user agent at all.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    if ua.is_empty() {
        return true;
    }
    const MARKS: [&str; 16] = [
        "bot",
        "spider",
        "crawl",
        "slurp",
        "preview",
        "curl/",
        "wget/",
        "python-",
        "python/",
        "go-http-client",
        "java/",
        "okhttp",
        "headlesschrome",
        "libwww",
        "httpclient",
        "facebookexternalhit",
    ];
    MARKS.iter().any(|m| ua.contains(m))
}

/// A short-link token's form (checked before any lookup).
pub fn valid_token(t: &str) -> bool {
    t.len() == TOKEN_LEN && t.bytes().all(|b| TOKEN_ALPHABET.contains(&b))
}

/// Pixels of a printed side of `cm` centimetres at [`QR_DPI`].
pub fn pixels_of_cm(cm: u32) -> u32 {
    ((cm as f64) / 2.54 * QR_DPI as f64).round() as u32
}

/// A code for a picker (the analysis page compares up to [`COMPARE_MAX`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeChoice {
    pub id: i64,
    pub name: String,
    pub deleted: bool,
}

/// The PNG download of a code's QR image: `cm` one of [`QR_SIZES_CM`], with the brand logo in
/// the centre or not.
pub fn qr_png_href(id: i64, cm: u32, logo: bool) -> String {
    format!("/files/promotion/{id}/qr.png?cm={cm}&logo={}", logo as u8)
}

pub fn qr_svg_href(id: i64, logo: bool) -> String {
    format!("/files/promotion/{id}/qr.svg?logo={}", logo as u8)
}

/// The CSV download of an analysis.
pub fn analysis_csv_href(q: &AnalysisQuery) -> String {
    let codes = q.codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    format!(
        "/files/promotion/analysis.csv?from={}&to={}&codes={codes}&split={}&attribution={}",
        q.from,
        q.to,
        q.split.key(),
        q.attribution.key()
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionMsg {
    ParamsTooLong {
        bytes: usize,
        max: usize,
    },
    ParamChar,
    NotHttpsUrl,
    DomainNotAllowed {
        host: String,
    },
    InvalidDomain(String),
    TooManyDomains {
        max: usize,
    },
    ExpiryInPast,
    /// A deleted code can no longer be edited.
    Deleted,
    TooManyCodes {
        max: usize,
    },
    RangeTooLong {
        max_days: i64,
    },
    QrSize,
    /// The logo is not a PNG image.
    LogoNotPng,
    /// QR with the logo asked, but no logo was uploaded.
    NoLogo,
}

impl PromotionMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        use PromotionMsg::*;
        match (self, l) {
            (ParamsTooLong { bytes, max }, Zh) => format!("参数串共 {bytes} 字节，最多 {max} 字节（汉字每个 3 字节）"),
            (ParamsTooLong { bytes, max }, En) => {
                format!("The parameter string is {bytes} bytes; at most {max} (a Chinese character is 3 bytes)")
            }
            (ParamChar, Zh) => "参数不能包含 & = # ? 或控制字符".into(),
            (ParamChar, En) => "A parameter may not contain & = # ? or control characters".into(),
            (NotHttpsUrl, Zh) => "请输入以 https:// 开头的完整网址".into(),
            (NotHttpsUrl, En) => "Enter a full address starting with https://".into(),
            (DomainNotAllowed { host }, Zh) => format!("域名 {host} 不在允许的外部域名中（在「推广码设置」中添加）"),
            (DomainNotAllowed { host }, En) => {
                format!("{host} is not an allowed external domain (add it under Promotion settings)")
            }
            (InvalidDomain(d), Zh) => format!("域名格式不正确：{d}"),
            (InvalidDomain(d), En) => format!("Not a domain name: {d}"),
            (TooManyDomains { max }, Zh) => format!("最多 {max} 个域名"),
            (TooManyDomains { max }, En) => format!("At most {max} domains"),
            (ExpiryInPast, Zh) => "有效期须晚于当前时间".into(),
            (ExpiryInPast, En) => "The expiry must be in the future".into(),
            (Deleted, Zh) => "该推广码已删除，不能修改".into(),
            (Deleted, En) => "This promotion code was deleted and cannot be changed".into(),
            (TooManyCodes { max }, Zh) => format!("最多同时对比 {max} 个推广码"),
            (TooManyCodes { max }, En) => format!("Compare at most {max} codes"),
            (RangeTooLong { max_days }, Zh) => format!("时间范围最长 {max_days} 天"),
            (RangeTooLong { max_days }, En) => format!("At most {max_days} days"),
            (QrSize, Zh) => format!("尺寸须为 {:?} 厘米之一", QR_SIZES_CM),
            (QrSize, En) => format!("The size must be one of {:?} cm", QR_SIZES_CM),
            (LogoNotPng, Zh) => "Logo 须为 PNG 图片".into(),
            (LogoNotPng, En) => "The logo must be a PNG image".into(),
            (NoLogo, Zh) => "尚未上传品牌 Logo（在「推广码设置」中上传）".into(),
            (NoLogo, En) => "No brand logo uploaded yet (upload it under Promotion settings)".into(),
        }
    }
}

fn pm(m: PromotionMsg) -> Msg {
    Msg::Promotion(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(params: Params) -> PromotionInput {
        PromotionInput { name: "公众号文章".into(), params, ..Default::default() }
    }

    #[test]
    fn the_parameter_string_is_limited_in_utf8_bytes() {
        let now = Utc::now();
        // "utm_source=" is 11 bytes; 39 Chinese characters are 117: 128 in all.
        let fits = Params { source: "码".repeat(39), ..Default::default() };
        assert_eq!(fits.bytes(), 128);
        assert!(input(fits).validate(&[], now, None).is_ok());
        let over = Params { source: "码".repeat(39) + "a", ..Default::default() };
        assert_eq!(over.bytes(), 129);
        let err = input(over).validate(&[], now, None).unwrap_err();
        assert_eq!(err[0].field, "params");
        assert_eq!(err[0].msg, pm(PromotionMsg::ParamsTooLong { bytes: 129, max: 128 }));
        // 40 characters would be within a 128-*character* limit: bytes, not characters.
        assert!("码".repeat(39).chars().count() < 128);
        let p = Params { source: "wx".into(), medium: "article".into(), ..Default::default() };
        assert_eq!(p.query_string(), "utm_source=wx&utm_medium=article");
        assert_eq!(Params::default().bytes(), 0);
    }

    #[test]
    fn parameters_may_not_break_the_string() {
        let p = Params { campaign: "a&b".into(), ..Default::default() };
        let err = input(p).validate(&[], Utc::now(), None).unwrap_err();
        assert_eq!(err[0].field, "campaign");
        assert_eq!(percent_encode("新 品&x"), "%E6%96%B0%20%E5%93%81%26x");
    }

    #[test]
    fn external_targets_must_be_https_on_an_allowed_domain() {
        let allowed = vec!["brand.com".to_string()];
        assert!(check_external_url("https://brand.com/a?b=1", &allowed).is_ok());
        assert!(check_external_url("https://shop.brand.com:8443/x", &allowed).is_ok());
        assert_eq!(
            check_external_url("https://evilbrand.com/", &allowed),
            Err(pm(PromotionMsg::DomainNotAllowed { host: "evilbrand.com".into() }))
        );
        assert_eq!(check_external_url("http://brand.com/", &allowed), Err(pm(PromotionMsg::NotHttpsUrl)));
        assert_eq!(check_external_url("https://brand.com@evil.com/", &allowed), Err(pm(PromotionMsg::NotHttpsUrl)));
        assert_eq!(parse_domains("Brand.com, shop.example.cn\nbrand.com").unwrap(), vec!["brand.com", "shop.example.cn"]);
        assert!(parse_domains("not a domain").is_err());
    }

    #[test]
    fn bots_and_tokens() {
        assert!(is_bot(""));
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("curl/8.1"));
        assert!(!is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0"));
        assert!(valid_token("abcd2345"));
        assert!(!valid_token("abcd234l") && !valid_token("abc"));
        assert_eq!(pixels_of_cm(8), 945);
        assert_eq!(pixels_of_cm(50), 5906);
    }

    #[test]
    fn analysis_ranges() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let q = AnalysisQuery::last_7_days(today);
        assert_eq!(q.days().len(), 7);
        assert!(q.validate().is_ok());
        let mut bad = q.clone();
        bad.codes = (1..=6).collect();
        bad.to = bad.from - chrono::Duration::days(1);
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["to", "codes"]);
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
