//! Scripts reach any component or resource registered with `bevy_reflect`.
//!
//! `self:get("Health")` returns a *reference*: a userdata holding the entity, the type and a field
//! path in plain words (no Rust allocation; see `Vm::new_word_userdata`). Indexing it walks the
//! path through reflection each time, so it always sees the component as it is now and writes go
//! straight into it (with Bevy's change detection). The VM calls `ref_get`/`ref_set` straight
//! from the indexing instruction (`HostFields`), and references are cached by their words, so
//! `self:get("Transform").translation.x = ...` every frame makes no garbage. Measured with
//! `cargo bench --bench plugin_entities` under callgrind (1,000 entities, instructions per
//! entity-update): the `Mover` script's seven field accesses went from ~7,750 to ~5,150; the
//! same work through the fast path `self.transform` is ~1,700. Primitive fields (numbers, booleans, strings)
//! read as Lua values; structs, lists, enums with data and glam vectors read as references;
//! enums without data read as their variant's name; `Option` reads as nil or its content.
//!
//! Natives get only the VM, so the world is reached through `super::world` while the script
//! system runs Lua (and only then).

use std::any::TypeId;
use std::cell::RefCell;

use bevy::ecs::component::ComponentId;
use bevy::ecs::entity::Entity;
use bevy::ecs::reflect::{AppTypeRegistry, ReflectComponent, ReflectResource};
use bevy::ecs::world::{World, WorldId};
use bevy::reflect::enums::{DynamicEnum, DynamicVariant, VariantInfo};
use bevy::reflect::list::DynamicList;
use bevy::reflect::std_traits::ReflectDefault;
use bevy::reflect::structs::DynamicStruct;
use bevy::reflect::tuple::DynamicTuple;
use bevy::reflect::tuple_struct::DynamicTupleStruct;
use bevy::reflect::{
    PartialReflect, ReflectFromPtr, ReflectFromReflect, ReflectKind, ReflectMut, ReflectRef,
    TypeInfo,
};
use rustc_hash::FxHashMap;

use super::world::world;
use crate::vm::Vm;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::string::LuaStr;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::userdata::{HostFields, UserData};
use crate::vm::runtime::value::Value;

thread_local! {
    // Const-initialised: every field access reads it, and a lazy one checks its state first.
    static TYPES: RefCell<TypeCache> = const { RefCell::new(TypeCache::new()) };
}

/// A reflected component or resource type scripts have named.
#[derive(Clone)]
struct ScriptType {
    name: &'static str,
    type_id: TypeId,
    info: &'static TypeInfo,
    /// Field access goes through the component's pointer (the fastest way in); inserting and
    /// removing through `ReflectComponent`.
    from_ptr: ReflectFromPtr,
    reflect: std::rc::Rc<ReflectComponent>,
    resource: bool,
    index: u32,
    /// Known once the world has registered the component (at its first insertion).
    component: Option<ComponentId>,
}

impl ScriptType {
    fn component_id(&self, world: &World) -> Option<ComponentId> {
        if self.component.is_some() {
            return self.component;
        }
        let id = world.components().get_valid_id(self.type_id)?;
        TYPES.with(|t| {
            if let Some(ty) = t.borrow_mut().types.get_mut(self.index as usize) {
                ty.component = Some(id);
            }
        });
        Some(id)
    }
}

/// Types by the names scripts use, for one world (component ids differ between worlds).
struct TypeCache {
    world: Option<WorldId>,
    types: Vec<ScriptType>,
    by_name: FxHashMap<Box<str>, u32>,
    /// Interned name strings seen by `type_arg`, by address: the name and its type.
    by_string: FxHashMap<usize, (Box<[u8]>, u32)>,
}

impl TypeCache {
    const fn new() -> TypeCache {
        TypeCache {
            world: None,
            types: Vec::new(),
            by_name: FxHashMap::with_hasher(rustc_hash::FxBuildHasher),
            by_string: FxHashMap::with_hasher(rustc_hash::FxBuildHasher),
        }
    }

    fn use_world(&mut self, id: WorldId) {
        if self.world != Some(id) {
            self.world = Some(id);
            self.types.clear();
            self.by_name.clear();
            self.by_string.clear();
        }
    }
}

/// Called as scripts start to run in `id`: type names resolve per world.
pub(crate) fn use_world(id: WorldId) {
    TYPES.with(|t| t.borrow_mut().use_world(id));
}

fn script_type(index: u32) -> Option<ScriptType> {
    TYPES.with(|t| t.borrow().types.get(index as usize).cloned())
}

/// What field access needs of a type, copied out cheaply (no `Rc`, no names): every read and
/// write of a reference starts here.
#[derive(Clone)]
struct TypeAccess {
    component: ComponentId,
    from_ptr: ReflectFromPtr,
}

/// `None` when the index is bad or the world has never had the component.
fn type_access(index: u32, world: &World) -> Option<TypeAccess> {
    let (component, from_ptr) = TYPES.with(|t| {
        let t = t.borrow();
        let ty = t.types.get(index as usize)?;
        Some((ty.component, ty.from_ptr.clone()))
    })?;
    let component = match component {
        Some(c) => c,
        None => script_type(index)?.component_id(world)?,
    };
    Some(TypeAccess {
        component,
        from_ptr,
    })
}

/// The type a script names (short path like "Health", or the full type path).
fn lookup_type(vm: &mut Vm, world: &World, name: &str) -> LuaResult<u32> {
    if let Some(i) = TYPES.with(|t| t.borrow().by_name.get(name).copied()) {
        return Ok(i);
    }
    let Some(registry) = world.get_resource::<AppTypeRegistry>() else {
        return Err(vm.rt_error("no type registry in this app"));
    };
    let registry = registry.read();
    let Some(reg) = registry
        .get_with_short_type_path(name)
        .or_else(|| registry.get_with_type_path(name))
    else {
        return Err(vm.rt_error(&format!(
            "unknown type '{name}' (register it: app.register_type::<{name}>())"
        )));
    };
    let Some(reflect) = reg.data::<ReflectComponent>() else {
        return Err(vm.rt_error(&format!(
            "'{name}' is not a component or resource (add #[reflect(Component)] or #[reflect(Resource)])"
        )));
    };
    let Some(from_ptr) = reg.data::<ReflectFromPtr>() else {
        return Err(vm.rt_error(&format!("'{name}' lacks ReflectFromPtr")));
    };
    let ty = ScriptType {
        name: reg.type_info().type_path_table().short_path(),
        type_id: reg.type_id(),
        info: reg.type_info(),
        from_ptr: from_ptr.clone(),
        reflect: std::rc::Rc::new(reflect.clone()),
        resource: reg.data::<ReflectResource>().is_some(),
        index: 0,
        component: world.components().get_valid_id(reg.type_id()),
    };
    Ok(TYPES.with(|t| {
        let mut t = t.borrow_mut();
        let i = t.types.len() as u32;
        t.types.push(ScriptType { index: i, ..ty });
        t.by_name.insert(name.into(), i);
        i
    }))
}

