;; The FeatureNorm and FeatureNormGrad kernels (kernels/feature_norm_plain.ts) in 128-bit wasm
;; SIMD, run on tfjs-backend-wasm's own heap (its memory is imported), so no tensor is copied in
;; or out. Same loops and the same float64 arithmetic as the plain kernels, four float32 values
;; at a time (two float64x2 halves), for chunk widths that are a multiple of 4.
;;
;; Memory layout of a [B, H, W, C] map: chunks of `width` contiguous floats, in the order
;; (outer, middle, groups); a normalised set is (outer, group), over middle x width values
;; (positional norm: outer B H W, middle 1, groups 1, width C; group norm: outer B, middle H W).
;; All pointers are byte offsets into the imported memory.
;;
;; Built into kernels/_feature_norm_simd_wasm.ts by `deno run -A kernels/_build_wasm.ts`.
(module
  (import "env" "memory" (memory 1))

  ;; Forward: y = relu?(xhat gamma + beta), xhat = (x - mean) inv, inv = 1 / sqrt(var + eps)
  ;; per set. Scratch: `mean` and `sq`, float64 [sets] each.
  (func (export "featureNorm")
    (param $x i32) (param $gamma i32) (param $beta i32)
    (param $y i32) (param $xhat i32) (param $inv i32)
    (param $outer i32) (param $middle i32) (param $groups i32) (param $width i32)
    (param $epsilon f64) (param $relu i32) (param $mean i32) (param $sq i32)
    (local $o i32) (local $m i32) (local $g i32) (local $j i32) (local $set i32)
    (local $p i32) (local $pg i32) (local $at i32) (local $sets i32) (local $count f64)
    (local $v v128) (local $lo v128) (local $hi v128) (local $acc v128)
    (local $mu v128) (local $iv v128) (local $r v128)
    (local.set $sets (i32.mul (local.get $outer) (local.get $groups)))
    (local.set $count (f64.convert_i32_u (i32.mul (local.get $middle) (local.get $width))))
    (memory.fill (local.get $mean) (i32.const 0) (i32.shl (local.get $sets) (i32.const 3)))
    (memory.fill (local.get $sq) (i32.const 0) (i32.shl (local.get $sets) (i32.const 3)))

    ;; pass 1: sums of each set
    (local.set $p (local.get $x))
    (local.set $o (i32.const 0))
    (loop $lo1
      (local.set $m (i32.const 0))
      (loop $lm1
        (local.set $g (i32.const 0))
        (loop $lg1
          (local.set $acc (v128.const f64x2 0 0))
          (local.set $j (i32.const 0))
          (loop $lj1
            (local.set $v (v128.load (local.get $p)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.add
              (f64x2.promote_low_f32x4 (local.get $v))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (local.get $v) (local.get $v))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $lj1 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4)))
              (local.get $width))))
          (local.set $at (i32.add (local.get $mean) (i32.shl
            (i32.add (i32.mul (local.get $o) (local.get $groups)) (local.get $g))
            (i32.const 3))))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
            (f64.add (f64x2.extract_lane 0 (local.get $acc))
              (f64x2.extract_lane 1 (local.get $acc)))))
          (br_if $lg1 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1)))
            (local.get $groups))))
        (br_if $lm1 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1)))
          (local.get $middle))))
      (br_if $lo1 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
        (local.get $outer))))
    (local.set $set (i32.const 0))
    (loop $ls1
      (local.set $at (i32.add (local.get $mean) (i32.shl (local.get $set) (i32.const 3))))
      (f64.store (local.get $at) (f64.div (f64.load (local.get $at)) (local.get $count)))
      (br_if $ls1 (i32.lt_u (local.tee $set (i32.add (local.get $set) (i32.const 1)))
        (local.get $sets))))

    ;; pass 2: squared deviations from the mean
    (local.set $p (local.get $x))
    (local.set $o (i32.const 0))
    (loop $lo2
      (local.set $m (i32.const 0))
      (loop $lm2
        (local.set $g (i32.const 0))
        (loop $lg2
          (local.set $set (i32.shl
            (i32.add (i32.mul (local.get $o) (local.get $groups)) (local.get $g))
            (i32.const 3)))
          (local.set $mu (f64x2.splat (f64.load (i32.add (local.get $mean) (local.get $set)))))
          (local.set $acc (v128.const f64x2 0 0))
          (local.set $j (i32.const 0))
          (loop $lj2
            (local.set $v (v128.load (local.get $p)))
            (local.set $lo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $mu)))
            (local.set $hi (f64x2.sub
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (local.get $v) (local.get $v)))
              (local.get $mu)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.add
              (f64x2.mul (local.get $lo) (local.get $lo))
              (f64x2.mul (local.get $hi) (local.get $hi)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $lj2 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4)))
              (local.get $width))))
          (local.set $at (i32.add (local.get $sq) (local.get $set)))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
            (f64.add (f64x2.extract_lane 0 (local.get $acc))
              (f64x2.extract_lane 1 (local.get $acc)))))
          (br_if $lg2 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1)))
            (local.get $groups))))
        (br_if $lm2 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1)))
          (local.get $middle))))
      (br_if $lo2 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
        (local.get $outer))))
    ;; inv = 1 / sqrt(sq / count + epsilon), stored as float32
    (local.set $set (i32.const 0))
    (loop $ls2
      (f32.store (i32.add (local.get $inv) (i32.shl (local.get $set) (i32.const 2)))
        (f32.demote_f64 (f64.div (f64.const 1) (f64.sqrt (f64.add
          (f64.div
            (f64.load (i32.add (local.get $sq) (i32.shl (local.get $set) (i32.const 3))))
            (local.get $count))
          (local.get $epsilon))))))
      (br_if $ls2 (i32.lt_u (local.tee $set (i32.add (local.get $set) (i32.const 1)))
        (local.get $sets))))

    ;; pass 3: xhat and the affine (+ ReLU); $at is the element's byte offset from x
    (local.set $at (i32.const 0))
    (local.set $o (i32.const 0))
    (loop $lo3
      (local.set $m (i32.const 0))
      (loop $lm3
        (local.set $g (i32.const 0))
        (loop $lg3
          (local.set $set (i32.add (i32.mul (local.get $o) (local.get $groups)) (local.get $g)))
          (local.set $mu (f64x2.splat (f64.load (i32.add (local.get $mean)
            (i32.shl (local.get $set) (i32.const 3))))))
          (local.set $iv (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $inv)
            (i32.shl (local.get $set) (i32.const 2)))))))
          ;; byte offset of channel g width in gamma and beta
          (local.set $pg (i32.shl (i32.mul (local.get $g) (local.get $width)) (i32.const 2)))
          (local.set $j (i32.const 0))
          (loop $lj3
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
            (local.set $lo (f64x2.mul (local.get $iv)
              (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $mu))))
            (local.set $hi (f64x2.mul (local.get $iv) (f64x2.sub
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (local.get $v) (local.get $v)))
              (local.get $mu))))
            (v128.store (i32.add (local.get $xhat) (local.get $at))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (local.get $lo))
                (f32x4.demote_f64x2_zero (local.get $hi))))
            ;; a = xhat gamma + beta (float64, from the unrounded xhat)
            (local.set $v (v128.load (i32.add (local.get $gamma) (local.get $pg))))
            (local.set $lo (f64x2.mul (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $hi (f64x2.mul (local.get $hi) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v)))))
            (local.set $v (v128.load (i32.add (local.get $beta) (local.get $pg))))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v)))))
            (local.set $r (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (local.get $lo))
              (f32x4.demote_f64x2_zero (local.get $hi))))
            ;; ReLU: keep the lanes above zero (others +0)
            (if (local.get $relu)
              (then (local.set $r (v128.and (local.get $r)
                (f32x4.gt (local.get $r) (v128.const f32x4 0 0 0 0))))))
            (v128.store (i32.add (local.get $y) (local.get $at)) (local.get $r))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
            (br_if $lj3 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4)))
              (local.get $width))))
          (br_if $lg3 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1)))
            (local.get $groups))))
        (br_if $lm3 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1)))
          (local.get $middle))))
      (br_if $lo3 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
        (local.get $outer)))))

  ;; Backward: g = dy (times y > 0 with the ReLU); dbeta = sum g, dgamma = sum g xhat per
  ;; channel; dxhat = g gamma; dx = inv (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) per set.
  ;; dxhat (rounded to float32, as the plain kernel stores it) is kept in dx and overwritten.
  ;; Scratch: float64 [2 C + 2 sets]: dgamma, dbeta, then the per-set sums of dxhat and
  ;; dxhat xhat.
  (func (export "featureNormGrad")
    (param $dy i32) (param $y i32) (param $xhat i32) (param $inv i32) (param $gamma i32)
    (param $dx i32) (param $dgamma i32) (param $dbeta i32)
    (param $outer i32) (param $middle i32) (param $groups i32) (param $width i32)
    (param $relu i32) (param $scratch i32)
    (local $o i32) (local $m i32) (local $g i32) (local $j i32) (local $set i32)
    (local $at i32) (local $pg i32) (local $pc i32) (local $c i32) (local $sets i32)
    (local $sumD i32) (local $sumDX i32) (local $count f64) (local $q i32)
    (local $v v128) (local $glo v128) (local $ghi v128) (local $xlo v128) (local $xhi v128)
    (local $dlo v128) (local $dhi v128) (local $sd v128) (local $sdx v128)
    (local $iv v128) (local $md v128) (local $mdx v128)
    (local.set $c (i32.mul (local.get $groups) (local.get $width)))
    (local.set $sets (i32.mul (local.get $outer) (local.get $groups)))
    (local.set $count (f64.convert_i32_u (i32.mul (local.get $middle) (local.get $width))))
    ;; scratch: dgamma64 at 0, dbeta64 at 8 C, sumD at 16 C, sumDX after it
    (local.set $sumD (i32.add (local.get $scratch) (i32.shl (local.get $c) (i32.const 4))))
    (local.set $sumDX (i32.add (local.get $sumD) (i32.shl (local.get $sets) (i32.const 3))))
    (memory.fill (local.get $scratch) (i32.const 0)
      (i32.add (i32.shl (local.get $c) (i32.const 4)) (i32.shl (local.get $sets) (i32.const 4))))

    ;; pass 1
    (local.set $at (i32.const 0))
    (local.set $o (i32.const 0))
    (loop $lo1
      (local.set $m (i32.const 0))
      (loop $lm1
        (local.set $g (i32.const 0))
        (loop $lg1
          (local.set $sd (v128.const f64x2 0 0))
          (local.set $sdx (v128.const f64x2 0 0))
          ;; byte offsets of channel g width: float32 (gamma), float64 (scratch)
          (local.set $pg (i32.shl (i32.mul (local.get $g) (local.get $width)) (i32.const 2)))
          (local.set $pc (i32.add (local.get $scratch) (i32.shl (local.get $pg) (i32.const 1))))
          (local.set $j (i32.const 0))
          (loop $lj1
            (local.set $v (v128.load (i32.add (local.get $dy) (local.get $at))))
            (if (local.get $relu)
              (then (local.set $v (v128.and (local.get $v) (f32x4.gt
                (v128.load (i32.add (local.get $y) (local.get $at)))
                (v128.const f32x4 0 0 0 0))))))
            (local.set $glo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $ghi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v))))
            (local.set $v (v128.load (i32.add (local.get $xhat) (local.get $at))))
            (local.set $xlo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $xhi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v))))
            ;; dgamma += g xhat at pc, dbeta += g at pc + 8 C
            (v128.store (local.get $pc) (f64x2.add (v128.load (local.get $pc))
              (f64x2.mul (local.get $glo) (local.get $xlo))))
            (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc))
              (f64x2.mul (local.get $ghi) (local.get $xhi))))
            (local.set $q (i32.add (local.get $pc) (i32.shl (local.get $c) (i32.const 3))))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $glo)))
            (v128.store offset=16 (local.get $q)
              (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $ghi)))
            ;; dxhat = g gamma
            (local.set $v (v128.load (i32.add (local.get $gamma) (local.get $pg))))
            (local.set $dlo (f64x2.mul (local.get $glo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.set $dhi (f64x2.mul (local.get $ghi) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v)))))
            (v128.store (i32.add (local.get $dx) (local.get $at))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (local.get $dlo))
                (f32x4.demote_f64x2_zero (local.get $dhi))))
            (local.set $sd (f64x2.add (local.get $sd)
              (f64x2.add (local.get $dlo) (local.get $dhi))))
            (local.set $sdx (f64x2.add (local.get $sdx) (f64x2.add
              (f64x2.mul (local.get $dlo) (local.get $xlo))
              (f64x2.mul (local.get $dhi) (local.get $xhi)))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
            (local.set $pc (i32.add (local.get $pc) (i32.const 32)))
            (br_if $lj1 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4)))
              (local.get $width))))
          (local.set $set (i32.shl
            (i32.add (i32.mul (local.get $o) (local.get $groups)) (local.get $g))
            (i32.const 3)))
          (local.set $q (i32.add (local.get $sumD) (local.get $set)))
          (f64.store (local.get $q) (f64.add (f64.load (local.get $q))
            (f64.add (f64x2.extract_lane 0 (local.get $sd))
              (f64x2.extract_lane 1 (local.get $sd)))))
          (local.set $q (i32.add (local.get $sumDX) (local.get $set)))
          (f64.store (local.get $q) (f64.add (f64.load (local.get $q))
            (f64.add (f64x2.extract_lane 0 (local.get $sdx))
              (f64x2.extract_lane 1 (local.get $sdx)))))
          (br_if $lg1 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1)))
            (local.get $groups))))
        (br_if $lm1 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1)))
          (local.get $middle))))
      (br_if $lo1 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
        (local.get $outer))))

    ;; pass 2: dx = inv (dxhat - md - xhat mdx), in place
    (local.set $at (i32.const 0))
    (local.set $o (i32.const 0))
    (loop $lo2
      (local.set $m (i32.const 0))
      (loop $lm2
        (local.set $g (i32.const 0))
        (loop $lg2
          (local.set $set (i32.add (i32.mul (local.get $o) (local.get $groups)) (local.get $g)))
          (local.set $iv (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $inv)
            (i32.shl (local.get $set) (i32.const 2)))))))
          (local.set $set (i32.shl (local.get $set) (i32.const 3)))
          (local.set $md (f64x2.splat (f64.div
            (f64.load (i32.add (local.get $sumD) (local.get $set))) (local.get $count))))
          (local.set $mdx (f64x2.splat (f64.div
            (f64.load (i32.add (local.get $sumDX) (local.get $set))) (local.get $count))))
          (local.set $j (i32.const 0))
          (loop $lj2
            (local.set $v (v128.load (i32.add (local.get $dx) (local.get $at))))
            (local.set $dlo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $dhi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v))))
            (local.set $v (v128.load (i32.add (local.get $xhat) (local.get $at))))
            (local.set $xlo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $xhi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get $v) (local.get $v))))
            (local.set $dlo (f64x2.mul (local.get $iv) (f64x2.sub
              (f64x2.sub (local.get $dlo) (local.get $md))
              (f64x2.mul (local.get $xlo) (local.get $mdx)))))
            (local.set $dhi (f64x2.mul (local.get $iv) (f64x2.sub
              (f64x2.sub (local.get $dhi) (local.get $md))
              (f64x2.mul (local.get $xhi) (local.get $mdx)))))
            (v128.store (i32.add (local.get $dx) (local.get $at))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (local.get $dlo))
                (f32x4.demote_f64x2_zero (local.get $dhi))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br_if $lj2 (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4)))
              (local.get $width))))
          (br_if $lg2 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1)))
            (local.get $groups))))
        (br_if $lm2 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1)))
          (local.get $middle))))
      (br_if $lo2 (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1)))
        (local.get $outer))))

    ;; dgamma, dbeta as float32
    (local.set $j (i32.const 0))
    (loop $lc
      (f32.store (i32.add (local.get $dgamma) (i32.shl (local.get $j) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $scratch)
          (i32.shl (local.get $j) (i32.const 3))))))
      (f32.store (i32.add (local.get $dbeta) (i32.shl (local.get $j) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $scratch)
          (i32.shl (i32.add (local.get $j) (local.get $c)) (i32.const 3))))))
      (br_if $lc (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
        (local.get $c))))))
