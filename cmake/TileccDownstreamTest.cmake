# cmake -DBUILD=<tilecc build> -DSOURCE=<examples/downstream> -DWORK=<scratch folder>
#       -DGENERATOR=<generator> [-DNVCC=<nvcc>] -P TileccDownstreamTest.cmake
#
# The test "install:downstream project builds against the install tree": installs the tilecc
# build into WORK/prefix, configures and builds a copy of the downstream project against it,
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
run("${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${WORK}/prefix")
file(COPY "${SOURCE}/" DESTINATION "${WORK}/project")

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

if(NVCC)
  if(NOT EXISTS "${WORK}/build/axpy_cuda")
    message(FATAL_ERROR "axpy_cuda was not built")
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
