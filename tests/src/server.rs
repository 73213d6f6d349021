//! One `wrangler dev` process tree, owned by a test, on a port and state directory of its
//! own.
//!
//! One file on purpose: starting, readiness, D1 access and stopping are one process's
//! life cycle, and each step relies on how the others treat the process group.

use std::fs::File;
use std::hash::{Hash as _, Hasher as _};
use std::io::Read as _;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use airline_domain::LocalDate;
use rusqlite::types::ValueRef;
use serde_json::Value;
use tempfile::TempDir;

/// How long a cold `wrangler dev` may take to answer its health check.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a stopped server gets to exit cleanly before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
const DATABASE: &str = "airline";
/// How long a D1 look-up waits for the server to release a write lock.
const D1_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The signing key every test server uses, so tests can mint and forge tokens.
pub const TEST_SIGNING_KEYS: &str = "e2e-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// What `wrangler.toml` sets as issuer and audience.
pub const TEST_ISSUER: &str = "edge-airline";
/// The service key the test servers accept on the loyalty REST API.
pub const TEST_SERVICE_KEY_ID: &str = "e2e-service";
pub const TEST_SERVICE_SECRET: &str = "e2e-service-secret-0123456789abcdef";
pub const TEST_AUDIENCE: &str = "edge-airline-api";

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Days of timetable to seed, from today (UTC).
    pub seed_days: u32,
    /// `--var NAME:VALUE` settings for the Worker (secrets included: in local runs they
    /// are plain bindings). The defaults carry the test signing key.
    pub vars: Vec<(String, String)>,
    /// Which payment provider the Worker uses.
    pub payments: Payments,
    /// Another wrangler configuration to serve (the benchmark's raw baseline,
    /// `tests/baseline/wrangler.toml`) on the same migrated, seeded D1; `None` serves the
    /// airline.
    pub config: Option<PathBuf>,
    /// How long the client waits for one answer (30 s; a benchmark's bursts, whose answers
    /// all arrive late, wait longer).
    pub client_timeout: Duration,
    /// What serves the Worker: `wrangler dev` (what developers and the tests run), or
    /// Miniflare directly (the benchmark's second configuration).
    pub runtime: Runtime,
}

/// What serves a test server's Worker locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runtime {
    /// `wrangler dev`: node in front of workerd, with the DevTools inspector attached,
    /// which forwards a report of every call the Worker makes to node.
    #[default]
    WranglerDev,
    /// The same workerd, configuration and state through Miniflare's API
    /// (`tests/bench/miniflare-serve.mjs`): no wrangler process in front, no inspector.
    Miniflare,
}

/// The payment provider a test server takes money with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Payments {
    /// The embedded sandbox: cards tokenized by `tokenizeCard`, payments in D1.
    #[default]
    Sandbox,
    /// The real Stripe adapter over HTTP, pointed at the sandbox's Stripe-compatible API
    /// on the same server (`/sandbox/stripe`); cards are Stripe test PaymentMethod ids.
    StripeOverHttp,
}

impl Payments {
    /// The vars that select this provider on a server at `base_url`.
    fn vars(self, base_url: &str) -> Vec<(String, String)> {
        match self {
            Payments::Sandbox => Vec::new(),
            Payments::StripeOverHttp => vec![
                ("PAYMENT_PROVIDER".into(), "stripe".into()),
                ("STRIPE_SECRET_KEY".into(), "sk_test_airline_e2e".into()),
                ("STRIPE_SANDBOX_API".into(), "on".into()),
                (
                    "STRIPE_API_BASE".into(),
                    format!("{base_url}/sandbox/stripe"),
                ),
            ],
        }
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            seed_days: catalog_seed::DEFAULT_DAYS,
            vars: vec![
                ("JWT_SIGNING_KEYS".into(), TEST_SIGNING_KEYS.into()),
                (
                    "LOYALTY_SERVICE_KEYS".into(),
                    format!("{TEST_SERVICE_KEY_ID}:{TEST_SERVICE_SECRET}"),
                ),
            ],
            payments: Payments::Sandbox,
            config: None,
            runtime: Runtime::default(),
            client_timeout: Duration::from_secs(30),
        }
    }
}

pub struct DevServer {
    pub base_url: String,
    pub payments: Payments,
    config: Option<PathBuf>,
    runtime: Runtime,
    port: u16,
    vars: Vec<(String, String)>,
    /// The date the seed timetable starts on (today, UTC, when the server started).
    pub seed_start: LocalDate,
    state: TempDir,
    child: Mutex<Option<Child>>,
    agent: ureq::Agent,
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for binary files; those compare [`HttpResponse::bytes`]).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.body))
    }
}

