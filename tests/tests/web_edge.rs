//! The Worker's side of the web app, end to end over HTTP against wrangler dev: the
//! cookie-based session endpoints (`/auth/*`) and their cross-site checks, the configured
//! access-token lifetime, the static assets (the app, its hashed files, a missing one),
//! and GraphiQL served from this origin under a strict Content-Security-Policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_e2e::{ensure, nonce, run_suite, workspace_root, DevServer, HttpResponse};
use airline_e2e::{ServerOptions, Test, PASSWORD};
use airline_edge::http::{CONTENT_SECURITY_POLICY, SECURITY_HEADERS};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use libtest_mimic::Failed;
use serde_json::{json, Value};

/// Access tokens on this suite's server live this long (not the 900 s default).
const ACCESS_TTL_SECONDS: i64 = 45;
/// The refresh token's lifetime, 30 days, as the cookie's Max-Age.
const COOKIE_MAX_AGE: &str = "Max-Age=2592000";

fn main() {
    let mut options = ServerOptions::default();
    options.vars.push((
        "ACCESS_TOKEN_TTL_SECONDS".into(),
        ACCESS_TTL_SECONDS.to_string(),
    ));
    let tests: &[Test] = airline_e2e::tests![
        sign_up_sets_an_http_only_cookie_and_no_token_in_the_body,
        refresh_rotates_the_cookie_and_a_reused_one_ends_the_session,
        sign_out_clears_the_cookie_and_ends_the_session,
        failures_are_typed_errors_with_a_status,
        cross_site_requests_are_forbidden_and_change_nothing,
        access_tokens_live_as_long_as_configured,
        a_missing_asset_is_a_404_not_the_app,
        existing_assets_pass_through_with_their_headers,
        the_app_is_served_for_its_own_routes,
        graphiql_loads_only_from_this_origin_under_a_strict_policy,
    ];
    run_suite(options, tests)
}

// ---------------------------------------------------------------------------------------
// Helpers

/// POSTs JSON to a session endpoint as the web app does: same origin, JSON, and the
/// refresh cookie when given.
fn auth(server: &DevServer, path: &str, body: Value, cookie: Option<&str>) -> HttpResponse {
    let cookie = cookie.map(|token| format!("airline_refresh={token}"));
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Origin", server.base_url.as_str()),
    ];
    if let Some(cookie) = &cookie {
        headers.push(("Cookie", cookie.as_str()));
    }
    server
        .request("POST", path, &headers, body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("POST {path}: {e}\n{}", server.log_tail()))
}

fn sign_up(server: &DevServer, tag: &str) -> (String, HttpResponse) {
    let email = format!("{tag}.{}@example.com", nonce());
    let response = auth(
        server,
        "/auth/sign-up",
        json!({"email": email, "password": PASSWORD, "name": "Ada Lovelace"}),
        None,
    );
    assert_eq!(response.status, 200, "sign-up: {}", response.body);
    (email, response)
}

