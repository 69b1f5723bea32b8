//! 设置 → 下载中心: the signed-in person's own exports (scrap lists, code query results …),
//! with their job's progress while being prepared, and the download link for 7 days.

use crate::api::exports::my_exports;
use crate::domain::page::PageReq;
use crate::domain::warnings::{human_size, ExportItem, ExportState};
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn DownloadsPage() -> impl IntoView {
    let l = use_locale();
    let page = RwSignal::new(1i64);
    let size = RwSignal::new(PageReq::default().size);
    let reloads = RwSignal::new(0u32);
    let exports = Resource::new(move || (page.get(), size.get(), reloads.get()), |(page, size, _)| my_exports(PageReq { page, size }));

    // While an export is being prepared, look again every two seconds.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let pending = exports
            .get()
            .and_then(Result::ok)
            .is_some_and(|p| p.items.iter().any(|i| matches!(i.state, ExportState::Queued | ExportState::Running)));
        if pending {
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(2000).await;
                reloads.try_update(|n| *n += 1);
            });
        }
    });

    let cols = move || {
        vec![
            Col::new(T::CreatedAt, text(move |x: &ExportItem| l.datetime(&x.created_at))),
            Col::new(T::ExportFile, text(|x: &ExportItem| x.title.clone())),
            Col::new(T::ExportKindCol, text(move |x: &ExportItem| x.kind.label(l).to_string())),
            Col::new(T::Status, move |x: &ExportItem| match x.state {
                ExportState::Queued => view! { <span class="badge">{tr(T::ExportQueued)}</span> }.into_any(),
                ExportState::Running => {
                    let percent = x.percent;
                    view! { <ProgressBar percent=Signal::stored(percent) label=tr(T::ExportRunning).to_string()/> }.into_any()
                }
                ExportState::Ready => view! { <span class="badge ok">{tr(T::ExportReady)}</span> }.into_any(),
                ExportState::Failed => {
                    let why = x.error.clone().unwrap_or_default();
                    view! { <span class="badge off" title=why>{tr(T::Failed)}</span> }.into_any()
                }
                ExportState::Expired => view! { <span class="badge">{tr(T::ExportExpired)}</span> }.into_any(),
            }),
            Col::new(T::ExportRows, text(move |x: &ExportItem| x.rows.map(|n| l.int(n)).unwrap_or_default())),
            Col::new(T::FileSize, text(|x: &ExportItem| x.file_size.map(human_size).unwrap_or_default())),
            Col::new(T::ExpiresAt, text(move |x: &ExportItem| l.datetime(&x.expires_at))),
            Col::new(T::Actions, |x: &ExportItem| {
                (x.state == ExportState::Ready)
                    .then(|| view! { <a class="btn small" href=x.href() download="" rel="nofollow">{tr(T::Download)}</a> })
                    .into_any()
            }),
        ]
    };

    view! {
        <PageHeader title=tr(T::DownloadCentre).to_string()>
            <button class="btn" on:click=move |_| reloads.update(|n| *n += 1)>{tr(T::Refresh)}</button>
        </PageHeader>
        <p class="hint">{tr(T::DownloadsHint)}</p>
        {loaded(exports, move |p| {
            view! {
                <DataTable rows=Signal::stored(p.items) cols=cols()/>
                <Pager page size total=Signal::stored(p.total)/>
            }
        })}
    }
}
