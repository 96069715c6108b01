# SPDX-License-Identifier: Apache-2.0
#
# atomvm_app(): build Erlang sources and AtomVM's libraries into one .avm and embed it.
#
#   atomvm_app(NAME <name>
#              SOURCES <file>...         # .erl, .S (BEAM assembly), .beam, .avm, in any mix
#              [START <module>]          # default: the first .erl/.S/.beam source's module
#              [LIBS <lib>...]           # AtomVM libraries, e.g. estdlib eavmlib
#              [ERLC_FLAGS <flag>...]    # extra erlc flags for the .erl and .S sources
#              [DEPENDS <file>...]       # extra inputs, e.g. .hrl headers
#              [NO_EMBED])               # only build <name>.avm, no Zephyr target needed
#
# .erl and .S files are compiled with erlc (a .S as AtomVM's tests compile theirs: erlc on the
# file; erlc wants a file named after its module either way). .beam files are packed as they
# are (stripped, as any module). The entries of .avm archives (PackBEAM's or ours, library or
# not) are merged into the app's archive in place, as PackBEAM merges them; their start flags
# give way to START. A source may be the OUTPUT of an add_custom_command() of the same
# directory (a .beam or .avm built by the build itself). Two sources holding different modules
# of one name fail the build (AtomVM would load only the first one).
#
# The Erlang modules of the ports enabled in Kconfig (src/ports/<name>/<name>.erl, declared with
# atomvm_port()) are added after SOURCES, then the LIBS; both yield to any module of the same
# name among SOURCES.
#
# Produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.avm (target <name>_avm, path in <name>_AVM).
# Unless NO_EMBED, the archive is linked into Zephyr's `app` as
#   const uint8_t atomvm_app_avm[] (4-byte aligned) and const size_t atomvm_app_avm_len,
# so call it after find_package(Zephyr), once per image.
#
# Packing uses `packbeam` when found on PATH (and ATOMVM_APP_USE_PACKBEAM is ON), else
# scripts/avm_pack.py. Libraries are compiled from AtomVM's tree (libs/<lib>/src, module
# list read from its CMakeLists.txt), once per build directory, into atomvm_libs/<lib>.avm.

include_guard(GLOBAL)

option(ATOMVM_APP_USE_PACKBEAM "Pack with packbeam when it is on PATH" ON)
set(ATOMVM_SOURCE_DIR "" CACHE PATH
  "AtomVM source tree for atomvm_app() libraries (default: the west workspace's copy)")

set(_ATOMVM_APP_PACKER ${CMAKE_CURRENT_LIST_DIR}/../scripts/avm_pack.py)
cmake_path(NORMAL_PATH _ATOMVM_APP_PACKER)

# The AtomVM tree: an explicit ATOMVM_SOURCE_DIR wins; then a Zephyr module named AtomVM;
# then where this repository's west.yml puts it (modules/lib/atomvm next to zephyr/).
function(_atomvm_app_source_dir out)
  if(ATOMVM_SOURCE_DIR)
    set(dir ${ATOMVM_SOURCE_DIR})
  elseif(ZEPHYR_ATOMVM_MODULE_DIR)
    set(dir ${ZEPHYR_ATOMVM_MODULE_DIR})
  elseif(ZEPHYR_BASE AND EXISTS ${ZEPHYR_BASE}/../modules/lib/atomvm/libs)
    cmake_path(SET dir NORMALIZE ${ZEPHYR_BASE}/../modules/lib/atomvm)
  endif()
  if(NOT dir OR NOT EXISTS ${dir}/libs)
    message(FATAL_ERROR "atomvm_app: AtomVM sources not found (tried '${dir}'); "
      "set -DATOMVM_SOURCE_DIR=<AtomVM checkout> or run `west update`")
  endif()
  set(${out} ${dir} PARENT_SCOPE)
endfunction()

function(_atomvm_app_python out)
  if(PYTHON_EXECUTABLE)  # Zephyr's
    set(${out} ${PYTHON_EXECUTABLE} PARENT_SCOPE)
  else()
    find_package(Python3 3.10 REQUIRED COMPONENTS Interpreter)
    set(${out} ${Python3_EXECUTABLE} PARENT_SCOPE)
  endif()
