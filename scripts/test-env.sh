#!/usr/bin/env bash
# Prepares the real components the tests use: Docker engine, Linux audit,
# NATS server, Chromium, a busybox image. Installs from Debian when missing,
# starts what is not running. Idempotent; says loudly what it could not do.
set -u
log() { printf 'test-env: %s\n' "$*"; }

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v auditctl >/dev/null || need+=(auditd)
command -v busybox >/dev/null || need+=(busybox-static)
command -v nats-server >/dev/null || need+=(nats-server)
command -v chromium >/dev/null || need+=(chromium)
command -v ncat >/dev/null || need+=(ncat)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# the process variants' other spellings (scripts/process-variants.mjs): socat, 7z, age, ccrypt
command -v socat >/dev/null || need+=(socat)
[ -x /usr/lib/p7zip/7z ] || need+=(p7zip-full)
command -v age >/dev/null || need+=(age)
command -v ccrypt >/dev/null || need+=(ccrypt)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${need[*]}"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}") >/tmp/stowaway-apt.log 2>&1 \
      || log "WARNING: apt-get install failed (see /tmp/stowaway-apt.log); tests needing ${need[*]} will say so"
  else
    log "WARNING: not root, cannot install ${need[*]}"
  fi
fi

# Docker engine
if command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  (nohup dockerd --iptables=false --bridge=none >/tmp/stowaway-dockerd.log 2>&1 &)
  for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
if docker info >/dev/null 2>&1; then
  if ! docker image inspect stowaway/busybox:test >/dev/null 2>&1 && command -v busybox >/dev/null; then
    log "importing busybox image stowaway/busybox:test"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/etc" "$tmp/data" "$tmp/mnt"
    cp "$(command -v busybox)" "$tmp/bin/busybox"
    for a in $("$tmp/bin/busybox" --list); do [ -e "$tmp/bin/$a" ] || ln -s busybox "$tmp/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
    tar -C "$tmp" -c . | docker import -c 'CMD ["/bin/sh"]' - stowaway/busybox:test >/dev/null && log "image ready"
    rm -rf "$tmp"
  fi
else
  log "WARNING: Docker engine not available; Docker tests will report why"
fi

# Linux audit
# The kernel keeps the pid of a killed auditd registered until it next fails to send to it,
# so "pid N" from auditctl -s is only believed when that process is alive (not a zombie) and is auditd.
audit_daemon_alive() {
  local pid
  pid=$(auditctl -s 2>/dev/null | sed -n 's/^pid \([0-9]*\)$/\1/p')
  [ -n "$pid" ] && [ "$pid" != 0 ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = auditd ] \
    && ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$pid/status" 2>/dev/null
}
if command -v auditctl >/dev/null; then
  if ! audit_daemon_alive; then
    log "starting auditd"
    for _ in 1 2 3; do
      auditd 2>>/tmp/stowaway-auditd.log || true
      for _ in $(seq 1 20); do audit_daemon_alive && break; sleep 0.25; done
      audit_daemon_alive && break
      pkill -x auditd 2>/dev/null; sleep 1
    done
    if audit_daemon_alive; then log "auditd running"; else
      log "WARNING: auditd did not register with the kernel; audit tests will say so"
      auditctl -s 2>&1 | sed 's/^/test-env:   /'
      tail -n 20 /tmp/stowaway-auditd.log 2>/dev/null | sed 's/^/test-env:   /'
    fi
  fi
  auditctl -e 1 >/dev/null 2>&1 || log "WARNING: cannot enable kernel audit"
  # the default backlog (64) overflows while several test suites exec in parallel
  auditctl -b 8192 >/dev/null 2>&1 || log "WARNING: cannot raise the audit backlog limit"
fi
exit 0
