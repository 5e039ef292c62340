# SPDX-License-Identifier: MIT
# FindLibUV.cmake - find libuv (Debian: libuv1-dev) and define LibUV::LibUV.
#
# libuv installs a pkg-config file everywhere (and a CMake package only from 1.45
# on), so pkg-config is asked first for hints; the header and the library are then
# found with find_path/find_library, which also works without pkg-config.
# Sets LibUV_FOUND, LibUV_VERSION, LibUV_INCLUDE_DIR, LibUV_LIBRARY.
# Installed beside thrdemoConfig.cmake, whose find_dependency(LibUV) uses it.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_LIBUV QUIET libuv)
endif()

find_path(LibUV_INCLUDE_DIR uv.h HINTS ${PC_LIBUV_INCLUDEDIR} ${PC_LIBUV_INCLUDE_DIRS})
find_library(LibUV_LIBRARY NAMES uv libuv HINTS ${PC_LIBUV_LIBDIR} ${PC_LIBUV_LIBRARY_DIRS})

# The version from uv/version.h, so it is known without pkg-config too.
if(LibUV_INCLUDE_DIR AND EXISTS "${LibUV_INCLUDE_DIR}/uv/version.h")
  file(STRINGS "${LibUV_INCLUDE_DIR}/uv/version.h" _libuv_version_lines
       REGEX "^#define UV_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*#define UV_VERSION_${_part} +([0-9]+).*" "\\1"
           _libuv_${_part} "${_libuv_version_lines}")
  endforeach()
  set(LibUV_VERSION "${_libuv_MAJOR}.${_libuv_MINOR}.${_libuv_PATCH}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibUV
  REQUIRED_VARS LibUV_LIBRARY LibUV_INCLUDE_DIR
  VERSION_VAR LibUV_VERSION
  REASON_FAILURE_MESSAGE "libuv is required (Debian: apt-get install libuv1-dev)")
mark_as_advanced(LibUV_INCLUDE_DIR LibUV_LIBRARY)

if(LibUV_FOUND AND NOT TARGET LibUV::LibUV)
  add_library(LibUV::LibUV UNKNOWN IMPORTED)
  set_target_properties(LibUV::LibUV PROPERTIES
    IMPORTED_LOCATION "${LibUV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibUV_INCLUDE_DIR}")
endif()
