#!/usr/bin/env bash
# Remakes the image corpus: real files from ImageMagick's encoders (libjpeg,
# libpng, its GIF/BMP/WebP/AVIF/HEIC writers) and exiftool for metadata.
# The outputs are committed so tests need neither tool; run this to refresh.
# usage: tests/corpus/image-formats/make.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
im() { convert "$@"; }

# Stills in every format and flavour we decode.
im -size 96x64 -seed 3 plasma:fractal -quality 85 plasma.jpg
im -size 80x60 -seed 4 plasma:fractal -interlace JPEG progressive.jpg
im -size 40x30 gradient:black-white -colorspace Gray gray.jpg
im -size 32x32 -seed 5 plasma:fractal -colorspace CMYK cmyk.jpg
im -size 48x40 radial-gradient:'#ff000080-#0000ff00' alpha.png
im -size 30x30 pattern:checkerboard -colors 4 palette.png
im -size 24x24 xc:none -fill '#2080ff' -draw 'circle 12,12 12,3' -type PaletteAlpha palette-trns.png
im -size 20x20 gradient: -depth 16 gray16.png
im -size 24x16 -seed 8 plasma:fractal -depth 16 rgb16.png
im -size 33x21 -seed 6 plasma:fractal -interlace PNG interlaced.png
im -size 40x30 -seed 9 plasma:fractal -colors 64 still.gif
im -size 41x29 -seed 10 plasma:fractal -colors 32 -interlace GIF interlaced.gif
im -size 36x20 -seed 11 plasma:fractal BMP3:bmp24.bmp
im -size 36x20 -seed 12 plasma:fractal -alpha set -channel A -fx 'i/w' +channel BMP3:bmp32.bmp
im -size 35x19 -seed 13 plasma:fractal -colors 200 -type Palette -compress None BMP3:bmp8.bmp
im -size 35x19 -seed 13 plasma:fractal -colors 200 -type Palette BMP3:bmp8-rle.bmp
im -size 35x19 -seed 14 plasma:fractal -colors 16 -type Palette -compress None BMP3:bmp4.bmp
im -size 33x17 pattern:checkerboard -monochrome BMP3:bmp1.bmp

# Animations: three frames with delays 10/20/30 cs; and partial frames with
# "restore to previous" disposal, which Debian's stbi_load_gif_from_memory
# reads out of bounds on (see image-regressions/).
im -delay 10 -size 20x16 xc:'#e02828' -delay 20 xc:'#28c83c' -delay 30 xc:'#283cdc' -loop 0 anim.gif
im -size 20x16 xc:'#e0e0e0' \
  \( -size 8x8 xc:'#e02828' -repage +2+2 \) \( -size 8x8 xc:'#28c83c' -repage +10+6 \) \
  \( -size 8x8 xc:'#283cdc' -repage +6+4 \) -set dispose Previous -set delay 5 -loop 0 anim-previous.gif

# Formats the core refuses and the browser decodes.
im -size 32x24 -seed 15 plasma:fractal -quality 80 photo.webp
im -size 32x24 -seed 15 plasma:fractal -quality 60 photo.avif
im -size 32x24 -seed 15 plasma:fractal -quality 60 photo.heic

# EXIF orientation: reference.png is what every orient-N.jpg must look like
# upright (red, green / blue, yellow quadrants, 48x32). Each file stores the
# pixels turned the other way and says so with its Orientation tag.
im -size 24x16 xc:'rgb(220,40,40)' -size 24x16 xc:'rgb(40,200,60)' +append \
  \( -size 24x16 xc:'rgb(40,60,220)' -size 24x16 xc:'rgb(240,220,40)' +append \) -append reference.png
undo=("" "-flop" "-rotate 180" "-flip" "-transpose" "-rotate -90" "-transverse" "-rotate 90")
for n in 1 2 3 4 5 6 7 8; do
  # shellcheck disable=SC2086
  im reference.png ${undo[$((n - 1))]} -quality 95 -sampling-factor 1x1 "orient-$n.jpg"
  exiftool -q -n -overwrite_original -ExifByteOrder=II -Orientation=$n "orient-$n.jpg"
  # ImageMagick's own reading must agree before we rely on the file.
  im "orient-$n.jpg" -auto-orient "$tmp/check.png"
  [ "$(identify -format %wx%h "$tmp/check.png")" = 48x32 ] || { echo "orient-$n.jpg is wrong" >&2; exit 1; }
done
# The same with big-endian ("MM") EXIF, exiftool's default byte order.
im reference.png -rotate -90 -quality 95 -sampling-factor 1x1 orient-6-mm.jpg
exiftool -q -n -overwrite_original -ExifByteOrder=MM -Orientation=6 orient-6-mm.jpg

# A phone photo's worth of metadata: GPS, XMP, ICC, a comment, IPTC.
printf '\0\0\0\204TEST\2\20\0\0mntrRGB XYZ \7\352\0\1\0\1\0\0\0\0\0\0acsp' >"$tmp/fake.icc"
head -c 92 /dev/zero >>"$tmp/fake.icc"
im -size 64x48 -seed 16 plasma:fractal -quality 90 exif-gps.jpg
exiftool -q -n -overwrite_original -Orientation=6 -GPSLatitude=48.8584 -GPSLatitudeRef=N \
  -GPSLongitude=2.2945 -GPSLongitudeRef=E -Make=PetPhone -Model='PetPhone 9' -SerialNumber=SN123456 \
  -XMP-dc:Description='Rex at the tower' -Comment='home sweet home' -IPTC:City=Paris \
  "-ICC_Profile<=$tmp/fake.icc" exif-gps.jpg
im -size 40x30 -seed 17 plasma:fractal exif-gps.png
exiftool -q -n -overwrite_original -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 \
  -GPSLongitudeRef=E -XMP-dc:Description='Rex at the tower' exif-gps.png


# What ImageMagick decodes each file to (upright, 8-bit RGBA; every frame of
# the animations, coalesced): the native tests compare our pixels with these,
# exactly for lossless formats, within a tolerance for JPEG.
rm -rf ref && mkdir ref
for f in *.jpg *.png *.gif *.bmp; do
  case $f in bmp8-rle.bmp) continue ;; esac
  convert "$f" -auto-orient -coalesce -depth 8 -define png:exclude-chunks=all PNG32:"ref/$f-%d.png" 2>/dev/null
done
ls ref | wc -l
