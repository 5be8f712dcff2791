# Sourced by build.sh, test.sh and sanitize.sh: where downloads and the compiler cache live (outside
# the clone, so a fresh clone on the same machine reuses them) and how ccache matches entries.
export STRATUS_CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
export CCACHE_DIR="${CCACHE_DIR:-$STRATUS_CACHE/ccache}"
# Lets the main, headless and sanitizer build dirs share cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
# Debug info names the build directory; without this a clone in another folder would miss every entry.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
mkdir -p "$CCACHE_DIR"
