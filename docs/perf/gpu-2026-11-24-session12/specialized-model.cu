// Model: assoc_scan_exp (y = cumulative product along T of clamp(x + 1e-8,
// e^-50, 1), bf16 in and out, f32 inside) on [B, H, T, 128] in two
// structures, to see whether a warp-specialized look-back is worth building
// into the lowering.
//   A  "block a tile": the library kernel's structure (session 11): a ticket,
//      the tile (128 steps x 128 lanes, 32 KB) staged with cp.async, runs of
//      16 steps x 4 lanes a thread (8 warps), run aggregates through shared
//      memory, the lane threads (warp 0) publish the tile aggregate (tagged
//      64-bit words a lane), look back one tile a round, publish the
//      inclusive prefix; then every thread rescans its run from shared memory
//      and stores.
//   B  "specialized": persistent blocks of 8 compute warps and one look-back
//      warp, two staging buffers. The compute warps publish a tile's
//      aggregate as soon as its first walk is done, then walk the next tile
//      (its loads in flight meanwhile) and publish its aggregate before they
//      rescan the current one, whose prefix the look-back warp found in the
//      meantime. Named barriers hand the tiles between them.
// nvcc -O3 -arch=sm_90a [-DLANES=64] -o specialized-model specialized-model.cu
// specialized-model B H T [blocks an SM for B, default 3]
// W is the look-back's window; W = 0 none (a ceiling: wrong results); W =
// -1 the scout (lookBackScout).
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x)                                                                                      \
  do {                                                                                             \
    cudaError_t e = (x);                                                                           \
    if (e) {                                                                                       \
      printf("%s:%d %s\n", __FILE__, __LINE__, cudaGetErrorString(e));                             \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

#ifndef LANES
#define LANES 128 // lanes a tile: 128 (8 warps) or 64 (4 warps)
#endif
constexpr int kRowLanes = 128; // D
#ifndef STEPS
#define STEPS 128 // steps a tile: runs of STEPS / 8
#endif
constexpr int kSteps = STEPS, kLanes = LANES, kRuns = 8, kRunSteps = kSteps / kRuns;
constexpr int kLaneThreads = kLanes / 4, kCompute = kRuns * kLaneThreads; // 256 or 128
constexpr int kStageVectors = kSteps * kLaneThreads; // 8-byte vectors a tile (32 KB)

struct Args {
  const uint2 *x; // [G, T, 128] bf16 as 4-lane vectors
  uint2 *y;
  unsigned *counter;
  unsigned long long *status; // [tiles][128]: tag << 32 | float bits
  unsigned chains, chunks, tiles, epoch, T;
  unsigned long long *times; // first start, last tile loaded, last end (%globaltimer ns)
};
__device__ __forceinline__ unsigned long long now() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__device__ __forceinline__ void cpAsync8(void *smem, const void *g) {
  unsigned s = (unsigned)__cvta_generic_to_shared(smem);
  asm volatile("cp.async.ca.shared.global [%0], [%1], 8;" ::"r"(s), "l"(g));
}
__device__ __forceinline__ void commit() { asm volatile("cp.async.commit_group;"); }
template <int N> __device__ __forceinline__ void waitGroup() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}
template <int Id> __device__ __forceinline__ void barSync(int n) {
  asm volatile("bar.sync %0, %1;" ::"n"(Id), "r"(n) : "memory");
}
template <int Id> __device__ __forceinline__ void barArrive(int n) {
  asm volatile("bar.arrive %0, %1;" ::"n"(Id), "r"(n) : "memory");
}
__device__ __forceinline__ void publish(unsigned long long *w, unsigned tag, float v) {
  unsigned long long word = (unsigned long long)tag << 32 | __float_as_uint(v);
  asm volatile("st.relaxed.gpu.global.u64 [%0], %1;" ::"l"(w), "l"(word) : "memory");
}
__device__ __forceinline__ unsigned long long peek(const unsigned long long *w) {
  unsigned long long v;
  asm volatile("ld.relaxed.gpu.global.u64 %0, [%1];" : "=l"(v) : "l"(w) : "memory");
  return v;
}
__device__ __forceinline__ float decay(__nv_bfloat16 g) {
  return fminf(fmaxf(__bfloat162float(g) + 1e-8f, 1.9287499e-22f), 1.f);
}
__device__ __forceinline__ void unpack(uint2 v, float f[4]) {
  __nv_bfloat162 a = *reinterpret_cast<__nv_bfloat162 *>(&v.x),
                 b = *reinterpret_cast<__nv_bfloat162 *>(&v.y);
  f[0] = decay(a.x), f[1] = decay(a.y), f[2] = decay(b.x), f[3] = decay(b.y);
}
__device__ __forceinline__ uint2 pack(const float f[4]) {
  __nv_bfloat162 a = __floats2bfloat162_rn(f[0], f[1]), b = __floats2bfloat162_rn(f[2], f[3]);
  return uint2{*reinterpret_cast<unsigned *>(&a), *reinterpret_cast<unsigned *>(&b)};
}
// The tile's first vector and the stride between steps, in vectors.
__device__ __forceinline__ size_t tileBase(const Args &a, unsigned tile) {
  unsigned chain = tile % a.chains, chunk = tile / a.chains;
  unsigned group = chain / (kRowLanes / kLanes), part = chain % (kRowLanes / kLanes);
  return ((size_t)group * a.T + (size_t)chunk * kSteps) * (kRowLanes / 4) + part * kLaneThreads;
}
// A compute thread's copies of its run (run r, lane thread l) into stage.
__device__ __forceinline__ void copyRun(const Args &a, uint2 *stage, unsigned tile, int r, int l) {
  size_t base = tileBase(a, tile);
  for (int s = 0; s < kRunSteps; ++s) {
    int step = r * kRunSteps + s;
    cpAsync8(stage + step * kLaneThreads + l, a.x + base + (size_t)step * (kRowLanes / 4) + l);
  }
  commit();
}
// First walk: the run's product of its 4 lanes.
__device__ __forceinline__ void walkRun(const uint2 *stage, int r, int l, float acc[4]) {
  acc[0] = acc[1] = acc[2] = acc[3] = 1.f;
  for (int s = 0; s < kRunSteps; ++s) {
    float f[4];
    unpack(stage[(r * kRunSteps + s) * kLaneThreads + l], f);
    for (int j = 0; j < 4; ++j)
      acc[j] *= f[j];
  }
}
__device__ __forceinline__ void rescanRun(const Args &a, const uint2 *stage, unsigned tile, int r,
                                          int l, float acc[4]) {
  size_t base = tileBase(a, tile);
  for (int s = 0; s < kRunSteps; ++s) {
    int step = r * kRunSteps + s;
    float f[4];
    unpack(stage[step * kLaneThreads + l], f);
    for (int j = 0; j < 4; ++j)
      acc[j] *= f[j];
    __stcs(a.y + base + (size_t)step * (kRowLanes / 4) + l, pack(acc));
  }
}
// Look-back of lane thread l (4 lanes) for `tile` whose aggregate is agg:
// returns the exclusive prefix, publishes the inclusive one.
// Look-back of lane thread l (4 lanes) for `tile` whose aggregate is agg,
// W predecessors a round, their 4W words loaded at once (then only the ones
// not yet published again): returns the exclusive prefix, publishes the
// inclusive one.
template <int W>
__device__ __forceinline__ void lookBack(const Args &a, unsigned tile, int l, const float agg[4],
                                         float prefix[4]) {
  unsigned aggTag = a.epoch << 2 | 1, incTag = a.epoch << 2 | 2;
  auto valid = [&](unsigned long long w) {
    unsigned tag = (unsigned)(w >> 32);
    return tag == aggTag || tag == incTag;
  };
  prefix[0] = prefix[1] = prefix[2] = prefix[3] = 1.f;
  bool done[4] = {false, false, false, false};
  for (unsigned base = tile / a.chains; base > 0;) { // chunks before this round
    int n = base < (unsigned)W ? (int)base : W;
    unsigned long long w[W > 0 ? W : 1][4];
    auto word = [&](int k, int j) {
      return a.status + (size_t)(tile - (tile / a.chains - base + k + 1) * a.chains) * kLanes +
             l * 4 + j;
    };
    for (int k = 0; k < W; ++k)
      for (int j = 0; j < 4; ++j)
        if (k < n && !done[j])
          w[k][j] = peek(word(k, j));
    // Wait until each lane's words are published up to its nearest
    // inclusive one in the round (or all of them).
    for (;;) {
      bool ready = true;
      for (int j = 0; j < 4; ++j)
        for (int k = 0; k < W && k < n && !done[j]; ++k) {
          if (!valid(w[k][j])) {
            ready = false;
            break;
          }
          if ((unsigned)(w[k][j] >> 32) == incTag)
            break;
        }
      if (ready)
        break;
      for (int k = 0; k < W; ++k)
        for (int j = 0; j < 4; ++j)
          if (k < n && !done[j] && !valid(w[k][j]))
            w[k][j] = peek(word(k, j));
    }
    bool all = true;
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < W && k < n && !done[j]; ++k) {
        prefix[j] *= __uint_as_float((unsigned)w[k][j]);
        done[j] = (unsigned)(w[k][j] >> 32) == incTag;
      }
      all &= done[j];
    }
    if (all)
      break;
    base -= n;
  }
  for (int j = 0; j < 4; ++j)
    publish(a.status + (size_t)tile * kLanes + l * 4 + j, incTag, prefix[j] * agg[j]);
}


