# Installation, in the components the Debian packages are made of (cmake/aiguillage-cpack.cmake):
#   runtime      libaiguillage.so.<ABI> and the data under share/aiguillage   (libaiguillage0)
#   development  headers, libaiguillage.a, the CMake package, aiguillage.pc (libaiguillage-dev)
#   cli          the aiguillage command                                        (aiguillage)
#   python       the Python package                                            (python3-aiguillage)
# The CMake package: find_package(aiguillage) gives aiguillage::aiguillage (the shared library:
# C and C++ API, no dependency for the consumer: a C-only project links it),
# aiguillage::aiguillage_static (when OpenSSL and zlib are found) and aiguillage::cli.
include(CMakePackageConfigHelpers)

set(AIG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/aiguillage)
set(AIG_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/aiguillage)

# Public headers only: what src/ keeps is internal.
install(DIRECTORY include/ ${AIG_GENERATED_INCLUDE_DIR}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT development FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

if(AIG_BUILD_SHARED)
  install(TARGETS aiguillage_shared EXPORT aiguillageTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
      NAMELINK_COMPONENT development
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS aiguillage_static EXPORT aiguillageStaticTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
  install(EXPORT aiguillageStaticTargets NAMESPACE aiguillage::
    DESTINATION ${AIG_INSTALL_CMAKEDIR} COMPONENT development)
  set(AIG_CONFIG_STATIC_MAIN FALSE)
else()
  install(TARGETS aiguillage_static EXPORT aiguillageTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set(AIG_CONFIG_STATIC_MAIN TRUE)
endif()
install(TARGETS aiguillage_cli EXPORT aiguillageTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(EXPORT aiguillageTargets NAMESPACE aiguillage::
  DESTINATION ${AIG_INSTALL_CMAKEDIR} COMPONENT development)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/aiguillageConfig.cmake.in
  ${PROJECT_BINARY_DIR}/aiguillageConfig.cmake
  INSTALL_DESTINATION ${AIG_INSTALL_CMAKEDIR}
  PATH_VARS AIG_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aiguillageConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aiguillageConfig.cmake
  ${PROJECT_BINARY_DIR}/aiguillageConfigVersion.cmake
  DESTINATION ${AIG_INSTALL_CMAKEDIR} COMPONENT development)

# pkg-config: the shared library needs nothing more from its user; static linking
# (pkg-config --static) adds the private libraries.
set(AIG_PC_LIBS_PRIVATE "-lpq -lpugixml -lcrypto -lz -lstdc++ -lm -pthread")
if(AIG_BUILD_SHARED)
  set(AIG_PC_LIBS_EXTRA "")
else()
  set(AIG_PC_LIBS_EXTRA " ${AIG_PC_LIBS_PRIVATE}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/aiguillage.pc.in ${PROJECT_BINARY_DIR}/aiguillage.pc.in
  @ONLY)
# The prefix is known only at install time (cmake --install --prefix): write it then.
install(CODE "
  file(READ \"${PROJECT_BINARY_DIR}/aiguillage.pc.in\" pc)
  string(REPLACE \"%PREFIX%\" \"\${CMAKE_INSTALL_PREFIX}\" pc \"\${pc}\")
  file(WRITE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/aiguillage.pc\" \"\${pc}\")
  message(STATUS \"Installing: \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/aiguillage.pc\")
" COMPONENT development)

# The data: packs and schemas, the ROME subset, the examples and their sample inputs.
install(DIRECTORY rules/ DESTINATION ${AIG_INSTALL_DATADIR}/rules COMPONENT runtime)
install(DIRECTORY data/rome-subset/ DESTINATION ${AIG_INSTALL_DATADIR}/data/rome-subset
  COMPONENT runtime)
install(DIRECTORY examples/ DESTINATION ${AIG_INSTALL_DATADIR}/examples COMPONENT runtime)

include(${PROJECT_SOURCE_DIR}/cmake/aiguillage-cpack.cmake)
