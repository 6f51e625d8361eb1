#!/usr/bin/env bash
# Proves the wheel as a user gets it: build it from a clean copy of the tree, install it (not editable, with
# the `reference` extra that `tinygen run` needs) into a fresh venv, and from a folder outside the repository
# list the boards (every board of boards/) and run the bundled example bit-exact on mps2-an386 in QEMU.
# Usage: scripts/wheel_check.sh   (PYTHON=/usr/bin/python3 picks the interpreter; default python3)
set -euo pipefail
PYTHON=${PYTHON:-python3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
unset PYTHONPATH  # the installed wheel alone, never the checkout
started=$SECONDS
lap() { echo "wheel-check: $1 ($((SECONDS - started)) s)"; }

# Tracked and new files, nothing git ignores: an in-tree build/ from an earlier build would leak stale files.
mkdir "$WORK/src"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
    | tar -C "$ROOT" --null -T - --ignore-failed-read -cf - | tar -C "$WORK/src" -xf -
"$PYTHON" -m venv "$WORK/venv"
VENV_PYTHON="$WORK/venv/bin/python"
"$VENV_PYTHON" -m pip wheel -q --no-deps -w "$WORK/dist" "$WORK/src"
WHEEL=$(echo "$WORK"/dist/tinygen-*.whl)
lap "built $(basename "$WHEEL")"
"$VENV_PYTHON" -m pip install -q "$WHEEL[reference]"
lap "installed it with the reference extra into a fresh venv ($("$VENV_PYTHON" --version))"

mkdir "$WORK/elsewhere" && cd "$WORK/elsewhere"
"$WORK/venv/bin/tinygen" boards --json > boards.json
"$VENV_PYTHON" - "$ROOT/boards" "$WORK/venv" boards.json <<'EOF'
import json, sys
from pathlib import Path
boards, venv, listing = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
want = sorted(p.stem for p in boards.glob("*.toml"))
got = [b["name"] for b in listing["boards"]]
assert got == want, f"tinygen boards --json listed {got}, boards/ has {want}"
outside = [b["path"] for b in listing["boards"] if not Path(b["path"]).is_relative_to(venv)]
assert not outside, f"board files read from outside the installed wheel: {outside}"
print(f"wheel-check: tinygen boards --json lists all {len(got)} boards, read from the installed wheel")
EOF
"$WORK/venv/bin/tinygen" run --board mps2-an386 --random 3 | tee run.txt
grep -q "^BIT-EXACT: 3 vectors on mps2-an386" run.txt
lap "tinygen run --board mps2-an386 --random 3: bit-exact, exit 0; passed"

# issue 20: export from the installed wheel (its export templates included), then compile the library's C
"$WORK/venv/bin/tinygen" export --format cmake --core cortex-m4 --name kws -o lib --json > export.json
test -f lib/CMakeLists.txt && test -f lib/include/kws.h && test -f lib/report.json
for c in lib/src/*.c; do
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -O2 -Ilib/include -Ilib/src -c "$c" -o "${c%.c}.o"
done
arm-none-eabi-nm --defined-only --extern-only lib/src/*.o | awk 'NF == 3 && $3 !~ /^kws_/ { bad = 1; print } END { exit bad }'
lap "tinygen export --format cmake: library written and compiled for cortex-m4, every global symbol kws_; passed"
