#!/usr/bin/env bash
# Installs the extra photographs of issue 16 (see crates/vq-train/PHOTO-SOURCES.md): real
# photographs picked by hand from Debian packages and from scikit-image's wheel on PyPI, copied
# into two flat folders:
#   $VQ_LAB_CACHE/photos/train/<source>/     more training photos (wallpapers from lomiri, lxqt)
#   $VQ_LAB_CACHE/photos/held-out/<source>/  held-out photos (scikit-image, palapeli), from
#                                            sources that no training folder uses
# VQ_LAB_CACHE defaults to $HOME/.cache/vq-lab.
#
# It does not `apt-get install` the Debian packages: lomiri-wallpapers-* would then put files in
# /usr/share/backgrounds, which today's trainer walks (every eighth file is held out), so the
# shipped photo model's held-out set and tests/assets.rs would change. Instead each pinned .deb
# is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a temporary folder.
# scikit-image comes from PyPI, pinned, into a venv at $VQ_LAB_CACHE/venv-photo-data with
# --no-deps: only its data files are read, and nothing is downloaded when the trainer runs.
# Every file is checked against its SHA-256, so the held-out set stays byte for byte the same.
# Idempotent: a source whose files are all present and correct is skipped.
set -euo pipefail

cache="${VQ_LAB_CACHE:-$HOME/.cache/vq-lab}"
root="$cache/photos"
scikit_image_version=0.26.0

# role  source  version  path-in-package  sha256
files=$(
  cat <<'EOF'
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/Dragonfly_by_Bolly.jpg af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/Picture_0B_by_freespace.jpg c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/Picture_1A_by_freespace.jpg 89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg d2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg 66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/analogpattern_by_Peter_Nerlich.jpg 15372488a192b2be2eafc67bd3ed31cbfca19abe3929e925607fcbc9cb4d4202
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/free_by_Peter_Nerlich.jpg 85a5453c2fed514c75973016f3d862aca62eb7ca087618822469274ac1092373
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg e7b20e2db9dcd6e2b278ca55873c2110b35d89cd38b04d0b18728726888e6889
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg 4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg 414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f
train lomiri-wallpapers-16.04 20.04.0-2 usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg 474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18
train lomiri-wallpapers-20.04 20.04.0-2 usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg 6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/Butterfly-Kenneth-Wimer.jpg c237c26f6f0b18db3afa62a0eff13cb8208b79a1ef35aaadcb745d8f9faef146
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/Valendas.png f2d275c51d116942cea8e7d80d30c7d3c130349a0695caf2aa235f926ae15759
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/after-the-rain.jpg e6cb8b3e09b904cc493ff17fddcd564d4e46a1761d05adf972c285a1fd878234
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/appleflower.png bae8a8eb8274b29509f1cbbfe250081331c5704a1fea25d5052166a0451e67f3
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/beam.png 3d199194b048cb793c0ad558337cda3e16f14cd054168d1d813620e24a0a5659
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/butterfly.png 13175434d99075e075de7321942e66169e3c99ac9416024dcf4123bd3b38749c
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/cloud.png 522dbf79dfaff751cf8ef2f337c9d196a231fa096bc38806a76ce048b8c7b5a2
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/drop.png 3b726aea9a6f8af36431c6f1974f982f7f4c5a4443499500bda31be27e4ffde8
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/flowers.png 3a935d8be4d6c9784f9079ff2814acd2de2c8406e9fe584be03e90264f37c371
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/fog.jpg a8235344ee6b5ab1b6de3ccef731bcc0e6509cf33ce832db87eae1eb75987083
train lxqt-themes 1.2.0-1 usr/share/lxqt/wallpapers/this-is-not-windows.jpg 2d885e0438c0ab244f818d33d8f745a1cc486558462faf9bf3948675c68ac227
held-out palapeli-data 4:22.12.3-1 usr/share/palapeli/collection/castle-maintenon.jpg f4a6bf48b97d97715413f9ebd2d8744bd46df0e492bc8326e2513d51084f2612
held-out palapeli-data 4:22.12.3-1 usr/share/palapeli/collection/cincinnati-bridge.jpg 09772d09318b34a5c5edd58ee86ff462bcd2907006f31cc8e0704310f8e9ab60
held-out palapeli-data 4:22.12.3-1 usr/share/palapeli/collection/citrus-fruits.jpg 0cbd7154a14789803167c86705130d0358875198231269df168ea26224e70848
held-out palapeli-data 4:22.12.3-1 usr/share/palapeli/collection/european-honey-bee.jpg 9d54ae706bddd899c91b2b801d9ca4556a5a9a399b4043f9d539df62a8cb7f27
held-out palapeli-data 4:22.12.3-1 usr/share/palapeli/collection/panther-chameleon-female.jpg adb9e2834a8a3db40ca3817452b956ada527085e5aa2bd604c465651a3834ae4
held-out scikit-image 0.26.0 skimage/data/astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
held-out scikit-image 0.26.0 skimage/data/chelsea.png 596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
held-out scikit-image 0.26.0 skimage/data/coffee.png cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
held-out scikit-image 0.26.0 skimage/data/rocket.jpg c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c
held-out scikit-image 0.26.0 skimage/data/hubble_deep_field.jpg 3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4
held-out scikit-image 0.26.0 skimage/data/retina.jpg 38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6
held-out scikit-image 0.26.0 skimage/data/ihc.png f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef
held-out scikit-image 0.26.0 skimage/data/camera.png b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a
held-out scikit-image 0.26.0 skimage/data/brick.png 7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf
held-out scikit-image 0.26.0 skimage/data/grass.png b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89
held-out scikit-image 0.26.0 skimage/data/gravel.png c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12
held-out scikit-image 0.26.0 skimage/data/coins.png f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba
EOF
)

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The installed copy of a file is right when it exists and has the expected hash.
is_right() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

