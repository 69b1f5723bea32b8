//! Console: campaign data, product data, brand-code data (数据分析), with CSV exports.
//!
//! The figures cross the wire as the types below (shared by server and browser). Dates are
//! China Standard Time days; a range is inclusive and at most [`MAX_DAYS`] long (a longer one is
//! shortened at its start, and the answer says which range it covers).

use crate::domain::validate::{Check, FieldError, Msg};
use crate::domain::warnings::ExportMsg;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The longest range a query covers.
pub const MAX_DAYS: i64 = 366;
/// Provinces listed by name (the rest of the known ones are left out; unknown is its own row).
pub const TOP_PROVINCES: usize = 15;

/// Which campaign (all when `None`) and which days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFilter {
    pub campaign_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DataFilter {
    /// The last `days` days up to `today` (China time).
    pub fn last_days(today: NaiveDate, days: i64) -> DataFilter {
        DataFilter { campaign_id: None, from: today - chrono::Duration::days(days - 1), to: today }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Check::new();
        c.rule("to", self.to >= self.from, Msg::Export(ExportMsg::DatesReversed));
        c.finish()
    }

    /// The range actually covered: at most [`MAX_DAYS`] ending at `to`.
    pub fn clamped(&self) -> DataFilter {
        let earliest = self.to - chrono::Duration::days(MAX_DAYS - 1);
        DataFilter { from: self.from.max(earliest), ..self.clone() }
    }

    /// `[start, end)` in UTC: from midnight of `from` to midnight after `to`, China time.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8);
        (midnight(self.from), midnight(self.to + chrono::Duration::days(1)))
    }

    /// The query string of the CSV downloads.
    pub fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.from, self.to);
        if let Some(c) = self.campaign_id {
            q.push_str(&format!("&campaign={c}"));
        }
        q
    }
}

/// The headline figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpis {
    pub scans: i64,
    pub consumers: i64,
    pub draws: i64,
    /// Prizes won (thanks-for-playing is not a win).
    pub wins: i64,
    pub claims: i64,
    /// Coupons redeemed and goods shipped.
    pub redemptions: i64,
    /// Σ value of the prizes won, in fen.
    pub cost_fen: i64,
    /// Consumers whose first scan of the enterprise's codes falls in the range.
    pub new_consumers: i64,
    /// Consumers of the range who had scanned before it.
    pub returning_consumers: i64,
}

impl Kpis {
    /// Wins ÷ draws, in per mille (0 without draws).
    pub fn win_rate_permille(&self) -> i64 {
        if self.draws == 0 {
            0
        } else {
            self.wins * 1000 / self.draws
        }
    }
}

/// "12.3%" from per mille.
pub fn permille_text(p: i64) -> String {
    format!("{}.{}%", p / 10, p % 10)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRow {
    pub day: NaiveDate,
    pub scans: i64,
    pub draws: i64,
    pub wins: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourRow {
    /// 0–23, China time.
    pub hour: i32,
    pub scans: i64,
    pub draws: i64,
    pub wins: i64,
}

/// A province (`None`: unknown) with its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceRow {
    pub province: Option<String>,
    pub scans: i64,
    pub consumers: i64,
    pub draws: i64,
    pub wins: i64,
}

/// A product (`None`: codes without a product) with its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub product_id: Option<i64>,
    pub name: String,
    pub scans: i64,
    pub consumers: i64,
    pub draws: i64,
    pub wins: i64,
    pub first_scan: Option<DateTime<Utc>>,
    pub last_scan: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockState {
    /// No stock (thanks-for-playing).
    Unlimited,
    Normal,
    /// Remaining ≤ the warning value (预警).
    Warning,
    /// Nothing left (已抽完).
    Exhausted,
}

impl StockState {
    pub fn of(quantity: Option<i64>, awarded: i64, warning: Option<i64>) -> StockState {
        match quantity {
            None => StockState::Unlimited,
            Some(q) if q - awarded <= 0 => StockState::Exhausted,
            Some(q) if warning.is_some_and(|w| q - awarded <= w) => StockState::Warning,
            Some(_) => StockState::Normal,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            StockState::Unlimited => "unlimited",
            StockState::Normal => "normal",
            StockState::Warning => "warning",
            StockState::Exhausted => "exhausted",
        }
    }
}

/// A prize's inventory (whole campaign) and its wins in the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeRow {
    pub prize_id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub name: String,
    /// domain::campaign::PrizeKind key.
    pub kind: String,
    pub quantity: Option<i64>,
    pub awarded: i64,
    pub remaining: Option<i64>,
    pub warning_value: Option<i64>,
    pub state: StockState,
    pub wins: i64,
    pub claims: i64,
    pub cost_fen: i64,
}

