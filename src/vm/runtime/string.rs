//! Lua strings: immutable byte strings; short ones interned.
//!
//! Strings of up to `SHORT_MAX` bytes are interned, as in PUC Lua: equal short strings are one
//! object, so their equality (and a table lookup's key compare) is a pointer comparison. Longer
//! strings are not: each is its own object (two equal ones are distinct, as `%p` shows in PUC
//! Lua), compared by pointer, then length, hash and bytes (`str_eq`). Every string still gets
//! its hash when created, one pass over bytes that the copy creating it touched anyway.
//!
//! The intern table owns every string: it chains through each string's `next` link (so it needs
//! no allocation beyond its bucket array), and the sweep walks it. Long strings are in its
//! chains too, spread by address rather than hash, so that many equal long strings do not make
//! one chain long for the short strings hashing there.

use std::cell::Cell;

use super::gc::Gc;

pub struct LuaStr {
    hash: u64,
    /// A `Vec` rather than a boxed slice so that a dead string's buffer (sized by class) can be
    /// reused by a new string of a similar length.
    bytes: Vec<u8>,
    next: Cell<Option<Gc<LuaStr>>>,
    /// Where this key was last found in a table's node list. Tables built alike (objects from
    /// one constructor, vectors the host fills) hold a field at the same position, so a lookup
    /// tries there first: one compare, no hash probe. Only a guess; checked on every use.
    slot_hint: Cell<u32>,
}

/// The longest interned string (PUC Lua's LUAI_MAXSHORTLEN).
pub(crate) const SHORT_MAX: usize = 40;

/// String equality: identity for short (interned) strings, contents for long ones. Only `key`'s
/// length is read before the contents are needed: a table probe passes the key it looks up
/// (already in cache), so a miss against a short key costs no load of the other string (that
/// load cost `table_hash` 15%).
#[inline(always)]
pub(crate) fn str_eq(other: Gc<LuaStr>, key: Gc<LuaStr>) -> bool {
    other == key || (key.len() > SHORT_MAX && long_str_eq(other, key))
}

/// Contents equality of a long string with another string.
#[inline(never)]
fn long_str_eq(a: Gc<LuaStr>, b: Gc<LuaStr>) -> bool {
    a.hash == b.hash && a.bytes == b.bytes
}

impl LuaStr {
    #[inline(always)]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    #[inline(always)]
    pub(crate) fn slot_hint(&self) -> usize {
        self.slot_hint.get() as usize
    }

    #[inline(always)]
    pub(crate) fn set_slot_hint(&self, node: usize) {
        self.slot_hint.set(node as u32);
    }

    /// Lossy UTF-8 view, for messages.
    pub(crate) fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

const HASH_K: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline(always)]
fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap())
}

#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(HASH_K).rotate_left(29)
}

/// The hash of a long string's 32-byte blocks, four lanes at once; returns the state and the
/// bytes left over.
#[inline(never)]
fn hash_long_prefix(h: u64, bytes: &[u8]) -> (u64, &[u8]) {
    let mut lanes = [h, h ^ 1, h ^ 2, h ^ 3];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = mix(*lane, word(&b[i * 8..]));
        }
    }
    let h = lanes.iter().fold(h, |acc, &l| mix(acc, l).wrapping_add(l));
    (h, blocks.remainder())
}

/// Hash of a string's bytes: every byte counts (a hash that skipped some would let a script build
/// thousands of distinct strings in one bucket, and make each new string cost a walk through
/// them). Long strings are hashed four words at a time in independent lanes, at about the speed
/// of the copy that created them.
#[inline]
fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    let n = bytes.len();
    let mut h: u64 = (n as u64 ^ seed).wrapping_mul(HASH_K);
    let mut rest = bytes;
    if n > 128 {
        (h, rest) = hash_long_prefix(h, bytes);
    }
    let mut chunks = rest.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, word(c));
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut buf = [0u8; 8];
        buf[..tail.len()].copy_from_slice(tail);
        h = mix(h, u64::from_le_bytes(buf));
    }
    // Final avalanche, so every bit of the result (bucket indices use the low ones) depends on
    // every input word.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The process's hash seed, random per run (as PUC Lua seeds its string hashes), so a script
/// cannot precompute keys that all land in one bucket of the intern table or a table's hash part.
/// One value for the whole process: tables and strings of every VM hash with it.
/// A plain load on every table lookup of a number key (no lock, no branch). Set once, by the
/// first VM's intern table (`init_hash_seed`), before any table or string exists.
#[inline(always)]
pub(crate) fn hash_seed() -> u64 {
    HASH_SEED.load(std::sync::atomic::Ordering::Relaxed)
}

