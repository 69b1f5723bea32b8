//! Shared widgets: data table with sorting, pagination and empty state; form fields showing
//! the server's (and the browser's) per-field errors, and a form's save; filter bars and lists
//! paginated on the server; modal, confirm dialog, toasts, wizard steps and a progress bar for
//! jobs.

use crate::domain::page::{Page, PageReq, PAGE_SIZES};
use crate::domain::validate::FieldError;
use crate::error::AppError;
use crate::i18n::T;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;
use std::sync::Arc;

// ---------- forms ----------

/// The errors of one form: set from the browser's check or the server's answer.
#[derive(Clone, Copy)]
pub struct FormErrors {
    pub fields: RwSignal<Vec<FieldError>>,
    /// A refusal of the whole form (stale, forbidden, internal …).
    pub form: RwSignal<Option<String>>,
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

impl FormErrors {
    pub fn new() -> Self {
        FormErrors { fields: RwSignal::new(vec![]), form: RwSignal::new(None) }
    }
    pub fn clear(&self) {
        self.fields.set(vec![]);
        self.form.set(None);
    }
    /// Runs the domain check; returns false (and shows the errors) if it fails.
    pub fn check(&self, result: Result<(), Vec<FieldError>>) -> bool {
        self.clear();
        match result {
            Ok(()) => true,
            Err(errs) => {
                self.fields.set(errs);
                false
            }
        }
    }
    /// Shows a server refusal: on its fields, or for the whole form.
    pub fn show(&self, e: &AppError) {
        let l = use_locale_untracked();
        match e {
            AppError::Invalid(errs) => self.fields.set(errs.clone()),
            other => self.form.set(Some(other.render(l))),
        }
    }
    pub fn message(&self, field: &'static str) -> Signal<Option<String>> {
        let fields = self.fields;
        let l = use_locale();
        Signal::derive(move || fields.with(|f| f.iter().find(|e| e.field == field).map(|e| e.msg.render(l))))
    }
}

fn use_locale_untracked() -> crate::i18n::Locale {
    use_context::<crate::i18n::Locale>().unwrap_or_default()
}

/// A form's save: its errors and the action that sends it. On success `on_ok` gets the
/// server's answer; a refusal shows on the form's fields or as the whole form's error.
pub struct SaveForm<I: 'static, O: 'static> {
    pub errors: FormErrors,
    pub action: Action<I, Result<O, AppError>>,
}

impl<I, O> Clone for SaveForm<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for SaveForm<I, O> {}

impl<I, O> SaveForm<I, O>
where
    I: Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    pub fn new<Fut>(call: impl Fn(I) -> Fut + Send + Sync + 'static, on_ok: impl Fn(O) + 'static) -> Self
    where
        Fut: std::future::Future<Output = Result<O, AppError>> + Send + 'static,
    {
        let errors = FormErrors::new();
        let action = Action::new(move |i: &I| call(i.clone()));
        Effect::new(move |_| match action.value().get() {
            Some(Ok(o)) => on_ok(o),
            Some(Err(e)) => errors.show(&e),
            None => {}
        });
        SaveForm { errors, action }
    }

    /// The save of a form in a [`Modal`]: on success the dialog closes, `ok` shows as a toast
    /// and `on_saved` runs.
    pub fn in_dialog<Fut>(call: impl Fn(I) -> Fut + Send + Sync + 'static, open: RwSignal<bool>, ok: T, on_saved: Callback<()>) -> Self
    where
        Fut: std::future::Future<Output = Result<O, AppError>> + Send + 'static,
    {
        Self::new(call, move |_| {
            open.set(false);
            toast(ToastKind::Ok, tr(ok));
            on_saved.run(());
        })
    }

    pub fn pending(&self) -> Signal<bool> {
        self.action.pending().into()
    }

    /// Runs the browser's check on `input` and sends it only if it passes.
    pub fn submit(&self, input: I, check: impl FnOnce(&I) -> Result<(), Vec<FieldError>>) {
        if self.errors.check(check(&input)) {
            self.action.dispatch(input);
        }
    }

    /// The form's submit handler: builds the input from the fields, then [`Self::submit`].
    pub fn on_submit(
        self,
        check: impl Fn(&I) -> Result<(), Vec<FieldError>> + 'static,
        input: impl Fn() -> I + 'static,
    ) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
        move |ev| {
            ev.prevent_default();
            self.submit(input(), &check);
        }
    }
}

