//! The address a request came from, for throttling. Directly connected
//! clients are who the socket says. Behind a reverse proxy every request
//! comes from the proxy, so for a peer listed in `trusted_proxies` the
//! address is taken from `X-Forwarded-For`: the right-most entry that is
//! not itself a trusted proxy (entries further left are whatever the client
//! chose to send). Without trusted proxies the header is ignored.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

/// The proxies whose `X-Forwarded-For` is believed (the state provides
/// them, from `trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpAddr]>);

/// The client's address, as described above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    TrustedProxies: FromRef<S>,
{
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Present whenever the server is built with connect info, as it is.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or((StatusCode::INTERNAL_SERVER_ERROR, "no connection address"))?;
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let trusted = TrustedProxies::from_ref(state);
        Ok(ClientIp(client_ip(peer, &forwarded, &trusted.0)))
    }
}

/// The client behind `peer`, given the `X-Forwarded-For` entries and the
/// proxies trusted.
pub fn client_ip(peer: IpAddr, forwarded: &str, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut last = peer;
    for entry in forwarded.rsplit(',') {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            // An entry that is not an address: nothing left of it can be
            // trusted either.
            return last;
        };
        if !trusted.contains(&ip) {
            return ip;
        }
        last = ip;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy = [ip("10.0.0.2"), ip("10.0.0.3")];
        for (peer, forwarded, trusted, client) in [
            // No proxy trusted, or not from one: the header is whatever
            // the client wrote.
            ("203.0.113.9", "1.2.3.4", &[][..], "203.0.113.9"),
            ("203.0.113.9", "1.2.3.4", &proxy[..], "203.0.113.9"),
            // Through the proxy: the right-most untrusted entry, not the
            // client's own claim at the left.
            (
                "10.0.0.2",
                "6.6.6.6, 198.51.100.7, 10.0.0.3",
                &proxy[..],
                "198.51.100.7",
            ),
            ("10.0.0.2", "", &proxy[..], "10.0.0.2"),
            ("10.0.0.2", "junk, 198.51.100.7", &proxy[..], "198.51.100.7"),
            ("10.0.0.2", "198.51.100.7, junk", &proxy[..], "10.0.0.2"),
        ] {
            assert_eq!(
                client_ip(ip(peer), forwarded, trusted),
                ip(client),
                "{forwarded}"
            );
        }
    }
}
