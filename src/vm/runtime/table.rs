//! Lua tables: an array part for keys 1..n and an insertion-ordered hash part.
//!
//! The hash part stores nodes in a `Vec` in insertion order with an open-addressing index over them.
//! Assigning nil to a key keeps its node (a dead key) until the next rehash, so `next` keeps working
//! while a traversal clears or updates existing fields, as Lua requires. Keys are normalized before
//! they get here: floats with an integral value are stored as integers.

use std::cell::Cell;

use super::gc::Gc;
use super::string::LuaStr;
use super::value::Value;

#[derive(Clone, Copy)]
struct Node {
    key: Value,
    val: Value,
}

#[derive(Default)]
pub struct Table {
    pub arr: Vec<Value>,
    nodes: Vec<Node>,
    /// Open-addressing slots holding `node index + 1`; 0 is empty. Length is a power of two.
    index: Vec<u32>,
    pub meta: Option<Gc<Table>>,
    /// When this table is a metatable: bit `i` set means metamethod `i` is known to be absent.
    /// Cleared by any write to the table.
    pub absent_tm: Cell<u32>,
    /// Longest the array part was before trailing nils were dropped: integer keys up to here
    /// are still valid for `next` (a traversal may clear the fields it visits).
    shrunk_from: usize,
    /// Bumped by every write (wrapping; never reset, not even on reuse), so a host that
    /// copied a table's contents out can tell whether it may have changed since.
    version: u32,
    /// When this table is a metatable: its `__index` field, if that is a table, as last looked
    /// up (the class of an object, the `_G` behind an environment). Cleared by any write.
    pub index_table: Cell<Option<Gc<Table>>>,
    /// Free nodes PUC Lua's hash part would have now (its sizes are 0, 1, 2, 4, ...). Integer
    /// keys move to the array part when PUC Lua would rehash, not when our own (larger) hash
    /// part fills, so that `#t` gives the border PUC Lua gives for tables filled with holes
    /// (`t[i] = v[i]` with some nils): code passes `#t` to `table.unpack`.
    puc_free: u32,
    /// The size of PUC Lua's hash part (see `puc_free`).
    puc_size: u32,
    /// The border `#t` last found inside the array part (see `border_in_array`); 0 for none.
    len_hint: Cell<usize>,
    /// Bytes given back by rebuilding the hash part smaller that the heap's total still counts
    /// (writes report only growth): the collector credits them when it traces the table, and
    /// `size` includes them for when it frees it. Without this a long-lived table whose keys
    /// come and go drifted the heap total up by its regrowth every time (~24 KB per frame for
    /// the plugin's reference cache under entity churn).
    pub(crate) released: usize,
}

/// The size of PUC Lua's hash part for `n` keys: 0, or the power of two at or above `n`.
fn puc_node_size(n: usize) -> u32 {
    if n == 0 {
        0
    } else {
        n.next_power_of_two().min(1 << 30) as u32
    }
}

/// Spreads a key's bits over the bits the index uses (the high half): the high input bits are
/// folded down first, so keys that differ only there (`i << 48`, floats like `i + 0.5`) do not
/// all land in one probe chain. The multiplier is the process's random seed
/// (`string::hash_seed`, odd), so a script cannot compute keys that collide; a multiplication
/// keeps arithmetic progressions of keys (`i * 7919`) evenly spread, as Fibonacci hashing does.
#[inline(always)]
fn mix(h: u64) -> u64 {
    (h ^ (h >> 32)).wrapping_mul(super::string::hash_seed())
}

#[inline(always)]
fn key_hash(k: &Value) -> u64 {
    match k {
        Value::Int(i) => mix(*i as u64),
        Value::Str(s) => s.hash(),
        Value::Float(f) => mix(f.to_bits()),
        Value::Bool(b) => mix(*b as u64 + 1),
        other => mix(other.addr() as u64 >> 3),
    }
}

/// Key identity. Keys are normalized, so an integer never equals a float here.
#[inline(always)]
fn key_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => super::string::str_eq(*x, *y),
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a.raw_eq(b) && std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

pub enum NextError {
    InvalidKey,
}

impl Table {
    pub(crate) fn new() -> Table {
        Table::default()
    }

