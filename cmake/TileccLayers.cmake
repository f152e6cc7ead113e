# tilecc_add_layer(<target> [DEPS <targets>...] [EXCLUDE <files>...])
#
# One library per layer folder, built from the folder's top-level *.cpp files. The glob
# uses CONFIGURE_DEPENDS, so adding a file needs no CMake edit. A folder with no sources
# yet gives an INTERFACE library, so the layering (who may depend on whom) already holds.
# Headers are included relative to the repository root: "translator/ir/<file>.hpp".
function(tilecc_add_layer target)
  cmake_parse_arguments(arg "" "" "DEPS;EXCLUDE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  foreach(file IN LISTS arg_EXCLUDE)
    list(REMOVE_ITEM sources "${CMAKE_CURRENT_SOURCE_DIR}/${file}")
  endforeach()
  if(sources)
    add_library(${target} STATIC ${sources})
    set(scope PUBLIC)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope} "${PROJECT_SOURCE_DIR}"
                             "${TILECC_GENERATED_INCLUDE_DIR}")
  target_compile_features(${target} ${scope} cxx_std_20)
  target_link_libraries(${target} ${scope} ${arg_DEPS})
endfunction()
