//! 码管理 → 二维码查询: one code by code string, pasted scan URL or printable serial (or a
//! package and a serial number): whether it is valid, its package, batch and spec, its entered
//! info and activation, whether it was scrapped, and a print proof of its QR code.
//!
//! A found code also shows its scan-campaign records (扫码活动记录): its scan count and first
//! scan, each scan (consumer, region, campaign) and each draw with its prizes' progress.

use super::activation::{or_dash, range_status_badge, PackagePicker};
use crate::api::code_query::query_code;
use crate::domain::code_activation::{parse_serial_text, PackageChoice, Range};
use crate::domain::code_packages::PackageStatus;
use crate::domain::code_query::{CodeDetails, CodeQueryResult, Scrap, QUERY_MAX};
use crate::domain::codes::format_serial;
use crate::domain::validate::{FieldError, Msg};
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn CodeQueryPage() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let package: RwSignal<Option<PackageChoice>> = RwSignal::new(None);
    let serial = RwSignal::new(String::new());
    let save = SaveForm::new(query_code, |_| {});
    let errors = save.errors;
    let result = save.action.value();
    let on_submit = save.on_submit(
        |t: &String| if t.trim().is_empty() { Err(vec![FieldError { field: "text".into(), msg: Msg::Required }]) } else { Ok(()) },
        move || text.get_untracked(),
    );
    // By package and serial: the printable serial, queried like any other.
    let by_serial = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let Some(p) = package.get_untracked() else {
            errors.fields.set(vec![FieldError { field: "package_id".into(), msg: Msg::Required }]);
            return;
        };
        match parse_serial_text(p.id, &serial.get_untracked()) {
            Ok(s) => {
                let printable = format_serial(p.id, s);
                text.set(printable.clone());
                save.action.dispatch(printable);
            }
            Err(m) => errors.fields.set(vec![FieldError { field: "serial".into(), msg: m.into() }]),
        }
    };
    view! {
        <PageHeader title=tr(T::QryTitle).to_string()/>
        <form class="filters" role="search" on:submit=on_submit novalidate>
            <TextField label=T::QryInput name="text" value=text errors maxlength=QUERY_MAX/>
            <button type="submit" class="btn primary" disabled=move || save.pending().get()>{tr(T::QryQuery)}</button>
        </form>
        <form class="filters" on:submit=by_serial novalidate>
            <Field label=T::QryByPackage name="package_id" errors>
                <PackagePicker selected=package/>
            </Field>
            <TextField label=T::QrySerial name="serial" value=serial errors/>
            <button type="submit" class="btn" disabled=move || save.pending().get()>{tr(T::QryQuery)}</button>
        </form>
        <p class="hint">{tr(T::QryInputHint)}</p>
        {move || match result.get() {
            Some(Ok(CodeQueryResult::Invalid)) => {
                view! {
                    <section class="card query-invalid" data-result="invalid" role="status">
                        <h2>
                            <span class="badge off">{tr(T::QryInvalidTitle)}</span>
                        </h2>
                        <p>{tr(T::QryInvalidText)}</p>
                    </section>
                }
                    .into_any()
            }
            Some(Ok(CodeQueryResult::Found(d))) => view! { <Details d=*d/> }.into_any(),
            _ => ().into_any(),
        }}
    }
}

/// A (label, value) line of a result card.
fn line(label: T, value: impl IntoView + 'static) -> impl IntoView {
    view! {
        <li>
            <span class="label">{tr(label)}</span>
            " "
            {value}
        </li>
    }
}

