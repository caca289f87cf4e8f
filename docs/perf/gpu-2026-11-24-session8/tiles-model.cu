// Microbenchmark: what the memory structure of a look-back tile can reach.
// A tile = 128 rows x LANES bf16 (contiguous when LANES = row length).
#include <cuda.h>
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdint>
#include <vector>
#include <algorithm>
#define CK(x) do { cudaError_t e = (x); if (e) { printf("%s:%d %s\n", __FILE__, __LINE__, cudaGetErrorString(e)); exit(1);} } while (0)

__device__ __forceinline__ void cpAsync16(void *smem, const void *g) {
  unsigned s = (unsigned)__cvta_generic_to_shared(smem);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(s), "l"(g));
}
__device__ __forceinline__ void commit() { asm volatile("cp.async.commit_group;"); }
template <int N> __device__ __forceinline__ void waitGroup() { asm volatile("cp.async.wait_group %0;" :: "n"(N)); }
__device__ __forceinline__ void spin(long long cycles) {
  if (cycles <= 0) return;
  long long start = clock64();
  while (clock64() - start < cycles) {}
}

struct Args { const uint4 *in; uint4 *out; unsigned *counter; unsigned *flags; unsigned tiles; unsigned laneBlocks;
              unsigned tileVecs; long long delay; unsigned epoch; int chain; unsigned window; unsigned long long *stats; int backoff; };
__device__ __forceinline__ unsigned long long nowNs() { unsigned long long t; asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t)); return t; }

// Per tile: copies, wait, (delay), chain on the predecessor's flag, store.
__device__ __forceinline__ void issueTile(const Args &a, uint4 *buf, unsigned tile) {
  const uint4 *src = a.in + (size_t)tile * a.tileVecs;
  for (unsigned i = threadIdx.x; i < a.tileVecs; i += blockDim.x) cpAsync16(buf + i, src + i);
  commit();
}
__device__ __forceinline__ void finishTile(const Args &a, uint4 *buf, unsigned tile) {
  __syncthreads();
  unsigned long long tLoaded = nowNs(), tResolved = tLoaded; unsigned rounds = 0;
  if (a.delay > 0) {
    float x0 = __uint_as_float(buf[threadIdx.x].x) * 1e-30f, x1 = x0 + 1, x2 = x0 + 2, x3 = x0 + 3;
    for (long long i = 0; i < a.delay; i += 4) {
      x0 = fmaf(x0, 0.999f, 1e-7f); x1 = fmaf(x1, 0.999f, 1e-7f);
      x2 = fmaf(x2, 0.999f, 1e-7f); x3 = fmaf(x3, 0.999f, 1e-7f);
    }
    if (x0 + x1 + x2 + x3 == 12345.f) buf[threadIdx.x].x = 0;
    __syncthreads();
  }
  if (a.chain) {
    // Decoupled look-back over tile statuses: tags (epoch << 2) | 1 aggregate, | 2 inclusive.
    __shared__ int found;
    unsigned chunk = tile / a.laneBlocks;
    unsigned agg = (a.epoch << 2) | 1, inc = (a.epoch << 2) | 2;
    if (threadIdx.x == 0) { asm volatile("st.relaxed.gpu.global.u32 [%0], %1;" :: "l"(a.flags + tile), "r"(chunk ? agg : inc)); found = 0; }
    __syncthreads();
    for (unsigned base = 0; chunk > 0 && base < chunk; base += a.window) {
      int mine = 0;
      unsigned d = base + threadIdx.x + 1;
      if (threadIdx.x < a.window && d <= chunk) {
        unsigned v;
        for (unsigned ns = 32;; ns = ns < 512 ? 2 * ns : ns) {
          asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(a.flags + tile - d * a.laneBlocks));
          if (v == agg || v == inc) break;
          if (a.backoff) __nanosleep(ns);
        }
        mine = v == inc;
      }
      ++rounds;
      if (__syncthreads_or(mine)) break;
    }
    if (threadIdx.x == 0 && chunk) asm volatile("st.relaxed.gpu.global.u32 [%0], %1;" :: "l"(a.flags + tile), "r"(inc));
    __syncthreads();
    tResolved = nowNs();
  }
  uint4 *dst = a.out + (size_t)tile * a.tileVecs;
  for (unsigned i = threadIdx.x; i < a.tileVecs; i += blockDim.x) dst[i] = buf[i];
  if (a.stats && threadIdx.x == 0) {
    atomicAdd(a.stats + 0, 1); atomicAdd(a.stats + 1, rounds); atomicAdd(a.stats + 2, tResolved - tLoaded);
  }
}

