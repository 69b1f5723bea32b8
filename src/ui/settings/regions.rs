//! 基础数据 → 大区: sales regions, each covering a set of the 34 provincial-level divisions.

use super::Records;
use crate::api::basic_data::{delete_basic, list_regions, save_region};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Kind, Region, RegionInput, NAME_MAX, PROVINCES};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn RegionsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let records = Records::new();
    let regions = Resource::new(move || records.reloads.get(), |_| list_regions());
    let delete = records.deletion(|id| delete_basic(Kind::Region, id));
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Name, text(|r: &Region| r.name.clone())).sorted(|r| SortKey::Text(r.name.clone())),
            Col::new(T::Provinces, text(|r: &Region| r.provinces.join("、"))).sorted(|r| SortKey::Num(r.provinces.len() as i64)),
            Col::new(T::Factories, text(move |r: &Region| l.int(r.factory_count))).sorted(|r| SortKey::Num(r.factory_count)),
        ];
        if manage {
            cols.push(records.actions_col(delete, input_of));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Regions).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        {loaded(regions, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
        {records.dialog(T::Region, |e| e.id.is_some(), move |input| view! { <RegionForm input open=records.open on_saved=records.on_saved()/> })}
        {delete.dialog()}
    }
}

fn input_of(r: &Region) -> RegionInput {
    RegionInput { id: Some(r.id), version: r.version, name: r.name.clone(), provinces: r.provinces.clone() }
}

#[component]
fn RegionForm(input: RegionInput, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let provinces = RwSignal::new(input.provinces.clone());
    let save = SaveForm::in_dialog(save_region, open, T::Saved, on_saved);
    let errors = save.errors;
    let provinces_msg = errors.message("provinces");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // In the standard's order, whatever the order of the clicks.
        let chosen = provinces.with_untracked(|c| {
            let mut v: Vec<String> = PROVINCES.iter().filter(|p| c.iter().any(|x| x == *p)).map(|p| p.to_string()).collect();
            // Anything unknown is kept so the check names it instead of dropping it silently.
            v.extend(c.iter().filter(|x| !PROVINCES.contains(&x.as_str())).cloned());
            v
        });
        save.submit(RegionInput { name: name.get_untracked(), provinces: chosen, ..input.clone() }, RegionInput::validate);
    };
    let boxes = PROVINCES
        .iter()
        .map(|p| {
            let p: &'static str = p;
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        name="provinces"
                        value=p
                        prop:checked=move || provinces.with(|c| c.iter().any(|x| x == p))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            provinces
                                .update(|c| {
                                    c.retain(|x| x != p);
                                    if on {
                                        c.push(p.to_string());
                                    }
                                });
                        }
                    />
                    {p}
                </label>
            }
        })
        .collect_view();
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <fieldset class="field" class:invalid=move || provinces_msg.get().is_some()>
                <legend class="label">
                    {tr(T::Provinces)} " *"
                    <span class="count">{move || format!(" ({}/{})", provinces.with(Vec::len), PROVINCES.len())}</span>
                </legend>
                <div class="checkbox-grid">{boxes}</div>
                <Show when=move || provinces_msg.get().is_some()>
                    <p class="field-error" data-field="provinces" role="alert">{move || provinces_msg.get()}</p>
                </Show>
            </fieldset>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
