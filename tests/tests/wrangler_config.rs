//! wrangler.toml against the Worker's code: every environment (the top level that `wrangler
//! dev` runs, `staging`, `production`) has every binding the Worker reads
//! (`airline_platform::bindings::ALL`), every var (`config::VARS`), a consumer for each
//! queue it produces to and for each dead-letter queue, and the payment settings its
//! purpose needs; scripts/deploy.sh checks every secret (`config::SECRETS`) before a
//! deploy. So "works locally, missing in production" cannot ship. No server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use airline_e2e::workspace_root;
use airline_platform::bindings;
use airline_platform::config::{SECRETS, STRIPE_SECRETS, VARS};
use toml::{Table, Value};

fn config() -> Table {
    let text = std::fs::read_to_string(workspace_root().join("wrangler.toml")).unwrap();
    text.parse::<Table>().expect("wrangler.toml is TOML")
}

/// The environments to check: the top level as `local`, then each `[env.NAME]`.
fn environments(config: &Table) -> Vec<(String, Table)> {
    let mut all = vec![("local".to_owned(), config.clone())];
    if let Some(Value::Table(envs)) = config.get("env") {
        for (name, section) in envs {
            all.push((
                name.clone(),
                section.as_table().cloned().unwrap_or_default(),
            ));
        }
    }
    all
}

fn array<'a>(table: &'a Table, key: &str) -> Vec<&'a Table> {
    table
        .get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default()
}

fn text<'a>(table: &'a Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(Value::as_str)
}

/// What is missing or wrong in one environment, in words; empty when it is complete.
/// `top` is the whole file: the keys wrangler lets an environment inherit (assets,
/// triggers, migrations) are read from there.
fn problems(name: &str, env: &Table, top: &Table) -> Vec<String> {
    let mut found = Vec::new();
    let mut bound = BTreeSet::new();
    for db in array(env, "d1_databases") {
        bound.extend(text(db, "binding"));
        if text(db, "migrations_dir") != Some("migrations") {
            found.push(format!("{name}: D1 {db:?} does not apply migrations/"));
        }
    }
    let durable = env.get("durable_objects").and_then(Value::as_table);
    for object in durable.map(|d| array(d, "bindings")).unwrap_or_default() {
        bound.extend(text(object, "name"));
    }
    let queues = env.get("queues").and_then(Value::as_table);
    let producers = queues.map(|q| array(q, "producers")).unwrap_or_default();
    let consumers = queues.map(|q| array(q, "consumers")).unwrap_or_default();
    for producer in &producers {
        bound.extend(text(producer, "binding"));
    }
    let assets = env
        .get("assets")
        .or_else(|| top.get("assets"))
        .and_then(Value::as_table);
    bound.extend(assets.and_then(|a| text(a, "binding")));
    for binding in bindings::ALL {
        if !bound.contains(binding) {
            found.push(format!("{name}: no binding {binding}"));
        }
    }

    let consumed: BTreeSet<&str> = consumers.iter().filter_map(|c| text(c, "queue")).collect();
    let mut owed: Vec<&str> = producers.iter().filter_map(|p| text(p, "queue")).collect();
    owed.extend(
        consumers
            .iter()
            .filter_map(|c| text(c, "dead_letter_queue")),
    );
    for queue in owed {
        if !consumed.contains(queue) {
            found.push(format!("{name}: nothing consumes queue {queue}"));
        }
        if airline_platform::QueueKind::of(queue).is_none() {
            found.push(format!(
                "{name}: the Worker does not know queue {queue} by its name"
            ));
        }
    }

    let vars = env.get("vars").and_then(Value::as_table);
    for var in VARS {
        if vars.and_then(|v| v.get(var)).is_none() {
            found.push(format!("{name}: no var {var}"));
        }
    }
    found
}

fn deployed(config: &Table, name: &str) -> Table {
    config["env"][name].as_table().cloned().unwrap()
}

#[test]
fn every_environment_has_what_the_worker_reads() {
    let config = config();
    let envs = environments(&config);
    let names: Vec<&str> = envs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["local", "production", "staging"]);
    let found: Vec<String> = envs
        .iter()
        .flat_map(|(name, env)| problems(name, env, &config))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The check is not vacuous: take a binding, a var or a queue consumer away from one
/// environment and it names what is missing.
#[test]
fn a_removed_binding_var_or_consumer_is_named() {
    let config = config();
    let mut staging = deployed(&config, "staging");
    staging["durable_objects"]["bindings"]
        .as_array_mut()
        .unwrap()
        .retain(|object| object["name"].as_str() != Some(bindings::FLIGHT_INVENTORY));
    staging["vars"]
        .as_table_mut()
        .unwrap()
        .remove("HOLD_TTL_SECONDS");
    staging["queues"]["consumers"]
        .as_array_mut()
        .unwrap()
        .retain(|consumer| consumer["queue"].as_str() != Some("notifications-staging"));
    let found = problems("staging", &staging, &config);
    assert_eq!(
        found,
        [
            "staging: no binding FLIGHT_INVENTORY",
            "staging: nothing consumes queue notifications-staging",
            "staging: no var HOLD_TTL_SECONDS",
        ]
    );
}

/// Each environment keeps its own data: no two share a D1 database or a queue.
#[test]
fn environments_share_no_database_and_no_queue() {
    let config = config();
    let mut seen = BTreeSet::new();
    for (name, env) in environments(&config) {
        let mut own: Vec<String> = array(&env, "d1_databases")
            .iter()
            .filter_map(|db| text(db, "database_name").map(|n| format!("d1 {n}")))
            .collect();
        if let Some(queues) = env.get("queues").and_then(Value::as_table) {
            own.extend(
                array(queues, "producers")
                    .iter()
                    .filter_map(|q| text(q, "queue").map(|n| format!("queue {n}"))),
            );
        }
        for resource in own {
            assert!(seen.insert(resource.clone()), "{name} shares {resource}");
        }
    }
}

/// Staging takes no real money and production takes nothing else; neither serves the
/// sandbox's Stripe-compatible API.
#[test]
fn payments_fit_each_environment() {
    let config = config();
    let var = |env: &str, key: &str| {
        deployed(&config, env)["vars"][key]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(var("staging", "PAYMENT_PROVIDER"), "sandbox");
    assert_eq!(var("production", "PAYMENT_PROVIDER"), "stripe");
    for env in ["staging", "production"] {
        assert_eq!(var(env, "STRIPE_SANDBOX_API"), "off", "{env}");
        assert!(
            var(env, "PUBLIC_URL").starts_with("https://"),
            "{env}: the smoke test needs PUBLIC_URL"
        );
    }
}

/// scripts/deploy.sh refuses to deploy without each secret the Worker reads: its list
/// is the code's.
#[test]
fn deploy_checks_every_secret_the_worker_reads() {
    let script = std::fs::read_to_string(workspace_root().join("scripts/deploy.sh")).unwrap();
    let line = script
        .lines()
        .find(|line| line.starts_with("required_secrets=("))
        .expect("deploy.sh lists required_secrets");
    let listed: Vec<&str> = line
        .trim_start_matches("required_secrets=(")
        .trim_end_matches(')')
        .split_whitespace()
        .collect();
    assert_eq!(listed, SECRETS);
    for secret in STRIPE_SECRETS {
        assert!(
            script.contains(&format!("required_secrets+=({secret})")),
            "deploy.sh adds {secret} with Stripe"
        );
    }
}
