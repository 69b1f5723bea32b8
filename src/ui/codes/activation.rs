//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn ActivationPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
