# What `cmake --install` puts where, and the packages CPack makes from it:
#   cpack -G DEB                              caseprobe_<version>-1_<arch>.deb
#   cpack --config CPackSourceConfig.cmake    caseprobe-<version>.tar.gz (Homebrew's url)
# CPack rather than dpkg-buildpackage: the install rules below are the only
# description of the installed layout (the same for `cmake --install`, the .deb
# and Homebrew), dpkg-shlibdeps still computes the library dependencies, and a
# debian/ folder would have to live at the top of the tree, which the design
# keeps to agent/ probes/ formats/ tests/ packaging/.
include(GNUInstallDirs)

# Debian keeps configuration and state outside the /usr prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(CP_SYSCONFDIR "/etc")
  set(CP_UNITDIR "/lib/systemd/system")
else()
  set(CP_SYSCONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}")
  set(CP_UNITDIR "lib/systemd/system")
endif()

install(TARGETS caseprobe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Debian wants manual pages and changelogs compressed, without a timestamp in
# the gzip header (reproducible builds).
find_program(CP_GZIP gzip REQUIRED)
set(CP_PKG_DIR ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${CP_PKG_DIR})
add_custom_command(OUTPUT ${CP_PKG_DIR}/caseprobe.1.gz
  COMMAND ${CP_GZIP} -9nc ${CMAKE_SOURCE_DIR}/packaging/caseprobe.1 > ${CP_PKG_DIR}/caseprobe.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/caseprobe.1 VERBATIM)
string(TIMESTAMP CP_PKG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/changelog.in ${CP_PKG_DIR}/changelog @ONLY)
add_custom_command(OUTPUT ${CP_PKG_DIR}/changelog.Debian.gz
  COMMAND ${CP_GZIP} -9nc ${CP_PKG_DIR}/changelog > ${CP_PKG_DIR}/changelog.Debian.gz
  DEPENDS ${CP_PKG_DIR}/changelog VERBATIM)
add_custom_target(cp_package_docs ALL DEPENDS ${CP_PKG_DIR}/caseprobe.1.gz ${CP_PKG_DIR}/changelog.Debian.gz)

install(FILES ${CP_PKG_DIR}/caseprobe.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
set(CP_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/caseprobe)
install(FILES packaging/deb/copyright ${CP_PKG_DIR}/changelog.Debian.gz DESTINATION ${CP_DOCDIR})
install(FILES packaging/station-policy.example DESTINATION ${CP_DOCDIR}/examples)
# A report to try `caseprobe parse` on without a device (Homebrew's test uses it),
# and the macOS station job, installed beside it for `brew` users to copy.
install(FILES packaging/examples/sample-app-crash.ips DESTINATION ${CMAKE_INSTALL_DATADIR}/caseprobe/examples)
if(APPLE)
  install(FILES packaging/com.caseprobe.station.plist DESTINATION ${CMAKE_INSTALL_DATADIR}/caseprobe/launchd)
endif()

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  # The station runs as its own system user (created by sysusers.d at install)
  # with its state in /var/lib/caseprobe (the unit's StateDirectory).
  install(FILES packaging/caseprobe-station.service DESTINATION ${CP_UNITDIR})
  install(FILES packaging/deb/caseprobe.sysusers DESTINATION lib/sysusers.d RENAME caseprobe.conf)
endif()
# Organisation keys that signed case requests are checked against
# (caseprobe assist --case-request): one public key per file, added by the
# administrator. The folder ships with its README only.
install(FILES packaging/org-keys.README DESTINATION ${CP_SYSCONFDIR}/caseprobe/org-keys RENAME README)

set(CPACK_PACKAGE_NAME caseprobe)
set(CPACK_PACKAGE_VENDOR "caseprobe developers")
set(CPACK_PACKAGE_CONTACT "caseprobe developers <caseprobe@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "consented, redacted diagnostic bundles from iPhones and iPads")
set(CPACK_PACKAGE_DESCRIPTION "caseprobe collects system information, battery health, crash logs and\nthe device log from an iPhone or iPad attached over USB (through usbmuxd)\nand packs them into a consented, redacted, verifiable diagnostic bundle to\nattach to a support case. It also runs as an unattended bench station.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/packaging/deb/copyright)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: the postinst's fallback where systemd-sysusers is absent.
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
# usbmuxd starts when an Apple device is plugged in; without it no device is seen.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS usbmuxd)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/caseprobe")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
  ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME caseprobe-${PROJECT_VERSION})
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/node_modules/" "/__pycache__/" "\\\\.swp$")
include(CPack)
