//! The name of every var and secret the Worker reads, as wrangler.toml and the README's
//! configuration table spell them, and the lists the checks go by: every build refuses a
//! wrangler.toml environment that lacks a var, and `cargo xtask deploy` one that lacks a
//! secret. How a value is read is `airline_platform::config`'s; what it means is decided
//! by the code that asks for it.

/// Comma-separated browser origins allowed to call the API; empty means same-origin only.
pub const CORS_ALLOWED_ORIGINS: &str = "CORS_ALLOWED_ORIGINS";
/// Secret: Ed25519 signing keys, `kid:base64url-seed` entries, newest first.
pub const JWT_SIGNING_KEYS: &str = "JWT_SIGNING_KEYS";
pub const JWT_ISSUER: &str = "JWT_ISSUER";
pub const JWT_AUDIENCE: &str = "JWT_AUDIENCE";
/// Seconds an access token is valid; unset or empty means the default (15 minutes).
pub const ACCESS_TOKEN_TTL_SECONDS: &str = "ACCESS_TOKEN_TTL_SECONDS";
/// Optional external OpenID Connect issuer: its `iss`, the `aud` to require, its JWKS
/// document (JSON), the claim holding group names, and the group that means admin.
pub const OIDC_ISSUER: &str = "OIDC_ISSUER";
pub const OIDC_AUDIENCE: &str = "OIDC_AUDIENCE";
pub const OIDC_JWKS: &str = "OIDC_JWKS";
pub const OIDC_GROUPS_CLAIM: &str = "OIDC_GROUPS_CLAIM";
pub const OIDC_ADMIN_GROUP: &str = "OIDC_ADMIN_GROUP";
/// Secret: the services allowed to call `GET /loyalty/{customerId}` (`id:secret,...`).
pub const LOYALTY_SERVICE_KEYS: &str = "LOYALTY_SERVICE_KEYS";
/// `sandbox` (the default) or `stripe`.
pub const PAYMENT_PROVIDER: &str = "PAYMENT_PROVIDER";
/// Secret, with `stripe`: Stripe's secret key.
pub const STRIPE_SECRET_KEY: &str = "STRIPE_SECRET_KEY";
/// With `stripe`: where Stripe's API is (default `https://api.stripe.com`); local runs
/// point it at the sandbox's Stripe-compatible face.
pub const STRIPE_API_BASE: &str = "STRIPE_API_BASE";
/// `on` serves the sandbox's Stripe-compatible API under `/sandbox/stripe/v1/`; anything
/// else (the default) answers 404 there. Never on in production.
pub const STRIPE_SANDBOX_API: &str = "STRIPE_SANDBOX_API";
pub const HOLD_TTL_SECONDS: &str = "HOLD_TTL_SECONDS";
pub const BOOKING_DEADLINE_SECONDS: &str = "BOOKING_DEADLINE_SECONDS";
pub const RETRY_FIRST_DELAY_MS: &str = "RETRY_FIRST_DELAY_MS";
/// Seconds the reconciliation job leaves an event, booking or payment to settle before
/// it judges it.
pub const RECONCILE_GRACE_SECONDS: &str = "RECONCILE_GRACE_SECONDS";
/// Seconds an anonymous GET query's answer (a flight search) is served from the edge
/// cache; 0 turns the cache off.
pub const SEARCH_CACHE_TTL_SECONDS: &str = "SEARCH_CACHE_TTL_SECONDS";
/// Days without ledger activity after which a customer's points expire.
pub const POINTS_EXPIRE_AFTER_DAYS: &str = "POINTS_EXPIRE_AFTER_DAYS";
/// `on` prints a line per platform call (`trace`); the bench sets it, nothing deployed
/// does.
pub const TRACE_PLATFORM_CALLS: &str = "TRACE_PLATFORM_CALLS";
/// Round trips a far traveller pays, waited before each call (`trace::FarEdge`); the
/// bench sets it, nothing deployed does.
pub const FAR_EDGE_MODEL: &str = "FAR_EDGE_MODEL";

/// The vars the Worker reads that every environment in wrangler.toml must set (to the
/// default, if nothing else), so "works locally, missing in production" cannot ship.
pub const VARS: [&str; 12] = [
    CORS_ALLOWED_ORIGINS,
    JWT_ISSUER,
    JWT_AUDIENCE,
    ACCESS_TOKEN_TTL_SECONDS,
    PAYMENT_PROVIDER,
    STRIPE_SANDBOX_API,
    HOLD_TTL_SECONDS,
    BOOKING_DEADLINE_SECONDS,
    RETRY_FIRST_DELAY_MS,
    RECONCILE_GRACE_SECONDS,
    SEARCH_CACHE_TTL_SECONDS,
    POINTS_EXPIRE_AFTER_DAYS,
];

/// Vars read only when set: an external identity provider, Stripe's API base, and the
/// bench's call trace.
pub const OPTIONAL_VARS: [&str; 8] = [
    OIDC_ISSUER,
    OIDC_AUDIENCE,
    OIDC_JWKS,
    OIDC_GROUPS_CLAIM,
    OIDC_ADMIN_GROUP,
    STRIPE_API_BASE,
    TRACE_PLATFORM_CALLS,
    FAR_EDGE_MODEL,
];

/// Secrets every deployed environment needs (`wrangler secret put NAME --env ENV`);
/// `cargo xtask deploy` checks each exists before it deploys.
pub const SECRETS: [&str; 2] = [JWT_SIGNING_KEYS, LOYALTY_SERVICE_KEYS];

/// Secrets an environment with `PAYMENT_PROVIDER = "stripe"` needs as well.
pub const STRIPE_SECRETS: [&str; 1] = [STRIPE_SECRET_KEY];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name this file declares is in exactly one of the lists above, so a new
    /// setting cannot be forgotten by the checks that read them.
    #[test]
    fn every_setting_is_listed_once() {
        let source = include_str!("settings.rs");
        let declared: Vec<&str> = source
            .lines()
            .filter_map(|line| line.strip_prefix("pub const "))
            .filter(|rest| rest.contains(": &str = "))
            .filter_map(|rest| rest.split(':').next())
            .collect();
        let listed: Vec<&str> = VARS
            .iter()
            .chain(&OPTIONAL_VARS)
            .chain(&SECRETS)
            .chain(&STRIPE_SECRETS)
            .copied()
            .collect();
        assert_eq!(declared.len(), listed.len(), "{declared:?} vs {listed:?}");
        for name in declared {
            assert_eq!(
                listed.iter().filter(|listed| **listed == name).count(),
                1,
                "{name} is listed once"
            );
        }
    }
}