static HASH_SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Picks the process's seed if no VM has yet (the first caller's value wins) and returns it.
#[cold]
fn init_hash_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::Ordering;
    // Odd, with its top bit set: a multiplier that spreads keys (see `table::mix`).
    let fresh = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
        | (1 << 63)
        | 1;
    match HASH_SEED.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => fresh,
        Err(set) => set,
    }
}

/// Dead strings kept per size class for reuse (buffers of 16, 32, ... 64 KiB bytes). At the end of
/// a sweep each class keeps twice what the last cycle reused, at least `MIN_POOLED_PER_CLASS`.
const SIZE_CLASSES: usize = 13;
const MIN_POOLED_PER_CLASS: usize = 64;

fn size_class(len: usize) -> Option<usize> {
    if len > 16 << (SIZE_CLASSES - 1) {
        return None;
    }
    let cap = len.max(16).next_power_of_two();
    Some(cap.trailing_zeros() as usize - 4)
}

/// The bytes of a new string: copied, or a buffer that becomes the string's own.
enum Storage<'a> {
    Copy(&'a [u8]),
    Move(Vec<u8>),
}

impl Storage<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Storage::Copy(b) => b,
            Storage::Move(v) => v,
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }
}

/// The intern table, which also owns every string (it is the strings' object list).
pub struct Interner {
    buckets: Vec<Option<Gc<LuaStr>>>,
    /// Recycled dead strings by buffer size class.
    pool: [Vec<Gc<LuaStr>>; SIZE_CLASSES],
    reused: [usize; SIZE_CLASSES],
    /// Next bucket to sweep.
    cursor: usize,
    count: usize,
    /// Bytes held by live strings, for GC accounting.
    pub bytes: usize,
    /// Strings ever created, for stats.
    pub created: u64,
    seed: u64,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            buckets: vec![None; 256],
            pool: Default::default(),
            reused: [0; SIZE_CLASSES],
            cursor: 0,
            count: 0,
            bytes: 0,
            created: 0,
            seed: init_hash_seed(),
        }
    }
}

pub(crate) const STR_OVERHEAD: usize = std::mem::size_of::<LuaStr>() + 16;

