//! 设置: basic data, positions, accounts, audit log, message centre.

pub mod accounts;
pub mod audit;
pub mod brands;
pub mod factories;
pub mod messages;
pub mod positions;
pub mod products;
pub mod regions;
pub mod units;

use crate::api::basic_data::choices;
use crate::domain::basic_data::Kind;
use crate::ui::widgets::toast_error;
use leptos::prelude::*;

/// The (id, name) choices of a kind for a select box, loaded in the browser; a failed load
/// shows as an error toast. The resource is read only by an effect: read while rendering on the
/// server, a local resource would hold the enclosing `<Suspense>` on its fallback.
pub(super) fn choice_options(kind: Kind) -> Signal<Vec<(i64, String)>> {
    let options = RwSignal::new(vec![]);
    let res = LocalResource::new(move || choices(kind));
    Effect::new(move |_| match res.get() {
        Some(Ok(list)) => options.set(list.into_iter().map(|c| (c.id, c.name)).collect()),
        Some(Err(e)) => toast_error(&e),
        None => {}
    });
    options.into()
}
