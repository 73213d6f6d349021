//! Search results: the outbound (and return) flights of a search read from the URL, sorted
//! and filtered, a page at a time, each with the cabins it sells, each cabin's brands
//! (Light, Standard, Flex) with their fares and what they allow; choosing a flight, a
//! cabin and a brand on each leg starts a checkout.
//!
//! One page: its toolbar, lists and flight cards share the search and its order.

use airline_web_core::brand::{brand_name, brand_offers, lowest_fare, FareBrand, FareBrands};
use airline_web_core::cabin::{cabin_name, fare_in, Cabin, CabinFare, FareCabins};
use airline_web_core::checkout::{idempotency_key, party_price, Checkout};
use airline_web_core::format::{day_offset, duration, major_to_minor, minor_to_major};
use airline_web_core::search::{is_time_of_day, Filters, Search, SearchField, Sort};
use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::lazy::booking;
use super::search_form::SearchForm;
use crate::api::{self, search_flights, ApiMoney, CallError, SearchFlights};
use crate::components::{describe, Alert, FareTerms, MoreButton, Skeleton};
use crate::i18n::{date, locale, money, t, tf};
use crate::storage;

type Edge = search_flights::SearchFlightsSearchFlightsEdges;

/// Results stay this few seats from selling out before the card says so.
const FEW_SEATS: i64 = 9;

/// The flight chosen on one leg, and the cabin and brand its fare buys.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    flight: String,
    cabin: Cabin,
    brand: FareBrand,
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    super::title(Msg::SearchButton);
    let query = use_query_map();
    let search = Memo::new(move |_| {
        let params = query.get();
        Search::from_query(|key| params.get(key))
    });
    // The page is rebuilt only for another trip; sorting and filtering reload the lists in
    // place, so the toolbar keeps its state and focus.
    let trip = Memo::new(move |_| {
        search.get().map(|s| Search {
            sort: Sort::default(),
            filters: Filters::default(),
            ..s
        })
    });
    let order = Memo::new(move |_| {
        search
            .get()
            .map(|s| (s.sort, s.filters))
            .unwrap_or_default()
    });
    move || match trip.get() {
        Some(search) => view! { <Results search=search order=order /> }.into_any(),
        None => view! {
            <section class="page hero">
                <h1>{move || t(Msg::SearchTitle)}</h1>
                <SearchForm initial=None />
            </section>
        }
        .into_any(),
    }
}

