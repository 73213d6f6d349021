//! The traveller's web app: search, seats, checkout, trips and loyalty, in the browser,
//! talking to the Worker's GraphQL API on the same origin.

mod api;
mod app;
mod components;
mod http;
mod i18n;
mod pages;
mod recover;
mod session;
mod storage;
mod stripe;

fn main() {
    recover::install_panic_hook();
    i18n::set_document_lang(i18n::locale());
    leptos::mount::mount_to_body(app::App);
}
