//! 基础数据 → 车间 and 产线: workshops of a factory and production lines of a workshop share
//! one shape ([`Unit`]), so one page serves both.

use super::{choice_options, Records};
use crate::api::basic_data::{delete_basic, list_units, save_unit};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Kind, Unit, UnitInput, CODE_MAX, NAME_MAX};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn WorkshopsPage() -> impl IntoView {
    view! { <UnitsPage kind=Kind::Workshop/> }
}

#[component]
pub fn LinesPage() -> impl IntoView {
    view! { <UnitsPage kind=Kind::Line/> }
}

/// What differs between workshops and production lines.
#[derive(Clone, Copy)]
struct Texts {
    /// The page title (plural).
    title: T,
    /// One record, for dialog titles.
    one: T,
    /// The kind of the parent record, for its select box.
    parent: Kind,
    parent_label: T,
    /// The children column's title, if the records have children.
    children: Option<T>,
}

fn texts_of(kind: Kind) -> Texts {
    match kind {
        Kind::Workshop => Texts {
            title: T::Workshops,
            one: T::Workshop,
            parent: Kind::Factory,
            parent_label: T::Factory,
            children: Some(T::ProductionLines),
        },
        _ => Texts { title: T::ProductionLines, one: T::ProductionLine, parent: Kind::Workshop, parent_label: T::Workshop, children: None },
    }
}

#[component]
fn UnitsPage(kind: Kind) -> impl IntoView {
    let l = use_locale();
    let x = texts_of(kind);
    let manage = can(Function::BasicData, Level::Manage);
    let records = Records::new();
    let units = Resource::new(move || records.reloads.get(), move |_| list_units(kind));
    let parents = choice_options(x.parent);
    let delete = records.deletion(move |id| delete_basic(kind, id));
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Name, text(|u: &Unit| u.name.clone())).sorted(|u| SortKey::Text(u.name.clone())),
            Col::new(T::Code, text(|u: &Unit| u.code.clone())).sorted(|u| SortKey::Text(u.code.clone())),
            Col::new(x.parent_label, text(|u: &Unit| u.parent_name.clone())).sorted(|u| SortKey::Text(u.parent_name.clone())),
        ];
        if let Some(children) = x.children {
            cols.push(Col::new(children, text(move |u: &Unit| l.int(u.child_count))).sorted(|u| SortKey::Num(u.child_count)));
        }
        if manage {
            cols.push(records.actions_col(delete, input_of));
        }
        cols
    };
    view! {
        <PageHeader title=tr(x.title).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        {loaded(units, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
        {records.dialog(
            x.one,
            |e| e.id.is_some(),
            move |input| {
                view! { <UnitForm kind input parents parent_label=x.parent_label open=records.open on_saved=records.on_saved()/> }
            },
        )}
        {delete.dialog()}
    }
}

fn input_of(u: &Unit) -> UnitInput {
    UnitInput { id: Some(u.id), version: u.version, name: u.name.clone(), code: u.code.clone(), parent_id: Some(u.parent_id) }
}

#[component]
fn UnitForm(
    kind: Kind,
    input: UnitInput,
    parents: Signal<Vec<(i64, String)>>,
    parent_label: T,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let code = RwSignal::new(input.code.clone());
    let parent_id = RwSignal::new(input.parent_id);
    let save = SaveForm::in_dialog(move |i| save_unit(kind, i), open, T::Saved, on_saved);
    let errors = save.errors;
    let on_submit = save.on_submit(UnitInput::validate, move || UnitInput {
        name: name.get_untracked(),
        code: code.get_untracked(),
        parent_id: parent_id.get_untracked(),
        ..input.clone()
    });
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Code name="code" value=code errors maxlength=CODE_MAX/>
            <SelectField label=parent_label name="parent_id" value=parent_id options=parents errors required=true/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
