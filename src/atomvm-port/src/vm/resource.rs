// SPDX-License-Identifier: Apache-2.0

//! Typed resources: Rust values that Erlang holds as opaque references, freed (their `Drop`
//! run) when the garbage collector and every Rust handle are done with them.

use core::ffi::{c_void, CStr};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use super::backend::VmTerm;
use super::port::Open;
use super::send::Pid;
use super::sys;
use crate::encode::{Encode, Sink};
use crate::error::Error;

/// A resource type for values of `T`, declared as a `static` and registered in
/// [`Port::init`](super::Port::init):
///
/// ```ignore
/// static CONFIG: ResourceType<Config> = ResourceType::new(c"display_config");
/// ```
pub struct ResourceType<T> {
    name: &'static CStr,
    down: Option<fn(&T, Pid)>,
    ptr: AtomicPtr<sys::ErlNifResourceType>,
    created: AtomicUsize,
    destroyed: AtomicUsize,
    _t: PhantomData<fn(T) -> T>,
}

impl<T> ResourceType<T> {
    /// An unregistered type named `name`.
    pub const fn new(name: &'static CStr) -> Self {
        Self {
            name,
            down: None,
            ptr: AtomicPtr::new(ptr::null_mut()),
            created: AtomicUsize::new(0),
            destroyed: AtomicUsize::new(0),
            _t: PhantomData,
        }
    }

    /// An unregistered type named `name` whose resources can monitor processes: when a
    /// monitored process exits, `down` runs with the resource's value and the process.
    ///
    /// `down` runs on the VM thread, possibly inside the VM's own locks: it must not call
    /// into the VM or take locks that VM code may hold; record the pid (lock-free) and act
    /// later, as [`stream::Stream`](super::stream::Stream) does.
    pub const fn with_down(name: &'static CStr, down: fn(&T, Pid)) -> Self {
        let mut t = Self::new(name);
        t.down = Some(down);
        t
    }

    /// Registers the type with the running VM (once per VM start, from `Port::init`).
    pub fn register(&'static self, cx: &mut Open) -> Result<(), Error> {
        let init = sys::ErlNifResourceTypeInit {
            members: if self.down.is_some() { 3 } else { 1 },
            dtor: Some(dtor::<T>),
            stop: None,
            down: self.down.map(|_| down::<T> as DownFn),
        };
        // SAFETY: on the VM thread with the running global context; AtomVM copies the name.
        let t = unsafe {
            let mut env: sys::ErlNifEnv = core::mem::zeroed();
            sys::erl_nif_env_partial_init_from_globalcontext(&mut env, cx.global());
            sys::enif_init_resource_type(
                &mut env,
                self.name.as_ptr(),
                &init,
                sys::ERL_NIF_RT_CREATE,
                ptr::null_mut(),
            )
        };
        if t.is_null() {
            return Err(Error::NO_MEMORY);
        }
        self.ptr.store(t, Ordering::Relaxed);
        Ok(())
    }

    fn raw(&self) -> Result<*mut sys::ErlNifResourceType, Error> {
        let t = self.ptr.load(Ordering::Relaxed);
        if t.is_null() {
            Err(Error::NOT_SUPPORTED)
        } else {
            Ok(t)
        }
    }

    /// A new resource holding `value`, with one reference owned by the returned handle.
    pub fn create(&'static self, value: T) -> Result<Resource<T>, Error> {
        let t = self.raw()?;
        // Resource data is only word-aligned: over-allocate and align inside.
        let size = core::mem::size_of::<Slot<T>>() + core::mem::align_of::<Slot<T>>() - 1;
        // SAFETY: a registered type; the allocation is checked and `value` is written into
        // its aligned slot, which fits by construction.
        unsafe {
            let obj = sys::enif_alloc_resource(t, size as u32);
            let obj = NonNull::new(obj).ok_or(Error::NO_MEMORY)?;
            slot::<T>(obj.as_ptr()).write(Slot { owner: self, value });
            self.created.fetch_add(1, Ordering::Relaxed);
            Ok(Resource {
                obj,
                _t: PhantomData,
            })
        }
    }

