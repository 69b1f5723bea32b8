//! 设置 → 预警通知: the warnings raised from the code specs' warning parameters, newest first,
//! filtered by kind and state and paginated on the server; "mark handled" for managers.

use crate::api::warnings::{handle_warning, list_warnings};
use crate::domain::access::{Function, Level};
use crate::domain::warnings::{Warning, WarningFilter, WarningKind};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

/// The value of the state filter's select.
fn handled_value(h: Option<bool>) -> &'static str {
    match h {
        None => "",
        Some(false) => "open",
        Some(true) => "handled",
    }
}

fn parse_handled(s: &str) -> Option<bool> {
    match s {
        "open" => Some(false),
        "handled" => Some(true),
        _ => None,
    }
}

#[component]
pub fn WarningsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Warnings, Level::Manage);
    // The filter being edited; "Search" applies it. Unhandled ones first: that is the work.
    let f_kind: RwSignal<Option<WarningKind>> = RwSignal::new(None);
    let f_handled: RwSignal<Option<bool>> = RwSignal::new(Some(false));
    let list = ServerList::<WarningFilter>::new();
    list.filter.set(WarningFilter { kind: None, handled: Some(false) });
    let reloads = RwSignal::new(0u32);
    let warnings = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_warnings(f, p));

    let handle = Action::new(|id: &i64| handle_warning(*id));
    Effect::new(move |_| match handle.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::MarkedHandled.in_(l));
            reloads.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });

    let on_search = move || list.apply(WarningFilter { kind: f_kind.get_untracked(), handled: f_handled.get_untracked() });
    let on_reset = move || {
        f_kind.set(None);
        f_handled.set(None);
        list.apply(WarningFilter::default());
    };

    let cols = move || {
        vec![
            Col::new(T::Time, text(move |w: &Warning| l.datetime(&w.created_at))),
            Col::new(T::WarningKindCol, move |w: &Warning| {
                view! { <span class="badge" data-kind=w.kind.key()>{w.kind.label(l)}</span> }.into_any()
            }),
            Col::new(T::WarningCol, |w: &Warning| {
                view! {
                    <div class="warning-text">
                        <strong>{w.title.clone()}</strong>
                        <p class="hint">{w.body.clone()}</p>
                    </div>
                }
                .into_any()
            }),
            Col::new(T::HandledState, move |w: &Warning| match w.handled_at {
                Some(at) => view! {
                    <span class="badge ok">{tr(T::Handled)}</span>
                    <div class="hint">{w.handled_by_name.clone().unwrap_or_default()} " " {l.datetime(&at)}</div>
                }
                .into_any(),
                None => view! { <span class="badge off">{tr(T::Unhandled)}</span> }.into_any(),
            }),
            Col::new(T::Actions, move |w: &Warning| {
                let id = w.id;
                let open = w.handled_at.is_none();
                let link = (!w.link.is_empty()).then(|| w.link.clone());
                view! {
                    {link.map(|href| view! { <a class="link" href=href>{tr(T::GoHandle)}</a> })}
                    {(manage && open)
                        .then(|| {
                            view! {
                                <button
                                    class="link"
                                    disabled=move || handle.pending().get()
                                    on:click=move |_| {
                                        handle.dispatch(id);
                                    }
                                >
                                    {tr(T::MarkHandled)}
                                </button>
                            }
                        })}
                }
                .into_any()
            }),
        ]
    };

    view! {
        <PageHeader title=tr(T::WarningNotices).to_string()/>
        <p class="hint">{tr(T::WarningsHint)}</p>
        <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
            <label class="filter">
                <span class="label">{tr(T::WarningKindCol)}</span>
                <select
                    name="kind"
                    on:change=move |ev| f_kind.set(WarningKind::from_key(&event_target_value(&ev)))
                    prop:value=move || f_kind.get().map(WarningKind::key).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    {WarningKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.key() selected=move || f_kind.get() == Some(k)>{k.label(l)}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="filter">
                <span class="label">{tr(T::HandledState)}</span>
                <select
                    name="handled"
                    on:change=move |ev| f_handled.set(parse_handled(&event_target_value(&ev)))
                    prop:value=move || handled_value(f_handled.get())
                >
                    <option value="">{tr(T::All)}</option>
                    <option value="open" selected=move || f_handled.get() == Some(false)>{tr(T::Unhandled)}</option>
                    <option value="handled" selected=move || f_handled.get() == Some(true)>{tr(T::Handled)}</option>
                </select>
            </label>
        </FilterBar>
        {loaded(warnings, move |p| list.table(p, cols()))}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_filter_values_parse() {
        for h in [None, Some(false), Some(true)] {
            assert_eq!(parse_handled(handled_value(h)), h);
        }
    }
}
