//! 码管理 → 发码管理: the package lists (my applications, to review, reviewed, all), the
//! two-step application (choose a spec, then fill in), edit and withdrawal while pending, the
//! review, retry after a failed generation, and a package's detail page. While a package
//! generates, its progress bar follows the job (polled once a second) and its row switches to
//! its next state by itself.

use super::receive::DeliverySection;
use crate::api::code_packages::{
    application_choices, get_package, list_packages, retry_package, review_package, save_package, withdraw_package,
};
use crate::domain::access::{Function, Level};
use crate::domain::code_packages::*;
use crate::domain::validate::FieldError;
use crate::error::AppError;
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::HashMap;

// ---------- state, progress ----------

/// The latest known state and progress of packages, by id.
type Live = RwSignal<HashMap<i64, PackageProgress>>;

fn progress_of(r: &PackageRow) -> PackageProgress {
    PackageProgress { id: r.id, status: r.status, progress: r.progress, total: r.total, version: r.version }
}

/// Follows the packages in `live` that generate: polls their state once a second, and runs
/// `settled` when one stops generating (done or failed), so the page can fetch what changed.
/// Stops when the page is left (the signal is disposed); gives up after 3 failed polls in a row.
fn follow_progress(live: Live, settled: Callback<()>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let mut misses = 0;
        loop {
            gloo_timers::future::TimeoutFuture::new(1000).await;
            let Some(ids) =
                live.try_with_untracked(|m| m.values().filter(|p| p.status == PackageStatus::Generating).map(|p| p.id).collect::<Vec<_>>())
            else {
                break;
            };
            if ids.is_empty() {
                continue;
            }
            match crate::api::code_packages::poll_packages(ids).await {
                Ok(list) => {
                    misses = 0;
                    let mut done = false;
                    let updated = live.try_update(|m| {
                        for p in list {
                            done |= p.status != PackageStatus::Generating;
                            m.insert(p.id, p);
                        }
                    });
                    if updated.is_none() {
                        break;
                    }
                    if done {
                        settled.run(());
                    }
                }
                Err(e) => {
                    misses += 1;
                    if misses >= 3 {
                        toast_error(&e);
                        break;
                    }
                }
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, settled);
}

fn status_badge(s: PackageStatus) -> AnyView {
    let l = use_locale();
    let class = match s {
        PackageStatus::Approved | PackageStatus::Generated | PackageStatus::Sent => "badge ok",
        PackageStatus::Rejected | PackageStatus::Failed => "badge off",
        PackageStatus::Pending | PackageStatus::Generating => "badge",
    };
    view! { <span class=class data-status=s.key()>{s.label(l)}</span> }.into_any()
}

/// A package's status: its badge, or while it generates a progress bar that follows `live`.
#[component]
fn PackageState(id: i64, initial: PackageStatus, live: Live) -> impl IntoView {
    let l = use_locale();
    let status = Memo::new(move |_| live.with(|m| m.get(&id).map(|p| p.status)).unwrap_or(initial));
    let percent = Signal::derive(move || live.with(|m| m.get(&id).map(PackageProgress::percent).unwrap_or(0)));
    let counts = move || live.with(|m| m.get(&id).filter(|p| p.total > 0).map(|p| format!("{} / {}", l.int(p.progress), l.int(p.total))));
    view! {
        <span class="package-state" data-package=id.to_string()>
            {move || match status.get() {
                PackageStatus::Generating => {
                    view! {
                        {status_badge(PackageStatus::Generating)}
                        <ProgressBar percent label=T::PkgProgress.in_(l).to_string()/>
                        <span class="hint">{counts}</span>
                    }
                        .into_any()
                }
                s => status_badge(s),
            }}
        </span>
    }
}

// ---------- the lists ----------

fn tab_label(t: PackageTab) -> T {
    match t {
        PackageTab::Mine => T::PkgTabMine,
        PackageTab::ToReview => T::PkgTabToReview,
        PackageTab::Reviewed => T::PkgTabReviewed,
        PackageTab::All => T::All,
    }
}

/// What a row's or the detail page's actions act on.
#[derive(Clone, PartialEq)]
struct Target {
    id: i64,
    version: i32,
    name: String,
}

impl Target {
    fn of(r: &PackageRow) -> Target {
        Target { id: r.id, version: r.version, name: r.name.clone() }
    }
}

/// The actions on packages shared by the list and the detail page: edit (the application
/// dialog), withdraw (confirmed), review (a dialog), retry. `changed` runs after each but a
/// withdrawal, after which `withdrawn` runs (the package is gone).
#[derive(Clone, Copy)]
struct Actions {
    editing: RwSignal<Option<PackageInput>>,
    edit_open: RwSignal<bool>,
    load_for_edit: Action<i64, Result<Package, AppError>>,
    withdrawing: RwSignal<Option<Target>>,
    withdraw_confirm: RwSignal<bool>,
    withdraw: Action<Target, Result<(), AppError>>,
    reviewing: RwSignal<Option<Target>>,
    review_open: RwSignal<bool>,
    retry: Action<Target, Result<(), AppError>>,
    changed: Callback<()>,
}

impl Actions {
    fn new(changed: Callback<()>, withdrawn: Callback<()>) -> Actions {
        let l = use_locale();
        let editing = RwSignal::new(None);
        let edit_open = RwSignal::new(false);
        let load_for_edit = Action::new(|id: &i64| get_package(*id));
        Effect::new(move |_| match load_for_edit.value().get() {
            Some(Ok(p)) => {
                editing.set(Some(p.input()));
                edit_open.set(true);
            }
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
        let withdraw = Action::new(|t: &Target| withdraw_package(t.id, t.version));
        Effect::new(move |_| match withdraw.value().get() {
            Some(Ok(())) => {
                toast(ToastKind::Ok, T::PkgWithdrawn.in_(l));
                withdrawn.run(());
            }
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
        let retry = Action::new(|t: &Target| retry_package(t.id, t.version));
        Effect::new(move |_| match retry.value().get() {
            Some(Ok(())) => {
                toast(ToastKind::Ok, T::PkgRetried.in_(l));
                changed.run(());
            }
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
        Actions {
            editing,
            edit_open,
            load_for_edit,
            withdrawing: RwSignal::new(None),
            withdraw_confirm: RwSignal::new(false),
            withdraw,
            reviewing: RwSignal::new(None),
            review_open: RwSignal::new(false),
            retry,
            changed,
        }
    }

    /// The buttons a package row offers the signed-in person.
    fn buttons(self, r: &PackageRow) -> AnyView {
        let (t1, t2, t3) = (Target::of(r), Target::of(r), Target::of(r));
        let id = r.id;
        view! {
            {r.can_edit
                .then(|| {
                    view! {
                        <button
                            class="link"
                            disabled=move || self.load_for_edit.pending().get()
                            on:click=move |_| {
                                self.load_for_edit.dispatch(id);
                            }
                        >
                            {tr(T::Edit)}
                        </button>
                        <button
                            class="link danger"
                            on:click=move |_| {
                                self.withdrawing.set(Some(t1.clone()));
                                self.withdraw_confirm.set(true);
                            }
                        >
                            {tr(T::PkgWithdraw)}
                        </button>
                    }
                })}
            {r.can_review
                .then(|| {
                    view! {
                        <button
                            class="link"
                            on:click=move |_| {
                                self.reviewing.set(Some(t2.clone()));
                                self.review_open.set(true);
                            }
                        >
                            {tr(T::PkgReview)}
                        </button>
                    }
                })}
            {r.can_retry
                .then(|| {
                    view! {
                        <button
                            class="link"
                            disabled=move || self.retry.pending().get()
                            on:click=move |_| {
                                self.retry.dispatch(t3.clone());
                            }
                        >
                            {tr(T::PkgRetry)}
                        </button>
                    }
                })}
        }
        .into_any()
    }

    /// The dialogs behind the buttons.
    fn dialogs(self) -> impl IntoView {
        let l = use_locale();
        let Actions { editing, edit_open, withdrawing, withdraw_confirm, withdraw, reviewing, review_open, changed, .. } = self;
        view! {
            <Modal title=Signal::derive(move || T::PkgEditApplication.in_(l).to_string()) open=edit_open>
                {move || editing.get().map(|input| view! { <ApplyWizard input open=edit_open on_saved=changed/> })}
            </Modal>
            <ConfirmDialog
                open=withdraw_confirm
                title=T::PkgConfirmWithdrawTitle
                text=Signal::derive(move || {
                    format!("{} 「{}」", T::PkgConfirmWithdraw.in_(l), withdrawing.get().map(|t| t.name).unwrap_or_default())
                })
                on_confirm=Callback::new(move |_| {
                    if let Some(t) = withdrawing.get_untracked() {
                        withdraw.dispatch(t);
                    }
                })
            />
            <Modal title=Signal::derive(move || T::PkgReview.in_(l).to_string()) open=review_open>
                {move || reviewing.get().map(|target| view! { <ReviewForm target open=review_open on_done=changed/> })}
            </Modal>
        }
    }
}

#[component]
pub fn CodePackagesPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::CodePackages, Level::Manage);
    let list = ServerList::<PackageFilter>::new();
    let reloads = RwSignal::new(0u32);
    let reload = Callback::new(move |_| reloads.update(|n| *n += 1));
    let packages = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_packages(f, p));
    let live: Live = RwSignal::new(HashMap::new());
    // Each fetched page resets what is known of its packages; the generating ones are followed.
    Effect::new(move |_| {
        if let Some(Ok(p)) = packages.get() {
            if p.items.is_empty() && p.page > 1 {
                list.page.set(p.pages());
            }
            live.set(p.items.iter().map(|r| (r.id, progress_of(r))).collect());
        }
    });
    follow_progress(live, reload);

    // The filter being edited; "Search" applies it to the current tab.
    let f_status: RwSignal<Option<PackageStatus>> = RwSignal::new(None);
    let f_search = RwSignal::new(String::new());
    let apply = move || {
        let tab = list.filter.with_untracked(|f| f.tab);
        list.apply(PackageFilter { tab, status: f_status.get_untracked(), search: f_search.get_untracked().trim().to_string() });
        reloads.update(|n| *n += 1);
    };
    let show_tab = move |tab: PackageTab| {
        list.filter.update(|f| f.tab = tab);
        list.page.set(1);
    };
    let tabs = [PackageTab::Mine, PackageTab::ToReview, PackageTab::Reviewed, PackageTab::All]
        .into_iter()
        .filter(|t| *t != PackageTab::All || manage)
        .map(|t| {
            let active = move || list.filter.with(|f| f.tab == t);
            view! {
                <button type="button" role="tab" class="btn" class:primary=active aria-selected=move || active().to_string() on:click=move |_| show_tab(t)>
                    {tr(tab_label(t))}
                </button>
            }
        })
        .collect_view();

    let applying = RwSignal::new(false);
    let actions = Actions::new(reload, reload);
    let cols = move || {
        vec![
            Col::new(T::SpecId, text(|r: &PackageRow| r.id.to_string())).sorted(|r| SortKey::Num(r.id)),
            Col::new(T::PkgName, |r: &PackageRow| {
                let (href, name) = (format!("/codes/packages/{}", r.id), r.name.clone());
                view! { <A href=href>{name}</A> }.into_any()
            })
            .sorted(|r| SortKey::Text(r.name.clone())),
            Col::new(T::PkgSpec, text(|r: &PackageRow| r.spec_name.clone())).sorted(|r| SortKey::Text(r.spec_name.clone())),
            Col::new(T::PkgPurpose, text(move |r: &PackageRow| r.purpose.label(l).to_string())),
            Col::new(T::PkgCodeCount, text(move |r: &PackageRow| l.int(r.code_count))).sorted(|r| SortKey::Num(r.code_count)),
            Col::new(T::PkgFileCount, text(move |r: &PackageRow| l.int(r.file_count))).sorted(|r| SortKey::Num(r.file_count)),
            Col::new(T::PkgFactory, text(|r: &PackageRow| r.factory_name.clone())),
            Col::new(T::Status, move |r: &PackageRow| view! { <PackageState id=r.id initial=r.status live/> }.into_any()),
            Col::new(T::PkgApplicant, text(|r: &PackageRow| r.applicant_name.clone())),
            Col::new(T::PkgAppliedAt, text(move |r: &PackageRow| l.datetime(&r.applied_at)))
                .sorted(|r| SortKey::Num(r.applied_at.timestamp())),
            Col::new(T::Actions, move |r: &PackageRow| {
                let href = format!("/codes/packages/{}", r.id);
                view! {
                    <A href=href>{tr(T::View)}</A>
                    {actions.buttons(r)}
                }
                .into_any()
            }),
        ]
    };
    view! {
        <PageHeader title=tr(T::PkgTitle).to_string()>
            {manage.then(|| view! { <button class="btn primary" on:click=move |_| applying.set(true)>{tr(T::PkgApply)}</button> })}
        </PageHeader>
        <div class="tabs" role="tablist" style="display: flex; gap: 8px; margin-bottom: 12px">{tabs}</div>
        <FilterBar
            on_search=Callback::new(move |_| apply())
            on_reset=Callback::new(move |_| {
                f_status.set(None);
                f_search.set(String::new());
                apply();
            })
        >
            <label class="filter">
                <span class="label">{tr(T::Status)}</span>
                <select
                    name="status"
                    on:change=move |ev| f_status.set(PackageStatus::from_key(&event_target_value(&ev)))
                    prop:value=move || f_status.get().map(PackageStatus::key).unwrap_or_default()
                >
                    <option value="">{tr(T::All)}</option>
                    {PackageStatus::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.key()>{s.label(l)}</option> })
                        .collect_view()}
                </select>
            </label>
            <input
                type="search"
                name="search"
                bind:value=f_search
                placeholder=tr(T::PkgSearch)
                aria-label=tr(T::PkgSearch)
                maxlength=PACKAGE_NAME_MAX.to_string()
            />
        </FilterBar>
        {loaded(packages, move |p| list.table(p, cols()))}
        <Modal title=Signal::derive(move || T::PkgApply.in_(l).to_string()) open=applying>
            <ApplyWizard input=PackageInput::default() open=applying on_saved=reload/>
        </Modal>
        {actions.dialogs()}
    }
}

// ---------- application ----------

fn count_text(n: i64) -> String {
    if n > 0 {
        n.to_string()
    } else {
        String::new()
    }
}

/// The two-step application: choose one of my specs, then fill in the package. An existing
/// (pending) application opens on step 2.
#[component]
fn ApplyWizard(input: PackageInput, open: RwSignal<bool>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let editing = input.id.is_some();
    let step = RwSignal::new(usize::from(editing));
    let choices = LocalResource::new(application_choices);
    let loaded_choices = Signal::derive(move || choices.get().and_then(Result::ok).unwrap_or_default());
    let spec_id = RwSignal::new(input.spec_id);
    let name = RwSignal::new(input.name.clone());
    let purpose = RwSignal::new(input.purpose);
    let code_count = RwSignal::new(count_text(input.code_count));
    let file_count = RwSignal::new(if editing { input.file_count.to_string() } else { "1".into() });
    let factory_id = RwSignal::new(input.factory_id);
    let product_id = RwSignal::new(input.product_id);
    let filling_factory_id = RwSignal::new(input.filling_factory_id);
    let remark = RwSignal::new(input.remark.clone());
    let factories = Signal::derive(move || loaded_choices.get().factories);
    let products = Signal::derive(move || loaded_choices.get().products);
    let spec = Signal::derive(move || {
        let id = spec_id.get();
        loaded_choices.with(|c| c.specs.iter().find(|s| Some(s.id) == id).cloned())
    });
    let per_file = move || {
        let (count, files) = (parse_count(&code_count.get())?, parse_count(&file_count.get())?);
        let (min, max) = codes_per_file(count, files)?;
        let n = if min == max { l.int(min) } else { format!("{} – {}", l.int(min), l.int(max)) };
        Some(format!("{} {n} {}", T::PkgCodesPerFile.in_(l), T::PkgCodesUnit.in_(l)))
    };

    let save = SaveForm::in_dialog(save_package, open, if editing { T::Saved } else { T::PkgApplied }, on_saved);
    let errors = save.errors;
    let (id, version) = (input.id, input.version);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Counts must be typed as whole numbers; the domain check says which range.
        let typed = |s: RwSignal<String>| parse_count(&s.get_untracked());
        let (count, files) = (typed(code_count), typed(file_count));
        let mut not_numbers = vec![];
        if count.is_none() {
            not_numbers.push(FieldError { field: "code_count".into(), msg: PackageMsg::CodeCount.into() });
        }
        if files.is_none() {
            not_numbers.push(FieldError { field: "file_count".into(), msg: PackageMsg::FileCount.into() });
        }
        let input = PackageInput {
            id,
            version,
            spec_id: spec_id.get_untracked(),
            name: name.get_untracked(),
            purpose: purpose.get_untracked(),
            code_count: count.unwrap_or(1),
            file_count: files.unwrap_or(1),
            factory_id: factory_id.get_untracked(),
            product_id: product_id.get_untracked(),
            filling_factory_id: filling_factory_id.get_untracked(),
            remark: remark.get_untracked(),
        };
        save.submit(input, move |i| {
            let mut errs = not_numbers;
            errs.extend(
                i.validate().err().unwrap_or_default().into_iter().filter(|e| !errs.iter().any(|n| n.field == e.field)).collect::<Vec<_>>(),
            );
            if errs.is_empty() {
                Ok(())
            } else {
                Err(errs)
            }
        });
    };
    // A refusal about the spec (not an applicant any more …) is shown on step 1.
    Effect::new(move |_| {
        if errors.fields.with(|f| f.iter().any(|e| e.field == "spec_id")) {
            step.set(0);
        }
    });

    let steps = vec![T::PkgStepSpec.in_(l).to_string(), T::PkgStepInfo.in_(l).to_string()];
    let choose = move || {
        view! {
            <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                        Ok(c) if c.specs.is_empty() => view! { <p class="notice">{tr(T::PkgNoSpec)}</p> }.into_any(),
                        Ok(c) => view! { <SpecChoices specs=c.specs value=spec_id errors/> }.into_any(),
                    }
                })}
            </Transition>
            <div class="form-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>{tr(T::Cancel)}</button>
                <button type="button" class="btn primary" disabled=move || spec_id.with(Option::is_none) on:click=move |_| step.set(1)>
                    {tr(T::Next)}
                </button>
            </div>
        }
    };
    let fill = move || {
        view! {
            <form class="package-form" on:submit=on_submit novalidate>
                <p class="hint">
                    {tr(T::PkgSpec)} ": " <strong>{move || spec.get().map(|s| s.name).unwrap_or_default()}</strong>
                </p>
                <TextField label=T::PkgName name="name" value=name errors required=true maxlength=PACKAGE_NAME_MAX/>
                <Field label=T::PkgPurpose name="purpose" errors required=true>
                    <select
                        name="purpose"
                        on:change=move |ev| purpose.set(if event_target_value(&ev) == "test" { Purpose::Test } else { Purpose::Production })
                    >
                        <option value="production" selected=move || purpose.get() == Purpose::Production>
                            {tr(T::PurposeProduction)}
                        </option>
                        <option value="test" selected=move || purpose.get() == Purpose::Test>{tr(T::PurposeTest)}</option>
                    </select>
                </Field>
                <TextField
                    label=T::PkgCodeCount
                    name="code_count"
                    value=code_count
                    errors
                    required=true
                    input_type="text"
                    maxlength=12
                    placeholder="1 – 20,000,000"
                />
                <p class="hint">{tr(T::PkgCodeCountHint)}</p>
                <TextField label=T::PkgFileCount name="file_count" value=file_count errors required=true maxlength=3 placeholder="1 – 100"/>
                <p class="hint">{tr(T::PkgFileCountHint)}</p>
                <p class="hint" data-testid="codes-per-file">{per_file}</p>
                <SelectField label=T::PkgFactory name="factory_id" value=factory_id options=factories errors required=true/>
                <p class="hint">
                    {move || {
                        spec.get()
                            .map(|s| {
                                format!(
                                    "{}: {} · {}: {}",
                                    T::PkgFilesGoTo.in_(l),
                                    s.file_receivers.join("、"),
                                    T::PkgPasswordsGoTo.in_(l),
                                    s.password_receivers.join("、"),
                                )
                            })
                    }}
                </p>
                <SelectField label=T::PkgProduct name="product_id" value=product_id options=products errors/>
                <SelectField label=T::PkgFillingFactory name="filling_factory_id" value=filling_factory_id options=factories errors/>
                <TextField label=T::Remark name="remark" value=remark errors maxlength=REMARK_MAX/>
                <Show when=move || errors.form.get().is_some()>
                    <p class="form-error" role="alert">{move || errors.form.get()}</p>
                </Show>
                <div class="form-actions">
                    <button type="button" class="btn" on:click=move |_| step.set(0)>{tr(T::Back)}</button>
                    <button type="submit" class="btn primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { tr(T::Loading) } else { tr(T::PkgSubmit) }}
                    </button>
                </div>
            </form>
        }
    };
    view! {
        <WizardSteps steps current=step/>
        {move || if step.get() == 0 { choose().into_any() } else { fill().into_any() }}
    }
}

