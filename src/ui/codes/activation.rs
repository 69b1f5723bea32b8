//! 码管理 → 码信息录入: pick a package, then its batches (by batch) or its serial ranges (by
//! range, not activated and activated). Info is entered for a whole batch or a range; ranges are
//! activated now or at a set time, revoked, split, edited and deleted while not active. The
//! enterprise's extra info fields are managed in a dialog here.
//!
//! Also the package picker that the query and scrap pages share.

use crate::api::code_activation::{
    activate_range, code_package_choices, delete_info_field, delete_range, get_info_choices, get_package_batches, list_ranges,
    revoke_range, save_info_field, save_range, split_range,
};
use crate::domain::access::{Function, Level};
use crate::domain::code_activation::*;
use crate::domain::code_packages::PackageStatus;
use crate::domain::page::PageReq;
use crate::domain::validate::{FieldError, Msg};
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;
use std::collections::BTreeMap;

// ---------- the package picker (shared with the query and scrap pages) ----------

/// Picks a package whose codes exist: a search box (name or id) and the matching packages.
#[component]
pub fn PackagePicker(selected: RwSignal<Option<PackageChoice>>) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let found = LocalResource::new(move || code_package_choices(search.get()));
    Effect::new(move |_| {
        if let Some(Err(e)) = found.get() {
            toast_error(&e);
        }
    });
    // The matches, and the chosen package even when the search no longer matches it.
    let options = Signal::derive(move || {
        let mut list = found.get().and_then(Result::ok).unwrap_or_default();
        if let Some(p) = selected.get() {
            if !list.iter().any(|x| x.id == p.id) {
                list.insert(0, p);
            }
        }
        list
    });
    view! {
        <span class="package-picker">
            <input type="search" aria-label=tr(T::ActSearchPackage) placeholder=tr(T::ActSearchPackage) bind:value=search/>
            <select
                name="package_id"
                aria-label=tr(T::ActPackage)
                on:change=move |ev| {
                    let id: Option<i64> = event_target_value(&ev).parse().ok();
                    selected.set(id.and_then(|id| options.get_untracked().into_iter().find(|p| p.id == id)));
                }
                prop:value=move || selected.get().map(|p| p.id.to_string()).unwrap_or_default()
            >
                <option value="">"—"</option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|p| {
                            let id = p.id;
                            view! {
                                <option value=id.to_string() selected=move || selected.with(|s| s.as_ref().map(|s| s.id) == Some(id))>
                                    {p.label()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </span>
    }
}

/// "name (#id) · status".
pub fn package_title(l: Locale, p: &PackageChoice) -> String {
    let status = PackageStatus::from_key(&p.status).map(|s| s.label(l)).unwrap_or(&p.status);
    format!("{} · {}", p.label(), status)
}

/// Text or "—".
pub fn or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".into())
}

pub fn range_status_badge(l: Locale, s: RangeStatus) -> AnyView {
    let class = match s {
        RangeStatus::Active => "badge ok",
        RangeStatus::Scheduled => "badge",
        RangeStatus::Entered => "badge off",
    };
    view! { <span class=class data-status=s.key()>{s.label(l)}</span> }.into_any()
}

// ---------- the page ----------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Batches,
    Ranges,
}

/// The page's dialogs and the reload counter every list follows.
#[derive(Clone, Copy)]
struct Dialogs {
    reloads: RwSignal<u32>,
    tab: RwSignal<Tab>,
    editing: RwSignal<Option<RangeInput>>,
    edit_open: RwSignal<bool>,
    activating: RwSignal<Option<Range>>,
    activate_open: RwSignal<bool>,
    splitting: RwSignal<Option<Range>>,
    split_open: RwSignal<bool>,
    revoke: Confirmed,
    delete: Confirmed,
}

impl Dialogs {
    fn reload(self) {
        self.reloads.update(|n| *n += 1);
    }
    fn edit(self, input: RangeInput) {
        self.editing.set(Some(input));
        self.edit_open.set(true);
    }
    fn activate(self, r: &Range) {
        self.activating.set(Some(r.clone()));
        self.activate_open.set(true);
    }
    fn split(self, r: &Range) {
        self.splitting.set(Some(r.clone()));
        self.split_open.set(true);
    }
}

