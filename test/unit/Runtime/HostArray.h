//===- HostArray.h - host data of one dtype for the runtime tests -*- C++ -*-===//

#ifndef MMREC_TEST_UNIT_RUNTIME_HOSTARRAY_H
#define MMREC_TEST_UNIT_RUNTIME_HOSTARRAY_H

#include "mmrec/Tensor.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mmrec::test {

/// `value` rounded to the nearest bfloat16 (ties to even; NaN stays NaN).
inline uint16_t toBf16(float value) {
  if (std::isnan(value))
    return 0x7fc0;
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

inline float fromBf16(uint16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

/// Host storage of `dtype` elements with float64 access: set() rounds to
/// the dtype (to nearest), get() reads back exactly.
struct HostArray {
  DType dtype;
  std::vector<unsigned char> bytes;
  HostArray(DType dtype, int64_t n) : dtype(dtype), bytes(n * sizeOf(dtype)) {}

  void set(int64_t i, double v) {
    if (dtype == DType::F64) {
      std::memcpy(&bytes[i * 8], &v, 8);
    } else if (dtype == DType::F32) {
      float f = float(v);
      std::memcpy(&bytes[i * 4], &f, 4);
    } else if (dtype == DType::F16) {
      _Float16 h = _Float16(v);
      std::memcpy(&bytes[i * 2], &h, 2);
    } else {
      uint16_t half = toBf16(float(v));
      std::memcpy(&bytes[i * 2], &half, 2);
    }
  }
  double get(int64_t i) const {
    if (dtype == DType::F64) {
      double d;
      std::memcpy(&d, &bytes[i * 8], 8);
      return d;
    }
    if (dtype == DType::F32) {
      float f;
      std::memcpy(&f, &bytes[i * 4], 4);
      return f;
    }
    if (dtype == DType::F16) {
      _Float16 h;
      std::memcpy(&h, &bytes[i * 2], 2);
      return double(h);
    }
    uint16_t half;
    std::memcpy(&half, &bytes[i * 2], 2);
    return fromBf16(half);
  }
};

} // namespace mmrec::test

#endif // MMREC_TEST_UNIT_RUNTIME_HOSTARRAY_H
