//! Sign-in and password change pages (outside the signed-in layouts).

use super::layout::LanguageSwitch;
use super::widgets::{FormErrors, TextField};
use super::{reload_to, tr};
use crate::api::session::{change_password, sign_in};
use crate::domain::auth::{ChangePasswordInput, SignInInput};
use crate::i18n::T;
use leptos::prelude::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let submit = Action::new(|i: &SignInInput| {
        let i = i.clone();
        async move { sign_in(i).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(true)) => reload_to("/change-password"),
        Some(Ok(false)) => reload_to("/"),
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = SignInInput { login: login.get_untracked(), password: password.get_untracked() };
        if errors.check(input.validate()) {
            submit.dispatch(input);
        }
    };
    view! {
        <div class="auth-page">
            <form class="auth-card" on:submit=on_submit novalidate>
                <div class="auth-top">
                    <h1>{tr(T::SignInTitle)}</h1>
                    <LanguageSwitch/>
                </div>
                <TextField label=T::LoginId name="login" value=login errors required=true placeholder="13800000000"/>
                <TextField label=T::Password name="password" value=password errors required=true input_type="password"/>
                <Show when=move || errors.form.get().is_some()>
                    <p class="form-error" role="alert">{move || errors.form.get()}</p>
                </Show>
                <button type="submit" class="btn primary wide" disabled=move || submit.pending().get()>
                    {tr(T::SignIn)}
                </button>
            </form>
        </div>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let submit = Action::new(|i: &ChangePasswordInput| {
        let i = i.clone();
        async move { change_password(i).await }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(())) => reload_to("/"),
        Some(Err(crate::error::AppError::Unauthenticated)) => reload_to("/login"),
        Some(Err(e)) => errors.show(&e),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ChangePasswordInput { current: current.get_untracked(), new: new.get_untracked(), repeat: repeat.get_untracked() };
        if errors.check(input.validate()) {
            submit.dispatch(input);
        }
    };
    view! {
        <div class="auth-page">
            <form class="auth-card" on:submit=on_submit novalidate>
                <h1>{tr(T::ChangePassword)}</h1>
                <p class="hint">{tr(T::MustChangePassword)}</p>
                <TextField label=T::CurrentPassword name="current" value=current errors required=true input_type="password"/>
                <TextField label=T::NewPassword name="new" value=new errors required=true input_type="password"/>
                <TextField label=T::RepeatPassword name="repeat" value=repeat errors required=true input_type="password"/>
                <Show when=move || errors.form.get().is_some()>
                    <p class="form-error" role="alert">{move || errors.form.get()}</p>
                </Show>
                <button type="submit" class="btn primary wide" disabled=move || submit.pending().get()>
                    {tr(T::Save)}
                </button>
            </form>
        </div>
    }
}
