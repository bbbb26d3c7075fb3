//! What the test and run commands need of the machine: Debian packages,
//! installed when missing (as root), and npm packages.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// Installs the Debian packages that are missing.
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "missing packages: {}; install them (apt-get install {}) and run again",
            missing.join(" "),
            missing.join(" ")
        );
    }
    eprintln!(
        "xtask: installing {} from Debian's packages",
        missing.join(" ")
    );
    let install: Vec<&str> = ["install", "-y", "-q", "--no-install-recommends"]
        .into_iter()
        .chain(missing.iter().copied())
        .collect();
    for args in [&["update", "-q"][..], &install[..]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()?;
        if !status.success() {
            bail!("apt-get {} failed", args.join(" "));
        }
    }
    Ok(())
}

/// Runs npm in `dir`, passing its output through as it comes (a slow or
/// stuck test shows where it is) and keeping the standard output.
pub fn npm(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Npm> {
    eprintln!("xtask: npm {} (in {})", args.join(" "), dir.display());
    let mut child = Command::new("npm")
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run npm (Node 20 or newer is needed)")?;
    let mut stdout = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.context("reading npm's output")?;
            println!("{line}");
            stdout.push_str(&line);
            stdout.push('\n');
        }
    }
    let status = child.wait().context("waiting for npm")?;
    Ok(Npm { status, stdout })
}

/// What an npm command did: its exit status and standard output.
pub struct Npm {
    pub status: std::process::ExitStatus,
    pub stdout: String,
}

/// tauri-driver (the WebDriver proxy for Tauri apps), installed from
/// crates.io into `root` when it is not there yet.
pub fn tauri_driver(root: &Path) -> anyhow::Result<std::path::PathBuf> {
    let bin = root.join("bin/tauri-driver");
    if bin.exists() {
        return Ok(bin);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: installing tauri-driver into {}", root.display());
    let status = Command::new(cargo)
        .args([
            "install",
            "--locked",
            "tauri-driver",
            "--version",
            "^2",
            "--root",
        ])
        .arg(root)
        .status()
        .context("cannot run cargo install")?;
    if !status.success() {
        bail!("cargo install tauri-driver failed");
    }
    Ok(bin)
}
