//! 码管理 → 码报废: scrap a batch, a range inside one batch, or one code (code string, scan URL
//! or printable serial), with a reason; and the list of scraps (method, count, range, package,
//! batch, time, operator, reason), filtered by package, method and date.

use super::activation::{or_dash, PackagePicker};
use crate::api::code_scrap::{list_scraps, scrap_codes};
use crate::domain::access::{Function, Level};
use crate::domain::code_activation::{range_in_package, PackageChoice};
use crate::domain::code_query::{Scrap, ScrapFilter, ScrapInput, ScrapMethod, QUERY_MAX, REASON_MAX};
use crate::domain::codes::format_serial;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use chrono::NaiveDate;
use leptos::prelude::*;

#[component]
pub fn ScrapPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::CodeScrap, Level::Manage);
    let reloads = RwSignal::new(0u32);
    let list = ServerList::<ScrapFilter>::new();
    // The filter being edited; "Search" applies it.
    let f_package: RwSignal<Option<PackageChoice>> = RwSignal::new(None);
    let f_method: RwSignal<Option<ScrapMethod>> = RwSignal::new(None);
    let f_from = RwSignal::new(String::new());
    let f_to = RwSignal::new(String::new());
    let range_error = RwSignal::new(false);
    let scraps = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_scraps(f, p));
    let on_search = move || {
        let day = |s: String| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let (from, to) = (day(f_from.get_untracked()), day(f_to.get_untracked()));
        range_error.set(matches!((from, to), (Some(a), Some(b)) if b < a));
        if range_error.get_untracked() {
            return;
        }
        list.apply(ScrapFilter { package_id: f_package.get_untracked().map(|p| p.id), method: f_method.get_untracked(), from, to });
    };
    let on_reset = move || {
        f_package.set(None);
        f_method.set(None);
        f_from.set(String::new());
        f_to.set(String::new());
        range_error.set(false);
        list.apply(ScrapFilter::default());
    };
    let open = RwSignal::new(false);
    let cols = move || {
        vec![
            Col::new(T::ScrMethod, text(move |s: &Scrap| s.method.label(l).to_string())),
            Col::new(T::ActCodes, text(move |s: &Scrap| l.int(s.count()))),
            Col::new(T::ActRange, text(|s: &Scrap| s.printable())),
            Col::new(T::ActPackage, text(|s: &Scrap| format!("{} (#{})", s.package_name, s.package_id))),
            Col::new(T::ActBatch, text(|s: &Scrap| s.batch_no.to_string())),
            Col::new(T::ScrTime, text(move |s: &Scrap| l.datetime(&s.scrapped_at))),
            Col::new(T::ScrOperator, text(|s: &Scrap| or_dash(s.scrapped_by_name.clone()))),
            Col::new(T::ScrReason, |s: &Scrap| {
                let (reason, full) = (s.reason.clone(), s.reason.clone());
                view! { <span class="ellipsis" title=full>{reason}</span> }.into_any()
            }),
        ]
    };
    view! {
        <PageHeader title=tr(T::ScrTitle).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| open.set(true)>{tr(T::ScrNew)}</button> })}
        </PageHeader>
        <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
            <label class="filter">
                <span class="label">{tr(T::ActPackage)}</span>
                <PackagePicker selected=f_package/>
            </label>
            <label class="filter">
                <span class="label">{tr(T::ScrMethod)}</span>
                <select
                    name="method"
                    on:change=move |ev| f_method.set(ScrapMethod::from_key(&event_target_value(&ev)))
                    prop:value=move || f_method.get().map(ScrapMethod::key).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    {ScrapMethod::ALL
                        .into_iter()
                        .map(|m| view! { <option value=m.key() selected=move || f_method.get() == Some(m)>{m.label(l)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="filter">
                <span class="label">{tr(T::DateFrom)}</span>
                <input type="date" name="from" bind:value=f_from max=move || Some(f_to.get()).filter(|s| !s.is_empty())/>
            </label>
            <label class="filter">
                <span class="label">{tr(T::DateTo)}</span>
                <input type="date" name="to" bind:value=f_to min=move || Some(f_from.get()).filter(|s| !s.is_empty())/>
            </label>
        </FilterBar>
        <Show when=move || range_error.get()>
            <p class="field-error" data-field="to" role="alert">{tr(T::DateRangeInvalid)}</p>
        </Show>
        {loaded(scraps, move |page| list.table(page, cols()))}
        <Modal title=tr(T::ScrNew).to_string() open>
            <ScrapForm open on_saved=Callback::new(move |_| reloads.update(|n| *n += 1))/>
        </Modal>
    }
}

#[component]
fn ScrapForm(open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let method = RwSignal::new(ScrapMethod::Range);
    let package: RwSignal<Option<PackageChoice>> = RwSignal::new(None);
    let batch_no: RwSignal<Option<i64>> = RwSignal::new(None);
    let serial_start = RwSignal::new(String::new());
    let serial_end = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let batches = Signal::derive(move || {
        package
            .get()
            .map(|p| {
                p.batches()
                    .into_iter()
                    .enumerate()
                    .map(|(i, (a, b))| (i as i64 + 1, format!("{} · {} – {}", i + 1, format_serial(p.id, a), format_serial(p.id, b))))
                    .collect()
            })
            .unwrap_or_default()
    });
    let save = SaveForm::new(scrap_codes, move |s: Scrap| {
        open.set(false);
        toast(ToastKind::Ok, format!("{}: {} ({} {})", tr(T::ScrDone), s.printable(), l.int(s.count()), tr(T::ActCodes)));
        on_saved.run(());
    });
    let errors = save.errors;
    // The browser also checks a range against the chosen package (inside it, in one batch).
    let check = move |i: &ScrapInput| {
        i.validate()?;
        match (i.method, package.get_untracked()) {
            (ScrapMethod::Range, Some(p)) => range_in_package(&p, &i.serial_start, &i.serial_end).map(|_| ()),
            _ => Ok(()),
        }
    };
    let on_submit = save.on_submit(check, move || ScrapInput {
        method: method.get_untracked(),
        package_id: package.get_untracked().map(|p| p.id),
        batch_no: batch_no.get_untracked().map(|b| b as i32),
        serial_start: serial_start.get_untracked().trim().to_string(),
        serial_end: serial_end.get_untracked().trim().to_string(),
        code: code.get_untracked().trim().to_string(),
        reason: reason.get_untracked(),
    });
    let reason_msg = errors.message("reason");
    view! {
        <form on:submit=on_submit novalidate>
            <div class="field">
                <span class="label">{tr(T::ScrMethod)}</span>
                {ScrapMethod::ALL
                    .into_iter()
                    .map(|m| {
                        view! {
                            <label class="radio">
                                <input
                                    type="radio"
                                    name="method"
                                    value=m.key()
                                    prop:checked=move || method.get() == m
                                    on:change=move |_| {
                                        method.set(m);
                                        errors.clear();
                                    }
                                />
                                {m.label(l)}
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <Show when=move || method.get() != ScrapMethod::Code>
                <Field label=T::ActPackage name="package_id" errors required=true>
                    <PackagePicker selected=package/>
                </Field>
            </Show>
            <Show when=move || method.get() == ScrapMethod::Batch>
                <SelectField label=T::ActBatch name="batch_no" value=batch_no options=batches errors required=true/>
            </Show>
            <Show when=move || method.get() == ScrapMethod::Range>
                <TextField label=T::ActSerialStart name="serial_start" value=serial_start errors required=true/>
                <TextField label=T::ActSerialEnd name="serial_end" value=serial_end errors required=true/>
                <p class="hint">{tr(T::ActSerialHint)}</p>
            </Show>
            <Show when=move || method.get() == ScrapMethod::Code>
                <TextField label=T::QryInput name="code" value=code errors required=true maxlength=QUERY_MAX/>
                <p class="hint">{tr(T::QryInputHint)}</p>
            </Show>
            <div class="field" class:invalid=move || reason_msg.get().is_some()>
                <label>
                    <span class="label">{tr(T::ScrReason)} " *"</span>
                    <textarea
                        name="reason"
                        maxlength=REASON_MAX.to_string()
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <Show when=move || reason_msg.get().is_some()>
                    <p class="field-error" data-field="reason" role="alert">{move || reason_msg.get()}</p>
                </Show>
            </div>
            <p class="form-error">{tr(T::ScrWarn)}</p>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <div class="form-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>{tr(T::Cancel)}</button>
                <button type="submit" class="btn danger" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { tr(T::Loading) } else { tr(T::ScrConfirm) }}
                </button>
            </div>
        </form>
    }
}
