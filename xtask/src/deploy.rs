//! `cargo xtask deploy ENV [--dry-run | --preview ALIAS]`: deploys the Worker to one of
//! wrangler.toml's environments, with a canary.
//!
//! A deploy: preflight checks (the environment has every binding and var the Worker reads,
//! someone is logged in, no D1 id is the placeholder, every secret the Worker reads exists,
//! every queue exists), `wrangler d1 migrations apply --remote`, then `wrangler versions
//! upload`, `CANARY_PERCENT` (10) of the traffic to the new version, the smoke test against
//! it (pinned to it with Cloudflare's version-override header), and then 100%. A failed
//! smoke test sends all traffic back to the version before, and the deploy fails. By hand,
//! `npx wrangler rollback --env ENV` returns to the previous deployment.
//!
//! `--dry-run` builds and bundles for the environment, runs the checks that need no
//! account, and prints what a deploy would do. `--preview ALIAS` uploads a version under a
//! preview alias (no traffic) and prints its URL.
//!
//! Needs `CLOUDFLARE_API_TOKEN` (and `CLOUDFLARE_ACCOUNT_ID`) or `wrangler login`, and the
//! environment's public URL as `PUBLIC_URL` in its `[env.ENV.vars]` (or `SMOKE_BASE_URL`).

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use crate::process::Cmd;
use crate::wrangler_config::{Environment, WranglerConfig};
use crate::{build, measure_command, Failure};

pub const USAGE: &str = "cargo xtask deploy staging|production [--dry-run | --preview ALIAS]";

/// The environments a deploy goes to.
const ENVIRONMENTS: [&str; 2] = ["staging", "production"];
const DEFAULT_CANARY_PERCENT: u8 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Deploy,
    DryRun,
    Preview(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployArgs {
    pub environment: String,
    pub mode: Mode,
    /// The share of traffic the new version gets while its smoke test runs.
    pub canary_percent: u8,
}

impl DeployArgs {
    /// From the command line after `deploy`, and `CANARY_PERCENT` when set.
    pub fn parse(args: &[String], canary_percent: Option<&str>) -> Result<Self, Failure> {
        let usage = || Failure::usage(USAGE);
        let (environment, rest) = args.split_first().ok_or_else(usage)?;
        if !ENVIRONMENTS.contains(&environment.as_str()) {
            return Err(usage());
        }
        let mode = match rest {
            [] => Mode::Deploy,
            [flag] if flag == "--dry-run" => Mode::DryRun,
            [flag, alias]
                if flag == "--preview" && !alias.is_empty() && !alias.starts_with('-') =>
            {
                Mode::Preview(alias.clone())
            }
            _ => return Err(usage()),
        };
        let canary_percent = match canary_percent {
            None => DEFAULT_CANARY_PERCENT,
            Some(text) => text
                .parse()
                .ok()
                .filter(|p| (1..=99).contains(p))
                .ok_or_else(|| {
                    Failure::new(format!(
                        "CANARY_PERCENT must be a whole number from 1 to 99, not '{text}'"
                    ))
                })?,
        };
        Ok(Self {
            environment: environment.clone(),
            mode,
            canary_percent,
        })
    }
}

/// What a deploy to one environment does, from wrangler.toml and the Worker's code.
#[derive(Debug)]
pub struct Plan<'a> {
    pub environment: &'a str,
    pub worker_name: String,
    pub settings: &'a Environment,
    pub public_url: Option<String>,
    pub canary_percent: u8,
}

impl<'a> Plan<'a> {
    pub fn new(
        config: &'a WranglerConfig,
        args: &'a DeployArgs,
        smoke_base_url: Option<String>,
    ) -> Result<Self, Failure> {
        let settings = config.environment(&args.environment)?;
        let problems = config.problems(&args.environment, settings);
        if !problems.is_empty() {
            return Err(Failure::new(format!(
                "wrangler.toml's [env.{}] is incomplete:\n  {}",
                args.environment,
                problems.join("\n  ")
            )));
        }
        Ok(Self {
            environment: &args.environment,
            worker_name: config.worker_name(&args.environment)?,
            settings,
            public_url: smoke_base_url
                .filter(|url| !url.is_empty())
                .or_else(|| settings.var("PUBLIC_URL")),
            canary_percent: args.canary_percent,
        })
    }

