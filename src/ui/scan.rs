//! The consumer's page behind a scanned code: `/s/<code>` on a phone, no sign-in.

use leptos::prelude::*;

#[component]
pub fn ScanPage() -> impl IntoView {
    view! { <p>"…"</p> }
}
