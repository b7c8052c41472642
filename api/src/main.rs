//! The `tepat` binary: parse the command line, run it, turn an error into one line on
//! stderr and exit code 2. The commands live in `cli.rs`, the shared logic in the lib.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            // `{:#}` joins the context chain on one line: "--params @p.json: No such file…".
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
