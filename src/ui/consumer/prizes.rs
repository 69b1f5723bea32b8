//! The consumer's prizes: claim (address for goods), coupon codes, claim deadlines.
//!
//! [`PrizeCard`] is the one claim component: the scan page's result and `/c/prizes?e=<id>` both
//! show won prizes with it.

use super::play::random_key;
use crate::api::consumer_prizes::{claim, my_prizes};
use crate::domain::basic_data::PROVINCES;
use crate::domain::campaign::PrizeKind;
use crate::domain::play::{Address, WinStatus, WonPrize};
use crate::i18n::T;
use crate::ui::widgets::{Field, SaveForm};
use crate::ui::{tr, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn kind_label(k: PrizeKind) -> T {
    match k {
        PrizeKind::Points => T::CsKindPoints,
        PrizeKind::Coupon => T::CsKindCoupon,
        PrizeKind::Goods => T::CsKindGoods,
        PrizeKind::Cash => T::CsKindCash,
        PrizeKind::Thanks => T::CsKindThanks,
    }
}

fn status_label(s: WinStatus) -> T {
    match s {
        WinStatus::Unclaimed => T::CsStatusUnclaimed,
        WinStatus::Claimed => T::CsStatusClaimed,
        WinStatus::Expired => T::CsStatusExpired,
    }
}

/// The enterprise of a `/c/…?e=<id>` page.
pub fn use_enterprise_param() -> Memo<Option<i64>> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get("e").and_then(|v| v.parse::<i64>().ok()))
}

/// The consumer's pages of one brand: my prizes, my points, my profile.
#[component]
pub fn ConsumerLinks(enterprise_id: i64) -> impl IntoView {
    view! {
        <nav class="c-links">
            <a href=format!("/c/prizes?e={enterprise_id}") data-test="my-prizes">{tr(T::CsMyPrizes)}</a>
            <a href=format!("/c/points?e={enterprise_id}") data-test="my-points">{tr(T::CsMyPoints)}</a>
            <a href=format!("/c/profile?e={enterprise_id}") data-test="my-profile">{tr(T::CsProfile)}</a>
        </nav>
    }
}

/// A won prize: what it is, its state, and its claim (a button, or the address form for goods).
/// The claim key is made once per card, so a double click or a retry claims once.
#[component]
pub fn PrizeCard(won: WonPrize, #[prop(optional)] show_campaign: bool) -> impl IntoView {
    let l = use_locale();
    let prize = RwSignal::new(won.clone());
    let win_id = won.win_id;
    let key: StoredValue<Option<String>> = StoredValue::new(None);
    let form = SaveForm::new(
        move |address: Option<Address>| {
            let k = key.try_update_value(|k| k.get_or_insert_with(random_key).clone()).unwrap_or_default();
            claim(win_id, k, address)
        },
        move |w: WonPrize| prize.set(w),
    );
    let errors = form.errors;
    let pending = form.pending();
    let image = won.image.clone().map(|src| view! { <img class="c-prize-img" src=src alt=won.name.clone()/> });
    let campaign =
        show_campaign.then(|| view! { <p class="c-prize-campaign">{won.campaign_name.clone()} " · " {l.datetime(&won.won_at)}</p> });
    let kind = won.kind;
    view! {
        <article
            class="c-prize"
            data-test="prize"
            data-win=win_id.to_string()
            data-kind=kind.key()
            data-status=move || prize.with(|p| p.status.key())
        >
            {image}
            <div class="c-prize-body">
                <h3 data-test="prize-name">{won.name.clone()}</h3>
                <p class="c-prize-tags">
                    <span class="badge">{tr(kind_label(kind))}</span>
                    " "
                    {move || {
                        let s = prize.with(|p| p.status);
                        let class = match s {
                            WinStatus::Unclaimed => "badge warn",
                            WinStatus::Claimed => "badge ok",
                            WinStatus::Expired => "badge off",
                        };
                        view! { <span class=class data-test="prize-status">{tr(status_label(s))}</span> }
                    }}
                    {(kind == PrizeKind::Points && won.points > 0).then(|| view! { " " <span class="badge">"+" {won.points}</span> })}
                </p>
                {campaign}
                {move || {
                    let p = prize.get();
                    claim_part(p, form, l).into_any()
                }}
                <Show when=move || errors.form.get().is_some()>
                    <p class="form-error" role="alert" data-test="claim-error">{move || errors.form.get()}</p>
                </Show>
                <Show when=move || pending.get()>
                    <p class="hint">{tr(T::CsClaiming)}</p>
                </Show>
            </div>
        </article>
    }
}

