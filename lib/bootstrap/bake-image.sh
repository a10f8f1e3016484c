#!/bin/bash
# Spotlab image bake: run once by EC2 Image Builder on an Amazon Linux 2023 build instance, so that
# runner VMs launched from the image skip what runner-bootstrap.sh would otherwise do on every boot
# (dnf install docker 15-40 s, the runner download 1-5 s, the helper image pull 3-10 s).
#
# image-component.ts prepends the SPOTLAB_* settings (architecture, runner version, images to
# pull) and runner-install.sh, the install logic the bootstrap uses too. The marker file written
# last is how the bootstrap knows the image did its work, and for which runner version.

set +x
set -euo pipefail
shopt -s inherit_errexit

readonly INSTALL_DIR="${SPOTLAB_INSTALL_DIR:-/usr/local/bin}"
readonly BAKED_MARKER="${SPOTLAB_BAKED_MARKER:-/etc/spotlab/baked}"
# Units a single-job CI VM never uses, each costing boot time or running beside the job:
# - dnf-makecache.timer refreshes every repository's metadata minutes after boot (network and CPU
#   taken from the job; the VM installs nothing from dnf once baked);
# - sshd.service and sshd-keygen host key generation: the launch template sets no key pair and the
#   security group admits no inbound traffic, so nobody can log in anyway.
# The SSM agent is not listed: the recipe has Image Builder uninstall it after the build (the
# runner role grants it nothing, and Image Builder needs it while building).
readonly UNUSED_UNITS=(dnf-makecache.timer sshd.service sshd-keygen.target)
work_dir=''

log() {
  printf 'spotlab-bake: %s\n' "$*"
}

# GitLab's helper image for a released runner is tagged <arch>-v<version>; the docker executor
# pulls exactly this one when the image does not have it.
helper_image() {
  printf 'registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:%s-v%s' \
    "$SPOTLAB_ARCH" "$SPOTLAB_RUNNER_VERSION"
}

trim_boot() {
  local unit
  for unit in "${UNUSED_UNITS[@]}"; do
    # A unit an AL2023 release dropped is not an error.
    if systemctl list-unit-files "$unit" >/dev/null 2>&1; then
      systemctl disable "$unit"
      log "disabled $unit"
    fi
  done
}

bake() {
  work_dir="$(mktemp -d)"
  install_docker
  # Enabled, so the job's docker daemon is up by the time the bootstrap asks for it.
  systemctl enable --now docker
  install_gitlab_runner
  local image
  docker pull "$(helper_image)"
  # Word splitting is the list format: image references hold no blanks (user-data.ts checks them).
  for image in ${SPOTLAB_PRE_PULLED_IMAGES}; do
    docker pull "$image"
  done
  trim_boot
  mkdir -p "$(dirname "$BAKED_MARKER")"
  printf 'runner=%s\n' "$SPOTLAB_RUNNER_VERSION" >"$BAKED_MARKER"
  rm -rf "$work_dir"
  log "baked gitlab-runner v$SPOTLAB_RUNNER_VERSION and $(wc -w <<<"$SPOTLAB_PRE_PULLED_IMAGES") pre-pulled images"
}

bake "$@"
