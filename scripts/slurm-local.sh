#!/usr/bin/env bash
# A real one-node Slurm cluster on localhost, for tests: Debian's slurm-wlm and munge, a
# minimal slurm.conf, munged + slurmctld + slurmd started by hand (works as root in a
# container without systemd).
#
#   scripts/slurm-local.sh start     install if needed, configure, start, wait until the node is idle
#   scripts/slurm-local.sh stop      cancel jobs and stop the daemons
#   scripts/slurm-local.sh status    sinfo
#
# Must run as root. The state lives in /var/lib/slurm-local (spool, state, logs).
set -euo pipefail
STATE=/var/lib/slurm-local
CONF=/etc/slurm/slurm.conf
say() { echo "slurm-local: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || { say "must run as root"; exit 1; }; }

install() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; }
  fi
}

configure() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  mkdir -p "$STATE"/{spool,state,log} /etc/slurm /run/munge /var/log/munge /var/lib/munge
  chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  cat > "$CONF" <<CONF
# Written by scripts/slurm-local.sh: one node on localhost, for tests.
ClusterName=runner-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
# Small on purpose, so the tests see a plan larger than one array's limit split into several
# (a stock Slurm allows 1001 tasks an array; runner reads the limit from scontrol).
MaxArraySize=5
KillWait=5
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  # proctrack/linuxproc and task/none need no cgroup manager (there is no systemd here);
  # slurmd then only probes cgroups, which works without a cgroup.conf.
}

wait_idle() {
  local i state
  for i in $(seq 1 60); do
    state=$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)
    case "$state" in
      idle|mixed|allocated) say "node is $state"; return 0 ;;
      down*|drain*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  say "the node did not become idle; see $STATE/log/"
  tail -n 20 "$STATE"/log/*.log >&2 || true
  return 1
}

start() {
  need_root
  install
  configure
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
  pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
  wait_idle
}

stop() {
  need_root
  scancel --user=root >/dev/null 2>&1 || true
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status" >&2; exit 2 ;;
esac
