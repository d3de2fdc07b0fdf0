# Installation and the Debian package: what an agency installs to run a Trục node.
#
#   cmake --build build && (cd build && cpack -G DEB)     # -> truc_<version>_<arch>.deb
#
# Layout (Debian's, which the units in deploy/systemd and the configuration in deploy/config are
# written for): binaries in /usr/bin, units in /lib/systemd/system, configuration in /etc/truc
# (conffiles), documentation in /usr/share/doc/truc. The maintainer scripts in deploy/debian
# create the truc user and the directories for keys (/etc/truc/keys) and data (/var/lib/truc).

# The units name /usr/bin and /etc/truc, so install under /usr unless told otherwise. (Only a new
# build tree is changed: a prefix already in the cache is the user's choice.)
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Installation prefix" FORCE)
endif()
include(GNUInstallDirs)
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "Installing under ${CMAKE_INSTALL_PREFIX}: the systemd units and the Debian "
                 "package expect -DCMAKE_INSTALL_PREFIX=/usr")
endif()
set(TRUC_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "Where the systemd units are installed")
set(TRUC_CONFIG_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/truc)

install(TARGETS truc-gateway truc-registry truc-tsa truc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES deploy/systemd/truc-gateway.service deploy/systemd/truc-registry.service
              deploy/systemd/truc-tsa.service
        DESTINATION ${TRUC_SYSTEMD_UNIT_DIR})
set(TRUC_CONFIG_FILES gateway.toml registry.toml tsa.toml)
list(TRANSFORM TRUC_CONFIG_FILES PREPEND deploy/config/ OUTPUT_VARIABLE TRUC_CONFIG_SOURCES)
install(FILES ${TRUC_CONFIG_SOURCES} DESTINATION ${TRUC_CONFIG_DIR})
file(GLOB TRUC_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${TRUC_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# dpkg treats the configuration files as the administrator's: an upgrade keeps local changes.
list(TRANSFORM TRUC_CONFIG_FILES PREPEND ${TRUC_CONFIG_DIR}/ OUTPUT_VARIABLE TRUC_CONFFILES)
list(JOIN TRUC_CONFFILES "\n" TRUC_CONFFILES)
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "${TRUC_CONFFILES}\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME truc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(TRUC_PACKAGE_MAINTAINER "Trục maintainers <truc-maintainers@example.org>"
    CACHE STRING "The Maintainer field of the Debian package: whoever builds and ships it")
set(CPACK_PACKAGE_CONTACT ${TRUC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: gateway, registry, TSA and CLI")
# The extended description, under the summary; cpack indents it as control files want.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Trục lets government agencies exchange data: each agency runs a gateway that
signs, timestamps and logs every request and response; a central registry
publishes the federation's members and certificates as signed configuration.
This package holds the daemons truc-gateway, truc-registry and truc-tsa with
hardened systemd units, commented configuration in /etc/truc, the truc
command-line tool and the operator's guide.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)  # The build's debug information stays in the build tree.
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries the binaries link (gRPC, protobuf, RocksDB, OpenSSL, ...) as dpkg-shlibdeps
# finds them, plus what the maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm ${PROJECT_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
