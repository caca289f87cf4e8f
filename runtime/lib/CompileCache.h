//===- CompileCache.h - compiled kernels on disk ---------------*- C++ -*-===//
//
// Object code under $MMREC_CACHE_DIR (default ~/.cache/mmrec), one file per
// key. Entries are written to a temporary file and renamed, so readers see
// whole entries or none; each entry carries its size and a checksum, so a
// truncated or garbage entry is found, removed and rebuilt.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_COMPILECACHE_H
#define MMREC_RUNTIME_COMPILECACHE_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmrec {

/// The one hashing routine for cache keys: SHA-256 of `text`, in hex.
std::string hashKey(std::string_view text);

class CompileCache {
public:
  /// Uses $MMREC_CACHE_DIR, else $HOME/.cache/mmrec; without either, or when
  /// the directory cannot be made, the cache is off.
  CompileCache();

  bool enabled() const { return !dir.empty(); }
  std::string pathOf(const std::string &key) const;

  /// The payload stored under `key`; nullopt when missing or corrupt (a
  /// corrupt entry is removed).
  std::optional<std::vector<char>> load(const std::string &key) const;
  /// Stores `payload` under `key`; failures are logged, not thrown.
  void store(const std::string &key, const std::vector<char> &payload) const;

private:
  std::string dir;
};

} // namespace mmrec

#endif // MMREC_RUNTIME_COMPILECACHE_H