/// A transition of a range asked about first (revoke, delete): the range, the confirmation,
/// and the request it sends.
#[derive(Clone, Copy)]
struct Confirmed {
    target: RwSignal<Option<Range>>,
    open: RwSignal<bool>,
    action: Action<(i64, i32), Result<(), crate::error::AppError>>,
}

impl Confirmed {
    fn new<Fut>(call: impl Fn(i64, i32) -> Fut + Send + Sync + 'static, done: T, reloads: RwSignal<u32>) -> Self
    where
        Fut: std::future::Future<Output = Result<(), crate::error::AppError>> + Send + 'static,
    {
        let action = Action::new(move |(id, version): &(i64, i32)| call(*id, *version));
        Effect::new(move |_| match action.value().get() {
            Some(Ok(())) => {
                toast(ToastKind::Ok, tr(done));
                reloads.update(|n| *n += 1);
            }
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
        Confirmed { target: RwSignal::new(None), open: RwSignal::new(false), action }
    }

    fn ask(self, r: &Range) {
        self.target.set(Some(r.clone()));
        self.open.set(true);
    }

    fn dialog(self, title: T, text: T) -> impl IntoView {
        let l = use_locale();
        let Confirmed { target, open, action } = self;
        view! {
            <ConfirmDialog
                open
                title
                text=Signal::derive(move || format!("{} {}", text.in_(l), target.get().map(|r| r.printable()).unwrap_or_default()))
                on_confirm=Callback::new(move |_| {
                    if let Some(r) = target.get_untracked() {
                        action.dispatch((r.id, r.version));
                    }
                })
            />
        }
    }
}

/// What the info form picks from, loaded once in the browser (again after the extra fields
/// change).
#[derive(Clone, Copy)]
struct Choices {
    all: Signal<InfoChoices>,
    reloads: RwSignal<u32>,
}

fn pairs(list: &[InfoChoice]) -> Vec<(i64, String)> {
    list.iter().map(|c| (c.id, c.name.clone())).collect()
}

#[component]
pub fn ActivationPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::CodeActivation, Level::Manage);
    let package: RwSignal<Option<PackageChoice>> = RwSignal::new(None);
    let reloads = RwSignal::new(0u32);
    let d = Dialogs {
        reloads,
        tab: RwSignal::new(Tab::Batches),
        editing: RwSignal::new(None),
        edit_open: RwSignal::new(false),
        activating: RwSignal::new(None),
        activate_open: RwSignal::new(false),
        splitting: RwSignal::new(None),
        split_open: RwSignal::new(false),
        revoke: Confirmed::new(|id, v| async move { revoke_range(id, v).await.map(|_| ()) }, T::ActRevokedNotice, reloads),
        delete: Confirmed::new(delete_range, T::Deleted, reloads),
    };
    let choice_reloads = RwSignal::new(0u32);
    let loaded_choices = LocalResource::new(move || {
        choice_reloads.track();
        get_info_choices()
    });
    Effect::new(move |_| {
        if let Some(Err(e)) = loaded_choices.get() {
            toast_error(&e);
        }
    });
    let choices =
        Choices { all: Signal::derive(move || loaded_choices.get().and_then(Result::ok).unwrap_or_default()), reloads: choice_reloads };
    let fields_open = RwSignal::new(false);
    let tab_button = move |t: Tab, label: T| {
        view! {
            <button
                class="btn"
                class:primary=move || d.tab.get() == t
                aria-pressed=move || (d.tab.get() == t).to_string()
                on:click=move |_| d.tab.set(t)
            >
                {tr(label)}
            </button>
        }
    };
    view! {
        <PageHeader title=tr(T::ActTitle).to_string()>
            {manage.then(|| view! { <button class="btn" on:click=move |_| fields_open.set(true)>{tr(T::ActFields)}</button> })}
        </PageHeader>
        <div class="filters">
            <label class="filter">
                <span class="label">{tr(T::ActPackage)}</span>
                <PackagePicker selected=package/>
            </label>
        </div>
        {move || match package.get() {
            None => view! { <p class="hint">{tr(T::ActChoosePackage)}</p> }.into_any(),
            Some(p) => {
                let p2 = p.clone();
                view! {
                    <div class="page-actions">
                        {tab_button(Tab::Batches, T::ActByBatch)} {tab_button(Tab::Ranges, T::ActByRange)}
                        {manage
                            .then(|| {
                                let p = p.clone();
                                view! {
                                    <button class="btn primary" on:click=move |_| d.edit(new_range(&p, None))>
                                        {tr(T::ActAddRange)}
                                    </button>
                                }
                            })}
                    </div>
                    <p class="hint">{package_title(l, &p)}</p>
                    {move || match d.tab.get() {
                        Tab::Batches => view! { <BatchView package=p2.clone() d manage/> }.into_any(),
                        Tab::Ranges => {
                            view! {
                                <h2>{tr(T::ActNotActivated)}</h2>
                                <RangeList package_id=p2.id activated=false d manage/>
                                <h2>{tr(T::ActActivated)}</h2>
                                <RangeList package_id=p2.id activated=true d manage/>
                            }
                                .into_any()
                        }
                    }}
                }
                    .into_any()
            }
        }}
        <Modal
            title=Signal::derive(move || {
                let edit = d.editing.with(|e| e.as_ref().is_some_and(|e| e.id.is_some()));
                if edit { T::ActEditInfo } else { T::ActEnterInfo }.in_(l).to_string()
            })
            open=d.edit_open
        >
            {move || {
                let input = d.editing.get()?;
                let p = package.get()?;
                Some(view! { <RangeForm input package=p choices open=d.edit_open on_saved=Callback::new(move |_| d.reload())/> })
            }}
        </Modal>
        <Modal title=tr(T::ActActivateTitle).to_string() open=d.activate_open>
            {move || d.activating.get().map(|r| view! { <ActivateForm range=r open=d.activate_open on_saved=Callback::new(move |_| d.reload())/> })}
        </Modal>
        <Modal title=tr(T::ActSplitTitle).to_string() open=d.split_open>
            {move || d.splitting.get().map(|r| view! { <SplitForm range=r open=d.split_open on_saved=Callback::new(move |_| d.reload())/> })}
        </Modal>
        {d.revoke.dialog(T::ActRevokeTitle, T::ActRevokeText)}
        {d.delete.dialog(T::ConfirmDeleteTitle, T::ConfirmDeleteText)}
        <Modal title=tr(T::ActFields).to_string() open=fields_open>
            <FieldsEditor choices/>
        </Modal>
    }
}

/// A new range's input: a whole batch (`batch` = its first and last serials) or empty serials,
/// prefilled with the package's pre-entered product and filling factory.
fn new_range(p: &PackageChoice, batch: Option<(i32, i32)>) -> RangeInput {
    let (start, end) = batch.map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
    RangeInput {
        id: None,
        version: 0,
        package_id: p.id,
        serial_start: start,
        serial_end: end,
        info: RangeInfo { product_id: p.product_id, factory_id: p.filling_factory_id, ..Default::default() },
    }
}

// ---------- by batch ----------

fn batch_state_badge(l: Locale, s: BatchState) -> AnyView {
    let (class, label, key) = match s {
        BatchState::None => ("badge off", T::ActStateNone, "none"),
        BatchState::Entered => ("badge", T::ActStateEntered, "entered"),
        BatchState::Partly => ("badge", T::ActStatePartly, "partly"),
        BatchState::Scheduled => ("badge", T::ActStateScheduled, "scheduled"),
        BatchState::Active => ("badge ok", T::ActStateActive, "active"),
    };
    view! { <span class=class data-status=key>{label.in_(l)}</span> }.into_any()
}

#[component]
fn BatchView(package: PackageChoice, d: Dialogs, manage: bool) -> impl IntoView {
    let l = use_locale();
    let id = package.id;
    let batches = Resource::new(move || d.reloads.get(), move |_| get_package_batches(id));
    let cols = move || {
        let p = package.clone();
        let mut cols = vec![
            Col::new(T::ActBatch, text(|b: &BatchRow| b.batch_no.to_string())).sorted(|b| SortKey::Num(b.batch_no.into())),
            Col::new(T::ActRange, text(|b: &BatchRow| printable_range(b.package_id, b.serial_start, b.serial_end))),
            Col::new(T::ActCodes, text(move |b: &BatchRow| l.int(b.count()))),
            Col::new(T::ActInfoState, move |b: &BatchRow| batch_state_badge(l, b.state)),
            Col::new(T::ActEnteredActive, text(move |b: &BatchRow| format!("{} / {}", l.int(b.entered), l.int(b.active)))),
            Col::new(T::ActScheduledAt, text(move |b: &BatchRow| b.next_activation.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into()))),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |b: &BatchRow| batch_actions(&p, b, d)));
        }
        cols
    };
    loaded(batches, move |pb| view! { <DataTable rows=Signal::stored(pb.batches) cols=cols() paged=true/> })
}

