//! Compiles the vendored Open Inference Protocol gRPC definition (`proto/`) into Rust with
//! `protox` (pure Rust, so no system `protoc`) and `tonic-prost-build`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "proto/open_inference_grpc.proto";
    println!("cargo:rerun-if-changed={proto}");
    let descriptors = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
