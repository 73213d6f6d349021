//! The app's table of contents: every page, the path that opens it, and which download
//! holds its code. The one list of them: web/app builds its router from [`PAGE_ROUTES`],
//! and the build (`cargo xtask build-web`) writes the table out ([`page_routes_json`]) for
//! web/shell/boot.js, which fetches a deep link's pages alongside the app, and for the
//! browser tests, which check that it does.

use serde::Serialize;

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The search form, the page most travellers start on.
    Search,
    SignIn,
    SignUp,
    /// The flights of a search.
    Results,
    Booking(BookingPage),
    Account(AccountPage),
}

/// The pages after the results, in the order a traveller meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingPage {
    Seats,
    Checkout,
    /// The booking's progress and outcome.
    Status,
    /// A confirmed booking's seats on one flight, moved: the seat map, so with the others.
    ChangeSeats,
}

/// A signed-in traveller's own pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPage {
    Trips,
    Trip,
    Profile,
}

/// Pages whose code is not in the first download. The build splits each group off into a
/// module of its own, fetched whole the first time a traveller goes to any page in it, so
/// a phone on the search page downloads only what that page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageGroup {
    /// The results on their own: the page most often opened from a link, so such a link
    /// downloads no more than it shows.
    Results,
    /// Seats, checkout and status together: whoever chooses seats goes on to the checkout
    /// and its outcome.
    Booking,
    /// Trips, one trip and the profile together.
    Account,
}

impl Page {
    /// The group whose module holds the page's code; `None` for the first download (the
    /// search page, and the account forms any page may send a traveller to).
    pub const fn group(self) -> Option<PageGroup> {
        match self {
            Page::Search | Page::SignIn | Page::SignUp => None,
            Page::Results => Some(PageGroup::Results),
            Page::Booking(_) => Some(PageGroup::Booking),
            Page::Account(_) => Some(PageGroup::Account),
        }
    }
}

impl PageGroup {
    pub const ALL: [PageGroup; 3] = [PageGroup::Results, PageGroup::Booking, PageGroup::Account];

    pub const fn name(self) -> &'static str {
        match self {
            PageGroup::Results => "results",
            PageGroup::Booking => "booking",
            PageGroup::Account => "account",
        }
    }

    /// The name of the group's split module, as wasm-split writes it before its hash
    /// (`split_<module>_<hash>.wasm`). The app gives each group one `#[lazy_route]` type,
    /// `<Name>Pages` (web/app/src/pages/lazy/), whose view Leptos splits off as the
    /// function `__<Name>Pages_View`, snake-cased (leading underscores kept); the build
    /// checks that every group's module exists.
    pub fn module(self) -> String {
        format!("__{}_pages_view", self.name())
    }
}

/// One path of the app and the page it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRoute {
    /// Segments as the router writes them: `/trips/:id`, where `:id` is any one segment.
    pub path: &'static str,
    pub page: Page,
}

/// A piece of a route's path between two slashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Matches itself.
    Static(&'static str),
    /// Matches any one segment, which the page reads by this name.
    Param(&'static str),
}

const fn route(path: &'static str, page: Page) -> PageRoute {
    PageRoute { path, page }
}

/// Every page, in the order the router tries their paths; any other path is not found.
pub const PAGE_ROUTES: [PageRoute; 11] = [
    route("/", Page::Search),
    route("/flights", Page::Results),
    route("/book/seats", Page::Booking(BookingPage::Seats)),
    route("/book/checkout", Page::Booking(BookingPage::Checkout)),
    route("/book/status/:id", Page::Booking(BookingPage::Status)),
    route("/trips", Page::Account(AccountPage::Trips)),
    route("/trips/:id", Page::Account(AccountPage::Trip)),
    route(
        "/trips/:id/seats/:leg",
        Page::Booking(BookingPage::ChangeSeats),
    ),
    route("/profile", Page::Account(AccountPage::Profile)),
    route("/signin", Page::SignIn),
    route("/signup", Page::SignUp),
];

impl PageRoute {
    pub fn segments(&self) -> impl Iterator<Item = Segment> {
        self.path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| match segment.strip_prefix(':') {
                Some(name) => Segment::Param(name),
                None => Segment::Static(segment),
            })
    }

    /// Whether the route opens a URL with this path (no query), as the router matches it:
    /// every segment in place, and one slash at the end or none.
    pub fn matches(&self, path: &str) -> bool {
        let Some(path) = path.strip_prefix('/') else {
            return false;
        };
        let path = path.strip_suffix('/').unwrap_or(path);
        let mut given = path.split('/').filter(|_| !path.is_empty());
        let mut expected = self.segments();
        loop {
            match (expected.next(), given.next()) {
                (None, None) => return true,
                (Some(Segment::Static(name)), Some(segment)) if name == segment => {}
                (Some(Segment::Param(_)), Some(segment)) if !segment.is_empty() => {}
                _ => return false,
            }
        }
    }

    /// The same test as [`PageRoute::matches`], as a JavaScript regular expression, for
    /// web/shell/boot.js: it runs before the app, to fetch a deep link's module with it.
    pub fn path_pattern(&self) -> String {
        let mut pattern = String::from("^");
        for segment in self.segments() {
            pattern.push('/');
            match segment {
                Segment::Static(name) => pattern.push_str(name),
                Segment::Param(_) => pattern.push_str("[^/]+"),
            }
        }
        pattern.push_str("/?$");
        pattern
    }
}

