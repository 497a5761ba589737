# Debian packages, one per install component (cpack -G DEB in the build folder):
#   libaiguillage<ABI>   the shared library and the data under /usr/share/aiguillage
#   libaiguillage-dev    headers, libaiguillage.a, the CMake package, aiguillage.pc
#   aiguillage           the command
#   python3-aiguillage   the Python package (its extension embeds the library)
# Library dependencies come from dpkg-shlibdeps; the version from project().
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aiguillage)
set(CPACK_PACKAGE_VENDOR "aiguillage")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "aiguillage maintainers <maintainers@aiguillage.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Staged with DESTDIR, so that the install scripts (aiguillage.pc) see the real prefix /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development cli)
if(TARGET _aiguillage)
  list(APPEND CPACK_COMPONENTS_ALL python)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file and the ldconfig trigger for libaiguillage<ABI>; stripped binaries.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libaiguillage${AIG_ABI_VERSION})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/deb/triggers)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${PROJECT_DESCRIPTION} (shared library)
 libaiguillage orients registered job seekers by rule packs kept as data, matches
 profiles and offers by competences, and explains every result. This package holds
 the shared library (stable C ABI) and its data: rule packs, JSON Schemas, the ROME
 subset and sample inputs, under /usr/share/aiguillage.")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libaiguillage-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS runtime)
# Static linking needs libcrypto and zlib; the shared library needs nothing more.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SUGGESTS "libssl-dev, zlib1g-dev, pkg-config, cmake")
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION "${PROJECT_DESCRIPTION} (development files)
 Headers of the C API (aiguillage.h) and of the C++ API, the static library, the
 CMake package (find_package(aiguillage)) and the pkg-config file (aiguillage.pc).")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME aiguillage)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION science)
set(CPACK_COMPONENT_CLI_DEPENDS runtime)
set(CPACK_COMPONENT_CLI_DESCRIPTION "${PROJECT_DESCRIPTION} (command)
 The aiguillage command: evaluate, check and test rule packs, orient persons, record
 decisions, audit and replay the decision log, match profiles and offers.")

set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-aiguillage)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_COMPONENT_PYTHON_DEPENDS runtime)
# The extension is built for one Python minor version (bindings/python/CMakeLists.txt).
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "${AIG_PYTHON_DEB_DEPENDS}")
set(CPACK_DEBIAN_PYTHON_PACKAGE_SUGGESTS "python3-pandas")
set(CPACK_COMPONENT_PYTHON_DESCRIPTION "${PROJECT_DESCRIPTION} (Python 3)
 The aiguillage Python package: DataFrames and numpy arrays in and out, explanations,
 the decision log and matching.")
include(CPack)
