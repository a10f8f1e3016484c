#!/bin/bash
# Spotlab's tool installs, shared by the VM bootstrap (runner-bootstrap.sh, on a stock image) and the
# Image Builder component that bakes them into an image (bake-image.sh): one copy of the download
# and checksum logic. Needs log, $work_dir, $INSTALL_DIR, SPOTLAB_ARCH and SPOTLAB_RUNNER_VERSION.

install_docker() {
  log 'installing docker'
  dnf install -y docker
}

# The expected SHA-256 of `binaries/<file>` from a release.sha256 (`<hex><blank><name>` lines; a
# leading `./` or sha256sum's `*` tolerated). Prints nothing unless exactly one valid line names it.
expected_sha256() {
  local sums="$1" file="$2" sum name found=''
  while read -r sum name || [[ -n "$sum" ]]; do
    name="${name#\*}"
    name="${name#./}"
    if [[ "$name" == "binaries/$file" && "$sum" =~ ^[0-9a-f]{64}$ ]]; then
      [[ -z "$found" ]] || return 0
      found="$sum"
    fi
  done <"$sums"
  printf '%s' "$found"
}

# The standalone binary rather than GitLab's RPM: the RPM requires the gitlab-runner-helper-images
# RPM (hundreds of MB, every architecture) and starts a systemd service this VM never uses. The
# docker executor pulls the one helper image it needs from GitLab's registry. The download is
# checked against GitLab's release.sha256 before it is installed or run: a mismatch, or a checksum
# file without the binary's line, ends the VM before its runner can take a job.
install_gitlab_runner() {
  local arch file downloads expected actual
  case "$SPOTLAB_ARCH" in
    x86_64) arch=amd64 ;;
    arm64) arch=arm64 ;;
    *)
      log "unsupported architecture $SPOTLAB_ARCH"
      return 1
      ;;
  esac
  file="gitlab-runner-linux-$arch"
  # One release folder per version, holding binaries/ and the release.sha256 GitLab publishes (and
  # signs, in release.sha256.asc) for it: never `latest`, which changes under a running fleet.
  downloads="https://gitlab-runner-downloads.s3.amazonaws.com/v$SPOTLAB_RUNNER_VERSION"
  log "installing gitlab-runner v$SPOTLAB_RUNNER_VERSION ($arch)"
  curl --silent --show-error --fail --location --connect-timeout 5 --max-time 300 --retry 5 \
    --output "$work_dir/gitlab-runner" "$downloads/binaries/$file"
  curl --silent --show-error --fail --location --connect-timeout 5 --max-time 30 --retry 5 \
    --output "$work_dir/release.sha256" "$downloads/release.sha256"
  expected="$(expected_sha256 "$work_dir/release.sha256" "$file")"
  actual="$(sha256sum "$work_dir/gitlab-runner")"
  actual="${actual%% *}"
  if [[ -z "$expected" || "$actual" != "$expected" ]]; then
    log "gitlab-runner v$SPOTLAB_RUNNER_VERSION checksum mismatch, refusing to run"
    rm -f "$work_dir/gitlab-runner"
    return 1
  fi
  log "gitlab-runner v$SPOTLAB_RUNNER_VERSION checksum verified"
  install -m 0755 "$work_dir/gitlab-runner" "$INSTALL_DIR/gitlab-runner"
}
