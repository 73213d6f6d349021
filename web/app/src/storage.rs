//! What the app keeps in the browser: the checkout in progress, in session storage (it
//! survives a reload and a detour through sign-in, and belongs to this tab only); and the
//! bookings changed moments ago, in local storage (every tab shows them, see
//! [`airline_web_core::recent`]).

use airline_web_core::checkout::Checkout;
use airline_web_core::recent::RecentChanges;

const KEY: &str = "checkout";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn load() -> Option<Checkout> {
    let text = storage()?.get_item(KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

pub fn save(checkout: &Checkout) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(checkout)) {
        let _ = storage.set_item(KEY, &text);
    }
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// 16 random bytes from the browser's CSPRNG.
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

const RECENT_KEY: &str = "recent-bookings";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn recent() -> RecentChanges {
    local()
        .and_then(|storage| storage.get_item(RECENT_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Booking `id` was made or changed just now.
pub fn note_recent(id: &str) {
    let mut changes = recent();
    changes.note(id, js_sys::Date::now());
    if let (Some(storage), Ok(text)) = (local(), serde_json::to_string(&changes)) {
        let _ = storage.set_item(RECENT_KEY, &text);
    }
}

/// The bookings made or changed moments ago, for the API to read from themselves.
pub fn recent_ids() -> Vec<String> {
    recent().ids(js_sys::Date::now())
}