#[component]
fn Results(search: Search, order: Memo<(Sort, Filters)>) -> impl IntoView {
    let navigate = use_navigate();
    let editing = RwSignal::new(false);
    let outbound = RwSignal::new(None::<Choice>);
    let inbound = RwSignal::new(None::<Choice>);
    let field_problem = RwSignal::new(None::<(SearchField, String)>);
    let currency_decimals = RwSignal::new(2i64);
    let round_trip = search.return_date.is_some();

    let apply = {
        let search = search.clone();
        let navigate = navigate.clone();
        move |sort: Sort, filters: Filters| {
            let next = Search {
                sort,
                filters,
                ..search.clone()
            };
            navigate(&format!("/flights?{}", next.to_query()), Default::default());
        }
    };

    let cont = {
        let search = search.clone();
        let navigate = navigate.clone();
        move |_| {
            let Some(out) = outbound.get_untracked() else {
                return;
            };
            let back_flight = inbound.get_untracked();
            if round_trip && back_flight.is_none() {
                return;
            }
            let (sort, filters) = order.get_untracked();
            let back = Search {
                sort,
                filters,
                ..search.clone()
            };
            let cabins = FareCabins {
                outbound: out.cabin,
                inbound: back_flight.as_ref().map_or(Cabin::Economy, |c| c.cabin),
            };
            let brands = FareBrands {
                outbound: out.brand,
                inbound: back_flight.as_ref().map_or(FareBrand::Flex, |c| c.brand),
            };
            let checkout = Checkout::start(
                back.to_query(),
                search.passengers,
                out.flight,
                back_flight.map(|c| c.flight),
                (cabins, brands),
                idempotency_key(storage::random_bytes()),
            );
            storage::save(&checkout);
            // The fares travel in the address: a reload or Back shows the same fare.
            navigate(&checkout.page_path("/book/seats"), Default::default());
        }
    };

    // Codes until the first results name the cities.
    let cities = RwSignal::new((search.from.clone(), search.to.clone()));
    let heading = move || {
        let (from, to) = cities.get();
        tf(Msg::ResultsTitle, &[&from, &to])
    };
    let summary = {
        let search = search.clone();
        move || {
            let mut parts = vec![date(&search.depart.to_string())];
            if let Some(back) = search.return_date {
                parts.push(date(&back.to_string()));
            }
            parts.push(count(
                search.passengers as i64,
                Msg::PartyOfOne,
                Msg::PartyOf,
            ));
            parts.join(" · ")
        }
    };
    let ready = move || outbound.get().is_some() && (!round_trip || inbound.get().is_some());
    let search_for_form = search.clone();
    let return_leg = search.return_date.map(|back| {
        let leg = Leg {
            from: search.to.clone(),
            to: search.from.clone(),
            date: back.to_string(),
        };
        view! {
            <FlightList search=search.clone() order=order leg=leg title=Msg::ReturnFlights chosen=inbound
                field_problem=field_problem currency_decimals=currency_decimals cities=None />
        }
    });
    let outbound_leg = Leg {
        from: search.from.clone(),
        to: search.to.clone(),
        date: search.depart.to_string(),
    };

    view! {
        // Whoever reaches for a flight is about to choose seats.
        <section class="page results" on:focusin=|_| booking::prefetch() on:pointerdown=|_| booking::prefetch()>
            <div class="results-head">
                <div>
                    <h1 id="results-title" tabindex="-1">{heading}</h1>
                    <p class="lead">{summary}</p>
                </div>
                <button type="button" class="secondary" aria-expanded=move || editing.get().to_string()
                    aria-controls="change-search"
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    {move || t(Msg::ChangeSearch)}
                </button>
            </div>
            <div id="change-search">
                <Show when=move || editing.get() || field_problem.get().is_some()>
                    {
                        let initial = search_for_form.clone();
                        view! {
                            <SearchForm initial=Some(initial) />
                            {move || field_problem.get().map(|(_, message)| view! {
                                <div class="alert" role="alert">{message}</div>
                            })}
                        }
                    }
                </Show>
            </div>
            <Toolbar apply=apply decimals=currency_decimals order=order />
            <FlightList search=search.clone() order=order leg=outbound_leg title=Msg::OutboundFlights chosen=outbound
                field_problem=field_problem currency_decimals=currency_decimals cities=Some(cities) />
            {return_leg}
            <div class="continue-bar">
                <p role="status">
                    {move || if outbound.get().is_none() {
                        t(Msg::ChooseOutboundFirst).to_owned()
                    } else if round_trip && inbound.get().is_none() {
                        t(Msg::ChooseReturnToo).to_owned()
                    } else {
                        String::new()
                    }}
                </p>
                <button type="button" class="primary" disabled=move || !ready() on:click=cont>
                    {move || t(Msg::ContinueToSeats)}
                </button>
            </div>
        </section>
    }
}

/// Sort order and filters; applying them changes the URL, which reloads the lists.
#[component]
fn Toolbar<F>(apply: F, decimals: RwSignal<i64>, order: Memo<(Sort, Filters)>) -> impl IntoView
where
    F: Fn(Sort, Filters) + Clone + 'static,
{
    let (_, filters) = order.get_untracked();
    let after = RwSignal::new(filters.depart_after.clone().unwrap_or_default());
    let before = RwSignal::new(filters.depart_before.clone().unwrap_or_default());
    let max = RwSignal::new(
        filters
            .max_price
            .map(|m| minor_to_major(m, decimals.get_untracked() as u32))
            .unwrap_or_default(),
    );
    let open = RwSignal::new(filters != Filters::default());
    let on_sort = {
        let apply = apply.clone();
        move |ev: leptos::ev::Event| {
            if let Some(chosen) = Sort::from_key(&event_target_value(&ev)) {
                apply(chosen, order.get_untracked().1);
            }
        }
    };
    let on_filter = {
        let apply = apply.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let time = |text: String| Some(text).filter(|t| is_time_of_day(t));
            apply(
                order.get_untracked().0,
                Filters {
                    depart_after: time(after.get_untracked()),
                    depart_before: time(before.get_untracked()),
                    max_price: major_to_minor(
                        &max.get_untracked(),
                        decimals.get_untracked() as u32,
                    ),
                },
            );
        }
    };
    let clear = move |_| {
        after.set(String::new());
        before.set(String::new());
        max.set(String::new());
        apply(order.get_untracked().0, Filters::default());
    };
    view! {
        <div class="toolbar">
            <label class="sort">
                <span>{move || t(Msg::SortBy)}</span>
                <select on:change=on_sort>
                    {Sort::ALL.into_iter().map(|option| view! {
                        <option value=option.key() selected=move || order.get().0 == option>{move || t(option.label())}</option>
                    }).collect_view()}
                </select>
            </label>
            <details class="filters"
                prop:open=move || open.get()
                on:toggle=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(details) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                        open.set(details.open());
                    }
                }>
                <summary>{move || t(Msg::Filters)}</summary>
                <form on:submit=on_filter>
                    <label>
                        <span>{move || t(Msg::DepartAfter)}</span>
                        <input type="time" name="after" prop:value=move || after.get() on:input=move |ev| after.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || t(Msg::DepartBefore)}</span>
                        <input type="time" name="before" prop:value=move || before.get() on:input=move |ev| before.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{move || tf(Msg::MaxPrice, &[""]).replace(" ()", "")}</span>
                        <input type="text" inputmode="decimal" name="max" prop:value=move || max.get() on:input=move |ev| max.set(event_target_value(&ev)) />
                    </label>
                    <div class="actions">
                        <button type="submit" class="secondary">{move || t(Msg::ApplyFilters)}</button>
                        <button type="button" class="link" on:click=clear>{move || t(Msg::ClearFilters)}</button>
                    </div>
                </form>
            </details>
        </div>
    }
}