impl DevServer {
    /// Migrates and seeds a fresh local D1, starts `wrangler dev` on a free port and
    /// waits until `/healthz` answers 200.
    pub fn start(options: ServerOptions) -> Result<Self, String> {
        if options.config.is_none() {
            check_built(&workspace_root())?;
        }
        let state = tempfile::Builder::new()
            .prefix("airline-e2e-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let seed_start = LocalDate::from_naive(chrono::Utc::now().date_naive());
        let persist = state.path().join("state");
        prepare_database(&persist, seed_start, options.seed_days)?;

        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let mut vars = options.vars.clone();
        vars.extend(options.payments.vars(&base_url));
        let child = spawn_server(
            state.path(),
            port,
            &vars,
            options.config.as_deref(),
            options.runtime,
        )?;
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .allow_non_standard_methods(true)
                .timeout_global(Some(options.client_timeout))
                .build(),
        );
        let server = Self {
            base_url,
            payments: options.payments,
            config: options.config.clone(),
            runtime: options.runtime,
            port,
            vars,
            seed_start,
            state,
            child: Mutex::new(Some(child)),
            agent,
        };
        server.wait_until_ready()?;
        Ok(server)
    }

    fn wait_until_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(response) = self.request("GET", "/healthz", &[], b"") {
                if response.status == 200 {
                    return Ok(());
                }
            }
            if let Some(status) = self.exited() {
                return Err(format!(
                    "wrangler dev exited ({status}):\n{}",
                    self.log_tail()
                ));
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(format!(
                    "not ready after {READY_TIMEOUT:?}:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn exited(&self) -> Option<std::process::ExitStatus> {
        let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_mut()
            .and_then(|child| child.try_wait().ok().flatten())
    }

    /// Stops the server's whole process group: SIGTERM, then SIGKILL after a grace period.
    /// Safe to call twice.
    /// CPU time (user + system) the server's processes (wrangler and workerd, one process
    /// group) have used so far.
    pub fn cpu_time(&self) -> Duration {
        let guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let Some(child) = guard.as_ref() else {
            return Duration::ZERO;
        };
        process_group_cpu(child.id())
    }

    pub fn stop(&self) {
        let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mut child) = guard.take() else {
            return;
        };
        let group = child.id() as libc::pid_t;
        signal_group(group, libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                // wrangler is gone; make sure nothing it started outlives it.
                signal_group(group, libc::SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal_group(group, libc::SIGKILL);
        let _ = child.wait();
    }

    /// Stops the server hard (SIGKILL: no chance to finish what it was doing, as in a
    /// crash) and starts it again on the same port and the same `--persist-to` state.
    pub fn kill_and_restart(&self) -> Result<(), String> {
        {
            let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(mut child) = guard.take() {
                signal_group(child.id() as libc::pid_t, libc::SIGKILL);
                let _ = child.wait();
            }
        }
        let child = spawn_server(
            self.state.path(),
            self.port,
            &self.vars,
            self.config.as_deref(),
            self.runtime,
        )?;
        *self.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
        self.wait_until_ready()
    }

    /// The last lines wrangler printed, for failure messages.
    /// Every line the server has logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.state.path().join("wrangler-dev.log")) {
            let _ = file.read_to_string(&mut text);
        }
        text.lines().map(str::to_owned).collect()
    }

    /// The structured log lines (`airline_platform::log`) of one `event` kind so far,
    /// parsed.
    pub fn structured_logs(&self, event: &str) -> Vec<serde_json::Value> {
        let tag = format!(r#"{{"event":"{event}""#);
        self.log_lines()
            .iter()
            .filter_map(|line| line.find(&tag).map(|at| &line[at..]))
            // The first JSON value on the line: the terminal's colour codes may follow.
            .filter_map(|json| {
                serde_json::Deserializer::from_str(json)
                    .into_iter::<serde_json::Value>()
                    .next()?
                    .ok()
            })
            .collect()
    }

    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.state.path().join("wrangler-dev.log")) {
            let _ = file.read_to_string(&mut text);
        }
        // Without the one-line-per-request log, which would crowd out what went wrong.
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| !line.contains(r#"{"event":"request""#))
            .collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Any HTTP request; never fails on a status code.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpResponse, String> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base_url));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body.to_vec()).map_err(|e| e.to_string())?;
        let mut response = self.agent.run(request).map_err(|e| e.to_string())?;
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        })
    }

    /// Runs the Cron Trigger's handler (the reconciliation run) now, as the schedule
    /// would, and waits for it to finish (`wrangler dev --test-scheduled`).
    pub fn run_scheduled(&self) -> Result<(), String> {
        let response = self.request("GET", "/__scheduled?cron=*/5+*+*+*+*", &[], b"")?;
        if response.status == 200 {
            Ok(())
        } else {
            Err(format!(
                "/__scheduled answered {}: {}\n{}",
                response.status,
                response.body,
                self.log_tail()
            ))
        }
    }

    /// POSTs a GraphQL query as JSON and returns the whole HTTP response.
    pub fn graphql_response(&self, query: &str, variables: Value) -> HttpResponse {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        self.request(
            "POST",
            "/graphql",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("POST /graphql failed: {e}\n{}", self.log_tail()))
    }

    /// POSTs a GraphQL query and returns the JSON body, asserting HTTP 200.
    pub fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql_response(query, variables);
        assert_eq!(
            response.status,
            200,
            "{}\n--- wrangler dev log ---\n{}",
            response.body,
            self.log_tail()
        );
        response.json()
    }

    /// POSTs a GraphQL query with `Authorization: Bearer <token>` (none for `None`) and
    /// returns the JSON body, asserting HTTP 200.
    pub fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.try_graphql_as(token, query, variables)
            .unwrap_or_else(|e| panic!("{e}\n{}", self.log_tail()))
    }

    /// Like [`graphql_as`](Self::graphql_as), but a failed request or a status other than
    /// 200 is an error to handle (a test that kills the server expects some).
    pub fn try_graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, String> {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("Authorization", bearer.as_str()));
        }
        let response = self.request("POST", "/graphql", &headers, body.as_bytes())?;
        if response.status != 200 {
            return Err(format!("HTTP {}: {}", response.status, response.body));
        }
        Ok(response.json())
    }

    /// For requests that are safe to repeat (reads, and mutations with an idempotency
    /// key): like [`try_graphql_as`](Self::try_graphql_as), but a request that wrangler's
    /// local proxy lost on the way to the runtime is sent again, as a real client would.
    /// Under heavy concurrency the proxy occasionally loses a connection to workerd and
    /// answers 503 "Your worker restarted mid-request" (its check for a restart compares
    /// the request's full URL with the runtime's base URL, so every lost POST reads as a
    /// restart); the request may or may not have run, which is exactly when an
    /// idempotent retry is the right answer.
    pub fn graphql_idempotent(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, String> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_graphql_as(token, query, variables.clone()) {
                Err(e) if attempt < 4 && e.starts_with("HTTP 503") => {
                    std::thread::sleep(Duration::from_millis(200 * attempt));
                }
                other => return other,
            }
        }
    }

    /// Runs one SQL statement against the server's local D1 and returns its rows as JSON
    /// objects (column name to value). It opens the SQLite file wrangler keeps the local
    /// database in, as `wrangler d1 execute --local` itself does, in a millisecond instead
    /// of the second or two that starting wrangler costs; the suites look into D1 hundreds
    /// of times. The server's own writes may hold the lock for a moment: wait for it.
    pub fn d1(&self, sql: &str) -> Result<Vec<Value>, String> {
        let file = self.d1_file()?;
        let db = rusqlite::Connection::open_with_flags(
            &file,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("{}: {e}", file.display()))?;
        db.busy_timeout(D1_BUSY_TIMEOUT)
            .map_err(|e| e.to_string())?;
        let mut statement = db.prepare(sql).map_err(|e| format!("{e}: {sql}"))?;
        let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let mut rows = statement.raw_query();
        let mut found = Vec::new();
        while let Some(row) = rows.next().map_err(|e| format!("{e}: {sql}"))? {
            let mut object = serde_json::Map::new();
            for (index, name) in names.iter().enumerate() {
                let value = match row.get_ref(index).map_err(|e| e.to_string())? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(x) => Value::from(x),
                    ValueRef::Text(text) => Value::from(String::from_utf8_lossy(text)),
                    ValueRef::Blob(bytes) => Value::from(bytes.to_vec()),
                };
                object.insert(name.clone(), value);
            }
            found.push(Value::Object(object));
        }
        Ok(found)
    }

    /// The local D1 database's SQLite file under `--persist-to` (the one database this
    /// Worker binds; the folder's `metadata.sqlite` is miniflare's own).
    fn d1_file(&self) -> Result<PathBuf, String> {
        let folder = self
            .state
            .path()
            .join("state/v3/d1/miniflare-D1DatabaseObject");
        let files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "sqlite")
                    && path
                        .file_name()
                        .is_some_and(|name| name != "metadata.sqlite")
            })
            .collect();
        match files.as_slice() {
            [file] => Ok(file.clone()),
            _ => Err(format!(
                "expected one D1 database in {}, found {files:?}",
                folder.display()
            )),
        }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill() with a negative pid signals exactly the process group we created
    // for this server; it dereferences nothing.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Starts the Worker's server (`runtime`) on `port` over the state in `state_dir`, logging