/// Where a reference points: entity, type, and up to `MAX_DEPTH` child indices below the
/// component, packed into a userdata's four words.
#[derive(Clone, Copy)]
struct Ref {
    entity: Entity,
    ty: u32,
    depth: u8,
    path: [u32; MAX_DEPTH],
}

const MAX_DEPTH: usize = 6;
const SEGMENT_BITS: u32 = 21;
const SEGMENT_MASK: u64 = (1 << SEGMENT_BITS) - 1;

impl Ref {
    fn root(entity: Entity, ty: u32) -> Ref {
        Ref {
            entity,
            ty,
            depth: 0,
            path: [0; MAX_DEPTH],
        }
    }

    fn child(&self, index: usize) -> Option<Ref> {
        if self.depth as usize >= MAX_DEPTH || index as u64 > SEGMENT_MASK {
            return None;
        }
        let mut r = *self;
        r.path[r.depth as usize] = index as u32;
        r.depth += 1;
        Some(r)
    }

    fn path(&self) -> &[u32] {
        &self.path[..self.depth as usize]
    }

    fn to_words(self) -> [u64; 4] {
        let mut packed = [0u64; 2];
        // Segments past `depth` are zero: only the ones in use are packed.
        for (i, &s) in self.path().iter().enumerate() {
            packed[i / 3] |= (s as u64) << ((i % 3) as u32 * SEGMENT_BITS);
        }
        [
            self.entity.to_bits(),
            self.ty as u64 | (self.depth as u64) << 32 | 1 << 40,
            packed[0],
            packed[1],
        ]
    }

    fn from_words(w: [u64; 4]) -> Option<Ref> {
        if w[1] >> 40 != 1 {
            return None;
        }
        let depth = ((w[1] >> 32) & 0xff).min(MAX_DEPTH as u64) as u8;
        let mut path = [0; MAX_DEPTH];
        // Only the segments in use (most references are a component or one level below).
        for (i, p) in path.iter_mut().enumerate().take(depth as usize) {
            let word = w[2 + i / 3];
            *p = ((word >> ((i % 3) as u32 * SEGMENT_BITS)) & SEGMENT_MASK) as u32;
        }
        Some(Ref {
            entity: Entity::try_from_bits(w[0])?,
            ty: w[1] as u32,
            depth,
            path,
        })
    }
}

fn ref_of(v: &Value) -> Option<(Ref, Option<Gc<Table>>)> {
    match v {
        Value::UserData(u) => Ref::from_words(u.words).map(|r| (r, u.meta)),
        _ => None,
    }
}

fn check_ref(vm: &mut Vm, args: Args, fname: &str) -> LuaResult<(Ref, Option<Gc<Table>>)> {
    match ref_of(&vm.arg(args, 0)) {
        Some(r) => Ok(r),
        None => Err(vm.arg_type_error(args, 0, fname, "component reference")),
    }
}

// ---- walking a path ----

fn child(node: &dyn PartialReflect, i: usize) -> Option<&dyn PartialReflect> {
    match node.reflect_ref() {
        ReflectRef::Struct(s) => s.field_at(i),
        ReflectRef::TupleStruct(t) => t.field(i),
        ReflectRef::Tuple(t) => t.field(i),
        ReflectRef::List(l) => l.get(i),
        ReflectRef::Array(a) => a.get(i),
        ReflectRef::Enum(e) => e.field_at(i),
        _ => None,
    }
}

fn child_mut(node: &mut dyn PartialReflect, i: usize) -> Option<&mut dyn PartialReflect> {
    match node.reflect_mut() {
        ReflectMut::Struct(s) => s.field_at_mut(i),
        ReflectMut::TupleStruct(t) => t.field_mut(i),
        ReflectMut::Tuple(t) => t.field_mut(i),
        ReflectMut::List(l) => l.get_mut(i),
        ReflectMut::Array(a) => a.get_mut(i),
        ReflectMut::Enum(e) => e.field_at_mut(i),
        _ => None,
    }
}

/// A key as scripts write it: a field name, or a 1-based position.
#[derive(Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

fn key_of(v: &Value) -> Option<Key<'_>> {
    match v {
        Value::Str(s) => {
            let bytes = s.as_bytes();
            if bytes.is_ascii() {
                // SAFETY: ASCII is UTF-8. (Field names are ASCII: this skips `from_utf8`, a
                // sixth of a field read.)
                Some(Key::Name(unsafe { std::str::from_utf8_unchecked(bytes) }))
            } else {
                std::str::from_utf8(bytes).ok().map(Key::Name)
            }
        }
        Value::Int(i) if *i >= 1 => Some(Key::Index(*i as usize - 1)),
        Value::Float(f) if f.fract() == 0.0 && *f >= 1.0 => Some(Key::Index(*f as usize - 1)),
        _ => None,
    }
}

/// The child index `key` names in `node`, if there is one.
fn index_of(node: &dyn PartialReflect, key: Key) -> Option<usize> {
    match (node.reflect_ref(), key) {
        (ReflectRef::Struct(s), Key::Name(n)) => s.index_of_name(n),
        (ReflectRef::Enum(e), Key::Name(n)) => e.index_of(n),
        (ReflectRef::TupleStruct(t), Key::Index(i)) => (i < t.field_len()).then_some(i),
        (ReflectRef::Tuple(t), Key::Index(i)) => (i < t.field_len()).then_some(i),
        (ReflectRef::List(l), Key::Index(i)) => (i < l.len()).then_some(i),
        (ReflectRef::Array(a), Key::Index(i)) => (i < a.len()).then_some(i),
        (ReflectRef::Enum(e), Key::Index(i)) => (i < e.field_len()).then_some(i),
        _ => None,
    }
}

fn is_option(node: &dyn PartialReflect) -> bool {
    node.reflect_type_path()
        .starts_with("core::option::Option<")
}

