#!/usr/bin/env bash
# Proves the layering: core/ and pipeline/ include no Widgets/Charts header, and a STRATUS_GUI=OFF
# build produces a stratus that links neither and still serves.
set -euo pipefail
src="$1"; out="$2"
if grep -rEn '#include *<(QtWidgets|QtCharts|QWidget|QMainWindow|QApplication|QChart)' "$src/core" "$src/pipeline"; then
    echo "FAIL: core/ or pipeline/ includes a GUI header" >&2; exit 1
fi
cmake -S "$src" -B "$out" -G Ninja -DSTRATUS_GUI=OFF -DSTRATUS_TESTS=OFF \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
cmake --build "$out" --target stratus >/dev/null
bin="$out/app/stratus"
if ldd "$bin" | grep -E 'Qt6(Widgets|Charts|Gui)'; then
    echo "FAIL: the headless stratus links a GUI library" >&2; exit 1
fi
# Captured first: with pipefail, grep -q closing the pipe early would SIGPIPE stratus and fail at random.
help="$("$bin" --help)"
grep -q -- '--worker' <<<"$help" || { echo "FAIL: --help does not list the modes" >&2; exit 1; }
if "$bin" --demo 2>"$out/err.txt"; then echo "FAIL: headless --demo without --server must refuse" >&2; exit 1; fi
grep -q "built without the GUI" "$out/err.txt" || { echo "FAIL: unclear message: $(cat "$out/err.txt")" >&2; exit 1; }
echo "headless build OK: $(ldd "$bin" | grep -c Qt6) Qt libraries, none of them GUI"
