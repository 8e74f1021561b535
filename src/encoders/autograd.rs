//! Gradients for the fast inference kernels, so training and inference share one forward pass.
//!
//! The fused kernels the forward pass uses (softmax, layer norm, GELU) have no backward in
//! candle, and candle's matmul backward always computes the gradient of both operands, even of a
//! frozen weight: with LoRA that is a third of the training arithmetic spent on gradients nobody
//! reads. Each function here runs the fast kernel on a detached input and, only when the input
//! depends on a trainable variable, attaches a hand-written gradient for that input alone. With
//! no variable in sight (inference) the result is exactly the kernel's, at no extra cost.

use candle_core::backend::{BackendDevice, BackendStorage};
use candle_core::{
    CpuStorage, CudaStorage, CustomOp2, Layout, MetalStorage, Module, Result, Shape, Tensor, D,
};
use candle_nn::Linear;

/// The gradient of an input given the input, the output and the output's gradient.
type InputGradient = Box<dyn Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + Send + Sync>;

/// `output` (computed without a graph from `input`) made differentiable in `input` by `gradient`.
///
/// The op's forward copies `output`: candle custom ops must return fresh storage. The copy is
/// one pass over memory, small beside the kernels whose backward it supplies.
fn with_gradient(input: &Tensor, output: Tensor, gradient: InputGradient) -> Result<Tensor> {
    if !input.track_op() {
        return Ok(output);
    }
    input.apply_op2(&output, AttachGradient { gradient })
}

struct AttachGradient {
    gradient: InputGradient,
}

/// A contiguous copy of `storage` as `layout` sees it, on any backend.
fn copy_out<S>(storage: &S, layout: &Layout) -> Result<(S, Shape)>
where
    S: BackendStorage,
    S::Device: BackendDevice<Storage = S>,
{
    // SAFETY: every element of the new buffer is written by `copy_strided_src` below.
    let mut out = unsafe {
        storage
            .device()
            .alloc_uninit(layout.shape(), storage.dtype())?
    };
    storage.copy_strided_src(&mut out, 0, layout)?;
    Ok((out, layout.shape().clone()))
}

impl CustomOp2 for AttachGradient {
    fn name(&self) -> &'static str {
        "attach-gradient"
    }

    fn cpu_fwd(
        &self,
        _: &CpuStorage,
        _: &Layout,
        output: &CpuStorage,
        layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        copy_out(output, layout)
    }

    fn cuda_fwd(
        &self,
        _: &CudaStorage,
        _: &Layout,
        output: &CudaStorage,
        layout: &Layout,
    ) -> Result<(CudaStorage, Shape)> {
        copy_out(output, layout)
    }

    fn metal_fwd(
        &self,
        _: &MetalStorage,
        _: &Layout,
        output: &MetalStorage,
        layout: &Layout,
    ) -> Result<(MetalStorage, Shape)> {
        copy_out(output, layout)
    }

    fn bwd(
        &self,
        input: &Tensor,
        _: &Tensor,
        output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        // Detached so the gradient computation itself builds no graph.
        let input_grad = (self.gradient)(&input.detach(), &output.detach(), grad)?;
        Ok((Some(input_grad), None))
    }
}

/// Softmax over the last dimension.
pub fn softmax_last_dim(xs: &Tensor) -> Result<Tensor> {
    let probs = candle_nn::ops::softmax_last_dim(&xs.detach())?;
    with_gradient(
        xs,
        probs,
        Box::new(|_, probs, grad| {
            let dot = (grad * probs)?.sum_keepdim(D::Minus1)?;
            probs * grad.broadcast_sub(&dot)?
        }),
    )
}

/// Layer norm over the last dimension with frozen `weight` and `bias`.
pub fn layer_norm(xs: &Tensor, weight: &Tensor, bias: &Tensor, eps: f32) -> Result<Tensor> {
    let normed = candle_nn::ops::layer_norm(&xs.detach(), weight, bias, eps)?;
    let weight = weight.clone();
    with_gradient(
        xs,
        normed,
        Box::new(move |xs, _, grad| {
            let n = xs.dim(D::Minus1)? as f64;
            let centred = xs.broadcast_sub(&(xs.sum_keepdim(D::Minus1)? / n)?)?;
            let variance = (centred.sqr()?.sum_keepdim(D::Minus1)? / n)?;
            let inv_std = (variance + eps as f64)?.sqrt()?.recip()?;
            let x_hat = centred.broadcast_mul(&inv_std)?;
            let g = grad.broadcast_mul(&weight)?;
            let g_mean = (g.sum_keepdim(D::Minus1)? / n)?;
            let gx_mean = ((&g * &x_hat)?.sum_keepdim(D::Minus1)? / n)?;
            g.broadcast_sub(&g_mean)?
                .sub(&x_hat.broadcast_mul(&gx_mean)?)?
                .broadcast_mul(&inv_std)
        }),
    )
}

