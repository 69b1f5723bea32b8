//! 基础数据 → 工厂: factories, each in a sales region.

use super::choice_options;
use crate::api::basic_data::{delete_basic, list_factories, save_factory};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Factory, FactoryInput, Kind, CODE_MAX, NAME_MAX, TEXT_MAX};
use crate::i18n::verb_noun;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn FactoriesPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let reload = RwSignal::new(0u32);
    let factories = Resource::new(move || reload.get(), |_| list_factories());
    let regions = choice_options(Kind::Region);
    let editing: RwSignal<Option<FactoryInput>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let deleting: RwSignal<Option<Factory>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let delete = Action::new(|id: &i64| {
        let id = *id;
        async move { delete_basic(Kind::Factory, id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::Deleted.in_(l));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let start = move |f: Option<&Factory>| {
        editing.set(Some(match f {
            Some(f) => FactoryInput {
                id: Some(f.id),
                version: f.version,
                name: f.name.clone(),
                code: f.code.clone(),
                region_id: f.region_id,
                address: f.address.clone(),
                contact: f.contact.clone(),
                phone: f.phone.clone(),
            },
            None => FactoryInput::default(),
        }));
        open.set(true);
    };
    let cols = move || {
        let region = |f: &Factory| f.region_name.clone().unwrap_or_else(|| "—".into());
        let mut cols = vec![
            Col::new(T::Name, text(|f: &Factory| f.name.clone())).sorted(|f| SortKey::Text(f.name.clone())),
            Col::new(T::Code, text(|f: &Factory| f.code.clone())).sorted(|f| SortKey::Text(f.code.clone())),
            Col::new(T::Region, text(region)).sorted(move |f| SortKey::Text(region(f))),
            Col::new(T::Address, text(|f: &Factory| f.address.clone())),
            Col::new(T::Contact, text(|f: &Factory| f.contact.clone())),
            Col::new(T::Phone, text(|f: &Factory| f.phone.clone())),
            Col::new(T::Workshops, text(move |f: &Factory| l.int(f.workshop_count))).sorted(|f| SortKey::Num(f.workshop_count)),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |f: &Factory| {
                let (f1, f2) = (f.clone(), f.clone());
                view! {
                    <button class="link" on:click=move |_| start(Some(&f1))>{T::Edit.in_(l)}</button>
                    <button
                        class="link danger"
                        on:click=move |_| {
                            deleting.set(Some(f2.clone()));
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
        <PageHeader title=tr(T::Factories).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| start(None)>{tr(T::Create)}</button> })}
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match factories.await {
                    Ok(rows) => view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Modal
            title=Signal::derive(move || {
                let edit = editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                verb_noun(l, if edit { T::Edit } else { T::Create }, T::Factory)
            })
            open
        >
            {move || {
                editing
                    .get()
                    .map(|input| {
                        view! { <FactoryForm input regions open on_saved=Callback::new(move |_| reload.update(|n| *n += 1))/> }
                    })
            }}
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || {
                format!("{} 「{}」", T::ConfirmDeleteText.in_(l), deleting.get().map(|f| f.name).unwrap_or_default())
            })
            on_confirm=Callback::new(move |_| {
                if let Some(f) = deleting.get_untracked() {
                    delete.dispatch(f.id);
                }
            })
        />
    }
}

#[component]
fn FactoryForm(input: FactoryInput, regions: Signal<Vec<(i64, String)>>, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let code = RwSignal::new(input.code.clone());
    let region_id = RwSignal::new(input.region_id);
    let address = RwSignal::new(input.address.clone());
    let contact = RwSignal::new(input.contact.clone());
    let phone = RwSignal::new(input.phone.clone());
    let errors = FormErrors::new();
    let save = Action::new(|i: &FactoryInput| {
        let i = i.clone();
        async move { save_factory(i).await }
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
        let i = FactoryInput {
            name: name.get_untracked(),
            code: code.get_untracked(),
            region_id: region_id.get_untracked(),
            address: address.get_untracked(),
            contact: contact.get_untracked(),
            phone: phone.get_untracked(),
            ..input.clone()
        };
        if errors.check(i.validate()) {
            save.dispatch(i);
        }
    };
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Code name="code" value=code errors maxlength=CODE_MAX/>
            <SelectField label=T::Region name="region_id" value=region_id options=regions errors required=true/>
            <TextField label=T::Address name="address" value=address errors maxlength=TEXT_MAX/>
            <TextField label=T::Contact name="contact" value=contact errors maxlength=NAME_MAX/>
            <TextField label=T::Phone name="phone" value=phone errors input_type="tel" maxlength=CODE_MAX/>
            <FormFooter errors pending=save.pending().into() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
