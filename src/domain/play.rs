//! What the consumer's phone sees after the authenticity check (`/s/<code>` and the JSON API
//! under `/api/c/…`): the scan's anti-counterfeit signal, the campaign offered, draw results,
//! claims, my prizes and my points. Wire types only; the rules are in `lottery.rs`.

use crate::domain::campaign::{CampaignKind, Page, PrizeKind};
use crate::domain::scan::ScanResult;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the phone is, if the consumer allowed geolocation (mapped offline to province/city).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
}

/// A scan: the verdict, and for a genuine code of this enterprise the scan record and the
/// campaign it takes part in (if any).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanOutcome {
    pub result: ScanResult,
    /// Recorded for genuine, not-activated and scrapped codes (never for invalid ones).
    pub scan: Option<ScanRecord>,
    pub campaign: Option<CampaignOffer>,
    /// Why no campaign is offered for a genuine code (outside any campaign, limit reached …).
    pub no_campaign: Option<crate::domain::lottery::DrawMsg>,
    /// The enterprise of the code, for the consumer's "my prizes" and "my points" links.
    pub enterprise_id: Option<i64>,
}

/// The anti-counterfeit signal: "first scanned on … in …; scanned N times".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    pub scan_id: i64,
    pub first_scanned_at: DateTime<Utc>,
    pub first_province: Option<String>,
    pub first_city: Option<String>,
    /// All scans of this code, this one included.
    pub scans: i32,
    /// Whether this consumer made the first scan.
    pub first_by_me: bool,
    pub province: Option<String>,
    pub city: Option<String>,
}

/// The campaign page a scan opens: its look, its prizes (the nine-grid tiles) and whether this
/// scan may draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignOffer {
    pub campaign_id: i64,
    pub kind: CampaignKind,
    pub name: String,
    pub page: Page,
    pub ends_at: DateTime<Utc>,
    pub prizes: Vec<PrizeTile>,
    /// Set when this scan was already drawn (the result is shown again, not drawn twice).
    pub drawn: Option<DrawResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrizeTile {
    pub key: u16,
    pub name: String,
    pub kind: PrizeKind,
    pub image: Option<String>,
}

/// The result of a draw: the prizes won (none: no prize this time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawResult {
    pub draw_id: i64,
    pub wins: Vec<WonPrize>,
    /// The key of the prize tile to land on when nothing was won (thanks-for-playing), if any.
    pub thanks_key: Option<u16>,
    /// True when this answers a retry (same scan or idempotency key): nothing new was drawn.
    pub replayed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WinStatus {
    Unclaimed,
    Claimed,
    Expired,
}

impl WinStatus {
    pub fn key(self) -> &'static str {
        match self {
            WinStatus::Unclaimed => "unclaimed",
            WinStatus::Claimed => "claimed",
            WinStatus::Expired => "expired",
        }
    }
    pub fn from_key(k: &str) -> Option<Self> {
        [WinStatus::Unclaimed, WinStatus::Claimed, WinStatus::Expired].into_iter().find(|s| s.key() == k)
    }
}

/// A prize won, as the consumer sees it (result page, my prizes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WonPrize {
    pub win_id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub prize_key: u16,
    pub name: String,
    pub kind: PrizeKind,
    pub image: Option<String>,
    pub points: u32,
    pub value_fen: i64,
    pub status: WinStatus,
    pub won_at: DateTime<Utc>,
    pub claim_deadline: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// Coupons: shown once claimed.
    pub coupon_code: Option<String>,
    pub coupon_valid_to: Option<DateTime<Utc>>,
    pub address: Option<Address>,
}

/// Where physical goods go.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub mobile: String,
    pub province: String,
    pub city: String,
    pub detail: String,
}

impl Address {
    /// The address form's rules (browser and server): name 1–20 characters, an 11-digit mainland
    /// mobile, a province of [`PROVINCES`](crate::domain::basic_data::PROVINCES), a city, and
    /// 5–100 characters of street address. Fields are reported as `address.<field>`.
    pub fn validate(&self) -> Result<(), Vec<crate::domain::validate::FieldError>> {
        use crate::domain::validate::{is_mobile, Check, Msg};
        let mut c = Check::new();
        c.text("address.name", &self.name, 20);
        if self.mobile.trim().is_empty() {
            c.fail("address.mobile", Msg::Required);
        }
        c.rule("address.mobile", is_mobile(self.mobile.trim()), Msg::InvalidMobile);
        if self.province.trim().is_empty() {
            c.fail("address.province", Msg::Required);
        }
        c.rule("address.province", crate::domain::basic_data::PROVINCES.contains(&self.province.trim()), Msg::Required);
        c.text("address.city", &self.city, 20);
        c.text("address.detail", &self.detail, 100);
        let detail = self.detail.trim().chars().count();
        if detail > 0 && detail < 5 {
            c.fail("address.detail", Msg::TooShort { min: 5 });
        }
        c.finish()
    }
}

/// The consumer's points: balance and the latest ledger rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyPoints {
    pub balance: i32,
    pub entries: Vec<PointsEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub delta: i32,
    pub balance: i32,
    /// prize, redeem, adjust, merge
    pub reason: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::Address;

    fn address() -> Address {
        Address {
            name: "张三".into(),
            mobile: "13800138000".into(),
            province: "浙江省".into(),
            city: "杭州市".into(),
            detail: "西湖区文三路 100 号".into(),
        }
    }

    #[test]
    fn a_full_address_passes() {
        assert_eq!(address().validate(), Ok(()));
    }

    #[test]
    fn each_address_field_is_checked() {
        let fields = |a: Address| a.validate().unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(Address { name: " ".into(), ..address() }), ["address.name"]);
        assert_eq!(fields(Address { mobile: "1380013800".into(), ..address() }), ["address.mobile"]);
        assert_eq!(fields(Address { province: "火星".into(), ..address() }), ["address.province"]);
        assert_eq!(fields(Address { city: String::new(), ..address() }), ["address.city"]);
        assert_eq!(fields(Address { detail: "文三路".into(), ..address() }), ["address.detail"]);
        assert_eq!(fields(Address::default()).len(), 5);
    }
}
