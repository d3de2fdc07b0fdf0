# Helpers that give every Trục target the same language level, warnings and sanitizers.

# Compile options shared by every target of the project (not by generated code).
add_library(truc_build_options INTERFACE)
target_compile_features(truc_build_options INTERFACE cxx_std_20)
target_compile_options(truc_build_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(TRUC_WERROR)
  target_compile_options(truc_build_options INTERFACE -Werror)
endif()
target_include_directories(truc_build_options INTERFACE ${PROJECT_SOURCE_DIR})

if(TRUC_SANITIZER STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Clang 14 cannot emit UBSan's function-type checks for coroutines ("Cannot represent a
    # difference across sections", llvm/llvm-project#49689); every other check stays on.
    add_compile_options(-fno-sanitize=function)
  endif()
elseif(TRUC_SANITIZER STREQUAL "thread")
  # -Wno-tsan: GCC warns that TSan does not model Asio's atomic_thread_fence; that is Asio's code.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT TRUC_SANITIZER STREQUAL "")
  message(FATAL_ERROR "TRUC_SANITIZER must be '', 'address' or 'thread', not '${TRUC_SANITIZER}'")
endif()

if(TRUC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT TRUC_SANITIZER STREQUAL "address")
    message(FATAL_ERROR "TRUC_FUZZ needs clang and TRUC_SANITIZER=address (scripts/test.sh --asan)")
  endif()
  # Coverage feedback for libFuzzer in everything the targets exercise.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# truc_library(NAME SOURCES... [DEPS targets...])
# One static library per source folder, named truc_<folder>.
function(truc_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC truc_build_options ${ARG_DEPS})
endfunction()

# truc_executable(NAME SOURCES... [DEPS targets...])
function(truc_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE truc_build_options ${ARG_DEPS})
endfunction()

# truc_test(NAME SOURCES... [DEPS targets...] [LABELS labels...])
# A Catch2 test binary whose test cases are registered one by one with CTest. One label only:
# catch_discover_tests would split a list into properties.
function(truc_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE truc_build_options truc_test_main ${ARG_DEPS})
  catch_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
