//! Pieces every page uses: labelled inputs that announce their errors, the airport
//! combobox, alerts, loading skeletons and a fare's conditions.

use airline_web_core::brand::{conditions_in_words, FareConditions};
use airline_web_core::{Currency, Msg};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{self, Airports, CallError};
use crate::i18n::{money, t, tf};

/// A labelled input with an optional hint and an error that is tied to it
/// (`aria-describedby`, `aria-invalid`) and announced when it appears.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional, into)] min: Option<Signal<String>>,
    #[prop(optional, into)] max: Option<Signal<String>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{move || label.get()}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{move || hint.get()}</p> })}
            <input
                id=id.clone()
                name=id
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                min=move || min.map(|m| m.get())
                max=move || max.map(|m| m.get())
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <FieldError id=error_id error=error />
        </div>
    }
}

/// The error under an input; `role="alert"` so a screen reader reads it as it appears.
#[component]
pub fn FieldError(id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" id=id role="alert">
            {move || error.get()}
        </p>
    }
}

/// A problem with a whole page or form, with the API's request id when it gave one.
#[component]
pub fn Alert(#[prop(into)] error: Signal<Option<CallError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! { <div class="alert" role="alert">{describe(&error)}</div> }
        })
    }
}

/// Words for an error that belongs to no single input.
pub fn describe(error: &CallError) -> String {
    match error {
        CallError::Network => t(Msg::NetworkError).to_owned(),
        CallError::Api {
            code, request_id, ..
        } if code == "INTERNAL" => tf(Msg::InternalError, &[request_id.as_deref().unwrap_or("-")]),
        CallError::Api {
            code, retry_after, ..
        } if code == "RATE_LIMITED" => tf(
            Msg::ErrRateLimited,
            &[&retry_after.unwrap_or(60).to_string()],
        ),
        CallError::Api { message, .. } => message.clone(),
    }
}

/// "Show more" under a list read a page at a time: there while the list has a next page,
/// saying "Loading…" (and refusing a second click) while that page comes.
#[component]
pub fn MoreButton<F>(
    #[prop(into)] cursor: Signal<Option<String>>,
    #[prop(into)] loading: Signal<bool>,
    label: Msg,
    on_more: F,
) -> impl IntoView
where
    F: Fn() + Clone + Send + Sync + 'static,
{
    move || {
        let on_more = on_more.clone();
        cursor.get().is_some().then(|| {
            view! {
                <button type="button" class="secondary more" disabled=move || loading.get()
                    on:click=move |_| on_more()>
                    {move || if loading.get() { t(Msg::Loading) } else { t(label) }}
                </button>
            }
        })
    }
}

/// What a fare allows, per passenger and flight, as a short list: bags, refund, changes
/// (fees in `currency`, the fare's). The same words in the results, the checkout and the
/// trip, so what was shown before paying is what the trip says was bought.
#[component]
pub fn FareTerms(conditions: FareConditions, currency: Currency) -> impl IntoView {
    let lines = conditions_in_words(conditions, currency)
        .into_iter()
        .map(|(message, amount)| {
            view! {
                <li>{move || match amount {
                    Some(amount) => tf(message, &[&money(amount)]),
                    None => t(message).to_owned(),
                }}</li>
            }
        })
        .collect_view();
    view! { <ul class="fare-terms">{lines}</ul> }
}

/// Grey placeholder cards while a list loads.
#[component]
pub fn Skeleton(#[prop(default = 3)] count: usize) -> impl IntoView {
    view! {
        <div class="skeletons" aria-busy="true">
            <span class="visually-hidden" role="status">{move || t(Msg::Loading)}</span>
            {(0..count).map(|_| view! { <div class="card skeleton" aria-hidden="true"></div> }).collect_view()}
        </div>
    }
}

