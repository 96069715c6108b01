# SPDX-License-Identifier: Apache-2.0
#
# Make zephyr-lang-rust builds work with the toolchains users really have: the Zephyr SDK,
# and a distribution's arm-none-eabi GCC with the distribution's libclang. Plain `west build`
# and `west twister` need no extra environment variables or flags.

# --- the board's Rust target ------------------------------------------------------------------
# Without it, cargo stops deep in its output at "can't find crate for `core`". Name the target
# and the command that adds it before anything compiles. zephyr-lang-rust maps the board to
# the target (`_rust_map_target`, defined before us: module.yml depends on lang-rust); the
# sysroot is the one cargo will use, rust-toolchain files of the app included.
if(CONFIG_RUST AND COMMAND _rust_map_target)
  _rust_map_target()
  find_program(ATOMVM_PORTS_RUSTC rustc HINTS $ENV{HOME}/.cargo/bin)
  if(ATOMVM_PORTS_RUSTC AND RUST_TARGET)
    execute_process(COMMAND ${ATOMVM_PORTS_RUSTC} --print sysroot
      WORKING_DIRECTORY ${APPLICATION_SOURCE_DIR}
      OUTPUT_VARIABLE sysroot OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(sysroot AND NOT EXISTS "${sysroot}/lib/rustlib/${RUST_TARGET}/lib")
      message(FATAL_ERROR "atomvm_ports: ${BOARD} needs Rust's ${RUST_TARGET} target, which "
        "the Rust toolchain in ${sysroot} does not have. Add it with:\n"
        "  rustup target add ${RUST_TARGET}\n")
    endif()
  endif()
endif()

# --- bindgen's clang headers --------------------------------------------------------------
# zephyr-sys runs bindgen (libclang) over Zephyr's headers with the GCC include directory on
# its -I path. Two things go wrong with a distribution's libclang:
#  * GCC's <arm_acle.h> uses GCC builtins with non-constant arguments, which clang rejects;
#    clang must see its own <arm_acle.h> instead, and GCC's must be skipped by its guard.
#  * on x86_64-unknown-none, libclang may not find its resource directory, so <stddef.h>
#    is "not found"; naming it explicitly fixes that.
# The arguments reach bindgen through BINDGEN_EXTRA_CLANG_ARGS_<target>, set in a cargo config
# file that is added to every cargo command zephyr-lang-rust issues.

set(ATOMVM_PORTS_CLANG_RESOURCE_DIR "" CACHE PATH
  "clang resource directory for bindgen (its include/ holds stddef.h, arm_acle.h)")

if(NOT ATOMVM_PORTS_CLANG_RESOURCE_DIR)
  find_program(ATOMVM_PORTS_CLANG NAMES clang clang-21 clang-20 clang-19 clang-18 clang-17
    clang-16 clang-15 clang-14)
  if(ATOMVM_PORTS_CLANG)
    execute_process(COMMAND ${ATOMVM_PORTS_CLANG} -print-resource-dir
      OUTPUT_VARIABLE resource_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  if(NOT resource_dir OR NOT EXISTS "${resource_dir}/include/stddef.h")
    # libclang without the clang driver (e.g. Debian's libclang-dev alone).
    file(GLOB candidates LIST_DIRECTORIES true
      /usr/lib/llvm-*/lib/clang/*
      /usr/lib64/llvm*/lib/clang/*
      /usr/lib/clang/*
      /usr/local/lib/clang/*)
    list(SORT candidates COMPARE NATURAL ORDER DESCENDING)
    foreach(dir IN LISTS candidates)
      if(EXISTS "${dir}/include/stddef.h")
        set(resource_dir ${dir})
        break()
      endif()
    endforeach()
  endif()
  if(resource_dir)
    set(ATOMVM_PORTS_CLANG_RESOURCE_DIR ${resource_dir} CACHE PATH "" FORCE)
  endif()
endif()

# A cache variable: the wrapper below runs in the application's scope, not this one.
set(ATOMVM_PORTS_CARGO_CONFIG ${CMAKE_BINARY_DIR}/atomvm_ports/cargo-toolchain.toml CACHE INTERNAL "")
set(bindgen_env "")
if(ATOMVM_PORTS_CLANG_RESOURCE_DIR)
  set(clang_include "${ATOMVM_PORTS_CLANG_RESOURCE_DIR}/include")
  set(common_args "-isystem ${clang_include}")
  set(arm_args "${common_args}")
  if(EXISTS "${clang_include}/arm_acle.h")
    set(arm_args "-include ${clang_include}/arm_acle.h -D_GCC_ARM_ACLE_H ${common_args}")
  endif()
  foreach(target thumbv6m_none_eabi thumbv7m_none_eabi thumbv7em_none_eabi
      thumbv7em_none_eabihf thumbv8m.base_none_eabi thumbv8m.main_none_eabi
      thumbv8m.main_none_eabihf)
    string(APPEND bindgen_env "\"BINDGEN_EXTRA_CLANG_ARGS_${target}\" = \"${arm_args}\"\n")
  endforeach()
  foreach(target x86_64_unknown_none aarch64_unknown_none riscv32_unknown_none_elf
      riscv64_unknown_none_elf)
    string(APPEND bindgen_env "\"BINDGEN_EXTRA_CLANG_ARGS_${target}\" = \"${common_args}\"\n")
  endforeach()
else()
  message(WARNING "atomvm_ports: no clang resource directory found; bindgen may fail. "
    "Set ATOMVM_PORTS_CLANG_RESOURCE_DIR to the output of `clang -print-resource-dir`.")
endif()

# --- generated C wrappers of static inline functions ---------------------------------------
# Our crates' build.rs run bindgen with wrap_static_fns: static inline functions get out-of-line
# C wrappers, written to a file that must be compiled into the image (as zephyr-lang-rust does
# with its WRAPPER_FILE). Each path reaches its build.rs through the cargo config below; the
# file is a byproduct of the application's cargo build and a source of `app`.
#  * zephyr-hal-adapters (CONFIG_ATOMVM_PORTS_HAL): Zephyr's I2C/SPI/GPIO API;
#  * atomvm-port (CONFIG_ATOMVM_PORTS_RUST): libAtomVM's term/heap/port API, bound with the
#    include directories and definitions libAtomVM is compiled with.
set(ATOMVM_PORTS_HAL_WRAPPER ${CMAKE_BINARY_DIR}/atomvm_ports/hal_wrapper.c CACHE INTERNAL "")
set(ATOMVM_PORTS_AVM_WRAPPER ${CMAKE_BINARY_DIR}/atomvm_ports/avm_wrapper.c CACHE INTERNAL "")
set(ATOMVM_PORTS_WRAPPERS "" CACHE INTERNAL "")
if(CONFIG_ATOMVM_PORTS_HAL)
  set(ATOMVM_PORTS_WRAPPERS ${ATOMVM_PORTS_WRAPPERS} ${ATOMVM_PORTS_HAL_WRAPPER} CACHE INTERNAL "")
endif()
if(CONFIG_ATOMVM_PORTS_RUST)
  set(ATOMVM_PORTS_WRAPPERS ${ATOMVM_PORTS_WRAPPERS} ${ATOMVM_PORTS_AVM_WRAPPER} CACHE INTERNAL "")
endif()
foreach(wrapper IN LISTS ATOMVM_PORTS_WRAPPERS)
  # An application that enables an option without using the crate still links: start from an
  # empty file, which build.rs replaces.
  if(NOT EXISTS ${wrapper})
    file(WRITE ${wrapper} "/* Replaced by a build.rs when the application uses the crate. */\n")
  endif()
endforeach()

# Called at the end of the module's CMakeLists.txt, once libAtomVM's target exists.
function(atomvm_ports_write_cargo_config)
  set(extra_env "")
  if(CONFIG_ATOMVM_PORTS_HAL)
    string(APPEND extra_env "ATOMVM_PORTS_HAL_WRAPPER = \"${ATOMVM_PORTS_HAL_WRAPPER}\"\n")
  endif()
  if(CONFIG_ATOMVM_PORTS_RUST)
    set(avm_includes ${ATOMVM_INCLUDE_DIRS} ${ATOMVM_PORTS_DIR}/src/atomvm-platform/include)
    string(JOIN ";" avm_includes ${avm_includes})
    string(APPEND extra_env
      "ATOMVM_PORT_WRAPPER = \"${ATOMVM_PORTS_AVM_WRAPPER}\"\n"
      "ATOMVM_PORT_INCLUDE_DIRS = \"${avm_includes}\"\n"
      "ATOMVM_PORT_DEFINES = \"$<JOIN:$<TARGET_PROPERTY:libAtomVM,INTERFACE_COMPILE_DEFINITIONS>,;>\"\n")
  endif()
  set_property(GLOBAL PROPERTY ATOMVM_PORTS_CARGO_ENV "${bindgen_env}${extra_env}")
  atomvm_ports_index_crates()
  if(CONFIG_ATOMVM_PORTS_RUST)
    atomvm_ports_generate_ports_crate()
  endif()
  # The rest waits for the end of the application's CMakeLists.txt, which may call
  # rust_cargo_application() at any point (or not at all).
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL atomvm_ports_finish_app)
endfunction()

# zephyr-lang-rust builds every cargo command through this function; wrap it to add our
# config file. The wrapped function reads `command_paths` from its caller's scope, so the
# extended list reaches it.
if(COMMAND add_cargo_target_with_zephyr_env AND NOT COMMAND atomvm_ports_cargo_wrapped)
  function(atomvm_ports_cargo_wrapped)
  endfunction()
  function(add_cargo_target_with_zephyr_env target)
    list(APPEND command_paths --config $CACHE{ATOMVM_PORTS_CARGO_CONFIG})
    set(args ${ARGN})
    set(wrappers $CACHE{ATOMVM_PORTS_WRAPPERS})
    if(wrappers AND target STREQUAL "librustapp")
      # The application's cargo build writes the wrappers: declare them as its byproducts
      # and compile them into `app`.
      list(FIND args BYPRODUCTS idx)
      if(idx EQUAL -1)
        list(APPEND args BYPRODUCTS ${wrappers})
      else()
        math(EXPR idx "${idx} + 1")
        list(INSERT args ${idx} ${wrappers})
      endif()
      target_sources(app PRIVATE ${wrappers})
    endif()
    _add_cargo_target_with_zephyr_env(${target} ${args})
  endfunction()
endif()

# --- linker ----------------------------------------------------------------------------------
# libgcc objects of distribution toolchains (e.g. pr-support.o) carry no .note.GNU-stack, and
# binutils >= 2.39 warns that this implies an executable stack. Twister links with warnings as
# errors, so Rust images (which pull those objects in) fail. A Zephyr image never has an
# executable stack: say so.
if(NOT CONFIG_ARCH_POSIX)
  zephyr_ld_options(-Wl,-z,noexecstack)
endif()
