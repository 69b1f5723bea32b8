//! The draw (抽奖): choosing the plan that applies to a consumer, picking a prize in each prize
//! group from a random value, the over-limit fallback, and the forecast shown before launch
//! (expected cost per 1,000 draws, expected exhaustion date of each prize).
//!
//! Pure: the random values come from the caller (the server draws them from the operating
//! system's CSPRNG and records them on the draw), so every result can be replayed and audited.
//! Stock and caps are not checked here: the server enforces them in PostgreSQL.

use crate::domain::campaign::{Audience, CampaignInput, CountRange, Delivery, Plan, PlanConditions, PrizeGroup, PrizeKind, PPM};
use serde::{Deserialize, Serialize};

/// What precision plans match on, about one consumer at one draw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DrawFacts {
    pub product_id: Option<i64>,
    pub risk_level: crate::domain::risk::RiskLevel,
    /// No scan of the enterprise's codes before this one.
    pub new_consumer: bool,
    pub province: Option<String>,
    /// Now, in China Standard Time (for plan windows).
    pub local_time: chrono::NaiveDateTime,
    pub draws_in_campaign: u32,
    pub draws_in_enterprise: u32,
    pub prizes_won_in_campaign: u32,
    pub crowd_ids: Vec<i64>,
}

/// The first precision plan (in their order) whose every set condition holds, else the default
/// plan. Conditions: the scanned product is among `product_ids`; the consumer's risk level is
/// among `risk_levels`; new or returning as `audience` says; the scan's province is among
/// `provinces`; `window` contains the local time; the draw, participation and prizes-won counts
/// are inside their ranges; the consumer is in one of `crowd_ids`. An unknown product or
/// province never satisfies a list that is set.
pub fn choose_plan<'a>(delivery: &'a Delivery, facts: &DrawFacts) -> &'a Plan {
    delivery.precision.iter().find(|p| matches(&p.conditions, facts)).unwrap_or(&delivery.default_plan)
}

/// Whether every set condition of a precision plan holds for these facts.
pub fn matches(k: &PlanConditions, facts: &DrawFacts) -> bool {
    let listed = |list: &[i64], v: Option<i64>| list.is_empty() || v.is_some_and(|v| list.contains(&v));
    let in_range = |r: Option<CountRange>, n: u32| r.is_none_or(|r| r.contains(n));
    listed(&k.product_ids, facts.product_id)
        && (k.risk_levels.is_empty() || k.risk_levels.contains(&facts.risk_level))
        && k.audience.is_none_or(|a| (a == Audience::New) == facts.new_consumer)
        && (k.provinces.is_empty() || facts.province.as_ref().is_some_and(|p| k.provinces.contains(p)))
        && k.window.contains(facts.local_time)
        && in_range(k.draw_count, facts.draws_in_campaign)
        && in_range(k.participation_count, facts.draws_in_enterprise)
        && in_range(k.prizes_won, facts.prizes_won_in_campaign)
        && (k.crowd_ids.is_empty() || k.crowd_ids.iter().any(|c| facts.crowd_ids.contains(c)))
}

/// Refusals of a scan's campaign, a draw or a claim (rendered through
/// [`crate::domain::validate::Msg::Draw`]). Risk control's blocks all read [`DrawMsg::Busy`]:
/// a bonus hunter learns nothing about which rule caught them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DrawMsg {
    /// No running campaign takes this code (spec, product, region or time).
    NoCampaign,
    /// The campaign has not started yet (it starts at …).
    NotStarted {
        starts_at: chrono::DateTime<chrono::Utc>,
    },
    Ended,
    Paused,
    /// Outside the campaign's daily or weekly hours.
    OutsideHours,
    /// This code was scanned for the campaign as often as it may be.
    CodeScanLimit,
    /// This code has had all its draws (today, or in the campaign).
    CodeDrawLimit {
        today: bool,
    },
    /// The code cannot be drawn yet (too soon after activation or after its first scan).
    CodeNotYet {
        minutes: u32,
    },
    /// The consumer had all their draws (today, or in the campaign).
    UserDrawLimit {
        today: bool,
    },
    /// Too soon after the consumer's last draw.
    TooSoon {
        seconds: u32,
    },
    /// Blocked by risk control (deliberately vague).
    Busy,
    /// The scan is not this device's (or does not exist).
    ScanNotFound,
    /// A claim for a win that is not this consumer's.
    WinNotFound,
    ClaimExpired,
    AlreadyClaimed,
    /// Claims of thanks-for-playing make no sense; of cash prizes they are automatic.
    NothingToClaim,
    /// An idempotency key must be 8–64 characters of letters, digits, `-` or `_`.
    BadIdempotencyKey,
}