// Look-back with a scout round (W = -1 in the kernels): the lane threads
// (a warp, or half of one for 64 lanes) each read lane 0's word of one of
// the nearest predecessors, all at once, and find the nearest whose lane 0
// is inclusive; then each reads its own lanes' words of the predecessors up
// to that one (all loads in flight together), waiting only for words not
// yet published. Two round trips however far the inclusive prefix is
// (further than the group's threads: the next group of predecessors).
__device__ __forceinline__ void lookBackScout(const Args &a, unsigned tile, int l,
                                              const float agg[4], float prefix[4]) {
  constexpr unsigned kMask = kLaneThreads == 32 ? 0xffffffffu : (1u << kLaneThreads) - 1;
  unsigned aggTag = a.epoch << 2 | 1, incTag = a.epoch << 2 | 2;
  auto valid = [&](unsigned long long w) {
    unsigned tag = (unsigned)(w >> 32);
    return tag == aggTag || tag == incTag;
  };
  prefix[0] = prefix[1] = prefix[2] = prefix[3] = 1.f;
  bool done[4] = {false, false, false, false};
  unsigned chunk = tile / a.chains, chain = tile % a.chains;
  for (unsigned base = chunk; base > 0;) { // predecessors base - 1, base - 2, ...
    unsigned n = base < (unsigned)kLaneThreads ? base : kLaneThreads;
    auto word = [&](unsigned k, int lane) { // k-th predecessor of this round
      return a.status + (size_t)((base - 1 - k) * a.chains + chain) * kLanes + lane;
    };
    // Scout: the nearest predecessor whose lane 0 is inclusive, all before
    // it published.
    unsigned reach; // predecessors of this round to combine
    bool inclusiveEnd;
    for (;;) {
      unsigned long long w = (unsigned)l < n ? peek(word(l, 0)) : 0;
      unsigned inc = __ballot_sync(kMask, (unsigned)l < n && (unsigned)(w >> 32) == incTag);
      unsigned notReady = __ballot_sync(kMask, (unsigned)l < n && !valid(w));
      if (inc) {
        unsigned j = __ffs(inc) - 1;
        if (notReady & ((1u << j) - 1))
          continue;
        reach = j + 1, inclusiveEnd = true;
        break;
      }
      if (!notReady) {
        reach = n, inclusiveEnd = false;
        break;
      }
    }
    // Each lane's words of those predecessors, nearest first, 4
    // predecessors' words in flight at once (16 a thread: registers).
    constexpr unsigned kBatch = 4;
    for (unsigned k0 = 0; k0 < reach; k0 += kBatch) {
      unsigned long long w[kBatch][4];
      for (unsigned k = 0; k < kBatch; ++k)
        for (int j = 0; j < 4; ++j)
          if (k0 + k < reach && !done[j])
            w[k][j] = peek(word(k0 + k, l * 4 + j));
      for (int j = 0; j < 4; ++j)
        for (unsigned k = 0; k < kBatch && k0 + k < reach && !done[j]; ++k) {
          bool last = inclusiveEnd && k0 + k + 1 == reach;
          while (!valid(w[k][j]) || (last && (unsigned)(w[k][j] >> 32) != incTag))
            w[k][j] = peek(word(k0 + k, l * 4 + j));
          prefix[j] *= __uint_as_float((unsigned)w[k][j]);
          done[j] = (unsigned)(w[k][j] >> 32) == incTag;
        }
    }
    if (done[0] && done[1] && done[2] && done[3])
      break;
    base -= n;
  }
  for (int j = 0; j < 4; ++j)
    publish(a.status + (size_t)tile * kLanes + l * 4 + j, incTag, prefix[j] * agg[j]);
}

