//! The public Rust API of the VM: safe for any caller, whatever it does.
//!
//! Inside the crate a Lua value is a `Copy` enum of raw `Gc` pointers, valid only until the next
//! collection that does not see it; the interpreter needs exactly that to be fast. None of it is
//! public. What embedders get instead:
//!
//! - [`LuaValue`], whose strings are copied out and whose objects are *handles*
//!   ([`LuaTable`], [`LuaFunction`], [`LuaThread`], [`LuaUserData`]). A handle roots its object
//!   in the VM that made it for as long as any clone of it lives, so it cannot dangle; it holds
//!   no pointer, only a checked key, so using it with another VM (or after its VM is gone) is
//!   an [`Error`] of kind [`ErrorKind::WrongVm`], never a read of freed memory. No public
//!   function hands out a reference into a Lua object, so two `&mut` to one table cannot exist.
//! - Typed conversions, [`FromLua`] and [`IntoLua`] (numbers, strings, booleans, `Option`,
//!   `Vec` and maps as tables, handles), and [`FromLuaMulti`]/[`IntoLuaMulti`] for argument and
//!   result lists (tuples).
//! - Calls through `&mut Vm` (`Vm::load`, `Vm::call`, `Vm::exec`, `Vm::resume`, globals and
//!   tables), each returning [`Result`].
//!
//! Converting a number or boolean allocates nothing, so a warm `vm.call::<i64>(&f, (1, 2))`
//! allocates nothing on the Rust heap; a handle costs one small allocation when it is made.
//!
//! A handle kept across collections still works:
//!
//! ```
//! use moonpool::vm::Vm;
//! let mut vm = Vm::with_stdlib();
//! let t = vm.create_table();
//! t.set(&mut vm, "hp", 10).unwrap();
//! vm.exec::<()>("for i = 1, 1e5 do local garbage = {} end", "=churn").unwrap();
//! vm.collect_garbage();
//! assert_eq!(t.get::<_, i64>(&mut vm, "hp").unwrap(), 10);
//! ```
//!
//! What the old API allowed does not compile. Keeping a raw table past a collection, then
//! writing through it (the raw constructor and `get_mut` are crate-private):
//!
//! ```compile_fail,E0624
//! let mut vm = moonpool::vm::Vm::with_stdlib();
//! let t = vm.new_table();
//! vm.collect_garbage();
//! t.get_mut().set_int(1, moonpool::vm::Value::Nil);
//! ```
//!
//! Naming the raw value type, or the token that unlocks the raw fast paths:
//!
//! ```compile_fail,E0432
//! use moonpool::vm::Value;
//! ```
//!
//! ```compile_fail,E0603
//! let token = moonpool::vm::api::Sealed(());
//! ```
//!
//! Sending a handle to another thread (its drop would race with the VM's root bookkeeping):
//!
//! ```compile_fail,E0277
//! let mut vm = moonpool::vm::Vm::with_stdlib();
//! let t = vm.create_table();
//! std::thread::spawn(move || drop(t));
//! ```

mod convert;
mod error;
mod value;
mod vm;

pub use convert::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, MultiValue};
pub use error::{Error, ErrorKind, Result};
pub use value::{LuaFunction, LuaString, LuaTable, LuaThread, LuaUserData, LuaValue};
pub use vm::Resume;

/// Proof that a caller is inside the crate: the hidden fast-path methods of the conversion
/// traits take raw values, so only crate code may call them (outside code cannot build this).
pub struct Sealed(pub(crate) ());
