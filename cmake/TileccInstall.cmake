# `cmake --install <build> --prefix P`: the tilecc command, the language header, the device
# templates, the runtime and autotune libraries with the layers below them and their headers,
# and a CMake package (find_package(tilecc CONFIG)) with tilecc_add_kernels().
#
#   P/bin/tilecc
#   P/include/tilecc/...               the language header (+ the generated version.hpp)
#   P/include/tilecc-templates/...     the device library generated CUDA includes
#   P/include/tilecc-lib/...           layer headers, included as "runtime/kernel.hpp" etc.
#   P/lib/libtilecc_*.a
#   P/lib/cmake/tilecc/                tilecc-config.cmake, TileccAddKernels.cmake
#
# The package is written by hand rather than exported: the layers' include folders are the
# source root (headers are included as "translator/ir/ir.hpp"), which an export refuses, and
# the header-only dependencies are wrapper targets of their own.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TILECC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/tilecc")
# Link order: each library before the ones it uses.
set(TILECC_INSTALL_LIBS tilecc_autotune tilecc_runtime tilecc_codegen tilecc_passes tilecc_launch
                        tilecc_config tilecc_ir)

install(TARGETS tilecc RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS ${TILECC_INSTALL_LIBS} ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(FILES "${TILECC_GENERATED_INCLUDE_DIR}/tilecc/version.hpp"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tilecc")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/templates/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tilecc-templates"
        FILES_MATCHING PATTERN "*.cuh" PATTERN "*.hpp" PATTERN "*.h")
foreach(layer runtime autotune translator/ir translator/config translator/launch translator/passes
              translator/codegen)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${layer}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tilecc-lib/${layer}"
          FILES_MATCHING PATTERN "*.hpp")
endforeach()

# What the installed libraries were built with, for the package to link the same.
set(TILECC_INSTALL_NVRTC_LIBRARY "")
if(TILECC_HAVE_NVRTC)
  set(TILECC_INSTALL_NVRTC_LIBRARY "${TILECC_NVRTC_LIBRARY}")
endif()
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/tilecc-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/package/tilecc-config.cmake"
                              INSTALL_DESTINATION "${TILECC_INSTALL_CMAKEDIR}"
                              PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/tilecc-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/tilecc-config.cmake"
              "${PROJECT_BINARY_DIR}/package/tilecc-config-version.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/TileccAddKernels.cmake"
        DESTINATION "${TILECC_INSTALL_CMAKEDIR}")