/// `xs · Wᵀ + b` for a frozen `linear`: the gradient flows to `xs` only.
pub fn frozen_linear(xs: &Tensor, linear: &Linear) -> Result<Tensor> {
    let ys = linear.forward(&xs.detach())?;
    let weight = linear.weight().clone();
    with_gradient(xs, ys, Box::new(move |_, _, grad| grad.matmul(&weight)))
}

/// GELU (exact, erf form) through `forward`, a fast kernel, with its derivative
/// `Φ(x) + x·φ(x)` for the gradient.
pub fn gelu_erf_with(xs: &Tensor, forward: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let ys = forward(&xs.detach())?;
    with_gradient(
        xs,
        ys,
        Box::new(|xs, _, grad| {
            let cdf = ((xs * std::f64::consts::FRAC_1_SQRT_2)?.erf()? + 1.0)? * 0.5;
            let pdf = (xs.sqr()? * -0.5)?.exp()?
                * (0.5 * std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2);
            grad * (cdf? + (xs * pdf?)?)?
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    /// Gradient of `sum(f(x) * probe)` by the attached backward and by candle's own ops.
    fn gradients(
        fast: impl Fn(&Tensor) -> Result<Tensor>,
        reference: impl Fn(&Tensor) -> Result<Tensor>,
    ) -> (Vec<f32>, Vec<f32>) {
        let device = Device::Cpu;
        let x = Var::from_tensor(
            &Tensor::new(&[[0.3f32, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, -2.5]], &device).unwrap(),
        )
        .unwrap();
        let probe =
            Tensor::new(&[[1.0f32, -2.0, 0.5, 3.0], [0.2, 0.4, -1.0, 1.0]], &device).unwrap();
        let grad = |f: &dyn Fn(&Tensor) -> Result<Tensor>| {
            let loss = (f(x.as_tensor()).unwrap() * &probe)
                .unwrap()
                .sum_all()
                .unwrap();
            let grads = loss.backward().unwrap();
            grads
                .get(x.as_tensor())
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        };
        (grad(&fast), grad(&reference))
    }

    fn assert_close(a: &[f32], b: &[f32]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn softmax_gradient_matches_candles_composed_softmax() {
        let (fast, reference) =
            gradients(softmax_last_dim, |x| candle_nn::ops::softmax(x, D::Minus1));
        assert_close(&fast, &reference);
    }

    #[test]
    fn layer_norm_gradient_matches_candles_composed_layer_norm() {
        let device = Device::Cpu;
        let w = Tensor::new(&[0.5f32, 1.5, -1.0, 2.0], &device).unwrap();
        let b = Tensor::new(&[0.1f32, 0.0, -0.2, 0.3], &device).unwrap();
        let (fast, reference) = gradients(
            |x| layer_norm(x, &w, &b, 1e-5),
            |x| candle_nn::ops::layer_norm_slow(x, &w, &b, 1e-5),
        );
        assert_close(&fast, &reference);
    }

    #[test]
    fn frozen_linear_gradient_matches_a_plain_matmul() {
        let device = Device::Cpu;
        let w = Tensor::new(&[[0.5f32, 1.5, -1.0, 2.0], [0.1, 0.2, 0.3, 0.4]], &device).unwrap();
        let linear = Linear::new(
            w.clone(),
            Some(Tensor::new(&[1f32, -1.0], &device).unwrap()),
        );
        let probe_w = Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &device).unwrap();
        let (fast, reference) = gradients(
            |x| frozen_linear(x, &linear)?.matmul(&probe_w)?.matmul(&w),
            |x| linear.forward(x)?.matmul(&probe_w)?.matmul(&w),
        );
        assert_close(&fast, &reference);
    }

    #[test]
    fn gelu_gradient_matches_candles_gelu_erf() {
        let (fast, reference) = gradients(|x| gelu_erf_with(x, |x| x.gelu_erf()), |x| x.gelu_erf());
        assert_close(&fast, &reference);
    }

    #[test]
    fn without_variables_the_kernel_output_is_returned_untouched() {
        let x = Tensor::new(&[[1f32, 2.0, 3.0]], &Device::Cpu).unwrap();
        let y = softmax_last_dim(&x).unwrap();
        assert!(!y.track_op());
        assert_eq!(
            y.to_vec2::<f32>().unwrap(),
            candle_nn::ops::softmax_last_dim(&x)
                .unwrap()
                .to_vec2::<f32>()
                .unwrap()
        );
    }
}
