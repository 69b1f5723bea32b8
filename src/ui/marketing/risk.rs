//! 营销风控: the blacklist (add a member id, device, IP or mobile with a reason; remove) and
//! what risk control noticed (rule, blocked or only recorded, member, device, IP, time).

use crate::api::risk::{add_blacklist, list_blacklist, list_risk_events, remove_blacklist, risk_rules};
use crate::domain::access::{Function, Level};
use crate::domain::consumers::*;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::A;

fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "—".to_string(),
    }
}

#[component]
pub fn RiskPage() -> impl IntoView {
    view! {
        <PageHeader title=tr(T::RiskControl).to_string()/>
        <BlacklistSection/>
        <EventsSection/>
    }
}

#[component]
fn BlacklistSection() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Campaigns, Level::Manage);
    let reloads = RwSignal::new(0u32);
    let list = ServerList::<BlacklistFilter>::new();
    let f_kind = RwSignal::new(String::new());
    let f_q = RwSignal::new(String::new());
    let entries = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_blacklist(f, p));
    let on_search = move || {
        list.apply(BlacklistFilter { kind: BlacklistKind::parse(&f_kind.get_untracked()), q: f_q.get_untracked().trim().to_string() })
    };
    let on_reset = move || {
        f_kind.set(String::new());
        f_q.set(String::new());
        list.apply(BlacklistFilter::default());
    };
    let adding = RwSignal::new(false);
    let removing: RwSignal<Option<BlacklistEntry>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let remove = Action::new(|id: &i64| remove_blacklist(*id));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, tr(T::RkRemoved));
            reloads.update(|n| *n += 1);
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let cols = move || {
        let mut cols = vec![
            Col::new(
                T::RkKind,
                text(move |b: &BlacklistEntry| BlacklistKind::parse(&b.kind).map(|k| k.label(l)).unwrap_or("—").to_string()),
            ),
            Col::new(T::RkValue, |b: &BlacklistEntry| {
                if b.kind == BlacklistKind::Consumer.key() {
                    let (href, label) = (format!("/marketing/members/{}", b.value), b.value.clone());
                    view! { <A href=href>{label}</A> }.into_any()
                } else {
                    view! { <code>{b.value.clone()}</code> }.into_any()
                }
            }),
            Col::new(T::Reason, text(|b: &BlacklistEntry| b.reason.clone())),
            Col::new(T::RkAddedBy, text(|b: &BlacklistEntry| or_dash(b.created_by_name.as_deref()))),
            Col::new(T::MbTime, text(move |b: &BlacklistEntry| l.datetime(&b.created_at))),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |b: &BlacklistEntry| {
                let b = b.clone();
                view! {
                    <button class="link danger" data-test="blacklist-remove" on:click=move |_| {
                        removing.set(Some(b.clone()));
                        confirm.set(true);
                    }>{tr(T::RkRemove)}</button>
                }
                .into_any()
            }));
        }
        cols
    };
    let kinds: Vec<(String, String)> = BlacklistKind::ALL.iter().map(|k| (k.key().to_string(), k.label(l).to_string())).collect();
    view! {
        <section class="card">
            <div class="page-header">
                <h2>{tr(T::RkBlacklist)}</h2>
                <div class="page-actions">
                    {manage.then(|| view! { <button class="btn primary" data-test="blacklist-add" on:click=move |_| adding.set(true)>{tr(T::RkAdd)}</button> })}
                </div>
            </div>
            <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
                <label class="filter">
                    <span class="label">{tr(T::RkKind)}</span>
                    <select name="kind" on:change=move |ev| f_kind.set(event_target_value(&ev)) prop:value=move || f_kind.get()>
                        <option value="">{tr(T::All)}</option>
                        {kinds.into_iter().map(|(k, label)| view! { <option value=k>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::Search)}</span>
                    <input type="search" name="blacklist_q" bind:value=f_q placeholder=tr(T::RkSearchHint) maxlength="50"/>
                </label>
            </FilterBar>
            {loaded(entries, move |page| list.table(page, cols()))}
        </section>
        <Modal title=Signal::derive(move || T::RkAdd.in_(l).to_string()) open=adding>
            <BlacklistForm open=adding on_saved=Callback::new(move |_| reloads.update(|n| *n += 1))/>
        </Modal>
        <ConfirmDialog
            open=confirm
            title=T::RkRemove
            text=Signal::derive(move || {
                removing.get().map(|b| format!("{} {}", T::RkRemoveConfirm.in_(l), b.value)).unwrap_or_default()
            })
            on_confirm=Callback::new(move |_| {
                if let Some(b) = removing.get_untracked() {
                    remove.dispatch(b.id);
                }
            })
        />
    }
}

