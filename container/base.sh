#!/bin/sh
# Makes a Debian bookworm base image from Debian's own packages, for machines that reach Debian's
# package mirror but no container registry: debootstrap --variant=minbase, trimmed the way
# debian:bookworm-slim is (no manuals, documentation or translations; apt keeps no caches), then
# imported with buildah as one layer.
#   container/base.sh [TAG]          (default kipina-base:bookworm; needs root, debootstrap, buildah)
# DEBIAN_MIRROR and DEBIAN_SECURITY pick the mirror (default: deb.debian.org, as on this machine).
set -eu
tag=${1:-kipina-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
for tool in debootstrap buildah; do
    command -v "$tool" >/dev/null || { echo "$0 needs $tool: apt-get install -y buildah debootstrap" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (debootstrap)" >&2; exit 1; }

work=$(mktemp -d)
container=
cleanup() {
    [ -z "$container" ] || buildah rm "$container" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
root=$work/root

echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2; exit 1; }

# What debian:bookworm-slim sets: dpkg leaves out manuals, documentation (but copyright files) and
# translations of packages installed later; apt keeps no package caches and fetches no translations.
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
cat >"$root/etc/apt/apt.conf.d/slim" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
APT::AutoRemove::SuggestsImportant "false";
APT::Install-Recommends "false";
CFG
# Point releases and security updates as well; the image's build runs apt-get upgrade.
cat >"$root/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
LIST
# The same trim for what debootstrap already unpacked; a container needs no device nodes of its own.
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/groff/* "$root"/usr/share/info/* \
       "$root"/usr/share/lintian/* "$root"/usr/share/linda/* "$root"/usr/share/locale/* \
       "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
       "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/dev/* "$root"/etc/machine-id
: >"$root/etc/hostname"

tar --numeric-owner -C "$root" -cf "$work/root.tar" .
container=$(buildah from scratch)
buildah add --quiet "$container" "$work/root.tar" /
buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --label org.opencontainers.image.title="Debian bookworm (minbase, from $mirror)" "$container"
buildah commit --quiet --rm "$container" "$tag" >/dev/null
container=
echo "made $tag: $(buildah images --format '{{.Size}}' "$tag")"
