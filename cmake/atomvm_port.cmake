# SPDX-License-Identifier: Apache-2.0
#
# atomvm_port(): a port declares itself in its own folder's CMakeLists.txt (src/ports/<name>/).
#
#   atomvm_port(NAME <name>                 # the port's name, as Erlang opens it
#               KCONFIG <CONFIG_...>        # the option that enables it
#               CRATE <package>             # its Rust crate (the folder's Cargo.toml)
#               ERLANG <file.erl>...        # its Erlang module(s)
#               [SOURCES <file.c>...])      # C, only for devicetree tables and Zephyr macros
#
# When the option is on, the C sources are compiled into the image, the crate is registered
# for the generated `atomvm-ports` crate (cmake/rust_toolchain.cmake), which hands its DRIVER to
# the VM, and the Erlang modules are packed by atomvm_app() into the application's .avm.
# When it is off, nothing of the port reaches the build.

include_guard(GLOBAL)

function(atomvm_port)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "NAME;KCONFIG;CRATE" "ERLANG;SOURCES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "atomvm_port: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required NAME KCONFIG CRATE)
    if("${ARG_${required}}" STREQUAL "")
      message(FATAL_ERROR "atomvm_port: ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_KCONFIG MATCHES "^CONFIG_")
    message(FATAL_ERROR "atomvm_port(${ARG_NAME}): KCONFIG names a CONFIG_ option, got ${ARG_KCONFIG}")
  endif()
  if(NOT ${ARG_KCONFIG})
    return()
  endif()

  set(toml ${CMAKE_CURRENT_SOURCE_DIR}/Cargo.toml)
  if(NOT EXISTS ${toml})
    message(FATAL_ERROR "atomvm_port(${ARG_NAME}): no Cargo.toml in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  atomvm_ports_cargo_package(${toml} crate version lib)
  if(NOT crate STREQUAL ARG_CRATE)
    message(FATAL_ERROR "atomvm_port(${ARG_NAME}): CRATE ${ARG_CRATE}, but ${toml} names '${crate}'")
  endif()

  if(ARG_SOURCES)
    zephyr_library_named(atomvm_port_${ARG_NAME})
    zephyr_library_sources(${ARG_SOURCES})
  endif()

  set(erlang "")
  foreach(e IN LISTS ARG_ERLANG)
    cmake_path(ABSOLUTE_PATH e BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    if(NOT EXISTS ${e})
      message(FATAL_ERROR "atomvm_port(${ARG_NAME}): Erlang module not found: ${e}")
    endif()
    list(APPEND erlang ${e})
  endforeach()

  # Global properties: atomvm_app() and the crate generator run in other directory scopes.
  set_property(GLOBAL APPEND PROPERTY ATOMVM_PORTS_NAMES ${ARG_NAME})
  set_property(GLOBAL PROPERTY ATOMVM_PORT_${ARG_NAME}_CRATE ${crate})
  set_property(GLOBAL PROPERTY ATOMVM_PORT_${ARG_NAME}_VERSION ${version})
  set_property(GLOBAL PROPERTY ATOMVM_PORT_${ARG_NAME}_LIB ${lib})
  set_property(GLOBAL PROPERTY ATOMVM_PORT_${ARG_NAME}_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY ATOMVM_PORTS_ERLANG ${erlang})
endfunction()