#[component]
fn BlacklistForm(open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let kind = RwSignal::new(BlacklistKind::Device);
    let value = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let save = SaveForm::in_dialog(add_blacklist, open, T::RkAdded, on_saved);
    let errors = save.errors;
    let on_submit = save.on_submit(BlacklistInput::validate, move || BlacklistInput {
        kind: kind.get_untracked(),
        value: value.get_untracked(),
        reason: reason.get_untracked(),
    });
    view! {
        <form on:submit=on_submit novalidate>
            <Field label=T::RkKind name="kind" errors required=true>
                <select name="kind" on:change=move |ev| {
                    if let Some(k) = BlacklistKind::parse(&event_target_value(&ev)) {
                        kind.set(k);
                    }
                }>
                    {BlacklistKind::ALL
                        .iter()
                        .map(|k| {
                            let k = *k;
                            view! { <option value=k.key() selected=move || kind.get() == k>{k.label(l)}</option> }
                        })
                        .collect_view()}
                </select>
            </Field>
            <TextField label=T::RkValue name="value" value errors required=true maxlength=64/>
            <TextField label=T::Reason name="reason" value=reason errors required=true maxlength=REASON_MAX/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

#[component]
fn EventsSection() -> impl IntoView {
    let l = use_locale();
    let list = ServerList::<RiskEventFilter>::new();
    let f_rule = RwSignal::new(String::new());
    let f_blocked = RwSignal::new(String::new());
    let f_consumer = RwSignal::new(String::new());
    let f_q = RwSignal::new(String::new());
    let f_from = RwSignal::new(String::new());
    let f_to = RwSignal::new(String::new());
    let rules = LocalResource::new(risk_rules);
    let events = Resource::new(move || list.query(), |(f, p)| list_risk_events(f, p));
    let on_search = move || {
        let day = |s: String| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        list.apply(RiskEventFilter {
            rule: Some(f_rule.get_untracked()).filter(|s| !s.is_empty()),
            blocked: match f_blocked.get_untracked().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            consumer_id: f_consumer.get_untracked().trim().parse().ok(),
            q: f_q.get_untracked().trim().to_string(),
            from: day(f_from.get_untracked()),
            to: day(f_to.get_untracked()),
        })
    };
    let on_reset = move || {
        for s in [f_rule, f_blocked, f_consumer, f_q, f_from, f_to] {
            s.set(String::new());
        }
        list.apply(RiskEventFilter::default());
    };
    let cols = move || {
        vec![
            Col::new(T::MbTime, text(move |e: &RiskEventRow| l.datetime(&e.created_at))),
            Col::new(T::RkRule, text(|e: &RiskEventRow| e.rule.clone())),
            Col::new(T::RkResult, |e: &RiskEventRow| {
                if e.blocked {
                    view! { <span class="badge danger">{tr(T::RkBlocked)}</span> }.into_any()
                } else {
                    view! { <span class="badge warn">{tr(T::RkNoticed)}</span> }.into_any()
                }
            }),
            Col::new(T::RkConsumer, |e: &RiskEventRow| match e.consumer_id {
                Some(id) => {
                    let (href, label) = (format!("/marketing/members/{id}"), id.to_string());
                    view! { <A href=href>{label}</A> }.into_any()
                }
                None => "—".into_any(),
            }),
            Col::new(T::RkDevice, text(|e: &RiskEventRow| or_dash(e.device_id.as_deref()))),
            Col::new(T::RkIp, text(|e: &RiskEventRow| or_dash(e.ip.as_deref()))),
            Col::new(T::RkDetail, text(|e: &RiskEventRow| or_dash(Some(&e.detail)))),
        ]
    };
    view! {
        <section class="card">
            <h2>{tr(T::RkEvents)}</h2>
            <FilterBar on_search=Callback::new(move |_| on_search()) on_reset=Callback::new(move |_| on_reset())>
                <label class="filter">
                    <span class="label">{tr(T::RkRule)}</span>
                    <select name="rule" on:change=move |ev| f_rule.set(event_target_value(&ev)) prop:value=move || f_rule.get()>
                        <option value="">{tr(T::All)}</option>
                        {move || {
                            rules
                                .get()
                                .and_then(Result::ok)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|r| view! { <option value=r.clone()>{r.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::RkResult)}</span>
                    <select name="blocked" on:change=move |ev| f_blocked.set(event_target_value(&ev)) prop:value=move || f_blocked.get()>
                        <option value="">{tr(T::All)}</option>
                        <option value="yes">{tr(T::RkBlocked)}</option>
                        <option value="no">{tr(T::RkNoticed)}</option>
                    </select>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::RkConsumer)}</span>
                    <input type="number" name="consumer_id" bind:value=f_consumer min="1"/>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::Search)}</span>
                    <input type="search" name="events_q" bind:value=f_q placeholder=tr(T::RkEventsHint) maxlength="64"/>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::DateFrom)}</span>
                    <input type="date" name="from" bind:value=f_from/>
                </label>
                <label class="filter">
                    <span class="label">{tr(T::DateTo)}</span>
                    <input type="date" name="to" bind:value=f_to/>
                </label>
            </FilterBar>
            {loaded(events, move |page| list.table(page, cols()))}
        </section>
    }
}