/// The component (or resource) a reference starts from.
fn component<'w>(world: &'w World, r: &Ref, ty: &TypeAccess) -> Option<&'w dyn PartialReflect> {
    let ptr = world
        .get_entity(r.entity)
        .ok()?
        .get_by_id(ty.component)
        .ok()?;
    // SAFETY: `ty.component` is the component id of the type `from_ptr` was made for (both
    // come from one registration in `lookup_type`, for this world: `use_world`).
    Some(unsafe { ty.from_ptr.as_reflect(ptr) }.as_partial_reflect())
}

fn resolve<'w>(world: &'w World, r: &Ref, ty: &TypeAccess) -> Option<&'w dyn PartialReflect> {
    let mut node = component(world, r, ty)?;
    for &i in r.path() {
        node = child(node, i as usize)?;
    }
    Some(node)
}

#[cold]
fn stale(vm: &mut Vm, r: &Ref) -> crate::vm::runtime::error::LuaError {
    vm.rt_error(&gone_message(r))
}

#[cold]
fn gone_message(r: &Ref) -> String {
    let name = script_type(r.ty).map_or("component", |t| t.name);
    format!(
        "{name} of entity {} is gone (despawned, removed, or its variant changed)",
        r.entity
    )
}

/// Field access on references, served by the VM straight from the indexing instruction.
static REF_FIELDS: HostFields = HostFields {
    index: ref_get,
    newindex: ref_set,
};

/// A reference userdata for `r`. References are cached in the metatable's `[1]`, keyed by a
/// hash of their words: a script that reaches `self:get("T").translation` every frame gets the
/// same userdata back and makes no garbage. The cache holds them strongly (a weak cache was
/// emptied by every collection and refilled after it: ~1 object and 3 Rust allocations per
/// frame at 10,000 entities) and drops the references to despawned entities and removed
/// components when it has doubled since the last such sweep (`[2]` counts entries, `[3]` is
/// the size that triggers the sweep).
fn new_ref(vm: &mut Vm, world: &World, r: Ref, meta: Option<Gc<Table>>) -> Value {
    let words = r.to_words();
    let Some(mt) = meta else {
        return vm.new_host_userdata(words, meta, &REF_FIELDS);
    };
    let Value::Table(cache) = mt.get_int(1) else {
        return vm.new_host_userdata(words, meta, &REF_FIELDS);
    };
    let key = Value::Int(words_hash(&words));
    let old = cache.get(key);
    if let Value::UserData(u) = old
        && u.words == words
        && u.meta == meta
    {
        return old;
    }
    let v = vm.new_host_userdata(words, meta, &REF_FIELDS);
    // A collision replaces the older reference in the cache (both stay valid).
    if vm.raw_set_checked(cache, key, v).is_err() {
        return v;
    }
    if old.is_nil() {
        let count = int_at(mt, 2) + 1;
        let _ = vm.raw_set_checked(mt, Value::Int(2), Value::Int(count));
        if count > int_at(mt, 3) {
            let kept = sweep_refs(vm, world, cache);
            let _ = vm.raw_set_checked(mt, Value::Int(2), Value::Int(kept));
            let next = (2 * kept).max(MIN_REF_SWEEP);
            let _ = vm.raw_set_checked(mt, Value::Int(3), Value::Int(next));
        }
    }
    v
}

/// The reference cache's size that first triggers a sweep.
const MIN_REF_SWEEP: i64 = 4096;

fn int_at(t: Gc<Table>, i: i64) -> i64 {
    match t.get_int(i) {
        Value::Int(n) => n,
        _ => 0,
    }
}

/// Drops cached references whose entity or component is gone; returns how many stay.
#[cold]
fn sweep_refs(vm: &mut Vm, world: &World, cache: Gc<Table>) -> i64 {
    let mut gone = Vec::new();
    let mut kept = 0;
    cache.for_each_entry(|k, v| {
        let live = match v {
            Value::UserData(u) => Ref::from_words(u.words).is_some_and(|r| {
                type_access(r.ty, world)
                    .and_then(|ty| resolve(world, &r, &ty))
                    .is_some()
            }),
            _ => false,
        };
        if live {
            kept += 1;
        } else {
            gone.push(*k);
        }
    });
    for k in gone {
        let _ = vm.raw_set_checked(cache, k, Value::Nil);
    }
    kept
}

fn words_hash(words: &[u64; 4]) -> i64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(words) as i64
}

// ---- values ----

/// A primitive as a Lua value.
fn primitive(vm: &mut Vm, node: &dyn PartialReflect) -> Option<Value> {
    // Structs, lists, enums are not: one virtual call spares them the 14 downcasts below
    // (which were half the cost of reading `t.translation`).
    if !matches!(node.reflect_kind(), ReflectKind::Opaque) {
        return None;
    }
    macro_rules! ints {
        ($($t:ty),*) => {$(
            if let Some(x) = node.try_downcast_ref::<$t>() {
                return Some(Value::Int(*x as i64));
            }
        )*};
    }
    if let Some(x) = node.try_downcast_ref::<f32>() {
        return Some(Value::Float(*x as f64));
    }
    if let Some(x) = node.try_downcast_ref::<f64>() {
        return Some(Value::Float(*x));
    }
    ints!(i32, u32, i64, u64, usize, isize, i16, u16, i8, u8);
    if let Some(x) = node.try_downcast_ref::<bool>() {
        return Some(Value::Bool(*x));
    }
    if let Some(x) = node.try_downcast_ref::<String>() {
        return Some(vm.str_value(x));
    }
    None
}

/// What a Lua value does to a primitive target: `Some(result)` when the target is primitive.
fn set_primitive(target: &mut dyn PartialReflect, v: &Value) -> Option<Result<(), &'static str>> {
    if !matches!(target.reflect_kind(), ReflectKind::Opaque) {
        return None;
    }
    let number = match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    let integer = match v {
        Value::Int(i) => Some(*i),
        Value::Float(f) => crate::vm::number::float_to_int_exact(*f),
        _ => None,
    };
    if let Some(x) = target.try_downcast_mut::<f32>() {
        return Some(number.map(|n| *x = n as f32).ok_or("number expected"));
    }
    if let Some(x) = target.try_downcast_mut::<f64>() {
        return Some(number.map(|n| *x = n).ok_or("number expected"));
    }
    macro_rules! ints {
        ($($t:ty),*) => {$(
            if let Some(x) = target.try_downcast_mut::<$t>() {
                return Some(match (integer, number) {
                    (Some(i), _) => <$t>::try_from(i).map(|i| *x = i).map_err(|_| "integer out of range"),
                    (None, Some(_)) => Err("number has no integer representation"),
                    _ => Err("integer expected"),
                });
            }
        )*};
    }
    ints!(i32, u32, i64, u64, usize, isize, i16, u16, i8, u8);
    if let Some(x) = target.try_downcast_mut::<bool>() {
        return Some(match v {
            Value::Bool(b) => {
                *x = *b;
                Ok(())
            }
            _ => Err("boolean expected"),
        });
    }
    if let Some(x) = target.try_downcast_mut::<String>() {
        return Some(match v {
            Value::Str(s) => {
                x.clear();
                x.push_str(&s.to_str_lossy());
                Ok(())
            }
            _ => Err("string expected"),
        });
    }
    None
}