/// Step 1: the specs I may apply with, each with its review flow.
#[component]
fn SpecChoices(specs: Vec<SpecChoice>, value: RwSignal<Option<i64>>, errors: FormErrors) -> impl IntoView {
    let l = use_locale();
    let msg = errors.message("spec_id");
    let people = move |label: T, names: &[String]| format!("{}: {}", label.in_(l), names.join("、"));
    view! {
        <fieldset class="field spec-choices" class:invalid=move || msg.get().is_some()>
            <legend class="label">{tr(T::PkgSpec)} " *"</legend>
            {specs
                .into_iter()
                .map(|s| {
                    let id = s.id;
                    view! {
                        <label class="radio card" data-spec=id.to_string() style="display: flex; margin-bottom: 8px">
                            <input
                                type="radio"
                                name="spec_id"
                                value=id.to_string()
                                prop:checked=move || value.get() == Some(id)
                                on:change=move |_| value.set(Some(id))
                            />
                            <span>
                                <strong>{s.name.clone()}</strong>
                                <br/>
                                <span class="hint">
                                    {format!("{}: {}", T::SpecReviewFlow.in_(l), s.flow_name)} " · "
                                    {people(T::SpecReviewers, &s.reviewers)} " · " {people(T::SpecFileReceivers, &s.file_receivers)}
                                    " · " {people(T::SpecPasswordReceivers, &s.password_receivers)}
                                </span>
                            </span>
                        </label>
                    }
                })
                .collect_view()}
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field="spec_id" role="alert">{move || msg.get()}</p>
            </Show>
        </fieldset>
    }
}

