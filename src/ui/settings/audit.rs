//! 设置 → 操作日志: who changed what, newest first, filtered and paginated on the server.

use crate::api::audit::{audit_people, list_audit};
use crate::domain::access::Module;
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use chrono::NaiveDate;
use leptos::prelude::*;

/// The value of a module in the filter's select.
fn module_value(m: Module) -> String {
    format!("{m:?}")
}

fn parse_module(s: &str) -> Option<Module> {
    Module::ALL.into_iter().find(|m| module_value(*m) == s)
}

/// An `<input type="date">` value; empty (or anything else) means no bound.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The console's words for the action codes the server records; unknown codes show as they are.
fn action_label(code: &str) -> Option<T> {
    Some(match code {
        "create" => T::Create,
        "update" => T::Edit,
        "delete" => T::Delete,
        "enable" => T::Enable,
        "disable" => T::Disable,
        "import" => T::Import,
        "export" => T::Export,
        "upload" => T::Upload,
        "sign_in" => T::SignIn,
        "sign_out" => T::SignOut,
        _ => return None,
    })
}

/// The console's words for the entity codes the server records; unknown codes show as they are.
fn entity_label(code: &str) -> Option<T> {
    Some(match code {
        "brand" => T::Brand,
        "product" => T::AuditProduct,
        "region" => T::Region,
        "factory" => T::Factory,
        "workshop" => T::Workshop,
        "production_line" => T::AuditLine,
        "position" => T::Position,
        "account" => T::Account,
        _ => return None,
    })
}

fn label_or_code(label: Option<T>, code: &str) -> String {
    label.map(|t| tr(t).to_string()).unwrap_or_else(|| code.to_string())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let l = use_locale();
    // The people for the user filter: loaded in the browser only.
    let people = LocalResource::new(audit_people);
    let people_options = Signal::derive(move || {
        people.get().and_then(Result::ok).map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect::<Vec<_>>()).unwrap_or_default()
    });

    // The filter being edited; "Search" applies it.
    let f_user: RwSignal<Option<i64>> = RwSignal::new(None);
    let f_module: RwSignal<Option<Module>> = RwSignal::new(None);
    let f_from = RwSignal::new(String::new());
    let f_to = RwSignal::new(String::new());
    let range_error = RwSignal::new(false);
    let list = ServerList::<AuditFilter>::new();
    let entries = Resource::new(move || list.query(), |(f, p)| list_audit(f, p));
    let on_search = move || {
        let from = parse_date(&f_from.get_untracked());
        let to = parse_date(&f_to.get_untracked());
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                range_error.set(true);
                return;
            }
        }
        range_error.set(false);
        list.apply(AuditFilter { user_id: f_user.get_untracked(), module: f_module.get_untracked(), from, to });
    };
    let on_reset = move || {
        f_user.set(None);
        f_module.set(None);
        f_from.set(String::new());
        f_to.set(String::new());
        range_error.set(false);
        list.apply(AuditFilter::default());
    };

    let cols = move || {
        vec![
            Col::new(T::Time, text(move |e: &AuditEntry| l.datetime(&e.at))),
            Col::new(T::User, text(|e: &AuditEntry| e.user_name.clone())),
            Col::new(T::Module, text(move |e: &AuditEntry| e.module.label(l).to_string())),
            Col::new(T::Action, text(|e: &AuditEntry| label_or_code(action_label(&e.action), &e.action))),
            Col::new(T::Entity, move |e: &AuditEntry| {
                let label = label_or_code(entity_label(&e.entity), &e.entity);
                let id = e.entity_id.map(|id| format!(" #{id}"));
                view! {
                    <span data-entity=e.entity.clone()>{label}</span>
                    {id.map(|id| view! { <span class="muted">{id}</span> })}
                }
                .into_any()
            }),
            Col::new(T::Summary, move |e: &AuditEntry| {
                let summary = e.summary.clone();
                let full = summary.clone();
                view! { <span class="ellipsis" title=full>{summary}</span> }.into_any()
            }),
        ]
    };

    view! {
        <PageHeader title=tr(T::AuditLog).to_string()/>
        <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
            <FilterSelect label=T::User name="user_id" value=f_user options=people_options/>
            <label class="filter">
                <span class="label">{tr(T::Module)}</span>
                <select
                    name="module"
                    on:change=move |ev| f_module.set(parse_module(&event_target_value(&ev)))
                    prop:value=move || f_module.get().map(module_value).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    {Module::ALL
                        .into_iter()
                        .map(|m| {
                            view! {
                                <option value=module_value(m) selected=move || f_module.get() == Some(m)>
                                    {m.label(l)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="filter">
                <span class="label">{tr(T::DateFrom)}</span>
                <input
                    type="date"
                    name="from"
                    bind:value=f_from
                    max=move || Some(f_to.get()).filter(|s| !s.is_empty())
                />
            </label>
            <label class="filter">
                <span class="label">{tr(T::DateTo)}</span>
                <input
                    type="date"
                    name="to"
                    bind:value=f_to
                    min=move || Some(f_from.get()).filter(|s| !s.is_empty())
                />
            </label>
        </FilterBar>
        <Show when=move || range_error.get()>
            <p class="field-error" data-field="to" role="alert">{tr(T::DateRangeInvalid)}</p>
        </Show>
        {loaded(entries, move |p| list.table(p, cols()))}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_parse() {
        for m in Module::ALL {
            assert_eq!(parse_module(&module_value(m)), Some(m));
        }
        assert_eq!(parse_module(""), None);
        assert_eq!(parse_date("2026-11-21"), NaiveDate::from_ymd_opt(2026, 11, 21));
        assert_eq!(parse_date(""), None);
        assert_eq!(action_label("update"), Some(T::Edit));
        assert_eq!(entity_label("nope"), None);
    }
}
