# Third-party dependencies, each wrapped in one target named tilecc::<name>.
#
# A dependency's CMake package is used when the machine has one. Otherwise its headers are
# taken from ${TILECC_CARRY_DIR}/<name> (filled by scripts/carry-deps.sh): that is how a
# machine without the Debian packages (the GPU machine) builds everything but the frontend.
# Each dependency has its own folder there, so that adding one to the include path never
# shadows another copy of a different version found as a package (mixing CLI11 2.1 and 2.4
# headers in one binary crashed).

set(TILECC_CARRY_DIR "${PROJECT_SOURCE_DIR}/.carry" CACHE PATH
    "Header-only dependencies copied from a development machine (scripts/carry-deps.sh)")

# tilecc_header_dependency(<name> PACKAGE <pkg> [VERSION <version>] IMPORTED <target>
#                          HEADER <file> [DEFINES <defs>...])
# Defines tilecc::<name>, or stops with a message saying how to get the dependency.
function(tilecc_header_dependency name)
  cmake_parse_arguments(arg "" "PACKAGE;VERSION;IMPORTED;HEADER" "DEFINES" ${ARGN})
  string(TOUPPER "${name}" upper)
  find_package(${arg_PACKAGE} ${arg_VERSION} CONFIG QUIET)
  if(TARGET ${arg_IMPORTED})
    add_library(tilecc_dep_${name} INTERFACE)
    target_link_libraries(tilecc_dep_${name} INTERFACE ${arg_IMPORTED})
  else()
    find_path(TILECC_${upper}_INCLUDE_DIR "${arg_HEADER}" HINTS "${TILECC_CARRY_DIR}/${name}")
    if(NOT TILECC_${upper}_INCLUDE_DIR)
      message(FATAL_ERROR "tilecc: ${arg_PACKAGE} not found (no CMake package, no ${arg_HEADER} "
                          "under ${TILECC_CARRY_DIR}/${name}). Run scripts/setup.sh, or on a "
                          "machine without Debian packages copy the headers with scripts/carry-deps.sh.")
    endif()
    message(STATUS "tilecc: ${arg_PACKAGE} from ${TILECC_${upper}_INCLUDE_DIR}")
    add_library(tilecc_dep_${name} INTERFACE)
    target_include_directories(tilecc_dep_${name} SYSTEM INTERFACE "${TILECC_${upper}_INCLUDE_DIR}")
  endif()
  target_compile_definitions(tilecc_dep_${name} INTERFACE ${arg_DEFINES})
  add_library(tilecc::${name} ALIAS tilecc_dep_${name})
endfunction()

# fmt is used header-only so that no binary below the frontend needs libfmt at run time
# (binaries built here are run on the GPU machine, which has none).
tilecc_header_dependency(fmt PACKAGE fmt IMPORTED fmt::fmt-header-only HEADER fmt/format.h
                         DEFINES FMT_HEADER_ONLY=1)
tilecc_header_dependency(cli11 PACKAGE CLI11 IMPORTED CLI11::CLI11 HEADER CLI/CLI.hpp)
tilecc_header_dependency(json PACKAGE nlohmann_json IMPORTED nlohmann_json::nlohmann_json
                         HEADER nlohmann/json.hpp)

