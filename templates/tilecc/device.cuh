// tilecc device library: the one header generated CUDA includes.
//
// Register fragments of tiles spread over a thread block (Frag, Layout), masked and
// vectorized global loads and stores (also through TMA bulk copies on sm_90+), elementwise
// math with broadcasting, block reductions, and dot products. Header-only; builds with nvcc
// and with NVRTC (no standard library needed, only cuda_fp16.h / cuda_bf16.h from the CUDA
// include directory).
#pragma once

#include "device/access.cuh"
#include "device/atomic.cuh"
#include "device/dot.cuh"
#include "device/elementwise.cuh"
#include "device/frag.cuh"
#include "device/frag_mma.cuh"
#include "device/layout.cuh"
#include "device/memory.cuh"
#include "device/old_spellings.cuh"
#include "device/packed.cuh"
#include "device/reduce.cuh"
#include "device/scan.cuh"
#include "device/programs.cuh"
#include "device/random.cuh"
#include "device/tma.cuh"
#include "device/types.cuh"