    /// Production takes real money: its smoke test reads, signs nobody up and books nothing.
    pub fn smoke_read_only(&self) -> bool {
        self.environment == "production"
    }

    /// What a deploy would do, in words (`--dry-run`).
    pub fn describe(&self) -> Vec<String> {
        let databases: Vec<String> = self
            .settings
            .d1_databases
            .iter()
            .map(|db| format!("{}:{}", db.binding, db.database_name))
            .collect();
        let queues: Vec<&str> = self.settings.queue_names().into_iter().collect();
        vec![
            format!(
                "check: logged in; D1 ids not the placeholder: {}",
                databases.join(" ")
            ),
            format!(
                "check: secrets exist: {}",
                self.settings.required_secrets().join(" ")
            ),
            format!("check: queues exist: {}", queues.join(" ")),
            format!(
                "run:   wrangler d1 migrations apply DB --env {} --remote",
                self.environment
            ),
            format!(
                "run:   wrangler versions upload --env {env}; {p}% to it; smoke test {url}; then 100% (or roll back)",
                env = self.environment,
                p = self.canary_percent,
                url = self.public_url.as_deref().unwrap_or("<PUBLIC_URL unset>")
            ),
        ]
    }

    /// `wrangler versions deploy` arguments sending the canary share to `version` and the
    /// rest to `previous` (all of it to `version` on a first deploy).
    pub fn canary_split(&self, version: &str, previous: Option<&str>) -> Vec<String> {
        match previous.filter(|previous| *previous != version) {
            Some(previous) => vec![
                format!("{version}@{}%", self.canary_percent),
                format!("{previous}@{}%", 100 - self.canary_percent),
            ],
            None => vec![format!("{version}@100%")],
        }
    }
}

/// `wrangler whoami` exits 0 either way; its words say whether anyone is logged in.
pub fn logged_in(whoami: &str) -> bool {
    whoami.contains("You are logged in")
}

/// The required secrets `wrangler secret list --format json` does not list.
pub fn missing_secrets<'s>(
    listed_json: &str,
    required: &[&'s str],
) -> Result<Vec<&'s str>, Failure> {
    #[derive(Deserialize)]
    struct Secret {
        name: String,
    }
    let listed: Vec<Secret> = serde_json::from_str(listed_json.trim()).map_err(|e| {
        Failure::new(format!(
            "wrangler secret list printed no list of secrets ({e})"
        ))
    })?;
    Ok(required
        .iter()
        .copied()
        .filter(|name| !listed.iter().any(|secret| secret.name == *name))
        .collect())
}

/// The queues `wrangler queues list` (a table) does not name.
pub fn missing_queues<'q>(listed: &str, wanted: impl IntoIterator<Item = &'q str>) -> Vec<&'q str> {
    let names: std::collections::BTreeSet<&str> = listed
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    wanted
        .into_iter()
        .filter(|queue| !names.contains(queue))
        .collect()
}

/// The id `wrangler versions upload` printed ("Worker Version ID: 1b2c…").
pub fn uploaded_version(output: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let at = lower.find("version id:")?;
        let id = line[at + "version id:".len()..].trim();
        is_uuid(id).then(|| id.to_owned())
    })
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The version carrying most of the traffic (`wrangler deployments status --json`): what
/// a failed canary goes back to.
pub fn busiest_version(status_json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Status {
        #[serde(default)]
        versions: Vec<Share>,
    }
    #[derive(Deserialize)]
    struct Share {
        version_id: String,
        #[serde(default)]
        percentage: f64,
    }
    let status: Status = serde_json::from_str(status_json.trim()).ok()?;
    status
        .versions
        .into_iter()
        .max_by(|a, b| a.percentage.total_cmp(&b.percentage))
        .map(|share| share.version_id)
}

/// The preview URL `wrangler versions upload --preview-alias ALIAS` printed.
pub fn preview_url(output: &str, alias: &str) -> Option<String> {
    output
        .split_whitespace()
        .find(|word| word.starts_with("https://") && word.contains(alias))
        .map(str::to_owned)
}

