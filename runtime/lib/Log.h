//===- Log.h - MMREC_LOG ---------------------------------------*- C++ -*-===//
//
// MMREC_LOG=info says what was compiled, loaded from the cache or rebuilt;
// MMREC_LOG=debug adds the cache keys and paths. Messages go to stderr.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_LOG_H
#define MMREC_RUNTIME_LOG_H

#include <string>

namespace mmrec {

enum class LogLevel { Off, Info, Debug };

LogLevel logLevel();
void log(LogLevel level, const std::string &message);

} // namespace mmrec

#endif // MMREC_RUNTIME_LOG_H
