//! The runtime configuration file of `mlc-serve` (DESIGN §8.9), shared by compiler and runtime.
