//! Sign in and sign up. Both go through the Worker's session endpoints, which keep the
//! refresh token in an HttpOnly cookie; afterwards the traveller returns to where they were.

use airline_web_core::Msg;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, CallError};
use crate::components::{describe, Alert, TextField};
use crate::i18n::t;
use crate::session::{self, Session};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    SignIn,
    SignUp,
}

#[component]
pub fn SignInPage() -> impl IntoView {
    super::title(Msg::SignInTitle);
    view! { <AccountForm mode=Mode::SignIn /> }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    super::title(Msg::SignUpTitle);
    view! { <AccountForm mode=Mode::SignUp /> }
}

/// Where to go after signing in: the `next` parameter when it is a path on this site (an
/// absolute URL there would make this an open redirect), else the search.
fn next_path(next: Option<String>) -> String {
    next.filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned())
}

#[component]
fn AccountForm(mode: Mode) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<CallError>);
    let busy = RwSignal::new(false);
    let next = move || next_path(query.get().get("next"));

    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            let problem = problem.get()?;
            // An email already taken comes back as CONFLICT naming no field: it is the email's.
            let at = problem
                .field()
                .or((problem.code() == "CONFLICT").then_some("email"));
            (at == Some(field)).then(|| match (field, problem.code()) {
                ("email", "CONFLICT") => t(Msg::ErrEmailTaken).to_owned(),
                ("email", _) => t(Msg::ErrEmail).to_owned(),
                ("password", _) => t(Msg::ErrPassword).to_owned(),
                ("name", _) => t(Msg::ErrDisplayName).to_owned(),
                _ => describe(&problem),
            })
        })
    };
    // Problems with no single input (wrong password, rate limit, network) go on top.
    let general = Signal::derive(move || {
        problem
            .get()
            .filter(|p| !matches!(p.field(), Some("email" | "password" | "name")))
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = match mode {
            Mode::SignIn => {
                serde_json::json!({ "email": email.get_untracked(), "password": password.get_untracked() })
            }
            Mode::SignUp => serde_json::json!({
                "email": email.get_untracked(),
                "password": password.get_untracked(),
                "name": name.get_untracked(),
            }),
        };
        let path = if mode == Mode::SignIn {
            "/auth/sign-in"
        } else {
            "/auth/sign-up"
        };
        let navigate = navigate.clone();
        let destination = next();
        leptos::task::spawn_local(async move {
            let result = api::auth::<Session>(path, &body.to_string()).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    session::start(session);
                    navigate(&destination, Default::default());
                }
                Err(error) => {
                    let focus_id = match error.field() {
                        Some("email") => "email",
                        Some("password") => "password",
                        Some("name") => "name",
                        _ => "account-title",
                    };
                    problem.set(Some(error));
                    crate::components::focus(focus_id);
                }
            }
        });
    };

    let other = move || {
        let next = crate::pages::encode_next(&next());
        match mode {
            Mode::SignIn => (format!("/signup{next}"), t(Msg::NoAccount)),
            Mode::SignUp => (format!("/signin{next}"), t(Msg::HaveAccount)),
        }
    };
    let heading = move || {
        if mode == Mode::SignIn {
            t(Msg::SignInTitle)
        } else {
            t(Msg::SignUpTitle)
        }
    };
    let wrong_credentials = Signal::derive(move || {
        general.get().map(|p| {
            if p.code() == "UNAUTHENTICATED" {
                CallError::local("UNAUTHENTICATED", t(Msg::ErrCredentials))
            } else {
                p
            }
        })
    });

    view! {
        <section class="page narrow">
            <h1 id="account-title" tabindex="-1">{heading}</h1>
            <Show when=move || query.get().get("next").is_some() && mode == Mode::SignIn>
                <p class="notice">{move || t(Msg::SignInNeeded)}</p>
            </Show>
            <form class="card" on:submit=submit novalidate>
                <Alert error=wrong_credentials />
                <Show when=move || mode == Mode::SignUp>
                    <TextField id="name" label=Signal::derive(|| t(Msg::YourName).to_owned()) value=name
                        error=field_error("name") autocomplete="name" required=true />
                </Show>
                <TextField id="email" kind="email" label=Signal::derive(|| t(Msg::Email).to_owned()) value=email
                    error=field_error("email") autocomplete="username" required=true />
                <TextField id="password" kind="password" label=Signal::derive(|| t(Msg::Password).to_owned()) value=password
                    error=field_error("password")
                    hint=Signal::derive(move || if mode == Mode::SignUp { t(Msg::PasswordHint).to_owned() } else { String::new() })
                    autocomplete=if mode == Mode::SignIn { "current-password" } else { "new-password" } required=true />
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if mode == Mode::SignIn { t(Msg::SignInButton) } else { t(Msg::SignUpButton) }}
                </button>
            </form>
            <p><a href=move || other().0>{move || other().1}</a></p>
        </section>
    }
}
