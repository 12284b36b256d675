#!/usr/bin/env bash
# Regenerates src/model/generated and the generated Data migration from schema.graphql, keeping
# the hand-written Infrastructure migration after it. Only for schemas not yet released: once a
# migration has shipped, add a new one with `node scripts/migration-generate.js <Name>` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
infra=$(ls db/migrations/*-Infrastructure.js)
cp "$infra" /tmp/tms-infra.js
rm -f db/migrations/*-Data.js "$infra"
rm -rf src/model/generated
npx squid-typeorm-codegen
npx tsc -p tsconfig.json
node scripts/migration-generate.js Data
data=$(ls db/migrations/*-Data.js)
ts=$(basename "$data" | cut -d- -f1)
next=$((ts + 1))
old=$(grep -o "Infrastructure[0-9]*" /tmp/tms-infra.js | head -1)
sed "s/$old/Infrastructure$next/g" /tmp/tms-infra.js > "db/migrations/$next-Infrastructure.js"
