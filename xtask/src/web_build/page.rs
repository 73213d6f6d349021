//! The page's shell (web/shell): `index.html` and the boot module, with the build's names
//! put in for their placeholders (`@APP_JS@` …), and who takes the money.

use airline_web_core::pages::PageGroup;

use super::split_loader::PageModules;
use crate::wrangler_config::WranglerConfig;
use crate::Failure;

/// Who takes the money decides the card form: the sandbox's own, or Stripe.js's card
/// element, which needs Stripe's publishable key in the page (and Stripe's origins in the
/// policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payments {
    Sandbox,
    Stripe { publishable_key: String },
}

impl Payments {
    /// From the environment, else from wrangler.toml's `[vars]` (the Worker's own
    /// setting, so a `wrangler deploy`, which runs this build, ships a page that matches
    /// its Worker).
    pub fn from_settings(
        provider: Option<String>,
        publishable_key: Option<String>,
        config: &WranglerConfig,
    ) -> Result<Self, Failure> {
        let provider = provider
            .filter(|p| !p.is_empty())
            .or_else(|| config.local.var("PAYMENT_PROVIDER"))
            .unwrap_or_else(|| "sandbox".into());
        match provider.as_str() {
            "sandbox" => Ok(Self::Sandbox),
            "stripe" => {
                let key = publishable_key
                    .filter(|k| !k.is_empty())
                    .or_else(|| config.local.var("STRIPE_PUBLISHABLE_KEY"))
                    .unwrap_or_default();
                if is_publishable_key(&key) {
                    Ok(Self::Stripe {
                        publishable_key: key,
                    })
                } else {
                    Err(Failure::new(
                        "build-web: PAYMENT_PROVIDER=stripe needs STRIPE_PUBLISHABLE_KEY (pk_test_… or pk_live_…), in the environment or wrangler.toml [vars]",
                    ))
                }
            }
            other => Err(Failure::new(format!(
                "build-web: PAYMENT_PROVIDER is \"{other}\"; expected sandbox or stripe"
            ))),
        }
    }

    fn meta(&self) -> String {
        match self {
            Self::Sandbox => String::new(),
            Self::Stripe { publishable_key } => {
                format!("<meta name=\"stripe-publishable-key\" content=\"{publishable_key}\" />")
            }
        }
    }
}

/// `pk_test_…` or `pk_live_…`, letters and digits after.
fn is_publishable_key(key: &str) -> bool {
    let rest = key
        .strip_prefix("pk_test_")
        .or_else(|| key.strip_prefix("pk_live_"));
    rest.is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The page groups the split loader has no module for: the app's lazy routes and the
/// page table disagree.
pub fn groups_without_module(modules: &PageModules) -> Vec<String> {
    PageGroup::ALL
        .into_iter()
        .map(PageGroup::module)
        .filter(|module| !modules.contains_key(module))
        .collect()
}

/// The names the build gave the app's files, and the tables the boot module needs.
pub struct Shell<'a> {
    /// `/assets/app-<hash>`: the app's modules.
    pub app_dir: String,
    /// `/assets/app-<hash>.css`.
    pub css: String,
    /// Each page group's files (JSON).
    pub page_modules: String,
    /// The app's routes with the group of each (JSON, from web/core's page table).
    pub page_routes: String,
    pub payments: &'a Payments,
}

impl Shell<'_> {
    pub fn boot_js(&self, template: &str) -> String {
        fill(
            template,
            &[
                ("@APP_JS@", &format!("{}/app.js", self.app_dir)),
                ("@APP_WASM@", &format!("{}/app.wasm", self.app_dir)),
                ("@APP_DIR@", &self.app_dir),
                ("@PAGE_MODULES@", &self.page_modules),
                ("@PAGE_ROUTES@", &self.page_routes),
            ],
        )
    }

    /// The page, its empty lines (a sandbox build's payment line) dropped.
    pub fn index_html(&self, template: &str, boot_js: &str, build: &str) -> String {
        let filled = fill(
            template,
            &[
                ("@APP_JS@", &format!("{}/app.js", self.app_dir)),
                ("@APP_WASM@", &format!("{}/app.wasm", self.app_dir)),
                ("@SPLIT_JS@", &format!("{}/__wasm_split.js", self.app_dir)),
                ("@APP_CSS@", &self.css),
                ("@BOOT_JS@", boot_js),
                ("@BUILD@", build),
                ("@PAYMENT_META@", &self.payments.meta()),
            ],
        );
        let mut page: String = filled
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        page.push('\n');
        page
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (placeholder, value)| {
            text.replace(placeholder, value)
        })
}

