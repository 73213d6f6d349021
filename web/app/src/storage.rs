//! The checkout in progress, in session storage: it survives a reload and a detour through
//! sign-in, and belongs to this tab only.

use airline_web_core::checkout::Checkout;

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
