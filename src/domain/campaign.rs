//! Scan-to-win campaigns (营销中心 → 扫码营销): the five-step wizard's model, its validation per
//! step, the states and what may change while a campaign runs, and the overlap order.
//!
//! Steps: 1 basic → 2 settings (matching + limits) → 3 prizes → 4 delivery rules → 5 page.
//! Each step validates on its own (a draft saves any step); launching validates all five.
//! Times are UTC on the wire and shown in China Standard Time; daily/weekly windows are
//! wall-clock times in China Standard Time (UTC+8).

use crate::domain::basic_data::PROVINCES;
use crate::domain::validate::{Check, FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The game a campaign page plays; both share one draw engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignKind {
    /// 九宫格: eight prize tiles around a start button.
    #[default]
    NineGrid,
    /// 刮刮卡: scratch a layer to reveal the result.
    Scratch,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 2] = [CampaignKind::NineGrid, CampaignKind::Scratch];
    /// The stored name (campaigns.kind).
    pub fn key(self) -> &'static str {
        match self {
            CampaignKind::NineGrid => "nine_grid",
            CampaignKind::Scratch => "scratch",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignStatus {
    Draft,
    /// Launched, before its start time.
    Scheduled,
    Running,
    Paused,
    Ended,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 5] =
        [CampaignStatus::Draft, CampaignStatus::Scheduled, CampaignStatus::Running, CampaignStatus::Paused, CampaignStatus::Ended];
    /// The stored name (campaigns.status).
    pub fn key(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Ended => "ended",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// When, inside start … end, the campaign accepts draws.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Cycle {
    #[default]
    Unlimited,
    /// Every day from `from` to `to` (China Standard Time; `to` after `from`).
    Daily { from: NaiveTime, to: NaiveTime },
    /// On the given weekdays (1 = Monday … 7 = Sunday), from `from` to `to`.
    Weekly { days: Vec<u8>, from: NaiveTime, to: NaiveTime },
}

/// Step 1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Basic {
    pub kind: CampaignKind,
    pub name: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub cycle: Cycle,
    /// Rules text shown to consumers.
    pub description: String,
}

/// Step 2: which scans the campaign takes, and every per-code and per-user limit. `None` means
/// unlimited (or no interval).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Code specs whose codes take part (at least one).
    pub spec_ids: Vec<i64>,
    /// Products (of the scanned code's activated range); empty: every product.
    pub product_ids: Vec<i64>,
    /// Provinces of the scan's region; empty: everywhere (a scan of unknown region matches only
    /// a campaign without provinces).
    pub provinces: Vec<String>,
    /// Scans of one code that may take part, by anyone.
    pub scans_per_code: Option<u32>,
    /// Scans of one code by one consumer that may take part.
    pub scans_per_code_per_person: Option<u32>,
    pub code_draws: CodeDrawLimits,
    pub code_wins: CodeWinLimits,
    pub user_draws: UserDrawLimits,
    pub user_wins: UserWinLimits,
}

/// Per-code draw limits (单码抽奖限制).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeDrawLimits {
    pub per_day: Option<u32>,
    pub per_campaign: Option<u32>,
    /// A draw on a later scan of the code needs this long since the code's first scan.
    pub minutes_after_first_scan: Option<u32>,
    /// No draw on a code until this long after its activation (keeps the packing line out).
    pub minutes_after_activation: Option<u32>,
    /// Scans after the first that may still draw (0: only the first scan draws).
    pub rescans: Option<u32>,
}

/// Per-code win limits (单码中奖限制). A refused win falls back to the over-limit prize.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeWinLimits {
    pub per_day: Option<u32>,
    pub per_campaign: Option<u32>,
    pub minutes_after_first_scan: Option<u32>,
    pub minutes_after_activation: Option<u32>,
}

/// Per-consumer participation limits (用户参与限制).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserDrawLimits {
    pub per_day: Option<u32>,
    pub per_campaign: Option<u32>,
    pub seconds_between_draws: Option<u32>,
}

/// Per-consumer win limits (用户中奖限制).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserWinLimits {
    pub per_day: Option<u32>,
    pub per_campaign: Option<u32>,
    /// 100 % win: a draw whose random value lands on "no prize" is drawn again among the
    /// group's prizes, in proportion to their probabilities.
    pub every_draw_wins: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrizeKind {
    #[default]
    Points,
    Coupon,
    /// Physical goods: the consumer fills an address to claim.
    Goods,
    /// Cash-like: recorded for payout by an external system (exported).
    Cash,
    /// Thanks for playing: no stock, not a win.
    Thanks,
}

impl PrizeKind {
    pub const ALL: [PrizeKind; 5] = [PrizeKind::Points, PrizeKind::Coupon, PrizeKind::Goods, PrizeKind::Cash, PrizeKind::Thanks];
    /// The stored name (campaign_prizes.kind).
    pub fn key(self) -> &'static str {
        match self {
            PrizeKind::Points => "points",
            PrizeKind::Coupon => "coupon",
            PrizeKind::Goods => "goods",
            PrizeKind::Cash => "cash",
            PrizeKind::Thanks => "thanks",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// How long a won prize may be claimed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum ClaimExpiry {
    #[default]
    Never,
    Hours(u32),
    Days(u32),
    At(DateTime<Utc>),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum CouponSource {
    /// A random code made at the win.
    #[default]
    Generate,
    /// Taken from codes imported for the prize (the quantity cannot exceed them).
    Import,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CouponValidity {
    /// Valid for N days from the win.
    Days(u32),
    Range {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Default for CouponValidity {
    fn default() -> Self {
        CouponValidity::Days(30)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CouponSetup {
    pub source: CouponSource,
    pub validity: CouponValidity,
}

/// Step 3: one prize.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Prize {
    /// Stable within the campaign (1, 2, …): plans and over-limit settings refer to it.
    pub key: u16,
    pub name: String,
    pub kind: PrizeKind,
    /// Path under `/media` of the prize's picture.
    pub image: Option<String>,
    /// Points credited (points prizes).
    pub points: u32,
    /// Cost to the brand per unit, in fen (the amount for cash-like prizes).
    pub value_fen: i64,
    /// Stock; `None` only for thanks-for-playing.
    pub quantity: Option<u32>,
    /// Alert (预警通知 + outbox) when remaining ≤ this.
    pub warning_value: Option<u32>,
    pub claim_expiry: ClaimExpiry,
    pub daily_cap: Option<u32>,
    pub per_person_cap: Option<u32>,
    pub per_person_daily_cap: Option<u32>,
    /// Awarded instead when this prize's stock or a cap refuses it (a prize key).
    pub over_limit: Option<u16>,
    /// Coupons only.
    pub coupon: Option<CouponSetup>,
    /// Set by the server: already awarded (a running campaign cannot go below it).
    #[serde(default)]
    pub awarded: u32,
}

/// Step 4: the default plan and ordered precision plans (checked first, top to bottom).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub default_plan: Plan,
    pub precision: Vec<Plan>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Stable within the campaign (the default plan is 0): draws record it.
    pub key: u16,
    pub name: String,
    /// Ignored for the default plan (it matches everyone).
    pub conditions: PlanConditions,
    /// Prize groups (layers), at most [`MAX_GROUPS`]: one draw can win one prize per group.
    pub groups: Vec<PrizeGroup>,
}

/// What a precision plan matches; every set condition must hold (empty / `None`: any).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanConditions {
    pub product_ids: Vec<i64>,
    pub risk_levels: Vec<crate::domain::risk::RiskLevel>,
    pub audience: Option<Audience>,
    pub provinces: Vec<String>,
    /// A daily or weekly time window (Unlimited: any time).
    pub window: Cycle,
    /// The consumer's draws in this campaign so far (inclusive range).
    pub draw_count: Option<CountRange>,
    /// The consumer's draws in all of the enterprise's campaigns so far.
    pub participation_count: Option<CountRange>,
    /// Prizes the consumer has won in this campaign so far.
    pub prizes_won: Option<CountRange>,
    /// Member of any of these crowds (usable once crowds exist).
    pub crowd_ids: Vec<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// No scan of the enterprise's codes before this one.
    New,
    Returning,
}

/// An inclusive range; `None` bounds are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRange {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrizeGroup {
    pub entries: Vec<GroupEntry>,
}

/// A prize in a group with its win probability in parts per million (1 000 000 = 100 %).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupEntry {
    pub prize: u16,
    pub probability_ppm: u32,
    /// Alert when the prize's remaining stock ≤ this (in addition to the prize's own value).
    pub warning_value: Option<u32>,
    /// Overrides the prize's over-limit prize in this group.
    pub over_limit: Option<u16>,
}

/// Step 5: the classic template's look.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub title: String,
    /// `#rrggbb`.
    pub primary_color: String,
    pub background_color: String,
    /// Path under `/media`.
    pub banner_image: Option<String>,
    /// Shown under the game; empty: the step-1 description.
    pub rules: String,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            title: String::new(),
            primary_color: "#d7263d".into(),
            background_color: "#fff4e6".into(),
            banner_image: None,
            rules: String::new(),
        }
    }
}

/// The whole wizard: what the console edits and the server stores.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignInput {
    pub basic: Basic,
    pub settings: Settings,
    pub prizes: Vec<Prize>,
    pub delivery: Delivery,
    pub page: Page,
}

/// A campaign as loaded for the wizard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub status: CampaignStatus,
    pub priority: i32,
    /// The furthest step saved.
    pub step: u8,
    pub version: i32,
    pub input: CampaignInput,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the campaign list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignRow {
    pub id: i64,
    pub kind: CampaignKind,
    pub name: String,
    pub status: CampaignStatus,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub priority: i32,
    pub step: u8,
    pub scans: i64,
    pub draws: i64,
    pub wins: i64,
    pub version: i32,
}

/// The wizard steps, 1-based on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Basic = 1,
    Settings = 2,
    Prizes = 3,
    Delivery = 4,
    Page = 5,
}

/// At most this many prize groups (layers) per plan.
pub const MAX_GROUPS: usize = 20;
/// 100 % in parts per million.
pub const PPM: u32 = 1_000_000;

/// Longest campaign name (characters).
pub const NAME_MAX: usize = 40;
/// Longest description and page rules text (characters).
pub const TEXT_MAX: usize = 2000;
/// Longest prize name and precision plan name (characters).
pub const PRIZE_NAME_MAX: usize = 20;
/// Longest page title (characters).
pub const TITLE_MAX: usize = 30;
/// Most prizes of a nine-grid campaign: one per tile around the start button.
pub const NINE_GRID_PRIZES: usize = 8;
/// Most prizes of a scratch-card campaign.
pub const SCRATCH_PRIZES: usize = 20;
/// Largest stock of one prize.
pub const QUANTITY_MAX: u32 = 10_000_000;
/// Most points one points prize credits (the ledger's integer column stays far from overflow).
pub const POINTS_MAX: u32 = 1_000_000;
/// Longest coupon validity in days (ten years).
pub const COUPON_DAYS_MAX: u32 = 3650;
/// Longest claim expiry in hours (a year) and in days.
pub const CLAIM_HOURS_MAX: u32 = 8760;
pub const CLAIM_DAYS_MAX: u32 = 365;

/// A prize's stock or cap that a smaller cap must not exceed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapLimit {
    Quantity,
    DailyCap,
    PerPersonCap,
}

impl CapLimit {
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (CapLimit::Quantity, Locale::Zh) => "奖品数量",
            (CapLimit::Quantity, Locale::En) => "the quantity",
            (CapLimit::DailyCap, Locale::Zh) => "每日上限",
            (CapLimit::DailyCap, Locale::En) => "the daily cap",
            (CapLimit::PerPersonCap, Locale::Zh) => "每人上限",
            (CapLimit::PerPersonCap, Locale::En) => "the per-person cap",
        }
    }
}

