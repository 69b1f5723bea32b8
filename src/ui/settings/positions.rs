//! 设置 → 岗位设置: positions and the permission tree each one grants.

use super::{edit_delete, Records};
use crate::api::accounts::{delete_position, list_positions, save_position};
use crate::domain::access::{Function, Grants, Level, Module};
use crate::domain::accounts::{Position, PositionInput, POSITION_DESC_MAX, POSITION_NAME_MAX};
use crate::i18n::{verb_noun, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

/// The three choices for a function (or a whole module): the level and the radio's value.
const LEVELS: [(Option<Level>, &str, T); 3] =
    [(None, "none", T::NoAccess), (Some(Level::View), "view", T::ViewOnly), (Some(Level::Manage), "manage", T::Manage)];

/// The level every function of `m` has, if they all agree (`None` when they differ).
fn module_level(g: &Grants, m: Module) -> Option<Option<Level>> {
    let mut levels = m.functions().map(|f| g.level(f));
    let first = levels.next()?;
    levels.all(|l| l == first).then_some(first)
}

/// "新建岗位" / "New position".
/// What the modal shows: a position to create or edit, or one to look at only.
#[derive(Clone, Default)]
struct Editing {
    input: PositionInput,
    read_only: bool,
}

#[component]
pub fn PositionsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Positions, Level::Manage);
    let records = Records::new();
    let positions = Resource::new(move || records.reloads.get(), |_| list_positions());
    // A refusal says why: still held by accounts (Msg::InUse), or built-in.
    let delete = records.deletion(delete_position);
    let start = move |p: &Position, read_only: bool| {
        let input = PositionInput {
            id: Some(p.id),
            version: p.version,
            name: p.name.clone(),
            description: p.description.clone(),
            grants: p.grants.clone(),
        };
        records.edit(Editing { input, read_only });
    };
    let cols = move || {
        vec![
            Col::new(T::Name, move |p: &Position| {
                let name = p.name.clone();
                let builtin = p.builtin;
                view! {
                    {name}
                    {builtin.then(|| view! { " " <span class="badge">{tr(T::BuiltIn)}</span> })}
                }
                .into_any()
            })
            .sorted(|p| SortKey::Text(p.name.clone())),
            Col::new(T::Description, text(|p: &Position| p.description.clone())),
            Col::new(T::Permissions, move |p: &Position| {
                let summary = p.grants.summary(l);
                let full = summary.clone();
                view! { <span class="ellipsis" title=full>{summary}</span> }.into_any()
            }),
            Col::new(T::AccountCount, text(move |p: &Position| l.int(p.account_count))).sorted(|p| SortKey::Num(p.account_count)),
            Col::new(T::UpdatedAt, text(move |p: &Position| l.datetime(&p.updated_at))).sorted(|p| SortKey::Num(p.updated_at.timestamp())),
            Col::new(T::Actions, move |p: &Position| {
                let (p1, p2, p3) = (p.clone(), p.clone(), p.clone());
                if manage && !p.builtin {
                    edit_delete(move || start(&p1, false), move || delete.ask(&p2))
                } else {
                    view! { <button class="link" on:click=move |_| start(&p3, true)>{tr(T::View)}</button> }.into_any()
                }
            }),
        ]
    };
    view! {
        <PageHeader title=tr(T::Positions).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        {loaded(positions, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
        <Modal
            title=Signal::derive(move || {
                let verb = records
                    .editing
                    .with(|e| match e {
                        Some(e) if e.read_only => T::View,
                        Some(e) if e.input.id.is_some() => T::Edit,
                        _ => T::Create,
                    });
                verb_noun(l, verb, T::Position)
            })
            open=records.open
        >
            {move || {
                records
                    .editing
                    .get()
                    .map(|e| {
                        view! {
                            <PositionForm
                                input=e.input
                                read_only=e.read_only
                                open=records.open
                                on_saved=records.on_saved()
                            />
                        }
                    })
            }}
        </Modal>
        {delete.dialog()}
    }
}

#[component]
fn PositionForm(input: PositionInput, read_only: bool, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let description = RwSignal::new(input.description.clone());
    let grants = RwSignal::new(input.grants.clone());
    let save = SaveForm::in_dialog(save_position, open, T::Saved, on_saved);
    let errors = save.errors;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if read_only {
            return;
        }
        let i = PositionInput {
            name: name.get_untracked(),
            description: description.get_untracked(),
            grants: grants.get_untracked(),
            ..input.clone()
        };
        save.submit(i, PositionInput::validate);
    };
    view! {
        <form class="position-form" on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=!read_only maxlength=POSITION_NAME_MAX disabled=read_only/>
            <TextField label=T::Description name="description" value=description errors maxlength=POSITION_DESC_MAX disabled=read_only/>
            <PermissionTree grants read_only errors/>
            {if read_only {
                view! {
                    <div class="form-actions">
                        <button type="button" class="btn" on:click=move |_| open.set(false)>
                            {tr(T::Close)}
                        </button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
                }
                .into_any()
            }}
        </form>
    }
}

