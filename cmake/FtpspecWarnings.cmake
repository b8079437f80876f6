# One place for warning flags, applied per target (never through CMAKE_CXX_FLAGS).
function(ftpspec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wnull-dereference -Wimplicit-fallthrough)
  if(FTPSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
