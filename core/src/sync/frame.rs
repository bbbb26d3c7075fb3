//! Frames of the sync protocol: versioned, length-limited and serialised with
//! postcard. The first byte of every frame is the protocol version.

use serde::{Deserialize, Serialize};

use super::DocId;

/// The protocol version this code speaks.
pub const PROTOCOL_VERSION: u8 = 1;
/// Largest frame accepted, in bytes. A sync message carrying one large audit
/// with notes is a few KB; media travel outside the documents.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// One message between a device and the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// Client, on connecting: the last server sequence it has fully received
    /// and the documents it changed since they were last acknowledged.
    Hello { cursor: u64, dirty: Vec<DocId> },
    /// Server: the documents the user may see that changed after the
    /// client's cursor, and the sequence that brings the client to.
    Welcome { changed: Vec<DocId>, seq: u64 },
    /// An Automerge sync message for one document.
    Sync { doc: DocId, message: Vec<u8> },
    /// Server: every change up to `seq` has reached the client.
    UpToDate { seq: u64 },
    /// Server: the client's changes to `doc` were refused and not stored.
    Rejected { doc: DocId, reason: String },
    /// Something was wrong with a frame; the session goes on.
    Error { code: ErrorCode, message: String },
}

/// Machine-readable reason in an [`Frame::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    Malformed,
    TooLarge,
    UnsupportedVersion,
    UnexpectedFrame,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("empty frame")]
    Empty,
    #[error("frame of {0} bytes is over the {MAX_FRAME_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("protocol version {0} is not supported (this side speaks {PROTOCOL_VERSION})")]
    Version(u8),
    #[error("malformed frame: {0}")]
    Malformed(String),
}

impl FrameError {
    /// The error frame that answers a bad incoming frame.
    pub fn reply(&self) -> Frame {
        let code = match self {
            FrameError::TooLarge(_) => ErrorCode::TooLarge,
            FrameError::Version(_) => ErrorCode::UnsupportedVersion,
            FrameError::Empty | FrameError::Malformed(_) => ErrorCode::Malformed,
        };
        Frame::Error {
            code,
            message: self.to_string(),
        }
    }
}

/// Serialises a frame with its version byte.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    // Serialising these plain enums into a Vec cannot fail.
    out.extend(postcard::to_allocvec(frame).unwrap_or_default());
    out
}

/// Parses a frame, checking size, version and that nothing trails it.
pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge(bytes.len()));
    }
    let (&version, body) = bytes.split_first().ok_or(FrameError::Empty)?;
    if version != PROTOCOL_VERSION {
        return Err(FrameError::Version(version));
    }
    let (frame, rest) =
        postcard::take_from_bytes(body).map_err(|e| FrameError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(FrameError::Malformed(format!(
            "{} bytes after the frame",
            rest.len()
        )));
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn frames_round_trip_and_a_quiet_reconnect_is_tiny() {
        let hello = Frame::Hello {
            cursor: 1_234_567,
            dirty: vec![],
        };
        let welcome = Frame::Welcome {
            changed: vec![],
            seq: 1_234_567,
        };
        for f in [&hello, &welcome] {
            assert_eq!(&decode(&encode(f)).expect("decodes"), f);
        }
        assert!(encode(&hello).len() + encode(&welcome).len() < 20);
    }

    #[test]
    fn bad_frames_are_errors_with_a_reply() {
        assert_eq!(decode(&[]), Err(FrameError::Empty));
        assert_eq!(decode(&[9, 0]), Err(FrameError::Version(9)));
        assert!(matches!(
            decode(&[PROTOCOL_VERSION, 200]),
            Err(FrameError::Malformed(_))
        ));
        let mut trailing = encode(&Frame::UpToDate { seq: 1 });
        trailing.push(0);
        assert!(matches!(decode(&trailing), Err(FrameError::Malformed(_))));
        let huge = vec![PROTOCOL_VERSION; MAX_FRAME_BYTES + 1];
        assert_eq!(
            decode(&huge),
            Err(FrameError::TooLarge(MAX_FRAME_BYTES + 1))
        );
        assert!(matches!(
            FrameError::Version(9).reply(),
            Frame::Error {
                code: ErrorCode::UnsupportedVersion,
                ..
            }
        ));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes);
            let mut versioned = bytes.clone();
            versioned.insert(0, PROTOCOL_VERSION);
            if let Ok(frame) = decode(&versioned) {
                prop_assert_eq!(decode(&encode(&frame)).expect("re-decodes"), frame);
            }
        }
    }
}
