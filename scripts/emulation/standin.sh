#!/usr/bin/env bash
# Makes a stand-in executable: a copy of /usr/bin/true under the name of a tool
# this host does not have (VBoxManage, VBoxHeadless ...). The detections watch
# process starts, so what matters is that a real ELF binary with that name is
# executed with the emulated arguments; a shell script would show up as its
# interpreter instead. The stand-in does nothing and exits 0.
#   usage: standin.sh NAME DIR   → prints DIR/NAME
set -eu
name=${1:?usage: standin.sh NAME DIR}
dir=${2:?usage: standin.sh NAME DIR}
case "$name" in */*|'') echo "standin.sh: NAME must be a plain file name" >&2; exit 2 ;; esac
mkdir -p "$dir"
src=/usr/bin/true; [ -x "$src" ] || src=/bin/true
cp "$src" "$dir/$name"
chmod 0755 "$dir/$name"
printf '%s\n' "$dir/$name"
