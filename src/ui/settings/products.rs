//! 基础数据 → 产品: a server-paginated list filtered by brand and by name or barcode;
//! create/edit in a dialog (with the product image upload for an existing product); delete;
//! and a CSV import that runs as a background job, with a progress bar and a per-row report.

use super::{choice_options, Records};
use crate::api::basic_data::{delete_basic, get_product, import_products, list_products, save_product, upload_product_image};
use crate::domain::access::{Function, Level};
use crate::domain::basic_data::{ImportReport, Kind, Product, ProductFilter, ProductInput, IMAGE_MAX_KB, NAME_MAX, SPEC_MAX};
use crate::domain::jobs::{JobState, JobStatus};
use crate::domain::validate::{format_money, FieldError, Msg};
use crate::error::AppError;
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

// ---------- helpers shared by the basic-data pages ----------

/// The first file chosen in an `<input type="file">`; with `clear`, the input is emptied so
/// choosing the same file again fires `change` again.
#[cfg(feature = "hydrate")]
fn picked_file(ev: &leptos::ev::Event, clear: bool) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0);
    if clear {
        input.set_value("");
    }
    file
}

#[cfg(feature = "hydrate")]
async fn file_bytes(file: &web_sys::File) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    Some(web_sys::js_sys::Uint8Array::new(&buf).to_vec())
}

#[cfg(feature = "hydrate")]
async fn file_text(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?.as_string()
}

fn field_error(field: &str, msg: Msg) -> Vec<FieldError> {
    vec![FieldError { field: field.into(), msg }]
}

/// Reads a chosen file in the browser with `read`, then hands it and its content to `done`.
/// A file over `max_kb` is refused, an unreadable one reported, both on the form's `field`;
/// `reading` is on meanwhile, and nothing more happens if the dialog was closed.
#[cfg(feature = "hydrate")]
#[allow(clippy::too_many_arguments)]
fn read_file<X, Fut>(
    file: web_sys::File,
    field: &'static str,
    max_kb: usize,
    l: Locale,
    errors: FormErrors,
    reading: RwSignal<bool>,
    read: impl FnOnce(web_sys::File) -> Fut,
    done: impl FnOnce(web_sys::File, X) + 'static,
) where
    Fut: std::future::Future<Output = Option<X>> + 'static,
{
    errors.clear();
    if file.size() > (max_kb * 1024) as f64 {
        errors.fields.set(field_error(field, Msg::FileTooLarge { max_kb }));
        return;
    }
    reading.set(true);
    let content = read(file.clone());
    leptos::task::spawn_local(async move {
        let content = content.await;
        if reading.try_set(false).is_some() {
            return; // the dialog was closed meanwhile
        }
        match content {
            None => errors.fields.set(field_error(field, Msg::Other(T::FileUnreadable.in_(l).into()))),
            Some(x) => done(file, x),
        }
    });
}

// ---------- the page ----------

