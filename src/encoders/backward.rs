//! Fused kernels for the backward pass of training: layer norm, GELU and softmax gradients,
//! each one pass over memory on the CPU instead of the six to ten candle ops (and as many
//! temporary tensors) each would take; other devices get the same arithmetic as candle ops.

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Result, Shape, Tensor, D};
use rayon::prelude::*;

/// Rows handed to one rayon task: enough work to hide scheduling, few enough to share it.
const ROWS_PER_TASK: usize = 16;

/// The contiguous f32 data of a CPU operand.
fn f32_slice<'a>(storage: &'a CpuStorage, layout: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("{op}: f32 only");
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op}: operands must be contiguous");
    };
    Ok(&data[start..end])
}

/// Runs `row(x, grad, out)` over the rows of two same-shape operands in parallel.
fn rowwise(
    x: (&CpuStorage, &Layout),
    grad: (&CpuStorage, &Layout),
    op: &str,
    row: impl Fn(&[f32], &[f32], &mut [f32]) + Sync,
) -> Result<(CpuStorage, Shape)> {
    let xs = f32_slice(x.0, x.1, op)?;
    let gs = f32_slice(grad.0, grad.1, op)?;
    if x.1.shape() != grad.1.shape() {
        candle_core::bail!(
            "{op}: shapes {:?} and {:?} differ",
            x.1.shape(),
            grad.1.shape()
        );
    }
    let width = x.1.dims().last().copied().unwrap_or(1).max(1);
    let mut out = vec![0f32; xs.len()];
    out.par_chunks_mut(width * ROWS_PER_TASK)
        .zip(xs.par_chunks(width * ROWS_PER_TASK))
        .zip(gs.par_chunks(width * ROWS_PER_TASK))
        .for_each(|((out, xs), gs)| {
            for ((o, x), g) in out
                .chunks_mut(width)
                .zip(xs.chunks(width))
                .zip(gs.chunks(width))
            {
                row(x, g, o);
            }
        });
    Ok((CpuStorage::F32(out), x.1.shape().clone()))
}

/// Whether the fused CPU kernels apply.
fn fused(xs: &Tensor) -> bool {
    xs.device().is_cpu() && xs.dtype() == DType::F32
}

struct LayerNormBackward {
    weight: Vec<f32>,
    eps: f32,
}

impl CustomOp2 for LayerNormBackward {
    fn name(&self) -> &'static str {
        "layer-norm-backward"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        rowwise((s1, l1), (s2, l2), self.name(), |x, dy, dx| {
            let n = x.len() as f32;
            let mean = x.iter().sum::<f32>() / n;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inv_std = 1.0 / (var + self.eps).sqrt();
            let (mut g_sum, mut gx_sum) = (0f32, 0f32);
            for ((&xi, &dyi), &w) in x.iter().zip(dy).zip(&self.weight) {
                let g = dyi * w;
                g_sum += g;
                gx_sum += g * (xi - mean) * inv_std;
            }
            let (g_mean, gx_mean) = (g_sum / n, gx_sum / n);
            for (((o, &xi), &dyi), &w) in dx.iter_mut().zip(x).zip(dy).zip(&self.weight) {
                let normed = (xi - mean) * inv_std;
                *o = (dyi * w - g_mean - normed * gx_mean) * inv_std;
            }
        })
    }
}

/// Gradient of the input `xs` of `layer_norm(xs, weight, bias, eps)` (over the last
/// dimension, weight and bias frozen) given the output's gradient `grad`.
pub fn layer_norm(xs: &Tensor, grad: &Tensor, weight: &Tensor, eps: f32) -> Result<Tensor> {
    if fused(xs) {
        let op = LayerNormBackward {
            weight: weight.to_vec1::<f32>()?,
            eps,
        };
        return xs.contiguous()?.apply_op2_no_bwd(&grad.contiguous()?, &op);
    }
    let n = xs.dim(D::Minus1)? as f64;
    let centred = xs.broadcast_sub(&(xs.sum_keepdim(D::Minus1)? / n)?)?;
    let inv_std = ((centred.sqr()?.sum_keepdim(D::Minus1)? / n)? + eps as f64)?
        .sqrt()?
        .recip()?;
    let normed = centred.broadcast_mul(&inv_std)?;
    let g = grad.broadcast_mul(weight)?;
    let g_mean = (g.sum_keepdim(D::Minus1)? / n)?;
    let gx_mean = ((&g * &normed)?.sum_keepdim(D::Minus1)? / n)?;
    g.broadcast_sub(&g_mean)?
        .sub(&normed.broadcast_mul(&gx_mean)?)?
        .broadcast_mul(&inv_std)
}

