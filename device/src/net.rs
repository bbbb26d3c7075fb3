//! The device's connections to its server: one TLS configuration for HTTPS
//! and WSS, trusting the platform's certificate store plus, for a private
//! deployment, the operator's own CA (given at enrolment or sign-in).

use std::sync::{Arc, Mutex};
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

    /// For enrolling with a private deployment's link: trusts the server if
    /// its chain holds a CA certificate with the SHA-256 `fingerprint` the
    /// link carries and that CA signed the server's certificate. The CA
    /// found is kept in the returned cell, for the session to trust.
    pub fn pinned(fingerprint: &str) -> (Tls, Arc<Mutex<Option<String>>>) {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let found = Arc::new(Mutex::new(None));
        let verifier = Pinned {
            fingerprint: fingerprint.trim().to_ascii_lowercase().replace(':', ""),
            found: found.clone(),
            provider: provider.clone(),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|_| unreachable!("ring supports the default versions"))
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        (Tls(Arc::new(config)), found)
    }

    /// The platform's trust store alone.
    pub fn platform() -> Tls {
        // Only a bad operator CA fails, and there is none.
        Tls::new(None).unwrap_or_else(|_| unreachable!("no operator CA to be bad"))
    }

    /// An HTTP client for the server's API and media.
    pub fn http(&self, timeout: Option<Duration>) -> Result<reqwest::Client, reqwest::Error> {
        let mut b = reqwest::Client::builder().tls_backend_preconfigured((*self.0).clone());
        if let Some(t) = timeout {
            b = b.timeout(t);
        }
        b.build()
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

/// Trusts a server whose chain carries the pinned CA, which signed it.
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    found: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Checked<ServerCertVerified> {
        let ca = intermediates
            .iter()
            .find(|c| fingerprint(c) == self.fingerprint)
            .ok_or_else(|| {
                rustls::Error::General(
                    "the server did not present the operator CA the enrolment link names".into(),
                )
            })?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone().into_owned())?;
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
        let verified = webpki.verify_server_cert(end_entity, intermediates, name, ocsp, now)?;
        if let Ok(mut f) = self.found.lock() {
            *f = Some(pem(ca));
        }
        Ok(verified)
    }

    fn verify_tls12_signature(&self, m: &[u8], c: &CertificateDer, d: &Signed) -> Checked<Valid> {
        let algs = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, algs)
    }

    fn verify_tls13_signature(&self, m: &[u8], c: &CertificateDer, d: &Signed) -> Checked<Valid> {
        let algs = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A certificate's SHA-256 fingerprint, in lower-case hex.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate as PEM.
fn pem(cert: &CertificateDer<'_>) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
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