#[component]
pub fn ProductsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::BasicData, Level::Manage);
    let records = Records::new();
    let list = ServerList::<ProductFilter>::new();
    // The filter being typed; "Search" applies it.
    let brand_filter: RwSignal<Option<i64>> = RwSignal::new(None);
    let search = RwSignal::new(String::new());
    let brands = choice_options(Kind::Brand);
    let products = Resource::new(move || (list.query(), records.reloads.get()), |((f, p), _)| list_products(f, p));
    // After a delete emptied the last page (or the filter shrank the list), go to the last page.
    Effect::new(move |_| {
        if let Some(Ok(p)) = products.get() {
            if p.items.is_empty() && p.page > 1 {
                list.page.set(p.pages());
            }
        }
    });

    let importing = RwSignal::new(false);
    let delete = records.deletion(|id| delete_basic(Kind::Product, id));
    // Closing the import dialog shows whatever the job imported so far.
    Effect::new(move |was_open: Option<bool>| {
        let now = importing.get();
        if was_open == Some(true) && !now {
            records.reload();
        }
        now
    });

    let apply = move || {
        list.apply(ProductFilter { brand_id: brand_filter.get_untracked(), search: search.get_untracked().trim().to_string() });
        records.reload();
    };
    let reset = move || {
        brand_filter.set(None);
        search.set(String::new());
        apply();
    };
    let cols = move || {
        let mut cols = vec![
            Col::new(T::Image, |p: &Product| match &p.image {
                Some(path) => view! {
                    <img
                        class="thumb"
                        src=format!("/media/{path}")
                        alt=p.name.clone()
                        width="40"
                        height="40"
                        loading="lazy"
                        style="object-fit: cover"
                    />
                }
                .into_any(),
                None => view! { <span class="thumb none">"—"</span> }.into_any(),
            }),
            Col::new(T::Name, text(|p: &Product| p.name.clone())).sorted(|p| SortKey::Text(p.name.clone())),
            Col::new(T::Brand, text(|p: &Product| p.brand_name.clone())).sorted(|p| SortKey::Text(p.brand_name.clone())),
            Col::new(T::Barcode, text(|p: &Product| p.barcode.clone())).sorted(|p| SortKey::Text(p.barcode.clone())),
            Col::new(T::Specification, text(|p: &Product| p.specification.clone())),
            Col::new(T::UnitPrice, text(move |p: &Product| l.money(p.unit_price))).sorted(|p| SortKey::Num(p.unit_price)),
        ];
        if manage {
            cols.push(records.actions_col(delete, input_of));
        }
        cols
    };
    view! {
        <PageHeader title=tr(T::Products).to_string()>
            {manage
                .then(|| {
                    view! {
                        <button class="btn" on:click=move |_| importing.set(true)>{tr(T::ImportCsv)}</button>
                        {records.create_button()}
                    }
                })}
        </PageHeader>
        <FilterBar on_search=Callback::new(move |_| apply()) on_reset=Callback::new(move |_| reset())>
            <FilterSelect label=T::Brand name="brand_id" value=brand_filter options=brands/>
            <input
                type="search"
                name="search"
                bind:value=search
                placeholder=tr(T::NameOrBarcode)
                aria-label=tr(T::NameOrBarcode)
                maxlength=NAME_MAX.to_string()
            />
        </FilterBar>
        {loaded(products, move |p| list.table(p, cols()))}
        {records.dialog(
            T::Product,
            |(e, _)| e.id.is_some(),
            move |(input, image)| view! { <ProductForm input image brands open=records.open on_saved=records.on_saved()/> },
        )}
        <Modal title=Signal::derive(move || T::ImportCsv.in_(l).to_string()) open=importing>
            <ImportWizard open=importing on_done=records.on_saved()/>
        </Modal>
        {delete.dialog()}
    }
}

/// The dialog's input for an existing product, and its image.
fn input_of(p: &Product) -> (ProductInput, Option<String>) {
    let input = ProductInput {
        id: Some(p.id),
        version: p.version,
        name: p.name.clone(),
        brand_id: Some(p.brand_id),
        barcode: p.barcode.clone(),
        specification: p.specification.clone(),
        unit_price: format_money(p.unit_price),
    };
    (input, p.image.clone())
}

// ---------- create / edit ----------

