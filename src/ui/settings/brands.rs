//! 基础数据 → 品牌.

use super::Records;
use crate::api::basic_data::{delete_basic, list_brands, save_brand};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Brand, BrandInput, Kind, NAME_MAX, TEXT_MAX};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn BrandsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let records = Records::new();
    let brands = Resource::new(move || records.reloads.get(), |_| list_brands());
    let delete = records.deletion(|id| delete_basic(Kind::Brand, id));
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Name, text(|b: &Brand| b.name.clone())).sorted(|b| SortKey::Text(b.name.clone())),
            Col::new(T::Remark, text(|b: &Brand| b.remark.clone())),
            Col::new(T::Products, text(move |b: &Brand| l.int(b.product_count))).sorted(|b| SortKey::Num(b.product_count)),
        ];
        if manage {
            cols.push(records.actions_col(delete, input_of));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Brands).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        {loaded(brands, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
        {records.dialog(T::Brand, |e| e.id.is_some(), move |input| view! { <BrandForm input open=records.open on_saved=records.on_saved()/> })}
        {delete.dialog()}
    }
}

fn input_of(b: &Brand) -> BrandInput {
    BrandInput { id: Some(b.id), version: b.version, name: b.name.clone(), remark: b.remark.clone() }
}

#[component]
fn BrandForm(input: BrandInput, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let remark = RwSignal::new(input.remark.clone());
    let save = SaveForm::in_dialog(save_brand, open, T::Saved, on_saved);
    let errors = save.errors;
    let on_submit = save.on_submit(BrandInput::validate, move || BrandInput {
        name: name.get_untracked(),
        remark: remark.get_untracked(),
        ..input.clone()
    });
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Remark name="remark" value=remark errors maxlength=TEXT_MAX/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
