// RUN: mmrec-opt %kernels/assoc_scan_exp.mlir -mmrec-fuse | FileCheck %s --check-prefix=EXP
// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mmrec-fuse | FileCheck %s --check-prefix=LIN
// RUN: mmrec-opt %kernels/decayed_sum.mlir -mmrec-fuse | FileCheck %s --check-prefix=SSM
// RUN: mmrec-opt %kernels/chunk_aggregate.mlir -mmrec-fuse | FileCheck %s --check-prefix=HDS

// Every library kernel is one group: one pass over memory.

// EXP-LABEL: mmrec.kernel @assoc_scan_exp
// EXP:         %[[G:.*]] = mmrec.load
// EXP-NEXT:    %[[Y:.*]] = mmrec.group %[[G]] : (tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
// EXP:           mmrec.map
// EXP:           mmrec.scan
// EXP:           mmrec.map
// EXP:           mmrec.yield %{{.*}} : tensor<?x?x?x?xbf16>
// EXP-NEXT:    }
// EXP-NEXT:    mmrec.store %[[Y]]
// EXP-NOT:     mmrec.map

// The init map (the decay carry starts at 1) joins the group too, and the
// final state leaves it as a second result.
// LIN-LABEL: mmrec.kernel @linear_recurrence_h0
// LIN:         %[[R:.*]]:2 = mmrec.group %{{.*}}, %{{.*}}, %{{.*}} : ({{.*}}) -> (tensor<?x?x?xf32>, tensor<?x?x?x?xbf16>)
// LIN:           mmrec.map
// LIN:           %[[ONE:.*]] = mmrec.map
// LIN:           %[[S:.*]]:4 = mmrec.scan %{{.*}}, %{{.*}} inits(%[[ONE]], %{{.*}} :
// LIN:           %[[H:.*]] = mmrec.map %[[S]]#1
// LIN:           mmrec.yield %[[S]]#3, %[[H]]
// LIN:         mmrec.store %[[R]]#1
// LIN:         mmrec.store %[[R]]#0

// The broadcast of A is read through its indexing map inside the group.
// SSM-LABEL: mmrec.kernel @decayed_sum
// SSM:         mmrec.group %{{.*}}, %{{.*}} : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
// SSM:           mmrec.map %{{.*}}, %{{.*}} maps [#map, #map1]
// SSM:           mmrec.scan
// SSM-NOT:     mmrec.map

// HDS-LABEL: mmrec.kernel @chunk_aggregate
// HDS:         %[[R:.*]]:2 = mmrec.group %{{.*}} : (tensor<?x?x?xbf16>) -> (tensor<?x?x?xbf16>, tensor<?x?x?xbf16>)
// HDS:           mmrec.map
// HDS:           mmrec.reduce {{.*}} chunk = 128
// HDS:           arith.divf
// HDS:         mmrec.store %[[R]]#0
// HDS:         mmrec.store %[[R]]#1
