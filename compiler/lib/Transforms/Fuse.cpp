//===- Fuse.cpp - fuse maps, scans and reduces into groups ----------------===//
//
// Every value that crosses a group boundary is written to memory and read
// back; inside a group it stays in registers. This pass makes the groups as
// large as the dataflow allows: around each scan or reduce, its producer
// maps (cloned, since maps are cheap to recompute) and its consumer maps.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECFUSE
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

/// Whether `map` reads `value` through the identity indexing map (and so at
/// the same point of the same domain).
bool readsAtSamePoint(MapOp map, Value value) {
  for (auto [i, input] : llvm::enumerate(map.getInputs()))
    if (input == value && !map.getIndexingMap(i).isIdentity())
      return false;
  return true;
}

/// The ops of one group around `anchor`, in the order they are cloned.
class GroupBuilder {
public:
  GroupBuilder(KernelOp kernel, Operation *anchor) : kernel(kernel), anchor(anchor) {}

  void build() {
    for (Value operand : anchor->getOperands())
      collectProducers(operand);
    collectConsumers();
    emit();
  }

private:
  /// Adds the top-level maps that compute `value`, producers first.
  void collectProducers(Value value) {
    auto map = value.getDefiningOp<MapOp>();
    if (!map || map->getParentOp() != kernel.getOperation() || producers.contains(map) ||
        map == anchor)
      return;
    for (Value input : map.getInputs())
      if (readsAtSamePoint(map, input))
        collectProducers(input);
    producers.insert(map);
  }

  bool isMember(Value value) {
    Operation *def = value.getDefiningOp();
    return def && (def == anchor || producers.contains(def) || consumers.contains(def));
  }

  /// A consumer joins when it reads the group's values at the same point and
  /// everything else it reads is available where the group is built.
  bool canJoin(MapOp map) {
    if (map->getParentOp() != kernel.getOperation() || consumers.contains(map))
      return false;
    for (Value input : map.getInputs()) {
      if (isMember(input)) {
        if (!readsAtSamePoint(map, input))
          return false;
        continue;
      }
      Operation *def = input.getDefiningOp();
      if (def && !def->isBeforeInBlock(anchor))
        return false;
    }
    return true;
  }

  void collectConsumers() {
    for (bool changed = true; changed;) {
      changed = false;
      SmallVector<Operation *> sources = {anchor};
      sources.append(consumers.begin(), consumers.end());
      for (Operation *source : sources)
        for (Operation *user : source->getUsers())
          if (auto map = dyn_cast<MapOp>(user); map && canJoin(map)) {
            consumers.insert(map);
            changed = true;
          }
    }
  }

  void emit() {
    SmallVector<Operation *> members(producers.begin(), producers.end());
    members.push_back(anchor);
    SmallVector<Operation *> after(consumers.begin(), consumers.end());
    llvm::sort(after, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    members.append(after);
    llvm::SmallPtrSet<Operation *, 8> memberSet(members.begin(), members.end());

    llvm::SetVector<Value> inputs;
    for (Operation *member : members)
      for (Value operand : member->getOperands())
        if (!memberSet.contains(operand.getDefiningOp()))
          inputs.insert(operand);

    // Results that leave the group. Producers are cloned, so their own
    // results keep their outside users.
    SmallVector<Value> outputs;
    for (Operation *member : members) {
      if (producers.contains(member))
        continue;
      for (Value result : member->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !memberSet.contains(user); }))
          outputs.push_back(result);
    }

    OpBuilder builder(anchor);
    auto group = builder.create<GroupOp>(anchor->getLoc(), ValueRange(outputs).getTypes(),
                                         inputs.getArrayRef());
    Block *body = builder.createBlock(&group.getBody());
    IRMapping mapping;
    for (Value input : inputs)
      mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
    for (Operation *member : members)
      builder.clone(*member, mapping);
    SmallVector<Value> yielded;
    for (Value output : outputs)
      yielded.push_back(mapping.lookup(output));
    builder.create<YieldOp>(anchor->getLoc(), yielded);

    for (auto [output, result] : llvm::zip(outputs, group.getResults()))
      output.replaceUsesWithIf(result,
                               [&](OpOperand &use) { return !memberSet.contains(use.getOwner()); });
    for (Operation *member : llvm::reverse(members))
      if (member->use_empty())
        member->erase();
  }

  KernelOp kernel;
  Operation *anchor;
  llvm::SetVector<Operation *> producers;
  llvm::SetVector<Operation *> consumers;
};

class FusePass : public mmrec::impl::MmrecFuseBase<FusePass> {
public:
  void runOnOperation() override {
    KernelOp kernel = getOperation();
    Block &body = kernel.getBody().front();
    SmallVector<Operation *> anchors;
    for (Operation &op : body)
      if (isa<ScanOp, ReduceOp>(op))
        anchors.push_back(&op);
    for (Operation *anchor : anchors)
      GroupBuilder(kernel, anchor).build();
    // Maps that joined no scan or reduce: each becomes a group with the maps
    // around it. A map absorbed by an earlier group is gone from the body.
    for (bool changed = true; changed;) {
      changed = false;
      for (Operation &op : body)
        if (auto map = dyn_cast<MapOp>(op)) {
          GroupBuilder(kernel, map).build();
          changed = true;
          break;
        }
    }
  }
};

} // namespace
