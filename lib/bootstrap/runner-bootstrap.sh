#!/bin/bash
# Spotlab in-VM bootstrap: one GitLab job on this instance, then power off.
#
# renderUserData (user-data.ts) prepends the SPOTLAB_* settings; none of them is a secret. The
# runner token lives only in an SSM SecureString named after this instance, which this script
# reads once and deletes. Tests may set SPOTLAB_IMDS_URL, SPOTLAB_POLL_SECONDS,
# SPOTLAB_WARM_POLL_SECONDS, SPOTLAB_INSTALL_DIR and SPOTLAB_BAKED_MARKER.
#
# The launch template sets instance-initiated shutdown = terminate, so every way out of this
# script (success, failure, signal) ends in power-off, i.e. termination: a VM never outlives its job.

# Never trace: a trace would print the runner token into the console log.
set +x
set -euo pipefail
# Without this, a failure inside $(...) would not stop the script.
shopt -s inherit_errexit
umask 077

readonly IMDS_URL="${SPOTLAB_IMDS_URL:-http://169.254.169.254}"
readonly POLL_SECONDS="${SPOTLAB_POLL_SECONDS:-5}"
# A ready instance waits only for its token, and that wait is most of a warm job's start: it polls
# faster. 0.5 GetParameter a second per ready instance, against SSM's default 40 a second an account.
readonly WARM_POLL_SECONDS="${SPOTLAB_WARM_POLL_SECONDS:-2}"
readonly INSTALL_DIR="${SPOTLAB_INSTALL_DIR:-/usr/local/bin}"
# Written last by the Image Builder bake (bake-image.sh): `runner=<version>` of what it installed.
readonly BAKED_MARKER="${SPOTLAB_BAKED_MARKER:-/etc/spotlab/baked}"
# cloud-init does not promise /usr/local/bin on PATH.
case ":$PATH:" in
  *":$INSTALL_DIR:"*) ;;
  *) PATH="$PATH:$INSTALL_DIR" ;;
esac

token=''
work_dir=''
# Seconds since kernel boot at each start-up stage (see report_startup).
declare -A stage_at=()

log() {
  printf 'spotlab: %s\n' "$*"
  logger -t spotlab -- "$*" 2>/dev/null || true
}

require_settings() {
  local name
  for name in SPOTLAB_REGION SPOTLAB_GITLAB_URL SPOTLAB_TOKEN_PREFIX SPOTLAB_EXECUTOR \
    SPOTLAB_PRIVILEGED SPOTLAB_DOCKER_GPUS SPOTLAB_WAIT_TIMEOUT_SECONDS SPOTLAB_TOKEN_WAIT_SECONDS SPOTLAB_ARCH \
    SPOTLAB_RUNNER_VERSION SPOTLAB_POOL SPOTLAB_STARTUP_NAMESPACE; do
    if [[ -z "${!name:-}" ]]; then
      log "setting $name is missing"
      return 1
    fi
  done
  # Declared even when empty, so that set -u catches a settings block that forgot them.
  : "${SPOTLAB_DOCKER_IMAGE?}" "${SPOTLAB_CACHE_BUCKET?}"
}

# GitLab counts registered runners against a quota: delete ours on every way out once we hold its
# token. The token reaches curl through a mode-600 file, never through argv.
delete_runner() {
  local token_file="$work_dir/runner-token"
  printf '%s' "$token" >"$token_file"
  if curl --silent --show-error --fail --connect-timeout 5 --max-time 20 --retry 4 \
    --output /dev/null --request DELETE "$SPOTLAB_GITLAB_URL/api/v4/runners" \
    --form "token=<$token_file"; then
    log 'runner deleted'
  else
    log 'runner deletion failed; the reaper removes runners whose instance is gone'
  fi
  rm -f "$token_file"
}

# Seconds since the kernel booted, from /proc/uptime (tests may point SPOTLAB_UPTIME_FILE elsewhere).
mark_stage() {
  local up rest
  read -r up rest <"${SPOTLAB_UPTIME_FILE:-/proc/uptime}" || return 0
  stage_at[$1]="$up"
}

