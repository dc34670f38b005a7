;; The SoftKMeans and SoftKMeansGrad kernels (kernels/soft_kmeans_plain.ts) in wasm SIMD, on
;; tfjs-backend-wasm's heap (its memory is imported): the plain kernels' loops and float64
;; arithmetic, with every loop over the D features two float64 lanes at a time (D must be a
;; multiple of 4). Same trace layout as the plain kernels, so either gradient kernel reads
;; either forward's trace. `exp` is fdlibm's algorithm in wasm (the plain kernel calls
;; Math.exp: the two differ by at most one unit in the last place of a float64).
;; Pointers are byte offsets into the imported memory; "f64 ptr" / "f32 ptr" say what they
;; point at.
;;
;; Each sample's x is converted to float64 once per call (exactly) and the loops over positions
;; read that copy, so the hot helpers ($dot64x64, $axpy64x64, $pull) are float64 only. The
;; helpers are leaves: $dot64x32 takes the high two float32 lanes of a vector as float64x2 inline
;; (promote_low of the lanes shuffled down), not through a helper of its own. With such a `$hi`
;; helper called from inside them, V8's dynamic tier-up (Liftoff, then TurboFan with the callees
;; Liftoff saw hot inlined) left the kernels at 1.0 ms (forward) and 1.2 ms (gradient) per call
;; at [8, 256, 32], K = 2, T = 4, against 0.6 / 0.7 ms when compiled by TurboFan up front
;; (`--no-liftoff`); forcing the early tier-up of the forward alone gave 0.63 ms until the
;; regular tier-up replaced it, so the tiered code, not a missing tier-up, was slow (most likely
;; `$hi` not inlined two calls deep). With leaves, about the up-front code's time under the
;; default tiering (`bench/wasm_tiering_bench.ts` checks it).
;;
;; Built into kernels/_soft_kmeans_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  ;; exp(x) in float64 with the algorithm and constants of fdlibm's e_exp.c (Sun, 1993):
  ;; x = k ln2 + r, |r| <= ln2 / 2 (ln2 split into hi + lo), exp(r) from a degree-5 minimax
  ;; polynomial R(r^2): c = r - r^2 R, exp(r) = 1 + r + r c / (2 - c); exp(x) = 2^k exp(r).
  ;; Within one unit in the last place of V8's Math.exp, which rounds differently for ~7% of
  ;; inputs (checked in tests/kernels_soft_kmeans_simd_test.ts). An imported Math.exp cost
  ;; ~100 ns a call at the JS boundary, most of the forward kernel's time.
  (func $exp (export "exp") (param $x f64) (result f64)
    (local $hx i32) (local $neg i32) (local $k i32)
    (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $neg (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78: NaN, infinities, overflow, underflow
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.or (i32.and (local.get $hx) (i32.const 0xfffff))
                  (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x))))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (f64.const 0) (local.get $x) (local.get $neg)))))
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02))
          (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02))
          (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        ;; |x| > ln2 / 2: reduce
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))
          (then
            ;; |x| < 3 ln2 / 2: k = +-1
            (local.set $hi (f64.sub (local.get $x) (select (f64.const -6.93147180369123816490e-01)
              (f64.const 6.93147180369123816490e-01) (local.get $neg))))
            (local.set $lo (select (f64.const -1.90821492927058770002e-10)
              (f64.const 1.90821492927058770002e-10) (local.get $neg)))
            (local.set $k (i32.sub (i32.const 1) (i32.shl (local.get $neg) (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add
              (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $neg)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x)
              (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
        (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
          (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
            (f64.add (f64.const -1.65339022054652515390e-06)
              (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then
        (return (f64.sub (f64.const 1) (f64.sub
          (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2)))
          (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1) (f64.sub (f64.sub (local.get $lo)
      (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c))))
      (local.get $hi))))
    ;; 2^k: directly where it is a normal float64, else 2^(k + 1000) 2^-1000
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2))
            (f64.const 0x1p1023)))))
        (return (f64.mul (local.get $y) (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
          (i32.add (i32.const 0x3ff00000) (i32.shl (local.get $k) (i32.const 20))))
          (i64.const 32)))))))
    (f64.mul (f64.mul (local.get $y) (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
      (i32.add (i32.const 0x3ff00000) (i32.shl (i32.add (local.get $k) (i32.const 1000))
        (i32.const 20)))) (i64.const 32))))
      (f64.const 9.33263618503218878990e-302)))

  ;; sum of a[e] b[e], a f64 ptr, b f32 ptr
  (func $dot64x32 (param $a i32) (param $b i32) (param $d i32) (result f64)
    (local $acc v128) (local $v v128) (local $e i32)
    (loop $l
      (local.set $v (v128.load (local.get $b)))
      (local.set $acc (f64x2.add (local.get $acc) (f64x2.add
        (f64x2.mul (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v)))
        (f64x2.mul (v128.load offset=16 (local.get $a)) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
            (local.get $v) (local.get $v)))))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $l (i32.lt_u (local.tee $e (i32.add (local.get $e) (i32.const 4))) (local.get $d))))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))

  ;; sum of a[e] b[e], both f64 ptrs
  (func $dot64x64 (param $a i32) (param $b i32) (param $d i32) (result f64)
    (local $acc v128) (local $e i32)
    (loop $l
      (local.set $acc (f64x2.add (local.get $acc) (f64x2.add
        (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))
        (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $e (i32.add (local.get $e) (i32.const 4))) (local.get $d))))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))

  ;; y[e] += alpha x[e], both f64 ptrs
  (func $axpy64x64 (param $y i32) (param $alpha f64) (param $x i32) (param $d i32)
    (local $a v128) (local $e i32)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (loop $l
      (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y))
        (f64x2.mul (local.get $a) (v128.load (local.get $x)))))
      (v128.store offset=16 (local.get $y) (f64x2.add (v128.load offset=16 (local.get $y))
        (f64x2.mul (local.get $a) (v128.load offset=16 (local.get $x)))))
      (local.set $y (i32.add (local.get $y) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $e (i32.add (local.get $e) (i32.const 4))) (local.get $d)))))

  ;; y[e] = x[e] / den, both f64 ptrs
  (func $div64 (param $y i32) (param $x i32) (param $den f64) (param $d i32)
    (local $q v128) (local $e i32)
    (local.set $q (f64x2.splat (local.get $den)))
    (loop $l
      (v128.store (local.get $y) (f64x2.div (v128.load (local.get $x)) (local.get $q)))
      (v128.store offset=16 (local.get $y)
        (f64x2.div (v128.load offset=16 (local.get $x)) (local.get $q)))
      (local.set $y (i32.add (local.get $y) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $e (i32.add (local.get $e) (i32.const 4))) (local.get $d)))))

  ;; diff = o[e] - x[e]; g[e] += a diff; gx[e] -= a diff (all f64 ptrs)
  (func $pull (param $g i32) (param $gx i32) (param $o i32) (param $x i32) (param $alpha f64)
    (param $d i32)
    (local $a v128) (local $lo v128) (local $hi v128) (local $e i32)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (loop $l
      (local.set $lo (f64x2.mul (local.get $a)
        (f64x2.sub (v128.load (local.get $o)) (v128.load (local.get $x)))))
      (local.set $hi (f64x2.mul (local.get $a)
        (f64x2.sub (v128.load offset=16 (local.get $o)) (v128.load offset=16 (local.get $x)))))
      (v128.store (local.get $g) (f64x2.add (v128.load (local.get $g)) (local.get $lo)))
      (v128.store offset=16 (local.get $g)
        (f64x2.add (v128.load offset=16 (local.get $g)) (local.get $hi)))
      (v128.store (local.get $gx) (f64x2.sub (v128.load (local.get $gx)) (local.get $lo)))
      (v128.store offset=16 (local.get $gx)
        (f64x2.sub (v128.load offset=16 (local.get $gx)) (local.get $hi)))
      (local.set $g (i32.add (local.get $g) (i32.const 32)))
      (local.set $gx (i32.add (local.get $gx) (i32.const 32)))
      (local.set $o (i32.add (local.get $o) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (br_if $l (i32.lt_u (local.tee $e (i32.add (local.get $e) (i32.const 4))) (local.get $d)))))

  ;; dst[i] = float32(src[i]) for `count` values (dst f32 ptr, src f64 ptr)
  (func $to32 (param $dst i32) (param $src i32) (param $count i32)
    (local $i i32)
    (if (i32.eqz (local.get $count)) (then (return)))
    (loop $l
      (f32.store (local.get $dst) (f32.demote_f64 (f64.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
        (local.get $count)))))

  ;; dst[i] = float64(src[i]) for `count` values (dst f64 ptr, src f32 ptr)
  (func $to64 (param $dst i32) (param $src i32) (param $count i32)
    (local $i i32)
    (if (i32.eqz (local.get $count)) (then (return)))
    (loop $l
      (f64.store (local.get $dst) (f64.promote_f32 (f32.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
        (local.get $count)))))

  ;; Forward: centers [B, K, D], assignments [B, K, N] and the trace [B, size] of x [B, N, D]
  ;; (all f32 ptrs). Scratch `ws`, float64: the sample's x [N D], |x_p|^2 [N], o [K D],
  ;; next [K D], dist [K N], c [K N], mass [K].
  (func (export "softKMeans")
    (param $x i32) (param $centers i32) (param $assign i32) (param $trace i32)
    (param $b i32) (param $n i32) (param $d i32) (param $k i32) (param $t i32)
    (param $beta f64) (param $minSq f64) (param $minMass f64) (param $ws i32)
    (local $x64 i32) (local $xsq i32) (local $o i32) (local $next i32) (local $dist i32)
    (local $c i32) (local $mass i32) (local $swap i32)
    (local $kd i32) (local $kn i32) (local $cOff i32) (local $distOff i32) (local $massOff i32)
    (local $size i32) (local $s i32) (local $xs i32) (local $ts i32) (local $it i32)
    (local $j i32) (local $p i32) (local $osq f64) (local $sq f64) (local $dd f64)
    (local $top f64) (local $z f64) (local $v f64) (local $m f64) (local $at i32)
    (local.set $kd (i32.mul (local.get $k) (local.get $d)))
    (local.set $kn (i32.mul (local.get $k) (local.get $n)))
    (local.set $cOff (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $kd)))
    (local.set $distOff (i32.add (local.get $cOff) (i32.mul (local.get $t) (local.get $kn))))
    (local.set $massOff (i32.add (local.get $distOff) (i32.mul (local.get $t) (local.get $kn))))
    (local.set $size (i32.add (local.get $massOff) (i32.mul (local.get $t) (local.get $k))))
    (local.set $x64 (local.get $ws))
    (local.set $xsq (i32.add (local.get $x64)
      (i32.shl (i32.mul (local.get $n) (local.get $d)) (i32.const 3))))
    (local.set $o (i32.add (local.get $xsq) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $next (i32.add (local.get $o) (i32.shl (local.get $kd) (i32.const 3))))
    (local.set $dist (i32.add (local.get $next) (i32.shl (local.get $kd) (i32.const 3))))
    (local.set $c (i32.add (local.get $dist) (i32.shl (local.get $kn) (i32.const 3))))
    (local.set $mass (i32.add (local.get $c) (i32.shl (local.get $kn) (i32.const 3))))
    (local.set $s (i32.const 0))
    (loop $ls
      (local.set $xs (i32.add (local.get $x)
        (i32.shl (i32.mul (local.get $s) (i32.mul (local.get $n) (local.get $d))) (i32.const 2))))
      (local.set $ts (i32.add (local.get $trace)
        (i32.shl (i32.mul (local.get $s) (local.get $size)) (i32.const 2))))
      ;; the sample's x in float64 (exact), and |x_p|^2
      (call $to64 (local.get $x64) (local.get $xs) (i32.mul (local.get $n) (local.get $d)))
      (local.set $p (i32.const 0))
      (loop $lp2
        (local.set $at (i32.add (local.get $x64)
          (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 3))))
        (f64.store (i32.add (local.get $xsq) (i32.shl (local.get $p) (i32.const 3)))
          (call $dot64x64 (local.get $at) (local.get $at) (local.get $d)))
        (br_if $lp2 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
          (local.get $n))))
      ;; initial centers: x at positions floor(j N / K)
      (local.set $j (i32.const 0))
      (loop $lj
        (call $to64
          (i32.add (local.get $o) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
          (i32.add (local.get $xs) (i32.shl (i32.mul
            (i32.div_u (i32.mul (local.get $j) (local.get $n)) (local.get $k))
            (local.get $d)) (i32.const 2)))
          (local.get $d))
        (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
          (local.get $k))))
      (local.set $it (i32.const 0))
      (loop $lit
        ;; o^it into the trace, and o rounded to float32 as the kernel's input
        (local.set $at (i32.add (local.get $ts)
          (i32.shl (i32.mul (local.get $it) (local.get $kd)) (i32.const 2))))
        (call $to32 (local.get $at) (local.get $o) (local.get $kd))
        (call $to64 (local.get $o) (local.get $at) (local.get $kd))
        ;; distances
        (local.set $j (i32.const 0))
        (loop $lj1
          (local.set $at (i32.add (local.get $o)
            (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
          (local.set $osq (call $dot64x64 (local.get $at) (local.get $at) (local.get $d)))
          (local.set $p (i32.const 0))
          (loop $lp1
            (local.set $sq (f64.add (f64.sub (local.get $osq) (f64.mul (f64.const 2)
              (call $dot64x64 (local.get $at) (i32.add (local.get $x64)
                (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 3))) (local.get $d))))
              (f64.load (i32.add (local.get $xsq) (i32.shl (local.get $p) (i32.const 3))))))
            (local.set $dd (f64.sqrt (f64.max (local.get $sq) (local.get $minSq))))
            (f64.store (i32.add (local.get $dist) (i32.shl
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3)))
              (local.get $dd))
            ;; trace: the distance, negated where d^2 was below the floor
            (f32.store (i32.add (local.get $ts) (i32.shl (i32.add
              (i32.add (local.get $distOff) (i32.mul (local.get $it) (local.get $kn)))
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p))) (i32.const 2)))
              (f32.demote_f64 (select (f64.neg (local.get $dd)) (local.get $dd)
                (f64.lt (local.get $sq) (local.get $minSq)))))
            (br_if $lp1 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
              (local.get $n))))
          (br_if $lj1 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
            (local.get $k))))
        ;; softmax over the K centers of -beta dist
        (local.set $p (i32.const 0))
        (loop $lp3
          (local.set $top (f64.const -inf))
          (local.set $j (i32.const 0))
          (loop $la
            (local.set $top (f64.max (local.get $top) (f64.mul (f64.neg (local.get $beta))
              (f64.load (i32.add (local.get $dist) (i32.shl
                (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3)))))))
            (br_if $la (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
              (local.get $k))))
          (local.set $z (f64.const 0))
          (local.set $j (i32.const 0))
          (loop $lb
            (local.set $at (i32.shl
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3)))
            (local.set $v (call $exp (f64.sub
              (f64.mul (f64.neg (local.get $beta)) (f64.load (i32.add (local.get $dist) (local.get $at))))
              (local.get $top))))
            (f64.store (i32.add (local.get $c) (local.get $at)) (local.get $v))
            (local.set $z (f64.add (local.get $z) (local.get $v)))
            (br_if $lb (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
              (local.get $k))))
          (local.set $j (i32.const 0))
          (loop $lc
            (local.set $at (i32.add (local.get $c) (i32.shl
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3))))
            (f64.store (local.get $at) (f64.div (f64.load (local.get $at)) (local.get $z)))
            (br_if $lc (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
              (local.get $k))))
          (br_if $lp3 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
            (local.get $n))))
        ;; new centers: mass-weighted means
        (memory.fill (local.get $next) (i32.const 0) (i32.shl (local.get $kd) (i32.const 3)))
        (local.set $j (i32.const 0))
        (loop $lj2
          (local.set $at (i32.add (local.get $next)
            (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
          (local.set $m (f64.const 0))
          (local.set $p (i32.const 0))
          (loop $lp4
            (local.set $v (f64.load (i32.add (local.get $c) (i32.shl
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3)))))
            (local.set $m (f64.add (local.get $m) (local.get $v)))
            (call $axpy64x64 (local.get $at) (local.get $v) (i32.add (local.get $x64)
              (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 3))) (local.get $d))
            (br_if $lp4 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
              (local.get $n))))
          (f64.store (i32.add (local.get $mass) (i32.shl (local.get $j) (i32.const 3)))
            (local.get $m))
          (call $div64 (local.get $at) (local.get $at) (f64.max (local.get $m) (local.get $minMass))
            (local.get $d))
          (br_if $lj2 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
            (local.get $k))))
        ;; trace: assignments and masses of this iteration
        (call $to32 (i32.add (local.get $ts) (i32.shl
          (i32.add (local.get $cOff) (i32.mul (local.get $it) (local.get $kn))) (i32.const 2)))
          (local.get $c) (local.get $kn))
        (call $to32 (i32.add (local.get $ts) (i32.shl
          (i32.add (local.get $massOff) (i32.mul (local.get $it) (local.get $k))) (i32.const 2)))
          (local.get $mass) (local.get $k))
        (local.set $swap (local.get $o))
        (local.set $o (local.get $next))
        (local.set $next (local.get $swap))
        (br_if $lit (i32.lt_u (local.tee $it (i32.add (local.get $it) (i32.const 1)))
          (local.get $t))))
      (call $to32 (i32.add (local.get $ts)
        (i32.shl (i32.mul (local.get $t) (local.get $kd)) (i32.const 2)))
        (local.get $o) (local.get $kd))
      (call $to32 (i32.add (local.get $centers)
        (i32.shl (i32.mul (local.get $s) (local.get $kd)) (i32.const 2)))
        (local.get $o) (local.get $kd))
      (call $to32 (i32.add (local.get $assign)
        (i32.shl (i32.mul (local.get $s) (local.get $kn)) (i32.const 2)))
        (local.get $c) (local.get $kn))
      (br_if $ls (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1)))
        (local.get $b)))))

  ;; Gradient: dx [B, N, D] from x, the forward's trace and dL/d(centers) [B, K, D],
  ;; dL/d(assignments) [B, K, N] (all f32 ptrs), back through the T iterations. Scratch `ws`,
  ;; float64: gO [K D], gOPrev [K D], gNum [K D], gMass [K], gc [K N], gx [N D], the sample's
  ;; x [N D], o of the iteration [K D].
  (func (export "softKMeansGrad")
    (param $x i32) (param $trace i32) (param $dC i32) (param $dA i32) (param $dx i32)
    (param $b i32) (param $n i32) (param $d i32) (param $k i32) (param $t i32)
    (param $beta f64) (param $minMass f64) (param $ws i32)
    (local $gO i32) (local $gOPrev i32) (local $gNum i32) (local $gMass i32) (local $gc i32)
    (local $gx i32) (local $x64 i32) (local $o64 i32)
    (local $kd i32) (local $kn i32) (local $nd i32) (local $cOff i32) (local $distOff i32)
    (local $massOff i32) (local $size i32) (local $s i32) (local $xs i32) (local $ts i32)
    (local $it i32) (local $j i32) (local $p i32) (local $at i32) (local $xp i32)
    (local $o32 i32) (local $next32 i32) (local $c32 i32) (local $dist32 i32) (local $mass32 i32)
    (local $mj f64) (local $den f64) (local $dot f64) (local $g f64) (local $cg f64)
    (local $cv f64) (local $dv f64) (local $gz f64) (local $gsq f64)
    (local.set $kd (i32.mul (local.get $k) (local.get $d)))
    (local.set $kn (i32.mul (local.get $k) (local.get $n)))
    (local.set $nd (i32.mul (local.get $n) (local.get $d)))
    (local.set $cOff (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $kd)))
    (local.set $distOff (i32.add (local.get $cOff) (i32.mul (local.get $t) (local.get $kn))))
    (local.set $massOff (i32.add (local.get $distOff) (i32.mul (local.get $t) (local.get $kn))))
    (local.set $size (i32.add (local.get $massOff) (i32.mul (local.get $t) (local.get $k))))
    (local.set $gO (local.get $ws))
    (local.set $gOPrev (i32.add (local.get $gO) (i32.shl (local.get $kd) (i32.const 3))))
    (local.set $gNum (i32.add (local.get $gOPrev) (i32.shl (local.get $kd) (i32.const 3))))
    (local.set $gMass (i32.add (local.get $gNum) (i32.shl (local.get $kd) (i32.const 3))))
    (local.set $gc (i32.add (local.get $gMass) (i32.shl (local.get $k) (i32.const 3))))
    (local.set $gx (i32.add (local.get $gc) (i32.shl (local.get $kn) (i32.const 3))))
    (local.set $x64 (i32.add (local.get $gx) (i32.shl (local.get $nd) (i32.const 3))))
    (local.set $o64 (i32.add (local.get $x64) (i32.shl (local.get $nd) (i32.const 3))))
    (local.set $s (i32.const 0))
    (loop $ls
      (local.set $xs (i32.add (local.get $x) (i32.shl (i32.mul (local.get $s) (local.get $nd))
        (i32.const 2))))
      (local.set $ts (i32.add (local.get $trace)
        (i32.shl (i32.mul (local.get $s) (local.get $size)) (i32.const 2))))
      (memory.fill (local.get $gx) (i32.const 0) (i32.shl (local.get $nd) (i32.const 3)))
      (call $to64 (local.get $x64) (local.get $xs) (local.get $nd))
      (call $to64 (local.get $gO) (i32.add (local.get $dC)
        (i32.shl (i32.mul (local.get $s) (local.get $kd)) (i32.const 2))) (local.get $kd))
      (local.set $it (local.get $t))
      (loop $lit
        (local.set $it (i32.sub (local.get $it) (i32.const 1)))
        (local.set $o32 (i32.add (local.get $ts)
          (i32.shl (i32.mul (local.get $it) (local.get $kd)) (i32.const 2))))
        (local.set $next32 (i32.add (local.get $o32) (i32.shl (local.get $kd) (i32.const 2))))
        (local.set $c32 (i32.add (local.get $ts) (i32.shl
          (i32.add (local.get $cOff) (i32.mul (local.get $it) (local.get $kn))) (i32.const 2))))
        (local.set $dist32 (i32.add (local.get $ts) (i32.shl
          (i32.add (local.get $distOff) (i32.mul (local.get $it) (local.get $kn))) (i32.const 2))))
        (local.set $mass32 (i32.add (local.get $ts) (i32.shl
          (i32.add (local.get $massOff) (i32.mul (local.get $it) (local.get $k))) (i32.const 2))))
        ;; next_j = num_j / max(mass_j, MIN_MASS)
        (local.set $j (i32.const 0))
        (loop $lj
          (local.set $mj (f64.promote_f32 (f32.load (i32.add (local.get $mass32)
            (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $den (f64.max (local.get $mj) (local.get $minMass)))
          (local.set $at (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
          (local.set $dot (call $dot64x32 (i32.add (local.get $gO) (local.get $at))
            (i32.add (local.get $next32) (i32.shr_u (local.get $at) (i32.const 1)))
            (local.get $d)))
          (call $div64 (i32.add (local.get $gNum) (local.get $at))
            (i32.add (local.get $gO) (local.get $at)) (local.get $den) (local.get $d))
          (f64.store (i32.add (local.get $gMass) (i32.shl (local.get $j) (i32.const 3)))
            (select (f64.div (f64.neg (local.get $dot)) (local.get $den)) (f64.const 0)
              (f64.ge (local.get $mj) (local.get $minMass))))
          (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
            (local.get $k))))
        ;; dL/dc_jp, and the x_p term of num
        (local.set $j (i32.const 0))
        (loop $lj2
          (local.set $at (i32.add (local.get $gNum)
            (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
          (local.set $p (i32.const 0))
          (loop $lp
            (local.set $xp (i32.mul (local.get $p) (local.get $d)))
            (local.set $g (f64.add
              (f64.load (i32.add (local.get $gMass) (i32.shl (local.get $j) (i32.const 3))))
              (call $dot64x64 (local.get $at)
                (i32.add (local.get $x64) (i32.shl (local.get $xp) (i32.const 3))) (local.get $d))))
            (call $axpy64x64 (i32.add (local.get $gx) (i32.shl (local.get $xp) (i32.const 3)))
              (f64.promote_f32 (f32.load (i32.add (local.get $c32) (i32.shl
                (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 2)))))
              (local.get $at) (local.get $d))
            (if (i32.eq (local.get $it) (i32.sub (local.get $t) (i32.const 1)))
              (then (local.set $g (f64.add (local.get $g) (f64.promote_f32 (f32.load
                (i32.add (local.get $dA) (i32.shl (i32.add
                  (i32.mul (local.get $s) (local.get $kn))
                  (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)))
                  (i32.const 2)))))))))
            (f64.store (i32.add (local.get $gc) (i32.shl
              (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)) (i32.const 3)))
              (local.get $g))
            (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
              (local.get $n))))
          (br_if $lj2 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
            (local.get $k))))
        ;; softmax over j of -beta dist, square root, floor, d^2 = |o|^2 - 2 o.x + |x|^2
        (call $to64 (local.get $o64) (local.get $o32) (local.get $kd))
        (memory.fill (local.get $gOPrev) (i32.const 0) (i32.shl (local.get $kd) (i32.const 3)))
        (local.set $p (i32.const 0))
        (loop $lp2
          (local.set $cg (f64.const 0))
          (local.set $j (i32.const 0))
          (loop $la
            (local.set $at (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)))
            (local.set $cg (f64.add (local.get $cg) (f64.mul
              (f64.promote_f32 (f32.load (i32.add (local.get $c32)
                (i32.shl (local.get $at) (i32.const 2)))))
              (f64.load (i32.add (local.get $gc) (i32.shl (local.get $at) (i32.const 3)))))))
            (br_if $la (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
              (local.get $k))))
          (local.set $xp (i32.mul (local.get $p) (local.get $d)))
          (local.set $j (i32.const 0))
          (loop $lb
            (local.set $at (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $p)))
            (local.set $dv (f64.promote_f32 (f32.load (i32.add (local.get $dist32)
              (i32.shl (local.get $at) (i32.const 2))))))
            ;; d^2 below the floor (negated distance): no gradient
            (if (f64.ge (local.get $dv) (f64.const 0))
              (then
                (local.set $cv (f64.promote_f32 (f32.load (i32.add (local.get $c32)
                  (i32.shl (local.get $at) (i32.const 2))))))
                (local.set $gz (f64.mul (local.get $cv) (f64.sub
                  (f64.load (i32.add (local.get $gc) (i32.shl (local.get $at) (i32.const 3))))
                  (local.get $cg))))
                (local.set $gsq (f64.div (f64.mul (f64.neg (local.get $beta)) (local.get $gz))
                  (f64.mul (f64.const 2) (local.get $dv))))
                (call $pull
                  (i32.add (local.get $gOPrev)
                    (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
                  (i32.add (local.get $gx) (i32.shl (local.get $xp) (i32.const 3)))
                  (i32.add (local.get $o64)
                    (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
                  (i32.add (local.get $x64) (i32.shl (local.get $xp) (i32.const 3)))
                  (f64.mul (f64.const 2) (local.get $gsq))
                  (local.get $d))))
            (br_if $lb (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
              (local.get $k))))
          (br_if $lp2 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
            (local.get $n))))
        (memory.copy (local.get $gO) (local.get $gOPrev) (i32.shl (local.get $kd) (i32.const 3)))
        (br_if $lit (i32.gt_s (local.get $it) (i32.const 0))))
      ;; the initial centers are copies of x at positions floor(j N / K)
      (local.set $j (i32.const 0))
      (loop $lj3
        (call $axpy64x64
          (i32.add (local.get $gx) (i32.shl (i32.mul
            (i32.div_u (i32.mul (local.get $j) (local.get $n)) (local.get $k))
            (local.get $d)) (i32.const 3)))
          (f64.const 1)
          (i32.add (local.get $gO) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
          (local.get $d))
        (br_if $lj3 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
          (local.get $k))))
      (call $to32 (i32.add (local.get $dx) (i32.shl (i32.mul (local.get $s) (local.get $nd))
        (i32.const 2))) (local.get $gx) (local.get $nd))
      (br_if $ls (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1)))
        (local.get $b))))))