    /// The resource a term refers to, if it is one of this type (`badarg` otherwise); the
    /// handle holds its own reference.
    pub fn get(&self, term: VmTerm<'_>) -> Result<Resource<T>, Error> {
        let t = self.raw()?;
        let mut obj: *mut c_void = ptr::null_mut();
        // SAFETY: enif_get_resource checks the term's kind and type; the env is unused.
        let ok = unsafe { sys::enif_get_resource(ptr::null_mut(), term.raw(), t, &mut obj) };
        let obj = NonNull::new(obj).filter(|_| ok != 0).ok_or(Error::BADARG)?;
        // SAFETY: a live resource of this type (the term keeps it alive now).
        unsafe { sys::enif_keep_resource(obj.as_ptr()) };
        Ok(Resource {
            obj,
            _t: PhantomData,
        })
    }

    /// Values created and destroyed (destructor run) since boot.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.created.load(Ordering::Relaxed),
            self.destroyed.load(Ordering::Relaxed),
        )
    }
}

/// The aligned [`Slot`] inside resource data `obj`.
fn slot<T>(obj: *mut c_void) -> *mut Slot<T> {
    let addr = obj as usize;
    let align = core::mem::align_of::<Slot<T>>();
    let pad = (align - addr % align) % align;
    obj.cast::<u8>().wrapping_add(pad).cast::<Slot<T>>()
}

unsafe extern "C" fn dtor<T>(_env: *mut sys::ErlNifEnv, obj: *mut c_void) {
    // SAFETY: AtomVM calls this once, when the last reference is gone, for data written by
    // `create` (the only way to make a resource of this type); the owner is a static.
    unsafe {
        let slot = slot::<T>(obj);
        let owner = (*slot).owner;
        ptr::drop_in_place(slot);
        (*owner).destroyed.fetch_add(1, Ordering::Relaxed);
    }
}

type DownFn = unsafe extern "C" fn(
    *mut sys::ErlNifEnv,
    *mut c_void,
    *mut sys::ErlNifPid,
    *mut sys::ErlNifMonitor,
);

unsafe extern "C" fn down<T>(
    _env: *mut sys::ErlNifEnv,
    obj: *mut c_void,
    pid: *mut sys::ErlNifPid,
    _mon: *mut sys::ErlNifMonitor,
) {
    // SAFETY: AtomVM calls this for a live resource of a type registered by `register`
    // (whose data `create` wrote) with the monitored pid; the owner is a static.
    unsafe {
        let Some(&pid) = pid.as_ref() else {
            return;
        };
        let slot = slot::<T>(obj);
        if let Some(f) = (*(*slot).owner).down {
            f(&(*slot).value, Pid::from_local_id(pid));
        }
    }
}

/// What a resource's data holds: its (static) type, for the destructor's count, and the value.
struct Slot<T> {
    owner: *const ResourceType<T>,
    value: T,
}

/// An owned reference to a resource of `T`. Cloning takes another reference; dropping
/// releases it. Encoding it makes a term that Erlang can hold (the garbage collector then
/// owns one more reference).
pub struct Resource<T> {
    obj: NonNull<c_void>,
    _t: PhantomData<T>,
}

impl<T> Resource<T> {
    /// The resource object (for monitor calls).
    pub(crate) fn as_ptr(&self) -> *mut c_void {
        self.obj.as_ptr()
    }

    fn get(&self) -> &T {
        // SAFETY: the handle's reference keeps the value alive; it is only read shared.
        unsafe { &(*slot::<T>(self.obj.as_ptr())).value }
    }
}

impl<T> core::ops::Deref for Resource<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T> Clone for Resource<T> {
    fn clone(&self) -> Self {
        // SAFETY: a live resource; the new handle owns the extra reference.
        unsafe { sys::enif_keep_resource(self.obj.as_ptr()) };
        Self {
            obj: self.obj,
            _t: PhantomData,
        }
    }
}

impl<T> Drop for Resource<T> {
    fn drop(&mut self) {
        // SAFETY: releases the reference this handle owns.
        unsafe { sys::enif_release_resource(self.obj.as_ptr()) };
    }
}

impl<T> Encode for Resource<T> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        s.resource_words()
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.resource(self.obj.as_ptr())
    }
}
