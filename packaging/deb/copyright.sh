#!/bin/sh
# Writes the package's copyright file (Debian's machine-readable format) on
# stdout: heatd's own paragraph, then one for the Go toolchain's standard
# library and one for each Go module linked into the binaries, with the
# license text the module ships (Apache-2.0 by reference to Debian's
# common-licenses, as policy asks). Generated at build time, so a module
# added to go.mod is listed without anyone remembering to.
#
#   sh packaging/deb/copyright.sh YEAR PACKAGE...
set -eu
year=$1
shift
GO=${GO:-go}

cat <<HEAD
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: heatd
Source: https://github.com/heatd/heatd

Files: *
Copyright: $year heatd developers
License: no-license-stated
 heatd's source states no license. Until its developers choose one, no
 license is granted beyond the right to install and run this package.
HEAD

# indent prints a license text as a field's continuation lines.
indent() {
	sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' "$1"
}

# paragraph MODULE VERSION DIR [WHAT]
paragraph() {
	license=
	for f in LICENSE LICENSE.txt LICENSE.md COPYING; do
		[ -f "$3/$f" ] && license=$3/$f && break
	done
	if [ -z "$license" ]; then
		echo "copyright.sh: $1 $2 ships no LICENSE file" >&2
		exit 1
	fi
	holders=$(cat "$license" "$3/NOTICE" 2>/dev/null | grep -E '^[[:space:]]*Copyright (\(c\) |©)?[0-9]' |
		sed -e 's/^[[:space:]]*Copyright[[:space:]]*//' -e 's/^(c)[[:space:]]*//' | sort -u || true)
	[ -n "$holders" ] || holders="the authors of $1"
	printf '\nFiles: %s/*\n' "$1"
	printf 'Copyright: %s\n' "$(echo "$holders" | sed -e '2,$s/^/ /')"
	printf 'Comment: %s %s, linked into /usr/bin/heatd, heat and heatctl\n' "${4:-$1}" "$2"
	if grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
		printf 'License: Apache-2.0\n On Debian systems, the complete text of the Apache License 2.0 is in\n /usr/share/common-licenses/Apache-2.0.\n'
	elif grep -q 'Permission is hereby granted, free of charge' "$license"; then
		printf 'License: Expat\n'
		indent "$license"
	elif grep -q 'Neither the name' "$license"; then
		printf 'License: BSD-3-Clause\n'
		indent "$license"
	elif grep -q 'Redistribution and use in source and binary forms' "$license"; then
		printf 'License: BSD-2-Clause\n'
		indent "$license"
	else
		echo "copyright.sh: $1 $2: a license copyright.sh does not know: $license" >&2
		exit 1
	fi
}

paragraph go "$($GO env GOVERSION)" "$($GO env GOROOT)" "Go's standard library and runtime,"
$GO list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$@" |
	sort -u | while read -r path version dir; do
	paragraph "$path" "$version" "$dir"
done
