//! The consumer's page behind a scanned code: `/s/<code>` (and `/S/<code>`, as QR alphanumeric
//! mode prints it) on a phone, no sign-in.
//!
//! The verdict is loaded by a blocking resource, so the server renders it before sending the
//! page: a code whose spec lands on the brand's own page is redirected by the server (302)
//! rather than after the page loads (the browser also redirects, should the server not).
//! [`VerificationResult`] takes children shown under a genuine code: the campaign's page.
//!
//! One scan is recorded per page load, from the browser: the server renders the verdict with
//! the read-only `scan_code` (so the first paint has it, and a brand-page spec is redirected
//! with a 302), then the hydrated page asks for the phone's location (given up after 3 s) and
//! calls `consumer_scan` once with it. That call records the scan and answers the
//! anti-counterfeit signal and the campaign offer. Recording it during server rendering
//! instead would lose the location, which only the browser knows.

use crate::api::scan::{check_pin, scan_code};
use crate::domain::play::ScanOutcome;
use crate::domain::scan::{check_pin_format, Genuine, PinVerified, ScanResult};
use crate::error::AppError;
use crate::i18n::T;
use crate::ui::consumer::play::CampaignPage;
use crate::ui::consumer::prizes::ConsumerLinks;
use crate::ui::widgets::{Field, FormErrors, SaveForm};
use crate::ui::{tr, use_locale};
use leptos::prelude::*;
use leptos_meta::{Style, Title};
use leptos_router::hooks::use_params_map;

