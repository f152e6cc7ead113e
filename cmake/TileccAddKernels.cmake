# tilecc_add_kernels(<target> SOURCES <a.tile.cpp>... [ARCH <arch>...] [CONFIG <json or file>]
#                    [STANDALONE] [LINE_DIRECTIVES <ON|OFF>] [ARGS <translate args>...])
#
# Translates each tile kernel source to CUDA C++ at build time and adds the .cu files to
# <target>. `tilecc translate --depfile` lists the source and every file Clang opened for it,
# so the build translates again when the source or anything it includes changes (Ninja and
# Makefile generators). Each source is translated with the source folder as the working folder,
# so the generated file's header names it relative to that folder, as written here.
#
#   ARCH             sm_80 (default), sm_90a, or both (ARCH sm_80 sm_90a): one translation
#                    (`--arch sm_80,sm_90a`) holding each arch's kernels, whose launchers pick
#                    the arch of the device they run on. The target's CUDA_ARCHITECTURES is set
#                    to the same list (80;90a), since the generated code uses each arch's
#                    instructions and a launcher runs only kernels the binary holds.
#   CONFIG           a config as JSON text or a .json file (relative to the source folder)
#   STANDALONE       headers inlined (`--standalone`): the .cu needs no tilecc include folders
#   LINE_DIRECTIVES  ON (default): `--line-directives`, so nvcc's errors, compute-sanitizer and
#                    Nsight Compute (with -lineinfo) name the .tile.cpp's lines
#   ARGS             further `tilecc translate` arguments (e.g. -I inc -D N=4, or -- <clang flags>)
#
# Without STANDALONE, <target> links tilecc::device for the language header and the templates.
# Generated files build with nvcc's default standard (C++17) and later ones.
function(tilecc_add_kernels target)
  cmake_parse_arguments(arg "STANDALONE" "CONFIG;LINE_DIRECTIVES" "SOURCES;ARCH;ARGS" ${ARGN})
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tilecc_add_kernels: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "tilecc_add_kernels(${target}): no SOURCES")
  endif()
  if(NOT arg_ARCH)
    set(arg_ARCH sm_80)
  endif()
  set(cuda_arch "")
  foreach(arch IN LISTS arg_ARCH)
    if(NOT arch MATCHES "^sm_([0-9]+a?)$")
      message(FATAL_ERROR "tilecc_add_kernels(${target}): ARCH must look like sm_80 or sm_90a, got '${arch}'")
    endif()
    list(APPEND cuda_arch "${CMAKE_MATCH_1}")
  endforeach()
  list(JOIN arg_ARCH "," arch_list)

  set(options --arch "${arch_list}")
  set(extra_depends "")
  if(DEFINED arg_CONFIG)
    string(SUBSTRING "${arg_CONFIG}" 0 1 first)
    if(first STREQUAL "{")
      list(APPEND options --config "${arg_CONFIG}")
    else()
      get_filename_component(config_file "${arg_CONFIG}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      list(APPEND options --config "${config_file}")
      list(APPEND extra_depends "${config_file}")
    endif()
  endif()
  if(arg_STANDALONE)
    list(APPEND options --standalone)
  endif()
  if(NOT DEFINED arg_LINE_DIRECTIVES OR arg_LINE_DIRECTIVES)
    list(APPEND options --line-directives)
  endif()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/tilecc/${target}")
  file(MAKE_DIRECTORY "${out_dir}")
  foreach(source IN LISTS arg_SOURCES)
    get_filename_component(abs "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(RELATIVE_PATH rel "${CMAKE_CURRENT_SOURCE_DIR}" "${abs}")
    get_filename_component(name "${abs}" NAME)
    string(REGEX REPLACE "\\.tile\\.cpp$|\\.cpp$" "" name "${name}")
    set(out "${out_dir}/${name}.cu")
    add_custom_command(
      OUTPUT "${out}"
      COMMAND tilecc::tilecc translate "${rel}" ${options} -o "${out}" --depfile "${out}.d" ${arg_ARGS}
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
      DEPENDS "${abs}" tilecc::tilecc ${extra_depends}
      DEPFILE "${out}.d"
      COMMENT "tilecc: translating ${rel} for ${arch_list}"
      VERBATIM)
    target_sources(${target} PRIVATE "${out}")
    # The generated file keeps the source's own #include "..." lines; they are found where the
    # source is, as they were when Clang read it.
    get_filename_component(source_dir "${abs}" DIRECTORY)
    target_include_directories(${target} PRIVATE "${source_dir}")
  endforeach()

  if(NOT arg_STANDALONE)
    target_link_libraries(${target} PRIVATE tilecc::device)
  endif()
  set_property(TARGET ${target} PROPERTY CUDA_ARCHITECTURES "${cuda_arch}")
endfunction()
