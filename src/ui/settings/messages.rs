//! 消息中心: the signed-in person's own messages (credentials, extraction codes, warnings).

use crate::api::session::my_messages;
use crate::domain::messages::{Channel, Delivery, OutboxMessage};
use crate::i18n::T;
use crate::ui::widgets::{text, Col, DataTable, ErrorLine, PageHeader};
use crate::ui::{tr, use_locale};
use leptos::prelude::*;

#[component]
pub fn MessagesPage() -> impl IntoView {
    view! {
        <PageHeader title=tr(T::MessageCentre).to_string()/>
        <MessageList/>
    }
}

#[component]
pub fn MessageList() -> impl IntoView {
    let l = use_locale();
    let messages = Resource::new(|| (), |_| my_messages());
    view! {
        <Transition fallback=|| view! { <p class="loading">{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) => {
                        let cols = vec![
                            Col::new(T::Time, text(move |m: &OutboxMessage| l.datetime(&m.created_at))),
                            Col::new(T::Channel, text(|m: &OutboxMessage| match m.channel {
                                Channel::Sms => "SMS".to_string(),
                                Channel::Email => "Email".to_string(),
                            })),
                            Col::new(T::Recipient, text(|m: &OutboxMessage| m.address.clone())),
                            Col::new(T::Subject, text(|m: &OutboxMessage| m.subject.clone())),
                            Col::new(T::Content, text(|m: &OutboxMessage| m.body.clone())),
                            Col::new(T::Status, text(|m: &OutboxMessage| match m.delivery {
                                Delivery::Recorded => "recorded".to_string(),
                                Delivery::Sent => "sent".to_string(),
                                Delivery::Failed => format!("failed: {}", m.error.clone().unwrap_or_default()),
                            })),
                        ];
                        view! { <DataTable rows=Signal::stored(list) cols paged=true/> }.into_any()
                    }
                    Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
