"""A real Open Inference Protocol v2 client (tritonclient[http]) against a running mlc-serve.

Run by server/tests/tritonclient.rs: `python3 tritonclient_check.py HOST:PORT MODEL`, the model being
iris (input X FP32 [-1,4]; outputs label INT64 [-1], probabilities FP32 [-1,3]). Exits non-zero with
a message on the first mismatch. Needs `tritonclient[http]` and `numpy` (.ci/setup.d/python-runtime-tools.sh).
"""

import sys

import numpy as np
import tritonclient.http as httpclient

ROWS = np.array(
    [[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 4.2, 1.5], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32
)
CLASSES = [0, 1, 2]


def main() -> None:
    url, model = sys.argv[1], sys.argv[2]
    client = httpclient.InferenceServerClient(url=url, concurrency=1)
    assert client.is_server_live(), "server not live"
    assert client.is_server_ready(), "server not ready"
    assert client.is_model_ready(model), "model not ready"
    meta = client.get_model_metadata(model)
    assert meta["name"] == model, meta
    assert meta["inputs"] == [{"name": "X", "datatype": "FP32", "shape": [-1, 4]}], meta
    server_meta = client.get_server_metadata()
    assert "binary_tensor_data" in server_meta.get("extensions", []), server_meta

    reference = None
    runs = 0
    for rows in (ROWS[:1], ROWS):
        for binary_in in (True, False):
            for binary_out in (True, False):
                inp = httpclient.InferInput("X", list(rows.shape), "FP32")
                inp.set_data_from_numpy(rows, binary_data=binary_in)
                outputs = [
                    httpclient.InferRequestedOutput("label", binary_data=binary_out),
                    httpclient.InferRequestedOutput("probabilities", binary_data=binary_out),
                ]
                request_id = f"r{runs}"
                result = client.infer(model, [inp], outputs=outputs, request_id=request_id)
                response = result.get_response()
                assert response["id"] == request_id, response
                assert response["model_name"] == model, response
                for out in response["outputs"]:
                    has_binary = "binary_data_size" in out.get("parameters", {})
                    assert has_binary == binary_out, (binary_out, out)
                label = result.as_numpy("label")
                probs = result.as_numpy("probabilities")
                n = rows.shape[0]
                assert label.shape == (n,), label.shape
                assert label.dtype == np.int64, label.dtype
                assert probs.shape == (n, 3), probs.shape
                assert probs.dtype == np.float32, probs.dtype
                assert label.tolist() == CLASSES[:n], label
                assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5), probs
                assert (probs.argmax(axis=1) == label).all(), (probs, label)
                if n == len(ROWS):
                    if reference is None:
                        reference = probs
                    else:
                        # The same inputs give the same outputs, whatever the encoding.
                        assert np.array_equal(probs, reference), (probs, reference)
                runs += 1

    # Only the requested output comes back.
    inp = httpclient.InferInput("X", [1, 4], "FP32")
    inp.set_data_from_numpy(ROWS[2:], binary_data=True)
    result = client.infer(model, [inp], outputs=[httpclient.InferRequestedOutput("label")])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["label"]
    assert result.as_numpy("label").tolist() == [2]
    assert result.as_numpy("probabilities") is None

    # An error from the server surfaces as the client's exception with the server's message.
    bad = httpclient.InferInput("X", [1, 3], "FP32")
    bad.set_data_from_numpy(np.zeros((1, 3), dtype=np.float32))
    try:
        client.infer(model, [bad])
    except httpclient.InferenceServerException as err:
        assert err.message(), err
    else:
        raise AssertionError("a wrong shape was accepted")
    client.close()
    print(f"tritonclient: {runs + 2} inferences OK")


if __name__ == "__main__":
    main()