struct GeluBackward;

impl CustomOp2 for GeluBackward {
    fn name(&self) -> &'static str {
        "gelu-backward"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        rowwise((s1, l1), (s2, l2), self.name(), |x, dy, dx| {
            super::gelu::gelu_grad_slice(dx, x, dy)
        })
    }
}

/// `grad · gelu'(xs)` for the exact GELU, `gelu'(x) = Φ(x) + x·φ(x)`.
pub fn gelu(xs: &Tensor, grad: &Tensor) -> Result<Tensor> {
    if fused(xs) {
        return xs
            .contiguous()?
            .apply_op2_no_bwd(&grad.contiguous()?, &GeluBackward);
    }
    let cdf = (((xs * std::f64::consts::FRAC_1_SQRT_2)?.erf()? + 1.0)? * 0.5)?;
    let pdf = ((xs.sqr()? * -0.5)?.exp()?
        * (0.5 * std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2))?;
    grad * (cdf + (xs * pdf)?)?
}

struct SoftmaxBackward;

impl CustomOp2 for SoftmaxBackward {
    fn name(&self) -> &'static str {
        "softmax-backward"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        rowwise((s1, l1), (s2, l2), self.name(), |p, g, out| {
            let dot: f32 = p.iter().zip(g).map(|(p, g)| p * g).sum();
            for ((o, &pi), &gi) in out.iter_mut().zip(p).zip(g) {
                *o = pi * (gi - dot);
            }
        })
    }
}

/// Gradient of the input of a last-dimension softmax with output `probs`, given the output's
/// gradient `grad`: `p ⊙ (g − Σ p·g)` per row.
pub fn softmax(probs: &Tensor, grad: &Tensor) -> Result<Tensor> {
    if fused(probs) {
        return probs
            .contiguous()?
            .apply_op2_no_bwd(&grad.contiguous()?, &SoftmaxBackward);
    }
    let dot = (grad * probs)?.sum_keepdim(D::Minus1)?;
    probs * grad.broadcast_sub(&dot)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn input() -> Tensor {
        Tensor::new(
            &[
                [0.3f32, -1.2, 2.0, 0.1],
                [1.5, 0.2, -0.7, -2.5],
                [4.0, -5.5, 0.0, 0.9],
            ],
            &Device::Cpu,
        )
        .unwrap()
    }

    fn probe() -> Tensor {
        Tensor::new(
            &[
                [1.0f32, -2.0, 0.5, 3.0],
                [0.2, 0.4, -1.0, 1.0],
                [-0.3, 0.7, 2.0, -1.5],
            ],
            &Device::Cpu,
        )
        .unwrap()
    }

    /// The gradient candle's autograd finds for `sum(f(x) ⊙ probe)`.
    fn autograd(f: impl Fn(&Tensor) -> Result<Tensor>) -> Vec<f32> {
        let x = Var::from_tensor(&input()).unwrap();
        let loss = (f(x.as_tensor()).unwrap() * probe())
            .unwrap()
            .sum_all()
            .unwrap();
        let grads = loss.backward().unwrap();
        grads
            .get(x.as_tensor())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap()
    }

    fn assert_close(fused: Tensor, reference: Vec<f32>) {
        let fused = fused.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for (a, b) in fused.iter().zip(&reference) {
            assert!((a - b).abs() < 2e-6, "{fused:?} vs {reference:?}");
        }
    }

    #[test]
    fn layer_norm_gradient_matches_autograd_through_candles_layer_norm() {
        let w = Tensor::new(&[0.5f32, 1.5, -1.0, 2.0], &Device::Cpu).unwrap();
        let b = Tensor::new(&[0.1f32, 0.0, -0.2, 0.3], &Device::Cpu).unwrap();
        let reference = autograd(|x| candle_nn::ops::layer_norm_slow(x, &w, &b, 1e-5));
        assert_close(layer_norm(&input(), &probe(), &w, 1e-5).unwrap(), reference);
    }

    #[test]
    fn gelu_gradient_matches_autograd_through_candles_gelu_erf() {
        let reference = autograd(|x| x.gelu_erf());
        assert_close(gelu(&input(), &probe()).unwrap(), reference);
    }

    #[test]
    fn softmax_gradient_matches_autograd_through_candles_softmax() {
        let reference = autograd(|x| candle_nn::ops::softmax(x, D::Minus1));
        let probs = candle_nn::ops::softmax_last_dim(&input()).unwrap();
        assert_close(softmax(&probs, &probe()).unwrap(), reference);
    }
}
