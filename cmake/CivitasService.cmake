# civitas_service(<name> [LIBS <targets...>]) — the build of one daemon, the same for all five:
# the service's sources (all *.c but main.c) as the library svc_<name> that integration tests
# link, the executable civitas-<name> on top, and what `cmake --install` puts in place
# (binary and migrations; a service with more to install adds it after the call).
function(civitas_service name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  list(REMOVE_ITEM sources ${CMAKE_CURRENT_SOURCE_DIR}/main.c)
  add_library(svc_${name} STATIC ${sources})
  target_include_directories(svc_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(svc_${name} PUBLIC civitas_common ${ARG_LIBS})
  add_executable(civitas-${name} main.c)
  target_link_libraries(civitas-${name} PRIVATE svc_${name})
  install(TARGETS civitas-${name} RUNTIME DESTINATION bin)
  install(DIRECTORY migrations/ DESTINATION share/civitas/migrations/${name})
endfunction()