/// Label + control + the field's error, if any (`data-field` names it for tests and styles).
#[component]
pub fn Field(label: T, name: &'static str, errors: FormErrors, #[prop(optional)] required: bool, children: Children) -> impl IntoView {
    let msg = errors.message(name);
    view! {
        <div class="field" class:invalid=move || msg.get().is_some()>
            <label>
                <span class="label">{tr(label)}{required.then_some(" *")}</span>
                {children()}
            </label>
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field=name role="alert">{move || msg.get()}</p>
            </Show>
        </div>
    }
}

/// A text input bound to a signal.
#[component]
pub fn TextField(
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    errors: FormErrors,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] input_type: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <Field label name errors required>
            <input
                type=input_type.unwrap_or("text")
                name=name
                bind:value=value
                maxlength=maxlength.map(|m| m.to_string())
                placeholder=placeholder
                disabled=disabled
            />
        </Field>
    }
}

/// A select of (id, name) choices bound to an optional id.
#[component]
pub fn SelectField(
    label: T,
    name: &'static str,
    value: RwSignal<Option<i64>>,
    #[prop(into)] options: Signal<Vec<(i64, String)>>,
    errors: FormErrors,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    view! {
        <Field label name errors required>
            {id_select(name, value, options, "—")}
        </Field>
    }
}

/// A `<select>` of (id, name) choices bound to an optional id; the empty choice reads `none`.
fn id_select(name: &'static str, value: RwSignal<Option<i64>>, options: Signal<Vec<(i64, String)>>, none: &'static str) -> impl IntoView {
    view! {
        <select
            name=name
            on:change=move |ev| value.set(event_target_value(&ev).parse().ok())
            prop:value=move || value.get().map(|v| v.to_string()).unwrap_or_default()
        >
            <option value="">{none}</option>
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(id, name)| {
                        view! {
                            <option value=id.to_string() selected=move || value.get() == Some(id)>
                                {name}
                            </option>
                        }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// The whole-form error line and the submit/cancel buttons; submit is disabled while pending
/// so a double click sends one request.
#[component]
pub fn FormFooter(errors: FormErrors, pending: Signal<bool>, on_cancel: Callback<()>) -> impl IntoView {
    view! {
        <Show when=move || errors.form.get().is_some()>
            <p class="form-error" role="alert">{move || errors.form.get()}</p>
        </Show>
        <div class="form-actions">
            <button type="button" class="btn" on:click=move |_| on_cancel.run(())>{tr(T::Cancel)}</button>
            <button type="submit" class="btn primary" disabled=move || pending.get()>
                {move || if pending.get() { tr(T::Loading) } else { tr(T::Save) }}
            </button>
        </div>
    }
}

// ---------- filter bars ----------

/// The filter bar above a server-filtered list: its controls, then "Search" and "Reset".
#[component]
pub fn FilterBar(on_search: Callback<()>, on_reset: Callback<()>, children: Children) -> impl IntoView {
    view! {
        <form
            class="filters"
            role="search"
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                on_search.run(());
            }
        >
            {children()}
            <button type="submit" class="btn primary">{tr(T::Search)}</button>
            <button type="button" class="btn" on:click=move |_| on_reset.run(())>{tr(T::Reset)}</button>
        </form>
    }
}

/// A filter's select of (id, name) choices, "All" when empty.
#[component]
pub fn FilterSelect(
    label: T,
    name: &'static str,
    value: RwSignal<Option<i64>>,
    #[prop(into)] options: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    view! {
        <label class="filter">
            <span class="label">{tr(label)}</span>
            {id_select(name, value, options, tr(T::All))}
        </label>
    }
}

// ---------- dialogs and toasts ----------

/// A modal dialog shown while `open` is true.
#[component]
pub fn Modal(#[prop(into)] title: Signal<String>, open: RwSignal<bool>, children: ChildrenFn) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop">
                <div class="modal" role="dialog" aria-modal="true" aria-label=move || title.get()>
                    <header>
                        <h2>{move || title.get()}</h2>
                        <button class="icon" aria-label=tr(T::Close) on:click=move |_| open.set(false)>"×"</button>
                    </header>
                    <div class="modal-body">{children()}</div>
                </div>
            </div>
        </Show>
    }
}