/// A Lua value as a reflected value of type `info` (tables become structs, lists, tuples;
/// strings name enum variants; nil is `None`).
fn to_dynamic(
    vm: &mut Vm,
    v: Value,
    info: &'static TypeInfo,
) -> Result<Box<dyn PartialReflect>, String> {
    macro_rules! prims {
        ($($t:ty),*) => {$(
            if info.type_id() == TypeId::of::<$t>() {
                let mut x = <$t>::default();
                return match set_primitive(&mut x, &v) {
                    Some(Ok(())) => Ok(Box::new(x)),
                    Some(Err(e)) => Err(e.into()),
                    None => unreachable!(),
                };
            }
        )*};
    }
    prims!(
        f32, f64, i32, u32, i64, u64, usize, isize, i16, u16, i8, u8, bool, String
    );
    let table = |vm: &mut Vm, v: Value| match v {
        Value::Table(t) => Ok(t),
        _ => Err(format!(
            "table expected for {}, got {}",
            info.type_path_table().short_path(),
            vm.obj_type_name(&v)
        )),
    };
    let field = |t: Gc<Table>, vm: &mut Vm, name: &str| {
        let k = vm.intern(name.as_bytes());
        t.get_str(k)
    };
    let nested = |vm: &mut Vm, v: Value, info: Option<&'static TypeInfo>, what: &str| {
        let info = info.ok_or_else(|| format!("{what}: type not known to reflection"))?;
        to_dynamic(vm, v, info).map_err(|e| format!("{what}: {e}"))
    };
    let out: Box<dyn PartialReflect> = match info {
        TypeInfo::Struct(si) => {
            let t = table(vm, v)?;
            let mut d = DynamicStruct::default();
            for f in si.iter() {
                let fv = field(t, vm, f.name());
                if !fv.is_nil() {
                    d.insert_boxed(f.name(), nested(vm, fv, f.type_info(), f.name())?);
                }
            }
            d.set_represented_type(Some(info));
            Box::new(d)
        }
        TypeInfo::TupleStruct(ti) => {
            let t = table(vm, v)?;
            let mut d = DynamicTupleStruct::from(positional(vm, t, ti.iter())?);
            d.set_represented_type(Some(info));
            Box::new(d)
        }
        TypeInfo::Tuple(ti) => {
            let t = table(vm, v)?;
            let mut d = positional(vm, t, ti.iter())?;
            d.set_represented_type(Some(info));
            Box::new(d)
        }
        TypeInfo::List(li) => {
            let t = table(vm, v)?;
            let mut d = DynamicList::default();
            for i in 1..=t.len() {
                // Each element is boxed and converted: charged like a loop iteration or more.
                vm.charge_fuel(8)
                    .map_err(|_| "the script's budget ran out".to_string())?;
                let item = t.get_int(i);
                d.push_box(nested(vm, item, li.item_info(), &format!("[{i}]"))?);
            }
            d.set_represented_type(Some(info));
            Box::new(d)
        }
        TypeInfo::Enum(ei) => {
            let (name, body) = match v {
                Value::Nil if ei.contains_variant("None") => ("None".to_string(), Value::Nil),
                Value::Str(s) => (s.to_str_lossy().into_owned(), Value::Nil),
                Value::Table(t) if !ei.contains_variant("Some") => {
                    let Value::Str(s) = field(t, vm, "variant") else {
                        return Err(format!(
                            "{}: a variant name or a table with 'variant' expected",
                            info.type_path_table().short_path()
                        ));
                    };
                    (s.to_str_lossy().into_owned(), v)
                }
                other if ei.contains_variant("Some") => ("Some".to_string(), other),
                other => {
                    return Err(format!(
                        "{}: a variant name expected, got {}",
                        info.type_path_table().short_path(),
                        vm.obj_type_name(&other)
                    ));
                }
            };
            let Some(variant) = ei.variant(&name) else {
                return Err(format!(
                    "{} has no variant '{name}'",
                    info.type_path_table().short_path()
                ));
            };
            let dv = match variant {
                VariantInfo::Unit(_) => DynamicVariant::Unit,
                VariantInfo::Tuple(tv) => {
                    let mut d = DynamicTuple::default();
                    for (i, f) in tv.iter().enumerate() {
                        // `Some(x)` takes the value itself; other tuple variants a table.
                        let fv = match body {
                            Value::Table(t) if name != "Some" => t.get_int(i as i64 + 1),
                            other => other,
                        };
                        d.insert_boxed(nested(vm, fv, f.type_info(), &name)?);
                    }
                    DynamicVariant::Tuple(d)
                }
                VariantInfo::Struct(sv) => {
                    let t = table(vm, body)?;
                    let mut d = DynamicStruct::default();
                    for f in sv.iter() {
                        let fv = field(t, vm, f.name());
                        d.insert_boxed(f.name(), nested(vm, fv, f.type_info(), f.name())?);
                    }
                    DynamicVariant::Struct(d)
                }
            };
            let mut d = DynamicEnum::new(name, dv);
            d.set_represented_type(Some(info));
            Box::new(d)
        }
        _ => {
            return Err(format!(
                "{} can't be built from a script value",
                info.type_path_table().short_path()
            ));
        }
    };
    Ok(out)
}

/// `t[1], t[2], ...` as the fields of a tuple (or tuple struct, or tuple variant).
fn positional<'f>(
    vm: &mut Vm,
    t: Gc<Table>,
    fields: impl Iterator<Item = &'f bevy::reflect::UnnamedField>,
) -> Result<DynamicTuple, String> {
    let mut d = DynamicTuple::default();
    for (i, f) in fields.enumerate() {
        let fv = t.get_int(i as i64 + 1);
        let info = f
            .type_info()
            .ok_or_else(|| format!("[{}]: type not known to reflection", i + 1))?;
        d.insert_boxed(to_dynamic(vm, fv, info).map_err(|e| format!("[{}]: {e}", i + 1))?);
    }
    Ok(d)
}

