//! The consumer's points: balance and ledger (`/c/points?e=<id>`).

use super::prizes::{use_enterprise_param, ConsumerLinks};
use crate::api::consumer_prizes::my_points;
use crate::domain::play::{MyPoints, PointsEntry};
use crate::i18n::T;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

fn reason_label(reason: &str) -> Option<T> {
    match reason {
        "prize" => Some(T::CsReasonPrize),
        "redeem" => Some(T::CsReasonRedeem),
        "adjust" => Some(T::CsReasonAdjust),
        "merge" => Some(T::CsReasonMerge),
        _ => None,
    }
}

#[component]
pub fn MyPointsPage() -> impl IntoView {
    let e = use_enterprise_param();
    let points = Resource::new(
        move || e.get(),
        |e| async move {
            match e {
                Some(e) => my_points(e).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=tr(T::CsMyPoints)/>
        <main class="c-page">
            <header class="c-page-head">
                <h1>{tr(T::CsMyPoints)}</h1>
            </header>
            <Suspense fallback=|| view! { <p class="panel">{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match points.await {
                        Ok(Some(p)) => view! { <PointsView points=p/> }.into_any(),
                        Ok(None) => view! { <p class="panel form-error" role="alert">{tr(T::CsBadLink)}</p> }.into_any(),
                        Err(err) => view! { <p class="panel form-error" role="alert">{err.render(use_locale())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || e.get().map(|id| view! { <ConsumerLinks enterprise_id=id/> })}
        </main>
    }
}

#[component]
fn PointsView(points: MyPoints) -> impl IntoView {
    let l = use_locale();
    let entries = if points.entries.is_empty() {
        view! { <p class="c-empty" data-test="no-ledger">{tr(T::CsNoLedger)}</p> }.into_any()
    } else {
        view! {
            <ul class="c-ledger" data-test="ledger">
                {points.entries.into_iter().map(|x| view! { <LedgerRow entry=x/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="panel c-balance">
            <p class="hint">{tr(T::CsBalance)}</p>
            <p class="c-balance-value" data-test="points-balance" data-balance=points.balance.to_string()>
                {l.int(i64::from(points.balance))}
            </p>
        </section>
        <section class="panel">
            <h2>{tr(T::CsLedger)}</h2>
            {entries}
        </section>
    }
}

#[component]
fn LedgerRow(entry: PointsEntry) -> impl IntoView {
    let l = use_locale();
    let label = reason_label(&entry.reason).map(|t| tr(t).to_string()).unwrap_or_else(|| entry.reason.clone());
    let (class, sign) = if entry.delta >= 0 { ("c-delta plus", "+") } else { ("c-delta minus", "") };
    view! {
        <li data-reason=entry.reason.clone()>
            <div class="c-ledger-what">
                <strong>{label}</strong>
                {(!entry.note.is_empty()).then(|| view! { <span class="hint">{entry.note.clone()}</span> })}
                <span class="hint">{l.datetime(&entry.at)}</span>
            </div>
            <div class="c-ledger-amount">
                <span class=class data-delta=entry.delta.to_string()>{sign} {l.int(i64::from(entry.delta))}</span>
                <span class="hint">{l.int(i64::from(entry.balance))}</span>
            </div>
        </li>
    }
}
