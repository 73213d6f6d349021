//! The traveller's language: chosen from the browser, switchable, remembered; and the
//! browser's `Intl` for dates and money in that language.

use airline_web_core::{Locale, Money, Msg};
use chrono::{DateTime, Utc};
use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

const STORAGE_KEY: &str = "locale";

thread_local! {
    // Reference-counted, not owned by a component: the language outlives every page.
    static LOCALE: ArcRwSignal<Locale> = ArcRwSignal::new(initial_locale());
}

fn initial_locale() -> Locale {
    let stored = local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag));
    stored.unwrap_or_else(|| {
        let languages: Vec<String> = web_sys::window()
            .map(|w| {
                w.navigator()
                    .languages()
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default();
        Locale::negotiate(languages.iter().map(String::as_str))
    })
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The current language (tracked: views that call it follow a switch).
pub fn locale() -> Locale {
    LOCALE.with(|l| l.get())
}

pub fn set_locale(locale: Locale) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(STORAGE_KEY, locale.tag());
    }
    set_document_lang(locale);
    LOCALE.with(|l| l.set(locale));
}

pub fn set_document_lang(locale: Locale) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

/// A message in the current language.
pub fn t(msg: Msg) -> &'static str {
    msg.text(locale())
}

/// A message with values filled in.
pub fn tf(msg: Msg, values: &[&str]) -> String {
    msg.fill(locale(), values)
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

fn locales() -> Array {
    Array::of1(&JsValue::from_str(locale().tag()))
}

/// Calls an `Intl` formatter's `format` on a value; `None` if the browser refuses.
fn apply(format: Function, value: &JsValue) -> Option<String> {
    format.call1(&JsValue::NULL, value).ok()?.as_string()
}

fn number_format(fields: &[(&str, &str)], value: f64) -> Option<String> {
    let format = js_sys::Intl::NumberFormat::new(&locales(), &options(fields));
    apply(format.format(), &JsValue::from_f64(value))
}

/// A date as the language writes it, with the given `Intl.DateTimeFormat` fields; `None`
/// for text that is no date.
fn date_format(value: &js_sys::Date, fields: &[(&str, &str)]) -> Option<String> {
    if value.get_time().is_nan() {
        return None;
    }
    let format = js_sys::Intl::DateTimeFormat::new(&locales(), &options(fields));
    apply(format.format(), value)
}

/// "£1,234.50" / "1.234,50 £".
pub fn money(amount: Money) -> String {
    let currency = amount.currency();
    let major = amount.amount_minor() as f64 / currency.minor_per_major() as f64;
    number_format(
        &[("style", "currency"), ("currency", currency.code())],
        major,
    )
    .unwrap_or_else(|| format!("{currency} {major:.2}"))
}

/// A whole number with the language's grouping: "52,300" / "52.300".
pub fn number(value: i64) -> String {
    number_format(&[], value as f64).unwrap_or_else(|| value.to_string())
}

/// A calendar date (`YYYY-MM-DD`, as the airport's calendar has it): "Thu, 10 Dec 2026".
/// Formatted at noon UTC in UTC, so the browser's own zone cannot move it to another day.
pub fn date(local_date: &str) -> String {
    let noon = js_sys::Date::new(&JsValue::from_str(&format!("{local_date}T12:00:00Z")));
    let fields = [
        ("timeZone", "UTC"),
        ("weekday", "short"),
        ("day", "numeric"),
        ("month", "short"),
        ("year", "numeric"),
    ];
    date_format(&noon, &fields).unwrap_or_else(|| local_date.to_owned())
}

/// An instant as a date in the traveller's own zone.
pub fn instant_date(instant: DateTime<Utc>) -> String {
    let value = js_sys::Date::new(&JsValue::from_f64(instant.timestamp_millis() as f64));
    let fields = [("day", "numeric"), ("month", "short"), ("year", "numeric")];
    date_format(&value, &fields).unwrap_or_else(|| instant.date_naive().to_string())
}

/// Now, by the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Today's date in the traveller's zone, which is what "no past dates" means to them.
pub fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}
