# cmake -DBUILD=<tilecc build> -DSOURCE=<examples/downstream> -DWORK=<scratch folder>
#       -DGENERATOR=<generator> [-DNVCC=<nvcc>] -P TileccDownstreamTest.cmake
#
# The test "install:downstream project builds against the install tree": installs the tilecc
# build, moves the install to WORK/prefix (the install must not depend on where it was put),
# checks that the moved tilecc reads its own headers and that tilecc_add_kernels refuses two
# archs, configures and builds a copy of the downstream project against it,
# runs its eager program and a program linking the runtime library, and where nvcc is given checks that the CUDA program was built and
# that touching a header the kernel includes translates it again (the depfile), and nothing
# else does. The CUDA program is built, never run: the machine may have no GPU.
foreach(var BUILD SOURCE WORK GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "TileccDownstreamTest.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("$ ${ARGN}\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
run("${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${WORK}/installed")
file(COPY "${SOURCE}/" DESTINATION "${WORK}/project")

# The install is relocatable: everything below uses it moved to another folder (the folder it
# was installed to is gone). The moved headers carry a mark, so a tilecc that read the source
# tree's instead would show.
file(RENAME "${WORK}/installed" "${WORK}/prefix")
set(mark "// tilecc install test: the moved prefix")
foreach(header include/tilecc/cuda.hpp include/tilecc-templates/tilecc/device.cuh)
  file(APPEND "${WORK}/prefix/${header}" "${mark}\n")
endforeach()
set(tilecc "${WORK}/prefix/bin/tilecc")
file(MAKE_DIRECTORY "${WORK}/moved")
run("${tilecc}" translate "${WORK}/project/axpy.tile.cpp" -o "${WORK}/moved/axpy.cu" --depfile "${WORK}/moved/axpy.cu.d")
file(READ "${WORK}/moved/axpy.cu.d" deps)
if(NOT deps MATCHES "${WORK}/prefix/include/tilecc/tile.hpp")
  message(FATAL_ERROR "the moved tilecc did not parse against its own language header:\n${deps}")
endif()
run("${tilecc}" translate "${WORK}/project/axpy.tile.cpp" --standalone -o "${WORK}/moved/axpy_standalone.cu")
file(READ "${WORK}/moved/axpy_standalone.cu" standalone)
string(FIND "${standalone}" "${mark}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the moved tilecc's --standalone did not inline its own headers")
endif()

# An ARCH that is not an arch is refused, with what to write.
file(MAKE_DIRECTORY "${WORK}/multi_arch")
file(WRITE "${WORK}/multi_arch/CMakeLists.txt"
     "cmake_minimum_required(VERSION 3.25)\nproject(multi_arch LANGUAGES CXX)\nfind_package(tilecc CONFIG REQUIRED)\n"
     "add_library(k STATIC \${CMAKE_CURRENT_LIST_FILE})\n"
     "tilecc_add_kernels(k SOURCES ${WORK}/project/axpy.tile.cpp ARCH sm_80 compute_90)\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${WORK}/multi_arch" -B "${WORK}/multi_arch/build" -G "${GENERATOR}"
                        "-DCMAKE_PREFIX_PATH=${WORK}/prefix"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "ARCH must look like sm_80 or sm_90a" OR NOT out MATCHES "compute_90")
  message(FATAL_ERROR "tilecc_add_kernels with ARCH compute_90 was not refused with its reason:\n${out}")
endif()

set(cuda_args -DDOWNSTREAM_WITH_CUDA=OFF)
if(NVCC)
  set(cuda_args -DDOWNSTREAM_WITH_CUDA=ON "-DCMAKE_CUDA_COMPILER=${NVCC}")
endif()
run("${CMAKE_COMMAND}" -S "${WORK}/project" -B "${WORK}/build" -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${WORK}/prefix" ${cuda_args})
run("${CMAKE_COMMAND}" --build "${WORK}/build")
run("${WORK}/build/axpy_eager")
if(NOT run_output MATCHES " 0 wrong")
  message(FATAL_ERROR "axpy_eager did not report 0 wrong")
endif()

run("${WORK}/build/runtime_info")
# NVRTC would include the moved install's device templates, not the build tree's.
if(NOT run_output MATCHES "templates ${WORK}/prefix/include/tilecc-templates")
  message(FATAL_ERROR "runtime_info does not name the moved install's templates: ${run_output}")
endif()

if(NVCC)
  if(NOT EXISTS "${WORK}/build/axpy_cuda")
    message(FATAL_ERROR "axpy_cuda was not built")
  endif()
  # ARCH sm_80 sm_90a: one translation holding both arches' kernels, built for both.
  set(generated "${WORK}/build/tilecc/axpy_cuda/axpy.cu")
  file(READ "${generated}" axpy_cu)
  if(NOT axpy_cu MATCHES "--arch sm_80,sm_90a" OR NOT axpy_cu MATCHES "axpy_sm90a\\(" OR NOT axpy_cu MATCHES "axpy_sm80\\(")
    message(FATAL_ERROR "axpy.cu does not hold the kernels of both arches (${generated})")
  endif()
  run("${CMAKE_COMMAND}" --build "${WORK}/build")
  if(run_output MATCHES "tilecc: translating")
    message(FATAL_ERROR "a second build with nothing changed translated again")
  endif()
  # A header only the kernel includes: its change must reach the translation through the depfile.
  file(TOUCH "${WORK}/project/axpy_params.hpp")
  run("${CMAKE_COMMAND}" --build "${WORK}/build")
  if(NOT run_output MATCHES "tilecc: translating axpy.tile.cpp")
    message(FATAL_ERROR "touching axpy_params.hpp did not translate axpy.tile.cpp again")
  endif()
endif()
message("downstream project: ok")