# b - a for /proc/uptime's seconds with two decimals, in bash arithmetic (no awk or bc needed).
seconds_between() {
  local a="${1/./}" b="${2/./}" diff
  diff=$((10#$b - 10#$a))
  printf '%d.%02d' $((diff / 100)) $((diff % 100))
}

# One PutMetricData call once the job is over, so it never delays the job: how long boot, token
# and tools took, and the total to the runner asking for its job. The role may write only its
# Spotlab's start-up namespace, SPOTLAB_STARTUP_NAMESPACE (Spotlab/Startup for the shipped app).
# Best effort: a VM that cannot report still ran its job.
report_startup() {
  [[ -n "${stage_at[runner]:-}" ]] || return 0
  local started="${stage_at[started]}" token_at="${stage_at[token]}" tools_at="${stage_at[tools]}"
  local total="${stage_at[runner]}" data='' stage value
  for stage in boot token tools total; do
    case "$stage" in
      boot) value="$started" ;;
      token) value="$(seconds_between "$started" "$token_at")" ;;
      tools) value="$(seconds_between "$token_at" "$tools_at")" ;;
      total) value="$total" ;;
    esac
    data+="{\"MetricName\":\"StartupSeconds\",\"Unit\":\"Seconds\",\"Value\":$value,\"Dimensions\":[{\"Name\":\"pool\",\"Value\":\"$SPOTLAB_POOL\"},{\"Name\":\"stage\",\"Value\":\"$stage\"}]},"
  done
  # The total once more without the pool: one series the start-up alarm can watch.
  data+="{\"MetricName\":\"StartupSeconds\",\"Unit\":\"Seconds\",\"Value\":$total,\"Dimensions\":[{\"Name\":\"stage\",\"Value\":\"total\"}]}"
  log "start-up: boot ${started}s, token at ${token_at}s, tools at ${tools_at}s, runner at ${total}s"
  aws cloudwatch put-metric-data --namespace "$SPOTLAB_STARTUP_NAMESPACE" --region "$SPOTLAB_REGION" \
    --metric-data "[$data]" >/dev/null || log 'start-up metrics not reported'
}

finish() {
  local status=$?
  trap - EXIT
  set +e
  report_startup
  if [[ -n "$token" ]]; then
    delete_runner
    token=''
  fi
  [[ -n "$work_dir" ]] && rm -rf "$work_dir"
  log "powering off (exit status $status)"
  shutdown -h now || poweroff
  exit "$status"
}

# IMDSv2 only (the launch template requires it). curl retries bounded, for the seconds after boot
# when the metadata service may not answer yet.
imds_get() {
  local path="$1" session
  session="$(curl --silent --show-error --fail --connect-timeout 2 --max-time 5 \
    --retry 5 --retry-delay 1 --retry-connrefused --request PUT \
    --header 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS_URL/latest/api/token")" || return 1
  curl --silent --show-error --fail --connect-timeout 2 --max-time 5 \
    --retry 5 --retry-delay 1 --retry-connrefused \
    --header "X-aws-ec2-metadata-token: $session" "$IMDS_URL/latest/meta-data/$path"
}

# The launcher writes the parameter right after CreateFleet answers, so the VM may boot first:
# poll for it, SPOTLAB_TOKEN_WAIT_SECONDS / SPOTLAB_POLL_SECONDS + 1 times. Sets the global token.
# A ready instance (second argument "unbounded") polls until a token appears: scale-up claims it
# for a job, or the reaper terminates it when its warm window closes.
wait_for_token() {
  local name="$1" bound="${2:-}" attempt value errors="$work_dir/ssm-errors"
  local attempts=$((SPOTLAB_TOKEN_WAIT_SECONDS / POLL_SECONDS + 1)) pause="$POLL_SECONDS"
  if [[ "$bound" == unbounded ]]; then pause="$WARM_POLL_SECONDS"; fi
  for ((attempt = 1; ; attempt++)); do
    if value="$(aws ssm get-parameter --with-decryption --name "$name" \
      --query Parameter.Value --output text --region "$SPOTLAB_REGION" 2>"$errors")" &&
      [[ -n "$value" && "$value" != 'None' ]]; then
      token="$value"
      return 0
    fi
    # Error text from the CLI names the parameter and the cause, never the value.
    if ! grep -q 'ParameterNotFound' "$errors"; then
      log "reading the token parameter failed: $(head -n 1 "$errors")"
    fi
    if ((attempt >= attempts)) && [[ "$bound" != unbounded ]]; then
      return 1
    fi
    sleep "$pause"
  done
}

# The token is read once: remove it from SSM so nothing else can. If the delete fails, carry on;
# the reaper deletes token parameters whose instance is gone.
delete_token_parameter() {
  local name="$1"
  if aws ssm delete-parameter --name "$name" --region "$SPOTLAB_REGION" >/dev/null; then
    log 'token parameter deleted'
  else
    log 'token parameter deletion failed; the reaper removes it'
  fi
}

# The runner version a baked image's marker names; nothing on a stock image.
baked_runner_version() {
  local line
  [[ -r "$BAKED_MARKER" ]] || return 0
  while read -r line || [[ -n "$line" ]]; do
    [[ "$line" == runner=* ]] && printf '%s' "${line#runner=}"
  done <"$BAKED_MARKER"
  return 0
}

