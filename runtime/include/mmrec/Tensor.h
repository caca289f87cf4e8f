//===- Tensor.h - views of tensors passed to kernels -----------*- C++ -*-===//
//
// The element types mmrec kernels read and write, and the non-owning view
// (pointer, dtype, shape, strides in elements, device) that a launch takes
// for each kernel argument.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TENSOR_H
#define MMREC_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmrec {

/// The one dtype table of mmrec.
enum class DType { BF16, F16, F32, F64 };

/// Bytes per element.
size_t sizeOf(DType dtype);
/// "bf16", "f16", "f32", "f64" (the MLIR spelling).
const char *nameOf(DType dtype);
/// The dtype of a name as nameOf writes it.
std::optional<DType> parseDType(std::string_view name);

enum class Device { CPU, CUDA };
const char *nameOf(Device device);

/// The largest rank a view may have.
constexpr int kMaxRank = 8;

/// A strided view of memory owned by the caller. Strides count elements and
/// may be zero or negative only where the kernel reads (never for outputs).
struct TensorView {
  void *data = nullptr;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  Device device = Device::CPU;

  /// A row-major contiguous view.
  static TensorView contiguous(void *data, DType dtype, std::vector<int64_t> shape,
                               Device device = Device::CPU);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const;
  /// "bf16[2, 8, 1024, 128] strides [..]" for messages.
  std::string describe() const;
};

} // namespace mmrec

#endif // MMREC_TENSOR_H
