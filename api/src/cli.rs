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
use tepat::state::{load_project, AppState, Options};
use tepat::store::{Store, UserRole};
use tepat_engine::analysis;
use tepat_engine::project::Project;
use tepat_engine::scenario::{self, Scenario};

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
        /// Directory of the store (scenarios, tokens, audit log); created if missing.
        #[arg(long, default_value = "tepat-data")]
        data_dir: PathBuf,
        /// Reads need a token too (by default only writes do).
        #[arg(long)]
        private: bool,
        /// Milliseconds an analysis run is waited for before the answer is 202 with a job
        /// to follow (0: every run is a job).
        #[arg(long, default_value_t = tepat::jobs::DEFAULT_SYNC_TIMEOUT_MS)]
        sync_timeout_ms: u64,
        /// Largest layer upload (POST /layers) in MB; other requests stay at 1 MiB.
        #[arg(long, default_value_t = tepat::uploads::DEFAULT_MAX_UPLOAD_BYTES / 1_000_000)]
        max_upload_mb: u64,
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
        /// Print the registry as JSON: each analysis' descriptor and params' JSON Schema.
        #[arg(long)]
        json: bool,
        /// With a project, the JSON also gives each analysis' default params on it.
        #[arg(long)]
        project: Option<PathBuf>,
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
        /// A what-if scenario (TOML or JSON) to run on instead of the baseline: @FILE, @- for
        /// stdin, or inline JSON.
        #[arg(long)]
        scenario: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run analyses on the baseline and on 1 to 5 scenarios; print values, deltas and what
    /// changed in words.
    Compare {
        /// Project file (tepat.toml); the embedded demo city without it.
        #[arg(long)]
        project: Option<PathBuf>,
        /// A scenario (TOML or JSON): @FILE, @- for stdin, or inline JSON; repeat for more.
        #[arg(long = "scenario", required = true)]
        scenarios: Vec<String>,
        /// Analyses to run, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "exposure,access,index")]
        analyses: Vec<String>,
        /// Params by analysis name, `{"access": {…}, …}`, as JSON or @FILE; analyses not in it
        /// get defaults read off the project (the finest zones, first hazard, …).
        #[arg(long)]
        params: Option<String>,
        /// Print only what changed, in words, instead of the JSON comparison.
        #[arg(long)]
        text: bool,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the OpenAPI 3.1 document of the HTTP API (as checked in at api/openapi.json).
    Openapi {
        /// Write to this file (atomically) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token of a role; prints it on the last line (it is stored only hashed).
    Create {
        /// The token's role.
        #[arg(long, value_enum)]
        role: UserRole,
        /// Directory of the store (as given to `tepat serve --data-dir`).
        #[arg(long, default_value = "tepat-data")]
        data_dir: PathBuf,
        /// A note on who holds it.
        #[arg(long)]
        label: Option<String>,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            project,
            addr,
            data_dir,
            private,
            sync_timeout_ms,
            max_upload_mb,
        } => serve(
            project.as_deref(),
            addr,
            &data_dir,
            Options {
                private,
                sync_timeout_ms,
                ..Options::default()
            },
            max_upload_mb,
        ),
        Command::Demo { out } => demo(&out),
        Command::Check { project, json } => check(&project, json),
        Command::Analyses { json, project } => list_analyses(json, project.as_deref()),
        Command::Run {
            name,
            project,
            params,
            scenario,
            format,
            out,
        } => run_analysis(
            &name,
            project.as_deref(),
            params.as_deref(),
            scenario.as_deref(),
            format,
            out.as_deref(),
        ),
        Command::Compare {
            project,
            scenarios,
            analyses,
            params,
            text,
            out,
        } => compare(
            project.as_deref(),
            &scenarios,
            &analyses,
            params.as_deref(),
            text,
            out.as_deref(),
        ),
        Command::Token {
            command:
                TokenCommand::Create {
                    role,
                    data_dir,
                    label,
                },
        } => token_create(role, &data_dir, label.as_deref()),
        Command::Openapi { out } => {
            let text = tepat::openapi::document_text();
            match out {
                Some(path) => output::write_atomic(&path, text.as_bytes())?,
                None => print_stdout(text.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(
    project: Option<&Path>,
    addr: SocketAddr,
    data_dir: &Path,
    options: Options,
    max_upload_mb: u64,
) -> anyhow::Result<ExitCode> {
    init_tracing();
    // Load and index before listening, so a bad project fails fast and the first request is quick.
    let store = Store::open(data_dir)?;
    // Also loads the layers uploaded earlier (`<data-dir>/layers`).
    let state = AppState::with_store(load_project(project)?, store, options)?;
    state.set_max_upload_bytes(max_upload_mb.saturating_mul(1_000_000));
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

fn list_analyses(json: bool, project: Option<&Path>) -> anyhow::Result<ExitCode> {
    let project = project.map(|p| load_project(Some(p))).transpose()?;
    let list = tepat::analyses::catalog(project.as_ref());
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
    scenario: Option<&str>,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    analysis::find(name)?; // before loading the project: a typo should fail fast
    let params = parse_params(params)?;
    let scenario = scenario.map(read_scenario).transpose()?;
    let mut project = load_project(project)?;
    if let Some(s) = &scenario {
        project = scenario::apply(&project, s)
            .with_context(|| format!("scenario '{}'", s.name))?
            .project;
    }
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
    let (text, source) = read_arg("--params", arg)?;
    serde_json::from_str(&text).with_context(|| format!("{source}: invalid JSON"))
}

/// The text of an argument that may be inline, `@FILE` or `@-` (stdin), and how to name it.
fn read_arg(flag: &str, arg: &str) -> anyhow::Result<(String, String)> {
    Ok(match arg.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .with_context(|| format!("{flag} @-: reading stdin"))?;
            (s, format!("{flag} @-"))
        }
        Some(path) => {
            let s = std::fs::read_to_string(path).with_context(|| format!("{flag} @{path}"))?;
            (s, format!("{flag} @{path}"))
        }
        None => (arg.to_string(), flag.to_string()),
    })
}

/// `--scenario`: a TOML or JSON scenario, inline or `@FILE`.
fn read_scenario(arg: &str) -> anyhow::Result<Scenario> {
    let (text, source) = read_arg("--scenario", arg)?;
    Scenario::parse(&text).with_context(|| source)
}

fn compare(
    project: Option<&Path>,
    scenarios: &[String],
    analyses: &[String],
    params: Option<&str>,
    text: bool,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    for a in analyses {
        analysis::find(a)?; // before loading the project: a typo should fail fast
    }
    let scenarios: Vec<Scenario> = scenarios
        .iter()
        .map(|s| read_scenario(s))
        .collect::<anyhow::Result<_>>()?;
    let given = parse_params(params)?;
    if !(given.is_null() || given.is_object()) {
        anyhow::bail!(
            "--params: expected an object of params by analysis name, e.g. {{\"access\": {{…}}}}"
        );
    }
    let project = load_project(project)?;
    let requests = scenario::requests(&project, &scenarios, analyses, &given)?;
    let comparison = scenario::compare(&project, &scenarios, &requests)?;
    let mut bytes = if text {
        tepat::output::comparison_text(&comparison).into_bytes()
    } else {
        serde_json::to_vec_pretty(&comparison)?
    };
    if bytes.last() != Some(&b'\n') {
        bytes.push(b'\n');
    }
    match out {
        Some(path) => output::write_atomic(path, &bytes)?,
        None => print_stdout(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn token_create(role: UserRole, data_dir: &Path, label: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = Store::open(data_dir)?;
    let token = store.create_token(role, label)?;
    eprintln!(
        "tepat: new {} token in {}; it is shown only now (only its hash is stored):",
        role.as_str(),
        data_dir.display()
    );
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// Writes to stdout; a closed pipe (`tepat run … | head`) is not an error.
fn print_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}