#[component]
fn Details(d: CodeDetails) -> impl IntoView {
    let l = use_locale();
    let status = PackageStatus::from_key(&d.package_status).map(|s| s.label(l).to_string()).unwrap_or(d.package_status.clone());
    let package = format!("{} (#{}) · {}", d.package_name, d.package_id, status);
    let batch = format!(
        "{} ({} – {})",
        d.batch_no,
        format_serial(d.package_id, d.batch_start as u32),
        format_serial(d.package_id, d.batch_end as u32)
    );
    view! {
        <div class="cards" data-result="valid">
            <section class="card">
                <h2>
                    {tr(T::QryCodeInfo)} " " <span class="badge ok">{tr(T::QryValid)}</span>
                </h2>
                <ul>
                    {line(T::QryCodeString, view! { <code>{d.code.clone()}</code> })}
                    {line(T::QrySerial, d.printable_serial.clone())}
                    {line(T::QryScanUrl, view! { <a href=d.scan_url.clone() target="_blank" rel="noopener">{d.scan_url.clone()}</a> })}
                    {d.pin.clone().map(|pin| line(T::QryPin, view! { <code>{pin}</code> }))}
                    {line(T::ActPackage, package)}
                    {line(T::ActBatch, batch)}
                    {line(T::QrySpec, format!("{} (#{})", d.spec_name, d.spec_id))}
                </ul>
            </section>
            <section class="card">
                <h2>{tr(T::QryActivation)}</h2>
                {match d.range.clone() {
                    None => view! { <p>{tr(T::QryNoInfo)}</p> }.into_any(),
                    Some(r) => view! { <RangeInfoLines r extra=d.extra.clone()/> }.into_any(),
                }}
            </section>
            <section class="card">
                <h2>{tr(T::QryScrap)}</h2>
                {match d.scrap.clone() {
                    None => view! { <p><span class="badge ok">{tr(T::QryNotScrapped)}</span></p> }.into_any(),
                    Some(s) => scrap_lines(l, s).into_any(),
                }}
            </section>
            <Proof code=d.code.clone()/>
        </div>
        <ScanRecords package_id=d.package_id serial=d.serial/>
    }
}

fn verdict_label(v: &str) -> &'static str {
    match v {
        "genuine" => tr(T::CdVerdictGenuine),
        "not_activated" => tr(T::CdVerdictNotActivated),
        _ => tr(T::CdVerdictScrapped),
    }
}

/// A win's steps: won → claimed (or expired) → redeemed / shipped, each with its time.
fn win_progress(l: Locale, w: &crate::api::code_query::WinRecord) -> String {
    let mut steps = vec![format!("{} {}", tr(T::CdWon), l.datetime(&w.won_at))];
    match (w.status.as_str(), w.claimed_at) {
        ("claimed", Some(t)) => steps.push(format!("{} {}", tr(T::CdClaimed), l.datetime(&t))),
        ("expired", _) => steps.push(tr(T::CdExpired).to_string()),
        _ => steps.push(tr(T::CdUnclaimed).to_string()),
    }
    if let Some(t) = w.redeemed_at {
        steps.push(format!("{} {}", tr(T::CdRedeemed), l.datetime(&t)));
    }
    if let Some(t) = w.shipped_at {
        steps.push(format!("{} {}", tr(T::CdShipped), l.datetime(&t)));
    }
    steps.join(" → ")
}

