#include "arg_pack.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "include/tilecc/tma_map.hpp"

namespace tilecc::launch {

unsigned char* ArgPack::append(std::size_t size, std::size_t align) {
  const std::size_t offset = (used_ + align - 1) / align * align;
  if (offset + size > kBytes || count_ >= kMaxArgs)
    throw std::length_error(fmt::format("tilecc: kernel arguments exceed {} bytes or {} arguments", kBytes, kMaxArgs));
  pointers_[count_++] = buffer_ + offset;
  used_ = offset + size;
  return buffer_ + offset;
}

std::uint16_t bf16_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN
  return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

std::uint16_t f16_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  std::uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u);
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow -> inf
  if (a < 0x38800000u) {                                                   // subnormal or zero
    float magnitude;
    std::memcpy(&magnitude, &a, 4);
    return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(magnitude * 16777216.0f)));
  }
  a += 0xc8000fffu + ((a >> 13) & 1u);  // rebias exponent, round to nearest even
  return static_cast<std::uint16_t>(sign | (a >> 13));
}

void pack_tensor(ArgPack& out, std::uint64_t data, int rank, const std::int64_t* sizes, const std::int64_t* strides) {
  constexpr int kMaxRank = 8;
  if (rank < 0 || rank > kMaxRank)
    throw std::length_error(fmt::format("tilecc: a tensor argument of rank {} (at most {})", rank, kMaxRank));
  // Written in place, one 8-byte word at a time: this runs per tensor per launch, and a
  // copy of a run-time length compiled to a string move costs more than the few words.
  const std::size_t r = static_cast<std::size_t>(rank);
  unsigned char* bytes = out.append(8 + 16 * r, 8);
  std::memcpy(bytes, &data, 8);
  for (std::size_t d = 0; d < r; ++d) {
    std::memcpy(bytes + 8 + 8 * d, sizes + d, 8);
    std::memcpy(bytes + 8 + 8 * (r + d), strides + d, 8);
  }
}

void pack_scalar(ArgPack& out, ir::DType dtype, const HostValue& v) {
  const double f = v.is_float ? v.f : static_cast<double>(v.i);
  const std::int64_t i = v.is_float ? static_cast<std::int64_t>(v.f) : v.i;
  switch (dtype) {
    case ir::DType::f16: out.push(f16_bits(static_cast<float>(f))); break;
    case ir::DType::bf16: out.push(bf16_bits(static_cast<float>(f))); break;
    case ir::DType::f32: out.push(static_cast<float>(f)); break;
    case ir::DType::f64: out.push(f); break;
    case ir::DType::i8: out.push(static_cast<std::int8_t>(i)); break;
    case ir::DType::i32: out.push(static_cast<std::int32_t>(i)); break;
    case ir::DType::i64: out.push(static_cast<long long>(i)); break;
    case ir::DType::b1: out.push(static_cast<bool>(i != 0)); break;
    case ir::DType::u8: out.push(static_cast<std::uint8_t>(i)); break;
    case ir::DType::fp8e4m3:
    case ir::DType::fp8e5m2: break;  // the frontend refuses fp8 scalar parameters
  }
}

void pack_args(std::span<const ParamPacking> params, const HostEnv& env, const std::uint64_t* data, ArgPack& out) {
  for (std::size_t p = 0; p < params.size(); ++p) {
    const ParamPacking& pp = params[p];
    if (pp.kind == ParamPacking::Kind::Tensor)
      pack_tensor(out, data[p], pp.rank, env.sizes[p], env.strides[p]);
    else
      pack_scalar(out, pp.dtype, env.scalars[p]);
  }
}

void pack_tensor_maps(std::span<const TensorMapPacking> maps, const HostEnv& env, const std::uint64_t* data,
                      tma_map::EncodeTiled encode, tma_map::Cache& cache, ArgPack& out) {
  for (const TensorMapPacking& m : maps) {
    const std::size_t p = static_cast<std::size_t>(m.param);
    tma_map::Request r;
    r.base = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(data[p]));
    r.rows = env.sizes[p][0];
    r.cols = env.sizes[p][1];
    r.row_stride = env.strides[p][0];
    r.col_stride = env.strides[p][1];
    r.elem_bytes = ir::size_bytes(m.dtype);
    r.dtype = m.dtype == ir::DType::bf16 ? tma_map::dtype_bf16 : m.dtype == ir::DType::f16 ? tma_map::dtype_f16 : -1;
    r.box_rows = static_cast<std::uint32_t>(m.box_rows);
    r.box_cols = static_cast<std::uint32_t>(m.box_cols);
    out.push(r.dtype < 0 ? TensorMapParam{} : cache.get(encode, r));
  }
}

}  // namespace tilecc::launch
