//! A throwaway PostgreSQL server for the tests: installed from Debian's
//! packages when missing, initialised in a temporary folder on a free
//! loopback port, and stopped and removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::system::is_root;

#[derive(Debug)]
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    url: String,
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root
/// (PostgreSQL refuses to run as root).
fn pg(bin: &Path, tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let exe = bin.join(tool);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(args)
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !out.status.success() {
        bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn install() -> anyhow::Result<()> {
    crate::system::apt_install(&["postgresql"])
}

impl Postgres {
    pub fn start() -> anyhow::Result<Postgres> {
        let bin = match find_bin() {
            Some(b) => b,
            None => {
                install()?;
                find_bin().context("PostgreSQL installed but initdb not found")?
            }
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let dir = std::env::temp_dir().join(format!("fieldcheck-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()?
                .success();
            if !ok {
                bail!("cannot hand {} to the postgres user", dir.display());
            }
        }
        let data = dir.join("data");
        let (data_s, dir_s) = (data.display().to_string(), dir.display().to_string());
        pg(
            &bin,
            "initdb",
            &["-D", &data_s, "-A", "trust", "-U", "postgres"],
        )?;
        let opts = format!("-p {port} -k {dir_s} -c listen_addresses=127.0.0.1 -c fsync=off");
        let log = dir.join("log").display().to_string();
        pg(
            &bin,
            "pg_ctl",
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        )?;
        eprintln!("xtask: PostgreSQL on 127.0.0.1:{port}");
        Ok(Postgres {
            bin,
            dir,
            url: format!("postgres://postgres@127.0.0.1:{port}"),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        if let Err(e) = pg(
            &self.bin,
            "pg_ctl",
            &["-D", &data, "-m", "fast", "-w", "stop"],
        ) {
            eprintln!("xtask: stopping PostgreSQL: {e:#}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