/// The code's scans and draws (扫码活动记录).
#[component]
fn ScanRecords(package_id: i64, serial: i32) -> impl IntoView {
    use crate::api::code_query::{query_scan_records, DrawRecord, ScanRecord};
    let l = use_locale();
    let records = Resource::new(move || (package_id, serial), |(p, s)| query_scan_records(p, s));
    let consumer = |id: i64| view! { <a href=format!("/marketing/members/{id}")>{format!("#{id}")}</a> }.into_any();
    view! {
        <section class="card scan-records" data-test="scan-records">
            <h2>{tr(T::CdScanRecords)}</h2>
            {loaded(records, move |r| {
                if r.scan_count == 0 && r.scans.is_empty() {
                    return view! { <p>{tr(T::CdNotScanned)}</p> }.into_any();
                }
                let first = r
                    .first_scan_at
                    .map(|t| {
                        let place = [r.first_province.clone(), r.first_city.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                        format!("{} {}", l.datetime(&t), place)
                    })
                    .unwrap_or_else(|| "—".into());
                let region = |s: &ScanRecord| {
                    let place = [s.province.clone(), s.city.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                    if place.is_empty() { tr(T::CdUnknown).to_string() } else { place }
                };
                view! {
                    <ul>
                        {line(T::CdScanCount, view! { <strong data-test="scan-count">{r.scan_count}</strong> })}
                        {line(T::CdFirstScan, first)}
                    </ul>
                    <h3>{tr(T::CdScanList)}</h3>
                    <DataTable
                        rows=Signal::stored(r.scans.clone())
                        paged=true
                        cols=vec![
                            Col::new(T::CdTime, text(move |s: &ScanRecord| l.datetime(&s.scanned_at))),
                            Col::new(T::CdConsumer, move |s: &ScanRecord| consumer(s.consumer_id)),
                            Col::new(T::CdRegion, text(region)),
                            Col::new(T::CdVerdict, text(|s: &ScanRecord| verdict_label(&s.verdict).to_string())),
                            Col::new(T::CdCampaign, text(|s: &ScanRecord| s.campaign_name.clone().unwrap_or_else(|| "—".into()))),
                        ]
                    />
                    <h3>{tr(T::CdDrawList)}</h3>
                    <DataTable
                        rows=Signal::stored(r.draws.clone())
                        paged=true
                        cols=vec![
                            Col::new(T::CdTime, text(move |d: &DrawRecord| l.datetime(&d.drawn_at))),
                            Col::new(T::CdConsumer, move |d: &DrawRecord| consumer(d.consumer_id)),
                            Col::new(T::CdCampaign, text(|d: &DrawRecord| d.campaign_name.clone())),
                            Col::new(
                                T::CdPrize,
                                text(|d: &DrawRecord| {
                                    if d.wins.is_empty() {
                                        tr(T::CdNoPrize).to_string()
                                    } else {
                                        d.wins.iter().map(|w| w.prize_name.clone()).collect::<Vec<_>>().join("、")
                                    }
                                }),
                            ),
                            Col::new(
                                T::CdProgress,
                                text(move |d: &DrawRecord| {
                                    let drawn = format!("{} {}", tr(T::CdDrawn), l.datetime(&d.drawn_at));
                                    std::iter::once(drawn)
                                        .chain(d.wins.iter().map(|w| win_progress(l, w)))
                                        .collect::<Vec<_>>()
                                        .join(" → ")
                                }),
                            ),
                        ]
                    />
                }
                    .into_any()
            })}
        </section>
    }
}

#[component]
fn RangeInfoLines(r: Range, extra: Vec<(String, String)>) -> impl IntoView {
    let l = use_locale();
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into());
    view! {
        <ul>
            {line(T::Status, range_status_badge(l, r.status))}
            {line(T::ActRange, r.printable())}
            {r.activate_at.map(|t| line(T::ActScheduledAt, l.datetime(&t)))}
            {line(T::ActActivatedAt, time(r.activated_at))}
            {line(T::ActActivatedBy, or_dash(r.activated_by_name.clone()))}
            {line(T::Product, or_dash(r.product_name.clone()))}
            {line(T::Brand, or_dash(r.brand_name.clone()))}
            {line(T::ActProductionFactory, or_dash(r.factory_name.clone()))}
            {line(T::Workshop, or_dash(r.workshop_name.clone()))}
            {line(T::ProductionLine, or_dash(r.line_name.clone()))}
            {line(T::ActProducedAt, time(r.produced_at))}
            {extra
                .into_iter()
                .map(|(name, value)| {
                    view! {
                        <li>
                            <span class="label">{name}</span>
                            " "
                            {value}
                        </li>
                    }
                })
                .collect_view()}
            {line(T::ActEnteredBy, format!("{} {}", or_dash(r.entered_by_name.clone()), l.datetime(&r.entered_at)))}
        </ul>
    }
}

fn scrap_lines(l: Locale, s: Scrap) -> impl IntoView {
    view! {
        <ul>
            {line(T::Status, view! { <span class="badge off" data-status="scrapped">{tr(T::QryScrapped)}</span> })}
            {line(T::ScrMethod, s.method.label(l))}
            {line(T::ActRange, s.printable())}
            {line(T::ScrReason, s.reason.clone())}
            {line(T::ScrTime, l.datetime(&s.scrapped_at))}
            {line(T::ScrOperator, or_dash(s.scrapped_by_name.clone()))}
        </ul>
    }
}

/// The QR code as printed (from the QR image service), with downloads at a chosen error
/// correction level.
#[component]
fn Proof(code: String) -> impl IntoView {
    let ec = RwSignal::new("M".to_string());
    let src = {
        let code = code.clone();
        move |kind: &str, extra: &str| format!("/qr/code.{kind}?code={code}&ec={}{extra}", ec.get())
    };
    let (png, svg, img) = (src.clone(), src.clone(), src);
    view! {
        <section class="card">
            <h2>{tr(T::QryProof)}</h2>
            <img src=move || img("png", "&size=240") alt=code.clone() width="240" height="240"/>
            <label class="filter">
                <span class="label">{tr(T::QryEc)}</span>
                <select aria-label=tr(T::QryEc) on:change=move |ev| ec.set(event_target_value(&ev)) prop:value=move || ec.get()>
                    {["L", "M", "Q", "H"].into_iter().map(|e| view! { <option value=e>{e}</option> }).collect_view()}
                </select>
            </label>
            <p>
                <a class="btn small" href=move || png("png", "&size=600") download>{tr(T::QryDownloadPng)}</a>
                " "
                <a class="btn small" href=move || svg("svg", "") download>{tr(T::QryDownloadSvg)}</a>
            </p>
        </section>
    }
}