/// What the console asks of a launched campaign's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignAction {
    /// Draft → scheduled (start in the future) or running.
    Launch,
    /// Running → paused.
    Pause,
    /// Paused → running.
    Resume,
    /// Scheduled, running or paused → ended (for good).
    End,
}

impl CampaignAction {
    pub const ALL: [CampaignAction; 4] = [CampaignAction::Launch, CampaignAction::Pause, CampaignAction::Resume, CampaignAction::End];
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (CampaignAction::Launch, Locale::Zh) => "发布",
            (CampaignAction::Launch, Locale::En) => "launch",
            (CampaignAction::Pause, Locale::Zh) => "暂停",
            (CampaignAction::Pause, Locale::En) => "pause",
            (CampaignAction::Resume, Locale::Zh) => "恢复",
            (CampaignAction::Resume, Locale::En) => "resume",
            (CampaignAction::End, Locale::Zh) => "结束",
            (CampaignAction::End, Locale::En) => "end",
        }
    }
}

/// Refusals of the campaign area (rendered through [`Msg::Campaign`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignMsg {
    /// The end is not after the start.
    EndBeforeStart,
    /// A daily or weekly window whose end is not after its start (a window cannot cross
    /// midnight: two windows, or two campaigns, cover a night).
    WindowOrder,
    /// A weekly cycle without days.
    WeekdaysRequired,
    /// A weekday outside 1 (Monday) … 7 (Sunday), or one chosen twice.
    Weekdays,
    /// No code spec chosen.
    SpecRequired,
    /// A province not in the list of provinces.
    UnknownProvince { name: String },
    /// A number below `min`.
    AtLeast { min: u32 },
    /// A number outside `min`–`max`.
    Between { min: u32, max: u32 },
    /// A per-day limit above the same limit per campaign.
    DailyAboveTotal,
    /// Scans per code per person above scans per code.
    PersonAboveCode,
    /// Fewer than one or more than `max` prizes for the campaign's game.
    PrizeCount { max: usize },
    /// A prize key of 0.
    PrizeKey,
    /// Two prizes with the same key.
    PrizeKeyTwice { key: u16 },
    /// Thanks-for-playing carries a quantity, warning value, cap or over-limit prize.
    ThanksNoStock,
    /// A points prize crediting no points.
    PointsRequired,
    /// A cash-like prize without an amount.
    CashValueRequired,
    /// A coupon prize without its coupon setup.
    CouponSetupRequired,
    /// A coupon setup on a prize that is not a coupon.
    CouponSetupNotCoupon,
    /// A coupon validity range whose end is not after its start.
    CouponRangeOrder,
    /// A warning value above the prize's quantity.
    WarningAboveQuantity,
    /// A cap above another cap or the stock it lives inside.
    CapAbove { limit: CapLimit },
    /// An over-limit prize key that no prize has.
    OverLimitUnknown { key: u16 },
    /// A prize that is its own over-limit prize.
    OverLimitSelf,
    /// Following over-limit prizes comes back to a prize already visited.
    OverLimitCycle,
    /// A plan with no prize group or more than `max`.
    GroupCount { max: usize },
    /// A prize group without prizes.
    GroupEmpty,
    /// A group entry naming a prize key that no prize has.
    EntryUnknownPrize { key: u16 },
    /// The same prize twice in one group.
    EntryPrizeTwice,
    /// One entry's probability above 100 %.
    ProbabilityAbove100,
    /// A group's probabilities add up to more than 100 % (the total, in parts per million).
    GroupTotal { total_ppm: u64 },
    /// The default plan's key is not 0.
    DefaultPlanKey,
    /// A precision plan key of 0 (the default plan's).
    PlanKey,
    /// Two precision plans with the same key.
    PlanKeyTwice { key: u16 },
    /// A precision plan without any condition (it would shadow every plan below it).
    ConditionRequired,
    /// A count range with min above max.
    RangeOrder,
    /// A colour that is not `#rrggbb`.
    Color,
    /// Running: the game cannot change once the campaign has started.
    KindFixed,
    /// Running: the start cannot move once it has passed.
    StartFixed,
    /// Launched, not yet started: the start cannot move into the past.
    StartInPast,
    /// Launched: the end cannot move before now.
    EndInPast,
    /// A prize already awarded cannot be removed.
    AwardedPrizeRemoved { name: String, awarded: u32 },
    /// A prize already awarded cannot change its kind, points or value.
    AwardedPrizeChanged { awarded: u32 },
    /// The quantity cannot go below what was awarded.
    QuantityBelowAwarded { awarded: u32 },
    /// A prize already won cannot become unwinnable in every group of every plan.
    WonPrizeUnreachable { name: String, awarded: u32 },
    /// Launched: code specs can be added, not removed.
    SpecRemoved,
    /// Launching needs a start and an end.
    DatesRequired,
    /// Launching a campaign whose end has passed.
    EndPassed,
    /// Only a draft can be deleted (a launched campaign is ended instead).
    NotDraft,
    /// An ended campaign is read-only (copy it to run it again).
    EndedReadOnly,
    /// An imported-coupon prize's remaining quantity exceeds its free imported codes.
    CouponCodesShort { available: u32 },
    /// One import takes at most this many codes.
    CouponCodesTooMany { max: u32 },
    /// Codes are imported only for a saved coupon prize whose source is "import".
    NotImportedCoupon,
    /// A running campaign's prizes are removed only while it is paused (draws hold them).
    PrizeRemovedWhileRunning,
    /// An action the current state does not allow.
    Transition { action: CampaignAction, status: CampaignStatus },
}

impl From<CampaignMsg> for Msg {
    fn from(m: CampaignMsg) -> Msg {
        Msg::Campaign(m)
    }
}