/// Everything the campaign data page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignData {
    /// The range covered (after [`DataFilter::clamped`]).
    pub filter: DataFilter,
    pub kpis: Kpis,
    pub by_day: Vec<DayRow>,
    pub by_hour: Vec<HourRow>,
    pub by_province: Vec<ProvinceRow>,
    pub by_product: Vec<ProductRow>,
    pub by_prize: Vec<PrizeRow>,
}

/// A campaign to choose in the selector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignChoice {
    pub id: i64,
    pub name: String,
    /// domain::campaign::CampaignStatus key.
    pub status: String,
}

/// 品牌码数据: one package's codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageCodeRow {
    pub package_id: i64,
    pub name: String,
    pub product_name: Option<String>,
    pub codes: i64,
    /// Σ sizes of the package's active ranges.
    pub activated: i64,
    /// Distinct codes scanned at least once.
    pub scanned: i64,
    /// Activated codes never scanned.
    pub never_scanned: i64,
}

impl PackageCodeRow {
    /// Scanned activated codes ÷ activated codes, per mille.
    pub fn scan_rate_permille(&self) -> i64 {
        if self.activated == 0 {
            0
        } else {
            (self.activated - self.never_scanned) * 1000 / self.activated
        }
    }
}

/// The CSV tables (`/files/data/<table>.csv?from=…&to=…[&campaign=…]`).
pub const CSV_TABLES: [&str; 7] = ["days", "hours", "provinces", "products", "prizes", "product-data", "codes"];

pub fn csv_href(table: &str, filter: &DataFilter) -> String {
    format!("/files/data/{table}.csv?{}", filter.query())
}

#[server(prefix = "/api", endpoint = "data/campaign", input = Json)]
pub async fn load_campaign_data(filter: DataFilter) -> Result<CampaignData, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CampaignData, Level::View).await?;
        filter.validate()?;
        crate::server::repo::campaign_data::campaign(&mut ctx.tx().await?, ctx.enterprise_id(), &filter.clamped()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "data/campaigns", input = Json)]
pub async fn data_campaigns() -> Result<Vec<CampaignChoice>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CampaignData, Level::View).await?;
        crate::server::repo::campaign_data::campaigns(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

/// 商品数据: per product over all campaigns (`campaign_id` narrows it to one).
#[server(prefix = "/api", endpoint = "data/products", input = Json)]
pub async fn product_data(filter: DataFilter) -> Result<Vec<ProductRow>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CampaignData, Level::View).await?;
        filter.validate()?;
        crate::server::repo::campaign_data::by_product(&mut ctx.tx().await?, ctx.enterprise_id(), &filter.clamped()).await
    })
    .await
}

/// 品牌码数据: per package with codes.
#[server(prefix = "/api", endpoint = "data/codes", input = Json)]
pub async fn code_data() -> Result<Vec<PackageCodeRow>, AppError> {
    use crate::domain::access::{Function, Level};
    use crate::server::context::{guard, respond};
    respond(async move {
        let ctx = guard(Function::CampaignData, Level::View).await?;
        crate::server::repo::campaign_data::packages(&mut ctx.tx().await?, ctx.enterprise_id()).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_china_midnights_and_ranges_are_clamped() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let f = DataFilter { campaign_id: None, from: d("2026-11-01"), to: d("2026-11-02") };
        let (a, b) = f.bounds();
        assert_eq!(a.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-11-02T16:00:00+00:00");
        let long = DataFilter { from: d("2020-01-01"), ..f.clone() };
        assert_eq!(long.clamped().from, d("2025-11-02"));
        assert!(DataFilter { from: d("2026-11-03"), ..f }.validate().is_err());
    }

    #[test]
    fn stock_states() {
        assert_eq!(StockState::of(None, 5, None), StockState::Unlimited);
        assert_eq!(StockState::of(Some(200), 100, Some(20)), StockState::Normal);
        assert_eq!(StockState::of(Some(200), 180, Some(20)), StockState::Warning);
        assert_eq!(StockState::of(Some(200), 200, Some(20)), StockState::Exhausted);
        assert_eq!(permille_text(Kpis { draws: 8, wins: 3, ..Default::default() }.win_rate_permille()), "37.5%");
    }
}
