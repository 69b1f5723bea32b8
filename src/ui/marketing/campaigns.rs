//! 营销中心 → 扫码营销: the campaign list (filters, effective status, launch / pause / resume /
//! end, copy, delete a draft, the data link) and the five-step wizard
//! ([`super::campaign_wizard`]).

use crate::api::campaigns::{act_on_campaign, copy_campaign, delete_campaign, list_campaigns, CampaignFilter, SavedCampaign};
use crate::domain::access::{Function, Level};
use crate::domain::campaign::{CampaignAction, CampaignKind, CampaignRow, CampaignStatus};
use crate::error::AppError;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

pub use super::campaign_wizard::CampaignWizardPage;

/// The badge class of a status.
pub fn status_class(s: CampaignStatus) -> &'static str {
    match s {
        CampaignStatus::Draft => "badge",
        CampaignStatus::Scheduled => "badge warn",
        CampaignStatus::Running => "badge ok",
        CampaignStatus::Paused => "badge warn",
        CampaignStatus::Ended => "badge off",
    }
}

/// The actions the state machine allows from a status.
fn actions_of(s: CampaignStatus) -> &'static [CampaignAction] {
    match s {
        CampaignStatus::Draft => &[CampaignAction::Launch],
        CampaignStatus::Scheduled => &[CampaignAction::End],
        CampaignStatus::Running => &[CampaignAction::Pause, CampaignAction::End],
        CampaignStatus::Paused => &[CampaignAction::Resume, CampaignAction::End],
        CampaignStatus::Ended => &[],
    }
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Campaigns, Level::Manage);
    let list = ServerList::<CampaignFilter>::new();
    let name = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let reloads = RwSignal::new(0u32);
    let rows = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_campaigns(f, p));
    let reload = move || reloads.update(|n| *n += 1);

    // State changes: a refused launch names the fields to complete, shown as one message.
    let act = Action::new(|(id, version, action): &(i64, i32, CampaignAction)| act_on_campaign(*id, *version, *action));
    Effect::new(move |_| match act.value().get() {
        Some(Ok(SavedCampaign { .. })) => {
            toast(ToastKind::Ok, T::Saved.in_(l));
            reload();
        }
        Some(Err(AppError::Invalid(errs))) => {
            let text = errs.iter().take(5).map(|e| format!("{}：{}", e.field, e.msg.render(l))).collect::<Vec<_>>().join("；");
            toast(ToastKind::Error, format!("{} {text}", T::WzLaunchIncomplete.in_(l)));
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let copy = Action::new(|id: &i64| copy_campaign(*id));
    Effect::new(move |_| match copy.value().get() {
        Some(Ok(_)) => {
            toast(ToastKind::Ok, T::WzCopied.in_(l));
            reload();
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let delete = Action::new(|id: &i64| delete_campaign(*id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::Deleted.in_(l));
            reload();
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    // Ending and deleting are confirmed first.
    let ending: RwSignal<Option<CampaignRow>> = RwSignal::new(None);
    let end_open = RwSignal::new(false);
    let deleting: RwSignal<Option<CampaignRow>> = RwSignal::new(None);
    let delete_open = RwSignal::new(false);

    let cols = move || {
        let mut cols = vec![
            Col::new(T::WzId, text(|r: &CampaignRow| r.id.to_string())).sorted(|r| SortKey::Num(r.id)),
            Col::new(T::Name, move |r: &CampaignRow| {
                let href = format!("/marketing/campaigns/{}?step=1", r.id);
                view! { <a href=href data-test="campaign-name">{r.name.clone()}</a> }.into_any()
            })
            .sorted(|r| SortKey::Text(r.name.clone())),
            Col::new(T::WzKind, text(move |r: &CampaignRow| r.kind.label(l).to_string())),
            Col::new(T::Status, move |r: &CampaignRow| {
                view! { <span class=status_class(r.status) data-status=r.status.key()>{r.status.label(l)}</span> }.into_any()
            }),
            Col::new(
                T::WzPeriod,
                text(move |r: &CampaignRow| {
                    let t = |x: &Option<chrono::DateTime<chrono::Utc>>| x.map(|x| l.datetime(&x)).unwrap_or_else(|| "—".into());
                    format!("{} ~ {}", t(&r.starts_at), t(&r.ends_at))
                }),
            ),
            Col::new(T::WzPriority, text(|r: &CampaignRow| r.priority.to_string())).sorted(|r| SortKey::Num(r.priority.into())),
            Col::new(T::WzScans, text(move |r: &CampaignRow| l.int(r.scans))).sorted(|r| SortKey::Num(r.scans)),
            Col::new(T::WzDraws, text(move |r: &CampaignRow| l.int(r.draws))).sorted(|r| SortKey::Num(r.draws)),
            Col::new(T::WzWins, text(move |r: &CampaignRow| l.int(r.wins))).sorted(|r| SortKey::Num(r.wins)),
        ];
        cols.push(Col::new(T::Actions, move |r: &CampaignRow| {
            let (id, version, status) = (r.id, r.version, r.status);
            let edit_step = if status == CampaignStatus::Draft { r.step.clamp(1, 5) } else { 1 };
            let edit = format!("/marketing/campaigns/{id}?step={edit_step}");
            let data = format!("/marketing/data?campaign={id}");
            let row = r.clone();
            let manage_actions = manage.then(|| {
                let state_buttons = actions_of(status)
                    .iter()
                    .map(|a| {
                        let (a, row) = (*a, row.clone());
                        view! {
                            <button
                                class="link"
                                class:danger=a == CampaignAction::End
                                data-test=format!("campaign-{}", a.label(crate::i18n::Locale::En))
                                on:click=move |_| {
                                    if a == CampaignAction::End {
                                        ending.set(Some(row.clone()));
                                        end_open.set(true);
                                    } else {
                                        act.dispatch((id, version, a));
                                    }
                                }
                            >
                                {a.label(l)}
                            </button>
                        }
                    })
                    .collect_view();
                let del_row = row.clone();
                view! {
                    {state_buttons}
                    <button class="link" data-test="campaign-copy" on:click=move |_| { copy.dispatch(id); }>{tr(T::WzCopy)}</button>
                    <Show when=move || status == CampaignStatus::Draft>
                        {
                            let del_row = del_row.clone();
                            view! {
                                <button
                                    class="link danger"
                                    data-test="campaign-delete"
                                    on:click=move |_| {
                                        deleting.set(Some(del_row.clone()));
                                        delete_open.set(true);
                                    }
                                >
                                    {tr(T::Delete)}
                                </button>
                            }
                        }
                    </Show>
                }
            });
            view! {
                <a class="link" href=edit data-test="campaign-edit">{if manage { tr(T::Edit) } else { tr(T::WzView) }}</a>
                {manage_actions}
                <a class="link" href=data data-test="campaign-data">{tr(T::WzData)}</a>
            }
            .into_any()
        }));
        cols
    };

    let new_link = move |k: CampaignKind| {
        view! {
            <a class="btn primary" href=format!("/marketing/campaigns/new?kind={}", k.key()) data-test=format!("new-{}", k.key())>
                {format!("{} · {}", tr(T::Create), k.label(l))}
            </a>
        }
    };
    view! {
        <PageHeader title=tr(T::WzListTitle).to_string()>
            {manage.then(|| view! { {new_link(CampaignKind::NineGrid)} {new_link(CampaignKind::Scratch)} })}
        </PageHeader>
        <FilterBar
            on_search=Callback::new(move |_| {
                list.apply(CampaignFilter {
                    status: CampaignStatus::from_key(&status.get_untracked()),
                    kind: CampaignKind::from_key(&kind.get_untracked()),
                    name: name.get_untracked().trim().to_string(),
                });
                reload();
            })
            on_reset=Callback::new(move |_| {
                name.set(String::new());
                status.set(String::new());
                kind.set(String::new());
                list.apply(CampaignFilter::default());
                reload();
            })
        >
            <input type="search" name="name" bind:value=name placeholder=tr(T::WzSearchName) aria-label=tr(T::WzSearchName)/>
            <select name="status" aria-label=tr(T::Status) on:change=move |ev| status.set(event_target_value(&ev)) prop:value=move || status.get()>
                <option value="">{format!("{} · {}", tr(T::Status), tr(T::All))}</option>
                {CampaignStatus::ALL.map(|s| view! { <option value=s.key()>{s.label(l)}</option> }).collect_view()}
            </select>
            <select name="kind" aria-label=tr(T::WzKind) on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                <option value="">{format!("{} · {}", tr(T::WzKind), tr(T::All))}</option>
                {CampaignKind::ALL.map(|k| view! { <option value=k.key()>{k.label(l)}</option> }).collect_view()}
            </select>
        </FilterBar>
        {loaded(rows, move |p| list.table(p, cols()))}
        <ConfirmDialog
            open=delete_open
            text=Signal::derive(move || format!("{} 「{}」", T::ConfirmDeleteText.in_(l), deleting.get().map(|r| r.name).unwrap_or_default()))
            on_confirm=Callback::new(move |_| {
                if let Some(r) = deleting.get_untracked() {
                    delete.dispatch(r.id);
                }
            })
        />
        <ConfirmDialog
            open=end_open
            title=T::WzConfirmEndTitle
            text=Signal::derive(move || format!("{} 「{}」", T::WzConfirmEnd.in_(l), ending.get().map(|r| r.name).unwrap_or_default()))
            on_confirm=Callback::new(move |_| {
                if let Some(r) = ending.get_untracked() {
                    act.dispatch((r.id, r.version, CampaignAction::End));
                }
            })
        />
    }
}
