"""`python3 grpc_live.py HOST:PORT`: prints `live ready` when the gRPC service answers both."""

import sys

import tritonclient.grpc as grpcclient

client = grpcclient.InferenceServerClient(url=sys.argv[1])
assert client.is_server_live() and client.is_server_ready(), "not live and ready"
print("live ready")
