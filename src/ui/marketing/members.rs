//! 会员列表: consumers with search and filters, the CSV import and the export; and a
//! consumer's detail page (profile, points ledger with a manual adjustment, scans, draws,
//! wins, risk flags).

use crate::api::consumers::{adjust_points, export_members, get_member, import_members, list_members, set_member_risk};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::PROVINCES;
use crate::domain::codes::format_serial;
use crate::domain::consumers::*;
use crate::domain::risk::RiskLevel;
use crate::domain::validate::{FieldError, Msg};
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "—".to_string(),
    }
}

fn risk_badge(r: RiskLevel, hunter: bool, l: Locale) -> impl IntoView {
    let class = match r {
        RiskLevel::Normal => "badge ok",
        RiskLevel::Watch => "badge warn",
        RiskLevel::High => "badge danger",
    };
    view! {
        <span class=class data-risk=r.number().to_string()>{risk_label(r, l)}</span>
        {hunter.then(|| view! { <span class="badge danger" data-test="bonus-hunter">{tr(T::MbBonusHunter)}</span> })}
    }
}

/// A `<select>` of keyed choices bound to the raw key ("" = all / none).
fn key_select(name: &'static str, value: RwSignal<String>, choices: Vec<(String, String)>, none: &'static str) -> impl IntoView {
    view! {
        <select name=name on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
            <option value="">{none}</option>
            {choices
                .into_iter()
                .map(|(k, label)| {
                    let k2 = k.clone();
                    view! { <option value=k selected=move || value.get() == k2>{label}</option> }
                })
                .collect_view()}
        </select>
    }
}

