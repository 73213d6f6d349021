//! `wrangler.toml`, read once, with the `toml` crate, into types: what the build, a deploy
//! and the checks of an environment need to know about it. Each environment (the top
//! level, which `wrangler dev` runs, and every `[env.NAME]`) is checked against what the
//! Worker's code reads, so "works locally, missing in production" cannot ship.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use airline_manifest::bindings;
use airline_manifest::edge::WORKER_FIRST_PATHS;
use airline_manifest::settings::{SECRETS, STRIPE_SECRETS, VARS};
use airline_manifest::QueueKind;
use serde::Deserialize;

use crate::Failure;

/// The D1 id wrangler.toml carries until someone creates the real database.
pub const PLACEHOLDER_DATABASE_ID: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone, Deserialize)]
pub struct WranglerConfig {
    pub name: String,
    pub main: String,
    pub build: Build,
    pub assets: Option<Assets>,
    /// The top level: what `wrangler dev` runs.
    #[serde(flatten)]
    pub local: Environment,
    #[serde(default)]
    pub env: BTreeMap<String, Environment>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Build {
    #[serde(default)]
    pub watch_dir: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Assets {
    pub directory: String,
    pub binding: Option<String>,
    /// The paths that reach the Worker before any file is looked for.
    #[serde(default)]
    pub run_worker_first: Vec<String>,
}

/// One environment's own settings (wrangler does not inherit these between environments).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Environment {
    /// The Worker's name in this environment; `NAME-ENV` when unset.
    pub name: Option<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub d1_databases: Vec<D1Database>,
    #[serde(default)]
    pub durable_objects: DurableObjects,
    #[serde(default)]
    pub queues: Queues,
}

#[derive(Debug, Clone, Deserialize)]
pub struct D1Database {
    pub binding: String,
    pub database_name: String,
    pub database_id: Option<String>,
    pub migrations_dir: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DurableObjects {
    #[serde(default)]
    pub bindings: Vec<DurableObjectBinding>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DurableObjectBinding {
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Queues {
    #[serde(default)]
    pub producers: Vec<QueueProducer>,
    #[serde(default)]
    pub consumers: Vec<QueueConsumer>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct QueueProducer {
    pub binding: String,
    pub queue: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct QueueConsumer {
    pub queue: String,
    pub dead_letter_queue: Option<String>,
}

impl WranglerConfig {
    /// The repository's wrangler.toml.
    pub fn load(root: &Path) -> Result<Self, Failure> {
        let path = root.join("wrangler.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, Failure> {
        toml::from_str(text).map_err(|e| Failure::new(format!("wrangler.toml: {e}")))
    }

    /// A deployed environment, `[env.NAME]`.
    pub fn environment(&self, name: &str) -> Result<&Environment, Failure> {
        self.env
            .get(name)
            .ok_or_else(|| Failure::new(format!("wrangler.toml has no [env.{name}]")))
    }

    /// The Worker's name in a deployed environment.
    pub fn worker_name(&self, environment: &str) -> Result<String, Failure> {
        let section = self.environment(environment)?;
        Ok(section
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{environment}", self.name)))
    }

    /// Every environment by name: the top level as `local`, then each `[env.NAME]`.
    pub fn environments(&self) -> impl Iterator<Item = (&str, &Environment)> {
        std::iter::once(("local", &self.local))
            .chain(self.env.iter().map(|(name, env)| (name.as_str(), env)))
    }

    /// What is missing or wrong in one environment, in words; empty when it has every
    /// binding the Worker reads (`bindings::ALL`), every var (`config::VARS`), a consumer
    /// for each queue it produces to and each dead-letter queue, D1 migrations, and the
    /// Worker runs first for exactly the paths it routes (`WORKER_FIRST_PATHS`: a path
    /// missing there would never reach its route).
    pub fn problems(&self, name: &str, env: &Environment) -> Vec<String> {
        let mut found = Vec::new();
        let worker_first = self
            .assets
            .as_ref()
            .map(|a| &a.run_worker_first[..])
            .unwrap_or_default();
        if worker_first != WORKER_FIRST_PATHS {
            found.push(format!(
                "{name}: [assets] run_worker_first is {worker_first:?}, but the Worker routes {WORKER_FIRST_PATHS:?}"
            ));
        }
        let mut bound: BTreeSet<&str> = BTreeSet::new();
        for db in &env.d1_databases {
            bound.insert(&db.binding);
            if db.migrations_dir.as_deref() != Some("migrations") {
                found.push(format!(
                    "{name}: D1 {} does not apply migrations/",
                    db.database_name
                ));
            }
        }
        bound.extend(env.durable_objects.bindings.iter().map(|o| o.name.as_str()));
        bound.extend(env.queues.producers.iter().map(|p| p.binding.as_str()));
        // Assets are inherited from the top level.
        bound.extend(self.assets.as_ref().and_then(|a| a.binding.as_deref()));
        for binding in bindings::ALL {
            if !bound.contains(binding) {
                found.push(format!("{name}: no binding {binding}"));
            }
        }

        let consumed: BTreeSet<&str> = env
            .queues
            .consumers
            .iter()
            .map(|c| c.queue.as_str())
            .collect();
        let owed = env.queues.producers.iter().map(|p| p.queue.as_str()).chain(
            env.queues
                .consumers
                .iter()
                .filter_map(|c| c.dead_letter_queue.as_deref()),
        );
        for queue in owed {
            if !consumed.contains(queue) {
                found.push(format!("{name}: nothing consumes queue {queue}"));
            }
            if QueueKind::of(queue).is_none() {
                found.push(format!(
                    "{name}: the Worker does not know queue {queue} by its name"
                ));
            }
        }

        for var in VARS {
            if !env.vars.contains_key(var) {
                found.push(format!("{name}: no var {var}"));
            }
        }
        found
    }
}

impl Environment {
    /// A var as text (wrangler passes numbers and booleans to the Worker as text too).
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).map(|value| match value {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// Every queue it produces to or consumes, dead-letter queues included, once each.
    pub fn queue_names(&self) -> BTreeSet<&str> {
        let producers = self.queues.producers.iter().map(|p| p.queue.as_str());
        let consumers =
            self.queues.consumers.iter().flat_map(|c| {
                std::iter::once(c.queue.as_str()).chain(c.dead_letter_queue.as_deref())
            });
        producers.chain(consumers).collect()
    }

    /// The secrets the Worker reads in this environment (`config::SECRETS`, and
    /// `STRIPE_SECRETS` where Stripe takes the money): a deploy checks each exists.
    pub fn required_secrets(&self) -> Vec<&'static str> {
        let mut secrets = SECRETS.to_vec();
        if self.var("PAYMENT_PROVIDER").as_deref() == Some("stripe") {
            secrets.extend(STRIPE_SECRETS);
        }
        secrets
    }

    /// Its D1 databases still carrying the placeholder id.
    pub fn placeholder_databases(&self) -> Vec<&str> {
        self.d1_databases
            .iter()
            .filter(|db| {
                db.database_id
                    .as_deref()
                    .is_none_or(|id| id == PLACEHOLDER_DATABASE_ID)
            })
            .map(|db| db.database_name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn repository_config() -> WranglerConfig {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        WranglerConfig::load(root).unwrap()
    }

    #[test]
    fn every_environment_has_what_the_worker_reads() {
        let config = repository_config();
        let names: Vec<&str> = config.environments().map(|(name, _)| name).collect();
        assert_eq!(names, ["local", "production", "staging"]);
        let found: Vec<String> = config
            .environments()
            .flat_map(|(name, env)| config.problems(name, env))
            .collect();
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// The check is not vacuous: take a binding, a var or a queue consumer away from one
    /// environment and it names what is missing.
    #[test]
    fn a_removed_binding_var_or_consumer_is_named() {
        let config = repository_config();
        let mut staging = config.environment("staging").unwrap().clone();
        staging
            .durable_objects
            .bindings
            .retain(|object| object.name != bindings::FLIGHT_INVENTORY);
        staging.vars.remove("HOLD_TTL_SECONDS");
        staging
            .queues
            .consumers
            .retain(|consumer| consumer.queue != "notifications-staging");
        let mut config = config.clone();
        if let Some(assets) = config.assets.as_mut() {
            assets.run_worker_first.retain(|path| path != "/healthz");
        }
        assert_eq!(
            config.problems("staging", &staging),
            [
                format!(
                    "staging: [assets] run_worker_first is {:?}, but the Worker routes {WORKER_FIRST_PATHS:?}",
                    &WORKER_FIRST_PATHS[..].iter().filter(|p| **p != "/healthz").collect::<Vec<_>>()
                )
                .as_str(),
                "staging: no binding FLIGHT_INVENTORY",
                "staging: nothing consumes queue notifications-staging",
                "staging: no var HOLD_TTL_SECONDS",
            ]
        );
    }

    /// Each environment keeps its own data: no two share a D1 database or a queue.
    #[test]
    fn environments_share_no_database_and_no_queue() {
        let config = repository_config();
        let mut seen = BTreeSet::new();
        for (name, env) in config.environments() {
            let databases = env
                .d1_databases
                .iter()
                .map(|db| format!("d1 {}", db.database_name));
            let queues = env.queue_names().into_iter().map(|q| format!("queue {q}"));
            for resource in databases.chain(queues) {
                assert!(seen.insert(resource.clone()), "{name} shares {resource}");
            }
        }
    }

    /// Staging takes no real money and production takes nothing else; neither serves the
    /// sandbox's Stripe-compatible API; each names the URL its smoke test goes to.
    #[test]
    fn payments_fit_each_environment() {
        let config = repository_config();
        let var = |env: &str, key: &str| config.environment(env).unwrap().var(key).unwrap();
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

    /// A deploy checks the secrets the Worker's code reads, and Stripe's only where Stripe
    /// takes the money.
    #[test]
    fn the_secrets_a_deploy_checks_are_the_code_s() {
        let config = repository_config();
        let staging = config.environment("staging").unwrap();
        let production = config.environment("production").unwrap();
        assert_eq!(staging.required_secrets(), SECRETS);
        let mut with_stripe = SECRETS.to_vec();
        with_stripe.extend(STRIPE_SECRETS);
        assert_eq!(production.required_secrets(), with_stripe);
    }

    #[test]
    fn a_worker_is_named_for_its_environment_unless_it_says_otherwise() {
        let config = WranglerConfig::parse(
            r#"
            name = "airline"
            main = "index.js"
            [build]
            command = "true"
            [vars]
            RETRIES = 3
            [env.staging]
            [env.production]
            name = "airline"
            [[env.production.d1_databases]]
            binding = "DB"
            database_name = "airline-production"
            database_id = "00000000-0000-0000-0000-000000000000"
            "#,
        )
        .unwrap();
        assert_eq!(config.worker_name("staging").unwrap(), "airline-staging");
        assert_eq!(config.worker_name("production").unwrap(), "airline");
        assert_eq!(config.local.var("RETRIES").as_deref(), Some("3"));
        assert_eq!(
            config
                .environment("production")
                .unwrap()
                .placeholder_databases(),
            ["airline-production"]
        );
        assert!(config.environment("preview").is_err());
    }
}
