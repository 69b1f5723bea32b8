//! The console's landing page: who you are, where, and the areas you can open.

use super::nav::areas;
use super::{tr, use_locale, use_me};
use crate::i18n::T;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = use_me();
    let l = use_locale();
    let cards = areas()
        .into_iter()
        .filter(|a| a.visible(&me.grants))
        .map(|a| {
            let links: Vec<(&'static str, &'static str)> =
                a.items.iter().filter(|i| i.visible(&me.grants)).map(|i| (i.path, i.label(l))).collect();
            let links = links.into_iter().map(|(path, label)| view! { <li><A href=path>{label}</A></li> }).collect_view();
            view! {
                <div class="card">
                    <h2>{a.module.label(l)}</h2>
                    <ul>{links}</ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <section>
            <h1>{tr(T::Welcome)} ", " {me.name.clone()}</h1>
            <p class="hint">
                {me.enterprise.as_ref().map(|e| e.name.clone()).unwrap_or_default()} " · " {me.position.clone()}
            </p>
            <div class="cards">{cards}</div>
        </section>
    }
}

/// The phone home page: the person's own messages (store-guide screens arrive with the guide module).
#[component]
pub fn MobileHome() -> impl IntoView {
    view! {
        <section>
            <h1>{tr(T::MyMessages)}</h1>
            <super::settings::messages::MessageList/>
        </section>
    }
}
