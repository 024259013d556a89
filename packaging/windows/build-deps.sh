#!/bin/sh
# Builds the libraries the portable part of caseprobe (parse, verify, inspect)
# needs for Windows x86-64 (x86_64-w64-mingw32) from their Debian 12 source
# packages into PREFIX, as static libraries so the .exe carries them. Cached:
# each library leaves PREFIX/stamps/<name> holding the Debian source version it
# was built from, and is skipped when that version is already there, so a
# machine (or a CI cache of PREFIX) pays the build once.
#   usage: packaging/windows/build-deps.sh PREFIX [LIBRARY...]
# With LIBRARY names (openssl jansson pcre2 libarchive libplist cmocka) only
# those are built, so two runs can build different libraries at once; two
# runs never build the same library at once (PREFIX/locks/NAME).
# Needs: gcc-mingw-w64-x86-64, libz-mingw-w64-dev, cmake, dpkg-dev (apt-get
# source), autoconf, automake and libtool (libplist ships no configure) and a deb-src line for bookworm (added here when missing).
# Not built: Vectorscan (x86 SIMD intrinsics, no mingw port; the Windows
# build redacts with PCRE2 alone), libimobiledevice/curl/libmicrohttpd (the
# Windows build has no device side yet).
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 PREFIX [LIBRARY...]" >&2
  exit 2
fi
mkdir -p "$1"
PREFIX=$(cd "$1" && pwd)
shift
ONLY=" $* "
HOST=x86_64-w64-mingw32
SRC="$PREFIX/src"
STAMPS="$PREFIX/stamps"
MAKE="nice -n 19 make -j2"
LOCKS="$PREFIX/locks"
mkdir -p "$SRC" "$STAMPS" "$LOCKS" "$PREFIX/lib" "$PREFIX/include"
HELD=""
trap 'for l in $HELD; do rmdir "$LOCKS/$l" 2>/dev/null; done' EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi

command -v $HOST-gcc >/dev/null 2>&1 || {
  echo "build-deps: $HOST-gcc not found; run packaging/install-deps (gcc-mingw-w64-x86-64)" >&2
  exit 1
}