/// The page a URL path opens: the first route that matches it, as in the router.
pub fn page_at(path: &str) -> Option<Page> {
    PAGE_ROUTES
        .iter()
        .find(|route| route.matches(path))
        .map(|route| route.page)
}

/// One route as the build writes it out.
#[derive(Debug, Serialize)]
struct RouteEntry {
    path: &'static str,
    /// [`PageRoute::path_pattern`].
    pattern: String,
    /// The page's group, `null` in the first download.
    group: Option<&'static str>,
    /// The group's module ([`PageGroup::module`]), `null` in the first download.
    module: Option<String>,
}

/// The route table as JSON: an array of `{path, pattern, group, module}` in the router's
/// order. The build puts it into web/shell/boot.js and writes it beside the build for the
/// browser tests.
pub fn page_routes_json() -> String {
    let entries: Vec<RouteEntry> = PAGE_ROUTES
        .iter()
        .map(|route| RouteEntry {
            path: route.path,
            pattern: route.path_pattern(),
            group: route.page.group().map(PageGroup::name),
            module: route.page.group().map(PageGroup::module),
        })
        .collect();
    // A list of plain strings and options cannot fail to serialize.
    serde_json::to_string(&entries).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_opens_its_page() {
        assert_eq!(page_at("/"), Some(Page::Search));
        assert_eq!(page_at("/flights"), Some(Page::Results));
        assert_eq!(page_at("/flights/"), Some(Page::Results));
        assert_eq!(
            page_at("/book/seats"),
            Some(Page::Booking(BookingPage::Seats))
        );
        assert_eq!(
            page_at("/book/status/b-123"),
            Some(Page::Booking(BookingPage::Status))
        );
        assert_eq!(page_at("/trips"), Some(Page::Account(AccountPage::Trips)));
        assert_eq!(page_at("/trips/"), Some(Page::Account(AccountPage::Trips)));
        assert_eq!(
            page_at("/trips/b-123"),
            Some(Page::Account(AccountPage::Trip))
        );
        assert_eq!(
            page_at("/trips/b-123/seats/1"),
            Some(Page::Booking(BookingPage::ChangeSeats))
        );
        assert_eq!(
            page_at("/profile"),
            Some(Page::Account(AccountPage::Profile))
        );
        assert_eq!(page_at("/signin"), Some(Page::SignIn));
    }

    #[test]
    fn other_paths_open_nothing() {
        for path in [
            "",
            "/nowhere",
            "/book",
            "/book/status",
            "/book/status/",
            "/book/status/b-1/more",
            "/trips/b-1/more",
            "/flightsx",
            "/book//seats",
        ] {
            assert_eq!(page_at(path), None, "{path}");
        }
    }

    #[test]
    fn every_page_has_exactly_one_path() {
        for (index, route) in PAGE_ROUTES.iter().enumerate() {
            let again = PAGE_ROUTES[index + 1..]
                .iter()
                .find(|other| other.page == route.page);
            assert_eq!(again, None, "{route:?}");
            // No route hides behind an earlier one.
            let sample = route.path.replace(":id", "x");
            assert_eq!(page_at(&sample), Some(route.page), "{sample}");
        }
    }

    #[test]
    fn each_group_is_a_download_of_its_own_and_the_search_page_is_in_the_first() {
        assert_eq!(Page::Search.group(), None);
        assert_eq!(Page::SignUp.group(), None);
        assert_eq!(Page::Results.group(), Some(PageGroup::Results));
        assert_eq!(
            Page::Booking(BookingPage::Checkout).group(),
            Some(PageGroup::Booking)
        );
        assert_eq!(
            Page::Account(AccountPage::Trip).group(),
            Some(PageGroup::Account)
        );
        for group in PageGroup::ALL {
            assert!(PAGE_ROUTES
                .iter()
                .any(|route| route.page.group() == Some(group)));
        }
        assert_eq!(PageGroup::Booking.module(), "__booking_pages_view");
    }

    #[test]
    fn patterns_match_what_the_routes_match() {
        let pattern = |path: &str| {
            PAGE_ROUTES
                .iter()
                .find(|route| route.path == path)
                .map(PageRoute::path_pattern)
        };
        assert_eq!(pattern("/").as_deref(), Some("^/?$"));
        assert_eq!(pattern("/flights").as_deref(), Some("^/flights/?$"));
        assert_eq!(
            pattern("/book/status/:id").as_deref(),
            Some("^/book/status/[^/]+/?$")
        );
        // Static segments are plain words: nothing a regular expression would read as an
        // operator, and nothing the build's substitution would read as one either.
        for route in PAGE_ROUTES {
            for segment in route.segments() {
                let (Segment::Static(word) | Segment::Param(word)) = segment;
                assert!(
                    word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                    "{word}"
                );
            }
        }
    }

    #[test]
    fn the_written_table_names_each_route_its_pattern_and_module() {
        let table: serde_json::Value = serde_json::from_str(&page_routes_json()).unwrap();
        let routes = table.as_array().unwrap();
        assert_eq!(routes.len(), PAGE_ROUTES.len());
        assert_eq!(
            routes[0],
            serde_json::json!({"path": "/", "pattern": "^/?$", "group": null, "module": null})
        );
        assert_eq!(
            routes[4],
            serde_json::json!({
                "path": "/book/status/:id",
                "pattern": "^/book/status/[^/]+/?$",
                "group": "booking",
                "module": "__booking_pages_view",
            })
        );
    }
}
