//===- ThreadPool.h - the CPU backend's workers ----------------*- C++ -*-===//
//
// A fixed set of threads that run one parallel loop at a time; the calling
// thread takes part. Lane blocks of a group are split into contiguous runs,
// one per thread.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_THREADPOOL_H
#define MMREC_RUNTIME_THREADPOOL_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include <condition_variable>
#include <cstdint>

#include <mutex>
#include <thread>
#include <vector>

namespace mmrec {

class ThreadPool {
public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();

  unsigned size() const { return static_cast<unsigned>(workers.size()) + 1; }

  /// Calls body(begin, end) on disjoint runs covering [0, n) and returns
  /// when all are done. Calls from several threads take turns.
  void parallelFor(int64_t n, llvm::function_ref<void(int64_t, int64_t)> body);

private:
  void work(unsigned index);

  std::vector<std::thread> workers;
  std::mutex callMutex; // one parallelFor at a time
  std::mutex mutex;
  std::condition_variable wake, done;
  llvm::function_ref<void(int64_t, int64_t)> job;
  int64_t jobSize = 0;
  uint64_t generation = 0;
  unsigned pending = 0;
  bool stopping = false;
};

/// The process's pool for the library's host work (random inputs, float64
/// references, comparisons): a thread per hardware thread, made on first
/// use. Its loops must not nest.
ThreadPool &hostThreads();

} // namespace mmrec

#endif // MMREC_RUNTIME_THREADPOOL_H