/// Reads `node` for a script: primitives as values, `Option` unwrapped, data-less enum
/// variants as names, everything else as a reference `r`.
fn read(
    vm: &mut Vm,
    world: &World,
    node: &dyn PartialReflect,
    r: Ref,
    meta: Option<Gc<Table>>,
) -> LuaResult<Value> {
    if let Some(v) = primitive(vm, node) {
        return Ok(v);
    }
    if let ReflectRef::Enum(e) = node.reflect_ref() {
        if is_option(node) {
            return match e.field_at(0) {
                None => Ok(Value::Nil),
                Some(inner) => match r.child(0) {
                    Some(r) => read(vm, world, inner, r, meta),
                    None => Err(vm.rt_error("reflection path too deep")),
                },
            };
        }
        if e.field_len() == 0 {
            return Ok(vm.str_value(e.variant_name()));
        }
    }
    Ok(new_ref(vm, world, r, meta))
}

fn key_error(
    vm: &mut Vm,
    node: &dyn PartialReflect,
    key: &Value,
) -> crate::vm::runtime::error::LuaError {
    let shown = match key {
        Value::Str(s) => format!("'{}'", s.to_str_lossy()),
        Value::Int(i) => i.to_string(),
        other => vm.obj_type_name(other),
    };
    let ty = node.reflect_short_type_path();
    vm.rt_error(&format!("{ty} has no field {shown}"))
}

/// `ref.key` through the metatable (`getmetatable(ref).__index(ref, key)`); the VM calls
/// `ref_get` directly.
fn ref_index(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = check_ref_userdata(vm, args, "index")?;
    let key = vm.arg(args, 1);
    let v = ref_get(vm, u, key)?;
    vm.ret1(args, v)
}

/// `ref.key = value` through the metatable; the VM calls `ref_set` directly.
fn ref_newindex(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = check_ref_userdata(vm, args, "newindex")?;
    let (key, value) = (vm.arg(args, 1), vm.arg(args, 2));
    ref_set(vm, u, key, value)?;
    Ok(0)
}

fn check_ref_userdata(vm: &mut Vm, args: Args, fname: &str) -> LuaResult<Gc<UserData>> {
    match vm.arg(args, 0) {
        Value::UserData(u) if Ref::from_words(u.words).is_some() => Ok(u),
        _ => Err(vm.arg_type_error(args, 0, fname, "component reference")),
    }
}

/// `ref.key`.
fn ref_get(vm: &mut Vm, u: Gc<UserData>, key: Value) -> LuaResult<Value> {
    let Some(r) = Ref::from_words(u.words) else {
        return Err(vm.rt_error("bad component reference"));
    };
    let meta = u.meta;
    let world = world(vm)?;
    let Some(node) = type_access(r.ty, world).and_then(|ty| resolve(world, &r, &ty)) else {
        return Err(stale(vm, &r));
    };
    let Some(i) = key_of(&key).and_then(|k| index_of(node, k)) else {
        return missing_field(vm, node, key, meta);
    };
    let node = child(node, i).expect("index_of checked it");
    let Some(child_ref) = r.child(i) else {
        return Err(vm.rt_error("reflection path too deep"));
    };
    read(vm, world, node, child_ref, meta)
}

/// A key that names no field: nil past the end of a list, a vector method, or an error.
#[cold]
fn missing_field(
    vm: &mut Vm,
    node: &dyn PartialReflect,
    key: Value,
    meta: Option<Gc<Table>>,
) -> LuaResult<Value> {
    // Past the end of a list is nil, as in a Lua array (so `ipairs` works).
    if matches!(
        node.reflect_ref(),
        ReflectRef::List(_) | ReflectRef::Array(_)
    ) && matches!(key, Value::Int(_) | Value::Float(_))
    {
        return Ok(Value::Nil);
    }
    // Vector references share the vec3 methods (`length`, `dot`, ...).
    if let Some(mt) = meta {
        let methods = vm.intern(b"__methods");
        if let Value::Table(m) = mt.get_str(methods)
            && let Value::Str(_) = key
            && index_of(node, Key::Name("x")).is_some()
            && let v = m.get(key)
            && !v.is_nil()
        {
            return Ok(v);
        }
    }
    Err(key_error(vm, node, &key))
}

/// `ref.key = value`.
fn ref_set(vm: &mut Vm, u: Gc<UserData>, key: Value, value: Value) -> LuaResult<()> {
    let Some(r) = Ref::from_words(u.words) else {
        return Err(vm.rt_error("bad component reference"));
    };
    let world = world(vm)?;
    // A reference on the right is copied first (the target borrows the world mutably).
    let incoming = match ref_of(&value) {
        Some((src, _)) => {
            match type_access(src.ty, world).and_then(|ty| resolve(world, &src, &ty)) {
                Some(n) => Some(n.to_dynamic()),
                None => return Err(stale(vm, &src)),
            }
        }
        None => None,
    };
    let Some(ty) = type_access(r.ty, world) else {
        return Err(stale(vm, &r));
    };
    write_at(vm, world, &r, &ty, key, value, incoming).map_err(|msg| vm.rt_error(&msg))
}