/// The refresh token a response's `Set-Cookie` sets; `None` when it clears the cookie.
fn cookie_token(response: &HttpResponse) -> Result<Option<String>, Failed> {
    let set = response
        .header("Set-Cookie")
        .ok_or_else(|| format!("no Set-Cookie: {response:?}"))?;
    let value = set
        .strip_prefix("airline_refresh=")
        .ok_or_else(|| format!("not the refresh cookie: {set}"))?
        .split(';')
        .next()
        .unwrap_or_default();
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

fn attributes(set_cookie: &str) -> Vec<&str> {
    set_cookie.split(';').skip(1).map(str::trim).collect()
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

fn me(server: &DevServer, access_token: &str) -> Value {
    server.graphql_as(Some(access_token), "{ me { id email } }", json!({}))
}

fn account_rows(server: &DevServer, email: &str) -> Result<Value, Failed> {
    let rows = server.d1(&format!(
        "SELECT count(*) AS n FROM accounts WHERE email = '{email}'"
    ))?;
    Ok(rows[0]["n"].clone())
}

fn dist_file(path: &str) -> Vec<u8> {
    std::fs::read(
        workspace_root()
            .join("web/dist")
            .join(path.trim_start_matches('/')),
    )
    .unwrap_or_else(|e| panic!("web/dist{path}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Sessions

fn sign_up_sets_an_http_only_cookie_and_no_token_in_the_body(
    server: &DevServer,
) -> Result<(), Failed> {
    let (email, response) = sign_up(server, "cookie");
    let set_cookie = response.header("Set-Cookie").unwrap_or_default();
    let token = cookie_token(&response)?.ok_or("sign-up sets a token")?;
    let attrs = attributes(set_cookie);
    for wanted in [
        "Path=/auth",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        COOKIE_MAX_AGE,
    ] {
        ensure!(attrs.contains(&wanted), "{wanted} in {set_cookie}");
    }
    ensure!(
        response.header("Cache-Control") == Some("no-store"),
        "{:?}",
        response.headers
    );
    ensure!(
        response.header("X-Content-Type-Options") == Some("nosniff"),
        "{:?}",
        response.headers
    );

    let body = response.json();
    ensure!(
        body.get("refreshToken").is_none() && !response.body.contains(&token),
        "the refresh token is not in the body: {body}"
    );
    let account = &body["account"];
    ensure!(
        account["email"] == json!(email)
            && account["name"] == "Ada Lovelace"
            && account["role"] == "CUSTOMER",
        "{body}"
    );
    for field in ["id", "createdAt"] {
        ensure!(account[field].is_string(), "account.{field}: {body}");
    }
    let access = body["accessToken"].as_str().ok_or("an access token")?;
    let whoami = me(server, access);
    ensure!(whoami["data"]["me"]["id"] == account["id"], "{whoami}");
    Ok(())
}

fn refresh_rotates_the_cookie_and_a_reused_one_ends_the_session(
    server: &DevServer,
) -> Result<(), Failed> {
    let (_, created) = sign_up(server, "rotate");
    let account_id = created.json()["account"]["id"].clone();
    let first = cookie_token(&created)?.ok_or("a first cookie")?;

    // No body at all: the endpoint needs only the cookie.
    let refreshed = auth(server, "/auth/refresh", json!({}), Some(&first));
    ensure!(refreshed.status == 200, "{}", refreshed.body);
    let second = cookie_token(&refreshed)?.ok_or("a rotated cookie")?;
    ensure!(second != first, "the cookie rotates");
    ensure!(
        refreshed.json().get("refreshToken").is_none(),
        "{}",
        refreshed.body
    );
    let set_cookie = refreshed.header("Set-Cookie").unwrap_or_default();
    ensure!(
        attributes(set_cookie).contains(&"HttpOnly") && set_cookie.contains(COOKIE_MAX_AGE),
        "{set_cookie}"
    );
    let access = refreshed.json()["accessToken"].as_str().unwrap().to_owned();
    ensure!(
        me(server, &access)["data"]["me"]["id"] == account_id,
        "the new access token works"
    );

    // The first cookie again: a copy leaked, so the whole session ends.
    let replay = auth(server, "/auth/refresh", json!({}), Some(&first));
    ensure!(replay.status == 401, "{}", replay.body);
    ensure!(
        error_code(&replay.json()) == "UNAUTHENTICATED",
        "{}",
        replay.body
    );
    ensure!(
        cookie_token(&replay)?.is_none()
            && replay
                .header("Set-Cookie")
                .is_some_and(|c| c.contains("Max-Age=0")),
        "the refused cookie is cleared: {:?}",
        replay.header("Set-Cookie")
    );
    let victim = auth(server, "/auth/refresh", json!({}), Some(&second));
    ensure!(
        victim.status == 401,
        "the rotated cookie died with its family: {}",
        victim.body
    );
    let live = server.d1(&format!(
        "SELECT count(*) AS n FROM refresh_tokens WHERE revoked_at IS NULL AND account_id = '{}'",
        account_id.as_str().unwrap_or_default()
    ))?;
    ensure!(live[0]["n"] == 0, "every token revoked: {live:?}");
    Ok(())
}

fn sign_out_clears_the_cookie_and_ends_the_session(server: &DevServer) -> Result<(), Failed> {
    let (email, _) = sign_up(server, "signout");
    let signed_in = auth(
        server,
        "/auth/sign-in",
        json!({"email": email, "password": PASSWORD}),
        None,
    );
    ensure!(signed_in.status == 200, "{}", signed_in.body);
    let token = cookie_token(&signed_in)?.ok_or("sign-in sets the cookie")?;

    let signed_out = auth(server, "/auth/sign-out", json!({}), Some(&token));
    ensure!(
        signed_out.status == 204 && signed_out.body.is_empty(),
        "{signed_out:?}"
    );
    let cleared = signed_out.header("Set-Cookie").unwrap_or_default();
    ensure!(
        cookie_token(&signed_out)?.is_none()
            && attributes(cleared).contains(&"Max-Age=0")
            && attributes(cleared).contains(&"Path=/auth"),
        "{cleared}"
    );
    ensure!(
        signed_out.header("Cache-Control") == Some("no-store"),
        "{signed_out:?}"
    );
    let after = auth(server, "/auth/refresh", json!({}), Some(&token));
    ensure!(after.status == 401, "the session ended: {}", after.body);

    // Without a session (or with a dead one) signing out still succeeds.
    for cookie in [None, Some(token.as_str()), Some("garbage")] {
        let again = auth(server, "/auth/sign-out", json!({}), cookie);
        ensure!(again.status == 204, "{cookie:?}: {again:?}");
    }
    Ok(())
}

fn failures_are_typed_errors_with_a_status(server: &DevServer) -> Result<(), Failed> {
    let bad_email = auth(
        server,
        "/auth/sign-up",
        json!({"email": "not-an-email", "password": PASSWORD, "name": "Ada"}),
        None,
    );
    ensure!(bad_email.status == 400, "{}", bad_email.body);
    ensure!(
        bad_email.header("Set-Cookie").is_none(),
        "{:?}",
        bad_email.headers
    );
    let body = bad_email.json();
    let error = &body["errors"][0];
    ensure!(
        error["extensions"]["code"] == "BAD_USER_INPUT" && error["extensions"]["field"] == "email",
        "{body}"
    );
    ensure!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    ensure!(
        error["extensions"]["requestId"].as_str() == bad_email.header("X-Request-Id"),
        "the request id in the error is the response's: {body}"
    );

    let short_password = auth(
        server,
        "/auth/sign-up",
        json!({"email": format!("short.{}@example.com", nonce()), "password": "short", "name": "Ada"}),
        None,
    );
    ensure!(
        short_password.status == 400
            && short_password.json()["errors"][0]["extensions"]["field"] == "password",
        "{}",
        short_password.body
    );

    let (email, _) = sign_up(server, "typed");
    let taken = auth(
        server,
        "/auth/sign-up",
        json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "Ada"}),
        None,
    );
    ensure!(
        taken.status == 409 && error_code(&taken.json()) == "CONFLICT",
        "{}",
        taken.body
    );

    let wrong = auth(
        server,
        "/auth/sign-in",
        json!({"email": email, "password": "not the password"}),
        None,
    );
    ensure!(
        wrong.status == 401 && error_code(&wrong.json()) == "UNAUTHENTICATED",
        "{}",
        wrong.body
    );
    ensure!(
        wrong.header("Set-Cookie").is_none(),
        "a failed sign-in leaves any cookie alone"
    );

    let not_json = server
        .request(
            "POST",
            "/auth/sign-in",
            &[
                ("Content-Type", "application/json"),
                ("Origin", &server.base_url),
            ],
            b"email=a@b.example",
        )
        .unwrap();
    ensure!(
        not_json.status == 400 && error_code(&not_json.json()) == "BAD_REQUEST",
        "{}",
        not_json.body
    );

    let no_cookie = auth(server, "/auth/refresh", json!({}), None);
    ensure!(
        no_cookie.status == 401 && error_code(&no_cookie.json()) == "UNAUTHENTICATED",
        "{}",
        no_cookie.body
    );

    let get = server.request("GET", "/auth/refresh", &[], b"").unwrap();
    ensure!(
        get.status == 405 && get.header("Allow") == Some("POST"),
        "{get:?}"
    );
    let unknown = auth(server, "/auth/elsewhere", json!({}), None);
    ensure!(unknown.status == 404, "{unknown:?}");
    Ok(())
}

fn cross_site_requests_are_forbidden_and_change_nothing(server: &DevServer) -> Result<(), Failed> {
    let email = format!("csrf.{}@example.com", nonce());
    let body = json!({"email": email, "password": PASSWORD, "name": "Mallory"}).to_string();
    let cases: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "another origin",
            vec![
                ("Content-Type", "application/json"),
                ("Origin", "https://evil.example"),
            ],
        ),
        (
            "an opaque origin",
            vec![("Content-Type", "application/json"), ("Origin", "null")],
        ),
        ("no content type", vec![("Origin", &server.base_url)]),
        (
            "a form post",
            vec![
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Origin", &server.base_url),
            ],
        ),
        (
            "text/plain",
            vec![("Content-Type", "text/plain"), ("Origin", &server.base_url)],
        ),
    ];
    for (what, headers) in &cases {
        let response = server
            .request("POST", "/auth/sign-up", headers, body.as_bytes())
            .unwrap();
        ensure!(response.status == 403, "{what}: {response:?}");
        ensure!(
            error_code(&response.json()) == "FORBIDDEN",
            "{what}: {}",
            response.body
        );
        ensure!(
            response.header("Set-Cookie").is_none(),
            "{what}: {response:?}"
        );
    }
    ensure!(account_rows(server, &email)? == 0, "no account was created");

    // A cross-site refresh or sign-out cannot spend or end someone's session either.
    let (_, created) = sign_up(server, "victim");
    let token = cookie_token(&created)?.ok_or("a cookie")?;
    let cookie = format!("airline_refresh={token}");
    for path in ["/auth/refresh", "/auth/sign-out"] {
        let forged = server
            .request(
                "POST",
                path,
                &[
                    ("Content-Type", "application/json"),
                    ("Origin", "https://evil.example"),
                    ("Cookie", &cookie),
                ],
                b"{}",
            )
            .unwrap();
        ensure!(
            forged.status == 403 && forged.header("Set-Cookie").is_none(),
            "{path}: {forged:?}"
        );
    }
    let still = auth(server, "/auth/refresh", json!({}), Some(&token));
    ensure!(
        still.status == 200,
        "the session survived the forged requests: {}",
        still.body
    );

    // Requests without Origin (curl, other services) are fine: they carry no
    // browser's cookies.
    let no_origin = server
        .request(
            "POST",
            "/auth/sign-up",
            &[("Content-Type", "application/json")],
            json!({"email": format!("cli.{}@example.com", nonce()), "password": PASSWORD, "name": "Cli"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    ensure!(no_origin.status == 200, "{}", no_origin.body);
    Ok(())
}

fn access_tokens_live_as_long_as_configured(server: &DevServer) -> Result<(), Failed> {
    let (_, created) = sign_up(server, "ttl");
    let body = created.json();
    let expires_at: DateTime<Utc> = body["expiresAt"]
        .as_str()
        .ok_or("expiresAt")?
        .parse()
        .map_err(|e| format!("expiresAt: {e}"))?;
    let remaining = (expires_at - Utc::now()).num_seconds();
    ensure!(
        (ACCESS_TTL_SECONDS - 10..=ACCESS_TTL_SECONDS).contains(&remaining),
        "expiresAt is {ACCESS_TTL_SECONDS} s after issue (ACCESS_TOKEN_TTL_SECONDS): {remaining} s left"
    );
    // The token itself says the same.
    let token = body["accessToken"].as_str().ok_or("accessToken")?;
    let claims: Value = token
        .split('.')
        .nth(1)
        .and_then(|part| B64URL.decode(part).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or("readable claims")?;
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    ensure!(lifetime == ACCESS_TTL_SECONDS, "exp - iat = {lifetime}");
    ensure!(
        claims["exp"].as_i64() == Some(expires_at.timestamp()),
        "{claims} vs {expires_at}"
    );

    // /graphql issues the same lifetime: one setting for every way in.
    let graphql = server.graphql(
        "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { expiresAt } }",
        json!({"e": format!("ttl2.{}@example.com", nonce()), "p": PASSWORD, "n": "Ada"}),
    );
    let expires_at: DateTime<Utc> = graphql["data"]["signUp"]["expiresAt"]
        .as_str()
        .ok_or_else(|| format!("{graphql}"))?
        .parse()
        .map_err(|e| format!("expiresAt: {e}"))?;
    let remaining = (expires_at - Utc::now()).num_seconds();
    ensure!(
        (ACCESS_TTL_SECONDS - 10..=ACCESS_TTL_SECONDS).contains(&remaining),
        "{remaining}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Static assets and GraphiQL

fn a_missing_asset_is_a_404_not_the_app(server: &DevServer) -> Result<(), Failed> {
    for path in [
        "/assets/app-0000000000000000.js",
        "/assets/nested/missing.wasm",
        "/graphiql/missing.js",
    ] {
        let response = server.request("GET", path, &[], b"").unwrap();
        ensure!(response.status == 404, "{path}: {response:?}");
        let content_type = response.header("Content-Type").unwrap_or_default();
        ensure!(
            content_type.starts_with("text/plain") && !response.body.contains("<html"),
            "{path}: not the app's HTML: {content_type} {}",
            response.body
        );
        ensure!(
            response.header("Cache-Control") == Some("no-store"),
            "{path}: {response:?}"
        );
    }
    Ok(())
}

/// The headers `web/dist/_headers` gives `rule` (e.g. `/assets/*`), if the file says any.
fn headers_rule(rule: &str) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(workspace_root().join("web/dist/_headers")).unwrap_or_default();
    let mut in_rule = false;
    let mut headers = Vec::new();
    for line in text.lines() {
        if !line.starts_with([' ', '\t']) {
            in_rule = line.trim() == rule;
        } else if in_rule {
            if let Some((name, value)) = line.trim().split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }
    headers
}

fn existing_assets_pass_through_with_their_headers(server: &DevServer) -> Result<(), Failed> {
    let graphiql = server
        .request("GET", "/graphiql/graphiql.min.js", &[], b"")
        .unwrap();
    ensure!(graphiql.status == 200, "{:?}", graphiql.headers);
    ensure!(
        graphiql
            .header("Content-Type")
            .is_some_and(|t| t.contains("javascript")),
        "{:?}",
        graphiql.headers
    );
    ensure!(
        graphiql.body.as_bytes() == dist_file("/graphiql/graphiql.min.js"),
        "the file, unchanged"
    );
    ensure!(
        graphiql.header("X-Request-Id").is_some(),
        "the Worker answered: {:?}",
        graphiql.headers
    );

    // Whatever the web build put in /assets/ (the app's modules one folder down), with the
    // headers its _headers file gives.
    let files_in = |folder: &str| -> Vec<String> {
        std::fs::read_dir(workspace_root().join("web/dist/assets").join(folder))
            .map(|dir| {
                dir.filter_map(|entry| entry.ok())
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .map(|name| format!("{folder}{name}"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let top = files_in("");
    let mut assets: Vec<String> = top
        .iter()
        .filter(|name| name.ends_with(".js") || name.ends_with(".css"))
        .cloned()
        .collect();
    let app = top
        .iter()
        .find(|name| name.starts_with("app-") && !name.contains('.'))
        .ok_or_else(|| format!("no app folder in web/dist/assets: {top:?}"))?;
    assets.extend(
        files_in(&format!("{app}/"))
            .into_iter()
            .filter(|name| name.ends_with("/app.wasm") || name.contains("/split_")),
    );
    ensure!(assets.len() >= 4, "{assets:?}");
    let mut expected = headers_rule("/*");
    expected.extend(headers_rule("/assets/*"));
    for name in &assets {
        let path = format!("/assets/{name}");
        let response = server.request("GET", &path, &[], b"").unwrap();
        ensure!(response.status == 200, "{path}: {response:?}");
        ensure!(
            response.bytes == dist_file(&path),
            "{path}: the file, unchanged"
        );
        for (name, value) in &expected {
            ensure!(
                response.header(name) == Some(value.as_str()),
                "{path}: {name}: {value} from _headers, got {:?}",
                response.headers
            );
        }
        // A conditional request still gets its 304.
        if let Some(etag) = response.header("ETag") {
            let again = server
                .request("GET", &path, &[("If-None-Match", etag)], b"")
                .unwrap();
            ensure!(again.status == 304, "{path}: {again:?}");
        }
    }
    Ok(())
}

fn the_app_is_served_for_its_own_routes(server: &DevServer) -> Result<(), Failed> {
    let index = String::from_utf8(dist_file("/index.html")).unwrap();
    for path in ["/", "/search?from=LHR&to=JFK", "/trips/some-booking"] {
        let response = server.request("GET", path, &[], b"").unwrap();
        ensure!(response.status == 200, "{path}: {response:?}");
        ensure!(
            response
                .header("Content-Type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}: {:?}",
            response.headers
        );
        ensure!(
            response.body == index,
            "{path}: web/dist/index.html, got {}",
            response.body
        );
    }
    // JSON from the Worker is never sniffed either.
    let graphql = server.graphql_response("{ __typename }", json!({}));
    ensure!(
        graphql.header("X-Content-Type-Options") == Some("nosniff"),
        "{:?}",
        graphql.headers
    );
    Ok(())
}

fn graphiql_loads_only_from_this_origin_under_a_strict_policy(
    server: &DevServer,
) -> Result<(), Failed> {
    let page = server.request("GET", "/graphql", &[], b"").unwrap();
    ensure!(page.status == 200, "{page:?}");
    ensure!(
        page.header("Content-Type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        page.headers
    );
    for (name, value) in SECURITY_HEADERS {
        ensure!(
            page.header(name) == Some(value),
            "{name}: {value}, got {:?}",
            page.header(name)
        );
    }
    let csp = page.header("Content-Security-Policy").unwrap_or_default();
    ensure!(
        csp == CONTENT_SECURITY_POLICY
            && csp.contains("script-src 'self';")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let html = &page.body;
    ensure!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg"),
        "nothing from another origin: {html}"
    );
    ensure!(!html.contains("<style"), "no inline style: {html}");
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    ensure!(!scripts.is_empty(), "{html}");
    let mut files = Vec::new();
    for script in &scripts {
        let tag = script.split('>').next().unwrap_or_default();
        let src = tag
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| format!("an inline script: <script{script}"))?;
        let body = script.split_once('>').map_or("", |(_, rest)| rest);
        ensure!(
            body.trim_start().starts_with("</script>"),
            "a script with a src and no inline code: <script{script}"
        );
        files.push(src.to_owned());
    }
    for link in html.split("<link").skip(1) {
        if let Some(href) = link
            .split("href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            files.push(href.to_owned());
        }
    }
    ensure!(
        files.iter().any(|f| f == "/graphiql/graphiql.min.js")
            && files.iter().any(|f| f == "/graphiql/graphiql-init.js"),
        "{files:?}"
    );
    for file in &files {
        ensure!(file.starts_with("/graphiql/"), "{file}");
        let response = server.request("GET", file, &[], b"").unwrap();
        ensure!(response.status == 200, "{file}: {response:?}");
        let wanted = if file.ends_with(".css") {
            "text/css"
        } else {
            "javascript"
        };
        ensure!(
            response
                .header("Content-Type")
                .is_some_and(|t| t.contains(wanted)),
            "{file}: {:?}",
            response.headers
        );
    }
    // A GET with a query string is GraphQL over GET, not GraphiQL.
    let get_query = server
        .request("GET", "/graphql?query=%7B__typename%7D", &[], b"")
        .unwrap();
    ensure!(
        get_query.status == 200 && get_query.body.contains("__typename"),
        "{get_query:?}"
    );
    Ok(())
}
