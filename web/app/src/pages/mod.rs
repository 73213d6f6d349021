//! One module per page of the app, plus the search form two pages share and the lazily
//! loaded groups of pages (`lazy`); and what every page uses: its title, the sign-in it
//! may need, the page for a path that is none.

pub mod account;
pub mod checkout;
pub mod lazy;
pub mod profile;
pub mod results;
pub mod search;
pub mod search_form;
pub mod seats;
pub mod status;
pub mod trips;

use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::i18n::t;
use crate::session::{self, Auth};

#[component]
pub fn NotFound() -> impl IntoView {
    title(Msg::NotFoundTitle);
    view! {
        <section class="page narrow">
            <h1>{move || t(Msg::NotFoundTitle)}</h1>
            <p>{move || t(Msg::NotFoundBody)}</p>
            <p><a class="button" href="/">{move || t(Msg::BackHome)}</a></p>
        </section>
    }
}

/// Sets the document title to a page's name, following the language.
pub fn title(msg: Msg) {
    Effect::new(move |_| {
        let text = format!("{} · {}", t(msg), t(Msg::AppName));
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&text);
        }
    });
}

/// For pages that need an account: once the session is known, a signed-out traveller is
/// sent to sign in and brought back here afterwards. `true` while signed in.
pub fn require_sign_in() -> Signal<bool> {
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session::auth().get() == Auth::SignedOut {
            // `search` comes without its `?`.
            let search = location.search.get_untracked();
            let query = if search.is_empty() {
                String::new()
            } else {
                format!("?{search}")
            };
            let here = format!("{}{query}", location.pathname.get_untracked());
            let next = airline_web_core::search::encode(&here);
            navigate(
                &format!("/signin?next={next}"),
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // A memo, so a token refresh (a new session value) does not rebuild the page.
    Memo::new(move |_| matches!(session::auth().get(), Auth::SignedIn(_))).into()
}

/// `?next=<path>` for links that should come back to `path` after signing in.
pub fn encode_next(path: &str) -> String {
    if path == "/" {
        String::new()
    } else {
        format!("?next={}", airline_web_core::search::encode(path))
    }
}
