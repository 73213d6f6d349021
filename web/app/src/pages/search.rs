//! The search page, where most travellers start: a heading, a line of introduction and
//! the search form. It is in the first download, and fetches the results' code as soon as
//! a traveller starts on the form.

use airline_web_core::Msg;
use leptos::prelude::*;

use super::lazy::results;
use super::search_form::SearchForm;
use crate::i18n::t;

#[component]
pub fn SearchPage() -> impl IntoView {
    super::title(Msg::SearchTitle);
    view! {
        // Whoever starts filling in the form is about to see results.
        <section class="page hero" on:focusin=|_| results::prefetch() on:pointerdown=|_| results::prefetch()>
            <h1>{move || t(Msg::SearchTitle)}</h1>
            <p class="lead">{move || t(Msg::SearchLead)}</p>
            <SearchForm initial=None />
        </section>
    }
}
