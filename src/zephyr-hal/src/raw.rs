// SPDX-License-Identifier: Apache-2.0

//! Bindings generated in this build by `build.rs` (bindgen over `wrapper.h`): the I2C, SPI and
//! GPIO types and functions of the subsystems the application enables, and the
//! `ATOMVM_HAL_*` flag constants. Static inline functions are reached through C wrappers
//! (`<name>__atomvm_hal`) compiled into the image.

#![allow(non_upper_case_globals)]
#![allow(non_camel_case_types)]
#![allow(non_snake_case)]
#![allow(dead_code)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(clippy::all)]
#![allow(clippy::undocumented_unsafe_blocks)]
#![allow(rustdoc::all)]
#![allow(unsafe_op_in_unsafe_fn)]
#![allow(unknown_lints)]
#![allow(unnecessary_transmutes)]
// Kernel structs reached through pointers (k_mem_slab's k_spinlock) can be empty in some
// configurations; only their addresses cross.
#![allow(improper_ctypes)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