/// to a file there, in its own process group.
fn spawn_server(
    state_dir: &Path,
    port: u16,
    vars: &[(String, String)],
    config: Option<&Path>,
    runtime: Runtime,
) -> Result<Child, String> {
    let persist_arg = state_dir.join("state").to_string_lossy().into_owned();
    // Appended, so a restarted server's log follows the first one's.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state_dir.join("wrangler-dev.log"))
        .map_err(|e| e.to_string())?;
    let mut command = match runtime {
        Runtime::WranglerDev => {
            let mut command = wrangler_command();
            if let Some(config) = config {
                command.arg("-c").arg(config);
            }
            command.args([
                "dev",
                "--ip",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--inspector-port",
                &free_port()?.to_string(),
                "--persist-to",
                &persist_arg,
                // `GET /__scheduled` runs the Cron Triggers' handler (the reconciliation).
                "--test-scheduled",
                "--log-level",
            ]);
            // `log` keeps the Worker's structured lines (console.log) for the tests that
            // read them; AIRLINE_E2E_LOG_LEVEL=debug shows what the runtime did.
            command
                .arg(std::env::var("AIRLINE_E2E_LOG_LEVEL").unwrap_or_else(|_| "log".to_owned()));
            command
        }
        Runtime::Miniflare => {
            let root = workspace_root();
            let mut command = node_command(Path::new("node"));
            let config = config.map_or_else(|| root.join("wrangler.toml"), Path::to_path_buf);
            command
                .arg(root.join("tests/bench/miniflare-serve.mjs"))
                .arg("--config")
                .arg(config)
                .args(["--port", &port.to_string(), "--persist-to", &persist_arg]);
            command
        }
    };
    for (name, value) in vars {
        command.args(["--var", &format!("{name}:{value}")]);
    }
    // wrangler writes a debug log of every DevTools message (each D1 query, each object
    // call) beside the user's config, tens of MB per server: keep it with the server's
    // temporary state, which goes when the server does.
    command.env("WRANGLER_LOG_PATH", state_dir.join("wrangler-debug.log"));
    command
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        // Its own process group, so stop() reaches workerd too.
        .process_group(0);
    // SAFETY: prctl is async-signal-safe and touches no memory of this process. It
    // asks the kernel to SIGTERM wrangler if the test process dies without stopping it.
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    command
        .spawn()
        .map_err(|e| format!("spawn wrangler dev: {e}"))
}

