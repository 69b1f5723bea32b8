//! The consumer's optional profile form and mobile binding (one-time code), `/c/profile?e=<id>`.

use super::prizes::{use_enterprise_param, ConsumerLinks};
use crate::api::consumers::{bind_mobile, my_profile, save_profile, send_mobile_code};
use crate::domain::basic_data::PROVINCES;
use crate::domain::consumers::*;
use crate::i18n::T;
use crate::ui::widgets::*;
use crate::ui::{tr, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let e = use_enterprise_param();
    let profile = Resource::new(
        move || e.get(),
        |e| async move {
            match e {
                Some(e) => my_profile(e).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=tr(T::MbProfileTitle)/>
        <main class="c-page">
            <header class="c-page-head">
                <h1>{tr(T::MbProfileTitle)}</h1>
            </header>
            <Suspense fallback=|| view! { <p class="panel">{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match (profile.await, e.get_untracked()) {
                        (Ok(Some(p)), Some(e)) => view! { <ProfileSections e p/> }.into_any(),
                        (Ok(_), _) => view! { <p class="panel form-error" role="alert">{tr(T::CsBadLink)}</p> }.into_any(),
                        (Err(err), _) => view! { <p class="panel form-error" role="alert">{err.render(use_locale())}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || e.get().map(|id| view! { <ConsumerLinks enterprise_id=id/> })}
        </main>
    }
}

#[component]
fn ProfileSections(e: i64, p: ProfileView) -> impl IntoView {
    let mobile = RwSignal::new(p.mobile.clone());
    let points = RwSignal::new(p.points);
    view! {
        <section class="panel">
            <p class="c-brand">{p.enterprise_name.clone()}</p>
            <p data-test="my-points-balance">{tr(T::MbPoints)} ": " <strong>{move || points.get()}</strong></p>
        </section>
        <MobileBinding e mobile points/>
        <ProfileForm e p=p.profile/>
    }
}

#[component]
fn ProfileForm(e: i64, p: ProfileInput) -> impl IntoView {
    let l = use_locale();
    let name = RwSignal::new(p.name.clone());
    let gender = RwSignal::new(p.gender);
    let birth_year = RwSignal::new(p.birth_year.map(|y| y.to_string()).unwrap_or_default());
    let province = RwSignal::new(p.province.clone().unwrap_or_default());
    let city = RwSignal::new(p.city.clone());
    let marital = RwSignal::new(p.marital);
    let education = RwSignal::new(p.education);
    let interests = RwSignal::new(p.interests.clone());
    let saved = RwSignal::new(false);
    let save = SaveForm::new(move |input: ProfileInput| save_profile(e, input), move |_| saved.set(true));
    let errors = save.errors;
    let on_submit = save.on_submit(ProfileInput::validate, move || {
        saved.set(false);
        ProfileInput {
            name: name.get_untracked().trim().to_string(),
            gender: gender.get_untracked(),
            birth_year: birth_year.get_untracked().trim().parse().ok(),
            province: Some(province.get_untracked()).filter(|p| !p.is_empty()),
            city: city.get_untracked().trim().to_string(),
            marital: marital.get_untracked(),
            education: education.get_untracked(),
            interests: interests.get_untracked(),
        }
    });
    // A select over a keyed enum's choices, bound to an optional value.
    fn choice<X: Copy + PartialEq + Send + Sync + 'static>(
        name: &'static str,
        value: RwSignal<Option<X>>,
        all: &'static [X],
        key: fn(X) -> &'static str,
        label: impl Fn(X) -> &'static str,
    ) -> impl IntoView {
        view! {
            <select
                name=name
                on:change=move |ev| {
                    let k = event_target_value(&ev);
                    value.set(all.iter().copied().find(|x| key(*x) == k));
                }
            >
                <option value="">"—"</option>
                {all.iter().copied().map(|x| view! { <option value=key(x) selected=move || value.get() == Some(x)>{label(x)}</option> }).collect_view()}
            </select>
        }
    }
    view! {
        <form class="panel c-form" on:submit=on_submit novalidate>
            <h2>{tr(T::MbProfile)}</h2>
            <TextField label=T::MbName name="name" value=name errors maxlength=NAME_MAX/>
            <Field label=T::MbGender name="gender" errors>
                {choice("gender", gender, Gender::ALL, Gender::key, move |g| g.label(l))}
            </Field>
            <TextField label=T::MbBirthYear name="birth_year" value=birth_year errors input_type="number"/>
            <Field label=T::MbProvince name="province" errors>
                <select name="province" on:change=move |ev| province.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {PROVINCES.iter().map(|p| view! { <option value=*p selected=move || province.get() == *p>{*p}</option> }).collect_view()}
                </select>
            </Field>
            <TextField label=T::MbCity name="city" value=city errors maxlength=CITY_MAX/>
            <Field label=T::MbMarital name="marital" errors>
                {choice("marital", marital, Marital::ALL, Marital::key, move |m| m.label(l))}
            </Field>
            <Field label=T::MbEducation name="education" errors>
                {choice("education", education, Education::ALL, Education::key, move |m| m.label(l))}
            </Field>
            <fieldset class="field c-interests" data-field="interests">
                <legend class="label">{tr(T::MbInterests)}</legend>
                {Interest::ALL
                    .iter()
                    .map(|i| {
                        let key = i.key();
                        view! {
                            <label class="checkbox">
                                <input
                                    type="checkbox"
                                    name="interests"
                                    value=key
                                    prop:checked=move || interests.with(|v| v.iter().any(|k| k == key))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        interests.update(|v| {
                                            v.retain(|k| k != key);
                                            if on {
                                                v.push(key.to_string());
                                            }
                                        });
                                    }
                                />
                                {i.label(l)}
                            </label>
                        }
                    })
                    .collect_view()}
                {move || errors.message("interests").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <Show when=move || saved.get()>
                <p class="notice ok" role="status" data-test="profile-saved">{tr(T::MbProfileSaved)}</p>
            </Show>
            <button type="submit" class="btn primary block" data-test="save-profile" disabled=move || save.pending().get()>
                {move || if save.pending().get() { tr(T::Loading) } else { tr(T::Save) }}
            </button>
        </form>
    }
}

/// Counts `left` down to zero, one a second (in the browser).
fn count_down(left: RwSignal<i64>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(1000).await;
            match left.try_update(|s| {
                *s = (*s - 1).max(0);
                *s
            }) {
                Some(n) if n > 0 => continue,
                _ => break,
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = left;
}

#[component]
fn MobileBinding(e: i64, mobile: RwSignal<Option<String>>, points: RwSignal<i32>) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let wait = RwSignal::new(0i64);
    let sent = RwSignal::new(false);
    let merged = RwSignal::new(false);
    // Both steps show their refusals on the same form.
    let errors = FormErrors::new();
    let send = Action::new(move |m: &String| send_mobile_code(e, m.clone()));
    let bind = Action::new(move |(m, c): &(String, String)| bind_mobile(e, m.clone(), c.clone()));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(s)) => {
            sent.set(true);
            wait.set(s.resend_after);
            count_down(wait);
        }
        Some(Err(err)) => errors.show(&err),
        None => {}
    });
    Effect::new(move |_| match bind.value().get() {
        Some(Ok(b)) => {
            mobile.set(Some(b.mobile));
            points.set(b.points);
            merged.set(b.merged);
            code.set(String::new());
            sent.set(false);
        }
        Some(Err(err)) => errors.show(&err),
        None => {}
    });
    let on_send = move |_| {
        let m = number.get_untracked().trim().to_string();
        if errors.check(check_mobile(&m)) {
            send.dispatch(m);
        }
    };
    let on_bind = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (m, c) = (number.get_untracked().trim().to_string(), code.get_untracked().trim().to_string());
        if errors.check(check_code(&m, &c)) {
            bind.dispatch((m, c));
        }
    };
    view! {
        <form class="panel c-form" on:submit=on_bind novalidate data-test="bind-mobile">
            <h2>{tr(T::MbBindTitle)}</h2>
            {move || {
                mobile.get().map(|m| view! { <p data-test="bound-mobile">{tr(T::MbBoundTo)} " " <strong>{m}</strong></p> })
            }}
            <Show when=move || merged.get()>
                <p class="notice ok" role="status" data-test="merged">{tr(T::MbMergedNotice)}</p>
            </Show>
            <TextField label=T::Mobile name="mobile" value=number errors input_type="tel" maxlength=11/>
            <div class="c-code-row">
                <TextField label=T::MbCode name="code" value=code errors input_type="text" maxlength=6/>
                <button
                    type="button"
                    class="btn"
                    data-test="send-code"
                    disabled=move || { send.pending().get() || wait.get() > 0 }
                    on:click=on_send
                >
                    {move || {
                        let w = wait.get();
                        if w > 0 { format!("{} ({w}s)", tr(T::MbResend)) } else { tr(T::MbSendCode).to_string() }
                    }}
                </button>
            </div>
            <Show when=move || sent.get()>
                <p class="hint" role="status" data-test="code-sent">{tr(T::MbCodeSent)}</p>
            </Show>
            <Show when=move || errors.form.get().is_some()>
                <p class="form-error" role="alert">{move || errors.form.get()}</p>
            </Show>
            <button type="submit" class="btn primary block" data-test="bind" disabled=move || bind.pending().get()>
                {move || if bind.pending().get() { tr(T::Loading) } else { tr(T::MbBind) }}
            </button>
        </form>
    }
}
