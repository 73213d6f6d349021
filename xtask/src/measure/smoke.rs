//! `cargo xtask smoke --base-url URL [--header 'Name: value']... [--read-only]`: the smoke
//! test (`airline_e2e::smoke`) against a deployment. Prints each step; fails on the first
//! that fails. A deploy runs it against its canary version.

use airline_e2e::smoke::{self, SmokeTarget};

use crate::Failure;

const USAGE: &str = "cargo xtask smoke --base-url URL [--header 'Name: value']... [--read-only]";

/// The deployment to test, from the command line.
fn target(args: &[String]) -> Result<SmokeTarget, Failure> {
    let mut target = SmokeTarget {
        base_url: String::new(),
        headers: Vec::new(),
        read_only: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base-url" => target.base_url = args.next().cloned().unwrap_or_default(),
            "--header" => {
                let header = args.next().map(String::as_str).unwrap_or_default();
                let (name, value) = header.split_once(':').ok_or_else(|| {
                    Failure::new(format!("--header takes 'Name: value', not '{header}'"))
                })?;
                target
                    .headers
                    .push((name.trim().to_owned(), value.trim().to_owned()));
            }
            "--read-only" => target.read_only = true,
            _ => return Err(Failure::usage(USAGE)),
        }
    }
    if !target.base_url.starts_with("http") {
        return Err(Failure::usage(USAGE));
    }
    Ok(target)
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let steps = smoke::run(&target(args)?)
        .map_err(|failure| Failure::new(format!("smoke: FAILED at {failure}")))?;
    for step in steps {
        println!(
            "smoke: {:<8} ok in {:>5} ms: {}",
            step.name,
            step.took.as_millis(),
            step.detail
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split('|').map(str::to_owned).collect()
    }

    #[test]
    fn a_canary_is_named_by_header_and_production_is_read_only() {
        let target = target(&words(
            "--base-url|https://a.example|--header|Cloudflare-Workers-Version-Overrides: a=\"v1\"|--read-only",
        ))
        .unwrap();
        assert_eq!(target.base_url, "https://a.example");
        assert_eq!(
            target.headers,
            [(
                "Cloudflare-Workers-Version-Overrides".to_owned(),
                "a=\"v1\"".to_owned()
            )]
        );
        assert!(target.read_only);
    }

    #[test]
    fn a_url_is_required_and_headers_need_a_colon() {
        assert!(target(&words("--read-only")).is_err());
        assert!(target(&words("--base-url|https://a.example|--header|no colon")).is_err());
        assert!(target(&words("--base-url|https://a.example|--verbose")).is_err());
    }
}
