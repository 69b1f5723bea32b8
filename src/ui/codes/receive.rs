//! 码包接收 and delivery pages: the receiver page (/codes/receive) listing the packages sent to
//! me, the extraction page (/codes/receive/:token) where the extraction code opens the
//! downloads, and [`DeliverySection`] on a package's detail page (send to receivers, history).

use crate::api::code_delivery::{extract, load_delivery, open_extraction, received_packages, refresh_grant, send_package};
use crate::domain::access::{Function, Level};
use crate::domain::code_delivery::*;
use crate::error::AppError;
use crate::i18n::{Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Bytes as KB / MB / GB.
fn file_size(bytes: Option<i64>) -> String {
    let Some(b) = bytes else { return "—".into() };
    let b = b as f64;
    match b {
        _ if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        _ if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        _ if b >= 1e3 => format!("{:.1} KB", b / 1e3),
        _ => format!("{b} B"),
    }
}

fn serial_range(l: Locale, b: &BatchDelivery) -> String {
    format!("{} – {}", l.int(i64::from(b.serial_start)), l.int(i64::from(b.serial_end)))
}

/// The link's validity: its end, marked once past.
fn validity(l: Locale, expires_at: Option<chrono::DateTime<chrono::Utc>>) -> AnyView {
    match expires_at {
        None => "—".into_any(),
        Some(t) if t <= chrono::Utc::now() => view! {
            <span>{l.datetime(&t)} " " <span class="badge off">{tr(T::DlExpired)}</span></span>
        }
        .into_any(),
        Some(t) => l.datetime(&t).into_any(),
    }
}

#[component]
pub fn ReceivePage() -> impl IntoView {
    let l = use_locale();
    let packages = Resource::new(|| (), |_| received_packages());
    let cols = move || {
        vec![
            Col::new(T::DlPackageId, text(|p: &ReceivedPackage| p.id.to_string())).sorted(|p| SortKey::Num(p.id)),
            Col::new(T::DlPackageName, text(|p: &ReceivedPackage| p.name.clone())).sorted(|p| SortKey::Text(p.name.clone())),
            Col::new(T::DlCodeCount, text(move |p: &ReceivedPackage| l.int(i64::from(p.code_count)))),
            Col::new(T::DlFileCount, text(|p: &ReceivedPackage| p.file_count.to_string())),
            Col::new(T::DlSentAt, text(move |p: &ReceivedPackage| p.sent_at.map(|t| l.datetime(&t)).unwrap_or_default()))
                .sorted(|p| SortKey::Num(p.sent_at.map(|t| t.timestamp()).unwrap_or_default())),
            Col::new(T::DlValidUntil, move |p: &ReceivedPackage| validity(l, p.expires_at)),
            Col::new(T::DlDownloadsLeft, |p: &ReceivedPackage| {
                let left = p.batches.iter().map(|b| format!("{}: {}", b.batch_no, b.downloads_left())).collect::<Vec<_>>().join(" · ");
                let title = left.clone();
                view! { <span class="ellipsis" title=title>{left}</span> }.into_any()
            }),
            Col::new(T::Actions, |p: &ReceivedPackage| {
                let valid = p.link_valid(chrono::Utc::now());
                let href = format!("/codes/receive/{}", p.id);
                valid.then(|| view! { <A href=href>{tr(T::DlExtract)}</A> }).into_any()
            }),
        ]
    };
    view! {
        <PageHeader title=tr(T::DlReceiveTitle).to_string()/>
        <p class="hint">{tr(T::DlReceiveHint)}</p>
        {loaded(packages, move |rows| view! { <DataTable rows=Signal::stored(rows) cols=cols() paged=true/> })}
    }
}

#[component]
pub fn ExtractionPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let info = Resource::new(move || key.get(), open_extraction);
    view! {
        <PageHeader title=tr(T::DlExtractTitle).to_string()>
            <A href="/codes/receive">{tr(T::DlBackToList)}</A>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! { <Extraction info key=key.get_untracked()/> }.into_any(),
                    // An unknown link, or one a newer send replaced.
                    Err(AppError::NotFound) => view! { <p class="form-error" role="alert">{tr(T::DlLinkNotFound)}</p> }.into_any(),
                    // Expired, not a receiver, another enterprise …: the message says which.
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The package, then the code form; once the code is right, the downloads.
#[component]
fn Extraction(info: ExtractionInfo, key: String) -> impl IntoView {
    let l = use_locale();
    let grant: RwSignal<Option<Grant>> = RwSignal::new(None);
    let code = RwSignal::new(String::new());
    let save = SaveForm::new(extract, move |g: Grant| grant.set(Some(g)));
    let key = StoredValue::new(key);
    let row = |label: T, value: String| view! { <dt>{tr(label)}</dt> <dd>{value}</dd> };
    view! {
        <section class="card">
            <dl class="details">
                {row(T::DlPackageId, info.package_id.to_string())}
                {row(T::DlPackageName, info.name.clone())}
                {row(T::DlCodeCount, l.int(i64::from(info.code_count)))}
                {row(T::DlFileCount, info.file_count.to_string())}
                {row(T::DlSentAt, info.sent_at.map(|t| l.datetime(&t)).unwrap_or_default())}
                {row(T::DlValidUntil, l.datetime(&info.expires_at))}
            </dl>
        </section>
        {move || match grant.get() {
            Some(g) => view! { <Downloads grant=g/> }.into_any(),
            None => {
                let errors = save.errors;
                let on_submit = save.on_submit(ExtractInput::validate, move || ExtractInput {
                    key: key.get_value(),
                    code: code.get_untracked(),
                });
                view! {
                    <form class="card extraction" on:submit=on_submit novalidate>
                        <TextField
                            label=T::DlCode
                            name="code"
                            value=code
                            errors
                            required=true
                            maxlength=CODE_LEN + 2
                            placeholder=tr(T::DlCodeHint)
                        />
                        <Show when=move || errors.form.get().is_some()>
                            <p class="form-error" role="alert">{move || errors.form.get()}</p>
                        </Show>
                        <div class="form-actions">
                            <button type="submit" class="btn primary" disabled=move || save.pending().get()>
                                {move || if save.pending().get() { tr(T::Loading) } else { tr(T::DlExtract) }}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            }
        }}
    }
}

/// An open grant's batches with their download links. Counts change as files are fetched:
/// they are fetched again shortly after a download starts, and on "Refresh".
#[component]
fn Downloads(grant: Grant) -> impl IntoView {
    let l = use_locale();
    let token = grant.token.clone();
    let batches = RwSignal::new(grant.batches.clone());
    let refresh = Action::new(move |t: &String| refresh_grant(t.clone()));
    Effect::new(move |_| match refresh.value().get() {
        Some(Ok(g)) => batches.set(g.batches),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    let token_for_refresh = StoredValue::new(token.clone());
    let refresh_soon = move || {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(2000).await;
            refresh.dispatch(token_for_refresh.get_value());
        });
    };
    let cols = {
        let token = token.clone();
        vec![
            Col::new(T::DlBatch, text(|b: &BatchDelivery| b.batch_no.to_string())),
            Col::new(T::DlFileName, text(|b: &BatchDelivery| b.file_name.clone())),
            Col::new(T::DlSerialRange, text(move |b: &BatchDelivery| serial_range(l, b))),
            Col::new(T::DlFileSize, text(|b: &BatchDelivery| file_size(b.file_size))),
            Col::new(T::DlDownloadsUsed, text(|b: &BatchDelivery| format!("{} / {MAX_DOWNLOADS}", b.downloads))),
            Col::new(T::Actions, move |b: &BatchDelivery| {
                if b.downloads_left() == 0 {
                    return view! { <span class="hint">{tr(T::DlUsedUp)}</span> }.into_any();
                }
                // rel="external": a plain browser request, not a client-side route.
                view! {
                    <a class="btn small" href=download_path(&token, Some(b.batch_no)) rel="external" on:click=move |_| refresh_soon()>
                        {tr(T::DlDownload)}
                    </a>
                }
                .into_any()
            }),
        ]
    };
    let any_left = move || batches.with(|bs| bs.iter().any(|b| b.downloads_left() > 0));
    let all_href = download_path(&token, None);
    view! {
        <section class="card">
            <p class="hint">{tr(T::DlGrantUntil)} " " {l.datetime(&grant.expires_at)}</p>
            <DataTable rows=batches cols/>
            <div class="form-actions">
                <button class="btn" on:click=move |_| { refresh.dispatch(token_for_refresh.get_value()); }>{tr(T::DlRefresh)}</button>
                <Show when=any_left>
                    <a class="btn primary" href=all_href.clone() rel="external" title=tr(T::DlDownloadAllHint) on:click=move |_| refresh_soon()>
                        {tr(T::DlDownloadAll)}
                    </a>
                </Show>
            </div>
            <p class="hint">{tr(T::DlDownloadAllHint)}</p>
        </section>
    }
}

/// The package detail page's delivery part: receivers, sending (for CodePackages managers),
/// link validity and the extraction and download history, per batch. `on_sent` lets the page
/// reload the package (its status becomes "sent").
#[component]
pub fn DeliverySection(package_id: i64, #[prop(optional)] on_sent: Option<Callback<()>>) -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::CodePackages, Level::Manage);
    let reloads = RwSignal::new(0u32);
    let status = Resource::new(move || reloads.get(), move |_| load_delivery(package_id));
    let send = Action::new(move |version: &i32| send_package(package_id, *version));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(o)) => {
            toast(
                ToastKind::Ok,
                format!(
                    "{} — {} {}，{} {}",
                    T::DlSentNotice.in_(l),
                    T::DlFileReceivers.in_(l),
                    o.file_receivers,
                    T::DlPasswordReceivers.in_(l),
                    o.password_receivers
                ),
            );
            reloads.update(|n| *n += 1);
            if let Some(cb) = on_sent {
                cb.run(());
            }
        }
        Some(Err(e)) => {
            toast_error(&e);
            // A stale version: show the current state.
            reloads.update(|n| *n += 1);
        }
        None => {}
    });
    let confirm = RwSignal::new(false);
    let confirm_text = RwSignal::new(String::new());
    let version = RwSignal::new(0);
    view! {
        <section class="card delivery" data-section="delivery">
            <h2>{tr(T::DlSection)}</h2>
            {loaded(status, move |s: DeliveryStatus| {
                let resend = s.status == "sent";
                let ask = move |_| {
                    version.set(s.version);
                    confirm_text.set(tr(if resend { T::DlConfirmResend } else { T::DlConfirmSend }).to_string());
                    confirm.set(true);
                };
                let send_button = (manage && s.sendable()).then(|| view! {
                    <button class="btn primary" disabled=move || send.pending().get() on:click=ask>
                        {tr(if resend { T::DlResend } else { T::DlSend })}
                    </button>
                });
                let row = |label: T, value: AnyView| view! { <dt>{tr(label)}</dt> <dd>{value}</dd> };
                let sent = match (s.sent_at, &s.sent_by) {
                    (Some(t), by) => format!("{} {}", l.datetime(&t), by.clone().unwrap_or_default()).into_any(),
                    (None, _) => tr(T::DlNotSent).into_any(),
                };
                view! {
                    <dl class="details">
                        {row(T::DlFileReceivers, s.file_receivers.join("、").into_any())}
                        {row(T::DlPasswordReceivers, s.password_receivers.join("、").into_any())}
                        {row(T::DlSentAt, sent)}
                        {row(T::DlValidUntil, validity(l, s.expires_at))}
                    </dl>
                    {(!s.sendable()).then(|| view! { <p class="hint">{tr(T::DlSendWhenGenerated)}</p> })}
                    <div class="form-actions">{send_button}</div>
                    <History batches=s.batches.iter().map(|b| b.batch_no).collect() events=s.events/>
                }
            })}
            <ConfirmDialog
                open=confirm
                title=T::DlConfirmSendTitle
                text=confirm_text
                on_confirm=Callback::new(move |_| {
                    send.dispatch(version.get_untracked());
                })
            />
        </section>
    }
}

