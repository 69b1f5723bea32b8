//! 数据分析: campaign data, product data and brand-code data, with SVG charts and CSV export.
//!
//! The campaign data page takes `?campaign=<id>` (the campaign list links to it); the range
//! defaults to the last 30 days. Every table has its CSV (`/files/data/<table>.csv`, answered
//! directly under the same permission).

use crate::api::campaign_data::*;
use crate::i18n::{Locale, T};
use crate::ui::charts::{BarChart, Donut, HBarChart, LineChart};
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Today in China Standard Time.
fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The range form's state: the dates as typed and the filter last applied.
#[derive(Clone, Copy)]
struct RangeForm {
    campaign: RwSignal<Option<i64>>,
    from: RwSignal<String>,
    to: RwSignal<String>,
    applied: RwSignal<DataFilter>,
    invalid: RwSignal<bool>,
}

impl RangeForm {
    fn new(campaign: Option<i64>) -> RangeForm {
        let f = DataFilter { campaign_id: campaign, ..DataFilter::last_days(today(), 30) };
        RangeForm {
            campaign: RwSignal::new(campaign),
            from: RwSignal::new(f.from.to_string()),
            to: RwSignal::new(f.to.to_string()),
            applied: RwSignal::new(f),
            invalid: RwSignal::new(false),
        }
    }

    fn apply(&self) {
        let (Some(from), Some(to)) = (parse_day(&self.from.get_untracked()), parse_day(&self.to.get_untracked())) else {
            self.invalid.set(true);
            return;
        };
        let f = DataFilter { campaign_id: self.campaign.get_untracked(), from, to };
        self.invalid.set(f.validate().is_err());
        if f.validate().is_ok() {
            self.applied.set(f);
        }
    }

    fn reset(&self) {
        let f = DataFilter { campaign_id: self.campaign.get_untracked(), ..DataFilter::last_days(today(), 30) };
        self.from.set(f.from.to_string());
        self.to.set(f.to.to_string());
        self.invalid.set(false);
        self.applied.set(f);
    }
}

