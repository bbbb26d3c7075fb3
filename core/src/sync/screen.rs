//! A client's changes, read before Automerge applies them.
//!
//! Automerge stores a change's operations in run-length encoded columns, so
//! a change of a hundred bytes can describe a million operations, and
//! Automerge would expand and apply every one of them before any rule ran.
//! The server therefore reads each change's header and counts its
//! operations from the run lengths of the action column, without expanding
//! them, and refuses a message over [`MAX_OPS`]. It takes what Automerge's
//! sync sends: uncompressed change chunks, and whole documents (sent when
//! the server has little of a document), whose deflated columns it inflates
//! within [`MAX_INFLATED`] bytes to count them. Bundles and compressed
//! change chunks, which Automerge's sync never sends, are refused.

use std::io::Read;

use automerge::sync::ChunkList;
use automerge::{Change, ChangeHash};

/// The most operations one sync message may carry. A new 150-item audit is
/// about 2,000; a month of edits to one record, a few thousand.
pub const MAX_OPS: u64 = 50_000;

/// The most bytes a whole document's deflated columns may inflate to.
pub const MAX_INFLATED: u64 = 32 * 1024 * 1024;

/// The first bytes of every Automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The chunk types of a whole document and of an uncompressed change.
const DOCUMENT_CHUNK: u8 = 0;
const CHANGE_CHUNK: u8 = 1;
/// A column spec's bit for a deflated column, and its low bits for the type.
const DEFLATE: u64 = 0b1000;
const TYPE_BITS: u64 = 0b111;
/// The action column of a change's operations: column 4, unsigned integers,
/// not deflated. Automerge reads operations until it runs out.
const ACTION_COLUMN: u64 = (4 << 4) | 2;

/// Why a message's changes were not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Screened {
    #[error("{0}")]
    Malformed(String),
    #[error("the message holds over {MAX_OPS} operations; send fewer changes at a time")]
    TooManyOps,
}

/// What a sync message carries, read and counted.
#[derive(Debug)]
pub enum Piece {
    Change(Box<Change>),
    /// A whole document, with its heads: its changes need nothing else.
    Document {
        bytes: Vec<u8>,
        heads: Vec<ChangeHash>,
    },
}

impl Piece {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Piece::Change(c) => c.raw_bytes(),
            Piece::Document { bytes, .. } => bytes,
        }
    }
}

/// What a sync message carries, each piece read and counted, or why it is
/// not taken.
pub fn changes(chunks: &ChunkList) -> Result<Vec<Piece>, Screened> {
    within(chunks, MAX_OPS)
}

fn within(chunks: &ChunkList, max_ops: u64) -> Result<Vec<Piece>, Screened> {
    let mut out = Vec::new();
    let mut ops = 0u64;
    for element in chunks.iter() {
        let mut rest = Reader(element);
        while !rest.0.is_empty() {
            let start = rest.0;
            let (kind, data) = chunk(&mut rest).ok_or_else(|| malformed("a chunk is cut short"))?;
            let bytes = &start[..start.len() - rest.0.len()];
            let (n, piece) = match kind {
                CHANGE_CHUNK => {
                    let n = ops_in(data, max_ops)
                        .ok_or_else(|| malformed("a change's header or columns are cut short"))?;
                    // Counted first: reading a change expands its operations.
                    if n > max_ops {
                        return Err(Screened::TooManyOps);
                    }
                    let change = Change::from_bytes(bytes.to_vec())
                        .map_err(|e| malformed(&format!("a change could not be read: {e}")))?;
                    (n, Piece::Change(Box::new(change)))
                }
                DOCUMENT_CHUNK => {
                    let (n, heads) = document(data, max_ops)?;
                    let bytes = bytes.to_vec();
                    (n, Piece::Document { bytes, heads })
                }
                _ => {
                    return Err(malformed(
                        "only change chunks and whole documents are taken, not bundles or \
                         compressed changes",
                    ));
                }
            };
            ops = ops.saturating_add(n);
            if ops > max_ops {
                return Err(Screened::TooManyOps);
            }
            out.push(piece);
        }
    }
    Ok(out)
}