# Whether every file of source $1 is already in place.
source_done() {
  local role source version path sha
  while read -r role source version path sha; do
    [[ "$source" == "$1" ]] || continue
    is_right "$root/$role/$source/${path##*/}" "$sha" || return 1
  done <<<"$files"
}

# Copies the files of source $1 out of folder $2 (where its paths are relative to), checking each.
copy_files() {
  local role source version path sha destination
  while read -r role source version path sha; do
    [[ "$source" == "$1" ]] || continue
    destination="$root/$role/$source/${path##*/}"
    mkdir -p "${destination%/*}"
    cp -f "$2/$path" "$destination"
    if ! is_right "$destination" "$sha"; then
      rm -f "$destination"
      echo "photo data: $source $version: ${path##*/} does not have the expected SHA-256" >&2
      return 1
    fi
  done <<<"$files"
}

# Fetches the pinned Debian package $1=$2 and unpacks it into a temporary folder.
install_debian() {
  local package=$1 version=$2 deb
  if ! apt-cache show "$package=$version" >/dev/null 2>&1; then
    "${sudo[@]}" apt-get update -q
  fi
  if ! apt-cache show "$package=$version" >/dev/null 2>&1; then
    echo "photo data: Debian has no $package $version; update the pin and the hashes in $0" >&2
    return 1
  fi
  local sandbox=()
  [[ $(id -u) -ne 0 ]] || sandbox=(-o APT::Sandbox::User=root)
  mkdir -p "$work/$package"
  (cd "$work/$package" && apt-get "${sandbox[@]}" download -q "$package=$version")
  deb=$(ls "$work/$package"/*.deb)
  dpkg-deb -x "$deb" "$work/$package/root"
  copy_files "$package" "$work/$package/root"
}

# Installs scikit-image (pinned, without dependencies) into a venv and copies its sample photos.
install_scikit_image() {
  local venv="$cache/venv-photo-data" site
  if [[ ! -x "$venv/bin/python" ]]; then
    mkdir -p "$cache"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian's python3 needs python3-venv for `-m venv`.
      rm -rf "$venv"
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends python3-venv
      python3 -m venv "$venv"
    fi
  fi
  if [[ "$("$venv/bin/python" -m pip show scikit-image 2>/dev/null | sed -n 's/^Version: //p')" != "$scikit_image_version" ]]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --only-binary=:all: \
      "scikit-image==$scikit_image_version"
  fi
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  copy_files scikit-image "$site"
}

while read -r source version; do
  if source_done "$source"; then
    continue
  fi
  echo "photo data: installing $source $version"
  if [[ "$source" == scikit-image ]]; then
    install_scikit_image
  else
    install_debian "$source" "$version"
  fi
done < <(awk '{print $2, $3}' <<<"$files" | uniq)

echo "photo data: $(grep -c '^train ' <<<"$files") training photos in $root/train," \
  "$(grep -c '^held-out ' <<<"$files") held-out photos in $root/held-out"
