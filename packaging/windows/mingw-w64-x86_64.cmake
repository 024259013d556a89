# CMake toolchain for Windows x86-64 with Debian's mingw-w64
# (gcc-mingw-w64-x86-64). Libraries come from /usr/x86_64-w64-mingw32 (zlib,
# libz-mingw-w64-dev) and from the prefix packaging/windows/build-deps.sh made,
# passed as -DCMAKE_PREFIX_PATH=PREFIX. Programs run under Wine for tests.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CP_MINGW_HOST x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${CP_MINGW_HOST}-gcc)
set(CMAKE_CXX_COMPILER ${CP_MINGW_HOST}-g++)
set(CMAKE_RC_COMPILER ${CP_MINGW_HOST}-windres)
set(CMAKE_AR ${CP_MINGW_HOST}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${CP_MINGW_HOST}-ranlib CACHE FILEPATH "")
# Search headers and libraries in the target roots only; programs on the host.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${CP_MINGW_HOST})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Tests built for Windows run through Wine.
find_program(CP_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(CP_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CP_WINE})
endif()
