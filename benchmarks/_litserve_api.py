"""The LitServe reference of bench_serving.py: a LitAPI that batches the module's calls."""

import json
import os
from typing import Any

import litserve as ls
from _serving_baselines import build, predict


class HubAPI(ls.LitAPI):
    """The module named in BENCH_MODULE, built with BENCH_INIT, behind LitServe's batching."""

    def setup(self, device: str) -> None:
        self.module = os.environ["BENCH_MODULE"]
        self.model = build(self.module, json.loads(os.environ["BENCH_INIT"]))

    def decode_request(self, request: dict) -> dict:  # LitServe reads this annotation: a JSON body
        return request

    def predict(self, bodies: list[dict[str, Any]]) -> list[list[Any]]:
        return predict(self.model, self.module, bodies)

    def encode_response(self, output: list[Any]) -> dict[str, Any]:
        return {"status": "000", "msg": "", "results": output}
