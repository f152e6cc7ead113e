// The tile language: the one header kernel authors include.
//
//   #include <tilecc/tile.hpp>
//   namespace tl = tilecc;
//   TILECC_KERNEL void add(tl::Tensor<const float, 1> x, tl::Tensor<const float, 1> y,
//                          tl::Tensor<float, 1> out) {
//     TILECC_CHECK(x.size(0) == y.size(0) && x.size(0) == out.size(0));
//     for (auto t : tl::tile(x.size(0))) out[t] = x[t] + y[t];
//   }
//
// Compiled by any C++23 compiler, a kernel runs eagerly on the CPU (the
// reference semantics); tilecc translates the same source into CUDA.
#pragma once

#include "tilecc/lang/dtype.hpp"       // f16, bf16, promotion rules
#include "tilecc/lang/kernel.hpp"      // TILECC_KERNEL, TILECC_CHECK
#include "tilecc/lang/loops.hpp"       // tile(), grid(), block(), register_block_size()
#include "tilecc/lang/ops.hpp"         // math, reductions, dot, atomic_add
#include "tilecc/lang/random.hpp"      // rand, randn (Philox)
#include "tilecc/lang/tensor.hpp"      // Tensor, TileRef, all
#include "tilecc/lang/tile_value.hpp"  // Tile, Shape, operators
