//! 基础数据 → 车间 and 产线: workshops of a factory and production lines of a workshop share
//! one shape ([`Unit`]), so one page serves both.

use super::choice_options;
use crate::api::basic_data::{delete_basic, list_units, save_unit};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Kind, Unit, UnitInput, CODE_MAX, NAME_MAX};
use crate::i18n::verb_noun;
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
    let reload = RwSignal::new(0u32);
    let units = Resource::new(move || reload.get(), move |_| list_units(kind));
    let parents = choice_options(x.parent);
    let editing: RwSignal<Option<UnitInput>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let deleting: RwSignal<Option<Unit>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let delete = Action::new(move |id: &i64| {
        let id = *id;
        async move { delete_basic(kind, id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::Deleted.in_(l));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let start = move |u: Option<&Unit>| {
        editing.set(Some(match u {
            Some(u) => {
                UnitInput { id: Some(u.id), version: u.version, name: u.name.clone(), code: u.code.clone(), parent_id: Some(u.parent_id) }
            }
            None => UnitInput::default(),
        }));
        open.set(true);
    };
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
            cols.push(Col::new(T::Actions, move |u: &Unit| {
                let (u1, u2) = (u.clone(), u.clone());
                view! {
                    <button class="link" on:click=move |_| start(Some(&u1))>{T::Edit.in_(l)}</button>
                    <button
                        class="link danger"
                        on:click=move |_| {
                            deleting.set(Some(u2.clone()));
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
        <PageHeader title=tr(x.title).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| start(None)>{tr(T::Create)}</button> })}
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match units.await {
                    Ok(rows) => view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Modal
            title=Signal::derive(move || {
                let edit = editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                verb_noun(l, if edit { T::Edit } else { T::Create }, x.one)
            })
            open
        >
            {move || {
                editing
                    .get()
                    .map(|input| {
                        view! {
                            <UnitForm
                                kind
                                input
                                parents
                                parent_label=x.parent_label
                                open
                                on_saved=Callback::new(move |_| reload.update(|n| *n += 1))
                            />
                        }
                    })
            }}
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || {
                format!("{} 「{}」", T::ConfirmDeleteText.in_(l), deleting.get().map(|u| u.name).unwrap_or_default())
            })
            on_confirm=Callback::new(move |_| {
                if let Some(u) = deleting.get_untracked() {
                    delete.dispatch(u.id);
                }
            })
        />
    }
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
    let errors = FormErrors::new();
    let save = Action::new(move |i: &UnitInput| {
        let i = i.clone();
        async move { save_unit(kind, i).await }
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
        let i = UnitInput { name: name.get_untracked(), code: code.get_untracked(), parent_id: parent_id.get_untracked(), ..input.clone() };
        if errors.check(i.validate()) {
            save.dispatch(i);
        }
    };
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Code name="code" value=code errors maxlength=CODE_MAX/>
            <SelectField label=parent_label name="parent_id" value=parent_id options=parents errors required=true/>
            <FormFooter errors pending=save.pending().into() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