/// Mobile styles of this page only (it lives outside the console's layouts).
const CSS: &str = r#"
.scan-page { max-width: 480px; margin: 0 auto; min-height: 100vh; padding: 16px; background: #f6f8fa;
  font-size: 17px; line-height: 1.55; color: #1f2328; box-sizing: border-box; }
.scan-page .scan-top, .scan-page .scan-foot { text-align: center; color: #57606a; font-size: 14px; margin: 6px 0 16px; }
.scan-page .scan-foot { margin-top: 28px; }
.scan-page .panel { background: #fff; border-radius: 14px; padding: 22px 20px; margin-bottom: 14px;
  box-shadow: 0 2px 12px rgba(0,0,0,.06); }
.scan-page .verdict { text-align: center; }
.scan-page .mark { width: 76px; height: 76px; border-radius: 50%; margin: 4px auto 12px; display: flex;
  align-items: center; justify-content: center; font-size: 42px; font-weight: 700; color: #fff; }
.scan-page .genuine .mark { background: #1a7f37; }
.scan-page .invalid .mark { background: #cf222e; }
.scan-page .not-activated .mark { background: #bf8700; }
.scan-page .scrapped .mark { background: #6e7781; }
.scan-page h1 { font-size: 28px; margin: 0 0 8px; }
.scan-page h2 { font-size: 19px; margin: 0 0 10px; }
.scan-page .verdict p { margin: 0; color: #424a53; }
.scan-page .code { font-family: ui-monospace, monospace; font-size: 14px; color: #57606a; margin-top: 12px; word-break: break-all; }
.scan-page .product img { display: block; width: 100%; max-height: 280px; object-fit: contain; border-radius: 10px; margin-bottom: 12px; }
.scan-page dl { display: grid; grid-template-columns: auto 1fr; gap: 10px 16px; margin: 0; }
.scan-page dt { color: #57606a; }
.scan-page dd { margin: 0; font-weight: 600; text-align: right; word-break: break-word; }
.scan-page .pin input { box-sizing: border-box; width: 100%; font-size: 30px; letter-spacing: .35em; text-align: center;
  padding: 10px; border: 1px solid #d0d7de; border-radius: 10px; }
.scan-page .pin .btn { width: 100%; font-size: 18px; padding: 12px; margin-top: 12px; border-radius: 10px; }
.scan-page .pin .field-error { font-size: 15px; }
.scan-page .pin-ok { color: #1a7f37; font-weight: 600; margin: 0 0 10px; }
.scan-page .warn { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 10px; padding: 10px 12px; margin: 12px 0 0; }
.scan-page .go { display: block; text-align: center; margin-top: 14px; font-size: 18px; }
"#;

#[component]
pub fn ScanPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let verdict = Resource::new_blocking(code, scan_code);
    let raw = move || params.read_untracked().get("code").unwrap_or_default();
    view! {
        <Title text=tr(T::ScanPageTitle)/>
        <Style>{CSS}</Style>
        <main class="scan-page">
            <header class="scan-top">{tr(T::ScanPageTitle)}</header>
            <Suspense fallback=|| view! { <p class="panel">{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match verdict.await {
                        Ok(result @ ScanResult::Genuine(_)) => {
                            let outcome = record_scan(raw());
                            view! {
                                <VerificationResult result outcome>
                                    <CampaignPart outcome/>
                                </VerificationResult>
                            }
                            .into_any()
                        }
                        Ok(result @ (ScanResult::NotActivated | ScanResult::Scrapped)) => {
                            // Recorded too: scans of scrapped or unactivated codes are the
                            // brand's counterfeit evidence; the page shows only the verdict.
                            record_scan(raw());
                            view! { <VerificationResult result/> }.into_any()
                        }
                        Ok(result) => view! { <VerificationResult result/> }.into_any(),
                        Err(e) => view! { <p class="panel form-error" role="alert">{e.render(use_locale())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <footer class="scan-foot">{tr(T::AppName)}</footer>
        </main>
    }
}

/// The verdict on a code, and for a genuine one its product and PIN check; `children` (e.g. a
/// campaign's draw) appear under a genuine code only.
#[component]
pub fn VerificationResult(
    result: ScanResult,
    /// The recorded scan, whose anti-counterfeit signal shows under the product.
    #[prop(optional)]
    outcome: Option<Outcome>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let (class, mark, title, text) = match &result {
        ScanResult::Invalid => ("invalid", "✕", T::ScanInvalidTitle, T::ScanInvalidText),
        ScanResult::NotActivated => ("not-activated", "!", T::ScanNotActivatedTitle, T::ScanNotActivatedText),
        ScanResult::Scrapped => ("scrapped", "⊘", T::ScanScrappedTitle, T::ScanScrappedText),
        ScanResult::Genuine(_) => ("genuine", "✓", T::ScanGenuineTitle, T::ScanGenuineText),
        ScanResult::Redirect { url } => return view! { <Redirecting url=url.clone()/> }.into_any(),
    };
    let genuine = match result {
        ScanResult::Genuine(g) => Some(g),
        _ => None,
    };
    let code = genuine.as_ref().map(|g| g.code.clone());
    view! {
        <section class=format!("panel verdict {class}") data-verdict=class>
            <div class="mark" aria-hidden="true">{mark}</div>
            <h1>{tr(title)}</h1>
            <p>{tr(text)}</p>
            {code.map(|c| view! { <div class="code">{tr(T::ScanCode)} " " {c}</div> })}
        </section>
        {genuine.map(|g| {
            view! {
                <ProductFacts genuine=g.clone()/>
                {outcome.map(|outcome| view! { <ScanSignal outcome/> })}
                {(g.pin_digits > 0).then(|| view! { <PinCheck code=g.code.clone() digits=g.pin_digits/> })}
                {children.map(|c| c())}
            }
        })}
    }
    .into_any()
}

/// The answer of the page's one recorded scan (`None` until the browser has it).
pub type Outcome = RwSignal<Option<Result<ScanOutcome, AppError>>>;

/// Records this page load's scan from the browser, with the phone's location when it is given
/// within 3 s (see the module comment).
fn record_scan(code: String) -> Outcome {
    let outcome: Outcome = RwSignal::new(None);
    // No signal is read here, so the effect runs once: in the browser, after hydration.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let code = code.clone();
        locate(move |location| {
            leptos::task::spawn_local(async move {
                outcome.try_set(Some(crate::api::consumer::consumer_scan(code, location).await));
            })
        });
    });
    // On the server the page renders waiting for it.
    #[cfg(not(feature = "hydrate"))]
    let _ = code;
    outcome
}

/// Asks the browser where the phone is and calls `done` once: with the location, or with
/// `None` when it is refused, unavailable or slower than 3 s (a permission prompt left open).
#[cfg(feature = "hydrate")]
fn locate(done: impl FnOnce(Option<crate::domain::play::Location>) + 'static) {
    use crate::domain::play::Location;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    type Done = Box<dyn FnOnce(Option<Location>)>;
    let once: RefCell<Option<Done>> = RefCell::new(Some(Box::new(done)));
    let finish: Rc<dyn Fn(Option<Location>)> = Rc::new(move |l| {
        if let Some(f) = once.borrow_mut().take() {
            f(l)
        }
    });
    let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else { return finish(None) };
    let f = finish.clone();
    let ok = Closure::once_into_js(move |p: web_sys::Position| {
        let c = p.coords();
        f(Some(Location { lat: c.latitude(), lng: c.longitude() }))
    });
    let f = finish.clone();
    let refused = Closure::once_into_js(move |_: wasm_bindgen::JsValue| f(None));
    let options = web_sys::PositionOptions::new();
    options.set_timeout(3000);
    options.set_maximum_age(600_000);
    if geo.get_current_position_with_error_callback_and_options(ok.unchecked_ref(), Some(refused.unchecked_ref()), &options).is_err() {
        return finish(None);
    }
    // The geolocation timeout does not count the time a permission prompt stays open.
    gloo_timers::callback::Timeout::new(3000, move || finish(None)).forget();
}

/// The anti-counterfeit signal: when and where the code was first scanned, and how often.
#[component]
fn ScanSignal(outcome: Outcome) -> impl IntoView {
    let l = use_locale();
    move || {
        let scan = outcome.with(|o| o.as_ref().and_then(|o| o.as_ref().ok()).and_then(|o| o.scan.clone()))?;
        let place = [scan.first_province.clone(), scan.first_city.clone()]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let place = if place.is_empty() { tr(T::CsUnknownPlace).to_string() } else { place };
        let suspicious = scan.scans > 1 && !scan.first_by_me;
        Some(view! {
            <section class="panel c-signal" class:suspicious=suspicious data-test="scan-signal">
                <dl>
                    <dt>{tr(T::CsFirstScan)}</dt>
                    <dd>{l.datetime(&scan.first_scanned_at)}</dd>
                    <dt>{tr(T::CsFirstPlace)}</dt>
                    <dd data-test="first-place">{place}</dd>
                    <dt>{tr(T::CsScanCount)}</dt>
                    <dd data-test="scan-count" data-count=scan.scans.to_string()>{scan.scans}</dd>
                </dl>
                {if suspicious {
                    view! { <p class="warn" role="alert" data-test="scanned-before">{tr(T::CsScannedBefore)}</p> }.into_any()
                } else if scan.first_by_me {
                    view! { <p class="c-first">{tr(T::CsFirstByYou)}</p> }.into_any()
                } else {
                    ().into_any()
                }}
            </section>
        })
    }
}

/// Under a genuine code: the campaign's page, or why there is none.
#[component]
fn CampaignPart(outcome: Outcome) -> impl IntoView {
    let l = use_locale();
    move || match outcome.get() {
        None => view! { <p class="panel c-wait">{tr(T::CsLoadingCampaign)}</p> }.into_any(),
        Some(Err(e)) => view! { <p class="panel form-error" role="alert" data-test="scan-error">{e.render(l)}</p> }.into_any(),
        Some(Ok(o)) => {
            let links = o.enterprise_id.map(|id| view! { <ConsumerLinks enterprise_id=id/> });
            match (o.campaign, o.scan, o.enterprise_id) {
                (Some(offer), Some(scan), Some(enterprise_id)) => {
                    view! { <CampaignPage offer scan_id=scan.scan_id enterprise_id/> }.into_any()
                }
                _ => view! {
                    {o.no_campaign.map(|m| {
                        view! { <p class="panel c-no-campaign" role="status" data-test="no-campaign">{m.render(l)}</p> }
                    })}
                    {links}
                }
                .into_any(),
            }
        }
    }
}

/// What the brand entered for the code's range: only the parts it entered.
#[component]
fn ProductFacts(genuine: Genuine) -> impl IntoView {
    let l = use_locale();
    let g = genuine;
    let rows: Vec<(T, String)> = [
        (T::ScanBrandOwner, Some(g.enterprise.clone())),
        (T::Product, g.product.clone()),
        (T::Specification, g.specification.clone()),
        (T::Brand, g.brand.clone()),
        (T::ScanProducedAt, g.produced_at.map(|t| l.datetime(&t))),
        (T::Factory, g.factory.clone()),
        (T::ScanActivatedAt, g.activated_at.map(|t| l.datetime(&t))),
    ]
    .into_iter()
    .filter_map(|(t, v)| v.filter(|v| !v.is_empty()).map(|v| (t, v)))
    .collect();
    let alt = g.product.clone().unwrap_or_default();
    view! {
        <section class="panel product">
            {g.product_image.map(|src| view! { <img src=src alt=alt/> })}
            <dl>
                {rows
                    .into_iter()
                    .map(|(t, v)| view! { <dt>{tr(t)}</dt><dd>{v}</dd> })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// The scratch-off PIN form, then its answer.
#[component]
fn PinCheck(code: String, digits: u8) -> impl IntoView {
    let l = use_locale();
    let pin = RwSignal::new(String::new());
    let verified: RwSignal<Option<PinVerified>> = RwSignal::new(None);
    let form = SaveForm::new(move |(code, pin): (String, String)| check_pin(code, pin), move |v| verified.set(Some(v)));
    let errors: FormErrors = form.errors;
    let pending = form.pending();
    let code = StoredValue::new(code);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit((code.get_value(), pin.get_untracked()), |(_, p)| check_pin_format(p, digits));
    };
    view! {
        <section class="panel pin">
            <h2>{tr(T::ScanPinTitle)}</h2>
            {move || match verified.get() {
                Some(v) => {
                    view! {
                        <p class="pin-ok" role="status">{tr(T::ScanPinOk)}</p>
                        <dl>
                            <dt>{tr(T::ScanPinTimes)}</dt>
                            <dd data-times=v.times.to_string()>{v.times}</dd>
                            <dt>{tr(T::ScanPinFirstAt)}</dt>
                            <dd>{l.datetime(&v.first_at)}</dd>
                        </dl>
                        {v.seen_before().then(|| view! { <p class="warn" role="alert">{tr(T::ScanPinSeenBefore)}</p> })}
                    }
                    .into_any()
                }
                None => {
                    view! {
                        <form on:submit=on_submit>
                            <p class="hint">{tr(T::ScanPinHint)}</p>
                            <Field label=T::ScanPinLabel name="pin" errors>
                                <input
                                    type="text"
                                    name="pin"
                                    inputmode="numeric"
                                    autocomplete="off"
                                    maxlength=digits.to_string()
                                    placeholder="•".repeat(usize::from(digits))
                                    bind:value=pin
                                />
                            </Field>
                            <Show when=move || errors.form.get().is_some()>
                                <p class="form-error" role="alert">{move || errors.form.get()}</p>
                            </Show>
                            <button type="submit" class="btn primary" disabled=move || pending.get()>
                                {move || if pending.get() { tr(T::Loading) } else { tr(T::ScanPinSubmit) }}
                            </button>
                        </form>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// A genuine, active code of a spec landing on the brand's own page: the server already
/// answered 302 when it rendered this; in the browser, go there too.
#[component]
fn Redirecting(url: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&url);
    #[cfg(feature = "hydrate")]
    {
        let target = url.clone();
        Effect::new(move |_| {
            let _ = window().location().replace(&target);
        });
    }
    view! {
        <section class="panel verdict genuine" data-verdict="redirect">
            <p>{tr(T::ScanRedirecting)}</p>
            <a class="go" href=url.clone() rel="noopener">{tr(T::ScanOpenBrandPage)}</a>
        </section>
    }
}
