//===- Error.h - the one error type of mmrec -------------------*- C++ -*-===//
//
// Every failure the runtime reports to its user: bad input (shape, dtype,
// stride, device), malformed IR, compile and driver errors. The message
// names the kernel, the argument and what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_ERROR_H
#define MMREC_ERROR_H

#include <stdexcept>
#include <string>

namespace mmrec {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

} // namespace mmrec

#endif // MMREC_ERROR_H