// ---------- review ----------

/// Approve, or reject with a reason (required to reject).
#[component]
fn ReviewForm(target: Target, open: RwSignal<bool>, on_done: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let reason = RwSignal::new(String::new());
    let approving = RwSignal::new(false);
    let save = SaveForm::new(review_package, move |_| {
        open.set(false);
        toast(ToastKind::Ok, if approving.get_untracked() { T::PkgApprovedNotice.in_(l) } else { T::PkgRejectedNotice.in_(l) });
        on_done.run(());
    });
    let errors = save.errors;
    let decide = move |approve: bool| {
        approving.set(approve);
        let input = ReviewInput { id: target.id, version: target.version, approve, reason: reason.get_untracked() };
        save.submit(input, ReviewInput::validate);
    };
    view! {
        <p>
            {tr(T::PkgNoun)} " #" {target.id} " 「" {target.name.clone()} "」"
        </p>
        <p class="hint">{tr(T::PkgConfirmApprove)}</p>
        <Field label=T::PkgRejectReason name="reason" errors>
            <textarea name="reason" rows="3" maxlength=REJECT_REASON_MAX.to_string() bind:value=reason></textarea>
        </Field>
        <Show when=move || errors.form.get().is_some()>
            <p class="form-error" role="alert">{move || errors.form.get()}</p>
        </Show>
        <div class="form-actions">
            <button type="button" class="btn" on:click=move |_| open.set(false)>{tr(T::Cancel)}</button>
            <button type="button" class="btn danger" disabled=move || save.pending().get() on:click=move |_| decide(false)>
                {tr(T::PkgReject)}
            </button>
            <button type="button" class="btn primary" disabled=move || save.pending().get() on:click=move |_| decide(true)>
                {tr(T::PkgApprove)}
            </button>
        </div>
    }
}