# apt-get source needs a deb-src line; the Debian 12 image ships none.
have_deb_src() {
  grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! have_deb_src; then
  echo "build-deps: adding a deb-src line for bookworm" >&2
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
    $SUDO tee /etc/apt/sources.list.d/caseprobe-deb-src.sources >/dev/null
  $SUDO apt-get update -qq
fi

# The Debian source version apt would fetch for a source package.
src_version() {
  apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# Fetches and unpacks source package $1 into $SRC; prints its folder.
fetch_src() {
  ver=$(src_version "$1")
  uver=${ver#*:}
  uver=${uver%-*}
  dir=$(find "$SRC" -maxdepth 1 -type d -name "$1-$uver*" | head -n 1)
  if [ -z "$dir" ]; then
    (cd "$SRC" && apt-get source -qq --download-only "$1=$ver" >&2 &&
      dpkg-source --no-check -x "$(ls "$1"_*.dsc | head -n 1)" >&2)
    dir=$(find "$SRC" -maxdepth 1 -type d -name "$1-$uver*" | head -n 1)
  fi
  [ -n "$dir" ] || { echo "build-deps: could not unpack $1 $ver" >&2; exit 1; }
  echo "$dir"
}

# done_already NAME SRCPKG: true when NAME need not be built here: it was
# built from this source version, or it is not among the LIBRARY arguments.
# Otherwise takes NAME's lock (waiting while another run builds it) and
# checks again.
done_already() {
  if [ "$ONLY" != "  " ] && [ "${ONLY#* $1 }" = "$ONLY" ]; then
    return 0
  fi
  while ! mkdir "$LOCKS/$1" 2>/dev/null; do
    echo "build-deps: waiting for another run building $1 (remove $LOCKS/$1 if none is)" >&2
    sleep 20
  done
  HELD="$HELD $1"
  [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$(src_version "$2")" ]
}
stamp() { src_version "$2" >"$STAMPS/$1"; echo "build-deps: $1 $(cat "$STAMPS/$1") built" >&2; }

TOOLCHAIN=$(cd "$(dirname "$0")" && pwd)/mingw-w64-x86_64.cmake
cmake_build() { # srcdir builddir [cmake args...]
  s=$1 b=$2
  shift 2
  rm -rf "$b"
  cmake -S "$s" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_ROOT_PATH="$PREFIX" -DBUILD_SHARED_LIBS=OFF "$@" >&2
  (cd "$b" && $MAKE >&2 && make install >&2)
}

start=$(date +%s)

# zlib: Debian ships it built for mingw (libz-mingw-w64-dev, in
# /usr/x86_64-w64-mingw32); nothing to build.
[ -f /usr/$HOST/lib/libz.a ] || {
  echo "build-deps: /usr/$HOST/lib/libz.a missing; install libz-mingw-w64-dev" >&2
  exit 1
}

# jansson (cmake).
if ! done_already jansson jansson; then
  d=$(fetch_src jansson)
  cmake_build "$d" "$d/build-win" -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON \
    -DJANSSON_EXAMPLES=OFF -DJANSSON_BUILD_SHARED_LIBS=OFF
  stamp jansson jansson
fi

# PCRE2, 8-bit only.
if ! done_already pcre2 pcre2; then
  d=$(fetch_src pcre2)
  cmake_build "$d" "$d/build-win" -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF \
    -DPCRE2_BUILD_PCRE2_32=OFF -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF \
    -DPCRE2_SUPPORT_JIT=ON
  stamp pcre2 pcre2
fi

# libarchive with zlib only: no other codecs, no ACL/xattr, no iconv. Its
# CMake always builds a DLL too: only the static target is built, and
# installed by hand as libarchive.a (on Windows it is named
# libarchive_static.a), so -larchive finds it.
if ! done_already libarchive libarchive; then
  d=$(fetch_src libarchive)
  b="$d/build-win"
  rm -rf "$b"
  cmake -S "$d" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_FIND_ROOT_PATH="$PREFIX" \
    -DENABLE_ZLIB=ON -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF \
    -DENABLE_NETTLE=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF -DENABLE_LZ4=OFF -DENABLE_BZip2=OFF \
    -DENABLE_LIBB2=OFF -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF \
    -DENABLE_PCRE2POSIX=OFF -DENABLE_LZO=OFF -DENABLE_CNG=OFF -DENABLE_ICONV=OFF \
    -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_UNZIP=OFF -DENABLE_TEST=OFF \
    -DENABLE_ACL=OFF -DENABLE_XATTR=OFF -DENABLE_WERROR=OFF -DZLIB_ROOT=/usr/$HOST \
    -DZLIB_LIBRARY=/usr/$HOST/lib/libz.a >&2
  (cd "$b" && $MAKE archive_static >&2)
  cp "$b/libarchive/libarchive_static.a" "$PREFIX/lib/libarchive.a"
  cp "$d/libarchive/archive.h" "$d/libarchive/archive_entry.h" "$PREFIX/include/"
  mkdir -p "$PREFIX/lib/pkgconfig"
  cp "$b/build/pkgconfig/libarchive.pc" "$PREFIX/lib/pkgconfig/"
  stamp libarchive libarchive
fi

# libplist (formats/plist_json.c reads binary/XML plists): autotools, no
# Python, the C library only (its C++ one needs g++-mingw-w64; and its
# configure picks clang, a host compiler, unless CC is given).
if ! done_already libplist libplist; then
  d=$(fetch_src libplist)
  (cd "$d" && (make distclean >/dev/null 2>&1 || true) &&
    { [ -x configure ] || autoreconf -fi >&2; } &&
    ./configure --host=$HOST --prefix="$PREFIX" --enable-static --disable-shared \
      --without-cython --without-tests CC=$HOST-gcc >&2 &&
    $MAKE -C libcnary >&2 && $MAKE -C src libplist-2.0.la >&2 &&
    cp src/.libs/libplist-2.0.a "$PREFIX/lib/" && mkdir -p "$PREFIX/include/plist" &&
    cp include/plist/plist.h "$PREFIX/include/plist/" && mkdir -p "$PREFIX/lib/pkgconfig" &&
    cp src/libplist-2.0.pc "$PREFIX/lib/pkgconfig/")
  stamp libplist libplist
fi

# cmocka for the unit tests that run under Wine.
if ! done_already cmocka cmocka; then
  d=$(fetch_src cmocka)
  cmake_build "$d" "$d/build-win" -DWITH_STATIC_LIB=ON -DBUILD_SHARED_LIBS=OFF \
    -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DPICKY_DEVELOPER=OFF
  # cmocka 1.1 always builds its DLL; the static one is cmocka-static.
  for l in "$PREFIX"/lib/libcmocka-static.a "$PREFIX"/lib/libcmocka_static.a; do
    [ ! -f "$l" ] || cp "$l" "$PREFIX/lib/libcmocka.a"
  done
  rm -f "$PREFIX/lib/libcmocka.dll.a" "$PREFIX"/bin/libcmocka*.dll
  stamp cmocka cmocka
fi

# OpenSSL: libcrypto only (no libssl: caseprobe does no TLS without the device
# side), static (no DLL to ship), without the algorithms and protocols caseprobe
# never uses, and at -O1: a cold build of the full library at -O3 took over an
# hour on the shared 2-core CI machine; this is the slowest library here, so
# it is built last.
if ! done_already openssl openssl; then
  d=$(fetch_src openssl)
  (cd "$d" && (make distclean >/dev/null 2>&1 || true) &&
    ./Configure mingw64 --cross-compile-prefix=$HOST- --prefix="$PREFIX" --libdir=lib \
      no-shared no-tests no-asm no-engine no-module no-dso no-legacy no-ui-console no-sock \
      no-ssl no-tls no-dtls no-srtp no-srp no-ct no-ocsp no-cms no-ts no-cmp no-comp \
      no-camellia no-aria no-bf no-cast no-des no-idea no-md4 no-mdc2 no-rc2 no-rc4 no-rc5 \
      no-seed no-sm2 no-sm3 no-sm4 no-whirlpool no-siphash -O1 >&2 &&
    $MAKE build_generated >&2 && $MAKE libcrypto.a >&2 &&
    mkdir -p "$PREFIX/include/openssl" && cp include/openssl/*.h "$PREFIX/include/openssl/" &&
    cp libcrypto.a "$PREFIX/lib/")
  stamp openssl openssl
fi

echo "build-deps: all libraries in $PREFIX ($(($(date +%s) - start)) s this run)" >&2
