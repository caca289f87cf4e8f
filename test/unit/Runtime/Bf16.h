//===- Bf16.h - bfloat16 bits for the runtime tests -------------*- C++ -*-===//

#ifndef MMREC_TEST_UNIT_RUNTIME_BF16_H
#define MMREC_TEST_UNIT_RUNTIME_BF16_H

#include <cmath>
#include <cstdint>
#include <cstring>

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

} // namespace mmrec::test

#endif // MMREC_TEST_UNIT_RUNTIME_BF16_H
