#!/usr/bin/env bash
# The Debian package stage of the suite: builds zkctl_<version>_<arch>.deb from the tree
# (dpkg-buildpackage -us -uc -b; the unit tests ran earlier in the suite, so nocheck) into
# build-pkg/, then checks it without a chroot:
#   - dpkg-deb -c lists the binary, zkctl(1) and the three completions, and exactly the files
#     `meson install` installs from build/ (relative to the prefix; man page gzipped);
#   - unpacked with dpkg -x into a temp root: its zkctl --version is the changelog's version,
#     it renders inventories/seed.toml into a temp dir equal to tests/golden/seed, its man page
#     renders with `man -l` without warnings, its completions parse in bash, zsh and fish;
#   - as root, and only when no zkctl package is installed already: dpkg -i, the installed
#     zkctl runs and `man -w zkctl` finds the page, dpkg -r, and nothing of it is left.
#     ZKCTL_PACKAGE_INSTALL=0 skips that round trip.
# Needs build/ (the suite's build stage) for the meson install comparison.
# Usage: bash scripts/check_package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
out=$repo/build-pkg
deb=$out/zkctl_${version}_${arch}.deb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Build. dpkg-buildpackage writes its results next to the tree; they are moved into build-pkg/.
# debhelper gives the build a home of its own, so ccache is pointed at the usual cache.
rm -rf "$out" && mkdir -p "$out"
if command -v ccache >/dev/null; then CCACHE_DIR=$(ccache -k cache_dir) && export CCACHE_DIR; fi
DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b -Pnocheck >"$out/build.log" 2>&1 ||
  { tail -n 40 "$out/build.log" >&2; fail "dpkg-buildpackage failed (log: $out/build.log)"; }
for f in ../zkctl_"${version}"_* ../zkctl-dbgsym_"${version}"_*; do
  if [[ -e $f ]]; then mv "$f" "$out/"; fi
done
[[ -f $deb ]] || fail "no $deb after dpkg-buildpackage"
echo "check_package: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# The file list, against what meson install puts under its prefix.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./usr/||' |
  grep -v '^share/doc/' | sed 's|\.gz$||' | sort >"$work/deb-files"
for f in bin/zkctl share/man/man1/zkctl.1 share/bash-completion/completions/zkctl \
  share/zsh/vendor-completions/_zkctl share/fish/vendor_completions.d/zkctl.fish; do
  grep -qx "$f" "$work/deb-files" || fail "the package lacks usr/$f"
done
prefix=$(meson introspect build --buildoptions | python3 -c \
  'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
DESTDIR=$work/meson meson install -C build --quiet >/dev/null
(cd "$work/meson$prefix" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$work/meson-files"
diff -u "$work/meson-files" "$work/deb-files" ||
  fail "the package's files differ from meson install's (- meson, + package)"

# The unpacked tree, used as is.
root=$work/root
dpkg -x "$deb" "$root"
zkctl=$root/usr/bin/zkctl
[[ $("$zkctl" --version) == "zkctl $version" ]] ||
  fail "zkctl --version says '$("$zkctl" --version)', the changelog $version"
ZKCTL_HOME=$work/home "$zkctl" render inventories/seed.toml --out "$work/render" >/dev/null 2>&1 ||
  fail "the packaged zkctl could not render inventories/seed.toml"
for host_dir in tests/golden/seed/*/; do
  host=$(basename "$host_dir")
  diff -r "$host_dir" "$work/render/$host"/zookeeper-* || fail "render of $host differs from tests/golden/seed"
done
warnings=$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/zkctl.1.gz" 2>&1 >/dev/null)
[[ -z $warnings ]] || fail "man -l of the packaged page warns: $warnings"
MANWIDTH=80 man -l "$root/usr/share/man/man1/zkctl.1.gz" 2>/dev/null | grep -q "^EXIT STATUS" ||
  fail "the packaged man page has no EXIT STATUS"
bash -n "$root/usr/share/bash-completion/completions/zkctl" || fail "bash rejects the completion"
zsh -n "$root/usr/share/zsh/vendor-completions/_zkctl" || fail "zsh rejects the completion"
fish -n "$root/usr/share/fish/vendor_completions.d/zkctl.fish" || fail "fish rejects the completion"
echo "check_package: unpacked package: --version, render, man page and completions ok"

# Installed for real and removed again (CI is root on a throwaway machine).
if [[ ${ZKCTL_PACKAGE_INSTALL:-1} == 0 ]]; then
  echo "check_package: dpkg -i / -r round trip skipped (ZKCTL_PACKAGE_INSTALL=0)"
elif [[ $(id -u) -ne 0 ]]; then
  echo "check_package: dpkg -i / -r round trip skipped (not root)"
elif dpkg-query -W -f='${Status}' zkctl 2>/dev/null | grep -q ' ok installed$'; then
  echo "check_package: dpkg -i / -r round trip skipped (a zkctl package is installed already)"
else
  dpkg -i "$deb" >"$out/install.log" 2>&1 || { cat "$out/install.log" >&2; fail "dpkg -i failed"; }
  trap 'dpkg -r zkctl >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  [[ $(/usr/bin/zkctl --version) == "zkctl $version" ]] || fail "installed zkctl --version"
  [[ $(man -w zkctl) == /usr/share/man/man1/zkctl.1.gz ]] || fail "man -w zkctl: $(man -w zkctl 2>&1)"
  [[ -f /usr/share/bash-completion/completions/zkctl ]] || fail "bash completion not installed"
  dpkg -r zkctl >>"$out/install.log" 2>&1 || { cat "$out/install.log" >&2; fail "dpkg -r failed"; }
  trap 'rm -rf "$work"' EXIT
  [[ ! -e /usr/bin/zkctl && ! -e /usr/share/man/man1/zkctl.1.gz ]] || fail "dpkg -r left files"
  echo "check_package: dpkg -i, zkctl --version, man -w, dpkg -r: ok"
fi
echo "check_package: $deb ok"
