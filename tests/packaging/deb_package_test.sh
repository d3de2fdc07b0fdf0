#!/usr/bin/env bash
# Tests of the Debian package (cmake/Packaging.cmake), run by CTest in three steps that share a
# scratch directory:
#
#   deb_package_test.sh build    BUILD_DIR SOURCE_DIR SCRATCH   makes the .deb with cpack from the
#                                                               build tree, and unpacks it
#   deb_package_test.sh contents BUILD_DIR SOURCE_DIR SCRATCH   checks files, control fields,
#                                                               conffiles and maintainer scripts
#   deb_package_test.sh units    BUILD_DIR SOURCE_DIR SCRATCH   `systemd-analyze verify` on the
#                                                               units as packaged
#
# Every failure is printed as "FAIL: what" and makes the step exit 1.
set -euo pipefail

step=$1 build=$2 source=$3 scratch=$4
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
deb() { ls "$scratch"/truc_*.deb; }

daemons=(truc-gateway truc-registry truc-tsa)
configs=(gateway.toml registry.toml tsa.toml)

case "$step" in
build)
  prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
  if [ "$prefix" != /usr ]; then
    echo "FAIL: $build is configured with CMAKE_INSTALL_PREFIX=$prefix; the package is laid out" \
         "for /usr: reconfigure with -DCMAKE_INSTALL_PREFIX=/usr" >&2
    exit 1
  fi
  rm -rf "$scratch"
  mkdir -p "$scratch"
  # -B keeps cpack's staging tree and the package out of the build tree.
  (cd "$scratch" && cpack --config "$build/CPackConfig.cmake" -B "$scratch" >cpack.log 2>&1) || {
    cat "$scratch/cpack.log" >&2
    echo "FAIL: cpack could not build the package" >&2
    exit 1
  }
  [ "$(deb | wc -l)" -eq 1 ] || { echo "FAIL: expected one truc_*.deb in $scratch" >&2; exit 1; }
  dpkg-deb -x "$(deb)" "$scratch/root"
  dpkg-deb -e "$(deb)" "$scratch/control"
  echo "built $(basename "$(deb)")"
  ;;

