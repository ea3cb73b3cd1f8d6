#!/usr/bin/env bash
# Refreshes the committed OpenSeadragon build from the npm registry (pinned in package.json and
# package-lock.json). The Maven build never runs this: it serves the committed files.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
dest=../src/main/resources/static/vendor/openseadragon
rm -rf "$dest"
mkdir -p "$dest"
cp node_modules/openseadragon/build/openseadragon/openseadragon.min.js "$dest/"
cp -r node_modules/openseadragon/build/openseadragon/images "$dest/"
cp node_modules/openseadragon/LICENSE.txt "$dest/LICENSE.txt"
(cd "$dest" && find . -type f ! -name files.txt | sed 's|^\./||' | sort > files.txt)
echo "openseadragon $(node -p "require('./node_modules/openseadragon/package.json').version")" > "$dest/VERSION"