// ---------- detail page ----------

/// "1.5 MB" for a file size.
fn file_size(l: Locale, bytes: i64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", l.int(bytes))
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

#[component]
pub fn CodePackagePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default()));
    let reloads = RwSignal::new(0u32);
    let reload = Callback::new(move |_| reloads.update(|n| *n += 1));
    let package = Resource::new(move || (id.get(), reloads.get()), |(id, _)| get_package(id));
    let live: Live = RwSignal::new(HashMap::new());
    Effect::new(move |_| {
        if let Some(Ok(p)) = package.get() {
            live.set(HashMap::from([(p.row.id, progress_of(&p.row))]));
        }
    });
    follow_progress(live, reload);
    let navigate = use_navigate();
    let actions = Actions::new(reload, Callback::new(move |_| navigate("/codes/packages", Default::default())));
    view! {
        <PageHeader title=tr(T::PkgDetail).to_string()>
            <A href="/codes/packages">{tr(T::PkgBackToList)}</A>
        </PageHeader>
        {loaded(package, move |p| view! { <PackageDetail package=p live actions reload/> })}
        {actions.dialogs()}
    }
}

#[component]
fn PackageDetail(package: Package, live: Live, actions: Actions, reload: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let p = package;
    let r = &p.row;
    let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
    let row = |label: T, value: String| {
        view! {
            <dt>{tr(label)}</dt>
            <dd>{value}</dd>
        }
    };
    let history = history(&p);
    let history_cols = vec![
        Col::new(T::PkgEvent, text(move |e: &Event| e.0.in_(l).to_string())),
        Col::new(T::Time, text(move |e: &Event| l.datetime(&e.1))),
        Col::new(T::PkgPerson, text(|e: &Event| e.2.clone())),
    ];
    let batch_cols = vec![
        Col::new(T::PkgBatchNo, text(|b: &Batch| b.batch_no.to_string())),
        Col::new(T::PkgSerialRange, text(move |b: &Batch| format!("{} – {}", l.int(b.serial_start.into()), l.int(b.serial_end.into())))),
        Col::new(T::PkgFileName, text(|b: &Batch| b.file_name.clone())),
        Col::new(T::PkgFileSize, text(move |b: &Batch| b.file_size.map(|s| file_size(l, s)).unwrap_or_else(|| "—".into()))),
        Col::new(T::PkgDownloads, text(|b: &Batch| format!("{} / {DOWNLOADS_MAX}", b.downloads))),
    ];
    // Delivery (send to the receivers, extraction and download history) once it was approved.
    let shows_delivery = !matches!(r.status, PackageStatus::Pending | PackageStatus::Rejected);
    view! {
        <section class="card package-detail" data-package=r.id.to_string()>
            <h2>{r.name.clone()} " " <PackageState id=r.id initial=r.status live/></h2>
            <div class="page-actions">{actions.buttons(r)}</div>
            <dl class="details">
                {row(T::SpecId, r.id.to_string())}
                {row(T::PkgSpec, r.spec_name.clone())}
                {row(T::PkgPurpose, r.purpose.label(l).to_string())}
                {row(T::PkgCodeCount, l.int(r.code_count))}
                {row(T::PkgFileCount, l.int(r.file_count))}
                {row(T::PkgFactory, r.factory_name.clone())}
                {row(T::PkgProduct, or_dash(&p.product_name))}
                {row(T::PkgFillingFactory, or_dash(&p.filling_factory_name))}
                {row(T::Remark, if p.remark.is_empty() { "—".into() } else { p.remark.clone() })}
                {row(T::PkgApplicant, r.applicant_name.clone())}
                {row(T::PkgAppliedAt, l.datetime(&r.applied_at))}
                {p.reject_reason.clone().map(|why| row(T::PkgRejectReason, why))}
                {p.error.clone().map(|why| row(T::PkgGenerationError, why))}
            </dl>
        </section>
        <section class="card">
            <h3>{tr(T::PkgHistory)}</h3>
            <DataTable rows=Signal::stored(history) cols=history_cols/>
        </section>
        <section class="card">
            <h3>{tr(T::PkgBatches)}</h3>
            <DataTable rows=Signal::stored(p.batches.clone()) cols=batch_cols paged=true/>
        </section>
        {shows_delivery.then(|| view! { <DeliverySection package_id=r.id on_sent=reload/> })}
    }
}

/// One line of a package's history: what, when, who.
type Event = (T, chrono::DateTime<chrono::Utc>, String);

fn history(p: &Package) -> Vec<Event> {
    let r = &p.row;
    let mut events = vec![(T::PkgEventApplied, r.applied_at, r.applicant_name.clone())];
    if let Some(at) = p.reviewed_at {
        let what = if r.status == PackageStatus::Rejected { T::PkgEventRejected } else { T::PkgEventApproved };
        events.push((what, at, p.reviewer_name.clone().unwrap_or_default()));
    }
    if let Some(at) = p.generated_at {
        events.push((T::PkgEventGenerated, at, String::new()));
    }
    if let Some(at) = p.sent_at {
        events.push((T::PkgEventSent, at, p.sender_name.clone().unwrap_or_default()));
    }
    events
}