# --- Clang/LLVM 16 (frontend only) ------------------------------------------------------
if(TILECC_WITH_CLANG)
  # Ask for 16 explicitly: an unversioned search picks clang 14 when both are installed.
  find_package(Clang 16 CONFIG HINTS /usr/lib/llvm-16/lib/cmake/clang)
  if(NOT Clang_FOUND OR NOT LLVM_VERSION_MAJOR EQUAL 16)
    message(FATAL_ERROR "tilecc: Clang/LLVM 16 not found. Run scripts/setup.sh, point Clang_DIR "
                        "at <llvm-16>/lib/cmake/clang, or configure with -DTILECC_WITH_CLANG=OFF.")
  endif()

  # Clang's builtin headers (stddef.h, ...) are found through the resource directory, which
  # the frontend passes explicitly instead of guessing it from where its binary sits.
  find_program(TILECC_CLANG_EXECUTABLE NAMES clang clang-16 PATHS "${LLVM_TOOLS_BINARY_DIR}"
               NO_DEFAULT_PATH)
  find_program(TILECC_CLANG_EXECUTABLE NAMES clang-16)
  if(NOT TILECC_CLANG_EXECUTABLE)
    message(FATAL_ERROR "tilecc: the clang-16 executable is needed to find Clang's resource directory")
  endif()
  execute_process(COMMAND "${TILECC_CLANG_EXECUTABLE}" -print-resource-dir
                  OUTPUT_VARIABLE TILECC_CLANG_RESOURCE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${TILECC_CLANG_RESOURCE_DIR}/include/stddef.h")
    message(FATAL_ERROR "tilecc: '${TILECC_CLANG_EXECUTABLE} -print-resource-dir' gave "
                        "'${TILECC_CLANG_RESOURCE_DIR}', which holds no include/stddef.h")
  endif()
  message(STATUS "tilecc: Clang ${LLVM_PACKAGE_VERSION} from ${Clang_DIR}, resource dir "
                 "${TILECC_CLANG_RESOURCE_DIR}")

  # Debian's LLVM is a shared build: link libclang-cpp and libLLVM, never the static clang
  # libraries (mixing them gives "option registered more than once"). The imported targets
  # carry no include directories; add them as SYSTEM so -Wextra stays quiet on LLVM headers.
  separate_arguments(llvm_definitions NATIVE_COMMAND "${LLVM_DEFINITIONS}")
  add_library(tilecc_dep_clang INTERFACE)
  target_link_libraries(tilecc_dep_clang INTERFACE clang-cpp LLVM)
  target_include_directories(tilecc_dep_clang SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${CLANG_INCLUDE_DIRS})
  target_compile_definitions(tilecc_dep_clang INTERFACE ${llvm_definitions}
                             TILECC_CLANG_RESOURCE_DIR="${TILECC_CLANG_RESOURCE_DIR}")
  if(NOT LLVM_ENABLE_RTTI)
    target_compile_options(tilecc_dep_clang INTERFACE -fno-rtti)
  endif()
  add_library(tilecc::clang ALIAS tilecc_dep_clang)
endif()

# --- NVRTC (CUDA toolkit) -----------------------------------------------------------------
# The NVRTC library itself is linked, not CMake's CUDA::nvrtc, which drags in the libcuda
# stub: binaries would then need libcuda.so.1 and could not start on a machine without a
# driver. The driver is opened with dlopen where a GPU is really used.
set(cuda_roots "${CUDAToolkit_ROOT}" "$ENV{CUDAToolkit_ROOT}" "$ENV{CUDA_HOME}" "$ENV{CUDA_PATH}"
               /usr/local/cuda)
find_path(TILECC_CUDA_INCLUDE_DIR nvrtc.h HINTS ${cuda_roots} PATH_SUFFIXES include)
find_library(TILECC_NVRTC_LIBRARY NAMES nvrtc HINTS ${cuda_roots}
             PATH_SUFFIXES lib64 lib targets/x86_64-linux/lib)
if(TILECC_CUDA_INCLUDE_DIR AND TILECC_NVRTC_LIBRARY)
  set(TILECC_HAVE_NVRTC ON)
  message(STATUS "tilecc: NVRTC ${TILECC_NVRTC_LIBRARY}")
  add_library(tilecc_dep_nvrtc INTERFACE)
  target_link_libraries(tilecc_dep_nvrtc INTERFACE "${TILECC_NVRTC_LIBRARY}")
  target_include_directories(tilecc_dep_nvrtc SYSTEM INTERFACE "${TILECC_CUDA_INCLUDE_DIR}")
  # NVRTC has no default include path; cuda_fp16.h / cuda_bf16.h live here.
  target_compile_definitions(tilecc_dep_nvrtc INTERFACE
                             TILECC_CUDA_INCLUDE_DIR="${TILECC_CUDA_INCLUDE_DIR}")
  add_library(tilecc::nvrtc ALIAS tilecc_dep_nvrtc)
else()
  set(TILECC_HAVE_NVRTC OFF)
  message(STATUS "tilecc: NVRTC not found (looked in ${cuda_roots}; set CUDAToolkit_ROOT): "
                 "NVRTC-dependent targets and the nvrtc test tier are skipped")
endif()

# nvcc, from the same toolkit: the tests that build generated CUDA (nvcc tier, install, gpu).
find_program(TILECC_NVCC nvcc HINTS ${cuda_roots} PATH_SUFFIXES bin NO_DEFAULT_PATH)
find_program(TILECC_NVCC nvcc)
if(NOT TILECC_NVCC)
  message(STATUS "tilecc: nvcc not found (looked in ${cuda_roots}; set CUDAToolkit_ROOT): "
                 "the nvcc test tier is skipped")
endif()
