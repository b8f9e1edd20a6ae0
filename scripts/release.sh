#!/usr/bin/env bash
# Builds postgate's release files, for installing it without a Rust toolchain (docs/install.md):
#
#   postgate_VERSION-1_amd64.deb                   the Debian package (dynamically linked, with
#                                                  its Depends computed by dpkg-shlibdeps)
#   postgate-VERSION-x86_64-linux-static.tar.gz    postgate-VERSION/postgate, statically linked
#                                                  (glibc, +crt-static), with completions, man
#                                                  pages, README and copyright
#   SHA256SUMS                                     both, in `sha256sum` format
#
# VERSION is the package's version in Cargo.toml. The CI guide (docs/ci.md) relies on these
# three names: do not change them.
#
# Usage: scripts/release.sh [--out DIR] [--profile NAME]
#   --out DIR       where the files go (default: dist/ in the repository)
#   --profile NAME  the cargo profile to build with (default: release, which is slow: fat LTO,
#                   one codegen unit); `dev` packages a debug build, as the tests do
#
# Progress goes to stderr; what was built and its checksums to stdout, at the end.
# SOURCE_DATE_EPOCH (default: the last commit's time) sets every file's time, so two runs on
# one commit with one toolchain give the same bytes. DEBFULLNAME and DEBEMAIL override the
# package's Maintainer (Cargo.toml, [package.metadata.deb]).
#
# Exit status: 0 built; 1 a step failed (build, packaging, a check of what was built);
# 2 usage error; 3 a tool it needs is missing (the message names the Debian package).
set -euo pipefail

say() { echo "release.sh: $*" >&2; }
die() {
  say "$1"
  exit "${2:-1}"
}
usage() {
  sed -n '/^# Usage:/,/^# Exit status:/{/^# Exit status:/q;s/^# \{0,1\}//;p}' "$0"
}