# A baked image holds docker and the pinned runner: nothing to install. One baked for another
# runner release keeps its docker but gets this release's runner, verified as on a stock image.
ensure_tools() {
  local baked
  baked="$(baked_runner_version)"
  if [[ -n "$baked" ]]; then
    log "baked image (gitlab-runner v$baked)"
  fi
  if [[ "$SPOTLAB_EXECUTOR" == docker ]]; then
    [[ -n "$baked" ]] || command -v docker >/dev/null || install_docker
    systemctl start docker
  fi
  if [[ -n "$baked" && "$baked" != "$SPOTLAB_RUNNER_VERSION" ]]; then
    install_gitlab_runner
  elif [[ -z "$baked" ]]; then
    command -v gitlab-runner >/dev/null || install_gitlab_runner
  fi
  if [[ "$SPOTLAB_EXECUTOR" == shell ]]; then
    prepare_job_user
  fi
}

# Fills the named array with the run-single arguments; none of them is the token.
build_runner_args() {
  local -n args_ref="$1"
  args_ref=(run-single --url "$SPOTLAB_GITLAB_URL" --executor "$SPOTLAB_EXECUTOR"
    --max-builds 1 --wait-timeout "$SPOTLAB_WAIT_TIMEOUT_SECONDS")
  if [[ "$SPOTLAB_EXECUTOR" == docker ]]; then
    args_ref+=(--docker-image "$SPOTLAB_DOCKER_IMAGE")
    if [[ "$SPOTLAB_PRIVILEGED" == true ]]; then
      args_ref+=(--docker-privileged)
    fi
    if [[ "$SPOTLAB_DOCKER_GPUS" == true ]]; then
      args_ref+=(--docker-gpus all)
    fi
  else
    # Shell jobs start from the runner's own environment, where the token travels; a job variable
    # of the same name blanks it in the job's script, and the job shell (job-user.sh) drops it
    # before the job user's shell starts. Builds live where the job user may write.
    args_ref+=(--env 'CI_SERVER_TOKEN=' --builds-dir "$JOB_HOME/builds" --cache-dir "$JOB_HOME/cache")
  fi
  if [[ -n "$SPOTLAB_CACHE_BUCKET" ]]; then
    # IAM: the runner signs cache URLs with the instance role; no keys on the VM.
    args_ref+=(--cache-type s3 --cache-shared --cache-s3-server-address s3.amazonaws.com
      --cache-s3-bucket-name "$SPOTLAB_CACHE_BUCKET" --cache-s3-bucket-location "$SPOTLAB_REGION"
      --cache-s3-authentication_type iam)
  fi
}

main() {
  mark_stage started
  require_settings
  work_dir="$(mktemp -d)"

  local instance_id parameter
  instance_id="$(imds_get instance-id)"
  if [[ ! "$instance_id" =~ ^i-[0-9a-f]+$ ]]; then
    log 'the metadata service returned no instance id'
    return 1
  fi
  # Only a warm-capable pool's template shows tags in metadata; an absent tag answers 404.
  local bound=''
  if [[ "${SPOTLAB_WARM_CAPABLE:-false}" == true && "$(imds_get tags/instance/spotlab:warm || true)" == ready ]]; then
    bound=unbounded
    log "instance $instance_id: ready instance, tools first"
    ensure_tools
    mark_stage tools
  fi
  log "instance $instance_id: waiting for its runner token"

  parameter="$SPOTLAB_TOKEN_PREFIX/$instance_id"
  if ! wait_for_token "$parameter" "$bound"; then
    log "no runner token after ${SPOTLAB_TOKEN_WAIT_SECONDS}s"
    return 1
  fi
  log 'runner token read'
  mark_stage token
  delete_token_parameter "$parameter"

  if [[ -z "$bound" ]]; then
    ensure_tools
    mark_stage tools
  fi

  local -a runner_args
  build_runner_args runner_args
  log "running one job ($SPOTLAB_EXECUTOR executor)"
  # gitlab-runner reads --token from CI_SERVER_TOKEN: the environment keeps it out of ps, and
  # /proc/<pid>/environ of this root process is readable by root only. The shell executor runs
  # `bash` from PATH: the job shell first on it makes each job script run as the job user.
  local runner_path="$PATH"
  [[ "$SPOTLAB_EXECUTOR" == shell ]] && runner_path="$work_dir/job-shell:$PATH"
  mark_stage runner
  CI_SERVER_TOKEN="$token" PATH="$runner_path" gitlab-runner "${runner_args[@]}"
  log 'job finished'
}

trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
main "$@"
