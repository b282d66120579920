//! gRPC clients for the compare bench: one HTTP/2 connection per client thread (the `h2`
//! crate, on a current-thread runtime), unary `ModelInfer` calls with the input in
//! `raw_input_contents`, as tritonclient sends it.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use mlc_serve::grpc::pb::ModelInferRequest;
use mlc_serve::grpc::pb::model_infer_request::InferInputTensor;
use prost::Message;

/// The framed `ModelInfer` request for `rows` rows of iris.
pub(crate) fn iris_request(rows: &[f32]) -> Bytes {
    let request = ModelInferRequest {
        model_name: "iris".to_owned(),
        inputs: vec![InferInputTensor {
            name: "X".to_owned(),
            datatype: "FP32".to_owned(),
            shape: vec![i64::try_from(rows.len() / 4).unwrap_or(0), 4],
            ..InferInputTensor::default()
        }],
        raw_input_contents: vec![rows.iter().flat_map(|v| v.to_le_bytes()).collect()],
        ..ModelInferRequest::default()
    };
    let message = request.encode_to_vec();
    let mut framed = Vec::with_capacity(message.len() + 5);
    framed.push(0);
    framed.extend_from_slice(&u32::try_from(message.len()).unwrap_or(0).to_be_bytes());
    framed.extend_from_slice(&message);
    Bytes::from(framed)
}

/// A client: each call sends `message` and is true when the answer's `grpc-status` is 0.
pub(crate) fn client(addr: SocketAddr, message: Bytes) -> impl FnMut() -> bool + Send {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut sender: Option<h2::client::SendRequest<Bytes>> = None;
    move || {
        runtime
            .block_on(async {
                if sender.is_none() {
                    let tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
                    tcp.set_nodelay(true).ok()?;
                    let (client, connection) = h2::client::handshake(tcp).await.ok()?;
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                    sender = Some(client);
                }
                let client = sender.take()?;
                let mut ready = client.ready().await.ok()?;
                let request = http::Request::builder()
                    .method("POST")
                    .uri(format!(
                        "http://{addr}/inference.GRPCInferenceService/ModelInfer"
                    ))
                    .header("content-type", "application/grpc")
                    .header("te", "trailers")
                    .body(())
                    .ok()?;
                let (response, mut stream) = ready.send_request(request, false).ok()?;
                stream.send_data(message.clone(), true).ok()?;
                let mut body = response.await.ok()?.into_body();
                while let Some(chunk) = body.data().await {
                    let chunk = chunk.ok()?;
                    let _ = body.flow_control().release_capacity(chunk.len());
                }
                let trailers = body.trailers().await.ok()??;
                sender = Some(ready);
                Some(trailers.get("grpc-status").is_some_and(|s| s == "0"))
            })
            .unwrap_or(false)
    }
}

/// Shares one framed request between the client threads.
pub(crate) fn shared(message: &Bytes) -> Arc<Bytes> {
    Arc::new(message.clone())
}