/// A batch's actions act on the range covering the whole batch; a batch in several ranges is
/// managed in the range view.
fn batch_actions(p: &PackageChoice, b: &BatchRow, d: Dialogs) -> AnyView {
    let link =
        |label: T, f: Box<dyn Fn() + Send + Sync>| view! { <button class="link" on:click=move |_| f()>{tr(label)}</button> }.into_any();
    match (&b.whole, b.state) {
        (None, BatchState::None) => {
            let input = new_range(p, Some((b.serial_start, b.serial_end)));
            link(T::ActEnterInfo, Box::new(move || d.edit(input.clone())))
        }
        (None, _) => link(T::ActManageByRange, Box::new(move || d.tab.set(Tab::Ranges))),
        (Some(r), _) => range_actions(r, d),
    }
}

/// The actions a range's state allows: edit and delete while not active, activate and split
/// while entered, revoke while scheduled or active.
fn range_actions(r: &Range, d: Dialogs) -> AnyView {
    let status = r.status;
    let not_active = status != RangeStatus::Active;
    let (r1, r2, r3, r4, r5) = (r.clone(), r.clone(), r.clone(), r.clone(), r.clone());
    view! {
        {not_active.then(|| view! { <button class="link" on:click=move |_| d.edit(r1.input())>{tr(T::ActEditInfo)}</button> })}
        {(status == RangeStatus::Entered)
            .then(|| {
                view! {
                    <button class="link" on:click=move |_| d.activate(&r2)>{tr(T::ActActivate)}</button>
                    <button class="link" on:click=move |_| d.split(&r3)>{tr(T::ActSplit)}</button>
                }
            })}
        {(status != RangeStatus::Entered)
            .then(|| view! { <button class="link danger" on:click=move |_| d.revoke.ask(&r4)>{tr(T::ActRevoke)}</button> })}
        {not_active.then(|| view! { <button class="link danger" on:click=move |_| d.delete.ask(&r5)>{tr(T::Delete)}</button> })}
    }
    .into_any()
}