    #[inline(never)]
    pub(crate) fn with_capacity(narr: usize, nhash: usize) -> Table {
        let mut t = Table {
            arr: Vec::with_capacity(narr),
            ..Default::default()
        };
        if nhash > 0 {
            t.rebuild(nhash);
        }
        t.puc_free = puc_node_size(nhash);
        t.puc_size = t.puc_free;
        t
    }

    #[inline(never)]
    /// Empties a dead table for reuse by a new one, keeping buffers up to a modest size (bigger
    /// ones go back to the allocator so a recycled box does not pin a large block).
    pub(crate) fn clear_for_reuse(&mut self) {
        self.touch();
        const KEEP: usize = 64;
        if self.arr.capacity() > KEEP {
            self.arr = Vec::new();
        } else {
            self.arr.clear();
        }
        if self.nodes.capacity() > KEEP {
            self.nodes = Vec::new();
            self.index = Vec::new();
        } else if !self.nodes.is_empty() {
            // Only inserting a node writes the index: with no nodes it is still all zeros.
            self.nodes.clear();
            self.index.fill(0);
        }
        self.meta = None;
        self.absent_tm.set(0);
        self.shrunk_from = 0;
        self.released = 0;
        self.puc_free = 0;
        self.puc_size = 0;
        self.len_hint.set(0);
    }

    /// Makes a recycled table ready to hold `narr` array and `nhash` hash entries.
    pub(crate) fn reserve(&mut self, narr: usize, nhash: usize) {
        if narr > self.arr.capacity() {
            self.arr.reserve_exact(narr);
        }
        if nhash > self.nodes.capacity() {
            self.rebuild(nhash);
        }
        self.puc_free = puc_node_size(nhash);
        self.puc_size = self.puc_free;
    }

    #[inline(always)]
    fn touch(&mut self) {
        self.version = self.version.wrapping_add(1);
        self.index_table.set(None);
    }

    /// Changes whenever the table is written (see the field).
    pub(crate) fn version(&self) -> u32 {
        self.version
    }

    /// Where the hash part's entries are, for a host that wants them in cache before a script
    /// reads them (`crate::vm::runtime::prefetch`). Only a hint: it changes when the table grows.
    pub(crate) fn nodes_addr(&self) -> usize {
        self.nodes.as_ptr() as usize
    }

    /// Hash nodes in use (live or dead keys).
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Removes the entries `dead(key, value)` selects (weak-table clearing). Array entries are
    /// passed with a nil key. Hash nodes keep their key as a dead key, as `next` requires.
    pub(crate) fn clear_entries(&mut self, mut dead: impl FnMut(&Value, &Value) -> bool) {
        self.touch();
        for v in self.arr.iter_mut() {
            if !v.is_nil() && dead(&Value::Nil, v) {
                *v = Value::Nil;
            }
        }
        for n in self.nodes.iter_mut() {
            if !n.val.is_nil() && dead(&n.key, &n.val) {
                n.val = Value::Nil;
            }
        }
        self.bury_dead_string_keys();
    }

    /// Approximate bytes held, for GC accounting.
    pub(crate) fn byte_size(&self) -> usize {
        std::mem::size_of::<Table>()
            + self.arr.capacity() * 16
            + self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.index.capacity() * 4
    }