/// The servers the tests start serve the build the test command made (they skip
/// wrangler's build step), and wrangler dev will not start without the Worker's bundle or
/// the web app (`[assets]` in wrangler.toml): say what to run rather than leave a wrangler
/// stack trace.
fn check_built(root: &Path) -> Result<(), String> {
    let worker = root.join("target/worker/index.js");
    if !worker.is_file() {
        return Err(format!(
            "{} is missing: run `cargo xtask build` first",
            worker.display()
        ));
    }
    let index = root.join("web/dist/index.html");
    if index.is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} is missing: the Worker serves the web app from web/dist; run \
             `cargo xtask build-web` (`cargo xtask build` runs it too) first",
            index.display()
        ))
    }
}

/// The repository root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn wrangler_command() -> Command {
    node_command(&workspace_root().join("node_modules/.bin/wrangler"))
}

/// `program` (node, or a tool that runs on it) in the repository, offline and quiet.
fn node_command(program: &Path) -> Command {
    let root = workspace_root();
    let mut command = Command::new(program);
    command
        .current_dir(&root)
        .env("WRANGLER_SEND_METRICS", "false")
        // Offline, miniflare's fetch of the `Request.cf` object fails after a while and the
        // runtime is then restarted with a placeholder, cutting off requests in flight
        // ("Your worker restarted mid-request"). Use the placeholder from the start.
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "true")
        // One build serves every server a test run starts; scripts/test.sh built it.
        .env("AIRLINE_SKIP_BUILD", "1")
        .env("NO_COLOR", "1");
    command
}

