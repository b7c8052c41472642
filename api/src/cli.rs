//! The `tepat` command line (DESIGN.md §4). Each command is a small function returning the
//! process exit code; errors bubble up to `main`, which prints one line and exits 2.

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tepat::output::{self, Format};
use tepat::state::{load_project, AppState};
use tepat_engine::analysis;
use tepat_engine::project::Project;

/// tepat: geospatial analytics for city governments.
#[derive(Debug, Parser)]
#[command(name = "tepat", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API under /api/v1 (the embedded demo city without --project).
    Serve {
        /// Project file (tepat.toml).
        #[arg(long)]
        project: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Write the demo city (tepat.toml + layer files) to a directory.
    Demo {
        /// Directory to write to (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a project's data integrity; exit 0 clean, 1 warnings, 2 errors.
    Check {
        /// Project file (tepat.toml).
        project: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the registered analyses and their parameters.
    Analyses {
        /// Print the registry as JSON, with each params' JSON Schema.
        #[arg(long)]
        json: bool,
    },
    /// Run one analysis and print its result envelope.
    Run {
        /// Analysis name (see `tepat analyses`).
        name: String,
        /// Project file (tepat.toml); the embedded demo city without it.
        #[arg(long)]
        project: Option<PathBuf>,
        /// Params as JSON, or @FILE to read them from a file (@- for stdin).
        #[arg(long)]
        params: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { project, addr } => serve(project.as_deref(), addr),
        Command::Demo { out } => demo(&out),
        Command::Check { project, json } => check(&project, json),
        Command::Analyses { json } => list_analyses(json),
        Command::Run {
            name,
            project,
            params,
            format,
            out,
        } => run_analysis(
            &name,
            project.as_deref(),
            params.as_deref(),
            format,
            out.as_deref(),
        ),
    }
}

fn serve(project: Option<&Path>, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    init_tracing();
    // Load and index before listening, so a bad project fails fast and the first request is quick.
    let state = AppState::load(project)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr().unwrap_or(addr);
        eprintln!(
            "tepat: serving '{}' ({} layers) at http://{local}/api/v1",
            state.project().name,
            state.summaries().count()
        );
        tepat::serve::serve(listener, state)
            .await
            .context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Request logs on stderr; `RUST_LOG` overrides the default `info` level.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: redirected logs stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

fn demo(out: &Path) -> anyhow::Result<ExitCode> {
    let project_file = tepat_datasets::write_demo(out)?; // creates `out` if needed
    println!("{}", project_file.display());
    Ok(ExitCode::SUCCESS)
}

fn check(project: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let project = Project::load(project)?; // a project that does not load: error, exit 2
    let report = tepat_engine::check::check_project(&project);
    let mut text = if json {
        serde_json::to_string_pretty(&report)?
    } else {
        report.to_text()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    print_stdout(text.as_bytes())?;
    // 0 clean, 1 warnings, 2 errors; anything else would be a bug in the report: call it 2.
    Ok(ExitCode::from(
        u8::try_from(report.exit_code()).unwrap_or(2),
    ))
}

fn list_analyses(json: bool) -> anyhow::Result<ExitCode> {
    let list = tepat::analyses::catalog();
    let mut text = if json {
        serde_json::to_string_pretty(&list)?
    } else {
        tepat::analyses::to_text(&list)
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    print_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn run_analysis(
    name: &str,
    project: Option<&Path>,
    params: Option<&str>,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    analysis::find(name)?; // before loading the project: a typo should fail fast
    let params = parse_params(params)?;
    let project = load_project(project)?;
    let result = analysis::run(&project, name, params)?;
    let bytes = output::render(&result, &project, format)?;
    match out {
        Some(path) => output::write_atomic(path, &bytes)?,
        None => print_stdout(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `--params`: inline JSON, `@FILE`, or `@-` for stdin; none means all defaults.
fn parse_params(arg: Option<&str>) -> anyhow::Result<Value> {
    let Some(arg) = arg else {
        return Ok(Value::Null);
    };
    let (text, source) = match arg.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("--params @-: reading stdin")?;
            (s, "--params @-".to_string())
        }
        Some(path) => {
            let s = std::fs::read_to_string(path).with_context(|| format!("--params @{path}"))?;
            (s, format!("--params @{path}"))
        }
        None => (arg.to_string(), "--params".to_string()),
    };
    serde_json::from_str(&text).with_context(|| format!("{source}: invalid JSON"))
}

/// Writes to stdout; a closed pipe (`tepat run … | head`) is not an error.
fn print_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}