fn write_at(
    vm: &mut Vm,
    world: &mut World,
    r: &Ref,
    ty: &TypeAccess,
    key: Value,
    value: Value,
    incoming: Option<Box<dyn PartialReflect>>,
) -> Result<(), String> {
    let gone = || gone_message(r);
    let Ok(e) = world.get_entity_mut(r.entity) else {
        return Err(gone());
    };
    // Immutable components are an error here, not a panic.
    let Ok(c) = e.into_mut_by_id(ty.component) else {
        return Err(gone());
    };
    // SAFETY: as in `component`: the id and `from_ptr` come from one registration.
    let c = unsafe { ty.from_ptr.as_reflect_mut(c.into_inner()) };
    let mut node: &mut dyn PartialReflect = c.as_partial_reflect_mut();
    for &i in r.path() {
        node = child_mut(node, i as usize).ok_or_else(gone)?;
    }
    let Some(i) = key_of(&key).and_then(|k| index_of(node, k)) else {
        // `list[#list + 1] = v` appends.
        if let (ReflectMut::List(l), Some(Key::Index(i))) = (node.reflect_mut(), key_of(&key))
            && i == l.len()
        {
            let info = l
                .get_represented_list_info()
                .and_then(|li| li.item_info())
                .ok_or("list item type not known to reflection")?;
            let item = match incoming {
                Some(d) => d,
                None => to_dynamic(vm, value, info)?,
            };
            l.push(item);
            return Ok(());
        }
        let shown = match key {
            Value::Str(s) => format!("'{}'", s.to_str_lossy()),
            other => format!("{other:?}"),
        };
        return Err(format!(
            "{} has no field {shown}",
            node.reflect_short_type_path()
        ));
    };
    // Named only on error: a write must not allocate.
    let in_field = |e: String| match key {
        Value::Str(s) => format!("field '{}': {e}", s.to_str_lossy()),
        _ => e,
    };
    let target = child_mut(node, i).expect("index_of checked it");
    if let Some(d) = incoming {
        return target.try_apply(&*d).map_err(|e| in_field(e.to_string()));
    }
    assign(vm, target, value).map_err(in_field)
}

/// Writes a Lua value into `target`: primitives in place (no allocation), `Option` by its
/// content, anything else rebuilt from the value and applied.
fn assign(vm: &mut Vm, target: &mut dyn PartialReflect, value: Value) -> Result<(), String> {
    if let Some(r) = set_primitive(target, &value) {
        return r.map_err(|e| format!("{e}, got {}", vm.obj_type_name(&value)));
    }
    if is_option(target)
        && !value.is_nil()
        && let ReflectMut::Enum(e) = target.reflect_mut()
        && let Some(inner) = e.field_at_mut(0)
    {
        return assign(vm, inner, value);
    }
    let info = target
        .get_represented_type_info()
        .ok_or("type not known to reflection")?;
    let d = to_dynamic(vm, value, info)?;
    target.try_apply(&*d).map_err(|e| e.to_string())
}

/// `#ref`: a list's or array's length, or a struct's field count.
fn ref_len(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (r, _) = check_ref(vm, args, "len")?;
    let world = world(vm)?;
    let Some(node) = type_access(r.ty, world).and_then(|ty| resolve(world, &r, &ty)) else {
        return Err(stale(vm, &r));
    };
    let n = match node.reflect_ref() {
        ReflectRef::List(l) => l.len(),
        ReflectRef::Array(a) => a.len(),
        ReflectRef::Struct(s) => s.field_len(),
        ReflectRef::TupleStruct(t) => t.field_len(),
        ReflectRef::Tuple(t) => t.field_len(),
        ReflectRef::Enum(e) => e.field_len(),
        _ => 0,
    };
    vm.ret1(args, Value::Int(n as i64))
}

/// `tostring(ref)`: the value as Rust's `Debug` shows it.
fn ref_tostring(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (r, _) = check_ref(vm, args, "tostring")?;
    let world = world(vm)?;
    let text = match type_access(r.ty, world).and_then(|ty| resolve(world, &r, &ty)) {
        Some(node) => format!("{node:?}"),
        None => format!(
            "{} (gone)",
            script_type(r.ty).map_or("component", |t| t.name)
        ),
    };
    let s = vm.str_value(&text);
    vm.ret1(args, s)
}

/// `a == b`: the same place.
fn ref_eq(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let same = match (ref_of(&vm.arg(args, 0)), ref_of(&vm.arg(args, 1))) {
        (Some((a, _)), Some((b, _))) => a.to_words() == b.to_words(),
        _ => false,
    };
    vm.ret1(args, Value::Bool(same))
}

/// `pairs(ref)`: a struct's fields (name, value), or a list's items (index, value).
fn ref_pairs(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = vm.arg(args, 0);
    check_ref(vm, args, "pairs")?;
    vm.ret_values(args, &[Value::Native(ref_next), r, Value::Nil])
}

fn ref_next(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (r, meta) = check_ref(vm, args, "next")?;
    let key = vm.arg(args, 1);
    let world = world(vm)?;
    let Some(node) = type_access(r.ty, world).and_then(|ty| resolve(world, &r, &ty)) else {
        return Err(stale(vm, &r));
    };
    let next = match key_of(&key).and_then(|k| index_of(node, k)) {
        Some(i) => i + 1,
        None if key.is_nil() => 0,
        None => return Err(key_error(vm, node, &key)),
    };
    let Some(c) = child(node, next) else {
        return vm.ret1(args, Value::Nil);
    };
    let k = match node.reflect_ref() {
        ReflectRef::Struct(s) => vm.str_value(s.name_at(next).unwrap_or_default()),
        ReflectRef::Enum(e) if e.name_at(next).is_some() => {
            vm.str_value(e.name_at(next).unwrap_or_default())
        }
        _ => Value::Int(next as i64 + 1),
    };
    let Some(child_ref) = r.child(next) else {
        return Err(vm.rt_error("reflection path too deep"));
    };
    let v = read(vm, world, c, child_ref, meta)?;
    vm.ret_values(args, &[k, v])
}

// ---- entities ----

/// The entity of `self` (or of an entity object from a query).
fn entity_arg(vm: &mut Vm, args: Args, i: usize, fname: &str) -> LuaResult<Entity> {
    let v = vm.arg(args, i);
    <Entity as crate::vm::FromLua>::from_raw(vm, v, crate::vm::api::Sealed(()))
        .map_err(|_| vm.arg_type_error(args, i, fname, "entity"))
}

fn type_arg(vm: &mut Vm, args: Args, i: usize, fname: &str, world: &World) -> LuaResult<u32> {
    let name = vm.check_str(args, i, fname)?;
    // `self:get("Mover")` every frame names the type with the same interned string: found by
    // its address (checked against the bytes: a dead string's address can be reused).
    let seen = TYPES.with(|t| {
        let t = t.borrow();
        let (bytes, index) = t.by_string.get(&name.addr())?;
        (**bytes == *name.as_bytes()).then_some(*index)
    });
    if let Some(index) = seen {
        return Ok(index);
    }
    let index = type_arg_slow(vm, i, fname, world, name)?;
    TYPES.with(|t| {
        let mut t = t.borrow_mut();
        if t.by_string.len() >= 256 {
            t.by_string.clear();
        }
        t.by_string
            .insert(name.addr(), (name.as_bytes().into(), index));
    });
    Ok(index)
}

