//! Pages of areas that later issues deliver: they say so plainly and show no made-up data.

use super::nav::locate;
use super::{tr, use_locale};
use crate::i18n::T;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn NotBuiltYet() -> impl IntoView {
    let l = use_locale();
    let path = use_location().pathname;
    let title = move || {
        locate(&path.get()).and_then(|(a, i)| i.map(|i| a.items[i].label(l).to_string())).unwrap_or_else(|| tr(T::NotYetBuilt).to_string())
    };
    view! {
        <section class="placeholder">
            <h1>{title}</h1>
            <p class="notice">
                <strong>{tr(T::NotYetBuilt)}</strong>
                " — "
                {tr(T::NotYetBuiltText)}
            </p>
        </section>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="placeholder">
            <h1>{tr(T::NotFound)}</h1>
            <p>
                <a href="/">{tr(T::Home)}</a>
            </p>
        </section>
    }
}