// At most the registers of 5 blocks an SM (W = 1 needs fewer; a wider
// window spills rather than cost blocks).
template <int W> __global__ void __launch_bounds__(kCompute, 5) blockATile(Args a) {
  extern __shared__ uint2 stage[];
  __shared__ float runAgg[kRuns][kLanes], prefix[kLanes];
  __shared__ unsigned ticket;
  int tid = threadIdx.x, r = tid / kLaneThreads, l = tid % kLaneThreads;
  if (tid == 0) {
    atomicMin(a.times, now());
    ticket = atomicAdd(a.counter, 1);
  }
  __syncthreads();
  unsigned tile = ticket, chunk = tile / a.chains;
  copyRun(a, stage, tile, r, l);
  waitGroup<0>();
  if (tid == 0)
    atomicMax(a.times + 1, now());
  float acc[4];
  walkRun(stage, r, l, acc);
  for (int j = 0; j < 4; ++j)
    runAgg[r][l * 4 + j] = acc[j];
  __syncthreads();
  if (r == 0) {
    float agg[4], pre[4];
    for (int j = 0; j < 4; ++j) {
      agg[j] = 1.f;
      for (int q = 0; q < kRuns; ++q)
        agg[j] *= runAgg[q][l * 4 + j];
    }
    unsigned tag = a.epoch << 2 | (chunk ? 1 : 2);
    for (int j = 0; j < 4; ++j)
      publish(a.status + (size_t)tile * kLanes + l * 4 + j, tag, agg[j]);
    pre[0] = pre[1] = pre[2] = pre[3] = 1.f;
    if (chunk && W > 0)
      lookBack<W>(a, tile, l, agg, pre);
    if (chunk && W < 0)
      lookBackScout(a, tile, l, agg, pre);
    for (int j = 0; j < 4; ++j)
      prefix[l * 4 + j] = pre[j];
  }
  __syncthreads();
  for (int j = 0; j < 4; ++j) {
    acc[j] = prefix[l * 4 + j];
    for (int q = 0; q < r; ++q)
      acc[j] *= runAgg[q][l * 4 + j];
  }
  rescanRun(a, stage, tile, r, l, acc);
  __syncthreads();
  if (tid == 0)
    atomicMax(a.times + 2, now());
}

