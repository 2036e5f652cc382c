#!/usr/bin/env bash
# Re-records the Docker and Linux audit fixtures from real containers on this machine.
# Needs root, a running dockerd and auditd (bash scripts/test-env.sh) and the image
# stowaway/busybox:test. Writes into src/sources/{docker,auditd}/fixtures/.
set -eu
cd "$(dirname "$0")/.."
img=stowaway/busybox:test
key=stowaway-fx
lbl=stowaway.fixture=1
dfx=src/sources/docker/fixtures
afx=src/sources/auditd/fixtures
mkdir -p "$dfx" "$afx" /tmp/stowaway-fx
log=/var/log/audit/audit.log

cleanup() {
  docker ps -aq --filter "label=$lbl" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume rm -f stowaway-fx-nfs >/dev/null 2>&1 || true
  auditctl -D -k "$key" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

auditctl -a always,exit -F arch=b64 -S execve -k "$key"
auditctl -a always,exit -F arch=b64 -S connect -k "$key"
before=$(stat -c %s "$log")
since=$(date +%s)

# bind mounts, read-only and read-write, and a docker exec into it
docker run -d --name stowaway-fx-bind --label "$lbl" --label app=fixture --network none \
  -v /etc:/host-etc:ro -v /tmp/stowaway-fx:/data "$img" sleep 30 >/dev/null
docker exec stowaway-fx-bind cat /host-etc/hostname >/dev/null
docker exec -u 0 stowaway-fx-bind sh -c 'echo hi > /data/x; ls /data' >/dev/null
# host namespaces; connects to the host's loopback from inside
docker run -d --name stowaway-fx-hostns --label "$lbl" --pid host --network host --ipc host --uts host \
  "$img" sh -c 'nc -w 1 127.0.0.1 9 </dev/null; sleep 30' >/dev/null
# no logs, capabilities, hardening options
docker run -d --name stowaway-fx-nolog --label "$lbl" --network none --log-driver none \
  --cap-add NET_ADMIN --cap-drop MKNOD --security-opt no-new-privileges --read-only --user 1000:1000 \
  "$img" sleep 30 >/dev/null
# a volume with driver options as a network share would carry (created, never started)
docker create --name stowaway-fx-nfs --label "$lbl" --network none \
  --mount 'type=volume,source=stowaway-fx-nfs,target=/share,volume-driver=local,volume-opt=type=nfs,volume-opt=device=:/exports,"volume-opt=o=addr=10.0.0.1,ro"' \
  "$img" true >/dev/null
# --rm: die and destroy must still carry metadata
docker run -d --rm --name stowaway-fx-rm --label "$lbl" --network none "$img" sh -c 'sleep 3; exit 3' >/dev/null
# privileged: created, start may be refused in this sandbox
docker run -d --name stowaway-fx-priv --label "$lbl" --network none --privileged "$img" sleep 30 >/dev/null 2>&1 || true
sleep 1
docker inspect $(docker ps -aq --filter "label=$lbl") >"$dfx/inspect.json"
sleep 3
docker rm -f stowaway-fx-bind stowaway-fx-hostns stowaway-fx-nolog stowaway-fx-nfs stowaway-fx-priv >/dev/null 2>&1 || true
sleep 1
until=$(date +%s)
docker events --since "$since" --until "$until" --filter "label=$lbl" --format '{{json .}}' >"$dfx/events.ndjson"

# audit: every record of every event our key tagged, as written in audit.log
auditctl -D -k "$key" >/dev/null
sleep 1
tail -c +"$((before + 1))" "$log" >/tmp/stowaway-fx/audit.part
awk -v k="key=\"$key\"" '
  { if (match($0, /msg=audit\([0-9.]+:[0-9]+\)/)) s = substr($0, RSTART, RLENGTH); else s = "" }
  index($0, k) && s != "" { keep[s] = 1 }
  { line[NR] = $0; ser[NR] = s }
  END { for (i = 1; i <= NR; i++) if (ser[i] in keep) print line[i] }
' /tmp/stowaway-fx/audit.part >"$afx/containers.log"
echo "record-fixtures: $(wc -l <"$dfx/events.ndjson") docker events, $(grep -c . "$afx/containers.log") audit records"
