//! Lua strings: immutable byte strings, all interned.
//!
//! Interning every string (not only short ones, as PUC Lua does) makes string equality and table
//! hashing a pointer comparison everywhere. The cost is one hash pass over a new string's bytes,
//! which is the same order as the copy that created it. The intern table chains through each
//! string's `next` link, so it needs no allocation beyond its bucket array.

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

impl LuaStr {
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    #[inline(always)]
    pub fn slot_hint(&self) -> usize {
        self.slot_hint.get() as usize
    }

    #[inline(always)]
    pub fn set_slot_hint(&self, node: usize) {
        self.slot_hint.set(node as u32);
    }

    /// Lossy UTF-8 view, for messages.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// Hash of a string's bytes. Strings up to 128 bytes are hashed whole; longer ones by their
/// length, both ends and 32 words sampled in between, so interning a long string built by
/// repeated concatenation does not cost a second pass over it (strings that differ only between
/// samples share a bucket and are told apart by comparing bytes).
fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    #[inline(always)]
    fn word(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }
    #[inline(always)]
    fn mix(h: u64, w: u64) -> u64 {
        (h ^ w).wrapping_mul(K).rotate_left(29)
    }
    let n = bytes.len();
    let mut h: u64 = (n as u64).wrapping_mul(K);
    if n <= 128 {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            h = mix(h, u64::from_le_bytes(c.try_into().unwrap()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            h = mix(h, u64::from_le_bytes(buf));
        }
    } else {
        for k in 0..4 {
            h = mix(h, word(bytes, k * 8));
            h = mix(h, word(bytes, n - 8 - k * 8));
        }
        let step = (n - 8) / 32;
        for k in 0..32 {
            h = mix(h, word(bytes, k * step));
        }
    }
    // Final avalanche, so every bit of the result (bucket indices use the low ones) depends on
    // every input word.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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
        }
    }
}

pub(crate) const STR_OVERHEAD: usize = std::mem::size_of::<LuaStr>() + 16;

impl Interner {
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    #[inline]
    fn bucket(&self, hash: u64) -> usize {
        (hash as usize) & (self.buckets.len() - 1)
    }

    /// Returns the interned string with these bytes, creating it if needed. The flag says whether
    /// it was created (so the caller can account the allocation).
    pub fn intern(&mut self, bytes: &[u8], white: u8) -> (Gc<LuaStr>, bool) {
        let hash = hash_bytes(bytes);
        let mut cur = self.buckets[self.bucket(hash)];
        while let Some(s) = cur {
            if s.hash == hash && &*s.bytes == bytes {
                // Found dead but not swept yet (the other white, during a sweep): it lives again.
                if s.color() == white ^ 1 {
                    s.set_color(white);
                }
                return (s, false);
            }
            cur = s.next.get();
        }
        if self.count >= self.buckets.len() {
            self.grow();
        }
        let b = self.bucket(hash);
        let next = Cell::new(self.buckets[b]);
        let class = size_class(bytes.len());
        let recycled = class.and_then(|c| self.pool[c].pop());
        if let (Some(c), Some(_)) = (class, recycled) {
            self.reused[c] += 1;
        }
        let s = match recycled {
            Some(s) => {
                let m = s.get_mut();
                m.hash = hash;
                m.bytes.clear();
                m.bytes.extend_from_slice(bytes);
                m.next = next;
                m.slot_hint = Cell::new(0);
                s.set_color(white);
                s
            }
            None => {
                let mut buf = Vec::with_capacity(match size_class(bytes.len()) {
                    Some(c) => 16 << c,
                    None => bytes.len(),
                });
                buf.extend_from_slice(bytes);
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
        self.bytes += bytes.len() + STR_OVERHEAD;
        self.created += 1;
        (s, true)
    }

    fn grow(&mut self) {
        let new_len = self.buckets.len() * 2;
        let mut new_buckets: Vec<Option<Gc<LuaStr>>> = vec![None; new_len];
        for head in std::mem::take(&mut self.buckets) {
            let mut cur = head;
            while let Some(s) = cur {
                cur = s.next.get();
                let b = (s.hash as usize) & (new_len - 1);
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

    pub fn free_all(&mut self) {
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
