#!/usr/bin/env bash
# GPU machine: Nsight Compute on one launch of a kernel of a benchmark binary (stall reasons,
# pipe utilization, memory throughput). Usage: scripts/gpu_profile.sh BINARY KERNEL_REGEX
set -euo pipefail
bin=$1 kernel=$2
ncu --kernel-name "regex:$kernel" --launch-skip 3 --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section WarpStateStats \
  --section Occupancy --section LaunchStats --section MemoryWorkloadAnalysis "$bin" 2>&1 |
  grep -vE "^==PROF==|^ *-+ *$" | grep -E "  [A-Za-z]" | head -90