#[cold]
fn type_arg_slow(
    vm: &mut Vm,
    i: usize,
    fname: &str,
    world: &World,
    name: Gc<LuaStr>,
) -> LuaResult<u32> {
    let Ok(name) = std::str::from_utf8(name.as_bytes()) else {
        return Err(vm.arg_error(i + 1, fname, "type name is not UTF-8"));
    };
    lookup_type(vm, world, name)
}

/// The reference metatable, kept as the first upvalue of the natives that make references.
fn upvalue(vm: &Vm, args: Args, i: usize) -> Value {
    match args.base.checked_sub(1).and_then(|f| vm.stack().get(f)) {
        Some(Value::NativeClosure(nc)) => nc.upvals.get(i).copied().unwrap_or(Value::Nil),
        _ => Value::Nil,
    }
}

fn ref_meta(vm: &Vm, args: Args) -> Option<Gc<Table>> {
    match upvalue(vm, args, 0) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

/// `entity:get("Health")`: a reference to the component, or nil if the entity has none.
fn entity_get(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // `self.entity`, with the key interned once (the closure's second upvalue).
    let e = match (vm.arg(args, 0), upvalue(vm, args, 1)) {
        (Value::Table(t), Value::Str(k))
            if let Value::Int(bits) = t.get_str(k)
                && let Some(e) = Entity::try_from_bits(bits as u64) =>
        {
            e
        }
        _ => entity_arg(vm, args, 0, "get")?,
    };
    let world = world(vm)?;
    let ty_index = type_arg(vm, args, 1, "get", world)?;
    let r = Ref::root(e, ty_index);
    if type_access(ty_index, world)
        .and_then(|ty| component(world, &r, &ty))
        .is_none()
    {
        return vm.ret1(args, Value::Nil);
    }
    let meta = ref_meta(vm, args);
    let v = new_ref(vm, world, r, meta);
    vm.ret1(args, v)
}

/// `entity:has("Health")`.
fn entity_has(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let e = entity_arg(vm, args, 0, "has")?;
    let world = world(vm)?;
    let ty_index = type_arg(vm, args, 1, "has", world)?;
    let has = type_access(ty_index, world)
        .and_then(|ty| component(world, &Ref::root(e, ty_index), &ty))
        .is_some();
    vm.ret1(args, Value::Bool(has))
}

/// `entity:insert("Stunned", {secs = 2})`: adds (or replaces) a component built from the table;
/// fields left out take the type's `Default` (with `#[reflect(Default)]`).
fn entity_insert(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let e = entity_arg(vm, args, 0, "insert")?;
    let world = world(vm)?;
    let ty_index = type_arg(vm, args, 1, "insert", world)?;
    let value = vm.arg(args, 2);
    insert_component(vm, e, ty_index, value)?;
    Ok(0)
}

/// Inserts the component named `name` built from `value` (a table, nil for all defaults) into
/// `e`: what `entity:insert` and `spawn`'s component table do.
pub(crate) fn insert_named(vm: &mut Vm, e: Entity, name: &str, value: Value) -> LuaResult<()> {
    let world = world(vm)?;
    let ty_index = lookup_type(vm, world, name)?;
    insert_component(vm, e, ty_index, value)
}

fn insert_component(vm: &mut Vm, e: Entity, ty_index: u32, value: Value) -> LuaResult<()> {
    // Building a component and moving the entity to a new archetype is host work of a
    // microsecond or more.
    vm.charge_fuel(STRUCTURAL_FUEL)?;
    let ty = script_type(ty_index).expect("looked up by the caller");
    let value = match value {
        Value::Nil => Value::Table(vm.new_table()),
        v => v,
    };
    let dynamic = match to_dynamic(vm, value, ty.info) {
        Ok(d) => d,
        Err(msg) => return Err(vm.rt_error(&format!("insert {}: {msg}", ty.name))),
    };
    let world = world(vm)?;
    let registry = world.resource::<AppTypeRegistry>().clone();
    let registry = registry.read();
    // Built here rather than by `ReflectComponent::insert`, which panics on a bad value.
    let concrete = registry.get(ty.type_id).and_then(|reg| {
        if let Some(v) = reg
            .data::<ReflectFromReflect>()
            .and_then(|f| f.from_reflect(&*dynamic))
        {
            return Some(v);
        }
        let mut v = reg.data::<ReflectDefault>()?.default();
        v.try_apply(&*dynamic).ok()?;
        Some(v)
    });
    let Some(concrete) = concrete else {
        return Err(vm.rt_error(&format!(
            "insert {}: the table does not make a whole {} (give every field, or add #[reflect(Default)])",
            ty.name, ty.name
        )));
    };
    let Ok(mut ew) = world.get_entity_mut(e) else {
        return Err(vm.rt_error(&format!("insert {}: entity {e} does not exist", ty.name)));
    };
    ty.reflect
        .insert(&mut ew, concrete.as_partial_reflect(), &registry);
    Ok(())
}

/// Fuel charged for a structural change (a component inserted or removed moves the entity to
/// another archetype).
const STRUCTURAL_FUEL: i64 = 100;

/// `entity:remove("Stunned")`.
fn entity_remove(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let e = entity_arg(vm, args, 0, "remove")?;
    vm.charge_fuel(STRUCTURAL_FUEL)?;
    let world = world(vm)?;
    let ty_index = type_arg(vm, args, 1, "remove", world)?;
    let ty = script_type(ty_index).expect("just looked up");
    if let Ok(mut ew) = world.get_entity_mut(e) {
        ty.reflect.remove(&mut ew);
    }
    Ok(0)
}

/// `world.resource("Score")`: a reference to the resource, or nil if it is not there.
fn world_resource(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let world = world(vm)?;
    let ty_index = type_arg(vm, args, 0, "resource", world)?;
    let ty = script_type(ty_index).expect("just looked up");
    if !ty.resource {
        return Err(vm.rt_error(&format!(
            "'{}' is not a resource (add #[reflect(Resource)])",
            ty.name
        )));
    }
    let entity = world
        .components()
        .get_valid_id(ty.type_id)
        .and_then(|id| world.resource_entities().get(id));
    let Some(entity) = entity else {
        return vm.ret1(args, Value::Nil);
    };
    let meta = ref_meta(vm, args);
    let v = new_ref(vm, world, Ref::root(entity, ty_index), meta);
    vm.ret1(args, v)
}

/// `for e, a, b in world.query("A", "B") do ... end`: entities with all the components (taken
/// when the loop starts), each as an entity object and a reference per component.
fn world_query(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    if args.n == 0 {
        return Err(vm.arg_error(1, "query", "component name expected"));
    }
    let world = world(vm)?;
    let mut ids: smallvec::SmallVec<[ComponentId; 4]> = smallvec::SmallVec::new();
    let state = vm.new_table();
    let mut missing = false;
    for i in 0..args.n {
        let ty_index = type_arg(vm, args, i, "query", world)?;
        let ty = script_type(ty_index).expect("just looked up");
        match world.components().get_valid_id(ty.type_id) {
            Some(id) => ids.push(id),
            None => missing = true,
        }
        state
            .get_mut()
            .set_int(-3 - i as i64, Value::Int(ty_index as i64));
    }
    let disabled = world
        .components()
        .get_valid_id(TypeId::of::<bevy::ecs::entity_disabling::Disabled>());
    let mut n = 0;
    if !missing {
        for arch in world.archetypes().iter() {
            if !ids.iter().all(|&id| arch.contains(id))
                || disabled.is_some_and(|d| arch.contains(d))
            {
                continue;
            }
            // Taking the entities is work in proportion to them: a query in a loop over a
            // large world is charged, and stopped, like a loop in Lua.
            vm.charge_fuel(1 + arch.len() as i64 / 2)?;
            for ae in arch.entities() {
                n += 1;
                let grown = state
                    .get_mut()
                    .set_int(n, Value::Int(ae.id().to_bits() as i64));
                vm.heap.charge(grown);
            }
        }
    }
    state.get_mut().set_int(0, Value::Int(0));
    state.get_mut().set_int(-1, upvalue(vm, args, 1));
    state.get_mut().set_int(-2, Value::Int(args.n as i64));
    let meta = upvalue(vm, args, 0);
    let step = vm.new_native_closure(query_step, &[Value::Table(state), meta]);
    vm.ret1(args, step)
}

fn query_step(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (Value::Table(state), meta) = (upvalue(vm, args, 0), upvalue(vm, args, 1)) else {
        return Ok(0);
    };
    let meta = match meta {
        Value::Table(t) => Some(t),
        _ => None,
    };
    let world = world(vm)?;
    let ntypes = match state.get_int(-2) {
        Value::Int(n) => n as usize,
        _ => 0,
    };
    let mut pos = match state.get_int(0) {
        Value::Int(p) => p,
        _ => 0,
    };
    loop {
        pos += 1;
        vm.charge_fuel(1)?;
        let Value::Int(bits) = state.get_int(pos) else {
            state.get_mut().set_int(0, Value::Int(pos));
            return vm.ret1(args, Value::Nil);
        };
        let Some(e) = Entity::try_from_bits(bits as u64) else {
            continue;
        };
        // Skip entities that lost a component (or were despawned) since the loop started.
        let all_there = (0..ntypes).all(|k| {
            let Value::Int(ty) = state.get_int(-3 - k as i64) else {
                return false;
            };
            type_access(ty as u32, world)
                .is_some_and(|t| component(world, &Ref::root(e, ty as u32), &t).is_some())
        });
        if !all_there {
            continue;
        }
        state.get_mut().set_int(0, Value::Int(pos));
        let obj = vm.new_table();
        let k = vm.intern(b"entity");
        obj.get_mut().set_str(k, Value::Int(bits));
        if let Value::Table(em) = state.get_int(-1) {
            vm.set_type_metatable(&Value::Table(obj), Some(em));
        }
        vm.reserve_stack(args.base, ntypes + 2)?;
        let base = args.base;
        vm.stack_mut()[base] = Value::Table(obj);
        for k in 0..ntypes {
            let Value::Int(ty) = state.get_int(-3 - k as i64) else {
                continue;
            };
            let r = new_ref(vm, world, Ref::root(e, ty as u32), meta);
            vm.stack_mut()[base + 1 + k] = r;
        }
        return Ok(ntypes + 1);
    }
}

/// Installs `world.*`, the entity methods and the reference metatable. `vec3_meta` is the
/// prelude's vector metatable: references to glam vectors do arithmetic like `vec3` values.
pub fn install(
    vm: &mut Vm,
    entity_methods: Gc<Table>,
    entity_meta: Gc<Table>,
    vec3_meta: Gc<Table>,
) {
    let meta = vm.new_table();
    vm.set_field(meta, "__index", Value::Native(ref_index));
    vm.set_field(meta, "__newindex", Value::Native(ref_newindex));
    vm.set_field(meta, "__len", Value::Native(ref_len));
    vm.set_field(meta, "__tostring", Value::Native(ref_tostring));
    vm.set_field(meta, "__eq", Value::Native(ref_eq));
    vm.set_field(meta, "__pairs", Value::Native(ref_pairs));
    let name = vm.str_value("reference");
    vm.set_field(meta, "__name", name);
    for op in ["__add", "__sub", "__mul", "__div", "__unm"] {
        let k = vm.intern(op.as_bytes());
        let f = vec3_meta.get_str(k);
        vm.set_field(meta, op, f);
    }
    vm.set_field(meta, "__methods", Value::Table(vec3_meta));
    // `new_ref`'s cache, its size and the size that triggers its next sweep.
    let ref_cache = vm.new_table();
    let _ = vm.raw_set_checked(meta, Value::Int(1), Value::Table(ref_cache));
    let _ = vm.raw_set_checked(meta, Value::Int(2), Value::Int(0));
    let _ = vm.raw_set_checked(meta, Value::Int(3), Value::Int(MIN_REF_SWEEP));
    vm.root(Value::Table(meta));
    let with_meta = |vm: &mut Vm, f| vm.new_native_closure(f, &[Value::Table(meta)]);
    let entity_key = vm.str_value("entity");
    let get = vm.new_native_closure(entity_get, &[Value::Table(meta), entity_key]);
    vm.set_field(entity_methods, "get", get);
    vm.set_field(entity_methods, "has", Value::Native(entity_has));
    vm.set_field(entity_methods, "insert", Value::Native(entity_insert));
    vm.set_field(entity_methods, "remove", Value::Native(entity_remove));
    let world = vm.new_table();
    let resource = with_meta(vm, world_resource);
    vm.set_field(world, "resource", resource);
    let query = vm.new_native_closure(
        world_query,
        &[Value::Table(meta), Value::Table(entity_meta)],
    );
    vm.set_field(world, "query", query);
    vm.set_global_value("world", Value::Table(world));
}