#[derive(Clone, PartialEq)]
struct Leg {
    from: String,
    to: String,
    date: String,
}

/// One leg's flights, ten at a time, with "show more" following the cursor.
#[component]
fn FlightList(
    search: Search,
    leg: Leg,
    title: Msg,
    chosen: RwSignal<Option<Choice>>,
    field_problem: RwSignal<Option<(SearchField, String)>>,
    currency_decimals: RwSignal<i64>,
    /// Told the cities' names once they are known, for the page heading.
    cities: Option<RwSignal<(String, String)>>,
    /// Sort and filters: a change reloads the list from its first page.
    order: Memo<(Sort, Filters)>,
) -> impl IntoView {
    // Only the latest request may fill the list (a slow answer to an older sort must not).
    let ticket = StoredValue::new(0u32);
    let edges = RwSignal::new(Vec::<Edge>::new());
    let total = RwSignal::new(0i64);
    let cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<CallError>);
    let passengers = search.passengers;

    let load = {
        let search = search.clone();
        let leg = leg.clone();
        move |after: Option<String>| {
            let (sort, filters) = order.get_untracked();
            ticket.update_value(|n| *n += 1);
            let mine = ticket.get_value();
            let variables = search_flights::Variables {
                from: leg.from.clone(),
                to: leg.to.clone(),
                date: leg.date.clone(),
                passengers: i64::from(search.passengers),
                sort: match sort {
                    Sort::Price => search_flights::FlightSort::PRICE,
                    Sort::Departure => search_flights::FlightSort::DEPARTURE,
                    Sort::Duration => search_flights::FlightSort::DURATION,
                },
                filter: Some(search_flights::FlightFilter {
                    max_price: filters.max_price,
                    depart_after: filters.depart_after,
                    depart_before: filters.depart_before,
                }),
                after: after.clone(),
            };
            loading.set(true);
            leptos::task::spawn_local(async move {
                let result = api::run_shared::<SearchFlights>(variables).await;
                if ticket.try_get_value() != Some(mine) {
                    return;
                }
                loading.set(false);
                match result {
                    Ok(data) => {
                        let page = data.search_flights;
                        if let Some(first) = page.edges.first() {
                            if let Some(fare) = first.node.fare.money() {
                                currency_decimals.set(i64::from(fare.currency().decimals()));
                            }
                            if let Some(cities) = cities {
                                cities.set((
                                    first.node.origin.city.clone(),
                                    first.node.destination.city.clone(),
                                ));
                            }
                        }
                        total.set(page.total_count);
                        cursor.set(
                            page.page_info
                                .has_next_page
                                .then_some(page.page_info.end_cursor)
                                .flatten(),
                        );
                        if after.is_some() {
                            edges.update(|all| all.extend(page.edges));
                        } else {
                            edges.set(page.edges);
                        }
                        error.set(None);
                    }
                    Err(problem) => {
                        if let Some(field) = problem.field().and_then(SearchField::from_api) {
                            field_problem.set(Some((field, describe(&problem))));
                        }
                        error.set(Some(problem));
                    }
                }
            });
        }
    };
    {
        let load = load.clone();
        Effect::new(move |_| {
            order.track();
            load(None);
        });
    }
    let more = {
        let load = load.clone();
        move || load(cursor.get_untracked())
    };
    let heading_id = format!("leg-{}-{}", leg.from, leg.to);
    let leg_date = leg.date.clone();
    let labelled_by = heading_id.clone();

    view! {
        <section class="leg" aria-labelledby=labelled_by>
            <h2 id=heading_id>{move || tf(title, &[&date(&leg_date)])}</h2>
            <p class="count" role="status">
                {move || (!loading.get() && error.get().is_none()).then(|| count(total.get(), Msg::FlightFound, Msg::FlightsFound))}
            </p>
            <Alert error=error />
            <Show when=move || loading.get() && edges.get().is_empty()>
                <Skeleton count=3 />
            </Show>
            <Show when=move || !loading.get() && error.get().is_none() && edges.get().is_empty()>
                <p class="empty card">{move || t(Msg::NoFlights)}</p>
            </Show>
            <ul class="flights">
                <For each=move || edges.get() key=|edge| edge.node.id.clone() let:edge>
                    <FlightCard edge=edge chosen=chosen passengers=passengers />
                </For>
            </ul>
            <MoreButton cursor=cursor loading=loading label=Msg::ShowMore on_more=more />
        </section>
    }
}