/// Placeholders left unfilled (`@NAME@`): a template naming something the build does not
/// know.
pub fn unfilled(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('@') {
        let after = &rest[start + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('@') {
            found.push(&rest[start..start + len + 2]);
            rest = &after[len + 1..];
        } else {
            rest = after;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::path::Path;

    use super::*;

    fn config() -> WranglerConfig {
        WranglerConfig::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap()
    }

    #[test]
    fn the_environment_chooses_who_takes_the_money_else_wrangler_toml() {
        let config = config();
        assert_eq!(
            Payments::from_settings(None, None, &config).unwrap(),
            Payments::Sandbox
        );
        assert_eq!(
            Payments::from_settings(
                Some("stripe".into()),
                Some("pk_test_abc123".into()),
                &config
            )
            .unwrap(),
            Payments::Stripe {
                publishable_key: "pk_test_abc123".into()
            }
        );
        for key in [
            None,
            Some("sk_test_abc"),
            Some("pk_test_"),
            Some("pk_live_a\"b"),
        ] {
            let error =
                Payments::from_settings(Some("stripe".into()), key.map(str::to_owned), &config)
                    .unwrap_err();
            assert!(
                error.to_string().contains("STRIPE_PUBLISHABLE_KEY"),
                "{key:?}: {error}"
            );
        }
        assert!(Payments::from_settings(Some("paypal".into()), None, &config).is_err());
    }

    #[test]
    fn the_shell_names_the_build_s_files_and_leaves_no_placeholder() {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let stripe = Payments::Stripe {
            publishable_key: "pk_test_abc".into(),
        };
        let shell = Shell {
            app_dir: "/assets/app-1234".into(),
            css: "/assets/app-abcd.css".into(),
            page_modules: r#"{"__results_pages_view":["split.wasm"]}"#.into(),
            page_routes: airline_web_core::pages::page_routes_json(),
            payments: &stripe,
        };
        let boot =
            shell.boot_js(&std::fs::read_to_string(repository.join("web/shell/boot.js")).unwrap());
        assert!(unfilled(&boot).is_empty(), "{:?}", unfilled(&boot));
        assert!(boot.contains(r#"{"__results_pages_view":["split.wasm"]}"#));
        let page = shell.index_html(
            &std::fs::read_to_string(repository.join("web/shell/index.html")).unwrap(),
            "/assets/boot-99.js",
            "1234",
        );
        assert!(unfilled(&page).is_empty(), "{:?}", unfilled(&page));
        assert!(page.contains(r#"<script type="module" src="/assets/boot-99.js"></script>"#));
        assert!(page.contains(r#"content="pk_test_abc""#));

        let sandbox = Shell {
            payments: &Payments::Sandbox,
            ..shell
        };
        let page = sandbox.index_html("<head>\n    @PAYMENT_META@\n  <title>\n", "b", "1");
        assert_eq!(page, "<head>\n  <title>\n");
    }

    #[test]
    fn an_unknown_placeholder_is_found() {
        assert_eq!(
            unfilled("a @APP_JS@ b me@example.com @X@"),
            ["@APP_JS@", "@X@"]
        );
    }

    #[test]
    fn every_page_group_must_have_its_module() {
        let mut modules = PageModules::new();
        for group in PageGroup::ALL {
            modules.insert(group.module(), vec!["split.wasm".into()]);
        }
        assert!(groups_without_module(&modules).is_empty());
        modules.remove(&PageGroup::ALL[0].module());
        assert_eq!(
            groups_without_module(&modules),
            [PageGroup::ALL[0].module()]
        );
    }
}