impl DrawMsg {
    pub fn render(&self, l: crate::i18n::Locale) -> String {
        use crate::i18n::Locale::*;
        match (self, l) {
            (DrawMsg::NoCampaign, Zh) => "此码当前没有可参与的活动".into(),
            (DrawMsg::NoCampaign, En) => "No campaign is running for this code right now".into(),
            (DrawMsg::NotStarted { starts_at }, l) => match l {
                Zh => format!("活动尚未开始，开始时间 {}", l.datetime(starts_at)),
                En => format!("The campaign starts on {}", l.datetime(starts_at)),
            },
            (DrawMsg::Ended, Zh) => "活动已结束".into(),
            (DrawMsg::Ended, En) => "The campaign has ended".into(),
            (DrawMsg::Paused, Zh) => "活动已暂停，请稍后再来".into(),
            (DrawMsg::Paused, En) => "The campaign is paused; please come back later".into(),
            (DrawMsg::OutsideHours, Zh) => "现在不在活动时段内".into(),
            (DrawMsg::OutsideHours, En) => "The campaign is not open at this hour".into(),
            (DrawMsg::CodeScanLimit, Zh) => "此码的参与次数已用完".into(),
            (DrawMsg::CodeScanLimit, En) => "This code has been used as often as it may be".into(),
            (DrawMsg::CodeDrawLimit { today: true }, Zh) => "此码今天的抽奖次数已用完，明天再来".into(),
            (DrawMsg::CodeDrawLimit { today: true }, En) => "This code has no draws left today; come back tomorrow".into(),
            (DrawMsg::CodeDrawLimit { today: false }, Zh) => "此码的抽奖次数已用完".into(),
            (DrawMsg::CodeDrawLimit { today: false }, En) => "This code has no draws left".into(),
            (DrawMsg::CodeNotYet { minutes }, Zh) => format!("此码暂不能抽奖，请 {minutes} 分钟后再试"),
            (DrawMsg::CodeNotYet { minutes }, En) => format!("This code cannot draw yet; try again in {minutes} minutes"),
            (DrawMsg::UserDrawLimit { today: true }, Zh) => "您今天的抽奖次数已用完，明天再来".into(),
            (DrawMsg::UserDrawLimit { today: true }, En) => "You have no draws left today; come back tomorrow".into(),
            (DrawMsg::UserDrawLimit { today: false }, Zh) => "您在本活动的抽奖次数已用完".into(),
            (DrawMsg::UserDrawLimit { today: false }, En) => "You have used all your draws in this campaign".into(),
            (DrawMsg::TooSoon { seconds }, Zh) => format!("抽奖太频繁，请 {seconds} 秒后再试"),
            (DrawMsg::TooSoon { seconds }, En) => format!("Too fast: try again in {seconds} seconds"),
            (DrawMsg::Busy, Zh) => "活动太火爆了，请稍后再试".into(),
            (DrawMsg::Busy, En) => "The campaign is very busy; please try again later".into(),
            (DrawMsg::ScanNotFound, Zh) => "请重新扫码参与".into(),
            (DrawMsg::ScanNotFound, En) => "Please scan the code again to take part".into(),
            (DrawMsg::WinNotFound, Zh) => "没有找到这个奖品".into(),
            (DrawMsg::WinNotFound, En) => "This prize was not found".into(),
            (DrawMsg::ClaimExpired, Zh) => "已超过领奖期限".into(),
            (DrawMsg::ClaimExpired, En) => "The time to claim this prize has passed".into(),
            (DrawMsg::AlreadyClaimed, Zh) => "奖品已领取".into(),
            (DrawMsg::AlreadyClaimed, En) => "This prize was already claimed".into(),
            (DrawMsg::NothingToClaim, Zh) => "此奖品无需领取".into(),
            (DrawMsg::NothingToClaim, En) => "This prize needs no claim".into(),
            (DrawMsg::BadIdempotencyKey, Zh) => "请求标识须为 8–64 位字母、数字、- 或 _".into(),
            (DrawMsg::BadIdempotencyKey, En) => "The idempotency key must be 8–64 letters, digits, - or _".into(),
        }
    }
}