// ---------- by range ----------

#[component]
fn RangeList(package_id: i64, activated: bool, d: Dialogs, manage: bool) -> impl IntoView {
    let l = use_locale();
    let page = RwSignal::new(1i64);
    let size = RwSignal::new(PageReq::default().size);
    let ranges = Resource::new(
        move || (page.get(), size.get(), d.reloads.get()),
        move |(page, size, _)| list_ranges(package_id, activated, PageReq { page, size }),
    );
    // After a delete emptied the last page, go to the new last page.
    Effect::new(move |_| {
        if let Some(Ok(p)) = ranges.get() {
            if p.items.is_empty() && p.page > 1 {
                page.set(p.pages());
            }
        }
    });
    let cols = move || {
        let name = |f: fn(&Range) -> &Option<String>| text(move |r: &Range| or_dash(f(r).clone()));
        let mut cols = vec![
            Col::new(T::ActRange, text(|r: &Range| r.printable())),
            Col::new(T::ActBatch, text(|r: &Range| r.batch_no.to_string())),
            Col::new(T::ActCodes, text(move |r: &Range| l.int(r.count()))),
            Col::new(T::Product, name(|r| &r.product_name)),
            Col::new(T::Brand, name(|r| &r.brand_name)),
            Col::new(T::ActProductionFactory, name(|r| &r.factory_name)),
            Col::new(T::ActProducedAt, text(move |r: &Range| r.produced_at.map(|t| l.datetime(&t)).unwrap_or_else(|| "—".into()))),
            Col::new(T::Status, move |r: &Range| {
                let when = match r.status {
                    RangeStatus::Scheduled => r.activate_at,
                    RangeStatus::Active => r.activated_at,
                    RangeStatus::Entered => None,
                };
                view! {
                    {range_status_badge(l, r.status)}
                    {when.map(|t| view! { <small>" " {l.datetime(&t)}</small> })}
                }
                .into_any()
            }),
            Col::new(
                T::ActEnteredBy,
                text(move |r: &Range| format!("{} {}", or_dash(r.entered_by_name.clone()), l.datetime(&r.entered_at))),
            ),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |r: &Range| range_actions(r, d)));
        }
        cols
    };
    loaded(ranges, move |p| {
        view! {
            <DataTable rows=Signal::stored(p.items) cols=cols()/>
            <Pager page size total=Signal::stored(p.total)/>
        }
    })
}

