//! 设置: basic data, positions, accounts, audit log, message centre.
//!
//! Also what their list pages share: choice options for select boxes, the reload counter and
//! create/edit dialog of a list (`Records`), and deleting a record once confirmed (`Deletion`).

pub mod accounts;
pub mod audit;
pub mod brands;
pub mod downloads;
pub mod factories;
pub mod messages;
pub mod positions;
pub mod products;
pub mod regions;
pub mod units;
pub mod warnings;

use crate::api::basic_data::choices;
use crate::domain::accounts::Position;
use crate::domain::basic_data::{Brand, Factory, Kind, Product, Region, Unit};
use crate::error::AppError;
use crate::i18n::{verb_noun, T};
use crate::ui::widgets::{toast, toast_error, Col, ConfirmDialog, Modal, ToastKind};
use crate::ui::{tr, use_locale};
use leptos::prelude::*;

/// The (id, name) choices of a kind for a select box, loaded in the browser; a failed load
/// shows as an error toast. The resource is read only by an effect: read while rendering on the
/// server, a local resource would hold the enclosing `<Suspense>` on its fallback.
pub(super) fn choice_options(kind: Kind) -> Signal<Vec<(i64, String)>> {
    let options = RwSignal::new(vec![]);
    let res = LocalResource::new(move || choices(kind));
    Effect::new(move |_| match res.get() {
        Some(Ok(list)) => options.set(list.into_iter().map(|c| (c.id, c.name)).collect()),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    options.into()
}

/// A listed record: what its delete confirmation names and sends.
pub(super) trait Record {
    fn id(&self) -> i64;
    fn name(&self) -> &str;
}

macro_rules! record {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn id(&self) -> i64 {
                self.id
            }
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}

record!(Brand, Region, Factory, Unit, Product, Position);

/// A settings list with a create/edit dialog: the reload counter its resource follows, and the
/// input being edited in the modal.
pub(super) struct Records<E: 'static> {
    pub reloads: RwSignal<u32>,
    pub editing: RwSignal<Option<E>>,
    pub open: RwSignal<bool>,
}

impl<E> Clone for Records<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Records<E> {}

impl<E: Clone + Send + Sync + 'static> Records<E> {
    pub fn new() -> Self {
        Records { reloads: RwSignal::new(0), editing: RwSignal::new(None), open: RwSignal::new(false) }
    }

    /// Fetches the list again.
    pub fn reload(self) {
        self.reloads.update(|n| *n += 1);
    }

    /// For a dialog's `on_saved`: fetches the list again.
    pub fn on_saved(self) -> Callback<()> {
        Callback::new(move |_| self.reload())
    }

    /// Opens the dialog on `input`: a new record's defaults or an existing record's fields.
    pub fn edit(self, input: E) {
        self.editing.set(Some(input));
        self.open.set(true);
    }

    /// The page header's "Create" button.
    pub fn create_button(self) -> impl IntoView
    where
        E: Default,
    {
        view! { <button class="btn primary" on:click=move |_| self.edit(E::default())>{tr(T::Create)}</button> }
    }

    /// The create/edit dialog, titled "New <noun>" or "Edit <noun>" (`is_existing` tells which),
    /// showing `form` on the input being edited.
    pub fn dialog<V: IntoView + 'static>(
        self,
        noun: T,
        is_existing: fn(&E) -> bool,
        form: impl Fn(E) -> V + Copy + Send + Sync + 'static,
    ) -> impl IntoView {
        let l = use_locale();
        let Records { editing, open, .. } = self;
        view! {
            <Modal
                title=Signal::derive(move || {
                    let edit = editing.with(|e| e.as_ref().is_some_and(is_existing));
                    verb_noun(l, if edit { T::Edit } else { T::Create }, noun)
                })
                open
            >
                {move || editing.get().map(form)}
            </Modal>
        }
    }

    /// The Actions column: "Edit" opens the row's record in the dialog (`input_of` gives its
    /// fields), "Delete" asks first.
    pub fn actions_col<R>(self, delete: Deletion, input_of: fn(&R) -> E) -> Col<R>
    where
        R: Record + Clone + Send + Sync + 'static,
    {
        Col::new(T::Actions, move |r: &R| {
            let (r1, r2) = (r.clone(), r.clone());
            edit_delete(move || self.edit(input_of(&r1)), move || delete.ask(&r2))
        })
    }

    /// Deleting a record through `call` once confirmed; the list reloads after, a refusal
    /// (still in use, built-in …) shows as an error toast.
    pub fn deletion<Fut>(self, call: impl Fn(i64) -> Fut + Send + Sync + 'static) -> Deletion
    where
        Fut: std::future::Future<Output = Result<(), AppError>> + Send + 'static,
    {
        let l = use_locale();
        let action = Action::new(move |id: &i64| call(*id));
        Effect::new(move |_| match action.value().get() {
            Some(Ok(())) => {
                toast(ToastKind::Ok, T::Deleted.in_(l));
                self.reload();
            }
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
        Deletion { target: RwSignal::new(None), confirm: RwSignal::new(false), action }
    }
}

/// The delete-with-confirmation of a list's records; see [`Records::deletion`].
#[derive(Clone, Copy)]
pub(super) struct Deletion {
    /// The record asked about: its id and name.
    target: RwSignal<Option<(i64, String)>>,
    confirm: RwSignal<bool>,
    action: Action<i64, Result<(), AppError>>,
}

impl Deletion {
    /// Asks whether to delete `r`.
    pub fn ask(self, r: &impl Record) {
        self.target.set(Some((r.id(), r.name().to_string())));
        self.confirm.set(true);
    }

    /// The confirmation, "<ConfirmDeleteText> 「name」"; "Confirm" sends the delete.
    pub fn dialog(self) -> impl IntoView {
        let l = use_locale();
        let Deletion { target, confirm, action } = self;
        view! {
            <ConfirmDialog
                open=confirm
                text=Signal::derive(move || {
                    format!("{} 「{}」", T::ConfirmDeleteText.in_(l), target.get().map(|(_, name)| name).unwrap_or_default())
                })
                on_confirm=Callback::new(move |_| {
                    if let Some((id, _)) = target.get_untracked() {
                        action.dispatch(id);
                    }
                })
            />
        }
    }
}

/// The "Edit" and "Delete" links of a record's row.
pub(super) fn edit_delete(on_edit: impl Fn() + 'static, on_delete: impl Fn() + 'static) -> AnyView {
    view! {
        <button class="link" on:click=move |_| on_edit()>{tr(T::Edit)}</button>
        <button class="link danger" on:click=move |_| on_delete()>{tr(T::Delete)}</button>
    }
    .into_any()
}
