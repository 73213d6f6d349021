//! `smoke --base-url URL [--header 'Name: value']... [--read-only]`: the smoke test
//! (`airline_e2e::smoke`) against a deployment. Prints each step; exits 1 on the first
//! that fails. scripts/deploy.sh runs it against the canary version.

use airline_e2e::smoke::{run, SmokeTarget};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut target = SmokeTarget {
        base_url: String::new(),
        headers: Vec::new(),
        read_only: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base-url" => target.base_url = args.next().unwrap_or_default(),
            "--header" => {
                let header = args.next().unwrap_or_default();
                match header.split_once(':') {
                    Some((name, value)) => target
                        .headers
                        .push((name.trim().to_owned(), value.trim().to_owned())),
                    None => usage(&format!("--header takes 'Name: value', not '{header}'")),
                }
            }
            "--read-only" => target.read_only = true,
            other => usage(&format!("unknown argument '{other}'")),
        }
    }
    if !target.base_url.starts_with("http") {
        usage("--base-url takes the deployment's URL");
    }
    match run(&target) {
        Ok(steps) => {
            for step in steps {
                println!(
                    "smoke: {:<8} ok in {:>5} ms: {}",
                    step.name,
                    step.took.as_millis(),
                    step.detail
                );
            }
        }
        Err(failure) => {
            eprintln!("smoke: FAILED at {failure}");
            std::process::exit(1);
        }
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "smoke: {problem}\nusage: smoke --base-url URL [--header 'Name: value']... [--read-only]"
    );
    std::process::exit(2);
}
