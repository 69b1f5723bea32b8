//! Risk control (营销风控): the rules that watch scans and draws, the risk level each consumer
//! carries (precision plans match on it) and the bonus-hunter (羊毛党) flag (crowds exclude it).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RiskLevel {
    #[default]
    Normal,
    Watch,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Normal, RiskLevel::Watch, RiskLevel::High];
    /// The stored number (consumers.risk_level).
    pub fn number(self) -> i16 {
        self as i16
    }
    pub fn from_number(n: i16) -> RiskLevel {
        match n {
            2 => RiskLevel::High,
            1 => RiskLevel::Watch,
            _ => RiskLevel::Normal,
        }
    }
}

/// Scans one device may make in a minute before it is blocked (a phone scanning labels by hand
/// manages a few; a script manages hundreds).
pub const DEVICE_SCANS_PER_MINUTE: u32 = 30;
/// Scans and draws from one IP address in a minute (generous: a shop's Wi-Fi or a carrier NAT
/// puts many phones behind one address).
pub const IP_REQUESTS_PER_MINUTE: u32 = 120;
/// Distinct codes one device may scan in an hour; beyond, the device is blocked and its
/// consumer flagged as a bonus hunter (羊毛党 scan stacks of collected labels).
pub const DEVICE_CODES_PER_HOUR: u32 = 20;
/// Distinct consumers one code may be scanned by before later ones are watched (a label
/// photographed and shared).
pub const CONSUMERS_PER_CODE: u32 = 5;
/// Risk events of a consumer within [`EVENTS_WINDOW_HOURS`] that make their level high.
pub const EVENTS_FOR_HIGH: u32 = 3;
pub const EVENTS_WINDOW_HOURS: i64 = 24;
/// How stale the in-memory blacklist may be.
pub const BLACKLIST_CACHE_SECONDS: u64 = 10;

/// The rule that noticed something (risk_events.rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// Too many scans from one device in a minute.
    DeviceVelocity,
    /// Too many requests from one IP address in a minute.
    IpVelocity,
    /// Too many distinct codes from one device in an hour.
    CodesPerDevice,
    /// Too many distinct consumers on one code.
    ConsumersPerCode,
    /// A blacklisted consumer, device, IP or mobile.
    Blacklist,
    /// A draw without the device cookie (or header) the scan was made with.
    NoDevice,
}

impl Rule {
    pub const ALL: [Rule; 6] =
        [Rule::DeviceVelocity, Rule::IpVelocity, Rule::CodesPerDevice, Rule::ConsumersPerCode, Rule::Blacklist, Rule::NoDevice];
    /// The stored name (risk_events.rule).
    pub fn key(self) -> &'static str {
        match self {
            Rule::DeviceVelocity => "device_velocity",
            Rule::IpVelocity => "ip_velocity",
            Rule::CodesPerDevice => "codes_per_device",
            Rule::ConsumersPerCode => "consumers_per_code",
            Rule::Blacklist => "blacklist",
            Rule::NoDevice => "no_device",
        }
    }
    pub fn from_key(key: &str) -> Option<Rule> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// What a rule concluded about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub blocked: bool,
    /// The consumer is flagged as a bonus hunter.
    pub bonus_hunter: bool,
}

impl Finding {
    fn block(rule: Rule) -> Finding {
        Finding { rule, blocked: true, bonus_hunter: false }
    }
}

/// Requests in a sliding minute from two fixed minute buckets: this minute's count plus the
/// previous minute's weighted by the part of it still inside the window (`seconds_into` is how
/// far the current minute has run, 0–59). Smooths the burst a fixed window allows at its edge.
pub fn sliding_minute(previous: u32, current: u32, seconds_into: u32) -> u32 {
    let seconds_into = seconds_into.min(60);
    current + previous * (60 - seconds_into) / 60
}

/// The velocity rules, over sliding-minute counts that include this request; `ip` is `None` when
/// the address is unknown (never blocked as one big client).
pub fn velocity(device_scans: Option<u32>, ip_requests: Option<u32>) -> Option<Finding> {
    if device_scans.is_some_and(|n| n > DEVICE_SCANS_PER_MINUTE) {
        return Some(Finding::block(Rule::DeviceVelocity));
    }
    if ip_requests.is_some_and(|n| n > IP_REQUESTS_PER_MINUTE) {
        return Some(Finding::block(Rule::IpVelocity));
    }
    None
}

