#!/bin/sh
# install-deps.sh - installs the Debian 12 packages spcc needs, only those
# missing. Runs as root, or through sudo when not root. Idempotent and quiet
# when everything is present.
set -eu

PKGS="cmake make gcc pkg-config protobuf-c-compiler libprotobuf-c-dev libcmocka-dev \
libffi-dev libonnx-dev libonnx-testdata python3-onnx python3-numpy"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps.sh: missing packages:$missing (run as root or install sudo)" >&2
  exit 1
fi
echo "install-deps.sh: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