fn yes_no(l: Locale) -> Vec<(String, String)> {
    vec![("yes".into(), T::Yes.in_(l).into()), ("no".into(), T::No.in_(l).into())]
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn field_error(field: &str, msg: Msg) -> Vec<FieldError> {
    vec![FieldError { field: field.into(), msg }]
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Members, Level::Manage);
    let reloads = RwSignal::new(0u32);
    let list = ServerList::<MemberFilter>::new();
    // The filter being edited; "Search" applies it.
    let q = RwSignal::new(String::new());
    let gender = RwSignal::new(String::new());
    let province = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let risk = RwSignal::new(String::new());
    let hunter = RwSignal::new(String::new());
    let has_mobile = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let range_error = RwSignal::new(false);
    let members = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_members(f, p));
    let current = move || {
        let day = |s: String| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        MemberFilter {
            q: q.get_untracked().trim().to_string(),
            gender: Gender::parse(&gender.get_untracked()),
            province: Some(province.get_untracked()).filter(|p| !p.is_empty()),
            source: Source::parse(&source.get_untracked()),
            risk_level: risk.get_untracked().parse::<i16>().ok().map(RiskLevel::from_number),
            bonus_hunter: parse_yes_no(&hunter.get_untracked()),
            has_mobile: parse_yes_no(&has_mobile.get_untracked()),
            scan_from: day(from.get_untracked()),
            scan_to: day(to.get_untracked()),
        }
    };
    let on_search = move || {
        let f = current();
        range_error.set(matches!((f.scan_from, f.scan_to), (Some(a), Some(b)) if b < a));
        if !range_error.get_untracked() {
            list.apply(f);
        }
    };
    let on_reset = move || {
        for s in [q, gender, province, source, risk, hunter, has_mobile, from, to] {
            s.set(String::new());
        }
        range_error.set(false);
        list.apply(MemberFilter::default());
    };
    let export = Action::new(move |f: &MemberFilter| export_members(f.clone()));
    Effect::new(move |_| match export.value().get() {
        Some(Ok(_)) => toast(ToastKind::Ok, tr(T::MbExportQueued)),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let importing = RwSignal::new(false);
    let cols = move || {
        vec![
            Col::new(T::MbId, |m: &MemberRow| {
                let (href, label) = (format!("/marketing/members/{}", m.id), m.id.to_string());
                view! { <A href=href>{label}</A> }.into_any()
            }),
            Col::new(T::Mobile, text(|m: &MemberRow| or_dash(m.mobile.as_deref()))),
            Col::new(T::MbName, text(|m: &MemberRow| or_dash(Some(&m.name)))),
            Col::new(T::MbGender, text(move |m: &MemberRow| m.gender_label(l).to_string())),
            Col::new(T::MbRegion, text(|m: &MemberRow| m.region())),
            Col::new(T::MbPoints, text(move |m: &MemberRow| l.int(m.points.into()))),
            Col::new(T::MbScans, text(move |m: &MemberRow| l.int(m.scans))),
            Col::new(T::MbDraws, text(move |m: &MemberRow| l.int(m.draws))),
            Col::new(T::MbWins, text(move |m: &MemberRow| l.int(m.wins))),
            Col::new(T::MbFirstSeen, text(move |m: &MemberRow| l.datetime(&m.first_seen_at))),
            Col::new(T::MbLastScan, text(move |m: &MemberRow| m.last_scan_at.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into()))),
            Col::new(T::MbRisk, move |m: &MemberRow| risk_badge(m.risk(), m.bonus_hunter, l).into_any()),
        ]
    };
    let genders: Vec<(String, String)> = Gender::ALL.iter().map(|g| (g.key().into(), g.label(l).into())).collect();
    let sources: Vec<(String, String)> = Source::ALL.iter().map(|g| (g.key().into(), g.label(l).into())).collect();
    let risks: Vec<(String, String)> = RiskLevel::ALL.iter().map(|r| (r.number().to_string(), risk_label(*r, l).into())).collect();
    let provinces: Vec<(String, String)> = PROVINCES.iter().map(|p| (p.to_string(), p.to_string())).collect();
    view! {
        <PageHeader title=tr(T::MbTitle).to_string()>
            {manage.then(|| view! { <button class="btn" data-test="member-import" on:click=move |_| importing.set(true)>{tr(T::MbImport)}</button> })}
            <button class="btn" data-test="member-export" disabled=move || export.pending().get() on:click=move |_| {
                export.dispatch(list.filter.get_untracked());
            }>{tr(T::Export)}</button>
        </PageHeader>
        <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
            <label class="filter">
                <span class="label">{tr(T::Search)}</span>
                <input type="search" name="q" bind:value=q placeholder=tr(T::MbSearchHint) maxlength="50"/>
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbGender)}</span>
                {key_select("gender", gender, genders, tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbProvince)}</span>
                {key_select("province", province, provinces, tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbSource)}</span>
                {key_select("source", source, sources, tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbRisk)}</span>
                {key_select("risk_level", risk, risks, tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbBonusHunter)}</span>
                {key_select("bonus_hunter", hunter, yes_no(l), tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbHasMobile)}</span>
                {key_select("has_mobile", has_mobile, yes_no(l), tr(T::All))}
            </label>
            <label class="filter">
                <span class="label">{tr(T::MbLastScanFrom)}</span>
                <input type="date" name="scan_from" bind:value=from/>
            </label>
            <label class="filter">
                <span class="label">{tr(T::DateTo)}</span>
                <input type="date" name="scan_to" bind:value=to/>
            </label>
        </FilterBar>
        <Show when=move || range_error.get()>
            <p class="field-error" data-field="scan_to" role="alert">{tr(T::DateRangeInvalid)}</p>
        </Show>
        {loaded(members, move |page| list.table(page, cols()))}
        <Modal title=Signal::derive(move || T::MbImport.in_(l).to_string()) open=importing>
            <ImportDialog open=importing on_done=Callback::new(move |_| reloads.update(|n| *n += 1))/>
        </Modal>
    }
}

/// The chosen file's text (the browser reads it; over the limit or not UTF-8 is refused here).
#[cfg(feature = "hydrate")]
fn read_csv(ev: &leptos::ev::Event, l: Locale, errors: FormErrors, csv: RwSignal<Option<(String, String)>>) {
    use wasm_bindgen::JsCast;
    errors.clear();
    csv.set(None);
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    if file.size() > (IMPORT_MAX_KB * 1024) as f64 {
        errors.fields.set(field_error("file", Msg::FileTooLarge { max_kb: IMPORT_MAX_KB }));
        return;
    }
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
        match text {
            None => errors.fields.set(field_error("file", Msg::Other(T::FileUnreadable.in_(l).into()))),
            Some(t) if t.contains('\u{FFFD}') => errors.fields.set(field_error("file", Msg::Other(T::CsvNotUtf8.in_(l).into()))),
            Some(t) => {
                let _ = csv.try_set(Some((file.name(), t)));
            }
        }
    });
}

