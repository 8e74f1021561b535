//! Choosing where the model runs and in what precision: `--device auto|cpu|cuda[:N]|metal`,
//! `--dtype auto|f32|f16|bf16`.

use crate::error::UserError;
use anyhow::Result;
use candle_core::{DType, Device};
use std::str::FromStr;

/// What decides the low bits of CPU float results on this machine: the matmul kernel family
/// and the cache sizes that gemm blocks its loops by (they change the order of the sums).
/// Machines with the same string give byte-identical outputs for the same inputs; others agree
/// to rounding, so artifacts record it to say which comparison holds.
pub fn cpu_float_platform() -> String {
    // The kernel gemm picks at run time (the `x86-v4` feature enables its AVX-512 one).
    #[cfg(target_arch = "x86_64")]
    let kernel = if std::arch::is_x86_feature_detected!("avx512f") {
        "x86_64-avx512f"
    } else if std::arch::is_x86_feature_detected!("fma") {
        "x86_64-fma"
    } else {
        "x86_64"
    };
    #[cfg(not(target_arch = "x86_64"))]
    let kernel = std::env::consts::ARCH;
    let caches: Vec<String> = gemm_common::cache::CACHE_INFO
        .iter()
        .map(|c| {
            format!(
                "{}/{}/{}",
                c.cache_bytes, c.associativity, c.cache_line_bytes
            )
        })
        .collect();
    format!("{kernel} caches {}", caches.join(" "))
}

/// A device request as the user writes it; resolved to a candle [`Device`] by [`DeviceSpec::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceSpec {
    /// The first GPU this build supports, else the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// The CUDA GPU with this ordinal.
    Cuda(usize),
    /// The Apple GPU.
    Metal,
}

impl FromStr for DeviceSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda(0)),
            "metal" | "mps" => Ok(Self::Metal),
            _ => match s.strip_prefix("cuda:").map(str::parse) {
                Some(Ok(n)) => Ok(Self::Cuda(n)),
                _ => Err(format!(
                    "unknown device '{s}': expected auto, cpu, cuda, cuda:N or metal"
                )),
            },
        }
    }
}

impl std::fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Auto => f.write_str("auto"),
            Self::Cpu => f.write_str("cpu"),
            Self::Cuda(n) => write!(f, "cuda:{n}"),
            Self::Metal => f.write_str("metal"),
        }
    }
}

impl DeviceSpec {
    /// Opens the device, failing with a hint when this build or machine lacks it.
    pub fn open(self) -> Result<Device> {
        match self {
            Self::Cpu => Ok(Device::Cpu),
            Self::Auto => {
                if candle_core::utils::cuda_is_available() {
                    if let Ok(device) = Device::new_cuda(0) {
                        return Ok(device);
                    }
                }
                if candle_core::utils::metal_is_available() {
                    if let Ok(device) = Device::new_metal(0) {
                        return Ok(device);
                    }
                }
                Ok(Device::Cpu)
            }
            Self::Cuda(ordinal) => {
                if !candle_core::utils::cuda_is_available() {
                    return Err(UserError::new(
                        format!("--device {self}: this stancer build has no CUDA support"),
                        "rebuild with `cargo build --release --features cuda` on a machine with the CUDA toolkit, or use --device cpu",
                    ));
                }
                Device::new_cuda(ordinal).map_err(|e| {
                    UserError::new(
                        format!("--device {self}: cannot open CUDA device {ordinal}: {e}"),
                        "check `nvidia-smi` for the available GPUs, or use --device cpu",
                    )
                })
            }
            Self::Metal => {
                if !candle_core::utils::metal_is_available() {
                    return Err(UserError::new(
                        format!("--device {self}: this stancer build has no Metal support"),
                        "rebuild with `cargo build --release --features metal` on macOS, or use --device cpu",
                    ));
                }
                Device::new_metal(0).map_err(|e| {
                    UserError::new(
                        format!("--device {self}: cannot open the Metal device: {e}"),
                        "use --device cpu",
                    )
                })
            }
        }
    }
}

/// The float type model weights and activations use, as the user asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    /// The device's own choice ([`Precision::dtype`]).
    #[default]
    Auto,
    /// 32-bit floats.
    F32,
    /// IEEE half precision.
    F16,
    /// bfloat16.
    Bf16,
}

impl Precision {
    /// The float type on `device`. `auto` is f32 on the CPU, where half types have no fast
    /// kernels and only lose digits, and on Metal; bf16 on CUDA, whose tensor cores run it
    /// several times faster than f32 and keeps f32's exponent range.
    pub fn dtype(self, device: &Device) -> DType {
        match self {
            Self::Auto if device.is_cuda() => DType::BF16,
            Self::Auto | Self::F32 => DType::F32,
            Self::F16 => DType::F16,
            Self::Bf16 => DType::BF16,
        }
    }
}

/// As the flag spells it.
impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use clap::ValueEnum;
        let value = self.to_possible_value().expect("no variant is skipped");
        f.write_str(value.get_name())
    }
}

/// A short human name for an opened device, for logs and run manifests.
pub fn describe(device: &Device) -> String {
    match device {
        Device::Cpu => "cpu".to_string(),
        Device::Cuda(_) => format!("cuda:{:?}", device.location()),
        Device::Metal(_) => "metal".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_device_names() {
        assert_eq!("auto".parse::<DeviceSpec>(), Ok(DeviceSpec::Auto));
        assert_eq!("CPU".parse::<DeviceSpec>(), Ok(DeviceSpec::Cpu));
        assert_eq!("cuda".parse::<DeviceSpec>(), Ok(DeviceSpec::Cuda(0)));
        assert_eq!("cuda:3".parse::<DeviceSpec>(), Ok(DeviceSpec::Cuda(3)));
        assert_eq!("metal".parse::<DeviceSpec>(), Ok(DeviceSpec::Metal));
        assert!("cuda:x".parse::<DeviceSpec>().is_err());
        assert!("tpu".parse::<DeviceSpec>().is_err());
    }

    #[test]
    fn auto_and_cpu_open_on_any_build() {
        assert!(DeviceSpec::Cpu.open().unwrap().is_cpu());
        DeviceSpec::Auto.open().unwrap();
    }

    #[test]
    fn auto_precision_is_f32_on_the_cpu_and_explicit_choices_stand() {
        let cpu = Device::Cpu;
        assert_eq!(Precision::Auto.dtype(&cpu), DType::F32);
        assert_eq!(Precision::F16.dtype(&cpu), DType::F16);
        assert_eq!(Precision::Bf16.dtype(&cpu), DType::BF16);
        assert_eq!(Precision::F32.dtype(&cpu), DType::F32);
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_on_cpu_build_is_a_user_error_with_hint() {
        let err = DeviceSpec::Cuda(0).open().unwrap_err();
        let user = err.downcast_ref::<UserError>().expect("a UserError");
        assert!(user.message.contains("no CUDA support"), "{}", user.message);
        assert!(user.hint.contains("--features cuda"), "{}", user.hint);
    }
}
