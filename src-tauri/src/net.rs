//! The device's connections to its server: one TLS configuration for HTTPS
//! and WSS, trusting the platform's certificate store plus, for a private
//! deployment, the operator's own CA (given at enrolment or sign-in).

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{
    HandshakeSignatureValid as Valid, ServerCertVerified, ServerCertVerifier,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// How a device reaches its server over TLS.
#[derive(Debug, Clone)]
pub struct Tls(Arc<ClientConfig>);

/// An operator CA that is not a PEM certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the operator CA is not a PEM certificate: {0}")]
pub struct BadCa(String);

impl Tls {
    /// The platform's trust store, plus `operator_ca` (PEM) if given.
    pub fn new(operator_ca: Option<&str>) -> Result<Tls, BadCa> {
        let extra = match operator_ca {
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| BadCa(e.to_string()))?;
                if certs.is_empty() {
                    return Err(BadCa("no certificate in it".into()));
                }
                certs
            }
            None => Vec::new(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match platform(extra, provider.clone()) {
            Ok(v) => v,
            // No trust store at all (a bare container): every TLS connection
            // fails with this reason rather than the app failing to start.
            Err(e) => Arc::new(Untrusting {
                reason: format!("this device has no certificates to trust servers with ({e})"),
                provider: provider.clone(),
            }),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| BadCa(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Tls(Arc::new(config)))
    }

    /// The platform's trust store alone.
    pub fn platform() -> Tls {
        // Only a bad operator CA fails, and there is none.
        Tls::new(None).unwrap_or_else(|_| unreachable!("no operator CA to be bad"))
    }

    /// An HTTP client for the server's API and media.
    pub fn http(&self, timeout: Option<Duration>) -> Result<reqwest::Client, String> {
        let mut b = reqwest::Client::builder().tls_backend_preconfigured((*self.0).clone());
        if let Some(t) = timeout {
            b = b.timeout(t);
        }
        b.build().map_err(|e| e.to_string())
    }

    /// The connector for `wss://` sync connections.
    pub fn connector(&self) -> tokio_tungstenite::Connector {
        tokio_tungstenite::Connector::Rustls(self.0.clone())
    }
}

/// A TLS failure of the sync connection in words a user can act on.
pub fn explain_tls(e: &tokio_tungstenite::tungstenite::error::TlsError) -> String {
    explain(&chain(e))
}

/// A failed request in words a user can act on, with its causes.
pub fn describe(e: &reqwest::Error) -> String {
    explain(&chain(e))
}

/// An error and its sources, in one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn explain(detail: &str) -> String {
    if detail.contains("invalid peer certificate") || detail.contains("trust servers") {
        format!(
            "the server's certificate is not trusted on this device; sign in with the \
             operator's CA, or ask your administrator ({detail})"
        )
    } else {
        detail.to_string()
    }
}

#[cfg(not(target_os = "android"))]
fn platform(
    extra: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    Ok(Arc::new(
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)?,
    ))
}

/// Android's verifier takes no extra roots: with an operator CA, the app
/// trusts that CA alone (docs/mobile.md).
#[cfg(target_os = "android")]
fn platform(
    extra: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    if extra.is_empty() {
        return Ok(Arc::new(rustls_platform_verifier::Verifier::new(provider)?));
    }
    let mut roots = rustls::RootCertStore::empty();
    for c in extra {
        roots.add(c)?;
    }
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| rustls::Error::General(e.to_string()))
}

/// Trusts no server, saying why.
#[derive(Debug)]
struct Untrusting {
    reason: String,
    provider: Arc<CryptoProvider>,
}

type Signed = DigitallySignedStruct;
type Checked<T> = Result<T, rustls::Error>;

impl Untrusting {
    fn refuse<T>(&self) -> Checked<T> {
        Err(rustls::Error::General(self.reason.clone()))
    }
}

impl ServerCertVerifier for Untrusting {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Checked<ServerCertVerified> {
        self.refuse()
    }

    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer, _: &Signed) -> Checked<Valid> {
        self.refuse()
    }

    fn verify_tls13_signature(&self, _: &[u8], _: &CertificateDer, _: &Signed) -> Checked<Valid> {
        self.refuse()
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_ca_must_be_a_pem_certificate() {
        assert!(Tls::new(None).is_ok());
        assert!(Tls::new(Some("not a certificate")).is_err());
        assert!(Tls::new(Some("")).is_err());
    }
}
