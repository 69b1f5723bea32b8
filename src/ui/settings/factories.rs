//! 基础数据 → 工厂: factories, each in a sales region.

use super::{choice_options, Records};
use crate::api::basic_data::{delete_basic, list_factories, save_factory};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Factory, FactoryInput, Kind, CODE_MAX, NAME_MAX, TEXT_MAX};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn FactoriesPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let records = Records::new();
    let factories = Resource::new(move || records.reloads.get(), |_| list_factories());
    let regions = choice_options(Kind::Region);
    let delete = records.deletion(|id| delete_basic(Kind::Factory, id));
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
            cols.push(records.actions_col(delete, input_of));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Factories).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        {loaded(factories, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
        {records.dialog(
            T::Factory,
            |e| e.id.is_some(),
            move |input| view! { <FactoryForm input regions open=records.open on_saved=records.on_saved()/> },
        )}
        {delete.dialog()}
    }
}

fn input_of(f: &Factory) -> FactoryInput {
    FactoryInput {
        id: Some(f.id),
        version: f.version,
        name: f.name.clone(),
        code: f.code.clone(),
        region_id: f.region_id,
        address: f.address.clone(),
        contact: f.contact.clone(),
        phone: f.phone.clone(),
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
    let save = SaveForm::in_dialog(save_factory, open, T::Saved, on_saved);
    let errors = save.errors;
    let on_submit = save.on_submit(FactoryInput::validate, move || FactoryInput {
        name: name.get_untracked(),
        code: code.get_untracked(),
        region_id: region_id.get_untracked(),
        address: address.get_untracked(),
        contact: contact.get_untracked(),
        phone: phone.get_untracked(),
        ..input.clone()
    });
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Code name="code" value=code errors maxlength=CODE_MAX/>
            <SelectField label=T::Region name="region_id" value=region_id options=regions errors required=true/>
            <TextField label=T::Address name="address" value=address errors maxlength=TEXT_MAX/>
            <TextField label=T::Contact name="contact" value=contact errors maxlength=NAME_MAX/>
            <TextField label=T::Phone name="phone" value=phone errors input_type="tel" maxlength=CODE_MAX/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
