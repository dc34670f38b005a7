;; The filter gradient of a 2-D convolution (NHWC, zero padding) in 128-bit wasm SIMD, on
;; tfjs-backend-wasm's heap (its memory is imported):
;;
;;   dw[ky, kx, c, o] = sum over (b, i, j) of x[b, i s + ky - top, j s + kx - left, c] dy[b, i, j, o]
;;
;; (terms outside the input are the padding's zeros and skipped). One output row (b, i) at a
;; time, so that its output gradients and the k input rows it reads stay in the first-level
;; cache while every tap, channel and output-channel block passes over them; dw accumulates
;; in memory across rows. For each tap (ky, kx), pair of input channels (c, c + 1) and block
;; of 16 output channels, eight float32x4 registers accumulate over the row: two input values
;; (broadcast) times 16 output-gradient values (the last channel of an odd C alone, with
;; four). O must be a multiple of 16. Pointers are byte offsets into the imported memory.
;;
;; Each product is added with f32x4.relaxed_madd (relaxed SIMD): a fused multiply-add, rounded
;; once, on a CPU with FMA (x86-64 with FMA3, ARMv8), a multiply and an add rounded apart on one
;; without. The sums are in a fixed order, so results are bit-identical run to run on one
;; machine, but a CPU without FMA rounds differently (last bits).
;;
;; Built into kernels/_conv_filter_grad_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  (func (export "convFilterGrad")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $b i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $o i32)
    (param $k i32) (param $s i32) (param $top i32) (param $left i32)
    (local $n i32) (local $i i32) (local $ky i32) (local $kx i32) (local $iy i32)
    (local $ci i32) (local $cs i32) (local $ob i32) (local $j i32) (local $j0 i32) (local $j1 i32)
    (local $px i32) (local $pd i32) (local $xrow i32) (local $drow i32) (local $xstep i32)
    (local $dstep i32) (local $out i32) (local $out2 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $u v128) (local $v v128) (local $d v128)
    (memory.fill (local.get $dw) (i32.const 0) (i32.shl (i32.mul (i32.mul (local.get $k)
      (local.get $k)) (i32.mul (local.get $c) (local.get $o))) (i32.const 2)))
    ;; x advances s C floats and dy O floats per output column
    (local.set $xstep (i32.shl (i32.mul (local.get $s) (local.get $c)) (i32.const 2)))
    (local.set $dstep (i32.shl (local.get $o) (i32.const 2)))
    (local.set $n (i32.const 0))
    (loop $lb
      (local.set $i (i32.const 0))
      (loop $li
        ;; dy[n, i, 0, 0]
        (local.set $drow (i32.add (local.get $dy) (i32.shl (i32.mul (i32.mul
          (i32.add (i32.mul (local.get $n) (local.get $oh)) (local.get $i)) (local.get $ow))
          (local.get $o)) (i32.const 2))))
        (local.set $ky (i32.const 0))
        (loop $lky
          (local.set $iy (i32.add (i32.mul (local.get $i) (local.get $s))
            (i32.sub (local.get $ky) (local.get $top))))
          (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0))
                (i32.lt_s (local.get $iy) (local.get $h)))
            (then
              ;; x[n, iy, 0, 0]
              (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul
                (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $iy)) (local.get $w))
                (local.get $c)) (i32.const 2))))
              (local.set $kx (i32.const 0))
              (loop $lkx
                ;; output columns j whose input column j s + kx - left lies in [0, w)
                (local.set $j0 (i32.const 0))
                (block $d0 (loop $l0
                  (br_if $d0 (i32.ge_s (i32.add (i32.mul (local.get $j0) (local.get $s))
                    (i32.sub (local.get $kx) (local.get $left))) (i32.const 0)))
                  (local.set $j0 (i32.add (local.get $j0) (i32.const 1)))
                  (br $l0)))
                (local.set $j1 (local.get $ow))
                (block $d1 (loop $l1
                  (br_if $d1 (i32.le_s (local.get $j1) (local.get $j0)))
                  (br_if $d1 (i32.lt_s (i32.add
                    (i32.mul (i32.sub (local.get $j1) (i32.const 1)) (local.get $s))
                    (i32.sub (local.get $kx) (local.get $left))) (local.get $w)))
                  (local.set $j1 (i32.sub (local.get $j1) (i32.const 1)))
                  (br $l1)))
                (if (i32.lt_s (local.get $j0) (local.get $j1))
                  (then
                    (local.set $ci (i32.const 0))
                    (loop $lc
                      ;; channels ci and ci + 1 together where both exist (each output-gradient
                      ;; vector loaded once for two), else ci alone
                      (local.set $cs (select (i32.const 2) (i32.const 1)
                        (i32.lt_s (i32.add (local.get $ci) (i32.const 1)) (local.get $c))))
                      (local.set $ob (i32.const 0))
                      (loop $lo
                        ;; dw[ky, kx, ci, ob ..] and dw[ky, kx, ci + 1, ob ..] (O floats further)
                        (local.set $out (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul
                          (i32.add (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $k))
                            (local.get $kx)) (local.get $c)) (local.get $ci))
                          (local.get $o)) (local.get $ob)) (i32.const 2))))
                        (local.set $out2 (i32.add (local.get $out) (local.get $dstep)))
                        (local.set $a0 (v128.load (local.get $out)))
                        (local.set $a1 (v128.load offset=16 (local.get $out)))
                        (local.set $a2 (v128.load offset=32 (local.get $out)))
                        (local.set $a3 (v128.load offset=48 (local.get $out)))
                        ;; x[n, iy, j0 s + kx - left, ci], dy[n, i, j0, ob]
                        (local.set $px (i32.add (local.get $xrow) (i32.shl (i32.add (i32.mul
                          (i32.add (i32.mul (local.get $j0) (local.get $s))
                            (i32.sub (local.get $kx) (local.get $left)))
                          (local.get $c)) (local.get $ci)) (i32.const 2))))
                        (local.set $pd (i32.add (local.get $drow) (i32.shl (i32.add (i32.mul
                          (local.get $j0) (local.get $o)) (local.get $ob)) (i32.const 2))))
                        (local.set $j (local.get $j0))
                        (if (i32.eq (local.get $cs) (i32.const 2))
                          (then
                            (local.set $a4 (v128.load (local.get $out2)))
                            (local.set $a5 (v128.load offset=16 (local.get $out2)))
                            (local.set $a6 (v128.load offset=32 (local.get $out2)))
                            (local.set $a7 (v128.load offset=48 (local.get $out2)))
                            (loop $lj2
                              (local.set $v (f32x4.splat (f32.load (local.get $px))))
                              (local.set $u (f32x4.splat (f32.load offset=4 (local.get $px))))
                              (local.set $d (v128.load (local.get $pd)))
                              (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $d) (local.get $a0)))
                              (local.set $a4 (f32x4.relaxed_madd (local.get $u) (local.get $d) (local.get $a4)))
                              (local.set $d (v128.load offset=16 (local.get $pd)))
                              (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $d) (local.get $a1)))
                              (local.set $a5 (f32x4.relaxed_madd (local.get $u) (local.get $d) (local.get $a5)))
                              (local.set $d (v128.load offset=32 (local.get $pd)))
                              (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $d) (local.get $a2)))
                              (local.set $a6 (f32x4.relaxed_madd (local.get $u) (local.get $d) (local.get $a6)))
                              (local.set $d (v128.load offset=48 (local.get $pd)))
                              (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $d) (local.get $a3)))
                              (local.set $a7 (f32x4.relaxed_madd (local.get $u) (local.get $d) (local.get $a7)))
                              (local.set $px (i32.add (local.get $px) (local.get $xstep)))
                              (local.set $pd (i32.add (local.get $pd) (local.get $dstep)))
                              (br_if $lj2 (i32.lt_s
                                (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (local.get $j1))))
                            (v128.store (local.get $out2) (local.get $a4))
                            (v128.store offset=16 (local.get $out2) (local.get $a5))
                            (v128.store offset=32 (local.get $out2) (local.get $a6))
                            (v128.store offset=48 (local.get $out2) (local.get $a7)))
                          (else
                            (loop $lj
                              (local.set $v (f32x4.splat (f32.load (local.get $px))))
                              (local.set $a0 (f32x4.relaxed_madd (local.get $v)
                                (v128.load (local.get $pd)) (local.get $a0)))
                              (local.set $a1 (f32x4.relaxed_madd (local.get $v)
                                (v128.load offset=16 (local.get $pd)) (local.get $a1)))
                              (local.set $a2 (f32x4.relaxed_madd (local.get $v)
                                (v128.load offset=32 (local.get $pd)) (local.get $a2)))
                              (local.set $a3 (f32x4.relaxed_madd (local.get $v)
                                (v128.load offset=48 (local.get $pd)) (local.get $a3)))
                              (local.set $px (i32.add (local.get $px) (local.get $xstep)))
                              (local.set $pd (i32.add (local.get $pd) (local.get $dstep)))
                              (br_if $lj (i32.lt_s
                                (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (local.get $j1))))))
                        (v128.store (local.get $out) (local.get $a0))
                        (v128.store offset=16 (local.get $out) (local.get $a1))
                        (v128.store offset=32 (local.get $out) (local.get $a2))
                        (v128.store offset=48 (local.get $out) (local.get $a3))
                        (br_if $lo (i32.lt_s (local.tee $ob (i32.add (local.get $ob) (i32.const 16)))
                          (local.get $o))))
                      (br_if $lc (i32.lt_s (local.tee $ci (i32.add (local.get $ci) (local.get $cs)))
                        (local.get $c))))))
                (br_if $lkx (i32.lt_s (local.tee $kx (i32.add (local.get $kx) (i32.const 1)))
                  (local.get $k))))))
          (br_if $lky (i32.lt_s (local.tee $ky (i32.add (local.get $ky) (i32.const 1)))
            (local.get $k))))
        (br_if $li (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
          (local.get $oh))))
      (br_if $lb (i32.lt_s (local.tee $n (i32.add (local.get $n) (i32.const 1)))
        (local.get $b))))))
