//! 基础数据 → 大区: sales regions, each covering a set of the 34 provincial-level divisions.

use crate::api::basic_data::{delete_basic, list_regions, save_region};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Kind, Region, RegionInput, NAME_MAX, PROVINCES};
use crate::i18n::verb_noun;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn RegionsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let reload = RwSignal::new(0u32);
    let regions = Resource::new(move || reload.get(), |_| list_regions());
    let editing: RwSignal<Option<RegionInput>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let deleting: RwSignal<Option<Region>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let delete = Action::new(|id: &i64| {
        let id = *id;
        async move { delete_basic(Kind::Region, id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::Deleted.in_(l));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let start = move |r: Option<&Region>| {
        editing.set(Some(match r {
            Some(r) => RegionInput { id: Some(r.id), version: r.version, name: r.name.clone(), provinces: r.provinces.clone() },
            None => RegionInput::default(),
        }));
        open.set(true);
    };
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Name, text(|r: &Region| r.name.clone())).sorted(|r| SortKey::Text(r.name.clone())),
            Col::new(T::Provinces, text(|r: &Region| r.provinces.join("、"))).sorted(|r| SortKey::Num(r.provinces.len() as i64)),
            Col::new(T::Factories, text(move |r: &Region| l.int(r.factory_count))).sorted(|r| SortKey::Num(r.factory_count)),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |r: &Region| {
                let (r1, r2) = (r.clone(), r.clone());
                view! {
                    <button class="link" on:click=move |_| start(Some(&r1))>{T::Edit.in_(l)}</button>
                    <button
                        class="link danger"
                        on:click=move |_| {
                            deleting.set(Some(r2.clone()));
                            confirm.set(true);
                        }
                    >
                        {T::Delete.in_(l)}
                    </button>
                }
                .into_any()
            }));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Regions).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| start(None)>{tr(T::Create)}</button> })}
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match regions.await {
                    Ok(rows) => view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Modal
            title=Signal::derive(move || {
                let edit = editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                verb_noun(l, if edit { T::Edit } else { T::Create }, T::Region)
            })
            open
        >
            {move || editing.get().map(|input| view! { <RegionForm input open on_saved=Callback::new(move |_| reload.update(|n| *n += 1))/> })}
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || {
                format!("{} 「{}」", T::ConfirmDeleteText.in_(l), deleting.get().map(|r| r.name).unwrap_or_default())
            })
            on_confirm=Callback::new(move |_| {
                if let Some(r) = deleting.get_untracked() {
                    delete.dispatch(r.id);
                }
            })
        />
    }
}

#[component]
fn RegionForm(input: RegionInput, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let provinces = RwSignal::new(input.provinces.clone());
    let errors = FormErrors::new();
    let provinces_msg = errors.message("provinces");
    let save = Action::new(|i: &RegionInput| {
        let i = i.clone();
        async move { save_region(i).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            open.set(false);
            toast(ToastKind::Ok, tr(T::Saved));
            on_saved.run(());
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // In the standard's order, whatever the order of the clicks.
        let chosen = provinces.with_untracked(|c| {
            let mut v: Vec<String> = PROVINCES.iter().filter(|p| c.iter().any(|x| x == *p)).map(|p| p.to_string()).collect();
            // Anything unknown is kept so the check names it instead of dropping it silently.
            v.extend(c.iter().filter(|x| !PROVINCES.contains(&x.as_str())).cloned());
            v
        });
        let i = RegionInput { name: name.get_untracked(), provinces: chosen, ..input.clone() };
        if errors.check(i.validate()) {
            save.dispatch(i);
        }
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
            <FormFooter errors pending=save.pending().into() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
