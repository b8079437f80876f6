# One place for warning flags, applied per target (never through CMAKE_CXX_FLAGS).
function(ftpspec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  # Not -Wnull-dereference: with g++ 12 at -O2 it fires inside libstdc++ and Boost headers
  # (istreambuf_iterator, program_options) on code that cannot be null.
  if(FTPSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
