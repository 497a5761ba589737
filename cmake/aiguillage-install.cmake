# Installation: headers, the static library and the CLI, a CMake package
# (find_package(aiguillage) -> aiguillage::aiguillage) and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AIG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/aiguillage)

install(TARGETS aiguillage aiguillage_cli EXPORT aiguillageTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT aiguillageTargets
  NAMESPACE aiguillage::
  DESTINATION ${AIG_INSTALL_CMAKEDIR})

# The library is static: the consumer links what it links, privately or not.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfig.cmake.in [=[
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(Eigen3 3.3 NO_MODULE)
find_dependency(nlohmann_json 3.10)
find_dependency(Boost 1.74)
find_dependency(OpenSSL COMPONENTS Crypto)
find_dependency(ZLIB)
find_dependency(pugixml)
include("${CMAKE_CURRENT_LIST_DIR}/aiguillageTargets.cmake")
check_required_components(aiguillage)
]=])
configure_package_config_file(${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfig.cmake
  INSTALL_DESTINATION ${AIG_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/aiguillageConfigVersion.cmake
  DESTINATION ${AIG_INSTALL_CMAKEDIR})

# pkg-config: a static library, so its dependencies are part of Libs.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/aiguillage.pc.in [=[
prefix=%PREFIX%
libdir=${prefix}/%LIBDIR%
includedir=${prefix}/%INCLUDEDIR%

Name: aiguillage
Description: Orientation and matching by rules kept as data, with explanations
Version: %VERSION%
Requires: eigen3
Cflags: -I${includedir}
Libs: -L${libdir} -laiguillage -lcrypto -lz -lpugixml -lstdc++ -lm -pthread
]=])
# The prefix is known only at install time (cmake --install --prefix): write it then. The
# placeholders are not @VAR@ ones, which install scripts would expand themselves.
install(CODE "
  file(READ \"${CMAKE_CURRENT_BINARY_DIR}/aiguillage.pc.in\" pc)
  string(REPLACE \"%PREFIX%\" \"\${CMAKE_INSTALL_PREFIX}\" pc \"\${pc}\")
  string(REPLACE \"%LIBDIR%\" \"${CMAKE_INSTALL_LIBDIR}\" pc \"\${pc}\")
  string(REPLACE \"%INCLUDEDIR%\" \"${CMAKE_INSTALL_INCLUDEDIR}\" pc \"\${pc}\")
  string(REPLACE \"%VERSION%\" \"${PROJECT_VERSION}\" pc \"\${pc}\")
  file(WRITE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/aiguillage.pc\" \"\${pc}\")
  message(STATUS \"Installing: \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/aiguillage.pc\")
")
