//! Media uploads and downloads (design.md decision 8): files named by their
//! BLAKE3 hash, uploaded in chunks that resume after a cut, deduplicated by
//! hash, verified on arrival, limited in size, and served only to users who
//! may see a record that references them.

use fieldcheck_core::msg;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::access::may_see;
use crate::error::Error;
use crate::state::{AppState, now_ms};
use crate::store::media::MediaStore;

/// Where an upload stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadState {
    offset: u64,
    size: u64,
    complete: bool,
}

/// A media file's hash, checked: 64 lower-case hex digits (BLAKE3).
fn valid_hash(h: &str) -> Result<(), Error> {
    if h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(Error::BadRequest(msg!(
            "media.bad_hash",
            "a media hash is 64 lower-case hex digits (BLAKE3)"
        )))
    }
}

/// Opens an upload, or finds it: where to continue from.
pub async fn open(
    app: &AppState,
    who: &Principal,
    hash: &str,
    size: u64,
    mime: &str,
) -> Result<UploadState, Error> {
    valid_hash(hash)?;
    if size > app.config.max_media_bytes {
        return Err(Error::TooLarge(msg!(
            "media.too_large",
            "{size} bytes is over the {max}-byte limit for a media file",
            size = size,
            max = app.config.max_media_bytes
        )));
    }
    if !may_upload(app, who, hash, size, mime).await? {
        return Err(Error::NotReferenced(msg!(
            "media.not_referenced",
            "no record of yours on the server references this file with this size and type \
             (yet: sync the record first)"
        )));
    }
    match app.storage.upload(hash).await? {
        // An upload someone opened with another size is not this file's:
        // start it again with the size the record gives.
        Some(u) if !u.complete && u.size != size => {
            app.media.discard(hash).await?;
            app.storage.drop_upload(hash).await?;
        }
        Some(u) => {
            let offset = if u.complete {
                u.size
            } else {
                app.media.partial_len(hash).await?
            };
            return Ok(UploadState {
                offset,
                size: u.size,
                complete: u.complete,
            });
        }
        None => {}
    }
    app.storage.open_upload(hash, size, mime, now_ms()).await?;
    Ok(UploadState {
        offset: 0,
        size,
        complete: false,
    })
}

/// Appends a chunk at `offset` (the `Upload-Offset` the client gave, if a
/// number); the last one is checked against the hash.
pub async fn append(
    app: &AppState,
    hash: &str,
    offset: Option<u64>,
    bytes: &[u8],
) -> Result<UploadState, Error> {
    valid_hash(hash)?;
    let offset = offset.ok_or_else(|| {
        Error::BadRequest(msg!(
            "media.offset_required",
            "an Upload-Offset header with a number is required"
        ))
    })?;
    let Some(upload) = app.storage.upload(hash).await? else {
        return Err(Error::NotFound(msg!(
            "media.no_upload",
            "no upload open for this hash: POST it first"
        )));
    };
    let size = upload.size;
    if upload.complete {
        return Ok(UploadState {
            offset: size,
            size,
            complete: true,
        });
    }
    let have = app.media.partial_len(hash).await?;
    if offset != have {
        return Err(Error::OffsetMismatch(msg!(
            "media.offset_mismatch",
            "the server has {have} bytes; continue from there",
            have = have
        )));
    }
    if have + bytes.len() as u64 > size {
        return Err(Error::TooLarge(msg!(
            "media.over_size",
            "the upload was opened for {size} bytes",
            size = size
        )));
    }
    app.media.append(hash, bytes).await?;
    let offset = have + bytes.len() as u64;
    if offset < size {
        return Ok(UploadState {
            offset,
            size,
            complete: false,
        });
    }
    if app.media.partial_hash(hash).await? != hash {
        app.media.discard(hash).await?;
        return Err(Error::Unprocessable(msg!(
            "media.hash_mismatch",
            "the bytes do not match the hash; the upload was discarded, start again"
        )));
    }
    app.media.finish(hash).await?;
    app.storage.complete_upload(hash).await?;
    Ok(UploadState {
        offset,
        size,
        complete: true,
    })
}

/// A media file and the type it is served as: one of `SERVED_TYPES`, or
/// `None` to be downloaded, never rendered.
#[derive(Debug)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub served_as: Option<&'static str>,
}

/// The file, to users who may see a record that references it. Anyone
/// else gets the same "not found" as for a missing file.
pub async fn download(app: &AppState, who: &Principal, hash: &str) -> Result<Download, Error> {
    valid_hash(hash)?;
    let not_found = || Error::NotFound(msg!("media.not_found", "no such media file"));
    let upload = app.storage.upload(hash).await?.ok_or_else(not_found)?;
    let mut visible = false;
    for r in app.storage.media_references(hash).await? {
        if app
            .storage
            .doc_meta(&r.doc_id)
            .await?
            .is_some_and(|m| may_see(who, &m))
        {
            visible = true;
            break;
        }
    }
    if !visible || !upload.complete {
        return Err(not_found());
    }
    Ok(Download {
        bytes: app.media.read(hash).await?,
        served_as: served_type(&upload.mime),
    })
}

/// The types media are served as (photos, audio, signatures); the type an
/// upload declared is served only if it is one of them, so a file that
/// claims `text/html` or `image/svg+xml` is never rendered by the browser.
const SERVED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "image/heif",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/webm",
    "audio/wav",
];

fn served_type(declared: &str) -> Option<&'static str> {
    let base = declared.split(';').next().unwrap_or("").trim();
    SERVED_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(base))
        .copied()
}

/// Whether `who` may upload `hash` with this size and type: a record
/// stored on the server references it so, and `who` wrote the record or
/// reviews it.
async fn may_upload(
    app: &AppState,
    who: &Principal,
    hash: &str,
    size: u64,
    mime: &str,
) -> Result<bool, Error> {
    for r in app.storage.media_references(hash).await? {
        let shape = r.mime.as_deref().is_none_or(|m| m == mime) && r.size.is_none_or(|s| s == size);
        if !shape {
            continue;
        }
        if let Some(meta) = app.storage.doc_meta(&r.doc_id).await? {
            // Reviewers upload for records they review; store staff the
            // photos of their fixes, on records of their store they may see.
            let reviews = matches!(who.role, Role::Admin | Role::Manager | Role::StoreStaff)
                && may_see(who, &meta);
            if meta.author == who.user_id || reviews {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::served_type;

    #[test]
    fn only_photo_and_audio_types_are_served_as_themselves() {
        assert_eq!(served_type("image/jpeg"), Some("image/jpeg"));
        assert_eq!(served_type("IMAGE/PNG"), Some("image/png"));
        assert_eq!(served_type("audio/mp4; codecs=mp4a"), Some("audio/mp4"));
        for bad in ["text/html", "image/svg+xml", "application/javascript", ""] {
            assert_eq!(served_type(bad), None, "{bad}");
        }
    }
}