/// Asks before a destructive action; `on_confirm` runs on "Confirm". The title defaults to
/// "Confirm deletion".
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] text: Signal<String>,
    on_confirm: Callback<()>,
    #[prop(optional)] title: Option<T>,
) -> impl IntoView {
    let title = title.unwrap_or(T::ConfirmDeleteTitle);
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop">
                <div class="modal small" role="alertdialog" aria-modal="true" aria-label=tr(title)>
                    <header>
                        <h2>{tr(title)}</h2>
                    </header>
                    <div class="modal-body">
                        <p>{move || text.get()}</p>
                        <div class="form-actions">
                            <button class="btn" on:click=move |_| open.set(false)>{tr(T::Cancel)}</button>
                            <button
                                class="btn danger"
                                on:click=move |_| {
                                    open.set(false);
                                    on_confirm.run(());
                                }
                            >
                                {tr(T::Confirm)}
                            </button>
                        </div>
                    </div>
                </div>
            </div>
        </Show>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Ok,
    Error,
}

/// Short notices in the corner; provided by the layouts.
#[derive(Clone, Copy)]
pub struct Toasts(RwSignal<Vec<(u64, ToastKind, String)>>);

impl Toasts {
    pub fn provide() -> Toasts {
        let t = Toasts(RwSignal::new(vec![]));
        provide_context(t);
        t
    }
    pub fn push(&self, kind: ToastKind, text: impl Into<String>) {
        let list = self.0;
        let id = list.with_untracked(|l| l.last().map(|(id, _, _)| id + 1).unwrap_or(1));
        list.update(|l| l.push((id, kind, text.into())));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(5000).await;
            list.update(|l| l.retain(|(i, _, _)| *i != id));
        });
    }
}

pub fn toast(kind: ToastKind, text: impl Into<String>) {
    if let Some(t) = use_context::<Toasts>() {
        t.push(kind, text);
    }
}

/// Shows a failed request as an error toast.
pub fn toast_error(e: &AppError) {
    toast(ToastKind::Error, e.render(use_locale_untracked()));
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_context::<Toasts>().expect("Toasts provided by the layout");
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || toasts.0.get() key=|(id, _, _)| *id let:item>
                <div class="toast" class:error=item.1 == ToastKind::Error role="status">{item.2}</div>
            </For>
        </div>
    }
}

// ---------- tables ----------

#[derive(Clone, PartialEq, PartialOrd)]
pub enum SortKey {
    Text(String),
    Num(i64),
}

pub type Cell<R> = Arc<dyn Fn(&R) -> AnyView + Send + Sync>;

pub type SortBy<R> = Arc<dyn Fn(&R) -> SortKey + Send + Sync>;

/// One column: its title, how to sort by it (if sortable), and how to draw a cell.
pub struct Col<R> {
    pub title: String,
    pub sort: Option<SortBy<R>>,
    pub cell: Cell<R>,
}

impl<R> Col<R> {
    pub fn new(title: T, cell: impl Fn(&R) -> AnyView + Send + Sync + 'static) -> Self {
        Col { title: tr(title).to_string(), sort: None, cell: Arc::new(cell) }
    }
    pub fn sorted(mut self, key: impl Fn(&R) -> SortKey + Send + Sync + 'static) -> Self {
        self.sort = Some(Arc::new(key));
        self
    }
}