// Named barriers: 1 the compute warps; 2 + s "slot s has an aggregate" and
// 4 + s "slot s has its prefix" (compute warps and look-back warp).
constexpr int kThreadsB = kCompute + 32;
// At most the registers of 3 blocks an SM (their shared memory allows 3).
template <int W> __global__ void __launch_bounds__(kThreadsB, 3) specialized(Args a) {
  extern __shared__ uint2 stages[]; // two tiles
  __shared__ float runAgg[2][kRuns][kLanes], aggs[2][kLanes], prefix[2][kLanes];
  __shared__ unsigned tiles[2], drawn;
  int tid = threadIdx.x;
  if (tid >= kCompute) { // the look-back warp
    int l = tid - kCompute;
    for (int slot = 0;; slot ^= 1) {
      slot ? barSync<3>(kThreadsB) : barSync<2>(kThreadsB);
      unsigned tile = tiles[slot];
      if (tile >= a.tiles)
        return;
      if (l < kLaneThreads) {
        float agg[4], pre[4] = {1.f, 1.f, 1.f, 1.f};
        for (int j = 0; j < 4; ++j)
          agg[j] = aggs[slot][l * 4 + j];
        if (tile >= a.chains && W > 0)
          lookBack<W>(a, tile, l, agg, pre);
        if (tile >= a.chains && W < 0)
          lookBackScout(a, tile, l, agg, pre);
        for (int j = 0; j < 4; ++j)
          prefix[slot][l * 4 + j] = pre[j];
      }
      slot ? barArrive<5>(kThreadsB) : barArrive<4>(kThreadsB);
    }
  }
  int r = tid / kLaneThreads, l = tid % kLaneThreads;
  auto draw = [&]() {
    if (tid == 0)
      drawn = atomicAdd(a.counter, 1);
    barSync<1>(kCompute);
    unsigned t = drawn;
    barSync<1>(kCompute);
    return t;
  };
  // Walks the tile in `slot` (loaded) and publishes its aggregate; hands it
  // to the look-back warp.
  auto firstWalk = [&](int slot) {
    unsigned tile = tiles[slot];
    float acc[4];
    walkRun(stages + slot * kStageVectors, r, l, acc);
    for (int j = 0; j < 4; ++j)
      runAgg[slot][r][l * 4 + j] = acc[j];
    barSync<1>(kCompute);
    if (r == 0) {
      unsigned tag = a.epoch << 2 | (tile >= a.chains ? 1 : 2);
      for (int j = 0; j < 4; ++j) {
        float agg = 1.f;
        for (int q = 0; q < kRuns; ++q)
          agg *= runAgg[slot][q][l * 4 + j];
        aggs[slot][l * 4 + j] = agg;
        publish(a.status + (size_t)tile * kLanes + l * 4 + j, tag, agg);
      }
    }
    slot ? barArrive<3>(kThreadsB) : barArrive<2>(kThreadsB);
  };
  unsigned first = draw();
  if (tid == 0)
    tiles[0] = first;
  if (first >= a.tiles) {
    barArrive<2>(kThreadsB); // the look-back warp sees no tile
    return;
  }
  copyRun(a, stages, first, r, l);
  unsigned second = draw();
  if (tid == 0)
    tiles[1] = second;
  if (second < a.tiles)
    copyRun(a, stages + kStageVectors, second, r, l);
  else
    commit(); // an empty group keeps the counting uniform
  waitGroup<1>();
  barSync<1>(kCompute);
  firstWalk(0);
  for (int cur = 0;; cur ^= 1) {
    int next = cur ^ 1;
    unsigned nextTile = tiles[next];
    if (nextTile < a.tiles) {
      waitGroup<0>();
      barSync<1>(kCompute);
      firstWalk(next);
    }
    // The current tile's prefix from the look-back warp, then its rescan.
    cur ? barSync<5>(kThreadsB) : barSync<4>(kThreadsB);
    unsigned tile = tiles[cur];
    float acc[4];
    for (int j = 0; j < 4; ++j) {
      acc[j] = prefix[cur][l * 4 + j];
      for (int q = 0; q < r; ++q)
        acc[j] *= runAgg[cur][q][l * 4 + j];
    }
    rescanRun(a, stages + cur * kStageVectors, tile, r, l, acc);
    if (nextTile >= a.tiles) {
      // tiles[next] is past the tiles: the look-back warp ends on it.
      next ? barArrive<3>(kThreadsB) : barArrive<2>(kThreadsB);
      return;
    }
    unsigned t = draw(); // its barriers also order the rescan before the copies
    if (tid == 0)
      tiles[cur] = t;
    if (t < a.tiles)
      copyRun(a, stages + cur * kStageVectors, t, r, l);
    else
      commit();
    barSync<1>(kCompute);
  }
}


