//! The search form: where from and to, when, how many. Valid input goes to the results
//! page as a URL, so the search can be shared, reloaded and gone back to. The search page
//! shows it, and the results show it again to change the search.

use airline_web_core::search::{last_bookable_date, Search, SearchDraft, SearchField};
use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::{AirportBox, TextField};
use crate::i18n::{t, today};

/// The form, empty or pre-filled with a search to change.
#[component]
pub fn SearchForm(initial: Option<Search>) -> impl IntoView {
    let draft = initial
        .as_ref()
        .map(Search::draft)
        .unwrap_or_else(|| SearchDraft {
            passengers: "1".into(),
            ..SearchDraft::default()
        });
    let from = RwSignal::new(draft.from);
    let to = RwSignal::new(draft.to);
    let depart = RwSignal::new(draft.depart);
    let back = RwSignal::new(draft.return_date);
    let round_trip = RwSignal::new(draft.round_trip);
    let passengers = RwSignal::new(draft.passengers);
    let problems = RwSignal::new(Vec::<(SearchField, Msg)>::new());
    let swaps = RwSignal::new(0u32);
    let navigate = use_navigate();

    let error_of = move |field: SearchField| {
        Signal::derive(move || {
            problems
                .get()
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, msg)| t(*msg).to_owned())
        })
    };
    let min_date = Signal::derive(|| today().to_string());
    let max_date = Signal::derive(|| last_bookable_date(today()).to_string());
    let min_return = Signal::derive(move || {
        let departure = depart.get();
        if departure.is_empty() {
            today().to_string()
        } else {
            departure
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = SearchDraft {
            from: from.get_untracked(),
            to: to.get_untracked(),
            depart: depart.get_untracked(),
            return_date: back.get_untracked(),
            round_trip: round_trip.get_untracked(),
            passengers: passengers.get_untracked(),
        };
        match draft.validate(today()) {
            Ok(search) => {
                problems.set(Vec::new());
                navigate(
                    &format!("/flights?{}", search.to_query()),
                    Default::default(),
                );
            }
            Err(found) => {
                let first = found.first().map(|(field, _)| *field);
                problems.set(found);
                if let Some(field) = first {
                    crate::components::focus(input_id(field));
                }
            }
        }
    };
    let swap = move |_| {
        let (a, b) = (from.get_untracked(), to.get_untracked());
        from.set(b);
        to.set(a);
        swaps.update(|n| *n += 1);
    };

    view! {
        <form class="card search-form" on:submit=submit novalidate>
            <fieldset class="trip-type">
                <legend>{move || t(Msg::TripType)}</legend>
                <label>
                    <input type="radio" name="trip" value="oneway"
                        prop:checked=move || !round_trip.get()
                        on:change=move |_| round_trip.set(false) />
                    {move || t(Msg::OneWay)}
                </label>
                <label>
                    <input type="radio" name="trip" value="return"
                        prop:checked=move || round_trip.get()
                        on:change=move |_| round_trip.set(true) />
                    {move || t(Msg::RoundTrip)}
                </label>
            </fieldset>
            <div class="route">
                {move || {
                    // Re-created on swap so each box shows its new airport.
                    swaps.track();
                    view! {
                        <AirportBox id="from" label=Signal::derive(|| t(Msg::From).to_owned()) code=from error=error_of(SearchField::From) />
                        <AirportBox id="to" label=Signal::derive(|| t(Msg::To).to_owned()) code=to error=error_of(SearchField::To) />
                    }
                }}
                <button type="button" class="swap" on:click=swap aria-label=move || t(Msg::SwapAirports)>"⇄"</button>
            </div>
            <div class="dates">
                <TextField id="date" kind="date" label=Signal::derive(|| t(Msg::Departure).to_owned())
                    value=depart error=error_of(SearchField::Date) min=min_date max=max_date required=true />
                <Show when=move || round_trip.get()>
                    <TextField id="return" kind="date" label=Signal::derive(|| t(Msg::ReturnDate).to_owned())
                        value=back error=error_of(SearchField::Return) min=min_return max=max_date required=true />
                </Show>
                <TextField id="passengers" kind="number" inputmode="numeric"
                    label=Signal::derive(|| t(Msg::Passengers).to_owned())
                    value=passengers error=error_of(SearchField::Passengers)
                    min=Signal::derive(|| "1".to_owned()) max=Signal::derive(|| "9".to_owned()) required=true />
            </div>
            <button type="submit" class="primary">{move || t(Msg::SearchButton)}</button>
        </form>
    }
}

fn input_id(field: SearchField) -> &'static str {
    match field {
        SearchField::From => "from",
        SearchField::To => "to",
        SearchField::Date => "date",
        SearchField::Return => "return",
        SearchField::Passengers => "passengers",
    }
}