// ---------- the info form ----------

/// Splits a text of serials at commas, spaces and line breaks (Chinese commas too).
fn serial_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// One extra field's input and its error.
#[component]
fn ExtraField(field: InfoField, values: RwSignal<BTreeMap<i64, String>>, errors: FormErrors) -> impl IntoView {
    let l = use_locale();
    let (id, name) = (field.id, field.input_name());
    let msg = {
        let name = name.clone();
        Signal::derive(move || errors.fields.with(|f| f.iter().find(|e| e.field == name).map(|e| e.msg.render(l))))
    };
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label>
                <span class="label">{field.name.clone()}{field.required.then_some(" *")}</span>
                <input
                    type="text"
                    name=name.clone()
                    maxlength=INFO_VALUE_MAX.to_string()
                    prop:value=move || values.with(|m| m.get(&id).cloned().unwrap_or_default())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        values.update(|m| {
                            m.insert(id, v);
                        });
                    }
                />
            </label>
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field=name.clone() role="alert">{move || msg.get()}</p>
            </Show>
        </div>
    }
}

#[component]
fn RangeForm(input: RangeInput, package: PackageChoice, choices: Choices, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let info = input.info.clone();
    let serial_start = RwSignal::new(input.serial_start.clone());
    let serial_end = RwSignal::new(input.serial_end.clone());
    let product_id = RwSignal::new(info.product_id);
    let brand_id = RwSignal::new(info.brand_id);
    let factory_id = RwSignal::new(info.factory_id);
    let workshop_id = RwSignal::new(info.workshop_id);
    let line_id = RwSignal::new(info.line_id);
    let produced_at = RwSignal::new(info.produced_at.as_ref().map(local_datetime_value).unwrap_or_default());
    let extra = RwSignal::new(info.extra.clone());
    let prefilled = input.id.is_none() && (package.product_id.is_some() || package.filling_factory_id.is_some());

    // A workshop of another factory (a line of another workshop) is cleared when the parent changes.
    Effect::new(move |prev: Option<Option<i64>>| {
        let f = factory_id.get();
        if prev.is_some_and(|p| p != f) {
            workshop_id.set(None);
        }
        f
    });
    Effect::new(move |prev: Option<Option<i64>>| {
        let w = workshop_id.get();
        if prev.is_some_and(|p| p != w) {
            line_id.set(None);
        }
        w
    });
    let all = choices.all;
    let products = Signal::derive(move || all.with(|c| pairs(&c.products)));
    let brands = Signal::derive(move || all.with(|c| pairs(&c.brands)));
    let factories = Signal::derive(move || all.with(|c| pairs(&c.factories)));
    let children = |list: fn(&InfoChoices) -> &Vec<InfoChoice>, parent: RwSignal<Option<i64>>| {
        Signal::derive(move || {
            let p = parent.get();
            all.with(|c| list(c).iter().filter(|x| p.is_some() && x.parent_id == p).map(|x| (x.id, x.name.clone())).collect())
        })
    };
    let workshops = children(|c| &c.workshops, factory_id);
    let lines = children(|c| &c.lines, workshop_id);
    let fields = Signal::derive(move || all.with(|c| c.fields.clone()));

    let save = SaveForm::in_dialog(save_range, open, T::Saved, on_saved);
    let errors = save.errors;
    let check = {
        let package = package.clone();
        move |i: &RangeInput| {
            let mut errs = i.validate(&fields.get_untracked()).err().unwrap_or_default();
            if !errs.iter().any(|e| e.field.starts_with("serial")) {
                errs.extend(range_in_package(&package, &i.serial_start, &i.serial_end).err().unwrap_or_default());
            }
            let typed = produced_at.get_untracked();
            if !typed.trim().is_empty() && parse_local_datetime(&typed).is_none() {
                errs.push(FieldError { field: "produced_at".into(), msg: Msg::Other(T::ActDateInvalid.in_(l).into()) });
            }
            if errs.is_empty() {
                Ok(())
            } else {
                Err(errs)
            }
        }
    };
    let on_submit = save.on_submit(check, move || RangeInput {
        serial_start: serial_start.get_untracked().trim().to_string(),
        serial_end: serial_end.get_untracked().trim().to_string(),
        info: RangeInfo {
            product_id: product_id.get_untracked(),
            brand_id: brand_id.get_untracked(),
            factory_id: factory_id.get_untracked(),
            workshop_id: workshop_id.get_untracked(),
            line_id: line_id.get_untracked(),
            produced_at: parse_local_datetime(&produced_at.get_untracked()),
            extra: extra.get_untracked(),
        },
        ..input.clone()
    });
    view! {
        <form on:submit=on_submit novalidate>
            <p class="hint">{package_title(l, &package)}</p>
            {prefilled.then(|| view! { <p class="hint">{tr(T::ActPrefillHint)}</p> })}
            <TextField label=T::ActSerialStart name="serial_start" value=serial_start errors required=true/>
            <TextField label=T::ActSerialEnd name="serial_end" value=serial_end errors required=true/>
            <p class="hint">{tr(T::ActSerialHint)}</p>
            <SelectField label=T::Product name="product_id" value=product_id options=products errors required=true/>
            <SelectField label=T::Brand name="brand_id" value=brand_id options=brands errors/>
            <p class="hint">{tr(T::ActBrandHint)}</p>
            <SelectField label=T::ActProductionFactory name="factory_id" value=factory_id options=factories errors/>
            <SelectField label=T::Workshop name="workshop_id" value=workshop_id options=workshops errors/>
            <SelectField label=T::ProductionLine name="line_id" value=line_id options=lines errors/>
            <TextField label=T::ActProducedAt name="produced_at" value=produced_at errors input_type="datetime-local"/>
            {move || {
                let list = fields.get();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <fieldset class="field">
                                <legend>{tr(T::ActExtra)}</legend>
                                {list.into_iter().map(|field| view! { <ExtraField field values=extra errors/> }).collect_view()}
                            </fieldset>
                        }
                    })
            }}
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