/// Runs a deploy, a dry run or a preview upload.
pub fn run(root: &Path, args: &DeployArgs) -> Result<(), Failure> {
    let config = WranglerConfig::load(root)?;
    let plan = Plan::new(&config, args, std::env::var("SMOKE_BASE_URL").ok())?;
    let env = plan.environment;

    println!("== {env}: build and bundle ({})", plan.worker_name);
    build::build(root)?;
    let (bundled, output) = Cmd::wrangler(root)
        .env("AIRLINE_SKIP_BUILD", "1")
        .args(["deploy", "--dry-run", "--env", env, "--outdir"])
        .arg(root.join(format!("target/bundle-{env}")))
        .output_text()?;
    for line in output.lines().filter(|line| {
        ["Total Upload", "--dry-run", "binding", "Error", "✘"]
            .iter()
            .any(|word| line.contains(word))
    }) {
        println!("{line}");
    }
    if !bundled {
        eprintln!("{output}");
        return Err(Failure::new(format!(
            "wrangler could not bundle the {env} environment (run: npx wrangler deploy --dry-run --env {env})"
        )));
    }

    if args.mode == Mode::DryRun {
        println!("== {env}: a deploy would now");
        for line in plan.describe() {
            println!("   {line}");
        }
        return Ok(());
    }

    preflight(root, &plan)?;
    if let Mode::Preview(alias) = &args.mode {
        return preview(root, &plan, alias);
    }

    println!("== {env}: migrations");
    Cmd::wrangler(root)
        .args(["d1", "migrations", "apply", "DB", "--env", env, "--remote"])
        .run()?;

    println!("== {env}: canary");
    let (_, status) = Cmd::wrangler(root)
        .args(["deployments", "status", "--env", env, "--json"])
        .output_text()?;
    let previous = busiest_version(&status);
    let commit = Cmd::new("git", root)
        .args(["rev-parse", "--short", "HEAD"])
        .stdout()
        .map(|out| out.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    let (uploaded, output) = Cmd::wrangler(root)
        .env("AIRLINE_SKIP_BUILD", "1")
        .args(["versions", "upload", "--env", env, "--message"])
        .arg(format!("deploy {commit}"))
        .output_text()?;
    println!("{output}");
    if !uploaded {
        return Err(Failure::new("the version upload failed"));
    }
    let version =
        uploaded_version(&output).ok_or_else(|| Failure::new("wrangler printed no version id"))?;
    send_traffic(root, env, &plan.canary_split(&version, previous.as_deref()))?;

    if smoke_test(root, &plan, &version) {
        send_traffic(root, env, &[format!("{version}@100%")])?;
        println!("deploy: {env} now runs {version}");
        if let Some(url) = &plan.public_url {
            github_output("url", url);
        }
        return Ok(());
    }
    match previous.filter(|previous| *previous != version) {
        Some(previous) => {
            send_traffic(root, env, &[format!("{previous}@100%")])?;
            Err(Failure::new(format!(
                "the smoke test failed on {version}: all traffic is back on {previous}"
            )))
        }
        None => Err(Failure::new(format!(
            "the smoke test failed on {version}, and there is no earlier version to return to"
        ))),
    }
}

fn preflight(root: &Path, plan: &Plan) -> Result<(), Failure> {
    let env = plan.environment;
    println!("== {env}: preflight");
    if std::env::var_os("CLOUDFLARE_API_TOKEN").is_none() {
        let (_, whoami) = Cmd::wrangler(root).arg("whoami").output_text()?;
        if !logged_in(&whoami) {
            return Err(Failure::new(
                "not logged in: set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID), or run 'npx wrangler login'",
            ));
        }
    }
    if let Some(name) = plan.settings.placeholder_databases().first() {
        return Err(Failure::new(format!(
            "[env.{env}] D1 '{name}' still has the placeholder id: run 'npx wrangler d1 create {name}' and put its id in wrangler.toml"
        )));
    }
    let (listed, secrets) = Cmd::wrangler(root)
        .args(["secret", "list", "--env", env, "--format", "json"])
        .output_text()?;
    if !listed {
        return Err(Failure::new(format!(
            "could not list the {env} secrets (is the Worker '{}' created? the token allowed to read it?)",
            plan.worker_name
        )));
    }
    if let Some(secret) = missing_secrets(&secrets, &plan.settings.required_secrets())?.first() {
        return Err(Failure::new(format!(
            "secret {secret} is missing in {env}: npx wrangler secret put {secret} --env {env}"
        )));
    }
    let (_, queues) = Cmd::wrangler(root).args(["queues", "list"]).output_text()?;
    if let Some(queue) = missing_queues(&queues, plan.settings.queue_names()).first() {
        return Err(Failure::new(format!(
            "queue {queue} does not exist: npx wrangler queues create {queue}"
        )));
    }
    Ok(())
}

fn preview(root: &Path, plan: &Plan, alias: &str) -> Result<(), Failure> {
    println!("== {}: preview version '{alias}'", plan.environment);
    let (uploaded, output) = Cmd::wrangler(root)
        .env("AIRLINE_SKIP_BUILD", "1")
        .args([
            "versions",
            "upload",
            "--env",
            plan.environment,
            "--preview-alias",
            alias,
        ])
        .args(["--message", &format!("preview {alias}")])
        .output_text()?;
    println!("{output}");
    if !uploaded {
        return Err(Failure::new("the preview upload failed"));
    }
    github_output("url", &preview_url(&output, alias).unwrap_or_default());
    Ok(())
}

fn send_traffic(root: &Path, env: &str, shares: &[String]) -> Result<(), Failure> {
    Cmd::wrangler(root)
        .args(["versions", "deploy", "--env", env, "--yes"])
        .args(shares)
        .run()
}

/// The smoke test against `version` alone, through the version-override header.
fn smoke_test(root: &Path, plan: &Plan, version: &str) -> bool {
    let Some(url) = &plan.public_url else {
        eprintln!(
            "deploy: no PUBLIC_URL in [env.{}.vars] and no SMOKE_BASE_URL: cannot smoke-test",
            plan.environment
        );
        return false;
    };
    let mut smoke = measure_command(root);
    smoke
        .args(["smoke", "--base-url", url, "--header"])
        .arg(format!(
            "Cloudflare-Workers-Version-Overrides: {}=\"{version}\"",
            plan.worker_name
        ));
    if plan.smoke_read_only() {
        smoke.arg("--read-only");
    }
    smoke.run().is_ok()
}

/// A step output for GitHub Actions (`url=…`), when running there.
fn github_output(name: &str, value: &str) {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{name}={value}"));
    if let Err(e) = written {
        eprintln!("deploy: could not write {name} to GITHUB_OUTPUT: {e}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn config() -> WranglerConfig {
        WranglerConfig::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap()
    }

    #[test]
    fn the_command_line_names_an_environment_and_at_most_one_mode() {
        let parsed = DeployArgs::parse(&args(&["staging"]), None).unwrap();
        assert_eq!(
            parsed,
            DeployArgs {
                environment: "staging".into(),
                mode: Mode::Deploy,
                canary_percent: 10
            }
        );
        assert_eq!(
            DeployArgs::parse(&args(&["production", "--dry-run"]), Some("25"))
                .unwrap()
                .mode,
            Mode::DryRun
        );
        assert_eq!(
            DeployArgs::parse(&args(&["staging", "--preview", "pr-42"]), None)
                .unwrap()
                .mode,
            Mode::Preview("pr-42".into())
        );
        for wrong in [
            &[][..],
            &["local"],
            &["staging", "--preview"],
            &["staging", "--preview", "--dry-run"],
            &["staging", "--dry-run", "--preview", "pr-1"],
            &["staging", "--force"],
        ] {
            assert!(DeployArgs::parse(&args(wrong), None).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn the_canary_share_is_a_percentage_strictly_between_none_and_all() {
        for wrong in ["0", "100", "ten", "-5", ""] {
            let error = DeployArgs::parse(&args(&["staging"]), Some(wrong)).unwrap_err();
            assert!(error.to_string().contains("CANARY_PERCENT"), "{error}");
        }
        assert_eq!(
            DeployArgs::parse(&args(&["staging"]), Some("99"))
                .unwrap()
                .canary_percent,
            99
        );
    }

    #[test]
    fn production_is_smoke_tested_read_only_at_its_public_url() {
        let config = config();
        let deploy = DeployArgs::parse(&args(&["production"]), None).unwrap();
        let plan = Plan::new(&config, &deploy, None).unwrap();
        assert_eq!(plan.worker_name, "edge-airline");
        assert!(plan.smoke_read_only());
        assert_eq!(
            plan.public_url.as_deref(),
            Some("https://edge-airline.example.workers.dev")
        );
        let staging = DeployArgs::parse(&args(&["staging"]), None).unwrap();
        let plan = Plan::new(&config, &staging, Some("https://preview.example".into())).unwrap();
        assert!(!plan.smoke_read_only());
        assert_eq!(plan.public_url.as_deref(), Some("https://preview.example"));
    }

    #[test]
    fn the_dry_run_names_every_check_and_step() {
        let config = config();
        let deploy = DeployArgs::parse(&args(&["production"]), Some("20")).unwrap();
        let lines = Plan::new(&config, &deploy, None).unwrap().describe();
        let text = lines.join("\n");
        assert!(text.contains("DB:airline-production"), "{text}");
        assert!(
            text.contains("JWT_SIGNING_KEYS LOYALTY_SERVICE_KEYS STRIPE_SECRET_KEY"),
            "{text}"
        );
        assert!(text.contains("loyalty-events-dlq-production"), "{text}");
        assert!(text.contains("--env production --remote"), "{text}");
        assert!(text.contains("20% to it"), "{text}");
    }

    #[test]
    fn an_environment_missing_what_the_worker_reads_is_not_deployed() {
        let mut config = config();
        config
            .env
            .get_mut("staging")
            .unwrap()
            .vars
            .remove("HOLD_TTL_SECONDS");
        let deploy = DeployArgs::parse(&args(&["staging"]), None).unwrap();
        let error = Plan::new(&config, &deploy, None).unwrap_err();
        assert!(
            error.to_string().contains("no var HOLD_TTL_SECONDS"),
            "{error}"
        );
    }

    #[test]
    fn the_canary_splits_traffic_with_the_version_before_unless_there_is_none() {
        let config = config();
        let deploy = DeployArgs::parse(&args(&["staging"]), None).unwrap();
        let plan = Plan::new(&config, &deploy, None).unwrap();
        assert_eq!(
            plan.canary_split("new", Some("old")),
            ["new@10%", "old@90%"]
        );
        assert_eq!(plan.canary_split("new", None), ["new@100%"]);
        assert_eq!(plan.canary_split("new", Some("new")), ["new@100%"]);
    }

    #[test]
    fn wrangler_s_words_are_read_for_what_they_say() {
        assert!(logged_in(
            "👋 You are logged in with an API Token, associated with the email a@b.c."
        ));
        assert!(!logged_in(
            "You are not authenticated. Please run `wrangler login`."
        ));

        let listed = r#"[{"name":"JWT_SIGNING_KEYS","type":"secret_text"}]"#;
        assert_eq!(
            missing_secrets(listed, &["JWT_SIGNING_KEYS", "LOYALTY_SERVICE_KEYS"]).unwrap(),
            ["LOYALTY_SERVICE_KEYS"]
        );
        assert!(missing_secrets("✘ [ERROR] A request failed", &["X"]).is_err());

        let table = "┌──────┬─────────────────────┐\n│ name │ loyalty-events-dlq  │\n│ name │ notifications │";
        assert_eq!(
            missing_queues(
                table,
                ["loyalty-events", "loyalty-events-dlq", "notifications"]
            ),
            ["loyalty-events"],
            "a queue whose name another contains is still missing"
        );

        let upload = "Uploaded edge-airline (3.1 sec)\nWorker Version ID: 0f4c3d2e-1a2b-4c5d-8e9f-0a1b2c3d4e5f\n";
        assert_eq!(
            uploaded_version(upload).as_deref(),
            Some("0f4c3d2e-1a2b-4c5d-8e9f-0a1b2c3d4e5f")
        );
        assert_eq!(uploaded_version("Version ID: not-a-uuid"), None);

        let status = r#"{"versions":[{"version_id":"a","percentage":10},{"version_id":"b","percentage":90}]}"#;
        assert_eq!(busiest_version(status).as_deref(), Some("b"));
        assert_eq!(busiest_version("no deployments yet"), None);

        let preview = "Version Preview URL: https://1234abcd-edge-airline.example.workers.dev\nVersion Preview Alias URL: https://pr-42-edge-airline.example.workers.dev";
        assert_eq!(
            preview_url(preview, "pr-42").as_deref(),
            Some("https://pr-42-edge-airline.example.workers.dev")
        );
    }
}
