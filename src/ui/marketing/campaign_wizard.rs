//! The campaign wizard (`/marketing/campaigns/new?kind=…`, `/marketing/campaigns/:id?step=N`):
//! a step bar, Back / Next (the step's rules run in the browser, then the server saves), "save
//! draft" at any step and "launch" at step 5. The whole campaign is one signal; every field
//! reads and writes its part, and errors show beside the fields by their path
//! (`prizes[2].quantity`).
//!
//! A launched campaign saves all five steps at once, by the rules of what may change while it
//! runs; an ended one is read-only.

use super::campaign_preview::{OverlapNotice, PagePreview};
use crate::api::campaigns::*;
use crate::api::crowds::crowd_choices;
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::PROVINCES;
use crate::domain::campaign::*;
use crate::domain::code_activation::{local_datetime_value, parse_local_datetime};
use crate::domain::lottery::forecast;
use crate::domain::risk::RiskLevel;
use crate::domain::validate::{format_money, parse_money, FieldError, Msg};
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use chrono::{DateTime, NaiveTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The wizard's shared state, handed to every step.
#[derive(Clone, Copy)]
pub struct Wz {
    pub input: RwSignal<CampaignInput>,
    pub errors: FormErrors,
    /// Typed text that is not a number, amount or time, by path: shown, and it blocks saving.
    pub bad: RwSignal<Vec<FieldError>>,
    pub readonly: Signal<bool>,
    /// Launched (scheduled, running or paused): awarded counts and remaining stock show.
    pub live: Signal<bool>,
    /// Running: prizes cannot be removed (draws pick among them) until it is paused.
    pub running: Signal<bool>,
}

impl Wz {
    fn set_bad(&self, path: &str, msg: Option<Msg>) {
        self.bad.update(|b| {
            b.retain(|e| e.field != path);
            if let Some(msg) = msg {
                b.push(FieldError { field: path.into(), msg });
            }
        });
    }
    /// The message of a path: a typing error first, then the last check's.
    fn message(&self, path: &str, l: Locale) -> Option<String> {
        let find = |v: &Vec<FieldError>| v.iter().find(|e| e.field == path).map(|e| e.msg.render(l));
        self.bad.with(find).or_else(|| self.errors.fields.with(find))
    }
}

/// The wizard step a field path belongs to.
fn step_of_path(path: &str) -> u8 {
    match path.split(['.', '[']).next().unwrap_or("") {
        "basic" => 1,
        "settings" => 2,
        "prizes" => 3,
        "delivery" => 4,
        _ => 5,
    }
}

fn step_title(n: u8) -> T {
    match n {
        1 => T::WzStepBasic,
        2 => T::WzStepSettings,
        3 => T::WzStepPrizes,
        4 => T::WzStepDelivery,
        _ => T::WzStepPage,
    }
}

/// The error of a path, beside its field.
#[component]
fn FieldMsg(wz: Wz, #[prop(into)] path: String) -> impl IntoView {
    let l = use_locale();
    let p = path.clone();
    move || wz.message(&p, l).map(|m| view! { <p class="field-error" data-field=path.clone() role="alert">{m}</p> })
}

/// Label, control and the path's error.
fn row(wz: Wz, label: String, path: String, control: impl IntoView + 'static) -> impl IntoView {
    let l = use_locale();
    let p = path.clone();
    view! {
        <div class="field" class:invalid=move || wz.message(&p, l).is_some()>
            <label>
                <span class="label">{label}</span>
                {control}
            </label>
            <FieldMsg wz path/>
        </div>
    }
}

trait Read<X>: Fn(&CampaignInput) -> X + Copy + Send + Sync + 'static {}
impl<X, F: Fn(&CampaignInput) -> X + Copy + Send + Sync + 'static> Read<X> for F {}
trait Write<X>: Fn(&mut CampaignInput, X) + Copy + Send + Sync + 'static {}
impl<X, F: Fn(&mut CampaignInput, X) + Copy + Send + Sync + 'static> Write<X> for F {}

fn text_in(wz: Wz, label: T, path: String, max: usize, get: impl Read<String>, set: impl Write<String>) -> impl IntoView {
    let input = wz.input;
    let control = view! {
        <input
            type="text"
            name=path.clone()
            maxlength=max.to_string()
            prop:value=move || input.with(get)
            on:input=move |ev| input.update(|i| set(i, event_target_value(&ev)))
            disabled=move || wz.readonly.get()
        />
    };
    row(wz, tr(label).to_string(), path, control)
}

fn area_in(wz: Wz, label: T, path: String, max: usize, get: impl Read<String>, set: impl Write<String>) -> impl IntoView {
    let input = wz.input;
    let control = view! {
        <textarea
            name=path.clone()
            rows="4"
            maxlength=max.to_string()
            prop:value=move || input.with(get)
            on:input=move |ev| input.update(|i| set(i, event_target_value(&ev)))
            disabled=move || wz.readonly.get()
        ></textarea>
    };
    row(wz, tr(label).to_string(), path, control)
}

/// A whole number; `none` offers an "unlimited" (or "none") checkbox for `None`.
fn opt_num(
    wz: Wz,
    label: String,
    path: String,
    none: Option<T>,
    get: impl Read<Option<u32>>,
    set: impl Write<Option<u32>>,
) -> impl IntoView {
    let input = wz.input;
    let (p1, p2) = (path.clone(), path.clone());
    let unlimited = none.map(|t| {
        view! {
            <label class="check inline">
                <input
                    type="checkbox"
                    name=format!("{path}.none")
                    prop:checked=move || input.with(get).is_none()
                    on:change=move |ev| {
                        let none = event_target_checked(&ev);
                        wz.set_bad(&p1, None);
                        input.update(|i| set(i, if none { None } else { Some(1) }));
                    }
                    disabled=move || wz.readonly.get()
                />
                {tr(t)}
            </label>
        }
    });
    let control = view! {
        <span class="limit">
            <input
                type="number"
                min="0"
                step="1"
                name=path.clone()
                prop:value=move || input.with(get).map(|n| n.to_string()).unwrap_or_default()
                on:input=move |ev| {
                    let s = event_target_value(&ev);
                    match s.trim().parse::<u32>() {
                        Ok(n) => {
                            wz.set_bad(&p2, None);
                            input.update(|i| set(i, Some(n)));
                        }
                        Err(_) if s.trim().is_empty() && none.is_some() => {
                            wz.set_bad(&p2, None);
                            input.update(|i| set(i, None));
                        }
                        Err(_) => wz.set_bad(&p2, Some(CampaignMsg::AtLeast { min: 0 }.into())),
                    }
                }
                disabled=move || wz.readonly.get() || (none.is_some() && input.with(get).is_none())
            />
            {unlimited}
        </span>
    };
    row(wz, label, path, control)
}

fn num(wz: Wz, label: T, path: String, get: impl Read<u32>, set: impl Write<u32>) -> impl IntoView {
    opt_num(wz, tr(label).to_string(), path, None, move |i| Some(get(i)), move |i, v: Option<u32>| set(i, v.unwrap_or(0)))
}

/// An amount in yuan, kept in fen.
fn money_in(wz: Wz, label: T, path: String, get: impl Read<i64>, set: impl Write<i64>) -> impl IntoView {
    let input = wz.input;
    let p = path.clone();
    let control = view! {
        <input
            type="text"
            inputmode="decimal"
            name=path.clone()
            prop:value=move || format_money(input.with(get))
            on:change=move |ev| match parse_money(&event_target_value(&ev)) {
                Some(fen) => {
                    wz.set_bad(&p, None);
                    input.update(|i| set(i, fen));
                }
                None => wz.set_bad(&p, Some(Msg::InvalidMoney)),
            }
            disabled=move || wz.readonly.get()
        />
    };
    row(wz, tr(label).to_string(), path, control)
}

/// A `datetime-local` in China Standard Time.
fn datetime_in(
    wz: Wz,
    label: T,
    path: String,
    get: impl Read<Option<DateTime<Utc>>>,
    set: impl Write<Option<DateTime<Utc>>>,
) -> impl IntoView {
    let input = wz.input;
    let control = view! {
        <input
            type="datetime-local"
            name=path.clone()
            prop:value=move || input.with(get).map(|t| local_datetime_value(&t)).unwrap_or_default()
            on:change=move |ev| input.update(|i| set(i, parse_local_datetime(&event_target_value(&ev))))
            disabled=move || wz.readonly.get()
        />
    };
    row(wz, tr(label).to_string(), path, control)
}

fn time_value(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S")).ok()
}

const WEEKDAYS: [(u8, T); 7] = [(1, T::WzMon), (2, T::WzTue), (3, T::WzWed), (4, T::WzThu), (5, T::WzFri), (6, T::WzSat), (7, T::WzSun)];

/// Unlimited / daily window / weekly days + window.
fn cycle_in(wz: Wz, label: T, path: String, get: impl Read<Cycle>, set: impl Write<Cycle>) -> impl IntoView {
    let input = wz.input;
    let kind = move || match input.with(get) {
        Cycle::Unlimited => "unlimited",
        Cycle::Daily { .. } => "daily",
        Cycle::Weekly { .. } => "weekly",
    };
    let window = move || match input.with(get) {
        Cycle::Unlimited => (NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(), NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default()),
        Cycle::Daily { from, to } | Cycle::Weekly { from, to, .. } => (from, to),
    };
    let set_kind = move |k: String| {
        let (from, to) = window();
        let days = match input.with(get) {
            Cycle::Weekly { days, .. } => days,
            _ => vec![6, 7],
        };
        input.update(|i| {
            set(
                i,
                match k.as_str() {
                    "daily" => Cycle::Daily { from, to },
                    "weekly" => Cycle::Weekly { days, from, to },
                    _ => Cycle::Unlimited,
                },
            )
        });
    };
    let set_time = move |first: bool, t: NaiveTime| {
        input.update(|i| {
            let c = match get(i) {
                Cycle::Daily { from, to } => Cycle::Daily { from: if first { t } else { from }, to: if first { to } else { t } },
                Cycle::Weekly { days, from, to } => {
                    Cycle::Weekly { days, from: if first { t } else { from }, to: if first { to } else { t } }
                }
                c => c,
            };
            set(i, c);
        })
    };
    let toggle_day = move |d: u8, on: bool| {
        input.update(|i| {
            if let Cycle::Weekly { mut days, from, to } = get(i) {
                days.retain(|x| *x != d);
                if on {
                    days.push(d);
                    days.sort_unstable();
                }
                set(i, Cycle::Weekly { days, from, to });
            }
        })
    };
    // The window's start (`first`) or end.
    let p_time = path.clone();
    let time_input = move |first: bool| {
        let (end, label) = if first { ("from", T::WzFrom) } else { ("to", T::WzTo) };
        view! {
            <input
                type="time"
                name=format!("{p_time}.{end}")
                aria-label=tr(label)
                prop:value=move || time_value(if first { window().0 } else { window().1 })
                on:change=move |ev| {
                    if let Some(t) = parse_time(&event_target_value(&ev)) {
                        set_time(first, t)
                    }
                }
                disabled=move || wz.readonly.get()
            />
        }
    };
    let (p, p_day) = (path.clone(), path.clone());
    let control = view! {
        <span class="cycle">
            <select name=p.clone() prop:value=kind on:change=move |ev| set_kind(event_target_value(&ev)) disabled=move || wz.readonly.get()>
                <option value="unlimited" selected=move || kind() == "unlimited">{tr(T::WzCycleUnlimited)}</option>
                <option value="daily" selected=move || kind() == "daily">{tr(T::WzCycleDaily)}</option>
                <option value="weekly" selected=move || kind() == "weekly">{tr(T::WzCycleWeekly)}</option>
            </select>
            <Show when=move || kind() == "weekly">
                {WEEKDAYS
                    .map(|(d, t)| {
                        view! {
                            <label class="check inline">
                                <input
                                    type="checkbox"
                                    name=format!("{p_day}.day{d}")
                                    prop:checked=move || matches!(input.with(get), Cycle::Weekly { days, .. } if days.contains(&d))
                                    on:change=move |ev| toggle_day(d, event_target_checked(&ev))
                                    disabled=move || wz.readonly.get()
                                />
                                {tr(t)}
                            </label>
                        }
                    })
                    .collect_view()}
            </Show>
            <Show when=move || kind() != "unlimited">
                {time_input(true)}
                " – "
                {time_input(false)}
                <span class="hint">{tr(T::WzChinaTime)}</span>
            </Show>
        </span>
    };
    row(wz, tr(label).to_string(), path, control)
}

/// Checkboxes choosing ids among (id, name) options.
fn id_checks(
    wz: Wz,
    label: T,
    path: String,
    options: Signal<Vec<(i64, String)>>,
    get: impl Read<Vec<i64>>,
    set: impl Write<Vec<i64>>,
) -> impl IntoView {
    let input = wz.input;
    let name = path.clone();
    let control = view! {
        <span class="checkbox-grid">
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(id, text)| {
                        let name = name.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name=name
                                    value=id.to_string()
                                    prop:checked=move || input.with(get).contains(&id)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        input.update(|i| {
                                            let mut v = get(i);
                                            v.retain(|x| *x != id);
                                            if on {
                                                v.push(id);
                                            }
                                            set(i, v);
                                        })
                                    }
                                    disabled=move || wz.readonly.get()
                                />
                                {text}
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </span>
    };
    row(wz, tr(label).to_string(), path, control)
}

fn province_checks(wz: Wz, label: T, path: String, get: impl Read<Vec<String>>, set: impl Write<Vec<String>>) -> impl IntoView {
    let input = wz.input;
    let name = path.clone();
    let control = view! {
        <span class="checkbox-grid provinces">
            {PROVINCES
                .map(|p| {
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                name=name.clone()
                                value=p
                                prop:checked=move || input.with(get).iter().any(|x| x == p)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    input.update(|i| {
                                        let mut v = get(i);
                                        v.retain(|x| x != p);
                                        if on {
                                            v.push(p.to_string());
                                        }
                                        set(i, v);
                                    })
                                }
                                disabled=move || wz.readonly.get()
                            />
                            {p}
                        </label>
                    }
                })
                .collect_view()}
        </span>
    };
    row(wz, tr(label).to_string(), path, control)
}

