//! 码管理 page.

use leptos::prelude::*;

#[component]
pub fn CodeSpecsPage() -> impl IntoView {
    view! { <crate::ui::placeholder::NotBuiltYet/> }
}