/// Campaign choice (when `with_campaign`) and the two dates, with Search / Reset.
#[component]
fn RangeFilter(form: RangeForm, with_campaign: bool) -> impl IntoView {
    let campaigns = Resource::new(|| (), |_| data_campaigns());
    let options = Signal::derive(move || {
        campaigns.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect::<Vec<_>>()
    });
    let (from, to) = (form.from, form.to);
    view! {
        <FilterBar on_search=Callback::new(move |_| form.apply()) on_reset=Callback::new(move |_| form.reset())>
            {with_campaign
                .then(|| {
                    view! {
                        <label class="filter">
                            <span class="label">{tr(T::CdCampaign)}</span>
                            <select
                                name="campaign"
                                on:change=move |ev| form.campaign.set(event_target_value(&ev).parse().ok())
                                prop:value=move || form.campaign.get().map(|v| v.to_string()).unwrap_or_default()
                            >
                                <option value="">{tr(T::CdAllCampaigns)}</option>
                                {move || {
                                    options
                                        .get()
                                        .into_iter()
                                        .map(|(id, name)| {
                                            view! {
                                                <option value=id.to_string() selected=move || form.campaign.get() == Some(id)>
                                                    {name}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        </label>
                    }
                })}
            <label class="filter">
                <span class="label">{tr(T::CdFrom)}</span>
                <input type="date" name="from" bind:value=from max=move || Some(to.get()).filter(|s| !s.is_empty())/>
            </label>
            <label class="filter">
                <span class="label">{tr(T::CdTo)}</span>
                <input type="date" name="to" bind:value=to min=move || Some(from.get()).filter(|s| !s.is_empty())/>
            </label>
        </FilterBar>
        <Show when=move || form.invalid.get()>
            <p class="field-error" data-field="to" role="alert">{tr(T::DateRangeInvalid)}</p>
        </Show>
    }
}

/// "Export CSV" of one table under a filter.
fn csv_link(table: &'static str, filter: &DataFilter) -> impl IntoView {
    view! {
        <a class="btn small" href=csv_href(table, filter) download data-test=format!("csv-{table}")>
            {tr(T::CdExportCsv)}
        </a>
    }
}

/// A chart section: title, CSV link, the chart, the table.
fn section(title: T, table: &'static str, filter: &DataFilter, chart: AnyView, rows: AnyView) -> impl IntoView {
    view! {
        <section class="card data-section" data-section=table>
            <header class="section-head">
                <h2>{tr(title)}</h2>
                {csv_link(table, filter)}
            </header>
            {chart}
            {rows}
        </section>
    }
}

fn province_name(p: &Option<String>) -> String {
    p.clone().unwrap_or_else(|| tr(T::CdUnknown).to_string())
}

fn product_name(r: &ProductRow) -> String {
    if r.product_id.is_some() {
        r.name.clone()
    } else {
        tr(T::CdNoProduct).to_string()
    }
}

fn state_badge(s: StockState) -> AnyView {
    let (class, t) = match s {
        StockState::Unlimited => ("badge", T::CdStateUnlimited),
        StockState::Normal => ("badge ok", T::CdStateNormal),
        StockState::Warning => ("badge warn", T::CdStateWarning),
        StockState::Exhausted => ("badge off", T::CdStateExhausted),
    };
    view! { <span class=class data-stock=s.key()>{tr(t)}</span> }.into_any()
}

fn num<R>(f: impl Fn(&R) -> i64 + Send + Sync + Copy + 'static) -> impl Fn(&R) -> AnyView + Send + Sync + 'static {
    move |r| Locale::Zh.int(f(r)).into_any()
}

fn opt_num(v: Option<i64>) -> String {
    v.map(|v| Locale::Zh.int(v)).unwrap_or_else(|| "—".into())
}

#[component]
fn Kpi(label: T, value: String, #[prop(optional)] key: &'static str) -> impl IntoView {
    view! {
        <div class="kpi" data-kpi=key>
            <span class="label">{tr(label)}</span>
            <strong>{value}</strong>
        </div>
    }
}

#[component]
pub fn CampaignDataPage() -> impl IntoView {
    let query = use_query_map();
    let initial = query.with_untracked(|q| q.get("campaign").and_then(|c| c.parse::<i64>().ok()));
    let form = RangeForm::new(initial);
    let data = Resource::new(move || form.applied.get(), load_campaign_data);
    view! {
        <PageHeader title=tr(T::CampaignDataNav).to_string()/>
        <RangeFilter form with_campaign=true/>
        {loaded(data, move |d| view! { <CampaignFigures d/> })}
    }
}

#[component]
fn CampaignFigures(d: CampaignData) -> impl IntoView {
    let l = use_locale();
    let f = d.filter.clone();
    let k = d.kpis.clone();
    let day_labels: Vec<String> = d.by_day.iter().map(|r| r.day.format("%m-%d").to_string()).collect();
    let by_day = d.by_day.clone();
    let by_hour = d.by_hour.clone();
    let provinces = d.by_province.clone();
    let products = d.by_product.clone();
    let prizes = d.by_prize.clone();
    let many_campaigns = f.campaign_id.is_none();
    view! {
        <p class="hint" data-range=format!("{}..{}", f.from, f.to)>
            {tr(T::CdRange)} ": " {l.date(&f.from)} " – " {l.date(&f.to)}
        </p>
        <div class="kpis" data-test="kpis">
            <Kpi label=T::CdScans value=l.int(k.scans) key="scans"/>
            <Kpi label=T::CdConsumers value=l.int(k.consumers) key="consumers"/>
            <Kpi label=T::CdDraws value=l.int(k.draws) key="draws"/>
            <Kpi label=T::CdWins value=l.int(k.wins) key="wins"/>
            <Kpi label=T::CdClaims value=l.int(k.claims) key="claims"/>
            <Kpi label=T::CdRedemptions value=l.int(k.redemptions) key="redemptions"/>
            <Kpi label=T::CdWinRate value=permille_text(k.win_rate_permille()) key="win-rate"/>
            <Kpi label=T::CdCost value=l.money(k.cost_fen) key="cost"/>
            <Kpi label=T::CdNewConsumers value=l.int(k.new_consumers) key="new"/>
            <Kpi label=T::CdReturning value=l.int(k.returning_consumers) key="returning"/>
        </div>
        <div class="data-grid">
            {section(
                T::CdByDay,
                "days",
                &f,
                view! {
                    <LineChart
                        title=tr(T::CdByDay).to_string()
                        labels=day_labels
                        series=vec![
                            (tr(T::CdScans).to_string(), "s0", by_day.iter().map(|r| r.scans).collect()),
                            (tr(T::CdDraws).to_string(), "s1", by_day.iter().map(|r| r.draws).collect()),
                            (tr(T::CdWins).to_string(), "s2", by_day.iter().map(|r| r.wins).collect()),
                        ]
                    />
                }
                    .into_any(),
                view! {
                    <DataTable
                        rows=Signal::stored(by_day.iter().rev().cloned().collect::<Vec<_>>())
                        paged=true
                        cols=vec![
                            Col::new(T::CdDay, text(|r: &DayRow| r.day.to_string())),
                            Col::new(T::CdScans, num(|r: &DayRow| r.scans)),
                            Col::new(T::CdDraws, num(|r: &DayRow| r.draws)),
                            Col::new(T::CdWins, num(|r: &DayRow| r.wins)),
                        ]
                    />
                }
                    .into_any(),
            )}
            {section(
                T::CdByHour,
                "hours",
                &f,
                view! {
                    <BarChart
                        title=tr(T::CdByHour).to_string()
                        labels=by_hour.iter().map(|r| format!("{:02}", r.hour)).collect()
                        values=by_hour.iter().map(|r| r.scans).collect()
                    />
                }
                    .into_any(),
                view! {
                    <DataTable
                        rows=Signal::stored(by_hour.clone())
                        paged=true
                        cols=vec![
                            Col::new(T::CdHour, text(|r: &HourRow| format!("{:02}:00", r.hour))),
                            Col::new(T::CdScans, num(|r: &HourRow| r.scans)),
                            Col::new(T::CdDraws, num(|r: &HourRow| r.draws)),
                            Col::new(T::CdWins, num(|r: &HourRow| r.wins)),
                        ]
                    />
                }
                    .into_any(),
            )}
            <section class="card data-section" data-section="new-returning">
                <h2>{tr(T::CdNewVsReturning)}</h2>
                <Donut
                    title=tr(T::CdNewVsReturning).to_string()
                    slices=vec![
                        (tr(T::CdNewConsumers).to_string(), k.new_consumers),
                        (tr(T::CdReturning).to_string(), k.returning_consumers),
                    ]
                />
            </section>
            {section(
                T::CdByProvince,
                "provinces",
                &f,
                view! {
                    <HBarChart
                        title=tr(T::CdByProvince).to_string()
                        rows=provinces.iter().map(|r| (province_name(&r.province), r.scans)).collect()
                    />
                }
                    .into_any(),
                view! {
                    <DataTable
                        rows=Signal::stored(provinces.clone())
                        cols=vec![
                            Col::new(T::CdProvince, text(|r: &ProvinceRow| province_name(&r.province))),
                            Col::new(T::CdScans, num(|r: &ProvinceRow| r.scans)).sorted(|r| SortKey::Num(r.scans)),
                            Col::new(T::CdConsumers, num(|r: &ProvinceRow| r.consumers)).sorted(|r| SortKey::Num(r.consumers)),
                            Col::new(T::CdDraws, num(|r: &ProvinceRow| r.draws)).sorted(|r| SortKey::Num(r.draws)),
                            Col::new(T::CdWins, num(|r: &ProvinceRow| r.wins)).sorted(|r| SortKey::Num(r.wins)),
                        ]
                    />
                }
                    .into_any(),
            )}
            {section(
                T::CdByProduct,
                "products",
                &f,
                view! {
                    <HBarChart
                        title=tr(T::CdByProduct).to_string()
                        rows=products.iter().take(15).map(|r| (product_name(r), r.scans)).collect()
                    />
                }
                    .into_any(),
                view! {
                    <DataTable
                        rows=Signal::stored(products.clone())
                        cols=vec![
                            Col::new(T::CdProduct, text(product_name)),
                            Col::new(T::CdScans, num(|r: &ProductRow| r.scans)).sorted(|r| SortKey::Num(r.scans)),
                            Col::new(T::CdConsumers, num(|r: &ProductRow| r.consumers)).sorted(|r| SortKey::Num(r.consumers)),
                            Col::new(T::CdDraws, num(|r: &ProductRow| r.draws)).sorted(|r| SortKey::Num(r.draws)),
                            Col::new(T::CdWins, num(|r: &ProductRow| r.wins)).sorted(|r| SortKey::Num(r.wins)),
                        ]
                    />
                }
                    .into_any(),
            )}
        </div>
        {section(
            T::CdByPrize,
            "prizes",
            &f,
            view! {
                <BarChart
                    title=tr(T::CdByPrize).to_string()
                    labels=prizes.iter().map(|p| p.name.clone()).collect()
                    values=prizes.iter().map(|p| p.wins).collect()
                />
            }
                .into_any(),
            view! {
                <DataTable
                    rows=Signal::stored(prizes.clone())
                    cols={
                        let mut cols = vec![];
                        if many_campaigns {
                            cols.push(Col::new(T::CdCampaign, text(|p: &PrizeRow| p.campaign_name.clone())));
                        }
                        cols.extend([
                            Col::new(T::CdPrize, text(|p: &PrizeRow| p.name.clone())),
                            Col::new(T::CdStock, text(|p: &PrizeRow| opt_num(p.quantity))),
                            Col::new(T::CdAwarded, num(|p: &PrizeRow| p.awarded)),
                            Col::new(T::CdRemaining, text(|p: &PrizeRow| opt_num(p.remaining))),
                            Col::new(T::CdWarningValue, text(|p: &PrizeRow| opt_num(p.warning_value))),
                            Col::new(T::CdStockState, |p: &PrizeRow| state_badge(p.state)),
                            Col::new(T::CdWins, num(|p: &PrizeRow| p.wins)),
                            Col::new(T::CdClaims, num(|p: &PrizeRow| p.claims)),
                            Col::new(T::CdCost, text(move |p: &PrizeRow| l.money(p.cost_fen))),
                        ]);
                        cols
                    }
                />
            }
                .into_any(),
        )}
    }
}

#[component]
pub fn ProductDataPage() -> impl IntoView {
    let form = RangeForm::new(None);
    let data = Resource::new(move || form.applied.get(), product_data);
    let l = use_locale();
    let time = move |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into());
    view! {
        <PageHeader title=tr(T::ProductDataNav).to_string()>
            {move || csv_link("product-data", &form.applied.get())}
        </PageHeader>
        <RangeFilter form with_campaign=false/>
        {loaded(data, move |rows| {
            view! {
                <section class="card data-section">
                    <HBarChart
                        title=tr(T::ProductDataNav).to_string()
                        rows=rows.iter().take(15).map(|r| (product_name(r), r.scans)).collect()
                    />
                    <DataTable
                        rows=Signal::stored(rows)
                        paged=true
                        cols=vec![
                            Col::new(T::CdProduct, text(product_name)).sorted(|r| SortKey::Text(product_name(r))),
                            Col::new(T::CdScans, num(|r: &ProductRow| r.scans)).sorted(|r| SortKey::Num(r.scans)),
                            Col::new(T::CdConsumers, num(|r: &ProductRow| r.consumers)).sorted(|r| SortKey::Num(r.consumers)),
                            Col::new(T::CdDraws, num(|r: &ProductRow| r.draws)).sorted(|r| SortKey::Num(r.draws)),
                            Col::new(T::CdWins, num(|r: &ProductRow| r.wins)).sorted(|r| SortKey::Num(r.wins)),
                            Col::new(T::CdFirstScan, text(move |r: &ProductRow| time(r.first_scan))),
                            Col::new(T::CdLastScan, text(move |r: &ProductRow| time(r.last_scan))),
                        ]
                    />
                </section>
            }
        })}
    }
}

#[component]
pub fn BrandCodeDataPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| code_data());
    // The package figures are not dated; the link still carries a range for a uniform URL.
    let filter = DataFilter::last_days(today(), 30);
    view! {
        <PageHeader title=tr(T::BrandCodeDataNav).to_string()>{csv_link("codes", &filter)}</PageHeader>
        <p class="hint">{tr(T::CdCodesHint)}</p>
        {loaded(data, move |rows| {
            let activated: i64 = rows.iter().map(|r| r.activated).sum();
            let never: i64 = rows.iter().map(|r| r.never_scanned).sum();
            view! {
                <section class="card data-section">
                    <Donut
                        title=tr(T::BrandCodeDataNav).to_string()
                        slices=vec![
                            (tr(T::CdScanned).to_string(), activated - never),
                            (tr(T::CdNeverScanned).to_string(), never),
                        ]
                    />
                    <DataTable
                        rows=Signal::stored(rows)
                        paged=true
                        cols=vec![
                            Col::new(T::CdPackage, text(|r: &PackageCodeRow| format!("{} (#{})", r.name, r.package_id))),
                            Col::new(T::CdProduct, text(|r: &PackageCodeRow| r.product_name.clone().unwrap_or_else(|| "—".into()))),
                            Col::new(T::CdCodes, num(|r: &PackageCodeRow| r.codes)).sorted(|r| SortKey::Num(r.codes)),
                            Col::new(T::CdActivated, num(|r: &PackageCodeRow| r.activated)).sorted(|r| SortKey::Num(r.activated)),
                            Col::new(T::CdScanned, num(|r: &PackageCodeRow| r.scanned)).sorted(|r| SortKey::Num(r.scanned)),
                            Col::new(T::CdNeverScanned, num(|r: &PackageCodeRow| r.never_scanned))
                                .sorted(|r| SortKey::Num(r.never_scanned)),
                            Col::new(T::CdScanRate, text(|r: &PackageCodeRow| permille_text(r.scan_rate_permille())))
                                .sorted(|r| SortKey::Num(r.scan_rate_permille())),
                        ]
                    />
                </section>
            }
        })}
    }
}