// ---------- the page ----------

#[component]
pub fn CampaignWizardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_campaign(id).await.map(Some),
            None => Ok(None),
        }
    });
    let kind = move || query.with_untracked(|q| q.get("kind").and_then(|k| CampaignKind::from_key(&k)).unwrap_or_default());
    view! {
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Wizard detail=d kind=kind()/> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Wizard(detail: Option<CampaignDetail>, kind: CampaignKind) -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::Campaigns, Level::Manage);
    let query = use_query_map();
    let navigate = use_navigate();
    let step = Memo::new(move |_| query.with(|q| q.get("step").and_then(|s| s.parse::<u8>().ok()).unwrap_or(1).clamp(1, 5)));

    let (campaign, overlaps, coupon_codes) = match detail {
        Some(d) => (Some(d.campaign), d.overlaps, d.coupon_codes),
        None => (None, vec![], vec![]),
    };
    let initial = campaign.as_ref().map(|c| c.input.clone()).unwrap_or_else(|| CampaignInput {
        basic: Basic { kind, ..Basic::default() },
        delivery: Delivery { default_plan: Plan { key: 0, groups: vec![PrizeGroup::default()], ..Plan::default() }, precision: vec![] },
        ..CampaignInput::default()
    });
    // What the server holds: the base of the running-change rules.
    let stored = StoredValue::new(initial.clone());
    let input = RwSignal::new(initial);
    let id = RwSignal::new(campaign.as_ref().map(|c| c.id));
    let version = RwSignal::new(campaign.as_ref().map(|c| c.version).unwrap_or(0));
    let furthest = RwSignal::new(campaign.as_ref().map(|c| c.step).unwrap_or(0));
    let status = RwSignal::new(campaign.as_ref().map(|c| c.status).unwrap_or(CampaignStatus::Draft));
    let priority = campaign.as_ref().map(|c| c.priority).unwrap_or(0);
    let coupon_codes = RwSignal::new(coupon_codes);
    let live = Signal::derive(move || status.get().is_live());
    let readonly = Signal::derive(move || !manage || status.get() == CampaignStatus::Ended);
    let running = Signal::derive(move || status.get() == CampaignStatus::Running);
    let wz = Wz { input, errors: FormErrors::new(), bad: RwSignal::new(vec![]), readonly, live, running };

    // After a save: go to `to` (a new campaign's first save moves to its own address).
    let go = StoredValue::new(move |to: u8| {
        let path = match id.get_untracked() {
            Some(id) => format!("/marketing/campaigns/{id}?step={to}"),
            None => format!("/marketing/campaigns/new?kind={}&step={to}", input.with_untracked(|i| i.basic.kind.key())),
        };
        navigate(&path, Default::default());
    });
    // The browser's check of a save: the step's rules for a draft, all steps and the running
    // rules for a launched campaign, and no mistyped numbers anywhere.
    let check = move |i: &CampaignInput, n: u8| -> Result<(), Vec<FieldError>> {
        let mut errs = wz.bad.get_untracked();
        if live.get_untracked() {
            errs.extend(i.validate_all().err().unwrap_or_default());
            let before = stored.get_value();
            errs.extend(running_change_refusals(&before, i, Utc::now()));
            let removed = before.prizes.iter().any(|b| !i.prizes.iter().any(|p| p.key == b.key));
            if running.get_untracked() && removed && errs.iter().all(|e| e.field != "prizes") {
                errs.push(FieldError { field: "prizes".into(), msg: CampaignMsg::PrizeRemovedWhileRunning.into() });
            }
        } else {
            let s = Step::from_number(n).unwrap_or(Step::Basic);
            if id.get_untracked().is_none() && s != Step::Basic {
                errs.extend(i.validate_step(Step::Basic).err().unwrap_or_default());
            }
            errs.extend(i.validate_step(s).err().unwrap_or_default());
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    };

    // Save: (step, where to go after, launch after saving).
    let next_to = RwSignal::new(None::<u8>);
    let launch_after = RwSignal::new(false);
    let save = Action::new(move |(n, i): &(u8, CampaignInput)| {
        let (n, i) = (*n, i.clone());
        save_campaign_step(id.get_untracked(), version.get_untracked(), n, i)
    });
    let launch = Action::new(|(id, version): &(i64, i32)| act_on_campaign(*id, *version, CampaignAction::Launch));
    let to_list = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            let first = id.get_untracked().is_none();
            id.set(Some(saved.id));
            version.set(saved.version);
            furthest.set(saved.step);
            stored.set_value(input.get_untracked());
            if launch_after.get_untracked() {
                launch.dispatch((saved.id, saved.version));
            } else {
                toast(ToastKind::Ok, T::Saved.in_(l));
                match next_to.get_untracked() {
                    Some(to) => go.with_value(|g| g(to)),
                    None if first => go.with_value(|g| g(step.get_untracked())),
                    None => {}
                }
            }
        }
        Some(Err(e)) => {
            launch_after.set(false);
            wz.errors.show(&e)
        }
        None => {}
    });
    Effect::new(move |_| match launch.value().get() {
        Some(Ok(_)) => {
            launch_after.set(false);
            toast(ToastKind::Ok, T::WzLaunched.in_(l));
            to_list("/marketing/campaigns", Default::default());
        }
        Some(Err(e)) => {
            launch_after.set(false);
            wz.errors.show(&e)
        }
        None => {}
    });
    let submit = move |to: Option<u8>, and_launch: bool| {
        let n = step.get_untracked();
        let i = input.get_untracked();
        let result = if and_launch {
            let mut errs = wz.bad.get_untracked();
            errs.extend(i.validate_all().err().unwrap_or_default());
            if errs.is_empty() {
                Ok(())
            } else {
                Err(errs)
            }
        } else {
            check(&i, n)
        };
        if wz.errors.check(result) {
            next_to.set(to);
            launch_after.set(and_launch);
            save.dispatch((n, i));
        }
    };
    let pending = Signal::derive(move || save.pending().get() || launch.pending().get());

    let step_bar = move || {
        (1..=5u8)
            .map(|n| {
                // A step is reachable once the one before it was saved (a launched campaign:
                // every step).
                let reachable = move || n == 1 || live.get() || status.get() == CampaignStatus::Ended || n <= furthest.get() + 1;
                view! {
                    <li class:done=move || { n < step.get() } class:current=move || n == step.get()>
                        <button
                            type="button"
                            class="link"
                            data-test=format!("wizard-step-{n}")
                            disabled=move || !reachable() || id.get().is_none() && n != 1
                            on:click=move |_| go.with_value(|g| g(n))
                        >
                            <span class="no">{n}</span>
                            {tr(step_title(n))}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // Errors of other steps (after a launch or a launched campaign's save), linked to them.
    let elsewhere = move || {
        let here = step.get();
        wz.errors
            .fields
            .get()
            .into_iter()
            .filter(|e| step_of_path(&e.field) != here)
            .map(|e| {
                let n = step_of_path(&e.field);
                view! {
                    <li>
                        <button type="button" class="link" on:click=move |_| go.with_value(|g| g(n))>
                            {format!("{} {n} · {}", tr(T::WzStep), tr(step_title(n)))}
                        </button>
                        {format!(" {} — {}", e.field, e.msg.render(l))}
                    </li>
                }
            })
            .collect_view()
    };
    let title = move || {
        let name = input.with(|i| i.basic.name.clone());
        let kind = input.with(|i| i.basic.kind);
        match id.get() {
            None => format!("{} · {}", tr(T::WzNewTitle), kind.label(l)),
            Some(_) => format!("{} · {}", if name.is_empty() { tr(T::WzEditTitle).to_string() } else { name }, status.get().label(l)),
        }
    };
    let overlaps = StoredValue::new(overlaps);

    view! {
        <div class="page-header">
            <h1 data-test="wizard-title">{title}</h1>
            <div class="page-actions">
                <a class="btn" href="/marketing/campaigns">{tr(T::WzBackToList)}</a>
            </div>
        </div>
        <ol class="wizard-steps clickable">{step_bar}</ol>
        <Show when=move || status.get() == CampaignStatus::Ended>
            <p class="hint notice">{tr(T::WzEndedReadOnly)}</p>
        </Show>
        <Show when=move || live.get()>
            <p class="hint notice">{tr(T::WzLiveHint)}</p>
        </Show>
        <Show when=move || wz.errors.fields.with(|f| f.iter().any(|e| step_of_path(&e.field) != step.get()))>
            <div class="form-error wz-elsewhere" role="alert">
                <p>{tr(T::WzErrorsElsewhere)}</p>
                <ul>{elsewhere}</ul>
            </div>
        </Show>
        <form class="wizard-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let to = (step.get_untracked() + 1).min(5);
            // Read-only (ended, or view permission only): Next only turns the page.
            if readonly.get_untracked() {
                go.with_value(|g| g(to));
            } else {
                submit(Some(to), false);
            }
        }>
            {move || match step.get() {
                1 => view! { <StepBasic wz/> }.into_any(),
                2 => {
                    view! {
                        <StepSettings wz/>
                        <OverlapNotice id=id.get_untracked() overlaps=overlaps.get_value() priority readonly/>
                    }
                        .into_any()
                }
                3 => view! { <StepPrizes wz id coupon_codes/> }.into_any(),
                4 => view! { <StepDelivery wz/> }.into_any(),
                _ => {
                    view! {
                        <div class="wz-page-step">
                            <StepPage wz/>
                            <PagePreview input/>
                        </div>
                        <OverlapNotice id=id.get_untracked() overlaps=overlaps.get_value() priority readonly/>
                    }
                        .into_any()
                }
            }}
            <Show when=move || wz.errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || wz.errors.form.get()}</p>
            </Show>
            <div class="form-actions wizard-actions">
                <button
                    type="button"
                    class="btn"
                    data-test="wizard-back"
                    disabled=move || step.get() == 1
                    on:click=move |_| go.with_value(|g| g(step.get_untracked() - 1))
                >
                    {tr(T::WzBack)}
                </button>
                <Show when=move || !readonly.get()>
                    <button type="button" class="btn" data-test="wizard-save" disabled=move || pending.get() on:click=move |_| submit(None, false)>
                        {move || if live.get() { tr(T::WzSaveChanges) } else { tr(T::WzSaveDraft) }}
                    </button>
                </Show>
                <Show when=move || step.get() < 5>
                    <button type="submit" class="btn primary" data-test="wizard-next" disabled=move || pending.get() && !readonly.get()>
                        {tr(T::WzNext)}
                    </button>
                </Show>
                <Show when=move || step.get() == 5 && status.get() == CampaignStatus::Draft && !readonly.get()>
                    <button
                        type="button"
                        class="btn primary"
                        data-test="wizard-launch"
                        disabled=move || pending.get()
                        on:click=move |_| submit(None, true)
                    >
                        {tr(T::WzLaunch)}
                    </button>
                </Show>
            </div>
        </form>
    }
}

// ---------- step 1 ----------

#[component]
fn StepBasic(wz: Wz) -> impl IntoView {
    let l = use_locale();
    let input = wz.input;
    let kinds = CampaignKind::ALL
        .map(|k| {
            view! {
                <label class="radio">
                    <input
                        type="radio"
                        name="basic.kind"
                        value=k.key()
                        prop:checked=move || input.with(|i| i.basic.kind == k)
                        on:change=move |_| input.update(|i| i.basic.kind = k)
                        disabled=move || wz.readonly.get()
                    />
                    {k.label(l)}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="wz-step" data-step="1">
            {row(wz, tr(T::WzKind).to_string(), "basic.kind".into(), view! { <span>{kinds}</span> })}
            {text_in(wz, T::Name, "basic.name".into(), NAME_MAX, |i| i.basic.name.clone(), |i, v| i.basic.name = v)}
            {datetime_in(wz, T::WzStartsAt, "basic.starts_at".into(), |i| i.basic.starts_at, |i, v| i.basic.starts_at = v)}
            {datetime_in(wz, T::WzEndsAt, "basic.ends_at".into(), |i| i.basic.ends_at, |i, v| i.basic.ends_at = v)}
            <p class="hint">{tr(T::WzChinaTime)}</p>
            {cycle_in(wz, T::WzCycle, "basic.cycle".into(), |i| i.basic.cycle.clone(), |i, v| i.basic.cycle = v)}
            {area_in(wz, T::WzDescription, "basic.description".into(), TEXT_MAX, |i| i.basic.description.clone(), |i, v| i.basic.description = v)}
        </section>
    }
}

// ---------- step 2 ----------

#[component]
fn StepSettings(wz: Wz) -> AnyView {
    let choices = LocalResource::new(campaign_choices);
    let specs = Signal::derive(move || choices.get().and_then(|r| r.ok()).map(|c| c.specs).unwrap_or_default());
    let products = Signal::derive(move || choices.get().and_then(|r| r.ok()).map(|c| c.products).unwrap_or_default());
    let un = Some(T::WzUnlimited);
    let lim = |label: T| tr(label).to_string();
    view! {
        <section class="wz-step" data-step="2">
            <h3>{tr(T::WzMatching)}</h3>
            {id_checks(wz, T::WzSpecs, "settings.spec_ids".into(), specs, |i| i.settings.spec_ids.clone(), |i, v| i.settings.spec_ids = v)}
            {id_checks(wz, T::WzProducts, "settings.product_ids".into(), products, |i| i.settings.product_ids.clone(), |i, v| i.settings.product_ids = v)}
            <p class="hint">{tr(T::WzProductsHint)}</p>
            {province_checks(wz, T::WzProvinces, "settings.provinces".into(), |i| i.settings.provinces.clone(), |i, v| i.settings.provinces = v)}
            <p class="hint">{tr(T::WzProvincesHint)}</p>
            <h3>{tr(T::WzScanLimits)}</h3>
            {opt_num(wz, lim(T::WzScansPerCode), "settings.scans_per_code".into(), un, |i| i.settings.scans_per_code, |i, v| i.settings.scans_per_code = v)}
            {opt_num(wz, lim(T::WzScansPerCodePerPerson), "settings.scans_per_code_per_person".into(), un, |i| i.settings.scans_per_code_per_person, |i, v| i.settings.scans_per_code_per_person = v)}
            <h3>{tr(T::WzCodeDraws)}</h3>
            {opt_num(wz, lim(T::WzPerDay), "settings.code_draws.per_day".into(), un, |i| i.settings.code_draws.per_day, |i, v| i.settings.code_draws.per_day = v)}
            {opt_num(wz, lim(T::WzPerCampaign), "settings.code_draws.per_campaign".into(), un, |i| i.settings.code_draws.per_campaign, |i, v| i.settings.code_draws.per_campaign = v)}
            {opt_num(wz, lim(T::WzMinutesAfterFirstScan), "settings.code_draws.minutes_after_first_scan".into(), un, |i| i.settings.code_draws.minutes_after_first_scan, |i, v| i.settings.code_draws.minutes_after_first_scan = v)}
            {opt_num(wz, lim(T::WzMinutesAfterActivation), "settings.code_draws.minutes_after_activation".into(), un, |i| i.settings.code_draws.minutes_after_activation, |i, v| i.settings.code_draws.minutes_after_activation = v)}
            {opt_num(wz, lim(T::WzRescans), "settings.code_draws.rescans".into(), un, |i| i.settings.code_draws.rescans, |i, v| i.settings.code_draws.rescans = v)}
            <h3>{tr(T::WzCodeWins)}</h3>
            {opt_num(wz, lim(T::WzPerDay), "settings.code_wins.per_day".into(), un, |i| i.settings.code_wins.per_day, |i, v| i.settings.code_wins.per_day = v)}
            {opt_num(wz, lim(T::WzPerCampaign), "settings.code_wins.per_campaign".into(), un, |i| i.settings.code_wins.per_campaign, |i, v| i.settings.code_wins.per_campaign = v)}
            {opt_num(wz, lim(T::WzMinutesAfterFirstScan), "settings.code_wins.minutes_after_first_scan".into(), un, |i| i.settings.code_wins.minutes_after_first_scan, |i, v| i.settings.code_wins.minutes_after_first_scan = v)}
            {opt_num(wz, lim(T::WzMinutesAfterActivation), "settings.code_wins.minutes_after_activation".into(), un, |i| i.settings.code_wins.minutes_after_activation, |i, v| i.settings.code_wins.minutes_after_activation = v)}
            <h3>{tr(T::WzUserDraws)}</h3>
            {opt_num(wz, lim(T::WzPerDay), "settings.user_draws.per_day".into(), un, |i| i.settings.user_draws.per_day, |i, v| i.settings.user_draws.per_day = v)}
            {opt_num(wz, lim(T::WzPerCampaign), "settings.user_draws.per_campaign".into(), un, |i| i.settings.user_draws.per_campaign, |i, v| i.settings.user_draws.per_campaign = v)}
            {opt_num(wz, lim(T::WzSecondsBetweenDraws), "settings.user_draws.seconds_between_draws".into(), un, |i| i.settings.user_draws.seconds_between_draws, |i, v| i.settings.user_draws.seconds_between_draws = v)}
            <h3>{tr(T::WzUserWins)}</h3>
            {opt_num(wz, lim(T::WzPerDay), "settings.user_wins.per_day".into(), un, |i| i.settings.user_wins.per_day, |i, v| i.settings.user_wins.per_day = v)}
            {opt_num(wz, lim(T::WzPerCampaign), "settings.user_wins.per_campaign".into(), un, |i| i.settings.user_wins.per_campaign, |i, v| i.settings.user_wins.per_campaign = v)}
            <label class="check field">
                <input
                    type="checkbox"
                    name="settings.user_wins.every_draw_wins"
                    prop:checked=move || wz.input.with(|i| i.settings.user_wins.every_draw_wins)
                    on:change=move |ev| wz.input.update(|i| i.settings.user_wins.every_draw_wins = event_target_checked(&ev))
                    disabled=move || wz.readonly.get()
                />
                {tr(T::WzEveryDrawWins)}
            </label>
        </section>
    }
    .into_any()
}

// ---------- step 3 ----------

fn claim_kind(c: &ClaimExpiry) -> &'static str {
    match c {
        ClaimExpiry::Never => "never",
        ClaimExpiry::Hours(_) => "hours",
        ClaimExpiry::Days(_) => "days",
        ClaimExpiry::At(_) => "at",
    }
}

#[component]
fn StepPrizes(wz: Wz, id: RwSignal<Option<i64>>, coupon_codes: RwSignal<Vec<CouponCodes>>) -> impl IntoView {
    let input = wz.input;
    let l = use_locale();
    // Re-drawn only when prizes are added or removed, so typing keeps the focus.
    let keys = Memo::new(move |_| input.with(|i| i.prizes.iter().map(|p| p.key).collect::<Vec<_>>()));
    let add = move |_| {
        input.update(|i| {
            let key = i.prizes.iter().map(|p| p.key).max().unwrap_or(0) + 1;
            i.prizes.push(Prize { key, quantity: Some(100), ..Prize::default() });
        })
    };
    let max = move || input.with(|i| i.basic.kind.max_prizes());
    view! {
        <section class="wz-step" data-step="3">
            <p class="hint">{move || format!("{} {}", tr(T::WzPrizesHint), max())}</p>
            <FieldMsg wz path="prizes"/>
            <div class="prize-cards">
                {move || {
                    keys.get()
                        .into_iter()
                        .enumerate()
                        .map(|(idx, key)| view! { <PrizeCard wz idx key id coupon_codes/> })
                        .collect_view()
                }}
            </div>
            <Show when=move || !wz.readonly.get()>
                <button type="button" class="btn" data-test="add-prize" on:click=add disabled=move || { keys.get().len() >= max() }>
                    {format!("+ {}", T::WzAddPrize.in_(l))}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn PrizeCard(wz: Wz, idx: usize, key: u16, id: RwSignal<Option<i64>>, coupon_codes: RwSignal<Vec<CouponCodes>>) -> AnyView {
    let l = use_locale();
    let input = wz.input;
    let path = move |f: &str| format!("prizes[{idx}].{f}");
    // Reads and writes of this card's prize (found by index: the list re-draws on removal).
    let pk = move |i: &CampaignInput| i.prizes.get(idx).map(|p| p.kind).unwrap_or_default();
    let kind = move || input.with(pk);
    let remove = move |_| {
        input.update(|i| {
            i.prizes.retain(|p| p.key != key);
            for p in i.prizes.iter_mut() {
                if p.over_limit == Some(key) {
                    p.over_limit = None;
                }
            }
        })
    };
    let others = move || input.with(|i| i.prizes.iter().filter(|p| p.key != key).map(|p| (p.key, p.name.clone())).collect::<Vec<_>>());
    let awarded = move || input.with(|i| i.prizes.get(idx).map(|p| p.awarded).unwrap_or(0));
    let image = move || input.with(|i| i.prizes.get(idx).and_then(|p| p.image.clone()));
    let claim = move || input.with(|i| i.prizes.get(idx).map(|p| p.claim_expiry.clone()).unwrap_or_default());
    let set_claim = move |c: ClaimExpiry| input.update(|i| i.prizes[idx].claim_expiry = c);
    let coupon = move || input.with(|i| i.prizes.get(idx).and_then(|p| p.coupon.clone()).unwrap_or_default());
    let set_coupon = move |c: CouponSetup| input.update(|i| i.prizes[idx].coupon = Some(c));

    let kind_select = view! {
        <select
            name=path("kind")
            prop:value=move || kind().key()
            on:change=move |ev| {
                let k = PrizeKind::from_key(&event_target_value(&ev)).unwrap_or_default();
                input.update(|i| {
                    let p = &mut i.prizes[idx];
                    p.kind = k;
                    // Thanks-for-playing keeps no stock; a coupon needs its setup.
                    if k == PrizeKind::Thanks {
                        p.quantity = None;
                        p.warning_value = None;
                        p.daily_cap = None;
                        p.per_person_cap = None;
                        p.per_person_daily_cap = None;
                        p.over_limit = None;
                    } else if p.quantity.is_none() {
                        p.quantity = Some(100);
                    }
                    p.coupon = (k == PrizeKind::Coupon).then(|| p.coupon.clone().unwrap_or_default());
                })
            }
            disabled=move || wz.readonly.get()
        >
            {PrizeKind::ALL.map(|k| view! { <option value=k.key() selected=move || kind() == k>{k.label(l)}</option> }).collect_view()}
        </select>
    };
    let claim_control = move || {
        view! {
            <span class="claim">
                <select
                    name=path("claim_expiry")
                    prop:value=move || claim_kind(&claim())
                    on:change=move |ev| {
                        set_claim(match event_target_value(&ev).as_str() {
                            "hours" => ClaimExpiry::Hours(24),
                            "days" => ClaimExpiry::Days(7),
                            "at" => ClaimExpiry::At(input.with_untracked(|i| i.basic.ends_at).unwrap_or_else(Utc::now)),
                            _ => ClaimExpiry::Never,
                        })
                    }
                    disabled=move || wz.readonly.get()
                >
                    <option value="never" selected=move || claim_kind(&claim()) == "never">{tr(T::WzClaimNever)}</option>
                    <option value="hours" selected=move || claim_kind(&claim()) == "hours">{tr(T::WzClaimHours)}</option>
                    <option value="days" selected=move || claim_kind(&claim()) == "days">{tr(T::WzClaimDays)}</option>
                    <option value="at" selected=move || claim_kind(&claim()) == "at">{tr(T::WzClaimAt)}</option>
                </select>
                {move || match claim() {
                    ClaimExpiry::Hours(n) | ClaimExpiry::Days(n) => {
                        let hours = matches!(claim(), ClaimExpiry::Hours(_));
                        view! {
                            <input
                                type="number"
                                min="1"
                                name=path("claim_expiry.n")
                                aria-label=tr(T::WzClaimExpiry)
                                prop:value=n.to_string()
                                on:change=move |ev| {
                                    if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                                        set_claim(if hours { ClaimExpiry::Hours(n) } else { ClaimExpiry::Days(n) });
                                    }
                                }
                                disabled=move || wz.readonly.get()
                            />
                        }
                            .into_any()
                    }
                    ClaimExpiry::At(t) => {
                        view! {
                            <input
                                type="datetime-local"
                                name=path("claim_expiry.at")
                                aria-label=tr(T::WzClaimExpiry)
                                prop:value=local_datetime_value(&t)
                                on:change=move |ev| {
                                    if let Some(t) = parse_local_datetime(&event_target_value(&ev)) {
                                        set_claim(ClaimExpiry::At(t));
                                    }
                                }
                                disabled=move || wz.readonly.get()
                            />
                        }
                            .into_any()
                    }
                    ClaimExpiry::Never => ().into_any(),
                }}
            </span>
        }
    };
    let over_limit = move || {
        view! {
            <select
                name=path("over_limit")
                on:change=move |ev| input.update(|i| i.prizes[idx].over_limit = event_target_value(&ev).parse().ok())
                prop:value=move || input.with(|i| i.prizes.get(idx).and_then(|p| p.over_limit).map(|k| k.to_string()).unwrap_or_default())
                disabled=move || wz.readonly.get()
            >
                <option value="">{tr(T::WzNone)}</option>
                {move || {
                    others()
                        .into_iter()
                        .map(|(k, name)| {
                            let selected = move || input.with(|i| i.prizes.get(idx).and_then(|p| p.over_limit) == Some(k));
                            view! { <option value=k.to_string() selected=selected>{format!("#{k} {name}")}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
    };
    let coupon_control = move || {
        view! {
            <span class="coupon">
                <select
                    name=path("coupon.source")
                    aria-label=tr(T::WzCouponSource)
                    prop:value=move || if coupon().source == CouponSource::Import { "import" } else { "generate" }
                    on:change=move |ev| {
                        let mut c = coupon();
                        c.source = if event_target_value(&ev) == "import" { CouponSource::Import } else { CouponSource::Generate };
                        set_coupon(c);
                    }
                    disabled=move || wz.readonly.get()
                >
                    <option value="generate" selected=move || coupon().source == CouponSource::Generate>{tr(T::WzCouponGenerate)}</option>
                    <option value="import" selected=move || coupon().source == CouponSource::Import>{tr(T::WzCouponImport)}</option>
                </select>
                <select
                    name=path("coupon.validity")
                    aria-label=tr(T::WzCouponValidity)
                    prop:value=move || if matches!(coupon().validity, CouponValidity::Days(_)) { "days" } else { "range" }
                    on:change=move |ev| {
                        let mut c = coupon();
                        c.validity = if event_target_value(&ev) == "range" {
                            let (from, to) = input.with_untracked(|i| (i.basic.starts_at, i.basic.ends_at));
                            let from = from.unwrap_or_else(Utc::now);
                            CouponValidity::Range { from, to: to.unwrap_or(from + chrono::Duration::days(30)) }
                        } else {
                            CouponValidity::Days(30)
                        };
                        set_coupon(c);
                    }
                    disabled=move || wz.readonly.get()
                >
                    <option value="days" selected=move || matches!(coupon().validity, CouponValidity::Days(_))>{tr(T::WzCouponDays)}</option>
                    <option value="range" selected=move || matches!(coupon().validity, CouponValidity::Range { .. })>{tr(T::WzCouponRange)}</option>
                </select>
                {move || match coupon().validity {
                    CouponValidity::Days(d) => {
                        view! {
                            <input
                                type="number"
                                min="1"
                                name=path("coupon.days")
                                aria-label=tr(T::WzCouponDays)
                                prop:value=d.to_string()
                                on:change=move |ev| {
                                    if let Ok(d) = event_target_value(&ev).trim().parse::<u32>() {
                                        let mut c = coupon();
                                        c.validity = CouponValidity::Days(d);
                                        set_coupon(c);
                                    }
                                }
                                disabled=move || wz.readonly.get()
                            />
                        }
                            .into_any()
                    }
                    CouponValidity::Range { from, to } => {
                        let set_range = move |first: bool, t: DateTime<Utc>| {
                            let mut c = coupon();
                            if let CouponValidity::Range { from, to } = c.validity {
                                c.validity = if first { CouponValidity::Range { from: t, to } } else { CouponValidity::Range { from, to: t } };
                                set_coupon(c);
                            }
                        };
                        view! {
                            <input
                                type="datetime-local"
                                name=path("coupon.from")
                                aria-label=tr(T::WzFrom)
                                prop:value=local_datetime_value(&from)
                                on:change=move |ev| {
                                    if let Some(t) = parse_local_datetime(&event_target_value(&ev)) {
                                        set_range(true, t)
                                    }
                                }
                            />
                            <input
                                type="datetime-local"
                                name=path("coupon.to")
                                aria-label=tr(T::WzTo)
                                prop:value=local_datetime_value(&to)
                                on:change=move |ev| {
                                    if let Some(t) = parse_local_datetime(&event_target_value(&ev)) {
                                        set_range(false, t)
                                    }
                                }
                            />
                        }
                            .into_any()
                    }
                }}
            </span>
        }
    };
    let un = Some(T::WzUnlimited);
    let stocked = move || kind() != PrizeKind::Thanks;
    view! {
        <fieldset class="prize-card" data-prize=key.to_string()>
            <legend>
                {format!("#{key} ")}
                {move || input.with(|i| i.prizes.get(idx).map(|p| p.name.clone()).unwrap_or_default())}
            </legend>
            <Show when=move || wz.live.get() && stocked()>
                <p class="hint" data-test="prize-awarded">
                    {move || {
                        let q = input.with(|i| i.prizes.get(idx).and_then(|p| p.quantity).unwrap_or(0));
                        format!("{} {} · {} {}", tr(T::WzAwarded), l.int(awarded().into()), tr(T::WzRemaining), l.int(q.saturating_sub(awarded()).into()))
                    }}
                </p>
            </Show>
            {row(wz, tr(T::WzPrizeKind).to_string(), path("kind"), kind_select)}
            {text_in(wz, T::Name, path("name"), PRIZE_NAME_MAX, move |i| i.prizes.get(idx).map(|p| p.name.clone()).unwrap_or_default(), move |i, v| i.prizes[idx].name = v)}
            <ImagePicker wz label=T::WzImage path=path("image") get=Signal::derive(image) set=Callback::new(move |v| input.update(|i| i.prizes[idx].image = v))/>
            <Show when=move || kind() == PrizeKind::Points>
                {num(wz, T::WzPoints, path("points"), move |i| i.prizes.get(idx).map(|p| p.points).unwrap_or(0), move |i, v| i.prizes[idx].points = v)}
            </Show>
            <Show when=stocked>
                {money_in(wz, if kind() == PrizeKind::Cash { T::WzCashAmount } else { T::WzValue }, path("value_fen"), move |i| i.prizes.get(idx).map(|p| p.value_fen).unwrap_or(0), move |i, v| i.prizes[idx].value_fen = v)}
                {opt_num(wz, tr(T::WzQuantity).to_string(), path("quantity"), None, move |i| i.prizes.get(idx).and_then(|p| p.quantity), move |i, v| i.prizes[idx].quantity = v)}
                {opt_num(wz, tr(T::WzWarningValue).to_string(), path("warning_value"), Some(T::WzNone), move |i| i.prizes.get(idx).and_then(|p| p.warning_value), move |i, v| i.prizes[idx].warning_value = v)}
                {opt_num(wz, tr(T::WzDailyCap).to_string(), path("daily_cap"), un, move |i| i.prizes.get(idx).and_then(|p| p.daily_cap), move |i, v| i.prizes[idx].daily_cap = v)}
                {opt_num(wz, tr(T::WzPerPersonCap).to_string(), path("per_person_cap"), un, move |i| i.prizes.get(idx).and_then(|p| p.per_person_cap), move |i, v| i.prizes[idx].per_person_cap = v)}
                {opt_num(wz, tr(T::WzPerPersonDailyCap).to_string(), path("per_person_daily_cap"), un, move |i| i.prizes.get(idx).and_then(|p| p.per_person_daily_cap), move |i, v| i.prizes[idx].per_person_daily_cap = v)}
                {row(wz, tr(T::WzOverLimit).to_string(), path("over_limit"), over_limit())}
                {row(wz, tr(T::WzClaimExpiry).to_string(), path("claim_expiry"), claim_control())}
            </Show>
            <Show when=move || kind() == PrizeKind::Coupon>
                {row(wz, tr(T::WzCoupon).to_string(), path("coupon"), coupon_control())}
                <FieldMsg wz path=path("coupon.validity")/>
                <Show when=move || coupon().source == CouponSource::Import>
                    <CouponImport wz id key coupon_codes/>
                </Show>
            </Show>
            <Show when=move || !wz.readonly.get() && awarded() == 0 && !wz.running.get()>
                <button type="button" class="link danger" data-test="remove-prize" on:click=remove>{tr(T::WzRemove)}</button>
            </Show>
        </fieldset>
    }
    .into_any()
}

/// A picture (prize image, banner): upload in the browser, stored under `/media`.
#[component]
fn ImagePicker(wz: Wz, label: T, path: String, get: Signal<Option<String>>, set: Callback<Option<String>>) -> impl IntoView {
    let l = use_locale();
    let upload = Action::new(|data: &String| upload_campaign_image(data.clone()));
    let p = path.clone();
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(rel)) => {
            wz.set_bad(&p, None);
            set.run(Some(rel));
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let p2 = path.clone();
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use base64::Engine;
            use wasm_bindgen::JsCast;
            let Some(target) = ev.target() else { return };
            let Ok(el) = target.dyn_into::<web_sys::HtmlInputElement>() else { return };
            let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
            el.set_value("");
            let max = crate::domain::basic_data::IMAGE_MAX_KB;
            if file.size() > (max * 1024) as f64 {
                wz.set_bad(&p2, Some(Msg::FileTooLarge { max_kb: max }));
                return;
            }
            let p3 = p2.clone();
            leptos::task::spawn_local(async move {
                let Ok(buf) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else { return };
                let bytes = web_sys::js_sys::Uint8Array::new(&buf).to_vec();
                if crate::domain::basic_data::image_extension(&bytes).is_none() {
                    wz.set_bad(&p3, Some(Msg::UnsupportedFileType));
                } else {
                    upload.dispatch(base64::engine::general_purpose::STANDARD.encode(bytes));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &p2);
    };
    let file_name = path.clone();
    let control = view! {
        <span class="image-pick">
            {move || get.get().map(|src| view! { <img class="thumb" src=format!("/media/{src}") alt=""/> })}
            <Show when=move || !wz.readonly.get()>
                <input type="file" accept="image/png,image/jpeg,image/webp" name=file_name.clone() on:change=on_pick.clone()/>
                <Show when=move || get.get().is_some()>
                    <button type="button" class="link danger" on:click=move |_| set.run(None)>{tr(T::WzRemove)}</button>
                </Show>
            </Show>
            {move || upload.pending().get().then(|| view! { <span class="hint">{T::Loading.in_(l)}</span> })}
        </span>
    };
    let p = path.clone();
    row(wz, tr(label).to_string(), p, control)
}

/// Imports coupon codes (a text file, one code per line) for a saved prize, with the report.
#[component]
fn CouponImport(wz: Wz, id: RwSignal<Option<i64>>, key: u16, coupon_codes: RwSignal<Vec<CouponCodes>>) -> impl IntoView {
    let l = use_locale();
    let text = RwSignal::new(String::new());
    let run = Action::new(move |t: &String| {
        let t = t.clone();
        async move {
            match id.get_untracked() {
                Some(cid) => import_coupon_codes(cid, key, t).await,
                None => Err(crate::error::AppError::NotFound),
            }
        }
    });
    let report = RwSignal::new(None::<CouponImportReport>);
    Effect::new(move |_| match run.value().get() {
        Some(Ok(r)) => {
            coupon_codes.update(|c| {
                c.retain(|x| x.prize != key);
                c.push(CouponCodes { prize: key, total: r.total, free: r.free });
            });
            text.set(String::new());
            report.set(Some(r));
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
            el.set_value("");
            leptos::task::spawn_local(async move {
                if let Ok(v) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    if let Some(s) = v.as_string() {
                        text.set(s);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let counts = move || coupon_codes.with(|c| c.iter().find(|x| x.prize == key).map(|x| (x.total, x.free)).unwrap_or((0, 0)));
    // Codes belong to the saved prize row: before the first save there is nothing to attach to.
    let saved = move || id.get().is_some();
    view! {
        <div class="coupon-import" data-test="coupon-import">
            <p class="hint">
                {move || {
                    let (total, free) = counts();
                    format!("{} {} · {} {}", tr(T::WzCodesImported), l.int(total), tr(T::WzCodesFree), l.int(free))
                }}
            </p>
            <Show when=saved fallback=|| view! { <p class="hint">{tr(T::WzSaveBeforeImport)}</p> }>
                <Show when=move || !wz.readonly.get()>
                    <textarea name=format!("coupon_codes_{key}") rows="3" placeholder=tr(T::WzCodesPlaceholder) bind:value=text></textarea>
                    <input type="file" accept=".txt,.csv,text/plain" name=format!("coupon_file_{key}") on:change=on_file/>
                    <button
                        type="button"
                        class="btn"
                        data-test="import-codes"
                        disabled=move || run.pending().get() || text.with(|t| t.trim().is_empty())
                        on:click=move |_| {
                            run.dispatch(text.get_untracked());
                        }
                    >
                        {tr(T::WzImportCodes)}
                    </button>
                </Show>
            </Show>
            {move || {
                report
                    .get()
                    .map(|r| {
                        let lines = |v: &Vec<usize>| v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
                        view! {
                            <ul class="import-report" data-test="import-report">
                                <li>{format!("{} {}", tr(T::WzReportImported), r.imported)}</li>
                                <li>{format!("{} {}", tr(T::WzReportBlank), r.blank)}</li>
                                <li>{format!("{} {} {}", tr(T::WzReportDuplicates), r.duplicates, lines(&r.duplicate_lines))}</li>
                                <li>{format!("{} {} {}", tr(T::WzReportTooLong), r.too_long, lines(&r.too_long_lines))}</li>
                            </ul>
                        }
                    })
            }}
        </div>
    }
}

// ---------- step 4 ----------

/// "12.5" (percent, up to four decimals) → parts per million.
fn parse_percent(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches('%');
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > 4 || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let frac: u32 = format!("{frac:0<4}").parse().ok()?;
    whole.checked_mul(10_000)?.checked_add(frac)
}

fn percent_text(ppm: u32) -> String {
    percent(ppm.into()).trim_end_matches('%').to_string()
}

/// Where a plan lives: the default plan, or the precision plan at an index.
#[derive(Clone, Copy, PartialEq)]
enum PlanAt {
    Default,
    Precision(usize),
}

impl PlanAt {
    fn path(self) -> String {
        match self {
            PlanAt::Default => "delivery.default_plan".into(),
            PlanAt::Precision(i) => format!("delivery.precision[{i}]"),
        }
    }
    fn get(self, i: &CampaignInput) -> Option<&Plan> {
        match self {
            PlanAt::Default => Some(&i.delivery.default_plan),
            PlanAt::Precision(n) => i.delivery.precision.get(n),
        }
    }
    fn get_mut(self, i: &mut CampaignInput) -> Option<&mut Plan> {
        match self {
            PlanAt::Default => Some(&mut i.delivery.default_plan),
            PlanAt::Precision(n) => i.delivery.precision.get_mut(n),
        }
    }
}

#[component]
fn StepDelivery(wz: Wz) -> AnyView {
    let l = use_locale();
    let input = wz.input;
    let plan_keys = Memo::new(move |_| input.with(|i| i.delivery.precision.iter().map(|p| p.key).collect::<Vec<_>>()));
    let add = move |_| {
        input.update(|i| {
            let key = i.delivery.precision.iter().map(|p| p.key).max().unwrap_or(0) + 1;
            let conditions = PlanConditions { audience: Some(Audience::New), ..PlanConditions::default() };
            i.delivery.precision.push(Plan {
                key,
                name: format!("{} {key}", T::WzPlan.in_(l)),
                conditions,
                groups: vec![PrizeGroup::default()],
            });
        })
    };
    view! {
        <section class="wz-step" data-step="4">
            <FieldMsg wz path="delivery"/>
            <div class="wz-delivery">
                <div class="plans">
                    <h3>{tr(T::WzPrecisionPlans)}</h3>
                    <p class="hint">{tr(T::WzPrecisionHint)}</p>
                    {move || {
                        let keys = plan_keys.get();
                        let last = keys.len().saturating_sub(1);
                        keys.into_iter()
                            .enumerate()
                            .map(|(n, key)| view! { <PlanEditor wz at=PlanAt::Precision(n) key first=n == 0 last=n == last/> })
                            .collect_view()
                    }}
                    <Show when=move || !wz.readonly.get()>
                        <button type="button" class="btn" data-test="add-plan" on:click=add>{format!("+ {}", T::WzAddPlan.in_(l))}</button>
                    </Show>
                    <h3>{tr(T::WzDefaultPlan)}</h3>
                    <PlanEditor wz at=PlanAt::Default key=0 first=true last=true/>
                </div>
                <ForecastPanel input/>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn PlanEditor(wz: Wz, at: PlanAt, key: u16, first: bool, last: bool) -> AnyView {
    let l = use_locale();
    let input = wz.input;
    let base = at.path();
    let group_count = Memo::new(move |_| input.with(|i| at.get(i).map(|p| p.groups.len()).unwrap_or(0)));
    let shift = move |up: bool| {
        if let PlanAt::Precision(n) = at {
            input.update(|i| {
                let j = if up { n.checked_sub(1) } else { Some(n + 1).filter(|j| *j < i.delivery.precision.len()) };
                if let Some(j) = j {
                    i.delivery.precision.swap(n, j);
                }
            })
        }
    };
    let remove = move |_| input.update(|i| i.delivery.precision.retain(|p| p.key != key));
    let add_group = move |_| {
        input.update(|i| {
            if let Some(p) = at.get_mut(i) {
                p.groups.push(PrizeGroup::default());
            }
        })
    };
    let precision = matches!(at, PlanAt::Precision(_));
    let b = base.clone();
    view! {
        <fieldset class="plan" data-plan=key.to_string()>
            <legend>{if precision { format!("{} #{key}", tr(T::WzPlan)) } else { tr(T::WzDefaultPlan).to_string() }}</legend>
            <FieldMsg wz path=base.clone()/>
            {precision
                .then(|| {
                    let b2 = b.clone();
                    view! {
                        <div class="plan-tools">
                            <Show when=move || !wz.readonly.get()>
                                <button type="button" class="link" disabled=first on:click=move |_| shift(true)>{tr(T::WzMoveUp)}</button>
                                <button type="button" class="link" disabled=last on:click=move |_| shift(false)>{tr(T::WzMoveDown)}</button>
                                <button type="button" class="link danger" on:click=remove>{tr(T::WzRemove)}</button>
                            </Show>
                        </div>
                        {text_in(wz, T::Name, format!("{b2}.name"), PRIZE_NAME_MAX, move |i| at.get(i).map(|p| p.name.clone()).unwrap_or_default(), move |i, v| {
                            if let Some(p) = at.get_mut(i) {
                                p.name = v;
                            }
                        })}
                        <Conditions wz at/>
                    }
                })}
            <FieldMsg wz path=format!("{b}.groups")/>
            {move || (0..group_count.get()).map(|g| view! { <GroupEditor wz at g/> }).collect_view()}
            <Show when=move || !wz.readonly.get() && group_count.get() < MAX_GROUPS>
                <button type="button" class="btn small" data-test="add-group" on:click=add_group>
                    {format!("+ {}", T::WzAddGroup.in_(l))}
                </button>
            </Show>
        </fieldset>
    }
    .into_any()
}

/// What a precision plan matches.
#[component]
fn Conditions(wz: Wz, at: PlanAt) -> AnyView {
    let input = wz.input;
    let base = format!("{}.conditions", at.path());
    let choices = LocalResource::new(campaign_choices);
    let products = Signal::derive(move || choices.get().and_then(|r| r.ok()).map(|c| c.products).unwrap_or_default());
    // Crowds (not their snapshots) a plan may match; a chosen crowd missing from the choices
    // (deleted meanwhile) still shows, by its id, so that it can be unticked.
    let crowd_list = LocalResource::new(crowd_choices);
    let crowds = Signal::derive(move || {
        let mut list: Vec<(i64, String)> =
            crowd_list.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect();
        for id in input.with(|i| at.get(i).map(|p| p.conditions.crowd_ids.clone()).unwrap_or_default()) {
            if !list.iter().any(|(c, _)| *c == id) {
                list.push((id, format!("#{id}")));
            }
        }
        list
    });
    let plan_index = match at {
        PlanAt::Precision(n) => n,
        PlanAt::Default => 0,
    };
    let cond = move |i: &CampaignInput| at.get(i).map(|p| p.conditions.clone()).unwrap_or_default();
    fn upd(input: RwSignal<CampaignInput>, at: PlanAt, f: impl FnOnce(&mut PlanConditions)) {
        input.update(|i| {
            if let Some(p) = at.get_mut(i) {
                f(&mut p.conditions)
            }
        })
    }
    let risk_label = move |r: RiskLevel| match r {
        RiskLevel::Normal => tr(T::WzRiskNormal),
        RiskLevel::Watch => tr(T::WzRiskWatch),
        RiskLevel::High => tr(T::WzRiskHigh),
    };
    let risks = RiskLevel::ALL
        .map(|r| {
            view! {
                <label class="check inline">
                    <input
                        type="checkbox"
                        name=format!("{base}.risk_levels")
                        prop:checked=move || input.with(|i| cond(i).risk_levels.contains(&r))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            upd(input, at, |c| {
                                c.risk_levels.retain(|x| *x != r);
                                if on {
                                    c.risk_levels.push(r);
                                }
                            })
                        }
                        disabled=move || wz.readonly.get()
                    />
                    {risk_label(r)}
                </label>
            }
        })
        .collect_view();
    let audience = view! {
        <select
            name=format!("{base}.audience")
            prop:value=move || match input.with(|i| cond(i).audience) {
                Some(Audience::New) => "new",
                Some(Audience::Returning) => "returning",
                None => "",
            }
            on:change=move |ev| {
                let a = match event_target_value(&ev).as_str() {
                    "new" => Some(Audience::New),
                    "returning" => Some(Audience::Returning),
                    _ => None,
                };
                upd(input, at, |c| c.audience = a)
            }
            disabled=move || wz.readonly.get()
        >
            <option value="">{tr(T::WzAny)}</option>
            <option value="new" selected=move || input.with(|i| cond(i).audience == Some(Audience::New))>{tr(T::WzNewConsumer)}</option>
            <option value="returning" selected=move || input.with(|i| cond(i).audience == Some(Audience::Returning))>
                {tr(T::WzReturningConsumer)}
            </option>
        </select>
    };
    let base_r = base.clone();
    let range = move |label: T,
                      field: &'static str,
                      get: fn(&PlanConditions) -> Option<CountRange>,
                      set: fn(&mut PlanConditions, Option<CountRange>)| {
        let path = format!("{base_r}.{field}");
        let bound_path = path.clone();
        let bound = move |min: bool| {
            let name = format!("{bound_path}.{}", if min { "min" } else { "max" });
            view! {
                <input
                    type="number"
                    min="0"
                    name=name
                    aria-label=move || format!("{} {}", tr(label), if min { tr(T::WzMin) } else { tr(T::WzMax) })
                    placeholder=if min { tr(T::WzMin) } else { tr(T::WzMax) }
                    prop:value=move || {
                        input
                            .with(|i| get(&cond(i)))
                            .and_then(|r| if min { r.min } else { r.max })
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    }
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().parse::<u32>().ok();
                        upd(input, at, |c| {
                            let mut r = get(c).unwrap_or_default();
                            if min {
                                r.min = v;
                            } else {
                                r.max = v;
                            }
                            set(c, (r.min.is_some() || r.max.is_some()).then_some(r));
                        })
                    }
                    disabled=move || wz.readonly.get()
                />
            }
        };
        let control = view! { <span class="range">{bound(true)} " – " {bound(false)}</span> };
        row(wz, tr(label).to_string(), path.clone(), control)
    };
    view! {
        <div class="conditions">
            <FieldMsg wz path=base.clone()/>
            {id_checks(wz, T::WzProducts, format!("{base}.product_ids"), products, move |i| cond(i).product_ids, move |i, v| {
                if let Some(p) = at.get_mut(i) {
                    p.conditions.product_ids = v;
                }
            })}
            {row(wz, tr(T::WzRiskLevels).to_string(), format!("{base}.risk_levels"), view! { <span>{risks}</span> })}
            {row(wz, tr(T::WzAudience).to_string(), format!("{base}.audience"), audience)}
            {province_checks(wz, T::WzProvinces, format!("{base}.provinces"), move |i| cond(i).provinces, move |i, v| {
                if let Some(p) = at.get_mut(i) {
                    p.conditions.provinces = v;
                }
            })}
            {cycle_in(wz, T::WzWindow, format!("{base}.window"), move |i| cond(i).window, move |i, v| {
                if let Some(p) = at.get_mut(i) {
                    p.conditions.window = v;
                }
            })}
            {range(T::WzDrawCount, "draw_count", |c| c.draw_count, |c, r| c.draw_count = r)}
            {range(T::WzParticipationCount, "participation_count", |c| c.participation_count, |c, r| c.participation_count = r)}
            {range(T::WzPrizesWon, "prizes_won", |c| c.prizes_won, |c, r| c.prizes_won = r)}
            <div data-test=format!("plan-crowds-{}", plan_index)>
                {id_checks(wz, T::CrPlanCrowds, format!("{base}.crowd_ids"), crowds, move |i| cond(i).crowd_ids, move |i, v| {
                    if let Some(p) = at.get_mut(i) {
                        p.conditions.crowd_ids = v;
                    }
                })}
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn GroupEditor(wz: Wz, at: PlanAt, g: usize) -> AnyView {
    let l = use_locale();
    let input = wz.input;
    let gpath = format!("{}.groups[{g}]", at.path());
    let group = move |i: &CampaignInput| at.get(i).and_then(|p| p.groups.get(g)).cloned().unwrap_or_default();
    fn upd(input: RwSignal<CampaignInput>, at: PlanAt, g: usize, f: impl FnOnce(&mut PrizeGroup)) {
        input.update(|i| {
            if let Some(grp) = at.get_mut(i).and_then(|p| p.groups.get_mut(g)) {
                f(grp)
            }
        })
    }
    let entry_count = Memo::new(move |_| input.with(|i| group(i).entries.len()));
    let total = move || input.with(|i| group(i).entries.iter().map(|e| u64::from(e.probability_ppm)).sum::<u64>());
    let prizes = move || input.with(|i| i.prizes.iter().map(|p| (p.key, p.name.clone())).collect::<Vec<_>>());
    let remove_group = move |_| {
        input.update(|i| {
            if let Some(p) = at.get_mut(i) {
                if g < p.groups.len() {
                    p.groups.remove(g);
                }
            }
        })
    };
    // The first prize not yet in the group, read before the update: reading the signal inside
    // its own update finds it locked (and panics as if disposed).
    let add_entry = move |_| {
        let next = input.with_untracked(|i| {
            let used: Vec<u16> = group(i).entries.iter().map(|e| e.prize).collect();
            i.prizes.iter().map(|p| p.key).find(|k| !used.contains(k))
        });
        upd(input, at, g, |grp| grp.entries.push(GroupEntry { prize: next.unwrap_or(0), ..GroupEntry::default() }));
    };
    let prize_select = move |j: usize, path: String| {
        view! {
            <select
                name=path
                aria-label=tr(T::WzPrize)
                prop:value=move || input.with(|i| group(i).entries.get(j).map(|e| e.prize.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let k = event_target_value(&ev).parse().unwrap_or(0);
                    upd(input, at, g, |grp| grp.entries[j].prize = k)
                }
                disabled=move || wz.readonly.get()
            >
                <option value="0">"—"</option>
                {move || {
                    prizes()
                        .into_iter()
                        .map(|(k, name)| {
                            let selected = move || input.with(|i| group(i).entries.get(j).map(|e| e.prize) == Some(k));
                            view! { <option value=k.to_string() selected=selected>{format!("#{k} {name}")}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
    };
    let over_select = move |j: usize, path: String| {
        view! {
            <select
                name=path
                aria-label=tr(T::WzOverLimit)
                prop:value=move || input.with(|i| group(i).entries.get(j).and_then(|e| e.over_limit).map(|k| k.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let k = event_target_value(&ev).parse().ok();
                    upd(input, at, g, |grp| grp.entries[j].over_limit = k)
                }
                disabled=move || wz.readonly.get()
            >
                <option value="">{tr(T::WzPrizeOwn)}</option>
                {move || {
                    prizes()
                        .into_iter()
                        .map(|(k, name)| {
                            let selected = move || input.with(|i| group(i).entries.get(j).and_then(|e| e.over_limit) == Some(k));
                            view! { <option value=k.to_string() selected=selected>{format!("#{k} {name}")}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
    };
    let group_class = move || if total() > u64::from(PPM) { "group-total over" } else { "group-total" };
    let gp = gpath.clone();
    let entries = move || {
        (0..entry_count.get())
            .map(|j| {
                let epath = format!("{gp}.entries[{j}]");
                let pp = format!("{epath}.probability_ppm");
                let pp2 = pp.clone();
                let wpath = format!("{epath}.warning_value");
                let wp2 = wpath.clone();
                view! {
                    <tr data-entry=j.to_string()>
                        <td>{prize_select(j, format!("{epath}.prize"))} <FieldMsg wz path=format!("{epath}.prize")/></td>
                        <td>
                            <input
                                type="text"
                                inputmode="decimal"
                                class="pct"
                                name=pp.clone()
                                aria-label=tr(T::WzProbability)
                                prop:value=move || input.with(|i| group(i).entries.get(j).map(|e| percent_text(e.probability_ppm)).unwrap_or_default())
                                on:input=move |ev| match parse_percent(&event_target_value(&ev)) {
                                    Some(ppm) => {
                                        wz.set_bad(&pp2, None);
                                        upd(input, at, g, |grp| grp.entries[j].probability_ppm = ppm);
                                    }
                                    None => wz.set_bad(&pp2, Some(CampaignMsg::Between { min: 0, max: 100 }.into())),
                                }
                                disabled=move || wz.readonly.get()
                            />
                            "%"
                            <FieldMsg wz path=pp/>
                        </td>
                        <td>
                            <input
                                type="number"
                                min="0"
                                name=wpath.clone()
                                aria-label=tr(T::WzWarningValue)
                                prop:value=move || input.with(|i| group(i).entries.get(j).and_then(|e| e.warning_value).map(|n| n.to_string()).unwrap_or_default())
                                on:input=move |ev| {
                                    let s = event_target_value(&ev);
                                    match s.trim().parse::<u32>() {
                                        Ok(n) => {
                                            wz.set_bad(&wp2, None);
                                            upd(input, at, g, |grp| grp.entries[j].warning_value = Some(n));
                                        }
                                        Err(_) if s.trim().is_empty() => {
                                            wz.set_bad(&wp2, None);
                                            upd(input, at, g, |grp| grp.entries[j].warning_value = None);
                                        }
                                        Err(_) => wz.set_bad(&wp2, Some(CampaignMsg::AtLeast { min: 0 }.into())),
                                    }
                                }
                                disabled=move || wz.readonly.get()
                            />
                            <FieldMsg wz path=wpath/>
                        </td>
                        <td>{over_select(j, format!("{epath}.over_limit"))} <FieldMsg wz path=format!("{epath}.over_limit")/></td>
                        <td>
                            <Show when=move || !wz.readonly.get()>
                                <button type="button" class="link danger" on:click=move |_| upd(input, at, g, |grp| {
                                    if j < grp.entries.len() {
                                        grp.entries.remove(j);
                                    }
                                })>
                                    {tr(T::WzRemove)}
                                </button>
                            </Show>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="prize-group" data-group=g.to_string()>
            <div class="group-head">
                <strong>{format!("{} {}", tr(T::WzGroup), g + 1)}</strong>
                <span class=group_class data-test="group-total">
                    {move || format!("{} {} · {} {}", tr(T::WzGroupTotal), percent(total()), tr(T::WzNoPrize), percent(u64::from(PPM).saturating_sub(total())))}
                </span>
                <Show when=move || !wz.readonly.get()>
                    <button type="button" class="link danger" on:click=remove_group>{tr(T::WzRemoveGroup)}</button>
                </Show>
            </div>
            <FieldMsg wz path=gpath.clone()/>
            <FieldMsg wz path=format!("{gpath}.entries")/>
            <table class="entries">
                <thead>
                    <tr>
                        <th>{tr(T::WzPrize)}</th>
                        <th>{tr(T::WzProbability)}</th>
                        <th>{tr(T::WzWarningValue)}</th>
                        <th>{tr(T::WzOverLimit)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{entries}</tbody>
            </table>
            <Show when=move || !wz.readonly.get()>
                <button type="button" class="link" data-test="add-entry" on:click=add_entry>{format!("+ {}", T::WzAddEntry.in_(l))}</button>
            </Show>
        </div>
    }
    .into_any()
}

/// Expected cost per 1,000 draws, win rate, and each prize's expected awards and exhaustion
/// date, from the probabilities (computed in the browser as they are typed).
#[component]
fn ForecastPanel(input: RwSignal<CampaignInput>) -> AnyView {
    let l = use_locale();
    let plan = RwSignal::new(0u16);
    let per_day = RwSignal::new(String::from("1000"));
    let draws_per_day = move || per_day.get().trim().parse::<u32>().unwrap_or(0);
    let result = Memo::new(move |_| input.with(|i| forecast(i, plan.get(), draws_per_day())));
    let plans = move || {
        input.with(|i| {
            std::iter::once((0u16, T::WzDefaultPlan.in_(l).to_string()))
                .chain(i.delivery.precision.iter().map(|p| (p.key, format!("#{} {}", p.key, p.name))))
                .collect::<Vec<_>>()
        })
    };
    let exhaustion = move |days: Option<f64>| match days {
        Some(d) if d.is_finite() => {
            let at = Utc::now() + chrono::Duration::seconds((d * 86_400.0).min(86_400.0 * 36_500.0) as i64);
            format!("{} ({:.1} {})", l.datetime(&at), d, tr(T::WzDays))
        }
        _ => "—".to_string(),
    };
    view! {
        <aside class="forecast" data-test="forecast">
            <h3>{tr(T::WzForecast)}</h3>
            <label>
                <span class="label">{tr(T::WzPlan)}</span>
                <select name="forecast.plan" on:change=move |ev| plan.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {move || {
                        plans()
                            .into_iter()
                            .map(|(k, name)| view! { <option value=k.to_string() selected=move || plan.get() == k>{name}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                <span class="label">{tr(T::WzDrawsPerDay)}</span>
                <input type="number" min="0" name="forecast.draws_per_day" bind:value=per_day/>
            </label>
            <dl>
                <dt>{tr(T::WzCostPer1000)}</dt>
                <dd data-test="forecast-cost">{move || l.money(result.get().cost_per_1000_fen)}</dd>
                <dt>{tr(T::WzWinRate)}</dt>
                <dd data-test="forecast-win-rate">{move || percent(result.get().win_rate_ppm.into())}</dd>
            </dl>
            <table>
                <thead>
                    <tr>
                        <th>{tr(T::WzPrize)}</th>
                        <th>{tr(T::WzPer1000)}</th>
                        <th>{tr(T::WzRemaining)}</th>
                        <th>{tr(T::WzExhaustion)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        result
                            .get()
                            .prizes
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <tr data-prize=p.key.to_string()>
                                        <td>{format!("#{} {}", p.key, p.name)}</td>
                                        <td>{format!("{:.2}", p.per_1000)}</td>
                                        <td>{p.remaining.map(|r| l.int(r.into())).unwrap_or_else(|| "—".into())}</td>
                                        <td>{exhaustion(p.days_to_exhaustion)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </aside>
    }
    .into_any()
}

// ---------- step 5 ----------

#[component]
fn StepPage(wz: Wz) -> AnyView {
    let input = wz.input;
    let color = move |label: T, path: &'static str, get: fn(&CampaignInput) -> String, set: fn(&mut CampaignInput, String)| {
        let control = view! {
            <input
                type="color"
                name=path
                prop:value=move || input.with(get)
                on:input=move |ev| input.update(|i| set(i, event_target_value(&ev)))
                disabled=move || wz.readonly.get()
            />
        };
        row(wz, tr(label).to_string(), path.into(), control)
    };
    view! {
        <section class="wz-step" data-step="5">
            {text_in(wz, T::WzPageTitle, "page.title".into(), TITLE_MAX, |i| i.page.title.clone(), |i, v| i.page.title = v)}
            {color(T::WzPrimaryColor, "page.primary_color", |i| i.page.primary_color.clone(), |i, v| i.page.primary_color = v)}
            {color(T::WzBackgroundColor, "page.background_color", |i| i.page.background_color.clone(), |i, v| i.page.background_color = v)}
            <ImagePicker
                wz
                label=T::WzBanner
                path="page.banner_image".into()
                get=Signal::derive(move || input.with(|i| i.page.banner_image.clone()))
                set=Callback::new(move |v| input.update(|i| i.page.banner_image = v))
            />
            {area_in(wz, T::WzRules, "page.rules".into(), TEXT_MAX, |i| i.page.rules.clone(), |i, v| i.page.rules = v)}
            <p class="hint">{tr(T::WzRulesHint)}</p>
        </section>
    }
    .into_any()
}