// The same with a ring of S staging slots: the compute warps walk tile k
// (publishing its aggregate), rescan tile k - D once the look-back warp has
// its prefix, and copy tile k + S - D into the slot it freed. D tiles wait
// for their look-back while S - D are loading. Barrier ids are registers.
__device__ __forceinline__ void barSyncId(int id, int n) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(n) : "memory");
}
__device__ __forceinline__ void barArriveId(int id, int n) {
  asm volatile("bar.arrive %0, %1;" ::"r"(id), "r"(n) : "memory");
}
template <int P> __device__ __forceinline__ void waitAllBut() {
  asm volatile("cp.async.wait_group %0;" ::"n"(P) : "memory");
}
template <int W, int S, int D> __global__ void __launch_bounds__(kThreadsB) ring(Args a) {
  static_assert(D >= 1 && D < S && 2 * S + 2 <= 16, "ring shape");
  constexpr int P = S - D; // tiles loading ahead of the walk
  extern __shared__ uint2 stages[];
  __shared__ float runAgg[S][kRuns][kLanes], aggs[S][kLanes], prefix[S][kLanes];
  __shared__ unsigned tiles[S], drawn;
  int tid = threadIdx.x;
  if (tid >= kCompute) { // the look-back warp: the tiles in order
    int l = tid - kCompute;
    for (int k = 0;; ++k) {
      int slot = k % S;
      barSyncId(2 + slot, kThreadsB);
      unsigned tile = tiles[slot];
      if (tile >= a.tiles)
        return;
      if (l < kLaneThreads) {
        float agg[4], pre[4] = {1.f, 1.f, 1.f, 1.f};
        for (int j = 0; j < 4; ++j)
          agg[j] = aggs[slot][l * 4 + j];
        if (tile >= a.chains && W > 0)
          lookBack<W>(a, tile, l, agg, pre);
        if (tile >= a.chains && W < 0)
          lookBackScout(a, tile, l, agg, pre);
        for (int j = 0; j < 4; ++j)
          prefix[slot][l * 4 + j] = pre[j];
      }
      barArriveId(2 + S + slot, kThreadsB);
    }
  }
  int r = tid / kLaneThreads, l = tid % kLaneThreads;
  bool exhausted = false; // a ticket past the tiles was drawn
  auto drawInto = [&](int slot) {
    if (!exhausted && tid == 0)
      drawn = atomicAdd(a.counter, 1);
    barSync<1>(kCompute);
    unsigned t = exhausted ? a.tiles : drawn;
    exhausted = t >= a.tiles;
    if (tid == 0)
      tiles[slot] = t;
    if (!exhausted)
      copyRun(a, stages + slot * kStageVectors, t, r, l);
    else
      commit(); // one group an iteration: the waits count them
    barSync<1>(kCompute);
  };
  for (int k = 0; k < P; ++k)
    drawInto(k);
  bool handedEnd = false;
  for (int k = 0;; ++k) {
    int slot = k % S;
    unsigned tile = tiles[slot];
    if (tile < a.tiles) {
      waitAllBut<P - 1>();
      barSync<1>(kCompute);
      float acc[4];
      walkRun(stages + slot * kStageVectors, r, l, acc);
      for (int j = 0; j < 4; ++j)
        runAgg[slot][r][l * 4 + j] = acc[j];
      barSync<1>(kCompute);
      if (r == 0) {
        unsigned tag = a.epoch << 2 | (tile >= a.chains ? 1 : 2);
        for (int j = 0; j < 4; ++j) {
          float agg = 1.f;
          for (int q = 0; q < kRuns; ++q)
            agg *= runAgg[slot][q][l * 4 + j];
          aggs[slot][l * 4 + j] = agg;
          publish(a.status + (size_t)tile * kLanes + l * 4 + j, tag, agg);
        }
      }
      barArriveId(2 + slot, kThreadsB);
    } else if (!handedEnd) {
      handedEnd = true;
      barArriveId(2 + slot, kThreadsB); // the look-back warp ends on it
    }
    if (k >= D) {
      int old = (k - D) % S;
      unsigned oldTile = tiles[old];
      if (oldTile >= a.tiles)
        return; // every tile of the block is stored
      barSyncId(2 + S + old, kThreadsB);
      float acc[4];
      for (int j = 0; j < 4; ++j) {
        acc[j] = prefix[old][l * 4 + j];
        for (int q = 0; q < r; ++q)
          acc[j] *= runAgg[old][q][l * 4 + j];
      }
      rescanRun(a, stages + old * kStageVectors, oldTile, r, l, acc);
      drawInto(old); // tile k + P: the slot (k + P) % S == (k - D) % S
    } else {
      drawInto(k + P);
    }
  }
}

