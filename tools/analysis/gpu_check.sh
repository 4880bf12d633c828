#!/usr/bin/env bash
# GPU check (< 5 min on one GPU): bf16 training steps at realistic batch sizes,
# random weights and synthetic images (no data, no downloads), one line per case:
#   CASE: step time, samples/s, peak GiB, MFU, Runner/hand-written step ratio
# Cases: the base recipe (ViT-B/16-384 + BART-base) with and without gradient
# checkpointing, the seed-000-scale recipe (ViT-L/16-384 + BART-large, frozen
# lower half, checkpointing), a pretrained VLM (Florence-2-base, 0.23B, 141M
# trained, 768 px: random weights built from the fragment's `hf_config`, a
# size-only placeholder tokenizer, nothing downloaded) with and without
# checkpointing, and the base recipe under FSDP with 1 process.
#
#   tools/analysis/gpu_check.sh              # on a GPU machine
#   tools/analysis/gpu_check.sh --cpu --tiny # smoke run on a CPU (toy recipes, 2 steps)
set -u
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
DEVICE=gpu
SIZE=real
for arg in "$@"; do
    case "$arg" in
        --cpu) DEVICE=cpu ;;
        --tiny) SIZE=tiny ;;
        *) echo "usage: $0 [--cpu] [--tiny]" >&2; exit 2 ;;
    esac
done
if [ "$DEVICE" = cpu ]; then export CUDA_VISIBLE_DEVICES=""; fi
if [ "$SIZE" = tiny ]; then
    BASE=configs/hoi/gem_distlabel_toy.py; LARGE=configs/hoi/gem_distlabel_large_toy.py
    VLM=configs/hoi/florence2-base_gem_distlabel_toy.py
    BS=2; BS_LARGE=2; BS_VLM=2; STEPS=2; WARMUP=1
    EXTRA=(--vocab-size tokenizer=302)  # the toy word-level tokenizer, not built here
    # the toy Florence-2 (make_toy_vlm.py's architecture, 96 px); its folder is not
    # built here: a vocabulary of 1300 (1000 <loc_k>, <image>, words) stands in
    VLM_EXTRA=(--vocab-size florence2=1300)
else
    BASE=configs/hoi/gem_distlabel.py; LARGE=configs/hoi/gem_distlabel_large.py
    VLM=configs/hoi/florence2-base_gem_distlabel.py
    BS=32; BS_LARGE=16; BS_VLM=16; STEPS=10; WARMUP=3
    EXTRA=(); VLM_EXTRA=()
fi
COMMON=(--synthetic --amp --steps "$STEPS" --warmup "$WARMUP" --prompt-len 32 --target-len 16)
BENCH=tools/analysis/benchmark_train.py
FAILED=0
run() {  # NAME ARGS...: one summary line, or the error's last lines
    local name=$1; shift
    local log
    log=$(mktemp)
    if "$@" --summary "$name" >"$log" 2>&1; then
        grep "^$name: " "$log" || { echo "$name: FAILED (no summary)"; FAILED=1; }
    else
        echo "$name: FAILED"; tail -5 "$log" | sed 's/^/    /'; FAILED=1
    fi
    rm -f "$log"
}
echo "gpu_check: $(PYTHONPATH=. $PYTHON -c 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu")'), size=$SIZE"
run base_bf16       $PYTHON $BENCH $BASE  "${COMMON[@]}" "${EXTRA[@]}" --batch-size $BS
run base_bf16_ckpt  $PYTHON $BENCH $BASE  "${COMMON[@]}" "${EXTRA[@]}" --batch-size $BS \
    --grad-checkpointing
run large_bf16_ckpt $PYTHON $BENCH $LARGE "${COMMON[@]}" "${EXTRA[@]}" --batch-size $BS_LARGE
run florence2_bf16      $PYTHON $BENCH $VLM "${COMMON[@]}" "${VLM_EXTRA[@]}" --batch-size $BS_VLM
run florence2_bf16_ckpt $PYTHON $BENCH $VLM "${COMMON[@]}" "${VLM_EXTRA[@]}" --batch-size $BS_VLM \
    --grad-checkpointing
run base_fsdp_1proc $PYTHON -m torch.distributed.run --nproc_per_node 1 --master_port ${PORT:-29517} \
    $BENCH $BASE "${COMMON[@]}" "${EXTRA[@]}" --batch-size $BS --strategy fsdp --launcher pytorch
exit $FAILED
