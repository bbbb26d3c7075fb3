//! Scenarios across processes: the real server binary on loopback ports,
//! devices (the device crate, or hand-made clients), replicas on one
//! PostgreSQL, `kill -9`, hostile clients and TLS.

mod devices;
mod hostile;
mod media;
mod server;
mod tls;
