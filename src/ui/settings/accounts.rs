//! 设置 → 账号管理: the enterprise's staff accounts, filtered and paginated on the server.

use super::Records;
use crate::api::accounts::{list_accounts, list_positions, save_account, set_account_status};
use crate::domain::access::{Function, Level};
use crate::domain::accounts::{Account, AccountFilter, AccountInput, AccountStatus, ACCOUNT_NAME_MAX, ACCOUNT_REMARK_MAX};
use crate::i18n::verb_noun;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

fn status_value(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Enabled => "enabled",
        AccountStatus::Disabled => "disabled",
    }
}

fn parse_status(s: &str) -> Option<AccountStatus> {
    match s {
        "enabled" => Some(AccountStatus::Enabled),
        "disabled" => Some(AccountStatus::Disabled),
        _ => None,
    }
}

fn status_badge(s: AccountStatus) -> impl IntoView {
    let (class, label) = match s {
        AccountStatus::Enabled => ("badge ok", T::Enabled),
        AccountStatus::Disabled => ("badge off", T::Disabled),
    };
    view! { <span class=class data-status=status_value(s)>{tr(label)}</span> }
}

fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "—".to_string(),
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Accounts, Level::Manage);
    let records = Records::new();
    // The positions for the filter and the form: loaded in the browser only.
    let positions = LocalResource::new(list_positions);
    let position_options = Signal::derive(move || {
        positions.get().and_then(Result::ok).map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect::<Vec<_>>()).unwrap_or_default()
    });

    // The filter being edited; "Search" applies it.
    let f_position: RwSignal<Option<i64>> = RwSignal::new(None);
    let f_status: RwSignal<Option<AccountStatus>> = RwSignal::new(None);
    let f_search = RwSignal::new(String::new());
    let list = ServerList::<AccountFilter>::new();
    let accounts = Resource::new(move || (list.query(), records.reloads.get()), |((f, p), _)| list_accounts(f, p));
    let on_search = move || {
        list.apply(AccountFilter {
            position_id: f_position.get_untracked(),
            status: f_status.get_untracked(),
            search: f_search.get_untracked().trim().to_string(),
        });
    };
    let on_reset = move || {
        f_position.set(None);
        f_status.set(None);
        f_search.set(String::new());
        list.apply(AccountFilter::default());
    };

    // Dialogs: details, create/edit, confirm disabling.
    let viewing: RwSignal<Option<Account>> = RwSignal::new(None);
    let view_open = RwSignal::new(false);
    let disabling: RwSignal<Option<Account>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);

    let set_status = Action::new(|(id, status): &(i64, AccountStatus)| {
        let (id, status) = (*id, *status);
        async move { set_account_status(id, status).await }
    });
    Effect::new(move |_| match set_status.value().get() {
        Some(Ok(a)) => {
            let notice = match a.status {
                AccountStatus::Enabled => T::AccountEnabledNotice,
                AccountStatus::Disabled => T::AccountDisabledNotice,
            };
            toast(ToastKind::Ok, tr(notice));
            records.reload();
        }
        // e.g. Msg::CannotDisableSelf.
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let cols = move || {
        vec![
            Col::new(T::PersonName, text(|a: &Account| a.name.clone())),
            Col::new(T::Mobile, text(|a: &Account| or_dash(a.mobile.as_deref()))),
            Col::new(T::Email, text(|a: &Account| or_dash(a.email.as_deref()))),
            Col::new(T::Position, text(|a: &Account| a.position_name.clone())),
            Col::new(T::Creator, text(|a: &Account| or_dash(a.creator_name.as_deref()))),
            Col::new(T::Status, |a: &Account| status_badge(a.status).into_any()),
            Col::new(T::CreatedAt, text(move |a: &Account| l.datetime(&a.created_at))),
            Col::new(T::Remark, move |a: &Account| {
                let remark = a.remark.clone();
                let full = remark.clone();
                view! { <span class="ellipsis" title=full>{remark}</span> }.into_any()
            }),
            Col::new(T::Actions, move |a: &Account| {
                let (a1, a2, a3) = (a.clone(), a.clone(), a.clone());
                let (id, status) = (a.id, a.status);
                view! {
                    <button
                        class="link"
                        on:click=move |_| {
                            viewing.set(Some(a1.clone()));
                            view_open.set(true);
                        }
                    >
                        {tr(T::View)}
                    </button>
                    {manage
                        .then(|| {
                            view! {
                                <button class="link" on:click=move |_| records.edit(input_of(&a2))>{tr(T::Edit)}</button>
                                {match status {
                                    AccountStatus::Enabled => {
                                        view! {
                                            <button
                                                class="link danger"
                                                on:click=move |_| {
                                                    disabling.set(Some(a3.clone()));
                                                    confirm.set(true);
                                                }
                                            >
                                                {tr(T::Disable)}
                                            </button>
                                        }
                                            .into_any()
                                    }
                                    AccountStatus::Disabled => {
                                        view! {
                                            <button
                                                class="link"
                                                disabled=move || set_status.pending().get()
                                                on:click=move |_| {
                                                    set_status.dispatch((id, AccountStatus::Enabled));
                                                }
                                            >
                                                {tr(T::Enable)}
                                            </button>
                                        }
                                            .into_any()
                                    }
                                }}
                            }
                        })}
                }
                .into_any()
            }),
        ]
    };

    view! {
        <PageHeader title=tr(T::Accounts).to_string()>{manage.then(|| records.create_button())}</PageHeader>
        <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
            <FilterSelect label=T::Position name="position_id" value=f_position options=position_options/>
            <label class="filter">
                <span class="label">{tr(T::Status)}</span>
                <select
                    name="status"
                    on:change=move |ev| f_status.set(parse_status(&event_target_value(&ev)))
                    prop:value=move || f_status.get().map(status_value).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    <option value="enabled">{tr(T::Enabled)}</option>
                    <option value="disabled">{tr(T::Disabled)}</option>
                </select>
            </label>
            <label class="filter">
                <span class="label">{tr(T::Search)}</span>
                <input
                    type="search"
                    name="search"
                    bind:value=f_search
                    placeholder=format!("{} / {}", tr(T::PersonName), tr(T::Mobile))
                />
            </label>
        </FilterBar>
        {loaded(accounts, move |p| list.table(p, cols()))}
        <Modal title=Signal::derive(move || verb_noun(l, T::View, T::Account)) open=view_open>
            {move || {
                viewing
                    .get()
                    .map(|a| {
                        view! {
                            <AccountDetails account=a/>
                            <div class="form-actions">
                                <button type="button" class="btn" on:click=move |_| view_open.set(false)>
                                    {tr(T::Close)}
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
        {records.dialog(
            T::Account,
            |e| e.id.is_some(),
            move |input| view! { <AccountForm input positions=position_options open=records.open on_saved=records.on_saved()/> },
        )}
        <ConfirmDialog
            open=confirm
            title=T::ConfirmDisableTitle
            text=Signal::derive(move || {
                format!("{} 「{}」", tr(T::ConfirmDisableText), disabling.get().map(|a| a.name).unwrap_or_default())
            })
            on_confirm=Callback::new(move |_| {
                if let Some(a) = disabling.get_untracked() {
                    set_status.dispatch((a.id, AccountStatus::Disabled));
                }
            })
        />
    }
}

/// The dialog's input for an existing account.
fn input_of(a: &Account) -> AccountInput {
    AccountInput {
        id: Some(a.id),
        version: a.version,
        name: a.name.clone(),
        mobile: a.mobile.clone().unwrap_or_default(),
        email: a.email.clone().unwrap_or_default(),
        position_id: Some(a.position_id),
        remark: a.remark.clone(),
    }
}

/// Every field of an account, read-only.
#[component]
fn AccountDetails(account: Account) -> impl IntoView {
    let l = use_locale();
    let a = account;
    let row = |label: T, value: String| {
        view! {
            <dt>{tr(label)}</dt>
            <dd>{value}</dd>
        }
    };
    view! {
        <dl class="details">
            {row(T::PersonName, a.name.clone())}
            {row(T::Mobile, or_dash(a.mobile.as_deref()))}
            {row(T::Email, or_dash(a.email.as_deref()))}
            {row(T::Position, a.position_name.clone())}
            {row(T::Creator, or_dash(a.creator_name.as_deref()))}
            <dt>{tr(T::Status)}</dt>
            <dd>{status_badge(a.status)}</dd>
            {row(T::CreatedAt, l.datetime(&a.created_at))}
            {row(T::Remark, or_dash(Some(&a.remark)))}
        </dl>
    }
}

#[component]
fn AccountForm(
    input: AccountInput,
    #[prop(into)] positions: Signal<Vec<(i64, String)>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let creating = input.id.is_none();
    let name = RwSignal::new(input.name.clone());
    let mobile = RwSignal::new(input.mobile.clone());
    let email = RwSignal::new(input.email.clone());
    let position_id = RwSignal::new(input.position_id);
    let remark = RwSignal::new(input.remark.clone());
    // A new account's initial password went out by SMS (and email) through the outbox.
    let save = SaveForm::in_dialog(save_account, open, if creating { T::CredentialsSent } else { T::Saved }, on_saved);
    let errors = save.errors;
    let on_submit = save.on_submit(AccountInput::validate, move || AccountInput {
        name: name.get_untracked().trim().to_string(),
        mobile: mobile.get_untracked().trim().to_string(),
        email: email.get_untracked().trim().to_string(),
        position_id: position_id.get_untracked(),
        remark: remark.get_untracked(),
        ..input.clone()
    });
    view! {
        <form class="account-form" on:submit=on_submit novalidate>
            <TextField label=T::PersonName name="name" value=name errors required=true maxlength=ACCOUNT_NAME_MAX/>
            <TextField label=T::Mobile name="mobile" value=mobile errors required=true input_type="tel" maxlength=11/>
            <TextField label=T::Email name="email" value=email errors input_type="email"/>
            <SelectField label=T::Position name="position_id" value=position_id options=positions errors required=true/>
            <TextField label=T::Remark name="remark" value=remark errors maxlength=ACCOUNT_REMARK_MAX/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_values_round_trip() {
        for s in [AccountStatus::Enabled, AccountStatus::Disabled] {
            assert_eq!(parse_status(status_value(s)), Some(s));
        }
        assert_eq!(parse_status(""), None);
        assert_eq!(or_dash(Some("  ")), "—");
        assert_eq!(or_dash(None), "—");
    }
}