impl CampaignMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (CampaignMsg::EndBeforeStart, Zh) => "结束时间须晚于开始时间".into(),
            (CampaignMsg::EndBeforeStart, En) => "The end must be after the start".into(),
            (CampaignMsg::WindowOrder, Zh) => "时段的结束时间须晚于开始时间（时段不能跨越午夜）".into(),
            (CampaignMsg::WindowOrder, En) => "The window must end after it starts (a window cannot cross midnight)".into(),
            (CampaignMsg::WeekdaysRequired, Zh) => "请至少选择一天".into(),
            (CampaignMsg::WeekdaysRequired, En) => "Choose at least one day".into(),
            (CampaignMsg::Weekdays, Zh) => "星期须为周一至周日，且每天只能选一次".into(),
            (CampaignMsg::Weekdays, En) => "Days must be Monday to Sunday, each chosen once".into(),
            (CampaignMsg::SpecRequired, Zh) => "请至少选择一个码规格".into(),
            (CampaignMsg::SpecRequired, En) => "Choose at least one code spec".into(),
            (CampaignMsg::UnknownProvince { name }, Zh) => format!("未知的省份：{name}"),
            (CampaignMsg::UnknownProvince { name }, En) => format!("Unknown province: {name}"),
            (CampaignMsg::AtLeast { min }, Zh) => format!("请输入不小于 {min} 的整数，或留空不限"),
            (CampaignMsg::AtLeast { min }, En) => format!("Enter a whole number of at least {min}, or leave empty for no limit"),
            (CampaignMsg::Between { min, max }, Zh) => format!("请输入 {min} 至 {max} 的整数"),
            (CampaignMsg::Between { min, max }, En) => format!("Enter a whole number from {min} to {max}"),
            (CampaignMsg::DailyAboveTotal, Zh) => "每日次数不能超过活动期间总次数".into(),
            (CampaignMsg::DailyAboveTotal, En) => "The daily limit cannot exceed the limit for the whole campaign".into(),
            (CampaignMsg::PersonAboveCode, Zh) => "每人扫码次数不能超过单码扫码次数".into(),
            (CampaignMsg::PersonAboveCode, En) => "Scans per person cannot exceed scans per code".into(),
            (CampaignMsg::PrizeCount { max }, Zh) => format!("请设置 1 至 {max} 个奖品"),
            (CampaignMsg::PrizeCount { max }, En) => format!("Set up 1 to {max} prizes"),
            (CampaignMsg::PrizeKey, Zh) => "奖品编号须大于 0".into(),
            (CampaignMsg::PrizeKey, En) => "The prize number must be greater than 0".into(),
            (CampaignMsg::PrizeKeyTwice { key }, Zh) => format!("奖品编号 {key} 重复"),
            (CampaignMsg::PrizeKeyTwice { key }, En) => format!("Prize number {key} is used twice"),
            (CampaignMsg::ThanksNoStock, Zh) => "「谢谢参与」没有数量、预警值、上限或超限奖品".into(),
            (CampaignMsg::ThanksNoStock, En) => "Thanks-for-playing has no quantity, warning value, cap or over-limit prize".into(),
            (CampaignMsg::PointsRequired, Zh) => format!("积分奖品须发放 1 至 {POINTS_MAX} 积分"),
            (CampaignMsg::PointsRequired, En) => format!("A points prize credits 1 to {POINTS_MAX} points"),
            (CampaignMsg::CashValueRequired, Zh) => "请输入大于 0 的现金金额".into(),
            (CampaignMsg::CashValueRequired, En) => "Enter a cash amount greater than 0".into(),
            (CampaignMsg::CouponSetupRequired, Zh) => "请设置优惠券的来源和有效期".into(),
            (CampaignMsg::CouponSetupRequired, En) => "Set the coupon's source and validity".into(),
            (CampaignMsg::CouponSetupNotCoupon, Zh) => "只有优惠券奖品才有优惠券设置".into(),
            (CampaignMsg::CouponSetupNotCoupon, En) => "Only coupon prizes have a coupon setup".into(),
            (CampaignMsg::CouponRangeOrder, Zh) => "优惠券有效期的结束时间须晚于开始时间".into(),
            (CampaignMsg::CouponRangeOrder, En) => "The coupon's validity must end after it starts".into(),
            (CampaignMsg::WarningAboveQuantity, Zh) => "预警值不能超过奖品数量".into(),
            (CampaignMsg::WarningAboveQuantity, En) => "The warning value cannot exceed the quantity".into(),
            (CampaignMsg::CapAbove { limit }, Zh) => format!("不能超过{}", limit.label(l)),
            (CampaignMsg::CapAbove { limit }, En) => format!("Cannot exceed {}", limit.label(l)),
            (CampaignMsg::OverLimitUnknown { key }, Zh) => format!("超限奖品 {key} 不存在"),
            (CampaignMsg::OverLimitUnknown { key }, En) => format!("There is no prize {key} to award over the limit"),
            (CampaignMsg::OverLimitSelf, Zh) => "超限奖品不能是奖品自己".into(),
            (CampaignMsg::OverLimitSelf, En) => "A prize cannot be its own over-limit prize".into(),
            (CampaignMsg::OverLimitCycle, Zh) => "超限奖品形成了循环，请让链条终止于某个奖品".into(),
            (CampaignMsg::OverLimitCycle, En) => "The over-limit prizes go round in a circle; let the chain end at a prize".into(),
            (CampaignMsg::GroupCount { max }, Zh) => format!("每个方案须有 1 至 {max} 个奖品组"),
            (CampaignMsg::GroupCount { max }, En) => format!("Each plan has 1 to {max} prize groups"),
            (CampaignMsg::GroupEmpty, Zh) => "奖品组中至少要有一个奖品".into(),
            (CampaignMsg::GroupEmpty, En) => "A prize group needs at least one prize".into(),
            (CampaignMsg::EntryUnknownPrize { key }, Zh) => format!("奖品 {key} 不存在"),
            (CampaignMsg::EntryUnknownPrize { key }, En) => format!("There is no prize {key}"),
            (CampaignMsg::EntryPrizeTwice, Zh) => "同一奖品在一个奖品组中只能出现一次".into(),
            (CampaignMsg::EntryPrizeTwice, En) => "A prize can appear only once in a group".into(),
            (CampaignMsg::ProbabilityAbove100, Zh) => "中奖概率不能超过 100%".into(),
            (CampaignMsg::ProbabilityAbove100, En) => "A probability cannot exceed 100%".into(),
            (CampaignMsg::GroupTotal { total_ppm }, Zh) => format!("本组中奖概率合计 {}，不能超过 100%", percent(*total_ppm)),
            (CampaignMsg::GroupTotal { total_ppm }, En) => {
                format!("The group's probabilities add up to {}; they cannot exceed 100%", percent(*total_ppm))
            }
            (CampaignMsg::DefaultPlanKey, Zh) => "默认方案的编号须为 0".into(),
            (CampaignMsg::DefaultPlanKey, En) => "The default plan's number must be 0".into(),
            (CampaignMsg::PlanKey, Zh) => "精准方案的编号须大于 0".into(),
            (CampaignMsg::PlanKey, En) => "A precision plan's number must be greater than 0".into(),
            (CampaignMsg::PlanKeyTwice { key }, Zh) => format!("方案编号 {key} 重复"),
            (CampaignMsg::PlanKeyTwice { key }, En) => format!("Plan number {key} is used twice"),
            (CampaignMsg::ConditionRequired, Zh) => "精准方案至少要设置一个条件".into(),
            (CampaignMsg::ConditionRequired, En) => "A precision plan needs at least one condition".into(),
            (CampaignMsg::RangeOrder, Zh) => "最小值不能大于最大值".into(),
            (CampaignMsg::RangeOrder, En) => "The minimum cannot exceed the maximum".into(),
            (CampaignMsg::Color, Zh) => "颜色须为 #rrggbb 格式".into(),
            (CampaignMsg::Color, En) => "A colour is written #rrggbb".into(),
            (CampaignMsg::KindFixed, Zh) => "活动开始后不能更换玩法".into(),
            (CampaignMsg::KindFixed, En) => "The game cannot change once the campaign has started".into(),
            (CampaignMsg::StartFixed, Zh) => "活动已开始，开始时间不能修改".into(),
            (CampaignMsg::StartFixed, En) => "The campaign has started; its start cannot change".into(),
            (CampaignMsg::StartInPast, Zh) => "开始时间不能早于现在".into(),
            (CampaignMsg::StartInPast, En) => "The start cannot be in the past".into(),
            (CampaignMsg::EndInPast, Zh) => "结束时间不能早于现在".into(),
            (CampaignMsg::EndInPast, En) => "The end cannot be in the past".into(),
            (CampaignMsg::AwardedPrizeRemoved { name, awarded }, Zh) => format!("奖品「{name}」已发出 {awarded} 个，不能删除"),
            (CampaignMsg::AwardedPrizeRemoved { name, awarded }, En) => {
                format!("Prize “{name}” has been awarded {awarded} times and cannot be removed")
            }
            (CampaignMsg::AwardedPrizeChanged { awarded }, Zh) => format!("该奖品已发出 {awarded} 个，不能修改类型、积分或价值"),
            (CampaignMsg::AwardedPrizeChanged { awarded }, En) => {
                format!("This prize has been awarded {awarded} times: its kind, points and value cannot change")
            }
            (CampaignMsg::QuantityBelowAwarded { awarded }, Zh) => format!("已发出 {awarded} 个，数量不能少于 {awarded}"),
            (CampaignMsg::QuantityBelowAwarded { awarded }, En) => {
                format!("{awarded} have been awarded: the quantity cannot be less than {awarded}")
            }
            (CampaignMsg::WonPrizeUnreachable { name, awarded }, Zh) => format!(
                "奖品「{name}」已有 {awarded} 人次中奖，不能把它在所有奖品组中的概率都降为 0；如要停发，请把数量改为已发出的 {awarded}"
            ),
            (CampaignMsg::WonPrizeUnreachable { name, awarded }, En) => format!(
                "Prize “{name}” has been won {awarded} times: its probability cannot drop to 0 in every group; \
                 to stop it, set its quantity to the {awarded} awarded"
            ),
            (CampaignMsg::SpecRemoved, Zh) => "活动发布后只能添加码规格，不能移除".into(),
            (CampaignMsg::SpecRemoved, En) => "Once launched, code specs can be added but not removed".into(),
            (CampaignMsg::DatesRequired, Zh) => "请先设置活动的开始和结束时间".into(),
            (CampaignMsg::DatesRequired, En) => "Set the campaign's start and end first".into(),
            (CampaignMsg::EndPassed, Zh) => "活动结束时间已过，不能发布".into(),
            (CampaignMsg::EndPassed, En) => "The campaign's end has passed; it cannot be launched".into(),
            (CampaignMsg::NotDraft, Zh) => "只能删除草稿；已发布的活动请结束".into(),
            (CampaignMsg::NotDraft, En) => "Only a draft can be deleted; end a launched campaign instead".into(),
            (CampaignMsg::EndedReadOnly, Zh) => "活动已结束，不能再修改（可复制后重新发布）".into(),
            (CampaignMsg::EndedReadOnly, En) => "The campaign has ended and cannot change (copy it to run it again)".into(),
            (CampaignMsg::CouponCodesShort { available }, Zh) => format!("导入的可用券码只有 {available} 个，剩余数量不能超过它"),
            (CampaignMsg::CouponCodesShort { available }, En) => {
                format!("Only {available} imported codes are free: the remaining quantity cannot exceed them")
            }
            (CampaignMsg::CouponCodesTooMany { max }, Zh) => format!("一次最多导入 {max} 个券码"),
            (CampaignMsg::CouponCodesTooMany { max }, En) => format!("At most {max} codes per import"),
            (CampaignMsg::PrizeRemovedWhileRunning, Zh) => "活动进行中不能删除奖品，请先暂停活动".into(),
            (CampaignMsg::PrizeRemovedWhileRunning, En) => "Prizes cannot be removed while the campaign runs; pause it first".into(),
            (CampaignMsg::NotImportedCoupon, Zh) => "只有已保存的、券码来源为「导入」的优惠券奖品可以导入券码".into(),
            (CampaignMsg::NotImportedCoupon, En) => "Codes can be imported only for a saved coupon prize whose codes are imported".into(),
            (CampaignMsg::Transition { action, status }, Zh) => {
                format!("活动当前为「{}」，不能{}", status.label(l), action.label(l))
            }
            (CampaignMsg::Transition { action, status }, En) => {
                format!("The campaign is {}: it cannot {}", status.label(l).to_lowercase(), action.label(l))
            }
        }
    }
}

/// Parts per million as a percentage with up to four decimals: 105 % for 1 050 000, 0.5 % for
/// 5 000.
pub fn percent(ppm: u64) -> String {
    let whole = ppm / 10_000;
    let frac = ppm % 10_000;
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{frac:04}").trim_end_matches('0'))
    }
}

impl CampaignKind {
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (CampaignKind::NineGrid, Locale::Zh) => "九宫格抽奖",
            (CampaignKind::NineGrid, Locale::En) => "Nine-grid draw",
            (CampaignKind::Scratch, Locale::Zh) => "刮刮卡",
            (CampaignKind::Scratch, Locale::En) => "Scratch card",
        }
    }
    /// Most prizes the game can show.
    pub fn max_prizes(self) -> usize {
        match self {
            CampaignKind::NineGrid => NINE_GRID_PRIZES,
            CampaignKind::Scratch => SCRATCH_PRIZES,
        }
    }
}

impl CampaignStatus {
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (CampaignStatus::Draft, Locale::Zh) => "草稿",
            (CampaignStatus::Draft, Locale::En) => "Draft",
            (CampaignStatus::Scheduled, Locale::Zh) => "未开始",
            (CampaignStatus::Scheduled, Locale::En) => "Scheduled",
            (CampaignStatus::Running, Locale::Zh) => "进行中",
            (CampaignStatus::Running, Locale::En) => "Running",
            (CampaignStatus::Paused, Locale::Zh) => "已暂停",
            (CampaignStatus::Paused, Locale::En) => "Paused",
            (CampaignStatus::Ended, Locale::Zh) => "已结束",
            (CampaignStatus::Ended, Locale::En) => "Ended",
        }
    }
    /// Launched and not ended: the states in which [`running_change_refusals`] applies.
    pub fn is_live(self) -> bool {
        matches!(self, CampaignStatus::Scheduled | CampaignStatus::Running | CampaignStatus::Paused)
    }
}

impl PrizeKind {
    pub fn label(self, l: Locale) -> &'static str {
        match (self, l) {
            (PrizeKind::Points, Locale::Zh) => "积分",
            (PrizeKind::Points, Locale::En) => "Points",
            (PrizeKind::Coupon, Locale::Zh) => "优惠券",
            (PrizeKind::Coupon, Locale::En) => "Coupon",
            (PrizeKind::Goods, Locale::Zh) => "实物",
            (PrizeKind::Goods, Locale::En) => "Physical goods",
            (PrizeKind::Cash, Locale::Zh) => "现金类",
            (PrizeKind::Cash, Locale::En) => "Cash-like",
            (PrizeKind::Thanks, Locale::Zh) => "谢谢参与",
            (PrizeKind::Thanks, Locale::En) => "Thanks for playing",
        }
    }
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Basic, Step::Settings, Step::Prizes, Step::Delivery, Step::Page];
    /// From the 1-based wire number.
    pub fn from_number(n: u8) -> Option<Step> {
        Step::ALL.into_iter().find(|s| *s as u8 == n)
    }
}

impl Cycle {
    /// Whether a China Standard Time wall-clock moment is inside the cycle: any moment for
    /// `Unlimited`; `from` ≤ time < `to` (on one of `days` for `Weekly`, 1 = Monday).
    pub fn contains(&self, local: NaiveDateTime) -> bool {
        let t = local.time();
        match self {
            Cycle::Unlimited => true,
            Cycle::Daily { from, to } => *from <= t && t < *to,
            Cycle::Weekly { days, from, to } => days.contains(&(local.weekday().number_from_monday() as u8)) && *from <= t && t < *to,
        }
    }
}

/// The China Standard Time (UTC+8, no daylight saving) wall clock at `now`.
pub fn china_now(now: DateTime<Utc>) -> NaiveDateTime {
    now.naive_utc() + chrono::Duration::hours(8)
}

impl CountRange {
    pub fn contains(&self, n: u32) -> bool {
        self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)
    }
}

/// Whether `s` is a `#rrggbb` colour.
pub fn is_color(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[0] == b'#' && b[1..].iter().all(u8::is_ascii_hexdigit)
}