/// Runs a wrangler command to completion and returns its stdout.
fn wrangler(args: &[&str]) -> Result<String, String> {
    let output = wrangler_command()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("run wrangler {args:?}: {e} (did scripts/setup.sh run?)"))?;
    if !output.status.success() {
        return Err(format!(
            "wrangler {} failed: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Puts a migrated, seeded local D1 at `persist`. Every server of a test run needs the same
/// one, and making it (two wrangler commands over 87,000 flights) takes seconds: the first
/// server makes it into a cache under `target/e2e-state/`, named by what it was made from
/// (the migrations and the seed), and later ones copy it.
fn prepare_database(persist: &Path, seed_start: LocalDate, seed_days: u32) -> Result<(), String> {
    let seed = seed_sql(seed_start, seed_days)?;
    let mut made_from = std::hash::DefaultHasher::new();
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("migrations"))
        .map_err(|e| format!("migrations: {e}"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    migrations.sort();
    for migration in &migrations {
        std::fs::read(migration)
            .map_err(|e| format!("{}: {e}", migration.display()))?
            .hash(&mut made_from);
    }
    seed.hash(&mut made_from);
    let cache = workspace_root().join("target/e2e-state");
    let template = cache.join(format!("{:016x}", made_from.finish()));
    if !template.join("ready").is_file() {
        // Made beside the cache and renamed into place, so a server starting at the same
        // moment (the browser tests' runs beside the suites) never copies half of it.
        let making = cache.join(format!("making-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&making);
        std::fs::create_dir_all(&making).map_err(|e| format!("{}: {e}", making.display()))?;
        migrate_and_seed(&making.join("state"), &making.join("seed.sql"), &seed)?;
        std::fs::write(making.join("ready"), b"").map_err(|e| e.to_string())?;
        if std::fs::rename(&making, &template).is_err() {
            // Another process got there first with the same database.
            let _ = std::fs::remove_dir_all(&making);
        }
        // Earlier days' databases are of no further use.
        if let Ok(entries) = std::fs::read_dir(&cache) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path != template && !path.starts_with(&making) && !is_being_made(&path) {
                    let _ = std::fs::remove_dir_all(&path);
                }
            }
        }
    }
    copy_dir(&template.join("state"), persist)
}

/// A cache entry another process is still making.
fn is_being_made(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("making-"))
}

fn migrate_and_seed(persist: &Path, seed_file: &Path, seed: &str) -> Result<(), String> {
    std::fs::write(seed_file, seed).map_err(|e| e.to_string())?;
    let persist_arg = persist.to_string_lossy().into_owned();
    wrangler(&[
        "d1",
        "migrations",
        "apply",
        DATABASE,
        "--local",
        "--persist-to",
        &persist_arg,
    ])?;
    wrangler(&[
        "d1",
        "execute",
        DATABASE,
        "--local",
        "--persist-to",
        &persist_arg,
        "--file",
        &seed_file.to_string_lossy(),
    ])?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

fn seed_sql(start: LocalDate, days: u32) -> Result<String, String> {
    let airports = catalog_seed::airports().map_err(|e| e.to_string())?;
    let routes = catalog_seed::routes().map_err(|e| e.to_string())?;
    let flights = catalog_seed::schedule(&routes, start, days);
    Ok(catalog_seed::to_sql(&airports, &flights))
}

/// A port nothing listens on right now (the OS picks it).
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// The CPU time of every live process in process group `group`, from /proc: fields 14 and
/// 15 of `/proc/<pid>/stat` (utime, stime in clock ticks), after the command name, which
/// may hold spaces and is closed by the last `)`.
fn process_group_cpu(group: u32) -> Duration {
    // SAFETY: sysconf only reads a configuration value.
    #[allow(unsafe_code)]
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let mut ticks = 0u64;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(after_name) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
            continue;
        };
        // After the name: state, ppid, pgrp, ... utime is the 12th, stime the 13th.
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        if fields.get(2).and_then(|pgrp| pgrp.parse::<u32>().ok()) != Some(group) {
            continue;
        }
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        ticks += field(11) + field(12);
    }
    Duration::from_secs_f64(ticks as f64 / ticks_per_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_build_is_explained() {
        let root = tempfile::tempdir().unwrap();
        let error = check_built(root.path()).unwrap_err();
        assert!(
            error.contains("target/worker/index.js is missing"),
            "{error}"
        );
        assert!(error.contains("run `cargo xtask build`"), "{error}");
        std::fs::create_dir_all(root.path().join("target/worker")).unwrap();
        std::fs::write(root.path().join("target/worker/index.js"), "").unwrap();
        let error = check_built(root.path()).unwrap_err();
        assert!(error.contains("web/dist/index.html is missing"), "{error}");
        assert!(error.contains("run `cargo xtask build-web`"), "{error}");
        std::fs::create_dir_all(root.path().join("web/dist")).unwrap();
        std::fs::write(root.path().join("web/dist/index.html"), "<!doctype html>").unwrap();
        assert_eq!(check_built(root.path()), Ok(()));
    }
}