__global__ void tileOnce(Args a) {
  extern __shared__ uint4 smem[];
  __shared__ unsigned ticket;
  if (threadIdx.x == 0) ticket = atomicAdd(a.counter, 1);
  __syncthreads();
  unsigned tile = ticket;
  issueTile(a, smem, tile);
  waitGroup<0>();
  finishTile(a, smem, tile);
}

__global__ void tilePersistent(Args a) {
  extern __shared__ uint4 smem[];
  __shared__ unsigned ticket;
  for (;;) {
    if (threadIdx.x == 0) ticket = atomicAdd(a.counter, 1);
    __syncthreads();
    unsigned tile = ticket;
    __syncthreads();
    if (tile >= a.tiles) return;
    issueTile(a, smem, tile);
    waitGroup<0>();
    finishTile(a, smem, tile);
    __syncthreads();
  }
}

__global__ void tilePrefetch(Args a) {
  extern __shared__ uint4 smem[];
  __shared__ unsigned tickets[2];
  if (threadIdx.x == 0) tickets[0] = atomicAdd(a.counter, 1);
  __syncthreads();
  unsigned tile = tickets[0];
  if (tile >= a.tiles) return;
  issueTile(a, smem, tile);
  for (int parity = 0;; parity ^= 1) {
    if (threadIdx.x == 0) tickets[parity ^ 1] = atomicAdd(a.counter, 1);
    __syncthreads();
    unsigned next = tickets[parity ^ 1];
    uint4 *buf = smem + parity * a.tileVecs, *nbuf = smem + (parity ^ 1) * a.tileVecs;
    if (next < a.tiles) { issueTile(a, nbuf, next); waitGroup<1>(); } else waitGroup<0>();
    finishTile(a, buf, tile);
    __syncthreads();
    if (next >= a.tiles) return;
    tile = next;
  }
}


// Warp 0 looks back for the current tile while warps 1.. wait for the next
// tile's data and publish its aggregate at once: aggregates never wait on a
// block's turn.
__device__ __forceinline__ void publishFlag(const Args &a, unsigned tile, unsigned value) {
  asm volatile("st.relaxed.gpu.global.u32 [%0], %1;" :: "l"(a.flags + tile), "r"(value));
}
__device__ __forceinline__ bool lookBack(const Args &a, unsigned tile) {  // warp 0; true when resolved
  unsigned chunk = tile / a.laneBlocks;
  unsigned agg = (a.epoch << 2) | 1, inc = (a.epoch << 2) | 2;
  unsigned rounds = 0;
  for (unsigned base = 0; chunk > 0 && base < chunk; base += a.window) {
    int mine = 0;
    unsigned d = base + threadIdx.x + 1;
    if (threadIdx.x < a.window && d <= chunk) {
      unsigned v;
      do { asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(a.flags + tile - d * a.laneBlocks)); } while (v != agg && v != inc);
      mine = v == inc;
    }
    ++rounds;
    if (__any_sync(~0u, mine)) break;
  }
  if (threadIdx.x == 0) publishFlag(a, tile, inc);
  return rounds;
}
__global__ void tileSpecialized(Args a) {
  extern __shared__ uint4 smem[];
  __shared__ unsigned tickets[2];
  unsigned agg = (a.epoch << 2) | 1, inc = (a.epoch << 2) | 2;
  if (threadIdx.x == 0) tickets[0] = atomicAdd(a.counter, 1);
  __syncthreads();
  unsigned tile = tickets[0];
  if (tile >= a.tiles) return;
  issueTile(a, smem, tile);
  waitGroup<0>();
  __syncthreads();
  if (threadIdx.x == 0) publishFlag(a, tile, tile / a.laneBlocks ? agg : inc);
  for (int parity = 0;; parity ^= 1) {
    uint4 *buf = smem + parity * a.tileVecs, *nbuf = smem + (parity ^ 1) * a.tileVecs;
    if (threadIdx.x == 32) tickets[parity ^ 1] = atomicAdd(a.counter, 1);
    if (threadIdx.x < 32) {
      lookBack(a, tile);
    } else {
      asm volatile("bar.sync 1, %0;" :: "r"(blockDim.x - 32));
      unsigned next = tickets[parity ^ 1];
      if (next < a.tiles) {
        const uint4 *src = a.in + (size_t)next * a.tileVecs;
        for (unsigned i = threadIdx.x - 32; i < a.tileVecs; i += blockDim.x - 32) cpAsync16(nbuf + i, src + i);
        commit();
        waitGroup<0>();
        asm volatile("bar.sync 1, %0;" :: "r"(blockDim.x - 32));
        if (threadIdx.x == 32) publishFlag(a, next, next / a.laneBlocks ? agg : inc);
      }
    }
    __syncthreads();
    uint4 *dst = a.out + (size_t)tile * a.tileVecs;
    for (unsigned i = threadIdx.x; i < a.tileVecs; i += blockDim.x) dst[i] = buf[i];
    unsigned next = tickets[parity ^ 1];
    __syncthreads();
    if (next >= a.tiles) return;
    tile = next;
  }
}

