//! Server configuration, in layers: built-in defaults, a TOML file
//! (`--config`), `FIELDCHECK_*` environment variables, then flags.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;

pub use crate::tls::TlsFiles;

/// A value that never prints (database URLs carry passwords).
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where the data lives: shared by `serve` and the commands that open storage.
#[derive(Debug, Clone, Default, Args)]
pub struct StorageArgs {
    /// Configuration file (TOML).
    #[arg(long, env = "FIELDCHECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the embedded database and media.
    #[arg(long, env = "FIELDCHECK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// postgres://... to use PostgreSQL instead of the embedded SQLite file.
    #[arg(long, env = "FIELDCHECK_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, env = "FIELDCHECK_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// The built web console (`ui/dist`) to serve at `/`.
    #[arg(long, env = "FIELDCHECK_CONSOLE")]
    pub console: Option<PathBuf>,
    /// PEM certificate chain: serve HTTPS and WSS (with --tls-key).
    #[arg(long, env = "FIELDCHECK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate.
    #[arg(long, env = "FIELDCHECK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM certificate of the operator's own CA, for a private deployment:
    /// sent with the server's chain and pinned by enrolment links.
    #[arg(long, env = "FIELDCHECK_TLS_CA", requires = "tls_cert")]
    pub tls_ca: Option<PathBuf>,
    /// The address devices reach the server at (`https://fc.example.com`),
    /// for enrolment links; else the address a request came to.
    #[arg(long, env = "FIELDCHECK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (comma
    /// separated addresses).
    #[arg(
        long = "trusted-proxy",
        env = "FIELDCHECK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
}

/// The file layer.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database: Option<Secret>,
    token_ttl_hours: Option<u64>,
    cache_docs: Option<usize>,
    max_media_mb: Option<u64>,
    console: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_ca: Option<PathBuf>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<IpAddr>>,
    mail: Option<MailConfig>,
    pdf_font: Option<PathBuf>,
}

/// Notifications by e-mail (`[mail]` in the configuration file): without
/// it the server sends none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server, `host:port`.
    pub smtp: String,
    /// The sender, e.g. `Fieldcheck <fieldcheck@example.com>`.
    pub from: String,
    /// How the connection is secured: `starttls` (the default), `tls`
    /// (implicit, usually port 465) or `none` (a relay on a trusted network).
    #[serde(default)]
    pub security: MailSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// How often new notifications are looked for, in seconds (default 60).
    #[serde(default = "default_mail_every")]
    pub every_s: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    #[default]
    Starttls,
    Tls,
    None,
}

fn default_mail_every() -> u64 {
    60
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: Option<Secret>,
    pub token_ttl: Duration,
    /// Documents kept in memory at most.
    pub cache_docs: usize,
    /// Largest media file accepted.
    pub max_media_bytes: u64,
    /// The built web console served at `/`, if any.
    pub console: Option<PathBuf>,
    /// Serve HTTPS and WSS with this certificate; plain HTTP without.
    pub tls: Option<TlsFiles>,
    /// Where devices reach the server, for enrolment links.
    pub public_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed (see client_ip.rs).
    pub trusted_proxies: Vec<IpAddr>,
    /// Where notifications are e-mailed from, if anywhere.
    pub mail: Option<MailConfig>,
    /// The font PDF bulletins are set in (one with Chinese letters); else
    /// the first such font installed (`pdf::PdfFont::find`).
    pub pdf_font: Option<PathBuf>,
}

impl ServeConfig {
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.expose().to_string(),
            None => crate::store::Storage::sqlite_url(&self.data_dir),
        }
    }

    pub fn resolve(args: &ServeArgs) -> anyhow::Result<ServeConfig> {
        let file = read_file(args.storage.config.as_deref())?;
        let data_dir = args
            .storage
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(default_data_dir);
        Ok(ServeConfig {
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: absolute(&data_dir)?,
            database: args.storage.database.clone().map(Secret).or(file.database),
            token_ttl: Duration::from_secs(3600 * file.token_ttl_hours.unwrap_or(24 * 30)),
            cache_docs: file.cache_docs.unwrap_or(2_000),
            max_media_bytes: file.max_media_mb.unwrap_or(25) * 1024 * 1024,
            console: args.console.clone().or(file.console),
            tls: match (
                args.tls_cert.clone().or(file.tls_cert),
                args.tls_key.clone().or(file.tls_key),
            ) {
                (Some(cert), Some(key)) => Some(TlsFiles {
                    cert: absolute(&cert)?,
                    key: absolute(&key)?,
                    ca: args
                        .tls_ca
                        .clone()
                        .or(file.tls_ca)
                        .map(|c| absolute(&c))
                        .transpose()?,
                }),
                (None, None) => None,
                _ => anyhow::bail!("TLS needs both a certificate (tls_cert) and its key (tls_key)"),
            },
            public_url: args
                .public_url
                .clone()
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_string()),
            trusted_proxies: if args.trusted_proxies.is_empty() {
                file.trusted_proxies.unwrap_or_default()
            } else {
                args.trusted_proxies.clone()
            },
            mail: file.mail,
            pdf_font: file.pdf_font.map(|p| absolute(&p)).transpose()?,
        })
    }

    /// The configuration for commands that only need storage.
    pub fn for_storage(args: &StorageArgs) -> anyhow::Result<ServeConfig> {
        ServeConfig::resolve(&ServeArgs {
            storage: args.clone(),
            ..ServeArgs::default()
        })
    }
}

fn read_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}: invalid configuration", path.display()))
}

/// `$XDG_DATA_HOME/fieldcheck`, else `~/.local/share/fieldcheck`.
fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("/var/lib"))
        .join("fieldcheck")
}

/// A relative path given by the user means relative to where they are;
/// resolve it once, here, so nothing later depends on the working directory.
fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_which_beats_defaults_and_secrets_do_not_print() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("fc.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/fc\"\ndatabase = \"postgres://u:hunter2@h/db\"\ncache_docs = 10\n").expect("write");
        let args = ServeArgs {
            storage: StorageArgs {
                config: Some(file.clone()),
                data_dir: Some("/tmp/x".into()),
                database: None,
            },
            ..ServeArgs::default()
        };
        let c = ServeConfig::resolve(&args).expect("config");
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.cache_docs, 10);
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(c.mail.is_none(), "no e-mail unless configured");
        std::fs::write(
            &file,
            "[mail]\nsmtp = \"mail.example.com:587\"\nfrom = \"fc@example.com\"\npassword = \"hunter3\"\n",
        )
        .expect("write");
        let c = ServeConfig::resolve(&args).expect("config");
        let mail = c.mail.as_ref().expect("mail");
        assert_eq!((mail.security, mail.every_s), (MailSecurity::Starttls, 60));
        assert!(!format!("{c:?}").contains("hunter3"));
        std::fs::write(&file, "lisen = 1").expect("write");
        assert!(
            ServeConfig::resolve(&args).is_err(),
            "unknown keys are refused"
        );
    }
}
