//===- ThreadPool.cpp - the CPU backend's workers -------------------------===//

#include "ThreadPool.h"

#include <algorithm>

namespace mmrec {

namespace {
/// The run of [0, n) that thread `index` of `threads` takes.
std::pair<int64_t, int64_t> slice(int64_t n, unsigned index, unsigned threads) {
  return {n * index / threads, n * (index + 1) / threads};
}
} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

void ThreadPool::parallelFor(int64_t n, llvm::function_ref<void(int64_t, int64_t)> body) {
  if (n <= 0)
    return;
  unsigned threads = size();
  if (threads == 1 || n == 1) {
    body(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(callMutex);
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = body;
    jobSize = n;
    pending = threads - 1;
    ++generation;
  }
  wake.notify_all();
  auto [begin, end] = slice(n, 0, threads);
  if (begin < end)
    body(begin, end);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return pending == 0; });
  job = {};
}

void ThreadPool::work(unsigned index) {
  uint64_t seen = 0;
  for (;;) {
    llvm::function_ref<void(int64_t, int64_t)> body;
    int64_t n;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      body = job;
      n = jobSize;
    }
    auto [begin, end] = slice(n, index, size());
    if (begin < end)
      body(begin, end);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }
}

ThreadPool &hostThreads() {
  static ThreadPool pool(std::max(1u, std::thread::hardware_concurrency()));
  return pool;
}

} // namespace mmrec