__global__ void copyPlain(const uint4 *in, uint4 *out, size_t n) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) out[i] = in[i];
}

int main() {
  int sms; CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  const size_t pool = size_t(1) << 30;
  char *in, *out; unsigned *counter, *flags;
  CK(cudaMalloc(&in, pool)); CK(cudaMalloc(&out, pool));
  unsigned long long *stats; CK(cudaMalloc(&stats, 64)); CK(cudaMalloc(&counter, 4 << 16)); CK(cudaMemset(counter, 0, 4 << 16)); CK(cudaMalloc(&flags, 64 << 20));
  CK(cudaMemset(in, 1, pool)); CK(cudaMemset(flags, 0, 64 << 20));
  char *gate; CK(cudaMalloc(&gate, size_t(256) << 20));
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  auto median = [&](auto launch, size_t bytes, int reps) {
    std::vector<float> ts; size_t slots = std::max<size_t>(1, pool / bytes);
    for (int r = 0; r < reps + 3; ++r) {
      size_t off = (r % std::min<size_t>(slots, 8)) * bytes;
      cudaMemsetAsync(gate, 0, size_t(256) << 20);
      cudaEventRecord(e0); launch(off, r); cudaEventRecord(e1); CK(cudaEventSynchronize(e1));
      float ms; cudaEventElapsedTime(&ms, e0, e1); if (r >= 3) ts.push_back(ms);
    }
    std::sort(ts.begin(), ts.end()); return ts[ts.size() / 2] * 1e3;
  };
  size_t copyBytes = 256 << 20;
  double copyUs = median([&](size_t off, int) { cudaMemcpyAsync(out, in + off, copyBytes, cudaMemcpyDeviceToDevice); }, copyBytes, 30);
  double copyBw = 2.0 * copyBytes / copyUs / 1e3;
  printf("copy D2D %.1f GB/s\n", copyBw);
  struct Shape { const char *name; size_t rows; unsigned rowBytes; unsigned T; } shapes[] = {
    {"2x8x1024x128", 2ull * 8 * 1024, 256, 1024},
    {"ds 2x1024x64x64 f32", 2ull * 1024, 64 * 64 * 4, 1024}};
  unsigned epoch = 0;
  for (auto &s : shapes) {
    size_t bytes = s.rows * s.rowBytes;
    double plain = median([&](size_t off, int) { copyPlain<<<sms * 16, 256>>>((uint4 *)(in + off), (uint4 *)out, bytes / 16); }, bytes, 30);
    printf("%-22s %8.1f MB  plain copy kernel %8.2f us %5.1f%%\n", s.name, bytes / 1e6, plain, 100 * 2 * bytes / plain / 1e3 / copyBw);
    for (unsigned tileRows : {32u, 64u, 128u}) for (unsigned perSm : {0u}) for (unsigned lanes : {64u, 128u}) for (unsigned warps : {4u, 8u}) {
      unsigned laneBytes = 2;  // bf16 lanes of a row; ds: f32 = 2 bf16-sized units
      unsigned rowLanes = s.rowBytes / laneBytes;
      if (lanes > rowLanes) continue;
      unsigned laneBlocks = (s.rows / s.T) * (rowLanes / lanes);
      // tiles: lanes first (row-major chunk of 128 rows, all lane blocks).
      // For simplicity each tile is a contiguous 128 x lanes slab of the same bytes.
      unsigned tileBytes = tileRows * lanes * laneBytes;
      unsigned tiles = bytes / tileBytes;
      for (long long delay : {0LL, 512LL}) for (int chain : {0, 1}) for (unsigned window : {8u}) for (int backoff : {0}) {
        Args a{nullptr, (uint4 *)out, counter, flags, tiles, laneBlocks, tileBytes / 16, delay, 0, chain, window, nullptr, backoff};
        unsigned threads = warps * 32;
        int occ1, occ2;
        unsigned onceBytes = perSm ? std::max(tileBytes, (220u << 10) / perSm) : tileBytes;
        CK(cudaFuncSetAttribute(tileOnce, cudaFuncAttributeMaxDynamicSharedMemorySize, onceBytes));
        CK(cudaFuncSetAttribute(tilePrefetch, cudaFuncAttributeMaxDynamicSharedMemorySize, 2 * tileBytes));
        CK(cudaFuncSetAttribute(tileSpecialized, cudaFuncAttributeMaxDynamicSharedMemorySize, 2 * tileBytes));
        CK(cudaFuncSetAttribute(tilePersistent, cudaFuncAttributeMaxDynamicSharedMemorySize, tileBytes));
        CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ1, tilePersistent, threads, tileBytes));
        CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ2, tilePrefetch, threads, 2 * tileBytes));
        auto run = [&](int kind) {
          return median([&](size_t off, int) {
            a.in = (const uint4 *)(in + off); a.epoch = ++epoch;
            a.counter = counter + epoch;
            if (kind == 0) tileOnce<<<tiles, threads, onceBytes>>>(a);
            if (kind == 1) tilePersistent<<<std::min<unsigned>(tiles, (perSm ? perSm : occ1) * sms), threads, tileBytes>>>(a);
            if (kind == 2) tilePrefetch<<<std::min<unsigned>(tiles, occ2 * sms), threads, 2 * tileBytes>>>(a);
            if (kind == 3) tileSpecialized<<<std::min<unsigned>(tiles, occ2 * sms), threads, 2 * tileBytes>>>(a);
          }, bytes, 30);
        };
        double t0 = run(0), t1 = run(1), t2 = run(2), t3 = chain && !perSm && !delay ? run(3) : 0;
        int occ3;
        CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ3, tileSpecialized, threads, 2 * tileBytes));
        if (t3) printf("  rows %3u specialized(%d/SM) %8.2f us %5.1f%%\n", tileRows, occ3, t3, 100 * 2 * bytes / t3 / 1e3 / copyBw);
        if (0) for (int kind = 0; kind < 1; ++kind) {
          unsigned long long h[3] = {0, 0, 0}; CK(cudaMemset(stats, 0, 24)); a.stats = stats;
          a.in = (const uint4 *)in; a.epoch = ++epoch; a.counter = counter + epoch;
          if (kind == 0) tileOnce<<<tiles, threads, onceBytes>>>(a);
          if (kind == 1) tilePersistent<<<std::min<unsigned>(tiles, occ1 * sms), threads, tileBytes>>>(a);
          if (kind == 2) tilePrefetch<<<std::min<unsigned>(tiles, occ2 * sms), threads, 2 * tileBytes>>>(a);
          CK(cudaMemcpy(h, stats, 24, cudaMemcpyDeviceToHost)); a.stats = nullptr;
          printf("    kind %d: tiles %llu, rounds/tile %.2f, look-back %.2f us/tile\n", kind, h[0], double(h[1]) / h[0], h[2] / 1e3 / h[0]);
        }
        CK(cudaGetLastError());
        auto pct = [&](double us) { return 100 * 2 * bytes / us / 1e3 / copyBw; };
        printf("  rows %3u lanes %3u warps %u delay %lld chain %d | once %8.2f us %5.1f%% | persistent(%d/SM) %8.2f us %5.1f%% | prefetch(%d/SM) %8.2f us %5.1f%%\n",
               tileRows, lanes, warps, delay, chain, t0, pct(t0), occ1, t1, pct(t1), occ2, t2, pct(t2));
      }
    }
  }
  // check last output against input pattern
  return 0;
}