/// Whether a client's idempotency key has an acceptable form.
pub fn valid_idempotency_key(key: &str) -> bool {
    (8..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The prize a random value in `0..PPM` lands on in a group: entries take consecutive slices
/// of the million in their order; past the last slice is no prize.
pub fn pick(group: &PrizeGroup, random: u32) -> Option<u16> {
    let mut upper = 0u64;
    for e in &group.entries {
        upper += u64::from(e.probability_ppm);
        if u64::from(random) < upper {
            return Some(e.prize);
        }
    }
    None
}

/// "Every draw wins": the same value re-scaled over the group's prizes only, so each prize keeps
/// its share relative to the others. `None` only for a group without probabilities. A value
/// outside `0..PPM` (a caller's bug) lands on the last prize that has a probability.
pub fn pick_always(group: &PrizeGroup, random: u32) -> Option<u16> {
    let total: u64 = group.entries.iter().map(|e| u64::from(e.probability_ppm)).sum();
    if total == 0 {
        return None;
    }
    let scaled = u64::from(random) * total / u64::from(PPM);
    let mut upper = 0u64;
    for e in &group.entries {
        upper += u64::from(e.probability_ppm);
        if scaled < upper {
            return Some(e.prize);
        }
    }
    group.entries.iter().rev().find(|e| e.probability_ppm > 0).map(|e| e.prize)
}

/// The prize to award instead when `key` was refused in `group`: the entry's own over-limit
/// prize, else the prize's. The server follows the chain while prizes are refused, never
/// visiting a prize twice.
pub fn over_limit_of(prizes: &[crate::domain::campaign::Prize], group: &PrizeGroup, key: u16) -> Option<u16> {
    group
        .entries
        .iter()
        .find(|e| e.prize == key)
        .and_then(|e| e.over_limit)
        .or_else(|| prizes.iter().find(|p| p.key == key).and_then(|p| p.over_limit))
        .filter(|k| *k != key)
}

/// The forecast of one plan shown before launch, from the probabilities alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The plan forecast (0: the default plan, also when `plan_key` named no plan).
    pub plan_key: u16,
    /// Expected cost of 1,000 draws in fen: Σ over prizes of wins × value (the points prizes'
    /// value is what their points cost the brand); thanks-for-playing costs nothing.
    pub cost_per_1000_fen: i64,
    /// Chance that a draw wins at least one prize other than thanks-for-playing, groups drawn
    /// independently (one random value each).
    pub win_rate_ppm: u32,
    /// Every prize the plan's groups name, in the campaign's prize order.
    pub prizes: Vec<PrizeForecast>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrizeForecast {
    pub key: u16,
    pub name: String,
    /// Expected awards per 1,000 draws (summed over the plan's groups).
    pub per_1000: f64,
    /// Stock left (quantity − awarded); `None` for thanks-for-playing.
    pub remaining: Option<u32>,
    /// Days until the stock runs out at `draws_per_day`; `None` without stock, without draws or
    /// when the prize cannot be won.
    pub days_to_exhaustion: Option<f64>,
}

/// Expected wins, cost and exhaustion of the plan `plan_key` at `draws_per_day` draws a day.
///
/// A prize's expected wins per draw are Σ over the plan's groups of its probability (ppm / PPM);
/// with "every draw wins" each group's probabilities are re-scaled to add up to 100 %, as
/// [`pick_always`] draws. Caps, per-code and per-user limits, stock running out and over-limit
/// prizes are ignored, so the figures are an upper bound of what the plan can award and cost.
pub fn forecast(input: &CampaignInput, plan_key: u16, draws_per_day: u32) -> Forecast {
    let plan = input.delivery.precision.iter().find(|p| p.key == plan_key && plan_key != 0).unwrap_or(&input.delivery.default_plan);
    let every_draw_wins = input.settings.user_wins.every_draw_wins;
    let is_win = |key: u16| input.prizes.iter().find(|p| p.key == key).is_some_and(|p| p.kind != PrizeKind::Thanks);
    let mut rates: Vec<(u16, f64)> = Vec::new();
    let mut lose_all = 1.0f64;
    for group in &plan.groups {
        let total: u64 = group.entries.iter().map(|e| u64::from(e.probability_ppm)).sum();
        let scale = if every_draw_wins { total as f64 } else { f64::from(PPM) };
        if scale == 0.0 {
            continue;
        }
        let mut group_win = 0.0;
        for e in &group.entries {
            let rate = f64::from(e.probability_ppm) / scale;
            match rates.iter_mut().find(|(k, _)| *k == e.prize) {
                Some((_, r)) => *r += rate,
                None => rates.push((e.prize, rate)),
            }
            if is_win(e.prize) {
                group_win += rate;
            }
        }
        lose_all *= 1.0 - group_win.min(1.0);
    }
    let mut cost = 0.0;
    let prizes = input
        .prizes
        .iter()
        .filter_map(|p| {
            let rate = rates.iter().find(|(k, _)| *k == p.key)?.1;
            let thanks = p.kind == PrizeKind::Thanks;
            if !thanks {
                cost += rate * 1000.0 * p.value_fen as f64;
            }
            let remaining = if thanks { None } else { p.quantity.map(|q| q.saturating_sub(p.awarded)) };
            let per_day = f64::from(draws_per_day) * rate;
            let days_to_exhaustion = remaining.filter(|_| per_day > 0.0).map(|r| f64::from(r) / per_day);
            Some(PrizeForecast { key: p.key, name: p.name.clone(), per_1000: rate * 1000.0, remaining, days_to_exhaustion })
        })
        .collect();
    Forecast {
        plan_key: plan.key,
        cost_per_1000_fen: cost.round() as i64,
        win_rate_ppm: ((1.0 - lose_all) * f64::from(PPM)).round() as u32,
        prizes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::campaign::{CampaignKind, Cycle, GroupEntry, Prize, Settings, UserWinLimits};
    use crate::domain::risk::RiskLevel;
    use chrono::{NaiveDate, NaiveTime};

    fn entry(prize: u16, probability_ppm: u32) -> GroupEntry {
        GroupEntry { prize, probability_ppm, ..GroupEntry::default() }
    }

    fn plan(key: u16, conditions: PlanConditions) -> Plan {
        Plan { key, name: format!("方案{key}"), conditions, groups: vec![] }
    }

    fn facts() -> DrawFacts {
        DrawFacts {
            product_id: Some(10),
            risk_level: RiskLevel::Normal,
            new_consumer: true,
            province: Some("浙江省".into()),
            // A Monday, 10:00 in China.
            local_time: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(10, 0, 0).unwrap(),
            draws_in_campaign: 2,
            draws_in_enterprise: 7,
            prizes_won_in_campaign: 1,
            crowd_ids: vec![4],
        }
    }

    fn chosen(conditions: PlanConditions, facts: &DrawFacts) -> u16 {
        let d = Delivery { default_plan: plan(0, PlanConditions::default()), precision: vec![plan(1, conditions)] };
        choose_plan(&d, facts).key
    }

    #[test]
    fn the_first_matching_precision_plan_wins() {
        let returning = PlanConditions { audience: Some(Audience::Returning), ..PlanConditions::default() };
        let new = PlanConditions { audience: Some(Audience::New), ..PlanConditions::default() };
        let zhejiang = PlanConditions { provinces: vec!["浙江省".into()], ..PlanConditions::default() };
        let d = Delivery {
            default_plan: plan(0, PlanConditions::default()),
            precision: vec![plan(3, returning.clone()), plan(1, new.clone()), plan(2, zhejiang)],
        };
        // Plan 1 and plan 2 both match: the earlier in the list wins, whatever its key.
        assert_eq!(choose_plan(&d, &facts()).key, 1);
        let f = DrawFacts { new_consumer: false, ..facts() };
        assert_eq!(choose_plan(&d, &f).key, 3);
        let d = Delivery { default_plan: plan(0, PlanConditions::default()), precision: vec![plan(1, new)] };
        assert_eq!(choose_plan(&d, &DrawFacts { new_consumer: false, ..facts() }).key, 0);
    }

    #[test]
    fn each_condition_decides() {
        let f = facts();
        let none = PlanConditions::default;
        let cases: Vec<(PlanConditions, PlanConditions)> = vec![
            (PlanConditions { product_ids: vec![10, 11], ..none() }, PlanConditions { product_ids: vec![11], ..none() }),
            (
                PlanConditions { risk_levels: vec![RiskLevel::Normal], ..none() },
                PlanConditions { risk_levels: vec![RiskLevel::Watch, RiskLevel::High], ..none() },
            ),
            (PlanConditions { audience: Some(Audience::New), ..none() }, PlanConditions { audience: Some(Audience::Returning), ..none() }),
            (PlanConditions { provinces: vec!["浙江省".into()], ..none() }, PlanConditions { provinces: vec!["江苏省".into()], ..none() }),
            (
                PlanConditions { window: Cycle::Daily { from: hm(9, 0), to: hm(11, 0) }, ..none() },
                PlanConditions { window: Cycle::Weekly { days: vec![2, 3], from: hm(9, 0), to: hm(11, 0) }, ..none() },
            ),
            (
                PlanConditions { draw_count: Some(CountRange { min: Some(2), max: Some(2) }), ..none() },
                PlanConditions { draw_count: Some(CountRange { min: Some(3), max: None }), ..none() },
            ),
            (
                PlanConditions { participation_count: Some(CountRange { min: None, max: Some(7) }), ..none() },
                PlanConditions { participation_count: Some(CountRange { min: None, max: Some(6) }), ..none() },
            ),
            (
                PlanConditions { prizes_won: Some(CountRange { min: Some(1), max: None }), ..none() },
                PlanConditions { prizes_won: Some(CountRange { min: Some(0), max: Some(0) }), ..none() },
            ),
            (PlanConditions { crowd_ids: vec![3, 4], ..none() }, PlanConditions { crowd_ids: vec![5], ..none() }),
        ];
        for (hit, miss) in cases {
            assert_eq!(chosen(hit.clone(), &f), 1, "{hit:?}");
            assert_eq!(chosen(miss.clone(), &f), 0, "{miss:?}");
        }
        // Every set condition must hold, not just one.
        let both = PlanConditions { product_ids: vec![10], provinces: vec!["江苏省".into()], ..none() };
        assert_eq!(chosen(both, &f), 0);
        // An unknown product or province never matches a set list.
        let unknown = DrawFacts { product_id: None, province: None, ..facts() };
        assert_eq!(chosen(PlanConditions { product_ids: vec![10], ..none() }, &unknown), 0);
        assert_eq!(chosen(PlanConditions { provinces: vec!["浙江省".into()], ..none() }, &unknown), 0);
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// splitmix64: a small, fixed-seed generator so the statistical tests are reproducible.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform in 0..PPM (the modulo bias of 2^64 mod 10^6 is below 10^-13).
        fn ppm(&mut self) -> u32 {
            (self.next() % u64::from(PPM)) as u32
        }
    }

    /// Asserts `count` out of `n` is within 4 standard deviations of a binomial with `p`.
    fn within_4_sigma(label: &str, count: u32, n: u32, p: f64) {
        let expected = f64::from(n) * p;
        let sigma = (f64::from(n) * p * (1.0 - p)).sqrt();
        let off = (f64::from(count) - expected).abs();
        assert!(off <= 4.0 * sigma, "{label}: {count} vs expected {expected:.0} ± {:.0}", 4.0 * sigma);
    }

    fn group() -> PrizeGroup {
        // A 10 %, B 25 %, C 0.5 %: 64.5 % no prize.
        PrizeGroup { entries: vec![entry(1, 100_000), entry(2, 250_000), entry(3, 5_000)] }
    }

    #[test]
    fn draws_land_on_the_probabilities() {
        const N: u32 = 200_000;
        let g = group();
        let mut rng = SplitMix(0x5EED_2026);
        let mut counts = [0u32; 4];
        for _ in 0..N {
            match pick(&g, rng.ppm()) {
                Some(k) => counts[usize::from(k)] += 1,
                None => counts[0] += 1,
            }
        }
        within_4_sigma("A", counts[1], N, 0.10);
        within_4_sigma("B", counts[2], N, 0.25);
        within_4_sigma("C", counts[3], N, 0.005);
        within_4_sigma("no prize", counts[0], N, 0.645);
    }

    #[test]
    fn every_draw_wins_keeps_the_ratios() {
        const N: u32 = 200_000;
        let g = group();
        let mut rng = SplitMix(42);
        let mut counts = [0u32; 4];
        for _ in 0..N {
            let k = pick_always(&g, rng.ppm()).expect("a group with probabilities always yields a prize");
            counts[usize::from(k)] += 1;
        }
        assert_eq!(counts[0], 0);
        within_4_sigma("A", counts[1], N, 100.0 / 355.0);
        within_4_sigma("B", counts[2], N, 250.0 / 355.0);
        within_4_sigma("C", counts[3], N, 5.0 / 355.0);
        // The edges of the value range.
        assert_eq!(pick_always(&g, 0), Some(1));
        assert_eq!(pick_always(&g, PPM - 1), Some(3));
        assert_eq!(pick_always(&PrizeGroup { entries: vec![entry(1, 0)] }, 5), None);
        assert_eq!(pick_always(&PrizeGroup::default(), 5), None);
    }

    #[test]
    fn pick_slices_in_order() {
        let g = group();
        assert_eq!(pick(&g, 0), Some(1));
        assert_eq!(pick(&g, 99_999), Some(1));
        assert_eq!(pick(&g, 100_000), Some(2));
        assert_eq!(pick(&g, 349_999), Some(2));
        assert_eq!(pick(&g, 350_000), Some(3));
        assert_eq!(pick(&g, 354_999), Some(3));
        assert_eq!(pick(&g, 355_000), None);
        assert_eq!(pick(&g, PPM - 1), None);
    }

    #[test]
    fn over_limit_prefers_the_entry() {
        let prizes = vec![
            Prize { key: 1, over_limit: Some(3), ..Prize::default() },
            Prize { key: 2, over_limit: Some(2), ..Prize::default() },
            Prize { key: 3, ..Prize::default() },
        ];
        let g = PrizeGroup { entries: vec![GroupEntry { over_limit: Some(2), ..entry(1, 10) }, entry(2, 10), entry(3, 10)] };
        assert_eq!(over_limit_of(&prizes, &g, 1), Some(2));
        assert_eq!(over_limit_of(&prizes, &PrizeGroup::default(), 1), Some(3));
        // A prize never falls back to itself.
        assert_eq!(over_limit_of(&prizes, &g, 2), None);
        assert_eq!(over_limit_of(&prizes, &g, 3), None);
    }

    fn forecast_input(every_draw_wins: bool) -> CampaignInput {
        let p = |key: u16, kind: PrizeKind, value_fen: i64, quantity: Option<u32>, awarded: u32| Prize {
            key,
            name: format!("奖品{key}"),
            kind,
            value_fen,
            quantity,
            awarded,
            ..Prize::default()
        };
        CampaignInput {
            basic: crate::domain::campaign::Basic { kind: CampaignKind::NineGrid, ..Default::default() },
            settings: Settings { user_wins: UserWinLimits { every_draw_wins, ..Default::default() }, ..Default::default() },
            prizes: vec![
                p(1, PrizeKind::Points, 10, Some(1000), 100),
                p(2, PrizeKind::Cash, 500, Some(100), 0),
                p(3, PrizeKind::Thanks, 0, None, 0),
                p(4, PrizeKind::Goods, 9_900, Some(5), 5),
            ],
            delivery: Delivery {
                default_plan: Plan {
                    key: 0,
                    groups: vec![
                        PrizeGroup { entries: vec![entry(1, 100_000), entry(3, 500_000)] },
                        PrizeGroup { entries: vec![entry(2, 10_000), entry(1, 50_000)] },
                    ],
                    ..Plan::default()
                },
                precision: vec![Plan {
                    key: 7,
                    name: "回头客".into(),
                    conditions: PlanConditions { audience: Some(Audience::Returning), ..Default::default() },
                    groups: vec![PrizeGroup { entries: vec![entry(4, 2_000), entry(2, 0)] }],
                }],
            },
            ..CampaignInput::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn forecast_by_hand() {
        let f = forecast(&forecast_input(false), 0, 1000);
        assert_eq!(f.plan_key, 0);
        // Prize 1: 10 % + 5 % = 0.15 a draw; prize 2: 1 %; thanks: 50 %.
        // Cost per 1,000 draws: 150 × 10 fen + 10 × 500 fen = 6,500 fen.
        assert_eq!(f.cost_per_1000_fen, 6_500);
        // At least one win: 1 − (1 − 0.10)(1 − 0.06) = 0.154.
        assert_eq!(f.win_rate_ppm, 154_000);
        let keys: Vec<u16> = f.prizes.iter().map(|p| p.key).collect();
        assert_eq!(keys, [1, 2, 3]);
        let (p1, p2, thanks) = (&f.prizes[0], &f.prizes[1], &f.prizes[2]);
        assert!(close(p1.per_1000, 150.0) && close(p2.per_1000, 10.0) && close(thanks.per_1000, 500.0));
        // 900 left at 150 a day: 6 days; 100 left at 10 a day: 10 days.
        assert_eq!((p1.remaining, p2.remaining, thanks.remaining), (Some(900), Some(100), None));
        assert!(close(p1.days_to_exhaustion.unwrap(), 6.0));
        assert!(close(p2.days_to_exhaustion.unwrap(), 10.0));
        assert_eq!(thanks.days_to_exhaustion, None);
        assert_eq!(forecast(&forecast_input(false), 0, 0).prizes[0].days_to_exhaustion, None);

        // Every draw wins: group 1 re-scaled over 60 % (1/6 prize 1, 5/6 thanks), group 2 over
        // 6 % (1/6 prize 2, 5/6 prize 1).
        let f = forecast(&forecast_input(true), 0, 1000);
        assert!(close(f.prizes[0].per_1000, 1000.0));
        assert!((f.prizes[1].per_1000 - 1000.0 / 6.0).abs() < 1e-9);
        // 1,000 × 10 + 166.67 × 500 = 93,333 fen.
        assert_eq!(f.cost_per_1000_fen, 93_333);
        assert_eq!(f.win_rate_ppm, PPM);
        assert!(close(f.prizes[0].days_to_exhaustion.unwrap(), 0.9));

        // A precision plan by key; its exhausted prize has 0 days left, a 0 % prize none.
        let f = forecast(&forecast_input(false), 7, 1000);
        assert_eq!(f.plan_key, 7);
        assert_eq!(f.cost_per_1000_fen, 19_800);
        assert_eq!(f.win_rate_ppm, 2_000);
        assert_eq!(f.prizes.iter().map(|p| p.key).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(f.prizes[0].days_to_exhaustion, None);
        assert_eq!(f.prizes[1].days_to_exhaustion, Some(0.0));
        // An unknown plan key falls back to the default plan.
        assert_eq!(forecast(&forecast_input(false), 9, 1000).plan_key, 0);
    }
}