#[component]
fn ImportDialog(open: RwSignal<bool>, on_done: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let csv: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let errors = FormErrors::new();
    let report: RwSignal<Option<ConsumerImportReport>> = RwSignal::new(None);
    let start = Action::new(|t: &String| import_members(t.clone()));
    Effect::new(move |_| match start.value().get() {
        Some(Ok(r)) => {
            report.set(Some(r));
            on_done.run(());
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        read_csv(&ev, l, errors, csv);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_import = move |_| match csv.with_untracked(|c| c.as_ref().map(|(_, t)| t.clone())) {
        Some(t) => {
            errors.clear();
            start.dispatch(t);
        }
        None => errors.fields.set(field_error("file", Msg::Required)),
    };
    let colon = if l == Locale::Zh { "：" } else { ": " };
    view! {
        {move || match report.get() {
            None => {
                view! {
                    <p class="hint">{T::MbImportHint.in_(l)}</p>
                    <pre class="hint">{IMPORT_HEADER}</pre>
                    <Field label=T::CsvFile name="file" errors required=true>
                        <input type="file" name="file" accept=".csv,text/csv,text/plain" disabled=move || start.pending().get() on:change=on_pick/>
                    </Field>
                    {move || {
                        csv.with(|c| c.as_ref().map(|(name, t)| format!("{name} · {} {}", l.int(t.lines().count().saturating_sub(1) as i64), T::ItemsUnit.in_(l))))
                            .map(|s| view! { <p class="hint">{s}</p> })
                    }}
                    <Show when=move || errors.form.get().is_some()>
                        <p class="form-error" role="alert">{move || errors.form.get()}</p>
                    </Show>
                    <div class="form-actions">
                        <button type="button" class="btn" on:click=move |_| open.set(false)>{T::Cancel.in_(l)}</button>
                        <button
                            type="button"
                            class="btn primary"
                            data-test="member-import-start"
                            disabled=move || csv.with(Option::is_none) || start.pending().get()
                            on:click=on_import
                        >
                            {move || if start.pending().get() { T::Loading.in_(l) } else { T::Import.in_(l) }}
                        </button>
                    </div>
                }
                    .into_any()
            }
            Some(r) => {
                #[derive(Clone, PartialEq)]
                struct Cell {
                    line: usize,
                    field: String,
                    msg: String,
                }
                let rows: Vec<Cell> = r
                    .failed
                    .iter()
                    .flat_map(|row| row.errors.iter().map(move |e| Cell { line: row.line, field: e.field.clone(), msg: e.msg.render(l) }))
                    .collect();
                let cols = vec![
                    Col::new(T::Row, text(|c: &Cell| c.line.to_string())).sorted(|c| SortKey::Num(c.line as i64)),
                    Col::new(T::FieldName, text(|c: &Cell| c.field.clone())),
                    Col::new(T::Reason, text(|c: &Cell| c.msg.clone())),
                ];
                view! {
                    <h3>{T::ImportReport.in_(l)}</h3>
                    <p class="import-summary" data-test="member-import-summary">
                        <span class="created">{T::MbCreated.in_(l)}{colon}<strong>{l.int(r.created as i64)}</strong></span>
                        " · "
                        <span class="updated">{T::MbUpdated.in_(l)}{colon}<strong>{l.int(r.updated as i64)}</strong></span>
                        " · "
                        <span class="failed">{T::Failed.in_(l)}{colon}<strong>{l.int(r.failed.len() as i64)}</strong></span>
                    </p>
                    {(!rows.is_empty()).then(|| view! { <DataTable rows=Signal::stored(rows) cols paged=true/> })}
                    <div class="form-actions">
                        <button type="button" class="btn primary" on:click=move |_| open.set(false)>{T::Close.in_(l)}</button>
                    </div>
                }
                    .into_any()
            }
        }}
    }
}

// ---------- the detail page ----------

#[component]
pub fn MemberPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default()));
    let reloads = RwSignal::new(0u32);
    let detail = Resource::new(move || (id.get(), reloads.get()), |(id, _)| get_member(id));
    let reload = Callback::new(move |_| reloads.update(|n| *n += 1));
    view! {
        <p>
            <A href="/marketing/members">{tr(T::MbBack)}</A>
        </p>
        {loaded(detail, move |d| view! { <MemberView d reload/> })}
    }
}

