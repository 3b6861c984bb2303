#!/usr/bin/env bash
# Makes the font subsets in fonts/ that PNG avatars draw initials with: Noto Sans Bold cut to the
# letters and digits that can be initials, one file per script. Needs Debian's fonts-noto-core,
# fonts-noto-cjk and python3-fonttools (`apt-get install -y fonts-noto-core fonts-noto-cjk
# python3-fonttools`). The output is deterministic for the same inputs (no timestamps kept).
# Run from the repository root: bash scripts/fonts/make-subsets.sh
set -euo pipefail
NOTO=/usr/share/fonts/truetype/noto
CJK=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
OUT=fonts
PY=/usr/bin/python3
mkdir -p "$OUT"

subset() { # source output unicodes [extra pyftsubset arguments]
  local source=$1 output=$2 unicodes=$3
  shift 3
  SOURCE_DATE_EPOCH=0 "$PY" -m fontTools.subset "$source" --unicodes="$unicodes" --no-hinting \
    --name-IDs='*' --name-languages='*' --notdef-outline --recalc-timestamp=false "$@" --output-file="$OUT/$output"
}

# Latin (with Vietnamese and the Latin Extended blocks), Greek, Cyrillic, combining marks, digits.
subset "$NOTO/NotoSans-Bold.ttf" NotoSans-Bold.initials.ttf \
  'U+0030-0039,U+0041-005A,U+0061-007A,U+00AA,U+00B5,U+00BA,U+00C0-00D6,U+00D8-00F6,U+00F8-024F,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,U+1F00-1FFF,U+2C60-2C7F,U+A720-A7FF' \
  --layout-features='*'
# Arabic (Persian and Urdu letters too) with its joining forms; U+200C/U+200D keep letters apart or joined.
subset "$NOTO/NotoSansArabic-Bold.ttf" NotoSansArabic-Bold.initials.ttf \
  'U+0030-0039,U+0620-065F,U+0660-0669,U+066E-06D3,U+06D5,U+06E5-06E6,U+06EE-06FF,U+0750-077F,U+200C-200D' --layout-features='*'
subset "$NOTO/NotoSansHebrew-Bold.ttf" NotoSansHebrew-Bold.initials.ttf \
  'U+0030-0039,U+0591-05C7,U+05D0-05EA,U+05EF-05F4,U+FB1D-FB4F' --layout-features='*'
# Devanagari with its conjunct and mark features; the dotted circle for a mark without a base.
subset "$NOTO/NotoSansDevanagari-Bold.ttf" NotoSansDevanagari-Bold.initials.ttf \
  'U+0030-0039,U+0900-097F,U+A8E0-A8FF,U+200C-200D,U+25CC' --layout-features='*'
subset "$NOTO/NotoSansThai-Bold.ttf" NotoSansThai-Bold.initials.ttf 'U+0030-0039,U+0E01-0E5B,U+25CC' --layout-features='*'
subset "$NOTO/NotoSansLao-Bold.ttf" NotoSansLao-Bold.initials.ttf 'U+0030-0039,U+0E81-0EDF,U+25CC' --layout-features='*'

# CJK: kana, the Han characters of GB 2312 level 1 and JIS X 0208 level 1 (the ~5,000 most used in
# Chinese and Japanese names and text), and the 2,350 Hangul syllables of KS X 1001, from the
# Japanese face of Noto Sans CJK. Rarer characters are drawn with system fonts where present.
HAN=$("$PY" - <<'PY'
chars = set()
def rows(encoding, first, last):
    for a in range(first, last + 1):
        for b in range(0xA1, 0xFF):
            try:
                chars.add(bytes([a, b]).decode(encoding))
            except UnicodeDecodeError:
                pass
rows('gb2312', 0xB0, 0xD7)   # GB 2312 level 1
rows('euc_jp', 0xB0, 0xCF)   # JIS X 0208 level 1
rows('euc_kr', 0xB0, 0xC8)   # KS X 1001 Hangul syllables
print(','.join(f'U+{ord(c):04X}' for c in sorted(chars)))
PY
)
subset "$CJK" NotoSansCJKjp-Bold.initials.otf "U+0030-0039,U+3041-3096,U+30A1-30FA,U+30FC,$HAN" --font-number=0 --layout-features=''

cp /usr/share/doc/fonts-noto-core/copyright "$OUT/copyright-fonts-noto-core.txt"
cp /usr/share/doc/fonts-noto-cjk/copyright "$OUT/copyright-fonts-noto-cjk.txt"
ls -l "$OUT"