// ---------- activate, split ----------

#[component]
fn ActivateForm(range: Range, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let scheduled = RwSignal::new(false);
    let at = RwSignal::new(String::new());
    let save = SaveForm::new(
        |(id, version, at): (i64, i32, Option<chrono::DateTime<chrono::Utc>>)| activate_range(id, version, at),
        move |r: Range| {
            open.set(false);
            toast(ToastKind::Ok, tr(if r.status == RangeStatus::Scheduled { T::ActScheduledNotice } else { T::ActActivatedNotice }));
            on_saved.run(());
        },
    );
    let errors = save.errors;
    let (id, version) = (range.id, range.version);
    let check = move |i: &(i64, i32, Option<chrono::DateTime<chrono::Utc>>)| {
        if !scheduled.get_untracked() || i.2.is_some() {
            return Ok(());
        }
        let msg = if at.get_untracked().trim().is_empty() { Msg::Required } else { Msg::Other(T::ActDateInvalid.in_(l).into()) };
        Err(vec![FieldError { field: "at".into(), msg }])
    };
    let on_submit = save
        .on_submit(check, move || (id, version, if scheduled.get_untracked() { parse_local_datetime(&at.get_untracked()) } else { None }));
    view! {
        <form on:submit=on_submit novalidate>
            <p>{range.printable()} " · " {l.int(range.count())} " " {tr(T::ActCodes)}</p>
            <div class="field">
                <label class="radio">
                    <input type="radio" name="mode" prop:checked=move || !scheduled.get() on:change=move |_| scheduled.set(false)/>
                    {tr(T::ActNow)}
                </label>
                <label class="radio">
                    <input type="radio" name="mode" prop:checked=move || scheduled.get() on:change=move |_| scheduled.set(true)/>
                    {tr(T::ActAtTime)}
                </label>
            </div>
            <Show when=move || scheduled.get()>
                <TextField label=T::ActAt name="at" value=at errors required=true input_type="datetime-local"/>
                <p class="hint">{tr(T::ActAtHint)}</p>
            </Show>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

#[component]
fn SplitForm(range: Range, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let points = RwSignal::new(String::new());
    let save = SaveForm::in_dialog(
        |(id, version, splits): (i64, i32, Vec<String>)| split_range(id, version, splits),
        open,
        T::ActSplitNotice,
        on_saved,
    );
    let errors = save.errors;
    let (id, version, package_id, start, end) = (range.id, range.version, range.package_id, range.serial_start, range.serial_end);
    let preview = Signal::derive(move || {
        split_points(package_id, start, end, &serial_list(&points.get()))
            .map(|p| split_ranges(start, end, &p).into_iter().map(|(a, b)| printable_range(package_id, a, b)).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let on_submit = save.on_submit(
        move |i: &(i64, i32, Vec<String>)| split_points(package_id, start, end, &i.2).map(|_| ()),
        move || (id, version, serial_list(&points.get_untracked())),
    );
    view! {
        <form on:submit=on_submit novalidate>
            <p>{range.printable()} " · " {l.int(range.count())} " " {tr(T::ActCodes)}</p>
            <TextField label=T::ActSplitPoints name="splits" value=points errors required=true/>
            <p class="hint">{tr(T::ActSplitHint)}</p>
            <Show when=move || !preview.get().is_empty()>
                <p class="label">{tr(T::ActSplitPreview)}</p>
                <ul class="split-preview">{move || preview.get().into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            </Show>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

// ---------- extra fields ----------

/// The enterprise's extra fields: list, add, edit, delete (refused while a range uses one).
#[component]
fn FieldsEditor(choices: Choices) -> impl IntoView {
    let reload = move || choices.reloads.update(|n| *n += 1);
    let editing = RwSignal::new(InfoFieldInput::default());
    let name = RwSignal::new(String::new());
    let required = RwSignal::new(false);
    let sort = RwSignal::new(String::from("0"));
    let start = move |i: InfoFieldInput| {
        name.set(i.name.clone());
        required.set(i.required);
        sort.set(i.sort.to_string());
        editing.set(i);
    };
    let save = SaveForm::new(save_info_field, move |_| {
        toast(ToastKind::Ok, tr(T::Saved));
        start(InfoFieldInput::default());
        reload();
    });
    let errors = save.errors;
    let delete = Action::new(|id: &i64| delete_info_field(*id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, tr(T::Deleted));
            reload();
        }
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let on_submit = save.on_submit(InfoFieldInput::validate, move || InfoFieldInput {
        name: name.get_untracked(),
        required: required.get_untracked(),
        sort: sort.get_untracked().trim().parse().unwrap_or(0),
        ..editing.get_untracked()
    });
    let l = use_locale();
    let cols = move || {
        vec![
            Col::new(T::ActFieldName, text(|f: &InfoField| f.name.clone())),
            Col::new(T::ActRequired, text(move |f: &InfoField| tr_yes_no(l, f.required))),
            Col::new(T::ActSort, text(|f: &InfoField| f.sort.to_string())),
            Col::new(T::Actions, move |f: &InfoField| {
                let input = InfoFieldInput { id: Some(f.id), version: f.version, name: f.name.clone(), required: f.required, sort: f.sort };
                let id = f.id;
                view! {
                    <button class="link" on:click=move |_| start(input.clone())>{tr(T::Edit)}</button>
                    <button class="link danger" on:click=move |_| { delete.dispatch(id); }>{tr(T::Delete)}</button>
                }
                .into_any()
            }),
        ]
    };
    view! {
        <p class="hint">{tr(T::ActFieldsHint)}</p>
        <DataTable rows=Signal::derive(move || choices.all.with(|c| c.fields.clone())) cols=cols()/>
        <form on:submit=on_submit novalidate>
            <h2>{move || if editing.with(|e| e.id.is_some()) { T::Edit } else { T::ActAddField }.in_(l)}</h2>
            <TextField label=T::ActFieldName name="name" value=name errors required=true maxlength=INFO_FIELD_NAME_MAX/>
            <div class="field">
                <label class="check">
                    <input type="checkbox" name="required" prop:checked=move || required.get() on:change=move |ev| required.set(event_target_checked(&ev))/>
                    {tr(T::ActRequired)}
                </label>
            </div>
            <TextField label=T::ActSort name="sort" value=sort errors input_type="number"/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| start(InfoFieldInput::default()))/>
        </form>
    }
}

fn tr_yes_no(l: Locale, b: bool) -> String {
    if b { T::Yes } else { T::No }.in_(l).to_string()
}
