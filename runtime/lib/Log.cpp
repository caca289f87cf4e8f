//===- Log.cpp - MMREC_LOG ------------------------------------------------===//

#include "Log.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mmrec {

LogLevel logLevel() {
  static const LogLevel level = [] {
    const char *value = std::getenv("MMREC_LOG");
    if (!value)
      return LogLevel::Off;
    if (!std::strcmp(value, "debug"))
      return LogLevel::Debug;
    if (!std::strcmp(value, "info"))
      return LogLevel::Info;
    return LogLevel::Off;
  }();
  return level;
}

void log(LogLevel level, const std::string &message) {
  if (level <= logLevel() && level != LogLevel::Off)
    std::fprintf(stderr, "mmrec: %s\n", message.c_str());
}

} // namespace mmrec
