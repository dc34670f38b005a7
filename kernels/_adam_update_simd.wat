;; One Adam update with L2 weight decay of one variable in wasm SIMD, on tfjs-backend-wasm's
;; heap (its memory is imported), in float64 as the plain JavaScript kernel
;; (`adam_update_plain.ts`), two values at a time, with the same operations in the same order:
;;
;;   g' = g + wd w,  m' = b1 m + c1 g',  v' = b2 v + (c2 g') g',
;;   w' = w - lr (m' / (sqrt(v') + eps))
;;
;; (c1 = 1 - b1 and c2 = 1 - b2 computed by the caller in float64), each output rounded to
;; float32 once. Wasm never fuses a multiply and an add, so the results are bit-identical to
;; the JavaScript loop's. Pointers are byte offsets into the imported memory.
;;
;; Built into kernels/_adam_update_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  (func (export "adamUpdate")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32)
    (param $w2 i32) (param $m2 i32) (param $v2 i32) (param $n i32)
    (param $lr f64) (param $b1 f64) (param $c1 f64) (param $b2 f64) (param $c2 f64)
    (param $eps f64) (param $wd f64)
    (local $i i32) (local $end i32)
    (local $wv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $lr2 v128) (local $b12 v128) (local $c12 v128) (local $b22 v128) (local $c22 v128)
    (local $eps2 v128) (local $wd2 v128)
    (local $ws f64) (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $lr2 (f64x2.splat (local.get $lr)))
    (local.set $b12 (f64x2.splat (local.get $b1)))
    (local.set $c12 (f64x2.splat (local.get $c1)))
    (local.set $b22 (f64x2.splat (local.get $b2)))
    (local.set $c22 (f64x2.splat (local.get $c2)))
    (local.set $eps2 (f64x2.splat (local.get $eps)))
    (local.set $wd2 (f64x2.splat (local.get $wd)))
    ;; pairs of values: float32 pairs widened to float64x2
    (local.set $end (i32.shl (i32.shr_u (local.get $n) (i32.const 1)) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $wv (f64x2.promote_low_f32x4
          (v128.load64_zero (i32.add (local.get $w) (local.get $i)))))
        (local.set $gv (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $i))))
          (f64x2.mul (local.get $wd2) (local.get $wv))))
        (local.set $mv (f64x2.add
          (f64x2.mul (local.get $b12)
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $i)))))
          (f64x2.mul (local.get $c12) (local.get $gv))))
        (local.set $vv (f64x2.add
          (f64x2.mul (local.get $b22)
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $i)))))
          (f64x2.mul (f64x2.mul (local.get $c22) (local.get $gv)) (local.get $gv))))
        (v128.store64_lane 0 (i32.add (local.get $m2) (local.get $i))
          (f32x4.demote_f64x2_zero (local.get $mv)))
        (v128.store64_lane 0 (i32.add (local.get $v2) (local.get $i))
          (f32x4.demote_f64x2_zero (local.get $vv)))
        (v128.store64_lane 0 (i32.add (local.get $w2) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.sub (local.get $wv) (f64x2.mul (local.get $lr2)
            (f64x2.div (local.get $mv)
              (f64x2.add (f64x2.sqrt (local.get $vv)) (local.get $eps2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $pairs)))
    ;; the last value of an odd count
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $ws (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $gs (f64.add
          (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $i))))
          (f64.mul (local.get $wd) (local.get $ws))))
        (local.set $ms (f64.add
          (f64.mul (local.get $b1)
            (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $i)))))
          (f64.mul (local.get $c1) (local.get $gs))))
        (local.set $vs (f64.add
          (f64.mul (local.get $b2)
            (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $i)))))
          (f64.mul (f64.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
        (f32.store (i32.add (local.get $m2) (local.get $i)) (f32.demote_f64 (local.get $ms)))
        (f32.store (i32.add (local.get $v2) (local.get $i)) (f32.demote_f64 (local.get $vs)))
        (f32.store (i32.add (local.get $w2) (local.get $i))
          (f32.demote_f64 (f64.sub (local.get $ws) (f64.mul (local.get $lr)
            (f64.div (local.get $ms)
              (f64.add (f64.sqrt (local.get $vs)) (local.get $eps)))))))))))
