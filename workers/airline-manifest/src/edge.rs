//! What the Worker promises at its edge: the Content-Security-Policies and security headers
//! on what it serves, and the paths it answers before the static assets. The Worker sets
//! them (`airline_edge::http`); the web build writes them into the assets' `_headers`, and
//! every build compares the paths with wrangler.toml's `run_worker_first`.

/// The one place the Content-Security-Policy is written: the Worker's own HTML (GraphiQL)
/// and the web app differ in `script-src`, and a web app whose card form is Stripe.js's
/// also lets in Stripe's script, frames and API. Fonts may be `data:` URIs because
/// GraphiQL's stylesheet embeds its fonts that way. Styles may not be inline: checked in
/// Chromium, GraphiQL 3.8.3 renders, runs queries and opens its dialogs under
/// `style-src 'self'`; the one thing refused is the `<style>` its dialogs inject to stop
/// the page behind them scrolling, and the GraphiQL page never scrolls (it is exactly one
/// window high), so `'unsafe-inline'` would buy nothing.
macro_rules! content_security_policy {
    (script: $script_src:literal, connect: $connect_src:literal, frames: $frames:literal) => {
        concat!(
            "default-src 'self'; script-src ",
            $script_src,
            "; style-src 'self'; img-src 'self' data:; font-src 'self' data:; ",
            "connect-src ",
            $connect_src,
            "; ",
            $frames,
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    };
}

/// The policy on HTML the Worker renders (GraphiQL): scripts and styles from this origin
/// only, so an injected `<script>` or inline handler cannot run.
pub const CONTENT_SECURITY_POLICY: &str =
    content_security_policy!(script: "'self'", connect: "'self'", frames: "");
/// The web app's policy (written to its `_headers` by the web build): the same plus
/// `'wasm-unsafe-eval'`, which compiling its WebAssembly needs; it allows no JavaScript
/// `eval`.
pub const APP_CONTENT_SECURITY_POLICY: &str =
    content_security_policy!(script: "'self' 'wasm-unsafe-eval'", connect: "'self'", frames: "");
/// The web app's policy when Stripe takes the money: Stripe.js's script and iframes, and
/// its API, which turns the card into a PaymentMethod without the card reaching us.
pub const APP_CONTENT_SECURITY_POLICY_STRIPE: &str = content_security_policy!(
    script: "'self' https://js.stripe.com 'wasm-unsafe-eval'",
    connect: "'self' https://api.stripe.com",
    frames: "frame-src https://js.stripe.com https://hooks.stripe.com; "
);

/// Never guess a type from the bytes: a JSON error echoing input is not HTML.
pub const NOSNIFF: (&str, &str) = ("X-Content-Type-Options", "nosniff");

/// Headers on every HTML page the Worker serves. HSTS tells browsers to use HTTPS only for
/// two years; they ignore it over plain HTTP, so local development is unaffected.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    NOSNIFF,
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    (
        "Strict-Transport-Security",
        "max-age=63072000; includeSubDomains",
    ),
    ("X-Frame-Options", "DENY"),
];

/// Every path the Worker answers before the static assets are consulted, exactly as
/// wrangler.toml's `[assets] run_worker_first` lists them (every build compares:
/// xtask/src/wrangler_config.rs). Any other path is the web app's: a file, or `index.html`
/// for its client-side routes.
///
/// `/__scheduled` is `wrangler dev --test-scheduled`'s way to run the Cron Trigger
/// handler; left to the assets, it would get `index.html`. Deployed, the Worker answers it
/// 404 like any path it does not serve.
pub const WORKER_FIRST_PATHS: [&str; 8] = [
    "/graphql",
    "/healthz",
    "/loyalty/*",
    "/auth/*",
    "/assets/*",
    "/graphiql/*",
    "/__scheduled",
    "/sandbox/*",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_policies_differ_only_in_script_src() {
        assert_eq!(
            APP_CONTENT_SECURITY_POLICY.replace(" 'wasm-unsafe-eval'", ""),
            CONTENT_SECURITY_POLICY
        );
        for directive in [
            "default-src 'self'",
            "script-src 'self';",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "connect-src 'self'",
        ] {
            assert!(CONTENT_SECURITY_POLICY.contains(directive), "{directive}");
        }
        for loose in ["unsafe-inline", "unsafe-eval'", "*", "http:", "https:"] {
            assert!(!CONTENT_SECURITY_POLICY.contains(loose), "{loose}");
        }
    }

    #[test]
    fn stripe_s_policy_adds_stripe_s_origins_and_nothing_else() {
        let added = APP_CONTENT_SECURITY_POLICY_STRIPE
            .replace(" https://js.stripe.com", "")
            .replace(" https://api.stripe.com", "")
            .replace("frame-src https://hooks.stripe.com; ", "");
        assert_eq!(added, APP_CONTENT_SECURITY_POLICY);
    }
}
