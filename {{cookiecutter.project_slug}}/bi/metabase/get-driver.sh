#!/usr/bin/env bash
# Download the DuckDB driver that Metabase loads as a plugin into plugins/ (git ignores *.jar there).
# Its version must embed the DuckDB minor version the pipeline writes with (see README.md).
set -euo pipefail

version="${DUCKDB_DRIVER_VERSION:-1.4.4.0}"
plugins="$(cd "$(dirname "$0")" && pwd)/plugins"
jar="$plugins/duckdb.metabase-driver.jar"
url="https://github.com/motherduckdb/metabase_duckdb_driver/releases/download/$version/duckdb.metabase-driver.jar"

# Download to a temporary name first, so a broken transfer never leaves a half jar in place.
curl --fail --location --silent --show-error --output "$jar.partial" "$url"
mv "$jar.partial" "$jar"
echo "DuckDB driver $version: $jar"
