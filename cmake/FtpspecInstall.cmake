# `cmake --install` and the Debian package (scripts/package.sh runs CPack):
#   bin/ftpspec, bin/ftpspecd                (ftpspec_add_program)
#   share/ftpspec/scenarios/                 the conformance suite; ftpspec finds it from bin/
#                                            (engine/cli/suite_location.cpp)
#   share/doc/ftpspec/                       README.md and docs/
#   share/man/man1/ftpspec.1.gz, ftpspecd.1.gz
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ftpspec/scenarios
        PATTERN "*.py" EXCLUDE PATTERN "__pycache__" EXCLUDE)  # the Python package's marker file
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs PATTERN "man" EXCLUDE)

# Man pages, compressed as Debian policy §12.1 asks (gzip -9n: no name or time stamp inside).
find_program(FTPSPEC_GZIP gzip REQUIRED)
set(man_pages)
foreach(page ftpspec.1 ftpspecd.1)
  set(source ${PROJECT_SOURCE_DIR}/docs/man/${page})
  set(compressed ${PROJECT_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${compressed}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
                     COMMAND ${FTPSPEC_GZIP} -9n -c ${source} > ${compressed}
                     DEPENDS ${source} VERBATIM)
  list(APPEND man_pages ${compressed})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${man_pages})
install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# CPack: one .deb whose dependencies dpkg-shlibdeps reads from the binaries' NEEDED entries (Debian
# 12: libfmt9, libssl3, libboost-program-options1.74.0, libstdc++6, libc6...; Boost.Filesystem is
# linked for Boost.Process but no symbol of it is used, so the linker's --as-needed drops it).
set(FTPSPEC_PACKAGE_MAINTAINER "ftpspec maintainers <maintainers@ftpspec.invalid>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ftpspec)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${FTPSPEC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FTP conformance and testing harness, with a reference FTP server")
# The long description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ftpspec runs RFC-cited conformance scenarios (RFC 959 and its extensions, FTPS per
RFC 4217) against any FTP server and reports the verdicts as terminal text, JSON,
JUnit XML and HTML, each led by the server's distinct findings; expected-results
files make it fit for CI. ftpspecd is the reference server that passes every case
and can misbehave on purpose to test FTP clients. The suite is installed in
/usr/share/ftpspec/scenarios.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ftpspec_0.1.0_amd64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

include(CPack)
