# One place for warning flags, applied per target (never through CMAKE_CXX_FLAGS).
function(ftpspec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  # Not -Wnull-dereference: with g++ 12 at -O2 it fires inside libstdc++ and Boost headers
  # (istreambuf_iterator, program_options) on code that cannot be null.
  # g++ 12 reports -Wmismatched-new-delete on Boost.Asio's awaitable frames (its recycling
  # allocator pairs a sized operator delete with operator new correctly; GCC bug 109224).
  # At -O3 (Release) it also reports -Wrestrict inside std::string's operator+ (GCC bug 105651),
  # -Wstringop-overflow on memcpy bounds it cannot prove inside std::string, and
  # -Wmaybe-uninitialized on temporaries holding a std::string (e.g. a Diagnostic pushed into a
  # vector); the default -O2 build and the sanitizer build keep the last two.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(release_only "$<$<CONFIG:Release>:-Wno-maybe-uninitialized;-Wno-stringop-overflow>")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete -Wno-restrict ${release_only})
    # pybind11 links the Python module with -flto in Release: the warnings come again at link time.
    target_link_options(${target} PRIVATE -Wno-restrict ${release_only})
  endif()
  if(FTPSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