#[component]
fn MemberView(d: MemberDetail, reload: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Members, Level::Manage);
    let m = d.member.clone();
    let interests: Vec<&str> = d.interests.iter().filter_map(|k| Interest::parse(k)).map(|i| i.label(l)).collect();
    let facts: Vec<(T, String)> = vec![
        (T::MbId, m.id.to_string()),
        (T::Mobile, or_dash(m.mobile.as_deref())),
        (T::MbName, or_dash(Some(&m.name))),
        (T::MbGender, m.gender_label(l).to_string()),
        (T::MbBirthYear, d.birth_year.map(|y| y.to_string()).unwrap_or_else(|| "—".into())),
        (T::MbRegion, m.region()),
        (T::MbMarital, d.marital.as_deref().and_then(Marital::parse).map(|x| x.label(l)).unwrap_or("—").to_string()),
        (T::MbEducation, d.education.as_deref().and_then(Education::parse).map(|x| x.label(l)).unwrap_or("—").to_string()),
        (T::MbInterests, if interests.is_empty() { "—".into() } else { interests.join(if l == Locale::Zh { "、" } else { ", " }) }),
        (T::MbTags, if d.tags.is_empty() { "—".into() } else { d.tags.join(if l == Locale::Zh { "、" } else { ", " }) }),
        (T::MbAcquiredBy, or_dash(d.acquired_by.as_deref())),
        (T::MbSource, Source::parse(&m.source).map(|s| s.label(l)).unwrap_or("—").to_string()),
        (T::MbDevices, d.devices.to_string()),
        (T::MbPoints, l.int(m.points.into())),
        (T::MbScans, l.int(m.scans)),
        (T::MbDraws, l.int(m.draws)),
        (T::MbWins, l.int(m.wins)),
        (T::MbFirstSeen, l.datetime(&m.first_seen_at)),
        (T::MbLastScan, m.last_scan_at.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into())),
        (
            T::MbMergedFrom,
            if d.merged_from.is_empty() {
                "—".into()
            } else {
                d.merged_from.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")
            },
        ),
    ];
    let ledger_cols = vec![
        Col::new(T::MbTime, text(move |r: &LedgerRow| l.datetime(&r.created_at))),
        Col::new(T::MbLedgerKind, text(move |r: &LedgerRow| r.reason_label(l).to_string())),
        Col::new(T::MbDelta, text(|r: &LedgerRow| format!("{:+}", r.delta))),
        Col::new(T::MbBalance, text(move |r: &LedgerRow| l.int(r.balance.into()))),
        Col::new(T::MbNote, text(|r: &LedgerRow| or_dash(Some(&r.note)))),
    ];
    let scan_cols = vec![
        Col::new(T::MbTime, text(move |s: &MemberScan| l.datetime(&s.scanned_at))),
        Col::new(
            T::MbCode,
            text(|s: &MemberScan| format!("{} · {}", or_dash(s.package_name.as_deref()), format_serial(s.package_id, s.serial as u32))),
        ),
        Col::new(T::MbProduct, text(|s: &MemberScan| or_dash(s.product_name.as_deref()))),
        Col::new(
            T::MbRegion,
            text(|s: &MemberScan| match (&s.province, &s.city) {
                (Some(p), Some(c)) if p != c => format!("{p} {c}"),
                (Some(p), _) => p.clone(),
                _ => "—".into(),
            }),
        ),
        Col::new(T::MbCampaign, text(|s: &MemberScan| or_dash(s.campaign_name.as_deref()))),
    ];
    let draw_cols = vec![
        Col::new(T::MbTime, text(move |d: &MemberDraw| l.datetime(&d.drawn_at))),
        Col::new(T::MbCampaign, text(|d: &MemberDraw| d.campaign_name.clone())),
        Col::new(T::MbCode, text(|d: &MemberDraw| format_serial(d.package_id, d.serial as u32))),
        Col::new(T::MbPrize, text(|d: &MemberDraw| if d.prizes.is_empty() { tr(T::MbNoPrize).to_string() } else { d.prizes.join(", ") })),
    ];
    let win_cols = vec![
        Col::new(T::MbTime, text(move |w: &MemberWin| l.datetime(&w.won_at))),
        Col::new(T::MbCampaign, text(|w: &MemberWin| w.campaign_name.clone())),
        Col::new(T::MbPrize, text(|w: &MemberWin| w.prize_name.clone())),
        Col::new(T::Status, text(move |w: &MemberWin| w.status_label(l).to_string())),
        Col::new(T::MbClaimedAt, text(move |w: &MemberWin| w.claimed_at.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into()))),
        Col::new(T::MbCoupon, text(|w: &MemberWin| or_dash(w.coupon_code.as_deref()))),
        Col::new(T::MbAddress, text(|w: &MemberWin| or_dash(w.address.as_deref()))),
    ];
    let (id, for_risk) = (m.id, m.clone());
    view! {
        <PageHeader title=format!("{} #{}", tr(T::MbDetailTitle), m.id)>
            {risk_badge(m.risk(), m.bonus_hunter, l)}
        </PageHeader>
        <section class="card">
            <h2>{tr(T::MbProfile)}</h2>
            <dl class="facts">
                {facts.into_iter().map(|(k, v)| view! { <dt>{tr(k)}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
        {manage.then(|| view! {
            <section class="card">
                <h2>{tr(T::MbRiskEdit)}</h2>
                <RiskForm m=for_risk.clone() reload/>
            </section>
            <section class="card">
                <h2>{tr(T::MbAdjust)}</h2>
                <AdjustForm consumer_id=id reload/>
            </section>
        })}
        <section class="card">
            <h2>{tr(T::MbLedger)}</h2>
            <DataTable rows=Signal::stored(d.ledger) cols=ledger_cols paged=true/>
        </section>
        <section class="card">
            <h2>{tr(T::MbScanList)}</h2>
            <DataTable rows=Signal::stored(d.scans) cols=scan_cols paged=true/>
        </section>
        <section class="card">
            <h2>{tr(T::MbDrawList)}</h2>
            <DataTable rows=Signal::stored(d.draws) cols=draw_cols paged=true/>
        </section>
        <section class="card">
            <h2>{tr(T::MbWinList)}</h2>
            <DataTable rows=Signal::stored(d.wins) cols=win_cols paged=true/>
        </section>
    }
}

#[component]
fn AdjustForm(consumer_id: i64, reload: Callback<()>) -> impl IntoView {
    let delta = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let save = SaveForm::new(adjust_points, move |balance: i32| {
        toast(ToastKind::Ok, format!("{} {}", tr(T::MbAdjusted), balance));
        delta.set(String::new());
        reason.set(String::new());
        reload.run(());
    });
    let errors = save.errors;
    let on_submit = save.on_submit(PointsAdjustInput::validate, move || PointsAdjustInput {
        consumer_id,
        delta: delta.get_untracked().trim().parse().unwrap_or(0),
        reason: reason.get_untracked(),
    });
    view! {
        <form class="inline-form" on:submit=on_submit novalidate>
            <TextField label=T::MbDelta name="delta" value=delta errors required=true input_type="number" placeholder=tr(T::MbDeltaHint).to_string()/>
            <TextField label=T::MbAdjustReason name="reason" value=reason errors required=true maxlength=REASON_MAX/>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <button type="submit" class="btn primary" data-test="adjust-points" disabled=move || save.pending().get()>
                {move || if save.pending().get() { tr(T::Loading) } else { tr(T::MbAdjust) }}
            </button>
        </form>
    }
}

#[component]
fn RiskForm(m: MemberRow, reload: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let level = RwSignal::new(m.risk());
    let hunter = RwSignal::new(m.bonus_hunter);
    let version = m.version;
    let save = SaveForm::new(set_member_risk, move |_| {
        toast(ToastKind::Ok, tr(T::MbRiskSaved));
        reload.run(());
    });
    let errors = save.errors;
    let on_submit = save.on_submit(
        |_| Ok(()),
        move || RiskInput { consumer_id: m.id, version, risk_level: level.get_untracked(), bonus_hunter: hunter.get_untracked() },
    );
    view! {
        <form class="inline-form" on:submit=on_submit novalidate>
            <label class="filter">
                <span class="label">{tr(T::MbRisk)}</span>
                <select name="risk_level" on:change=move |ev| level.set(RiskLevel::from_number(event_target_value(&ev).parse().unwrap_or(0)))>
                    {RiskLevel::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.number().to_string() selected=move || level.get() == r>{risk_label(r, l)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="checkbox">
                <input type="checkbox" name="bonus_hunter" prop:checked=move || hunter.get() on:change=move |ev| hunter.set(event_target_checked(&ev))/>
                {tr(T::MbBonusHunter)}
            </label>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <button type="submit" class="btn primary" data-test="save-risk" disabled=move || save.pending().get()>
                {move || if save.pending().get() { tr(T::Loading) } else { tr(T::Save) }}
            </button>
        </form>
    }
}