endfunction()

# The command that packs: `<cmd> create [--start M] OUT IN...` for both packers.
function(_atomvm_app_packer out_cmd out_deps out_is_ours)
  find_program(ATOMVM_PACKBEAM packbeam)
  if(ATOMVM_APP_USE_PACKBEAM AND ATOMVM_PACKBEAM)
    set(${out_cmd} ${ATOMVM_PACKBEAM} create PARENT_SCOPE)
    set(${out_deps} "" PARENT_SCOPE)
    set(${out_is_ours} FALSE PARENT_SCOPE)
    return()
  endif()
  _atomvm_app_python(python)
  set(${out_cmd} ${python} ${_ATOMVM_APP_PACKER} create PARENT_SCOPE)
  set(${out_deps} ${_ATOMVM_APP_PACKER} PARENT_SCOPE)
  set(${out_is_ours} TRUE PARENT_SCOPE)
endfunction()

# Compile libs/<lib>/src once per build directory and pack it into atomvm_libs/<lib>.avm,
# with the flags AtomVM's own pack_archive() uses (CMakeModules/BuildErlang.cmake), minus
# +debug_info whose chunk the packers strip anyway.
function(_atomvm_app_lib lib out_avm)
  set(avm ${CMAKE_BINARY_DIR}/atomvm_libs/${lib}.avm)
  set(${out_avm} ${avm} PARENT_SCOPE)
  if(TARGET atomvm_lib_${lib})
    return()
  endif()
  _atomvm_app_source_dir(atomvm)
  set(src ${atomvm}/libs/${lib}/src)
  if(NOT EXISTS ${src}/CMakeLists.txt)
    message(FATAL_ERROR "atomvm_app: no AtomVM library '${lib}' (${src}/CMakeLists.txt missing)")
  endif()
  file(READ ${src}/CMakeLists.txt lists)
  if(lists MATCHES "DEPENDS_ON")
    message(FATAL_ERROR "atomvm_app: library '${lib}' depends on other libraries; not supported")
  endif()
  if(NOT lists MATCHES "set\\(ERLANG_MODULES([^)]*)\\)")
    message(FATAL_ERROR "atomvm_app: no ERLANG_MODULES list in ${src}/CMakeLists.txt")
  endif()
  string(REGEX REPLACE "#[^\n]*" "" modules "${CMAKE_MATCH_1}")
  string(REGEX REPLACE "[ \t\r\n]+" ";" modules "${modules}")
  list(REMOVE_ITEM modules "")
  list(LENGTH modules count)

  set(dir ${CMAKE_BINARY_DIR}/atomvm_libs/${lib})
  set(sources "")
  set(beams "")
  foreach(m IN LISTS modules)
    list(APPEND sources ${src}/${m}.erl)
    list(APPEND beams ${dir}/${m}.beam)
  endforeach()
  # One erlc run for the whole library: erl starts once instead of once per module.
  add_custom_command(
    OUTPUT ${beams}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${ERLC_EXECUTABLE} -o ${dir} -I ${atomvm}/libs/include -I ${atomvm}/libs
            -I ${atomvm}/libs/${lib}/include ${sources}
    DEPENDS ${sources}
    COMMENT "Compiling AtomVM library ${lib} (${count} modules)"
    VERBATIM)
  _atomvm_app_packer(pack pack_deps ours)
  set(lib_flag "")
  if(ours)
    set(lib_flag --lib)  # not for packbeam: < 0.8 lacks --lib, and the app's --start suffices
  endif()
  add_custom_command(
    OUTPUT ${avm}
    COMMAND ${pack} ${lib_flag} ${avm} ${beams}
    DEPENDS ${beams} ${pack_deps}
    COMMENT "Packing AtomVM library ${lib}.avm"
    VERBATIM)
  add_custom_target(atomvm_lib_${lib} DEPENDS ${avm})
endfunction()

