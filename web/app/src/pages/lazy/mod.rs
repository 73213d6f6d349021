//! The pages that are not in the first download, and how the router loads them: one
//! `#[lazy_route]` per group of web/core's page table (`airline_web_core::pages`), so the
//! build splits each group's views off into a module of its own (`cargo xtask build-web`),
//! fetched whole the first time a traveller goes to any page in it. The app's router
//! (crate::app) routes each lazy page to its group; pages that lead to a group prefetch it.
//!
//! One module per group, so that a page prefetching the next group (the search form the
//! results, the results the booking pages) imports only that group, never its own.

pub mod account;
pub mod booking;
pub mod results;

use airline_web_core::pages::{page_at, Page};
use leptos::prelude::*;
use leptos_router::hooks::use_url;

/// The page the router is opening, read from the address by the same table the router
/// routes by. A group's route has no other way to learn which of its pages it is showing:
/// `#[lazy_route]` loads one view per type, and one view is what keeps a group in one
/// module.
fn page_opening() -> Option<Page> {
    use_url().with_untracked(|url| page_at(url.path()))
}
