//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn ReceivePage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}

#[component]
pub fn ExtractionPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
