#!/usr/bin/env bash
# GPU machine: Nsight Compute on one launch of a kernel of a benchmark binary (stall reasons,
# pipe utilization, memory throughput). Usage: scripts/gpu_profile.sh BINARY KERNEL_REGEX [ARGS...]
set -euo pipefail
bin=$1 kernel=$2
shift 2
ncu --kernel-name "regex:$kernel" --launch-skip 3 --launch-count 1 \
  --section SpeedOfLight --section ComputeWorkloadAnalysis --section WarpStateStats \
  --section Occupancy --section LaunchStats --section MemoryWorkloadAnalysis \
  --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum" \
  "$bin" "$@" 2>&1 | grep -vE "^==PROF==|^ *-+ *$" | grep -E "  [A-Za-z]" | grep -vE "^ +smsp__average_warps_issue_stalled_.* 0(\.0[0-9]*)?$" | head -150
