#!/usr/bin/env bash
# Every docs page's commands in ONE checkout, then `make demo` (issue 24's check that no
# page leaves the demo with another data set): clones this repository into DEST, runs
# every unmarked ```bash block of README.md and docs/ there in page order (as
# tests/test_docs runs them, but all in the same folder), lists the toy sets left under
# data/ with their toy_meta.json settings, then runs `make demo`. ~15 min on 2 cores.
#
#   tools/ci/docs_then_demo.sh [DEST]      # default DEST: /tmp/vlt_one_checkout
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEST=${1:-/tmp/vlt_one_checkout}
VENV=$SRC/.venv
rm -rf "$DEST" && git clone -q "$SRC" "$DEST" && cd "$DEST" || exit 2
touch -d '2020-01-01' requirements/*.txt setup.py pyproject.toml  # make: the venv is current
export OMP_NUM_THREADS=1 PYTHONHASHSEED=0 PYTHONPATH=$DEST VLT_PROGRESS=plain
export PATH=$VENV/bin:$PATH
python - <<'PY' > blocks.jsonl
import json
from pathlib import Path
from tests.test_docs.doc_blocks import doc_files, read_blocks
for page in doc_files(Path('.')):
    for b in read_blocks(page):
        if b.lang == 'bash' and b.needs is None:
            print(json.dumps(dict(where=b.where(), code=b.code)))
PY
failed=0
while IFS= read -r line; do
    where=$(python -c 'import json,sys; print(json.loads(sys.argv[1])["where"])' "$line")
    python -c 'import json,sys; print(json.loads(sys.argv[1])["code"])' "$line" > block.sh
    start=$(date +%s)
    if bash -e -o pipefail block.sh > block.log 2>&1; then r=ok; else r=FAILED; failed=1; tail -20 block.log; fi
    echo "$r $(( $(date +%s) - start ))s $where"
done < blocks.jsonl
echo "--- toy sets under data/ (toy_meta.json settings)"
for d in data/*/; do
    [ -f "$d/toy_meta.json" ] && python -c 'import json,sys; print(sys.argv[1], json.load(open(sys.argv[1] + "toy_meta.json"))["settings"])' "$d"
done
echo "--- make demo"
make demo VENV="$VENV" || failed=1
exit $failed