#[component]
fn ProductForm(
    input: ProductInput,
    image: Option<String>,
    brands: Signal<Vec<(i64, String)>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(input.name.clone());
    let brand_id = RwSignal::new(input.brand_id);
    let barcode = RwSignal::new(input.barcode.clone());
    let specification = RwSignal::new(input.specification.clone());
    let unit_price = RwSignal::new(input.unit_price.clone());
    // An image upload bumps the product's version; the form follows it.
    let version = RwSignal::new(input.version);
    let save = SaveForm::in_dialog(save_product, open, T::Saved, on_saved);
    let errors = save.errors;
    let id = input.id;
    let on_submit = save.on_submit(ProductInput::validate, move || ProductInput {
        id,
        version: version.get_untracked(),
        name: name.get_untracked(),
        brand_id: brand_id.get_untracked(),
        barcode: barcode.get_untracked().trim().to_string(),
        specification: specification.get_untracked(),
        unit_price: unit_price.get_untracked().trim().to_string(),
    });
    view! {
        {id.map(|id| view! { <ProductImage id image version on_saved/> })}
        <form on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=NAME_MAX/>
            <SelectField label=T::Brand name="brand_id" value=brand_id options=brands errors required=true/>
            <TextField
                label=T::Barcode
                name="barcode"
                value=barcode
                errors
                required=true
                maxlength=13
                placeholder="6901234567892"
            />
            <TextField label=T::Specification name="specification" value=specification errors maxlength=SPEC_MAX/>
            <TextField label=T::UnitPrice name="unit_price" value=unit_price errors required=true maxlength=14 placeholder="12.90"/>
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

/// The image of an existing product: shows it, and uploads a new one as soon as it is chosen.
#[component]
fn ProductImage(id: i64, image: Option<String>, version: RwSignal<i32>, on_saved: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let image = RwSignal::new(image);
    let errors = FormErrors::new();
    let reading = RwSignal::new(false);
    let upload = Action::new(move |data: &String| {
        let data = data.clone();
        async move {
            upload_product_image(id, data).await?;
            get_product(id).await
        }
    });
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(p)) => {
            image.set(p.image.clone());
            // Follow our own upload's version bump only; someone else's change stays stale.
            if p.version == version.get_untracked() + 1 {
                version.set(p.version);
            }
            toast(ToastKind::Ok, T::Saved.in_(l));
            on_saved.run(());
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let busy = Signal::derive(move || reading.get() || upload.pending().get());
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use base64::Engine;
            let Some(file) = picked_file(&ev, true) else { return };
            let read = |f: web_sys::File| async move { file_bytes(&f).await };
            read_file(file, "image", IMAGE_MAX_KB, l, errors, reading, read, move |_, bytes| {
                if crate::domain::basic_data::image_extension(&bytes).is_none() {
                    errors.fields.set(field_error("image", Msg::UnsupportedFileType));
                } else {
                    upload.dispatch(base64::engine::general_purpose::STANDARD.encode(bytes));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="product-image">
            {move || {
                image
                    .get()
                    .map(|path| {
                        view! {
                            <img
                                class="preview"
                                src=format!("/media/{path}")
                                alt=T::Image.in_(l)
                                width="120"
                                height="120"
                                style="object-fit: contain"
                            />
                        }
                    })
            }}
            <Field label=T::Image name="image" errors>
                <input
                    type="file"
                    name="image"
                    accept="image/png,image/jpeg,image/webp"
                    disabled=move || busy.get()
                    on:change=on_pick
                />
            </Field>
            <p class="hint">{format!("{} {IMAGE_MAX_KB} KB", T::ImageHint.in_(l))}</p>
            <Show when=move || busy.get()>
                <p class="loading">{T::Loading.in_(l)}</p>
            </Show>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
        </div>
    }
}

// ---------- CSV import ----------

/// One refusal of an imported row, flattened for the report table.
#[derive(Clone, PartialEq)]
struct FailedCell {
    line: usize,
    field: String,
    msg: String,
}

/// The column an import error names, in the reader's language.
fn field_label(l: Locale, field: &str) -> String {
    let t = match field {
        "name" => T::Name,
        "brand_id" => T::Brand,
        "barcode" => T::Barcode,
        "specification" => T::Specification,
        "unit_price" => T::UnitPrice,
        "row" => T::Row,
        other => return other.to_string(),
    };
    t.in_(l).to_string()
}

/// Polls the job every 500 ms until it finishes (or the dialog is closed, which disposes
/// `job`); gives up after three failed polls in a row, or at once on a refusal.
fn poll(id: i64, job: RwSignal<Option<JobStatus>>, failed: RwSignal<Option<AppError>>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let mut misses = 0;
        loop {
            match crate::api::basic_data::get_job_status(id).await {
                Ok(s) => {
                    misses = 0;
                    let done = s.finished();
                    if job.try_set(Some(s)).is_some() || done {
                        break;
                    }
                }
                Err(e) => {
                    misses += 1;
                    if misses >= 3 || !matches!(e, AppError::Internal(_)) {
                        failed.set(Some(e));
                        break;
                    }
                }
            }
            if job.is_disposed() {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(500).await;
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, job, failed);
}

#[component]
fn ImportWizard(open: RwSignal<bool>, on_done: Callback<()>) -> impl IntoView {
    let l = use_locale();
    let step = RwSignal::new(0usize);
    // The chosen file: its name and text.
    let csv: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let reading = RwSignal::new(false);
    let errors = FormErrors::new();
    let job: RwSignal<Option<JobStatus>> = RwSignal::new(None);
    let poll_failed: RwSignal<Option<AppError>> = RwSignal::new(None);
    let start = Action::new(|csv: &String| {
        let csv = csv.clone();
        async move { import_products(csv).await }
    });
    Effect::new(move |_| match start.value().get() {
        Some(Ok(id)) => {
            step.set(1);
            poll(id, job, poll_failed);
        }
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    Effect::new(move |_| {
        if job.with(|j| j.as_ref().is_some_and(JobStatus::finished)) && step.get_untracked() == 1 {
            step.set(2);
            on_done.run(());
        }
    });

    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = picked_file(&ev, false) else { return };
            csv.set(None);
            let read = |f: web_sys::File| async move { file_text(&f).await };
            read_file(file, "file", crate::domain::basic_data::CSV_MAX_KB, l, errors, reading, read, move |file, t| {
                if t.contains('\u{FFFD}') {
                    errors.fields.set(field_error("file", Msg::Other(T::CsvNotUtf8.in_(l).into())));
                } else if t.trim().is_empty() {
                    errors.fields.set(field_error("file", Msg::Required));
                } else {
                    let t = t.strip_prefix('\u{FEFF}').map(str::to_string).unwrap_or(t);
                    csv.set(Some((file.name(), t)));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_import = move |_| {
        errors.clear();
        match csv.with_untracked(|c| c.as_ref().map(|(_, t)| t.clone())) {
            Some(t) => {
                start.dispatch(t);
            }
            None => errors.fields.set(field_error("file", Msg::Required)),
        }
    };
    let close = move |_| open.set(false);
    let steps = vec![T::StepChooseFile.in_(l).to_string(), T::StepImporting.in_(l).to_string(), T::StepReport.in_(l).to_string()];

    let choose = move || {
        view! {
            <p class="hint">{T::ImportCsvHint.in_(l)}</p>
            <Field label=T::CsvFile name="file" errors required=true>
                <input
                    type="file"
                    name="file"
                    accept=".csv,.txt,text/csv,text/plain"
                    disabled=move || reading.get() || start.pending().get()
                    on:change=on_pick
                />
            </Field>
            {move || {
                csv.with(|c| {
                    c.as_ref().map(|(name, t)| format!("{name} · {} {}", l.int(t.lines().count().saturating_sub(1) as i64), T::ItemsUnit.in_(l)))
                })
                    .map(|s| view! { <p class="hint">{s}</p> })
            }}
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <div class="form-actions">
                <button type="button" class="btn" on:click=close>{T::Cancel.in_(l)}</button>
                <button
                    type="button"
                    class="btn primary"
                    disabled=move || csv.with(Option::is_none) || reading.get() || start.pending().get()
                    on:click=on_import
                >
                    {move || if start.pending().get() { T::Loading.in_(l) } else { T::Import.in_(l) }}
                </button>
            </div>
        }
    };
    let running = move || {
        view! {
            <ProgressBar
                percent=Signal::derive(move || job.with(|j| j.as_ref().map(JobStatus::percent).unwrap_or(0)))
                label=T::JobProgress.in_(l).to_string()
            />
            {move || {
                job.with(|j| j.as_ref().filter(|j| j.total > 0).map(|j| format!("{} / {}", l.int(j.progress), l.int(j.total))))
                    .map(|s| view! { <p class="hint">{s}</p> })
            }}
            <p class="hint">{T::ImportRunsInBackground.in_(l)}</p>
            {move || poll_failed.get().map(|e| view! { <ErrorLine error=e/> })}
            <div class="form-actions">
                <button type="button" class="btn" on:click=close>{T::Close.in_(l)}</button>
            </div>
        }
    };
    let report = move || {
        let status = job.get();
        let body = match status {
            Some(JobStatus { status: JobState::Done, result: Some(v), .. }) => match serde_json::from_value::<ImportReport>(v) {
                Ok(r) => report_view(l, r).into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
            },
            Some(j) => {
                let why = j.error.unwrap_or_default();
                view! { <p class="form-error" role="alert">{format!("{}: {why}", T::JobFailed.in_(l))}</p> }.into_any()
            }
            None => ().into_any(),
        };
        view! {
            {body}
            <div class="form-actions">
                <button type="button" class="btn primary" on:click=close>{T::Close.in_(l)}</button>
            </div>
        }
    };
    view! {
        <WizardSteps steps current=step/>
        {move || match step.get() {
            0 => choose().into_any(),
            1 => running().into_any(),
            _ => report().into_any(),
        }}
    }
}

fn report_view(l: Locale, r: ImportReport) -> impl IntoView {
    let rows: Vec<FailedCell> = r
        .failed
        .iter()
        .flat_map(|row| {
            row.errors.iter().map(move |e| FailedCell { line: row.line, field: field_label(l, &e.field), msg: e.msg.render(l) })
        })
        .collect();
    let failed_rows = r.failed.len();
    let colon = if l == Locale::Zh { "：" } else { ": " };
    let cols = vec![
        Col::new(T::Row, text(|c: &FailedCell| c.line.to_string())).sorted(|c| SortKey::Num(c.line as i64)),
        Col::new(T::FieldName, text(|c: &FailedCell| c.field.clone())).sorted(|c| SortKey::Text(c.field.clone())),
        Col::new(T::Reason, text(|c: &FailedCell| c.msg.clone())),
    ];
    view! {
        <h3>{T::ImportReport.in_(l)}</h3>
        <p class="import-summary">
            <span class="imported">{T::Imported.in_(l)}{colon}<strong>{l.int(r.imported as i64)}</strong></span>
            " · "
            <span class="failed">{T::Failed.in_(l)}{colon}<strong>{l.int(failed_rows as i64)}</strong></span>
        </p>
        {(!rows.is_empty()).then(|| view! { <DataTable rows=Signal::stored(rows) cols paged=true/> })}
    }
}