/// Text cell helper.
pub fn text<R>(f: impl Fn(&R) -> String + Send + Sync + 'static) -> impl Fn(&R) -> AnyView + Send + Sync + 'static {
    move |r| f(r).into_any()
}

/// A table over `rows`. Sorting by clicking a sortable header; with `paged`, the rows are
/// paginated here (10 per page by default); else the caller paginates on the server.
#[component]
pub fn DataTable<R>(#[prop(into)] rows: Signal<Vec<R>>, cols: Vec<Col<R>>, #[prop(optional)] paged: bool) -> impl IntoView
where
    R: Clone + PartialEq + Send + Sync + 'static,
{
    let cols = Arc::new(cols);
    let sort: RwSignal<Option<(usize, bool)>> = RwSignal::new(None);
    let page = RwSignal::new(1i64);
    let size = RwSignal::new(10i64);
    let sorted = {
        let cols = cols.clone();
        Memo::new(move |_| {
            let mut r = rows.get();
            if let Some((i, asc)) = sort.get() {
                if let Some(key) = &cols[i].sort {
                    r.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal));
                    if !asc {
                        r.reverse();
                    }
                }
            }
            r
        })
    };
    let total = Signal::derive(move || sorted.with(|r| r.len() as i64));
    let visible = Signal::derive(move || {
        let r = sorted.get();
        if paged {
            let (p, s) = (page.get(), size.get());
            r.into_iter().skip(((p - 1) * s) as usize).take(s as usize).collect()
        } else {
            r
        }
    });
    let ncols = cols.len();
    let head = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let title = c.title.clone();
            if c.sort.is_some() {
                let mark = move || match sort.get() {
                    Some((j, true)) if j == i => " ▲",
                    Some((j, false)) if j == i => " ▼",
                    _ => "",
                };
                view! {
                    <th
                        class="sortable"
                        aria-sort=move || match sort.get() {
                            Some((j, true)) if j == i => "ascending",
                            Some((j, false)) if j == i => "descending",
                            _ => "none",
                        }
                        on:click=move |_| {
                            sort.update(|s| {
                                *s = match *s {
                                    Some((j, asc)) if j == i => Some((i, !asc)),
                                    _ => Some((i, true)),
                                }
                            })
                        }
                    >
                        {title}
                        {mark}
                    </th>
                }
                .into_any()
            } else {
                view! { <th>{title}</th> }.into_any()
            }
        })
        .collect_view();
    view! {
        <table class="data">
            <thead>
                <tr>{head}</tr>
            </thead>
            <tbody>
                {move || {
                    let rows = visible.get();
                    if rows.is_empty() {
                        view! {
                            <tr class="empty">
                                <td colspan=ncols.to_string()>{tr(T::NoData)}</td>
                            </tr>
                        }
                        .into_any()
                    } else {
                        rows.iter()
                            .map(|r| {
                                let cells = cols.iter().map(|c| view! { <td>{(c.cell)(r)}</td> }).collect_view();
                                view! { <tr>{cells}</tr> }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
            </tbody>
        </table>
        {paged.then(|| view! { <Pager page size total/> })}
    }
}

/// A list filtered and paginated on the server: the filter applied by "Search", the page and
/// its size.
pub struct ServerList<F: 'static> {
    pub filter: RwSignal<F>,
    pub page: RwSignal<i64>,
    pub size: RwSignal<i64>,
}

impl<F> Clone for ServerList<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for ServerList<F> {}

impl<F: Clone + Default + Send + Sync + 'static> ServerList<F> {
    pub fn new() -> Self {
        ServerList { filter: RwSignal::new(F::default()), page: RwSignal::new(1), size: RwSignal::new(PageReq::default().size) }
    }

    /// The filter and the page to fetch (tracked: for a resource's source).
    pub fn query(&self) -> (F, PageReq) {
        (self.filter.get(), PageReq { page: self.page.get(), size: self.size.get() })
    }

    /// Shows the list under `filter` from its first page.
    pub fn apply(&self, filter: F) {
        self.filter.set(filter);
        self.page.set(1);
    }

    /// One fetched page in a table, with the page navigation under it.
    pub fn table<R>(self, page: Page<R>, cols: Vec<Col<R>>) -> impl IntoView
    where
        R: Clone + PartialEq + Send + Sync + 'static,
    {
        let (p, size) = (self.page, self.size);
        view! {
            <DataTable rows=Signal::stored(page.items) cols/>
            <Pager page=p size total=Signal::stored(page.total)/>
        }
    }
}

impl<F: Clone + Default + Send + Sync + 'static> Default for ServerList<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// Page navigation and page-size choice.
#[component]
pub fn Pager(page: RwSignal<i64>, size: RwSignal<i64>, #[prop(into)] total: Signal<i64>) -> impl IntoView {
    let pages = move || ((total.get() + size.get() - 1) / size.get().max(1)).max(1);
    view! {
        <nav class="pager" aria-label="pagination">
            <span>{tr(T::TotalItems)} " " {move || use_locale_int(total.get())} " " {tr(T::ItemsUnit)}</span>
            <button class="btn small" disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p -= 1)>
                {tr(T::PrevPage)}
            </button>
            <span class="page-no">{move || page.get()} " / " {pages}</span>
            <button class="btn small" disabled=move || { page.get() >= pages() } on:click=move |_| page.update(|p| *p += 1)>
                {tr(T::NextPage)}
            </button>
            <select
                aria-label=tr(T::PerPage)
                on:change=move |ev| {
                    size.set(event_target_value(&ev).parse().unwrap_or(10));
                    page.set(1);
                }
            >
                {PAGE_SIZES
                    .iter()
                    .map(|s| {
                        let s = *s;
                        view! {
                            <option value=s.to_string() selected=move || size.get() == s>
                                {s} " " {tr(T::PerPage)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </nav>
    }
}

fn use_locale_int(n: i64) -> String {
    use_locale_untracked().int(n)
}

// ---------- progress and steps ----------

/// A job's progress (0–100).
#[component]
pub fn ProgressBar(#[prop(into)] percent: Signal<i64>, #[prop(optional, into)] label: Option<String>) -> impl IntoView {
    view! {
        <div
            class="progress"
            role="progressbar"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || percent.get().to_string()
            aria-label=label
        >
            <div class="bar" style=move || format!("width: {}%", percent.get())></div>
            <span>{move || format!("{}%", percent.get())}</span>
        </div>
    }
}

/// Wizard step indicator: `steps` titles, `current` 0-based.
#[component]
pub fn WizardSteps(steps: Vec<String>, #[prop(into)] current: Signal<usize>) -> impl IntoView {
    view! {
        <ol class="wizard-steps">
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    view! {
                        <li class:done=move || { i < current.get() } class:current=move || i == current.get()>
                            <span class="no">{i + 1}</span>
                            {s}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// Title bar of a page with optional actions on the right.
#[component]
pub fn PageHeader(title: String, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}

/// A resource's value once loaded (the last one stays while it reloads), drawn by `ok`; its
/// error in place if it failed; "Loading" until the first answer.
pub fn loaded<X, V>(res: Resource<Result<X, AppError>>, ok: impl Fn(X) -> V + Clone + Send + Sync + 'static) -> impl IntoView
where
    X: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || {
                let ok = ok.clone();
                Suspend::new(async move {
                    match res.await {
                        Ok(x) => ok(x).into_any(),
                        Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Renders a resource's error in place.
#[component]
pub fn ErrorLine(error: AppError) -> impl IntoView {
    let l = use_locale();
    view! { <p class="form-error" role="alert">{error.render(l)}</p> }
}
