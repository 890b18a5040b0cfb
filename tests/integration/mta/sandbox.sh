#!/bin/sh
# Runs a mail server in a private mount and UTS namespace (started by the test as
# `unshare --mount --uts --propagation private sh sandbox.sh ROOT [--dev-log] [DIR:TARGET]... -- CMD...`)
# so that it needs no change to the machine:
#   - the host name is mx.example.test, and /etc/hosts names it, so the server never asks DNS for it;
#   - /etc/resolv.conf points at 127.0.0.1, so any DNS query that slips through stays on this machine;
#   - --dev-log: /dev is a copy of the few device nodes a daemon needs plus /dev/log, a link to
#     ROOT/syslog.sock where the test reads what the daemon sends to syslog(3);
#   - DIR:TARGET: DIR is mounted over TARGET (an existing folder), e.g. a private /var for a daemon
#     whose spool path is compiled in.
# Nothing here outlives the namespace: the mounts vanish with the last process in it.
set -eu
root=$1
shift
hostname mx.example.test
printf '127.0.0.1\tlocalhost mx.example.test mx\n::1\tlocalhost\n' >"$root/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$root/resolv.conf"
mount --bind "$root/hosts" /etc/hosts
mount --bind "$root/resolv.conf" /etc/resolv.conf
while [ $# -gt 0 ]; do
  case $1 in
    --)
      shift
      break
      ;;
    --dev-log)
      mkdir -p "$root/dev"
      for node in null zero full random urandom tty; do
        [ -e "/dev/$node" ] || continue
        : >"$root/dev/$node"
        mount --bind "/dev/$node" "$root/dev/$node"
      done
      mkdir -p "$root/dev/shm" "$root/dev/pts"
      ln -sf /proc/self/fd "$root/dev/fd"
      ln -sf "$root/syslog.sock" "$root/dev/log"
      mount --rbind "$root/dev" /dev
      ;;
    *:*)
      mount --bind "${1%%:*}" "${1#*:}"
      ;;
    *)
      echo "sandbox.sh: unknown argument $1" >&2
      exit 2
      ;;
  esac
  shift
done
exec "$@"
