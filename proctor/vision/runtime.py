"""Process-wide inference settings: ultralytics kept offline, every CPU core used."""

from __future__ import annotations

import os
from types import ModuleType


def offline_ultralytics() -> ModuleType:
    """Import ultralytics with downloads, auto-installs and telemetry off, and return it.

    ``YOLO_OFFLINE`` makes ultralytics consider itself offline (no asset, font or hub
    download, no analytics); ``YOLO_AUTOINSTALL=False`` stops it from pip-installing
    missing export requirements. Both are read when ultralytics is first imported, so every
    use in proctor goes through here.
    """
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "False"
    try:
        import ultralytics
    except ImportError as error:
        raise RuntimeError(
            "ultralytics is not installed: pip install 'proctor[vision]'"
        ) from error
    if ultralytics.utils.ONLINE:
        raise RuntimeError("ultralytics was imported before proctor set YOLO_OFFLINE=1: "
                           "import it through proctor.vision.runtime.offline_ultralytics")
    return ultralytics


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask; a container's CPU set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_threads(threads: int | None) -> int:
    """Threads for inference: the given number, or every core of this machine."""
    return threads or os.cpu_count() or 1


def use_torch_threads(threads: int) -> None:
    """Set torch's intra-op threads (ultralytics resets them to cores - 1 when it loads)."""
    import torch

    torch.set_num_threads(threads)


def decline_openvino_telemetry() -> None:
    """Record "no" in OpenVINO's telemetry consent file (what ``opt_in_out --opt_out`` leaves).

    OpenVINO's model conversion, which ``models export --format openvino`` uses, treats a
    missing consent file as consent and reports usage over the network. An existing answer
    is left alone.
    """
    try:
        from openvino_telemetry.utils.opt_in_checker import ConsentCheckResult, OptInChecker
    except ImportError:
        return
    checker = OptInChecker()
    if checker.check(enable_opt_in_dialog=False) == ConsentCheckResult.NO_FILE:
        checker.update_result(ConsentCheckResult.DECLINED)
