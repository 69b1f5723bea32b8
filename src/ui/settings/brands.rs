//! 基础数据 → 品牌.

use crate::api::basic_data::{delete_basic, list_brands, save_brand};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{Brand, BrandInput, Kind, NAME_MAX, TEXT_MAX};
use crate::i18n::{verb_noun, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn BrandsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let reload = RwSignal::new(0u32);
    let brands = Resource::new(move || reload.get(), |_| list_brands());
    let editing: RwSignal<Option<BrandInput>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let deleting: RwSignal<Option<Brand>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let delete = Action::new(|id: &i64| {
        let id = *id;
        async move { delete_basic(Kind::Brand, id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, tr(T::Deleted));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let start = move |b: Option<&Brand>| {
        editing.set(Some(match b {
            Some(b) => BrandInput { id: Some(b.id), version: b.version, name: b.name.clone(), remark: b.remark.clone() },
            None => BrandInput::default(),
        }));
        open.set(true);
    };
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Name, text(|b: &Brand| b.name.clone())).sorted(|b| SortKey::Text(b.name.clone())),
            Col::new(T::Remark, text(|b: &Brand| b.remark.clone())),
            Col::new(T::Products, text(move |b: &Brand| l.int(b.product_count))).sorted(|b| SortKey::Num(b.product_count)),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |b: &Brand| {
                let (b1, b2) = (b.clone(), b.clone());
                view! {
                    <button class="link" on:click=move |_| start(Some(&b1))>{tr(T::Edit)}</button>
                    <button
                        class="link danger"
                        on:click=move |_| {
                            deleting.set(Some(b2.clone()));
                            confirm.set(true);
                        }
                    >
                        {tr(T::Delete)}
                    </button>
                }
                .into_any()
            }));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Brands).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| start(None)>{tr(T::Create)}</button> })}
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match brands.await {
                    Ok(rows) => view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Modal
            title=Signal::derive(move || {
                let edit = editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                verb_noun(l, if edit { T::Edit } else { T::Create }, T::Brand)
            })
            open
        >
            {move || editing.get().map(|input| view! { <BrandForm input open on_saved=Callback::new(move |_| reload.update(|n| *n += 1))/> })}
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || format!("{} 「{}」", tr(T::ConfirmDeleteText), deleting.get().map(|b| b.name).unwrap_or_default()))
            on_confirm=Callback::new(move |_| {
                if let Some(b) = deleting.get_untracked() {
                    delete.dispatch(b.id);
                }
            })
        />
    }
}

#[component]
fn BrandForm(input: BrandInput, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let remark = RwSignal::new(input.remark.clone());
    let errors = FormErrors::new();
    let save = Action::new(|i: &BrandInput| {
        let i = i.clone();
        async move { save_brand(i).await }
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
        let i = BrandInput { name: name.get_untracked(), remark: remark.get_untracked(), ..input.clone() };
        if errors.check(i.validate()) {
            save.dispatch(i);
        }
    };
    view! {
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <TextField label=T::Remark name="remark" value=remark errors maxlength=TEXT_MAX/>
            <FormFooter errors pending=save.pending().into() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}
