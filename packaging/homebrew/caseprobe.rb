# Homebrew formula for caseprobe (macOS). Builds from the release tarball that
# `cpack --config CPackSourceConfig.cmake` makes (caseprobe-<version>.tar.gz);
# packaging/homebrew/update-formula.sh writes its url and sha256 for a release.
class Caseprobe < Formula
  desc "Consented, redacted diagnostic bundles from iPhones and iPads over USB"
  homepage "https://example.org/caseprobe"
  url "https://example.org/caseprobe/releases/caseprobe-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "LGPL-2.1-or-later"

  depends_on "cmake" => :build
  depends_on "pkg-config" => :build
  depends_on "curl"
  depends_on "gettext"
  depends_on "jansson"
  depends_on "libarchive"
  depends_on "libimobiledevice"
  depends_on "libmicrohttpd"
  depends_on "libplist"
  depends_on "libusbmuxd"
  depends_on "openssl@3"
  depends_on "pcre2"
  depends_on "vectorscan"

  def install
    # The station job runs as its own user under Homebrew's prefix, not /usr/local.
    inreplace "packaging/com.caseprobe.station.plist", "/usr/local", HOMEBREW_PREFIX
    args = %W[
      -DCP_TESTS=OFF
      -DCMAKE_PREFIX_PATH=#{Formula["openssl@3"].opt_prefix};#{Formula["libarchive"].opt_prefix};#{Formula["curl"].opt_prefix}
    ]
    system "cmake", "-S", ".", "-B", "build", *args, *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  def caveats
    <<~EOS
      To run an unattended bench station, create its user and install the launchd job:
        sudo dscl . -create /Users/_caseprobe UserShell /usr/bin/false
        sudo dscl . -create /Users/_caseprobe UniqueID 399
        sudo dscl . -create /Users/_caseprobe PrimaryGroupID 20
        sudo mkdir -p #{var}/caseprobe && sudo chown _caseprobe #{var}/caseprobe
        sudo cp #{opt_pkgshare}/launchd/com.caseprobe.station.plist /Library/LaunchDaemons/
        sudo launchctl bootstrap system /Library/LaunchDaemons/com.caseprobe.station.plist
      The policy goes in #{etc}/caseprobe/station-policy
      (start from #{opt_share}/doc/caseprobe/examples/station-policy.example).
    EOS
  end

  test do
    assert_match "caseprobe #{version}", shell_output("#{bin}/caseprobe --version")
    out = shell_output("#{bin}/caseprobe parse --json #{pkgshare}/examples/sample-app-crash.ips")
    assert_match "iOSCrashingTest", out
    assert_match "EXC_BREAKPOINT", out
  end
end
