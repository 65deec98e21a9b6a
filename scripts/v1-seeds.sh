#!/usr/bin/env bash
# Develops V1 (scenarios/v1-development.yaml, or the scenario in SCENARIO)
# once per seed and tabulates each run's last measured orientation map:
#   scripts/v1-seeds.sh [SEED ...]         (default seeds: 1 2 3)
# Environment: OUT (run directories, default runs/v1-seeds), REMAP (the
# binary, default build/remap), SCENARIO, REMAP_ARGS (extra run options,
# e.g. "--reference" or "--iterations 5000").
set -euo pipefail
cd "$(dirname "$0")/.."
remap=${REMAP:-build/remap}
out=${OUT:-runs/v1-seeds}
scenario=${SCENARIO:-scenarios/v1-development.yaml}
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
mkdir -p "$out"
for seed in "${seeds[@]}"; do
    dir="$out/seed-$seed"
    if [ -f "$dir/metrics.csv" ] && [ -f "$dir/done" ]; then
        echo "seed $seed: already in $dir"
        continue
    fi
    rm -rf "$dir"
    echo "seed $seed: $remap run $scenario --seed $seed --out $dir ${REMAP_ARGS:-}"
    # shellcheck disable=SC2086
    "$remap" run "$scenario" --seed "$seed" --out "$dir" --quiet ${REMAP_ARGS:-}
    touch "$dir/done"
done
python3 scripts/v1_table.py "${seeds[@]/#/$out/seed-}"
