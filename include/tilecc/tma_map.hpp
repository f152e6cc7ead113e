// Host side of tensor-map TMA (config dot_operand_load = "tma"): the 2-D tensor maps a kernel
// receives for its dot operands, encoded with the driver's cuTensorMapEncodeTiled.
//
// No CUDA header is needed: the driver function is taken as a pointer of the same ABI (its
// enums are ints), so the printed launchers (through the runtime's driver entry point), the
// runtime (through its dlopen'ed driver) and the unit tests (a fake driver) share this code.
// A map is valid only when the driver can describe the tensor (16-byte aligned base and row
// stride, unit column stride); an invalid one tells the kernel to take its cp.async path.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace tilecc {

/// A kernel's tensor-map parameter: the driver's 128-byte CUtensorMap, whether it holds a map,
/// and the extents it describes (the device library's dev::TensorMap has the same layout).
struct alignas(64) TensorMapParam {
  std::uint64_t map[16];
  int valid;
  std::int64_t rows, cols;
};

namespace tma_map {

/// cuTensorMapEncodeTiled's ABI: map, data type, rank, base, dims, strides (rank - 1, bytes),
/// box, element strides, interleave, swizzle, L2 promotion, out-of-bounds fill; 0 is success.
using EncodeTiled = int (*)(void*, int, std::uint32_t, void*, const std::uint64_t*, const std::uint64_t*,
                            const std::uint32_t*, const std::uint32_t*, int, int, int, int);

// The driver's enum values (cuda.h: CUtensorMapDataType, CUtensorMapSwizzle, ...).
inline constexpr int dtype_f16 = 6, dtype_bf16 = 9;
inline constexpr int interleave_none = 0, swizzle_128b = 3, l2_promotion_256b = 3, oob_fill_zero = 0;

/// A 2-D tile map of a row-major view: rows x cols elements of elem_bytes, rows row_stride
/// elements apart (unit column stride), boxes of box_rows x box_cols, 128-byte swizzle (the
/// layout wgmma's shared-memory descriptors read: box_cols * elem_bytes must be 128).
struct Request {
  const void* base = nullptr;
  std::int64_t rows = 0, cols = 0, row_stride = 0, col_stride = 1;
  int elem_bytes = 2, dtype = dtype_bf16;
  std::uint32_t box_rows = 0, box_cols = 0;

  bool operator==(const Request& o) const {
    return base == o.base && rows == o.rows && cols == o.cols && row_stride == o.row_stride &&
           col_stride == o.col_stride && elem_bytes == o.elem_bytes && dtype == o.dtype && box_rows == o.box_rows &&
           box_cols == o.box_cols;
  }
};

/// Whether the driver can describe the view with the request's box (its documented limits).
inline bool encodable(const Request& r) {
  const auto base = reinterpret_cast<std::uintptr_t>(r.base);
  const std::int64_t stride_bytes = r.row_stride * r.elem_bytes;
  return r.base && base % 16 == 0 && r.col_stride == 1 && r.rows > 0 && r.cols > 0 && r.rows <= (1LL << 32) &&
         r.cols <= (1LL << 32) && stride_bytes % 16 == 0 && stride_bytes > 0 && stride_bytes < (1LL << 40) &&
         r.box_rows >= 1 && r.box_rows <= 256 && r.box_cols * static_cast<std::uint32_t>(r.elem_bytes) == 128;
}

/// The map of the request, or an invalid one when it is not encodable or the driver refuses.
inline TensorMapParam encode(EncodeTiled fn, const Request& r) {
  TensorMapParam p{};
  if (!fn || !encodable(r)) return p;
  const std::uint64_t dims[2] = {static_cast<std::uint64_t>(r.cols), static_cast<std::uint64_t>(r.rows)};
  const std::uint64_t strides[1] = {static_cast<std::uint64_t>(r.row_stride * r.elem_bytes)};
  const std::uint32_t box[2] = {r.box_cols, r.box_rows};
  const std::uint32_t element_strides[2] = {1, 1};
  const int status = fn(p.map, r.dtype, 2, const_cast<void*>(r.base), dims, strides, box, element_strides,
                        interleave_none, swizzle_128b, l2_promotion_256b, oob_fill_zero);
  p.valid = status == 0 ? 1 : 0;
  if (!p.valid) std::memset(p.map, 0, sizeof p.map);
  p.rows = p.valid ? r.rows : 0;
  p.cols = p.valid ? r.cols : 0;
  return p;
}

/// Maps encoded so far, most recent first: a launcher asks for the same operands on every
/// launch, and encoding costs a driver call.
class Cache {
 public:
  TensorMapParam get(EncodeTiled fn, const Request& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < used_; ++i)
      if (entries_[i].request == r) return entries_[i].param;
    const TensorMapParam p = encode(fn, r);
    if (used_ < entries_.size()) ++used_;
    for (std::size_t i = used_ - 1; i > 0; --i) entries_[i] = entries_[i - 1];
    entries_[0] = {r, p};
    ++encoded_;
    return p;
  }
  /// Driver calls made (a test's view of the cache).
  std::size_t encoded() const { return encoded_; }

 private:
  struct Entry {
    Request request;
    TensorMapParam param;
  };
  std::mutex mutex_;
  std::array<Entry, 16> entries_{};
  std::size_t used_ = 0, encoded_ = 0;
};

}  // namespace tma_map
}  // namespace tilecc
