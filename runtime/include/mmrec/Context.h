//===- Context.h - devices, compilation and launching ----------*- C++ -*-===//
//
// A Context owns a device (the CPU backend, or a GPU through the CUDA driver),
// the compiler, the compile cache and the CPU thread pool. It compiles mmrec
// kernels (text or file) into Kernel objects that launch with TensorViews.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_CONTEXT_H
#define MMREC_CONTEXT_H

#include "mmrec/Error.h"
#include "mmrec/Tensor.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace mmrec {

class ContextImpl;
class KernelImpl;
struct KernelInternals;

/// A compiled kernel. Cheap to copy; it keeps what it needs of its Context
/// (code, threads; on a GPU, for scans, the compiler too: the heuristic's
/// variants are compiled on first use), so it stays usable after the
/// Context is destroyed.
class Kernel {
public:
  Kernel() = default;
  const std::string &name() const;
  /// The number of arguments launch() takes.
  size_t numArgs() const;
  /// The compile cache key: a hash of the canonical fused IR, the target and
  /// the compiler version. Kernels with equal keys run the same code.
  const std::string &key() const;

  /// Runs the kernel on `args` (one per kernel argument, in order). Checks
  /// every argument first (rank, dtype, shapes against each other, strides,
  /// device, overlaps of outputs) and throws mmrec::Error naming the kernel
  /// and the argument; nothing is written when an argument is bad.
  ///
  /// On the CPU the work is done when launch returns. On CUDA it is queued on
  /// `stream` (a CUstream; null: the legacy default stream) and launch returns
  /// at once: it allocates nothing, synchronizes nothing and copies nothing,
  /// so it can be captured in a CUDA graph. Kernels that need scratch (values
  /// between groups, the chunked strategy, the lookback tile state) allocate
  /// it the first time a shape needs more on a stream, and keep it. Scans
  /// without a tiling run with `lookback` at shapes with few lanes
  /// (docs/gpu.md): the first such launch also compiles that variant. So
  /// launch a kernel once at every shape you will capture, on the stream you
  /// will capture on, before capturing (a launch that would allocate during
  /// capture throws mmrec::Error saying so). Each stream has its own scratch:
  /// launches of one Kernel (or its copies) may run on several streams at
  /// once. A captured graph uses its stream's: do not replay it while the
  /// kernel runs on that stream, or while another graph captured there runs.
  void launch(std::initializer_list<TensorView> args, void *stream = nullptr) const;
  void launch(const TensorView *args, size_t count, void *stream = nullptr) const;

private:
  friend class ContextImpl;
  friend struct KernelInternals;
  explicit Kernel(std::shared_ptr<const KernelImpl> impl) : impl(std::move(impl)) {}
  std::shared_ptr<const KernelImpl> impl;
};

class Context {
public:
  /// Picks the device: MMREC_DEVICE=cpu|cuda, else CUDA when a driver and a
  /// GPU are present, else the CPU.
  Context();
  explicit Context(Device device);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  Device device() const;
  /// Threads of the CPU backend (MMREC_NUM_THREADS, default: all cores).
  unsigned numThreads() const;

  /// Compiles kernel `kernel` of an mmrec module given as text.
  Kernel compile(std::string_view source, std::string_view kernel);
  /// Compiles kernel `kernel` of an mmrec module file.
  Kernel compileFile(const std::string &path, std::string_view kernel);

  /// Waits until every kernel launched on this context's GPU is done (no-op
  /// on the CPU).
  void synchronize() const;
  /// The device's name ("cpu", or the GPU's name and architecture).
  std::string deviceName() const;

private:
  friend class DeviceBuffer;
  // Shared with kernels whose lookback variants are compiled on first use.
  std::shared_ptr<ContextImpl> impl;
};

/// Memory on a context's device (host memory for the CPU backend) for the
/// inputs and outputs of kernels in tools and tests. Kernels take any memory
/// of their device in a TensorView: PyTorch's tensors, cudaMalloc's.
class DeviceBuffer {
public:
  DeviceBuffer(const Context &context, size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;

  void *data() const;
  size_t size() const;
  /// Copies `bytes` from host memory to the start of the buffer; waits.
  void upload(const void *host, size_t bytes);
  /// Copies `bytes` from the start of the buffer to host memory; waits.
  void download(void *host, size_t bytes) const;

private:
  struct State;
  std::unique_ptr<State> state;
};

} // namespace mmrec

#endif // MMREC_CONTEXT_H
