//===- Tensor.cpp - dtypes and tensor views -------------------------------===//

#include "mmrec/Tensor.h"

#include <sstream>

namespace mmrec {

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {{DType::BF16, "bf16", 2},
                                 {DType::F16, "f16", 2},
                                 {DType::F32, "f32", 4},
                                 {DType::F64, "f64", 8}};
} // namespace

size_t sizeOf(DType dtype) { return kDTypes[static_cast<int>(dtype)].size; }
const char *nameOf(DType dtype) { return kDTypes[static_cast<int>(dtype)].name; }

std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

const char *nameOf(Device device) { return device == Device::CPU ? "cpu" : "cuda"; }

TensorView TensorView::contiguous(void *data, DType dtype, std::vector<int64_t> shape,
                                  Device device) {
  TensorView view;
  view.data = data;
  view.dtype = dtype;
  view.strides.assign(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    view.strides[d] = view.strides[d + 1] * shape[d + 1];
  view.shape = std::move(shape);
  view.device = device;
  return view;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

std::string TensorView::describe() const {
  std::ostringstream os;
  os << nameOf(dtype) << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << "] strides [";
  for (size_t i = 0; i < strides.size(); ++i)
    os << (i ? ", " : "") << strides[i];
  os << "] on " << nameOf(device);
  return os.str();
}

} // namespace mmrec
