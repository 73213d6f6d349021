//! Recovering from a deploy that happened while the app was open. Each page's code is its
//! own module, fetched when a traveller first goes there (web/app/src/app.rs); after a
//! deploy the old modules are gone, and the split loader's only answer to a failed fetch is
//! a panic. The panic hook notices that one and loads the page the traveller was going to
//! afresh, once, which brings the new build; web/shell/boot.js does the same for the first
//! module.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

/// What `wasm_split_helpers` panics with when a module could not be fetched.
const MODULE_FETCH_FAILED: &str = "load callback should succeed";
/// Session storage: the build this tab already reloaded for.
const RELOADED_FOR: &str = "reloaded-for-page";

thread_local! {
    /// Where the router is going. The address bar changes only once the page's code has
    /// arrived, so after a failed fetch it still shows the page the traveller left.
    static DESTINATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps [`DESTINATION`] up to date; goes inside the `<Router>`.
#[component]
pub fn FollowNavigation() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let search = location.search.get();
        let hash = location.hash.get();
        let query = if search.is_empty() {
            String::new()
        } else {
            format!("?{search}")
        };
        DESTINATION
            .with(|destination| *destination.borrow_mut() = Some(format!("{path}{query}{hash}")));
    });
}

pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // A panic says what and where in the console, not just "unreachable".
        console_error_panic_hook::hook(info);
        if info.to_string().contains(MODULE_FETCH_FAILED) {
            reload_once();
        }
    }));
}

/// Loads the destination afresh unless this tab already did so for this build; then it did
/// not help (the network, not a deploy), and the page says so instead of trying forever.
fn reload_once() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let build = document
        .document_element()
        .and_then(|html| html.get_attribute("data-build"))
        .unwrap_or_default();
    let storage = window.session_storage().ok().flatten();
    let reloaded_for = storage
        .as_ref()
        .and_then(|storage| storage.get_item(RELOADED_FOR).ok().flatten());
    if reloaded_for.as_deref() == Some(build.as_str()) {
        if let Some(notice) = document
            .get_element_by_id("boot-error")
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            notice.set_hidden(false);
        }
        return;
    }
    if let Some(storage) = storage {
        let _ = storage.set_item(RELOADED_FOR, &build);
    }
    let destination = DESTINATION.with(|destination| destination.borrow().clone());
    let _ = match destination {
        Some(destination) => window.location().assign(&destination),
        None => window.location().reload(),
    };
}
