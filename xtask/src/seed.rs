//! `cargo xtask seed [--start YYYY-MM-DD] [--days N] [--out FILE]`: the seed catalog
//! (crate `catalog-seed`: real airports and a deterministic timetable) as SQL, for
//! `wrangler d1 execute <db> --file FILE`. The start defaults to today (UTC); without
//! `--out` the SQL goes to stdout.

use std::io::Write as _;
use std::path::PathBuf;

use airline_domain::LocalDate;
use catalog_seed::{airports, routes, schedule, to_sql, DEFAULT_DAYS};

use crate::Failure;

const USAGE: &str = "cargo xtask seed [--start YYYY-MM-DD] [--days N] [--out FILE]";

#[derive(Debug, PartialEq, Eq)]
pub struct SeedArgs {
    pub start: LocalDate,
    pub days: u32,
    pub out: Option<PathBuf>,
}

impl SeedArgs {
    pub fn parse(args: &[String], today: LocalDate) -> Result<Self, Failure> {
        let mut parsed = Self {
            start: today,
            days: DEFAULT_DAYS,
            out: None,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| Failure::usage(USAGE))?;
            match flag.as_str() {
                "--start" => {
                    parsed.start = LocalDate::parse("--start", value)
                        .map_err(|e| Failure::new(e.to_string()))?;
                }
                "--days" => {
                    parsed.days = value
                        .parse()
                        .ok()
                        .filter(|days| (1..=366).contains(days))
                        .ok_or_else(|| Failure::new("--days must be between 1 and 366"))?;
                }
                "--out" => parsed.out = Some(PathBuf::from(value)),
                _ => return Err(Failure::usage(USAGE)),
            }
        }
        Ok(parsed)
    }
}

pub fn run(args: &SeedArgs) -> Result<(), Failure> {
    let airports = airports()
        .map_err(|e| Failure::new(format!("the airport reference table is invalid: {e}")))?;
    let routes = routes()
        .map_err(|e| Failure::new(format!("the airport reference table is invalid: {e}")))?;
    let flights = schedule(&routes, args.start, args.days);
    let sql = to_sql(&airports, &flights);
    let written = match &args.out {
        Some(path) => std::fs::write(path, sql),
        None => std::io::stdout().write_all(sql.as_bytes()),
    };
    written.map_err(|e| Failure::new(format!("could not write the seed: {e}")))?;
    eprintln!(
        "seed: {} airports, {} routes, {} flights from {} for {} days",
        airports.len(),
        routes.len(),
        flights.len(),
        args.start,
        args.days
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    fn today() -> LocalDate {
        LocalDate::parse("today", "2026-12-07").unwrap()
    }

    #[test]
    fn the_seed_starts_today_for_sixty_days_unless_told_otherwise() {
        assert_eq!(
            SeedArgs::parse(&[], today()).unwrap(),
            SeedArgs {
                start: today(),
                days: DEFAULT_DAYS,
                out: None
            }
        );
        let parsed =
            SeedArgs::parse(&args("--start 2027-01-31 --days 7 --out seed.sql"), today()).unwrap();
        assert_eq!(parsed.start, LocalDate::parse("s", "2027-01-31").unwrap());
        assert_eq!(parsed.days, 7);
        assert_eq!(parsed.out, Some(PathBuf::from("seed.sql")));
    }

    #[test]
    fn a_bad_date_day_count_or_flag_is_refused() {
        for wrong in [
            "--start 2027-02-30",
            "--days 0",
            "--days 400",
            "--days",
            "--force 1",
        ] {
            assert!(SeedArgs::parse(&args(wrong), today()).is_err(), "{wrong}");
        }
    }
}
