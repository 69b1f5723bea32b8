//! 设置 → 账号管理: the enterprise's staff accounts, filtered and paginated on the server.

use crate::api::accounts::{list_accounts, list_positions, save_account, set_account_status};
use crate::domain::access::{Function, Level};
use crate::domain::accounts::{Account, AccountFilter, AccountInput, AccountStatus, ACCOUNT_NAME_MAX, ACCOUNT_REMARK_MAX};
use crate::domain::page::PageReq;
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
    let reload = RwSignal::new(0u32);
    // The positions for the filter and the form: loaded in the browser only.
    let positions = LocalResource::new(list_positions);
    let position_options = Signal::derive(move || {
        positions.get().and_then(Result::ok).map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect::<Vec<_>>()).unwrap_or_default()
    });

    // The filter being edited, and the one applied by "Search".
    let f_position: RwSignal<Option<i64>> = RwSignal::new(None);
    let f_status: RwSignal<Option<AccountStatus>> = RwSignal::new(None);
    let f_search = RwSignal::new(String::new());
    let filter = RwSignal::new(AccountFilter::default());
    let page = RwSignal::new(1i64);
    let size = RwSignal::new(PageReq::default().size);
    let accounts = Resource::new(
        move || (filter.get(), PageReq { page: page.get(), size: size.get() }, reload.get()),
        |(f, p, _)| list_accounts(f, p),
    );
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        filter.set(AccountFilter {
            position_id: f_position.get_untracked(),
            status: f_status.get_untracked(),
            search: f_search.get_untracked().trim().to_string(),
        });
        page.set(1);
    };
    let on_reset = move |_| {
        f_position.set(None);
        f_status.set(None);
        f_search.set(String::new());
        filter.set(AccountFilter::default());
        page.set(1);
    };

    // Dialogs: details, create/edit, confirm disabling.
    let viewing: RwSignal<Option<Account>> = RwSignal::new(None);
    let view_open = RwSignal::new(false);
    let editing: RwSignal<Option<AccountInput>> = RwSignal::new(None);
    let open = RwSignal::new(false);
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
            reload.update(|n| *n += 1);
        }
        // e.g. Msg::CannotDisableSelf.
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let start = move |a: Option<&Account>| {
        editing.set(Some(match a {
            Some(a) => AccountInput {
                id: Some(a.id),
                version: a.version,
                name: a.name.clone(),
                mobile: a.mobile.clone().unwrap_or_default(),
                email: a.email.clone().unwrap_or_default(),
                position_id: Some(a.position_id),
                remark: a.remark.clone(),
            },
            None => AccountInput::default(),
        }));
        open.set(true);
    };

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
                                <button class="link" on:click=move |_| start(Some(&a2))>{tr(T::Edit)}</button>
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
        <PageHeader title=tr(T::Accounts).to_string()>
            {manage
                .then(|| {
                    view! {
                        <button class="btn primary" on:click=move |_| start(None)>
                            {tr(T::Create)}
                        </button>
                    }
                })}
        </PageHeader>
        <form class="filters" role="search" on:submit=on_search>
            <label class="filter">
                <span class="label">{tr(T::Position)}</span>
                <select
                    name="position_id"
                    on:change=move |ev| f_position.set(event_target_value(&ev).parse().ok())
                    prop:value=move || f_position.get().map(|v| v.to_string()).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    {move || {
                        position_options
                            .get()
                            .into_iter()
                            .map(|(id, name)| {
                                view! {
                                    <option value=id.to_string() selected=move || f_position.get() == Some(id)>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
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
            <button type="submit" class="btn primary">{tr(T::Search)}</button>
            <button type="button" class="btn" on:click=on_reset>{tr(T::Reset)}</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match accounts.await {
                    Ok(p) => {
                        view! {
                            <DataTable rows=Signal::stored(p.items) cols=cols()/>
                            <Pager page size total=Signal::stored(p.total)/>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
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
        <Modal
            title=Signal::derive(move || {
                let edit = editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                verb_noun(l, if edit { T::Edit } else { T::Create }, T::Account)
            })
            open
        >
            {move || {
                editing
                    .get()
                    .map(|input| {
                        view! {
                            <AccountForm
                                input
                                positions=position_options
                                open
                                on_saved=Callback::new(move |_| reload.update(|n| *n += 1))
                            />
                        }
                    })
            }}
        </Modal>
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
    let errors = FormErrors::new();
    let save = Action::new(|i: &AccountInput| {
        let i = i.clone();
        async move { save_account(i).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            open.set(false);
            // A new account's initial password went out by SMS (and email) through the outbox.
            toast(ToastKind::Ok, tr(if creating { T::CredentialsSent } else { T::Saved }));
            on_saved.run(());
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let i = AccountInput {
            name: name.get_untracked().trim().to_string(),
            mobile: mobile.get_untracked().trim().to_string(),
            email: email.get_untracked().trim().to_string(),
            position_id: position_id.get_untracked(),
            remark: remark.get_untracked(),
            ..input.clone()
        };
        if errors.check(i.validate()) {
            save.dispatch(i);
        }
    };
    view! {
        <form class="account-form" on:submit=on_submit novalidate>
            <TextField label=T::PersonName name="name" value=name errors required=true maxlength=ACCOUNT_NAME_MAX/>
            <TextField label=T::Mobile name="mobile" value=mobile errors required=true input_type="tel" maxlength=11/>
            <TextField label=T::Email name="email" value=email errors input_type="email"/>
            <SelectField label=T::Position name="position_id" value=position_id options=positions errors required=true/>
            <TextField label=T::Remark name="remark" value=remark errors maxlength=ACCOUNT_REMARK_MAX/>
            <FormFooter errors pending=save.pending().into() on_cancel=Callback::new(move |_| open.set(false))/>
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
