;; A direct 2-D convolution (NHWC, zero padding) in 128-bit wasm SIMD with fused multiply-adds
;; (relaxed SIMD), on tfjs-backend-wasm's heap (its memory is imported):
;;
;;   y[b, i, j, o] = sum over (ky, kx, c) of x[b, i s + ky - top, j s + kx - left, c] w[ky, kx, c, o]
;;
;; for a filter w [kh, kw, C, O] (O a multiple of 16) and an output [B, OH, OW, O]; terms
;; outside the input are the padding's zeros and skipped; negative padding skips input rows or
;; columns. The output y[b, i, j, 0..O-1] is written at byte yb b + yr i + yp j from y (dense:
;; yb = OH OW O 4, yr = OW O 4, yp = O 4; spread out, the phases of an input gradient land
;; interleaved in one tensor). One output row (b, i) at a time; for each block of 16 output
;; channels, one pass over the row per filter row ky (its slice of the filter stays in the
;; first-level cache; the sums are stored between passes and reloaded, exactly), two neighbouring
;; output pixels at once where all their taps lie inside the input columns, the border pixels
;; one at a time. Per term, one load-splat of each pixel's input value and four vector loads of
;; the filter, shared by the two pixels, feed eight fused multiply-adds into eight float32x4
;; accumulators (2 pixels x 16 channels). Among 2-6 pixels by 8 or 16 channels this block ran
;; fastest at the tiny preset's shapes (about 21 GMAC/s against 14-17 for the others on the
;; 2-core EPYC): more accumulators spill registers, and every pixel costs a pointer update per
;; term. For a fixed filter row ky the terms (kx, c) are contiguous both in x (a pixel's kw C
;; inputs) and in w (stride O), so the innermost loop runs over all kw C of them, two terms a
;; round (5-8% faster than one).
;;
;; Each pixel's sum runs in the same order (ky, then kx, then c) on either path, so a pixel's
;; value does not depend on its neighbours or the batch. Each product is added with
;; f32x4.relaxed_madd: a fused multiply-add (rounded once) on a CPU with FMA (x86-64 with FMA3,
;; ARMv8); a CPU without FMA rounds the product and the sum apart, so its last bits differ.
;; Results are bit-identical run to run on one machine. Pointers are byte offsets into the
;; imported memory.
;;
;; Built into kernels/_conv2d_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  (func (export "conv2d")
    (param $x i32) (param $w i32) (param $y i32)
    (param $b i32) (param $h i32) (param $wd i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $o i32)
    (param $kh i32) (param $kw i32) (param $s i32) (param $top i32) (param $left i32)
    (param $yb i32) (param $yr i32) (param $yp i32)
    (local $n i32) (local $i i32) (local $j i32) (local $ob i32) (local $ky i32)
    (local $ky0 i32) (local $ky1 i32) (local $kx0 i32) (local $kx1 i32) (local $jlo i32)
    (local $jhi i32) (local $iy i32) (local $ix i32) (local $xrow i32) (local $yrow i32)
    (local $px i32) (local $px1 i32) (local $pw i32) (local $pend i32) (local $xs i32)
    (local $first i32) (local $ostep i32) (local $ostep2 i32) (local $pw2 i32) (local $out i32)
    (local $out1 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128) (local $v v128)
    ;; x advances s C floats per output column, w O floats per (kx, c) term
    (local.set $xs (i32.shl (i32.mul (local.get $s) (local.get $c)) (i32.const 2)))
    (local.set $ostep (i32.shl (local.get $o) (i32.const 2)))
    (local.set $ostep2 (i32.shl (local.get $o) (i32.const 3)))
    ;; interior columns jlo..jhi: j s - left >= 0 and j s + kw - 1 - left <= wd - 1, and j < ow
    ;; (a pair's second pixel must be an output pixel)
    (local.set $jlo (i32.div_s (i32.sub (i32.add (local.get $left) (local.get $s)) (i32.const 1))
      (local.get $s)))
    (local.set $jhi (select
      (i32.div_s (i32.sub (i32.add (local.get $wd) (local.get $left)) (local.get $kw))
        (local.get $s))
      (i32.const -1)
      (i32.ge_s (i32.sub (i32.add (local.get $wd) (local.get $left)) (local.get $kw))
        (i32.const 0))))
    (if (i32.ge_s (local.get $jhi) (local.get $ow))
      (then (local.set $jhi (i32.sub (local.get $ow) (i32.const 1)))))
    (local.set $n (i32.const 0))
    (loop $lb
      (local.set $i (i32.const 0))
      (loop $li
        ;; filter rows ky0..ky1 - 1, whose input row iy + ky lies in [0, h)
        (local.set $iy (i32.sub (i32.mul (local.get $i) (local.get $s)) (local.get $top)))
        (local.set $ky0 (select (i32.sub (i32.const 0) (local.get $iy)) (i32.const 0)
          (i32.lt_s (local.get $iy) (i32.const 0))))
        (local.set $ky1 (select (i32.sub (local.get $h) (local.get $iy)) (local.get $kh)
          (i32.lt_s (i32.sub (local.get $h) (local.get $iy)) (local.get $kh))))
        ;; x[n, 0, 0, 0] and y[n, i, 0, 0]
        (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (i32.mul
          (local.get $n) (local.get $h)) (local.get $wd)) (local.get $c)) (i32.const 2))))
        (local.set $yrow (i32.add (local.get $y) (i32.add
          (i32.mul (local.get $n) (local.get $yb)) (i32.mul (local.get $i) (local.get $yr)))))
        (local.set $ob (i32.const 0))
        (loop $lo
          ;; one pass over the row per filter row ky (at least one, which writes zeros where no
          ;; filter row reaches the input), each adding its terms to the sums the pass before
          ;; stored (the same additions in the same order as one pass over all rows), so that
          ;; the filter's slice w[ky, .., .., ob ..] (kw C 16 floats) stays in the first-level
          ;; cache while the row's pixels pass over it
          (local.set $ky (local.get $ky0))
          (loop $lky
            (local.set $first (i32.eq (local.get $ky) (local.get $ky0)))
            (local.set $j (i32.const 0))
            (loop $lj
              ;; y[n, i, j, ob ..]
              (local.set $out (i32.add (i32.add (local.get $yrow)
                (i32.mul (local.get $j) (local.get $yp))) (i32.shl (local.get $ob) (i32.const 2))))
              (if (local.get $first)
                (then
                  (local.set $a0 (v128.const i32x4 0 0 0 0))
                  (local.set $a1 (v128.const i32x4 0 0 0 0))
                  (local.set $a2 (v128.const i32x4 0 0 0 0))
                  (local.set $a3 (v128.const i32x4 0 0 0 0)))
                (else
                  (local.set $a0 (v128.load (local.get $out)))
                  (local.set $a1 (v128.load offset=16 (local.get $out)))
                  (local.set $a2 (v128.load offset=32 (local.get $out)))
                  (local.set $a3 (v128.load offset=48 (local.get $out)))))
              (if (i32.and (i32.ge_s (local.get $j) (local.get $jlo))
                    (i32.le_s (i32.add (local.get $j) (i32.const 1)) (local.get $jhi)))
                (then
                  ;; two interior pixels j, j + 1: accumulators a and b; y[n, i, j + 1, ob ..]
                  (local.set $out1 (i32.add (local.get $out) (local.get $yp)))
                  (if (local.get $first)
                    (then
                      (local.set $b0 (v128.const i32x4 0 0 0 0))
                      (local.set $b1 (v128.const i32x4 0 0 0 0))
                      (local.set $b2 (v128.const i32x4 0 0 0 0))
                      (local.set $b3 (v128.const i32x4 0 0 0 0)))
                    (else
                      (local.set $b0 (v128.load (local.get $out1)))
                      (local.set $b1 (v128.load offset=16 (local.get $out1)))
                      (local.set $b2 (v128.load offset=32 (local.get $out1)))
                      (local.set $b3 (v128.load offset=48 (local.get $out1)))))
                  (if (i32.lt_s (local.get $ky) (local.get $ky1)) (then
                    ;; x[n, iy + ky, j s - left, 0] (and s C floats on), w[ky, 0, 0, ob]; the
                    ;; row's kw C terms end at pend
                    (local.set $px (i32.add (local.get $xrow) (i32.shl (i32.mul (i32.add (i32.mul
                      (i32.add (local.get $iy) (local.get $ky)) (local.get $wd))
                      (i32.sub (i32.mul (local.get $j) (local.get $s)) (local.get $left)))
                      (local.get $c)) (i32.const 2))))
                    (local.set $px1 (i32.add (local.get $px) (local.get $xs)))
                    (local.set $pw (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (i32.mul
                      (i32.mul (local.get $ky) (local.get $kw)) (local.get $c)) (local.get $o))
                      (local.get $ob)) (i32.const 2))))
                    (local.set $pend (i32.add (local.get $px) (i32.shl
                      (i32.mul (local.get $kw) (local.get $c)) (i32.const 2))))
                    ;; two terms a round (the filter's second row at pw2), then an odd one
                    (local.set $pw2 (i32.add (local.get $pw) (local.get $ostep)))
                    (block $dt (br_if $dt (i32.gt_u (i32.add (local.get $px) (i32.const 8))
                      (local.get $pend)))
                      (loop $lt
                        (local.set $f0 (v128.load (local.get $pw)))
                        (local.set $f1 (v128.load offset=16 (local.get $pw)))
                        (local.set $f2 (v128.load offset=32 (local.get $pw)))
                        (local.set $f3 (v128.load offset=48 (local.get $pw)))
                        (local.set $v (v128.load32_splat (local.get $px)))
                        (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $a0)))
                        (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $a1)))
                        (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $a2)))
                        (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $a3)))
                        (local.set $v (v128.load32_splat (local.get $px1)))
                        (local.set $b0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $b0)))
                        (local.set $b1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $b1)))
                        (local.set $b2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $b2)))
                        (local.set $b3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $b3)))
                        (local.set $f0 (v128.load (local.get $pw2)))
                        (local.set $f1 (v128.load offset=16 (local.get $pw2)))
                        (local.set $f2 (v128.load offset=32 (local.get $pw2)))
                        (local.set $f3 (v128.load offset=48 (local.get $pw2)))
                        (local.set $v (v128.load32_splat offset=4 (local.get $px)))
                        (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $a0)))
                        (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $a1)))
                        (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $a2)))
                        (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $a3)))
                        (local.set $v (v128.load32_splat offset=4 (local.get $px1)))
                        (local.set $b0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $b0)))
                        (local.set $b1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $b1)))
                        (local.set $b2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $b2)))
                        (local.set $b3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $b3)))
                        (local.set $px (i32.add (local.get $px) (i32.const 8)))
                        (local.set $px1 (i32.add (local.get $px1) (i32.const 8)))
                        (local.set $pw (i32.add (local.get $pw) (local.get $ostep2)))
                        (local.set $pw2 (i32.add (local.get $pw2) (local.get $ostep2)))
                        (br_if $lt (i32.le_u (i32.add (local.get $px) (i32.const 8))
                          (local.get $pend)))))
                    (if (i32.lt_u (local.get $px) (local.get $pend))
                      (then
                        (local.set $f0 (v128.load (local.get $pw)))
                        (local.set $f1 (v128.load offset=16 (local.get $pw)))
                        (local.set $f2 (v128.load offset=32 (local.get $pw)))
                        (local.set $f3 (v128.load offset=48 (local.get $pw)))
                        (local.set $v (v128.load32_splat (local.get $px)))
                        (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $a0)))
                        (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $a1)))
                        (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $a2)))
                        (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $a3)))
                        (local.set $v (v128.load32_splat (local.get $px1)))
                        (local.set $b0 (f32x4.relaxed_madd (local.get $v) (local.get $f0)
                          (local.get $b0)))
                        (local.set $b1 (f32x4.relaxed_madd (local.get $v) (local.get $f1)
                          (local.get $b1)))
                        (local.set $b2 (f32x4.relaxed_madd (local.get $v) (local.get $f2)
                          (local.get $b2)))
                        (local.set $b3 (f32x4.relaxed_madd (local.get $v) (local.get $f3)
                          (local.get $b3)))))))
                  (v128.store (local.get $out1) (local.get $b0))
                  (v128.store offset=16 (local.get $out1) (local.get $b1))
                  (v128.store offset=32 (local.get $out1) (local.get $b2))
                  (v128.store offset=48 (local.get $out1) (local.get $b3))
                  (local.set $j (i32.add (local.get $j) (i32.const 2))))
                (else
                  ;; one pixel j: filter columns kx0..kx1 - 1, whose input column ix + kx lies in
                  ;; [0, wd)
                  (local.set $ix (i32.sub (i32.mul (local.get $j) (local.get $s))
                    (local.get $left)))
                  (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $ix)) (i32.const 0)
                    (i32.lt_s (local.get $ix) (i32.const 0))))
                  (local.set $kx1 (select (i32.sub (local.get $wd) (local.get $ix)) (local.get $kw)
                    (i32.lt_s (i32.sub (local.get $wd) (local.get $ix)) (local.get $kw))))
                  (if (i32.and (i32.lt_s (local.get $kx0) (local.get $kx1))
                        (i32.lt_s (local.get $ky) (local.get $ky1)))
                    (then
                      ;; x[n, iy + ky, ix + kx0, 0] and w[ky, kx0, 0, ob]; (kx1 - kx0) C terms
                      (local.set $px (i32.add (local.get $xrow) (i32.shl (i32.mul (i32.add
                        (i32.mul (i32.add (local.get $iy) (local.get $ky)) (local.get $wd))
                        (i32.add (local.get $ix) (local.get $kx0))) (local.get $c))
                        (i32.const 2))))
                      (local.set $pw (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (i32.mul
                        (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx0))
                        (local.get $c)) (local.get $o)) (local.get $ob)) (i32.const 2))))
                      (local.set $pend (i32.add (local.get $px) (i32.shl (i32.mul
                        (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $c))
                        (i32.const 2))))
                      (loop $lt1
                        (local.set $v (v128.load32_splat (local.get $px)))
                        (local.set $a0 (f32x4.relaxed_madd (local.get $v)
                          (v128.load (local.get $pw)) (local.get $a0)))
                        (local.set $a1 (f32x4.relaxed_madd (local.get $v)
                          (v128.load offset=16 (local.get $pw)) (local.get $a1)))
                        (local.set $a2 (f32x4.relaxed_madd (local.get $v)
                          (v128.load offset=32 (local.get $pw)) (local.get $a2)))
                        (local.set $a3 (f32x4.relaxed_madd (local.get $v)
                          (v128.load offset=48 (local.get $pw)) (local.get $a3)))
                        (local.set $px (i32.add (local.get $px) (i32.const 4)))
                        (local.set $pw (i32.add (local.get $pw) (local.get $ostep)))
                        (br_if $lt1 (i32.lt_u (local.get $px) (local.get $pend))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))))
              ;; y[n, i, j, ob ..] (j before the step above)
              (v128.store (local.get $out) (local.get $a0))
              (v128.store offset=16 (local.get $out) (local.get $a1))
              (v128.store offset=32 (local.get $out) (local.get $a2))
              (v128.store offset=48 (local.get $out) (local.get $a3))
              (br_if $lj (i32.lt_s (local.get $j) (local.get $ow))))
            (br_if $lky (i32.lt_s (local.tee $ky (i32.add (local.get $ky) (i32.const 1)))
              (local.get $ky1))))
          (br_if $lo (i32.lt_s (local.tee $ob (i32.add (local.get $ob) (i32.const 16)))
            (local.get $o))))
        (br_if $li (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
          (local.get $oh))))
      (br_if $lb (i32.lt_s (local.tee $n (i32.add (local.get $n) (i32.const 1)))
        (local.get $b))))))