/// The lower part of a prize card for its current state.
fn claim_part(p: WonPrize, form: SaveForm<Option<Address>, WonPrize>, l: crate::i18n::Locale) -> impl IntoView {
    let pending = form.pending();
    let deadline = p.claim_deadline.filter(|_| p.status == WinStatus::Unclaimed).map(|d| {
        view! {
            <p class="c-deadline" data-test="claim-deadline">
                {tr(T::CsClaimBefore)} " " <strong>{l.datetime(&d)}</strong> " " {tr(T::CsClaimBeforeEnd)}
            </p>
        }
    });
    let body = match (p.kind, p.status) {
        // A claimed cash prize goes to the payout export; the brand's own system pays it.
        (PrizeKind::Cash, WinStatus::Claimed) => {
            view! { <p class="c-claimed" data-test="claimed">{tr(T::CsCashRecorded)}</p> }.into_any()
        }
        (PrizeKind::Points, WinStatus::Claimed) => {
            view! { <p class="c-claimed" data-test="claimed">{tr(T::CsPointsCredited)} " +" {p.points}</p> }.into_any()
        }
        (PrizeKind::Coupon, WinStatus::Claimed) => view! {
            <div class="c-claimed" data-test="claimed">
                <p>
                    {tr(T::CsCouponCode)} " " <code class="c-coupon" data-test="coupon-code">{p.coupon_code.clone().unwrap_or_default()}</code>
                </p>
                {p.coupon_valid_to.map(|t| view! { <p class="hint">{tr(T::CsCouponValidTo)} " " {l.datetime(&t)}</p> })}
            </div>
        }
        .into_any(),
        (PrizeKind::Goods, WinStatus::Claimed) => {
            let a = p.address.clone().unwrap_or_default();
            view! {
                <div class="c-claimed" data-test="claimed">
                    <p class="hint">{tr(T::CsShipTo)}</p>
                    <p data-test="address">
                        {a.name} " " {a.mobile} <br/> {a.province} " " {a.city} " " {a.detail}
                    </p>
                </div>
            }
            .into_any()
        }
        (PrizeKind::Goods, WinStatus::Unclaimed) => view! { <AddressForm form/> }.into_any(),
        (PrizeKind::Points | PrizeKind::Coupon | PrizeKind::Cash, WinStatus::Unclaimed) => view! {
            <button
                type="button"
                class="btn primary wide c-claim"
                data-test="claim"
                disabled=move || pending.get()
                on:click=move |_| form.submit(None, |_| Ok(()))
            >
                {tr(T::CsClaim)}
            </button>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        {deadline}
        {body}
    }
}

/// Where goods go: checked in the browser with the same rule the server runs, then claimed.
#[component]
fn AddressForm(form: SaveForm<Option<Address>, WonPrize>) -> impl IntoView {
    let errors = form.errors;
    let pending = form.pending();
    let name = RwSignal::new(String::new());
    let mobile = RwSignal::new(String::new());
    let province = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let on_submit = form.on_submit(
        |a: &Option<Address>| a.as_ref().map_or(Ok(()), Address::validate),
        move || {
            Some(Address {
                name: name.get_untracked().trim().to_string(),
                mobile: mobile.get_untracked().trim().to_string(),
                province: province.get_untracked(),
                city: city.get_untracked().trim().to_string(),
                detail: detail.get_untracked().trim().to_string(),
            })
        },
    );
    view! {
        <form class="c-address" on:submit=on_submit>
            <Field label=T::CsAddrName name="address.name" errors required=true>
                <input type="text" name="name" autocomplete="name" maxlength="30" bind:value=name/>
            </Field>
            <Field label=T::CsAddrMobile name="address.mobile" errors required=true>
                <input type="tel" name="mobile" inputmode="numeric" autocomplete="tel" maxlength="11" bind:value=mobile/>
            </Field>
            <Field label=T::CsAddrProvince name="address.province" errors required=true>
                <select name="province" on:change=move |ev| province.set(event_target_value(&ev)) prop:value=move || province.get()>
                    <option value="">"—"</option>
                    {PROVINCES.iter().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                </select>
            </Field>
            <Field label=T::CsAddrCity name="address.city" errors required=true>
                <input type="text" name="city" maxlength="30" bind:value=city/>
            </Field>
            <Field label=T::CsAddrDetail name="address.detail" errors required=true>
                <input type="text" name="detail" autocomplete="street-address" maxlength="120" bind:value=detail/>
            </Field>
            <button type="submit" class="btn primary wide c-claim" data-test="claim" disabled=move || pending.get()>
                {tr(T::CsAddrSubmit)}
            </button>
        </form>
    }
}

/// `/c/prizes?e=<id>`: every prize this device's consumer won from the brand, newest first.
#[component]
pub fn MyPrizesPage() -> impl IntoView {
    let e = use_enterprise_param();
    let prizes = Resource::new(
        move || e.get(),
        |e| async move {
            match e {
                Some(e) => my_prizes(e).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=tr(T::CsMyPrizes)/>
        <main class="c-page">
            <header class="c-page-head">
                <h1>{tr(T::CsMyPrizes)}</h1>
            </header>
            <Suspense fallback=|| view! { <p class="panel">{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match prizes.await {
                        Ok(Some(list)) if list.is_empty() => {
                            view! { <p class="panel c-empty" data-test="no-prizes">{tr(T::CsNoPrizes)}</p> }.into_any()
                        }
                        Ok(Some(list)) => view! {
                            <div class="c-prize-list" data-test="prize-list">
                                {list.into_iter().map(|won| view! { <PrizeCard won show_campaign=true/> }).collect_view()}
                            </div>
                        }
                        .into_any(),
                        Ok(None) => view! { <p class="panel form-error" role="alert">{tr(T::CsBadLink)}</p> }.into_any(),
                        Err(err) => view! { <p class="panel form-error" role="alert">{err.render(use_locale())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || e.get().map(|id| view! { <ConsumerLinks enterprise_id=id/> })}
        </main>
    }
}
