//! The traveller's language: chosen from the browser, switchable, remembered; and the
//! browser's `Intl` for dates and money in that language.

use airline_web_core::{Locale, Msg};
use js_sys::{Array, Object, Reflect};
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

/// "£1,234.50" / "1.234,50 £": an amount in minor units of a currency.
pub fn money(amount: i64, currency: &str, decimals: i64) -> String {
    let major = amount as f64 / 10f64.powi(decimals as i32);
    let format = js_sys::Intl::NumberFormat::new(
        &locales(),
        &options(&[("style", "currency"), ("currency", currency)]),
    );
    format
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(major))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{currency} {major:.2}"))
}

/// A whole number with the language's grouping: "52,300" / "52.300".
pub fn number(value: i64) -> String {
    let format = js_sys::Intl::NumberFormat::new(&locales(), &Object::new());
    format
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(value as f64))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| value.to_string())
}

/// A calendar date (`YYYY-MM-DD`, as the airport's calendar has it): "Thu, 10 Dec 2026".
/// Formatted in UTC so the browser's own zone cannot move it to another day.
pub fn date(local_date: &str) -> String {
    format_date(
        local_date,
        &[
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
        ],
    )
}

fn format_date(local_date: &str, fields: &[(&str, &str)]) -> String {
    let mut pairs = vec![("timeZone", "UTC")];
    pairs.extend_from_slice(fields);
    let value = js_sys::Date::new(&JsValue::from_str(&format!("{local_date}T12:00:00Z")));
    if value.get_time().is_nan() {
        return local_date.to_owned();
    }
    let format = js_sys::Intl::DateTimeFormat::new(&locales(), &options(&pairs));
    format
        .format()
        .call1(&JsValue::NULL, &value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| local_date.to_owned())
}

/// An instant (RFC 3339) as a date in the traveller's own zone.
pub fn instant_date(rfc3339: &str) -> String {
    let value = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if value.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let format = js_sys::Intl::DateTimeFormat::new(
        &locales(),
        &options(&[("day", "numeric"), ("month", "short"), ("year", "numeric")]),
    );
    format
        .format()
        .call1(&JsValue::NULL, &value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| rfc3339.to_owned())
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
