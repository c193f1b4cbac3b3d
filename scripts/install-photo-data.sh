#!/usr/bin/env bash
# Installs the extra photographs of issue 16 (see crates/vq-train/PHOTO-SOURCES.md): real
# photographs picked by hand from Debian packages and from scikit-image's wheel on PyPI, copied
# into two flat folders:
#   $VQ_LAB_CACHE/photos/train/<source>/     more training photos (wallpapers from lomiri, lxqt;
#                                            photographed textures from torcs, extremetuxracer,
#                                            scorched3d)
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
#
#   scripts/install-photo-data.sh                  training and held-out photographs
#   scripts/install-photo-data.sh --held-out-only  only the held-out ones (what the tests read;
#                                                  the training sources are ~450 MB of .debs)
set -euo pipefail

roles="train held-out"
case "${1:-}" in
  "") ;;
  --held-out-only) roles="held-out" ;;
  *)
    echo "install-photo-data.sh: unknown option $1 (try --held-out-only)" >&2
    exit 2
    ;;
esac

cache="${VQ_LAB_CACHE:-$HOME/.cache/vq-lab}"
root="$cache/photos"
scikit_image_version=0.26.0

# role  source  version  path-in-package  sha256  [name]
# The file is installed as `name`, or as the path's last part where no name is given (the game
# packages' textures repeat file names across folders).
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
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-3/grass-e3.png 50170b84b5fcfcb70af20a57c0baa557b739e97b355a01d7819d36fb55f9a823 e-track-3-grass-e3.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/grass-e2.png 77e253224658bccee38c386d97de57b7212a823c5814d62e5c5964f29408c860 e-track-2-grass-e2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/grass-bw-d2.png 6c4f69a12c8292255cb64eb0a0c74a7062ed01dabcf64ac34f1fd72c55ddf82d dirt-2-grass-bw-d2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-3/newgrass.png f4b38130bec7d70ad135f0bad53c56e13e754424a5e0a574eea563d1eb3002e1 dirt-3-newgrass.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/ruudskogen/grass01.png ade4447f0b45ac64e6c893208d38d0caafa0870ff86779932de1a1e5460b5d15 ruudskogen-grass01.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/ruudskogen/grass02.png 1731c9e3353de8c5dfabcd07911afe8970172fa645471119bac625a2a8bbd4b5 ruudskogen-grass02.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/gravel-e2.png eafa73c9776002be6958a6af4f70ac5cfc0b922027762614675e5b669968ccaf e-track-2-gravel-e2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/rock1-e2.png 359e985085fe1fd8e705adf2ef9dba3a05657ef76663bcff9166789a453e63bb e-track-2-rock1-e2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/rock-wall-e2.png b304f50952ebc701aba57f0d9f1f33e631c5eaf32c7dbfabe56d5857230ac8c5 e-track-2-rock-wall-e2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/wheel-1/rock1-w1.png ae5de339f04d977c8aae2115c3aace8eda2262d81301c7bbd69b296c666dd824 wheel-1-rock1-w1.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-6/cliff2.png 1bfdc360f4554b46832c4062c2f8b8f1b7bdf27ce6e4253eb6b2616e1feb6b36 e-track-6-cliff2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-3/stone1.png 1f5945e1ca68aa1c97a8120e2e08cb529af4f6a50d60ddc0ff552377cc82b6dd dirt-3-stone1.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/alpine-2/rockwall.png c701c1f56f0f9a503bd9de0d0695d2a5b1c0d2b7b2b299b19511f11311377760 alpine-2-rockwall.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/strawbale-bw.png 6e790d705fbd16ad31d6ac0767cd1fd146207527340cc9100b24a4f54bed9502 dirt-2-strawbale-bw.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/street-1/tr-spec.png c57d4dea6b4ec06f7600c97e3510e1d6ad1db9dec8762ab28103b3462a491044 street-1-tr-spec.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/road-dirt.png f862e14be2d4e7f44b78a3c2d5660c1411fec4e8d23e1f3b5fe24fc2c84a0d0c e-track-2-road-dirt.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/ole-road-1/cracked-asphalt.png c5515b94dbdffd76ead4cef2a063cda4f7dc60e39248860facf8a7c7ff8a5ed4 ole-road-1-cracked-asphalt.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-3/bridgeplanks.png 5eb10a3e807b1ae68364d3acc27adf9463f354ca32a8e929621ad5ceeae18eaa dirt-3-bridgeplanks.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/wall14-2.png c1bff25a602e6c51fc8b8f661fc800149ee9aac14065dcbf8582ef5199d5289b dirt-2-wall14-2.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/house12.png 6ec9dca213cad3a179fd1ac3a387f7d0579ad7aaf79eeec0dacfcb2094b79161 dirt-2-house12.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/silo1-w.png 9853146ede57f21c2393c3b940b74d82e9986ace7e698eb6dbff87782c1e1937 dirt-2-silo1-w.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/roof11.png d18b9b433065d459df3ab66eee80f6ed9e28b11e524e7397f1a289f6dbca9a33 dirt-2-roof11.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-3/tank.png 06304fd9d3a9195f850d8ba0c1cd12bdcd16406acca50462ceeeeb056c1bf6ce dirt-3-tank.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/wall11.png 5afa34e030733c1d5a8d3b47a68b6cd38a8fc8387eb86798bbef7d59326d4a1e dirt-2-wall11.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/brondehach/PALAZB03.png c42fc48374a6b37749071549fcaf3a2aa29da98e6f2e52c0d4e5c59a59c3cf95 brondehach-PALAZB03.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/house25roof.png 14bad332f15a0a0e8113853f50552976fed16b3942cc22dac1bbf6b4ecdd4700 e-track-2-house25roof.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/house33facade.png fb147314e40e71d791afa2bb5959b9fc29674b3d684cd08600a1a10dda3354cd e-track-2-house33facade.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/e-track-2/house36facade.png 494501fba929f5a03ed69f4b6731ec210d8f70f7525448f0c26b50e125bdd914 e-track-2-house36facade.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/wheel-1/house10f.png d68b41b22d5fee74324e5ef2e543a5791c8e58b96f6daf7022d814aa9d4cf502 wheel-1-house10f.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/dirt/dirt-2/background.png db81d802fe86571b063b423e1765518b3c3cf94ab575627e5579ee2a0e85b165 dirt-2-background.png
train torcs-data 1.3.7+dfsg-5 usr/share/games/torcs/tracks/road/eroad/background.png fb091ecc26d88f3cd797fea7c7cef6fa84c79cbc34ec3d71d5b17671a3cb4af6 eroad-background.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/dirt01.png 7874fb10028c4c1e808d1fff5a82aadb8933c435fde0c3568cc9aabdc8b0e203 terrains-dirt01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/floor01.png fd3219cbf5911cd194561184435e87cc456be2af5c167cbe917ef9f6d70a1a2f terrains-floor01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/floor02.png 74e517e5f8db5ca78d04e37dfb572b821cc7ef8cad8d6f65acb704fa4a5833f8 terrains-floor02.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/grass01.png 5d7de7c2fad3d50c62907511147272f79a4268ccbb104f02ac3b9593b781233a terrains-grass01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/grass02.png 60fc690c941cdeac81ae2e723ce1ad46afa9b494d77bdfc8dcd97dd7bd676a20 terrains-grass02.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/grass03.png 0e254d42066ce2eaed11c300b3dceaf2eec7abf20b082afa4b40f3f8cd3be4b1 terrains-grass03.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/pave01.png 4729716ffe09cb7a8586bc3df219bfa046e34066b232a05fc351887312eabe49 terrains-pave01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/pebbles04.png 595240277a60207b1c2a9a72e912a8ac5d7c665a034d1ecf20d0ba0548cae42e terrains-pebbles04.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/rock01.png 73b3f4c9151d07bd24adf808ae0866532e5eb5256cea940728dfb89b06ee1e2c terrains-rock01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/rock06.png 5beae93a95ef59c9454515bebac534f90f60afcef765768d8e561ec5c780894d terrains-rock06.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/rock07.png ad522d268ff3271adc99077ea089eb7acdbf0a4c7d4e14638700506e84302fab terrains-rock07.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/sand01.png d99f7006c87aa8bccde980fca35d77b966b62161571ce23697221d8b97f1553a terrains-sand01.png
train extremetuxracer-data 0.8.2-1 usr/share/games/etr/terrains/mud01.png f7749489f26ffea96abfa046aa43a9cc12b6b550e5791c62f2ca67640d334450 terrains-mud01.png
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/snow/texture0.jpg 686eed8cb4a17a8a7dbb8c28d69aec73134470fd69350b4afc59d6ac0d9751c5 snow-texture0.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/snow/shore.jpg 4e337b80704a399409df329ceb1c0d3fc0342d537c1c3f83447b7393830ee904 snow-shore.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/snow/texture1.jpg 232aa82798897f2bc95ce968ba79dd19ebc9a8781cc67ea33f74258fa946dab8 snow-texture1.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/snow/texture2.jpg 5500b1ce289f0170051c832922d66e60c0df784ee4ea88c5f2db5db69092a428 snow-texture2.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/plage/texture0.jpg cae2c8022b8a3072f529bfaea862aa8034852fea6ecff386b8dd7349745c596f plage-texture0.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/plage/texture1.jpg 7fa955ff0f35028eb236f23909fabd7d41ca9d29858664b1b28841f404a644f4 plage-texture1.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/plage/texture2.jpg b17d44de6f38a90db46ecb4eb5f7667879ae992d7ec7d6d477911f6d60172f07 plage-texture2.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/plage/texture3.jpg 6782696884726631866ca8e939ed457f5a5e893bcd3858d616fbb4e5a8c5f8de plage-texture3.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/plage/texture4.jpg b5cf02011dd5af6c17133f8140c17a255756438e0a6a3efbd8affaadb93d5994 plage-texture4.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/sand/texture4.jpg 41fa08f95c2d559e9b96c406261190e4e94f3fdc3b06fc923af484d51e2583eb sand-texture4.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/sand/cubemap.jpg 7f537a8cf1d57ba821b7857a7b350303366871bddf9f1fb8b1e71f6134308e10 sand-cubemap.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/vulcano/texture2.jpg 1f482bab8410d176791ba926dd301f4531554441edb8e89ff43c1d6b3f86804b vulcano-texture2.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/asianspring/rockside.jpg 2dd467228a6de93e7be42d13ff084cb0edeae54fc54004b5496b1d47686ad699 asianspring-rockside.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/none/data/textures/landscape/denali/rockside.jpg f061d9b443f0c3f51e998a9d4ada32a1c39202495367046d46ec7c67b5b978cb denali-rockside.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/apoc/data/textures/landscape/grass/texture1.jpg 0320c5a20f1fb80ebdbe3359a3bb37d06a7407ccef50a269ff4fbe018f3e91ab grass-texture1.jpg
train scorched3d-data 44+dfsg-8 usr/share/games/scorched3d/data/globalmods/apoc/data/textures/landscape/moon/texture1.jpg 13a81092c1cdda1dc1d37db0f5935742043d86d1d8f5f74f725730f8356f2809 moon-texture1.jpg
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
# Only the lines of the roles asked for.
files=$(awk -v roles=" $roles " 'index(roles, " " $1 " ")' <<<"$files")

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The installed copy of a file is right when it exists and has the expected hash.
is_right() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

# Whether every file of source $1 is already in place.
source_done() {
  local role source version path sha name
  while read -r role source version path sha name; do
    [[ "$source" == "$1" ]] || continue
    is_right "$root/$role/$source/${name:-${path##*/}}" "$sha" || return 1
  done <<<"$files"
}

# Copies the files of source $1 out of folder $2 (where its paths are relative to), checking each.
copy_files() {
  local role source version path sha name destination
  while read -r role source version path sha name; do
    [[ "$source" == "$1" ]] || continue
    destination="$root/$role/$source/${name:-${path##*/}}"
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
