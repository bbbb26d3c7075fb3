//! Project automation: `cargo xtask test` runs every check CI runs;
//! `cargo xtask run` starts the product. Each step installs what it needs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

mod postgres;
mod system;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Fieldcheck project tasks")]
struct Args {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Format check, clippy with -D warnings, and every test.
    Test,
    /// Build and start the product.
    Run,
    /// Benchmarks (release builds): `sync`, `ratings`.
    Bench {
        #[arg(default_value = "sync")]
        which: String,
        /// Extra arguments for the benchmark, e.g. `--devices 4 --audits 250`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let result = match Args::parse().task {
        Task::Test => test(),
        Task::Run => run(),
        Task::Bench { which, args } => bench(&which, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start {cargo}"))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// What the app needs from Debian to build and be tested: WebKitGTK and
/// its driver, Xvfb, chromium for the console tests, and a CJK font.
const APP_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "file",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "pkg-config",
    "xvfb",
    "xauth",
    "scrot",
    "webkit2gtk-driver",
    "chromium",
    "fonts-wqy-microhei",
    // A font without Chinese letters, which a PDF font must not be, and
    // pdftotext, which reads the PDF bulletins back.
    "fonts-dejavu-core",
    "poppler-utils",
];

/// The app embeds ui/dist; every build uses the same features so that the
/// Tauri chain compiles once.
const FEATURES: &[&str] = &["--features", "fieldcheck-app/custom-protocol"];

fn test() -> anyhow::Result<()> {
    system::apt_install(APP_PACKAGES)?;
    let ui = ui_built()?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(
        &[
            &["clippy", "--workspace", "--all-targets"][..],
            FEATURES,
            &["--", "-D", "warnings"],
        ]
        .concat(),
    )?;
    let mut totals = cargo_test(&[&["test", "--workspace"][..], FEATURES].concat(), &[])?;
    // The server's suite and the scenarios again on PostgreSQL, started here
    // and stopped after. The whole workspace is named, with the same
    // features, so that nothing is built again (core's `it` runs twice).
    let pg = postgres::Postgres::start()?;
    let more = cargo_test(
        &[
            &["test", "--workspace", "--test", "it", "--test", "scenarios"][..],
            FEATURES,
        ]
        .concat(),
        &[("FIELDCHECK_TEST_POSTGRES", pg.url())],
    )?;
    totals.0 += more.0;
    drop(pg);
    let ui = ui_test(&ui)?;
    totals.0 += ui.0;
    println!("tests: {} passed, {} failed", totals.0, totals.1);
    Ok(())
}

/// Runs the UI's tests: components and the Api layer in Vitest; the console
/// in Debian's chromium and the real app window under Xvfb through
/// tauri-driver, against the real server.
/// Screenshots land in target/test-output/screenshots.
fn ui_test(ui: &Path) -> anyhow::Result<(u64, u64)> {
    cargo(
        &[
            &["build", "-p", "fieldcheck-server", "-p", "fieldcheck-app"][..],
            FEATURES,
        ]
        .concat(),
    )?;
    let driver = system::tauri_driver(&target_dir().join("tools"))?;
    let target = target_dir();
    let server = target.join("debug/fieldcheck-server");
    let app = target.join("debug/fieldcheck-app");
    let output = target.join("test-output");
    let env = [
        ("FIELDCHECK_SERVER", server.to_string_lossy()),
        ("FIELDCHECK_APP", app.to_string_lossy()),
        ("TAURI_DRIVER", driver.to_string_lossy()),
        ("FIELDCHECK_TEST_OUTPUT", output.to_string_lossy()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    // Components and the Api layer (Vitest, TAP), then end to end (node:test).
    let unit = system::npm(ui, &["run", "test:unit"], &[])?;
    let e2e = system::npm(ui, &["run", "test:e2e"], &env)?;
    let (unit_text, e2e_text) = (&unit.stdout, &e2e.stdout);
    let count = |prefix: &str| {
        unit_text
            .lines()
            .filter(|l| {
                l.strip_prefix(prefix)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            })
            .count() as u64
    };
    let tally = |word: &str| {
        e2e_text
            .lines()
            .filter_map(|l| {
                l.strip_prefix(&format!("# {word} "))?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .sum::<u64>()
    };
    let passed = count("ok ") + tally("pass");
    let failed = count("not ok ") + tally("fail");
    if !unit.status.success() || !e2e.status.success() || failed > 0 || passed == 0 {
        println!("tests: {passed} passed, {failed} failed (the UI's)");
        bail!("the UI's tests failed");
    }
    eprintln!(
        "xtask: screenshots in {}",
        output.join("screenshots").display()
    );
    Ok((passed, failed))
}

/// Installs the UI's npm packages from the lockfile and builds `ui/dist`.
/// The UI's packages installed and `dist` built, each only when out of
/// date: `npm ci` when `package-lock.json` is newer than the installed tree
/// (npm writes `node_modules/.package-lock.json`), the build when a source
/// is newer than the last build's `dist/index.html`.
fn ui_built() -> anyhow::Result<PathBuf> {
    let ui = root().join("ui");
    let mut steps: Vec<&[&str]> = Vec::new();
    if newer(
        &[ui.join("package-lock.json")],
        &ui.join("node_modules/.package-lock.json"),
    ) {
        steps.push(&["ci", "--no-audit", "--no-fund"]);
    }
    let sources = [
        "src",
        "index.html",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ];
    if !steps.is_empty() || newer(&sources.map(|s| ui.join(s)), &ui.join("dist/index.html")) {
        steps.push(&["run", "build"]);
    }
    if steps.is_empty() {
        eprintln!("xtask: the UI's packages and build are up to date");
    }
    for args in steps {
        if !system::npm(&ui, args, &[])?.status.success() {
            bail!("npm {} failed", args.join(" "));
        }
    }
    Ok(ui)
}

/// When `path` or anything under it was last modified.
fn last_modified(path: &Path) -> Option<std::time::SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| last_modified(&e.path()))
        .chain(own)
        .max()
}

/// Whether `output` is missing or older than any of `inputs`.
fn newer(inputs: &[PathBuf], output: &Path) -> bool {
    let Some(made) = std::fs::metadata(output).and_then(|m| m.modified()).ok() else {
        return true;
    };
    inputs
        .iter()
        .filter_map(|p| last_modified(p))
        .any(|t| t > made)
}

fn target_dir() -> PathBuf {
    std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), PathBuf::from)
}

/// Runs `cargo test`, echoing its output, and closes with one total line,
/// `tests: N passed, N failed`, so that the last word is the whole run's and
/// not the last crate's doc-tests.
fn cargo_test(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<(u64, u64)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: cargo {}", args.join(" "));
    let mut child = Command::new(&cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {cargo}"))?;
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            if let Some(summary) = line.strip_prefix("test result: ") {
                passed += count(summary, "passed");
                failed += count(summary, "failed");
            }
        }
    }
    let status = child.wait()?;
    if !status.success() || failed > 0 {
        println!("tests: {passed} passed, {failed} failed");
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    if passed == 0 {
        bail!("no test ran");
    }
    Ok((passed, failed))
}

/// The number before `word` in a summary like `ok. 74 passed; 0 failed; ...`.
fn count(summary: &str, word: &str) -> u64 {
    summary
        .split([';', '.'])
        .filter_map(|part| part.trim().strip_suffix(word)?.trim().parse::<u64>().ok())
        .sum()
}

fn bench(which: &str, args: &[String]) -> anyhow::Result<()> {
    if !["sync", "ratings", "answers"].contains(&which) {
        bail!("unknown benchmark `{which}` (available: sync, ratings, answers)");
    }
    if which == "sync" {
        // The JavaScript automerge-repo sync server, a peer in the comparison.
        let js = root().join("bench/js");
        if !system::npm(&js, &["ci", "--no-audit", "--no-fund"], &[])?
            .status
            .success()
        {
            bail!("npm ci failed in {}", js.display());
        }
    }
    cargo(&[
        "build",
        "--release",
        "-p",
        "fieldcheck-server",
        "-p",
        "fieldcheck-bench",
    ])?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target"));
    let mut bench = Command::new(target.join("release/fieldcheck-bench"));
    if which != "sync" {
        bench.arg(which);
    }
    let status = bench
        .arg("--server")
        .arg(target.join("release/fieldcheck-server"))
        .args(args)
        .status()?;
    if !status.success() {
        bail!("the benchmark failed ({status})");
    }
    Ok(())
}

/// Builds and starts the product: the sync server on an embedded SQLite
/// database in `target/fieldcheck-data`, filled with the demo province on
/// first start, serving the web console; and the app window, signed in as
/// the demo inspector. The server runs until Ctrl-C.
fn run() -> anyhow::Result<()> {
    system::apt_install(APP_PACKAGES)?;
    let ui = ui_built()?;
    cargo(
        &[
            &["build", "-p", "fieldcheck-server", "-p", "fieldcheck-app"][..],
            FEATURES,
        ]
        .concat(),
    )?;
    let target = target_dir();
    let server = target.join("debug/fieldcheck-server");
    let data = target.join("fieldcheck-data");
    let password = "fieldcheck";
    if !data.join("fieldcheck.db").exists() {
        eprintln!(
            "xtask: first start: filling {} with the demo province",
            data.display()
        );
        let ok = Command::new(&server)
            .args(["demo", "--password", password, "--data-dir"])
            .arg(&data)
            .status()?
            .success();
        if !ok {
            // Leave no half-filled database behind for the next start.
            let _ = std::fs::remove_dir_all(&data);
            bail!("the demo data could not be created");
        }
    } else {
        eprintln!(
            "xtask: using the data in {} (delete it for a fresh demo)",
            data.display()
        );
    }
    let listen = std::env::var("FIELDCHECK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let serve = Command::new(&server)
        .args(["serve", "--listen", &listen, "--data-dir"])
        .arg(&data)
        .arg("--console")
        .arg(ui.join("dist"))
        .spawn()?;
    println!(
        "\nFieldcheck is running.\n  web console: http://{listen}  (log in as manager / {password})\n  \
         demo log-ins: admin, manager, province, inspector, surveyor; password `{password}`\n  \
         the app: signed in as inspector; its data is in {}\n  Ctrl-C stops the server and the app.\n",
        target.join("fieldcheck-app-data").display()
    );
    let mut app = None;
    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        match Command::new(target.join("debug/fieldcheck-app"))
            .env("FIELDCHECK_SERVER", format!("http://{listen}"))
            .env("FIELDCHECK_LOGIN", format!("inspector:{password}"))
            .env("FIELDCHECK_DATA_DIR", target.join("fieldcheck-app-data"))
            .spawn()
        {
            Ok(child) => app = Some(child),
            Err(e) => eprintln!("xtask: the app did not start: {e}"),
        }
    } else {
        eprintln!(
            "xtask: no display (DISPLAY is not set), so the app window is not opened; \
             under Xvfb: xvfb-run -a target/debug/fieldcheck-app"
        );
    }
    supervise(serve, app)
}

/// Waits for the server, with the app beside it: Ctrl-C (or SIGTERM) stops
/// both, and the app never outlives the server it shows. Closing the app's
/// window leaves the server running for the web console.
fn supervise(mut serve: Child, mut app: Option<Child>) -> anyhow::Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let ended = loop {
        if let Some(status) = serve.try_wait()? {
            break Some(status);
        }
        if stop.load(Ordering::Relaxed) {
            break None;
        }
        if let Some(a) = app.as_mut()
            && a.try_wait()?.is_some()
        {
            eprintln!("xtask: the app window was closed; the server runs on (Ctrl-C stops it)");
            app = None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if let Some(mut a) = app {
        let _ = a.kill();
        let _ = a.wait();
    }
    match ended {
        Some(status) if !status.success() => bail!("the server stopped ({status})"),
        Some(_) => Ok(()),
        None => {
            // A Ctrl-C in the terminal reaches the server too; a signal sent
            // to this process alone is passed on. The server closes its
            // connections and stops; one that does not within 10 s is killed.
            let _ = Command::new("kill")
                .args(["-INT", &serve.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while serve.try_wait()?.is_none() {
                if std::time::Instant::now() > deadline {
                    let _ = serve.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = serve.wait();
            eprintln!("xtask: stopped the server and the app");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_is_out_of_date_when_missing_or_older_than_an_input() {
        let dir = std::env::temp_dir().join(format!("xtask-newer-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("deep")).expect("dirs");
        let out = dir.join("out.txt");
        assert!(newer(std::slice::from_ref(&src), &out), "missing");
        std::fs::write(src.join("deep/a.ts"), "a").expect("write");
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&out, "built").expect("write");
        assert!(
            !newer(std::slice::from_ref(&src), &out),
            "built after its sources"
        );
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(src.join("deep/a.ts"), "changed").expect("write");
        assert!(
            newer(std::slice::from_ref(&src), &out),
            "a source deep inside changed"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
