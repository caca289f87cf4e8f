//===- CompileCache.cpp - compiled kernels on disk ------------------------===//

#include "CompileCache.h"

#include "Log.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

namespace mmrec {

namespace {
constexpr char kMagic[8] = {'M', 'M', 'R', 'E', 'C', 'O', 'B', 'J'};
constexpr uint32_t kFormatVersion = 1;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t size;
  uint64_t checksum;
};
} // namespace

std::string hashKey(std::string_view text) {
  auto digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  return llvm::toHex(digest, /*LowerCase=*/true);
}

const std::string &compilerIdentity() {
  static const std::string identity = [] {
    std::string text = "mmrec " MMREC_VERSION " llvm " LLVM_VERSION_STRING;
    Dl_info info;
    if (!dladdr(reinterpret_cast<void *>(&compilerIdentity), &info) || !info.dli_fname) {
      log(LogLevel::Info, "cannot locate libmmrec: cache keys use the version only");
      return text;
    }
    auto file = llvm::MemoryBuffer::getFile(info.dli_fname);
    if (!file) {
      log(LogLevel::Info, std::string("cannot read ") + info.dli_fname +
                              ": cache keys use the version only");
      return text;
    }
    return text + " build " + llvm::utohexstr(llvm::xxh3_64bits((*file)->getBuffer()));
  }();
  return identity;
}

CompileCache::CompileCache() {
  llvm::SmallString<256> path;
  if (const char *env = std::getenv("MMREC_CACHE_DIR"); env && *env) {
    path = env;
  } else if (const char *home = std::getenv("HOME"); home && *home) {
    path = home;
    llvm::sys::path::append(path, ".cache", "mmrec");
  } else {
    log(LogLevel::Info, "no MMREC_CACHE_DIR and no HOME: the disk cache is off");
    return;
  }
  if (std::error_code error = llvm::sys::fs::create_directories(path)) {
    log(LogLevel::Info, "cannot create the cache directory " + path.str().str() + " (" +
                            error.message() + "): the disk cache is off");
    return;
  }
  dir = path.str().str();
}

std::string CompileCache::pathOf(const std::string &key) const {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, key + ".o");
  return path.str().str();
}

std::optional<std::vector<char>> CompileCache::load(const std::string &key) const {
  if (!enabled())
    return std::nullopt;
  std::string path = pathOf(key);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt;
  llvm::StringRef data = (*buffer)->getBuffer();
  Header header;
  bool valid = data.size() >= sizeof(Header);
  if (valid) {
    std::memcpy(&header, data.data(), sizeof(Header));
    valid = !std::memcmp(header.magic, kMagic, sizeof(kMagic)) &&
            header.version == kFormatVersion && header.size == data.size() - sizeof(Header) &&
            header.checksum == llvm::xxh3_64bits(data.drop_front(sizeof(Header)));
  }
  if (!valid) {
    log(LogLevel::Info, "discarding corrupt cache entry " + path);
    llvm::sys::fs::remove(path);
    return std::nullopt;
  }
  llvm::StringRef payload = data.drop_front(sizeof(Header));
  return std::vector<char>(payload.begin(), payload.end());
}

void CompileCache::store(const std::string &key, const std::vector<char> &payload) const {
  if (!enabled())
    return;
  std::string path = pathOf(key);
  llvm::SmallString<256> temp;
  int fd;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%%%", fd, temp)) {
    log(LogLevel::Info, "cannot write the cache entry " + path + ": " + error.message());
    return;
  }
  Header header;
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kFormatVersion;
  header.reserved = 0;
  header.size = payload.size();
  header.checksum = llvm::xxh3_64bits(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(payload.data()), payload.size()));
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(reinterpret_cast<const char *>(&header), sizeof(header));
    os.write(payload.data(), payload.size());
    os.close();
    if (os.has_error()) {
      log(LogLevel::Info, "cannot write the cache entry " + path + ": " + os.error().message());
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return;
    }
  }
  // rename() replaces atomically: concurrent writers of one key leave one
  // whole entry.
  if (std::error_code error = llvm::sys::fs::rename(temp, path)) {
    log(LogLevel::Info, "cannot publish the cache entry " + path + ": " + error.message());
    llvm::sys::fs::remove(temp);
    return;
  }
  log(LogLevel::Debug, "cached " + path);
}

} // namespace mmrec
