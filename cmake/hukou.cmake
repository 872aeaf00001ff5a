# hukou_module(NAME DEPS dep...): a static library hukou_NAME from src/NAME/*.cc (tests excluded)
# and, when src/NAME/*_test.cc exist, a GoogleTest executable NAME_test registered with CTest.
function(hukou_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc
       ${CMAKE_CURRENT_SOURCE_DIR}/*/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc
       ${CMAKE_CURRENT_SOURCE_DIR}/*/*_test.cc)
  if(tests)
    list(REMOVE_ITEM srcs ${tests})
  endif()
  if(NOT srcs)
    set(srcs ${PROJECT_SOURCE_DIR}/cmake/empty.cc)
  endif()
  add_library(hukou_${name} STATIC ${srcs})
  target_include_directories(hukou_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(hukou_${name} PUBLIC ${M_DEPS})
  if(tests)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE hukou_${name} GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name}_test PRIVATE HUKOU_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60 DISCOVERY_MODE PRE_TEST
                         PROPERTIES LABELS unit)
  endif()
endfunction()

# hukou_embed(TARGET OUT_CC NAMESPACE ns FILES f...): compiles the files' bytes into a C++ source
# that defines `std::string_view ns::Embedded(std::string_view name)` (name = file base name,
# empty when absent) and `std::vector<std::string_view> ns::EmbeddedNames()`.
function(hukou_embed target)
  cmake_parse_arguments(E "" "NAMESPACE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} "-DFILES=${E_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding files into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# hukou_render_test(TARGET): the test program renders text with cairo and pango; links the
# sanitizer defaults that keep LeakSanitizer quiet about those libraries' own caches
# (tests/support/render_sanitizer_defaults.cc).
function(hukou_render_test target)
  target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/render_sanitizer_defaults.cc)
endfunction()