out=
profile=release
while (($#)); do
  case $1 in
  --out)
    (($# >= 2)) || die "--out needs a folder" 2
    out=$2
    shift 2
    ;;
  --out=*)
    out=${1#--out=}
    shift
    ;;
  --profile)
    (($# >= 2)) || die "--profile needs a cargo profile name" 2
    profile=$2
    shift 2
    ;;
  --profile=*)
    profile=${1#--profile=}
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    usage >&2
    die "unknown argument: $1" 2
    ;;
  esac
done
[ -n "$profile" ] || die "--profile needs a cargo profile name" 2

# Every tool, checked before anything runs, so that a fresh machine learns all it lacks at once.
# Each line: the command, then what provides it.
missing=()
need() {
  command -v "$1" >/dev/null 2>&1 || missing+=("$1 (${2})")
}
need cargo "the stable Rust toolchain from https://rustup.rs"
need rustc "the stable Rust toolchain from https://rustup.rs"
need cc "Debian package gcc, or build-essential"
need dpkg-deb "Debian package dpkg"
need dpkg-shlibdeps "Debian package dpkg-dev"
need file "Debian package file"
need objdump "Debian package binutils"
need strip "Debian package binutils"
need ldd "Debian package libc-bin"
need gzip "Debian package gzip"
need tar "Debian package tar"
need sha256sum "Debian package coreutils"
need md5sum "Debian package coreutils"
need awk "Debian package mawk"
need sed "Debian package sed"
if ((${#missing[@]})); then
  say "missing tools, nothing built:"
  printf '  %s\n' "${missing[@]}" >&2
  die "on Debian or Ubuntu: apt-get install build-essential dpkg-dev file binutils" 3
fi
# The static build links glibc's archives, which only libc6-dev has.
case $(cc -print-file-name=libc.a) in
/*) ;;
*) die "no static C library (libc.a) for the static build: install the Debian package libc6-dev" 3 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

triple=x86_64-unknown-linux-gnu
host=$(rustc -vV | sed -n 's/^host: //p')
[ "$host" = "$triple" ] || die "the release files are for $triple; this toolchain's host is ${host:-unknown}"
sysroot=$(rustc --print sysroot)
[ -d "$sysroot/lib/rustlib/$triple" ] || die "the Rust target $triple is not installed: rustup target add $triple" 3

# The [package] table's own version, not a dependency's.
version=$(awk '/^\[/ { pkg = ($0 == "[package]") } pkg && /^version *=/ { gsub(/^version *= *"|".*$/, ""); print; exit }' Cargo.toml)
[ -n "$version" ] || die "no version in Cargo.toml's [package] table"
deb_name=postgate_${version}-1_amd64.deb
tar_name=postgate-${version}-x86_64-linux-static.tar.gz

# The packaged files' time. Not exported: build scripts that read SOURCE_DATE_EPOCH (aws-lc-sys
# does) would rebuild whenever it differs from the last cargo run's, a test run's included.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

out=${out:-$root/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

case $profile in
dev | test) profile_dir=debug ;;
bench) profile_dir=release ;;
*) profile_dir=$profile ;;
esac
target_dir=$(cargo metadata --locked --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || die "cargo metadata named no target directory"

work=$(mktemp -d "${TMPDIR:-/tmp}/postgate-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The two builds. The Debian package links glibc dynamically, as Debian's own programs do, so
# that name lookups go through the system's NSS modules; the tarball's binary is for any Linux.
# With an explicit --target, RUSTFLAGS reach only the target's code, not build scripts and
# proc macros (which cannot be linked statically), and the build has a folder of its own.
say "building postgate $version ($profile profile, dynamically linked)"
cargo build --locked --profile "$profile" --bin postgate
dynamic=$target_dir/$profile_dir/postgate
say "building postgate $version ($profile profile, statically linked, --target $triple)"
# No debug information in it: the release profile strips it anyway, and for the test run's dev
# profile it is most of the link's time and of the disk this second build takes.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C debuginfo=0" \
  cargo build --locked --profile "$profile" --bin postgate --target "$triple"
static=$target_dir/$triple/$profile_dir/postgate

# What is packaged is what was built: a binary of another version would be a wrong release.
for bin in "$dynamic" "$static"; do
  [ -x "$bin" ] || die "cargo built no $bin"
  reported=$("$bin" --version) || die "$bin --version failed"
  [ "$reported" = "postgate $version" ] || die "$bin says \"$reported\", Cargo.toml says $version"
done
# Static means no program interpreter and no shared library at all.
# Read whole first: under pipefail, `objdump | grep -q` would fail when grep stops at a match.
headers=$(objdump -p "$static")
if grep -qE '^ *(NEEDED|INTERP) ' <<<"$headers"; then
  die "$static is not statically linked: $(grep -E '^ *(NEEDED|INTERP) ' <<<"$headers" | tr -s ' ' | tr '\n' ';')"
fi
case $(file -b "$static") in
*"statically linked"* | *"static-pie linked"*) ;;
*) die "file does not call $static statically linked: $(file -b "$static")" ;;
esac

# 2. What both files carry beside the binary: man pages (one per command, written by the binary
# itself), the committed completions, the README and the copyright.
man=$work/man
mkdir -p "$man"
"$dynamic" man --dir "$man" >/dev/null
[ -s "$man/postgate.1" ] || die "postgate man --dir wrote no postgate.1"
license=$(awk '/^\[/ { pkg = ($0 == "[package]") } pkg && /^license *=/ { gsub(/^license *= *"|".*$/, ""); print; exit }' Cargo.toml)
[ "$license" = "MIT OR Apache-2.0" ] ||
  die "Cargo.toml's licence is \"$license\": update the copyright file this script writes"
# The Debian machine-readable copyright format; Apache-2.0's text is in every Debian system's
# common-licenses, the MIT (Expat) text is not, so it is given in full.
cat >"$work/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: postgate
Comment: postgate's source is dual-licensed; the binary also contains the Rust crates
 locked in its Cargo.lock, each under its own licence (listed by `cargo deny list`).

Files: *
Copyright: the postgate developers
License: MIT or Apache-2.0

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0, is in
 /usr/share/common-licenses/Apache-2.0; it is also at
 https://www.apache.org/licenses/LICENSE-2.0.
EOF

# Every file gets the same time (epoch), and owner-independent modes.
settle() {
  find "$1" -exec touch -h -d "@$epoch" {} +
}

# 3. The Debian package, from a staged tree (dpkg-deb needs no debian/ folder and no extra
# tool in CI, where cargo-deb would have to be compiled first).
say "packaging $deb_name"
pkg=$work/deb
install -D -m 0755 "$dynamic" "$pkg/usr/bin/postgate"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$pkg/usr/bin/postgate"
for page in "$man"/*.1; do
  install -D -m 0644 "$page" "$pkg/usr/share/man/man1/${page##*/}"
  gzip -9n "$pkg/usr/share/man/man1/${page##*/}"
done
install -D -m 0644 completions/postgate.bash "$pkg/usr/share/bash-completion/completions/postgate"
install -D -m 0644 completions/_postgate "$pkg/usr/share/zsh/vendor-completions/_postgate"
install -D -m 0644 completions/postgate.fish "$pkg/usr/share/fish/vendor_completions.d/postgate.fish"
doc=$pkg/usr/share/doc/postgate
install -D -m 0644 "$work/copyright" "$doc/copyright"
install -D -m 0644 README.md "$doc/README.md"
gzip -9n "$doc/README.md"
install -D -m 0644 policy.toml "$doc/examples/policy.toml"
maintainer=$(awk '/^\[/ { deb = ($0 == "[package.metadata.deb]") } deb && /^maintainer *=/ { gsub(/^maintainer *= *"|".*$/, ""); print; exit }' Cargo.toml)
if [ -n "${DEBEMAIL:-}" ]; then
  maintainer="${DEBFULLNAME:-postgate} <$DEBEMAIL>"
fi
[ -n "$maintainer" ] || die "no maintainer: set [package.metadata.deb] maintainer in Cargo.toml, or DEBEMAIL"
# Debian wants a changelog in every package; this one says where the real history is.
{
  printf 'postgate (%s-1) unstable; urgency=medium\n\n' "$version"
  printf '  * Release %s, built by scripts/release.sh from the upstream sources;\n' "$version"
  printf '    the history is the project'\''s git log.\n\n'
  printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$epoch")"
} >"$doc/changelog.Debian"

gzip -9n "$doc/changelog.Debian"

# The shared libraries the binary needs, as Debian names them, with the lowest versions that
# provide every symbol it uses; dpkg-shlibdeps reads a debian/control, so it gets a minimal one.
mkdir -p "$work/shlibs/debian"
printf 'Source: postgate\n\nPackage: postgate\nArchitecture: amd64\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$pkg/usr/bin/postgate" 2>"$work/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') || {
  cat "$work/shlibdeps.err" >&2
  die "dpkg-shlibdeps failed on the binary"
}
[ -n "$depends" ] || die "dpkg-shlibdeps found no shared library, yet the package's binary is dynamic"

description=$(awk '/^\[/ { pkg = ($0 == "[package]") } pkg && /^description *=/ { sub(/^description *= *"/, ""); sub(/" *$/, ""); print; exit }' Cargo.toml)
mkdir -p "$pkg/DEBIAN"
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$pkg" | cut -f1)
{
  echo "Package: postgate"
  echo "Version: ${version}-1"
  echo "Architecture: amd64"
  echo "Maintainer: $maintainer"
  echo "Installed-Size: $installed_size"
  echo "Depends: $depends"
  # rustls reads the system's certificate authorities; the keychain is a Secret Service.
  echo "Recommends: ca-certificates"
  echo "Suggests: gnome-keyring | keepassxc"
  echo "Section: utils"
  echo "Priority: optional"
  echo "Description: guard for posting to official social-media accounts"
  fold -s -w 78 <<<"$description" | sed 's/ *$//; s/^/ /'
  echo " ."
  echo " Mastodon, Bluesky, X, Facebook Pages, LinkedIn organization pages and a"
  echo " local outbox. Run 'postgate --help' or 'man postgate' to start."
} >"$pkg/DEBIAN/control"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 0755 {} +
settle "$pkg"
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$pkg" "$work/$deb_name" >/dev/null

# 4. The static tarball: one folder, named with the version, so unpacking never mixes releases.
say "packaging $tar_name"
dir=postgate-$version
tree=$work/tar/$dir
install -D -m 0755 "$static" "$tree/postgate"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$tree/postgate"
for f in completions/*; do
  install -D -m 0644 "$f" "$tree/completions/${f##*/}"
done
for page in "$man"/*.1; do
  install -D -m 0644 "$page" "$tree/man/man1/${page##*/}"
done
install -m 0644 README.md "$tree/README.md"
install -m 0644 "$work/copyright" "$tree/COPYRIGHT"
find "$tree" -type d -exec chmod 0755 {} +
settle "$work/tar"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -cf - "$dir" | gzip -9n >"$work/$tar_name"

# 5. Into --out, then the checksums over what is there, so SHA256SUMS always matches the files.
mv -f "$work/$deb_name" "$work/$tar_name" "$out/"
(cd "$out" && sha256sum "$deb_name" "$tar_name" >SHA256SUMS.part && mv -f SHA256SUMS.part SHA256SUMS)
(cd "$out" && sha256sum -c --quiet SHA256SUMS) || die "the files in $out do not match SHA256SUMS"

say "done"
echo "Built in $out:"
for f in "$deb_name" "$tar_name" SHA256SUMS; do
  printf '  %-50s %s\n' "$f" "$(du -h --apparent-size "$out/$f" | cut -f1)"
done
echo "Depends: $depends"
echo "SHA256SUMS:"
sed 's/^/  /' "$out/SHA256SUMS"