/// The delivery history, all batches or one: a batch's downloads plus the sends and
/// extractions, which concern every batch.
#[component]
fn History(batches: Vec<i32>, events: Vec<DeliveryEvent>) -> impl IntoView {
    let l = use_locale();
    let batch: RwSignal<Option<i32>> = RwSignal::new(None);
    let events = StoredValue::new(events);
    let rows = Signal::derive(move || {
        let b = batch.get();
        events.with_value(|ev| ev.iter().filter(|e| b.is_none() || e.batch_no.is_none() || e.batch_no == b).cloned().collect::<Vec<_>>())
    });
    let kind = |k: DeliveryEventKind| match k {
        DeliveryEventKind::Send => T::DlEventSend,
        DeliveryEventKind::Extract => T::DlEventExtract,
        DeliveryEventKind::WrongCode => T::DlEventWrongCode,
        DeliveryEventKind::Download => T::DlEventDownload,
    };
    let cols = vec![
        Col::new(T::Time, text(move |e: &DeliveryEvent| l.datetime(&e.at))),
        Col::new(T::DlEvent, move |e: &DeliveryEvent| view! { <span data-event=e.kind.key()>{tr(kind(e.kind))}</span> }.into_any()),
        Col::new(T::DlBatch, text(|e: &DeliveryEvent| e.batch_no.map(|b| b.to_string()).unwrap_or_else(|| "—".into()))),
        Col::new(T::User, text(|e: &DeliveryEvent| e.user_name.clone().unwrap_or_else(|| "—".into()))),
        Col::new(T::DlIp, text(|e: &DeliveryEvent| e.ip.clone())),
    ];
    view! {
        <div class="page-header">
            <h2>{tr(T::DlHistory)}</h2>
            <select aria-label=tr(T::DlBatch) on:change=move |ev| batch.set(event_target_value(&ev).parse().ok())>
                <option value="">{tr(T::DlAllBatches)}</option>
                {batches
                    .into_iter()
                    .map(|b| view! { <option value=b.to_string()>{format!("{} {b}", tr(T::DlBatch))}</option> })
                    .collect_view()}
            </select>
        </div>
        <DataTable rows cols paged=true/>
    }
}