/// Every module with a control for all its functions at once, then each function with
/// 无权限 / 仅查看 / 管理. Radio groups are named `module-<Module>` and `grant-<Function>`.
#[component]
fn PermissionTree(grants: RwSignal<Grants>, read_only: bool, errors: FormErrors) -> impl IntoView {
    let l = use_locale();
    let msg = errors.message("grants");
    let modules = Module::ALL
        .into_iter()
        .map(|m| {
            let group = format!("module-{m:?}");
            let module_radios = level_radios(
                group,
                grants,
                read_only,
                move |g| module_level(g, m),
                move |g, lv| {
                    for f in m.functions() {
                        g.set(f, lv);
                    }
                },
            );
            let functions = m
                .functions()
                .map(|f| {
                    let group = format!("grant-{f:?}");
                    let radios = level_radios(group, grants, read_only, move |g| Some(g.level(f)), move |g, lv| g.set(f, lv));
                    view! {
                        <div class="grant-row" role="radiogroup" aria-label=f.label(l)>
                            <span class="grant-name">{f.label(l)}</span>
                            <span class="grant-levels">{radios}</span>
                        </div>
                    }
                })
                .collect_view();
            let granted = move || grants.with(|g| m.functions().filter(|f| g.level(*f).is_some()).count());
            let count = m.functions().count();
            view! {
                <fieldset class="grant-module" data-module=format!("{m:?}")>
                    <legend>
                        {m.label(l)} " " <span class="muted">{move || format!("({}/{count})", granted())}</span>
                    </legend>
                    <div class="grant-row module-row" role="radiogroup" aria-label=m.label(l)>
                        <span class="grant-name">{tr(T::AllFunctions)}</span>
                        <span class="grant-levels">{module_radios}</span>
                    </div>
                    {functions}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <div class="field grant-tree" class:invalid=move || msg.get().is_some()>
            <span class="label">{tr(T::Permissions)} {(!read_only).then_some(" *")}</span>
            {modules}
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field="grants" role="alert">
                    {move || msg.get()}
                </p>
            </Show>
        </div>
    }
}

/// The 无权限 / 仅查看 / 管理 radios of one group: `level` reads the group's level from the grants
/// (`None` when its functions differ), `set` gives it one.
fn level_radios(
    group: String,
    grants: RwSignal<Grants>,
    read_only: bool,
    level: impl Fn(&Grants) -> Option<Option<Level>> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut Grants, Option<Level>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    LEVELS
        .into_iter()
        .map(|(lv, value, label)| {
            view! {
                <label class="radio">
                    <input
                        type="radio"
                        name=group.clone()
                        value=value
                        disabled=read_only
                        prop:checked=move || grants.with(|g| level(g) == Some(lv))
                        on:change=move |_| grants.update(|g| set(g, lv))
                    />
                    {tr(label)}
                </label>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_level_is_shared_level_or_mixed() {
        let mut g = Grants::default();
        assert_eq!(module_level(&g, Module::Insight), Some(None));
        g.set(Function::Crowds, Some(Level::View));
        assert_eq!(module_level(&g, Module::Insight), None);
        g.set(Function::CrowdAnalysis, Some(Level::View));
        assert_eq!(module_level(&g, Module::Insight), Some(Some(Level::View)));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn tree_names_every_function_and_module() {
        let owner = Owner::new();
        owner.set();
        let grants = RwSignal::new(Grants::default());
        let errors = FormErrors::new();
        let html = view! { <PermissionTree grants read_only=true errors/> }.to_html();
        for f in Function::ALL {
            assert_eq!(html.matches(&format!("name=\"grant-{f:?}\"")).count(), 3, "{f:?}");
        }
        for m in Module::ALL {
            assert_eq!(html.matches(&format!("name=\"module-{m:?}\"")).count(), 3, "{m:?}");
        }
        assert_eq!(html.matches("disabled").count(), 3 * (Function::ALL.len() + Module::ALL.len()));
    }
}
