// RUN: mmrec-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// expected-error @+1 {{'acc' must be a floating-point type, got 'i32'}}
"test.n"() {n = #mmrec.numerics<acc = i32>} : () -> ()

// -----

// expected-error @+1 {{'eps' must be finite and at least 0, got -1}}
"test.n"() {n = #mmrec.numerics<acc = f32, eps = -1.0>} : () -> ()

// -----

// expected-error @+1 {{'clamp' range [0.000000e+00, -5.000000e+01] must have low <= high}}
"test.n"() {n = #mmrec.numerics<acc = f32, clamp = [0.0, -50.0]>} : () -> ()

// -----

// expected-error @+1 {{expected 'eps' or 'clamp' (each at most once), got 'eps'}}
"test.n"() {n = #mmrec.numerics<acc = f32, eps = 1.0, eps = 2.0>} : () -> ()

// -----

// expected-error @+1 {{expected 'eps' or 'clamp' (each at most once), got 'scale'}}
"test.n"() {n = #mmrec.numerics<acc = f32, scale = 2.0>} : () -> ()

// -----

// expected-error @+1 {{expected ','}}
"test.n"() {n = #mmrec.numerics<acc = f32, clamp = [-50.0]>} : () -> ()

// -----

// expected-error @+1 {{expected 'acc'}}
"test.n"() {n = #mmrec.numerics<eps = 1.0>} : () -> ()
