// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to libAtomVM's headers, generated in the application's build.
//!
//! The environment is the one zephyr-lang-rust gives every cargo invocation (INCLUDE_DIRS,
//! INCLUDE_DEFINES: Zephyr's) plus, from our module's cargo config (cmake/rust_toolchain.cmake),
//! ATOMVM_PORT_INCLUDE_DIRS and ATOMVM_PORT_DEFINES (libAtomVM's own, so structs such as
//! `Context` have the layout libAtomVM was compiled with) and ATOMVM_PORT_WRAPPER (where the C
//! wrappers of static inline functions go; our CMake compiles that file into the image).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
    use zephyr_bindgen::{style, Env};

    /// The AtomVM functions we call; the static inline ones among them get wrappers.
    const FUNCTIONS: &[&str] = &[
        "term_is_atom",
        "term_to_atom_index",
        "term_from_atom_index",
        "term_is_any_integer",
        "term_is_integer",
        "term_is_int64",
        "term_maybe_unbox_int64",
        "term_boxed_integer_size",
        "term_make_maybe_boxed_int64",
        "term_is_binary",
        "term_binary_data",
        "term_binary_size",
        "term_binary_heap_size",
        "term_from_literal_binary",
        "term_is_tuple",
        "term_get_tuple_arity",
        "term_get_tuple_element",
        "term_alloc_tuple",
        "term_put_tuple_element",
        "term_is_nil",
        "term_nil",
        "term_is_nonempty_list",
        "term_get_list_head",
        "term_get_list_tail",
        "term_list_prepend",
        "term_is_map",
        "term_get_map_size",
        "term_get_map_key",
        "term_get_map_value",
        "term_is_pid",
        "term_is_local_pid",
        "term_to_local_process_id",
        "term_from_local_process_id",
        "term_port_from_local_process_id",
        "term_is_reference",
        "term_from_resource",
        "term_from_ref_ticks",
        "term_bigint_size_requirements",
        "term_create_uninitialized_bigint",
        "term_initialize_bigint",
        "globalcontext_get_ref_ticks",
        "atom_table_get_atom_string",
        "globalcontext_insert_atom_maybe_copy",
        "globalcontext_send_message",
        "globalcontext_send_message_from_task",
        "context_new",
        "context_destroy",
        "scheduler_terminate",
        "context_avail_free_memory",
        "memory_ensure_free_opt",
        "memory_init_heap",
        "memory_destroy_heap",
        "memory_destroy_heap_from_task",
        "memory_heap_youngest_size",
        "mailbox_first",
        "mailbox_remove_message",
        "mailbox_take_message",
        "mailbox_message_dispose",
        "mailbox_message_dispose_unsent",
        "mailbox_has_next",
        "erl_nif_env_from_context",
        "erl_nif_env_partial_init_from_globalcontext",
        "enif_init_resource_type",
        "enif_alloc_resource",
        "enif_get_resource",
        "enif_keep_resource",
        "enif_release_resource",
        "enif_monitor_process",
        "enif_demonitor_process",
        "atomvm_port_driver_register",
        "atomvm_zephyr_start",
        "atomvm_zephyr_join",
        "atomvm_zephyr_global",
    ];

    pub fn generate() {
        let env = Env::new("atomvm-port (feature vm)", "CONFIG_ATOMVM_PORTS_RUST=y");
        let header = env.manifest_path("wrapper.h");
        zephyr_bindgen::prologue();
        // Our platform's headers (libAtomVM's are pinned by the west manifest).
        for h in ["avm.h", "platform.h", "port_driver.h"] {
            env.manifest_path(&format!("../atomvm-platform/include/atomvm_zephyr/{h}"));
        }
        let wrapper_c = env.wrapper_file("ATOMVM_PORT_WRAPPER");
        // libAtomVM's include directories first, so its headers win over same-named ones.
        let mut builder = env
            .bare_builder()
            .header(header.to_str().expect("UTF-8 path"));
        builder = env.includes(builder, "ATOMVM_PORT_INCLUDE_DIRS");
        builder = env.includes(builder, "INCLUDE_DIRS");
        // HAVE_ATOMIC makes libAtomVM declare counters `_Atomic size_t` and, without SMP,
        // do plain arithmetic on them, which GCC accepts and clang rejects. The layout is
        // the same with or without `_Atomic` on every Zephyr target, so bindgen reads
        // the headers without it.
        builder = env.defines(builder, "INCLUDE_DEFINES", &["HAVE_ATOMIC"]);
        builder = env.defines(builder, "ATOMVM_PORT_DEFINES", &["HAVE_ATOMIC"]);
        for f in FUNCTIONS {
            builder = builder.allowlist_function(f);
        }
        let bindings = style(builder)
            .allowlist_type("Context|GlobalContext|Heap|Message|ErlNifEnv|ErlNifResourceTypeInit")
            .allowlist_type("atomvm_port_driver|atomvm_port_consts|NativeHandlerResult")
            .allowlist_type("MemoryGCResult|MemoryAllocMode|MessageType|ErlNifMonitor|ErlNifPid")
            .allowlist_var("K_TICKS_FOREVER")
            .allowlist_var("TERM_BOXED_RESOURCE_SIZE|CONS_SIZE|ERL_NIF_RT_CREATE")
            .wrap_static_fns(true)
            .wrap_static_fns_path(&wrapper_c)
            .wrap_static_fns_suffix("__atomvm_port")
            .generate()
            .expect("bindgen failed on libAtomVM's headers");
        env.write(bindings, "atomvm_bindings.rs");
    }
}
