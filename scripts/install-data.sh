#!/usr/bin/env bash
# Installs the datasets the trainer and the tests read, from Debian's packages:
# Fashion-MNIST (dataset-fashion-mnist) and natural photographs (wallpaper packages).
# Idempotent: installs only what is missing.
set -euo pipefail
packages=(dataset-fashion-mnist plasma-workspace-wallpapers mate-backgrounds ukui-wallpapers)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "data: ${packages[*]} installed"
