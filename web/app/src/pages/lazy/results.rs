//! The results' own module: the page most often opened from a link, on its own so that
//! such a link downloads no more than it shows.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::results::ResultsPage;

/// The route to the results; its view is split off into the `__results_pages_view` module.
pub struct ResultsPages;

#[lazy_route]
impl LazyRoute for ResultsPages {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        ResultsPage().into_any()
    }
}

/// Fetches the results' code ahead of the traveller, from the search form, so the search
/// that follows waits for its flights alone.
pub fn prefetch() {
    leptos::task::spawn_local(ResultsPages::preload());
}
