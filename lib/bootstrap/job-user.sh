#!/bin/bash
# Spotlab in-VM bootstrap, shell executor: the unprivileged user every shell job runs as.
#
# gitlab-runner's `run-single` has no --user (only `run` has one: run-single builds with an empty
# global config), so its shell executor would run each job as root, beside the runner whose
# environment holds the token. Instead the shell executor's `bash` is a job shell that drops to
# JOB_USER before the job script starts. Another uid cannot read a root process's
# /proc/<pid>/environ or memory, nor the mode-700 work directory; the firewall below keeps it
# away from the instance metadata service, so it gets no instance role credentials either (the
# IMDS hop limit of 1 stops containers, not a local user). Sourced by the bootstrap script.

readonly JOB_USER=spotlab-job
readonly JOB_HOME="/home/$JOB_USER"

# Rejects the job user's packets to IMDS (IPv4 and the Nitro IPv6 endpoint); root, and so the
# runner, still reaches it. Fails, and so powers the VM off, if the rule cannot be set.
block_metadata_for_job_user() {
  local uid
  uid="$(id -u "$JOB_USER")"
  command -v nft >/dev/null || dnf install -y nftables
  nft -f - <<RULES
table inet spotlab_job {
  chain output {
    type filter hook output priority 0; policy accept;
    meta skuid $uid ip daddr 169.254.169.254 reject
    meta skuid $uid ip6 daddr fd00:ec2::254 reject
  }
}
RULES
}

# The `bash` the runner starts for every job stage: drops the token from the environment, then
# becomes the job user with no capabilities and no way back up through setuid binaries.
write_job_shell() {
  mkdir -p "$work_dir/job-shell"
  # Values are quoted now, at write time; "$@" stays for the job shell's own arguments.
  # shellcheck disable=SC2016
  printf '%s\n' '#!/bin/bash' \
    'unset CI_SERVER_TOKEN' \
    "export HOME='$JOB_HOME' USER='$JOB_USER' LOGNAME='$JOB_USER'" \
    "exec setpriv --reuid='$JOB_USER' --regid='$JOB_USER' --init-groups --no-new-privs --inh-caps=-all -- /bin/bash \"\$@\"" \
    >"$work_dir/job-shell/bash"
  chmod 0700 "$work_dir/job-shell/bash"
}

prepare_job_user() {
  if ! id -u "$JOB_USER" >/dev/null 2>&1; then
    useradd --create-home --user-group --shell /bin/bash "$JOB_USER"
  fi
  block_metadata_for_job_user
  write_job_shell
  log "shell jobs run as $JOB_USER, without access to the metadata service"
}
