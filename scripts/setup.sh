#!/usr/bin/env bash
# Installs everything Harken needs on a fresh Debian 12 machine (run as root):
# the Debian build and tool dependencies, and a Python venv holding the test oracles.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config
  libsndfile1-dev libsamplerate0-dev
  libflatbuffers-dev flatbuffers-compiler
  espeak-ng sox cmake qemu-system-arm
  wamerican
  flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  valgrind python3-venv libelf-dev libunicorn-dev libcapstone-dev
  libopenblas-dev zlib1g-dev
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gcc-xtensa-lx106 picolibc-xtensa-lx106-elf binutils-xtensa-lx106
  qemu-system-misc chromium chromium-driver
  # Recorded sounds and natural sentences (SoundBank, TextSources; README "Recorded sounds and texts").
  a7xpg-data chromium-bsu-data extremetuxracer-data frozen-bubble-data gunroar-data mu-cade-data noiz2sa-data
  parsec47-data rrootage-data titanion-data torus-trooper-data tumiki-fighters-data
  oxygen-sounds sonic-pi-samples sound-theme-freedesktop
  fortunes fortunes-min wordnet-base
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The oracles Harken's tests compare against (never needed by Harken itself). ESPHome, which
# checks the exported micro_wake_word folder, lives in a venv of its own: its pins are not the
# other oracles' business.
venv() {
  local dir=$1 requirements=$2
  local stamp=$dir/.harken-requirements
  if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
    echo "setup: creating $dir from $requirements"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --upgrade pip >/dev/null
    "$dir/bin/pip" install -q --pre -r "$requirements"
    cp "$requirements" "$stamp"
  fi
}
venv .venv scripts/requirements-oracles.txt
venv .venv-esphome scripts/requirements-esphome.txt
venv .venv-piper scripts/requirements-piper.txt   # Piper, the optional neural TTS engine synth speaks with