/// Distinct codes the device scanned in the last hour, this one included: beyond the limit the
/// scan is blocked and the consumer flagged.
pub fn codes_per_device(distinct_codes: u32) -> Option<Finding> {
    (distinct_codes > DEVICE_CODES_PER_HOUR).then_some(Finding { rule: Rule::CodesPerDevice, blocked: true, bonus_hunter: true })
}

/// Distinct consumers who scanned the code, this one included: the ones past the limit are
/// watched, not blocked (the first five may be one family).
pub fn consumers_per_code(distinct_consumers: u32) -> Option<Finding> {
    (distinct_consumers > CONSUMERS_PER_CODE).then_some(Finding { rule: Rule::ConsumersPerCode, blocked: false, bonus_hunter: false })
}

/// A draw of a blacklisted consumer, device, IP or mobile, or without a device id.
pub fn draw_gate(blacklisted: bool, fresh_device: bool) -> Option<Finding> {
    if blacklisted {
        Some(Finding::block(Rule::Blacklist))
    } else if fresh_device {
        Some(Finding::block(Rule::NoDevice))
    } else {
        None
    }
}

/// A consumer's level after an event: any event means at least watch; [`EVENTS_FOR_HIGH`] within
/// the window (this one included) means high. Never lowers a level (the console does that).
pub fn level_after(current: RiskLevel, events_in_window: u32) -> RiskLevel {
    let earned = if events_in_window >= EVENTS_FOR_HIGH { RiskLevel::High } else { RiskLevel::Watch };
    current.max(earned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_minute_weights_the_previous_bucket() {
        assert_eq!(sliding_minute(60, 0, 0), 60);
        assert_eq!(sliding_minute(60, 10, 30), 40);
        assert_eq!(sliding_minute(60, 10, 59), 11);
        assert_eq!(sliding_minute(0, 31, 5), 31);
    }

    #[test]
    fn velocity_blocks_past_each_limit() {
        assert_eq!(velocity(Some(DEVICE_SCANS_PER_MINUTE), Some(IP_REQUESTS_PER_MINUTE)), None);
        assert_eq!(velocity(Some(DEVICE_SCANS_PER_MINUTE + 1), None).map(|f| (f.rule, f.blocked)), Some((Rule::DeviceVelocity, true)));
        assert_eq!(velocity(None, Some(IP_REQUESTS_PER_MINUTE + 1)).map(|f| f.rule), Some(Rule::IpVelocity));
        assert_eq!(velocity(None, None), None);
    }

    #[test]
    fn many_codes_per_device_blocks_and_flags() {
        assert_eq!(codes_per_device(DEVICE_CODES_PER_HOUR), None);
        let f = codes_per_device(DEVICE_CODES_PER_HOUR + 1).expect("finding");
        assert!(f.blocked && f.bonus_hunter);
        assert_eq!(f.rule, Rule::CodesPerDevice);
    }

    #[test]
    fn many_consumers_per_code_only_watches() {
        assert_eq!(consumers_per_code(CONSUMERS_PER_CODE), None);
        let f = consumers_per_code(CONSUMERS_PER_CODE + 1).expect("finding");
        assert!(!f.blocked && !f.bonus_hunter);
    }

    #[test]
    fn draw_gate_blocks_blacklist_and_missing_device() {
        assert_eq!(draw_gate(false, false), None);
        assert_eq!(draw_gate(true, true).map(|f| f.rule), Some(Rule::Blacklist));
        assert_eq!(draw_gate(false, true).map(|f| (f.rule, f.blocked)), Some((Rule::NoDevice, true)));
    }

    #[test]
    fn levels_rise_with_events_and_never_fall() {
        assert_eq!(level_after(RiskLevel::Normal, 1), RiskLevel::Watch);
        assert_eq!(level_after(RiskLevel::Normal, EVENTS_FOR_HIGH - 1), RiskLevel::Watch);
        assert_eq!(level_after(RiskLevel::Watch, EVENTS_FOR_HIGH), RiskLevel::High);
        assert_eq!(level_after(RiskLevel::High, 1), RiskLevel::High);
    }

    #[test]
    fn rule_keys_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_key(r.key()), Some(r));
        }
    }
}