contents)
  package=$(deb)
  field() { dpkg-deb -f "$package" "$1"; }
  [ "$(field Package)" = truc ] || fail "Package is '$(field Package)', not truc"
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  [ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
  [ "$(field Architecture)" = "$(dpkg --print-architecture)" ] ||
    fail "Architecture is '$(field Architecture)'"
  for name in Maintainer Description Section; do
    [ -n "$(field "$name")" ] || fail "the control field $name is empty"
  done
  # Depends: computed by dpkg-shlibdeps from the binaries, plus adduser for postinst.
  depends=$(field Depends)
  for library in adduser libc6 libstdc++6 libssl3 'libgrpc++1' libprotobuf librocksdb; do
    [[ "$depends" == *"$library"* ]] || fail "Depends lacks $library: $depends"
  done

  # Every file, as "MODE PATH"; directories left out.
  listing=$(dpkg-deb -c "$package" | awk '$1 !~ /^d/ {print $1, $6}')
  expect_file() {  # MODE PATH
    grep -qxF -- "$1 $2" <<<"$listing" || fail "no $2 with mode $1 in the package"
  }
  expected=()
  for binary in "${daemons[@]}" truc; do
    expect_file -rwxr-xr-x "./usr/bin/$binary"
    expected+=("./usr/bin/$binary")
  done
  for daemon in "${daemons[@]}"; do
    expect_file -rw-r--r-- "./lib/systemd/system/$daemon.service"
    expected+=("./lib/systemd/system/$daemon.service")
    cmp -s "$scratch/root/lib/systemd/system/$daemon.service" \
      "$source/deploy/systemd/$daemon.service" ||
      fail "$daemon.service differs from deploy/systemd/$daemon.service"
  done
  for config in "${configs[@]}"; do
    expect_file -rw-r--r-- "./etc/truc/$config"
    expected+=("./etc/truc/$config")
    cmp -s "$scratch/root/etc/truc/$config" "$source/deploy/config/$config" ||
      fail "/etc/truc/$config differs from deploy/config/$config"
  done
  for doc in README.md operator-guide.md registry.md configuration.md audit-log.md; do
    expect_file -rw-r--r-- "./usr/share/doc/truc/$doc"
  done
  # Nothing else: no tests, benchmarks, static libraries or stray install rules.
  while read -r _ path; do
    [[ "$path" == ./usr/share/doc/truc/* ]] && continue
    # Not `printf | grep -q` under pipefail: grep may exit at the first match before printf has
    # written the rest, and printf's SIGPIPE then fails the check.
    grep -qxF -- "$path" <(printf '%s\n' "${expected[@]}") || fail "unexpected file $path"
  done <<<"$listing"

  # The configuration is the administrator's: dpkg must keep local changes on upgrade.
  conffiles=$(sort "$scratch/control/conffiles")
  wanted=$(printf '/etc/truc/%s\n' "${configs[@]}" | sort)
  [ "$conffiles" = "$wanted" ] || fail "conffiles is '$conffiles', not '$wanted'"
  for script in postinst prerm postrm; do
    if [ ! -x "$scratch/control/$script" ]; then
      fail "no executable $script in the control archive"
    elif ! sh -n "$scratch/control/$script"; then
      fail "$script is not valid sh"
    fi
  done
  grep -q 'adduser --system' "$scratch/control/postinst" || fail "postinst creates no system user"
  grep -q 'install -d -m 0700 -o truc -g truc /etc/truc/keys' "$scratch/control/postinst" ||
    fail "postinst does not make /etc/truc/keys private to truc"
  finish
  ;;

units)
  # systemd-analyze verify loads each unit as systemd would and checks that ExecStart names an
  # executable file. systemd 252 supports --root for verify, so the units are checked exactly as
  # packaged against the binaries unpacked from the package, not against the host's /usr/bin.
  # Under --root, systemd also looks up the targets the units order themselves against
  # (sysinit.target, network-online.target, multi-user.target, ...) in the root, so the host's
  # target units are copied in; they are not what is tested.
  root=$scratch/root
  cp /lib/systemd/system/*.target "$root/lib/systemd/system/"
  units=()
  for daemon in "${daemons[@]}"; do units+=("$daemon.service"); done
  # verify reports unknown keys and unparsable values as warnings and still exits 0: any output
  # at all is a failure.
  if ! output=$(systemd-analyze verify --root="$root" "${units[@]}" 2>&1); then
    fail "systemd-analyze verify refused the units"
  fi
  if [ -n "$output" ]; then
    printf '%s\n' "$output" >&2
    fail "systemd-analyze verify printed warnings"
  fi
  # systemd's own rating of the hardening, from 0 (locked down) to 10 (none): each unit rates 1.4
  # today; --threshold counts tenths, so weakening any unit past 2.0 fails here.
  if ! output=$(systemd-analyze security --offline=true --threshold=20 --root="$root" \
                  --no-pager "${units[@]}" 2>&1); then
    printf '%s\n' "$output" | grep 'Overall exposure' >&2
    fail "a unit's exposure level is above 2.0 (systemd-analyze security)"
  fi
  for daemon in "${daemons[@]}"; do
    unit=$root/lib/systemd/system/$daemon.service
    for setting in "User=truc" "NoNewPrivileges=yes" "ProtectSystem=strict" \
                   "ReadWritePaths=/var/lib/truc/${daemon#truc-}" "CapabilityBoundingSet=" \
                   "ExecStart=/usr/bin/$daemon --config /etc/truc/${daemon#truc-}.toml"; do
      grep -qxF -- "$setting" "$unit" || fail "$daemon.service lacks $setting"
    done
  done
  finish
  ;;

*)
  echo "usage: $0 build|contents|units BUILD_DIR SOURCE_DIR SCRATCH" >&2
  exit 2
  ;;
esac