int main(int argc, char **argv) {
  int B = 2, H = 8, T = 32768;
  if (argc >= 4)
    B = atoi(argv[1]), H = atoi(argv[2]), T = atoi(argv[3]);
  int blocksPerSmB = argc >= 5 ? atoi(argv[4]) : 3;
  unsigned G = B * H;
  size_t n = (size_t)G * T * kRowLanes;
  unsigned chains = G * (kRowLanes / kLanes), chunks = T / kSteps, tileCount = chains * chunks;
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  std::vector<__nv_bfloat16> hx(n);
  uint64_t seed = 12345;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    // 1, 1 - 2^-8 or 1 - 2^-7 (bf16 steps below 1): products that stay
    // in range over 32768 steps and differ from lane to lane.
    unsigned u = (seed >> 40) & 1023;
    hx[i] = __float2bfloat16(u < 1000 ? 1.f : u < 1020 ? 0.99609375f : 0.9921875f);
  }
  const int kRotate = 4; // input sets, so that they do not sit in L2
  uint2 *x, *y;
  CK(cudaMalloc(&x, n * 2 * kRotate));
  CK(cudaMalloc(&y, n * 2));
  for (int k = 0; k < kRotate; ++k)
    CK(cudaMemcpy((char *)x + k * n * 2, hx.data(), n * 2, cudaMemcpyHostToDevice));
  unsigned long long *stampBuffer;
  CK(cudaMalloc(&stampBuffer, 3 * 8));
  unsigned *counter;
  unsigned long long *status;
  CK(cudaMalloc(&counter, 4));
  CK(cudaMalloc(&status, (size_t)tileCount * kLanes * 8));
  CK(cudaMemset(status, 0, (size_t)tileCount * kLanes * 8));
  // Copy bandwidth (1 GiB).
  size_t copyBytes = 1ull << 30;
  void *c0, *c1;
  CK(cudaMalloc(&c0, copyBytes));
  CK(cudaMalloc(&c1, copyBytes));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  std::vector<float> times;
  for (int i = 0; i < 10; ++i) {
    CK(cudaEventRecord(e0));
    CK(cudaMemcpyAsync(c1, c0, copyBytes, cudaMemcpyDeviceToDevice));
    CK(cudaEventRecord(e1));
    CK(cudaEventSynchronize(e1));
    float ms;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  double copyBw = 2.0 * copyBytes / (times[5] * 1e-3) / 1e9;
  CK(cudaFree(c0));
  CK(cudaFree(c1));
  printf("device %s, %d SMs, copy %.0f GB/s; shape [%d, %d, %d, 128], tiles of %d lanes: %u, "
         "%u chains\n",
         prop.name, prop.multiProcessorCount, copyBw, B, H, T, kLanes, tileCount, chains);

  struct Variant {
    const char *name;
    void (*kernel)(Args);
    bool specialized;
    int window, slots;
  } variants[] = {{"block a tile", blockATile<0>, false, 0, 1}, // no look-back: wrong results
                  {"block a tile", blockATile<1>, false, 1, 1},
                  {"block a tile", blockATile<-1>, false, -1, 1}, // the scout
                  {"specialized", specialized<1>, true, 1, 2},
                  {"specialized", specialized<-1>, true, -1, 2},
                  {"ring S3 D1", ring<1, 3, 1>, true, 1, 3},
                  {"ring S3 D1", ring<-1, 3, 1>, true, -1, 3},
                  {"ring S4 D2", ring<1, 4, 2>, true, 1, 4},
                  {"ring S4 D2", ring<-1, 4, 2>, true, -1, 4}};
  unsigned epoch = 0;
  std::vector<__nv_bfloat16> hy(n);
  for (const Variant &v : variants) {
    int shared = v.slots * kStageVectors * 8, threads = v.specialized ? kThreadsB : kCompute;
    CK(cudaFuncSetAttribute(v.kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, shared));
    int occupancy;
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occupancy, v.kernel, threads, shared));
    int grid = !v.specialized ? tileCount
                              : std::min<int>(tileCount, std::min(occupancy, blocksPerSmB) *
                                                             prop.multiProcessorCount);
    times.clear();
    for (int i = 0; i <= 40; ++i) {
      Args a{(const uint2 *)((char *)x + (i % kRotate) * n * 2), y, counter, status, chains,
             chunks, tileCount, ++epoch, (unsigned)T, stampBuffer};
      CK(cudaMemsetAsync(counter, 0, 4));
      CK(cudaMemsetAsync(stampBuffer, 0xff, 8));
      CK(cudaMemsetAsync(stampBuffer + 1, 0, 16));
      if (i == 40) // the checked run, on a poisoned output (untimed)
        CK(cudaMemsetAsync(y, 0xff, n * 2));
      CK(cudaEventRecord(e0));
      v.kernel<<<grid, threads, shared>>>(a);
      CK(cudaEventRecord(e1));
      CK(cudaEventSynchronize(e1));
      CK(cudaGetLastError());
      float ms;
      CK(cudaEventElapsedTime(&ms, e0, e1));
      if (i < 40)
        times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    double us = times[times.size() / 2] * 1e3;
    unsigned long long stamps[3];
    CK(cudaMemcpy(stamps, stampBuffer, sizeof stamps, cudaMemcpyDeviceToHost));
    // Check against float64 on the first and last chain.
    CK(cudaMemcpy(hy.data(), y, n * 2, cudaMemcpyDeviceToHost));
    double worst = 0;
    for (unsigned g : {0u, G - 1})
      for (int d = 0; d < kRowLanes; ++d) {
        double p = 1;
        for (int t = 0; t < T; ++t) {
          size_t i = ((size_t)g * T + t) * kRowLanes + d;
          p *= std::min(std::max((double)__bfloat162float(hx[i]) + 1e-8, 1.9287499e-22), 1.0);
          double got = __bfloat162float(hy[i]);
          double relative = std::fabs(got - p) / std::max(p, 1e-30);
          worst = std::isnan(relative) ? INFINITY : std::max(worst, relative);
        }
      }
    printf("%-12s W %d grid %6d (%2d/SM) %9.2f us %5.1f%% of copy, worst relative error %.1e",
           v.name, v.window, grid, occupancy, us, 100.0 * 2 * n * 2 / (us * 1e-6) / 1e9 / copyBw,
           worst);
    if (!v.specialized) // the checked run's last launch: its first tile started at 0
      printf("; last tile loaded at %.1f us, last tile done at %.1f us",
             (stamps[1] - stamps[0]) * 1e-3, (stamps[2] - stamps[0]) * 1e-3);
    printf("\n");
  }
  return 0;
}
