#!/usr/bin/env bash
# Translates the seeded config sample of every example (20 configs per kernel, drawn with the
# seed and bases of test/nvrtc_examples/test_config_space_nvrtc.cpp) for
# sm_90a into .carry/cfg/<i>/gen/<example>.cu, for scripts/gpu_config_space.sh on the GPU
# machine. A config is valid for every template instance of its kernel; in softmax.tile.cpp the
# sample goes to `softmax` (drawn to hold rows of 4096: it is timed at 8192 x 4096),
# softmax_two_pass keeps its default; matmul's first 7 configs have 0, 2, 3, 4 pipeline stages,
# then each dot_instruction (auto, mma_sync, wgmma). .carry/cfg/configs.tsv lists every config.
#   TILECC=/path/to/tilecc scripts/gpu_config_space_translate.sh   (default build/cli/tilecc)
set -euo pipefail
cd "$(dirname "$0")/.."
tilecc=${TILECC:-build/cli/tilecc}
samples=${SAMPLES:-20}
seed=20261202
rm -rf .carry/cfg
mkdir -p .carry/cfg
for k in add bmm cross_entropy embedding exp geglu layer_norm long_sum matmul rms_norm softmax sum swiglu; do
  how=()  # as sample_base / sample_cover of the nvrtc test
  [ "$k" = softmax ] && how=(--full-extent 4096)
  [ "$k" = matmul ] && how=(--cover 'range_num_stages[0]' --cover dot_instruction)
  "$tilecc" config-space "examples/$k.tile.cpp" -k "$k" --arch sm_90a --sample "$samples" --seed "$seed" \
    "${how[@]}" > ".carry/cfg/$k.sample"
  i=0
  cut -f2 ".carry/cfg/$k.sample" | while read -r config; do
    mkdir -p ".carry/cfg/$i/gen"
    "$tilecc" translate "examples/$k.tile.cpp" -k "$k" --arch sm_90a --config "$config" -o ".carry/cfg/$i/gen/$k.cu"
    printf '%s\t%s\t%s\n' "$i" "$k" "$config" >> .carry/cfg/configs.tsv
    i=$((i + 1))
  done
done
# The sources the GPU build needs, from this checkout (so the GPU machine builds exactly what
# was translated against, whatever else its copy of the tree holds).
mkdir -p .carry/cfg/tree/test
cp -r include templates bench .carry/cfg/tree/
cp -r test/gpu test/support .carry/cfg/tree/test/
echo "translated $(wc -l < .carry/cfg/configs.tsv) configs into .carry/cfg" \
  "($(grep -c '_tma' .carry/cfg/configs.tsv) with TMA loads or stores)"
