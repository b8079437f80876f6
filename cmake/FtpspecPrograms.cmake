# ftpspec_add_program(NAME FUNCTION HEADER LIBRARY): the executable NAME, whose main() only calls
# FUNCTION(argc, argv) (declared in HEADER, defined in LIBRARY), installed into bin/. The Python
# extension links LIBRARY and calls FUNCTION for its console command of the same name.
function(ftpspec_add_program name function header library)
  set(FTPSPEC_PROGRAM ${name})
  set(FTPSPEC_PROGRAM_FUNCTION ${function})
  set(FTPSPEC_PROGRAM_HEADER ${header})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/program_main.cpp.in ${CMAKE_CURRENT_BINARY_DIR}/${name}_main.cpp @ONLY)
  add_executable(${name} ${CMAKE_CURRENT_BINARY_DIR}/${name}_main.cpp)
  target_link_libraries(${name} PRIVATE ${library})
  ftpspec_warnings(${name})
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
