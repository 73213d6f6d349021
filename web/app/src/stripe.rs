//! Stripe.js's card element, for a deployment whose Worker takes payments with Stripe
//! (`PAYMENT_PROVIDER=stripe`). The card never touches this app: Stripe's own iframe takes
//! it and turns it into a PaymentMethod id (`pm_…`), which the booking sends as its payment
//! token. The build (`cargo xtask build-web`) writes the publishable key into index.html and
//! lets Stripe's origins into the page's CSP; without the key the page shows the sandbox's
//! card form instead.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Stripe.js, always from Stripe (their terms forbid bundling or self-hosting it).
const STRIPE_JS: &str = "https://js.stripe.com/v3/";

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type StripeJs;
    #[wasm_bindgen(catch, js_name = Stripe)]
    fn stripe_js(publishable_key: &str, options: &JsValue) -> Result<StripeJs, JsValue>;
    #[wasm_bindgen(method)]
    fn elements(this: &StripeJs) -> Elements;
    #[wasm_bindgen(method, catch, js_name = createPaymentMethod)]
    fn create_payment_method(this: &StripeJs, options: &JsValue) -> Result<Promise, JsValue>;

    type Elements;
    #[wasm_bindgen(method, catch)]
    fn create(this: &Elements, kind: &str, options: &JsValue) -> Result<CardElement, JsValue>;

    #[derive(Clone)]
    type CardElement;
    #[wasm_bindgen(method, catch)]
    fn mount(this: &CardElement, selector: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn focus(this: &CardElement);
}

/// The publishable key this build was made with, if it takes payments with Stripe.
pub fn publishable_key() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(r#"meta[name="stripe-publishable-key"]"#)
        .ok()??
        .get_attribute("content")
        .filter(|key| !key.is_empty())
}

/// A mounted card element.
#[derive(Clone)]
pub struct Card {
    stripe: StripeJs,
    element: CardElement,
}

/// Loads Stripe.js and mounts its card element into the element `selector` names, in the
/// app's language. The error is for the traveller: Stripe could not be reached.
pub async fn mount(publishable_key: &str, selector: &str, locale: &str) -> Result<Card, ()> {
    load_stripe_js().await.map_err(|_| ())?;
    let options = Object::new();
    Reflect::set(&options, &"locale".into(), &locale.into()).map_err(|_| ())?;
    let stripe = stripe_js(publishable_key, &options).map_err(|_| ())?;
    let element = stripe
        .elements()
        .create("card", &Object::new())
        .map_err(|_| ())?;
    element.mount(selector).map_err(|_| ())?;
    Ok(Card { stripe, element })
}

impl Card {
    /// The card as a PaymentMethod id, or Stripe's own explanation of what is wrong with
    /// it (already in the traveller's language).
    pub async fn payment_method(&self) -> Result<String, Option<String>> {
        let options = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&options, &key.into(), value);
        set("type", &"card".into()).map_err(|_| None)?;
        set("card", &self.element).map_err(|_| None)?;
        let promise = self
            .stripe
            .create_payment_method(&options)
            .map_err(|_| None)?;
        let answer = JsFuture::from(promise).await.map_err(|_| None)?;
        let read = |path: &[&str]| {
            path.iter()
                .try_fold(answer.clone(), |value, key| {
                    Reflect::get(&value, &(*key).into()).ok()
                })
                .and_then(|value| value.as_string())
        };
        match read(&["paymentMethod", "id"]) {
            Some(id) => Ok(id),
            None => Err(read(&["error", "message"])),
        }
    }

    pub fn focus(&self) {
        self.element.focus();
    }
}

/// Adds Stripe.js's script to the page once and waits for it.
async fn load_stripe_js() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    if Reflect::has(&window, &"Stripe".into())? {
        return Ok(());
    }
    let document = window.document().ok_or(JsValue::NULL)?;
    let script: web_sys::HtmlScriptElement = document.create_element("script")?.unchecked_into();
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    script.set_src(STRIPE_JS);
    document
        .head()
        .ok_or(JsValue::NULL)?
        .append_child(&script)?;
    JsFuture::from(loaded).await.map(|_| ())
}