/// A whole document's operations, counted, and its heads. Every column is
/// counted, deflated ones once inflated: Automerge rebuilds the document's
/// changes from them.
fn document(data: &[u8], max_ops: u64) -> Result<(u64, Vec<ChangeHash>), Screened> {
    let short = || malformed("a document's header or columns are cut short");
    let mut r = Reader(data);
    let actors = r.uleb().ok_or_else(short)?;
    for _ in 0..actors {
        r.bytes().ok_or_else(short)?;
    }
    let n = r.uleb().ok_or_else(short)?;
    let mut heads = Vec::new();
    for _ in 0..n {
        let h = r.take(32).ok_or_else(short)?;
        heads.push(ChangeHash::try_from(h).map_err(|_| short())?);
    }
    let change_cols = r.layout().ok_or_else(short)?;
    let op_cols = r.layout().ok_or_else(short)?;
    let mut budget = MAX_INFLATED;
    let mut ops = 0u64;
    for (section, cols) in [("change", change_cols), ("operation", op_cols)] {
        for (spec, len) in cols {
            let raw = r.take(len).ok_or_else(short)?;
            let inflated;
            let column = if spec & DEFLATE != 0 {
                inflated = inflate(raw, &mut budget)?;
                &inflated[..]
            } else {
                raw
            };
            let n = rows_of(column, spec & TYPE_BITS, max_ops)
                .ok_or_else(|| malformed(&format!("a document's {section} column is cut short")))?;
            // Grouped columns hold a row per member: a few per operation.
            if n > 4 * max_ops {
                return Err(Screened::TooManyOps);
            }
            if section == "operation" && spec & !DEFLATE == ACTION_COLUMN {
                ops = n;
            }
        }
    }
    Ok((ops, heads))
}

/// A deflated column, inflated within what is left of `budget`.
fn inflate(raw: &[u8], budget: &mut u64) -> Result<Vec<u8>, Screened> {
    let mut out = Vec::new();
    flate2::bufread::DeflateDecoder::new(raw)
        .take(*budget + 1)
        .read_to_end(&mut out)
        .map_err(|e| malformed(&format!("a document's column could not be inflated: {e}")))?;
    let n = out.len() as u64;
    if n > *budget {
        return Err(Screened::TooManyOps);
    }
    *budget -= n;
    Ok(out)
}

fn malformed(why: &str) -> Screened {
    Screened::Malformed(why.to_string())
}

/// One chunk: its type and its data.
fn chunk<'a>(r: &mut Reader<'a>) -> Option<(u8, &'a [u8])> {
    if r.take(4)? != MAGIC {
        return None;
    }
    r.take(4)?; // checksum: Automerge checks it
    let kind = r.take(1)?[0];
    let len = usize::try_from(r.uleb()?).ok()?;
    Some((kind, r.take(len)?))
}

/// How many operations a change's data holds, from the run lengths of its
/// action column (see the change chunk layout in Automerge's binary format).
fn ops_in(data: &[u8], max_ops: u64) -> Option<u64> {
    let mut r = Reader(data);
    let deps = usize::try_from(r.uleb()?).ok()?;
    r.take(deps.checked_mul(32)?)?;
    r.bytes()?; // actor
    r.uleb()?; // seq
    r.uleb()?; // start op
    r.sleb()?; // time
    r.bytes()?; // message
    let others = r.uleb()?;
    for _ in 0..others {
        r.bytes()?;
    }
    let layout = r.layout()?;
    let mut action = None;
    for (spec, len) in layout {
        let data = r.take(len)?;
        if spec == ACTION_COLUMN {
            action = Some(data);
        }
    }
    action.map_or(Some(0), |c| rows_of(c, ACTION_COLUMN & TYPE_BITS, max_ops))
}

/// The rows of a column of type `kind` (Automerge's column types: 0 group,
/// 1 actor, 2 integer, 3 delta, 4 boolean, 5 string, 6 value metadata, 7
/// raw values, which are not rows). Run-length encoded columns hold runs of
/// one repeated value (a positive count), literal runs (a negative count)
/// and runs of nulls (a zero, then their count); boolean columns hold the
/// lengths of alternating runs. Counting stops once past what any message
/// may hold.
fn rows_of(column: &[u8], kind: u64, max_ops: u64) -> Option<u64> {
    let mut r = Reader(column);
    let value = |r: &mut Reader| -> Option<()> {
        match kind {
            3 => r.sleb().map(drop),
            5 => r.bytes().map(drop),
            _ => r.uleb().map(drop),
        }
    };
    let mut n = 0u64;
    while !r.0.is_empty() && n <= 4 * max_ops {
        match kind {
            7 => return Some(0),
            4 => n = n.saturating_add(r.uleb()?),
            _ => {
                let count = r.sleb()?;
                if count > 0 {
                    value(&mut r)?;
                    n = n.saturating_add(count as u64);
                } else if count < 0 {
                    for _ in 0..count.unsigned_abs() {
                        value(&mut r)?;
                    }
                    n = n.saturating_add(count.unsigned_abs());
                } else {
                    n = n.saturating_add(r.uleb()?);
                }
            }
        }
    }
    Some(n)
}

