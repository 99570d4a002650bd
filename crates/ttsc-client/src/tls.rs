//! TLS: rustls with the ring provider, the platform's trust store plus optional extra roots,
//! and an explicit opt-in that accepts any certificate.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{Cause, Error, ErrorKind, Result};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the client's TLS configuration.
pub(crate) fn config(extra_roots: &[Vec<u8>], insecure: bool) -> Result<rustls::ClientConfig> {
    let tls_error = |what: &str, e: String| {
        Error::new(ErrorKind::Config, format!("TLS setup failed: {what}")).with_source(Cause(e))
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("protocol versions", e.to_string()))?;
    if insecure {
        tracing::warn!("TLS certificate verification is disabled (danger_accept_invalid_certs)");
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
            .with_no_client_auth());
    }
    let mut roots = Vec::new();
    for material in extra_roots {
        roots.extend(parse_certificates(material)?);
    }
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider())
    }
    .map_err(|e| tls_error("cannot load the platform's trust store", e.to_string()))?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// Certificates from PEM (one or more `CERTIFICATE` blocks) or a single DER certificate.
fn parse_certificates(material: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    // A DER certificate is an ASN.1 SEQUENCE (0x30); anything else is read as PEM.
    if material.first() != Some(&0x30) {
        let certs: std::result::Result<Vec<_>, _> =
            CertificateDer::pem_slice_iter(material).collect();
        let certs = certs.map_err(|e| {
            Error::new(ErrorKind::Config, "invalid extra root certificate (PEM)")
                .with_source(Cause(e.to_string()))
        })?;
        if certs.is_empty() {
            return Err(Error::new(
                ErrorKind::Config,
                "the extra root certificate holds no CERTIFICATE block",
            ));
        }
        Ok(certs)
    } else {
        Ok(vec![CertificateDer::from(material.to_vec())])
    }
}

/// Accepts every server certificate (still checks handshake signatures).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