impl CampaignInput {
    /// The rules of one step (field names are paths such as `prizes[2].quantity`).
    ///
    /// 1. Basic: name 1–40 characters; start and end required, end after start; a daily or
    ///    weekly cycle ends after it starts (no window across midnight), a weekly one on at least
    ///    one of the days 1–7, none twice; description at most 2000 characters.
    /// 2. Settings: at least one code spec; provinces from the province list; every set limit
    ///    ≥ 1 except re-scans (≥ 0, 0 = only the first scan draws); per-day limits at most the
    ///    per-campaign ones (code draws, code wins, user draws, user wins); scans per code per
    ///    person at most scans per code.
    /// 3. Prizes: 1–8 prizes for a nine-grid (its tiles), 1–20 for a scratch card; keys > 0 and
    ///    unique; names 1–20 characters; quantity 1–10 000 000, except thanks-for-playing, which
    ///    has no quantity, warning value, caps nor over-limit prize; points prizes credit
    ///    1–1 000 000 points; cash prizes have an amount; values are never negative; a coupon
    ///    setup exactly on coupons, valid 1–3650 days or over a range that ends after it starts;
    ///    warning value ≤ quantity; caps ≥ 1 with per-person-daily ≤ per-person ≤ quantity and
    ///    per-person-daily ≤ daily ≤ quantity; the over-limit prize is another existing prize and
    ///    following over-limit prizes never comes back round; claim expiry 1–8760 hours or
    ///    1–365 days.
    /// 4. Delivery: the default plan's key is 0; every plan has 1–20 groups, each with at least
    ///    one entry; an entry names an existing prize, at most once per group, with a probability
    ///    ≤ 100 %, and the group's total ≤ 100 % (the rest is no prize); an entry's warning value
    ///    ≤ the prize's quantity and its over-limit prize follows the prize's rules. Precision
    ///    plans: names 1–20 characters, keys ≥ 1 and unique, at least one condition, count ranges
    ///    with min ≤ max, valid provinces and windows.
    /// 5. Page: title 1–30 characters, colours `#rrggbb`, rules at most 2000 characters.
    pub fn validate_step(&self, step: Step) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        match step {
            Step::Basic => self.check_basic(&mut c),
            Step::Settings => self.check_settings(&mut c),
            Step::Prizes => self.check_prizes(&mut c),
            Step::Delivery => self.check_delivery(&mut c),
            Step::Page => self.check_page(&mut c),
        }
        c.finish()
    }

    /// All five steps (launching needs every one): the errors of every step together.
    pub fn validate_all(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for step in Step::ALL {
            if let Err(e) = self.validate_step(step) {
                errors.extend(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_basic(&self, c: &mut Check) {
        let b = &self.basic;
        c.text("basic.name", &b.name, NAME_MAX);
        c.rule("basic.starts_at", b.starts_at.is_some(), Msg::Required);
        match (b.starts_at, b.ends_at) {
            (_, None) => c.fail("basic.ends_at", Msg::Required),
            (Some(s), Some(e)) if e <= s => c.fail("basic.ends_at", CampaignMsg::EndBeforeStart.into()),
            _ => {}
        }
        check_cycle(c, "basic.cycle", &b.cycle);
        c.optional_text("basic.description", &b.description, TEXT_MAX);
    }

    fn check_settings(&self, c: &mut Check) {
        let s = &self.settings;
        c.rule("settings.spec_ids", !s.spec_ids.is_empty(), CampaignMsg::SpecRequired.into());
        check_provinces(c, "settings.provinces", &s.provinces);
        at_least(c, "settings.scans_per_code", s.scans_per_code, 1);
        at_least(c, "settings.scans_per_code_per_person", s.scans_per_code_per_person, 1);
        if let (Some(person), Some(code)) = (s.scans_per_code_per_person, s.scans_per_code) {
            c.rule("settings.scans_per_code_per_person", person <= code, CampaignMsg::PersonAboveCode.into());
        }
        let d = &s.code_draws;
        daily_and_total(c, "settings.code_draws", d.per_day, d.per_campaign);
        at_least(c, "settings.code_draws.minutes_after_first_scan", d.minutes_after_first_scan, 1);
        at_least(c, "settings.code_draws.minutes_after_activation", d.minutes_after_activation, 1);
        let w = &s.code_wins;
        daily_and_total(c, "settings.code_wins", w.per_day, w.per_campaign);
        at_least(c, "settings.code_wins.minutes_after_first_scan", w.minutes_after_first_scan, 1);
        at_least(c, "settings.code_wins.minutes_after_activation", w.minutes_after_activation, 1);
        let u = &s.user_draws;
        daily_and_total(c, "settings.user_draws", u.per_day, u.per_campaign);
        at_least(c, "settings.user_draws.seconds_between_draws", u.seconds_between_draws, 1);
        let uw = &s.user_wins;
        daily_and_total(c, "settings.user_wins", uw.per_day, uw.per_campaign);
    }

    fn check_prizes(&self, c: &mut Check) {
        let max = self.basic.kind.max_prizes();
        c.rule("prizes", (1..=max).contains(&self.prizes.len()), CampaignMsg::PrizeCount { max }.into());
        for (i, p) in self.prizes.iter().enumerate() {
            let f = |name: &str| format!("prizes[{i}].{name}");
            if p.key == 0 {
                c.fail(&f("key"), CampaignMsg::PrizeKey.into());
            } else if self.prizes[..i].iter().any(|q| q.key == p.key) {
                c.fail(&f("key"), CampaignMsg::PrizeKeyTwice { key: p.key }.into());
            }
            c.text(&f("name"), &p.name, PRIZE_NAME_MAX);
            c.rule(&f("value_fen"), p.value_fen >= 0, Msg::InvalidMoney);
            if p.kind == PrizeKind::Thanks {
                let thanks = CampaignMsg::ThanksNoStock;
                c.rule(&f("quantity"), p.quantity.is_none(), thanks.clone().into());
                c.rule(&f("warning_value"), p.warning_value.is_none(), thanks.clone().into());
                c.rule(&f("daily_cap"), p.daily_cap.is_none(), thanks.clone().into());
                c.rule(&f("per_person_cap"), p.per_person_cap.is_none(), thanks.clone().into());
                c.rule(&f("per_person_daily_cap"), p.per_person_daily_cap.is_none(), thanks.clone().into());
                c.rule(&f("over_limit"), p.over_limit.is_none(), thanks.into());
            } else {
                match p.quantity {
                    None => c.fail(&f("quantity"), Msg::Required),
                    Some(q) => c.rule(&f("quantity"), (1..=QUANTITY_MAX).contains(&q), between(1, QUANTITY_MAX)),
                }
                self.check_caps(c, i, p);
                if let Some(target) = p.over_limit {
                    if let Some(msg) = self.over_limit_refusal(p.key, target) {
                        c.fail(&f("over_limit"), msg.into());
                    }
                }
            }
            match p.kind {
                PrizeKind::Points => c.rule(&f("points"), (1..=POINTS_MAX).contains(&p.points), CampaignMsg::PointsRequired.into()),
                PrizeKind::Cash => c.rule(&f("value_fen"), p.value_fen >= 1, CampaignMsg::CashValueRequired.into()),
                _ => {}
            }
            match (&p.coupon, p.kind) {
                (None, PrizeKind::Coupon) => c.fail(&f("coupon"), CampaignMsg::CouponSetupRequired.into()),
                (Some(_), kind) if kind != PrizeKind::Coupon => c.fail(&f("coupon"), CampaignMsg::CouponSetupNotCoupon.into()),
                (Some(setup), _) => match setup.validity {
                    CouponValidity::Days(d) => {
                        c.rule(&f("coupon.validity"), (1..=COUPON_DAYS_MAX).contains(&d), between(1, COUPON_DAYS_MAX))
                    }
                    CouponValidity::Range { from, to } => c.rule(&f("coupon.validity"), from < to, CampaignMsg::CouponRangeOrder.into()),
                },
                (None, _) => {}
            }
            match p.claim_expiry {
                ClaimExpiry::Hours(h) => c.rule(&f("claim_expiry"), (1..=CLAIM_HOURS_MAX).contains(&h), between(1, CLAIM_HOURS_MAX)),
                ClaimExpiry::Days(d) => c.rule(&f("claim_expiry"), (1..=CLAIM_DAYS_MAX).contains(&d), between(1, CLAIM_DAYS_MAX)),
                ClaimExpiry::Never | ClaimExpiry::At(_) => {}
            }
        }
    }

    /// Warning value and caps of a stocked prize.
    fn check_caps(&self, c: &mut Check, i: usize, p: &Prize) {
        let f = |name: &str| format!("prizes[{i}].{name}");
        if let (Some(w), Some(q)) = (p.warning_value, p.quantity) {
            c.rule(&f("warning_value"), w <= q, CampaignMsg::WarningAboveQuantity.into());
        }
        at_least(c, &f("daily_cap"), p.daily_cap, 1);
        at_least(c, &f("per_person_cap"), p.per_person_cap, 1);
        at_least(c, &f("per_person_daily_cap"), p.per_person_daily_cap, 1);
        // Each cap lives inside the next wider one; the narrower field carries the error.
        let above = |cap: Option<u32>, limit: Option<u32>| matches!((cap, limit), (Some(a), Some(b)) if a > b);
        if above(p.per_person_daily_cap, p.per_person_cap) {
            c.fail(&f("per_person_daily_cap"), CampaignMsg::CapAbove { limit: CapLimit::PerPersonCap }.into());
        }
        if above(p.per_person_daily_cap, p.daily_cap) {
            c.fail(&f("per_person_daily_cap"), CampaignMsg::CapAbove { limit: CapLimit::DailyCap }.into());
        }
        if above(p.per_person_cap, p.quantity) {
            c.fail(&f("per_person_cap"), CampaignMsg::CapAbove { limit: CapLimit::Quantity }.into());
        }
        if above(p.daily_cap, p.quantity) {
            c.fail(&f("daily_cap"), CampaignMsg::CapAbove { limit: CapLimit::Quantity }.into());
        }
    }

    fn prize(&self, key: u16) -> Option<&Prize> {
        self.prizes.iter().find(|p| p.key == key)
    }

    /// Why prize `from` cannot fall back to prize `target`: unknown, itself, or a chain that
    /// comes back round (from `target` on, each prize's own over-limit prize is followed).
    fn over_limit_refusal(&self, from: u16, target: u16) -> Option<CampaignMsg> {
        if target == from {
            return Some(CampaignMsg::OverLimitSelf);
        }
        if self.prize(target).is_none() {
            return Some(CampaignMsg::OverLimitUnknown { key: target });
        }
        let mut seen = vec![from];
        let mut next = Some(target);
        while let Some(key) = next {
            if seen.contains(&key) {
                return Some(CampaignMsg::OverLimitCycle);
            }
            seen.push(key);
            next = self.prize(key).and_then(|p| p.over_limit);
        }
        None
    }

    fn check_delivery(&self, c: &mut Check) {
        let d = &self.delivery;
        c.rule("delivery.default_plan.key", d.default_plan.key == 0, CampaignMsg::DefaultPlanKey.into());
        self.check_groups(c, "delivery.default_plan", &d.default_plan);
        for (i, plan) in d.precision.iter().enumerate() {
            let path = format!("delivery.precision[{i}]");
            c.text(&format!("{path}.name"), &plan.name, PRIZE_NAME_MAX);
            if plan.key == 0 {
                c.fail(&format!("{path}.key"), CampaignMsg::PlanKey.into());
            } else if d.precision[..i].iter().any(|q| q.key == plan.key) {
                c.fail(&format!("{path}.key"), CampaignMsg::PlanKeyTwice { key: plan.key }.into());
            }
            let k = &plan.conditions;
            c.rule(&format!("{path}.conditions"), *k != PlanConditions::default(), CampaignMsg::ConditionRequired.into());
            check_provinces(c, &format!("{path}.conditions.provinces"), &k.provinces);
            check_cycle(c, &format!("{path}.conditions.window"), &k.window);
            for (name, range) in
                [("draw_count", k.draw_count), ("participation_count", k.participation_count), ("prizes_won", k.prizes_won)]
            {
                if let Some(CountRange { min: Some(min), max: Some(max) }) = range {
                    c.rule(&format!("{path}.conditions.{name}"), min <= max, CampaignMsg::RangeOrder.into());
                }
            }
            self.check_groups(c, &path, plan);
        }
    }

    fn check_groups(&self, c: &mut Check, path: &str, plan: &Plan) {
        c.rule(
            &format!("{path}.groups"),
            (1..=MAX_GROUPS).contains(&plan.groups.len()),
            CampaignMsg::GroupCount { max: MAX_GROUPS }.into(),
        );
        for (g, group) in plan.groups.iter().enumerate() {
            let gpath = format!("{path}.groups[{g}]");
            if group.entries.is_empty() {
                c.fail(&format!("{gpath}.entries"), CampaignMsg::GroupEmpty.into());
            }
            let total: u64 = group.entries.iter().map(|e| u64::from(e.probability_ppm)).sum();
            c.rule(&gpath, total <= u64::from(PPM), CampaignMsg::GroupTotal { total_ppm: total }.into());
            for (j, e) in group.entries.iter().enumerate() {
                let f = |name: &str| format!("{gpath}.entries[{j}].{name}");
                match self.prize(e.prize) {
                    None => c.fail(&f("prize"), CampaignMsg::EntryUnknownPrize { key: e.prize }.into()),
                    Some(_) if group.entries[..j].iter().any(|o| o.prize == e.prize) => {
                        c.fail(&f("prize"), CampaignMsg::EntryPrizeTwice.into())
                    }
                    Some(p) => {
                        if p.kind == PrizeKind::Thanks {
                            c.rule(&f("warning_value"), e.warning_value.is_none(), CampaignMsg::ThanksNoStock.into());
                            c.rule(&f("over_limit"), e.over_limit.is_none(), CampaignMsg::ThanksNoStock.into());
                        } else {
                            if let (Some(w), Some(q)) = (e.warning_value, p.quantity) {
                                c.rule(&f("warning_value"), w <= q, CampaignMsg::WarningAboveQuantity.into());
                            }
                            if let Some(target) = e.over_limit {
                                if let Some(msg) = self.over_limit_refusal(e.prize, target) {
                                    c.fail(&f("over_limit"), msg.into());
                                }
                            }
                        }
                    }
                }
                c.rule(&f("probability_ppm"), e.probability_ppm <= PPM, CampaignMsg::ProbabilityAbove100.into());
            }
        }
    }

    fn check_page(&self, c: &mut Check) {
        let p = &self.page;
        c.text("page.title", &p.title, TITLE_MAX);
        c.rule("page.primary_color", is_color(&p.primary_color), CampaignMsg::Color.into());
        c.rule("page.background_color", is_color(&p.background_color), CampaignMsg::Color.into());
        c.optional_text("page.rules", &p.rules, TEXT_MAX);
    }

    /// Whether some group of some plan can still award prize `key` (a probability above 0).
    fn reachable(&self, key: u16) -> bool {
        std::iter::once(&self.delivery.default_plan)
            .chain(&self.delivery.precision)
            .flat_map(|p| &p.groups)
            .flat_map(|g| &g.entries)
            .any(|e| e.prize == key && e.probability_ppm > 0)
    }
}

fn between(min: u32, max: u32) -> Msg {
    CampaignMsg::Between { min, max }.into()
}

fn at_least(c: &mut Check, field: &str, value: Option<u32>, min: u32) {
    if let Some(v) = value {
        c.rule(field, v >= min, CampaignMsg::AtLeast { min }.into());
    }
}

/// A per-day and a per-campaign limit: each ≥ 1, the daily one at most the total.
fn daily_and_total(c: &mut Check, path: &str, per_day: Option<u32>, per_campaign: Option<u32>) {
    let day = format!("{path}.per_day");
    at_least(c, &day, per_day, 1);
    at_least(c, &format!("{path}.per_campaign"), per_campaign, 1);
    if let (Some(d), Some(t)) = (per_day, per_campaign) {
        c.rule(&day, d <= t, CampaignMsg::DailyAboveTotal.into());
    }
}

fn check_provinces(c: &mut Check, field: &str, provinces: &[String]) {
    if let Some(bad) = provinces.iter().find(|p| !PROVINCES.contains(&p.as_str())) {
        c.fail(field, CampaignMsg::UnknownProvince { name: bad.clone() }.into());
    }
}

fn check_cycle(c: &mut Check, field: &str, cycle: &Cycle) {
    match cycle {
        Cycle::Unlimited => {}
        Cycle::Daily { from, to } => c.rule(field, from < to, CampaignMsg::WindowOrder.into()),
        Cycle::Weekly { days, from, to } => {
            if days.is_empty() {
                c.fail(field, CampaignMsg::WeekdaysRequired.into());
            }
            let valid = days.iter().all(|d| (1..=7).contains(d));
            let unique = days.iter().enumerate().all(|(i, d)| !days[..i].contains(d));
            c.rule(field, valid && unique, CampaignMsg::Weekdays.into());
            c.rule(field, from < to, CampaignMsg::WindowOrder.into());
        }
    }
}

/// What a launched campaign (scheduled, running or paused) may not change, comparing the stored
/// input with the edited one at `now`. Everything else may change: new prizes, more stock, new
/// plans, new code specs, other probabilities, limits, texts and the page.
///
/// - The game (kind) and the start are fixed once the start has passed; before that the start
///   may move, but not into the past.
/// - The end may move, but not before now (ending now is the End action).
/// - A prize already awarded (`awarded > 0`) cannot be removed, nor change its kind, points or
///   value: winners hold it, the ledger and cost figures refer to it.
/// - A quantity never goes below what was awarded (the stock CHECK would refuse it anyway; this
///   says so by field and number).
/// - A prize that has been won cannot have its probability lowered to 0 in every group of every
///   plan. Its winners' results, "my prizes" pages and the campaign data keep showing it, and the
///   nine-grid keeps it on a tile, so making it silently unwinnable would turn a prize people
///   have seen won into a decoy for everyone after them. The honest way to stop it is through
///   its stock: set its quantity to what was awarded, and the over-limit prize takes over.
/// - Code specs can be added but not removed: codes already in consumers' hands were printed
///   for the campaign.
pub fn running_change_refusals(before: &CampaignInput, after: &CampaignInput, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut c = Check::new();
    let started = before.basic.starts_at.is_some_and(|s| s <= now);
    if started {
        c.rule("basic.kind", after.basic.kind == before.basic.kind, CampaignMsg::KindFixed.into());
        c.rule("basic.starts_at", after.basic.starts_at == before.basic.starts_at, CampaignMsg::StartFixed.into());
    } else if after.basic.starts_at != before.basic.starts_at {
        c.rule("basic.starts_at", after.basic.starts_at.is_none_or(|s| s >= now), CampaignMsg::StartInPast.into());
    }
    if after.basic.ends_at != before.basic.ends_at {
        c.rule("basic.ends_at", after.basic.ends_at.is_none_or(|e| e >= now), CampaignMsg::EndInPast.into());
    }
    for old in before.prizes.iter().filter(|p| p.awarded > 0) {
        let awarded = old.awarded;
        let Some(i) = after.prizes.iter().position(|p| p.key == old.key) else {
            c.fail("prizes", CampaignMsg::AwardedPrizeRemoved { name: old.name.clone(), awarded }.into());
            continue;
        };
        let new = &after.prizes[i];
        let changed = CampaignMsg::AwardedPrizeChanged { awarded };
        c.rule(&format!("prizes[{i}].kind"), new.kind == old.kind, changed.clone().into());
        c.rule(&format!("prizes[{i}].points"), new.points == old.points, changed.clone().into());
        c.rule(&format!("prizes[{i}].value_fen"), new.value_fen == old.value_fen, changed.into());
        if let Some(q) = new.quantity {
            c.rule(&format!("prizes[{i}].quantity"), q >= awarded, CampaignMsg::QuantityBelowAwarded { awarded }.into());
        }
        if before.reachable(old.key) && !after.reachable(old.key) {
            c.fail("delivery", CampaignMsg::WonPrizeUnreachable { name: new.name.clone(), awarded }.into());
        }
    }
    if before.settings.spec_ids.iter().any(|s| !after.settings.spec_ids.contains(s)) {
        c.fail("settings.spec_ids", CampaignMsg::SpecRemoved.into());
    }
    c.0
}

/// The state after `action` at `now`. The stored state is first brought up to date
/// ([`effective_status`]), so a scheduled campaign whose start has passed can be paused.
///
/// - Launch: draft → scheduled when the start is in the future, else running; refused without
///   start and end, or when the end has passed.
/// - Pause: running → paused. Resume: paused → running.
/// - End: scheduled, running or paused → ended.
///
/// Anything else is refused with a message naming the current state.
pub fn transition(
    status: CampaignStatus,
    action: CampaignAction,
    now: DateTime<Utc>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> Result<CampaignStatus, CampaignMsg> {
    use CampaignAction as A;
    use CampaignStatus as S;
    let status = effective_status(status, now, starts_at, ends_at);
    match (status, action) {
        (S::Draft, A::Launch) => {
            let (Some(start), Some(end)) = (starts_at, ends_at) else { return Err(CampaignMsg::DatesRequired) };
            if end <= now {
                Err(CampaignMsg::EndPassed)
            } else if start > now {
                Ok(S::Scheduled)
            } else {
                Ok(S::Running)
            }
        }
        (S::Running, A::Pause) => Ok(S::Paused),
        (S::Paused, A::Resume) => Ok(S::Running),
        (S::Scheduled | S::Running | S::Paused, A::End) => Ok(S::Ended),
        (status, action) => Err(CampaignMsg::Transition { action, status }),
    }
}

/// The stored state as time has moved it: scheduled, running or paused past the end → ended;
/// scheduled past the start → running. A paused campaign stays paused until resumed or ended.
pub fn effective_status(
    status: CampaignStatus,
    now: DateTime<Utc>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> CampaignStatus {
    use CampaignStatus as S;
    match status {
        S::Scheduled | S::Running | S::Paused if ends_at.is_some_and(|e| now >= e) => S::Ended,
        S::Scheduled if starts_at.is_some_and(|s| now >= s) => S::Running,
        s => s,
    }
}

/// Whether two campaigns could both take the same scan: their start … end ranges intersect
/// (an unset bound is open), they share a code spec, their products intersect or either takes
/// every product, and their provinces intersect or either takes every province. Daily and
/// weekly cycles are not compared: two campaigns are treated as overlapping whenever their
/// dates do, so the wizard's warning errs on the side of showing the order.
pub fn overlaps(a: &CampaignInput, b: &CampaignInput) -> bool {
    let before = |end: Option<DateTime<Utc>>, start: Option<DateTime<Utc>>| matches!((end, start), (Some(e), Some(s)) if e <= s);
    let times = !before(a.basic.ends_at, b.basic.starts_at) && !before(b.basic.ends_at, a.basic.starts_at);
    let specs = a.settings.spec_ids.iter().any(|s| b.settings.spec_ids.contains(s));
    let products = a.settings.product_ids.is_empty()
        || b.settings.product_ids.is_empty()
        || a.settings.product_ids.iter().any(|p| b.settings.product_ids.contains(p));
    let provinces = a.settings.provinces.is_empty()
        || b.settings.provinces.is_empty()
        || a.settings.provinces.iter().any(|p| b.settings.provinces.contains(p));
    times && specs && products && provinces
}

/// The order among running campaigns that match one scan; the first takes it. The rule, as the
/// wizard states it: **highest priority first, then the earliest start, then the lowest id**
/// (the campaign created first). Arguments are `(priority, starts_at, id)`; a campaign without
/// a start sorts after those with one.
pub fn overlap_order(a: (i32, Option<DateTime<Utc>>, i64), b: (i32, Option<DateTime<Utc>>, i64)) -> Ordering {
    let start = |s: Option<DateTime<Utc>>| (s.is_none(), s);
    b.0.cmp(&a.0).then_with(|| start(a.1).cmp(&start(b.1))).then_with(|| a.2.cmp(&b.2))
}

/// The overlap rule in words, as the wizard shows it.
pub fn overlap_rule(l: Locale) -> &'static str {
    match l {
        Locale::Zh => "多个进行中的活动同时匹配一次扫码时：优先级高的优先；优先级相同时，开始时间早的优先；再相同时，先创建的优先。",
        Locale::En => {
            "When several running campaigns match one scan: the highest priority wins; at equal priority, the earliest start; \
             then the campaign created first."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn prize(key: u16, kind: PrizeKind, quantity: Option<u32>) -> Prize {
        Prize {
            key,
            name: format!("奖品{key}"),
            kind,
            points: if kind == PrizeKind::Points { 100 } else { 0 },
            value_fen: if kind == PrizeKind::Thanks { 0 } else { 500 },
            quantity,
            coupon: (kind == PrizeKind::Coupon).then(CouponSetup::default),
            ..Prize::default()
        }
    }

    fn entry(prize: u16, probability_ppm: u32) -> GroupEntry {
        GroupEntry { prize, probability_ppm, ..GroupEntry::default() }
    }

    /// A campaign that passes every step.
    fn valid() -> CampaignInput {
        CampaignInput {
            basic: Basic {
                kind: CampaignKind::NineGrid,
                name: "春节扫码赢好礼".into(),
                starts_at: Some(at(2026, 12, 1, 0)),
                ends_at: Some(at(2027, 1, 1, 0)),
                cycle: Cycle::Weekly { days: vec![1, 3, 5], from: hm(9, 0), to: hm(21, 0) },
                description: "每个瓶盖一次抽奖机会".into(),
            },
            settings: Settings {
                spec_ids: vec![1],
                product_ids: vec![10, 11],
                provinces: vec!["浙江省".into(), "上海市".into()],
                scans_per_code: Some(3),
                scans_per_code_per_person: Some(2),
                code_draws: CodeDrawLimits {
                    per_day: Some(1),
                    per_campaign: Some(3),
                    minutes_after_first_scan: Some(10),
                    minutes_after_activation: Some(60),
                    rescans: Some(0),
                },
                code_wins: CodeWinLimits { per_day: Some(1), per_campaign: Some(1), ..CodeWinLimits::default() },
                user_draws: UserDrawLimits { per_day: Some(5), per_campaign: Some(50), seconds_between_draws: Some(3) },
                user_wins: UserWinLimits { per_day: Some(2), per_campaign: Some(10), every_draw_wins: false },
            },
            prizes: vec![
                Prize {
                    warning_value: Some(100),
                    daily_cap: Some(100),
                    per_person_cap: Some(5),
                    per_person_daily_cap: Some(1),
                    over_limit: Some(5),
                    ..prize(1, PrizeKind::Points, Some(1000))
                },
                prize(2, PrizeKind::Coupon, Some(500)),
                Prize { claim_expiry: ClaimExpiry::Days(7), over_limit: Some(1), ..prize(3, PrizeKind::Goods, Some(10)) },
                prize(4, PrizeKind::Cash, Some(100)),
                prize(5, PrizeKind::Thanks, None),
            ],
            delivery: Delivery {
                default_plan: Plan {
                    key: 0,
                    name: "默认方案".into(),
                    conditions: PlanConditions::default(),
                    groups: vec![
                        PrizeGroup { entries: vec![entry(1, 100_000), entry(2, 50_000), entry(5, 500_000)] },
                        PrizeGroup { entries: vec![entry(3, 1_000), entry(4, 10_000)] },
                    ],
                },
                precision: vec![Plan {
                    key: 1,
                    name: "新客专享".into(),
                    conditions: PlanConditions { audience: Some(Audience::New), ..PlanConditions::default() },
                    groups: vec![PrizeGroup { entries: vec![entry(1, 300_000), entry(3, 5_000)] }],
                }],
            },
            page: Page { title: "扫码赢好礼".into(), ..Page::default() },
        }
    }

    /// The fields refused in one step.
    fn refused(input: &CampaignInput, step: Step) -> Vec<(String, Msg)> {
        input.validate_step(step).err().unwrap_or_default().into_iter().map(|e| (e.field, e.msg)).collect()
    }

    fn assert_refused(input: &CampaignInput, step: Step, field: &str, msg: impl Into<Msg>) {
        let errs = refused(input, step);
        let msg = msg.into();
        assert!(errs.contains(&(field.to_string(), msg.clone())), "expected {field}: {msg:?}, got {errs:?}");
    }

    #[test]
    fn the_fixture_passes_every_step() {
        let c = valid();
        for step in Step::ALL {
            assert_eq!(c.validate_step(step), Ok(()), "{step:?}");
        }
        assert_eq!(c.validate_all(), Ok(()));
    }

    #[test]
    fn validate_all_collects_every_step() {
        let mut c = valid();
        c.basic.name.clear();
        c.settings.spec_ids.clear();
        c.page.title.clear();
        let fields: Vec<String> = c.validate_all().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["basic.name", "settings.spec_ids", "page.title"]);
    }

    #[test]
    fn basic_rules() {
        let mut c = valid();
        c.basic.name = "名".repeat(41);
        assert_refused(&c, Step::Basic, "basic.name", Msg::TooLong { max: 40 });
        c.basic.name = "名".repeat(40);
        assert_eq!(c.validate_step(Step::Basic), Ok(()));
        c.basic.name = "  ".into();
        assert_refused(&c, Step::Basic, "basic.name", Msg::Required);

        let mut c = valid();
        c.basic.starts_at = None;
        c.basic.ends_at = None;
        assert_refused(&c, Step::Basic, "basic.starts_at", Msg::Required);
        assert_refused(&c, Step::Basic, "basic.ends_at", Msg::Required);

        let mut c = valid();
        c.basic.ends_at = c.basic.starts_at;
        assert_refused(&c, Step::Basic, "basic.ends_at", CampaignMsg::EndBeforeStart);

        let mut c = valid();
        c.basic.description = "字".repeat(2001);
        assert_refused(&c, Step::Basic, "basic.description", Msg::TooLong { max: 2000 });
    }

    #[test]
    fn cycles_refuse_windows_across_midnight_and_bad_days() {
        let mut c = valid();
        c.basic.cycle = Cycle::Daily { from: hm(22, 0), to: hm(2, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::WindowOrder);
        c.basic.cycle = Cycle::Daily { from: hm(9, 0), to: hm(9, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::WindowOrder);
        c.basic.cycle = Cycle::Daily { from: hm(0, 0), to: hm(23, 59) };
        assert_eq!(c.validate_step(Step::Basic), Ok(()));
        c.basic.cycle = Cycle::Weekly { days: vec![], from: hm(9, 0), to: hm(10, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::WeekdaysRequired);
        c.basic.cycle = Cycle::Weekly { days: vec![0, 1], from: hm(9, 0), to: hm(10, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::Weekdays);
        c.basic.cycle = Cycle::Weekly { days: vec![8], from: hm(9, 0), to: hm(10, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::Weekdays);
        c.basic.cycle = Cycle::Weekly { days: vec![2, 2], from: hm(9, 0), to: hm(10, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::Weekdays);
        c.basic.cycle = Cycle::Weekly { days: vec![2], from: hm(23, 0), to: hm(1, 0) };
        assert_refused(&c, Step::Basic, "basic.cycle", CampaignMsg::WindowOrder);
    }

    #[test]
    fn cycle_contains_china_wall_clock() {
        // 2026-12-07 is a Monday.
        let monday = |h: u32, m: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(h, m, 0).unwrap();
        let daily = Cycle::Daily { from: hm(9, 0), to: hm(21, 0) };
        assert!(Cycle::Unlimited.contains(monday(3, 0)));
        assert!(daily.contains(monday(9, 0)));
        assert!(daily.contains(monday(20, 59)));
        assert!(!daily.contains(monday(21, 0)));
        assert!(!daily.contains(monday(8, 59)));
        let weekly = Cycle::Weekly { days: vec![1, 7], from: hm(9, 0), to: hm(21, 0) };
        assert!(weekly.contains(monday(12, 0)));
        assert!(!weekly.contains(monday(12, 0) + chrono::Duration::days(1)));
        assert!(weekly.contains(monday(12, 0) + chrono::Duration::days(6)));
        // 02:00 UTC is 10:00 in China: inside the window although 02:00 is not.
        let local = china_now(at(2026, 12, 7, 2));
        assert_eq!(local, monday(10, 0));
        assert!(daily.contains(local));
        // 15:00 UTC on Sunday is 23:00 Sunday in China; 16:00 UTC is Monday 00:00.
        assert_eq!(china_now(at(2026, 12, 6, 16)), monday(0, 0));
    }

    #[test]
    fn settings_rules() {
        let mut c = valid();
        c.settings.spec_ids.clear();
        assert_refused(&c, Step::Settings, "settings.spec_ids", CampaignMsg::SpecRequired);

        let mut c = valid();
        c.settings.provinces.push("火星".into());
        assert_refused(&c, Step::Settings, "settings.provinces", CampaignMsg::UnknownProvince { name: "火星".into() });

        let mut c = valid();
        c.settings.code_draws.per_day = Some(4);
        assert_refused(&c, Step::Settings, "settings.code_draws.per_day", CampaignMsg::DailyAboveTotal);
        let mut c = valid();
        c.settings.code_wins.per_day = Some(2);
        assert_refused(&c, Step::Settings, "settings.code_wins.per_day", CampaignMsg::DailyAboveTotal);
        let mut c = valid();
        c.settings.user_draws.per_day = Some(51);
        assert_refused(&c, Step::Settings, "settings.user_draws.per_day", CampaignMsg::DailyAboveTotal);
        let mut c = valid();
        c.settings.user_wins.per_day = Some(11);
        assert_refused(&c, Step::Settings, "settings.user_wins.per_day", CampaignMsg::DailyAboveTotal);

        let mut c = valid();
        c.settings.code_draws.per_campaign = Some(0);
        c.settings.code_draws.minutes_after_activation = Some(0);
        c.settings.user_draws.seconds_between_draws = Some(0);
        c.settings.scans_per_code = Some(0);
        c.settings.code_wins.minutes_after_first_scan = Some(0);
        for field in [
            "settings.code_draws.per_campaign",
            "settings.code_draws.minutes_after_activation",
            "settings.user_draws.seconds_between_draws",
            "settings.scans_per_code",
            "settings.code_wins.minutes_after_first_scan",
        ] {
            assert_refused(&c, Step::Settings, field, CampaignMsg::AtLeast { min: 1 });
        }
        // Re-scans may be 0: only the first scan draws.
        let mut c = valid();
        c.settings.code_draws.rescans = Some(0);
        assert_eq!(c.validate_step(Step::Settings), Ok(()));

        let mut c = valid();
        c.settings.scans_per_code_per_person = Some(4);
        assert_refused(&c, Step::Settings, "settings.scans_per_code_per_person", CampaignMsg::PersonAboveCode);
    }

    #[test]
    fn prize_count_depends_on_the_game() {
        let mut c = valid();
        c.prizes.clear();
        assert_refused(&c, Step::Prizes, "prizes", CampaignMsg::PrizeCount { max: 8 });
        let mut c = valid();
        for key in 6..=9 {
            c.prizes.push(prize(key, PrizeKind::Goods, Some(1)));
        }
        assert_refused(&c, Step::Prizes, "prizes", CampaignMsg::PrizeCount { max: 8 });
        c.basic.kind = CampaignKind::Scratch;
        assert_eq!(c.validate_step(Step::Prizes), Ok(()));
        for key in 10..=21 {
            c.prizes.push(prize(key, PrizeKind::Goods, Some(1)));
        }
        assert_refused(&c, Step::Prizes, "prizes", CampaignMsg::PrizeCount { max: 20 });
    }

    #[test]
    fn prize_rules() {
        let mut c = valid();
        c.prizes[1].key = 0;
        c.prizes[3].key = 1;
        assert_refused(&c, Step::Prizes, "prizes[1].key", CampaignMsg::PrizeKey);
        assert_refused(&c, Step::Prizes, "prizes[3].key", CampaignMsg::PrizeKeyTwice { key: 1 });

        let mut c = valid();
        c.prizes[0].name = "奖".repeat(21);
        c.prizes[1].name.clear();
        assert_refused(&c, Step::Prizes, "prizes[0].name", Msg::TooLong { max: 20 });
        assert_refused(&c, Step::Prizes, "prizes[1].name", Msg::Required);

        let mut c = valid();
        c.prizes[2].quantity = None;
        c.prizes[3].quantity = Some(0);
        c.prizes[1].quantity = Some(10_000_001);
        assert_refused(&c, Step::Prizes, "prizes[2].quantity", Msg::Required);
        assert_refused(&c, Step::Prizes, "prizes[3].quantity", CampaignMsg::Between { min: 1, max: 10_000_000 });
        assert_refused(&c, Step::Prizes, "prizes[1].quantity", CampaignMsg::Between { min: 1, max: 10_000_000 });

        let mut c = valid();
        c.prizes[4].quantity = Some(10);
        c.prizes[4].daily_cap = Some(1);
        c.prizes[4].over_limit = Some(1);
        assert_refused(&c, Step::Prizes, "prizes[4].quantity", CampaignMsg::ThanksNoStock);
        assert_refused(&c, Step::Prizes, "prizes[4].daily_cap", CampaignMsg::ThanksNoStock);
        assert_refused(&c, Step::Prizes, "prizes[4].over_limit", CampaignMsg::ThanksNoStock);

        let mut c = valid();
        c.prizes[0].points = 0;
        c.prizes[3].value_fen = 0;
        c.prizes[2].value_fen = -1;
        assert_refused(&c, Step::Prizes, "prizes[0].points", CampaignMsg::PointsRequired);
        assert_refused(&c, Step::Prizes, "prizes[3].value_fen", CampaignMsg::CashValueRequired);
        assert_refused(&c, Step::Prizes, "prizes[2].value_fen", Msg::InvalidMoney);

        let mut c = valid();
        c.prizes[1].coupon = None;
        c.prizes[2].coupon = Some(CouponSetup::default());
        assert_refused(&c, Step::Prizes, "prizes[1].coupon", CampaignMsg::CouponSetupRequired);
        assert_refused(&c, Step::Prizes, "prizes[2].coupon", CampaignMsg::CouponSetupNotCoupon);

        let mut c = valid();
        c.prizes[1].coupon = Some(CouponSetup { source: CouponSource::Import, validity: CouponValidity::Days(3651) });
        assert_refused(&c, Step::Prizes, "prizes[1].coupon.validity", CampaignMsg::Between { min: 1, max: 3650 });
        c.prizes[1].coupon = Some(CouponSetup {
            source: CouponSource::Generate,
            validity: CouponValidity::Range { from: at(2027, 1, 1, 0), to: at(2027, 1, 1, 0) },
        });
        assert_refused(&c, Step::Prizes, "prizes[1].coupon.validity", CampaignMsg::CouponRangeOrder);

        let mut c = valid();
        c.prizes[0].warning_value = Some(1001);
        assert_refused(&c, Step::Prizes, "prizes[0].warning_value", CampaignMsg::WarningAboveQuantity);

        let mut c = valid();
        c.prizes[2].claim_expiry = ClaimExpiry::Hours(8761);
        c.prizes[3].claim_expiry = ClaimExpiry::Days(0);
        assert_refused(&c, Step::Prizes, "prizes[2].claim_expiry", CampaignMsg::Between { min: 1, max: 8760 });
        assert_refused(&c, Step::Prizes, "prizes[3].claim_expiry", CampaignMsg::Between { min: 1, max: 365 });
    }

    #[test]
    fn caps_nest() {
        let mut c = valid();
        c.prizes[0].daily_cap = Some(0);
        assert_refused(&c, Step::Prizes, "prizes[0].daily_cap", CampaignMsg::AtLeast { min: 1 });
        let mut c = valid();
        c.prizes[0].per_person_daily_cap = Some(6);
        assert_refused(&c, Step::Prizes, "prizes[0].per_person_daily_cap", CampaignMsg::CapAbove { limit: CapLimit::PerPersonCap });
        let mut c = valid();
        c.prizes[0].per_person_cap = None;
        c.prizes[0].daily_cap = Some(1);
        c.prizes[0].per_person_daily_cap = Some(2);
        assert_refused(&c, Step::Prizes, "prizes[0].per_person_daily_cap", CampaignMsg::CapAbove { limit: CapLimit::DailyCap });
        let mut c = valid();
        c.prizes[0].per_person_cap = Some(1001);
        c.prizes[0].daily_cap = Some(1001);
        assert_refused(&c, Step::Prizes, "prizes[0].per_person_cap", CampaignMsg::CapAbove { limit: CapLimit::Quantity });
        assert_refused(&c, Step::Prizes, "prizes[0].daily_cap", CampaignMsg::CapAbove { limit: CapLimit::Quantity });
    }

    #[test]
    fn over_limit_names_another_prize_without_a_cycle() {
        let mut c = valid();
        c.prizes[1].over_limit = Some(9);
        assert_refused(&c, Step::Prizes, "prizes[1].over_limit", CampaignMsg::OverLimitUnknown { key: 9 });
        let mut c = valid();
        c.prizes[1].over_limit = Some(2);
        assert_refused(&c, Step::Prizes, "prizes[1].over_limit", CampaignMsg::OverLimitSelf);
        // 1 → 5 and 3 → 1 are fine; 1 → 3 → 1 is a circle.
        let mut c = valid();
        c.prizes[0].over_limit = Some(3);
        assert_refused(&c, Step::Prizes, "prizes[0].over_limit", CampaignMsg::OverLimitCycle);
        assert_refused(&c, Step::Prizes, "prizes[2].over_limit", CampaignMsg::OverLimitCycle);
    }

    #[test]
    fn delivery_rules() {
        let g = "delivery.default_plan.groups";
        let mut c = valid();
        c.delivery.default_plan.key = 3;
        assert_refused(&c, Step::Delivery, "delivery.default_plan.key", CampaignMsg::DefaultPlanKey);

        let mut c = valid();
        c.delivery.default_plan.groups.clear();
        assert_refused(&c, Step::Delivery, g, CampaignMsg::GroupCount { max: 20 });
        c.delivery.default_plan.groups = vec![PrizeGroup { entries: vec![entry(1, 1)] }; 21];
        assert_refused(&c, Step::Delivery, g, CampaignMsg::GroupCount { max: 20 });
        c.delivery.default_plan.groups.truncate(20);
        assert_eq!(c.validate_step(Step::Delivery), Ok(()));

        let mut c = valid();
        c.delivery.default_plan.groups[1].entries.clear();
        assert_refused(&c, Step::Delivery, &format!("{g}[1].entries"), CampaignMsg::GroupEmpty);

        let mut c = valid();
        c.delivery.default_plan.groups[0].entries[1].prize = 9;
        c.delivery.default_plan.groups[1].entries[1].prize = 3;
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[1].prize"), CampaignMsg::EntryUnknownPrize { key: 9 });
        assert_refused(&c, Step::Delivery, &format!("{g}[1].entries[1].prize"), CampaignMsg::EntryPrizeTwice);

        let mut c = valid();
        c.delivery.default_plan.groups[0].entries[1].probability_ppm = PPM + 1;
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[1].probability_ppm"), CampaignMsg::ProbabilityAbove100);
        let mut c = valid();
        c.delivery.default_plan.groups[0].entries[2].probability_ppm = 900_000;
        assert_refused(&c, Step::Delivery, &format!("{g}[0]"), CampaignMsg::GroupTotal { total_ppm: 1_050_000 });
        assert_eq!(
            CampaignMsg::GroupTotal { total_ppm: 1_050_000 }.render(Locale::En),
            "The group's probabilities add up to 105%; they cannot exceed 100%"
        );
        // Exactly 100 % is allowed.
        c.delivery.default_plan.groups[0].entries[2].probability_ppm = 850_000;
        assert_eq!(c.validate_step(Step::Delivery), Ok(()));

        let mut c = valid();
        c.delivery.default_plan.groups[0].entries[0].over_limit = Some(1);
        c.delivery.default_plan.groups[0].entries[1].warning_value = Some(501);
        c.delivery.default_plan.groups[0].entries[2].over_limit = Some(1);
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[0].over_limit"), CampaignMsg::OverLimitSelf);
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[1].warning_value"), CampaignMsg::WarningAboveQuantity);
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[2].over_limit"), CampaignMsg::ThanksNoStock);
        // The entry's fallback 2 → 3 → 1 → 5 ends; 1 → 3 from the entry of prize 1 comes back round.
        let mut c = valid();
        c.delivery.default_plan.groups[0].entries[1].over_limit = Some(3);
        assert_eq!(c.validate_step(Step::Delivery), Ok(()));
        c.delivery.default_plan.groups[0].entries[0].over_limit = Some(3);
        assert_refused(&c, Step::Delivery, &format!("{g}[0].entries[0].over_limit"), CampaignMsg::OverLimitCycle);
    }

    #[test]
    fn precision_plan_rules() {
        let p = "delivery.precision";
        let mut c = valid();
        let mut second = c.delivery.precision[0].clone();
        second.name = "名".repeat(21);
        c.delivery.precision.push(second);
        assert_refused(&c, Step::Delivery, &format!("{p}[1].key"), CampaignMsg::PlanKeyTwice { key: 1 });
        assert_refused(&c, Step::Delivery, &format!("{p}[1].name"), Msg::TooLong { max: 20 });

        let mut c = valid();
        c.delivery.precision[0].key = 0;
        c.delivery.precision[0].conditions = PlanConditions::default();
        c.delivery.precision[0].groups.clear();
        assert_refused(&c, Step::Delivery, &format!("{p}[0].key"), CampaignMsg::PlanKey);
        assert_refused(&c, Step::Delivery, &format!("{p}[0].conditions"), CampaignMsg::ConditionRequired);
        assert_refused(&c, Step::Delivery, &format!("{p}[0].groups"), CampaignMsg::GroupCount { max: 20 });

        let mut c = valid();
        let k = &mut c.delivery.precision[0].conditions;
        k.draw_count = Some(CountRange { min: Some(5), max: Some(4) });
        k.prizes_won = Some(CountRange { min: Some(0), max: Some(0) });
        k.provinces = vec!["江苏".into()];
        k.window = Cycle::Daily { from: hm(20, 0), to: hm(8, 0) };
        assert_refused(&c, Step::Delivery, &format!("{p}[0].conditions.draw_count"), CampaignMsg::RangeOrder);
        assert_refused(&c, Step::Delivery, &format!("{p}[0].conditions.provinces"), CampaignMsg::UnknownProvince { name: "江苏".into() });
        assert_refused(&c, Step::Delivery, &format!("{p}[0].conditions.window"), CampaignMsg::WindowOrder);
        assert!(!refused(&c, Step::Delivery).iter().any(|(f, _)| f.ends_with("prizes_won")));
    }

    #[test]
    fn page_rules() {
        let mut c = valid();
        c.page.title = "题".repeat(31);
        c.page.primary_color = "#12345".into();
        c.page.background_color = "#12345g".into();
        c.page.rules = "规".repeat(2001);
        assert_refused(&c, Step::Page, "page.title", Msg::TooLong { max: 30 });
        assert_refused(&c, Step::Page, "page.primary_color", CampaignMsg::Color);
        assert_refused(&c, Step::Page, "page.background_color", CampaignMsg::Color);
        assert_refused(&c, Step::Page, "page.rules", Msg::TooLong { max: 2000 });
        assert!(is_color("#A0b1C2"));
    }

    #[test]
    fn transitions() {
        use CampaignAction as A;
        use CampaignStatus as S;
        let (start, end) = (Some(at(2026, 12, 1, 0)), Some(at(2027, 1, 1, 0)));
        let before = at(2026, 11, 1, 0);
        let during = at(2026, 12, 15, 0);
        let after = at(2027, 2, 1, 0);
        let cases = [
            (S::Draft, A::Launch, before, Ok(S::Scheduled)),
            (S::Draft, A::Launch, during, Ok(S::Running)),
            (S::Draft, A::Launch, after, Err(CampaignMsg::EndPassed)),
            (S::Running, A::Pause, during, Ok(S::Paused)),
            (S::Paused, A::Resume, during, Ok(S::Running)),
            (S::Scheduled, A::End, before, Ok(S::Ended)),
            (S::Running, A::End, during, Ok(S::Ended)),
            (S::Paused, A::End, during, Ok(S::Ended)),
            // A scheduled campaign whose start passed is running: it can be paused.
            (S::Scheduled, A::Pause, during, Ok(S::Paused)),
            (S::Scheduled, A::Pause, before, Err(CampaignMsg::Transition { action: A::Pause, status: S::Scheduled })),
            (S::Draft, A::Pause, during, Err(CampaignMsg::Transition { action: A::Pause, status: S::Draft })),
            (S::Draft, A::End, during, Err(CampaignMsg::Transition { action: A::End, status: S::Draft })),
            (S::Running, A::Launch, during, Err(CampaignMsg::Transition { action: A::Launch, status: S::Running })),
            (S::Running, A::Resume, during, Err(CampaignMsg::Transition { action: A::Resume, status: S::Running })),
            (S::Paused, A::Pause, during, Err(CampaignMsg::Transition { action: A::Pause, status: S::Paused })),
            (S::Ended, A::Resume, during, Err(CampaignMsg::Transition { action: A::Resume, status: S::Ended })),
            (S::Ended, A::End, during, Err(CampaignMsg::Transition { action: A::End, status: S::Ended })),
            // Past the end, a paused campaign is over: it cannot resume.
            (S::Paused, A::Resume, after, Err(CampaignMsg::Transition { action: A::Resume, status: S::Ended })),
        ];
        for (status, action, now, expected) in cases {
            assert_eq!(transition(status, action, now, start, end), expected, "{status:?} {action:?} at {now}");
        }
        assert_eq!(transition(S::Draft, A::Launch, during, None, end), Err(CampaignMsg::DatesRequired));
        assert_eq!(CampaignMsg::Transition { action: A::Pause, status: S::Draft }.render(Locale::Zh), "活动当前为「草稿」，不能暂停");
        assert_eq!(
            CampaignMsg::Transition { action: A::Resume, status: S::Ended }.render(Locale::En),
            "The campaign is ended: it cannot resume"
        );
    }

    #[test]
    fn effective_status_follows_the_clock() {
        use CampaignStatus as S;
        let (start, end) = (Some(at(2026, 12, 1, 0)), Some(at(2027, 1, 1, 0)));
        assert_eq!(effective_status(S::Scheduled, at(2026, 11, 30, 23), start, end), S::Scheduled);
        assert_eq!(effective_status(S::Scheduled, at(2026, 12, 1, 0), start, end), S::Running);
        assert_eq!(effective_status(S::Paused, at(2026, 12, 2, 0), start, end), S::Paused);
        for s in [S::Scheduled, S::Running, S::Paused] {
            assert_eq!(effective_status(s, at(2027, 1, 1, 0), start, end), S::Ended);
        }
        assert_eq!(effective_status(S::Draft, at(2027, 2, 1, 0), start, end), S::Draft);
        assert_eq!(S::Scheduled.label(Locale::Zh), "未开始");
        assert_eq!(S::Running.label(Locale::En), "Running");
        assert_eq!(PrizeKind::Thanks.label(Locale::Zh), "谢谢参与");
        assert_eq!(CampaignKind::Scratch.label(Locale::Zh), "刮刮卡");
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &Msg)> {
        errs.iter().map(|e| (e.field.as_str(), &e.msg)).collect()
    }

    #[test]
    fn running_changes() {
        let mut before = valid();
        before.prizes[0].awarded = 40;
        before.prizes[2].awarded = 2;
        let now = at(2026, 12, 10, 0);

        // Allowed: a new prize, more stock, a new plan, other probabilities, a later end, a new spec.
        let mut after = before.clone();
        after.prizes.push(prize(6, PrizeKind::Goods, Some(3)));
        after.prizes[0].quantity = Some(2000);
        after.prizes[2].quantity = Some(2);
        after.delivery.default_plan.groups[0].entries[0].probability_ppm = 1;
        after.delivery.precision.push(Plan { key: 2, ..after.delivery.precision[0].clone() });
        after.basic.ends_at = Some(at(2027, 2, 1, 0));
        after.settings.spec_ids.push(2);
        assert_eq!(running_change_refusals(&before, &after, now), vec![]);

        let mut after = before.clone();
        after.basic.kind = CampaignKind::Scratch;
        after.basic.starts_at = Some(at(2026, 12, 2, 0));
        after.basic.ends_at = Some(at(2026, 12, 9, 0));
        after.settings.spec_ids = vec![2];
        after.prizes[0].quantity = Some(39);
        after.prizes[0].points = 50;
        after.prizes[2].kind = PrizeKind::Cash;
        after.prizes.remove(1);
        let errs = running_change_refusals(&before, &after, now);
        assert_eq!(
            fields(&errs),
            vec![
                ("basic.kind", &CampaignMsg::KindFixed.into()),
                ("basic.starts_at", &CampaignMsg::StartFixed.into()),
                ("basic.ends_at", &CampaignMsg::EndInPast.into()),
                ("prizes[0].points", &CampaignMsg::AwardedPrizeChanged { awarded: 40 }.into()),
                ("prizes[0].quantity", &CampaignMsg::QuantityBelowAwarded { awarded: 40 }.into()),
                ("prizes[1].kind", &CampaignMsg::AwardedPrizeChanged { awarded: 2 }.into()),
                ("settings.spec_ids", &CampaignMsg::SpecRemoved.into()),
            ]
        );
        assert_eq!(CampaignMsg::QuantityBelowAwarded { awarded: 40 }.render(Locale::Zh), "已发出 40 个，数量不能少于 40");

        // Removing an awarded prize is refused by name; an unawarded one may go.
        let mut after = before.clone();
        after.prizes.remove(0);
        let errs = running_change_refusals(&before, &after, now);
        assert_eq!(errs[0].field, "prizes");
        assert_eq!(errs[0].msg, CampaignMsg::AwardedPrizeRemoved { name: "奖品1".into(), awarded: 40 }.into());

        // A won prize cannot drop to 0 in every group; 0 in some groups is fine.
        let mut after = before.clone();
        after.delivery.default_plan.groups[0].entries[0].probability_ppm = 0;
        assert_eq!(running_change_refusals(&before, &after, now), vec![]);
        after.delivery.precision[0].groups[0].entries[0].probability_ppm = 0;
        let errs = running_change_refusals(&before, &after, now);
        assert_eq!(fields(&errs), vec![("delivery", &CampaignMsg::WonPrizeUnreachable { name: "奖品1".into(), awarded: 40 }.into())]);
        // An unwon prize may become unwinnable.
        let mut after = before.clone();
        after.delivery.default_plan.groups[0].entries[1].probability_ppm = 0;
        assert_eq!(running_change_refusals(&before, &after, now), vec![]);

        // Before the start, the start and the game may change, but the start not into the past.
        let early = at(2026, 11, 20, 0);
        let mut after = before.clone();
        after.basic.kind = CampaignKind::Scratch;
        after.basic.starts_at = Some(at(2026, 11, 25, 0));
        assert_eq!(running_change_refusals(&before, &after, early), vec![]);
        after.basic.starts_at = Some(at(2026, 11, 19, 0));
        assert_eq!(fields(&running_change_refusals(&before, &after, early)), vec![("basic.starts_at", &CampaignMsg::StartInPast.into())]);
    }

    fn overlap_fixture(start: u32, end: u32) -> CampaignInput {
        let mut c = valid();
        c.basic.starts_at = Some(at(2026, 12, start, 0));
        c.basic.ends_at = Some(at(2026, 12, end, 0));
        c
    }

    #[test]
    fn overlaps_need_time_spec_product_and_province_in_common() {
        let a = overlap_fixture(1, 10);
        let b = overlap_fixture(9, 20);
        assert!(overlaps(&a, &b) && overlaps(&b, &a));
        // Touching ranges do not overlap: one ends as the other starts.
        assert!(!overlaps(&a, &overlap_fixture(10, 20)));
        let mut other_spec = b.clone();
        other_spec.settings.spec_ids = vec![2];
        assert!(!overlaps(&a, &other_spec));
        let mut other_products = b.clone();
        other_products.settings.product_ids = vec![12];
        assert!(!overlaps(&a, &other_products));
        other_products.settings.product_ids.clear();
        assert!(overlaps(&a, &other_products));
        let mut other_provinces = b.clone();
        other_provinces.settings.provinces = vec!["广东省".into()];
        assert!(!overlaps(&a, &other_provinces));
        other_provinces.settings.provinces.clear();
        assert!(overlaps(&a, &other_provinces));
        let mut open = b.clone();
        open.basic.starts_at = None;
        open.basic.ends_at = None;
        assert!(overlaps(&a, &open));
    }

    #[test]
    fn overlap_order_is_priority_then_start_then_id() {
        let early = Some(at(2026, 12, 1, 0));
        let late = Some(at(2026, 12, 5, 0));
        let mut list = vec![(0, early, 3), (5, late, 9), (0, early, 2), (0, late, 1), (5, early, 10), (0, None, 0)];
        list.sort_by(|a, b| overlap_order(*a, *b));
        assert_eq!(list, vec![(5, early, 10), (5, late, 9), (0, early, 2), (0, early, 3), (0, late, 1), (0, None, 0)]);
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(1_050_000), "105%");
        assert_eq!(percent(5_000), "0.5%");
        assert_eq!(percent(1_000_001), "100.0001%");
        assert_eq!(percent(0), "0%");
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let msgs = [
            CampaignMsg::UnknownProvince { name: "火星".into() },
            CampaignMsg::CapAbove { limit: CapLimit::DailyCap },
            CampaignMsg::WonPrizeUnreachable { name: "一等奖".into(), awarded: 3 },
            CampaignMsg::AwardedPrizeRemoved { name: "一等奖".into(), awarded: 3 },
        ];
        for m in msgs {
            let (zh, en) = (m.render(Locale::Zh), m.render(Locale::En));
            assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{m:?}");
        }
    }
}
