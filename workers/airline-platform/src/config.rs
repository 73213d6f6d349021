//! How the Worker's configuration is read, the same way in the Worker and in both Durable
//! Objects. The names of the vars and secrets, and the lists the checks go by, are
//! `airline_manifest::settings`', re-exported here. What a value means is decided by the
//! code that asks for it.

use std::ops::RangeInclusive;

use worker::Env;

pub use airline_manifest::settings::*;

/// A var's text, if it is set.
pub fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|value| value.to_string())
}

/// A var's text, or `default` when it is not set.
pub fn var_or(env: &Env, name: &str, default: &str) -> String {
    var(env, name).unwrap_or_else(|| default.to_owned())
}

/// A secret's text, or a var of the same name (local runs put secrets in `.dev.vars`,
/// tests pass them with `--var`).
pub fn secret_or_var(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .ok()
        .map(|secret| secret.to_string())
        .or_else(|| var(env, name))
}

/// A whole number in `range`, or `default` when it is unset, not a number, or out of range.
pub fn number_in(env: &Env, name: &str, default: i64, range: RangeInclusive<i64>) -> i64 {
    var(env, name)
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|number| range.contains(number))
        .unwrap_or(default)
}
