# Every dependency comes from Debian 12 packages (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)   # Process v1 needs Boost.Filesystem
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)

# Asio is compiled once (Beast's lib_asio.cpp idea) instead of in every translation unit.
add_library(ftpspec_asio STATIC ${PROJECT_SOURCE_DIR}/cmake/asio_impl.cpp)
target_compile_definitions(ftpspec_asio PUBLIC BOOST_ASIO_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED
                                               BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
# g++ 12 + Boost 1.74 coroutines need <utility> before any Asio header (platform notes).
target_compile_options(ftpspec_asio PUBLIC -include utility)
target_link_libraries(ftpspec_asio PUBLIC Boost::boost OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
add_library(ftpspec::asio ALIAS ftpspec_asio)

if(FTPSPEC_BUILD_PYTHON OR FTPSPEC_BUILD_TESTS)
  # Debian's python3 owns pytest and pybind11; the pyenv python3 first on PATH has neither.
  if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter (Debian's, with pytest)")
  endif()
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
endif()
if(FTPSPEC_BUILD_PYTHON)
  find_package(pybind11 CONFIG REQUIRED)
endif()
if(FTPSPEC_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
