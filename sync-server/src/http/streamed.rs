//! Large JSON answers, written while they are sent: a national table of
//! ratings by month is about 100 MB of JSON, which should not sit in memory
//! whole. The value is serialised on a blocking thread into chunks of
//! [`CHUNK`] bytes, at most [`IN_FLIGHT`] of them waiting for the client.

use std::io;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::mpsc;

const CHUNK: usize = 256 * 1024;
const IN_FLIGHT: usize = 4;

/// `value` as an `application/json` body, serialised as it is sent.
pub fn json<T: Serialize + Send + 'static>(value: T) -> Response {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            buf: Vec::with_capacity(CHUNK),
            tx,
        };
        // Our values always serialise; a client that went away ends it.
        if serde_json::to_writer(&mut out, &value).is_ok() {
            out.send();
        }
    });
    let body = receiver_stream(rx);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Body::from_stream(body),
    )
        .into_response()
}

/// What a channel receives, as a stream (a response body reads it).
pub fn receiver_stream<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A writer that hands full chunks to the response.
struct Chunks {
    buf: Vec<u8>,
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl Chunks {
    fn send(&mut self) -> bool {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        full.is_empty() || self.tx.blocking_send(Ok(Bytes::from(full))).is_ok()
    }
}

impl io::Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK && !self.send() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client left"));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