function(atomvm_app)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "NO_EMBED" "NAME;START" "SOURCES;LIBS;ERLC_FLAGS;DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "atomvm_app: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "atomvm_app: NAME must be an identifier, got '${ARG_NAME}'")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "atomvm_app(${ARG_NAME}): SOURCES is empty")
  endif()
  find_program(ERLC_EXECUTABLE erlc)
  if(NOT ERLC_EXECUTABLE)
    message(FATAL_ERROR "atomvm_app(${ARG_NAME}): erlc not found. Install Erlang/OTP "
      "(Debian/Ubuntu: apt install erlang-base) or set -DERLC_EXECUTABLE=<path to erlc>")
  endif()

  # erlc names each .beam after its source file (and rejects a -module that differs).
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/atomvm_app/${ARG_NAME})
  set(sources "")     # .erl and .S, compiled here
  set(beams "")       # what they compile to
  set(inputs "")      # the app's archive entries, in SOURCES order: .beam paths and .avm paths
  set(modules "")     # module names known at configure time (file stems of .erl/.S/.beam)
  foreach(s IN LISTS ARG_SOURCES)
    cmake_path(ABSOLUTE_PATH s BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE)
    get_source_file_property(generated ${s} GENERATED)
    if(NOT EXISTS ${s} AND NOT generated)
      message(FATAL_ERROR "atomvm_app(${ARG_NAME}): source not found: ${s} (neither a file nor "
        "an OUTPUT of add_custom_command() in this directory)")
    endif()
    if(NOT s MATCHES "\\.(erl|S|beam|avm)$")
      message(FATAL_ERROR "atomvm_app(${ARG_NAME}): SOURCES takes .erl, .S, .beam and .avm "
        "files, got ${s}")
    endif()
    if(s MATCHES "\\.avm$")
      list(APPEND inputs ${s})
      continue()
    endif()
    cmake_path(GET s STEM LAST_ONLY m)
    if(m IN_LIST modules)
      message(FATAL_ERROR "atomvm_app(${ARG_NAME}): two sources define module '${m}'")
    endif()
    list(APPEND modules ${m})
    if(s MATCHES "\\.beam$")
      list(APPEND inputs ${s})
    else()
      list(APPEND sources ${s})
      list(APPEND beams ${dir}/${m}.beam)
      list(APPEND inputs ${dir}/${m}.beam)
    endif()
  endforeach()
  if(NOT ARG_START)
    if(NOT modules)
      message(FATAL_ERROR "atomvm_app(${ARG_NAME}): SOURCES holds only .avm archives: "
        "name the module to start with START <module>")
    endif()
    list(GET modules 0 ARG_START)
  endif()
  # The Erlang modules of the ports enabled in Kconfig (atomvm_port()), unless the app brings
  # its own module of that name (an .avm's modules are known at build time only: the packer
  # lets them win over these).
  get_property(port_sources GLOBAL PROPERTY ATOMVM_PORTS_ERLANG)
  set(port_beams "")
  foreach(s IN LISTS port_sources)
    cmake_path(GET s STEM LAST_ONLY m)
    if(NOT m IN_LIST modules)
      list(APPEND sources ${s})
      list(APPEND beams ${dir}/${m}.beam)
      list(APPEND port_beams ${dir}/${m}.beam)
    endif()
  endforeach()

  set(include_flags "")
  if(ARG_LIBS)  # apps may include AtomVM's headers (libs/include) along with its libraries
    _atomvm_app_source_dir(atomvm)
    set(include_flags -I ${atomvm}/libs/include)
  endif()
  set(lib_avms "")
  set(lib_targets "")
  set(lib_paths "")
  foreach(lib IN LISTS ARG_LIBS)
    _atomvm_app_lib(${lib} lib_avm)
    list(APPEND lib_avms ${lib_avm})
    list(APPEND lib_targets atomvm_lib_${lib})
    # The libraries' modules at the end of erlc's path (-pz: its own OTP modules, such as
    # gen_server, must stay first): behaviours only they define (spi_hal, i2c_hal)
    # are then checked instead of warned about as undefined.
    list(APPEND lib_paths -pz ${CMAKE_BINARY_DIR}/atomvm_libs/${lib})
  endforeach()
  if(sources)
    # One erlc run for .erl and .S alike: erlc picks the compiler by the file's extension.
    add_custom_command(
      OUTPUT ${beams}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
      COMMAND ${ERLC_EXECUTABLE} ${ARG_ERLC_FLAGS} ${include_flags} ${lib_paths} -o ${dir}
              ${sources}
      DEPENDS ${sources} ${ARG_DEPENDS} ${lib_targets}
      COMMENT "Compiling Erlang sources of ${ARG_NAME}"
      VERBATIM)
  endif()

  # App modules first, in SOURCES order; then the ports' modules and the libraries, which
  # yield to an app module of the same name (AtomVM loads the first entry of a name).
  set(avm ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.avm)
  _atomvm_app_packer(pack pack_deps ours)
  set(fallbacks ${port_beams} ${lib_avms})
  if(ours)
    list(TRANSFORM fallbacks PREPEND "--fallback=")
    set(pack_commands COMMAND ${pack} --start ${ARG_START} ${avm} ${inputs} ${fallbacks})
  else()
    # PackBEAM packs all in order (the first of a name wins at run time) and does not check
    # for duplicates: our packer's `check` does, without writing.
    _atomvm_app_python(python)
    list(TRANSFORM fallbacks PREPEND "--fallback=" OUTPUT_VARIABLE check_fallbacks)
    set(pack_commands
      COMMAND ${python} ${_ATOMVM_APP_PACKER} check --start ${ARG_START} ${inputs}
              ${check_fallbacks}
      COMMAND ${pack} --start ${ARG_START} ${avm} ${inputs} ${fallbacks})
    list(APPEND pack_deps ${_ATOMVM_APP_PACKER})
  endif()
  add_custom_command(
    OUTPUT ${avm}
    ${pack_commands}
    DEPENDS ${inputs} ${beams} ${lib_avms} ${lib_targets} ${pack_deps} ${ARG_DEPENDS}
    COMMENT "Packing ${ARG_NAME}.avm (start module ${ARG_START})"
    VERBATIM)
  add_custom_target(${ARG_NAME}_avm ALL DEPENDS ${avm})
  set(${ARG_NAME}_AVM ${avm} PARENT_SCOPE)
  if(ours)
    message(STATUS "atomvm_app(${ARG_NAME}): packing with scripts/avm_pack.py")
  else()
    message(STATUS "atomvm_app(${ARG_NAME}): packing with ${ATOMVM_PACKBEAM}")
  endif()

  if(ARG_NO_EMBED)
    return()
  endif()
  if(NOT TARGET app OR NOT COMMAND generate_inc_file_for_target)
    message(FATAL_ERROR "atomvm_app(${ARG_NAME}): call it after find_package(Zephyr), "
      "or pass NO_EMBED to only build the .avm")
  endif()
  get_property(embedded GLOBAL PROPERTY ATOMVM_APP_EMBEDDED)
  if(embedded)
    message(FATAL_ERROR "atomvm_app(${ARG_NAME}): '${embedded}' is already embedded; "
      "an image holds one atomvm_app_avm (use NO_EMBED for the others)")
  endif()
  set_property(GLOBAL PROPERTY ATOMVM_APP_EMBEDDED ${ARG_NAME})

  # Zephyr's file2hex turns the archive into "0x.., 0x.., ..." included by a tiny C file.
  set(inc ${dir}/${ARG_NAME}.avm.inc)
  set(c_file ${dir}/atomvm_app_avm.c)
  generate_inc_file_for_target(app ${avm} ${inc})
  file(GENERATE OUTPUT ${c_file} CONTENT
"/* Generated by atomvm_app(NAME ${ARG_NAME}): the packed Erlang application. */
#include <stddef.h>
#include <stdint.h>

/* avmpack.c reads the archive as uint32_t words, hence the alignment. */
const uint8_t atomvm_app_avm[] __attribute__((aligned(4))) = {
#include \"${inc}\"
};
const size_t atomvm_app_avm_len = sizeof(atomvm_app_avm);
")
  set_source_files_properties(${c_file} PROPERTIES OBJECT_DEPENDS ${inc})
  target_sources(app PRIVATE ${c_file})
endfunction()
