"""The console's message catalogs: both languages have the same messages (with the same
placeholders), every key the code or the HTML uses exists, every key is used, and keys built
at run time from an enumeration cover all of its values. (The browser tests check that no raw
key reaches a rendered page; tsc checks every literal key of t() against zh-CN.json.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

from proctor.complaints.workflow import STATE_LABELS as COMPLAINT_LABELS
from proctor.complaints.workflow import DeadlineFlag
from proctor.config import REPO_ROOT
from proctor.db.complaints import ComplaintChannel, ComplaintState
from proctor.db.models import Role
from proctor.db.organisations import RegionLevel
from proctor.oversight.cutoffs import DueStep
from proctor.oversight.notices import ComplaintStep, Stage
from proctor.supervision.states import STATE_LABELS, BatchState
from proctor.vision.kinds import EventKind

WEB = REPO_ROOT / "web"
CATALOGS = WEB / "static" / "i18n"
LANGS = ("zh-CN", "en-US")
# keys a page builds at run time: `prefix.${value}`, for every value of these
DYNAMIC: dict[str, set[str]] = {
    "event.kind": {kind.value for kind in EventKind},
    "batch.state": {state.value for state in BatchState},
    "role": {role.value for role in Role},
    "camera.state": {"live", "reconnecting", "lost"},
    "oversight.level": {level.value for level in RegionLevel},
    "oversight.step": {step.value for step in DueStep},
    "notices.step": {step.value for step in (*DueStep, *ComplaintStep)},
    "notices.stage": {stage.value for stage in Stage},
    "complaint.state": {state.value for state in ComplaintState},
    "complaint.flag": {flag.value for flag in DeadlineFlag},
    "complaint.channel": {channel.value for channel in ComplaintChannel},
}
# where a literal key appears: t("key" ...), a NavEntry label, a page title, HTML attributes
KEY_IN_JS = re.compile(r"""(?:\bt\(\s*|\blabel:\s*|\btitle:\s*)["']([\w.]+)["']""")
DYNAMIC_IN_JS = re.compile(r"`([\w.]+)\.\$\{")
KEY_IN_HTML = re.compile(r"""data-i18n="([\w.]+)"|data-i18n-attr="([^"]+)\"""")


def catalog(lang: str) -> dict[str, str | dict[str, str]]:
    data: dict[str, str | dict[str, str]] = json.loads((CATALOGS / f"{lang}.json").read_text())
    return data


def placeholders(message: str | dict[str, str]) -> set[str]:
    texts = [message] if isinstance(message, str) else list(message.values())
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", text)}


def sources(suffix: str) -> list[Path]:
    return [path for path in WEB.rglob(f"*{suffix}") if "node_modules" not in path.parts]


def keys_used() -> tuple[set[str], set[str]]:
    """Literal keys in the code and HTML, and the prefixes of keys built at run time."""
    literal: set[str] = set()
    dynamic: set[str] = set()
    for path in sources(".js"):
        text = path.read_text()
        literal |= set(KEY_IN_JS.findall(text))
        dynamic |= set(DYNAMIC_IN_JS.findall(text))
    for path in sources(".html"):
        for key, attributes in KEY_IN_HTML.findall(path.read_text()):
            literal |= {key} if key else {pair.split(":")[1].strip()
                                          for pair in attributes.split(";") if ":" in pair}
    return literal - {""}, dynamic


def test_both_catalogs_have_the_same_messages_and_placeholders() -> None:
    zh, en = (catalog(lang) for lang in LANGS)
    assert set(zh) == set(en), {"only zh-CN": set(zh) - set(en), "only en-US": set(en) - set(zh)}
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key
        for message in (zh[key], en[key]):
            if isinstance(message, dict):  # plural forms: "other" is what every language has
                assert "other" in message and set(message) <= {"zero", "one", "two", "few",
                                                               "many", "other"}, key


def test_every_key_used_exists_and_every_key_is_used() -> None:
    messages = set(catalog("zh-CN"))
    literal, dynamic = keys_used()
    assert {"app.name", "live.title", "nav.live", "shell.skip"} <= literal  # the scan works
    assert literal - messages == set(), "keys used but missing from the catalogs"
    assert dynamic <= set(DYNAMIC), f"keys built from an unknown set: {dynamic - set(DYNAMIC)}"
    built = {f"{prefix}.{value}" for prefix in dynamic for value in DYNAMIC[prefix]}
    assert built - messages == set(), "values without a message"
    unused = messages - literal - built
    assert unused == set(), "messages nothing uses (remove them)"


def test_state_labels_are_the_ones_the_server_uses() -> None:
    zh = catalog("zh-CN")
    assert {f"batch.state.{state.value}": label for state, label in STATE_LABELS.items()} \
        == {key: text for key, text in zh.items() if key.startswith("batch.state.")}


def test_complaint_state_labels_are_the_ones_the_server_uses() -> None:
    zh = catalog("zh-CN")
    assert {f"complaint.state.{state.value}": label for state, label in COMPLAINT_LABELS.items()} \
        == {key: text for key, text in zh.items() if key.startswith("complaint.state.")}


def test_a_missing_key_is_caught() -> None:
    used = set(KEY_IN_JS.findall('t("live.nope", {count: 1}); label: "nav.live"'))
    assert used - set(catalog("zh-CN")) == {"live.nope"}
