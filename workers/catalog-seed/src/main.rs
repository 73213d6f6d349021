//! `catalog-seed [--start YYYY-MM-DD] [--days N] [--out FILE]`: writes the seed catalog as
//! SQL, for `wrangler d1 execute <db> --file FILE`. The start defaults to today (UTC).

use std::process::ExitCode;

use airline_domain::LocalDate;
use catalog_seed::{airports, routes, schedule, to_sql, DEFAULT_DAYS};

struct Options {
    start: LocalDate,
    days: u32,
    out: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        start: LocalDate::from_naive(chrono::Utc::now().date_naive()),
        days: DEFAULT_DAYS,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--start" => {
                options.start = LocalDate::parse("--start", &value()?).map_err(|e| e.to_string())?
            }
            "--days" => {
                options.days = value()?
                    .parse()
                    .ok()
                    .filter(|d| (1..=366).contains(d))
                    .ok_or("--days must be between 1 and 366")?
            }
            "--out" => options.out = Some(value()?),
            "-h" | "--help" => {
                return Err(
                    "usage: catalog-seed [--start YYYY-MM-DD] [--days N] [--out FILE]".into(),
                )
            }
            other => return Err(format!("unknown argument {other}; see --help")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let catalog = airports().and_then(|airports| Ok((airports, routes()?)));
    let (airports, routes) = match catalog {
        Ok(catalog) => catalog,
        Err(error) => {
            eprintln!("the airport reference table is invalid: {error}");
            return ExitCode::FAILURE;
        }
    };
    let flights = schedule(&routes, options.start, options.days);
    let sql = to_sql(&airports, &flights);
    let written = match &options.out {
        Some(path) => std::fs::write(path, sql),
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(sql.as_bytes())
        }
    };
    if let Err(error) = written {
        eprintln!("could not write the seed: {error}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "seed: {} airports, {} routes, {} flights from {} for {} days",
        airports.len(),
        routes.len(),
        flights.len(),
        options.start,
        options.days
    );
    ExitCode::SUCCESS
}
