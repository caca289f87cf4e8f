// What a device-to-device copy reaches at the benchmark's sizes: the floor
// for a kernel that reads its inputs once and writes its outputs once.
// Median of 50 runs, CUDA events, sources rotated over 1 GiB (out of L2).
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <vector>
#define CK(x) do { cudaError_t e = (x); if (e) { printf("%s:%d %s\n", __FILE__, __LINE__, cudaGetErrorString(e)); return 1; } } while (0)

__global__ void copyKernel(const uint4 *in, uint4 *out, size_t n) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) out[i] = in[i];
}
__global__ void emptyKernel() {}

int main() {
  int sms; cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  const size_t pool = size_t(2) << 30;
  char *in, *out; CK(cudaMalloc(&in, pool)); CK(cudaMalloc(&out, size_t(1) << 30));
  CK(cudaMemset(in, 1, pool)); CK(cudaMemset(out, 0, size_t(1) << 30));
  char *gate; CK(cudaMalloc(&gate, size_t(256) << 20)); bool gated = false;
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  auto median = [&](auto launch, size_t bytes) {
    std::vector<float> ts; size_t slots = std::max<size_t>(1, pool / bytes); size_t r = 0;
    for (int i = 0; i < 55; ++i, ++r) {
      size_t off = (r % slots) * bytes;
      if (gated) cudaMemsetAsync(gate, 0, size_t(256) << 20);
      cudaEventRecord(e0); launch(in + off); cudaEventRecord(e1); cudaEventSynchronize(e1);
      float ms; cudaEventElapsedTime(&ms, e0, e1); if (i >= 5) ts.push_back(ms * 1e3f);
    }
    std::sort(ts.begin(), ts.end()); return ts[ts.size() / 2];
  };
  for (int g : {0, 1}) {
  gated = g;
  printf("=== %s\n", gated ? "each launch queued behind a 256 MB memset (the GPU never waits for the host)" : "launch after launch, synchronized (the host's launch latency inside the interval)");
  float empty = median([&](char *) { emptyKernel<<<1, 32>>>(); }, 1 << 20);
  printf("empty kernel: %.2f us (events)\n", empty);
  size_t big = size_t(1) << 30;
  float bigUs = median([&](char *src) { cudaMemcpyAsync(out, src, big, cudaMemcpyDeviceToDevice); }, big);
  double copyBw = 2.0 * big / bigUs / 1e3;
  printf("cudaMemcpyAsync 1 GiB: %.1f us, %.0f GB/s (read + write): the reference\n", bigUs, copyBw);
  struct { const char *what; size_t bytes; } sizes[] = {
    {"assoc small 2x8x1024x128 bf16 (one way)", 2ull * 8 * 1024 * 128 * 2},
    {"lr small (a, b -> h): 2 in + 1 out, here in=out size x1.5", 2ull * 8 * 1024 * 128 * 2 * 3 / 2},
    {"decayed_sum 2x1024x64x64 f32 (one way)", 2ull * 1024 * 64 * 64 * 4},
    {"2x8x32768x128 bf16 (one way)", 2ull * 8 * 32768 * 128 * 2},
    {"8x32x8192x128 bf16 (one way)", 8ull * 32 * 8192 * 128 * 2}};
  for (auto &s : sizes) {
    float mc = median([&](char *src) { cudaMemcpyAsync(out, src, s.bytes, cudaMemcpyDeviceToDevice); }, s.bytes);
    printf("%-58s %9.1f KB: cudaMemcpy %8.2f us %5.1f%%", s.what, s.bytes / 1e3, mc, 100 * 2 * s.bytes / mc / 1e3 / copyBw);
    for (int perSm : {1, 2, 4, 8, 16}) for (int threads : {256, 1024}) {
      size_t n = s.bytes / 16; unsigned grid = std::min<size_t>((n + threads - 1) / threads, (size_t)perSm * sms);
      float k = median([&](char *src) { copyKernel<<<grid, threads>>>((const uint4 *)src, (uint4 *)out, n); }, s.bytes);
      printf(" | %dx%d %.2f", perSm, threads, k);
    }
    printf(" us\n");
  }
  }
  return 0;
}