/// An airport picker following the ARIA combobox pattern: type part of a city, name or
/// code (accents optional), pick with arrow keys and Enter or with a tap. `code` holds the
/// chosen airport's code; typing again clears it until a new choice is made.
#[component]
pub fn AirportBox(
    id: &'static str,
    label: Signal<String>,
    code: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let options = RwSignal::new(Vec::<api::airports::AirportsAirports>::new());
    let request = StoredValue::new(0u32);
    let list_id = format!("{id}-list");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");

    // Show the chosen airport's code when the form is filled from a URL.
    Effect::new(move |_| {
        let chosen = code.get();
        if !chosen.is_empty() && text.get_untracked().is_empty() {
            text.set(chosen);
        }
    });

    let lookup = move |query: String| {
        request.update_value(|n| *n += 1);
        let ticket = request.get_value();
        leptos::task::spawn_local(async move {
            // Let fast typing settle before asking.
            crate::session::sleep(150).await;
            if request.get_value() != ticket {
                return;
            }
            let found = api::run::<Airports>(api::airports::Variables {
                search: Some(query),
            })
            .await;
            if request.get_value() != ticket {
                return;
            }
            let found = found.map(|data| data.airports).unwrap_or_default();
            active.set(None);
            open.set(true);
            options.set(found);
        });
    };
    let choose = move |index: usize| {
        if let Some(airport) = options.get_untracked().get(index) {
            code.set(airport.code.clone());
            text.set(format!("{} ({})", airport.city, airport.code));
            open.set(false);
            active.set(None);
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        // A bare three-letter code counts as a choice; anything else waits for one.
        let trimmed = value.trim();
        if trimmed.len() == 3 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            code.set(trimmed.to_ascii_uppercase());
        } else {
            code.set(String::new());
        }
        if trimmed.is_empty() {
            open.set(false);
            options.set(Vec::new());
        } else {
            lookup(trimmed.to_owned());
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = options.get_untracked().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" if open.get_untracked() => {
                if let Some(index) = active.get_untracked() {
                    ev.prevent_default();
                    choose(index);
                } else if count == 1 {
                    ev.prevent_default();
                    choose(0);
                }
            }
            "Escape" => {
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    let option_id = move |index: usize| format!("{id}-option-{index}");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            if error.get().is_some() {
                format!("{hint_id} {error_id}")
            } else {
                hint_id.clone()
            }
        }
    };

    view! {
        <div class="field combobox" class:invalid=move || error.get().is_some()>
            <label for=id>{move || label.get()}</label>
            <p class="hint" id=hint_id.clone()>{move || t(Msg::AirportHint)}</p>
            <input
                id=id
                type="text"
                role="combobox"
                autocomplete="off"
                spellcheck="false"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || if open.get() && !options.get().is_empty() { "true" } else { "false" }
                aria-activedescendant=move || active.get().map(option_id)
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| {
                    // Leave time for a tap on an option to land first.
                    leptos::task::spawn_local(async move {
                        crate::session::sleep(150).await;
                        open.set(false);
                    });
                }
            />
            <ul
                id=list_id.clone()
                role="listbox"
                class="options"
                aria-label=move || label.get()
                hidden=move || !open.get() || options.get().is_empty()
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(index, airport)| {
                            view! {
                                <li
                                    id=option_id(index)
                                    role="option"
                                    aria-selected=move || if active.get() == Some(index) { "true" } else { "false" }
                                    class:active=move || active.get() == Some(index)
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        choose(index);
                                    }
                                >
                                    <span class="code">{airport.code.clone()}</span>
                                    " "
                                    <span>{format!("{} · {}", airport.city, airport.name)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || {
                    if !open.get() {
                        String::new()
                    } else if options.get().is_empty() {
                        t(Msg::NoAirports).to_owned()
                    } else {
                        tf(Msg::AirportsFound, &[&options.get().len().to_string()])
                    }
                }}
            </p>
            <FieldError id=error_id error=error />
        </div>
    }
}

/// Moves keyboard focus to an element by id (after a page change, to its heading).
pub fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