impl Interner {
    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        (hash as usize) & (self.buckets.len() - 1)
    }

    /// Returns the interned string with these bytes, creating it if needed. The flag says whether
    /// it was created (so the caller can account the allocation).
    pub(crate) fn intern(&mut self, bytes: &[u8], white: u8) -> (Gc<LuaStr>, bool) {
        let hash = hash_bytes(bytes, self.seed);
        if bytes.len() <= SHORT_MAX
            && let Some(s) = self.find(bytes, hash, white)
        {
            return (s, false);
        }
        (self.add(hash, Storage::Copy(bytes), white), true)
    }

    #[inline(never)]
    /// `intern` of a string built in `buf`: when it is new and too large for the size classes,
    /// `buf` becomes its storage instead of being copied once more. `buf` is left empty.
    pub(crate) fn intern_vec(&mut self, buf: &mut Vec<u8>, white: u8) -> (Gc<LuaStr>, bool) {
        if size_class(buf.len()).is_some() {
            let r = self.intern(buf, white);
            buf.clear();
            return r;
        }
        // (Too large for a size class, so a long string: never shared.)
        let hash = hash_bytes(buf, self.seed);
        (
            self.add(hash, Storage::Move(std::mem::take(buf)), white),
            true,
        )
    }

    /// The interned string with these bytes and hash, if there is one.
    #[inline]
    fn find(&mut self, bytes: &[u8], hash: u64, white: u8) -> Option<Gc<LuaStr>> {
        let mut cur = self.buckets[self.bucket(hash)];
        while let Some(s) = cur {
            if s.hash == hash && &*s.bytes == bytes {
                // Found dead but not swept yet (the other white, during a sweep): it lives again.
                if s.color() == white ^ 1 {
                    s.set_color(white);
                }
                return Some(s);
            }
            cur = s.next.get();
        }
        None
    }

    /// Adds a new string (not interned yet) with `hash`.
    #[inline]
    fn add(&mut self, hash: u64, bytes: Storage, white: u8) -> Gc<LuaStr> {
        if self.count >= self.buckets.len() {
            self.grow();
        }
        let len = bytes.len();
        // Long strings: any chain will do, so one picked in turn spreads them evenly.
        let b = if len <= SHORT_MAX {
            self.bucket(hash)
        } else {
            self.bucket(hash_seed().wrapping_mul(self.created | 1))
        };
        let next = Cell::new(self.buckets[b]);
        let class = size_class(len);
        let recycled = class.and_then(|c| self.pool[c].pop());
        if let (Some(c), Some(_)) = (class, recycled) {
            self.reused[c] += 1;
        }
        let s = match recycled {
            Some(s) => {
                let m = s.get_mut();
                m.hash = hash;
                m.bytes.clear();
                m.bytes.extend_from_slice(bytes.as_slice());
                m.next = next;
                m.slot_hint = Cell::new(0);
                s.set_color(white);
                s
            }
            None => {
                let buf = match bytes {
                    Storage::Move(mut v) if class.is_none() => {
                        v.shrink_to_fit();
                        v
                    }
                    bytes => {
                        let mut buf = Vec::with_capacity(match class {
                            Some(c) => 16 << c,
                            None => len,
                        });
                        buf.extend_from_slice(bytes.as_slice());
                        buf
                    }
                };
                Gc::allocate(
                    LuaStr {
                        hash,
                        bytes: buf,
                        next,
                        slot_hint: Cell::new(0),
                    },
                    white,
                )
            }
        };
        self.buckets[b] = Some(s);
        self.count += 1;
        self.bytes += len + STR_OVERHEAD;
        self.created += 1;
        s
    }

    fn grow(&mut self) {
        let new_len = self.buckets.len() * 2;
        let mut new_buckets: Vec<Option<Gc<LuaStr>>> = vec![None; new_len];
        for head in std::mem::take(&mut self.buckets) {
            let mut cur = head;
            while let Some(s) = cur {
                cur = s.next.get();
                let key = if s.len() <= SHORT_MAX {
                    s.hash
                } else {
                    hash_seed().wrapping_mul(s.addr() as u64 | 1) >> 16
                };
                let b = (key as usize) & (new_len - 1);
                s.next.set(new_buckets[b]);
                new_buckets[b] = Some(s);
            }
        }
        self.buckets = new_buckets;
    }

    /// Sweeps buckets from the cursor until `budget` strings were looked at: frees those of
    /// color `dead`, whitens the rest. Returns true when all buckets are done.
    pub(crate) fn sweep_step(
        &mut self,
        budget: &mut isize,
        dead: u8,
        white: u8,
        freed: &mut usize,
        freed_bytes: &mut usize,
    ) -> bool {
        while *budget > 0 {
            if self.cursor >= self.buckets.len() {
                self.cursor = 0;
                return true;
            }
            let i = self.cursor;
            self.cursor += 1;
            let mut prev: Option<Gc<LuaStr>> = None;
            let mut cur = self.buckets[i];
            while let Some(s) = cur {
                let next = s.next.get();
                if s.color() == dead {
                    *budget -= super::gc::FREE_COST;
                    match prev {
                        Some(p) => p.next.set(next),
                        None => self.buckets[i] = next,
                    }
                    let size = s.len() + STR_OVERHEAD;
                    self.bytes -= size;
                    *freed_bytes += size;
                    self.count -= 1;
                    *freed += 1;
                    self.recycle(s);
                } else {
                    *budget -= 1;
                    s.set_color(white);
                    prev = Some(s);
                }
                cur = next;
            }
        }
        false
    }

    fn recycle(&mut self, s: Gc<LuaStr>) {
        if let Some(c) = size_class(s.bytes.capacity())
            && s.bytes.capacity() == 16 << c
        {
            self.pool[c].push(s);
            return;
        }
        free(s);
    }

    /// When a sweep starts: frees pooled strings beyond what the next cycle is likely to reuse.
    pub(crate) fn trim(&mut self) {
        for c in 0..SIZE_CLASSES {
            let keep = (self.reused[c] * 2).max(MIN_POOLED_PER_CLASS);
            while self.pool[c].len() > keep {
                free(self.pool[c].pop().unwrap());
            }
            self.reused[c] = 0;
        }
    }

    pub(crate) fn free_all(&mut self) {
        for i in 0..self.buckets.len() {
            let mut cur = self.buckets[i].take();
            while let Some(s) = cur {
                cur = s.next.get();
                free(s);
            }
        }
        for p in self.pool.iter_mut() {
            for s in p.drain(..) {
                free(s);
            }
        }
        self.count = 0;
    }
}

fn free(s: Gc<LuaStr>) {
    // SAFETY: called only on strings that are unreachable (sweep) or at VM teardown.
    unsafe { s.free() }
}