    #[inline(always)]
    fn slot_of(&self, key: &Value, hash: u64) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut i = (hash >> 32) as usize & mask;
        loop {
            // SAFETY: `i` is masked to the index length; index entries are node indices + 1.
            let n = unsafe { *self.index.get_unchecked(i) };
            if n == 0 {
                return None;
            }
            let node = (n - 1) as usize;
            if key_eq(unsafe { &self.nodes.get_unchecked(node).key }, key) {
                return Some(node);
            }
            i = (i + 1) & mask;
        }
    }

    /// The node of string key `s` if it is where the key's hint says (see
    /// `LuaStr::slot_hint`): one compare instead of a hash probe.
    #[inline(always)]
    fn hinted_str_node(&self, s: Gc<LuaStr>) -> Option<&Node> {
        self.nodes
            .get(s.slot_hint())
            // A pointer compare: a long key equal to `s` but another object is found by the
            // probe that follows a miss.
            .filter(|n| matches!(n.key, Value::Str(x) if x == s))
    }

    #[inline(always)]
    fn slot_of_str(&self, s: Gc<LuaStr>) -> Option<usize> {
        if self.hinted_str_node(s).is_some() {
            return Some(s.slot_hint());
        }
        self.probe_str(s)
    }

    /// `slot_of` for a string key, with the key compare specialized (a pointer compare for the
    /// interned short strings). Leaves the hint at the node found.
    #[inline(always)]
    fn probe_str(&self, s: Gc<LuaStr>) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut i = (s.hash() >> 32) as usize & mask;
        loop {
            // SAFETY: as in `slot_of`.
            let n = unsafe { *self.index.get_unchecked(i) };
            if n == 0 {
                return None;
            }
            let node = (n - 1) as usize;
            if let Value::Str(x) = unsafe { &self.nodes.get_unchecked(node).key }
                && super::string::str_eq(*x, s)
            {
                s.set_slot_hint(node);
                return Some(node);
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of a live (non-nil) string-keyed field, to overwrite in place: such a store
    /// changes no key, so no `__newindex` applies and the absent-metamethod cache stays valid.
    #[inline(always)]
    pub(crate) fn live_str_slot(&mut self, s: Gc<LuaStr>) -> Option<&mut Value> {
        let n = self.slot_of_str(s)?;
        self.touch();
        // SAFETY: `slot_of_str` returns indices of existing nodes.
        let val = unsafe { &mut self.nodes.get_unchecked_mut(n).val };
        (!val.is_nil()).then_some(val)
    }

    /// `slot_of` for an integer key outside the array part, with the key compare specialized.
    #[inline(always)]
    fn slot_of_int(&self, k: i64) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut i = (mix(k as u64) >> 32) as usize & mask;
        loop {
            // SAFETY: as in `slot_of`.
            let n = unsafe { *self.index.get_unchecked(i) };
            if n == 0 {
                return None;
            }
            let node = (n - 1) as usize;
            if let Value::Int(x) = unsafe { &self.nodes.get_unchecked(node).key }
                && *x == k
            {
                return Some(node);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn find_node(&self, key: &Value) -> Option<usize> {
        self.slot_of(key, key_hash(key))
    }

    /// Raw get with any (normalized or not) key.
    #[inline]
    pub(crate) fn get(&self, key: Value) -> Value {
        match key {
            Value::Int(i) => self.get_int(i),
            Value::Str(s) => self.get_str(s),
            Value::Nil => Value::Nil,
            Value::Float(f) => match crate::vm::number::float_to_int_exact(f) {
                Some(i) => self.get_int(i),
                None => self.get_hash(&key),
            },
            _ => self.get_hash(&key),
        }
    }

    #[inline(always)]
    pub(crate) fn get_int(&self, i: i64) -> Value {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.arr.len() as u64 {
            return self.arr[idx as usize];
        }
        self.get_int_hash(i)
    }

    #[inline]
    fn get_int_hash(&self, i: i64) -> Value {
        match self.slot_of_int(i) {
            // SAFETY: `slot_of_int` returns live node indices.
            Some(n) => unsafe { self.nodes.get_unchecked(n) }.val,
            None => Value::Nil,
        }
    }

    #[inline(always)]
    pub(crate) fn get_str(&self, s: Gc<LuaStr>) -> Value {
        match self.hinted_str_node(s) {
            Some(n) => n.val,
            None => self.get_str_probed(s),
        }
    }

    #[inline(never)]
    fn get_str_probed(&self, s: Gc<LuaStr>) -> Value {
        match self.probe_str(s) {
            // SAFETY: `probe_str` returns indices of existing nodes.
            Some(n) => unsafe { self.nodes.get_unchecked(n).val },
            None => Value::Nil,
        }
    }

    #[inline(never)]
    fn get_hash(&self, key: &Value) -> Value {
        match self.find_node(key) {
            Some(n) => self.nodes[n].val,
            None => Value::Nil,
        }
    }

    /// Raw set. The caller has rejected nil and NaN keys. Returns the bytes the table grew by
    /// (0 almost always), so the collector can account for it.
    #[inline]
    pub(crate) fn set(&mut self, key: Value, val: Value) -> usize {
        match key {
            Value::Int(i) => self.set_int(i, val),
            Value::Float(f) => match crate::vm::number::float_to_int_exact(f) {
                Some(i) => self.set_int(i, val),
                None => self.set_hash(key, val),
            },
            _ => self.set_hash(key, val),
        }
    }

    #[inline(always)]
    pub(crate) fn set_str(&mut self, s: Gc<LuaStr>, val: Value) -> usize {
        // Fast path: replacing a live field with a non-nil value changes no metamethod's
        // presence, so the absent-metamethod cache stays valid.
        if !val.is_nil()
            && let Some(slot) = self.live_str_slot(s)
        {
            *slot = val;
            return 0;
        }
        self.set_hash(Value::Str(s), val)
    }

    /// Raw `t[i] = val`; returns the bytes the table grew by.
    #[inline(always)]
    pub(crate) fn set_int(&mut self, i: i64, val: Value) -> usize {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.arr.len() as u64 && !val.is_nil() {
            self.touch();
            self.arr[idx as usize] = val;
            return 0;
        }
        self.set_int_slow(i, val)
    }

    fn set_int_slow(&mut self, i: i64, val: Value) -> usize {
        self.touch();
        let idx = (i as u64).wrapping_sub(1);
        let len = self.arr.len() as u64;
        if idx < len {
            self.arr[idx as usize] = val;
            // (A nil at the end stays: the array part keeps the size PUC Lua's would have, so
            // `#t` finds the same border; `len` checks the slot below the end first, which
            // keeps popping a stack O(1).)
            return 0;
        }
        // Past the array part (appending too): PUC Lua's hash part takes the key, and its
        // rehash resizes the array part (see `resize_array_as_puc`). The common case, appending
        // to a full array with no hash part, is that rehash done directly: the array doubles.
        if idx == len
            && !val.is_nil()
            && self.nodes.is_empty()
            && self.arr.iter().all(|v| !v.is_nil())
        {
            let cap = self.arr.capacity();
            let size = (len as usize + 1).next_power_of_two();
            self.len_hint.set(0);
            // (At least 4 slots of capacity, as a push would take: fewer reallocations.)
            self.arr.reserve(size.max(4) - len as usize);
            self.arr.resize(size, Value::Nil);
            self.arr[idx as usize] = val;
            return (self.arr.capacity() - cap) * std::mem::size_of::<Value>();
        }
        // An existing integer key in the hash part (e.g. index 0). Metamethod names are
        // strings, so the absent-metamethod cache stays valid.
        if let Some(n) = self.slot_of_int(i) {
            // SAFETY: `slot_of_int` returns live node indices.
            unsafe { self.nodes.get_unchecked_mut(n) }.val = val;
            return 0;
        }
        self.set_hash(Value::Int(i), val)
    }

    /// A constructor's list items, keys `offset + 1..` (SETLIST); returns the bytes the table
    /// grew by. Appended to the array part as they are, nils included, as PUC Lua's
    /// constructor sizes its array part for them: `#{1, nil, 3}` is 3 there, and code passes
    /// `#{...}` to `table.unpack`.
    pub(crate) fn set_list(&mut self, offset: usize, vals: &[Value]) -> usize {
        if self.arr.len() != offset {
            // Not at the end of the array part (a constructor with `[k] = v` items before).
            return vals
                .iter()
                .enumerate()
                .map(|(j, v)| self.set_int((offset + j + 1) as i64, *v))
                .sum();
        }
        self.touch();
        if !self.nodes.is_empty() {
            // A key given as `[k] = v` earlier in the constructor: the list item wins.
            for j in 0..vals.len() {
                if let Some(n) = self.slot_of_int((offset + j + 1) as i64) {
                    self.nodes[n].val = Value::Nil;
                }
            }
        }
        let cap = self.arr.capacity();
        self.len_hint.set(0);
        self.arr.extend_from_slice(vals);
        if vals.last().is_some_and(|v| !v.is_nil()) {
            self.migrate_from_hash();
        }
        (self.arr.capacity() - cap) * std::mem::size_of::<Value>()
    }

    /// After the array grew, pull the following integer keys out of the hash part.
    fn migrate_from_hash(&mut self) {
        if self.nodes.is_empty() {
            return;
        }
        loop {
            let next = Value::Int(self.arr.len() as i64 + 1);
            match self.find_node(&next) {
                Some(n) if !self.nodes[n].val.is_nil() => {
                    let v = self.nodes[n].val;
                    self.nodes[n].val = Value::Nil;
                    self.arr.push(v);
                }
                _ => return,
            }
        }
    }

    fn set_hash(&mut self, key: Value, val: Value) -> usize {
        self.touch();
        self.absent_tm.set(0);
        let hash = key_hash(&key);
        if let Some(n) = self.slot_of(&key, hash) {
            self.nodes[n].val = val;
            return 0;
        }
        if val.is_nil() {
            return 0;
        }
        let mut grown = 0;
        let full = self.nodes.len() == self.nodes.capacity() || self.index.is_empty();
        // A hash part of one node whose key was removed: PUC Lua reuses that node (the new
        // key's main position) rather than rehash.
        let reuse_dead =
            self.puc_free == 0 && self.puc_size == 1 && self.nodes.iter().all(|n| n.val.is_nil());
        let puc_rehash = self.puc_free == 0 && !reuse_dead;
        if full || puc_rehash {
            let before = self.byte_size();
            if puc_rehash && self.resize_array_as_puc(&key, val) {
                self.puc_rehashed(0);
                let after = self.byte_size();
                self.released += before.saturating_sub(after);
                return after.saturating_sub(before);
            }
            if self.nodes.len() == self.nodes.capacity() || self.index.is_empty() {
                let live = self.nodes.iter().filter(|n| !n.val.is_nil()).count();
                self.rebuild(live + 1);
            }
            if puc_rehash {
                self.puc_rehashed(1);
            }
            let after = self.byte_size();
            self.released += before.saturating_sub(after);
            grown = after.saturating_sub(before);
        }
        self.insert_new(key, val, hash);
        self.puc_free = self.puc_free.saturating_sub(1);
        grown
    }

    /// PUC Lua rehashed: its hash part holds the live keys and `extra` more to come.
    fn puc_rehashed(&mut self, extra: usize) {
        let live = self.nodes.iter().filter(|n| !n.val.is_nil()).count();
        self.puc_size = puc_node_size(live + extra);
        self.puc_free = (self.puc_size as usize - live) as u32;
    }

    /// Where PUC Lua rehashes (see `puc_free`), sizes the array part as it does: the largest
    /// power of two that integer keys (with `key`) fill more than half. Keys move into it from
    /// the hash part, so tables filled out of order (or from 0, or backwards) still get array
    /// access, and out of it when it is mostly holes. Returns true if `key = val` was stored in
    /// the array part.
    fn resize_array_as_puc(&mut self, key: &Value, val: Value) -> bool {
        self.len_hint.set(0);
        // counts[b]: positive integer keys in (2^(b-1), 2^b].
        let mut counts = [0usize; 40];
        let slot = |k: i64| -> Option<usize> {
            (1..=1 << 38)
                .contains(&k)
                .then(|| (64 - ((k - 1) as u64).leading_zeros()) as usize)
        };
        let mut any = false;
        for n in &self.nodes {
            if let Value::Int(k) = n.key
                && !n.val.is_nil()
                && let Some(b) = slot(k)
            {
                counts[b] += 1;
                any = true;
            }
        }
        let new_int = match *key {
            Value::Int(k) => slot(k).map(|b| (k, b)),
            _ => None,
        };
        if let Some((_, b)) = new_int {
            counts[b] += 1;
            any = true;
        }
        if !any && self.arr.is_empty() {
            return false;
        }
        for (i, v) in self.arr.iter().enumerate() {
            if !v.is_nil() {
                counts[slot(i as i64 + 1).unwrap()] += 1;
            }
        }
        let mut total = 0;
        let mut best = 0;
        for (b, c) in counts.iter().enumerate() {
            total += c;
            let size = 1usize << b;
            if total > size / 2 {
                best = size;
            }
        }
        if best < self.arr.len() {
            // Mostly holes: the keys past `best` go to the hash part.
            let moving = self.arr[best..].iter().filter(|v| !v.is_nil()).count();
            let live = self.nodes.iter().filter(|n| !n.val.is_nil()).count();
            self.rebuild(live + moving + 1);
            for i in best..self.arr.len() {
                let v = self.arr[i];
                if !v.is_nil() {
                    let k = Value::Int(i as i64 + 1);
                    self.insert_new(k, v, key_hash(&k));
                }
            }
            self.shrunk_from = self.shrunk_from.max(self.arr.len());
            self.arr.truncate(best);
        }
        if best <= self.arr.len() {
            return false;
        }
        self.arr.resize(best, Value::Nil);
        for n in self.nodes.iter_mut() {
            if let Value::Int(k) = n.key
                && !n.val.is_nil()
                && k >= 1
                && (k as usize) <= best
            {
                self.arr[k as usize - 1] = n.val;
                n.val = Value::Nil;
            }
        }
        let stored = match new_int {
            Some((k, _)) if (k as usize) <= best => {
                self.arr[k as usize - 1] = val;
                true
            }
            _ => false,
        };
        let live = self.nodes.iter().filter(|n| !n.val.is_nil()).count();
        self.rebuild(live + usize::from(!stored));
        stored
    }

    fn insert_new(&mut self, key: Value, val: Value, hash: u64) {
        let node = self.nodes.len();
        self.nodes.push(Node { key, val });
        let mask = self.index.len() - 1;
        let mut i = (hash >> 32) as usize & mask;
        while self.index[i] != 0 {
            i = (i + 1) & mask;
        }
        self.index[i] = node as u32 + 1;
    }

    /// Rebuilds the hash part with room for at least `need` live keys, dropping dead keys.
    fn rebuild(&mut self, need: usize) {
        let cap = need.max(4).next_power_of_two();
        if self.nodes.capacity() == cap {
            // The same size: compacted in place, so a table whose keys come and go at a steady
            // count allocates nothing (dead keys the collector buried are never revived).
            self.nodes.retain(|n| !n.val.is_nil());
            self.index.clear();
            self.index.resize(cap * 2, 0);
            let mask = self.index.len() - 1;
            for (node, n) in self.nodes.iter().enumerate() {
                let mut i = (key_hash(&n.key) >> 32) as usize & mask;
                while self.index[i] != 0 {
                    i = (i + 1) & mask;
                }
                self.index[i] = node as u32 + 1;
            }
            return;
        }
        let old = std::mem::replace(&mut self.nodes, Vec::with_capacity(cap));
        self.index.clear();
        self.index.resize(cap * 2, 0);
        for n in old {
            if !n.val.is_nil() {
                let h = key_hash(&n.key);
                self.insert_new(n.key, n.val, h);
            }
        }
    }

    /// The border `#t`.
    pub(crate) fn len(&self) -> i64 {
        let n = self.arr.len();
        if n > 0 && self.arr[n - 1].is_nil() {
            return self.border_in_array() as i64;
        }
        if self.nodes.is_empty() {
            return n as i64;
        }
        // The sequence goes on in the hash part: PUC Lua's unbounded search (doubling from the
        // array's end), so tables with holes get the border PUC Lua gives.
        if self.get_hash(&Value::Int(n as i64 + 1)).is_nil() {
            return n as i64;
        }
        let mut j = (n as i64).max(1);
        let mut i;
        loop {
            i = j;
            if j <= i64::MAX / 2 {
                j *= 2;
            } else {
                j = i64::MAX;
                if self.get_int(j).is_nil() {
                    break;
                }
                return j;
            }
            if self.get_int(j).is_nil() {
                break;
            }
        }
        while j - i > 1 {
            let m = i + (j - i) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// `#t` when the array part ends in nil, as PUC Lua finds it (its `alimit`): from the
    /// border found last time if it is still near one (so popping a stack costs O(1)), else the
    /// slot below the end, else a binary search.
    fn border_in_array(&self) -> usize {
        let n = self.arr.len();
        let present = |k: usize| k == 0 || !self.arr[k - 1].is_nil();
        let mut limit = n;
        let hint = self.len_hint.get();
        if hint > 0 && hint < n {
            if present(hint) {
                // The border found last time, or the next one (the sequence grew by one).
                if !present(hint + 1) {
                    return hint;
                }
                if hint + 1 < n && !present(hint + 2) {
                    self.len_hint.set(hint + 1);
                    return hint + 1;
                }
            } else {
                limit = hint;
            }
        }
        if limit >= 2 && present(limit - 1) {
            self.len_hint.set(limit - 1);
            return limit - 1;
        }
        let (mut lo, mut hi) = (0usize, limit); // present(lo), !present(hi)
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if present(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if lo > n / 2 {
            self.len_hint.set(lo);
        }
        lo
    }

    /// `next(t, key)`: the entry after `key`, or None at the end.
    pub(crate) fn next(&self, key: Value) -> Result<Option<(Value, Value)>, NextError> {
        let mut arr_start = 0usize;
        let mut node_start = 0usize;
        match key {
            Value::Nil => {}
            _ => {
                let key = match key {
                    Value::Float(f) => match crate::vm::number::float_to_int_exact(f) {
                        Some(i) => Value::Int(i),
                        None => key,
                    },
                    k => k,
                };
                let in_arr = match key {
                    Value::Int(i) if i >= 1 && (i as u64) <= self.arr.len() as u64 => Some(i),
                    _ => None,
                };
                if let Some(i) = in_arr {
                    arr_start = i as usize;
                } else {
                    match self.find_node(&key) {
                        Some(n) => {
                            arr_start = self.arr.len();
                            node_start = n + 1;
                        }
                        // A key of the array part whose tail was cleared during the traversal
                        // (the array shrinks when its last value becomes nil): go on with the
                        // hash part.
                        None if matches!(key, Value::Int(i) if i >= 1
                            && (i as u64) <= self.shrunk_from as u64) =>
                        {
                            arr_start = self.arr.len();
                        }
                        // A string key whose field was cleared and then buried by the
                        // collector (see `bury_dead_string_keys`): found by its address.
                        None => match key {
                            Value::Str(k) => {
                                let buried = Value::LightUserData(k.addr());
                                match self.nodes.iter().position(|n| n.key.raw_eq(&buried)) {
                                    Some(n) => {
                                        arr_start = self.arr.len();
                                        node_start = n + 1;
                                    }
                                    None => return Err(NextError::InvalidKey),
                                }
                            }
                            _ => return Err(NextError::InvalidKey),
                        },
                    }
                }
            }
        }
        for i in arr_start..self.arr.len() {
            if !self.arr[i].is_nil() {
                return Ok(Some((Value::Int(i as i64 + 1), self.arr[i])));
            }
        }
        for n in &self.nodes[node_start.min(self.nodes.len())..] {
            if !n.val.is_nil() {
                return Ok(Some((n.key, n.val)));
            }
        }
        Ok(None)
    }

    /// Turns the string keys of dead entries (nil value) into tombstones, for the collector. A
    /// dead entry keeps its key until the table is rebuilt, and comparing a long string reads
    /// the other string's bytes: a key left there after the collector freed it would be read.
    /// As in PUC Lua (dead keys), the tombstone keeps only the address, which `next` still
    /// recognizes (a traversal that cleared the field goes on from it) and nothing else
    /// matches: a light userdata of the same address, whose lookups find a nil value, which
    /// is right; storing one revives the entry under that very key.
    pub(crate) fn bury_dead_string_keys(&mut self) {
        for n in self.nodes.iter_mut() {
            if n.val.is_nil()
                && let Value::Str(k) = n.key
            {
                n.key = Value::LightUserData(k.addr());
            }
        }
    }

    /// `for_each_entry` and `bury_dead_string_keys` in one pass, for the collector's trace of a
    /// strong table.
    pub(crate) fn for_each_entry_burying(&mut self, mut f: impl FnMut(&Value, &Value)) {
        for v in &self.arr {
            f(&Value::Nil, v);
        }
        for n in self.nodes.iter_mut() {
            if !n.val.is_nil() {
                f(&n.key, &n.val);
            } else if let Value::Str(k) = n.key {
                n.key = Value::LightUserData(k.addr());
            }
        }
    }

    /// Every live key and value, for the collector.
    pub(crate) fn for_each_entry(&self, mut f: impl FnMut(&Value, &Value)) {
        for v in &self.arr {
            f(&Value::Nil, v);
        }
        for n in &self.nodes {
            if !n.val.is_nil() {
                f(&n.key, &n.val);
            }
        }
    }
}