#[component]
fn FlightCard(edge: Edge, chosen: RwSignal<Option<Choice>>, passengers: u32) -> impl IntoView {
    let flight = edge.node;
    let id = flight.id.clone();
    let is_chosen = {
        let id = id.clone();
        Memo::new(move |_| chosen.get().is_some_and(|c| c.flight == id))
    };
    // The cabins the flight sells, Economy first; its Economy fare alone if the list
    // cannot be read.
    let mut cabins = api::cabin_fares(&flight.cabins);
    if cabins.is_empty() {
        cabins.extend(flight.fare.money().map(|fare| CabinFare {
            cabin: Cabin::Economy,
            fare,
        }));
    }
    // The cabin and brand this card offers now: the chosen ones while the flight is
    // chosen; Economy Flex, the flight's full fare, until then.
    let mine = chosen.get_untracked().filter(|c| c.flight == id);
    let marked = RwSignal::new(mine.as_ref().map_or(Cabin::Economy, |c| c.cabin));
    let marked_brand = RwSignal::new(mine.map_or(FareBrand::Flex, |c| c.brand));
    // Choosing a cabin or a brand on a card chooses its flight.
    let choose = {
        let id = id.clone();
        move |cabin: Cabin, brand: FareBrand| {
            marked.set(cabin);
            marked_brand.set(brand);
            chosen.set(Some(Choice {
                flight: id.clone(),
                cabin,
                brand,
            }));
        }
    };
    // The brands of the marked cabin, with their fares and conditions.
    let offers = {
        let cabins = cabins.clone();
        Memo::new(move |_| {
            fare_in(&cabins, marked.get())
                .map(brand_offers)
                .unwrap_or_default()
        })
    };
    let marked_fare = move || {
        offers.with(|offers| {
            offers
                .iter()
                .find(|offer| offer.brand == marked_brand.get())
                .map(|offer| offer.fare)
        })
    };
    let total = move || party_price(marked_fare()?, None, passengers);
    let label_id = format!("flight-{}", flight.id);
    let departs = flight.departure.local_time.clone();
    let number = flight.flight_number.clone();
    let offset = flight.arrival_day_offset;
    let seats_left = flight.seats_available;
    let minutes = flight.duration_minutes;
    let group = format!("cabin-{}", flight.id);
    let cabin_choice = if cabins.len() > 1 {
        let (number, departs) = (number.clone(), departs.clone());
        let options = cabins
            .iter()
            .map(|offer| {
                let cabin = offer.cabin;
                let fare = offer.fare;
                let choose = choose.clone();
                view! {
                    <label class="cabin-option">
                        <input type="radio" name=group.clone() value=cabin.as_str()
                            prop:checked=move || marked.get() == cabin
                            on:change=move |_| choose(cabin, marked_brand.get_untracked()) />
                        <span class="cabin-text">
                            <span class="cabin-name">{move || t(cabin_name(cabin))}</span>
                            " "
                            <span class="fare">{move || tf(Msg::FromFare, &[&money(lowest_fare(fare))])}</span>
                        </span>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="cabins">
                <legend class="visually-hidden">{move || tf(Msg::CabinsFor, &[&number, &departs])}</legend>
                {options}
            </fieldset>
        }
        .into_any()
    } else {
        let only = cabins.first().copied();
        view! {
            <p class="cabins">
                {only.map(|offer| view! {
                    <span class="cabin-option only">
                        <span class="cabin-text">
                            <span class="cabin-name">{move || t(cabin_name(offer.cabin))}</span>
                            " "
                            <span class="fare">{move || tf(Msg::FromFare, &[&money(lowest_fare(offer.fare))])}</span>
                        </span>
                    </span>
                })}
            </p>
        }
        .into_any()
    };
    let brand_group = format!("brand-{}", flight.id);
    let brand_choice = {
        let (number, departs) = (number.clone(), departs.clone());
        let choose = choose.clone();
        move || {
            let options = offers
                .get()
                .into_iter()
                .map(|offer| {
                    let brand = offer.brand;
                    let choose = choose.clone();
                    let terms_id = format!("{brand_group}-{}", brand.as_str());
                    view! {
                        <label class="brand-option">
                            <input type="radio" name=brand_group.clone() value=brand.as_str()
                                aria-describedby=terms_id.clone()
                                prop:checked=move || marked_brand.get() == brand
                                on:change=move |_| choose(marked.get_untracked(), brand) />
                            <span class="brand-text">
                                <span class="brand-name">{move || t(brand_name(brand))}</span>
                                " "
                                <span class="fare">{move || money(offer.fare)}</span>
                            </span>
                            <span class="brand-terms" id=terms_id>
                                <FareTerms conditions=offer.conditions currency=offer.fare.currency() />
                            </span>
                        </label>
                    }
                })
                .collect_view();
            let (number, departs) = (number.clone(), departs.clone());
            view! {
                <fieldset class="brands">
                    <legend class="visually-hidden">{move || tf(Msg::BrandsFor, &[&number, &departs])}</legend>
                    {options}
                </fieldset>
            }
        }
    };
    view! {
        <li class="card flight" class:chosen=move || is_chosen.get()>
            <div class="times" id=label_id.clone()>
                <span class="time">{flight.departure.local_time.clone()}</span>
                <span class="code">{flight.origin.code.clone()}</span>
                <span class="arrow" aria-hidden="true">"→"</span>
                <span class="time">{flight.arrival.local_time.clone()}</span>
                <span class="code">{flight.destination.code.clone()}</span>
                {move || day_offset(offset, locale()).map(|text| view! { <span class="offset">{text}</span> })}
            </div>
            <div class="details">
                <span>{move || duration(minutes, locale())}</span>
                <span>{flight.flight_number.clone()}</span>
                <span>{flight.aircraft.name.clone()}</span>
                {move || (seats_left <= FEW_SEATS).then(|| view! {
                    <span class="few">{tf(Msg::SeatsLeft, &[&seats_left.to_string()])}</span>
                })}
            </div>
            <div class="price">
                {cabin_choice}
                {brand_choice}
                <p class="price-note">
                    <span class="per">{move || t(Msg::PerPerson)}</span>
                    " "
                    <span class="total">{move || format!("{} {}", total().map(money).unwrap_or_default(), tf(Msg::TotalFor, &[&passengers.to_string()]))}</span>
                </p>
            </div>
            <button type="button" class="select secondary"
                aria-pressed=move || is_chosen.get().to_string()
                aria-label=move || {
                    // The visible word ("Select", "Selected") begins the name.
                    let label = if is_chosen.get() { Msg::SelectedFlight } else { Msg::SelectFlight };
                    let fare = format!("{} {}", t(cabin_name(marked.get())), t(brand_name(marked_brand.get())));
                    tf(label, &[&number, &departs, &fare])
                }
                on:click=move |_| choose(marked.get_untracked(), marked_brand.get_untracked())>
                {move || if is_chosen.get() { t(Msg::Selected) } else { t(Msg::Select) }}
            </button>
        </li>
    }
}

/// "1 flight" / "3 flights".
fn count(n: i64, one: Msg, many: Msg) -> String {
    if n == 1 {
        t(one).to_owned()
    } else {
        tf(many, &[&n.to_string()])
    }
}