/// Reads LEB128 numbers and byte strings, never past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn uleb(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn sleb(&mut self) -> Option<i64> {
        let mut value = 0i64;
        let mut shift = 0u32;
        loop {
            let b = self.take(1)?[0];
            if shift >= 64 {
                return None;
            }
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Some(value);
            }
        }
    }

    /// A column layout: how many columns, then each one's spec and length.
    fn layout(&mut self) -> Option<Vec<(u64, usize)>> {
        let n = self.uleb()?;
        let mut out = Vec::new();
        for _ in 0..n {
            out.push((self.uleb()?, usize::try_from(self.uleb()?).ok()?));
        }
        Some(out)
    }

    /// A length-prefixed byte string.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.uleb()?).ok()?;
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    use super::*;

    fn list_of(n: usize) -> Vec<Change> {
        let mut doc = AutoCommit::new();
        let list = doc.put_object(ROOT, "l", ObjType::List).expect("list");
        for i in 0..n {
            doc.insert(&list, i, ()).expect("insert");
        }
        doc.commit();
        doc.get_changes(&[])
    }

    fn as_chunks(changes: &[Change]) -> ChunkList {
        ChunkList::from(
            changes
                .iter()
                .map(|c| c.raw_bytes().to_vec())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn counts_operations_without_expanding_them() {
        let changes = list_of(1_000);
        let bytes: usize = changes.iter().map(|c| c.raw_bytes().len()).sum();
        assert!(bytes < 200, "run lengths make {bytes} bytes of 1,001 ops");
        let read = self::changes(&as_chunks(&changes)).expect("taken");
        assert!(matches!(read.as_slice(), [Piece::Change(c)] if c.len() == 1_001));
    }

    #[test]
    fn a_small_change_of_many_operations_is_refused_unread() {
        // Counted against a small limit: making MAX_OPS operations in a test
        // build takes minutes. The counting is the same.
        let bomb = list_of(2_000);
        assert!(bomb[0].raw_bytes().len() < 200);
        assert!(matches!(
            within(&as_chunks(&bomb), 1_000),
            Err(Screened::TooManyOps)
        ));
        // Many changes together count too.
        let mut many = list_of(600);
        many.extend(list_of(600));
        assert!(matches!(
            within(&as_chunks(&many), 1_000),
            Err(Screened::TooManyOps)
        ));
        assert_eq!(
            within(&as_chunks(&many[..1]), 1_000).map(|p| p.len()),
            Ok(1)
        );
    }

    #[test]
    fn honest_changes_of_every_kind_are_counted_exactly() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "s", "text").expect("put");
        let m = doc.put_object(ROOT, "m", ObjType::Map).expect("map");
        for i in 0..50 {
            doc.put(&m, format!("k{i}"), i as i64 * 7 - 100)
                .expect("put");
        }
        doc.commit();
        doc.delete(&m, "k3").expect("delete");
        doc.put(&m, "k4", 1.5).expect("put");
        doc.commit();
        let changes_in = doc.get_changes(&[]);
        let read = changes(&as_chunks(&changes_in)).expect("taken");
        let counted: Vec<u64> = changes_in
            .iter()
            .map(|c| {
                let mut r = Reader(c.raw_bytes());
                let (_, data) = chunk(&mut r).expect("a chunk");
                ops_in(data, MAX_OPS).expect("counted")
            })
            .collect();
        assert_eq!(counted, vec![52, 2]);
        let lens: Vec<usize> = read
            .iter()
            .map(|p| match p {
                Piece::Change(c) => c.len(),
                Piece::Document { .. } => 0,
            })
            .collect();
        assert_eq!(lens, vec![52, 2]);
    }

    #[test]
    fn a_whole_document_is_counted_with_its_deflated_columns() {
        let mut doc = AutoCommit::new();
        let list = doc.put_object(ROOT, "l", ObjType::List).expect("list");
        for i in 0..5_000 {
            doc.insert(&list, i, format!("value {i}")).expect("insert");
        }
        doc.commit();
        let saved = doc.save();
        let read = changes(&ChunkList::from(saved.clone())).expect("taken");
        assert!(
            matches!(read.as_slice(), [Piece::Document { heads, bytes }]
                if *heads == doc.get_heads() && *bytes == saved),
            "{read:?}"
        );
        // The same with more operations than a message may hold.
        assert!(matches!(
            within(&ChunkList::from(saved), 4_000),
            Err(Screened::TooManyOps)
        ));
    }

    #[test]
    fn bundles_compressed_chunks_and_garbage_are_malformed() {
        let whole = list_of(3)[0].raw_bytes().to_vec();
        let mut compressed = whole.clone();
        compressed[8] = 2;
        let mut bundle = whole.clone();
        bundle[8] = 3;
        let cut = whole[..whole.len() - 2].to_vec();
        for junk in [
            vec![1u8, 2, 3],
            MAGIC.to_vec(),
            vec![0u8; 64],
            compressed,
            bundle,
            cut,
        ] {
            assert!(
                matches!(changes(&ChunkList::from(junk)), Err(Screened::Malformed(_))),
                "refused"
            );
        }
    }
}
