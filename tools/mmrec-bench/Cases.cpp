//===- Cases.cpp - what mmrec-bench measures on a GPU ---------------------===//

#include "Cases.h"

#include <algorithm>

namespace mmrec::bench {

std::vector<Case> issueCases(bool small) {
  int64_t s = small ? 8 : 1;
  std::vector<Case> cases;
  for (const char *name : {"assoc_scan_exp", "linear_recurrence"}) {
    cases.push_back({name, DType::BF16, {2, 8, 32768 / s, 128}, 0.85, 0});
    cases.push_back({name, DType::BF16, {8, 32, 8192 / s, 128}, 0.90, 0});
    cases.push_back({name, DType::BF16, {2, 8, 1024, 128}, 0, 8});
  }
  // Not in the issue: linear_recurrence with each sequence a contiguous
  // row (Mamba's layout), the same bytes and targets as linear_recurrence.
  cases.push_back({"linear_recurrence_rows", DType::BF16, {2, 8, 128, 32768 / s}, 0.85, 0});
  cases.push_back({"linear_recurrence_rows", DType::BF16, {8, 32, 128, 8192 / s}, 0.90, 0});
  cases.push_back({"linear_recurrence_rows", DType::BF16, {2, 8, 128, 1024}, 0, 8});
  cases.push_back({"decayed_sum", DType::F32, {2, 1024, 64, 64}, 0.85, 0});
  cases.push_back({"chunk_aggregate", DType::BF16, {2, 32768 / s, 4096}, 0.85, 0});
  return cases;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text;
  for (int64_t s : shape)
    text += (text.empty() ? "" : "x") + std::to_string(s);
  return text;
}

std::optional<std::vector<int64_t>> parseShape(const std::string &text) {
  std::vector<int64_t> shape;
  size_t start = 0;
  while (true) {
    size_t end = text.find('x', start);
    std::string piece = text.substr(start, end == std::string::npos ? end : end - start);
    if (piece.empty() || piece.size() > 12 ||
        piece.find_first_not_of("0123456789") != std::string::npos || std::stoll(piece) <= 0)
      return std::nullopt;
    shape.push_back(std::stoll(piece));
    if (end == std::string::npos)
      return shape;
    start = end + 1;
  }
}

bool selected(const std::vector<std::string> &filter, const std::string &name) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

std::vector<Case> selectedCases(const std::vector<std::string> &kernels,
                                const std::vector<std::string> &shapes, bool small,
                                std::optional<DType> dtype) {
  std::vector<std::vector<int64_t>> wanted; // the shapes given, parsed, once each
  for (const std::string &text : shapes) {
    std::optional<std::vector<int64_t>> shape = parseShape(text);
    if (!shape)
      throw Error("--shapes: '" + text + "' is not a shape such as 2x8x32768x128");
    if (std::find(wanted.begin(), wanted.end(), *shape) == wanted.end())
      wanted.push_back(*shape);
  }
  std::vector<Case> targets = issueCases(small), cases;
  for (const Case &c : targets)
    if (selected(kernels, c.kernel) &&
        (wanted.empty() || std::find(wanted.begin(), wanted.end(), c.shape) != wanted.end()))
      cases.push_back(c);
  for (const std::vector<int64_t> &shape : wanted) {
    // A selected kernel's target shape only filters; any other shape is
    // measured for every selected kernel of its rank.
    std::vector<const Case *> takers;
    bool target = false;
    for (const Case &c : targets) {
      if (!selected(kernels, c.kernel))
        continue;
      target |= c.shape == shape;
      if (c.shape.size() == shape.size() &&
          std::none_of(takers.begin(), takers.end(),
                       [&](const Case *k) { return k->kernel == c.kernel; }))
        takers.push_back(&c);
    }
    if (target)
      continue;
    if (takers.empty())
      throw Error("--shapes: no selected kernel takes a shape of rank " +
                  std::to_string(shape.size()) + " ('" + shapeText(shape) + "')");
    for (const Case *k : takers)
      cases.push_back({k->kernel, k->dtype, shape, 0, 0});
  }
  if (dtype)
    for (Case &c : cases)
      if (c.dtype != *dtype)
        c = {c.kernel, *dtype, c.shape, 0, 0};
  return cases;
}

} // namespace mmrec::bench
